//! The words for a sales record's stored values: an A-card's status, an intention grade.

use crate::i18n::*;

/// The translated name of an A-card status (the stored name for one the app does not know).
pub fn status_label(i18n: I18nContext<Locale>, status: &str) -> String {
    match status {
        "following" => t_string!(i18n, a_card.statuses.following),
        "loss_proposed" => t_string!(i18n, a_card.statuses.loss_proposed),
        "re_contacted" => t_string!(i18n, a_card.statuses.re_contacted),
        "lost" => t_string!(i18n, a_card.statuses.lost),
        "ordered" => t_string!(i18n, a_card.statuses.ordered),
        "delivered" => t_string!(i18n, a_card.statuses.delivered),
        other => return other.to_string(),
    }
    .to_string()
}

/// The translated label of an intention grade (`H`, `A`, `B`, `C`).
pub fn grade_label(i18n: I18nContext<Locale>, grade: &str) -> String {
    match grade {
        "H" => t_string!(i18n, a_card.grades.H),
        "A" => t_string!(i18n, a_card.grades.A),
        "B" => t_string!(i18n, a_card.grades.B),
        "C" => t_string!(i18n, a_card.grades.C),
        other => return other.to_string(),
    }
    .to_string()
}
