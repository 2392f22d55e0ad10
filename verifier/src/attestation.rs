//! Execution attestations `attest.execution-attestation.v1` (formats.md §3).
//!
//! ```text
//! payloadHash = digest(attestation) = SHA-256(M(attestation))    (signature, onchainSignature excluded)
//! signature   = Ed25519(signer, M(attestation))
//! execution_fingerprint = signalsHash = SHA-256(JCS({policyId, policyVersion, signals}))
//! ```
//!
//! [`verify_attestation`] reports every check of §3 with a stable id; see
//! `docs/spec.md` for the rule behind each id and its reason codes.

use std::borrow::Cow;

use attest_json::{Object, Value};

use crate::batch::{Pending, ReplayKey};
use crate::bundle;
use crate::crypto::{sha256, StrictVerifyingKey};
use crate::delegation::{self, Delegation};
use crate::doc::{self, err, DocResult, Members, Problem, Signed};
use crate::eip712::{self, OnchainDomain, SolAttestation, SolDelegation};
use crate::evidence::{BundleEvidence, Evidence, VerifyContext};
use crate::reason::Reason;
use crate::registry::Document;
use crate::report::{CheckId, Outcome, Plan, ReportBuilder, Verified};
use crate::secp256k1::{EcdsaError, RecoverableSignature};
use crate::time::Timestamp;
use crate::trust_root::{KeyUseError, Role, TrustRoot, TrustRootChain};
use crate::types::{Ed25519Signature, EthAddress, KeyId, Sha256Digest};

/// Document type and signing domain of execution attestations.
pub const EXECUTION_ATTESTATION_TYPE: &str = "attest.execution-attestation.v1";

/// The checks of an execution attestation, in report order; `true` = must pass.
pub const ATTESTATION_PLAN: Plan = Plan {
    doc_type: EXECUTION_ATTESTATION_TYPE,
    checks: &[
        (CheckId::Parse, true),
        (CheckId::TrustRoot, true),
        (CheckId::Signer, true),
        (CheckId::Delegation, false),
        (CheckId::Signature, true),
        // Not required: without signals it is a skip (the aliases are still
        // compared, and a mismatch fails), like the other evidence checks.
        (CheckId::Fingerprint, false),
        (CheckId::Runtime, false),
        (CheckId::TrustRootVersion, true),
        (CheckId::BundleManifest, false),
        (CheckId::BundleFiles, false),
        (CheckId::BundleBinding, false),
        (CheckId::Output, false),
        (CheckId::Network, false),
        (CheckId::OnchainSignature, false),
        (CheckId::Replay, false),
    ],
};

/// The `decision` member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// `approve`, `reject` or a custom action.
    pub(crate) action: String,
    /// Whether a human override is required.
    pub(crate) requires_override: bool,
    /// Reason string of the matched rule.
    pub(crate) reason: String,
}

impl Decision {
    /// `approve`, `reject` or a custom action.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// Whether a human override is required.
    pub fn requires_override(&self) -> bool {
        self.requires_override
    }

    /// Reason string of the matched rule.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// `execution_state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionState {
    /// Final; the action may proceed.
    Completed,
    /// Blocked pending an override.
    PendingOverride,
    /// Blocked.
    Blocked,
}

impl ExecutionState {
    /// The document form.
    pub const fn as_str(self) -> &'static str {
        match self {
            ExecutionState::Completed => "completed",
            ExecutionState::PendingOverride => "pending_override",
            ExecutionState::Blocked => "blocked",
        }
    }
}

/// A parsed execution attestation.
#[derive(Debug, Clone)]
pub struct ExecutionAttestation {
    /// Business transaction id (the replay key).
    pub(crate) execution_id: String,
    /// `execution_fingerprint`.
    pub(crate) execution_fingerprint: Sha256Digest,
    /// Policy id.
    pub(crate) policy_id: String,
    /// Policy version.
    pub(crate) policy_version: String,
    /// Schema version.
    pub(crate) schema_version: String,
    /// Runtime version.
    pub(crate) runtime_version: String,
    /// Runtime hash.
    pub(crate) runtime_hash: Sha256Digest,
    /// Decision.
    pub(crate) decision: Decision,
    /// State.
    pub(crate) execution_state: ExecutionState,
    /// `signalsHash` (equals the fingerprint).
    pub(crate) signals_hash: Sha256Digest,
    /// Bundle hash.
    pub(crate) bundle_hash: Sha256Digest,
    /// Manifest hash.
    pub(crate) manifest_hash: Sha256Digest,
    /// Release manifest hash.
    pub(crate) release_manifest_hash: Sha256Digest,
    /// Deprecated alias of the semantic hash.
    pub(crate) evaluator_hash: Sha256Digest,
    /// Evaluator semantic hash.
    pub(crate) evaluator_semantic_hash: Sha256Digest,
    /// Evaluator artifact hash.
    pub(crate) evaluator_artifact_hash: Sha256Digest,
    /// The manifest's signature string.
    pub(crate) manifest_signature: String,
    /// Trust-root version as stated (a decimal string; checked by `trust-root-version`).
    pub(crate) trust_root_version: String,
    /// Signing key.
    pub(crate) signer_key_id: KeyId,
    /// Issue time.
    pub(crate) issued_at: Timestamp,
    /// SHA-256 of the raw output, when bound.
    pub(crate) output_hash: Option<Sha256Digest>,
    /// `digest(network summary)`, when bound.
    pub(crate) network_summary_hash: Option<Sha256Digest>,
    /// Per-execution key delegation.
    pub(crate) delegation: Option<Delegation>,
    /// On-chain domain.
    pub(crate) onchain_domain: Option<OnchainDomain>,
    /// Ed25519 signature text.
    pub(crate) signature: String,
    /// EIP-712 signature text.
    pub(crate) onchain_signature: Option<String>,
    /// Signing message and digest (`payloadHash`).
    pub(crate) signed: Signed,
}

impl ExecutionAttestation {
    /// Business transaction id (the replay key).
    pub fn execution_id(&self) -> &str {
        &self.execution_id
    }

    /// `execution_fingerprint`.
    pub fn execution_fingerprint(&self) -> Sha256Digest {
        self.execution_fingerprint
    }

    /// Policy id.
    pub fn policy_id(&self) -> &str {
        &self.policy_id
    }

    /// Policy version.
    pub fn policy_version(&self) -> &str {
        &self.policy_version
    }

    /// Schema version.
    pub fn schema_version(&self) -> &str {
        &self.schema_version
    }

    /// Runtime version.
    pub fn runtime_version(&self) -> &str {
        &self.runtime_version
    }

    /// Runtime hash.
    pub fn runtime_hash(&self) -> Sha256Digest {
        self.runtime_hash
    }

    /// Decision.
    pub fn decision(&self) -> &Decision {
        &self.decision
    }

    /// State.
    pub fn execution_state(&self) -> ExecutionState {
        self.execution_state
    }

    /// `signalsHash` (equals the fingerprint).
    pub fn signals_hash(&self) -> Sha256Digest {
        self.signals_hash
    }

    /// Bundle hash.
    pub fn bundle_hash(&self) -> Sha256Digest {
        self.bundle_hash
    }

    /// Manifest hash.
    pub fn manifest_hash(&self) -> Sha256Digest {
        self.manifest_hash
    }

    /// Release manifest hash.
    pub fn release_manifest_hash(&self) -> Sha256Digest {
        self.release_manifest_hash
    }

    /// Deprecated alias of the semantic hash.
    pub fn evaluator_hash(&self) -> Sha256Digest {
        self.evaluator_hash
    }

    /// Evaluator semantic hash.
    pub fn evaluator_semantic_hash(&self) -> Sha256Digest {
        self.evaluator_semantic_hash
    }

    /// Evaluator artifact hash.
    pub fn evaluator_artifact_hash(&self) -> Sha256Digest {
        self.evaluator_artifact_hash
    }

    /// The manifest's signature string.
    pub fn manifest_signature(&self) -> &str {
        &self.manifest_signature
    }

    /// Trust-root version as stated (a decimal string; checked by `trust-root-version`).
    pub fn trust_root_version(&self) -> &str {
        &self.trust_root_version
    }

    /// Signing key.
    pub fn signer_key_id(&self) -> KeyId {
        self.signer_key_id
    }

    /// Issue time.
    pub fn issued_at(&self) -> Timestamp {
        self.issued_at
    }

    /// SHA-256 of the raw output, when bound.
    pub fn output_hash(&self) -> Option<Sha256Digest> {
        self.output_hash
    }

    /// `digest(network summary)`, when bound.
    pub fn network_summary_hash(&self) -> Option<Sha256Digest> {
        self.network_summary_hash
    }

    /// Per-execution key delegation.
    pub fn delegation(&self) -> Option<&Delegation> {
        self.delegation.as_ref()
    }

    /// On-chain domain.
    pub fn onchain_domain(&self) -> Option<OnchainDomain> {
        self.onchain_domain
    }

    /// Ed25519 signature text.
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// EIP-712 signature text.
    pub fn onchain_signature(&self) -> Option<&str> {
        self.onchain_signature.as_deref()
    }

    /// Signing message and digest (`payloadHash`).
    pub fn signed(&self) -> &Signed {
        &self.signed
    }
}

impl ExecutionAttestation {
    /// `payloadHash = digest(attestation)`.
    pub fn payload_hash(&self) -> Sha256Digest {
        self.signed.digest()
    }

    /// The context hash of formats.md §4, computed from this attestation.
    pub fn context_hash(&self) -> Sha256Digest {
        delegation::context_hash(&self.execution_id, &self.policy_id, &self.policy_version, &self.runtime_hash)
    }

    /// The EIP-712 `Attestation` struct the contract sees.
    pub fn onchain_struct(&self) -> Result<SolAttestation, crate::time::TimestampError> {
        self.onchain_struct_with(&self.context_hash())
    }

    /// The EIP-712 `Attestation` struct with an already computed context hash.
    fn onchain_struct_with(&self, context: &Sha256Digest) -> Result<SolAttestation, crate::time::TimestampError> {
        let z = |h: &Option<Sha256Digest>| eip712::b256(&h.unwrap_or(Sha256Digest::ZERO));
        Ok(SolAttestation {
            executionId: self.execution_id.clone(),
            payloadHash: eip712::b256(&self.payload_hash()),
            contextHash: eip712::b256(context),
            bundleHash: eip712::b256(&self.bundle_hash),
            runtimeHash: eip712::b256(&self.runtime_hash),
            outputHash: z(&self.output_hash),
            networkSummaryHash: z(&self.network_summary_hash),
            issuedAt: self.issued_at.onchain_seconds()?,
        })
    }
}

/// The on-chain `Delegation` struct of a delegation.
pub fn onchain_delegation(d: &Delegation) -> Result<SolDelegation, crate::time::TimestampError> {
    Ok(SolDelegation {
        ephemeral: eip712::address(&d.ephemeral_address.unwrap_or(EthAddress::ZERO)),
        contextHash: eip712::b256(&d.context_hash),
        notBefore: d.not_before.onchain_seconds()?,
        notAfter: d.not_after.onchain_seconds()?,
    })
}

const ATTESTATION_MEMBERS: &[&str] = &[
    "type",
    "executionId",
    "execution_fingerprint",
    "policyId",
    "policyVersion",
    "schemaVersion",
    "runtimeVersion",
    "runtimeHash",
    "decision",
    "execution_state",
    "signalsHash",
    "bundleHash",
    "manifestHash",
    "releaseManifestHash",
    "evaluatorHash",
    "evaluatorSemanticHash",
    "evaluatorArtifactHash",
    "manifestSignature",
    "trustRootVersion",
    "signerKeyId",
    "issuedAt",
    "outputHash",
    "networkSummaryHash",
    "delegation",
    "onchainDomain",
    "signature",
    "onchainSignature",
];

/// Parses an attestation from bytes.
pub fn parse_attestation(bytes: &[u8]) -> DocResult<ExecutionAttestation> {
    parse_attestation_value(&doc::parse_json(bytes)?)
}

/// Parses an attestation from a JSON value.
pub fn parse_attestation_value(v: &Value) -> DocResult<ExecutionAttestation> {
    let m = Members::of(v, "$")?;
    m.expect_type(EXECUTION_ATTESTATION_TYPE)?;
    m.only(ATTESTATION_MEMBERS)?;
    let dv = m.req("decision")?;
    let dp = m.path("decision");
    let d = Members::of(dv, &dp)?;
    d.only(&["action", "requires_override", "reason"])?;
    let decision = Decision {
        action: d.text("action")?.to_string(),
        requires_override: d.bool("requires_override")?,
        reason: d.str("reason")?.to_string(),
    };
    let execution_state = match m.str("execution_state")? {
        "completed" => ExecutionState::Completed,
        "pending_override" => ExecutionState::PendingOverride,
        "blocked" => ExecutionState::Blocked,
        other => {
            return err(
                m.path("execution_state"),
                Problem::UnknownValue { found: other.to_string(), expected: "completed, pending_override or blocked" },
            )
        }
    };
    let delegation = match m.opt("delegation") {
        None => None,
        Some(dv) => Some(delegation::parse_delegation_value(dv, &m.path("delegation"))?),
    };
    let onchain_domain = match m.opt("onchainDomain") {
        None => None,
        Some(ov) => {
            let op = m.path("onchainDomain");
            let o = Members::of(ov, &op)?;
            o.only(&["chainId", "verifyingContract"])?;
            let chain_id = o.uint("chainId")?;
            if chain_id == 0 {
                return err(o.path("chainId"), Problem::BelowMinimum { min: 1 });
            }
            Some(OnchainDomain {
                chain_id,
                verifying_contract: o.parse_str("verifyingContract", EthAddress::from_checksummed)?,
            })
        }
    };
    let Value::Object(obj) = v else {
        return err("$", Problem::JsonType { expected: "an object" });
    };
    Ok(ExecutionAttestation {
        execution_id: m.text("executionId")?.to_string(),
        execution_fingerprint: m.digest("execution_fingerprint")?,
        policy_id: m.text("policyId")?.to_string(),
        policy_version: m.text("policyVersion")?.to_string(),
        schema_version: m.text("schemaVersion")?.to_string(),
        runtime_version: m.text("runtimeVersion")?.to_string(),
        runtime_hash: m.digest("runtimeHash")?,
        decision,
        execution_state,
        signals_hash: m.digest("signalsHash")?,
        bundle_hash: m.digest("bundleHash")?,
        manifest_hash: m.digest("manifestHash")?,
        release_manifest_hash: m.digest("releaseManifestHash")?,
        evaluator_hash: m.digest("evaluatorHash")?,
        evaluator_semantic_hash: m.digest("evaluatorSemanticHash")?,
        evaluator_artifact_hash: m.digest("evaluatorArtifactHash")?,
        manifest_signature: m.str("manifestSignature")?.to_string(),
        trust_root_version: m.str("trustRootVersion")?.to_string(),
        signer_key_id: m.parse_str("signerKeyId", KeyId::from_hex)?,
        issued_at: m.time("issuedAt")?,
        output_hash: m.opt_parse_str("outputHash", Sha256Digest::from_hex)?,
        network_summary_hash: m.opt_parse_str("networkSummaryHash", Sha256Digest::from_hex)?,
        delegation,
        onchain_domain,
        signature: m.str("signature")?.to_string(),
        onchain_signature: m.opt_str("onchainSignature")?.map(str::to_string),
        signed: Signed::of(EXECUTION_ATTESTATION_TYPE, obj),
    })
}

/// `execution_fingerprint = SHA-256(JCS({policyId, policyVersion, signals}))`.
pub fn fingerprint(policy_id: &str, policy_version: &str, signals: &Value) -> Sha256Digest {
    let mut o = Object::new();
    let _ = o.insert("policyId".into(), Value::String(policy_id.into()));
    let _ = o.insert("policyVersion".into(), Value::String(policy_version.into()));
    let _ = o.insert("signals".into(), signals.clone());
    sha256(&attest_json::to_canonical_vec(&Value::Object(o)))
}

/// Verifies one attestation from bytes: the report and, when it is valid,
/// the verified attestation (formats.md §3).
pub fn verify_attestation(bytes: &[u8], ctx: &VerifyContext<'_>) -> Outcome<ExecutionAttestation> {
    let mut pending = match doc::parse_json(bytes) {
        Ok(v) => verify_value(&v, ctx),
        Err(e) => Pending::parse_failure(ATTESTATION_PLAN, &e),
    };
    pending.single(ctx);
    let (report, doc) = pending.finish_parts();
    let att = match doc {
        Some(Document::Attestation(a)) => Some(a),
        _ => None,
    };
    Outcome::new(report, att)
}

/// The registry entry's verification: every check but `replay`, which the
/// batch (or a single verification) completes.
pub(crate) fn verify_value(v: &Value, ctx: &VerifyContext<'_>) -> Pending {
    let mut r = ReportBuilder::new(ATTESTATION_PLAN);
    let att = match parse_attestation_value(v) {
        Ok(a) => a,
        Err(e) => return Pending::from_document_error(r, &e),
    };
    let signature_ok = check_all(&att, ctx, &mut r);
    let replay = signature_ok.then(|| ReplayKey::Execution {
        execution_id: att.execution_id.clone(),
        ephemeral: att.delegation.as_ref().map(|d| d.ephemeral_public_key),
    });
    Pending::new(r, Some(Document::Attestation(att)), replay)
}

/// Runs every single-document check; returns whether the signature verified.
fn check_all(att: &ExecutionAttestation, ctx: &VerifyContext<'_>, r: &mut ReportBuilder) -> bool {
    r.digest(att.payload_hash());
    r.pass(CheckId::Parse, format!("well-formed {EXECUTION_ATTESTATION_TYPE}, executionId {:?}", att.execution_id));
    let Some(chain) = ctx.chain_or_halt(r) else { return false };
    let root = chain.newest();
    r.pass(
        CheckId::TrustRoot,
        format!("chain of {} trust root(s) anchored by pinned keys; newest version {}", chain.len(), root.version),
    );

    // The context hash is only read with a delegation or on-chain signatures.
    let context = if att.delegation.is_some() || att.onchain_signature.is_some() {
        att.context_hash()
    } else {
        Sha256Digest::ZERO
    };
    let signer = check_signer_and_delegation(att, root, &context, ctx, r);
    // tee: the trust-root key that vouches (the runtime key, or the
    // delegating master) is TEE-bound: a verified binding must cover issuedAt.
    #[cfg(feature = "tee")]
    if signer.is_some() {
        let vouching = match &att.delegation {
            None => att.signer_key_id,
            Some(d) => d.master_key_id,
        };
        if let Some(entry) = root.key(&vouching) {
            ctx.tee_check(r, root, entry, "issuedAt", att.issued_at);
        }
    }
    let mut signature_ok = false;
    match signer {
        Some(key) => match Ed25519Signature::from_base64(&att.signature) {
            Err(_) => r.fail(
                CheckId::Signature,
                Reason::SignatureEncoding,
                "signature is not canonical padded base64 of 64 bytes",
            ),
            Ok(sig) if key.verify(att.signed.message(), &sig) => {
                signature_ok = true;
                r.pass(CheckId::Signature, format!("Ed25519 signature verifies under {}", att.signer_key_id))
            }
            Ok(_) => r.fail(
                CheckId::Signature,
                Reason::BadSignature,
                format!(
                    "Ed25519 signature does not verify under {}: the attestation was altered or signed by another key",
                    att.signer_key_id
                ),
            ),
        },
        None => r.skip(CheckId::Signature, "not checked: no usable signing key"),
    }

    let e = ctx.evidence;
    check_fingerprint(att, e.signals.as_deref(), r);
    check_runtime(att, root, r);
    check_trust_root_version(att, root, r);
    check_bundle(att, chain, e.bundle.as_ref(), r);
    check_output(att, e.output.as_deref(), r);
    check_network(att, e, r);
    check_onchain(att, root, &context, r);
    signature_ok
}

fn check_signer_and_delegation<'r>(
    att: &ExecutionAttestation,
    root: &'r TrustRoot,
    context: &Sha256Digest,
    ctx: &VerifyContext<'_>,
    r: &mut ReportBuilder,
) -> Option<Cow<'r, StrictVerifyingKey>> {
    // A signer's claim about its own time is bounded by the verifier's clock:
    // a document dated after now + skew is refused before any key is trusted.
    if ctx.refuse_future(r, "issuedAt", att.issued_at) {
        if att.delegation.is_none() {
            r.skip(CheckId::Delegation, "no delegation: signed directly by a runtime key");
        } else {
            r.skip(CheckId::Delegation, "not checked: `signer` failed");
        }
        return None;
    }
    let Some(d) = &att.delegation else {
        r.skip(CheckId::Delegation, "no delegation: signed directly by a runtime key");
        return match root.usable_key(&att.signer_key_id, Role::Runtime, att.issued_at) {
            Ok(entry) => match entry.ed25519() {
                Some(k) => {
                    r.pass(
                        CheckId::Signer,
                        format!("{} is a runtime key usable at {}", att.signer_key_id, att.issued_at),
                    );
                    // Borrowed: a trust-root key keeps its precomputed table, uncloned.
                    Some(Cow::Borrowed(k))
                }
                None => {
                    r.fail(
                        CheckId::Signer,
                        Reason::WrongAlgorithm,
                        format!("signerKeyId {} is not an Ed25519 key", att.signer_key_id),
                    );
                    None
                }
            },
            Err(e) => {
                r.fail(CheckId::Signer, e.reason(), format!("signerKeyId: {e}"));
                None
            }
        };
    };
    match delegation::check_delegation(d, root, context, att.issued_at) {
        Ok(()) => r.pass(
            CheckId::Delegation,
            format!(
                "master {} delegated ephemeral key {} for this execution context, window [{}, {})",
                d.master_key_id, d.ephemeral_public_key, d.not_before, d.not_after
            ),
        ),
        Err(e) => r.fail(CheckId::Delegation, e.reason(), e.to_string()),
    }
    let eph_id = d.ephemeral_public_key.key_id();
    if att.signer_key_id != eph_id {
        r.fail(
            CheckId::Signer,
            Reason::SignerMismatch,
            format!("signerKeyId {} is not the key id {} of the delegated ephemeral key", att.signer_key_id, eph_id),
        );
        return None;
    }
    match delegation::ephemeral_key(d) {
        Ok(k) => {
            r.pass(CheckId::Signer, format!("{} is the delegated per-execution key", att.signer_key_id));
            Some(Cow::Owned(k))
        }
        Err(e) => {
            r.fail(CheckId::Signer, Reason::InvalidKey, e.to_string());
            None
        }
    }
}

fn check_fingerprint(att: &ExecutionAttestation, signals: Option<&[u8]>, r: &mut ReportBuilder) {
    if att.signals_hash != att.execution_fingerprint {
        return r.fail(
            CheckId::Fingerprint,
            Reason::AliasMismatch,
            format!(
                "signalsHash {} differs from execution_fingerprint {}",
                att.signals_hash, att.execution_fingerprint
            ),
        );
    }
    if att.evaluator_hash != att.evaluator_semantic_hash {
        return r.fail(
            CheckId::Fingerprint,
            Reason::AliasMismatch,
            format!(
                "evaluatorHash {} differs from evaluatorSemanticHash {}",
                att.evaluator_hash, att.evaluator_semantic_hash
            ),
        );
    }
    let Some(bytes) = signals else {
        return r.skip(
            CheckId::Fingerprint,
            "no signals given (--signals): execution_fingerprint not recomputed (the aliases signalsHash and evaluatorHash agree)",
        );
    };
    let value = match doc::parse_json(bytes) {
        Ok(v) => v,
        Err(e) => return r.fail(CheckId::Fingerprint, Reason::SignalsMalformed, format!("signals: {e}")),
    };
    let fp = fingerprint(&att.policy_id, &att.policy_version, &value);
    if fp == att.execution_fingerprint {
        r.pass(CheckId::Fingerprint, format!("execution_fingerprint {fp} recomputed from the signals"));
    } else {
        r.fail(
            CheckId::Fingerprint,
            Reason::FingerprintMismatch,
            format!(
                "signals hash to {fp}, attestation says {}: these are not the evaluated signals",
                att.execution_fingerprint
            ),
        );
    }
}

fn check_runtime(att: &ExecutionAttestation, root: &TrustRoot, r: &mut ReportBuilder) {
    let Some(runtimes) = &root.runtimes else {
        return r.skip(CheckId::Runtime, "the trust root lists no runtimes");
    };
    let found = runtimes.iter().any(|rt| {
        rt.runtime_version == att.runtime_version
            && rt.runtime_hash == att.runtime_hash
            && rt.release_manifest_hash == att.release_manifest_hash
    });
    if found {
        r.pass(
            CheckId::Runtime,
            format!("runtime {} ({}) is listed in the trust root", att.runtime_version, att.runtime_hash),
        );
    } else {
        r.fail(
            CheckId::Runtime,
            Reason::UnlistedRuntime,
            format!(
                "runtime {} with runtimeHash {} and releaseManifestHash {} is not listed in trust root version {}",
                att.runtime_version, att.runtime_hash, att.release_manifest_hash, root.version
            ),
        );
    }
}

/// Parses a `trustRootVersion` string: decimal digits, no sign, no leading zero.
pub fn parse_trust_root_version(s: &str) -> Option<TrustRootVersion> {
    let b = s.as_bytes();
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) || (b.len() > 1 && b.first() == Some(&b'0')) {
        return None;
    }
    Some(match s.parse::<u64>() {
        Ok(v) => TrustRootVersion::Version(v),
        // All digits, no leading zero, yet no u64: above every trust root version.
        Err(_) => TrustRootVersion::BeyondU64,
    })
}

/// A well-formed `trustRootVersion`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustRootVersion {
    /// A version a trust root can have.
    Version(u64),
    /// A decimal larger than any trust root version (u64).
    BeyondU64,
}

fn check_trust_root_version(att: &ExecutionAttestation, root: &TrustRoot, r: &mut ReportBuilder) {
    let ahead = |r: &mut ReportBuilder| {
        r.fail(
            CheckId::TrustRootVersion,
            Reason::VersionAhead,
            format!(
                "trustRootVersion {} is newer than the newest verified trust root (version {}): supply the newer trust root",
                att.trust_root_version, root.version
            ),
        )
    };
    match parse_trust_root_version(&att.trust_root_version) {
        None => r.fail(
            CheckId::TrustRootVersion,
            Reason::MalformedVersion,
            format!("trustRootVersion {:?} is not a decimal version number", att.trust_root_version),
        ),
        Some(TrustRootVersion::BeyondU64) => ahead(r),
        Some(TrustRootVersion::Version(v)) if v > root.version => ahead(r),
        Some(TrustRootVersion::Version(v)) => r.pass(
            CheckId::TrustRootVersion,
            format!("trustRootVersion {v} ≤ newest verified version {}", root.version),
        ),
    }
}

fn check_bundle(
    att: &ExecutionAttestation,
    chain: &Verified<TrustRootChain>,
    bundle: Option<&BundleEvidence>,
    r: &mut ReportBuilder,
) {
    let Some(input) = bundle else {
        for id in [CheckId::BundleManifest, CheckId::BundleFiles, CheckId::BundleBinding] {
            r.skip(id, "no bundle given (--bundle)");
        }
        return;
    };
    // A directory whose manifest.json is a symlink, FIFO or device: the
    // caller never opens it, and the walk's entry fails `bundle-files`.
    let irregular_manifest = input.files.as_deref().and_then(|entries| {
        entries.iter().find(|e| e.path == bundle::MANIFEST_FILE_NAME && e.kind != bundle::EntryKind::File)
    });
    if let Some(e) = irregular_manifest {
        let err = if e.kind == bundle::EntryKind::Symlink {
            bundle::BundleFilesError::Symlink { path: e.path.clone() }
        } else if e.kind == bundle::EntryKind::TooLarge {
            bundle::BundleFilesError::TooLarge { path: e.path.clone() }
        } else {
            bundle::BundleFilesError::NotRegular { path: e.path.clone() }
        };
        r.skip(CheckId::BundleManifest, "not checked: manifest.json is not a regular file");
        r.fail(CheckId::BundleFiles, err.reason(), err.to_string());
        r.skip(CheckId::BundleBinding, "not checked: manifest.json is not a regular file");
        return;
    }
    let manifest = match bundle::parse_bundle_manifest(&input.manifest) {
        Ok(m) => m,
        Err(e) => {
            r.fail_at(CheckId::BundleManifest, e.reason(), Some(e.path().to_string()), format!("manifest: {e}"));
            r.skip(CheckId::BundleFiles, "not checked: the manifest could not be read");
            r.skip(CheckId::BundleBinding, "not checked: the manifest could not be read");
            return;
        }
    };
    let manifest_ref = &manifest;
    match &input.files {
        None => r.skip(CheckId::BundleFiles, "only a manifest was given, not the bundle directory"),
        Some(entries) => match bundle::check_bundle_files(manifest_ref, entries) {
            Ok(n) => {
                r.pass(CheckId::BundleFiles, format!("{n} file(s) match the manifest; no extra files, no symlinks"))
            }
            Err(e) => r.fail(CheckId::BundleFiles, e.reason(), e.to_string()),
        },
    }
    let mismatch = [
        ("policyId", att.policy_id == manifest.policy_id, &att.policy_id, &manifest.policy_id),
        ("policyVersion", att.policy_version == manifest.policy_version, &att.policy_version, &manifest.policy_version),
        ("schemaVersion", att.schema_version == manifest.schema_version, &att.schema_version, &manifest.schema_version),
    ]
    .into_iter()
    .find(|(_, eq, _, _)| !eq)
    .map(|(name, _, a, m)| format!("{name}: attestation says {a:?}, manifest says {m:?}"))
    .or_else(|| {
        (att.bundle_hash != manifest.bundle_hash).then(|| {
            format!("bundleHash: attestation says {}, manifest says {}", att.bundle_hash, manifest.bundle_hash)
        })
    })
    .or_else(|| {
        (att.manifest_hash != manifest.manifest_hash()).then(|| {
            format!(
                "manifestHash: attestation says {}, digest of the manifest is {}",
                att.manifest_hash,
                manifest.manifest_hash()
            )
        })
    })
    .or_else(|| {
        (att.manifest_signature != manifest.signature_text)
            .then(|| "manifestSignature differs from the manifest's signature".to_string())
    });
    match mismatch {
        Some(m) => r.fail(CheckId::BundleBinding, Reason::BindingMismatch, m),
        None => r.pass(
            CheckId::BundleBinding,
            format!(
                "attestation names this bundle ({} {}, manifestHash {})",
                manifest.policy_id,
                manifest.policy_version,
                manifest.manifest_hash()
            ),
        ),
    }
    let signer = manifest.signer_key_id;
    match bundle::verify_bundle_manifest(manifest, chain) {
        Ok(_) => r.pass(
            CheckId::BundleManifest,
            format!("manifest signed by bundle-signing key {signer}; bundleHash recomputed"),
        ),
        Err(e) => r.fail(CheckId::BundleManifest, e.reason(), e.to_string()),
    }
}

fn check_output(att: &ExecutionAttestation, output: Option<&[u8]>, r: &mut ReportBuilder) {
    match (output, att.output_hash) {
        (None, None) => r.skip(CheckId::Output, "no outputHash in the attestation and no --output given"),
        (None, Some(h)) => r.skip(CheckId::Output, format!("outputHash {h} not checked: no --output given")),
        (Some(_), None) => {
            r.fail(CheckId::Output, Reason::NoOutputHash, "--output given but the attestation binds no outputHash")
        }
        (Some(bytes), Some(h)) => {
            let got = sha256(bytes);
            if got == h {
                r.pass(CheckId::Output, format!("output ({} bytes) hashes to outputHash {h}", bytes.len()));
            } else {
                r.fail(
                    CheckId::Output,
                    Reason::OutputMismatch,
                    format!("output hashes to {got}, attestation says {h}"),
                );
            }
        }
    }
}

fn check_network(att: &ExecutionAttestation, evidence: &Evidence, r: &mut ReportBuilder) {
    match (evidence.network.as_deref(), att.network_summary_hash) {
        (None, None) => r.skip(CheckId::Network, "no networkSummaryHash in the attestation and no --network given"),
        (None, Some(h)) => {
            r.skip(CheckId::Network, format!("networkSummaryHash {h} not checked: no --network log given"))
        }
        (Some(_), None) => r.fail(
            CheckId::Network,
            Reason::NoNetworkHash,
            "--network given but the attestation binds no networkSummaryHash",
        ),
        (Some(log), Some(h)) => {
            // The rules compare hosts case-insensitively.
            match crate::network::check_log_against(log, &att.execution_id, &h, &evidence.allow_hosts) {
                Ok(detail) => r.pass(CheckId::Network, detail),
                Err(e) => r.fail(CheckId::Network, e.reason(), e.to_string()),
            }
        }
    }
}

/// Why the on-chain signatures are refused. Reason codes mirror the contract errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OnchainError {
    /// onchainSignature without onchainDomain.
    #[error("onchainSignature is present but onchainDomain is missing")]
    MissingDomain,
    /// A delegated attestation must carry both on-chain signatures, or neither.
    #[error("{0}")]
    Incomplete(&'static str),
    /// A signature is malformed (encoding, v, range, high-s) or unrecoverable.
    #[error("{which}: {error}")]
    Signature {
        /// Which signature.
        which: &'static str,
        /// The problem.
        error: EcdsaError,
    },
    /// The delegation's signer is not a usable secp256k1 attestor-master key.
    #[error("delegation onchainSignature recovers to {address}: {error}")]
    Master {
        /// Recovered address.
        address: EthAddress,
        /// Why it is not usable.
        error: KeyUseError,
    },
    /// The delegation's signer is no key of the trust root.
    #[error("delegation onchainSignature recovers to {address}, which is not a key of the trust root")]
    UnknownMaster {
        /// Recovered address.
        address: EthAddress,
    },
    /// Window in whole seconds, as the contract evaluates it.
    #[error(
        "issuedAt {issued_at} is outside the on-chain delegation window [{not_before}, {not_after}) in Unix seconds"
    )]
    Window {
        /// Seconds.
        issued_at: u64,
        /// Seconds.
        not_before: u64,
        /// Seconds.
        not_after: u64,
    },
    /// The attestation's on-chain signer is not the expected one.
    #[error("attestation onchainSignature recovers to {recovered}, expected {expected}")]
    WrongSigner {
        /// Recovered.
        recovered: EthAddress,
        /// Expected.
        expected: String,
    },
    /// The delegation's contextHash is not the attestation's.
    #[error("delegation contextHash {stated} differs from the attestation's {computed}")]
    Context {
        /// In the delegation.
        stated: Sha256Digest,
        /// Of the attestation.
        computed: Sha256Digest,
    },
    /// A time cannot be expressed as uint64 seconds.
    #[error("a time before 1970 cannot be signed on-chain")]
    Time,
}

impl OnchainError {
    /// Stable reason code.
    pub fn reason(&self) -> Reason {
        match self {
            OnchainError::MissingDomain => Reason::MissingDomain,
            OnchainError::Incomplete(_) => Reason::Incomplete,
            OnchainError::Signature { error, .. } => error.reason(),
            OnchainError::Master { error, .. } => match error {
                KeyUseError::Revoked { .. } => Reason::MasterRevoked,
                KeyUseError::Window { .. } => Reason::MasterWindow,
                _ => Reason::MasterUntrusted,
            },
            OnchainError::UnknownMaster { .. } => Reason::MasterUntrusted,
            OnchainError::Window { .. } => Reason::DelegationWindow,
            OnchainError::Context { .. } => Reason::ContextMismatch,
            OnchainError::WrongSigner { .. } => Reason::WrongSigner,
            OnchainError::Time => Reason::TimeRange,
        }
    }
}

/// Rule (a) for one EIP-712 signature: its encoding, then recovery of a
/// non-zero signer from `digest`.
fn recover_onchain(text: &str, digest: &[u8; 32], which: &'static str) -> Result<EthAddress, OnchainError> {
    RecoverableSignature::parse(text)
        .and_then(|sig| sig.recover(digest))
        .map_err(|error| OnchainError::Signature { which, error })
}

/// Verifies the on-chain signatures exactly as `AttestationVerifier.verifyDelegated`
/// does (same order of rules), plus the no-delegation case. Returns the signer
/// address the contract would return (the master for delegated attestations).
pub fn check_onchain_signatures(
    att: &ExecutionAttestation,
    root: &TrustRoot,
    context: &Sha256Digest,
) -> Result<Option<EthAddress>, OnchainError> {
    let has_any =
        att.onchain_signature.is_some() || att.delegation.as_ref().is_some_and(|d| d.onchain_signature.is_some());
    if !has_any {
        return Ok(None);
    }
    let domain = att.onchain_domain.ok_or(OnchainError::MissingDomain)?;
    let a_struct = att.onchain_struct_with(context).map_err(|_| OnchainError::Time)?;
    let a_digest = eip712::attestation_digest(&domain, &a_struct);
    let Some(d) = &att.delegation else {
        let text = att.onchain_signature.as_deref().ok_or(OnchainError::Incomplete("no onchainSignature"))?;
        let recovered = recover_onchain(text, &a_digest, "attestation onchainSignature")?;
        let entry = root.key_by_address(&recovered).ok_or(OnchainError::WrongSigner {
            recovered,
            expected: "a secp256k1 runtime key of the trust root".into(),
        })?;
        entry.usable(Role::Runtime, att.issued_at).map_err(|_| OnchainError::WrongSigner {
            recovered,
            expected: "a secp256k1 runtime key usable at issuedAt".into(),
        })?;
        return Ok(Some(recovered));
    };
    // formats.md §3/§4: the attestation's onchainSignature is optional and each
    // present signature has its own rule, so whichever of the two is present
    // is checked (with both, exactly in the contract's order; the contract
    // itself needs both, see `attest onchain calldata`).
    let (a_text, d_text) = (att.onchain_signature.as_deref(), d.onchain_signature.as_deref());
    let ephemeral = match a_text {
        Some(_) => Some(d.ephemeral_address.ok_or(OnchainError::Incomplete("the delegation has no ephemeralAddress"))?),
        None => None,
    };
    // (a) each signature completely (encoding, then recovery of a non-zero
    // address): the delegation's first, then the attestation's.
    let master = match d_text {
        Some(text) => {
            let d_struct = onchain_delegation(d).map_err(|_| OnchainError::Time)?;
            let digest = eip712::delegation_digest(&domain, &d_struct);
            Some((recover_onchain(text, &digest, "delegation onchainSignature")?, d_struct))
        }
        None => None,
    };
    let recovered = a_text.map(|text| recover_onchain(text, &a_digest, "attestation onchainSignature")).transpose()?;
    if let Some((master, d_struct)) = &master {
        // (b) master.
        let entry = root.key_by_address(master).ok_or(OnchainError::UnknownMaster { address: *master })?;
        entry
            .usable(Role::AttestorMaster, att.issued_at)
            .map_err(|error| OnchainError::Master { address: *master, error })?;
        // (c) context: the contract compares the two structs' contextHash; the
        // attestation's is recomputed here, so a mismatch is the delegation's.
        if d.context_hash != *context {
            return Err(OnchainError::Context { stated: d.context_hash, computed: *context });
        }
        // (d) window in whole seconds.
        let issued = a_struct.issuedAt;
        if !(d_struct.notBefore <= issued && issued < d_struct.notAfter) {
            return Err(OnchainError::Window {
                issued_at: issued,
                not_before: d_struct.notBefore,
                not_after: d_struct.notAfter,
            });
        }
    }
    // (e) attestation signer.
    if let (Some(recovered), Some(ephemeral)) = (recovered, ephemeral) {
        if recovered != ephemeral {
            return Err(OnchainError::WrongSigner { recovered, expected: ephemeral.to_checksum() });
        }
    }
    Ok(master.map(|(m, _)| m).or(recovered))
}

fn check_onchain(att: &ExecutionAttestation, root: &TrustRoot, context: &Sha256Digest, r: &mut ReportBuilder) {
    match check_onchain_signatures(att, root, context) {
        Ok(None) => r.skip(CheckId::OnchainSignature, "no on-chain signatures"),
        Ok(Some(signer)) => {
            let d = att.onchain_domain.map(|d| format!(" (chainId {}, contract {})", d.chain_id, d.verifying_contract));
            // With a delegation the contract needs both signatures; say so when one is absent.
            let partial = match &att.delegation {
                Some(_) if att.onchain_signature.is_none() => {
                    "; the attestation has no onchainSignature, so the contract cannot verify it"
                }
                Some(del) if del.onchain_signature.is_none() => {
                    "; the delegation has no onchainSignature, so the contract cannot verify it"
                }
                _ => "",
            };
            r.pass(
                CheckId::OnchainSignature,
                format!(
                    "EIP-712 signatures recover to the expected signers; on-chain signer {signer}{}{partial}",
                    d.unwrap_or_default()
                ),
            )
        }
        Err(e) => r.fail(CheckId::OnchainSignature, e.reason(), e.to_string()),
    }
}
