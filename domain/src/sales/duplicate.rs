//! Duplicate prospects (撞单): the same customer on several A-cards, typically built by two
//! consultants — or on two offline tablets — before either card reached the other.
//!
//! Cards are the same customer when their phones normalise to the same canonical form
//! ([`super::phone::normalise`]). The **owner** is the card with the earliest first contact
//! (首次接触时间); a tie goes to the smallest card id, so every device picks the same owner.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

use crate::records::{A_CARD, ACard};
use crate::sync::{Change, Edit, FieldState, Hlc, LogEntry, RecordState, SyncError};
use crate::time::StoreClock;

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

// ---- reading a card ----

/// A scalar field's text.
/// The device of the card's earliest write still in its state (nil when none).
pub fn built_on(state: &RecordState) -> Uuid {
    let mut best: Option<(Hlc, Uuid)> = None;
    let mut see = |hlc: Hlc, device: Uuid| {
        if best.is_none_or(|(h, _)| hlc < h) {
            best = Some((hlc, device));
        }
    };
    for field in state.fields.values() {
        match field {
            FieldState::Register(r) => r.heads.values().for_each(|w| see(w.hlc, w.device_id)),
            FieldState::Log(l) => l.entries.values().for_each(|e| see(e.hlc, e.device_id)),
            // Counter steps and set tags carry no HLC.
            FieldState::Counter(_) | FieldState::Set(_) => {}
        }
    }
    best.map(|(_, d)| d).unwrap_or(Uuid::nil())
}

/// What duplicate detection reads from an A-card as a device or the server stores it (the same
/// reading as `GET /api/sales/duplicates`): `None` for a card in the bin or without a phone
/// that normalises. A card without a readable `first_contact_at` counts from its first edit; an
/// unreadable `consultant_id` is the nil id.
pub fn contact_of(state: &RecordState, clock: StoreClock) -> Option<CardContact> {
    if state.is_deleted() || state.record_type != A_CARD.name {
        return None;
    }
    let card = ACard::of(state, clock);
    let phone = super::phone::normalise(card.phone.as_deref()?).ok()?;
    let first_contact = card
        .first_contact_at
        .or_else(|| clock.local_ms(state.created.map_or(0, |h| h.wall_ms)))
        .unwrap_or_default();
    Some(CardContact {
        id: state.id,
        phone,
        consultant: card.consultant_id.unwrap_or_default(),
        device: built_on(state),
        first_contact,
    })
}

// ---- merging ----

/// Scalar fields a merge fills on the owner when the owner's is empty and the other card's is
/// not. Not the phone (the same customer), the consultant (kept or reassigned on purpose) or the
/// loss fields (they belong to the card's own status).
pub const FILLED_FIELDS: &[&str] = &[
    "name",
    "intended_model",
    "grade",
    "source",
    "district",
    "budget",
    "current_car",
    "finance_interest",
    "first_contact_at",
    "next_follow_up",
];

/// Log fields whose entries a merge copies to the owner.
pub const COPIED_LOGS: &[&str] = &["follow_ups", "re_contacts"];

/// Set fields whose elements a merge adds to the owner.
pub const COPIED_SETS: &[&str] = &["tags"];

/// The `channel` of the follow-up entry that notes a merge.
pub const MERGE_CHANNEL: &str = "merge";

/// A deterministic id from a tag and two ids (FNV-1a, 2 × 64 bit, as a version 8 UUID), so that
/// every device that makes the same merge writes the same ids.
fn derived_id(tag: &str, a: Uuid, b: Uuid) -> Uuid {
    let hash = |seed: u64| {
        let mut h = seed;
        for byte in tag
            .bytes()
            .chain(a.as_bytes().iter().copied())
            .chain(b.as_bytes().iter().copied())
        {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h
    };
    let hi = hash(0xcbf2_9ce4_8422_2325);
    let lo = hash(0x6c62_272e_07bb_0142);
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&hi.to_be_bytes());
    bytes[8..].copy_from_slice(&lo.to_be_bytes());
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// The id of the copy of log entry `entry_id` of card `from` (the same on every device, so two
/// managers merging the same cards offline add each entry once).
pub fn copied_entry_id(from: Uuid, entry_id: Uuid) -> Uuid {
    derived_id("copy", from, entry_id)
}

/// The id of the follow-up entry noting that card `from` was merged into `owner`.
pub fn merge_note_id(owner: Uuid, from: Uuid) -> Uuid {
    derived_id("merge", owner, from)
}

/// The entry a copied entry stands for: its `origin` if it is itself a copy, else its own id.
fn origin_of(entry: &LogEntry) -> Uuid {
    entry
        .value
        .get("origin")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .unwrap_or(entry.entry_id)
}

fn is_blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(_) => false,
    }
}

/// One log entry to append to the owner.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedEntry {
    pub field: &'static str,
    pub entry_id: Uuid,
    pub value: Value,
}

/// What folding card `from` into the owner writes on the owner (the app then puts `from` in the
/// bin). Made by [`merge_plan`]; empty when the owner already has everything (a merge done
/// before, here or on another device).
#[derive(Debug, Clone, PartialEq)]
pub struct MergePlan {
    pub owner: Uuid,
    pub from: Uuid,
    /// Empty fields of the owner and the other card's value.
    pub fill: Vec<(&'static str, Value)>,
    /// The consultant who keeps the customer, when it is not the owner's now.
    pub consultant: Option<String>,
    /// The other card's log entries the owner does not have yet (as copies), oldest first.
    pub entries: Vec<PlannedEntry>,
    /// Set elements the owner lacks: (field, element).
    pub tags: Vec<(&'static str, String)>,
    /// The follow-up entry noting the merge, unless the owner has it already.
    pub note: Option<PlannedEntry>,
}

/// One op of a merge: at most one change per field (as [`crate::sync::validate_op`] wants).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MergeStep {
    pub sets: Vec<(&'static str, Value)>,
    pub appends: Vec<PlannedEntry>,
    pub tags: Vec<(&'static str, String)>,
}

impl MergeStep {
    /// The changes of this step against the owner as stored now.
    pub fn changes(&self, owner: &RecordState) -> Result<Vec<Change>, SyncError> {
        let edit = Edit::new(owner, &A_CARD);
        let mut out = Vec::new();
        for (field, value) in &self.sets {
            out.push(edit.set(field, value.clone())?);
        }
        for e in &self.appends {
            out.push(edit.append(e.field, e.entry_id, e.value.clone())?);
        }
        for (field, elem) in &self.tags {
            out.push(edit.set_add(field, elem)?);
        }
        Ok(out)
    }
}

impl MergePlan {
    /// Nothing to write on the owner.
    pub fn is_empty(&self) -> bool {
        self.fill.is_empty()
            && self.consultant.is_none()
            && self.entries.is_empty()
            && self.tags.is_empty()
            && self.note.is_none()
    }

    /// The plan as ops, in order: the copied entries and tags first (one entry of each log and
    /// one element of each set per op), then one op with the filled fields, the consultant and
    /// the note. Should the device stop half-way, merging again finishes the job without
    /// duplicates (the copies have fixed ids and are skipped once present).
    pub fn steps(&self) -> Vec<MergeStep> {
        let mut steps: Vec<MergeStep> = Vec::new();
        for field in COPIED_LOGS {
            for (i, e) in self
                .entries
                .iter()
                .filter(|e| e.field == *field)
                .enumerate()
            {
                if steps.len() <= i {
                    steps.push(MergeStep::default());
                }
                steps[i].appends.push(e.clone());
            }
        }
        for field in COPIED_SETS {
            for (i, t) in self.tags.iter().filter(|t| t.0 == *field).enumerate() {
                if steps.len() <= i {
                    steps.push(MergeStep::default());
                }
                steps[i].tags.push(t.clone());
            }
        }
        let mut last = MergeStep {
            sets: self.fill.clone(),
            ..MergeStep::default()
        };
        if let Some(c) = &self.consultant {
            last.sets.push(("consultant_id", Value::String(c.clone())));
        }
        last.appends.extend(self.note.clone());
        if last != MergeStep::default() {
            steps.push(last);
        }
        steps
    }
}

/// The plan to fold A-card `from` into `owner` (the card with the earliest first contact):
///
/// - every field of [`FILLED_FIELDS`] that is empty on the owner takes the other card's value;
/// - `consultant` (a user id), when given and not the owner's consultant now, becomes the
///   owner's `consultant_id` (转给 / reassign); `None` keeps the owner's consultant (合并);
/// - every entry of the other card's [`COPIED_LOGS`] is copied to the same log of the owner
///   with the id [`copied_entry_id`] and its value extended by `merged_from` (the other card),
///   `origin` (the entry first written), `by` (its writer's user id) and `at_ms` (its time),
///   unless the owner already has that entry or a copy of it;
/// - tags the owner lacks are added;
/// - a follow-up entry (id [`merge_note_id`], channel [`MERGE_CHANNEL`], `content` =
///   `note_content`) records the merge, once.
pub fn merge_plan(
    owner: &RecordState,
    from: &RecordState,
    consultant: Option<&str>,
    note_content: &str,
) -> MergePlan {
    let fill = FILLED_FIELDS
        .iter()
        .filter(|f| is_blank(owner.value(f)) && !is_blank(from.value(f)))
        .filter_map(|f| Some((*f, from.value(f)?.clone())))
        .collect();
    let consultant = consultant
        .filter(|c| {
            !c.is_empty() && owner.value("consultant_id").and_then(Value::as_str) != Some(*c)
        })
        .map(str::to_string);
    let mut entries = Vec::new();
    for field in COPIED_LOGS {
        let have: BTreeSet<Uuid> = owner
            .log(field)
            .into_iter()
            .flat_map(|e| [e.entry_id, origin_of(e)])
            .collect();
        for e in from.log(field) {
            let origin = origin_of(e);
            let entry_id = copied_entry_id(from.id, e.entry_id);
            if have.contains(&origin) || have.contains(&e.entry_id) || have.contains(&entry_id) {
                continue;
            }
            let mut value = match &e.value {
                Value::Object(m) => m.clone(),
                other => {
                    let mut m = Map::new();
                    m.insert("content".into(), other.clone());
                    m
                }
            };
            value.insert("merged_from".into(), json!(from.id));
            value.insert("origin".into(), json!(origin));
            value.entry("by").or_insert_with(|| json!(e.user_id));
            value.entry("at_ms").or_insert_with(|| json!(e.hlc.wall_ms));
            entries.push(PlannedEntry {
                field,
                entry_id,
                value: Value::Object(value),
            });
        }
    }
    let tags = COPIED_SETS
        .iter()
        .flat_map(|field| {
            let have = owner.set(field);
            from.set(field)
                .into_iter()
                .filter(move |t| !have.contains(t))
                .map(move |t| (*field, t.to_string()))
        })
        .collect();
    let note_id = merge_note_id(owner.id, from.id);
    let noted = owner
        .log("follow_ups")
        .iter()
        .any(|e| e.entry_id == note_id);
    let note = (!noted).then(|| PlannedEntry {
        field: "follow_ups",
        entry_id: note_id,
        value: json!({
            "channel": MERGE_CHANNEL,
            "content": note_content,
            "next_date": null,
            "merged_from": from.id,
            "merged_name": from.value("name").cloned().unwrap_or(Value::Null),
            "merged_consultant": from.value("consultant_id").cloned().unwrap_or(Value::Null),
        }),
    });
    MergePlan {
        owner: owner.id,
        from: from.id,
        fill,
        consultant,
        entries,
        tags,
        note,
    }
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

    // ---- merging ----

    use crate::records::registry;
    use crate::sync::{Clock, Op, apply, validate_op};
    use serde_json::json;

    const SALESMGR: Uuid = Uuid::from_u128(0xA9);
    const PC: Uuid = Uuid::from_u128(0xD9);
    const T0: u64 = 1_780_000_000_000;

    /// A device writing ops (one clock per device).
    struct Device {
        id: Uuid,
        user: Uuid,
        clock: Clock,
        n: u64,
    }

    impl Device {
        fn new(id: Uuid, user: Uuid) -> Self {
            Device {
                id,
                user,
                clock: Clock::new(),
                n: 0,
            }
        }

        fn op(&mut self, record: Uuid, changes: Vec<Change>) -> Op {
            self.n += 1;
            let mut random = [0u8; 10];
            random[..8].copy_from_slice(&(self.id.as_u128() as u64 ^ self.n).to_be_bytes());
            let op = Op {
                op_id: crate::sync::new_id(T0 + self.n, random),
                device_id: self.id,
                user_id: self.user.to_string(),
                store_id: "demo".into(),
                record_id: record,
                record_type: "a_card".into(),
                hlc: self.clock.now(T0 + self.n * 1000),
                changes,
            };
            validate_op(&op, &registry()).unwrap();
            op
        }

        fn write(
            &mut self,
            state: &mut RecordState,
            build: impl FnOnce(Edit) -> Vec<Change>,
        ) -> Op {
            let changes = build(Edit::new(state, &A_CARD));
            let op = self.op(state.id, changes);
            apply(state, &op, &A_CARD).unwrap();
            op
        }

        /// Writes the plan's steps on `owner`, the way the app does; returns the ops.
        fn merge(&mut self, owner: &mut RecordState, plan: &MergePlan) -> Vec<Op> {
            plan.steps()
                .iter()
                .map(|step| {
                    let changes = step.changes(owner).unwrap();
                    let op = self.op(owner.id, changes);
                    apply(owner, &op, &A_CARD).unwrap();
                    op
                })
                .collect()
        }
    }

    fn record_id(n: u64) -> Uuid {
        crate::sync::new_id(T0 - 1_000_000 + n, [n as u8; 10])
    }

    /// A card as a consultant builds it, with follow-ups.
    fn built_card(
        dev: &mut Device,
        n: u64,
        fields: &[(&str, &str)],
        follow_ups: &[&str],
    ) -> RecordState {
        let mut state = RecordState::new(record_id(n), "a_card", "demo");
        let user = dev.user.to_string();
        dev.write(&mut state, |e| {
            let mut c: Vec<Change> = fields
                .iter()
                .map(|(f, v)| e.set(f, json!(v)).unwrap())
                .collect();
            c.push(e.set("consultant_id", json!(user)).unwrap());
            c
        });
        for (i, text) in follow_ups.iter().enumerate() {
            let entry = crate::sync::new_id(T0 + n * 100 + i as u64, [9; 10]);
            dev.write(&mut state, |e| {
                vec![
                    e.append(
                        "follow_ups",
                        entry,
                        json!({"channel": "phone", "content": text, "next_date": null}),
                    )
                    .unwrap(),
                ]
            });
        }
        state
    }

    fn contents(state: &RecordState) -> Vec<String> {
        let mut v: Vec<String> = state
            .log("follow_ups")
            .iter()
            .map(|e| e.value["content"].as_str().unwrap_or_default().to_string())
            .collect();
        v.sort();
        v
    }

    /// Wang (tablet 1) and Li (tablet 2) both built a card for the same customer offline.
    fn roadshow() -> (RecordState, RecordState) {
        let mut wang = Device::new(TABLET1, WANG);
        let mut li = Device::new(TABLET2, LI);
        let owner = built_card(
            &mut wang,
            1,
            &[
                ("name", "张伟"),
                ("phone", "13900001111"),
                ("first_contact_at", "2026-06-06T10:02:00"),
                ("grade", "A"),
            ],
            &["问了朗逸的价格"],
        );
        let other = built_card(
            &mut li,
            2,
            &[
                ("name", "张伟"),
                ("phone", "13900001111"),
                ("first_contact_at", "2026-06-06T10:05:00"),
                ("grade", "H"),
                ("intended_model", "levin"),
                ("district", "浦东"),
            ],
            &["约周六试驾", "发了报价单"],
        );
        (owner, other)
    }

    #[test]
    fn a_merge_fills_the_owners_gaps_copies_every_follow_up_and_notes_itself() {
        let (mut owner, other) = roadshow();
        let plan = merge_plan(&owner, &other, None, "合并撞单");
        // The owner's grade stays; its empty model and district are filled.
        assert_eq!(
            plan.fill,
            vec![
                ("intended_model", json!("levin")),
                ("district", json!("浦东")),
            ]
        );
        assert_eq!(plan.consultant, None, "合并 keeps Wang");
        assert_eq!(plan.entries.len(), 2);
        let copy = &plan.entries[0];
        assert_eq!(copy.value["content"], "约周六试驾");
        assert_eq!(copy.value["merged_from"], json!(other.id));
        assert_eq!(copy.value["by"], json!(LI.to_string()));
        assert_eq!(
            copy.value["origin"],
            json!(other.log("follow_ups")[0].entry_id)
        );
        let note = plan.note.as_ref().unwrap();
        assert_eq!(note.value["channel"], MERGE_CHANNEL);
        assert_eq!(note.value["content"], "合并撞单");
        assert_eq!(note.value["merged_name"], "张伟");
        assert_eq!(note.value["merged_consultant"], json!(LI.to_string()));

        // Each step is a valid op (one change per field); written in order.
        let steps = plan.steps();
        assert_eq!(steps.len(), 3, "{steps:?}");
        let mut mgr = Device::new(PC, SALESMGR);
        mgr.merge(&mut owner, &plan);
        assert_eq!(
            contents(&owner),
            vec!["发了报价单", "合并撞单", "约周六试驾", "问了朗逸的价格"]
        );
        assert_eq!(owner.value("grade"), Some(&json!("A")));
        assert_eq!(owner.value("intended_model"), Some(&json!("levin")));
        assert_eq!(owner.value("consultant_id"), Some(&json!(WANG.to_string())));

        // Merging again (here, or after a sync) has nothing left to write.
        assert!(merge_plan(&owner, &other, None, "合并撞单").is_empty());
        assert!(
            merge_plan(&owner, &other, None, "合并撞单")
                .steps()
                .is_empty()
        );
    }

    #[test]
    fn two_managers_merging_offline_add_each_entry_once() {
        let (owner, other) = roadshow();
        // The sales manager on the office PC and the GM on a tablet both merge, unaware.
        let mut on_pc = owner.clone();
        let mut on_tablet = owner.clone();
        let plan_pc = merge_plan(&on_pc, &other, None, "合并撞单");
        let plan_tablet = merge_plan(&on_tablet, &other, None, "Merged duplicate");
        let ops_pc = Device::new(PC, SALESMGR).merge(&mut on_pc, &plan_pc);
        let ops_tablet = Device::new(Uuid::from_u128(0xDA), Uuid::from_u128(0xAA))
            .merge(&mut on_tablet, &plan_tablet);
        // Each replica receives the other's ops: the same record, every entry once.
        for op in &ops_tablet {
            apply(&mut on_pc, op, &A_CARD).unwrap();
        }
        for op in &ops_pc {
            apply(&mut on_tablet, op, &A_CARD).unwrap();
        }
        assert_eq!(on_pc, on_tablet);
        assert_eq!(on_pc.log("follow_ups").len(), 4, "{:?}", contents(&on_pc));
        assert!(on_pc.conflicts(&A_CARD).is_empty(), "same values agree");
    }

    #[test]
    fn reassigning_gives_the_customer_to_the_chosen_consultant() {
        let (mut owner, other) = roadshow();
        // 转给 Li: the owner card now belongs to Li.
        let li = LI.to_string();
        let plan = merge_plan(&owner, &other, Some(&li), "转给");
        assert_eq!(plan.consultant.as_deref(), Some(li.as_str()));
        Device::new(PC, SALESMGR).merge(&mut owner, &plan);
        assert_eq!(owner.value("consultant_id"), Some(&json!(li)));
        // Choosing the consultant the owner has already is no change.
        let wang = WANG.to_string();
        let (owner, other) = roadshow();
        assert_eq!(
            merge_plan(&owner, &other, Some(&wang), "x").consultant,
            None
        );
        assert_eq!(merge_plan(&owner, &other, Some(""), "x").consultant, None);
    }

    #[test]
    fn entries_already_on_the_owner_are_not_copied_again_even_through_a_chain() {
        // A → B merged; later B's copy is on card C which is merged back into A.
        let (mut a, b) = roadshow();
        let mut mgr = Device::new(PC, SALESMGR);
        let plan = merge_plan(&a, &b, None, "1");
        mgr.merge(&mut a, &plan);
        // Card C (built later by Sun) got A's copies by a merge the other way round.
        let mut sun = Device::new(Uuid::from_u128(0xD3), Uuid::from_u128(0xA3));
        let mut c = built_card(
            &mut sun,
            3,
            &[
                ("phone", "13900001111"),
                ("first_contact_at", "2026-06-07T09:00:00"),
            ],
            &["到店看车"],
        );
        let plan = merge_plan(&c, &a, None, "2");
        mgr.merge(&mut c, &plan);
        assert_eq!(c.log("follow_ups").len(), 1 + 4 + 1);
        // Folding C into A copies only what A lacks: C's own entry and C's merge note.
        let plan = merge_plan(&a, &c, None, "3");
        let copied: Vec<_> = plan
            .entries
            .iter()
            .map(|e| e.value["content"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(copied, vec!["到店看车", "2"]);
        // C's name was empty: nothing to fill from it; A's fields stay.
        assert!(plan.fill.is_empty());
    }

    #[test]
    fn non_object_entries_and_tags_are_carried_over() {
        let (mut owner, mut other) = roadshow();
        // Li again, later (a new device session: its own op ids).
        let mut li = Device::new(Uuid::from_u128(0xD4), LI);
        li.write(&mut other, |e| {
            vec![
                e.append("re_contacts", Uuid::from_u128(0x77), json!("已回访"))
                    .unwrap(),
                e.set_add("tags", "车展").unwrap(),
            ]
        });
        li.write(&mut other, |e| vec![e.set_add("tags", "二胎").unwrap()]);
        let plan = merge_plan(&owner, &other, None, "n");
        let re: Vec<_> = plan
            .entries
            .iter()
            .filter(|e| e.field == "re_contacts")
            .collect();
        assert_eq!(re.len(), 1);
        assert_eq!(re[0].value["content"], "已回访");
        assert_eq!(plan.tags.len(), 2);
        // Two tags and two follow-ups: two ops of one change per field, then the last op.
        let steps = plan.steps();
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0].appends.len(), 2);
        assert_eq!(steps[0].tags.len(), 1);
        Device::new(PC, SALESMGR).merge(&mut owner, &plan);
        assert_eq!(owner.set("tags"), vec!["二胎", "车展"]);
        assert_eq!(owner.log("re_contacts").len(), 1);
    }

    #[test]
    fn reading_a_card_for_duplicates() {
        let (owner, other) = roadshow();
        let a = contact_of(&owner, StoreClock::default()).unwrap();
        assert_eq!(a.phone, "13900001111");
        assert_eq!(a.consultant, WANG);
        assert_eq!(a.device, TABLET1);
        assert_eq!(a.first_contact, at(6, 10, 2));
        let b = contact_of(&other, StoreClock::default()).unwrap();
        let groups = find_duplicates(&[b, a]);
        assert_eq!(groups[0].owner, owner.id);

        // RFC 3339 counts in store-local time; a card without a date counts from its first edit.
        let clock = StoreClock::default();
        let mut dev = Device::new(Uuid::from_u128(0xD5), WANG);
        for (i, (s, want)) in [
            ("2026-06-06T02:02:00Z", Some(at(6, 10, 2))),
            ("2026-06-06 10:02", Some(at(6, 10, 2))),
            ("昨天", None),
        ]
        .into_iter()
        .enumerate()
        {
            let phone = format!("13900002{i:03}");
            let dated = built_card(
                &mut dev,
                10 + i as u64,
                &[("phone", &phone), ("first_contact_at", s)],
                &[],
            );
            let first_edit = clock.local_ms(dated.created.unwrap().wall_ms).unwrap();
            assert_eq!(
                contact_of(&dated, clock).unwrap().first_contact,
                want.unwrap_or(first_edit),
                "{s}"
            );
        }
        let undated = built_card(&mut dev, 4, &[("phone", "139-0000-1111")], &[]);
        let c = contact_of(&undated, StoreClock::default()).unwrap();
        assert_eq!(c.phone, "13900001111");
        assert_eq!(
            c.first_contact,
            StoreClock::default()
                .local_ms(undated.created.unwrap().wall_ms)
                .unwrap()
        );

        // No usable phone, or in the bin: not a candidate.
        let no_phone = built_card(&mut dev, 5, &[("phone", "12345")], &[]);
        assert!(contact_of(&no_phone, StoreClock::default()).is_none());
        let mut binned = owner.clone();
        dev.write(&mut binned, |e| vec![e.delete()]);
        assert!(contact_of(&binned, StoreClock::default()).is_none());
    }
}
