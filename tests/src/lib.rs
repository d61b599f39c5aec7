//! End-to-end test harness: the real `forecourt` binary on a free port with a
//! temp data dir, and Debian's chromium driven through chromedriver.
//!
//! The tests talk to the system only over HTTP and the DOM. They need four
//! environment variables, which `cargo xtask test` sets:
//! `FORECOURT_BIN`, `FORECOURT_SITE`, `CHROMEDRIVER`, `CHROMIUM`.
//!
//! Every [`Browser`] reaches the server through its own small TCP proxy (a
//! [`Gate`]), so a test can run two tablets against one server and cut one
//! tablet's network with [`Browser::set_offline`] while the other stays online.

pub mod bench;
mod browser;
pub mod desk;
mod gate;
pub mod scoped;
mod server;

pub use browser::{Browser, Lang, xpath_literal};
pub use gate::Gate;
pub use server::{Api, Server};

use std::time::Duration;

/// How long the wait helpers wait before they fail.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "demo1234";

/// An environment variable the tests need; panics with how to get it.
pub fn env(name: &str) -> String {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!(
            "{name} is not set: the end-to-end tests need a built app, a server binary and \
             chromium; run `cargo xtask test`"
        ),
    }
}

/// A fresh temp directory, removed when dropped (a data dir, a browser profile).
pub fn temp_dir(tag: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("forecourt-e2e-{tag}-"))
        .tempdir()
        .expect("creating a temp dir")
}
