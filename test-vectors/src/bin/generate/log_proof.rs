//! `log-inclusion` vectors (formats.md §8, docs/spec.md §10.6): an
//! attestation with a C2SP tlog-proof from a small log of five entries
//! (the attestation at index 2), and each way a proof fails.

use attest_attestor::note::NoteSigner;
use attest_json::Value;
use attest_verifier::checkpoint::Checkpoint;
use attest_verifier::merkle::{inclusion_proof, leaf_hash, tree_hash};
use attest_verifier::tlog_proof::TlogProof;
use attest_verifier::types::Sha256Digest;

use super::{e, secret, Gen, R};

const ORIGIN: &str = "vectors.example/log";
const INDEX: u64 = 2;

struct Log {
    signer: NoteSigner,
    leaves: Vec<Sha256Digest>,
}

impl Log {
    fn proof(&self, index: u64, path: Vec<Sha256Digest>) -> R<String> {
        let cp = Checkpoint::new(ORIGIN, self.leaves.len() as u64, tree_hash(&self.leaves)).map_err(e)?;
        let note = self.signer.sign_checkpoint(&cp).map_err(e)?;
        Ok(TlogProof::new(index, path, note, None).to_text())
    }

    fn path(&self, index: u64) -> R<Vec<Sha256Digest>> {
        inclusion_proof(&self.leaves, index).map_err(e)
    }
}

pub(crate) fn vectors(g: &mut Gen) -> R<()> {
    let d = g.direct("exec-log-inclusion")?;
    let entry = attest_json::to_canonical_vec(&d);
    let other = attest_json::to_canonical_vec(&g.direct("exec-log-other")?);
    let signer = NoteSigner::new(ORIGIN, secret("log").master_ed25519()).map_err(e)?;
    let key = signer.verifier_key().to_string();
    let mut leaves: Vec<Sha256Digest> = (0..5).map(|i| leaf_hash(format!("entry {i}").as_bytes())).collect();
    leaves[INDEX as usize] = leaf_hash(&entry);
    leaves[3] = leaf_hash(&other);
    let log = Log { signer, leaves };
    let good = log.proof(INDEX, log.path(INDEX)?)?;

    let push = |g: &mut Gen, name: &str, desc: &str, expect: &str, reason: Option<&str>, doc: &Value, proof: String| {
        let mut v = g.full(name, desc, expect, reason, doc);
        v.bundle = None;
        v.signals = None;
        v.output_base64 = None;
        v.log_proof = Some(proof);
        v.log_key = Some(key.clone());
        g.push(v);
    };
    push(
        g,
        "accept/log-inclusion",
        "a tlog-proof of the attestation's entry bytes C(D) at index 2 of 5",
        "accept",
        None,
        &d,
        good.clone(),
    );

    // Witness cosignature lines of other keys are kept, not verified.
    let cosigned = format!("{good}\u{2014} witness.example/w AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
    push(
        g,
        "accept/log-inclusion-cosigned",
        "another key's signature line (a witness cosignature) beside the log's is ignored",
        "accept",
        None,
        &d,
        cosigned,
    );

    push(
        g,
        "log-inclusion/other-document",
        "a valid proof of another entry (index 3) does not prove this document",
        "reject:log-inclusion",
        Some("not-included"),
        &d,
        log.proof(3, log.path(3)?)?,
    );
    push(
        g,
        "log-inclusion/wrong-index",
        "the proof of index 2 presented as index 1",
        "reject:log-inclusion",
        Some("not-included"),
        &d,
        log.proof(1, log.path(INDEX)?)?,
    );
    push(
        g,
        "log-inclusion/index-beyond-tree",
        "an index not below the checkpoint's size",
        "reject:log-inclusion",
        Some("not-included"),
        &d,
        log.proof(5, log.path(INDEX)?)?,
    );
    let mut long = log.path(INDEX)?;
    long.push(leaf_hash(b"extra"));
    push(
        g,
        "log-inclusion/path-too-long",
        "one hash more than the RFC 9162 path length for (2, 5)",
        "reject:log-inclusion",
        Some("not-included"),
        &d,
        log.proof(INDEX, long)?,
    );
    let mut flipped = log.path(INDEX)?;
    flipped[0] = leaf_hash(b"not the sibling");
    push(
        g,
        "log-inclusion/wrong-sibling",
        "a path hash changed",
        "reject:log-inclusion",
        Some("not-included"),
        &d,
        log.proof(INDEX, flipped)?,
    );

    let stranger = Log {
        signer: NoteSigner::new(ORIGIN, secret("log-stranger").master_ed25519()).map_err(e)?,
        leaves: log.leaves.clone(),
    };
    push(
        g,
        "log-inclusion/other-log-key",
        "the same tree signed by another key under the same name",
        "reject:log-inclusion",
        Some("bad-log-signature"),
        &d,
        stranger.proof(INDEX, log.path(INDEX)?)?,
    );
    // One bit of the log's signature changed (the base64 of its last signature byte).
    let sig_line = good.lines().last().ok_or("no signature line")?.to_string();
    let mut bad_line = sig_line.clone();
    let at = bad_line.len() - 3;
    let c = if &bad_line[at..at + 1] == "A" { "B" } else { "A" };
    bad_line.replace_range(at..at + 1, c);
    push(
        g,
        "log-inclusion/bad-signature",
        "the log's signature line with one character changed",
        "reject:log-inclusion",
        Some("bad-log-signature"),
        &d,
        good.replace(&sig_line, &bad_line),
    );
    // Signed by the log key, but the checkpoint names another origin.
    let other_origin = format!("other.example/log\n5\n{}\n", base64_root(&log.leaves));
    let note = log.signer.sign_note(&other_origin).map_err(e)?;
    push(
        g,
        "log-inclusion/origin-mismatch",
        "a checkpoint for another origin signed by the log key",
        "reject:log-inclusion",
        Some("origin-mismatch"),
        &d,
        TlogProof::new(INDEX, log.path(INDEX)?, note, None).to_text(),
    );
    push(
        g,
        "log-inclusion/malformed",
        "the first line is not c2sp.org/tlog-proof@v1",
        "reject:log-inclusion",
        Some("malformed-log-proof"),
        &d,
        good.replacen("tlog-proof@v1", "tlog-proof@v2", 1),
    );
    push(
        g,
        "log-inclusion/leading-zero-index",
        "the index 02 (decimal without leading zeros)",
        "reject:log-inclusion",
        Some("malformed-log-proof"),
        &d,
        good.replacen("index 2\n", "index 02\n", 1),
    );
    // The same document pretty-printed differently is the same entry: C(D).
    let compact = attest_json::to_canonical_vec(&d);
    let mut v = g.full(
        "accept/log-inclusion-compact",
        "the document in its canonical (compact) form: the entry bytes are C(D) either way",
        "accept",
        None,
        &d,
    );
    v.document = Some(String::from_utf8(compact).map_err(e)?);
    v.bundle = None;
    v.signals = None;
    v.output_base64 = None;
    v.log_proof = Some(good);
    v.log_key = Some(key);
    g.push(v);
    Ok(())
}

fn base64_root(leaves: &[Sha256Digest]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(tree_hash(leaves).as_bytes())
}
