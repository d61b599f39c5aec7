//! 交车 on the RO page: once the car passed its final check (待交车) the advisor goes through
//! the settlement with the customer (printed: 结算单), the customer signs, and 交车 records the
//! time, whether the promise was kept (交车时间准确率) and the advisor's follow-up call 48
//! hours later (`handover_plan`). After it, the page shows the result and the call's task.

use domain::records::service::{RepairOrder, RoLine};
use domain::service::desk::{totals, yuan};
use domain::service::plan::{FOLLOW_UP_KIND, Handover, handover_plan};
use domain::service::repair_order::RoStatus;
use leptos::prelude::*;
use uuid::Uuid;

use super::data;
use super::words::error_list;
use super::words::shown;
use crate::clock::now_local;
use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::edit::use_edit;
use crate::ui::panel::Panel;
use crate::ui::signature::SignaturePad;

#[component]
pub fn HandoverPanel(
    id: Uuid,
    ro: Memo<Option<RepairOrder>>,
    lines: Memo<Vec<RoLine>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let signature = RwSignal::new(None::<String>);
    // Due 48 hours after the handover (`domain::service::plan::FOLLOW_UP_AFTER`).
    let follow_up = data::use_task_due(FOLLOW_UP_KIND, format!("repair_order:{id}"), move || {
        let r = ro.get()?;
        let day = r.handed_over_at?.date();
        Some((
            r.c_card_id,
            day,
            day + domain::sales::chrono::Duration::days(3),
        ))
    });
    let hand_over = move |_| {
        let Some(r) = ro.get_untracked() else { return };
        let h = Handover {
            ro_id: id,
            c_card_id: r.c_card_id,
            customer_name: r.customer_name.clone().unwrap_or_default(),
            phone: r.phone.clone().unwrap_or_default(),
            advisor_id: r.advisor_id.clone().unwrap_or_else(data::my_id),
            promised_at: r.promised_at,
            handed_over_at: now_local(),
            signature_blob: signature.get_untracked(),
        };
        let plan = handover_plan(&h);
        edit.run(async move { sync.execute(&plan).await }, |_| ());
    };
    let status = Memo::new(move |_| ro.with(|r| r.as_ref().map(|r| r.status)));
    view! {
        <Panel id="svc-handover-title" class="no-print" title=move || t!(i18n, svc_desk.handover.title)>
            // Only a change of status redraws the panel: a sync that changes the order or its
            // lines while the customer signs must not wipe the pad.
            {move || {
                let status = status.get()?;
                Some(match status {
                    RoStatus::Ready => view! {
                        <p>{t!(i18n, svc_desk.handover.explain)}</p>
                        <p class="svc-settlement-total">
                            {t!(i18n, svc_desk.totals.approved)} ": "
                            <strong>{move || yuan(totals(&lines.get(), data::settings(sync).hourly_rate_fen).approved_fen)}</strong>
                        </p>
                        <p class="muted">{t!(i18n, svc_desk.ro.promised_at)} ": " {move || shown(ro.get().and_then(|r| r.promised_at))}</p>
                        <div class="svc-signature">
                            <SignaturePad
                                on_signed=move |id: String| signature.set(Some(id))
                                hint=move || t_string!(i18n, svc_desk.handover.sign)
                                disabled=Signal::derive(move || edit.busy.get())
                            />
                        </div>
                        {move || error_list(edit.error.get().into_iter().collect())}
                        <button type="button" class="btn btn-primary" on:click=hand_over disabled=move || edit.busy.get()>
                            {t!(i18n, svc_desk.handover.save)}
                        </button>
                    }.into_any(),
                    _ => view! {
                        <p class="svc-handed-over">
                            {t!(i18n, svc_desk.status.handed_over)} " "
                            {move || shown(ro.get().and_then(|r| r.handed_over_at))} " · "
                            {move || match ro.get().and_then(|r| r.on_time) {
                                Some(false) => t_string!(i18n, svc_desk.ro.on_time_no),
                                _ => t_string!(i18n, svc_desk.ro.on_time_yes),
                            }}
                        </p>
                        {move || follow_up.get().map(|due| view! {
                            <p class="svc-follow-up">{t!(i18n, svc_desk.handover.follow_up)} ": " {shown(Some(due))}</p>
                        })}
                    }.into_any(),
                })
            }}
        </Panel>
    }
}
