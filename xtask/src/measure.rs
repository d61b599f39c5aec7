//! `cargo xtask size` and `cargo xtask measure`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::build::{self, Built, SiteFile};
use crate::util::{self, brotli_len, kb};

/// `cargo xtask size`: the initial download from the already built site.
pub fn size() -> Result<()> {
    let built = read_site(&util::site_dir())?;
    build::print_sizes(&built);
    Ok(())
}

/// Finds the hashed js, wasm and css in a built site, and wasm-split's loader and chunks.
fn read_site(site: &Path) -> Result<Built> {
    let mut js = None;
    let mut wasm = None;
    let mut css = None;
    let mut split_js = None;
    let mut chunks = Vec::new();
    let entries = fs::read_dir(site).with_context(|| {
        format!(
            "{} does not exist: run `cargo xtask build` first",
            site.display()
        )
    })?;
    for entry in entries {
        let path = entry?.path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let is_chunk = name.ends_with(".wasm") && !name.starts_with("app-");
        let slot = if name.starts_with("app-") && name.ends_with("_bg.wasm") {
            Some(&mut wasm)
        } else if name.starts_with("app-") && name.ends_with(".js") {
            Some(&mut js)
        } else if name.starts_with("split-") && name.ends_with(".js") {
            Some(&mut split_js)
        } else if name.starts_with("style-") && name.ends_with(".css") {
            Some(&mut css)
        } else {
            None
        };
        if slot.is_none() && !is_chunk {
            continue;
        }
        let data = fs::read(&path)?;
        let file = SiteFile {
            path: name,
            raw: data.len(),
            brotli: brotli_len(&data),
        };
        match slot {
            Some(slot) => *slot = Some(file),
            None => chunks.push(file),
        }
    }
    chunks.sort_by(|a, b| a.path.cmp(&b.path));
    match (js, wasm, css) {
        (Some(js), Some(wasm), Some(css)) => Ok(Built {
            js,
            wasm,
            css,
            split_js,
            chunks,
            optimised: true,
        }),
        _ => bail!(
            "{} lacks app-*.js, app-*_bg.wasm or style-*.css: run `cargo xtask build` first",
            site.display()
        ),
    }
}

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

/// A directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir =
            std::env::temp_dir().join(format!("forecourt-{tag}-{}-{nanos}", std::process::id()));
        fs::create_dir_all(&dir)?;
        Ok(Self(dir))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
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

    #[test]
    fn read_site_finds_the_three_files() {
        let dir = TempDir::new("size-test").unwrap();
        fs::write(dir.path().join("app-0123456789abcdef.js"), "js").unwrap();
        fs::write(dir.path().join("app-0123456789abcdef_bg.wasm"), "wasm!").unwrap();
        assert!(read_site(dir.path()).is_err());
        fs::write(dir.path().join("style-0123456789abcdef.css"), "").unwrap();
        let built = read_site(dir.path()).unwrap();
        assert_eq!(built.wasm.raw, 5);
        assert_eq!(built.js.raw, 2);
        assert_eq!(built.css.path, "style-0123456789abcdef.css");
        assert!(built.split_js.is_none() && built.chunks.is_empty());
        assert_eq!(built.initial().len(), 3);
    }

    #[test]
    fn read_site_counts_the_split_loader_as_initial_and_chunks_apart() {
        let dir = TempDir::new("size-split-test").unwrap();
        fs::write(dir.path().join("app-0123456789abcdef.js"), "js").unwrap();
        fs::write(dir.path().join("app-0123456789abcdef_bg.wasm"), "wasm!").unwrap();
        fs::write(dir.path().join("style-0123456789abcdef.css"), "").unwrap();
        fs::write(dir.path().join("split-0123456789abcdef.js"), "loader").unwrap();
        fs::write(dir.path().join("chunk-0-0123456789abcdef.wasm"), "c0").unwrap();
        fs::write(dir.path().join("kpi-view-0123456789abcdef.wasm"), "kpi").unwrap();
        let built = read_site(dir.path()).unwrap();
        assert_eq!(built.split_js.as_ref().unwrap().raw, 6);
        let initial: Vec<_> = built.initial().iter().map(|f| f.path.clone()).collect();
        assert_eq!(initial.len(), 4, "{initial:?}");
        assert!(initial.contains(&"split-0123456789abcdef.js".to_string()));
        let chunks: Vec<_> = built.chunks.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            chunks,
            [
                "chunk-0-0123456789abcdef.wasm",
                "kpi-view-0123456789abcdef.wasm"
            ]
        );
    }
}
