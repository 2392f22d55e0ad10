//! # attest-verifier
//!
//! The pure verification core of attest: no I/O, no clock (the verification
//! time is passed in), no randomness. It checks
//!
//! - trust roots ([`trust_root`]): anchoring by pinned keys, rotation, thresholds,
//!   key windows, revocation, expiry, rollback;
//! - policy-bundle manifests ([`bundle`]);
//! - execution attestations ([`attestation`]) with per-execution key
//!   delegations ([`delegation`]), EIP-712 on-chain signatures ([`eip712`],
//!   [`secp256k1`]) and network summaries ([`network`]).
//!
//! Every document is parsed strictly ([`doc`], formats.md §0), then verified;
//! verification returns a [`Verified`] value or a [`Report`] whose checks carry
//! stable ids ([`CheckId`]) shared by the CLI, the WASM module and the
//! contract errors. [`verify_document`] dispatches on a document's `type`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod attestation;
pub mod bundle;
pub mod crypto;
pub mod delegation;
pub mod doc;
pub mod eip712;
pub mod inspect;
pub mod merkle;
pub mod network;
pub mod replay;
pub mod report;
pub mod secp256k1;
pub mod time;
pub mod trust_root;
pub mod types;

pub use attestation::{verify_attestation, AttestationInputs, BundleInput, TrustOutcome};
pub use report::{Check, CheckId, Plan, Report, ReportBuilder, Status, Verified};
pub use time::Timestamp;

use attestation::EXECUTION_ATTESTATION_TYPE;
use bundle::BUNDLE_MANIFEST_TYPE;
use trust_root::TRUST_ROOT_TYPE;

/// Checks of a trust-root document verified on its own (as the last link of the chain).
pub const TRUST_ROOT_PLAN: Plan =
    Plan { doc_type: TRUST_ROOT_TYPE, checks: &[(CheckId::Parse, true), (CheckId::TrustRoot, true)] };

/// Checks of a bundle manifest verified on its own.
pub const BUNDLE_MANIFEST_PLAN: Plan = Plan {
    doc_type: BUNDLE_MANIFEST_TYPE,
    checks: &[
        (CheckId::Parse, true),
        (CheckId::TrustRoot, true),
        (CheckId::BundleManifest, true),
        (CheckId::BundleFiles, false),
    ],
};

/// Document types [`verify_document`] knows.
pub const KNOWN_TYPES: &[&str] = &[EXECUTION_ATTESTATION_TYPE, TRUST_ROOT_TYPE, BUNDLE_MANIFEST_TYPE];

/// Everything a verification may use besides the document.
#[derive(Debug, Clone, Copy)]
pub struct VerifyContext<'a> {
    /// The trust-root chain outcome (for a trust-root document: the chain that ends with it).
    pub trust: &'a TrustOutcome,
    /// Optional evidence.
    pub inputs: AttestationInputs<'a>,
}

/// The chain a subject document is verified against. A trust-root document
/// given as the subject is verified as the newest link: it is appended to the
/// chain unless it is already its last document (formats.md §6; `attest
/// verify`, WASM and the vector runner all use this one rule).
///
/// "Already its last document" compares the whole documents as JSON values
/// (their canonical bytes, signatures included), so the same trust root
/// formatted differently is recognised, and a copy with other signatures is
/// not (it is verified as a link of its own).
pub fn chain_for_subject<'a>(chain: &[&'a [u8]], subject: &'a [u8]) -> Vec<&'a [u8]> {
    let mut docs = chain.to_vec();
    let trust_root_canonical = |bytes: &[u8]| {
        let v = doc::parse_json(bytes).ok()?;
        (doc::document_type(&v) == Some(TRUST_ROOT_TYPE)).then(|| attest_json::to_canonical_vec(&v))
    };
    if let Some(subject_canonical) = trust_root_canonical(subject) {
        let same_as_last =
            docs.last().is_some_and(|last| *last == subject || trust_root_canonical(last) == Some(subject_canonical));
        if !same_as_last {
            docs.push(subject);
        }
    }
    docs
}

/// Verifies any attest document, dispatching on its `type`.
pub fn verify_document(bytes: &[u8], ctx: &VerifyContext<'_>) -> Report {
    let value = match doc::parse_json(bytes) {
        Ok(v) => v,
        Err(e) => {
            let mut r = ReportBuilder::new(attestation::ATTESTATION_PLAN);
            return r.halt(CheckId::Parse, "malformed", e.to_string());
        }
    };
    match doc::document_type(&value) {
        Some(EXECUTION_ATTESTATION_TYPE) => {
            let mut r = ReportBuilder::new(attestation::ATTESTATION_PLAN);
            match attestation::parse_attestation_value(&value) {
                Ok(att) => attestation::verify_parsed_attestation(&att, ctx.trust, &ctx.inputs, r),
                Err(e) => r.halt(CheckId::Parse, "malformed", e.to_string()),
            }
        }
        Some(TRUST_ROOT_TYPE) => verify_trust_root_document(&value, ctx.trust),
        Some(BUNDLE_MANIFEST_TYPE) => verify_bundle_document(&value, ctx),
        other => {
            let mut r = ReportBuilder::new(Plan { doc_type: "unknown", checks: &[(CheckId::Parse, true)] });
            let detail = match other {
                Some(t) => format!("unknown document type {t:?}; known types: {}", KNOWN_TYPES.join(", ")),
                None => "not an attest document: no string `type` member at the top level".to_string(),
            };
            r.halt(CheckId::Parse, "unknown-type", detail)
        }
    }
}

fn verify_trust_root_document(value: &attest_json::Value, trust: &TrustOutcome) -> Report {
    let mut r = ReportBuilder::new(TRUST_ROOT_PLAN);
    let root = match trust_root::parse_trust_root_value(value) {
        Ok(t) => t,
        Err(e) => return r.halt(CheckId::Parse, "malformed", e.to_string()),
    };
    r.digest(root.digest());
    r.pass(CheckId::Parse, format!("well-formed {TRUST_ROOT_TYPE} version {}", root.version));
    match trust {
        Ok(chain) if chain.newest().digest() == root.digest() => r.pass(
            CheckId::TrustRoot,
            format!(
                "version {} is anchored through a chain of {} and not expired",
                root.version,
                chain.documents().len()
            ),
        ),
        Ok(chain) => r.fail(
            CheckId::TrustRoot,
            "not-in-chain",
            format!(
                "this document is not the newest of the verified chain (newest is version {})",
                chain.newest().version
            ),
        ),
        Err(e) => r.fail(CheckId::TrustRoot, e.reason(), e.to_string()),
    }
    r.finish()
}

fn verify_bundle_document(value: &attest_json::Value, ctx: &VerifyContext<'_>) -> Report {
    let mut r = ReportBuilder::new(BUNDLE_MANIFEST_PLAN);
    let manifest = match bundle::parse_bundle_manifest_value(value) {
        Ok(m) => m,
        Err(e) => return r.halt(CheckId::Parse, "malformed", e.to_string()),
    };
    r.digest(manifest.manifest_hash());
    r.pass(
        CheckId::Parse,
        format!("well-formed {BUNDLE_MANIFEST_TYPE} {} {}", manifest.policy_id, manifest.policy_version),
    );
    let chain = match ctx.trust {
        Ok(c) => c,
        Err(e) => return r.halt(CheckId::TrustRoot, e.reason(), e.to_string()),
    };
    r.pass(CheckId::TrustRoot, format!("newest trust root version {}", chain.newest().version));
    match ctx.inputs.bundle.and_then(|b| b.entries) {
        None => r.skip(CheckId::BundleFiles, "no bundle directory given"),
        Some(entries) => match bundle::check_bundle_files(&manifest, entries) {
            Ok(n) => r.pass(CheckId::BundleFiles, format!("{n} file(s) match the manifest")),
            Err(e) => r.fail(CheckId::BundleFiles, e.reason(), e.to_string()),
        },
    }
    let signer = manifest.signer_key_id;
    match bundle::verify_bundle_manifest(manifest, chain) {
        Ok(_) => {
            r.pass(CheckId::BundleManifest, format!("signed by bundle-signing key {signer}; bundleHash recomputed"))
        }
        Err(e) => r.fail(CheckId::BundleManifest, e.reason(), e.to_string()),
    }
    r.finish()
}
