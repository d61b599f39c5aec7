//! Command line and environment configuration.

use std::path::PathBuf;

use clap::{Parser, Subcommand, builder::BoolishValueParser};

/// forecourt: the server of the 4S store. Serves the app and its API.
#[derive(Debug, Clone, Parser)]
#[command(name = "forecourt", version, about)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port. (`backup`: the running server's.)
    #[arg(
        long,
        global = true,
        env = "FORECOURT_ADDR",
        default_value = "127.0.0.1:8080"
    )]
    pub addr: String,

    /// Data directory; the database is `<data>/forecourt.redb`. Created if missing.
    #[arg(long, global = true, env = "FORECOURT_DATA", default_value = "./data")]
    pub data: PathBuf,

    /// The built app (`cargo xtask build` writes it to target/site).
    #[arg(long, env = "FORECOURT_SITE", default_value = "target/site")]
    pub site: PathBuf,

    /// Do not create the demo store on an empty data directory.
    #[arg(long, env = "FORECOURT_NO_DEMO", value_parser = BoolishValueParser::new(), default_value_t = false, num_args = 0, default_missing_value = "true")]
    pub no_demo: bool,

    /// Without a command: run the server.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What the binary does besides serving.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Write a consistent copy of the store to FILE (a new file). Works while the server runs:
    /// then the copy is asked of the server at --addr (from this host); otherwise the database
    /// in --data is read directly.
    Backup {
        /// The backup file to write; must not exist.
        #[arg(long)]
        to: PathBuf,
    },
    /// First start of a real store: create the store and its general manager in --data (the
    /// server must not be running; the app's setup page does the same). Refused once the data
    /// directory has a store.
    Setup(SetupArgs),
    /// Restore a backup into an empty data directory (--data); refuses a directory that holds
    /// anything.
    Restore {
        /// A file written by `forecourt backup`.
        file: PathBuf,
    },
}

/// `forecourt setup`.
#[derive(Debug, Clone, clap::Args)]
pub struct SetupArgs {
    /// The store's name, e.g. 东风日产某某4S店.
    #[arg(long)]
    pub store_name: String,
    /// The store's time zone in minutes east of UTC (480 = UTC+8).
    #[arg(long, default_value_t = 480, allow_hyphen_values = true)]
    pub utc_offset_minutes: i32,
    /// The general manager's username.
    #[arg(long)]
    pub gm_username: String,
    /// The general manager's name as shown (default: the username).
    #[arg(long)]
    pub gm_display_name: Option<String>,
    /// A file holding the general manager's password (one line; not on the command line,
    /// where other users of the host could read it).
    #[arg(long)]
    pub gm_password_file: PathBuf,
}

impl Config {
    /// The database file inside the data directory.
    pub fn database_path(&self) -> PathBuf {
        self.data.join("forecourt.redb")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_flags() {
        let c = Config::try_parse_from(["forecourt"]).unwrap();
        assert_eq!(c.addr, "127.0.0.1:8080");
        assert_eq!(c.data, PathBuf::from("./data"));
        assert_eq!(c.site, PathBuf::from("target/site"));
        assert_eq!(c.database_path(), PathBuf::from("./data/forecourt.redb"));
        let c =
            Config::try_parse_from(["forecourt", "--addr", "127.0.0.1:0", "--no-demo"]).unwrap();
        assert_eq!(c.addr, "127.0.0.1:0");
        assert!(c.no_demo);
        assert!(c.command.is_none());
    }

    #[test]
    fn backup_and_restore_commands() {
        let c = Config::try_parse_from(["forecourt", "backup", "--to", "b.redb", "--data", "d"])
            .unwrap();
        assert_eq!(c.data, PathBuf::from("d"));
        assert!(
            matches!(c.command, Some(Command::Backup { to }) if to == std::path::Path::new("b.redb"))
        );
        let c =
            Config::try_parse_from(["forecourt", "restore", "b.redb", "--data", "new"]).unwrap();
        assert_eq!(c.data, PathBuf::from("new"));
        assert!(
            matches!(c.command, Some(Command::Restore { file }) if file == std::path::Path::new("b.redb"))
        );
        assert!(
            Config::try_parse_from(["forecourt", "backup"]).is_err(),
            "--to is required"
        );
        let c = Config::try_parse_from([
            "forecourt",
            "setup",
            "--store-name",
            "东风4S店",
            "--gm-username",
            "boss",
            "--gm-password-file",
            "pw.txt",
            "--utc-offset-minutes",
            "-300",
        ])
        .unwrap();
        let Some(Command::Setup(a)) = c.command else {
            panic!("not setup")
        };
        assert_eq!(
            (
                a.store_name.as_str(),
                a.gm_username.as_str(),
                a.utc_offset_minutes
            ),
            ("东风4S店", "boss", -300)
        );
        assert_eq!(a.gm_display_name, None);
    }
}
