//! `/sales/reception` (来店登记): the day's visit log of the whole showroom, the form to log a
//! visit for any consultant, the day's totals and the reception rota (接待轮值).
//!
//! Also the parts the Today page (`today.rs`) shares: reading a stored visit, today's visits,
//! the rota of the day, the catalogue select, the return-visit lookup and the visit form's
//! details ([`VisitDetails`]). The rules and the writes (plans) live in
//! `domain::sales::{visit, visit_log, rota}`; this file reads the sync cache and runs the plans.

use std::collections::BTreeSet;

use domain::Role;
use domain::plan::Plan;
use domain::records::sales::{ACard, CCard, Visit};
use domain::records::{RECEPTION_ROTA, VISIT};
use domain::sales::loss::ACardStatus;
use domain::sales::rota::{
    RotaQueue, RotaState, RotaVisit, effective_order, move_in_order, queue, receiving_consultant,
    rota_record_id_of, takes_turn,
};
use domain::sales::settings::StoreSettings;
use domain::sales::visit::{
    DwellBucket, VisitCountRule, VisitSource, VisitTally, VisitorKind, check_withdraw, count_rule,
    dwell_bucket, stored_facts, totals,
};
use domain::sales::visit_log::{self, KnownCustomer, KnownPhone, VisitEntry, leave_plan, log_plan};
use domain::sync::{Edit, RecordState};
use leptos::prelude::*;
use leptos_router::components::A;
use serde_json::{Value, json};
use uuid::Uuid;

use super::words::model_name;
use crate::clock::{now_local, store_clock, today_stored};
use crate::i18n::*;
use crate::session::use_session;
use crate::sync::{SyncCtx, use_sync};
use crate::ui::alert::Alert;
use crate::ui::error::UserText;
use crate::ui::kinds::text;
use crate::ui::labels::who;

// ---- reading visits ----

/// A stored visit as the reception screens show it.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitRow {
    pub id: Uuid,
    pub time_in: String,
    pub time_out: String,
    pub source: VisitSource,
    pub kind: VisitorKind,
    pub group_size: u32,
    pub consultant: String,
    pub model: String,
    pub a_card_id: String,
    pub had_card_or_order: bool,
    pub rule: VisitCountRule,
    pub dwell: Option<DwellBucket>,
    /// Minutes stayed, once the group has left.
    pub minutes: Option<i64>,
}

impl VisitRow {
    pub fn of(rec: &RecordState) -> VisitRow {
        let v = Visit::of(rec, store_clock());
        let had = v.had_card_or_order;
        let facts = stored_facts(&text(rec, "source"), &text(rec, "visitor_kind"), had);
        let (dwell, minutes) = match (v.time_in, v.time_out) {
            (Some(i), Some(o)) => (
                dwell_bucket(i, Some(o)).ok().flatten(),
                (o >= i).then(|| (o - i).num_minutes()),
            ),
            _ => (None, None),
        };
        let (time_in, time_out) = (text(rec, "time_in"), text(rec, "time_out"));
        let group_size = v.group_size.unwrap_or(1);
        VisitRow {
            id: rec.id,
            time_in,
            time_out,
            source: facts.source,
            kind: facts.visitor,
            group_size,
            consultant: text(rec, "consultant_id"),
            model: text(rec, "intended_model"),
            a_card_id: text(rec, "a_card_id"),
            had_card_or_order: had,
            rule: count_rule(&facts),
            dwell,
            minutes,
        }
    }

    /// Still in the showroom: no time out yet.
    pub fn is_open(&self) -> bool {
        self.time_out.trim().is_empty()
    }

    pub fn tally(&self) -> VisitTally {
        VisitTally {
            rule: self.rule,
            source: self.source,
            dwell: self.dwell,
        }
    }

    fn rota_visit(&self) -> Option<RotaVisit> {
        Some(RotaVisit {
            consultant: self.consultant.clone(),
            time_in: store_clock().parse(&self.time_in)?,
            time_out: store_clock().parse(&self.time_out),
            takes_turn: takes_turn(self.source, self.kind, self.had_card_or_order),
        })
    }
}

/// The visits whose time in is on `date` (`YYYY-MM-DD`), newest first.
pub fn visits_on(sync: SyncCtx, date: &str) -> Vec<VisitRow> {
    let mut rows: Vec<VisitRow> = sync
        .records("visit")
        .iter()
        .filter(|v| text(v, "time_in").starts_with(date))
        .map(VisitRow::of)
        .collect();
    rows.sort_by(|a, b| (&b.time_in, b.id).cmp(&(&a.time_in, a.id)));
    rows
}

/// `HH:MM` of a stored local time ("" when empty).
pub fn clock(t: &str) -> String {
    t.get(11..16).unwrap_or_default().to_string()
}

pub fn source_label(i18n: I18nContext<Locale>, s: VisitSource) -> &'static str {
    match i18n.get_locale_untracked() {
        Locale::en => s.label_en(),
        Locale::zh_CN => s.label_zh(),
    }
}

pub fn kind_label(i18n: I18nContext<Locale>, k: VisitorKind) -> &'static str {
    match i18n.get_locale_untracked() {
        Locale::en => k.label_en(),
        Locale::zh_CN => k.label_zh(),
    }
}

pub fn rule_text(i18n: I18nContext<Locale>, r: VisitCountRule) -> &'static str {
    match i18n.get_locale_untracked() {
        Locale::en => r.text_en(),
        Locale::zh_CN => r.text_zh(),
    }
}

pub fn dwell_label(i18n: I18nContext<Locale>, b: DwellBucket) -> &'static str {
    match i18n.get_locale_untracked() {
        Locale::en => b.label_en(),
        Locale::zh_CN => b.label_zh(),
    }
}

/// "12 分钟 · 0–15 分钟" once the group left; "" while in the store or for a phone inquiry.
pub fn dwell_text(i18n: I18nContext<Locale>, v: &VisitRow) -> String {
    if v.source == VisitSource::PhoneInquiry {
        return String::new();
    }
    match (v.minutes, v.dwell) {
        (Some(m), Some(b)) => format!(
            "{m} {} · {}",
            t_string!(i18n, reception.minutes),
            dwell_label(i18n, b)
        ),
        _ => String::new(),
    }
}

/// A user's name as staff know it.
pub fn name_of(user_id: &str) -> String {
    who(user_id)
}

// ---- the catalogue ----

/// The store's catalogue models on sale: (code, name as shown), by name.
fn models_on_sale(sync: SyncCtx, i18n: I18nContext<Locale>) -> Vec<(String, String)> {
    let en = i18n.get_locale_untracked() == Locale::en;
    let mut models: Vec<(String, String)> = StoreSettings::of(&sync.records("sales_settings"))
        .catalogue()
        .models
        .into_iter()
        .filter(|m| m.on_sale)
        .map(|m| {
            let name = if en { m.name_en } else { m.name_zh };
            (m.code, name)
        })
        .collect();
    models.sort_by(|a, b| a.1.cmp(&b.1));
    models
}

/// The catalogue as a `<select>`: value = model code, "" = not said.
#[component]
pub fn ModelSelect(#[prop(into)] id: String, value: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let models = Memo::new(move |_| models_on_sale(sync, i18n));
    view! {
        <select
            id=id
            prop:value=move || value.get()
            on:change=move |ev| value.set(event_target_value(&ev))
        >
            <option value="">{t!(i18n, reception.model_unknown)}</option>
            {move || {
                let current = value.get_untracked();
                models
                    .get()
                    .into_iter()
                    .map(|(code, name)| {
                        let selected = code == current;
                        view! { <option value=code selected=selected>{name}</option> }
                    })
                    .collect_view()
            }}
        </select>
    }
}

// ---- return visits ----

/// Look a phone up among the store's A-cards and C-cards
/// (`domain::sales::visit_log::known_customer`).
pub fn known_customer(sync: SyncCtx, phone_input: &str) -> Option<KnownCustomer> {
    let clock = store_clock();
    let cards: Vec<ACard> = sync
        .records("a_card")
        .iter()
        .map(|c| ACard::of(c, clock))
        .collect();
    let c_cards: Vec<CCard> = sync
        .records("c_card")
        .iter()
        .map(|c| CCard::of(c, clock))
        .collect();
    visit_log::known_customer(
        phone_input,
        cards.iter().map(|c| KnownPhone {
            id: c.id,
            phone: c.phone.as_deref().unwrap_or(""),
            ordered: matches!(c.status, ACardStatus::Ordered | ACardStatus::Delivered),
        }),
        c_cards.iter().map(|c| KnownPhone {
            id: c.id,
            phone: c.phone.as_deref().unwrap_or(""),
            ordered: true,
        }),
    )
}

// ---- the rota ----

/// The signed-in user: (user id, store id, is a sales consultant, is a sales manager / GM).
pub fn me() -> Option<(String, String, bool, bool)> {
    let session = use_session();
    session.session.with_untracked(|s| {
        let s = s.as_ref()?;
        let consultant = s.user.roles.contains(&Role::SalesConsultant);
        let manager = s
            .user
            .roles
            .iter()
            .any(|r| matches!(r, Role::SalesManager | Role::GeneralManager));
        Some((
            s.user.id.clone(),
            s.user.store_id.clone(),
            consultant,
            manager,
        ))
    })
}

/// The day's rota as stored and as it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct RotaNow {
    pub id: Uuid,
    /// The day's rota order (排班顺序).
    pub order: Vec<String>,
    pub away: BTreeSet<String>,
    pub queue: RotaQueue,
}

/// The consultants this device knows of: the store's sales consultants (directory), those named
/// on the store's A-cards and visits, and the signed-in user when a consultant; in id order, so
/// every device proposes the same order.
fn known_consultants(sync: SyncCtx) -> Vec<String> {
    let mut ids: BTreeSet<String> = crate::directory::consultants()
        .into_iter()
        .map(|p| p.id)
        .collect();
    for t in ["a_card", "visit"] {
        for r in sync.records(t) {
            let c = text(&r, "consultant_id");
            if !c.is_empty() {
                ids.insert(c);
            }
        }
    }
    if let Some((id, _, true, _)) = me() {
        ids.insert(id);
    }
    ids.into_iter().collect()
}

/// The rota of `date` with `visits` (that day's visits).
pub fn rota_now(sync: SyncCtx, date: &str, visits: &[VisitRow]) -> Option<RotaNow> {
    let (_, store, _, _) = me()?;
    let id = rota_record_id_of(&store, date)?;
    let rec = sync.record(id);
    let stored: Vec<String> = match rec.as_ref().and_then(|r| r.value("order")) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(Value::String(s)) => serde_json::from_str(s).unwrap_or_default(),
        _ => Vec::new(),
    };
    let order = effective_order(&stored, &known_consultants(sync));
    let away: BTreeSet<String> = rec
        .as_ref()
        .map(|r| r.set("away").into_iter().map(str::to_string).collect())
        .unwrap_or_default();
    let rota_visits: Vec<RotaVisit> = visits.iter().filter_map(VisitRow::rota_visit).collect();
    let queue = queue(&order, &rota_visits, &away);
    Some(RotaNow {
        id,
        order,
        away,
        queue,
    })
}

/// What a rota change does.
#[derive(Debug, Clone)]
enum RotaChange {
    Away(String, bool),
    Order(Vec<String>),
}

async fn change_rota(
    sync: SyncCtx,
    i18n: I18nContext<Locale>,
    id: Uuid,
    date: String,
    change: RotaChange,
) -> Result<(), String> {
    sync.edit(id, &RECEPTION_ROTA, move |state| {
        let edit = Edit::new(state, &RECEPTION_ROTA);
        let mut changes = Vec::new();
        if state.value("date").is_none() {
            changes.push(edit.set("date", json!(date))?);
        }
        match change {
            RotaChange::Away(user, true) => changes.push(edit.set_add("away", &user)?),
            RotaChange::Away(user, false) => changes.push(edit.set_remove("away", &user)?),
            RotaChange::Order(order) => changes.push(edit.set("order", json!(order))?),
        }
        Ok(changes)
    })
    .await
    .map(|_| ())
    .map_err(|e| e.user_text(i18n))
}

fn state_label(i18n: I18nContext<Locale>, s: RotaState) -> String {
    match s {
        RotaState::Free => t_string!(i18n, reception.rota_free),
        RotaState::WithCustomer => t_string!(i18n, reception.rota_busy),
        RotaState::Away => t_string!(i18n, reception.rota_away),
    }
    .to_string()
}

/// The rota panel: the queue with the next up highlighted, 暂离 / 回来, and for a sales manager
/// the day's order with ↑ / ↓.
#[component]
pub fn RotaPanel(rota: Memo<Option<RotaNow>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let error = RwSignal::new(None::<String>);
    let manager = me().is_some_and(|m| m.3);
    let run = move |change: RotaChange| {
        let Some(r) = rota.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            error.set(
                change_rota(sync, i18n, r.id, today_stored(), change)
                    .await
                    .err(),
            );
        });
    };
    view! {
        <section class="panel rota" aria-labelledby="rota-title">
            <div class="panel-head">
                <h2 id="rota-title">{t!(i18n, reception.rota_title)}</h2>
            </div>
            {move || {
                let Some(r) = rota.get() else {
                    return view! { <p class="muted">{t!(i18n, reception.rota_empty)}</p> }.into_any();
                };
                if r.queue.slots.is_empty() {
                    return view! { <p class="muted">{t!(i18n, reception.rota_empty)}</p> }.into_any();
                }
                let next = r.queue.next_up().map(str::to_string);
                let next_text = match &next {
                    Some(n) => format!("{}{}", t_string!(i18n, reception.next_up), name_of(n)),
                    None => t_string!(i18n, reception.nobody_free).to_string(),
                };
                let order = r.order.clone();
                view! {
                    <p class="rota-next" role="status">{next_text}</p>
                    <ol class="rota-queue">
                        {r
                            .queue
                            .slots
                            .into_iter()
                            .map(|s| {
                                let is_next = next.as_deref() == Some(s.consultant.as_str());
                                let away = s.state == RotaState::Away;
                                let user = s.consultant.clone();
                                let label = if away {
                                    t_string!(i18n, reception.back)
                                } else {
                                    t_string!(i18n, reception.step_away)
                                };
                                view! {
                                    <li class="rota-slot" class:rota-next-up=is_next data-state=format!("{:?}", s.state)>
                                        <span class="rota-name">{name_of(&s.consultant)}</span>
                                        <span class="badge badge-muted">{state_label(i18n, s.state)}</span>
                                        <span class="muted small">
                                            {t!(i18n, reception.taken, n = s.taken_today)}
                                        </span>
                                        <button
                                            type="button"
                                            class="btn btn-secondary"
                                            on:click=move |_| run(RotaChange::Away(user.clone(), !away))
                                        >
                                            {label}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                    {manager
                        .then(|| {
                            let len = order.len();
                            view! {
                                <h3>{t!(i18n, reception.order_title)}</h3>
                                <ol class="rota-order">
                                    {order
                                        .iter()
                                        .enumerate()
                                        .map(|(i, c)| {
                                            let name = name_of(c);
                                            let up_order = move_in_order(&order, i, true);
                                            let down_order = move_in_order(&order, i, false);
                                            let up_label = format!("{} {name}", t_string!(i18n, reception.move_up));
                                            let down_label = format!("{} {name}", t_string!(i18n, reception.move_down));
                                            view! {
                                                <li>
                                                    <span class="rota-name">{name}</span>
                                                    <button
                                                        type="button"
                                                        class="btn btn-secondary"
                                                        aria-label=up_label
                                                        disabled=i == 0
                                                        on:click=move |_| run(RotaChange::Order(up_order.clone()))
                                                    >
                                                        "↑"
                                                    </button>
                                                    <button
                                                        type="button"
                                                        class="btn btn-secondary"
                                                        aria-label=down_label
                                                        disabled=i + 1 == len
                                                        on:click=move |_| run(RotaChange::Order(down_order.clone()))
                                                    >
                                                        "↓"
                                                    </button>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ol>
                            }
                        })}
                }
                .into_any()
            }}
            <Alert message=error />
        </section>
    }
}

// ---- writing visits ----

/// Runs a workflow's plan (one transaction); a failure as the user reads it.
pub async fn run_plan(sync: SyncCtx, i18n: I18nContext<Locale>, plan: Plan) -> Result<(), String> {
    sync.execute(&plan)
        .await
        .map(|_| ())
        .map_err(|e| e.user_text(i18n))
}

/// The details both visit forms ask (the desk form and the quick sheet): intended model, the
/// customer's phone (a known one marks a return visit), 已有A卡或订单 and the referrer.
#[derive(Debug, Clone, Copy)]
pub struct VisitDetails {
    pub model: RwSignal<String>,
    pub phone: RwSignal<String>,
    pub had: RwSignal<bool>,
    pub referrer_name: RwSignal<String>,
    pub referrer_phone: RwSignal<String>,
    /// The customer the phone found.
    pub known: Memo<Option<KnownCustomer>>,
}

impl VisitDetails {
    pub fn new(sync: SyncCtx) -> Self {
        let phone = RwSignal::new(String::new());
        let had = RwSignal::new(false);
        let known = Memo::new(move |_| phone.with(|p| known_customer(sync, p)));
        Effect::new(move || {
            if known.with(Option::is_some) {
                had.set(true);
            }
        });
        VisitDetails {
            model: RwSignal::new(String::new()),
            phone,
            had,
            referrer_name: RwSignal::new(String::new()),
            referrer_phone: RwSignal::new(String::new()),
            known,
        }
    }

    /// Back to an empty form.
    pub fn reset(self) {
        self.model.set(String::new());
        self.phone.set(String::new());
        self.had.set(false);
        self.referrer_name.set(String::new());
        self.referrer_phone.set(String::new());
    }

    /// The entry with these details (tracked).
    pub fn entry(self, base: VisitEntry) -> VisitEntry {
        VisitEntry {
            intended_model: self.model.get(),
            customer_phone: self.phone.get(),
            had_card_or_order: self.had.get(),
            a_card: self.known.with(|k| k.and_then(|k| k.a_card)),
            referrer_name: self.referrer_name.get(),
            referrer_phone: self.referrer_phone.get(),
            ..base
        }
    }
}

/// The fields of [`VisitDetails`] (ids `{prefix}-model`, `{prefix}-phone`, …), the referrer
/// only for a referral, then the counting rule that applies.
#[component]
pub fn VisitDetailsFields(
    prefix: &'static str,
    details: VisitDetails,
    #[prop(into)] referral: Signal<bool>,
    #[prop(into)] rule: Signal<Option<VisitCountRule>>,
    /// Show the hint under the phone.
    #[prop(optional)]
    phone_hint: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let id = move |f: &str| format!("{prefix}-{f}");
    view! {
        <div class="field">
            <label for=id("model")>{t!(i18n, reception.intended_model)}</label>
            <ModelSelect id=id("model") value=details.model />
        </div>
        <div class="field">
            <label for=id("phone")>{t!(i18n, reception.customer_phone)}</label>
            <input
                id=id("phone")
                type="tel"
                inputmode="tel"
                autocomplete="off"
                prop:value=move || details.phone.get()
                on:input=move |ev| details.phone.set(event_target_value(&ev))
            />
            {phone_hint.then(|| view! { <p class="hint">{t!(i18n, reception.customer_phone_hint)}</p> })}
        </div>
        {move || details.known.get().map(|k| known_view(i18n, sync, k))}
        <div class="field field-check">
            <label>
                <input
                    type="checkbox"
                    prop:checked=move || details.had.get()
                    on:change=move |ev| details.had.set(event_target_checked(&ev))
                />
                " "
                {t!(i18n, reception.had_card_or_order)}
            </label>
        </div>
        <Show when=move || referral.get()>
            <div class="field">
                <label for=id("referrer-name")>{t!(i18n, reception.referrer_name)}</label>
                <input
                    id=id("referrer-name")
                    type="text"
                    autocomplete="off"
                    prop:value=move || details.referrer_name.get()
                    on:input=move |ev| details.referrer_name.set(event_target_value(&ev))
                />
            </div>
            <div class="field">
                <label for=id("referrer-phone")>{t!(i18n, reception.referrer_phone)}</label>
                <input
                    id=id("referrer-phone")
                    type="tel"
                    inputmode="tel"
                    autocomplete="off"
                    prop:value=move || details.referrer_phone.get()
                    on:input=move |ev| details.referrer_phone.set(event_target_value(&ev))
                />
            </div>
        </Show>
        <p class="visit-rule">
            {t!(i18n, reception.rule)} ": " {move || rule.get().map(|r| rule_text(i18n, r))}
        </p>
    }
}

// ---- the page ----

/// `/sales/reception`.
#[component]
pub fn ReceptionPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let today = today_stored();
    let visits = Memo::new({
        let today = today.clone();
        move |_| visits_on(sync, &today)
    });
    let rota = Memo::new({
        let today = today.clone();
        move |_| visits.with(|v| rota_now(sync, &today, v))
    });
    let error = RwSignal::new(None::<String>);
    view! {
        <section class="panel" aria-labelledby="reception-title">
            <div class="panel-head">
                <h1 id="reception-title">{t!(i18n, reception.title)}</h1>
                <span class="muted">{today.clone()}</span>
            </div>
            {move || {
                let t = visits.with(|v| totals(&v.iter().map(VisitRow::tally).collect::<Vec<_>>()));
                let items = [
                    (t_string!(i18n, reception.total_groups).to_string(), t.groups_counted),
                    (t_string!(i18n, reception.total_phone).to_string(), t.phone_inquiries),
                    (DwellBucket::Under15.label(i18n), t.by_dwell[0]),
                    (DwellBucket::From15To30.label(i18n), t.by_dwell[1]),
                    (DwellBucket::Over30.label(i18n), t.by_dwell[2]),
                    (t_string!(i18n, reception.total_in_store).to_string(), t.still_in),
                    (t_string!(i18n, reception.total_logged).to_string(), t.logged),
                ];
                view! {
                    <dl class="reception-totals" aria-label=t_string!(i18n, reception.totals).to_string()>
                        {items
                            .into_iter()
                            .map(|(label, n)| view! { <div><dt>{label}</dt><dd>{n}</dd></div> })
                            .collect_view()}
                    </dl>
                }
            }}
        </section>
        <div class="reception-columns">
            <RotaPanel rota=rota />
            <VisitForm rota=rota />
        </div>
        <section class="panel" aria-labelledby="visit-log-title">
            <h2 id="visit-log-title">{t!(i18n, reception.log_title)}</h2>
            <Alert message=error />
            {move || {
                let rows = visits.get();
                if rows.is_empty() {
                    return view! { <p class="muted">{t!(i18n, reception.log_empty)}</p> }.into_any();
                }
                visit_table(i18n, sync, rows, error).into_any()
            }}
        </section>
    }
}

trait DwellLabel {
    fn label(self, i18n: I18nContext<Locale>) -> String;
}

impl DwellLabel for DwellBucket {
    fn label(self, i18n: I18nContext<Locale>) -> String {
        dwell_label(i18n, self).to_string()
    }
}

/// Takes a logged visit back (撤销) for user `me_id`: it goes to the bin, where a manager can
/// restore it. The rule (`domain::sales::visit::check_withdraw`) is checked against the visit as
/// stored now. (Runs outside the component tree: everything it needs is passed in.)
pub async fn withdraw_visit(
    sync: SyncCtx,
    i18n: I18nContext<Locale>,
    id: Uuid,
    me_id: String,
    manager: bool,
) -> Result<(), String> {
    if let Some(rec) = sync.record(id) {
        let v = VisitRow::of(&rec);
        check_withdraw(
            &v.consultant,
            &v.time_in,
            &v.a_card_id,
            &me_id,
            manager,
            crate::clock::today(),
            store_clock(),
        )
        .map_err(|e| e.user_text(i18n))?;
    }
    sync.edit(id, &VISIT, move |state| {
        Ok(vec![Edit::new(state, &VISIT).delete()])
    })
    .await
    .map(|_| ())
    .map_err(|e| e.user_text(i18n))
}

/// A visit log (the reception page's and the Today page's): one row per visit with its
/// actions — 离店, 撤销 (with a confirmation; only where the withdraw rule allows it), open or
/// build the A-card. A failed action's message goes to `error`.
pub fn visit_table(
    i18n: I18nContext<Locale>,
    sync: SyncCtx,
    rows: Vec<VisitRow>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let settings = sync.records("sales_settings");
    let (me_id, _, _, manager) = me().unwrap_or_default();
    let today = crate::clock::today();
    let leave = move |id: Uuid| {
        leptos::task::spawn_local(async move {
            error.set(
                run_plan(sync, i18n, leave_plan(id, now_local()))
                    .await
                    .err(),
            );
        });
    };
    let actor = StoredValue::new(me_id.clone());
    let withdraw = move |id: Uuid| {
        let me_id = actor.get_value();
        leptos::task::spawn_local(async move {
            error.set(withdraw_visit(sync, i18n, id, me_id, manager).await.err());
        });
    };
    view! {
        <div class="table-wrap">
            <table class="table visit-log">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, reception.time_in)}</th>
                        <th scope="col">{t!(i18n, reception.time_out)}</th>
                        <th scope="col">{t!(i18n, reception.dwell)}</th>
                        <th scope="col">{t!(i18n, reception.source)}</th>
                        <th scope="col">{t!(i18n, reception.group_size)}</th>
                        <th scope="col">{t!(i18n, reception.consultant)}</th>
                        <th scope="col">{t!(i18n, reception.intended_model)}</th>
                        <th scope="col">{t!(i18n, reception.rule)}</th>
                        <th scope="col"><span class="visually-hidden">{t!(i18n, reception.actions)}</span></th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|v| {
                            let may_withdraw = check_withdraw(
                                &v.consultant,
                                &v.time_in,
                                &v.a_card_id,
                                &me_id,
                                manager,
                                today,
                                store_clock(),
                            )
                            .is_ok();
                            visit_row_view(i18n, &settings, v, leave, may_withdraw.then_some(withdraw))
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// One row of a visit log (also used by the Today page).
fn visit_row_view<F: Fn(Uuid) + Copy + 'static, W: Fn(Uuid) + Copy + Send + Sync + 'static>(
    i18n: I18nContext<Locale>,
    settings: &[RecordState],
    v: VisitRow,
    leave: F,
    withdraw: Option<W>,
) -> impl IntoView + use<F, W> {
    let id = v.id;
    let open = v.is_open();
    let dwell = if open {
        t_string!(i18n, reception.in_store).to_string()
    } else {
        dwell_text(i18n, &v)
    };
    let counted = if v.rule.counted() {
        t_string!(i18n, reception.counted).to_string()
    } else {
        t_string!(i18n, reception.not_counted).to_string()
    };
    let kind = (v.kind != VisitorKind::Prospect).then(|| kind_label(i18n, v.kind));
    let card_link = (!v.a_card_id.is_empty()).then(|| {
        view! {
            <A href=format!("/sales/a-cards/{}", v.a_card_id) attr:class="btn btn-secondary">
                {t!(i18n, reception.open_card)}
            </A>
        }
    });
    let build_link = (v.a_card_id.is_empty()
        && v.kind == VisitorKind::Prospect
        && !v.had_card_or_order)
        .then(|| {
            view! {
                <A href=format!("/sales/a-cards/new?visit={id}") attr:class="btn btn-secondary">
                    {t!(i18n, reception.build_card)}
                </A>
            }
        });
    view! {
        <tr class:visit-open=open>
            <td>{clock(&v.time_in)}</td>
            <td>{clock(&v.time_out)}</td>
            <td>{dwell}</td>
            <td>{source_label(i18n, v.source)}{kind.map(|k| format!(" · {k}"))}</td>
            <td>{v.group_size}</td>
            <td>{name_of(&v.consultant)}</td>
            <td>{model_name(i18n, settings, &v.model)}</td>
            <td>
                <span class=if v.rule.counted() { "badge badge-ok" } else { "badge badge-muted" }>{counted}</span>
                " "
                <span class="small">{rule_text(i18n, v.rule)}</span>
            </td>
            <td class="actions">
                {open
                    .then(|| {
                        view! {
                            <button type="button" class="btn btn-primary" on:click=move |_| leave(id)>
                                {t!(i18n, reception.leave)}
                            </button>
                        }
                    })}
                {card_link}
                {build_link}
                {withdraw.map(|withdraw| withdraw_buttons(i18n, id, withdraw))}
            </td>
        </tr>
    }
}

/// 撤销, then 确认撤销 / 取消 in its place.
fn withdraw_buttons<W: Fn(Uuid) + Copy + Send + Sync + 'static>(
    i18n: I18nContext<Locale>,
    id: Uuid,
    withdraw: W,
) -> impl IntoView + use<W> {
    let confirming = RwSignal::new(false);
    move || {
        if confirming.get() {
            view! {
                <button type="button" class="btn btn-danger" on:click=move |_| withdraw(id)>
                    {t!(i18n, reception.withdraw_confirm)}
                </button>
                <button type="button" class="btn btn-secondary" on:click=move |_| confirming.set(false)>
                    {t!(i18n, reception.withdraw_cancel)}
                </button>
            }
            .into_any()
        } else {
            view! {
                <button type="button" class="btn btn-secondary" on:click=move |_| confirming.set(true)>
                    {t!(i18n, reception.withdraw)}
                </button>
            }
            .into_any()
        }
    }
}

/// Who receives the visit: the day's rota order, showing `current`; a pick goes to `picked`.
#[component]
pub fn ConsultantSelect(
    id: &'static str,
    class: &'static str,
    rota: Memo<Option<RotaNow>>,
    current: Signal<String>,
    picked: RwSignal<Option<String>>,
    /// Offer "请选择" (nobody) first.
    #[prop(optional)]
    with_choose: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class=class>
            <label for=id>{t!(i18n, reception.consultant)}</label>
            <select
                id=id
                prop:value=move || current.get()
                on:change=move |ev| picked.set(Some(event_target_value(&ev)))
            >
                {with_choose.then(|| view! { <option value="">{t!(i18n, reception.choose)}</option> })}
                {move || {
                    let current = current.get();
                    rota.get()
                        .map(|r| r.order)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|c| {
                            let selected = c == current;
                            let name = name_of(&c);
                            view! { <option value=c selected=selected>{name}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </div>
    }
}

/// The form to log a visit for any consultant (the receptionist's or manager's desk).
#[component]
fn VisitForm(rota: Memo<Option<RotaNow>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    // The next up is offered until someone picks another consultant.
    let picked = RwSignal::new(None::<String>);
    let source = RwSignal::new(VisitSource::WalkIn.as_str().to_string());
    let kind = RwSignal::new(VisitorKind::Prospect.as_str().to_string());
    let group = RwSignal::new("1".to_string());
    let details = VisitDetails::new(sync);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<VisitCountRule>);
    let busy = RwSignal::new(false);
    let consultant = move || {
        let picked = picked.get();
        rota.with(|r| receiving_consultant(None, picked.as_deref(), r.as_ref().map(|r| &r.queue)))
            .unwrap_or_default()
    };
    let entry = move || {
        details.entry(VisitEntry {
            consultant: consultant(),
            source: VisitSource::parse(&source.get()).unwrap_or(VisitSource::WalkIn),
            visitor: VisitorKind::parse(&kind.get()).unwrap_or(VisitorKind::Prospect),
            group_size: group.get().trim().parse().unwrap_or(0),
            ..VisitEntry::default()
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let v = untrack(entry);
        let plan = match log_plan(Uuid::now_v7(), &v, now_local()) {
            Ok(plan) => plan,
            Err(e) => {
                error.set(Some(e.user_text(i18n)));
                return;
            }
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match run_plan(sync, i18n, plan).await {
                Ok(()) => {
                    error.set(None);
                    done.set(Some(v.count_rule()));
                    picked.set(None);
                    details.reset();
                    group.set("1".into());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };

    view! {
        <section class="panel" aria-labelledby="visit-form-title">
            <h2 id="visit-form-title">{t!(i18n, reception.form_title)}</h2>
            <form class="form visit-form" on:submit=submit novalidate>
                <ConsultantSelect
                    id="visit-consultant"
                    class="field"
                    rota=rota
                    current=Signal::derive(consultant)
                    picked=picked
                    with_choose=true
                />
                <div class="field">
                    <label for="visit-source">{t!(i18n, reception.source)}</label>
                    <select
                        id="visit-source"
                        prop:value=move || source.get()
                        on:change=move |ev| source.set(event_target_value(&ev))
                    >
                        {VisitSource::ALL
                            .into_iter()
                            .map(|s| {
                                view! {
                                    <option value=s.as_str() selected=move || source.get() == s.as_str()>
                                        {move || source_label(i18n, s)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="visit-kind">{t!(i18n, reception.visitor_kind)}</label>
                    <select
                        id="visit-kind"
                        prop:value=move || kind.get()
                        on:change=move |ev| kind.set(event_target_value(&ev))
                    >
                        {VisitorKind::ALL
                            .into_iter()
                            .map(|k| {
                                view! {
                                    <option value=k.as_str() selected=move || kind.get() == k.as_str()>
                                        {move || kind_label(i18n, k)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="visit-group">{t!(i18n, reception.group_size)}</label>
                    <input
                        id="visit-group"
                        type="number"
                        min="1"
                        inputmode="numeric"
                        prop:value=move || group.get()
                        on:input=move |ev| group.set(event_target_value(&ev))
                    />
                </div>
                <VisitDetailsFields
                    prefix="visit"
                    details=details
                    referral=Signal::derive(move || source.get() == VisitSource::Referral.as_str())
                    rule=Signal::derive(move || Some(entry().count_rule()))
                    phone_hint=true
                />
                <Alert message=error />
                {move || {
                    done.get()
                        .map(|r| {
                            view! {
                                <p class="notice notice-ok" role="status">
                                    {t!(i18n, reception.logged)} " " {rule_text(i18n, r)}
                                </p>
                            }
                        })
                }}
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || busy.get()>
                        {t!(i18n, reception.log_visit)}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// "已有A卡:张三(王芳)" / "已下订单" for a phone that is already known.
pub fn known_view(i18n: I18nContext<Locale>, sync: SyncCtx, k: KnownCustomer) -> impl IntoView {
    let card = k.a_card.and_then(|id| sync.record(id)).map(|c| {
        let (name, consultant) = (text(&c, "name"), name_of(&text(&c, "consultant_id")));
        view! {
            <A href=format!("/sales/a-cards/{}", c.id)>{name}</A>
            " (" {consultant} ")"
        }
    });
    view! {
        <p class="notice notice-warn" role="status">
            {t!(i18n, reception.known_customer)} " " {card}
            {k.has_order.then(|| format!(" · {}", t_string!(i18n, reception.has_order)))}
        </p>
    }
}
