//! 售后: the seven-step service process (appointment to follow-up call). One file per
//! workflow: the advisor's board ([`board`]), booking ([`booking`]), reception at the car
//! ([`reception`]), the repair order's page with its estimate, approval, print and handover
//! ([`ro_page`], [`estimate`], [`print`], [`handover`]), the price list ([`settings`]); reads in
//! [`data`]. The workshop: the dispatch board ([`dispatch`]), the technician's jobs ([`my_jobs`]), QC
//! ([`qc`]), reading ROs and lines through [`floor`]; the progress link ([`status_link`]). Every page sits under [`ServiceLayout`]
//! (the service sub-navigation).

pub mod board;
pub mod booking;
pub mod car_outline;
pub mod data;
pub mod dispatch;
pub mod estimate;
pub mod floor;
pub mod handover;
pub mod kinds;
pub mod my_jobs;
pub mod print;
pub mod qc;
pub mod reception;
pub mod ro_page;
pub mod settings;
pub mod status_link;
pub mod words;

use leptos::prelude::*;

use crate::i18n::*;
use crate::ui::sub_nav::{NavEntry, SubNav};

/// The frame of every `/service/*` page: the sub-navigation, then the page.
#[component]
pub fn ServiceLayout() -> impl IntoView {
    let manager = Memo::new(move |_| data::is_service_manager());
    let entries = vec![
        NavEntry::all("/service", |i| t_string!(i, svc_desk.nav.board).to_string()),
        NavEntry::all("/service/appointments/new", |i| {
            t_string!(i, svc_desk.nav.book).to_string()
        }),
        NavEntry::all("/service/reception", |i| {
            t_string!(i, svc_desk.nav.reception).to_string()
        }),
        NavEntry::all("/service/dispatch", |i| {
            t_string!(i, svc_shop.nav.dispatch).to_string()
        }),
        NavEntry::all("/service/jobs", |i| {
            t_string!(i, svc_shop.nav.jobs).to_string()
        }),
        NavEntry::all("/service/qc", |i| t_string!(i, svc_shop.nav.qc).to_string()),
        NavEntry::managers("/service/settings", |i| {
            t_string!(i, svc_desk.nav.settings).to_string()
        }),
        // The parts desk, for the manager (the parts clerk has it in the main navigation).
        NavEntry::managers("/parts", |i| t_string!(i, parts.title).to_string()),
    ];
    view! {
        <SubNav
            label=|i| t_string!(i, svc_desk.nav.label).to_string()
            entries=entries
            manager=manager
        />
    }
}
