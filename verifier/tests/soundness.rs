//! Soundness of the core API: a `Verified` value only ever wraps signed
//! content, replay counts only signature-verified items, and documents dated
//! after `now + skew` are refused.
//!
//! That no *edit* of a parsed value can reach `Verified` is enforced by the
//! type system (private fields, no public constructors); the `compile_fail`
//! examples in `verifier/src/lib.rs` pin it (`cargo test --doc`). The tests
//! here check the runtime side: every route to `Verified` starts from bytes
//! and follows the report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use attest_verifier::bundle::{parse_bundle_manifest, verify_bundle_manifest};
use attest_verifier::trust_root::{
    parse_trust_root, verify_trust_root_chain, verify_trust_root_chain_bytes, ChainOptions,
};
use attest_verifier::types::Ed25519PublicKey;
use attest_verifier::{
    verify_attestation, verify_batch, verify_document, CheckId, Document, Evidence, Reason, Status, Timestamp,
    TrustOutcome, VerifyContext,
};

fn vector(name: &str) -> serde_json::Value {
    let p = format!("{}/../test-vectors/vectors/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

struct Fixture {
    doc: String,
    trust: TrustOutcome,
    now: Timestamp,
    manifest: Option<String>,
}

fn fixture(name: &str) -> Fixture {
    let v = vector(name);
    let now = Timestamp::parse(v["now"].as_str().unwrap()).unwrap();
    let roots: Vec<String> = v["trustRoots"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().into()).collect();
    let refs: Vec<&[u8]> = roots.iter().map(|r| r.as_bytes()).collect();
    let keys: Vec<Ed25519PublicKey> = v["rootKeys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| Ed25519PublicKey::from_hex(k.as_str().unwrap()).unwrap())
        .collect();
    let trust = verify_trust_root_chain_bytes(&refs, &keys, &ChainOptions { now, min_version: None });
    Fixture {
        doc: v["document"].as_str().unwrap_or_default().to_string(),
        trust,
        now,
        manifest: v["bundle"]["manifest"].as_str().map(str::to_string),
    }
}

#[test]
fn verified_attestation_comes_only_with_a_valid_report() {
    let f = fixture("accept__direct-minimal");
    let ev = Evidence::default();
    let ctx = VerifyContext::new(&f.trust, &ev, f.now);
    let ok = verify_attestation(f.doc.as_bytes(), &ctx);
    assert!(ok.report().valid());
    let att = ok.verified().expect("verified");
    assert_eq!(att.payload_hash(), ok.report().digest().unwrap());
    // One changed byte of a signed member: the report fails and no Verified is returned.
    let tampered = f.doc.replacen("\"completed\"", "\"blocked\"", 1);
    assert_ne!(tampered, f.doc);
    let bad = verify_attestation(tampered.as_bytes(), &ctx);
    assert!(!bad.report().valid());
    assert!(bad.verified().is_none());
    assert_eq!(bad.report().first_failure().map(|c| c.id), Some(CheckId::Signature));
    // verify_document agrees and names the kind.
    match verify_document(f.doc.as_bytes(), &ctx).verified().map(|v| &**v) {
        Some(Document::Attestation(a)) => assert_eq!(a.execution_id(), att.execution_id()),
        other => panic!("expected a verified attestation, got {other:?}"),
    }
}

#[test]
fn a_manifest_verifies_only_as_signed() {
    let f = fixture("accept__direct-full");
    let chain = f.trust.as_ref().expect("chain");
    let text = f.manifest.expect("manifest");
    let m = parse_bundle_manifest(text.as_bytes()).unwrap();
    let files = m.files().len();
    let v = verify_bundle_manifest(m, chain).expect("verifies");
    assert_eq!(v.files().len(), files);
    // The attack of the issue, in bytes (the only way in): one more file and
    // both hashes zeroed. The signature no longer covers the message.
    let mut j: serde_json::Value = serde_json::from_str(&text).unwrap();
    j["files"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"path": "zz-unsigned.json", "size": 1, "sha256": "00".repeat(32)}));
    let zero = "0".repeat(64);
    j["bundleHash"] = serde_json::json!(zero);
    let m = parse_bundle_manifest(serde_json::to_string(&j).unwrap().as_bytes()).unwrap();
    assert_ne!(m.bundle_hash(), m.computed_bundle_hash(), "the computed hash is the parser's, not the document's");
    assert!(verify_bundle_manifest(m, chain).is_err());
}

#[test]
fn a_trust_root_chain_verifies_only_as_signed() {
    let v = vector("accept__direct-minimal");
    let now = Timestamp::parse(v["now"].as_str().unwrap()).unwrap();
    let key = Ed25519PublicKey::from_hex(v["rootKeys"][0].as_str().unwrap()).unwrap();
    let text = v["trustRoots"][0].as_str().unwrap();
    let root = parse_trust_root(text.as_bytes()).unwrap();
    assert!(verify_trust_root_chain(vec![root], &[key], &ChainOptions { now, min_version: None }).is_ok());
    // Adding a runtime key to the document breaks its signatures.
    let mut j: serde_json::Value = serde_json::from_str(text).unwrap();
    j["expiresAt"] = serde_json::json!("2999-01-01T00:00:00Z");
    let root = parse_trust_root(serde_json::to_string(&j).unwrap().as_bytes()).unwrap();
    let err = verify_trust_root_chain(vec![root], &[key], &ChainOptions { now, min_version: None }).unwrap_err();
    assert_eq!(err.reason(), Reason::NotAnchored);
}

/// Item 2: a forged copy (signature fails) placed before the genuine
/// attestation does not make the genuine one a replay.
#[test]
fn replay_counts_only_signature_verified_items() {
    let f = fixture("accept__direct-minimal");
    let ev = Evidence::default();
    let ctx = VerifyContext::new(&f.trust, &ev, f.now);
    let sig_at = f.doc.find("\"signature\"").unwrap();
    let mut forged = f.doc.clone().into_bytes();
    // Change one character of the base64 signature value.
    let i = sig_at + "\"signature\": \"".len() + 5;
    forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    let out = verify_batch(&[forged.as_bytes(), f.doc.as_bytes(), f.doc.as_bytes()], &ctx);
    let first = out[0].report();
    assert_eq!(first.first_failure().map(|c| c.id), Some(CheckId::Signature));
    assert_eq!(first.check(CheckId::Replay).map(|c| c.status), Some(Status::Skip));
    assert!(out[1].report().valid(), "the genuine attestation is not knocked out: {:?}", out[1].report());
    assert_eq!(out[1].report().check(CheckId::Replay).map(|c| c.status), Some(Status::Pass));
    // A genuine second copy is a replay.
    assert_eq!(out[2].report().check(CheckId::Replay).and_then(|c| c.reason), Some(Reason::RepeatedExecutionId));
    assert!(out[2].verified().is_none());
}

/// Item 4: `issuedAt` more than the clock skew after `now` fails `signer`.
#[test]
fn attestations_from_the_future_fail_signer() {
    let f = fixture("accept__direct-minimal");
    let ev = Evidence::default();
    let issued = {
        let j: serde_json::Value = serde_json::from_str(&f.doc).unwrap();
        Timestamp::parse(j["issuedAt"].as_str().unwrap()).unwrap()
    };
    let at = |secs_before: i64, skew: u64| {
        let now = Timestamp::from_unix(issued.unix_seconds() - secs_before, issued.subsec_nanos());
        let mut ctx = VerifyContext::new(&f.trust, &ev, now);
        ctx.max_clock_skew_seconds = skew;
        verify_attestation(f.doc.as_bytes(), &ctx).into_report()
    };
    assert!(at(300, 300).valid(), "exactly the skew is allowed");
    let r = at(301, 300);
    assert!(!r.valid());
    let c = r.first_failure().unwrap();
    assert_eq!((c.id, c.reason), (CheckId::Signer, Some(Reason::IssuedInFuture)));
    assert!(at(3600, 3600).valid());
}
