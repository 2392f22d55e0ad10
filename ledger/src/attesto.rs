//! The Attesto Local Vault receiver (docs/spec.md §12.7): the endpoints the
//! real `attesto-local-vault` package relays to and submits witness output to,
//! for installations registered with `--attesto-installation ID=PUBKEYHEX`.
//!
//! - `POST /v2/local-vault/installations/{id}/relay`: a relay request (the
//!   three `X-Attesto-Local-Vault-*` headers and the body). Verified against
//!   the **registered** key (never the header's): envelope hash, signature,
//!   `payload_sha256`/`payload_size`, `installation_id` = `{id}`. Then, once
//!   per (installation, stream_id, source_ref): the request (our
//!   `attest.attesto-relay-request.v1` document) is appended to the log and
//!   the row recorded; a later request with the same payload is answered as
//!   the first (200, `replayed`), one with another payload is payload drift
//!   (409). The 2xx body is what the package's fail-closed acknowledgement
//!   check accepts, plus the log index, checkpoint and inclusion proof.
//! - `POST /v2/local-vault/installations/{id}/witness/checkpoints`: the
//!   output of `witness-checkpoint` (or its `receipt` / `forkEvidence`
//!   alone). A receipt is verified against the registered key (all checks of
//!   §12.2, and `witness_id` = `{id}`), then the witness state per (witness,
//!   tenant, stream) must stay monotonic: the same seq with the same hash is a
//!   replay (200), with another hash a conflict (409); a seq above the head
//!   must extend it (`previous_checkpoint_hash` = the head's hash, else 409);
//!   a seq below the head that was never accepted is stale (409); the first
//!   receipt of a stream is taken as it comes (as the package does). Fork
//!   evidence is verified and logged (the witness's claim), state unchanged.
//!
//! Nothing is persisted before every check passed. Requests are handled one
//! at a time per process (a lock around check-and-persist); with several
//! ledger processes on one PostgreSQL database the table keys keep one row
//! per relay key and per seq.

use std::collections::BTreeMap;
use std::sync::PoisonError;

use attest_verifier::attesto::claim::{parse_fork_claim_value, verify_claim_under};
use attest_verifier::attesto::json::{self as ajson, AValue, FloatRule};
use attest_verifier::attesto::receipt::{parse_witness_receipt_value, verify_receipt_under, WitnessReceipt};
use attest_verifier::attesto::relay::{
    parse_relay_parts, receipt_event_id, verify_relay_under, RelayRequest, HEADER_ENVELOPE_HASH, HEADER_PUBLIC_KEY,
    HEADER_SIGNATURE,
};
use attest_verifier::attesto::{AttestoError, FORK_EVIDENCE_KIND, RELAY_REQUEST_TYPE, WITNESS_RECEIPT_KIND};
use attest_verifier::merkle;
use attest_verifier::types::Ed25519PublicKey;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::http::{ApiError, AppState};
use crate::store::{AttestoCheckpoint, AttestoRelay, NewEntry, SearchFields};

/// The registered installations and their Ed25519 keys (`--attesto-installation`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Installations(BTreeMap<String, Ed25519PublicKey>);

impl Installations {
    /// Parses `ID=PUBKEYHEX` arguments; an id given twice is refused.
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let mut map = BTreeMap::new();
        for a in args {
            let (id, key) = a.split_once('=').ok_or_else(|| format!("{a:?}: expected ID=PUBKEYHEX"))?;
            if id.is_empty() {
                return Err(format!("{a:?}: empty installation id"));
            }
            let key = Ed25519PublicKey::from_hex(key).map_err(|e| format!("{a:?}: public key: {e}"))?;
            attest_verifier::crypto::StrictVerifyingKey::new(key).map_err(|e| format!("{a:?}: public key: {e}"))?;
            if map.insert(id.to_string(), key).is_some() {
                return Err(format!("installation {id:?} given twice"));
            }
        }
        Ok(Self(map))
    }

    /// The registered key of `id`.
    pub fn key(&self, id: &str) -> Option<&Ed25519PublicKey> {
        self.0.get(id)
    }

    /// Whether none is registered.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The lock around check-and-persist of the Attesto endpoints.
pub(crate) static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn refuse(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(status, code, message)
}

fn header<'h>(h: &'h HeaderMap, name: &str) -> Result<&'h str, ApiError> {
    let v =
        h.get(name).ok_or_else(|| refuse(StatusCode::BAD_REQUEST, "missing-header", format!("no {name} header")))?;
    v.to_str().map_err(|_| refuse(StatusCode::BAD_REQUEST, "bad-header", format!("{name} is not ASCII")))
}

fn registered<'a>(state: &'a AppState, id: &str) -> Result<&'a Ed25519PublicKey, ApiError> {
    state.verification.attesto.key(id).ok_or_else(|| {
        refuse(StatusCode::FORBIDDEN, "unregistered", format!("installation {id:?} is not registered with this ledger"))
    })
}

/// Appends an entry (or finds it: the same bytes are one entry) and proves it.
async fn log_entry(state: &AppState, entry: NewEntry) -> Result<serde_json::Value, ApiError> {
    let leaf = entry.leaf_hash;
    let known = {
        let t = state.tree.read().unwrap_or_else(PoisonError::into_inner);
        t.index_of(&leaf).map(|i| (i, t.checkpoint(), t.size()))
    };
    let (index, checkpoint, size) = match known {
        Some(k) => k,
        None => {
            let doc_type = entry.doc_type.clone();
            let ack = state.sequencer.submit(entry).await.map_err(|e| {
                let mut err =
                    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", format!("not appended: {e}"));
                err.retry_after = Some(1);
                err
            })?;
            if !ack.existing {
                state.metrics.appended(&doc_type);
            }
            (ack.index, ack.checkpoint, ack.tree_size)
        }
    };
    proof_at(state, index, leaf, checkpoint, size)
}

/// The ledger part of an answer: index, leaf hash, checkpoint, inclusion proof.
fn proof_at(
    state: &AppState,
    index: u64,
    leaf: attest_verifier::types::Sha256Digest,
    checkpoint: std::sync::Arc<str>,
    size: u64,
) -> Result<serde_json::Value, ApiError> {
    let tree = state.tree.read().unwrap_or_else(PoisonError::into_inner);
    let proof = tree.inclusion_proof(index, size).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(json!({
        "index": index,
        "leafHash": leaf.to_hex(),
        "checkpoint": &*checkpoint,
        "inclusionProof": proof.iter().map(|h| h.to_hex()).collect::<Vec<_>>(),
        "treeSize": size,
    }))
}

/// The stored entry at `index`, proved against the latest checkpoint.
fn proof_of_stored(state: &AppState, index: u64) -> Result<serde_json::Value, ApiError> {
    let (leaf, checkpoint, size) = {
        let t = state.tree.read().unwrap_or_else(PoisonError::into_inner);
        let leaf = t.leaf(index).ok_or_else(|| ApiError::internal(format!("entry {index} is not in the tree")))?;
        (leaf, t.checkpoint(), t.size())
    };
    proof_at(state, index, leaf, checkpoint, size)
}

fn entry(doc_type: &str, bytes: Vec<u8>, stream: &str, key: &Ed25519PublicKey) -> Result<NewEntry, ApiError> {
    if bytes.len() > crate::http::MAX_ENTRY_BYTES {
        return Err(refuse(StatusCode::PAYLOAD_TOO_LARGE, "too-large", "the entry is over 65,535 bytes"));
    }
    Ok(NewEntry {
        leaf_hash: merkle::leaf_hash(&bytes),
        bytes,
        doc_type: doc_type.to_string(),
        fields: SearchFields {
            stream: Some(stream.to_string()),
            signer_key_id: Some(key.key_id().to_hex()),
            ..SearchFields::default()
        },
    })
}

/// The answer the package's acknowledgement check accepts (attesto-local-vault.md §3, rules 1–11).
fn relay_answer(req: &RelayRequest, ledger: serde_json::Value, replayed: bool) -> serde_json::Value {
    let env = req.envelope();
    let event_hash = env.payload_sha256().to_hex();
    let payload = AValue::Object(vec![
        ("event_id".into(), AValue::Str(receipt_event_id(env.installation_id(), env.source_ref()))),
        ("event_hash".into(), AValue::Str(event_hash.clone())),
        ("installation_id".into(), AValue::Str(env.installation_id().into())),
        ("stream_id".into(), AValue::Str(env.stream_id().into())),
        ("source_ref".into(), AValue::Str(env.source_ref().into())),
        (
            "ledger_leaf_hash".into(),
            AValue::Str(ledger.get("leafHash").and_then(serde_json::Value::as_str).unwrap_or_default().into()),
        ),
    ]);
    let canonical = ajson::canonical(&payload, FloatRule::Refuse).unwrap_or_default();
    let receipt_hash = attest_verifier::crypto::sha256(&canonical).to_hex();
    let payload_json: serde_json::Value = serde_json::from_slice(&canonical).unwrap_or_default();
    json!({
        "localVaultAck": {
            "accepted": true,
            "installationId": env.installation_id(),
            "eventId": env.event_id(),
            "sourceRef": env.source_ref(),
            "envelopeHash": req.signed().hash().to_hex(),
        },
        "streamId": env.stream_id(),
        "eventHash": event_hash,
        "receipt": {"payload": payload_json, "receiptHash": receipt_hash},
        "replayed": replayed,
        "ledger": ledger,
    })
}

/// `POST /v2/local-vault/installations/{id}/relay`.
pub(crate) async fn relay(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let key = *registered(&state, &id)?;
    let (h_hash, h_sig, h_key) = (
        header(&headers, HEADER_ENVELOPE_HASH)?,
        header(&headers, HEADER_SIGNATURE)?,
        header(&headers, HEADER_PUBLIC_KEY)?,
    );
    let req = parse_relay_parts(h_hash, h_sig, h_key, &body)
        .map_err(|e| refuse(StatusCode::BAD_REQUEST, "malformed", format!("relay request: {e}")))?;
    let env = req.envelope();
    if env.installation_id() != id {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "installation-mismatch",
            format!("the envelope's installation_id {:?} is not {id:?}", env.installation_id()),
        ));
    }
    // Against the registered key: signature, envelope hash, payload (docs/spec.md §12.7).
    let req = match verify_relay_under(req, &key) {
        Ok(v) => v.into_inner().into_request(),
        Err(e) => {
            let (status, code) = match e {
                AttestoError::Signature { .. } => (StatusCode::UNAUTHORIZED, "bad-signature"),
                AttestoError::Hash { .. } => (StatusCode::BAD_REQUEST, "envelope-hash-mismatch"),
                _ => (StatusCode::UNPROCESSABLE_ENTITY, "payload-mismatch"),
            };
            return Err(refuse(status, code, format!("relay request of {id:?}: {e}")));
        }
    };
    let env = req.envelope();
    if *req.header_key() != key {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "key-mismatch",
            format!("{HEADER_PUBLIC_KEY} is not the key registered for {id:?}"),
        ));
    }
    // Verified: the request as a relay-request document (the log's entry).
    let doc = json!({
        "type": RELAY_REQUEST_TYPE,
        "headers": {HEADER_ENVELOPE_HASH: h_hash, HEADER_SIGNATURE: h_sig, HEADER_PUBLIC_KEY: h_key},
        "body": String::from_utf8_lossy(&body),
    });
    let value = attest_verifier::doc::parse_json(doc.to_string().as_bytes())
        .map_err(|e| ApiError::internal(format!("relay document: {e}")))?;
    let bytes = attest_json::to_canonical_vec(&value);
    let _guard = LOCK.lock().await;
    let s = state.clone();
    let (inst, stream, src) = (id.clone(), env.stream_id().to_string(), env.source_ref().to_string());
    let existing = crate::http::blocking(move || {
        s.store.lock().unwrap_or_else(PoisonError::into_inner).attesto_relay(&inst, &stream, &src).map_err(store_err)
    })
    .await?;
    if let Some(row) = existing {
        if row.payload_sha256 != env.payload_sha256().to_hex() {
            return Err(refuse(
                StatusCode::CONFLICT,
                "payload-drift",
                format!(
                    "source_ref {:?} of stream {:?} was accepted with payload_sha256 {}, not {}",
                    env.source_ref(),
                    env.stream_id(),
                    row.payload_sha256,
                    env.payload_sha256()
                ),
            ));
        }
        let ledger = proof_of_stored(&state, row.entry_index)?;
        return Ok((StatusCode::OK, axum::Json(relay_answer(&req, ledger, true))).into_response());
    }
    let ledger = log_entry(&state, entry(RELAY_REQUEST_TYPE, bytes, env.stream_id(), &key)?).await?;
    let row = AttestoRelay {
        installation_id: id,
        stream_id: env.stream_id().to_string(),
        source_ref: env.source_ref().to_string(),
        payload_sha256: env.payload_sha256().to_hex(),
        entry_index: ledger.get("index").and_then(serde_json::Value::as_u64).unwrap_or_default(),
    };
    let s = state.clone();
    crate::http::blocking(move || {
        s.store.lock().unwrap_or_else(PoisonError::into_inner).put_attesto_relay(&row).map_err(store_err)
    })
    .await?;
    Ok((StatusCode::CREATED, axum::Json(relay_answer(&req, ledger, false))).into_response())
}

fn store_err(e: crate::store::StoreError) -> ApiError {
    let mut err = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", format!("database: {e}"));
    err.retry_after = Some(1);
    err
}

/// What a witness submission holds.
enum Witnessed {
    Receipt(Box<WitnessReceipt>, Vec<u8>),
    Fork(Box<attest_verifier::attesto::claim::ForkClaim>, Vec<u8>),
}

/// The document of a witness submission: `witness-checkpoint`'s output
/// (`receipt` or `forkEvidence`, exactly one non-null) or the document alone.
fn witnessed(body: &[u8]) -> Result<Witnessed, ApiError> {
    let bad = |m: String| refuse(StatusCode::BAD_REQUEST, "malformed", m);
    let v = ajson::parse(body).map_err(|e| bad(format!("not strict JSON: {e}")))?;
    let doc = match (v.get("receipt"), v.get("forkEvidence")) {
        (Some(r), Some(AValue::Null)) if !matches!(r, AValue::Null) => r.clone(),
        (Some(AValue::Null), Some(f)) if !matches!(f, AValue::Null) => f.clone(),
        (None, None) => v,
        _ => return Err(bad("the output holds neither one receipt nor one forkEvidence".into())),
    };
    let bytes = ajson::canonical(&doc, FloatRule::Refuse).map_err(|p| bad(format!("a float at {p}")))?;
    if doc.get("witness_receipt_id").is_some() {
        let r = parse_witness_receipt_value(&doc).map_err(|e| bad(format!("witness receipt: {e}")))?;
        Ok(Witnessed::Receipt(Box::new(r), bytes))
    } else if doc.get("fork_evidence_id").is_some() {
        let f = parse_fork_claim_value(&doc).map_err(|e| bad(format!("fork evidence: {e}")))?;
        Ok(Witnessed::Fork(Box::new(f), bytes))
    } else {
        Err(bad("neither a witness receipt nor fork evidence".into()))
    }
}

fn unverified(what: &str, why: impl Into<String>) -> ApiError {
    refuse(StatusCode::UNPROCESSABLE_ENTITY, "invalid", format!("{what}: {}", why.into()))
}

/// `POST /v2/local-vault/installations/{id}/witness/checkpoints`.
pub(crate) async fn witness(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let key = *registered(&state, &id)?;
    match witnessed(&body)? {
        Witnessed::Fork(f, bytes) => {
            let f = verify_claim_under(*f, &key).map_err(|e| unverified("fork evidence", e.to_string()))?.into_inner();
            let f = f.claim();
            if f.witness_id() != id {
                return Err(unverified("fork evidence", format!("witness_id {:?} is not {id:?}", f.witness_id())));
            }
            let ledger = log_entry(&state, entry(FORK_EVIDENCE_KIND, bytes, f.stream_id(), &key)?).await?;
            Ok((StatusCode::CREATED, axum::Json(json!({"accepted": true, "forkEvidence": true, "ledger": ledger})))
                .into_response())
        }
        Witnessed::Receipt(r, bytes) => {
            let r =
                verify_receipt_under(*r, &key).map_err(|e| unverified("witness receipt", e.to_string()))?.into_inner();
            let r = r.receipt();
            let st = r.statement();
            if st.witness_id() != id {
                return Err(unverified("witness receipt", format!("witness_id {:?} is not {id:?}", st.witness_id())));
            }
            let _guard = LOCK.lock().await;
            let (w, t, s_id, seq) = (
                st.witness_id().to_string(),
                st.tenant_id().to_string(),
                st.stream_id().to_string(),
                st.checkpoint_seq_no().as_str().to_string(),
            );
            let s = state.clone();
            let (at_seq, head) = crate::http::blocking(move || {
                let mut store = s.store.lock().unwrap_or_else(PoisonError::into_inner);
                let at = store.attesto_checkpoint(&w, &t, &s_id, &seq).map_err(store_err)?;
                let head = store.attesto_head(&w, &t, &s_id).map_err(store_err)?;
                Ok((at, head))
            })
            .await?;
            let hash = st.checkpoint_hash().to_hex();
            let conflict = |m: String| refuse(StatusCode::CONFLICT, "conflicting-checkpoint", m);
            if let Some(at) = at_seq {
                if at.checkpoint_hash != hash {
                    return Err(conflict(format!(
                        "seq {} was accepted with checkpoint_hash {}, not {hash}",
                        at.seq, at.checkpoint_hash
                    )));
                }
                let ledger = proof_of_stored(&state, at.entry_index)?;
                let answer = json!({"accepted": true, "replayed": true, "statementHash": r.signed().hash().to_hex(), "ledger": ledger});
                return Ok((StatusCode::OK, axum::Json(answer)).into_response());
            }
            if let Some(h) = &head {
                let head_seq = attest_verifier::attesto::SeqNo::from_digits(&h.seq);
                if head_seq.as_ref().is_some_and(|hs| st.checkpoint_seq_no() < hs) {
                    return Err(conflict(format!(
                        "seq {} is below the head seq {} (stale)",
                        st.checkpoint_seq_no(),
                        h.seq
                    )));
                }
                if st.previous_checkpoint_hash().map(|p| p.to_hex()) != Some(h.checkpoint_hash.clone()) {
                    return Err(conflict(format!(
                        "seq {} does not extend the head seq {} (previous_checkpoint_hash is not {})",
                        st.checkpoint_seq_no(),
                        h.seq,
                        h.checkpoint_hash
                    )));
                }
            }
            let ledger = log_entry(&state, entry(WITNESS_RECEIPT_KIND, bytes, st.stream_id(), &key)?).await?;
            let row = AttestoCheckpoint {
                witness_id: st.witness_id().to_string(),
                tenant_id: st.tenant_id().to_string(),
                stream_id: st.stream_id().to_string(),
                seq: st.checkpoint_seq_no().as_str().to_string(),
                checkpoint_hash: hash,
                entry_index: ledger.get("index").and_then(serde_json::Value::as_u64).unwrap_or_default(),
            };
            let s = state.clone();
            crate::http::blocking(move || {
                s.store.lock().unwrap_or_else(PoisonError::into_inner).put_attesto_checkpoint(&row).map_err(store_err)
            })
            .await?;
            let answer = json!({"accepted": true, "replayed": false, "statementHash": r.signed().hash().to_hex(), "ledger": ledger});
            Ok((StatusCode::CREATED, axum::Json(answer)).into_response())
        }
    }
}
