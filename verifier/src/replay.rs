//! Replay detection across a batch (the `replay` check of `attest audit`).
//!
//! In input order, the first attestation with a given `executionId` passes and
//! every later one fails; likewise an ephemeral (delegated) key seen in two
//! different executions fails the later one (formats.md §4).

use std::collections::HashMap;

use crate::reason::Reason;
use crate::types::Ed25519PublicKey;

/// Why an attestation is a replay.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The execution id was seen before.
    #[error("executionId {execution_id:?} was already used by item {first}")]
    ExecutionId {
        /// The id.
        execution_id: String,
        /// Index of the first use.
        first: usize,
    },
    /// The ephemeral key signed another execution.
    #[error("ephemeral key {key} already signed execution {other:?} (item {first})")]
    EphemeralKey {
        /// The key.
        key: Ed25519PublicKey,
        /// The other execution.
        other: String,
        /// Index of the first use.
        first: usize,
    },
}

impl ReplayError {
    /// Stable reason code.
    pub fn reason(&self) -> Reason {
        match self {
            ReplayError::ExecutionId { .. } => Reason::RepeatedExecutionId,
            ReplayError::EphemeralKey { .. } => Reason::ReusedEphemeralKey,
        }
    }
}

/// Tracks execution ids and ephemeral keys seen so far.
#[derive(Debug, Default)]
pub struct ReplayTracker {
    executions: HashMap<String, usize>,
    ephemeral: HashMap<Ed25519PublicKey, (String, usize)>,
}

impl ReplayTracker {
    /// A new tracker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records item `index`; returns the replay it constitutes, if any.
    pub fn observe(
        &mut self,
        index: usize,
        execution_id: &str,
        ephemeral: Option<&Ed25519PublicKey>,
    ) -> Result<(), ReplayError> {
        if let Some(&first) = self.executions.get(execution_id) {
            return Err(ReplayError::ExecutionId { execution_id: execution_id.to_string(), first });
        }
        if let Some(key) = ephemeral {
            if let Some((other, first)) = self.ephemeral.get(key) {
                if other != execution_id {
                    return Err(ReplayError::EphemeralKey { key: *key, other: other.clone(), first: *first });
                }
            }
            self.ephemeral.insert(*key, (execution_id.to_string(), index));
        }
        self.executions.insert(execution_id.to_string(), index);
        Ok(())
    }
}
