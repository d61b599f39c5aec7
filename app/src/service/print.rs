//! The printed sheets of a repair order, A4 from the browser (print CSS in
//! style/56-service.css): 委托书 (the RO the customer signs at approval: the reception facts,
//! the approved work and its price) and 结算单 (the settlement at handover). Both carry the
//! store's name. The sheet is in the page, hidden on screen; [`print_sheet`] picks which one
//! and opens the browser's print dialog.

use domain::records::service::{RepairOrder, RoLine};
use domain::service::desk::{totals, yuan};
use domain::service::repair_order::{LineState, line_state};
use leptos::prelude::*;

use super::data;
use super::words::shown;
use super::words::{hours_text, kind_text, line_amount};
use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::labels::{phone_display, who};

/// Which sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sheet {
    /// 委托书
    Order,
    /// 结算单
    Settlement,
}

/// Shows `which` in the print sheet and opens the print dialog once it is drawn.
pub fn print_sheet(sheet: RwSignal<Option<Sheet>>, which: Sheet) {
    sheet.set(Some(which));
    request_animation_frame(|| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    });
}

#[component]
pub fn PrintSheet(
    sheet: RwSignal<Option<Sheet>>,
    ro: Memo<Option<RepairOrder>>,
    lines: Memo<Vec<RoLine>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let store = data::store_name();
    move || {
        let which = sheet.get()?;
        let r = ro.get()?;
        let rate = data::settings(sync).hourly_rate_fen;
        let all = lines.get();
        // The settlement bills the approved lines; the order lists all but the declined.
        let shown_lines: Vec<RoLine> = all
            .iter()
            .filter(|l| {
                let s = line_state(l.origin, l.decision.as_ref());
                match which {
                    Sheet::Order => s != LineState::Declined,
                    Sheet::Settlement => s == LineState::Approved,
                }
            })
            .cloned()
            .collect();
        let t = totals(&all, rate);
        let title = match which {
            Sheet::Order => t_string!(i18n, svc_desk.print.order_title),
            Sheet::Settlement => t_string!(i18n, svc_desk.print.settlement_title),
        };
        let facts = [
            (
                t_string!(i18n, svc_desk.fields.customer_name),
                r.customer_name.clone().unwrap_or_default(),
            ),
            (
                t_string!(i18n, svc_desk.fields.phone),
                phone_display(r.phone.as_deref().unwrap_or_default()),
            ),
            (
                t_string!(i18n, svc_desk.fields.plate),
                r.plate.clone().unwrap_or_default(),
            ),
            (
                t_string!(i18n, svc_desk.fields.vin),
                r.vin.clone().unwrap_or_default(),
            ),
            (
                t_string!(i18n, svc_desk.fields.odometer),
                r.odometer.map(|k| format!("{k} km")).unwrap_or_default(),
            ),
            (
                t_string!(i18n, svc_desk.ro.received_at),
                shown(r.received_at),
            ),
            (
                t_string!(i18n, svc_desk.ro.promised_at),
                shown(r.promised_at),
            ),
            (
                t_string!(i18n, svc_desk.fields.advisor),
                r.advisor_id.as_deref().map(who).unwrap_or_default(),
            ),
            (
                t_string!(i18n, svc_desk.fields.customer_words),
                r.customer_words.clone().unwrap_or_default(),
            ),
        ];
        Some(view! {
            <div class="print-sheet" data-sheet=match which { Sheet::Order => "order", Sheet::Settlement => "settlement" }>
                <header>
                    <p class="print-store">{store.clone()}</p>
                    <h2>{title}</h2>
                    <p class="print-no">{t!(i18n, svc_desk.print.number)} " " {r.id.to_string()}</p>
                </header>
                <dl class="print-facts">
                    {facts.into_iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| view! { <div><dt>{k}</dt><dd>{v}</dd></div> }).collect_view()}
                </dl>
                <table class="print-lines">
                    <thead>
                        <tr>
                            <th>{t!(i18n, svc_desk.lines.description)}</th>
                            <th>{t!(i18n, svc_desk.lines.kind)}</th>
                            <th>{t!(i18n, svc_desk.lines.hours_qty)}</th>
                            <th>{t!(i18n, svc_desk.lines.amount)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {shown_lines.into_iter().map(|l| {
                            let q = match l.kind {
                                domain::service::repair_order::LineKind::Labour => hours_text(l.std_centihours),
                                domain::service::repair_order::LineKind::Part => l.qty.map(|q| q.to_string()).unwrap_or_default(),
                            };
                            view! {
                                <tr>
                                    <td>{l.description.clone().unwrap_or_default()}</td>
                                    <td>{kind_text(i18n, l.kind)}</td>
                                    <td>{q}</td>
                                    <td class="num">{line_amount(&l, rate)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <p class="print-total">
                    {match which {
                        Sheet::Order => t_string!(i18n, svc_desk.totals.total),
                        Sheet::Settlement => t_string!(i18n, svc_desk.totals.approved),
                    }}
                    ": "
                    {match which { Sheet::Order => yuan(t.total_fen), Sheet::Settlement => yuan(t.approved_fen) }}
                </p>
                <p class="print-sign">{t!(i18n, svc_desk.print.customer_sign)} " ____________________  " {t!(i18n, svc_desk.print.date)} " ____________"</p>
            </div>
        })
    }
}
