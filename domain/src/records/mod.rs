//! The record types forecourt syncs. Each declares the merge kind of each of its fields
//! (see [`crate::sync`]); the app and the server build the same [`registry`].
//!
//! Who may read and write a type is declared here too, so the server's permission check
//! and the app's screens agree.
//!
//! Reading a record: [`field`] is the one way to read a field (text, flag, number, uuid, time,
//! date, set, log); [`sales`] has the typed views of the sales record types ([`ACard`],
//! [`Visit`], [`TestDrive`], [`Order`], [`CCard`], [`CareTask`], [`KeyAccount`]).

pub mod care;
pub mod costs;
pub mod field;
pub mod import_mapping;
pub mod index;
pub mod parts;
pub mod sales;
pub mod scope;
pub mod service;

pub use care::{CARE_REPORT, CARE_SETTINGS, MESSAGE, MESSAGE_STATUS};
pub use field::LogItem;
pub use sales::{
    ACard, CCard, CareTask, CareTaskStatus, KeyAccount, Order, OrderStatus, TestDrive,
    TestDriveStatus, TradeIn, Visit,
};
pub use service::{
    HistoryKind, REPAIR_ORDER, REPAIR_ORDER_STATUS, RO_LINE, RepairOrder, RoLine, SERVICE_HISTORY,
    SERVICE_SETTINGS, ServiceHistory, ServiceSettings,
};

use crate::roles::{Area, Role};
use crate::sync::{FieldDef, RecordType, Registry, StateMachine};

/// The A-card status (跟进中 → 申请战败 → 经理已回访 → 已战败, or 已订车 → 已交车), in rank
/// order of [`crate::sales::loss::ACardStatus::rank`]. The transitions are those of [`crate::sales::loss::ACardStatus::next`]; a test
/// below checks the two agree.
pub static A_CARD_STATUS: StateMachine = StateMachine {
    states: &[
        "following",
        "loss_proposed",
        "re_contacted",
        "lost",
        "ordered",
        "delivered",
    ],
    initial: "following",
    transitions: &[
        ("following", "loss_proposed"),
        ("loss_proposed", "re_contacted"),
        ("re_contacted", "lost"),
        ("loss_proposed", "following"),
        ("re_contacted", "following"),
        ("lost", "following"),
        ("following", "ordered"),
        ("loss_proposed", "ordered"),
        ("re_contacted", "ordered"),
        ("ordered", "following"),
        ("ordered", "delivered"),
    ],
};

/// A-card (A卡): a prospect who left contact details but has not signed.
pub static A_CARD: RecordType = RecordType {
    name: "a_card",
    fields: &[
        FieldDef::scalar("name"),
        FieldDef::scalar("phone"),
        FieldDef::scalar("intended_model"),
        FieldDef::scalar("grade"),
        FieldDef::scalar("source"),
        FieldDef::scalar("consultant_id"),
        FieldDef::scalar("district"),
        FieldDef::scalar("budget"),
        FieldDef::scalar("current_car"),
        FieldDef::scalar("finance_interest"),
        FieldDef::scalar("first_contact_at"),
        FieldDef::scalar("next_follow_up"),
        FieldDef::scalar("loss_reason"),
        FieldDef::scalar("loss_note"),
        FieldDef::status("status", &A_CARD_STATUS),
        FieldDef::log("follow_ups"),
        FieldDef::log("re_contacts"),
        FieldDef::set("tags"),
        // Hand-over notes (sales::handover).
        FieldDef::log("handovers"),
    ],
};

/// Showroom visit or phone inquiry (来店/来电登记): one group per arrival. Whether it counts
/// as a visit group (来店组数) is derived by `sales::visit::count_rule`, never typed.
pub static VISIT: RecordType = RecordType {
    name: "visit",
    fields: &[
        FieldDef::scalar("time_in"),
        FieldDef::scalar("time_out"),
        FieldDef::scalar("source"),
        FieldDef::scalar("visitor_kind"),
        FieldDef::scalar("group_size"),
        FieldDef::scalar("consultant_id"),
        FieldDef::scalar("intended_model"),
        FieldDef::scalar("a_card_id"),
        FieldDef::scalar("had_card_or_order"),
        FieldDef::scalar("referrer_name"),
        FieldDef::scalar("referrer_phone"),
        FieldDef::scalar("referrer_card_id"),
        FieldDef::log("notes"),
    ],
};

/// Test drive (试乘试驾) status: started in the car, ended back at the store.
pub static TEST_DRIVE_STATUS: StateMachine = StateMachine {
    states: &["started", "ended", "cancelled"],
    initial: "started",
    transitions: &[("started", "ended"), ("started", "cancelled")],
};

/// Test drive (试乘试驾), done on a tablet in the car.
pub static TEST_DRIVE: RecordType = RecordType {
    name: "test_drive",
    fields: &[
        FieldDef::scalar("a_card_id"),
        FieldDef::scalar("consultant_id"),
        FieldDef::scalar("vehicle_id"),
        FieldDef::scalar("route_id"),
        FieldDef::scalar("licence_no"),
        FieldDef::scalar("licence_expiry"),
        FieldDef::set("licence_photos"),
        FieldDef::scalar("agreement_signature"),
        FieldDef::scalar("started_at"),
        FieldDef::scalar("start_odometer"),
        FieldDef::scalar("ended_at"),
        FieldDef::scalar("end_odometer"),
        FieldDef::scalar("feedback"),
        FieldDef::scalar("follow_up_date"),
        FieldDef::status("status", &TEST_DRIVE_STATUS),
    ],
};

/// Order (订单) status: signed, then delivered (交车) or cancelled (退单).
pub static ORDER_STATUS: StateMachine = StateMachine {
    states: &["signed", "cancelled", "delivered"],
    initial: "signed",
    transitions: &[("signed", "cancelled"), ("signed", "delivered")],
};

/// Order (订单): one deal file from an A-card, through delivery.
pub static ORDER: RecordType = RecordType {
    name: "order",
    fields: &[
        FieldDef::scalar("a_card_id"),
        FieldDef::scalar("consultant_id"),
        FieldDef::scalar("model"),
        FieldDef::scalar("configuration"),
        FieldDef::scalar("price"),
        FieldDef::scalar("deposit"),
        FieldDef::scalar("trade_in"),
        FieldDef::scalar("finance_campaign"),
        FieldDef::scalar("insurance"),
        FieldDef::scalar("signed_at"),
        FieldDef::scalar("promised_date"),
        FieldDef::scalar("cancel_reason"),
        FieldDef::scalar("cancel_note"),
        FieldDef::scalar("vin"),
        FieldDef::scalar("plate"),
        FieldDef::scalar("delivered_at"),
        FieldDef::status("status", &ORDER_STATUS),
        // What was promised (accessories 精品, gifts, documents) and what was handed over.
        FieldDef::set("promises"),
        FieldDef::set("checklist_done"),
        FieldDef::log("date_changes"),
    ],
};

/// C-card (C卡): a customer who bought here, with the vehicle.
pub static C_CARD: RecordType = RecordType {
    name: "c_card",
    fields: &[
        FieldDef::scalar("name"),
        FieldDef::scalar("phone"),
        FieldDef::scalar("a_card_id"),
        FieldDef::scalar("order_id"),
        FieldDef::scalar("consultant_id"),
        FieldDef::scalar("vin"),
        FieldDef::scalar("plate"),
        FieldDef::scalar("model"),
        FieldDef::scalar("delivery_date"),
        FieldDef::scalar("warranty_end"),
        FieldDef::scalar("insurance_expiry"),
        FieldDef::scalar("inspection_date"),
        FieldDef::scalar("birthday"),
        FieldDef::scalar("local"),
        FieldDef::log("rewards"),
        FieldDef::counter("points"),
    ],
};

/// Care task (关怀任务) status. Open until done or recorded as failed (after the
/// unreachable rule: three calls at three times of day within three days, then an SMS).
pub static CARE_TASK_STATUS: StateMachine = StateMachine {
    states: &["open", "failed", "done"],
    initial: "open",
    transitions: &[("open", "done"), ("open", "failed")],
};

/// Care task (关怀任务): a call or message due to a customer at a time, by a role.
pub static CARE_TASK: RecordType = RecordType {
    name: "care_task",
    fields: &[
        FieldDef::scalar("kind"),
        FieldDef::scalar("customer_name"),
        FieldDef::scalar("phone"),
        FieldDef::scalar("a_card_id"),
        FieldDef::scalar("c_card_id"),
        FieldDef::scalar("order_id"),
        FieldDef::scalar("due_at"),
        FieldDef::scalar("role"),
        FieldDef::scalar("assignee_id"),
        FieldDef::scalar("note"),
        FieldDef::status("status", &CARE_TASK_STATUS),
        FieldDef::log("attempts"),
        // Care schedule (care::schedule): the day the task shows in the lists, and why a
        // task was recorded as failed (after the unreachable rule, care::calls).
        FieldDef::scalar("starts_on"),
        FieldDef::scalar("fail_reason"),
        // Hand-over notes (sales::handover).
        FieldDef::log("handovers"),
        // 续保 (care::renewal): the outcome on the insurance task whose call reached the
        // customer, and the CS manager's audits of it.
        FieldDef::scalar("renewal_outcome"),
        FieldDef::scalar("renewal_premium"),
        FieldDef::scalar("renewal_insurer"),
        FieldDef::scalar("renewal_lost_to_kind"),
        FieldDef::scalar("renewal_lost_to"),
        FieldDef::scalar("outcome_at"),
        FieldDef::log("audits"),
        // 流失客户 (care::lost): the reason found on the call and the other shop used.
        FieldDef::scalar("lost_reason"),
        FieldDef::scalar("lost_reason_note"),
        FieldDef::scalar("other_shop"),
    ],
};

/// Key account (大客户): an organisation in the territory that buys or could buy.
pub static KEY_ACCOUNT: RecordType = RecordType {
    name: "key_account",
    fields: &[
        FieldDef::scalar("name"),
        FieldDef::scalar("industry"),
        FieldDef::scalar("address"),
        FieldDef::scalar("responsible_id"),
        FieldDef::scalar("purchase_plan"),
        FieldDef::scalar("bought_here"),
        FieldDef::log("decision_makers"),
        FieldDef::log("visits"),
        // Hand-over notes (sales::handover).
        FieldDef::log("handovers"),
    ],
};

/// Store sales settings, one record per store: the model catalogue, the test-drive fleet,
/// the routes, the follow-up cadence per grade and the sleeping-card threshold.
pub static SALES_SETTINGS: RecordType = RecordType {
    name: "sales_settings",
    fields: &[
        FieldDef::set("models"),
        FieldDef::set("fleet"),
        FieldDef::set("routes"),
        FieldDef::scalar("cadence_h_days"),
        FieldDef::scalar("cadence_a_days"),
        FieldDef::scalar("cadence_b_days"),
        FieldDef::scalar("cadence_c_days"),
        FieldDef::scalar("sleep_days"),
    ],
};

/// The reception rota (接待轮值) of one store for one day. Its id is derived from the store and the
/// date (`sales::rota::rota_record_id`), so tablets that open the day's rota offline write one
/// record. `order`: the day's rota order as a JSON list of user ids (set by the sales manager;
/// absent = the app's default); `away`: user ids of consultants who are away (暂离).
pub static RECEPTION_ROTA: RecordType = RecordType {
    name: "reception_rota",
    fields: &[
        FieldDef::scalar("date"),
        FieldDef::scalar("order"),
        FieldDef::set("away"),
    ],
};

/// Service appointment (预约) status: booked, then the car arrives, the customer does not come
/// (失约) or the booking is cancelled (`domain::service::appointment::AppointmentStatus`).
pub static APPOINTMENT_STATUS: StateMachine = StateMachine {
    states: &["booked", "arrived", "no_show", "cancelled"],
    initial: "booked",
    transitions: &[
        ("booked", "arrived"),
        ("booked", "no_show"),
        ("booked", "cancelled"),
    ],
};

/// Service appointment (预约): a customer's vehicle booked into a slot with a service advisor,
/// at least three hours ahead (`domain::service::appointment::check_slot`).
pub static APPOINTMENT: RecordType = RecordType {
    name: "appointment",
    fields: &[
        FieldDef::scalar("customer_name"),
        FieldDef::scalar("phone"),
        FieldDef::scalar("c_card_id"),
        FieldDef::scalar("plate"),
        FieldDef::scalar("vin"),
        FieldDef::scalar("service_wanted"),
        FieldDef::scalar("slot_at"),
        FieldDef::scalar("advisor_id"),
        FieldDef::scalar("no_show_reason"),
        // Parts needed for the job, recorded at booking (reserved once the parts lane exists).
        FieldDef::scalar("parts_needed"),
        FieldDef::status("status", &APPOINTMENT_STATUS),
        FieldDef::log("notes"),
    ],
};

/// Every record type of this build.
pub const ALL: &[&RecordType] = &[
    &A_CARD,
    &VISIT,
    &TEST_DRIVE,
    &ORDER,
    &C_CARD,
    &CARE_TASK,
    &KEY_ACCOUNT,
    &SALES_SETTINGS,
    &RECEPTION_ROTA,
    &APPOINTMENT,
    &REPAIR_ORDER,
    &RO_LINE,
    &SERVICE_SETTINGS,
    &costs::STORE_COSTS,
    &parts::PART,
    &parts::PART_RESERVATION,
    &parts::PARTS_ORDER,
    &SERVICE_HISTORY,
    &CARE_SETTINGS,
    &MESSAGE,
    &CARE_REPORT,
    &import_mapping::IMPORT_MAPPING,
];

/// The registry the app and the server use.
pub fn registry() -> Registry {
    let mut r = Registry::new();
    for t in ALL {
        // Declarations are static and checked by the tests below.
        if let Err(e) = r.register(t) {
            panic!("record type `{}` is badly declared: {e:?}", t.name);
        }
    }
    r
}

/// Care tasks and C-cards are worked by sales (24 h / 72 h calls), customer service and the
/// service advisors (48 h call after service).
const CUSTOMER_ROLES: &[Role] = &[
    Role::SalesConsultant,
    Role::SalesManager,
    Role::ServiceAdvisor,
    Role::CustomerService,
    Role::CustomerServiceManager,
    Role::GeneralManager,
];

/// The store's monthly costs (`store_costs`) are read by the managers (the GM's page 经营指标).
const MANAGER_ROLES: &[Role] = &[
    Role::SalesManager,
    Role::CustomerServiceManager,
    Role::GeneralManager,
];

/// Whether a user with `roles` may see records of `record_type`.
/// Sales records are for everyone who works in sales ([`Role::works_in`]).
pub fn may_read(roles: &[Role], record_type: &str) -> bool {
    match allowed(record_type) {
        Some(Allowed::Area(area)) => Role::any_works_in(roles, area),
        Some(Allowed::Roles(a)) => roles.iter().any(|r| a.contains(r)),
        None => false,
    }
}

/// Whether a user with `roles` may change records of `record_type`: whoever may read it,
/// except that parts clerks only read repair orders, their lines and the service settings
/// (they may record a part reservation on an appointment), the parts records (catalogue
/// and stock, reservations, emergency orders) are the parts clerks' and the service managers',
/// and past services (`service_history`) are written only by managers (the import).
pub fn may_write(roles: &[Role], record_type: &str) -> bool {
    match record_type {
        "part" | "part_reservation" | "parts_order" => roles
            .iter()
            .any(|r| *r == Role::PartsClerk || r.manages(Area::Service)),
        "repair_order" | "ro_line" | "service_settings" => roles
            .iter()
            .any(|r| *r != Role::PartsClerk && r.works_in(Area::Service)),
        // The store's monthly costs are the GM's (`costs`).
        "store_costs" => roles.contains(&Role::GeneralManager),
        // The care report's comment is the CS manager's (`care::monthly`).
        "care_report" => roles.contains(&Role::CustomerServiceManager),
        // Past services come only from an import, which managers do.
        "service_history" => may_read(roles, record_type) && roles.iter().any(|r| r.is_manager()),
        _ => may_read(roles, record_type),
    }
}

/// The care monthly report's comment is read by the CS manager and the general manager.
const CARE_REPORT_ROLES: &[Role] = &[Role::CustomerServiceManager, Role::GeneralManager];

enum Allowed {
    Area(Area),
    Roles(&'static [Role]),
}

fn allowed(record_type: &str) -> Option<Allowed> {
    match record_type {
        "a_card" | "visit" | "test_drive" | "order" | "key_account" | "sales_settings"
        | "reception_rota" => Some(Allowed::Area(Area::Sales)),
        "c_card" | "care_task" | "care_settings" | "message" => {
            Some(Allowed::Roles(CUSTOMER_ROLES))
        }
        "appointment" | "repair_order" | "ro_line" | "service_settings" | "part"
        | "part_reservation" | "parts_order" => Some(Allowed::Area(Area::Service)),
        "store_costs" => Some(Allowed::Roles(MANAGER_ROLES)),
        "care_report" => Some(Allowed::Roles(CARE_REPORT_ROLES)),
        // The store's remembered import mappings: the managers who import (sales, care, GM).
        "import_mapping" => Some(Allowed::Roles(MANAGER_ROLES)),
        // Whoever may read C-cards or repair orders.
        "service_history" => Some(Allowed::Roles(HISTORY_ROLES)),
        _ => None,
    }
}

/// Who reads past services: the customer roles and everyone in service.
const HISTORY_ROLES: &[Role] = &[
    Role::SalesConsultant,
    Role::SalesManager,
    Role::ServiceAdvisor,
    Role::Technician,
    Role::QcInspector,
    Role::PartsClerk,
    Role::CustomerService,
    Role::CustomerServiceManager,
    Role::GeneralManager,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sales::loss::{ACardActionKind, ACardStatus};

    #[test]
    fn registry_holds_every_type() {
        let r = registry();
        for t in ALL {
            assert!(r.get(t.name).is_some());
        }
    }

    #[test]
    fn a_card_machine_agrees_with_the_sales_rules() {
        for s in ACardStatus::ALL {
            assert_eq!(
                A_CARD_STATUS.rank(s.as_str()),
                Some(s.rank() as usize),
                "{s:?}"
            );
        }
        let everyone = Role::ALL;
        let mut from_rules = Vec::new();
        for from in ACardStatus::ALL {
            for action in ACardActionKind::ALL {
                if let Ok(to) = from.next(action, &everyone)
                    && to != from
                {
                    from_rules.push((from.as_str(), to.as_str()));
                }
            }
        }
        from_rules.sort();
        from_rules.dedup();
        let mut declared: Vec<_> = A_CARD_STATUS.transitions.to_vec();
        declared.sort();
        assert_eq!(declared, from_rules);
    }

    #[test]
    fn only_sales_roles_touch_a_cards() {
        assert!(may_write(&[Role::SalesConsultant], "a_card"));
        assert!(may_read(&[Role::GeneralManager], "a_card"));
        assert!(!may_read(&[Role::Technician], "a_card"));
        assert!(!may_write(&[Role::SalesManager], "unknown"));
        assert!(may_read(&[Role::CustomerService], "care_task"));
        assert!(!may_read(&[Role::CustomerService], "a_card"));
        assert!(may_write(&[Role::ServiceAdvisor], "appointment"));
        assert!(may_read(&[Role::Technician], "appointment"));
        assert!(!may_read(&[Role::SalesConsultant], "appointment"));
        assert!(may_write(&[Role::PartsClerk], "appointment"));
        for t in ["repair_order", "ro_line", "service_settings"] {
            assert!(may_read(&[Role::PartsClerk], t), "{t}");
            assert!(
                !may_write(&[Role::PartsClerk], t),
                "parts clerks only read {t}"
            );
            assert!(may_write(&[Role::Technician], t), "{t}");
            assert!(may_write(&[Role::GeneralManager], t), "{t}");
            assert!(!may_write(&[Role::SalesConsultant], t), "{t}");
        }
        for t in ALL {
            assert!(may_read(&[Role::GeneralManager], t.name), "{}", t.name);
        }
    }

    #[test]
    fn the_import_mappings_are_the_importing_managers() {
        for r in [
            Role::SalesManager,
            Role::CustomerServiceManager,
            Role::GeneralManager,
        ] {
            assert!(may_write(&[r], "import_mapping"), "{r:?}");
        }
        for r in [
            Role::SalesConsultant,
            Role::CustomerService,
            Role::ServiceAdvisor,
            Role::PartsClerk,
        ] {
            assert!(!may_read(&[r], "import_mapping"), "{r:?}");
            assert!(!may_write(&[r], "import_mapping"), "{r:?}");
        }
    }

    #[test]
    fn the_store_costs_are_the_gms() {
        assert!(may_write(&[Role::GeneralManager], "store_costs"));
        assert!(may_read(&[Role::SalesManager], "store_costs"));
        for r in Role::ALL.into_iter().filter(|r| *r != Role::GeneralManager) {
            assert!(!may_write(&[r], "store_costs"), "{r:?}");
        }
        assert!(!may_read(&[Role::ServiceAdvisor], "store_costs"));
    }

    #[test]
    fn parts_records_are_the_parts_clerks_and_managers() {
        for t in ["part", "part_reservation", "parts_order"] {
            assert!(may_write(&[Role::PartsClerk], t), "{t}");
            assert!(may_write(&[Role::GeneralManager], t), "{t}");
            assert!(may_read(&[Role::ServiceAdvisor], t), "{t}");
            assert!(!may_write(&[Role::ServiceAdvisor], t), "{t}");
            assert!(!may_write(&[Role::Technician], t), "{t}");
            assert!(!may_read(&[Role::SalesConsultant], t), "{t}");
        }
    }

    #[test]
    fn past_services_are_read_by_customer_and_service_roles_and_written_by_managers() {
        for r in Role::ALL {
            assert_eq!(
                may_read(&[r], "service_history"),
                may_read(&[r], "c_card") || may_read(&[r], "repair_order"),
                "{r:?}"
            );
        }
        for r in [
            Role::SalesManager,
            Role::CustomerServiceManager,
            Role::GeneralManager,
        ] {
            assert!(may_write(&[r], "service_history"), "{r:?}");
        }
        for r in [
            Role::SalesConsultant,
            Role::ServiceAdvisor,
            Role::Technician,
            Role::CustomerService,
            Role::PartsClerk,
        ] {
            assert!(!may_write(&[r], "service_history"), "{r:?}");
        }
    }
}
