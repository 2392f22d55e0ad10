//! TEE-bound keys in the ledger (docs/spec.md §13.7).
//!
//! A document signed by a key whose trust-root entry has `tee` verifies only
//! with a binding of that key (`attest.tee-binding.v1`). The ledger takes
//! bindings as entries like any other document — `POST /v1/entries` with the
//! binding verifies it alone (its quote at `boundAt` under Intel's SGX Root CA
//! or `--tee-root-ca`, the policy, and its age now) and logs it — and keeps
//! every logged binding, newest `boundAt` first, as the context's
//! [`BindingSource`]: a later document by that key is checked against them
//! (the core's rule: the bindings whose window holds the document's time are
//! tried in order). A restarted ledger reads them back from its log.
//!
//! Quote verdicts are cached (`DcapVerifier::cached`, 64 verdicts keyed by
//! quote, collateral and time), so the documents of one bound key cost one
//! DCAP verification, not one each.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use attest_tee_verifier::DcapVerifier;
use attest_verifier::tee::{parse_tee_binding, BindingSource, TeeBinding, MAX_BINDINGS_TRIED, TEE_BINDING_TYPE};
use attest_verifier::types::KeyId;

use crate::store::Store;
use crate::LedgerError;

/// The ledger's quote verifier and the bindings it logged.
#[derive(Debug)]
pub struct TeeState {
    verifier: DcapVerifier,
    /// Per key: the bindings, parsed once, with their digests; newest
    /// `boundAt` first, at most [`MAX_BINDINGS_TRIED`] (the core looks at no more).
    kept: RwLock<HashMap<KeyId, Vec<Arc<TeeBinding>>>>,
}

impl TeeState {
    /// Quotes chain to `root_ca` (DER or PEM; test infrastructure) or to
    /// Intel's SGX Root CA.
    pub fn new(root_ca: Option<&[u8]>) -> Result<Self, String> {
        let verifier = match root_ca {
            None => DcapVerifier::intel(),
            Some(ca) => DcapVerifier::with_root_ca(ca)?,
        };
        Ok(Self { verifier: verifier.cached(), kept: RwLock::default() })
    }

    /// The quote verifier.
    pub fn verifier(&self) -> &DcapVerifier {
        &self.verifier
    }

    /// Keeps a logged binding (its entry bytes); bytes that are not a
    /// binding are ignored.
    pub fn keep(&self, bytes: &[u8]) {
        let Ok(b) = parse_tee_binding(bytes) else { return };
        let mut kept = self.kept.write().unwrap_or_else(PoisonError::into_inner);
        let list = kept.entry(b.key_id()).or_default();
        if list.iter().any(|x| x.digest() == b.digest()) {
            return;
        }
        let pos = list.iter().position(|x| x.bound_at() < b.bound_at()).unwrap_or(list.len());
        list.insert(pos, Arc::new(b));
        list.truncate(MAX_BINDINGS_TRIED);
    }

    /// How many bindings are kept.
    pub fn len(&self) -> usize {
        self.kept.read().unwrap_or_else(PoisonError::into_inner).values().map(Vec::len).sum()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keeps every binding of the stored log (at startup). Blocking.
    pub fn load(&self, store: &mut dyn Store, size: u64) -> Result<(), LedgerError> {
        let mut start = 0;
        while start < size {
            let rows = store.entries_of_type(TEE_BINDING_TYPE, start, 4096)?;
            let Some(last) = rows.last().map(|(i, _)| *i) else { break };
            for (_, bytes) in rows {
                self.keep(&bytes);
            }
            start = last + 1;
        }
        Ok(())
    }
}

impl BindingSource for TeeState {
    fn bindings_for(&self, key: KeyId) -> Vec<Arc<TeeBinding>> {
        let kept = self.kept.read().unwrap_or_else(PoisonError::into_inner);
        kept.get(&key).cloned().unwrap_or_default()
    }
}
