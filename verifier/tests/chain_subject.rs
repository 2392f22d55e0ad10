//! `chain_for_subject`: a trust root given both as the subject and as the last
//! chain document is verified once, whatever its formatting; a copy with
//! different signatures is a document of its own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use attest_verifier::chain_for_subject;

fn trust_root() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../test-vectors/vectors/accept__direct-minimal.json");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    v["trustRoots"][0].as_str().unwrap().to_string()
}

#[test]
fn the_same_trust_root_reformatted_is_not_appended_again() {
    let root = trust_root();
    let compact = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&root).unwrap()).unwrap();
    assert_ne!(root, compact, "the fixture must differ in formatting");
    let chain = [root.as_bytes()];
    assert_eq!(chain_for_subject(&chain, root.as_bytes()).len(), 1);
    assert_eq!(chain_for_subject(&chain, compact.as_bytes()).len(), 1);
}

#[test]
fn a_copy_with_other_signatures_is_a_link_of_its_own() {
    let root = trust_root();
    let mut v: serde_json::Value = serde_json::from_str(&root).unwrap();
    v["signatures"] = serde_json::json!([]);
    let stripped = serde_json::to_string(&v).unwrap();
    let chain = [root.as_bytes()];
    assert_eq!(chain_for_subject(&chain, stripped.as_bytes()).len(), 2);
    // Not a trust root: the chain is left as it is.
    assert_eq!(chain_for_subject(&chain, b"{\"type\":\"attest.execution-attestation.v1\"}").len(), 1);
}
