//! Hybrid logical clocks (Kulkarni et al., "Logical Physical Clocks", 2014).
//!
//! A stamp is `(wall_ms, counter)`; writes are totally ordered by `(hlc, device_id, op_id)`.
//! The clock is pure: physical time is always passed in (`now_ms`), never read.

use serde::{Deserialize, Serialize};

use super::error::SyncError;

/// A hybrid logical clock stamp. Ordered by `wall_ms`, then `counter`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Hlc {
    /// Milliseconds since the Unix epoch, as near server time as the device knows.
    pub wall_ms: u64,
    /// Logical counter within one `wall_ms`.
    pub counter: u32,
}

impl Hlc {
    pub const ZERO: Hlc = Hlc {
        wall_ms: 0,
        counter: 0,
    };

    pub const fn new(wall_ms: u64, counter: u32) -> Self {
        Hlc { wall_ms, counter }
    }

    /// The next stamp after `self` (counter + 1, carrying into `wall_ms` on overflow).
    fn tick(self) -> Hlc {
        match self.counter.checked_add(1) {
            Some(counter) => Hlc {
                wall_ms: self.wall_ms,
                counter,
            },
            None => Hlc {
                wall_ms: self.wall_ms.saturating_add(1),
                counter: 0,
            },
        }
    }
}

/// Recommended bound for [`check_future`]: a stamp may be at most this far ahead of the
/// server's clock. Generous enough for a device whose clock is wrong by an hour and that has
/// not yet learned its offset, small enough that a device set to next year cannot drag every
/// clock in the store forward.
pub const DEFAULT_MAX_FUTURE_MS: u64 = 2 * 60 * 60 * 1000;

/// A device's clock. Keep one per device (persist `last` and `offset_ms` with the outbox),
/// stamp every local op with [`Clock::now`] and call [`Clock::observe`] for every op received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    /// The last stamp made or observed.
    pub last: Hlc,
    /// Server time minus device time, learned at sync. Added to the physical time.
    pub offset_ms: i64,
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock {
    pub const fn new() -> Self {
        Clock {
            last: Hlc::ZERO,
            offset_ms: 0,
        }
    }

    /// A clock resuming from a persisted `last` stamp.
    pub const fn resume(last: Hlc, offset_ms: i64) -> Self {
        Clock { last, offset_ms }
    }

    /// Record what the server said its time was (`server_now_ms`) at device time `device_now_ms`.
    pub fn set_offset(&mut self, server_now_ms: u64, device_now_ms: u64) {
        self.offset_ms = clamp_i64(i128::from(server_now_ms) - i128::from(device_now_ms));
    }

    /// The device's physical time corrected by the learned offset.
    pub fn physical(&self, now_ms: u64) -> u64 {
        let corrected = i128::from(now_ms) + i128::from(self.offset_ms);
        corrected.clamp(0, i128::from(u64::MAX)) as u64
    }

    /// A new stamp for a local event (send / local write) at device time `now_ms`.
    /// Strictly greater than every stamp made or observed before.
    pub fn now(&mut self, now_ms: u64) -> Hlc {
        let pt = self.physical(now_ms);
        self.last = if pt > self.last.wall_ms {
            Hlc::new(pt, 0)
        } else {
            self.last.tick()
        };
        self.last
    }

    /// Receive a remote stamp at device time `now_ms` (the paper's receive rule).
    /// Returns the new local stamp, which is greater than both the old local and the remote.
    pub fn observe(&mut self, remote: Hlc, now_ms: u64) -> Hlc {
        let pt = self.physical(now_ms);
        let local = self.last;
        let wall = pt.max(local.wall_ms).max(remote.wall_ms);
        self.last = if wall == local.wall_ms && wall == remote.wall_ms {
            Hlc::new(wall, local.counter.max(remote.counter)).tick()
        } else if wall == local.wall_ms {
            local.tick()
        } else if wall == remote.wall_ms {
            remote.tick()
        } else {
            Hlc::new(wall, 0)
        };
        self.last
    }
}

fn clamp_i64(v: i128) -> i64 {
    v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// For the server: refuse a stamp more than `max_skew_ms` ahead of `server_now_ms`.
pub fn check_future(hlc: Hlc, server_now_ms: u64, max_skew_ms: u64) -> Result<(), SyncError> {
    let limit = server_now_ms.saturating_add(max_skew_ms);
    if hlc.wall_ms > limit {
        Err(SyncError::ClockAhead {
            ahead_ms: hlc.wall_ms - server_now_ms,
            max_skew_ms,
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: u64 = 3_600_000;

    #[test]
    fn local_stamps_strictly_increase_even_if_time_goes_back() {
        let mut c = Clock::new();
        let a = c.now(10 * HOUR);
        let b = c.now(10 * HOUR);
        let d = c.now(9 * HOUR); // the user set the clock back an hour
        let e = c.now(10 * HOUR + 5);
        assert!(a < b && b < d && d < e, "{a:?} {b:?} {d:?} {e:?}");
        assert_eq!(b, Hlc::new(10 * HOUR, 1));
        assert_eq!(d, Hlc::new(10 * HOUR, 2));
        assert_eq!(e, Hlc::new(10 * HOUR + 5, 0));
    }

    #[test]
    fn skewed_clocks_keep_causal_order() {
        // Device A is an hour fast, device B an hour slow; true time is 100 h.
        let t = 100 * HOUR;
        let mut a = Clock::new();
        let mut b = Clock::new();
        let ea = a.now(t + HOUR);
        // B receives A's edit 1 ms later (true time) and edits after it.
        b.observe(ea, t - HOUR + 1);
        let eb = b.now(t - HOUR + 2);
        assert!(
            eb > ea,
            "an edit made after receiving another must be later: {eb:?} vs {ea:?}"
        );
        // And back again: A receives B's edit and edits, still later.
        a.observe(eb, t + HOUR + 3);
        let ea2 = a.now(t + HOUR + 3);
        assert!(ea2 > eb);
    }

    #[test]
    fn observe_follows_the_paper_rules() {
        let mut c = Clock::resume(Hlc::new(50, 3), 0);
        // remote ahead, physical behind: take the remote, counter + 1
        assert_eq!(c.observe(Hlc::new(60, 7), 40), Hlc::new(60, 8));
        // same wall on both: max counter + 1
        assert_eq!(c.observe(Hlc::new(60, 2), 40), Hlc::new(60, 9));
        // local ahead of remote: local counter + 1
        assert_eq!(c.observe(Hlc::new(10, 99), 40), Hlc::new(60, 10));
        // physical time ahead of both: counter resets
        assert_eq!(c.observe(Hlc::new(61, 5), 70), Hlc::new(70, 0));
    }

    #[test]
    fn offset_brings_a_wrong_clock_near_server_time() {
        let mut c = Clock::new();
        c.set_offset(100 * HOUR, 99 * HOUR); // device is an hour slow
        assert_eq!(c.offset_ms, HOUR as i64);
        assert_eq!(c.now(99 * HOUR + 7), Hlc::new(100 * HOUR + 7, 0));
        c.set_offset(0, 5); // negative offsets clamp at zero physical time
        assert_eq!(c.physical(3), 0);
    }

    #[test]
    fn counter_overflow_carries_into_wall() {
        let mut c = Clock::resume(Hlc::new(5, u32::MAX), 0);
        assert_eq!(c.now(1), Hlc::new(6, 0));
    }

    #[test]
    fn future_stamps_are_refused_with_a_clear_error() {
        let now = 1_000 * HOUR;
        assert!(check_future(Hlc::new(now + HOUR, 0), now, DEFAULT_MAX_FUTURE_MS).is_ok());
        assert!(check_future(Hlc::new(now - 50 * HOUR, 0), now, DEFAULT_MAX_FUTURE_MS).is_ok());
        let err =
            check_future(Hlc::new(now + 3 * HOUR, 0), now, DEFAULT_MAX_FUTURE_MS).unwrap_err();
        assert_eq!(err.code(), "clock_ahead");
        assert!(err.message_en().contains("3 h"), "{}", err.message_en());
        assert!(err.message_zh().contains("时钟"), "{}", err.message_zh());
    }
}
