//! Duplicate prospects (撞单): the same customer on several A-cards, typically built by two
//! consultants — or on two offline tablets — before either card reached the other.
//!
//! Cards are the same customer when their phones normalise to the same canonical form
//! ([`super::phone::normalise`]). The **owner** is the card with the earliest first contact
//! (首次接触时间); a tie goes to the smallest card id, so every device picks the same owner.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// What duplicate detection needs to know about one A-card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardContact {
    pub id: Uuid,
    /// The canonical phone (`phone::normalise`); cards whose phone did not validate are left out
    /// by the caller.
    pub phone: String,
    pub consultant: Uuid,
    /// The device the card was built on.
    pub device: Uuid,
    pub first_contact: NaiveDateTime,
}

/// A customer on more than one A-card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateGroup {
    pub phone: String,
    /// The owning card (earliest first contact, then smallest id).
    pub owner: Uuid,
    pub owner_consultant: Uuid,
    /// Every card of the group, owner first, then by first contact and id.
    pub cards: Vec<CardContact>,
    /// More than one consultant is involved (a real 撞单 for the manager to settle), rather than one
    /// consultant's own double entry.
    pub crosses_consultants: bool,
    /// The cards were built on more than one device (typically offline at the same time).
    pub crosses_devices: bool,
}

impl DuplicateGroup {
    /// The cards that are not the owner's.
    pub fn others(&self) -> impl Iterator<Item = &CardContact> {
        self.cards.iter().skip(1)
    }
}

/// Group the cards that share a phone; only groups of two or more are returned, ordered by phone.
/// The same input in any order gives the same output.
pub fn find_duplicates(cards: &[CardContact]) -> Vec<DuplicateGroup> {
    let mut by_phone: BTreeMap<&str, Vec<&CardContact>> = BTreeMap::new();
    for c in cards {
        by_phone.entry(c.phone.as_str()).or_default().push(c);
    }
    by_phone
        .into_iter()
        .filter(|(_, group)| group.len() > 1)
        .map(|(phone, mut group)| {
            group.sort_by_key(|c| (c.first_contact, c.id));
            group.dedup_by_key(|c| c.id);
            let owner = group[0];
            DuplicateGroup {
                phone: phone.to_string(),
                owner: owner.id,
                owner_consultant: owner.consultant,
                crosses_consultants: group.iter().any(|c| c.consultant != owner.consultant),
                crosses_devices: group.iter().any(|c| c.device != owner.device),
                cards: group.into_iter().cloned().collect(),
            }
        })
        .filter(|g| g.cards.len() > 1)
        .collect()
}

/// The owner among cards known to be the same customer (earliest first contact, then smallest id).
pub fn owner_of(cards: &[CardContact]) -> Option<&CardContact> {
    cards.iter().min_by_key(|c| (c.first_contact, c.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sales::phone::normalise;
    use chrono::NaiveDate;

    const WANG: Uuid = Uuid::from_u128(0xA1);
    const LI: Uuid = Uuid::from_u128(0xA2);
    const TABLET1: Uuid = Uuid::from_u128(0xD1);
    const TABLET2: Uuid = Uuid::from_u128(0xD2);

    fn at(day: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 6, day)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    fn card(
        id: u128,
        phone: &str,
        consultant: Uuid,
        device: Uuid,
        t: NaiveDateTime,
    ) -> CardContact {
        CardContact {
            id: Uuid::from_u128(id),
            phone: normalise(phone).unwrap(),
            consultant,
            device,
            first_contact: t,
        }
    }

    #[test]
    fn two_consultants_at_a_roadshow_hit_the_same_customer() {
        let cards = vec![
            // Li met the customer at the roadshow at 10:05 on tablet 2 ...
            card(5, "+86 139 0000 1111", LI, TABLET2, at(6, 10, 5)),
            // ... Wang wrote the same number differently at 10:02 on tablet 1: Wang owns it.
            card(9, "139-0000-1111", WANG, TABLET1, at(6, 10, 2)),
            // An unrelated customer.
            card(3, "13800000000", WANG, TABLET1, at(6, 9, 0)),
        ];
        let groups = find_duplicates(&cards);
        assert_eq!(groups.len(), 1);
        let g = &groups[0];
        assert_eq!(g.phone, "13900001111");
        assert_eq!(g.owner, Uuid::from_u128(9));
        assert_eq!(g.owner_consultant, WANG);
        assert!(g.crosses_consultants);
        assert!(g.crosses_devices);
        let others: Vec<_> = g.others().map(|c| c.id).collect();
        assert_eq!(others, vec![Uuid::from_u128(5)]);
    }

    #[test]
    fn a_tie_goes_to_the_smallest_id_whatever_the_input_order() {
        let t = at(7, 15, 0);
        let a = card(0x20, "021-51234567", WANG, TABLET1, t);
        let b = card(0x10, "(021) 5123 4567", LI, TABLET2, t);
        let c = card(0x30, "02151234567", LI, TABLET2, at(7, 16, 0));
        for input in [
            vec![a.clone(), b.clone(), c.clone()],
            vec![c.clone(), b.clone(), a.clone()],
            vec![b.clone(), c.clone(), a.clone()],
        ] {
            let groups = find_duplicates(&input);
            assert_eq!(groups.len(), 1);
            assert_eq!(groups[0].owner, Uuid::from_u128(0x10));
            assert_eq!(groups[0].owner_consultant, LI);
            let order: Vec<u128> = groups[0].cards.iter().map(|c| c.id.as_u128()).collect();
            assert_eq!(order, vec![0x10, 0x20, 0x30]);
        }
        assert_eq!(owner_of(&[a, b.clone(), c]).unwrap().id, b.id);
        assert!(owner_of(&[]).is_none());
    }

    #[test]
    fn a_consultants_own_double_entry_is_flagged_as_such() {
        let cards = vec![
            card(1, "13700000000", WANG, TABLET1, at(8, 9, 0)),
            card(2, "13700000000", WANG, TABLET1, at(9, 9, 0)),
        ];
        let g = &find_duplicates(&cards)[0];
        assert!(!g.crosses_consultants);
        assert!(!g.crosses_devices);
    }

    #[test]
    fn no_duplicates_and_repeated_records() {
        let a = card(1, "13700000000", WANG, TABLET1, at(8, 9, 0));
        let b = card(2, "13700000001", WANG, TABLET1, at(8, 9, 0));
        assert!(find_duplicates(&[a.clone(), b]).is_empty());
        // The same card seen twice (e.g. from two syncs) is not a duplicate of itself.
        assert!(find_duplicates(&[a.clone(), a]).is_empty());
        assert!(find_duplicates(&[]).is_empty());
    }
}
