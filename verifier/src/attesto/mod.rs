//! Attesto Local Vault documents (formats.md §10, docs/spec.md §12): the
//! witness receipts, fork evidence and relay requests the real
//! `attesto-local-vault` package (0.2.0) signs.
//!
//! # Byte layout
//!
//! ```text
//! A(x)                  = Attesto canonical bytes (json.rs): Python json.dumps(sort_keys, ensure_ascii=False)
//! M(domain, x)          = utf8(domain) ‖ 0x00 ‖ A(x)
//! hash                  = lowercase hex SHA-256(M(domain, x))          (statement_hash, evidence_hash, envelope hash)
//! signature_hex         = 128 lowercase hex: Ed25519 (strict) over M(domain, x)
//! public_key_hex        = 64 lowercase hex: the raw Ed25519 key
//!
//! witness receipt       domain "attesto.v2.witness"        (WITNESS_DOMAIN), x = statement
//! fork evidence         domain "attesto.v2.fork"           (FORK_DOMAIN),    x = evidence
//! relay envelope        domain "attesto.local_vault.relay" (RELAY_DOMAIN),   x = body.envelope
//! ```
//!
//! The documents have no `type` member: the registry tells a receipt by its
//! members `witness_receipt_id` and `statement`, fork evidence by
//! `fork_evidence_id` and `evidence`. A relay request is a file of our own
//! format, [`RELAY_REQUEST_TYPE`] (see [`relay`]).
//!
//! # Trust
//!
//! Each document embeds its public key; that key is self-asserted. It is
//! trusted iff the caller pinned it ([`crate::Evidence::attesto_keys`],
//! `--attesto-key HEX`) or the newest verified trust root lists it (keyId =
//! SHA-256 of its 32 bytes) as an Ed25519 key with role `witness`, usable at
//! the document's time (check `signer`). With neither, `signer` fails with
//! `no-pinned-key`: nothing is trusted on the document's word.
//!
//! The registry entries are the `attesto` feature (on natively); without it
//! (the WASM modules, for their size budget) the types and checks compile
//! but no document reaches them.

// Without the feature the registry's report paths are unused.
#![cfg_attr(not(feature = "attesto"), allow(dead_code))]

pub mod audit;
pub mod claim;
pub mod json;
pub mod receipt;
pub mod relay;

use crate::batch::Pending;
use crate::doc::{DocumentError, Problem};
use crate::evidence::VerifyContext;
use crate::reason::Reason;
use crate::report::{CheckId, Plan, ReportBuilder};
use crate::time::Timestamp;
use crate::trust_root::{KeyUseError, Role};
use crate::types::{Ed25519PublicKey, Ed25519Signature, EncodingError, Sha256Digest};

use json::{AValue, FloatRule};

/// Signing domain of a witness receipt's `statement`.
pub const WITNESS_DOMAIN: &str = "attesto.v2.witness";
/// Signing domain of fork evidence's `evidence`.
pub const FORK_DOMAIN: &str = "attesto.v2.fork";
/// Signing domain of a relay envelope.
pub const RELAY_DOMAIN: &str = "attesto.local_vault.relay";
/// `type` of our relay-request file (a captured request: headers and body).
pub const RELAY_REQUEST_TYPE: &str = "attest.attesto-relay-request.v1";
/// `protocol` of witness statements and fork evidence.
pub const PROOFSTREAM_PROTOCOL: &str = "ATTESTO-PROOFSTREAM-001";
/// `protocol_version` of witness statements and fork evidence.
pub const PROOFSTREAM_PROTOCOL_VERSION: &str = "0.1-alpha";
/// `protocol` of relay envelopes.
pub const LOCAL_VAULT_PROTOCOL: &str = "ATTESTO-LOCAL-VAULT-001";
/// `protocol_version` of relay envelopes.
pub const LOCAL_VAULT_PROTOCOL_VERSION: &str = "0.1";

/// The report's `type` of a witness receipt (the documents have none; this is its signing domain).
pub const WITNESS_RECEIPT_KIND: &str = WITNESS_DOMAIN;
/// The report's `type` of fork evidence (its signing domain).
pub const FORK_EVIDENCE_KIND: &str = FORK_DOMAIN;

/// `M(domain, x) = utf8(domain) ‖ 0x00 ‖ A(x)`: the bytes an Attesto key signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedMessage {
    message: Vec<u8>,
    hash: Sha256Digest,
}

impl SignedMessage {
    /// The message of `canonical` (= `A(x)`) under `domain`.
    pub fn new(domain: &str, canonical: &[u8]) -> Self {
        let mut message = Vec::with_capacity(domain.len() + 1 + canonical.len());
        message.extend_from_slice(domain.as_bytes());
        message.push(0);
        message.extend_from_slice(canonical);
        let hash = crate::crypto::sha256(&message);
        Self { message, hash }
    }

    /// The signed bytes.
    pub fn message(&self) -> &[u8] {
        &self.message
    }

    /// `A(x)`: the message without its domain prefix.
    pub fn canonical(&self) -> &[u8] {
        let skip = self.message.iter().position(|&b| b == 0).map_or(0, |p| p + 1);
        self.message.get(skip..).unwrap_or_default()
    }

    /// SHA-256 of the message (what the documents call the statement, evidence or envelope hash).
    pub fn hash(&self) -> Sha256Digest {
        self.hash
    }
}

/// An Attesto signature: 128 lowercase hex characters (64 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HexSignature(Ed25519Signature);

impl HexSignature {
    /// Parses 128 lowercase hex characters.
    pub fn from_hex(s: &str) -> Result<Self, EncodingError> {
        crate::types::decode_lower_hex::<64>(s).map(|b| Self(Ed25519Signature::from_bytes(b)))
    }

    /// The signature.
    pub fn signature(&self) -> &Ed25519Signature {
        &self.0
    }

    /// The 128 lowercase hex characters.
    pub fn to_hex(&self) -> String {
        crate::types::to_lower_hex(self.0.as_bytes())
    }
}

/// The unsigned `signature` / `public_key` blocks of receipts and fork
/// evidence (`{alg, kid, key_epoch, signature_hex | public_key_hex}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBlocks {
    signature: HexSignature,
    signature_kid: String,
    signature_key_epoch: String,
    public_key: Ed25519PublicKey,
    public_key_kid: String,
    public_key_key_epoch: String,
}

impl KeyBlocks {
    /// `signature.signature_hex`.
    pub fn signature(&self) -> &HexSignature {
        &self.signature
    }

    /// `signature.kid` (unsigned metadata).
    pub fn kid(&self) -> &str {
        &self.signature_kid
    }

    /// `public_key.public_key_hex`: the self-asserted key.
    pub fn public_key(&self) -> &Ed25519PublicKey {
        &self.public_key
    }

    /// The first disagreement between the blocks' `kid`/`key_epoch` values, if any.
    fn kid_disagreement(&self) -> Option<String> {
        let k = &self.signature_kid;
        [
            ("signature.key_epoch", &self.signature_key_epoch),
            ("public_key.kid", &self.public_key_kid),
            ("public_key.key_epoch", &self.public_key_key_epoch),
        ]
        .into_iter()
        .find(|(_, v)| *v != k)
        .map(|(name, v)| format!("{name} {v:?} differs from signature.kid {k:?}"))
    }

    fn parse(top: &Obj<'_>) -> Result<Self, AttestoParseError> {
        let sig = top.obj("signature")?;
        sig.only(&["alg", "kid", "key_epoch", "signature_hex"])?;
        sig.exact("alg", "ed25519")?;
        let key = top.obj("public_key")?;
        key.only(&["alg", "kid", "key_epoch", "public_key_hex"])?;
        key.exact("alg", "ed25519")?;
        Ok(Self {
            signature: sig.parse_str("signature_hex", HexSignature::from_hex)?,
            signature_kid: sig.text("kid")?.to_string(),
            signature_key_epoch: sig.text("key_epoch")?.to_string(),
            public_key: key.parse_str("public_key_hex", Ed25519PublicKey::from_hex)?,
            public_key_kid: key.text("kid")?.to_string(),
            public_key_key_epoch: key.text("key_epoch")?.to_string(),
        })
    }
}

/// Why an Attesto document could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AttestoParseError {
    /// Not strict JSON, or a member of the wrong shape.
    #[error("{0}")]
    Document(#[from] DocumentError),
    /// A float where Attesto's signed objects allow none.
    #[error("{path}: a float is not allowed in {what} (floats appear only in relay payloads)")]
    Float {
        /// The float's JSON path.
        path: String,
        /// The object (`statement`, `evidence`, `envelope`).
        what: &'static str,
    },
}

impl AttestoParseError {
    /// The stable reason.
    pub fn reason(&self) -> Reason {
        match self {
            AttestoParseError::Document(e) => e.reason(),
            AttestoParseError::Float { .. } => Reason::FloatNotAllowed,
        }
    }

    /// The JSON path of the problem.
    pub fn path(&self) -> &str {
        match self {
            AttestoParseError::Document(e) => e.path(),
            AttestoParseError::Float { path, .. } => path,
        }
    }
}

impl From<attest_json::ParseError> for AttestoParseError {
    fn from(e: attest_json::ParseError) -> Self {
        AttestoParseError::Document(DocumentError::Json(e))
    }
}

fn member_err<T>(path: impl Into<String>, problem: impl Into<Problem>) -> Result<T, AttestoParseError> {
    Err(AttestoParseError::Document(DocumentError::Member { path: path.into(), problem: problem.into() }))
}

/// Typed access to an Attesto object's members, with paths.
pub(crate) struct Obj<'a> {
    members: &'a [(String, AValue)],
    path: String,
}

impl<'a> Obj<'a> {
    pub(crate) fn of(v: &'a AValue, path: &str) -> Result<Self, AttestoParseError> {
        match v.as_object() {
            Some(members) => Ok(Self { members, path: path.to_string() }),
            None => member_err(path, Problem::JsonType { expected: "an object" }),
        }
    }

    pub(crate) fn path(&self, key: &str) -> String {
        json::member_path(&self.path, key)
    }

    /// Every member must be one of `allowed`, and every one of them present.
    pub(crate) fn only(&self, allowed: &[&str]) -> Result<(), AttestoParseError> {
        if let Some((k, _)) = self.members.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
            return member_err(self.path(k), Problem::Unknown);
        }
        if let Some(k) = allowed.iter().find(|k| self.get(k).is_none()) {
            return member_err(self.path(k), Problem::Missing);
        }
        Ok(())
    }

    pub(crate) fn get(&self, key: &str) -> Option<&'a AValue> {
        self.members.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub(crate) fn req(&self, key: &str) -> Result<&'a AValue, AttestoParseError> {
        match self.get(key) {
            Some(v) => Ok(v),
            None => member_err(self.path(key), Problem::Missing),
        }
    }

    pub(crate) fn obj(&self, key: &str) -> Result<Obj<'a>, AttestoParseError> {
        Obj::of(self.req(key)?, &self.path(key))
    }

    pub(crate) fn str(&self, key: &str) -> Result<&'a str, AttestoParseError> {
        match self.req(key)? {
            AValue::Str(s) => Ok(s),
            _ => member_err(self.path(key), Problem::JsonType { expected: "a string" }),
        }
    }

    /// A non-empty string.
    pub(crate) fn text(&self, key: &str) -> Result<&'a str, AttestoParseError> {
        match self.str(key)? {
            "" => member_err(self.path(key), Problem::Empty),
            s => Ok(s),
        }
    }

    /// A non-empty string or null.
    pub(crate) fn opt_text(&self, key: &str) -> Result<Option<&'a str>, AttestoParseError> {
        match self.req(key)? {
            AValue::Null => Ok(None),
            _ => self.text(key).map(Some),
        }
    }

    pub(crate) fn exact(&self, key: &str, want: &'static str) -> Result<(), AttestoParseError> {
        match self.str(key)? {
            s if s == want => Ok(()),
            s => member_err(self.path(key), Problem::UnknownValue { found: s.to_string(), expected: want }),
        }
    }

    pub(crate) fn parse_str<T, E: Into<Problem>>(
        &self,
        key: &str,
        f: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, AttestoParseError> {
        f(self.str(key)?).or_else(|e| member_err(self.path(key), e))
    }

    pub(crate) fn hash(&self, key: &str) -> Result<Sha256Digest, AttestoParseError> {
        self.parse_str(key, Sha256Digest::from_hex)
    }

    pub(crate) fn opt_hash(&self, key: &str) -> Result<Option<Sha256Digest>, AttestoParseError> {
        match self.req(key)? {
            AValue::Null => Ok(None),
            _ => self.hash(key).map(Some),
        }
    }

    pub(crate) fn time(&self, key: &str) -> Result<Timestamp, AttestoParseError> {
        self.parse_str(key, Timestamp::parse)
    }

    /// An integer of any size, at least `min` (0 or 1), as exact text.
    pub(crate) fn int(&self, key: &str, min: u8) -> Result<SeqNo, AttestoParseError> {
        match self.req(key)? {
            AValue::Int(digits) => match SeqNo::parse(digits) {
                Some(n) if n.at_least(min) => Ok(n),
                _ => member_err(self.path(key), Problem::BelowMinimum { min: i64::from(min) }),
            },
            _ => member_err(self.path(key), Problem::JsonType { expected: "an integer" }),
        }
    }
}

/// A non-negative integer of any size (a checkpoint sequence number, a
/// payload size), kept as its exact digits. Ordered numerically.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SeqNo(String);

impl SeqNo {
    /// Decimal digits without leading zeros (as stored), or `None`.
    pub fn from_digits(digits: &str) -> Option<Self> {
        Self::parse(digits).filter(|n| n.0 == "0" || !n.0.starts_with('0'))
    }

    fn parse(digits: &str) -> Option<Self> {
        (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| Self(digits.to_string()))
    }

    fn at_least(&self, min: u8) -> bool {
        min == 0 || self.0 != "0"
    }

    /// The exact decimal digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value, if it fits a `u64`.
    pub fn to_u64(&self) -> Option<u64> {
        self.0.parse().ok()
    }
}

impl Ord for SeqNo {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        // No leading zeros: longer is larger, equal lengths compare as text.
        self.0.len().cmp(&other.0.len()).then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for SeqNo {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl core::fmt::Display for SeqNo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `A(x)` of a signed object, refusing floats (`what` names it in the error).
pub(crate) fn signed_canonical(v: &AValue, path: &str, what: &'static str) -> Result<Vec<u8>, AttestoParseError> {
    json::canonical(v, FloatRule::Refuse)
        .map_err(|at| AttestoParseError::Float { path: format!("{path}{}", at.strip_prefix('$').unwrap_or(&at)), what })
}

/// How an Attesto key is pinned (check `signer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pin {
    /// Given by the caller (`--attesto-key`).
    Caller,
    /// A `witness` key of the newest verified trust root.
    TrustRoot {
        /// Its version.
        version: u64,
    },
}

/// Why a document's key is not trusted (check `signer`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PinError {
    /// Nothing pins any key: no `--attesto-key`, no verified trust root.
    #[error("key {key} is not pinned: give --attesto-key HEX or a trust root that lists it as a `witness` key (the embedded public key is self-asserted)")]
    NothingPinned {
        /// The document's key.
        key: Ed25519PublicKey,
    },
    /// Keys are pinned, this one is not among them.
    #[error(
        "key {key} is not pinned: it is none of the --attesto-key keys, nor a usable trust-root `witness` key ({why})"
    )]
    NotPinned {
        /// The document's key.
        key: Ed25519PublicKey,
        /// What the trust root says.
        why: String,
        /// The trust root's reason, when it lists the key but not as usable.
        use_error: Option<Reason>,
    },
}

impl PinError {
    /// The stable reason.
    pub fn reason(&self) -> Reason {
        match self {
            PinError::NothingPinned { .. } => Reason::NoPinnedKey,
            PinError::NotPinned { use_error, .. } => use_error.unwrap_or(Reason::UnknownKey),
        }
    }
}

/// Whether `key` is pinned by the caller's keys or the trust root at time `at`.
pub fn pinned(ctx: &VerifyContext<'_>, key: &Ed25519PublicKey, at: Timestamp) -> Result<Pin, PinError> {
    if ctx.evidence.attesto_keys.contains(key) {
        return Ok(Pin::Caller);
    }
    match ctx.trust {
        Ok(chain) => {
            let root = chain.newest();
            match root.usable_ed25519(&key.key_id(), Role::Witness, at) {
                Ok(_) => Ok(Pin::TrustRoot { version: root.version() }),
                Err(e) => Err(PinError::NotPinned {
                    key: *key,
                    why: format!("trust root version {}: {e}", root.version()),
                    use_error: (!matches!(e, KeyUseError::Unknown { .. })).then(|| e.reason()),
                }),
            }
        }
        Err(_) if ctx.evidence.attesto_keys.is_empty() => Err(PinError::NothingPinned { key: *key }),
        Err(_) => Err(PinError::NotPinned { key: *key, why: "no trust root".to_string(), use_error: None }),
    }
}

/// The `trust-root` check of an Attesto kind: a verified chain passes; no
/// trust root at all is a skip (a key pinned by `--attesto-key` needs none);
/// a given chain that does not verify fails and halts the report.
pub(crate) fn trust_root_check(r: &mut ReportBuilder, ctx: &VerifyContext<'_>) -> bool {
    match ctx.trust {
        Ok(chain) => {
            r.pass(CheckId::TrustRoot, format!("newest trust root version {}", chain.newest().version()));
            true
        }
        Err(e) if e.reason() == Reason::NoTrustRoot => {
            r.skip(CheckId::TrustRoot, "no trust root given: the key must be pinned by --attesto-key");
            true
        }
        Err(e) => {
            r.fail(CheckId::TrustRoot, e.reason(), e.to_string());
            r.halted_at(CheckId::TrustRoot);
            false
        }
    }
}

/// The `signer` check: the time bound, then the pin. Returns false (and
/// halts the report) when the key is not trusted.
pub(crate) fn signer_check(
    r: &mut ReportBuilder,
    ctx: &VerifyContext<'_>,
    key: &Ed25519PublicKey,
    time_member: &str,
    at: Timestamp,
) -> bool {
    if ctx.refuse_future(r, time_member, at) {
        r.halted_at(CheckId::Signer);
        return false;
    }
    match pinned(ctx, key, at) {
        Ok(Pin::Caller) => {
            r.pass(CheckId::Signer, format!("key {key} is pinned by --attesto-key"));
            true
        }
        Ok(Pin::TrustRoot { version }) => {
            r.pass(CheckId::Signer, format!("key {key} is a `witness` key of trust root version {version}"));
            true
        }
        Err(e) => {
            r.fail(CheckId::Signer, e.reason(), e.to_string());
            r.halted_at(CheckId::Signer);
            false
        }
    }
}

/// The `signature` check: strict Ed25519 of `key` over `msg`.
pub(crate) fn signature_check(
    r: &mut ReportBuilder,
    key: &Ed25519PublicKey,
    msg: &SignedMessage,
    sig: &HexSignature,
    domain: &str,
) -> bool {
    if crate::crypto::ed25519_verify_strict(key, msg.message(), sig.signature()) {
        r.pass(CheckId::Signature, format!("Ed25519 signature by {key} over {domain:?} ‖ 0x00 ‖ A(x) verifies"));
        true
    } else {
        r.fail(
            CheckId::Signature,
            Reason::BadSignature,
            format!("the signature does not verify under {key} over {domain:?} ‖ 0x00 ‖ A(x)"),
        );
        false
    }
}

/// The `statement-hash` check: the claimed hash is SHA-256(M).
pub(crate) fn hash_check(r: &mut ReportBuilder, member: &str, claimed: &Sha256Digest, msg: &SignedMessage) -> bool {
    if *claimed == msg.hash() {
        r.pass(CheckId::StatementHash, format!("{member} is SHA-256(M): {claimed}"));
        true
    } else {
        r.fail(
            CheckId::StatementHash,
            Reason::HashMismatch,
            format!("{member} is {claimed}, SHA-256(M) is {}", msg.hash()),
        );
        false
    }
}

/// Why an Attesto document does not verify under a given key
/// ([`receipt::verify_receipt_under`], [`claim::verify_claim_under`],
/// [`relay::verify_relay_under`]: a receiver's registered key, no trust root).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AttestoError {
    /// The signature does not verify under the key (check `signature`).
    #[error("the signature does not verify under {key}")]
    Signature {
        /// The key.
        key: Ed25519PublicKey,
    },
    /// A claimed hash is not SHA-256(M) (check `statement-hash`).
    #[error("{member} is {claimed}, SHA-256(M) is {computed}")]
    Hash {
        /// `statement_hash`, `evidence_hash` or the envelope-hash header.
        member: &'static str,
        /// What the document says.
        claimed: Sha256Digest,
        /// What M hashes to.
        computed: Sha256Digest,
    },
    /// `canonical_json_hex` is not hex(A(statement)) (check `canonical-bytes`).
    #[error("canonical_json_hex is not hex(A(statement))")]
    Canonical,
    /// A relay's payload is not what its envelope describes (check `canonical-bytes`).
    #[error("{0}")]
    Payload(String, Reason),
    /// A receipt's members do not bind to its statement (check `binding`).
    #[error("{0}")]
    Binding(#[from] receipt::BindingError),
}

impl AttestoError {
    /// The check that fails.
    pub fn check(&self) -> CheckId {
        match self {
            AttestoError::Signature { .. } => CheckId::Signature,
            AttestoError::Hash { .. } => CheckId::StatementHash,
            AttestoError::Canonical | AttestoError::Payload(..) => CheckId::CanonicalBytes,
            AttestoError::Binding(_) => CheckId::Binding,
        }
    }

    /// The stable reason.
    pub fn reason(&self) -> Reason {
        match self {
            AttestoError::Signature { .. } => Reason::BadSignature,
            AttestoError::Hash { .. } => Reason::HashMismatch,
            AttestoError::Canonical => Reason::CanonicalMismatch,
            AttestoError::Payload(_, r) => *r,
            AttestoError::Binding(e) => e.reason(),
        }
    }
}

/// The `signature` and `statement-hash` facts of a signed Attesto object under `key`.
pub(crate) fn signed_under(
    key: &Ed25519PublicKey,
    msg: &SignedMessage,
    sig: &HexSignature,
    member: &'static str,
    claimed: &Sha256Digest,
) -> Result<(), AttestoError> {
    if !crate::crypto::ed25519_verify_strict(key, msg.message(), sig.signature()) {
        return Err(AttestoError::Signature { key: *key });
    }
    if *claimed != msg.hash() {
        return Err(AttestoError::Hash { member, claimed: *claimed, computed: msg.hash() });
    }
    Ok(())
}

/// A `parse` failure of an Attesto kind, halting its report.
pub(crate) fn parse_failed(plan: Plan, e: &AttestoParseError) -> Pending {
    let mut r = ReportBuilder::new(plan);
    r.fail_at(CheckId::Parse, e.reason(), Some(e.path().to_string()), e.to_string());
    r.halted_at(CheckId::Parse);
    Pending::new(r, None, None)
}

/// Whether a parsed (RFC 8785 model) document is an Attesto receipt or fork
/// evidence, by its members (they have no `type`).
pub(crate) fn has_members(v: &attest_json::Value, members: &[&str]) -> bool {
    match v {
        attest_json::Value::Object(o) => o.get("type").is_none() && members.iter().all(|m| o.get(m).is_some()),
        _ => false,
    }
}

/// The same test on Attesto's own model (a document with an integer beyond ±(2^53−1)).
pub(crate) fn has_members_exact(v: &AValue, members: &[&str]) -> bool {
    v.get("type").is_none() && v.as_object().is_some() && members.iter().all(|m| v.get(m).is_some())
}

#[cfg(test)]
mod tests;
