//! # attest-ledger
//!
//! An append-only, verifiable log of attest documents (docs/spec.md §10,
//! formats.md §8): every submission is verified with the core
//! [`attest_verifier::verify_document`] against the ledger's trust anchor;
//! valid ones are appended to an RFC 9162 Merkle tree whose checkpoints are
//! C2SP signed notes, invalid ones are kept in a `rejected` table and never
//! logged.
//!
//! - [`store`]: the [`store::Store`] trait, its SQLite implementation (the
//!   embedded default) and its PostgreSQL one (several processes, one database);
//! - [`sequencer`]: batching, one transaction per batch with its checkpoint,
//!   acknowledgements only after the commit;
//! - [`tiles`]: C2SP tlog-tiles paths, hash tiles and entry bundles;
//! - [`metrics`]: Prometheus metrics;
//! - [`http`]: the axum API;
//! - [`testing`]: a throwaway PostgreSQL cluster for tests and benchmarks.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod alerts;
pub mod attesto;
pub mod client;
pub mod export;
pub mod hashes;
pub mod http;
pub mod metrics;
pub mod monitor;
pub mod sequencer;
pub mod serve;
pub mod store;
mod store_postgres;
mod store_sqlite;
pub mod tee;
pub mod testing;
pub mod tiles;
pub mod witness;
pub mod witnessing;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use attest_attestor::note::NoteSigner;

use crate::http::{AppState, Verification};
use crate::sequencer::{BatchConfig, SequenceError, Sequencer, Tree};
use crate::store::{PostgresStore, SqliteStore, Store, StoreError};

/// Where the log is stored: `sqlite:PATH` or `postgres://…`.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Database {
    /// An SQLite database file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://` or `postgresql://`).
    Postgres(String),
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Sqlite(p) => write!(f, "Sqlite({})", p.display()),
            // The URL may carry a password.
            Database::Postgres(_) => f.write_str("Postgres(..)"),
        }
    }
}

impl Database {
    /// Parses `sqlite:PATH`, `postgres://…` or `postgresql://…`.
    pub fn parse(s: &str) -> Result<Self, LedgerError> {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            return Ok(Database::Postgres(s.to_string()));
        }
        match s.strip_prefix("sqlite:") {
            Some(p) if !p.is_empty() => Ok(Database::Sqlite(PathBuf::from(p))),
            _ => Err(LedgerError::Database("expected sqlite:PATH or postgres://USER@HOST:PORT/DB".into())),
        }
    }
}

/// Why the ledger could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// The database argument is not understood.
    #[error("database: {0}")]
    Database(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The stored log could not be loaded.
    #[error(transparent)]
    Sequence(#[from] SequenceError),
    /// Listening, serving or the runtime failed.
    #[error("{0}")]
    Io(String),
}

/// Everything `attest ledger serve` configures.
#[derive(Debug)]
pub struct Config {
    /// The database.
    pub database: Database,
    /// The log key under the origin.
    pub signer: NoteSigner,
    /// Verification inputs.
    pub verification: Verification,
    /// Listening address.
    pub listen: SocketAddr,
    /// Batching.
    pub batch: BatchConfig,
    /// Where stream health changes are posted (`--alert-webhook`, http://).
    pub alert_webhook: Option<String>,
    /// How often the stream checks run on the timer.
    pub monitor_interval: std::time::Duration,
    /// TLS (`--tls-cert`, `--tls-key`): `None` serves plain HTTP.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Witnesses to send checkpoints to (`--witness`, `--witness-quorum`); `None`: unwitnessed.
    pub witnessing: Option<witnessing::WitnessingConfig>,
}

/// The stream monitor of a stored log: its heartbeats verified again as a
/// batch (history: a heartbeat's age is the stream checks' concern, not a
/// refusal), the valid ones kept.
fn reload_monitor(
    store: &mut dyn Store,
    verification: &http::Verification,
    tee: &tee::TeeState,
    size: u64,
) -> Result<monitor::StreamMonitor, LedgerError> {
    let windows = verification.evidence.heartbeat_policy.as_ref().map(|p| p.windows()).unwrap_or_default();
    let m = monitor::StreamMonitor::new(windows);
    let now = http::now();
    let trust = http::TrustCache::default().get(verification, now);
    let ctx = attest_verifier::VerifyContext::new(&trust, &verification.evidence, now)
        .with_tee(tee.verifier())
        .with_tee_bindings(tee);
    let mut batch = attest_verifier::batch::BatchVerifier::new();
    let mut start = 0;
    while start < size {
        let rows = store.entries_of_type(attest_verifier::heartbeat::HEARTBEAT_TYPE, start, 4096)?;
        let Some(last) = rows.last().map(|(i, _)| *i) else { break };
        for (_, bytes) in rows {
            if let (_, Some(v)) = batch.verify(&bytes, &ctx).into_parts() {
                if let attest_verifier::Document::Heartbeat(h) = v.into_inner() {
                    let t = h.heartbeat().timestamp();
                    // Received long ago: not counted as late again.
                    m.observe(h, t);
                }
            }
        }
        start = last + 1;
    }
    Ok(m)
}

/// Opens the store of `database` (for `export-tiles` and tests). Blocking.
pub fn open_store(database: &Database) -> Result<Box<dyn Store>, LedgerError> {
    open(database)
}

/// Opens the store. Blocking: never called on an async worker (the
/// PostgreSQL client runs its own small runtime).
fn open(database: &Database) -> Result<Box<dyn Store>, LedgerError> {
    match database {
        Database::Sqlite(p) => Ok(Box::new(SqliteStore::open(p)?)),
        Database::Postgres(url) => Ok(Box::new(PostgresStore::connect(url)?)),
    }
}

/// Runs the ledger until SIGTERM or SIGINT, then stops accepting
/// connections, finishes the requests in flight (their batches are committed
/// and acknowledged) and returns. Prints `listening on http://ADDR` on
/// stdout once the socket is bound.
pub fn serve(config: Config) -> Result<(), LedgerError> {
    let listener = std::net::TcpListener::bind(config.listen)
        .map_err(|e| LedgerError::Io(format!("listen on {}: {e}", config.listen)))?;
    serve_on(config, listener, shutdown_signal())
}

/// Stops a ledger run by [`serve_on`] with the future of [`stop_handle`].
#[derive(Debug)]
pub struct StopHandle(tokio::sync::oneshot::Sender<()>);

impl StopHandle {
    /// Asks the ledger to stop (it finishes the requests in flight).
    pub fn stop(self) {
        let _ = self.0.send(());
    }
}

/// A stop handle and the future to give [`serve_on`] as its `shutdown`.
pub fn stop_handle() -> (StopHandle, impl std::future::Future<Output = ()> + Send + 'static) {
    let (tx, rx) = tokio::sync::oneshot::channel();
    (StopHandle(tx), async {
        let _ = rx.await;
    })
}

/// Runs the ledger on a bound listener until `shutdown` resolves (the
/// in-process form of [`serve`], for benchmarks and embedding); prints the
/// same `listening on` line. `config.listen` is not used.
pub fn serve_on(
    config: Config,
    listener: std::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), LedgerError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| LedgerError::Io(format!("runtime: {e}")))?;
    // Opened and loaded before the runtime runs: both block.
    let mut store = open(&config.database)?;
    let tree = Tree::load(store.as_mut(), &config.signer)?;
    let tee = tee::TeeState::new(config.verification.tee_root_ca.as_deref())
        .map_err(|e| LedgerError::Io(format!("--tee-root-ca: {e}")))?;
    tee.load(store.as_mut())?;
    let monitor = reload_monitor(store.as_mut(), &config.verification, &tee, tree.size())?;
    listener.set_nonblocking(true).map_err(|e| LedgerError::Io(format!("listener: {e}")))?;
    rt.block_on(serve_async(config, store, tree, monitor, tee, listener, shutdown))
}

pub(crate) async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        // No signal handler: run until killed.
        _ => std::future::pending::<()>().await,
    }
}

async fn serve_async(
    config: Config,
    store: Box<dyn Store>,
    tree: Tree,
    monitor: monitor::StreamMonitor,
    tee: tee::TeeState,
    listener: std::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), LedgerError> {
    let origin = config.signer.name().to_string();
    let monitor = Arc::new(monitor);
    let metrics = Arc::new(metrics::Metrics::new());
    metrics.tee_bindings(tee.len());
    let webhook = match &config.alert_webhook {
        Some(u) => Some(client::Base::parse(u).map_err(|e| LedgerError::Io(format!("--alert-webhook {e}")))?),
        None => None,
    };
    // The timer holds no sequencer handle: at shutdown the sequencer drains
    // when the router is gone, and the timer is stopped.
    let timer = tokio::spawn(alerts::run(monitor.clone(), metrics.clone(), webhook, origin, config.monitor_interval));
    let store = Arc::new(Mutex::new(store));
    let tree = Arc::new(RwLock::new(tree));
    let (sequencer, task) = Sequencer::start(store.clone(), tree.clone(), config.signer, config.batch);
    let witnessing = match config.witnessing {
        Some(w) => Some(Arc::new(witnessing::Witnessing::new(w).map_err(LedgerError::Io)?)),
        None => None,
    };
    let witness_task = witnessing.clone().map(|w| tokio::spawn(w.run(tree.clone(), metrics.clone())));
    let state = AppState {
        store,
        tree,
        sequencer,
        verification: Arc::new(config.verification),
        metrics,
        monitor,
        trust: Arc::new(http::TrustCache::default()),
        append_failing: Arc::default(),
        witnessing,
        tee: Arc::new(tee),
    };
    let listener =
        tokio::net::TcpListener::from_std(listener).map_err(|e| LedgerError::Io(format!("listener: {e}")))?;
    let addr = listener.local_addr().map_err(|e| LedgerError::Io(e.to_string()))?;
    let scheme = if config.tls.is_some() { "https" } else { "http" };
    println!("listening on {scheme}://{addr}");
    serve::run(listener, http::router(state), config.tls, shutdown).await;
    timer.abort();
    if let Some(t) = witness_task {
        t.abort();
    }
    // Every handle was in the router: the sequencer drains and ends.
    task.await.map_err(|e| LedgerError::Io(format!("sequencer: {e}")))?;
    Ok(())
}
