//! C2SP tlog-cosignature v1 with Ed25519 (`c2sp.org/tlog-cosignature`,
//! formats.md §9): a witness's timestamped statement that a checkpoint is
//! the largest consistent tree head it has seen for the log.
//!
//! # Byte layout
//!
//! ```text
//! cosigner vkey   = name "+" hex(key ID) "+" base64(0x04 ‖ 32-byte Ed25519 key)
//! key ID          = SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[0..4]
//! signature line  = "— " name " " base64(key ID ‖ u64be(timestamp) ‖ Ed25519 signature) "\n"
//! signed message  = "cosignature/v1\n" "time " decimal(timestamp) "\n" checkpoint text
//! ```
//!
//! The checkpoint text is the note text, final newline included, without any
//! signature line. Timestamps are POSIX seconds, at most 2⁶³ − 1.
//!
//! # Decisions
//!
//! - A cosignature line is recognised by its name **and** key ID; a line
//!   with the witness's name and another key ID is another key's and ignored.
//! - Two lines of one witness key are counted once: the witness cosigned if
//!   one of them verifies ([`cosigned_at`] returns the latest verified time).
//! - A line of the witness's key that does not verify does not count, and is
//!   reported ([`CosignatureError::BadSignature`]) when no line verifies.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::checkpoint::{self, CheckpointError, Note, NoteKeyId, SIGNATURE_PREFIX};
use crate::crypto::StrictVerifyingKey;
use crate::types::{Ed25519PublicKey, Ed25519Signature};

/// The signature-type byte of Ed25519 cosigner keys (key IDs and vkeys).
pub const COSIGNATURE_SIGNATURE_TYPE: u8 = 0x04;

/// The first line of the signed message: the cosignature's domain separation.
pub const COSIGNATURE_HEADER: &str = "cosignature/v1\n";

/// The largest timestamp a cosignature may carry.
pub const MAX_TIMESTAMP: u64 = i64::MAX as u64;

/// Why a cosignature key or line is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CosignatureError {
    /// The key text is not a cosigner vkey.
    #[error("cosigner key: {0}")]
    Key(#[from] CheckpointError),
    /// The note carries no line of this witness key (named `name+keyid`).
    #[error("no cosignature by {0}")]
    Missing(String),
    /// The witness key's line(s) do not verify (named `name+keyid`).
    #[error("the cosignature by {0} does not verify")]
    BadSignature(String),
}

/// An Ed25519 cosigner (witness) key: name, key ID and public key.
#[derive(Debug, Clone)]
pub struct CosignerKey {
    name: String,
    key_id: NoteKeyId,
    key: StrictVerifyingKey,
}

impl PartialEq for CosignerKey {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.public_key() == other.public_key()
    }
}

impl Eq for CosignerKey {}

impl CosignerKey {
    /// The cosigner key of `public_key` under `name`.
    pub fn new(name: &str, public_key: Ed25519PublicKey) -> Result<Self, CosignatureError> {
        if !checkpoint::is_valid_name(name) {
            return Err(CheckpointError::InvalidName.into());
        }
        let key = StrictVerifyingKey::new(public_key)
            .map_err(|_| CheckpointError::MalformedVerifierKey("not a usable Ed25519 public key"))?;
        let key_id = NoteKeyId::of_type(name, COSIGNATURE_SIGNATURE_TYPE, &public_key);
        Ok(Self { name: name.to_string(), key_id, key })
    }

    /// Parses `name+hex(keyID)+base64(0x04 ‖ public key)`.
    pub fn parse(text: &str) -> Result<Self, CosignatureError> {
        let (name, key) = checkpoint::parse_vkey(text, COSIGNATURE_SIGNATURE_TYPE)?;
        Self::new(name, key)
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> NoteKeyId {
        self.key_id
    }

    /// The Ed25519 public key.
    pub fn public_key(&self) -> &Ed25519PublicKey {
        self.key.public_key()
    }

    fn named(&self) -> String {
        format!("{}+{}", self.name, self.key_id.to_hex())
    }
}

impl core::fmt::Display for CosignerKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut raw = Vec::with_capacity(33);
        raw.push(COSIGNATURE_SIGNATURE_TYPE);
        raw.extend_from_slice(self.public_key().as_bytes());
        write!(f, "{}+{}+{}", self.name, self.key_id.to_hex(), STANDARD.encode(raw))
    }
}

/// The message a cosigner signs for `checkpoint_text` at `timestamp`.
pub fn signed_message(timestamp: u64, checkpoint_text: &str) -> Vec<u8> {
    let mut m = Vec::with_capacity(COSIGNATURE_HEADER.len() + 26 + checkpoint_text.len());
    m.extend_from_slice(COSIGNATURE_HEADER.as_bytes());
    m.extend_from_slice(format!("time {timestamp}\n").as_bytes());
    m.extend_from_slice(checkpoint_text.as_bytes());
    m
}

/// A cosignature line: `— name base64(key ID ‖ u64be(timestamp) ‖ signature)\n`.
pub fn signature_line(key: &CosignerKey, timestamp: u64, signature: &Ed25519Signature) -> String {
    let mut raw = Vec::with_capacity(76);
    raw.extend_from_slice(key.key_id.as_bytes());
    raw.extend_from_slice(&timestamp.to_be_bytes());
    raw.extend_from_slice(signature.as_bytes());
    format!("{SIGNATURE_PREFIX}{} {}\n", key.name, STANDARD.encode(raw))
}

/// The signature bytes after the key ID of a cosignature line: timestamp and signature.
fn split(sig: &[u8]) -> Option<(u64, Ed25519Signature)> {
    let ts: [u8; 8] = sig.get(..8)?.try_into().ok()?;
    let s: [u8; 64] = sig.get(8..)?.try_into().ok()?;
    let ts = u64::from_be_bytes(ts);
    (ts <= MAX_TIMESTAMP).then(|| (ts, Ed25519Signature::from_bytes(s)))
}

/// Whether `key` cosigned the note's text: the latest timestamp among its
/// lines that verify (formats.md §9), or why not.
pub fn cosigned_at(note: &Note, key: &CosignerKey) -> Result<u64, CosignatureError> {
    let mut seen = false;
    let mut best = None;
    for line in note.signatures().iter().filter(|s| s.name() == key.name && s.key_id() == key.key_id) {
        seen = true;
        let Some((ts, sig)) = split(line.signature()) else { continue };
        if key.key.verify(&signed_message(ts, note.text()), &sig) {
            best = best.max(Some(ts));
        }
    }
    match (best, seen) {
        (Some(ts), _) => Ok(ts),
        (None, true) => Err(CosignatureError::BadSignature(key.named())),
        (None, false) => Err(CosignatureError::Missing(key.named())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_round_trip_and_type() {
        let pk = Ed25519PublicKey::from_bytes([
            0x3d, 0x40, 0x17, 0xc3, 0xe8, 0x43, 0x89, 0x5a, 0x92, 0xb7, 0x0a, 0xa7, 0x4d, 0x1b, 0x7e, 0xbc, 0x9c, 0x98,
            0x2c, 0xcf, 0x2e, 0xc4, 0x96, 0x8c, 0xc0, 0xcd, 0x55, 0xf1, 0x2a, 0xf4, 0x66, 0x0c,
        ]);
        let k = CosignerKey::new("witness.example/w1", pk).unwrap();
        let text = k.to_string();
        assert_eq!(CosignerKey::parse(&text).unwrap(), k);
        // The same key as a note (0x01) vkey is not a cosigner key, and vice versa.
        let note_key = checkpoint::VerifierKey::new("witness.example/w1", pk).unwrap();
        assert!(CosignerKey::parse(&note_key.to_string()).is_err());
        assert!(checkpoint::VerifierKey::parse(&text).is_err());
        assert_ne!(note_key.key_id(), k.key_id());
    }

    #[test]
    fn message_layout() {
        let m = signed_message(1_679_315_147, "example.com/behind-the-sofa\n20852163\nCsUY=\n");
        assert_eq!(m, b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUY=\n".to_vec());
        assert!(split(&[0xff; 72]).is_none(), "a timestamp over 2^63-1 is refused");
        assert!(split(&[0; 71]).is_none());
    }
}
