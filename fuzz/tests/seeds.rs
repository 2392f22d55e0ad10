//! Runs every committed seed through its target's property function (on
//! stable Rust, without libFuzzer) and checks that the seeds reach the
//! accepting paths, so the fuzzers start from inputs that pass the
//! signature, chain and Merkle checks rather than only from rejections.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use attest_fuzz_support::{json, verify};

/// Runs `f` on every seed of `target`; returns (seeds, accepted).
fn run(target: &str, f: fn(&[u8]) -> bool) -> (usize, usize) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
    let mut counts = (0, 0);
    for entry in std::fs::read_dir(&dir).expect("corpus directory") {
        let bytes = std::fs::read(entry.expect("entry").path()).expect("seed");
        counts.0 += 1;
        counts.1 += usize::from(f(&bytes));
    }
    eprintln!("{target}: {} seeds, {} accepted", counts.0, counts.1);
    counts
}

#[test]
fn json_seeds_parse_and_canonicalize() {
    let (n, ok) = run("json_parse", json::json_parse);
    assert!(n > 100 && ok > n / 2, "json_parse: {ok} of {n} seeds accepted");
    let (n, ok) = run("canonicalize", json::canonicalize);
    assert!(n > 100 && ok > n / 2, "canonicalize: {ok} of {n} seeds parsed");
}

#[test]
fn document_seeds_include_valid_ones() {
    let (n, ok) = run("verify_document", verify::verify_document_input);
    assert!(ok >= 10 && ok < n, "verify_document: {ok} of {n} seeds valid");
}

#[test]
fn network_seeds_include_valid_logs_and_proofs() {
    let (n, ok) = run("network_log", verify::network_log_input);
    assert!(ok >= 2 && ok < n, "network_log: {ok} of {n} logs valid");
    let (n, ok) = run("record_proof", verify::record_proof_input);
    assert!(ok >= 2, "record_proof: {ok} of {n} proofs verified against a summary");
}

#[test]
fn trust_root_seeds_include_accepted_chains() {
    let (n, ok) = run("trust_root_chain", verify::trust_root_chain_input);
    assert!(ok >= 2 && ok < n, "trust_root_chain: {ok} of {n} chains accepted");
}

#[test]
fn heartbeat_seeds_make_streams() {
    let (n, ok) = run("heartbeat_stream", |d| verify::heartbeat_stream_input(d) > 0);
    assert!(n >= 50 && ok >= 20, "heartbeat_stream: {ok} of {n} seeds made a stream");
}

#[test]
fn tlog_proof_seeds_include_an_accepted_proof() {
    let (n, ok) = run("tlog_proof", verify::tlog_proof_input);
    assert!(n >= 2 && ok >= 1, "tlog_proof: {ok} of {n} seeds verified");
}

#[test]
fn witness_policy_seeds_include_met_quorums() {
    let (n, ok) = run("witness_policy", verify::witness_policy_input);
    assert!(n >= 40 && ok >= 10, "witness_policy: {ok} of {n} seeds met their quorum");
}

#[test]
fn attesto_seeds_include_the_real_package_samples() {
    let (n, ok) = run("attesto_document", verify::attesto_document_input);
    // The 9 distinct real-package samples (the replay is the stored receipt, byte for byte)
    // verify under their pinned key; the vectors' documents are signed by another key.
    assert!(n >= 40 && ok == 9, "attesto_document: {ok} of {n} seeds verified");
}
