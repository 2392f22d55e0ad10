//! The HTTP API (docs/spec.md §10): submission, checkpoint, entries, proofs,
//! health. Every error is a JSON body `{"error", "code"}`.

use std::sync::{Arc, PoisonError};

use attest_verifier::evidence::Evidence;
use attest_verifier::merkle;
use attest_verifier::trust_root::ChainOptions;
use attest_verifier::types::{Ed25519PublicKey, Sha256Digest};
use attest_verifier::{verify_document, Timestamp, TrustAnchor, VerifyContext};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use crate::metrics::Metrics;
use crate::sequencer::{Sequencer, SharedStore, SharedTree};
use crate::store::{NewEntry, Rejected};
use crate::tiles::{self, TileKind, TilePath};

/// The largest body `POST /v1/entries` reads, and the largest entry (formats.md §8).
pub const MAX_ENTRY_BYTES: usize = 65_535;

/// What verification of a submission needs.
#[derive(Debug, Clone)]
pub struct Verification {
    /// Trust-root documents `(name, bytes)`, oldest first.
    pub trust_roots: Vec<(String, Vec<u8>)>,
    /// Pinned root keys.
    pub pinned: Vec<Ed25519PublicKey>,
    /// Evidence for every submission (the heartbeat policy).
    pub evidence: Evidence,
    /// Attesto Local Vault installations the receiver accepts (docs/spec.md §12.7).
    pub attesto: crate::attesto::Installations,
    /// The root CA DCAP quotes of TEE bindings chain to instead of Intel's
    /// SGX Root CA (`--tee-root-ca`, DER or PEM; test infrastructure).
    pub tee_root_ca: Option<Vec<u8>>,
}

/// Shared state of the handlers.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The store.
    pub store: SharedStore,
    /// The in-memory tree.
    pub tree: SharedTree,
    /// The sequencer handle.
    pub sequencer: Sequencer,
    /// Verification inputs.
    pub verification: Arc<Verification>,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// The trust-root chain, verified at most once per second.
    pub trust: Arc<TrustCache>,
    /// The heartbeat streams.
    pub monitor: Arc<crate::monitor::StreamMonitor>,
    /// The last append failed (a full or read-only database): `/readyz` answers 503 until one succeeds.
    pub append_failing: Arc<std::sync::atomic::AtomicBool>,
    /// Witnessing (`--witness`, `--witness-quorum`).
    pub witnessing: Option<Arc<crate::witnessing::Witnessing>>,
    /// The quote verifier and the logged TEE bindings (docs/spec.md §13.7).
    pub tee: Arc<crate::tee::TeeState>,
}

impl AppState {
    /// The checkpoint to serve and prove `index` (if given) against: the
    /// latest cosigned one when it covers the index (and, for `/checkpoint`,
    /// when it is the latest), else the latest signed one. `(note, size)`.
    fn served_checkpoint(&self, t: &crate::sequencer::Tree, index: Option<u64>) -> (Arc<str>, u64) {
        if let Some(w) = &self.witnessing {
            let pick = match index {
                // The newest cosigned checkpoint that covers the entry: witnessed to quorum first.
                Some(i) => [w.witnessed(), w.latest()]
                    .into_iter()
                    .flatten()
                    .filter(|c| i < c.size && c.size <= t.size())
                    .max_by_key(|c| (c.quorum, c.size)),
                None => w.latest().filter(|c| c.size == t.size()),
            };
            if let Some(c) = pick {
                return (c.note, c.size);
            }
        }
        (t.checkpoint(), t.size())
    }
}

/// The ledger's trust-root chain outcome, verified again when the second
/// (of the system clock) changes: a trust root that expires is refused at
/// most one second late, and the chain is not re-verified per request.
#[derive(Debug, Default)]
pub struct TrustCache(std::sync::Mutex<Option<(i64, Arc<attest_verifier::trust_root::TrustOutcome>)>>);

impl TrustCache {
    pub(crate) fn get(&self, v: &Verification, now: Timestamp) -> Arc<attest_verifier::trust_root::TrustOutcome> {
        let second = now.unix_seconds();
        let mut cached = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((s, t)) = cached.as_ref() {
            if *s == second {
                return t.clone();
            }
        }
        let anchor = TrustAnchor::new(v.trust_roots.clone(), v.pinned.clone(), ChainOptions { now, min_version: None });
        let t = Arc::new(anchor.verify());
        *cached = Some((second, t.clone()));
        t
    }
}

/// An error response: status, stable code, message, and for a refused document its report.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    report: Option<serde_json::Value>,
    /// `Retry-After` seconds (503).
    pub(crate) retry_after: Option<u32>,
    /// The entry's index (a 503 `not-witnessed`: appended, not yet witnessed).
    index: Option<u64>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), report: None, retry_after: None, index: None }
    }
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({"error": self.message, "code": self.code});
        if let (Some(r), Some(o)) = (self.report, body.as_object_mut()) {
            o.insert("report".into(), r);
        }
        if let (Some(i), Some(o)) = (self.index, body.as_object_mut()) {
            o.insert("index".into(), json!(i));
        }
        let mut resp = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        }
        resp
    }
}

pub(crate) fn now() -> Timestamp {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Timestamp::from_unix(i64::try_from(d.as_secs()).unwrap_or(i64::MAX), d.subsec_nanos())
}

/// The router of the API.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/entries", post(submit))
        .route("/v2/local-vault/installations/{id}/relay", post(crate::attesto::relay))
        .route("/v2/local-vault/installations/{id}/witness/checkpoints", post(crate::attesto::witness))
        .route("/v1/entries/{index}", get(get_entry))
        .route("/v1/entries/{index}/tlog-proof", get(get_tlog_proof))
        .route("/v1/proof/inclusion", get(inclusion))
        .route("/v1/proof/consistency", get(consistency))
        .route("/checkpoint", get(checkpoint))
        .route("/tile/{*rest}", get(tile))
        .route("/v1/streams", get(streams))
        .route("/v1/heartbeats", get(heartbeats))
        .route("/v1/search", get(search))
        .route("/v1/streams/{stream}", get(one_stream))
        .route("/healthz", get(|| async { axum::Json(json!({"status": "ok"})) }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "not-found", "no such endpoint") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", "method not allowed here")
        })
        .layer(DefaultBodyLimit::max(MAX_ENTRY_BYTES))
        .with_state(state)
}

pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::internal(format!("task failed: {e}")))?
}

fn hexes(proof: &[Sha256Digest]) -> Vec<String> {
    proof.iter().map(Sha256Digest::to_hex).collect()
}

/// What a verified submission becomes.
struct Accepted {
    entry: NewEntry,
    /// A verified heartbeat, for the stream monitor.
    heartbeat: Option<attest_verifier::heartbeat::HeartbeatDocument>,
}

/// Verifies a body; an invalid document is recorded in `rejected` and refused with 422.
fn verify_submission(state: &AppState, body: &[u8]) -> Result<Accepted, ApiError> {
    let value = attest_verifier::doc::parse_json(body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "malformed", format!("not strict JSON: {e}")))?;
    let v = &state.verification;
    let now = now();
    let trust = state.trust.get(v, now);
    // A trust-root submission is verified as the newest link of the chain
    // (never cached: it is a chain of its own).
    let subject_trust = match attest_verifier::registry::kind_of(&value) {
        Some(k) if k.extends_chain => {
            TrustAnchor::new(v.trust_roots.clone(), v.pinned.clone(), ChainOptions { now, min_version: None })
                .verify_for_subject("submission", body)
        }
        _ => None,
    };
    let ctx = VerifyContext::new(subject_trust.as_ref().unwrap_or(&trust), &v.evidence, now)
        .with_tee(state.tee.verifier())
        .with_tee_bindings(&*state.tee);
    let (mut report, mut verified) = verify_document(body, &ctx).into_parts();
    // A TEE-bound key without a kept binding for the document's time: another
    // ledger process on the same database may have logged one. Read the
    // store's new bindings and verify once more.
    let tee_miss = |r: &attest_verifier::Report| {
        r.first_failure().is_some_and(|c| {
            c.id == attest_verifier::report::CheckId::Tee
                && matches!(
                    c.reason,
                    Some(attest_verifier::Reason::TeeBindingMissing | attest_verifier::Reason::BindingAge)
                )
        })
    };
    if tee_miss(&report) {
        let loaded = state.tee.load(state.store.lock().unwrap_or_else(PoisonError::into_inner).as_mut());
        if loaded.is_ok() {
            state.metrics.tee_bindings(state.tee.len());
            (report, verified) = verify_document(body, &ctx).into_parts();
        }
    }
    if !report.valid() {
        let report_json = serde_json::to_value(&report).unwrap_or(serde_json::Value::Null);
        let failure = report.first_failure();
        let rejected = Rejected {
            received_at: now.to_rfc3339(),
            doc_type: report.doc_type().to_string(),
            check: failure.map(|c| c.id.as_str().to_string()),
            reason: failure.and_then(|c| c.reason).map(|r| r.to_string()),
            report: report_json.to_string(),
            body: body.to_vec(),
        };
        state
            .store
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .record_rejected(&rejected)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        state.metrics.rejected(&rejected.doc_type, rejected.check.as_deref().unwrap_or("none"));
        let mut e =
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", format!("not valid: {}", report.verdict()));
        e.report = Some(report_json);
        return Err(e);
    }
    // Entry bytes: the registry's rule for the verified document's kind (formats.md §8).
    let bytes = attest_verifier::registry::entry_bytes(&value)
        .ok_or_else(|| ApiError::internal("a verified document has no entry bytes".to_string()))?;
    if bytes.len() > MAX_ENTRY_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            format!("the entry bytes are {} bytes, more than {MAX_ENTRY_BYTES}", bytes.len()),
        ));
    }
    let leaf_hash = merkle::leaf_hash(&bytes);
    let document = verified.map(attest_verifier::Verified::into_inner);
    let f = document.as_ref().map(attest_verifier::Document::search_fields).unwrap_or_default();
    let fields = crate::store::SearchFields {
        stream: f.stream,
        execution_id: f.execution_id,
        signer_key_id: f.signer_key_id.map(|k| k.to_hex()),
        time: f.time.map(|t| t.unix_seconds()),
    };
    let heartbeat = match document {
        Some(attest_verifier::Document::Heartbeat(h)) => Some(h),
        _ => None,
    };
    Ok(Accepted { entry: NewEntry { bytes, leaf_hash, doc_type: report.doc_type().to_string(), fields }, heartbeat })
}

/// An entry's index, leaf hash and inclusion proof against a checkpoint.
struct Receipt {
    index: u64,
    leaf_hash: Sha256Digest,
    checkpoint: Arc<str>,
    proof: Vec<Sha256Digest>,
    size: u64,
}

impl Receipt {
    fn to_json(&self) -> serde_json::Value {
        json!({
            "index": self.index,
            "leafHash": self.leaf_hash.to_hex(),
            "checkpoint": &*self.checkpoint,
            "inclusionProof": hexes(&self.proof),
            "treeSize": self.size,
        })
    }
}

fn receipt(
    state: &AppState,
    index: u64,
    leaf_hash: Sha256Digest,
    checkpoint: Arc<str>,
    size: u64,
) -> Result<Receipt, ApiError> {
    let tree = state.tree.read().unwrap_or_else(PoisonError::into_inner);
    let proof = tree.inclusion_proof(index, size).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Receipt { index, leaf_hash, checkpoint, proof, size })
}

async fn submit(State(state): State<AppState>, body: axum::body::Body) -> Result<Response, ApiError> {
    // At most MAX_ENTRY_BYTES, within BODY_TIMEOUT: a slow sender does not hold a worker.
    let read = tokio::time::timeout(crate::serve::BODY_TIMEOUT, axum::body::to_bytes(body, MAX_ENTRY_BYTES)).await;
    let body: Bytes = match read {
        Err(_) => {
            return Err(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                format!("the body did not arrive within {} s", crate::serve::BODY_TIMEOUT.as_secs()),
            ))
        }
        Ok(Err(e)) => {
            let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(&e);
            let mut too_large = false;
            while let Some(s) = source {
                too_large |= s.is::<http_body_util::LengthLimitError>();
                source = s.source();
            }
            return Err(if too_large {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too-large",
                    format!("the body is over {MAX_ENTRY_BYTES} bytes"),
                )
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "bad-body", e.to_string())
            });
        }
        Ok(Ok(b)) => b,
    };
    let s = state.clone();
    let accepted = blocking(move || verify_submission(&s, &body)).await?;
    let leaf = accepted.entry.leaf_hash;
    // A verified binding, kept once it is in the log (either branch below):
    // from then on documents by the bound key are checked against it.
    let binding =
        (accepted.entry.doc_type == attest_verifier::tee::TEE_BINDING_TYPE).then(|| accepted.entry.bytes.clone());
    // Already in the log: 200 with its index, proved against the latest checkpoint.
    let known = {
        let t = state.tree.read().unwrap_or_else(PoisonError::into_inner);
        t.index_of(&leaf).map(|i| (i, t.checkpoint(), t.size()))
    };
    let (status, index, checkpoint, size) = match known {
        Some((i, cp, size)) => (StatusCode::OK, i, cp, size),
        None => {
            let started = std::time::Instant::now();
            let doc_type = accepted.entry.doc_type.clone();
            let heartbeat = accepted.heartbeat;
            // A failed append (full or read-only database, lost connection)
            // changes nothing and is 503: retry later, nothing was acknowledged.
            let ack = match state.sequencer.submit(accepted.entry).await {
                Ok(ack) => {
                    state.append_failing.store(false, std::sync::atomic::Ordering::Relaxed);
                    ack
                }
                Err(e) => {
                    state.append_failing.store(true, std::sync::atomic::Ordering::Relaxed);
                    eprintln!("{}", json!({"event": "append-failed", "error": e}));
                    let mut err =
                        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", format!("not appended: {e}"));
                    err.retry_after = Some(1);
                    return Err(err);
                }
            };
            let status = if ack.existing { StatusCode::OK } else { StatusCode::CREATED };
            if !ack.existing {
                state.metrics.appended(&doc_type);
                state.metrics.observe_append(started.elapsed());
                if let Some(h) = heartbeat {
                    let (stream, at) = (h.heartbeat().stream().to_string(), h.heartbeat().timestamp());
                    let late = state.monitor.observe(h, now().unix_seconds());
                    state.metrics.heartbeat(&stream, at, late);
                }
            }
            (status, ack.index, ack.checkpoint, ack.tree_size)
        }
    };
    if let Some(b) = binding {
        state.tee.keep(&b);
        state.metrics.tee_bindings(state.tee.len());
    }
    // With --witness-quorum: acknowledged only with a checkpoint cosigned to quorum (fail closed).
    let (checkpoint, size) = match state.witnessing.as_ref().filter(|w| w.requires_quorum()) {
        None => (checkpoint, size),
        Some(w) => match w.wait_for(index).await {
            Some(c) => (c.note, c.size),
            None => {
                let mut err = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "not-witnessed",
                    format!(
                        "appended at index {index}, but no checkpoint covering it is cosigned to the witness quorum yet; retry"
                    ),
                );
                err.retry_after = Some(1);
                err.index = Some(index);
                return Err(err);
            }
        },
    };
    let s = state.clone();
    let body = blocking(move || receipt(&s, index, leaf, checkpoint, size)).await?.to_json();
    Ok((status, axum::Json(body)).into_response())
}

async fn checkpoint(State(state): State<AppState>) -> Response {
    let note = state.served_checkpoint(&state.tree.read().unwrap_or_else(PoisonError::into_inner), None).0;
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], note.to_string())
        .into_response()
}

fn parse_u64(s: &str, what: &str) -> Result<u64, ApiError> {
    let digits_ok = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    digits_ok.then(|| s.parse::<u64>().ok()).flatten().ok_or_else(|| {
        ApiError::new(StatusCode::BAD_REQUEST, "bad-parameter", format!("{what} must be a decimal integer"))
    })
}

/// `key=value` pairs of a query: exactly the names given, each once.
/// The query parameters of a request, percent-decoded, in order: each one
/// `NAME=VALUE`, of `allowed`, at most once (every endpoint's one parser).
fn params<'n>(raw: Option<&str>, allowed: &[&'n str]) -> Result<Vec<(&'n str, String)>, ApiError> {
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, "bad-parameter", m);
    let mut out: Vec<(&'n str, String)> = Vec::new();
    for pair in raw.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').ok_or_else(|| bad(format!("{pair:?}: parameters are NAME=VALUE")))?;
        let name = allowed
            .iter()
            .find(|n| **n == k)
            .ok_or_else(|| bad(format!("unknown parameter {k:?} (parameters: {})", allowed.join(", "))))?;
        if out.iter().any(|(n, _)| n == name) {
            return Err(bad(format!("{k} given twice")));
        }
        out.push((name, percent_decode(v).ok_or_else(|| bad(format!("{k}: bad percent-encoding")))?));
    }
    Ok(out)
}

fn query<const N: usize>(raw: Option<String>, names: [&str; N]) -> Result<[u64; N], ApiError> {
    let given = params(raw.as_deref(), &names)?;
    let mut vals = [0u64; N];
    for (val, name) in vals.iter_mut().zip(names) {
        let v =
            given.iter().find(|(n, _)| *n == name).map(|(_, v)| v).ok_or_else(|| {
                ApiError::new(StatusCode::BAD_REQUEST, "bad-parameter", format!("{name} is required"))
            })?;
        *val = parse_u64(v, name)?;
    }
    Ok(vals)
}

/// The `{index}` of an entry path: decimal without leading zeros.
fn index_param(index: Result<Path<String>, axum::extract::rejection::PathRejection>) -> Result<u64, ApiError> {
    let Path(index) = index.map_err(|r| ApiError::new(StatusCode::BAD_REQUEST, "bad-parameter", r.body_text()))?;
    parse_u64(&index, "the index")
}

async fn get_entry(
    State(state): State<AppState>,
    index: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<Response, ApiError> {
    let index = index_param(index)?;
    let s = state.clone();
    blocking(move || {
        let (checkpoint, size) = {
            let t = s.tree.read().unwrap_or_else(PoisonError::into_inner);
            (t.checkpoint(), t.size())
        };
        if index >= size {
            return Err(ApiError::new(StatusCode::NOT_FOUND, "not-found", format!("no entry {index} in a log of {size}")));
        }
        let stored = s
            .store
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(index)
            .map_err(|e| ApiError::internal(e.to_string()))?
            .ok_or_else(|| ApiError::internal(format!("entry {index} is missing from the store")))?;
        let r = receipt(&s, index, stored.entry.leaf_hash, checkpoint, size)?;
        // The entry bytes are canonical JSON: embedded as they are, byte for byte.
        let entry = std::str::from_utf8(&stored.entry.bytes).map_err(|_| ApiError::internal("entry is not UTF-8"))?;
        let body = format!(
            "{{\"index\":{index},\"entry\":{entry},\"leafHash\":{},\"inclusionProof\":{},\"treeSize\":{size},\"checkpoint\":{}}}",
            json!(r.leaf_hash.to_hex()),
            json!(hexes(&r.proof)),
            json!(&*r.checkpoint)
        );
        Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
    })
    .await
}

/// `GET /v1/entries/{index}/tlog-proof`: the C2SP tlog-proof of an entry
/// against the latest checkpoint (docs/spec.md §10.6).
async fn get_tlog_proof(
    State(state): State<AppState>,
    index: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<Response, ApiError> {
    let index = index_param(index)?;
    let s = state.clone();
    blocking(move || {
        let t = s.tree.read().unwrap_or_else(PoisonError::into_inner);
        if index >= t.size() {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not-found",
                format!("no entry {index} in a log of {}", t.size()),
            ));
        }
        let (note, size) = s.served_checkpoint(&t, Some(index));
        let path = t.inclusion_proof(index, size).map_err(|e| ApiError::internal(e.to_string()))?;
        let proof = attest_verifier::tlog_proof::TlogProof::new(index, path, note.to_string(), None);
        Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], proof.to_text()).into_response())
    })
    .await
}

/// A stream report as the API answers it: the report, its late count, and
/// times as RFC 3339.
fn stream_json(r: &attest_verifier::heartbeat::StreamReport, late: u64) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap_or(serde_json::Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert("late".into(), json!(late));
        o.insert("lastHeartbeat".into(), json!(Timestamp::from_unix(r.last(), 0).to_rfc3339()));
    }
    v
}

/// `?window=SECONDS` (optional).
fn window_param(q: Option<String>) -> Result<Option<u64>, ApiError> {
    params(q.as_deref(), &["window"])?.first().map(|(_, w)| parse_u64(w, "window")).transpose()
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b.get(i) {
            Some(b'%') => {
                let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            Some(b'+') => return None,
            Some(c) => {
                out.push(*c);
                i += 1;
            }
            None => return None,
        }
    }
    String::from_utf8(out).ok()
}

/// `GET /v1/heartbeats?since=UNIX[&stream=S]`: the retained heartbeats at
/// or after `since`, as JSON Lines of their entry bytes (what `attest gate
/// --ledger` verifies).
async fn heartbeats(State(state): State<AppState>, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let (mut since, mut stream) = (None, None);
    for (k, v) in params(q.as_deref(), &["since", "stream"])? {
        match k {
            "since" => since = Some(parse_u64(&v, "since")?),
            _ => stream = Some(v),
        }
    }
    let since =
        since.ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "bad-parameter", "since=UNIX is required"))?;
    let body = state.monitor.heartbeats_since(i64::try_from(since).unwrap_or(i64::MAX), stream.as_deref());
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response())
}

/// `/readyz` fails when the sequencer has not read or written the store for
/// this long (it checks once a second: its task is stuck or the database is
/// unreachable, so the served checkpoint may be stale).
pub const READY_STORE_CHECK_SECONDS: i64 = 5;

/// Most results of one `/v1/search` page.
pub const MAX_SEARCH_LIMIT: u64 = 1000;

/// `GET /v1/search?type=&stream=&executionId=&signerKeyId=&since=&until=&limit=&cursor=`:
/// entries by their searchable members, in index order, a page at a time.
async fn search(State(state): State<AppState>, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, "bad-parameter", m);
    let mut query = crate::store::SearchQuery { limit: 100, ..Default::default() };
    let names = ["type", "stream", "executionId", "signerKeyId", "since", "until", "cursor", "limit"];
    for (k, v) in params(q.as_deref(), &names)? {
        let time = |v: &str| {
            Timestamp::parse(v).map(|t| t.unix_seconds()).map_err(|e| bad(format!("{k}: not an RFC 3339 time: {e}")))
        };
        match k {
            "type" => query.doc_type = Some(v),
            "stream" => query.stream = Some(v),
            "executionId" => query.execution_id = Some(v),
            "signerKeyId" => query.signer_key_id = Some(v),
            "since" => query.since = Some(time(&v)?),
            "until" => query.until = Some(time(&v)?),
            "cursor" => query.cursor = parse_u64(&v, "cursor")?,
            _ => {
                query.limit = parse_u64(&v, "limit")?;
                if query.limit == 0 || query.limit > MAX_SEARCH_LIMIT {
                    return Err(bad(format!("limit: 1 to {MAX_SEARCH_LIMIT}")));
                }
            }
        }
    }
    let size = s_tree(&state).size();
    let page = query.limit;
    // One more than the page: whether there is a next one.
    let mut q = query.clone();
    q.limit = page + 1;
    let s = state.clone();
    let mut hits = blocking(move || {
        s.store.lock().unwrap_or_else(PoisonError::into_inner).search(&q).map_err(|e| ApiError::internal(e.to_string()))
    })
    .await?;
    // Only entries under the checkpoint this process serves (another process may be ahead).
    hits.retain(|h| h.index < size);
    let next = (hits.len() as u64 > page).then(|| hits.get(page as usize).map(|h| h.index)).flatten();
    hits.truncate(page as usize);
    let entries: Vec<serde_json::Value> = hits
        .iter()
        .map(|h| {
            let mut o = serde_json::Map::new();
            o.insert("index".into(), json!(h.index));
            o.insert("type".into(), json!(h.doc_type));
            o.insert("leafHash".into(), json!(h.leaf_hash.to_hex()));
            if let Some(v) = &h.fields.stream {
                o.insert("stream".into(), json!(v));
            }
            if let Some(v) = &h.fields.execution_id {
                o.insert("executionId".into(), json!(v));
            }
            if let Some(v) = &h.fields.signer_key_id {
                o.insert("signerKeyId".into(), json!(v));
            }
            if let Some(t) = h.fields.time {
                o.insert("time".into(), json!(Timestamp::from_unix(t, 0).to_rfc3339()));
            }
            serde_json::Value::Object(o)
        })
        .collect();
    Ok(axum::Json(json!({"entries": entries, "nextCursor": next})).into_response())
}

/// `GET /v1/streams[?window=SECONDS]`: every heartbeat stream's checks at now.
async fn streams(State(state): State<AppState>, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let window = window_param(q)?;
    let now = now();
    let reports = state.monitor.reports(now, window, None);
    let streams: Vec<serde_json::Value> = reports.iter().map(|(r, late)| stream_json(r, *late)).collect();
    Ok(axum::Json(json!({"now": now.to_rfc3339(), "window": window, "streams": streams})).into_response())
}

/// `GET /v1/streams/{stream}[?window=SECONDS]`.
async fn one_stream(
    State(state): State<AppState>,
    stream: Result<Path<String>, axum::extract::rejection::PathRejection>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let Path(stream) = stream.map_err(|r| ApiError::new(StatusCode::BAD_REQUEST, "bad-parameter", r.body_text()))?;
    let window = window_param(q)?;
    let now = now();
    let reports = state.monitor.reports(now, window, Some(&stream));
    let (r, late) = reports.first().ok_or_else(|| {
        ApiError::new(StatusCode::NOT_FOUND, "not-found", format!("no heartbeat of stream {stream:?}"))
    })?;
    Ok(axum::Json(json!({"now": now.to_rfc3339(), "window": window, "stream": stream_json(r, *late)})).into_response())
}

async fn inclusion(State(state): State<AppState>, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let [index, size] = query(q, ["index", "size"])?;
    blocking(move || {
        let t = state.tree.read().unwrap_or_else(PoisonError::into_inner);
        if size > t.size() || index >= size {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad-parameter",
                format!("need index < size <= {} (the tree size)", t.size()),
            ));
        }
        let proof = t.inclusion_proof(index, size).map_err(|e| ApiError::internal(e.to_string()))?;
        let leaf = t.leaf(index).ok_or_else(|| ApiError::internal("leaf missing"))?;
        Ok(axum::Json(
            json!({"index": index, "treeSize": size, "leafHash": leaf.to_hex(), "inclusionProof": hexes(&proof)}),
        )
        .into_response())
    })
    .await
}

async fn consistency(State(state): State<AppState>, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let [old, new] = query(q, ["old", "new"])?;
    blocking(move || {
        let t = state.tree.read().unwrap_or_else(PoisonError::into_inner);
        if new > t.size() || old > new {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad-parameter",
                format!("need old <= new <= {} (the tree size)", t.size()),
            ));
        }
        let proof = t.consistency_proof(old, new).map_err(|e| ApiError::internal(e.to_string()))?;
        Ok(axum::Json(json!({"old": old, "new": new, "consistencyProof": hexes(&proof)})).into_response())
    })
    .await
}

async fn ready(State(state): State<AppState>) -> Result<Response, ApiError> {
    blocking(move || {
        state
            .store
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .ping()
            .map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not-ready", e.to_string()))?;
        let idle = state.sequencer.seconds_since_store_check();
        if idle > READY_STORE_CHECK_SECONDS {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not-ready",
                format!("the sequencer has not reached the database for {idle} s"),
            ));
        }
        if state.append_failing.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not-ready",
                "the last append failed (is the database full or read-only?)",
            ));
        }
        Ok(axum::Json(json!({"status": "ready"})).into_response())
    })
    .await
}

/// `GET /tile/<L>/<N>[.p/<W>]` and `/tile/entries/<N>[.p/<W>]` (C2SP tlog-tiles).
async fn tile(
    State(state): State<AppState>,
    rest: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<Response, ApiError> {
    let Path(rest) = rest.map_err(|r| ApiError::new(StatusCode::BAD_REQUEST, "bad-parameter", r.body_text()))?;
    let t = TilePath::parse(&rest).map_err(|e| ApiError::new(StatusCode::NOT_FOUND, "not-found", e.to_string()))?;
    blocking(move || {
        let missing = || {
            ApiError::new(StatusCode::NOT_FOUND, "not-found", format!("tile/{} is not in the tree yet", t.to_path()))
        };
        let (start, end) = t.items().ok_or_else(missing)?;
        let body = match t.kind {
            TileKind::Hashes(level) => {
                let tree = s_tree(&state);
                tiles::hash_tile(tree.hashes(), level, start, end).ok_or_else(missing)?
            }
            TileKind::Entries => {
                if end > s_tree(&state).size() {
                    return Err(missing());
                }
                let entries = state
                    .store
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .entries(start, end)
                    .map_err(|e| ApiError::internal(e.to_string()))?;
                tiles::entry_bundle(&entries).ok_or_else(|| ApiError::internal("an entry is over 65,535 bytes"))?
            }
        };
        // A full tile never changes; a partial one is replaced by wider ones.
        let cache = if t.is_full() { "public, max-age=31536000, immutable" } else { "no-cache" };
        Ok(([(header::CONTENT_TYPE, "application/octet-stream"), (header::CACHE_CONTROL, cache)], body).into_response())
    })
    .await
}

fn s_tree(state: &AppState) -> std::sync::RwLockReadGuard<'_, crate::sequencer::Tree> {
    state.tree.read().unwrap_or_else(PoisonError::into_inner)
}

async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    let (size, age) = {
        let t = s_tree(&state);
        (t.size(), t.checkpoint_age_seconds())
    };
    let text = state.metrics.encode(size, age).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text).into_response())
}
