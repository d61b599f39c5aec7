//! Referral rewards (转介绍奖励) [care, seed 004]: when a customer who came by referral takes
//! delivery, both the referrer and the new customer get a free regular maintenance (免费保养一次).
//! A referral whose referrer is the new customer themself is a faked referral and earns nothing.

use super::visit::{ReferralParty, VisitError, check_referral};
use crate::records::{CCard, Visit};
use crate::sync::RecordState;
use crate::time::StoreClock;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a referral earns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RewardKind {
    /// 免费常规保养一次
    FreeMaintenance,
}

impl RewardKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RewardKind::FreeMaintenance => "free_maintenance",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RewardKind::FreeMaintenance => "转介绍奖励:免费保养一次",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            RewardKind::FreeMaintenance => "Referral reward: one free maintenance",
        }
    }
}

/// Whose C-card a reward goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "to", content = "c_card")]
pub enum RewardTo {
    /// The customer taking delivery (their new C-card).
    NewCustomer,
    /// The referrer, who is a customer with this C-card.
    Referrer(Uuid),
}

/// One reward entry to append to a C-card's `rewards` log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reward {
    pub to: RewardTo,
    pub kind: RewardKind,
}

/// The referrer as far as the store knows them: who the visit names, and their C-card if they
/// bought here (with the A-card that C-card grew from, to recognise the same person).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KnownReferrer {
    pub party: ReferralParty,
    pub c_card: Option<Uuid>,
    pub c_card_a_card: Option<Uuid>,
}

/// The latest visit of A-card `card` (by its time in) that names a referrer.
fn latest_referral_visit(card: Uuid, visits: &[RecordState], clock: StoreClock) -> Option<Visit> {
    visits
        .iter()
        .map(|v| Visit::of(v, clock))
        .filter(|v| v.a_card_id == Some(card))
        .filter(|v| v.referrer_phone.is_some() || v.referrer_card_id.is_some())
        .max_by_key(|v| v.time_in)
}

/// The referrer the latest visit of A-card `card` names ([`referrer_of`] reads it): the card it
/// names and the phone as typed, so that a device reads only the C-cards these find.
pub fn latest_referral(
    card: Uuid,
    visits: &[RecordState],
    clock: StoreClock,
) -> Option<(Option<Uuid>, Option<String>)> {
    let v = latest_referral_visit(card, visits, clock)?;
    Some((v.referrer_card_id, v.referrer_phone))
}

/// The referrer written on a customer's visits (the latest visit, by its time in, naming one by
/// phone or card), resolved to their C-card when they are a customer here: the C-card named by
/// the visit (by its id or the A-card it grew from), else the one with the same phone once
/// normalised. `None` when no visit of the card names a referrer.
pub fn referrer_of(
    card: Uuid,
    visits: &[RecordState],
    c_cards: &[RecordState],
    clock: StoreClock,
) -> Option<KnownReferrer> {
    let visit = latest_referral_visit(card, visits, clock)?;
    let canonical = visit
        .referrer_phone
        .as_deref()
        .and_then(|p| super::phone::normalise(p).ok());
    let c_card = c_cards.iter().map(|c| CCard::of(c, clock)).find(|c| {
        visit
            .referrer_card_id
            .is_some_and(|r| c.id == r || c.a_card_id == Some(r))
            || canonical.as_ref().is_some_and(|p| {
                c.phone
                    .as_deref()
                    .and_then(|q| super::phone::normalise(q).ok())
                    .as_ref()
                    == Some(p)
            })
    });
    Some(KnownReferrer {
        party: ReferralParty {
            customer_id: visit.referrer_card_id,
            phone: visit.referrer_phone,
        },
        c_card_a_card: c_card.as_ref().and_then(|c| c.a_card_id),
        c_card: c_card.map(|c| c.id),
    })
}

/// Who gets which reward when a customer takes delivery.
///
/// - No referrer on the customer's visits: no reward (`Ok` and empty).
/// - The referrer is the customer themself (same card, same phone, or their C-card grew from the
///   customer's own A-card): refused with [`VisitError::SelfReferral`], no reward for anyone.
/// - Otherwise the new customer gets a free maintenance, and so does the referrer when they are a
///   customer with a C-card (a referrer who never bought here has no C-card to carry it; the new
///   customer's entry still names them).
pub fn referral_rewards(
    new_customer: &ReferralParty,
    referrer: Option<&KnownReferrer>,
) -> Result<Vec<Reward>, VisitError> {
    let Some(referrer) = referrer else {
        return Ok(Vec::new());
    };
    let has_phone = referrer
        .party
        .phone
        .as_deref()
        .is_some_and(|p| !p.trim().is_empty());
    if referrer.party.customer_id.is_none() && !has_phone && referrer.c_card.is_none() {
        return Ok(Vec::new());
    }
    if let (Some(a), Some(b)) = (new_customer.customer_id, referrer.c_card_a_card)
        && a == b
    {
        return Err(VisitError::SelfReferral);
    }
    // A referrer known only by their C-card is a referral too; check_referral wants an id or a phone.
    let party = ReferralParty {
        customer_id: referrer
            .party
            .customer_id
            .or(referrer.c_card_a_card)
            .or(referrer.c_card),
        phone: referrer.party.phone.clone(),
    };
    check_referral(new_customer, Some(&party))?;
    let mut rewards = vec![Reward {
        to: RewardTo::NewCustomer,
        kind: RewardKind::FreeMaintenance,
    }];
    if let Some(card) = referrer.c_card {
        rewards.push(Reward {
            to: RewardTo::Referrer(card),
            kind: RewardKind::FreeMaintenance,
        });
    }
    Ok(rewards)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEW_CARD: Uuid = Uuid::from_u128(0x100);
    const OLD_A_CARD: Uuid = Uuid::from_u128(0x200);
    const OLD_C_CARD: Uuid = Uuid::from_u128(0x300);

    fn new_customer() -> ReferralParty {
        ReferralParty {
            customer_id: Some(NEW_CARD),
            phone: Some("13812345678".into()),
        }
    }

    fn free(to: RewardTo) -> Reward {
        Reward {
            to,
            kind: RewardKind::FreeMaintenance,
        }
    }

    #[test]
    fn a_customer_referrer_and_the_new_customer_both_get_a_free_maintenance() {
        let referrer = KnownReferrer {
            party: ReferralParty {
                customer_id: None,
                phone: Some("139 0000 1111".into()),
            },
            c_card: Some(OLD_C_CARD),
            c_card_a_card: Some(OLD_A_CARD),
        };
        assert_eq!(
            referral_rewards(&new_customer(), Some(&referrer)),
            Ok(vec![
                free(RewardTo::NewCustomer),
                free(RewardTo::Referrer(OLD_C_CARD))
            ])
        );
    }

    #[test]
    fn a_referrer_who_is_not_a_customer_has_no_card_for_the_reward() {
        let referrer = KnownReferrer {
            party: ReferralParty {
                customer_id: None,
                phone: Some("13900001111".into()),
            },
            ..KnownReferrer::default()
        };
        assert_eq!(
            referral_rewards(&new_customer(), Some(&referrer)),
            Ok(vec![free(RewardTo::NewCustomer)])
        );
    }

    #[test]
    fn no_referrer_no_reward() {
        assert_eq!(referral_rewards(&new_customer(), None), Ok(vec![]));
        assert_eq!(
            referral_rewards(&new_customer(), Some(&KnownReferrer::default())),
            Ok(vec![])
        );
    }

    #[test]
    fn self_referral_is_refused_however_it_is_written() {
        // The same phone in another spelling.
        let same_phone = KnownReferrer {
            party: ReferralParty {
                customer_id: None,
                phone: Some("+86 138-1234-5678".into()),
            },
            ..KnownReferrer::default()
        };
        assert_eq!(
            referral_rewards(&new_customer(), Some(&same_phone)),
            Err(VisitError::SelfReferral)
        );
        // The visit names the customer's own card.
        let same_card = KnownReferrer {
            party: ReferralParty {
                customer_id: Some(NEW_CARD),
                phone: None,
            },
            ..KnownReferrer::default()
        };
        assert_eq!(
            referral_rewards(&new_customer(), Some(&same_card)),
            Err(VisitError::SelfReferral)
        );
        // A C-card that grew from the customer's own A-card (a second car): still themself.
        let own_c_card = KnownReferrer {
            party: ReferralParty::default(),
            c_card: Some(OLD_C_CARD),
            c_card_a_card: Some(NEW_CARD),
        };
        assert_eq!(
            referral_rewards(&new_customer(), Some(&own_c_card)),
            Err(VisitError::SelfReferral)
        );
    }

    #[test]
    fn an_unreadable_referrer_phone_is_refused() {
        let bad = KnownReferrer {
            party: ReferralParty {
                customer_id: None,
                phone: Some("12345".into()),
            },
            ..KnownReferrer::default()
        };
        assert_eq!(
            referral_rewards(&new_customer(), Some(&bad)),
            Err(VisitError::ReferrerPhoneInvalid)
        );
    }
}
