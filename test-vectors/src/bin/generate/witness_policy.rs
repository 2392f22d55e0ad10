//! `log-inclusion` with `--witness-policy` (formats.md §8–§9, docs/spec.md
//! §11.5): the log-inclusion vectors' proof, cosigned by some of five
//! witnesses (C2SP tlog-cosignature v1), judged against C2SP tlog-policy
//! files: single witnesses, k-of-n groups, nested groups, `any`/`all`,
//! `quorum none`, duplicate cosignatures counted once, cosignatures that do
//! not verify, policies that list the log or another one, and malformed
//! policies (unknown keywords among them), which fail closed.

use attest_attestor::note::{CosignatureSigner, NoteSigner};
use attest_verifier::checkpoint::Checkpoint;
use attest_verifier::merkle::{inclusion_proof, leaf_hash, tree_hash};
use attest_verifier::tlog_proof::TlogProof;
use attest_verifier::types::Sha256Digest;

use super::{e, secret, Gen, R};

const ORIGIN: &str = "vectors.example/log";
const INDEX: u64 = 2;
/// The cosignatures' time (2026-06-01T00:00:00Z).
const TIME: u64 = 1_780_272_000;

pub(crate) fn vectors(g: &mut Gen) -> R<()> {
    let d = g.direct("exec-log-inclusion")?;
    let entry = attest_json::to_canonical_vec(&d);
    let log = NoteSigner::new(ORIGIN, secret("log").master_ed25519()).map_err(e)?;
    let log_key = log.verifier_key().to_string();
    let mut leaves: Vec<Sha256Digest> = (0..5).map(|i| leaf_hash(format!("entry {i}").as_bytes())).collect();
    leaves[INDEX as usize] = leaf_hash(&entry);
    leaves[3] = leaf_hash(&attest_json::to_canonical_vec(&g.direct("exec-log-other")?));
    let cp = Checkpoint::new(ORIGIN, 5, tree_hash(&leaves)).map_err(e)?;
    let note = log.sign_checkpoint(&cp).map_err(e)?;
    let path = inclusion_proof(&leaves, INDEX).map_err(e)?;
    let names = ["a", "b", "c", "d", "e"];
    let w: Vec<CosignatureSigner> = names
        .iter()
        .map(|n| {
            CosignatureSigner::new(&format!("witness.example/{n}"), secret(&format!("witness-{n}")).master_ed25519())
        })
        .collect::<Result<_, _>>()
        .map_err(e)?;
    let vkey = |i: usize| w[i].cosigner_key().to_string();
    let line = |i: usize| w[i].cosign(&cp.body(), TIME).map_err(e);
    // The proof with the cosignature lines of the given witnesses.
    let proof = |who: &[usize]| -> R<String> {
        let mut n = note.clone();
        for &i in who {
            n.push_str(&line(i)?);
        }
        Ok(TlogProof::new(INDEX, path.clone(), n, None).to_text())
    };
    let witnesses = |who: &[usize]| {
        who.iter().map(|&i| format!("witness {} {}\n", names[i].to_uppercase(), vkey(i))).collect::<String>()
    };
    let all5 = witnesses(&[0, 1, 2, 3, 4]);

    let push = |g: &mut Gen, name: &str, desc: &str, reason: Option<&str>, policy: String, proof: String| {
        let expect = if reason.is_some() { "reject:log-inclusion" } else { "accept" };
        let mut v = g.full(name, desc, expect, reason, &d);
        v.bundle = None;
        v.signals = None;
        v.output_base64 = None;
        v.log_proof = Some(proof);
        v.log_key = Some(log_key.clone());
        v.witness_policy = Some(policy);
        g.push(v);
    };

    // One witness.
    push(
        g,
        "accept/witness-single",
        "quorum A, cosigned by A",
        None,
        format!("{}quorum A\n", witnesses(&[0])),
        proof(&[0])?,
    );
    push(
        g,
        "log-inclusion/witness-single-missing",
        "quorum A, cosigned by B only",
        Some("quorum-not-met"),
        format!("{}quorum A\n", witnesses(&[0, 1])),
        proof(&[1])?,
    );
    push(
        g,
        "log-inclusion/witness-uncosigned",
        "quorum A, no cosignature at all",
        Some("quorum-not-met"),
        format!("{}quorum A\n", witnesses(&[0])),
        proof(&[])?,
    );
    push(
        g,
        "accept/witness-quorum-none",
        "quorum none: no cosignature needed",
        None,
        "quorum none\n".into(),
        proof(&[])?,
    );
    // The policy names the log.
    push(
        g,
        "accept/witness-policy-lists-log",
        "a log line with the log's vkey (and a URL), quorum A, cosigned by A",
        None,
        format!("log {log_key} https://log.example\n{}quorum A\n", witnesses(&[0])),
        proof(&[0])?,
    );
    let other_log = NoteSigner::new(ORIGIN, secret("log-stranger").master_ed25519()).map_err(e)?;
    push(
        g,
        "log-inclusion/witness-log-not-in-policy",
        "the policy's only log is another key under the same name",
        Some("log-not-in-policy"),
        format!("log {}\n{}quorum A\n", other_log.verifier_key(), witnesses(&[0])),
        proof(&[0])?,
    );
    // k of n.
    let g2of3 = format!("{}group G 2 A B C\nquorum G\n", witnesses(&[0, 1, 2]));
    push(g, "accept/witness-2-of-3", "group 2 of A B C, cosigned by A and C", None, g2of3.clone(), proof(&[0, 2])?);
    push(
        g,
        "log-inclusion/witness-2-of-3-one",
        "group 2 of A B C, cosigned by C only",
        Some("quorum-not-met"),
        g2of3.clone(),
        proof(&[2])?,
    );
    // Duplicate cosignatures of one witness count once.
    let mut twice = note.clone();
    twice.push_str(&line(0)?);
    twice.push_str(&w[0].cosign(&cp.body(), TIME + 60).map_err(e)?);
    push(
        g,
        "log-inclusion/witness-duplicate-cosignature-counted-once",
        "group 2 of A B C, two valid cosignature lines of A (other times): one witness",
        Some("quorum-not-met"),
        g2of3.clone(),
        TlogProof::new(INDEX, path.clone(), twice, None).to_text(),
    );
    // any / all.
    let any = format!("{}group G any A B C\nquorum G\n", witnesses(&[0, 1, 2]));
    push(g, "accept/witness-any", "group any of A B C, cosigned by B", None, any.clone(), proof(&[1])?);
    push(
        g,
        "log-inclusion/witness-any-none",
        "group any of A B C, cosigned by D (not a member)",
        Some("quorum-not-met"),
        format!("{}group G any A B C\nquorum G\n", witnesses(&[0, 1, 2, 3])),
        proof(&[3])?,
    );
    let all = format!("{}group G all A B C\nquorum G\n", witnesses(&[0, 1, 2]));
    push(g, "accept/witness-all", "group all of A B C, cosigned by all three", None, all.clone(), proof(&[2, 0, 1])?);
    push(
        g,
        "log-inclusion/witness-all-but-one",
        "group all of A B C, cosigned by A and B",
        Some("quorum-not-met"),
        all,
        proof(&[0, 1])?,
    );
    // Nested: two organisations, both needed.
    let nested = format!("{all5}group X 2 A B C\ngroup Y any D E\ngroup XY all X Y\nquorum XY\n");
    push(
        g,
        "accept/witness-nested",
        "2 of (A B C) and any of (D E): cosigned by A, C, E",
        None,
        nested.clone(),
        proof(&[0, 2, 4])?,
    );
    push(
        g,
        "log-inclusion/witness-nested-one-side",
        "2 of (A B C) and any of (D E): cosigned by A, B, C only",
        Some("quorum-not-met"),
        nested.clone(),
        proof(&[0, 1, 2])?,
    );
    push(
        g,
        "log-inclusion/witness-nested-short-inner",
        "2 of (A B C) and any of (D E): cosigned by A, D, E",
        Some("quorum-not-met"),
        nested,
        proof(&[0, 3, 4])?,
    );
    // Cosignatures that do not count.
    let mut bad = note.clone();
    let l = line(0)?;
    let at = l.len() - 4;
    let c = if &l[at..at + 1] == "A" { "B" } else { "A" };
    let mut tampered = l.clone();
    tampered.replace_range(at..at + 1, c);
    bad.push_str(&tampered);
    push(
        g,
        "log-inclusion/witness-bad-cosignature",
        "quorum A, A's cosignature line with one character changed",
        Some("quorum-not-met"),
        format!("{}quorum A\n", witnesses(&[0])),
        TlogProof::new(INDEX, path.clone(), bad, None).to_text(),
    );
    let other_cp = Checkpoint::new(ORIGIN, 4, tree_hash(&leaves[..4])).map_err(e)?;
    let mut moved = note.clone();
    moved.push_str(&w[0].cosign(&other_cp.body(), TIME).map_err(e)?);
    push(
        g,
        "log-inclusion/witness-cosignature-of-other-checkpoint",
        "quorum A, A's valid cosignature of the log's checkpoint of size 4 attached to the one of size 5",
        Some("quorum-not-met"),
        format!("{}quorum A\n", witnesses(&[0])),
        TlogProof::new(INDEX, path.clone(), moved, None).to_text(),
    );
    let wrong_type = NoteSigner::new("witness.example/a", secret("witness-a").master_ed25519()).map_err(e)?;
    let mut as_note = note.clone();
    as_note.push_str(wrong_type.sign_note(&cp.body()).map_err(e)?.lines().last().ok_or("no line")?);
    as_note.push('\n');
    push(
        g,
        "log-inclusion/witness-note-signature-not-cosignature",
        "quorum A, a plain note signature (type 0x01) by A's key over the checkpoint: not a cosignature",
        Some("quorum-not-met"),
        format!("{}quorum A\n", witnesses(&[0])),
        TlogProof::new(INDEX, path.clone(), as_note, None).to_text(),
    );
    // Malformed policies fail closed, whatever the cosignatures.
    let malformed = [
        (
            "log-inclusion/witness-policy-unknown-keyword",
            "an unknown keyword line (`mirror`)",
            format!("{}mirror A\nquorum A\n", witnesses(&[0])),
        ),
        ("log-inclusion/witness-policy-no-quorum", "no quorum line", witnesses(&[0])),
        (
            "log-inclusion/witness-policy-two-quorums",
            "two quorum lines",
            format!("{}quorum A\nquorum A\n", witnesses(&[0])),
        ),
        (
            "log-inclusion/witness-policy-undefined-name",
            "the quorum names a witness defined later",
            format!("quorum A\n{}", witnesses(&[0])),
        ),
        (
            "log-inclusion/witness-policy-duplicate-key",
            "two witness lines with one key",
            format!("{}witness B {}\nquorum A\n", witnesses(&[0]), vkey(0)),
        ),
        (
            "log-inclusion/witness-policy-member-twice",
            "a group lists A twice",
            format!("{}group G 2 A A B\nquorum G\n", witnesses(&[0, 1])),
        ),
        (
            "log-inclusion/witness-policy-threshold-too-high",
            "group 3 of two members",
            format!("{}group G 3 A B\nquorum G\n", witnesses(&[0, 1])),
        ),
        (
            "log-inclusion/witness-policy-note-key",
            "a witness vkey of type 0x01 (a note key, not a cosigner)",
            format!("witness A {}\nquorum A\n", wrong_type.verifier_key()),
        ),
        (
            "log-inclusion/witness-policy-none-member",
            "`none` as a group member",
            format!("{}group G any A none\nquorum G\n", witnesses(&[0])),
        ),
    ];
    for (name, desc, policy) in malformed {
        push(g, name, desc, Some("malformed-witness-policy"), policy, proof(&[0, 1, 2, 3, 4])?);
    }
    // Comments, blank lines, tabs and URLs are fine.
    push(
        g,
        "accept/witness-policy-comments",
        "comments, blank lines, tabs and witness URLs around quorum A",
        None,
        format!("# a policy\n\n\twitness A {} https://w.example/a  \n  # end\nquorum\tA\n", vkey(0)),
        proof(&[0])?,
    );
    Ok(())
}
