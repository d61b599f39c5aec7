//! `/sales/duplicates` (撞单): A-cards on this device that share a phone number (read without
//! reading every card: `super::duplicate_read`), grouped with the domain's rules (`domain::sales::duplicate`: the owner has the earliest first contact), so the
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

use super::duplicate_read::shared_phone_cards;
use crate::directory;
use crate::i18n::*;
use crate::sales::is_sales_manager;
use crate::sales::words::status_label;
use crate::sync::{EditError, SyncCtx, use_sync};
use crate::ui::alert::{Alert, Notice};
use crate::ui::edit::use_edit;
use crate::ui::field::Select;
use crate::ui::kinds::text;
use crate::ui::labels::{device, phone_display, who};
use crate::ui::panel::Panel;
use crate::ui::reads::read_with;
use crate::ui::table::{Column, Columns, DataTable};

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
    let contacts: Vec<_> = cards
        .iter()
        .filter_map(|c| contact_of(c, crate::clock::store_clock()))
        .collect();
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
    let manager = Memo::new(move |_| is_sales_manager());
    // Only the cards whose phone is on another card (`duplicate_read`), not every A-card.
    let cards = read_with(&["a_card"], || Some(shared_phone_cards()));
    let list = Memo::new(move |_| {
        cards
            .loaded
            .get()
            .then(|| cards.records.with(|c| groups(c)))
    });
    let done = RwSignal::new(None::<String>);
    view! {
        <Panel id="duplicates-title" page=true title=move || t!(i18n, duplicates.title)>
            <p class="muted">{t!(i18n, duplicates.intro)}</p>
            <Notice class="notice notice-ok" message=done />
            {move || {
                if !manager.get() {
                    return view! {
                        <p class="notice notice-warn" role="alert">{t!(i18n, duplicates.no_access)}</p>
                    }
                        .into_any();
                }
                let Some(list) = list.get() else {
                    return view! { <p class="muted" role="status">{t!(i18n, loading)}</p> }
                        .into_any();
                };
                if list.is_empty() {
                    return view! { <p class="notice notice-ok">{t!(i18n, duplicates.none)}</p> }
                        .into_any();
                }
                list.into_iter()
                    .map(|g| view! { <GroupCard group=g done=done /> })
                    .collect_view()
                    .into_any()
            }}
        </Panel>
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
    let edit = use_edit();
    let busy = edit.busy;
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
            let others = others.get_untracked();
            let phone = phone.clone();
            let merged = merge_group(sync, i18n, owner_id, others, consultant);
            edit.run(merged, move |()| {
                done.set(Some(fill(
                    t_string!(i18n, duplicates.merged),
                    &[("phone", phone), ("count", total.to_string())],
                )))
            });
        }
    };
    let rows: Vec<CardRow> = group
        .cards
        .iter()
        .enumerate()
        .map(|(i, (card, built_on))| (i, card.clone(), *built_on))
        .collect();
    let rows = Signal::stored(rows);
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
            <DataTable
                columns=card_columns(i18n)
                rows=rows
                class="dup-table"
                row_class=|(i, _, _): &CardRow| (*i == 0).then_some("dup-owner")
            />
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
                <Select id=select_id.clone() value=chosen options=choices class="field dup-reassign">
                    {t!(i18n, duplicates.reassign_to)}
                    <span class="visually-hidden">" " {phone.clone()}</span>
                </Select>
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
            <Alert message=edit.error />
        </article>
    }
}

/// A card of a group: its place (0 is the owner), the card, the device it was built on.
type CardRow = (usize, RecordState, Uuid);

/// The columns of a group's table.
fn card_columns(i18n: I18nContext<Locale>) -> Columns<CardRow> {
    Columns::new(vec![
        Column::new(
            |i| t_string!(i, duplicates.role),
            move |(i, _, _): &CardRow| {
                let (role, class) = if *i == 0 {
                    (t_string!(i18n, duplicates.owner), "badge badge-ok")
                } else {
                    (t_string!(i18n, duplicates.duplicate), "badge badge-muted")
                };
                view! { <span class=class>{role}</span> }.into_any()
            },
            move |(i, _, _): &CardRow| {
                if *i == 0 {
                    t_string!(i18n, duplicates.owner)
                } else {
                    t_string!(i18n, duplicates.duplicate)
                }
                .into()
            },
        ),
        Column::new(
            |i| t_string!(i, a_card.name),
            move |(_, card, _): &CardRow| {
                let href = format!("/sales/a-cards/{}", card.id);
                let name = text(card, "name");
                let name = if name.is_empty() {
                    t_string!(i18n, duplicates.unnamed).to_string()
                } else {
                    name
                };
                view! { <A href=href>{name}</A> }.into_any()
            },
            |(_, card, _): &CardRow| text(card, "name").into(),
        )
        .row_header(),
        Column::new(
            |i| t_string!(i, a_card.consultant),
            |(_, card, _): &CardRow| {
                let id = text(card, "consultant_id");
                (move || who(&id)).into_any()
            },
            |(_, card, _): &CardRow| who(&text(card, "consultant_id")).into(),
        ),
        Column::new(
            |i| t_string!(i, duplicates.device),
            move |(_, _, built_on): &CardRow| {
                let built_on = *built_on;
                (move || device(i18n, &built_on)).into_any()
            },
            move |(_, _, built_on): &CardRow| device(i18n, built_on).into(),
        ),
        Column::text(
            |i| t_string!(i, a_card.first_contact_at),
            |(_, card, _): &CardRow| text(card, "first_contact_at").replace('T', " "),
        ),
        Column::text(
            |i| t_string!(i, a_card.status),
            move |(_, card, _): &CardRow| {
                status_label(i18n, card.status(&A_CARD, "status").unwrap_or("following"))
            },
        ),
        Column::new(
            |i| t_string!(i, duplicates.follow_ups),
            |(_, card, _): &CardRow| card.log("follow_ups").len().into_any(),
            |(_, card, _): &CardRow| card.log("follow_ups").len().into(),
        ),
    ])
}
