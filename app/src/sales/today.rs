//! `/sales` (今日): the consultant's home for the day. At the top the quick reception (one tap on
//! a source logs a visit now; a small sheet adjusts group size, intended model and return visit,
//! and shows which counting rule applied); then my visits of today with 离店, today's follow-ups
//! (overdue first, from `domain::sales::grade::today_list`) and the sleeping cards to re-activate
//! (`/sales/sleeping`). Cadence and sleeping days come from the store's `sales_settings`.

use crate::clock::{store_clock, stored_date_of_ms, today_stored};
use domain::records::{A_CARD, VISIT};
use domain::sales::UserError;
use domain::sales::grade::{
    CadenceSettings, FollowUpCard, IntentionGrade, SleepSettings, TodayEntry, Urgency,
    sleeping_cards, today_list,
};
use domain::sales::visit::{VisitCountRule, VisitSource};
use domain::sync::{Edit, RecordState};
use leptos::prelude::*;
use leptos_router::components::A;
use serde_json::{Value, json};
use uuid::Uuid;

use super::a_card::{phone_display, text};
use super::reception::{
    KnownCustomer, ModelSelect, NewVisit, RotaNow, VisitRow, clock, known_customer, known_view,
    log_visit, me, name_of, rota_now, rule_text, source_label, visit_table, visits_on,
};
use crate::i18n::*;
use crate::sales::words::grade_label;
use crate::sync::{SyncCtx, use_sync};
use crate::ui::error::UserText;

/// A whole-number store setting (`cadence_h_days`, `sleep_days`, …), if set.
fn setting(settings: &[RecordState], field: &str) -> Option<u32> {
    settings.iter().find_map(|s| match s.value(field) {
        Some(Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Some(Value::String(t)) => t.trim().parse().ok(),
        _ => None,
    })
}

/// The store's follow-up cadence and sleeping limit; the domain defaults when unset or invalid.
fn store_rules(sync: SyncCtx) -> (CadenceSettings, SleepSettings) {
    let settings = sync.records("sales_settings");
    let d = CadenceSettings::default();
    let days = |field: &str, grade| setting(&settings, field).unwrap_or(d.interval_days(grade));
    let cadence = CadenceSettings::new(
        days("cadence_h_days", IntentionGrade::H),
        days("cadence_a_days", IntentionGrade::A),
        days("cadence_b_days", IntentionGrade::B),
        days("cadence_c_days", IntentionGrade::C),
    )
    .unwrap_or_default();
    let sleep = setting(&settings, "sleep_days")
        .and_then(|d| SleepSettings::new(d).ok())
        .unwrap_or_default();
    (cadence, sleep)
}

/// The A-cards being followed (status 跟进中) of `consultant` as the follow-up rules see them:
/// the last contact is the latest follow-up, else the card's first contact. A card without a
/// grade is followed like a C card, so it is never left out.
fn followed_cards(sync: SyncCtx, consultant: &str) -> Vec<(FollowUpCard, RecordState)> {
    sync.records("a_card")
        .into_iter()
        .filter(|c| text(c, "consultant_id") == consultant)
        .filter(|c| c.status(&A_CARD, "status").unwrap_or("following") == "following")
        .filter_map(|c| {
            let first = text(&c, "first_contact_at");
            let last_log = c
                .log("follow_ups")
                .iter()
                .map(|e| e.hlc.wall_ms)
                .max()
                .map(stored_date_of_ms);
            let last = [Some(first), last_log]
                .into_iter()
                .flatten()
                .filter_map(|s| store_clock().parse_date(&s))
                .max()?;
            let grade = IntentionGrade::parse(&text(&c, "grade")).unwrap_or(IntentionGrade::C);
            Some((
                FollowUpCard {
                    id: c.id,
                    grade,
                    last_contact: last,
                    planned: store_clock().parse_date(&text(&c, "next_follow_up")),
                },
                c,
            ))
        })
        .collect()
}

/// `/sales`: the consultant's Today page.
#[component]
pub fn SalesHome() -> impl IntoView {
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
    view! {
        <section class="panel" aria-labelledby="sales-home-title">
            <div class="panel-head">
                <h1 id="sales-home-title">{t!(i18n, sales_nav.today)}</h1>
                <A href="/sales/a-cards/new" attr:class="btn btn-primary">
                    {t!(i18n, a_card.new)}
                </A>
            </div>
            <QuickReception rota=rota />
        </section>
        <MyVisits visits=visits />
        <FollowUpsToday today=today.clone() />
        <NewCardsToday today=today />
    }
}

/// The A-cards built today: mine, or the whole store's for a sales manager.
#[component]
fn NewCardsToday(today: String) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let me = me();
    let manager = me.as_ref().is_some_and(|m| m.3);
    let my_id = me.map(|m| m.0).unwrap_or_default();
    let cards = Memo::new(move |_| {
        let mut cards: Vec<RecordState> = sync
            .records("a_card")
            .into_iter()
            .filter(|c| text(c, "first_contact_at").starts_with(&today))
            .filter(|c| manager || text(c, "consultant_id") == my_id)
            .collect();
        cards.sort_by_key(|c| std::cmp::Reverse(text(c, "first_contact_at")));
        cards
    });
    view! {
        <section class="panel" aria-labelledby="new-cards-today-title">
            <h2 id="new-cards-today-title">{t!(i18n, reception.new_cards_title)}</h2>
            {move || {
                let cards = cards.get();
                if cards.is_empty() {
                    return view! { <p class="muted">{t!(i18n, reception.new_cards_empty)}</p> }.into_any();
                }
                let settings = sync.records("sales_settings");
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, a_card.name)}</th>
                                    <th scope="col">{t!(i18n, a_card.phone)}</th>
                                    <th scope="col">{t!(i18n, a_card.intended_model)}</th>
                                    <th scope="col">{t!(i18n, a_card.grade)}</th>
                                    <th scope="col">{t!(i18n, a_card.consultant)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {cards
                                    .into_iter()
                                    .map(|c| {
                                        let name = text(&c, "name");
                                        view! {
                                            <tr>
                                                <th scope="row">
                                                    <A href=format!("/sales/a-cards/{}", c.id)>{name}</A>
                                                </th>
                                                <td>{phone_display(&text(&c, "phone"))}</td>
                                                <td>{super::a_card::model_name(i18n, &settings, &text(&c, "intended_model"))}</td>
                                                <td>{grade_label(i18n, &text(&c, "grade"))}</td>
                                                <td>{name_of(&text(&c, "consultant_id"))}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
    }
}

/// What the sheet after the first tap edits.
#[derive(Debug, Clone, PartialEq)]
struct Sheet {
    id: Uuid,
    source: VisitSource,
    time_in: String,
    consultant: String,
}

/// One tap on a source logs the visit now; the sheet then adjusts it.
#[component]
fn QuickReception(rota: Memo<Option<RotaNow>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let sheet = RwSignal::new(None::<Sheet>);
    let group = RwSignal::new(1u32);
    let model = RwSignal::new(String::new());
    let phone_in = RwSignal::new(String::new());
    let had = RwSignal::new(false);
    let referrer_name = RwSignal::new(String::new());
    let referrer_phone = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<(Sheet, VisitCountRule)>);
    let busy = RwSignal::new(false);
    let me = me();
    let is_consultant = me.as_ref().is_some_and(|m| m.2);
    let my_id = me.map(|m| m.0).unwrap_or_default();
    // A consultant logs for themself; anyone else (the receptionist's desk) for the next up.
    let chosen = RwSignal::new(String::new());
    let for_whom = move || {
        if is_consultant {
            return my_id.clone();
        }
        let c = chosen.get();
        if c.is_empty() {
            rota.with(|r| {
                r.as_ref()
                    .and_then(|r| r.queue.next_up().map(str::to_string))
                    .unwrap_or_default()
            })
        } else {
            c
        }
    };
    let for_whom = StoredValue::new(for_whom);

    let known = Memo::new(move |_| phone_in.with(|p| known_customer(sync, p)));
    Effect::new(move || {
        if known.with(Option::is_some) {
            had.set(true);
        }
    });
    let rule_now = move || {
        sheet.with(|s| {
            s.as_ref().map(|s| {
                let v = NewVisit {
                    source: Some(s.source),
                    had_card_or_order: had.get(),
                    ..NewVisit::default()
                };
                rule_of(&v)
            })
        })
    };

    let tap = move |source: VisitSource| {
        if busy.get_untracked() {
            return;
        }
        let consultant = for_whom.with_value(|f| untrack(f));
        if consultant.is_empty() {
            error.set(Some(t_string!(i18n, reception.need_consultant).to_string()));
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let v = NewVisit {
                consultant: consultant.clone(),
                source: Some(source),
                group_size: 1,
                ..NewVisit::default()
            };
            match log_visit(sync, i18n, v).await {
                Ok(id) => {
                    let time_in = sync
                        .record(id)
                        .map(|r| text(&r, "time_in"))
                        .unwrap_or_default();
                    group.set(1);
                    model.set(String::new());
                    phone_in.set(String::new());
                    had.set(false);
                    referrer_name.set(String::new());
                    referrer_phone.set(String::new());
                    error.set(None);
                    done.set(None);
                    sheet.set(Some(Sheet {
                        id,
                        source,
                        time_in,
                        consultant,
                    }));
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };

    let confirm = move |_| {
        let Some(s) = sheet.get_untracked() else {
            return;
        };
        let lang = super::a_card::lang(i18n);
        let card =
            known.with_untracked(|k| k.as_ref().and_then(|k| k.a_card.as_ref().map(|c| c.0)));
        let had_now = had.get_untracked();
        let (g, m) = (group.get_untracked(), model.get_untracked());
        let (rn, rp) = (
            referrer_name.get_untracked(),
            referrer_phone.get_untracked(),
        );
        if s.source == VisitSource::Referral {
            let v = NewVisit {
                source: Some(s.source),
                customer_phone: phone_in.get_untracked(),
                a_card_id: card,
                referrer_phone: rp.clone(),
                ..NewVisit::default()
            };
            if let Some(e) = referral_problem(&v) {
                error.set(Some(e.message(lang)));
                return;
            }
        }
        let rule = rule_of(&NewVisit {
            source: Some(s.source),
            had_card_or_order: had_now,
            ..NewVisit::default()
        });
        let unchanged = g == 1
            && m.is_empty()
            && !had_now
            && card.is_none()
            && rn.trim().is_empty()
            && rp.trim().is_empty();
        leptos::task::spawn_local(async move {
            // The visit as logged by the first tap already says it all: nothing to write.
            let result = if unchanged {
                Ok(())
            } else {
                sync.edit(s.id, &VISIT, move |state| {
                    let e = Edit::new(state, &VISIT);
                    let mut c = Vec::new();
                    if g != 1 {
                        c.push(e.set("group_size", json!(g))?);
                    }
                    if !m.is_empty() {
                        c.push(e.set("intended_model", json!(m))?);
                    }
                    if had_now {
                        c.push(e.set("had_card_or_order", json!(true))?);
                    }
                    if let Some(card) = card {
                        c.push(e.set("a_card_id", json!(card.to_string()))?);
                    }
                    if !rn.trim().is_empty() {
                        c.push(e.set("referrer_name", json!(rn.trim()))?);
                    }
                    if !rp.trim().is_empty() {
                        let p = domain::sales::phone::normalise(&rp)
                            .unwrap_or_else(|_| rp.trim().to_string());
                        c.push(e.set("referrer_phone", json!(p))?);
                    }
                    Ok(c)
                })
                .await
                .map(|_| ())
            };
            match result {
                Ok(()) => {
                    // No context lookups here (no reactive owner in a task): names are
                    // drawn by the view below.
                    error.set(None);
                    done.set(Some((s, rule)));
                    sheet.set(None);
                }
                Err(e) => error.set(Some(e.user_text(i18n))),
            }
        });
    };

    view! {
        <div class="quick-reception">
            <h2 class="quick-title">{t!(i18n, reception.quick_title)}</h2>
            {(!is_consultant)
                .then(|| {
                    view! {
                        <div class="field quick-for">
                            <label for="quick-consultant">{t!(i18n, reception.consultant)}</label>
                            <select
                                id="quick-consultant"
                                on:change=move |ev| chosen.set(event_target_value(&ev))
                            >
                                {move || {
                                    let current = for_whom.with_value(|f| f());
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
                })}
            <div class="quick-sources" role="group" aria-label=move || t_string!(i18n, reception.source).to_string()>
                {VisitSource::ALL
                    .into_iter()
                    .map(|s| {
                        view! {
                            <button
                                type="button"
                                class="btn btn-secondary quick-source"
                                disabled=move || busy.get()
                                on:click=move |_| tap(s)
                            >
                                {move || source_label(i18n, s)}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            {move || {
                done.get()
                    .map(|(s, rule)| {
                        let what = format!(
                            "{} {} · {}",
                            clock(&s.time_in),
                            source_label(i18n, s.source),
                            name_of(&s.consultant)
                        );
                        view! {
                            <p class="notice notice-ok quick-done" role="status">
                                {t!(i18n, reception.logged)} " " {what} " — " {rule_text(i18n, rule)}
                            </p>
                        }
                    })
            }}
            {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
            <Show when=move || sheet.with(Option::is_some)>
                <div class="quick-sheet" role="group" aria-labelledby="quick-sheet-title">
                    <h3 id="quick-sheet-title">
                        {move || {
                            sheet
                                .get()
                                .map(|s| {
                                    format!(
                                        "{} {} · {}",
                                        clock(&s.time_in),
                                        source_label(i18n, s.source),
                                        name_of(&s.consultant)
                                    )
                                })
                        }}
                    </h3>
                    <div class="field">
                        <span class="field-label">{t!(i18n, reception.group_size)}</span>
                        <div class="quick-sizes" role="group" aria-label=move || t_string!(i18n, reception.group_size).to_string()>
                            {[1u32, 2, 3, 4]
                                .into_iter()
                                .map(|n| {
                                    let label = if n == 4 { "4+".to_string() } else { n.to_string() };
                                    view! {
                                        <button
                                            type="button"
                                            class="btn btn-secondary quick-size"
                                            aria-pressed=move || (group.get() == n).to_string()
                                            on:click=move |_| group.set(n)
                                        >
                                            {label}
                                        </button>
                                    }
                                })
                                .collect_view()}
                        </div>
                    </div>
                    <div class="field">
                        <label for="quick-model">{t!(i18n, reception.intended_model)}</label>
                        <ModelSelect id="quick-model" value=model />
                    </div>
                    <div class="field">
                        <label for="quick-phone">{t!(i18n, reception.customer_phone)}</label>
                        <input
                            id="quick-phone"
                            type="tel"
                            inputmode="tel"
                            autocomplete="off"
                            prop:value=move || phone_in.get()
                            on:input=move |ev| phone_in.set(event_target_value(&ev))
                        />
                    </div>
                    {move || known.get().map(|k: KnownCustomer| known_view(i18n, k))}
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
                    <Show when=move || sheet.with(|s| s.as_ref().is_some_and(|s| s.source == VisitSource::Referral))>
                        <div class="field">
                            <label for="quick-referrer-name">{t!(i18n, reception.referrer_name)}</label>
                            <input
                                id="quick-referrer-name"
                                type="text"
                                autocomplete="off"
                                prop:value=move || referrer_name.get()
                                on:input=move |ev| referrer_name.set(event_target_value(&ev))
                            />
                        </div>
                        <div class="field">
                            <label for="quick-referrer-phone">{t!(i18n, reception.referrer_phone)}</label>
                            <input
                                id="quick-referrer-phone"
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
                        {move || rule_now().map(|r| rule_text(i18n, r))}
                    </p>
                    <div class="form-actions">
                        <button type="button" class="btn btn-primary" on:click=confirm>
                            {t!(i18n, reception.confirm)}
                        </button>
                        {move || {
                            sheet
                                .get()
                                .map(|s| {
                                    view! {
                                        <A href=format!("/sales/a-cards/new?visit={}", s.id) attr:class="btn btn-secondary">
                                            {t!(i18n, reception.build_card)}
                                        </A>
                                    }
                                })
                        }}
                    </div>
                </div>
            </Show>
        </div>
    }
}

fn rule_of(v: &NewVisit) -> VisitCountRule {
    v.facts_rule()
}

fn referral_problem(v: &NewVisit) -> Option<domain::sales::visit::VisitError> {
    v.referral_problem()
}

/// My visits of today (everyone's still in the store for a non-consultant), with 离店.
#[component]
fn MyVisits(visits: Memo<Vec<VisitRow>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let me = me();
    let is_consultant = me.as_ref().is_some_and(|m| m.2);
    let my_id = me.map(|m| m.0).unwrap_or_default();
    let error = RwSignal::new(None::<String>);
    view! {
        <section class="panel" aria-labelledby="my-visits-title">
            <h2 id="my-visits-title">
                {if is_consultant {
                    t!(i18n, reception.my_visits).into_any()
                } else {
                    t!(i18n, reception.in_store_now).into_any()
                }}
            </h2>
            {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
            {move || {
                let rows: Vec<VisitRow> = visits
                    .get()
                    .into_iter()
                    .filter(|v| if is_consultant { v.consultant == my_id } else { v.is_open() })
                    .collect();
                if rows.is_empty() {
                    return view! { <p class="muted">{t!(i18n, reception.my_visits_empty)}</p> }.into_any();
                }
                visit_table(i18n, sync, rows, error).into_any()
            }}
        </section>
    }
}

fn due_text(i18n: I18nContext<Locale>, e: &TodayEntry) -> AnyView {
    match e.urgency {
        Urgency::Overdue => {
            let n = e.days_overdue;
            t!(i18n, reception.overdue, n = n).into_any()
        }
        Urgency::DueToday | Urgency::Upcoming => t!(i18n, reception.due_today).into_any(),
    }
}

/// Today's follow-ups of my A-cards, overdue first; and the count of sleeping cards.
#[component]
fn FollowUpsToday(today: String) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let my_id = me().map(|m| m.0).unwrap_or_default();
    let data = Memo::new(move |_| {
        let Some(day) = store_clock().parse_date(&today) else {
            return (Vec::new(), 0usize);
        };
        let (cadence, sleep) = store_rules(sync);
        let cards = followed_cards(sync, &my_id);
        let plain: Vec<FollowUpCard> = cards.iter().map(|(c, _)| c.clone()).collect();
        let list = today_list(&plain, &cadence, day);
        let sleeping = sleeping_cards(&plain, &sleep, day).len();
        let rows: Vec<(TodayEntry, RecordState)> = list
            .into_iter()
            .filter_map(|e| {
                let rec = cards.iter().find(|(c, _)| c.id == e.card)?.1.clone();
                Some((e, rec))
            })
            .collect();
        (rows, sleeping)
    });
    view! {
        <section class="panel" aria-labelledby="follow-ups-today-title">
            <div class="panel-head">
                <h2 id="follow-ups-today-title">{t!(i18n, reception.follow_ups_title)}</h2>
                {move || {
                    let n = data.with(|d| d.1);
                    view! {
                        <A href="/sales/sleeping" attr:class="btn btn-secondary">
                            {t!(i18n, reception.sleeping_link, n = n)}
                        </A>
                    }
                }}
            </div>
            {move || {
                let rows = data.with(|d| d.0.clone());
                if rows.is_empty() {
                    return view! { <p class="muted">{t!(i18n, reception.follow_ups_empty)}</p> }.into_any();
                }
                view! {
                    <div class="table-wrap">
                        <table class="table follow-ups-today">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, a_card.name)}</th>
                                    <th scope="col">{t!(i18n, a_card.phone)}</th>
                                    <th scope="col">{t!(i18n, a_card.grade)}</th>
                                    <th scope="col">{t!(i18n, reception.due)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows
                                    .into_iter()
                                    .map(|(e, c)| {
                                        let overdue = e.urgency == Urgency::Overdue;
                                        let name = text(&c, "name");
                                        view! {
                                            <tr class:overdue=overdue>
                                                <th scope="row">
                                                    <A href=format!("/sales/a-cards/{}", c.id)>{name}</A>
                                                </th>
                                                <td>{phone_display(&text(&c, "phone"))}</td>
                                                <td>{grade_label(i18n, e.grade.as_str())}</td>
                                                <td>
                                                    <span class=if overdue { "badge badge-warn" } else { "badge badge-info" }>
                                                        {due_text(i18n, &e)}
                                                    </span>
                                                    " " {e.due.format("%Y-%m-%d").to_string()}
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
    }
}

/// `/sales/sleeping`: my sleeping A-cards (no contact for the store's sleeping days), to
/// re-activate; a sales manager sees the whole store's. Never dropped: they stay here until
/// someone follows them up.
#[component]
pub fn SleepingPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let today = today_stored();
    let me = me();
    let manager = me.as_ref().is_some_and(|m| m.3);
    let my_id = me.map(|m| m.0).unwrap_or_default();
    let rows = Memo::new(move |_| {
        let Some(day) = store_clock().parse_date(&today) else {
            return (Vec::new(), 0);
        };
        let (_, sleep) = store_rules(sync);
        let cards: Vec<(FollowUpCard, RecordState)> = if manager {
            let mut ids: Vec<String> = sync
                .records("a_card")
                .iter()
                .map(|c| text(c, "consultant_id"))
                .collect();
            ids.sort();
            ids.dedup();
            ids.iter().flat_map(|id| followed_cards(sync, id)).collect()
        } else {
            followed_cards(sync, &my_id)
        };
        let plain: Vec<FollowUpCard> = cards.iter().map(|(c, _)| c.clone()).collect();
        let ids = sleeping_cards(&plain, &sleep, day);
        let mut out: Vec<(FollowUpCard, RecordState, i64)> = cards
            .into_iter()
            .filter(|(c, _)| ids.contains(&c.id))
            .map(|(c, r)| {
                let days = (day - c.last_contact).num_days();
                (c, r, days)
            })
            .collect();
        // Longest asleep first.
        out.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.id.cmp(&b.0.id)));
        (out, sleep.days())
    });
    view! {
        <p class="back-link">
            <A href="/sales">{t!(i18n, reception.back_today)}</A>
        </p>
        <section class="panel" aria-labelledby="sleeping-title">
            <h1 id="sleeping-title">{t!(i18n, reception.sleeping_title)}</h1>
            {move || {
                let (rows, days) = rows.get();
                let hint = move || t!(i18n, reception.sleeping_hint, n = days);
                if rows.is_empty() {
                    return view! {
                        <p class="muted">{hint}</p>
                        <p class="muted">{t!(i18n, reception.sleeping_empty)}</p>
                    }
                    .into_any();
                }
                view! {
                    <p class="muted">{hint}</p>
                    <div class="table-wrap">
                        <table class="table sleeping-cards">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, a_card.name)}</th>
                                    <th scope="col">{t!(i18n, a_card.phone)}</th>
                                    <th scope="col">{t!(i18n, a_card.grade)}</th>
                                    <th scope="col">{t!(i18n, a_card.consultant)}</th>
                                    <th scope="col">{t!(i18n, reception.last_contact)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows
                                    .into_iter()
                                    .map(|(c, r, days)| {
                                        let name = text(&r, "name");
                                        view! {
                                            <tr>
                                                <th scope="row">
                                                    <A href=format!("/sales/a-cards/{}", r.id)>{name}</A>
                                                </th>
                                                <td>{phone_display(&text(&r, "phone"))}</td>
                                                <td>{grade_label(i18n, c.grade.as_str())}</td>
                                                <td>{name_of(&text(&r, "consultant_id"))}</td>
                                                <td>
                                                    {c.last_contact.format("%Y-%m-%d").to_string()} " · "
                                                    {t!(i18n, reception.days_ago, n = days)}
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
    }
}
