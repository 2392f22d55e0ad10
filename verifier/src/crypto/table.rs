//! Strict Ed25519 verification through a per-key precomputed table (native
//! builds only).
//!
//! A batch of attestations is signed by few keys, so for a key used more than
//! [`BUILD_AFTER`] times we precompute the multiples of −A once (a radix-16
//! table, 32 rows × 8 points = 30 KB, built on first need and shared by every
//! clone of the key and every thread) and compute the verification equation
//! as two fixed-base multiplications instead of one double-scalar
//! multiplication — about 1.5× faster per signature here (docs/benchmarks.md §1).
//!
//! Inputs, as for ed25519-dalek 2.x `verify_strict`: the 32 bytes of A exactly
//! as given (they are hashed as given), the message M, and the 64 signature
//! bytes R ‖ S (S little-endian). The verdict is **accept** iff all of
//!
//! 1. S < ℓ (canonical scalar);
//! 2. A is not of small order;
//! 3. R′ = [k](−A) + [S]B, with k = SHA-512(R ‖ A ‖ M) mod ℓ, compresses to
//!    exactly the 32 bytes R;
//! 4. R′ is not of small order.
//!
//! This is the same verdict as `verify_strict`, which decompresses R first,
//! refuses a small-order R or A, and then checks (3). When (3) holds, R is the
//! canonical encoding of R′, so R decompresses to R′ and (4) is the same test
//! as dalek's small-order check of R; when (3) fails, both refuse (R′ always
//! compresses to a valid canonical encoding, so an R that does not decompress
//! never matches). Hence R need not be decompressed. The group element R′ is
//! the same whatever multiplication method computes it, including for keys
//! with a torsion component. `tests` checks the verdict against dalek on the
//! public suites and on random and mutated signatures.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use curve25519_dalek::constants::ED25519_BASEPOINT_TABLE;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsBasepointTable, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::BasepointTable as _;
use sha2::{Digest as _, Sha512};

/// A key builds its table on this use (earlier uses go through `verify_strict`),
/// so keys used once or a few times never pay for the 30 KB table and its
/// build (≈ 15 verifications' worth).
pub(crate) const BUILD_AFTER: u32 = 16;

/// The precomputed multiples of −A, and whether A has small order.
pub(crate) struct KeyTable {
    minus_a: EdwardsBasepointTable,
    a_small_order: bool,
}

impl KeyTable {
    /// Precomputes the table for the point A.
    pub(crate) fn new(a: &EdwardsPoint) -> Self {
        Self { minus_a: EdwardsBasepointTable::create(&-a), a_small_order: a.is_small_order() }
    }

    /// The `verify_strict` verdict for the key whose 32 encoded bytes are
    /// `a_bytes` and whose point built this table (module docs).
    pub(crate) fn verify_strict(&self, a_bytes: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
        let (r_bytes, s_bytes) = split(signature);
        let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes)) else {
            return false;
        };
        if self.a_small_order {
            return false;
        }
        let mut h = Sha512::new();
        h.update(r_bytes);
        h.update(a_bytes);
        h.update(message);
        let k = Scalar::from_hash(h);
        let r = (&self.minus_a * &k) + (ED25519_BASEPOINT_TABLE * &s);
        r.compress() == CompressedEdwardsY(r_bytes) && !r.is_small_order()
    }
}

fn split(signature: &[u8; 64]) -> ([u8; 32], [u8; 32]) {
    let mut r = [0u8; 32];
    let mut s = [0u8; 32];
    let (r_part, s_part) = signature.split_at(32);
    r.copy_from_slice(r_part);
    s.copy_from_slice(s_part);
    (r, s)
}

/// A use counter and the table built once the key has been used
/// [`BUILD_AFTER`] times.
pub(crate) struct LazyTable {
    uses: AtomicU32,
    table: OnceLock<Box<KeyTable>>,
}

impl LazyTable {
    /// No uses, no table.
    pub(crate) fn new() -> Self {
        Self { uses: AtomicU32::new(0), table: OnceLock::new() }
    }

    /// Counts one use; the table once it is (or is now) built.
    pub(crate) fn get(&self, point: impl FnOnce() -> EdwardsPoint) -> Option<&KeyTable> {
        if let Some(t) = self.table.get() {
            return Some(t);
        }
        if self.uses.fetch_add(1, Ordering::Relaxed) < BUILD_AFTER - 1 {
            return None;
        }
        Some(self.table.get_or_init(|| Box::new(KeyTable::new(&point()))))
    }

    /// Whether the table has been built.
    pub(crate) fn is_built(&self) -> bool {
        self.table.get().is_some()
    }
}

#[cfg(test)]
mod tests;
