//! `-` reads standard input where a file is expected (docs/spec.md §6): the
//! document, a trust root, a root-key file, signals…; one input per command.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

fn run_with_stdin(dir: &std::path::Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_attest"))
        .current_dir(dir)
        .env("XDG_STATE_HOME", dir.join("state"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("attest runs");
    let mut input = child.stdin.take().expect("stdin");
    // A write error means the child stopped reading (it refused early): fine.
    let _ = input.write_all(stdin);
    drop(input);
    child.wait_with_output().expect("attest exits")
}

#[test]
fn dash_is_stdin() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path().join("demo");
    let demo = Command::new(env!("CARGO_BIN_EXE_attest")).arg("demo").arg("--dir").arg(&d).output().expect("demo");
    assert!(demo.status.success());
    let read = |f: &str| std::fs::read(d.join(f)).expect("demo file");
    let now = ["--now", "2026-11-21T12:00:00Z"];
    let mut args = vec!["verify", "-", "--trust-root", "trust-root.json", "--root-key", "keys/root.pub"];
    args.extend(now);
    let out = run_with_stdin(&d, &args, &read("attestation.json"));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("-: attest.execution-attestation.v1"));
    // The tampered attestation from stdin: checked, not valid.
    let out = run_with_stdin(&d, &args, &read("attestation-tampered.json"));
    assert_eq!(out.status.code(), Some(1));
    // A root-key file and a trust root from stdin.
    let mut args = vec!["verify", "attestation.json", "--trust-root", "trust-root.json", "--root-key", "-"];
    args.extend(now);
    assert_eq!(run_with_stdin(&d, &args, &read("keys/root.pub")).status.code(), Some(0));
    let mut args = vec!["verify", "attestation.json", "--trust-root", "-", "--root-key", "keys/root.pub"];
    args.extend(now);
    assert_eq!(run_with_stdin(&d, &args, &read("trust-root.json")).status.code(), Some(0));
    // inspect -.
    let out = run_with_stdin(&d, &["inspect", "-", "--format", "json"], &read("trust-root.json"));
    assert_eq!(out.status.code(), Some(0));
    // Two inputs from stdin: could not check, naming both.
    let mut args = vec!["verify", "-", "--trust-root", "trust-root.json", "--root-key", "-"];
    args.extend(now);
    let out = run_with_stdin(&d, &args, &read("keys/root.pub"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("stdin is already the root key file"), "{err}");
    // Over 16 MiB on stdin: read to one byte past the limit, refused as too large (exit 1).
    let mut big = b"{\"type\":\"".to_vec();
    big.resize(17 << 20, b'a');
    let mut args =
        vec!["verify", "-", "--trust-root", "trust-root.json", "--root-key", "keys/root.pub", "--format", "json"];
    args.extend(now);
    let out = run_with_stdin(&d, &args, &big);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["checks"][0]["reason"], "too-large");
}

/// `trust-root verify` takes the trust flags of `verify`: several `--root-key`
/// files and `--format json` (the verdict object of WASM `verifyTrustRootChain`).
#[test]
fn trust_root_verify_takes_the_verify_flags() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path().join("demo");
    let demo = Command::new(env!("CARGO_BIN_EXE_attest")).arg("demo").arg("--dir").arg(&d).output().expect("demo");
    assert!(demo.status.success());
    let args = [
        "trust-root",
        "verify",
        "trust-root.json",
        "--root-key",
        "heartbeats/root.pub",
        "--root-key",
        "keys/root.pub",
        "--format",
        "json",
        "--now",
        "2026-11-21T12:00:00Z",
    ];
    let out = run_with_stdin(&d, &args, b"");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["valid"], true);
    assert_eq!(v["length"], 1);
    assert_eq!(v["newest"]["version"], 1);
    // Only the other world's key pinned: not anchored, exit 1, the reason in JSON.
    let args = [
        "trust-root",
        "verify",
        "trust-root.json",
        "--root-key",
        "heartbeats/root.pub",
        "--format",
        "json",
        "--now",
        "2026-11-21T12:00:00Z",
    ];
    let out = run_with_stdin(&d, &args, b"");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["valid"], false);
    assert_eq!(v["reason"], "not-anchored");
}

/// `attest audit -`: JSON Lines streamed from stdin (replay across lines
/// named `stdin:N`), or one pretty-printed document; stdin once per command.
#[test]
fn audit_reads_json_lines_from_stdin() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path().join("demo");
    let demo = Command::new(env!("CARGO_BIN_EXE_attest")).arg("demo").arg("--dir").arg(&d).output().expect("demo");
    assert!(demo.status.success());
    let compact = |f: &str| {
        let v = attest_verifier::doc::parse_json(&std::fs::read(d.join(f)).expect("demo file")).expect("JSON");
        attest_json::to_canonical_vec(&v)
    };
    let mut lines = Vec::new();
    for f in ["attestation.json", "attestation-delegated.json", "attestation.json"] {
        lines.extend(compact(f));
        lines.push(b'\n');
    }
    let args = [
        "audit",
        "-",
        "--trust-root",
        "trust-root.json",
        "--root-key",
        "keys/root.pub",
        "--now",
        "2026-11-21T12:00:00Z",
    ];
    let out = run_with_stdin(&d, &args, &lines);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("VALID   stdin:1") && stdout.contains("VALID   stdin:2"), "{stdout}");
    assert!(
        stdout.contains("INVALID stdin:3: replay [repeated-execution-id]")
            && stdout.contains("already used by stdin:1"),
        "{stdout}"
    );
    // One pretty-printed document on stdin.
    let out = run_with_stdin(&d, &args, &std::fs::read(d.join("attestation.json")).expect("read"));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("VALID   stdin\n"));
    // Stdin is one input per command.
    let args = ["audit", "-", "--trust-root", "-", "--root-key", "keys/root.pub"];
    let out = run_with_stdin(&d, &args, &lines);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("stdin is already"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
