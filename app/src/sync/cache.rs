//! The device's bounded in-memory copy of records (docs/sync.md, "How a screen reads records").
//!
//! - The small types of `domain::records::index::WHOLE_TYPES` (settings, the rota, key
//!   accounts) are held whole, read once at start; [`super::SyncCtx::records`] reads them.
//! - Any other record is held only while screens use it: a [`Lru`] of at most [`LRU_CAP`]
//!   records by id, filled by [`super::SyncCtx::record`] (which reads a missing id from
//!   IndexedDB, batched) and by what screens read through the indexes ([`super::read`]).
//! - A sync updates only what is held: a record pulled or downloaded that no screen holds stays
//!   in IndexedDB; the screens are told which types changed ([`bump`]) and read again what
//!   they show.
//! - Each type has a revision ([`track`]): a screen that reads records of `a_card` is read
//!   again when an `a_card` changes, not when a visit does.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use domain::sync::RecordState;
use leptos::prelude::*;
use uuid::Uuid;

/// The most records held by id (besides the whole types).
pub const LRU_CAP: usize = 4_000;

/// Records by id, the least recently used dropped past a cap.
#[derive(Debug, Default)]
pub struct Lru {
    map: HashMap<Uuid, (RecordState, u64)>,
    tick: u64,
    cap: usize,
}

impl Lru {
    pub fn new(cap: usize) -> Self {
        Lru {
            map: HashMap::new(),
            tick: 0,
            cap: cap.max(1),
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// The record `id`, now the most recently used.
    pub fn get(&mut self, id: &Uuid) -> Option<&RecordState> {
        self.tick += 1;
        let tick = self.tick;
        self.map.get_mut(id).map(|(r, t)| {
            *t = tick;
            &*r
        })
    }

    /// Holds `state` (the most recently used), dropping the least recently used quarter when
    /// past the cap.
    pub fn put(&mut self, state: RecordState) {
        self.tick += 1;
        self.map.insert(state.id, (state, self.tick));
        if self.map.len() > self.cap {
            let keep = self.cap - self.cap / 4;
            let mut ticks: Vec<u64> = self.map.values().map(|(_, t)| *t).collect();
            ticks.sort_unstable();
            let oldest_kept = ticks[ticks.len() - keep];
            self.map.retain(|_, (_, t)| *t >= oldest_kept);
        }
    }

    /// Replaces the held copy of `state`, if one is held (its use is not refreshed). Returns
    /// whether one was.
    pub fn update(&mut self, state: RecordState) -> bool {
        match self.map.get_mut(&state.id) {
            Some((r, _)) => {
                *r = state;
                true
            }
            None => false,
        }
    }

    pub fn remove(&mut self, id: &Uuid) {
        self.map.remove(id);
    }
}

/// Everything held in memory.
#[derive(Debug)]
pub struct Cache {
    pub lru: Lru,
    /// Types held whole: the small ones, and (until every screen reads through the indexes)
    /// a type a screen asked for whole ([`super::SyncCtx::records`]).
    pub whole: HashMap<String, BTreeMap<Uuid, RecordState>>,
    /// Types asked for whole whose reading has finished.
    pub whole_read: BTreeSet<String>,
    /// Ids looked for and not stored on the device (not read again until a change brings them).
    pub missing: BTreeSet<Uuid>,
    /// Ids to read from IndexedDB (the next batch).
    pub wanted: BTreeSet<Uuid>,
}

impl Default for Cache {
    fn default() -> Self {
        Cache {
            lru: Lru::new(LRU_CAP),
            whole: HashMap::new(),
            whole_read: BTreeSet::new(),
            missing: BTreeSet::new(),
            wanted: BTreeSet::new(),
        }
    }
}

impl Cache {
    /// A record as stored now: held whole, or held by id only if `keep` or it was held.
    pub fn put(&mut self, state: RecordState, keep: bool) {
        self.missing.remove(&state.id);
        if let Some(m) = self.whole.get_mut(&state.record_type) {
            m.insert(state.id, state);
        } else if keep {
            self.lru.put(state);
        } else {
            self.lru.update(state);
        }
    }

    /// Whether a copy of record `id` (of `record_type`) is held, so that a change to it must
    /// reach the cache ([`Cache::put`] updates only those).
    pub fn holds(&self, id: &Uuid, record_type: &str) -> bool {
        self.whole.contains_key(record_type) || self.lru.map.contains_key(id)
    }

    /// A record no longer stored.
    pub fn remove(&mut self, id: &Uuid) {
        self.lru.remove(id);
        for m in self.whole.values_mut() {
            m.remove(id);
        }
    }

    /// The held copy of `id`.
    pub fn get(&mut self, id: &Uuid) -> Option<RecordState> {
        if let Some(r) = self.lru.get(id) {
            return Some(r.clone());
        }
        self.whole.values().find_map(|m| m.get(id)).cloned()
    }

    /// Asks for `record_type` whole (`SyncCtx::records`, `SyncCtx::has_read`): returns whether
    /// its reading must start now, i.e. it is asked for the first time (held from then on, what
    /// is put of it kept; [`Cache::fill_whole`] says when it has been read).
    pub fn ask_whole(&mut self, record_type: &str) -> bool {
        if self.whole.contains_key(record_type) {
            return false;
        }
        self.whole
            .insert(record_type.to_string(), BTreeMap::default());
        true
    }

    /// Fills the whole type `record_type` with what was read (a copy put meanwhile, newer, is
    /// kept).
    pub fn fill_whole(&mut self, record_type: &str, read: Vec<RecordState>) {
        let m = self.whole.entry(record_type.to_string()).or_default();
        for r in read {
            m.entry(r.id).or_insert(r);
        }
        self.whole_read.insert(record_type.to_string());
    }
}

thread_local! {
    pub static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
    static REVS: RefCell<HashMap<String, ArcRwSignal<u64>>> = RefCell::new(HashMap::new());
}

fn rev_of(record_type: &str) -> ArcRwSignal<u64> {
    REVS.with(|r| {
        r.borrow_mut()
            .entry(record_type.to_string())
            .or_insert_with(|| ArcRwSignal::new(0))
            .clone()
    })
}

/// Tracks the revision of `record_type`: the reactive code calling this runs again when a
/// record of that type changes on the device.
pub fn track(record_type: &str) {
    rev_of(record_type).track();
}

/// Tells the screens that records of `types` changed.
pub fn bump<'a>(types: impl IntoIterator<Item = &'a str>) {
    let types: BTreeSet<&str> = types.into_iter().collect();
    for t in types {
        rev_of(t).update(|r| *r += 1);
    }
}

/// Tells the screens that records of any type may have changed.
pub fn bump_all() {
    let all: Vec<ArcRwSignal<u64>> = REVS.with(|r| r.borrow().values().cloned().collect());
    for s in all {
        s.update(|r| *r += 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(n: u128, t: &str) -> RecordState {
        RecordState::new(Uuid::from_u128(n), t, "demo")
    }

    #[test]
    fn the_lru_drops_the_least_recently_used_past_its_cap() {
        let mut lru = Lru::new(8);
        for n in 0..8 {
            lru.put(rec(n, "a_card"));
        }
        // 0 and 1 used again: the oldest are now 2, 3.
        assert!(lru.get(&Uuid::from_u128(0)).is_some());
        assert!(lru.get(&Uuid::from_u128(1)).is_some());
        lru.put(rec(8, "a_card"));
        assert_eq!(lru.len(), 6);
        for gone in [2, 3, 4] {
            assert!(lru.get(&Uuid::from_u128(gone)).is_none(), "{gone}");
        }
        for kept in [0, 1, 5, 6, 7, 8] {
            assert!(lru.get(&Uuid::from_u128(kept)).is_some(), "{kept}");
        }
        // Never more than the cap, however many are put.
        for n in 100..1_000 {
            lru.put(rec(n, "visit"));
            assert!(lru.len() <= 8);
        }
    }

    #[test]
    fn a_sync_updates_only_what_is_held() {
        let mut cache = Cache::default();
        cache.put(rec(1, "a_card"), false);
        assert!(cache.get(&Uuid::from_u128(1)).is_none());
        cache.put(rec(1, "a_card"), true);
        let mut newer = rec(1, "a_card");
        newer.store_id = "other".into();
        cache.put(newer.clone(), false);
        assert_eq!(cache.get(&Uuid::from_u128(1)), Some(newer));
        cache.remove(&Uuid::from_u128(1));
        assert!(cache.get(&Uuid::from_u128(1)).is_none());
    }

    #[test]
    fn a_whole_type_holds_every_record_put_and_keeps_newer_copies_when_filled() {
        let mut cache = Cache::default();
        cache.whole.insert("sales_settings".into(), BTreeMap::new());
        let mut newer = rec(5, "sales_settings");
        newer.store_id = "newer".into();
        cache.put(newer.clone(), false);
        cache.fill_whole(
            "sales_settings",
            vec![rec(5, "sales_settings"), rec(6, "sales_settings")],
        );
        assert_eq!(cache.get(&Uuid::from_u128(5)), Some(newer));
        assert!(cache.get(&Uuid::from_u128(6)).is_some());
        assert_eq!(cache.lru.len(), 0);
        assert!(cache.whole_read.contains("sales_settings"));
    }

    #[test]
    fn asking_for_a_type_whole_starts_one_reading_answered_when_filled() {
        let mut cache = Cache::default();
        // Asked (by `has_read` as by `records`): one reading starts, the type is held from then.
        assert!(cache.ask_whole("care_task"));
        assert!(
            !cache.ask_whole("care_task"),
            "one reading, however often asked"
        );
        assert!(!cache.whole_read.contains("care_task"));
        cache.put(rec(3, "care_task"), false);
        assert!(cache.get(&Uuid::from_u128(3)).is_some(), "held while read");
        cache.fill_whole("care_task", vec![rec(4, "care_task")]);
        assert!(cache.whole_read.contains("care_task"));
        assert_eq!(cache.whole["care_task"].len(), 2);
        // A small type prepared at start is read by the start, not by asking.
        cache.whole.entry("sales_settings".into()).or_default();
        assert!(!cache.ask_whole("sales_settings"));
    }

    #[test]
    fn a_record_found_is_no_longer_missing() {
        let mut cache = Cache::default();
        cache.missing.insert(Uuid::from_u128(9));
        cache.put(rec(9, "visit"), false);
        assert!(cache.missing.is_empty());
    }
}
