//! The service record types as the shared screens (conflicts, the bin, history) show them: one
//! [`Kind`] each. A new service record type is one more entry in [`KINDS`].

use domain::service::appointment::AppointmentStatus;
use domain::sync::RecordState;

use crate::i18n::*;
use crate::ui::kinds::{Kind, Look, no_href, text};
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
    [
        shown_time(&text(r, "slot_at")),
        text(r, "customer_name"),
        text(r, "plate"),
        who(&text(r, "advisor_id")),
    ]
    .into_iter()
    .filter(|p| !p.trim().is_empty())
    .collect::<Vec<_>>()
    .join(" · ")
}

/// The customer and the plate, else the id.
fn appointment_title(r: &RecordState) -> String {
    let title = [text(r, "customer_name"), text(r, "plate")]
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    if title.is_empty() {
        r.id.to_string()
    } else {
        title
    }
}

/// The service record types.
pub static KINDS: [Kind; 1] = [Kind {
    name: "appointment",
    label: |i| t_string!(i, service.kinds.appointment).to_string(),
    short_label: None,
    title: appointment_title,
    summary: appointment_summary,
    counted: appointment_summary,
    href: no_href,
    field_label: appointment_field,
    value_text: appointment_value,
    missing: None,
}];
