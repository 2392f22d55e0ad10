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
//! signatures[i]         = {keyId: hex SHA-256(reporter key), signature: base64 Ed25519(M(evidence))}
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
use crate::merkle::{self, MerkleError, MAX_CONSISTENCY_PROOF_LEN};
use crate::reason::Reason;
use crate::registry::Document;
use crate::report::{CheckId, Plan, ReportBuilder, Verified};
use crate::time::Timestamp;
use crate::trust_root::{KeyUseError, Role, SignatureEntry, TrustRoot, TrustRootChain};
use crate::types::{Ed25519Signature, KeyId, Sha256Digest};

/// Document type and signing domain of fork evidence.
pub const FORK_EVIDENCE_TYPE: &str = "attest.fork-evidence.v1";

/// The most hashes a fork's consistency proof may hold (RFC 9162's longest
/// proof between `u64` sizes; with a power-of-two old size the prepended old
/// root keeps it within this bound).
pub const MAX_FORK_PROOF_LEN: usize = MAX_CONSISTENCY_PROOF_LEN;

/// The most reporter signatures accepted.
pub const MAX_REPORTER_SIGNATURES: usize = 16;

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

/// One checkpoint of the evidence: its signed note as given and its body.
#[derive(Debug, Clone)]
pub struct SignedCheckpoint {
    note: String,
    checkpoint: Checkpoint,
}

impl SignedCheckpoint {
    /// The signed note text, exactly as in the evidence.
    pub fn note(&self) -> &str {
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

fn signed_checkpoint(m: &Members<'_>, key: &str) -> DocResult<SignedCheckpoint> {
    let note = m.text(key)?;
    let at = |e: CheckpointError| doc::DocumentError::Member { path: m.path(key), problem: Problem::Note(e) };
    let parsed = checkpoint::parse_note(note.as_bytes()).map_err(at)?;
    let checkpoint = Checkpoint::parse(parsed.text()).map_err(at)?;
    Ok(SignedCheckpoint { note: note.to_string(), checkpoint })
}

/// Parses fork evidence from a JSON value: members, the log key, both notes
/// and checkpoint bodies, the proof hashes; no signature is checked.
pub fn parse_fork_evidence_value(v: &Value) -> DocResult<ForkEvidence> {
    let m = Members::of(v, "$")?;
    m.expect_type(FORK_EVIDENCE_TYPE)?;
    m.only(MEMBERS)?;
    let origin = m.text("origin")?.to_string();
    let log_key = m.parse_str("logKey", VerifierKey::parse)?;
    let a = signed_checkpoint(&m, "a")?;
    let b = signed_checkpoint(&m, "b")?;
    let pp = m.path("consistencyProof");
    let items = m.array("consistencyProof")?;
    if items.len() > MAX_FORK_PROOF_LEN {
        return err(pp, Problem::Rule("a consistency proof holds at most 65 hashes"));
    }
    let mut consistency_proof = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let p = format!("{pp}[{i}]");
        let Value::String(s) = item else { return err(p, Problem::JsonType { expected: "a string" }) };
        match Sha256Digest::from_base64(s) {
            Ok(h) => consistency_proof.push(h),
            Err(e) => return err(p, e),
        }
    }
    let detected_at = m.time("detectedAt")?;
    let signatures = match m.opt("signatures") {
        None => None,
        Some(_) => {
            let sp = m.path("signatures");
            let list = m.array("signatures")?;
            if list.is_empty() {
                return err(sp, Problem::EmptyList { what: "signature" });
            }
            if list.len() > MAX_REPORTER_SIGNATURES {
                return err(sp, Problem::Rule("at most 16 reporter signatures"));
            }
            let mut out: Vec<SignatureEntry> = Vec::with_capacity(list.len());
            for (i, sv) in list.iter().enumerate() {
                let p = format!("{sp}[{i}]");
                let s = Members::of(sv, &p)?;
                s.only(&["keyId", "signature"])?;
                let key_id = s.parse_str("keyId", KeyId::from_hex)?;
                if out.iter().any(|e| e.key_id == key_id) {
                    return err(s.path("keyId"), Problem::Duplicate { what: "keyId" });
                }
                out.push(SignatureEntry {
                    key_id,
                    signature: s.parse_str("signature", Ed25519Signature::from_base64)?,
                });
            }
            Some(out)
        }
    };
    let Value::Object(obj) = v else {
        return err("$", Problem::JsonType { expected: "an object" });
    };
    Ok(ForkEvidence {
        origin,
        log_key,
        a,
        b,
        consistency_proof,
        detected_at,
        signatures,
        signed: Signed::of(FORK_EVIDENCE_TYPE, obj),
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
    #[error("origin {origin:?} is not the log key's name {key_name:?}")]
    OriginMismatch {
        /// The evidence's `origin`.
        origin: String,
        /// The log key's name.
        key_name: String,
    },
    /// A checkpoint's origin line is not the log key's name.
    #[error("checkpoint {side}: origin line {origin:?} is not the log key's name {key_name:?}")]
    CheckpointOrigin {
        /// Which checkpoint.
        side: Side,
        /// Its origin line.
        origin: String,
        /// The log key's name.
        key_name: String,
    },
    /// A checkpoint lacks a valid signature by the log key.
    #[error("checkpoint {side}: {error}")]
    LogSignature {
        /// Which checkpoint.
        side: Side,
        /// What the signed-note verification found.
        error: CheckpointError,
    },
    /// size(A) > size(B).
    #[error("size(A) {size_a} is larger than size(B) {size_b}: A must be the smaller checkpoint")]
    SizesReversed {
        /// size(A).
        size_a: u64,
        /// size(B).
        size_b: u64,
    },
    /// size(A) = 0: every tree extends the empty tree.
    #[error("checkpoint A is of the empty tree, which every tree extends")]
    EmptyTree,
    /// Equal sizes and equal roots.
    #[error("both checkpoints give size {size} the root {root}: one view")]
    SameView {
        /// The size.
        size: u64,
        /// The root.
        root: Sha256Digest,
    },
    /// The proof shows B extends A.
    #[error("the consistency proof shows the tree of size {size_b} extends the tree of size {size_a}: the log is consistent")]
    Consistent {
        /// size(A).
        size_a: u64,
        /// size(B).
        size_b: u64,
    },
    /// The proof does not have the length the sizes require.
    #[error("consistency proof: {0}")]
    ProofLength(MerkleError),
    /// The proof leads to another new root than B's.
    #[error("the consistency proof leads to root {computed}, not checkpoint B's root {expected}")]
    ProofRoot {
        /// root(B).
        expected: Sha256Digest,
        /// The new root the proof yields.
        computed: Sha256Digest,
    },
}

impl ForkError {
    /// The stable reason code.
    pub fn reason(&self) -> Reason {
        match self {
            ForkError::OriginMismatch { .. } | ForkError::CheckpointOrigin { .. } => Reason::OriginMismatch,
            ForkError::LogSignature { .. } => Reason::BadLogSignature,
            ForkError::SizesReversed { .. }
            | ForkError::EmptyTree
            | ForkError::SameView { .. }
            | ForkError::Consistent { .. } => Reason::NotAFork,
            ForkError::ProofLength(_) | ForkError::ProofRoot { .. } => Reason::BadProof,
        }
    }
}

fn verified_checkpoint(side: Side, c: &SignedCheckpoint, key: &VerifierKey) -> Result<Checkpoint, ForkError> {
    match checkpoint::verify_checkpoint(c.note.as_bytes(), key) {
        Ok(cp) => Ok(cp.into_inner()),
        Err(CheckpointError::OriginMismatch { origin, key_name }) => {
            Err(ForkError::CheckpointOrigin { side, origin, key_name })
        }
        Err(error) => Err(ForkError::LogSignature { side, error }),
    }
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
    if m > n {
        return Err(ForkError::SizesReversed { size_a: m, size_b: n });
    }
    let base = merkle::consistency_proof_len(m, n).map_err(ForkError::ProofLength)?;
    // With a power-of-two old size the evidence may carry the prepended old root itself.
    let seeded = m > 0 && m < n && m.is_power_of_two() && proof.len() == base + 1;
    if proof.len() != base && !seeded {
        return Err(ForkError::ProofLength(MerkleError::WrongProofLength { expected: base, found: proof.len() }));
    }
    if m == 0 {
        return Err(ForkError::EmptyTree);
    }
    if m == n {
        return match root_a == root_b {
            true => Err(ForkError::SameView { size: m, root: root_a }),
            false => Ok(SplitView { size: m, root_in_a: root_a, root_in_b: root_b, size_b: n }),
        };
    }
    let (seed, rest) = match (seeded, proof.split_first()) {
        (true, Some((first, rest))) => (*first, rest),
        _ => (root_a, proof),
    };
    let roots = merkle::consistency_proof_roots(m, n, &seed, rest).map_err(ForkError::ProofLength)?;
    if roots.new_root() != root_b {
        return Err(ForkError::ProofRoot { expected: root_b, computed: roots.new_root() });
    }
    if roots.old_root() == root_a {
        return Err(ForkError::Consistent { size_a: m, size_b: n });
    }
    Ok(SplitView { size: m, root_in_a: root_a, root_in_b: roots.old_root(), size_b: n })
}

/// The trust-root entry that pins the evidence's log key: an Ed25519 key
/// with role `log`, usable at `detectedAt`, whose keyId is the log key's.
pub fn log_key_entry<'r>(
    ev: &ForkEvidence,
    root: &'r TrustRoot,
) -> Result<&'r crate::trust_root::KeyEntry, KeyUseError> {
    let id = ev.log_key_id();
    let entry = root.usable_key(&id, Role::Log, ev.detected_at)?;
    // The keyId is SHA-256 of the 32 key bytes, so a listed entry holds this very key when it is Ed25519.
    match entry.ed25519() {
        Some(_) => Ok(entry),
        None => Err(KeyUseError::Algorithm { key_id: id, expected: "ed25519", found: entry.public_key().algorithm() }),
    }
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
        if root.key(&s.key_id).is_none() {
            continue;
        }
        let entry = root.usable_key(&s.key_id, Role::Witness, ev.detected_at)?;
        let key = entry.ed25519().ok_or(KeyUseError::Algorithm {
            key_id: s.key_id,
            expected: "ed25519",
            found: entry.public_key().algorithm(),
        })?;
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

fn describe(split: &SplitView) -> String {
    if split.size == split.size_b {
        format!(
            "split view: two checkpoints of size {} with roots {} and {}, both signed by the log key",
            split.size, split.root_in_a, split.root_in_b
        )
    } else {
        format!(
            "split view: checkpoint A gives size {} the root {}; checkpoint B (size {}) and its consistency proof give it {}",
            split.size, split.root_in_a, split.size_b, split.root_in_b
        )
    }
}

/// The registry entry's verification of fork evidence.
pub(crate) fn verify_value(value: &Value, ctx: &VerifyContext<'_>) -> Pending {
    let mut r = ReportBuilder::new(FORK_PLAN);
    let ev = match parse_fork_evidence_value(value) {
        Ok(ev) => ev,
        Err(e) => return Pending::from_document_error(r, &e),
    };
    r.digest(ev.signed.digest());
    r.pass(
        CheckId::Parse,
        format!(
            "well-formed {FORK_EVIDENCE_TYPE} of origin {:?}: checkpoints of size {} and {}, {} proof hash(es)",
            ev.origin,
            ev.a.checkpoint.size(),
            ev.b.checkpoint.size(),
            ev.consistency_proof.len()
        ),
    );
    let Some(chain) = ctx.chain_or_halt(&mut r) else { return Pending::new(r, None, None) };
    r.pass(CheckId::TrustRoot, format!("newest trust root version {}", chain.newest().version()));
    let root = chain.newest();
    let latest = ctx.latest_document_time();
    if ev.detected_at > latest {
        r.fail(
            CheckId::Signer,
            Reason::IssuedInFuture,
            format!(
                "detectedAt {} lies after {} (now + max clock skew)",
                ev.detected_at.to_rfc3339(),
                latest.to_rfc3339()
            ),
        );
        r.halted_at(CheckId::Signer);
        return Pending::new(r, None, None);
    }
    match log_key_entry(&ev, root) {
        Ok(entry) => r.pass(
            CheckId::Signer,
            format!(
                "log key {} is trust-root key {} with role `log`, usable at detectedAt {}",
                ev.log_key,
                entry.key_id(),
                ev.detected_at.to_rfc3339()
            ),
        ),
        Err(e) => {
            r.fail(
                CheckId::Signer,
                e.reason(),
                format!(
                    "log key {} is not pinned: {e} (fork evidence counts only under a `log` key of the trust root, usable at detectedAt {})",
                    ev.log_key,
                    ev.detected_at.to_rfc3339()
                ),
            );
            r.halted_at(CheckId::Signer);
            return Pending::new(r, None, None);
        }
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
    let reporters = match ev.signatures.as_deref() {
        None => {
            r.skip(CheckId::Signature, "no reporter signature");
            Some(Vec::new())
        }
        Some(sigs) => match check_reporters(&ev, root) {
            Ok(ids) if ids.is_empty() => {
                r.skip(
                    CheckId::Signature,
                    format!("{} reporter signature(s), none by a key of the trust root: not checked", sigs.len()),
                );
                Some(ids)
            }
            Ok(ids) => {
                let list: Vec<String> = ids.iter().map(KeyId::to_hex).collect();
                r.pass(
                    CheckId::Signature,
                    format!("reporter signature(s) by witness key(s) {} verify over M(evidence)", list.join(", ")),
                );
                Some(ids)
            }
            Err(e) => {
                r.fail(CheckId::Signature, e.reason(), e.to_string());
                None
            }
        },
    };
    let document = match (split, reporters) {
        (Some(split), Some(reporters)) => Some(Document::ForkEvidence(ForkDocument { evidence: ev, split, reporters })),
        _ => None,
    };
    Pending::new(r, document, None)
}

#[cfg(test)]
mod tests;
