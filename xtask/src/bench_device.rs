//! `cargo xtask bench-device [--records N | --quick]`: the device benchmark of issue 14.
//!
//! Builds the site (`cargo xtask build`) and the server, then runs the ignored e2e test
//! `tests/tests/bench_device.rs` with `BENCH_RECORDS`: a store of N generated records (A-cards,
//! C-cards with vehicles, visits, care tasks; default 100,000, `--quick` 10,000) and a new
//! tablet's first sync as the sales manager in headless chromium. Run by hand, not in CI.
//!
//! The server is the debug build unless `--release` (or `FORECOURT_BIN` names a binary).
//! `--as consultant`: a store of ten consultants and a consultant's tablet (her sync scope),
//! `BENCH_AS=consultant`.

use std::path::PathBuf;

use anyhow::Result;

use crate::test::{CHROMEDRIVER, CHROMIUM};
use crate::{build, util};

/// How many records: `--records N` wins over `--quick` (10,000); 100,000 otherwise.
pub fn records(records: Option<usize>, quick: bool) -> usize {
    records.unwrap_or(if quick { 10_000 } else { 100_000 })
}

/// `cargo xtask bench-device`.
pub fn bench_device(records: usize, release: bool, who: &str) -> Result<()> {
    build::build()?;
    let bin = match std::env::var_os("FORECOURT_BIN") {
        Some(bin) if !bin.is_empty() => PathBuf::from(bin),
        _ => {
            let mut cmd = util::cargo();
            cmd.args(["build", "--package", "forecourt-server"]);
            if release {
                cmd.arg("--release");
            }
            util::run(&mut cmd)?;
            util::target_dir()
                .join(if release { "release" } else { "debug" })
                .join("forecourt")
        }
    };
    util::run(
        util::cargo()
            .args([
                "test",
                "--package",
                "e2e",
                "--test",
                "bench_device",
                "--",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("BENCH_RECORDS", records.to_string())
            .env("BENCH_AS", who)
            .env("FORECOURT_BIN", &bin)
            .env("FORECOURT_SITE", util::site_dir())
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("CHROMIUM", CHROMIUM),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn how_many_records() {
        assert_eq!(records(None, false), 100_000);
        assert_eq!(records(None, true), 10_000);
        assert_eq!(records(Some(2_000), true), 2_000);
    }
}
