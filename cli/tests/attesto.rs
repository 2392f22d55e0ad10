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

// ---------------------------------------------------------------------------
// The receiver: `attest ledger serve --attesto-installation` on loopback.
// ---------------------------------------------------------------------------

/// A running `attest ledger serve`; killed when dropped.
struct Server {
    child: std::process::Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path, installations: &[String]) -> Server {
    for name in ["root", "log"] {
        let out = run(dir, &["keygen", "--out", &format!("{name}.secret"), "--pub-out", &format!("{name}.pub")]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    let out = run(dir, &["trust-root", "create", "--sign", "root.secret", "--out", "tr.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut args: Vec<String> = [
        "ledger",
        "serve",
        "--db",
        "sqlite:ledger.db",
        "--origin",
        "attesto.test/log",
        "--key",
        "log.secret",
        "--trust-root",
        "tr.json",
        "--root-key",
        "root.pub",
        "--listen",
        "127.0.0.1:0",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for i in installations {
        args.push("--attesto-installation".into());
        args.push(i.clone());
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_attest"))
        .current_dir(dir)
        .env("XDG_STATE_HOME", dir.join(".attest-state"))
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("attest ledger serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead as _;
        let mut line = String::new();
        let _ = std::io::BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(20)).expect("the ledger prints its address");
    let addr = line.trim().strip_prefix("listening on http://").expect("listening line").to_string();
    Server { child, addr }
}

/// One HTTP/1.1 POST (Connection: close) with extra headers: status and JSON body (Null if none).
fn post(addr: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, serde_json::Value) {
    try_post(addr, path, headers, body).expect("a response")
}

/// [`post`], or `None` when the server is gone (refused, reset, no complete answer).
fn try_post(addr: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Option<(u16, serde_json::Value)> {
    use std::io::{Read as _, Write as _};
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).ok()?;
    let _ = s.write_all(body);
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let status: u16 = head.split(' ').nth(1).and_then(|s| s.parse().ok())?;
    let body = serde_json::from_slice(&buf[split + 4..]).unwrap_or(serde_json::Value::Null);
    Some((status, body))
}

/// The package's fail-closed acknowledgement check (attesto-local-vault.md §3,
/// rules 1–11, in order), written here from the design notes: `None` when the
/// package would mark the item delivered.
fn ack_error(status: u16, body: &serde_json::Value, env: &serde_json::Value, envelope_hash: &str) -> Option<String> {
    use serde_json::Value;
    if !(200..300).contains(&status) {
        return Some(format!("http-{status}"));
    }
    let Value::Object(b) = body else { return Some("ack-missing-body".into()) };
    let a = if b.contains_key("local_vault_ack") {
        &b["local_vault_ack"]
    } else {
        b.get("localVaultAck").unwrap_or(&Value::Null)
    };
    let Value::Object(a) = a else { return Some("ack-not-object".into()) };
    if a.get("accepted") != Some(&Value::Bool(true)) {
        return Some("ack-not-accepted".into());
    }
    let pick = |o: &serde_json::Map<String, Value>, snake: &str, camel: &str| {
        if o.contains_key(snake) {
            o[snake].clone()
        } else {
            o.get(camel).cloned().unwrap_or(Value::Null)
        }
    };
    for (snake, camel, want) in [
        ("installation_id", "installationId", &env["installation_id"]),
        ("event_id", "eventId", &env["event_id"]),
        ("source_ref", "sourceRef", &env["source_ref"]),
    ] {
        if &pick(a, snake, camel) != want {
            return Some(format!("ack-{snake}-mismatch"));
        }
    }
    if pick(a, "envelope_hash", "envelopeHash") != Value::String(envelope_hash.into()) {
        return Some("ack-envelope-hash-mismatch".into());
    }
    let Some(Value::Object(receipt)) = b.get("receipt") else { return Some("receipt-missing".into()) };
    let Some(Value::Object(payload)) = receipt.get("payload") else { return Some("receipt-payload-missing".into()) };
    if pick(b, "stream_id", "streamId") != env["stream_id"] {
        return Some("stream-mismatch".into());
    }
    let (inst, src) = (env["installation_id"].as_str().unwrap_or(""), env["source_ref"].as_str().unwrap_or(""));
    let mut event_id = format!("local-vault:{inst}:{src}");
    if event_id.chars().count() > 160 {
        use sha2::Digest as _;
        let h: String = sha2::Sha256::digest(src.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        event_id = format!("local-vault:{inst}:{h}");
    }
    if payload.get("event_id") != Some(&Value::String(event_id)) {
        return Some("event-id-mismatch".into());
    }
    let top = pick(b, "event_hash", "eventHash");
    if payload.get("event_hash").cloned().unwrap_or(Value::Null) != top {
        return Some("event-hash-mismatch".into());
    }
    match pick(receipt, "receipt_hash", "receiptHash") {
        Value::String(s) if s.chars().count() == 64 => None,
        _ => Some("receipt-hash-missing".into()),
    }
}

/// The sample relay request's headers and body, and the same request re-signed
/// with the sample key after `edit` changed its body (a retry, drift).
struct Relay {
    headers: Vec<(String, String)>,
    body: String,
}

const SAMPLE_SEED: &str = "attest attesto witness sample key";

impl Relay {
    fn sample(name: &str) -> Relay {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(samples().join(name)).expect("read")).expect("json");
        let headers = v["headers"]
            .as_object()
            .expect("headers")
            .iter()
            .map(|(k, x)| (k.clone(), x.as_str().unwrap_or("").to_string()))
            .collect();
        Relay { headers, body: v["body"].as_str().expect("body").to_string() }
    }

    fn body_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("body json")
    }

    fn header(&self, name: &str) -> String {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    fn set(&mut self, name: &str, value: String) {
        for (k, v) in &mut self.headers {
            if k == name {
                *v = value.clone();
            }
        }
    }

    /// Re-signs `envelope` (written in A() form: sorted keys, compact; these
    /// envelopes hold only ASCII strings and integers) with the sample key.
    fn resign(&mut self, body: serde_json::Value) {
        use ed25519_dalek::Signer as _;
        use sha2::Digest as _;
        let seed: [u8; 32] = sha2::Sha256::digest(SAMPLE_SEED.as_bytes()).into();
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let canonical = serde_json::to_string(&body["envelope"]).expect("envelope"); // serde_json sorts keys (BTreeMap)
        let mut msg = b"attesto.local_vault.relay\x00".to_vec();
        msg.extend_from_slice(canonical.as_bytes());
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        self.set("X-Attesto-Local-Vault-Envelope-Hash", hex(&sha2::Sha256::digest(&msg)));
        self.set("X-Attesto-Local-Vault-Signature", hex(&key.sign(&msg).to_bytes()));
        self.body = body.to_string();
    }

    fn post(&self, addr: &str, inst: &str) -> (u16, serde_json::Value) {
        self.try_post(addr, inst).expect("a response")
    }

    fn try_post(&self, addr: &str, inst: &str) -> Option<(u16, serde_json::Value)> {
        let h: Vec<(&str, &str)> = self.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        try_post(addr, &format!("/v2/local-vault/installations/{inst}/relay"), &h, self.body.as_bytes())
    }

    /// The second sample relay made distinct: its own source_ref, event id
    /// and payload (`user`), its payload digest recomputed, re-signed.
    fn distinct(tag: &str) -> Relay {
        let mut r = Relay::sample("relay-2.request.json");
        let mut b = r.body_json();
        b["envelope"]["source_ref"] = serde_json::json!(format!("src-{tag}"));
        b["envelope"]["event_id"] = serde_json::json!(format!("lv_{tag}"));
        b["payload"]["user"] = serde_json::json!(format!("user-{tag}"));
        let (sha, size) = payload_sha256(&b["payload"]);
        b["envelope"]["payload_sha256"] = serde_json::json!(sha);
        b["envelope"]["payload_size"] = serde_json::json!(size);
        r.resign(b);
        r
    }
}

fn payload_sha256(payload: &serde_json::Value) -> (String, usize) {
    use sha2::Digest as _;
    let c = serde_json::to_string(payload).expect("payload");
    (sha2::Sha256::digest(c.as_bytes()).iter().map(|b| format!("{b:02x}")).collect(), c.len())
}

#[test]
fn the_receiver_answers_what_the_package_accepts_and_refuses_before_storing() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let server = serve(d, &[format!("inst_sample={KEY}")]);
    let a = server.addr.as_str();

    // Relay: the real request is accepted with an answer the ack rules accept.
    let r1 = Relay::sample("relay-1.request.json");
    let (st, body) = r1.post(a, "inst_sample");
    let env = r1.body_json()["envelope"].clone();
    assert_eq!(st, 201, "{body}");
    assert_eq!(ack_error(st, &body, &env, &r1.header("X-Attesto-Local-Vault-Envelope-Hash")), None, "{body}");
    assert!(body["ledger"]["inclusionProof"].is_array() && body["ledger"]["checkpoint"].is_string(), "{body}");
    let index = body["ledger"]["index"].clone();
    // The same request again: the first answer (replayed), nothing appended.
    let (st, again) = r1.post(a, "inst_sample");
    assert_eq!((st, &again["replayed"], &again["ledger"]["index"]), (200, &serde_json::json!(true), &index), "{again}");
    assert_eq!(ack_error(st, &again, &env, &r1.header("X-Attesto-Local-Vault-Envelope-Hash")), None);
    // A retry (attempt 2, signed anew): the ack carries this attempt's envelope hash.
    let mut retry = Relay::sample("relay-2.request.json");
    let (st, _) = retry.post(a, "inst_sample");
    assert_eq!(st, 201);
    let mut b = retry.body_json();
    b["envelope"]["attempt"] = serde_json::json!(2);
    retry.resign(b.clone());
    let (st, body) = retry.post(a, "inst_sample");
    assert_eq!(st, 200, "{body}");
    assert_eq!(
        ack_error(st, &body, &b["envelope"], &retry.header("X-Attesto-Local-Vault-Envelope-Hash")),
        None,
        "{body}"
    );
    // Payload drift: the same source_ref, another payload, correctly signed: 409.
    let mut drift = Relay::sample("relay-2.request.json");
    let mut b = drift.body_json();
    b["payload"]["user"] = serde_json::json!("mallory");
    let (sha, size) = payload_sha256(&b["payload"]);
    b["envelope"]["payload_sha256"] = serde_json::json!(sha);
    b["envelope"]["payload_size"] = serde_json::json!(size);
    drift.resign(b);
    let (st, body) = drift.post(a, "inst_sample");
    assert_eq!((st, body["code"].as_str()), (409, Some("payload-drift")), "{body}");
    // Refusals before anything is stored.
    let mut tampered = Relay::sample("relay-2.request.json");
    tampered.body = tampered.body.replace("alice", "bob!!");
    assert_eq!(tampered.post(a, "inst_sample").1["code"], "payload-mismatch");
    let mut wrong_hash = Relay::sample("relay-2.request.json");
    wrong_hash.set("X-Attesto-Local-Vault-Envelope-Hash", "00".repeat(32));
    assert_eq!(wrong_hash.post(a, "inst_sample").1["code"], "envelope-hash-mismatch");
    let mut header_key = Relay::sample("relay-2.request.json");
    header_key.set("X-Attesto-Local-Vault-Public-Key", "11".repeat(32));
    assert_eq!(header_key.post(a, "inst_sample").0, 401, "the header key is not the registered one");
    let (st, body) = r1.post(a, "inst_other");
    assert_eq!((st, body["code"].as_str()), (403, Some("unregistered")));
    let (st, body) = post(a, "/v2/local-vault/installations/inst_sample/relay", &[], r1.body.as_bytes());
    assert_eq!((st, body["code"].as_str()), (400, Some("missing-header")));

    // Witness: monotonic state per (witness, tenant, stream).
    let w = "/v2/local-vault/installations/inst_sample/witness/checkpoints";
    let doc = |n: &str| std::fs::read(samples().join(n)).expect("read");
    let st = |n: &str| post(a, w, &[], &doc(n));
    assert_eq!(st("01-first.receipt.json").0, 201);
    assert_eq!(st("03-third.receipt.json").0, 409, "seq 3 does not extend the head seq 1");
    assert_eq!(st("02-second.receipt.json").0, 201);
    let (code, body) = st("04-replay.receipt.json");
    assert_eq!((code, &body["replayed"]), (200, &serde_json::json!(true)), "{body}");
    assert_eq!(st("08-other-second.receipt.json").0, 409, "another hash at seq 2: never recorded");
    assert_eq!(st("07-other-first.receipt.json").0, 200, "seq 1 with the same hash: a replay");
    assert_eq!(st("03-third.receipt.json").0, 201);
    assert_eq!(st("05-stale.fork.json").0, 201, "fork evidence: verified and logged");
    // The package's whole stdout object is accepted too.
    let out = serde_json::json!({"accepted": true, "forkEvidence": null, "receipt": serde_json::from_slice::<serde_json::Value>(&doc("03-third.receipt.json")).unwrap(), "replayed": false});
    assert_eq!(post(a, w, &[], out.to_string().as_bytes()).0, 200);
    let mut forged: serde_json::Value = serde_json::from_slice(&doc("03-third.receipt.json")).unwrap();
    forged["statement"]["checkpoint_seq_no"] = serde_json::json!(4);
    forged["checkpoint_seq_no"] = serde_json::json!(4);
    assert_eq!(post(a, w, &[], forged.to_string().as_bytes()).0, 422, "a forged receipt");
    assert_eq!(
        post(a, "/v2/local-vault/installations/x/witness/checkpoints", &[], &doc("01-first.receipt.json")).0,
        403
    );

    // Hostile bodies: refused with a 4xx JSON error, the server keeps answering.
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    for (what, body) in [
        ("empty", Vec::new()),
        ("not json", b"not json".to_vec()),
        ("deep", deep.into_bytes()),
        ("dup", br#"{"receipt":null,"receipt":null}"#.to_vec()),
        ("huge", vec![b' '; 70_000]),
        ("not utf-8", b"{\"a\":\"\xff\"}".to_vec()),
        ("array", b"[]".to_vec()),
    ] {
        let (code, body) = post(a, w, &[], &body);
        assert!((400..500).contains(&code), "{what}: {code} {body}");
        let (code, _) = post(
            a,
            "/v2/local-vault/installations/inst_sample/relay",
            &[
                ("X-Attesto-Local-Vault-Envelope-Hash", &"00".repeat(32)),
                ("X-Attesto-Local-Vault-Signature", &"00".repeat(64)),
                ("X-Attesto-Local-Vault-Public-Key", KEY),
            ],
            what.as_bytes(),
        );
        assert_eq!(code, 400, "{what}");
    }
    assert_eq!(st("01-first.receipt.json").0, 200, "still serving");
    drop(server);
    // Everything accepted is in the log; a restarted ledger keeps the witness state.
    let server = serve_again(d);
    assert_eq!(post(&server.addr, w, &[], &doc("08-other-second.receipt.json")).0, 409);
    let (code, body) = r1.post(&server.addr, "inst_sample");
    assert_eq!((code, &body["ledger"]["index"]), (200, &index));
}

fn serve_again(dir: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_attest"))
        .current_dir(dir)
        .args(["ledger", "serve", "--db", "sqlite:ledger.db", "--origin", "attesto.test/log", "--key", "log.secret"])
        .args(["--trust-root", "tr.json", "--root-key", "root.pub", "--listen", "127.0.0.1:0"])
        .args(["--attesto-installation", &format!("inst_sample={KEY}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    use std::io::BufRead as _;
    let _ = std::io::BufReader::new(stdout).read_line(&mut line);
    let addr = line.trim().strip_prefix("listening on http://").expect("listening line").to_string();
    Server { child, addr }
}

#[test]
fn bad_attesto_installation_arguments_are_refused_at_start() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    for name in ["root", "log"] {
        run(d, &["keygen", "--out", &format!("{name}.secret"), "--pub-out", &format!("{name}.pub")]);
    }
    run(d, &["trust-root", "create", "--sign", "root.secret", "--out", "tr.json"]);
    let base = [
        "ledger",
        "serve",
        "--db",
        "sqlite:l.db",
        "--origin",
        "o",
        "--key",
        "log.secret",
        "--trust-root",
        "tr.json",
        "--root-key",
        "root.pub",
        "--listen",
        "127.0.0.1:0",
    ];
    for (arg, needle) in [
        ("inst", "expected ID=PUBKEYHEX"),
        ("=00", "empty installation id"),
        ("i=zz", "public key"),
        (&*format!("i={}", "00".repeat(32)), "public key"),
    ] {
        let mut args = base.to_vec();
        args.extend(["--attesto-installation", arg]);
        let out = run(d, &args);
        assert_eq!(out.status.code(), Some(2), "{arg}");
        assert!(text(&out.stderr).contains(needle), "{arg}: {}", text(&out.stderr));
    }
    let mut args = base.to_vec();
    let one = format!("i={KEY}");
    args.extend(["--attesto-installation", &one, "--attesto-installation", &one]);
    let out = run(d, &args);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("given twice"), "{}", text(&out.stderr));
}

#[test]
fn inspect_shows_the_recomputed_hashes_of_every_attesto_kind() {
    let dir = tempfile::tempdir().expect("tmp");
    for (name, member, field) in [
        ("02-second.receipt.json", "statement_hash", "statementHash"),
        ("06-conflict.fork.json", "evidence_hash", "evidenceHash"),
    ] {
        let path = samples().join(name);
        let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
        let out = run(dir.path(), &["inspect", path.to_str().expect("utf-8"), "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(v["decoded"][field], doc[member], "{name}: {v}");
        assert_eq!(v["decoded"]["publicKey"], KEY);
    }
    let path = samples().join("relay-1.request.json");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    let out = run(dir.path(), &["inspect", path.to_str().expect("utf-8"), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["decoded"]["envelopeHash"], doc["headers"]["X-Attesto-Local-Vault-Envelope-Hash"], "{v}");
    assert_eq!(v["decoded"]["receiptEventId"], "local-vault:inst_sample:src-floats");
}

#[test]
fn concurrent_submissions_are_checked_and_persisted_one_at_a_time() {
    let dir = tempfile::tempdir().expect("tmp");
    let server = serve(dir.path(), &[format!("inst_sample={KEY}")]);
    let addr = server.addr.clone();
    // The same relay 8 times at once: one 201, seven replays of that entry.
    let answers: Vec<(u16, serde_json::Value)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let addr = addr.clone();
                s.spawn(move || Relay::sample("relay-1.request.json").post(&addr, "inst_sample"))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("thread")).collect()
    });
    let created = answers.iter().filter(|(st, _)| *st == 201).count();
    let replays = answers.iter().filter(|(st, b)| *st == 200 && b["replayed"] == true).count();
    assert_eq!((created, replays), (1, 7), "{answers:?}");
    let indices: std::collections::BTreeSet<String> =
        answers.iter().map(|(_, b)| b["ledger"]["index"].to_string()).collect();
    assert_eq!(indices.len(), 1, "one entry: {indices:?}");
    // Two witness histories racing at seq 2 over the same head: exactly one is accepted.
    let w = "/v2/local-vault/installations/inst_sample/witness/checkpoints";
    let doc = |n: &str| std::fs::read(samples().join(n)).expect("read");
    assert_eq!(post(&addr, w, &[], &doc("01-first.receipt.json")).0, 201);
    for _ in 0..3 {
        let codes: Vec<u16> = std::thread::scope(|s| {
            let a = s.spawn(|| post(&addr, w, &[], &doc("02-second.receipt.json")).0);
            let b = s.spawn(|| post(&addr, w, &[], &doc("08-other-second.receipt.json")).0);
            vec![a.join().expect("a"), b.join().expect("b")]
        });
        // The first round: one 201 and one 409; later rounds: the accepted one replays (200), the other 409.
        assert_eq!(codes.iter().filter(|c| **c == 409).count(), 1, "{codes:?}");
        assert!(codes.iter().any(|c| *c == 201 || *c == 200), "{codes:?}");
    }
}

#[test]
fn kill_9_under_load_loses_no_acknowledged_relay() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let server = serve(d, &[format!("inst_sample={KEY}")]);
    let addr = server.addr.clone();
    // 8 clients × 30 distinct relays, each posted twice in a row (201, then
    // the replayed 200 with the same index); kill -9 after 40 acknowledgements.
    let relays: Vec<Vec<(String, Relay)>> = (0..8)
        .map(|c| {
            (0..30)
                .map(|i| {
                    let tag = format!("kill-{c}-{i}");
                    let r = Relay::distinct(&tag);
                    (tag, r)
                })
                .collect()
        })
        .collect();
    let (tx, rx) = std::sync::mpsc::channel::<(String, serde_json::Value)>();
    let acks = std::thread::scope(|scope| {
        for mine in &relays {
            let (addr, tx) = (addr.clone(), tx.clone());
            scope.spawn(move || {
                for (tag, r) in mine {
                    for _ in 0..2 {
                        match r.try_post(&addr, "inst_sample") {
                            Some((200 | 201, body)) => {
                                let _ = tx.send((tag.clone(), body["ledger"]["index"].clone()));
                            }
                            _ => return,
                        }
                    }
                }
            });
        }
        drop(tx);
        let mut acks = Vec::new();
        while acks.len() < 40 {
            acks.push(rx.recv_timeout(Duration::from_secs(60)).expect("acknowledgements arrive"));
        }
        // Into the next batch's collection window, clients mid-flight.
        std::thread::sleep(Duration::from_millis(120));
        drop(server); // SIGKILL
        acks.extend(rx.iter());
        acks
    });
    assert!(acks.len() >= 40 && acks.len() < 480, "{} acknowledgements", acks.len());

    let server = serve_again(d);
    let mut acked: std::collections::BTreeMap<String, serde_json::Value> = std::collections::BTreeMap::new();
    for (tag, index) in &acks {
        assert!(index.is_u64(), "{tag}: an acknowledgement carries the entry index");
        if let Some(first) = acked.insert(tag.clone(), index.clone()) {
            assert_eq!(&first, index, "{tag}: two acknowledgements, two indexes");
        }
    }
    // Every relay again after the restart: an acknowledged one replays at its
    // index (its entry and its idempotency row survived); an unacknowledged
    // one is appended now or (when its entry was durable but not yet
    // acknowledged) answered at the index it got. No two relays share an index.
    let mut indexes = std::collections::BTreeSet::new();
    for (tag, r) in relays.iter().flatten() {
        let (st, body) = r.post(&server.addr, "inst_sample");
        let index = body["ledger"]["index"].clone();
        assert!(st == 200 || st == 201, "{tag}: {st} {body}");
        if let Some(want) = acked.get(tag) {
            assert_eq!((st, &body["replayed"], &index), (200, &serde_json::json!(true), want), "{tag} lost: {body}");
        }
        assert!(indexes.insert(index.to_string()), "{tag}: index {index} given twice");
        let (st, e) = get_json(&server.addr, &format!("/v1/entries/{index}"));
        assert_eq!(st, 200, "{tag}: entry {index}: {e}");
    }
    eprintln!(
        "{} acknowledgements before kill -9 ({} relays), all 240 relays at distinct indexes after",
        acks.len(),
        acked.len()
    );
}

/// One HTTP/1.1 GET: status and JSON body (Null if none).
fn get_json(addr: &str, path: &str) -> (u16, serde_json::Value) {
    use std::io::{Read as _, Write as _};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes()).expect("write");
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").expect("a response");
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let status: u16 = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status");
    (status, serde_json::from_slice(&buf[split + 4..]).unwrap_or(serde_json::Value::Null))
}
