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
//!   [`secp256k1`]) and network summaries ([`network`]);
//! - runtime heartbeats ([`heartbeat`]) in DSSE envelopes ([`dsse`]), one by
//!   one and as streams;
//! - C2SP signed notes and log checkpoints ([`checkpoint`]) over RFC 9162
//!   Merkle trees ([`merkle`]), and fork evidence ([`fork`]): two checkpoints
//!   of a pinned log key that prove a split view;
//! - TEE-bound keys ([`tee`]): trust-root TEE policies and bindings of a key
//!   to an Intel DCAP quote, the quote verified by a caller-supplied
//!   [`tee::QuoteVerifier`] (no DCAP code here).
//!
//! Every document is parsed strictly ([`doc`], formats.md §0) into an opaque
//! value (private fields, accessors; its signing message and digest are
//! computed by the parser), then verified. Verification returns an
//! [`Outcome`]: a [`Report`] whose checks carry stable ids ([`CheckId`]) and
//! reasons ([`Reason`]) shared by the CLI, the WASM module and the contract
//! errors, and — only when the report is valid — a [`Verified`] document,
//! which no code outside this crate can construct. [`verify_document`]
//! dispatches on a document's `type` through the [`registry`];
//! [`batch`] verifies many with the `replay` check.
//!
//! # No edit of a parsed value reaches `Verified`
//!
//! Parsed documents have no public fields and no public constructors, so the
//! only way to a [`Verified`] value is through the bytes that were signed
//! (these examples must not compile):
//!
//! ```compile_fail
//! # fn f(bytes: &[u8], chain: &attest_verifier::Verified<attest_verifier::trust_root::TrustRootChain>) {
//! let mut m = attest_verifier::bundle::parse_bundle_manifest(bytes).unwrap();
//! m.files.clear(); // private: the listed files are what was signed
//! let _ = attest_verifier::bundle::verify_bundle_manifest(m, chain);
//! # }
//! ```
//! ```compile_fail
//! # fn f(bytes: &[u8]) {
//! let mut m = attest_verifier::bundle::parse_bundle_manifest(bytes).unwrap();
//! m.computed_bundle_hash = m.bundle_hash(); // the parser computes it
//! # }
//! ```
//! ```compile_fail
//! # fn f(bytes: &[u8]) {
//! let mut r = attest_verifier::trust_root::parse_trust_root(bytes).unwrap();
//! r.keys.clear();
//! # }
//! ```
//! ```compile_fail
//! # fn f(bytes: &[u8]) {
//! let mut a = attest_verifier::attestation::parse_attestation(bytes).unwrap();
//! a.signature = String::new();
//! # }
//! ```
//! ```compile_fail
//! let v = attest_verifier::Verified::new(1); // only this crate makes proofs
//! ```
//! ```compile_fail
//! # fn f(r: &mut attest_verifier::Report) {
//! r.valid = true; // reports are read through accessors
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod attestation;
pub mod attesto;
pub mod batch;
pub mod bundle;
pub mod checkpoint;
pub mod cosignature;
pub mod crypto;
pub mod delegation;
pub mod doc;
pub mod dsse;
pub mod eip712;
pub mod evidence;
pub mod fork;
pub mod heartbeat;
pub mod inspect;
pub mod merkle;
pub mod network;
pub mod reason;
pub mod registry;
pub mod replay;
pub mod report;
pub mod secp256k1;
#[cfg(feature = "tee")]
pub mod tee;
pub mod time;
pub mod tlog_policy;
pub mod tlog_proof;
pub mod trust_root;
pub mod types;

pub use attestation::verify_attestation;
pub use batch::{verify_batch, BatchVerifier};
pub use evidence::{BundleEvidence, BundleFile, Evidence, TrustAnchor, VerifyContext};
pub use reason::Reason;
pub use registry::{chain_for_subject, verify_document, Document};
pub use report::{Check, CheckId, Outcome, Plan, Report, ReportBuilder, Status, Verified};
pub use time::Timestamp;
pub use trust_root::TrustOutcome;
