//! `/sales/a-cards/:id`: one A-card: its fields (编辑 makes one op of ordinary edits of the
//! changed fields), its open conflicts, and its 跟进记录 (follow-ups log) with 添加跟进.

use domain::records::A_CARD;
use domain::sync::{Edit, LogEntry};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use serde_json::{Value, json};
use uuid::Uuid;

use super::a_card::{CardForm, fields_of, model_name, phone_display, text};
use crate::conflicts::{ConflictCard, conflicts_of};
use crate::i18n::*;
use crate::sales::words::{grade_label, status_label};
use crate::sync::use_sync;
use crate::ui::error::UserText;
use crate::ui::labels::{local_time, who};
use domain::sales::a_card::ACardForm;

/// The follow-up channels (跟进方式).
pub const CHANNELS: [&str; 4] = ["phone", "wechat", "visit", "sms"];

fn channel_label(i18n: I18nContext<Locale>, channel: &str) -> String {
    match channel {
        "phone" => t_string!(i18n, a_card.channels.phone),
        "wechat" => t_string!(i18n, a_card.channels.wechat),
        "visit" => t_string!(i18n, a_card.channels.visit),
        "sms" => t_string!(i18n, a_card.channels.sms),
        "merge" => t_string!(i18n, duplicates.merge_channel),
        other => return other.to_string(),
    }
    .to_string()
}

#[component]
pub fn ACardPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    let card = Memo::new(move |_| id.get().and_then(|id| sync.record(id)));

    move || {
        let Some(id) = id.get() else {
            return not_found(i18n).into_any();
        };
        if card.with(Option::is_none) {
            return not_found(i18n).into_any();
        }
        view! {
            <CardView id=id card=card />
        }
        .into_any()
    }
}

fn not_found(i18n: I18nContext<Locale>) -> impl IntoView {
    view! {
        <section class="panel notice-page">
            <p>{t!(i18n, a_card.not_found)}</p>
            <A href="/sales/a-cards" attr:class="btn btn-secondary">
                {t!(i18n, a_card.back)}
            </A>
        </section>
    }
}

#[component]
fn CardView(id: Uuid, card: Memo<Option<domain::sync::RecordState>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let editing = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let save_error = RwSignal::new(None::<String>);
    let field = move |f: &'static str| {
        move || card.with(|c| c.as_ref().map(|c| text(c, f)).unwrap_or_default())
    };
    let conflicts =
        Memo::new(move |_| card.with(|c| c.as_ref().map(conflicts_of).unwrap_or_default()));

    let on_save = Callback::new(move |(before, after): (ACardForm, ACardForm)| {
        if before == after {
            return Some(t_string!(i18n, a_card.no_changes).to_string());
        }
        leptos::task::spawn_local(async move {
            let result = sync.execute(&after.edit_plan(id, &before)).await;
            match result {
                Ok(_) => {
                    editing.set(false);
                    saved.set(true);
                    save_error.set(None);
                }
                Err(e) => save_error.set(Some(e.user_text(i18n))),
            }
        });
        None
    });

    view! {
        <p class="back-link">
            <A href="/sales/a-cards">{t!(i18n, a_card.back)}</A>
        </p>
        <section class="panel" aria-labelledby="a-card-title">
            <div class="panel-head">
                <h1 id="a-card-title">{field("name")}</h1>
                <Show when=move || !editing.get()>
                    <button
                        type="button"
                        class="btn btn-secondary"
                        on:click=move |_| {
                            saved.set(false);
                            editing.set(true);
                        }
                    >
                        {t!(i18n, a_card.edit)}
                    </button>
                </Show>
            </div>
            {move || {
                if editing.get() {
                    // The form starts from the card as shown when 编辑 was pressed; only the
                    // fields the person changes are written.
                    let before = card
                        .get_untracked()
                        .map(|c| fields_of(&c))
                        .unwrap_or_default();
                    let start = before.clone();
                    let save = Callback::new(move |after: ACardForm| on_save.run((before.clone(), after)));
                    let cancel = Callback::new(move |()| editing.set(false));
                    view! { <CardForm initial=start except=Some(id) on_save=save on_cancel=cancel /> }
                        .into_any()
                } else {
                    // One reactive section: the whole list is redrawn when the card changes.
                    let c = card.get();
                    let get = |f: &str| c.as_ref().map(|c| text(c, f)).unwrap_or_default();
                    let status = c
                        .as_ref()
                        .and_then(|c| c.status(&A_CARD, "status"))
                        .unwrap_or("following")
                        .to_string();
                    let rows = [
                        (t_string!(i18n, a_card.phone), phone_display(&get("phone"))),
                        (
                            t_string!(i18n, a_card.intended_model),
                            model_name(i18n, &sync.records("sales_settings"), &get("intended_model")),
                        ),
                        (t_string!(i18n, a_card.grade), grade_label(i18n, &get("grade"))),
                        (t_string!(i18n, a_card.status), status_label(i18n, &status)),
                        (t_string!(i18n, a_card.next_follow_up), get("next_follow_up")),
                        (t_string!(i18n, a_card.consultant), who(&get("consultant_id"))),
                        (
                            t_string!(i18n, a_card.source),
                            domain::sales::visit::VisitSource::parse(&get("source"))
                                .map(|v| super::a_card::source_label(i18n, v).to_string())
                                .unwrap_or_default(),
                        ),
                        (t_string!(i18n, a_card.current_car), get("current_car")),
                        (
                            t_string!(i18n, a_card.finance_interest),
                            match get("finance_interest").as_str() {
                                "true" => t_string!(i18n, a_card.finance_yes).to_string(),
                                "false" => t_string!(i18n, a_card.finance_no).to_string(),
                                _ => String::new(),
                            },
                        ),
                        (
                            t_string!(i18n, a_card.first_contact_at),
                            get("first_contact_at").replace('T', " "),
                        ),
                    ];
                    view! {
                        <dl class="fields">
                            {rows
                                .into_iter()
                                .map(|(label, value)| {
                                    view! {
                                        <div>
                                            <dt>{label}</dt>
                                            <dd>{value}</dd>
                                        </div>
                                    }
                                })
                                .collect_view()}
                        </dl>
                    }
                    .into_any()
                }
            }}
            <super::a_card::CardQuality card=card />
            <Show when=move || saved.get()>
                <p class="notice notice-ok" role="status">{t!(i18n, a_card.saved)}</p>
            </Show>
            {move || save_error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
        </section>
        <Show when=move || conflicts.with(|c| !c.is_empty())>
            <section class="panel" aria-labelledby="a-card-conflicts">
                <h2 id="a-card-conflicts">{t!(i18n, a_card.has_conflicts)}</h2>
                {move || {
                    let record = card.get();
                    conflicts
                        .get()
                        .into_iter()
                        .filter_map(|c| {
                            let record = record.clone()?;
                            Some(view! { <ConflictCard record=record conflict=c show_record=false /> })
                        })
                        .collect_view()
                }}
            </section>
        </Show>
        <super::a_card::CardVisits id=id />
        <super::loss::LossPanel id=id card=card />
        <super::test_drive::CardTestDrives id=id />
        <super::order::CardOrders id=id card=card />
        <FollowUps id=id card=card />
    }
}

#[component]
fn FollowUps(id: Uuid, card: Memo<Option<domain::sync::RecordState>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let entries = Memo::new(move |_| {
        card.with(|c| {
            c.as_ref()
                .map(|c| {
                    c.log("follow_ups")
                        .into_iter()
                        .rev()
                        .cloned()
                        .collect::<Vec<LogEntry>>()
                })
                .unwrap_or_default()
        })
    });
    let channel = RwSignal::new(CHANNELS[0].to_string());
    let content = RwSignal::new(String::new());
    let next_date = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let what = content.get_untracked().trim().to_string();
        if what.is_empty() {
            error.set(Some(t_string!(i18n, a_card.need_content).to_string()));
            return;
        }
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let ch = channel.get_untracked();
        let next = next_date.get_untracked();
        leptos::task::spawn_local(async move {
            let result = sync
                .edit(id, &A_CARD, move |state| {
                    let edit = Edit::new(state, &A_CARD);
                    let next_value = if next.is_empty() {
                        Value::Null
                    } else {
                        json!(next)
                    };
                    let mut changes = vec![edit.append(
                        "follow_ups",
                        Uuid::now_v7(),
                        json!({"channel": ch, "content": what, "next_date": next_value}),
                    )?];
                    if !next.is_empty() {
                        changes.push(edit.set("next_follow_up", json!(next))?);
                    }
                    Ok(changes)
                })
                .await;
            busy.set(false);
            match result {
                Ok(_) => {
                    content.set(String::new());
                    next_date.set(String::new());
                    error.set(None);
                }
                Err(e) => error.set(Some(e.user_text(i18n))),
            }
        });
    };

    view! {
        <section class="panel" aria-labelledby="follow-ups-title">
            <h2 id="follow-ups-title">{t!(i18n, a_card.follow_ups)}</h2>
            {move || {
                let entries = entries.get();
                if entries.is_empty() {
                    return view! { <p class="muted">{t!(i18n, a_card.no_follow_ups)}</p> }.into_any();
                }
                view! {
                    <ol class="follow-ups">
                        {entries
                            .into_iter()
                            .map(|e| {
                                let v = &e.value;
                                let ch = channel_label(i18n, v["channel"].as_str().unwrap_or_default());
                                let what = v["content"].as_str().unwrap_or_default().to_string();
                                let next = v["next_date"].as_str().map(str::to_string);
                                view! {
                                    <li class="follow-up">
                                        <div class="follow-up-meta">
                                            <span class="badge badge-muted">{ch}</span>
                                            " "
                                            {local_time(e.hlc.wall_ms as f64, true)}
                                            " · "
                                            {who(&e.user_id)}
                                        </div>
                                        <p class="follow-up-content">{what}</p>
                                        {next
                                            .map(|n| {
                                                view! {
                                                    <p class="muted small">
                                                        {t!(i18n, a_card.next_follow_up)} ": " {n}
                                                    </p>
                                                }
                                            })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                }
                .into_any()
            }}
            <form class="form follow-up-form" on:submit=submit novalidate>
                <h3>{t!(i18n, a_card.add_follow_up)}</h3>
                <div class="field">
                    <label for="follow-up-channel">{t!(i18n, a_card.channel)}</label>
                    <select
                        id="follow-up-channel"
                        prop:value=move || channel.get()
                        on:change=move |ev| channel.set(event_target_value(&ev))
                    >
                        {CHANNELS
                            .into_iter()
                            .map(|c| {
                                view! {
                                    <option value=c selected=move || channel.get() == c>
                                        {move || channel_label(i18n, c)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="follow-up-content">{t!(i18n, a_card.content)}</label>
                    <textarea
                        id="follow-up-content"
                        rows="3"
                        prop:value=move || content.get()
                        on:input=move |ev| content.set(event_target_value(&ev))
                    ></textarea>
                </div>
                <div class="field">
                    <label for="follow-up-next">{t!(i18n, a_card.next_date)}</label>
                    <input
                        id="follow-up-next"
                        type="date"
                        prop:value=move || next_date.get()
                        on:input=move |ev| next_date.set(event_target_value(&ev))
                    />
                </div>
                {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
                <button type="submit" class="btn btn-primary" disabled=move || busy.get()>
                    {t!(i18n, a_card.add_follow_up)}
                </button>
            </form>
        </section>
    }
}
