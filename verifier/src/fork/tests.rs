//! Tests of [`super`]: the `fork` computation on honest and forked trees of
//! every small size pair, each refusal with its reason, and the parser.

use ed25519_dalek::Signer as _;

use super::*;
use crate::checkpoint::{signature_line, NoteKeyId};
use crate::merkle::{consistency_proof, leaf_hash, tree_hash};
use crate::types::{Ed25519PublicKey, Ed25519Signature};

const ORIGIN: &str = "ledger.example/test";

struct Log {
    sk: ed25519_dalek::SigningKey,
    vk: VerifierKey,
}

fn log(seed: u8, name: &str) -> Log {
    let sk = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    let vk = VerifierKey::new(name, Ed25519PublicKey::from_bytes(sk.verifying_key().to_bytes())).unwrap();
    Log { sk, vk }
}

impl Log {
    /// A note of `body` signed under `name` with this key.
    fn sign_as(&self, name: &str, body: &str) -> String {
        let sig = Ed25519Signature::from_bytes(self.sk.sign(body.as_bytes()).to_bytes());
        format!("{body}\n{}", signature_line(name, NoteKeyId::of(name, self.vk.public_key()), &sig))
    }

    fn checkpoint(&self, origin: &str, leaves: &[Sha256Digest]) -> String {
        let body = Checkpoint::new(origin, leaves.len() as u64, tree_hash(leaves)).unwrap().body();
        self.sign_as(self.vk.name(), &body)
    }
}

fn evidence_json(key: &str, origin: &str, a: &str, b: &str, proof: &[Sha256Digest]) -> serde_json::Value {
    serde_json::json!({
        "type": FORK_EVIDENCE_TYPE,
        "origin": origin,
        "logKey": key,
        "a": a,
        "b": b,
        "consistencyProof": proof.iter().map(Sha256Digest::to_base64).collect::<Vec<_>>(),
        "detectedAt": "2026-11-21T11:00:00Z",
    })
}

fn parse(v: &serde_json::Value) -> ForkEvidence {
    parse_fork_evidence(v.to_string().as_bytes()).unwrap()
}

fn fork_of(l: &Log, a: &[Sha256Digest], b: &[Sha256Digest], proof: &[Sha256Digest]) -> Result<SplitView, ForkError> {
    let v = evidence_json(&l.vk.to_string(), ORIGIN, &l.checkpoint(ORIGIN, a), &l.checkpoint(ORIGIN, b), proof);
    check_fork(&parse(&v))
}

fn leaves(n: usize, tag: &str) -> Vec<Sha256Digest> {
    (0..n).map(|i| leaf_hash(format!("{tag} {i}").as_bytes())).collect()
}

/// B's history at size m, as a power-of-two old size needs it prepended.
fn with_old_root(b: &[Sha256Digest], m: usize) -> Vec<Sha256Digest> {
    let mut p = vec![tree_hash(&b[..m])];
    p.extend(consistency_proof(b, m as u64).unwrap());
    p
}

#[test]
fn every_size_pair_to_24_honest_and_forked() {
    let l = log(7, ORIGIN);
    let honest = leaves(24, "entry");
    for n in 1..=24usize {
        for m in 1..=n {
            let a = &honest[..m];
            // Honest: B extends A.
            let b = &honest[..n];
            let p = consistency_proof(b, m as u64).unwrap();
            let r = fork_of(&l, a, b, &p);
            if m == n {
                assert!(matches!(r, Err(ForkError::NotAFork { why: NoFork::SameView, .. })), "{m} {n}: {r:?}");
            } else {
                assert_eq!(
                    r,
                    Err(ForkError::NotAFork { why: NoFork::Consistent, size_a: m as u64, size_b: n as u64 }),
                    "{m} {n}"
                );
                if m.is_power_of_two() {
                    // The honest old root prepended: still consistent.
                    assert!(matches!(
                        fork_of(&l, a, b, &with_old_root(b, m)),
                        Err(ForkError::NotAFork { why: NoFork::Consistent, .. })
                    ));
                }
            }
            // Forked: B rewrote one leaf inside A's range.
            for i in [0, m / 2, m - 1] {
                let mut forked = honest[..n].to_vec();
                forked[i] = leaf_hash(b"rewritten");
                let p = consistency_proof(&forked, m as u64).unwrap();
                let r = fork_of(&l, a, &forked, &p);
                let want_root_b = tree_hash(&forked[..m]);
                if m == n {
                    let s = r.unwrap();
                    assert_eq!((s.size(), s.root_in_a(), s.root_in_b()), (m as u64, tree_hash(a), want_root_b));
                } else if m.is_power_of_two() {
                    // The RFC prepends root(A): the proof cannot lead to root(B)...
                    assert!(matches!(r, Err(ForkError::ProofRoot { .. })), "{m} {n}: {r:?}");
                    // ...unless the evidence carries B's root at size m.
                    let s = fork_of(&l, a, &forked, &with_old_root(&forked, m)).unwrap();
                    assert_eq!(
                        (s.size(), s.root_in_a(), s.root_in_b(), s.size_b()),
                        (m as u64, tree_hash(a), want_root_b, n as u64)
                    );
                } else {
                    let s = r.unwrap();
                    assert_eq!((s.size(), s.root_in_b()), (m as u64, want_root_b), "{m} {n}");
                }
            }
            // Forked only after A's size: B's history agrees with A.
            if m < n {
                let mut later = honest[..n].to_vec();
                later[m] = leaf_hash(b"rewritten");
                let p = consistency_proof(&later, m as u64).unwrap();
                assert!(
                    matches!(fork_of(&l, a, &later, &p), Err(ForkError::NotAFork { why: NoFork::Consistent, .. })),
                    "{m} {n}"
                );
            }
        }
    }
}

#[test]
fn refusals_and_their_reasons() {
    let l = log(7, ORIGIN);
    let h = leaves(9, "x");
    let mut f = h.clone();
    f[1] = leaf_hash(b"other");
    let p = consistency_proof(&f, 6).unwrap();
    assert!(fork_of(&l, &h[..6], &f, &p).is_ok());

    // A proof of the wrong length, and one that leads elsewhere.
    let r = fork_of(&l, &h[..6], &f, &p[1..]).unwrap_err();
    assert_eq!((r.reason(), matches!(r, ForkError::ProofLength { .. })), (Reason::BadProof, true));
    let mut wrong = p.clone();
    wrong[1] = leaf_hash(b"junk");
    let r = fork_of(&l, &h[..6], &f, &wrong).unwrap_err();
    assert_eq!((r.reason(), matches!(r, ForkError::ProofRoot { .. })), (Reason::BadProof, true));
    // Equal sizes with a proof; a seeded proof for a size that is no power of two.
    assert_eq!(fork_of(&l, &h[..6], &f[..6], &p).unwrap_err().reason(), Reason::BadProof);
    assert_eq!(fork_of(&l, &h[..6], &f, &with_old_root(&f, 6)).unwrap_err().reason(), Reason::BadProof);

    // Sizes reversed; the empty tree.
    assert_eq!(
        fork_of(&l, &f, &h[..6], &p).unwrap_err(),
        ForkError::NotAFork { why: NoFork::SizesReversed, size_a: 9, size_b: 6 }
    );
    assert_eq!(
        fork_of(&l, &[], &f, &[]).unwrap_err(),
        ForkError::NotAFork { why: NoFork::EmptyTree, size_a: 0, size_b: 9 }
    );
    assert_eq!(fork_of(&l, &[], &f, &[]).unwrap_err().reason(), Reason::NotAFork);

    // Origins: the member, and a checkpoint's origin line.
    let key = l.vk.to_string();
    let (a, b) = (l.checkpoint(ORIGIN, &h[..6]), l.checkpoint(ORIGIN, &f));
    let r = check_fork(&parse(&evidence_json(&key, "other.example/log", &a, &b, &p))).unwrap_err();
    assert_eq!(r.reason(), Reason::OriginMismatch);
    let body = Checkpoint::new("other.example/log", 9, tree_hash(&f)).unwrap().body();
    let b_other = l.sign_as(ORIGIN, &body);
    let r = check_fork(&parse(&evidence_json(&key, ORIGIN, &a, &b_other, &p))).unwrap_err();
    assert!(matches!(r, ForkError::CheckpointOrigin { side: Side::B, .. }), "{r:?}");
    assert_eq!(r.reason(), Reason::OriginMismatch);

    // Signatures: another key, tampered text, no line of the log key.
    let stranger = log(8, ORIGIN);
    let r =
        check_fork(&parse(&evidence_json(&key, ORIGIN, &stranger.checkpoint(ORIGIN, &h[..6]), &b, &p))).unwrap_err();
    assert!(matches!(r, ForkError::LogSignature { side: Side::A, .. }), "{r:?}");
    assert_eq!(r.reason(), Reason::BadLogSignature);
    let tampered = b.replacen("\n9\n", "\n8\n", 1);
    let r = check_fork(&parse(&evidence_json(&key, ORIGIN, &a, &tampered, &p))).unwrap_err();
    assert!(matches!(r, ForkError::LogSignature { side: Side::B, why: "bad log key signature" }));
    let other_name = l.sign_as("other.example/log", &Checkpoint::new(ORIGIN, 9, tree_hash(&f)).unwrap().body());
    let r = check_fork(&parse(&evidence_json(&key, ORIGIN, &a, &other_name, &p))).unwrap_err();
    assert!(matches!(r, ForkError::LogSignature { side: Side::B, why: "not signed by the log key" }));
    // A witness cosignature beside the log's signature is ignored.
    let cosigned = format!("{b}— witness.example AAAAAAE=\n");
    assert!(check_fork(&parse(&evidence_json(&key, ORIGIN, &a, &cosigned, &p))).is_ok());
}

#[test]
fn parse_rules() {
    let l = log(7, ORIGIN);
    let h = leaves(3, "x");
    let (a, b) = (l.checkpoint(ORIGIN, &h[..1]), l.checkpoint(ORIGIN, &h));
    let good = evidence_json(&l.vk.to_string(), ORIGIN, &a, &b, &consistency_proof(&h, 1).unwrap());
    let ev = parse(&good);
    assert_eq!((ev.origin(), ev.a().checkpoint().size(), ev.b().checkpoint().size()), (ORIGIN, 1, 3));
    assert_eq!(ev.log_key_id(), l.vk.public_key().key_id());
    assert!(ev.signatures().is_none());
    // M(evidence) = type ‖ 0x00 ‖ C(evidence without "signatures").
    let mut signed = good.clone();
    signed["signatures"] = serde_json::json!([{"keyId": "00".repeat(32), "signature": "A".repeat(86) + "=="}]);
    let (m1, m2) = (parse(&good).signed().message().to_vec(), parse(&signed).signed().message().to_vec());
    assert_eq!(m1, m2);
    assert!(m1.starts_with(b"attest.fork-evidence.v1\0{"));

    let refused = |edit: &dyn Fn(&mut serde_json::Value), reason: Reason, path: &str| {
        let mut v = good.clone();
        edit(&mut v);
        let e = parse_fork_evidence(v.to_string().as_bytes()).unwrap_err();
        assert_eq!((e.reason(), e.path()), (reason, path), "{e}");
    };
    refused(&|v| v["extra"] = serde_json::json!(1), Reason::UnknownMember, "$.extra");
    refused(&|v| v["a"] = serde_json::json!("not a note\n"), Reason::Malformed, "$.a");
    refused(&|v| v["b"] = serde_json::json!(l.sign_as(ORIGIN, "no checkpoint\n")), Reason::Malformed, "$.b");
    refused(&|v| v["logKey"] = serde_json::json!("name+00000000+AAAA"), Reason::Malformed, "$.logKey");
    refused(&|v| v["origin"] = serde_json::json!(""), Reason::EmptyString, "$.origin");
    refused(&|v| v["consistencyProof"][0] = serde_json::json!("AAAA"), Reason::BadEncoding, "$.consistencyProof[0]");
    refused(&|v| v["consistencyProof"][0] = serde_json::json!(7), Reason::WrongJsonType, "$.consistencyProof[0]");
    let too_long = vec![serde_json::json!(Sha256Digest::ZERO.to_base64()); MAX_FORK_PROOF_LEN + 1];
    refused(&|v| v["consistencyProof"] = serde_json::json!(too_long), Reason::Malformed, "$.consistencyProof");
    refused(
        &|v| v["detectedAt"] = serde_json::json!("2026-11-21T11:00:00+01:00"),
        Reason::BadTimestamp,
        "$.detectedAt",
    );
    refused(&|v| v["signatures"] = serde_json::json!([]), Reason::EmptyList, "$.signatures");
    let one = serde_json::json!({"keyId": "00".repeat(32), "signature": "A".repeat(86) + "=="});
    // A keyId twice is allowed (it is counted once).
    let mut twice = good.clone();
    twice["signatures"] = serde_json::json!([one, one]);
    assert_eq!(parse(&twice).signatures().map(<[_]>::len), Some(2));
    refused(&|v| v["type"] = serde_json::json!("attest.bundle-manifest.v1"), Reason::WrongDocumentType, "$.type");
    refused(
        &|v| {
            v.as_object_mut().unwrap().remove("consistencyProof");
        },
        Reason::MissingMember,
        "$.consistencyProof",
    );
}

#[test]
fn base64_hashes_round_trip_and_are_canonical() {
    let h = leaf_hash(b"e");
    assert_eq!(Sha256Digest::from_base64(&h.to_base64()), Ok(h));
    let text = h.to_base64();
    // The last symbol before the padding carries 2 unused bits: set one.
    let mut chars: Vec<char> = text.chars().collect();
    let last = chars.len() - 2;
    let pos = STANDARD_ALPHABET.find(chars[last]).unwrap();
    chars[last] = STANDARD_ALPHABET.chars().nth(pos | 1).unwrap();
    let tweaked: String = chars.into_iter().collect();
    if tweaked != text {
        assert!(Sha256Digest::from_base64(&tweaked).is_err());
    }
    assert!(Sha256Digest::from_base64(text.trim_end_matches('=')).is_err());
    assert!(Sha256Digest::from_base64(&"A".repeat(44)).is_err());
}

const STANDARD_ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
