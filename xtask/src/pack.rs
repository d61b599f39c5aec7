//! One file per group of lazy pages: wasm-split makes a chunk for every set of groups that
//! share some code (~260 files), and the first visit of a page fetched each of its group's
//! chunks separately (a consultant's Today: ~100 requests). The build puts every module a group
//! needs into one pack (`<group>-<hash>.pack`) and replaces wasm-split's loader declarations by
//! [`LOADER_RUNTIME`], which fetches a group's pack once, takes the modules apart and
//! instantiates each one once, as wasm-split's loader did.
//!
//! A page group's pack holds what it needs except what the start group ([`START_GROUP`], the
//! sync engine, loaded at start) has in its own pack (the groups of [`BEFORE_START`], the login
//! page's, hold all they need): a module that several page groups need
//! is in each of their packs (sent again with a later group's pack, instantiated once). The
//! packs compress better than their modules one by one (brotli sees the shared code once).
//!
//! A pack is `FCPK`, the number of modules `n` (u32, little endian), `n` pairs (module id, byte
//! length; u32 LE each), then the modules' bytes in that order. The module ids are the loader's.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, bail};

pub use crate::size::START_GROUP;
/// What wasm-split names a group's loader: `export const __wasm_split_load_<group>`.
pub const LOADER_EXPORT: &str = "__wasm_split_load_";
/// The first bytes of a pack.
pub const MAGIC: &[u8; 4] = b"FCPK";
/// A pack's file name ending.
pub const EXTENSION: &str = "pack";

/// One loadable of wasm-split's loader: a chunk (`const __chunk_<n>`) or a group's own module
/// (`export const __wasm_split_load_<group>`).
#[derive(Debug, Clone, PartialEq)]
pub struct Decl {
    pub name: String,
    /// The file it fetches, as the loader writes it (`./chunk_3.wasm`).
    pub file: String,
    pub deps: Vec<String>,
}

impl Decl {
    pub fn group(&self) -> Option<&str> {
        self.name.strip_prefix(LOADER_EXPORT)
    }
}

/// wasm-split's loader taken apart: the code before the declarations, and the declarations.
#[derive(Debug)]
pub struct Loader {
    pub preamble: String,
    pub decls: Vec<Decl>,
}

/// Parses wasm-split's loader: the declarations that call `makeLoad(…)` each start a line and
/// run to the next declaration or comment line.
pub fn parse_loader(js: &str) -> Result<Loader> {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(js.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| {
            let line = &js[i..];
            line.starts_with("const ")
                || line.starts_with("export ")
                || line.starts_with("function ")
                || line.starts_with("let ")
                || line.starts_with("/*")
        })
        .collect();
    let mut preamble_end = None;
    let mut decls = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(js.len());
        let decl = &js[start..end];
        let Some(rest) = decl
            .strip_prefix("export const ")
            .or_else(|| decl.strip_prefix("const "))
        else {
            continue;
        };
        if !decl.contains("makeLoad(") {
            continue;
        }
        // The declarations (and their comments) come after everything else.
        if preamble_end.is_none() {
            let comment = n
                .checked_sub(1)
                .map(|p| starts[p])
                .filter(|&p| js[p..].starts_with("/*"));
            preamble_end = Some(comment.unwrap_or(start));
        }
        let name = rest
            .split(|c: char| c.is_whitespace() || c == '=')
            .next()
            .unwrap_or_default()
            .to_string();
        let file = decl
            .find("new URL(")
            .and_then(|i| quoted(&decl[i + "new URL(".len()..]))
            .with_context(|| format!("the loader's {name} fetches no file"))?;
        let deps = match decl.rfind(", [") {
            Some(i) => {
                let list = &decl[i + 3..];
                let list = &list[..list.find(']').unwrap_or(0)];
                list.split(',')
                    .map(str::trim)
                    .filter(|d| !d.is_empty())
                    .map(str::to_owned)
                    .collect()
            }
            None => Vec::new(),
        };
        decls.push(Decl { name, file, deps });
    }
    let Some(end) = preamble_end else {
        bail!("wasm-split's loader declares nothing to load");
    };
    Ok(Loader {
        preamble: js[..end].to_string(),
        decls,
    })
}

/// The first string literal (either quote) at the start of `text`, after spaces.
fn quoted(text: &str) -> Option<String> {
    let text = text.trim_start();
    let quote = text.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &text[1..];
    Some(rest[..rest.find(quote)?].to_string())
}

/// A group's pack, before it is named.
#[derive(Debug)]
pub struct Pack {
    pub group: String,
    /// The ids (indices into [`Loader::decls`]) of the modules in it, in order.
    pub modules: Vec<usize>,
    pub data: Vec<u8>,
}

/// The packs and the loader that uses them.
#[derive(Debug)]
pub struct Packed {
    pub packs: Vec<Pack>,
    /// Builds the loader's source once the packs' file names are known (in the order of
    /// `packs`).
    loader: Loader,
    /// Per group (index into `packs`): the group's own module id and every module it needs.
    needs: Vec<(usize, Vec<usize>)>,
    start: Option<usize>,
}

/// Every module each group needs, by index into `decls`, its own module last.
fn needs(decls: &[Decl]) -> Result<BTreeMap<String, (usize, BTreeSet<usize>)>> {
    let index: BTreeMap<&str, usize> = decls
        .iter()
        .enumerate()
        .map(|(i, d)| (d.name.as_str(), i))
        .collect();
    let mut out = BTreeMap::new();
    for (own, decl) in decls.iter().enumerate() {
        let Some(group) = decl.group() else { continue };
        let mut seen = BTreeSet::new();
        let mut stack = decl.deps.clone();
        while let Some(name) = stack.pop() {
            let &i = index
                .get(name.as_str())
                .with_context(|| format!("the loader's group {group} needs {name}, not defined"))?;
            if i != own && seen.insert(i) {
                stack.extend(decls[i].deps.iter().cloned());
            }
        }
        out.insert(group.to_string(), (own, seen));
    }
    Ok(out)
}

/// The groups a device loads before the start group: the pages before the login (a logged-out
/// device starts the sync engine only once the login page is drawn and idle, or at login:
/// app/src/sync/mod.rs). Their packs hold every module they need, also what the start group's
/// pack has, so that the login page does not fetch the sync engine's pack to draw.
pub const BEFORE_START: &[&str] = &["account"];

/// One pack per group of `loader`; `module` gives a module's bytes by its loader file.
pub fn pack(loader: Loader, module: impl Fn(&str) -> Result<Vec<u8>>) -> Result<Packed> {
    pack_with(loader, module, BEFORE_START)
}

/// [`pack`], with the groups whose packs are whole (`before_start`).
fn pack_with(
    loader: Loader,
    module: impl Fn(&str) -> Result<Vec<u8>>,
    before_start: &[&str],
) -> Result<Packed> {
    let needs = needs(&loader.decls)?;
    let start: BTreeSet<usize> = needs
        .get(START_GROUP)
        .map(|(own, deps)| deps.iter().copied().chain([*own]).collect())
        .unwrap_or_default();
    let mut packs = Vec::new();
    let mut plan = Vec::new();
    let mut start_pack = None;
    for (group, (own, deps)) in &needs {
        let is_start = group == START_GROUP;
        if is_start {
            start_pack = Some(packs.len());
        }
        let whole = is_start || before_start.contains(&group.as_str());
        let mut modules: Vec<usize> = deps
            .iter()
            .copied()
            .filter(|i| whole || !start.contains(i))
            .collect();
        modules.push(*own);
        let mut bodies = Vec::new();
        for &i in &modules {
            bodies.push(module(&loader.decls[i].file)?);
        }
        packs.push(Pack {
            group: group.clone(),
            data: encode(&modules, &bodies)?,
            modules,
        });
        plan.push((*own, deps.iter().copied().collect()));
    }
    Ok(Packed {
        packs,
        loader,
        needs: plan,
        start: start_pack,
    })
}

/// A pack's bytes: header, then the modules.
pub fn encode(ids: &[usize], bodies: &[Vec<u8>]) -> Result<Vec<u8>> {
    let u32_of = |n: usize| u32::try_from(n).context("a pack larger than 4 GB");
    let mut out =
        Vec::with_capacity(8 + 8 * ids.len() + bodies.iter().map(Vec::len).sum::<usize>());
    out.extend(MAGIC);
    out.extend(u32_of(ids.len())?.to_le_bytes());
    for (id, body) in ids.iter().zip(bodies) {
        out.extend(u32_of(*id)?.to_le_bytes());
        out.extend(u32_of(body.len())?.to_le_bytes());
    }
    for body in bodies {
        out.extend(body);
    }
    Ok(out)
}

/// A pack's modules by id (what the loader's `fetchPack` does, for the tests and checks).
pub fn decode(data: &[u8]) -> Result<Vec<(usize, &[u8])>> {
    let word = |at: usize| -> Result<usize> {
        let b = data.get(at..at + 4).context("a pack cut short")?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    if data.get(..4) != Some(MAGIC.as_slice()) {
        bail!("not a pack");
    }
    let n = word(4)?;
    let mut at = 8 + 8 * n;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (id, len) = (word(8 + 8 * i)?, word(12 + 8 * i)?);
        out.push((id, data.get(at..at + len).context("a pack cut short")?));
        at += len;
    }
    if at != data.len() {
        bail!("a pack with {} bytes after its modules", data.len() - at);
    }
    Ok(out)
}

impl Packed {
    /// The loader's source: wasm-split's preamble (the shared imports, `wrapAsyncCb`), the
    /// pack runtime and one export per group; `urls` are the packs' URLs relative to the loader.
    pub fn loader(&self, urls: &[String]) -> Result<String> {
        if urls.len() != self.packs.len() {
            bail!("{} pack URLs for {} packs", urls.len(), self.packs.len());
        }
        let mut js = self.loader.preamble.clone();
        js.push_str(&format!(
            "const PACKS = {};\nconst START_PACK = {};\n",
            serde_json::to_string(urls)?,
            self.start.map_or(-1, |s| s as i64)
        ));
        js.push_str(LOADER_RUNTIME);
        for (p, (pack, (own, deps))) in self.packs.iter().zip(&self.needs).enumerate() {
            let deps: Vec<String> = deps.iter().map(usize::to_string).collect();
            js.push_str(&format!(
                "export const {LOADER_EXPORT}{} = wrapAsyncCb(loadGroup({p}, {own}, [{}]));\n",
                pack.group,
                deps.join(", ")
            ));
        }
        Ok(js)
    }
}

/// The loader's runtime (after wasm-split's `getSharedImports` and `wrapAsyncCb`): fetch a pack
/// once, instantiate each module once; a failure is not remembered, so the next try starts
/// again (as wasm-split's `makeLoad`). A pack is let go once its group is loaded (its modules
/// are instantiated; the start pack's too, once the start group is).
pub const LOADER_RUNTIME: &str = r#"const fetchedPacks = [];
function fetchPack(p) {
    let got = fetchedPacks[p];
    if (got === undefined) {
        got = fetch(new URL(PACKS[p], import.meta.url))
            .then((r) => {
                if (!r.ok) throw new Error(`forecourt: ${PACKS[p]}: ${r.status}`);
                return r.arrayBuffer();
            })
            .then((buf) => {
                const v = new DataView(buf);
                if (buf.byteLength < 8 || v.getUint32(0, true) !== 0x4b504346) throw new Error(`forecourt: ${PACKS[p]} is not a pack`);
                const n = v.getUint32(4, true);
                const parts = new Map();
                let at = 8 + 8 * n;
                for (let i = 0; i < n; i++) {
                    const len = v.getUint32(12 + 8 * i, true);
                    parts.set(v.getUint32(8 + 8 * i, true), new Uint8Array(buf, at, len));
                    at += len;
                }
                return parts;
            });
        const mine = got;
        mine.catch(() => { if (fetchedPacks[p] === mine) fetchedPacks[p] = undefined; });
        fetchedPacks[p] = got;
    }
    return got;
}
async function moduleBytes(p, id) {
    let bytes = (await fetchPack(p)).get(id);
    if (bytes === undefined && START_PACK >= 0 && p !== START_PACK) bytes = (await fetchPack(START_PACK)).get(id);
    if (bytes === undefined) throw new Error(`forecourt: wasm module ${id} is in no pack`);
    return bytes;
}
const instances = [];
function instantiate(p, id) {
    let done = instances[id];
    if (done === undefined) {
        done = moduleBytes(p, id).then((bytes) => WebAssembly.instantiate(bytes, getSharedImports()));
        const mine = done;
        mine.catch(() => { if (instances[id] === mine) instances[id] = undefined; });
        instances[id] = done;
    }
    return done;
}
function loadGroup(p, own, deps) {
    let loading = undefined;
    return () => {
        if (loading === undefined) {
            const mine = (async () => {
                await Promise.all(deps.map((id) => instantiate(p, id)));
                const done = await instantiate(p, own);
                fetchedPacks[p] = undefined;
                return done;
            })();
            mine.catch(() => { if (loading === mine) loading = undefined; });
            loading = mine;
        }
        return loading;
    };
}
"#;

/// For `cargo xtask size`: each group's pack URL (as the loader writes it, relative to the
/// loader) from a loader [`Packed::loader`] wrote.
pub fn loader_packs(js: &str) -> Result<BTreeMap<String, String>> {
    let urls: Vec<String> = {
        let line = js
            .lines()
            .find_map(|l| l.strip_prefix("const PACKS = "))
            .context("the loader has no `const PACKS = [...]`")?;
        serde_json::from_str(line.trim_end_matches(';')).context("the loader's PACKS")?
    };
    let mut out = BTreeMap::new();
    for line in js.lines() {
        let Some(rest) = line.strip_prefix(&format!("export const {LOADER_EXPORT}")) else {
            continue;
        };
        let (group, rest) = rest
            .split_once(" = wrapAsyncCb(loadGroup(")
            .with_context(|| format!("the loader's line {line:?}"))?;
        let p: usize = rest
            .split(',')
            .next()
            .and_then(|p| p.trim().parse().ok())
            .with_context(|| format!("the loader's line {line:?}"))?;
        let url = urls
            .get(p)
            .with_context(|| format!("the loader's group {group} has no pack {p}"))?;
        out.insert(group.to_string(), url.clone());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOADER: &str = r#"import { initSync } from "./app.js";

let sharedImports = undefined;
function getSharedImports() {
    return sharedImports;
}
function makeLoad(fetcher, deps) {
    return () => {};
}
/* sales_day, sync */
const __chunk_1 = makeLoad(() => {
    const src = fetch(new URL("./chunk_1.wasm", import.meta.url));
    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));
}
, []);
/* admin, sales_day */
const __chunk_2 = makeLoad(() => {
    const src = fetch(new URL("./chunk_2.wasm", import.meta.url));
    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));
}
, []);
export const __wasm_split_load_sync = wrapAsyncCb(makeLoad(() => {
    const src = fetch(new URL("./split_sync.wasm", import.meta.url));
}
, [__chunk_1]));
export const __wasm_split_load_sales_day = wrapAsyncCb(makeLoad(() => {
    const src = fetch(new URL("./split_sales_day.wasm", import.meta.url));
}
, [__chunk_1, __chunk_2]));
export const __wasm_split_load_admin = wrapAsyncCb(makeLoad(() => {
    const src = fetch(new URL("./split_admin.wasm", import.meta.url));
}
, [__chunk_2]));
"#;

    fn body(file: &str) -> Result<Vec<u8>> {
        Ok(file.as_bytes().to_vec())
    }

    #[test]
    fn the_loader_is_taken_apart() {
        let loader = parse_loader(LOADER).unwrap();
        assert!(
            loader.preamble.ends_with("return () => {};\n}\n"),
            "{}",
            loader.preamble
        );
        let names: Vec<_> = loader.decls.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "__chunk_1",
                "__chunk_2",
                "__wasm_split_load_sync",
                "__wasm_split_load_sales_day",
                "__wasm_split_load_admin"
            ]
        );
        assert_eq!(loader.decls[1].file, "./chunk_2.wasm");
        assert_eq!(loader.decls[3].deps, ["__chunk_1", "__chunk_2"]);
        assert_eq!(loader.decls[3].group(), Some("sales_day"));
        assert!(parse_loader("function f() {}\n").is_err());
    }

    #[test]
    fn a_group_pack_holds_what_the_start_group_does_not() {
        let packed = pack(parse_loader(LOADER).unwrap(), body).unwrap();
        let by_group: BTreeMap<_, _> = packed
            .packs
            .iter()
            .map(|p| (p.group.as_str(), p.modules.clone()))
            .collect();
        // ids: 0 chunk_1, 1 chunk_2, 2 sync, 3 sales_day, 4 admin; the group's own module last.
        assert_eq!(by_group["sync"], [0, 2]);
        assert_eq!(
            by_group["sales_day"],
            [1, 3],
            "chunk_1 comes with the start group"
        );
        assert_eq!(
            by_group["admin"],
            [1, 4],
            "chunk_2 is in each pack that needs it"
        );
        let day = packed
            .packs
            .iter()
            .find(|p| p.group == "sales_day")
            .unwrap();
        let parts = decode(&day.data).unwrap();
        assert_eq!(
            parts,
            [
                (1, b"./chunk_2.wasm".as_slice()),
                (3, b"./split_sales_day.wasm".as_slice())
            ]
        );
    }

    #[test]
    fn a_group_loaded_before_the_start_group_has_a_whole_pack() {
        let packed = pack_with(parse_loader(LOADER).unwrap(), body, &["sales_day"]).unwrap();
        let by_group: BTreeMap<_, _> = packed
            .packs
            .iter()
            .map(|p| (p.group.as_str(), p.modules.clone()))
            .collect();
        assert_eq!(by_group["sales_day"], [0, 1, 3], "chunk_1 too");
        assert_eq!(by_group["admin"], [1, 4]);
        assert_eq!(by_group["sync"], [0, 2]);
    }

    #[test]
    fn the_new_loader_names_one_pack_per_group() {
        let packed = pack(parse_loader(LOADER).unwrap(), body).unwrap();
        let urls: Vec<String> = packed
            .packs
            .iter()
            .map(|p| format!("./{}-0123456789abcdef.pack", p.group))
            .collect();
        let js = packed.loader(&urls).unwrap();
        assert!(js.starts_with("import { initSync } from \"./app.js\";"));
        assert!(
            !js.contains("chunk_1.wasm"),
            "no module is fetched on its own"
        );
        assert!(js.contains("function loadGroup("));
        // Every module a group needs is instantiated, its own last.
        let day = packed
            .packs
            .iter()
            .position(|p| p.group == "sales_day")
            .unwrap();
        assert!(js.contains(&format!(
            "export const __wasm_split_load_sales_day = wrapAsyncCb(loadGroup({day}, 3, [0, 1]));"
        )));
        let start = packed.packs.iter().position(|p| p.group == "sync").unwrap();
        assert!(js.contains(&format!("const START_PACK = {start};")));
        let packs = loader_packs(&js).unwrap();
        assert_eq!(packs.len(), 3);
        assert_eq!(packs["admin"], "./admin-0123456789abcdef.pack");
        assert!(packed.loader(&urls[1..]).is_err());
    }

    #[test]
    fn packs_round_trip_and_bad_ones_are_refused() {
        let data = encode(&[7, 2], &[b"abc".to_vec(), Vec::new()]).unwrap();
        assert_eq!(&data[..4], MAGIC);
        assert_eq!(
            decode(&data).unwrap(),
            [(7, b"abc".as_slice()), (2, b"".as_slice())]
        );
        assert!(decode(&data[..data.len() - 1]).is_err());
        assert!(decode(b"WASM\0\0\0\0").is_err());
        let mut longer = data.clone();
        longer.push(0);
        assert!(decode(&longer).is_err());
    }
}
