//! The build's cache: the outputs of wasm-split, wasm-bindgen, wasm-opt and the compression,
//! kept under `<target>/xtask/cache/<kind>/` by a hash of everything they depend on (the input's
//! bytes, the tool's version, its flags), so that `cargo xtask build` on an unchanged tree only
//! hashes and copies.
//!
//! An entry is written under a temporary name and renamed into place, so an interrupted build
//! never leaves half an entry; an entry found is used as it is. Each use refreshes the entry's
//! modification time, and [`Cache::prune`] removes the least recently used beyond a count.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use crate::util;

/// One kind of cached output (`split`, `bindgen`, `opt`, `compress`).
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache of `kind` under the target dir.
    pub fn new(kind: &str) -> Result<Self> {
        Self::at(util::target_dir().join("xtask").join("cache").join(kind))
    }

    /// A cache in `dir` (tests).
    pub fn at(dir: PathBuf) -> Result<Self> {
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Cache { dir })
    }

    /// The cached file `key` (with its extension), if there is one.
    pub fn file(&self, key: &str) -> Option<PathBuf> {
        let path = self.dir.join(key);
        path.is_file().then(|| {
            touch(&path);
            path
        })
    }

    /// The bytes of the cached file `key`, making them with `make` if it is not cached yet.
    /// Returns them and whether they came from the cache.
    pub fn file_or(
        &self,
        key: &str,
        make: impl FnOnce() -> Result<Vec<u8>>,
    ) -> Result<(Vec<u8>, bool)> {
        if let Some(path) = self.file(key)
            && let Ok(data) = fs::read(&path)
        {
            return Ok((data, true));
        }
        let data = make()?;
        self.put(key, &data)?;
        Ok((data, false))
    }

    /// Stores `data` as the file `key`.
    pub fn put(&self, key: &str, data: &[u8]) -> Result<()> {
        let path = self.dir.join(key);
        let tmp = self.tmp_path(key);
        fs::write(&tmp, data).with_context(|| format!("writing {}", tmp.display()))?;
        fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))
    }

    /// The cached directory `key`, making it with `make` (which fills the empty directory it is
    /// given) if it is not cached yet. Returns its path and whether it came from the cache.
    pub fn dir_or(
        &self,
        key: &str,
        make: impl FnOnce(&Path) -> Result<()>,
    ) -> Result<(PathBuf, bool)> {
        let path = self.dir.join(key);
        if path.is_dir() {
            touch(&path);
            return Ok((path, true));
        }
        let tmp = self.tmp_path(key);
        fs::create_dir_all(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        let made = make(&tmp);
        if made.is_err() {
            let _ = fs::remove_dir_all(&tmp);
        }
        made?;
        if let Err(e) = fs::rename(&tmp, &path) {
            // Someone else's build put the same entry there first: it is as good as ours.
            let _ = fs::remove_dir_all(&tmp);
            if !path.is_dir() {
                return Err(e).with_context(|| format!("writing {}", path.display()));
            }
        }
        Ok((path, false))
    }

    /// A temporary name beside the entry `key`, unique to this process.
    fn tmp_path(&self, key: &str) -> PathBuf {
        self.dir.join(format!(".{key}.{}.tmp", std::process::id()))
    }

    /// Removes all but the `keep` most recently used entries (and stale temporary ones).
    pub fn prune(&self, keep: usize) -> Result<()> {
        let mut entries = Vec::new();
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            let path = entry.path();
            let is_tmp = entry.file_name().to_string_lossy().ends_with(".tmp");
            let used = entry
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(SystemTime::UNIX_EPOCH);
            if is_tmp {
                // Another build may be writing it right now; only clear old ones.
                if used.elapsed().is_ok_and(|age| age.as_secs() > 3600) {
                    remove(&path);
                }
                continue;
            }
            entries.push((used, path));
        }
        entries.sort_by_key(|e| std::cmp::Reverse(e.0));
        for (_, path) in entries.into_iter().skip(keep) {
            remove(&path);
        }
        Ok(())
    }
}

/// The key of what depends on `parts`: 32 lowercase hex digits of their SHA-256 (each part
/// length-prefixed, so that ("ab", "c") and ("a", "bc") differ).
pub fn key<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Marks an entry as just used (best effort: a failure only makes it pruned sooner).
fn touch(path: &Path) {
    if let Ok(file) = fs::File::open(path) {
        let _ = file.set_modified(SystemTime::now());
    }
}

fn remove(path: &Path) {
    let _ = if path.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-cache-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn keys_depend_on_every_part_and_its_bounds() {
        let k = key([b"a".as_slice(), b"bc".as_slice()]);
        assert_eq!(k.len(), 32);
        assert!(k.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
        assert_eq!(k, key([b"a".as_slice(), b"bc".as_slice()]));
        assert_ne!(k, key([b"ab".as_slice(), b"c".as_slice()]));
        assert_ne!(k, key([b"a".as_slice(), b"bd".as_slice()]));
    }

    #[test]
    fn a_file_is_made_once_then_read_back() {
        let dir = temp("file");
        let cache = Cache::at(dir.clone()).unwrap();
        let mut made = 0;
        let mut make = || {
            made += 1;
            Ok(b"output".to_vec())
        };
        assert_eq!(
            cache.file_or("k1.wasm", &mut make).unwrap(),
            (b"output".to_vec(), false)
        );
        assert_eq!(
            cache.file_or("k1.wasm", &mut make).unwrap(),
            (b"output".to_vec(), true)
        );
        assert_eq!(made, 1);
        assert!(cache.file("k2.wasm").is_none());
        // A failing step caches nothing.
        assert!(
            cache
                .file_or("k3.wasm", || anyhow::bail!("tool failed"))
                .is_err()
        );
        assert!(cache.file("k3.wasm").is_none());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_directory_is_made_once_and_a_failed_one_leaves_nothing() {
        let dir = temp("dir");
        let cache = Cache::at(dir.clone()).unwrap();
        let (path, hit) = cache
            .dir_or("split1", |d| Ok(fs::write(d.join("main.wasm"), "m")?))
            .unwrap();
        assert!(!hit);
        assert_eq!(fs::read(path.join("main.wasm")).unwrap(), b"m");
        let (again, hit) = cache
            .dir_or("split1", |_| panic!("must not run again"))
            .unwrap();
        assert!(hit);
        assert_eq!(again, path);
        assert!(
            cache
                .dir_or("split2", |d| {
                    fs::write(d.join("half"), "x")?;
                    anyhow::bail!("tool failed")
                })
                .is_err()
        );
        let left: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, ["split1"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn prune_keeps_the_most_recently_used() {
        let dir = temp("prune");
        let cache = Cache::at(dir.clone()).unwrap();
        let old = SystemTime::now() - std::time::Duration::from_secs(100);
        for (i, name) in ["a", "b", "c", "d"].iter().enumerate() {
            cache.put(name, b"x").unwrap();
            let f = fs::File::open(dir.join(name)).unwrap();
            f.set_modified(old + std::time::Duration::from_secs(i as u64))
                .unwrap();
        }
        // Using "a" makes it the most recent.
        assert!(cache.file("a").is_some());
        cache.prune(2).unwrap();
        let mut left: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["a", "d"]);
        fs::remove_dir_all(&dir).unwrap();
    }
}
