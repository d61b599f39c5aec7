//! `/service/jobs` (我的作业): the technician's tablet. The jobs dispatched to me, by car; per
//! job the clock — 开工 / 暂停 / 完工 (`clock_plan`; the buttons follow
//! `domain::service::workshop::clock_actions`), clocked against sold hours; a line the customer
//! has not approved cannot be clocked on, and the domain's refusal is shown in its words
//! (客户未确认的项目不能开工); a finding, with photos taken on the tablet, becomes a proposed
//! line (增项, `added_work_plan`); and
//! 交质检 once every approved job of the car is clocked off (`ready_for_qc`).

use domain::plan::{Plan, PlannedWrite, Step};
use domain::records::service::REPAIR_ORDER;
use domain::service::plan::{NewLine, added_work_plan, clock_plan};
use domain::service::repair_order::{ClockEvent, LineKind, LineState, RoStatus};
use domain::service::workshop::{JobRow, clock_actions, ready_for_qc};
use leptos::prelude::*;
use uuid::Uuid;

use super::floor::{Floor, hours, job_words, line_words, ro_status_words, short_time, use_floor};
use crate::i18n::*;
use crate::session::use_me;
use crate::sync::use_sync;
use crate::ui::alert::{Alert, Notice};
use crate::ui::blob_image::BlobImage;
use crate::ui::edit::use_edit;
use crate::ui::field::{NumberField, TextArea, TextField};
use crate::ui::panel::Panel;
use crate::ui::photo::PhotoInput;

fn clock_words(i18n: I18nContext<Locale>, e: ClockEvent) -> &'static str {
    match e {
        ClockEvent::On => t_string!(i18n, svc_shop.jobs.clock_on),
        ClockEvent::Pause => t_string!(i18n, svc_shop.jobs.pause),
        ClockEvent::Off => t_string!(i18n, svc_shop.jobs.clock_off),
    }
}

/// A finding on job `line_id` proposed as a new labour line (增项).
#[component]
fn FindingForm(ro_id: Uuid, line_id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let finding = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let std_hours = RwSignal::new(String::new());
    let photos = RwSignal::new(Vec::<String>::new());
    let done = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (text, what) = (
            finding.get_untracked().trim().to_string(),
            description.get_untracked().trim().to_string(),
        );
        if text.is_empty() || what.is_empty() {
            edit.fail(t_string!(i18n, svc_shop.jobs.need_finding));
            return;
        }
        let raw = std_hours.get_untracked();
        let hours = match raw.trim() {
            "" => None,
            h => match h.parse::<f64>() {
                Ok(h) if (0.0..=100.0).contains(&h) => Some(h),
                _ => {
                    edit.fail(t_string!(i18n, svc_shop.jobs.need_hours));
                    return;
                }
            },
        };
        let line = NewLine {
            line_id: Uuid::now_v7(),
            kind: LineKind::Labour,
            code: String::new(),
            description: what,
            std_hours: hours,
            qty: None,
            unit_price_fen: None,
        };
        let plan = added_work_plan(ro_id, Some(line_id), &text, &photos.get_untracked(), &line);
        done.set(None);
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            finding.set(String::new());
            description.set(String::new());
            std_hours.set(String::new());
            photos.set(Vec::new());
            done.set(Some(t_string!(i18n, svc_shop.jobs.proposed).to_string()));
        });
    };
    let id = |f: &str| format!("finding-{f}-{line_id}");
    view! {
        <details class="finding">
            <summary>{t!(i18n, svc_shop.jobs.finding)}</summary>
            <form class="form" on:submit=submit novalidate>
                <TextArea id=id("text") value=finding>{t!(i18n, svc_shop.jobs.finding_text)}</TextArea>
                <TextField id=id("line") value=description autocomplete="off">{t!(i18n, svc_shop.jobs.line_description)}</TextField>
                <NumberField id=id("hours") value=std_hours decimal=true min="0" step="0.1">{t!(i18n, svc_shop.jobs.std_hours)}</NumberField>
                <div class="svc-photo-list">
                    {move || photos.get().into_iter().map(|id| view! {
                        <BlobImage id=id alt=move || t_string!(i18n, svc_shop.jobs.photos).to_string() />
                    }).collect_view()}
                </div>
                <PhotoInput
                    id=id("photo")
                    label=move || t_string!(i18n, svc_shop.jobs.photos)
                    on_photo=move |id: String| photos.update(|p| p.push(id))
                    disabled=Signal::derive(move || edit.busy.get())
                />
                <Alert message=edit.error />
                <Notice message=done class="notice notice-ok" />
                <button type="submit" class="btn btn-secondary" disabled=move || edit.busy.get()>
                    {t!(i18n, svc_shop.jobs.propose)}
                </button>
            </form>
        </details>
    }
}

/// One of my jobs: its figures, its clock and the finding form.
#[component]
fn JobCard(job: JobRow) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let floor = expect_context::<Memo<Floor>>();
    let line_id = job.line_id;
    // The findings already proposed on this job (they stay when the list is drawn again).
    let findings: Vec<String> = floor.with_untracked(|f| {
        f.line(line_id)
            .map(|l| {
                l.findings
                    .iter()
                    .filter_map(|x| x.text("text").map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    });
    let actions = floor.with_untracked(|f| {
        f.line(line_id)
            .map(|l| clock_actions(&l.job))
            .unwrap_or_default()
    });
    let press = move |e: ClockEvent| {
        let plan = clock_plan(line_id, e, Uuid::now_v7());
        edit.run(async move { sync.execute(&plan).await }, |_| {});
    };
    let buttons = actions
        .into_iter()
        .map(|e| {
            let class = if e == ClockEvent::On { "btn btn-primary" } else { "btn btn-secondary" };
            view! {
                <button type="button" class=class disabled=move || edit.busy.get() on:click=move |_| press(e)>
                    {clock_words(i18n, e)}
                </button>
            }
        })
        .collect_view();
    let figures = format!(
        "{} {} / {}",
        t_string!(i18n, svc_shop.jobs.sold_vs_actual),
        hours(i18n, job.worked_minutes),
        hours(i18n, job.sold_minutes())
    );
    let pending = job.state != LineState::Approved;
    let at_qc = job.ro_status != RoStatus::InWork && job.ro_status != RoStatus::Approved;
    view! {
        <li class="job my-job" aria-label=job.description.clone()>
            <div class="job-head">
                <span class="job-description">{job.description.clone()}</span>
                " "
                <span class="badge job-state">{job_words(i18n, &job)}</span>
                {pending.then(|| view! { " "<span class="badge badge-warn">{line_words(i18n, job.state)}</span> })}
            </div>
            <p class="muted small">{figures}</p>
            {if at_qc {
                view! { <p class="muted small">{ro_status_words(i18n, job.ro_status)}</p> }.into_any()
            } else {
                view! { <div class="actions clock">{buttons}</div> }.into_any()
            }}
            <Alert message=edit.error />
            {(!findings.is_empty()).then(|| view! {
                <p class="muted small findings">
                    {t!(i18n, svc_shop.jobs.findings)}": "{findings.join("; ")}
                </p>
            })}
            <FindingForm ro_id=job.ro_id line_id=line_id />
        </li>
    }
}

/// 交质检 for RO `ro_id` (the technician hands the car to QC).
#[component]
fn ToQc(ro_id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let hand = move |_| {
        let plan = Plan::new().then(
            PlannedWrite::new(ro_id, &REPAIR_ORDER)
                .with(Step::Move("status", RoStatus::Qc.as_str())),
        );
        edit.run(async move { sync.execute(&plan).await }, |_| {});
    };
    view! {
        <button type="button" class="btn btn-primary" disabled=move || edit.busy.get() on:click=hand>
            {t!(i18n, svc_shop.jobs.to_qc)}
        </button>
        <Alert message=edit.error />
    }
}

#[component]
pub fn MyJobsPage() -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let floor = use_floor();
    provide_context(floor);
    let cars = move || {
        let Some((my_id, _)) = me() else {
            return ().into_any();
        };
        let groups: Vec<(JobRow, Vec<JobRow>, bool)> = floor.with(|f| {
            let mut out: Vec<(JobRow, Vec<JobRow>, bool)> = Vec::new();
            for j in f
                .jobs
                .iter()
                .filter(|j| j.technician_id.as_deref() == Some(my_id.as_str()))
            {
                match out.iter_mut().find(|g| g.0.ro_id == j.ro_id) {
                    Some(g) => g.1.push(j.clone()),
                    None => out.push((
                        j.clone(),
                        vec![j.clone()],
                        ready_for_qc(j.ro_status, &f.jobs_of(j.ro_id)),
                    )),
                }
            }
            out
        });
        if floor.with(|f| !f.loaded) {
            return view! { <p class="muted" role="status">{t!(i18n, loading)}</p> }.into_any();
        }
        if groups.is_empty() {
            return view! { <p class="muted">{t!(i18n, svc_shop.jobs.none)}</p> }.into_any();
        }
        groups
            .into_iter()
            .map(|(first, jobs, qc_ready)| {
                let (ro, plate, status, at_risk) =
                    (first.ro_id, first.plate.clone(), first.ro_status, first.at_risk);
                let promised = short_time(first.promised_at);
                view! {
                    <section class="car" aria-label=plate.clone()>
                        <h2>
                            {plate.clone()}
                            " "
                            <span class="muted small">{ro_status_words(i18n, status)}</span>
                            {at_risk.then(|| view! { " "<span class="badge badge-warn at-risk">{t_string!(i18n, svc_shop.dispatch.at_risk)}</span> })}
                        </h2>
                        <p class="muted small">{t!(i18n, svc_shop.dispatch.promised)}" "{promised}</p>
                        <ul class="jobs">
                            {jobs.into_iter().map(|job| view! { <JobCard job=job /> }).collect_view()}
                        </ul>
                        {qc_ready.then(|| view! { <ToQc ro_id=ro /> })}
                    </section>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <Panel id="my-jobs-title" page=true title=move || t!(i18n, svc_shop.jobs.title)>
            {cars}
        </Panel>
    }
}
