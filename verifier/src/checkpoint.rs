//! C2SP signed notes (`c2sp.org/signed-note`) and transparency-log
//! checkpoints (`c2sp.org/tlog-checkpoint`) with Ed25519 keys (formats.md §8).
//!
//! # Byte layout
//!
//! ```text
//! note          = text "\n" signature-line+
//! text          = one or more lines, each ending in "\n" (UTF-8, no control
//!                 characters other than "\n")
//! signature-line = "— " name " " base64(key ID ‖ signature) "\n"
//!                 ("—" is U+2014 EM DASH)
//! key ID        = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[0..4]
//! verifier key  = name "+" hex(key ID) "+" base64(0x01 ‖ public key)
//! checkpoint    = origin "\n" decimal(size) "\n" base64(root) "\n" extension-line*
//! ```
//!
//! The signature is Ed25519 (strict verification, formats.md §0) over the
//! text, its final newline included. The note text is split from the
//! signatures at the **last** blank line, as the reference implementation
//! does.
//!
//! # Decisions
//!
//! - Sizes are bounded: a note is at most [`MAX_NOTE_BYTES`] bytes with at
//!   most [`MAX_SIGNATURES`] signature lines (the reference limit), so parsing
//!   work is bounded by the input.
//! - A signature line of a key the verifier does not know (other name or key
//!   ID: a witness cosignature, another log's key) is kept unverified and
//!   otherwise ignored; a line of the log's key must verify, and two lines of
//!   the log's key make the note malformed.
//! - Names are non-empty, valid UTF-8, without whitespace or `+`. A checkpoint
//!   is only accepted when its origin line equals the log key's name.
//! - Key IDs are lowercase hex in verifier keys (as the reference formats
//!   them); base64 is standard, padded and canonical everywhere.
//! - A checkpoint size is decimal without leading zeros (`0` alone is the
//!   empty tree); extension lines must be non-empty.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest as _, Sha256};

use crate::crypto::StrictVerifyingKey;
use crate::report::Verified;
use crate::types::{Ed25519PublicKey, Ed25519Signature, Sha256Digest};

/// The largest note accepted, in bytes.
pub const MAX_NOTE_BYTES: usize = 65_536;
/// The most signature lines a note may carry.
pub const MAX_SIGNATURES: usize = 100;
/// The signature-line prefix: U+2014 EM DASH and a space.
pub const SIGNATURE_PREFIX: &str = "\u{2014} ";
/// The signature-type byte of Ed25519 keys in key IDs and verifier keys.
pub const ED25519_SIGNATURE_TYPE: u8 = 0x01;

/// Why a note, verifier key or checkpoint is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The note is larger than [`MAX_NOTE_BYTES`].
    #[error("note is {0} bytes, more than the {MAX_NOTE_BYTES}-byte limit")]
    TooLarge(usize),
    /// The note is not a well-formed signed note.
    #[error("malformed note: {0}")]
    MalformedNote(&'static str),
    /// The verifier key text is not `name+keyid+base64`, or names an unusable key.
    #[error("malformed verifier key: {0}")]
    MalformedVerifierKey(&'static str),
    /// A key name is empty, or holds whitespace or `+`.
    #[error("invalid key name")]
    InvalidName,
    /// The note carries no signature line of the log key (named `name+keyid`).
    #[error("no signature by the log key {0}")]
    NotSigned(String),
    /// The log key's signature does not verify (the key named `name+keyid`).
    #[error("the signature by the log key {0} does not verify")]
    BadSignature(String),
    /// The note text is not a checkpoint body.
    #[error("malformed checkpoint: {0}")]
    MalformedCheckpoint(&'static str),
    /// The checkpoint's origin is not the log key's name.
    #[error("checkpoint origin {origin:?} is not the log key name {key_name:?}")]
    OriginMismatch {
        /// The origin line.
        origin: String,
        /// The key name.
        key_name: String,
    },
}

impl CheckpointError {
    /// What is wrong, as fixed text (for a document's `parse` failure; the
    /// `Display` form adds the values).
    pub fn rule(&self) -> &'static str {
        match self {
            CheckpointError::TooLarge(_) => "note over 65,536 bytes",
            CheckpointError::MalformedNote(s)
            | CheckpointError::MalformedVerifierKey(s)
            | CheckpointError::MalformedCheckpoint(s) => s,
            CheckpointError::InvalidName => "invalid key name",
            CheckpointError::NotSigned(_) => "not signed by the log key",
            CheckpointError::BadSignature(_) => "bad log key signature",
            CheckpointError::OriginMismatch { .. } => "origin is not the key name",
        }
    }

    /// A stable reason string.
    pub fn reason(&self) -> &'static str {
        match self {
            CheckpointError::TooLarge(_) => "note-too-large",
            CheckpointError::MalformedNote(_) => "malformed-note",
            CheckpointError::MalformedVerifierKey(_) => "malformed-verifier-key",
            CheckpointError::InvalidName => "invalid-key-name",
            CheckpointError::NotSigned(_) => "not-signed-by-log",
            CheckpointError::BadSignature(_) => "bad-log-signature",
            CheckpointError::MalformedCheckpoint(_) => "malformed-checkpoint",
            CheckpointError::OriginMismatch { .. } => "origin-mismatch",
        }
    }
}

/// The 4-byte key ID of a signed-note key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NoteKeyId([u8; 4]);

impl NoteKeyId {
    /// The key ID of an Ed25519 key under a name: the first 4 bytes of
    /// `SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)`.
    pub fn of(name: &str, key: &Ed25519PublicKey) -> Self {
        Self::of_type(name, ED25519_SIGNATURE_TYPE, key)
    }

    /// The key ID of a key of signature type `sig_type` (0x01 a note signer,
    /// 0x04 an Ed25519 cosigner): the first 4 bytes of
    /// `SHA-256(name ‖ 0x0A ‖ sig_type ‖ public key)`.
    pub fn of_type(name: &str, sig_type: u8, key: &Ed25519PublicKey) -> Self {
        let mut h = Sha256::new();
        h.update(name.as_bytes());
        h.update([b'\n', sig_type]);
        h.update(key.as_bytes());
        let d: [u8; 32] = h.finalize().into();
        Self([d[0], d[1], d[2], d[3]])
    }

    /// Wraps raw bytes.
    pub const fn from_bytes(bytes: [u8; 4]) -> Self {
        Self(bytes)
    }

    /// The raw bytes.
    pub const fn as_bytes(&self) -> &[u8; 4] {
        &self.0
    }

    /// Lowercase hex (8 characters).
    pub fn to_hex(&self) -> String {
        crate::types::to_lower_hex(&self.0)
    }
}

/// A C2SP decimal (checkpoint sizes, tlog-proof indexes, tlog-witness old
/// sizes): ASCII digits without leading zeros (`0` alone), within u64.
pub fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || (s.len() > 1 && s.starts_with('0')) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A valid key name: non-empty, no whitespace, no `+`.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// Parses a verifier key `name+hex(keyID)+base64(sig_type ‖ 32-byte Ed25519
/// key)` of one signature type; the key ID must be the name's and key's.
pub(crate) fn parse_vkey(text: &str, sig_type: u8) -> Result<(&str, Ed25519PublicKey), CheckpointError> {
    let bad = CheckpointError::MalformedVerifierKey;
    let mut parts = text.splitn(3, '+');
    let (Some(name), Some(id_hex), Some(key_b64)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("expected name+keyid+key"));
    };
    if !is_valid_name(name) {
        return Err(CheckpointError::InvalidName);
    }
    if id_hex.len() != 8 || !id_hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(bad("the key ID must be 8 lowercase hex digits"));
    }
    // type ‖ 32 key bytes: exactly 44 base64 characters, decoded into a fixed buffer.
    let mut raw = [0u8; 33];
    if key_b64.len() != 44 || STANDARD.decode_slice(key_b64, &mut raw) != Ok(33) {
        return Err(bad("the key is not canonical base64 of a type byte and 32 key bytes"));
    }
    let [t, key @ ..] = raw;
    if t != sig_type {
        return Err(if sig_type == ED25519_SIGNATURE_TYPE {
            bad("not an Ed25519 note key (type byte 0x01)")
        } else {
            bad("not an Ed25519 cosignature key (type byte 0x04)")
        });
    }
    let key = Ed25519PublicKey::from_bytes(key);
    if NoteKeyId::of_type(name, sig_type, &key).to_hex() != id_hex {
        return Err(bad("the key ID does not match the name and key"));
    }
    Ok((name, key))
}

/// A signed-note verifier key for an Ed25519 key.
#[derive(Debug, Clone)]
pub struct VerifierKey {
    name: String,
    key_id: NoteKeyId,
    key: StrictVerifyingKey,
}

impl VerifierKey {
    /// The verifier key of `public_key` under `name`.
    pub fn new(name: &str, public_key: Ed25519PublicKey) -> Result<Self, CheckpointError> {
        if !is_valid_name(name) {
            return Err(CheckpointError::InvalidName);
        }
        let key = StrictVerifyingKey::new(public_key)
            .map_err(|_| CheckpointError::MalformedVerifierKey("not a usable Ed25519 public key"))?;
        Ok(Self { name: name.to_string(), key_id: NoteKeyId::of(name, &public_key), key })
    }

    /// Parses `name+hex(keyID)+base64(0x01 ‖ public key)`; the key ID must be the key's.
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let (name, key) = parse_vkey(text, ED25519_SIGNATURE_TYPE)?;
        Self::new(name, key)
    }

    /// The key name (for a log: its origin).
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
}

impl core::fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut raw = Vec::with_capacity(33);
        raw.push(ED25519_SIGNATURE_TYPE);
        raw.extend_from_slice(self.public_key().as_bytes());
        write!(f, "{}+{}+{}", self.name, self.key_id.to_hex(), STANDARD.encode(raw))
    }
}

/// One signature line of a note, as given (not verified unless it is the log key's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    name: String,
    key_id: NoteKeyId,
    signature: Vec<u8>,
}

impl NoteSignature {
    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The key ID.
    pub fn key_id(&self) -> NoteKeyId {
        self.key_id
    }
    /// The signature bytes after the key ID.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }
}

/// A parsed signed note: its text and signature lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

impl Note {
    /// The text (what is signed), final newline included.
    pub fn text(&self) -> &str {
        &self.text
    }
    /// The signature lines in order.
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }
}

/// A control character other than newline (all are ASCII, so a byte scan is exact for UTF-8).
fn has_control(s: &str) -> bool {
    s.bytes().any(|b| b < b' ' && b != b'\n')
}

/// Checks a note text: non-empty, ends in a newline, no control characters
/// other than newline (UTF-8 is guaranteed by `&str`).
pub fn check_note_text(text: &str) -> Result<(), CheckpointError> {
    if !text.ends_with('\n') {
        return Err(CheckpointError::MalformedNote("the text must end with a newline"));
    }
    if has_control(text) {
        return Err(CheckpointError::MalformedNote("control character in the text"));
    }
    if text.len() > MAX_NOTE_BYTES {
        return Err(CheckpointError::TooLarge(text.len()));
    }
    Ok(())
}

/// One signature line (`— name base64(key ID ‖ signature)\n`).
pub fn signature_line(name: &str, key_id: NoteKeyId, signature: &Ed25519Signature) -> String {
    let mut raw = Vec::with_capacity(68);
    raw.extend_from_slice(key_id.as_bytes());
    raw.extend_from_slice(signature.as_bytes());
    format!("{SIGNATURE_PREFIX}{name} {}\n", STANDARD.encode(raw))
}

/// Parses a signed note without verifying any signature.
pub fn parse_note(bytes: &[u8]) -> Result<Note, CheckpointError> {
    let bad = CheckpointError::MalformedNote;
    if bytes.len() > MAX_NOTE_BYTES {
        return Err(CheckpointError::TooLarge(bytes.len()));
    }
    let s = core::str::from_utf8(bytes).map_err(|_| bad("not UTF-8"))?;
    if has_control(s) {
        return Err(bad("control character in the note"));
    }
    if !s.ends_with('\n') {
        return Err(bad("the note must end with a newline"));
    }
    // The last blank line (bytes, not a substring searcher: the WASM module's size).
    let split =
        s.as_bytes().windows(2).rposition(|w| w == b"\n\n").ok_or(bad("no blank line before the signatures"))?;
    let (text, sigs) = (s.get(..=split).unwrap_or_default(), s.get(split + 2..).unwrap_or_default());
    if sigs.is_empty() {
        return Err(bad("no signature line"));
    }
    let mut signatures = Vec::new();
    for line in sigs.split_terminator('\n') {
        if signatures.len() == MAX_SIGNATURES {
            return Err(bad("more than 100 signature lines"));
        }
        let rest = line.strip_prefix(SIGNATURE_PREFIX).ok_or(bad("a signature line must start with \"— \""))?;
        let (name, b64) = rest.split_once(' ').ok_or(bad("a signature line is \"— name signature\""))?;
        if !is_valid_name(name) {
            return Err(bad("invalid key name in a signature line"));
        }
        // Into a buffer of the decoded length's bound (decode_slice: the engine the rest of the verifier uses).
        let mut raw = vec![0u8; b64.len() / 4 * 3 + 3];
        let n = STANDARD.decode_slice(b64, &mut raw).map_err(|_| bad("signature is not canonical padded base64"))?;
        raw.truncate(n);
        let (Some(id), Some(sig)) = (raw.get(..4), raw.get(4..)) else {
            return Err(bad("signature shorter than its 4-byte key ID"));
        };
        if sig.is_empty() {
            return Err(bad("empty signature"));
        }
        let id: [u8; 4] = id.try_into().map_err(|_| bad("key ID"))?;
        signatures.push(NoteSignature { name: name.to_string(), key_id: NoteKeyId(id), signature: sig.to_vec() });
    }
    Ok(Note { text: text.to_string(), signatures })
}

/// Parses a note and verifies the signature of `key` (which must be present
/// exactly once); other keys' signatures are kept unverified.
pub fn verify_note(bytes: &[u8], key: &VerifierKey) -> Result<Verified<Note>, CheckpointError> {
    let note = parse_note(bytes)?;
    verify_parsed_note(&note, key)?;
    Ok(Verified::new(note))
}

/// The signature check of [`verify_note`] on a note already parsed: the
/// signature line of `key` is present exactly once and verifies over the text.
pub fn verify_parsed_note(note: &Note, key: &VerifierKey) -> Result<(), CheckpointError> {
    let mut ours = note.signatures.iter().filter(|s| s.name == key.name && s.key_id == key.key_id);
    // Named as `name+keyid` (no base64 encoder on this path: the WASM module's size).
    let named = || format!("{}+{}", key.name, key.key_id.to_hex());
    let sig = ours.next().ok_or_else(|| CheckpointError::NotSigned(named()))?;
    if ours.next().is_some() {
        return Err(CheckpointError::MalformedNote("two signature lines of the log key"));
    }
    let bad = || CheckpointError::BadSignature(named());
    let sig: [u8; 64] = sig.signature.as_slice().try_into().map_err(|_| bad())?;
    if !key.key.verify(note.text.as_bytes(), &Ed25519Signature::from_bytes(sig)) {
        return Err(bad());
    }
    Ok(())
}

/// A tlog-checkpoint body: origin, tree size, root hash and extension lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    origin: String,
    size: u64,
    root: Sha256Digest,
    extensions: Vec<String>,
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    pub fn new(origin: &str, size: u64, root: Sha256Digest) -> Result<Self, CheckpointError> {
        if origin.is_empty() || origin.chars().any(|c| c < ' ') {
            return Err(CheckpointError::MalformedCheckpoint("the origin must be a non-empty line"));
        }
        Ok(Self { origin: origin.to_string(), size, root, extensions: Vec::new() })
    }

    /// Parses a checkpoint body (a note's text).
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let bad = CheckpointError::MalformedCheckpoint;
        check_note_text(text)?;
        let mut lines = text.split_terminator('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next()) else {
            return Err(bad("fewer than three lines"));
        };
        if origin.is_empty() {
            return Err(bad("empty origin line"));
        }
        let digits_ok =
            !size.is_empty() && size.bytes().all(|b| b.is_ascii_digit()) && (size == "0" || !size.starts_with('0'));
        let size: u64 = if digits_ok {
            size.parse().map_err(|_| bad("size out of range"))?
        } else {
            return Err(bad("the size must be decimal without leading zeros"));
        };
        let root =
            Sha256Digest::from_base64(root).map_err(|_| bad("the root is not canonical padded base64 of 32 bytes"))?;
        let extensions: Vec<String> = lines.map(str::to_string).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(bad("empty extension line"));
        }
        Ok(Self { origin: origin.to_string(), size, root, extensions })
    }

    /// The origin line.
    pub fn origin(&self) -> &str {
        &self.origin
    }
    /// The tree size.
    pub fn size(&self) -> u64 {
        self.size
    }
    /// The root hash.
    pub fn root(&self) -> Sha256Digest {
        self.root
    }
    /// Extension lines after the root, in order.
    pub fn extensions(&self) -> &[String] {
        &self.extensions
    }

    /// The body text: `origin\nsize\nbase64(root)\n` and the extension lines.
    pub fn body(&self) -> String {
        let mut s = format!("{}\n{}\n{}\n", self.origin, self.size, STANDARD.encode(self.root.as_bytes()));
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }
}

/// Verifies a signed checkpoint note under the log's verifier key: the log
/// key's signature verifies, the text is a checkpoint, its origin is the key name.
pub fn verify_checkpoint(note_bytes: &[u8], key: &VerifierKey) -> Result<Verified<Checkpoint>, CheckpointError> {
    let note = verify_note(note_bytes, key)?.into_inner();
    let cp = Checkpoint::parse(&note.text)?;
    if cp.origin != key.name {
        return Err(CheckpointError::OriginMismatch { origin: cp.origin, key_name: key.name.clone() });
    }
    Ok(Verified::new(cp))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of the Go reference implementation (golang.org/x/mod/sumdb/note,
    // repeated by c2sp.org/signed-note), copied as data.
    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const PETER_TEXT: &str =
        "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    const PETER_SIG: &str =
        "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    fn peter_note() -> String {
        format!("{PETER_TEXT}\n{PETER_SIG}")
    }

    #[test]
    fn reference_example_verifies() {
        let vk = VerifierKey::parse(PETER_VKEY).unwrap();
        assert_eq!(vk.name(), "PeterNeumann");
        assert_eq!(vk.key_id().to_hex(), "c74f20a3");
        assert_eq!(vk.to_string(), PETER_VKEY);
        let note = verify_note(peter_note().as_bytes(), &vk).unwrap().into_inner();
        assert_eq!(note.text(), PETER_TEXT);
        assert_eq!(note.signatures().len(), 1);
        // Key ID recomputed from the name and key.
        assert_eq!(NoteKeyId::of("PeterNeumann", vk.public_key()), vk.key_id());
    }

    #[test]
    fn reference_example_tampered_fails() {
        let vk = VerifierKey::parse(PETER_VKEY).unwrap();
        let bad = peter_note().replace("cryptography", "cryptographY");
        assert!(matches!(verify_note(bad.as_bytes(), &vk), Err(CheckpointError::BadSignature(_))));
        // Last signature byte changed (still canonical base64).
        let bad = peter_note().replace("JnAM=", "JnAA=");
        assert!(matches!(verify_note(bad.as_bytes(), &vk), Err(CheckpointError::BadSignature(_))));
    }

    #[test]
    fn verifier_key_manglings_are_refused() {
        // Every strict substring and every single-byte increment, as the reference tests do.
        let b = PETER_VKEY.as_bytes();
        for i in 0..=b.len() {
            for j in i + 1..=b.len() {
                if i != 0 || j != b.len() {
                    if let Ok(s) = core::str::from_utf8(&b[i..j]) {
                        assert!(VerifierKey::parse(s).is_err(), "{s}");
                    }
                }
            }
        }
        for i in 0..b.len() {
            let mut m = b.to_vec();
            m[i] = m[i].wrapping_add(1);
            if let Ok(s) = core::str::from_utf8(&m) {
                assert!(VerifierKey::parse(s).is_err(), "{s}");
            }
        }
        assert!(VerifierKey::parse("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").is_err());
        assert_eq!(
            VerifierKey::new("a b", *VerifierKey::parse(PETER_VKEY).unwrap().public_key()).err(),
            Some(CheckpointError::InvalidName)
        );
    }

    #[test]
    fn unknown_signatures_are_ignored_and_the_log_key_is_required() {
        let vk = VerifierKey::parse(PETER_VKEY).unwrap();
        // A witness cosignature (another key) before and after.
        let other = "— witness.example AAAAAAE=\n";
        let note = format!("{PETER_TEXT}\n{other}{PETER_SIG}{other}");
        let n = verify_note(note.as_bytes(), &vk).unwrap().into_inner();
        assert_eq!(n.signatures().len(), 3);
        // Only other keys: not signed by the log.
        let note = format!("{PETER_TEXT}\n{other}");
        assert!(matches!(verify_note(note.as_bytes(), &vk), Err(CheckpointError::NotSigned(_))));
        // Same name, other key ID: unknown, ignored, so not signed.
        let note = format!("{PETER_TEXT}\n— PeterNeumann AAAAAAAA\n");
        assert!(matches!(verify_note(note.as_bytes(), &vk), Err(CheckpointError::NotSigned(_))));
        // Twice the log key.
        let note = format!("{PETER_TEXT}\n{PETER_SIG}{PETER_SIG}");
        assert_eq!(
            verify_note(note.as_bytes(), &vk).err(),
            Some(CheckpointError::MalformedNote("two signature lines of the log key"))
        );
    }

    #[test]
    fn malformed_notes_are_refused() {
        let cases: Vec<String> = vec![
            String::new(),
            PETER_TEXT.to_string(),                              // no signatures
            format!("{PETER_TEXT}\n"),                           // blank line, no signature
            format!("{PETER_TEXT}\n{}", PETER_SIG.trim_end()),   // no final newline
            format!("{PETER_TEXT}\n- PeterNeumann AAAAAAAA\n"),  // hyphen, not em dash
            format!("{PETER_TEXT}\n— PeterNeumann AAAA\n"),      // 3 bytes
            format!("{PETER_TEXT}\n— PeterNeumann AAAAAA==\n"),  // 4 bytes: no signature
            format!("{PETER_TEXT}\n— Peter+Neumann AAAAAAAA\n"), // + in the name
            format!("{PETER_TEXT}\n— PeterNeumann AAAAAAA=\n"),  // non-canonical trailing bits? 5 bytes, fine base64
            format!("{PETER_TEXT}\n—  PeterNeumann AAAAAAAA\n"), // empty name
            format!("a\tb\n\n{PETER_SIG}"),                      // control character
        ];
        for (i, c) in cases.iter().enumerate() {
            let r = parse_note(c.as_bytes());
            // Case 8 is well-formed base64 of 5 bytes: a parseable note, unknown key.
            if i == 8 {
                assert!(r.is_ok(), "case {i}");
                continue;
            }
            assert!(r.is_err(), "case {i}: {c:?}");
        }
        assert!(parse_note(&[0xff, b'\n', b'\n']).is_err());
        let many = format!("{PETER_TEXT}\n{}", "— w AAAAAAAA\n".repeat(101));
        assert_eq!(
            parse_note(many.as_bytes()).err(),
            Some(CheckpointError::MalformedNote("more than 100 signature lines"))
        );
        let big = vec![b'a'; MAX_NOTE_BYTES + 1];
        assert_eq!(parse_note(&big).err(), Some(CheckpointError::TooLarge(MAX_NOTE_BYTES + 1)));
    }

    #[test]
    fn checkpoint_bodies() {
        let root = crate::merkle::EMPTY_TREE_HASH;
        let cp = Checkpoint::new("example.com/log", 0, root).unwrap();
        let body = cp.body();
        assert_eq!(body, "example.com/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
        assert_eq!(Checkpoint::parse(&body).unwrap(), cp);
        let ext = format!("{body}ext one\n");
        assert_eq!(Checkpoint::parse(&ext).unwrap().extensions(), ["ext one".to_string()]);
        for bad in [
            "example.com/log\n00\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
            "example.com/log\n01\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
            "example.com/log\n-1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
            "example.com/log\n18446744073709551616\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
            "example.com/log\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n",
            "example.com/log\n1\nAAAA\n",
            "example.com/log\n1\n",
            "\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
            "example.com/log\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n",
            "example.com/log\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        ] {
            assert!(Checkpoint::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Checkpoint::new("", 1, root).is_err());
        assert!(Checkpoint::new("a\nb", 1, root).is_err());
    }

    #[test]
    fn checkpoint_origin_must_be_the_key_name() {
        // The reference note is signed by PeterNeumann; its text is no checkpoint.
        let vk = VerifierKey::parse(PETER_VKEY).unwrap();
        assert!(matches!(
            verify_checkpoint(peter_note().as_bytes(), &vk),
            Err(CheckpointError::MalformedCheckpoint(_))
        ));
        assert_eq!(
            CheckpointError::OriginMismatch { origin: "a".into(), key_name: "b".into() }.reason(),
            "origin-mismatch"
        );
    }

    #[test]
    fn signed_checkpoint_verifies_and_edits_fail() {
        use ed25519_dalek::Signer as _;
        let sk = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let pk = Ed25519PublicKey::from_bytes(sk.verifying_key().to_bytes());
        let vk = VerifierKey::new("example.com/log", pk).unwrap();
        assert_eq!(VerifierKey::parse(&vk.to_string()).unwrap().key_id(), vk.key_id());
        let root = crate::merkle::leaf_hash(b"e");
        let body = Checkpoint::new("example.com/log", 1, root).unwrap().body();
        let sign = |text: &str, name: &str, id: NoteKeyId| {
            let sig = Ed25519Signature::from_bytes(sk.sign(text.as_bytes()).to_bytes());
            format!("{text}\n{}", signature_line(name, id, &sig))
        };
        let note = sign(&body, "example.com/log", vk.key_id());
        let cp = verify_checkpoint(note.as_bytes(), &vk).unwrap().into_inner();
        assert_eq!((cp.origin(), cp.size(), cp.root()), ("example.com/log", 1, root));
        // The size edited after signing.
        let edited = note.replacen("\n1\n", "\n2\n", 1);
        assert!(matches!(verify_checkpoint(edited.as_bytes(), &vk), Err(CheckpointError::BadSignature(_))));
        // Signed by the right key, but for another origin.
        let other = Checkpoint::new("other.example/log", 1, root).unwrap().body();
        let note = sign(&other, "example.com/log", vk.key_id());
        assert!(matches!(verify_checkpoint(note.as_bytes(), &vk), Err(CheckpointError::OriginMismatch { .. })));
        // A 63-byte signature of the log key.
        let short = format!(
            "{body}\n— example.com/log {}\n",
            STANDARD.encode([vk.key_id().as_bytes().as_slice(), &[0u8; 63]].concat())
        );
        assert!(matches!(verify_checkpoint(short.as_bytes(), &vk), Err(CheckpointError::BadSignature(_))));
    }
}
