//! 交车 (delivery), on the order page: the checklist of everything promised (the order's
//! `promises` and the standard items, ticked one by one into `checklist_done`), VIN, plate,
//! delivery date, and the customer's details for the C-card. One press of 交车 executes
//! `domain::sales::delivery::deliver_plan` in one transaction: the C-card (with the referral
//! rewards), the consultant's +24 h / +72 h care calls, the referrer's reward, the A-card and
//! the order delivered — all of it or nothing.

use domain::plan::{Plan, PlannedWrite, Step};
use domain::records::ORDER;
use domain::sales::UserError;
use domain::sales::delivery::{Deliverer, DeliveryForm, DeliveryRecords, deliver_plan};
use domain::sales::order::delivery_checklist;
use domain::sync::RecordState;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use uuid::Uuid;

use crate::clock::{now_local, store_clock};
use crate::i18n::*;
use crate::session::use_me;
use crate::sync::use_sync;
use crate::ui::error::UserText;

#[component]
pub fn DeliverySection(
    id: Uuid,
    order: Memo<Option<RecordState>>,
    card: Memo<Option<RecordState>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let sync = use_sync();
    let navigate = use_navigate();
    let vin = RwSignal::new(String::new());
    let plate = RwSignal::new(String::new());
    let day = RwSignal::new(now_local().date().format("%Y-%m-%d").to_string());
    let birthday = RwSignal::new(String::new());
    let local = RwSignal::new("true".to_string());
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let items = Memo::new(move |_| {
        order.with(|o| {
            o.as_ref()
                .map(|o| delivery_checklist(&o.set("promises"), &o.set("checklist_done")))
                .unwrap_or_default()
        })
    });

    let tick = move |label: String, on: bool| {
        let step = if on {
            Step::SetAdd("checklist_done", label)
        } else {
            Step::SetRemove("checklist_done", label)
        };
        let plan = Plan::new().then(PlannedWrite::new(id, &ORDER).with(step));
        leptos::task::spawn_local(async move {
            if let Err(e) = sync.execute(&plan).await {
                error.set(Some(e.user_text(i18n)));
            }
        });
    };

    let deliver = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (Some(o), Some((user_id, roles))) = (order.get_untracked(), me()) else {
            return;
        };
        let Some(on) = store_clock().parse_date(&day.get_untracked()) else {
            error.set(Some(t_string!(i18n, delivery.need_date).to_string()));
            return;
        };
        let form = DeliveryForm {
            vin: vin.get_untracked(),
            plate: plate.get_untracked(),
            day: on,
            birthday: birthday.get_untracked(),
            local: local.get_untracked() == "true",
        };
        let card = card.get_untracked();
        let (visits, c_cards, care_tasks) = (
            sync.records("visit"),
            sync.records("c_card"),
            sync.records("care_task"),
        );
        let records = DeliveryRecords {
            order: &o,
            card: card.as_ref(),
            visits: &visits,
            c_cards: &c_cards,
            care_tasks: &care_tasks,
        };
        let by = Deliverer {
            user_id: &user_id,
            roles: &roles,
            now: now_local(),
            clock: store_clock(),
        };
        let delivery = match deliver_plan(records, &form, by) {
            Ok(d) => d,
            Err(problems) => {
                let lines: Vec<String> = problems.iter().map(|e| e.message(lang(i18n))).collect();
                error.set(Some(lines.join(";")));
                return;
            }
        };
        // A refused referral is said here and on the C-card page the app opens next.
        if let Some(e) = &delivery.referral_refused {
            notice.set(Some(format!(
                "{}{}",
                t_string!(i18n, delivery.referral_refused),
                e.message(lang(i18n))
            )));
        }
        let navigate = navigate.clone();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = sync.execute(&delivery.plan).await;
            busy.set(false);
            if let Err(e) = result {
                error.set(Some(e.user_text(i18n)));
                return;
            }
            let query = delivery
                .referral_refused
                .map(|e| format!("?referral={}", e.code()))
                .unwrap_or_default();
            navigate(
                &format!("/sales/c-cards/{}{query}", delivery.c_card),
                Default::default(),
            );
        });
    };

    view! {
        <section class="panel delivery" aria-labelledby="delivery-title">
            <h2 id="delivery-title">{t!(i18n, delivery.title)}</h2>
            <form class="form" on:submit=deliver novalidate>
                <fieldset class="checklist">
                    <legend>{t!(i18n, delivery.checklist)}</legend>
                    {move || {
                        items
                            .get()
                            .into_iter()
                            .map(|item| {
                                let label = item.label.clone();
                                view! {
                                    <label class="check">
                                        <input
                                            type="checkbox"
                                            prop:checked=item.ticked
                                            on:change=move |ev| tick(label.clone(), event_target_checked(&ev))
                                        />
                                        <span>{item.label}</span>
                                    </label>
                                }
                            })
                            .collect_view()
                    }}
                    <p class="muted small">
                        {move || {
                            let all = items.get();
                            let open = all.iter().filter(|i| !i.ticked).count();
                            if open == 0 {
                                t_string!(i18n, delivery.all_ticked).to_string()
                            } else {
                                format!("{}{open}", t_string!(i18n, delivery.open_items))
                            }
                        }}
                    </p>
                </fieldset>
                <div class="field">
                    <label for="delivery-vin">{t!(i18n, delivery.vin)}</label>
                    <input id="delivery-vin" type="text" autocomplete="off" autocapitalize="characters" maxlength="20"
                        prop:value=move || vin.get()
                        on:input=move |ev| vin.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="delivery-plate">{t!(i18n, delivery.plate)}</label>
                    <input id="delivery-plate" type="text" autocomplete="off"
                        prop:value=move || plate.get()
                        on:input=move |ev| plate.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="delivery-date">{t!(i18n, delivery.date)}</label>
                    <input id="delivery-date" type="date"
                        prop:value=move || day.get()
                        on:input=move |ev| day.set(event_target_value(&ev))
                        on:change=move |ev| day.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="delivery-birthday">{t!(i18n, delivery.birthday)}</label>
                    <input id="delivery-birthday" type="date"
                        prop:value=move || birthday.get()
                        on:input=move |ev| birthday.set(event_target_value(&ev))
                        on:change=move |ev| birthday.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="delivery-local">{t!(i18n, delivery.home)}</label>
                    <select id="delivery-local" prop:value=move || local.get()
                        on:change=move |ev| local.set(event_target_value(&ev))>
                        <option value="true">{t!(i18n, delivery.local)}</option>
                        <option value="false">{t!(i18n, delivery.out_of_town)}</option>
                    </select>
                </div>
                <p class="muted small">{t!(i18n, delivery.dates_hint)}</p>
                {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
                {move || notice.get().map(|n| view! { <p class="notice notice-warn" role="status">{n}</p> })}
                <button type="submit" class="btn btn-primary" disabled=move || busy.get()>
                    {t!(i18n, delivery.deliver)}
                </button>
            </form>
        </section>
    }
}
