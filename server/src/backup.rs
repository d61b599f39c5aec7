//! `forecourt backup --to FILE` and `forecourt restore FILE --data DIR` (README, "Backup and
//! restore").
//!
//! A backup is a consistent copy of the database taken in one redb read transaction
//! ([`crate::store::backup_database`]): a snapshot as of one commit, taken while the server
//! keeps serving. redb locks its file, so while a server runs only that server can read it:
//! `backup` then asks the server (`GET /api/backup` from this host); with no server running it
//! reads `--data` directly. `restore` only writes into an empty data directory, after checking
//! that the file is a forecourt database this binary can open.

use std::{
    io::Write,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    path::{Path, PathBuf},
};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{
    Config,
    store::{BackupSummary, OpenError, RedbStore, backup_database, check_backup},
};

/// Why a backup or restore failed. `Display` is the line printed after `forecourt: `.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists; choose a new file")]
    Exists(PathBuf),
    #[error("no database at {0}")]
    NoDatabase(PathBuf),
    #[error("the data directory {0} is not empty; restore only into an empty (or new) directory")]
    NotEmpty(PathBuf),
    #[error("cannot reach the running server at {addr}: {reason}")]
    Server { addr: String, reason: String },
    #[error("{0}")]
    Store(String),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// How the backup was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupVia {
    /// From the database file (no server was running).
    File(BackupSummary),
    /// From the running server.
    Server { bytes: u64 },
}

/// `forecourt backup --to FILE`.
pub async fn backup(config: &Config, to: &Path) -> Result<BackupVia, BackupError> {
    if to.exists() {
        return Err(BackupError::Exists(to.to_path_buf()));
    }
    let db_path = config.database_path();
    if !db_path.is_file() {
        return Err(BackupError::NoDatabase(db_path));
    }
    let direct = {
        let (db_path, to) = (db_path.clone(), to.to_path_buf());
        tokio::task::spawn_blocking(move || -> Result<Option<BackupSummary>, BackupError> {
            let store = match RedbStore::open(&db_path) {
                Ok(s) => s,
                Err(OpenError::InUse(_)) => return Ok(None),
                Err(e) => return Err(BackupError::Store(e.to_string())),
            };
            let summary = backup_database(store.database(), &to)
                .map_err(|e| BackupError::Store(e.to_string()))?;
            Ok(Some(summary))
        })
        .await
        .map_err(|e| BackupError::Store(e.to_string()))??
    };
    match direct {
        Some(summary) => Ok(BackupVia::File(summary)),
        None => from_server(&config.addr, to).await,
    }
}

/// The address to reach a server listening on `addr` from this host.
fn local_target(addr: &str) -> Result<SocketAddr, String> {
    let mut sock: SocketAddr = addr
        .parse()
        .map_err(|e| format!("--addr {addr:?} is not IP:PORT ({e})"))?;
    if sock.ip().is_unspecified() {
        sock.set_ip(match sock.ip() {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
        });
    }
    Ok(sock)
}

/// `GET /api/backup` over HTTP/1.0 (the answer ends when the connection closes), into `to`.
async fn from_server(addr: &str, to: &Path) -> Result<BackupVia, BackupError> {
    let fail = |reason: String| BackupError::Server {
        addr: addr.to_owned(),
        reason,
    };
    let target = local_target(addr).map_err(fail)?;
    let mut conn = tokio::net::TcpStream::connect(target).await.map_err(|e| {
        fail(format!(
            "{e} (the database is in use, so a server should be there)"
        ))
    })?;
    conn.write_all(
        format!("GET /api/backup HTTP/1.0\r\nHost: {target}\r\nAccept: */*\r\n\r\n").as_bytes(),
    )
    .await
    .map_err(|e| fail(e.to_string()))?;

    // The head, up to the empty line.
    let mut head = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let body_start = loop {
        let n = conn.read(&mut buf).await.map_err(|e| fail(e.to_string()))?;
        if n == 0 {
            return Err(fail("the server closed the connection".into()));
        }
        head.extend_from_slice(&buf[..n]);
        if let Some(at) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if head.len() > 64 * 1024 {
            return Err(fail("no end of the response head".into()));
        }
    };
    let status_line =
        String::from_utf8_lossy(&head[..head.iter().position(|&b| b == b'\r').unwrap_or(0)])
            .into_owned();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| fail(format!("unexpected answer {status_line:?}")))?;
    if status != 200 {
        let mut rest = head[body_start..].to_vec();
        let _ = conn.read_to_end(&mut rest).await;
        return Err(fail(format!(
            "{status}: {}",
            String::from_utf8_lossy(&rest).trim()
        )));
    }

    let partial = to.with_extension("partial");
    let mut file = tokio::fs::File::create(&partial)
        .await
        .map_err(io(&partial))?;
    let mut bytes = (head.len() - body_start) as u64;
    file.write_all(&head[body_start..])
        .await
        .map_err(io(&partial))?;
    loop {
        let n = conn.read(&mut buf).await.map_err(|e| fail(e.to_string()))?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        file.write_all(&buf[..n]).await.map_err(io(&partial))?;
    }
    file.sync_all().await.map_err(io(&partial))?;
    drop(file);
    // A cut-off transfer is not a backup.
    let checked = {
        let partial = partial.clone();
        tokio::task::spawn_blocking(move || check_backup(&partial))
            .await
            .map_err(|e| BackupError::Store(e.to_string()))?
    };
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&partial);
        return Err(BackupError::Store(format!(
            "the copy from the server is unusable: {e}"
        )));
    }
    std::fs::rename(&partial, to).map_err(io(to))?;
    Ok(BackupVia::Server { bytes })
}

/// `forecourt restore FILE --data DIR`: checks the backup, then copies it to
/// `DIR/forecourt.redb` (through a temporary name) and opens it once, so that it is ready to
/// serve. Refuses a data directory that holds anything.
pub fn restore(file: &Path, data: &Path) -> Result<PathBuf, BackupError> {
    if data.exists() {
        let mut entries = std::fs::read_dir(data).map_err(io(data))?;
        if entries.next().is_some() {
            return Err(BackupError::NotEmpty(data.to_path_buf()));
        }
    }
    check_backup(file).map_err(|e| BackupError::Store(e.to_string()))?;
    std::fs::create_dir_all(data).map_err(io(data))?;
    let dest = data.join("forecourt.redb");
    let partial = data.join("forecourt.redb.restoring");
    std::fs::copy(file, &partial).map_err(io(&partial))?;
    // Opening brings an older layout up to date and checks the file once more.
    match RedbStore::open(&partial) {
        Ok(store) => {
            if store.close().is_err() {
                return Err(BackupError::Store("the restored file is still open".into()));
            }
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(BackupError::Store(e.to_string()));
        }
    }
    let f = std::fs::File::open(&partial).map_err(io(&partial))?;
    f.sync_all().map_err(io(&partial))?;
    std::fs::rename(&partial, &dest).map_err(io(&dest))?;
    Ok(dest)
}

/// Runs a command of the binary; the line to print on success.
pub async fn run_command(
    config: &Config,
    command: &crate::config::Command,
) -> Result<String, BackupError> {
    match command {
        crate::config::Command::Backup { to } => Ok(match backup(config, to).await? {
            BackupVia::File(s) => format!(
                "backup written to {} ({} bytes, {} entries in {} tables, from {})",
                to.display(),
                s.bytes,
                s.entries,
                s.tables,
                config.database_path().display()
            ),
            BackupVia::Server { bytes } => format!(
                "backup written to {} ({bytes} bytes, from the server at {})",
                to.display(),
                config.addr
            ),
        }),
        crate::config::Command::Restore { file } => {
            let (file, data) = (file.clone(), config.data.clone());
            let dest = tokio::task::spawn_blocking(move || restore(&file, &data))
                .await
                .map_err(|e| BackupError::Store(e.to_string()))??;
            Ok(format!(
                "restored into {}; start the server with --data {}",
                dest.display(),
                config.data.display()
            ))
        }
        crate::config::Command::Setup(args) => crate::first_start::setup_command(config, args)
            .await
            .map_err(BackupError::Store),
    }
}

/// Prints a line on stdout (for `main`).
pub fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "forecourt: {line}");
    let _ = out.flush();
}
