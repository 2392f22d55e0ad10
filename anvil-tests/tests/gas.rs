//! Gas of the verification calls on a real anvil node, written to
//! `anvil-tests/gas.md` by `verification_gas_on_anvil` (this test).
//!
//! Execution gas of a top-level call = total gas − 21,000 − calldata gas (4 per
//! zero byte, 16 per non-zero byte). The total is the receipt's `gasUsed` of a
//! transaction, or `eth_estimateGas`; both are checked to be above the EIP-7623
//! calldata floor, so that the subtraction is meaningful.
#![forbid(unsafe_code)]
#![allow(clippy::expect_used, missing_docs)]

mod common;

use std::fmt::Write as _;
use std::process::Command;

use alloy_primitives::{Address, Bytes, B256};
use alloy_sol_types::SolCall as _;
use attest_anvil_tests::{
    calldata_floor_gas, calldata_gas, execution_gas, repo_root, tools, trust_root_masters, AttestationVerifier, Chain,
    EcdsaRecoverHarness, TX_BASE_GAS,
};

/// Targets asserted by contracts/test/Gas.t.sol, checked here too.
const VERIFY_TARGET: u64 = 15_000;
const CONSUME_TARGET: u64 = 40_000;
/// EAS `attestByDelegation`, reported by the contracts engineer (solc 0.8.29, outside this repository).
const EAS_ATTEST_BY_DELEGATION: u64 = 254_569;

struct Row {
    call: &'static str,
    how: &'static str,
    total: u64,
    data: Bytes,
    forge_key: &'static str,
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[tokio::test]
async fn verification_gas_on_anvil() {
    let compiled = common::compiled();
    let chain = Chain::start(compiled).await.expect("anvil with AttestationVerifier");
    let v = attest_anvil_tests::onchain_vector("accept/delegated-onchain").expect("accepting vector");
    chain.register_masters(&trust_root_masters(&v.root).expect("masters")).await.expect("register");

    let mut rows = Vec::new();
    let verify = v.call.verify();
    let est = chain.estimate(chain.verifier, verify.clone()).await.expect("estimate verifyDelegated");
    rows.push(Row {
        call: "verifyDelegated",
        how: "eth_estimateGas",
        total: est,
        data: verify.clone(),
        forge_key: "verifyDelegated",
    });
    // A view function sent as a transaction: the exact gasUsed of the same call.
    let r = chain.send(chain.verifier, verify.clone(), None).await.expect("verifyDelegated transaction");
    assert!(r.status());
    rows.push(Row {
        call: "verifyDelegated",
        how: "transaction",
        total: r.gas_used,
        data: verify,
        forge_key: "verifyDelegated",
    });
    let try_verify = v.call.try_verify();
    let r = chain.send(chain.verifier, try_verify.clone(), None).await.expect("tryVerifyDelegated transaction");
    assert!(r.status());
    rows.push(Row {
        call: "tryVerifyDelegated",
        how: "transaction",
        total: r.gas_used,
        data: try_verify,
        forge_key: "tryVerifyDelegated",
    });
    let consume = v.call.consume();
    let r = chain.send(chain.verifier, consume.clone(), None).await.expect("consumeDelegated transaction");
    assert!(r.status());
    rows.push(Row {
        call: "consumeDelegated (first use: one new slot + event)",
        how: "transaction",
        total: r.gas_used,
        data: consume,
        forge_key: "consumeDelegated",
    });

    // OpenZeppelin ECDSA.recover alone, on the delegation's digest and signature.
    let harness = chain.deploy(compiled.ecdsa_harness.bytecode.clone()).await.expect("deploy the ECDSA harness");
    let digest = chain
        .call(chain.verifier, AttestationVerifier::hashDelegationCall { d: v.call.d.clone() }.abi_encode().into())
        .await
        .expect("eth_call")
        .expect("hashDelegation");
    let digest = B256::from_slice(&digest);
    let recover: Bytes =
        EcdsaRecoverHarness::recoverCall { digest, sig: v.call.delegation_sig.clone() }.abi_encode().into();
    let ret = chain.call(harness, recover.clone()).await.expect("eth_call").expect("recover");
    let master = trust_root_masters(&v.root).expect("masters")[0].address;
    assert_eq!(Address::from_word(B256::from_slice(&ret)), master, "the harness recovers the master");
    let r = chain.send(harness, recover.clone(), None).await.expect("recover transaction");
    assert!(r.status());
    rows.push(Row {
        call: "OpenZeppelin ECDSA.recover alone",
        how: "transaction",
        total: r.gas_used,
        data: recover,
        forge_key: "OpenZeppelin ECDSA.recover",
    });

    let forge_path = repo_root().join("contracts/snapshots/verification-gas.json");
    let forge: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&forge_path).expect("forge gas snapshot")).expect("JSON");

    let anvil_version = Command::new(tools().expect("tools").anvil)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(|l| l.replace("Version: ", "")))
        .unwrap_or_else(|| "anvil (version unknown)".into());

    let mut md = String::new();
    let _ = writeln!(md, "# Verification gas on anvil\n");
    let _ = writeln!(
        md,
        "Written by the test `verification_gas_on_anvil` (anvil-tests/tests/gas.rs; `cargo test -p attest-anvil-tests --test gas`).\n\
         AttestationVerifier compiled by foundry-compilers with solc {} (solc-js wrapper contracts/tools/solc) and the settings of\n\
         contracts/foundry.toml (optimizer 1,000,000 runs, cancun, no metadata hash), deployed to {} at\n\
         {}; input: the golden vector `accept/delegated-onchain` (executionId `{}`), master registered.\n",
        compiled.solc_version,
        anvil_version.trim(),
        chain.verifier,
        v.call.a.executionId
    );
    let _ = writeln!(
        md,
        "Execution gas = total − {} − calldata gas (4 per zero byte, 16 per non-zero byte). The forge column is the\n\
         callee-side execution gas of contracts/snapshots/verification-gas.json (forge's own fixture, a different\n\
         attestation), for comparison.\n",
        thousands(TX_BASE_GAS)
    );
    let _ = writeln!(
        md,
        "| call | total from | total gas | calldata bytes | calldata gas | execution gas | forge snapshot |"
    );
    let _ = writeln!(
        md,
        "|------|-----------|----------:|---------------:|-------------:|--------------:|---------------:|"
    );
    let mut exec_of = std::collections::BTreeMap::new();
    for row in &rows {
        assert!(
            row.total > calldata_floor_gas(&row.data),
            "{}: total {} is at the EIP-7623 calldata floor {}; execution gas cannot be derived",
            row.call,
            row.total,
            calldata_floor_gas(&row.data)
        );
        let exec = execution_gas(row.total, &row.data).expect("execution gas");
        exec_of.insert((row.call, row.how), exec);
        let forge_gas = forge.get(row.forge_key).and_then(|g| g.as_str()).and_then(|g| g.parse::<u64>().ok());
        let _ = writeln!(
            md,
            "| `{}` | {} | {} | {} | {} | **{}** | {} |",
            row.call,
            row.how,
            thousands(row.total),
            row.data.len(),
            thousands(calldata_gas(&row.data)),
            thousands(exec),
            forge_gas.map_or_else(|| "–".into(), thousands)
        );
    }
    let _ = writeln!(
        md,
        "| EAS `attestByDelegation` (reference) | reported | – | – | – | ≈ {} | – |\n",
        thousands(EAS_ATTEST_BY_DELEGATION)
    );
    let _ = writeln!(
        md,
        "The EAS figure was measured by the contracts engineer with solc 0.8.29 outside this repository; it is\n\
         quoted, not reproduced here."
    );

    let out = repo_root().join("anvil-tests/gas.md");
    std::fs::write(&out, &md).expect("write anvil-tests/gas.md");
    println!("{md}");

    let verify_exec = exec_of[&("verifyDelegated", "transaction")];
    let estimate_exec = exec_of[&("verifyDelegated", "eth_estimateGas")];
    let consume_exec = exec_of[&("consumeDelegated (first use: one new slot + event)", "transaction")];
    assert!(verify_exec < VERIFY_TARGET, "verifyDelegated execution gas {verify_exec} ≥ target {VERIFY_TARGET}");
    assert!(consume_exec < CONSUME_TARGET, "consumeDelegated execution gas {consume_exec} ≥ target {CONSUME_TARGET}");
    assert!(estimate_exec >= verify_exec, "eth_estimateGas below the gas actually used");
}
