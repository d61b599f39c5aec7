//! 交车 (delivery) as one plan [mgmt: 交车时严格履行对客户的承诺; care, seed 004]: from the order,
//! the customer's A-card, their visits (for the referrer) and the C-cards and care tasks on the
//! device, [`deliver_plan`] decides every write of the handover — the C-card (with the new
//! customer's referral reward), the consultant's +24 h / +72 h care calls, the referrer's reward,
//! the A-card delivered and the order delivered — which the app executes in one transaction.
//!
//! The plan is idempotent over what an earlier, interrupted delivery of the same order left: an
//! existing C-card of the order is reused (its rewards are not added twice), a care call of a
//! kind the order already has is not made again, and a referrer already rewarded for this order
//! is not rewarded again.

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::json;
use uuid::Uuid;

use super::loss::{ACardActionKind, ACardStatus};
use super::order::{OrderProblem, check_handover, delivery_checklist};
use super::referral::{RewardTo, referral_rewards, referrer_of};
use super::visit::{ReferralParty, VisitError};
use crate::plan::{Plan, PlannedWrite, Step};
use crate::records::{A_CARD, ACard, C_CARD, CARE_TASK, CCard, CareTask, ORDER, Order};
use crate::roles::Role;
use crate::sync::RecordState;
use crate::time::{StoreClock, stored_date, stored_time};

/// What the 交车 form says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryForm {
    /// As typed; checked and stored in capitals by [`check_handover`].
    pub vin: String,
    /// As typed; stored trimmed, in capitals.
    pub plate: String,
    /// The day the car is handed over (not in the future).
    pub day: NaiveDate,
    /// `YYYY-MM-DD` or blank.
    pub birthday: String,
    /// 本地 (else 外地).
    pub local: bool,
}

/// The records a delivery reads, as the device has them.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryRecords<'a> {
    pub order: &'a RecordState,
    /// The customer's A-card (`None` when it is not on the device).
    pub card: Option<&'a RecordState>,
    /// The store's visits (the customer's name the referrer).
    pub visits: &'a [RecordState],
    /// The store's C-cards (this order's, if an earlier delivery made it; the referrer's).
    pub c_cards: &'a [RecordState],
    /// The store's care tasks (this order's calls, if an earlier delivery made them).
    pub care_tasks: &'a [RecordState],
}

/// Who delivers, and when: the signed-in user (the consultant when the order names none), their
/// roles, the store's local time now and the store's clock.
#[derive(Debug, Clone, Copy)]
pub struct Deliverer<'a> {
    pub user_id: &'a str,
    pub roles: &'a [Role],
    pub now: NaiveDateTime,
    pub clock: StoreClock,
}

/// A delivery that may go ahead.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Every write of the handover, the order last.
    pub plan: Plan,
    /// The customer's C-card (new or reused), which the app opens next.
    pub c_card: Uuid,
    /// Why the referral earned nothing (a self-referral, an unreadable phone); the delivery
    /// goes ahead without rewards and the C-card page says why.
    pub referral_refused: Option<VisitError>,
}

/// The writes of 交车, or every reason it may not happen: the handover's checks
/// ([`check_handover`]: open order, every checklist item ticked, a valid VIN, not a future day),
/// then the A-card's move to 已交车 ([`ACardStatus::next`], which also checks the role).
/// The handover is at `by.now`'s time of day on `form.day`.
pub fn deliver_plan(
    records: DeliveryRecords<'_>,
    form: &DeliveryForm,
    by: Deliverer<'_>,
) -> Result<Delivery, Vec<OrderProblem>> {
    let order = Order::of(records.order, by.clock);
    let card = records.card.map(|c| ACard::of(c, by.clock));
    let consultant = order
        .consultant_id
        .map(|c| c.to_string())
        .unwrap_or_else(|| by.user_id.to_string());
    let promises: Vec<&str> = order.promises.iter().map(String::as_str).collect();
    let done: Vec<&str> = order.checklist_done.iter().map(String::as_str).collect();
    let handover = check_handover(
        order.status.as_str(),
        &delivery_checklist(&promises, &done),
        &form.vin,
        NaiveDateTime::new(form.day, by.now.time()),
        by.now.date(),
        Uuid::parse_str(&consultant).unwrap_or_default(),
    )?;
    // An A-card an earlier, interrupted delivery already moved stays as it is.
    let card_move = match &card {
        Some(c) if c.status != ACardStatus::Delivered => {
            let to = c
                .status
                .next(ACardActionKind::Deliver, by.roles)
                .map_err(|e| vec![OrderProblem::Card(e)])?;
            Some((c.id, to))
        }
        _ => None,
    };

    let card_id = card.as_ref().map(|c| c.id);
    let card_text = card_id.map(|c| c.to_string()).unwrap_or_default();
    let name = card
        .as_ref()
        .and_then(|c| c.name.clone())
        .unwrap_or_default();
    let phone = card
        .as_ref()
        .and_then(|c| c.phone.clone())
        .unwrap_or_default();
    let referrer = card_id.and_then(|c| referrer_of(c, records.visits, records.c_cards, by.clock));
    let new_party = ReferralParty {
        customer_id: card_id,
        phone: Some(phone.clone()),
    };
    let (rewards, referral_refused) = match referral_rewards(&new_party, referrer.as_ref()) {
        Ok(r) => (r, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    let referrer_phone = referrer
        .as_ref()
        .and_then(|r| r.party.phone.clone())
        .unwrap_or_default();

    let c_cards: Vec<CCard> = records
        .c_cards
        .iter()
        .map(|c| CCard::of(c, by.clock))
        .collect();
    let existing = c_cards.iter().find(|c| c.order_id == Some(order.id));
    let c_card = existing.map(|c| c.id).unwrap_or_else(Uuid::now_v7);
    let order_text = order.id.to_string();
    let delivered_at = stored_time(handover.delivered_at);
    let vin = handover.vin.to_string();
    let plate = form.plate.trim().to_uppercase();
    let dates = handover.dates;

    // 1. The C-card.
    let mut write = PlannedWrite::new(c_card, &C_CARD)
        .set("name", name.as_str())
        .set("phone", phone.as_str())
        .set("a_card_id", card_text.as_str())
        .set("order_id", order_text.as_str())
        .set("consultant_id", consultant.as_str())
        .set("vin", vin.as_str())
        .set("plate", plate.as_str())
        .set("model", order.model.clone().unwrap_or_default())
        .set("delivery_date", stored_date(form.day))
        .set("warranty_end", stored_date(dates.warranty_end))
        .set("insurance_expiry", stored_date(dates.insurance_expiry))
        .set("inspection_date", stored_date(dates.inspection_date))
        .set("local", form.local);
    if !form.birthday.is_empty() {
        write = write.set("birthday", form.birthday.as_str());
    }
    if existing.is_none_or(|c| c.rewards.is_empty()) {
        for r in rewards.iter().filter(|r| r.to == RewardTo::NewCustomer) {
            write = write.with(Step::Append(
                "rewards",
                Uuid::now_v7(),
                json!({"kind": r.kind.as_str(), "reason": "referral", "side": "referred",
                       "referrer_phone": referrer_phone, "order_id": order_text, "at": delivered_at}),
            ));
        }
    }
    let mut plan = Plan::new().then(write);

    // 2. The consultant's +24 h / +72 h calls, unless the order has that call already.
    let calls: Vec<CareTask> = records
        .care_tasks
        .iter()
        .map(|t| CareTask::of(t, by.clock))
        .filter(|t| t.order_id == Some(order.id))
        .collect();
    for call in handover.calls {
        let kind = call.kind.as_str();
        if calls.iter().any(|t| t.kind.as_deref() == Some(kind)) {
            continue;
        }
        plan.push(
            PlannedWrite::new(Uuid::now_v7(), &CARE_TASK)
                .set("kind", kind)
                .set("customer_name", name.as_str())
                .set("phone", phone.as_str())
                .set("a_card_id", card_text.as_str())
                .set("c_card_id", c_card.to_string())
                .set("order_id", order_text.as_str())
                .set("due_at", stored_time(call.due))
                .set("role", Role::SalesConsultant.as_str())
                .set("assignee_id", consultant.as_str()),
        );
    }

    // 3. The referrer's reward, once per order.
    for r in &rewards {
        let RewardTo::Referrer(theirs) = r.to else {
            continue;
        };
        let already = c_cards.iter().any(|c| {
            c.id == theirs
                && c.rewards
                    .iter()
                    .any(|e| e.text("order_id") == Some(order_text.as_str()))
        });
        if !already {
            plan.push(PlannedWrite::new(theirs, &C_CARD).with(Step::Append(
                "rewards",
                Uuid::now_v7(),
                json!({"kind": r.kind.as_str(), "reason": "referral", "side": "referrer",
                       "referred_name": name, "order_id": order_text, "at": delivered_at}),
            )));
        }
    }

    // 4. The A-card, then the order.
    if let Some((card, to)) = card_move {
        plan.push(PlannedWrite::new(card, &A_CARD).with(Step::Move("status", to.as_str())));
    }
    plan.push(
        PlannedWrite::new(order.id, &ORDER)
            .set("vin", vin)
            .set("plate", plate)
            .set("delivered_at", delivered_at)
            .with(Step::Move("status", "delivered")),
    );
    Ok(Delivery {
        plan,
        c_card,
        referral_refused,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sales::UserError;
    use crate::sync::{Clock, Op, apply};
    use crate::time::StoreClock;

    const WANG: &str = "0000000a-0000-0000-0000-000000000000";
    const CARD: Uuid = Uuid::from_u128(0x100);
    const ORDER_ID: Uuid = Uuid::from_u128(0x200);
    const OLD_CARD: Uuid = Uuid::from_u128(0x300);
    const OLD_C_CARD: Uuid = Uuid::from_u128(0x400);

    fn now() -> NaiveDateTime {
        StoreClock::default().parse("2026-04-30T17:30:00").unwrap()
    }

    /// The device's records, written by plans as the app would.
    #[derive(Default)]
    struct Device {
        records: Vec<RecordState>,
        clock: Clock,
    }

    impl Device {
        fn run(&mut self, plan: &Plan) {
            for w in &plan.writes {
                let i = match self.records.iter().position(|s| s.id == w.record_id) {
                    Some(i) => i,
                    None => {
                        self.records.push(RecordState::new(
                            w.record_id,
                            w.record_type.name,
                            "demo",
                        ));
                        self.records.len() - 1
                    }
                };
                let op = Op {
                    op_id: Uuid::now_v7(),
                    device_id: Uuid::from_u128(1),
                    user_id: WANG.into(),
                    store_id: "demo".into(),
                    record_id: w.record_id,
                    record_type: w.record_type.name.into(),
                    hlc: self.clock.now(1_000),
                    changes: w.changes(&self.records[i]).unwrap(),
                };
                apply(&mut self.records[i], &op, w.record_type).unwrap();
            }
        }

        fn get(&self, id: Uuid) -> &RecordState {
            self.records.iter().find(|r| r.id == id).unwrap()
        }

        fn of(&self, kind: &str) -> Vec<RecordState> {
            self.records
                .iter()
                .filter(|r| r.record_type == kind)
                .cloned()
                .collect()
        }

        fn deliver(&self, form: &DeliveryForm) -> Result<Delivery, Vec<OrderProblem>> {
            let (visits, c_cards, care_tasks) =
                (self.of("visit"), self.of("c_card"), self.of("care_task"));
            let records = DeliveryRecords {
                order: self.get(ORDER_ID),
                card: Some(self.get(CARD)),
                visits: &visits,
                c_cards: &c_cards,
                care_tasks: &care_tasks,
            };
            let by = Deliverer {
                user_id: WANG,
                roles: &[Role::SalesConsultant],
                now: now(),
                clock: StoreClock::default(),
            };
            deliver_plan(records, form, by)
        }
    }

    /// A signed order with its promise ticked, the card ordered.
    fn signed() -> Device {
        let mut d = Device::default();
        d.run(
            &Plan::new()
                .then(
                    PlannedWrite::new(CARD, &A_CARD)
                        .set("name", "李女士")
                        .set("phone", "13812345678")
                        .with(Step::Move("status", "ordered")),
                )
                .then(
                    PlannedWrite::new(ORDER_ID, &ORDER)
                        .set("a_card_id", CARD.to_string())
                        .set("model", "levin")
                        .with(Step::SetAdd("promises", "脚垫".into())),
                ),
        );
        // One tick an op, as the checklist writes them.
        for item in ["脚垫", "随车文件", "车辆功能讲解"] {
            d.run(
                &Plan::new().then(
                    PlannedWrite::new(ORDER_ID, &ORDER)
                        .with(Step::SetAdd("checklist_done", item.into())),
                ),
            );
        }
        d
    }

    fn form() -> DeliveryForm {
        DeliveryForm {
            vin: " 1m8gdm9axkp042788 ".into(),
            plate: " 粤a12345 ".into(),
            day: now().date(),
            birthday: String::new(),
            local: true,
        }
    }

    /// A visit of the customer naming the referrer, who bought here before.
    fn referred(d: &mut Device) {
        d.run(
            &Plan::new()
                .then(
                    PlannedWrite::new(OLD_C_CARD, &C_CARD)
                        .set("name", "张先生")
                        .set("phone", "13900001111")
                        .set("a_card_id", OLD_CARD.to_string()),
                )
                .then(
                    PlannedWrite::new(Uuid::from_u128(0x500), &crate::records::VISIT)
                        .set("a_card_id", CARD.to_string())
                        .set("time_in", "2026-04-01T10:00:00")
                        .set("referrer_phone", "139 0000 1111"),
                ),
        );
    }

    fn rewards(d: &Device, c_card: Uuid) -> Vec<serde_json::Value> {
        d.get(c_card)
            .log("rewards")
            .into_iter()
            .map(|e| e.value.clone())
            .collect()
    }

    #[test]
    fn a_plain_delivery_writes_the_c_card_the_calls_the_card_and_the_order() {
        let mut d = signed();
        let delivery = d.deliver(&form()).unwrap();
        assert_eq!(delivery.referral_refused, None);
        let plan = &delivery.plan;
        let types: Vec<&str> = plan.writes.iter().map(|w| w.record_type.name).collect();
        assert_eq!(
            types,
            ["c_card", "care_task", "care_task", "a_card", "order"],
            "the order goes last"
        );
        d.run(plan);
        let c = d.get(delivery.c_card);
        assert_eq!(c.value("vin"), Some(&json!("1M8GDM9AXKP042788")));
        assert_eq!(c.value("plate"), Some(&json!("粤A12345")));
        assert_eq!(c.value("consultant_id"), Some(&json!(WANG)), "the user");
        assert_eq!(c.value("warranty_end"), Some(&json!("2029-04-30")));
        assert_eq!(c.value("order_id"), Some(&json!(ORDER_ID.to_string())));
        assert_eq!(c.value("birthday"), None);
        assert!(c.log("rewards").is_empty());
        let mut due: Vec<String> = d
            .of("care_task")
            .iter()
            .map(|t| crate::records::field::shown(t, "due_at"))
            .collect();
        due.sort();
        assert_eq!(due, ["2026-05-01T17:30:00", "2026-05-03T17:30:00"]);
        assert_eq!(d.get(CARD).status(&A_CARD, "status"), Some("delivered"));
        let o = d.get(ORDER_ID);
        assert_eq!(o.status(&ORDER, "status"), Some("delivered"));
        assert_eq!(o.value("delivered_at"), Some(&json!("2026-04-30T17:30:00")));
    }

    #[test]
    fn a_referred_customer_and_their_referrer_are_both_rewarded() {
        let mut d = signed();
        referred(&mut d);
        let delivery = d.deliver(&form()).unwrap();
        d.run(&delivery.plan);
        let own = rewards(&d, delivery.c_card);
        assert_eq!(own.len(), 1);
        assert_eq!(own[0]["side"], "referred");
        assert_eq!(own[0]["referrer_phone"], "139 0000 1111");
        let theirs = rewards(&d, OLD_C_CARD);
        assert_eq!(theirs.len(), 1);
        assert_eq!(theirs[0]["side"], "referrer");
        assert_eq!(theirs[0]["referred_name"], "李女士");
        assert_eq!(theirs[0]["order_id"], ORDER_ID.to_string());
    }

    #[test]
    fn a_second_run_reuses_the_c_card_and_the_calls_and_rewards_no_one_twice() {
        let mut d = signed();
        referred(&mut d);
        let first = d.deliver(&form()).unwrap();
        // An earlier delivery wrote everything but the card and the order.
        let mut partial = first.plan.clone();
        partial
            .writes
            .retain(|w| !matches!(w.record_type.name, "order" | "a_card"));
        d.run(&partial);
        let second = d.deliver(&form()).unwrap();
        assert_eq!(second.c_card, first.c_card, "the same C-card");
        assert_eq!(second.plan.writes_of_type("care_task").count(), 0);
        assert_eq!(second.plan.writes_of(OLD_C_CARD).count(), 0);
        let c_write = second.plan.writes_of(first.c_card).next().unwrap();
        assert!(
            !c_write.steps.iter().any(|s| matches!(s, Step::Append(..))),
            "no second reward"
        );
        d.run(&second.plan);
        assert_eq!(d.of("c_card").len(), 2);
        assert_eq!(d.of("care_task").len(), 2);
        assert_eq!(rewards(&d, first.c_card).len(), 1);
        assert_eq!(rewards(&d, OLD_C_CARD).len(), 1);
        assert_eq!(d.get(ORDER_ID).status(&ORDER, "status"), Some("delivered"));
        // Delivered: a third press is refused.
        assert_eq!(
            d.deliver(&form()).unwrap_err(),
            vec![OrderProblem::Order(
                super::super::order::OrderError::OrderNotOpen
            )]
        );
    }

    #[test]
    fn a_refused_handover_writes_nothing() {
        let mut d = signed();
        d.run(
            &Plan::new().then(
                PlannedWrite::new(ORDER_ID, &ORDER)
                    .with(Step::SetRemove("checklist_done", "脚垫".into())),
            ),
        );
        let problems = d
            .deliver(&DeliveryForm {
                vin: "1M8GDM9A1KP042788".into(),
                ..form()
            })
            .unwrap_err();
        let codes: Vec<&str> = problems.iter().map(|p| p.code()).collect();
        assert_eq!(
            codes,
            ["delivery_promises_open", "vin_check_digit_mismatch"]
        );
        // A card that is not ordered, or a user who may not deliver, stops it too.
        let fresh = signed();
        let records = DeliveryRecords {
            order: fresh.get(ORDER_ID),
            card: Some(fresh.get(CARD)),
            visits: &[],
            c_cards: &[],
            care_tasks: &[],
        };
        let by = Deliverer {
            user_id: WANG,
            roles: &[Role::Technician],
            now: now(),
            clock: StoreClock::default(),
        };
        assert!(matches!(
            deliver_plan(records, &form(), by).unwrap_err()[..],
            [OrderProblem::Card(_)]
        ));
    }

    #[test]
    fn a_self_referral_delivers_without_rewards() {
        let mut d = signed();
        d.run(
            &Plan::new().then(
                PlannedWrite::new(Uuid::from_u128(0x501), &crate::records::VISIT)
                    .set("a_card_id", CARD.to_string())
                    .set("time_in", "2026-04-01T10:00:00")
                    .set("referrer_phone", "+86 138-1234-5678"),
            ),
        );
        let delivery = d.deliver(&form()).unwrap();
        assert_eq!(delivery.referral_refused, Some(VisitError::SelfReferral));
        d.run(&delivery.plan);
        assert!(rewards(&d, delivery.c_card).is_empty());
        assert_eq!(d.get(ORDER_ID).status(&ORDER, "status"), Some("delivered"));
    }

    #[test]
    fn the_referrer_is_the_latest_visit_s_resolved_to_their_c_card() {
        let mut d = Device::default();
        let visit = |n: u128, at: &str, field: &'static str, value: &str| {
            PlannedWrite::new(Uuid::from_u128(n), &crate::records::VISIT)
                .set("a_card_id", CARD.to_string())
                .set("time_in", at)
                .set(field, value)
        };
        d.run(
            &Plan::new()
                .then(
                    PlannedWrite::new(OLD_C_CARD, &C_CARD)
                        .set("phone", "13900001111")
                        .set("a_card_id", OLD_CARD.to_string()),
                )
                .then(visit(
                    1,
                    "2026-04-02T10:00:00",
                    "referrer_phone",
                    "13700002222",
                ))
                .then(visit(
                    2,
                    "2026-04-01T10:00:00",
                    "referrer_phone",
                    "13900001111",
                ))
                .then(visit(3, "2026-04-03T10:00:00", "intended_model", "levin")),
        );
        let (visits, c_cards) = (d.of("visit"), d.of("c_card"));
        // The latest visit naming a referrer: a phone no C-card has.
        let r = referrer_of(CARD, &visits, &c_cards, StoreClock::default()).unwrap();
        assert_eq!(r.party.phone.as_deref(), Some("13700002222"));
        assert_eq!(r.c_card, None);
        // A later visit naming the referrer's A-card finds their C-card.
        d.run(&Plan::new().then(visit(
            4,
            "2026-04-04T10:00:00",
            "referrer_card_id",
            &OLD_CARD.to_string(),
        )));
        let r = referrer_of(CARD, &d.of("visit"), &c_cards, StoreClock::default()).unwrap();
        assert_eq!(r.party.customer_id, Some(OLD_CARD));
        assert_eq!(r.c_card, Some(OLD_C_CARD));
        assert_eq!(r.c_card_a_card, Some(OLD_CARD));
        // By phone, however it is written.
        d.run(&Plan::new().then(visit(
            5,
            "2026-04-05T10:00:00",
            "referrer_phone",
            "139-0000-1111",
        )));
        let r = referrer_of(CARD, &d.of("visit"), &c_cards, StoreClock::default()).unwrap();
        assert_eq!(r.c_card, Some(OLD_C_CARD));
        // The device reads the C-cards the latest referral names: its card and phone.
        assert_eq!(
            crate::sales::referral::latest_referral(CARD, &d.of("visit"), StoreClock::default()),
            Some((None, Some("139-0000-1111".to_string())))
        );
        assert_eq!(
            crate::sales::referral::latest_referral(
                OLD_CARD,
                &d.of("visit"),
                StoreClock::default()
            ),
            None
        );
        // Another customer's visits do not count.
        assert_eq!(
            referrer_of(OLD_CARD, &d.of("visit"), &c_cards, StoreClock::default()),
            None
        );
    }
}
