//! `NetworkRecordProof.sol` on a real anvil node with inclusion proofs made by
//! the attestor: every proof the Rust side accepts, the contract accepts, and
//! tampered records, paths, indices and roots are refused by both.
#![forbid(unsafe_code)]
#![allow(clippy::expect_used, missing_docs)]

mod common;

use alloy_primitives::{Bytes, B256, U256};
use alloy_sol_types::SolCall as _;
use attest_anvil_tests::{Chain, NetworkRecordProofVerifier as P};
use attest_attestor::network::example_log;
use attest_verifier::network::{check_records, inclusion_proof, parse_log, root_from_inclusion_proof, LogRules};

async fn verify_on_chain(
    chain: &Chain,
    at: alloy_primitives::Address,
    record: &[u8],
    index: u64,
    size: u64,
    path: &[B256],
    root: B256,
) -> bool {
    let call = P::verifyCall {
        record: Bytes::copy_from_slice(record),
        index: U256::from(index),
        treeSize: U256::from(size),
        path: path.to_vec(),
        root,
    };
    let ret = chain.call(at, call.abi_encode().into()).await.expect("eth_call").expect("verify does not revert");
    P::verifyCall::abi_decode_returns(&ret).expect("bool")
}

#[tokio::test(flavor = "current_thread")]
async fn attestor_proofs_verify_on_chain() {
    let compiled = common::compiled();
    let chain = Chain::start(compiled).await.expect("anvil");
    let at = chain.deploy(compiled.proof_verifier.bytecode.clone()).await.expect("deploy proof verifier");
    let mut checked = 0;
    for n in [1usize, 2, 3, 7, 10, 64, 1000] {
        let log = example_log(n, "exec-proof");
        let records = parse_log(log.as_bytes()).expect("log parses");
        let summary = check_records(&records, "exec-proof", &LogRules::default()).expect("valid log");
        let root = B256::from(*summary.root.as_bytes());
        let leaves: Vec<_> = records.iter().map(|r| r.leaf).collect();
        let lines: Vec<&str> = log.lines().collect();
        for i in [0, n / 2, n - 1] {
            let path = inclusion_proof(&leaves, i).expect("index in range");
            assert_eq!(root_from_inclusion_proof(&leaves[i], i as u64, n as u64, &path), Some(summary.root));
            let path_b: Vec<B256> = path.iter().map(|d| B256::from(*d.as_bytes())).collect();
            // The recorder writes each line as the record's canonical form: the bytes hashed.
            let record = lines[i].as_bytes();
            assert!(verify_on_chain(&chain, at, record, i as u64, n as u64, &path_b, root).await, "n={n} i={i}");
            // Tampering: one byte of the record, another index, a wrong root, a shortened path.
            let mut bad = record.to_vec();
            let k = bad.len() / 2;
            bad[k] ^= 1;
            assert!(!verify_on_chain(&chain, at, &bad, i as u64, n as u64, &path_b, root).await);
            if n > 1 {
                assert!(!verify_on_chain(&chain, at, record, ((i + 1) % n) as u64, n as u64, &path_b, root).await);
                assert!(
                    !verify_on_chain(&chain, at, record, i as u64, n as u64, &path_b[..path_b.len() - 1], root).await
                );
            }
            assert!(!verify_on_chain(&chain, at, record, i as u64, n as u64, &path_b, B256::ZERO).await);
            assert!(!verify_on_chain(&chain, at, record, n as u64, n as u64, &path_b, root).await, "index ≥ treeSize");
            checked += 1;
        }
    }
    assert_eq!(checked, 21);
}
