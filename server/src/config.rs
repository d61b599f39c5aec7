//! Command line and environment configuration.

use std::path::PathBuf;

use clap::{Parser, builder::BoolishValueParser};

/// forecourt: the server of the 4S store. Serves the app and its API.
#[derive(Debug, Clone, Parser)]
#[command(name = "forecourt", version, about)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "FORECOURT_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,

    /// Data directory; the database is `<data>/forecourt.redb`. Created if missing.
    #[arg(long, env = "FORECOURT_DATA", default_value = "./data")]
    pub data: PathBuf,

    /// The built app (`cargo xtask build` writes it to target/site).
    #[arg(long, env = "FORECOURT_SITE", default_value = "target/site")]
    pub site: PathBuf,

    /// Do not create the demo store on an empty data directory.
    #[arg(long, env = "FORECOURT_NO_DEMO", value_parser = BoolishValueParser::new(), default_value_t = false, num_args = 0, default_missing_value = "true")]
    pub no_demo: bool,
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
    }
}
