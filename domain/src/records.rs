//! The record types forecourt syncs. Each declares the merge kind of each of its fields
//! (see [`crate::sync`]); the app and the server build the same [`registry`].
//!
//! Who may read and write a type is declared here too, so the server's permission check
//! and the app's screens agree.

use crate::roles::Role;
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
    ],
};

/// Every record type of this build.
pub const ALL: &[&RecordType] = &[&A_CARD];

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

const SALES_ROLES: &[Role] = &[
    Role::SalesConsultant,
    Role::SalesManager,
    Role::GeneralManager,
];

/// Whether a user with `roles` may see records of `record_type`.
pub fn may_read(roles: &[Role], record_type: &str) -> bool {
    allowed(record_type).is_some_and(|a| roles.iter().any(|r| a.contains(r)))
}

/// Whether a user with `roles` may change records of `record_type`.
pub fn may_write(roles: &[Role], record_type: &str) -> bool {
    may_read(roles, record_type)
}

fn allowed(record_type: &str) -> Option<&'static [Role]> {
    match record_type {
        "a_card" => Some(SALES_ROLES),
        _ => None,
    }
}

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
    }
}
