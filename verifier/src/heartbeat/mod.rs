//! Runtime heartbeats (formats.md §7): DSSE-signed periodic attestations of a
//! runtime's configuration, checked one by one and as streams.
//!
//! A heartbeat is a DSSE envelope ([`crate::dsse`]) with `payloadType`
//! [`HEARTBEAT_PAYLOAD_TYPE`] whose payload is the JSON object
//! `attest.runtime-heartbeat.v1` ([`payload`]). Its digest is
//! `SHA-256(PAE(payloadType, payload))`.
//!
//! Checks of one heartbeat, in report order ([`HEARTBEAT_PLAN`]):
//!
//! | check | rule |
//! |---|---|
//! | `parse` | envelope and payload strict (formats.md §0, §7) |
//! | `trust-root` | the chain verifies |
//! | `signer` | a signature's `keyid` names a `heartbeat` key usable at `timestamp` (unknown key ids ignored) |
//! | `signature` | one such key's Ed25519 strict signature over PAE verifies (a key counts once) |
//! | `freshness` | `now − max_age ≤ timestamp ≤ now + max_skew` (in a batch: the upper bound only, see below) |
//! | `policy` | `policy_hash` equals the policy's (skipped without a policy) |
//! | `drift` | `zero_retention` and every pinned member equal the policy's (skipped without a policy) |
//! | `limits` | `current_usage ≤ max_epsilon`, `blocked_requests ≤ total_requests` |
//! | `replay` | in a batch: no `attestation_id` or digest seen before |
//!
//! In a batch (`attest audit`, `attest gate`), heartbeats are history: each
//! is checked against the future bound only, and staleness is the stream's
//! `gap` check at `now` (the newest heartbeat at most `max_gap_seconds` old).
//! Stream checks are in [`stream`].

// Without the `heartbeat` feature the kind is not registered and its verification is unused.
#![cfg_attr(not(feature = "heartbeat"), allow(dead_code, unused_imports))]

pub mod payload;
pub mod stream;

use attest_json::Value;

pub use payload::{
    parse_heartbeat, parse_heartbeat_policy, Config, Counters, EpsilonLimits, Heartbeat, HeartbeatPolicy, Pinned,
    Windows, HEARTBEAT_PAYLOAD_TYPE, HEARTBEAT_POLICY_TYPE, HEARTBEAT_TYPE,
};
pub use stream::{check_streams, DriftEvent, Gap, Health, StreamOptions, StreamReport, STREAM_PLAN};

use crate::batch::{Pending, ReplayKey};
use crate::doc::{err, DocumentError, Problem};
use crate::dsse::{self, Envelope};
use crate::evidence::VerifyContext;
use crate::reason::Reason;
use crate::registry::Document;
use crate::report::{CheckId, Plan, ReportBuilder};
use crate::time::Timestamp;
use crate::trust_root::{KeyUseError, Role};
use crate::types::{Ed25519Signature, KeyId, Sha256Digest};

/// Checks of one heartbeat, in report order.
pub const HEARTBEAT_PLAN: Plan = Plan {
    doc_type: HEARTBEAT_TYPE,
    checks: &[
        (CheckId::Parse, true),
        (CheckId::TrustRoot, true),
        (CheckId::Signer, true),
        (CheckId::Signature, true),
        (CheckId::Freshness, true),
        (CheckId::Policy, false),
        (CheckId::Drift, false),
        (CheckId::Limits, true),
        (CheckId::Replay, false),
    ],
};

/// A verified heartbeat: its envelope, payload and the key whose signature verified.
#[derive(Debug, Clone)]
pub struct HeartbeatDocument {
    envelope: Envelope,
    heartbeat: Heartbeat,
    signer: KeyId,
}

impl HeartbeatDocument {
    /// The envelope.
    pub fn envelope(&self) -> &Envelope {
        &self.envelope
    }
    /// The payload.
    pub fn heartbeat(&self) -> &Heartbeat {
        &self.heartbeat
    }
    /// The heartbeat key whose signature verified.
    pub fn signer(&self) -> KeyId {
        self.signer
    }
    /// `SHA-256(PAE)`.
    pub fn digest(&self) -> Sha256Digest {
        self.envelope.digest()
    }
}

/// What a heartbeat's batch-time checks need, kept by [`Pending`].
#[derive(Debug)]
pub(crate) struct Deferred {
    timestamp: i64,
    windows: Windows,
    /// The payload, when a signature verified (only such heartbeats take part in stream checks).
    pub(crate) signed: Option<Heartbeat>,
}

/// Parses an envelope and its heartbeat payload.
pub fn parse_heartbeat_envelope(bytes: &[u8]) -> Result<(Envelope, Heartbeat), DocumentError> {
    parse_envelope_value(&crate::doc::parse_json(bytes)?)
}

fn parse_envelope_value(v: &Value) -> Result<(Envelope, Heartbeat), DocumentError> {
    let envelope = dsse::parse_envelope_value(v)?;
    if envelope.payload_type() != HEARTBEAT_PAYLOAD_TYPE {
        return err(
            "$.payloadType",
            Problem::DocumentType { expected: HEARTBEAT_PAYLOAD_TYPE, found: envelope.payload_type().to_string() },
        );
    }
    let heartbeat = parse_heartbeat(envelope.payload())?;
    Ok((envelope, heartbeat))
}

/// A number as JSON (ES6) text, through the canonicalizer's formatter (Rust's
/// float formatting would cost the WASM module ~20 KB).
fn es6(f: f64) -> String {
    attest_json::to_canonical_string(&Value::Number(attest_json::Number::Float(f)))
}

/// The time windows of a verification: the policy's, or the defaults.
fn windows(ctx: &VerifyContext<'_>) -> Windows {
    ctx.evidence.heartbeat_policy.as_ref().map(HeartbeatPolicy::windows).unwrap_or_default()
}

/// The `freshness` check. With `history` (a batch), only the upper bound.
pub(crate) fn freshness(r: &mut ReportBuilder, d: &Deferred, now: Timestamp, history: bool) {
    let now = now.unix_seconds();
    let ts = d.timestamp;
    let w = d.windows;
    let latest = now.saturating_add(i64::try_from(w.max_skew_seconds).unwrap_or(i64::MAX));
    let earliest = now.saturating_sub(i64::try_from(w.max_age_seconds).unwrap_or(i64::MAX));
    let at = |t: i64| Timestamp::from_unix(t, 0).to_rfc3339();
    if ts > latest {
        r.fail(
            CheckId::Freshness,
            Reason::FromFuture,
            format!(
                "timestamp {} is {} s after now {} (max_skew_seconds {})",
                at(ts),
                ts - now,
                at(now),
                w.max_skew_seconds
            ),
        );
    } else if history {
        r.pass(
            CheckId::Freshness,
            format!("timestamp {} not after now + max_skew; staleness is the stream's gap check", at(ts)),
        );
    } else if ts < earliest {
        r.fail(
            CheckId::Freshness,
            Reason::Stale,
            format!(
                "timestamp {} is {} s before now {} (max_age_seconds {})",
                at(ts),
                now - ts,
                at(now),
                w.max_age_seconds
            ),
        );
    } else {
        r.pass(
            CheckId::Freshness,
            format!("timestamp {} within [now − {} s, now + {} s]", at(ts), w.max_age_seconds, w.max_skew_seconds),
        );
    }
}

/// The registry entry's verification of a heartbeat envelope.
#[cfg(feature = "heartbeat")]
pub(crate) fn verify_value(value: &Value, ctx: &VerifyContext<'_>) -> Pending {
    let mut r = ReportBuilder::new(HEARTBEAT_PLAN);
    let (envelope, hb) = match parse_envelope_value(value) {
        Ok(x) => x,
        Err(e) => return Pending::from_document_error(r, &e),
    };
    r.digest(envelope.digest());
    r.pass(
        CheckId::Parse,
        format!("well-formed {HEARTBEAT_TYPE} stream {:?} boot {:?} seq {}", hb.stream, hb.boot_id, hb.seq),
    );
    let Some(chain) = ctx.chain_or_halt(&mut r) else { return Pending::new(r, None, None) };
    r.pass(CheckId::TrustRoot, format!("newest trust root version {}", chain.newest().version()));
    let root = chain.newest();
    let at = Timestamp::from_unix(hb.timestamp, 0);

    // signer: the signatures whose keyid names a usable heartbeat key (each key once).
    let mut usable: Vec<(KeyId, &crate::crypto::StrictVerifyingKey, &[u8])> = Vec::new();
    let mut refusal: Option<KeyUseError> = None;
    for s in envelope.signatures() {
        let Some(id) = s.key_id() else { continue };
        if root.key(&id).is_none() || usable.iter().any(|(k, _, _)| *k == id) {
            continue;
        }
        match root.usable_key(&id, Role::Heartbeat, at) {
            Ok(entry) => match entry.ed25519() {
                Some(key) => usable.push((id, key, s.sig())),
                None => {
                    refusal.get_or_insert(KeyUseError::Algorithm {
                        key_id: id,
                        expected: "ed25519",
                        found: entry.public_key().algorithm(),
                    });
                }
            },
            Err(e) => {
                refusal.get_or_insert(e);
            }
        }
    }
    if usable.is_empty() {
        match refusal {
            Some(e) => {
                r.fail(CheckId::Signer, e.reason(), format!("{e} (at the heartbeat's timestamp {})", at.to_rfc3339()))
            }
            None => {
                let mut ids = String::new();
                for s in envelope.signatures() {
                    if !ids.is_empty() {
                        ids.push_str(", ");
                    }
                    ids.push_str(&format!("{:?}", s.keyid()));
                }
                r.fail(
                    CheckId::Signer,
                    Reason::UnknownKey,
                    format!("no signature names a key of the trust root (keyids: {ids})"),
                )
            }
        }
    } else {
        let mut ids = String::new();
        for (k, _, _) in &usable {
            if !ids.is_empty() {
                ids.push_str(", ");
            }
            ids.push_str(&k.to_hex());
        }
        r.pass(CheckId::Signer, format!("heartbeat key(s) {ids} usable at {}", at.to_rfc3339()));
    }

    // signature: one usable key's signature verifies over PAE.
    let mut signer = None;
    let mut encoding_only = !usable.is_empty();
    for (id, key, sig) in &usable {
        let Ok(bytes) = <[u8; 64]>::try_from(*sig) else { continue };
        encoding_only = false;
        if key.verify(envelope.pae(), &Ed25519Signature::from_bytes(bytes)) {
            signer = Some(*id);
            break;
        }
    }
    // tee: the key whose signature verified is TEE-bound: a verified binding
    // must cover the heartbeat's timestamp.
    #[cfg(feature = "tee")]
    if let Some(entry) = signer.and_then(|id| root.key(&id)) {
        ctx.tee_check(&mut r, root, entry, "timestamp", at);
    }
    match (signer, usable.is_empty()) {
        (Some(id), _) => r.pass(CheckId::Signature, format!("Ed25519 signature by {id} over PAE verifies (strict)")),
        (None, true) => r.skip(CheckId::Signature, "no usable heartbeat key signed"),
        (None, false) if encoding_only => {
            r.fail(CheckId::Signature, Reason::SignatureEncoding, "the heartbeat key's sig is not 64 bytes")
        }
        (None, false) => r.fail(
            CheckId::Signature,
            Reason::BadSignature,
            "no signature by a usable heartbeat key verifies over PAE(payloadType, payload)",
        ),
    }

    match ctx.evidence.heartbeat_policy.as_ref() {
        None => {
            r.skip(CheckId::Policy, "no heartbeat policy given (--heartbeat-policy)");
            r.skip(CheckId::Drift, "no heartbeat policy given (--heartbeat-policy)");
        }
        Some(p) => {
            if hb.config.policy_hash == p.policy_hash {
                r.pass(CheckId::Policy, format!("policy_hash {} is the policy's", p.policy_hash));
            } else {
                r.fail(
                    CheckId::Policy,
                    Reason::PolicyMismatch,
                    format!("policy_hash {} differs from the policy's {}", hb.config.policy_hash, p.policy_hash),
                );
            }
            match p.mismatch(&hb.config) {
                None => r.pass(CheckId::Drift, "zero_retention and every pinned member equal the policy's"),
                Some((member, want, got)) => {
                    r.fail(CheckId::Drift, Reason::PinnedMismatch, format!("{member} is {got}, the policy pins {want}"))
                }
            }
        }
    }

    let e = hb.epsilon;
    let c = hb.counters;
    if e.current_usage > e.max_epsilon {
        r.fail(
            CheckId::Limits,
            Reason::EpsilonExceeded,
            format!("epsilon_limits.current_usage {} exceeds max_epsilon {}", es6(e.current_usage), es6(e.max_epsilon)),
        );
    } else if c.blocked_requests > c.total_requests {
        r.fail(
            CheckId::Limits,
            Reason::BlockedExceedsTotal,
            format!("blocked_requests {} exceeds total_requests {}", c.blocked_requests, c.total_requests),
        );
    } else {
        r.pass(CheckId::Limits, "current_usage ≤ max_epsilon and blocked_requests ≤ total_requests");
    }

    let replay =
        signer.map(|_| ReplayKey::Heartbeat { attestation_id: hb.attestation_id.clone(), digest: envelope.digest() });
    let deferred = Deferred { timestamp: hb.timestamp, windows: windows(ctx), signed: signer.map(|_| hb.clone()) };
    let document = signer.map(|signer| Document::Heartbeat(HeartbeatDocument { envelope, heartbeat: hb, signer }));
    Pending::new(r, document, replay).with_heartbeat(deferred)
}
