//! `/service/qc` (质检): the QC inspector's list of cars in the workshop, three levels — initial
//! (before work), in process, final (when the technician handed the car to QC). A check is
//! recorded with `qc_plan`: a failed check needs its reason and, at the QC step, sends the car
//! back to work (counted as rework); a passed final check makes it ready for handover. The level
//! offered first is `domain::service::workshop::next_qc_stage`.

use domain::records::service::RepairOrder;
use domain::service::plan::qc_plan;
use domain::service::repair_order::{QcCheck, QcStage, RoStatus, rework_count};
use domain::service::workshop::next_qc_stage;
use leptos::prelude::*;
use uuid::Uuid;

use super::floor::{ro_status_words, short_time, use_floor};
use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::alert::Alert;
use crate::ui::edit::use_edit;
use crate::ui::field::{Select, TextField};
use crate::ui::labels::who;
use crate::ui::panel::Panel;

fn stage_words(i18n: I18nContext<Locale>, s: QcStage) -> &'static str {
    match s {
        QcStage::Initial => t_string!(i18n, svc_shop.qc.initial),
        QcStage::InProcess => t_string!(i18n, svc_shop.qc.in_process),
        QcStage::Final => t_string!(i18n, svc_shop.qc.final_check),
    }
}

/// The statuses whose cars the QC inspector checks.
const CHECKED: [RoStatus; 3] = [RoStatus::Approved, RoStatus::InWork, RoStatus::Qc];

/// The check form of RO `ro_id` at `status`, offering `stage` first.
#[component]
fn QcForm(ro_id: Uuid, status: RoStatus, stage: QcStage) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let level = RwSignal::new(stage.as_str().to_string());
    let reason = RwSignal::new(String::new());
    let options = Signal::derive(move || {
        [QcStage::Initial, QcStage::InProcess, QcStage::Final]
            .into_iter()
            .map(|s| (s.as_str().to_string(), stage_words(i18n, s).to_string()))
            .collect::<Vec<_>>()
    });
    let record = move |passed: bool| {
        let stage = QcStage::parse(&level.get_untracked()).unwrap_or(stage);
        let plan = qc_plan(ro_id, status, stage, passed, &reason.get_untracked());
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            reason.set(String::new())
        });
    };
    view! {
        <div class="form qc-form">
            <Select id=format!("qc-stage-{ro_id}") value=level options=options>{t!(i18n, svc_shop.qc.stage)}</Select>
            <TextField id=format!("qc-reason-{ro_id}") value=reason autocomplete="off">{t!(i18n, svc_shop.qc.reason)}</TextField>
            <Alert message=edit.error />
            <div class="actions">
                <button type="button" class="btn btn-primary" disabled=move || edit.busy.get() on:click=move |_| record(true)>
                    {t!(i18n, svc_shop.qc.pass)}
                </button>
                <button type="button" class="btn btn-danger" disabled=move || edit.busy.get() on:click=move |_| record(false)>
                    {t!(i18n, svc_shop.qc.fail)}
                </button>
            </div>
        </div>
    }
}

fn checks_view(i18n: I18nContext<Locale>, checks: &[QcCheck]) -> impl IntoView + use<> {
    let rows = checks
        .iter()
        .rev()
        .map(|c| {
            let result = if c.passed {
                t_string!(i18n, svc_shop.qc.pass)
            } else {
                t_string!(i18n, svc_shop.qc.fail)
            };
            let line = format!(
                "{} · {} · {}{}",
                stage_words(i18n, c.stage),
                result,
                who(&c.inspector_id),
                c.reason
                    .as_deref()
                    .map(|r| format!(" · {r}"))
                    .unwrap_or_default()
            );
            view! { <li class="qc-check" class:failed=!c.passed>{line}" "<span class="muted small">{short_time(c.at)}</span></li> }
        })
        .collect_view();
    (!checks.is_empty()).then(|| view! { <ul class="qc-checks">{rows}</ul> })
}

#[component]
pub fn QcPage() -> impl IntoView {
    let i18n = use_i18n();
    let floor = use_floor();
    let cars = move || {
        let list: Vec<(RepairOrder, bool)> = floor.with(|f| {
            let mut ros: Vec<(RepairOrder, bool)> = f
                .ros
                .iter()
                .filter(|r| CHECKED.contains(&r.status))
                .map(|r| {
                    (
                        r.clone(),
                        f.jobs.iter().any(|j| j.ro_id == r.id && j.started),
                    )
                })
                .collect();
            // The cars waiting at QC first.
            ros.sort_by_key(|(r, _)| (r.status != RoStatus::Qc, r.promised_at));
            ros
        });
        if floor.with(|f| !f.loaded) {
            return view! { <p class="muted" role="status">{t!(i18n, loading)}</p> }.into_any();
        }
        if list.is_empty() {
            return view! { <p class="muted">{t!(i18n, svc_shop.qc.none)}</p> }.into_any();
        }
        list.into_iter()
            .map(|(ro, started)| {
                let plate = ro.plate.clone().unwrap_or_default();
                let rework = format!(
                    "{} {}",
                    t_string!(i18n, svc_shop.qc.rework),
                    rework_count(&ro.qc_checks)
                );
                view! {
                    <section class="car qc-car" aria-label=plate.clone()>
                        <h2>
                            {plate.clone()}
                            " "
                            <span class="muted small">{ro_status_words(i18n, ro.status)}</span>
                        </h2>
                        <p class="muted small">
                            {t!(i18n, svc_shop.dispatch.promised)}" "{short_time(ro.promised_at)}" · "{rework}
                        </p>
                        {checks_view(i18n, &ro.qc_checks)}
                        <QcForm ro_id=ro.id status=ro.status stage=next_qc_stage(ro.status, started) />
                    </section>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <Panel id="qc-title" page=true title=move || t!(i18n, svc_shop.qc.title)>
            {cars}
        </Panel>
    }
}
