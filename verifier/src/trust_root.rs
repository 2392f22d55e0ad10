//! Trust roots `attest.trust-root.v1` (formats.md §1): parsing, anchoring,
//! rotation, thresholds, key windows, revocation, expiry and rollback.
//!
//! Rules, in the order [`verify_trust_root_chain`] applies them:
//!
//! 1. The first document is anchored: at least `rootThreshold` valid
//!    signatures over `M(doc)` from distinct root keys of that document that
//!    the user pinned. A root key counts only if it is an Ed25519 key holding
//!    the `root` role, usable at the document's `issuedAt`, not revoked.
//! 2. Each next document N+1: `version = N.version + 1`,
//!    `previousDigest = digest(N)`, valid signatures from at least
//!    `N.rootThreshold` distinct root keys of N (usable at N+1's `issuedAt`)
//!    AND at least `N+1.rootThreshold` distinct root keys of N+1. Signatures
//!    are counted once per `keyId`; signatures by unknown keys or that do not
//!    verify are not counted.
//! 3. The newest document is used for key lookups. It must be issued at or
//!    before `now` and not expired (`now < expiresAt`), and its version must be
//!    at least the caller's minimum (rollback floor).

use attest_json::Value;

use crate::batch::Pending;
use crate::crypto::StrictVerifyingKey;
use crate::doc::{self, err, join, DocResult, Members, Problem, Signed};
use crate::evidence::VerifyContext;
use crate::reason::Reason;
use crate::registry::Document;
use crate::report::{CheckId, Plan, ReportBuilder, Verified};
use crate::time::Timestamp;
use crate::types::{Ed25519PublicKey, Ed25519Signature, EthAddress, KeyId, Secp256k1PublicKey, Sha256Digest};

/// Document type and signing domain of trust roots.
pub const TRUST_ROOT_TYPE: &str = "attest.trust-root.v1";

/// Key roles (formats.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Role {
    /// Signs trust roots (Ed25519 only).
    Root,
    /// Signs bundle manifests.
    BundleSigning,
    /// Signs attestations directly.
    Runtime,
    /// Delegates per-execution keys.
    AttestorMaster,
    /// Signs runtime heartbeats.
    Heartbeat,
    /// Witnesses checkpoints.
    Witness,
    /// Signs log checkpoints.
    Log,
}

impl Role {
    /// The role name used in documents.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Root => "root",
            Role::BundleSigning => "bundle-signing",
            Role::Runtime => "runtime",
            Role::AttestorMaster => "attestor-master",
            Role::Heartbeat => "heartbeat",
            Role::Witness => "witness",
            Role::Log => "log",
        }
    }

    /// Parses a role name.
    pub fn from_name(s: &str) -> Option<Self> {
        [
            Role::Root,
            Role::BundleSigning,
            Role::Runtime,
            Role::AttestorMaster,
            Role::Heartbeat,
            Role::Witness,
            Role::Log,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// A checked public key of a trust-root entry.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum PublicKey {
    /// Ed25519, decompressed and checked.
    Ed25519(StrictVerifyingKey),
    /// secp256k1 with its Ethereum address.
    Secp256k1 {
        /// Compressed SEC1 key.
        key: Secp256k1PublicKey,
        /// Address derived from the key (the document's `address` must equal it).
        address: EthAddress,
    },
}

impl PublicKey {
    /// `ed25519` or `secp256k1`.
    pub fn algorithm(&self) -> &'static str {
        match self {
            PublicKey::Ed25519(_) => "ed25519",
            PublicKey::Secp256k1 { .. } => "secp256k1",
        }
    }
}

/// One entry of `keys`.
#[derive(Debug, Clone)]
pub struct KeyEntry {
    /// SHA-256 of the raw key bytes.
    pub(crate) key_id: KeyId,
    /// The key.
    pub(crate) public_key: PublicKey,
    /// Roles held.
    pub(crate) roles: Vec<Role>,
    /// Start of validity (inclusive).
    pub(crate) valid_from: Timestamp,
    /// End of validity (exclusive), or open-ended.
    pub(crate) valid_until: Option<Timestamp>,
    /// Revoked keys are refused at every time.
    pub(crate) revoked: bool,
    /// Free-form label.
    pub(crate) label: Option<String>,
    /// The TEE policy its signatures need a verified binding under (`tee.policy`).
    #[cfg(feature = "tee")]
    pub(crate) tee_policy: Option<String>,
}

impl KeyEntry {
    /// SHA-256 of the raw key bytes.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// Roles held.
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// Start of validity (inclusive).
    pub fn valid_from(&self) -> Timestamp {
        self.valid_from
    }

    /// End of validity (exclusive), or open-ended.
    pub fn valid_until(&self) -> Option<Timestamp> {
        self.valid_until
    }

    /// Revoked keys are refused at every time.
    pub fn revoked(&self) -> bool {
        self.revoked
    }

    /// Free-form label.
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    /// The name of the TEE policy (`tee: {"policy": NAME}`): a key with one
    /// signs only with a verified binding (formats.md §11).
    #[cfg(feature = "tee")]
    pub fn tee_policy(&self) -> Option<&str> {
        self.tee_policy.as_deref()
    }

    /// Whether the key is TEE-bound (has a `tee` member).
    #[cfg(feature = "tee")]
    pub fn is_tee_bound(&self) -> bool {
        self.tee_policy.is_some()
    }
}

/// Why a key may not be used for a document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyUseError {
    /// No key with this id in the trust root.
    #[error("key {key_id} is not in the trust root")]
    Unknown {
        /// The key id looked up.
        key_id: KeyId,
    },
    /// The key lacks the role.
    #[error("key {key_id} does not hold the `{}` role", role.as_str())]
    Role {
        /// The key.
        key_id: KeyId,
        /// The role needed.
        role: Role,
    },
    /// Wrong algorithm for the use.
    #[error("key {key_id} is {found}, expected {expected}")]
    Algorithm {
        /// The key.
        key_id: KeyId,
        /// Needed.
        expected: &'static str,
        /// Found.
        found: &'static str,
    },
    /// The key is revoked.
    #[error("key {key_id} is revoked")]
    Revoked {
        /// The key.
        key_id: KeyId,
    },
    /// The time is outside the key's validity window.
    #[error("key {key_id} is not valid at {at} (valid from {from} until {})", until.map_or_else(|| "open".to_string(), |u| u.to_rfc3339()))]
    Window {
        /// The key.
        key_id: KeyId,
        /// The document time.
        at: Timestamp,
        /// Start.
        from: Timestamp,
        /// End (exclusive), or open-ended.
        until: Option<Timestamp>,
    },
}

impl KeyUseError {
    /// The stable reason code.
    pub fn reason(&self) -> Reason {
        match self {
            KeyUseError::Unknown { .. } => Reason::UnknownKey,
            KeyUseError::Role { .. } => Reason::WrongRole,
            KeyUseError::Algorithm { .. } => Reason::WrongAlgorithm,
            KeyUseError::Revoked { .. } => Reason::KeyRevoked,
            KeyUseError::Window { .. } => Reason::KeyWindow,
        }
    }
}

impl KeyEntry {
    /// Whether the key holds `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// A key is usable for a document with time `t` iff it holds the role,
    /// `validFrom ≤ t`, (`validUntil` is null or `t < validUntil`) and it is not revoked.
    pub fn usable(&self, role: Role, t: Timestamp) -> Result<(), KeyUseError> {
        if self.revoked {
            return Err(KeyUseError::Revoked { key_id: self.key_id });
        }
        if !self.has_role(role) {
            return Err(KeyUseError::Role { key_id: self.key_id, role });
        }
        let in_window = self.valid_from <= t && self.valid_until.is_none_or(|u| t < u);
        if !in_window {
            return Err(KeyUseError::Window {
                key_id: self.key_id,
                at: t,
                from: self.valid_from,
                until: self.valid_until,
            });
        }
        Ok(())
    }

    /// The Ed25519 key, if this entry is one.
    pub fn ed25519(&self) -> Option<&StrictVerifyingKey> {
        match &self.public_key {
            PublicKey::Ed25519(k) => Some(k),
            PublicKey::Secp256k1 { .. } => None,
        }
    }

    /// The Ethereum address, if this is a secp256k1 entry.
    pub fn address(&self) -> Option<EthAddress> {
        match &self.public_key {
            PublicKey::Secp256k1 { address, .. } => Some(*address),
            PublicKey::Ed25519(_) => None,
        }
    }
}

/// One entry of `runtimes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeEntry {
    /// Runtime version string.
    pub(crate) runtime_version: String,
    /// Content hash of the runtime.
    pub(crate) runtime_hash: Sha256Digest,
    /// Hash of the release manifest.
    pub(crate) release_manifest_hash: Sha256Digest,
}

impl RuntimeEntry {
    /// Runtime version string.
    pub fn runtime_version(&self) -> &str {
        &self.runtime_version
    }

    /// Content hash of the runtime.
    pub fn runtime_hash(&self) -> Sha256Digest {
        self.runtime_hash
    }

    /// Hash of the release manifest.
    pub fn release_manifest_hash(&self) -> Sha256Digest {
        self.release_manifest_hash
    }
}

/// One entry of `signatures`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureEntry {
    /// Signing key id.
    pub(crate) key_id: KeyId,
    /// Ed25519 signature over `M(root)`.
    pub(crate) signature: Ed25519Signature,
}

impl SignatureEntry {
    /// Signing key id.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// Ed25519 signature over `M(root)`.
    pub fn signature(&self) -> Ed25519Signature {
        self.signature
    }
}

/// A parsed trust root.
#[derive(Debug, Clone)]
pub struct TrustRoot {
    /// Version (≥ 1).
    pub(crate) version: u64,
    /// Issue time.
    pub(crate) issued_at: Timestamp,
    /// Expiry (exclusive).
    pub(crate) expires_at: Timestamp,
    /// Digest of the previous document, or `None` for the first.
    pub(crate) previous_digest: Option<Sha256Digest>,
    /// Root signatures needed (≥ 1).
    pub(crate) root_threshold: u64,
    /// Keys.
    pub(crate) keys: Vec<KeyEntry>,
    /// Runtimes, when listed.
    pub(crate) runtimes: Option<Vec<RuntimeEntry>>,
    /// Signatures.
    pub(crate) signatures: Vec<SignatureEntry>,
    /// TEE policies (`teePolicies`), when listed (not read without the `tee` feature).
    #[cfg(feature = "tee")]
    pub(crate) tee_policies: Vec<crate::tee::TeePolicy>,
    /// Signing message and digest.
    pub(crate) signed: Signed,
}

impl TrustRoot {
    /// Version (≥ 1).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Issue time.
    pub fn issued_at(&self) -> Timestamp {
        self.issued_at
    }

    /// Expiry (exclusive).
    pub fn expires_at(&self) -> Timestamp {
        self.expires_at
    }

    /// Digest of the previous document, or `None` for the first.
    pub fn previous_digest(&self) -> Option<Sha256Digest> {
        self.previous_digest
    }

    /// Root signatures needed (≥ 1).
    pub fn root_threshold(&self) -> u64 {
        self.root_threshold
    }

    /// Keys.
    pub fn keys(&self) -> &[KeyEntry] {
        &self.keys
    }

    /// Runtimes, when listed.
    pub fn runtimes(&self) -> Option<&[RuntimeEntry]> {
        self.runtimes.as_deref()
    }

    /// Signatures.
    pub fn signatures(&self) -> &[SignatureEntry] {
        &self.signatures
    }

    /// TEE policies (`teePolicies`; empty when absent).
    #[cfg(feature = "tee")]
    pub fn tee_policies(&self) -> &[crate::tee::TeePolicy] {
        &self.tee_policies
    }

    /// The TEE policy with this name.
    #[cfg(feature = "tee")]
    pub fn tee_policy(&self, name: &str) -> Option<&crate::tee::TeePolicy> {
        self.tee_policies.iter().find(|p| p.name() == name)
    }

    /// Signing message and digest.
    pub fn signed(&self) -> &Signed {
        &self.signed
    }
}

impl TrustRoot {
    /// `digest(root)`.
    pub fn digest(&self) -> Sha256Digest {
        self.signed.digest()
    }

    /// The key with this id.
    pub fn key(&self, id: &KeyId) -> Option<&KeyEntry> {
        self.keys.iter().find(|k| &k.key_id == id)
    }

    /// Looks up a key and checks it is usable for `role` at `t`.
    pub fn usable_key(&self, id: &KeyId, role: Role, t: Timestamp) -> Result<&KeyEntry, KeyUseError> {
        let k = self.key(id).ok_or(KeyUseError::Unknown { key_id: *id })?;
        k.usable(role, t)?;
        Ok(k)
    }

    /// [`TrustRoot::usable_key`] for an Ed25519 key: the entry and its key, or
    /// `wrong-algorithm` for another algorithm.
    pub fn usable_ed25519(
        &self,
        id: &KeyId,
        role: Role,
        t: Timestamp,
    ) -> Result<(&KeyEntry, &StrictVerifyingKey), KeyUseError> {
        let entry = self.usable_key(id, role, t)?;
        match entry.ed25519() {
            Some(key) => Ok((entry, key)),
            None => {
                Err(KeyUseError::Algorithm { key_id: *id, expected: "ed25519", found: entry.public_key().algorithm() })
            }
        }
    }

    /// The secp256k1 key with this address.
    pub fn key_by_address(&self, address: &EthAddress) -> Option<&KeyEntry> {
        self.keys.iter().find(|k| k.address().as_ref() == Some(address))
    }

    /// Distinct key ids of `self`'s signatures that verify under root keys of
    /// `signer` usable at `self.issued_at`, optionally restricted to pinned keys.
    pub fn root_signers(&self, signer: &TrustRoot, pinned: Option<&[Ed25519PublicKey]>) -> Vec<KeyId> {
        let mut counted: Vec<KeyId> = Vec::new();
        for s in &self.signatures {
            if counted.contains(&s.key_id) {
                continue;
            }
            let Ok(entry) = signer.usable_key(&s.key_id, Role::Root, self.issued_at) else {
                continue;
            };
            let Some(key) = entry.ed25519() else { continue };
            if pinned.is_some_and(|p| !p.contains(key.public_key())) {
                continue;
            }
            if key.verify(self.signed.message(), &s.signature) {
                counted.push(s.key_id);
            }
        }
        counted
    }
}

const TRUST_ROOT_MEMBERS: &[&str] = &[
    "type",
    "version",
    "issuedAt",
    "expiresAt",
    "previousDigest",
    "rootThreshold",
    "keys",
    "runtimes",
    // TEE-bound keys (docs/spec.md §13) only with the `tee` feature: the core
    // WASM module, whose size budget has no room for them, refuses a trust
    // root that uses them (`unknown-member`; the TEE module reads them).
    #[cfg(feature = "tee")]
    "teePolicies",
    "signatures",
];
const KEY_MEMBERS: &[&str] = &[
    "keyId",
    "algorithm",
    "publicKey",
    "address",
    "roles",
    "validFrom",
    "validUntil",
    "revoked",
    "label",
    #[cfg(feature = "tee")]
    "tee",
];

/// Parses a trust root from bytes.
pub fn parse_trust_root(bytes: &[u8]) -> DocResult<TrustRoot> {
    parse_trust_root_value(&doc::parse_json(bytes)?)
}

/// Parses a trust root from a JSON value.
pub fn parse_trust_root_value(v: &Value) -> DocResult<TrustRoot> {
    let m = Members::of(v, "$")?;
    m.expect_type(TRUST_ROOT_TYPE)?;
    m.only(TRUST_ROOT_MEMBERS)?;
    let version = m.uint("version")?;
    if version == 0 {
        return err(m.path("version"), Problem::BelowMinimum { min: 1 });
    }
    let issued_at = m.time("issuedAt")?;
    let expires_at = m.time("expiresAt")?;
    if expires_at <= issued_at {
        return err(m.path("expiresAt"), Problem::NotAfter { earlier: "issuedAt" });
    }
    // Absent and null both mean "first document of a chain".
    let previous_digest = match m.opt("previousDigest") {
        None | Some(Value::Null) => None,
        Some(_) => Some(m.digest("previousDigest")?),
    };
    let root_threshold = m.uint("rootThreshold")?;
    if root_threshold < 1 {
        return err(m.path("rootThreshold"), Problem::BelowMinimum { min: 1 });
    }
    let mut keys: Vec<KeyEntry> = Vec::new();
    let keys_path = m.path("keys");
    for (i, kv) in m.array("keys")?.iter().enumerate() {
        let p = format!("{keys_path}[{i}]");
        let entry = parse_key(kv, &p)?;
        if keys.iter().any(|k| k.key_id == entry.key_id) {
            return err(join(&p, "keyId"), Problem::Duplicate { what: "keyId" });
        }
        keys.push(entry);
    }
    let root_keys = keys.iter().filter(|k| k.has_role(Role::Root)).count() as u64;
    if root_keys < root_threshold {
        return err(m.path("rootThreshold"), Problem::Rule("rootThreshold exceeds the number of root keys listed"));
    }
    let runtimes = match m.opt("runtimes") {
        None => None,
        Some(_) => {
            let rp = m.path("runtimes");
            let mut out = Vec::new();
            for (i, rv) in m.array("runtimes")?.iter().enumerate() {
                let p = format!("{rp}[{i}]");
                let r = Members::of(rv, &p)?;
                r.only(&["runtimeVersion", "runtimeHash", "releaseManifestHash"])?;
                out.push(RuntimeEntry {
                    runtime_version: r.text("runtimeVersion")?.to_string(),
                    runtime_hash: r.digest("runtimeHash")?,
                    release_manifest_hash: r.digest("releaseManifestHash")?,
                });
            }
            Some(out)
        }
    };
    // `teePolicies` (formats.md §11): optional, names unique; every key's
    // `tee.policy` names one of them (only with the `tee` feature; without
    // it both members are unknown and the trust root is refused).
    #[cfg(feature = "tee")]
    let tee_policies = parse_tee_policies(&m, &keys, &keys_path)?;
    let signatures = parse_signature_entries(&m, "signatures")?;
    let Value::Object(obj) = v else {
        return err("$", Problem::JsonType { expected: "an object" });
    };
    Ok(TrustRoot {
        version,
        issued_at,
        expires_at,
        previous_digest,
        root_threshold,
        keys,
        runtimes,
        signatures,
        #[cfg(feature = "tee")]
        tee_policies,
        signed: Signed::of(TRUST_ROOT_TYPE, obj),
    })
}

#[cfg(feature = "tee")]
fn parse_tee_policies(m: &Members<'_>, keys: &[KeyEntry], keys_path: &str) -> DocResult<Vec<crate::tee::TeePolicy>> {
    let mut tee_policies: Vec<crate::tee::TeePolicy> = Vec::new();
    if m.opt("teePolicies").is_some() {
        let tp = m.path("teePolicies");
        for (i, pv) in m.array("teePolicies")?.iter().enumerate() {
            let p = format!("{tp}[{i}]");
            let policy = crate::tee::parse_policy(pv, &p)?;
            if tee_policies.iter().any(|q| q.name() == policy.name()) {
                return err(join(&p, "name"), Problem::Duplicate { what: "TEE policy name" });
            }
            tee_policies.push(policy);
        }
    }
    for (i, k) in keys.iter().enumerate() {
        if let Some(name) = &k.tee_policy {
            if !tee_policies.iter().any(|q| q.name() == name) {
                return err(
                    format!("{keys_path}[{i}].tee.policy"),
                    Problem::UnknownValue { found: name.clone(), expected: "the name of one of teePolicies" },
                );
            }
        }
    }
    Ok(tee_policies)
}

fn parse_key(v: &Value, path: &str) -> DocResult<KeyEntry> {
    let k = Members::of(v, path)?;
    k.only(KEY_MEMBERS)?;
    let key_id = k.parse_str("keyId", KeyId::from_hex)?;
    let algorithm = k.str("algorithm")?;
    let public_key = match algorithm {
        "ed25519" => {
            if k.opt("address").is_some() {
                return err(k.path("address"), Problem::Rule("only secp256k1 keys have an address"));
            }
            let raw = k.parse_str("publicKey", Ed25519PublicKey::from_hex)?;
            let key = StrictVerifyingKey::new(raw)
                .map_err(|e| doc::DocumentError::Member { path: k.path("publicKey"), problem: Problem::Key(e) })?;
            PublicKey::Ed25519(key)
        }
        "secp256k1" => {
            let key = k.parse_str("publicKey", Secp256k1PublicKey::from_hex)?;
            let derived = crate::secp256k1::address_of(&key)
                .map_err(|e| doc::DocumentError::Member { path: k.path("publicKey"), problem: e.into() })?;
            let address = k.parse_str("address", EthAddress::from_checksummed)?;
            if address != derived {
                return err(k.path("address"), Problem::AddressMismatch { expected: derived });
            }
            PublicKey::Secp256k1 { key, address }
        }
        other => {
            return err(
                k.path("algorithm"),
                Problem::UnknownValue { found: other.to_string(), expected: "ed25519 or secp256k1" },
            )
        }
    };
    let raw: &[u8] = match &public_key {
        PublicKey::Ed25519(key) => key.public_key().as_bytes(),
        PublicKey::Secp256k1 { key, .. } => key.as_bytes(),
    };
    if KeyId::of_key_bytes(raw) != key_id {
        return err(k.path("keyId"), Problem::KeyIdMismatch);
    }
    let rp = k.path("roles");
    let mut roles = Vec::new();
    for (i, r) in k.array("roles")?.iter().enumerate() {
        let Value::String(name) = r else {
            return err(format!("{rp}[{i}]"), Problem::JsonType { expected: "a role name" });
        };
        let role = Role::from_name(name).ok_or_else(|| doc::DocumentError::Member {
            path: format!("{rp}[{i}]"),
            problem: Problem::UnknownValue { found: name.clone(), expected: "a role of formats.md §1" },
        })?;
        if roles.contains(&role) {
            return err(format!("{rp}[{i}]"), Problem::Duplicate { what: "role" });
        }
        if role == Role::Root && !matches!(public_key, PublicKey::Ed25519(_)) {
            return err(format!("{rp}[{i}]"), Problem::Rule("the root role is for Ed25519 keys only"));
        }
        roles.push(role);
    }
    if roles.is_empty() {
        return err(rp, Problem::EmptyList { what: "role" });
    }
    let valid_from = k.time("validFrom")?;
    // `validUntil` absent or null: open-ended.
    let valid_until = if k.opt("validUntil").is_some() { k.time_or_null("validUntil")? } else { None };
    if valid_until.is_some_and(|u| u <= valid_from) {
        return err(k.path("validUntil"), Problem::NotAfter { earlier: "validFrom" });
    }
    let label = k.opt_str("label")?.map(str::to_string);
    #[cfg(feature = "tee")]
    let tee_policy = match k.opt("tee") {
        None => None,
        Some(tv) => {
            let tp = k.path("tee");
            let t = Members::of(tv, &tp)?;
            t.only(&["policy"])?;
            Some(t.text("policy")?.to_string())
        }
    };

    Ok(KeyEntry {
        key_id,
        public_key,
        roles,
        valid_from,
        valid_until,
        revoked: if k.opt("revoked").is_some() { k.bool("revoked")? } else { false },
        label,
        #[cfg(feature = "tee")]
        tee_policy,
    })
}

/// A non-empty list of `{keyId, signature}` (trust roots; fork-evidence reporters).
pub(crate) fn parse_signature_entries(m: &Members<'_>, key: &str) -> DocResult<Vec<SignatureEntry>> {
    let sp = m.path(key);
    let mut signatures = Vec::new();
    for (i, sv) in m.array(key)?.iter().enumerate() {
        let p = format!("{sp}[{i}]");
        let s = Members::of(sv, &p)?;
        s.only(&["keyId", "signature"])?;
        signatures.push(SignatureEntry {
            key_id: s.parse_str("keyId", KeyId::from_hex)?,
            signature: s.parse_str("signature", Ed25519Signature::from_base64)?,
        });
    }
    if signatures.is_empty() {
        return err(sp, Problem::EmptyList { what: "signature" });
    }
    Ok(signatures)
}

/// Options of chain verification.
#[derive(Debug, Clone, Copy)]
pub struct ChainOptions {
    /// Verification time (the verifier reads no clock).
    pub now: Timestamp,
    /// Refuse a newest trust root older than this version.
    pub min_version: Option<u64>,
}

/// Why a trust-root chain is not trusted. `index` is the position in the chain as given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustRootError {
    /// No trust root given.
    #[error("no trust root given")]
    Empty,
    /// No pinned root key given.
    #[error("no pinned root key given")]
    NoPinnedKeys,
    /// A document could not be read.
    #[error("trust root {name}: {error}")]
    Document {
        /// Position in the chain.
        index: usize,
        /// The document's name (a file name, `trustRoots[i]`, or `#i`).
        name: String,
        /// The problem.
        error: doc::DocumentError,
    },
    /// The first document lacks enough pinned root signatures.
    #[error("trust root #{index} (version {version}) is not anchored: {found} valid signature(s) from pinned root keys, {threshold} required")]
    NotAnchored {
        /// Position.
        index: usize,
        /// Its version.
        version: u64,
        /// Valid pinned root signatures counted.
        found: usize,
        /// `rootThreshold`.
        threshold: u64,
    },
    /// Version is not the previous plus one.
    #[error("trust root #{index}: version {found} does not follow version {previous}")]
    Version {
        /// Position.
        index: usize,
        /// Previous version.
        previous: u64,
        /// Version found.
        found: u64,
    },
    /// `previousDigest` does not name the previous document.
    #[error("trust root #{index}: previousDigest {found} is not the digest {expected} of the previous trust root")]
    PreviousDigest {
        /// Position.
        index: usize,
        /// digest(previous).
        expected: Sha256Digest,
        /// Value found (or "null").
        found: String,
    },
    /// Too few signatures from the previous document's root keys.
    #[error("trust root #{index} (version {version}): {found} valid signature(s) from root keys of version {previous}, its rootThreshold {threshold} required")]
    OldThreshold {
        /// Position.
        index: usize,
        /// Version of the new document.
        version: u64,
        /// Version of the previous document.
        previous: u64,
        /// Counted.
        found: usize,
        /// Needed.
        threshold: u64,
    },
    /// Too few signatures from the new document's own root keys.
    #[error("trust root #{index} (version {version}): {found} valid signature(s) from its own root keys, rootThreshold {threshold} required")]
    NewThreshold {
        /// Position.
        index: usize,
        /// Version.
        version: u64,
        /// Counted.
        found: usize,
        /// Needed.
        threshold: u64,
    },
    /// The newest document is expired.
    #[error("trust root version {version} expired at {expires_at} (verification time {now})")]
    Expired {
        /// Version.
        version: u64,
        /// Expiry.
        expires_at: Timestamp,
        /// Verification time.
        now: Timestamp,
    },
    /// The newest version is below the rollback floor.
    #[error("newest trust root version {version} is below the minimum {min} (rollback refused)")]
    Rollback {
        /// Newest version.
        version: u64,
        /// Floor.
        min: u64,
    },
}

impl TrustRootError {
    /// The stable reason code.
    pub fn reason(&self) -> Reason {
        match self {
            TrustRootError::Empty => Reason::NoTrustRoot,
            TrustRootError::NoPinnedKeys => Reason::NoPinnedKey,
            TrustRootError::Document { error, .. } => error.reason(),
            TrustRootError::NotAnchored { .. } => Reason::NotAnchored,
            TrustRootError::Version { .. } => Reason::VersionSequence,
            TrustRootError::PreviousDigest { .. } => Reason::PreviousDigest,
            TrustRootError::OldThreshold { .. } => Reason::RotationThreshold,
            TrustRootError::NewThreshold { .. } => Reason::Threshold,
            TrustRootError::Expired { .. } => Reason::Expired,
            TrustRootError::Rollback { .. } => Reason::Rollback,
        }
    }
}

/// A verified chain; the newest document is used for key lookups.
#[derive(Debug, Clone)]
pub struct TrustRootChain {
    /// Older documents, oldest first.
    older: Vec<TrustRoot>,
    /// The newest (the chain is never empty).
    newest: TrustRoot,
    docs_len: usize,
}

impl TrustRootChain {
    /// The newest verified document.
    pub fn newest(&self) -> &TrustRoot {
        &self.newest
    }
    /// The documents older than the newest, oldest first.
    pub fn older(&self) -> &[TrustRoot] {
        &self.older
    }

    /// Number of documents in the chain.
    pub fn len(&self) -> usize {
        self.docs_len
    }

    /// Always false: a verified chain has at least one document.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// Verifies a chain given oldest first against pinned root keys.
pub fn verify_trust_root_chain(
    docs: Vec<TrustRoot>,
    pinned: &[Ed25519PublicKey],
    opts: &ChainOptions,
) -> Result<Verified<TrustRootChain>, TrustRootError> {
    let Some(first) = docs.first() else {
        return Err(TrustRootError::Empty);
    };
    if pinned.is_empty() {
        return Err(TrustRootError::NoPinnedKeys);
    }
    let anchored = first.root_signers(first, Some(pinned)).len();
    if (anchored as u64) < first.root_threshold {
        return Err(TrustRootError::NotAnchored {
            index: 0,
            version: first.version,
            found: anchored,
            threshold: first.root_threshold,
        });
    }
    for (i, (prev, next)) in docs.iter().zip(docs.iter().skip(1)).enumerate() {
        let index = i + 1;
        if prev.version.checked_add(1) != Some(next.version) {
            return Err(TrustRootError::Version { index, previous: prev.version, found: next.version });
        }
        if next.previous_digest != Some(prev.digest()) {
            return Err(TrustRootError::PreviousDigest {
                index,
                expected: prev.digest(),
                found: next.previous_digest.map_or_else(|| "null".to_string(), |d| d.to_hex()),
            });
        }
        let old = next.root_signers(prev, None).len();
        if (old as u64) < prev.root_threshold {
            return Err(TrustRootError::OldThreshold {
                index,
                version: next.version,
                previous: prev.version,
                found: old,
                threshold: prev.root_threshold,
            });
        }
        let new = next.root_signers(next, None).len();
        if (new as u64) < next.root_threshold {
            return Err(TrustRootError::NewThreshold {
                index,
                version: next.version,
                found: new,
                threshold: next.root_threshold,
            });
        }
    }
    let docs_len = docs.len();
    let mut older = docs;
    let Some(newest) = older.pop() else {
        return Err(TrustRootError::Empty);
    };
    // Only expiry is checked against `now` (formats.md §1): a trust root issued
    // "after" a slow clock is not refused.
    if opts.now >= newest.expires_at {
        return Err(TrustRootError::Expired { version: newest.version, expires_at: newest.expires_at, now: opts.now });
    }
    if let Some(min) = opts.min_version {
        if newest.version < min {
            return Err(TrustRootError::Rollback { version: newest.version, min });
        }
    }
    Ok(Verified::new(TrustRootChain { older, newest, docs_len }))
}

/// The trust evaluation shared by many verifications: a verified chain or why not.
pub type TrustOutcome = Result<Verified<TrustRootChain>, TrustRootError>;

/// Parses each document and verifies the chain; a bad document is named `#index`.
pub fn verify_trust_root_chain_bytes(docs: &[&[u8]], pinned: &[Ed25519PublicKey], opts: &ChainOptions) -> TrustOutcome {
    let names: Vec<String> = (0..docs.len()).map(|i| format!("#{i}")).collect();
    let named: Vec<(&str, &[u8])> = names.iter().map(String::as_str).zip(docs.iter().copied()).collect();
    verify_trust_root_chain_named(&named, pinned, opts)
}

/// Parses each `(name, bytes)` document and verifies the chain; a document
/// that cannot be read is named in the error.
pub fn verify_trust_root_chain_named(
    docs: &[(&str, &[u8])],
    pinned: &[Ed25519PublicKey],
    opts: &ChainOptions,
) -> TrustOutcome {
    let mut parsed = Vec::with_capacity(docs.len());
    for (index, (name, bytes)) in docs.iter().enumerate() {
        parsed.push(parse_trust_root(bytes).map_err(|error| TrustRootError::Document {
            index,
            name: (*name).to_string(),
            error,
        })?);
    }
    verify_trust_root_chain(parsed, pinned, opts)
}

/// Parses a pinned root-key file: one lowercase hex Ed25519 key per line.
/// Blank lines and lines starting with `#` are ignored.
pub fn parse_root_keys(text: &str) -> Result<Vec<Ed25519PublicKey>, (usize, crate::types::EncodingError)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        out.push(Ed25519PublicKey::from_hex(line).map_err(|e| (i + 1, e))?);
    }
    Ok(out)
}

/// Checks of a trust-root document verified on its own (as the last link of the chain).
pub const TRUST_ROOT_PLAN: Plan =
    Plan { doc_type: TRUST_ROOT_TYPE, checks: &[(CheckId::Parse, true), (CheckId::TrustRoot, true)] };

/// The registry entry's verification of a trust-root subject: `ctx.trust` is
/// the chain that ends with it ([`crate::chain_for_subject`]).
pub(crate) fn verify_value(value: &Value, ctx: &VerifyContext<'_>) -> Pending {
    let mut r = ReportBuilder::new(TRUST_ROOT_PLAN);
    let root = match parse_trust_root_value(value) {
        Ok(t) => t,
        Err(e) => return Pending::from_document_error(r, &e),
    };
    r.digest(root.digest());
    r.pass(CheckId::Parse, format!("well-formed {TRUST_ROOT_TYPE} version {}", root.version));
    match ctx.trust {
        Ok(chain) if chain.newest().digest() == root.digest() => r.pass(
            CheckId::TrustRoot,
            format!("version {} is anchored through a chain of {} and not expired", root.version, chain.len()),
        ),
        Ok(chain) => r.fail(
            CheckId::TrustRoot,
            Reason::NotInChain,
            format!(
                "this document is not the newest of the verified chain (newest is version {})",
                chain.newest().version
            ),
        ),
        Err(e) => r.fail(CheckId::TrustRoot, e.reason(), e.to_string()),
    }
    Pending::new(r, Some(Document::TrustRoot(root)), None)
}
