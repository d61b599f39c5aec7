//! Key accounts (大客户): the list with the coverage figure (`/sales/key-accounts`), a new account
//! (`/sales/key-accounts/new`) and one account (`/sales/key-accounts/:id`): its fields (编辑),
//! 已在本店购车, the decision makers (决策人) and the visit log (拜访记录), both append-only.
//! Coverage (大客户掌握率) is `domain::sales::kpi`'s: accounts that bought here ÷ accounts listed.

use domain::records::KEY_ACCOUNT;
use domain::sales::chrono::NaiveDate;
use domain::sales::kpi::{KeyAccountFact, Period, SalesFacts, Scope, sales_kpis};
use domain::sync::{Change, Edit, RecordState, SyncError};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::clock::{now_local, store_clock};
use crate::i18n::*;
use crate::session::use_me;
use crate::sync::use_sync;
use crate::ui::alert::Alert;
use crate::ui::edit::use_edit;
use crate::ui::field::{Bind, Checkbox, DateField, TextArea, TextField};
use crate::ui::kinds::text;
use crate::ui::labels::{local_time, phone_display, who};
use crate::ui::list::ItemList;
use crate::ui::panel::Panel;
use crate::ui::record_page::{RecordPage, field_list};
use crate::ui::table::{Column, Columns, DataTable};

/// `true` or `"true"`: the flag rule of `domain::records::field`, as the KPI page counts it.
fn bought(k: &RecordState) -> bool {
    domain::records::field::flag(k, "bought_here")
}

/// 大客户掌握率 of the accounts on the list today, as the KPI dashboard counts it.
fn coverage(accounts: &[RecordState], today: NaiveDate) -> (usize, usize, String) {
    let facts: Vec<KeyAccountFact> = accounts
        .iter()
        .map(|k| KeyAccountFact {
            id: k.id,
            owner: Uuid::parse_str(&text(k, "responsible_id")).unwrap_or_default(),
            listed_on: NaiveDate::MIN,
            first_purchase_on: bought(k).then_some(today),
        })
        .collect();
    let kpis = sales_kpis(
        &SalesFacts {
            key_accounts: &facts,
            ..SalesFacts::default()
        },
        Period::day(today),
        Scope::Store,
    );
    let f = kpis.key_account_coverage;
    (f.numerator.len(), f.denominator.len(), f.display())
}

/// The date of the account's last visit (`YYYY-MM-DD`), if any.
fn last_visit(k: &RecordState) -> String {
    k.log("visits")
        .iter()
        .filter_map(|e| e.value["date"].as_str().map(str::to_string))
        .max()
        .unwrap_or_default()
}

#[component]
pub fn KeyAccountsPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let accounts = Memo::new(move |_| {
        let mut accounts = sync.records("key_account");
        accounts.sort_by_key(|k| text(k, "name"));
        accounts
    });
    let columns = Columns::new(vec![
        Column::new(
            |i| t_string!(i, key_account.name),
            |k: &RecordState| {
                let href = format!("/sales/key-accounts/{}", k.id);
                let name = text(k, "name");
                view! { <A href=href>{name}</A> }.into_any()
            },
            |k: &RecordState| text(k, "name").into(),
        )
        .row_header(),
        Column::text(
            |i| t_string!(i, key_account.industry),
            |k: &RecordState| text(k, "industry"),
        ),
        Column::text(
            |i| t_string!(i, key_account.responsible),
            |k: &RecordState| who(&text(k, "responsible_id")),
        ),
        Column::text(
            |i| t_string!(i, key_account.plan),
            |k: &RecordState| text(k, "purchase_plan"),
        ),
        Column::text(
            |i| t_string!(i, key_account.bought_here),
            |k: &RecordState| if bought(k) { "✓" } else { "" }.to_string(),
        ),
        Column::text(|i| t_string!(i, key_account.last_visit), last_visit),
    ]);
    view! {
        <Panel id="key-accounts-title" page=true title=move || t!(i18n, key_account.list_title) actions=move || view! {
            <A href="/sales/key-accounts/new" attr:class="btn btn-primary">{t!(i18n, key_account.new)}</A>
        }>
            {move || {
                let (n, d, shown) = accounts.with(|a| coverage(a, now_local().date()));
                view! {
                    <p class="ka-coverage" role="status">
                        {t!(i18n, key_account.coverage)} ": " <strong>{shown}</strong>
                        " (" {n} " / " {d} ")"
                    </p>
                }
            }}
            <DataTable
                columns=columns
                rows=accounts
                empty=|i| t_string!(i, key_account.empty)
            />
        </Panel>
    }
}

/// The fields the account form edits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct AccountFields {
    name: String,
    industry: String,
    address: String,
    purchase_plan: String,
}

impl AccountFields {
    fn of(k: &RecordState) -> Self {
        AccountFields {
            name: text(k, "name"),
            industry: text(k, "industry"),
            address: text(k, "address"),
            purchase_plan: text(k, "purchase_plan"),
        }
    }

    fn stored(&self) -> [(&'static str, String); 4] {
        [
            ("name", self.name.trim().to_string()),
            ("industry", self.industry.trim().to_string()),
            ("address", self.address.trim().to_string()),
            ("purchase_plan", self.purchase_plan.trim().to_string()),
        ]
    }

    fn changes(&self, before: &Self, state: &RecordState) -> Result<Vec<Change>, SyncError> {
        let edit = Edit::new(state, &KEY_ACCOUNT);
        self.stored()
            .into_iter()
            .zip(before.stored())
            .filter(|((_, a), (_, b))| a != b)
            .map(|((f, v), _)| edit.set(f, json!(v)))
            .collect()
    }
}

#[component]
fn AccountForm(
    initial: AccountFields,
    on_save: Callback<AccountFields, Option<String>>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let f = RwSignal::new(initial);
    let error = RwSignal::new(None::<String>);
    let input = move |get: fn(&AccountFields) -> &String, set: fn(&mut AccountFields, String)| {
        Bind::new(
            move || f.with(|f| get(f).clone()),
            move |v| f.update(|f| set(f, v)),
        )
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let fields = f.get_untracked();
        if fields.name.trim().is_empty() {
            error.set(Some(t_string!(i18n, key_account.need_name).to_string()));
            return;
        }
        error.set(on_save.run(fields));
    };
    view! {
        <form class="form" on:submit=submit novalidate>
            <TextField id="ka-name" autocomplete="off" value=input(|f| &f.name, |f, v| f.name = v)>
                {t!(i18n, key_account.name)}
            </TextField>
            <TextField id="ka-industry" autocomplete="off" value=input(|f| &f.industry, |f, v| f.industry = v)>
                {t!(i18n, key_account.industry)}
            </TextField>
            <TextField id="ka-address" autocomplete="off" value=input(|f| &f.address, |f, v| f.address = v)>
                {t!(i18n, key_account.address)}
            </TextField>
            <TextField id="ka-plan" autocomplete="off" value=input(|f| &f.purchase_plan, |f, v| f.purchase_plan = v)>
                {t!(i18n, key_account.plan)}
            </TextField>
            <Alert message=error />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary">{t!(i18n, key_account.save)}</button>
                <button type="button" class="btn btn-secondary" on:click=move |_| on_cancel.run(())>{t!(i18n, key_account.cancel)}</button>
            </div>
        </form>
    }
}

/// `/sales/key-accounts/new`: the responsible person is the one who adds it.
#[component]
pub fn NewKeyAccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let sync = use_sync();
    let navigate = use_navigate();
    let edit = use_edit();
    let on_save = Callback::new(move |fields: AccountFields| {
        let (user_id, _) = me()?;
        let id = Uuid::now_v7();
        let navigate = navigate.clone();
        let change = sync.edit(id, &KEY_ACCOUNT, move |s| {
            let mut c = fields.changes(&AccountFields::default(), s)?;
            let e = Edit::new(s, &KEY_ACCOUNT);
            c.push(e.set("responsible_id", json!(user_id))?);
            c.push(e.set("bought_here", json!(false))?);
            Ok(c)
        });
        edit.run(change, move |_| {
            navigate(&format!("/sales/key-accounts/{id}"), Default::default())
        });
        None
    });
    let cancel = Callback::new({
        let navigate = use_navigate();
        move |()| navigate("/sales/key-accounts", Default::default())
    });
    view! {
        <Panel id="new-ka-title" class="page-narrow-panel" page=true title=move || t!(i18n, key_account.new)>
            <AccountForm initial=AccountFields::default() on_save=on_save on_cancel=cancel />
            <Alert message=edit.error />
        </Panel>
    }
}

#[component]
pub fn KeyAccountPage() -> impl IntoView {
    view! { <RecordPage record_type="key_account" view=|(id, account)| view! { <AccountView id=id account=account /> }.into_any() /> }
}

/// The changes one edit of the account makes, built against the record as stored.
type Build = Box<dyn FnOnce(&RecordState) -> Result<Vec<Change>, SyncError>>;

#[component]
fn AccountView(id: Uuid, account: Memo<Option<RecordState>>) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let sync = use_sync();
    let editing = RwSignal::new(false);
    let edit = use_edit();
    let run = move |build: Build, after: Box<dyn FnOnce()>| {
        edit.run(sync.edit(id, &KEY_ACCOUNT, build), move |_| after());
    };
    let on_save = Callback::new(move |(before, after): (AccountFields, AccountFields)| {
        if before == after {
            editing.set(false);
            return None;
        }
        run(
            Box::new(move |s| after.changes(&before, s)),
            Box::new(move || editing.set(false)),
        );
        None
    });
    let toggle_bought = move |now: bool| {
        run(
            Box::new(move |s| {
                Ok(vec![
                    Edit::new(s, &KEY_ACCOUNT).set("bought_here", json!(now))?,
                ])
            }),
            Box::new(|| {}),
        );
    };
    let take_over = move |_| {
        let Some((user_id, _)) = me() else { return };
        run(
            Box::new(move |s| {
                Ok(vec![
                    Edit::new(s, &KEY_ACCOUNT).set("responsible_id", json!(user_id))?,
                ])
            }),
            Box::new(|| {}),
        );
    };

    // Decision makers (决策人).
    let dm_name = RwSignal::new(String::new());
    let dm_title = RwSignal::new(String::new());
    let dm_phone = RwSignal::new(String::new());
    let dm_error = RwSignal::new(None::<String>);
    let add_maker = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = dm_name.get_untracked().trim().to_string();
        if name.is_empty() {
            dm_error.set(Some(
                t_string!(i18n, key_account.need_maker_name).to_string(),
            ));
            return;
        }
        let raw_phone = dm_phone.get_untracked();
        let phone = if raw_phone.trim().is_empty() {
            String::new()
        } else {
            match domain::sales::phone::normalise(&raw_phone) {
                Ok(p) => p,
                Err(e) => {
                    use domain::sales::UserError;
                    dm_error.set(Some(e.message(lang(i18n))));
                    return;
                }
            }
        };
        dm_error.set(None);
        let title = dm_title.get_untracked().trim().to_string();
        run(
            Box::new(move |s| {
                Ok(vec![Edit::new(s, &KEY_ACCOUNT).append(
                    "decision_makers",
                    Uuid::now_v7(),
                    json!({"name": name, "title": title, "phone": phone}),
                )?])
            }),
            Box::new(move || {
                dm_name.set(String::new());
                dm_title.set(String::new());
                dm_phone.set(String::new());
            }),
        );
    };

    // Visits (拜访记录).
    let v_date = RwSignal::new(now_local().date().format("%Y-%m-%d").to_string());
    let v_note = RwSignal::new(String::new());
    let v_error = RwSignal::new(None::<String>);
    let add_visit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let note = v_note.get_untracked().trim().to_string();
        let Some(date) = store_clock().parse_date(&v_date.get_untracked()) else {
            v_error.set(Some(t_string!(i18n, key_account.need_date).to_string()));
            return;
        };
        if note.is_empty() {
            v_error.set(Some(t_string!(i18n, key_account.need_outcome).to_string()));
            return;
        }
        let Some((user_id, _)) = me() else { return };
        v_error.set(None);
        let date = date.format("%Y-%m-%d").to_string();
        run(
            Box::new(move |s| {
                Ok(vec![Edit::new(s, &KEY_ACCOUNT).append(
                    "visits",
                    Uuid::now_v7(),
                    json!({"date": date, "by": user_id, "note": note}),
                )?])
            }),
            Box::new(move || v_note.set(String::new())),
        );
    };

    view! {
        <p class="back-link"><A href="/sales/key-accounts">{t!(i18n, key_account.back)}</A></p>
        <section class="panel" aria-labelledby="ka-title">
            <div class="panel-head">
                <h1 id="ka-title">{move || account.with(|a| a.as_ref().map(|a| text(a, "name")))}</h1>
                <Show when=move || !editing.get()>
                    <button type="button" class="btn btn-secondary" on:click=move |_| editing.set(true)>{t!(i18n, key_account.edit)}</button>
                </Show>
            </div>
            {move || {
                if editing.get() {
                    let before = account.get_untracked().map(|a| AccountFields::of(&a)).unwrap_or_default();
                    let start = before.clone();
                    let save = Callback::new(move |after: AccountFields| on_save.run((before.clone(), after)));
                    let cancel = Callback::new(move |()| editing.set(false));
                    return view! { <AccountForm initial=start on_save=save on_cancel=cancel /> }.into_any();
                }
                let Some(a) = account.get() else { return ().into_any() };
                let rows = [
                    (t_string!(i18n, key_account.industry), text(&a, "industry")),
                    (t_string!(i18n, key_account.address), text(&a, "address")),
                    (t_string!(i18n, key_account.plan), text(&a, "purchase_plan")),
                    (t_string!(i18n, key_account.responsible), who(&text(&a, "responsible_id"))),
                ];
                field_list((), rows).into_any()
            }}
            <div class="form-actions">
                <Checkbox checked=Bind::new(move || account.with(|a| a.as_ref().is_some_and(bought)), toggle_bought)>
                    {t!(i18n, key_account.bought_here)}
                </Checkbox>
                <button type="button" class="btn btn-ghost" on:click=take_over>{t!(i18n, key_account.take_over)}</button>
            </div>
            <Alert message=edit.error />
        </section>
        <Panel id="ka-makers" title=move || t!(i18n, key_account.decision_makers)>
            <ItemList
                items=Signal::derive(move || account.with(|a| a.as_ref().map(|a| a.log("decision_makers").into_iter().map(|e| e.value.clone()).collect()).unwrap_or_default()))
                class="ka-list"
                empty=|i| t_string!(i, key_account.no_makers)
                item=|m: Value| {
                    let s = |k: &str| m[k].as_str().unwrap_or_default().to_string();
                    view! { <li><strong>{s("name")}</strong> " · " {s("title")} " · " {phone_display(&s("phone"))}</li> }
                }
            />
            <form class="form form-row" on:submit=add_maker novalidate>
                <TextField id="ka-dm-name" autocomplete="off" value=dm_name>
                    {t!(i18n, key_account.maker_name)}
                </TextField>
                <TextField id="ka-dm-title" autocomplete="off" value=dm_title>
                    {t!(i18n, key_account.maker_title)}
                </TextField>
                <TextField id="ka-dm-phone" kind="tel" inputmode="tel" autocomplete="off" value=dm_phone>
                    {t!(i18n, key_account.maker_phone)}
                </TextField>
                <button type="submit" class="btn btn-secondary">{t!(i18n, key_account.add_maker)}</button>
            </form>
            <Alert message=dm_error />
        </Panel>
        <Panel id="ka-visits" title=move || t!(i18n, key_account.visits)>
            <ItemList
                items=Signal::derive(move || {
                    let mut visits: Vec<domain::sync::LogEntry> = account.with(|a| a.as_ref().map(|a| a.log("visits").into_iter().cloned().collect()).unwrap_or_default());
                    visits.sort_by(|a, b| b.value["date"].as_str().cmp(&a.value["date"].as_str()));
                    visits
                })
                class="follow-ups"
                ordered=true
                empty=|i| t_string!(i, key_account.no_visits)
                item=|e: domain::sync::LogEntry| {
                    let v = &e.value;
                    let date = v["date"].as_str().unwrap_or_default().to_string();
                    let by = v["by"].as_str().map(who).unwrap_or_else(|| who(&e.user_id));
                    let note = v["note"].as_str().or(v["outcome"].as_str()).unwrap_or_default().to_string();
                    view! {
                        <li class="follow-up">
                            <div class="follow-up-meta">{date} " · " {by} " · " <span class="muted small">{local_time(e.hlc.wall_ms as f64, true)}</span></div>
                            <p class="follow-up-content">{note}</p>
                        </li>
                    }
                }
            />
            <form class="form" on:submit=add_visit novalidate>
                <DateField id="ka-visit-date" value=v_date>
                    {t!(i18n, key_account.visit_date)}
                </DateField>
                <TextArea id="ka-visit-note" value=v_note>
                    {t!(i18n, key_account.visit_outcome)}
                </TextArea>
                <Alert message=v_error />
                <button type="submit" class="btn btn-secondary">{t!(i18n, key_account.add_visit)}</button>
            </form>
        </Panel>
    }
}
