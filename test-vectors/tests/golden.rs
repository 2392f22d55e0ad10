//! Every golden vector through the Rust verifier, and the committed vectors
//! equal to what the generator produces.

use std::collections::BTreeSet;

use attest_test_vectors::{load_all, run};
use attest_verifier::CheckId;

#[test]
fn every_vector_gets_its_expected_verdict() {
    let vectors = load_all().expect("vectors load");
    assert!(vectors.len() >= 100, "only {} vectors", vectors.len());
    let failures: Vec<String> = vectors.iter().filter_map(|v| run::check(v).err()).collect();
    assert!(failures.is_empty(), "{} of {} vectors disagree:\n{}", failures.len(), vectors.len(), failures.join("\n"));
}

#[test]
fn every_check_id_has_an_accepting_and_a_rejecting_vector() {
    let vectors = load_all().expect("vectors load");
    let mut rejected = BTreeSet::new();
    let mut passed = BTreeSet::new();
    for v in &vectors {
        let reports = if v.documents.is_empty() {
            vec![run::report(v).expect("runs")]
        } else {
            run::batch_reports(v).expect("runs")
        };
        for r in &reports {
            for c in r.checks() {
                match c.status {
                    attest_verifier::Status::Pass if r.valid() => {
                        passed.insert(c.id);
                    }
                    attest_verifier::Status::Fail => {
                        rejected.insert(c.id);
                    }
                    _ => {}
                }
            }
        }
    }
    let attestation_checks: Vec<CheckId> =
        attest_verifier::attestation::ATTESTATION_PLAN.checks.iter().map(|(id, _)| *id).collect();
    for id in attestation_checks {
        assert!(passed.contains(&id), "no accepting vector passes `{id}`");
        assert!(rejected.contains(&id), "no vector fails `{id}`");
    }
}

#[test]
fn committed_vectors_are_the_generated_ones() {
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_generate-vectors"))
        .arg("--check")
        .status()
        .expect("generator runs");
    assert!(
        status.success(),
        "test-vectors/vectors differ from the generator: run `cargo run -p attest-test-vectors --bin generate-vectors`"
    );
}
