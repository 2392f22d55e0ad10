//! Replay detection across a batch (the `replay` check of `attest audit`).
//!
//! In input order, the first attestation with a given `executionId` passes and
//! every later one fails; likewise an ephemeral (delegated) key seen in two
//! different executions fails the later one (formats.md §4).

use crate::reason::Reason;
use crate::types::{Ed25519PublicKey, Sha256Digest};

/// Why an attestation is a replay.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplayError {
    /// The execution id was seen before.
    ExecutionId {
        /// The id.
        execution_id: String,
        /// Index of the first use.
        first: usize,
    },
    /// The ephemeral key signed another execution.
    EphemeralKey {
        /// The key.
        key: Ed25519PublicKey,
        /// The other execution.
        other: String,
        /// Index of the first use.
        first: usize,
    },
    /// The same heartbeat (envelope digest) was seen before.
    Heartbeat {
        /// The digest.
        digest: Sha256Digest,
        /// Index of the first use.
        first: usize,
    },
    /// A heartbeat attestation id was seen before, with other content.
    AttestationId {
        /// The id.
        attestation_id: String,
        /// Index of the first use.
        first: usize,
    },
}

/// The message with the earlier item named by its 0-based index (`item 3`).
impl core::fmt::Display for ReplayError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.describe(&format!("item {}", self.first())))
    }
}

impl std::error::Error for ReplayError {}

impl ReplayError {
    /// Index (0-based, in input order) of the item that used it first.
    pub fn first(&self) -> usize {
        match self {
            ReplayError::ExecutionId { first, .. }
            | ReplayError::EphemeralKey { first, .. }
            | ReplayError::Heartbeat { first, .. }
            | ReplayError::AttestationId { first, .. } => *first,
        }
    }

    /// The message with the first item named by the caller (`batch.jsonl:3`)
    /// instead of its 0-based index.
    pub fn describe(&self, first_name: &str) -> String {
        match self {
            ReplayError::ExecutionId { execution_id, .. } => {
                format!("executionId {execution_id:?} was already used by {first_name}")
            }
            ReplayError::EphemeralKey { key, other, .. } => {
                format!("ephemeral key {key} already signed execution {other:?} ({first_name})")
            }
            ReplayError::Heartbeat { digest, .. } => {
                format!("the same heartbeat (digest {digest}) was already given as {first_name}")
            }
            ReplayError::AttestationId { attestation_id, .. } => {
                format!("attestation_id {attestation_id:?} was already used by {first_name}")
            }
        }
    }

    /// Stable reason code.
    pub fn reason(&self) -> Reason {
        match self {
            ReplayError::ExecutionId { .. } => Reason::RepeatedExecutionId,
            ReplayError::EphemeralKey { .. } => Reason::ReusedEphemeralKey,
            ReplayError::Heartbeat { .. } => Reason::RepeatedHeartbeat,
            ReplayError::AttestationId { .. } => Reason::RepeatedAttestationId,
        }
    }
}

/// Tracks execution ids and ephemeral keys seen so far.
///
/// Keys are `SHA-256(0x00 ‖ executionId)` and `SHA-256(0x01 ‖ ephemeral key)`:
/// fixed-size, collision-resistant, so no chosen input can degrade lookups.
/// They are kept in sorted runs whose sizes follow a binary counter (the
/// logarithmic method): insertion is amortized O(log² n), a lookup is a
/// binary search per run. Deterministic (no randomly keyed hasher: the core
/// reads no randomness) and little code in the WASM module.
#[derive(Debug, Default)]
pub struct ReplayTracker {
    runs: Vec<Vec<Entry>>,
    /// Execution ids of delegated items, for the `reused-ephemeral-key` message.
    executions: Vec<String>,
}

/// (key, first item index, index into `executions` for ephemeral keys).
type Entry = ([u8; 32], usize, usize);

fn key(tag: u8, bytes: &[u8]) -> [u8; 32] {
    let mut m = Vec::with_capacity(bytes.len() + 1);
    m.push(tag);
    m.extend_from_slice(bytes);
    *crate::crypto::sha256(&m).as_bytes()
}

impl ReplayTracker {
    /// A new tracker.
    pub fn new() -> Self {
        Self::default()
    }

    fn get(&self, k: &[u8; 32]) -> Option<&Entry> {
        self.runs.iter().find_map(|run| run.binary_search_by(|e| e.0.cmp(k)).ok().and_then(|i| run.get(i)))
    }

    fn insert(&mut self, e: Entry) {
        let mut run = vec![e];
        while self.runs.last().is_some_and(|last| last.len() <= run.len()) {
            let mut last = self.runs.pop().unwrap_or_default();
            last.append(&mut run);
            last.sort_unstable_by_key(|e| e.0);
            run = last;
        }
        self.runs.push(run);
    }

    /// Records item `index`; returns the replay it constitutes, if any.
    pub fn observe(
        &mut self,
        index: usize,
        execution_id: &str,
        ephemeral: Option<&Ed25519PublicKey>,
    ) -> Result<(), ReplayError> {
        let exec_key = key(0, execution_id.as_bytes());
        if let Some(&(_, first, _)) = self.get(&exec_key) {
            return Err(ReplayError::ExecutionId { execution_id: execution_id.to_string(), first });
        }
        if let Some(eph) = ephemeral {
            let eph_key = key(1, eph.as_bytes());
            match self.get(&eph_key) {
                Some(&(_, first, slot)) => {
                    let other = self.executions.get(slot).cloned().unwrap_or_default();
                    if other != execution_id {
                        return Err(ReplayError::EphemeralKey { key: *eph, other, first });
                    }
                }
                None => {
                    self.executions.push(execution_id.to_string());
                    self.insert((eph_key, index, self.executions.len() - 1));
                }
            }
        }
        self.insert((exec_key, index, usize::MAX));
        Ok(())
    }

    /// Records heartbeat item `index`; returns the replay it constitutes, if any.
    pub fn observe_heartbeat(
        &mut self,
        index: usize,
        attestation_id: &str,
        digest: &Sha256Digest,
    ) -> Result<(), ReplayError> {
        let digest_key = key(2, digest.as_bytes());
        if let Some(&(_, first, _)) = self.get(&digest_key) {
            return Err(ReplayError::Heartbeat { digest: *digest, first });
        }
        let id_key = key(3, attestation_id.as_bytes());
        if let Some(&(_, first, _)) = self.get(&id_key) {
            return Err(ReplayError::AttestationId { attestation_id: attestation_id.to_string(), first });
        }
        self.insert((digest_key, index, usize::MAX));
        self.insert((id_key, index, usize::MAX));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tracker agrees with a plain map on a long sequence with repeats.
    #[test]
    fn agrees_with_a_map() {
        let mut t = ReplayTracker::new();
        let mut seen = std::collections::HashMap::new();
        for i in 0..5000usize {
            let id = format!("exec-{}", (i * 7919) % 3001);
            let got = t.observe(i, &id, None);
            match seen.get(&id) {
                Some(&first) => assert_eq!(got, Err(ReplayError::ExecutionId { execution_id: id, first })),
                None => {
                    assert_eq!(got, Ok(()));
                    seen.insert(id, i);
                }
            }
        }
        let runs: Vec<usize> = t.runs.iter().map(Vec::len).collect();
        assert!(runs.windows(2).all(|w| w[0] > w[1]), "run sizes {runs:?}");
    }

    #[test]
    fn an_ephemeral_key_in_two_executions_is_a_replay() {
        let k = Ed25519PublicKey::from_hex(&"11".repeat(32)).unwrap();
        let mut t = ReplayTracker::new();
        assert_eq!(t.observe(0, "a", Some(&k)), Ok(()));
        assert_eq!(t.observe(1, "b", Some(&k)), Err(ReplayError::EphemeralKey { key: k, other: "a".into(), first: 0 }));
    }
}
