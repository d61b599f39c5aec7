//! Loss (战败): the consultant's 申请战败 on the A-card page ([`LossPanel`]), the sales manager's
//! review queue with the re-contact (回访), 确认战败 and 退回跟进 (`/sales/losses`, [`LossReviewPage`]),
//! and the monthly loss analysis by reason and intended model on the same page.
//!
//! Every move is the domain's plan (`domain::sales::loss_flow::CardLoss`: checked by `LossFile::apply`,
//! which knows who may do what and that a loss needs the manager's re-contact), executed as one
//! local transaction: it works offline and syncs later.

use domain::plan::Plan;
use domain::records::sales::ACard;
use domain::sales::UserError;
use domain::sales::duplicate::MERGE_CHANNEL;
use domain::sales::follow_up::Channel;
use domain::sales::kpi_reads::lost_within;
use domain::sales::loss::{
    ACardActionKind, LossError, LossFact, LossReason, ReContactOutcome, in_review, monthly_losses,
};
use domain::sales::loss_flow::{CardLoss, ReviewedCard, queue_order};
use domain::sync::{LogEntry, RecordState};
use domain::{Area, Role};
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use crate::clock::{now_stored, store_clock, today};
use crate::i18n::*;
use crate::sales::words::{model_name, status_label};
use crate::session::use_me;
use crate::sync::use_sync;
use crate::ui::alert::{Alert, Notice};
use crate::ui::edit::use_edit;
use crate::ui::field::choice::EnumSelect;
use crate::ui::field::{Select, TextArea, choose_blank};
use crate::ui::labels::{local_time, who};
use crate::ui::list::ItemList;
use crate::ui::panel::Panel;
use crate::ui::record_page::field_list;
use crate::ui::table::{Column, Columns, DataTable};

/// The signed-in user's id and roles.
fn me() -> (String, Vec<Role>) {
    use_me()().unwrap_or_default()
}

/// A card as the review reads it.
fn reviewed(card: &RecordState) -> ReviewedCard {
    ReviewedCard::of(card, store_clock())
}

/// A card's text field as shown ("" when empty).
fn shown(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// The plan of a move by the signed-in user, or the rule's refusal in the user's language.
fn plan_of(
    i18n: I18nContext<Locale>,
    card: &RecordState,
    make: impl FnOnce(&CardLoss, &[Role]) -> Result<Plan, LossError>,
) -> Result<Plan, String> {
    let (_, roles) = me();
    make(&CardLoss::of(&reviewed(card).card), &roles).map_err(|e| e.message(lang(i18n)))
}

fn reason_label(i18n: I18nContext<Locale>, reason: Option<LossReason>) -> String {
    match (reason, i18n.get_locale_untracked()) {
        (Some(r), Locale::en) => r.label_en().to_string(),
        (Some(r), Locale::zh_CN) => r.label_zh().to_string(),
        (None, _) => String::new(),
    }
}

fn outcome_label(i18n: I18nContext<Locale>, code: &str) -> String {
    match (ReContactOutcome::parse(code), i18n.get_locale_untracked()) {
        (Some(o), Locale::en) => o.label_en().to_string(),
        (Some(o), Locale::zh_CN) => o.label_zh().to_string(),
        (None, _) => code.to_string(),
    }
}

/// How a customer was contacted (a follow-up's or a re-contact's `channel`), in words.
pub fn channel_label(i18n: I18nContext<Locale>, channel: &str) -> String {
    match (Channel::parse(channel), i18n.get_locale_untracked()) {
        (Some(c), Locale::en) => c.label_en().to_string(),
        (Some(c), Locale::zh_CN) => c.label_zh().to_string(),
        (None, _) if channel == MERGE_CHANNEL => {
            t_string!(i18n, duplicates.merge_channel).to_string()
        }
        (None, _) => channel.to_string(),
    }
}

/// The consultant of a card, by name.
fn consultant(c: &ACard) -> String {
    who(&c.consultant_id.map(|u| u.to_string()).unwrap_or_default())
}

/// The re-contacts of the current proposal (written since it was made).
fn current_re_contacts(card: &RecordState) -> Vec<LogEntry> {
    let since = reviewed(card).proposed_ms.unwrap_or(0);
    card.log("re_contacts")
        .into_iter()
        .filter(|e| e.hlc.wall_ms >= since)
        .cloned()
        .collect()
}

/// The re-contacts of the card, oldest first, as a list.
fn re_contact_list(i18n: I18nContext<Locale>, entries: Vec<LogEntry>) -> impl IntoView {
    view! {
        <ItemList
            items=entries
            class="follow-ups loss-re-contacts"
            ordered=true
            item=move |e| {
                let v = &e.value;
                let outcome = outcome_label(i18n, v["outcome"].as_str().unwrap_or_default());
                let channel = v["channel"].as_str().map(|c| channel_label(i18n, c));
                let note = v["note"].as_str().unwrap_or_default().to_string();
                view! {
                    <li class="follow-up">
                        <div class="follow-up-meta">
                            <span class="badge badge-muted">{t!(i18n, loss.re_contact)}</span>
                            " " {local_time(e.hlc.wall_ms as f64, true)} " · " {who(&e.user_id)}
                            {channel.map(|c| format!(" · {c}"))}
                        </div>
                        <p class="follow-up-content">
                            <strong>{outcome}</strong>
                            ": "
                            {note}
                        </p>
                    </li>
                }
            }
        />
    }
}

/// On the A-card page: 申请战败 (when the rules allow it), the open proposal with its re-contacts,
/// and for a manager 激活 of a lost card.
#[component]
pub fn LossPanel(card: Memo<Option<RecordState>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let open = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let edit = use_edit();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(current) = card.get_untracked() else {
            return;
        };
        let Some(r) = LossReason::parse(&reason.get_untracked()) else {
            return edit.fail(t_string!(i18n, loss.need_reason));
        };
        match plan_of(i18n, &current, |c, roles| {
            c.propose(roles, r, &note.get_untracked())
        }) {
            Ok(plan) => edit.run(async move { sync.execute(&plan).await }, move |_| {
                open.set(false);
                note.set(String::new());
            }),
            Err(e) => edit.fail(e),
        }
    };

    let reactivate = move |_| {
        let Some(current) = card.get_untracked() else {
            return;
        };
        match plan_of(i18n, &current, |c, roles| c.reactivate(roles, today())) {
            Ok(plan) => edit.run(async move { sync.execute(&plan).await }, |_| ()),
            Err(e) => edit.fail(e),
        }
    };

    view! {
        <Panel id="loss-panel-title" class="loss-panel" title=move || t!(i18n, loss.title) actions=move || view! {
            {move || {
                let c = card.get()?;
                let (_, roles) = me();
                let status = reviewed(&c).card.status;
                let may_propose = status.next(ACardActionKind::ProposeLoss, &roles).is_ok();
                let may_reactivate = status.next(ACardActionKind::Reactivate, &roles).is_ok();
                if may_propose && !open.get() {
                    Some(
                        view! {
                            <button
                                type="button"
                                class="btn btn-secondary"
                                on:click=move |_| {
                                    edit.error.set(None);
                                    open.set(true);
                                }
                            >
                                {t!(i18n, loss.propose)}
                            </button>
                        }
                            .into_any(),
                    )
                } else if may_reactivate {
                    Some(
                        view! {
                            <button type="button" class="btn btn-secondary" on:click=reactivate>
                                {t!(i18n, loss.reactivate)}
                            </button>
                        }
                            .into_any(),
                    )
                } else {
                    None
                }
            }}
        }>
            {move || {
                let c = card.get()?;
                let r = reviewed(&c);
                let status = r.card.status.as_str();
                if !in_review(status) && status != "lost" {
                    // Following again (sent back, or reactivated): whoever follows it now sees
                    // why it nearly was lost and what the manager heard from the customer.
                    let entries: Vec<LogEntry> = c.log("re_contacts").into_iter().cloned().collect();
                    if entries.is_empty() {
                        return None;
                    }
                    let earlier = [reason_label(i18n, r.card.loss_reason), shown(&r.card.loss_note)]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" · ");
                    return Some(
                        view! {
                            <h3>{t!(i18n, loss.history)}</h3>
                            <p class="muted">{earlier}</p>
                            {re_contact_list(i18n, entries)}
                        }
                            .into_any(),
                    );
                }
                let entries = current_re_contacts(&c);
                Some(
                    view! {
                        {field_list(
                            (),
                            vec![
                                (t_string!(i18n, a_card.status).to_string(), status_label(i18n, status)),
                                (t_string!(i18n, loss.reason).to_string(), reason_label(i18n, r.card.loss_reason)),
                                (t_string!(i18n, loss.note).to_string(), shown(&r.card.loss_note)),
                                (
                                    t_string!(i18n, loss.proposed_at).to_string(),
                                    r.proposed_ms.map(|ms| local_time(ms as f64, true)).unwrap_or_default(),
                                ),
                            ],
                        )}
                        {re_contact_list(i18n, entries)}
                        {in_review(status)
                            .then(|| {
                                view! {
                                    <p>
                                        <A href="/sales/losses">{t!(i18n, loss.to_review)}</A>
                                    </p>
                                }
                            })}
                    }
                        .into_any(),
                )
            }}
            <Show when=move || open.get()>
                <form class="form loss-form" on:submit=submit novalidate>
                    <EnumSelect<LossReason> id="loss-reason" value=reason blank=choose_blank(i18n)>
                        {t!(i18n, loss.reason)}
                    </EnumSelect<LossReason>>
                    <TextArea id="loss-note" value=note rows=3>
                        {t!(i18n, loss.note)}
                    </TextArea>
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary" disabled=move || edit.busy.get()>
                            {t!(i18n, loss.submit_proposal)}
                        </button>
                        <button type="button" class="btn btn-secondary" on:click=move |_| open.set(false)>
                            {t!(i18n, loss.cancel)}
                        </button>
                    </div>
                </form>
            </Show>
            <Alert message=edit.error />
        </Panel>
    }
}

/// A card of the review queue as its row shows it.
#[derive(Clone)]
struct QueueRow {
    card: ReviewedCard,
    /// The intended model's name.
    model: String,
    /// Its review is open below the queue.
    selected: bool,
}

/// The queue's columns; a manager also has 处理 (open the card's review).
fn queue_columns(
    i18n: I18nContext<Locale>,
    manager: bool,
    selected: RwSignal<Option<Uuid>>,
) -> Columns<QueueRow> {
    let mut columns = vec![
        Column::view_only(
            |i18n| t_string!(i18n, a_card.name),
            |r: &QueueRow| {
                let (href, name) = (
                    format!("/sales/a-cards/{}", r.card.card.id),
                    shown(&r.card.card.name),
                );
                view! { <A href=href>{name}</A> }.into_any()
            },
        )
        .row_header(),
        Column::text(
            |i18n| t_string!(i18n, a_card.consultant),
            |r: &QueueRow| consultant(&r.card.card),
        ),
        Column::text(
            |i18n| t_string!(i18n, a_card.intended_model),
            |r: &QueueRow| r.model.clone(),
        ),
        Column::text(
            |i18n| t_string!(i18n, loss.reason),
            move |r: &QueueRow| reason_label(i18n, r.card.card.loss_reason),
        ),
        Column::text(
            |i18n| t_string!(i18n, loss.note),
            |r: &QueueRow| shown(&r.card.card.loss_note),
        )
        .class("loss-note"),
        Column::text(
            |i18n| t_string!(i18n, loss.proposed_at),
            |r: &QueueRow| {
                r.card
                    .proposed_ms
                    .map(|ms| local_time(ms as f64, true))
                    .unwrap_or_default()
            },
        ),
        Column::view_only(
            |i18n| t_string!(i18n, a_card.status),
            move |r: &QueueRow| {
                let status = r.card.card.status.as_str();
                view! { <span class=format!("badge loss-{status}")>{status_label(i18n, status)}</span> }
                    .into_any()
            },
        ),
    ];
    if manager {
        columns.push(Column::view_only(
            |i18n| t_string!(i18n, loss.actions),
            move |r: &QueueRow| {
                let id = r.card.card.id;
                let aria = format!(
                    "{} {}",
                    t_string!(i18n, loss.handle),
                    shown(&r.card.card.name)
                );
                view! {
                    <button
                        type="button"
                        class="btn btn-secondary"
                        aria-label=aria
                        on:click=move |_| selected.set(Some(id))
                    >
                        {t!(i18n, loss.handle)}
                    </button>
                }
                .into_any()
            },
        ));
    }
    Columns::new(columns)
}

/// The A-cards of `statuses` a manager reads (index `by_status`), or a consultant's own cards
/// (index `by_owner`; the caller keeps the statuses it wants): not every card of the store.
fn read_cards(
    manager: bool,
    me: Option<Uuid>,
    statuses: &'static [&'static str],
) -> Signal<Vec<RecordState>> {
    let sync = use_sync();
    let readings: Vec<crate::sync::Reading> = if manager {
        statuses
            .iter()
            .map(|st| {
                sync.read(move || {
                    Some(crate::sync::Query::page(
                        crate::sync::store::BY_STATUS_INDEX,
                        "a_card",
                        &[st],
                        None,
                        u32::MAX,
                    ))
                })
            })
            .collect()
    } else {
        vec![sync.read(move || Some(crate::sync::Query::owned("a_card", &me?.to_string())))]
    };
    Signal::derive(move || {
        readings
            .iter()
            .flat_map(|r| r.records.get())
            .filter(|c| !c.is_deleted())
            .collect()
    })
}

/// `/sales/losses`: the review queue (a manager sees every card under review and acts on it; a
/// consultant sees their own proposals and their state), then the monthly analysis.
#[component]
pub fn LossReviewPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let (my_id, roles) = me();
    let manager = Role::any_manages(&roles, Area::Sales);
    let selected = RwSignal::new(None::<Uuid>);
    let mine = Uuid::parse_str(&my_id).ok();
    let read = read_cards(manager, mine, &["loss_proposed", "re_contacted"]);
    let queue = Memo::new(move |_| {
        let mut cards: Vec<ReviewedCard> = read
            .get()
            .iter()
            .map(reviewed)
            .filter(|r| r.in_queue_of(mine, manager))
            .collect();
        cards.sort_by(queue_order);
        cards
    });
    let rows = Signal::derive(move || {
        let settings = sync.records("sales_settings");
        queue
            .get()
            .into_iter()
            .map(|r| QueueRow {
                model: model_name(i18n, &settings, &shown(&r.card.intended_model)),
                selected: selected.get() == Some(r.card.id),
                card: r,
            })
            .collect::<Vec<_>>()
    });

    view! {
        <section class="panel" aria-labelledby="losses-title">
            <div class="panel-head">
                <h1 id="losses-title">{t!(i18n, loss.review_title)}</h1>
            </div>
            <p class="muted">
                {if manager {
                    t!(i18n, loss.review_intro_manager).into_any()
                } else {
                    t!(i18n, loss.review_intro_consultant).into_any()
                }}
            </p>
            <DataTable
                columns=queue_columns(i18n, manager, selected)
                rows=rows
                class="loss-table"
                row_class=|r: &QueueRow| r.selected.then_some("selected")
                empty=|i| t_string!(i, loss.queue_empty)
            />
        </section>
        {move || {
            let id = selected.get()?;
            Some(view! { <Review id=id on_close=Callback::new(move |()| selected.set(None)) /> })
        }}
        <Analysis manager=manager me=mine />
    }
}

/// A move on a card: its plan by the signed-in user's roles, or the rule's refusal.
type MakePlan = Box<dyn FnOnce(&CardLoss, &[Role]) -> Result<Plan, LossError>>;

/// The manager's work on one card of the queue: the re-contact form, 确认战败, 退回跟进.
#[component]
fn Review(id: Uuid, on_close: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let card = Memo::new(move |_| sync.record(id));
    let outcome = RwSignal::new(String::new());
    let channel = RwSignal::new(Channel::ALL[0].as_str().to_string());
    let note = RwSignal::new(String::new());
    let send_to = RwSignal::new(String::new());
    let done = RwSignal::new(None::<String>);
    let edit = use_edit();
    let busy = edit.busy;

    // Executes the plan of a move on the card as stored, or shows why the rules refuse it.
    let run = move |make: MakePlan, ok: String| {
        let Some(current) = card.get_untracked() else {
            return;
        };
        match plan_of(i18n, &current, make) {
            Ok(plan) => edit.run(async move { sync.execute(&plan).await }, move |_| {
                note.set(String::new());
                outcome.set(String::new());
                done.set(Some(ok));
            }),
            Err(e) => {
                done.set(None);
                edit.fail(e);
            }
        }
    };

    let record_re_contact = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(o) = ReContactOutcome::parse(&outcome.get_untracked()) else {
            return edit.fail(t_string!(i18n, loss.need_outcome));
        };
        let n = note.get_untracked();
        let ch = Channel::parse(&channel.get_untracked()).unwrap_or(Channel::ALL[0]);
        run(
            Box::new(move |c, roles| c.re_contact(roles, Uuid::now_v7(), o, ch, &n)),
            t_string!(i18n, loss.re_contact_saved).to_string(),
        );
    };
    let confirm = move |_| {
        run(
            Box::new(|c, roles| c.confirm(roles)),
            t_string!(i18n, loss.confirmed).to_string(),
        );
    };
    let send_back = move |_| {
        let to = send_to.get_untracked();
        let day = today();
        run(
            Box::new(move |c, roles| c.send_back(roles, Some(&to), day)),
            t_string!(i18n, loss.sent_back).to_string(),
        );
    };

    // The consultants a card can go back to: the store's directory, else the card's own
    // consultant; (id, name), by name.
    let consultants = Memo::new(move |_| {
        let mut people: Vec<(String, String)> = crate::directory::consultants()
            .into_iter()
            .map(|p| (p.id, p.display_name))
            .collect();
        if people.is_empty() {
            let mut ids: Vec<String> = card
                .get()
                .iter()
                .filter_map(|c| reviewed(c).card.consultant_id.map(|u| u.to_string()))
                .collect();
            ids.sort();
            ids.dedup();
            people = ids
                .into_iter()
                .map(|id| {
                    let name = who(&id);
                    (id, name)
                })
                .collect();
            people.sort_by(|a, b| a.1.cmp(&b.1));
        }
        people
    });

    view! {
        <section class="panel loss-review" aria-labelledby="loss-review-title">
            <div class="panel-head">
                <h2 id="loss-review-title">
                    {t!(i18n, loss.review_of)} " "
                    {move || card.with(|c| c.as_ref().map(|c| shown(&reviewed(c).card.name)))}
                </h2>
                <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                    {t!(i18n, loss.close)}
                </button>
            </div>
            {move || {
                let c = card.get()?;
                let r = reviewed(&c);
                let entries = current_re_contacts(&c);
                Some(
                    view! {
                        <p>
                            {t!(i18n, a_card.status)} ": "
                            <strong>{status_label(i18n, r.card.status.as_str())}</strong> " · "
                            {reason_label(i18n, r.card.loss_reason)} " · " {shown(&r.card.loss_note)}
                        </p>
                        {re_contact_list(i18n, entries)}
                    },
                )
            }}
            <Notice class="notice notice-ok" message=done />
            <Alert message=edit.error />
            <Show when=move || card.with(|c| c.as_ref().is_some_and(|c| in_review(reviewed(c).card.status.as_str())))>
                <form class="form loss-form" on:submit=record_re_contact novalidate>
                    <h3>{t!(i18n, loss.record_re_contact)}</h3>
                    <EnumSelect<Channel> id="re-contact-channel" value=channel>
                        {t!(i18n, loss.how)}
                    </EnumSelect<Channel>>
                    <EnumSelect<ReContactOutcome> id="re-contact-outcome" value=outcome blank=choose_blank(i18n)>
                        {t!(i18n, loss.outcome)}
                    </EnumSelect<ReContactOutcome>>
                    <TextArea id="re-contact-note" value=note rows=3>
                        {t!(i18n, loss.re_contact_note)}
                    </TextArea>
                    <button type="submit" class="btn btn-primary" disabled=move || busy.get()>
                        {t!(i18n, loss.record_re_contact)}
                    </button>
                </form>
                <div class="form loss-decide">
                    <h3>{t!(i18n, loss.decide)}</h3>
                    <div class="form-actions">
                        <button type="button" class="btn btn-primary" on:click=confirm disabled=move || busy.get()>
                            {t!(i18n, loss.confirm)}
                        </button>
                    </div>
                    <Select
                        id="send-back-to"
                        value=send_to
                        options=consultants
                        blank=Signal::derive(move || t_string!(i18n, loss.same_consultant).to_string())
                    >
                        {t!(i18n, loss.send_back_to)}
                    </Select>
                    <button type="button" class="btn btn-secondary" on:click=send_back disabled=move || busy.get()>
                        {t!(i18n, loss.send_back)}
                    </button>
                </div>
            </Show>
        </section>
    }
}

/// The monthly loss analysis: confirmed losses of a month by reason and by intended model, with
/// bars; each count opens the list of its cards. A consultant sees their own cards.
#[component]
fn Analysis(manager: bool, me: Option<Uuid>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let month = RwSignal::new(now_stored().chars().take(7).collect::<String>());
    let opened = RwSignal::new(None::<(String, Vec<Uuid>)>);
    // The cards lost in the month chosen (by the day they closed: `kpi_reads::lost_within`), a
    // manager's of the store (index `by_status`), a consultant's own (`by_owner`).
    let sync_read = sync.read(move || {
        let m = month.get();
        let (y, mo) = m.split_once('-')?;
        let (from, to) = lost_within(y.parse().ok()?, mo.parse().ok()?)?;
        let (index, prefix) = if manager {
            (crate::sync::store::BY_STATUS_INDEX, "lost".to_string())
        } else {
            (crate::sync::store::BY_OWNER_INDEX, me?.to_string())
        };
        Some(crate::sync::Query::Within {
            index,
            prefix: vec!["a_card".to_string(), prefix],
            from,
            to,
        })
    });
    let facts = Memo::new(move |_| {
        sync_read
            .records
            .get()
            .iter()
            .filter(|c| !c.is_deleted())
            .map(reviewed)
            .filter(|r| manager || (me.is_some() && r.card.consultant_id == me))
            .filter_map(|r| r.loss_fact())
            .collect::<Vec<LossFact>>()
    });
    let analysis = Memo::new(move |_| {
        let facts = facts.get();
        let m = month.get();
        let (y, mo) = m.split_once('-')?;
        monthly_losses(&facts, y.parse().ok()?, mo.parse().ok()?, store_clock())
    });

    let bars = move |rows: Vec<(String, Vec<Uuid>)>, total: usize, head: String| {
        view! {
            <table class="table loss-bars">
                <thead>
                    <tr>
                        <th scope="col">{head}</th>
                        <th scope="col">{t!(i18n, loss.count)}</th>
                        <th scope="col" class="loss-bar-col">{t!(i18n, loss.share)}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|(label, cards)| {
                            let n = cards.len();
                            let pct = (n * 100).checked_div(total).unwrap_or(0);
                            let aria = format!("{label} {n}");
                            let title = label.clone();
                            view! {
                                <tr>
                                    <th scope="row">{label}</th>
                                    <td>
                                        <button
                                            type="button"
                                            class="btn-link"
                                            aria-label=aria
                                            disabled=n == 0
                                            on:click=move |_| opened.set(Some((title.clone(), cards.clone())))
                                        >
                                            {n}
                                        </button>
                                    </td>
                                    <td class="loss-bar-col">
                                        <span class="loss-bar" style=format!("width:{pct}%")></span>
                                        <span class="muted small">{format!("{pct}%")}</span>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        }
    };

    view! {
        <Panel id="loss-analysis-title" title=move || t!(i18n, loss.analysis_title) actions=move || view! {
            <div class="field loss-month">
                <label for="loss-month">{t!(i18n, loss.month)}</label>
                <input
                    id="loss-month"
                    type="month"
                    prop:value=move || month.get()
                    on:input=move |ev| {
                        opened.set(None);
                        month.set(event_target_value(&ev));
                    }
                />
            </div>
        }>
            {move || {
                let Some(a) = analysis.get() else {
                    return view! { <p class="muted">{t!(i18n, loss.pick_month)}</p> }.into_any();
                };
                let total = a.cards.len();
                let settings = sync.records("sales_settings");
                let mut reasons: Vec<(String, Vec<Uuid>)> = a
                    .by_reason
                    .iter()
                    .map(|r| (reason_label(i18n, Some(r.reason)), r.cards.clone()))
                    .collect();
                if !a.no_reason.is_empty() {
                    reasons.push((t_string!(i18n, loss.no_reason).to_string(), a.no_reason.clone()));
                }
                let models: Vec<(String, Vec<Uuid>)> = a
                    .by_model
                    .iter()
                    .map(|m| (model_name(i18n, &settings, &m.model), m.cards.clone()))
                    .collect();
                view! {
                    <p>
                        {t!(i18n, loss.total)} ": " <strong class="loss-total">{total}</strong>
                    </p>
                    <div class="loss-analysis">
                        <div>
                            <h3>{t!(i18n, loss.by_reason)}</h3>
                            {bars(reasons, total, t_string!(i18n, loss.reason).to_string())}
                        </div>
                        <div>
                            <h3>{t!(i18n, loss.by_model)}</h3>
                            {if models.is_empty() {
                                view! { <p class="muted">{t!(i18n, loss.none_in_month)}</p> }.into_any()
                            } else {
                                bars(models, total, t_string!(i18n, a_card.intended_model).to_string()).into_any()
                            }}
                        </div>
                    </div>
                }
                .into_any()
            }}
            {move || {
                let (title, ids) = opened.get()?;
                let settings = sync.records("sales_settings");
                Some(view! {
                    <div class="loss-opened">
                        <h3>{title}</h3>
                        <ul class="loss-card-list">
                            {ids
                                .into_iter()
                                .filter_map(|id| sync.record(id))
                                .map(|c| {
                                    let r = reviewed(&c);
                                    let day = r.lost_ms.and_then(|ms| store_clock().day_of_ms(ms)).map(|d| d.to_string());
                                    let c = r.card;
                                    let href = format!("/sales/a-cards/{}", c.id);
                                    let name = shown(&c.name);
                                    let rest = format!(
                                        " · {} · {} · {} · {}",
                                        consultant(&c),
                                        model_name(i18n, &settings, &shown(&c.intended_model)),
                                        reason_label(i18n, c.loss_reason),
                                        day.unwrap_or_default(),
                                    );
                                    view! {
                                        <li>
                                            <A href=href>{name}</A>
                                            {rest}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </div>
                })
            }}
        </Panel>
    }
}
