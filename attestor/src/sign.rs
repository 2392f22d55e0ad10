//! Signing documents: `signature = Ed25519(key, M(D))`, docs/spec.md §0.

use attest_json::{Object, Value};
use attest_verifier::doc::signing_message;

use crate::json::{s, set};
use crate::keys::Ed25519Signer;

/// The `type` member of a document object.
pub fn doc_type(o: &Object) -> &str {
    o.get("type").and_then(Value::as_str).unwrap_or("")
}

/// Signs a document in place with one key: sets `signature`.
pub fn sign_single(o: &mut Object, key: &Ed25519Signer) {
    let m = signing_message(doc_type(o), o);
    set(o, "signature", s(key.sign(&m).to_base64()));
}

/// Signs a document in place with several keys: sets `signatures` to
/// `[{keyId, signature}]` in the order given (trust roots).
pub fn sign_multi(o: &mut Object, keys: &[&Ed25519Signer]) {
    let m = signing_message(doc_type(o), o);
    let sigs = keys
        .iter()
        .map(|k| {
            crate::json::ObjectBuilder::new()
                .set("keyId", s(k.key_id().to_hex()))
                .set("signature", s(k.sign(&m).to_base64()))
                .value()
        })
        .collect();
    set(o, "signatures", Value::Array(sigs));
}
