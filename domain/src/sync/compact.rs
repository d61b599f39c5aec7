//! The compact text of a [`RecordState`] a device stores (IndexedDB's `records`, the `json` of
//! a value; docs/sync.md, "First sync").
//!
//! A first sync's cost in the browser grows with the bytes it stores (issue 14: ~70 µs per KB
//! of value in chromium, on top of ~130 µs a record), and the state's serde form repeats, for
//! every field, the writing op's id, clock, device and user with their long names: ~1.8 KB for
//! a card made by one op. The compact form says each distinct write stamp (op id, clock,
//! device, user) once, in a table (`w`), and a field's heads point into it by position; keys
//! are one or two letters. It is lossless: [`from_text`] gives back the same state
//! ([`RecordState`]'s `PartialEq`), so merging (`join`, `apply`) works on it as on the serde
//! form. [`from_text`] reads both forms (a device keeps what it stored before).
//!
//! ```text
//! {"v":1,"i":<id>,"t":<type>,"s":<store>,
//!  "w":[[<op id>,<wall_ms>,<counter>,<device>,<user>],…],
//!  "f":{<field>:{"h":[[<stamp>,<value>],…],"m":{<head>:<from>},"x":[<superseded op>…]}  register
//!             |{"l":[[<entry id>,<stamp>,<value>],…]}                                     log
//!             |{"n":[[<op id>,<device>,<delta>],…]}                                       counter
//!             |{"sa":{<element>:[<tag>…]},"sr":[<tag>…]},                                 set
//!  "d":<register>, "c":[<wall_ms>,<counter>], "u":[…], "a":[<stamp>…], "ax":[<op id>…]}
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::hlc::Hlc;
use super::state::{
    CounterState, CounterStep, FieldState, LogEntry, LogState, RecordState, Register, SetState,
    Write,
};

/// The start of every compact text (the serde form starts with `{"id":`).
pub const PREFIX: &str = "{\"v\":1,";

/// A write stamp: op id, wall ms, counter, device, user.
type Stamp = (Uuid, u64, u32, Uuid, String);

#[derive(Serialize, Deserialize)]
struct Compact {
    v: u8,
    i: Uuid,
    t: String,
    s: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    w: Vec<Stamp>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    f: BTreeMap<String, Field>,
    #[serde(default, skip_serializing_if = "Field::is_empty")]
    d: Field,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    c: Option<(u64, u32)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    u: Option<(u64, u32)>,
    /// The applied ops that are in the stamp table, by position.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    a: Vec<usize>,
    /// The other applied ops.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    ax: Vec<Uuid>,
}

/// One field: a register unless one of `l`, `n`, `sa` says otherwise.
#[derive(Default, Serialize, Deserialize)]
struct Field {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    h: Vec<(usize, Value)>,
    /// A head's `from` (a status move), by the head's position in `h`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    m: BTreeMap<usize, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    x: Vec<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    l: Option<Vec<(Uuid, usize, Value)>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    n: Option<Vec<(Uuid, Uuid, i64)>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sa: Option<BTreeMap<String, BTreeSet<Uuid>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sr: Option<BTreeSet<Uuid>>,
}

impl Field {
    fn is_empty(&self) -> bool {
        self.h.is_empty()
            && self.x.is_empty()
            && self.m.is_empty()
            && self.l.is_none()
            && self.n.is_none()
            && self.sa.is_none()
            && self.sr.is_none()
    }
}

/// The stamp table being built.
#[derive(Default)]
struct Stamps {
    table: Vec<Stamp>,
    at: HashMap<(Uuid, Hlc, Uuid, String), usize>,
}

impl Stamps {
    fn of(&mut self, op_id: Uuid, hlc: Hlc, device: Uuid, user: &str) -> usize {
        let key = (op_id, hlc, device, user.to_string());
        if let Some(i) = self.at.get(&key) {
            return *i;
        }
        let i = self.table.len();
        self.table
            .push((op_id, hlc.wall_ms, hlc.counter, device, user.to_string()));
        self.at.insert(key, i);
        i
    }
}

fn register_of(r: &Register, stamps: &mut Stamps) -> Field {
    let mut f = Field::default();
    for (op_id, w) in &r.heads {
        if let Some(from) = &w.from {
            f.m.insert(f.h.len(), from.clone());
        }
        let at = stamps.of(*op_id, w.hlc, w.device_id, &w.user_id);
        f.h.push((at, w.value.clone()));
    }
    f.x = r.superseded.iter().copied().collect();
    f
}

fn field_of(state: &FieldState, stamps: &mut Stamps) -> Field {
    match state {
        FieldState::Register(r) => register_of(r, stamps),
        FieldState::Log(l) => Field {
            l: Some(
                l.entries
                    .values()
                    .map(|e| {
                        let at = stamps.of(e.op_id, e.hlc, e.device_id, &e.user_id);
                        (e.entry_id, at, e.value.clone())
                    })
                    .collect(),
            ),
            ..Field::default()
        },
        FieldState::Counter(c) => Field {
            n: Some(
                c.steps
                    .iter()
                    .map(|(op, s)| (*op, s.device_id, s.delta))
                    .collect(),
            ),
            ..Field::default()
        },
        FieldState::Set(s) => Field {
            sa: Some(s.adds.clone()),
            sr: Some(s.removed.clone()),
            ..Field::default()
        },
    }
}

/// `state` as compact text (starts with [`PREFIX`]).
pub fn to_text(state: &RecordState) -> String {
    let mut stamps = Stamps::default();
    let f = state
        .fields
        .iter()
        .map(|(name, s)| (name.clone(), field_of(s, &mut stamps)))
        .collect();
    let d = register_of(&state.deleted, &mut stamps);
    let by_op: HashMap<Uuid, usize> = stamps
        .table
        .iter()
        .enumerate()
        .map(|(i, s)| (s.0, i))
        .collect();
    let (mut a, mut ax) = (Vec::new(), Vec::new());
    for op in &state.applied {
        match by_op.get(op) {
            Some(i) => a.push(*i),
            None => ax.push(*op),
        }
    }
    let hlc = |h: Option<Hlc>| h.map(|h| (h.wall_ms, h.counter));
    let compact = Compact {
        v: 1,
        i: state.id,
        t: state.record_type.clone(),
        s: state.store_id.clone(),
        w: stamps.table,
        f,
        d,
        c: hlc(state.created),
        u: hlc(state.updated),
        a,
        ax,
    };
    // A struct of strings, numbers and JSON values: serialising it cannot fail.
    serde_json::to_string(&compact).unwrap_or_default()
}

/// A compact text that does not hold together (a stamp position out of the table).
fn broken(what: &str) -> serde_json::Error {
    <serde_json::Error as serde::de::Error>::custom(format!("compact record: {what}"))
}

fn register_from(f: Field, table: &[Stamp]) -> Result<Register, serde_json::Error> {
    let mut from = f.m;
    let mut heads = BTreeMap::new();
    for (i, (at, value)) in f.h.into_iter().enumerate() {
        let (op_id, wall_ms, counter, device_id, user_id) = table
            .get(at)
            .ok_or_else(|| broken("a head's stamp"))?
            .clone();
        heads.insert(
            op_id,
            Write {
                value,
                from: from.remove(&i),
                hlc: Hlc::new(wall_ms, counter),
                device_id,
                user_id,
            },
        );
    }
    Ok(Register {
        heads,
        superseded: f.x.into_iter().collect(),
    })
}

fn field_from(f: Field, table: &[Stamp]) -> Result<FieldState, serde_json::Error> {
    if let Some(entries) = f.l {
        let mut log = LogState::default();
        for (entry_id, at, value) in entries {
            let (op_id, wall_ms, counter, device_id, user_id) = table
                .get(at)
                .ok_or_else(|| broken("a log entry's stamp"))?
                .clone();
            log.entries.insert(
                entry_id,
                LogEntry {
                    entry_id,
                    value,
                    hlc: Hlc::new(wall_ms, counter),
                    device_id,
                    user_id,
                    op_id,
                },
            );
        }
        return Ok(FieldState::Log(log));
    }
    if let Some(steps) = f.n {
        return Ok(FieldState::Counter(CounterState {
            steps: steps
                .into_iter()
                .map(|(op, device_id, delta)| (op, CounterStep { device_id, delta }))
                .collect(),
        }));
    }
    if f.sa.is_some() || f.sr.is_some() {
        return Ok(FieldState::Set(SetState {
            adds: f.sa.unwrap_or_default(),
            removed: f.sr.unwrap_or_default(),
        }));
    }
    register_from(f, table).map(FieldState::Register)
}

/// The state of a stored text: the compact form ([`PREFIX`]) or the serde form.
pub fn from_text(text: &str) -> Result<RecordState, serde_json::Error> {
    if !text.starts_with(PREFIX) {
        return serde_json::from_str(text);
    }
    let c: Compact = serde_json::from_str(text)?;
    let mut fields = BTreeMap::new();
    for (name, f) in c.f {
        fields.insert(name, field_from(f, &c.w)?);
    }
    let deleted = register_from(c.d, &c.w)?;
    let mut applied: BTreeSet<Uuid> = c.ax.into_iter().collect();
    for at in c.a {
        applied.insert(c.w.get(at).ok_or_else(|| broken("an applied op"))?.0);
    }
    let hlc = |h: Option<(u64, u32)>| h.map(|(w, n)| Hlc::new(w, n));
    Ok(RecordState {
        id: c.i,
        record_type: c.t,
        store_id: c.s,
        fields,
        deleted,
        created: hlc(c.c),
        updated: hlc(c.u),
        applied,
    })
}
