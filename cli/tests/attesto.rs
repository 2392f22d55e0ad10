//! Attesto Local Vault documents through the real `attest` binary
//! (docs/spec.md §12): `verify --attesto-key`, `audit` of receipts
//! (monotonic progression, equivocation), the hostile-file battery on every
//! Attesto kind, and bad `--attesto-key` arguments. The documents are the
//! ones the real attesto-local-vault 0.2.0 produced (interop/attesto/samples).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const KEY: &str = "da4fee0eaf54d9863ae1e8dbe148d797335fd0e6863571a381f86d7702e07693";
const DEADLINE: Duration = Duration::from_secs(30);

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../interop/attesto/samples")
}

fn run(dir: &Path, args: &[&str]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_attest"))
        .current_dir(dir)
        .env("XDG_STATE_HOME", dir.join(".attest-state"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("attest starts");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(DEADLINE) {
        Ok(out) => out.expect("attest runs"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("attest {args:?} hung and was killed");
        }
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn verify_json(dir: &Path, file: &str, extra: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let mut args = vec!["verify", file, "--format", "json"];
    args.extend_from_slice(extra);
    let out = run(dir, &args);
    let report = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code(), report, text(&out.stderr))
}

fn first_failure(report: &serde_json::Value) -> (String, String) {
    let c = report["checks"].as_array().and_then(|cs| cs.iter().find(|c| c["status"] == "fail")).cloned();
    let c = c.unwrap_or_default();
    (c["id"].as_str().unwrap_or_default().to_string(), c["reason"].as_str().unwrap_or_default().to_string())
}

#[test]
fn every_real_sample_verifies_with_attesto_key_and_fails_closed_without() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = samples();
    let names: Vec<String> = std::fs::read_dir(&s)
        .expect("samples")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.len() >= 10, "{names:?}");
    std::fs::write(dir.path().join("keys.txt"), format!("# the sample witness\n{KEY}\n")).expect("write");
    for name in &names {
        let file = s.join(name);
        let file = file.to_str().expect("utf-8");
        let (code, report, err) = verify_json(dir.path(), file, &["--attesto-key", KEY]);
        assert_eq!(code, Some(0), "{name}: {report} {err}");
        // The key from a file.
        let (code, _, err) = verify_json(dir.path(), file, &["--attesto-key", "keys.txt"]);
        assert_eq!(code, Some(0), "{name}: {err}");
        // Another key pinned: not trusted.
        let other = "11".repeat(32);
        let (code, report, _) = verify_json(dir.path(), file, &["--attesto-key", &other]);
        assert_eq!(code, Some(1), "{name}");
        assert_eq!(first_failure(&report), ("signer".into(), "unknown-key".into()), "{name}");
    }
    // Neither --attesto-key nor a trust root: a usage error (exit 2), nothing verified.
    let file = s.join("01-first.receipt.json");
    let out = run(dir.path(), &["verify", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn audit_reports_monotonic_progression_and_proven_equivocation() {
    let dir = tempfile::tempdir().expect("tmp");
    let good = dir.path().join("good");
    std::fs::create_dir(&good).expect("mkdir");
    for n in ["01-first.receipt.json", "02-second.receipt.json", "03-third.receipt.json", "04-replay.receipt.json"] {
        std::fs::copy(samples().join(n), good.join(n)).expect("copy");
    }
    // Fork evidence and relay requests verify alongside; they take no part in the receipt audit.
    for n in ["05-stale.fork.json", "relay-1.request.json"] {
        std::fs::copy(samples().join(n), good.join(n)).expect("copy");
    }
    let out = run(dir.path(), &["audit", "good", "--attesto-key", KEY]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("ATTESTO  witness inst_sample tenant ten_1 stream str_1 MONOTONIC: 4 receipt(s), seq 1 to 3"),
        "{stdout}"
    );

    // The same witness key signed seq 2 twice with different hashes (a second witness database).
    std::fs::copy(samples().join("08-other-second.receipt.json"), good.join("08-other-second.receipt.json"))
        .expect("copy");
    let out = run(dir.path(), &["audit", "good", "--attesto-key", KEY, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "every file verifies, the audit fails");
    let stdout = text(&out.stdout);
    let line = stdout.lines().find(|l| l.contains("attestoStream")).expect("a stream line");
    let v: serde_json::Value = serde_json::from_str(line).expect("json");
    let s = &v["attestoStream"];
    assert_eq!(s["monotonic"], false, "{s}");
    assert_eq!(s["findings"][0]["kind"], "equivocation");
    assert_eq!(s["findings"][0]["proven"], true);
    let detail = s["findings"][0]["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("02-second.receipt.json") && detail.contains("08-other-second.receipt.json"), "{detail}");
    assert!(stdout.contains("\"valid\":7"), "{stdout}");

    // A receipt that does not verify (tampered) takes no part: no equivocation from a forgery.
    std::fs::remove_file(good.join("08-other-second.receipt.json")).expect("rm");
    let mut forged: serde_json::Value =
        serde_json::from_slice(&std::fs::read(samples().join("02-second.receipt.json")).expect("read")).expect("json");
    forged["checkpoint_hash"] = serde_json::json!("ab".repeat(32));
    forged["statement"]["checkpoint_hash"] = serde_json::json!("ab".repeat(32));
    std::fs::write(good.join("09-forged.receipt.json"), forged.to_string()).expect("write");
    let out = run(dir.path(), &["audit", "good", "--attesto-key", KEY]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("INVALID") && stdout.contains("09-forged.receipt.json"), "{stdout}");
    assert!(stdout.contains("MONOTONIC: 4 receipt(s)") && !stdout.contains("NOT MONOTONIC"), "{stdout}");
}

#[test]
fn hostile_attesto_files_exit_1_with_the_problem_named_and_never_panic() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let receipt = std::fs::read_to_string(samples().join("02-second.receipt.json")).expect("read");
    let relay = std::fs::read_to_string(samples().join("relay-1.request.json")).expect("read");
    let relay_body = |body: &str| {
        let mut v: serde_json::Value = serde_json::from_str(&relay).expect("json");
        v["body"] = serde_json::json!(body);
        v.to_string()
    };
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        // (name, bytes, first failed check, reason)
        (
            "huge",
            format!("{{\"witness_receipt_id\":\"{}\",\"statement\":{{}}}}", "a".repeat(17 << 20)).into_bytes(),
            "parse",
            "too-large",
        ),
        ("dup", receipt.replacen("{", "{\"statement\":{},", 1).into_bytes(), "parse", "duplicate-key"),
        ("lone-surrogate", receipt.replacen("\"ten_1\"", "\"\\ud800\"", 1).into_bytes(), "parse", "lone-surrogate"),
        (
            "not-utf8",
            [b"{\"witness_receipt_id\":\"\xff\",\"statement\":{}}".as_slice()].concat(),
            "parse",
            "invalid-utf8",
        ),
        ("bom", [b"\xef\xbb\xbf".as_slice(), receipt.as_bytes()].concat(), "parse", "byte-order-mark"),
        ("truncated", receipt.as_bytes()[..receipt.len() / 2].to_vec(), "parse", "syntax"),
        (
            "nan",
            receipt.replacen("\"checkpoint_seq_no\": 2", "\"checkpoint_seq_no\": NaN", 1).into_bytes(),
            "parse",
            "syntax",
        ),
        (
            "float-seq",
            receipt.replace("\"checkpoint_seq_no\": 2", "\"checkpoint_seq_no\": 2.0").into_bytes(),
            "parse",
            "float-not-allowed",
        ),
        (
            "int-over-python-limit",
            receipt
                .replace("\"checkpoint_seq_no\": 2", &format!("\"checkpoint_seq_no\": {}", "9".repeat(5000)))
                .into_bytes(),
            "parse",
            "integer-out-of-range",
        ),
        (
            "huge-int-kept",
            receipt
                .replace("\"checkpoint_seq_no\": 2", &format!("\"checkpoint_seq_no\": {}", "9".repeat(4000)))
                .into_bytes(),
            "signature",
            "bad-signature",
        ),
        (
            "statement-not-object",
            receipt.replacen("\"statement\": {", "\"statement\": [{", 1).into_bytes(),
            "parse",
            "syntax",
        ),
        ("relay-body-not-json", relay_body("{\"envelope\":").into_bytes(), "parse", "syntax"),
        ("relay-body-deep", relay_body(&deep).into_bytes(), "parse", "too-deep"),
        ("relay-body-array", relay_body("[]").into_bytes(), "parse", "wrong-json-type"),
        ("relay-no-body", relay.replacen("\"body\"", "\"bodx\"", 1).into_bytes(), "parse", "unknown-member"),
        ("relay-body-dup", relay_body("{\"envelope\":{},\"envelope\":{}}").into_bytes(), "parse", "duplicate-key"),
        ("empty-object", b"{}".to_vec(), "parse", "unknown-type"),
    ];
    for (name, bytes, check, reason) in cases {
        let file = format!("{name}.json");
        std::fs::write(d.join(&file), &bytes).expect("write");
        let start = Instant::now();
        let (code, report, err) = verify_json(d, &file, &["--attesto-key", KEY]);
        assert_eq!(code, Some(1), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert_eq!(first_failure(&report), (check.to_string(), reason.to_string()), "{name}: {report}");
        assert!(start.elapsed() < Duration::from_secs(20), "{name} took {:?}", start.elapsed());
        // The human report names the file and the problem.
        let out = run(d, &["verify", &file, "--attesto-key", KEY]);
        let human = text(&out.stdout);
        assert!(human.contains(&file) && human.contains(&format!("[{reason}]")), "{name}: {human}");
    }
    // A parse failure inside a relay body is named at its path under $.body.
    std::fs::write(d.join("float-env.json"), relay.replace("\\\"attempt\\\":1", "\\\"attempt\\\":1.5")).expect("write");
    let (code, report, _) = verify_json(d, "float-env.json", &["--attesto-key", KEY]);
    assert_eq!(code, Some(1));
    assert_eq!(report["checks"][0]["reason"], "float-not-allowed", "{report}");
    assert_eq!(report["checks"][0]["path"], "$.body.envelope.attempt", "{report}");
}

#[test]
fn bad_attesto_key_arguments_exit_2_naming_them() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let file = samples().join("01-first.receipt.json");
    let file = file.to_str().expect("utf-8");
    let out = run(d, &["verify", file, "--attesto-key", "zz"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--attesto-key \"zz\"") || text(&out.stderr).contains("--attesto-key zz"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(d.join("empty.txt"), "# nothing\n").expect("write");
    let out = run(d, &["verify", file, "--attesto-key", "empty.txt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("empty.txt") && text(&out.stderr).contains("holds no key"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(d.join("bad.txt"), format!("{}\n", KEY.to_uppercase())).expect("write");
    let out = run(d, &["verify", file, "--attesto-key", "bad.txt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("bad.txt line 1"), "{}", text(&out.stderr));
}
