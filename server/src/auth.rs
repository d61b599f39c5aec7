//! Authentication and authorisation: password hashing (argon2), bearer tokens bound to a user
//! and a device, the [`AuthUser`] extractor and its role guards (`require_manager`,
//! `require_any`), which the handlers call; `routes/sync.rs` checks each op with
//! `domain::records::{may_read, may_write}` (docs/api.md, "Tokens and roles").

use argon2::{
    Algorithm, Argon2, Params, Version,
    password_hash::{PasswordHasher, PasswordVerifier},
};
use axum::{
    extract::FromRequestParts,
    http::{header::AUTHORIZATION, request::Parts},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Utc;
use domain::{Area, Role};
use sha2::{Digest, Sha256};

use crate::{
    AppState,
    error::Error,
    store::{DeviceRec, Session, TokenHash, UserRec},
};

/// How expensive password hashing is. Production always uses argon2's default parameters;
/// `Fast` exists so that tests do not spend seconds hashing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PasswordCost {
    #[default]
    Default,
    /// Minimal argon2 parameters. For tests only.
    Fast,
}

impl PasswordCost {
    fn argon2(self) -> Argon2<'static> {
        match self {
            PasswordCost::Default => Argon2::default(),
            PasswordCost::Fast => match Params::new(Params::MIN_M_COST.max(64), 1, 1, None) {
                Ok(params) => Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
                Err(_) => Argon2::default(),
            },
        }
    }
}

/// Hashes a password into an argon2 PHC string. CPU-heavy: call it off the async executor.
pub fn hash_password(cost: PasswordCost, password: &str) -> Result<String, Error> {
    cost.argon2()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))
}

/// Checks a password against a PHC string (its own parameters are used). CPU-heavy.
pub fn verify_password(phc: &str, password: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// How many password hashes or verifications run at once by default: each takes ~19 MiB and a
/// core for a moment; more waiting requests queue instead of growing memory.
pub const DEFAULT_PASSWORD_CONCURRENCY: usize = 2;

/// Runs password hashing and verification on tokio's blocking pool, at most `permits` at once
/// (a burst of logins waits its turn instead of allocating 19 MiB each).
#[derive(Debug, Clone)]
pub struct PasswordPool {
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    cost: PasswordCost,
}

impl PasswordPool {
    pub fn new(permits: usize, cost: PasswordCost) -> Self {
        PasswordPool {
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(permits.max(1))),
            cost,
        }
    }

    /// Runs `f` on the blocking pool once a permit is free.
    pub async fn run<T, F>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| Error::Internal(format!("password pool closed: {e}")))?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| Error::Internal(format!("password task failed: {e}")))
    }

    /// [`verify_password`] in the pool.
    pub async fn verify(&self, phc: String, password: String) -> Result<bool, Error> {
        self.run(move || verify_password(&phc, &password)).await
    }

    /// [`hash_password`] with the server's cost, in the pool.
    pub async fn hash(&self, password: String) -> Result<String, Error> {
        let cost = self.cost;
        self.run(move || hash_password(cost, &password)).await?
    }
}

/// A new bearer token (32 random bytes, base64url without padding) and its SHA-256.
pub fn new_token() -> Result<(String, TokenHash), Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Internal(format!("no randomness for a token: {e}")))?;
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    Ok((token, hash))
}

/// The SHA-256 of a token: the only form in which tokens are stored.
pub fn hash_token(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

/// The user behind a valid bearer token. Extracting it answers 401 `unauthorized` when the
/// token is missing, unknown, expired, revoked, its device is revoked or its user deactivated;
/// 403 `password_change_required` while the user must choose a new password (except on
/// [`PASSWORD_CHANGE_PATHS`]).
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user: UserRec,
    pub device: DeviceRec,
    pub session: Session,
    pub token: TokenHash,
}

impl AuthUser {
    pub fn has_role(&self, role: Role) -> bool {
        self.user.roles.contains(&role)
    }

    /// The user as the domain's rules see them (`domain::policy`).
    pub fn actor(&self) -> domain::Actor {
        domain::Actor::new(self.user.id.to_string(), &self.user.roles)
    }

    pub fn is_manager(&self) -> bool {
        self.user.roles.iter().any(|r| r.is_manager())
    }

    /// 403 `forbidden` unless the user is a manager (see [`Role::is_manager`]).
    pub fn require_manager(&self) -> Result<(), Error> {
        if self.is_manager() {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }

    /// 403 `forbidden` unless one of the user's roles manages `area` ([`Role::manages`]).
    pub fn require_manages(&self, area: Area) -> Result<(), Error> {
        if Role::any_manages(&self.user.roles, area) {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }

    /// 403 `forbidden` unless the user has at least one of `roles`.
    pub fn require_any(&self, roles: &[Role]) -> Result<(), Error> {
        if roles.iter().any(|r| self.has_role(*r)) {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Whether a request came from this host and not through a proxy: loopback, and without
/// `Forwarded` / `X-Forwarded-For` (a proxy on the same host connects from loopback for every
/// client).
pub fn from_loopback(ip: Option<std::net::IpAddr>, headers: &axum::http::HeaderMap) -> bool {
    let proxied = headers.contains_key(axum::http::header::FORWARDED)
        || headers.contains_key("x-forwarded-for");
    !proxied && ip.is_some_and(|ip| ip.is_loopback())
}

fn bearer(parts: &Parts) -> Option<&str> {
    bearer_token(&parts.headers)
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let auth = authenticate(state, bearer(parts).ok_or(Error::Unauthorized)?).await?;
        if auth.user.must_change_password && !PASSWORD_CHANGE_PATHS.contains(&parts.uri.path()) {
            return Err(Error::PasswordChangeRequired);
        }
        Ok(auth)
    }
}

/// What a user whose password was set by someone else (`must_change_password`) may still do:
/// see who they are, choose their password, log out. Everything else answers 403
/// `password_change_required`.
pub const PASSWORD_CHANGE_PATHS: [&str; 4] = [
    "/api/me",
    "/api/me/password",
    "/api/auth/logout",
    "/api/auth/logout-all",
];

/// Checks a raw token (from the `Authorization` header): 401 `unauthorized` unless it is known,
/// unexpired (neither past its absolute expiry nor idle too long), and its device is not
/// revoked. Marks the token used (at most once per `Settings::session_touch_every`).
/// The operator endpoints' gate (`/metrics`, `GET /api/backup`): a request from the server's own
/// host ([`from_loopback`]) passes as `None`; any other needs a valid bearer token, whose user
/// the caller then checks for the role it wants.
pub async fn operator(
    state: &AppState,
    ip: Option<std::net::IpAddr>,
    headers: &axum::http::HeaderMap,
) -> Result<Option<AuthUser>, Error> {
    if from_loopback(ip, headers) {
        return Ok(None);
    }
    let token = bearer_token(headers).ok_or(Error::Unauthorized)?;
    authenticate(state, token).await.map(Some)
}

pub async fn authenticate(state: &AppState, token: &str) -> Result<AuthUser, Error> {
    authenticate_hash(state, hash_token(token)).await
}

/// [`authenticate`] for a token known by its hash (an event stream keeps only the hash).
pub async fn authenticate_hash(state: &AppState, token: TokenHash) -> Result<AuthUser, Error> {
    let store = state.store();
    let (session, device, user) = store
        .get_session_with(token)
        .await?
        .ok_or(Error::Unauthorized)?;
    let now = Utc::now();
    let settings = state.settings();
    if session.is_expired(now, settings.token_idle) {
        store.delete_session(token).await?;
        return Err(Error::Unauthorized);
    }
    let device = device.filter(|d| !d.revoked).ok_or(Error::Unauthorized)?;
    // A deactivated user's sessions are deleted with the deactivation; this also stops any
    // request already past that point.
    let user = user.filter(UserRec::is_active).ok_or(Error::Unauthorized)?;
    if now - session.last_used() >= settings.session_touch_every {
        // A failed touch only delays the idle expiry; the request goes on.
        if let Err(e) = store.touch_session(token, now).await {
            tracing::warn!(error = %e, "could not mark a token used");
        }
    }
    Ok(AuthUser {
        user,
        device,
        session,
        token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip_and_default_params() {
        let phc = hash_password(PasswordCost::Fast, "demo1234").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password(&phc, "demo1234"));
        assert!(!verify_password(&phc, "demo12345"));
        assert!(!verify_password("not a hash", "demo1234"));
        let default = hash_password(PasswordCost::Default, "x").unwrap();
        assert!(default.contains("m=19456,t=2,p=1"), "{default}");
    }

    #[test]
    fn loopback_unless_proxied() {
        use axum::http::{HeaderMap, HeaderValue};
        let local = Some(std::net::IpAddr::from([127, 0, 0, 1]));
        let v6 = Some(std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST));
        let lan = Some(std::net::IpAddr::from([10, 0, 0, 1]));
        let none = HeaderMap::new();
        assert!(from_loopback(local, &none));
        assert!(from_loopback(v6, &none));
        assert!(!from_loopback(lan, &none));
        assert!(!from_loopback(None, &none));
        let mut proxied = HeaderMap::new();
        proxied.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9"));
        assert!(!from_loopback(local, &proxied));
    }

    /// At most `permits` closures run at once, however many wait.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_password_pool_is_bounded() {
        use std::sync::{
            Arc,
            atomic::{AtomicUsize, Ordering},
        };
        let pool = PasswordPool::new(2, PasswordCost::Fast);
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..12 {
            let (pool, running, most) = (pool.clone(), running.clone(), most.clone());
            tasks.push(tokio::spawn(async move {
                pool.run(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
                .unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
        let phc = pool.hash("demo1234".into()).await.unwrap();
        assert!(pool.verify(phc, "demo1234".into()).await.unwrap());
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, ha) = new_token().unwrap();
        let (b, hb) = new_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "32 bytes in base64url without padding");
        assert_eq!(hash_token(&a), ha);
        assert_ne!(ha, hb);
    }
}
