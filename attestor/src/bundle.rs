//! Building and signing bundle manifests (docs/spec.md §2).

use attest_json::Value;
use attest_verifier::bundle::{check_bundle_path, BUNDLE_MANIFEST_TYPE, MANIFEST_FILE_NAME};
use attest_verifier::crypto::sha256;
use attest_verifier::Timestamp;

use crate::json::{int, s, ObjectBuilder};
use crate::keys::Ed25519Signer;
use crate::sign::sign_single;

/// Why a manifest cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleBuildError {
    /// A path breaks the path rules.
    #[error("{path:?}: {why}")]
    Path {
        /// The path.
        path: String,
        /// The rule.
        why: attest_verifier::bundle::PathRule,
    },
    /// Two files with one path.
    #[error("{0:?} is listed twice")]
    Duplicate(String),
}

/// Policy identity of a bundle.
#[derive(Debug, Clone)]
pub struct BundleInfo {
    /// Policy id.
    pub policy_id: String,
    /// Policy version.
    pub policy_version: String,
    /// Schema version.
    pub schema_version: String,
    /// Creation time.
    pub created_at: Timestamp,
}

/// Builds and signs a manifest over `(path, contents)` files. A top-level
/// `manifest.json` among them is skipped (it is the manifest itself).
pub fn sign_manifest(
    info: &BundleInfo,
    files: &[(String, Vec<u8>)],
    key: &Ed25519Signer,
) -> Result<Value, BundleBuildError> {
    let mut entries: Vec<(&str, &[u8])> =
        files.iter().filter(|(p, _)| p != MANIFEST_FILE_NAME).map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    for w in entries.windows(2) {
        if w[0].0 == w[1].0 {
            return Err(BundleBuildError::Duplicate(w[0].0.to_string()));
        }
    }
    let mut list = Vec::with_capacity(entries.len());
    for (path, bytes) in &entries {
        check_bundle_path(path).map_err(|why| BundleBuildError::Path { path: path.to_string(), why })?;
        list.push(
            ObjectBuilder::new()
                .set("path", s(*path))
                .set("size", int(bytes.len() as u64))
                .set("sha256", s(sha256(bytes).to_hex()))
                .value(),
        );
    }
    let files_value = Value::Array(list);
    let bundle_hash = sha256(&attest_json::to_canonical_vec(&files_value));
    let mut obj = ObjectBuilder::new()
        .set("type", s(BUNDLE_MANIFEST_TYPE))
        .set("policyId", s(info.policy_id.clone()))
        .set("policyVersion", s(info.policy_version.clone()))
        .set("schemaVersion", s(info.schema_version.clone()))
        .set("createdAt", s(info.created_at.to_rfc3339()))
        .set("files", files_value)
        .set("bundleHash", s(bundle_hash.to_hex()))
        .set("signerKeyId", s(key.key_id().to_hex()))
        .build();
    sign_single(&mut obj, key);
    Ok(Value::Object(obj))
}
