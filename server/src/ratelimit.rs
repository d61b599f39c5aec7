//! Failed-login limiting, in memory: at most so many failures per key within a sliding
//! `window`. A key is a username, a device id or a client address, each with its own limit:
//! a username locks after a few failures (guessing one account), a device after more (one
//! tablet guessing many accounts, while its other users still log in), an address only far
//! above a showroom's traffic (all tablets of a showroom share one NAT address, and behind a
//! reverse proxy every client is one address).

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

/// What a failure is counted against, and how many are allowed in the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitKey {
    pub key: String,
    pub max: usize,
}

/// Failures allowed per key kind within the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    pub per_username: usize,
    pub per_device: usize,
    pub per_address: usize,
}

impl Default for LoginLimits {
    /// 5 per username, 20 per device, 100 per address.
    fn default() -> Self {
        LoginLimits {
            per_username: 5,
            per_device: 20,
            per_address: 100,
        }
    }
}

#[derive(Debug)]
pub struct LoginLimiter {
    limits: LoginLimits,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// Above this many keys, stale ones are swept on the next write.
const SWEEP_ABOVE: usize = 10_000;

impl LoginLimiter {
    pub fn new(limits: LoginLimits, window: Duration) -> Self {
        LoginLimiter {
            limits,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    pub fn key_for_username(&self, username: &str) -> LimitKey {
        LimitKey {
            key: format!("user:{}", crate::store::normalize_username(username)),
            max: self.limits.per_username.max(1),
        }
    }

    pub fn key_for_device(&self, device: uuid::Uuid) -> LimitKey {
        LimitKey {
            key: format!("device:{device}"),
            max: self.limits.per_device.max(1),
        }
    }

    pub fn key_for_ip(&self, ip: std::net::IpAddr) -> LimitKey {
        LimitKey {
            key: format!("ip:{ip}"),
            max: self.limits.per_address.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `Err(wait)` if any key already has its `max` failures in the window: the caller must
    /// wait `wait` (at least one second) before enough of them expire.
    pub fn check(&self, keys: &[LimitKey]) -> Result<(), Duration> {
        self.check_at(keys, Instant::now())
    }

    fn check_at(&self, keys: &[LimitKey], now: Instant) -> Result<(), Duration> {
        let mut map = self.lock();
        let mut wait = None::<Duration>;
        for LimitKey { key, max } in keys {
            if let Some(times) = map.get_mut(key) {
                prune(times, now, self.window);
                // The oldest failure that still blocks: once it expires, fewer than `max` remain.
                if times.len() >= *max
                    && let Some(oldest) = times.get(times.len() - max)
                {
                    let left = (*oldest + self.window).saturating_duration_since(now);
                    wait = Some(wait.map_or(left, |w| w.max(left)));
                }
            }
        }
        match wait {
            Some(w) => Err(w.max(Duration::from_secs(1))),
            None => Ok(()),
        }
    }

    pub fn record_failure(&self, keys: &[LimitKey]) {
        let now = Instant::now();
        let mut map = self.lock();
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, times| {
                prune(times, now, self.window);
                !times.is_empty()
            });
        }
        for LimitKey { key, max } in keys {
            let times = map.entry(key.clone()).or_default();
            prune(times, now, self.window);
            times.push_back(now);
            while times.len() > *max {
                times.pop_front();
            }
        }
    }

    /// Forgets the failures of one key (a successful login clears its username).
    pub fn clear(&self, key: &LimitKey) {
        self.lock().remove(&key.key);
    }
}

fn prune(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times
        .front()
        .is_some_and(|t| now.saturating_duration_since(*t) >= window)
    {
        times.pop_front();
    }
}

/// Seconds to put in `Retry-After`, rounded up.
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_username: usize) -> LoginLimits {
        LoginLimits {
            per_username,
            per_device: 4,
            per_address: 6,
        }
    }

    #[test]
    fn blocks_after_max_and_forgets_after_window() {
        let l = LoginLimiter::new(limits(3), Duration::from_secs(60));
        let keys = vec![l.key_for_username("A")];
        for _ in 0..3 {
            assert!(l.check(&keys).is_ok());
            l.record_failure(&keys);
        }
        let wait = l.check(&keys).unwrap_err();
        assert!(wait <= Duration::from_secs(60) && wait >= Duration::from_secs(59));
        // Another key is not affected.
        assert!(l.check(&[l.key_for_username("b")]).is_ok());
        // After the window the failures are gone.
        let later = Instant::now() + Duration::from_secs(61);
        assert!(l.check_at(&keys, later).is_ok());
        l.clear(&l.key_for_username("a"));
        assert!(l.check(&keys).is_ok());
    }

    /// Each kind of key has its own limit: one user's failures on a shared tablet behind a
    /// shared address lock that user only.
    #[test]
    fn each_kind_has_its_own_limit() {
        let l = LoginLimiter::new(limits(2), Duration::from_secs(60));
        let device = l.key_for_device(uuid::Uuid::from_u128(7));
        let ip = l.key_for_ip(std::net::IpAddr::from([10, 0, 0, 1]));
        for _ in 0..3 {
            l.record_failure(&[l.key_for_username("a"), device.clone(), ip.clone()]);
        }
        assert!(l.check(&[l.key_for_username("a")]).is_err());
        assert!(
            l.check(&[l.key_for_username("b"), device.clone(), ip.clone()])
                .is_ok()
        );
        // The fourth failure on the device locks the device (4), not yet the address (6).
        l.record_failure(&[l.key_for_username("b"), device.clone(), ip.clone()]);
        assert!(l.check(std::slice::from_ref(&device)).is_err());
        assert!(l.check(std::slice::from_ref(&ip)).is_ok());
        let other = l.key_for_device(uuid::Uuid::from_u128(8));
        for _ in 0..2 {
            l.record_failure(&[other.clone(), ip.clone()]);
        }
        assert!(l.check(&[ip]).is_err());
    }

    #[test]
    fn rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(900)), 900);
    }
}
