//! Fork evidence (docs/spec.md §11) through the real binary: keys and a
//! trust root with a `log` and a `witness` key made by the CLI, the log key's
//! checkpoints signed with the secret file the ledger would use (`attest
//! ledger key` prints the same verifier key), the evidence built by the
//! attestor's `ForkEvidenceDraft`, then `attest verify` and `attest inspect`.
//! The golden vectors also run through `attest verify` (tests/cli.rs).

use std::path::Path;
use std::process::{Command, Output};

use attest_attestor::fork::{sign_reported, ForkEvidenceDraft};
use attest_attestor::note::NoteSigner;
use attest_attestor::MasterSecret;
use attest_verifier::checkpoint::Checkpoint;
use attest_verifier::merkle::{consistency_proof, leaf_hash, tree_hash};
use attest_verifier::types::Sha256Digest;
use attest_verifier::Timestamp;

const ORIGIN: &str = "ledger.example/cli";

/// `attest` in `dir`, with its trust-root state in `dir` only.
fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_attest"))
        .current_dir(dir)
        .env("XDG_STATE_HOME", dir.join(".attest-state"))
        .args(args)
        .output()
        .expect("attest runs")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Root, log, witness and stranger keys; trust root v1 (root), v2 (+ log), v3 (+ witness).
fn world() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    ok(&run(d, &["keygen", "--out", "root.secret", "--pub-out", "root.pub"]));
    for k in ["log", "witness", "stranger"] {
        ok(&run(d, &["keygen", "--out", &format!("{k}.secret")]));
    }
    let times = ["--issued-at", "2026-01-01T00:00:00Z", "--expires-at", "2036-01-01T00:00:00Z"];
    let mut args = vec!["trust-root", "create", "--sign", "root.secret", "--out", "tr1.json"];
    args.extend(times);
    ok(&run(d, &args));
    for (prev, key, role, out, at) in [
        ("tr1.json", "log.secret", "log", "tr2.json", "2026-01-02T00:00:00Z"),
        ("tr2.json", "witness.secret", "witness", "tr3.json", "2026-01-03T00:00:00Z"),
    ] {
        ok(&run(
            d,
            &[
                "trust-root",
                "add-key",
                prev,
                "--key",
                key,
                "--role",
                role,
                "--sign",
                "root.secret",
                "--out",
                out,
                "--issued-at",
                at,
                "--expires-at",
                "2036-01-01T00:00:00Z",
            ],
        ));
    }
    dir
}

fn secret(d: &Path, name: &str) -> MasterSecret {
    let text = std::fs::read_to_string(d.join(name)).expect("secret file");
    MasterSecret::from_hex(text.trim()).expect("secret hex")
}

fn note(signer: &NoteSigner, leaves: &[Sha256Digest]) -> String {
    let cp = Checkpoint::new(ORIGIN, leaves.len() as u64, tree_hash(leaves)).expect("checkpoint");
    signer.sign_checkpoint(&cp).expect("sign")
}

fn leaves(n: usize) -> Vec<Sha256Digest> {
    (0..n).map(|i| leaf_hash(format!("entry {i}").as_bytes())).collect()
}

/// Evidence under `signer`'s key: A honest at 6, B rewritten history at 9 (or honest when `fork` is false).
fn evidence(signer: &NoteSigner, fork: bool) -> attest_json::Value {
    let honest = leaves(9);
    let mut b = honest.clone();
    if fork {
        b[1] = leaf_hash(b"rewritten");
    }
    let draft = ForkEvidenceDraft::new(
        signer.verifier_key(),
        &note(signer, &honest[..6]),
        &note(signer, &b),
        &consistency_proof(&b, 6).expect("proof"),
        Timestamp::parse("2026-06-01T00:00:00Z").expect("time"),
    )
    .expect("draft");
    match draft.build() {
        Ok((v, _)) => v,
        Err(_) => draft.value(),
    }
}

const TRUST: [&str; 8] =
    ["--trust-root", "tr1.json", "--trust-root", "tr2.json", "--trust-root", "tr3.json", "--root-key", "root.pub"];

fn verify(d: &Path, file: &str, extra: &[&str]) -> Output {
    let mut a = vec!["verify", file];
    a.extend(TRUST);
    a.extend(extra);
    run(d, &a)
}

fn write(d: &Path, name: &str, v: &attest_json::Value) {
    std::fs::write(d.join(name), attest_attestor::json::to_pretty(v)).expect("write");
}

#[test]
fn fork_evidence_verifies_under_the_pinned_log_key() {
    let dir = world();
    let d = dir.path();
    let log = NoteSigner::new(ORIGIN, secret(d, "log.secret").master_ed25519()).expect("signer");
    // The ledger's verifier key for this secret and origin is the one the evidence names.
    let printed = ok(&run(d, &["ledger", "key", "--key", "log.secret", "--origin", ORIGIN]));
    assert_eq!(printed.trim(), log.verifier_key().to_string());

    write(d, "fork.json", &evidence(&log, true));
    let out = verify(d, "fork.json", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("PASS fork") && text.contains("split view") && text.contains("VALID"), "{text}");
    let out = verify(d, "fork.json", &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert_eq!(report["type"], "attest.fork-evidence.v1");
    let ids: Vec<&str> = report["checks"].as_array().expect("checks").iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(ids, ["parse", "trust-root", "signer", "fork", "signature"]);
    assert_eq!(report["checks"][4]["status"], "skip");
    // Requiring the reporter's signature of unreported evidence fails it.
    let out = verify(d, "fork.json", &["--require", "signature"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("[required-check-skipped]"), "{}", stdout(&out));

    // Reported by the trust root's witness key.
    let mut v = evidence(&log, true);
    let attest_json::Value::Object(o) = &mut v else { panic!("object") };
    sign_reported(o, &[&secret(d, "witness.secret").master_ed25519()]);
    write(d, "reported.json", &v);
    let out = verify(d, "reported.json", &["--require", "signature"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("PASS signature"), "{}", stdout(&out));

    // inspect: the log key's keyId and both sizes.
    let out = ok(&run(d, &["inspect", "fork.json", "--format", "json"]));
    let i: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!((&i["decoded"]["sizeA"], &i["decoded"]["sizeB"]), (&serde_json::json!(6), &serde_json::json!(9)));
    assert_eq!(i["decoded"]["logKeyId"], log.verifier_key().public_key().key_id().to_hex());
    assert_eq!(i["decoded"]["type"], "attest.fork-evidence.v1");
}

#[test]
fn unpinned_keys_consistent_logs_and_malformed_evidence_exit_1() {
    let dir = world();
    let d = dir.path();
    // A genuine split view under a key the trust root does not list.
    let stranger = NoteSigner::new(ORIGIN, secret(d, "stranger.secret").master_ed25519()).expect("signer");
    write(d, "stranger.json", &evidence(&stranger, true));
    let out = verify(d, "stranger.json", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL signer") && text.contains("[unknown-key]") && text.contains("not pinned"), "{text}");
    assert!(text.contains("SKIP fork"), "{text}");
    // Under the witness key (listed, but not a log key).
    let witness = NoteSigner::new(ORIGIN, secret(d, "witness.secret").master_ed25519()).expect("signer");
    write(d, "witness.json", &evidence(&witness, true));
    let out = verify(d, "witness.json", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("[wrong-role]"), "{}", stdout(&out));
    // Without the version that adds the log key, the log key is not pinned.
    let log = NoteSigner::new(ORIGIN, secret(d, "log.secret").master_ed25519()).expect("signer");
    write(d, "fork.json", &evidence(&log, true));
    let out = run(d, &["verify", "fork.json", "--trust-root", "tr1.json", "--root-key", "root.pub", "--no-state"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("[unknown-key]"), "{}", stdout(&out));
    // An honest log: the pair is consistent.
    write(d, "honest.json", &evidence(&log, false));
    let out = verify(d, "honest.json", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("FAIL fork") && stdout(&out).contains("[not-a-fork]"), "{}", stdout(&out));
    // Truncated evidence: reported under the fork-evidence plan, exit 1.
    let text = std::fs::read_to_string(d.join("fork.json")).expect("read");
    let cut = text.trim_end().strip_suffix('}').expect("an object");
    std::fs::write(d.join("cut.json"), cut).expect("write");
    let out = verify(d, "cut.json", &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_eq!(report["type"], "attest.fork-evidence.v1");
    assert_eq!(report["checks"][0]["reason"], "syntax");
}

/// Fork evidence as a ledger entry: verified before it is stored (the trust
/// root's `log` key pinned), refused when it proves no fork, and its
/// tlog-proof verifies offline.
#[test]
fn a_ledger_logs_fork_evidence_it_verified() {
    use std::io::{BufRead as _, Read as _, Write as _};
    let dir = world();
    let d = dir.path();
    let log = NoteSigner::new(ORIGIN, secret(d, "log.secret").master_ed25519()).expect("signer");
    write(d, "fork.json", &evidence(&log, true));
    write(d, "consistent.json", &evidence(&log, false));
    let mut child = Command::new(env!("CARGO_BIN_EXE_attest"))
        .current_dir(d)
        .args(["ledger", "serve", "--db", "sqlite:evidence.db", "--origin", "ledger.example/evidence"])
        .args(["--key", "stranger.secret", "--listen", "127.0.0.1:0"])
        .args([
            "--trust-root",
            "tr1.json",
            "--trust-root",
            "tr2.json",
            "--trust-root",
            "tr3.json",
            "--root-key",
            "root.pub",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("ledger starts");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("line");
    let addr = line.trim().strip_prefix("listening on http://").expect("address").to_string();
    let http = |method: &str, path: &str, body: &[u8]| {
        let mut s = std::net::TcpStream::connect(&addr).expect("connect");
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        s.write_all(head.as_bytes()).expect("write");
        s.write_all(body).expect("write");
        let mut out = Vec::new();
        s.read_to_end(&mut out).expect("read");
        let split = out.windows(4).position(|w| w == b"\r\n\r\n").expect("head");
        let status: u16 = String::from_utf8_lossy(&out[9..12]).parse().expect("status");
        (status, out[split + 4..].to_vec())
    };
    let (status, body) = http("POST", "/v1/entries", &std::fs::read(d.join("fork.json")).expect("read"));
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let (status, body) = http("POST", "/v1/entries", &std::fs::read(d.join("consistent.json")).expect("read"));
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&body));
    let r: serde_json::Value = serde_json::from_slice(&body).expect("json");
    let fork = r["report"]["checks"].as_array().expect("checks").iter().find(|c| c["id"] == "fork").cloned();
    assert_eq!(fork.and_then(|c| c["reason"].as_str().map(String::from)).as_deref(), Some("not-a-fork"), "{r}");
    let (status, proof) = http("GET", "/v1/entries/0/tlog-proof", b"");
    assert_eq!(status, 200);
    std::fs::write(d.join("fork.tlog-proof"), proof).expect("write");
    let _ = child.kill();
    let _ = child.wait();
    let vkey = ok(&run(d, &["ledger", "key", "--key", "stranger.secret", "--origin", "ledger.example/evidence"]));
    let out = verify(d, "fork.json", &["--log-proof", "fork.tlog-proof", "--log-key", vkey.trim()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("PASS log-inclusion"), "{}", stdout(&out));
}
