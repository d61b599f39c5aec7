//! 交车 (delivery), on the order page: the checklist of everything promised (the order's
//! `promises` and the standard items, ticked one by one into `checklist_done`), VIN, plate,
//! delivery date, and the customer's details for the C-card. One press of 交车, when
//! `domain::sales::order::check_handover` allows it, stores: the C-card (with the referral
//! rewards of `domain::sales::referral`), the consultant's +24 h / +72 h care calls, the
//! referrer's reward, the order delivered and the A-card delivered. The writes are idempotent
//! (an existing C-card or call of this order is reused), and the order goes last, so a retry
//! after a failure finishes the job.

use domain::records::{A_CARD, C_CARD, CARE_TASK, ORDER};
use domain::sales::UserError;
use domain::sales::chrono::NaiveDateTime;
use domain::sales::loss::ACardActionKind;
use domain::sales::order::{check_handover, delivery_checklist};
use domain::sales::phone;
use domain::sales::referral::{KnownReferrer, RewardTo, referral_rewards};
use domain::sales::visit::ReferralParty;
use domain::sync::{Edit, RecordState};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use serde_json::json;
use uuid::Uuid;

use super::a_card::{lang, text};
use super::order::{alert, card_next, date_of, messages, use_me};
use crate::clock::now_local;
use crate::i18n::*;
use crate::sync::{SyncCtx, use_sync};
use crate::ui::error::UserText;

/// The referrer written on the customer's visits (the latest visit naming one), resolved to
/// their C-card when they are a customer here.
fn referrer_of(sync: SyncCtx, card_id: &str) -> Option<KnownReferrer> {
    let mut visits: Vec<RecordState> = sync
        .records("visit")
        .into_iter()
        .filter(|v| text(v, "a_card_id") == card_id)
        .filter(|v| {
            !text(v, "referrer_phone").is_empty() || !text(v, "referrer_card_id").is_empty()
        })
        .collect();
    visits.sort_by_key(|v| text(v, "time_in"));
    let v = visits.pop()?;
    let ref_card = text(&v, "referrer_card_id");
    let ref_phone = text(&v, "referrer_phone");
    let canonical = phone::normalise(&ref_phone).ok();
    let c_card = sync.records("c_card").into_iter().find(|c| {
        (!ref_card.is_empty() && (c.id.to_string() == ref_card || text(c, "a_card_id") == ref_card))
            || canonical
                .as_ref()
                .is_some_and(|p| phone::normalise(&text(c, "phone")).ok().as_ref() == Some(p))
    });
    Some(KnownReferrer {
        party: ReferralParty {
            customer_id: Uuid::parse_str(&ref_card).ok(),
            phone: Some(ref_phone).filter(|p| !p.is_empty()),
        },
        c_card_a_card: c_card
            .as_ref()
            .and_then(|c| Uuid::parse_str(&text(c, "a_card_id")).ok()),
        c_card: c_card.map(|c| c.id),
    })
}

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
        leptos::task::spawn_local(async move {
            let result = sync
                .edit(id, &ORDER, move |s| {
                    let e = Edit::new(s, &ORDER);
                    Ok(vec![if on {
                        e.set_add("checklist_done", &label)?
                    } else {
                        e.set_remove("checklist_done", &label)?
                    }])
                })
                .await;
            if let Err(e) = result {
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
        let now = now_local();
        let Some(on) = date_of(&day.get_untracked()) else {
            error.set(Some(t_string!(i18n, delivery.need_date).to_string()));
            return;
        };
        let delivered_at = NaiveDateTime::new(on, now.time());
        let consultant = Some(text(&o, "consultant_id"))
            .filter(|c| !c.is_empty())
            .unwrap_or(user_id);
        let assignee = Uuid::parse_str(&consultant).unwrap_or_default();
        let status = o.status(&ORDER, "status").unwrap_or("signed").to_string();
        let handover = match check_handover(
            &status,
            &items.get_untracked(),
            &vin.get_untracked(),
            delivered_at,
            now.date(),
            assignee,
        ) {
            Ok(h) => h,
            Err(problems) => {
                error.set(Some(messages(i18n, &problems)));
                return;
            }
        };
        let card = card.get_untracked();
        if let Some(c) = &card
            && let Err(e) = card_next(c, ACardActionKind::Deliver, &roles)
        {
            error.set(Some(e.message(lang(i18n))));
            return;
        }
        let card_id = card.as_ref().map(|c| c.id.to_string()).unwrap_or_default();
        let name = card.as_ref().map(|c| text(c, "name")).unwrap_or_default();
        let cust_phone = card.as_ref().map(|c| text(c, "phone")).unwrap_or_default();

        // Referral rewards (the rule refuses a self-referral; the delivery goes ahead).
        let referrer = referrer_of(sync, &card_id);
        let new_party = ReferralParty {
            customer_id: Uuid::parse_str(&card_id).ok(),
            phone: Some(cust_phone.clone()),
        };
        // A refused referral is said on the C-card page the app opens next (`?referral=<code>`).
        let (rewards, refused) = match referral_rewards(&new_party, referrer.as_ref()) {
            Ok(r) => (r, None),
            Err(e) => {
                notice.set(Some(format!(
                    "{}{}",
                    t_string!(i18n, delivery.referral_refused),
                    e.message(lang(i18n))
                )));
                (Vec::new(), Some(e.code()))
            }
        };
        let referrer_phone = referrer
            .as_ref()
            .and_then(|r| r.party.phone.clone())
            .unwrap_or_default();

        let order_id = id.to_string();
        let existing = sync
            .records("c_card")
            .into_iter()
            .find(|c| text(c, "order_id") == order_id);
        let c_card_id = existing.as_ref().map(|c| c.id).unwrap_or_else(Uuid::now_v7);
        let had_rewards = existing
            .as_ref()
            .is_some_and(|c| !c.log("rewards").is_empty());
        let existing_calls: Vec<String> = sync
            .records("care_task")
            .into_iter()
            .filter(|t| text(t, "order_id") == order_id)
            .map(|t| text(&t, "kind"))
            .collect();
        let fmt = |d: domain::sales::chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
        let ts = |t: NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S").to_string();
        let vin_text = handover.vin.to_string();
        let plate_text = plate.get_untracked().trim().to_uppercase();
        let model = text(&o, "model");
        let birthday_text = birthday.get_untracked();
        let is_local = local.get_untracked() == "true";
        let dates = handover.dates;
        let delivered_text = ts(handover.delivered_at);
        let navigate = navigate.clone();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let fail = move |e: crate::sync::EditError| {
                busy.set(false);
                error.set(Some(e.user_text(i18n)));
            };
            // 1. The C-card.
            let (n, p, cid, oid, who_, v, pl, m, bd, dt) = (
                name.clone(),
                cust_phone.clone(),
                card_id.clone(),
                order_id.clone(),
                consultant.clone(),
                vin_text.clone(),
                plate_text.clone(),
                model,
                birthday_text,
                delivered_text.clone(),
            );
            let own_rewards: Vec<_> = rewards
                .iter()
                .filter(|r| r.to == RewardTo::NewCustomer)
                .copied()
                .collect();
            let rp = referrer_phone.clone();
            if let Err(e) = sync
                .edit(c_card_id, &C_CARD, move |s| {
                    let e = Edit::new(s, &C_CARD);
                    let mut c = vec![
                        e.set("name", json!(n))?,
                        e.set("phone", json!(p))?,
                        e.set("a_card_id", json!(cid))?,
                        e.set("order_id", json!(oid))?,
                        e.set("consultant_id", json!(who_))?,
                        e.set("vin", json!(v))?,
                        e.set("plate", json!(pl))?,
                        e.set("model", json!(m))?,
                        e.set("delivery_date", json!(fmt(on)))?,
                        e.set("warranty_end", json!(fmt(dates.warranty_end)))?,
                        e.set("insurance_expiry", json!(fmt(dates.insurance_expiry)))?,
                        e.set("inspection_date", json!(fmt(dates.inspection_date)))?,
                        e.set("local", json!(is_local))?,
                    ];
                    if !bd.is_empty() {
                        c.push(e.set("birthday", json!(bd))?);
                    }
                    if !had_rewards {
                        for r in own_rewards {
                            c.push(e.append(
                                "rewards",
                                Uuid::now_v7(),
                                json!({"kind": r.kind.as_str(), "reason": "referral", "side": "referred",
                                       "referrer_phone": rp, "order_id": oid, "at": dt}),
                            )?);
                        }
                    }
                    Ok(c)
                })
                .await
            {
                return fail(e);
            }
            // 2. The consultant's +24 h / +72 h calls.
            for call in handover.calls {
                let kind = call.kind.as_str();
                if existing_calls.iter().any(|k| k == kind) {
                    continue;
                }
                let (n, p, cid, oid, who_) = (
                    name.clone(),
                    cust_phone.clone(),
                    card_id.clone(),
                    order_id.clone(),
                    consultant.clone(),
                );
                let due = ts(call.due);
                if let Err(e) = sync
                    .edit(Uuid::now_v7(), &CARE_TASK, move |s| {
                        let e = Edit::new(s, &CARE_TASK);
                        Ok(vec![
                            e.set("kind", json!(kind))?,
                            e.set("customer_name", json!(n))?,
                            e.set("phone", json!(p))?,
                            e.set("a_card_id", json!(cid))?,
                            e.set("c_card_id", json!(c_card_id.to_string()))?,
                            e.set("order_id", json!(oid))?,
                            e.set("due_at", json!(due))?,
                            e.set("role", json!("sales_consultant"))?,
                            e.set("assignee_id", json!(who_))?,
                        ])
                    })
                    .await
                {
                    return fail(e);
                }
            }
            // 3. The referrer's reward, once per order.
            for r in &rewards {
                let RewardTo::Referrer(theirs) = r.to else {
                    continue;
                };
                let already = sync.record(theirs).is_some_and(|c| {
                    c.log("rewards")
                        .iter()
                        .any(|e| e.value["order_id"].as_str() == Some(order_id.as_str()))
                });
                if already {
                    continue;
                }
                let (kind, oid, n, dt) = (
                    r.kind,
                    order_id.clone(),
                    name.clone(),
                    delivered_text.clone(),
                );
                if let Err(e) = sync
                    .edit(theirs, &C_CARD, move |s| {
                        Ok(vec![Edit::new(s, &C_CARD).append(
                            "rewards",
                            Uuid::now_v7(),
                            json!({"kind": kind.as_str(), "reason": "referral", "side": "referrer",
                                   "referred_name": n, "order_id": oid, "at": dt}),
                        )?])
                    })
                    .await
                {
                    return fail(e);
                }
            }
            // 4. The A-card, then the order (last: its status guards a second press).
            if let Ok(card_uuid) = Uuid::parse_str(&card_id)
                && let Err(e) = sync
                    .edit(card_uuid, &A_CARD, |s| {
                        Ok(vec![
                            Edit::new(s, &A_CARD).transition("status", "delivered")?,
                        ])
                    })
                    .await
            {
                return fail(e);
            }
            let (v, pl, dt) = (vin_text, plate_text, delivered_text);
            if let Err(e) = sync
                .edit(id, &ORDER, move |s| {
                    let e = Edit::new(s, &ORDER);
                    Ok(vec![
                        e.set("vin", json!(v))?,
                        e.set("plate", json!(pl))?,
                        e.set("delivered_at", json!(dt))?,
                        e.transition("status", "delivered")?,
                    ])
                })
                .await
            {
                return fail(e);
            }
            busy.set(false);
            let query = refused
                .map(|c| format!("?referral={c}"))
                .unwrap_or_default();
            navigate(
                &format!("/sales/c-cards/{c_card_id}{query}"),
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
                {alert(error)}
                {move || notice.get().map(|n| view! { <p class="notice notice-warn" role="status">{n}</p> })}
                <button type="submit" class="btn btn-primary" disabled=move || busy.get()>
                    {t!(i18n, delivery.deliver)}
                </button>
            </form>
        </section>
    }
}
