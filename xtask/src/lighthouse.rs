//! `cargo xtask lighthouse [--runs N]`: Lighthouse (mobile: slow 4G, 4× CPU, simulated; its
//! defaults) on `/login` and on a logged-in consultant's Today (`/sales`), issue 13.
//!
//! Builds the site (cached), starts the server (the debug build, or `FORECOURT_BIN`) with the
//! demo store on a fresh data directory, installs the pinned Lighthouse (npm, with the
//! puppeteer-core it brings; `xtask/lighthouse/package.json`) into `target/tools/lighthouse`,
//! and runs `xtask/lighthouse/run.mjs` in headless chromium (`/usr/bin/chromium`): the login
//! page as a new visitor, then the consultant logs in once, syncs, and Today is measured with
//! the session and records kept but the service worker, its caches and the HTTP cache emptied
//! (every file over the throttled network, as after an update of the app). Prints each run's
//! scores and metrics and the median per page; the HTML reports go to `target/lighthouse/`.
//! Run by hand (`cargo xtask test` does not), figures in BENCHMARKS.md.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::test::CHROMIUM;
use crate::util::{self, TempDir};
use crate::{build, test};

/// The Lighthouse release (pinned in `xtask/lighthouse/package.json`): 13 needs Node 22.
const LIGHTHOUSE_VERSION: &str = "12.2.3";

/// What run.mjs prints for one run.
#[derive(Debug, Clone, Deserialize)]
pub struct Run {
    pub page: String,
    pub run: usize,
    pub performance: Option<u32>,
    pub accessibility: Option<u32>,
    pub best_practices: Option<u32>,
    pub seo: Option<u32>,
    pub fcp_ms: Option<f64>,
    pub lcp_ms: Option<f64>,
    pub tbt_ms: Option<f64>,
    pub cls: Option<f64>,
    pub si_ms: Option<f64>,
    pub tti_ms: Option<f64>,
    pub transfer_kb: Option<f64>,
    #[serde(default)]
    pub warnings: Vec<String>,
    #[serde(default)]
    pub opportunities: Vec<String>,
}

/// `cargo xtask lighthouse`.
pub fn lighthouse(runs: usize) -> Result<()> {
    build::build()?;
    let bin = match std::env::var_os("FORECOURT_BIN") {
        Some(bin) if !bin.is_empty() => PathBuf::from(bin),
        _ => {
            util::run(util::cargo().args(["build", "--package", "forecourt-server"]))?;
            util::target_dir().join("debug").join("forecourt")
        }
    };
    test::ensure_chromium()?;
    let script = install()?;
    let reports = util::target_dir().join("lighthouse");
    fs::create_dir_all(&reports)?;

    let data = TempDir::new("lighthouse")?;
    let mut cmd = Command::new(&bin);
    cmd.arg("--addr")
        .arg("127.0.0.1:0")
        .arg("--data")
        .arg(data.path())
        .arg("--site")
        .arg(util::site_dir())
        .env("RUST_LOG", "warn")
        .stderr(Stdio::null());
    let (child, base) = testkit::start_listening(&mut cmd, Duration::from_secs(120))
        .with_context(|| format!("starting {}", bin.display()))?;
    let _server = Server(child);

    let mut node = Command::new("node");
    node.arg(&script)
        .arg(&base)
        .arg(CHROMIUM)
        .arg(&reports)
        .arg(runs.to_string())
        .current_dir(script.parent().context("run.mjs has no folder")?);
    let out = util::output(&mut node)?;
    let mut all = Vec::new();
    for line in out.lines().filter(|l| l.starts_with('{')) {
        let run: Run = serde_json::from_str(line).with_context(|| format!("reading {line}"))?;
        all.push(run);
    }
    if all.is_empty() {
        bail!("run.mjs printed no result:\n{out}");
    }
    print(&all);
    println!("(HTML reports in {})", reports.display());
    Ok(())
}

/// Kills the server when dropped.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Installs the pinned Lighthouse into `target/tools/lighthouse` (if it is not there) and
/// copies run.mjs beside its node_modules; returns the script's path there.
fn install() -> Result<PathBuf> {
    let src = util::root().join("xtask").join("lighthouse");
    let dir = util::target_dir().join("tools").join("lighthouse");
    let installed = dir
        .join("node_modules")
        .join("lighthouse")
        .join("package.json");
    let version_ok = fs::read_to_string(&installed)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v["version"] == LIGHTHOUSE_VERSION);
    if !version_ok {
        println!(
            "xtask: installing lighthouse {LIGHTHOUSE_VERSION} (npm) into target/tools/lighthouse"
        );
        fs::create_dir_all(&dir)?;
        for name in ["package.json", "package-lock.json"] {
            copy(&src.join(name), &dir.join(name))?;
        }
        util::run(
            Command::new("npm")
                .arg("install")
                .arg("--prefix")
                .arg(&dir)
                .args(["--no-audit", "--no-fund", "--loglevel=error"]),
        )?;
    }
    let script = dir.join("run.mjs");
    copy(&src.join("run.mjs"), &script)?;
    Ok(script)
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    fs::copy(from, to)
        .map(|_| ())
        .with_context(|| format!("copying {} to {}", from.display(), to.display()))
}

/// The median of the values `f` gives (None if none).
fn median(runs: &[&Run], f: impl Fn(&Run) -> Option<f64>) -> Option<f64> {
    let mut v: Vec<f64> = runs.iter().filter_map(|r| f(r)).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2])
}

fn ms(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{:.2} s", v / 1000.0))
}

fn score(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.0}"))
}

/// Each run, then a Markdown table of the medians per page.
fn print(all: &[Run]) {
    for r in all {
        println!(
            "xtask lighthouse: {} run {}: performance {} (accessibility {}, best practices {}, \
             SEO {}); FCP {}, LCP {}, TBT {:.0} ms, CLS {:.3}, SI {}, TTI {}; {} KB transferred",
            r.page,
            r.run,
            score(r.performance.map(f64::from)),
            score(r.accessibility.map(f64::from)),
            score(r.best_practices.map(f64::from)),
            score(r.seo.map(f64::from)),
            ms(r.fcp_ms),
            ms(r.lcp_ms),
            r.tbt_ms.unwrap_or(0.0),
            r.cls.unwrap_or(0.0),
            ms(r.si_ms),
            ms(r.tti_ms),
            r.transfer_kb.unwrap_or(0.0),
        );
        for w in &r.warnings {
            println!("  warning: {w}");
        }
        for o in &r.opportunities {
            println!("  to look at: {o}");
        }
    }
    let mut pages: Vec<&str> = all.iter().map(|r| r.page.as_str()).collect();
    pages.dedup();
    println!();
    println!(
        "| page | runs | performance | accessibility | best practices | SEO | FCP | LCP | TBT | CLS | Speed Index | TTI | transferred |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for page in pages {
        let runs: Vec<&Run> = all.iter().filter(|r| r.page == page).collect();
        println!(
            "| {page} | {} | {} | {} | {} | {} | {} | {} | {:.0} ms | {:.3} | {} | {} | {:.0} KB |",
            runs.len(),
            score(median(&runs, |r| r.performance.map(f64::from))),
            score(median(&runs, |r| r.accessibility.map(f64::from))),
            score(median(&runs, |r| r.best_practices.map(f64::from))),
            score(median(&runs, |r| r.seo.map(f64::from))),
            ms(median(&runs, |r| r.fcp_ms)),
            ms(median(&runs, |r| r.lcp_ms)),
            median(&runs, |r| r.tbt_ms).unwrap_or(0.0),
            median(&runs, |r| r.cls).unwrap_or(0.0),
            ms(median(&runs, |r| r.si_ms)),
            ms(median(&runs, |r| r.tti_ms)),
            median(&runs, |r| r.transfer_kb).unwrap_or(0.0),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(page: &str, performance: u32, lcp: f64) -> Run {
        serde_json::from_value(serde_json::json!({
            "page": page, "run": 1, "performance": performance, "lcp_ms": lcp,
        }))
        .unwrap()
    }

    #[test]
    fn median_of_the_runs() {
        let a = run("login", 90, 2500.0);
        let b = run("login", 97, 1500.0);
        let c = run("login", 95, 1800.0);
        let runs = [&a, &b, &c];
        assert_eq!(median(&runs, |r| r.lcp_ms), Some(1800.0));
        assert_eq!(median(&runs, |r| r.performance.map(f64::from)), Some(95.0));
        assert_eq!(median(&runs, |r| r.tbt_ms), None);
    }

    #[test]
    fn the_pinned_version_is_the_one_in_package_json() {
        let text = fs::read_to_string(
            util::root()
                .join("xtask")
                .join("lighthouse")
                .join("package.json"),
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["dependencies"]["lighthouse"], LIGHTHOUSE_VERSION);
    }
}
