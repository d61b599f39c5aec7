//! A-cards (A卡): the list (`/sales`), the new-card form (`/sales/a-cards/new`) and the form
//! shared with the card page (`a_card_page.rs`). Everything reads and writes IndexedDB through
//! the sync context, so it works offline and updates live when a sync brings changes.

use domain::records::A_CARD;
use domain::sales::UserError;
use domain::sales::a_card::{ACardDraft, ACardForm, new_card_plan, quality};
use domain::sales::grade::IntentionGrade;
use domain::sales::phone;
use domain::sales::visit::VisitSource;
use domain::sync::RecordState;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use uuid::Uuid;

use crate::i18n::*;
use crate::sales::words::{catalogue_of, model_label, model_name, status_label};
use crate::session::use_session;
use crate::sync::use_sync;
use crate::ui::alert::Alert;
use crate::ui::error::UserText;
use crate::ui::field::choice::EnumSelect;
use crate::ui::field::{Select, TextField, choose_blank, yes_no_options};
use crate::ui::kinds::text;
use crate::ui::labels::{phone_display, who};
use crate::ui::list::ItemList;
use crate::ui::panel::Panel;
use crate::ui::table::{Column, Columns, DataTable};

/// A-cards per page of the list.
const PAGE_SIZE: u32 = 500;

/// The A-card list's row of a card.
fn card_row(i18n: I18nContext<Locale>, settings: &[RecordState], card: &RecordState) -> CardRow {
    CardRow {
        id: card.id,
        name: text(card, "name"),
        phone: phone_display(&text(card, "phone")),
        model: model_name(i18n, settings, &text(card, "intended_model")),
        grade: text(card, "grade"),
        status: status_label(i18n, card.status(&A_CARD, "status").unwrap_or("following"))
            .to_string(),
        next: text(card, "next_follow_up"),
    }
}

/// `/sales/a-cards`: the A-card list with 新建A卡. Due follow-ups first (earliest date), then
/// cards without a date, by name: read a page at a time through the `by_day` index, so the
/// list opens as fast with 100,000 cards on the device as with ten.
#[component]
pub fn ACardList() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    // Where each page shown so far starts (the first: at the start of the index).
    let starts = RwSignal::new_local(vec![None::<wasm_bindgen::JsValue>]);
    let page = LocalResource::new(move || {
        crate::sync::cache::track("a_card");
        let after = starts.with(|s| s.last().cloned().flatten());
        async move {
            crate::sync::store::page(
                crate::sync::store::BY_DAY_INDEX,
                &["a_card"],
                after.as_ref(),
                PAGE_SIZE,
            )
            .await
        }
    });
    let loaded = Memo::new(move |_| {
        page.with(|p| match p {
            Some(Ok(p)) => Some((p.records.clone(), p.next.is_some())),
            Some(Err(e)) => {
                leptos::logging::error!("forecourt: cannot read the A-cards: {e}");
                Some((Vec::new(), false))
            }
            None => None,
        })
    });
    let rows = Memo::new(move |previous: Option<&Vec<CardRow>>| {
        let settings = sync.records("sales_settings");
        match loaded.get() {
            Some((cards, _)) => cards
                .iter()
                .map(|card| card_row(i18n, &settings, card))
                .collect(),
            // Keep the rows shown while the next read is under way.
            None => previous.cloned().unwrap_or_default(),
        }
    });
    let has_next = Memo::new(move |_| loaded.get().is_some_and(|(_, more)| more));
    let page_number = move || starts.with(Vec::len);
    let next_page = move |_| {
        let next = page.with_untracked(|p| match p {
            Some(Ok(p)) => p.next.clone(),
            _ => None,
        });
        if let Some(next) = next {
            starts.update(|s| s.push(Some(next)));
        }
    };
    let previous_page = move |_| {
        starts.update(|s| {
            if s.len() > 1 {
                s.pop();
            }
        })
    };
    let columns = Columns::new(vec![
        Column::new(
            |i| t_string!(i, a_card.name),
            |r: &CardRow| {
                let (href, name) = (format!("/sales/a-cards/{}", r.id), r.name.clone());
                view! { <A href=href>{name}</A> }.into_any()
            },
            |r: &CardRow| r.name.clone().into(),
        )
        .row_header(),
        Column::text(
            |i| t_string!(i, a_card.phone),
            |r: &CardRow| r.phone.clone(),
        ),
        Column::text(
            |i| t_string!(i, a_card.intended_model),
            |r: &CardRow| r.model.clone(),
        ),
        Column::text(
            |i| t_string!(i, a_card.grade),
            |r: &CardRow| r.grade.clone(),
        ),
        Column::text(
            |i| t_string!(i, a_card.status),
            |r: &CardRow| r.status.clone(),
        ),
        Column::text(
            |i| t_string!(i, a_card.next_follow_up),
            |r: &CardRow| r.next.clone(),
        ),
    ]);
    // 导出Excel: every card, in the list's order (read through `by_day` when pressed).
    let export: crate::ui::export::ExportSource = StoredValue::new_local(Box::new({
        let columns = columns.clone();
        move || {
            let columns = columns.clone();
            let title = t_string!(i18n, a_card.list_title).to_string();
            let settings = sync.records("sales_settings");
            Box::pin(async move {
                let query = crate::sync::Query::page(
                    crate::sync::store::BY_DAY_INDEX,
                    "a_card",
                    &[],
                    None,
                    u32::MAX,
                );
                let cards = match crate::sync::read_once(query).await {
                    Ok(a) => a.records,
                    Err(e) => {
                        leptos::logging::error!("forecourt: cannot read the A-cards: {e}");
                        Vec::new()
                    }
                };
                let all: Vec<CardRow> = cards
                    .iter()
                    .map(|card| card_row(i18n, &settings, card))
                    .collect();
                columns.export(i18n, title, &all)
            }) as std::pin::Pin<Box<dyn std::future::Future<Output = _>>>
        }
    }));
    view! {
        <Panel id="a-cards-title" page=true title=move || t!(i18n, a_card.list_title) actions=move || view! {
            <div class="panel-actions">
                <crate::ui::export::ExportButton source=export />
                <A href="/sales/a-cards/new" attr:class="btn btn-primary">
                    {t!(i18n, a_card.new)}
                </A>
            </div>
        }>
            <DataTable
                columns=columns
                rows=rows
                class="a-card-table"
                empty=|i| t_string!(i, a_card.empty)
            />
            <Show when=move || { page_number() > 1 || has_next.get() }>
                <nav class="pager" aria-label=move || t_string!(i18n, a_card.list_title)>
                    <button
                        type="button"
                        class="btn"
                        disabled=move || page_number() <= 1
                        on:click=previous_page
                    >
                        {t!(i18n, a_card.page_previous)}
                    </button>
                    <span class="pager-number">
                        {move || t!(i18n, a_card.page_number, n = page_number)}
                    </span>
                    <button
                        type="button"
                        class="btn"
                        disabled=move || !has_next.get()
                        on:click=next_page
                    >
                        {t!(i18n, a_card.page_next)}
                    </button>
                </nav>
            </Show>
        </Panel>
    }
}

/// One line of the A-card list, as shown and exported.
#[derive(Debug, Clone, PartialEq)]
struct CardRow {
    id: Uuid,
    name: String,
    phone: String,
    model: String,
    grade: String,
    status: String,
    next: String,
}

/// The A-card form's fields of a stored card (the phone as shown).
pub fn fields_of(record: &RecordState) -> ACardForm {
    ACardForm {
        name: text(record, "name"),
        phone: phone_display(&text(record, "phone")),
        intended_model: text(record, "intended_model"),
        grade: text(record, "grade"),
        source: text(record, "source"),
        current_car: text(record, "current_car"),
        finance_interest: text(record, "finance_interest"),
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

/// The A-card form: 姓名, 手机号码, 意向车型 (a select of the catalogue's models on sale; a card's
/// own model stays selectable when it is no longer on sale), 级别, 客户来源, 置换车辆, 是否贷款.
/// Checked on save with `domain::sales::a_card::validate` (every problem at once); warns at once
/// about a phone another A-card has: one on the device, else one of the store's phone index
/// (`sync::phones`: a colleague's customer whose card this device does not hold).
#[component]
pub fn CardForm(
    initial: ACardForm,
    /// The card being edited (left out of the duplicate check).
    except: Option<Uuid>,
    on_save: Callback<ACardForm, Option<String>>,
    #[prop(optional)] on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let name = RwSignal::new(initial.name.clone());
    let phone_in = RwSignal::new(initial.phone.clone());
    let model = RwSignal::new(initial.intended_model.clone());
    let grade = RwSignal::new(initial.grade.clone());
    let source = RwSignal::new(initial.source.clone());
    let current_car = RwSignal::new(initial.current_car.clone());
    let finance = RwSignal::new(initial.finance_interest.clone());
    let errors = RwSignal::new(Vec::<(String, &'static str)>::new());
    let saved_error = RwSignal::new(None::<String>);
    let prefix = except
        .map(|id| id.to_string())
        .unwrap_or_else(|| "new".into());
    let id = move |f: &str| format!("a-card-{prefix}-{f}");
    let own_model = initial.intended_model.clone();
    let catalogue = Memo::new(move |_| catalogue_of(&sync.records("sales_settings")));

    // The cards with this phone on the device, through the `by_term` index.
    let same_phone = crate::sales::reception::read_phone(sync, phone_in.into());
    let local = Memo::new(move |_| {
        let cards: Vec<RecordState> = same_phone
            .records
            .get()
            .into_iter()
            .filter(|r| r.record_type == "a_card" && !r.is_deleted())
            .collect();
        phone_in.with(|p| duplicate_of(&cards, p, except))
    });
    // A card this device does not hold (a colleague's customer): the store's phone index.
    let indexed = LocalResource::new(move || {
        let phone = phone_in.get();
        async move {
            match crate::sync::phones::lookup(&phone).await {
                Ok(found) => found.filter(|o| Some(o.record_id) != except),
                Err(e) => {
                    leptos::logging::warn!("forecourt: phone index: {e}");
                    None
                }
            }
        }
    });
    let duplicate = Memo::new(move |_| {
        local
            .get()
            .or_else(|| indexed.get().flatten().map(|o| (o.name, o.consultant_id)))
    });

    let submit = {
        let own_model = own_model.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let fields = ACardForm {
                name: name.get_untracked(),
                phone: phone_in.get_untracked(),
                intended_model: model.get_untracked(),
                grade: grade.get_untracked(),
                source: source.get_untracked(),
                current_car: current_car.get_untracked(),
                finance_interest: finance.get_untracked(),
            };
            // A card keeps its model when that model is no longer on sale.
            let mut catalogue = catalogue.get_untracked();
            for m in &mut catalogue.models {
                if m.code == own_model && !own_model.is_empty() {
                    m.on_sale = true;
                }
            }
            let problems: Vec<(String, &'static str)> = match fields.check(&catalogue) {
                Ok(_) => Vec::new(),
                Err(errs) => errs
                    .into_iter()
                    .map(|e| {
                        let field = match e.code() {
                            c if c.starts_with("a_card_name") => "name",
                            c if c.starts_with("a_card_model") => "model",
                            c if c.starts_with("a_card_budget") => "budget",
                            c if c.starts_with("a_card_grade") => "grade",
                            _ => "phone",
                        };
                        (e.user_text(i18n), field)
                    })
                    .collect(),
            };
            let ok = problems.is_empty();
            errors.set(problems);
            if ok {
                saved_error.set(on_save.run(fields));
            }
        }
    };
    let invalid = move |f: &'static str| {
        Signal::derive(move || errors.with(|e| e.iter().any(|(_, w)| *w == f)))
    };
    // The catalogue's models on sale, the card's own and the one chosen (marked when no longer on
    // sale), and a stored model the catalogue does not know (typed before it existed).
    let model_options = Signal::derive(move || {
        let current = model.get();
        let models = catalogue.get().models;
        let mut shown: Vec<(String, String)> = models
            .iter()
            .filter(|m| m.on_sale || m.code == own_model || m.code == current)
            .map(|m| {
                let mut label = model_label(i18n, m);
                if !m.on_sale {
                    label.push_str(t_string!(i18n, a_card.off_sale_suffix));
                }
                (m.code.clone(), label)
            })
            .collect();
        if !own_model.is_empty() && !models.iter().any(|m| m.code == own_model) {
            shown.push((own_model.clone(), own_model.clone()));
        }
        shown
    });
    let finance_options = yes_no_options(
        i18n,
        |i| t_string!(i, a_card.finance_yes),
        |i| t_string!(i, a_card.finance_no),
    );
    let choose = choose_blank(i18n);

    view! {
        <form class="form a-card-form" on:submit=submit novalidate>
            <TextField id=id("name") value=name autocomplete="off" invalid=invalid("name")>
                {t!(i18n, a_card.name)}
            </TextField>
            <TextField
                id=id("phone")
                value=phone_in
                kind="tel"
                inputmode="tel"
                autocomplete="off"
                invalid=invalid("phone")
            >
                {t!(i18n, a_card.phone)}
            </TextField>
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
            <Select id=id("model") value=model options=model_options blank=choose invalid=invalid("model")>
                {t!(i18n, a_card.intended_model)}
            </Select>
            <Show when=move || catalogue.with(|c| c.models.is_empty())>
                <p class="notice notice-warn">{t!(i18n, a_card.no_catalogue)}</p>
            </Show>
            <EnumSelect<IntentionGrade> id=id("grade") value=grade blank=choose invalid=invalid("grade")>
                {t!(i18n, a_card.grade)}
            </EnumSelect<IntentionGrade>>
            <EnumSelect<VisitSource> id=id("source") value=source blank=choose>
                {t!(i18n, a_card.source)}
            </EnumSelect<VisitSource>>
            <TextField id=id("current-car") value=current_car autocomplete="off">
                {t!(i18n, a_card.current_car)}
            </TextField>
            <Select id=id("finance") value=finance options=finance_options blank=choose>
                {t!(i18n, a_card.finance_interest)}
            </Select>
            {move || {
                errors
                    .get()
                    .into_iter()
                    .map(|(e, _)| view! { <p class="alert" role="alert">{e}</p> })
                    .collect_view()
            }}
            <Alert message=saved_error />
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

/// A budget as typed (`12-15万`, `120000-150000`), for the quality score.
fn budget_of(s: &str) -> Option<domain::sales::a_card::Budget> {
    let s = s.trim();
    let (body, unit) = match s.strip_suffix('万') {
        Some(b) => (b, 10_000.0),
        None => (s, 1.0),
    };
    let mut parts = body
        .split(['-', '~', '–', '至'])
        .map(|p| p.trim().parse::<f64>().ok());
    let lo = parts.next()??;
    let hi = parts.next().flatten().unwrap_or(lo);
    Some(domain::sales::a_card::Budget {
        min_yuan: (lo * unit) as u32,
        max_yuan: (hi * unit) as u32,
    })
}

/// The draft of a stored card, with every field the quality score reads.
pub fn draft_of(record: &RecordState) -> ACardDraft {
    let mut d = fields_of(record).draft();
    let district = text(record, "district");
    d.district = (!district.trim().is_empty()).then_some(district);
    d.budget = budget_of(&text(record, "budget"));
    d
}

/// The visit a new A-card is built from (`/sales/a-cards/new?visit=<id>`, the 建A卡 links):
/// its id, intended model and source, to prefill the form.
fn visit_of_query(sync: crate::sync::SyncCtx) -> Option<(Uuid, String, String)> {
    let query = leptos_router::hooks::use_query_map();
    let id = query
        .with_untracked(|q| q.get("visit"))
        .and_then(|s| Uuid::parse_str(&s).ok())?;
    let rec = untrack(|| sync.record(id))?;
    (rec.record_type == "visit").then(|| (id, text(&rec, "intended_model"), text(&rec, "source")))
}

/// `/sales/a-cards/new`.
#[component]
pub fn NewACardPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let session = use_session();
    let navigate = use_navigate();
    let save_error = RwSignal::new(None::<String>);
    // Built from a visit (`?visit=<id>`): prefilled, and the visit is linked in the same plan.
    let from_visit = visit_of_query(sync);
    let mut initial = ACardForm::default();
    if let Some((_, model, source)) = &from_visit {
        initial.intended_model = model.clone();
        initial.source = source.clone();
    }
    let visit = from_visit.map(|v| v.0);
    let on_save = Callback::new(move |fields: ACardForm| {
        let user_id = session
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.user.id.clone()))?;
        let id = Uuid::now_v7();
        let plan = new_card_plan(id, &fields, &user_id, crate::clock::now_local(), visit);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match sync.execute(&plan).await {
                Ok(_) => navigate(&format!("/sales/a-cards/{id}"), Default::default()),
                Err(e) => save_error.set(Some(e.user_text(i18n))),
            }
        });
        None
    });
    let cancel = Callback::new({
        let navigate = use_navigate();
        move |()| navigate("/sales/a-cards", Default::default())
    });
    view! {
        <Panel id="new-a-card-title" class="page-narrow-panel" page=true title=move || t!(i18n, a_card.new_title)>
            <CardForm initial=initial except=None on_save=on_save on_cancel=cancel />
            <Alert message=save_error />
        </Panel>
    }
}

/// The card's quality (A卡质量, `domain::sales::a_card::quality`): the score and what is missing.
#[component]
pub fn CardQuality(card: Memo<Option<RecordState>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let c = card.get()?;
        let q = quality(&draft_of(&c));
        let missing: Vec<&str> = q.missing.iter().map(|f| label(i18n, *f)).collect();
        let sep = match i18n.get_locale() {
            Locale::en => ", ",
            Locale::zh_CN => "、",
        };
        let fields = missing.join(sep);
        let score = q.score;
        Some(view! {
            <div class="a-card-quality" role="group" aria-label=move || t_string!(i18n, a_card.quality).to_string()>
                <span class="quality-label">{t!(i18n, a_card.quality)}</span>
                " "
                <meter min="0" max="100" low="50" high="80" optimum="100" value=score></meter>
                " "
                <strong>{format!("{score}/100")}</strong>
                " "
                <span class="muted">
                    {if missing.is_empty() {
                        t!(i18n, a_card.quality_full).into_any()
                    } else {
                        t!(i18n, a_card.quality_missing, fields = fields).into_any()
                    }}
                </span>
            </div>
        })
    }
}

/// The card's visits (来店记录): visits whose `a_card_id` is the card, newest first.
#[component]
pub fn CardVisits(id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let card = id.to_string();
    // The visits that belong to the card (index `by_link`).
    let linked = sync.read(move || {
        Some(crate::sync::Query::Linked {
            id,
            types: &["visit"],
        })
    });
    let visits = Memo::new(move |_| {
        let mut v: Vec<RecordState> = linked
            .records
            .get()
            .into_iter()
            .filter(|r| text(r, "a_card_id") == card)
            .collect();
        v.sort_by_key(|r| std::cmp::Reverse(text(r, "time_in")));
        v
    });
    view! {
        <Panel id="a-card-visits" title=move || t!(i18n, a_card.visits)>
            <ItemList
                items=visits
                class="a-card-visits"
                empty=|i| t_string!(i, a_card.no_visits)
                item=move |v| {
                    let time_in = text(&v, "time_in").replace('T', " ");
                    let source = VisitSource::parse(&text(&v, "source"))
                        .map(|s| label(i18n, s))
                        .unwrap_or_default();
                    let rule = domain::sales::visit::count_rule(&domain::sales::visit::stored_facts(
                        &text(&v, "source"),
                        &text(&v, "visitor_kind"),
                        text(&v, "had_card_or_order") == "true",
                    ));
                    let rule = label(i18n, rule);
                    let people = text(&v, "group_size");
                    let consultant = who(&text(&v, "consultant_id"));
                    view! {
                        <li>
                            <strong>{time_in.get(..16).unwrap_or(&time_in).to_string()}</strong>
                            " · " {source} " · " {people} " · " {consultant}
                            <div class="muted small">{rule}</div>
                        </li>
                    }
                }
            />
        </Panel>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::sync::{Clock, Edit, Op, apply};
    use serde_json::json;

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
}
