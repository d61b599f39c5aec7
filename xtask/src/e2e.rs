//! The end-to-end tests of `cargo xtask test`: the e2e crate's test binaries are built once
//! (`cargo test --no-run`), then run `FORECOURT_E2E_JOBS` files at a time (default 2; each
//! file starts its own server, chromedriver and chromium on free ports and temp dirs, and its
//! tests one at a time), the slowest files of the last run first. Each file's output is
//! printed whole when it ends, with how long it took.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use crate::test::{CHROMEDRIVER, CHROMIUM};
use crate::util;

/// How many test files run at once unless `FORECOURT_E2E_JOBS` says otherwise: measured on
/// this project's 2-core machines (BENCHMARKS.md, "Test time").
const DEFAULT_JOBS: usize = 2;

/// One test binary of the e2e crate.
#[derive(Debug, Clone, PartialEq)]
pub struct TestFile {
    /// `tests/sync.rs`, or `src/lib.rs` for the crate's unit tests.
    pub name: String,
    pub exe: PathBuf,
}

/// How many files run at once: `FORECOURT_E2E_JOBS` (≥ 1) or [`DEFAULT_JOBS`].
pub fn jobs() -> usize {
    jobs_from(std::env::var("FORECOURT_E2E_JOBS").ok().as_deref())
}

fn jobs_from(var: Option<&str>) -> usize {
    var.and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n >= 1)
        .unwrap_or(DEFAULT_JOBS)
}

/// `cargo xtask e2e`: the debug server (built if needed) or `FORECOURT_BIN`, on the built site.
pub fn e2e() -> Result<()> {
    let bin = match std::env::var_os("FORECOURT_BIN") {
        Some(bin) if !bin.is_empty() => PathBuf::from(bin),
        _ => {
            util::run(util::cargo().args(["build", "--package", "forecourt-server"]))?;
            util::target_dir().join("debug").join("forecourt")
        }
    };
    crate::test::ensure_chromium()?;
    run(&bin, &util::site_dir())
}

/// Builds the e2e test binaries and runs them against `bin` and `site`.
pub fn run(bin: &Path, site: &Path) -> Result<()> {
    let files = build()?;
    let jobs = jobs();
    let times_path = util::target_dir().join("xtask").join("e2e-times.txt");
    let last = fs::read_to_string(&times_path)
        .map(|t| read_times(&t))
        .unwrap_or_default();
    let files = slowest_first(files, &last);
    println!(
        "xtask: {} e2e test files, {jobs} at a time (FORECOURT_E2E_JOBS)",
        files.len()
    );
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(String, Duration, bool)>> = Mutex::new(Vec::new());
    let print = Mutex::new(());
    let tests_dir = util::root().join("tests");
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(files.len()).max(1) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    let t = Instant::now();
                    let out = Command::new(&file.exe)
                        .arg("--test-threads=1")
                        .current_dir(&tests_dir)
                        .env("FORECOURT_BIN", bin)
                        .env("FORECOURT_SITE", site)
                        .env("CHROMEDRIVER", CHROMEDRIVER)
                        .env("CHROMIUM", CHROMIUM)
                        .stdin(Stdio::null())
                        .output();
                    let took = t.elapsed();
                    let ok = out.as_ref().is_ok_and(|o| o.status.success());
                    {
                        let _guard = print.lock().unwrap_or_else(|p| p.into_inner());
                        println!(
                            "\n---- {} ({:.1} s, {}) ----",
                            file.name,
                            took.as_secs_f64(),
                            if ok { "ok" } else { "FAILED" }
                        );
                        match &out {
                            Ok(o) => {
                                print!("{}", String::from_utf8_lossy(&o.stdout));
                                eprint!("{}", String::from_utf8_lossy(&o.stderr));
                            }
                            Err(e) => eprintln!("could not start {}: {e}", file.exe.display()),
                        }
                    }
                    results.lock().unwrap_or_else(|p| p.into_inner()).push((
                        file.name.clone(),
                        took,
                        ok,
                    ));
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    let times: BTreeMap<String, f64> = results
        .iter()
        .map(|(name, took, _)| (name.clone(), took.as_secs_f64()))
        .collect();
    let _ = fs::write(&times_path, write_times(&times));
    let busy: f64 = times.values().sum();
    println!(
        "\nxtask: e2e files took {:.0} s one after another, {:.0} s in all with {jobs} at a time",
        busy,
        started.elapsed().as_secs_f64()
    );
    let failed: Vec<&str> = results
        .iter()
        .filter(|(_, _, ok)| !ok)
        .map(|(name, _, _)| name.as_str())
        .collect();
    if !failed.is_empty() {
        bail!("e2e test files failed: {}", failed.join(", "));
    }
    Ok(())
}

/// `cargo test --package e2e --no-run`: the test binaries it built.
fn build() -> Result<Vec<TestFile>> {
    let out = util::output(util::cargo().args([
        "test",
        "--package",
        "e2e",
        "--no-run",
        "--message-format=json-render-diagnostics",
    ]))?;
    let files = test_files(&out, &util::root().join("tests"));
    if files.is_empty() {
        bail!("cargo test --no-run built no e2e test binary");
    }
    Ok(files)
}

/// The test binaries in cargo's JSON messages (`compiler-artifact` with an `executable`),
/// named by their source relative to `package_dir`.
pub fn test_files(messages: &str, package_dir: &Path) -> Vec<TestFile> {
    let mut files = Vec::new();
    for line in messages.lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        let (Some(exe), Some(src)) = (
            msg["executable"].as_str(),
            msg["target"]["src_path"].as_str(),
        ) else {
            continue;
        };
        let src = Path::new(src);
        let name = src
            .strip_prefix(package_dir)
            .unwrap_or(src)
            .to_string_lossy()
            .replace('\\', "/");
        files.push(TestFile {
            name,
            exe: PathBuf::from(exe),
        });
    }
    files
}

/// `files`, the slowest of the last run first (files it did not time first of all, as they
/// may be slow), else by name: with several at a time, a slow file started last would end
/// the run alone.
pub fn slowest_first(mut files: Vec<TestFile>, last: &BTreeMap<String, f64>) -> Vec<TestFile> {
    files.sort_by(|a, b| {
        let ta = last.get(&a.name).copied().unwrap_or(f64::INFINITY);
        let tb = last.get(&b.name).copied().unwrap_or(f64::INFINITY);
        tb.total_cmp(&ta).then_with(|| a.name.cmp(&b.name))
    });
    files
}

/// `name seconds` per line.
fn read_times(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter_map(|l| {
            let (name, secs) = l.rsplit_once(' ')?;
            Some((name.to_string(), secs.parse().ok()?))
        })
        .collect()
}

fn write_times(times: &BTreeMap<String, f64>) -> String {
    times
        .iter()
        .map(|(name, secs)| format!("{name} {secs:.1}\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str) -> TestFile {
        TestFile {
            name: name.into(),
            exe: PathBuf::from(format!("/t/{name}")),
        }
    }

    #[test]
    fn the_test_binaries_in_cargo_messages() {
        let messages = [
            r#"{"reason":"compiler-artifact","target":{"kind":["lib"],"name":"e2e","src_path":"/w/tests/src/lib.rs"},"executable":null}"#,
            r#"{"reason":"compiler-artifact","target":{"kind":["lib"],"name":"e2e","src_path":"/w/tests/src/lib.rs"},"executable":"/t/e2e-1"}"#,
            r#"{"reason":"compiler-message","message":{}}"#,
            "not json",
            r#"{"reason":"compiler-artifact","target":{"kind":["test"],"name":"sync","src_path":"/w/tests/tests/sync.rs"},"executable":"/t/sync-2"}"#,
            r#"{"reason":"build-finished","success":true}"#,
        ]
        .join("\n");
        assert_eq!(
            test_files(&messages, Path::new("/w/tests")),
            [
                TestFile {
                    name: "src/lib.rs".into(),
                    exe: "/t/e2e-1".into()
                },
                TestFile {
                    name: "tests/sync.rs".into(),
                    exe: "/t/sync-2".into()
                },
            ]
        );
    }

    #[test]
    fn the_slowest_and_the_untimed_first() {
        let last = read_times("tests/a.rs 10.0\ntests/b.rs 42.5\nbroken\ntests/c.rs 3.0\n");
        assert_eq!(last.len(), 3);
        let order: Vec<String> = slowest_first(
            vec![
                file("tests/a.rs"),
                file("tests/b.rs"),
                file("tests/c.rs"),
                file("tests/new.rs"),
            ],
            &last,
        )
        .into_iter()
        .map(|f| f.name)
        .collect();
        assert_eq!(
            order,
            ["tests/new.rs", "tests/b.rs", "tests/a.rs", "tests/c.rs"]
        );
        assert_eq!(read_times(&write_times(&last)), last);
    }

    #[test]
    fn jobs_from_the_environment() {
        assert_eq!(jobs_from(None), DEFAULT_JOBS);
        assert_eq!(jobs_from(Some("3")), 3);
        assert_eq!(jobs_from(Some("0")), DEFAULT_JOBS);
        assert_eq!(jobs_from(Some("x")), DEFAULT_JOBS);
    }
}
