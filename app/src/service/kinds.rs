//! The service record types as the shared screens (conflicts, the bin, history) show them: one
//! [`Kind`] each. A new service record type is one more entry in [`KINDS`].

use domain::service::appointment::AppointmentStatus;
use domain::service::repair_order::RoStatus;
use domain::sync::RecordState;

use crate::i18n::*;
use crate::ui::kinds::{
    Kind, Look, default_title, joined, joined_or_id, no_field_label, no_value_text, text,
};
use crate::ui::labels::{shown_time, who};

words! {
    fn appointment_field(field: &str) -> Option<String> {
        "customer_name" => service.fields.customer_name,
        "phone" => service.fields.phone,
        "plate" => service.fields.plate,
        "vin" => service.fields.vin,
        "service_wanted" => service.fields.service_wanted,
        "slot_at" => service.fields.slot_at,
        "advisor_id" => service.fields.advisor_id,
        "status" => service.fields.status,
        "no_show_reason" => service.fields.no_show_reason,
        "notes" => service.fields.notes,
    }
}

fn appointment_value(i18n: I18nContext<Locale>, field: &str, value: &str) -> Option<String> {
    match field {
        "status" => AppointmentStatus::parse(value).map(|s| {
            if i18n.get_locale_untracked() == Locale::en {
                s.label_en().to_string()
            } else {
                s.label_zh().to_string()
            }
        }),
        "advisor_id" => Some(who(value)),
        "slot_at" => Some(shown_time(value)),
        _ => None,
    }
}

/// An appointment as a person finds it in a list: slot, customer, plate, advisor.
fn appointment_summary(_: &Look, r: &RecordState) -> String {
    joined(vec![
        shown_time(&text(r, "slot_at")),
        text(r, "customer_name"),
        text(r, "plate"),
        who(&text(r, "advisor_id")),
    ])
}

/// The customer and the plate, else the id.
fn appointment_title(r: &RecordState) -> String {
    joined_or_id(vec![text(r, "customer_name"), text(r, "plate")], r)
}

words! {
    fn repair_order_field(field: &str) -> Option<String> {
        "customer_name" => service.fields.customer_name,
        "phone" => service.fields.phone,
        "plate" => service.fields.plate,
        "vin" => service.fields.vin,
        "advisor_id" => service.fields.advisor_id,
        "status" => service.fields.status,
        "complaint" => service.fields.complaint,
        "customer_words" => service.fields.customer_words,
        "odometer" => service.fields.odometer,
        "promised_at" => service.fields.promised_at,
    }
}

fn repair_order_value(i18n: I18nContext<Locale>, field: &str, value: &str) -> Option<String> {
    match field {
        // The status words are Chinese only until the service screens bring their English.
        "status" if i18n.get_locale_untracked() != Locale::en => {
            RoStatus::parse(value).map(|s| s.label_zh().to_string())
        }
        "advisor_id" => Some(who(value)),
        "promised_at" | "received_at" | "handed_over_at" => Some(shown_time(value)),
        _ => None,
    }
}

/// A repair order as a person finds it in a list: plate, customer, advisor.
fn repair_order_summary(_: &Look, r: &RecordState) -> String {
    joined(vec![
        text(r, "plate"),
        text(r, "customer_name"),
        who(&text(r, "advisor_id")),
    ])
}

fn repair_order_title(r: &RecordState) -> String {
    appointment_title(r)
}

words! {
    fn ro_line_field(field: &str) -> Option<String> {
        "description" => service.fields.description,
        "std_hours" => service.fields.std_hours,
        "qty" => service.fields.qty,
        "unit_price_fen" => service.fields.unit_price_fen,
        "technician_id" => service.fields.technician_id,
    }
}

/// A line by its work, else its code, else its id.
fn ro_line_title(r: &RecordState) -> String {
    ["description", "code"]
        .into_iter()
        .map(|f| text(r, f))
        .find(|s| !s.trim().is_empty())
        .unwrap_or_else(|| r.id.to_string())
}

fn ro_line_summary(_: &Look, r: &RecordState) -> String {
    ro_line_title(r)
}

fn settings_summary(_: &Look, _: &RecordState) -> String {
    String::new()
}

words! {
    fn history_field(field: &str) -> Option<String> {
        "vin" => import.fields_more.vin,
        "plate" => import.fields_more.plate,
        "date" => import.fields_more.hist_date,
        "odometer" => import.fields_more.odometer,
        "ro_number" => import.fields_more.ro_number,
        "kind" => import.fields_more.kind,
        "amount" => import.fields_more.amount,
        "advisor" => import.fields_more.advisor,
        "note" => import.fields_more.note,
    }
}

fn history_value(i18n: I18nContext<Locale>, field: &str, value: &str) -> Option<String> {
    let kind = domain::records::HistoryKind::parse(value).filter(|_| field == "kind")?;
    Some(if i18n.get_locale_untracked() == Locale::en {
        kind.label_en().to_string()
    } else {
        kind.label_zh().to_string()
    })
}

/// A past service by its date, vehicle and RO number.
fn history_title(r: &RecordState) -> String {
    joined_or_id(
        vec![
            text(r, "date"),
            text(r, "plate"),
            text(r, "vin"),
            text(r, "ro_number"),
        ],
        r,
    )
}

fn history_summary(_: &Look, r: &RecordState) -> String {
    history_title(r)
}

/// The service record types.
// The service screens (and the record pages' "not found" words) come with the service lane:
// no page nor short name of their own here.
pub static KINDS: [Kind; 5] = [
    Kind::worded(
        "appointment",
        |i| t_string!(i, service.kinds.appointment).to_string(),
        appointment_title,
        appointment_summary,
        appointment_field,
        appointment_value,
    ),
    Kind::worded(
        "repair_order",
        |i| t_string!(i, service.kinds.repair_order).to_string(),
        repair_order_title,
        repair_order_summary,
        repair_order_field,
        repair_order_value,
    ),
    Kind::worded(
        "ro_line",
        |i| t_string!(i, service.kinds.ro_line).to_string(),
        ro_line_title,
        ro_line_summary,
        ro_line_field,
        no_value_text,
    ),
    Kind::worded(
        "service_settings",
        |i| t_string!(i, service.kinds.service_settings).to_string(),
        default_title,
        settings_summary,
        no_field_label,
        no_value_text,
    ),
    Kind::worded(
        "service_history",
        |i| t_string!(i, import.history_title).to_string(),
        history_title,
        history_summary,
        history_field,
        history_value,
    ),
];
