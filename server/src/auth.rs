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

/// Hashes and verifies on tokio's blocking pool.
pub async fn verify_password_blocking(phc: String, password: String) -> Result<bool, Error> {
    tokio::task::spawn_blocking(move || verify_password(&phc, &password))
        .await
        .map_err(|e| Error::Internal(format!("password check failed: {e}")))
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
/// token is missing, unknown, expired, revoked, or its device is revoked.
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

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        authenticate(state, bearer(parts).ok_or(Error::Unauthorized)?).await
    }
}

/// Checks a raw token (from the `Authorization` header, or from a query parameter where a
/// browser cannot set headers, e.g. `EventSource`): 401 `unauthorized` unless it is known,
/// unexpired, and its device is not revoked.
pub async fn authenticate(state: &AppState, token: &str) -> Result<AuthUser, Error> {
    let token = hash_token(token);
    let store = state.store();
    let (session, device, user) = store
        .get_session_with(token)
        .await?
        .ok_or(Error::Unauthorized)?;
    if session.expires_at <= Utc::now() {
        store.delete_session(token).await?;
        return Err(Error::Unauthorized);
    }
    let device = device.filter(|d| !d.revoked).ok_or(Error::Unauthorized)?;
    let user = user.ok_or(Error::Unauthorized)?;
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
    fn tokens_are_random_and_hashed() {
        let (a, ha) = new_token().unwrap();
        let (b, hb) = new_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "32 bytes in base64url without padding");
        assert_eq!(hash_token(&a), ha);
        assert_ne!(ha, hb);
    }
}
