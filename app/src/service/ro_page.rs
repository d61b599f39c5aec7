//! `/service/ro/:id`: one repair order (工单/委托书): the reception facts, the walk-around's
//! marks, the lines with their amounts and the customer's decisions, the totals, and the
//! advisor's panels by the RO's step: the estimate ([`super::estimate`]), the customer's
//! approval, print (委托书 / 结算单, [`super::print`]) and the handover ([`super::handover`]).
//!
//! The workshop's panels (dispatch, job clocks, added work, QC: wt-shop) are components of
//! their own, mounted in [`RoView`] under the lines (see "workshop panels" there); they read
//! the RO and its lines through [`super::data`] like this page.

use domain::records::service::{RepairOrder, RoLine};
use domain::service::desk::{Totals, damage_marks, totals, yuan};
use domain::service::repair_order::{Arrival, LineKind, LineState, RoStatus, line_state};
use domain::service::workshop::findings;
use domain::sync::RecordState;
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use super::car_outline::{OutlineView, mark_text};
use super::data;
use super::estimate::{ApprovalPanel, EstimatePanel, RepricePanel};
use super::handover::HandoverPanel;
use super::print::{PrintSheet, Sheet, print_sheet};
use super::words::{hours_text, kind_text, line_amount, line_state_text, shown, status_text};
use crate::clock::store_clock;
use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::blob_image::BlobImage;
use crate::ui::labels::{phone_display, who};
use crate::ui::record_page::{RecordPage, field_list};

/// The RO's lines as a table: work or part, hours or quantity, unit price, amount, the
/// customer's decision, the technician.
pub fn lines_table(i18n: I18nContext<Locale>, lines: Vec<RoLine>, rate: i64) -> impl IntoView {
    if lines.is_empty() {
        return view! { <p class="muted">{t!(i18n, svc_desk.lines.none)}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="table svc-lines">
                <thead>
                    <tr>
                        <th>{t!(i18n, svc_desk.lines.description)}</th>
                        <th>{t!(i18n, svc_desk.lines.kind)}</th>
                        <th>{t!(i18n, svc_desk.lines.hours_qty)}</th>
                        <th>{t!(i18n, svc_desk.lines.unit_price)}</th>
                        <th>{t!(i18n, svc_desk.lines.amount)}</th>
                        <th>{t!(i18n, svc_desk.lines.decision)}</th>
                        <th>{t!(i18n, svc_desk.lines.technician)}</th>
                    </tr>
                </thead>
                <tbody>
                    {lines.into_iter().map(|l| {
                        let state = line_state(l.origin, l.decision.as_ref());
                        let (amount_qty, unit) = match l.kind {
                            LineKind::Labour => (hours_text(l.std_centihours), yuan(rate)),
                            LineKind::Part => (
                                l.qty.map(|q| q.to_string()).unwrap_or_default(),
                                l.unit_price_fen.map(yuan).unwrap_or_default(),
                            ),
                        };
                        let badge = match state {
                            LineState::Approved => "badge badge-ok",
                            LineState::Declined => "badge badge-muted",
                            _ => "badge badge-warn",
                        };
                        let desc = [l.code.clone().unwrap_or_default(), l.description.clone().unwrap_or_default()]
                            .into_iter()
                            .filter(|s| !s.is_empty())
                            .collect::<Vec<_>>()
                            .join(" ");
                        view! {
                            <tr>
                                <th scope="row">{desc}</th>
                                <td>{kind_text(i18n, l.kind)}</td>
                                <td>{amount_qty}</td>
                                <td>{unit}</td>
                                <td class="num">{line_amount(&l, rate)}</td>
                                <td><span class=badge>{line_state_text(i18n, state)}</span></td>
                                <td>{l.technician_id.as_deref().map(who).unwrap_or_default()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The technicians' findings on the lines, each with its photos (taken on the tablet, shown
/// from the blob store); nothing when there are none.
fn findings_list(i18n: I18nContext<Locale>, lines: &[RoLine]) -> impl IntoView + use<> {
    let found = findings(lines);
    (!found.is_empty()).then(|| {
        let items = found
            .into_iter()
            .map(|f| {
                view! {
                    <li class="svc-finding">
                        <p>{t!(i18n, svc_shop.decision.finding)}": "{f.text}</p>
                        {(!f.photos.is_empty()).then(|| view! {
                            <div class="svc-photo-list">
                                {f.photos.into_iter().map(|id| view! {
                                    <BlobImage id=id alt=move || t_string!(i18n, svc_shop.jobs.photos).to_string() />
                                }).collect_view()}
                            </div>
                        })}
                    </li>
                }
            })
            .collect_view();
        view! {
            <div class="svc-findings">
                <h3>{t!(i18n, svc_shop.jobs.findings)}</h3>
                <ul class="svc-finding-list">{items}</ul>
            </div>
        }
    })
}

/// The totals as `<dl>`: labour, parts, total, approved.
pub fn totals_list(i18n: I18nContext<Locale>, t: Totals) -> impl IntoView {
    let rows = [
        (t_string!(i18n, svc_desk.totals.labour), yuan(t.labour_fen)),
        (t_string!(i18n, svc_desk.totals.parts), yuan(t.parts_fen)),
        (t_string!(i18n, svc_desk.totals.total), yuan(t.total_fen)),
        (
            t_string!(i18n, svc_desk.totals.approved),
            yuan(t.approved_fen),
        ),
    ];
    view! { <div class="svc-totals">{field_list((), rows)}</div> }
}

/// `/service/ro/:id`
#[component]
pub fn RepairOrderPage() -> impl IntoView {
    view! { <RecordPage record_type="repair_order" view=|(id, r)| view! { <RoView id=id record=r /> }.into_any() /> }
}

#[component]
fn RoView(id: Uuid, record: Memo<Option<RecordState>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let ro =
        Memo::new(move |_| record.with(|r| r.as_ref().map(|r| RepairOrder::of(r, store_clock()))));
    let read_lines = data::use_lines(id);
    let lines = Memo::new(move |_| {
        read_lines.with(|ls| ls.iter().map(|(_, l)| l.clone()).collect::<Vec<RoLine>>())
    });
    let rate = Memo::new(move |_| data::settings(sync).hourly_rate_fen);
    let status = Memo::new(move |_| ro.with(|r| r.as_ref().map(|r| r.status)));
    let sheet = RwSignal::new(None::<Sheet>);

    view! {
        <p class="back-link no-print"><A href="/service">{t!(i18n, svc_desk.back)}</A></p>
        {move || ro.get().map(|r| {
            let title = [r.plate.clone().unwrap_or_default(), r.customer_name.clone().unwrap_or_default()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · ");
            let arrival = match r.arrival {
                Some(Arrival::Appointment) => t_string!(i18n, svc_desk.ro.by_appointment).to_string(),
                Some(Arrival::WalkIn) => t_string!(i18n, svc_desk.ro.walk_in).to_string(),
                None => String::new(),
            };
            let on_time = match r.on_time {
                Some(true) => t_string!(i18n, svc_desk.ro.on_time_yes).to_string(),
                Some(false) => t_string!(i18n, svc_desk.ro.on_time_no).to_string(),
                None => String::new(),
            };
            let rows = [
                (t_string!(i18n, svc_desk.fields.status), status_text(i18n, r.status)),
                (t_string!(i18n, svc_desk.fields.customer_name), r.customer_name.clone().unwrap_or_default()),
                (t_string!(i18n, svc_desk.fields.phone), phone_display(r.phone.as_deref().unwrap_or_default())),
                (t_string!(i18n, svc_desk.fields.plate), r.plate.clone().unwrap_or_default()),
                (t_string!(i18n, svc_desk.fields.vin), r.vin.clone().unwrap_or_default()),
                (t_string!(i18n, svc_desk.fields.advisor), r.advisor_id.as_deref().map(who).unwrap_or_default()),
                (t_string!(i18n, svc_desk.ro.arrival), arrival),
                (t_string!(i18n, svc_desk.ro.received_at), shown(r.received_at)),
                (t_string!(i18n, svc_desk.fields.odometer), r.odometer.map(|k| format!("{k} km")).unwrap_or_default()),
                (t_string!(i18n, svc_desk.fields.fuel), r.fuel.map(|f| format!("{f}/8")).unwrap_or_default()),
                (t_string!(i18n, svc_desk.fields.customer_words), r.customer_words.clone().unwrap_or_default()),
                (t_string!(i18n, svc_desk.fields.complaint), r.complaint.clone().unwrap_or_default()),
                (t_string!(i18n, svc_desk.fields.valuables), r.valuables.clone().unwrap_or_default()),
                (t_string!(i18n, svc_desk.ro.promised_at), shown(r.promised_at)),
                (t_string!(i18n, svc_desk.ro.handed_over_at), shown(r.handed_over_at)),
                (t_string!(i18n, svc_desk.ro.on_time), on_time),
            ];
            let comeback = r.comeback_of.map(|c| view! {
                <p class="alert svc-comeback" role="status">
                    {t!(i18n, svc_desk.reception.comeback)} " "
                    <A href=format!("/service/ro/{c}")>{t!(i18n, svc_desk.reception.comeback_link)}</A>
                </p>
            });
            let marks = record.with(|rec| rec.as_ref().map(damage_marks).unwrap_or_default());
            let blobs = |f: &str| {
                record.with(|rec| {
                    rec.as_ref()
                        .map(|rec| {
                            rec.log(f)
                                .into_iter()
                                .filter_map(|e| e.value.get("blob").and_then(|b| b.as_str()).map(str::to_owned))
                                .collect::<Vec<String>>()
                        })
                        .unwrap_or_default()
                })
            };
            let photos = blobs("photos");
            let signatures = blobs("signatures");
            let pictures = (!photos.is_empty() || !signatures.is_empty()).then(|| view! {
                <div class="svc-photo-list">
                    {photos.into_iter().map(|id| view! {
                        <BlobImage id=id alt=move || t_string!(i18n, svc_desk.reception.photos).to_string() />
                    }).collect_view()}
                    {signatures.into_iter().map(|id| view! {
                        <BlobImage id=id class="signature-image" alt=move || t_string!(i18n, svc_desk.ro.signature).to_string() />
                    }).collect_view()}
                </div>
            });
            let marks_view = (!marks.is_empty()).then(|| {
                let list = marks.iter().map(|m| view! { <li>{mark_text(i18n, m)}</li> }).collect_view();
                view! {
                    <div class="svc-marks">
                        <OutlineView marks=marks.clone() />
                        <ol class="svc-mark-list">{list}</ol>
                    </div>
                }
            });
            view! {
                <section class="panel no-print" aria-labelledby="svc-ro-title">
                    <div class="panel-head">
                        <h1 id="svc-ro-title">{t!(i18n, svc_desk.ro.title)} " · " {title}</h1>
                        <div class="form-actions">
                            <button type="button" class="btn btn-secondary" on:click=move |_| print_sheet(sheet, Sheet::Order)>
                                {t!(i18n, svc_desk.print.order)}
                            </button>
                            <button type="button" class="btn btn-secondary" on:click=move |_| print_sheet(sheet, Sheet::Settlement)>
                                {t!(i18n, svc_desk.print.settlement)}
                            </button>
                        </div>
                    </div>
                    {comeback}
                    {field_list((), rows.into_iter().filter(|(_, v)| !v.is_empty()))}
                    {marks_view}
                    {pictures}
                </section>
            }
        })}
        <section class="panel no-print" aria-labelledby="svc-lines-title">
            <h2 id="svc-lines-title">{t!(i18n, svc_desk.lines.title)}</h2>
            {move || lines_table(i18n, lines.get(), rate.get())}
            {move || totals_list(i18n, totals(&lines.get(), rate.get()))}
            {move || lines.with(|l| findings_list(i18n, l))}
        </section>
        <Show when=move || matches!(status.get(), Some(RoStatus::Received | RoStatus::Estimated))>
            <EstimatePanel id=id ro=ro lines=lines />
        </Show>
        <Show when=move || !matches!(status.get(), None | Some(RoStatus::Cancelled | RoStatus::HandedOver))>
            <RepricePanel lines=lines />
        </Show>
        <ApprovalPanel id=id ro=ro lines=lines />
        // workshop panels (wt-shop): the customer's progress link; dispatch, clocks and QC are on
        // their own pages (派工, 我的作业, 质检).
        <Show when=move || !matches!(status.get(), None | Some(RoStatus::Cancelled | RoStatus::HandedOver))>
            <section class="panel no-print" aria-labelledby="svc-status-link-title">
                <h2 id="svc-status-link-title">{t!(i18n, svc_shop.status.title)}</h2>
                <super::status_link::StatusLink ro_id=id />
            </section>
        </Show>
        <Show when=move || matches!(status.get(), Some(RoStatus::Ready | RoStatus::HandedOver))>
            <HandoverPanel id=id ro=ro lines=lines />
        </Show>
        <PrintSheet sheet=sheet ro=ro lines=lines />
    }
}
