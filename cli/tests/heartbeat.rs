//! `attest heartbeat sign|run`, `attest gate` and heartbeat envelopes in
//! `verify`, `audit` and `inspect`, through the real binary: keys and trust
//! roots made by the CLI itself, the daemon run for real (signals, spool, a
//! ledger on loopback), and the windowed stream vectors through `attest gate`.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use attest_test_vectors::load_all;

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

fn run(dir: &Path, args: &[&str]) -> Output {
    attest_in(dir).args(args).output().expect("attest runs")
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

const POLICY_HASH: &str = "1111111111111111111111111111111111111111111111111111111111111111";
const KERNEL: &str = "2222222222222222222222222222222222222222222222222222222222222222";

/// Keys, a two-version trust root (root key, then a heartbeat key) and a policy, made by the CLI.
fn world() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    ok(&run(d, &["keygen", "--out", "root.secret", "--pub-out", "root.pub"]));
    ok(&run(d, &["keygen", "--out", "hb.secret"]));
    let times = ["--issued-at", "2026-01-01T00:00:00Z", "--expires-at", "2036-01-01T00:00:00Z"];
    let mut args = vec!["trust-root", "create", "--sign", "root.secret", "--out", "tr1.json"];
    args.extend(times);
    ok(&run(d, &args));
    let mut args = vec![
        "trust-root",
        "add-key",
        "tr1.json",
        "--key",
        "hb.secret",
        "--role",
        "heartbeat",
        "--sign",
        "root.secret",
        "--out",
        "tr2.json",
    ];
    args.extend(["--issued-at", "2026-01-02T00:00:00Z", "--expires-at", "2036-01-01T00:00:00Z"]);
    ok(&run(d, &args));
    std::fs::write(
        d.join("policy.json"),
        format!(
            r#"{{"type":"attest.heartbeat-policy.v1","policy_hash":"{POLICY_HASH}","zero_retention":true,
"pinned":{{"version":"1.4.0","kernel_config_hash":"{KERNEL}"}},"max_gap_seconds":120}}"#
        ),
    )
    .expect("write");
    dir
}

fn fixed() -> serde_json::Value {
    serde_json::json!({
        "interval_seconds": 1,
        "policy_hash": POLICY_HASH,
        "zero_retention": true,
        "epsilon_limits": {"max_epsilon": 1.0, "max_delta": 1e-5, "current_usage": 0.25, "reset_interval": 86400},
        "version": "1.4.0",
        "kernel_config_hash": KERNEL,
        "capability_keys": [],
        "tenant_isolation": true, "egress_firewall_enabled": true, "pii_detection_enabled": true,
        "total_requests": 0, "blocked_requests": 0, "capability_failures": 0, "plan_validations": 0, "uptime_seconds": 0
    })
}

fn write_config(d: &Path, extra: serde_json::Value) {
    let mut cfg = serde_json::json!({"stream": "edge-1", "key": "hb.secret", "interval_seconds": 1, "fixed": fixed()});
    if let (Some(c), serde_json::Value::Object(e)) = (cfg.as_object_mut(), extra) {
        c.extend(e);
    }
    std::fs::write(d.join("hb.json"), cfg.to_string()).expect("write config");
}

const TRUST: [&str; 6] = ["--trust-root", "tr1.json", "--trust-root", "tr2.json", "--root-key", "root.pub"];

fn verify_args<'a>(file: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["verify", file];
    a.extend(TRUST);
    a.extend(["--heartbeat-policy", "policy.json"]);
    a.extend(extra);
    a
}

#[test]
fn sign_then_verify_and_inspect() {
    let dir = world();
    let d = dir.path();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    let mut payload = fixed();
    let p = payload.as_object_mut().expect("object");
    for (k, v) in [
        ("type", serde_json::json!("attest.runtime-heartbeat.v1")),
        ("attestation_id", serde_json::json!("edge-1/b/0")),
        ("stream", serde_json::json!("edge-1")),
        ("boot_id", serde_json::json!("b")),
        ("seq", serde_json::json!(0)),
        ("previous", serde_json::Value::Null),
        ("timestamp", serde_json::json!(now)),
    ] {
        p.insert(k.into(), v);
    }
    std::fs::write(d.join("payload.json"), payload.to_string()).expect("write");
    ok(&run(d, &["heartbeat", "sign", "--key", "hb.secret", "--payload", "payload.json", "--out", "hb.dsse.json"]));
    let out = run(d, &verify_args("hb.dsse.json", &["--format", "json"]));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert_eq!(report["type"], "attest.runtime-heartbeat.v1");
    let ids: Vec<&str> = report["checks"].as_array().expect("checks").iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(ids, ["parse", "trust-root", "signer", "signature", "freshness", "policy", "drift", "limits", "replay"]);
    // Refuses to overwrite, then --force.
    let again =
        run(d, &["heartbeat", "sign", "--key", "hb.secret", "--payload", "payload.json", "--out", "hb.dsse.json"]);
    assert_eq!(again.status.code(), Some(2));
    ok(&run(
        d,
        &["heartbeat", "sign", "--key", "hb.secret", "--payload", "payload.json", "--out", "hb.dsse.json", "--force"],
    ));
    // Signed by the root key (no heartbeat role): signer fails, exit 1.
    ok(&run(d, &["heartbeat", "sign", "--key", "root.secret", "--payload", "payload.json", "--out", "root.dsse.json"]));
    let out = run(d, &verify_args("root.dsse.json", &[]));
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("FAIL signer") && text.contains("[wrong-role]"), "{text}");
    // inspect decodes the payload.
    let out = ok(&run(d, &["inspect", "hb.dsse.json", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["decoded"]["payloadType"], "application/vnd.attest.runtime-heartbeat.v1+json");
    assert_eq!(v["decoded"]["payload"]["stream"], "edge-1");
    assert_eq!(v["decoded"]["stream"], "edge-1");
    // A payload that is not a heartbeat is refused before signing (exit 2, naming the file).
    std::fs::write(d.join("bad.json"), r#"{"type":"attest.runtime-heartbeat.v1"}"#).expect("write");
    let out = run(d, &["heartbeat", "sign", "--key", "hb.secret", "--payload", "bad.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.json"));
    // A policy that does not parse: exit 2 naming it.
    std::fs::write(d.join("policy.json"), r#"{"type":"attest.heartbeat-policy.v1"}"#).expect("write");
    let out = run(d, &verify_args("hb.dsse.json", &[]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("policy.json"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn hostile_envelopes_exit_1_without_panicking() {
    let dir = world();
    let d = dir.path();
    let big = format!(
        r#"{{"payloadType":"application/vnd.attest.runtime-heartbeat.v1+json","payload":"{}","signatures":[]}}"#,
        "A".repeat(17 << 20)
    );
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("huge", big.into_bytes(), "too-large"),
        ("nan", br#"{"payloadType":"application/vnd.attest.runtime-heartbeat.v1+json","payload":NaN,"signatures":[]}"#.to_vec(), "syntax"),
        ("dup", br#"{"payloadType":"a","payloadType":"b","payload":"","signatures":[]}"#.to_vec(), "duplicate-key"),
        ("not-base64", br#"{"payloadType":"application/vnd.attest.runtime-heartbeat.v1+json","payload":"@@","signatures":[{"keyid":"k","sig":""}]}"#.to_vec(), "bad-encoding"),
        ("empty-payload", br#"{"payloadType":"application/vnd.attest.runtime-heartbeat.v1+json","payload":"","signatures":[{"keyid":"k","sig":""}]}"#.to_vec(), "syntax"),
    ];
    for (name, bytes, reason) in cases {
        let file = format!("{name}.json");
        std::fs::write(d.join(&file), &bytes).expect("write");
        let start = Instant::now();
        let out = run(d, &verify_args(&file, &["--format", "json"]));
        assert_eq!(out.status.code(), Some(1), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(report["checks"][0]["reason"], reason, "{name}: {report}");
        assert!(start.elapsed() < Duration::from_secs(20), "{name} took {:?}", start.elapsed());
    }
}

fn lines(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p).unwrap_or_default().lines().map(str::to_string).collect()
}

#[test]
fn daemon_writes_a_healthy_stream_and_gate_passes() {
    let dir = world();
    let d = dir.path();
    std::fs::write(d.join("counters.json"), r#"{"total_requests": 10, "uptime_seconds": 5}"#).expect("write");
    write_config(d, serde_json::json!({"counters_file": "counters.json"}));
    let out = run(d, &["heartbeat", "run", "--config", "hb.json", "--out", "hb.jsonl", "--count", "3"]);
    ok(&out);
    let written = lines(&d.join("hb.jsonl"));
    assert_eq!(written.len(), 3);
    // The counters file was read: its members are in the payloads.
    let env: serde_json::Value = serde_json::from_str(&written[0]).expect("envelope");
    assert_eq!(env["payloadType"], "application/vnd.attest.runtime-heartbeat.v1+json");
    let mut audit = vec!["audit", "hb.jsonl", "--format", "json"];
    audit.extend(TRUST);
    audit.extend(["--heartbeat-policy", "policy.json"]);
    let out = run(d, &audit);
    let text = ok(&out);
    let stream: serde_json::Value = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|l| l.get("stream").is_some())
        .expect("stream line")["stream"]
        .clone();
    assert_eq!(stream["stream"], "edge-1");
    assert_eq!(stream["health"], "healthy");
    assert_eq!(stream["count"], 3);
    // gate: healthy over the last minute.
    // A window the stream covers (the first heartbeat within max_gap_seconds of its start).
    let mut gate = vec!["gate", "--heartbeats", "hb.jsonl", "--window", "1m"];
    gate.extend(TRUST);
    gate.extend(["--heartbeat-policy", "policy.json"]);
    let out = run(d, &gate);
    let text = ok(&out);
    assert!(text.contains("GATE PASS: 1 stream(s) healthy"), "{text}");
    // A stream that must be there and is not: exit 1 naming it.
    let mut missing = gate.clone();
    missing.extend(["--stream", "edge-2"]);
    let out = run(d, &missing);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("stream edge-2 has no heartbeat in the window"));
    // Three minutes later the stream is missing (max_gap_seconds 120).
    let later = {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs() + 180;
        attest_verifier::Timestamp::from_unix(t as i64, 0).to_rfc3339()
    };
    let mut stale = gate.clone();
    stale.extend(["--now", later.as_str(), "--format", "json"]);
    let out = run(d, &stale);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    // JSON Lines: the stream lines, then the gate line.
    let text = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(text.lines().last().unwrap_or("")).expect("json");
    assert_eq!(v["gate"]["pass"], false);
    assert!(v["gate"]["problems"].to_string().contains("missing"), "{v}");
    // No policy: could not check (exit 2).
    let out = run(d, &gate[..gate.len() - 2]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_windowed_stream_vectors_through_attest_gate() {
    let vectors = load_all().expect("vectors");
    let mut ran = 0;
    for v in vectors.iter().filter(|v| v.window_start.is_some()) {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        std::fs::write(d.join("root.pub"), v.root_keys.join("\n")).expect("write");
        std::fs::write(d.join("tr.json"), &v.trust_roots[0]).expect("write");
        std::fs::write(d.join("policy.json"), v.heartbeat_policy.as_deref().expect("policy")).expect("write");
        let jsonl: String = v.documents.iter().map(|doc| format!("{doc}\n")).collect();
        std::fs::write(d.join("hb.jsonl"), jsonl).expect("write");
        let now = attest_verifier::Timestamp::parse(&v.now).expect("now");
        let start = attest_verifier::Timestamp::parse(v.window_start.as_deref().expect("window")).expect("window");
        let window = format!("{}s", now.unix_seconds() - start.unix_seconds());
        let out = run(
            d,
            &[
                "gate",
                "--heartbeats",
                "hb.jsonl",
                "--window",
                &window,
                "--trust-root",
                "tr.json",
                "--root-key",
                "root.pub",
                "--heartbeat-policy",
                "policy.json",
                "--now",
                &v.now,
                "--format",
                "json",
            ],
        );
        let healthy = v.expect_streams.iter().all(|s| s.health == "healthy" && s.expect == "accept");
        assert_eq!(
            out.status.code(),
            Some(if healthy { 0 } else { 1 }),
            "{}: {}",
            v.name,
            String::from_utf8_lossy(&out.stdout)
        );
        ran += 1;
    }
    assert!(ran >= 2, "only {ran} windowed vectors");
}

#[test]
fn sigterm_flushes_and_exits_0() {
    let dir = world();
    let d = dir.path();
    write_config(d, serde_json::json!({"interval_seconds": 60}));
    let mut child = attest_in(d)
        .args(["heartbeat", "run", "--config", "hb.json", "--out", "hb.jsonl"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("daemon starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut reader = BufReader::new(stderr);
    let mut line = String::new();
    // The first heartbeat is written at once.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !line.contains("\"heartbeat\"") && Instant::now() < deadline {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
    }
    assert!(line.contains("\"heartbeat\""), "no heartbeat logged: {line}");
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().expect("kill").success());
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "daemon did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    let mut rest = String::new();
    let _ = reader.read_to_string(&mut rest);
    assert!(rest.contains("\"stop\""), "{rest}");
    assert_eq!(lines(&d.join("hb.jsonl")).len(), 1);
}

/// A ledger stand-in on loopback that accepts `POST /v1/entries` (201) and keeps the bodies.
fn ledger() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&got);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let body = loop {
                let n = s.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..n]);
                let mut headers = [httparse::EMPTY_HEADER; 16];
                let mut req = httparse::Request::new(&mut headers);
                if let Ok(httparse::Status::Complete(at)) = req.parse(&buf) {
                    let len = req
                        .headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                        .and_then(|h| std::str::from_utf8(h.value).ok()?.parse::<usize>().ok())
                        .unwrap_or(0);
                    if req.path != Some("/v1/entries") || req.method != Some("POST") {
                        break None;
                    }
                    if buf.len() >= at + len {
                        break Some(String::from_utf8_lossy(&buf[at..at + len]).into_owned());
                    }
                }
            };
            let reply: &[u8] = match body {
                Some(b) => {
                    seen.lock().expect("lock").push(b);
                    b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
                }
                None => b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            };
            let _ = s.write_all(reply);
        }
    });
    (format!("http://{addr}"), got)
}

#[test]
fn spooled_heartbeats_reach_the_ledger_in_order_across_restarts() {
    let dir = world();
    let d = dir.path();
    // Ledger unreachable (a closed port): the heartbeat stays in the spool.
    let closed = TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    write_config(d, serde_json::json!({"ledger": dead, "spool_dir": "spool", "boot_id": "boot-1"}));
    let out = run(d, &["heartbeat", "run", "--config", "hb.json", "--once"]);
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("submit-error"));
    assert_eq!(std::fs::read_dir(d.join("spool")).expect("spool").count(), 1);
    // Next run with the ledger up: the spooled heartbeat first, then the new one.
    let (url, got) = ledger();
    write_config(d, serde_json::json!({"ledger": url, "spool_dir": "spool", "boot_id": "boot-2"}));
    ok(&run(d, &["heartbeat", "run", "--config", "hb.json", "--once"]));
    let bodies = got.lock().expect("lock").clone();
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    let boot = |b: &str| {
        let env: serde_json::Value = serde_json::from_str(b).expect("envelope");
        let payload = attest_verifier::dsse::decode_base64(env["payload"].as_str().expect("payload")).expect("base64");
        serde_json::from_slice::<serde_json::Value>(&payload).expect("payload json")["boot_id"].clone()
    };
    assert_eq!(boot(&bodies[0]), "boot-1");
    assert_eq!(boot(&bodies[1]), "boot-2");
    assert_eq!(
        std::fs::read_dir(d.join("spool"))
            .expect("spool")
            .filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "json")))
            .count(),
        0
    );
}
