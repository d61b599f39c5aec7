//! `cargo xtask size`: what the server sends, against the budgets of [`crate::budget`].
//!
//! Starts the server on the built site and fetches, with `Accept-Encoding: br` as a browser
//! asks, what the app loads: `/` and what it loads before the first screen (the stylesheet and
//! preloads of index.html, its module script's imports, their static imports in turn), then for
//! each group of lazy pages the pack that the loader fetches on the first visit to one of its
//! pages (crate::pack). The figures are the bytes of the bodies as sent (headers not counted).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::budget::{self, Budget};
use crate::pack;
use crate::util::{self, TempDir, kb};

/// One response, as sent.
#[derive(Debug, Clone)]
pub struct Sent {
    pub url: String,
    /// Body bytes on the wire, asked with `Accept-Encoding: br` (what the budgets count).
    pub sent: usize,
    /// Body bytes once decoded.
    pub raw: usize,
    /// Body bytes on the wire, asked with `Accept-Encoding: gzip, deflate`: what browsers ask
    /// for over plain HTTP (they offer br only over HTTPS).
    pub gzip: usize,
}

/// What the server sent for the app's start and for each group's first visit.
#[derive(Debug, Default)]
pub struct Report {
    pub initial: Vec<Sent>,
    /// Each wasm-split group (`sales_day`, …) and the files its first visit fetches.
    pub groups: BTreeMap<String, Vec<Sent>>,
}

/// Sent (br), raw and sent (gzip) bytes of `files`.
fn total(files: &[Sent]) -> (usize, usize, usize) {
    files.iter().fold((0, 0, 0), |(s, r, g), f| {
        (s + f.sent, r + f.raw, g + f.gzip)
    })
}

/// `cargo xtask size`: the debug server (or `FORECOURT_BIN`) on the built site.
pub fn size() -> Result<()> {
    let bin = match std::env::var_os("FORECOURT_BIN") {
        Some(bin) if !bin.is_empty() => PathBuf::from(bin),
        _ => {
            util::run(util::cargo().args(["build", "--package", "forecourt-server"]))?;
            util::target_dir().join("debug").join("forecourt")
        }
    };
    check(&bin, &util::site_dir())
}

/// Measures what `bin` sends of the site in `site`, prints it and fails if a budget is broken.
pub fn check(bin: &Path, site: &Path) -> Result<()> {
    let report = measure(bin, site)?;
    print(&report);
    let broken = judge(&report);
    if !broken.is_empty() {
        for b in &broken {
            println!("xtask size: {b}");
        }
        bail!(
            "{} download budget(s) broken (xtask/src/budget.rs): {}",
            broken.len(),
            broken.join("; ")
        );
    }
    println!("xtask size: every download budget holds");
    Ok(())
}

/// What the budgets say of `report`: one line per budget broken, per group without a budget
/// and per budget of a group the build does not make.
pub fn judge(report: &Report) -> Vec<String> {
    let mut broken = Vec::new();
    let over = |b: &Budget, sent: usize| {
        (sent > b.limit).then(|| {
            format!(
                "{} ({}) sends {}, over its budget of {}",
                b.name,
                b.what,
                kb(sent),
                kb(b.limit)
            )
        })
    };
    broken.extend(over(&budget::INITIAL, total(&report.initial).0));
    for (group, files) in &report.groups {
        match budget::group(group) {
            Some(b) => broken.extend(over(b, total(files).0)),
            None => broken.push(format!(
                "the page group {group} has no budget: add one to budget::GROUPS"
            )),
        }
    }
    for b in budget::GROUPS {
        if !report.groups.contains_key(b.name) {
            broken.push(format!(
                "budget::GROUPS has {}, a page group the build does not make",
                b.name
            ));
        }
    }
    broken
}

fn print(report: &Report) {
    println!();
    println!(
        "What the server sends; \"sent\" with Accept-Encoding: br (as over HTTPS, what the \
         budgets count), \"gzip\" with gzip, deflate (as browsers ask over plain HTTP); \
         1 KB = 1024 bytes:"
    );
    println!();
    println!(
        "{:<58} {:>10} {:>10} {:>10}",
        "initial download", "raw", "sent", "gzip"
    );
    for f in &report.initial {
        println!(
            "  {:<56} {:>10} {:>10} {:>10}",
            f.url,
            kb(f.raw),
            kb(f.sent),
            kb(f.gzip)
        );
    }
    println!();
    println!(
        "{:<58} {:>5} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "", "files", "raw", "sent", "gzip", "budget", "goal"
    );
    let line = |label: &str, files: &[Sent], b: Option<&Budget>| {
        let (sent, raw, gzip) = total(files);
        let limit = b.map_or("none".into(), |b| kb(b.limit));
        let goal = b.and_then(|b| b.goal).map_or("-".into(), kb);
        let flag = match b {
            Some(b) if sent > b.limit => "  OVER BUDGET",
            Some(Budget {
                goal: Some(goal), ..
            }) if sent > *goal => "  (over the goal)",
            None => "  NO BUDGET",
            _ => "",
        };
        println!(
            "{label:<58} {:>5} {:>10} {:>10} {:>10} {limit:>10} {goal:>10}{flag}",
            files.len(),
            kb(raw),
            kb(sent),
            kb(gzip)
        );
    };
    line(
        "initial: index.html, css, js, main wasm",
        &report.initial,
        Some(&budget::INITIAL),
    );
    for (group, files) in &report.groups {
        let b = budget::group(group);
        let label = match b {
            Some(b) => format!("{group}: {}", b.what),
            None => group.clone(),
        };
        line(&label, files, b);
    }
    // What a logged-in start fetches: the first screen, the sync engine (fetched at start,
    // after the main wasm) and a consultant's Today; a chunk two of them need counts once.
    let mut first: Vec<&Sent> = report.initial.iter().collect();
    for group in [START_GROUP, "sales_day"] {
        for f in report.groups.get(group).into_iter().flatten() {
            if !first.iter().any(|seen| seen.url == f.url) {
                first.push(f);
            }
        }
    }
    let (s, r, g) = first.iter().fold((0, 0, 0), |(s, r, g), f| {
        (s + f.sent, r + f.raw, g + f.gzip)
    });
    println!(
        "{:<58} {:>5} {:>10} {:>10} {:>10}",
        "a consultant's first visit (initial + sync + sales_day)",
        first.len(),
        kb(r),
        kb(s),
        kb(g)
    );
    println!();
}

/// Starts `bin` on `site` and fetches what the app loads.
pub fn measure(bin: &Path, site: &Path) -> Result<Report> {
    if !site.join("index.html").is_file() {
        bail!(
            "{} has no index.html: run `cargo xtask build` first",
            site.display()
        );
    }
    if !bin.is_file() {
        bail!("no server binary at {}", bin.display());
    }
    let data = TempDir::new("size")?;
    let mut cmd = Command::new(bin);
    cmd.arg("--addr")
        .arg("127.0.0.1:0")
        .arg("--data")
        .arg(data.path())
        .arg("--site")
        .arg(site)
        .arg("--no-demo")
        .env("RUST_LOG", "warn")
        .stderr(Stdio::null());
    let (child, base) = testkit::start_listening(&mut cmd, Duration::from_secs(60))
        .with_context(|| format!("starting {}", bin.display()))?;
    let _server = Server(child);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(fetch_all(&base))
}

/// Kills the server when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn fetch_all(base: &str) -> Result<Report> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let get = |url: String| {
        let http = &http;
        async move {
            let resp = http
                .get(format!("{base}{url}"))
                .header("accept-encoding", "br")
                .send()
                .await
                .with_context(|| format!("GET {url}"))?;
            if !resp.status().is_success() {
                bail!("GET {url}: {}", resp.status());
            }
            let encoding = resp
                .headers()
                .get("content-encoding")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = resp.bytes().await.with_context(|| format!("GET {url}"))?;
            let decoded = match encoding.as_deref() {
                None | Some("identity") => body.to_vec(),
                Some("br") => {
                    let mut out = Vec::new();
                    brotli::BrotliDecompress(&mut &body[..], &mut out)
                        .with_context(|| format!("GET {url}: invalid brotli"))?;
                    out
                }
                Some(other) => bail!("GET {url}: sent as {other} to a client that asked for br"),
            };
            let gzip = http
                .get(format!("{base}{url}"))
                .header("accept-encoding", "gzip, deflate")
                .send()
                .await
                .with_context(|| format!("GET {url}"))?
                .bytes()
                .await
                .with_context(|| format!("GET {url}"))?
                .len();
            let sent = Sent {
                url,
                sent: body.len(),
                raw: decoded.len(),
                gzip,
            };
            Ok::<_, anyhow::Error>((sent, decoded))
        }
    };

    // The initial download: `/` and what it loads, breadth first.
    let mut report = Report::default();
    let mut seen = BTreeSet::from(["/".to_string()]);
    let mut queue = vec!["/".to_string()];
    let mut loader = None;
    while !queue.is_empty() {
        let url = queue.remove(0);
        let (sent, body) = get(url.clone()).await?;
        let text = String::from_utf8_lossy(&body);
        let found = if url == "/" {
            html_urls(&text)
        } else if url.ends_with(".js") || url.ends_with(".mjs") {
            if text.contains(LOADER_EXPORT) {
                loader = Some((url.clone(), text.to_string()));
            }
            js_imports(&text)
        } else {
            Vec::new()
        };
        report.initial.push(sent);
        for spec in found {
            if let Some(next) = resolve(&url, &spec)
                && seen.insert(next.clone())
            {
                queue.push(next);
            }
        }
    }

    // Each group's first visit: its pack (crate::pack; what it shares with the start group
    // is in the start group's pack, fetched at start).
    if let Some((loader_url, text)) = loader {
        for (group, file) in pack::loader_packs(&text)? {
            let url = resolve(&loader_url, &file)
                .with_context(|| format!("the loader's {file} is not a relative URL"))?;
            let (s, _) = get(url).await?;
            report.groups.insert(group, vec![s]);
        }
        without_start_group(&mut report.groups);
    }
    Ok(report)
}

/// The group the app loads at start, whatever the screen (`app/src/sync/mod.rs`: the sync
/// engine), before any page group can be visited.
pub const START_GROUP: &str = "sync";

/// A page group's first visit comes after the start group is loaded: the chunks it shares with
/// that group are not fetched again, so they are not counted in the page group.
fn without_start_group(groups: &mut BTreeMap<String, Vec<Sent>>) {
    let Some(start) = groups.get(START_GROUP) else {
        return;
    };
    let loaded: BTreeSet<String> = start.iter().map(|f| f.url.clone()).collect();
    for (group, files) in groups.iter_mut() {
        if group != START_GROUP {
            files.retain(|f| !loaded.contains(&f.url));
        }
    }
}

/// What marks wasm-split's loader: it exports one `__wasm_split_load_<group>` per group.
use crate::pack::LOADER_EXPORT;

/// The URLs an `index.html` makes the browser fetch before the app runs: stylesheets,
/// preloads and module preloads, script `src`s, and the imports (and `module_or_path`) of
/// inline module scripts. Icons and the manifest are not counted.
pub fn html_urls(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lower = html.to_ascii_lowercase();
    for (start, _) in lower.match_indices("<link") {
        let tag = &html[start..start + lower[start..].find('>').unwrap_or(0)];
        let rel = attr(tag, "rel").unwrap_or_default().to_ascii_lowercase();
        if rel
            .split_whitespace()
            .any(|r| matches!(r, "stylesheet" | "preload" | "modulepreload"))
            && let Some(href) = attr(tag, "href")
        {
            out.push(href);
        }
    }
    for (start, _) in lower.match_indices("<script") {
        let Some(tag_len) = lower[start..].find('>') else {
            break;
        };
        let tag = &html[start..start + tag_len];
        if let Some(src) = attr(tag, "src") {
            out.push(src);
            continue;
        }
        let body_start = start + tag_len + 1;
        let body_len = lower[body_start..].find("</script").unwrap_or(0);
        let body = &html[body_start..body_start + body_len];
        out.extend(js_imports(body));
        if let Some(at) = body.find("module_or_path:")
            && let Some(path) = quoted(&body[at + "module_or_path:".len()..])
        {
            out.push(path);
        }
    }
    out
}

/// The value of attribute `name` in a tag's text (`name="…"` or `name='…'`).
fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    for (i, _) in lower.match_indices(&format!("{name}=")) {
        if i == 0 || !lower.as_bytes()[i - 1].is_ascii_whitespace() {
            continue;
        }
        return quoted(&tag[i + name.len() + 1..]);
    }
    None
}

/// The string literal `text` starts with (after blanks), without its quotes.
fn quoted(text: &str) -> Option<String> {
    let text = text.trim_start();
    let quote = text
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\'' | '`'))?;
    let rest = &text[1..];
    rest.find(quote).map(|end| rest[..end].to_string())
}

/// The static import specifiers of a JS module (`import … from "x"`, `export … from "x"`,
/// `import "x"`); not dynamic `import("x")`, which loads later.
pub fn js_imports(js: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in js.match_indices("from") {
        let before_ok = i == 0 || !is_ident(js.as_bytes()[i - 1]);
        let after = &js[i + 4..];
        if before_ok
            && after.starts_with([' ', '"', '\''])
            && let Some(spec) = quoted(after)
            && is_import_statement(js, i)
        {
            out.push(spec);
        }
    }
    for (i, _) in js.match_indices("import") {
        let before_ok = i == 0 || !is_ident(js.as_bytes()[i - 1]);
        let after = &js[i + 6..];
        if before_ok
            && after.starts_with([' ', '"', '\''])
            && after.trim_start().starts_with(['"', '\''])
            && let Some(spec) = quoted(after)
        {
            out.push(spec);
        }
    }
    out
}

/// Whether the `from` at `at` ends an `import`/`export` statement: the statement (since the
/// last `;` or line start that opens one) begins with either keyword.
fn is_import_statement(js: &str, at: usize) -> bool {
    let head = &js[..at];
    let start = head.rfind([';', '\n']).map_or(0, |i| i + 1);
    let mut statement = head[start..].trim_start();
    // A multi-line `import {\n a,\n b\n} from "x"`: look back to its first line.
    if !(statement.starts_with("import") || statement.starts_with("export"))
        && let Some(open) = head.rfind("import {").or_else(|| head.rfind("export {"))
    {
        let between = &head[open..];
        if !between.contains(';') {
            statement = between;
        }
    }
    statement.starts_with("import") || statement.starts_with("export")
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b'.'
}

/// `spec` as an absolute path, relative to the module or page at `base` (`/dir/x.js`).
/// `None` for what is not a path (bare specifiers, other origins).
pub fn resolve(base: &str, spec: &str) -> Option<String> {
    let spec = spec.split(['?', '#']).next().unwrap_or(spec);
    if spec.starts_with('/') && !spec.starts_with("//") {
        return Some(spec.to_string());
    }
    if !(spec.starts_with("./") || spec.starts_with("../")) {
        return None;
    }
    let mut parts: Vec<&str> = base.split('/').collect();
    parts.pop();
    for part in spec.split('/') {
        match part {
            "." => {}
            ".." => {
                if parts.len() > 1 {
                    parts.pop();
                }
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = r#"<!doctype html><html><head>
  <link rel="manifest" href="/manifest.webmanifest">
  <link rel="icon" type="image/png" href="/icons/icon-192.png">
<link rel="stylesheet" href="/style-00112233445566aa.css">
<link rel="preload" href="/app-fedcba9876543210_bg.wasm" as="fetch" type="application/wasm" crossorigin>
<link rel="modulepreload" href="/app-0123456789abcdef.js">
<script type="module">import init from '/app-0123456789abcdef.js'; init({ module_or_path: '/app-fedcba9876543210_bg.wasm' });</script>
</head><body><script src="/extra.js"></script></body></html>"#;

    #[test]
    fn index_html_loads_css_wasm_and_js_not_icons() {
        let mut urls = html_urls(INDEX);
        urls.sort();
        urls.dedup();
        assert_eq!(
            urls,
            [
                "/app-0123456789abcdef.js",
                "/app-fedcba9876543210_bg.wasm",
                "/extra.js",
                "/style-00112233445566aa.css"
            ]
        );
    }

    #[test]
    fn static_imports_only() {
        let js = "import * as import1 from \"./split-0123456789abcdef.js\"\n\
                  import { a,\n  b } from './snippets/x/inline0.js';\n\
                  export { c } from \"./c.js\";\nimport \"./side.js\";\n\
                  const later = import(\"./lazy.js\");\n\
                  const s = \"taken from 'here'\";\n\
                  const u = new URL('app_bg.wasm', import.meta.url);";
        assert_eq!(
            js_imports(js),
            [
                "./split-0123456789abcdef.js",
                "./snippets/x/inline0.js",
                "./c.js",
                "./side.js"
            ]
        );
    }

    #[test]
    fn resolving_relative_to_the_module() {
        assert_eq!(
            resolve("/app-1.js", "./split-2.js").as_deref(),
            Some("/split-2.js")
        );
        assert_eq!(
            resolve("/app-1.js", "./snippets/a/b.js").as_deref(),
            Some("/snippets/a/b.js")
        );
        assert_eq!(
            resolve("/snippets/a/b.js", "../c.js").as_deref(),
            Some("/snippets/c.js")
        );
        assert_eq!(resolve("/", "/style.css").as_deref(), Some("/style.css"));
        assert_eq!(resolve("/x.js", "./y.js?v=1").as_deref(), Some("/y.js"));
        assert_eq!(resolve("/x.js", "leptos"), None);
        assert_eq!(resolve("/x.js", "//cdn.example/x.js"), None);
    }

    #[test]
    fn a_page_group_does_not_count_the_start_groups_chunks() {
        let file = |url: &str| Sent {
            url: url.into(),
            sent: 1,
            raw: 1,
            gzip: 1,
        };
        let mut groups = BTreeMap::new();
        groups.insert(
            START_GROUP.to_string(),
            vec![file("/sync.wasm"), file("/c1.wasm")],
        );
        groups.insert(
            "sales_day".to_string(),
            vec![file("/day.wasm"), file("/c1.wasm"), file("/c2.wasm")],
        );
        without_start_group(&mut groups);
        let urls = |g: &str| groups[g].iter().map(|f| f.url.as_str()).collect::<Vec<_>>();
        assert_eq!(urls("sales_day"), ["/day.wasm", "/c2.wasm"]);
        assert_eq!(urls(START_GROUP), ["/sync.wasm", "/c1.wasm"]);
    }

    fn sent(url: &str, sent: usize) -> Sent {
        Sent {
            url: url.into(),
            sent,
            raw: sent * 3,
            gzip: sent + sent / 5,
        }
    }

    fn report_within_budgets() -> Report {
        let mut report = Report {
            initial: vec![
                sent("/", 1000),
                sent("/app.wasm", budget::INITIAL.limit - 1000),
            ],
            groups: BTreeMap::new(),
        };
        for b in budget::GROUPS {
            report
                .groups
                .insert(b.name.to_string(), vec![sent("/g.wasm", b.limit)]);
        }
        report
    }

    #[test]
    fn budgets_hold_up_to_their_limits() {
        assert_eq!(judge(&report_within_budgets()), Vec::<String>::new());
    }

    #[test]
    fn a_byte_over_a_budget_breaks_it() {
        let mut report = report_within_budgets();
        report.initial.push(sent("/style.css", 1));
        let broken = judge(&report);
        assert_eq!(broken.len(), 1, "{broken:?}");
        assert!(broken[0].starts_with("initial"), "{broken:?}");

        let mut report = report_within_budgets();
        report
            .groups
            .get_mut("sales_day")
            .unwrap()
            .push(sent("/chunk-1.wasm", 1));
        let broken = judge(&report);
        assert_eq!(broken.len(), 1, "{broken:?}");
        assert!(broken[0].starts_with("sales_day"), "{broken:?}");
    }

    #[test]
    fn every_group_needs_a_budget_and_every_budget_a_group() {
        let mut report = report_within_budgets();
        report
            .groups
            .insert("service_day".into(), vec![sent("/s.wasm", 1)]);
        report.groups.remove("admin");
        let broken = judge(&report);
        assert_eq!(broken.len(), 2, "{broken:?}");
        assert!(
            broken
                .iter()
                .any(|b| b.contains("service_day has no budget"))
        );
        assert!(broken.iter().any(|b| b.contains("admin, a page group")));
    }
}
