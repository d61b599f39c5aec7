//! `cargo xtask test`: every check and test, non-interactive, installing
//! what is missing (wasm target, chromium, chromedriver).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use crate::{build, e2e, size, util};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

struct Step {
    name: &'static str,
    outcome: Outcome,
    took: Duration,
}

enum Outcome {
    Passed,
    Failed(String),
    Skipped(&'static str),
}

pub fn test() -> Result<()> {
    let started = Instant::now();
    let mut steps: Vec<Step> = Vec::new();
    let mut step = |name: &'static str, f: &mut dyn FnMut() -> Result<()>| -> bool {
        println!("\n==== xtask test: {name} ====");
        let t = Instant::now();
        let outcome = match f() {
            Ok(()) => Outcome::Passed,
            Err(e) => {
                eprintln!("xtask test: {name} FAILED: {e:#}");
                Outcome::Failed(format!("{e:#}"))
            }
        };
        let ok = matches!(outcome, Outcome::Passed);
        steps.push(Step {
            name,
            outcome,
            took: t.elapsed(),
        });
        ok
    };

    let tools_ok = step("wasm target", &mut util::ensure_wasm_target)
        & step("chromium and chromedriver", &mut ensure_chromium);
    step("cargo fmt --check", &mut || {
        util::run(util::cargo().args(["fmt", "--all", "--check"]))
    });
    step("cargo clippy", &mut || {
        util::run(util::cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    });
    step("unit and integration tests", &mut || {
        util::run(util::cargo().args(["test", "--workspace", "--exclude", "e2e"]))
    });
    let site_ok = tools_ok && step("build the site", &mut || build::build().map(|_| ()));
    let server_ok = step("build the server", &mut || {
        util::run(util::cargo().args(["build", "--package", "forecourt-server"]))
    });
    let debug_server = util::target_dir().join("debug").join("forecourt");
    if site_ok && server_ok {
        // Reuses the site and the server just built: a few seconds.
        step("download budgets", &mut || {
            size::check(&debug_server, &util::site_dir())
        });
        step("end-to-end tests", &mut || {
            e2e::run(&debug_server, &util::site_dir())
        });
    } else {
        for name in ["download budgets", "end-to-end tests"] {
            steps.push(Step {
                name,
                outcome: Outcome::Skipped("needs the site, the server and chromium"),
                took: Duration::ZERO,
            });
        }
    }

    println!("\n==== xtask test: summary ====");
    let mut failed = 0;
    for s in &steps {
        let (mark, note) = match &s.outcome {
            Outcome::Passed => ("ok     ", String::new()),
            Outcome::Failed(e) => {
                failed += 1;
                ("FAILED ", format!("  {}", first_line(e)))
            }
            Outcome::Skipped(why) => {
                failed += 1;
                ("SKIPPED", format!("  ({why})"))
            }
        };
        println!("{mark} {:<28} {:>6.1}s{note}", s.name, s.took.as_secs_f64());
    }
    println!(
        "{} of {} steps passed in {:.0}s",
        steps.len() - failed,
        steps.len(),
        started.elapsed().as_secs_f64()
    );
    if failed > 0 {
        bail!("{failed} step(s) failed or were skipped");
    }
    Ok(())
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// Installs Debian's chromium and chromium-driver if either is missing.
pub fn ensure_chromium() -> Result<()> {
    if Path::new(CHROMIUM).is_file() && Path::new(CHROMEDRIVER).is_file() {
        return Ok(());
    }
    println!("xtask: {CHROMIUM} or {CHROMEDRIVER} is missing; installing Debian's chromium");
    let uid = util::output(Command::new("id").arg("-u"))?;
    let sudo: &[&str] = if uid.trim() == "0" {
        &[]
    } else if Command::new("sudo")
        .args(["-n", "true"])
        .status()
        .is_ok_and(|s| s.success())
    {
        &["sudo", "-n"]
    } else {
        bail!(
            "chromium and chromedriver are needed for the end-to-end tests; run as root or \
             install them yourself: `sudo apt-get install -y chromium chromium-driver`"
        );
    };
    let apt = |args: &[&str]| -> Result<()> {
        let all: Vec<&str> = sudo
            .iter()
            .copied()
            .chain(["apt-get"])
            .chain(args.iter().copied())
            .collect();
        util::run(
            Command::new(all[0])
                .args(&all[1..])
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )
    };
    apt(&["update"])?;
    apt(&["install", "-y", "chromium", "chromium-driver"])?;
    if !(Path::new(CHROMIUM).is_file() && Path::new(CHROMEDRIVER).is_file()) {
        bail!("apt-get installed chromium, but {CHROMIUM} or {CHROMEDRIVER} is still missing");
    }
    Ok(())
}
