//! Every complete subtree hash of the log, kept as it grows, so inclusion
//! and consistency proofs and hash tiles cost `O(log² n)` lookups and
//! hashes instead of rehashing the tree (`O(n)`).
//!
//! Level `k` holds the hashes of the complete, aligned subtrees of `2^k`
//! leaves: `levels[0]` are the leaf hashes, `levels[k][i]` is the root of
//! leaves `i·2^k .. (i+1)·2^k`. Appending a leaf adds one hash per level it
//! completes (amortised two hashes per leaf; about 64 bytes per entry in
//! all). Proofs follow RFC 9162 §2.1.3.1 (`PATH`) and §2.1.4.1
//! (`SUBPROOF`); their splits always fall on aligned subtrees, which are
//! looked up, and only a right edge that is not complete is hashed.

use attest_verifier::merkle::{node_hash, MerkleError, EMPTY_TREE_HASH};
use attest_verifier::types::Sha256Digest;

/// The complete subtree hashes of a tree.
#[derive(Debug, Clone, Default)]
pub struct TreeHashes {
    levels: Vec<Vec<Sha256Digest>>,
}

/// The largest power of two below `n` (`n ≥ 2`).
fn split(n: u64) -> u64 {
    1u64 << (63 - (n - 1).leading_zeros())
}

impl TreeHashes {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// The leaf hashes.
    pub fn leaves(&self) -> &[Sha256Digest] {
        self.levels.first().map_or(&[], Vec::as_slice)
    }

    /// Appends a leaf hash.
    pub fn push(&mut self, leaf: Sha256Digest) {
        let mut hash = leaf;
        let mut level = 0;
        loop {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            let Some(row) = self.levels.get_mut(level) else { return };
            row.push(hash);
            // A right child completes its parent.
            if row.len() % 2 == 1 {
                return;
            }
            let (Some(l), Some(r)) = (row.get(row.len() - 2), row.last()) else { return };
            hash = node_hash(l, r);
            level += 1;
        }
    }

    /// The hash of the complete aligned subtree of `2^level` leaves at `index`.
    pub fn complete(&self, level: u32, index: u64) -> Option<Sha256Digest> {
        self.levels.get(level as usize)?.get(usize::try_from(index).ok()?).copied()
    }

    /// `MTH(D[a:b])` for a range whose splits are aligned (every range the
    /// proofs and roots ask for).
    fn range(&self, a: u64, b: u64) -> Result<Sha256Digest, MerkleError> {
        let n = b - a;
        if n == 0 {
            return Ok(EMPTY_TREE_HASH);
        }
        if n.is_power_of_two() && a % n == 0 {
            return self
                .complete(n.trailing_zeros(), a / n)
                .ok_or(MerkleError::IndexOutOfRange { index: b - 1, tree_size: self.size() });
        }
        let k = split(n);
        Ok(node_hash(&self.range(a, a + k)?, &self.range(a + k, b)?))
    }

    fn check_size(&self, size: u64) -> Result<(), MerkleError> {
        if size > self.size() {
            return Err(MerkleError::BadSizes { old_size: size, new_size: self.size() });
        }
        Ok(())
    }

    /// The root of the tree of the first `size` leaves.
    pub fn root(&self, size: u64) -> Result<Sha256Digest, MerkleError> {
        self.check_size(size)?;
        self.range(0, size)
    }

    /// The inclusion proof of leaf `index` in the tree of `size` leaves.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Sha256Digest>, MerkleError> {
        self.check_size(size)?;
        if index >= size {
            return Err(MerkleError::IndexOutOfRange { index, tree_size: size });
        }
        let mut out = Vec::new();
        self.path(index, 0, size, &mut out)?;
        Ok(out)
    }

    fn path(&self, m: u64, a: u64, b: u64, out: &mut Vec<Sha256Digest>) -> Result<(), MerkleError> {
        if b - a <= 1 {
            return Ok(());
        }
        let k = split(b - a);
        if m < a + k {
            self.path(m, a, a + k, out)?;
            out.push(self.range(a + k, b)?);
        } else {
            self.path(m, a + k, b, out)?;
            out.push(self.range(a, a + k)?);
        }
        Ok(())
    }

    /// The consistency proof from the tree of `old` leaves to that of `new`
    /// (empty for `old` 0 or `old = new`).
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Sha256Digest>, MerkleError> {
        self.check_size(new)?;
        if old > new {
            return Err(MerkleError::BadSizes { old_size: old, new_size: new });
        }
        let mut out = Vec::new();
        if old > 0 && old < new {
            self.subproof(old, 0, new, true, &mut out)?;
        }
        Ok(out)
    }

    fn subproof(&self, m: u64, a: u64, b: u64, whole: bool, out: &mut Vec<Sha256Digest>) -> Result<(), MerkleError> {
        if m == b {
            if !whole {
                out.push(self.range(a, b)?);
            }
            return Ok(());
        }
        let k = split(b - a);
        if m <= a + k {
            self.subproof(m, a, a + k, whole, out)?;
            out.push(self.range(a + k, b)?);
        } else {
            self.subproof(m, a + k, b, false, out)?;
            out.push(self.range(a, a + k)?);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use attest_verifier::merkle::{self, leaf_hash};

    use super::*;

    /// Every proof and root equals the core's from-the-leaves computation.
    #[test]
    fn equals_the_core_computation_for_every_size_to_70() {
        let leaves: Vec<Sha256Digest> = (0..70u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut t = TreeHashes::new();
        assert_eq!(t.root(0).unwrap(), EMPTY_TREE_HASH);
        for l in &leaves {
            t.push(*l);
        }
        for n in 0..=70u64 {
            let prefix = &leaves[..n as usize];
            assert_eq!(t.root(n).unwrap(), merkle::tree_hash(prefix), "root {n}");
            for i in 0..n {
                assert_eq!(t.inclusion_proof(i, n).unwrap(), merkle::inclusion_proof(prefix, i).unwrap(), "{i} in {n}");
            }
            for m in 0..=n {
                assert_eq!(
                    t.consistency_proof(m, n).unwrap(),
                    merkle::consistency_proof(prefix, m).unwrap(),
                    "{m}->{n}"
                );
            }
        }
        assert!(t.inclusion_proof(70, 70).is_err());
        assert!(t.root(71).is_err());
        assert!(t.consistency_proof(5, 71).is_err());
        assert_eq!(t.complete(6, 0).unwrap(), merkle::tree_hash(&leaves[..64]));
        assert_eq!(t.complete(6, 1), None);
    }
}
