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

use crate::clock::{now_local, store_clock, today_stored};
use crate::i18n::*;
use crate::session::use_me;
use crate::sync::use_sync;
use crate::ui::alert::{Alert, Notice};
use crate::ui::edit::use_edit;
use crate::ui::error::UserText;
use crate::ui::field::{Bind, Checkbox, DateField, Select, TextField, yes_no_options};
use crate::ui::panel::Panel;

/// Every problem's text, one after the other (a form refused for several reasons).
pub fn all_text<E: UserText>(i18n: I18nContext<Locale>, problems: &[E]) -> String {
    problems
        .iter()
        .map(|e| e.user_text(i18n))
        .collect::<Vec<_>>()
        .join(";")
}

/// The 交车 section of an open order: the checklist, the delivery's fields and 交车.
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
    let day = RwSignal::new(today_stored());
    let birthday = RwSignal::new(String::new());
    let local = RwSignal::new("true".to_string());
    let edit = use_edit();
    let notice = RwSignal::new(None::<String>);

    let items = Memo::new(move |_| {
        order.with(|o| {
            o.as_ref()
                .map(|o| delivery_checklist(&o.set("promises"), &o.set("checklist_done")))
                .unwrap_or_default()
        })
    });
    let open_items = move || match items.with(|all| all.iter().filter(|i| !i.ticked).count()) {
        0 => t_string!(i18n, delivery.all_ticked).to_string(),
        open => format!("{}{open}", t_string!(i18n, delivery.open_items)),
    };

    // Ticks are written one by one, even while another is on its way.
    let tick = move |label: String, on: bool| {
        let step = if on {
            Step::SetAdd("checklist_done", label)
        } else {
            Step::SetRemove("checklist_done", label)
        };
        let plan = Plan::new().then(PlannedWrite::new(id, &ORDER).with(step));
        leptos::task::spawn_local(async move {
            if let Err(e) = sync.execute(&plan).await {
                edit.fail(e.user_text(i18n));
            }
        });
    };

    // What a delivery reads besides the order and its card, through the indexes: the card's
    // visits (the referrer), the order's C-card and calls (an earlier delivery's), the
    // referrer's C-card (by the card the visit names, or by phone).
    let visits = sync.read(move || {
        let card = card.with(|c| c.as_ref().map(|c| c.id))?;
        Some(crate::sync::Query::Linked {
            id: card,
            types: &["visit"],
        })
    });
    let of_order = sync.read(move || {
        Some(crate::sync::Query::Linked {
            id,
            types: &["c_card", "care_task"],
        })
    });
    let referrer = Memo::new(move |_| {
        let card = card.with(|c| c.as_ref().map(|c| c.id))?;
        let v =
            domain::sales::referral::latest_referral(card, &visits.records.get(), store_clock())?;
        Some(v)
    });
    let referrer_by_card = sync.read(move || {
        let r = referrer.get()?.0?;
        Some(crate::sync::Query::Linked {
            id: r,
            types: &["c_card"],
        })
    });
    let referrer_by_phone = sync.read(move || {
        let phone = referrer.get()?.1?;
        Some(crate::sync::Query::Term {
            text: phone,
            limit: 50,
        })
    });

    let deliver = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(o), Some((user_id, roles))) = (order.get_untracked(), me()) else {
            return;
        };
        let Some(on) = store_clock().parse_date(&day.get_untracked()) else {
            edit.fail(t_string!(i18n, delivery.need_date).to_string());
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
        let visits = visits.records.get_untracked();
        let of_order = of_order.records.get_untracked();
        let care_tasks: Vec<RecordState> = of_order
            .iter()
            .filter(|r| r.record_type == "care_task")
            .cloned()
            .collect();
        let mut c_cards: Vec<RecordState> = of_order
            .into_iter()
            .chain(referrer_by_card.records.get_untracked())
            .chain(referrer_by_phone.records.get_untracked())
            .chain(
                referrer
                    .get_untracked()
                    .and_then(|r| r.0)
                    .and_then(|r| sync.record(r)),
            )
            .filter(|r| r.record_type == "c_card" && !r.is_deleted())
            .collect();
        c_cards.sort_by_key(|r| r.id);
        c_cards.dedup_by_key(|r| r.id);
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
            Err(problems) => return edit.fail(all_text(i18n, &problems)),
        };
        // A refused referral is said here and on the C-card page the app opens next.
        if let Some(e) = &delivery.referral_refused {
            notice.set(Some(format!(
                "{}{}",
                t_string!(i18n, delivery.referral_refused),
                e.user_text(i18n)
            )));
        }
        let query = delivery
            .referral_refused
            .map(|e| format!("?referral={}", e.code()))
            .unwrap_or_default();
        let c_card = format!("/sales/c-cards/{}{query}", delivery.c_card);
        let plan = delivery.plan;
        let navigate = navigate.clone();
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            navigate(&c_card, Default::default())
        });
    };

    let checklist = move || {
        items
            .get()
            .into_iter()
            .map(|item| {
                let (label, ticked) = (item.label.clone(), item.ticked);
                let checked = Bind::new(move || ticked, move |on| tick(label.clone(), on));
                view! { <Checkbox checked=checked>{item.label}</Checkbox> }
            })
            .collect_view()
    };
    let homes = yes_no_options(
        i18n,
        |i| t_string!(i, delivery.local),
        |i| t_string!(i, delivery.out_of_town),
    );
    view! {
        <Panel id="delivery-title" class="delivery" title=move || t!(i18n, delivery.title)>
            <form class="form" on:submit=deliver novalidate>
                <fieldset class="checklist">
                    <legend>{t!(i18n, delivery.checklist)}</legend>
                    {checklist}
                    <p class="muted small">{open_items}</p>
                </fieldset>
                // The VIN keeps its own input: capitals on the tablet's keyboard, at most 20 signs.
                <div class="field">
                    <label for="delivery-vin">{t!(i18n, delivery.vin)}</label>
                    <input id="delivery-vin" type="text" autocomplete="off" autocapitalize="characters" maxlength="20"
                        prop:value=move || vin.get()
                        on:input=move |ev| vin.set(event_target_value(&ev)) />
                </div>
                <TextField id="delivery-plate" autocomplete="off" value=plate>{t!(i18n, delivery.plate)}</TextField>
                <DateField id="delivery-date" value=day>{t!(i18n, delivery.date)}</DateField>
                <DateField id="delivery-birthday" value=birthday>{t!(i18n, delivery.birthday)}</DateField>
                <Select id="delivery-local" value=local options=homes>{t!(i18n, delivery.home)}</Select>
                <p class="muted small">{t!(i18n, delivery.dates_hint)}</p>
                <Alert message=edit.error />
                <Notice message=notice class="notice notice-warn" />
                <button type="submit" class="btn btn-primary" disabled=move || edit.busy.get()>
                    {t!(i18n, delivery.deliver)}
                </button>
            </form>
        </Panel>
    }
}
