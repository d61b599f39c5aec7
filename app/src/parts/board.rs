//! What the parts desk shows on the advisor's board (`/service`): tomorrow's appointments whose
//! parts are missing, the day before (the check of [`super::reserve::tomorrow`]), and the Parts
//! Hold badge (等待配件) of a repair order with an emergency order on its way.

use domain::parts::orders::on_hold;
use leptos::prelude::*;
use uuid::Uuid;

use super::data;
use super::reserve::{check_words, tomorrow};
use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::panel::Panel;

/// The repair orders on Parts Hold, tracking the emergency orders.
pub fn use_on_hold() -> Memo<std::collections::BTreeSet<Uuid>> {
    let sync = use_sync();
    Memo::new(move |_| on_hold(&data::orders(sync)))
}

/// The Parts Hold badge.
#[component]
pub fn HoldBadge() -> impl IntoView {
    let i18n = use_i18n();
    view! { <span class="badge badge-warn parts-hold">{t!(i18n, parts.hold)}</span> }
}

/// 明日预约备件: tomorrow's appointments that need parts and are not ready.
#[component]
pub fn TomorrowParts() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let appts = super::reserve::use_tomorrows();
    let missing = Memo::new(move |_| {
        tomorrow(sync, appts.get().unwrap_or_default())
            .into_iter()
            .filter(|(_, c)| !c.ready())
            .collect::<Vec<_>>()
    });
    view! {
        <Panel id="svc-tomorrow-parts-title" title=move || t!(i18n, parts.board.tomorrow)>
            {move || {
                let rows = missing.get();
                if rows.is_empty() {
                    return view! { <p class="muted">{t!(i18n, parts.board.all_ready)}</p> }.into_any();
                }
                view! {
                    <ul class="tomorrow-parts">
                        {rows.into_iter().map(|(a, c)| {
                            let line = crate::ui::kinds::joined(vec![
                                a.slot_at.map(|t| t.format("%H:%M").to_string()).unwrap_or_default(),
                                a.plate.clone(),
                                a.customer_name.clone(),
                                a.parts_needed.clone(),
                            ]);
                            view! {
                                <li class="parts-missing">
                                    {line}" "<span class="badge badge-late">{check_words(i18n, &c)}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </Panel>
    }
}
