//! One way to say what went wrong: [`UserText`] gives the text a person reads, in the chosen
//! language, for every error the app shows.

use domain::sales::UserError;

use super::labels::Words;
use crate::api::ApiError;
use crate::i18n::*;
use crate::sync::EditError;

/// An error as the words shown to the user.
pub trait UserText {
    /// The message in the user's language.
    fn user_text(&self, i18n: I18nContext<Locale>) -> String;
}

/// A domain rule's message in the user's language.
fn rule_text(i18n: I18nContext<Locale>, e: &(impl UserError + ?Sized)) -> String {
    match i18n.get_locale_untracked() {
        Locale::en => e.message_en(),
        Locale::zh_CN => e.message_zh(),
    }
}

impl<E: UserError> UserText for E {
    fn user_text(&self, i18n: I18nContext<Locale>) -> String {
        rule_text(i18n, self)
    }
}

/// A failed edit: the rule it broke, or the device's storage failing.
impl UserText for EditError {
    fn user_text(&self, i18n: I18nContext<Locale>) -> String {
        match self {
            EditError::Rule(t) => match i18n.get_locale_untracked() {
                Locale::en => t.en.clone(),
                Locale::zh_CN => t.zh.clone(),
            },
            EditError::Db(_) => t_string!(i18n, sync.storage).to_string(),
        }
    }
}

/// A failed request of a form that only works online: `.1` says so when there was no network,
/// else the server's message.
pub struct NeedsNetwork(pub ApiError, pub Words);

impl UserText for NeedsNetwork {
    fn user_text(&self, i18n: I18nContext<Locale>) -> String {
        match &self.0 {
            ApiError::Network => self.1(i18n).to_string(),
            e => e.user_text(i18n),
        }
    }
}

/// A failed request: offline, or the server's message.
impl UserText for ApiError {
    fn user_text(&self, i18n: I18nContext<Locale>) -> String {
        match self {
            ApiError::Network => t_string!(i18n, import.needs_network).to_string(),
            ApiError::Server { message, .. } if !message.is_empty() => message.clone(),
            ApiError::Server { code, .. } => code.clone(),
            ApiError::Unexpected(_) => t_string!(i18n, import.unexpected).to_string(),
        }
    }
}
