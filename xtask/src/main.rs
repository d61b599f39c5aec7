//! Project automation: `cargo xtask build | run | test | e2e | size | measure | bench-sync |
//! bench-device | lighthouse`.
//!
//! `cargo xtask` is an alias (see `.cargo/config.toml`) for
//! `cargo run --quiet --package xtask --`.

mod bench_device;
mod bench_sync;
mod budget;
mod build;
mod cache;
mod compress;
mod e2e;
mod lighthouse;
mod measure;
mod pack;
mod size;
mod test;
mod util;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "forecourt project automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the app (wasm, js, css, index.html, sw.js, and a .br and .gz of each) into
    /// target/site/; wasm-split, wasm-bindgen, wasm-opt and the compression are cached.
    Build,
    /// Build the site and the server (release) and run the server on it.
    ///
    /// Arguments after `--` go to the server, e.g.
    /// `cargo xtask run -- --addr 0.0.0.0:8080 --data /srv/forecourt`.
    Run {
        /// Arguments passed on to `forecourt`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        server_args: Vec<String>,
    },
    /// Run every check and test non-interactively, installing what is missing
    /// (wasm target, chromium, chromedriver). The e2e test files run `FORECOURT_E2E_JOBS`
    /// (default 2) at a time.
    Test,
    /// Only the end-to-end tests of `test`, on the built site (`cargo xtask build` first) and the
    /// debug server (built if needed) or `FORECOURT_BIN`; `FORECOURT_E2E_JOBS` files at a time.
    E2e,
    /// Measure what the server sends of the built site (Accept-Encoding: br): the initial
    /// download and each page group's first visit, checked against xtask/src/budget.rs.
    /// Uses the debug server (built if needed) or `FORECOURT_BIN`.
    Size,
    /// Measure server start time, idle memory and the download size; prints
    /// a Markdown table for BENCHMARKS.md.
    Measure {
        /// How many server starts to time.
        #[arg(long, default_value_t = 7)]
        runs: usize,
    },
    /// The sync benchmark (issue 4): push, pull, 100 devices at once and a
    /// first sync of 100,000 records, on forecourt and on pouchdb-server;
    /// prints a Markdown table for BENCHMARKS.md. Not part of `test`.
    BenchSync {
        /// Scale everything down 10× (a smoke run).
        #[arg(long)]
        quick: bool,
    },
    /// The device benchmark (issue 14): a generated store (A-cards, C-cards with vehicles,
    /// visits, care tasks) and a new tablet's first sync as the sales manager in headless
    /// chromium; prints a Markdown table for BENCHMARKS.md. Not part of `test`.
    BenchDevice {
        /// How many records to generate (default 100,000).
        #[arg(long)]
        records: Option<usize>,
        /// 10,000 records (a smoke run).
        #[arg(long)]
        quick: bool,
        /// Use the release server (built if needed) instead of the debug one.
        #[arg(long)]
        release: bool,
        /// Whose tablet: `manager` (the sales manager, the whole store) or `consultant`.
        #[arg(long = "as", default_value = "manager")]
        who: String,
    },
    /// Lighthouse (mobile: slow 4G, 4× CPU) on /login and on a logged-in consultant's Today,
    /// in headless chromium against the server with the demo store; prints the scores and
    /// metrics (installs the pinned lighthouse from npm into target/tools). Not part of `test`.
    Lighthouse {
        /// How many runs of each page (the table shows the median).
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build => build::build().map(|_| ()),
        Command::Run { server_args } => build::run(&server_args),
        Command::Test => test::test(),
        Command::E2e => e2e::e2e(),
        Command::Size => size::size(),
        Command::Measure { runs } => measure::measure(runs),
        Command::BenchSync { quick } => bench_sync::bench_sync(quick),
        Command::BenchDevice {
            records,
            quick,
            release,
            who,
        } => bench_device::bench_device(bench_device::records(records, quick), release, &who),
        Command::Lighthouse { runs } => lighthouse::lighthouse(runs),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server_args(argv: &[&str]) -> Vec<String> {
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Run { server_args } => server_args,
            _ => panic!("not run"),
        }
    }

    #[test]
    fn run_passes_the_rest_to_the_server() {
        assert!(server_args(&["xtask", "run"]).is_empty());
        assert_eq!(
            server_args(&["xtask", "run", "--", "--addr", "0.0.0.0:8080", "--no-demo"]),
            ["--addr", "0.0.0.0:8080", "--no-demo"]
        );
        assert_eq!(
            server_args(&["xtask", "run", "--data", "/srv/forecourt"]),
            ["--data", "/srv/forecourt"]
        );
    }
}
