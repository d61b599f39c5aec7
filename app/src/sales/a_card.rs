//! A-cards (A卡): the list (`/sales`), the new-card form (`/sales/a-cards/new`) and the form
//! shared with the card page (`a_card_page.rs`). Everything reads and writes IndexedDB through
//! the sync context, so it works offline and updates live when a sync brings changes.

use domain::records::A_CARD;
use domain::sales::UserError;
use domain::sales::phone;
use domain::sync::{Change, Edit, RecordState, SyncError};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::conflicts::{edit_error_text, grade_label, status_label, who};
use crate::i18n::*;
use crate::session::use_session;
use crate::sync::use_sync;

/// The grades offered, most urgent first.
pub const GRADES: [&str; 4] = ["H", "A", "B", "C"];

/// The text of a scalar field ("" when never written or not text).
pub fn text(record: &RecordState, field: &str) -> String {
    match record.value(field) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// A stored phone as shown (`138 1234 5678`), or as typed when it does not parse.
pub fn phone_display(raw: &str) -> String {
    phone::parse(raw)
        .map(|p| p.display())
        .unwrap_or_else(|_| raw.to_string())
}

/// The model as staff call it: a catalogue code (`levin`) is shown with its name from the
/// store's sales settings (`models` set, `{code, name_zh, name_en}`); typed text as it is.
pub fn model_name(i18n: I18nContext<Locale>, settings: &[RecordState], model: &str) -> String {
    let key = match i18n.get_locale_untracked() {
        Locale::en => "name_en",
        Locale::zh_CN => "name_zh",
    };
    settings
        .iter()
        .flat_map(|s| s.set("models"))
        .filter_map(|elem| serde_json::from_str::<Value>(elem).ok())
        .find(|m| m["code"].as_str() == Some(model))
        .and_then(|m| m[key].as_str().map(str::to_string))
        .unwrap_or_else(|| model.to_string())
}

/// The language of the app's screens, for domain error messages.
pub fn lang(i18n: I18nContext<Locale>) -> domain::sales::Lang {
    match i18n.get_locale() {
        Locale::en => domain::sales::Lang::En,
        Locale::zh_CN => domain::sales::Lang::Zh,
    }
}

/// The store's local time now (UTC+8), `YYYY-MM-DDTHH:MM:SS`, as `first_contact_at` wants.
pub fn store_local_now() -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        js_sys::Date::now() + 8.0 * 3_600_000.0,
    ));
    format!(
        "{}-{:02}-{:02}T{:02}:{:02}:{:02}",
        d.get_utc_full_year(),
        d.get_utc_month() + 1,
        d.get_utc_date(),
        d.get_utc_hours(),
        d.get_utc_minutes(),
        d.get_utc_seconds()
    )
}

/// `/sales`: the A-card list with 新建A卡.
#[component]
pub fn ACardList() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let rows = Memo::new(move |_| {
        let mut cards = sync.records("a_card");
        // Due follow-ups first (earliest date), then cards without a date, by name.
        cards.sort_by_key(|c| {
            let next = text(c, "next_follow_up");
            (next.is_empty(), next, text(c, "name"))
        });
        cards
    });
    view! {
        <section class="panel" aria-labelledby="a-cards-title">
            <div class="panel-head">
                <h1 id="a-cards-title">{t!(i18n, a_card.list_title)}</h1>
                <A href="/sales/a-cards/new" attr:class="btn btn-primary">
                    {t!(i18n, a_card.new)}
                </A>
            </div>
            {move || {
                let rows = rows.get();
                let settings = sync.records("sales_settings");
                if rows.is_empty() {
                    return view! { <p class="muted">{t!(i18n, a_card.empty)}</p> }.into_any();
                }
                view! {
                    <div class="table-wrap">
                        <table class="table a-card-table">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, a_card.name)}</th>
                                    <th scope="col">{t!(i18n, a_card.phone)}</th>
                                    <th scope="col">{t!(i18n, a_card.intended_model)}</th>
                                    <th scope="col">{t!(i18n, a_card.grade)}</th>
                                    <th scope="col">{t!(i18n, a_card.status)}</th>
                                    <th scope="col">{t!(i18n, a_card.next_follow_up)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows
                                    .into_iter()
                                    .map(|card| {
                                        let href = format!("/sales/a-cards/{}", card.id);
                                        let status = card
                                            .status(&A_CARD, "status")
                                            .unwrap_or("following")
                                            .to_string();
                                        let name = text(&card, "name");
                                        let phone = phone_display(&text(&card, "phone"));
                                        let model = model_name(
                                            i18n,
                                            &settings,
                                            &text(&card, "intended_model"),
                                        );
                                        let grade = text(&card, "grade");
                                        let next = text(&card, "next_follow_up");
                                        view! {
                                            <tr>
                                                <th scope="row">
                                                    <A href=href>{name}</A>
                                                </th>
                                                <td>{phone}</td>
                                                <td>{model}</td>
                                                <td>{grade}</td>
                                                <td>{status_label(i18n, &status)}</td>
                                                <td>{next}</td>
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

/// The fields the A-card form edits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardFields {
    pub name: String,
    pub phone: String,
    pub intended_model: String,
    pub grade: String,
}

impl CardFields {
    pub fn of(record: &RecordState) -> Self {
        CardFields {
            name: text(record, "name"),
            phone: phone_display(&text(record, "phone")),
            intended_model: text(record, "intended_model"),
            grade: text(record, "grade"),
        }
    }

    /// The value each field is stored as (the phone in its canonical form).
    fn stored(&self) -> [(&'static str, String); 4] {
        let phone = phone::normalise(&self.phone).unwrap_or_else(|_| self.phone.trim().into());
        [
            ("name", self.name.trim().to_string()),
            ("phone", phone),
            ("intended_model", self.intended_model.trim().to_string()),
            ("grade", self.grade.clone()),
        ]
    }

    /// The ordinary edits (`Edit::set`, superseding what this device shows) of the fields
    /// that differ from `before`.
    pub fn changes(
        &self,
        before: &CardFields,
        state: &RecordState,
    ) -> Result<Vec<Change>, SyncError> {
        let edit = Edit::new(state, &A_CARD);
        let old = before.stored();
        self.stored()
            .into_iter()
            .zip(old)
            .filter(|((_, new), (_, old))| new != old)
            .map(|((field, new), _)| edit.set(field, json!(new)))
            .collect()
    }
}

/// An A-card with the same phone, for the duplicate warning: (customer name, consultant).
pub fn duplicate_of(
    cards: &[RecordState],
    phone_input: &str,
    except: Option<Uuid>,
) -> Option<(String, String)> {
    let wanted = phone::normalise(phone_input).ok()?;
    cards
        .iter()
        .filter(|c| Some(c.id) != except && !c.is_deleted())
        .find(|c| phone::normalise(&text(c, "phone")).is_ok_and(|p| p == wanted))
        .map(|c| (text(c, "name"), text(c, "consultant_id")))
}

/// The A-card form: 姓名, 手机号码, 意向车型, 级别. Validates on save; warns at once about a
/// phone another local A-card has.
#[component]
pub fn CardForm(
    initial: CardFields,
    /// The card being edited (left out of the duplicate check).
    except: Option<Uuid>,
    on_save: Callback<CardFields, Option<String>>,
    #[prop(optional)] on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let name = RwSignal::new(initial.name.clone());
    let phone_in = RwSignal::new(initial.phone.clone());
    let model = RwSignal::new(initial.intended_model.clone());
    let grade = RwSignal::new(initial.grade.clone());
    let error = RwSignal::new(None::<(String, &'static str)>);
    let saved_error = RwSignal::new(None::<String>);
    let prefix = except
        .map(|id| id.to_string())
        .unwrap_or_else(|| "new".into());
    let id = move |f: &str| format!("a-card-{prefix}-{f}");

    let duplicate = Memo::new(move |_| {
        let cards = sync.records("a_card");
        phone_in.with(|p| duplicate_of(&cards, p, except))
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let fields = CardFields {
            name: name.get_untracked(),
            phone: phone_in.get_untracked(),
            intended_model: model.get_untracked(),
            grade: grade.get_untracked(),
        };
        let invalid = if fields.name.trim().is_empty() {
            Some((t_string!(i18n, a_card.need_name).to_string(), "name"))
        } else if let Err(e) = phone::normalise(&fields.phone) {
            Some((e.message(lang(i18n)), "phone"))
        } else if fields.grade.is_empty() {
            Some((t_string!(i18n, a_card.need_grade).to_string(), "grade"))
        } else {
            None
        };
        error.set(invalid.clone());
        if invalid.is_none() {
            saved_error.set(on_save.run(fields));
        }
    };
    let invalid =
        move |f: &'static str| move || error.with(|e| e.as_ref().is_some_and(|(_, w)| *w == f));

    view! {
        <form class="form a-card-form" on:submit=submit novalidate>
            <div class="field">
                <label for=id("name")>{t!(i18n, a_card.name)}</label>
                <input
                    id=id("name")
                    type="text"
                    autocomplete="off"
                    aria-invalid=move || invalid("name")().to_string()
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
            </div>
            <div class="field">
                <label for=id("phone")>{t!(i18n, a_card.phone)}</label>
                <input
                    id=id("phone")
                    type="tel"
                    inputmode="tel"
                    autocomplete="off"
                    aria-invalid=move || invalid("phone")().to_string()
                    prop:value=move || phone_in.get()
                    on:input=move |ev| phone_in.set(event_target_value(&ev))
                />
            </div>
            {move || {
                duplicate
                    .get()
                    .map(|(name, consultant)| {
                        let consultant = who(&consultant);
                        view! {
                            <p class="notice notice-warn" role="alert">
                                {t!(i18n, a_card.duplicate, name = name, consultant = consultant)}
                            </p>
                        }
                    })
            }}
            <div class="field">
                <label for=id("model")>{t!(i18n, a_card.intended_model)}</label>
                <input
                    id=id("model")
                    type="text"
                    autocomplete="off"
                    prop:value=move || model.get()
                    on:input=move |ev| model.set(event_target_value(&ev))
                />
            </div>
            <div class="field">
                <label for=id("grade")>{t!(i18n, a_card.grade)}</label>
                <select
                    id=id("grade")
                    aria-invalid=move || invalid("grade")().to_string()
                    prop:value=move || grade.get()
                    on:change=move |ev| grade.set(event_target_value(&ev))
                >
                    <option value="">{t!(i18n, a_card.choose)}</option>
                    {GRADES
                        .into_iter()
                        .map(|g| {
                            view! {
                                <option value=g selected=move || grade.get() == g>
                                    {move || grade_label(i18n, g)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            {move || error.get().map(|(e, _)| view! { <p class="alert" role="alert">{e}</p> })}
            {move || saved_error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
            <div class="form-actions">
                <button type="submit" class="btn btn-primary">
                    {t!(i18n, a_card.save)}
                </button>
                {on_cancel
                    .map(|cancel| {
                        view! {
                            <button type="button" class="btn btn-secondary" on:click=move |_| cancel.run(())>
                                {t!(i18n, a_card.cancel)}
                            </button>
                        }
                    })}
            </div>
        </form>
    }
}

/// `/sales/a-cards/new`.
#[component]
pub fn NewACardPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let session = use_session();
    let navigate = use_navigate();
    let save_error = RwSignal::new(None::<String>);
    let on_save = Callback::new(move |fields: CardFields| {
        let user_id = session
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.user.id.clone()))?;
        let id = Uuid::now_v7();
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let first_contact = store_local_now();
            let result = sync
                .edit(id, &A_CARD, move |state| {
                    let mut changes = fields.changes(&CardFields::default(), state)?;
                    let edit = Edit::new(state, &A_CARD);
                    changes.push(edit.set("consultant_id", json!(user_id))?);
                    changes.push(edit.set("first_contact_at", json!(first_contact))?);
                    Ok(changes)
                })
                .await;
            match result {
                Ok(_) => navigate(&format!("/sales/a-cards/{id}"), Default::default()),
                Err(e) => save_error.set(Some(edit_error_text(i18n, &e))),
            }
        });
        None
    });
    let cancel = Callback::new({
        let navigate = use_navigate();
        move |()| navigate("/sales/a-cards", Default::default())
    });
    view! {
        <section class="panel page-narrow-panel" aria-labelledby="new-a-card-title">
            <h1 id="new-a-card-title">{t!(i18n, a_card.new_title)}</h1>
            <CardForm initial=CardFields::default() except=None on_save=on_save on_cancel=cancel />
            {move || save_error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::sync::{Clock, Op, apply};

    fn card(name: &str, phone: &str) -> RecordState {
        let id = Uuid::now_v7();
        let mut state = RecordState::new(id, "a_card", "demo");
        let edit = Edit::new(&state, &A_CARD);
        let op = Op {
            op_id: Uuid::now_v7(),
            device_id: Uuid::now_v7(),
            user_id: "u1".into(),
            store_id: "demo".into(),
            record_id: id,
            record_type: "a_card".into(),
            hlc: Clock::new().now(1),
            changes: vec![
                edit.set("name", json!(name)).unwrap(),
                edit.set("phone", json!(phone)).unwrap(),
                edit.set("consultant_id", json!("u1")).unwrap(),
            ],
        };
        apply(&mut state, &op, &A_CARD).unwrap();
        state
    }

    #[test]
    fn a_duplicate_phone_is_found_in_any_spelling() {
        let cards = vec![card("张三", "13812345678")];
        assert_eq!(
            duplicate_of(&cards, "+86 138-1234-5678", None),
            Some(("张三".into(), "u1".into()))
        );
        assert_eq!(duplicate_of(&cards, "13912345678", None), None);
        assert_eq!(duplicate_of(&cards, "1381234", None), None);
        assert_eq!(duplicate_of(&cards, "13812345678", Some(cards[0].id)), None);
    }

    #[test]
    fn only_changed_fields_are_written() {
        let state = card("张三", "13812345678");
        let before = CardFields::of(&state);
        let mut after = before.clone();
        after.phone = "139 1234 5678".into();
        let changes = after.changes(&before, &state).unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field(), Some("phone"));
        let Change::Set {
            value, supersedes, ..
        } = &changes[0]
        else {
            panic!("{changes:?}")
        };
        assert_eq!(value, &json!("13912345678"));
        assert_eq!(supersedes.len(), 1, "supersedes the shown phone");
        assert!(before.changes(&before, &state).unwrap().is_empty());
    }
}
