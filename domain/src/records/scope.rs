//! The sync scope: which records a user's device holds (docs/sync.md, "Sync scope per role").
//!
//! A device holds what its user needs, not the whole store: the server sends a new device's
//! snapshot and every pull through [`Scope::holds`]. The rules, per role (a user with several
//! roles holds the union; any role that holds everything makes the user hold everything):
//!
//! | role | holds |
//! |---|---|
//! | sales manager, general manager, service advisor, customer service, customer-service manager | every record of the types they may read ([`super::may_read`]) |
//! | sales consultant | their own A-cards, C-cards, orders, test drives and visits (`consultant_id`), the care tasks assigned to them (`assignee_id`); the store's open A-cards (not lost, not delivered: a colleague's customer who comes in, a 撞单 merge, a hand-over) and those without a consultant; the visits of today and yesterday and those still in the showroom (the reception rota counts every consultant's turns); test drives under way (the fleet: which cars are out); every key account (any consultant may take one over), the sales settings and the rota |
//! | technician, QC inspector, parts clerk | repair orders not yet handed over or cancelled, the lines of those orders, booked appointments, the service settings; the parts clerk also every part, reservation and emergency order |
//!
//! A consultant does **not** hold a colleague's closed customers (lost or delivered A-cards and
//! the colleague's C-cards, orders, care tasks, past visits, finished test drives): they grow
//! with every year of the store and are the colleague's to work. What they are needed for
//! offline, the 撞单 warning when such a customer comes again, is answered by the store's phone
//! index ([`PhoneEntry`], `GET /api/sync/phones`). A card handed over to the consultant, or
//! reopened, enters their scope by the op that does it.
//!
//! Scope does not depend on the bin: a record in the bin stays in the scope of whoever held it,
//! so the deletion reaches their device. [`changes_scope`] says which ops may move a record
//! into or out of someone's scope (the server then sends the whole record, or the op that took
//! it away).

use chrono::{Duration, NaiveDateTime};
use uuid::Uuid;

use super::{field, may_read};
use crate::roles::{Actor, Role};
use crate::sync::{Op, RecordState};
use crate::time::StoreClock;

/// Bump when the rules change: every device's stored scope key then differs and its next pull
/// fetches the records of its new scope.
pub const RULES_VERSION: u32 = 2;

/// Visits of this many days before today (store time) are in every consultant's scope, with
/// today's.
pub const RECENT_VISIT_DAYS: i64 = 1;

/// A-card states after which a card is a closed customer (only its consultant holds it).
const A_CARD_CLOSED: [&str; 2] = ["lost", "delivered"];

/// Repair order states after which the workshop no longer holds the order.
const RO_CLOSED: [&str; 2] = ["handed_over", "cancelled"];

/// What a user's devices hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every record of the types the user may read.
    Everything { roles: Vec<Role> },
    /// The records [`Scope::holds`] says, by the roles' rules.
    Limited { user_id: String, roles: Vec<Role> },
}

/// Whether a role holds every record it may read.
fn holds_everything(role: Role) -> bool {
    match role {
        Role::SalesManager
        | Role::GeneralManager
        | Role::ServiceAdvisor
        | Role::CustomerService
        | Role::CustomerServiceManager => true,
        Role::SalesConsultant | Role::Technician | Role::QcInspector | Role::PartsClerk => false,
    }
}

/// What the server needs to know, besides the record, to say whether a scope holds it.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The record's parent ([`parent_of`]) as stored, when it has one and the store holds it.
    pub parent: Option<&'a RecordState>,
    /// Now, in store time (the consultant's recent visits).
    pub now: NaiveDateTime,
    pub clock: StoreClock,
}

impl Scope {
    /// The scope of a user ([module docs](self)).
    pub fn of(actor: &Actor) -> Scope {
        let mut roles = actor.roles.clone();
        roles.sort();
        roles.dedup();
        if roles.iter().any(|r| holds_everything(*r)) {
            Scope::Everything { roles }
        } else {
            Scope::Limited {
                user_id: actor.user_id.trim().to_ascii_lowercase(),
                roles,
            }
        }
    }

    /// Whether this scope holds every record the user may read.
    pub fn is_everything(&self) -> bool {
        matches!(self, Scope::Everything { .. })
    }

    fn roles(&self) -> &[Role] {
        match self {
            Scope::Everything { roles } | Scope::Limited { roles, .. } => roles,
        }
    }

    /// A text that names the scope: two users whose scopes hold the same records have the same
    /// key (everything of the same types), a device compares it with the key of the records it
    /// holds. Contains [`RULES_VERSION`].
    pub fn key(&self) -> String {
        let types: Vec<&str> = super::ALL
            .iter()
            .map(|t| t.name)
            .filter(|t| may_read(self.roles(), t))
            .collect();
        match self {
            Scope::Everything { .. } => format!("v{RULES_VERSION}:all:{}", types.join(",")),
            Scope::Limited { user_id, roles } => {
                let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                format!(
                    "v{RULES_VERSION}:user:{user_id}:{}:{}",
                    roles.join(","),
                    types.join(",")
                )
            }
        }
    }

    /// Whether the user may read records of this type at all ([`super::may_read`]).
    pub fn may_read(&self, record_type: &str) -> bool {
        may_read(self.roles(), record_type)
    }

    /// Whether a device of this scope holds `record` ([module docs](self)).
    pub fn holds(&self, record: &RecordState, ctx: Context<'_>) -> bool {
        if !self.may_read(&record.record_type) {
            return false;
        }
        match self {
            Scope::Everything { .. } => true,
            Scope::Limited { user_id, roles } => roles.iter().any(|role| {
                role_holds(*role, user_id, record, ctx) && may_read(&[*role], &record.record_type)
            }),
        }
    }
}

/// Whether the text of `field` names this user (as uuids when both parse).
fn is_user(record: &RecordState, field_name: &str, user_id: &str) -> bool {
    field::text(record, field_name).is_some_and(|v| Actor::new(user_id, &[]).is(v))
}

/// Whether `field` is empty (nobody yet).
fn nobody(record: &RecordState, field_name: &str) -> bool {
    field::text(record, field_name).is_none()
}

fn role_holds(role: Role, user_id: &str, r: &RecordState, ctx: Context<'_>) -> bool {
    if holds_everything(role) {
        return true;
    }
    let status = || field::status(r, "status").unwrap_or_default();
    match role {
        Role::SalesConsultant => match r.record_type.as_str() {
            "a_card" => {
                is_user(r, "consultant_id", user_id)
                    || nobody(r, "consultant_id")
                    || !A_CARD_CLOSED.contains(&status().as_str())
            }
            "c_card" | "order" => is_user(r, "consultant_id", user_id),
            "test_drive" => is_user(r, "consultant_id", user_id) || status() == "started",
            "visit" => {
                is_user(r, "consultant_id", user_id)
                    || nobody(r, "consultant_id")
                    || nobody(r, "time_out")
                    || field::date(r, "time_in", ctx.clock)
                        .is_some_and(|d| d >= (ctx.now - Duration::days(RECENT_VISIT_DAYS)).date())
            }
            "care_task" => is_user(r, "assignee_id", user_id),
            "key_account" | "sales_settings" | "reception_rota" => true,
            _ => false,
        },
        Role::Technician | Role::QcInspector | Role::PartsClerk => match r.record_type.as_str() {
            "repair_order" => !RO_CLOSED.contains(&status().as_str()),
            "ro_line" => ctx.parent.is_some_and(|p| {
                p.record_type == "repair_order"
                    && !RO_CLOSED.contains(&field::status(p, "status").unwrap_or_default().as_str())
            }),
            "appointment" => status() == "booked",
            "service_settings" => true,
            // The parts desk's own records: the catalogue with its stock, reservations and
            // emergency orders (a store's catalogue, not a growing history per customer).
            "part" | "part_reservation" | "parts_order" => role == Role::PartsClerk,
            _ => false,
        },
        _ => false,
    }
}

/// The record another record's scope depends on: a repair order line's order (`ro_id`).
pub fn parent_of(record: &RecordState) -> Option<Uuid> {
    match record.record_type.as_str() {
        "ro_line" => field::uuid(record, "ro_id"),
        _ => None,
    }
}

/// The fields whose value [`Scope::holds`] and [`parent_of`] read, by record type (the server
/// decodes only these to decide: a test below checks that nothing else counts).
pub fn scope_fields(record_type: &str) -> &'static [&'static str] {
    match record_type {
        "a_card" | "test_drive" => &["consultant_id", "status"],
        "c_card" | "order" => &["consultant_id"],
        "visit" => &["consultant_id", "time_in", "time_out"],
        "care_task" => &["assignee_id"],
        "repair_order" | "appointment" => &["status"],
        "ro_line" => &["ro_id"],
        _ => &[],
    }
}

/// Whether `op` may move its record into or out of a scope: it writes one of the record's
/// [`scope_fields`] (a hand-over's new consultant, a repair order's hand-over, …). The server
/// sends such an op to whoever held the record before it, and the whole record to whoever
/// holds it after.
pub fn changes_scope(op: &Op) -> bool {
    let fields = scope_fields(&op.record_type);
    op.changes
        .iter()
        .any(|c| c.field().is_some_and(|f| fields.contains(&f)))
}

/// A device's cursors by scope key (docs/sync.md, "Scope changes"): when a pull answers the
/// key `new` and the device's records were synced under `held` (cursor `held_cursor`), the
/// held cursor is filed under `held` and the one kept for `new` is taken out and returned.
/// `None`: the device never synced `new`, and fetches its snapshot. Records stay either way.
pub fn switch_cursor(
    cursors: &mut std::collections::BTreeMap<String, u64>,
    held: &str,
    held_cursor: Option<u64>,
    new: &str,
) -> Option<u64> {
    if let Some(c) = held_cursor {
        cursors.insert(held.to_owned(), c);
    }
    if held == new {
        return held_cursor;
    }
    cursors.remove(new)
}

/// One entry of the store's phone index (撞单 warnings on a device that does not hold the
/// card): a live A-card's normalised phone, the customer's name and the consultant.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PhoneEntry {
    /// `sales::phone::normalise` of the card's phone.
    pub phone: String,
    pub record_id: Uuid,
    /// The customer's name on the card ("" when none).
    pub name: String,
    /// The card's consultant (a user id), "" when none.
    pub consultant_id: String,
}

/// The phone-index entry of a record: a live A-card whose phone normalises; `None` otherwise.
pub fn phone_entry(record: &RecordState) -> Option<PhoneEntry> {
    if record.record_type != "a_card" || record.is_deleted() {
        return None;
    }
    let phone = crate::sales::phone::normalise(field::text(record, "phone")?).ok()?;
    Some(PhoneEntry {
        phone,
        record_id: record.id,
        name: field::string(record, "name").unwrap_or_default(),
        consultant_id: field::string(record, "consultant_id").unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::field::tests::{op_on, record_with};
    use crate::records::{
        A_CARD, APPOINTMENT, C_CARD, CARE_TASK, KEY_ACCOUNT, ORDER, REPAIR_ORDER, RO_LINE,
        SALES_SETTINGS, TEST_DRIVE, VISIT,
    };
    use crate::sync::{Change, Hlc};
    use serde_json::{Value, json};

    const ME: &str = "0190f000-0000-7000-8000-000000000001";
    const COLLEAGUE: &str = "0190f000-0000-7000-8000-000000000002";

    fn now() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 6)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
    }

    fn ctx(parent: Option<&RecordState>) -> Context<'_> {
        Context {
            parent,
            now: now(),
            clock: StoreClock::default(),
        }
    }

    fn rec(rt: &'static crate::sync::RecordType, fields: &[(&str, Value)]) -> RecordState {
        record_with(rt, 7, 1_000, |e| {
            fields
                .iter()
                .map(|(f, v)| e.set(f, v.clone()).unwrap())
                .collect()
        })
    }

    fn consultant() -> Scope {
        Scope::of(&Actor::new(ME, &[Role::SalesConsultant]))
    }

    fn technician() -> Scope {
        Scope::of(&Actor::new(ME, &[Role::Technician]))
    }

    #[test]
    fn managers_advisors_and_customer_service_hold_everything_they_may_read() {
        for role in [
            Role::SalesManager,
            Role::GeneralManager,
            Role::ServiceAdvisor,
            Role::CustomerService,
            Role::CustomerServiceManager,
        ] {
            let s = Scope::of(&Actor::new(ME, &[role]));
            assert!(s.is_everything(), "{role:?}");
            let colleagues = rec(&C_CARD, &[("consultant_id", json!(COLLEAGUE))]);
            assert_eq!(
                s.holds(&colleagues, ctx(None)),
                may_read(&[role], "c_card"),
                "{role:?}"
            );
        }
        // A consultant who is also the sales manager holds everything.
        let both = Scope::of(&Actor::new(
            ME,
            &[Role::SalesConsultant, Role::SalesManager],
        ));
        assert!(both.is_everything());
        assert!(!Scope::of(&Actor::new(ME, &[Role::Technician])).is_everything());
    }

    #[test]
    fn a_consultant_holds_their_own_customers_and_not_a_colleagues() {
        let s = consultant();
        for rt in [&A_CARD, &C_CARD, &ORDER, &TEST_DRIVE] {
            let mine = rec(rt, &[("consultant_id", json!(ME))]);
            let theirs = rec(rt, &[("consultant_id", json!(COLLEAGUE))]);
            assert!(s.holds(&mine, ctx(None)), "{}", rt.name);
            // A colleague's open card and a test drive under way: the store's.
            let open = ["a_card", "test_drive"].contains(&rt.name);
            assert_eq!(s.holds(&theirs, ctx(None)), open, "{}", rt.name);
        }
        // Ids compare as uuids, whatever their case.
        let upper = rec(&A_CARD, &[("consultant_id", json!(ME.to_uppercase()))]);
        assert!(s.holds(&upper, ctx(None)));
        let mine = rec(&CARE_TASK, &[("assignee_id", json!(ME))]);
        let theirs = rec(&CARE_TASK, &[("assignee_id", json!(COLLEAGUE))]);
        assert!(s.holds(&mine, ctx(None)));
        assert!(!s.holds(&theirs, ctx(None)));
        // The store's cards without a consultant, key accounts and the settings: everyone.
        assert!(s.holds(&rec(&A_CARD, &[("name", json!("王"))]), ctx(None)));
        assert!(s.holds(
            &rec(&KEY_ACCOUNT, &[("responsible_id", json!(COLLEAGUE))]),
            ctx(None)
        ));
        assert!(s.holds(
            &rec(&SALES_SETTINGS, &[("sleep_days", json!(30))]),
            ctx(None)
        ));
        // Nothing of service.
        assert!(!s.holds(&rec(&REPAIR_ORDER, &[("plate", json!("京A1"))]), ctx(None)));
    }

    #[test]
    fn a_colleagues_closed_card_stays_out_and_a_card_in_the_bin_stays_in() {
        let s = consultant();
        let mut theirs = rec(&A_CARD, &[("consultant_id", json!(COLLEAGUE))]);
        assert!(s.holds(&theirs, ctx(None)), "open");
        let mut mine = theirs.clone();
        for (n, to) in [(0x71, "ordered"), (0x72, "delivered")] {
            op_on(&mut theirs, &A_CARD, n, 2_000 + n as u64, |e| {
                vec![e.transition("status", to).unwrap()]
            });
        }
        assert!(
            !s.holds(&theirs, ctx(None)),
            "a colleague's delivered customer"
        );
        op_on(&mut mine, &A_CARD, 0x73, 2_000, |e| {
            vec![e.set("consultant_id", json!(ME)).unwrap()]
        });
        for (n, to) in [(0x74, "ordered"), (0x75, "delivered")] {
            op_on(&mut mine, &A_CARD, n, 3_000 + n as u64, |e| {
                vec![e.transition("status", to).unwrap()]
            });
        }
        assert!(s.holds(&mine, ctx(None)), "my own delivered customer");
        op_on(&mut mine, &A_CARD, 0x76, 4_000, |e| vec![e.delete()]);
        assert!(mine.is_deleted());
        assert!(
            s.holds(&mine, ctx(None)),
            "the deletion must reach the device"
        );
    }

    #[test]
    fn a_consultant_holds_the_showrooms_recent_and_open_visits() {
        let s = consultant();
        let visit = |time_in: &str, time_out: &str| {
            rec(
                &VISIT,
                &[
                    ("consultant_id", json!(COLLEAGUE)),
                    ("time_in", json!(time_in)),
                    ("time_out", json!(time_out)),
                ],
            )
        };
        assert!(s.holds(
            &visit("2026-12-06T09:00:00", "2026-12-06T09:30:00"),
            ctx(None)
        ));
        assert!(s.holds(
            &visit("2026-12-05T09:00:00", "2026-12-05T09:30:00"),
            ctx(None)
        ));
        assert!(!s.holds(
            &visit("2026-12-04T09:00:00", "2026-12-04T09:30:00"),
            ctx(None)
        ));
        assert!(
            s.holds(&visit("2026-12-01T09:00:00", ""), ctx(None)),
            "still in"
        );
    }

    #[test]
    fn the_workshop_holds_open_repair_orders_and_their_lines() {
        let s = technician();
        let mut ro = rec(&REPAIR_ORDER, &[("plate", json!("京A1"))]);
        assert!(s.holds(&ro, ctx(None)));
        let line = rec(&RO_LINE, &[("ro_id", json!(ro.id.to_string()))]);
        assert_eq!(parent_of(&line), Some(ro.id));
        assert!(s.holds(&line, ctx(Some(&ro))));
        assert!(!s.holds(&line, ctx(None)), "a line without its order");
        op_on(&mut ro, &REPAIR_ORDER, 0x73, 2_000, |e| {
            vec![e.transition("status", "cancelled").unwrap()]
        });
        assert!(!s.holds(&ro, ctx(None)));
        assert!(!s.holds(&line, ctx(Some(&ro))));
        let booked = rec(&APPOINTMENT, &[("plate", json!("京A1"))]);
        assert!(s.holds(&booked, ctx(None)));
        assert!(!s.holds(&rec(&A_CARD, &[("name", json!("王"))]), ctx(None)));
        // Parts clerks and QC inspectors alike.
        for role in [Role::PartsClerk, Role::QcInspector] {
            assert!(Scope::of(&Actor::new(ME, &[role])).holds(&booked, ctx(None)));
        }
    }

    #[test]
    fn only_the_scope_fields_decide() {
        let records = [
            rec(
                &A_CARD,
                &[("consultant_id", json!(COLLEAGUE)), ("name", json!("王"))],
            ),
            rec(
                &A_CARD,
                &[
                    ("consultant_id", json!(ME)),
                    ("phone", json!("13812345678")),
                ],
            ),
            rec(
                &C_CARD,
                &[("consultant_id", json!(ME)), ("name", json!("王"))],
            ),
            rec(
                &VISIT,
                &[
                    ("consultant_id", json!(COLLEAGUE)),
                    ("time_in", json!("2026-12-06T09:00:00")),
                    ("time_out", json!("2026-12-06T09:30:00")),
                    ("source", json!("walk_in")),
                ],
            ),
            rec(
                &CARE_TASK,
                &[("assignee_id", json!(ME)), ("note", json!("x"))],
            ),
            rec(&REPAIR_ORDER, &[("plate", json!("京A1"))]),
            rec(&APPOINTMENT, &[("plate", json!("京A1"))]),
        ];
        for s in [consultant(), technician()] {
            for r in &records {
                let mut view = RecordState::new(r.id, &r.record_type, &r.store_id);
                for f in scope_fields(&r.record_type) {
                    if let Some(v) = r.fields.get(*f) {
                        view.fields.insert((*f).to_owned(), v.clone());
                    }
                }
                assert_eq!(s.holds(&view, ctx(None)), s.holds(r, ctx(None)), "{r:?}");
            }
        }
    }

    #[test]
    fn keys_name_what_is_held() {
        let a = Scope::of(&Actor::new(ME, &[Role::SalesConsultant]));
        let b = Scope::of(&Actor::new(COLLEAGUE, &[Role::SalesConsultant]));
        assert_ne!(a.key(), b.key(), "two consultants hold different records");
        let m1 = Scope::of(&Actor::new(ME, &[Role::SalesManager]));
        let m2 = Scope::of(&Actor::new(COLLEAGUE, &[Role::SalesManager]));
        assert_eq!(m1.key(), m2.key(), "two sales managers hold the same");
        let gm = Scope::of(&Actor::new(ME, &[Role::GeneralManager]));
        assert_ne!(m1.key(), gm.key(), "the general manager reads more types");
        let promoted = Scope::of(&Actor::new(
            ME,
            &[Role::SalesConsultant, Role::SalesManager],
        ));
        assert_ne!(a.key(), promoted.key(), "a role change changes the key");
        assert!(a.key().starts_with(&format!("v{RULES_VERSION}:")));
    }

    #[test]
    fn ops_that_move_a_record_between_scopes() {
        let card = rec(&A_CARD, &[("consultant_id", json!(ME))]);
        let op = |changes: Vec<Change>| Op {
            op_id: Uuid::from_u128(0x99),
            device_id: Uuid::from_u128(0xD1),
            user_id: ME.into(),
            store_id: "demo".into(),
            record_id: card.id,
            record_type: "a_card".into(),
            hlc: Hlc::new(3_000, 0),
            changes,
        };
        let e = crate::sync::Edit::new(&card, &A_CARD);
        assert!(changes_scope(&op(vec![
            e.set("consultant_id", json!(COLLEAGUE)).unwrap()
        ])));
        assert!(!changes_scope(&op(vec![
            e.set("name", json!("李")).unwrap()
        ])));
        assert!(!changes_scope(&op(vec![e.delete()])));
    }

    #[test]
    fn a_shared_tablet_keeps_a_cursor_per_scope() {
        let mut cursors = std::collections::BTreeMap::new();
        // A's tablet, then B logs in: B has never synced here.
        assert_eq!(switch_cursor(&mut cursors, "A", Some(40), "B"), None);
        assert_eq!(cursors.get("A"), Some(&40));
        // B's snapshot and pulls reach 90; A comes back and goes on from 40.
        assert_eq!(switch_cursor(&mut cursors, "B", Some(90), "A"), Some(40));
        assert_eq!(cursors.get("B"), Some(&90));
        assert!(!cursors.contains_key("A"), "taken out while in use");
        // A role change is a new key: a new snapshot.
        assert_eq!(
            switch_cursor(&mut cursors, "A", Some(95), "A+manager"),
            None
        );
        // A cut in the middle of a snapshot (no cursor yet) files nothing.
        assert_eq!(
            switch_cursor(&mut cursors, "A+manager", None, "B"),
            Some(90)
        );
        assert!(!cursors.contains_key("A+manager"));
    }

    #[test]
    fn the_phone_index_has_live_cards_with_a_valid_phone() {
        let card = rec(
            &A_CARD,
            &[
                ("phone", json!("+86 138-1234-5678")),
                ("name", json!("王先生")),
                ("consultant_id", json!(COLLEAGUE)),
            ],
        );
        let entry = phone_entry(&card).unwrap();
        assert_eq!(entry.phone, "13812345678");
        assert_eq!(entry.name, "王先生");
        assert_eq!(entry.consultant_id, COLLEAGUE);
        assert_eq!(phone_entry(&rec(&A_CARD, &[("phone", json!("12"))])), None);
        assert_eq!(
            phone_entry(&rec(&C_CARD, &[("phone", json!("13812345678"))])),
            None
        );
        let mut gone = card.clone();
        op_on(&mut gone, &A_CARD, 0x74, 2_000, |e| vec![e.delete()]);
        assert_eq!(phone_entry(&gone), None);
    }
}
