//! Verification reports: one entry per check, each with a stable id.
//!
//! The report machinery is generic over document kinds: each kind declares
//! the ordered list of its checks ([`Plan`]) and which of them must pass for
//! the document to be valid. A check left unset when the report is finished
//! is reported `skip` with the reason, and a required check that did not pass
//! makes the report invalid (fail closed).

use core::fmt;

use serde::Serialize;

use crate::types::Sha256Digest;

/// Stable check ids shared by the CLI, WASM and contract errors (formats.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum CheckId {
    /// The document is well-formed and of the expected type.
    Parse,
    /// The trust-root chain is anchored, rotated correctly, and not expired.
    TrustRoot,
    /// The signing key is trusted for this document at its time.
    Signer,
    /// The per-execution key delegation (formats.md §4).
    Delegation,
    /// The Ed25519 signature over the signing message.
    Signature,
    /// `execution_fingerprint`, `signalsHash` and evaluator hash aliases; signals recomputation.
    Fingerprint,
    /// The runtime is listed in the trust root.
    Runtime,
    /// `trustRootVersion` is no greater than the newest verified trust root.
    TrustRootVersion,
    /// The bundle manifest is well-formed and signed by a bundle-signing key.
    BundleManifest,
    /// The bundle directory holds exactly the listed files with their sizes and hashes.
    BundleFiles,
    /// The attestation names exactly this bundle.
    BundleBinding,
    /// The execution output hashes to `outputHash`.
    Output,
    /// The network log recomputes the summary and follows the rules of formats.md §5.
    Network,
    /// The EIP-712 on-chain signatures recover to the right signers.
    OnchainSignature,
    /// No execution id or ephemeral key is used twice in a batch.
    Replay,
}

impl CheckId {
    /// Every id, in report order.
    pub const ALL: &'static [CheckId] = &[
        CheckId::Parse,
        CheckId::TrustRoot,
        CheckId::Signer,
        CheckId::Delegation,
        CheckId::Signature,
        CheckId::Fingerprint,
        CheckId::Runtime,
        CheckId::TrustRootVersion,
        CheckId::BundleManifest,
        CheckId::BundleFiles,
        CheckId::BundleBinding,
        CheckId::Output,
        CheckId::Network,
        CheckId::OnchainSignature,
        CheckId::Replay,
    ];

    /// The stable string id.
    pub const fn as_str(self) -> &'static str {
        match self {
            CheckId::Parse => "parse",
            CheckId::TrustRoot => "trust-root",
            CheckId::Signer => "signer",
            CheckId::Delegation => "delegation",
            CheckId::Signature => "signature",
            CheckId::Fingerprint => "fingerprint",
            CheckId::Runtime => "runtime",
            CheckId::TrustRootVersion => "trust-root-version",
            CheckId::BundleManifest => "bundle-manifest",
            CheckId::BundleFiles => "bundle-files",
            CheckId::BundleBinding => "bundle-binding",
            CheckId::Output => "output",
            CheckId::Network => "network",
            CheckId::OnchainSignature => "onchain-signature",
            CheckId::Replay => "replay",
        }
    }

    /// Parses a stable string id.
    pub fn from_id(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CheckId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The check ran and passed.
    Pass,
    /// The check ran and failed.
    Fail,
    /// The check did not run (input not given, not applicable, or an earlier check failed).
    Skip,
}

impl Status {
    /// `pass`, `fail` or `skip`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Skip => "skip",
        }
    }
}

/// One line of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable check id.
    pub id: CheckId,
    /// Outcome.
    pub status: Status,
    /// What was checked, or what is wrong and how to act on it.
    pub detail: String,
    /// On failure, a stable machine reason within the check (e.g. `master-untrusted`),
    /// shared with the contract's custom errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

/// The verdict on one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// True iff every required check passed and none failed.
    pub valid: bool,
    /// The document `type` (or the expected one when it could not be read).
    #[serde(rename = "type")]
    pub doc_type: String,
    /// The checks, in the document kind's order.
    pub checks: Vec<Check>,
    /// `digest(D)` of the document when it parsed (formats.md §0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<Sha256Digest>,
}

impl Report {
    /// The check with this id.
    pub fn check(&self, id: CheckId) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The first failed check.
    pub fn first_failure(&self) -> Option<&Check> {
        self.checks.iter().find(|c| c.status == Status::Fail)
    }

    /// Ids of all failed checks.
    pub fn failed_ids(&self) -> Vec<CheckId> {
        self.checks.iter().filter(|c| c.status == Status::Fail).map(|c| c.id).collect()
    }
}

/// The ordered checks of a document kind and which of them must pass.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Document type the plan is for.
    pub doc_type: &'static str,
    /// Checks in report order, with `true` where the check must pass for validity.
    pub checks: &'static [(CheckId, bool)],
}

/// Accumulates check outcomes for a [`Plan`].
#[derive(Debug)]
pub struct ReportBuilder {
    plan: Plan,
    slots: Vec<Option<Check>>,
    digest: Option<Sha256Digest>,
    halted: Option<CheckId>,
}

impl ReportBuilder {
    /// Starts a report.
    pub fn new(plan: Plan) -> Self {
        Self { plan, slots: vec![None; plan.checks.len()], digest: None, halted: None }
    }

    fn set(&mut self, id: CheckId, status: Status, detail: String, reason: Option<&'static str>) {
        if let Some(i) = self.plan.checks.iter().position(|(c, _)| *c == id) {
            // The first outcome recorded for a check wins: a failure is never overwritten.
            if self.slots[i].as_ref().is_some_and(|c| c.status == Status::Fail) {
                return;
            }
            self.slots[i] = Some(Check { id, status, detail, reason });
        }
    }

    /// Records a pass.
    pub fn pass(&mut self, id: CheckId, detail: impl Into<String>) {
        self.set(id, Status::Pass, detail.into(), None);
    }

    /// Records a failure with its stable reason.
    pub fn fail(&mut self, id: CheckId, reason: &'static str, detail: impl Into<String>) {
        self.set(id, Status::Fail, detail.into(), Some(reason));
    }

    /// Records a skip.
    pub fn skip(&mut self, id: CheckId, detail: impl Into<String>) {
        self.set(id, Status::Skip, detail.into(), None);
    }

    /// Records a failure and stops: unset checks become skips naming this one.
    pub fn halt(&mut self, id: CheckId, reason: &'static str, detail: impl Into<String>) -> Report {
        self.fail(id, reason, detail);
        self.halted = Some(id);
        self.finish_ref()
    }

    /// Sets the document digest.
    pub fn digest(&mut self, d: Sha256Digest) {
        self.digest = Some(d);
    }

    /// Whether a check has failed so far.
    pub fn failed(&self, id: CheckId) -> bool {
        self.slots.iter().flatten().any(|c| c.id == id && c.status == Status::Fail)
    }

    fn finish_ref(&mut self) -> Report {
        let mut checks = Vec::with_capacity(self.slots.len());
        let mut valid = true;
        for ((id, required), slot) in self.plan.checks.iter().zip(self.slots.iter_mut()) {
            let check = slot.take().unwrap_or_else(|| Check {
                id: *id,
                status: Status::Skip,
                detail: match self.halted {
                    Some(h) => format!("not checked: `{h}` failed"),
                    None => "not checked".to_string(),
                },
                reason: None,
            });
            if check.status == Status::Fail || (*required && check.status != Status::Pass) {
                valid = false;
            }
            checks.push(check);
        }
        Report { valid, doc_type: self.plan.doc_type.to_string(), checks, digest: self.digest }
    }

    /// Finishes the report.
    pub fn finish(mut self) -> Report {
        self.finish_ref()
    }
}

/// Proof that a value passed verification. It can only be made by this crate.
#[derive(Debug, Clone)]
pub struct Verified<T>(T);

impl<T> Verified<T> {
    pub(crate) fn new(value: T) -> Self {
        Self(value)
    }
    /// The verified value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> core::ops::Deref for Verified<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}
