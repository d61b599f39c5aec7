//! Test drive (试乘试驾), on the tablet in the car: the list (`/sales/test-drives`, drives under way
//! first), the start form (`/sales/test-drives/new`, optionally `?a_card=<id>`), one drive with
//! 结束试驾 / 取消试驾 (`/sales/test-drives/:id`), and the drives of a card on the A-card page
//! ([`CardTestDrives`]). Every check and every write is the domain's (`domain::sales::test_drive`:
//! `check_start` + `start_plan`, `check_end` + `end_plan`, `cancel_plan`), executed as one local
//! transaction, so a whole drive works with no network.

use domain::records::sales::{ACard, TestDrive as Drive, TestDriveStatus};
use domain::sales::UserError;
use domain::sales::chrono::NaiveDateTime;
use domain::sales::settings::StoreSettings;
use domain::sales::test_drive::{self as rules, EndForm, StartForm, TestDriveError};
use domain::sync::RecordState;
use domain::time::stored_time;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use uuid::Uuid;

use super::words::model_name;
use crate::clock::{now_local, now_stored, store_clock};
use crate::i18n::*;
use crate::session::use_me;
use crate::sync::{SyncCtx, use_sync};
use crate::ui::blob_image::BlobImage;
use crate::ui::edit::use_edit;
use crate::ui::field::{Bind, DateField, DateKind, Select, TextArea, TextField, choose_blank};
use crate::ui::labels::{Words, phone_display, who};
use crate::ui::panel::Panel;
use crate::ui::photo::PhotoInput;
use crate::ui::record_page::{RecordPage, field_list};
use crate::ui::signature::SignaturePad;
use crate::ui::table::{Column, Columns, DataTable};

/// A fleet vehicle as `model · plate` (`records` are the settings records).
fn vehicle_label(i18n: I18nContext<Locale>, records: &[RecordState], id: &str) -> String {
    StoreSettings::of(records)
        .fleet
        .into_iter()
        .find(|(_, v)| v.id == id)
        .map(|(_, v)| format!("{} · {}", model_name(i18n, records, &v.model), v.plate))
        .unwrap_or_else(|| id.to_string())
}

fn route_label(i18n: I18nContext<Locale>, settings: &StoreSettings, id: &str) -> String {
    settings
        .routes
        .iter()
        .find(|(_, r)| r.id == id)
        .map(|(_, r)| {
            let name = match i18n.get_locale_untracked() {
                Locale::en => &r.name_en,
                Locale::zh_CN => &r.name_zh,
            };
            format!("{name} ({} km)", r.km)
        })
        .unwrap_or_else(|| id.to_string())
}

words! {
    fn status_text(status: TestDriveStatus) -> String {
        TestDriveStatus::Started => test_drive.started,
        TestDriveStatus::Ended => test_drive.ended,
        TestDriveStatus::Cancelled => test_drive.cancelled,
    }
}

/// A time as shown: `YYYY-MM-DD HH:MM`.
fn shown_time(t: Option<NaiveDateTime>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// The distance of a drive (km), once both readings are there.
fn distance(d: &Drive) -> String {
    match (d.start_odometer, d.end_odometer) {
        (Some(a), Some(b)) => format!("{} km", b.saturating_sub(a).max(0)),
        _ => String::new(),
    }
}

/// Every test drive on the device, read by the typed view, in the list's order.
fn drives(sync: SyncCtx, keep: impl Fn(&Drive) -> bool) -> Vec<Drive> {
    let mut out: Vec<Drive> = sync
        .records("test_drive")
        .iter()
        .map(|r| Drive::of(r, store_clock()))
        .filter(keep)
        .collect();
    out.sort_by(rules::list_order);
    out
}

/// The card of `id`, when it is on the device.
fn card_of(sync: SyncCtx, id: Option<Uuid>) -> Option<ACard> {
    sync.record(id?).map(|c| ACard::of(&c, store_clock()))
}

/// `name · phone` of a card.
fn card_label(c: &ACard) -> (String, String) {
    (
        c.name.clone().unwrap_or_default(),
        phone_display(c.phone.as_deref().unwrap_or_default()),
    )
}

fn errors_text(i18n: I18nContext<Locale>, errors: &[TestDriveError]) -> Vec<String> {
    errors.iter().map(|e| e.message(lang(i18n))).collect()
}

fn error_list(errors: Vec<String>) -> impl IntoView {
    (!errors.is_empty()).then(|| {
        view! {
            <div class="alert" role="alert">
                <ul class="td-errors">
                    {errors.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
                </ul>
            </div>
        }
    })
}

/// A drive as its row in a drives table shows it.
#[derive(Clone)]
struct DriveRow {
    drive: Drive,
    /// The card's name.
    customer: String,
    vehicle: String,
    route: String,
}

/// The drives as rows, with their card's name and their vehicle's and route's words.
fn drive_rows(i18n: I18nContext<Locale>, sync: SyncCtx, drives: Vec<Drive>) -> Vec<DriveRow> {
    let records = sync.records("sales_settings");
    let settings = StoreSettings::of(&records);
    drives
        .into_iter()
        .map(|d| DriveRow {
            customer: card_of(sync, d.a_card_id)
                .map(|c| card_label(&c).0)
                .unwrap_or_default(),
            vehicle: vehicle_label(i18n, &records, d.vehicle_id.as_deref().unwrap_or_default()),
            route: route_label(i18n, &settings, d.route_id.as_deref().unwrap_or_default()),
            drive: d,
        })
        .collect()
}

/// A drive's page link around `text`.
fn drive_link(d: &Drive, text: String) -> AnyView {
    let href = format!("/sales/test-drives/{}", d.id);
    view! { <A href=href>{text}</A> }.into_any()
}

/// The columns of a drives table (customer, start, vehicle, route, consultant, status, km); a
/// card's own drives have no customer column and link from the start time.
fn drive_columns(i18n: I18nContext<Locale>, cards: bool) -> Columns<DriveRow> {
    let start = |r: &DriveRow| shown_time(r.drive.started_at);
    let mut columns = Vec::new();
    if cards {
        columns.push(
            Column::view_only(
                |i18n| t_string!(i18n, test_drive.customer),
                |r: &DriveRow| drive_link(&r.drive, r.customer.clone()),
            )
            .row_header(),
        );
        columns.push(Column::text(
            |i18n| t_string!(i18n, test_drive.started_at),
            start,
        ));
    } else {
        columns.push(
            Column::view_only(
                |i18n| t_string!(i18n, test_drive.started_at),
                move |r: &DriveRow| drive_link(&r.drive, start(r)),
            )
            .row_header(),
        );
    }
    columns.extend([
        Column::text(
            |i18n| t_string!(i18n, test_drive.vehicle),
            |r: &DriveRow| r.vehicle.clone(),
        ),
        Column::text(
            |i18n| t_string!(i18n, test_drive.route),
            |r: &DriveRow| r.route.clone(),
        ),
        Column::text(
            |i18n| t_string!(i18n, a_card.consultant),
            |r: &DriveRow| who(&r.drive.consultant_id.map(|u| u.to_string()).unwrap_or_default()),
        ),
        Column::view_only(
            |i18n| t_string!(i18n, test_drive.status),
            move |r: &DriveRow| {
                let status = r.drive.status;
                view! {
                    <span class=format!("badge td-{}", status.as_str())>{status_text(i18n, status)}</span>
                }
                .into_any()
            },
        ),
        Column::text(
            |i18n| t_string!(i18n, test_drive.distance),
            |r: &DriveRow| match r.drive.status {
                TestDriveStatus::Ended => distance(&r.drive),
                _ => String::new(),
            },
        ),
    ]);
    Columns::new(columns)
}

/// A table of `drives` (with their customers when `cards`), or `empty` when there are none.
fn drives_table(
    i18n: I18nContext<Locale>,
    sync: SyncCtx,
    drives: Memo<Vec<Drive>>,
    cards: bool,
    empty: Words,
) -> impl IntoView {
    view! {
        <DataTable
            columns=drive_columns(i18n, cards)
            rows=Signal::derive(move || drive_rows(i18n, sync, drives.get()))
            class="td-table"
            row_class=|r: &DriveRow| (r.drive.status == TestDriveStatus::Started).then_some("td-running")
            empty=empty
        />
    }
}

/// `/sales/test-drives`: drives under way, then today's and recent ones (the last 14 days).
#[component]
pub fn TestDriveList() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let rows = Memo::new(move |_| {
        let now = now_local();
        drives(sync, |d| rules::listed(d, now))
    });
    view! {
        <Panel id="test-drives-title" page=true title=move || t!(i18n, test_drive.list_title) actions=move || view! {
            <A href="/sales/test-drives/new" attr:class="btn btn-primary">
                {t!(i18n, test_drive.new)}
            </A>
        }>
            {drives_table(
                i18n,
                sync,
                rows,
                true,
                |i| t_string!(i, test_drive.empty),
            )}
        </Panel>
    }
}

/// `/sales/test-drives/new`: pick the card, the vehicle and the route, the licence, the start
/// odometer → 开始试驾.
#[component]
pub fn NewTestDrivePage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let query = use_query_map();
    let navigate = use_navigate();
    let card_id = RwSignal::new(
        query
            .read_untracked()
            .get("a_card")
            .and_then(|s| Uuid::parse_str(&s).ok()),
    );
    let search = RwSignal::new(String::new());
    let vehicle = RwSignal::new(String::new());
    let route = RwSignal::new(String::new());
    let licence_no = RwSignal::new(String::new());
    let licence_expiry = RwSignal::new(String::new());
    let odometer = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<String>::new());
    let edit = use_edit();

    let busy_vehicles = Memo::new(move |_| rules::busy_vehicles(&drives(sync, |_| true)));
    let matches = Memo::new(move |_| {
        let q = search.get().trim().to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        let mut found: Vec<ACard> = sync
            .records("a_card")
            .iter()
            .map(|c| ACard::of(c, store_clock()))
            .filter(|c| {
                c.name
                    .as_deref()
                    .unwrap_or_default()
                    .to_lowercase()
                    .contains(&q)
                    || (digits.len() >= 3
                        && c.phone.as_deref().unwrap_or_default().contains(&digits))
            })
            .collect();
        found.sort_by(|a, b| a.name.cmp(&b.name));
        found.truncate(8);
        found
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = StartForm {
            a_card: card_id.get_untracked(),
            vehicle_id: vehicle.get_untracked(),
            route_id: route.get_untracked(),
            licence_no: licence_no.get_untracked(),
            licence_expiry: licence_expiry.get_untracked(),
            start_odometer: odometer.get_untracked(),
            started_at: now_stored(),
        };
        let checked = match rules::check_start(&form, &busy_vehicles.get_untracked(), store_clock())
        {
            Ok(c) => c,
            Err(e) => {
                errors.set(errors_text(i18n, &e));
                return;
            }
        };
        let me = use_me()().map(|(id, _)| id).unwrap_or_default();
        let id = Uuid::now_v7();
        let plan = rules::start_plan(id, &me, &checked);
        let navigate = navigate.clone();
        errors.set(Vec::new());
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            navigate(&format!("/sales/test-drives/{id}"), Default::default())
        });
    };
    let routes = Signal::derive(move || {
        let settings = StoreSettings::of(&sync.records("sales_settings"));
        settings
            .routes
            .iter()
            .map(|(_, r)| (r.id.clone(), route_label(i18n, &settings, &r.id)))
            .collect::<Vec<_>>()
    });

    view! {
        <p class="back-link">
            <A href="/sales/test-drives">{t!(i18n, test_drive.back)}</A>
        </p>
        <Panel id="td-new-title" page=true title=move || t!(i18n, test_drive.new)>
            <form class="form td-form" on:submit=submit novalidate>
                <fieldset class="field td-card">
                    <legend>{t!(i18n, test_drive.customer)}</legend>
                    {move || {
                        match card_of(sync, card_id.get()).as_ref().map(card_label) {
                            Some((name, phone)) => view! {
                                <p class="td-picked">
                                    <strong>{name}</strong>
                                    " · "
                                    {phone}
                                    " "
                                    <button
                                        type="button"
                                        class="btn btn-secondary"
                                        on:click=move |_| card_id.set(None)
                                    >
                                        {t!(i18n, test_drive.change_card)}
                                    </button>
                                </p>
                            }
                                .into_any(),
                            None => view! {
                                <label for="td-search">{t!(i18n, test_drive.search)}</label>
                                <input
                                    id="td-search"
                                    type="search"
                                    autocomplete="off"
                                    prop:value=move || search.get()
                                    on:input=move |ev| search.set(event_target_value(&ev))
                                />
                                <ul class="td-matches">
                                    {move || {
                                        matches
                                            .get()
                                            .into_iter()
                                            .map(|c| {
                                                let id = c.id;
                                                let (name, phone) = card_label(&c);
                                                let label = format!("{name} · {phone}");
                                                view! {
                                                    <li>
                                                        <button
                                                            type="button"
                                                            class="btn btn-secondary"
                                                            on:click=move |_| card_id.set(Some(id))
                                                        >
                                                            {label}
                                                        </button>
                                                    </li>
                                                }
                                            })
                                            .collect_view()
                                    }}
                                </ul>
                            }
                                .into_any(),
                        }
                    }}
                </fieldset>
                <div class="field">
                    <label for="td-vehicle">{t!(i18n, test_drive.vehicle)}</label>
                    <select
                        id="td-vehicle"
                        prop:value=move || vehicle.get()
                        on:change=move |ev| vehicle.set(event_target_value(&ev))
                    >
                        <option value="">{t!(i18n, a_card.choose)}</option>
                        {move || {
                            let records = sync.records("sales_settings");
                            let out = busy_vehicles.get();
                            StoreSettings::of(&records)
                                .fleet
                                .into_iter()
                                .map(|(_, v)| {
                                    let id = v.id;
                                    let is_busy = out.contains(&id);
                                    let mut label = vehicle_label(i18n, &records, &id);
                                    if is_busy {
                                        label = format!("{label}({})", t_string!(i18n, test_drive.busy));
                                    }
                                    view! { <option value=id disabled=is_busy>{label}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </div>
                <Select id="td-route" value=route options=routes blank=choose_blank(i18n)>
                    {t!(i18n, test_drive.route)}
                </Select>
                <TextField id="td-licence" value=licence_no autocomplete="off">
                    {t!(i18n, test_drive.licence_no)}
                </TextField>
                <DateField id="td-licence-expiry" value=licence_expiry>
                    {t!(i18n, test_drive.licence_expiry)}
                </DateField>
                <TextField id="td-start-odometer" value=odometer inputmode="numeric">
                    {t!(i18n, test_drive.start_odometer)}
                </TextField>
                {move || error_list(errors.get().into_iter().chain(edit.error.get()).collect())}
                <button type="submit" class="btn btn-primary" disabled=move || edit.busy.get()>
                    {t!(i18n, test_drive.start)}
                </button>
            </form>
        </Panel>
    }
}

/// `/sales/test-drives/:id`: one drive; while under way 结束试驾 (end odometer, time, feedback,
/// follow-up date) and 取消试驾.
#[component]
pub fn TestDrivePage() -> impl IntoView {
    view! { <RecordPage record_type="test_drive" view=|(id, drive)| view! { <DriveView id=id drive=drive /> }.into_any() /> }
}

#[component]
fn DriveView(id: Uuid, drive: Memo<Option<RecordState>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let drive = Memo::new(move |_| drive.with(|d| d.as_ref().map(|d| Drive::of(d, store_clock()))));
    let end_odometer = RwSignal::new(String::new());
    // The end time shows now (to the minute); left as it is, the end is the moment of 结束试驾.
    let ended_at = RwSignal::new(now_stored().chars().take(16).collect::<String>());
    let end_time_typed = RwSignal::new(false);
    let feedback = RwSignal::new(String::new());
    let follow_up = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<String>::new());
    let edit = use_edit();
    let card = Memo::new(move |_| drive.with(|d| d.as_ref().and_then(|d| d.a_card_id)));

    let end = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(d) = drive.get_untracked() else {
            return;
        };
        let form = EndForm {
            started_at: d.started_at.map(stored_time).unwrap_or_default(),
            start_odometer: d
                .start_odometer
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(0),
            ended_at: if end_time_typed.get_untracked() {
                ended_at.get_untracked()
            } else {
                now_stored()
            },
            end_odometer: end_odometer.get_untracked(),
            follow_up_date: follow_up.get_untracked(),
        };
        let checked = match rules::check_end(&form, store_clock()) {
            Ok(c) => c,
            Err(e) => {
                errors.set(errors_text(i18n, &e));
                return;
            }
        };
        // The card's follow-up moves only when the card is on this device.
        let card_id = card.get_untracked().filter(|c| sync.record(*c).is_some());
        let plan = rules::end_plan(id, card_id, &checked, &feedback.get_untracked());
        errors.set(Vec::new());
        edit.run(async move { sync.execute(&plan).await }, |_| ());
    };

    let cancel = move |_| {
        let Some(d) = drive.get_untracked() else {
            return;
        };
        match rules::cancel_plan(&d, &feedback.get_untracked()) {
            Ok(plan) => {
                errors.set(Vec::new());
                edit.run(async move { sync.execute(&plan).await }, |_| ());
            }
            Err(e) => errors.set(errors_text(i18n, &[e])),
        }
    };
    let ended_at_typed = Bind::new(
        move || ended_at.get(),
        move |v| {
            end_time_typed.set(true);
            ended_at.set(v);
        },
    );

    view! {
        <p class="back-link">
            <A href="/sales/test-drives">{t!(i18n, test_drive.back)}</A>
        </p>
        <section class="panel" aria-labelledby="td-title">
            {move || {
                let d = drive.get()?;
                let records = sync.records("sales_settings");
                let settings = StoreSettings::of(&records);
                let name = card_of(sync, d.a_card_id).map(|c| card_label(&c).0).unwrap_or_default();
                let opt = |v: Option<i64>| v.map(|n| format!("{n} km")).unwrap_or_default();
                let day = |v: Option<_>| v.map(|d: domain::sales::chrono::NaiveDate| d.to_string()).unwrap_or_default();
                let rows = [
                    (t_string!(i18n, test_drive.status), status_text(i18n, d.status)),
                    (t_string!(i18n, test_drive.vehicle), vehicle_label(i18n, &records, d.vehicle_id.as_deref().unwrap_or_default())),
                    (t_string!(i18n, test_drive.route), route_label(i18n, &settings, d.route_id.as_deref().unwrap_or_default())),
                    (t_string!(i18n, a_card.consultant), who(&d.consultant_id.map(|u| u.to_string()).unwrap_or_default())),
                    (t_string!(i18n, test_drive.licence_no), d.licence_no.clone().unwrap_or_default()),
                    (t_string!(i18n, test_drive.licence_expiry), day(d.licence_expiry)),
                    (t_string!(i18n, test_drive.started_at), shown_time(d.started_at)),
                    (t_string!(i18n, test_drive.start_odometer), opt(d.start_odometer)),
                    (t_string!(i18n, test_drive.ended_at), shown_time(d.ended_at)),
                    (t_string!(i18n, test_drive.end_odometer), opt(d.end_odometer)),
                    (t_string!(i18n, test_drive.distance), distance(&d)),
                    (t_string!(i18n, test_drive.feedback), d.feedback.clone().unwrap_or_default()),
                    (t_string!(i18n, test_drive.follow_up_date), day(d.follow_up_date)),
                ];
                Some(view! {
                    <div class="panel-head">
                        <h1 id="td-title">{t!(i18n, test_drive.title)} " · " {name}</h1>
                        {card.get().map(|cid| view! {
                            <A href=format!("/sales/a-cards/{cid}") attr:class="btn btn-secondary">
                                {t!(i18n, test_drive.open_card)}
                            </A>
                        })}
                    </div>
                    {field_list((), rows.into_iter().filter(|(_, v)| !v.is_empty()))}
                })
            }}
        </section>
        <LicencePhotos id=id photos=Signal::derive(move || drive.with(|d| d.as_ref().map(|d| d.licence_photos.clone()).unwrap_or_default())) />
        <AgreementSignature id=id signature=Signal::derive(move || drive.with(|d| d.as_ref().and_then(|d| d.agreement_signature.clone()))) />
        <Show when=move || drive.with(|d| d.as_ref().is_some_and(|d| d.status == TestDriveStatus::Started))>
            <Panel id="td-end-title" title=move || t!(i18n, test_drive.end)>
                <form class="form td-form" on:submit=end novalidate>
                    <TextField id="td-end-odometer" value=end_odometer inputmode="numeric">
                        {t!(i18n, test_drive.end_odometer)}
                    </TextField>
                    <DateField id="td-ended-at" value=ended_at_typed kind=DateKind::DateTime>
                        {t!(i18n, test_drive.ended_at)}
                    </DateField>
                    <TextArea id="td-feedback" value=feedback rows=3>
                        {t!(i18n, test_drive.feedback)}
                    </TextArea>
                    <DateField id="td-follow-up" value=follow_up>
                        {t!(i18n, test_drive.follow_up_date)}
                    </DateField>
                    {move || error_list(errors.get().into_iter().chain(edit.error.get()).collect())}
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary" disabled=move || edit.busy.get()>
                            {t!(i18n, test_drive.end)}
                        </button>
                        <button type="button" class="btn btn-secondary" on:click=cancel disabled=move || edit.busy.get()>
                            {t!(i18n, test_drive.cancel)}
                        </button>
                    </div>
                </form>
            </Panel>
        </Show>
    }
}

/// 驾驶证照片: the photos of the customer's driving licence (shown from the device, or from the
/// server when online) and the camera to add one (kept on the device, uploaded by the sync).
#[component]
fn LicencePhotos(id: Uuid, photos: Signal<Vec<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let errors = RwSignal::new(Vec::<String>::new());
    let add = move |blob_id: String| match rules::licence_photo_plan(id, &blob_id) {
        Ok(plan) => {
            errors.set(Vec::new());
            edit.run(async move { sync.execute(&plan).await }, |_| ());
        }
        Err(e) => errors.set(errors_text(i18n, &[e])),
    };
    view! {
        <Panel id="td-photos-title" title=move || t!(i18n, blob.licence_photos)>
            <div class="blob-gallery">
                <For each=move || photos.get() key=|p| p.clone() let:photo>
                    <BlobImage id=photo alt=move || t_string!(i18n, blob.licence_photos).to_string() />
                </For>
            </div>
            <PhotoInput id="td-licence-photo" on_photo=add disabled=Signal::derive(move || edit.busy.get()) />
            {move || error_list(errors.get().into_iter().chain(edit.error.get()).collect())}
        </Panel>
    }
}

/// 试驾协议签名: the customer's signature of the test-drive agreement, signed on the tablet
/// (kept on the device, uploaded by the sync) and shown once signed.
#[component]
fn AgreementSignature(id: Uuid, signature: Signal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let errors = RwSignal::new(Vec::<String>::new());
    let signed = move |blob_id: String| match rules::agreement_signature_plan(id, &blob_id) {
        Ok(plan) => {
            errors.set(Vec::new());
            edit.run(async move { sync.execute(&plan).await }, |_| ());
        }
        Err(e) => errors.set(errors_text(i18n, &[e])),
    };
    view! {
        <Panel id="td-agreement-title" title=move || t!(i18n, blob.agreement)>
            {move || match signature.get() {
                Some(blob_id) => view! {
                    <BlobImage id=blob_id class="signature-image" alt=move || t_string!(i18n, blob.agreement).to_string() />
                }.into_any(),
                None => view! {
                    <SignaturePad on_signed=signed disabled=Signal::derive(move || edit.busy.get()) />
                }.into_any(),
            }}
            {move || error_list(errors.get().into_iter().chain(edit.error.get()).collect())}
        </Panel>
    }
}

/// On the A-card page: 试乘试驾 (to a new drive for this card) and the card's drives.
#[component]
pub fn CardTestDrives(id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let list = Memo::new(move |_| drives(sync, |d| d.a_card_id == Some(id)));
    view! {
        <Panel id="card-test-drives-title" title=move || t!(i18n, test_drive.card_title) actions=move || view! {
            <A href=format!("/sales/test-drives/new?a_card={id}") attr:class="btn btn-secondary">
                {t!(i18n, test_drive.title)}
            </A>
        }>
            {drives_table(
                i18n,
                sync,
                list,
                false,
                |i| t_string!(i, test_drive.card_empty),
            )}
        </Panel>
    }
}
