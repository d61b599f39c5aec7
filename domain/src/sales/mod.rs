//! Sales rules (shared/domain.md, sales part; seed 001): validation, visit counting, grades, loss, KPIs.
//!
//! Pure rules over plain data: no I/O, no clock. Every function that needs "now" or "today" takes it
//! as an argument, so the same input gives the same answer on a tablet and on the server.
//!
//! ## Times
//! All times and dates in the sales rules are the **store's local wall-clock time** (China Standard
//! Time, UTC+8, by default), as `chrono::NaiveDateTime` / `NaiveDate`. A "day" in a KPI or in a
//! consultant's "today" list is a local calendar day. Stored times are read and instants converted
//! with the store's clock, [`crate::time::StoreClock`].
//!
//! ## Errors
//! Every error a user can see is an enum implementing [`UserError`]: a stable snake_case
//! [`UserError::code`] (the `code` of the HTTP error body), and the message in Chinese and English.

pub mod a_card;
pub mod delivery;
pub mod duplicate;
pub mod facts;
pub mod follow_up;
pub mod grade;
pub mod handover;
pub mod imported;
pub mod kpi;
pub mod kpi_reads;
pub mod loss;
pub mod loss_flow;
pub mod order;
pub mod order_plan;
pub mod phone;
pub mod policy;
pub mod referral;
pub mod rota;
pub mod settings;
pub mod test_drive;
pub mod vin;
pub mod visit;
pub mod visit_log;

/// The date and time types of the sales rules, for callers (the app) without chrono of their own.
pub use ::chrono;

pub use handover::handover_plan;

/// An error shown to a user: a stable code plus the message in both languages of the app.
pub trait UserError: std::error::Error {
    /// Stable snake_case identifier, e.g. `phone_invalid_mobile`. Never changes once shipped.
    fn code(&self) -> &'static str;
    /// The message in Simplified Chinese (the default language of the app).
    fn message_zh(&self) -> String;
    /// The message in English.
    fn message_en(&self) -> String;
    /// The message in the given language.
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.message_zh(),
            Lang::En => self.message_en(),
        }
    }
    /// The JSON error body of the HTTP API: `{"code": …, "message": …}` in the user's language.
    fn body(&self, lang: Lang) -> ErrorBody {
        ErrorBody {
            code: self.code().to_string(),
            message: self.message(lang),
        }
    }
}

/// The error body of the HTTP API (docs/api.md): `{"code": "snake_case_code", "message": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

/// The two languages of the app's screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// 简体中文 (default)
    Zh,
    /// English
    En,
}
