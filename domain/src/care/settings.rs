//! The store's care settings (`care_settings`, one record per store), read as [`CareSettings`].

use std::collections::BTreeMap;

use chrono::NaiveTime;
use serde_json::Value;
use uuid::Uuid;

use super::CareKind;
use crate::records::field;
use crate::sync::RecordState;

/// The maintenance interval of a model (or the store's default): whichever comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub days: u32,
    pub km: u32,
}

/// The store's care settings as the schedule and the call screen use them.
#[derive(Debug, Clone, PartialEq)]
pub struct CareSettings {
    /// When the store opens (the birthday call is due within two hours of it).
    pub opening: NaiveTime,
    /// When the store closes (a task is due by closing time on its due day).
    pub closing: NaiveTime,
    /// The maintenance interval when the model has none of its own.
    pub maintenance: Interval,
    /// Per model code (the C-card's `model`).
    pub model_intervals: BTreeMap<String, Interval>,
    /// How many days ahead the schedule is generated (and assigned).
    pub horizon_days: u32,
    /// The CS specialists the CS manager spreads the tasks over.
    pub specialists: Vec<Uuid>,
    /// The call script per task kind (`CareKind::as_str`), written by the CS manager.
    pub scripts: BTreeMap<String, String>,
    /// Message templates per task kind, overriding [`super::message::default_template`].
    pub templates: BTreeMap<String, String>,
}

/// How far back the schedule looks for rows still due (a device that was off for a while
/// still makes last week's rows; older ones are history).
pub const LOOKBACK_DAYS: u32 = 30;

impl Default for CareSettings {
    fn default() -> Self {
        CareSettings {
            opening: NaiveTime::from_hms_opt(8, 30, 0).unwrap_or_default(),
            closing: NaiveTime::from_hms_opt(17, 30, 0).unwrap_or_default(),
            maintenance: Interval {
                days: 182,
                km: 5000,
            },
            model_intervals: BTreeMap::new(),
            horizon_days: 14,
            specialists: Vec::new(),
            scripts: BTreeMap::new(),
            templates: BTreeMap::new(),
        }
    }
}

fn text_map(v: Option<&Value>) -> BTreeMap<String, String> {
    let parsed = match v {
        Some(Value::String(s)) => serde_json::from_str::<Value>(s).ok(),
        Some(v) => Some(v.clone()),
        None => None,
    };
    parsed
        .and_then(|v| v.as_object().cloned())
        .map(|o| {
            o.into_iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

fn time_of(r: &RecordState, f: &str) -> Option<NaiveTime> {
    field::text(r, f).and_then(|s| NaiveTime::parse_from_str(s.trim(), "%H:%M").ok())
}

fn positive(r: &RecordState, f: &str) -> Option<u32> {
    field::integer(r, f)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0)
}

impl CareSettings {
    /// The settings as stored; the defaults for anything missing or unreadable.
    pub fn of(r: &RecordState) -> CareSettings {
        let d = CareSettings::default();
        let model_intervals = match r.value("model_intervals") {
            Some(Value::String(s)) => serde_json::from_str::<Value>(s).ok(),
            Some(v) => Some(v.clone()),
            None => None,
        }
        .and_then(|v| v.as_object().cloned())
        .map(|o| {
            o.into_iter()
                .filter_map(|(model, v)| {
                    let n = |k: &str| {
                        v.get(k)
                            .and_then(Value::as_u64)
                            .and_then(|n| u32::try_from(n).ok())
                    };
                    Some((
                        model,
                        Interval {
                            days: n("days")?,
                            km: n("km")?,
                        },
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
        let mut specialists: Vec<Uuid> = field::set(r, "specialists")
            .iter()
            .filter_map(|s| Uuid::parse_str(s.trim()).ok())
            .collect();
        specialists.sort();
        specialists.dedup();
        CareSettings {
            opening: time_of(r, "opening").unwrap_or(d.opening),
            closing: time_of(r, "closing").unwrap_or(d.closing),
            maintenance: Interval {
                days: positive(r, "maintenance_days").unwrap_or(d.maintenance.days),
                km: positive(r, "maintenance_km").unwrap_or(d.maintenance.km),
            },
            model_intervals,
            horizon_days: positive(r, "horizon_days").unwrap_or(d.horizon_days),
            specialists,
            scripts: text_map(r.value("scripts")),
            templates: text_map(r.value("templates")),
        }
    }

    /// The maintenance interval of `model` (the store's default when it has none).
    pub fn interval_of(&self, model: Option<&str>) -> Interval {
        model
            .and_then(|m| self.model_intervals.get(m.trim()))
            .copied()
            .unwrap_or(self.maintenance)
    }

    /// The CS manager's script for a kind of task, if written.
    pub fn script(&self, kind: &str) -> Option<&str> {
        self.scripts
            .get(kind)
            .map(String::as_str)
            .filter(|s| !s.trim().is_empty())
    }

    /// Whether `kind` (as stored) is one the schedule makes.
    pub fn is_scheduled(kind: &str) -> bool {
        CareKind::parse(kind).is_some()
    }
}

/// The id of the store's `care_settings` record: derived from the store, so the CS manager's
/// devices write one record.
pub fn care_settings_id(store_id: &str) -> Uuid {
    super::derived_id(&format!("care_settings/{store_id}"), 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::CARE_SETTINGS;
    use crate::records::field::tests::record_with;
    use serde_json::json;

    #[test]
    fn settings_read_with_defaults_for_what_is_missing() {
        let r = record_with(&CARE_SETTINGS, 1, 1_780_000_000_000, |e| {
            vec![
                e.set("opening", json!("09:00")).unwrap(),
                e.set("maintenance_km", json!("7500")).unwrap(),
                e.set(
                    "model_intervals",
                    json!(r#"{"mondeo":{"days":365,"km":10000},"bad":{"days":1}}"#),
                )
                .unwrap(),
                e.set(
                    "scripts",
                    json!({"first_maintenance": "您好,我是客服小李……"}),
                )
                .unwrap(),
            ]
        });
        let s = CareSettings::of(&r);
        assert_eq!(s.opening, NaiveTime::from_hms_opt(9, 0, 0).unwrap());
        assert_eq!(s.closing, CareSettings::default().closing);
        assert_eq!(
            s.maintenance,
            Interval {
                days: 182,
                km: 7500
            }
        );
        assert_eq!(
            s.interval_of(Some("mondeo")),
            Interval {
                days: 365,
                km: 10000
            }
        );
        assert_eq!(s.interval_of(Some("bad")), s.maintenance);
        assert_eq!(s.interval_of(None), s.maintenance);
        assert_eq!(s.script("first_maintenance"), Some("您好,我是客服小李……"));
        assert_eq!(s.script("birthday"), None);
        assert!(CareSettings::is_scheduled("birthday"));
        assert!(!CareSettings::is_scheduled("delivery_call_24h"));
    }

    #[test]
    fn the_settings_id_is_the_stores() {
        assert_eq!(care_settings_id("demo"), care_settings_id("demo"));
        assert_ne!(care_settings_id("demo"), care_settings_id("other"));
    }
}
