//! Verification reports: one entry per check, each with a stable id.
//!
//! The report machinery is generic over document kinds: each kind declares
//! the ordered list of its checks ([`Plan`]) and which of them must pass for
//! the document to be valid. A check left unset when the report is finished
//! is reported `skip` with the reason, and a required check that did not pass
//! makes the report invalid (fail closed).

use core::fmt;

use serde::Serialize;

use crate::reason::Reason;
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
    /// No execution id or ephemeral key (attestations), attestation id or digest (heartbeats) is used twice in a batch.
    Replay,
    /// A heartbeat's `timestamp` is within `[now − max_age, now + max_skew]` (formats.md §7).
    Freshness,
    /// A heartbeat's `policy_hash` is the heartbeat policy's.
    Policy,
    /// A heartbeat's configuration equals what the policy pins; in a stream, no change between consecutive heartbeats.
    Drift,
    /// A heartbeat's differential-privacy budget and counters are consistent.
    Limits,
    /// Within a boot, `seq` is contiguous and `previous` chains.
    Sequence,
    /// No two consecutive heartbeats of a stream, nor the newest and `now`, are more than `max_gap_seconds` apart.
    Gap,
    /// Within a boot, counters and `uptime_seconds` never decrease.
    Counters,
    /// The document's entry bytes are included in a checkpoint signed by the log key (`--log-proof`).
    LogInclusion,
    /// Two checkpoints signed by one log key prove a split view (fork evidence, formats.md §9).
    Fork,
    /// An Attesto document's claimed hash (`statement_hash`, `evidence_hash`, the envelope-hash header) is SHA-256 of its signed message.
    StatementHash,
    /// An Attesto receipt's `canonical_json_hex` is A(statement); a relay's `payload_sha256`/`payload_size` describe A(payload).
    CanonicalBytes,
    /// An Attesto receipt's top-level members and `signature.kid` are its statement's.
    Binding,
    /// The document's claims equal what the caller pinned (`--expect FIELD=VALUE`).
    Expect,
    /// A TEE-bound key's binding: the DCAP quote at `boundAt`, the key's TEE policy and the binding's age (formats.md §11).
    #[cfg(feature = "tee")]
    Tee,
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
        CheckId::Freshness,
        CheckId::Policy,
        CheckId::Drift,
        CheckId::Limits,
        CheckId::Sequence,
        CheckId::Gap,
        CheckId::Counters,
        CheckId::LogInclusion,
        CheckId::Fork,
        CheckId::StatementHash,
        CheckId::CanonicalBytes,
        CheckId::Binding,
        CheckId::Expect,
        #[cfg(feature = "tee")]
        CheckId::Tee,
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
            CheckId::Freshness => "freshness",
            CheckId::Policy => "policy",
            CheckId::Drift => "drift",
            CheckId::Limits => "limits",
            CheckId::Sequence => "sequence",
            CheckId::Gap => "gap",
            CheckId::Counters => "counters",
            CheckId::LogInclusion => "log-inclusion",
            CheckId::Fork => "fork",
            CheckId::StatementHash => "statement-hash",
            CheckId::CanonicalBytes => "canonical-bytes",
            CheckId::Binding => "binding",
            CheckId::Expect => "expect",
            #[cfg(feature = "tee")]
            CheckId::Tee => "tee",
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
    /// shared with the contract's custom errors ([`crate::reason::Reason`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// On a `parse` failure inside the document, the JSON path of the
    /// offending member (`$.keys[2].publicKey`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// The verdict on one document. Made only by [`ReportBuilder::finish`]; read
/// through its accessors, never edited afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    valid: bool,
    #[serde(rename = "type")]
    doc_type: String,
    checks: Vec<Check>,
    #[serde(skip_serializing_if = "Option::is_none")]
    digest: Option<Sha256Digest>,
}

impl Report {
    /// True iff every required check passed and none failed.
    pub fn valid(&self) -> bool {
        self.valid
    }

    /// The document `type` (`unknown` when it could not be told).
    pub fn doc_type(&self) -> &str {
        &self.doc_type
    }

    /// The checks, in the document kind's order.
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }

    /// `digest(D)` of the document when it parsed (formats.md §0).
    pub fn digest(&self) -> Option<Sha256Digest> {
        self.digest
    }

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

    /// A stricter verdict for a caller that requires checks (`attest verify
    /// --require`): each check of `required` that was skipped becomes a
    /// failure with reason `required-check-skipped`, and one that is not a
    /// check of this document kind is appended as such a failure. It can only
    /// add failures: nothing that failed passes, and a report that was not
    /// valid stays invalid.
    #[must_use]
    pub fn with_required(mut self, required: &[CheckId]) -> Report {
        for id in required {
            match self.checks.iter_mut().find(|c| c.id == *id) {
                Some(c) if c.status == Status::Skip => {
                    c.status = Status::Fail;
                    c.reason = Some(Reason::RequiredCheckSkipped);
                    c.detail = format!("required but skipped: {}", c.detail);
                    self.valid = false;
                }
                Some(_) => {}
                None => {
                    self.checks.push(Check {
                        id: *id,
                        status: Status::Fail,
                        detail: format!("required, but `{id}` is not a check of {}", self.doc_type),
                        reason: Some(Reason::RequiredCheckSkipped),
                        path: None,
                    });
                    self.valid = false;
                }
            }
        }
        self
    }

    /// `accept`, or `reject:<first failed check>` (the golden vectors' `expect`).
    pub fn verdict(&self) -> String {
        if self.valid {
            "accept".into()
        } else {
            match self.first_failure() {
                Some(c) => format!("reject:{}", c.id),
                None => "reject:<required check skipped>".into(),
            }
        }
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
///
/// Fails closed: an outcome for a check outside the plan is never dropped;
/// it makes the report invalid (an extra `fail` line with reason
/// `unplanned-check`) and trips a debug assertion, since it is a verifier bug.
#[derive(Debug)]
pub struct ReportBuilder {
    plan: Plan,
    /// Checks the evidence adds after the plan's (`log-inclusion` with
    /// `--log-proof`, `expect` with pinned claims, `tee` for a TEE-bound key).
    #[cfg(any(feature = "log-proof", feature = "expect", feature = "tee"))]
    also: Vec<(CheckId, bool)>,
    slots: Vec<Option<Check>>,
    unplanned: Vec<Check>,
    digest: Option<Sha256Digest>,
    halted: Option<CheckId>,
}

impl ReportBuilder {
    /// Starts a report.
    pub fn new(plan: Plan) -> Self {
        Self {
            plan,
            #[cfg(any(feature = "log-proof", feature = "expect", feature = "tee"))]
            also: Vec::new(),
            slots: vec![None; plan.checks.len()],
            unplanned: Vec::new(),
            digest: None,
            halted: None,
        }
    }

    /// Adds a check after the plan's, for evidence the caller gave (a check
    /// every kind can make, such as `log-inclusion`). Adding one twice, or
    /// one already in the plan, changes nothing.
    #[cfg(any(feature = "log-proof", feature = "expect", feature = "tee"))]
    pub fn plan_also(&mut self, id: CheckId, required: bool) {
        if !self.planned().any(|(c, _)| *c == id) {
            self.also.push((id, required));
            self.slots.push(None);
        }
    }

    /// The plan's checks, then the added ones (none without the
    /// `log-proof`, `expect` and `tee` features: the core WASM module has no
    /// room for them).
    fn planned(&self) -> impl Iterator<Item = &(CheckId, bool)> {
        #[cfg(any(feature = "log-proof", feature = "expect", feature = "tee"))]
        return self.plan.checks.iter().chain(self.also.iter());
        #[cfg(not(any(feature = "log-proof", feature = "expect", feature = "tee")))]
        return self.plan.checks.iter();
    }

    /// The plan.
    pub fn plan(&self) -> Plan {
        self.plan
    }

    fn set(&mut self, check: Check) {
        let at = self.planned().position(|(c, _)| *c == check.id);
        match at {
            Some(i) => {
                let Some(slot) = self.slots.get_mut(i) else { return };
                // The first failure recorded for a check wins: it is never overwritten.
                if slot.as_ref().is_some_and(|c| c.status == Status::Fail) {
                    return;
                }
                *slot = Some(check);
            }
            None => {
                debug_assert!(false, "check {} is not in the plan of {}", check.id, self.plan.doc_type);
                // Kept as recorded, but failed: the report is invalid.
                self.unplanned.push(Check { status: Status::Fail, reason: Some(Reason::UnplannedCheck), ..check });
            }
        }
    }

    /// Records a pass.
    pub fn pass(&mut self, id: CheckId, detail: impl Into<String>) {
        self.set(Check { id, status: Status::Pass, detail: detail.into(), reason: None, path: None });
    }

    /// Records a failure with its stable reason.
    pub fn fail(&mut self, id: CheckId, reason: Reason, detail: impl Into<String>) {
        self.set(Check { id, status: Status::Fail, detail: detail.into(), reason: Some(reason), path: None });
    }

    /// Records a failure at a JSON path of the document.
    pub fn fail_at(&mut self, id: CheckId, reason: Reason, path: Option<String>, detail: impl Into<String>) {
        self.set(Check { id, status: Status::Fail, detail: detail.into(), reason: Some(reason), path });
    }

    /// Records a skip.
    pub fn skip(&mut self, id: CheckId, detail: impl Into<String>) {
        self.set(Check { id, status: Status::Skip, detail: detail.into(), reason: None, path: None });
    }

    /// Whether an outcome was recorded for this check.
    pub fn is_set(&self, id: CheckId) -> bool {
        self.slots.iter().flatten().any(|c| c.id == id)
    }

    /// Records a failure and stops: unset checks become skips naming this one.
    pub fn halt(mut self, id: CheckId, reason: Reason, detail: impl Into<String>) -> Report {
        self.fail(id, reason, detail);
        self.halted = Some(id);
        self.finish()
    }

    /// Marks the report halted at `id` (which must have failed): unset checks
    /// become skips naming it when the report is finished.
    pub fn halted_at(&mut self, id: CheckId) {
        self.halted = Some(id);
    }

    /// Whether the report was halted (unset checks will be skips naming the failed one).
    pub fn is_halted(&self) -> bool {
        self.halted.is_some()
    }

    /// Sets the document digest.
    pub fn digest(&mut self, d: Sha256Digest) {
        self.digest = Some(d);
    }

    /// Whether a check has failed so far.
    pub fn failed(&self, id: CheckId) -> bool {
        self.slots.iter().flatten().any(|c| c.id == id && c.status == Status::Fail)
    }

    /// Whether a check has passed so far.
    pub fn passed(&self, id: CheckId) -> bool {
        self.slots.iter().flatten().any(|c| c.id == id && c.status == Status::Pass)
    }

    /// Finishes the report.
    pub fn finish(mut self) -> Report {
        let slots = core::mem::take(&mut self.slots);
        let unplanned = core::mem::take(&mut self.unplanned);
        let mut checks = Vec::with_capacity(slots.len() + unplanned.len());
        let mut valid = unplanned.is_empty();
        for ((id, required), slot) in self.planned().zip(slots) {
            let check = slot.unwrap_or_else(|| Check {
                id: *id,
                status: Status::Skip,
                detail: match self.halted {
                    Some(h) => format!("not checked: `{h}` failed"),
                    None => "not checked".to_string(),
                },
                reason: None,
                path: None,
            });
            if check.status == Status::Fail || (*required && check.status != Status::Pass) {
                valid = false;
            }
            checks.push(check);
        }
        checks.extend(unplanned);
        Report { valid, doc_type: self.plan.doc_type.to_string(), checks, digest: self.digest }
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

/// A report and, when it is valid, the verified document.
///
/// `verified` is `Some` exactly when `report.valid()`; library users take the
/// proof from here rather than trusting a boolean.
#[derive(Debug, Clone)]
pub struct Outcome<T> {
    report: Report,
    verified: Option<Verified<T>>,
}

impl<T> Outcome<T> {
    /// Wraps `value` as verified iff the report is valid.
    pub(crate) fn new(report: Report, value: Option<T>) -> Self {
        let verified = if report.valid { value.map(Verified::new) } else { None };
        Self { report, verified }
    }

    /// The report.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The verified document, when the report is valid.
    pub fn verified(&self) -> Option<&Verified<T>> {
        self.verified.as_ref()
    }

    /// Both parts.
    pub fn into_parts(self) -> (Report, Option<Verified<T>>) {
        (self.report, self.verified)
    }

    /// The report alone.
    pub fn into_report(self) -> Report {
        self.report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: Plan = Plan { doc_type: "t", checks: &[(CheckId::Parse, true), (CheckId::Output, false)] };

    #[test]
    fn a_failure_is_never_overwritten() {
        let mut r = ReportBuilder::new(PLAN);
        r.fail(CheckId::Parse, Reason::Malformed, "bad");
        r.pass(CheckId::Parse, "ok");
        let rep = r.finish();
        assert!(!rep.valid());
        assert_eq!(rep.checks()[0].status, Status::Fail);
    }

    #[test]
    fn required_checks_left_unset_make_the_report_invalid() {
        let r = ReportBuilder::new(PLAN);
        assert!(!r.finish().valid());
    }

    #[test]
    fn with_required_only_adds_failures() {
        let mut r = ReportBuilder::new(PLAN);
        r.pass(CheckId::Parse, "ok");
        let rep = r.finish();
        assert!(rep.valid());
        // A passed check required: unchanged.
        assert_eq!(rep.clone().with_required(&[CheckId::Parse]), rep);
        // A skipped one fails; one outside the plan is appended as a failure.
        let strict = rep.with_required(&[CheckId::Output, CheckId::Network]);
        assert!(!strict.valid());
        let out = strict.check(CheckId::Output).expect("output");
        assert_eq!((out.status, out.reason), (Status::Fail, Some(Reason::RequiredCheckSkipped)));
        assert!(out.detail.starts_with("required but skipped: "), "{}", out.detail);
        let net = strict.check(CheckId::Network).expect("network appended");
        assert_eq!((net.status, net.reason), (Status::Fail, Some(Reason::RequiredCheckSkipped)));
        assert_eq!(strict.checks().len(), 3);
    }

    #[test]
    fn optional_checks_may_skip() {
        let mut r = ReportBuilder::new(PLAN);
        r.pass(CheckId::Parse, "ok");
        let rep = r.finish();
        assert!(rep.valid());
        assert_eq!(rep.check(CheckId::Output).map(|c| c.status), Some(Status::Skip));
    }

    /// An outcome for a check outside the plan fails closed (in release builds;
    /// debug builds also stop at the assertion).
    #[test]
    #[cfg_attr(debug_assertions, should_panic(expected = "not in the plan"))]
    fn unplanned_checks_fail_closed() {
        let mut r = ReportBuilder::new(PLAN);
        r.pass(CheckId::Parse, "ok");
        r.pass(CheckId::Signature, "looks fine");
        let rep = r.finish();
        assert!(!rep.valid());
        assert_eq!(rep.checks().last().and_then(|c| c.reason), Some(Reason::UnplannedCheck));
    }

    #[test]
    fn outcome_wraps_only_valid_reports() {
        let mut r = ReportBuilder::new(PLAN);
        r.fail(CheckId::Parse, Reason::Malformed, "bad");
        assert!(Outcome::new(r.finish(), Some(1)).verified().is_none());
        let mut r = ReportBuilder::new(PLAN);
        r.pass(CheckId::Parse, "ok");
        assert_eq!(Outcome::new(r.finish(), Some(1)).verified().map(|v| **v), Some(1));
    }
}
