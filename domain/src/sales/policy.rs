//! Who may change which sales record, and how: the sales part of [`crate::policy::check_op`],
//! checked by the server for every pushed op against the record as stored, and by the app
//! before it writes.
//!
//! The rules (a sales manager's view; "manager" = a role that [`Role::manages`] sales: the sales
//! manager and the general manager):
//!
//! - **Store settings** (`sales_settings`: catalogue, fleet, routes, cadence, sleeping days):
//!   only managers change or delete them.
//! - **Reception rota**: anyone in sales marks themselves away; only managers set the day's
//!   `order`.
//! - **Ownership** (防止撞单 and 人走客户走): an A-card, an order and a test drive belong to the consultant in
//!   their `consultant_id`. Colleagues help with the file — add follow-ups (the consultant on the
//!   reception desk notes that the customer came in), correct the customer's details, grade — but the
//!   decisions are the owner's: moving its status (proposing a loss, ordering, cancelling,
//!   delivering), its loss or cancellation reason, putting it in the bin, an order's deal (price,
//!   deposit, model…). A consultant sets `consultant_id` only to themselves, and only on a record
//!   that is not someone else's: giving a customer to another consultant (撞单 转给, 退回给, hand-over) is a
//!   manager's move. Managers do all of it on any record.
//! - **A-card status moves** follow [`ACardStatus::next`] from the card's shown state with the
//!   actor's roles: proposing a loss, ordering, cancelling and delivering are open to everyone
//!   in sales (on their own cards); the manager's re-contact, confirming a loss, sending back
//!   and reactivating are managers'. The re-contact move must carry its `re_contacts` entry,
//!   and only managers append to `re_contacts`; a loss is confirmed only when a re-contact
//!   entry exists (stored, or in the same op) and the last one did not find the customer
//!   willing to reconsider ([`LossFile::apply`]).
//! - An A-card's phone written by a non-manager reads as a phone number (撞单 matches on it);
//!   a visit's group has at least one person; a C-card's points are added by no screen (a
//!   manager's adjustment only).
//! - Visits (the reception desk logs them for any consultant), key accounts (any consultant
//!   may take over a territory account, 接手), C-cards and care tasks (shared with service and
//!   customer care) have no owner rule: [`crate::records::may_write`] decides.

use serde_json::Value;

use super::UserError;
use super::loss::{
    ACardAction, ACardActionKind, ACardStatus, LossError, LossFile, ReContactOutcome,
};
use super::order::OrderError;
use super::visit::{VisitError, check_withdraw};
use crate::records::field;
use crate::roles::{Actor, Area};
use crate::sync::{Change, Op, RecordState};
use crate::time::StoreClock;

/// The record types that belong to a consultant through `consultant_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owned {
    ACard,
    Order,
    TestDrive,
}

impl Owned {
    pub fn of(record_type: &str) -> Option<Owned> {
        match record_type {
            "a_card" => Some(Owned::ACard),
            "order" => Some(Owned::Order),
            "test_drive" => Some(Owned::TestDrive),
            _ => None,
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            Owned::ACard => "A 卡",
            Owned::Order => "订单",
            Owned::TestDrive => "试驾记录",
        }
    }

    fn label_en(self) -> &'static str {
        match self {
            Owned::ACard => "A-card",
            Owned::Order => "order",
            Owned::TestDrive => "test drive",
        }
    }
}

/// Why a sales op was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SalesPolicyError {
    #[error("only a sales manager may change the store's sales settings")]
    SettingsManagerOnly,
    #[error("only a sales manager may set the reception rota's order")]
    RotaOrderManagerOnly,
    #[error("only a sales manager may give a {} to another consultant", .0.label_en())]
    ReassignManagerOnly(Owned),
    #[error("this {} belongs to another consultant", .0.label_en())]
    NotYours(Owned),
    #[error("a photo or signature field holds something else than a blob id")]
    NotABlob,
    #[error(transparent)]
    Move(LossError),
    #[error("`{field}` is recorded by the device when the event happens, not typed")]
    TimeNotNow { field: &'static str },
    #[error(transparent)]
    Order(OrderError),
    #[error(transparent)]
    Withdraw(VisitError),
    #[error(transparent)]
    Visit(VisitError),
    #[error("a C-card's points are added by no screen")]
    PointsManagerOnly,
    #[error("a cancelled order needs its reason")]
    CancelReasonMissing,
    #[error("a delivered order needs a valid VIN")]
    VinInvalid,
    #[error("an A-card's phone is not a phone number")]
    PhoneInvalid,
}

impl SalesPolicyError {
    /// Whether the actor's role or ownership is the problem (HTTP 403), not the op's content.
    pub fn is_forbidden(&self) -> bool {
        match self {
            SalesPolicyError::NotABlob
            | SalesPolicyError::TimeNotNow { .. }
            | SalesPolicyError::Order(_)
            | SalesPolicyError::Visit(_)
            | SalesPolicyError::CancelReasonMissing
            | SalesPolicyError::VinInvalid
            | SalesPolicyError::PhoneInvalid => false,
            SalesPolicyError::Withdraw(e) => !matches!(e, VisitError::WithdrawHasCard),
            SalesPolicyError::Move(e) => matches!(
                e,
                LossError::RoleMayNot { .. } | LossError::OnlyManagerMayConfirm
            ),
            _ => true,
        }
    }
}

impl UserError for SalesPolicyError {
    fn code(&self) -> &'static str {
        match self {
            SalesPolicyError::SettingsManagerOnly => "sales_settings_manager_only",
            SalesPolicyError::RotaOrderManagerOnly => "rota_order_manager_only",
            SalesPolicyError::ReassignManagerOnly(_) => "reassign_manager_only",
            SalesPolicyError::NotYours(_) => "not_your_customer",
            SalesPolicyError::NotABlob => "not_a_blob",
            SalesPolicyError::Move(e) => e.code(),
            SalesPolicyError::TimeNotNow { .. } => "time_not_now",
            SalesPolicyError::Order(e) => e.code(),
            SalesPolicyError::Withdraw(e) => e.code(),
            SalesPolicyError::Visit(e) => e.code(),
            SalesPolicyError::PointsManagerOnly => "points_manager_only",
            SalesPolicyError::CancelReasonMissing => "order_cancel_reason_missing",
            SalesPolicyError::VinInvalid => "order_vin_invalid",
            SalesPolicyError::PhoneInvalid => "a_card_phone_invalid",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            SalesPolicyError::SettingsManagerOnly => {
                "只有销售经理或总经理可以修改门店的销售设置(车型目录、试驾车、路线、跟进周期)"
                    .into()
            }
            SalesPolicyError::RotaOrderManagerOnly => {
                "只有销售经理或总经理可以调整接待轮值顺序".into()
            }
            SalesPolicyError::ReassignManagerOnly(o) => {
                format!("只有销售经理或总经理可以把{}转给其他销售顾问", o.label_zh())
            }
            SalesPolicyError::NotYours(o) => format!(
                "这张{}属于其他销售顾问:状态、战败或退单原因及删除由其负责;如需接手请联系销售经理",
                o.label_zh()
            ),
            SalesPolicyError::NotABlob => "照片或签名无效,请重新拍摄或签名".into(),
            SalesPolicyError::Move(e) => e.message_zh(),
            SalesPolicyError::TimeNotNow { field } => format!(
                "{}由设备在登记时自动记录,不能补填或改成其他时间;如需更正请联系销售经理",
                time_label_zh(field)
            ),
            SalesPolicyError::Order(e) => e.message_zh(),
            SalesPolicyError::Withdraw(e) => e.message_zh(),
            SalesPolicyError::Visit(e) => e.message_zh(),
            SalesPolicyError::PointsManagerOnly => "客户积分只能由销售经理或总经理调整".into(),
            SalesPolicyError::CancelReasonMissing => "退单须选择退单原因".into(),
            SalesPolicyError::VinInvalid => "交车须填写有效的车架号(VIN)".into(),
            SalesPolicyError::PhoneInvalid => {
                "A 卡的电话号码无效,请填写正确的手机号或带区号的座机号".into()
            }
        }
    }

    fn message_en(&self) -> String {
        match self {
            SalesPolicyError::SettingsManagerOnly => {
                "Only the sales manager or the general manager may change the store's sales settings (catalogue, fleet, routes, cadence)".into()
            }
            SalesPolicyError::RotaOrderManagerOnly => {
                "Only the sales manager or the general manager may change the reception rota's order".into()
            }
            SalesPolicyError::ReassignManagerOnly(o) => format!(
                "Only the sales manager or the general manager may give a {} to another consultant",
                o.label_en()
            ),
            SalesPolicyError::NotYours(o) => format!(
                "This {} belongs to another consultant, who decides its status, loss or cancellation reason and deletion. Ask the sales manager to hand it over",
                o.label_en()
            ),
            SalesPolicyError::NotABlob => {
                "The photo or signature is not valid; take or sign it again".into()
            }
            SalesPolicyError::Move(e) => e.message_en(),
            SalesPolicyError::TimeNotNow { field } => format!(
                "The {} is recorded by the device when it happens; it cannot be typed in later or changed. Ask the sales manager to correct it",
                time_label_en(field)
            ),
            SalesPolicyError::Order(e) => e.message_en(),
            SalesPolicyError::Withdraw(e) => e.message_en(),
            SalesPolicyError::Visit(e) => e.message_en(),
            SalesPolicyError::PointsManagerOnly => {
                "Only the sales manager or the general manager adjusts a customer's points".into()
            }
            SalesPolicyError::CancelReasonMissing => {
                "A cancelled order needs its reason".into()
            }
            SalesPolicyError::VinInvalid => "A delivered order needs a valid VIN".into(),
            SalesPolicyError::PhoneInvalid => {
                "The A-card's phone is not a valid mobile or landline number".into()
            }
        }
    }
}

fn time_label_zh(field: &str) -> &'static str {
    match field {
        "first_contact_at" => "建卡时间",
        "time_in" => "来店时间",
        "signed_at" => "签单时间",
        "started_at" => "试驾开始时间",
        _ => "时间",
    }
}

fn time_label_en(field: &str) -> &'static str {
    match field {
        "first_contact_at" => "first contact time",
        "time_in" => "visit time",
        "signed_at" => "signing time",
        "started_at" => "test drive's start",
        _ => "time",
    }
}

/// The sales rules for `op` by `actor` on the record as stored (`stored`: the state before the
/// op; an empty state for a new record). The generic checks (shown status, known writes, log
/// entry ids, clock) are [`crate::policy::check_op`]'s, which calls this.
pub fn check(actor: &Actor, stored: &RecordState, op: &Op) -> Result<(), SalesPolicyError> {
    let manager = actor.manages(Area::Sales);
    match op.record_type.as_str() {
        "sales_settings" if !manager => Err(SalesPolicyError::SettingsManagerOnly),
        "reception_rota" if !manager && sets(op, "order") => {
            Err(SalesPolicyError::RotaOrderManagerOnly)
        }
        "a_card" => {
            if !manager {
                ownership(actor, stored, op, Owned::ACard)?;
                a_card_phone(op)?;
            }
            a_card_moves(actor, stored, op)
        }
        "test_drive" => {
            blob_fields(op)?;
            if manager {
                Ok(())
            } else {
                ownership(actor, stored, op, Owned::TestDrive)
            }
        }
        // No screen adds points (转介绍 rewards are log entries): a colleague gifting a
        // customer points is refused.
        "c_card"
            if !manager
                && op
                    .changes
                    .iter()
                    .any(|c| matches!(c, Change::Add { field, .. } if field == "points")) =>
        {
            Err(SalesPolicyError::PointsManagerOnly)
        }
        // A group has at least one person (the reception sheet's stepper).
        "visit"
            if op.changes.iter().any(|c| {
                matches!(c, Change::Set { field, value, .. }
                    if field == "group_size"
                        && value.as_u64().is_none_or(|n| n < 1 || n > u64::from(u32::MAX)))
            }) =>
        {
            Err(SalesPolicyError::Visit(VisitError::EmptyGroup))
        }
        other => match Owned::of(other) {
            Some(owned) if !manager => ownership(actor, stored, op, owned),
            _ => Ok(()),
        },
    }
}

/// An A-card's phone, as the card form writes it: a number [`super::phone::normalise`] reads
/// (or none). The duplicates check (撞单) matches cards by it, so a garbled number would hide a
/// colleague's customer; managers import old lists as they are.
fn a_card_phone(op: &Op) -> Result<(), SalesPolicyError> {
    for change in &op.changes {
        if let Change::Set { field, value, .. } = change
            && field == "phone"
        {
            let ok = match value {
                Value::Null => true,
                Value::String(s) => s.trim().is_empty() || super::phone::normalise(s).is_ok(),
                _ => false,
            };
            if !ok {
                return Err(SalesPolicyError::PhoneInvalid);
            }
        }
    }
    Ok(())
}

/// A test drive's photos (`licence_photos`) and signature (`agreement_signature`) hold blob ids
/// (`crate::blob`); a signature may be cleared (null).
fn blob_fields(op: &Op) -> Result<(), SalesPolicyError> {
    let ok = op.changes.iter().all(|c| match c {
        Change::SetAdd { field, elem } if field == "licence_photos" => {
            crate::blob::is_blob_id(elem)
        }
        Change::Set { field, value, .. } if field == "agreement_signature" => match value {
            Value::Null => true,
            Value::String(s) => crate::blob::is_blob_id(s),
            _ => false,
        },
        _ => true,
    });
    if ok {
        Ok(())
    } else {
        Err(SalesPolicyError::NotABlob)
    }
}

fn sets(op: &Op, name: &str) -> bool {
    op.changes.iter().any(|c| c.field() == Some(name))
}

/// A non-manager's ownership rule for a record with a `consultant_id`.
fn ownership(
    actor: &Actor,
    stored: &RecordState,
    op: &Op,
    owned: Owned,
) -> Result<(), SalesPolicyError> {
    let owner = field::text(stored, "consultant_id");
    let someone_else = owner.is_some_and(|o| !actor.is(o));
    for change in &op.changes {
        if let Change::Set {
            field, value: v, ..
        } = change
            && field == "consultant_id"
        {
            let to_self = matches!(v, Value::String(s) if actor.is(s));
            if !to_self || someone_else {
                return Err(SalesPolicyError::ReassignManagerOnly(owned));
            }
        }
    }
    if someone_else && op.changes.iter().any(|c| owners_decision(c, owned)) {
        return Err(SalesPolicyError::NotYours(owned));
    }
    Ok(())
}

/// The fields whose writes are the owner's decision along with the status: why a card was lost,
/// why an order was cancelled.
fn owners_field(owned: Owned, name: &str) -> bool {
    match owned {
        Owned::ACard => matches!(name, "loss_reason" | "loss_note"),
        // The deal (price, deposit, model…) is the owner's too: the order form is theirs.
        Owned::Order => {
            matches!(name, "cancel_reason" | "cancel_note") || ORDER_DEAL.contains(&name)
        }
        Owned::TestDrive => false,
    }
}

/// Whether a change is the owner's (or a manager's) decision: a status move, putting the
/// record in the bin (or out), a loss or cancellation reason.
fn owners_decision(change: &Change, owned: Owned) -> bool {
    match change {
        Change::Transition { .. } | Change::Delete { .. } | Change::Restore { .. } => true,
        Change::Set { field, .. } => owners_field(owned, field),
        _ => false,
    }
}

/// The move an A-card status transition stands for.
pub fn a_card_action(from: ACardStatus, to: ACardStatus) -> Option<ACardActionKind> {
    use ACardActionKind as K;
    use ACardStatus as S;
    Some(match (from, to) {
        (S::Following, S::LossProposed) => K::ProposeLoss,
        (S::LossProposed | S::ReContacted, S::ReContacted) => K::RecordReContact,
        (S::ReContacted | S::LossProposed, S::Lost) => K::ConfirmLoss,
        (S::LossProposed | S::ReContacted, S::Following) => K::SendBack,
        (S::Lost, S::Following) => K::Reactivate,
        (_, S::Ordered) => K::PlaceOrder,
        (S::Ordered, S::Following) => K::CancelOrder,
        (_, S::Delivered) => K::Deliver,
        _ => return None,
    })
}

/// The outcome of a `re_contacts` entry's value (`{"outcome": …}`).
fn outcome(value: &Value) -> Option<&str> {
    value.get("outcome").and_then(Value::as_str)
}

fn a_card_moves(actor: &Actor, stored: &RecordState, op: &Op) -> Result<(), SalesPolicyError> {
    let appended = op.changes.iter().find_map(|c| match c {
        Change::Append { field, value, .. } if field == "re_contacts" => Some(value),
        _ => None,
    });
    if appended.is_some() && !actor.manages(Area::Sales) {
        return Err(SalesPolicyError::Move(LossError::RoleMayNot {
            action: ACardActionKind::RecordReContact,
        }));
    }
    for change in &op.changes {
        let Change::Transition {
            field, from, to, ..
        } = change
        else {
            continue;
        };
        if field != "status" || from == to {
            continue;
        }
        let (Some(from), Some(to)) = (ACardStatus::parse(from), ACardStatus::parse(to)) else {
            continue; // not a state: validate_op refuses it
        };
        let Some(kind) = a_card_action(from, to) else {
            continue; // not a declared move: validate_op refuses it
        };
        let next = from
            .next(kind, &actor.roles)
            .map_err(SalesPolicyError::Move)?;
        if next != to {
            return Err(SalesPolicyError::Move(LossError::NotAllowedFrom {
                action: kind,
                from,
            }));
        }
        match kind {
            ACardActionKind::RecordReContact if appended.is_none() => {
                return Err(SalesPolicyError::Move(LossError::ReContactRequired));
            }
            ACardActionKind::ConfirmLoss => {
                // The manager's last re-contact: in this op, else the last stored one.
                let last = match appended {
                    Some(v) => Some(outcome(v).unwrap_or_default().to_owned()),
                    None => stored
                        .log("re_contacts")
                        .last()
                        .map(|e| outcome(&e.value).unwrap_or_default().to_owned()),
                };
                let Some(last) = last else {
                    return Err(SalesPolicyError::Move(LossError::ReContactRequired));
                };
                LossFile {
                    status: ACardStatus::ReContacted,
                    proposal: None,
                    re_contact: ReContactOutcome::parse(&last).map(|o| (o, String::new())),
                }
                .apply(&ACardAction::ConfirmLoss, &actor.roles)
                .map_err(SalesPolicyError::Move)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The times no screen lets anyone type: the device writes them as the event happens (建卡 on
/// the card form, 来店 on the reception desk, 签单 on 下订单, the start of a test drive). Their
/// day decides the month a KPI counts them in (建卡, 来店组数, 成交率, 试驾).
pub const RECORDED_NOW: &[(&str, &str)] = &[
    ("a_card", "first_contact_at"),
    ("visit", "time_in"),
    ("order", "signed_at"),
    ("test_drive", "started_at"),
];

/// How far a recorded-now time may be before the op's own time (its HLC): the HLC of a device
/// runs ahead of its clock by at most the skew of the devices it heard from (2 h,
/// `sync::DEFAULT_MAX_FUTURE_MS`), plus an hour's margin.
pub const NOW_BEHIND_MINUTES: i64 = 180;
/// How far after the op's own time a recorded-now time may be.
pub const NOW_AHEAD_MINUTES: i64 = 10;

/// An order's deal: what the customer signed for. It changes while the order is open (the
/// order form shows only then) and never once the order is delivered or cancelled.
pub const ORDER_DEAL: &[&str] = &[
    "model",
    "configuration",
    "price",
    "deposit",
    "trade_in",
    "finance_campaign",
    "insurance",
    "signed_at",
    "promised_date",
];

/// Whether `value` is what the field already holds or one of its concurrent values (a conflict
/// being settled): writing it again records nothing new.
fn known_value(stored: &RecordState, field: &str, value: &Value) -> bool {
    stored.value(field) == Some(value) || stored.heads(field).iter().any(|h| h.value == *value)
}

/// The sales rules that read times and figures, in the store's `clock` (the second half of the
/// sales part of [`crate::policy::check_op`]):
///
/// - a recorded-now time ([`RECORDED_NOW`]) written by someone who does not manage sales is the
///   op's own time (from [`NOW_BEHIND_MINUTES`] before to [`NOW_AHEAD_MINUTES`] after): a
///   first contact, a visit, a signing or a test drive cannot be back-dated into another
///   month's KPI (managers correct them, and import old lists);
/// - a delivery is not dated on a later day than the op that records it
///   (`delivery_date_in_future`);
/// - an order's deal ([`ORDER_DEAL`]) does not change once the order is delivered or
///   cancelled (`order_not_open`); its figures are those the order form accepts: a price above
///   zero, a deposit from zero up to the price, a promised date not before the signing day
///   ([`super::order::OrderDraft::problems`]);
/// - a visit goes to the bin (撤销) by the rule of the reception desk
///   ([`super::visit::check_withdraw`], on the op's day).
pub fn check_dated(
    actor: &Actor,
    stored: &RecordState,
    op: &Op,
    clock: StoreClock,
) -> Result<(), SalesPolicyError> {
    let Some(made_at) = clock.local_ms(op.hlc.wall_ms) else {
        return Ok(());
    };
    let manager = actor.manages(Area::Sales);
    for change in &op.changes {
        let Change::Set { field, value, .. } = change else {
            continue;
        };
        if known_value(stored, field, value) {
            continue;
        }
        let kind = op.record_type.as_str();
        if !manager
            && let Some(&(_, f)) = RECORDED_NOW
                .iter()
                .find(|(t, f)| *t == kind && *f == field.as_str())
        {
            let at = value.as_str().and_then(|s| clock.parse(s));
            let now = at.is_some_and(|at| {
                at >= made_at - chrono::TimeDelta::minutes(NOW_BEHIND_MINUTES)
                    && at <= made_at + chrono::TimeDelta::minutes(NOW_AHEAD_MINUTES)
            });
            if !now {
                return Err(SalesPolicyError::TimeNotNow { field: f });
            }
        }
        if kind == "order" && field == "delivered_at" {
            let day = value.as_str().and_then(|s| clock.parse_date(s));
            if day.is_none_or(|d| d > made_at.date()) {
                return Err(SalesPolicyError::Order(OrderError::DeliveryDateInFuture));
            }
        }
    }
    if op.record_type == "order" {
        check_order(stored, op, clock)?;
        check_cancellation(stored, op)?;
        check_delivered(stored, op)?;
    }
    if op.record_type == "visit"
        && op
            .changes
            .iter()
            .any(|c| matches!(c, Change::Delete { .. }))
    {
        check_withdraw(
            &field::shown(stored, "consultant_id"),
            &field::shown(stored, "time_in"),
            &field::shown(stored, "a_card_id"),
            &actor.user_id,
            manager,
            made_at.date(),
            clock,
        )
        .map_err(SalesPolicyError::Withdraw)?;
    }
    Ok(())
}

/// 交车 keeps every promise (严格履行对客户的承诺): a move to `delivered` leaves the order with
/// every item of its checklist ticked ([`super::order::delivery_checklist`], the promises and
/// the standard items) and a valid VIN, as the delivery form ([`super::order::check_handover`]).
fn check_delivered(stored: &RecordState, op: &Op) -> Result<(), SalesPolicyError> {
    let delivers = op.changes.iter().any(|c| {
        matches!(c, Change::Transition { field, to, .. } if field == "status" && to == "delivered")
    });
    if !delivers {
        return Ok(());
    }
    let mut after = stored.clone();
    if crate::sync::apply(&mut after, op, &crate::records::ORDER).is_err() {
        return Ok(()); // refused by the merge itself
    }
    let promises = field::set(&after, "promises");
    let done = field::set(&after, "checklist_done");
    let promises: Vec<&str> = promises.iter().map(String::as_str).collect();
    let done: Vec<&str> = done.iter().map(String::as_str).collect();
    super::order::check_delivery(&super::order::delivery_checklist(&promises, &done))
        .map_err(SalesPolicyError::Order)?;
    let vin = field::text(&after, "vin").unwrap_or_default();
    if super::vin::Vin::parse(vin).is_err() {
        return Err(SalesPolicyError::VinInvalid);
    }
    Ok(())
}

/// 退单 records why (the cancellation analysis by reason): a move to `cancelled` leaves the
/// order with a known `cancel_reason`, and "other" with its note ([`super::order::Cancellation`]).
fn check_cancellation(stored: &RecordState, op: &Op) -> Result<(), SalesPolicyError> {
    let cancels = op.changes.iter().any(|c| {
        matches!(c, Change::Transition { field, to, .. } if field == "status" && to == "cancelled")
    });
    if !cancels {
        return Ok(());
    }
    let mut after = stored.clone();
    if crate::sync::apply(&mut after, op, &crate::records::ORDER).is_err() {
        return Ok(()); // refused by the merge itself
    }
    let reason = field::text(&after, "cancel_reason").and_then(|r| {
        super::order::CancellationReason::ALL
            .into_iter()
            .find(|c| c.as_str() == r.trim())
    });
    let Some(reason) = reason else {
        return Err(SalesPolicyError::CancelReasonMissing);
    };
    super::order::Cancellation::new(reason, field::text(&after, "cancel_note"))
        .map(|_| ())
        .map_err(SalesPolicyError::Order)
}

/// An order's deal is fixed once it is closed; its figures are the order form's.
fn check_order(stored: &RecordState, op: &Op, clock: StoreClock) -> Result<(), SalesPolicyError> {
    let deal: Vec<&str> = op
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::Set { field, value, .. }
                if ORDER_DEAL.contains(&field.as_str()) && !known_value(stored, field, value) =>
            {
                Some(field.as_str())
            }
            _ => None,
        })
        .collect();
    if deal.is_empty() {
        return Ok(());
    }
    let open = field::status(stored, "status").is_none_or(|s| s == "signed");
    if !open {
        return Err(SalesPolicyError::Order(OrderError::OrderNotOpen));
    }
    let mut after = stored.clone();
    if crate::sync::apply(&mut after, op, &crate::records::ORDER).is_err() {
        return Ok(()); // refused by the merge itself
    }
    let price = field::integer(&after, "price");
    if deal.contains(&"price") && !price.is_some_and(super::order::price_sound) {
        return Err(SalesPolicyError::Order(OrderError::PriceInvalid));
    }
    if deal.contains(&"price") || deal.contains(&"deposit") {
        let deposit = match after.value("deposit") {
            None | Some(Value::Null) => Some(0),
            Some(_) => field::integer(&after, "deposit"),
        };
        let fits = deposit.is_some_and(|d| d >= 0 && price.is_none_or(|p| d <= p));
        if !fits {
            return Err(SalesPolicyError::Order(OrderError::DepositInvalid));
        }
    }
    if deal.contains(&"promised_date") {
        let Some(promised) = field::date(&after, "promised_date", clock) else {
            return Err(SalesPolicyError::Order(OrderError::PromisedDateMissing));
        };
        let signed = field::date(&after, "signed_at", clock)
            .or_else(|| clock.local_ms(op.hlc.wall_ms).map(|t| t.date()));
        if let Some(problem) = signed.and_then(|s| super::order::promise_problem(promised, s)) {
            return Err(SalesPolicyError::Order(problem));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{A_CARD, ORDER, RECEPTION_ROTA, SALES_SETTINGS, TEST_DRIVE, VISIT};
    use crate::roles::Role;
    use crate::sync::{Edit, Hlc, RecordType, apply, new_id};
    use serde_json::json;
    use uuid::Uuid;

    const WANG: &str = "0190f000-0000-7000-8000-0000000000a1";
    const LI: &str = "0190f000-0000-7000-8000-0000000000b2";
    const BOSS: &str = "0190f000-0000-7000-8000-0000000000c3";

    fn consultant(id: &str) -> Actor {
        Actor::new(id, &[Role::SalesConsultant])
    }
    fn manager() -> Actor {
        Actor::new(BOSS, &[Role::SalesManager])
    }

    struct Rec {
        state: RecordState,
        rt: &'static RecordType,
        n: u8,
    }

    impl Rec {
        fn new(rt: &'static RecordType) -> Rec {
            Rec {
                state: RecordState::new(new_id(1_000, [7; 10]), rt.name, "demo"),
                rt,
                n: 0,
            }
        }

        fn op(&mut self, who: &Actor, f: impl FnOnce(&Edit<'_>) -> Vec<Change>) -> Op {
            self.n += 1;
            Op {
                op_id: new_id(2_000 + u64::from(self.n), [self.n; 10]),
                device_id: Uuid::from_u128(1),
                user_id: who.user_id.clone(),
                store_id: "demo".into(),
                record_id: self.state.id,
                record_type: self.rt.name.into(),
                hlc: Hlc::new(2_000 + u64::from(self.n), 0),
                changes: f(&Edit::new(&self.state, self.rt)),
            }
        }

        /// Checks and, when allowed, applies.
        fn by(
            &mut self,
            who: &Actor,
            f: impl FnOnce(&Edit<'_>) -> Vec<Change>,
        ) -> Result<(), SalesPolicyError> {
            let op = self.op(who, f);
            check(who, &self.state, &op)?;
            apply(&mut self.state, &op, self.rt).unwrap();
            Ok(())
        }
    }

    fn card_of(owner: &str) -> Rec {
        let mut r = Rec::new(&A_CARD);
        r.by(&consultant(owner), |e| {
            vec![
                e.set("name", json!("王先生")).unwrap(),
                e.set("consultant_id", json!(owner)).unwrap(),
            ]
        })
        .unwrap();
        r
    }

    #[test]
    fn a_test_drives_photos_and_signature_are_blob_ids() {
        let blob = format!("sha256-{}", "0f".repeat(32));
        let mut d = Rec::new(&TEST_DRIVE);
        let me = consultant(WANG);
        d.by(&me, |e| {
            vec![
                e.set("consultant_id", json!(WANG)).unwrap(),
                e.set_add("licence_photos", &blob).unwrap(),
                e.set("agreement_signature", json!(blob)).unwrap(),
            ]
        })
        .unwrap();
        for bad in [
            |e: &Edit<'_>| vec![e.set_add("licence_photos", "http://x/y.jpg").unwrap()],
            |e: &Edit<'_>| vec![e.set("agreement_signature", json!("sha256-1")).unwrap()],
            |e: &Edit<'_>| vec![e.set("agreement_signature", json!(5)).unwrap()],
        ] {
            assert_eq!(d.by(&me, bad), Err(SalesPolicyError::NotABlob));
            assert_eq!(d.by(&manager(), bad), Err(SalesPolicyError::NotABlob));
        }
        assert!(!SalesPolicyError::NotABlob.is_forbidden());
        d.by(&me, |e| {
            vec![e.set("agreement_signature", json!(null)).unwrap()]
        })
        .unwrap();
    }

    #[test]
    fn only_managers_touch_the_sales_settings() {
        let mut s = Rec::new(&SALES_SETTINGS);
        let add = |e: &Edit<'_>| vec![e.set_add("models", "levin").unwrap()];
        assert_eq!(
            s.by(&consultant(WANG), add),
            Err(SalesPolicyError::SettingsManagerOnly)
        );
        s.by(&manager(), add).unwrap();
        assert_eq!(
            s.by(&consultant(WANG), |e| vec![e.delete()]),
            Err(SalesPolicyError::SettingsManagerOnly)
        );
        let gm = Actor::new(BOSS, &[Role::GeneralManager]);
        s.by(&gm, |e| vec![e.set("cadence_h_days", json!(1)).unwrap()])
            .unwrap();
        assert_eq!(
            SalesPolicyError::SettingsManagerOnly.code(),
            "sales_settings_manager_only"
        );
    }

    #[test]
    fn the_rota_order_is_the_managers_but_away_is_anyones() {
        let mut r = Rec::new(&RECEPTION_ROTA);
        r.by(&consultant(WANG), |e| {
            vec![
                e.set("date", json!("2026-03-02")).unwrap(),
                e.set_add("away", WANG).unwrap(),
            ]
        })
        .unwrap();
        let order = |e: &Edit<'_>| vec![e.set("order", json!([WANG, LI])).unwrap()];
        assert_eq!(
            r.by(&consultant(WANG), order),
            Err(SalesPolicyError::RotaOrderManagerOnly)
        );
        r.by(&manager(), order).unwrap();
    }

    #[test]
    fn a_consultant_creates_cards_for_themselves_only() {
        let mut mine = Rec::new(&A_CARD);
        mine.by(&consultant(WANG), |e| {
            vec![e.set("consultant_id", json!(WANG)).unwrap()]
        })
        .unwrap();
        let mut theirs = Rec::new(&A_CARD);
        assert_eq!(
            theirs.by(&consultant(WANG), |e| vec![
                e.set("consultant_id", json!(LI)).unwrap()
            ]),
            Err(SalesPolicyError::ReassignManagerOnly(Owned::ACard))
        );
        // A card without a consultant (an import) may be claimed.
        let mut open = Rec::new(&A_CARD);
        open.by(&manager(), |e| vec![e.set("name", json!("张")).unwrap()])
            .unwrap();
        open.by(&consultant(LI), |e| {
            vec![e.set("consultant_id", json!(LI)).unwrap()]
        })
        .unwrap();
    }

    #[test]
    fn a_consultant_may_not_take_a_colleagues_card_or_decide_for_it_but_may_help() {
        let mut c = card_of(LI);
        let wang = consultant(WANG);
        assert_eq!(
            c.by(&wang, |e| vec![
                e.set("consultant_id", json!(WANG)).unwrap()
            ]),
            Err(SalesPolicyError::ReassignManagerOnly(Owned::ACard))
        );
        assert_eq!(
            c.by(&wang, |e| vec![
                e.set("loss_reason", json!("other_brand")).unwrap()
            ]),
            Err(SalesPolicyError::NotYours(Owned::ACard))
        );
        assert_eq!(
            c.by(&wang, |e| vec![e.delete()]),
            Err(SalesPolicyError::NotYours(Owned::ACard))
        );
        assert_eq!(
            c.by(&wang, |e| vec![
                e.transition("status", "loss_proposed").unwrap()
            ]),
            Err(SalesPolicyError::NotYours(Owned::ACard))
        );
        c.by(&wang, |e| {
            vec![
                e.append("follow_ups", Uuid::from_u128(5), json!({"note": "来店"}))
                    .unwrap(),
                e.set("grade", json!("h")).unwrap(),
            ]
        })
        .unwrap();
        // The owner edits; the manager reassigns (撞单 转给).
        c.by(&consultant(LI), |e| {
            vec![e.set("grade", json!("a")).unwrap()]
        })
        .unwrap();
        c.by(&manager(), |e| {
            vec![e.set("consultant_id", json!(WANG)).unwrap()]
        })
        .unwrap();
        c.by(&wang, |e| {
            vec![e.transition("status", "loss_proposed").unwrap()]
        })
        .unwrap();
        assert_eq!(
            SalesPolicyError::NotYours(Owned::ACard).code(),
            "not_your_customer"
        );
    }

    #[test]
    fn orders_and_test_drives_belong_to_their_consultant_visits_to_nobody() {
        for rt in [&ORDER, &TEST_DRIVE] {
            let owned = Owned::of(rt.name).unwrap();
            let mut r = Rec::new(rt);
            r.by(&consultant(LI), |e| {
                vec![e.set("consultant_id", json!(LI)).unwrap()]
            })
            .unwrap();
            assert_eq!(
                r.by(&consultant(WANG), |e| vec![e.delete()]),
                Err(SalesPolicyError::NotYours(owned))
            );
            let to = if rt.name == "order" {
                "cancelled"
            } else {
                "ended"
            };
            assert_eq!(
                r.by(&consultant(WANG), |e| vec![
                    e.transition("status", to).unwrap()
                ]),
                Err(SalesPolicyError::NotYours(owned))
            );
            r.by(&consultant(WANG), |e| {
                vec![e.set("a_card_id", json!("x")).unwrap()]
            })
            .unwrap();
            if rt.name == "order" {
                assert_eq!(
                    r.by(&consultant(WANG), |e| vec![
                        e.set("price", json!(1)).unwrap()
                    ]),
                    Err(SalesPolicyError::NotYours(owned))
                );
            }
            r.by(&manager(), |e| {
                vec![e.set("a_card_id", json!("y")).unwrap()]
            })
            .unwrap();
        }
        // The reception desk logs a visit for any consultant.
        let mut v = Rec::new(&VISIT);
        v.by(&consultant(WANG), |e| {
            vec![e.set("consultant_id", json!(LI)).unwrap()]
        })
        .unwrap();
        v.by(&consultant(LI), |e| {
            vec![e.set("time_out", json!("2026-03-02T11:00:00")).unwrap()]
        })
        .unwrap();
    }

    fn re_contact(e: &Edit<'_>, n: u128, outcome: &str) -> Change {
        e.append(
            "re_contacts",
            Uuid::from_u128(n),
            json!({"outcome": outcome, "note": "经理电话回访"}),
        )
        .unwrap()
    }

    #[test]
    fn the_crafted_loss_without_a_manager_is_refused_at_each_step() {
        let wang = consultant(WANG);
        let mut c = card_of(WANG);
        c.by(&wang, |e| {
            vec![e.transition("status", "loss_proposed").unwrap()]
        })
        .unwrap();
        // The consultant's own "re-contact" and confirmation.
        let step = |e: &Edit<'_>| vec![e.transition("status", "re_contacted").unwrap()];
        assert_eq!(
            c.by(&wang, step),
            Err(SalesPolicyError::Move(LossError::RoleMayNot {
                action: ACardActionKind::RecordReContact
            }))
        );
        assert_eq!(
            c.by(&wang, |e| vec![re_contact(e, 1, "confirmed_lost")]),
            Err(SalesPolicyError::Move(LossError::RoleMayNot {
                action: ACardActionKind::RecordReContact
            }))
        );
        // A manager's move to re_contacted must carry the re-contact itself.
        assert_eq!(
            c.by(&manager(), step),
            Err(SalesPolicyError::Move(LossError::ReContactRequired))
        );
        c.by(&manager(), |e| {
            vec![
                re_contact(e, 2, "confirmed_lost"),
                e.transition("status", "re_contacted").unwrap(),
            ]
        })
        .unwrap();
        assert_eq!(
            c.by(&wang, |e| vec![e.transition("status", "lost").unwrap()]),
            Err(SalesPolicyError::Move(LossError::OnlyManagerMayConfirm))
        );
        c.by(&manager(), |e| {
            vec![e.transition("status", "lost").unwrap()]
        })
        .unwrap();
        assert_eq!(
            c.by(&wang, |e| vec![
                e.transition("status", "following").unwrap()
            ]),
            Err(SalesPolicyError::Move(LossError::RoleMayNot {
                action: ACardActionKind::Reactivate
            }))
        );
        c.by(&manager(), |e| {
            vec![e.transition("status", "following").unwrap()]
        })
        .unwrap();
    }

    #[test]
    fn a_customer_willing_to_reconsider_is_sent_back_not_lost() {
        let mut c = card_of(WANG);
        c.by(&consultant(WANG), |e| {
            vec![e.transition("status", "loss_proposed").unwrap()]
        })
        .unwrap();
        c.by(&manager(), |e| {
            vec![
                re_contact(e, 3, "will_reconsider"),
                e.transition("status", "re_contacted").unwrap(),
            ]
        })
        .unwrap();
        assert_eq!(
            c.by(&manager(), |e| vec![
                e.transition("status", "lost").unwrap()
            ]),
            Err(SalesPolicyError::Move(LossError::CustomerWillReconsider))
        );
        // A later re-contact with another outcome allows it, in the same op too.
        c.by(&manager(), |e| {
            vec![
                re_contact(e, 4, "confirmed_lost"),
                e.transition("status", "lost").unwrap(),
            ]
        })
        .unwrap();
    }

    #[test]
    fn the_owner_orders_cancels_and_delivers() {
        let wang = consultant(WANG);
        let mut c = card_of(WANG);
        c.by(&wang, |e| vec![e.transition("status", "ordered").unwrap()])
            .unwrap();
        c.by(&wang, |e| {
            vec![e.transition("status", "following").unwrap()]
        })
        .unwrap();
        c.by(&wang, |e| vec![e.transition("status", "ordered").unwrap()])
            .unwrap();
        c.by(&wang, |e| {
            vec![e.transition("status", "delivered").unwrap()]
        })
        .unwrap();
    }

    #[test]
    fn every_declared_move_has_an_action() {
        for (from, to) in crate::records::A_CARD_STATUS.transitions {
            let (from, to) = (
                ACardStatus::parse(from).unwrap(),
                ACardStatus::parse(to).unwrap(),
            );
            let kind = a_card_action(from, to).unwrap();
            assert_eq!(from.next(kind, &Role::ALL), Ok(to), "{from:?} → {to:?}");
        }
        assert!(!SalesPolicyError::Move(LossError::ReContactRequired).is_forbidden());
        assert!(SalesPolicyError::NotYours(Owned::Order).is_forbidden());
    }

    /// 2026-12-07 09:00 in China (UTC+8) as Unix ms.
    const NINE_AM: u64 = 1_796_605_200_000;
    const MIN: u64 = 60_000;
    const CLOCK: StoreClock = StoreClock::CHINA;

    impl Rec {
        /// Checks (both halves of the sales rules) an op made at `at_ms` and, when allowed,
        /// applies it.
        fn at(
            &mut self,
            who: &Actor,
            at_ms: u64,
            f: impl FnOnce(&Edit<'_>) -> Vec<Change>,
        ) -> Result<(), SalesPolicyError> {
            let mut op = self.op(who, f);
            op.hlc = Hlc::new(at_ms, 0);
            check(who, &self.state, &op)?;
            check_dated(who, &self.state, &op, CLOCK)?;
            apply(&mut self.state, &op, self.rt).unwrap();
            Ok(())
        }
    }

    #[test]
    fn first_contacts_visits_signings_and_starts_are_recorded_as_they_happen() {
        let wang = consultant(WANG);
        let not_now = |f| Err(SalesPolicyError::TimeNotNow { field: f });
        for (rt, f) in [
            (&A_CARD, "first_contact_at"),
            (&VISIT, "time_in"),
            (&TEST_DRIVE, "started_at"),
        ] {
            let mut r = Rec::new(rt);
            // Last month, to move the card into its KPI: refused; so is a time not a time.
            for bad in [
                json!("2026-11-30T18:00:00"),
                json!("2026-12-07T08:00:00Z"),
                json!("昨天"),
                json!(20261207),
                json!("2026-12-07T09:30:00"),
            ] {
                assert_eq!(
                    r.at(&wang, NINE_AM, |e| vec![
                        e.set("consultant_id", json!(WANG)).unwrap(),
                        e.set(f, bad.clone()).unwrap(),
                    ]),
                    not_now(f),
                    "{f} = {bad}"
                );
            }
            // The device's own time (a minute before its op, or its HLC a little ahead).
            r.at(&wang, NINE_AM + MIN, |e| {
                vec![
                    e.set("consultant_id", json!(WANG)).unwrap(),
                    e.set(f, json!("2026-12-07T09:00:00")).unwrap(),
                ]
            })
            .unwrap();
            // Saving the form again writes the same value: nothing new.
            r.at(&wang, NINE_AM + 600 * MIN, |e| {
                vec![e.set(f, json!("2026-12-07T09:00:00")).unwrap()]
            })
            .unwrap();
            // Changed later, even to "now": refused.
            assert_eq!(
                r.at(&wang, NINE_AM + 2 * 24 * 60 * MIN, |e| vec![
                    e.set(f, json!("2026-12-01T10:00:00")).unwrap()
                ]),
                not_now(f)
            );
            // The sales manager corrects it (and imports old lists).
            r.at(&manager(), NINE_AM + 2 * MIN, |e| {
                vec![e.set(f, json!("2026-11-30T18:00:00")).unwrap()]
            })
            .unwrap();
        }
        let e = SalesPolicyError::TimeNotNow {
            field: "first_contact_at",
        };
        assert_eq!(e.code(), "time_not_now");
        assert!(!e.is_forbidden());
        assert!(e.message_zh().contains("建卡时间"), "{}", e.message_zh());
    }

    fn signed_order(at_ms: u64) -> Rec {
        let mut o = Rec::new(&ORDER);
        o.at(&consultant(WANG), at_ms, |e| {
            vec![
                e.set("consultant_id", json!(WANG)).unwrap(),
                e.set("model", json!("camry")).unwrap(),
                e.set("price", json!(175_000)).unwrap(),
                e.set("deposit", json!(5_000)).unwrap(),
                e.set("signed_at", json!("2026-12-07T09:00:00")).unwrap(),
                e.set("promised_date", json!("2026-12-20")).unwrap(),
            ]
        })
        .unwrap();
        o
    }

    #[test]
    fn an_orders_figures_are_those_the_order_form_accepts() {
        let wang = consultant(WANG);
        let mut o = signed_order(NINE_AM);
        let t = NINE_AM + 5 * MIN;
        let refused = |e| Err(SalesPolicyError::Order(e));
        for (field, value, err) in [
            ("price", json!(-1), OrderError::PriceInvalid),
            ("price", json!(0), OrderError::PriceInvalid),
            ("price", json!("很便宜"), OrderError::PriceInvalid),
            ("price", json!(null), OrderError::PriceInvalid),
            ("price", json!(4_000), OrderError::DepositInvalid),
            ("deposit", json!(-500), OrderError::DepositInvalid),
            ("deposit", json!(200_000), OrderError::DepositInvalid),
            (
                "promised_date",
                json!("2026-12-01"),
                OrderError::PromisedDateBeforeSigning,
            ),
            ("promised_date", json!(""), OrderError::PromisedDateMissing),
            // A year typed wrong, a price with a few zeros too many.
            (
                "promised_date",
                json!("2062-12-20"),
                OrderError::PromisedDateTooFar,
            ),
            ("price", json!(175_000_000), OrderError::PriceInvalid),
        ] {
            assert_eq!(
                o.at(&wang, t, |e| vec![e.set(field, value.clone()).unwrap()]),
                refused(err),
                "{field} = {value}"
            );
            assert_eq!(
                o.at(&manager(), t, |e| vec![
                    e.set(field, value.clone()).unwrap()
                ]),
                refused(err),
                "the manager: {field} = {value}"
            );
        }
        // What the form writes: a lower price, no deposit, a later date.
        o.at(&wang, t, |e| {
            vec![
                e.set("price", json!(170_000)).unwrap(),
                e.set("deposit", json!(null)).unwrap(),
                e.set("promised_date", json!("2027-01-10")).unwrap(),
            ]
        })
        .unwrap();
    }

    #[test]
    fn a_delivered_or_cancelled_orders_deal_no_longer_changes() {
        let wang = consultant(WANG);
        for to in ["delivered", "cancelled"] {
            let mut o = signed_order(NINE_AM);
            let t = NINE_AM + 60 * MIN;
            // A delivery is not dated on a later day than it is recorded.
            if to == "delivered" {
                assert_eq!(
                    o.at(&wang, t, |e| vec![
                        e.set("delivered_at", json!("2026-12-08T10:00:00")).unwrap(),
                        e.transition("status", to).unwrap(),
                    ]),
                    Err(SalesPolicyError::Order(OrderError::DeliveryDateInFuture))
                );
            }
            if to == "delivered" {
                // The handover keeps every promise: no checklist, no VIN, no delivery.
                let bare = |e: &Edit<'_>| {
                    vec![
                        e.set("delivered_at", json!("2026-12-07T10:00:00")).unwrap(),
                        e.transition("status", "delivered").unwrap(),
                    ]
                };
                assert_eq!(
                    o.at(&wang, t, bare),
                    Err(SalesPolicyError::Order(OrderError::PromisesOpen))
                );
                for item in super::super::order::STANDARD_ITEMS {
                    o.at(&wang, t, |e| {
                        vec![e.set_add("checklist_done", item).unwrap()]
                    })
                    .unwrap();
                }
                assert_eq!(o.at(&wang, t, bare), Err(SalesPolicyError::VinInvalid));
                o.at(&wang, t, |e| {
                    vec![e.set("vin", json!("LSVAG2189C2184523")).unwrap()]
                })
                .unwrap();
            }
            let (field, value) = match to {
                "delivered" => ("delivered_at", "2026-12-07T10:00:00"),
                _ => ("cancel_reason", "long_wait"),
            };
            o.at(&wang, t, |e| {
                vec![
                    e.set(field, json!(value)).unwrap(),
                    e.transition("status", to).unwrap(),
                ]
            })
            .unwrap();
            for who in [wang.clone(), manager()] {
                assert_eq!(
                    o.at(&who, t + MIN, |e| vec![
                        e.set("price", json!(150_000)).unwrap()
                    ]),
                    Err(SalesPolicyError::Order(OrderError::OrderNotOpen)),
                    "{to}"
                );
            }
            // The same value again (a form saving other fields) is not a change.
            o.at(&wang, t + MIN, |e| {
                vec![
                    e.set("price", json!(175_000)).unwrap(),
                    e.set("plate", json!("沪A·12345")).unwrap(),
                ]
            })
            .unwrap();
        }
    }

    #[test]
    fn a_visit_is_taken_back_by_the_reception_desks_rule() {
        let wang = consultant(WANG);
        let visit = |who: &str, card: &str| {
            let mut v = Rec::new(&VISIT);
            v.at(&manager(), NINE_AM, |e| {
                vec![
                    e.set("consultant_id", json!(who)).unwrap(),
                    e.set("time_in", json!("2026-12-07T09:00:00")).unwrap(),
                    e.set("a_card_id", json!(card)).unwrap(),
                ]
            })
            .unwrap();
            v
        };
        let bin = |e: &Edit<'_>| vec![e.delete()];
        let same_day = NINE_AM + 60 * MIN;
        let next_day = NINE_AM + 24 * 60 * MIN;
        let withdraw = |e| Err(SalesPolicyError::Withdraw(e));
        assert_eq!(
            visit(LI, "").at(&wang, same_day, bin),
            withdraw(VisitError::WithdrawNotYours)
        );
        assert_eq!(
            visit(WANG, "").at(&wang, next_day, bin),
            withdraw(VisitError::WithdrawPastDay)
        );
        assert_eq!(
            visit(WANG, "0190f000-0000-7000-8000-000000000001").at(&wang, same_day, bin),
            withdraw(VisitError::WithdrawHasCard)
        );
        visit(WANG, "").at(&wang, same_day, bin).unwrap();
        visit(LI, "x").at(&manager(), next_day, bin).unwrap();
        assert!(SalesPolicyError::Withdraw(VisitError::WithdrawPastDay).is_forbidden());
        assert!(!SalesPolicyError::Withdraw(VisitError::WithdrawHasCard).is_forbidden());
    }

    #[test]
    fn points_are_a_managers_and_a_group_has_someone_in_it() {
        use crate::records::C_CARD;
        let mut c = Rec::new(&C_CARD);
        let gift = |e: &Edit<'_>| vec![e.add("points", 5_000).unwrap()];
        for who in [consultant(WANG), Actor::new(LI, &[Role::ServiceAdvisor])] {
            assert_eq!(c.by(&who, gift), Err(SalesPolicyError::PointsManagerOnly));
        }
        c.by(&manager(), gift).unwrap();
        assert_eq!(
            SalesPolicyError::PointsManagerOnly.code(),
            "points_manager_only"
        );
        let mut v = Rec::new(&VISIT);
        for bad in [json!(0), json!(-3), json!("很多"), json!(2.5)] {
            assert_eq!(
                v.by(&consultant(WANG), |e| vec![
                    e.set("group_size", bad.clone()).unwrap()
                ]),
                Err(SalesPolicyError::Visit(VisitError::EmptyGroup)),
                "{bad}"
            );
        }
        v.by(&consultant(WANG), |e| {
            vec![e.set("group_size", json!(3)).unwrap()]
        })
        .unwrap();
    }

    #[test]
    fn a_cancelled_order_says_why() {
        let wang = consultant(WANG);
        let t = NINE_AM + 30 * MIN;
        let mut o = signed_order(NINE_AM);
        let cancel = |e: &Edit<'_>| vec![e.transition("status", "cancelled").unwrap()];
        assert_eq!(
            o.at(&wang, t, cancel),
            Err(SalesPolicyError::CancelReasonMissing)
        );
        assert_eq!(
            o.at(&wang, t, |e| vec![
                e.set("cancel_reason", json!("不想要了")).unwrap(),
                e.transition("status", "cancelled").unwrap(),
            ]),
            Err(SalesPolicyError::CancelReasonMissing)
        );
        assert_eq!(
            o.at(&wang, t, |e| vec![
                e.set("cancel_reason", json!("other")).unwrap(),
                e.transition("status", "cancelled").unwrap(),
            ]),
            Err(SalesPolicyError::Order(
                OrderError::CancellationNoteRequired
            ))
        );
        o.at(&wang, t, |e| {
            vec![
                e.set("cancel_reason", json!("other")).unwrap(),
                e.set("cancel_note", json!("客户家庭原因")).unwrap(),
                e.transition("status", "cancelled").unwrap(),
            ]
        })
        .unwrap();
        assert_eq!(
            SalesPolicyError::CancelReasonMissing.code(),
            "order_cancel_reason_missing"
        );
    }

    #[test]
    fn a_consultants_card_has_a_real_phone_number() {
        let mut c = Rec::new(&A_CARD);
        for bad in [
            json!("139-0000-111x"),
            json!("12345"),
            json!(13_900_001_111_i64),
        ] {
            assert_eq!(
                c.by(&consultant(WANG), |e| vec![
                    e.set("consultant_id", json!(WANG)).unwrap(),
                    e.set("phone", bad.clone()).unwrap(),
                ]),
                Err(SalesPolicyError::PhoneInvalid),
                "{bad}"
            );
        }
        c.by(&consultant(WANG), |e| {
            vec![
                e.set("consultant_id", json!(WANG)).unwrap(),
                e.set("phone", json!("139-0000-1111")).unwrap(),
            ]
        })
        .unwrap();
        // An old list imported by the manager keeps what it had.
        c.by(&manager(), |e| {
            vec![e.set("phone", json!("12345")).unwrap()]
        })
        .unwrap();
        assert_eq!(
            SalesPolicyError::PhoneInvalid.code(),
            "a_card_phone_invalid"
        );
    }
}
