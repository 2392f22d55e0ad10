//! Interleaved timing of strict Ed25519 verification under one key: bare
//! ed25519-dalek `verify_strict` against `StrictVerifyingKey::verify` once
//! the key has built its precomputed table (crypto/table.rs). Batches of the
//! two alternate within one process; prints min/median/max of the speed
//! ratio over the rounds. `cargo bench -p attest-verifier --bench ed25519_table`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use attest_verifier::crypto::StrictVerifyingKey;
use attest_verifier::types::{Ed25519PublicKey, Ed25519Signature};
use ed25519_dalek::{Signer, SigningKey};

const ROUNDS: usize = 9;
const BATCH: usize = 2000;

fn main() {
    let sk = SigningKey::from_bytes(&[7u8; 32]);
    let vk = sk.verifying_key();
    // 1.5 KB messages, the size of M(attestation) in the golden vectors.
    let msgs: Vec<Vec<u8>> = (0..64).map(|i| (0..1500).map(|j| ((i * 31 + j * 7) % 251) as u8).collect()).collect();
    let sigs: Vec<ed25519_dalek::Signature> = msgs.iter().map(|m| sk.sign(m)).collect();
    let ours: Vec<Ed25519Signature> = sigs.iter().map(|s| Ed25519Signature::from_bytes(s.to_bytes())).collect();
    let key = StrictVerifyingKey::new(Ed25519PublicKey::from_bytes(vk.to_bytes())).expect("key");
    for (m, s) in msgs.iter().zip(&ours) {
        assert!(key.verify(m, s)); // builds the table
    }
    let (mut bare_us, mut ratios) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let start = Instant::now();
        let mut ok = 0usize;
        for i in 0..BATCH {
            ok += usize::from(black_box(vk.verify_strict(&msgs[i % 64], &sigs[i % 64]).is_ok()));
        }
        let bare = start.elapsed().as_secs_f64() / BATCH as f64;
        let start = Instant::now();
        for i in 0..BATCH {
            ok += usize::from(black_box(key.verify(&msgs[i % 64], &ours[i % 64])));
        }
        let table = start.elapsed().as_secs_f64() / BATCH as f64;
        assert_eq!(ok, 2 * BATCH);
        eprintln!("round {round}: verify_strict {:.1} µs, table {:.1} µs", bare * 1e6, table * 1e6);
        bare_us.push(bare * 1e6);
        ratios.push(bare / table);
    }
    bare_us.sort_by(f64::total_cmp);
    ratios.sort_by(f64::total_cmp);
    println!("bare verify_strict: median {:.1} µs/signature", bare_us[ROUNDS / 2]);
    println!(
        "table path speed / verify_strict speed: min {:.3} median {:.3} max {:.3}",
        ratios[0],
        ratios[ROUNDS / 2],
        ratios[ROUNDS - 1]
    );
}
