//! A worked example through the public sales API: a Saturday roadshow (巡展) with two consultants
//! working offline, from the first visit to the delivery and the day's KPIs.

use chrono::{NaiveDate, NaiveDateTime};
use domain::Role;
use domain::sales::UserError;
use domain::sales::a_card::{self, ACardDraft, Catalogue, CatalogueModel};
use domain::sales::duplicate::{CardContact, find_duplicates};
use domain::sales::grade::{CadenceSettings, FollowUpCard, IntentionGrade, today_list};
use domain::sales::kpi::{
    CardFact, DeliveryFact, OrderFact, Period, SalesFacts, Scope, TestDriveFact, VisitFact,
    sales_kpis,
};
use domain::sales::loss::{ACardAction, ACardStatus, LossFile};
use domain::sales::order::{self, ChecklistItem, TaskKind, TestDrive};
use domain::sales::phone;
use domain::sales::visit::{VisitCountFacts, VisitSource, VisitorKind, count_rule};
use uuid::Uuid;

const WANG: Uuid = Uuid::from_u128(0xA1);
const LI: Uuid = Uuid::from_u128(0xA2);
const TABLET_WANG: Uuid = Uuid::from_u128(0xD1);
const TABLET_LI: Uuid = Uuid::from_u128(0xD2);

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 16).unwrap()
}

fn at(h: u32, m: u32) -> NaiveDateTime {
    day().and_hms_opt(h, m, 0).unwrap()
}

fn catalogue() -> Catalogue {
    Catalogue {
        models: vec![CatalogueModel {
            code: "rav4".into(),
            name_zh: "RAV4荣放".into(),
            name_en: "RAV4".into(),
            on_sale: true,
        }],
    }
}

#[test]
fn a_roadshow_day() {
    // 1. Both consultants meet the same couple at the roadshow; each builds an A-card offline.
    let prospect = VisitCountFacts {
        source: VisitSource::OffsiteEvent,
        visitor: VisitorKind::Prospect,
        had_a_card_before: false,
        had_order_before: false,
    };
    let rule = count_rule(&prospect);
    assert!(rule.counted());
    assert_eq!(rule.text_zh(), "计入来店组数:店外活动获得的客户计入当日");

    let wang_draft = ACardDraft {
        full_name: "陈晓明".into(),
        phone: "139 2000 3000".into(),
        intended_model: "rav4".into(),
        source: Some(VisitSource::OffsiteEvent),
        grade: Some(IntentionGrade::H),
        ..Default::default()
    };
    let li_draft = ACardDraft {
        full_name: "陈先生".into(),
        phone: "+86-139-2000-3000".into(),
        intended_model: "rav4".into(),
        ..Default::default()
    };
    let wang_card = a_card::validate(&wang_draft, &catalogue()).unwrap();
    // 李's card is refused until the full name is taken; the screen shows the reason.
    let errs = a_card::validate(&li_draft, &catalogue()).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].code(), "a_card_name_incomplete");
    let li_card = a_card::validate(
        &ACardDraft {
            full_name: "陈晓明".into(),
            ..li_draft
        },
        &catalogue(),
    )
    .unwrap();
    assert_eq!(a_card::quality(&wang_draft).score, 25); // source 10 + grade 15

    // 2. Back online, the cards meet: 撞单. 王 met them first, so 王 owns the customer.
    let contacts = [
        CardContact {
            id: Uuid::from_u128(0x201),
            phone: li_card.phone.canonical(),
            consultant: LI,
            device: TABLET_LI,
            first_contact: at(10, 40),
        },
        CardContact {
            id: Uuid::from_u128(0x202),
            phone: wang_card.phone.canonical(),
            consultant: WANG,
            device: TABLET_WANG,
            first_contact: at(10, 15),
        },
    ];
    let dups = find_duplicates(&contacts);
    assert_eq!(dups.len(), 1);
    assert_eq!(dups[0].owner_consultant, WANG);
    assert!(dups[0].crosses_consultants && dups[0].crosses_devices);
    let card_id = dups[0].owner;

    // 3. H grade: due for follow-up the next day.
    let cadence = CadenceSettings::default();
    let list = today_list(
        &[FollowUpCard {
            id: card_id,
            grade: IntentionGrade::H,
            last_contact: day(),
            planned: None,
        }],
        &cadence,
        day().succ_opt().unwrap(),
    );
    assert_eq!(list.len(), 1);

    // 4. Test drive at the roadshow, then the order on the spot.
    let drive = TestDrive {
        id: Uuid::from_u128(0x301),
        a_card: card_id,
        consultant: WANG,
        licence_number: "440106198805051234".into(),
        licence_valid_until: NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
        start_at: at(11, 0),
        end_at: Some(at(11, 20)),
        odometer_start_km: 880,
        odometer_end_km: Some(889),
    };
    assert!(drive.problems().is_empty());
    let status = LossFile::default()
        .apply(&ACardAction::PlaceOrder, &[Role::SalesConsultant])
        .unwrap();
    assert_eq!(status.status, ACardStatus::Ordered);

    // 5. The car is late: the date moves and 王 must tell the customer at once.
    let now = NaiveDate::from_ymd_opt(2026, 5, 20)
        .unwrap()
        .and_hms_opt(9, 30, 0)
        .unwrap();
    let change = order::move_promised_date(
        NaiveDate::from_ymd_opt(2026, 5, 25).unwrap(),
        NaiveDate::from_ymd_opt(2026, 6, 2).unwrap(),
        "物流延误",
        WANG,
        now,
    )
    .unwrap();
    assert_eq!(change.tell_customer.due, now);

    // 6. Delivery: the promised floor mats first, then the care calls.
    let mut checklist = vec![ChecklistItem {
        label: "原厂脚垫".into(),
        promised: true,
        ticked: false,
    }];
    assert!(order::check_delivery(&checklist).is_err());
    checklist[0].ticked = true;
    assert!(order::check_delivery(&checklist).is_ok());
    let handover = NaiveDate::from_ymd_opt(2026, 6, 2)
        .unwrap()
        .and_hms_opt(15, 0, 0)
        .unwrap();
    let calls = order::delivery_care_calls(handover, WANG);
    assert_eq!(calls[0].kind, TaskKind::DeliveryCall24h);
    assert_eq!(
        calls[1].due,
        NaiveDate::from_ymd_opt(2026, 6, 5)
            .unwrap()
            .and_hms_opt(15, 0, 0)
            .unwrap()
    );
    let status = status
        .apply(&ACardAction::Deliver, &[Role::SalesConsultant])
        .unwrap();
    assert_eq!(status.status, ACardStatus::Delivered);

    // 7. The roadshow day's KPIs: 1 group, 1 card (the merged one), 1 test drive, 1 order.
    let visits = [VisitFact {
        id: Uuid::from_u128(0x101),
        consultant: WANG,
        date: day(),
        counted: rule.counted(),
    }];
    let cards = [CardFact {
        id: card_id,
        consultant: WANG,
        built_on: day(),
        lost_on: None,
        ordered_on: Some(day()),
    }];
    let drives = [TestDriveFact {
        id: drive.id,
        consultant: WANG,
        a_card: card_id,
        date: day(),
    }];
    let orders = [OrderFact {
        id: Uuid::from_u128(0x401),
        consultant: WANG,
        signed_on: day(),
        cancelled_on: None,
    }];
    let deliveries = [DeliveryFact {
        id: Uuid::from_u128(0x501),
        consultant: WANG,
        delivered_on: handover.date(),
    }];
    let consultants = [WANG, LI];
    let facts = SalesFacts {
        visits: &visits,
        cards: &cards,
        test_drives: &drives,
        orders: &orders,
        deliveries: &deliveries,
        key_accounts: &[],
        consultants: &consultants,
    };
    let k = sales_kpis(&facts, Period::day(day()), Scope::Store);
    assert_eq!(k.card_building_rate.display(), "100.0%");
    assert_eq!(k.test_drive_rate.display(), "100.0%");
    assert_eq!(k.showroom_close_rate.display(), "100.0%");
    assert_eq!(k.sales_efficiency.display(), "0.00"); // delivered in June, not that day
    assert_eq!(k.key_account_coverage.display(), "—");
    let june = sales_kpis(&facts, Period::month(2026, 6).unwrap(), Scope::Store);
    assert_eq!(june.sales_efficiency.display(), "0.50"); // 1 car ÷ 2 consultants

    // Phone numbers typed either way are the same customer.
    assert_eq!(
        phone::normalise("139-2000-3000").unwrap(),
        phone::normalise("0086 13920003000").unwrap()
    );
}
