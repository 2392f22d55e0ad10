//! Proof sizes and times in a 1,000,000-entry log (docs/benchmarks.md §6).
//!
//! `cargo bench -p attest-ledger --bench proofs` builds the ledger's
//! in-memory hashes ([`attest_ledger::hashes::TreeHashes`]) of 10⁶ leaves,
//! then, over 5 rounds of 2,000 proofs each at 10³ and at 10⁶ entries,
//! measures inclusion and consistency proof times (min / median / max of
//! the per-round means) and reports the proof sizes. Every proof is
//! verified with the core's `verify_inclusion` / `verify_consistency`
//! once per round, so a wrong proof stops the benchmark.

use std::time::Instant;

use attest_ledger::hashes::TreeHashes;
use attest_verifier::merkle::{leaf_hash, verify_consistency, verify_inclusion};

fn stats(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

/// This process's resident set size in bytes (Linux `/proc/self/status` VmRSS).
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

fn main() {
    const N: u64 = 1_000_000;
    let before = rss();
    let start = Instant::now();
    let mut t = TreeHashes::new();
    for i in 0..N {
        t.push(leaf_hash(&i.to_be_bytes()));
    }
    let build = start.elapsed();
    let grown = rss().saturating_sub(before);
    println!(
        "built the hashes of {N} leaves in {:.2} s; resident memory grew by {:.1} MB ({:.0} bytes per entry)",
        build.as_secs_f64(),
        grown as f64 / 1e6,
        grown as f64 / N as f64
    );
    // The ledger's other per-entry structure: the index of leaf hashes (sequencer::Tree::by_leaf).
    let before = rss();
    let by_leaf: std::collections::HashMap<attest_verifier::types::Sha256Digest, u64> =
        (0..N).map(|i| (leaf_hash(&i.to_be_bytes()), i)).collect();
    let grown = rss().saturating_sub(before);
    println!(
        "the index of {} leaf hashes: resident memory grew by {:.1} MB ({:.0} bytes per entry)",
        by_leaf.len(),
        grown as f64 / 1e6,
        grown as f64 / N as f64
    );
    println!("| tree size | proof | hashes | bytes | µs per proof min / median / max |");
    println!("|---|---|---|---|---|");
    for size in [1_000u64, N] {
        let root = t.root(size).expect("root");
        let mut inc = Vec::new();
        let mut con = Vec::new();
        let (mut inc_len, mut con_len) = (0usize, 0usize);
        for round in 0..5u64 {
            let t0 = Instant::now();
            for k in 0..2000u64 {
                let i = (k * 7919 + round) % size;
                inc_len = inc_len.max(t.inclusion_proof(i, size).expect("proof").len());
            }
            inc.push(t0.elapsed().as_secs_f64() * 1e6 / 2000.0);
            let t0 = Instant::now();
            for k in 0..2000u64 {
                let old = 1 + (k * 104_729 + round) % (size - 1);
                con_len = con_len.max(t.consistency_proof(old, size).expect("proof").len());
            }
            con.push(t0.elapsed().as_secs_f64() * 1e6 / 2000.0);
            let i = (round * 31_337) % size;
            let p = t.inclusion_proof(i, size).expect("proof");
            verify_inclusion(&leaf_hash(&i.to_be_bytes()), i, size, &p, &root).expect("inclusion verifies");
            let old = 1 + (round * 12_345) % (size - 1);
            let p = t.consistency_proof(old, size).expect("proof");
            verify_consistency(old, size, &t.root(old).expect("root"), &root, &p).expect("consistency verifies");
        }
        let (lo, med, hi) = stats(inc);
        println!("| {size} | inclusion | ≤ {inc_len} | ≤ {} | {lo:.2} / {med:.2} / {hi:.2} |", inc_len * 32);
        let (lo, med, hi) = stats(con);
        println!("| {size} | consistency | ≤ {con_len} | ≤ {} | {lo:.2} / {med:.2} / {hi:.2} |", con_len * 32);
    }
}
