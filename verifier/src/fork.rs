//! Fork evidence `attest.fork-evidence.v1` (formats.md §9): two checkpoints
//! signed by one log key that no single append-only log can have produced,
//! verifiable by anyone offline.
//!
//! # Byte layout
//!
//! ```text
//! type, signing domain  = "attest.fork-evidence.v1"                (FORK_EVIDENCE_TYPE)
//! M(evidence)           = utf8(type) ‖ 0x00 ‖ C(evidence without "signatures")
//! digest(evidence)      = SHA-256(M(evidence))
//! logKey                = name "+" hex(note key ID) "+" base64(0x01 ‖ Ed25519 key)   (checkpoint.rs)
//! a, b                  = C2SP signed notes whose text is a checkpoint
//!                         origin "\n" size "\n" base64(root) "\n" extension*
//! consistencyProof[i]   = base64(32-byte hash), at most 65 (MAX_FORK_PROOF_LEN)
//! signatures[i]         = {keyId: hex SHA-256(reporter key), signature: base64 Ed25519(M(evidence))}, non-empty
//! ```
//!
//! # Check `fork`
//!
//! With `m = size(A)`, `n = size(B)`, `rA`, `rB` their roots:
//!
//! 1. `origin` equals the log key's name (`origin-mismatch`);
//! 2. A and B each carry exactly one signature line of the log key that
//!    verifies (`bad-log-signature`), and each checkpoint's origin line is the
//!    key name (`origin-mismatch`);
//! 3. `m = n`: the proof is empty (`bad-proof`) and `rA ≠ rB` (else
//!    `not-a-fork`): two roots for one tree size;
//! 4. `m < n`, `m > 0`: the RFC 9162 §2.1.4.2 computation from `m` to `n`
//!    ([`crate::merkle::consistency_proof_roots`]) must yield `rB` as the new
//!    root (`bad-proof`: the proof says nothing about B otherwise) and an old
//!    root `rB@m ≠ rA` (else `not-a-fork`: the log is consistent). The
//!    lengths are fixed by `(m, n)` (`bad-proof` otherwise). When `m` is a
//!    power of two, step 1 of the RFC prepends the old root the verifier
//!    holds; the evidence may carry that hash itself as its first element
//!    (B's root at size `m`, one element more than `PROOF(m, D[n])`), since
//!    the point is that it is not `rA`. Without it, `rA` is prepended, and
//!    such a proof can only show consistency.
//! 5. `m > n` or `m = 0`: `not-a-fork` (A must be the smaller checkpoint;
//!    every tree extends the empty tree).
//!
//! A fork is reported as a [`SplitView`]: one tree size, two roots, both
//! signed (directly or through B's proof) by the one log key.
//!
//! # Trust
//!
//! Evidence against *your* log is only meaningful for a key you pin. The
//! log key is trusted iff the newest verified trust root lists it (keyId =
//! SHA-256 of its 32 key bytes) as an Ed25519 key with role `log`, usable at
//! `detectedAt` (check `signer`: `unknown-key`, `wrong-role`, `key-revoked`,
//! `key-window`, `wrong-algorithm`; `detectedAt` later than `now + max clock
//! skew` is `issued-in-future`). Evidence under any other key fails `signer`,
//! and `fork` is then not checked.
//!
//! The optional `signatures` are the reporters' (a witness's) Ed25519 over
//! `M(evidence)`. Check `signature` (not required): a signature whose keyId
//! names no trust-root key is ignored; one that names a key must be by a
//! `witness` key usable at `detectedAt` and verify, else the check fails
//! (and the evidence is refused as tampered). Without signatures by listed
//! keys the check is `skip`. The fork itself never depends on who reported it.

use attest_json::Value;

use crate::batch::Pending;
use crate::checkpoint::{self, Checkpoint, CheckpointError, VerifierKey};
use crate::doc::{self, err, DocResult, Members, Problem, Signed};
use crate::evidence::VerifyContext;
use crate::merkle::{self, MAX_CONSISTENCY_PROOF_LEN};
use crate::reason::Reason;
use crate::registry::Document;
use crate::report::{CheckId, Plan, ReportBuilder, Verified};
use crate::time::Timestamp;
use crate::trust_root::{parse_signature_entries, KeyUseError, Role, SignatureEntry, TrustRoot, TrustRootChain};
use crate::types::{KeyId, Sha256Digest};

/// Document type and signing domain of fork evidence.
pub const FORK_EVIDENCE_TYPE: &str = "attest.fork-evidence.v1";

/// The most hashes a fork's consistency proof may hold (RFC 9162's longest
/// proof between `u64` sizes; with a power-of-two old size the prepended old
/// root keeps it within this bound).
pub const MAX_FORK_PROOF_LEN: usize = MAX_CONSISTENCY_PROOF_LEN;

const MEMBERS: &[&str] = &["type", "origin", "logKey", "a", "b", "consistencyProof", "detectedAt", "signatures"];

/// Checks of fork evidence, in report order.
pub const FORK_PLAN: Plan = Plan {
    doc_type: FORK_EVIDENCE_TYPE,
    checks: &[
        (CheckId::Parse, true),
        (CheckId::TrustRoot, true),
        (CheckId::Signer, true),
        (CheckId::Fork, true),
        (CheckId::Signature, false),
    ],
};

/// Which checkpoint of the evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Checkpoint A (`a`, the smaller or equal size).
    A,
    /// Checkpoint B (`b`).
    B,
}

impl Side {
    /// `a` or `b`, the member name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Side::A => "a",
            Side::B => "b",
        }
    }
}

impl core::fmt::Display for Side {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One checkpoint of the evidence: its signed note (parsed, signatures not
/// yet verified) and its body.
#[derive(Debug, Clone)]
pub struct SignedCheckpoint {
    note: checkpoint::Note,
    checkpoint: Checkpoint,
}

impl SignedCheckpoint {
    /// The signed note: its text and signature lines.
    pub fn note(&self) -> &checkpoint::Note {
        &self.note
    }

    /// The checkpoint body (not yet known to be signed by the log key).
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }
}

/// Parsed fork evidence (nothing verified yet).
#[derive(Debug, Clone)]
pub struct ForkEvidence {
    origin: String,
    log_key: VerifierKey,
    a: SignedCheckpoint,
    b: SignedCheckpoint,
    consistency_proof: Vec<Sha256Digest>,
    detected_at: Timestamp,
    signatures: Option<Vec<SignatureEntry>>,
    signed: Signed,
}

impl ForkEvidence {
    /// The log's origin.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The log's verifier key.
    pub fn log_key(&self) -> &VerifierKey {
        &self.log_key
    }

    /// Checkpoint A.
    pub fn a(&self) -> &SignedCheckpoint {
        &self.a
    }

    /// Checkpoint B.
    pub fn b(&self) -> &SignedCheckpoint {
        &self.b
    }

    /// The consistency proof from size(A) to size(B).
    pub fn consistency_proof(&self) -> &[Sha256Digest] {
        &self.consistency_proof
    }

    /// When the reporter detected the fork (the time key windows are checked at).
    pub fn detected_at(&self) -> Timestamp {
        self.detected_at
    }

    /// The reporters' signatures, when the member is present.
    pub fn signatures(&self) -> Option<&[SignatureEntry]> {
        self.signatures.as_deref()
    }

    /// Signing message and digest.
    pub fn signed(&self) -> &Signed {
        &self.signed
    }

    /// The attest keyId of the log key (SHA-256 of its 32 key bytes): how the trust root names it.
    pub fn log_key_id(&self) -> KeyId {
        self.log_key.public_key().key_id()
    }
}

/// Parses fork evidence from bytes (strict JSON, formats.md §0).
pub fn parse_fork_evidence(bytes: &[u8]) -> DocResult<ForkEvidence> {
    parse_fork_evidence_value(&doc::parse_json(bytes)?)
}

fn signed_checkpoint(m: &Members<'_>, key: &str, path: &'static str) -> DocResult<SignedCheckpoint> {
    let note = m.text(key)?;
    let at =
        |e: CheckpointError| doc::DocumentError::Member { path: path.to_string(), problem: Problem::Rule(e.rule()) };
    let parsed = checkpoint::parse_note(note.as_bytes()).map_err(at)?;
    let checkpoint = Checkpoint::parse(parsed.text()).map_err(at)?;
    Ok(SignedCheckpoint { note: parsed, checkpoint })
}

/// Parses fork evidence from a JSON value: members, the log key, both notes
/// and checkpoint bodies, the proof hashes; no signature is checked.
pub fn parse_fork_evidence_value(v: &Value) -> DocResult<ForkEvidence> {
    let m = Members::of(v, "$")?;
    m.expect_type(FORK_EVIDENCE_TYPE)?;
    m.only(MEMBERS)?;
    let origin = m.text("origin")?;
    let detected_at = m.time("detectedAt")?;
    let items = m.array("consistencyProof")?;
    if items.len() > MAX_FORK_PROOF_LEN {
        return err("$.consistencyProof", Problem::Rule("a consistency proof holds at most 65 hashes"));
    }
    let mut consistency_proof = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let hash = match item {
            Value::String(s) => Sha256Digest::from_base64(s).map_err(Problem::from),
            _ => Err(Problem::JsonType { expected: "a string" }),
        };
        match hash {
            Ok(h) => consistency_proof.push(h),
            Err(problem) => return err(format!("$.consistencyProof[{i}]"), problem),
        }
    }
    // Unbounded like a trust root's: each listed key is verified once, others are ignored.
    let signatures = match m.opt("signatures") {
        None => None,
        Some(_) => Some(parse_signature_entries(&m, "signatures")?),
    };
    let log_key = m.parse_str("logKey", |t| VerifierKey::parse(t).map_err(|e| Problem::Rule(e.rule())))?;
    let a = signed_checkpoint(&m, "a", "$.a")?;
    let b = signed_checkpoint(&m, "b", "$.b")?;
    Ok(ForkEvidence {
        origin: origin.to_string(),
        log_key,
        a,
        b,
        consistency_proof,
        detected_at,
        signatures,
        signed: Signed::of(FORK_EVIDENCE_TYPE, m.obj),
    })
}

/// What a fork proves: the log key signed two different roots for the tree
/// of `size` leaves (directly in A, and in B or through B's consistency proof).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitView {
    size: u64,
    root_in_a: Sha256Digest,
    root_in_b: Sha256Digest,
    size_b: u64,
}

impl SplitView {
    /// The tree size both views disagree on: size(A).
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root checkpoint A gives that size.
    pub fn root_in_a(&self) -> Sha256Digest {
        self.root_in_a
    }

    /// The root B's history gives that size (root(B) itself when the sizes are equal).
    pub fn root_in_b(&self) -> Sha256Digest {
        self.root_in_b
    }

    /// size(B).
    pub fn size_b(&self) -> u64 {
        self.size_b
    }
}

/// Why evidence does not prove a fork (check `fork`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ForkError {
    /// `origin` is not the log key's name.
    #[error("origin {origin:?} is not the log key name {key_name:?}")]
    OriginMismatch {
        /// The evidence's `origin`.
        origin: String,
        /// The log key's name.
        key_name: String,
    },
    /// A checkpoint's origin line is not the log key's name.
    #[error("checkpoint {side}: origin {origin:?} is not the log key name {key_name:?}")]
    CheckpointOrigin {
        /// Which checkpoint.
        side: Side,
        /// Its origin line.
        origin: String,
        /// The log key's name.
        key_name: String,
    },
    /// A checkpoint lacks a valid signature by the log key.
    #[error("checkpoint {side}: {why}")]
    LogSignature {
        /// Which checkpoint.
        side: Side,
        /// What the signed-note verification found ([`CheckpointError::rule`]).
        why: &'static str,
    },
    /// The pair shows no split view.
    #[error("no fork between sizes {size_a} and {size_b}: {}", why.as_str())]
    NotAFork {
        /// Why not.
        why: NoFork,
        /// size(A).
        size_a: u64,
        /// size(B).
        size_b: u64,
    },
    /// The proof does not have the length the sizes require.
    #[error("{found} proof hash(es), these sizes need {expected}")]
    ProofLength {
        /// The length sizes (A, B) require (one more is allowed when size(A) is a power of two).
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// The proof leads to another new root than B's.
    #[error("the proof leads to root {computed}, not root(B) {expected}")]
    ProofRoot {
        /// root(B).
        expected: Sha256Digest,
        /// The new root the proof yields.
        computed: Sha256Digest,
    },
}

/// Why two checkpoints show no split view (reason `not-a-fork`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoFork {
    /// size(A) > size(B): A must be the smaller checkpoint.
    SizesReversed,
    /// size(A) = 0: every tree extends the empty tree.
    EmptyTree,
    /// Equal sizes and equal roots: one view.
    SameView,
    /// The proof shows B extends A: the log is consistent.
    Consistent,
}

impl NoFork {
    /// What it means.
    pub const fn as_str(self) -> &'static str {
        match self {
            NoFork::SizesReversed => "size(A) > size(B)",
            NoFork::EmptyTree => "A is the empty tree",
            NoFork::SameView => "one view (equal roots)",
            NoFork::Consistent => "B extends A (consistent)",
        }
    }
}

impl ForkError {
    /// The stable reason code.
    pub fn reason(&self) -> Reason {
        match self {
            ForkError::OriginMismatch { .. } | ForkError::CheckpointOrigin { .. } => Reason::OriginMismatch,
            ForkError::LogSignature { .. } => Reason::BadLogSignature,
            ForkError::NotAFork { .. } => Reason::NotAFork,
            ForkError::ProofLength { .. } | ForkError::ProofRoot { .. } => Reason::BadProof,
        }
    }
}

fn verified_checkpoint<'c>(
    side: Side,
    c: &'c SignedCheckpoint,
    key: &VerifierKey,
) -> Result<&'c Checkpoint, ForkError> {
    // The note and its body were parsed with the evidence; here only the log key's line and the origin.
    checkpoint::verify_parsed_note(&c.note, key).map_err(|e| ForkError::LogSignature { side, why: e.rule() })?;
    if c.checkpoint.origin() != key.name() {
        return Err(ForkError::CheckpointOrigin {
            side,
            origin: c.checkpoint.origin().to_string(),
            key_name: key.name().to_string(),
        });
    }
    Ok(&c.checkpoint)
}

/// The check `fork` under the evidence's own `logKey` (whether that key is
/// pinned is the caller's question: [`log_key_entry`]).
pub fn check_fork(ev: &ForkEvidence) -> Result<SplitView, ForkError> {
    let key = &ev.log_key;
    if ev.origin != key.name() {
        return Err(ForkError::OriginMismatch { origin: ev.origin.clone(), key_name: key.name().to_string() });
    }
    let a = verified_checkpoint(Side::A, &ev.a, key)?;
    let b = verified_checkpoint(Side::B, &ev.b, key)?;
    let (m, n, root_a, root_b) = (a.size(), b.size(), a.root(), b.root());
    let proof = ev.consistency_proof.as_slice();
    let no_fork = |why| ForkError::NotAFork { why, size_a: m, size_b: n };
    if m > n {
        return Err(no_fork(NoFork::SizesReversed));
    }
    let found = proof.len();
    let wrong = |expected| ForkError::ProofLength { expected, found };
    let base = merkle::consistency_proof_len(m, n).map_err(|_| wrong(0))?;
    // With a power-of-two old size the evidence may carry the prepended old root itself.
    let seeded = m > 0 && m < n && m.is_power_of_two() && found == base + 1;
    if found != base && !seeded {
        return Err(wrong(base));
    }
    if m == 0 {
        return Err(no_fork(NoFork::EmptyTree));
    }
    if m == n {
        return match root_a == root_b {
            true => Err(no_fork(NoFork::SameView)),
            false => Ok(SplitView { size: m, root_in_a: root_a, root_in_b: root_b, size_b: n }),
        };
    }
    let (seed, rest) = match (seeded, proof.split_first()) {
        (true, Some((first, rest))) => (*first, rest),
        _ => (root_a, proof),
    };
    let roots = merkle::consistency_proof_roots(m, n, &seed, rest).map_err(|_| wrong(base))?;
    if roots.new_root() != root_b {
        return Err(ForkError::ProofRoot { expected: root_b, computed: roots.new_root() });
    }
    if roots.old_root() == root_a {
        return Err(no_fork(NoFork::Consistent));
    }
    Ok(SplitView { size: m, root_in_a: root_a, root_in_b: roots.old_root(), size_b: n })
}

/// The trust-root entry that pins the evidence's log key: an Ed25519 key
/// with role `log`, usable at `detectedAt`, whose keyId is the log key's.
pub fn log_key_entry<'r>(
    ev: &ForkEvidence,
    root: &'r TrustRoot,
) -> Result<&'r crate::trust_root::KeyEntry, KeyUseError> {
    // The keyId is SHA-256 of the 32 key bytes, so a listed entry holds this very key when it is Ed25519.
    Ok(root.usable_ed25519(&ev.log_key_id(), Role::Log, ev.detected_at)?.0)
}

/// Why a reporter signature is refused (check `signature`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ReporterError {
    /// The key the signature names is not a usable `witness` key.
    #[error("reporter signature: {0}")]
    Key(#[from] KeyUseError),
    /// The signature does not verify over `M(evidence)`.
    #[error("the reporter signature by witness key {0} does not verify over M(evidence)")]
    Signature(KeyId),
}

impl ReporterError {
    /// The stable reason code.
    pub fn reason(&self) -> Reason {
        match self {
            ReporterError::Key(e) => e.reason(),
            ReporterError::Signature(_) => Reason::BadSignature,
        }
    }
}

/// The reporter signatures by keys of `root`: every one must be by a
/// `witness` key usable at `detectedAt` and verify over `M(evidence)`.
/// Returns the key ids that verified (signatures by keys the trust root does
/// not list are ignored).
pub fn check_reporters(ev: &ForkEvidence, root: &TrustRoot) -> Result<Vec<KeyId>, ReporterError> {
    let mut verified = Vec::new();
    for s in ev.signatures.iter().flatten() {
        // Keys the trust root does not list are ignored; a key is counted once (as in trust roots).
        let key = match root.usable_ed25519(&s.key_id, Role::Witness, ev.detected_at) {
            Err(KeyUseError::Unknown { .. }) => continue,
            _ if verified.contains(&s.key_id) => continue,
            found => found?.1,
        };
        if !key.verify(ev.signed.message(), &s.signature) {
            return Err(ReporterError::Signature(s.key_id));
        }
        verified.push(s.key_id);
    }
    Ok(verified)
}

/// Verified fork evidence: the evidence, the split view it proves and the
/// witness keys whose reporter signatures verified.
#[derive(Debug, Clone)]
pub struct ForkDocument {
    evidence: ForkEvidence,
    split: SplitView,
    reporters: Vec<KeyId>,
}

impl ForkDocument {
    /// The evidence.
    pub fn evidence(&self) -> &ForkEvidence {
        &self.evidence
    }

    /// What it proves.
    pub fn split(&self) -> SplitView {
        self.split
    }

    /// Trust-root witness keys whose reporter signatures verified.
    pub fn reporters(&self) -> &[KeyId] {
        &self.reporters
    }
}

/// Why fork evidence is refused by [`verify_fork_evidence`]: the check it fails and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ForkEvidenceError {
    /// `detectedAt` lies after the latest acceptable document time (check `signer`).
    #[error("detectedAt {detected_at} lies after {latest} (now + max clock skew)")]
    InFuture {
        /// `detectedAt`.
        detected_at: Timestamp,
        /// `now + max clock skew`.
        latest: Timestamp,
    },
    /// The log key is not pinned (check `signer`).
    #[error("log key: {0}")]
    LogKey(#[from] KeyUseError),
    /// No fork is proven (check `fork`).
    #[error("{0}")]
    Fork(#[from] ForkError),
    /// A reporter signature is refused (check `signature`).
    #[error("{0}")]
    Reporter(#[from] ReporterError),
}

impl ForkEvidenceError {
    /// The check that fails.
    pub fn check(&self) -> CheckId {
        match self {
            ForkEvidenceError::InFuture { .. } | ForkEvidenceError::LogKey(_) => CheckId::Signer,
            ForkEvidenceError::Fork(_) => CheckId::Fork,
            ForkEvidenceError::Reporter(_) => CheckId::Signature,
        }
    }

    /// The stable reason code.
    pub fn reason(&self) -> Reason {
        match self {
            ForkEvidenceError::InFuture { .. } => Reason::IssuedInFuture,
            ForkEvidenceError::LogKey(e) => e.reason(),
            ForkEvidenceError::Fork(e) => e.reason(),
            ForkEvidenceError::Reporter(e) => e.reason(),
        }
    }
}

/// Verifies fork evidence against a verified trust-root chain: `detectedAt`
/// at most `latest` (`now` + clock skew), the log key pinned by the newest
/// trust root, the fork, and the reporter signatures by listed keys.
pub fn verify_fork_evidence(
    ev: ForkEvidence,
    trust: &Verified<TrustRootChain>,
    latest: Timestamp,
) -> Result<Verified<ForkDocument>, ForkEvidenceError> {
    if ev.detected_at > latest {
        return Err(ForkEvidenceError::InFuture { detected_at: ev.detected_at, latest });
    }
    let root = trust.newest();
    log_key_entry(&ev, root)?;
    let split = check_fork(&ev)?;
    let reporters = check_reporters(&ev, root)?;
    Ok(Verified::new(ForkDocument { evidence: ev, split, reporters }))
}

/// `split view at size m: root … in A, … in B (size n)`.
pub(crate) fn describe(split: &SplitView) -> String {
    format!(
        "split view at size {}: root {} in A, {} in B (size {})",
        split.size, split.root_in_a, split.root_in_b, split.size_b
    )
}

/// The registry entry's verification of fork evidence.
pub(crate) fn verify_value(value: &Value, ctx: &VerifyContext<'_>) -> Pending {
    let mut r = ReportBuilder::new(FORK_PLAN);
    let ev = match parse_fork_evidence_value(value) {
        Ok(ev) => ev,
        Err(e) => return Pending::from_document_error(r, &e),
    };
    r.digest(ev.signed.digest());
    r.pass(CheckId::Parse, format!("well-formed {FORK_EVIDENCE_TYPE} of origin {:?}", ev.origin));
    let Some(chain) = ctx.chain_or_halt(&mut r) else { return Pending::new(r, None, None) };
    r.pass(CheckId::TrustRoot, format!("newest trust root version {}", chain.newest().version()));
    let root = chain.newest();
    // signer: detectedAt within the clock skew, and the log key pinned.
    let pinned = !ctx.refuse_future(&mut r, "detectedAt", ev.detected_at)
        && match log_key_entry(&ev, root) {
            Ok(_) => {
                r.pass(
                    CheckId::Signer,
                    format!("log key {} is the trust root's `log` key {}", ev.log_key.name(), ev.log_key_id()),
                );
                true
            }
            Err(e) => {
                r.fail(CheckId::Signer, e.reason(), format!("log key {} is not pinned: {e}", ev.log_key.name()));
                false
            }
        };
    if !pinned {
        r.halted_at(CheckId::Signer);
        return Pending::new(r, None, None);
    }
    let split = match check_fork(&ev) {
        Ok(split) => {
            r.pass(CheckId::Fork, describe(&split));
            Some(split)
        }
        Err(e) => {
            r.fail(CheckId::Fork, e.reason(), e.to_string());
            None
        }
    };
    // `Some(ids)`: the reporter signatures did not refuse the evidence.
    let reporters = match check_reporters(&ev, root) {
        Ok(ids) if ids.is_empty() => {
            r.skip(CheckId::Signature, "no reporter signature by a trust-root key");
            Some(ids)
        }
        Ok(ids) => {
            r.pass(CheckId::Signature, format!("the reporter signature(s) of {} witness key(s) verify", ids.len()));
            Some(ids)
        }
        Err(e) => {
            r.fail(CheckId::Signature, e.reason(), e.to_string());
            None
        }
    };
    let document = match (split, reporters) {
        (Some(split), Some(reporters)) => Some(Document::ForkEvidence(ForkDocument { evidence: ev, split, reporters })),
        _ => None,
    };
    Pending::new(r, document, None)
}

#[cfg(test)]
mod tests;
