//! Small helpers shared by the subcommands.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use std::fs;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

/// The workspace root (the folder holding the top-level Cargo.toml).
///
/// Found at run time (cargo's `CARGO_MANIFEST_DIR`, else the nearest folder
/// above the current one with a workspace Cargo.toml and an `xtask/`), so that
/// a binary built from another checkout sharing this target dir still works
/// on the checkout it is run in.
pub fn root() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR")
        && let Some(parent) = Path::new(&dir).parent()
        && is_root(parent)
    {
        return parent.to_path_buf();
    }
    if let Ok(cwd) = std::env::current_dir()
        && let Some(dir) = cwd.ancestors().find(|d| is_root(d))
    {
        return dir.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one folder below the workspace root")
        .to_path_buf()
}

fn is_root(dir: &Path) -> bool {
    dir.join("xtask").join("Cargo.toml").is_file()
        && std::fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|t| t.contains("[workspace]"))
}

/// Cargo's target directory (honours `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                root().join(dir)
            }
        }
        None => root().join("target"),
    }
}

/// `target/site/`, where `build` writes the app.
pub fn site_dir() -> PathBuf {
    // Several people building and testing in one checkout each keep their own site.
    match std::env::var_os("FORECOURT_SITE_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => target_dir().join("site"),
    }
}

/// A `cargo` command run from the workspace root, using the cargo that runs us.
pub fn cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root());
    cmd
}

/// Runs a command with inherited stdio; fails if it cannot start or exits non-zero.
pub fn run(cmd: &mut Command) -> Result<()> {
    let shown = show(cmd);
    println!("$ {shown}");
    let _ = std::io::stdout().flush();
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

/// Runs a command and returns its stdout; fails if it exits non-zero.
pub fn output(cmd: &mut Command) -> Result<String> {
    let shown = show(cmd);
    let out = cmd
        .output()
        .with_context(|| format!("could not start `{shown}`"))?;
    if !out.status.success() {
        bail!(
            "`{shown}` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The command line as a human would type it.
pub fn show(cmd: &Command) -> String {
    let program = Path::new(cmd.get_program());
    // `/root/.rustup/toolchains/…/bin/cargo` reads better as `cargo`.
    let program = match program.file_name() {
        Some(name) if name == "cargo" => name,
        _ => program.as_os_str(),
    };
    let mut parts = vec![program.to_string_lossy().into_owned()];
    parts.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    parts.join(" ")
}

/// 16 lowercase hex digits of the SHA-256 of `parts`, hashed in order.
pub fn hash16<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        // Length-prefix each part so that ("ab", "c") and ("a", "bc") differ.
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let digest = hasher.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir =
            std::env::temp_dir().join(format!("forecourt-{tag}-{}-{nanos}", std::process::id()));
        fs::create_dir_all(&dir)?;
        Ok(Self(dir))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// `12345` → `"12.1 KB"` (1 KB = 1024 bytes).
pub fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

/// Whether the wasm target is installed; installs it with rustup if not.
pub fn ensure_wasm_target() -> Result<()> {
    const TARGET: &str = "wasm32-unknown-unknown";
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))
        .context("rustup is needed to check for the wasm32-unknown-unknown target")?;
    if installed.lines().any(|l| l.trim() == TARGET) {
        return Ok(());
    }
    println!("xtask: the {TARGET} target is missing; installing it with rustup");
    run(Command::new("rustup").args(["target", "add", TARGET])).with_context(|| {
        format!("could not install the {TARGET} target (`rustup target add {TARGET}`)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash16_is_16_lowercase_hex_and_depends_on_content() {
        let a = hash16([b"hello".as_slice()]);
        let b = hash16([b"hellp".as_slice()]);
        assert_eq!(a.len(), 16);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(a, b);
        assert_eq!(a, hash16([b"hello".as_slice()]));
        assert_ne!(
            hash16([b"ab".as_slice(), b"c".as_slice()]),
            hash16([b"a".as_slice(), b"bc".as_slice()])
        );
    }
}
