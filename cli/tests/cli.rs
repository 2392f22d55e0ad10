//! The real `attest` binary: every golden vector through `attest verify` /
//! `attest audit`, the exit-code contract, hostile files, and snapshots of
//! the human and JSON reports.

use std::path::Path;
use std::process::{Command, Output};

use attest_test_vectors::{b64, load_all, Vector};

fn attest() -> Command {
    Command::new(env!("CARGO_BIN_EXE_attest"))
}

/// `attest` in `dir`, remembering trust-root versions (docs/spec.md §6) in
/// `dir/.attest-state` only: runs in different temp dirs share no state.
fn attest_in(dir: &Path) -> Command {
    let mut c = attest();
    c.current_dir(dir).env("XDG_STATE_HOME", dir.join(".attest-state"));
    c
}

struct Written {
    dir: tempfile::TempDir,
    args: Vec<String>,
}

/// Writes a vector's inputs as files and returns the evidence arguments.
fn write_inputs(v: &Vector) -> Written {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    let mut args = vec!["--now".to_string(), v.now.clone()];
    std::fs::write(p.join("root.pub"), v.root_keys.join("\n")).expect("write");
    args.extend(["--root-key".into(), "root.pub".into()]);
    for (i, t) in v.trust_roots.iter().enumerate() {
        let name = format!("trust-root-{i}.json");
        std::fs::write(p.join(&name), t).expect("write");
        args.extend(["--trust-root".into(), name]);
    }
    if let Some(min) = v.min_trust_root_version {
        args.extend(["--min-trust-root-version".into(), min.to_string()]);
    }
    if let Some(s) = &v.signals {
        std::fs::write(p.join("signals.json"), s).expect("write");
        args.extend(["--signals".into(), "signals.json".into()]);
    }
    if let Some(o) = v.output_bytes() {
        std::fs::write(p.join("output.bin"), o).expect("write");
        args.extend(["--output".into(), "output.bin".into()]);
    }
    if let Some(n) = &v.network {
        std::fs::write(p.join("network.jsonl"), n).expect("write");
        args.extend(["--network".into(), "network.jsonl".into()]);
    }
    for h in &v.allow_hosts {
        args.extend(["--allow-host".into(), h.clone()]);
    }
    if let Some(policy) = &v.heartbeat_policy {
        std::fs::write(p.join("heartbeat-policy.json"), policy).expect("write");
        args.extend(["--heartbeat-policy".into(), "heartbeat-policy.json".into()]);
    }
    for [f, x] in &v.expect_claims {
        args.extend(["--expect".into(), format!("{f}={x}")]);
    }
    if let (Some(proof), Some(key)) = (&v.log_proof, &v.log_key) {
        std::fs::write(p.join("entry.tlog-proof"), proof).expect("write");
        args.extend(["--log-proof".into(), "entry.tlog-proof".into(), "--log-key".into(), key.clone()]);
        if let Some(policy) = &v.witness_policy {
            std::fs::write(p.join("witness-policy.txt"), policy).expect("write");
            args.extend(["--witness-policy".into(), "witness-policy.txt".into()]);
        }
    }
    if let Some(tee) = &v.tee {
        for (i, b) in tee.bindings.iter().enumerate() {
            let name = format!("tee-binding-{i}.json");
            std::fs::write(p.join(&name), b).expect("write");
            args.extend(["--tee-binding".into(), name]);
        }
        if let Some(ca) = &tee.root_ca {
            std::fs::write(p.join("tee-root-ca.der"), b64(ca)).expect("write");
            args.extend(["--tee-root-ca".into(), "tee-root-ca.der".into()]);
        }
    }
    if let Some(b) = &v.bundle {
        match &b.entries {
            None => {
                std::fs::write(p.join("manifest.json"), &b.manifest).expect("write");
                args.extend(["--bundle".into(), "manifest.json".into()]);
            }
            Some(entries) => {
                let root = p.join("bundle");
                std::fs::create_dir_all(&root).expect("mkdir");
                for e in entries {
                    let target = root.join(&e.path);
                    std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
                    match e.kind.as_str() {
                        "file" => std::fs::write(&target, b64(&e.base64)).expect("write"),
                        "symlink" => std::os::unix::fs::symlink("policy.json", &target).expect("symlink"),
                        _ => {
                            let ok = Command::new("mkfifo").arg(&target).status().expect("mkfifo runs").success();
                            assert!(ok, "mkfifo");
                        }
                    }
                }
                args.extend(["--bundle".into(), "bundle".into()]);
            }
        }
    }
    Written { dir, args }
}

fn run_in(dir: &Path, args: &[String]) -> Output {
    attest_in(dir).args(args).output().expect("attest runs")
}

fn json_report(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn verdict(report: &serde_json::Value) -> (String, Option<String>) {
    if report["valid"] == serde_json::Value::Bool(true) {
        return ("accept".into(), None);
    }
    let checks = report["checks"].as_array().expect("checks");
    match checks.iter().find(|c| c["status"] == "fail") {
        Some(c) => (format!("reject:{}", c["id"].as_str().unwrap_or("")), c["reason"].as_str().map(str::to_string)),
        None => ("reject:<none>".into(), None),
    }
}

#[test]
fn every_single_vector_through_attest_verify() {
    let vectors = load_all().expect("vectors");
    let mut ran = 0;
    let mut failures = Vec::new();
    for v in vectors.iter().filter(|v| v.documents.is_empty()) {
        let w = write_inputs(v);
        std::fs::write(w.dir.path().join("document.json"), v.document_bytes()).expect("write");
        let mut args = vec!["verify".to_string(), "document.json".into(), "--format".into(), "json".into()];
        args.extend(w.args.iter().cloned());
        let out = run_in(w.dir.path(), &args);
        let code = out.status.code().unwrap_or(-1);
        // Nothing pinned at all (the Attesto `no-pinned-key` vectors): the CLI
        // cannot even be asked without --trust-root or --attesto-key, a usage error.
        if v.trust_roots.is_empty() && v.reason.as_deref() == Some("no-pinned-key") {
            if code != 2 {
                failures.push(format!("{}: nothing pinned must be a usage error (exit 2), got exit {code}", v.name));
            }
            ran += 1;
            continue;
        }
        let report = json_report(&out);
        let (got, reason) = verdict(&report);
        let want_code = if v.expect == "accept" { 0 } else { 1 };
        if got != v.expect || code != want_code || (v.reason.is_some() && reason != v.reason) {
            failures.push(format!(
                "{}: expected {} {:?} exit {want_code}, got {got} {reason:?} exit {code}",
                v.name, v.expect, v.reason
            ));
        }
        ran += 1;
    }
    assert!(ran >= 100, "only {ran} vectors ran");
    assert!(failures.is_empty(), "{} of {ran} vectors disagree:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn batch_vectors_through_attest_audit() {
    let vectors = load_all().expect("vectors");
    let mut ran = 0;
    // Windowed stream vectors are run by `attest gate` (tests/heartbeat.rs).
    for v in vectors.iter().filter(|v| !v.documents.is_empty() && v.window_start.is_none()) {
        let w = write_inputs(v);
        let jsonl: String = v
            .documents
            .iter()
            .map(|d| {
                let compact: serde_json::Value = serde_json::from_str(d).expect("json");
                format!("{compact}\n")
            })
            .collect();
        std::fs::write(w.dir.path().join("batch.jsonl"), jsonl).expect("write");
        let mut args = vec!["audit".to_string(), "batch.jsonl".into(), "--format".into(), "json".into()];
        args.extend(w.args.iter().cloned());
        let out = run_in(w.dir.path(), &args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<serde_json::Value> =
            stdout.lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
        let n = v.documents.len();
        let streams = v.expect_streams.len();
        assert_eq!(lines.len(), n + streams + 1, "{}: one line per item, per stream and a summary", v.name);
        let got: Vec<(String, Option<String>)> = lines[..n].iter().map(|l| verdict(&l["report"])).collect();
        let want: Vec<(String, Option<String>)> = v
            .expect_each
            .iter()
            .enumerate()
            .map(|(i, e)| (e.clone(), v.reason_each.get(i).filter(|r| !r.is_empty()).cloned()))
            .collect();
        if v.reason_each.is_empty() {
            let got: Vec<&String> = got.iter().map(|(e, _)| e).collect();
            assert_eq!(got, v.expect_each.iter().collect::<Vec<_>>(), "{}", v.name);
        } else {
            assert_eq!(got, want, "{}", v.name);
        }
        for (line, want) in lines[n..n + streams].iter().zip(&v.expect_streams) {
            let s = &line["stream"];
            assert_eq!(s["stream"], want.stream.as_str(), "{}", v.name);
            assert_eq!(s["health"], want.health.as_str(), "{}", v.name);
            let (expect, reason) = verdict(&s["report"]);
            assert_eq!((expect, reason), (want.expect.clone(), want.reason.clone()), "{}", v.name);
        }
        let all_ok =
            v.expect_each.iter().all(|e| e == "accept") && v.expect_streams.iter().all(|s| s.expect == "accept");
        assert_eq!(out.status.code(), Some(if all_ok { 0 } else { 1 }), "{}", v.name);
        assert_eq!(lines[n + streams]["summary"]["total"], n);
        ran += 1;
    }
    assert!(ran >= 3);
}

fn accept_vector() -> Vector {
    load_all().expect("vectors").into_iter().find(|v| v.name == "accept/direct-full").expect("accept vector")
}

/// Runs `attest verify FILE` with the accepting vector's evidence and `contents` as the document.
fn verify_bytes(contents: &[u8]) -> Output {
    let v = accept_vector();
    let w = write_inputs(&v);
    std::fs::write(w.dir.path().join("document.json"), contents).expect("write");
    let mut args = vec!["verify".to_string(), "document.json".into()];
    args.extend(w.args.iter().cloned());
    run_in(w.dir.path(), &args)
}

#[test]
fn hostile_documents_exit_1_without_panicking() {
    let good = accept_vector().document_bytes();
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), Vec::new()),
        ("nested".into(), "[".repeat(100_000).into_bytes()),
        ("nested-objects".into(), "{\"a\":".repeat(50_000).into_bytes()),
        ("huge".into(), {
            let mut b = b"{\"type\":\"".to_vec();
            b.resize(17 * 1024 * 1024, b'a');
            b
        }),
        ("nul".into(), vec![0u8; 64]),
        ("long-number".into(), format!("{{\"type\":1{}}}", "0".repeat(100_000)).into_bytes()),
    ];
    for cut in [1, 10, good.len() / 3, good.len() / 2, good.len() - 2] {
        cases.push((format!("truncated-{cut}"), good[..cut].to_vec()));
    }
    // The Attesto kinds (docs/spec.md §12): their own parser, cut and mutated the same way.
    let vectors = load_all().expect("vectors");
    let attesto: Vec<Vec<u8>> = ["attesto/accept-receipt", "attesto/accept-fork", "attesto/accept-relay"]
        .iter()
        .map(|n| vectors.iter().find(|v| v.name == *n).expect("attesto vector").document_bytes())
        .collect();
    for (k, doc) in attesto.iter().enumerate() {
        for cut in [1, doc.len() / 2, doc.len() - 1] {
            cases.push((format!("attesto-{k}-truncated-{cut}"), doc[..cut].to_vec()));
        }
        cases.push((
            format!("attesto-{k}-big-integer"),
            String::from_utf8_lossy(doc).replacen(":1,", &format!(":{},", "7".repeat(4400)), 1).into_bytes(),
        ));
    }
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for i in 0..8 + 3 * 8 {
        let mut b = if i < 8 { good.clone() } else { attesto[(i - 8) / 8].clone() };
        for _ in 0..5 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let idx = (seed as usize) % b.len();
            b[idx] = (seed >> 32) as u8;
        }
        cases.push((format!("mutated-{i}"), b));
    }
    for (name, bytes) in cases {
        let out = verify_bytes(&bytes);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{name}: panicked: {stderr}");
        assert_eq!(out.status.code(), Some(1), "{name}: {}{}", String::from_utf8_lossy(&out.stdout), stderr);
        assert!(String::from_utf8_lossy(&out.stdout).contains("FAIL"), "{name}");
    }
}

#[test]
fn could_not_check_exits_2_naming_the_file() {
    let v = accept_vector();
    let w = write_inputs(&v);
    let d = w.dir.path();
    std::fs::write(d.join("document.json"), v.document_bytes()).expect("write");
    let base: Vec<String> = w.args.clone();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["verify".into(), "missing.json".into()], "missing.json"),
        (vec!["verify".into(), "document.json".into(), "--trust-root".into(), "nope.json".into()], "nope.json"),
        (vec!["verify".into(), "document.json".into(), "--root-key".into(), "document.json".into()], "document.json"),
        (vec!["verify".into(), "document.json".into(), "--now".into(), "yesterday".into()], "--now"),
        (vec!["verify".into(), ".".into()], "directory"),
    ];
    for (mut args, needle) in cases {
        let extra: Vec<String> = base.to_vec();
        // Later flags override the defaults for single-valued options; repeated ones add.
        args.extend(extra);
        let out = run_in(d, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: stderr does not name {needle}: {stderr}");
    }
    // A bundle path that does not exist.
    let mut args: Vec<String> = vec!["verify".into(), "document.json".into(), "--bundle".into(), "no-such-dir".into()];
    let mut skip = false;
    for a in &base {
        if skip {
            skip = false;
            continue;
        }
        if a == "--bundle" {
            skip = true;
            continue;
        }
        args.push(a.clone());
    }
    let out = run_in(d, &args);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-dir"));
    // Usage errors.
    let out = attest().arg("verify").output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let out = attest().args(["verify", "x.json", "--format", "xml"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn malformed_trust_root_is_a_checked_failure() {
    let v = accept_vector();
    let w = write_inputs(&v);
    std::fs::write(w.dir.path().join("document.json"), v.document_bytes()).expect("write");
    std::fs::write(w.dir.path().join("trust-root-0.json"), b"{\"type\":").expect("write");
    let mut args = vec!["verify".to_string(), "document.json".into(), "--format".into(), "json".into()];
    args.extend(w.args.iter().cloned());
    let out = run_in(w.dir.path(), &args);
    assert_eq!(out.status.code(), Some(1));
    let r = json_report(&out);
    let (got, reason) = verdict(&r);
    assert_eq!(got, "reject:trust-root");
    assert_eq!(reason.as_deref(), Some("syntax"));
    let detail = r["checks"][1]["detail"].as_str().unwrap_or("");
    assert!(detail.contains("trust-root-0.json"), "detail names the file: {detail}");
}

fn snapshot_report(name: &str, format: &str) -> String {
    let v = load_all().expect("vectors").into_iter().find(|v| v.name == name).expect("vector");
    let w = write_inputs(&v);
    std::fs::write(w.dir.path().join("attestation.json"), v.document_bytes()).expect("write");
    let mut args = vec!["verify".to_string(), "attestation.json".into(), "--format".into(), format.into()];
    args.extend(w.args.iter().cloned());
    let out = run_in(w.dir.path(), &args);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn report_snapshots() {
    for name in [
        "accept/direct-full",
        "accept/delegated-onchain",
        "signature/tampered",
        "delegation/master-revoked",
        "bundle-files/extra-file",
        "parse/duplicate-key",
    ] {
        let key = name.replace('/', "__");
        insta::assert_snapshot!(format!("{key}__human"), snapshot_report(name, "human"));
        insta::assert_snapshot!(format!("{key}__json"), snapshot_report(name, "json"));
    }
}

#[test]
fn demo_runs_and_its_files_verify() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = attest().args(["demo", "--dir"]).arg(dir.path()).output().expect("demo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("INVALID: signature failed"), "{stdout}");
    let out = attest_in(dir.path())
        .args([
            "verify",
            "attestation.json",
            "--trust-root",
            "trust-root.json",
            "--root-key",
            "keys/root.pub",
            "--now",
            "2026-11-21T12:00:00Z",
        ])
        .output()
        .expect("verify runs");
    assert_eq!(out.status.code(), Some(0));
    let out = attest_in(dir.path()).args(["inspect", "attestation-delegated.json"]).output().expect("inspect runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    for needle in ["payloadHash", "contextHash", "attestationSigner", "delegationSigner", "domainSeparator"] {
        assert!(text.contains(needle), "inspect shows {needle}: {text}");
    }
}

#[test]
fn keygen_trust_root_bundle_sign_verify_round_trip() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let run = |args: &[&str]| {
        let out = attest_in(d).args(args).output().expect("runs");
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    run(&["keygen", "--out", "root.secret", "--pub-out", "root.pub"]);
    run(&["keygen", "--out", "bundle.secret"]);
    run(&["keygen", "--out", "runtime.secret"]);
    // Existing key files are never overwritten.
    let out = attest_in(d).args(["keygen", "--out", "root.secret"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let t0 = ["--issued-at", "2026-11-01T00:00:00Z", "--expires-at", "2027-11-01T00:00:00Z"];
    let mut a = vec!["trust-root", "create", "--sign", "root.secret", "--out", "tr1.json"];
    a.extend(t0);
    run(&a);
    let mut a = vec![
        "trust-root",
        "add-key",
        "tr1.json",
        "--key",
        "bundle.secret",
        "--role",
        "bundle-signing",
        "--sign",
        "root.secret",
        "--out",
        "tr2.json",
    ];
    a.extend(t0);
    run(&a);
    let mut a = vec![
        "trust-root",
        "add-key",
        "tr2.json",
        "--key",
        "runtime.secret",
        "--role",
        "runtime",
        "--sign",
        "root.secret",
        "--out",
        "tr3.json",
    ];
    a.extend(t0);
    run(&a);
    run(&[
        "trust-root",
        "verify",
        "tr1.json",
        "tr2.json",
        "tr3.json",
        "--root-key",
        "root.pub",
        "--now",
        "2026-11-21T00:00:00Z",
    ]);
    std::fs::create_dir_all(d.join("bundle")).expect("mkdir");
    std::fs::write(d.join("bundle/policy.json"), b"{\"rules\":[]}").expect("write");
    run(&[
        "bundle",
        "sign",
        "bundle",
        "--key",
        "bundle.secret",
        "--policy-id",
        "p",
        "--policy-version",
        "1",
        "--created-at",
        "2026-11-02T00:00:00Z",
    ]);
    std::fs::write(d.join("signals.json"), b"{\"x\":1}").expect("write");
    let h = "11".repeat(32);
    run(&[
        "sign",
        "--key",
        "runtime.secret",
        "--bundle",
        "bundle",
        "--signals",
        "signals.json",
        "--execution-id",
        "e-1",
        "--runtime-version",
        "1.0.0",
        "--runtime-hash",
        &h,
        "--release-manifest-hash",
        &h,
        "--evaluator-semantic-hash",
        &h,
        "--evaluator-artifact-hash",
        &h,
        "--trust-root-version",
        "3",
        "--issued-at",
        "2026-11-20T00:00:00Z",
        "--out",
        "att.json",
    ]);
    let verify = |extra: &[&str]| {
        let mut a = vec![
            "verify",
            "att.json",
            "--trust-root",
            "tr1.json",
            "--trust-root",
            "tr2.json",
            "--trust-root",
            "tr3.json",
            "--root-key",
            "root.pub",
            "--bundle",
            "bundle",
            "--signals",
            "signals.json",
            "--now",
            "2026-11-21T00:00:00Z",
        ];
        a.extend(extra);
        attest_in(d).args(&a).output().expect("runs")
    };
    assert_eq!(verify(&[]).status.code(), Some(0));
    assert_eq!(verify(&["--min-trust-root-version", "4"]).status.code(), Some(1));
    // Revoke the runtime key: the attestation is refused at every time.
    let mut a = vec!["trust-root", "revoke", "tr3.json", "--key-id", "", "--sign", "root.secret", "--out", "tr4.json"];
    let show = run(&["key", "show", "runtime.secret"]);
    let info: serde_json::Value = serde_json::from_slice(&show.stdout).expect("json");
    let kid = info["ed25519"]["keyId"].as_str().expect("key id").to_string();
    a[4] = &kid;
    a.extend(t0);
    run(&a);
    let out = attest_in(d)
        .args([
            "verify",
            "att.json",
            "--trust-root",
            "tr1.json",
            "--trust-root",
            "tr2.json",
            "--trust-root",
            "tr3.json",
            "--trust-root",
            "tr4.json",
            "--root-key",
            "root.pub",
            "--now",
            "2026-11-21T00:00:00Z",
            "--format",
            "json",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(verdict(&json_report(&out)), ("reject:signer".to_string(), Some("key-revoked".to_string())));
    // Tampering with a bundle file is caught.
    std::fs::write(d.join("bundle/policy.json"), b"{\"rules\":[1]}").expect("write");
    assert_eq!(verify(&[]).status.code(), Some(1));
}

/// A check's (status, reason) in a JSON report.
fn check_of(report: &serde_json::Value, id: &str) -> (String, Option<String>) {
    let c = report["checks"].as_array().expect("checks").iter().find(|c| c["id"] == id).expect("check present");
    (c["status"].as_str().expect("status").to_string(), c["reason"].as_str().map(str::to_string))
}

#[test]
fn oversized_signals_and_unnameable_bundle_files_are_checked_failures() {
    // docs/spec.md §6: malformed evidence is exit 1 (a failed check), not "could not check".
    let v = accept_vector();
    let w = write_inputs(&v);
    assert!(w.args.iter().any(|a| a == "signals.json") && w.args.iter().any(|a| a == "bundle"), "fixture");
    let mut args = vec!["verify".to_string(), "document.json".into(), "--format".into(), "json".into()];
    args.extend(w.args.iter().cloned());
    std::fs::write(w.dir.path().join("document.json"), v.document_bytes()).expect("write");
    let out = run_in(w.dir.path(), &args);
    assert_eq!(out.status.code(), Some(0), "baseline: {}", String::from_utf8_lossy(&out.stdout));

    // A signals file one byte over the 16 MiB document limit.
    let mut big = b"{\"a\":\"".to_vec();
    big.resize(16 * 1024 * 1024 - 1, b'a');
    big.extend_from_slice(b"\"}");
    std::fs::write(w.dir.path().join("signals.json"), &big).expect("write");
    let out = run_in(w.dir.path(), &args);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(check_of(&json_report(&out), "fingerprint"), ("fail".into(), Some("signals-malformed".into())));
    std::fs::write(w.dir.path().join("signals.json"), v.signals.as_deref().expect("signals")).expect("write");

    // A bundle file whose name is not UTF-8 can never be listed.
    use std::os::unix::ffi::OsStrExt as _;
    let name = std::ffi::OsStr::from_bytes(b"extra\xff\xfe.txt");
    std::fs::write(w.dir.path().join("bundle").join(name), b"x").expect("write");
    let out = run_in(w.dir.path(), &args);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json_report(&out);
    assert_eq!(check_of(&report, "bundle-files"), ("fail".into(), Some("unlisted-file".into())));
    assert!(report.to_string().contains("extra\\\\xff\\\\xfe.txt"), "{report}");
}

/// `--max-clock-skew`: a duration in seconds or with s/m/h; anything else is a
/// usage error (exit 2); a larger skew accepts a document dated further ahead.
#[test]
fn max_clock_skew_is_parsed_and_applied() {
    let v = load_all().expect("vectors").into_iter().find(|v| v.name == "signer/issued-in-future").expect("vector");
    let w = write_inputs(&v);
    std::fs::write(w.dir.path().join("document.json"), v.document_bytes()).expect("write");
    let run = |skew: &str| {
        let mut args = vec!["verify".to_string(), "document.json".into(), "--format".into(), "json".into()];
        args.extend(w.args.iter().cloned());
        args.push(format!("--max-clock-skew={skew}"));
        run_in(w.dir.path(), &args)
    };
    let out = run("5m");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(verdict(&json_report(&out)), ("reject:signer".to_string(), Some("issued-in-future".to_string())));
    for bad in ["5 minutes", "-1", "m", "99999999999999999999h"] {
        let out = run(bad);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--max-clock-skew"), "{bad}");
    }
    // Eighty years of skew: the 2099 document's signer check passes.
    let out = run("700800h");
    let r = json_report(&out);
    assert_eq!(r["checks"][2]["status"], "pass", "{r}");
}
