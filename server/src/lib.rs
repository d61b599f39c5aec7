//! forecourt's platform server: configuration, state, the axum router and the startup
//! sequence. `main.rs` only parses the command line and calls [`run`].
//!
//! Layout: one router per resource in [`routes`] (each an `OpenApiRouter` so that its
//! handlers land in the OpenAPI document), storage behind [`store::Store`], auth and the role
//! guards in [`auth`] (called by the handlers; docs/api.md, "Tokens and roles"), JSON errors in
//! [`error`], the built app in [`site`].

pub mod audit;
pub mod auth;
pub mod backup;
pub mod config;
pub mod demo;
pub mod demo_care;
pub mod demo_costs;
pub mod demo_history;
pub mod demo_parts;
pub mod demo_sales;
pub mod demo_service;
pub mod error;
pub mod extract;
pub mod first_start;
pub mod headers;
pub mod import;
pub mod lang;
pub mod metrics;
pub mod ratelimit;
pub mod routes;
/// The A-card import's old path (now [`import`]).
pub use import as sales_import;
pub mod site;
pub mod store;
pub mod tickets;

use std::{
    io::Write,
    net::SocketAddr,
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

use axum::Router;
use tokio::sync::watch;
use tower_http::{
    compression::CompressionLayer,
    trace::{DefaultOnResponse, TraceLayer},
};

pub use config::Config;
pub use error::Error;

use auth::{PasswordCost, PasswordPool};
use metrics::Metrics;
use ratelimit::{LoginLimiter, LoginLimits};
use store::{RedbStore, Store};
use tickets::EventTickets;

/// Knobs of a running server that are not on the command line.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The built app's directory.
    pub site_dir: PathBuf,
    /// argon2 parameters for new password hashes.
    pub password_cost: PasswordCost,
    /// Failed logins allowed per username, per device and per client address within
    /// `login_window` (5, 20, 100).
    pub login_limits: LoginLimits,
    pub login_window: Duration,
    /// How many password hashes or checks run at once (each ~19 MiB).
    pub password_concurrency: usize,
    /// How long a token is valid at most, used or not (30 days).
    pub token_ttl: chrono::Duration,
    /// A token unused this long stops working (12 h: a shared tablet left logged in overnight
    /// asks for the password in the morning).
    pub token_idle: chrono::Duration,
    /// A token's `last_used_at` is written at most this often (1 min).
    pub session_touch_every: chrono::Duration,
    /// How long an event ticket is good for (60 s).
    pub event_ticket_ttl: Duration,
}

impl Settings {
    pub fn new(site_dir: impl Into<PathBuf>) -> Self {
        Settings {
            site_dir: site_dir.into(),
            password_cost: PasswordCost::Default,
            login_limits: LoginLimits::default(),
            login_window: Duration::from_secs(15 * 60),
            password_concurrency: auth::DEFAULT_PASSWORD_CONCURRENCY,
            token_ttl: chrono::Duration::days(30),
            token_idle: chrono::Duration::hours(12),
            session_touch_every: chrono::Duration::minutes(1),
            event_ticket_ttl: tickets::TICKET_TTL,
        }
    }
}

struct Inner {
    store: Arc<dyn Store>,
    settings: Settings,
    started: Instant,
    limiter: LoginLimiter,
    passwords: PasswordPool,
    tickets: EventTickets,
    metrics: Metrics,
    dummy_hash: tokio::sync::OnceCell<String>,
    shutdown_tx: watch::Sender<bool>,
}

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    pub fn new(store: Arc<dyn Store>, settings: Settings) -> Self {
        let (shutdown_tx, _) = watch::channel(false);
        AppState(Arc::new(Inner {
            limiter: LoginLimiter::new(settings.login_limits, settings.login_window),
            passwords: PasswordPool::new(settings.password_concurrency, settings.password_cost),
            tickets: EventTickets::new(settings.event_ticket_ttl),
            metrics: Metrics::default(),
            store,
            settings,
            started: Instant::now(),
            dummy_hash: tokio::sync::OnceCell::new(),
            shutdown_tx,
        }))
    }

    pub fn store(&self) -> &dyn Store {
        self.0.store.as_ref()
    }

    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    pub fn uptime(&self) -> Duration {
        self.0.started.elapsed()
    }

    pub fn login_limiter(&self) -> &LoginLimiter {
        &self.0.limiter
    }

    /// Password hashing and checking, a few at a time.
    pub fn passwords(&self) -> &PasswordPool {
        &self.0.passwords
    }

    /// The event tickets issued and not yet used.
    pub fn event_tickets(&self) -> &EventTickets {
        &self.0.tickets
    }

    /// The counters behind `/metrics`.
    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    /// A password hash that matches nothing, checked for unknown usernames so that they take
    /// as long as wrong passwords.
    pub async fn dummy_password_hash(&self) -> Result<String, Error> {
        self.0
            .dummy_hash
            .get_or_try_init(|| self.0.passwords.hash("forecourt: no such user".into()))
            .await
            .cloned()
    }

    /// Becomes `true` when the server starts shutting down; long-lived responses (event
    /// streams) should end then.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.0.shutdown_tx.subscribe()
    }

    /// Tells long-lived responses to end.
    pub fn begin_shutdown(&self) {
        self.0.shutdown_tx.send_replace(true);
    }
}

/// The whole HTTP surface: `/api/*` (JSON, unknown paths are JSON 404), `/metrics` and the
/// built app; the security headers ([`headers`]) on every response.
pub fn router(state: AppState) -> Router {
    let site = site::service(&state.settings().site_dir);
    let csp = Arc::new(headers::SiteCsp::new(&state.settings().site_dir));
    routes::api_router(state)
        .fallback_service(site)
        .layer(axum::middleware::from_fn(lang::middleware))
        .layer(axum::middleware::from_fn_with_state(
            csp,
            headers::middleware,
        ))
        .layer(CompressionLayer::new())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
}

/// The trace span of a request: method and path, never the query string (it may hold an event
/// ticket or, from an old app, a token) nor any header.
fn request_span<B>(req: &axum::http::Request<B>) -> tracing::Span {
    tracing::info_span!(
        "request",
        method = %req.method(),
        path = %req.uri().path(),
        version = ?req.version(),
    )
}

/// Why the server could not start. `Display` is the one line printed after `forecourt: `.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot listen on {addr}: address already in use")]
    AddrInUse { addr: String },
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error("cannot create data directory {}: {source}", path.display())]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Open(#[from] store::OpenError),
    #[error("cannot create the demo data: {0}")]
    Demo(String),
    #[error("server failed: {0}")]
    Serve(std::io::Error),
    #[error("internal error during startup: {0}")]
    Internal(String),
}

/// Starts the server and runs it until SIGINT or SIGTERM; then stops accepting, lets running
/// requests finish and closes the database.
pub async fn run(config: Config) -> Result<(), StartupError> {
    run_with(config, Settings::new(PathBuf::new()), shutdown_on_signal()).await
}

/// [`run`] with explicit settings (the site directory is taken from `config`) and a custom
/// shutdown trigger.
pub async fn run_with(
    config: Config,
    mut settings: Settings,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), StartupError> {
    let listener = tokio::net::TcpListener::bind(&config.addr)
        .await
        .map_err(|source| {
            if source.kind() == std::io::ErrorKind::AddrInUse {
                StartupError::AddrInUse {
                    addr: config.addr.clone(),
                }
            } else {
                StartupError::Listen {
                    addr: config.addr.clone(),
                    source,
                }
            }
        })?;
    let local = listener
        .local_addr()
        .map_err(|source| StartupError::Listen {
            addr: config.addr.clone(),
            source,
        })?;

    std::fs::create_dir_all(&config.data).map_err(|source| StartupError::DataDir {
        path: config.data.clone(),
        source,
    })?;
    let db_path = config.database_path();
    let redb = {
        let db_path = db_path.clone();
        tokio::task::spawn_blocking(move || RedbStore::open(db_path))
            .await
            .map_err(|e| StartupError::Internal(e.to_string()))??
    };
    tracing::info!(path = %db_path.display(), "database open");
    let store: Arc<dyn Store> = Arc::new(redb.clone());
    match store
        .purge_expired_sessions(chrono::Utc::now(), settings.token_idle)
        .await
    {
        Ok(0) => {}
        Ok(n) => tracing::info!(count = n, "removed expired sessions"),
        Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
    }

    settings.site_dir = config.site.clone();
    if !config.no_demo {
        let created = demo::seed_if_empty(store.as_ref(), settings.password_cost)
            .await
            .map_err(|e| StartupError::Demo(e.to_string()))?;
        if created {
            let started = Instant::now();
            let ops = demo_history::seed_history(store.as_ref(), chrono::Utc::now())
                .await
                .map_err(|e| StartupError::Demo(e.to_string()))?;
            tracing::info!(
                ops,
                ms = started.elapsed().as_millis() as u64,
                "created the demo store (password demo1234) and its sales, service, parts and care history"
            );
        }
    }
    if !config.site.join("index.html").is_file() {
        tracing::warn!(site = %config.site.display(), "the app is not built; run `cargo xtask build`");
    }

    let state = AppState::new(store, settings);
    let app = router(state.clone());

    let mut stdout = std::io::stdout().lock();
    // The e2e harness and xtask wait for exactly this line.
    let _ = writeln!(stdout, "forecourt: listening on http://{local}");
    let _ = stdout.flush();
    drop(stdout);
    tracing::info!(addr = %local, "listening");

    let (stop_tx, mut stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let graceful = {
        let mut stop_rx = stop_rx.clone();
        let state = state.clone();
        async move {
            let _ = stop_rx.wait_for(|s| *s).await;
            tracing::info!("shutting down: no new connections, finishing requests");
            state.begin_shutdown();
        }
    };
    let serve = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(graceful);
    let deadline = async move {
        let _ = stop_rx.wait_for(|s| *s).await;
        tokio::time::sleep(Duration::from_secs(10)).await;
    };
    tokio::select! {
        r = serve => r.map_err(StartupError::Serve)?,
        () = deadline => tracing::warn!("requests still running after 10 s; stopping anyway"),
    }

    drop(state);
    // Blocking storage calls still queued hold the database; give them a moment to finish.
    let mut redb = redb;
    let mut closed = false;
    for _ in 0..50 {
        match redb.close() {
            Ok(()) => {
                closed = true;
                break;
            }
            Err(still_used) => {
                redb = still_used;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    if closed {
        tracing::info!(path = %db_path.display(), "database closed");
    } else {
        tracing::warn!("database still in use after 5 s; it closes when the process exits");
    }
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_on_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("SIGINT received"),
        () = term => tracing::info!("SIGTERM received"),
    }
}
