//! `/sales/a-cards/:id`: one A-card: its fields (编辑 makes one op of ordinary edits of the
//! changed fields), its open conflicts, and its 跟进记录 (follow-ups log) with 添加跟进.

use domain::records::sales::ACard;
use domain::sales::follow_up::{Channel, follow_up_plan};
use domain::sync::LogEntry;
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use super::a_card::{CardForm, fields_of};
use super::loss::channel_label;
use crate::clock::store_clock;
use crate::conflicts::{ConflictCard, conflicts_of};
use crate::i18n::*;
use crate::sales::words::{grade_label, model_name, status_label};
use crate::sync::use_sync;
use crate::ui::alert::{Alert, Notice};
use crate::ui::edit::use_edit;
use crate::ui::error::UserText;
use crate::ui::field::choice::EnumSelect;
use crate::ui::field::{DateField, TextArea};
use crate::ui::kinds::text;
use crate::ui::labels::{local_time, phone_display, who};
use crate::ui::list::ItemList;
use crate::ui::panel::Panel;
use crate::ui::record_page::{RecordPage, field_list};
use domain::sales::a_card::ACardForm;

#[component]
pub fn ACardPage() -> impl IntoView {
    view! { <RecordPage record_type="a_card" view=|(id, card)| view! { <CardView id=id card=card /> }.into_any() /> }
}

#[component]
fn CardView(id: Uuid, card: Memo<Option<domain::sync::RecordState>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let editing = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let edit = use_edit();
    let shown = Memo::new(move |_| card.with(|c| c.as_ref().map(|c| ACard::of(c, store_clock()))));
    let conflicts =
        Memo::new(move |_| card.with(|c| c.as_ref().map(conflicts_of).unwrap_or_default()));

    let on_save = Callback::new(move |(before, after): (ACardForm, ACardForm)| {
        if before == after {
            return Some(t_string!(i18n, a_card.no_changes).to_string());
        }
        edit.run(
            async move { sync.execute(&after.edit_plan(id, &before)).await },
            move |_| {
                editing.set(false);
                saved.set(true);
            },
        );
        None
    });

    view! {
        <p class="back-link">
            <A href="/sales/a-cards">{t!(i18n, a_card.back)}</A>
        </p>
        <section class="panel" aria-labelledby="a-card-title">
            <div class="panel-head">
                <h1 id="a-card-title">
                    {move || shown.with(|c| c.as_ref().and_then(|c| c.name.clone()).unwrap_or_default())}
                </h1>
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
                    let Some(v) = shown.get() else {
                        return ().into_any();
                    };
                    let or_blank = |s: &Option<String>| s.clone().unwrap_or_default();
                    let rows = [
                        (t_string!(i18n, a_card.phone), phone_display(&or_blank(&v.phone))),
                        (
                            t_string!(i18n, a_card.intended_model),
                            model_name(i18n, &sync.records("sales_settings"), &or_blank(&v.intended_model)),
                        ),
                        (t_string!(i18n, a_card.grade), grade_label(i18n, &get("grade"))),
                        (t_string!(i18n, a_card.status), status_label(i18n, v.status.as_str())),
                        (t_string!(i18n, a_card.next_follow_up), get("next_follow_up")),
                        (
                            t_string!(i18n, a_card.consultant),
                            who(&v.consultant_id.map(|u| u.to_string()).unwrap_or_default()),
                        ),
                        (
                            t_string!(i18n, a_card.source),
                            v.source
                                .map(|s| label(i18n, s).to_string())
                                .unwrap_or_default(),
                        ),
                        (t_string!(i18n, a_card.current_car), or_blank(&v.current_car)),
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
                    field_list((), rows).into_any()
                }
            }}
            <super::a_card::CardQuality card=card />
            <Notice
                class="notice notice-ok"
                message=Signal::derive(move || saved.get().then(|| t_string!(i18n, a_card.saved).to_string()))
            />
            <Alert message=edit.error />
        </section>
        <Show when=move || conflicts.with(|c| !c.is_empty())>
            <Panel id="a-card-conflicts" title=move || t!(i18n, a_card.has_conflicts)>
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
            </Panel>
        </Show>
        <super::a_card::CardVisits id=id />
        <super::loss::LossPanel card=card />
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
    let channel = RwSignal::new(Channel::ALL[0].as_str().to_string());
    let content = RwSignal::new(String::new());
    let next_date = RwSignal::new(String::new());
    let edit = use_edit();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let ch = Channel::parse(&channel.get_untracked()).unwrap_or(Channel::ALL[0]);
        let plan = match follow_up_plan(
            id,
            Uuid::now_v7(),
            ch,
            &content.get_untracked(),
            &next_date.get_untracked(),
        ) {
            Ok(plan) => plan,
            Err(e) => return edit.fail(e.user_text(i18n)),
        };
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            content.set(String::new());
            next_date.set(String::new());
        });
    };

    view! {
        <Panel id="follow-ups-title" title=move || t!(i18n, a_card.follow_ups)>
            <ItemList
                items=entries
                class="follow-ups"
                ordered=true
                empty=|i| t_string!(i, a_card.no_follow_ups)
                item=move |e| {
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
                }
            />
            <form class="form follow-up-form" on:submit=submit novalidate>
                <h3>{t!(i18n, a_card.add_follow_up)}</h3>
                <EnumSelect<Channel> id="follow-up-channel" value=channel>
                    {t!(i18n, a_card.channel)}
                </EnumSelect<Channel>>
                <TextArea id="follow-up-content" value=content rows=3>
                    {t!(i18n, a_card.content)}
                </TextArea>
                <DateField id="follow-up-next" value=next_date>
                    {t!(i18n, a_card.next_date)}
                </DateField>
                <Alert message=edit.error />
                <button type="submit" class="btn btn-primary" disabled=move || edit.busy.get()>
                    {t!(i18n, a_card.add_follow_up)}
                </button>
            </form>
        </Panel>
    }
}
