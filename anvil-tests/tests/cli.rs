//! The real `attest` binary against a real anvil node: `attest onchain calldata`
//! (sent signed with eth_sendRawTransaction, it consumes the attestation) and
//! `attest onchain verify` (the node's verdict beside the off-chain one) for every
//! golden vector with an `onchain` expectation.
//!
//! The binary: `$ATTEST_BIN` if set, else this test runs `cargo build -p attest-cli
//! --bin attest` into the target directory and profile of this test binary.
#![forbid(unsafe_code)]
#![allow(clippy::expect_used, missing_docs)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use attest_anvil_tests::{
    onchain_vector, onchain_vectors, trust_root_masters, verifier_events, AttestationVerifier, Chain, OnchainVector,
    VECTOR_CONTRACT,
};
use AttestationVerifier::AttestationVerifierEvents as Ev;

fn attest_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("ATTEST_BIN") {
            return PathBuf::from(p);
        }
        // <target>/<profile>/deps/cli-<hash>
        let exe = std::env::current_exe().expect("test executable path");
        let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
        let target_dir = profile_dir.parent().expect("target directory");
        let profile = profile_dir.file_name().and_then(|n| n.to_str()).expect("profile name");
        let profile = if profile == "debug" { "dev" } else { profile };
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "-p", "attest-cli", "--bin", "attest", "--profile", profile, "--target-dir"])
            .arg(target_dir)
            .current_dir(attest_anvil_tests::repo_root())
            .status()
            .expect("run cargo build -p attest-cli");
        assert!(status.success(), "cargo build -p attest-cli failed");
        let bin = profile_dir.join("attest");
        assert!(bin.is_file(), "{} missing after cargo build", bin.display());
        bin
    })
}

fn attest(args: &[&str]) -> Output {
    Command::new(attest_bin()).args(args).output().expect("run attest")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The vector's document, trust roots and root keys as files.
struct Files {
    dir: PathBuf,
    document: String,
    trust_roots: Vec<String>,
    root_keys: String,
}

impl Files {
    /// Files under a directory of their own (`test` tells the concurrent tests apart).
    fn new(test: &str, v: &OnchainVector) -> Self {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("attest-onchain-cli")
            .join(test)
            .join(v.vector.name.replace('/', "__"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let write = |name: &str, content: &str| {
            let p = dir.join(name);
            std::fs::write(&p, content).expect("write");
            p.to_string_lossy().into_owned()
        };
        let document = write("attestation.json", v.vector.document.as_deref().expect("text document"));
        let trust_roots =
            v.vector.trust_roots.iter().enumerate().map(|(i, t)| write(&format!("trust-root-{i}.json"), t)).collect();
        let root_keys = write("root-keys.txt", &format!("{}\n", v.vector.root_keys.join("\n")));
        Self { dir, document, trust_roots, root_keys }
    }

    fn verify_args<'a>(&'a self, rpc: &'a str, contract: &'a str, now: &'a str, with_trust: bool) -> Vec<&'a str> {
        let mut args = vec!["onchain", "verify", self.document.as_str(), "--rpc", rpc, "--contract", contract];
        if with_trust {
            for t in &self.trust_roots {
                args.extend(["--trust-root", t.as_str()]);
            }
            args.extend(["--root-key", self.root_keys.as_str(), "--now", now]);
        }
        args
    }
}

#[tokio::test]
async fn calldata_from_the_cli_consumes_the_attestation_on_chain() {
    let chain = Chain::start(common::compiled()).await.expect("anvil with AttestationVerifier");
    let v = onchain_vector("accept/delegated-onchain").expect("accepting vector");
    let masters = trust_root_masters(&v.root).expect("masters");
    chain.register_masters(&masters).await.expect("register");
    let files = Files::new("calldata", &v);

    let out = attest(&["onchain", "calldata", &files.document]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let printed = text(&out.stdout);
    let hex = printed.trim().strip_prefix("0x").expect("0x-hex");
    let calldata = alloy_primitives::hex::decode(hex).expect("hex");
    assert_eq!(calldata.as_slice(), v.call.consume().as_ref(), "the CLI encodes consumeDelegated like the bindings");

    let gas = chain.estimate(chain.verifier, calldata.clone().into()).await.expect("estimate") + 10_000;
    let receipt = chain.sign_and_send_raw(chain.verifier, calldata.into(), gas).await.expect("eth_sendRawTransaction");
    assert!(receipt.status(), "the CLI's calldata must be accepted by consumeDelegated");
    assert_eq!(
        verifier_events(&receipt, chain.verifier).expect("events"),
        vec![Ev::Consumed(AttestationVerifier::Consumed {
            executionKey: v.call.execution_key(),
            master: masters[0].address,
            ephemeral: v.call.d.ephemeral,
        })]
    );
    std::fs::remove_dir_all(&files.dir).ok();
}

#[tokio::test]
async fn onchain_verify_prints_the_node_and_off_chain_verdicts_of_every_vector() {
    let chain = Chain::start(common::compiled()).await.expect("anvil with AttestationVerifier");
    let rpc = chain.endpoint();
    let contract = VECTOR_CONTRACT.to_checksum(None);
    let vectors = onchain_vectors().expect("vectors");
    assert!(!vectors.is_empty());
    let mut failures = Vec::new();
    for v in &vectors {
        let snap = chain.snapshot().await.expect("snapshot");
        if v.register_masters {
            chain.register_masters(&trust_root_masters(&v.root).expect("masters")).await.expect("register");
        }
        let files = Files::new("verify", v);
        let accept = v.expect == "accept";
        let node_line = match v.expect.strip_prefix("reject:") {
            None => format!("node         accept: master {}", trust_root_masters(&v.root).expect("masters")[0].address),
            Some(reason) => format!("node         reject: {reason} ("),
        };
        let off_line = match v.expect.strip_prefix("reject:") {
            None => node_line.replace("node        ", "off-chain   "),
            Some(reason) => format!("off-chain    reject: {reason} ("),
        };
        for with_trust in [true, false] {
            let out = attest(&files.verify_args(&rpc, &contract, &v.vector.now, with_trust));
            let stdout = text(&out.stdout);
            if with_trust {
                println!("# {}\n{stdout}", v.vector.name);
            }
            let want_code = if accept { 0 } else { 1 };
            let mut wrong = Vec::new();
            if out.status.code() != Some(want_code) {
                wrong.push(format!("exit {:?}, expected {want_code}", out.status.code()));
            }
            if !stdout.lines().any(|l| l.starts_with(&node_line)) {
                wrong.push(format!("no line starting {node_line:?}"));
            }
            let (want_off, want_result) = if with_trust {
                (
                    off_line.clone(),
                    if accept {
                        "result       accept (node and off-chain agree)"
                    } else {
                        "result       reject (node and off-chain agree)"
                    },
                )
            } else {
                (
                    "off-chain    not checked".to_string(),
                    if accept { "result       accept (node only)" } else { "result       reject (node only)" },
                )
            };
            if !stdout.lines().any(|l| l.starts_with(&want_off)) {
                wrong.push(format!("no line starting {want_off:?}"));
            }
            if !stdout.lines().any(|l| l == want_result) {
                wrong.push(format!("no line {want_result:?}"));
            }
            if !wrong.is_empty() {
                failures.push(format!(
                    "{} (trust root given: {with_trust}): {}\n--- stdout\n{stdout}--- stderr\n{}",
                    v.vector.name,
                    wrong.join("; "),
                    text(&out.stderr)
                ));
            }
        }
        std::fs::remove_dir_all(&files.dir).ok();
        chain.revert_to(snap).await.expect("revert");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn onchain_verify_reports_a_disagreement() {
    // The master is registered on chain but revoked in the trust root given to the
    // CLI: the node accepts, the off-chain check refuses, exit 1.
    let chain = Chain::start(common::compiled()).await.expect("anvil with AttestationVerifier");
    let v = onchain_vector("delegation/master-revoked").expect("vector");
    let masters = trust_root_masters(&v.root).expect("masters");
    assert!(masters.iter().all(|m| m.revoked));
    for m in &masters {
        chain.set_master(m.address, m.valid_from, m.valid_until).await.expect("setMaster");
    }
    let files = Files::new("disagreement", &v);
    let rpc = chain.endpoint();
    let contract = VECTOR_CONTRACT.to_checksum(None);
    let out = attest(&files.verify_args(&rpc, &contract, &v.vector.now, true));
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("node         accept: master"), "{stdout}");
    assert!(stdout.contains("off-chain    reject: master-revoked"), "{stdout}");
    assert!(stdout.contains("result       DISAGREE: the node accepts, the off-chain check does not"), "{stdout}");
    std::fs::remove_dir_all(&files.dir).ok();
}

#[tokio::test]
async fn onchain_commands_fail_with_exit_2_when_they_cannot_check() {
    let chain = Chain::start(common::compiled()).await.expect("anvil with AttestationVerifier");
    let v = onchain_vector("accept/delegated-onchain").expect("vector");
    let files = Files::new("errors", &v);
    let rpc = chain.endpoint();
    let contract = VECTOR_CONTRACT.to_checksum(None);

    // A directly signed attestation (no delegation) has no consumeDelegated call.
    let direct = attest_test_vectors::load_all()
        .expect("vectors")
        .into_iter()
        .find(|v| v.name == "accept/direct-onchain")
        .expect("accept/direct-onchain");
    let direct_path = files.dir.join("direct.json");
    std::fs::write(&direct_path, direct.document.as_deref().expect("text")).expect("write");
    let direct_path = direct_path.to_string_lossy().into_owned();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["onchain", "calldata", &direct_path], "has no delegation"),
        (vec!["onchain", "verify", &direct_path, "--rpc", &rpc, "--contract", &contract], "has no delegation"),
        (vec!["onchain", "calldata", "/nonexistent/attestation.json"], "cannot read attestation"),
        // No code at this address.
        (
            vec![
                "onchain",
                "verify",
                &files.document,
                "--rpc",
                &rpc,
                "--contract",
                "0x0000000000000000000000000000000000000001",
            ],
            "no contract code at",
        ),
        (
            vec![
                "onchain",
                "verify",
                &files.document,
                "--rpc",
                &rpc,
                "--contract",
                "0x5FbDB2315678afecb367f032d93F642f64180aA3",
            ],
            "invalid EIP-55 checksum",
        ),
        (
            vec!["onchain", "verify", &files.document, "--rpc", "https://127.0.0.1:1", "--contract", &contract],
            "only plain http://",
        ),
        // Nothing listens on port 1.
        (
            vec!["onchain", "verify", &files.document, "--rpc", "http://127.0.0.1:1", "--contract", &contract],
            "RPC http://127.0.0.1:1",
        ),
        // --trust-root without --root-key is a usage error (clap).
        (
            vec![
                "onchain",
                "verify",
                &files.document,
                "--rpc",
                &rpc,
                "--contract",
                &contract,
                "--trust-root",
                &files.trust_roots[0],
            ],
            "--root-key",
        ),
    ];
    for (args, message) in cases {
        let out = attest(&args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: stdout {} stderr {stderr}", text(&out.stdout));
        assert!(stderr.contains(message), "{args:?}: stderr {stderr:?} lacks {message:?}");
    }
    std::fs::remove_dir_all(&files.dir).ok();
}
