//! The loss workflow on stored A-cards (see [`super::loss`] for the state machine): each move
//! of the review is checked by [`LossFile::apply`] and returned as the plan of its writes on the
//! card ([`CardLoss`]); the review queue and the monthly analysis read cards as [`ReviewedCard`].
//!
//! Apart from `loss` because it reads the typed card (`records::sales::ACard`), which itself
//! uses the loss enums.

use chrono::NaiveDate;
use uuid::Uuid;

use super::follow_up::Channel;
use super::loss::{
    ACardAction, ACardStatus, LossError, LossFact, LossFile, LossReason, ReContactOutcome,
    in_review,
};
use crate::plan::{Plan, PlannedWrite, Step};
use crate::records::A_CARD;
use crate::records::sales::ACard;
use crate::roles::Role;
use crate::sync::RecordState;
use crate::time::{StoreClock, stored_date};

impl LossFile {
    /// The loss file of a stored card: its status, its `loss_reason` and `loss_note` and the
    /// `outcome` of its last `re_contacts` entry. A reason this build does not know reads as no
    /// proposal.
    pub fn of(card: &ACard) -> LossFile {
        let proposal = card
            .loss_reason
            .map(|r| (r, card.loss_note.clone().unwrap_or_default()));
        // A re-contact only counts for the proposal under review or the confirmed loss.
        let re_contact = matches!(card.status, ACardStatus::ReContacted | ACardStatus::Lost)
            .then(|| card.re_contacts.last()?.text("outcome"))
            .flatten()
            .and_then(ReContactOutcome::parse)
            .map(|o| (o, String::new()));
        LossFile {
            status: card.status,
            proposal,
            re_contact,
        }
    }
}

/// One A-card's loss workflow: each move is checked by [`LossFile::apply`] (role, state, data
/// rules) and returned as the plan of its writes on the card (one op), ready to execute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardLoss {
    pub card: Uuid,
    pub file: LossFile,
}

impl CardLoss {
    pub fn new(card: Uuid, file: LossFile) -> Self {
        CardLoss { card, file }
    }

    /// The loss workflow of a stored A-card (see [`LossFile::of`]).
    pub fn of(card: &ACard) -> Self {
        CardLoss::new(card.id, LossFile::of(card))
    }

    /// The card's write after `action` passed the rules; `steps` are added after the move.
    fn write(
        &self,
        action: &ACardAction,
        roles: &[Role],
        steps: impl FnOnce(PlannedWrite) -> PlannedWrite,
    ) -> Result<Plan, LossError> {
        let before = self.file.status;
        let after = self.file.apply(action, roles)?.status;
        let mut write = PlannedWrite::new(self.card, &A_CARD);
        // Re-recording a re-contact keeps the status: no move to the same state.
        if after != before {
            write = write.with(Step::Move("status", after.as_str()));
        }
        Ok(Plan::new().then(steps(write)))
    }

    /// 申请战败: `loss_proposed`, with the reason and the (trimmed, required) note.
    pub fn propose(
        &self,
        roles: &[Role],
        reason: LossReason,
        note: &str,
    ) -> Result<Plan, LossError> {
        let note = note.trim();
        let action = ACardAction::ProposeLoss {
            reason,
            note: note.to_string(),
        };
        self.write(&action, roles, |w| {
            w.set("loss_reason", reason.as_str()).set("loss_note", note)
        })
    }

    /// 记录回访: the entry `entry` in `re_contacts` (`outcome`, `channel`, trimmed note, required)
    /// and `re_contacted` (unless it already is).
    pub fn re_contact(
        &self,
        roles: &[Role],
        entry: Uuid,
        outcome: ReContactOutcome,
        channel: Channel,
        note: &str,
    ) -> Result<Plan, LossError> {
        let note = note.trim();
        let action = ACardAction::RecordReContact {
            outcome,
            note: note.to_string(),
        };
        let value = serde_json::json!({
            "outcome": outcome.as_str(),
            "channel": channel.as_str(),
            "note": note,
        });
        self.write(&action, roles, |w| {
            w.with(Step::Append("re_contacts", entry, value))
        })
    }

    /// 确认战败: `lost` (a manager's, after a re-contact that did not find the customer willing).
    pub fn confirm(&self, roles: &[Role]) -> Result<Plan, LossError> {
        self.write(&ACardAction::ConfirmLoss, roles, |w| w)
    }

    /// 退回跟进: `following` again, due `today`, and given to the consultant `to` when one is picked.
    pub fn send_back(
        &self,
        roles: &[Role],
        to: Option<&str>,
        today: NaiveDate,
    ) -> Result<Plan, LossError> {
        self.write(&ACardAction::SendBack, roles, |w| {
            let w = w.set("next_follow_up", stored_date(today));
            match to.map(str::trim).filter(|t| !t.is_empty()) {
                Some(to) => w.set("consultant_id", to),
                None => w,
            }
        })
    }

    /// 激活此卡: a lost card is `following` again, due `today`.
    pub fn reactivate(&self, roles: &[Role], today: NaiveDate) -> Result<Plan, LossError> {
        self.write(&ACardAction::Reactivate, roles, |w| {
            w.set("next_follow_up", stored_date(today))
        })
    }
}

/// An A-card as the loss review reads it: the typed card and the times (HLC wall time, Unix ms)
/// of the write of its current proposal (`loss_reason`) and of the write that moved it to `lost`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewedCard {
    pub card: ACard,
    pub proposed_ms: Option<u64>,
    pub lost_ms: Option<u64>,
}

impl ReviewedCard {
    pub fn of(r: &RecordState, clock: StoreClock) -> ReviewedCard {
        ReviewedCard {
            card: ACard::of(r, clock),
            proposed_ms: r.heads("loss_reason").last().map(|h| h.hlc.wall_ms),
            lost_ms: r
                .heads("status")
                .iter()
                .filter(|h| h.value.as_str() == Some(ACardStatus::Lost.as_str()))
                .map(|h| h.hlc.wall_ms)
                // The earliest, as the day the card closed (`kpi_reads::closed_on`): the
                // analysis reads a month's losses by that day (`kpi_reads::lost_within`).
                .min(),
        }
    }

    /// Whether the review queue of `me` shows the card: a manager's, every card under review; a
    /// consultant's, their own cards with a proposal that are under review or were lost.
    pub fn in_queue_of(&self, me: Option<Uuid>, manager: bool) -> bool {
        let c = &self.card;
        let under_review = in_review(c.status.as_str());
        if manager {
            under_review
        } else {
            me.is_some()
                && c.consultant_id == me
                && (under_review || c.status == ACardStatus::Lost)
                && c.loss_reason.is_some()
        }
    }

    /// The fact of a confirmed loss for the monthly analysis (`None` unless lost).
    pub fn loss_fact(&self) -> Option<LossFact> {
        let c = &self.card;
        (c.status == ACardStatus::Lost).then_some(())?;
        Some(LossFact {
            id: c.id,
            reason: c.loss_reason,
            model: c.intended_model.clone().unwrap_or_default(),
            lost_hlc_ms: self.lost_ms?,
        })
    }
}

/// The order of the review queue: cards under review first, the oldest proposal first (it has
/// waited longest).
pub fn queue_order(a: &ReviewedCard, b: &ReviewedCard) -> std::cmp::Ordering {
    let done = |r: &ReviewedCard| !in_review(r.card.status.as_str());
    done(a)
        .cmp(&done(b))
        .then(a.proposed_ms.unwrap_or(0).cmp(&b.proposed_ms.unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roles::Role;
    use crate::sales::loss::ACardActionKind;
    use ACardActionKind as K;
    use ACardStatus as S;

    const CONSULTANT: &[Role] = &[Role::SalesConsultant];
    const SALES_MGR: &[Role] = &[Role::SalesManager];
    const GM: &[Role] = &[Role::GeneralManager];
    use crate::sync::{Clock, Op, apply};
    use serde_json::json;

    use crate::sync::RecordState;

    const CARD: Uuid = Uuid::from_u128(0xCA);

    fn loss_of(card: &RecordState) -> CardLoss {
        CardLoss::of(&ACard::of(card, StoreClock::default()))
    }

    /// A card moved through `moves`, with a proposal and a re-contact with `outcome`.
    fn stored(moves: &[&'static str], reason: &str, outcome: Option<&str>) -> RecordState {
        let mut card = RecordState::new(CARD, "a_card", "demo");
        let mut w = PlannedWrite::new(CARD, &A_CARD)
            .set("loss_reason", reason)
            .set("loss_note", "订了思域");
        if let Some(o) = outcome {
            w = w.with(Step::Append(
                "re_contacts",
                Uuid::from_u128(9),
                json!({"outcome": o}),
            ));
        }
        let mut plan = Plan::new().then(w);
        // One write a move: each move is made from the state the previous one left.
        for to in moves {
            plan.push(PlannedWrite::new(CARD, &A_CARD).with(Step::Move("status", to)));
        }
        run(&plan, &mut card);
        card
    }

    #[test]
    fn the_loss_file_of_a_stored_card() {
        let card = stored(
            &["loss_proposed", "re_contacted"],
            "other_brand",
            Some("will_reconsider"),
        );
        let f = loss_of(&card).file;
        assert_eq!(f.status, S::ReContacted);
        assert_eq!(
            f.proposal,
            Some((LossReason::OtherBrand, "订了思域".to_string()))
        );
        // The stored card may not be confirmed: the customer will reconsider.
        assert_eq!(
            loss_of(&card).confirm(SALES_MGR),
            Err(LossError::CustomerWillReconsider)
        );
        let card = stored(
            &["loss_proposed", "re_contacted"],
            "other_brand",
            Some("confirmed_lost"),
        );
        assert!(loss_of(&card).confirm(SALES_MGR).is_ok());
        // An old re-contact of an earlier proposal does not count for a new proposal.
        let card = stored(&["loss_proposed"], "gave_up_buying", Some("confirmed_lost"));
        assert_eq!(loss_of(&card).file.re_contact, None);
        assert_eq!(
            loss_of(&card).confirm(SALES_MGR),
            Err(LossError::ReContactRequired)
        );
        // Unknown values are read safely.
        let card = stored(&[], "no_such_reason", Some("no_such_outcome"));
        assert_eq!(loss_of(&card).file, LossFile::default());
        for o in ReContactOutcome::ALL {
            assert_eq!(ReContactOutcome::parse(o.as_str()), Some(o));
        }
        assert!(in_review("loss_proposed") && in_review("re_contacted"));
        assert!(!in_review("lost") && !in_review("following") && !in_review("x"));
    }

    /// Runs a plan on the stored card as a device would (one op per write).
    fn run(plan: &Plan, card: &mut RecordState) {
        let mut clock = Clock::default();
        for w in &plan.writes {
            let op = Op {
                op_id: Uuid::now_v7(),
                device_id: Uuid::from_u128(1),
                user_id: "u".into(),
                store_id: "demo".into(),
                record_id: w.record_id,
                record_type: "a_card".into(),
                hlc: clock.now(1_000),
                changes: w.changes(card).unwrap(),
            };
            apply(card, &op, &A_CARD).unwrap();
        }
    }

    fn following() -> RecordState {
        let mut card = RecordState::new(CARD, "a_card", "demo");
        let plan = Plan::new().then(
            PlannedWrite::new(CARD, &A_CARD)
                .set("name", "王先生")
                .set("consultant_id", "c1"),
        );
        run(&plan, &mut card);
        card
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, 20).unwrap()
    }

    fn proposed() -> RecordState {
        let mut card = following();
        let plan = loss_of(&card)
            .propose(CONSULTANT, LossReason::OtherBrand, "  订了思域 ")
            .unwrap();
        run(&plan, &mut card);
        card
    }

    #[test]
    fn propose_re_contact_confirm_on_the_stored_card() {
        let mut card = proposed();
        assert_eq!(card.status(&A_CARD, "status"), Some("loss_proposed"));
        assert_eq!(card.value("loss_reason"), Some(&json!("other_brand")));
        assert_eq!(card.value("loss_note"), Some(&json!("订了思域")));

        let plan = loss_of(&card)
            .re_contact(
                SALES_MGR,
                Uuid::from_u128(5),
                ReContactOutcome::ConfirmedLost,
                Channel::Wechat,
                " 已提车 ",
            )
            .unwrap();
        run(&plan, &mut card);
        assert_eq!(card.status(&A_CARD, "status"), Some("re_contacted"));
        let log = card.log("re_contacts");
        assert_eq!(
            log[0].value,
            json!({"outcome": "confirmed_lost", "channel": "wechat", "note": "已提车"})
        );

        // A second re-contact keeps the status (no move to the same state).
        let again = loss_of(&card)
            .re_contact(
                SALES_MGR,
                Uuid::from_u128(6),
                ReContactOutcome::ConfirmedLost,
                Channel::Phone,
                "再次确认",
            )
            .unwrap();
        assert_eq!(again.writes[0].move_of("status"), None);
        run(&again, &mut card);
        assert_eq!(card.log("re_contacts").len(), 2);

        let plan = loss_of(&card).confirm(GM).unwrap();
        assert_eq!(plan.writes.len(), 1);
        run(&plan, &mut card);
        assert_eq!(card.status(&A_CARD, "status"), Some("lost"));
        // The reason stays for the monthly analysis.
        assert_eq!(card.value("loss_reason"), Some(&json!("other_brand")));
    }

    #[test]
    fn confirming_before_the_re_contact_or_as_a_consultant_is_refused() {
        let card = proposed();
        assert_eq!(
            loss_of(&card).confirm(SALES_MGR),
            Err(LossError::ReContactRequired)
        );
        assert_eq!(
            loss_of(&card).confirm(CONSULTANT),
            Err(LossError::OnlyManagerMayConfirm)
        );
        assert_eq!(
            loss_of(&card).re_contact(
                CONSULTANT,
                Uuid::nil(),
                ReContactOutcome::ConfirmedLost,
                Channel::Phone,
                "x"
            ),
            Err(LossError::RoleMayNot {
                action: K::RecordReContact
            })
        );
        // A note is required; a proposal cannot be made twice.
        assert_eq!(
            loss_of(&following()).propose(CONSULTANT, LossReason::OtherBrand, " "),
            Err(LossError::NoteRequired)
        );
        assert!(matches!(
            loss_of(&card).propose(CONSULTANT, LossReason::OtherBrand, "x"),
            Err(LossError::NotAllowedFrom { .. })
        ));
    }

    #[test]
    fn a_card_sent_back_goes_to_the_picked_consultant_due_today() {
        let mut card = proposed();
        let plan = loss_of(&card)
            .re_contact(
                SALES_MGR,
                Uuid::from_u128(7),
                ReContactOutcome::WillReconsider,
                Channel::Phone,
                "再等等",
            )
            .unwrap();
        run(&plan, &mut card);
        assert_eq!(
            loss_of(&card).confirm(SALES_MGR),
            Err(LossError::CustomerWillReconsider)
        );
        let plan = loss_of(&card)
            .send_back(SALES_MGR, Some(" c2 "), day())
            .unwrap();
        run(&plan, &mut card);
        assert_eq!(card.status(&A_CARD, "status"), Some("following"));
        assert_eq!(card.value("consultant_id"), Some(&json!("c2")));
        assert_eq!(card.value("next_follow_up"), Some(&json!("2026-05-20")));
        // The history stays on the card.
        assert_eq!(card.log("re_contacts").len(), 1);

        // Back to the same consultant: the consultant is not written.
        let mut other = proposed();
        let plan = loss_of(&other)
            .send_back(SALES_MGR, Some(""), day())
            .unwrap();
        assert_eq!(plan.writes[0].value_of("consultant_id"), None);
        run(&plan, &mut other);
        assert_eq!(other.value("consultant_id"), Some(&json!("c1")));
        assert_eq!(
            loss_of(&proposed()).send_back(CONSULTANT, None, day()),
            Err(LossError::RoleMayNot {
                action: K::SendBack
            })
        );
    }

    #[test]
    fn a_lost_card_is_reactivated_by_a_manager_due_today() {
        let mut card = proposed();
        let plan = loss_of(&card)
            .re_contact(
                SALES_MGR,
                Uuid::from_u128(8),
                ReContactOutcome::Unreachable,
                Channel::Phone,
                "空号",
            )
            .unwrap();
        run(&plan, &mut card);
        run(&loss_of(&card).confirm(SALES_MGR).unwrap(), &mut card);
        assert_eq!(
            loss_of(&card).reactivate(CONSULTANT, day()),
            Err(LossError::RoleMayNot {
                action: K::Reactivate
            })
        );
        let plan = loss_of(&card).reactivate(SALES_MGR, day()).unwrap();
        run(&plan, &mut card);
        assert_eq!(card.status(&A_CARD, "status"), Some("following"));
        assert_eq!(card.value("next_follow_up"), Some(&json!("2026-05-20")));
        assert_eq!(
            loss_of(&following()).reactivate(SALES_MGR, day()),
            Err(LossError::NotAllowedFrom {
                action: K::Reactivate,
                from: S::Following
            })
        );
    }

    #[test]
    fn the_review_queue_and_the_loss_facts() {
        let me = Uuid::from_u128(0xC1);
        let other = Uuid::from_u128(0xC2);
        let card = |status: &str, consultant: Uuid, proposed: u64, reason: bool| {
            let mut c = ACard::of(
                &RecordState::new(CARD, "a_card", "demo"),
                StoreClock::default(),
            );
            c.status = ACardStatus::parse(status).unwrap();
            c.consultant_id = Some(consultant);
            c.loss_reason = reason.then_some(LossReason::OtherStore);
            c.intended_model = Some("levin".into());
            ReviewedCard {
                card: c,
                proposed_ms: Some(proposed),
                lost_ms: (status == "lost").then_some(proposed + 10),
            }
        };
        let mine_proposed = card("loss_proposed", me, 30, true);
        let mine_lost = card("lost", me, 10, true);
        let theirs = card("re_contacted", other, 20, true);
        let mine_following = card("following", me, 5, true);
        let lost_without_reason = card("lost", me, 1, false);
        // A manager sees every card under review, a consultant their own proposals.
        assert!(mine_proposed.in_queue_of(None, true) && theirs.in_queue_of(None, true));
        assert!(!mine_lost.in_queue_of(None, true));
        assert!(mine_proposed.in_queue_of(Some(me), false));
        assert!(mine_lost.in_queue_of(Some(me), false));
        assert!(!theirs.in_queue_of(Some(me), false));
        assert!(!mine_following.in_queue_of(Some(me), false));
        assert!(!lost_without_reason.in_queue_of(Some(me), false));
        assert!(!mine_proposed.in_queue_of(None, false));
        // Under review first, the oldest proposal first.
        let mut queue = [mine_lost.clone(), mine_proposed.clone(), theirs.clone()];
        queue.sort_by(queue_order);
        let order: Vec<u64> = queue.iter().filter_map(|r| r.proposed_ms).collect();
        assert_eq!(order, vec![20, 30, 10]);
        // Only a lost card is a fact of the analysis, dated by its loss.
        assert_eq!(mine_proposed.loss_fact(), None);
        let fact = mine_lost.loss_fact().unwrap();
        assert_eq!(fact.lost_hlc_ms, 20);
        assert_eq!(fact.reason, Some(LossReason::OtherStore));
        assert_eq!(fact.model, "levin");
    }

    #[test]
    fn the_times_of_the_proposal_and_the_loss_are_those_of_their_writes() {
        let card = stored(
            &["loss_proposed", "re_contacted", "lost"],
            "other_brand",
            Some("confirmed_lost"),
        );
        let r = ReviewedCard::of(&card, StoreClock::default());
        assert_eq!(r.card.status, S::Lost);
        let lost = card.heads("status")[0].hlc.wall_ms;
        assert_eq!(r.lost_ms, Some(lost));
        assert_eq!(
            r.proposed_ms,
            Some(card.heads("loss_reason")[0].hlc.wall_ms)
        );
        assert!(
            ReviewedCard::of(&following(), StoreClock::default())
                .lost_ms
                .is_none()
        );
    }
}
