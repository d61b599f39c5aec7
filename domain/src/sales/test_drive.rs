//! Test drive (试乘试驾) on the tablet in the car [mgmt, seed 001 §一.3]: qualified staff, a suitable
//! vehicle of the store's test-drive fleet, a route designed for the road conditions, the customer's
//! driving licence, start/end time and odometer, feedback, follow-up.
//!
//! The checks of one drive's times, odometer and licence are [`super::order::TestDrive::problems`];
//! this file adds what the screens need around them: what must be filled in to start, which fleet
//! vehicles are out on a drive, the end form (odometer typed as text, follow-up date) and the order of
//! the list.

use super::UserError;
use super::order::{OrderError, TestDrive};
use crate::plan::{Plan, PlannedWrite, Step};
use crate::records::sales::{TestDrive as Drive, TestDriveStatus};
use crate::records::{A_CARD, TEST_DRIVE};
use crate::time::{StoreClock, stored_date, stored_time};
use chrono::{NaiveDate, NaiveDateTime};
use uuid::Uuid;

/// What the start form gives (试驾登记): everything as typed, parsed here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartForm {
    pub a_card: Option<Uuid>,
    /// A fleet vehicle's `id` ("" when none picked).
    pub vehicle_id: String,
    /// A route's `id` ("" when none picked).
    pub route_id: String,
    pub licence_no: String,
    /// `YYYY-MM-DD` ("" when not given).
    pub licence_expiry: String,
    /// The odometer as typed (km).
    pub start_odometer: String,
    /// Now, store-local `YYYY-MM-DDTHH:MM:SS` (read by [`StoreClock::parse`]).
    pub started_at: String,
}

/// A start that passed every check, with the values to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartChecked {
    pub a_card: Uuid,
    pub vehicle_id: String,
    pub route_id: String,
    /// Trimmed, upper case (the ID-card style `X` check character).
    pub licence_no: String,
    pub licence_expiry: NaiveDate,
    pub start_odometer: u32,
    pub started_at: NaiveDateTime,
}

/// Check a start: every problem at once (in the order of the form), or the values to store.
/// `busy_vehicles` are the vehicles out on a started drive ([`busy_vehicles`]).
pub fn check_start(
    form: &StartForm,
    busy: &[String],
    clock: StoreClock,
) -> Result<StartChecked, Vec<TestDriveError>> {
    let mut out = Vec::new();
    let Some(started_at) = clock.parse(&form.started_at) else {
        return Err(vec![TestDriveError::TimeInvalid]);
    };
    if form.a_card.is_none() {
        out.push(TestDriveError::ACardMissing);
    }
    let vehicle = form.vehicle_id.trim();
    if vehicle.is_empty() {
        out.push(TestDriveError::VehicleMissing);
    } else if busy.iter().any(|b| b == vehicle) {
        out.push(TestDriveError::VehicleBusy);
    }
    if form.route_id.trim().is_empty() {
        out.push(TestDriveError::RouteMissing);
    }
    let licence_no = form.licence_no.trim().to_uppercase();
    let expiry = match form.licence_expiry.trim() {
        "" => {
            out.push(TestDriveError::LicenceExpiryMissing);
            None
        }
        s => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                out.push(TestDriveError::LicenceExpiryMissing);
                None
            }
        },
    };
    let odometer = match parse_odometer(&form.start_odometer) {
        Ok(km) => Some(km),
        Err(e) => {
            out.push(e);
            None
        }
    };
    // The licence rules of one drive (number present, valid on the day).
    let drive = TestDrive {
        id: Uuid::nil(),
        a_card: form.a_card.unwrap_or_default(),
        consultant: Uuid::nil(),
        licence_number: licence_no.clone(),
        licence_valid_until: expiry.unwrap_or(NaiveDate::MAX),
        start_at: started_at,
        end_at: None,
        odometer_start_km: odometer.unwrap_or(0),
        odometer_end_km: None,
    };
    out.extend(drive.problems().into_iter().map(TestDriveError::Rule));
    match (form.a_card, expiry, odometer) {
        (Some(a_card), Some(licence_expiry), Some(start_odometer)) if out.is_empty() => {
            Ok(StartChecked {
                a_card,
                vehicle_id: vehicle.to_string(),
                route_id: form.route_id.trim().to_string(),
                licence_no,
                licence_expiry,
                start_odometer,
                started_at,
            })
        }
        _ => Err(out),
    }
}

/// What the end form gives (结束试驾).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndForm {
    /// The stored start (store-local, see [`parse_local_time`]).
    pub started_at: String,
    pub start_odometer: u32,
    /// The end time as typed (store-local, see [`parse_local_time`]).
    pub ended_at: String,
    /// The end odometer as typed (km).
    pub end_odometer: String,
    /// `YYYY-MM-DD`, or "" for none.
    pub follow_up_date: String,
}

/// An end that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndChecked {
    pub ended_at: NaiveDateTime,
    pub end_odometer: u32,
    pub distance_km: u32,
    pub follow_up_date: Option<NaiveDate>,
}

/// Check an end: the end odometer is a number not below the start, the end is after the start,
/// and a follow-up date (optional) is not before the day of the drive.
pub fn check_end(form: &EndForm, clock: StoreClock) -> Result<EndChecked, Vec<TestDriveError>> {
    let mut out = Vec::new();
    let (Some(started_at), Some(ended_at)) =
        (clock.parse(&form.started_at), clock.parse(&form.ended_at))
    else {
        return Err(vec![TestDriveError::TimeInvalid]);
    };
    let end_odometer = match parse_odometer(&form.end_odometer) {
        Ok(km) => Some(km),
        Err(e) => {
            out.push(e);
            None
        }
    };
    let drive = TestDrive {
        id: Uuid::nil(),
        a_card: Uuid::nil(),
        consultant: Uuid::nil(),
        licence_number: "-".into(),
        licence_valid_until: NaiveDate::MAX,
        start_at: started_at,
        end_at: Some(ended_at),
        odometer_start_km: form.start_odometer,
        odometer_end_km: end_odometer,
    };
    out.extend(drive.problems().into_iter().map(TestDriveError::Rule));
    let follow_up_date = match form.follow_up_date.trim() {
        "" => None,
        s => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) if d < ended_at.date() => {
                out.push(TestDriveError::FollowUpBeforeDrive);
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                out.push(TestDriveError::FollowUpDateInvalid);
                None
            }
        },
    };
    match end_odometer {
        Some(end_odometer) if out.is_empty() => Ok(EndChecked {
            ended_at,
            end_odometer,
            distance_km: end_odometer.saturating_sub(form.start_odometer),
            follow_up_date,
        }),
        _ => Err(out),
    }
}

/// How far back the list of drives goes (days), besides the drives under way.
pub const LISTED_DAYS: i64 = 14;

/// Whether the list shows `drive` at the store-local time `now`: under way, or started in the
/// last [`LISTED_DAYS`] days.
pub fn listed(drive: &Drive, now: NaiveDateTime) -> bool {
    let since = chrono::TimeDelta::try_days(LISTED_DAYS).and_then(|d| now.checked_sub_signed(d));
    drive.status == TestDriveStatus::Started
        || matches!((drive.started_at, since), (Some(at), Some(since)) if at >= since)
}

/// An odometer reading as typed: whole kilometres, spaces and thousands separators allowed
/// (`12 345`, `12,345`).
pub fn parse_odometer(typed: &str) -> Result<u32, TestDriveError> {
    let digits: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',' && *c != '\u{ff0c}')
        .collect();
    if digits.is_empty() {
        return Err(TestDriveError::OdometerMissing);
    }
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(TestDriveError::OdometerInvalid);
    }
    digits
        .parse::<u32>()
        .ok()
        .filter(|km| *km <= MAX_ODOMETER_KM)
        .ok_or(TestDriveError::OdometerInvalid)
}

/// A test-drive car with more than this is a typo.
pub const MAX_ODOMETER_KM: u32 = 2_000_000;

/// The vehicles out on a drive (those of the drives under way); sorted, no repeats.
pub fn busy_vehicles<'a>(drives: impl IntoIterator<Item = &'a Drive>) -> Vec<String> {
    let mut out: Vec<String> = drives
        .into_iter()
        .filter(|d| d.status == TestDriveStatus::Started)
        .filter_map(|d| d.vehicle_id.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The order of the list: drives under way first (earliest start first, the longest out on top),
/// then the others newest first.
pub fn list_order(a: &Drive, b: &Drive) -> std::cmp::Ordering {
    let running = |d: &Drive| d.status == TestDriveStatus::Started;
    match (running(a), running(b)) {
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        (true, true) => a.started_at.cmp(&b.started_at),
        (false, false) => b.started_at.cmp(&a.started_at),
    }
}

/// Why a test-drive form was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TestDriveError {
    #[error("the time is not valid")]
    TimeInvalid,
    #[error("no A-card picked")]
    ACardMissing,
    #[error("no vehicle picked")]
    VehicleMissing,
    #[error("the vehicle is out on another test drive")]
    VehicleBusy,
    #[error("no route picked")]
    RouteMissing,
    #[error("the licence expiry date is missing")]
    LicenceExpiryMissing,
    #[error("the odometer reading is missing")]
    OdometerMissing,
    #[error("the odometer reading is not a number of km")]
    OdometerInvalid,
    #[error("the follow-up date is before the test drive")]
    FollowUpBeforeDrive,
    #[error("the follow-up date is not a date")]
    FollowUpDateInvalid,
    #[error("the test drive is not under way")]
    NotUnderWay,
    #[error("not a photo kept by the app")]
    PhotoInvalid,
    #[error("{0}")]
    Rule(OrderError),
}

impl UserError for TestDriveError {
    fn code(&self) -> &'static str {
        match self {
            TestDriveError::TimeInvalid => "test_drive_time_invalid",
            TestDriveError::ACardMissing => "test_drive_a_card_missing",
            TestDriveError::VehicleMissing => "test_drive_vehicle_missing",
            TestDriveError::VehicleBusy => "test_drive_vehicle_busy",
            TestDriveError::RouteMissing => "test_drive_route_missing",
            TestDriveError::LicenceExpiryMissing => "test_drive_licence_expiry_missing",
            TestDriveError::OdometerMissing => "test_drive_odometer_missing",
            TestDriveError::OdometerInvalid => "test_drive_odometer_invalid",
            TestDriveError::FollowUpBeforeDrive => "test_drive_follow_up_before_drive",
            TestDriveError::FollowUpDateInvalid => "test_drive_follow_up_date_invalid",
            TestDriveError::NotUnderWay => "test_drive_not_under_way",
            TestDriveError::PhotoInvalid => "test_drive_photo_invalid",
            TestDriveError::Rule(e) => e.code(),
        }
    }

    fn message_zh(&self) -> String {
        match self {
            TestDriveError::TimeInvalid => "时间格式无效".into(),
            TestDriveError::ACardMissing => "请选择客户的 A 卡".into(),
            TestDriveError::VehicleMissing => "请选择试驾车".into(),
            TestDriveError::VehicleBusy => "这辆试驾车正在试驾中,请选择其他车辆".into(),
            TestDriveError::RouteMissing => "请选择试驾路线".into(),
            TestDriveError::LicenceExpiryMissing => "请填写驾驶证有效期".into(),
            TestDriveError::OdometerMissing => "请填写里程表读数".into(),
            TestDriveError::OdometerInvalid => "里程表读数须为整数公里".into(),
            TestDriveError::FollowUpBeforeDrive => "下次跟进日期不能早于试驾当天".into(),
            TestDriveError::FollowUpDateInvalid => "下次跟进日期无效".into(),
            TestDriveError::NotUnderWay => "这次试驾已结束或已取消".into(),
            TestDriveError::PhotoInvalid => "照片无效,请重新拍摄".into(),
            TestDriveError::Rule(e) => e.message_zh(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            TestDriveError::TimeInvalid => "The time is not valid".into(),
            TestDriveError::ACardMissing => "Please pick the customer's A-card".into(),
            TestDriveError::VehicleMissing => "Please pick a test-drive vehicle".into(),
            TestDriveError::VehicleBusy => {
                "This vehicle is out on another test drive; please pick another".into()
            }
            TestDriveError::RouteMissing => "Please pick a route".into(),
            TestDriveError::LicenceExpiryMissing => {
                "Please enter the driving licence's expiry date".into()
            }
            TestDriveError::OdometerMissing => "Please enter the odometer reading".into(),
            TestDriveError::OdometerInvalid => {
                "The odometer reading must be a whole number of km".into()
            }
            TestDriveError::FollowUpBeforeDrive => {
                "The follow-up date cannot be before the test drive".into()
            }
            TestDriveError::FollowUpDateInvalid => "The follow-up date is not valid".into(),
            TestDriveError::NotUnderWay => {
                "This test drive has already ended or been cancelled".into()
            }
            TestDriveError::PhotoInvalid => "The photo is not valid; take it again".into(),
            TestDriveError::Rule(e) => e.message_en(),
        }
    }
}

/// The write of 开始试驾 (a start that passed [`check_start`]): the new drive `drive` by
/// `consultant`, with the checked values; its status is `started` (the state machine's start).
pub fn start_plan(drive: Uuid, consultant: &str, checked: &StartChecked) -> Plan {
    Plan::new().then(
        PlannedWrite::new(drive, &TEST_DRIVE)
            .set("a_card_id", checked.a_card.to_string())
            .set("consultant_id", consultant)
            .set("vehicle_id", checked.vehicle_id.as_str())
            .set("route_id", checked.route_id.as_str())
            .set("licence_no", checked.licence_no.as_str())
            .set("licence_expiry", stored_date(checked.licence_expiry))
            .set("started_at", stored_time(checked.started_at))
            .set("start_odometer", checked.start_odometer),
    )
}

/// The write of 取消试驾: a drive under way moves to `cancelled`, with the feedback as the
/// reason when one is written.
pub fn cancel_plan(drive: &Drive, feedback: &str) -> Result<Plan, TestDriveError> {
    if drive.status != TestDriveStatus::Started {
        return Err(TestDriveError::NotUnderWay);
    }
    let mut write = PlannedWrite::new(drive.id, &TEST_DRIVE)
        .with(Step::Move("status", TestDriveStatus::Cancelled.as_str()));
    let feedback = feedback.trim();
    if !feedback.is_empty() {
        write = write.set("feedback", feedback);
    }
    Ok(Plan::new().then(write))
}

/// The write of a photo of the customer's driving licence (驾驶证照片) added to a drive: the
/// blob id into the drive's `licence_photos` set (photos from two tablets are both kept).
pub fn licence_photo_plan(drive: Uuid, blob_id: &str) -> Result<Plan, TestDriveError> {
    if !crate::blob::is_blob_id(blob_id) {
        return Err(TestDriveError::PhotoInvalid);
    }
    Ok(Plan::new().then(
        PlannedWrite::new(drive, &TEST_DRIVE).with(Step::SetAdd("licence_photos", blob_id.into())),
    ))
}

/// The write of the customer's signature of the test-drive agreement (试驾协议): its blob id.
pub fn agreement_signature_plan(drive: Uuid, blob_id: &str) -> Result<Plan, TestDriveError> {
    if !crate::blob::is_blob_id(blob_id) {
        return Err(TestDriveError::PhotoInvalid);
    }
    Ok(Plan::new().then(PlannedWrite::new(drive, &TEST_DRIVE).set("agreement_signature", blob_id)))
}

/// The writes of 结束试驾 (an end that passed [`check_end`]): the drive's end time, odometer,
/// feedback (when given) and follow-up date, moved to `ended` in one op; and, when a follow-up
/// date is given and the customer's A-card is on the device, the card's next follow-up.
pub fn end_plan(drive: Uuid, card: Option<Uuid>, checked: &EndChecked, feedback: &str) -> Plan {
    let next = checked.follow_up_date.map(stored_date);
    let mut write = PlannedWrite::new(drive, &TEST_DRIVE)
        .set("ended_at", stored_time(checked.ended_at))
        .set("end_odometer", checked.end_odometer)
        .with(Step::Move("status", TestDriveStatus::Ended.as_str()));
    let feedback = feedback.trim();
    if !feedback.is_empty() {
        write = write.set("feedback", feedback);
    }
    if let Some(n) = &next {
        write = write.set("follow_up_date", n.as_str());
    }
    let mut plan = Plan::new().then(write);
    if let (Some(card), Some(n)) = (card, next) {
        plan.push(PlannedWrite::new(card, &A_CARD).set("next_follow_up", n));
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_licence_photo_is_added_to_the_drives_set_and_must_be_a_blob_id() {
        let id = Uuid::from_u128(9);
        let blob = format!("sha256-{}", "ab".repeat(32));
        let plan = licence_photo_plan(id, &blob).unwrap();
        assert_eq!(plan.writes.len(), 1);
        assert_eq!(plan.writes[0].record_id, id);
        assert_eq!(
            plan.writes[0].steps,
            vec![Step::SetAdd("licence_photos", blob.clone())]
        );
        assert_eq!(
            licence_photo_plan(id, "sha256-ab"),
            Err(TestDriveError::PhotoInvalid)
        );
        assert_eq!(
            licence_photo_plan(id, &blob.to_uppercase()),
            Err(TestDriveError::PhotoInvalid)
        );
        let signed = agreement_signature_plan(id, &blob).unwrap();
        assert_eq!(
            signed.writes[0].steps,
            vec![Step::Set("agreement_signature", serde_json::json!(blob))]
        );
        assert_eq!(
            agreement_signature_plan(id, ""),
            Err(TestDriveError::PhotoInvalid)
        );
    }

    fn t(h: u32, m: u32) -> String {
        format!("2026-05-20T{h:02}:{m:02}:00")
    }

    fn start() -> StartForm {
        StartForm {
            a_card: Some(Uuid::from_u128(7)),
            vehicle_id: "v2".into(),
            route_id: "r1".into(),
            licence_no: " 44010619900101123x ".into(),
            licence_expiry: "2026-05-20".into(),
            start_odometer: "12 345".into(),
            started_at: t(10, 0),
        }
    }

    #[test]
    fn a_good_start() {
        let ok = check_start(&start(), &["v1".into()], StoreClock::default()).unwrap();
        assert_eq!(ok.a_card, Uuid::from_u128(7));
        assert_eq!(ok.vehicle_id, "v2");
        assert_eq!(ok.licence_no, "44010619900101123X");
        // Valid through its last day.
        assert_eq!(
            ok.licence_expiry,
            NaiveDate::from_ymd_opt(2026, 5, 20).unwrap()
        );
        assert_eq!(ok.start_odometer, 12_345);
    }

    #[test]
    fn an_expired_licence_or_busy_car_is_refused() {
        let expired = StartForm {
            licence_expiry: "2026-05-19".into(),
            ..start()
        };
        let errs = check_start(&expired, &[], StoreClock::default()).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].code(), "test_drive_licence_expired");
        assert_eq!(
            errs[0].message_zh(),
            "客户驾驶证已于 2026-05-19 过期,不能试驾"
        );
        assert_eq!(
            check_start(&start(), &["v2".into()], StoreClock::default()),
            Err(vec![TestDriveError::VehicleBusy])
        );
    }

    #[test]
    fn an_empty_start_form_lists_everything() {
        let empty = StartForm {
            a_card: None,
            vehicle_id: String::new(),
            route_id: " ".into(),
            licence_no: String::new(),
            licence_expiry: String::new(),
            start_odometer: String::new(),
            started_at: t(10, 0),
        };
        assert_eq!(
            check_start(&empty, &[], StoreClock::default()),
            Err(vec![
                TestDriveError::ACardMissing,
                TestDriveError::VehicleMissing,
                TestDriveError::RouteMissing,
                TestDriveError::LicenceExpiryMissing,
                TestDriveError::OdometerMissing,
                TestDriveError::Rule(OrderError::LicenceNumberMissing),
            ])
        );
        let bad = StartForm {
            licence_expiry: "20.5.2027".into(),
            start_odometer: "12.5".into(),
            ..start()
        };
        assert_eq!(
            check_start(&bad, &[], StoreClock::default()),
            Err(vec![
                TestDriveError::LicenceExpiryMissing,
                TestDriveError::OdometerInvalid
            ])
        );
    }

    fn end() -> EndForm {
        EndForm {
            started_at: t(10, 0),
            start_odometer: 12_345,
            ended_at: t(10, 30),
            end_odometer: "12,357".into(),
            follow_up_date: "2026-05-22".into(),
        }
    }

    #[test]
    fn a_good_end() {
        let ok = check_end(&end(), StoreClock::default()).unwrap();
        assert_eq!(ok.end_odometer, 12_357);
        assert_eq!(ok.distance_km, 12);
        assert_eq!(ok.follow_up_date, NaiveDate::from_ymd_opt(2026, 5, 22));
        // Round the lot: the same reading; a follow-up on the same day; no follow-up.
        let lot = EndForm {
            end_odometer: "12345".into(),
            follow_up_date: "2026-05-20".into(),
            ..end()
        };
        assert_eq!(
            check_end(&lot, StoreClock::default()).unwrap().distance_km,
            0
        );
        let none = EndForm {
            follow_up_date: String::new(),
            ..end()
        };
        assert_eq!(
            check_end(&none, StoreClock::default())
                .unwrap()
                .follow_up_date,
            None
        );
    }

    #[test]
    fn a_bad_end_lists_everything() {
        let bad = EndForm {
            ended_at: t(10, 0),
            end_odometer: "12300".into(),
            follow_up_date: "2026-05-19".into(),
            ..end()
        };
        assert_eq!(
            check_end(&bad, StoreClock::default()),
            Err(vec![
                TestDriveError::Rule(OrderError::TestDriveEndNotAfterStart),
                TestDriveError::Rule(OrderError::OdometerBackwards),
                TestDriveError::FollowUpBeforeDrive,
            ])
        );
        assert_eq!(
            TestDriveError::Rule(OrderError::OdometerBackwards).message_zh(),
            "结束里程不能小于起始里程"
        );
        let missing = EndForm {
            end_odometer: " ".into(),
            ..end()
        };
        assert_eq!(
            check_end(&missing, StoreClock::default()),
            Err(vec![TestDriveError::OdometerMissing])
        );
    }

    #[test]
    fn times_as_stored_or_typed() {
        let want = NaiveDate::from_ymd_opt(2026, 5, 20)
            .unwrap()
            .and_hms_opt(10, 30, 0)
            .unwrap();
        let clock = StoreClock::default();
        assert_eq!(clock.parse("2026-05-20T10:30:00"), Some(want));
        assert_eq!(clock.parse("2026-05-20T10:30"), Some(want));
        assert_eq!(clock.parse(" 2026-05-20 10:30 "), Some(want));
        assert_eq!(clock.parse("20/05/2026"), None);
        assert_eq!(stored_time(want), "2026-05-20T10:30:00");
        let bad = EndForm {
            ended_at: "soon".into(),
            ..end()
        };
        assert_eq!(
            check_end(&bad, StoreClock::default()),
            Err(vec![TestDriveError::TimeInvalid])
        );
    }

    #[test]
    fn odometer_readings() {
        assert_eq!(parse_odometer("0"), Ok(0));
        assert_eq!(parse_odometer(" 1,234 "), Ok(1234));
        assert_eq!(parse_odometer("-5"), Err(TestDriveError::OdometerInvalid));
        assert_eq!(parse_odometer("abc"), Err(TestDriveError::OdometerInvalid));
        assert_eq!(
            parse_odometer("99999999999"),
            Err(TestDriveError::OdometerInvalid)
        );
        assert_eq!(parse_odometer(""), Err(TestDriveError::OdometerMissing));
    }

    /// A stored drive: `(vehicle, status, started_at)`.
    fn drive(n: u128, vehicle: &str, status: TestDriveStatus, started_at: &str) -> Drive {
        let clock = StoreClock::default();
        Drive {
            id: Uuid::from_u128(n),
            a_card_id: None,
            consultant_id: None,
            vehicle_id: (!vehicle.is_empty()).then(|| vehicle.to_string()),
            route_id: None,
            licence_no: None,
            licence_expiry: None,
            licence_photos: Vec::new(),
            agreement_signature: None,
            started_at: clock.parse(started_at),
            start_odometer: None,
            ended_at: None,
            end_odometer: None,
            feedback: None,
            follow_up_date: None,
            status,
        }
    }

    #[test]
    fn busy_vehicles_and_list_order() {
        use TestDriveStatus::*;
        let at = "2026-05-20T09:00:00";
        let drives = [
            drive(1, "v1", Started, at),
            drive(2, "v2", Ended, at),
            drive(3, "v3", Cancelled, at),
            drive(4, "v1", Started, at),
            drive(5, "", Started, at),
            drive(6, "v4", Started, at),
        ];
        assert_eq!(busy_vehicles(&drives), vec!["v1".to_string(), "v4".into()]);
        let mut list = [
            drive(1, "v1", Ended, "2026-05-20T09:00:00"),
            drive(2, "v2", Started, "2026-05-20T10:00:00"),
            drive(3, "v3", Cancelled, "2026-05-20T11:00:00"),
            drive(4, "v4", Started, "2026-05-20T09:30:00"),
        ];
        list.sort_by(list_order);
        let ids: Vec<u128> = list.iter().map(|d| d.id.as_u128()).collect();
        assert_eq!(ids, vec![4, 2, 3, 1]);
    }

    #[test]
    fn the_list_shows_drives_under_way_and_the_last_two_weeks() {
        use TestDriveStatus::*;
        let now = StoreClock::default().parse("2026-03-01T08:00:00").unwrap();
        assert!(listed(&drive(1, "v1", Ended, "2026-02-15T08:00:00"), now));
        assert!(!listed(&drive(1, "v1", Ended, "2026-02-15T07:59:00"), now));
        assert!(listed(&drive(1, "v1", Started, "2026-01-02T08:00:00"), now));
        assert!(!listed(&drive(1, "v1", Cancelled, ""), now));
    }

    #[test]
    fn only_a_drive_under_way_can_be_cancelled() {
        let under_way = drive(4, "v1", TestDriveStatus::Started, "2026-05-20T09:00:00");
        let plan = cancel_plan(&under_way, "  客户临时有事 ").unwrap();
        let w = &plan.writes[0];
        assert_eq!(w.record_id, under_way.id);
        assert_eq!(
            w.move_of("status"),
            Some(TestDriveStatus::Cancelled.as_str())
        );
        assert_eq!(
            w.value_of("feedback"),
            Some(&serde_json::json!("客户临时有事"))
        );
        let bare = cancel_plan(&under_way, " ").unwrap();
        assert_eq!(bare.writes[0].steps.len(), 1);
        for status in [TestDriveStatus::Ended, TestDriveStatus::Cancelled] {
            let done = Drive {
                status,
                ..under_way.clone()
            };
            assert_eq!(cancel_plan(&done, ""), Err(TestDriveError::NotUnderWay));
        }
    }

    #[test]
    fn the_end_plan_ends_the_drive_and_moves_the_card_s_follow_up() {
        let checked = check_end(&end(), StoreClock::default()).unwrap();
        let drive = Uuid::from_u128(1);
        let card = Uuid::from_u128(2);
        let plan = end_plan(drive, Some(card), &checked, "  喜欢内饰 ");
        let w = plan.writes_of(drive).next().unwrap();
        assert_eq!(w.move_of("status"), Some(TestDriveStatus::Ended.as_str()));
        assert_eq!(w.value_of("end_odometer"), Some(&serde_json::json!(12_357)));
        assert_eq!(w.value_of("feedback"), Some(&serde_json::json!("喜欢内饰")));
        let follow = checked.follow_up_date.map(crate::time::stored_date);
        assert_eq!(
            w.value_of("follow_up_date").and_then(|v| v.as_str()),
            follow.as_deref()
        );
        let c = plan.writes_of(card).next().unwrap();
        assert_eq!(
            c.value_of("next_follow_up").and_then(|v| v.as_str()),
            follow.as_deref()
        );
        assert_eq!(plan.writes.len(), 2);

        // No follow-up date, no card, no feedback: one write, and the card is not touched.
        let mut bare = end();
        bare.follow_up_date = String::new();
        let checked = check_end(&bare, StoreClock::default()).unwrap();
        let plan = end_plan(drive, Some(card), &checked, "   ");
        assert_eq!(plan.writes.len(), 1);
        assert_eq!(plan.writes[0].value_of("feedback"), None);
        assert_eq!(end_plan(drive, None, &checked, "").writes.len(), 1);
    }

    #[test]
    fn the_start_plan_writes_the_checked_values_of_a_new_drive() {
        let checked = check_start(&start(), &[], StoreClock::default()).unwrap();
        let drive = Uuid::from_u128(3);
        let plan = start_plan(drive, "c1", &checked);
        assert_eq!(plan.writes.len(), 1);
        let w = &plan.writes[0];
        assert_eq!(w.record_id, drive);
        let v = |f| w.value_of(f).cloned();
        use serde_json::json;
        assert_eq!(v("a_card_id"), Some(json!(Uuid::from_u128(7).to_string())));
        assert_eq!(v("consultant_id"), Some(json!("c1")));
        assert_eq!(v("vehicle_id"), Some(json!("v2")));
        assert_eq!(v("route_id"), Some(json!("r1")));
        assert_eq!(v("licence_no"), Some(json!("44010619900101123X")));
        assert_eq!(v("licence_expiry"), Some(json!("2026-05-20")));
        assert_eq!(v("started_at"), Some(json!("2026-05-20T10:00:00")));
        assert_eq!(v("start_odometer"), Some(json!(12_345)));
        assert_eq!(w.move_of("status"), None, "a new drive starts as started");
    }
}
