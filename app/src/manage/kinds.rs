//! The management record types as the shared screens (conflicts, the bin, the KPI drill-down)
//! show them: the store's monthly costs (`store_costs`, entered on 经营指标) and the import's
//! remembered column mappings (`import_mapping`, written by the server with an import).

use domain::records::costs::StoreCosts;
use domain::service::desk::yuan;
use domain::sync::RecordState;

use crate::i18n::*;
use crate::ui::kinds::{Kind, Look, default_title, no_href, no_value_text};

words! {
    fn costs_field(field: &str) -> Option<String> {
        "month" => gm_kpi.fields.month,
        "fixed_costs_fen" => gm_kpi.fields.fixed_costs_fen,
        "parts_cost_fen" => gm_kpi.fields.parts_cost_fen,
        "note" => gm_kpi.fields.note,
    }
}

/// The month, else the id.
fn costs_title(r: &RecordState) -> String {
    StoreCosts::of(r)
        .map(|c| format!("{:04}-{:02}", c.year, c.month))
        .unwrap_or_else(|| r.id.to_string())
}

/// `2026-11 · ¥38,300.00`: the month and its fixed costs.
fn costs_summary(_: &Look, r: &RecordState) -> String {
    let fixed = StoreCosts::of(r)
        .and_then(|c| c.fixed_costs_fen)
        .map(yuan)
        .unwrap_or_default();
    [costs_title(r), fixed]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

/// `c_cards · 车主姓名, 联系电话, …`: the sheet and its headings.
fn mapping_summary(_: &Look, r: &RecordState) -> String {
    domain::records::import_mapping::ImportMapping::of(r)
        .map(|m| format!("{} · {}", m.sheet, m.columns.join(", ")))
        .unwrap_or_else(|| r.id.to_string())
}

/// The management record types.
pub static KINDS: [Kind; 2] = [
    Kind {
        name: "store_costs",
        label: |i| t_string!(i, gm_kpi.kinds.store_costs).to_string(),
        short_label: None,
        title: costs_title,
        summary: costs_summary,
        counted: costs_summary,
        href: no_href,
        field_label: costs_field,
        value_text: no_value_text,
        missing: None,
    },
    Kind::plain(
        "import_mapping",
        |i| t_string!(i, import_care.kind).to_string(),
        default_title,
        mapping_summary,
    ),
];
