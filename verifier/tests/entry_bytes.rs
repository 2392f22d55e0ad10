//! The registry's entry bytes (formats.md §8): one entry per envelope
//! whatever its base64 spelling, `C(D)` for other kinds, none for unknown ones.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use attest_verifier::doc::parse_json;
use attest_verifier::registry::entry_bytes;

fn document(vector: &str) -> Vec<u8> {
    let path = format!("{}/../test-vectors/vectors/{vector}.json", env!("CARGO_MANIFEST_DIR"));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["document"].as_str().unwrap().as_bytes().to_vec()
}

#[test]
fn envelopes_have_one_entry_whatever_their_base64() {
    let standard = parse_json(&document("accept__heartbeat")).unwrap();
    let url_safe = parse_json(&document("accept__heartbeat-url-safe-unpadded")).unwrap();
    let a = entry_bytes(&standard).unwrap();
    assert_eq!(a, entry_bytes(&url_safe).unwrap());
    // Standard padded base64 in canonical JSON.
    assert!(a.starts_with(b"{\"payload\":\""));
    assert!(!a.contains(&b'\n'));
}

#[test]
fn other_kinds_are_their_canonical_json_and_unknown_ones_have_none() {
    let att = parse_json(&document("accept__direct-minimal")).unwrap();
    assert_eq!(entry_bytes(&att).unwrap(), attest_json::to_canonical_vec(&att));
    assert_eq!(entry_bytes(&parse_json(br#"{"type":"attest.unknown.v9"}"#).unwrap()), None);
    assert_eq!(
        entry_bytes(&parse_json(br#"{"payloadType":"application/x","payload":"","signatures":[]}"#).unwrap()),
        None
    );
}
