//! Every golden vector with an `onchain` expectation, on a real anvil node and
//! through the Rust verifier; the two must agree with the vector.
//!
//! How the verdicts are compared, per vector (one fresh state each: the verifier
//! is deployed once, an `evm_snapshot` is taken, and every vector ends with
//! `evm_revert` to it, so vectors never see each other's masters or consumptions):
//!
//! 1. Contract. With `registerMasters`, every secp256k1 `attestor-master` key of
//!    the vector's newest (verified) trust root is registered with `setMaster(address,
//!    validFrom, validUntil or 0)` in Unix seconds, then the revoked ones are
//!    revoked with `revokeMaster`. Then
//!    - `verifyDelegated` by eth_call: return → `accept` (+ master); revert → the
//!      revert bytes decoded with the `sol!` error enum (`SolInterface::abi_decode`)
//!      and mapped to the reason of the table in AttestVerifierLib.sol
//!      (SignatureEncoding → signature-encoding, …, WrongSigner → wrong-signer);
//!    - `tryVerifyDelegated` by eth_call: code 0 → `accept` (+ master), code c →
//!      the table's reason of c;
//!    - `consumeDelegated` by eth_call (same decoding), then sent as a transaction
//!      (fixed gas limit, so nothing is estimated first): it must succeed and emit
//!      `Consumed` iff the expectation is `accept`, else revert with no log.
//!
//!    Each of the four must equal `onchain.expect`, and the masters must agree.
//! 2. Rust, on-chain rules. `check_onchain_signatures(attestation, newest root,
//!    recomputed contextHash)` mirrors `verifyDelegated` rule by rule (including
//!    the master registry, read from the trust root): `Ok(Some(master))` → `accept`
//!    with that master, `Err(e)` → `reject:<e.reason()>`. Must equal `onchain.expect`.
//! 3. Rust, full report. The vector's own `expect` names the first failing check
//!    (`reject:delegation` or `reject:onchain-signature`; the delegation check runs
//!    first, so for master/context/window problems of the delegation it is the one
//!    that fails first). The report of `attest verify` (test-vectors `run::report`)
//!    must have that check failing with exactly the reason of `onchain.expect`;
//!    for an `accept` vector the report must be valid with `onchain-signature` passing.
#![forbid(unsafe_code)]
#![allow(clippy::expect_used, missing_docs)]

mod common;

use std::collections::BTreeSet;

use attest_anvil_tests::{
    code_verdict, consumed_topic, onchain_vectors, rust_verdict, trust_root_masters, Chain, OnchainVector, Verdict,
    REVERTING_TX_GAS,
};
use attest_verifier::{CheckId, Status};

async fn run_vector(chain: &Chain, v: &OnchainVector) -> Result<Vec<String>, String> {
    let mut problems = Vec::new();
    let mut check = |what: &str, got: &Verdict| {
        if got.label() != v.expect {
            problems.push(format!("{what}: got {}, expected {}", got.label(), v.expect));
        }
    };
    if v.register_masters {
        chain.register_masters(&trust_root_masters(&v.root)?).await?;
    }
    let contract = chain.verify_delegated(&v.call).await?;
    check("verifyDelegated", &contract);
    let (code, try_master) = chain.try_verify_delegated(&v.call).await?;
    let tried = code_verdict(code, try_master)?;
    check(&format!("tryVerifyDelegated (code {code})"), &tried);
    let simulated = chain.simulate_consume(&v.call).await?;
    check("consumeDelegated (eth_call)", &simulated);
    let rust = rust_verdict(&v.attestation, &v.root);
    check("Rust check_onchain_signatures", &rust);

    let receipt = chain.send(chain.verifier, v.call.consume(), Some(REVERTING_TX_GAS)).await?;
    let consumed_logs = receipt.inner.logs().iter().filter(|l| l.topic0() == Some(&consumed_topic())).count();
    let accept = v.expect == "accept";
    if receipt.status() != accept || consumed_logs != usize::from(accept) {
        problems.push(format!(
            "consumeDelegated transaction: status {}, {consumed_logs} Consumed event(s); expected {}",
            receipt.status(),
            v.expect
        ));
    }
    // On acceptance every path names the same master.
    if let (Verdict::Accept(a), Verdict::Accept(b), Verdict::Accept(c), Verdict::Accept(d)) =
        (&contract, &tried, &simulated, &rust)
    {
        if !(a == b && b == c && c == d) {
            problems.push(format!("masters differ: verifyDelegated {a}, try {b}, consume {c}, Rust {d}"));
        }
    }

    // 3. The full Rust report and the check the vector names.
    let report = attest_test_vectors::run::report(&v.vector)?;
    match v.vector.expect.strip_prefix("reject:") {
        None => {
            let onchain = report.check(CheckId::OnchainSignature).map(|c| c.status);
            if !(v.vector.expect == "accept" && report.valid() && onchain == Some(Status::Pass)) {
                problems.push(format!(
                    "Rust report: valid {}, onchain-signature {onchain:?}; vector expects {}",
                    report.valid(),
                    v.vector.expect
                ));
            }
        }
        Some(id) => {
            let reason = v.expect.strip_prefix("reject:").unwrap_or("(accept)");
            match CheckId::from_id(id) {
                Some(cid @ (CheckId::Delegation | CheckId::OnchainSignature)) => {
                    let got = report.check(cid).and_then(|c| c.reason).map(|r| r.as_str());
                    if got != Some(reason) {
                        problems
                            .push(format!("Rust report: check {id} has reason {got:?}, the contract says {reason}"));
                    }
                }
                _ => problems
                    .push(format!("vector expects {}: not a delegation / onchain-signature check", v.vector.expect)),
            }
        }
    }
    Ok(problems)
}

#[tokio::test]
async fn every_onchain_vector_gets_the_same_verdict_from_the_contract_and_the_rust_verifier() {
    let compiled = common::compiled();
    let chain = Chain::start(compiled).await.expect("anvil with AttestationVerifier");
    let vectors = onchain_vectors().expect("onchain vectors");
    let total = attest_test_vectors::load_all().expect("vectors").iter().filter(|v| v.onchain.is_some()).count();
    assert_eq!(vectors.len(), total);
    let expectations: BTreeSet<&str> = vectors.iter().map(|v| v.expect.as_str()).collect();
    assert!(expectations.contains("accept"), "no accepting onchain vector");
    assert!(expectations.len() >= 9, "onchain vectors cover only {expectations:?}");

    let mut failures = Vec::new();
    for v in &vectors {
        let snap = chain.snapshot().await.expect("evm_snapshot");
        match run_vector(&chain, v).await {
            Ok(p) if p.is_empty() => println!("{:<40} {}", v.vector.name, v.expect),
            Ok(p) => failures.push(format!("{}:\n  {}", v.vector.name, p.join("\n  "))),
            Err(e) => failures.push(format!("{}: {e}", v.vector.name)),
        }
        chain.revert_to(snap).await.expect("evm_revert");
    }
    println!("{} onchain vectors run on anvil", vectors.len());
    assert!(
        failures.is_empty(),
        "{} of {} onchain vectors disagree:\n{}",
        failures.len(),
        vectors.len(),
        failures.join("\n")
    );
}

#[test]
fn the_sol_interface_matches_the_compiled_abi() {
    let compiled = common::compiled();
    attest_anvil_tests::check_abi(&compiled.verifier.abi).unwrap_or_else(|e| panic!("{e}"));
}
