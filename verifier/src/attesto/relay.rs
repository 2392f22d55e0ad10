//! Attesto relay requests (the package's `drain-once` POST, domain
//! [`RELAY_DOMAIN`]) and our file format for one captured request.
//!
//! ```text
//! file     = {"type": "attest.attesto-relay-request.v1",
//!             "headers": {"X-Attesto-Local-Vault-Envelope-Hash": hex64,
//!                         "X-Attesto-Local-Vault-Signature": hex128,
//!                         "X-Attesto-Local-Vault-Public-Key": hex64},
//!             "body": "<the request body, exactly as sent, as a JSON string>"}
//! body     = {"envelope": envelope, "payload": object}      (Attesto JSON; the package
//!             sends it ASCII-escaped, which is not A(): it is parsed and A() recomputed)
//! envelope = {protocol "ATTESTO-LOCAL-VAULT-001", protocol_version "0.1", installation_id,
//!             event_id, stream_id, source_ref, payload_sha256 (hex64), payload_size (integer ≥ 0),
//!             attempt (integer ≥ 1), created_at, signed_at}
//! ```
//!
//! Checks: `signer` (the header key pinned, at `signed_at`), `signature`
//! (the header signature over `M(attesto.local_vault.relay, envelope)`),
//! `statement-hash` (the envelope-hash header = SHA-256(M), reason
//! `hash-mismatch`), `canonical-bytes` (`payload_sha256` = hex SHA-256(A(payload))
//! with floats as Python's `repr`, reason `hash-mismatch`; `payload_size` =
//! its length, reason `size-mismatch`). A float in the envelope is refused
//! (`float-not-allowed`).

use attest_json::Value;

use crate::batch::Pending;
use crate::doc::{self, Members, Problem};
use crate::evidence::VerifyContext;
use crate::reason::Reason;
use crate::registry::Document;
use crate::report::{CheckId, Plan, ReportBuilder};
use crate::time::Timestamp;
use crate::types::{Ed25519PublicKey, Sha256Digest};

use super::json::{self, AValue, FloatRule};
use super::{
    hash_check, parse_failed, signature_check, signed_canonical, signer_check, trust_root_check, AttestoParseError,
    HexSignature, Obj, SeqNo, SignedMessage, LOCAL_VAULT_PROTOCOL, LOCAL_VAULT_PROTOCOL_VERSION, RELAY_DOMAIN,
    RELAY_REQUEST_TYPE,
};

/// The envelope-hash header.
pub const HEADER_ENVELOPE_HASH: &str = "X-Attesto-Local-Vault-Envelope-Hash";
/// The signature header.
pub const HEADER_SIGNATURE: &str = "X-Attesto-Local-Vault-Signature";
/// The public-key header.
pub const HEADER_PUBLIC_KEY: &str = "X-Attesto-Local-Vault-Public-Key";

/// Longest receipt event id, in code points, before `source_ref` is replaced by its hash.
pub const MAX_EVENT_ID_CHARS: usize = 160;

const ENVELOPE_MEMBERS: &[&str] = &[
    "protocol",
    "protocol_version",
    "installation_id",
    "event_id",
    "stream_id",
    "source_ref",
    "payload_sha256",
    "payload_size",
    "attempt",
    "created_at",
    "signed_at",
];

/// Checks of a relay request, in report order.
pub const RELAY_PLAN: Plan = Plan {
    doc_type: RELAY_REQUEST_TYPE,
    checks: &[
        (CheckId::Parse, true),
        (CheckId::TrustRoot, false),
        (CheckId::Signer, true),
        (CheckId::Signature, true),
        (CheckId::StatementHash, true),
        (CheckId::CanonicalBytes, true),
    ],
};

/// The signed relay envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    installation_id: String,
    event_id: String,
    stream_id: String,
    source_ref: String,
    payload_sha256: Sha256Digest,
    payload_size: SeqNo,
    attempt: SeqNo,
    created_at: Timestamp,
    signed_at: Timestamp,
}

impl Envelope {
    /// The installation.
    pub fn installation_id(&self) -> &str {
        &self.installation_id
    }
    /// The spool item's id (`lv_…`), echoed in the acknowledgement.
    pub fn event_id(&self) -> &str {
        &self.event_id
    }
    /// The stream.
    pub fn stream_id(&self) -> &str {
        &self.stream_id
    }
    /// The source reference (the idempotency key with the stream).
    pub fn source_ref(&self) -> &str {
        &self.source_ref
    }
    /// `payload_sha256`.
    pub fn payload_sha256(&self) -> Sha256Digest {
        self.payload_sha256
    }
    /// `payload_size`.
    pub fn payload_size(&self) -> &SeqNo {
        &self.payload_size
    }
    /// `attempt` (1 on the first try; each retry is signed anew).
    pub fn attempt(&self) -> &SeqNo {
        &self.attempt
    }
    /// Enqueue time.
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }
    /// Send time.
    pub fn signed_at(&self) -> Timestamp {
        self.signed_at
    }
}

/// A parsed relay request (nothing verified yet).
#[derive(Debug, Clone)]
pub struct RelayRequest {
    envelope: Envelope,
    payload: AValue,
    payload_canonical: Vec<u8>,
    header_hash: Sha256Digest,
    header_signature: HexSignature,
    header_key: Ed25519PublicKey,
    signed: SignedMessage,
}

impl RelayRequest {
    /// The envelope.
    pub fn envelope(&self) -> &Envelope {
        &self.envelope
    }
    /// The payload (user data).
    pub fn payload(&self) -> &AValue {
        &self.payload
    }
    /// `A(payload)`, floats as Python's `repr`.
    pub fn payload_canonical(&self) -> &[u8] {
        &self.payload_canonical
    }
    /// The envelope-hash header.
    pub fn header_hash(&self) -> Sha256Digest {
        self.header_hash
    }
    /// The public-key header (self-asserted).
    pub fn header_key(&self) -> &Ed25519PublicKey {
        &self.header_key
    }
    /// The signature header.
    pub fn header_signature(&self) -> &HexSignature {
        &self.header_signature
    }
    /// `M(attesto.local_vault.relay, envelope)` and its hash.
    pub fn signed(&self) -> &SignedMessage {
        &self.signed
    }

    /// Whether the header signature verifies under `key` (a receiver's registered key).
    pub fn signature_verifies_under(&self, key: &Ed25519PublicKey) -> bool {
        crate::crypto::ed25519_verify_strict(key, self.signed.message(), self.header_signature.signature())
    }

    /// Whether `payload_sha256` and `payload_size` describe `A(payload)`.
    pub fn payload_matches(&self) -> bool {
        self.payload_mismatch().is_none()
    }

    fn payload_mismatch(&self) -> Option<(Reason, String)> {
        let hash = crate::crypto::sha256(&self.payload_canonical);
        if hash != self.envelope.payload_sha256 {
            return Some((
                Reason::HashMismatch,
                format!("payload_sha256 is {}, SHA-256(A(payload)) is {hash}", self.envelope.payload_sha256),
            ));
        }
        let size = self.payload_canonical.len().to_string();
        if size != self.envelope.payload_size.as_str() {
            return Some((
                Reason::SizeMismatch,
                format!("payload_size is {}, A(payload) has {size} bytes", self.envelope.payload_size),
            ));
        }
        None
    }
}

/// The receipt's `payload.event_id` the package requires for a delivery:
/// `local-vault:{installation_id}:{source_ref}`, or with the lowercase hex
/// SHA-256 of `source_ref` in its place when that string exceeds
/// [`MAX_EVENT_ID_CHARS`] code points.
pub fn receipt_event_id(installation_id: &str, source_ref: &str) -> String {
    let plain = format!("local-vault:{installation_id}:{source_ref}");
    if plain.chars().count() > MAX_EVENT_ID_CHARS {
        format!("local-vault:{installation_id}:{}", crate::crypto::sha256(source_ref.as_bytes()))
    } else {
        plain
    }
}

fn header<T, E: Into<Problem>>(
    headers: &Members<'_>,
    name: &str,
    f: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, AttestoParseError> {
    Ok(headers.parse_str(name, f)?)
}

/// Parses a relay request from its three header values and body bytes (a
/// receiver's entry point; a problem in the body is reported at its path
/// under `$.body`).
pub fn parse_relay_parts(
    envelope_hash: &str,
    signature: &str,
    public_key: &str,
    body: &[u8],
) -> Result<RelayRequest, AttestoParseError> {
    let bad = |name: &str, e: crate::types::EncodingError| {
        AttestoParseError::Document(doc::DocumentError::Member {
            path: json::member_path("$.headers", name),
            problem: Problem::Encoding(e),
        })
    };
    let header_hash = Sha256Digest::from_hex(envelope_hash).map_err(|e| bad(HEADER_ENVELOPE_HASH, e))?;
    let header_signature = HexSignature::from_hex(signature).map_err(|e| bad(HEADER_SIGNATURE, e))?;
    let header_key = Ed25519PublicKey::from_hex(public_key).map_err(|e| bad(HEADER_PUBLIC_KEY, e))?;
    parse_body(body, header_hash, header_signature, header_key)
}

fn under_body(mut e: AttestoParseError) -> AttestoParseError {
    let fix = |p: &mut String| *p = format!("$.body{}", p.strip_prefix('$').unwrap_or(p));
    match &mut e {
        AttestoParseError::Document(doc::DocumentError::Json(j)) => fix(&mut j.path),
        AttestoParseError::Document(doc::DocumentError::Member { path, .. }) => fix(path),
        AttestoParseError::Float { path, .. } => fix(path),
    }
    e
}

fn parse_body(
    body: &[u8],
    header_hash: Sha256Digest,
    header_signature: HexSignature,
    header_key: Ed25519PublicKey,
) -> Result<RelayRequest, AttestoParseError> {
    let inner = || -> Result<RelayRequest, AttestoParseError> {
        let v = json::parse(body)?;
        let top = Obj::of(&v, "$")?;
        top.only(&["envelope", "payload"])?;
        let canonical = signed_canonical(top.req("envelope")?, "$.envelope", "a relay envelope")?;
        let e = top.obj("envelope")?;
        e.only(ENVELOPE_MEMBERS)?;
        e.exact("protocol", LOCAL_VAULT_PROTOCOL)?;
        e.exact("protocol_version", LOCAL_VAULT_PROTOCOL_VERSION)?;
        let payload = top.req("payload")?.clone();
        Obj::of(&payload, "$.payload")?;
        let payload_canonical = json::canonical(&payload, FloatRule::PythonRepr).unwrap_or_default();
        Ok(RelayRequest {
            envelope: Envelope {
                installation_id: e.text("installation_id")?.to_string(),
                event_id: e.text("event_id")?.to_string(),
                stream_id: e.text("stream_id")?.to_string(),
                source_ref: e.text("source_ref")?.to_string(),
                payload_sha256: e.hash("payload_sha256")?,
                payload_size: e.int("payload_size", 0)?,
                attempt: e.int("attempt", 1)?,
                created_at: e.time("created_at")?,
                signed_at: e.time("signed_at")?,
            },
            payload,
            payload_canonical,
            header_hash,
            header_signature,
            header_key,
            signed: SignedMessage::new(RELAY_DOMAIN, &canonical),
        })
    };
    inner().map_err(under_body)
}

/// Parses our relay-request file (see the module documentation).
pub fn parse_relay_request_value(v: &Value) -> Result<RelayRequest, AttestoParseError> {
    let m = Members::of(v, "$")?;
    m.expect_type(RELAY_REQUEST_TYPE)?;
    m.only(&["type", "headers", "body"])?;
    let body = m.str("body")?;
    let h = Members::of(m.req("headers")?, "$.headers")?;
    h.only(&[HEADER_ENVELOPE_HASH, HEADER_SIGNATURE, HEADER_PUBLIC_KEY])?;
    for name in [HEADER_ENVELOPE_HASH, HEADER_SIGNATURE, HEADER_PUBLIC_KEY] {
        h.req(name)?;
    }
    let header_hash = header(&h, HEADER_ENVELOPE_HASH, Sha256Digest::from_hex)?;
    let header_signature = header(&h, HEADER_SIGNATURE, HexSignature::from_hex)?;
    let header_key = header(&h, HEADER_PUBLIC_KEY, Ed25519PublicKey::from_hex)?;
    parse_body(body.as_bytes(), header_hash, header_signature, header_key)
}

/// A verified relay request.
#[derive(Debug, Clone)]
pub struct RelayDocument {
    request: RelayRequest,
}

impl RelayDocument {
    /// The request.
    pub fn request(&self) -> &RelayRequest {
        &self.request
    }

    /// The verified request, taken out.
    pub fn into_request(self) -> RelayRequest {
        self.request
    }
}

/// Verifies a relay request under `key` (a receiver's registered key, not
/// the public-key header): `signature`, `statement-hash` (the envelope-hash
/// header), `canonical-bytes` (`payload_sha256`, `payload_size`).
pub fn verify_relay_under(
    request: RelayRequest,
    key: &Ed25519PublicKey,
) -> Result<crate::Verified<RelayDocument>, super::AttestoError> {
    super::signed_under(key, &request.signed, &request.header_signature, HEADER_ENVELOPE_HASH, &request.header_hash)?;
    if let Some((reason, detail)) = request.payload_mismatch() {
        return Err(super::AttestoError::Payload(detail, reason));
    }
    Ok(crate::Verified::new(RelayDocument { request }))
}

/// The registry entry's verification of a relay-request file.
pub(crate) fn verify_value(value: &Value, ctx: &VerifyContext<'_>) -> Pending {
    let req = match parse_relay_request_value(value) {
        Ok(x) => x,
        Err(e) => return parse_failed(RELAY_PLAN, &e),
    };
    let mut r = ReportBuilder::new(RELAY_PLAN);
    r.digest(req.signed.hash());
    let env = &req.envelope;
    r.pass(
        CheckId::Parse,
        format!(
            "well-formed Attesto relay request: installation {:?}, stream {:?}, source_ref {:?}, attempt {}",
            env.installation_id, env.stream_id, env.source_ref, env.attempt
        ),
    );
    if !trust_root_check(&mut r, ctx) {
        return Pending::new(r, None, None);
    }
    let key = req.header_key;
    if !signer_check(&mut r, ctx, &key, "envelope.signed_at", env.signed_at) {
        return Pending::new(r, None, None);
    }
    let mut ok = signature_check(&mut r, &key, &req.signed, &req.header_signature, RELAY_DOMAIN);
    ok &= hash_check(&mut r, HEADER_ENVELOPE_HASH, &req.header_hash, &req.signed);
    match req.payload_mismatch() {
        None => r.pass(
            CheckId::CanonicalBytes,
            format!("payload_sha256 and payload_size ({}) describe A(payload)", env.payload_size),
        ),
        Some((reason, detail)) => {
            ok = false;
            r.fail(CheckId::CanonicalBytes, reason, detail);
        }
    }
    let document = ok.then(|| Document::AttestoRelay(RelayDocument { request: req }));
    Pending::new(r, document, None)
}
