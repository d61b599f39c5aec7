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

use super::data;
use super::words::{arrival_text, hm, status_text};
use crate::clock::{now_local, today};
use crate::i18n::*;
use crate::ui::labels::who;
use crate::ui::panel::Panel;

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
    view! {
        <Panel id="svc-board-title" page=true title=move || t!(i18n, svc_desk.board.title) actions=move || view! {
            <A href="/service/appointments/new" attr:class="btn btn-primary">{t!(i18n, svc_desk.board.book)}</A>
            " "
            <A href="/service/reception" attr:class="btn btn-secondary">{t!(i18n, svc_desk.board.walk_in)}</A>
        }>
            <p class="muted">{move || t_string!(i18n, svc_desk.board.hint)}</p>
        </Panel>
        <Panel id="svc-today-title" title=move || t!(i18n, svc_desk.board.today)>
            {move || {
                let now = now_local();
                let Some(rows) = todays.get() else {
                    return view! { <p class="muted" role="status">{t!(i18n, loading)}</p> }.into_any();
                };
                if rows.is_empty() {
                    return view! { <p class="muted">{t!(i18n, svc_desk.board.no_appointments)}</p> }.into_any();
                }
                view! {
                    <div class="table-wrap">
                        <table class="table svc-appointments">
                            <thead>
                                <tr>
                                    <th>{t!(i18n, svc_desk.board.time)}</th>
                                    <th>{t!(i18n, svc_desk.board.customer)}</th>
                                    <th>{t!(i18n, svc_desk.board.plate)}</th>
                                    <th>{t!(i18n, svc_desk.board.service)}</th>
                                    <th>{t!(i18n, svc_desk.board.advisor)}</th>
                                    <th>{t!(i18n, svc_desk.board.arrival)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows.into_iter().map(|a| {
                                    let arrival = board_arrival(a.status, a.slot_at, now);
                                    let href = format!("/service/appointments/{}", a.id);
                                    view! {
                                        <tr>
                                            <th scope="row"><A href=href>{hm(a.slot_at)}</A></th>
                                            <td>{a.customer_name.clone()}</td>
                                            <td>{a.plate.clone()}</td>
                                            <td>{a.service_wanted.clone()}</td>
                                            <td>{who(&a.advisor_id)}</td>
                                            <td><span class=arrival_class(arrival)>{arrival_text(i18n, arrival)}</span></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </Panel>
        <Panel id="svc-open-title" title=move || t!(i18n, svc_desk.board.open_ros)>
            {move || {
                let now = now_local();
                let Some(mut rows) = open.get() else {
                    return view! { <p class="muted" role="status">{t!(i18n, loading)}</p> }.into_any();
                };
                if rows.is_empty() {
                    return view! { <p class="muted">{t!(i18n, svc_desk.board.no_ros)}</p> }.into_any();
                }
                let order = |s: RoStatus| RoStatus::ALL.iter().position(|x| *x == s).unwrap_or(0);
                rows.sort_by(|a, b| order(a.status).cmp(&order(b.status)).then(a.promised_at.cmp(&b.promised_at)));
                view! {
                    <div class="table-wrap">
                        <table class="table svc-ros">
                            <thead>
                                <tr>
                                    <th>{t!(i18n, svc_desk.board.plate)}</th>
                                    <th>{t!(i18n, svc_desk.board.customer)}</th>
                                    <th>{t!(i18n, svc_desk.board.status)}</th>
                                    <th>{t!(i18n, svc_desk.board.advisor)}</th>
                                    <th>{t!(i18n, svc_desk.board.promised)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows.into_iter().map(|r| {
                                    let risk = promise_risk(r.status, r.promised_at, now);
                                    let href = format!("/service/ro/{}", r.id);
                                    let plate = r.plate.clone().unwrap_or_else(|| r.id.to_string());
                                    let badge = match risk {
                                        PromiseRisk::AtRisk => Some(("badge badge-warn", t_string!(i18n, svc_desk.board.at_risk))),
                                        PromiseRisk::Missed => Some(("badge badge-late", t_string!(i18n, svc_desk.board.missed))),
                                        PromiseRisk::None => None,
                                    };
                                    view! {
                                        <tr class=(risk != PromiseRisk::None).then_some("svc-risk")>
                                            <th scope="row"><A href=href>{plate}</A></th>
                                            <td>{r.customer_name.clone().unwrap_or_default()}</td>
                                            <td>
                                                {status_text(i18n, r.status)}
                                                {hold.get().contains(&r.id).then(|| view! { " " <crate::parts::board::HoldBadge /> })}
                                            </td>
                                            <td>{who(r.advisor_id.as_deref().unwrap_or_default())}</td>
                                            <td>
                                                {hm(r.promised_at)}
                                                {badge.map(|(c, w)| view! { " " <span class=c>{w}</span> })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
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
