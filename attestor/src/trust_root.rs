//! Building trust roots: create, add or revoke keys, rotate (docs/spec.md §1).
//!
//! Every change after the first document is a rotation: the next document
//! has `version + 1`, `previousDigest = digest(previous)` and must be signed
//! by enough root keys of the previous document AND of itself.

use attest_json::{Object, Value};
use attest_verifier::doc::document_digest;
use attest_verifier::trust_root::{Role, TRUST_ROOT_TYPE};
use attest_verifier::types::Sha256Digest;
use attest_verifier::Timestamp;

use crate::json::{int, s, set, ObjectBuilder};
use crate::keys::{Ed25519Signer, Secp256k1Signer};
use crate::sign::sign_multi;

/// Why a trust-root edit is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustRootEditError {
    /// The previous document is not a trust root object.
    #[error("not a trust root document: {0}")]
    NotATrustRoot(String),
    /// The key is already listed.
    #[error("key {0} is already in the trust root")]
    DuplicateKey(String),
    /// The key is not listed.
    #[error("no key with keyId {0} in the trust root")]
    UnknownKey(String),
    /// A TEE policy of this name is already listed.
    #[error("a TEE policy named {0:?} is already in the trust root")]
    DuplicatePolicy(String),
}

/// A public key to list.
#[derive(Debug, Clone)]
pub enum KeyMaterial {
    /// Ed25519 public key.
    Ed25519(attest_verifier::types::Ed25519PublicKey),
    /// secp256k1 public key with its address.
    Secp256k1(attest_verifier::types::Secp256k1PublicKey, attest_verifier::types::EthAddress),
}

impl KeyMaterial {
    /// From an Ed25519 signer.
    pub fn ed25519(k: &Ed25519Signer) -> Self {
        Self::Ed25519(k.public_key())
    }
    /// From a secp256k1 signer.
    pub fn secp256k1(k: &Secp256k1Signer) -> Self {
        Self::Secp256k1(k.public_key(), k.address())
    }
}

/// A key entry to add.
#[derive(Debug, Clone)]
pub struct KeySpec {
    /// The key.
    pub key: KeyMaterial,
    /// Roles.
    pub roles: Vec<Role>,
    /// Validity start.
    pub valid_from: Timestamp,
    /// Validity end (exclusive).
    pub valid_until: Option<Timestamp>,
    /// Label.
    pub label: Option<String>,
}

impl KeySpec {
    /// The entry as JSON.
    pub fn to_value(&self) -> Value {
        let mut b = ObjectBuilder::new();
        b = match &self.key {
            KeyMaterial::Ed25519(k) => {
                b.set("keyId", s(k.key_id().to_hex())).set("algorithm", s("ed25519")).set("publicKey", s(k.to_hex()))
            }
            KeyMaterial::Secp256k1(k, a) => b
                .set("keyId", s(k.key_id().to_hex()))
                .set("algorithm", s("secp256k1"))
                .set("publicKey", s(k.to_hex()))
                .set("address", s(a.to_checksum())),
        };
        b.set("roles", Value::Array(self.roles.iter().map(|r| s(r.as_str())).collect()))
            .set("validFrom", s(self.valid_from.to_rfc3339()))
            .set("validUntil", self.valid_until.map_or(Value::Null, |u| s(u.to_rfc3339())))
            .set("revoked", Value::Bool(false))
            .set_opt("label", self.label.clone().map(s))
            .value()
    }
}

/// A runtime entry.
#[derive(Debug, Clone)]
pub struct RuntimeSpec {
    /// Version.
    pub runtime_version: String,
    /// Hash.
    pub runtime_hash: Sha256Digest,
    /// Release manifest hash.
    pub release_manifest_hash: Sha256Digest,
}

impl RuntimeSpec {
    fn to_value(&self) -> Value {
        ObjectBuilder::new()
            .set("runtimeVersion", s(self.runtime_version.clone()))
            .set("runtimeHash", s(self.runtime_hash.to_hex()))
            .set("releaseManifestHash", s(self.release_manifest_hash.to_hex()))
            .value()
    }
}

/// An unsigned trust root being built.
#[derive(Debug, Clone)]
pub struct TrustRootDraft {
    obj: Object,
}

impl TrustRootDraft {
    /// The first document of a chain (version 1, previousDigest null).
    pub fn first(issued_at: Timestamp, expires_at: Timestamp, root_threshold: u64) -> Self {
        let obj = ObjectBuilder::new()
            .set("type", s(TRUST_ROOT_TYPE))
            .set("version", int(1))
            .set("issuedAt", s(issued_at.to_rfc3339()))
            .set("expiresAt", s(expires_at.to_rfc3339()))
            .set("previousDigest", Value::Null)
            .set("rootThreshold", int(root_threshold))
            .set("keys", Value::Array(Vec::new()))
            .build();
        Self { obj }
    }

    /// The next document after `previous` (a trust-root object): same keys and
    /// runtimes, `version + 1`, `previousDigest = digest(previous)`, new times.
    pub fn next_of(previous: &Value, issued_at: Timestamp, expires_at: Timestamp) -> Result<Self, TrustRootEditError> {
        let Value::Object(prev) = previous else {
            return Err(TrustRootEditError::NotATrustRoot("not an object".into()));
        };
        if prev.get("type").and_then(Value::as_str) != Some(TRUST_ROOT_TYPE) {
            return Err(TrustRootEditError::NotATrustRoot("wrong type".into()));
        }
        let version = prev
            .get("version")
            .and_then(Value::as_i64)
            .ok_or_else(|| TrustRootEditError::NotATrustRoot("no integer version".into()))?;
        let mut obj = prev.clone();
        obj.remove("signatures");
        set(&mut obj, "version", int(version as u64 + 1));
        set(&mut obj, "issuedAt", s(issued_at.to_rfc3339()));
        set(&mut obj, "expiresAt", s(expires_at.to_rfc3339()));
        set(&mut obj, "previousDigest", s(document_digest(TRUST_ROOT_TYPE, prev).to_hex()));
        Ok(Self { obj })
    }

    fn with_keys<R>(&mut self, f: impl FnOnce(&mut Vec<Value>) -> R) -> R {
        if let Some(Value::Array(a)) = self.obj.get_mut("keys") {
            return f(a);
        }
        let mut a = Vec::new();
        let r = f(&mut a);
        set(&mut self.obj, "keys", Value::Array(a));
        r
    }

    /// Adds a key.
    pub fn add_key(&mut self, spec: &KeySpec) -> Result<&mut Self, TrustRootEditError> {
        let v = spec.to_value();
        let id = key_id_of(&v);
        self.with_keys(|keys| {
            if keys.iter().any(|k| key_id_of(k) == id) {
                return Err(TrustRootEditError::DuplicateKey(id));
            }
            keys.push(v);
            Ok(())
        })?;
        Ok(self)
    }

    /// Marks a key revoked (it stays listed so that it is refused at every time).
    pub fn revoke_key(&mut self, key_id: &str) -> Result<&mut Self, TrustRootEditError> {
        self.with_keys(|keys| match keys.iter_mut().find(|k| key_id_of(k) == key_id) {
            Some(Value::Object(o)) => {
                set(o, "revoked", Value::Bool(true));
                Ok(())
            }
            _ => Err(TrustRootEditError::UnknownKey(key_id.to_string())),
        })?;
        Ok(self)
    }

    /// Removes a key from the list.
    pub fn remove_key(&mut self, key_id: &str) -> Result<&mut Self, TrustRootEditError> {
        let removed = self.with_keys(|keys| {
            let before = keys.len();
            keys.retain(|k| key_id_of(k) != key_id);
            keys.len() != before
        });
        if !removed {
            return Err(TrustRootEditError::UnknownKey(key_id.to_string()));
        }
        Ok(self)
    }

    /// Sets `rootThreshold`.
    pub fn set_threshold(&mut self, n: u64) -> &mut Self {
        set(&mut self.obj, "rootThreshold", int(n));
        self
    }

    /// Adds a runtime entry (creating the list).
    pub fn add_runtime(&mut self, rt: &RuntimeSpec) -> &mut Self {
        if !matches!(self.obj.get("runtimes"), Some(Value::Array(_))) {
            set(&mut self.obj, "runtimes", Value::Array(Vec::new()));
        }
        if let Some(Value::Array(a)) = self.obj.get_mut("runtimes") {
            a.push(rt.to_value());
        }
        self
    }

    /// Adds a TEE policy to `teePolicies` (formats.md §11; creating the
    /// list). The policy is checked when the document is verified.
    pub fn add_tee_policy(&mut self, policy: Value) -> Result<&mut Self, TrustRootEditError> {
        let name = policy.as_object().and_then(|o| o.get("name")).and_then(Value::as_str).unwrap_or("").to_string();
        if !matches!(self.obj.get("teePolicies"), Some(Value::Array(_))) {
            set(&mut self.obj, "teePolicies", Value::Array(Vec::new()));
        }
        if let Some(Value::Array(a)) = self.obj.get_mut("teePolicies") {
            let taken =
                a.iter().any(|p| p.as_object().and_then(|o| o.get("name")).and_then(Value::as_str) == Some(&name));
            if taken {
                return Err(TrustRootEditError::DuplicatePolicy(name));
            }
            a.push(policy);
        }
        Ok(self)
    }

    /// Makes a listed key TEE-bound: `tee: {"policy": NAME}`.
    pub fn set_key_tee_policy(&mut self, key_id: &str, policy: &str) -> Result<&mut Self, TrustRootEditError> {
        self.with_keys(|keys| match keys.iter_mut().find(|k| key_id_of(k) == key_id) {
            Some(Value::Object(o)) => {
                set(o, "tee", ObjectBuilder::new().set("policy", s(policy)).value());
                Ok(())
            }
            _ => Err(TrustRootEditError::UnknownKey(key_id.to_string())),
        })?;
        Ok(self)
    }

    /// The unsigned object.
    pub fn object(&self) -> &Object {
        &self.obj
    }

    /// Signs with the given root keys (all signatures over the same `M(root)`).
    pub fn sign(mut self, root_keys: &[&Ed25519Signer]) -> Value {
        // `signatures` is last in the document, after `runtimes`.
        self.obj.remove("signatures");
        sign_multi(&mut self.obj, root_keys);
        Value::Object(self.obj)
    }
}

fn key_id_of(v: &Value) -> String {
    v.as_object().and_then(|o| o.get("keyId")).and_then(Value::as_str).unwrap_or("").to_string()
}
