//! Fork-evidence vectors (formats.md §9, docs/spec.md §11): `accept/fork-*`,
//! `parse/fork-*`, `trust-root/fork-*`, `signer/fork-*`, `fork/*`,
//! `signature/fork-*`. The log world is `LogWorld` (a trust root with a
//! root, a `log` and a `witness` key); the trees are built here from fixed
//! leaves, and every evidence document goes through `ForkEvidenceDraft`
//! unless the vector is about what the builder would refuse.

use attest_attestor::fork::{sign_reported, ForkEvidenceDraft};
use attest_attestor::json::{s, set, to_pretty};
use attest_attestor::note::NoteSigner;
use attest_attestor::scenario::{t, times, LogWorld};
use attest_attestor::MasterSecret;
use attest_json::{Object, Value};
use attest_test_vectors::Vector;
use attest_verifier::checkpoint::Checkpoint;
use attest_verifier::crypto::sha256;
use attest_verifier::fork::FORK_EVIDENCE_TYPE;
use attest_verifier::merkle::{consistency_proof, leaf_hash, tree_hash};
use attest_verifier::types::Sha256Digest;
use base64::Engine as _;

use super::{e, R};

/// When the reporter saw the fork (before the vectors' `now`).
const DETECTED: &str = "2026-11-21T11:00:00Z";

struct Fk {
    w: LogWorld,
    /// A key no trust root lists.
    stranger: MasterSecret,
    honest: Vec<Sha256Digest>,
    /// `honest` with leaf 2 rewritten.
    forked: Vec<Sha256Digest>,
    /// `honest` with leaf 0 rewritten.
    forked0: Vec<Sha256Digest>,
    out: Vec<Vector>,
}

fn obj(v: &mut Value) -> R<&mut Object> {
    match v {
        Value::Object(o) => Ok(o),
        _ => Err("fork evidence is not an object".into()),
    }
}

impl Fk {
    fn new() -> R<Self> {
        let w = LogWorld::new("vectors").map_err(e)?;
        let stranger = MasterSecret::from_bytes(*sha256(b"attest.vectors.fork.stranger").as_bytes());
        let honest: Vec<Sha256Digest> = (0..10).map(|i| leaf_hash(format!("entry {i}").as_bytes())).collect();
        let mut forked = honest.clone();
        forked[2] = leaf_hash(b"entry 2, rewritten");
        let mut forked0 = honest.clone();
        forked0[0] = leaf_hash(b"entry 0, rewritten");
        Ok(Self { w, stranger, honest, forked, forked0, out: Vec::new() })
    }

    fn base(&self, name: &str, description: &str, expect: &str, reason: Option<&str>) -> Vector {
        Vector {
            ..Vector::new(
                name,
                description,
                expect,
                reason,
                times::NOW,
                vec![self.w.root.master_ed25519().public_key().to_hex()],
                vec![to_pretty(&self.w.trust_root)],
            )
        }
    }

    fn add(&mut self, name: &str, description: &str, expect: &str, reason: Option<&str>, doc: &Value) {
        let mut v = self.base(name, description, expect, reason);
        v.document = Some(to_pretty(doc));
        self.out.push(v);
    }

    fn parse_reject(&mut self, name: &str, description: &str, reason: &str, path: &str, doc: String) {
        let mut v = self.base(name, description, "reject:parse", Some(reason));
        v.path = Some(path.into());
        v.document = Some(doc);
        self.out.push(v);
    }

    /// The checkpoint note of `leaves` signed by `signer` (its name is the origin).
    fn note_by(signer: &NoteSigner, leaves: &[Sha256Digest]) -> R<String> {
        let cp = Checkpoint::new(signer.name(), leaves.len() as u64, tree_hash(leaves)).map_err(e)?;
        signer.sign_checkpoint(&cp).map_err(e)
    }

    fn note(&self, leaves: &[Sha256Digest]) -> R<String> {
        Self::note_by(&self.w.signer, leaves)
    }

    /// Evidence of `a` and `b` under the world's log key, checked by the builder.
    fn built(&self, a: &str, b: &str, proof: &[Sha256Digest]) -> R<Value> {
        let d = ForkEvidenceDraft::new(self.w.signer.verifier_key(), a, b, proof, t(DETECTED)).map_err(e)?;
        Ok(d.build().map_err(e)?.0)
    }

    /// Evidence assembled without the builder's check (for what it would refuse).
    fn raw(&self, a: &str, b: &str, proof: &[Sha256Digest]) -> R<Value> {
        let d = ForkEvidenceDraft::new(self.w.signer.verifier_key(), a, b, proof, t(DETECTED)).map_err(e)?;
        Ok(d.value())
    }

    /// The larger-size fork: A = honest[..6], B = forked[..9] with its proof.
    fn larger(&self) -> R<(String, String, Vec<Sha256Digest>)> {
        let b = &self.forked[..9];
        Ok((self.note(&self.honest[..6])?, self.note(b)?, consistency_proof(b, 6).map_err(e)?))
    }

    fn accepts(&mut self) -> R<()> {
        let (a, b) = (self.note(&self.honest[..6])?, self.note(&self.forked[..6])?);
        let d = self.built(&a, &b, &[])?;
        self.add(
            "accept/fork-equal-size",
            "two checkpoints of size 6 with different roots, both signed by the pinned log key",
            "accept",
            None,
            &d,
        );
        let (a, b, p) = self.larger()?;
        let d = self.built(&a, &b, &p)?;
        self.add(
            "accept/fork-larger-size",
            "A of size 6, B of size 9: B's consistency proof yields root(B) and an old root other than root(A)",
            "accept",
            None,
            &d,
        );
        let b7 = &self.forked0[..7].to_vec();
        let draft = ForkEvidenceDraft::new(
            self.w.signer.verifier_key(),
            &self.note(&self.honest[..4])?,
            &self.note(b7)?,
            &consistency_proof(b7, 4).map_err(e)?,
            t(DETECTED),
        )
        .map_err(e)?
        .with_old_root_of_b(tree_hash(&b7[..4]));
        let d = draft.build().map_err(e)?.0;
        self.add(
            "accept/fork-power-of-two",
            "size(A) = 4, a power of two: the proof carries B's root at size 4 first (the hash RFC 9162 step 1 prepends)",
            "accept",
            None,
            &d,
        );
        let raw: Vec<u8> = (0u8..76).map(|i| i.wrapping_mul(37)).collect();
        let cosig = format!("— witness.example/w {}\n", base64::engine::general_purpose::STANDARD.encode(raw));
        let d = self.built(&a, &format!("{b}{cosig}"), &p)?;
        self.add(
            "accept/fork-cosigned",
            "checkpoint B carries a witness cosignature line beside the log's signature: ignored",
            "accept",
            None,
            &d,
        );
        let mut d = self.built(&a, &b, &p)?;
        sign_reported(obj(&mut d)?, &[&self.w.witness.master_ed25519()]);
        self.add(
            "accept/fork-reported",
            "reported by the trust root's witness key: its signature over M(evidence) verifies",
            "accept",
            None,
            &d,
        );
        let mut d = self.built(&a, &b, &p)?;
        sign_reported(obj(&mut d)?, &[&self.stranger.master_ed25519()]);
        self.add(
            "accept/fork-unknown-reporter",
            "a reporter signature by a key the trust root does not list is ignored (`signature` skip)",
            "accept",
            None,
            &d,
        );
        Ok(())
    }

    fn rejects(&mut self) -> R<()> {
        let (a, b, p) = self.larger()?;

        // parse
        let mut d = self.built(&a, &b, &p)?;
        set(obj(&mut d)?, "a", s("not a signed note\n"));
        self.parse_reject(
            "parse/fork-malformed-note",
            "`a` is not a signed note (no blank line before signature lines)",
            "malformed",
            "$.a",
            to_pretty(&d),
        );
        let mut d = self.built(&a, &b, &p)?;
        let unpadded = p.first().map(|h| h.to_base64().trim_end_matches('=').to_string()).unwrap_or_default();
        if let Some(Value::Array(items)) = obj(&mut d)?.get_mut("consistencyProof") {
            if let Some(first) = items.first_mut() {
                *first = s(unpadded);
            }
        }
        self.parse_reject(
            "parse/fork-proof-encoding",
            "a consistency-proof hash without its base64 padding",
            "bad-encoding",
            "$.consistencyProof[0]",
            to_pretty(&d),
        );

        // trust-root
        let d = self.built(&a, &b, &p)?;
        let mut v = self.base(
            "trust-root/fork-not-anchored",
            "the trust root is not anchored by the pinned key: no log key is trusted",
            "reject:trust-root",
            Some("not-anchored"),
        );
        v.root_keys = vec![self.stranger.master_ed25519().public_key().to_hex()];
        v.document = Some(to_pretty(&d));
        self.out.push(v);

        // signer: the log key
        let stranger_log = NoteSigner::new(&self.w.origin, self.stranger.master_ed25519()).map_err(e)?;
        let b9 = &self.forked[..9].to_vec();
        let d = ForkEvidenceDraft::new(
            stranger_log.verifier_key(),
            &Self::note_by(&stranger_log, &self.honest[..6])?,
            &Self::note_by(&stranger_log, b9)?,
            &p,
            t(DETECTED),
        )
        .map_err(e)?
        .build()
        .map_err(e)?
        .0;
        self.add(
            "signer/fork-log-key-not-pinned",
            "a genuine split view under a log key the trust root does not list: not a fork of this log",
            "reject:signer",
            Some("unknown-key"),
            &d,
        );
        let witness_log = NoteSigner::new(&self.w.origin, self.w.witness.master_ed25519()).map_err(e)?;
        let d = ForkEvidenceDraft::new(
            witness_log.verifier_key(),
            &Self::note_by(&witness_log, &self.honest[..6])?,
            &Self::note_by(&witness_log, b9)?,
            &p,
            t(DETECTED),
        )
        .map_err(e)?
        .build()
        .map_err(e)?
        .0;
        self.add(
            "signer/fork-log-key-wrong-role",
            "the checkpoints are signed by the trust root's witness key, which lacks the `log` role",
            "reject:signer",
            Some("wrong-role"),
            &d,
        );
        let mut d = self.built(&a, &b, &p)?;
        set(obj(&mut d)?, "detectedAt", s("2099-01-01T00:00:00Z"));
        self.add(
            "signer/fork-detected-in-future",
            "detectedAt lies after now + the 5-minute clock skew",
            "reject:signer",
            Some("issued-in-future"),
            &d,
        );

        // fork: not-a-fork
        let h9 = &self.honest[..9].to_vec();
        let d = self.raw(&a, &self.note(h9)?, &consistency_proof(h9, 6).map_err(e)?)?;
        self.add(
            "fork/consistent",
            "B extends A: the proof yields root(A) as the old root (an honest log)",
            "reject:fork",
            Some("not-a-fork"),
            &d,
        );
        let h7 = &self.honest[..7].to_vec();
        let d = self.raw(&self.note(&self.honest[..4])?, &self.note(h7)?, &consistency_proof(h7, 4).map_err(e)?)?;
        self.add(
            "fork/consistent-power-of-two",
            "size(A) = 4 with the plain RFC proof: root(A) is prepended, the log is consistent",
            "reject:fork",
            Some("not-a-fork"),
            &d,
        );
        let d = self.raw(&a, &a, &[])?;
        self.add("fork/same-checkpoint", "the same checkpoint twice: one view", "reject:fork", Some("not-a-fork"), &d);
        let mut d = self.raw(&a, &b, &p)?;
        let o = obj(&mut d)?;
        set(o, "a", s(b.as_str()));
        set(o, "b", s(a.as_str()));
        self.add(
            "fork/sizes-reversed",
            "A (size 9) is larger than B (size 6): A must be the smaller checkpoint",
            "reject:fork",
            Some("not-a-fork"),
            &d,
        );
        let d = self.raw(&self.note(&[])?, &b, &[])?;
        self.add(
            "fork/empty-tree",
            "A is the empty tree, which every tree extends",
            "reject:fork",
            Some("not-a-fork"),
            &d,
        );

        // fork: bad-proof
        let mut wrong = p.clone();
        if let Some(x) = wrong.get_mut(1) {
            *x = leaf_hash(b"not a node of B");
        }
        let d = self.raw(&a, &b, &wrong)?;
        self.add(
            "fork/wrong-proof",
            "a proof element changed: the computation does not yield root(B)",
            "reject:fork",
            Some("bad-proof"),
            &d,
        );
        let d = self.raw(&a, &b, p.get(1..).unwrap_or_default())?;
        self.add(
            "fork/proof-wrong-length",
            "one hash short of the length sizes 6 and 9 require",
            "reject:fork",
            Some("bad-proof"),
            &d,
        );

        // fork: bad-log-signature
        let d = self.raw(&Self::note_by(&stranger_log, &self.honest[..6])?, &b, &p)?;
        self.add(
            "fork/bad-signature-a",
            "checkpoint A is signed by another key under the log's name (no signature line of the log key)",
            "reject:fork",
            Some("bad-log-signature"),
            &d,
        );
        let other_root = base64::engine::general_purpose::STANDARD.encode(tree_hash(&self.honest[..9]).as_bytes());
        let this_root = base64::engine::general_purpose::STANDARD.encode(tree_hash(b9).as_bytes());
        let edited = b.replacen(&this_root, &other_root, 1);
        if edited == b {
            return Err("fork/bad-signature-b: root not found in the note".into());
        }
        let d = self.raw(&a, &edited, &p)?;
        self.add(
            "fork/bad-signature-b",
            "checkpoint B's root edited after the log signed it",
            "reject:fork",
            Some("bad-log-signature"),
            &d,
        );

        // fork: origin-mismatch
        let mut d = self.raw(&a, &b, &p)?;
        set(obj(&mut d)?, "origin", s("other.example/log"));
        self.add(
            "fork/origin-not-key-name",
            "`origin` is not the log key's name",
            "reject:fork",
            Some("origin-mismatch"),
            &d,
        );
        let body = Checkpoint::new("other.example/log", 9, tree_hash(b9)).map_err(e)?.body();
        let key = self.w.log.master_ed25519();
        let sig = key.sign(body.as_bytes());
        let vk = self.w.signer.verifier_key();
        let b_other = format!("{body}\n{}", attest_verifier::checkpoint::signature_line(vk.name(), vk.key_id(), &sig));
        let d = self.raw(&a, &b_other, &p)?;
        self.add(
            "fork/checkpoint-origin",
            "checkpoint B is signed by the log key under its name, but its origin line names another log",
            "reject:fork",
            Some("origin-mismatch"),
            &d,
        );

        // signature: the reporter's
        let mut d = self.built(&a, &b, &p)?;
        let o = obj(&mut d)?;
        sign_reported(o, &[&self.w.witness.master_ed25519()]);
        set(o, "detectedAt", s("2026-11-21T11:30:00Z"));
        self.add(
            "signature/fork-reporter-tampered",
            "detectedAt changed after the witness signed the evidence: its signature no longer verifies",
            "reject:signature",
            Some("bad-signature"),
            &d,
        );
        Ok(())
    }
}

/// Every fork-evidence vector.
pub fn vectors() -> R<Vec<Vector>> {
    let mut f = Fk::new()?;
    f.accepts()?;
    f.rejects()?;
    for v in &f.out {
        let doc = v.document.as_deref().unwrap_or_default();
        if !doc.contains(FORK_EVIDENCE_TYPE) {
            return Err(format!("{}: not fork evidence", v.name));
        }
    }
    Ok(f.out)
}
