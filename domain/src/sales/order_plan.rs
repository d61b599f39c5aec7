//! The writes of the order workflows as plans (see [`crate::plan`]): a new order (the order and
//! its A-card to 已订车), an edit of the deal's fields, 变更交车日期 (the new date, its log entry and
//! the task to tell the customer) and 退单 (the order cancelled, the A-card back to 跟进中).
//! 交车 is [`super::delivery::deliver_plan`].

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{Value, json};
use uuid::Uuid;

use super::loss::{ACardActionKind, LossError};
use super::order::{
    Cancellation, CancellationReason, OrderDraft, OrderError, OrderProblem, move_promised_date,
    parse_yuan,
};
use crate::plan::{Plan, PlannedWrite, Step};
use crate::records::{A_CARD, ACard, CARE_TASK, ORDER, Order, TradeIn};
use crate::roles::Role;
use crate::sync::RecordState;
use crate::time::{StoreClock, stored_date, stored_time};

/// The fields the deal form edits, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFields {
    pub model: String,
    pub configuration: String,
    pub price: String,
    pub deposit: String,
    pub trade_in_car: String,
    pub trade_in_value: String,
    pub finance_campaign: String,
    pub insurance: String,
    pub promised_date: String,
}

impl OrderFields {
    /// The stored order as the form shows it.
    pub fn of(o: &Order) -> Self {
        let (car, value) = match &o.trade_in {
            Some(TradeIn::Car { car, value }) => (car.clone(), *value),
            _ => (String::new(), None),
        };
        let yuan = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        OrderFields {
            model: o.model.clone().unwrap_or_default(),
            configuration: o.configuration.clone().unwrap_or_default(),
            price: yuan(o.price),
            deposit: yuan(o.deposit),
            trade_in_car: car,
            trade_in_value: yuan(value),
            finance_campaign: o.finance_campaign.clone().unwrap_or_default(),
            insurance: o.insurance.clone().unwrap_or_default(),
            promised_date: o.promised_date.map(stored_date).unwrap_or_default(),
        }
    }

    /// The order the form describes, for [`OrderDraft::problems`].
    pub fn draft(&self, signed_on: NaiveDate, clock: StoreClock) -> OrderDraft {
        OrderDraft {
            model: self.model.clone(),
            price: parse_yuan(&self.price),
            deposit: parse_yuan(&self.deposit),
            promised_date: clock.parse_date(&self.promised_date),
            signed_on,
        }
    }

    fn trade_in(&self) -> Value {
        let car = self.trade_in_car.trim();
        if car.is_empty() {
            return json!(false);
        }
        match parse_yuan(&self.trade_in_value) {
            Some(v) => json!({"car": car, "value": v}),
            None => json!({"car": car}),
        }
    }

    fn stored(&self) -> [(&'static str, Value); 8] {
        let n = |s: &str| parse_yuan(s).map(|v| json!(v)).unwrap_or(Value::Null);
        [
            ("model", json!(self.model.trim())),
            ("configuration", json!(self.configuration.trim())),
            ("price", n(&self.price)),
            ("deposit", n(&self.deposit)),
            ("trade_in", self.trade_in()),
            ("finance_campaign", json!(self.finance_campaign.trim())),
            ("insurance", json!(self.insurance.trim())),
            ("promised_date", json!(self.promised_date.trim())),
        ]
    }

    /// The steps writing the fields that differ from `before`.
    pub fn steps(&self, before: &OrderFields) -> Vec<Step> {
        self.stored()
            .into_iter()
            .zip(before.stored())
            .filter(|((_, new), (_, old))| new != old)
            .map(|((field, new), _)| Step::Set(field, new))
            .collect()
    }
}

/// 下订单: the order (signed now, by the card's consultant, else the user) and the A-card moved
/// to 已订车; or every problem of the deal, else why the card may not take an order. Returns
/// the new order's id with the plan.
pub fn place_order_plan(
    card: &RecordState,
    fields: &OrderFields,
    user_id: &str,
    roles: &[Role],
    now: NaiveDateTime,
    clock: StoreClock,
) -> Result<(Uuid, Plan), Vec<OrderProblem>> {
    let problems = fields.draft(now.date(), clock).problems();
    if !problems.is_empty() {
        return Err(problems.into_iter().map(OrderProblem::Order).collect());
    }
    let card = ACard::of(card, clock);
    let to = card
        .status
        .next(ACardActionKind::PlaceOrder, roles)
        .map_err(|e| vec![OrderProblem::Card(e)])?;
    let consultant = card
        .consultant_id
        .map(|c| c.to_string())
        .unwrap_or_else(|| user_id.to_string());
    let id = Uuid::now_v7();
    let mut order = PlannedWrite::new(id, &ORDER);
    order.steps = fields.steps(&OrderFields::default());
    let plan = Plan::new()
        .then(
            order
                .set("a_card_id", card.id.to_string())
                .set("consultant_id", consultant)
                .set("signed_at", stored_time(now)),
        )
        .then(PlannedWrite::new(card.id, &A_CARD).with(Step::Move("status", to.as_str())));
    Ok((id, plan))
}

/// 编辑: the deal's fields that changed (one op; empty when nothing changed).
pub fn edit_order_plan(order: Uuid, before: &OrderFields, after: &OrderFields) -> Plan {
    let mut write = PlannedWrite::new(order, &ORDER);
    write.steps = after.steps(before);
    Plan::new().then(write)
}

/// 变更交车日期 ([`move_promised_date`]: a reason, a real change, not in the past): the order's new
/// date with an entry in its `date_changes` log, and the task, due now, for the consultant (the
/// order's, else the user) to tell the customer.
pub fn move_date_plan(
    order: &RecordState,
    card: Option<&RecordState>,
    to: NaiveDate,
    reason: &str,
    user_id: &str,
    now: NaiveDateTime,
    clock: StoreClock,
) -> Result<Plan, OrderError> {
    let order = Order::of(order, clock);
    let from = order.promised_date.unwrap_or(now.date());
    let consultant = order
        .consultant_id
        .map(|c| c.to_string())
        .unwrap_or_else(|| user_id.to_string());
    let assignee = Uuid::parse_str(&consultant).unwrap_or_default();
    let change = move_promised_date(from, to, reason, assignee, now)?;
    // Within a year of the signing, as the order form (the server checks the same).
    let signed_on = order.signed_at.map_or(now.date(), |t| t.date());
    if let Some(problem) = super::order::promise_problem(to, signed_on)
        && problem == OrderError::PromisedDateTooFar
    {
        return Err(problem);
    }
    let task = Uuid::now_v7();
    let (from, to) = (stored_date(change.from), stored_date(change.to));
    let entry =
        json!({"from": from, "to": to, "reason": change.reason, "task_id": task.to_string()});
    let (name, phone, card_id) = card
        .map(|c| ACard::of(c, clock))
        .map(|c| {
            let (name, phone) = (c.name.unwrap_or_default(), c.phone.unwrap_or_default());
            (name, phone, c.id.to_string())
        })
        .unwrap_or_default();
    Ok(Plan::new()
        .then(
            PlannedWrite::new(order.id, &ORDER)
                .set("promised_date", to.as_str())
                .with(Step::Append("date_changes", Uuid::now_v7(), entry)),
        )
        .then(
            PlannedWrite::new(task, &CARE_TASK)
                .set("kind", change.tell_customer.kind.as_str())
                .set("customer_name", name)
                .set("phone", phone)
                .set("a_card_id", card_id)
                .set("order_id", order.id.to_string())
                .set("due_at", stored_time(change.tell_customer.due))
                .set("role", "sales_consultant")
                .set("assignee_id", consultant)
                .set("note", format!("{from} → {to}:{}", change.reason)),
        ))
}

/// 退单 ([`Cancellation::new`]: 其他 needs a note): the order cancelled with its reason, and the
/// A-card back to 跟进中 when it is 已订车 (a card in another state stays; a user who may not
/// cancel is refused).
pub fn cancel_plan(
    order: Uuid,
    card: Option<&RecordState>,
    reason: CancellationReason,
    note: &str,
    roles: &[Role],
    clock: StoreClock,
) -> Result<Plan, OrderProblem> {
    let cancellation = Cancellation::new(reason, Some(note)).map_err(OrderProblem::Order)?;
    let card = card.map(|c| ACard::of(c, clock));
    let card_move = match card.map(|c| (c.id, c.status.next(ACardActionKind::CancelOrder, roles))) {
        Some((id, Ok(to))) => Some((id, to)),
        Some((_, Err(LossError::NotAllowedFrom { .. }))) | None => None,
        Some((_, Err(e))) => return Err(OrderProblem::Card(e)),
    };
    let mut plan = Plan::new().then(
        PlannedWrite::new(order, &ORDER)
            .with(Step::Move("status", "cancelled"))
            .set("cancel_reason", cancellation.reason.as_str())
            .set("cancel_note", cancellation.note.unwrap_or_default()),
    );
    if let Some((card, to)) = card_move {
        plan.push(PlannedWrite::new(card, &A_CARD).with(Step::Move("status", to.as_str())));
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::{Clock, Op, apply};
    use std::sync::atomic::{AtomicU64, Ordering};

    const WANG: &str = "0000000a-0000-0000-0000-000000000000";
    const CARD: Uuid = Uuid::from_u128(0x100);
    const CONSULTANT: &[Role] = &[Role::SalesConsultant];

    fn clock() -> StoreClock {
        StoreClock::default()
    }

    fn at(s: &str) -> NaiveDateTime {
        clock().parse(s).unwrap()
    }

    /// Writes a plan as the app would (each op later than the last).
    fn run(plan: &Plan, states: &mut Vec<RecordState>) {
        static WALL: AtomicU64 = AtomicU64::new(1_000);
        let mut hlc = Clock::default();
        for w in &plan.writes {
            let i = match states.iter().position(|s| s.id == w.record_id) {
                Some(i) => i,
                None => {
                    states.push(RecordState::new(w.record_id, w.record_type.name, "demo"));
                    states.len() - 1
                }
            };
            let op = Op {
                op_id: Uuid::now_v7(),
                device_id: Uuid::from_u128(1),
                user_id: WANG.into(),
                store_id: "demo".into(),
                record_id: w.record_id,
                record_type: w.record_type.name.into(),
                hlc: hlc.now(WALL.fetch_add(1, Ordering::Relaxed)),
                changes: w.changes(&states[i]).unwrap(),
            };
            apply(&mut states[i], &op, w.record_type).unwrap();
        }
    }

    fn get(states: &[RecordState], id: Uuid) -> &RecordState {
        states.iter().find(|s| s.id == id).unwrap()
    }

    fn card(status: &'static str) -> Vec<RecordState> {
        let mut states = Vec::new();
        let mut write = PlannedWrite::new(CARD, &A_CARD)
            .set("name", "李女士")
            .set("phone", "13812345678");
        if status != "following" {
            write = write.with(Step::Move("status", status));
        }
        run(&Plan::new().then(write), &mut states);
        states
    }

    fn fields() -> OrderFields {
        OrderFields {
            model: "levin".into(),
            price: "12.8万".into(),
            deposit: "5000".into(),
            trade_in_car: " 老捷达 ".into(),
            trade_in_value: "20000".into(),
            promised_date: "2026-04-20".into(),
            ..OrderFields::default()
        }
    }

    /// A placed order on the device, with its card.
    fn placed() -> (Uuid, Vec<RecordState>) {
        let mut states = card("following");
        let now = at("2026-04-02T10:00:00");
        let (id, plan) =
            place_order_plan(&states[0], &fields(), WANG, CONSULTANT, now, clock()).unwrap();
        run(&plan, &mut states);
        (id, states)
    }

    #[test]
    fn a_new_order_is_stored_with_the_card_ordered() {
        let (id, states) = placed();
        let o = get(&states, id);
        assert_eq!(o.value("price"), Some(&json!(128_000)));
        assert_eq!(
            o.value("trade_in"),
            Some(&json!({"car": "老捷达", "value": 20_000}))
        );
        assert_eq!(o.value("signed_at"), Some(&json!("2026-04-02T10:00:00")));
        assert_eq!(o.value("consultant_id"), Some(&json!(WANG)));
        assert_eq!(o.value("a_card_id"), Some(&json!(CARD.to_string())));
        assert_eq!(OrderFields::of(&Order::of(o, clock())).price, "128000");
        assert_eq!(
            OrderFields::of(&Order::of(o, clock())).trade_in_car,
            "老捷达"
        );
        assert_eq!(
            get(&states, CARD).status(&A_CARD, "status"),
            Some("ordered")
        );

        // A bad deal reports its problems; an ordered card takes no second order.
        let bad = OrderFields {
            price: String::new(),
            ..fields()
        };
        let now = at("2026-04-02T10:00:00");
        assert_eq!(
            place_order_plan(&states[0], &bad, WANG, CONSULTANT, now, clock()).unwrap_err(),
            vec![OrderProblem::Order(OrderError::PriceInvalid)]
        );
        assert!(matches!(
            place_order_plan(
                get(&states, CARD),
                &fields(),
                WANG,
                CONSULTANT,
                now,
                clock()
            )
            .unwrap_err()[..],
            [OrderProblem::Card(LossError::NotAllowedFrom { .. })]
        ));
    }

    #[test]
    fn an_edit_writes_only_what_changed() {
        let (id, mut states) = placed();
        let before = OrderFields::of(&Order::of(get(&states, id), clock()));
        assert!(edit_order_plan(id, &before, &before).is_empty());
        let after = OrderFields {
            deposit: "8,000".into(),
            trade_in_car: String::new(),
            ..before.clone()
        };
        let plan = edit_order_plan(id, &before, &after);
        assert_eq!(plan.writes[0].steps.len(), 2);
        run(&plan, &mut states);
        assert_eq!(get(&states, id).value("deposit"), Some(&json!(8_000)));
        assert_eq!(get(&states, id).value("trade_in"), Some(&json!(false)));
    }

    #[test]
    fn moving_the_date_logs_it_and_makes_the_tell_the_customer_task() {
        let (id, mut states) = placed();
        let now = at("2026-04-05T16:45:00");
        let to = NaiveDate::from_ymd_opt(2026, 4, 24).unwrap();
        let order = get(&states, id).clone();
        let plan = move_date_plan(
            &order,
            Some(get(&states, CARD)),
            to,
            " 厂家排产推迟 ",
            "someone-else",
            now,
            clock(),
        )
        .unwrap();
        run(&plan, &mut states);
        let o = get(&states, id);
        assert_eq!(o.value("promised_date"), Some(&json!("2026-04-24")));
        let log = o.log("date_changes");
        assert_eq!(log[0].value["from"], "2026-04-20");
        assert_eq!(log[0].value["reason"], "厂家排产推迟");
        let task_id = log[0].value["task_id"].as_str().unwrap();
        let task = states.iter().find(|s| s.id.to_string() == task_id).unwrap();
        assert_eq!(task.value("kind"), Some(&json!("tell_new_date")));
        assert_eq!(task.value("due_at"), Some(&json!("2026-04-05T16:45:00")));
        assert_eq!(task.value("assignee_id"), Some(&json!(WANG)), "the order's");
        assert_eq!(task.value("customer_name"), Some(&json!("李女士")));
        assert_eq!(
            task.value("note"),
            Some(&json!("2026-04-20 → 2026-04-24:厂家排产推迟"))
        );
        // No reason, no move (and no task).
        assert_eq!(
            move_date_plan(&order, None, to, " ", WANG, now, clock()),
            Err(OrderError::DateChangeReasonRequired)
        );
        // Not more than a year after the signing (a year typed wrong).
        let far = NaiveDate::from_ymd_opt(2062, 4, 24).unwrap();
        assert_eq!(
            move_date_plan(&order, None, far, "厂家排产推迟", WANG, now, clock()),
            Err(OrderError::PromisedDateTooFar)
        );
    }

    #[test]
    fn a_cancellation_sends_an_ordered_card_back_to_following() {
        let (id, mut states) = placed();
        let plan = cancel_plan(
            id,
            Some(get(&states, CARD)),
            CancellationReason::CompetitorPriceCut,
            "",
            CONSULTANT,
            clock(),
        )
        .unwrap();
        run(&plan, &mut states);
        assert_eq!(get(&states, id).status(&ORDER, "status"), Some("cancelled"));
        assert_eq!(
            get(&states, id).value("cancel_reason"),
            Some(&json!("competitor_price_cut"))
        );
        assert_eq!(
            get(&states, CARD).status(&A_CARD, "status"),
            Some("following")
        );
        // 其他 needs a note; a card not 已订车 stays; a technician may not cancel.
        assert_eq!(
            cancel_plan(
                id,
                None,
                CancellationReason::Other,
                " ",
                CONSULTANT,
                clock()
            ),
            Err(OrderProblem::Order(OrderError::CancellationNoteRequired))
        );
        let following = card("following");
        let plan = cancel_plan(
            id,
            Some(&following[0]),
            CancellationReason::LongWait,
            "",
            CONSULTANT,
            clock(),
        )
        .unwrap();
        assert_eq!(plan.writes.len(), 1);
        assert!(matches!(
            cancel_plan(
                id,
                Some(&card("ordered")[0]),
                CancellationReason::LongWait,
                "",
                &[Role::Technician],
                clock(),
            ),
            Err(OrderProblem::Card(_))
        ));
    }
}
