//! The sales record types as the shared screens (conflicts, the bin, the KPI drill-down) show
//! them: one [`Kind`] each. A new sales record type is one more entry in [`KINDS`].

use domain::label::Bilingual;
use domain::sales::visit::VisitSource;
use domain::sync::RecordState;
use uuid::Uuid;

use super::words::{grade_label, status_label};
use crate::i18n::*;
use crate::ui::kinds::{
    Kind, Look, Missing, card_name, customer_of, default_title, joined, no_field_label, no_href,
    no_value_text, text,
};
use crate::ui::labels::{phone_display, shown_time, who};

/// A record's `at` time as shown (`YYYY-MM-DD HH:MM`).
fn when(record: &RecordState, at: &str) -> String {
    shown_time(&text(record, at))
}

/// The page of the record itself, under `/sales/<path>/`.
fn page(path: &str, record: &RecordState) -> Option<String> {
    Some(format!("/sales/{path}/{}", record.id))
}

words! {
    fn a_card_field(field: &str) -> Option<String> {
        "name" => a_card.name,
        "phone" => a_card.phone,
        "intended_model" => a_card.intended_model,
        "grade" => a_card.grade,
        "status" => a_card.status,
        "next_follow_up" => a_card.next_follow_up,
        "consultant_id" => a_card.consultant,
        "first_contact_at" => a_card.first_contact_at,
        "follow_ups" => a_card.follow_ups,
    }
}

fn a_card_value(i18n: I18nContext<Locale>, field: &str, value: &str) -> Option<String> {
    match field {
        "status" => Some(status_label(i18n, value)),
        "grade" => Some(grade_label(i18n, value)),
        "consultant_id" => Some(who(value)),
        _ => None,
    }
}

/// The customer's or the consultant's record of a visit: its time, source, consultant and
/// customer.
fn visit_summary(look: &Look, r: &RecordState) -> String {
    let english = look.i18n.get_locale_untracked() == Locale::en;
    joined(vec![
        when(r, "time_in"),
        VisitSource::parse(&text(r, "source"))
            .map(|s| s.label(english).to_string())
            .unwrap_or_default(),
        who(&text(r, "consultant_id")),
        customer_of(look, r),
    ])
}

/// A visit a KPI counted: its time and its customer (or consultant, before a card).
fn visit_counted(look: &Look, r: &RecordState) -> String {
    match card_name(look, r) {
        Some(name) => format!("{} · {name}", when(r, "time_in")),
        None => format!(
            "{} · {}",
            when(r, "time_in"),
            who(&text(r, "consultant_id"))
        ),
    }
}

/// A visit is shown on its customer's A-card.
fn visit_href(_: &Look, r: &RecordState) -> Option<String> {
    Uuid::parse_str(&text(r, "a_card_id"))
        .ok()
        .map(|c| format!("/sales/a-cards/{c}"))
}

/// A record of its A-card's customer, counted with its `at` time.
fn card_record_counted(look: &Look, r: &RecordState, at: &str) -> String {
    format!(
        "{} · {}",
        card_name(look, r).unwrap_or_default(),
        when(r, at)
    )
}

/// The summary of kinds that are about a customer.
fn customer_summary(look: &Look, r: &RecordState) -> String {
    customer_of(look, r)
}

/// A kind shown by its customer everywhere, without field labels or value words of its own.
const fn plain(
    name: &'static str,
    label: fn(I18nContext<Locale>) -> String,
    href: fn(&Look, &RecordState) -> Option<String>,
) -> Kind {
    Kind {
        name,
        label,
        short_label: None,
        title: default_title,
        summary: customer_summary,
        counted: customer_summary,
        href,
        field_label: no_field_label,
        value_text: no_value_text,
        missing: None,
    }
}

/// A record page's words for a record not on this device: `text`, and back to `back_href`.
const fn missing(
    text: fn(I18nContext<Locale>) -> String,
    back_href: &'static str,
    back: fn(I18nContext<Locale>) -> String,
) -> Option<Missing> {
    Some(Missing {
        text,
        back_href,
        back,
    })
}

/// The sales record types.
pub static KINDS: [Kind; 9] = [
    Kind {
        short_label: Some(|i| t_string!(i, kpi.kinds.a_card).to_string()),
        summary: |_, r| joined(vec![text(r, "name"), phone_display(&text(r, "phone"))]),
        counted: |_, r| format!("{} · {}", text(r, "name"), when(r, "first_contact_at")),
        field_label: a_card_field,
        value_text: a_card_value,
        missing: missing(
            |i| t_string!(i, a_card.not_found).to_string(),
            "/sales/a-cards",
            |i| t_string!(i, a_card.back).to_string(),
        ),
        ..plain(
            "a_card",
            |i| t_string!(i, bin.types.a_card).to_string(),
            |_, r| page("a-cards", r),
        )
    },
    Kind {
        short_label: Some(|i| t_string!(i, kpi.kinds.visit).to_string()),
        summary: visit_summary,
        counted: visit_counted,
        ..plain(
            "visit",
            |i| t_string!(i, bin.types.visit).to_string(),
            visit_href,
        )
    },
    Kind {
        short_label: Some(|i| t_string!(i, kpi.kinds.test_drive).to_string()),
        counted: |l, r| card_record_counted(l, r, "started_at"),
        missing: missing(
            |i| t_string!(i, test_drive.not_found).to_string(),
            "/sales/test-drives",
            |i| t_string!(i, test_drive.back).to_string(),
        ),
        ..plain(
            "test_drive",
            |i| t_string!(i, bin.types.test_drive).to_string(),
            |_, r| page("test-drives", r),
        )
    },
    Kind {
        short_label: Some(|i| t_string!(i, kpi.kinds.order).to_string()),
        counted: |l, r| card_record_counted(l, r, "signed_at"),
        missing: missing(
            |i| t_string!(i, order.not_found).to_string(),
            "/sales/orders",
            |i| t_string!(i, order.back).to_string(),
        ),
        ..plain(
            "order",
            |i| t_string!(i, bin.types.order).to_string(),
            |_, r| page("orders", r),
        )
    },
    Kind {
        missing: missing(
            |i| t_string!(i, delivery.c_card_not_found).to_string(),
            "/sales/orders",
            |i| t_string!(i, order.back).to_string(),
        ),
        ..plain(
            "c_card",
            |i| t_string!(i, bin.types.c_card).to_string(),
            |_, r| page("c-cards", r),
        )
    },
    plain(
        "care_task",
        |i| t_string!(i, bin.types.care_task).to_string(),
        no_href,
    ),
    Kind {
        short_label: Some(|i| t_string!(i, kpi.kinds.key_account).to_string()),
        counted: |_, r| text(r, "name"),
        missing: missing(
            |i| t_string!(i, key_account.not_found).to_string(),
            "/sales/key-accounts",
            |i| t_string!(i, key_account.back).to_string(),
        ),
        ..plain(
            "key_account",
            |i| t_string!(i, bin.types.key_account).to_string(),
            |_, r| page("key-accounts", r),
        )
    },
    plain(
        "sales_settings",
        |i| t_string!(i, bin.types.sales_settings).to_string(),
        no_href,
    ),
    plain(
        "reception_rota",
        |i| t_string!(i, bin.types.reception_rota).to_string(),
        no_href,
    ),
];
