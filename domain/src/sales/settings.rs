//! The store's sales settings (销售设置) as read from its `sales_settings` record(s) (docs/demo.md,
//! "Record conventions"): the model catalogue, the test-drive fleet, the routes, the follow-up
//! cadence per grade and the sleeping threshold; and the checks a sales manager's changes pass.
//!
//! One record per store: a device that finds none creates it under [`settings_record_id`] (derived
//! from the store id), so two tablets that both create it offline write the same record. A store
//! whose record was made earlier under another id keeps using that one ([`settings_target`]);
//! readers take the union of every live `sales_settings` record of the store.
//!
//! [`StoreSettings::of`] is THE reader of the store's catalogue, fleet, routes and cadence, on
//! the devices and on the server (import, demo checks). Its rules, in one place:
//! - the union of the elements of every live (not binned) `sales_settings` record; elements that
//!   are not the JSON of their type are skipped; each kept with its exact stored text;
//! - sorted by code (models) or id (fleet, routes), then by stored text, so every reader sees the
//!   same order;
//! - the catalogue ([`StoreSettings::catalogue`]) has one model per code: when a code appears
//!   more than once (an element changed on two tablets at once, or two settings records), the
//!   names of the first in that order are kept and the model is on sale if any copy is;
//! - cadence / sleeping days: from the record with the smallest id that has the field (a number
//!   or numeric text); the defaults unless all four cadence days form valid settings.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::UserError;
use super::a_card::{Catalogue, CatalogueModel};
use super::grade::{CadenceSettings, SleepSettings};
use super::vin::{Vin, VinError};
use crate::records::field;
use crate::sync::RecordState;

/// A test-drive vehicle (试驾车), an element of the `fleet` set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetVehicle {
    pub id: String,
    /// A catalogue code.
    pub model: String,
    pub plate: String,
    pub vin: String,
}

/// A test-drive route (试驾路线), an element of the `routes` set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Route {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub km: f64,
}

/// The settings as shown: each set element with the exact stored text (what a remove observes).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoreSettings {
    pub models: Vec<(String, CatalogueModel)>,
    pub fleet: Vec<(String, FleetVehicle)>,
    pub routes: Vec<(String, Route)>,
    pub cadence: CadenceSettings,
    pub sleep: SleepSettings,
    /// Whether the cadence / sleeping days were set by the store (else the defaults).
    pub cadence_set: bool,
    pub sleep_set: bool,
}

impl StoreSettings {
    /// The union of the store's live `sales_settings` records (other types are ignored).
    pub fn of<'a>(records: impl IntoIterator<Item = &'a RecordState>) -> StoreSettings {
        let mut out = StoreSettings::default();
        let mut records: Vec<&RecordState> = records
            .into_iter()
            .filter(|r| r.record_type == "sales_settings" && !r.is_deleted())
            .collect();
        records.sort_by_key(|r| r.id);
        for r in &records {
            out.models
                .extend(field::set_json::<CatalogueModel>(r, "models"));
            out.fleet
                .extend(field::set_json::<FleetVehicle>(r, "fleet"));
            out.routes.extend(field::set_json::<Route>(r, "routes"));
        }
        out.models
            .sort_by(|a, b| a.1.code.cmp(&b.1.code).then(a.0.cmp(&b.0)));
        out.fleet
            .sort_by(|a, b| a.1.id.cmp(&b.1.id).then(a.0.cmp(&b.0)));
        out.routes
            .sort_by(|a, b| a.1.id.cmp(&b.1.id).then(a.0.cmp(&b.0)));
        let days = |f: &str| {
            records
                .iter()
                .find_map(|r| field::integer(r, f))
                .and_then(|n| u32::try_from(n).ok())
        };
        let cadence = [
            days("cadence_h_days"),
            days("cadence_a_days"),
            days("cadence_b_days"),
            days("cadence_c_days"),
        ];
        if let [Some(h), Some(a), Some(b), Some(c)] = cadence
            && let Ok(s) = CadenceSettings::new(h, a, b, c)
        {
            out.cadence = s;
            out.cadence_set = true;
        }
        if let Some(s) = days("sleep_days").and_then(|d| SleepSettings::new(d).ok()) {
            out.sleep = s;
            out.sleep_set = true;
        }
        out
    }

    /// The catalogue (one model per code: an element changed on two tablets at once shows
    /// twice in the set; the one on sale wins, so a model is never hidden by accident).
    pub fn catalogue(&self) -> Catalogue {
        let mut models: Vec<CatalogueModel> = Vec::new();
        for (_, m) in &self.models {
            match models.iter_mut().find(|x| x.code == m.code) {
                Some(x) => x.on_sale |= m.on_sale,
                None => models.push(m.clone()),
            }
        }
        Catalogue { models }
    }

    /// The stored elements of the model `code` (usually one).
    pub fn model_elements(&self, code: &str) -> Vec<&str> {
        self.models
            .iter()
            .filter(|(_, m)| m.code == code)
            .map(|(e, _)| e.as_str())
            .collect()
    }
}

/// The id of a store's `sales_settings` record, derived from the store id (UUID v7 layout with
/// a zero time and FNV-1a hashes of `sales_settings/<store>` as the random part).
pub fn settings_record_id(store_id: &str) -> Uuid {
    derived_record_id(&format!("sales_settings/{store_id}"))
}

/// A record id derived from `key` (UUID v7 layout with a zero time and FNV-1a hashes of the key
/// as the random part): the one record of its kind per store.
pub fn derived_record_id(key: &str) -> Uuid {
    let a = fnv1a(0xcbf2_9ce4_8422_2325, key.as_bytes()).to_be_bytes();
    let b = fnv1a(0x6c62_272e_07bb_0142, key.as_bytes()).to_be_bytes();
    let mut random = [0u8; 10];
    random[..8].copy_from_slice(&a);
    random[8..].copy_from_slice(&b[..2]);
    uuid::Builder::from_unix_timestamp_millis(0, &random).into_uuid()
}

fn fnv1a(seed: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(seed, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The record a settings change goes to: the derived id when it exists, else the store's oldest
/// (smallest id) live settings record, else the derived id (a new record).
pub fn settings_target<'a>(
    store_id: &str,
    records: impl IntoIterator<Item = &'a RecordState>,
) -> Uuid {
    let derived = settings_record_id(store_id);
    let live: Vec<Uuid> = records
        .into_iter()
        .filter(|r| r.record_type == "sales_settings" && !r.is_deleted())
        .map(|r| r.id)
        .collect();
    if live.contains(&derived) {
        return derived;
    }
    live.into_iter().min().unwrap_or(derived)
}

/// A model's set element.
pub fn model_element(m: &CatalogueModel) -> String {
    serde_json::to_string(m).unwrap_or_default()
}

/// Checks a new catalogue model: a code of `a-z 0-9 _ -` (at most 40), not used yet, both names.
pub fn check_new_model(
    catalogue: &Catalogue,
    code: &str,
    name_zh: &str,
    name_en: &str,
) -> Result<CatalogueModel, SettingsError> {
    let code = code.trim().to_ascii_lowercase();
    if code.is_empty()
        || code.len() > 40
        || !code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
    {
        return Err(SettingsError::ModelCodeInvalid);
    }
    if catalogue.find(&code).is_some() {
        return Err(SettingsError::ModelCodeTaken);
    }
    let (name_zh, name_en) = (name_zh.trim(), name_en.trim());
    if name_zh.is_empty() || name_en.is_empty() {
        return Err(SettingsError::ModelNameMissing);
    }
    if name_zh.chars().count() > 40 || name_en.chars().count() > 40 {
        return Err(SettingsError::NameTooLong);
    }
    Ok(CatalogueModel {
        code,
        name_zh: name_zh.into(),
        name_en: name_en.into(),
        on_sale: true,
    })
}

/// Checks a new test-drive vehicle; `id` is the id the caller made for it.
pub fn check_new_vehicle(
    settings: &StoreSettings,
    id: &str,
    model: &str,
    plate: &str,
    vin: &str,
) -> Result<FleetVehicle, SettingsError> {
    if settings.catalogue().find(model).is_none() {
        return Err(SettingsError::VehicleModelUnknown);
    }
    let plate = plate.trim().to_uppercase();
    if plate.chars().count() < 5 || plate.chars().count() > 12 {
        return Err(SettingsError::PlateInvalid);
    }
    let vin = Vin::parse(vin).map_err(SettingsError::Vin)?;
    if settings
        .fleet
        .iter()
        .any(|(_, v)| v.vin == vin.as_str() || v.plate == plate)
    {
        return Err(SettingsError::VehicleTaken);
    }
    Ok(FleetVehicle {
        id: id.into(),
        model: model.into(),
        plate,
        vin: vin.as_str().into(),
    })
}

/// Checks a new route; `km` as typed.
pub fn check_new_route(
    id: &str,
    name_zh: &str,
    name_en: &str,
    km: &str,
) -> Result<Route, SettingsError> {
    let (name_zh, name_en) = (name_zh.trim(), name_en.trim());
    if name_zh.is_empty() || name_en.is_empty() {
        return Err(SettingsError::RouteNameMissing);
    }
    if name_zh.chars().count() > 40 || name_en.chars().count() > 40 {
        return Err(SettingsError::NameTooLong);
    }
    let km: f64 = km
        .trim()
        .parse()
        .map_err(|_| SettingsError::RouteKmInvalid)?;
    if !(km > 0.0 && km <= 200.0) {
        return Err(SettingsError::RouteKmInvalid);
    }
    Ok(Route {
        id: id.into(),
        name_zh: name_zh.into(),
        name_en: name_en.into(),
        km,
    })
}

/// Why a settings change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("the model code is not valid")]
    ModelCodeInvalid,
    #[error("the model code is already used")]
    ModelCodeTaken,
    #[error("a model needs a Chinese and an English name")]
    ModelNameMissing,
    #[error("a name is too long")]
    NameTooLong,
    #[error("the vehicle's model is not in the catalogue")]
    VehicleModelUnknown,
    #[error("the plate is not valid")]
    PlateInvalid,
    #[error("{0}")]
    Vin(VinError),
    #[error("a vehicle with this plate or VIN is already in the fleet")]
    VehicleTaken,
    #[error("a route needs a Chinese and an English name")]
    RouteNameMissing,
    #[error("the route length is not valid")]
    RouteKmInvalid,
}

impl UserError for SettingsError {
    fn code(&self) -> &'static str {
        match self {
            SettingsError::ModelCodeInvalid => "settings_model_code_invalid",
            SettingsError::ModelCodeTaken => "settings_model_code_taken",
            SettingsError::ModelNameMissing => "settings_model_name_missing",
            SettingsError::NameTooLong => "settings_name_too_long",
            SettingsError::VehicleModelUnknown => "settings_vehicle_model_unknown",
            SettingsError::PlateInvalid => "settings_plate_invalid",
            SettingsError::Vin(e) => e.code(),
            SettingsError::VehicleTaken => "settings_vehicle_taken",
            SettingsError::RouteNameMissing => "settings_route_name_missing",
            SettingsError::RouteKmInvalid => "settings_route_km_invalid",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            SettingsError::ModelCodeInvalid => {
                "车型代码只能用小写字母、数字、下划线或短横线(最多 40 个)".into()
            }
            SettingsError::ModelCodeTaken => "这个车型代码已经在目录中".into(),
            SettingsError::ModelNameMissing => "请填写车型的中文名和英文名".into(),
            SettingsError::NameTooLong => "名称最多 40 个字".into(),
            SettingsError::VehicleModelUnknown => "请选择目录中的车型".into(),
            SettingsError::PlateInvalid => "请填写正确的车牌号".into(),
            SettingsError::Vin(e) => e.message_zh(),
            SettingsError::VehicleTaken => "试驾车队中已有相同车牌或车架号的车辆".into(),
            SettingsError::RouteNameMissing => "请填写路线的中文名和英文名".into(),
            SettingsError::RouteKmInvalid => "路线里程应为 0 到 200 公里之间的数字".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            SettingsError::ModelCodeInvalid => {
                "A model code has lower-case letters, digits, _ or - only (at most 40)".into()
            }
            SettingsError::ModelCodeTaken => "That model code is already in the catalogue".into(),
            SettingsError::ModelNameMissing => {
                "Please enter the model's Chinese and English names".into()
            }
            SettingsError::NameTooLong => "A name has at most 40 characters".into(),
            SettingsError::VehicleModelUnknown => "Please choose a model from the catalogue".into(),
            SettingsError::PlateInvalid => "Please enter a valid plate number".into(),
            SettingsError::Vin(e) => e.message_en(),
            SettingsError::VehicleTaken => {
                "A vehicle with this plate or VIN is already in the fleet".into()
            }
            SettingsError::RouteNameMissing => {
                "Please enter the route's Chinese and English names".into()
            }
            SettingsError::RouteKmInvalid => {
                "The route length is a number of kilometres between 0 and 200".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::SALES_SETTINGS;
    use crate::sync::{Edit, Hlc, Op, apply};
    use serde_json::json;

    fn settings_with(id: Uuid, models: &[CatalogueModel]) -> RecordState {
        let mut state = RecordState::new(id, "sales_settings", "demo");
        for (i, m) in models.iter().enumerate() {
            let change = Edit::new(&state, &SALES_SETTINGS)
                .set_add("models", &model_element(m))
                .unwrap();
            let op = Op {
                op_id: Uuid::from_u128(0x100 + i as u128),
                device_id: Uuid::from_u128(1),
                user_id: "u".into(),
                store_id: "demo".into(),
                record_id: id,
                record_type: "sales_settings".into(),
                hlc: Hlc::new(1_000 + i as u64, 0),
                changes: vec![change],
            };
            apply(&mut state, &op, &SALES_SETTINGS).unwrap();
        }
        state
    }

    fn model(code: &str, on_sale: bool) -> CatalogueModel {
        CatalogueModel {
            code: code.into(),
            name_zh: "卡罗拉".into(),
            name_en: "Corolla".into(),
            on_sale,
        }
    }

    #[test]
    fn the_record_id_is_the_same_on_every_device() {
        let a = settings_record_id("demo");
        assert_eq!(a, settings_record_id("demo"));
        assert_ne!(a, settings_record_id("store-2"));
        assert_eq!(a.get_version_num(), 7);
        // With no record the derived id is used; an older record of the store is kept.
        assert_eq!(settings_target("demo", []), a);
        let old = settings_with(Uuid::from_u128(5), &[model("corolla", true)]);
        assert_eq!(settings_target("demo", [&old]), old.id);
        let derived = settings_with(a, &[]);
        assert_eq!(settings_target("demo", [&old, &derived]), a);
    }

    #[test]
    fn settings_are_the_union_of_the_records_and_a_model_on_sale_wins() {
        let r1 = settings_with(Uuid::from_u128(5), &[model("corolla", false)]);
        let r2 = settings_with(
            Uuid::from_u128(6),
            &[model("corolla", true), model("camry", true)],
        );
        let s = StoreSettings::of([&r1, &r2]);
        assert_eq!(s.models.len(), 3);
        let c = s.catalogue();
        assert_eq!(c.models.len(), 2);
        assert!(c.find("corolla").unwrap().on_sale);
        assert_eq!(s.model_elements("corolla").len(), 2);
        // Nothing set: the documented defaults.
        assert_eq!(s.cadence, CadenceSettings::default());
        assert_eq!(s.sleep.days(), 30);
        assert!(!s.cadence_set);
    }

    #[test]
    fn cadence_and_sleep_days_are_read_as_numbers() {
        let mut r = settings_with(Uuid::from_u128(5), &[]);
        let e = Edit::new(&r, &SALES_SETTINGS);
        let changes = vec![
            e.set("cadence_h_days", json!(1)).unwrap(),
            e.set("cadence_a_days", json!(2)).unwrap(),
            e.set("cadence_b_days", json!("7")).unwrap(),
            e.set("cadence_c_days", json!(14)).unwrap(),
            e.set("sleep_days", json!(45)).unwrap(),
        ];
        let op = Op {
            op_id: Uuid::from_u128(0x900),
            device_id: Uuid::from_u128(1),
            user_id: "u".into(),
            store_id: "demo".into(),
            record_id: r.id,
            record_type: "sales_settings".into(),
            hlc: Hlc::new(5_000, 0),
            changes,
        };
        apply(&mut r, &op, &SALES_SETTINGS).unwrap();
        let s = StoreSettings::of([&r]);
        assert_eq!(s.cadence, CadenceSettings::new(1, 2, 7, 14).unwrap());
        assert_eq!(s.sleep.days(), 45);
        assert!(s.cadence_set && s.sleep_set);
    }

    #[test]
    fn new_models_vehicles_and_routes_are_checked() {
        let r = settings_with(Uuid::from_u128(5), &[model("corolla", true)]);
        let s = StoreSettings::of([&r]);
        let c = s.catalogue();
        assert_eq!(
            check_new_model(&c, "Corolla", "卡罗拉", "Corolla"),
            Err(SettingsError::ModelCodeTaken)
        );
        assert_eq!(
            check_new_model(&c, "bz 3", "bZ3", "bZ3"),
            Err(SettingsError::ModelCodeInvalid)
        );
        assert_eq!(
            check_new_model(&c, "bz3", " ", "bZ3"),
            Err(SettingsError::ModelNameMissing)
        );
        let m = check_new_model(&c, " BZ3 ", "铂智3X", "bZ3X").unwrap();
        assert_eq!(m.code, "bz3");
        assert!(m.on_sale);

        // 1M8GDM9AXKP042788 is the textbook VIN.
        let v = check_new_vehicle(&s, "td9", "corolla", "粤a12345", "1m8gdm9axkp042788").unwrap();
        assert_eq!(v.vin, "1M8GDM9AXKP042788");
        assert_eq!(v.plate, "粤A12345");
        assert!(matches!(
            check_new_vehicle(&s, "td9", "corolla", "粤A12345", "1M8GDM9A1KP042788"),
            Err(SettingsError::Vin(VinError::CheckDigitMismatch { .. }))
        ));
        assert_eq!(
            check_new_vehicle(&s, "td9", "supra", "粤A12345", "1M8GDM9AXKP042788"),
            Err(SettingsError::VehicleModelUnknown)
        );

        let route = check_new_route("r9", "城市环线", "City loop", "8.5").unwrap();
        assert_eq!(route.km, 8.5);
        assert_eq!(
            check_new_route("r9", "城市环线", "City loop", "0"),
            Err(SettingsError::RouteKmInvalid)
        );
        assert_eq!(
            check_new_route("r9", "城市环线", "City loop", "八"),
            Err(SettingsError::RouteKmInvalid)
        );
        assert_eq!(
            check_new_route("r9", "", "City loop", "8"),
            Err(SettingsError::RouteNameMissing)
        );
        assert!(
            SettingsError::ModelCodeTaken
                .message_zh()
                .contains("车型代码")
        );
    }
}
