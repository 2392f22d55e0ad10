//! Signing C2SP signed notes and log checkpoints (formats.md §8) with an
//! Ed25519 key, e.g. a ledger's `MasterSecret::master_ed25519()`.

use attest_verifier::checkpoint::{check_note_text, signature_line, Checkpoint, CheckpointError, VerifierKey};
use attest_verifier::cosignature::{self, CosignatureError, CosignerKey};

use crate::keys::Ed25519Signer;

/// A note signer: an Ed25519 key under a key name (for a log: its origin).
#[derive(Debug, Clone)]
pub struct NoteSigner {
    key: Ed25519Signer,
    verifier: VerifierKey,
}

impl NoteSigner {
    /// A signer for `key` under `name` (non-empty, no whitespace, no `+`).
    pub fn new(name: &str, key: Ed25519Signer) -> Result<Self, CheckpointError> {
        let verifier = VerifierKey::new(name, key.public_key())?;
        Ok(Self { key, verifier })
    }

    /// The verifier key (`name+keyid+base64`), for clients and witnesses.
    pub fn verifier_key(&self) -> &VerifierKey {
        &self.verifier
    }

    /// The key name.
    pub fn name(&self) -> &str {
        self.verifier.name()
    }

    /// Signs a note text (ending in a newline, no control characters): the
    /// text, a blank line and one signature line.
    pub fn sign_note(&self, text: &str) -> Result<String, CheckpointError> {
        check_note_text(text)?;
        let sig = self.key.sign(text.as_bytes());
        Ok(format!("{text}\n{}", signature_line(self.verifier.name(), self.verifier.key_id(), &sig)))
    }

    /// Signs a checkpoint whose origin is this signer's name.
    pub fn sign_checkpoint(&self, checkpoint: &Checkpoint) -> Result<String, CheckpointError> {
        if checkpoint.origin() != self.verifier.name() {
            return Err(CheckpointError::OriginMismatch {
                origin: checkpoint.origin().to_string(),
                key_name: self.verifier.name().to_string(),
            });
        }
        self.sign_note(&checkpoint.body())
    }
}

/// A witness's cosigner: an Ed25519 key under the witness name, signing
/// C2SP tlog-cosignature v1 lines (formats.md §9).
#[derive(Debug, Clone)]
pub struct CosignatureSigner {
    key: Ed25519Signer,
    verifier: CosignerKey,
}

impl CosignatureSigner {
    /// A cosigner for `key` under `name` (non-empty, no whitespace, no `+`).
    pub fn new(name: &str, key: Ed25519Signer) -> Result<Self, CosignatureError> {
        let verifier = CosignerKey::new(name, key.public_key())?;
        Ok(Self { key, verifier })
    }

    /// The cosigner vkey (`name+keyid+base64(0x04 ‖ key)`), for policies.
    pub fn cosigner_key(&self) -> &CosignerKey {
        &self.verifier
    }

    /// The cosignature line over `checkpoint_text` (a note text: the
    /// checkpoint body, final newline included) at `timestamp` (POSIX seconds).
    pub fn cosign(&self, checkpoint_text: &str, timestamp: u64) -> Result<String, CosignatureError> {
        check_note_text(checkpoint_text)?;
        if timestamp > cosignature::MAX_TIMESTAMP {
            return Err(CheckpointError::MalformedNote("a cosignature time above 2^63-1").into());
        }
        let sig = self.key.sign(&cosignature::signed_message(timestamp, checkpoint_text));
        Ok(cosignature::signature_line(&self.verifier, timestamp, &sig))
    }
}

#[cfg(test)]
mod tests {
    use attest_verifier::checkpoint::{verify_checkpoint, verify_note};
    use attest_verifier::merkle;

    use super::*;
    use crate::MasterSecret;

    #[test]
    fn reproduces_the_reference_example_byte_for_byte() {
        // golang.org/x/mod/sumdb/note: PRIVATE+KEY+PeterNeumann+c74f20a3+<base64(0x01 ‖ seed)>.
        use base64::Engine as _;
        let raw =
            base64::engine::general_purpose::STANDARD.decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz").unwrap();
        assert_eq!(raw[0], 1);
        let seed: [u8; 32] = raw[1..].try_into().unwrap();
        let signer = NoteSigner::new("PeterNeumann", Ed25519Signer::from_seed(seed)).unwrap();
        assert_eq!(
            signer.verifier_key().to_string(),
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
        );
        let text =
            "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
        let note = signer.sign_note(text).unwrap();
        assert_eq!(
            note,
            format!("{text}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")
        );
        assert!(verify_note(note.as_bytes(), signer.verifier_key()).is_ok());
    }

    #[test]
    fn signs_checkpoints_that_verify() {
        let secret = MasterSecret::from_bytes([3u8; 32]);
        let signer = NoteSigner::new("ledger.example/test", secret.master_ed25519()).unwrap();
        let root = merkle::tree_hash(&[merkle::leaf_hash(b"a"), merkle::leaf_hash(b"b")]);
        let cp = Checkpoint::new("ledger.example/test", 2, root).unwrap();
        let note = signer.sign_checkpoint(&cp).unwrap();
        let vk = VerifierKey::parse(&signer.verifier_key().to_string()).unwrap();
        assert_eq!(verify_checkpoint(note.as_bytes(), &vk).unwrap().into_inner(), cp);
        let other = Checkpoint::new("other", 2, root).unwrap();
        assert!(matches!(signer.sign_checkpoint(&other), Err(CheckpointError::OriginMismatch { .. })));
        assert!(signer.sign_note("no newline").is_err());
        assert!(signer.sign_note("tab\there\n").is_err());
        assert!(NoteSigner::new("has space", secret.master_ed25519()).is_err());
    }

    #[test]
    fn cosignatures_verify_and_bind_text_and_time() {
        use attest_verifier::checkpoint::parse_note;
        use attest_verifier::cosignature::cosigned_at;
        let secret = MasterSecret::from_bytes([3u8; 32]);
        let log = NoteSigner::new("ledger.example/test", secret.master_ed25519()).unwrap();
        let w =
            CosignatureSigner::new("witness.example/w1", MasterSecret::from_bytes([4; 32]).master_ed25519()).unwrap();
        let cp = Checkpoint::new("ledger.example/test", 2, merkle::leaf_hash(b"x")).unwrap();
        let note = log.sign_checkpoint(&cp).unwrap();
        let line = w.cosign(&cp.body(), 1_700_000_000).unwrap();
        let cosigned = format!("{note}{line}");
        let parsed = parse_note(cosigned.as_bytes()).unwrap();
        assert_eq!(cosigned_at(&parsed, w.cosigner_key()).unwrap(), 1_700_000_000);
        // The log's verification ignores the cosignature line.
        assert!(verify_checkpoint(cosigned.as_bytes(), log.verifier_key()).is_ok());
        // Another checkpoint's text: the line does not verify.
        let other = Checkpoint::new("ledger.example/test", 3, merkle::leaf_hash(b"x")).unwrap();
        let moved = format!("{}{line}", log.sign_checkpoint(&other).unwrap());
        assert!(cosigned_at(&parse_note(moved.as_bytes()).unwrap(), w.cosigner_key()).is_err());
        // A changed timestamp: the line does not verify.
        let w2 = w.cosign(&cp.body(), 1_700_000_001).unwrap();
        let (a, b) = (line.rsplit_once(' ').unwrap().1, w2.rsplit_once(' ').unwrap().1);
        use base64::Engine as _;
        let (mut ra, rb) = (
            base64::engine::general_purpose::STANDARD.decode(a.trim_end()).unwrap(),
            base64::engine::general_purpose::STANDARD.decode(b.trim_end()).unwrap(),
        );
        ra[4..12].copy_from_slice(&rb[4..12]);
        let forged =
            format!("{note}\u{2014} witness.example/w1 {}\n", base64::engine::general_purpose::STANDARD.encode(&ra));
        assert!(cosigned_at(&parse_note(forged.as_bytes()).unwrap(), w.cosigner_key()).is_err());
    }
}
