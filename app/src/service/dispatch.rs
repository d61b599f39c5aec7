//! `/service/dispatch` (派工): the advisor's and the workshop manager's board. The jobs no
//! technician has yet; each technician with his jobs, open hours and clocked hours (actual
//! against sold); jobs of ROs about to miss their promised time marked 即将超时
//! (`domain::service::workshop::board`); assign or re-assign a job (`dispatch_plan`: the RO goes
//! into work with its first dispatch); the added work waiting for the customer's decision
//! (decided on the RO's page, `super::estimate::ApprovalPanel`); the cars on the floor with their progress link ([`StatusLink`]).

use domain::service::plan::dispatch_plan;
use domain::service::repair_order::LineState;
use domain::service::workshop::{JobRow, board};
use leptos::prelude::*;
use leptos_router::components::A;

use super::floor::{
    Floor, hours, job_words, line_words, ro_status_words, short_time, technicians, use_floor,
};
use super::status_link::StatusLink;
use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::alert::Alert;
use crate::ui::edit::use_edit;
use crate::ui::field::Select;
use crate::ui::labels::who;
use crate::ui::panel::Panel;

/// The 即将超时 mark of a job whose RO is about to miss its promise.
fn risk(i18n: I18nContext<Locale>, j: &JobRow) -> impl IntoView + use<> {
    j.at_risk.then(|| {
        view! { <span class="badge badge-warn at-risk">{t_string!(i18n, svc_shop.dispatch.at_risk)}</span> }
    })
}

/// One job with its technician select and 派工.
#[component]
fn JobItem(job: JobRow) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let floor = use_context::<Memo<Floor>>();
    let chosen = RwSignal::new(job.technician_id.clone().unwrap_or_default());
    let options = Signal::derive(|| {
        technicians()
            .into_iter()
            .map(|p| (p.id, p.display_name))
            .collect::<Vec<_>>()
    });
    let (line, ro) = (job.line_id, job.ro_id);
    let assign = move |_| {
        let tech = chosen.get_untracked();
        if tech.is_empty() {
            edit.fail(t_string!(i18n, svc_shop.dispatch.need_technician));
            return;
        }
        let status = floor
            .and_then(|f| f.with_untracked(|f| f.ro(ro).map(|r| r.status)))
            .unwrap_or(job.ro_status);
        let plan = dispatch_plan(ro, status, &[line], &tech);
        edit.run(async move { sync.execute(&plan).await }, |_| {});
    };
    let worked = format!(
        "{} / {}",
        hours(i18n, job.worked_minutes),
        hours(i18n, job.sold_minutes())
    );
    let pending = job.state != LineState::Approved;
    view! {
        <li class="job" class:at-risk=job.at_risk aria-label=format!("{} {}", job.plate, job.description)>
            <div class="job-head">
                <strong class="job-plate">{job.plate.clone()}</strong>
                " "
                <span class="job-description">{job.description.clone()}</span>
                " "
                {risk(i18n, &job)}
            </div>
            <p class="muted small">
                <span class="job-state">{job_words(i18n, &job)}</span>
                {pending.then(|| format!(" · {}", line_words(i18n, job.state)))}
                " · "
                {t!(i18n, svc_shop.dispatch.worked)}
                " "
                {worked}
                " · "
                {t!(i18n, svc_shop.dispatch.promised)}
                " "
                {short_time(job.promised_at)}
            </p>
            <div class="inline-form">
                <Select id=format!("assign-{line}") value=chosen options=options
                    blank=Signal::derive(move || t_string!(i18n, svc_shop.dispatch.choose).to_string())>
                    {t!(i18n, svc_shop.dispatch.technician)}
                </Select>
                <button type="button" class="btn btn-secondary" disabled=move || edit.busy.get() on:click=assign>
                    {t!(i18n, svc_shop.dispatch.assign)}
                </button>
            </div>
            <Alert message=edit.error />
        </li>
    }
}

#[component]
pub fn DispatchPage() -> impl IntoView {
    let i18n = use_i18n();
    let floor = use_floor();
    provide_context(floor);
    let board = Memo::new(move |_| {
        let ids: Vec<String> = technicians().into_iter().map(|p| p.id).collect();
        floor.with(|f| board(&ids, &f.jobs))
    });
    let open = move || {
        let jobs = board.with(|b| b.1.clone());
        if floor.with(|f| !f.loaded) {
            return view! { <p class="muted" role="status">{t!(i18n, loading)}</p> }.into_any();
        }
        if jobs.is_empty() {
            return view! { <p class="muted">{t!(i18n, svc_shop.dispatch.none_open)}</p> }
                .into_any();
        }
        view! {
            <ul class="jobs open-jobs">
                {jobs.into_iter().map(|job| view! { <JobItem job=job /> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    let rows = move || {
        let rows = board.with(|b| b.0.clone());
        if rows.is_empty() {
            return view! { <p class="muted">{t!(i18n, svc_shop.dispatch.no_technicians)}</p> }
                .into_any();
        }
        rows.into_iter()
            .map(|row| {
                let name = who(&row.technician_id);
                let figures = format!(
                    "{} {} · {} {}",
                    t_string!(i18n, svc_shop.dispatch.open_hours),
                    hours(i18n, row.open_minutes),
                    t_string!(i18n, svc_shop.dispatch.worked),
                    hours(i18n, row.worked_minutes)
                );
                let jobs = if row.jobs.is_empty() {
                    view! { <p class="muted small">{t!(i18n, svc_shop.dispatch.no_jobs)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="jobs">
                            {row.jobs.into_iter().map(|job| view! { <JobItem job=job /> }).collect_view()}
                        </ul>
                    }
                    .into_any()
                };
                view! {
                    <section class="technician" aria-label=name.clone()>
                        <h3>
                            {name.clone()}
                            {row.busy.then(|| view! { <span class="badge">{t_string!(i18n, svc_shop.dispatch.running)}</span> })}
                        </h3>
                        <p class="muted small">{figures}</p>
                        {jobs}
                    </section>
                }
            })
            .collect_view()
            .into_any()
    };
    let added = move || {
        let waiting: Vec<(domain::records::service::RoLine, String, String)> = floor.with(|f| {
            f.lines
                .iter()
                .filter(|l| {
                    l.decision.is_none()
                        && l.origin == domain::service::repair_order::LineOrigin::AddedWork
                })
                .map(|l| {
                    let plate = l
                        .ro_id
                        .and_then(|id| f.ro(id))
                        .and_then(|r| r.plate.clone())
                        .unwrap_or_default();
                    // The finding that proposed it, from the line it was found on.
                    let finding = f
                        .lines
                        .iter()
                        .flat_map(|o| o.findings.iter())
                        .find(|x| x.text("line_id") == Some(l.id.to_string().as_str()))
                        .and_then(|x| x.text("text").map(str::to_owned))
                        .unwrap_or_default();
                    (l.clone(), plate, finding)
                })
                .collect()
        });
        if waiting.is_empty() {
            return view! { <p class="muted">{t!(i18n, svc_shop.dispatch.none_added)}</p> }
                .into_any();
        }
        view! {
            <ul class="added-work">
                {waiting
                    .into_iter()
                    .map(|(l, plate, finding)| {
                        let what = l.description.clone().unwrap_or_default();
                        let label = format!("{plate} {what}");
                        let hrs = l.std_centihours.map(|ch| hours(i18n, (ch * 60 + 50) / 100)).unwrap_or_default();
                        view! {
                            <li class="added-line" aria-label=label>
                                <p>
                                    <strong>{plate}</strong>" "{what.clone()}" "<span class="muted">{hrs}</span>
                                </p>
                                {(!finding.is_empty()).then(|| view! {
                                    <p class="muted small">{t!(i18n, svc_shop.decision.finding)}":"{finding}</p>
                                })}
                                {l.ro_id.map(|ro| view! {
                                    <A href=format!("/service/ro/{ro}")>{t!(i18n, svc_shop.dispatch.to_ro)}</A>
                                })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    let cars = move || {
        let ros = floor.with(|f| f.ros.clone());
        if floor.with(|f| !f.loaded) {
            return view! { <p class="muted" role="status">{t!(i18n, loading)}</p> }.into_any();
        }
        if ros.is_empty() {
            return view! { <p class="muted">{t!(i18n, svc_shop.dispatch.none_cars)}</p> }
                .into_any();
        }
        view! {
            <ul class="cars">
                {ros.into_iter()
                    .map(|r| {
                        view! {
                            <li>
                                <details>
                                    <summary>
                                        <strong>{r.plate.clone().unwrap_or_default()}</strong>
                                        " · "{ro_status_words(i18n, r.status)}
                                        " · "{t!(i18n, svc_shop.dispatch.promised)}" "{short_time(r.promised_at)}
                                    </summary>
                                    <h4>{t!(i18n, svc_shop.status.title)}</h4>
                                    <StatusLink ro_id=r.id />
                                </details>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <Panel id="dispatch-title" page=true title=move || t!(i18n, svc_shop.dispatch.title)>
            <Panel id="open-jobs-title" title=move || t!(i18n, svc_shop.dispatch.open_jobs)>{open}</Panel>
            <Panel id="technicians-title" title=move || t!(i18n, svc_shop.dispatch.technicians)>{rows}</Panel>
            <Panel id="added-work-title" title=move || t!(i18n, svc_shop.dispatch.added_work)>{added}</Panel>
            <Panel id="cars-title" title=move || t!(i18n, svc_shop.dispatch.cars)>{cars}</Panel>
        </Panel>
    }
}
