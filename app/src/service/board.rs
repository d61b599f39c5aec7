//! `/service`: the advisor's board (服务顾问看板): today's appointments (arrived, expected,
//! late, 失约), the open repair orders by status with their promised time and the jobs about to
//! miss it (`domain::service::desk::promise_risk`) or waiting for parts (等待配件), tomorrow's
//! appointments whose parts are missing (`crate::parts::board`), and each advisor's load today
//! (12–15 ROs is full: `advisor_loads`).

use domain::service::desk::{
    BoardArrival, PromiseRisk, advisor_loads, board_arrival, promise_risk,
};
use domain::service::repair_order::{AdvisorLoad, RoStatus};
use leptos::prelude::*;
use leptos_router::components::A;

use domain::records::service::RepairOrder;
use serde_json::json;

use super::data::{self, Appointment};
use super::words::{arrival_text, hm, status_text};
use crate::clock::{now_local, today};
use crate::i18n::*;
use crate::ui::export::ExportButton;
use crate::ui::labels::who;
use crate::ui::panel::Panel;
use crate::ui::table::{Column, Columns, DataTable};

fn arrival_class(a: BoardArrival) -> &'static str {
    match a {
        BoardArrival::Arrived => "badge badge-ok",
        BoardArrival::Late | BoardArrival::NoShow => "badge badge-late",
        BoardArrival::Expected => "badge badge-info",
        BoardArrival::Cancelled => "badge badge-muted",
    }
}

words! {
    fn load_text(l: AdvisorLoad) -> String {
        AdvisorLoad::Open => svc_desk.board.load_open,
        AdvisorLoad::Full => svc_desk.board.load_full,
        AdvisorLoad::Over => svc_desk.board.load_over,
    }
}

/// A row of 今日预约: the appointment and its arrival as of when the list was read.
#[derive(Debug, Clone, PartialEq)]
struct ApptRow {
    a: Appointment,
    arrival: BoardArrival,
}

/// A row of the open ROs: the RO, its promise risk, whether it waits for parts.
#[derive(Debug, Clone, PartialEq)]
struct RoRow {
    r: RepairOrder,
    risk: PromiseRisk,
    held: bool,
}

/// 今日预约's columns (the time links to the appointment).
fn today_columns(i18n: I18nContext<Locale>) -> Columns<ApptRow> {
    Columns::new(vec![
        Column::new(
            |i| t_string!(i, svc_desk.board.time),
            |r: &ApptRow| {
                let href = format!("/service/appointments/{}", r.a.id);
                let time = hm(r.a.slot_at);
                view! { <A href=href>{time}</A> }.into_any()
            },
            |r: &ApptRow| json!(hm(r.a.slot_at)),
        )
        .row_header(),
        Column::text(
            |i| t_string!(i, svc_desk.board.customer),
            |r: &ApptRow| r.a.customer_name.clone(),
        ),
        Column::text(
            |i| t_string!(i, svc_desk.board.plate),
            |r: &ApptRow| r.a.plate.clone(),
        ),
        Column::text(
            |i| t_string!(i, svc_desk.board.service),
            |r: &ApptRow| r.a.service_wanted.clone(),
        ),
        Column::text(
            |i| t_string!(i, svc_desk.board.advisor),
            |r: &ApptRow| who(&r.a.advisor_id),
        ),
        Column::new(
            |i| t_string!(i, svc_desk.board.arrival),
            move |r: &ApptRow| {
                view! { <span class=arrival_class(r.arrival)>{arrival_text(i18n, r.arrival)}</span> }
                    .into_any()
            },
            move |r: &ApptRow| json!(arrival_text(i18n, r.arrival)),
        ),
    ])
}

/// The open ROs' columns (the plate links to the RO; 等待配件 and the promise risk as badges).
fn open_columns(i18n: I18nContext<Locale>) -> Columns<RoRow> {
    let plate = |r: &RoRow| r.r.plate.clone().unwrap_or_else(|| r.r.id.to_string());
    let risk = move |r: &RoRow| match r.risk {
        PromiseRisk::AtRisk => Some(("badge badge-warn", t_string!(i18n, svc_desk.board.at_risk))),
        PromiseRisk::Missed => Some(("badge badge-late", t_string!(i18n, svc_desk.board.missed))),
        PromiseRisk::None => None,
    };
    Columns::new(vec![
        Column::new(
            |i| t_string!(i, svc_desk.board.plate),
            move |r: &RoRow| {
                let href = format!("/service/ro/{}", r.r.id);
                let plate = plate(r);
                view! { <A href=href>{plate}</A> }.into_any()
            },
            move |r: &RoRow| json!(plate(r)),
        )
        .row_header(),
        Column::text(
            |i| t_string!(i, svc_desk.board.customer),
            |r: &RoRow| r.r.customer_name.clone().unwrap_or_default(),
        ),
        Column::new(
            |i| t_string!(i, svc_desk.board.status),
            move |r: &RoRow| {
                view! {
                    {status_text(i18n, r.r.status)}
                    {r.held.then(|| view! { " " <crate::parts::board::HoldBadge /> })}
                }
                .into_any()
            },
            move |r: &RoRow| json!(status_text(i18n, r.r.status)),
        ),
        Column::text(
            |i| t_string!(i, svc_desk.board.advisor),
            |r: &RoRow| who(r.r.advisor_id.as_deref().unwrap_or_default()),
        ),
        Column::new(
            |i| t_string!(i, svc_desk.board.promised),
            move |r: &RoRow| {
                view! {
                    {hm(r.r.promised_at)}
                    {risk(r).map(|(c, w)| view! { " " <span class=c>{w}</span> })}
                }
                .into_any()
            },
            move |r: &RoRow| json!(hm(r.r.promised_at)),
        ),
    ])
}

#[component]
pub fn ServiceBoard() -> impl IntoView {
    let i18n = use_i18n();
    // Today's appointments (`by_day`), the open ROs (`by_status`) and those received today
    // (`by_made`): never every record (docs/sync.md, "How a screen reads records").
    let todays = data::use_appointments(move || Some((today(), today())));
    let ros = data::use_repair_orders(data::open_statuses(), move || Some((today(), today())));
    let open = Memo::new(move |_| {
        ros.get().map(|all| {
            all.into_iter()
                .filter(|r| !matches!(r.status, RoStatus::HandedOver | RoStatus::Cancelled))
                .collect::<Vec<_>>()
        })
    });
    let loads = Memo::new(move |_| {
        let day = today();
        let appts = todays.get().unwrap_or_default();
        let ros = ros.get().unwrap_or_default();
        let mut items: Vec<(Option<String>, Option<_>)> = appts
            .iter()
            .filter(|a| {
                a.status != domain::service::appointment::AppointmentStatus::Cancelled
                    && a.status != domain::service::appointment::AppointmentStatus::Arrived
            })
            .map(|a| {
                (
                    Some(a.advisor_id.clone()).filter(|s| !s.is_empty()),
                    a.slot_at,
                )
            })
            .collect();
        items.extend(ros.iter().map(|r| (r.advisor_id.clone(), r.received_at)));
        let borrowed: Vec<(Option<&str>, Option<_>)> =
            items.iter().map(|(a, t)| (a.as_deref(), *t)).collect();
        let advisors: Vec<String> = data::advisors().into_iter().map(|(id, _)| id).collect();
        advisor_loads(day, &advisors, &borrowed)
    });

    let hold = crate::parts::board::use_on_hold();
    // The rows as of now (arrival and promise risk are as of when the list was read).
    let today_rows = Signal::derive(move || {
        let now = now_local();
        todays
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|a| ApptRow {
                arrival: board_arrival(a.status, a.slot_at, now),
                a,
            })
            .collect::<Vec<_>>()
    });
    let open_rows = Signal::derive(move || {
        let now = now_local();
        let held = hold.get();
        let mut rows: Vec<RoRow> = open
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|r| RoRow {
                risk: promise_risk(r.status, r.promised_at, now),
                held: held.contains(&r.id),
                r,
            })
            .collect();
        let order = |s: RoStatus| RoStatus::ALL.iter().position(|x| *x == s).unwrap_or(0);
        rows.sort_by(|a, b| {
            order(a.r.status)
                .cmp(&order(b.r.status))
                .then(a.r.promised_at.cmp(&b.r.promised_at))
        });
        rows
    });
    let today_columns = today_columns(i18n);
    let open_columns = open_columns(i18n);
    let today_export = {
        let columns = today_columns.clone();
        Callback::new(move |()| {
            let title = format!("{} {}", t_string!(i18n, svc_desk.board.today), today());
            columns.export(i18n, title, &today_rows.get_untracked())
        })
    };
    let open_export = {
        let columns = open_columns.clone();
        Callback::new(move |()| {
            let title = format!("{} {}", t_string!(i18n, svc_desk.board.open_ros), today());
            columns.export(i18n, title, &open_rows.get_untracked())
        })
    };
    view! {
        <Panel id="svc-board-title" page=true title=move || t!(i18n, svc_desk.board.title) actions=move || view! {
            <A href="/service/appointments/new" attr:class="btn btn-primary">{t!(i18n, svc_desk.board.book)}</A>
            " "
            <A href="/service/reception" attr:class="btn btn-secondary">{t!(i18n, svc_desk.board.walk_in)}</A>
        }>
            <p class="muted">{move || t_string!(i18n, svc_desk.board.hint)}</p>
        </Panel>
        <Panel id="svc-today-title" title=move || t!(i18n, svc_desk.board.today) actions=move || view! {
            <ExportButton table=today_export />
        }>
            {move || {
                if todays.with(Option::is_none) {
                    return view! { <p class="muted" role="status">{t!(i18n, loading)}</p> }.into_any();
                }
                view! {
                    <DataTable
                        columns=today_columns.clone()
                        rows=today_rows
                        class="svc-appointments"
                        empty=|i| t_string!(i, svc_desk.board.no_appointments)
                    />
                }
                .into_any()
            }}
        </Panel>
        <Panel id="svc-open-title" title=move || t!(i18n, svc_desk.board.open_ros) actions=move || view! {
            <ExportButton table=open_export />
        }>
            {move || {
                if open.with(Option::is_none) {
                    return view! { <p class="muted" role="status">{t!(i18n, loading)}</p> }.into_any();
                }
                view! {
                    <DataTable
                        columns=open_columns.clone()
                        rows=open_rows
                        class="svc-ros"
                        empty=|i| t_string!(i, svc_desk.board.no_ros)
                        row_class=|r: &RoRow| (r.risk != PromiseRisk::None).then_some("svc-risk")
                    />
                }
                .into_any()
            }}
        </Panel>
        <crate::parts::board::TomorrowParts />
        <Panel id="svc-load-title" title=move || t!(i18n, svc_desk.board.load)>
            <ul class="svc-loads">
                {move || loads.get().into_iter().map(|(id, n, load)| {
                    let class = match load {
                        AdvisorLoad::Open => "badge badge-ok",
                        AdvisorLoad::Full => "badge badge-warn",
                        AdvisorLoad::Over => "badge badge-late",
                    };
                    view! {
                        <li>
                            <strong>{who(&id)}</strong>
                            " "
                            {format!("{n} / {}", domain::service::repair_order::ADVISOR_MAX)}
                            " "
                            <span class=class>{load_text(i18n, load)}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </Panel>
    }
}
