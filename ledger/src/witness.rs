//! The witness (`attest witness serve`, formats.md §9, docs/spec.md §11.4):
//! C2SP tlog-witness v1 over HTTP, answering with C2SP tlog-cosignature v1
//! Ed25519 lines, keeping the whole latest signed checkpoint of every log it
//! witnesses in SQLite, and keeping proof of any split view it is shown as
//! `attest.fork-evidence.v1`.
//!
//! # Endpoints
//!
//! - `POST /add-checkpoint`: body `old N\n`, up to 63 base64 consistency-proof
//!   lines, an empty line, the signed checkpoint. Answers, in this order:
//!   400 (malformed body, note or checkpoint), 404 (origin of no `--log`
//!   key), 403 (no signature of a `--log` key for the origin verifies), 400
//!   (old size above the checkpoint's), 409 with `text/x.tlog.size` and the
//!   latest cosigned size (old size is not it; or the same size with another
//!   root), 422 (a size-0 checkpoint without the empty-tree root, a proof
//!   with old size 0 or with old = new size, or a proof that does not
//!   verify), 200 with one cosignature line.
//! - `GET /{sha256(origin) hex}/checkpoint`: the latest cosigned checkpoint:
//!   its text, the log signature that verified, and the witness's
//!   cosignature (404 for an origin never cosigned).
//! - `GET /v1/forks`: the fork evidence kept, `{"forks": [evidence…]}`.
//! - `GET /metrics` (OpenMetrics), `GET /healthz`.
//!
//! # Atomicity
//!
//! The check against the stored state and the write of the new state are one
//! `BEGIN IMMEDIATE` SQLite transaction under one connection mutex, and the
//! answer is sent only after the commit (`synchronous=FULL`): two requests
//! for one origin never both pass the check against the same state, so two
//! roots of one size are never cosigned, by one process or by several on one
//! database file.
//!
//! # Fork evidence
//!
//! A log-signed checkpoint of the stored size with another root, or a
//! consistency proof from the stored checkpoint whose computation yields the
//! submitted root as the new root and another old root (RFC 9162
//! §2.1.4.2), proves that the log signed two views. The witness builds the
//! evidence with the verifier's own `fork` check
//! ([`attest_attestor::fork::ForkEvidenceDraft::build`]), signs it as its
//! reporter (its key, over `M(evidence)`), keeps it once per pair of
//! checkpoints and counts it in `attest_witness_forks_total`. The request is
//! answered as the protocol says (409 or 422); nothing is cosigned.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use attest_attestor::fork::{sign_reported, ForkEvidenceDraft};
use attest_attestor::keys::Ed25519Signer;
use attest_attestor::note::CosignatureSigner;
use attest_verifier::checkpoint::{self, Checkpoint, Note, VerifierKey};
use attest_verifier::merkle;
use attest_verifier::types::{Ed25519Signature, Sha256Digest};
use attest_verifier::Timestamp;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use sha2::{Digest as _, Sha256};

use crate::LedgerError;

/// The largest `add-checkpoint` body: a largest note, the old-size line and 63 proof lines.
pub const MAX_ADD_CHECKPOINT_BYTES: usize = checkpoint::MAX_NOTE_BYTES + 64 * 46;

/// The content type of a 409's body.
pub const SIZE_CONTENT_TYPE: &str = "text/x.tlog.size";

/// What the witness answers to one `add-checkpoint`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AddOutcome {
    /// 200: the cosignature line.
    Cosigned(String),
    /// 400: what is malformed.
    BadRequest(String),
    /// 404: the origin of no configured log.
    UnknownOrigin(String),
    /// 403: no configured key's signature verifies.
    Forbidden(String),
    /// 409: the latest cosigned size; `fork` when the request proved a split view.
    Conflict {
        /// The latest cosigned size.
        size: u64,
        /// Fork evidence was kept.
        fork: bool,
    },
    /// 422: what does not verify; `fork` when the proof proved a split view.
    Unprocessable {
        /// The problem.
        problem: String,
        /// Fork evidence was kept.
        fork: bool,
    },
    /// 500: storage failed; nothing was cosigned.
    Internal(String),
}

impl AddOutcome {
    /// The HTTP status code.
    pub fn status(&self) -> StatusCode {
        match self {
            AddOutcome::Cosigned(_) => StatusCode::OK,
            AddOutcome::BadRequest(_) => StatusCode::BAD_REQUEST,
            AddOutcome::UnknownOrigin(_) => StatusCode::NOT_FOUND,
            AddOutcome::Forbidden(_) => StatusCode::FORBIDDEN,
            AddOutcome::Conflict { .. } => StatusCode::CONFLICT,
            AddOutcome::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AddOutcome::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AddOutcome {
    fn into_response(self) -> Response {
        let status = self.status();
        match self {
            AddOutcome::Cosigned(line) => (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], line),
            AddOutcome::Conflict { size, .. } => {
                (status, [(header::CONTENT_TYPE, SIZE_CONTENT_TYPE)], format!("{size}\n"))
            }
            AddOutcome::BadRequest(m)
            | AddOutcome::UnknownOrigin(m)
            | AddOutcome::Forbidden(m)
            | AddOutcome::Unprocessable { problem: m, .. }
            | AddOutcome::Internal(m) => {
                (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{m}\n"))
            }
        }
        .into_response()
    }
}

/// A parsed `add-checkpoint` body.
#[derive(Debug)]
struct Request {
    old: u64,
    proof: Vec<Sha256Digest>,
    /// The signed checkpoint, verbatim.
    note_text: String,
    note: Note,
}

/// An `add-checkpoint` request body: `old N`, the proof lines, an empty
/// line, the signed checkpoint (what [`Witness::add_checkpoint`] parses).
pub fn add_checkpoint_body(old: u64, proof: &[Sha256Digest], note: &str) -> String {
    let mut b = format!("old {old}\n");
    for h in proof {
        b.push_str(&h.to_base64());
        b.push('\n');
    }
    b.push('\n');
    b.push_str(note);
    b
}

fn parse_request(body: &[u8]) -> Result<Request, String> {
    if body.len() > MAX_ADD_CHECKPOINT_BYTES {
        return Err(format!("body of {} bytes, more than {MAX_ADD_CHECKPOINT_BYTES}", body.len()));
    }
    let text = core::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_string())?;
    let (head, note_text) = text.split_once("\n\n").ok_or("no empty line before the checkpoint")?;
    let mut lines = head.split('\n');
    let old = lines
        .next()
        .and_then(|l| l.strip_prefix("old "))
        .and_then(checkpoint::parse_decimal)
        .ok_or("the first line is not `old <decimal>`")?;
    let mut proof = Vec::new();
    for l in lines {
        if proof.len() == 63 {
            return Err("more than 63 consistency proof lines".into());
        }
        let h = Sha256Digest::from_base64(l).map_err(|_| "a proof line is not canonical base64 of a 32-byte hash")?;
        proof.push(h);
    }
    let note = checkpoint::parse_note(note_text.as_bytes()).map_err(|e| format!("checkpoint: {e}"))?;
    Ok(Request { old, proof, note_text: note_text.to_string(), note })
}

/// The witness's metrics (`attest_witness_*`).
#[derive(Debug)]
struct WitnessMetrics {
    registry: Registry,
    requests: Family<Vec<(String, String)>, Counter>,
    forks: Counter,
    size: Family<Vec<(String, String)>, Gauge>,
    latency: Histogram,
}

impl WitnessMetrics {
    fn new() -> Self {
        let mut registry = Registry::with_prefix("attest_witness");
        let requests = Family::default();
        let forks = Counter::default();
        let size = Family::default();
        // 0.1 ms to about 3 s.
        let latency = Histogram::new(exponential_buckets(0.0001, 2.0, 15));
        registry.register("add_checkpoint", "add-checkpoint requests, by status code", requests.clone());
        registry.register("forks", "Split views proven to this witness and kept as fork evidence", forks.clone());
        registry.register("cosigned_size", "Tree size of the latest cosigned checkpoint, by origin", size.clone());
        registry.register(
            "add_checkpoint_seconds",
            "Time to answer add-checkpoint (parse, verify, commit, cosign)",
            latency.clone(),
        );
        Self { registry, requests, forks, size, latency }
    }
}

/// The stored state of one log.
#[derive(Debug)]
struct Head {
    size: u64,
    root: Sha256Digest,
    /// The signed checkpoint as submitted.
    note: String,
}

/// A witness: its keys, the logs it witnesses, its database.
#[derive(Debug)]
pub struct Witness {
    conn: Mutex<Connection>,
    signer: CosignatureSigner,
    reporter: Ed25519Signer,
    logs: Vec<VerifierKey>,
    metrics: WitnessMetrics,
}

fn db_err(e: rusqlite::Error) -> String {
    format!("database: {e}")
}

fn origin_hash(origin: &str) -> String {
    hex::encode(Sha256::digest(origin.as_bytes()))
}

impl Witness {
    /// Opens (creating if missing) the witness database at `path`.
    /// `signer` cosigns; `reporter` (the same key) signs fork evidence;
    /// `logs` are the log keys witnessed (origin = key name).
    pub fn open(
        path: &Path,
        signer: CosignatureSigner,
        reporter: Ed25519Signer,
        logs: Vec<VerifierKey>,
    ) -> Result<Self, LedgerError> {
        let e = |e: rusqlite::Error| LedgerError::Database(format!("{}: {e}", path.display()));
        let conn = Connection::open(path).map_err(e)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(e)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(e)?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(e)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS witness_heads (
                 origin TEXT PRIMARY KEY,
                 size INTEGER NOT NULL,
                 root BLOB NOT NULL,
                 note TEXT NOT NULL,
                 cosigned TEXT NOT NULL,
                 origin_hash TEXT NOT NULL UNIQUE,
                 updated_at INTEGER NOT NULL);
             CREATE TABLE IF NOT EXISTS witness_forks (
                 id INTEGER PRIMARY KEY AUTOINCREMENT,
                 origin TEXT NOT NULL,
                 pair BLOB NOT NULL UNIQUE,
                 detected_at TEXT NOT NULL,
                 evidence TEXT NOT NULL);",
        )
        .map_err(e)?;
        let metrics = WitnessMetrics::new();
        {
            let mut stmt = conn.prepare("SELECT origin, size FROM witness_heads").map_err(e)?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).map_err(e)?;
            for row in rows {
                let (origin, size) = row.map_err(e)?;
                metrics.size.get_or_create(&vec![("origin".into(), origin)]).set(size);
            }
            let forks: i64 = conn.query_row("SELECT COUNT(*) FROM witness_forks", [], |r| r.get(0)).map_err(e)?;
            metrics.forks.inc_by(u64::try_from(forks).unwrap_or(0));
        }
        Ok(Self { conn: Mutex::new(conn), signer, reporter, logs, metrics })
    }

    /// The cosigner key (for policies: `attest witness key`).
    pub fn cosigner(&self) -> &CosignatureSigner {
        &self.signer
    }

    /// Handles one `add-checkpoint` body at `now`: verify, check against the
    /// stored state and persist atomically, then cosign.
    pub fn add_checkpoint(&self, body: &[u8], now: Timestamp) -> AddOutcome {
        let started = Instant::now();
        let out = self.add(body, now);
        let code = out.status().as_u16().to_string();
        self.metrics.requests.get_or_create(&vec![("code".into(), code)]).inc();
        self.metrics.latency.observe(started.elapsed().as_secs_f64());
        out
    }

    fn add(&self, body: &[u8], now: Timestamp) -> AddOutcome {
        let req = match parse_request(body) {
            Ok(r) => r,
            Err(m) => return AddOutcome::BadRequest(m),
        };
        let origin = req.note.text().split('\n').next().unwrap_or_default().to_string();
        let keys: Vec<&VerifierKey> = self.logs.iter().filter(|k| k.name() == origin).collect();
        if keys.is_empty() {
            return AddOutcome::UnknownOrigin(format!("unknown origin {origin:?}"));
        }
        // Every configured key of the origin whose line verifies (unknown lines ignored).
        let verified: Vec<&VerifierKey> =
            keys.iter().copied().filter(|k| checkpoint::verify_parsed_note(&req.note, k).is_ok()).collect();
        let Some(&log_key) = verified.first() else {
            return AddOutcome::Forbidden(format!("no signature of a trusted key for {origin:?} verifies"));
        };
        let cp = match Checkpoint::parse(req.note.text()) {
            Ok(c) => c,
            Err(e) => return AddOutcome::BadRequest(format!("checkpoint: {e}")),
        };
        if req.old > cp.size() {
            return AddOutcome::BadRequest(format!("old size {} above the checkpoint size {}", req.old, cp.size()));
        }
        if cp.size() == 0 && cp.root() != merkle::EMPTY_TREE_HASH {
            return AddOutcome::Unprocessable {
                problem: "a checkpoint of size 0 must carry the empty tree's root".into(),
                fork: false,
            };
        }
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
            Ok(t) => t,
            Err(e) => return AddOutcome::Internal(db_err(e)),
        };
        let head = match load_head(&tx, &origin) {
            Ok(h) => h,
            Err(e) => return AddOutcome::Internal(db_err(e)),
        };
        let (w_size, w_root) = head.as_ref().map(|h| (h.size, h.root)).unwrap_or((0, merkle::EMPTY_TREE_HASH));
        // Outcome of the checks against the stored head; Ok(()) cosigns.
        let checked: Result<(), AddOutcome> = (|| {
            if let Some(h) = &head {
                if cp.size() == h.size && cp.root() != h.root {
                    let fork = self.keep_fork(&tx, log_key, &h.note, &req.note_text, &[], now);
                    return Err(AddOutcome::Conflict { size: h.size, fork });
                }
            }
            if req.old != w_size {
                return Err(AddOutcome::Conflict { size: w_size, fork: false });
            }
            if (req.old == 0 || req.old == cp.size()) && !req.proof.is_empty() {
                return Err(AddOutcome::Unprocessable {
                    problem: "the consistency proof must be empty for an old size of 0 or of the checkpoint's size"
                        .into(),
                    fork: false,
                });
            }
            if req.old == 0 || req.old == cp.size() {
                return Ok(());
            }
            match merkle::verify_consistency(req.old, cp.size(), &w_root, &cp.root(), &req.proof) {
                Ok(()) => Ok(()),
                Err(e) => {
                    let roots = merkle::consistency_proof_roots(req.old, cp.size(), &w_root, &req.proof);
                    let proves = matches!(roots, Ok(r) if r.new_root() == cp.root() && r.old_root() != w_root);
                    let fork = match (&head, proves) {
                        (Some(h), true) => self.keep_fork(&tx, log_key, &h.note, &req.note_text, &req.proof, now),
                        _ => false,
                    };
                    Err(AddOutcome::Unprocessable { problem: format!("consistency proof: {e}"), fork })
                }
            }
        })();
        if let Err(out) = checked {
            // Fork evidence (if any) is committed; the head is unchanged.
            if let Err(e) = tx.commit() {
                return AddOutcome::Internal(db_err(e));
            }
            return out;
        }
        let ts = u64::try_from(now.unix_seconds()).unwrap_or(0);
        let line = match self.signer.cosign(req.note.text(), ts) {
            Ok(l) => l,
            Err(e) => return AddOutcome::Internal(format!("cosign: {e}")),
        };
        let cosigned = cosigned_note(&req.note, &verified, &line);
        let stored = tx.execute(
            "INSERT INTO witness_heads (origin, size, root, note, cosigned, origin_hash, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(origin) DO UPDATE SET size = ?2, root = ?3, note = ?4, cosigned = ?5, updated_at = ?7",
            params![
                origin,
                i64::try_from(cp.size()).unwrap_or(i64::MAX),
                cp.root().as_bytes().to_vec(),
                req.note_text,
                cosigned,
                origin_hash(&origin),
                now.unix_seconds()
            ],
        );
        if let Err(e) = stored.and_then(|_| tx.commit()) {
            return AddOutcome::Internal(db_err(e));
        }
        self.metrics
            .size
            .get_or_create(&vec![("origin".into(), origin)])
            .set(i64::try_from(cp.size()).unwrap_or(i64::MAX));
        AddOutcome::Cosigned(line)
    }

    /// Builds, signs and keeps fork evidence (once per pair of notes);
    /// whether evidence that the verifier accepts was kept.
    fn keep_fork(
        &self,
        tx: &rusqlite::Transaction<'_>,
        log_key: &VerifierKey,
        stored: &str,
        submitted: &str,
        proof: &[Sha256Digest],
        now: Timestamp,
    ) -> bool {
        let Ok(draft) = ForkEvidenceDraft::new(log_key, stored, submitted, proof, now) else { return false };
        let Ok((mut value, _)) = draft.build() else { return false };
        if let attest_json::Value::Object(o) = &mut value {
            sign_reported(o, &[&self.reporter]);
        }
        let text = attest_json::to_canonical_string(&value);
        let origin = log_key.name();
        let mut pair = Sha256::new();
        for n in [stored, submitted] {
            pair.update(Sha256::digest(n.as_bytes()));
        }
        let pair = pair.finalize().to_vec();
        match tx.execute(
            "INSERT OR IGNORE INTO witness_forks (origin, pair, detected_at, evidence) VALUES (?1, ?2, ?3, ?4)",
            params![origin, pair, now.to_rfc3339(), text],
        ) {
            Ok(n) => {
                if n == 1 {
                    self.metrics.forks.inc();
                    eprintln!("witness: fork of {origin:?} proven; evidence kept (GET /v1/forks)");
                }
                true
            }
            Err(_) => false,
        }
    }

    /// The latest cosigned checkpoint of the origin whose SHA-256 is `origin_hash` (lowercase hex).
    pub fn latest(&self, origin_hash: &str) -> Result<Option<String>, LedgerError> {
        let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        conn.query_row("SELECT cosigned FROM witness_heads WHERE origin_hash = ?1", [origin_hash], |r| r.get(0))
            .optional()
            .map_err(|e| LedgerError::Database(e.to_string()))
    }

    /// The fork evidence documents kept, oldest first (canonical JSON text).
    pub fn forks(&self) -> Result<Vec<String>, LedgerError> {
        let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let e = |e: rusqlite::Error| LedgerError::Database(e.to_string());
        let mut stmt = conn.prepare("SELECT evidence FROM witness_forks ORDER BY id").map_err(e)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(e)?;
        rows.collect::<Result<_, _>>().map_err(e)
    }

    /// The OpenMetrics text.
    pub fn encode_metrics(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.metrics.registry)?;
        Ok(out)
    }
}

fn load_head(tx: &rusqlite::Transaction<'_>, origin: &str) -> Result<Option<Head>, rusqlite::Error> {
    tx.query_row("SELECT size, root, note FROM witness_heads WHERE origin = ?1", [origin], |r| {
        let size: i64 = r.get(0)?;
        let root: Vec<u8> = r.get(1)?;
        let root: [u8; 32] = root.try_into().map_err(|_| rusqlite::Error::InvalidQuery)?;
        Ok(Head { size: u64::try_from(size).unwrap_or(0), root: Sha256Digest::from_bytes(root), note: r.get(2)? })
    })
    .optional()
}

/// The checkpoint text, the verified log signature lines, and the cosignature.
fn cosigned_note(note: &Note, verified: &[&VerifierKey], line: &str) -> String {
    let mut out = format!("{}\n", note.text());
    for s in note.signatures() {
        if let (true, Ok(sig)) = (
            verified.iter().any(|k| k.name() == s.name() && k.key_id() == s.key_id()),
            <[u8; 64]>::try_from(s.signature()),
        ) {
            out.push_str(&checkpoint::signature_line(s.name(), s.key_id(), &Ed25519Signature::from_bytes(sig)));
        }
    }
    out.push_str(line);
    out
}

async fn add_checkpoint(State(w): State<Arc<Witness>>, body: Bytes) -> Response {
    let now = crate::http::now();
    match tokio::task::spawn_blocking(move || w.add_checkpoint(&body, now)).await {
        Ok(out) => out.into_response(),
        Err(e) => AddOutcome::Internal(format!("task failed: {e}")).into_response(),
    }
}

async fn monitor_checkpoint(State(w): State<Arc<Witness>>, UrlPath(hash): UrlPath<String>) -> Response {
    let plain = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return (StatusCode::NOT_FOUND, plain, "not a lowercase hex SHA-256 of an origin\n").into_response();
    }
    match tokio::task::spawn_blocking(move || w.latest(&hash)).await {
        Ok(Ok(Some(note))) => (StatusCode::OK, plain, note).into_response(),
        Ok(Ok(None)) => (StatusCode::NOT_FOUND, plain, "no checkpoint cosigned for this origin\n").into_response(),
        Ok(Err(e)) => (StatusCode::INTERNAL_SERVER_ERROR, plain, format!("{e}\n")).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, plain, format!("task failed: {e}\n")).into_response(),
    }
}

async fn forks(State(w): State<Arc<Witness>>) -> Response {
    match tokio::task::spawn_blocking(move || w.forks()).await {
        Ok(Ok(list)) => {
            let docs: Vec<serde_json::Value> = list.iter().filter_map(|t| serde_json::from_str(t).ok()).collect();
            axum::Json(serde_json::json!({ "forks": docs })).into_response()
        }
        Ok(Err(e)) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("task failed: {e}\n")).into_response(),
    }
}

async fn metrics(State(w): State<Arc<Witness>>) -> Response {
    match w.encode_metrics() {
        Ok(text) => ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text)
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The witness's router.
pub fn router(w: Arc<Witness>) -> Router {
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .route("/{origin_hash}/checkpoint", get(monitor_checkpoint))
        .route("/v1/forks", get(forks))
        .route("/metrics", get(metrics))
        .route("/healthz", get(|| async { axum::Json(serde_json::json!({"status": "ok"})) }))
        .fallback(|| async { (StatusCode::NOT_FOUND, "no such endpoint\n") })
        .layer(DefaultBodyLimit::max(MAX_ADD_CHECKPOINT_BYTES))
        .with_state(w)
}

/// Runs a witness on a bound listener until `shutdown` resolves; prints
/// `listening on http(s)://ADDR` once serving.
pub fn serve_on(
    witness: Witness,
    listener: std::net::TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), LedgerError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| LedgerError::Io(format!("runtime: {e}")))?;
    listener.set_nonblocking(true).map_err(|e| LedgerError::Io(format!("listener: {e}")))?;
    rt.block_on(async move {
        let listener =
            tokio::net::TcpListener::from_std(listener).map_err(|e| LedgerError::Io(format!("listener: {e}")))?;
        let addr = listener.local_addr().map_err(|e| LedgerError::Io(e.to_string()))?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        println!("listening on {scheme}://{addr}");
        crate::serve::run(listener, router(Arc::new(witness)), tls, shutdown).await;
        Ok(())
    })
}

/// Runs a witness on `listen` until SIGTERM or SIGINT.
pub fn serve(
    witness: Witness,
    listen: std::net::SocketAddr,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> Result<(), LedgerError> {
    let listener =
        std::net::TcpListener::bind(listen).map_err(|e| LedgerError::Io(format!("listen on {listen}: {e}")))?;
    serve_on(witness, listener, tls, crate::shutdown_signal())
}
