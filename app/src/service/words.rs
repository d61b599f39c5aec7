//! The service screens' shared words: times, statuses, line states, amounts and the error list.

use domain::records::service::RoLine;
use domain::sales::chrono::NaiveDateTime;
use domain::service::desk::{BoardArrival, yuan};
use domain::service::repair_order::{LineKind, LineState, RoStatus, line_amount_fen};
use leptos::prelude::*;

use crate::i18n::*;

/// A time of day as the board shows it.
pub fn hm(t: Option<NaiveDateTime>) -> String {
    t.map(|t| t.format("%H:%M").to_string()).unwrap_or_default()
}

/// A moment as the service screens show it: `YYYY-MM-DD HH:MM`.
pub fn shown(t: Option<NaiveDateTime>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

words! {
    pub fn arrival_text(a: BoardArrival) -> String {
        BoardArrival::Expected => svc_desk.board.expected,
        BoardArrival::Late => svc_desk.board.late,
        BoardArrival::Arrived => svc_desk.board.arrived,
        BoardArrival::NoShow => svc_desk.board.no_show,
        BoardArrival::Cancelled => svc_desk.board.cancelled,
    }
}

words! {
    pub fn status_text(s: RoStatus) -> String {
        RoStatus::Received => svc_desk.status.received,
        RoStatus::Estimated => svc_desk.status.estimated,
        RoStatus::Approved => svc_desk.status.approved,
        RoStatus::InWork => svc_desk.status.in_work,
        RoStatus::Qc => svc_desk.status.qc,
        RoStatus::Ready => svc_desk.status.ready,
        RoStatus::HandedOver => svc_desk.status.handed_over,
        RoStatus::Cancelled => svc_desk.status.cancelled,
    }
}

words! {
    pub fn line_state_text(s: LineState) -> String {
        LineState::Proposed => svc_desk.lines.proposed,
        LineState::AddedWorkProposed => svc_desk.lines.added_proposed,
        LineState::Approved => svc_desk.lines.approved,
        LineState::Declined => svc_desk.lines.declined,
    }
}

words! {
    pub fn kind_text(k: LineKind) -> String {
        LineKind::Labour => svc_desk.lines.labour,
        LineKind::Part => svc_desk.lines.part,
    }
}

/// A line's amount at the store's rate, as shown ("" when a figure is missing).
pub fn line_amount(l: &RoLine, rate: i64) -> String {
    line_amount_fen(l.kind, l.std_centihours, l.qty, l.unit_price_fen, rate)
        .map(yuan)
        .unwrap_or_default()
}

/// Hours as shown: `1.5 h`.
pub fn hours_text(centihours: Option<i64>) -> String {
    centihours
        .map(|c| format!("{} h", c as f64 / 100.0))
        .unwrap_or_default()
}

/// The errors of a form as an alert list.
pub fn error_list(errors: Vec<String>) -> impl IntoView {
    (!errors.is_empty()).then(|| {
        view! {
            <div class="alert" role="alert">
                <ul class="svc-errors">
                    {errors.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
                </ul>
            </div>
        }
    })
}
