//! Tests of [`super`]: against the recursive definitions of RFC 9162
//! §2.1.1–2.1.4 written out below, against known answers computed by an
//! independent implementation, and against mutated proofs.

use std::collections::HashMap;

use super::*;

/// The definitions of RFC 9162 §2.1, transcribed as directly as possible:
/// `D[lo:hi]` of one list of leaf hashes, recursion as in the text. MTH
/// values are memoised per `(lo, hi)` (they depend on nothing else), so the
/// exhaustive tests below cost what the module under test costs. Nothing
/// here is shared with that module except the two hash functions of
/// §2.1.1, which are checked against known answers separately.
mod rfc {
    use std::cell::RefCell;
    use std::collections::HashMap;

    use super::{node_hash, Sha256Digest};
    use crate::crypto::sha256;

    /// The largest power of two smaller than `n` (`n > 1`).
    fn k(n: usize) -> usize {
        let mut k = 1;
        while 2 * k < n {
            k *= 2;
        }
        k
    }

    /// The list `D` of leaf hashes.
    pub struct Rfc<'a> {
        d: &'a [Sha256Digest],
        memo: RefCell<HashMap<(usize, usize), Sha256Digest>>,
    }

    impl<'a> Rfc<'a> {
        pub fn new(d: &'a [Sha256Digest]) -> Self {
            Self { d, memo: RefCell::new(HashMap::new()) }
        }

        /// MTH(D[lo:hi]), §2.1.1.
        pub fn mth(&self, lo: usize, hi: usize) -> Sha256Digest {
            if let Some(h) = self.memo.borrow().get(&(lo, hi)) {
                return *h;
            }
            let h = match hi - lo {
                0 => sha256(b""),
                1 => self.d[lo],
                n => node_hash(&self.mth(lo, lo + k(n)), &self.mth(lo + k(n), hi)),
            };
            let _ = self.memo.borrow_mut().insert((lo, hi), h);
            h
        }

        /// PATH(m, D[lo:hi]), §2.1.3.1 (`m` relative to `lo`).
        pub fn path(&self, m: usize, lo: usize, hi: usize) -> Vec<Sha256Digest> {
            let n = hi - lo;
            if n <= 1 {
                return Vec::new();
            }
            let k = k(n);
            if m < k {
                let mut p = self.path(m, lo, lo + k);
                p.push(self.mth(lo + k, hi));
                p
            } else {
                let mut p = self.path(m - k, lo + k, hi);
                p.push(self.mth(lo, lo + k));
                p
            }
        }

        /// SUBPROOF(m, D[lo:hi], b), §2.1.4.1 (`m` relative to `lo`).
        pub fn subproof(&self, m: usize, lo: usize, hi: usize, b: bool) -> Vec<Sha256Digest> {
            let n = hi - lo;
            if m == n {
                return if b { Vec::new() } else { vec![self.mth(lo, hi)] };
            }
            let k = k(n);
            if m <= k {
                let mut p = self.subproof(m, lo, lo + k, b);
                p.push(self.mth(lo + k, hi));
                p
            } else {
                let mut p = self.subproof(m - k, lo + k, hi, false);
                p.push(self.mth(lo, lo + k));
                p
            }
        }

        /// PROOF(m, D[n]) = SUBPROOF(m, D[n], true), §2.1.4.1 (0 < m < n).
        pub fn proof(&self, m: usize, n: usize) -> Vec<Sha256Digest> {
            self.subproof(m, 0, n, true)
        }
    }
}

/// Leaf hashes of the 4-byte big-endian encodings of 0, 1, 2, …
fn leaves(n: usize) -> Vec<Sha256Digest> {
    (0..n as u32).map(|i| leaf_hash(&i.to_be_bytes())).collect()
}

fn hex(s: &str) -> Sha256Digest {
    Sha256Digest::from_hex(s).expect("test constant")
}

/// Deterministic xorshift64.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// Uniform-ish in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

fn flip(h: &Sha256Digest, byte: usize) -> Sha256Digest {
    let mut b = *h.as_bytes();
    b[byte % 32] ^= 0x01 << (byte % 8);
    Sha256Digest::from_bytes(b)
}

// ---------------------------------------------------------------------------
// Known answers.
//
// Computed with a 30-line Python 3.11 script written for this purpose
// (hashlib.sha256 only; MTH, PATH and SUBPROOF as recursive functions on
// Python lists, straight from the RFC text), sharing no code with this
// crate. The eight leaf inputs are the data of the RFC 6962 reference test
// trees: "", 00, 10, 2021, 3031, 40414243, 50…57, 60…6f; the root of all
// eight, 5dc9da79…4328, is also the well-known root of those trees.

const KAT_DATA: [&[u8]; 8] = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
];

/// MTH of the first n of the eight leaves, n = 1..=8.
const KAT_ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// (index, tree size, PATH).
const KAT_INCLUSION: &[(u64, usize, &[&str])] = &[
    (0, 1, &[]),
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        3,
        5,
        &[
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// (old size, new size, PROOF).
const KAT_CONSISTENCY: &[(u64, usize, &[&str])] = &[
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        3,
        7,
        &[
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e",
        ],
    ),
    (4, 7, &["837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"]),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

/// The same script over `leaves(1000)` (leaf hashes of u32 big-endian 0..1000).
const KAT_1000_ROOT: &str = "ed58fe22105717ceedf760a43eedfb173a60c44ef40fd61b6cd86bd4ebb59b61";
const KAT_300_ROOT: &str = "7cb38a3a7211231d902f423fcd3f43cf9ac6da0aa1f31de0876c9927451ee3c5";
const KAT_512_ROOT: &str = "95ac9d3d517c6fd86e3e0613c9b656da20440869a4a6bfaba4cf14481900550e";
const KAT_1000_PATH_997: [&str; 8] = [
    "ce6af9e68b780701def5822f71e4d3bf90fa3ef68a5cb51afbdb86d2547bab07",
    "b04d81fcdc27dcfdce7b00399cecff52bcca0362bf78bc244c5701432390b54f",
    "1cf9a121abb390ae7f1f75422d4720e162c5a5ba0e6f94e7a25bb98e7d4c2bc5",
    "35af6a7019cde790ea5ffa54c25882307efb62e1cc2b318a23071ecedf0d85c3",
    "44c4ccec0699b05800d7b81781549fcef0b05768e99c900bd2eba76390014ad3",
    "97a4a5dbaa01641b06df1dac703ec08319a6782aa4d9f2ec1b575f84ac7b8ff4",
    "770beb5995e2e3bbf53648b1d70e78b70019a784b542197183b4b3026542b720",
    "95ac9d3d517c6fd86e3e0613c9b656da20440869a4a6bfaba4cf14481900550e",
];
const KAT_1000_PROOF_300: [&str; 9] = [
    "50c0e26e92be7e0c8dac1ebef2cb9dbf5dccdfa9beaa75907be88ce2bc11209b",
    "2807ba35d796d9ebbd01701af9968ad428590c226b23c896f1666d27c31e814f",
    "8727f081ac91c6cc921b254c008ff4d3c1e2897cd6de75200b98cbd4b9a17486",
    "6d120b9581fbd36aed7f25ba14a6d17052d3e66e930d8cfbe8a86e592b50d1bf",
    "123ecb816d68bb89d95a11c51d7100de61a15c6c3af34f4a17dbfb8033fa2822",
    "51ed81450dc1e506de026041f1fdba7a52e0f67108a210322db75873ad7e7b45",
    "478f5f92578c03a9aa3a53d0ed36c68044e6396e39c17ea399406c6408fda897",
    "78cd7db3bbfa785ffefa21e1c0aa7d4806c6e22ad65472710377ecb7e5a5a54e",
    "b4974cb47f39312455f7858f89e2a37e869b0669ddfa0ed7b2188d31493a8457",
];
const KAT_1000_PROOF_512: [&str; 1] = ["b4974cb47f39312455f7858f89e2a37e869b0669ddfa0ed7b2188d31493a8457"];

fn hexes(list: &[&str]) -> Vec<Sha256Digest> {
    list.iter().map(|s| hex(s)).collect()
}

#[test]
fn known_answers_small_trees() {
    assert_eq!(EMPTY_TREE_HASH, sha256(b""));
    assert_eq!(tree_hash(&[]), hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    let l: Vec<Sha256Digest> = KAT_DATA.iter().map(|d| leaf_hash(d)).collect();
    for (n, root) in (1..=8).zip(KAT_ROOTS) {
        assert_eq!(tree_hash(&l[..n]), hex(root), "n = {n}");
    }
    for &(index, n, path) in KAT_INCLUSION {
        let p = inclusion_proof(&l[..n], index).expect("in range");
        assert_eq!(p, hexes(path), "PATH({index}, D[{n}])");
        verify_inclusion(&l[index as usize], index, n as u64, &p, &hex(KAT_ROOTS[n - 1])).expect("verifies");
    }
    for &(m, n, proof) in KAT_CONSISTENCY {
        let p = consistency_proof(&l[..n], m).expect("sizes");
        assert_eq!(p, hexes(proof), "PROOF({m}, D[{n}])");
        verify_consistency(m, n as u64, &hex(KAT_ROOTS[m as usize - 1]), &hex(KAT_ROOTS[n - 1]), &p).expect("verifies");
    }
}

#[test]
fn known_answers_1000_leaves() {
    let l = leaves(1000);
    let root = hex(KAT_1000_ROOT);
    assert_eq!(tree_hash(&l), root);
    assert_eq!(tree_hash(&l[..300]), hex(KAT_300_ROOT));
    assert_eq!(tree_hash(&l[..512]), hex(KAT_512_ROOT));
    let p = inclusion_proof(&l, 997).expect("in range");
    assert_eq!(p, hexes(&KAT_1000_PATH_997));
    verify_inclusion(&l[997], 997, 1000, &p, &root).expect("verifies");
    let p = consistency_proof(&l, 300).expect("sizes");
    assert_eq!(p, hexes(&KAT_1000_PROOF_300));
    verify_consistency(300, 1000, &hex(KAT_300_ROOT), &root, &p).expect("verifies");
    let p = consistency_proof(&l, 512).expect("sizes");
    assert_eq!(p, hexes(&KAT_1000_PROOF_512));
    verify_consistency(512, 1000, &hex(KAT_512_ROOT), &root, &p).expect("verifies");
}

#[test]
fn hash_functions_byte_layout() {
    // SHA-256(0x00 ‖ data) and SHA-256(0x01 ‖ l ‖ r), spelled out.
    assert_eq!(leaf_hash(b"abc"), sha256(b"\x00abc"));
    let (a, b) = (sha256(b"a"), sha256(b"b"));
    let mut buf = vec![0x01];
    buf.extend_from_slice(a.as_bytes());
    buf.extend_from_slice(b.as_bytes());
    assert_eq!(node_hash(&a, &b), sha256(&buf));
    assert_ne!(node_hash(&a, &b), node_hash(&b, &a));
}

// ---------------------------------------------------------------------------
// Against the RFC definitions.

#[test]
fn tree_hash_and_compact_range_match_mth_for_sizes_0_to_300() {
    let l = leaves(300);
    let rfc = rfc::Rfc::new(&l);
    let mut range = CompactRange::new();
    for n in 0..=300 {
        let expected = rfc.mth(0, n);
        assert_eq!(tree_hash(&l[..n]), expected, "n = {n}");
        assert_eq!(range.size(), n as u64);
        assert_eq!(range.root(), expected, "compact range, n = {n}");
        if n < 300 {
            range.push(l[n]).expect("not full");
        }
    }
}

/// Asserts `p` (the proof of leaf `i` in the tree of `l`) verifies, and that
/// every mutation of it is refused.
fn check_inclusion_and_mutations(l: &[Sha256Digest], i: usize, p: &[Sha256Digest], root: &Sha256Digest) {
    let (n, idx) = (l.len() as u64, i as u64);
    let leaf = &l[i];
    assert_eq!(inclusion_proof_len(idx, n), Ok(p.len()));
    assert!(p.len() <= MAX_INCLUSION_PROOF_LEN);
    verify_inclusion(leaf, idx, n, p, root).expect("generated proof verifies");
    // Another leaf.
    assert!(matches!(verify_inclusion(&flip(leaf, i), idx, n, p, root), Err(MerkleError::RootMismatch { .. })));
    // A flipped bit in any element.
    for (j, _) in p.iter().enumerate() {
        let mut bad = p.to_vec();
        bad[j] = flip(&bad[j], i + j);
        assert!(matches!(verify_inclusion(leaf, idx, n, &bad, root), Err(MerkleError::RootMismatch { .. })));
    }
    // One element dropped or added.
    if let Some((_, shorter)) = p.split_last() {
        assert_eq!(
            verify_inclusion(leaf, idx, n, shorter, root),
            Err(MerkleError::WrongProofLength { expected: p.len(), found: p.len() - 1 })
        );
        let mut dropped_first = p.to_vec();
        dropped_first.remove(0);
        assert!(verify_inclusion(leaf, idx, n, &dropped_first, root).is_err());
    }
    let mut longer = p.to_vec();
    longer.push(*root);
    assert_eq!(
        verify_inclusion(leaf, idx, n, &longer, root),
        Err(MerkleError::WrongProofLength { expected: p.len(), found: p.len() + 1 })
    );
    // Another index of the same tree.
    for other in [idx.wrapping_sub(1), idx + 1, idx ^ 1, n - 1 - idx] {
        if other != idx && other < n {
            assert!(verify_inclusion(leaf, other, n, p, root).is_err(), "index {other} for {idx} of {n}");
        }
    }
    assert!(matches!(verify_inclusion(leaf, n, n, p, root), Err(MerkleError::IndexOutOfRange { .. })));
    // Another tree size: refused unless the walk (length and sides) is the
    // same, since then the proof computes the same root (the root binds the
    // tree; the size only shapes the walk).
    for other in [n - 1, n + 1, n + 2, 2 * n] {
        if other <= idx {
            continue;
        }
        let same_walk = Walk { fn_: idx, sn: other - 1 }.eq(Walk { fn_: idx, sn: n - 1 });
        assert_eq!(verify_inclusion(leaf, idx, other, p, root).is_ok(), same_walk, "size {other} for {idx} of {n}");
    }
}

/// Every index of every size 0..=300: the RFC's PATH verifies and leads to
/// MTH. Generation costs ~n hashes per proof (the siblings cover every other
/// leaf), so it is compared with PATH at every index up to size 100 and at a
/// sample of indices above (every 32nd, the last, and the last leaf of each
/// perfect left subtree).
#[test]
fn inclusion_proofs_match_path_for_every_index_of_sizes_0_to_300() {
    let l = leaves(300);
    let rfc = rfc::Rfc::new(&l);
    for n in 0..=300usize {
        let tree = &l[..n];
        let root = rfc.mth(0, n);
        for i in 0..n {
            let path = rfc.path(i, 0, n);
            assert_eq!(root_from_inclusion_proof(&tree[i], i as u64, n as u64, &path), Ok(root), "{i} of {n}");
            let sampled = i % 32 == 0 || i + 1 == n || (i + 1).is_power_of_two();
            if n <= 100 || sampled {
                let p = inclusion_proof(tree, i as u64).expect("in range");
                assert_eq!(p, path, "PATH({i}, D[{n}])");
            }
            // Mutations: every index for small trees, a sample for larger ones.
            if n <= 64 || i % 17 == 0 || i + 1 == n {
                check_inclusion_and_mutations(tree, i, &path, &root);
            }
        }
        assert_eq!(
            inclusion_proof(tree, n as u64),
            Err(MerkleError::IndexOutOfRange { index: n as u64, tree_size: n as u64 })
        );
    }
}

/// Asserts `p` (the proof from `m` to `l.len()`) verifies, yields the right
/// roots, and that every mutation of it is refused.
fn check_consistency_and_mutations(n: u64, m: u64, p: &[Sha256Digest], roots: &dyn Fn(u64) -> Sha256Digest) {
    let (old, new) = (&roots(m), &roots(n));
    assert_eq!(consistency_proof_len(m, n), Ok(p.len()));
    assert!(p.len() <= MAX_CONSISTENCY_PROOF_LEN);
    verify_consistency(m, n, old, new, p).expect("generated proof verifies");
    if m == 0 || m == n {
        assert!(p.is_empty());
        return;
    }
    let yielded = consistency_proof_roots(m, n, old, p).expect("well-formed");
    assert_eq!((yielded.old_root(), yielded.new_root()), (*old, *new));
    // Other claimed roots.
    assert!(matches!(verify_consistency(m, n, old, &flip(new, 3), p), Err(MerkleError::RootMismatch { .. })));
    let other_old = verify_consistency(m, n, &flip(old, 5), new, p);
    if m.is_power_of_two() {
        // The seed is the old root: a wrong one shows in the new root.
        assert!(matches!(other_old, Err(MerkleError::RootMismatch { .. })));
    } else {
        assert!(matches!(other_old, Err(MerkleError::OldRootMismatch { .. })));
    }
    // A flipped bit in any element (every element feeds the new root).
    for j in 0..p.len() {
        let mut bad = p.to_vec();
        bad[j] = flip(&bad[j], j + m as usize);
        assert!(verify_consistency(m, n, old, new, &bad).is_err(), "flip {j} of PROOF({m}, D[{n}])");
    }
    // One element dropped or added.
    assert_eq!(
        verify_consistency(m, n, old, new, &p[1..]),
        Err(MerkleError::WrongProofLength { expected: p.len(), found: p.len() - 1 })
    );
    let mut longer = p.to_vec();
    longer.insert(0, *old);
    assert_eq!(
        verify_consistency(m, n, old, new, &longer),
        Err(MerkleError::WrongProofLength { expected: p.len(), found: p.len() + 1 })
    );
    // Other sizes, each with the true roots of those sizes.
    for (m2, n2) in [(m - 1, n), (m + 1, n), (m, n - 1), (m, n + 1)] {
        if (m2, n2) == (m, n) || m2 == 0 || m2 > n2 {
            continue;
        }
        assert!(
            verify_consistency(m2, n2, &roots(m2), &roots(n2), p).is_err(),
            "PROOF({m}, D[{n}]) taken as ({m2}, {n2})"
        );
    }
    assert!(matches!(verify_consistency(n + 1, n, old, new, p), Err(MerkleError::BadSizes { .. })));
}

/// Every pair 1 ≤ m ≤ n ≤ 128 against PROOF; mutations for every pair up to
/// n = 64 and a sample above.
#[test]
fn consistency_proofs_match_proof_for_all_sizes_to_128() {
    let l = leaves(130);
    let rfc = rfc::Rfc::new(&l);
    let roots = |s: u64| rfc.mth(0, s as usize);
    for n in 1..=128usize {
        let tree = &l[..n];
        for m in 1..=n {
            let p = consistency_proof(tree, m as u64).expect("sizes");
            if m < n {
                assert_eq!(p, rfc.proof(m, n), "PROOF({m}, D[{n}])");
            } else {
                assert!(p.is_empty());
            }
            let (old, new) = (roots(m as u64), roots(n as u64));
            verify_consistency(m as u64, n as u64, &old, &new, &p).expect("generated proof verifies");
            if n <= 64 || m % 7 == 0 || m + 1 == n || m.is_power_of_two() {
                check_consistency_and_mutations(n as u64, m as u64, &p, &roots);
            }
        }
        assert_eq!(consistency_proof(tree, 0), Ok(Vec::new()));
        assert_eq!(
            consistency_proof(tree, n as u64 + 1),
            Err(MerkleError::BadSizes { old_size: n as u64 + 1, new_size: n as u64 })
        );
    }
}

#[test]
fn consistency_proofs_random_pairs_to_300() {
    let l = leaves(302);
    let rfc = rfc::Rfc::new(&l);
    let roots = |s: u64| rfc.mth(0, s as usize);
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..200 {
        let n = rng.range(2, 300) as usize;
        let m = rng.range(1, n as u64 - 1) as usize;
        let p = consistency_proof(&l[..n], m as u64).expect("sizes");
        assert_eq!(p, rfc.proof(m, n), "PROOF({m}, D[{n}])");
        check_consistency_and_mutations(n as u64, m as u64, &p, &roots);
    }
}

/// A few trees up to 100,000 leaves: the roots of the sizes involved come
/// from one pass of a [`CompactRange`], the proofs from the leaves.
#[test]
fn large_trees_to_100_000_with_the_compact_range() {
    const N: u64 = 100_000;
    let l = leaves(N as usize);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut pairs: Vec<(u64, u64)> = vec![(65_536, N), (99_999, N)];
    for _ in 0..2 {
        let n = rng.range(50_000, N);
        pairs.push((rng.range(1, n - 1), n));
    }
    // Every size a check looks at: m, n and their neighbours.
    let mut sizes: Vec<u64> = pairs.iter().flat_map(|&(m, n)| [m - 1, m, m + 1, n - 1, n, n + 1]).collect();
    sizes.sort_unstable();
    sizes.dedup();
    let mut known = HashMap::new();
    let mut range = CompactRange::new();
    for (i, leaf) in l.iter().chain([leaf_hash(b"extra")].iter()).enumerate() {
        if sizes.binary_search(&(i as u64)).is_ok() {
            let _ = known.insert(i as u64, range.root());
        }
        range.push(*leaf).expect("not full");
    }
    let _ = known.insert(range.size(), range.root());
    let extended: Vec<Sha256Digest> = l.iter().copied().chain([leaf_hash(b"extra")]).collect();
    assert_eq!(known[&N], tree_hash(&l));
    assert_eq!(known[&(N + 1)], tree_hash(&extended));
    let roots = |s: u64| known[&s];
    for (m, n) in pairs {
        let tree = &l[..n as usize];
        let p = consistency_proof(tree, m).expect("sizes");
        check_consistency_and_mutations(n, m, &p, &roots);
        let i = rng.range(0, n - 1);
        let path = inclusion_proof(tree, i).expect("in range");
        check_inclusion_and_mutations(tree, i as usize, &path, &roots(n));
    }
}

// ---------------------------------------------------------------------------
// Fork evidence: what consistency_proof_roots yields for a split view.

#[test]
fn consistency_roots_of_a_forked_log() {
    let honest = leaves(40);
    let mut forked = honest.clone();
    forked[0] = leaf_hash(b"rewritten history");
    for (m, n) in [(3u64, 40u64), (6, 9), (8, 40), (16, 17), (1, 2)] {
        let root_a = tree_hash(&honest[..m as usize]);
        let root_b = tree_hash(&forked[..n as usize]);
        let p = consistency_proof(&forked[..n as usize], m).expect("sizes");
        let yielded = consistency_proof_roots(m, n, &root_a, &p).expect("well-formed");
        if m.is_power_of_two() {
            // The seed comes back as the old root; the new root differs.
            assert_eq!(yielded.old_root(), root_a);
            assert_ne!(yielded.new_root(), root_b);
            // Seeded with B's own root at size m (what fork evidence prepends),
            // the proof yields root(B): B's history at m is not root(A).
            let b_at_m = tree_hash(&forked[..m as usize]);
            let seeded = consistency_proof_roots(m, n, &b_at_m, &p).expect("well-formed");
            assert_eq!((seeded.old_root(), seeded.new_root()), (b_at_m, root_b));
            assert_ne!(b_at_m, root_a);
        } else {
            // The proof of B's history yields B's root and another old root.
            assert_eq!(yielded.new_root(), root_b);
            assert_ne!(yielded.old_root(), root_a);
            assert_eq!(yielded.old_root(), tree_hash(&forked[..m as usize]));
        }
        assert!(verify_consistency(m, n, &root_a, &root_b, &p).is_err());
    }
    for (m, n) in [(0, 5), (5, 5), (6, 5)] {
        assert_eq!(
            consistency_proof_roots(m, n, &EMPTY_TREE_HASH, &[]),
            Err(MerkleError::BadSizes { old_size: m, new_size: n })
        );
    }
}

// ---------------------------------------------------------------------------
// Hostile sizes and lengths: refused or computed, never a panic, bounded work.

#[test]
fn extreme_sizes_never_panic() {
    let h = sha256(b"x");
    let long = vec![h; 200];
    assert_eq!(inclusion_proof_len(2, u64::MAX), Ok(MAX_INCLUSION_PROOF_LEN));
    assert_eq!(inclusion_proof_len(u64::MAX - 1, u64::MAX), Ok(63));
    assert_eq!(consistency_proof_len(3, u64::MAX), Ok(MAX_CONSISTENCY_PROOF_LEN));
    assert_eq!(consistency_proof_len(1 << 63, u64::MAX), Ok(1));
    let mut rng = Rng(7);
    let specials = [0, 1, 2, 3, (1 << 32) - 1, 1 << 32, (1 << 63) - 1, 1 << 63, (1 << 63) + 1, u64::MAX - 1, u64::MAX];
    let mut values: Vec<u64> = specials.to_vec();
    values.extend((0..12).map(|_| rng.next()));
    values.extend((0..8).map(|_| rng.next() >> (rng.next() % 64)));
    for &a in &values {
        for &b in &values {
            if let Ok(len) = inclusion_proof_len(a, b) {
                assert!(len <= MAX_INCLUSION_PROOF_LEN);
                let r = root_from_inclusion_proof(&h, a, b, &long[..len]);
                assert!(r.is_ok());
                assert_eq!(
                    root_from_inclusion_proof(&h, a, b, &long),
                    Err(MerkleError::WrongProofLength { expected: len, found: 200 })
                );
            } else {
                assert!(a >= b);
                assert_eq!(
                    root_from_inclusion_proof(&h, a, b, &[]),
                    Err(MerkleError::IndexOutOfRange { index: a, tree_size: b })
                );
            }
            match consistency_proof_len(a, b) {
                Ok(len) => {
                    assert!(len <= MAX_CONSISTENCY_PROOF_LEN);
                    assert!(a <= b);
                    let _ = verify_consistency(a, b, &h, &h, &long[..len]);
                    assert!(verify_consistency(a, b, &h, &h, &long).is_err());
                    if 0 < a && a < b {
                        assert!(consistency_proof_roots(a, b, &h, &long[..len]).is_ok());
                        assert!(len >= 1);
                    }
                }
                Err(e) => {
                    assert!(a > b);
                    assert_eq!(e.reason(), "bad-sizes");
                }
            }
        }
    }
    let mut full = CompactRange { size: u64::MAX, nodes: Vec::new() };
    assert_eq!(full.push(h), Err(MerkleError::TreeFull));
    assert_eq!(inclusion_proof(&[], 0), Err(MerkleError::IndexOutOfRange { index: 0, tree_size: 0 }));
    assert_eq!(inclusion_proof(&[h], u64::MAX), Err(MerkleError::IndexOutOfRange { index: u64::MAX, tree_size: 1 }));
    assert_eq!(consistency_proof(&[h], u64::MAX), Err(MerkleError::BadSizes { old_size: u64::MAX, new_size: 1 }));
}

#[test]
fn reasons_are_stable() {
    let h = Sha256Digest::ZERO;
    let cases = [
        (MerkleError::IndexOutOfRange { index: 1, tree_size: 1 }, "index-out-of-range"),
        (MerkleError::WrongProofLength { expected: 1, found: 2 }, "wrong-proof-length"),
        (MerkleError::BadSizes { old_size: 2, new_size: 1 }, "bad-sizes"),
        (MerkleError::RootMismatch { expected: h, computed: h }, "root-mismatch"),
        (MerkleError::OldRootMismatch { expected: h, computed: h }, "old-root-mismatch"),
        (MerkleError::TreeFull, "tree-full"),
    ];
    for (e, reason) in cases {
        assert_eq!(e.reason(), reason);
        assert!(!e.to_string().is_empty());
    }
}
