//! Key derivation from a 32-byte master secret (docs/spec.md §4), HKDF-SHA256 (RFC 5869).
//!
//! ```text
//! master Ed25519 seed      = HKDF(ikm=secret, salt="attest.v1.master",    info="ed25519")
//! master secp256k1 scalar  = HKDF(ikm=secret, salt="attest.v1.master",    info="secp256k1" ‖ ctr)
//! ephemeral Ed25519 seed   = HKDF(ikm=secret, salt="attest.v1.ephemeral", info="ed25519" ‖ 0x00 ‖ contextHash)
//! ephemeral secp256k1      = HKDF(ikm=secret, salt="attest.v1.ephemeral", info="secp256k1" ‖ 0x00 ‖ contextHash ‖ ctr)
//! ```
//! `ctr` is one byte counting from 0 until `0 < scalar < n`.

use ed25519_dalek::{Signer as _, SigningKey};
use hkdf::Hkdf;
use k256::ecdsa::SigningKey as EcdsaSigningKey;
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop};

use attest_verifier::secp256k1::RecoverableSignature;
use attest_verifier::types::{Ed25519PublicKey, Ed25519Signature, EthAddress, KeyId, Secp256k1PublicKey, Sha256Digest};

/// HKDF salt of master keys.
pub const MASTER_SALT: &[u8] = b"attest.v1.master";
/// HKDF salt of per-execution keys.
pub const EPHEMERAL_SALT: &[u8] = b"attest.v1.ephemeral";

/// Why a key could not be made or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// A secret is not 64 lowercase hex characters.
    #[error("a master secret is 64 lowercase hex characters (32 bytes)")]
    SecretEncoding,
    /// No valid secp256k1 scalar within 256 counter values (probability ~2^-32768).
    #[error("no valid secp256k1 scalar found")]
    NoScalar,
    /// ECDSA signing failed.
    #[error("secp256k1 signing failed")]
    Signing,
}

/// A 32-byte master secret. Zeroed on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MasterSecret([u8; 32]);

impl core::fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("MasterSecret(<redacted>)")
    }
}

impl MasterSecret {
    /// Wraps secret bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Parses 64 lowercase hex characters (surrounding whitespace ignored).
    pub fn from_hex(s: &str) -> Result<Self, KeyError> {
        Sha256Digest::from_hex(s.trim()).map(|d| Self(*d.as_bytes())).map_err(|_| KeyError::SecretEncoding)
    }

    /// The secret as hex (for writing a key file).
    pub fn to_hex(&self) -> String {
        attest_verifier::types::to_lower_hex(&self.0)
    }

    fn expand(&self, salt: &[u8], info: &[&[u8]]) -> [u8; 32] {
        let hk = Hkdf::<Sha256>::new(Some(salt), &self.0);
        let mut okm = [0u8; 32];
        // 32 bytes is far below HKDF-SHA256's 255·32 limit, so expand cannot fail.
        let _ = hk.expand_multi_info(info, &mut okm);
        okm
    }

    fn scalar(&self, salt: &[u8], info: &[&[u8]]) -> Result<EcdsaSigningKey, KeyError> {
        for ctr in 0..=255u8 {
            let mut parts: Vec<&[u8]> = info.to_vec();
            let c = [ctr];
            parts.push(&c);
            let mut bytes = self.expand(salt, &parts);
            // from_slice refuses 0 and values ≥ n: exactly the retry rule.
            let key = EcdsaSigningKey::from_slice(&bytes);
            bytes.zeroize();
            if let Ok(k) = key {
                return Ok(k);
            }
        }
        Err(KeyError::NoScalar)
    }

    /// The master Ed25519 key.
    pub fn master_ed25519(&self) -> Ed25519Signer {
        let mut seed = self.expand(MASTER_SALT, &[b"ed25519"]);
        let key = SigningKey::from_bytes(&seed);
        seed.zeroize();
        Ed25519Signer { key }
    }

    /// The master secp256k1 key.
    pub fn master_secp256k1(&self) -> Result<Secp256k1Signer, KeyError> {
        self.scalar(MASTER_SALT, &[b"secp256k1"]).map(|key| Secp256k1Signer { key })
    }

    /// The per-execution Ed25519 key for a context hash.
    pub fn ephemeral_ed25519(&self, context_hash: &Sha256Digest) -> Ed25519Signer {
        let mut seed = self.expand(EPHEMERAL_SALT, &[b"ed25519", &[0u8], context_hash.as_bytes()]);
        let key = SigningKey::from_bytes(&seed);
        seed.zeroize();
        Ed25519Signer { key }
    }

    /// The per-execution secp256k1 key for a context hash.
    pub fn ephemeral_secp256k1(&self, context_hash: &Sha256Digest) -> Result<Secp256k1Signer, KeyError> {
        self.scalar(EPHEMERAL_SALT, &[b"secp256k1", &[0u8], context_hash.as_bytes()]).map(|key| Secp256k1Signer { key })
    }
}

/// An Ed25519 signing key.
#[derive(Clone)]
pub struct Ed25519Signer {
    key: SigningKey,
}

impl core::fmt::Debug for Ed25519Signer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Ed25519Signer({})", self.public_key())
    }
}

impl Ed25519Signer {
    /// A key from a raw RFC 8032 seed (known-answer tests of published keys).
    #[cfg(test)]
    pub(crate) fn from_seed(seed: [u8; 32]) -> Self {
        Ed25519Signer { key: SigningKey::from_bytes(&seed) }
    }

    /// The public key.
    pub fn public_key(&self) -> Ed25519PublicKey {
        Ed25519PublicKey::from_bytes(self.key.verifying_key().to_bytes())
    }
    /// Its key id.
    pub fn key_id(&self) -> KeyId {
        self.public_key().key_id()
    }
    /// Signs a message.
    pub fn sign(&self, message: &[u8]) -> Ed25519Signature {
        Ed25519Signature::from_bytes(self.key.sign(message).to_bytes())
    }
}

/// A secp256k1 signing key.
#[derive(Clone)]
pub struct Secp256k1Signer {
    key: EcdsaSigningKey,
}

impl core::fmt::Debug for Secp256k1Signer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Secp256k1Signer({})", self.address())
    }
}

impl Secp256k1Signer {
    /// The compressed public key.
    pub fn public_key(&self) -> Secp256k1PublicKey {
        let point = self.key.verifying_key().to_encoded_point(true);
        let mut b = [0u8; 33];
        b.copy_from_slice(point.as_bytes());
        Secp256k1PublicKey::from_bytes(b)
    }
    /// Its key id.
    pub fn key_id(&self) -> KeyId {
        self.public_key().key_id()
    }
    /// Its Ethereum address.
    pub fn address(&self) -> EthAddress {
        let point = self.key.verifying_key().to_encoded_point(false);
        let h = attest_verifier::crypto::keccak256(&point.as_bytes()[1..]);
        let mut a = [0u8; 20];
        a.copy_from_slice(&h[12..]);
        EthAddress::from_bytes(a)
    }
    /// Signs a 32-byte digest (EIP-712), low-s, v ∈ {27, 28}.
    pub fn sign_digest(&self, digest: &[u8; 32]) -> Result<RecoverableSignature, KeyError> {
        let (sig, recid) = self.key.sign_prehash_recoverable(digest).map_err(|_| KeyError::Signing)?;
        let (sig, recid) = match sig.normalize_s() {
            Some(low) => (low, recid.to_byte() ^ 1),
            None => (sig, recid.to_byte()),
        };
        let mut bytes = [0u8; 65];
        bytes[..64].copy_from_slice(&sig.to_bytes());
        bytes[64] = 27 + recid;
        RecoverableSignature::from_bytes(&bytes).map_err(|_| KeyError::Signing)
    }
}
