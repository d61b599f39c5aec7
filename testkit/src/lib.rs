//! What the programs that drive a real `forecourt` binary share — the crash test
//! (`server/tests/sync_crash.rs`), the browser tests' harness (`tests/src/server.rs`) and the
//! xtask's `measure` and `bench-sync`: starting the binary and waiting until it listens, logging a
//! simulated device in, and reproducible ids for the ops they make. Never a dependency of the
//! server or the app.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};
use uuid::Uuid;

/// The line the server prints on stdout once it is bound, followed by `http://ADDR`.
pub const LISTENING: &str = "forecourt: listening on ";

/// Why a server did not come up.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("could not start it: {0}")]
    Spawn(#[from] std::io::Error),
    #[error("it exited before printing `{LISTENING}…`")]
    Exited,
    #[error("it did not print `{LISTENING}…` within {0:?}")]
    Timeout(Duration),
}

/// Spawns `cmd` with its stdout piped and waits (at most `timeout`) for the listening line.
/// Returns the child and what followed [`LISTENING`] (`http://127.0.0.1:PORT`). The rest of
/// stdout is read and dropped so the server never blocks on a full pipe. On failure the child
/// is killed.
pub fn start_listening(
    cmd: &mut Command,
    timeout: Duration,
) -> Result<(Child, String), StartError> {
    let mut child = cmd.stdout(Stdio::piped()).spawn()?;
    let Some(stdout) = child.stdout.take() else {
        return Err(StartError::Exited);
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.split_once(LISTENING).map(|(_, r)| r.trim().to_owned())
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(rest);
            }
        }
    });
    match rx.recv_timeout(timeout) {
        Ok(url) => Ok((child, url)),
        Err(e) => {
            let _ = child.kill();
            let _ = child.wait();
            Err(match e {
                mpsc::RecvTimeoutError::Timeout => StartError::Timeout(timeout),
                mpsc::RecvTimeoutError::Disconnected => StartError::Exited,
            })
        }
    }
}

/// `POST {base}/api/auth/login` as `device_id` named `device_name`; the answer's JSON
/// (`{token, user: {id, …}, device: {…}}`), or the status and body of a refusal.
pub async fn login(
    http: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
    device_id: Uuid,
    device_name: &str,
) -> Result<Value, String> {
    let r = http
        .post(format!("{base}/api/auth/login"))
        .json(&json!({
            "username": username,
            "password": password,
            "device_id": device_id,
            "device_name": device_name,
        }))
        .send()
        .await
        .map_err(|e| format!("login {username}: {e}"))?;
    let status = r.status();
    let body = r.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(format!("login {username}: {status} {body}"));
    }
    serde_json::from_str(&body).map_err(|e| format!("login {username}: {e} in {body}"))
}

/// Unix time in ms.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// xorshift64*: ids, phones, names and timings that a printed seed reproduces.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (any value; 0 is mapped to a valid state).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A UUIDv7 of now with random bits from this generator (op and record ids).
    pub fn id(&mut self) -> Uuid {
        let mut r = [0u8; 10];
        r[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        r[8..].copy_from_slice(&self.next_u64().to_le_bytes()[..2]);
        domain::sync::new_id(now_ms(), r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_reproduces_its_numbers_and_ids_are_v7() {
        let (mut a, mut b) = (Rng::new(42), Rng::new(42));
        let xs: Vec<u64> = (0..5).map(|_| a.below(1000)).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.below(1000)).collect();
        assert_eq!(xs, ys);
        assert!(xs.iter().all(|x| *x < 1000));
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
        let id = Rng::new(0).id();
        assert_eq!(id.get_version_num(), 7);
    }

    #[test]
    fn a_program_that_never_listens_is_reported() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo starting"]);
        assert!(matches!(
            start_listening(&mut cmd, Duration::from_secs(5)),
            Err(StartError::Exited)
        ));
        let mut cmd = Command::new("sh");
        cmd.args([
            "-c",
            "echo 'forecourt: listening on http://127.0.0.1:9'; sleep 5",
        ]);
        let (mut child, url) = start_listening(&mut cmd, Duration::from_secs(5)).expect("listens");
        assert_eq!(url, "http://127.0.0.1:9");
        let _ = child.kill();
        let _ = child.wait();
    }
}
