//! Loss (战败): the consultant's 申请战败 on the A-card page ([`LossPanel`]), the sales manager's
//! review queue with the re-contact (回访), 确认战败 and 退回跟进 (`/sales/losses`, [`LossReviewPage`]),
//! and the monthly loss analysis by reason and intended model on the same page.
//!
//! Every move is checked first by the domain's rules (`domain::sales::loss::LossFile::apply`, which
//! knows who may do what and that a loss needs the manager's re-contact), then written as one local
//! edit of the card: it works offline and syncs later.

use domain::Role;
use domain::records::A_CARD;
use domain::sales::UserError;
use domain::sales::loss::{
    ACardAction, ACardActionKind, ACardStatus, LossFact, LossFile, LossReason, ReContactOutcome,
    in_review, monthly_losses,
};
use domain::sync::{Edit, LogEntry, RecordState};
use leptos::prelude::*;
use leptos_router::components::A;
use serde_json::json;
use uuid::Uuid;

use super::a_card::{lang, model_name, text};
use super::a_card_page::CHANNELS;
use crate::clock::{now_stored, store_clock, today_stored};
use crate::i18n::*;
use crate::sales::words::status_label;
use crate::session::use_session;
use crate::sync::use_sync;
use crate::ui::error::UserText;
use crate::ui::labels::{local_time, who};

/// The signed-in user's id and roles.
fn me() -> (String, Vec<Role>) {
    use_session().session.with_untracked(|s| {
        s.as_ref()
            .map(|s| (s.user.id.clone(), s.user.roles.clone()))
            .unwrap_or_default()
    })
}

fn is_manager(roles: &[Role]) -> bool {
    roles
        .iter()
        .any(|r| matches!(r, Role::SalesManager | Role::GeneralManager))
}

fn status_of(card: &RecordState) -> String {
    card.status(&A_CARD, "status")
        .unwrap_or("following")
        .to_string()
}

/// The card's loss file as the domain rules read it.
fn loss_file(card: &RecordState) -> LossFile {
    let last = card.log("re_contacts").last().map(|e| e.value.clone());
    LossFile::of_card(
        &status_of(card),
        &text(card, "loss_reason"),
        &text(card, "loss_note"),
        last.as_ref().and_then(|v| v["outcome"].as_str()),
    )
}

/// Whether the rules let the signed-in user make `action` on `card`; the refusal in the user's
/// language.
fn check(
    i18n: I18nContext<Locale>,
    card: &RecordState,
    action: &ACardAction,
) -> Result<(), String> {
    let (_, roles) = me();
    loss_file(card)
        .apply(action, &roles)
        .map(|_| ())
        .map_err(|e| e.message(lang(i18n)))
}

pub fn reason_label(i18n: I18nContext<Locale>, code: &str) -> String {
    match (LossReason::parse(code), i18n.get_locale_untracked()) {
        (Some(r), Locale::en) => r.label_en().to_string(),
        (Some(r), Locale::zh_CN) => r.label_zh().to_string(),
        (None, _) => code.to_string(),
    }
}

fn outcome_label(i18n: I18nContext<Locale>, code: &str) -> String {
    match (ReContactOutcome::parse(code), i18n.get_locale_untracked()) {
        (Some(o), Locale::en) => o.label_en().to_string(),
        (Some(o), Locale::zh_CN) => o.label_zh().to_string(),
        (None, _) => code.to_string(),
    }
}

fn channel_label(i18n: I18nContext<Locale>, channel: &str) -> String {
    match channel {
        "phone" => t_string!(i18n, a_card.channels.phone),
        "wechat" => t_string!(i18n, a_card.channels.wechat),
        "visit" => t_string!(i18n, a_card.channels.visit),
        "sms" => t_string!(i18n, a_card.channels.sms),
        other => return other.to_string(),
    }
    .to_string()
}

/// When the current proposal was made: the write of `loss_reason` (Unix ms).
fn proposed_at(card: &RecordState) -> Option<f64> {
    card.heads("loss_reason")
        .last()
        .map(|h| h.hlc.wall_ms as f64)
}

/// The HLC wall time of the write that moved the card to `lost` (the loss date).
fn lost_at(card: &RecordState) -> Option<u64> {
    card.heads("status")
        .iter()
        .filter(|h| h.value.as_str() == Some("lost"))
        .map(|h| h.hlc.wall_ms)
        .max()
}

/// The re-contacts of the card, oldest first, as a list.
fn re_contact_list(i18n: I18nContext<Locale>, entries: Vec<LogEntry>) -> impl IntoView {
    (!entries.is_empty()).then(|| {
        view! {
            <ol class="follow-ups loss-re-contacts">
                {entries
                    .into_iter()
                    .map(|e| {
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
                    })
                    .collect_view()}
            </ol>
        }
    })
}

/// On the A-card page: 申请战败 (when the rules allow it), the open proposal with its re-contacts,
/// and for a manager 激活 of a lost card.
#[component]
pub fn LossPanel(id: Uuid, card: Memo<Option<RecordState>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let open = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(current) = card.get_untracked() else {
            return;
        };
        let Some(r) = LossReason::parse(&reason.get_untracked()) else {
            error.set(Some(t_string!(i18n, loss.need_reason).to_string()));
            return;
        };
        let n = note.get_untracked().trim().to_string();
        let action = ACardAction::ProposeLoss {
            reason: r,
            note: n.clone(),
        };
        if let Err(e) = check(i18n, &current, &action) {
            error.set(Some(e));
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = sync
                .edit(id, &A_CARD, move |state| {
                    let edit = Edit::new(state, &A_CARD);
                    Ok(vec![
                        edit.transition("status", ACardStatus::LossProposed.as_str())?,
                        edit.set("loss_reason", json!(r.as_str()))?,
                        edit.set("loss_note", json!(n))?,
                    ])
                })
                .await;
            busy.set(false);
            match result {
                Ok(_) => {
                    open.set(false);
                    error.set(None);
                    note.set(String::new());
                }
                Err(e) => error.set(Some(e.user_text(i18n))),
            }
        });
    };

    let reactivate = move |_| {
        let Some(current) = card.get_untracked() else {
            return;
        };
        if let Err(e) = check(i18n, &current, &ACardAction::Reactivate) {
            error.set(Some(e));
            return;
        }
        let day = today_stored();
        leptos::task::spawn_local(async move {
            let result = sync
                .edit(id, &A_CARD, move |state| {
                    let edit = Edit::new(state, &A_CARD);
                    Ok(vec![
                        edit.transition("status", ACardStatus::Following.as_str())?,
                        edit.set("next_follow_up", json!(day))?,
                    ])
                })
                .await;
            error.set(result.err().map(|e| e.user_text(i18n)));
        });
    };

    view! {
        <section class="panel loss-panel" aria-labelledby="loss-panel-title">
            <div class="panel-head">
                <h2 id="loss-panel-title">{t!(i18n, loss.title)}</h2>
                {move || {
                    let c = card.get()?;
                    let (_, roles) = me();
                    let file = loss_file(&c);
                    let may_propose = file.status.next(ACardActionKind::ProposeLoss, &roles).is_ok();
                    let may_reactivate = file
                        .status
                        .next(ACardActionKind::Reactivate, &roles)
                        .is_ok();
                    if may_propose && !open.get() {
                        Some(
                            view! {
                                <button
                                    type="button"
                                    class="btn btn-secondary"
                                    on:click=move |_| {
                                        error.set(None);
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
            </div>
            {move || {
                let c = card.get()?;
                let status = status_of(&c);
                if !in_review(&status) && status != "lost" {
                    // Following again (sent back, or reactivated): whoever follows it now sees
                    // why it nearly was lost and what the manager heard from the customer.
                    let entries: Vec<LogEntry> = c.log("re_contacts").into_iter().cloned().collect();
                    if entries.is_empty() {
                        return None;
                    }
                    let earlier = [
                        reason_label(i18n, &text(&c, "loss_reason")),
                        text(&c, "loss_note"),
                    ]
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
                let entries: Vec<LogEntry> = c.log("re_contacts").into_iter().cloned().collect();
                let since = proposed_at(&c).unwrap_or(0.0);
                let entries: Vec<LogEntry> = entries
                    .into_iter()
                    .filter(|e| e.hlc.wall_ms as f64 >= since)
                    .collect();
                Some(
                    view! {
                        <dl class="fields">
                            <div>
                                <dt>{t!(i18n, a_card.status)}</dt>
                                <dd>{status_label(i18n, &status)}</dd>
                            </div>
                            <div>
                                <dt>{t!(i18n, loss.reason)}</dt>
                                <dd>{reason_label(i18n, &text(&c, "loss_reason"))}</dd>
                            </div>
                            <div>
                                <dt>{t!(i18n, loss.note)}</dt>
                                <dd>{text(&c, "loss_note")}</dd>
                            </div>
                            <div>
                                <dt>{t!(i18n, loss.proposed_at)}</dt>
                                <dd>{proposed_at(&c).map(|ms| local_time(ms, true))}</dd>
                            </div>
                        </dl>
                        {re_contact_list(i18n, entries)}
                        {in_review(&status)
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
                    <div class="field">
                        <label for="loss-reason">{t!(i18n, loss.reason)}</label>
                        <select
                            id="loss-reason"
                            prop:value=move || reason.get()
                            on:change=move |ev| reason.set(event_target_value(&ev))
                        >
                            <option value="">{t!(i18n, a_card.choose)}</option>
                            {move || {
                                LossReason::ALL
                                    .into_iter()
                                    .map(|r| {
                                        view! {
                                            <option value=r.as_str()>{reason_label(i18n, r.as_str())}</option>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </select>
                    </div>
                    <div class="field">
                        <label for="loss-note">{t!(i18n, loss.note)}</label>
                        <textarea
                            id="loss-note"
                            rows="3"
                            prop:value=move || note.get()
                            on:input=move |ev| note.set(event_target_value(&ev))
                        ></textarea>
                    </div>
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary" disabled=move || busy.get()>
                            {t!(i18n, loss.submit_proposal)}
                        </button>
                        <button type="button" class="btn btn-secondary" on:click=move |_| open.set(false)>
                            {t!(i18n, loss.cancel)}
                        </button>
                    </div>
                </form>
            </Show>
            {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
        </section>
    }
}

/// `/sales/losses`: the review queue (a manager sees every card under review and acts on it; a
/// consultant sees their own proposals and their state), then the monthly analysis.
#[component]
pub fn LossReviewPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let (my_id, roles) = me();
    let manager = is_manager(&roles);
    let selected = RwSignal::new(None::<Uuid>);
    let mine = my_id.clone();
    let queue = Memo::new(move |_| {
        let mut cards: Vec<RecordState> = sync
            .records("a_card")
            .into_iter()
            .filter(|c| {
                let status = status_of(c);
                if manager {
                    in_review(&status)
                } else {
                    text(c, "consultant_id") == mine
                        && (in_review(&status) || status == "lost")
                        && !text(c, "loss_reason").is_empty()
                }
            })
            .collect();
        // Under review first, oldest proposal first (it waited longest).
        cards.sort_by(|a, b| {
            let ra = !in_review(&status_of(a));
            let rb = !in_review(&status_of(b));
            ra.cmp(&rb).then(
                proposed_at(a)
                    .unwrap_or(0.0)
                    .total_cmp(&proposed_at(b).unwrap_or(0.0)),
            )
        });
        cards
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
            {move || {
                let cards = queue.get();
                if cards.is_empty() {
                    return view! { <p class="muted">{t!(i18n, loss.queue_empty)}</p> }.into_any();
                }
                let settings = sync.records("sales_settings");
                view! {
                    <div class="table-wrap">
                        <table class="table loss-table">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, a_card.name)}</th>
                                    <th scope="col">{t!(i18n, a_card.consultant)}</th>
                                    <th scope="col">{t!(i18n, a_card.intended_model)}</th>
                                    <th scope="col">{t!(i18n, loss.reason)}</th>
                                    <th scope="col">{t!(i18n, loss.note)}</th>
                                    <th scope="col">{t!(i18n, loss.proposed_at)}</th>
                                    <th scope="col">{t!(i18n, a_card.status)}</th>
                                    {manager.then(|| view! { <th scope="col">{t!(i18n, loss.actions)}</th> })}
                                </tr>
                            </thead>
                            <tbody>
                                {cards
                                    .into_iter()
                                    .map(|c| {
                                        let id = c.id;
                                        let name = text(&c, "name");
                                        let status = status_of(&c);
                                        let aria = format!("{} {name}", t_string!(i18n, loss.handle));
                                        view! {
                                            <tr class:selected=move || selected.get() == Some(id)>
                                                <th scope="row">
                                                    <A href=format!("/sales/a-cards/{id}")>{name.clone()}</A>
                                                </th>
                                                <td>{who(&text(&c, "consultant_id"))}</td>
                                                <td>{model_name(i18n, &settings, &text(&c, "intended_model"))}</td>
                                                <td>{reason_label(i18n, &text(&c, "loss_reason"))}</td>
                                                <td class="loss-note">{text(&c, "loss_note")}</td>
                                                <td>{proposed_at(&c).map(|ms| local_time(ms, true))}</td>
                                                <td>
                                                    <span class=format!("badge loss-{status}")>{status_label(i18n, &status)}</span>
                                                </td>
                                                {manager
                                                    .then(|| {
                                                        view! {
                                                            <td>
                                                                <button
                                                                    type="button"
                                                                    class="btn btn-secondary"
                                                                    aria-label=aria
                                                                    on:click=move |_| selected.set(Some(id))
                                                                >
                                                                    {t!(i18n, loss.handle)}
                                                                </button>
                                                            </td>
                                                        }
                                                    })}
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
        {move || {
            let id = selected.get()?;
            Some(view! { <Review id=id on_close=Callback::new(move |()| selected.set(None)) /> })
        }}
        <Analysis manager=manager me=my_id />
    }
}

/// The changes of one edit, built against the card as stored.
type BuildEdit =
    Box<dyn FnOnce(&RecordState) -> Result<Vec<domain::sync::Change>, domain::sync::SyncError>>;

/// The manager's work on one card of the queue: the re-contact form, 确认战败, 退回跟进.
#[component]
fn Review(id: Uuid, on_close: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let card = Memo::new(move |_| sync.record(id));
    let outcome = RwSignal::new(String::new());
    let channel = RwSignal::new(CHANNELS[0].to_string());
    let note = RwSignal::new(String::new());
    let send_to = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    // Runs a checked move as one edit.
    let run = move |action: ACardAction, build: BuildEdit, ok: String| {
        if busy.get_untracked() {
            return;
        }
        let Some(current) = card.get_untracked() else {
            return;
        };
        if let Err(e) = check(i18n, &current, &action) {
            done.set(None);
            error.set(Some(e));
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = sync.edit(id, &A_CARD, build).await;
            busy.set(false);
            match result {
                Ok(_) => {
                    error.set(None);
                    note.set(String::new());
                    outcome.set(String::new());
                    done.set(Some(ok));
                }
                Err(e) => error.set(Some(e.user_text(i18n))),
            }
        });
    };

    let record_re_contact = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(o) = ReContactOutcome::parse(&outcome.get_untracked()) else {
            error.set(Some(t_string!(i18n, loss.need_outcome).to_string()));
            return;
        };
        let n = note.get_untracked().trim().to_string();
        let ch = channel.get_untracked();
        let action = ACardAction::RecordReContact {
            outcome: o,
            note: n.clone(),
        };
        run(
            action,
            Box::new(move |state| {
                let edit = Edit::new(state, &A_CARD);
                let mut changes = vec![edit.append(
                    "re_contacts",
                    Uuid::now_v7(),
                    json!({"outcome": o.as_str(), "channel": ch, "note": n}),
                )?];
                if state.status(&A_CARD, "status") != Some(ACardStatus::ReContacted.as_str()) {
                    changes.push(edit.transition("status", ACardStatus::ReContacted.as_str())?);
                }
                Ok(changes)
            }),
            t_string!(i18n, loss.re_contact_saved).to_string(),
        );
    };
    let confirm = move |_| {
        run(
            ACardAction::ConfirmLoss,
            Box::new(|state| {
                Ok(vec![
                    Edit::new(state, &A_CARD).transition("status", ACardStatus::Lost.as_str())?,
                ])
            }),
            t_string!(i18n, loss.confirmed).to_string(),
        );
    };
    let send_back = move |_| {
        let to = send_to.get_untracked();
        let day = today_stored();
        run(
            ACardAction::SendBack,
            Box::new(move |state| {
                let edit = Edit::new(state, &A_CARD);
                let mut changes = vec![
                    edit.transition("status", ACardStatus::Following.as_str())?,
                    edit.set("next_follow_up", json!(day))?,
                ];
                if !to.is_empty() {
                    changes.push(edit.set("consultant_id", json!(to))?);
                }
                Ok(changes)
            }),
            t_string!(i18n, loss.sent_back).to_string(),
        );
    };

    // The consultants a card can go back to: the store's directory, else those who have cards
    // on this device; (id, name), by name.
    let consultants = Memo::new(move |_| {
        let mut people: Vec<(String, String)> = crate::directory::consultants()
            .into_iter()
            .map(|p| (p.id, p.display_name))
            .collect();
        if people.is_empty() {
            let mut ids: Vec<String> = sync
                .records("a_card")
                .iter()
                .map(|c| text(c, "consultant_id"))
                .filter(|s| !s.is_empty())
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
                    {move || card.with(|c| c.as_ref().map(|c| text(c, "name")))}
                </h2>
                <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                    {t!(i18n, loss.close)}
                </button>
            </div>
            {move || {
                let c = card.get()?;
                let status = status_of(&c);
                let since = proposed_at(&c).unwrap_or(0.0);
                let entries: Vec<LogEntry> = c
                    .log("re_contacts")
                    .into_iter()
                    .filter(|e| e.hlc.wall_ms as f64 >= since)
                    .cloned()
                    .collect();
                Some(
                    view! {
                        <p>
                            {t!(i18n, a_card.status)} ": "
                            <strong>{status_label(i18n, &status)}</strong> " · "
                            {reason_label(i18n, &text(&c, "loss_reason"))} " · " {text(&c, "loss_note")}
                        </p>
                        {re_contact_list(i18n, entries)}
                    },
                )
            }}
            {move || done.get().map(|m| view! { <p class="notice notice-ok" role="status">{m}</p> })}
            {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
            <Show when=move || card.with(|c| c.as_ref().is_some_and(|c| in_review(&status_of(c))))>
                <form class="form loss-form" on:submit=record_re_contact novalidate>
                    <h3>{t!(i18n, loss.record_re_contact)}</h3>
                    <div class="field">
                        <label for="re-contact-channel">{t!(i18n, loss.how)}</label>
                        <select
                            id="re-contact-channel"
                            prop:value=move || channel.get()
                            on:change=move |ev| channel.set(event_target_value(&ev))
                        >
                            {CHANNELS
                                .into_iter()
                                .map(|c| view! { <option value=c>{move || channel_label(i18n, c)}</option> })
                                .collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="re-contact-outcome">{t!(i18n, loss.outcome)}</label>
                        <select
                            id="re-contact-outcome"
                            prop:value=move || outcome.get()
                            on:change=move |ev| outcome.set(event_target_value(&ev))
                        >
                            <option value="">{t!(i18n, a_card.choose)}</option>
                            {ReContactOutcome::ALL
                                .into_iter()
                                .map(|o| {
                                    view! { <option value=o.as_str()>{move || outcome_label(i18n, o.as_str())}</option> }
                                })
                                .collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="re-contact-note">{t!(i18n, loss.re_contact_note)}</label>
                        <textarea
                            id="re-contact-note"
                            rows="3"
                            prop:value=move || note.get()
                            on:input=move |ev| note.set(event_target_value(&ev))
                        ></textarea>
                    </div>
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
                    <div class="field">
                        <label for="send-back-to">{t!(i18n, loss.send_back_to)}</label>
                        <select
                            id="send-back-to"
                            prop:value=move || send_to.get()
                            on:change=move |ev| send_to.set(event_target_value(&ev))
                        >
                            <option value="">{t!(i18n, loss.same_consultant)}</option>
                            {move || {
                                consultants
                                    .get()
                                    .into_iter()
                                    .map(|(id, name)| view! { <option value=id>{name}</option> })
                                    .collect_view()
                            }}
                        </select>
                    </div>
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
fn Analysis(manager: bool, me: String) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let month = RwSignal::new(now_stored().chars().take(7).collect::<String>());
    let opened = RwSignal::new(None::<(String, Vec<Uuid>)>);
    let lost_cards = Memo::new(move |_| {
        sync.records("a_card")
            .into_iter()
            .filter(|c| status_of(c) == "lost" && (manager || text(c, "consultant_id") == me))
            .collect::<Vec<_>>()
    });
    let analysis = Memo::new(move |_| {
        let facts: Vec<LossFact> = lost_cards.with(|cards| {
            cards
                .iter()
                .filter_map(|c| {
                    Some(LossFact {
                        id: c.id,
                        reason: LossReason::parse(&text(c, "loss_reason")),
                        model: text(c, "intended_model"),
                        lost_hlc_ms: lost_at(c)?,
                    })
                })
                .collect()
        });
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
        <section class="panel" aria-labelledby="loss-analysis-title">
            <div class="panel-head">
                <h2 id="loss-analysis-title">{t!(i18n, loss.analysis_title)}</h2>
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
            </div>
            {move || {
                let Some(a) = analysis.get() else {
                    return view! { <p class="muted">{t!(i18n, loss.pick_month)}</p> }.into_any();
                };
                let total = a.cards.len();
                let settings = sync.records("sales_settings");
                let mut reasons: Vec<(String, Vec<Uuid>)> = a
                    .by_reason
                    .iter()
                    .map(|r| (reason_label(i18n, r.reason.as_str()), r.cards.clone()))
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
                                    let day = lost_at(&c).and_then(|ms| store_clock().day_of_ms(ms)).map(|d| d.to_string());
                                    let href = format!("/sales/a-cards/{}", c.id);
                                    let name = text(&c, "name");
                                    let rest = format!(
                                        " · {} · {} · {} · {}",
                                        who(&text(&c, "consultant_id")),
                                        model_name(i18n, &settings, &text(&c, "intended_model")),
                                        reason_label(i18n, &text(&c, "loss_reason")),
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
        </section>
    }
}
