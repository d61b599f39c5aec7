//! "Save, then show what went wrong": [`use_edit`] gives a busy flag and an error line, and
//! runs one edit (or request) at a time.

use std::future::Future;

use leptos::prelude::*;

use super::error::UserText;
use crate::i18n::*;

/// The state of a form's edits: whether one is running and the last one's error.
#[derive(Clone, Copy)]
pub struct EditState {
    /// An edit is running (buttons are disabled meanwhile).
    pub busy: RwSignal<bool>,
    /// The last failed edit's message, cleared when an edit starts.
    pub error: RwSignal<Option<String>>,
    i18n: I18nContext<Locale>,
}

/// The edit state of one form (call while rendering).
pub fn use_edit() -> EditState {
    EditState {
        busy: RwSignal::new(false),
        error: RwSignal::new(None),
        i18n: use_i18n(),
    }
}

impl EditState {
    /// Runs `edit` unless one is running; on success calls `done` with its value, on failure
    /// shows the error's text.
    pub fn run<T, E>(
        self,
        edit: impl Future<Output = Result<T, E>> + 'static,
        done: impl FnOnce(T) + 'static,
    ) where
        T: 'static,
        E: UserText + 'static,
    {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        self.error.set(None);
        leptos::task::spawn_local(async move {
            let result = edit.await;
            self.busy.set(false);
            match result {
                Ok(value) => done(value),
                Err(e) => self.error.set(Some(e.user_text(self.i18n))),
            }
        });
    }

    /// Shows `message` as the error (a check that failed before any edit).
    pub fn fail(self, message: impl Into<String>) {
        self.error.set(Some(message.into()));
    }
}
