//! `/sales` (今日): the consultant's home for the day. At the top the quick reception (one tap on
//! a source logs a visit now; a small sheet adjusts group size, intended model and return visit,
//! and shows which counting rule applied); then my visits of today with 离店, today's follow-ups
//! (overdue first, from `domain::sales::grade::today_list`) and the sleeping cards to re-activate
//! (`/sales/sleeping`). Cadence and sleeping days come from the store's `sales_settings`.

use crate::clock::{now_local, store_clock, today_stored};
use domain::records::sales::follow_up_card;
use domain::sales::grade::{
    CadenceSettings, FollowUpCard, SleepSettings, TodayEntry, Urgency, sleeping_cards,
};
use domain::sales::rota::receiving_consultant;
use domain::sales::settings::StoreSettings;
use domain::sales::visit::{VisitCountRule, VisitSource};
use domain::sales::visit_log::{VisitEntry, confirm_plan, tap_plan};
use domain::sync::RecordState;
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use super::reception::{
    Me, RotaNow, VisitDetails, VisitDetailsFields, VisitLog, VisitRow, clock, consultant_options,
    me, use_today,
};
use crate::i18n::*;
use crate::sales::words::{grade_label, model_name};
use crate::sync::store::{BY_STATUS_INDEX, FollowUpRules};
use crate::sync::{Query, SyncCtx, use_sync};
use crate::ui::alert::Alert;
use crate::ui::edit::use_edit;
use crate::ui::error::UserText;
use crate::ui::field::{Bind, Select};
use crate::ui::kinds::text;
use crate::ui::labels::phone_display;
use crate::ui::labels::who;
use crate::ui::panel::Panel;
use crate::ui::table::{Column, Columns, DataTable};

/// The store's follow-up cadence and sleeping limit (the domain defaults when unset).
fn store_rules(sync: SyncCtx) -> (CadenceSettings, SleepSettings) {
    let s = StoreSettings::of(&sync.records("sales_settings"));
    (s.cadence, s.sleep)
}

/// Of `cards`, those being followed (status 跟进中) as the follow-up rules see them
/// (`domain::records::sales::follow_up_card`: the last contact is the latest follow-up, else the
/// first contact).
fn followed_cards(cards: Vec<RecordState>) -> Vec<(FollowUpCard, RecordState)> {
    let clock = store_clock();
    cards
        .into_iter()
        .filter_map(|c| Some((follow_up_card(&c, clock)?, c)))
        .collect()
}

/// `/sales`: the consultant's Today page.
#[component]
pub fn SalesHome() -> impl IntoView {
    let i18n = use_i18n();
    let (today, visits, rota) = use_today();
    view! {
        <Panel id="sales-home-title" page=true title=move || t!(i18n, sales_nav.today) actions=move || view! {
            <A href="/sales/a-cards/new" attr:class="btn btn-primary">
                {t!(i18n, a_card.new)}
            </A>
        }>
            <QuickReception rota=rota />
        </Panel>
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
    let Me {
        id: my_id, manager, ..
    } = me().unwrap_or_default();
    // The cards made today (index `by_made`), not every card of the store.
    let made = sync.read({
        let today = today.clone();
        move || {
            Some(Query::Made {
                record_type: "a_card",
                from: today.clone(),
                to: today.clone(),
            })
        }
    });
    let cards = Memo::new(move |_| {
        let mut cards: Vec<RecordState> = made
            .records
            .get()
            .into_iter()
            .filter(|c| text(c, "first_contact_at").starts_with(&today))
            .filter(|c| manager || text(c, "consultant_id") == my_id)
            .collect();
        cards.sort_by_key(|c| std::cmp::Reverse(text(c, "first_contact_at")));
        cards
    });
    let columns = Columns::new(vec![
        name_column(|c: &RecordState| c),
        phone_column(|c: &RecordState| c),
        Column::text(
            |i| t_string!(i, a_card.intended_model),
            move |c: &RecordState| {
                let settings = untrack(|| sync.records("sales_settings"));
                model_name(i18n, &settings, &text(c, "intended_model"))
            },
        ),
        Column::text(
            |i| t_string!(i, a_card.grade),
            move |c: &RecordState| grade_label(i18n, &text(c, "grade")),
        ),
        consultant_column(|c: &RecordState| c),
    ]);
    view! {
        <Panel id="new-cards-today-title" title=move || t!(i18n, reception.new_cards_title)>
            <DataTable
                columns=columns
                rows=cards
                empty=|i| t_string!(i, reception.new_cards_empty)
            />
        </Panel>
    }
}

/// The 姓名 column of a table of A-cards: the name, linking to the card.
fn name_column<R: 'static>(card: fn(&R) -> &RecordState) -> Column<R> {
    Column::view_only(
        |i| t_string!(i, a_card.name),
        move |r: &R| {
            let c = card(r);
            let (href, name) = (format!("/sales/a-cards/{}", c.id), text(c, "name"));
            view! { <A href=href>{name}</A> }.into_any()
        },
    )
    .row_header()
}

/// The 手机号码 column of a table of A-cards.
fn phone_column<R: 'static>(card: fn(&R) -> &RecordState) -> Column<R> {
    Column::text(
        |i| t_string!(i, a_card.phone),
        move |r: &R| phone_display(&text(card(r), "phone")),
    )
}

/// The 销售顾问 column of a table of A-cards.
fn consultant_column<R: 'static>(card: fn(&R) -> &RecordState) -> Column<R> {
    Column::text(
        |i| t_string!(i, a_card.consultant),
        move |r: &R| who(&text(card(r), "consultant_id")),
    )
}

/// The visit the first tap logged, which the sheet then adjusts.
#[derive(Debug, Clone, PartialEq)]
struct Sheet {
    id: Uuid,
    source: VisitSource,
    time_in: String,
    consultant: String,
}

impl Sheet {
    /// "10:05 自然到店 · 王芳"
    fn title(&self, i18n: I18nContext<Locale>) -> String {
        format!(
            "{} {} · {}",
            clock(&self.time_in),
            label(i18n, self.source),
            who(&self.consultant)
        )
    }
}

/// One tap on a source logs the visit now; the sheet then adjusts it.
#[component]
fn QuickReception(rota: Memo<Option<RotaNow>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let sheet = RwSignal::new(None::<Sheet>);
    let group = RwSignal::new(1u32);
    let details = VisitDetails::new(sync);
    let edit = use_edit();
    let done = RwSignal::new(None::<(Sheet, VisitCountRule)>);
    let me = me().unwrap_or_default();
    let is_consultant = me.consultant;
    // A consultant logs for themself; anyone else (the receptionist's desk) for the next up.
    let my_id = StoredValue::new(is_consultant.then_some(me.id));
    let chosen = RwSignal::new(None::<String>);
    let for_whom = move || {
        let chosen = chosen.get();
        let me = my_id.get_value();
        rota.with(|r| {
            receiving_consultant(
                me.as_deref(),
                chosen.as_deref(),
                r.as_ref().map(|r| &r.queue),
            )
        })
        .unwrap_or_default()
    };
    // The sheet's entry: the tap's source with the sheet's fields.
    let entry = move || {
        sheet.with(|s| s.as_ref().map(|s| s.source)).map(|source| {
            details.entry(VisitEntry {
                source,
                group_size: group.get(),
                ..VisitEntry::default()
            })
        })
    };

    let tap = move |source: VisitSource| {
        let consultant = untrack(for_whom);
        let id = Uuid::now_v7();
        match tap_plan(id, &consultant, source, now_local()) {
            Ok(plan) => edit.run(async move { sync.execute(&plan).await }, move |_| {
                let time_in = sync
                    .record(id)
                    .map(|r| text(&r, "time_in"))
                    .unwrap_or_default();
                group.set(1);
                details.reset();
                done.set(None);
                sheet.set(Some(Sheet {
                    id,
                    source,
                    time_in,
                    consultant,
                }));
            }),
            Err(e) => edit.fail(e.user_text(i18n)),
        }
    };

    let confirm = move |_| {
        let (Some(s), Some(v)) = (sheet.get_untracked(), untrack(entry)) else {
            return;
        };
        let rule = v.count_rule();
        // An empty plan (nothing changed since the tap) writes nothing.
        match confirm_plan(s.id, &v) {
            Ok(plan) => edit.run(async move { sync.execute(&plan).await }, move |_| {
                done.set(Some((s, rule)));
                sheet.set(None);
            }),
            Err(e) => edit.fail(e.user_text(i18n)),
        }
    };

    view! {
        <div class="quick-reception">
            <h2 class="quick-title">{t!(i18n, reception.quick_title)}</h2>
            {(!is_consultant)
                .then(|| {
                    view! {
                        <Select
                            id="quick-consultant"
                            class="field quick-for"
                            value=Bind::new(for_whom, move |c| chosen.set(Some(c)))
                            options=consultant_options(rota)
                        >
                            {t!(i18n, reception.consultant)}
                        </Select>
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
                                disabled=move || edit.busy.get()
                                on:click=move |_| tap(s)
                            >
                                {move || label(i18n, s)}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            {move || {
                done.get()
                    .map(|(s, rule)| {
                        view! {
                            <p class="notice notice-ok quick-done" role="status">
                                {t!(i18n, reception.logged)} " " {s.title(i18n)} " — " {label(i18n, rule)}
                            </p>
                        }
                    })
            }}
            <Alert message=edit.error />
            <Show when=move || sheet.with(Option::is_some)>
                <div class="quick-sheet" role="group" aria-labelledby="quick-sheet-title">
                    <h3 id="quick-sheet-title">{move || sheet.get().map(|s| s.title(i18n))}</h3>
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
                    <VisitDetailsFields
                        prefix="quick"
                        details=details
                        referral=Signal::derive(move || {
                            sheet.with(|s| s.as_ref().is_some_and(|s| s.source == VisitSource::Referral))
                        })
                        rule=Signal::derive(move || entry().map(|v| v.count_rule()))
                    />
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

/// My visits of today (everyone's still in the store for a non-consultant), with 离店.
#[component]
fn MyVisits(visits: Memo<Vec<VisitRow>>) -> impl IntoView {
    let i18n = use_i18n();
    let Me {
        id: my_id,
        consultant: is_consultant,
        ..
    } = me().unwrap_or_default();
    let rows = Signal::derive(move || {
        visits.with(|v| {
            v.iter()
                .filter(|v| {
                    if is_consultant {
                        v.consultant == my_id
                    } else {
                        v.is_open()
                    }
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    view! {
        <section class="panel" aria-labelledby="my-visits-title">
            <h2 id="my-visits-title">
                {if is_consultant {
                    t!(i18n, reception.my_visits).into_any()
                } else {
                    t!(i18n, reception.in_store_now).into_any()
                }}
            </h2>
            <VisitLog
                rows=rows
                empty=|i| t_string!(i, reception.my_visits_empty)
            />
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

/// Follow-ups shown per page of Today's list (a long overdue list is paged, so Today opens as
/// fast with thousands of cards as with ten).
const FOLLOW_UPS_PAGE: usize = 100;

/// Today's follow-ups of my A-cards, overdue first; and the count of sleeping cards.
#[component]
fn FollowUpsToday(today: String) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let my_id = me().map(|m| m.id).unwrap_or_default();
    // The page shown (from 1), within the pages the list has now.
    let page = RwSignal::new(1usize);
    // My cards being followed through the `by_follow` index, of each only what the list needs;
    // only the page's cards are read whole (not every card of mine, nor of the store).
    let due = sync.read(move || {
        let today = store_clock().parse_date(&today)?;
        let (cadence, sleep) = store_rules(sync);
        Some(Query::FollowUps {
            owner: my_id.clone(),
            rules: FollowUpRules {
                cadence,
                sleep,
                today,
                skip: (page.get().max(1) - 1) * FOLLOW_UPS_PAGE,
                take: FOLLOW_UPS_PAGE,
            },
        })
    });
    // The page's rows, the list's length and the sleeping count.
    let data = Memo::new(move |previous: Option<&(Vec<FollowUpRow>, usize, usize)>| {
        // Keep what is shown while the cards are read again.
        if !due.loaded.get() {
            return previous.cloned().unwrap_or_default();
        }
        let Some(found) = due.follow.get() else {
            return (Vec::new(), 0, 0);
        };
        let rows: Vec<FollowUpRow> = due.records.with(|records| {
            found
                .entries
                .into_iter()
                .filter_map(|e| {
                    let rec = records.iter().find(|r| r.id == e.card)?.clone();
                    Some((e, rec))
                })
                .collect()
        });
        (rows, found.total, found.sleeping)
    });
    let pages = Memo::new(move |_| data.with(|d| d.1.div_ceil(FOLLOW_UPS_PAGE).max(1)));
    Effect::new(move || {
        if page.get() > pages.get() {
            page.set(pages.get());
        }
    });
    let columns = Columns::new(vec![
        name_column(|r: &FollowUpRow| &r.1),
        phone_column(|r: &FollowUpRow| &r.1),
        Column::text(
            |i| t_string!(i, a_card.grade),
            move |r: &FollowUpRow| grade_label(i18n, r.0.grade.as_str()),
        ),
        Column::view_only(
            |i| t_string!(i, reception.due),
            move |(e, _): &FollowUpRow| {
                let overdue = e.urgency == Urgency::Overdue;
                view! {
                    <span class=if overdue { "badge badge-warn" } else { "badge badge-info" }>
                        {due_text(i18n, e)}
                    </span>
                    " " {e.due.format("%Y-%m-%d").to_string()}
                }
                .into_any()
            },
        ),
    ]);
    view! {
        <Panel id="follow-ups-today-title" title=move || t!(i18n, reception.follow_ups_title) actions=move || view! {
            {move || {
                let n = data.with(|d| d.2);
                view! {
                    <A href="/sales/sleeping" attr:class="btn btn-secondary">
                        {t!(i18n, reception.sleeping_link, n = n)}
                    </A>
                }
            }}
        }>
            <DataTable
                columns=columns
                rows=Signal::derive(move || data.with(|d| d.0.clone()))
                class="follow-ups-today"
                empty=|i| t_string!(i, reception.follow_ups_empty)
                row_class=|r: &FollowUpRow| (r.0.urgency == Urgency::Overdue).then_some("overdue")
            />
            <Show when=move || { pages.get() > 1 }>
                <nav class="pager" aria-label=move || t_string!(i18n, reception.follow_ups_title)>
                    <button
                        type="button"
                        class="btn"
                        disabled=move || page.get() <= 1
                        on:click=move |_| page.update(|p| *p = p.saturating_sub(1).max(1))
                    >
                        {t!(i18n, a_card.page_previous)}
                    </button>
                    <span class="pager-number">
                        {move || t!(i18n, a_card.page_number, n = move || page.get())}
                    </span>
                    <button
                        type="button"
                        class="btn"
                        disabled=move || page.get() >= pages.get()
                        on:click=move |_| page.update(|p| *p += 1)
                    >
                        {t!(i18n, a_card.page_next)}
                    </button>
                </nav>
            </Show>
        </Panel>
    }
}

/// A line of today's follow-ups: the entry and its card.
type FollowUpRow = (TodayEntry, RecordState);

/// `/sales/sleeping`: my sleeping A-cards (no contact for the store's sleeping days), to
/// re-activate; a sales manager sees the whole store's. Never dropped: they stay here until
/// someone follows them up.
#[component]
pub fn SleepingPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let today = today_stored();
    let Me {
        id: my_id, manager, ..
    } = me().unwrap_or_default();
    // A sales manager sees every consultant's cards being followed (and those of none): through
    // `by_status`; a consultant theirs, through `by_owner`.
    let read = sync.read({
        let my_id = my_id.clone();
        move || {
            Some(if manager {
                Query::page(BY_STATUS_INDEX, "a_card", &["following"], None, u32::MAX)
            } else {
                Query::owned("a_card", &my_id)
            })
        }
    });
    let rows = Memo::new(move |_| {
        let Some(day) = store_clock().parse_date(&today) else {
            return (Vec::new(), 0);
        };
        let (_, sleep) = store_rules(sync);
        let cards = followed_cards(
            read.records
                .get()
                .into_iter()
                .filter(|c| manager || text(c, "consultant_id") == my_id)
                .collect(),
        );
        let plain: Vec<FollowUpCard> = cards.iter().map(|(c, _)| c.clone()).collect();
        let ids = sleeping_cards(&plain, &sleep, day);
        let mut out: Vec<SleepingRow> = cards
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
    let columns = Columns::new(vec![
        name_column(|r: &SleepingRow| &r.1),
        phone_column(|r: &SleepingRow| &r.1),
        Column::text(
            |i| t_string!(i, a_card.grade),
            move |r: &SleepingRow| grade_label(i18n, r.0.grade.as_str()),
        ),
        consultant_column(|r: &SleepingRow| &r.1),
        Column::view_only(
            |i| t_string!(i, reception.last_contact),
            move |(c, _, days): &SleepingRow| {
                let days = *days;
                view! {
                    {c.last_contact.format("%Y-%m-%d").to_string()} " · "
                    {t!(i18n, reception.days_ago, n = days)}
                }
                .into_any()
            },
        ),
    ]);
    view! {
        <p class="back-link">
            <A href="/sales">{t!(i18n, reception.back_today)}</A>
        </p>
        <Panel id="sleeping-title" page=true title=move || t!(i18n, reception.sleeping_title)>
            <p class="muted">
                {move || {
                    let days = rows.with(|r| r.1);
                    t!(i18n, reception.sleeping_hint, n = days)
                }}
            </p>
            <DataTable
                columns=columns
                rows=Signal::derive(move || rows.with(|r| r.0.clone()))
                class="sleeping-cards"
                empty=|i| t_string!(i, reception.sleeping_empty)
            />
        </Panel>
    }
}

/// A sleeping card: as the rules see it, as stored, and its days without contact.
type SleepingRow = (FollowUpCard, RecordState, i64);
