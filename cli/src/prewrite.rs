//! What the signing commands check before they write (docs/spec.md §6,
//! "Signing commands"): the attestor never writes a document that does not
//! verify. Each check returns the reason a document is refused; the command
//! then exits 1 without writing.

use attest_verifier::bundle::{check_bundle_files, parse_bundle_manifest};
use attest_verifier::trust_root::{parse_trust_root, verify_trust_root_chain_bytes, ChainOptions, Role, TrustRoot};
use attest_verifier::types::{Ed25519PublicKey, KeyId};
use attest_verifier::BundleFile;

/// A trust root about to be written: it parses, and with `previous` the
/// chain `[previous, new]` verifies through the core (version + 1,
/// previousDigest, the previous rootThreshold and its own, keys usable at the
/// new `issuedAt`); a first version must be anchored by the keys that signed
/// it. On failure, each signing key that is not a usable root key at
/// `issuedAt` is named with the cause (revoked, window, not listed).
pub fn trust_root(text: &str, previous: Option<&[u8]>, signers: &[KeyId]) -> Result<(), String> {
    let new = parse_trust_root(text.as_bytes()).map_err(|e| format!("not a valid trust root: {e} [{}]", e.reason()))?;
    let opts = ChainOptions { now: new.issued_at(), min_version: None };
    let outcome = match previous {
        Some(prev_bytes) => {
            let prev = parse_trust_root(prev_bytes)
                .map_err(|e| format!("the previous trust root is not valid: {e} [{}]", e.reason()))?;
            let pinned = root_keys(&prev);
            verify_trust_root_chain_bytes(&[prev_bytes, text.as_bytes()], &pinned, &opts).map(|_| ()).map_err(|e| {
                let mut why = format!("{e} [{}]", e.reason());
                for id in signers {
                    for (doc, which) in [(&prev, "previous"), (&new, "new")] {
                        if let Err(k) = doc.usable_key(id, Role::Root, new.issued_at()) {
                            why.push_str(&format!(
                                "; in the {which} version {}: {k} at issuedAt {}",
                                doc.version(),
                                new.issued_at()
                            ));
                        }
                    }
                }
                why
            })
        }
        None => {
            let pinned = root_keys(&new);
            verify_trust_root_chain_bytes(&[text.as_bytes()], &pinned, &opts)
                .map(|_| ())
                .map_err(|e| format!("{e} [{}]", e.reason()))
        }
    };
    outcome
}

/// The Ed25519 public keys a document lists with the `root` role.
fn root_keys(doc: &TrustRoot) -> Vec<Ed25519PublicKey> {
    doc.keys().iter().filter(|k| k.has_role(Role::Root)).filter_map(|k| k.ed25519().map(|v| *v.public_key())).collect()
}

/// A manifest about to be written: it parses, names a policy, and the
/// directory it was built from matches it (`bundle-files`).
pub fn manifest(text: &str, entries: &[BundleFile]) -> Result<(), String> {
    let m =
        parse_bundle_manifest(text.as_bytes()).map_err(|e| format!("not a valid manifest: {e} [{}]", e.reason()))?;
    if m.policy_id().is_empty() || m.policy_version().is_empty() || m.schema_version().is_empty() {
        return Err("--policy-id, --policy-version and --schema-version must not be empty [empty-string]".into());
    }
    check_bundle_files(&m, entries).map(|_| ()).map_err(|e| format!("{e} [{}]", e.reason()))
}

/// An attestation about to be written: it parses back, its ids are not
/// empty and its trustRootVersion is at least 1.
pub fn attestation(text: &str, trust_root_version: u64) -> Result<(), String> {
    let att = attest_verifier::attestation::parse_attestation(text.as_bytes())
        .map_err(|e| format!("not a valid attestation: {e} [{}]", e.reason()))?;
    for (name, value) in [
        ("executionId (--execution-id)", att.execution_id()),
        ("policyId (from the manifest)", att.policy_id()),
        ("policyVersion (from the manifest)", att.policy_version()),
        ("runtimeVersion (--runtime-version)", att.runtime_version()),
    ] {
        if value.is_empty() {
            return Err(format!("{name} is empty [empty-string]"));
        }
    }
    if trust_root_version < 1 {
        return Err("--trust-root-version 0: trust-root versions start at 1 [malformed-version]".into());
    }
    Ok(())
}
