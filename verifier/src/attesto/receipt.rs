//! Witness receipts (`witness-checkpoint` output `receipt`, domain
//! [`WITNESS_DOMAIN`]).
//!
//! ```text
//! receipt   = {witness_receipt_id, witness_id, tenant_id, stream_id, checkpoint_id,
//!              checkpoint_seq_no, checkpoint_hash, previous_checkpoint_hash,
//!              statement, statement_hash, canonical_json_hex, signature, public_key}
//! statement = {protocol "ATTESTO-PROOFSTREAM-001", protocol_version "0.1-alpha", witness_id,
//!              tenant_id, stream_id, checkpoint_id, checkpoint_seq_no (integer ≥ 1, any size),
//!              checkpoint_hash (hex64), previous_checkpoint_hash (hex64 | null), key_epoch,
//!              accepted_at (RFC 3339 UTC)}
//! ```
//!
//! Checks: `signer` (the key pinned, at `accepted_at`), `signature` (over
//! `M(attesto.v2.witness, statement)`), `statement-hash`
//! (`statement_hash` = SHA-256(M)), `canonical-bytes` (`canonical_json_hex`
//! = hex(A(statement)), reason `canonical-mismatch`), `binding` (the eight
//! top-level checkpoint members equal the statement's, reason
//! `statement-mismatch`; `statement.key_epoch` = `signature.kid` and the
//! blocks' `kid`/`key_epoch` agree, reason `kid-mismatch`).

use crate::batch::Pending;
use crate::evidence::VerifyContext;
use crate::reason::Reason;
use crate::registry::Document;
use crate::report::{CheckId, Plan, ReportBuilder};
use crate::time::Timestamp;
use crate::types::Sha256Digest;

use super::json::{self, AValue};
use super::{
    hash_check, parse_failed, signature_check, signed_canonical, signer_check, trust_root_check, AttestoParseError,
    KeyBlocks, Obj, SeqNo, SignedMessage, PROOFSTREAM_PROTOCOL, PROOFSTREAM_PROTOCOL_VERSION, WITNESS_DOMAIN,
    WITNESS_RECEIPT_KIND,
};

/// The members that tell a witness receipt.
pub const TOLD_BY: &[&str] = &["witness_receipt_id", "statement"];

const MEMBERS: &[&str] = &[
    "witness_receipt_id",
    "witness_id",
    "tenant_id",
    "stream_id",
    "checkpoint_id",
    "checkpoint_seq_no",
    "checkpoint_hash",
    "previous_checkpoint_hash",
    "statement",
    "statement_hash",
    "canonical_json_hex",
    "signature",
    "public_key",
];

/// The top-level members that repeat the statement's (check `binding`).
pub const BOUND_MEMBERS: &[&str] = &[
    "witness_id",
    "tenant_id",
    "stream_id",
    "checkpoint_id",
    "checkpoint_seq_no",
    "checkpoint_hash",
    "previous_checkpoint_hash",
];

const STATEMENT_MEMBERS: &[&str] = &[
    "protocol",
    "protocol_version",
    "witness_id",
    "tenant_id",
    "stream_id",
    "checkpoint_id",
    "checkpoint_seq_no",
    "checkpoint_hash",
    "previous_checkpoint_hash",
    "key_epoch",
    "accepted_at",
];

/// Checks of a witness receipt, in report order.
pub const RECEIPT_PLAN: Plan = Plan {
    doc_type: WITNESS_RECEIPT_KIND,
    checks: &[
        (CheckId::Parse, true),
        (CheckId::TrustRoot, false),
        (CheckId::Signer, true),
        (CheckId::Signature, true),
        (CheckId::StatementHash, true),
        (CheckId::CanonicalBytes, true),
        (CheckId::Binding, true),
    ],
};

/// The signed statement of a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    witness_id: String,
    tenant_id: String,
    stream_id: String,
    checkpoint_id: String,
    checkpoint_seq_no: SeqNo,
    checkpoint_hash: Sha256Digest,
    previous_checkpoint_hash: Option<Sha256Digest>,
    key_epoch: String,
    accepted_at: Timestamp,
}

impl Statement {
    /// The witness (the Local Vault installation).
    pub fn witness_id(&self) -> &str {
        &self.witness_id
    }
    /// The tenant.
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }
    /// The proofstream.
    pub fn stream_id(&self) -> &str {
        &self.stream_id
    }
    /// The checkpoint's id.
    pub fn checkpoint_id(&self) -> &str {
        &self.checkpoint_id
    }
    /// The checkpoint's sequence number (exact, any size).
    pub fn checkpoint_seq_no(&self) -> &SeqNo {
        &self.checkpoint_seq_no
    }
    /// The checkpoint's hash.
    pub fn checkpoint_hash(&self) -> Sha256Digest {
        self.checkpoint_hash
    }
    /// The head the checkpoint extends (`None` on first use).
    pub fn previous_checkpoint_hash(&self) -> Option<Sha256Digest> {
        self.previous_checkpoint_hash
    }
    /// The key id the witness signed (`key_epoch`).
    pub fn key_epoch(&self) -> &str {
        &self.key_epoch
    }
    /// When the witness accepted the checkpoint.
    pub fn accepted_at(&self) -> Timestamp {
        self.accepted_at
    }
}

/// A parsed witness receipt (nothing verified yet).
#[derive(Debug, Clone)]
pub struct WitnessReceipt {
    receipt_id: String,
    statement: Statement,
    statement_value: AValue,
    top: Vec<(&'static str, AValue)>,
    statement_hash: Sha256Digest,
    canonical_json: Vec<u8>,
    keys: KeyBlocks,
    signed: SignedMessage,
}

impl WitnessReceipt {
    /// `witness_receipt_id` (unsigned).
    pub fn receipt_id(&self) -> &str {
        &self.receipt_id
    }
    /// The statement.
    pub fn statement(&self) -> &Statement {
        &self.statement
    }
    /// The claimed `statement_hash`.
    pub fn statement_hash(&self) -> Sha256Digest {
        self.statement_hash
    }
    /// The bytes `canonical_json_hex` decodes to.
    pub fn canonical_json(&self) -> &[u8] {
        &self.canonical_json
    }
    /// The signature and key blocks.
    pub fn keys(&self) -> &KeyBlocks {
        &self.keys
    }
    /// `M(attesto.v2.witness, statement)` and its hash, computed by the parser.
    pub fn signed(&self) -> &SignedMessage {
        &self.signed
    }
}

fn parse_statement(s: &Obj<'_>) -> Result<Statement, AttestoParseError> {
    s.only(STATEMENT_MEMBERS)?;
    s.exact("protocol", PROOFSTREAM_PROTOCOL)?;
    s.exact("protocol_version", PROOFSTREAM_PROTOCOL_VERSION)?;
    Ok(Statement {
        witness_id: s.text("witness_id")?.to_string(),
        tenant_id: s.text("tenant_id")?.to_string(),
        stream_id: s.text("stream_id")?.to_string(),
        checkpoint_id: s.text("checkpoint_id")?.to_string(),
        checkpoint_seq_no: s.int("checkpoint_seq_no", 1)?,
        checkpoint_hash: s.hash("checkpoint_hash")?,
        previous_checkpoint_hash: s.opt_hash("previous_checkpoint_hash")?,
        key_epoch: s.text("key_epoch")?.to_string(),
        accepted_at: s.time("accepted_at")?,
    })
}

/// Parses a witness receipt from bytes (Attesto JSON: integers exact, no floats).
pub fn parse_witness_receipt(bytes: &[u8]) -> Result<WitnessReceipt, AttestoParseError> {
    parse_witness_receipt_value(&json::parse(bytes)?)
}

/// Parses a witness receipt from an Attesto JSON value.
pub fn parse_witness_receipt_value(v: &AValue) -> Result<WitnessReceipt, AttestoParseError> {
    let top = Obj::of(v, "$")?;
    top.only(MEMBERS)?;
    let statement_value = top.req("statement")?.clone();
    let canonical = signed_canonical(&statement_value, "$.statement", "a witness statement")?;
    let statement = parse_statement(&top.obj("statement")?)?;
    // The top-level copies: their shapes are the statement's; `binding` compares the values.
    let mut copies = Vec::with_capacity(BOUND_MEMBERS.len());
    for m in BOUND_MEMBERS {
        let value = top.req(m)?;
        if let Some(at) = value.first_float("$") {
            return Err(AttestoParseError::Float { path: top.path(m) + at.trim_start_matches('$'), what: "a receipt" });
        }
        copies.push((*m, value.clone()));
    }
    let canonical_json = top.parse_str("canonical_json_hex", decode_hex)?;
    Ok(WitnessReceipt {
        receipt_id: top.text("witness_receipt_id")?.to_string(),
        statement,
        statement_value,
        top: copies,
        statement_hash: top.hash("statement_hash")?,
        canonical_json,
        keys: KeyBlocks::parse(&top)?,
        signed: SignedMessage::new(WITNESS_DOMAIN, &canonical),
    })
}

/// Lowercase hex of any even length.
fn decode_hex(s: &str) -> Result<Vec<u8>, crate::types::EncodingError> {
    use crate::types::EncodingError;
    let b = s.as_bytes();
    if b.len() % 2 != 0 {
        return Err(EncodingError::Length { expected: b.len() + 1, found: b.len() });
    }
    let nibble = |i: usize| -> Result<u8, EncodingError> {
        match b.get(i) {
            Some(c @ b'0'..=b'9') => Ok(c - b'0'),
            Some(c @ b'a'..=b'f') => Ok(c - b'a' + 10),
            _ => Err(EncodingError::NotLowerHex { index: i }),
        }
    };
    (0..b.len() / 2).map(|i| Ok(nibble(2 * i)? << 4 | nibble(2 * i + 1)?)).collect()
}

/// Why a receipt's members do not bind to its statement (check `binding`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BindingError {
    /// A top-level member differs from the statement's.
    #[error("top-level {member} is not the signed statement's")]
    Member {
        /// The member.
        member: &'static str,
    },
    /// `statement.key_epoch`, `signature.kid` and the blocks' key ids disagree.
    #[error("{0}")]
    Kid(String),
}

impl BindingError {
    /// The stable reason.
    pub fn reason(&self) -> Reason {
        match self {
            BindingError::Member { .. } => Reason::StatementMismatch,
            BindingError::Kid(_) => Reason::KidMismatch,
        }
    }
}

/// The check `binding`.
pub fn check_binding(r: &WitnessReceipt) -> Result<(), BindingError> {
    for (member, value) in &r.top {
        if r.statement_value.get(member) != Some(value) {
            return Err(BindingError::Member { member });
        }
    }
    if r.statement.key_epoch != r.keys.kid() {
        return Err(BindingError::Kid(format!(
            "statement.key_epoch {:?} differs from signature.kid {:?}",
            r.statement.key_epoch,
            r.keys.kid()
        )));
    }
    match r.keys.kid_disagreement() {
        Some(e) => Err(BindingError::Kid(e)),
        None => Ok(()),
    }
}

/// A verified witness receipt.
#[derive(Debug, Clone)]
pub struct ReceiptDocument {
    receipt: WitnessReceipt,
}

impl ReceiptDocument {
    /// The receipt.
    pub fn receipt(&self) -> &WitnessReceipt {
        &self.receipt
    }
}

/// Verifies a receipt under `key` (a receiver's registered key; the caller
/// pins it): `signature`, `statement-hash`, `canonical-bytes`, `binding`, in
/// that order. The document's own `public_key_hex` is not consulted.
pub fn verify_receipt_under(
    receipt: WitnessReceipt,
    key: &crate::types::Ed25519PublicKey,
) -> Result<crate::Verified<ReceiptDocument>, super::AttestoError> {
    super::signed_under(key, &receipt.signed, receipt.keys.signature(), "statement_hash", &receipt.statement_hash)?;
    if receipt.canonical_json != receipt.signed.canonical() {
        return Err(super::AttestoError::Canonical);
    }
    check_binding(&receipt)?;
    Ok(crate::Verified::new(ReceiptDocument { receipt }))
}

/// The registry entry's verification of a witness receipt (from its bytes).
pub(crate) fn verify_bytes(bytes: &[u8], ctx: &VerifyContext<'_>) -> Pending {
    let receipt = match parse_witness_receipt(bytes) {
        Ok(x) => x,
        Err(e) => return parse_failed(RECEIPT_PLAN, &e),
    };
    verify_parsed(receipt, ctx)
}

/// The checks of a parsed receipt.
pub(crate) fn verify_parsed(receipt: WitnessReceipt, ctx: &VerifyContext<'_>) -> Pending {
    let mut r = ReportBuilder::new(RECEIPT_PLAN);
    r.digest(receipt.signed.hash());
    let st = &receipt.statement;
    r.pass(
        CheckId::Parse,
        format!(
            "well-formed Attesto witness receipt: witness {:?}, tenant {:?}, stream {:?}, seq {}",
            st.witness_id, st.tenant_id, st.stream_id, st.checkpoint_seq_no
        ),
    );
    if !trust_root_check(&mut r, ctx) {
        return Pending::new(r, None, None);
    }
    let key = *receipt.keys.public_key();
    if !signer_check(&mut r, ctx, &key, "statement.accepted_at", st.accepted_at) {
        return Pending::new(r, None, None);
    }
    let mut ok = signature_check(&mut r, &key, &receipt.signed, receipt.keys.signature(), WITNESS_DOMAIN);
    ok &= hash_check(&mut r, "statement_hash", &receipt.statement_hash, &receipt.signed);
    if receipt.canonical_json == receipt.signed.canonical() {
        r.pass(CheckId::CanonicalBytes, "canonical_json_hex is hex(A(statement))");
    } else {
        ok = false;
        r.fail(
            CheckId::CanonicalBytes,
            Reason::CanonicalMismatch,
            format!(
                "canonical_json_hex decodes to {} bytes that are not A(statement) ({} bytes)",
                receipt.canonical_json.len(),
                receipt.signed.canonical().len()
            ),
        );
    }
    match check_binding(&receipt) {
        Ok(()) => r.pass(CheckId::Binding, "the top-level members and signature.kid are the statement's"),
        Err(e) => {
            ok = false;
            r.fail(CheckId::Binding, e.reason(), e.to_string());
        }
    }
    let document = ok.then(|| Document::AttestoReceipt(ReceiptDocument { receipt }));
    Pending::new(r, document, None)
}
