//! `/sales/reception` (来店登记): the day's visit log of the whole showroom, the form to log a
//! visit for any consultant, the day's totals and the reception rota (接待轮值).
//!
//! Also the helpers the Today page (`today.rs`) shares: reading a stored visit, today's visits,
//! the rota of the day, the catalogue, the return-visit lookup. The rules themselves live in
//! `domain::sales::{visit, rota}`; this file only reads the sync cache and writes edits.

use std::collections::BTreeSet;

use domain::Role;
use domain::records::{RECEPTION_ROTA, VISIT};
use domain::sales::UserError;
use domain::sales::phone;
use domain::sales::rota::{
    RotaQueue, RotaState, RotaVisit, effective_order, move_in_order, queue, rota_record_id_of,
    takes_turn,
};
use domain::sales::visit::{
    DwellBucket, ReferralParty, VisitCountRule, VisitSource, VisitTally, VisitorKind,
    check_referral, check_withdraw, count_rule, dwell_bucket, stored_facts, totals,
};
use domain::sync::{Edit, RecordState};
use leptos::prelude::*;
use leptos_router::components::A;
use serde_json::{Value, json};
use uuid::Uuid;

use super::a_card::{model_name, text};
use crate::clock::{now_stored, store_clock, today_stored};
use crate::i18n::*;
use crate::session::use_session;
use crate::sync::{SyncCtx, use_sync};
use crate::ui::error::UserText;
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
        let had = match rec.value("had_card_or_order") {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s == "true",
            _ => false,
        };
        let facts = stored_facts(&text(rec, "source"), &text(rec, "visitor_kind"), had);
        let time_in = text(rec, "time_in");
        let time_out = text(rec, "time_out");
        let (dwell, minutes) = match (
            store_clock().parse(&time_in),
            store_clock().parse(&time_out),
        ) {
            (Some(i), Some(o)) => (
                dwell_bucket(i, Some(o)).ok().flatten(),
                (o >= i).then(|| (o - i).num_minutes()),
            ),
            _ => (None, None),
        };
        let group_size = match rec.value("group_size") {
            Some(Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        }
        .unwrap_or(1);
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

/// The store's catalogue models on sale: (code, name as shown).
pub fn catalogue(sync: SyncCtx, i18n: I18nContext<Locale>) -> Vec<(String, String)> {
    let settings = sync.records("sales_settings");
    let mut models: Vec<(String, String)> = settings
        .iter()
        .flat_map(|s| s.set("models"))
        .filter_map(|elem| serde_json::from_str::<Value>(elem).ok())
        .filter(|m| m["on_sale"].as_bool().unwrap_or(true))
        .filter_map(|m| m["code"].as_str().map(str::to_string))
        .map(|code| {
            let name = model_name(i18n, &settings, &code);
            (code, name)
        })
        .collect();
    models.sort_by(|a, b| a.1.cmp(&b.1));
    models.dedup();
    models
}

/// The catalogue as a `<select>`: value = model code, "" = not said.
#[component]
pub fn ModelSelect(id: &'static str, value: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let models = Memo::new(move |_| catalogue(sync, i18n));
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

/// A customer already known by phone: their A-card (id, name, consultant) and whether they
/// ordered (an A-card ordered or delivered, or a C-card with the phone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownCustomer {
    pub a_card: Option<(Uuid, String, String)>,
    pub has_order: bool,
}

/// Look a phone up among the store's A-cards and C-cards; `None` when the phone is not valid
/// yet or nobody has it.
pub fn known_customer(sync: SyncCtx, phone_input: &str) -> Option<KnownCustomer> {
    let wanted = phone::normalise(phone_input).ok()?;
    let same = |r: &RecordState| phone::normalise(&text(r, "phone")).is_ok_and(|p| p == wanted);
    let card = sync.records("a_card").into_iter().find(|c| same(c));
    let ordered_card = card.as_ref().is_some_and(|c| {
        matches!(
            c.status(&domain::records::A_CARD, "status"),
            Some("ordered" | "delivered")
        )
    });
    let c_card = sync.records("c_card").iter().any(same);
    if card.is_none() && !c_card {
        return None;
    }
    Some(KnownCustomer {
        a_card: card.map(|c| (c.id, text(&c, "name"), text(&c, "consultant_id"))),
        has_order: ordered_card || c_card,
    })
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
            {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
        </section>
    }
}

// ---- writing visits ----

/// Set the time out of a visit to now (离店).
pub async fn leave_now(sync: SyncCtx, i18n: I18nContext<Locale>, id: Uuid) -> Result<(), String> {
    let now = now_stored();
    sync.edit(id, &VISIT, move |state| {
        Ok(vec![Edit::new(state, &VISIT).set("time_out", json!(now))?])
    })
    .await
    .map(|_| ())
    .map_err(|e| e.user_text(i18n))
}

/// The new visit's fields as the reception form fills them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewVisit {
    pub consultant: String,
    pub source: Option<VisitSource>,
    pub kind: Option<VisitorKind>,
    pub group_size: u32,
    pub model: String,
    pub customer_phone: String,
    pub had_card_or_order: bool,
    pub a_card_id: Option<Uuid>,
    pub referrer_name: String,
    pub referrer_phone: String,
}

impl NewVisit {
    pub fn facts_rule(&self) -> VisitCountRule {
        count_rule(&stored_facts(
            self.source.map(VisitSource::as_str).unwrap_or_default(),
            self.kind.map(VisitorKind::as_str).unwrap_or_default(),
            self.had_card_or_order,
        ))
    }

    /// The referral check (转介绍): a referrer is needed and may not be the customer.
    pub fn referral_problem(&self) -> Option<domain::sales::visit::VisitError> {
        if self.source != Some(VisitSource::Referral) {
            return None;
        }
        let customer = ReferralParty {
            customer_id: self.a_card_id,
            phone: Some(self.customer_phone.clone()).filter(|p| !p.trim().is_empty()),
        };
        let referrer = ReferralParty {
            customer_id: None,
            phone: Some(self.referrer_phone.clone()).filter(|p| !p.trim().is_empty()),
        };
        check_referral(&customer, Some(&referrer)).err()
    }
}

/// Write a new visit now; returns its id.
pub async fn log_visit(
    sync: SyncCtx,
    i18n: I18nContext<Locale>,
    v: NewVisit,
) -> Result<Uuid, String> {
    let id = Uuid::now_v7();
    let now = now_stored();
    let source = v.source.unwrap_or(VisitSource::WalkIn);
    sync.edit(id, &VISIT, move |state| {
        let e = Edit::new(state, &VISIT);
        let mut c = vec![
            e.set("time_in", json!(now))?,
            e.set("source", json!(source.as_str()))?,
            e.set(
                "visitor_kind",
                json!(v.kind.unwrap_or(VisitorKind::Prospect).as_str()),
            )?,
            e.set("group_size", json!(v.group_size.max(1)))?,
            e.set("consultant_id", json!(v.consultant))?,
            e.set("had_card_or_order", json!(v.had_card_or_order))?,
        ];
        // A phone inquiry is logged once the call is over: it has no showroom stay.
        if source == VisitSource::PhoneInquiry {
            c.push(e.set("time_out", json!(now))?);
        }
        if !v.model.is_empty() {
            c.push(e.set("intended_model", json!(v.model))?);
        }
        if let Some(card) = v.a_card_id {
            c.push(e.set("a_card_id", json!(card.to_string()))?);
        }
        if source == VisitSource::Referral {
            if !v.referrer_name.trim().is_empty() {
                c.push(e.set("referrer_name", json!(v.referrer_name.trim()))?);
            }
            let p = phone::normalise(&v.referrer_phone)
                .unwrap_or_else(|_| v.referrer_phone.trim().to_string());
            c.push(e.set("referrer_phone", json!(p))?);
        }
        Ok(c)
    })
    .await
    .map(|_| id)
    .map_err(|e| e.user_text(i18n))
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
            {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
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
            error.set(leave_now(sync, i18n, id).await.err());
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

/// The form to log a visit for any consultant (the receptionist's or manager's desk).
#[component]
fn VisitForm(rota: Memo<Option<RotaNow>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let consultant = RwSignal::new(String::new());
    let source = RwSignal::new(VisitSource::WalkIn.as_str().to_string());
    let kind = RwSignal::new(VisitorKind::Prospect.as_str().to_string());
    let group = RwSignal::new("1".to_string());
    let model = RwSignal::new(String::new());
    let customer_phone = RwSignal::new(String::new());
    let had = RwSignal::new(false);
    let referrer_name = RwSignal::new(String::new());
    let referrer_phone = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<VisitCountRule>);
    let busy = RwSignal::new(false);

    // The next up is offered until someone picks another consultant.
    let picked = RwSignal::new(false);
    Effect::new(move || {
        let next = rota.with(|r| {
            r.as_ref()
                .and_then(|r| r.queue.next_up().map(str::to_string))
        });
        if !picked.get_untracked()
            && let Some(n) = next
        {
            consultant.set(n);
        }
    });
    let known = Memo::new(move |_| customer_phone.with(|p| known_customer(sync, p)));
    Effect::new(move || {
        if known.with(Option::is_some) {
            had.set(true);
        }
    });
    let fields = move || NewVisit {
        consultant: consultant.get(),
        source: VisitSource::parse(&source.get()),
        kind: VisitorKind::parse(&kind.get()),
        group_size: group.get().trim().parse().unwrap_or(0),
        model: model.get(),
        customer_phone: customer_phone.get(),
        had_card_or_order: had.get(),
        a_card_id: known.with(|k| k.as_ref().and_then(|k| k.a_card.as_ref().map(|c| c.0))),
        referrer_name: referrer_name.get(),
        referrer_phone: referrer_phone.get(),
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let v = untrack(fields);
        let lang = super::a_card::lang(i18n);
        let problem = if v.consultant.is_empty() {
            Some(t_string!(i18n, reception.need_consultant).to_string())
        } else if v.group_size == 0 {
            Some(domain::sales::visit::VisitError::EmptyGroup.message(lang))
        } else {
            v.referral_problem().map(|e| e.message(lang))
        };
        if problem.is_some() {
            error.set(problem);
            return;
        }
        busy.set(true);
        let rule = v.facts_rule();
        leptos::task::spawn_local(async move {
            match log_visit(sync, i18n, v).await {
                Ok(_) => {
                    error.set(None);
                    done.set(Some(rule));
                    picked.set(false);
                    customer_phone.set(String::new());
                    had.set(false);
                    referrer_name.set(String::new());
                    referrer_phone.set(String::new());
                    model.set(String::new());
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
                <div class="field">
                    <label for="visit-consultant">{t!(i18n, reception.consultant)}</label>
                    <select
                        id="visit-consultant"
                        prop:value=move || consultant.get()
                        on:change=move |ev| {
                            picked.set(true);
                            consultant.set(event_target_value(&ev));
                        }
                    >
                        <option value="">{t!(i18n, reception.choose)}</option>
                        {move || {
                            let current = consultant.get();
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
                <div class="field">
                    <label for="visit-model">{t!(i18n, reception.intended_model)}</label>
                    <ModelSelect id="visit-model" value=model />
                </div>
                <div class="field">
                    <label for="visit-phone">{t!(i18n, reception.customer_phone)}</label>
                    <input
                        id="visit-phone"
                        type="tel"
                        inputmode="tel"
                        autocomplete="off"
                        prop:value=move || customer_phone.get()
                        on:input=move |ev| customer_phone.set(event_target_value(&ev))
                    />
                    <p class="hint">{t!(i18n, reception.customer_phone_hint)}</p>
                </div>
                {move || known.get().map(|k| known_view(i18n, k))}
                <div class="field field-check">
                    <label>
                        <input
                            type="checkbox"
                            prop:checked=move || had.get()
                            on:change=move |ev| had.set(event_target_checked(&ev))
                        />
                        " "
                        {t!(i18n, reception.had_card_or_order)}
                    </label>
                </div>
                <Show when=move || source.get() == VisitSource::Referral.as_str()>
                    <div class="field">
                        <label for="visit-referrer-name">{t!(i18n, reception.referrer_name)}</label>
                        <input
                            id="visit-referrer-name"
                            type="text"
                            autocomplete="off"
                            prop:value=move || referrer_name.get()
                            on:input=move |ev| referrer_name.set(event_target_value(&ev))
                        />
                    </div>
                    <div class="field">
                        <label for="visit-referrer-phone">{t!(i18n, reception.referrer_phone)}</label>
                        <input
                            id="visit-referrer-phone"
                            type="tel"
                            inputmode="tel"
                            autocomplete="off"
                            prop:value=move || referrer_phone.get()
                            on:input=move |ev| referrer_phone.set(event_target_value(&ev))
                        />
                    </div>
                </Show>
                <p class="visit-rule">
                    {t!(i18n, reception.rule)} ": "
                    {move || rule_text(i18n, fields().facts_rule())}
                </p>
                {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
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
pub fn known_view(i18n: I18nContext<Locale>, k: KnownCustomer) -> impl IntoView + use<> {
    let card = k.a_card.map(|(id, name, consultant)| {
        view! {
            <A href=format!("/sales/a-cards/{id}")>{name}</A>
            " (" {name_of(&consultant)} ")"
        }
    });
    view! {
        <p class="notice notice-warn" role="status">
            {t!(i18n, reception.known_customer)} " " {card}
            {k.has_order.then(|| format!(" · {}", t_string!(i18n, reception.has_order)))}
        </p>
    }
}

// ---- building an A-card from a visit ----

/// The visit a new A-card is built from (`/sales/a-cards/new?visit=<id>`, the 建A卡 links):
/// its id, intended model and source, to prefill the form.
pub fn visit_of_query() -> Option<(Uuid, String, String)> {
    let query = leptos_router::hooks::use_query_map();
    let id = query
        .with_untracked(|q| q.get("visit"))
        .and_then(|s| Uuid::parse_str(&s).ok())?;
    let rec = untrack(|| use_sync().record(id))?;
    (rec.record_type == "visit").then(|| (id, text(&rec, "intended_model"), text(&rec, "source")))
}

/// Writes the new A-card's id onto the visit it was built from (the visit then links to it).
pub async fn link_visit(sync: SyncCtx, visit: Uuid, card: Uuid) {
    let result = sync
        .edit(visit, &VISIT, move |state| {
            Ok(vec![
                Edit::new(state, &VISIT).set("a_card_id", json!(card.to_string()))?,
            ])
        })
        .await;
    if let Err(e) = result {
        leptos::logging::warn!("forecourt: cannot link visit {visit} to A-card {card}: {e:?}");
    }
}
