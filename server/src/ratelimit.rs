//! Failed-login limiting, in memory: at most `max` failures per key (a username, a client IP)
//! within a sliding `window`.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

#[derive(Debug)]
pub struct LoginLimiter {
    max: usize,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// Above this many keys, stale ones are swept on the next write.
const SWEEP_ABOVE: usize = 10_000;

impl LoginLimiter {
    pub fn new(max: usize, window: Duration) -> Self {
        LoginLimiter {
            max: max.max(1),
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    pub fn key_for_username(username: &str) -> String {
        format!("user:{}", crate::store::normalize_username(username))
    }

    pub fn key_for_ip(ip: std::net::IpAddr) -> String {
        format!("ip:{ip}")
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `Err(wait)` if any key already has `max` failures in the window: the caller must wait
    /// `wait` (at least one second) before the oldest of them expires.
    pub fn check(&self, keys: &[String]) -> Result<(), Duration> {
        self.check_at(keys, Instant::now())
    }

    fn check_at(&self, keys: &[String], now: Instant) -> Result<(), Duration> {
        let mut map = self.lock();
        let mut wait = None::<Duration>;
        for key in keys {
            if let Some(times) = map.get_mut(key) {
                prune(times, now, self.window);
                if times.len() >= self.max
                    && let Some(oldest) = times.front()
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

    pub fn record_failure(&self, keys: &[String]) {
        let now = Instant::now();
        let mut map = self.lock();
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, times| {
                prune(times, now, self.window);
                !times.is_empty()
            });
        }
        for key in keys {
            let times = map.entry(key.clone()).or_default();
            prune(times, now, self.window);
            times.push_back(now);
            while times.len() > self.max {
                times.pop_front();
            }
        }
    }

    /// Forgets the failures of one key (a successful login clears its username).
    pub fn clear(&self, key: &str) {
        self.lock().remove(key);
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

    #[test]
    fn blocks_after_max_and_forgets_after_window() {
        let l = LoginLimiter::new(3, Duration::from_secs(60));
        let keys = vec!["user:a".to_string()];
        for _ in 0..3 {
            assert!(l.check(&keys).is_ok());
            l.record_failure(&keys);
        }
        let wait = l.check(&keys).unwrap_err();
        assert!(wait <= Duration::from_secs(60) && wait >= Duration::from_secs(59));
        // Another key is not affected.
        assert!(l.check(&["user:b".to_string()]).is_ok());
        // After the window the failures are gone.
        let later = Instant::now() + Duration::from_secs(61);
        assert!(l.check_at(&keys, later).is_ok());
        l.clear("user:a");
        assert!(l.check(&keys).is_ok());
    }

    #[test]
    fn rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(900)), 900);
    }
}
