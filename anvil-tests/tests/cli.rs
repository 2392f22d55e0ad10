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
    onchain_vector, onchain_vectors, trust_root_masters, verifier_events, AttestationVerifier, Chain, MasterEntry,
    OnchainVector, VECTOR_CONTRACT,
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

/// anvil with AttestationVerifier, the masters of `accept/delegated-onchain`
/// registered, and that vector's files (under `test`).
async fn accepting_setup(test: &str) -> (Chain, OnchainVector, Vec<MasterEntry>, Files) {
    let chain = Chain::start(common::compiled()).await.expect("anvil with AttestationVerifier");
    let v = onchain_vector("accept/delegated-onchain").expect("accepting vector");
    let masters = trust_root_masters(&v.root).expect("masters");
    chain.register_masters(&masters).await.expect("register");
    let files = Files::new(test, &v);
    (chain, v, masters, files)
}

#[tokio::test]
async fn calldata_from_the_cli_consumes_the_attestation_on_chain() {
    let (chain, v, masters, files) = accepting_setup("calldata").await;

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
            vec!["onchain", "verify", &files.document, "--rpc", "ftp://127.0.0.1/", "--contract", &contract],
            "expected an http:// or https:// JSON-RPC endpoint",
        ),
        (
            vec!["onchain", "verify", &files.document, "--rpc", "https://127.0.0.1:1", "--contract", &contract],
            "RPC https://127.0.0.1:1",
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

/// An HTTPS front for anvil on 127.0.0.1: TLS (a fresh self-signed
/// certificate for 127.0.0.1) terminated here, bytes relayed to anvil's plain
/// HTTP port. Runs on its own thread and runtime (the test blocks on the CLI).
/// Returns the https:// URL and the certificate as PEM.
fn https_front(anvil: &str) -> (String, String) {
    use std::sync::Arc;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()]).expect("certificate");
    let pem = ck.cert.pem();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(ck.cert.der().to_vec())], key)
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let backend = anvil.strip_prefix("http://").expect("anvil http endpoint").trim_end_matches('/').to_string();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            loop {
                let Ok((tcp, _)) = listener.accept().await else { continue };
                let (acceptor, backend) = (acceptor.clone(), backend.clone());
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                    let Ok(mut upstream) = tokio::net::TcpStream::connect(backend.as_str()).await else { return };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut upstream).await;
                });
            }
        });
    });
    (format!("https://127.0.0.1:{port}"), pem)
}

#[tokio::test]
async fn onchain_verify_over_https_with_a_private_ca() {
    // The same eth_call through TLS: refused without the CA (exit 2, certificate
    // error named), accepted with --ca-cert.
    let (chain, v, _, files) = accepting_setup("https").await;
    let (url, pem) = https_front(&chain.endpoint());
    let ca = files.dir.join("ca.pem");
    std::fs::write(&ca, pem).expect("write CA");
    let contract = VECTOR_CONTRACT.to_checksum(None);

    let out = attest(&files.verify_args(&url, &contract, &v.vector.now, true));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "without the CA: stdout {} stderr {stderr}", text(&out.stdout));
    assert!(stderr.contains(&format!("RPC {url}")) && stderr.contains("certificate"), "{stderr}");

    let mut args = files.verify_args(&url, &contract, &v.vector.now, true);
    let ca_arg = ca.to_str().expect("utf-8 path").to_string();
    args.extend(["--ca-cert", ca_arg.as_str()]);
    let out = attest(&args);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "with the CA: stdout {stdout} stderr {}", text(&out.stderr));
    assert!(stdout.contains(&format!("via {url}")), "{stdout}");
    assert!(stdout.contains("node         accept: master"), "{stdout}");
    std::fs::remove_dir_all(&files.dir).ok();
}
