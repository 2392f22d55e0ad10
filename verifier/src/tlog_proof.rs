//! C2SP transparency-log proofs (`c2sp.org/tlog-proof@v1`) and the
//! `log-inclusion` check (formats.md §8, docs/spec.md §10.6).
//!
//! # Byte layout
//!
//! ```text
//! proof      = "c2sp.org/tlog-proof@v1\n"
//!              [ "extra " base64(extra data) "\n" ]
//!              "index " decimal(index) "\n"
//!              ( base64(32-byte hash) "\n" )*      ; leaf's sibling first, up to the root's child
//!              "\n"
//!              checkpoint                           ; a signed note, verbatim (checkpoint.rs)
//! ```
//!
//! A proof is offline evidence that the *entry bytes* of a document (formats
//! §8: `C(D)`, or a DSSE envelope's canonical form) are the leaf at `index`
//! of a tree whose checkpoint the log key signed.
//!
//! # Decisions
//!
//! - Strict: the header exactly, base64 standard, padded and canonical, the
//!   index decimal without leading zeros, at most 63 hash lines (a tree of
//!   fewer than 2⁶³ leaves), at most [`MAX_TLOG_PROOF_BYTES`] bytes; the extra
//!   data is kept but never trusted (it is not authenticated).
//! - The proof length must be exactly the RFC 9162 inclusion-path length for
//!   `(index, size)`: a longer or shorter path is refused, not trimmed.
//! - Witness cosignatures on the checkpoint are kept unverified here (a
//!   witness policy is the witnessing part's check).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::checkpoint::{Checkpoint, CheckpointError, VerifierKey};
use crate::merkle::{self, MerkleError};
use crate::report::Verified;
use crate::types::Sha256Digest;

/// The first line of a tlog-proof.
pub const TLOG_PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

/// The largest proof accepted: a largest note plus header, extra data and 63 hashes.
pub const MAX_TLOG_PROOF_BYTES: usize = crate::checkpoint::MAX_NOTE_BYTES + 8_192;

/// At most this many inclusion-proof hashes.
pub const MAX_PROOF_HASHES: usize = 63;

/// Why a tlog-proof does not prove inclusion.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlogProofError {
    /// The proof is larger than [`MAX_TLOG_PROOF_BYTES`].
    #[error("the proof is {0} bytes, more than the {MAX_TLOG_PROOF_BYTES}-byte limit")]
    TooLarge(usize),
    /// The proof text is not a tlog-proof.
    #[error("malformed tlog-proof: {0}")]
    Malformed(&'static str),
    /// The checkpoint does not verify under the log key (or is not a checkpoint).
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
    /// The index is not below the checkpoint's tree size.
    #[error("index {index} is not in the checkpoint's tree of {size} entries")]
    IndexOutOfRange {
        /// The proof's index.
        index: u64,
        /// The checkpoint's size.
        size: u64,
    },
    /// The inclusion proof does not lead from this entry to the checkpoint's root.
    #[error("the entry is not included at index {index} of the tree of {size}: {source}")]
    NotIncluded {
        /// The proof's index.
        index: u64,
        /// The checkpoint's size.
        size: u64,
        /// The tree computation's refusal.
        source: MerkleError,
    },
}

impl TlogProofError {
    /// The stable reason of the `log-inclusion` failure.
    pub fn reason(&self) -> crate::reason::Reason {
        use crate::reason::Reason;
        match self {
            TlogProofError::TooLarge(_) | TlogProofError::Malformed(_) => Reason::MalformedLogProof,
            TlogProofError::Checkpoint(CheckpointError::OriginMismatch { .. }) => Reason::OriginMismatch,
            TlogProofError::Checkpoint(
                CheckpointError::NotSigned(_) | CheckpointError::BadSignature(_) | CheckpointError::InvalidName,
            ) => Reason::BadLogSignature,
            TlogProofError::Checkpoint(_) => Reason::MalformedLogProof,
            TlogProofError::IndexOutOfRange { .. } | TlogProofError::NotIncluded { .. } => Reason::NotIncluded,
        }
    }
}

/// A parsed tlog-proof (not yet verified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    extra: Option<Vec<u8>>,
    index: u64,
    path: Vec<Sha256Digest>,
    checkpoint: String,
}

fn canonical_base64(s: &str) -> Option<Vec<u8>> {
    let b = STANDARD.decode(s).ok()?;
    (STANDARD.encode(&b) == s).then_some(b)
}

impl TlogProof {
    /// A proof of `index` with `path` under the signed `checkpoint` note.
    pub fn new(index: u64, path: Vec<Sha256Digest>, checkpoint: String, extra: Option<Vec<u8>>) -> Self {
        Self { extra, index, path, checkpoint }
    }

    /// Parses the text format (strict, see the module docs).
    pub fn parse(bytes: &[u8]) -> Result<Self, TlogProofError> {
        if bytes.len() > MAX_TLOG_PROOF_BYTES {
            return Err(TlogProofError::TooLarge(bytes.len()));
        }
        let text = core::str::from_utf8(bytes).map_err(|_| TlogProofError::Malformed("not UTF-8"))?;
        let (head, checkpoint) =
            text.split_once("\n\n").ok_or(TlogProofError::Malformed("no blank line before the checkpoint"))?;
        let mut lines = head.split('\n');
        if lines.next() != Some(TLOG_PROOF_HEADER) {
            return Err(TlogProofError::Malformed("the first line is not c2sp.org/tlog-proof@v1"));
        }
        let mut line = lines.next().ok_or(TlogProofError::Malformed("no index line"))?;
        let mut extra = None;
        if let Some(e) = line.strip_prefix("extra ") {
            extra = Some(canonical_base64(e).ok_or(TlogProofError::Malformed("extra data is not canonical base64"))?);
            line = lines.next().ok_or(TlogProofError::Malformed("no index line"))?;
        }
        let index = line
            .strip_prefix("index ")
            .and_then(crate::checkpoint::parse_decimal)
            .ok_or(TlogProofError::Malformed("the index line is not `index <decimal>`"))?;
        let mut path = Vec::new();
        for l in lines {
            if path.len() == MAX_PROOF_HASHES {
                return Err(TlogProofError::Malformed("more than 63 proof hashes"));
            }
            let h = Sha256Digest::from_base64(l)
                .map_err(|_| TlogProofError::Malformed("a proof line is not a canonical base64 SHA-256 hash"))?;
            path.push(h);
        }
        Ok(Self { extra, index, path, checkpoint: checkpoint.to_string() })
    }

    /// The text format.
    pub fn to_text(&self) -> String {
        let mut s = format!("{TLOG_PROOF_HEADER}\n");
        if let Some(e) = &self.extra {
            s.push_str(&format!("extra {}\n", STANDARD.encode(e)));
        }
        s.push_str(&format!("index {}\n", self.index));
        for h in &self.path {
            s.push_str(&STANDARD.encode(h.as_bytes()));
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.checkpoint);
        s
    }

    /// The entry's index.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The inclusion path.
    pub fn path(&self) -> &[Sha256Digest] {
        &self.path
    }

    /// The signed checkpoint note, verbatim.
    pub fn checkpoint_note(&self) -> &str {
        &self.checkpoint
    }

    /// The unauthenticated extra data.
    pub fn extra(&self) -> Option<&[u8]> {
        self.extra.as_deref()
    }
}

/// What a verified tlog-proof proves: the entry is at `index` of the tree
/// of the verified checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogInclusion {
    index: u64,
    checkpoint: Checkpoint,
    note: crate::checkpoint::Note,
}

impl LogInclusion {
    /// The entry's index.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The checkpoint, signed by the log key.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// The signed checkpoint note (its other signature lines unverified:
    /// witness cosignatures are a policy's check, [`crate::tlog_policy`]).
    pub fn note(&self) -> &crate::checkpoint::Note {
        &self.note
    }
}

/// Verifies that `proof` proves `entry` (entry bytes, formats §8) in a
/// checkpoint signed by `log_key` whose origin is the key's name.
pub fn verify_tlog_proof(
    proof: &[u8],
    entry: &[u8],
    log_key: &VerifierKey,
) -> Result<Verified<LogInclusion>, TlogProofError> {
    let p = TlogProof::parse(proof)?;
    let note = crate::checkpoint::verify_note(p.checkpoint.as_bytes(), log_key)?.into_inner();
    let cp = Checkpoint::parse(note.text())?;
    if cp.origin() != log_key.name() {
        return Err(CheckpointError::OriginMismatch {
            origin: cp.origin().to_string(),
            key_name: log_key.name().to_string(),
        }
        .into());
    }
    if p.index >= cp.size() {
        return Err(TlogProofError::IndexOutOfRange { index: p.index, size: cp.size() });
    }
    merkle::verify_inclusion(&merkle::leaf_hash(entry), p.index, cp.size(), &p.path, &cp.root())
        .map_err(|source| TlogProofError::NotIncluded { index: p.index, size: cp.size(), source })?;
    Ok(Verified::new(LogInclusion { index: p.index, checkpoint: cp, note }))
}

/// The log proof given with a document (`--log-proof FILE --log-key VKEY
/// [--witness-policy FILE]`).
#[derive(Debug, Clone)]
pub struct LogProofEvidence {
    /// The tlog-proof bytes.
    pub proof: Vec<u8>,
    /// The log's verifier key.
    pub log_key: VerifierKey,
    /// A C2SP tlog-policy text (`--witness-policy`): the checkpoint must be
    /// cosigned to its quorum. Kept as bytes and parsed by the check, so a
    /// policy that does not parse fails `log-inclusion` (fail closed) with
    /// the line and the problem.
    pub witness_policy: Option<Vec<u8>>,
}

impl PartialEq for LogProofEvidence {
    fn eq(&self, other: &Self) -> bool {
        self.proof == other.proof
            && self.log_key.to_string() == other.log_key.to_string()
            && self.witness_policy == other.witness_policy
    }
}

impl Eq for LogProofEvidence {}

/// The `log-inclusion` check of the registry: records a pass or failure on
/// `r` for the document `v` (its entry bytes from [`crate::registry::entry_bytes`]).
#[cfg(feature = "log-proof")]
pub(crate) fn check(r: &mut crate::report::ReportBuilder, v: Option<&attest_json::Value>, e: &LogProofEvidence) {
    use crate::report::CheckId;
    let Some(entry) = v.and_then(crate::registry::entry_bytes) else {
        r.skip(CheckId::LogInclusion, "not checked: the document has no entry bytes (not a known kind)");
        return;
    };
    match verify_tlog_proof(&e.proof, &entry, &e.log_key) {
        Ok(v) => {
            let inc = v.into_inner();
            let at = format!(
                "entry {} of {} in the checkpoint of {} (root {})",
                inc.index,
                inc.checkpoint.size(),
                inc.checkpoint.origin(),
                inc.checkpoint.root()
            );
            let Some(policy) = &e.witness_policy else {
                r.pass(CheckId::LogInclusion, at);
                return;
            };
            match witnessed(policy, &e.log_key, &inc) {
                Ok(detail) => r.pass(CheckId::LogInclusion, format!("{at}; {detail}")),
                Err((reason, detail)) => r.fail(CheckId::LogInclusion, reason, detail),
            }
        }
        Err(err) => r.fail(CheckId::LogInclusion, err.reason(), err.to_string()),
    }
}

/// The witness-policy part of `log-inclusion`: the policy parses, accepts
/// the log key, and the checkpoint's cosignatures meet its quorum.
#[cfg(feature = "log-proof")]
fn witnessed(
    policy: &[u8],
    log_key: &VerifierKey,
    inc: &LogInclusion,
) -> Result<String, (crate::reason::Reason, String)> {
    use crate::reason::Reason;
    let p = crate::tlog_policy::Policy::parse(policy)
        .map_err(|err| (Reason::MalformedWitnessPolicy, format!("witness policy: {err}")))?;
    if !p.accepts_log(log_key) {
        return Err((
            Reason::LogNotInPolicy,
            format!("the log key {}+{} is not a log of the witness policy", log_key.name(), log_key.key_id().to_hex()),
        ));
    }
    let q = p.evaluate(inc.note());
    let by = match q.cosigned() {
        [] => "no witness of the policy".to_string(),
        names => names.join(", "),
    };
    if !q.satisfied() {
        return Err((
            Reason::QuorumNotMet,
            format!("quorum {} not met: the checkpoint is cosigned by {by}", q.required()),
        ));
    }
    Ok(format!("quorum {} met (cosigned by {by})", q.required()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT_LINE: &str = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

    #[test]
    fn round_trip_and_strictness() {
        let p = TlogProof::new(3, vec![merkle::leaf_hash(b"a")], "o\n1\nx\n\n— o AAAA\n".into(), Some(b"hi".to_vec()));
        let text = p.to_text();
        assert!(text.starts_with("c2sp.org/tlog-proof@v1\nextra aGk=\nindex 3\n"));
        assert_eq!(TlogProof::parse(text.as_bytes()).unwrap(), p);
        let bad = |s: &str| TlogProof::parse(s.as_bytes()).unwrap_err();
        let tail = "\n\nsome note";
        assert!(matches!(bad(&format!("c2sp.org/tlog-proof@v2\nindex 0{tail}")), TlogProofError::Malformed(_)));
        assert!(matches!(bad(&format!("c2sp.org/tlog-proof@v1\nindex 01{tail}")), TlogProofError::Malformed(_)));
        assert!(matches!(bad(&format!("c2sp.org/tlog-proof@v1\nindex -1{tail}")), TlogProofError::Malformed(_)));
        assert!(matches!(bad(&format!("c2sp.org/tlog-proof@v1\nextra aGk{tail}")), TlogProofError::Malformed(_)));
        assert!(matches!(bad(&format!("c2sp.org/tlog-proof@v1\nindex 0\nAAAA{tail}")), TlogProofError::Malformed(_)));
        assert!(matches!(bad("c2sp.org/tlog-proof@v1\nindex 0\n"), TlogProofError::Malformed(_)));
        let hashes = |n: usize| vec![ROOT_LINE; n].join("\n");
        let many = format!("c2sp.org/tlog-proof@v1\nindex 0\n{}{tail}", hashes(64));
        assert!(matches!(bad(&many), TlogProofError::Malformed(_)));
        let most = format!("c2sp.org/tlog-proof@v1\nindex 0\n{}{tail}", hashes(63));
        assert_eq!(TlogProof::parse(most.as_bytes()).unwrap().path().len(), 63);
        let big = vec![b'a'; MAX_TLOG_PROOF_BYTES + 1];
        assert!(matches!(TlogProof::parse(&big), Err(TlogProofError::TooLarge(_))));
        // Zero hashes is a valid shape (a tree of one entry).
        let one = TlogProof::parse(format!("c2sp.org/tlog-proof@v1\nindex 0{tail}").as_bytes()).unwrap();
        assert!(one.path().is_empty());
        assert_eq!(one.checkpoint_note(), "some note");
    }
}
