//! Who is using this device: the device's identity and the logged-in session.
//!
//! - The device id is a UUIDv7 made on the device the first time the app starts, kept in
//!   IndexedDB (`kv/device_id`) and sent with every login, so the server can bind tokens to it
//!   and a manager can revoke it.
//! - The session (token, user, device) is kept in IndexedDB (`kv/session`), so the app starts
//!   logged in with no network. Only an explicit 401 from the server ends it (or the user's own
//!   退出登录); a network failure never does.

use domain::time::StoreClock;
use domain::{Area, Role};
use leptos::prelude::*;
use serde::{Deserialize, Deserializer, Serialize};

use crate::api::{self, ApiError};
use crate::db::{self, keys};

/// Longest device name accepted on the login form.
pub const DEVICE_NAME_MAX: usize = 64;

/// The logged-in person, as `/api/me` and `/api/auth/login` describe them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    #[serde(deserialize_with = "id_text")]
    pub id: String,
    pub username: String,
    pub display_name: String,
    #[serde(deserialize_with = "id_text")]
    pub store_id: String,
    pub store_name: String,
    /// The roles this app knows; a role added by a newer server is ignored, not fatal.
    #[serde(deserialize_with = "known_roles")]
    pub roles: Vec<Role>,
    /// The password was set by someone else: the app asks for a new one before anything else.
    #[serde(default)]
    pub must_change_password: bool,
    /// The store (absent in sessions kept by an older app: then the defaults).
    #[serde(default)]
    pub store: Option<StoreInfo>,
}

/// The user's store, as `/api/me` describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreInfo {
    #[serde(deserialize_with = "id_text")]
    pub id: String,
    pub name: String,
    /// The demo store (演示数据).
    #[serde(default)]
    pub demo: bool,
    /// The store's time zone, minutes east of UTC.
    #[serde(default = "default_offset")]
    pub utc_offset_minutes: i32,
}

fn default_offset() -> i32 {
    StoreClock::default().offset_minutes()
}

impl User {
    /// The app's areas this user may open, in navigation order.
    pub fn areas(&self) -> Vec<Area> {
        Area::for_roles(&self.roles)
    }

    /// Whether this is the demo store.
    pub fn in_demo_store(&self) -> bool {
        self.store.as_ref().is_some_and(|s| s.demo)
    }

    /// The store's clock (China Standard Time when the store does not say).
    pub fn store_clock(&self) -> StoreClock {
        self.store
            .as_ref()
            .and_then(|s| StoreClock::from_offset_minutes(s.utc_offset_minutes))
            .unwrap_or_default()
    }
}

/// Points `clock::store_clock()` at the store of `session` (or the default when logged out).
fn follow_store_clock(session: Option<&Session>) {
    crate::clock::set_store_clock(session.map(|s| s.user.store_clock()).unwrap_or_default());
}

/// This device as the server registered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    #[serde(deserialize_with = "id_text")]
    pub id: String,
    pub name: String,
}

/// A logged-in session on this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub user: User,
    pub device: Device,
}

/// Ids may come as JSON strings or numbers; the app only compares and shows them.
fn id_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected an id, got {other}"
        ))),
    }
}

fn known_roles<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Role>, D::Error> {
    let names = Vec::<String>::deserialize(d)?;
    Ok(names.iter().filter_map(|n| Role::parse(n)).collect())
}

#[derive(Serialize)]
struct LoginRequest<'a> {
    username: &'a str,
    password: &'a str,
    device_id: &'a str,
    device_name: &'a str,
}

/// What the app knows about itself before the first screen is drawn (read from IndexedDB).
#[derive(Debug, Clone)]
pub struct Boot {
    pub device_id: String,
    pub device_name: Option<String>,
    pub session: Option<Session>,
    /// The language chosen with the switch, if any (`zh-CN` or `en`).
    pub locale: Option<String>,
    /// IndexedDB could not be used: the app works, but forgets everything on reload.
    pub storage_failed: bool,
}

impl Boot {
    /// Opens IndexedDB and reads the device and the session; makes the device id on first start.
    pub async fn load() -> Boot {
        if let Err(e) = db::open().await {
            leptos::logging::error!("forecourt: cannot open IndexedDB: {e}");
            return Boot {
                device_id: new_device_id(),
                device_name: None,
                session: None,
                locale: None,
                storage_failed: true,
            };
        }
        let mut storage_failed = false;
        let device_id = match db::get::<String>(keys::DEVICE_ID).await {
            Ok(Some(id)) => id,
            other => {
                if let Err(e) = other {
                    leptos::logging::error!("forecourt: device id unreadable: {e}");
                }
                let id = new_device_id();
                if let Err(e) = db::put(keys::DEVICE_ID, &id).await {
                    leptos::logging::error!("forecourt: cannot keep the device id: {e}");
                    storage_failed = true;
                }
                id
            }
        };
        let device_name = read_or_log::<String>(keys::DEVICE_NAME).await;
        let session = read_or_log::<Session>(keys::SESSION).await;
        let locale = read_or_log::<String>(keys::LOCALE).await;
        Boot {
            device_id,
            device_name,
            session,
            locale,
            storage_failed,
        }
    }
}

async fn read_or_log<T: serde::de::DeserializeOwned>(key: &str) -> Option<T> {
    match db::get::<T>(key).await {
        Ok(v) => v,
        Err(e) => {
            leptos::logging::error!("forecourt: cannot read {key}: {e}");
            None
        }
    }
}

fn new_device_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Why the user is looking at the login page, shown above the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoggedOutReason {
    /// The server answered 401: the token expired or the device was revoked.
    Expired,
}

/// The session context, provided by `App` to every page.
#[derive(Clone, Copy)]
pub struct SessionCtx {
    pub session: RwSignal<Option<Session>>,
    pub device_id: StoredValue<String>,
    pub device_name: RwSignal<Option<String>>,
    pub logged_out: RwSignal<Option<LoggedOutReason>>,
    pub storage_failed: RwSignal<bool>,
}

impl SessionCtx {
    pub fn new(boot: &Boot) -> Self {
        follow_store_clock(boot.session.as_ref());
        SessionCtx {
            session: RwSignal::new(boot.session.clone()),
            device_id: StoredValue::new(boot.device_id.clone()),
            device_name: RwSignal::new(boot.device_name.clone()),
            logged_out: RwSignal::new(None),
            storage_failed: RwSignal::new(boot.storage_failed),
        }
    }

    pub fn logged_in(&self) -> bool {
        self.session.with(Option::is_some)
    }

    /// The areas the logged-in user may open (empty when logged out).
    pub fn areas(&self) -> Vec<Area> {
        self.session
            .with(|s| s.as_ref().map(|s| s.user.areas()).unwrap_or_default())
    }

    fn token(&self) -> Option<String> {
        self.session
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
    }

    /// Logs in and keeps the session on the device. `device_name` is used when the device has
    /// no name yet.
    pub async fn login(
        self,
        username: &str,
        password: &str,
        device_name: &str,
    ) -> Result<(), ApiError> {
        let device_id = self.device_id.get_value();
        let session: Session = api::post(
            "/api/auth/login",
            None,
            &LoginRequest {
                username,
                password,
                device_id: &device_id,
                device_name,
            },
        )
        .await?;
        let kept_session = db::put(keys::SESSION, &session).await;
        let kept_name = db::put(keys::DEVICE_NAME, &session.device.name).await;
        if kept_session.is_err() || kept_name.is_err() {
            self.storage_failed.set(true);
        }
        self.device_name.set(Some(session.device.name.clone()));
        self.logged_out.set(None);
        follow_store_clock(Some(&session));
        self.session.set(Some(session));
        Ok(())
    }

    /// Changes the user's own password (`POST /api/me/password`); the session goes on with the
    /// user as the server now describes them (`must_change_password` cleared).
    pub async fn change_password(self, old: &str, new: &str) -> Result<(), ApiError> {
        let user: User = self
            .post(
                "/api/me/password",
                &serde_json::json!({"old_password": old, "new_password": new}),
            )
            .await?;
        self.replace_user(user).await;
        Ok(())
    }

    /// Keeps a newer description of the logged-in user (same id) in the session and on the
    /// device.
    async fn replace_user(self, user: User) {
        let changed = self.session.with_untracked(|s| {
            s.as_ref()
                .is_some_and(|s| s.user != user && s.user.id == user.id)
        });
        if !changed {
            return;
        }
        self.session.update(|s| {
            if let Some(s) = s {
                s.user = user;
            }
        });
        let session = self.session.get_untracked();
        follow_store_clock(session.as_ref());
        if let Some(session) = session
            && db::put(keys::SESSION, &session).await.is_err()
        {
            self.storage_failed.set(true);
        }
    }

    /// The user's own 退出登录: ends the session on the device at once, and on the server
    /// when it can be reached.
    pub async fn logout(self) {
        let token = self.token();
        self.forget(None).await;
        if let Some(token) = token {
            // Best effort: offline, the token stays valid on the server until it expires or a
            // manager revokes the device; the device itself no longer has it.
            if let Err(e) = api::post_empty("/api/auth/logout", Some(&token)).await {
                leptos::logging::warn!("forecourt: logout not confirmed by the server: {e}");
            }
        }
    }

    async fn forget(self, reason: Option<LoggedOutReason>) {
        if db::delete(keys::SESSION).await.is_err() {
            self.storage_failed.set(true);
        }
        self.logged_out.set(reason);
        follow_store_clock(None);
        self.session.set(None);
    }

    /// Looks at an error from an authenticated request: a 401 ends the session.
    async fn check(self, result: &Result<impl Sized, ApiError>) {
        if let Err(e) = result
            && e.is_unauthorized()
            && self.logged_in_untracked()
        {
            self.forget(Some(LoggedOutReason::Expired)).await;
        }
    }

    fn logged_in_untracked(&self) -> bool {
        self.session.with_untracked(Option::is_some)
    }

    /// `GET` with the session's token; a 401 logs out.
    pub async fn get<T: serde::de::DeserializeOwned>(self, path: &str) -> Result<T, ApiError> {
        let result = api::get(path, self.token().as_deref()).await;
        self.check(&result).await;
        result
    }

    /// `POST` with a JSON body and the session's token, answer as JSON; a 401 logs out.
    pub async fn post<B: Serialize, T: serde::de::DeserializeOwned>(
        self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        let result = api::post(path, self.token().as_deref(), body).await;
        self.check(&result).await;
        result
    }

    /// `POST` with a JSON body and the session's token, for actions answered with 204; a 401
    /// logs out.
    pub async fn post_json_empty<B: Serialize>(self, path: &str, body: &B) -> Result<(), ApiError> {
        let result = api::post_json_empty(path, self.token().as_deref(), body).await;
        self.check(&result).await;
        result
    }

    /// `POST` (no body, 204) with the session's token; a 401 logs out.
    pub async fn post_empty(self, path: &str) -> Result<(), ApiError> {
        let result = api::post_empty(path, self.token().as_deref()).await;
        self.check(&result).await;
        result
    }

    /// Asks the server who we are (roles or the store name may have changed since the last
    /// login). Offline this does nothing: the kept session stays.
    pub async fn refresh_user(self) {
        if !self.logged_in_untracked() {
            return;
        }
        let Ok(user) = self.get::<User>("/api/me").await else {
            return;
        };
        self.replace_user(user).await;
    }
}

/// The session context provided by `App`.
pub fn use_session() -> SessionCtx {
    expect_context::<SessionCtx>()
}

/// The signed-in user's id and roles, as a getter made while the component is set up (event
/// handlers have no reactive owner to find the session context in).
pub fn use_me() -> impl Fn() -> Option<(String, Vec<Role>)> + Copy + 'static {
    let session = use_session();
    move || {
        session.session.with_untracked(|s| {
            s.as_ref()
                .map(|s| (s.user.id.clone(), s.user.roles.clone()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_answer_is_read_with_unknown_roles_ignored() {
        let json = r#"{
            "token": "t0k",
            "user": {"id": "0193", "username": "gm", "display_name": "孙建国",
                     "store_id": 7, "store_name": "演示4S店",
                     "roles": ["general_manager", "astronaut"]},
            "device": {"id": "0193-dev", "name": "展厅平板1"}
        }"#;
        let s: Session = serde_json::from_str(json).unwrap();
        assert_eq!(s.user.store_id, "7");
        assert_eq!(s.user.roles, vec![Role::GeneralManager]);
        assert_eq!(s.user.areas(), Area::ALL.to_vec());
        assert!(!s.user.must_change_password, "kept by an older app");
        assert!(!s.user.in_demo_store());
        assert_eq!(s.user.store_clock(), StoreClock::default());
        // What is kept in IndexedDB reads back the same.
        let kept = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Session>(&kept).unwrap(), s);
    }

    #[test]
    fn the_store_gives_the_clock_and_the_demo_marker() {
        let json = r#"{"id": "u", "username": "boss", "display_name": "周总", "store_id": "s1",
            "store_name": "城东店", "roles": ["general_manager"], "must_change_password": true,
            "store": {"id": "s1", "name": "城东店", "demo": true, "utc_offset_minutes": 420}}"#;
        let u: User = serde_json::from_str(json).unwrap();
        assert!(u.must_change_password);
        assert!(u.in_demo_store());
        assert_eq!(u.store_clock().offset_minutes(), 420);
    }

    #[test]
    fn device_ids_are_uuid_v7() {
        let id = uuid::Uuid::parse_str(&new_device_id()).unwrap();
        assert_eq!(id.get_version_num(), 7);
    }
}
