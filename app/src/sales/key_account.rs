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
use leptos_router::hooks::{use_navigate, use_params_map};
use serde_json::{Value, json};
use uuid::Uuid;

use super::a_card::{phone_display, text};
use super::order::{alert, date_of, entry_time, person, use_me};
use crate::clock::now_local;
use crate::conflicts::edit_error_text;
use crate::i18n::*;
use crate::sync::use_sync;

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

#[component]
pub fn KeyAccountsPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    view! {
        <section class="panel" aria-labelledby="key-accounts-title">
            <div class="panel-head">
                <h1 id="key-accounts-title">{t!(i18n, key_account.list_title)}</h1>
                <A href="/sales/key-accounts/new" attr:class="btn btn-primary">{t!(i18n, key_account.new)}</A>
            </div>
            {move || {
                let mut accounts = sync.records("key_account");
                accounts.sort_by_key(|k| text(k, "name"));
                let (n, d, shown) = coverage(&accounts, now_local().date());
                let figure = view! {
                    <p class="ka-coverage" role="status">
                        {t!(i18n, key_account.coverage)} ": " <strong>{shown}</strong>
                        " (" {n} " / " {d} ")"
                    </p>
                };
                if accounts.is_empty() {
                    return view! { {figure} <p class="muted">{t!(i18n, key_account.empty)}</p> }.into_any();
                }
                view! {
                    {figure}
                    <div class="table-wrap">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, key_account.name)}</th>
                                    <th scope="col">{t!(i18n, key_account.industry)}</th>
                                    <th scope="col">{t!(i18n, key_account.responsible)}</th>
                                    <th scope="col">{t!(i18n, key_account.plan)}</th>
                                    <th scope="col">{t!(i18n, key_account.bought_here)}</th>
                                    <th scope="col">{t!(i18n, key_account.last_visit)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {accounts.into_iter().map(|k| {
                                    let last = k.log("visits").iter().filter_map(|e| e.value["date"].as_str().map(str::to_string)).max().unwrap_or_default();
                                    let name = text(&k, "name");
                                    view! {
                                        <tr>
                                            <th scope="row"><A href=format!("/sales/key-accounts/{}", k.id)>{name}</A></th>
                                            <td>{text(&k, "industry")}</td>
                                            <td>{person(&text(&k, "responsible_id"))}</td>
                                            <td>{text(&k, "purchase_plan")}</td>
                                            <td>{if bought(&k) { "✓" } else { "" }}</td>
                                            <td>{last}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
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
    let input = move |id: &'static str,
                      label: String,
                      get: fn(&AccountFields) -> &String,
                      set: fn(&mut AccountFields, String)| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type="text" autocomplete="off"
                    prop:value=move || f.with(|f| get(f).clone())
                    on:input=move |ev| f.update(|f| set(f, event_target_value(&ev))) />
            </div>
        }
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
            {input("ka-name", t_string!(i18n, key_account.name).to_string(), |f| &f.name, |f, v| f.name = v)}
            {input("ka-industry", t_string!(i18n, key_account.industry).to_string(), |f| &f.industry, |f, v| f.industry = v)}
            {input("ka-address", t_string!(i18n, key_account.address).to_string(), |f| &f.address, |f, v| f.address = v)}
            {input("ka-plan", t_string!(i18n, key_account.plan).to_string(), |f| &f.purchase_plan, |f, v| f.purchase_plan = v)}
            {alert(error)}
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
    let error = RwSignal::new(None::<String>);
    let on_save = Callback::new(move |fields: AccountFields| {
        let (user_id, _) = me()?;
        let id = Uuid::now_v7();
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let result = sync
                .edit(id, &KEY_ACCOUNT, move |s| {
                    let mut c = fields.changes(&AccountFields::default(), s)?;
                    let e = Edit::new(s, &KEY_ACCOUNT);
                    c.push(e.set("responsible_id", json!(user_id))?);
                    c.push(e.set("bought_here", json!(false))?);
                    Ok(c)
                })
                .await;
            match result {
                Ok(_) => navigate(&format!("/sales/key-accounts/{id}"), Default::default()),
                Err(e) => error.set(Some(edit_error_text(i18n, &e))),
            }
        });
        None
    });
    let cancel = Callback::new({
        let navigate = use_navigate();
        move |()| navigate("/sales/key-accounts", Default::default())
    });
    view! {
        <section class="panel page-narrow-panel" aria-labelledby="new-ka-title">
            <h1 id="new-ka-title">{t!(i18n, key_account.new)}</h1>
            <AccountForm initial=AccountFields::default() on_save=on_save on_cancel=cancel />
            {alert(error)}
        </section>
    }
}

#[component]
pub fn KeyAccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    let account = Memo::new(move |_| id.get().and_then(|id| sync.record(id)));
    let exists = Memo::new(move |_| account.with(Option::is_some));
    move || {
        let (Some(id), true) = (id.get(), exists.get()) else {
            return view! {
                <section class="panel notice-page">
                    <p>{t!(i18n, key_account.not_found)}</p>
                    <A href="/sales/key-accounts" attr:class="btn btn-secondary">{t!(i18n, key_account.back)}</A>
                </section>
            }
            .into_any();
        };
        view! { <AccountView id=id account=account /> }.into_any()
    }
}

/// The changes one edit of the account makes, built against the record as stored.
type Build = Box<dyn FnOnce(&RecordState) -> Result<Vec<Change>, SyncError>>;

#[component]
fn AccountView(id: Uuid, account: Memo<Option<RecordState>>) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let sync = use_sync();
    let editing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let run = move |build: Build, after: Box<dyn FnOnce()>| {
        leptos::task::spawn_local(async move {
            match sync.edit(id, &KEY_ACCOUNT, build).await {
                Ok(_) => {
                    error.set(None);
                    after();
                }
                Err(e) => error.set(Some(edit_error_text(i18n, &e))),
            }
        });
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
    let toggle_bought = move |_| {
        let now = !account.with_untracked(|a| a.as_ref().is_some_and(bought));
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
                    dm_error.set(Some(e.message(super::a_card::lang(i18n))));
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
        let Some(date) = date_of(&v_date.get_untracked()) else {
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
                    (t_string!(i18n, key_account.responsible), person(&text(&a, "responsible_id"))),
                ];
                view! {
                    <dl class="fields">
                        {rows.into_iter().map(|(l, v)| view! { <div><dt>{l}</dt><dd>{v}</dd></div> }).collect_view()}
                    </dl>
                }
                .into_any()
            }}
            <div class="form-actions">
                <label class="check">
                    <input type="checkbox" prop:checked=move || account.with(|a| a.as_ref().is_some_and(bought)) on:change=toggle_bought />
                    <span>{t!(i18n, key_account.bought_here)}</span>
                </label>
                <button type="button" class="btn btn-ghost" on:click=take_over>{t!(i18n, key_account.take_over)}</button>
            </div>
            {alert(error)}
        </section>
        <section class="panel" aria-labelledby="ka-makers">
            <h2 id="ka-makers">{t!(i18n, key_account.decision_makers)}</h2>
            {move || {
                let makers: Vec<Value> = account.with(|a| a.as_ref().map(|a| a.log("decision_makers").into_iter().map(|e| e.value.clone()).collect()).unwrap_or_default());
                if makers.is_empty() {
                    return view! { <p class="muted">{t!(i18n, key_account.no_makers)}</p> }.into_any();
                }
                view! {
                    <ul class="ka-list">
                        {makers.into_iter().map(|m| {
                            let s = |k: &str| m[k].as_str().unwrap_or_default().to_string();
                            view! { <li><strong>{s("name")}</strong> " · " {s("title")} " · " {phone_display(&s("phone"))}</li> }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
            <form class="form form-row" on:submit=add_maker novalidate>
                <div class="field">
                    <label for="ka-dm-name">{t!(i18n, key_account.maker_name)}</label>
                    <input id="ka-dm-name" type="text" autocomplete="off" prop:value=move || dm_name.get() on:input=move |ev| dm_name.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="ka-dm-title">{t!(i18n, key_account.maker_title)}</label>
                    <input id="ka-dm-title" type="text" autocomplete="off" prop:value=move || dm_title.get() on:input=move |ev| dm_title.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="ka-dm-phone">{t!(i18n, key_account.maker_phone)}</label>
                    <input id="ka-dm-phone" type="tel" inputmode="tel" autocomplete="off" prop:value=move || dm_phone.get() on:input=move |ev| dm_phone.set(event_target_value(&ev)) />
                </div>
                <button type="submit" class="btn btn-secondary">{t!(i18n, key_account.add_maker)}</button>
            </form>
            {alert(dm_error)}
        </section>
        <section class="panel" aria-labelledby="ka-visits">
            <h2 id="ka-visits">{t!(i18n, key_account.visits)}</h2>
            {move || {
                let mut visits: Vec<domain::sync::LogEntry> = account.with(|a| a.as_ref().map(|a| a.log("visits").into_iter().cloned().collect()).unwrap_or_default());
                visits.sort_by(|a, b| b.value["date"].as_str().cmp(&a.value["date"].as_str()));
                if visits.is_empty() {
                    return view! { <p class="muted">{t!(i18n, key_account.no_visits)}</p> }.into_any();
                }
                view! {
                    <ol class="follow-ups">
                        {visits.into_iter().map(|e| {
                            let v = &e.value;
                            let date = v["date"].as_str().unwrap_or_default().to_string();
                            let by = v["by"].as_str().map(person).unwrap_or_else(|| person(&e.user_id));
                            let note = v["note"].as_str().or(v["outcome"].as_str()).unwrap_or_default().to_string();
                            view! {
                                <li class="follow-up">
                                    <div class="follow-up-meta">{date} " · " {by} " · " <span class="muted small">{entry_time(&e)}</span></div>
                                    <p class="follow-up-content">{note}</p>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }
                .into_any()
            }}
            <form class="form" on:submit=add_visit novalidate>
                <div class="field">
                    <label for="ka-visit-date">{t!(i18n, key_account.visit_date)}</label>
                    <input id="ka-visit-date" type="date" prop:value=move || v_date.get() on:input=move |ev| v_date.set(event_target_value(&ev)) on:change=move |ev| v_date.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="ka-visit-note">{t!(i18n, key_account.visit_outcome)}</label>
                    <textarea id="ka-visit-note" rows="2" prop:value=move || v_note.get() on:input=move |ev| v_note.set(event_target_value(&ev))></textarea>
                </div>
                {alert(v_error)}
                <button type="submit" class="btn btn-secondary">{t!(i18n, key_account.add_visit)}</button>
            </form>
        </section>
    }
}
