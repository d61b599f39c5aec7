//! Counters for `/metrics` (Prometheus text format, version 0.0.4): pushes and ops, refused ops
//! by code, open event streams, logins and their failures, and the store's size. In memory
//! since the start of the process; Prometheus computes rates (`rate(forecourt_ops_total[1m])`).

use std::{
    collections::BTreeMap,
    fmt::Write,
    sync::{
        Arc, Mutex,
        atomic::{AtomicI64, AtomicU64, Ordering},
    },
};

#[derive(Debug, Default)]
pub struct Metrics {
    pushes: AtomicU64,
    ops: AtomicU64,
    refused: Mutex<BTreeMap<String, u64>>,
    event_streams: Arc<AtomicI64>,
    logins: AtomicU64,
    login_failures: AtomicU64,
    logins_throttled: AtomicU64,
}

/// Counts one open event stream while it lives.
#[derive(Debug)]
pub struct StreamGuard(Arc<AtomicI64>);

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A snapshot of the counters (for tests and the text format).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub pushes: u64,
    pub ops: u64,
    pub refused: BTreeMap<String, u64>,
    pub event_streams: i64,
    pub logins: u64,
    pub login_failures: u64,
    pub logins_throttled: u64,
}

impl Metrics {
    /// An accepted push of `ops` ops.
    pub fn push_accepted(&self, ops: usize) {
        self.pushes.fetch_add(1, Ordering::Relaxed);
        self.ops.fetch_add(ops as u64, Ordering::Relaxed);
    }

    /// A push refused because of one op, by the error code the device got.
    pub fn op_refused(&self, code: &str) {
        let mut map = self.refused.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry(code.to_owned()).or_default() += 1;
    }

    pub fn event_stream_opened(&self) -> StreamGuard {
        self.event_streams.fetch_add(1, Ordering::Relaxed);
        StreamGuard(Arc::clone(&self.event_streams))
    }

    pub fn login_succeeded(&self) {
        self.logins.fetch_add(1, Ordering::Relaxed);
    }

    pub fn login_failed(&self) {
        self.login_failures.fetch_add(1, Ordering::Relaxed);
    }

    pub fn login_throttled(&self) {
        self.logins_throttled.fetch_add(1, Ordering::Relaxed);
    }

    pub fn counts(&self) -> Counts {
        Counts {
            pushes: self.pushes.load(Ordering::Relaxed),
            ops: self.ops.load(Ordering::Relaxed),
            refused: self
                .refused
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            event_streams: self.event_streams.load(Ordering::Relaxed),
            logins: self.logins.load(Ordering::Relaxed),
            login_failures: self.login_failures.load(Ordering::Relaxed),
            logins_throttled: self.logins_throttled.load(Ordering::Relaxed),
        }
    }

    /// The Prometheus text exposition of the counters, the store's size and the uptime.
    pub fn render(&self, store_bytes: Option<u64>, uptime_secs: u64) -> String {
        let c = self.counts();
        let mut out = String::with_capacity(1024);
        let mut metric = |name: &str, kind: &str, help: &str, samples: &[(String, String)]| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for (labels, value) in samples {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        let one = |v: String| vec![(String::new(), v)];
        metric(
            "forecourt_pushes_total",
            "counter",
            "Accepted sync pushes.",
            &one(c.pushes.to_string()),
        );
        metric(
            "forecourt_ops_total",
            "counter",
            "Ops in accepted pushes (resends included).",
            &one(c.ops.to_string()),
        );
        let refused: Vec<(String, String)> = c
            .refused
            .iter()
            .map(|(code, n)| (format!("{{code=\"{}\"}}", escape(code)), n.to_string()))
            .collect();
        metric(
            "forecourt_refused_ops_total",
            "counter",
            "Pushes refused because of an op, by error code.",
            &refused,
        );
        metric(
            "forecourt_event_streams",
            "gauge",
            "Open event streams (GET /api/sync/events).",
            &one(c.event_streams.to_string()),
        );
        metric(
            "forecourt_logins_total",
            "counter",
            "Successful logins.",
            &one(c.logins.to_string()),
        );
        metric(
            "forecourt_login_failures_total",
            "counter",
            "Logins refused for a wrong username or password.",
            &one(c.login_failures.to_string()),
        );
        metric(
            "forecourt_logins_throttled_total",
            "counter",
            "Logins refused with 429 too_many_attempts.",
            &one(c.logins_throttled.to_string()),
        );
        if let Some(bytes) = store_bytes {
            metric(
                "forecourt_store_size_bytes",
                "gauge",
                "Size of the database file.",
                &one(bytes.to_string()),
            );
        }
        metric(
            "forecourt_uptime_seconds",
            "gauge",
            "Seconds since the server started.",
            &one(uptime_secs.to_string()),
        );
        out
    }
}

/// A label value as the text format wants it.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_renders() {
        let m = Metrics::default();
        m.push_accepted(3);
        m.push_accepted(2);
        m.op_refused("wrong_user");
        m.op_refused("wrong_user");
        m.op_refused("a\"b");
        m.login_succeeded();
        m.login_failed();
        let g = m.event_stream_opened();
        let g2 = m.event_stream_opened();
        drop(g);
        let text = m.render(Some(4096), 7);
        for line in [
            "# TYPE forecourt_pushes_total counter",
            "forecourt_pushes_total 2",
            "forecourt_ops_total 5",
            "forecourt_refused_ops_total{code=\"wrong_user\"} 2",
            "forecourt_refused_ops_total{code=\"a\\\"b\"} 1",
            "forecourt_event_streams 1",
            "forecourt_logins_total 1",
            "forecourt_login_failures_total 1",
            "forecourt_store_size_bytes 4096",
            "forecourt_uptime_seconds 7",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} not in\n{text}");
        }
        drop(g2);
        assert_eq!(m.counts().event_streams, 0);
    }
}
