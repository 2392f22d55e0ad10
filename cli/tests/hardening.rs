//! Issue 10 through the real `attest` binary: nothing hangs on FIFOs,
//! sockets or devices; human output cannot be spoofed by names or details;
//! the signing commands write only what verifies and never overwrite; the
//! audit edge cases; small contract fixes. Every command runs with a
//! deadline: a hang fails the test instead of stalling it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// How long any one command may take.
const DEADLINE: Duration = Duration::from_secs(30);

/// Runs `attest ARGS` in `dir`; a command still running at the deadline is
/// killed and the test fails.
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
            panic!("attest {args:?} hung for {DEADLINE:?} and was killed");
        }
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn mkfifo(p: &Path) {
    let ok = Command::new("mkfifo").arg(p).status().expect("mkfifo runs").success();
    assert!(ok, "mkfifo {}", p.display());
}

/// The demo's world (keys, trust root, bundle, signals, output, attestations) in a temp dir.
fn world() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(dir.path(), &["demo", "--dir", "."]);
    assert_eq!(out.status.code(), Some(0), "demo: {}{}", stdout(&out), stderr(&out));
    dir
}

/// Evidence flags for the demo world; `over` replaces the value of a flag
/// (`("--signals", "fifo")`), or adds it when the flag is not among them.
fn evidence(over: &[(&str, &str)]) -> Vec<String> {
    let mut flags: Vec<(String, String)> = [
        ("--trust-root", "trust-root.json"),
        ("--root-key", "keys/root.pub"),
        ("--bundle", "bundle"),
        ("--signals", "signals.json"),
        ("--output", "output.json"),
        ("--now", "2026-11-21T12:00:00Z"),
    ]
    .iter()
    .map(|(f, v)| (f.to_string(), v.to_string()))
    .collect();
    for (f, v) in over {
        match flags.iter_mut().find(|(g, _)| g == f) {
            Some(slot) => slot.1 = v.to_string(),
            None => flags.push((f.to_string(), v.to_string())),
        }
    }
    flags.into_iter().flat_map(|(f, v)| [f, v]).filter(|s| !s.is_empty()).collect()
}

/// Evidence flags without one of them.
fn evidence_without(flag: &str) -> Vec<String> {
    let all = evidence(&[]);
    let mut out = Vec::new();
    let mut it = all.into_iter();
    while let Some(f) = it.next() {
        let v = it.next().unwrap_or_default();
        if f != flag {
            out.extend([f, v]);
        }
    }
    out
}

fn run_with(dir: &Path, head: &[&str], tail: &[String]) -> Output {
    let mut args: Vec<&str> = head.to_vec();
    args.extend(tail.iter().map(String::as_str));
    run(dir, &args)
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", stdout(out), stderr(out)))
}

/// A check's (status, reason, detail) in a JSON report.
fn check(report: &serde_json::Value, id: &str) -> (String, Option<String>, String) {
    let c = report["checks"].as_array().expect("checks").iter().find(|c| c["id"] == id).expect("check present");
    (
        c["status"].as_str().unwrap_or("").to_string(),
        c["reason"].as_str().map(str::to_string),
        c["detail"].as_str().unwrap_or("").to_string(),
    )
}

// ---------------------------------------------------------------- A: nothing hangs

#[test]
fn fifos_sockets_and_devices_are_refused_with_exit_2_naming_the_file() {
    let w = world();
    let d = w.path();
    mkfifo(&d.join("fifo.json"));
    let _sock = std::os::unix::net::UnixListener::bind(d.join("sock.json")).expect("socket");
    let cases: Vec<(Vec<&str>, Vec<String>, &str, &str)> = vec![
        (vec!["verify", "fifo.json"], evidence(&[]), "fifo.json", "FIFO"),
        (vec!["verify", "sock.json"], evidence(&[]), "sock.json", "socket"),
        (vec!["verify", "/dev/zero"], evidence(&[]), "/dev/zero", "character device"),
        (vec!["inspect", "fifo.json"], Vec::new(), "fifo.json", "FIFO"),
        (vec!["verify", "attestation.json"], evidence(&[("--trust-root", "fifo.json")]), "fifo.json", "FIFO"),
        (vec!["verify", "attestation.json"], evidence(&[("--trust-root", "sock.json")]), "sock.json", "socket"),
        (vec!["verify", "attestation.json"], evidence(&[("--output", "fifo.json")]), "fifo.json", "FIFO"),
        (vec!["verify", "attestation.json"], evidence(&[("--signals", "fifo.json")]), "fifo.json", "FIFO"),
        (vec!["verify", "attestation.json"], evidence(&[("--network", "fifo.json")]), "fifo.json", "FIFO"),
        (vec!["verify", "attestation.json"], evidence(&[("--root-key", "fifo.json")]), "fifo.json", "FIFO"),
        (vec!["verify", "attestation.json"], evidence(&[("--bundle", "fifo.json")]), "fifo.json", "FIFO"),
        (vec!["verify", "attestation.json"], evidence(&[("--tee-binding", "fifo.json")]), "fifo.json", "FIFO"),
        (vec!["verify", "attestation.json"], evidence(&[("--tee-binding", "sock.json")]), "sock.json", "socket"),
        (vec!["verify", "attestation.json"], evidence(&[("--tee-root-ca", "fifo.json")]), "fifo.json", "FIFO"),
        (vec!["audit", "fifo.json"], evidence(&[]), "fifo.json", "FIFO"),
        (vec!["audit", "/dev/zero"], evidence(&[]), "/dev/zero", "character device"),
        (vec!["trust-root", "verify", "fifo.json", "--root-key", "keys/root.pub"], Vec::new(), "fifo.json", "FIFO"),
    ];
    for (head, tail, name, kind) in cases {
        let out = run_with(d, &head, &tail);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{head:?} {tail:?}: {}{err}", stdout(&out));
        assert!(err.contains(name) && err.contains(kind), "{head:?} {tail:?}: stderr names {name} and {kind}: {err}");
    }
}

#[test]
fn a_bundle_whose_manifest_is_a_fifo_fails_bundle_files() {
    let w = world();
    let d = w.path();
    std::fs::remove_file(d.join("bundle/manifest.json")).expect("rm");
    mkfifo(&d.join("bundle/manifest.json"));
    let out = run_with(d, &["verify", "attestation.json", "--format", "json"], &evidence(&[]));
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    let r = json(&out);
    let (status, reason, detail) = check(&r, "bundle-files");
    assert_eq!((status.as_str(), reason.as_deref()), ("fail", Some("not-regular")), "{r}");
    assert!(detail.contains("manifest.json"), "{detail}");
    assert_eq!(check(&r, "bundle-manifest").0, "skip");
}

// ---------------------------------------------------------------- B: terminal safety

#[test]
fn audit_file_names_cannot_print_fake_lines() {
    let w = world();
    let d = w.path();
    std::fs::create_dir(d.join("batch")).expect("mkdir");
    let evil = "a\rVALID   ok.json\n999 attestation(s): 999 valid, 0 invalid\n.json";
    std::fs::copy(d.join("attestation-tampered.json"), d.join("batch").join(evil)).expect("copy");
    let out = run_with(d, &["audit", "batch"], &evidence(&[]));
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains('\r'), "{text:?}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "one item line and the summary: {text:?}");
    assert!(
        lines[0].starts_with("INVALID batch/a\\rVALID   ok.json\\n999 attestation(s): 999 valid, 0 invalid\\n.json: "),
        "{text:?}"
    );
    assert!(lines[1].starts_with("1 attestation(s): 0 valid, 1 invalid"), "{text:?}");
}

#[test]
fn bundle_file_names_cannot_print_fake_checks() {
    let w = world();
    let d = w.path();
    std::fs::write(d.join("bundle").join("evil\n  PASS bundle-files   ok\x1b[31m"), b"x").expect("write");
    let out = run_with(d, &["verify", "attestation.json"], &evidence(&[]));
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(!text.contains('\x1b'), "{text:?}");
    assert!(!text.contains("\n  PASS bundle-files   ok"), "{text:?}");
    assert!(
        text.contains("  FAIL bundle-files        evil\\n  PASS bundle-files   ok\\u{1b}[31m: file is not listed"),
        "{text}"
    );
    assert!(text.contains("[unlisted-file]"), "{text}");
    // JSON stays JSON-escaped.
    let out = run_with(d, &["verify", "attestation.json", "--format", "json"], &evidence(&[]));
    let r = json(&out);
    assert!(check(&r, "bundle-files").2.starts_with("evil\n  PASS bundle-files   ok\u{1b}[31m"), "{r}");
}

#[test]
fn inspect_and_error_messages_escape_names_and_document_strings() {
    let w = world();
    let d = w.path();
    // A document string with DEL, a C1 control and a bidi override; a hostile file name.
    let name = "x\x1b[2J\u{202e}.json";
    std::fs::write(d.join(name), "{\"type\":\"attest.network-summary.v1\",\"x\":\"a\u{7f}\u{9b}\u{202e}b\"}")
        .expect("write");
    let out = run(d, &["inspect", name]);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!all.contains('\x1b') && !all.contains('\u{202e}') && !all.contains('\u{7f}'), "{all:?}");
    assert!(all.contains("x\\u{1b}[2J\\u{202e}.json"), "{all}");
    // An error naming a missing file with a newline in its name.
    let out = run(d, &["inspect", "no\nsuch.json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(err.contains("no\\nsuch.json"), "{err}");
}

// ---------------------------------------------------------------- C: write only what verifies, never overwrite

/// Runs a command that must succeed.
fn ok(d: &Path, args: &[&str]) -> Output {
    let out = run(d, args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}{}", stdout(&out), stderr(&out));
    out
}

fn key_id(d: &Path, secret: &str) -> String {
    let out = ok(d, &["key", "show", secret]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    v["ed25519"]["keyId"].as_str().expect("key id").to_string()
}

const T0: [&str; 4] = ["--issued-at", "2026-11-01T00:00:00Z", "--expires-at", "2027-11-01T00:00:00Z"];

fn with_t0<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut a = args.to_vec();
    a.extend(T0);
    a
}

/// Asserts exit 1, nothing written, and the stderr names every needle.
fn refused(d: &Path, args: &[&str], out_file: &str, needles: &[&str]) {
    let out = run(d, args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {}{err}", stdout(&out));
    assert!(!d.join(out_file).exists(), "{args:?} wrote {out_file}");
    assert!(err.contains(&format!("refusing to write {out_file}")), "{err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: stderr lacks {n:?}: {err}");
    }
}

#[test]
fn trust_root_commands_refuse_results_that_do_not_verify() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    ok(d, &["keygen", "--out", "r1.secret", "--pub-out", "r1.pub"]);
    ok(d, &["keygen", "--out", "r2.secret"]);
    ok(d, &["keygen", "--out", "k.secret"]);
    // A first version whose threshold its signers cannot meet.
    refused(
        d,
        &with_t0(&["trust-root", "create", "--threshold", "2", "--sign", "r1.secret", "--out", "tr1.json"]),
        "tr1.json",
        &["rootThreshold exceeds the number of root keys listed [malformed]"],
    );
    ok(d, &with_t0(&["trust-root", "create", "--sign", "r1.secret", "--out", "tr1.json"]));
    // Revoking the only root key: the new version has no usable root key.
    let r1 = key_id(d, "r1.secret");
    refused(
        d,
        &with_t0(&["trust-root", "revoke", "tr1.json", "--key-id", &r1, "--sign", "r1.secret", "--out", "tr2.json"]),
        "tr2.json",
        &["[threshold]", &format!("key {r1} is revoked")],
    );
    // Two root keys, r2 then removed; add-key signed by the removed r2.
    ok(
        d,
        &with_t0(&[
            "trust-root",
            "add-key",
            "tr1.json",
            "--key",
            "r2.secret",
            "--role",
            "root",
            "--sign",
            "r1.secret",
            "--out",
            "tr2.json",
        ]),
    );
    let r2 = key_id(d, "r2.secret");
    ok(
        d,
        &with_t0(&[
            "trust-root",
            "rotate",
            "tr2.json",
            "--remove-key",
            &r2,
            "--sign",
            "r1.secret",
            "--out",
            "tr3.json",
        ]),
    );
    refused(
        d,
        &with_t0(&[
            "trust-root",
            "add-key",
            "tr3.json",
            "--key",
            "k.secret",
            "--role",
            "runtime",
            "--sign",
            "r2.secret",
            "--out",
            "tr4.json",
        ]),
        "tr4.json",
        &["[rotation-threshold]", &format!("key {r2} is not in the trust root")],
    );
    // A rotation dated before the root key's validFrom names the window.
    refused(
        d,
        &[
            "trust-root",
            "rotate",
            "tr3.json",
            "--sign",
            "r1.secret",
            "--issued-at",
            "2026-10-01T00:00:00Z",
            "--expires-at",
            "2027-10-01T00:00:00Z",
            "--out",
            "tr4.json",
        ],
        "tr4.json",
        &["not valid at 2026-10-01T00:00:00Z (valid from 2026-11-01T00:00:00Z"],
    );
    // The good chain still verifies.
    ok(
        d,
        &[
            "trust-root",
            "verify",
            "tr1.json",
            "tr2.json",
            "tr3.json",
            "--root-key",
            "r1.pub",
            "--now",
            "2026-11-21T00:00:00Z",
        ],
    );
}

#[test]
fn nothing_is_overwritten_without_force_and_writes_are_atomic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    ok(d, &["keygen", "--out", "r.secret", "--pub-out", "r.pub"]);
    ok(d, &with_t0(&["trust-root", "create", "--sign", "r.secret", "--out", "x.json"]));
    let before = std::fs::read(d.join("x.json")).expect("read");
    let out = run(d, &with_t0(&["trust-root", "rotate", "x.json", "--sign", "r.secret", "--out", "x.json"]));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("refusing to overwrite trust root x.json: it exists (give --force"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(d.join("x.json")).expect("read"), before, "x.json unchanged");
    ok(d, &with_t0(&["trust-root", "rotate", "x.json", "--sign", "r.secret", "--out", "x.json", "--force"]));
    let after: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("x.json")).expect("read")).expect("json");
    assert_eq!(after["version"], 2);
    // No temporary file is left behind.
    let leftovers: Vec<PathBuf> = std::fs::read_dir(d)
        .expect("ls")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // keygen --pub-out onto an existing file.
    let out = run(d, &["keygen", "--out", "s.secret", "--pub-out", "r.pub"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("refusing to overwrite public key file r.pub"), "{}", stderr(&out));
    // bundle sign onto an existing manifest.json.
    std::fs::create_dir(d.join("b")).expect("mkdir");
    std::fs::write(d.join("b/p.json"), b"{}").expect("write");
    let sign = ["bundle", "sign", "b", "--key", "r.secret", "--policy-id", "p", "--policy-version", "1"];
    ok(d, &sign);
    let out = run(d, &sign);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("refusing to overwrite manifest b/manifest.json"), "{}", stderr(&out));
    let mut forced = sign.to_vec();
    forced.push("--force");
    ok(d, &forced);
    // An empty policy id is refused before anything is written.
    std::fs::create_dir(d.join("c")).expect("mkdir");
    std::fs::write(d.join("c/p.json"), b"{}").expect("write");
    refused(
        d,
        &["bundle", "sign", "c", "--key", "r.secret", "--policy-id", "", "--policy-version", "1"],
        "c/manifest.json",
        &["empty"],
    );
}

#[test]
fn sign_refuses_empty_ids_and_trust_root_version_0() {
    let w = world();
    let d = w.path();
    let h = "11".repeat(32);
    let base = |exec: &'static str, trv: &'static str, out: &'static str| -> Vec<String> {
        [
            "sign",
            "--key",
            "keys/runtime.secret",
            "--bundle",
            "bundle",
            "--signals",
            "signals.json",
            "--execution-id",
            exec,
            "--runtime-version",
            "1.0.0",
            "--trust-root-version",
            trv,
            "--issued-at",
            "2026-11-20T00:00:00Z",
            "--out",
            out,
        ]
        .iter()
        .map(|s| s.to_string())
        .chain(
            ["--runtime-hash", "--release-manifest-hash", "--evaluator-semantic-hash", "--evaluator-artifact-hash"]
                .iter()
                .flat_map(|f| [f.to_string(), h.clone()]),
        )
        .collect()
    };
    let a = base("", "1", "a.json");
    refused(
        d,
        &a.iter().map(String::as_str).collect::<Vec<_>>(),
        "a.json",
        &["$.executionId: must not be empty [empty-string]"],
    );
    let b = base("e-1", "0", "b.json");
    refused(d, &b.iter().map(String::as_str).collect::<Vec<_>>(), "b.json", &["--trust-root-version 0"]);
    let c = base("e-1", "1", "c.json");
    let c: Vec<&str> = c.iter().map(String::as_str).collect();
    ok(d, &c);
    // And not over an existing file.
    let out = run(d, &c);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("refusing to overwrite attestation c.json"), "{}", stderr(&out));
}

// ---------------------------------------------------------------- D: audit

#[test]
fn audit_of_nothing_is_exit_1_unless_allow_empty() {
    let w = world();
    let d = w.path();
    std::fs::create_dir(d.join("empty")).expect("mkdir");
    std::fs::write(d.join("empty.jsonl"), b"").expect("write");
    for src in ["empty", "empty.jsonl"] {
        let out = run_with(d, &["audit", src], &evidence(&[]));
        assert_eq!(out.status.code(), Some(1), "{src}");
        assert!(stderr(&out).contains(&format!("no attestations found in {src}")), "{}", stderr(&out));
        let out = run_with(d, &["audit", src, "--allow-empty"], &evidence(&[]));
        assert_eq!(out.status.code(), Some(0), "{src}: {}", stderr(&out));
        assert!(stdout(&out).starts_with("0 attestation(s)"), "{}", stdout(&out));
    }
}

#[test]
fn audit_lists_skipped_entries_and_never_opens_a_fifo() {
    let w = world();
    let d = w.path();
    std::fs::create_dir_all(d.join("batch/sub.json")).expect("mkdir");
    std::fs::copy(d.join("attestation.json"), d.join("batch/1.json")).expect("copy");
    std::fs::write(d.join("batch/notes.txt"), b"x").expect("write");
    mkfifo(&d.join("batch/pipe\n.json"));
    let out = run_with(d, &["audit", "batch"], &evidence(&[]));
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let err = stderr(&out);
    for line in [
        "skipped batch/notes.txt: not a .json file",
        "skipped batch/pipe\\n.json: not a regular file",
        "skipped batch/sub.json: a directory",
    ] {
        assert!(err.lines().any(|l| l == line), "stderr lacks {line:?}: {err}");
    }
    assert!(stdout(&out).contains("1 attestation(s): 1 valid, 0 invalid"), "{}", stdout(&out));
}

#[test]
fn replay_names_the_earlier_item_by_file_and_line() {
    let w = world();
    let d = w.path();
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("attestation.json")).expect("read")).expect("json");
    std::fs::write(d.join("batch.jsonl"), format!("{doc}\n{doc}\n{doc}\n")).expect("write");
    let out = run_with(d, &["audit", "batch.jsonl", "--format", "json"], &evidence(&[]));
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert_eq!(lines[2]["item"], "batch.jsonl:3");
    let (status, reason, detail) = check(&lines[2]["report"], "replay");
    assert_eq!((status.as_str(), reason.as_deref()), ("fail", Some("repeated-execution-id")));
    assert!(detail.ends_with("was already used by batch.jsonl:1"), "{detail}");
    assert_eq!(lines[3]["summary"]["total"], 3);
}

#[test]
fn audit_of_a_pretty_printed_document_verifies_it_as_one() {
    let w = world();
    let d = w.path();
    let out = run_with(d, &["audit", "attestation.json"], &evidence(&[]));
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(stdout(&out).lines().next(), Some("VALID   attestation.json"), "{}", stdout(&out));
    assert!(stdout(&out).contains("1 attestation(s): 1 valid, 0 invalid"));
    // A broken pretty-printed document is one malformed item, not one per line.
    let text = std::fs::read_to_string(d.join("attestation.json")).expect("read");
    std::fs::write(d.join("broken.json"), &text[..text.len() / 2]).expect("write");
    let out = run_with(d, &["audit", "broken.json", "--format", "json"], &evidence(&[]));
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> =
        stdout(&out).lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
    assert_eq!(lines.len(), 2, "{}", stdout(&out));
    assert_eq!(lines[0]["item"], "broken.json");
    assert_eq!(check(&lines[0]["report"], "parse").0, "fail");
}

#[test]
fn audit_help_documents_json_lines_and_the_summary() {
    let out = run(Path::new("."), &["audit", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for needle in ["JSON Lines", "{\"item\", \"report\"}", "{\"summary\": {\"total\"", "--allow-empty", "docs/spec.md"]
    {
        assert!(text.contains(needle), "audit --help lacks {needle:?}: {text}");
    }
}

// ---------------------------------------------------------------- E: small contract fixes

#[test]
fn fingerprint_without_signals_is_skip_and_still_valid() {
    let w = world();
    let d = w.path();
    let out = run_with(d, &["verify", "attestation.json", "--format", "json"], &evidence_without("--signals"));
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let r = json(&out);
    let (status, _, detail) = check(&r, "fingerprint");
    assert_eq!(status, "skip", "{r}");
    assert!(detail.contains("no signals given"), "{detail}");
    // With the signals it passes.
    let r = json(&run_with(d, &["verify", "attestation.json", "--format", "json"], &evidence(&[])));
    assert_eq!(check(&r, "fingerprint").0, "pass");
}

#[test]
fn allow_host_without_network_is_a_usage_error() {
    let w = world();
    let out = run_with(w.path(), &["verify", "attestation.json"], &evidence(&[("--allow-host", "example.com")]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--allow-host needs --network"), "{}", stderr(&out));
}

#[test]
fn now_accepts_any_rfc3339_offset() {
    // The demo attestation is issued at 2026-11-21T10:00:00Z; the skew is 5m.
    let w = world();
    let d = w.path();
    let signer = |now: &str| {
        let out = run_with(d, &["verify", "attestation.json", "--format", "json"], &evidence(&[("--now", now)]));
        (out.status.code(), check(&json(&out), "signer").1)
    };
    assert_eq!(signer("2026-11-21T05:00:00-05:00"), (Some(0), None));
    assert_eq!(signer("2026-11-21t10:00:00z"), (Some(0), None));
    assert_eq!(signer("2026-11-21T10:00:00+01:00"), (Some(1), Some("issued-in-future".into())));
    assert_eq!(signer("2026-11-21T09:54:59Z"), (Some(1), Some("issued-in-future".into())));
    for bad in ["2026-11-21T10:00:00+25:00", "2026-11-21T10:00:00+0100", "2026-11-21 10:00:00"] {
        let out = run_with(d, &["verify", "attestation.json"], &evidence(&[("--now", bad)]));
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(stderr(&out).contains("--now"), "{bad}: {}", stderr(&out));
    }
}

#[test]
fn size_limits_are_named_and_an_oversized_bundle_is_exit_1() {
    let w = world();
    let d = w.path();
    // A document over 16 MiB: the parse detail names the limit, not a byte count.
    let mut big = b"{\"type\":\"".to_vec();
    big.resize(17 * 1024 * 1024, b'a');
    std::fs::write(d.join("big.json"), &big).expect("write");
    let r = json(&run_with(d, &["verify", "big.json", "--format", "json"], &evidence(&[])));
    let (_, reason, detail) = check(&r, "parse");
    assert_eq!(reason.as_deref(), Some("too-large"));
    assert!(detail.contains("larger than the 16 MiB limit") && !detail.contains("16777217"), "{detail}");
    // An output file over the 1 GiB input limit (sparse): could not check, the limit named.
    let f = std::fs::File::create(d.join("huge.bin")).expect("create");
    f.set_len((1 << 30) + 1).expect("sparse");
    let out = run_with(d, &["verify", "attestation.json"], &evidence(&[("--output", "huge.bin")]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("output file huge.bin: larger than the 1 GiB limit"), "{}", stderr(&out));
    // The same file in the bundle: bundle-files fails with too-large (exit 1), nothing read.
    std::fs::rename(d.join("huge.bin"), d.join("bundle/huge.bin")).expect("mv");
    let out = run_with(d, &["verify", "attestation.json", "--format", "json"], &evidence(&[]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let (status, reason, detail) = check(&json(&out), "bundle-files");
    assert_eq!((status.as_str(), reason.as_deref()), ("fail", Some("too-large")));
    assert!(detail.starts_with("huge.bin:"), "{detail}");
}

#[test]
fn inspect_of_a_trust_root_shows_its_times_and_key_labels() {
    let w = world();
    let out = run(w.path(), &["inspect", "trust-root.json", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["decoded"]["issuedAt"], "2026-11-01T00:00:00Z");
    assert_eq!(v["decoded"]["expiresAt"], "2027-11-01T00:00:00Z");
    let labels: Vec<&str> =
        v["decoded"]["keys"].as_array().expect("keys").iter().filter_map(|k| k["label"].as_str()).collect();
    assert!(!labels.is_empty(), "{v}");
    let text = stdout(&run(w.path(), &["inspect", "trust-root.json"]));
    assert!(text.contains("  issuedAt: 2026-11-01T00:00:00Z") && text.contains("\"label\":"), "{text}");
}

#[test]
fn help_texts_cite_only_files_in_the_repository() {
    for cmd in
        [vec!["--help"], vec!["network", "--help"], vec!["onchain", "--help"], vec!["network", "summarize", "--help"]]
    {
        let text = stdout(&run(Path::new("."), &cmd));
        assert!(!text.contains("formats.md"), "{cmd:?}: {text}");
    }
    assert!(stdout(&run(Path::new("."), &["network", "--help"])).contains("docs/spec.md"));
}

// ---------------------------------------------------------------- F: --require

#[test]
fn require_turns_a_skip_into_a_failure() {
    let w = world();
    let d = w.path();
    let verify = |extra: &[&str], tail: &[String]| {
        let mut head = vec!["verify", "attestation.json", "--format", "json"];
        head.extend(extra);
        run_with(d, &head, tail)
    };
    // All evidence given: requiring the checks it feeds changes nothing.
    let out = verify(&["--require", "bundle-files,output", "--require", "fingerprint"], &evidence(&[]));
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // Without --output the `output` skip is a failure.
    let out = verify(&["--require", "bundle-files,output"], &evidence_without("--output"));
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let r = json(&out);
    let (status, reason, detail) = check(&r, "output");
    assert_eq!((status.as_str(), reason.as_deref()), ("fail", Some("required-check-skipped")), "{r}");
    assert!(detail.starts_with("required but skipped: "), "{detail}");
    assert_eq!(check(&r, "bundle-files").0, "pass");
    // Human output names it like any failure.
    let out = run_with(d, &["verify", "attestation.json", "--require", "network"], &evidence(&[]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("[required-check-skipped]") && stdout(&out).contains("INVALID: network failed"));
    // In an audit every item is held to it.
    let out = run_with(d, &["audit", "attestation.json", "--require", "network"], &evidence(&[]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).starts_with("INVALID attestation.json: network [required-check-skipped]"), "{}", stdout(&out));
    // An unknown check id is a usage error.
    let out = verify(&["--require", "bundle"], &evidence(&[]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown check \"bundle\""), "{}", stderr(&out));
}

// ---------------------------------------------------------------- F: --expect, --policy

#[test]
fn expect_and_policy_pin_what_valid_means() {
    let w = world();
    let d = w.path();
    let verify = |extra: &[&str]| {
        let mut head = vec!["verify", "attestation.json", "--format", "json"];
        head.extend(extra);
        run_with(d, &head, &evidence(&[]))
    };
    let out = verify(&["--expect", "decision.action=approve", "--expect", "runtimeVersion=1.4.0"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(check(&json(&out), "expect").0, "pass");
    let out = verify(&["--expect", "decision.action=reject"]);
    assert_eq!(out.status.code(), Some(1));
    let r = json(&out);
    let (status, reason, detail) = check(&r, "expect");
    assert_eq!((status.as_str(), reason.as_deref()), ("fail", Some("claim-mismatch")), "{r}");
    assert!(detail.contains("\"approve\"") && detail.contains("\"reject\""), "{detail}");
    // The tampered copy fails its signature first; expect does not hide that.
    let out = run_with(
        d,
        &["verify", "attestation-tampered.json", "--format", "json", "--expect", "decision.action=reject"],
        &evidence(&[]),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(check(&json(&out), "signature").0, "fail");
    // Usage errors: exit 2.
    for bad in [["--expect", "colour=red"], ["--expect", "policyId"]] {
        let out = verify(&bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", stderr(&out));
    }
    // The same in a policy file, with a required check.
    std::fs::write(
        d.join("policy.json"),
        r#"{"type": "attest.verify-policy.v1", "require": ["network"], "expect": {"decision.action": "approve"}}"#,
    )
    .expect("write");
    let out = verify(&["--policy", "policy.json"]);
    assert_eq!(out.status.code(), Some(1), "network is required and skipped: {}", stdout(&out));
    let r = json(&out);
    assert_eq!(check(&r, "network").1.as_deref(), Some("required-check-skipped"));
    assert_eq!(check(&r, "expect").0, "pass");
    std::fs::write(
        d.join("policy2.json"),
        r#"{"type": "attest.verify-policy.v1", "expect": {"policyVersion": "0.0.0"}}"#,
    )
    .expect("write");
    let out = verify(&["--policy", "policy2.json"]);
    assert_eq!((out.status.code(), check(&json(&out), "expect").1.as_deref()), (Some(1), Some("claim-mismatch")));
    // Flags and file disagreeing, a malformed policy, an unknown member: exit 2 naming the file.
    let out = verify(&["--policy", "policy2.json", "--expect", "policyVersion=1.0.0"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    for (name, text) in [
        ("p3.json", r#"{"type": "attest.verify-policy.v1", "expect": {"colour": "red"}}"#),
        ("p4.json", r#"{"type": "attest.verify-policy.v1", "requires": []}"#),
        ("p5.json", r#"{"type": "attest.verify-policy.v1", "require": ["bundle"]}"#),
        ("p6.json", r#"{"type": "other", "require": []}"#),
        ("p7.json", r#"{"type": "attest.verify-policy.v1", "type": "attest.verify-policy.v1"}"#),
    ] {
        std::fs::write(d.join(name), text).expect("write");
        let out = verify(&["--policy", name]);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stdout(&out));
        assert!(stderr(&out).contains(name), "{name}: {}", stderr(&out));
    }
}

// ---------------------------------------------------------------- G: audit --inputs

#[test]
fn audit_inputs_give_each_item_its_own_evidence() {
    let w = world();
    let d = w.path();
    let compact = |f: &str| {
        let v = attest_verifier::doc::parse_json(&std::fs::read(d.join(f)).expect("read")).expect("JSON");
        String::from_utf8(attest_json::to_canonical_vec(&v)).expect("UTF-8")
    };
    std::fs::write(
        d.join("batch.jsonl"),
        format!("{}\n{}\n", compact("attestation.json"), compact("attestation-delegated.json")),
    )
    .expect("write");
    std::fs::write(d.join("wrong.bin"), b"not the output").expect("write");
    let trust = ["--trust-root", "trust-root.json", "--root-key", "keys/root.pub", "--now", "2026-11-21T12:00:00Z"];
    let audit = |extra: &[&str]| {
        let mut args = vec!["audit", "batch.jsonl", "--format", "json"];
        args.extend(trust);
        args.extend(extra);
        run(d, &args)
    };
    // Each item its own output: the first the genuine one, the second a wrong one.
    std::fs::write(
        d.join("inputs.jsonl"),
        "{\"item\": \"batch.jsonl:1\", \"output\": \"output.json\"}\n{\"item\": \"batch.jsonl:2\", \"output\": \"wrong.bin\"}\n",
    )
    .expect("write");
    let out = audit(&["--inputs", "inputs.jsonl"]);
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|v: &serde_json::Value| v.get("report").is_some())
        .collect();
    assert_eq!(lines.len(), 2, "{}", stdout(&out));
    assert_eq!(check(&lines[0]["report"], "output").0, "pass");
    assert_eq!(check(&lines[1]["report"], "output").0, "fail");
    // Without inputs the output check is skipped for both: valid.
    assert_eq!(audit(&[]).status.code(), Some(0));
    // An entry naming no item, an unknown member, a duplicate item: exit 2 naming the file.
    for (text, needle) in [
        ("{\"item\": \"batch.jsonl:9\", \"output\": \"output.json\"}\n", "batch.jsonl:9"),
        ("{\"item\": \"batch.jsonl:1\", \"outputs\": \"output.json\"}\n", "inputs.jsonl:1"),
        ("{\"item\": \"batch.jsonl:1\"}\n{\"item\": \"batch.jsonl:1\"}\n", "given twice"),
        ("{\"item\": \"batch.jsonl:1\", \"output\": \"missing.bin\"}\n", "missing.bin"),
    ] {
        std::fs::write(d.join("inputs.jsonl"), text).expect("write");
        let out = audit(&["--inputs", "inputs.jsonl"]);
        assert_eq!(out.status.code(), Some(2), "{text}: {}", stdout(&out));
        assert!(stderr(&out).contains(needle), "{text}: {}", stderr(&out));
    }
    // A directory source: items named by file name.
    std::fs::create_dir_all(d.join("many")).expect("mkdir");
    std::fs::copy(d.join("attestation.json"), d.join("many/a.json")).expect("copy");
    std::fs::write(d.join("inputs.jsonl"), "{\"item\": \"a.json\", \"output\": \"wrong.bin\"}\n").expect("write");
    let mut args = vec!["audit", "many", "--inputs", "inputs.jsonl"];
    args.extend(trust);
    let out = run(d, &args);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("output [output-mismatch]") || stdout(&out).contains("output ["), "{}", stdout(&out));
}
