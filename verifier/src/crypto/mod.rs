//! Hashing and strict signature verification.
//!
//! Ed25519 follows formats.md §0: RFC 8032 with the semantics of
//! ed25519-dalek `verify_strict` (S < L, canonical R, no small-order R or A),
//! plus a canonical encoding of A, checked once when a key is loaded.
//!
//! Natively, a key used many times (a trust-root runtime key across a batch)
//! switches to a precomputed per-key table with the same verdict ([`table`]).

use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest as _, Sha256};

use crate::types::{Ed25519PublicKey, Ed25519Signature, Sha256Digest};

#[cfg(not(target_arch = "wasm32"))]
mod table;

/// Keccak-256 (the Ethereum hash).
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    alloy_primitives::keccak256(data).0
}

/// SHA-256.
pub fn sha256(data: &[u8]) -> Sha256Digest {
    Sha256Digest::from_bytes(Sha256::digest(data).into())
}

/// Why an Ed25519 public key is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Not the encoding of a curve point.
    #[error("not an Ed25519 curve point")]
    NotOnCurve,
    /// The encoding is not canonical (y ≥ p, or x = 0 with the sign bit set).
    #[error("non-canonical Ed25519 point encoding")]
    NonCanonical,
    /// The point has small order (a weak key).
    #[error("small-order (weak) Ed25519 key")]
    SmallOrder,
}

/// An Ed25519 key decompressed and checked once, ready for repeated strict verification.
///
/// Natively, clones share one use counter and one precomputed table, built
/// after the key's first uses (see the module docs of `table`).
#[derive(Clone)]
pub struct StrictVerifyingKey {
    key: VerifyingKey,
    raw: Ed25519PublicKey,
    #[cfg(not(target_arch = "wasm32"))]
    table: std::sync::Arc<table::LazyTable>,
}

impl std::fmt::Debug for StrictVerifyingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("StrictVerifyingKey");
        d.field("raw", &self.raw);
        #[cfg(not(target_arch = "wasm32"))]
        d.field("table_built", &self.table.is_built());
        d.finish()
    }
}

impl StrictVerifyingKey {
    /// Decompresses and checks a public key: on the curve, canonical, not of small order.
    pub fn new(raw: Ed25519PublicKey) -> Result<Self, KeyError> {
        let key = VerifyingKey::from_bytes(raw.as_bytes()).map_err(|_| KeyError::NotOnCurve)?;
        if key.to_edwards().compress().as_bytes() != raw.as_bytes() {
            return Err(KeyError::NonCanonical);
        }
        if key.is_weak() {
            return Err(KeyError::SmallOrder);
        }
        Ok(Self {
            key,
            raw,
            #[cfg(not(target_arch = "wasm32"))]
            table: std::sync::Arc::new(table::LazyTable::new()),
        })
    }

    /// The raw key.
    pub fn public_key(&self) -> &Ed25519PublicKey {
        &self.raw
    }

    /// Strict verification (`verify_strict`).
    pub fn verify(&self, message: &[u8], signature: &Ed25519Signature) -> bool {
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(t) = self.table.get(|| self.key.to_edwards()) {
            return t.verify_strict(self.raw.as_bytes(), message, signature.as_bytes());
        }
        let sig = Signature::from_bytes(signature.as_bytes());
        self.key.verify_strict(message, &sig).is_ok()
    }
}

/// One-shot strict verification of raw bytes, as the whole stack applies it.
pub fn ed25519_verify_strict(key: &Ed25519PublicKey, message: &[u8], signature: &Ed25519Signature) -> bool {
    match StrictVerifyingKey::new(*key) {
        Ok(k) => k.verify(message, signature),
        Err(_) => false,
    }
}
