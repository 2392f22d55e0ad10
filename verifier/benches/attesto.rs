//! Interleaved timing of Attesto witness-receipt verification
//! (`verify_document` of a real package sample with `--attesto-key`: parse,
//! `A(statement)`, SHA-256, Ed25519 strict, binding) against one bare
//! ed25519-dalek `verify_strict` of the same message. Batches alternate
//! within one process; prints min/median/max of the time ratio.
//! `cargo bench -p attest-verifier --bench attesto`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use attest_verifier::attesto::receipt::parse_witness_receipt;
use attest_verifier::trust_root::{verify_trust_root_chain_named, ChainOptions};
use attest_verifier::types::Ed25519PublicKey;
use attest_verifier::{verify_document, Evidence, Timestamp, VerifyContext};

const ROUNDS: usize = 9;
const BATCH: usize = 1000;

fn main() {
    let bytes =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../interop/attesto/samples/02-second.receipt.json"))
            .expect("sample");
    let r = parse_witness_receipt(&bytes).expect("parses");
    let key = *r.keys().public_key();
    let msg = r.signed().message().to_vec();
    let sig = ed25519_dalek::Signature::from_bytes(r.keys().signature().signature().as_bytes());
    let vk = ed25519_dalek::VerifyingKey::from_bytes(key.as_bytes()).expect("key");
    let now = Timestamp::parse("2027-01-01T00:00:00Z").expect("now");
    let trust = verify_trust_root_chain_named(&[], &[], &ChainOptions { now, min_version: None });
    let evidence =
        Evidence { attesto_keys: vec![Ed25519PublicKey::from_bytes(*key.as_bytes())], ..Evidence::default() };
    let ctx = VerifyContext::new(&trust, &evidence, now);
    assert!(verify_document(&bytes, &ctx).report().valid());
    let (mut ours_us, mut ratios) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let start = Instant::now();
        let mut ok = 0usize;
        for _ in 0..BATCH {
            ok += usize::from(black_box(vk.verify_strict(black_box(&msg), &sig).is_ok()));
        }
        let bare = start.elapsed().as_secs_f64() / BATCH as f64;
        let start = Instant::now();
        for _ in 0..BATCH {
            ok += usize::from(black_box(verify_document(black_box(&bytes), &ctx).report().valid()));
        }
        let ours = start.elapsed().as_secs_f64() / BATCH as f64;
        assert_eq!(ok, 2 * BATCH);
        ours_us.push(ours * 1e6);
        ratios.push(ours / bare);
    }
    ours_us.sort_by(f64::total_cmp);
    ratios.sort_by(f64::total_cmp);
    println!(
        "attesto receipt ({} bytes): verify_document median {:.1} us; ratio to one bare verify_strict min {:.2} median {:.2} max {:.2}",
        bytes.len(),
        ours_us[ROUNDS / 2],
        ratios[0],
        ratios[ROUNDS / 2],
        ratios[ROUNDS - 1]
    );
}
