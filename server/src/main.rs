//! The `forecourt` binary: parse the command line, set up logging, run the server.

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    let config = forecourt_server::Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    if let Some(command) = &config.command {
        match forecourt_server::backup::run_command(&config, command).await {
            Ok(line) => forecourt_server::backup::say(&line),
            Err(e) => {
                eprintln!("forecourt: {e}");
                std::process::exit(1);
            }
        }
        return;
    }
    if let Err(e) = forecourt_server::run(config).await {
        eprintln!("forecourt: {e}");
        std::process::exit(1);
    }
}
