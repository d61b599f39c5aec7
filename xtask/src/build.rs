//! `cargo xtask build` and `cargo xtask run`: the app into `target/site/`
//! exactly as docs/site.md "The built site" says.
//!
//! wasm-split, wasm-bindgen, wasm-opt and the compression are cached by a hash of their inputs
//! ([`crate::cache`]): on an unchanged tree the build only asks cargo, hashes and compares.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::cache::{self, Cache};
use crate::compress;
use crate::pack;
use crate::util::{self, hash16, kb};

/// The crate and the wasm file cargo writes for it.
const APP_PACKAGE: &str = "forecourt-app";
const APP_BIN: &str = "forecourt_app";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
const WASM_PROFILE: &str = "wasm-release";
/// The binaryen release whose wasm-opt optimises the wasm (npm package `binaryen`).
pub const BINARYEN_VERSION: &str = "132.0.0";
/// The versions of the two libraries the build links (pinned with `=` in xtask/Cargo.toml; a
/// test checks that these say the same): part of the cache keys of their outputs.
const WASM_SPLIT_VERSION: &str = "0.2.4";
const WASM_BINDGEN_VERSION: &str = "0.2.130";
/// How the build calls wasm-bindgen (part of the cache key of its output): change it with
/// the options in [`bindgen`].
const BINDGEN_SETTINGS: &str = "out_name=app web typescript=false keep_lld_exports remove_name_section remove_producers_section";
/// The wasm features rustc 1.95 emits for wasm32-unknown-unknown by default;
/// wasm-opt must be told about them or it rejects the module.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-bulk-memory-opt",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];
const WASM_OPT_LEVEL: &str = "-Oz";
/// How many entries of each cache a build keeps (per file it used, for the per-file caches):
/// enough to go back and forth between a few branches without rebuilding.
const CACHE_KEEP: usize = 6;
/// The main module's file name in wasm-split's output.
const SPLIT_MAIN: &str = "main.wasm";
/// The marker in `public/index.html` that the build replaces.
pub const HEAD_MARKER: &str = "<!-- forecourt:head -->";
pub const VERSION_TOKEN: &str = "__FORECOURT_VERSION__";
pub const PRECACHE_TOKEN: &str = "__FORECOURT_PRECACHE__";

/// One file of the built site, for the size report.
#[derive(Debug, Clone)]
pub struct SiteFile {
    /// Path relative to the site root, with `/` separators.
    pub path: String,
    pub raw: usize,
    /// The size of its `.br` (brotli q11), what the server sends to a browser.
    pub brotli: usize,
}

/// What `build` produced.
#[derive(Debug)]
pub struct Built {
    pub js: SiteFile,
    pub wasm: SiteFile,
    pub css: SiteFile,
    /// wasm-split's loader (`split-<hash>.js`): the app's JS imports it, so it is part of
    /// the initial download.
    pub split_js: Option<SiteFile>,
    /// The packs of lazily loaded wasm modules, one per group (`<group>-<hash>.pack`,
    /// [`crate::pack`]): fetched the first time a page of the group is shown (and precached by
    /// the service worker), not part of the initial download.
    pub chunks: Vec<SiteFile>,
    pub optimised: bool,
}

impl Built {
    /// What the browser fetches before the first screen: wasm, js (and the split loader), css.
    pub fn initial(&self) -> Vec<&SiteFile> {
        let mut files = vec![&self.wasm, &self.js];
        files.extend(&self.split_js);
        files.push(&self.css);
        files
    }
}

/// How long each step of a build took and whether its outputs came from the cache.
#[derive(Default)]
struct Steps(Vec<String>);

impl Steps {
    fn add(&mut self, name: &str, since: Instant, note: impl std::fmt::Display) {
        self.0.push(format!(
            "{name} {:.1} s ({note})",
            since.elapsed().as_secs_f64()
        ));
    }
}

pub fn build() -> Result<Built> {
    let started = Instant::now();
    let mut steps = Steps::default();
    let root = util::root();
    let public = root.join("public");
    for name in ["index.html", "sw.js"] {
        if !public.join(name).is_file() {
            bail!(
                "public/{name} does not exist yet: the build needs the index.html template (with \
                 `{HEAD_MARKER}`) and the sw.js template (with `{VERSION_TOKEN}` and \
                 `{PRECACHE_TOKEN}`), see docs/site.md \"The built site\""
            );
        }
    }

    util::ensure_wasm_target()?;
    let t = Instant::now();
    // `cargo rustc` so that only the app's own link gets `--emit-relocs` (wasm-split needs the
    // relocations to take the module apart); the dependencies keep their cached builds.
    util::run(util::cargo().args([
        "rustc",
        "--package",
        APP_PACKAGE,
        "--bin",
        APP_BIN,
        "--target",
        WASM_TARGET,
        "--profile",
        WASM_PROFILE,
        "--",
        "-Clink-arg=--emit-relocs",
    ]))?;
    steps.add("cargo", t, "the app's wasm");
    let wasm_in = util::target_dir()
        .join(WASM_TARGET)
        .join(WASM_PROFILE)
        .join(format!("{APP_BIN}.wasm"));
    if !wasm_in.is_file() {
        bail!(
            "cargo did not produce {} (is {APP_PACKAGE} a bin crate?)",
            wasm_in.display()
        );
    }

    // wasm-split: the `#[lazy]` functions (the app's lazy routes, app/src/lazy_pages.rs) and
    // the code only they reach go into chunks; the main module is what wasm-bindgen sees.
    let t = Instant::now();
    let input = read(&wasm_in)?;
    let split_cache = Cache::new("split")?;
    let split_key = cache::key([
        b"wasm-split".as_slice(),
        WASM_SPLIT_VERSION.as_bytes(),
        SPLIT_LINK.as_bytes(),
        SPLIT_MAIN_MODULE.as_bytes(),
        &input,
    ]);
    let (split_dir, hit) = split_cache.dir_or(&split_key, |dir| {
        println!("xtask: wasm-split {}", wasm_in.display());
        split_wasm(&input, dir)
    })?;
    drop(input);
    let split = read_split(&split_dir)?;
    steps.add("wasm-split", t, cached(hit));

    // wasm-bindgen: the JS glue for the web target.
    let t = Instant::now();
    let main_split = split_dir.join(SPLIT_MAIN);
    let bindgen_key = cache::key([
        b"wasm-bindgen".as_slice(),
        WASM_BINDGEN_VERSION.as_bytes(),
        BINDGEN_SETTINGS.as_bytes(),
        &read(&main_split)?,
    ]);
    let bindgen_cache = Cache::new("bindgen")?;
    let (work, hit) = bindgen_cache.dir_or(&bindgen_key, |dir| {
        println!("xtask: wasm-bindgen {}", main_split.display());
        bindgen(&main_split, dir)
    })?;
    steps.add("wasm-bindgen", t, cached(hit));
    println!(
        "xtask: main module before wasm-bindgen (for twiggy): {}",
        main_split.display()
    );

    // wasm-opt on the main module and on every chunk, if we can get it.
    let t = Instant::now();
    let optimiser = Optimiser::new()?;
    let mut to_optimise = vec![work.join("app_bg.wasm")];
    to_optimise.extend(split.chunks.iter().map(|(_, path)| path.clone()));
    let mut optimised_files = parallel_map(&to_optimise, |path| optimiser.optimise(path))?;
    let optimised = optimiser.available();
    steps.add("wasm-opt", t, optimiser.report());
    let chunk_data = optimised_files.split_off(1);
    let wasm = optimised_files.pop().context("no main module")?;

    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();

    // One pack per group of lazy pages (every module its first visit needs), content-hashed;
    // the loader fetches the packs instead of wasm-split's ~260 chunk files (crate::pack).
    let by_file: BTreeMap<String, Vec<u8>> = split
        .chunks
        .iter()
        .zip(chunk_data)
        .map(|((stem, _), data)| (format!("./{stem}.wasm"), data))
        .collect();
    let packed = pack::pack(pack::parse_loader(&split.loader)?, |file| {
        by_file
            .get(file)
            .cloned()
            .with_context(|| format!("wasm-split's loader fetches {file}, which it did not write"))
    })?;
    let mut chunk_names = Vec::new();
    let mut urls = Vec::new();
    for p in &packed.packs {
        // What the loader will read back (its runtime parses the same layout).
        let parts = pack::decode(&p.data)?;
        if parts
            .iter()
            .map(|(id, _)| *id)
            .ne(p.modules.iter().copied())
        {
            bail!("the pack of {} does not read back", p.group);
        }
        let name = format!(
            "{}-{}.{}",
            p.group.replace('_', "-"),
            hash16([p.data.as_slice()]),
            pack::EXTENSION
        );
        urls.push(format!("./{name}"));
        chunk_names.push(name.clone());
        files.insert(name, p.data.clone());
    }
    let loader = packed.loader(&urls)?;
    drop(by_file);

    // JS snippets (inline_js / module imports) stay at their relative paths.
    let mut snippets = Vec::new();
    let snippets_dir = work.join("snippets");
    if snippets_dir.is_dir() {
        for path in walk(&snippets_dir)? {
            let rel = format!("snippets/{}", rel_path(&snippets_dir, &path));
            snippets.push(rel.clone());
            files.insert(rel, read(&path)?);
        }
    }

    let wasm_name = format!("app-{}_bg.wasm", hash16([wasm.as_slice()]));
    let glue = String::from_utf8(read(&work.join("app.js"))?).context("app.js is not UTF-8")?;
    // The glue's default URL would be the un-hashed name; point it at the real file.
    let js = glue.replace("'app_bg.wasm'", &format!("'{wasm_name}'"));
    // The glue imports the loader and the loader imports the glue (for the main module's
    // exports): the loader's name hashes everything the glue's name does, except the
    // loader's name itself, so that either name changes whenever either file does.
    let split_js_name = format!(
        "split-{}.js",
        hash16(
            [loader.as_bytes(), js.as_bytes(), wasm_name.as_bytes()]
                .into_iter()
                .chain(snippets.iter().map(|s| files[s].as_slice()))
        )
    );
    let js = replace_import(&js, SPLIT_LINK, &format!("./{split_js_name}"))?;
    let js_hash = hash16(
        std::iter::once(js.as_bytes())
            .chain(snippets.iter().map(|s| files[s].as_slice()))
            .chain(std::iter::once(wasm_name.as_bytes())),
    );
    let js_name = format!("app-{js_hash}.js");
    let loader = replace_import(&loader, SPLIT_MAIN_MODULE, &format!("./{js_name}"))?;
    files.insert(split_js_name.clone(), loader.into_bytes());

    let css = concat_css(&root.join("style"))?;
    let css_name = format!("style-{}.css", hash16([css.as_slice()]));

    files.insert(js_name.clone(), js.into_bytes());
    files.insert(wasm_name.clone(), wasm);
    files.insert(css_name.clone(), css);

    // Everything else in public/ is copied as is.
    let mut copied = Vec::new();
    for path in walk(&public)? {
        let rel = rel_path(&public, &path);
        if rel == "index.html" || rel == "sw.js" {
            continue;
        }
        copied.push(rel.clone());
        files.insert(rel, read(&path)?);
    }

    let template = String::from_utf8(read(&public.join("index.html"))?)
        .context("public/index.html is not UTF-8")?;
    let pack_of = |group: &str| {
        packed
            .packs
            .iter()
            .zip(&chunk_names)
            .find(|(p, _)| p.group == group)
            .map(|(_, name)| name.as_str())
    };
    let early = EarlyPacks {
        account: pack_of(ACCOUNT_GROUP),
        start: pack_of(pack::START_GROUP),
    };
    let index = render_index(
        &template,
        &js_name,
        &split_js_name,
        &wasm_name,
        &css_name,
        early,
    )?;
    files.insert("index.html".into(), index.into_bytes());

    let mut precache: Vec<String> = vec!["/".into(), "/index.html".into()];
    // Every chunk too: after the first load the app works offline on every page.
    for name in [&js_name, &wasm_name, &split_js_name, &css_name]
        .into_iter()
        .chain(&chunk_names)
        .chain(&snippets)
        .chain(&copied)
    {
        precache.push(format!("/{name}"));
    }
    let version = hash16(precache.iter().flat_map(|url| {
        let file = url.trim_start_matches('/');
        let file = if file.is_empty() { "index.html" } else { file };
        [url.as_bytes(), files[file].as_slice()]
    }));
    let sw_template =
        String::from_utf8(read(&public.join("sw.js"))?).context("public/sw.js is not UTF-8")?;
    let sw = render_sw(&sw_template, &version, &precache)?;
    files.insert("sw.js".into(), sw.into_bytes());

    // `<file>.br` and `<file>.gz` beside every compressible file, which the server sends.
    let t = Instant::now();
    let (compressed, report) = precompress(&files)?;
    steps.add("compression", t, report);
    let br_len = |name: &str| {
        compressed
            .get(&format!("{name}.{}", compress::BROTLI))
            .map_or(0, Vec::len)
    };
    let file = |name: &str| SiteFile {
        path: name.to_string(),
        raw: files[name].len(),
        brotli: br_len(name),
    };
    let built = Built {
        js: file(&js_name),
        wasm: file(&wasm_name),
        css: file(&css_name),
        split_js: Some(file(&split_js_name)),
        chunks: chunk_names.iter().map(|name| file(name)).collect(),
        optimised,
    };
    let count = files.len();
    files.extend(compressed);

    let t = Instant::now();
    let site = util::site_dir();
    let written = write_site(&site, &files)?;
    steps.add(
        "write",
        t,
        format!("{written} of {} files changed", files.len()),
    );

    // Builds before the cache worked in a folder beside the site; it is not used any more.
    let old_work = match std::env::var_os("FORECOURT_SITE_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir).with_extension("bindgen"),
        _ => util::target_dir().join("xtask").join("bindgen"),
    };
    if old_work.is_dir() {
        let _ = fs::remove_dir_all(&old_work);
    }
    for (kind, keep) in [
        ("split", CACHE_KEEP),
        ("bindgen", CACHE_KEEP),
        ("opt", CACHE_KEEP * to_optimise.len()),
        ("compress", CACHE_KEEP * files.len()),
    ] {
        Cache::new(kind)?.prune(keep)?;
    }

    println!(
        "xtask: wrote {} ({count} files and their .br/.gz, version {version})",
        site.display(),
    );
    println!(
        "xtask: built in {:.1} s: {}",
        started.elapsed().as_secs_f64(),
        steps.0.join("; ")
    );
    print_sizes(&built);
    Ok(built)
}

fn cached(hit: bool) -> &'static str {
    if hit { "cached" } else { "ran" }
}

/// wasm-bindgen on the main module, into `out`.
fn bindgen(main_wasm: &Path, out: &Path) -> Result<()> {
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(main_wasm)
        .out_name("app")
        .web(true)?
        .typescript(false)
        // The chunks import the main module's linker exports (memory, table, stack pointer).
        .keep_lld_exports(true)
        .remove_name_section(true)
        .remove_producers_section(true)
        .generate(out)
        .context("wasm-bindgen failed")
}

/// `.br` and `.gz` of every compressible file of `files` (by the cache where it can), and a
/// note of how many were compressed.
fn precompress(files: &BTreeMap<String, Vec<u8>>) -> Result<(BTreeMap<String, Vec<u8>>, String)> {
    let cache = Cache::new("compress")?;
    let todo: Vec<(&String, &Vec<u8>)> = files
        .iter()
        .filter(|(name, _)| compress::is_compressible(name))
        .collect();
    let ran = AtomicUsize::new(0);
    let done = parallel_map(&todo, |(_, data)| {
        let key = |settings: &str| cache::key([settings.as_bytes(), data.as_slice()]);
        let br_key = format!("{}.{}", key(compress::BROTLI_SETTINGS), compress::BROTLI);
        let (br, br_hit) = cache.file_or(&br_key, || Ok(compress::brotli(data)))?;
        let gz_key = format!("{}.{}", key(compress::GZIP_SETTINGS), compress::GZIP);
        let (gz, gz_hit) = cache.file_or(&gz_key, || compress::gzip(data))?;
        ran.fetch_add(
            usize::from(!br_hit) + usize::from(!gz_hit),
            Ordering::Relaxed,
        );
        Ok((br, gz))
    })?;
    let mut out = BTreeMap::new();
    for ((name, _), (br, gz)) in todo.iter().zip(done) {
        out.insert(format!("{name}.{}", compress::BROTLI), br);
        out.insert(format!("{name}.{}", compress::GZIP), gz);
    }
    let ran = ran.into_inner();
    let report = format!(
        "{} files, {} cached, {ran} compressed",
        out.len(),
        out.len() - ran
    );
    Ok((out, report))
}

/// `f` on every item, on as many threads as there are cores; the results in order.
fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&T) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, Result<R>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        let result = f(item);
                        let failed = result.is_err();
                        out.push((i, result));
                        if failed {
                            // Let the others stop too.
                            next.store(items.len(), Ordering::Relaxed);
                            break;
                        }
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| match w.join() {
                Ok(out) => out,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    let results = results
        .into_iter()
        .map(|(_, r)| r)
        .collect::<Result<Vec<R>>>()?;
    if results.len() != items.len() {
        bail!("a worker stopped early");
    }
    Ok(results)
}

/// wasm-opt with the build's flags, its outputs cached by a hash of the input and the flags.
/// wasm-opt itself is looked for (and installed) only when something is not cached.
struct Optimiser {
    cache: Cache,
    tool: OnceLock<Option<PathBuf>>,
    ran: AtomicUsize,
    hits: AtomicUsize,
}

impl Optimiser {
    fn new() -> Result<Self> {
        Ok(Optimiser {
            cache: Cache::new("opt")?,
            tool: OnceLock::new(),
            ran: AtomicUsize::new(0),
            hits: AtomicUsize::new(0),
        })
    }

    fn tool(&self) -> Option<&PathBuf> {
        self.tool
            .get_or_init(|| {
                wasm_opt()
                    .inspect_err(|e| {
                        println!(
                            "xtask: WARNING: wasm-opt is not available ({e:#}); the wasm is NOT \
                             optimised"
                        )
                    })
                    .ok()
            })
            .as_ref()
    }

    /// Whether every file was optimised (wasm-opt was there or not needed).
    fn available(&self) -> bool {
        self.tool.get().is_none_or(Option::is_some)
    }

    fn report(&self) -> String {
        format!(
            "{} cached, {} optimised",
            self.hits.load(Ordering::Relaxed),
            self.ran.load(Ordering::Relaxed)
        )
    }

    /// `path` optimised (unoptimised if wasm-opt cannot be had).
    fn optimise(&self, path: &PathBuf) -> Result<Vec<u8>> {
        let input = read(path)?;
        let key = cache::key(
            [
                b"wasm-opt".as_slice(),
                BINARYEN_VERSION.as_bytes(),
                WASM_OPT_LEVEL.as_bytes(),
            ]
            .into_iter()
            .chain(WASM_FEATURES.iter().map(|f| f.as_bytes()))
            .chain([input.as_slice()]),
        );
        let name = format!("{key}.wasm");
        if let Some(hit) = self.cache.file(&name)
            && let Ok(data) = fs::read(hit)
        {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(data);
        }
        let Some(tool) = self.tool() else {
            return Ok(input);
        };
        let out = util::target_dir()
            .join("xtask")
            .join(format!("wasm-opt-{}-{key}.wasm", std::process::id()));
        let mut cmd = Command::new(tool);
        cmd.arg(WASM_OPT_LEVEL)
            .args(WASM_FEATURES)
            .arg(path)
            .arg("-o")
            .arg(&out);
        let run = run_quietly(&mut cmd).and_then(|()| read(&out));
        let _ = fs::remove_file(&out);
        let data = run?;
        self.cache.put(&name, &data)?;
        self.ran.fetch_add(1, Ordering::Relaxed);
        Ok(data)
    }
}

/// Runs a command, printing its line and whatever it writes to stderr except wasm-opt's
/// warnings about the chunks' name sections (harmless: wasm-split leaves a subsection wasm-opt
/// does not know); fails if it exits non-zero.
fn run_quietly(cmd: &mut Command) -> Result<()> {
    let shown = util::show(cmd);
    let out = cmd
        .output()
        .with_context(|| format!("could not start `{shown}`"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let noise = |l: &&str| l.starts_with("warning: unknown name subsection");
    let said: Vec<&str> = stderr.lines().filter(|l| !noise(l)).collect();
    if !out.status.success() {
        bail!("`{shown}` failed ({}): {}", out.status, said.join("\n"));
    }
    println!("$ {shown}");
    for line in said {
        println!("  {line}");
    }
    Ok(())
}

/// `cargo xtask run`: build, then run the release server on the site.
pub fn run(server_args: &[String]) -> Result<()> {
    build()?;
    util::run(util::cargo().args(["build", "--release", "--package", "forecourt-server"]))?;
    let bin = util::target_dir().join("release").join("forecourt");
    let mut cmd = Command::new(&bin);
    cmd.arg("--site").arg(util::site_dir()).args(server_args);
    util::run(&mut cmd)
}

/// Prints the initial download (wasm + js + css), raw and as the `.br` files the server sends.
pub fn print_sizes(built: &Built) {
    println!();
    println!("{:<36} {:>10} {:>12}", "file", "raw", "brotli q11");
    let mut raw = 0;
    let mut br = 0;
    for f in built.initial() {
        println!("{:<36} {:>10} {:>12}", f.path, kb(f.raw), kb(f.brotli));
        raw += f.raw;
        br += f.brotli;
    }
    println!("{:<36} {:>10} {:>12}", "initial download", kb(raw), kb(br));
    if !built.chunks.is_empty() {
        let raw: usize = built.chunks.iter().map(|f| f.raw).sum();
        let br: usize = built.chunks.iter().map(|f| f.brotli).sum();
        let largest = built.chunks.iter().max_by_key(|f| f.brotli);
        let label = format!("lazy page packs ({} files)", built.chunks.len());
        println!("{label:<36} {:>10} {:>12}", kb(raw), kb(br));
        if let Some(f) = largest {
            println!(
                "{:<36} {:>10} {:>12}",
                "  largest pack",
                kb(f.raw),
                kb(f.brotli)
            );
        }
    }
    if !built.optimised {
        println!("(wasm not optimised: wasm-opt was unavailable)");
    }
    println!("(`cargo xtask size` measures what the server sends, against the budgets)");
}

/// The import specifier wasm-split's loader is known by: the main module imports its chunk
/// loaders from it, and wasm-bindgen's glue imports it under this name.
const SPLIT_LINK: &str = "./__wasm_split.js";
/// The specifier the loader imports the glue by (for `initSync`, which hands it the main
/// module's exports once it is running).
const SPLIT_MAIN_MODULE: &str = "./app.js";

/// What wasm-split made of the app's wasm.
struct Split {
    /// The loader module's source.
    loader: String,
    /// Each chunk's file stem (as the loader names it) and path, by name.
    chunks: Vec<(String, PathBuf)>,
}

/// Splits `wasm` (linked with `--emit-relocs`) at its `#[lazy]` split points into `dir`: the
/// main module (`main.wasm`), the chunks and the loader.
fn split_wasm(wasm: &[u8], dir: &Path) -> Result<()> {
    let main_out = dir.join(SPLIT_MAIN);
    wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(wasm);
        opts.output_dir = dir;
        opts.main_out_path = &main_out;
        opts.link_name = SPLIT_LINK;
        opts.main_module = SPLIT_MAIN_MODULE;
        opts
    })
    .map_err(|e| anyhow::anyhow!("wasm-split failed: {e:?}"))?;
    Ok(())
}

/// The loader and the chunks in wasm-split's output directory.
fn read_split(dir: &Path) -> Result<Split> {
    let loader = String::from_utf8(read(&dir.join(SPLIT_LINK))?)
        .context("wasm-split's loader is not UTF-8")?;
    let mut chunks = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|s| s.to_str()) else {
            continue;
        };
        if name == SPLIT_MAIN {
            continue;
        }
        if let Some(stem) = name.strip_suffix(".wasm") {
            chunks.push((stem.to_string(), path.clone()));
        }
    }
    chunks.sort();
    Ok(Split { loader, chunks })
}

/// `source` with every `from "<from>"` (either quote) import specifier made `to`. Only the
/// specifiers: wasm-bindgen's glue also uses the name as the key of the wasm's imports,
/// which must stay what the wasm module asks for.
fn replace_import(source: &str, from: &str, to: &str) -> Result<String> {
    let mut out = source.to_string();
    let mut found = false;
    for quote in ['\'', '"'] {
        let quoted = format!("from {quote}{from}{quote}");
        if out.contains(&quoted) {
            found = true;
            out = out.replace(&quoted, &format!("from {quote}{to}{quote}"));
        }
    }
    if !found {
        bail!("no import of {from} to rewrite");
    }
    Ok(out)
}

/// The path of a wasm-opt from the pinned npm `binaryen`, installing it into
/// `target/tools` if it is missing. Never Debian's binaryen.
fn wasm_opt() -> Result<PathBuf> {
    let tools = util::target_dir().join("tools");
    let bin = tools.join("node_modules").join(".bin").join("wasm-opt");
    let wanted = BINARYEN_VERSION
        .split('.')
        .next()
        .unwrap_or(BINARYEN_VERSION);
    let version_ok = |bin: &Path| {
        Command::new(bin)
            .arg("--version")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).contains(&format!("version {wanted}")))
            .unwrap_or(false)
    };
    if bin.is_file() && version_ok(&bin) {
        return Ok(bin);
    }
    println!("xtask: installing wasm-opt (npm binaryen@{BINARYEN_VERSION}) into target/tools");
    fs::create_dir_all(&tools)?;
    util::run(
        Command::new("npm")
            .arg("install")
            .arg("--prefix")
            .arg(&tools)
            .args(["--no-audit", "--no-fund", "--loglevel=error"])
            .arg(format!("binaryen@{BINARYEN_VERSION}")),
    )?;
    if !version_ok(&bin) {
        bail!("{} does not run after npm install", bin.display());
    }
    Ok(bin)
}

/// `style/*.css` concatenated in name order.
fn concat_css(dir: &Path) -> Result<Vec<u8>> {
    let mut names = Vec::new();
    if dir.is_dir() {
        for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            if path.is_file() && path.extension().is_some_and(|e| e == "css") {
                names.push(path);
            }
        }
    }
    names.sort();
    let mut css = Vec::new();
    for path in names {
        let mut text = read(&path)?;
        if !text.is_empty() && !text.ends_with(b"\n") {
            text.push(b'\n');
        }
        css.extend(text);
    }
    Ok(css)
}

/// The group of the pages before the shell (`/login`, `/setup`): app/src/lazy_pages.rs.
pub const ACCOUNT_GROUP: &str = "account";

/// The packs a first screen needs at once, fetched beside the main wasm (file names in the
/// site): `account` on `/login` and `/setup`, the start group's (`sync`: the engine, the header
/// and navigation) on a page behind the login.
#[derive(Debug, Clone, Copy, Default)]
pub struct EarlyPacks<'a> {
    pub account: Option<&'a str>,
    pub start: Option<&'a str>,
}

impl EarlyPacks<'_> {
    /// A classic inline script (it runs as the head is parsed, before the module script's
    /// imports have arrived) that preloads the pack the path's first screen needs, as the
    /// loader fetches it (`fetch`, same-origin credentials), so that the loader's fetch takes
    /// the preloaded answer: `/login` and `/setup` the account pack, a page behind the login
    /// (any other path but `/`, which a new visitor opens too) the start pack. `None` when the
    /// build has neither.
    fn script(&self) -> Option<String> {
        if self.account.is_none() && self.start.is_none() {
            return None;
        }
        let quoted = |name: Option<&str>| name.map_or("''".to_string(), |n| format!("'/{n}'"));
        Some(format!(
            "<script>(function () {{ var p = location.pathname; \
             var f = /^\\/(login|setup)\\/?$/.test(p) ? {account} : p === '/' ? '' : {start}; \
             if (!f) return; var l = document.createElement('link'); l.rel = 'preload'; \
             l.as = 'fetch'; l.crossOrigin = 'anonymous'; l.href = f; document.head.appendChild(l); }})();</script>\n",
            account = quoted(self.account),
            start = quoted(self.start),
        ))
    }
}

/// `public/index.html` with the head marker replaced by the stylesheet, the
/// wasm preload, the early packs' preload and the module script that calls `init`.
pub fn render_index(
    template: &str,
    js: &str,
    split_js: &str,
    wasm: &str,
    css: &str,
    early: EarlyPacks,
) -> Result<String> {
    if !template.contains(HEAD_MARKER) {
        bail!("public/index.html has no `{HEAD_MARKER}` marker");
    }
    // The split loader is imported by the app's js: preloaded beside it, it is not fetched
    // only once the js has arrived (one round trip less before the wasm can start).
    let head = format!(
        "<link rel=\"stylesheet\" href=\"/{css}\">\n\
         <link rel=\"preload\" href=\"/{wasm}\" as=\"fetch\" type=\"application/wasm\" crossorigin>\n\
         <link rel=\"modulepreload\" href=\"/{js}\">\n\
         <link rel=\"modulepreload\" href=\"/{split_js}\">\n\
         {early}\
         <script type=\"module\">import init from '/{js}'; init({{ module_or_path: '/{wasm}' }});</script>",
        early = early.script().unwrap_or_default(),
    );
    Ok(template.replace(HEAD_MARKER, &head))
}

/// `public/sw.js` with the version (bare hex, the template quotes it) and the
/// precache list (a JSON array literal; a quoted token is replaced whole).
pub fn render_sw(template: &str, version: &str, precache: &[String]) -> Result<String> {
    for token in [VERSION_TOKEN, PRECACHE_TOKEN] {
        if !template.contains(token) {
            bail!("public/sw.js has no `{token}`");
        }
    }
    let list = serde_json::to_string(precache)?;
    let mut sw = template.to_string();
    for quote in ['"', '\'', '`'] {
        sw = sw.replace(&format!("{quote}{PRECACHE_TOKEN}{quote}"), &list);
    }
    Ok(sw
        .replace(PRECACHE_TOKEN, &list)
        .replace(VERSION_TOKEN, version))
}

/// Writes `files` into `site` (each file atomically, so a running server never
/// serves half a file) and removes whatever else is there. Returns how many files it wrote
/// (the others were there already, as they are).
fn write_site(site: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<usize> {
    fs::create_dir_all(site).with_context(|| format!("creating {}", site.display()))?;
    let mut written = 0;
    for (rel, data) in files {
        let path = site.join(rel);
        if fs::read(&path).is_ok_and(|old| &old == data) {
            continue;
        }
        written += 1;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let tmp = path.with_file_name(format!(
            ".{}.tmp",
            path.file_name().unwrap_or_default().to_string_lossy()
        ));
        fs::write(&tmp, data).with_context(|| format!("writing {}", tmp.display()))?;
        fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))?;
    }
    for path in walk(site)? {
        if !files.contains_key(&rel_path(site, &path)) {
            fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        }
    }
    remove_empty_dirs(site)?;
    Ok(written)
}

fn remove_empty_dirs(dir: &Path) -> Result<bool> {
    let mut empty = true;
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() && remove_empty_dirs(&path)? {
            fs::remove_dir(&path)?;
        } else {
            empty = false;
        }
    }
    Ok(empty)
}

/// Every file under `dir`, recursively, sorted.
fn walk(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn rel_path(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).with_context(|| format!("reading {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_gets_stylesheet_preload_and_init_script() {
        let html = "<html><head><title>x</title>\n<!-- forecourt:head -->\n</head></html>";
        let out = render_index(
            html,
            "app-0123456789abcdef.js",
            "split-0123456789abcdef.js",
            "app-fedcba9876543210_bg.wasm",
            "style-00112233445566aa.css",
            EarlyPacks::default(),
        )
        .unwrap();
        assert!(!out.contains(HEAD_MARKER));
        assert!(out.contains(r#"<link rel="stylesheet" href="/style-00112233445566aa.css">"#));
        assert!(out.contains(r#"href="/app-fedcba9876543210_bg.wasm" as="fetch""#));
        assert!(out.contains(
            "import init from '/app-0123456789abcdef.js'; init({ module_or_path: '/app-fedcba9876543210_bg.wasm' });"
        ));
        assert!(out.contains(r#"<link rel="modulepreload" href="/split-0123456789abcdef.js">"#));
        assert!(!out.contains("<script>"), "no early packs, no script");
        assert!(render_index("<html></html>", "a", "s", "b", "c", EarlyPacks::default()).is_err());
    }

    #[test]
    fn index_preloads_the_first_screens_pack_by_path() {
        let html = "<head><!-- forecourt:head --></head>";
        let early = EarlyPacks {
            account: Some("account-1.pack"),
            start: Some("sync-2.pack"),
        };
        let out = render_index(html, "a.js", "s.js", "b.wasm", "c.css", early).unwrap();
        let script = early.script().unwrap();
        assert!(out.contains(&script));
        assert!(script.contains("? '/account-1.pack' : p === '/' ? '' : '/sync-2.pack'"));
        assert!(script.contains(r"/^\/(login|setup)\/?$/"), "{script}");
        assert!(script.contains("l.as = 'fetch'; l.crossOrigin = 'anonymous'"));
        // Before the module script, which waits for its imports before it runs.
        assert!(out.find(&script) < out.find("<script type=\"module\">"));
        let only_start = EarlyPacks {
            account: None,
            start: Some("sync-2.pack"),
        };
        assert!(only_start.script().unwrap().contains("? '' : p === '/'"));
    }

    #[test]
    fn sw_gets_version_and_precache_array() {
        let urls = vec!["/".to_string(), "/app-1.js".to_string()];
        let bare = "const V = '__FORECOURT_VERSION__';\nconst P = __FORECOURT_PRECACHE__;";
        assert_eq!(
            render_sw(bare, "abc", &urls).unwrap(),
            "const V = 'abc';\nconst P = [\"/\",\"/app-1.js\"];"
        );
        // A quoted precache token still yields an array, not a string.
        let quoted = "const V = \"__FORECOURT_VERSION__\"; const P = \"__FORECOURT_PRECACHE__\";";
        assert_eq!(
            render_sw(quoted, "abc", &urls).unwrap(),
            "const V = \"abc\"; const P = [\"/\",\"/app-1.js\"];"
        );
        assert!(render_sw("const V = '__FORECOURT_VERSION__';", "abc", &urls).is_err());
    }

    #[test]
    fn write_site_replaces_and_cleans_stale_files() {
        let dir = std::env::temp_dir().join(format!("xtask-site-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("old/deep")).unwrap();
        fs::write(dir.join("app-0000000000000000.js"), "stale").unwrap();
        fs::write(dir.join("old/deep/x.png"), "stale").unwrap();
        fs::write(dir.join("index.html"), "old index").unwrap();
        let mut files = BTreeMap::new();
        files.insert("index.html".to_string(), b"new index".to_vec());
        files.insert("icons/a.png".to_string(), b"png".to_vec());
        assert_eq!(write_site(&dir, &files).unwrap(), 2);
        assert_eq!(write_site(&dir, &files).unwrap(), 0, "nothing changed");
        assert_eq!(fs::read(dir.join("index.html")).unwrap(), b"new index");
        assert_eq!(fs::read(dir.join("icons/a.png")).unwrap(), b"png");
        assert!(!dir.join("app-0000000000000000.js").exists());
        assert!(!dir.join("old").exists());
        let left: Vec<_> = walk(&dir).unwrap();
        assert_eq!(left.len(), 2, "{left:?}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn cache_keys_name_the_pinned_library_versions() {
        let manifest = include_str!("../Cargo.toml");
        assert!(
            manifest.contains(&format!(
                "wasm-bindgen-cli-support = \"={WASM_BINDGEN_VERSION}\""
            )),
            "WASM_BINDGEN_VERSION must be the version xtask/Cargo.toml pins"
        );
        assert!(
            manifest.contains(&format!(
                "wasm_split_cli_support = \"={WASM_SPLIT_VERSION}\""
            )),
            "WASM_SPLIT_VERSION must be the version xtask/Cargo.toml pins"
        );
    }

    #[test]
    fn parallel_map_keeps_the_order_and_reports_a_failure() {
        let items: Vec<u32> = (0..50).collect();
        assert_eq!(
            parallel_map(&items, |i| Ok(i * 2)).unwrap(),
            items.iter().map(|i| i * 2).collect::<Vec<_>>()
        );
        let failed = parallel_map(&items, |i| {
            if *i == 7 {
                bail!("item 7 failed")
            }
            Ok(*i)
        });
        assert!(format!("{:#}", failed.unwrap_err()).contains("item 7"));
        assert!(
            parallel_map(&Vec::<u32>::new(), |i| Ok(*i))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn imports_are_rewritten_but_not_the_import_keys() {
        let glue = "import * as import1 from \"./__wasm_split.js\"\n\
                    return { \"./__wasm_split.js\": import1, };";
        let out = replace_import(glue, SPLIT_LINK, "./split-0123456789abcdef.js").unwrap();
        assert_eq!(
            out,
            "import * as import1 from \"./split-0123456789abcdef.js\"\n\
             return { \"./__wasm_split.js\": import1, };"
        );
        let loader = "import { initSync } from './app.js';";
        assert_eq!(
            replace_import(loader, SPLIT_MAIN_MODULE, "./app-1.js").unwrap(),
            "import { initSync } from './app-1.js';"
        );
        assert!(replace_import("nothing", SPLIT_LINK, "x").is_err());
    }

    #[test]
    fn css_is_concatenated_in_name_order() {
        let dir = std::env::temp_dir().join(format!("xtask-css-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("20-b.css"), "b{}").unwrap();
        fs::write(dir.join("10-a.css"), "a{}\n").unwrap();
        fs::write(dir.join("notes.txt"), "not css").unwrap();
        assert_eq!(concat_css(&dir).unwrap(), b"a{}\nb{}\n");
        fs::remove_dir_all(&dir).unwrap();
    }
}
