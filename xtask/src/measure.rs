//! `cargo xtask measure`.

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::build;
use crate::util::{self, TempDir, kb};

/// `cargo xtask measure`: start time, idle memory and sizes as a Markdown table.
pub fn measure(runs: usize) -> Result<()> {
    let runs = runs.max(1);
    let built = build::build()?;
    util::run(util::cargo().args(["build", "--release", "--package", "forecourt-server"]))?;
    let bin = util::target_dir().join("release").join("forecourt");
    let site = util::site_dir();

    let data = TempDir::new("measure")?;
    // The first start on an empty data directory also creates the demo store.
    let (first, child) = start(&bin, data.path(), &site)?;
    stop(child);
    let mut warm = Vec::new();
    for _ in 0..runs {
        let (took, child) = start(&bin, data.path(), &site)?;
        stop(child);
        warm.push(took);
    }
    warm.sort();
    let median = warm[warm.len() / 2];

    let (_, child) = start(&bin, data.path(), &site)?;
    std::thread::sleep(Duration::from_secs(3));
    let rss = vm_rss_kb(child.id());
    stop(child);
    let rss = rss?;

    let bin_size = fs::metadata(&bin)?.len() as usize;
    let initial_raw: usize = built.initial().iter().map(|f| f.raw).sum();
    let initial_br: usize = built.initial().iter().map(|f| f.brotli).sum();
    let date = util::output(Command::new("date").args(["-u", "+%Y-%m-%d"]))
        .unwrap_or_default()
        .trim()
        .to_string();
    let cpu = cpu_model();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());

    println!();
    println!("Measured {date} on {cpu}, {cores} cores (`cargo xtask measure --runs {runs}`):");
    println!();
    println!("| figure | value |");
    println!("|---|---|");
    println!(
        "| server start, empty data dir (creates the demo store) | {} |",
        ms(first)
    );
    println!(
        "| server start, existing data (median of {runs}; min {}, max {}) | {} |",
        ms(warm[0]),
        ms(warm[warm.len() - 1]),
        ms(median)
    );
    println!(
        "| server idle RSS (demo data, 3 s after start) | {:.1} MB |",
        rss as f64 / 1024.0
    );
    println!("| server binary (release) | {:.1} MB |", mb(bin_size));
    for f in built.initial() {
        println!(
            "| `{}` raw / brotli | {} / {} |",
            generic_name(&f.path),
            kb(f.raw),
            kb(f.brotli)
        );
    }
    println!(
        "| app initial download (wasm + js + css) raw / brotli | {} / **{}** |",
        kb(initial_raw),
        kb(initial_br)
    );
    if !built.chunks.is_empty() {
        let raw: usize = built.chunks.iter().map(|f| f.raw).sum();
        let br: usize = built.chunks.iter().map(|f| f.brotli).sum();
        println!(
            "| lazy page chunks ({} files, fetched on first use, precached) raw / brotli | {} / {} |",
            built.chunks.len(),
            kb(raw),
            kb(br)
        );
    }
    if !built.optimised {
        println!("\n(the wasm was NOT optimised: wasm-opt was unavailable)");
    }
    Ok(())
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// `app-0123456789abcdef.js` → `app-<hash>.js`.
fn generic_name(name: &str) -> String {
    let mut out = String::new();
    let mut rest = name;
    while let Some(i) = rest.find('-') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        if rest.len() >= 16 && rest[..16].chars().all(|c| c.is_ascii_hexdigit()) {
            out.push_str("<hash>");
            rest = &rest[16..];
        }
    }
    out.push_str(rest);
    out
}

/// Starts the server and waits for its listening line; returns how long that took.
fn start(bin: &Path, data: &Path, site: &Path) -> Result<(Duration, Child)> {
    let t = Instant::now();
    let mut cmd = Command::new(bin);
    cmd.arg("--addr")
        .arg("127.0.0.1:0")
        .arg("--data")
        .arg(data)
        .arg("--site")
        .arg(site)
        .stderr(Stdio::null());
    let (child, _url) = testkit::start_listening(&mut cmd, Duration::from_secs(30))
        .with_context(|| format!("starting {}", bin.display()))?;
    Ok((t.elapsed(), child))
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn vm_rss_kb(pid: u32) -> Result<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("no VmRSS in /proc/PID/status")
}

fn cpu_model() -> String {
    fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "an unknown CPU".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_name_hides_the_hash() {
        assert_eq!(generic_name("app-0123456789abcdef.js"), "app-<hash>.js");
        assert_eq!(
            generic_name("app-0123456789abcdef_bg.wasm"),
            "app-<hash>_bg.wasm"
        );
        assert_eq!(
            generic_name("style-00112233445566aa.css"),
            "style-<hash>.css"
        );
        assert_eq!(generic_name("app-short.js"), "app-short.js");
    }
}
