//! Building fork evidence `attest.fork-evidence.v1` (formats.md §9,
//! docs/spec.md §11) from two signed checkpoints of one log and the
//! consistency proof between their sizes, as a ledger monitor or witness
//! holds them.
//!
//! The draft orders the two checkpoints (A is the smaller), and
//! [`ForkEvidenceDraft::build`] refuses to return evidence that the verifier's
//! own `fork` computation ([`check_fork`]) does not accept: a builder that
//! could emit a consistent pair as "fork evidence" would accuse an honest log.

use attest_json::{Object, Value};
use attest_verifier::checkpoint::{self, CheckpointError, VerifierKey};
use attest_verifier::doc::DocumentError;
use attest_verifier::fork::{check_fork, parse_fork_evidence_value, ForkError, SplitView, FORK_EVIDENCE_TYPE};
use attest_verifier::types::Sha256Digest;
use attest_verifier::Timestamp;

use crate::json::{s, ObjectBuilder};
use crate::keys::Ed25519Signer;
use crate::sign::sign_multi;

/// Why no fork evidence was built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ForkBuildError {
    /// A note does not parse as a signed checkpoint.
    #[error("checkpoint {which}: {error}")]
    Note {
        /// `first` or `second`, as given.
        which: &'static str,
        /// The problem.
        error: CheckpointError,
    },
    /// The assembled document does not parse (a verifier bug or an unusable input).
    #[error("{0}")]
    Document(#[from] DocumentError),
    /// The two checkpoints and the proof do not prove a fork.
    #[error("not fork evidence: {0} [{reason}]", reason = .0.reason())]
    NotAFork(#[from] ForkError),
}

/// Fork evidence in the making.
#[derive(Debug, Clone)]
pub struct ForkEvidenceDraft {
    log_key: VerifierKey,
    a: String,
    b: String,
    proof: Vec<Sha256Digest>,
    detected_at: Timestamp,
}

fn size_of(which: &'static str, note: &str) -> Result<u64, ForkBuildError> {
    let parsed = checkpoint::parse_note(note.as_bytes()).map_err(|error| ForkBuildError::Note { which, error })?;
    let cp = checkpoint::Checkpoint::parse(parsed.text()).map_err(|error| ForkBuildError::Note { which, error })?;
    Ok(cp.size())
}

impl ForkEvidenceDraft {
    /// Two signed checkpoint notes of the log with verifier key `log_key`, in
    /// either order (the smaller becomes A), and the consistency proof from
    /// the smaller size to the larger as the log serves it (RFC 9162
    /// `PROOF(m, D[n])`; empty for equal sizes).
    pub fn new(
        log_key: &VerifierKey,
        first: &str,
        second: &str,
        consistency_proof: &[Sha256Digest],
        detected_at: Timestamp,
    ) -> Result<Self, ForkBuildError> {
        let (a, b) = match size_of("first", first)? <= size_of("second", second)? {
            true => (first, second),
            false => (second, first),
        };
        Ok(Self {
            log_key: log_key.clone(),
            a: a.to_string(),
            b: b.to_string(),
            proof: consistency_proof.to_vec(),
            detected_at,
        })
    }

    /// For a power-of-two size(A): B's root at that size (the hash of B's
    /// tree over its first size(A) leaves: in C2SP tiles, the level-log2(m)
    /// hash at index 0), prepended to the proof. RFC 9162 leaves it out of
    /// `PROOF(m, D[n])` because an honest verifier already holds it; here it
    /// is the point (docs/spec.md §11.2).
    #[must_use]
    pub fn with_old_root_of_b(mut self, root: Sha256Digest) -> Self {
        self.proof.insert(0, root);
        self
    }

    /// The evidence document, unchecked.
    pub fn value(&self) -> Value {
        ObjectBuilder::new()
            .set("type", s(FORK_EVIDENCE_TYPE))
            .set("origin", s(self.log_key.name()))
            .set("logKey", s(self.log_key.to_string()))
            .set("a", s(self.a.as_str()))
            .set("b", s(self.b.as_str()))
            .set("consistencyProof", Value::Array(self.proof.iter().map(|h| s(h.to_base64())).collect()))
            .set("detectedAt", s(self.detected_at.to_rfc3339()))
            .value()
    }

    /// The evidence document and the split view it proves, checked with the
    /// verifier's `fork` computation under the draft's log key.
    pub fn build(&self) -> Result<(Value, SplitView), ForkBuildError> {
        let v = self.value();
        let split = check_fork(&parse_fork_evidence_value(&v)?)?;
        Ok((v, split))
    }
}

/// Signs fork evidence in place as its reporters (witness keys): sets
/// `signatures` to `[{keyId, signature}]`, each Ed25519 over `M(evidence)`.
pub fn sign_reported(evidence: &mut Object, reporters: &[&Ed25519Signer]) {
    evidence.remove("signatures");
    sign_multi(evidence, reporters);
}

#[cfg(test)]
mod tests {
    use attest_verifier::fork::{parse_fork_evidence, NoFork};
    use attest_verifier::merkle::{consistency_proof, leaf_hash, tree_hash};

    use super::*;
    use crate::note::NoteSigner;
    use crate::MasterSecret;

    const ORIGIN: &str = "ledger.example/fork";

    fn leaves(n: usize, tag: &str) -> Vec<Sha256Digest> {
        (0..n).map(|i| leaf_hash(format!("{tag}{i}").as_bytes())).collect()
    }

    fn signer() -> NoteSigner {
        NoteSigner::new(ORIGIN, MasterSecret::from_bytes([5; 32]).master_ed25519()).unwrap()
    }

    fn note(sig: &NoteSigner, l: &[Sha256Digest]) -> String {
        sig.sign_checkpoint(&checkpoint::Checkpoint::new(ORIGIN, l.len() as u64, tree_hash(l)).unwrap()).unwrap()
    }

    fn when() -> Timestamp {
        Timestamp::parse("2026-11-21T11:00:00Z").unwrap()
    }

    #[test]
    fn builds_evidence_of_a_split_view_in_either_order() {
        let sig = signer();
        let honest = leaves(10, "e");
        let mut forked = honest.clone();
        forked[2] = leaf_hash(b"rewritten");
        let (a, b) = (note(&sig, &honest[..6]), note(&sig, &forked));
        let proof = consistency_proof(&forked, 6).unwrap();
        for (first, second) in [(&a, &b), (&b, &a)] {
            let d = ForkEvidenceDraft::new(sig.verifier_key(), first, second, &proof, when()).unwrap();
            let (v, split) = d.build().unwrap();
            assert_eq!(
                (split.size(), split.root_in_a(), split.root_in_b()),
                (6, tree_hash(&honest[..6]), tree_hash(&forked[..6]))
            );
            let ev = parse_fork_evidence(attest_json::to_canonical_string(&v).as_bytes()).unwrap();
            let text = |n: &str| n.split_once("\n\n").map(|(t, _)| format!("{t}\n")).unwrap();
            assert_eq!((ev.a().note().text(), ev.b().note().text()), (text(&a).as_str(), text(&b).as_str()));
            assert_eq!(ev.origin(), ORIGIN);
        }
        // Equal sizes, no proof.
        let (v, split) = ForkEvidenceDraft::new(sig.verifier_key(), &note(&sig, &forked[..6]), &a, &[], when())
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(split.size(), 6);
        assert_eq!(v.as_object().and_then(|o| o.get("consistencyProof")), Some(&Value::Array(Vec::new())));
    }

    #[test]
    fn a_power_of_two_size_needs_the_old_root_of_b() {
        let sig = signer();
        let honest = leaves(7, "e");
        let mut forked = honest.clone();
        forked[0] = leaf_hash(b"rewritten");
        let (a, b) = (note(&sig, &honest[..4]), note(&sig, &forked));
        let proof = consistency_proof(&forked, 4).unwrap();
        let d = ForkEvidenceDraft::new(sig.verifier_key(), &a, &b, &proof, when()).unwrap();
        assert!(matches!(d.build(), Err(ForkBuildError::NotAFork(ForkError::ProofRoot { .. }))));
        let (_, split) = d.with_old_root_of_b(tree_hash(&forked[..4])).build().unwrap();
        assert_eq!(split.root_in_b(), tree_hash(&forked[..4]));
    }

    #[test]
    fn refuses_what_is_no_fork() {
        let sig = signer();
        let honest = leaves(10, "e");
        let (a, b) = (note(&sig, &honest[..6]), note(&sig, &honest));
        let proof = consistency_proof(&honest, 6).unwrap();
        let e = ForkEvidenceDraft::new(sig.verifier_key(), &a, &b, &proof, when()).unwrap().build().unwrap_err();
        assert!(matches!(e, ForkBuildError::NotAFork(ForkError::NotAFork { why: NoFork::Consistent, .. })), "{e}");
        assert!(e.to_string().ends_with("[not-a-fork]"), "{e}");
        // The same checkpoint twice.
        let e = ForkEvidenceDraft::new(sig.verifier_key(), &a, &a, &[], when()).unwrap().build().unwrap_err();
        assert!(matches!(e, ForkBuildError::NotAFork(ForkError::NotAFork { why: NoFork::SameView, .. })));
        // Another log's key.
        let other = NoteSigner::new(ORIGIN, MasterSecret::from_bytes([6; 32]).master_ed25519()).unwrap();
        let e = ForkEvidenceDraft::new(other.verifier_key(), &a, &b, &proof, when()).unwrap().build().unwrap_err();
        assert!(matches!(e, ForkBuildError::NotAFork(ForkError::LogSignature { .. })));
        // Not a checkpoint note.
        let e = ForkEvidenceDraft::new(sig.verifier_key(), "junk", &b, &proof, when()).unwrap_err();
        assert!(matches!(e, ForkBuildError::Note { which: "first", .. }));
    }

    #[test]
    fn reporter_signatures_are_over_m_of_the_evidence() {
        let sig = signer();
        let honest = leaves(3, "e");
        let mut forked = honest.clone();
        forked[0] = leaf_hash(b"x");
        let (a, b) = (note(&sig, &honest), note(&sig, &forked));
        let (mut v, _) = ForkEvidenceDraft::new(sig.verifier_key(), &a, &b, &[], when()).unwrap().build().unwrap();
        let witness = MasterSecret::from_bytes([9; 32]).master_ed25519();
        let Value::Object(o) = &mut v else { panic!("object") };
        sign_reported(o, &[&witness]);
        sign_reported(o, &[&witness]); // re-signing replaces, never nests
        let ev = parse_fork_evidence(attest_json::to_canonical_string(&v).as_bytes()).unwrap();
        let sigs = ev.signatures().unwrap();
        assert_eq!(sigs.len(), 1);
        assert_eq!(sigs[0].key_id(), witness.key_id());
        assert!(attest_verifier::crypto::ed25519_verify_strict(
            &witness.public_key(),
            ev.signed().message(),
            &sigs[0].signature()
        ));
    }
}
