//! Event tickets: `EventSource` cannot send an `Authorization` header, and a token in a URL ends
//! up in logs (the server's, a proxy's, the browser's history). So the app trades its token for a
//! ticket (`POST /api/sync/events/ticket`) and opens `GET /api/sync/events?ticket=…`: a ticket
//! is good for one stream, within a minute, and only stands for the token that asked for it.
//! Kept in memory: a restart only makes devices ask again.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

use crate::{error::Error, store::TokenHash};

/// How long a ticket is good for by default.
pub const TICKET_TTL: Duration = Duration::from_secs(60);

/// Above this many unredeemed tickets, expired ones are swept on the next issue.
const SWEEP_ABOVE: usize = 1_000;

#[derive(Debug)]
pub struct EventTickets {
    ttl: Duration,
    /// SHA-256 of a ticket → (the token's hash, when the ticket was issued).
    issued: Mutex<HashMap<[u8; 32], (TokenHash, Instant)>>,
}

impl EventTickets {
    pub fn new(ttl: Duration) -> Self {
        EventTickets {
            ttl,
            issued: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], (TokenHash, Instant)>> {
        self.issued.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new ticket (32 random bytes, base64url) for the token with this hash.
    pub fn issue(&self, token: TokenHash) -> Result<String, Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| Error::Internal(format!("no randomness for a ticket: {e}")))?;
        let ticket = URL_SAFE_NO_PAD.encode(bytes);
        let now = Instant::now();
        let mut map = self.lock();
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, (_, at)| now.saturating_duration_since(*at) < self.ttl);
        }
        map.insert(Sha256::digest(ticket.as_bytes()).into(), (token, now));
        Ok(ticket)
    }

    /// The token hash a ticket stands for, once: the ticket is gone afterwards. `None` if it is
    /// unknown, used or older than the ttl.
    pub fn redeem(&self, ticket: &str) -> Option<TokenHash> {
        let key: [u8; 32] = Sha256::digest(ticket.as_bytes()).into();
        let (token, at) = self.lock().remove(&key)?;
        (at.elapsed() < self.ttl).then_some(token)
    }

    /// The ttl, for the answer to the device.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_works_once_and_only_in_time() {
        let t = EventTickets::new(Duration::from_secs(60));
        let a = t.issue([1; 32]).unwrap();
        let b = t.issue([2; 32]).unwrap();
        assert_ne!(a, b);
        assert_eq!(t.redeem(&a), Some([1; 32]));
        assert_eq!(t.redeem(&a), None, "used");
        assert_eq!(t.redeem("nope"), None);
        assert_eq!(t.redeem(&b), Some([2; 32]));

        let quick = EventTickets::new(Duration::from_millis(0));
        let c = quick.issue([3; 32]).unwrap();
        assert_eq!(quick.redeem(&c), None, "expired");
    }
}
