//! Newtypes for every byte meaning used by attest documents.
//!
//! Each type parses only its canonical text form (formats.md §0):
//!
//! | type | text form |
//! |---|---|
//! | [`Sha256Digest`] | 64 lowercase hex characters, no prefix |
//! | [`KeyId`] | 64 lowercase hex characters: SHA-256 of the raw public key |
//! | [`Ed25519PublicKey`] | 64 lowercase hex characters (32 bytes) |
//! | [`Ed25519Signature`] | standard base64, padded, canonical trailing bits (64 bytes) |
//! | [`Secp256k1PublicKey`] | 66 lowercase hex characters, compressed SEC1 (33 bytes) |
//! | [`EthAddress`] | `0x` + 40 hex characters in EIP-55 mixed case |
//!
//! All of them serialize back to the same text with serde.

use core::fmt;

use base64::Engine as _;
use sha2::{Digest as _, Sha256};

/// Why a text value is not the canonical form of a byte type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodingError {
    /// Wrong number of characters.
    #[error("expected {expected} characters, found {found}")]
    Length {
        /// Expected length in characters.
        expected: usize,
        /// Length found.
        found: usize,
    },
    /// A character that is not lowercase hex.
    #[error("character {index} is not a lowercase hex digit")]
    NotLowerHex {
        /// Index of the offending character.
        index: usize,
    },
    /// Not canonical padded standard base64, or wrong decoded length.
    #[error("not canonical padded standard base64 of {expected} bytes")]
    Base64 {
        /// Expected decoded length.
        expected: usize,
    },
    /// Not canonical base64 in the standard or the URL-safe alphabet (DSSE).
    #[error("not canonical base64 (standard or URL-safe alphabet, padded or not)")]
    Base64Text,
    /// Missing `0x` prefix.
    #[error("missing 0x prefix")]
    MissingPrefix,
    /// The EIP-55 checksum does not match.
    #[error("EIP-55 checksum mismatch (expected {expected})")]
    Checksum {
        /// The correctly checksummed form.
        expected: String,
    },
    /// The bytes are not a valid key of the algorithm.
    #[error("not a valid {algorithm} public key")]
    InvalidKey {
        /// Algorithm name.
        algorithm: &'static str,
    },
}

/// Decodes exactly `N` bytes from lowercase hex.
pub(crate) fn decode_lower_hex<const N: usize>(s: &str) -> Result<[u8; N], EncodingError> {
    let b = s.as_bytes();
    if b.len() != 2 * N {
        return Err(EncodingError::Length { expected: 2 * N, found: s.chars().count() });
    }
    let mut out = [0u8; N];
    for (i, (pair, o)) in b.chunks_exact(2).zip(out.iter_mut()).enumerate() {
        let &[h, l] = pair else { return Err(EncodingError::NotLowerHex { index: 2 * i }) };
        let hi = lower_hex_val(h).ok_or(EncodingError::NotLowerHex { index: 2 * i })?;
        let lo = lower_hex_val(l).ok_or(EncodingError::NotLowerHex { index: 2 * i + 1 })?;
        *o = (hi << 4) | lo;
    }
    Ok(out)
}

fn lower_hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// Lowercase hex of `bytes`.
pub fn to_lower_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        for nibble in [b >> 4, b & 15] {
            s.push(HEX.get(usize::from(nibble)).map_or('0', |&c| char::from(c)));
        }
    }
    s
}

macro_rules! hex_newtype {
    ($(#[$doc:meta])* $name:ident, $len:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; $len]);

        impl $name {
            /// Number of bytes.
            pub const LEN: usize = $len;
            /// Wraps raw bytes.
            pub const fn from_bytes(bytes: [u8; $len]) -> Self {
                Self(bytes)
            }
            /// Parses the canonical lowercase hex form.
            pub fn from_hex(s: &str) -> Result<Self, EncodingError> {
                decode_lower_hex::<$len>(s).map(Self)
            }
            /// The raw bytes.
            pub const fn as_bytes(&self) -> &[u8; $len] {
                &self.0
            }
            /// The canonical lowercase hex form.
            pub fn to_hex(&self) -> String {
                to_lower_hex(&self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.to_hex())
            }
        }

        impl core::str::FromStr for $name {
            type Err = EncodingError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::from_hex(s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_hex())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Self::from_hex(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

hex_newtype!(
    /// A SHA-256 output: document digests, file hashes, bundle hashes, context hashes.
    Sha256Digest,
    32
);
hex_newtype!(
    /// A key identifier: SHA-256 of the raw public key bytes (formats.md §0).
    KeyId,
    32
);
hex_newtype!(
    /// A raw 32-byte Ed25519 public key (RFC 8032 encoding).
    Ed25519PublicKey,
    32
);
hex_newtype!(
    /// A compressed SEC1 secp256k1 public key (33 bytes).
    Secp256k1PublicKey,
    33
);

impl Sha256Digest {
    /// SHA-256 of `data`.
    pub fn of(data: &[u8]) -> Self {
        Self(Sha256::digest(data).into())
    }
    /// The all-zero value used on-chain for an absent hash.
    pub const ZERO: Self = Self([0u8; 32]);

    /// Parses canonical padded standard base64 of 32 bytes (the C2SP
    /// formats' hash encoding: checkpoint roots, consistency proofs).
    pub fn from_base64(s: &str) -> Result<Self, EncodingError> {
        // 32 bytes encode to exactly 44 characters; checked first so hostile
        // input never allocates.
        if s.len() != 44 {
            return Err(EncodingError::Base64 { expected: 32 });
        }
        let mut out = [0u8; 33];
        match base64::engine::general_purpose::STANDARD.decode_slice(s, &mut out) {
            Ok(32) => {
                let mut d = [0u8; 32];
                d.copy_from_slice(&out[..32]);
                Ok(Self(d))
            }
            _ => Err(EncodingError::Base64 { expected: 32 }),
        }
    }

    /// The canonical padded standard base64 form (44 characters).
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.0)
    }
}

impl KeyId {
    /// The key id of raw public key bytes.
    pub fn of_key_bytes(raw: &[u8]) -> Self {
        Self(Sha256::digest(raw).into())
    }
}

impl Ed25519PublicKey {
    /// The key id of this key.
    pub fn key_id(&self) -> KeyId {
        KeyId::of_key_bytes(&self.0)
    }
}

impl Secp256k1PublicKey {
    /// The key id of this key.
    pub fn key_id(&self) -> KeyId {
        KeyId::of_key_bytes(&self.0)
    }
}

/// A 64-byte Ed25519 signature, text form canonical padded standard base64.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ed25519Signature([u8; 64]);

impl Ed25519Signature {
    /// Wraps raw bytes.
    pub const fn from_bytes(bytes: [u8; 64]) -> Self {
        Self(bytes)
    }
    /// The raw bytes (R ‖ S).
    pub const fn as_bytes(&self) -> &[u8; 64] {
        &self.0
    }
    /// Parses canonical padded standard base64 (non-zero trailing bits rejected).
    pub fn from_base64(s: &str) -> Result<Self, EncodingError> {
        // 64 bytes encode to exactly 88 characters; check first so hostile
        // input never allocates.
        if s.len() != 88 {
            return Err(EncodingError::Base64 { expected: 64 });
        }
        let mut out = [0u8; 66];
        match base64::engine::general_purpose::STANDARD.decode_slice(s, &mut out) {
            Ok(64) => {
                let mut sig = [0u8; 64];
                sig.copy_from_slice(&out[..64]);
                Ok(Self(sig))
            }
            _ => Err(EncodingError::Base64 { expected: 64 }),
        }
    }
    /// The canonical base64 form.
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.0)
    }
}

impl fmt::Display for Ed25519Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64())
    }
}

impl fmt::Debug for Ed25519Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ed25519Signature({})", self.to_base64())
    }
}

impl serde::Serialize for Ed25519Signature {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_base64())
    }
}

/// A 20-byte Ethereum address; text form `0x` + EIP-55 checksummed hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EthAddress([u8; 20]);

impl EthAddress {
    /// The zero address.
    pub const ZERO: Self = Self([0u8; 20]);
    /// Wraps raw bytes.
    pub const fn from_bytes(bytes: [u8; 20]) -> Self {
        Self(bytes)
    }
    /// The raw bytes.
    pub const fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }
    /// The EIP-55 checksummed form.
    pub fn to_checksum(&self) -> String {
        alloy_primitives::Address::from(self.0).to_checksum(None)
    }
    /// Parses `0x` + 40 hex digits that must carry the exact EIP-55 checksum.
    pub fn from_checksummed(s: &str) -> Result<Self, EncodingError> {
        let rest = s.strip_prefix("0x").ok_or(EncodingError::MissingPrefix)?;
        if rest.len() != 40 {
            return Err(EncodingError::Length { expected: 42, found: s.chars().count() });
        }
        let bytes = decode_lower_hex::<20>(&rest.to_ascii_lowercase()).map_err(|e| match e {
            EncodingError::NotLowerHex { index } => EncodingError::NotLowerHex { index: index + 2 },
            other => other,
        })?;
        let addr = Self(bytes);
        let expected = addr.to_checksum();
        if expected != s {
            return Err(EncodingError::Checksum { expected });
        }
        Ok(addr)
    }
}

impl fmt::Display for EthAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_checksum())
    }
}

impl fmt::Debug for EthAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EthAddress({})", self.to_checksum())
    }
}

impl serde::Serialize for EthAddress {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_checksum())
    }
}

impl<'de> serde::Deserialize<'de> for EthAddress {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        Self::from_checksummed(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lowercase_only() {
        let lower = "ab".repeat(32);
        assert!(Sha256Digest::from_hex(&lower).is_ok());
        assert_eq!(Sha256Digest::from_hex(&"AB".repeat(32)), Err(EncodingError::NotLowerHex { index: 0 }));
        assert!(matches!(Sha256Digest::from_hex("ab"), Err(EncodingError::Length { .. })));
        // 64 bytes but not 64 hex characters.
        assert!(Sha256Digest::from_hex(&"é".repeat(32)).is_err());
    }

    #[test]
    fn base64_is_canonical() {
        let sig = Ed25519Signature::from_bytes([7u8; 64]);
        let s = sig.to_base64();
        assert_eq!(Ed25519Signature::from_base64(&s), Ok(sig));
        // Flip a trailing bit that is not part of the 64 bytes.
        let mut chars: Vec<char> = s.chars().collect();
        let last = chars.len() - 3; // "...X==": X carries 4 unused bits
        chars[last] = if chars[last] == 'w' { 'x' } else { 'w' };
        let bad: String = chars.into_iter().collect();
        assert!(Ed25519Signature::from_base64(&bad).is_err());
        assert!(Ed25519Signature::from_base64(s.trim_end_matches('=')).is_err());
    }

    #[test]
    fn eip55_vectors() {
        // From EIP-55.
        for a in [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
            "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        ] {
            let addr = EthAddress::from_checksummed(a).expect("valid EIP-55");
            assert_eq!(addr.to_checksum(), a);
        }
        assert!(matches!(
            EthAddress::from_checksummed("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
            Err(EncodingError::Checksum { .. })
        ));
    }
}
