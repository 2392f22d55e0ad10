//! Per-execution key delegations `attest.delegation.v1` (formats.md §4).
//!
//! ```text
//! contextHash = SHA-256(JCS({executionId, policyId, policyVersion, runtimeHash}))   values from the attestation
//! signature   = Ed25519(master attestor-master key, M(delegation))
//! onchainSignature = EIP-712 Delegation(ephemeral, contextHash, notBefore, notAfter) by the master secp256k1 key
//! ```
//!
//! Checks (the `delegation` check id): the master key is an Ed25519
//! `attestor-master` key usable at the attestation's `issuedAt`; the
//! delegation signature verifies; `contextHash` recomputes from the
//! attestation; `notBefore ≤ issuedAt < notAfter`. The attestation's
//! `signerKeyId` must be the key id of `ephemeralPublicKey` (`signer` check).

use attest_json::{Object, Value};

use crate::crypto::{sha256, StrictVerifyingKey};
use crate::doc::{err, DocResult, DocumentError, Members, Problem, Signed};
use crate::reason::Reason;
use crate::time::Timestamp;
use crate::trust_root::{KeyUseError, Role, TrustRoot};
use crate::types::{Ed25519PublicKey, Ed25519Signature, EthAddress, KeyId, Sha256Digest};

/// Document type and signing domain of delegations.
pub const DELEGATION_TYPE: &str = "attest.delegation.v1";

/// A parsed delegation.
#[derive(Debug, Clone)]
pub struct Delegation {
    /// The delegating Ed25519 `attestor-master` key.
    pub(crate) master_key_id: KeyId,
    /// The per-execution Ed25519 key.
    pub(crate) ephemeral_public_key: Ed25519PublicKey,
    /// The per-execution secp256k1 address, when on-chain signatures are used.
    pub(crate) ephemeral_address: Option<EthAddress>,
    /// The execution context bound.
    pub(crate) context_hash: Sha256Digest,
    /// Start of the window (inclusive).
    pub(crate) not_before: Timestamp,
    /// End of the window (exclusive).
    pub(crate) not_after: Timestamp,
    /// Master signature (text as in the document; decoded by the check).
    pub(crate) signature: String,
    /// Master EIP-712 signature text, when present.
    pub(crate) onchain_signature: Option<String>,
    /// Signing message and digest.
    pub(crate) signed: Signed,
}

impl Delegation {
    /// The delegating Ed25519 `attestor-master` key.
    pub fn master_key_id(&self) -> KeyId {
        self.master_key_id
    }

    /// The per-execution Ed25519 key.
    pub fn ephemeral_public_key(&self) -> Ed25519PublicKey {
        self.ephemeral_public_key
    }

    /// The per-execution secp256k1 address, when on-chain signatures are used.
    pub fn ephemeral_address(&self) -> Option<EthAddress> {
        self.ephemeral_address
    }

    /// The execution context bound.
    pub fn context_hash(&self) -> Sha256Digest {
        self.context_hash
    }

    /// Start of the window (inclusive).
    pub fn not_before(&self) -> Timestamp {
        self.not_before
    }

    /// End of the window (exclusive).
    pub fn not_after(&self) -> Timestamp {
        self.not_after
    }

    /// Master signature (text as in the document; decoded by the check).
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// Master EIP-712 signature text, when present.
    pub fn onchain_signature(&self) -> Option<&str> {
        self.onchain_signature.as_deref()
    }

    /// Signing message and digest.
    pub fn signed(&self) -> &Signed {
        &self.signed
    }
}

const DELEGATION_MEMBERS: &[&str] = &[
    "type",
    "masterKeyId",
    "ephemeralPublicKey",
    "ephemeralAddress",
    "contextHash",
    "notBefore",
    "notAfter",
    "signature",
    "onchainSignature",
];

/// Parses a delegation object found at `path`.
pub fn parse_delegation_value(v: &Value, path: &str) -> DocResult<Delegation> {
    let m = Members::of(v, path)?;
    m.expect_type(DELEGATION_TYPE)?;
    m.only(DELEGATION_MEMBERS)?;
    let not_before = m.time("notBefore")?;
    let not_after = m.time("notAfter")?;
    // notAfter ≤ notBefore is well-formed but an empty window: no issuedAt
    // satisfies notBefore ≤ issuedAt < notAfter, so the `delegation` check
    // refuses it (`delegation-window`, formats.md §4), not `parse`.
    let Value::Object(obj) = v else {
        return err(path, Problem::JsonType { expected: "an object" });
    };
    Ok(Delegation {
        master_key_id: m.parse_str("masterKeyId", KeyId::from_hex)?,
        ephemeral_public_key: m.parse_str("ephemeralPublicKey", Ed25519PublicKey::from_hex)?,
        ephemeral_address: m.opt_parse_str("ephemeralAddress", EthAddress::from_checksummed)?,
        context_hash: m.digest("contextHash")?,
        not_before,
        not_after,
        signature: m.str("signature")?.to_string(),
        onchain_signature: m.opt_str("onchainSignature")?.map(str::to_string),
        signed: Signed::of(DELEGATION_TYPE, obj),
    })
}

/// `contextHash = SHA-256(JCS({executionId, policyId, policyVersion, runtimeHash}))`.
pub fn context_hash(
    execution_id: &str,
    policy_id: &str,
    policy_version: &str,
    runtime_hash: &Sha256Digest,
) -> Sha256Digest {
    let mut o = Object::new();
    // Keys are distinct literals: insertion cannot fail.
    let _ = o.insert("executionId".into(), Value::String(execution_id.into()));
    let _ = o.insert("policyId".into(), Value::String(policy_id.into()));
    let _ = o.insert("policyVersion".into(), Value::String(policy_version.into()));
    let _ = o.insert("runtimeHash".into(), Value::String(runtime_hash.to_hex()));
    sha256(&attest_json::to_canonical_vec(&Value::Object(o)))
}

/// Why a delegation is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DelegationError {
    /// The master key is not usable.
    #[error("master key: {0}")]
    Master(KeyUseError),
    /// The master is not Ed25519.
    #[error("master key {0} is not an Ed25519 key")]
    MasterAlgorithm(KeyId),
    /// Malformed master signature.
    #[error("delegation signature is not canonical base64 of 64 bytes")]
    SignatureEncoding,
    /// The master signature does not verify.
    #[error("delegation signature does not verify under master key {0}")]
    Signature(KeyId),
    /// The context hash does not bind this attestation.
    #[error("contextHash {stated} does not match {computed} recomputed from the attestation")]
    Context {
        /// In the delegation.
        stated: Sha256Digest,
        /// Recomputed.
        computed: Sha256Digest,
    },
    /// `issuedAt` is outside `[notBefore, notAfter)`.
    #[error("attestation issuedAt {issued_at} is outside the delegation window [{not_before}, {not_after})")]
    Window {
        /// The attestation time.
        issued_at: Timestamp,
        /// Start.
        not_before: Timestamp,
        /// End.
        not_after: Timestamp,
    },
}

impl DelegationError {
    /// Stable reason code, mirrored by the contract's custom errors.
    pub fn reason(&self) -> Reason {
        match self {
            DelegationError::Master(KeyUseError::Unknown { .. } | KeyUseError::Role { .. }) => Reason::MasterUntrusted,
            DelegationError::Master(KeyUseError::Revoked { .. }) => Reason::MasterRevoked,
            DelegationError::Master(KeyUseError::Window { .. }) => Reason::MasterWindow,
            DelegationError::Master(_) | DelegationError::MasterAlgorithm(_) => Reason::MasterUntrusted,
            DelegationError::SignatureEncoding => Reason::SignatureEncoding,
            DelegationError::Signature(_) => Reason::BadSignature,
            DelegationError::Context { .. } => Reason::ContextMismatch,
            DelegationError::Window { .. } => Reason::DelegationWindow,
        }
    }
}

/// Checks a delegation for an attestation with the given context and time.
pub fn check_delegation(
    d: &Delegation,
    root: &TrustRoot,
    computed_context: &Sha256Digest,
    issued_at: Timestamp,
) -> Result<(), DelegationError> {
    let master = root.usable_key(&d.master_key_id, Role::AttestorMaster, issued_at).map_err(DelegationError::Master)?;
    let key = master.ed25519().ok_or(DelegationError::MasterAlgorithm(d.master_key_id))?;
    let sig = Ed25519Signature::from_base64(&d.signature).map_err(|_| DelegationError::SignatureEncoding)?;
    if !key.verify(d.signed.message(), &sig) {
        return Err(DelegationError::Signature(d.master_key_id));
    }
    if &d.context_hash != computed_context {
        return Err(DelegationError::Context { stated: d.context_hash, computed: *computed_context });
    }
    if !(d.not_before <= issued_at && issued_at < d.not_after) {
        return Err(DelegationError::Window { issued_at, not_before: d.not_before, not_after: d.not_after });
    }
    Ok(())
}

/// The ephemeral key as a strict verifying key.
pub fn ephemeral_key(d: &Delegation) -> Result<StrictVerifyingKey, DocumentError> {
    StrictVerifyingKey::new(d.ephemeral_public_key)
        .map_err(|e| DocumentError::Member { path: "$.delegation.ephemeralPublicKey".into(), problem: Problem::Key(e) })
}
