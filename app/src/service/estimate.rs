//! 估价 and the customer's approval on the RO page. The estimate: labour operations from the
//! store's price list (standard hours × the store's hourly rate) and parts with their prices,
//! gathered as a draft and saved at once (`estimate_plan`: the lines, the estimate's minutes,
//! the promised time, the RO moved to 已估价). The approval: the customer's decision on each
//! undecided line, proved by a signature or a logged phone approval (who, when, what);
//! approving the estimate makes it the repair order (`approve_estimate_plan`), later decisions
//! (added work) are one line each (`decide_line_plan`). Until the customer decides on a part,
//! its price can change (`reprice_plan`).

use domain::records::service::{RepairOrder, RoLine};
use domain::service::desk::{parse_yuan, yuan};
use domain::service::plan::{
    NewLine, RepriceRefused, approve_estimate_plan, can_reprice, decide_line_plan, estimate_plan,
    reprice_plan,
};
use domain::service::repair_order::{
    LineKind, LineState, Proof, RoStatus, estimate_minutes, line_amount_fen, line_state,
};
use leptos::prelude::*;
use uuid::Uuid;

use super::data;
use super::words::error_list;
use super::words::hours_text;
use crate::clock::{now_local, now_stored};
use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::edit::use_edit;
use crate::ui::field::{Select, TextField};
use crate::ui::panel::Panel;
use crate::ui::signature::SignaturePad;

/// A draft line's words: `code description · 1.5 h` or `description × 2`, and its amount.
fn draft_text(l: &NewLine, rate: i64) -> String {
    let amount = line_amount_fen(
        l.kind,
        l.std_hours.map(|h| (h * 100.0).round() as i64),
        l.qty,
        l.unit_price_fen,
        rate,
    )
    .map(yuan)
    .unwrap_or_default();
    match l.kind {
        LineKind::Labour => format!(
            "{} {} · {} · {amount}",
            l.code,
            l.description,
            hours_text(l.std_hours.map(|h| (h * 100.0).round() as i64))
        ),
        LineKind::Part => format!(
            "{} × {} · {amount}",
            l.description,
            l.qty.unwrap_or_default()
        ),
    }
}

#[component]
pub fn EstimatePanel(
    id: Uuid,
    ro: Memo<Option<RepairOrder>>,
    lines: Memo<Vec<RoLine>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let draft = RwSignal::new(Vec::<NewLine>::new());
    let op = RwSignal::new(String::new());
    let part = RwSignal::new(String::new());
    let qty = RwSignal::new("1".to_string());
    let price = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<String>::new());
    let rate = Memo::new(move |_| data::settings(sync).hourly_rate_fen);
    let ops = Signal::derive(move || {
        data::labour_ops(sync)
            .into_iter()
            .map(|(_, o)| {
                (
                    o.code.clone(),
                    format!("{} {} ({} h)", o.code, o.name, o.hours),
                )
            })
            .collect::<Vec<_>>()
    });

    let add_labour = move |_| {
        let code = op.get_untracked();
        let Some((_, o)) = data::labour_ops(sync)
            .into_iter()
            .find(|(_, o)| o.code == code)
        else {
            errors.set(vec![
                t_string!(i18n, svc_desk.estimate.choose_op).to_string(),
            ]);
            return;
        };
        errors.set(Vec::new());
        draft.update(|d| {
            d.push(NewLine {
                line_id: Uuid::now_v7(),
                kind: LineKind::Labour,
                code: o.code,
                description: o.name,
                std_hours: Some(o.hours),
                qty: None,
                unit_price_fen: None,
            })
        });
        op.set(String::new());
    };
    let add_part = move |_| {
        let name = part.get_untracked();
        let q = qty
            .get_untracked()
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|q| *q > 0);
        let p = parse_yuan(&price.get_untracked());
        let (Some(q), Some(p), false) = (q, p, name.trim().is_empty()) else {
            errors.set(vec![
                t_string!(i18n, svc_desk.estimate.part_incomplete).to_string(),
            ]);
            return;
        };
        errors.set(Vec::new());
        draft.update(|d| {
            d.push(NewLine {
                line_id: Uuid::now_v7(),
                kind: LineKind::Part,
                code: String::new(),
                description: name.trim().to_string(),
                std_hours: None,
                qty: Some(q),
                unit_price_fen: Some(p),
            })
        });
        part.set(String::new());
        qty.set("1".to_string());
        price.set(String::new());
    };
    let save = move |_| {
        let new = draft.get_untracked();
        if new.is_empty() {
            errors.set(vec![t_string!(i18n, svc_desk.estimate.nothing).to_string()]);
            return;
        }
        let Some(r) = ro.get_untracked() else { return };
        let mut labour: Vec<i64> = lines
            .get_untracked()
            .iter()
            .filter(|l| {
                l.kind == LineKind::Labour
                    && line_state(l.origin, l.decision.as_ref()) != LineState::Declined
            })
            .filter_map(|l| l.std_centihours)
            .collect();
        labour.extend(
            new.iter()
                .filter_map(|l| l.std_hours.map(|h| (h * 100.0).round() as i64)),
        );
        let minutes = estimate_minutes(None, &labour);
        let buffer = data::settings(sync).promise_buffer_minutes;
        let plan = estimate_plan(id, r.status, &new, minutes, now_local(), buffer);
        errors.set(Vec::new());
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            draft.set(Vec::new())
        });
    };

    view! {
        <Panel id="svc-estimate-title" class="no-print" title=move || t!(i18n, svc_desk.estimate.title)>
            <Show when=move || rate.get() == 0>
                <p class="alert" role="status">{t!(i18n, svc_desk.estimate.no_rate)}</p>
            </Show>
            <div class="form svc-form">
                <Select id="svc-e-op" value=op options=ops blank=Signal::derive(move || t_string!(i18n, svc_desk.estimate.choose).to_string())>
                    {t!(i18n, svc_desk.estimate.labour_op)}
                </Select>
                <button type="button" class="btn btn-secondary" on:click=add_labour>{t!(i18n, svc_desk.estimate.add_labour)}</button>
                <TextField id="svc-e-part" value=part autocomplete="off">{t!(i18n, svc_desk.estimate.part_name)}</TextField>
                <TextField id="svc-e-qty" value=qty inputmode="numeric">{t!(i18n, svc_desk.estimate.qty)}</TextField>
                <TextField id="svc-e-price" value=price inputmode="decimal">{t!(i18n, svc_desk.estimate.unit_price)}</TextField>
                <button type="button" class="btn btn-secondary" on:click=add_part>{t!(i18n, svc_desk.estimate.add_part)}</button>
                <ul class="svc-draft" aria-label=move || t_string!(i18n, svc_desk.estimate.draft)>
                    {move || draft.get().into_iter().enumerate().map(|(n, l)| {
                        let text = draft_text(&l, rate.get());
                        view! {
                            <li>
                                {text} " "
                                <button type="button" class="btn btn-link" on:click=move |_| draft.update(|d| { if n < d.len() { d.remove(n); } })>
                                    {t!(i18n, svc_desk.estimate.remove)}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {move || error_list(errors.get().into_iter().chain(edit.error.get()).collect())}
                <button type="button" class="btn btn-primary" on:click=save disabled=move || edit.busy.get()>
                    {t!(i18n, svc_desk.estimate.save)}
                </button>
            </div>
        </Panel>
    }
}

/// The customer's approval of the undecided lines: per line approve (checked) or decline
/// (建议未做), proved by a logged phone approval or a signature.
#[component]
pub fn ApprovalPanel(
    id: Uuid,
    ro: Memo<Option<RepairOrder>>,
    lines: Memo<Vec<RoLine>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let declined = RwSignal::new(Vec::<Uuid>::new());
    let who = RwSignal::new(String::new());
    let what = RwSignal::new(String::new());
    let signature = RwSignal::new(None::<String>);
    let errors = RwSignal::new(Vec::<String>::new());
    let undecided = Memo::new(move |_| {
        lines
            .get()
            .into_iter()
            .filter(|l| l.decision.is_none())
            .collect::<Vec<_>>()
    });
    let shown = Memo::new(move |_| {
        let status = ro.with(|r| r.as_ref().map(|r| r.status));
        !undecided.with(Vec::is_empty)
            && !matches!(
                status,
                None | Some(RoStatus::Received | RoStatus::HandedOver | RoStatus::Cancelled)
            )
    });
    let rate = Memo::new(move |_| data::settings(sync).hourly_rate_fen);

    let approve = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(r) = ro.get_untracked() else { return };
        let (w, t) = (who.get_untracked(), what.get_untracked());
        if w.trim().is_empty() || t.trim().is_empty() {
            errors.set(vec![
                t_string!(i18n, svc_desk.approve.need_proof).to_string(),
            ]);
            return;
        }
        errors.set(Vec::new());
        let proof = Proof::Phone {
            who: w.trim().to_string(),
            at: now_stored(),
            what: t.trim().to_string(),
        };
        let ids: Vec<Uuid> = undecided.get_untracked().iter().map(|l| l.id).collect();
        let out = declined.get_untracked();
        let yes: Vec<Uuid> = ids.iter().copied().filter(|i| !out.contains(i)).collect();
        let plan = if r.status == RoStatus::Estimated {
            approve_estimate_plan(id, &ids, &yes, &proof)
        } else {
            let mut plan = domain::plan::Plan::new();
            for l in &ids {
                plan.writes
                    .extend(decide_line_plan(*l, yes.contains(l), &proof).writes);
            }
            plan
        };
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            declined.set(Vec::new());
            signature.set(None);
            who.set(String::new());
            what.set(String::new());
        });
    };

    view! {
        <Show when=move || shown.get()>
            <Panel id="svc-approve-title" class="no-print" title=move || t!(i18n, svc_desk.approve.title)>
                <form class="form svc-form" on:submit=approve novalidate>
                    <fieldset class="field">
                        <legend>{t!(i18n, svc_desk.approve.lines)}</legend>
                        {move || undecided.get().into_iter().map(|l| {
                            let lid = l.id;
                            let amount = line_amount_fen(l.kind, l.std_centihours, l.qty, l.unit_price_fen, rate.get())
                                .map(yuan)
                                .unwrap_or_default();
                            let text = format!("{} {}", l.description.clone().unwrap_or_default(), amount);
                            view! {
                                <label class="check">
                                    <input
                                        type="checkbox"
                                        prop:checked=move || !declined.get().contains(&lid)
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            declined.update(|d| {
                                                d.retain(|x| *x != lid);
                                                if !on {
                                                    d.push(lid);
                                                }
                                            });
                                        }
                                    />
                                    <span>{text}</span>
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                    <fieldset class="field svc-signature">
                        <legend>{t!(i18n, svc_desk.approve.sign)}</legend>
                        <SignaturePad on_signed=move |id: String| signature.set(Some(id)) disabled=Signal::derive(move || edit.busy.get()) />
                    </fieldset>
                    <p class="muted">{t!(i18n, svc_desk.approve.phone_hint)}</p>
                    <TextField id="svc-a-who" value=who autocomplete="off">{t!(i18n, svc_desk.approve.who)}</TextField>
                    <TextField id="svc-a-what" value=what autocomplete="off">{t!(i18n, svc_desk.approve.what)}</TextField>
                    {move || error_list(errors.get().into_iter().chain(edit.error.get()).collect())}
                    <button type="submit" class="btn btn-primary" disabled=move || edit.busy.get()>
                        {t!(i18n, svc_desk.approve.save)}
                    </button>
                </form>
            </Panel>
        </Show>
    }
}

/// A part's price changed before the customer decides on it (`reprice_plan`); an approved or
/// declined line's price stays.
#[component]
pub fn RepricePanel(lines: Memo<Vec<RoLine>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let chosen = RwSignal::new(String::new());
    let price = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<String>::new());
    let parts = Memo::new(move |_| {
        lines
            .get()
            .into_iter()
            .filter(can_reprice)
            .collect::<Vec<_>>()
    });
    let options = Signal::derive(move || {
        parts
            .get()
            .into_iter()
            .map(|l| {
                let text = format!(
                    "{} × {} · {}",
                    l.description.clone().unwrap_or_default(),
                    l.qty.unwrap_or_default(),
                    l.unit_price_fen.map(yuan).unwrap_or_default()
                );
                (l.id.to_string(), text)
            })
            .collect::<Vec<_>>()
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = chosen.get_untracked();
        let line = parts
            .get_untracked()
            .into_iter()
            .find(|l| l.id.to_string() == id);
        let (Some(line), Some(fen)) = (line, parse_yuan(&price.get_untracked())) else {
            errors.set(vec![
                t_string!(i18n, svc_desk.reprice.need_price).to_string(),
            ]);
            return;
        };
        let plan = match reprice_plan(&line, fen) {
            Ok(plan) => plan,
            Err(RepriceRefused::NotAPrice) => {
                errors.set(vec![
                    t_string!(i18n, svc_desk.reprice.need_price).to_string(),
                ]);
                return;
            }
            Err(RepriceRefused::NotAPart | RepriceRefused::Decided) => {
                errors.set(vec![t_string!(i18n, svc_desk.reprice.decided).to_string()]);
                return;
            }
        };
        errors.set(Vec::new());
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            chosen.set(String::new());
            price.set(String::new());
        });
    };
    view! {
        <Show when=move || !parts.with(Vec::is_empty)>
            <Panel id="svc-reprice-title" class="no-print" title=move || t!(i18n, svc_desk.reprice.title)>
                <form class="form svc-form" on:submit=save novalidate>
                    <p class="muted">{t!(i18n, svc_desk.reprice.hint)}</p>
                    <Select id="svc-p-line" value=chosen options=options blank=Signal::derive(move || t_string!(i18n, svc_desk.estimate.choose).to_string())>
                        {t!(i18n, svc_desk.reprice.line)}
                    </Select>
                    <TextField id="svc-p-price" value=price inputmode="decimal">{t!(i18n, svc_desk.reprice.price)}</TextField>
                    {move || error_list(errors.get().into_iter().chain(edit.error.get()).collect())}
                    <button type="submit" class="btn btn-secondary" disabled=move || edit.busy.get()>
                        {t!(i18n, svc_desk.reprice.save)}
                    </button>
                </form>
            </Panel>
        </Show>
    }
}
