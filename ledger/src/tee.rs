//! TEE-bound keys in the ledger (docs/spec.md §13.7).
//!
//! A document signed by a key whose trust-root entry has `tee` verifies only
//! with a binding of that key (`attest.tee-binding.v1`). The ledger takes
//! bindings as entries like any other document — `POST /v1/entries` with the
//! binding verifies it alone (its quote at `boundAt` under Intel's SGX Root CA
//! or `--tee-root-ca`, the policy, and its age now) and logs it — and keeps
//! the logged bindings (the 4,096 newest per key), newest `boundAt` first, as the context's
//! [`BindingSource`]: a later document by that key is checked against them
//! (the core's rule: the bindings whose window holds the document's time are
//! tried in order). A restarted ledger reads them back from its log.
//!
//! Quote verdicts are cached (`DcapVerifier::cached`, 64 verdicts keyed by
//! quote, collateral and time), so the documents of one bound key cost one
//! DCAP verification, not one each.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use attest_tee_verifier::DcapVerifier;
use attest_verifier::tee::{parse_tee_binding, BindingSource, TeeBinding, MAX_BINDINGS_TRIED, TEE_BINDING_TYPE};
use attest_verifier::types::KeyId;
use attest_verifier::Timestamp;

use crate::store::Store;
use crate::LedgerError;

/// At most this many bindings are kept per key, the newest `boundAt`s: a
/// binding is unsigned, so anyone can log re-dated copies of a logged one
/// (each verified and logged); 4,096 copies would push out the oldest
/// genuine ones, and documents dated only in their windows would then fail
/// `binding-age` (docs/spec.md §13.7).
pub const MAX_KEPT_PER_KEY: usize = 4096;

/// The ledger's quote verifier and the bindings it logged.
#[derive(Debug)]
pub struct TeeState {
    verifier: DcapVerifier,
    /// Per key: the bindings, parsed once; newest `boundAt` first, at most
    /// [`MAX_KEPT_PER_KEY`] (the oldest go first).
    kept: RwLock<HashMap<KeyId, Vec<Arc<TeeBinding>>>>,
    /// The log index after the last binding entry read from the store.
    read_up_to: AtomicU64,
}

impl TeeState {
    /// Quotes chain to `root_ca` (DER or PEM; test infrastructure) or to
    /// Intel's SGX Root CA.
    pub fn new(root_ca: Option<&[u8]>) -> Result<Self, String> {
        let verifier = match root_ca {
            None => DcapVerifier::intel(),
            Some(ca) => DcapVerifier::with_root_ca(ca)?,
        };
        Ok(Self { verifier: verifier.cached(), kept: RwLock::default(), read_up_to: AtomicU64::new(0) })
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
        list.truncate(MAX_KEPT_PER_KEY);
    }

    /// How many bindings are kept.
    pub fn len(&self) -> usize {
        self.kept.read().unwrap_or_else(PoisonError::into_inner).values().map(Vec::len).sum()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keeps every binding of the stored log past the last one read (at
    /// startup: all of them). Blocking. Also how a ledger process sharing a
    /// PostgreSQL database learns the bindings another process logged: a
    /// document by a TEE-bound key that finds no binding here makes the
    /// ledger read the store again and verify once more (`http.rs`).
    pub fn load(&self, store: &mut dyn Store) -> Result<(), LedgerError> {
        let mut start = self.read_up_to.load(Ordering::Acquire);
        loop {
            let rows = store.entries_of_type(TEE_BINDING_TYPE, start, 4096)?;
            let Some(last) = rows.last().map(|(i, _)| *i) else { break };
            for (_, bytes) in rows {
                self.keep(&bytes);
            }
            start = last + 1;
        }
        self.read_up_to.fetch_max(start, Ordering::AcqRel);
        Ok(())
    }
}

impl BindingSource for TeeState {
    /// Those with `boundAt ≤ t`, newest first, at most [`MAX_BINDINGS_TRIED`].
    fn bindings_for(&self, key: KeyId, t: Timestamp) -> Vec<Arc<TeeBinding>> {
        let kept = self.kept.read().unwrap_or_else(PoisonError::into_inner);
        let Some(list) = kept.get(&key) else { return Vec::new() };
        // Newest first: skip those bound after `t` (they cannot cover it).
        let from = list.partition_point(|b| b.bound_at() > t);
        list.iter().skip(from).take(MAX_BINDINGS_TRIED).cloned().collect()
    }
}
