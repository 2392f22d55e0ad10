//! Building and signing execution attestations (docs/spec.md §3) and
//! per-execution key delegations with EIP-712 signatures (docs/spec.md §4).

use attest_json::{Object, Value};
use attest_verifier::attestation::{
    fingerprint, onchain_delegation, parse_attestation_value, EXECUTION_ATTESTATION_TYPE,
};
use attest_verifier::bundle::BundleManifest;
use attest_verifier::crypto::sha256;
use attest_verifier::delegation::{context_hash, parse_delegation_value, DELEGATION_TYPE};
use attest_verifier::doc::{signing_message, DocumentError};
use attest_verifier::eip712::{self, OnchainDomain};
use attest_verifier::types::Sha256Digest;
use attest_verifier::Timestamp;

use crate::json::{int, s, set, ObjectBuilder};
use crate::keys::{Ed25519Signer, KeyError, MasterSecret, Secp256k1Signer};
use crate::sign::sign_single;

/// Why an attestation cannot be signed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// Key derivation or ECDSA signing failed.
    #[error("{0}")]
    Key(#[from] KeyError),
    /// The built document does not parse back (a bug or bad input values).
    #[error("the built document is invalid: {0}")]
    Invalid(#[from] DocumentError),
    /// An on-chain signature needs a secp256k1 key.
    #[error("onchainDomain is set but no secp256k1 runtime key was given")]
    NoSecp256k1Key,
    /// A JSON input (signals) is not strict JSON.
    #[error("{0}")]
    Json(String),
    /// Times before 1970 cannot be signed on-chain.
    #[error("times before 1970 cannot be signed on-chain")]
    Time,
    /// A bundle manifest could not be built.
    #[error("bundle: {0}")]
    Bundle(#[from] crate::bundle::BundleBuildError),
    /// A heartbeat could not be built.
    #[error("heartbeat: {0}")]
    Heartbeat(#[from] crate::heartbeat::HeartbeatError),
    /// A signed note or checkpoint could not be made (a key name that is no valid note name).
    #[error("signed note: {0}")]
    Note(#[from] attest_verifier::checkpoint::CheckpointError),
}

/// Everything an attestation states about an execution.
#[derive(Debug, Clone)]
pub struct AttestationDraft {
    /// Business transaction id.
    pub execution_id: String,
    /// Policy id.
    pub policy_id: String,
    /// Policy version.
    pub policy_version: String,
    /// Schema version.
    pub schema_version: String,
    /// Runtime version.
    pub runtime_version: String,
    /// Runtime hash.
    pub runtime_hash: Sha256Digest,
    /// Release manifest hash.
    pub release_manifest_hash: Sha256Digest,
    /// Evaluator semantic hash (also written as `evaluatorHash`).
    pub evaluator_semantic_hash: Sha256Digest,
    /// Evaluator artifact hash.
    pub evaluator_artifact_hash: Sha256Digest,
    /// Decision action.
    pub action: String,
    /// Whether an override is required.
    pub requires_override: bool,
    /// Reason.
    pub reason: String,
    /// `completed`, `pending_override` or `blocked`.
    pub execution_state: String,
    /// The evaluated signals (hashed into the fingerprint).
    pub signals: Value,
    /// Bundle hash, manifest hash and manifest signature.
    pub bundle_hash: Sha256Digest,
    /// `digest(manifest)`.
    pub manifest_hash: Sha256Digest,
    /// The manifest's signature string.
    pub manifest_signature: String,
    /// Trust-root version the signer is anchored in.
    pub trust_root_version: u64,
    /// Issue time.
    pub issued_at: Timestamp,
    /// Raw output bytes' hash.
    pub output_hash: Option<Sha256Digest>,
    /// Network summary digest.
    pub network_summary_hash: Option<Sha256Digest>,
    /// On-chain domain (adds EIP-712 signatures).
    pub onchain_domain: Option<OnchainDomain>,
}

impl AttestationDraft {
    /// Binds a verified or parsed manifest: bundleHash, manifestHash, manifestSignature and policy identity.
    pub fn bind_manifest(&mut self, m: &BundleManifest) {
        self.policy_id = m.policy_id().to_string();
        self.policy_version = m.policy_version().to_string();
        self.schema_version = m.schema_version().to_string();
        self.bundle_hash = m.bundle_hash();
        self.manifest_hash = m.manifest_hash();
        self.manifest_signature = m.signature_text().to_string();
    }

    /// Sets `outputHash` from the raw output bytes.
    pub fn bind_output(&mut self, output: &[u8]) {
        self.output_hash = Some(sha256(output));
    }

    /// The context hash (docs/spec.md §4).
    pub fn context_hash(&self) -> Sha256Digest {
        context_hash(&self.execution_id, &self.policy_id, &self.policy_version, &self.runtime_hash)
    }

    fn unsigned(&self, signer_key_id: &str) -> Object {
        let fp = fingerprint(&self.policy_id, &self.policy_version, &self.signals).to_hex();
        let decision = ObjectBuilder::new()
            .set("action", s(self.action.clone()))
            .set("requires_override", Value::Bool(self.requires_override))
            .set("reason", s(self.reason.clone()))
            .value();
        let domain = self.onchain_domain.map(|d| {
            ObjectBuilder::new()
                .set("chainId", int(d.chain_id))
                .set("verifyingContract", s(d.verifying_contract.to_checksum()))
                .value()
        });
        ObjectBuilder::new()
            .set("type", s(EXECUTION_ATTESTATION_TYPE))
            .set("executionId", s(self.execution_id.clone()))
            .set("execution_fingerprint", s(fp.clone()))
            .set("policyId", s(self.policy_id.clone()))
            .set("policyVersion", s(self.policy_version.clone()))
            .set("schemaVersion", s(self.schema_version.clone()))
            .set("runtimeVersion", s(self.runtime_version.clone()))
            .set("runtimeHash", s(self.runtime_hash.to_hex()))
            .set("decision", decision)
            .set("execution_state", s(self.execution_state.clone()))
            .set("signalsHash", s(fp))
            .set("bundleHash", s(self.bundle_hash.to_hex()))
            .set("manifestHash", s(self.manifest_hash.to_hex()))
            .set("releaseManifestHash", s(self.release_manifest_hash.to_hex()))
            .set("evaluatorHash", s(self.evaluator_semantic_hash.to_hex()))
            .set("evaluatorSemanticHash", s(self.evaluator_semantic_hash.to_hex()))
            .set("evaluatorArtifactHash", s(self.evaluator_artifact_hash.to_hex()))
            .set("manifestSignature", s(self.manifest_signature.clone()))
            .set("trustRootVersion", s(self.trust_root_version.to_string()))
            .set("signerKeyId", s(signer_key_id))
            .set("issuedAt", s(self.issued_at.to_rfc3339()))
            .set_opt("outputHash", self.output_hash.map(|h| s(h.to_hex())))
            .set_opt("networkSummaryHash", self.network_summary_hash.map(|h| s(h.to_hex())))
            .set_opt("onchainDomain", domain)
            .build()
    }

    /// Signs directly with a runtime key (and, with an on-chain domain, its secp256k1 runtime key).
    pub fn sign_with_runtime(
        &self,
        key: &Ed25519Signer,
        onchain_key: Option<&Secp256k1Signer>,
    ) -> Result<Value, SignError> {
        let mut obj = self.unsigned(&key.key_id().to_hex());
        sign_single(&mut obj, key);
        if self.onchain_domain.is_some() {
            let k = onchain_key.ok_or(SignError::NoSecp256k1Key)?;
            add_attestation_onchain_signature(&mut obj, k)?;
        }
        Ok(Value::Object(obj))
    }

    /// Signs with per-execution keys derived from the attestor's master secret:
    /// the master Ed25519 key delegates the ephemeral key for this execution's
    /// context over `[not_before, not_after)`, and with an on-chain domain the
    /// master and ephemeral secp256k1 keys add the EIP-712 signatures.
    pub fn sign_delegated(
        &self,
        master: &MasterSecret,
        not_before: Timestamp,
        not_after: Timestamp,
    ) -> Result<Value, SignError> {
        let ctx = self.context_hash();
        let master_ed = master.master_ed25519();
        let eph_ed = master.ephemeral_ed25519(&ctx);
        let onchain = match self.onchain_domain {
            Some(domain) => Some((domain, master.master_secp256k1()?, master.ephemeral_secp256k1(&ctx)?)),
            None => None,
        };
        let mut d = ObjectBuilder::new()
            .set("type", s(DELEGATION_TYPE))
            .set("masterKeyId", s(master_ed.key_id().to_hex()))
            .set("ephemeralPublicKey", s(eph_ed.public_key().to_hex()))
            .set_opt("ephemeralAddress", onchain.as_ref().map(|(_, _, e)| s(e.address().to_checksum())))
            .set("contextHash", s(ctx.to_hex()))
            .set("notBefore", s(not_before.to_rfc3339()))
            .set("notAfter", s(not_after.to_rfc3339()))
            .build();
        sign_single(&mut d, &master_ed);
        if let Some((domain, master_secp, _)) = &onchain {
            let parsed = parse_delegation_value(&Value::Object(d.clone()), "$.delegation")?;
            let digest = eip712::delegation_digest(domain, &onchain_delegation(&parsed).map_err(|_| SignError::Time)?);
            set(&mut d, "onchainSignature", s(master_secp.sign_digest(&digest)?.to_text()));
        }
        let mut obj = self.unsigned(&eph_ed.key_id().to_hex());
        // `delegation` goes before `onchainDomain` for readability.
        let domain = obj.remove("onchainDomain");
        set(&mut obj, "delegation", Value::Object(d));
        if let Some(dv) = domain {
            set(&mut obj, "onchainDomain", dv);
        }
        sign_single(&mut obj, &eph_ed);
        if let Some((_, _, eph_secp)) = &onchain {
            add_attestation_onchain_signature(&mut obj, eph_secp)?;
        }
        Ok(Value::Object(obj))
    }
}

/// Adds the EIP-712 `Attestation` signature of `key` to a signed attestation object.
pub fn add_attestation_onchain_signature(obj: &mut Object, key: &Secp256k1Signer) -> Result<(), SignError> {
    let att = parse_attestation_value(&Value::Object(obj.clone()))?;
    let domain = att.onchain_domain().ok_or(SignError::NoSecp256k1Key)?;
    let digest = eip712::attestation_digest(&domain, &att.onchain_struct().map_err(|_| SignError::Time)?);
    set(obj, "onchainSignature", s(key.sign_digest(&digest)?.to_text()));
    Ok(())
}

/// Re-signs an attestation object with `key` after an edit (test-vector and demo use).
pub fn resign(obj: &mut Object, key: &Ed25519Signer) {
    sign_single(obj, key);
}

/// The signing message of an attestation object (for inspection).
pub fn message_of(obj: &Object) -> Vec<u8> {
    signing_message(EXECUTION_ATTESTATION_TYPE, obj)
}
