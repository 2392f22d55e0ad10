//! Attesto fork evidence (`witness-checkpoint` output `forkEvidence`,
//! domain [`FORK_DOMAIN`]): the witness's signed claim that a submitted
//! checkpoint conflicts with its stream head.
//!
//! ```text
//! document = {fork_evidence_id, evidence_hash, evidence, signature, public_key}
//! evidence = {protocol, protocol_version, witness_id, tenant_id, stream_id, reason,
//!             last_checkpoint_id (string | null), last_checkpoint_seq_no (integer ≥ 0),
//!             last_checkpoint_hash (hex64 | null), submitted_checkpoint_id,
//!             submitted_checkpoint_seq_no (integer ≥ 1), submitted_checkpoint_hash,
//!             submitted_previous_checkpoint_hash (hex64 | null), created_at}
//! ```
//!
//! Checks: `signer` (at `created_at`), `signature`, `statement-hash`
//! (`evidence_hash` = SHA-256(M)). Unlike `attest.fork-evidence.v1` this
//! proves nothing about a log: it is what the witness says it saw, signed.
//! The package writes `reason` as `"conflicting-checkpoint"` for every
//! conflict (stale, wrong previous, other hash); it is reported as given.
//! No key id is signed, so the blocks' `kid` values are not checked.

use crate::batch::Pending;
use crate::evidence::VerifyContext;
use crate::registry::Document;
use crate::report::{CheckId, Plan, ReportBuilder};
use crate::time::Timestamp;
use crate::types::Sha256Digest;

use super::json::{self, AValue};
use super::{
    hash_check, parse_failed, signature_check, signed_canonical, signer_check, trust_root_check, AttestoParseError,
    KeyBlocks, Obj, SeqNo, SignedMessage, FORK_DOMAIN, FORK_EVIDENCE_KIND, PROOFSTREAM_PROTOCOL,
    PROOFSTREAM_PROTOCOL_VERSION,
};

/// The members that tell Attesto fork evidence.
pub const TOLD_BY: &[&str] = &["fork_evidence_id", "evidence"];

const MEMBERS: &[&str] = &["fork_evidence_id", "evidence_hash", "evidence", "signature", "public_key"];

const EVIDENCE_MEMBERS: &[&str] = &[
    "protocol",
    "protocol_version",
    "witness_id",
    "tenant_id",
    "stream_id",
    "reason",
    "last_checkpoint_id",
    "last_checkpoint_seq_no",
    "last_checkpoint_hash",
    "submitted_checkpoint_id",
    "submitted_checkpoint_seq_no",
    "submitted_checkpoint_hash",
    "submitted_previous_checkpoint_hash",
    "created_at",
];

/// Checks of Attesto fork evidence, in report order.
pub const CLAIM_PLAN: Plan = Plan {
    doc_type: FORK_EVIDENCE_KIND,
    checks: &[
        (CheckId::Parse, true),
        (CheckId::TrustRoot, false),
        (CheckId::Signer, true),
        (CheckId::Signature, true),
        (CheckId::StatementHash, true),
    ],
};

/// A checkpoint as the evidence names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedCheckpoint {
    id: Option<String>,
    seq_no: SeqNo,
    hash: Option<Sha256Digest>,
}

impl ClaimedCheckpoint {
    /// Its id (`None`: the stream had no head).
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    /// Its sequence number (0 when the stream had no head).
    pub fn seq_no(&self) -> &SeqNo {
        &self.seq_no
    }
    /// Its hash (`None`: the stream had no head).
    pub fn hash(&self) -> Option<Sha256Digest> {
        self.hash
    }
}

/// Parsed Attesto fork evidence (nothing verified yet).
#[derive(Debug, Clone)]
pub struct ForkClaim {
    evidence_id: String,
    witness_id: String,
    tenant_id: String,
    stream_id: String,
    reason: String,
    last: ClaimedCheckpoint,
    submitted: ClaimedCheckpoint,
    submitted_previous: Option<Sha256Digest>,
    created_at: Timestamp,
    evidence_hash: Sha256Digest,
    keys: KeyBlocks,
    signed: SignedMessage,
}

impl ForkClaim {
    /// `fork_evidence_id` (unsigned).
    pub fn evidence_id(&self) -> &str {
        &self.evidence_id
    }
    /// The witness.
    pub fn witness_id(&self) -> &str {
        &self.witness_id
    }
    /// The tenant.
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }
    /// The stream.
    pub fn stream_id(&self) -> &str {
        &self.stream_id
    }
    /// The witness's `reason` (`conflicting-checkpoint`).
    pub fn reason(&self) -> &str {
        &self.reason
    }
    /// The stream head when the conflict was seen.
    pub fn last(&self) -> &ClaimedCheckpoint {
        &self.last
    }
    /// The refused checkpoint.
    pub fn submitted(&self) -> &ClaimedCheckpoint {
        &self.submitted
    }
    /// The refused checkpoint's previous hash.
    pub fn submitted_previous(&self) -> Option<Sha256Digest> {
        self.submitted_previous
    }
    /// When the witness saw it.
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }
    /// The claimed `evidence_hash`.
    pub fn evidence_hash(&self) -> Sha256Digest {
        self.evidence_hash
    }
    /// The signature and key blocks.
    pub fn keys(&self) -> &KeyBlocks {
        &self.keys
    }
    /// `M(attesto.v2.fork, evidence)` and its hash.
    pub fn signed(&self) -> &SignedMessage {
        &self.signed
    }
}

/// Parses Attesto fork evidence from bytes.
pub fn parse_fork_claim(bytes: &[u8]) -> Result<ForkClaim, AttestoParseError> {
    parse_fork_claim_value(&json::parse(bytes)?)
}

/// Parses Attesto fork evidence from an Attesto JSON value.
pub fn parse_fork_claim_value(v: &AValue) -> Result<ForkClaim, AttestoParseError> {
    let top = Obj::of(v, "$")?;
    top.only(MEMBERS)?;
    let canonical = signed_canonical(top.req("evidence")?, "$.evidence", "fork evidence")?;
    let e = top.obj("evidence")?;
    e.only(EVIDENCE_MEMBERS)?;
    e.exact("protocol", PROOFSTREAM_PROTOCOL)?;
    e.exact("protocol_version", PROOFSTREAM_PROTOCOL_VERSION)?;
    Ok(ForkClaim {
        evidence_id: top.text("fork_evidence_id")?.to_string(),
        witness_id: e.text("witness_id")?.to_string(),
        tenant_id: e.text("tenant_id")?.to_string(),
        stream_id: e.text("stream_id")?.to_string(),
        reason: e.text("reason")?.to_string(),
        last: ClaimedCheckpoint {
            id: e.opt_text("last_checkpoint_id")?.map(str::to_string),
            seq_no: e.int("last_checkpoint_seq_no", 0)?,
            hash: e.opt_hash("last_checkpoint_hash")?,
        },
        submitted: ClaimedCheckpoint {
            id: Some(e.text("submitted_checkpoint_id")?.to_string()),
            seq_no: e.int("submitted_checkpoint_seq_no", 1)?,
            hash: Some(e.hash("submitted_checkpoint_hash")?),
        },
        submitted_previous: e.opt_hash("submitted_previous_checkpoint_hash")?,
        created_at: e.time("created_at")?,
        evidence_hash: top.hash("evidence_hash")?,
        keys: KeyBlocks::parse(&top)?,
        signed: SignedMessage::new(FORK_DOMAIN, &canonical),
    })
}

/// Verified Attesto fork evidence: the witness's signed claim.
#[derive(Debug, Clone)]
pub struct ForkClaimDocument {
    claim: ForkClaim,
}

impl ForkClaimDocument {
    /// The claim.
    pub fn claim(&self) -> &ForkClaim {
        &self.claim
    }
}

fn hash_text(h: Option<Sha256Digest>) -> String {
    h.map_or_else(|| "none".to_string(), |h| h.to_hex())
}

/// Verifies fork evidence under `key` (a receiver's registered key):
/// `signature`, then `statement-hash` (`evidence_hash`).
pub fn verify_claim_under(
    claim: ForkClaim,
    key: &crate::types::Ed25519PublicKey,
) -> Result<crate::Verified<ForkClaimDocument>, super::AttestoError> {
    super::signed_under(key, &claim.signed, claim.keys.signature(), "evidence_hash", &claim.evidence_hash)?;
    Ok(crate::Verified::new(ForkClaimDocument { claim }))
}

/// The registry entry's verification of Attesto fork evidence (from its bytes).
pub(crate) fn verify_bytes(bytes: &[u8], ctx: &VerifyContext<'_>) -> Pending {
    let claim = match parse_fork_claim(bytes) {
        Ok(x) => x,
        Err(e) => return parse_failed(CLAIM_PLAN, &e),
    };
    let mut r = ReportBuilder::new(CLAIM_PLAN);
    r.digest(claim.signed.hash());
    r.pass(
        CheckId::Parse,
        format!(
            "well-formed Attesto fork evidence — the witness's signed claim, not a proof: witness {:?} reports {:?} \
             on tenant {:?} stream {:?}: submitted seq {} hash {} against head seq {} hash {}",
            claim.witness_id,
            claim.reason,
            claim.tenant_id,
            claim.stream_id,
            claim.submitted.seq_no,
            hash_text(claim.submitted.hash),
            claim.last.seq_no,
            hash_text(claim.last.hash),
        ),
    );
    if !trust_root_check(&mut r, ctx) {
        return Pending::new(r, None, None);
    }
    let key = *claim.keys.public_key();
    if !signer_check(&mut r, ctx, &key, "evidence.created_at", claim.created_at) {
        return Pending::new(r, None, None);
    }
    let mut ok = signature_check(&mut r, &key, &claim.signed, claim.keys.signature(), FORK_DOMAIN);
    ok &= hash_check(&mut r, "evidence_hash", &claim.evidence_hash, &claim.signed);
    let document = ok.then(|| Document::AttestoForkClaim(ForkClaimDocument { claim }));
    Pending::new(r, document, None)
}
