//! Record types: each declares its fields and the merge kind of each field.
//!
//! A record type is declared once as a `static` and registered in a [`Registry`]:
//!
//! ```
//! use domain::sync::{FieldDef, RecordType, Registry, StateMachine};
//!
//! static VISIT_STATE: StateMachine = StateMachine {
//!     states: &["in_showroom", "left"],
//!     initial: "in_showroom",
//!     transitions: &[("in_showroom", "left")],
//! };
//! static VISIT: RecordType = RecordType {
//!     name: "visit",
//!     fields: &[
//!         FieldDef::scalar("source"),
//!         FieldDef::status("state", &VISIT_STATE),
//!         FieldDef::log("notes"),
//!     ],
//! };
//! let mut registry = Registry::new();
//! registry.register(&VISIT).unwrap();
//! assert!(registry.get("visit").is_some());
//! ```

use std::collections::BTreeMap;

use super::error::SyncError;
use super::limits::MAX_STRING_LEN;

/// A declared state machine for a status field. `states` are in rank order: a merge of
/// concurrent transitions shows the state of highest rank, so a merge never moves a record
/// backwards. `transitions` are the allowed `(from, to)` moves (backward moves such as
/// re-activating a lost A-card are allowed when declared; they only happen deliberately).
#[derive(Debug, PartialEq, Eq)]
pub struct StateMachine {
    pub states: &'static [&'static str],
    /// The state of a record before any transition.
    pub initial: &'static str,
    pub transitions: &'static [(&'static str, &'static str)],
}

impl StateMachine {
    /// Rank of `state` (its index in `states`), `None` if not declared.
    pub fn rank(&self, state: &str) -> Option<usize> {
        self.states.iter().position(|s| *s == state)
    }

    /// Whether `from → to` is a declared transition.
    pub fn allows(&self, from: &str, to: &str) -> bool {
        self.transitions.iter().any(|(f, t)| *f == from && *t == to)
    }

    /// Whether a transition op `from → to` is valid: declared, or `from == to` for a declared
    /// state (a confirmation, used to resolve a conflict in favour of a state already reached).
    pub fn valid_transition(&self, from: &str, to: &str) -> bool {
        self.allows(from, to) || (from == to && self.rank(from).is_some())
    }

    fn check(&self) -> Result<(), String> {
        if self.states.is_empty() {
            return Err("a state machine without states".into());
        }
        for (i, s) in self.states.iter().enumerate() {
            check_name(s).map_err(|e| format!("state `{s}`: {e}"))?;
            if self.states[..i].contains(s) {
                return Err(format!("state `{s}` declared twice"));
            }
        }
        if self.rank(self.initial).is_none() {
            return Err(format!("initial state `{}` is not declared", self.initial));
        }
        for (f, t) in self.transitions {
            if self.rank(f).is_none() || self.rank(t).is_none() {
                return Err(format!("transition `{f}` → `{t}` uses an undeclared state"));
            }
        }
        Ok(())
    }
}

/// How a field merges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Last writer by HLC wins; concurrent different values stay as an open conflict.
    Scalar,
    /// A state machine; the shown state is the highest-ranked head; incompatible concurrent
    /// transitions are a conflict.
    Status(&'static StateMachine),
    /// Append-only; the union of all devices' entries.
    Log,
    /// Per-op increments that sum.
    Counter,
    /// Add-wins observed-remove set of strings.
    Set,
}

impl FieldKind {
    /// `scalar`, `status`, `log`, `counter` or `set`.
    pub fn name(&self) -> &'static str {
        match self {
            FieldKind::Scalar => "scalar",
            FieldKind::Status(_) => "status",
            FieldKind::Log => "log",
            FieldKind::Counter => "counter",
            FieldKind::Set => "set",
        }
    }
}

/// One declared field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    pub name: &'static str,
    pub kind: FieldKind,
}

impl FieldDef {
    pub const fn scalar(name: &'static str) -> Self {
        FieldDef {
            name,
            kind: FieldKind::Scalar,
        }
    }
    pub const fn status(name: &'static str, machine: &'static StateMachine) -> Self {
        FieldDef {
            name,
            kind: FieldKind::Status(machine),
        }
    }
    pub const fn log(name: &'static str) -> Self {
        FieldDef {
            name,
            kind: FieldKind::Log,
        }
    }
    pub const fn counter(name: &'static str) -> Self {
        FieldDef {
            name,
            kind: FieldKind::Counter,
        }
    }
    pub const fn set(name: &'static str) -> Self {
        FieldDef {
            name,
            kind: FieldKind::Set,
        }
    }
}

/// A record type: its name (the `record_type` of ops) and its fields.
/// Field names starting with `_` are reserved (the tombstone is reported as `_deleted`).
#[derive(Debug, PartialEq, Eq)]
pub struct RecordType {
    pub name: &'static str,
    pub fields: &'static [FieldDef],
}

impl RecordType {
    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn kind(&self, name: &str) -> Option<FieldKind> {
        self.field(name).map(|f| f.kind)
    }

    /// Check the declaration: names, unique fields, consistent state machines.
    pub fn check(&self) -> Result<(), SyncError> {
        let bad = |reason: String| SyncError::InvalidSchema {
            record_type: self.name.to_string(),
            reason,
        };
        check_name(self.name).map_err(|e| bad(format!("type name: {e}")))?;
        for (i, f) in self.fields.iter().enumerate() {
            check_name(f.name).map_err(|e| bad(format!("field `{}`: {e}", f.name)))?;
            if f.name.starts_with('_') {
                return Err(bad(format!(
                    "field `{}`: names starting with `_` are reserved",
                    f.name
                )));
            }
            if self.fields[..i].iter().any(|g| g.name == f.name) {
                return Err(bad(format!("field `{}` declared twice", f.name)));
            }
            if let FieldKind::Status(m) = f.kind {
                m.check()
                    .map_err(|e| bad(format!("field `{}`: {e}", f.name)))?;
            }
        }
        Ok(())
    }
}

fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("empty name".into());
    }
    if name.chars().count() > MAX_STRING_LEN {
        return Err(format!("longer than {MAX_STRING_LEN} characters"));
    }
    Ok(())
}

/// The record types known to this build. The server and the app build one at start-up.
#[derive(Debug, Default, Clone)]
pub struct Registry {
    types: BTreeMap<&'static str, &'static RecordType>,
}

impl Registry {
    pub fn new() -> Self {
        Registry::default()
    }

    /// Add a record type. Refuses a badly declared type or a second type of the same name.
    pub fn register(&mut self, record_type: &'static RecordType) -> Result<(), SyncError> {
        record_type.check()?;
        if self.types.contains_key(record_type.name) {
            return Err(SyncError::InvalidSchema {
                record_type: record_type.name.to_string(),
                reason: "registered twice".into(),
            });
        }
        self.types.insert(record_type.name, record_type);
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<&'static RecordType> {
        self.types.get(name).copied()
    }

    /// The type named `name`, or `unknown_record_type`.
    pub fn require(&self, name: &str) -> Result<&'static RecordType, SyncError> {
        self.get(name).ok_or_else(|| SyncError::UnknownRecordType {
            record_type: name.to_string(),
        })
    }

    pub fn types(&self) -> impl Iterator<Item = &'static RecordType> + '_ {
        self.types.values().copied()
    }
}

/// Sales stage of the example `customer` type. Ranks: an order outranks a loss proposal,
/// so a concurrent "ordered" and "lost_proposed" shows "ordered" — with an open conflict.
pub static CUSTOMER_STAGE: StateMachine = StateMachine {
    states: &[
        "new",
        "contacted",
        "negotiating",
        "lost_proposed",
        "lost",
        "ordered",
        "delivered",
    ],
    initial: "new",
    transitions: &[
        ("new", "contacted"),
        ("contacted", "negotiating"),
        ("negotiating", "ordered"),
        ("ordered", "delivered"),
        ("new", "lost_proposed"),
        ("contacted", "lost_proposed"),
        ("negotiating", "lost_proposed"),
        ("lost_proposed", "lost"),
        // The customer came back and signed after all.
        ("lost_proposed", "ordered"),
        // A manager re-contacts the customer instead; sleeping/lost cards are re-activated.
        ("lost_proposed", "contacted"),
        ("lost", "contacted"),
    ],
};

/// The example record type used by the sync tests.
pub static CUSTOMER: RecordType = RecordType {
    name: "customer",
    fields: &[
        FieldDef::scalar("name"),
        FieldDef::scalar("phone"),
        FieldDef::status("stage", &CUSTOMER_STAGE),
        FieldDef::log("follow_ups"),
        FieldDef::counter("points"),
        FieldDef::set("tags"),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_is_well_declared_and_registers_once() {
        let mut r = Registry::new();
        r.register(&CUSTOMER).unwrap();
        assert_eq!(r.register(&CUSTOMER).unwrap_err().code(), "invalid_schema");
        assert_eq!(
            r.require("customer").unwrap().kind("points"),
            Some(FieldKind::Counter)
        );
        assert_eq!(r.require("nope").unwrap_err().code(), "unknown_record_type");
    }

    #[test]
    fn bad_declarations_are_refused() {
        static BAD_MACHINE: StateMachine = StateMachine {
            states: &["a", "b"],
            initial: "a",
            transitions: &[("a", "c")],
        };
        static BAD1: RecordType = RecordType {
            name: "bad1",
            fields: &[FieldDef::status("s", &BAD_MACHINE)],
        };
        static BAD2: RecordType = RecordType {
            name: "bad2",
            fields: &[FieldDef::scalar("x"), FieldDef::log("x")],
        };
        static BAD3: RecordType = RecordType {
            name: "bad3",
            fields: &[FieldDef::scalar("_deleted")],
        };
        for t in [&BAD1, &BAD2, &BAD3] {
            assert_eq!(
                t.check().unwrap_err().code(),
                "invalid_schema",
                "{}",
                t.name
            );
        }
    }

    #[test]
    fn transitions() {
        let m = &CUSTOMER_STAGE;
        assert_eq!(m.rank("new"), Some(0));
        assert_eq!(m.rank("sold"), None);
        assert!(m.allows("lost", "contacted")); // declared, though backwards
        assert!(m.valid_transition("ordered", "ordered"));
        assert!(!m.valid_transition("new", "ordered"));
    }
}
