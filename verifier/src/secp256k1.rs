//! secp256k1 keys, addresses and recoverable signatures (formats.md §0).
//!
//! Signature text form: `0x` + 130 lowercase hex characters = r ‖ s ‖ v with
//! `v ∈ {27, 28}`, `1 ≤ r, s < n` and `s ≤ n/2` (low-s), all checked at parse
//! time so that the Rust verifier and the Solidity contract refuse the same
//! encodings. A recovered address of zero is a failure.

use k256::ecdsa::VerifyingKey;

use crate::crypto::keccak256;
use crate::reason::Reason;
use crate::types::{decode_lower_hex, EncodingError, EthAddress, Secp256k1PublicKey};

/// The curve order n.
pub const SECP256K1_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc,
    0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
];

/// n / 2 (floor): the largest accepted `s`.
pub const SECP256K1_HALF_N: [u8; 32] = [
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e,
    0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
];

/// Why a recoverable signature is refused. The reason codes are shared with
/// the contract's custom errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EcdsaError {
    /// Not `0x` + 130 lowercase hex characters.
    #[error("not 0x + 130 lowercase hex characters (r ‖ s ‖ v)")]
    Encoding,
    /// v is not 27 or 28.
    #[error("v = {v}, expected 27 or 28")]
    V {
        /// The v byte.
        v: u8,
    },
    /// r or s is zero or not below n.
    #[error("r or s is out of range [1, n-1]")]
    Range,
    /// s > n/2.
    #[error("s is in the upper half of the curve order (high-s signature)")]
    HighS,
    /// Recovery failed or gave the zero address.
    #[error("no signer can be recovered from this signature")]
    Unrecoverable,
}

impl EcdsaError {
    /// The stable reason code, mirrored by the contract errors.
    pub fn reason(&self) -> Reason {
        match self {
            EcdsaError::Encoding | EcdsaError::V { .. } | EcdsaError::Range => Reason::SignatureEncoding,
            EcdsaError::HighS => Reason::HighS,
            EcdsaError::Unrecoverable => Reason::InvalidSignature,
        }
    }
}

/// A strictly parsed recoverable signature.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RecoverableSignature {
    r: [u8; 32],
    s: [u8; 32],
    v: u8,
}

impl RecoverableSignature {
    /// Parses the `0x` r ‖ s ‖ v text form with every rule of formats.md §0.
    pub fn parse(text: &str) -> Result<Self, EcdsaError> {
        let hex = text.strip_prefix("0x").ok_or(EcdsaError::Encoding)?;
        let bytes = decode_lower_hex::<65>(hex).map_err(|_| EcdsaError::Encoding)?;
        Self::from_bytes(&bytes)
    }

    /// Parses 65 raw bytes r ‖ s ‖ v.
    pub fn from_bytes(bytes: &[u8; 65]) -> Result<Self, EcdsaError> {
        let mut r = [0u8; 32];
        let mut s = [0u8; 32];
        r.copy_from_slice(&bytes[..32]);
        s.copy_from_slice(&bytes[32..64]);
        let v = bytes[64];
        if v != 27 && v != 28 {
            return Err(EcdsaError::V { v });
        }
        let zero = [0u8; 32];
        if r == zero || s == zero || r >= SECP256K1_N || s >= SECP256K1_N {
            return Err(EcdsaError::Range);
        }
        if s > SECP256K1_HALF_N {
            return Err(EcdsaError::HighS);
        }
        Ok(Self { r, s, v })
    }

    /// The 65 bytes r ‖ s ‖ v.
    pub fn to_bytes(&self) -> [u8; 65] {
        let mut out = [0u8; 65];
        out[..32].copy_from_slice(&self.r);
        out[32..64].copy_from_slice(&self.s);
        out[64] = self.v;
        out
    }

    /// The text form.
    pub fn to_text(&self) -> String {
        format!("0x{}", crate::types::to_lower_hex(&self.to_bytes()))
    }

    /// Recovers the signer's address from a 32-byte prehash (an EIP-712 digest).
    pub fn recover(&self, prehash: &[u8; 32]) -> Result<EthAddress, EcdsaError> {
        let addr = recover_address(&self.r, &self.s, self.v - 27, prehash)?;
        if addr == EthAddress::ZERO {
            return Err(EcdsaError::Unrecoverable);
        }
        Ok(addr)
    }
}

/// Recovery with libsecp256k1 (native builds).
#[cfg(not(target_arch = "wasm32"))]
fn recover_address(r: &[u8; 32], s: &[u8; 32], recid: u8, prehash: &[u8; 32]) -> Result<EthAddress, EcdsaError> {
    use secp256k1::ecdsa::{RecoverableSignature as LibSig, RecoveryId as LibId};
    let mut rs = [0u8; 64];
    rs[..32].copy_from_slice(r);
    rs[32..].copy_from_slice(s);
    let id = LibId::try_from(i32::from(recid)).map_err(|_| EcdsaError::V { v: recid + 27 })?;
    let sig = LibSig::from_compact(&rs, id).map_err(|_| EcdsaError::Range)?;
    let msg = secp256k1::Message::from_digest(*prehash);
    let key = secp256k1::SECP256K1.recover_ecdsa(msg, &sig).map_err(|_| EcdsaError::Unrecoverable)?;
    let hash = keccak256(&key.serialize_uncompressed()[1..]);
    let mut a = [0u8; 20];
    a.copy_from_slice(&hash[12..]);
    Ok(EthAddress::from_bytes(a))
}

/// Recovery with k256 (pure Rust): the WASM backend, and the cross-check natively.
pub(crate) fn recover_address_k256(
    r: &[u8; 32],
    s: &[u8; 32],
    recid: u8,
    prehash: &[u8; 32],
) -> Result<EthAddress, EcdsaError> {
    use k256::elliptic_curve::ops::{Invert, LinearCombination, Reduce};
    use k256::elliptic_curve::point::DecompressPoint;
    use k256::elliptic_curve::sec1::ToEncodedPoint;
    use k256::elliptic_curve::PrimeField;
    use k256::{AffinePoint, FieldBytes, ProjectivePoint, Scalar, U256};

    // Q = r⁻¹ (s·R − z·G), R the curve point with x = r and y parity = recid
    // (SEC 1 §4.1.6). k256's `recover_from_prehash` computes the same Q and
    // then verifies the signature again with it, which is redundant for a
    // recovered key (and its high-s refusal is already a parse rule here).
    // r is public, so its inverse may be variable-time.
    if recid > 1 {
        return Err(EcdsaError::V { v: recid.wrapping_add(27) });
    }
    let r_scalar = Option::<Scalar>::from(Scalar::from_repr(FieldBytes::from(*r))).ok_or(EcdsaError::Range)?;
    let s_scalar = Option::<Scalar>::from(Scalar::from_repr(FieldBytes::from(*s)))
        .filter(|s| !bool::from(s.is_zero()))
        .ok_or(EcdsaError::Range)?;
    let z = <Scalar as Reduce<U256>>::reduce_bytes(&FieldBytes::from(*prehash));
    let big_r = Option::<AffinePoint>::from(AffinePoint::decompress(&FieldBytes::from(*r), (recid & 1).into()))
        .ok_or(EcdsaError::Unrecoverable)?;
    let r_inv = Option::<Scalar>::from(r_scalar.invert_vartime()).ok_or(EcdsaError::Range)?;
    let u1 = -(r_inv * z);
    let u2 = r_inv * s_scalar;
    let q = ProjectivePoint::lincomb(&ProjectivePoint::GENERATOR, &u1, &ProjectivePoint::from(big_r), &u2).to_affine();
    if q == AffinePoint::IDENTITY {
        return Err(EcdsaError::Unrecoverable);
    }
    let point = q.to_encoded_point(false);
    let hash = keccak256(point.as_bytes().get(1..).unwrap_or_default());
    let mut a = [0u8; 20];
    a.copy_from_slice(&hash[12..]);
    Ok(EthAddress::from_bytes(a))
}

#[cfg(target_arch = "wasm32")]
fn recover_address(r: &[u8; 32], s: &[u8; 32], recid: u8, prehash: &[u8; 32]) -> Result<EthAddress, EcdsaError> {
    recover_address_k256(r, s, recid, prehash)
}

/// Recovers with libsecp256k1 only (benchmarks).
#[cfg(not(target_arch = "wasm32"))]
pub fn recover_both_native(sig: &RecoverableSignature, prehash: &[u8; 32]) -> Result<EthAddress, EcdsaError> {
    recover_address(&sig.r, &sig.s, sig.v - 27, prehash)
}

/// Recovers with k256 only (benchmarks, cross-checks).
pub fn recover_both_k256(sig: &RecoverableSignature, prehash: &[u8; 32]) -> Result<EthAddress, EcdsaError> {
    recover_address_k256(&sig.r, &sig.s, sig.v - 27, prehash)
}

/// Recovers with both backends (native builds): they must agree.
#[cfg(not(target_arch = "wasm32"))]
pub fn recover_both(
    sig: &RecoverableSignature,
    prehash: &[u8; 32],
) -> (Result<EthAddress, EcdsaError>, Result<EthAddress, EcdsaError>) {
    (recover_address(&sig.r, &sig.s, sig.v - 27, prehash), recover_address_k256(&sig.r, &sig.s, sig.v - 27, prehash))
}

fn address_of_point(key: &VerifyingKey) -> EthAddress {
    let point = key.to_encoded_point(false);
    let hash = keccak256(point.as_bytes().get(1..).unwrap_or_default());
    let mut a = [0u8; 20];
    a.copy_from_slice(&hash[12..]);
    EthAddress::from_bytes(a)
}

/// The Ethereum address of a compressed public key.
pub fn address_of(key: &Secp256k1PublicKey) -> Result<EthAddress, EncodingError> {
    let vk = VerifyingKey::from_sec1_bytes(key.as_bytes())
        .map_err(|_| EncodingError::InvalidKey { algorithm: "secp256k1" })?;
    if key.as_bytes()[0] != 0x02 && key.as_bytes()[0] != 0x03 {
        return Err(EncodingError::InvalidKey { algorithm: "secp256k1" });
    }
    Ok(address_of_point(&vk))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use k256::ecdsa::{RecoveryId, SigningKey};
    use sha2::{Digest, Sha256};

    fn bytes32(seed: &str, i: u32) -> [u8; 32] {
        Sha256::digest(format!("{seed}/{i}").as_bytes()).into()
    }

    /// The two recovery backends (libsecp256k1 natively, k256 in WASM) must
    /// give the same address or the same refusal on every input: real
    /// signatures, and arbitrary r/s/v that pass the parse rules.
    #[test]
    fn k256_recovery_agrees_with_libsecp256k1() {
        let mut recovered = 0;
        for i in 0..300u32 {
            let key = SigningKey::from_bytes(&bytes32("key", i).into()).expect("key");
            let digest = bytes32("digest", i);
            let (sig, id) = key.sign_prehash_recoverable(&digest).expect("sign");
            let sig = sig
                .normalize_s()
                .map(|n| (n, RecoveryId::from_byte(id.to_byte() ^ 1).expect("id")))
                .unwrap_or((sig, id));
            let mut raw = [0u8; 65];
            raw[..64].copy_from_slice(&sig.0.to_bytes());
            raw[64] = 27 + sig.1.to_byte();
            let parsed = RecoverableSignature::from_bytes(&raw).expect("parse");
            let (native, k) = recover_both(&parsed, &digest);
            let expected = address_of_point(key.verifying_key());
            assert_eq!(native, Ok(expected), "native, case {i}");
            assert_eq!(k, Ok(expected), "k256, case {i}");
            recovered += 1;
        }
        let mut refused = 0;
        for i in 0..2000u32 {
            let mut raw = [0u8; 65];
            raw[..32].copy_from_slice(&bytes32("r", i));
            raw[32..64].copy_from_slice(&bytes32("s", i));
            raw[32] &= 0x7f;
            raw[64] = 27 + (i % 2) as u8;
            let Ok(parsed) = RecoverableSignature::from_bytes(&raw) else { continue };
            let digest = bytes32("d", i);
            let (native, k) = recover_both(&parsed, &digest);
            assert_eq!(native, k, "case {i}");
            refused += usize::from(native.is_err());
        }
        assert_eq!(recovered, 300);
        // About half of all x coordinates are not on the curve.
        assert!(refused > 700 && refused < 1300, "{refused}");
    }
}
