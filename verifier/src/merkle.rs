//! RFC 9162 §2.1 Merkle trees: tree hash, inclusion and consistency proofs,
//! and an append-only root builder.
//!
//! Used by network summaries (formats.md §5: the record log's `root`) and
//! the ledger (formats.md §8–9: checkpoints, inclusion and consistency
//! proofs, fork evidence). Every hash is a [`Sha256Digest`]; leaves are
//! given already leaf-hashed, so the tree functions never see entry bytes.
//!
//! # Byte layout
//!
//! ```text
//! leaf hash   = SHA-256(0x00 ‖ data)                 33 + len(data) bytes hashed
//! node hash   = SHA-256(0x01 ‖ left ‖ right)         65 bytes hashed
//! empty tree  = SHA-256("")                          e3b0c442…7852b855
//! MTH({d0})   = leaf hash of d0
//! MTH(D[n])   = node(MTH(D[0:k]), MTH(D[k:n]))       k = largest power of two < n
//! ```
//!
//! A proof is a list of 32-byte hashes (in the network record proof, hex
//! strings; in C2SP formats, base64).
//!
//! # Algorithms
//!
//! - **Tree hash** ([`tree_hash`]): pushing the leaves one by one into a
//!   [`CompactRange`] (a stack of perfect-subtree roots, one per set bit of
//!   the size), then folding the stack right to left. Equal to MTH.
//! - **Inclusion proof** ([`inclusion_proof`]): `PATH(m, D[n])` of §2.1.3.1,
//!   sibling hashes from the leaf up; built by descending the split points.
//! - **Inclusion verification** ([`root_from_inclusion_proof`],
//!   [`verify_inclusion`]): the §2.1.3.2 algorithm (`fn = index`,
//!   `sn = size − 1`; a sibling goes left when `LSB(fn)` is set or
//!   `fn = sn`, then both shift right until `LSB(fn)` is set or `fn = 0`;
//!   otherwise it goes right; both shift right once; finally `sn = 0`).
//! - **Consistency proof** ([`consistency_proof`]): `PROOF(m, D[n])` =
//!   `SUBPROOF(m, D[n], true)` of §2.1.4.1.
//! - **Consistency verification** ([`consistency_proof_roots`],
//!   [`verify_consistency`]): the §2.1.4.2 algorithm. When `m` is a power of
//!   two the proof omits the old root and the verifier prepends the old root
//!   it holds (the *seed*); then the old root the proof yields is the seed
//!   itself, whatever the proof holds, and only the new root can disagree.
//!
//! # Decisions where RFC 9162 is silent or leaves a choice
//!
//! - **Length first.** Which way each proof element is combined depends only
//!   on (index, size) or (m, n), never on the hashes, so the exact proof
//!   length is computed ([`inclusion_proof_len`], [`consistency_proof_len`])
//!   and a proof of any other length is refused as `wrong-proof-length`
//!   before a single hash is computed. This is the same acceptance as the
//!   RFC's "stop when `sn` is 0 / require `sn` = 0 at the end". Sizes are
//!   `u64`, so an inclusion proof has at most 64 hashes and a consistency
//!   proof at most 65 ([`MAX_INCLUSION_PROOF_LEN`],
//!   [`MAX_CONSISTENCY_PROOF_LEN`]): work is bounded by the proof length,
//!   never by the tree size.
//! - **Consistency edge cases.** §2.1.4 defines proofs for `0 < m < n`.
//!   [`verify_consistency`] also accepts `m = n` (empty proof, equal roots)
//!   and `m = 0` (empty proof: every tree extends the empty tree), as
//!   [`consistency_proof`] produces for them; `m > n` is `bad-sizes`.
//!   [`consistency_proof_roots`], the computation fork evidence needs,
//!   takes only `0 < m < n`.

use crate::crypto::sha256;
use crate::types::Sha256Digest;

/// Leaf prefix (RFC 9162 §2.1.1).
pub const LEAF_PREFIX: u8 = 0x00;
/// Interior node prefix (RFC 9162 §2.1.1).
pub const NODE_PREFIX: u8 = 0x01;

/// MTH of the empty tree: `SHA-256("")`.
pub const EMPTY_TREE_HASH: Sha256Digest = Sha256Digest::from_bytes([
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41,
    0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
]);

/// Longest inclusion proof of a tree with a `u64` size.
pub const MAX_INCLUSION_PROOF_LEN: usize = 64;
/// Longest consistency proof between `u64` sizes (the old subtree root plus 64 siblings).
pub const MAX_CONSISTENCY_PROOF_LEN: usize = 65;

/// Why a Merkle proof cannot be built or is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MerkleError {
    /// The leaf index is not below the tree size.
    #[error("leaf index {index} is not in a tree of {tree_size} leaves")]
    IndexOutOfRange {
        /// Leaf index.
        index: u64,
        /// Tree size.
        tree_size: u64,
    },
    /// The proof does not have the one length its sizes determine.
    #[error("the proof has {found} hash(es); these sizes need exactly {expected}")]
    WrongProofLength {
        /// Length the sizes require.
        expected: usize,
        /// Length given.
        found: usize,
    },
    /// The sizes do not allow a proof (old size above the new size, or outside
    /// `0 < old < new` where that is required, or beyond the leaves given).
    #[error("no consistency proof from size {old_size} to size {new_size}")]
    BadSizes {
        /// Old (first) tree size.
        old_size: u64,
        /// New (second) tree size.
        new_size: u64,
    },
    /// The proof leads to another (new) root.
    #[error("the proof leads to root {computed}, expected {expected}")]
    RootMismatch {
        /// Root held by the verifier.
        expected: Sha256Digest,
        /// Root the proof leads to.
        computed: Sha256Digest,
    },
    /// The consistency proof leads to another old root.
    #[error("the proof leads to old root {computed}, expected {expected}")]
    OldRootMismatch {
        /// Old root held by the verifier.
        expected: Sha256Digest,
        /// Old root the proof leads to.
        computed: Sha256Digest,
    },
    /// A [`CompactRange`] already holds `u64::MAX` leaves.
    #[error("the tree already holds u64::MAX leaves")]
    TreeFull,
}

impl MerkleError {
    /// Stable reason code.
    pub fn reason(&self) -> &'static str {
        match self {
            MerkleError::IndexOutOfRange { .. } => "index-out-of-range",
            MerkleError::WrongProofLength { .. } => "wrong-proof-length",
            MerkleError::BadSizes { .. } => "bad-sizes",
            MerkleError::RootMismatch { .. } => "root-mismatch",
            MerkleError::OldRootMismatch { .. } => "old-root-mismatch",
            MerkleError::TreeFull => "tree-full",
        }
    }
}

/// `SHA-256(0x00 ‖ data)`.
pub fn leaf_hash(data: &[u8]) -> Sha256Digest {
    let mut buf = Vec::with_capacity(data.len() + 1);
    buf.push(LEAF_PREFIX);
    buf.extend_from_slice(data);
    sha256(&buf)
}

/// `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Sha256Digest, right: &Sha256Digest) -> Sha256Digest {
    let mut buf = [0u8; 65];
    buf[0] = NODE_PREFIX;
    buf[1..33].copy_from_slice(left.as_bytes());
    buf[33..].copy_from_slice(right.as_bytes());
    sha256(&buf)
}

/// MTH over `leaves` (already leaf-hashed); [`EMPTY_TREE_HASH`] for none.
pub fn tree_hash(leaves: &[Sha256Digest]) -> Sha256Digest {
    let mut range = CompactRange::new();
    for leaf in leaves {
        range.push_unbounded(*leaf);
    }
    range.root()
}

/// The size of a slice as a tree size (`usize` is at most 64 bits on every target Rust supports).
fn size_of(leaves: &[Sha256Digest]) -> u64 {
    u64::try_from(leaves.len()).unwrap_or(u64::MAX)
}

/// Largest power of two strictly below `n` (`n ≥ 2`).
fn split_point(n: usize) -> usize {
    let mut k = 1usize;
    while k < n - k {
        k <<= 1;
    }
    k
}

/// `PATH(index, D[n])` of RFC 9162 §2.1.3.1 over all of `leaves`: the sibling
/// hashes from the leaf up to the root.
pub fn inclusion_proof(leaves: &[Sha256Digest], index: u64) -> Result<Vec<Sha256Digest>, MerkleError> {
    let idx = usize::try_from(index)
        .ok()
        .filter(|&i| i < leaves.len())
        .ok_or(MerkleError::IndexOutOfRange { index, tree_size: size_of(leaves) })?;
    // Descend from the root; siblings are found root first, returned leaf first.
    let mut path = Vec::new();
    let mut sub = leaves;
    let mut i = idx;
    while sub.len() > 1 {
        let k = split_point(sub.len());
        let (left, right) = sub.split_at(k);
        if i < k {
            path.push(tree_hash(right));
            sub = left;
        } else {
            path.push(tree_hash(left));
            sub = right;
            i -= k;
        }
    }
    path.reverse();
    Ok(path)
}

/// The §2.1.3.2 walk: for each proof element, whether it is the left operand
/// (`true`: `node(p, r)`) or the right one (`false`: `node(r, p)`). It ends
/// when `sn` reaches 0; `fn_`, `sn` are the RFC's `fn`, `sn`.
struct Walk {
    fn_: u64,
    sn: u64,
}

impl Iterator for Walk {
    type Item = bool;
    fn next(&mut self) -> Option<bool> {
        if self.sn == 0 {
            return None;
        }
        let left = self.fn_ & 1 == 1 || self.fn_ == self.sn;
        if left && self.fn_ & 1 == 0 {
            while self.fn_ & 1 == 0 && self.fn_ != 0 {
                self.fn_ >>= 1;
                self.sn >>= 1;
            }
        }
        self.fn_ >>= 1;
        self.sn >>= 1;
        Some(left)
    }
}

/// The number of hashes in the inclusion proof of leaf `index` in a tree of
/// `tree_size` leaves (at most [`MAX_INCLUSION_PROOF_LEN`]).
pub fn inclusion_proof_len(index: u64, tree_size: u64) -> Result<usize, MerkleError> {
    if index >= tree_size {
        return Err(MerkleError::IndexOutOfRange { index, tree_size });
    }
    Ok(Walk { fn_: index, sn: tree_size - 1 }.count())
}

/// RFC 9162 §2.1.3.2: the root the inclusion proof `path` of leaf hash `leaf`
/// at `index` in a tree of `tree_size` leaves leads to.
pub fn root_from_inclusion_proof(
    leaf: &Sha256Digest,
    index: u64,
    tree_size: u64,
    path: &[Sha256Digest],
) -> Result<Sha256Digest, MerkleError> {
    let expected = inclusion_proof_len(index, tree_size)?;
    if path.len() != expected {
        return Err(MerkleError::WrongProofLength { expected, found: path.len() });
    }
    let walk = Walk { fn_: index, sn: tree_size - 1 };
    Ok(path.iter().zip(walk).fold(*leaf, |r, (p, left)| if left { node_hash(p, &r) } else { node_hash(&r, p) }))
}

/// Verifies that `path` proves `leaf` at `index` in the tree of `tree_size` leaves with `root`.
pub fn verify_inclusion(
    leaf: &Sha256Digest,
    index: u64,
    tree_size: u64,
    path: &[Sha256Digest],
    root: &Sha256Digest,
) -> Result<(), MerkleError> {
    let computed = root_from_inclusion_proof(leaf, index, tree_size, path)?;
    if &computed != root {
        return Err(MerkleError::RootMismatch { expected: *root, computed });
    }
    Ok(())
}

/// `PROOF(old_size, D[n])` of RFC 9162 §2.1.4.1 with `D[n]` = all of `leaves`:
/// the consistency proof from the tree of the first `old_size` leaves to the
/// tree of all of them. Empty for `old_size` 0 or `n`.
pub fn consistency_proof(leaves: &[Sha256Digest], old_size: u64) -> Result<Vec<Sha256Digest>, MerkleError> {
    let bad = MerkleError::BadSizes { old_size, new_size: size_of(leaves) };
    let mut m = usize::try_from(old_size).ok().filter(|&m| m <= leaves.len()).ok_or(bad)?;
    if m == 0 || m == leaves.len() {
        return Ok(Vec::new());
    }
    // SUBPROOF(m, D[n], b), unrolled: each split appends one subtree hash
    // after the subproof of the half that holds the boundary.
    let mut after = Vec::new();
    let mut sub = leaves;
    let mut whole = true; // the RFC's b: `sub` is the old tree's root so far
    while m != sub.len() {
        let k = split_point(sub.len());
        let (left, right) = sub.split_at(k);
        if m <= k {
            after.push(tree_hash(right));
            sub = left;
        } else {
            after.push(tree_hash(left));
            sub = right;
            m -= k;
            whole = false;
        }
    }
    let mut proof = Vec::with_capacity(after.len() + 1);
    if !whole {
        proof.push(tree_hash(sub));
    }
    proof.extend(after.into_iter().rev());
    Ok(proof)
}

/// The §2.1.4.2 setup for `0 < old_size < new_size`: whether the seed is
/// prepended (old size a power of two) and the walk after step 4.
fn consistency_walk(old_size: u64, new_size: u64) -> Result<(bool, Walk), MerkleError> {
    if old_size == 0 || old_size >= new_size {
        return Err(MerkleError::BadSizes { old_size, new_size });
    }
    let mut fn_ = old_size - 1;
    let mut sn = new_size - 1;
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    Ok((old_size.is_power_of_two(), Walk { fn_, sn }))
}

/// The number of hashes in the consistency proof from `old_size` to
/// `new_size` (0 for `old_size` 0 or equal sizes; at most
/// [`MAX_CONSISTENCY_PROOF_LEN`]).
pub fn consistency_proof_len(old_size: u64, new_size: u64) -> Result<usize, MerkleError> {
    if old_size > new_size {
        return Err(MerkleError::BadSizes { old_size, new_size });
    }
    if old_size == 0 || old_size == new_size {
        return Ok(0);
    }
    let (seeded, walk) = consistency_walk(old_size, new_size)?;
    Ok(walk.count() + usize::from(!seeded))
}

/// The two roots a consistency proof yields (RFC 9162 §2.1.4.2 `fr`, `sr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsistencyRoots {
    old_root: Sha256Digest,
    new_root: Sha256Digest,
}

impl ConsistencyRoots {
    /// `fr`: the root of the old tree the proof yields.
    pub fn old_root(&self) -> Sha256Digest {
        self.old_root
    }
    /// `sr`: the root of the new tree the proof yields.
    pub fn new_root(&self) -> Sha256Digest {
        self.new_root
    }
}

/// RFC 9162 §2.1.4.2 steps 2–6 for `0 < old_size < new_size`: the old and
/// new roots `proof` yields. `seed` is the old root the caller holds; it is
/// used only when `old_size` is a power of two (prepended to the proof), and
/// then the old root yielded is `seed` itself. This is the computation of
/// fork evidence (formats.md §9): a consistent log yields the caller's two
/// roots; a forked one yields the new root with another old root.
pub fn consistency_proof_roots(
    old_size: u64,
    new_size: u64,
    seed: &Sha256Digest,
    proof: &[Sha256Digest],
) -> Result<ConsistencyRoots, MerkleError> {
    let (seeded, walk) = consistency_walk(old_size, new_size)?;
    let expected = consistency_proof_len(old_size, new_size)?;
    if proof.len() != expected {
        return Err(MerkleError::WrongProofLength { expected, found: proof.len() });
    }
    let (first, rest) = match (seeded, proof.split_first()) {
        (true, _) => (*seed, proof),
        (false, Some((first, rest))) => (*first, rest),
        (false, None) => return Err(MerkleError::WrongProofLength { expected, found: 0 }),
    };
    let (mut fr, mut sr) = (first, first);
    for (c, left) in rest.iter().zip(walk) {
        if left {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
        } else {
            sr = node_hash(&sr, c);
        }
    }
    Ok(ConsistencyRoots { old_root: fr, new_root: sr })
}

/// Verifies that `proof` shows the tree of `new_size` leaves with `new_root`
/// extends the tree of `old_size` leaves with `old_root`.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Sha256Digest,
    new_root: &Sha256Digest,
    proof: &[Sha256Digest],
) -> Result<(), MerkleError> {
    let expected = consistency_proof_len(old_size, new_size)?;
    if proof.len() != expected {
        return Err(MerkleError::WrongProofLength { expected, found: proof.len() });
    }
    if old_size == 0 {
        return Ok(());
    }
    if old_size == new_size {
        return match old_root == new_root {
            true => Ok(()),
            false => Err(MerkleError::RootMismatch { expected: *new_root, computed: *old_root }),
        };
    }
    let roots = consistency_proof_roots(old_size, new_size, old_root, proof)?;
    if &roots.old_root != old_root {
        return Err(MerkleError::OldRootMismatch { expected: *old_root, computed: roots.old_root });
    }
    if &roots.new_root != new_root {
        return Err(MerkleError::RootMismatch { expected: *new_root, computed: roots.new_root });
    }
    Ok(())
}

/// An append-only Merkle tree kept as its compact range `[0, size)`: the
/// roots of the perfect subtrees the RFC 9162 tree of `size` leaves splits
/// into, one per set bit of `size`, largest (leftmost) first. O(log n)
/// state and amortised O(1) hashes per leaf; the root at the current size
/// in O(log n).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompactRange {
    size: u64,
    /// Perfect-subtree roots, left to right; `nodes.len() = popcount(size)`.
    nodes: Vec<Sha256Digest>,
}

impl CompactRange {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash.
    pub fn push(&mut self, leaf: Sha256Digest) -> Result<(), MerkleError> {
        if self.size == u64::MAX {
            return Err(MerkleError::TreeFull);
        }
        self.push_unbounded(leaf);
        Ok(())
    }

    /// Appends a leaf hash; the caller guarantees `size < u64::MAX` (true of any slice).
    fn push_unbounded(&mut self, leaf: Sha256Digest) {
        let mut node = leaf;
        let mut s = self.size;
        // Each trailing 1 bit of the size is a perfect subtree of the new leaf's height: merge.
        while s & 1 == 1 {
            match self.nodes.pop() {
                Some(left) => node = node_hash(&left, &node),
                None => break,
            }
            s >>= 1;
        }
        self.nodes.push(node);
        self.size = self.size.saturating_add(1);
    }

    /// MTH of the leaves pushed so far.
    pub fn root(&self) -> Sha256Digest {
        let mut it = self.nodes.iter().rev();
        match it.next() {
            None => EMPTY_TREE_HASH,
            Some(last) => it.fold(*last, |acc, left| node_hash(left, &acc)),
        }
    }
}

#[cfg(test)]
mod tests;
