//! Loss (战败/流失) of an A-card and the A-card status state machine [mgmt, seed 001 §一.2.8, §一.6].
//!
//! ```text
//!            propose_loss (consultant)          record_re_contact (manager)
//! following ───────────────────────► loss_proposed ──────────────────────► re_contacted
//!    ▲  ▲                                 │                                  │    │
//!    │  └──────── send_back (manager) ────┴──────────────────────────────────┘    │ confirm_loss
//!    │                                                                            ▼ (manager)
//!    └───────────────────────── reactivate (manager) ────────────────────────── lost
//! following / loss_proposed / re_contacted ── place_order ──► ordered ── deliver ──► delivered
//! ordered ── cancel_order (退单) ──► following
//! ```
//!
//! The seed: before an A-card is judged lost, the sales manager (销售部长) or a higher leader contacts
//! the customer again; only then is it lost. After loss, don't give up: the manager may contact the
//! customer again and bring the card back (`reactivate`).
//!
//! "Manager" here means the sales manager or the general manager.

use super::UserError;
use super::kpi::Period;
use crate::roles::{Area, Role};
use crate::time::StoreClock;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Why an A-card was lost (战败原因), analysed monthly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossReason {
    /// 转购他品牌
    OtherBrand,
    /// 转他店购买 (same brand, another dealer)
    OtherStore,
    /// 车型意向转变
    ChangedModel,
    /// 放弃购车
    GaveUpBuying,
    /// A 卡信息有误或丢失
    BadContactData,
    /// 销售顾问变更/离职导致无法跟踪
    ConsultantLeft,
}

impl LossReason {
    pub const ALL: [LossReason; 6] = [
        LossReason::OtherBrand,
        LossReason::OtherStore,
        LossReason::ChangedModel,
        LossReason::GaveUpBuying,
        LossReason::BadContactData,
        LossReason::ConsultantLeft,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LossReason::OtherBrand => "other_brand",
            LossReason::OtherStore => "other_store",
            LossReason::ChangedModel => "changed_model",
            LossReason::GaveUpBuying => "gave_up_buying",
            LossReason::BadContactData => "bad_contact_data",
            LossReason::ConsultantLeft => "consultant_left",
        }
    }

    pub fn parse(s: &str) -> Option<LossReason> {
        LossReason::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            LossReason::OtherBrand => "转购他品牌",
            LossReason::OtherStore => "转他店购买",
            LossReason::ChangedModel => "车型意向转变",
            LossReason::GaveUpBuying => "放弃购车",
            LossReason::BadContactData => "信息有误或丢失",
            LossReason::ConsultantLeft => "销售顾问变更",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            LossReason::OtherBrand => "Bought another brand",
            LossReason::OtherStore => "Bought at another store",
            LossReason::ChangedModel => "Changed intended model",
            LossReason::GaveUpBuying => "Gave up buying",
            LossReason::BadContactData => "Wrong or missing contact data",
            LossReason::ConsultantLeft => "Consultant left",
        }
    }
}

/// What the manager's re-contact call found (再次联络结果).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReContactOutcome {
    /// The customer confirmed they will not buy here.
    ConfirmedLost,
    /// The customer is willing to talk again: the card should go back to a consultant.
    WillReconsider,
    /// Nobody answered / the number is wrong.
    Unreachable,
}

/// The status of an A-card; a sync status field later, so the strings are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ACardStatus {
    /// 跟进中
    Following,
    /// 申请战败 (proposed by the consultant)
    LossProposed,
    /// 经理已回访 (the manager re-contacted the customer)
    ReContacted,
    /// 已战败 (confirmed by a manager)
    Lost,
    /// 已订车
    Ordered,
    /// 已交车
    Delivered,
}

impl ACardStatus {
    pub const ALL: [ACardStatus; 6] = [
        ACardStatus::Following,
        ACardStatus::LossProposed,
        ACardStatus::ReContacted,
        ACardStatus::Lost,
        ACardStatus::Ordered,
        ACardStatus::Delivered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ACardStatus::Following => "following",
            ACardStatus::LossProposed => "loss_proposed",
            ACardStatus::ReContacted => "re_contacted",
            ACardStatus::Lost => "lost",
            ACardStatus::Ordered => "ordered",
            ACardStatus::Delivered => "delivered",
        }
    }

    pub fn parse(s: &str) -> Option<ACardStatus> {
        ACardStatus::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Position in the funnel, for merges: a later stage has a higher rank.
    /// following 0 < loss_proposed 1 < re_contacted 2 < lost 3 < ordered 4 < delivered 5.
    /// A sale outranks a loss (a customer who signed is not lost, whatever another device said).
    /// Note: `send_back`, `reactivate` and `cancel_order` move a card *down*; a merge that only takes
    /// the higher rank would undo them, so the sync layer must order such moves by their clock.
    pub fn rank(self) -> u8 {
        match self {
            ACardStatus::Following => 0,
            ACardStatus::LossProposed => 1,
            ACardStatus::ReContacted => 2,
            ACardStatus::Lost => 3,
            ACardStatus::Ordered => 4,
            ACardStatus::Delivered => 5,
        }
    }

    /// An open card is one a consultant still works on.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ACardStatus::Following | ACardStatus::LossProposed | ACardStatus::ReContacted
        )
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ACardStatus::Following => "跟进中",
            ACardStatus::LossProposed => "申请战败",
            ACardStatus::ReContacted => "经理已回访",
            ACardStatus::Lost => "已战败",
            ACardStatus::Ordered => "已订车",
            ACardStatus::Delivered => "已交车",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ACardStatus::Following => "Following up",
            ACardStatus::LossProposed => "Loss proposed",
            ACardStatus::ReContacted => "Re-contacted by manager",
            ACardStatus::Lost => "Lost",
            ACardStatus::Ordered => "Ordered",
            ACardStatus::Delivered => "Delivered",
        }
    }

    /// The status after `action`, or why not. Checks the role (first), then the move; the data rules of an
    /// action (a note, the re-contact outcome) are checked by [`LossFile::apply`].
    pub fn next(self, action: ACardActionKind, roles: &[Role]) -> Result<ACardStatus, LossError> {
        use ACardActionKind as K;
        use ACardStatus as S;
        // The role first: someone who may never do this move is told so, whatever the card's state.
        if !action.allowed(roles) {
            return Err(match action {
                K::ConfirmLoss => LossError::OnlyManagerMayConfirm,
                _ => LossError::RoleMayNot { action },
            });
        }
        let to = match (self, action) {
            (S::Following, K::ProposeLoss) => S::LossProposed,
            (S::LossProposed, K::RecordReContact) => S::ReContacted,
            (S::ReContacted, K::RecordReContact) => S::ReContacted,
            (S::ReContacted, K::ConfirmLoss) => S::Lost,
            (S::LossProposed, K::ConfirmLoss) => return Err(LossError::ReContactRequired),
            (S::LossProposed | S::ReContacted, K::SendBack) => S::Following,
            (S::Lost, K::Reactivate) => S::Following,
            (S::Following | S::LossProposed | S::ReContacted, K::PlaceOrder) => S::Ordered,
            (S::Ordered, K::CancelOrder) => S::Following,
            (S::Ordered, K::Deliver) => S::Delivered,
            (from, action) => return Err(LossError::NotAllowedFrom { action, from }),
        };
        Ok(to)
    }
}

/// The kinds of move on an A-card's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ACardActionKind {
    /// 申请战败
    ProposeLoss,
    /// 经理回访
    RecordReContact,
    /// 确认战败
    ConfirmLoss,
    /// 退回顾问继续跟进
    SendBack,
    /// 激活战败 A 卡
    Reactivate,
    /// 签订单
    PlaceOrder,
    /// 退单
    CancelOrder,
    /// 交车
    Deliver,
}

impl ACardActionKind {
    pub const ALL: [ACardActionKind; 8] = [
        ACardActionKind::ProposeLoss,
        ACardActionKind::RecordReContact,
        ACardActionKind::ConfirmLoss,
        ACardActionKind::SendBack,
        ACardActionKind::Reactivate,
        ACardActionKind::PlaceOrder,
        ACardActionKind::CancelOrder,
        ACardActionKind::Deliver,
    ];

    /// Who may do it. Proposing a loss is open to managers too (e.g. for the cards of a consultant
    /// who left); the re-contact, the confirmation, sending back and reactivating are the manager's.
    /// Anyone who works in sales may do the first kind; those who manage sales
    /// ([`Role::manages`]) the second.
    pub fn allowed(self, roles: &[Role]) -> bool {
        match self {
            ACardActionKind::ProposeLoss
            | ACardActionKind::PlaceOrder
            | ACardActionKind::CancelOrder
            | ACardActionKind::Deliver => Role::any_works_in(roles, Area::Sales),
            ACardActionKind::RecordReContact
            | ACardActionKind::ConfirmLoss
            | ACardActionKind::SendBack
            | ACardActionKind::Reactivate => Role::any_manages(roles, Area::Sales),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ACardActionKind::ProposeLoss => "propose_loss",
            ACardActionKind::RecordReContact => "record_re_contact",
            ACardActionKind::ConfirmLoss => "confirm_loss",
            ACardActionKind::SendBack => "send_back",
            ACardActionKind::Reactivate => "reactivate",
            ACardActionKind::PlaceOrder => "place_order",
            ACardActionKind::CancelOrder => "cancel_order",
            ACardActionKind::Deliver => "deliver",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ACardActionKind::ProposeLoss => "申请战败",
            ACardActionKind::RecordReContact => "记录经理回访",
            ACardActionKind::ConfirmLoss => "确认战败",
            ACardActionKind::SendBack => "退回继续跟进",
            ACardActionKind::Reactivate => "激活战败卡",
            ACardActionKind::PlaceOrder => "签订单",
            ACardActionKind::CancelOrder => "退单",
            ACardActionKind::Deliver => "交车",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ACardActionKind::ProposeLoss => "propose a loss",
            ACardActionKind::RecordReContact => "record the manager's re-contact",
            ACardActionKind::ConfirmLoss => "confirm the loss",
            ACardActionKind::SendBack => "send back for follow-up",
            ACardActionKind::Reactivate => "reactivate a lost card",
            ACardActionKind::PlaceOrder => "place an order",
            ACardActionKind::CancelOrder => "cancel the order",
            ACardActionKind::Deliver => "deliver",
        }
    }
}

/// A move with its data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ACardAction {
    ProposeLoss {
        reason: LossReason,
        note: String,
    },
    RecordReContact {
        outcome: ReContactOutcome,
        note: String,
    },
    ConfirmLoss,
    SendBack,
    Reactivate,
    PlaceOrder,
    CancelOrder,
    Deliver,
}

impl ACardAction {
    pub fn kind(&self) -> ACardActionKind {
        match self {
            ACardAction::ProposeLoss { .. } => ACardActionKind::ProposeLoss,
            ACardAction::RecordReContact { .. } => ACardActionKind::RecordReContact,
            ACardAction::ConfirmLoss => ACardActionKind::ConfirmLoss,
            ACardAction::SendBack => ACardActionKind::SendBack,
            ACardAction::Reactivate => ACardActionKind::Reactivate,
            ACardAction::PlaceOrder => ACardActionKind::PlaceOrder,
            ACardAction::CancelOrder => ACardActionKind::CancelOrder,
            ACardAction::Deliver => ACardActionKind::Deliver,
        }
    }
}

/// The loss-related state of one A-card: its status, the open proposal and the last re-contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LossFile {
    pub status: ACardStatus,
    /// The consultant's proposal (reason + note); kept after confirmation for the monthly analysis.
    pub proposal: Option<(LossReason, String)>,
    /// The manager's last re-contact of the current proposal.
    pub re_contact: Option<(ReContactOutcome, String)>,
}

impl Default for LossFile {
    fn default() -> Self {
        LossFile {
            status: ACardStatus::Following,
            proposal: None,
            re_contact: None,
        }
    }
}

impl LossFile {
    /// Apply a move by someone with `roles`: checks the transition, the role and the data rules —
    /// a proposal and a re-contact need a note; a loss cannot be confirmed when the re-contact found
    /// the customer willing to reconsider (send it back instead).
    pub fn apply(&self, action: &ACardAction, roles: &[Role]) -> Result<LossFile, LossError> {
        let status = self.status.next(action.kind(), roles)?;
        let mut next = LossFile {
            status,
            ..self.clone()
        };
        match action {
            ACardAction::ProposeLoss { reason, note } => {
                if note.trim().is_empty() {
                    return Err(LossError::NoteRequired);
                }
                next.proposal = Some((*reason, note.trim().to_string()));
                next.re_contact = None;
            }
            ACardAction::RecordReContact { outcome, note } => {
                if note.trim().is_empty() {
                    return Err(LossError::NoteRequired);
                }
                next.re_contact = Some((*outcome, note.trim().to_string()));
            }
            ACardAction::ConfirmLoss => {
                if matches!(self.re_contact, Some((ReContactOutcome::WillReconsider, _))) {
                    return Err(LossError::CustomerWillReconsider);
                }
            }
            ACardAction::SendBack | ACardAction::Reactivate => {
                next.proposal = None;
                next.re_contact = None;
            }
            ACardAction::PlaceOrder | ACardAction::CancelOrder | ACardAction::Deliver => {
                next.proposal = None;
                next.re_contact = None;
            }
        }
        Ok(next)
    }
}

/// Why a move on an A-card was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LossError {
    #[error("cannot {action:?} a card that is {from:?}")]
    NotAllowedFrom {
        action: ACardActionKind,
        from: ACardStatus,
    },
    #[error("your role may not {action:?}")]
    RoleMayNot { action: ACardActionKind },
    #[error("only the sales manager or the general manager may confirm a loss")]
    OnlyManagerMayConfirm,
    #[error("the manager must re-contact the customer before the loss is confirmed")]
    ReContactRequired,
    #[error("a note is required")]
    NoteRequired,
    #[error("the customer is willing to reconsider: send the card back instead")]
    CustomerWillReconsider,
}

impl UserError for LossError {
    fn code(&self) -> &'static str {
        match self {
            LossError::NotAllowedFrom { .. } => "a_card_move_not_allowed",
            LossError::RoleMayNot { .. } => "a_card_role_may_not",
            LossError::OnlyManagerMayConfirm => "a_card_only_manager_may_confirm_loss",
            LossError::ReContactRequired => "a_card_re_contact_required",
            LossError::NoteRequired => "a_card_note_required",
            LossError::CustomerWillReconsider => "a_card_customer_will_reconsider",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            LossError::NotAllowedFrom { action, from } => {
                format!("“{}”状态的 A 卡不能{}", from.label_zh(), action.label_zh())
            }
            LossError::RoleMayNot { action } => format!("您的岗位无权{}", action.label_zh()),
            LossError::OnlyManagerMayConfirm => "只有销售经理或总经理可以确认战败".into(),
            LossError::ReContactRequired => {
                "确认战败前,销售经理须再次联络客户并记录回访结果".into()
            }
            LossError::NoteRequired => "请填写说明".into(),
            LossError::CustomerWillReconsider => {
                "回访时客户表示愿意再考虑,请退回顾问继续跟进,不能确认战败".into()
            }
        }
    }

    fn message_en(&self) -> String {
        match self {
            LossError::NotAllowedFrom { action, from } => format!(
                "A card that is “{}” cannot {}",
                from.label_en(),
                action.label_en()
            ),
            LossError::RoleMayNot { action } => {
                format!("Your role may not {}", action.label_en())
            }
            LossError::OnlyManagerMayConfirm => {
                "Only the sales manager or the general manager may confirm a loss".into()
            }
            LossError::ReContactRequired => {
                "The sales manager must contact the customer again and record it before confirming the loss"
                    .into()
            }
            LossError::NoteRequired => "Please write a note".into(),
            LossError::CustomerWillReconsider => {
                "The customer is willing to reconsider: send the card back to a consultant instead"
                    .into()
            }
        }
    }
}

/// A confirmed loss, as a fact for the monthly analysis (战败原因分析).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LostCardFact {
    pub id: Uuid,
    pub consultant: Uuid,
    pub reason: LossReason,
    /// The day the loss was confirmed.
    pub lost_on: NaiveDate,
}

/// The cards lost for one reason in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonCount {
    pub reason: LossReason,
    /// The card ids, sorted.
    pub cards: Vec<Uuid>,
}

/// The monthly loss analysis [mgmt: 每月搜集流失 A 卡,进行数据分析]: the cards confirmed lost in the
/// period, grouped by reason; every reason is listed (zero included), the most frequent first, ties
/// in [`LossReason::ALL`] order.
pub fn loss_analysis(lost: &[LostCardFact], period: Period) -> Vec<ReasonCount> {
    let mut out: Vec<ReasonCount> = LossReason::ALL
        .into_iter()
        .map(|reason| {
            let mut cards: Vec<Uuid> = lost
                .iter()
                .filter(|l| l.reason == reason && period.contains(l.lost_on))
                .map(|l| l.id)
                .collect();
            cards.sort();
            ReasonCount { reason, cards }
        })
        .collect();
    // A stable sort keeps the ALL order among equal counts.
    out.sort_by_key(|r| std::cmp::Reverse(r.cards.len()));
    out
}

impl ReContactOutcome {
    pub const ALL: [ReContactOutcome; 3] = [
        ReContactOutcome::ConfirmedLost,
        ReContactOutcome::WillReconsider,
        ReContactOutcome::Unreachable,
    ];

    /// The stable string stored in a `re_contacts` entry's `outcome`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReContactOutcome::ConfirmedLost => "confirmed_lost",
            ReContactOutcome::WillReconsider => "will_reconsider",
            ReContactOutcome::Unreachable => "unreachable",
        }
    }

    pub fn parse(s: &str) -> Option<ReContactOutcome> {
        ReContactOutcome::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ReContactOutcome::ConfirmedLost => "确认不在本店购买",
            ReContactOutcome::WillReconsider => "客户愿意再考虑",
            ReContactOutcome::Unreachable => "联系不上",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ReContactOutcome::ConfirmedLost => "Confirmed: will not buy here",
            ReContactOutcome::WillReconsider => "Willing to reconsider",
            ReContactOutcome::Unreachable => "Could not be reached",
        }
    }
}

impl LossFile {
    /// The loss file of a card as it is stored: the shown `status`, the `loss_reason` and
    /// `loss_note` fields and the `outcome` of the last `re_contacts` entry. A status or reason
    /// this build does not know reads as `following` / no proposal.
    pub fn of_card(
        status: &str,
        loss_reason: &str,
        loss_note: &str,
        last_re_contact_outcome: Option<&str>,
    ) -> LossFile {
        let status = ACardStatus::parse(status).unwrap_or(ACardStatus::Following);
        let proposal = LossReason::parse(loss_reason).map(|r| (r, loss_note.to_string()));
        // A re-contact only counts for the proposal under review or the confirmed loss.
        let re_contact = matches!(status, ACardStatus::ReContacted | ACardStatus::Lost)
            .then(|| last_re_contact_outcome.and_then(ReContactOutcome::parse))
            .flatten()
            .map(|o| (o, String::new()));
        LossFile {
            status,
            proposal,
            re_contact,
        }
    }
}

/// A card confirmed lost, as plain facts read from the card: its `loss_reason`, its
/// `intended_model` (catalogue code) and the HLC wall time (Unix ms) of the write that moved its
/// `status` to `lost` (docs/demo.md, "Record conventions").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LossFact {
    pub id: Uuid,
    /// `None` when the card has no reason this build knows.
    pub reason: Option<LossReason>,
    pub model: String,
    pub lost_hlc_ms: u64,
}

/// The cards lost with one intended model in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelCount {
    /// The catalogue code ("" when the card had none).
    pub model: String,
    /// The card ids, sorted.
    pub cards: Vec<Uuid>,
}

/// The monthly loss analysis (战败分析) of one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyLosses {
    /// Every card confirmed lost in the month, sorted.
    pub cards: Vec<Uuid>,
    /// Every reason (zero included), the most frequent first, ties in [`LossReason::ALL`] order.
    pub by_reason: Vec<ReasonCount>,
    /// Cards lost without a known reason (old data), sorted.
    pub no_reason: Vec<Uuid>,
    /// The intended models that lost cards, the most frequent first, ties by code.
    pub by_model: Vec<ModelCount>,
}

/// The cards confirmed lost in the calendar month `year`-`month` (store-local days of the
/// confirming write's HLC), by reason and by intended model. `None` for an invalid month.
pub fn monthly_losses(
    facts: &[LossFact],
    year: i32,
    month: u32,
    clock: StoreClock,
) -> Option<MonthlyLosses> {
    let period = Period::month(year, month)?;
    let in_month: Vec<&LossFact> = facts
        .iter()
        .filter(|f| {
            clock
                .day_of_ms(f.lost_hlc_ms)
                .is_some_and(|d| period.contains(d))
        })
        .collect();
    let sorted = |mut ids: Vec<Uuid>| {
        ids.sort();
        ids.dedup();
        ids
    };
    let mut by_reason: Vec<ReasonCount> = LossReason::ALL
        .into_iter()
        .map(|reason| ReasonCount {
            reason,
            cards: sorted(
                in_month
                    .iter()
                    .filter(|f| f.reason == Some(reason))
                    .map(|f| f.id)
                    .collect(),
            ),
        })
        .collect();
    by_reason.sort_by_key(|r| std::cmp::Reverse(r.cards.len()));
    let mut models: Vec<String> = in_month.iter().map(|f| f.model.clone()).collect();
    models.sort();
    models.dedup();
    let mut by_model: Vec<ModelCount> = models
        .into_iter()
        .map(|model| ModelCount {
            cards: sorted(
                in_month
                    .iter()
                    .filter(|f| f.model == model)
                    .map(|f| f.id)
                    .collect(),
            ),
            model,
        })
        .collect();
    by_model.sort_by_key(|m| std::cmp::Reverse(m.cards.len()));
    Some(MonthlyLosses {
        cards: sorted(in_month.iter().map(|f| f.id).collect()),
        no_reason: sorted(
            in_month
                .iter()
                .filter(|f| f.reason.is_none())
                .map(|f| f.id)
                .collect(),
        ),
        by_reason,
        by_model,
    })
}

/// Whether a card in `status` belongs in the loss review queue (申请战败 or 经理已回访).
pub fn in_review(status: &str) -> bool {
    matches!(
        ACardStatus::parse(status),
        Some(ACardStatus::LossProposed | ACardStatus::ReContacted)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ACardActionKind as K;
    use ACardStatus as S;

    const CONSULTANT: &[Role] = &[Role::SalesConsultant];
    const SALES_MGR: &[Role] = &[Role::SalesManager];
    const GM: &[Role] = &[Role::GeneralManager];

    fn propose() -> ACardAction {
        ACardAction::ProposeLoss {
            reason: LossReason::OtherBrand,
            note: "客户已在隔壁订了思域".into(),
        }
    }

    fn re_contact(outcome: ReContactOutcome) -> ACardAction {
        ACardAction::RecordReContact {
            outcome,
            note: "经理电话回访".into(),
        }
    }

    #[test]
    fn the_full_loss_path() {
        let f = LossFile::default();
        let f = f.apply(&propose(), CONSULTANT).unwrap();
        assert_eq!(f.status, S::LossProposed);
        assert_eq!(
            f.proposal,
            Some((LossReason::OtherBrand, "客户已在隔壁订了思域".into()))
        );
        let f = f
            .apply(&re_contact(ReContactOutcome::ConfirmedLost), SALES_MGR)
            .unwrap();
        assert_eq!(f.status, S::ReContacted);
        let f = f.apply(&ACardAction::ConfirmLoss, GM).unwrap();
        assert_eq!(f.status, S::Lost);
        // The reason stays for the monthly loss analysis.
        assert_eq!(f.proposal.unwrap().0, LossReason::OtherBrand);
    }

    #[test]
    fn confirming_without_re_contact_is_refused() {
        let f = LossFile::default().apply(&propose(), CONSULTANT).unwrap();
        assert_eq!(
            f.apply(&ACardAction::ConfirmLoss, SALES_MGR),
            Err(LossError::ReContactRequired)
        );
        assert_eq!(
            S::Following.next(K::ConfirmLoss, SALES_MGR),
            Err(LossError::NotAllowedFrom {
                action: K::ConfirmLoss,
                from: S::Following
            })
        );
    }

    #[test]
    fn a_consultant_may_not_confirm_or_re_contact() {
        assert_eq!(
            S::ReContacted.next(K::ConfirmLoss, CONSULTANT),
            Err(LossError::OnlyManagerMayConfirm)
        );
        // Even before the re-contact, a consultant is told the move is not theirs.
        assert_eq!(
            S::LossProposed.next(K::ConfirmLoss, CONSULTANT),
            Err(LossError::OnlyManagerMayConfirm)
        );
        assert_eq!(
            S::LossProposed.next(K::RecordReContact, CONSULTANT),
            Err(LossError::RoleMayNot {
                action: K::RecordReContact
            })
        );
        assert_eq!(
            S::Lost.next(K::Reactivate, CONSULTANT),
            Err(LossError::RoleMayNot {
                action: K::Reactivate
            })
        );
        // Other staff may do nothing to an A-card.
        assert_eq!(
            S::Following.next(K::ProposeLoss, &[Role::ServiceAdvisor]),
            Err(LossError::RoleMayNot {
                action: K::ProposeLoss
            })
        );
        // Several roles: any one allowed role suffices.
        assert_eq!(
            S::ReContacted.next(K::ConfirmLoss, &[Role::SalesConsultant, Role::SalesManager]),
            Ok(S::Lost)
        );
    }

    #[test]
    fn reconsidering_customer_goes_back_to_following() {
        let f = LossFile::default()
            .apply(&propose(), CONSULTANT)
            .unwrap()
            .apply(&re_contact(ReContactOutcome::WillReconsider), SALES_MGR)
            .unwrap();
        assert_eq!(
            f.apply(&ACardAction::ConfirmLoss, SALES_MGR),
            Err(LossError::CustomerWillReconsider)
        );
        let back = f.apply(&ACardAction::SendBack, SALES_MGR).unwrap();
        assert_eq!(back, LossFile::default());
    }

    #[test]
    fn unreachable_customer_may_be_confirmed_after_the_attempt() {
        let f = LossFile::default()
            .apply(
                &ACardAction::ProposeLoss {
                    reason: LossReason::BadContactData,
                    note: "空号".into(),
                },
                CONSULTANT,
            )
            .unwrap()
            .apply(&re_contact(ReContactOutcome::Unreachable), SALES_MGR)
            .unwrap();
        assert_eq!(
            f.apply(&ACardAction::ConfirmLoss, SALES_MGR)
                .unwrap()
                .status,
            S::Lost
        );
    }

    #[test]
    fn notes_are_required() {
        let no_note = ACardAction::ProposeLoss {
            reason: LossReason::GaveUpBuying,
            note: "  ".into(),
        };
        assert_eq!(
            LossFile::default().apply(&no_note, CONSULTANT),
            Err(LossError::NoteRequired)
        );
        let f = LossFile::default().apply(&propose(), CONSULTANT).unwrap();
        let empty = ACardAction::RecordReContact {
            outcome: ReContactOutcome::ConfirmedLost,
            note: String::new(),
        };
        assert_eq!(f.apply(&empty, SALES_MGR), Err(LossError::NoteRequired));
    }

    #[test]
    fn order_and_delivery_path() {
        assert_eq!(S::Following.next(K::PlaceOrder, CONSULTANT), Ok(S::Ordered));
        // A customer who signs while a loss is pending is not lost.
        assert_eq!(
            S::LossProposed.next(K::PlaceOrder, CONSULTANT),
            Ok(S::Ordered)
        );
        assert_eq!(S::Ordered.next(K::Deliver, CONSULTANT), Ok(S::Delivered));
        assert_eq!(
            S::Ordered.next(K::CancelOrder, CONSULTANT),
            Ok(S::Following)
        );
        assert_eq!(
            S::Delivered.next(K::CancelOrder, CONSULTANT),
            Err(LossError::NotAllowedFrom {
                action: K::CancelOrder,
                from: S::Delivered
            })
        );
        assert_eq!(
            S::Lost.next(K::PlaceOrder, CONSULTANT),
            Err(LossError::NotAllowedFrom {
                action: K::PlaceOrder,
                from: S::Lost
            })
        );
        assert_eq!(S::Lost.next(K::Reactivate, SALES_MGR), Ok(S::Following));
    }

    #[test]
    fn transition_table_is_exactly_as_documented() {
        let allowed: Vec<(S, K, S)> = vec![
            (S::Following, K::ProposeLoss, S::LossProposed),
            (S::Following, K::PlaceOrder, S::Ordered),
            (S::LossProposed, K::RecordReContact, S::ReContacted),
            (S::LossProposed, K::SendBack, S::Following),
            (S::LossProposed, K::PlaceOrder, S::Ordered),
            (S::ReContacted, K::RecordReContact, S::ReContacted),
            (S::ReContacted, K::ConfirmLoss, S::Lost),
            (S::ReContacted, K::SendBack, S::Following),
            (S::ReContacted, K::PlaceOrder, S::Ordered),
            (S::Lost, K::Reactivate, S::Following),
            (S::Ordered, K::CancelOrder, S::Following),
            (S::Ordered, K::Deliver, S::Delivered),
        ];
        let everyone = Role::ALL;
        let mut count = 0;
        for from in S::ALL {
            for action in K::ALL {
                match from.next(action, &everyone) {
                    Ok(to) => {
                        count += 1;
                        assert!(allowed.contains(&(from, action, to)), "{from:?} {action:?}");
                    }
                    Err(_) => assert!(
                        !allowed.iter().any(|(f, a, _)| *f == from && *a == action),
                        "{from:?} {action:?}"
                    ),
                }
            }
        }
        assert_eq!(count, allowed.len());
    }

    #[test]
    fn stable_strings_and_rank() {
        let names: Vec<_> = S::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names,
            [
                "following",
                "loss_proposed",
                "re_contacted",
                "lost",
                "ordered",
                "delivered"
            ]
        );
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        let ranks: Vec<u8> = S::ALL.iter().map(|s| s.rank()).collect();
        assert_eq!(ranks, [0, 1, 2, 3, 4, 5]);
        assert!(S::Ordered.rank() > S::Lost.rank());
        for r in LossReason::ALL {
            assert_eq!(LossReason::parse(r.as_str()), Some(r));
        }
    }

    #[test]
    fn error_messages_name_the_state_and_move() {
        let e = S::Delivered.next(K::ProposeLoss, CONSULTANT).unwrap_err();
        assert_eq!(e.code(), "a_card_move_not_allowed");
        assert_eq!(e.message_zh(), "“已交车”状态的 A 卡不能申请战败");
        assert_eq!(
            e.message_en(),
            "A card that is “Delivered” cannot propose a loss"
        );
    }

    #[test]
    fn monthly_loss_analysis_by_reason() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let lost = |n: u128, reason, on| LostCardFact {
            id: Uuid::from_u128(n),
            consultant: Uuid::from_u128(0xA1),
            reason,
            lost_on: on,
        };
        let facts = [
            lost(3, LossReason::OtherStore, d(5, 2)),
            lost(1, LossReason::OtherBrand, d(5, 31)),
            lost(2, LossReason::OtherStore, d(5, 20)),
            lost(4, LossReason::GaveUpBuying, d(6, 1)), // June
            lost(5, LossReason::OtherBrand, d(4, 30)),  // April
        ];
        let may = loss_analysis(&facts, Period::month(2026, 5).unwrap());
        assert_eq!(may.len(), LossReason::ALL.len());
        assert_eq!(may[0].reason, LossReason::OtherStore);
        assert_eq!(may[0].cards, vec![Uuid::from_u128(2), Uuid::from_u128(3)]);
        assert_eq!(may[1].reason, LossReason::OtherBrand);
        assert_eq!(may[1].cards, vec![Uuid::from_u128(1)]);
        // The reasons with no card keep their usual order.
        let rest: Vec<_> = may[2..].iter().map(|r| r.reason).collect();
        assert_eq!(
            rest,
            vec![
                LossReason::ChangedModel,
                LossReason::GaveUpBuying,
                LossReason::BadContactData,
                LossReason::ConsultantLeft
            ]
        );
        assert!(may[2..].iter().all(|r| r.cards.is_empty()));
    }

    fn fact(n: u128, reason: Option<LossReason>, model: &str, utc: &str) -> LossFact {
        let at = chrono::DateTime::parse_from_rfc3339(utc).unwrap();
        LossFact {
            id: Uuid::from_u128(n),
            reason,
            model: model.into(),
            lost_hlc_ms: at.timestamp_millis() as u64,
        }
    }

    #[test]
    fn a_loss_belongs_to_the_store_local_month_of_its_confirmation() {
        // 2026-05-31 17:30 UTC is 2026-06-01 01:30 in the store: June.
        assert_eq!(
            StoreClock::default().day_of_ms(
                chrono::DateTime::parse_from_rfc3339("2026-05-31T17:30:00Z")
                    .unwrap()
                    .timestamp_millis() as u64
            ),
            NaiveDate::from_ymd_opt(2026, 6, 1)
        );
        assert_eq!(
            StoreClock::default().day_of_ms(
                chrono::DateTime::parse_from_rfc3339("2026-05-31T15:59:59Z")
                    .unwrap()
                    .timestamp_millis() as u64
            ),
            NaiveDate::from_ymd_opt(2026, 5, 31)
        );
        assert_eq!(StoreClock::default().day_of_ms(u64::MAX), None);
    }

    #[test]
    fn monthly_losses_by_reason_and_model() {
        let facts = [
            fact(
                1,
                Some(LossReason::OtherBrand),
                "levin",
                "2026-05-03T02:00:00Z",
            ),
            fact(
                2,
                Some(LossReason::OtherStore),
                "corolla",
                "2026-05-10T02:00:00Z",
            ),
            fact(
                3,
                Some(LossReason::OtherBrand),
                "corolla",
                "2026-05-20T02:00:00Z",
            ),
            fact(4, None, "levin", "2026-05-21T02:00:00Z"),
            // Confirmed on the evening of 30 April UTC = 1 May in the store: May.
            fact(
                5,
                Some(LossReason::OtherBrand),
                "rav4",
                "2026-04-30T16:30:00Z",
            ),
            // 31 May 16:00 UTC = 1 June 00:00 in the store: June, not May.
            fact(
                6,
                Some(LossReason::GaveUpBuying),
                "levin",
                "2026-05-31T16:00:00Z",
            ),
            fact(
                7,
                Some(LossReason::OtherStore),
                "levin",
                "2026-04-10T02:00:00Z",
            ),
        ];
        let may = monthly_losses(&facts, 2026, 5, StoreClock::default()).unwrap();
        let ids = |v: &[u128]| v.iter().map(|n| Uuid::from_u128(*n)).collect::<Vec<_>>();
        assert_eq!(may.cards, ids(&[1, 2, 3, 4, 5]));
        assert_eq!(may.by_reason.len(), 6);
        assert_eq!(may.by_reason[0].reason, LossReason::OtherBrand);
        assert_eq!(may.by_reason[0].cards, ids(&[1, 3, 5]));
        assert_eq!(may.by_reason[1].reason, LossReason::OtherStore);
        assert_eq!(may.by_reason[1].cards, ids(&[2]));
        assert!(may.by_reason[2..].iter().all(|r| r.cards.is_empty()));
        assert_eq!(may.no_reason, ids(&[4]));
        let models: Vec<(&str, usize)> = may
            .by_model
            .iter()
            .map(|m| (m.model.as_str(), m.cards.len()))
            .collect();
        // Ties by code: corolla before levin.
        assert_eq!(models, vec![("corolla", 2), ("levin", 2), ("rav4", 1)]);
        let june = monthly_losses(&facts, 2026, 6, StoreClock::default()).unwrap();
        assert_eq!(june.cards, ids(&[6]));
        assert_eq!(june.by_reason[0].reason, LossReason::GaveUpBuying);
        // An empty month lists every reason at zero and no model.
        let empty = monthly_losses(&facts, 2025, 1, StoreClock::default()).unwrap();
        assert!(empty.cards.is_empty());
        assert!(empty.by_model.is_empty());
        assert_eq!(
            empty.by_reason.iter().map(|r| r.reason).collect::<Vec<_>>(),
            LossReason::ALL.to_vec()
        );
        assert_eq!(
            monthly_losses(&facts, 2026, 13, StoreClock::default()),
            None
        );
    }

    #[test]
    fn the_loss_file_of_a_stored_card() {
        let f = LossFile::of_card(
            "re_contacted",
            "other_brand",
            "订了思域",
            Some("will_reconsider"),
        );
        assert_eq!(f.status, S::ReContacted);
        assert_eq!(
            f.proposal,
            Some((LossReason::OtherBrand, "订了思域".to_string()))
        );
        // The stored card may not be confirmed: the customer will reconsider.
        assert_eq!(
            f.apply(&ACardAction::ConfirmLoss, SALES_MGR),
            Err(LossError::CustomerWillReconsider)
        );
        let f = LossFile::of_card("re_contacted", "other_brand", "x", Some("confirmed_lost"));
        assert_eq!(
            f.apply(&ACardAction::ConfirmLoss, SALES_MGR)
                .unwrap()
                .status,
            S::Lost
        );
        // An old re-contact of an earlier proposal does not count for a new proposal.
        let f = LossFile::of_card(
            "loss_proposed",
            "gave_up_buying",
            "x",
            Some("confirmed_lost"),
        );
        assert_eq!(f.re_contact, None);
        assert_eq!(
            f.apply(&ACardAction::ConfirmLoss, SALES_MGR),
            Err(LossError::ReContactRequired)
        );
        // Unknown strings are read safely.
        let f = LossFile::of_card("", "", "", None);
        assert_eq!(f, LossFile::default());
        for o in ReContactOutcome::ALL {
            assert_eq!(ReContactOutcome::parse(o.as_str()), Some(o));
        }
        assert!(in_review("loss_proposed") && in_review("re_contacted"));
        assert!(!in_review("lost") && !in_review("following") && !in_review("x"));
    }
}
