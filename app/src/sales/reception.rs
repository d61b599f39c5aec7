//! `/sales/reception` (来店登记): the day's visit log of the whole showroom, the form to log a
//! visit for any consultant, the day's totals and the reception rota (接待轮值).
//!
//! Also the parts the Today page (`today.rs`) shares: reading a stored visit, today's visits,
//! the rota of the day, the catalogue select, the return-visit lookup and the visit form's
//! details ([`VisitDetails`]). The rules and the writes (plans) live in
//! `domain::sales::{visit, visit_log, rota}`; this file reads the sync cache and runs the plans.

use std::collections::BTreeSet;

use domain::Role;
use domain::records::sales::{ACard, CCard, Visit};
use domain::records::{RECEPTION_ROTA, VISIT};
use domain::sales::loss::ACardStatus;
use domain::sales::rota::{
    RotaQueue, RotaState, RotaVisit, effective_order, move_in_order, queue, receiving_consultant,
    rota_record_id_of, takes_turn,
};
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

use super::words::{catalogue_of, model_label, model_name};
use crate::clock::{now_local, store_clock, today_stored};
use crate::i18n::*;
use crate::session::use_session;
use crate::sync::{EditError, SyncCtx, use_sync};
use crate::ui::alert::Alert;
use crate::ui::edit::{EditState, use_edit};
use crate::ui::error::UserText;
use crate::ui::field::choice::EnumSelect;
use crate::ui::field::{Bind, Checkbox, NumberField, Select, TextField};
use crate::ui::kinds::text;
use crate::ui::labels::{Words, who};
use crate::ui::panel::Panel;
use crate::ui::record_page::field_rows;
use crate::ui::table::{Column, Columns, DataTable};

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

/// The visits of `date` (`YYYY-MM-DD`), read through the `by_day` index.
pub fn read_visits_on(sync: SyncCtx, date: String) -> crate::sync::Reading {
    sync.read(move || {
        Some(crate::sync::Query::Days {
            record_type: "visit",
            from: date.clone(),
            to: date.clone(),
        })
    })
}

/// Of `visits`, those whose time in is on `date` (`YYYY-MM-DD`), newest first.
pub fn visits_on(visits: &[RecordState], date: &str) -> Vec<VisitRow> {
    let mut rows: Vec<VisitRow> = visits
        .iter()
        .filter(|v| !v.is_deleted() && text(v, "time_in").starts_with(date))
        .map(VisitRow::of)
        .collect();
    rows.sort_by(|a, b| (&b.time_in, b.id).cmp(&(&a.time_in, a.id)));
    rows
}

/// `HH:MM` of a stored local time ("" when empty).
pub fn clock(t: &str) -> String {
    t.get(11..16).unwrap_or_default().to_string()
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
            label(i18n, b)
        ),
        _ => String::new(),
    }
}

// ---- the catalogue ----

/// The store's catalogue models on sale: (code, name as shown), by name.
fn models_on_sale(sync: SyncCtx, i18n: I18nContext<Locale>) -> Vec<(String, String)> {
    let mut models: Vec<(String, String)> = catalogue_of(&sync.records("sales_settings"))
        .models
        .iter()
        .filter(|m| m.on_sale)
        .map(|m| (m.code.clone(), model_label(i18n, m)))
        .collect();
    models.sort_by(|a, b| a.1.cmp(&b.1));
    models
}

// ---- return visits ----

/// The A-cards and C-cards a phone search finds (index `by_term`), for [`known_customer`].
pub fn read_phone(sync: SyncCtx, phone_input: Signal<String>) -> crate::sync::Reading {
    sync.read(move || {
        let text = phone_input.get();
        // A phone number is looked up once it has a tail's digits.
        (text.chars().filter(char::is_ascii_digit).count() >= domain::records::index::PHONE_TAIL)
            .then_some(crate::sync::Query::Term { text, limit: 50 })
    })
}

/// Look a phone up among `found`, the store's A-cards and C-cards a search for it found
/// ([`read_phone`]; `domain::sales::visit_log::known_customer`).
pub fn known_customer(found: &[RecordState], phone_input: &str) -> Option<KnownCustomer> {
    let clock = store_clock();
    let live = || found.iter().filter(|r| !r.is_deleted());
    let cards: Vec<ACard> = live()
        .filter(|r| r.record_type == "a_card")
        .map(|c| ACard::of(c, clock))
        .collect();
    let c_cards: Vec<CCard> = live()
        .filter(|r| r.record_type == "c_card")
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

/// The signed-in user as the sales screens see them.
#[derive(Debug, Clone, Default)]
pub struct Me {
    pub id: String,
    pub store: String,
    /// A sales consultant (在岗顾问): on the rota, logs visits for themself.
    pub consultant: bool,
    /// A sales manager or the general manager: sees everyone's cards.
    pub manager: bool,
}

/// The signed-in user (call while rendering).
pub fn me() -> Option<Me> {
    let session = use_session();
    session.session.with_untracked(|s| {
        let s = s.as_ref()?;
        let roles = &s.user.roles;
        Some(Me {
            id: s.user.id.clone(),
            store: s.user.store_id.clone(),
            consultant: roles.contains(&Role::SalesConsultant),
            manager: roles
                .iter()
                .any(|r| matches!(r, Role::SalesManager | Role::GeneralManager)),
        })
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
/// on the day's visits, and the signed-in user when a consultant; in id order, so every device
/// proposes the same order.
fn known_consultants(visits: &[VisitRow]) -> Vec<String> {
    let mut ids: BTreeSet<String> = crate::directory::consultants()
        .into_iter()
        .map(|p| p.id)
        .collect();
    for v in visits {
        if !v.consultant.is_empty() {
            ids.insert(v.consultant.clone());
        }
    }
    if let Some(Me {
        id,
        consultant: true,
        ..
    }) = me()
    {
        ids.insert(id);
    }
    ids.into_iter().collect()
}

/// The rota of `date` with `visits` (that day's visits).
pub fn rota_now(sync: SyncCtx, date: &str, visits: &[VisitRow]) -> Option<RotaNow> {
    let store = me()?.store;
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
    let order = effective_order(&stored, &known_consultants(visits));
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
    id: Uuid,
    date: String,
    change: RotaChange,
) -> Result<RecordState, EditError> {
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
}

words! {
    fn state_label(s: RotaState) -> String {
        RotaState::Free => reception.rota_free,
        RotaState::WithCustomer => reception.rota_busy,
        RotaState::Away => reception.rota_away,
    }
}

/// The rota panel: the queue with the next up highlighted, 暂离 / 回来, and for a sales manager
/// the day's order with ↑ / ↓.
#[component]
pub fn RotaPanel(rota: Memo<Option<RotaNow>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let manager = me().is_some_and(|m| m.manager);
    let run = move |change: RotaChange| {
        if let Some(r) = rota.get_untracked() {
            edit.run(change_rota(sync, r.id, today_stored(), change), |_| ());
        }
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
                    Some(n) => format!("{}{}", t_string!(i18n, reception.next_up), who(n)),
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
                                        <span class="rota-name">{who(&s.consultant)}</span>
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
                                            let name = who(c);
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
            <Alert message=edit.error />
        </section>
    }
}

// ---- writing visits ----

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
        let found = read_phone(sync, phone.into());
        let known =
            Memo::new(move |_| found.records.with(|f| phone.with(|p| known_customer(f, p))));
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
    let models = Memo::new(move |_| models_on_sale(sync, i18n));
    let unknown = Signal::derive(move || t_string!(i18n, reception.model_unknown).to_string());
    let hint = Signal::derive(move || {
        phone_hint.then(|| t_string!(i18n, reception.customer_phone_hint).to_string())
    });
    view! {
        <Select id=id("model") value=details.model options=models blank=unknown>
            {t!(i18n, reception.intended_model)}
        </Select>
        <TextField
            id=id("phone")
            value=details.phone
            kind="tel"
            inputmode="tel"
            autocomplete="off"
            hint=hint
        >
            {t!(i18n, reception.customer_phone)}
        </TextField>
        {move || details.known.get().map(|k| known_view(i18n, sync, k))}
        <Checkbox checked=details.had>{t!(i18n, reception.had_card_or_order)}</Checkbox>
        <Show when=move || referral.get()>
            <TextField id=id("referrer-name") value=details.referrer_name autocomplete="off">
                {t!(i18n, reception.referrer_name)}
            </TextField>
            <TextField
                id=id("referrer-phone")
                value=details.referrer_phone
                kind="tel"
                inputmode="tel"
                autocomplete="off"
            >
                {t!(i18n, reception.referrer_phone)}
            </TextField>
        </Show>
        <p class="visit-rule">
            {t!(i18n, reception.rule)} ": " {move || rule.get().map(|r| label(i18n, r))}
        </p>
    }
}

// ---- the page ----

/// Today (`YYYY-MM-DD`), its visits (newest first) and its rota, tracking changes (call while
/// rendering).
pub fn use_today() -> (String, Memo<Vec<VisitRow>>, Memo<Option<RotaNow>>) {
    let sync = use_sync();
    let today = today_stored();
    let read = read_visits_on(sync, today.clone());
    let visits = Memo::new({
        let today = today.clone();
        move |_| read.records.with(|v| visits_on(v, &today))
    });
    let rota = Memo::new({
        let today = today.clone();
        move |_| visits.with(|v| rota_now(sync, &today, v))
    });
    (today, visits, rota)
}

/// `/sales/reception`.
#[component]
pub fn ReceptionPage() -> impl IntoView {
    let i18n = use_i18n();
    let (today, visits, rota) = use_today();
    view! {
        <Panel id="reception-title" page=true title=move || t!(i18n, reception.title) actions=move || view! {
            <span class="muted">{today.clone()}</span>
        }>
            {move || {
                let t = visits.with(|v| totals(&v.iter().map(VisitRow::tally).collect::<Vec<_>>()));
                let dwell = |b: DwellBucket| label(i18n, b).to_string();
                let items = [
                    (t_string!(i18n, reception.total_groups).to_string(), t.groups_counted),
                    (t_string!(i18n, reception.total_phone).to_string(), t.phone_inquiries),
                    (dwell(DwellBucket::Under15), t.by_dwell[0]),
                    (dwell(DwellBucket::From15To30), t.by_dwell[1]),
                    (dwell(DwellBucket::Over30), t.by_dwell[2]),
                    (t_string!(i18n, reception.total_in_store).to_string(), t.still_in),
                    (t_string!(i18n, reception.total_logged).to_string(), t.logged),
                ];
                view! {
                    <dl class="reception-totals" aria-label=t_string!(i18n, reception.totals).to_string()>
                        {field_rows(items)}
                    </dl>
                }
            }}
        </Panel>
        <div class="reception-columns">
            <RotaPanel rota=rota />
            <VisitForm rota=rota />
        </div>
        <Panel id="visit-log-title" title=move || t!(i18n, reception.log_title)>
            <VisitLog
                rows=visits
                empty=|i| t_string!(i, reception.log_empty)
            />
        </Panel>
    }
}

/// Takes a logged visit back (撤销) for user `me_id`: it goes to the bin, where a manager can
/// restore it. The rule (`domain::sales::visit::check_withdraw`) is checked against the visit as
/// stored now; a refusal or a failed edit shows in `edit`.
fn withdraw_visit(
    sync: SyncCtx,
    edit: EditState,
    i18n: I18nContext<Locale>,
    id: Uuid,
    (me_id, manager): (&str, bool),
) {
    if let Some(rec) = sync.record(id) {
        let v = VisitRow::of(&rec);
        let allowed = check_withdraw(
            &v.consultant,
            &v.time_in,
            &v.a_card_id,
            me_id,
            manager,
            crate::clock::today(),
            store_clock(),
        );
        if let Err(e) = allowed {
            return edit.fail(e.user_text(i18n));
        }
    }
    edit.run(
        sync.edit(id, &VISIT, move |state| {
            Ok(vec![Edit::new(state, &VISIT).delete()])
        }),
        |_| (),
    );
}

/// A visit log (the reception page's and the Today page's): one row per visit with its
/// actions — 离店, 撤销 (with a confirmation; only where the withdraw rule allows it), open or
/// build the A-card. A failed action's message shows above it.
#[component]
pub fn VisitLog(#[prop(into)] rows: Signal<Vec<VisitRow>>, empty: Words) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let Me {
        id: me_id, manager, ..
    } = me().unwrap_or_default();
    let today = crate::clock::today();
    let leave = move |id: Uuid| {
        let plan = leave_plan(id, now_local());
        edit.run(async move { sync.execute(&plan).await }, |_| ());
    };
    let actor = StoredValue::new(me_id);
    let withdraw = move |id: Uuid| {
        actor.with_value(|me_id| withdraw_visit(sync, edit, i18n, id, (me_id, manager)))
    };
    let may_withdraw = move |v: &VisitRow| {
        actor.with_value(|me_id| {
            check_withdraw(
                &v.consultant,
                &v.time_in,
                &v.a_card_id,
                me_id,
                manager,
                today,
                store_clock(),
            )
            .is_ok()
        })
    };
    let columns = Columns::new(vec![
        Column::text(
            |i| t_string!(i, reception.time_in),
            |v: &VisitRow| clock(&v.time_in),
        ),
        Column::text(
            |i| t_string!(i, reception.time_out),
            |v: &VisitRow| clock(&v.time_out),
        ),
        Column::text(
            |i| t_string!(i, reception.dwell),
            move |v: &VisitRow| {
                if v.is_open() {
                    t_string!(i18n, reception.in_store).to_string()
                } else {
                    dwell_text(i18n, v)
                }
            },
        ),
        Column::text(
            |i| t_string!(i, reception.source),
            move |v: &VisitRow| {
                let source = label(i18n, v.source);
                match v.kind {
                    VisitorKind::Prospect => source.to_string(),
                    kind => format!("{source} · {}", label(i18n, kind)),
                }
            },
        ),
        Column::text(
            |i| t_string!(i, reception.group_size),
            |v: &VisitRow| v.group_size.to_string(),
        ),
        Column::text(
            |i| t_string!(i, reception.consultant),
            |v: &VisitRow| who(&v.consultant),
        ),
        Column::text(
            |i| t_string!(i, reception.intended_model),
            move |v: &VisitRow| {
                model_name(i18n, &untrack(|| sync.records("sales_settings")), &v.model)
            },
        ),
        Column::view_only(
            |i| t_string!(i, reception.rule),
            move |v: &VisitRow| {
                let (class, counted) = if v.rule.counted() {
                    ("badge badge-ok", t_string!(i18n, reception.counted))
                } else {
                    ("badge badge-muted", t_string!(i18n, reception.not_counted))
                };
                view! {
                    <span class=class>{counted}</span>
                    " "
                    <span class="small">{label(i18n, v.rule)}</span>
                }
                .into_any()
            },
        ),
        Column::view_only(
            |i| t_string!(i, reception.actions),
            move |v: &VisitRow| {
                visit_actions(i18n, v, leave, may_withdraw(v).then_some(withdraw)).into_any()
            },
        )
        .class("actions")
        .hidden_heading(),
    ]);
    view! {
        <Alert message=edit.error />
        <DataTable
            columns=columns
            rows=rows
            class="visit-log"
            empty=empty
            row_class=|v: &VisitRow| v.is_open().then_some("visit-open")
        />
    }
}

/// A visit's actions: 离店 while in the store, open or build its A-card, 撤销 where allowed.
fn visit_actions<F, W>(
    i18n: I18nContext<Locale>,
    v: &VisitRow,
    leave: F,
    withdraw: Option<W>,
) -> impl IntoView + use<F, W>
where
    F: Fn(Uuid) + Copy + Send + Sync + 'static,
    W: Fn(Uuid) + Copy + Send + Sync + 'static,
{
    let id = v.id;
    let leave_button = v.is_open().then(|| {
        view! {
            <button type="button" class="btn btn-primary" on:click=move |_| leave(id)>
                {t!(i18n, reception.leave)}
            </button>
        }
    });
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
        {leave_button}
        {card_link}
        {build_link}
        {withdraw.map(|withdraw| withdraw_buttons(i18n, id, withdraw))}
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

/// Who can receive a visit: the day's rota order, as (user id, name).
pub fn consultant_options(rota: Memo<Option<RotaNow>>) -> Signal<Vec<(String, String)>> {
    Signal::derive(move || {
        rota.with(|r| {
            r.iter()
                .flat_map(|r| r.order.iter())
                .map(|c| (c.clone(), who(c)))
                .collect()
        })
    })
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
    let edit = use_edit();
    let done = RwSignal::new(None::<VisitCountRule>);
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
        let v = untrack(entry);
        match log_plan(Uuid::now_v7(), &v, now_local()) {
            Ok(plan) => edit.run(async move { sync.execute(&plan).await }, move |_| {
                done.set(Some(v.count_rule()));
                picked.set(None);
                details.reset();
                group.set("1".into());
            }),
            Err(e) => edit.fail(e.user_text(i18n)),
        }
    };
    let choose = Signal::derive(move || t_string!(i18n, reception.choose).to_string());

    view! {
        <Panel id="visit-form-title" title=move || t!(i18n, reception.form_title)>
            <form class="form visit-form" on:submit=submit novalidate>
                <Select
                    id="visit-consultant"
                    value=Bind::new(consultant, move |c| picked.set(Some(c)))
                    options=consultant_options(rota)
                    blank=choose
                >
                    {t!(i18n, reception.consultant)}
                </Select>
                <EnumSelect<VisitSource> id="visit-source" value=source>
                    {t!(i18n, reception.source)}
                </EnumSelect<VisitSource>>
                <EnumSelect<VisitorKind> id="visit-kind" value=kind>
                    {t!(i18n, reception.visitor_kind)}
                </EnumSelect<VisitorKind>>
                <NumberField id="visit-group" value=group min="1">
                    {t!(i18n, reception.group_size)}
                </NumberField>
                <VisitDetailsFields
                    prefix="visit"
                    details=details
                    referral=Signal::derive(move || source.get() == VisitSource::Referral.as_str())
                    rule=Signal::derive(move || Some(entry().count_rule()))
                    phone_hint=true
                />
                <Alert message=edit.error />
                {move || {
                    done.get()
                        .map(|r| {
                            view! {
                                <p class="notice notice-ok" role="status">
                                    {t!(i18n, reception.logged)} " " {label(i18n, r)}
                                </p>
                            }
                        })
                }}
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || edit.busy.get()>
                        {t!(i18n, reception.log_visit)}
                    </button>
                </div>
            </form>
        </Panel>
    }
}

/// "已有A卡:张三(王芳)" / "已下订单" for a phone that is already known.
pub fn known_view(i18n: I18nContext<Locale>, sync: SyncCtx, k: KnownCustomer) -> impl IntoView {
    let card = k.a_card.and_then(|id| sync.record(id)).map(|c| {
        let (name, consultant) = (text(&c, "name"), who(&text(&c, "consultant_id")));
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
