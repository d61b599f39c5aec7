//! The words for a sales record's stored values: an A-card's status, an intention grade, a
//! model of the store's catalogue.

use domain::label::Choice;
use domain::sales::a_card::{Catalogue, CatalogueModel};
use domain::sales::grade::IntentionGrade;
use domain::sales::settings::StoreSettings;
use domain::sync::RecordState;

use crate::i18n::*;

words! {
    /// The translated name of an A-card status (the stored name for one the app does not know).
    pub fn status_label(status: &str) -> String {
        "following" => a_card.statuses.following,
        "loss_proposed" => a_card.statuses.loss_proposed,
        "re_contacted" => a_card.statuses.re_contacted,
        "lost" => a_card.statuses.lost,
        "ordered" => a_card.statuses.ordered,
        "delivered" => a_card.statuses.delivered,
    } else status.to_string()
}

/// The label of a stored intention grade (`H`, `A`, `B`, `C`; the stored text for another).
pub fn grade_label(i18n: I18nContext<Locale>, grade: &str) -> String {
    IntentionGrade::from_wire(grade)
        .map(|g| label(i18n, g).to_string())
        .unwrap_or_else(|| grade.to_string())
}

/// A catalogue model's name in the screens' language (tracked).
pub fn model_label(i18n: I18nContext<Locale>, model: &CatalogueModel) -> String {
    match i18n.get_locale() {
        Locale::en => model.name_en.clone(),
        Locale::zh_CN => model.name_zh.clone(),
    }
}

/// The store's catalogue, from its sales settings records.
pub fn catalogue_of(settings: &[RecordState]) -> Catalogue {
    StoreSettings::of(settings).catalogue()
}

/// The model as staff call it: a catalogue code (`levin`) is shown with its name from the
/// store's catalogue (`settings`: its sales settings records); typed text as it is.
pub fn model_name(i18n: I18nContext<Locale>, settings: &[RecordState], model: &str) -> String {
    catalogue_of(settings)
        .find(model)
        .map(|m| model_label(i18n, m))
        .unwrap_or_else(|| model.to_string())
}
