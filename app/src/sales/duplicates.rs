//! `/sales/duplicates` (撞单): A-cards on this device that share a phone number, grouped with the
//! domain's rules (`domain::sales::duplicate`: the owner has the earliest first contact), so the
//! queue works offline and matches the server's `GET /api/sales/duplicates`.
//!
//! A sales manager or the GM settles each group: 合并 folds the other cards into the owner
//! (`merge_plan`: empty fields filled, follow-ups copied with fixed ids, a note in the log), then
//! puts them in the bin; 转给 does the same and gives the customer to the chosen consultant.

use domain::records::A_CARD;
use domain::sales::duplicate::{DuplicateGroup, contact_of, find_duplicates, merge_plan};
use domain::sync::{Edit, RecordState};
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use crate::directory;
use crate::i18n::*;
use crate::sales::a_card::{phone_display, text};
use crate::sales::is_sales_manager;
use crate::sales::words::status_label;
use crate::sync::{EditError, SyncCtx, use_sync};
use crate::ui::error::UserText;
use crate::ui::labels::{device, who};

/// A translation with `%name%` placeholders filled in.
fn fill(template: &str, values: &[(&str, String)]) -> String {
    values.iter().fold(template.to_string(), |t, (k, v)| {
        t.replace(&format!("%{k}%"), v)
    })
}

/// A duplicate group with the cards as stored (owner first).
#[derive(Clone, PartialEq)]
struct Group {
    phone: String,
    owner_consultant: String,
    crosses_consultants: bool,
    crosses_devices: bool,
    /// (the card, the device it was built on), owner first.
    cards: Vec<(RecordState, Uuid)>,
}

/// The duplicate groups among the live A-cards of this device.
fn groups(cards: &[RecordState]) -> Vec<Group> {
    let contacts: Vec<_> = cards.iter().filter_map(contact_of).collect();
    find_duplicates(&contacts)
        .into_iter()
        .map(|g: DuplicateGroup| Group {
            owner_consultant: cards
                .iter()
                .find(|c| c.id == g.owner)
                .map(|c| text(c, "consultant_id"))
                .unwrap_or_default(),
            phone: g.phone,
            crosses_consultants: g.crosses_consultants,
            crosses_devices: g.crosses_devices,
            cards: g
                .cards
                .iter()
                .filter_map(|c| Some((cards.iter().find(|r| r.id == c.id)?.clone(), c.device)))
                .collect(),
        })
        .collect()
}

/// Folds every other card of the group into the owner (as its steps, then the other card to
/// the bin). `others`: the other cards with their consultants' names; `consultant`: who keeps
/// the customer (转给: user id and name); `None` keeps the owner's consultant. Names are looked
/// up before (the directory needs the page's context, which a task does not have).
async fn merge_group(
    sync: SyncCtx,
    i18n: I18nContext<Locale>,
    owner_id: Uuid,
    others: Vec<(Uuid, String)>,
    consultant: Option<(String, String)>,
) -> Result<(), EditError> {
    for (other_id, by) in others {
        let (Some(owner), Some(other)) = (sync.record(owner_id), sync.record(other_id)) else {
            continue;
        };
        let count = other.log("follow_ups").len().to_string();
        let name = text(&other, "name");
        let note = match &consultant {
            Some((_, to)) => fill(
                t_string!(i18n, duplicates.note_reassign),
                &[
                    ("name", name),
                    ("consultant", by),
                    ("count", count),
                    ("to", to.clone()),
                ],
            )
            .to_string(),
            None => fill(
                t_string!(i18n, duplicates.note_merge),
                &[("name", name), ("consultant", by), ("count", count)],
            )
            .to_string(),
        };
        let plan = merge_plan(
            &owner,
            &other,
            consultant.as_ref().map(|(id, _)| id.as_str()),
            &note,
        );
        for step in plan.steps() {
            sync.edit(owner_id, &A_CARD, move |state| step.changes(state))
                .await?;
        }
        sync.edit(other_id, &A_CARD, |state| {
            Ok(vec![Edit::new(state, &A_CARD).delete()])
        })
        .await?;
    }
    Ok(())
}

/// `/sales/duplicates`.
#[component]
pub fn DuplicatesPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let manager = Memo::new(move |_| is_sales_manager());
    let list = Memo::new(move |_| groups(&sync.records("a_card")));
    let done = RwSignal::new(None::<String>);
    view! {
        <section class="panel" aria-labelledby="duplicates-title">
            <h1 id="duplicates-title">{t!(i18n, duplicates.title)}</h1>
            <p class="muted">{t!(i18n, duplicates.intro)}</p>
            {move || done.get().map(|d| view! { <p class="notice notice-ok" role="status">{d}</p> })}
            {move || {
                if !manager.get() {
                    return view! {
                        <p class="notice notice-warn" role="alert">{t!(i18n, duplicates.no_access)}</p>
                    }
                        .into_any();
                }
                let list = list.get();
                if list.is_empty() {
                    return view! { <p class="notice notice-ok">{t!(i18n, duplicates.none)}</p> }
                        .into_any();
                }
                list.into_iter()
                    .map(|g| view! { <GroupCard group=g done=done /> })
                    .collect_view()
                    .into_any()
            }}
        </section>
    }
}

/// One group: its cards and the two actions.
#[component]
fn GroupCard(group: Group, done: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let phone = phone_display(&group.phone);
    let owner_id = group.cards.first().map(|(c, _)| c.id).unwrap_or_default();
    // Names follow the store's directory, which may arrive after the page (a reload, a first
    // start): memos, so the table, the choices and the merge note use the names once known.
    let others = Memo::new({
        let cards = group.cards.clone();
        move |_| -> Vec<(Uuid, String)> {
            cards
                .iter()
                .skip(1)
                .map(|(c, _)| (c.id, who(&text(c, "consultant_id"))))
                .collect()
        }
    });
    let total = group.cards.len();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let chosen = RwSignal::new(group.owner_consultant.clone());
    // The consultants to choose from: the store's, and whoever has a card of the group.
    let choices = Memo::new({
        let cards = group.cards.clone();
        move |_| {
            let mut choices: Vec<(String, String)> = directory::consultants()
                .into_iter()
                .map(|p| (p.id, p.display_name))
                .collect();
            for (card, _) in &cards {
                let id = text(card, "consultant_id");
                if !id.is_empty() && !choices.iter().any(|(c, _)| c.eq_ignore_ascii_case(&id)) {
                    choices.push((id.clone(), who(&id)));
                }
            }
            choices
        }
    });

    let act = {
        let phone = phone.clone();
        move |consultant: Option<(String, String)>| {
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            error.set(None);
            let others = others.get_untracked();
            let phone = phone.clone();
            leptos::task::spawn_local(async move {
                let result = merge_group(sync, i18n, owner_id, others, consultant).await;
                busy.set(false);
                match result {
                    Ok(()) => done.set(Some(
                        fill(
                            t_string!(i18n, duplicates.merged),
                            &[("phone", phone), ("count", total.to_string())],
                        )
                        .to_string(),
                    )),
                    Err(e) => error.set(Some(e.user_text(i18n))),
                }
            });
        }
    };
    let merge = act.clone();
    let reassign = act;
    let select_id = format!("reassign-{}", group.phone);
    let group_label = fill(
        t_string!(i18n, duplicates.group),
        &[("phone", phone.clone())],
    )
    .to_string();
    let merge_label = fill(
        t_string!(i18n, duplicates.merge_label),
        &[("phone", phone.clone())],
    )
    .to_string();
    let reassign_label = fill(
        t_string!(i18n, duplicates.reassign_label),
        &[("phone", phone.clone())],
    )
    .to_string();

    view! {
        <article class="dup-group" aria-label=group_label>
            <div class="dup-head">
                <h2>{phone.clone()}</h2>
                {group
                    .crosses_consultants
                    .then(|| {
                        view! { <span class="badge badge-info">{t!(i18n, duplicates.crosses_consultants)}</span> }
                    })}
                {group
                    .crosses_devices
                    .then(|| {
                        view! { <span class="badge badge-muted">{t!(i18n, duplicates.crosses_devices)}</span> }
                    })}
            </div>
            <div class="table-wrap">
                <table class="table dup-table">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, duplicates.role)}</th>
                            <th scope="col">{t!(i18n, a_card.name)}</th>
                            <th scope="col">{t!(i18n, a_card.consultant)}</th>
                            <th scope="col">{t!(i18n, duplicates.device)}</th>
                            <th scope="col">{t!(i18n, a_card.first_contact_at)}</th>
                            <th scope="col">{t!(i18n, a_card.status)}</th>
                            <th scope="col">{t!(i18n, duplicates.follow_ups)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {group
                            .cards
                            .iter()
                            .enumerate()
                            .map(|(i, (card, built_on))| {
                                let role = if i == 0 {
                                    t_string!(i18n, duplicates.owner)
                                } else {
                                    t_string!(i18n, duplicates.duplicate)
                                };
                                let name = text(card, "name");
                                let name = if name.is_empty() {
                                    t_string!(i18n, duplicates.unnamed).to_string()
                                } else {
                                    name
                                };
                                let status = card.status(&A_CARD, "status").unwrap_or("following").to_string();
                                view! {
                                    <tr class=if i == 0 { "dup-owner" } else { "" }>
                                        <td>
                                            <span class=if i == 0 { "badge badge-ok" } else { "badge badge-muted" }>{role}</span>
                                        </td>
                                        <th scope="row">
                                            <A href=format!("/sales/a-cards/{}", card.id)>{name}</A>
                                        </th>
                                        <td>
                                            {
                                                let id = text(card, "consultant_id");
                                                move || who(&id)
                                            }
                                        </td>
                                        <td>
                                            {
                                                let built_on = *built_on;
                                                move || device(i18n, &built_on)
                                            }
                                        </td>
                                        <td>{text(card, "first_contact_at").replace('T', " ")}</td>
                                        <td>{status_label(i18n, &status)}</td>
                                        <td>{card.log("follow_ups").len()}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
            <div class="dup-actions">
                <button
                    type="button"
                    class="btn btn-primary"
                    aria-label=merge_label
                    disabled=move || busy.get()
                    on:click=move |_| merge(None)
                >
                    {t!(i18n, duplicates.merge)}
                </button>
                <div class="field dup-reassign">
                    <label for=select_id.clone()>
                        {t!(i18n, duplicates.reassign_to)}
                        <span class="visually-hidden">" " {phone.clone()}</span>
                    </label>
                    <select
                        id=select_id.clone()
                        prop:value=move || chosen.get()
                        on:change=move |ev| chosen.set(event_target_value(&ev))
                    >
                        {move || {
                            choices
                                .get()
                                .into_iter()
                                .map(|(id, name)| {
                                    let selected = id.eq_ignore_ascii_case(&chosen.get_untracked());
                                    view! { <option value=id selected=selected>{name}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </div>
                <button
                    type="button"
                    class="btn btn-secondary"
                    aria-label=reassign_label
                    disabled=move || busy.get()
                    on:click=move |_| {
                        let id = chosen.get_untracked();
                        let name = choices
                            .with_untracked(|names| {
                                names.iter().find(|(c, _)| *c == id).map(|(_, n)| n.clone())
                            })
                            .unwrap_or_default();
                        reassign(Some((id, name)))
                    }
                >
                    {t!(i18n, duplicates.reassign)}
                </button>
            </div>
            <p class="muted small">{t!(i18n, duplicates.hint)}</p>
            {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
        </article>
    }
}
