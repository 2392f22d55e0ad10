//! Evidence and context of a verification: everything besides the document.
//!
//! [`Evidence`] owns the optional per-item inputs (signals, output, bundle,
//! network log) so that the CLI, the WASM module and the vector runner hand
//! the core one value instead of each borrowing its own copy into a
//! borrowed-inputs struct. [`TrustAnchor`] owns the trust-root documents and
//! pinned keys and is the one place that turns a chain failure into an error
//! naming the document (a file for the CLI, `trustRoots[i]` for WASM).
//! [`VerifyContext`] is what every document kind's verification reads: the
//! trust outcome, the evidence, the verification time and the clock skew.

use crate::bundle::EntryKind;
use crate::report::{CheckId, ReportBuilder, Verified};
use crate::time::Timestamp;
use crate::trust_root::{self, ChainOptions, TrustOutcome, TrustRootChain};
use crate::types::Ed25519PublicKey;

/// Default `--max-clock-skew`: how far a document's own time may lie after
/// the verification time (5 minutes).
pub const DEFAULT_MAX_CLOCK_SKEW_SECONDS: u64 = 300;

/// One entry of a bundle directory, as the caller found it (without following links).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleFile {
    /// Path relative to the bundle directory, `/`-separated.
    pub path: String,
    /// Kind of the entry.
    pub kind: EntryKind,
    /// Contents (regular files only).
    pub bytes: Vec<u8>,
}

/// A policy bundle given to the verifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleEvidence {
    /// Manifest bytes.
    pub manifest: Vec<u8>,
    /// Directory entries, when a directory was given (not just a manifest file).
    pub files: Option<Vec<BundleFile>>,
}

/// Optional evidence a document is checked against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    /// Signals as JSON bytes (`--signals`).
    pub signals: Option<Vec<u8>>,
    /// Raw output bytes (`--output`).
    pub output: Option<Vec<u8>>,
    /// Policy bundle (`--bundle`).
    pub bundle: Option<BundleEvidence>,
    /// Network log, JSON Lines (`--network`).
    pub network: Option<Vec<u8>>,
    /// Allowed hosts (`--allow-host`), compared in lower case; empty = no restriction.
    pub allow_hosts: Vec<String>,
    /// Heartbeat policy (`--heartbeat-policy`), parsed by the caller.
    pub heartbeat_policy: Option<crate::heartbeat::HeartbeatPolicy>,
    /// A log's inclusion proof of the document and the log key
    /// (`--log-proof`, `--log-key`): adds the required check `log-inclusion`.
    #[cfg(feature = "log-proof")]
    pub log_proof: Option<crate::tlog_proof::LogProofEvidence>,
    /// Pinned Attesto Local Vault keys (`--attesto-key HEX`): the keys witness
    /// receipts, fork evidence and relay requests may be signed by (docs/spec.md §12).
    pub attesto_keys: Vec<Ed25519PublicKey>,
    /// Pinned claims (`--expect FIELD=VALUE`): adds the required check
    /// `expect`. Fields are [`crate::registry::CLAIM_FIELDS`].
    #[cfg(feature = "expect")]
    pub expect: Vec<(String, String)>,
    /// TEE bindings (`attest.tee-binding.v1` documents, `--tee-binding`):
    /// a document signed by a key with `tee` needs one for that key.
    #[cfg(feature = "tee")]
    pub tee_bindings: Vec<Vec<u8>>,
}

/// Everything a verification reads besides the document.
#[derive(Debug, Clone, Copy)]
pub struct VerifyContext<'a> {
    /// The trust-root chain outcome (for a trust-root document: the chain that ends with it).
    pub trust: &'a TrustOutcome,
    /// Optional evidence.
    pub evidence: &'a Evidence,
    /// Verification time (the core reads no clock).
    pub now: Timestamp,
    /// How far a document's own time (`issuedAt`) may lie after `now`, in seconds.
    pub max_clock_skew_seconds: u64,
    /// The DCAP quote verifier for TEE bindings (the attest-tee-verifier
    /// crate); `None`: bindings cannot be checked (`tee-unavailable`).
    #[cfg(feature = "tee")]
    pub tee: Option<&'a dyn crate::tee::QuoteVerifier>,
    /// Bindings the verifier keeps (a ledger's logged ones), looked at after
    /// the evidence's `tee_bindings`.
    #[cfg(feature = "tee")]
    pub tee_bindings: Option<&'a dyn crate::tee::BindingSource>,
}

impl<'a> VerifyContext<'a> {
    /// A context with the default clock skew.
    pub fn new(trust: &'a TrustOutcome, evidence: &'a Evidence, now: Timestamp) -> Self {
        Self {
            trust,
            evidence,
            now,
            max_clock_skew_seconds: DEFAULT_MAX_CLOCK_SKEW_SECONDS,
            #[cfg(feature = "tee")]
            tee: None,
            #[cfg(feature = "tee")]
            tee_bindings: None,
        }
    }

    /// The start of the `trust-root` check every signed kind makes: the
    /// verified chain, or — when the chain did not verify — its failure
    /// recorded with its reason and the report halted there (`None`).
    pub(crate) fn chain_or_halt(&self, r: &mut ReportBuilder) -> Option<&'a Verified<TrustRootChain>> {
        match self.trust {
            Ok(chain) => Some(chain),
            Err(e) => {
                r.fail(CheckId::TrustRoot, e.reason(), e.to_string());
                r.halted_at(CheckId::TrustRoot);
                None
            }
        }
    }

    /// The clock-skew bound on a document's own time (`member`, e.g.
    /// `issuedAt`): when `t` lies after `now + max_clock_skew`, records the
    /// `signer` failure `issued-in-future` and returns true.
    pub(crate) fn refuse_future(&self, r: &mut ReportBuilder, member: &str, t: Timestamp) -> bool {
        if t <= self.latest_document_time() {
            return false;
        }
        r.fail(
            CheckId::Signer,
            crate::reason::Reason::IssuedInFuture,
            format!(
                "{member} {t} lies more than {} s after the verification time {} (--max-clock-skew)",
                self.max_clock_skew_seconds, self.now
            ),
        );
        true
    }

    /// This context with a quote verifier for TEE bindings.
    #[cfg(feature = "tee")]
    pub fn with_tee(self, tee: &'a dyn crate::tee::QuoteVerifier) -> Self {
        Self { tee: Some(tee), ..self }
    }

    /// This context with kept bindings (a ledger's logged ones).
    #[cfg(feature = "tee")]
    pub fn with_tee_bindings(self, source: &'a dyn crate::tee::BindingSource) -> Self {
        Self { tee_bindings: Some(source), ..self }
    }

    /// The `tee` check of a document signed by `entry` at `t` (`member`
    /// names the time): planned and run when the key has `tee`. Returns
    /// false when the key is TEE-bound and the check failed. (Without the
    /// `tee` feature a TEE-bound key is not usable at all:
    /// [`trust_root::KeyEntry::usable`].)
    #[cfg(feature = "tee")]
    pub(crate) fn tee_check(
        &self,
        r: &mut ReportBuilder,
        root: &trust_root::TrustRoot,
        entry: &trust_root::KeyEntry,
        member: &str,
        t: Timestamp,
    ) -> bool {
        if !entry.is_tee_bound() {
            return true;
        }
        r.plan_also(CheckId::Tee, true);
        crate::tee::check_signed_document(r, self, root, entry.key_id(), member, t)
    }

    /// The latest acceptable document time: `now + max_clock_skew`.
    pub fn latest_document_time(&self) -> Timestamp {
        self.now.plus_seconds(self.max_clock_skew_seconds)
    }
}

/// The trust anchor of a verification: named trust-root documents (oldest
/// first), pinned root keys and chain options.
#[derive(Debug, Clone)]
pub struct TrustAnchor {
    docs: Vec<(String, Vec<u8>)>,
    pinned: Vec<Ed25519PublicKey>,
    opts: ChainOptions,
}

impl TrustAnchor {
    /// An anchor from `(name, bytes)` trust-root documents, oldest first.
    pub fn new(docs: Vec<(String, Vec<u8>)>, pinned: Vec<Ed25519PublicKey>, opts: ChainOptions) -> Self {
        Self { docs, pinned, opts }
    }

    /// The chain options.
    pub fn options(&self) -> &ChainOptions {
        &self.opts
    }

    /// The pinned keys.
    pub fn pinned(&self) -> &[Ed25519PublicKey] {
        &self.pinned
    }

    /// Verifies the chain of the given documents.
    pub fn verify(&self) -> TrustOutcome {
        let named: Vec<(&str, &[u8])> = self.docs.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
        trust_root::verify_trust_root_chain_named(&named, &self.pinned, &self.opts)
    }

    /// The chain a subject document is verified against, when it differs from
    /// [`TrustAnchor::verify`]'s: a trust-root subject is verified as the
    /// newest link, appended unless it is already the last document
    /// ([`crate::chain_for_subject`]). `None` when the subject is not a new link.
    pub fn verify_for_subject(&self, subject_name: &str, subject: &[u8]) -> Option<TrustOutcome> {
        let refs: Vec<&[u8]> = self.docs.iter().map(|(_, b)| b.as_slice()).collect();
        let docs = crate::chain_for_subject(&refs, subject);
        if docs.len() == refs.len() {
            return None;
        }
        let mut named: Vec<(&str, &[u8])> = self.docs.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
        named.push((subject_name, subject));
        Some(trust_root::verify_trust_root_chain_named(&named, &self.pinned, &self.opts))
    }
}
