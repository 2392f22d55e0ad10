//! `attest ledger serve|key` through the real binary on loopback: submissions
//! (201, 200, 422, 413, 400), proofs checked with the core code against the
//! signed checkpoints, heartbeat envelopes, concurrent clients, SIGTERM, and
//! kill -9 during submissions followed by a restart on the same database.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use attest_attestor::json::to_pretty;
use attest_attestor::scenario::{HeartbeatWorld, Scenario};
use attest_attestor::MasterSecret;
use attest_ledger::store::{SqliteStore, Store as _};
use attest_ledger::testing::PgCluster;
use attest_verifier::checkpoint::{verify_checkpoint, Checkpoint, VerifierKey};
use attest_verifier::merkle::{leaf_hash, verify_consistency, verify_inclusion};
use attest_verifier::types::Sha256Digest;

const ORIGIN: &str = "ledger.test/log";

fn attest() -> Command {
    Command::new(env!("CARGO_BIN_EXE_attest"))
}

/// A running `attest ledger serve`; killed (SIGKILL) when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(dir: &Path, extra: &[&str]) -> Server {
        Self::start_on(dir, "sqlite:ledger.db", extra)
    }

    fn start_on(dir: &Path, db: &str, extra: &[&str]) -> Server {
        let mut child = attest()
            .current_dir(dir)
            .args(["ledger", "serve", "--db", db, "--origin", ORIGIN, "--key", "log.secret"])
            .args(["--trust-root", "trust-root.json", "--root-key", "root.pub", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("attest ledger serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(20)).expect("the ledger prints its address");
        let addr = line.trim().strip_prefix("listening on http://").expect("listening line").to_string();
        Server { child, addr }
    }

    /// SIGTERM; the ledger must exit 0 within 10 seconds.
    fn terminate(mut self) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().expect("kill").success());
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert_eq!(status.code(), Some(0), "exit status after SIGTERM");
                return;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "the ledger did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// One HTTP/1.1 exchange (Connection: close): status and body.
fn http(addr: &str, method: &str, path: &str, body: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes())?;
    // A refused body may not be read by the server: keep what it answered.
    let _ = s.write_all(body);
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16384];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if buf.is_empty() => return Err(e),
            Err(_) => break,
        }
    }
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").ok_or(std::io::ErrorKind::InvalidData)?;
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let status: u16 = head.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or(std::io::ErrorKind::InvalidData)?;
    let body = buf[split + 4..].to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        return Err(std::io::Error::other("chunked response: not expected from these endpoints"));
    }
    Ok((status, body))
}

fn json_of(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body).unwrap_or_else(|e| panic!("JSON body ({e}): {}", String::from_utf8_lossy(body)))
}

fn get(addr: &str, path: &str) -> (u16, serde_json::Value) {
    let (status, body) = http(addr, "GET", path, b"").expect("GET");
    (status, json_of(&body))
}

fn post(addr: &str, body: &[u8]) -> (u16, serde_json::Value) {
    let (status, body) = http(addr, "POST", "/v1/entries", body).expect("POST");
    (status, json_of(&body))
}

fn digest(v: &serde_json::Value) -> Sha256Digest {
    Sha256Digest::from_hex(v.as_str().expect("hex string")).expect("hex digest")
}

fn proof(v: &serde_json::Value) -> Vec<Sha256Digest> {
    v.as_array().expect("proof array").iter().map(digest).collect()
}

/// The demo scenario's trust root and root key, a log key, and the verifier key
/// printed by `attest ledger key`.
fn world(seed: &str) -> (tempfile::TempDir, Scenario, VerifierKey) {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let s = Scenario::new(seed).expect("scenario");
    std::fs::write(d.join("trust-root.json"), to_pretty(&s.trust_root)).expect("write");
    std::fs::write(d.join("root.pub"), s.root_key_line()).expect("write");
    std::fs::write(d.join("log.secret"), format!("{}\n", MasterSecret::from_bytes([0x4c; 32]).to_hex()))
        .expect("write");
    let out = attest()
        .current_dir(d)
        .args(["ledger", "key", "--key", "log.secret", "--origin", ORIGIN])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let vk = VerifierKey::parse(String::from_utf8_lossy(&out.stdout).trim()).expect("verifier key text");
    assert_eq!(vk.name(), ORIGIN);
    (dir, s, vk)
}

/// A temporary directory with a heartbeat world's trust root, root key,
/// policy (`max_gap_seconds` replaced when given) and a log key from `log_byte`.
fn heartbeat_world(seed: &str, log_byte: u8, max_gap_seconds: Option<u64>) -> (tempfile::TempDir, HeartbeatWorld) {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let w = HeartbeatWorld::new(seed).expect("world");
    std::fs::write(d.join("trust-root.json"), to_pretty(&w.trust_root)).expect("write");
    std::fs::write(d.join("root.pub"), format!("{}\n", w.root.master_ed25519().public_key())).expect("write");
    let mut policy = w.policy.clone();
    if let (Some(gap), attest_json::Value::Object(o)) = (max_gap_seconds, &mut policy) {
        attest_attestor::json::set(o, "max_gap_seconds", attest_attestor::json::int(gap));
    }
    std::fs::write(d.join("policy.json"), to_pretty(&policy)).expect("write");
    std::fs::write(d.join("log.secret"), format!("{}\n", MasterSecret::from_bytes([log_byte; 32]).to_hex()))
        .expect("write");
    (dir, w)
}

fn attestation(s: &Scenario, id: &str) -> Vec<u8> {
    to_pretty(&s.direct(id).expect("sign")).into_bytes()
}

/// The entry bytes of a JSON document: its JCS form.
fn canonical(doc: &[u8]) -> Vec<u8> {
    attest_json::to_canonical_vec(&attest_verifier::doc::parse_json(doc).expect("strict JSON"))
}

/// A receipt verifies: its checkpoint is signed by the log key and the
/// entry's leaf is included in it at the index.
fn check_receipt(r: &serde_json::Value, vk: &VerifierKey, entry: &[u8]) -> (u64, Checkpoint) {
    let cp = verify_checkpoint(r["checkpoint"].as_str().expect("note").as_bytes(), vk)
        .expect("signed checkpoint")
        .into_inner();
    let index = r["index"].as_u64().expect("index");
    assert_eq!(r["treeSize"].as_u64(), Some(cp.size()));
    let leaf = leaf_hash(entry);
    assert_eq!(digest(&r["leafHash"]), leaf);
    verify_inclusion(&leaf, index, cp.size(), &proof(&r["inclusionProof"]), &cp.root()).expect("inclusion proof");
    (index, cp)
}

fn current_checkpoint(addr: &str, vk: &VerifierKey) -> Checkpoint {
    let (status, body) = http(addr, "GET", "/checkpoint", b"").expect("GET /checkpoint");
    assert_eq!(status, 200);
    verify_checkpoint(&body, vk).expect("signed checkpoint").into_inner()
}

fn check_consistency(addr: &str, old: &Checkpoint, new: &Checkpoint) {
    let (status, c) = get(addr, &format!("/v1/proof/consistency?old={}&new={}", old.size(), new.size()));
    assert_eq!(status, 200, "{c}");
    verify_consistency(old.size(), new.size(), &old.root(), &new.root(), &proof(&c["consistencyProof"]))
        .unwrap_or_else(|e| panic!("{} -> {}: {e}", old.size(), new.size()));
}

#[test]
fn submissions_proofs_refusals_and_sigterm() {
    let (dir, s, vk) = world("ledger-basic");
    let d = dir.path();
    let server = Server::start(d, &[]);
    let addr = server.addr.clone();
    assert_eq!(get(&addr, "/healthz"), (200, serde_json::json!({"status": "ok"})));
    assert_eq!(get(&addr, "/readyz").0, 200);
    let empty = current_checkpoint(&addr, &vk);
    assert_eq!(empty.size(), 0);

    // A valid attestation: 201, and its receipt verifies with the core code.
    let doc = attestation(&s, "exec-1");
    let (status, r) = post(&addr, &doc);
    assert_eq!(status, 201, "{r}");
    let (index, cp1) = check_receipt(&r, &vk, &canonical(&doc));
    assert_eq!((index, cp1.size()), (0, 1));

    // The same document again, formatted differently: 200 with the same index.
    let (status, again) = post(&addr, &canonical(&doc));
    assert_eq!(status, 200, "{again}");
    assert_eq!(check_receipt(&again, &vk, &canonical(&doc)).0, 0);

    // The entry as stored: its JCS bytes, with a proof against the latest checkpoint.
    let (status, body) = http(&addr, "GET", "/v1/entries/0", b"").expect("GET entry");
    assert_eq!(status, 200);
    let e = json_of(&body);
    let raw = String::from_utf8(body).expect("utf-8");
    assert!(raw.contains(&format!("\"entry\":{}", String::from_utf8(canonical(&doc)).expect("utf-8"))), "{raw}");
    check_receipt(&e, &vk, &canonical(&doc));

    // One byte changed: 422 with the report, kept in `rejected`, not logged.
    let tampered = String::from_utf8(doc.clone()).expect("utf-8").replacen("exec-1", "exec-2", 1);
    let (status, refused) = post(&addr, tampered.as_bytes());
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["code"], "invalid");
    assert_eq!(refused["report"]["valid"], false);
    let failed: Vec<&str> = refused["report"]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "fail")
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(failed, ["signature"]);
    assert_eq!(current_checkpoint(&addr, &vk).size(), 1, "nothing appended");
    let rejected = SqliteStore::open(&d.join("ledger.db")).expect("open").rejected(10).expect("rejected rows");
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].body, tampered.as_bytes());
    assert_eq!(
        (rejected[0].check.as_deref(), rejected[0].doc_type.as_str()),
        (Some("signature"), "attest.execution-attestation.v1")
    );
    let leaf = leaf_hash(&canonical(tampered.as_bytes()));
    assert!(SqliteStore::open(&d.join("ledger.db")).expect("open").find_leaf(&leaf).expect("find").is_none());

    // An unknown document type is verified and refused like any invalid one.
    let (status, r) = post(&addr, br#"{"type":"nope"}"#);
    assert_eq!((status, r["code"].as_str()), (422, Some("invalid")));

    // Over 65,535 bytes: 413; not strict JSON: 400 (duplicate key, trailing garbage).
    let big = vec![b' '; 65_536];
    let (status, r) = post(&addr, &big);
    assert_eq!((status, r["code"].as_str()), (413, Some("too-large")), "{r}");
    for bad in [&b"{\"type\":1,\"type\":2}"[..], b"{} x", b"\xff", b""] {
        let (status, r) = post(&addr, bad);
        assert_eq!((status, r["code"].as_str()), (400, Some("malformed")), "{r}");
    }

    // A second entry; the consistency proof between the two checkpoints verifies.
    let doc2 = attestation(&s, "exec-2");
    let (status, r2) = post(&addr, &doc2);
    assert_eq!(status, 201, "{r2}");
    let (i2, cp2) = check_receipt(&r2, &vk, &canonical(&doc2));
    assert_eq!((i2, cp2.size()), (1, 2));
    check_consistency(&addr, &empty, &cp2);
    check_consistency(&addr, &cp1, &cp2);
    let (status, inc) = get(&addr, "/v1/proof/inclusion?index=0&size=2");
    assert_eq!(status, 200, "{inc}");
    verify_inclusion(&leaf_hash(&canonical(&doc)), 0, 2, &proof(&inc["inclusionProof"]), &cp2.root())
        .expect("inclusion");

    // The ledger's own trust root is a verifiable document too (the newest link of its chain).
    let tr = std::fs::read(d.join("trust-root.json")).expect("read");
    let (status, r) = post(&addr, &tr);
    assert_eq!(status, 201, "{r}");
    assert_eq!(check_receipt(&r, &vk, &canonical(&tr)).0, 2);

    // Bad requests: JSON errors with codes.
    for (path, status, code) in [
        ("/v1/entries/3", 404, "not-found"),
        ("/v1/entries/x", 400, "bad-parameter"),
        ("/v1/entries/01", 400, "bad-parameter"),
        ("/v1/proof/inclusion?index=2&size=2", 400, "bad-parameter"),
        ("/v1/proof/inclusion?index=0&size=4", 400, "bad-parameter"),
        ("/v1/proof/inclusion?index=0", 400, "bad-parameter"),
        ("/v1/proof/inclusion?index=0&size=1&size=1", 400, "bad-parameter"),
        ("/v1/proof/consistency?old=2&new=1", 400, "bad-parameter"),
        ("/v1/proof/consistency?old=0&new=4", 400, "bad-parameter"),
        ("/v1/proof/consistency?old=-1&new=1", 400, "bad-parameter"),
        ("/nowhere", 404, "not-found"),
    ] {
        let (got, r) = get(&addr, path);
        assert_eq!((got, r["code"].as_str()), (status, Some(code)), "{path}: {r}");
    }
    // Metrics: appended by type, rejected by type and check, tree size, latency.
    let (status, body) = http(&addr, "GET", "/metrics", b"").expect("GET /metrics");
    assert_eq!(status, 200);
    let text = String::from_utf8(body).expect("utf-8");
    for line in [
        "attest_ledger_entries_appended_total{type=\"attest.execution-attestation.v1\"} 2\n",
        "attest_ledger_entries_appended_total{type=\"attest.trust-root.v1\"} 1\n",
        "attest_ledger_rejected_total{type=\"attest.execution-attestation.v1\",check=\"signature\"} 1\n",
        "attest_ledger_rejected_total{type=\"unknown\",check=\"parse\"} 1\n",
        "attest_ledger_tree_size 3\n",
        "attest_ledger_append_latency_seconds_count 3\n",
    ] {
        assert!(text.contains(line), "{line} not in\n{text}");
    }
    let (status, body) = http(&addr, "DELETE", "/checkpoint", b"").expect("DELETE");
    assert_eq!((status, json_of(&body)["code"].as_str()), (405, Some("method-not-allowed")));

    server.terminate();
    // Restarted on the same database: the same log and checkpoint.
    let server = Server::start(d, &[]);
    let cp = current_checkpoint(&server.addr, &vk);
    assert_eq!(cp.size(), 3);
    check_consistency(&server.addr, &cp2, &cp);
    server.terminate();
}

#[test]
fn heartbeat_envelopes_under_the_ledgers_trust_root() {
    let (dir, w) = heartbeat_world("ledger-heartbeats", 0x4d, None);
    let d = dir.path();
    let server = Server::start(d, &["--heartbeat-policy", "policy.json"]);
    let vk = VerifierKey::new(ORIGIN, MasterSecret::from_bytes([0x4d; 32]).master_ed25519().public_key()).expect("key");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    let beats = w.boot("edge-1", "boot-1", 2, now - 1, 1).expect("heartbeats");
    for (i, hb) in beats.iter().enumerate() {
        let (status, r) = post(&server.addr, hb.as_bytes());
        assert_eq!(status, 201, "{r}");
        // Entry bytes: the envelope's canonical form.
        let entry = attest_verifier::dsse::parse_envelope(hb.as_bytes()).expect("envelope").canonical_bytes();
        assert_eq!(check_receipt(&r, &vk, &entry).0, i as u64);
    }
    // A stale heartbeat (an hour old) fails freshness: 422, not logged.
    let old = w.boot("edge-1", "boot-2", 1, now - 3600, 1).expect("heartbeat");
    let (status, r) = post(&server.addr, old[0].as_bytes());
    assert_eq!(status, 422, "{r}");
    assert!(
        r["report"]["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .any(|c| c["id"] == "freshness" && c["status"] == "fail"),
        "{r}"
    );
    // An attestation of another world's trust root: refused.
    let other = Scenario::new("elsewhere").expect("scenario");
    let (status, _) = post(&server.addr, &attestation(&other, "x"));
    assert_eq!(status, 422);
    assert_eq!(current_checkpoint(&server.addr, &vk).size(), 2);
    server.terminate();
}

#[test]
fn the_heartbeat_daemon_delivers_to_the_ledger() {
    let (dir, w) = heartbeat_world("ledger-daemon", 0x4e, None);
    let d = dir.path();
    std::fs::write(d.join("hb.secret"), format!("{}\n", w.heartbeat.to_hex())).expect("write");
    let server = Server::start(d, &["--heartbeat-policy", "policy.json"]);
    let vk = VerifierKey::new(ORIGIN, MasterSecret::from_bytes([0x4e; 32]).master_ed25519().public_key()).expect("key");
    let fixed: serde_json::Value =
        serde_json::from_str(&to_pretty(&attest_json::Value::Object(w.input.object().clone()))).expect("json");
    let config = serde_json::json!({
        "stream": "edge-1", "key": "hb.secret", "interval_seconds": 1, "fixed": fixed,
        "ledger": format!("http://{}", server.addr), "spool_dir": "spool", "boot_id": "boot-1"
    });
    std::fs::write(d.join("hb.json"), config.to_string()).expect("write");
    let out = attest()
        .current_dir(d)
        .args(["heartbeat", "run", "--config", "hb.json", "--count", "3", "--out", "hb.jsonl"])
        .output()
        .expect("daemon runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Every heartbeat the daemon wrote is in the log, in order, and the spool is empty.
    let written = std::fs::read_to_string(d.join("hb.jsonl")).expect("hb.jsonl");
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines.len(), 3);
    let cp = current_checkpoint(&server.addr, &vk);
    assert_eq!(cp.size(), 3);
    for (i, line) in lines.iter().enumerate() {
        let entry = attest_verifier::dsse::parse_envelope(line.as_bytes()).expect("envelope").canonical_bytes();
        let (status, e) = get(&server.addr, &format!("/v1/entries/{i}"));
        assert_eq!(status, 200, "{e}");
        assert_eq!(digest(&e["leafHash"]), leaf_hash(&entry));
    }
    let spooled = std::fs::read_dir(d.join("spool"))
        .expect("spool")
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "json")))
        .count();
    assert_eq!(spooled, 0);
    server.terminate();
}

#[test]
fn twenty_concurrent_clients_get_distinct_indices() {
    let (dir, s, vk) = world("ledger-concurrent");
    let server = Server::start(dir.path(), &[]);
    let docs: Vec<Vec<Vec<u8>>> =
        (0..20).map(|c| (0..10).map(|i| attestation(&s, &format!("client-{c}-{i}"))).collect()).collect();
    let start = Instant::now();
    let results = submit_concurrently(&server.addr, &docs);
    let elapsed = start.elapsed();
    assert!(elapsed < Duration::from_secs(60), "200 submissions took {elapsed:?}");
    eprintln!("200 submissions from 20 clients in {elapsed:?}");
    let mut seen = HashSet::new();
    for (index, status, r, entry) in &results {
        assert_eq!(*status, 201, "{r}");
        assert!(seen.insert(*index), "index {index} given twice");
        check_receipt(r, &vk, entry);
    }
    assert_eq!(seen, (0..200).collect::<HashSet<u64>>());
    assert_eq!(current_checkpoint(&server.addr, &vk).size(), 200);
    // 20 clients submitting one new document at once: one index, one 201, nineteen 200s.
    let same = attestation(&s, "the-same-one");
    let docs: Vec<Vec<Vec<u8>>> = (0..20).map(|_| vec![same.clone()]).collect();
    let results = submit_concurrently(&server.addr, &docs);
    let indices: HashSet<u64> = results.iter().map(|(i, ..)| *i).collect();
    assert_eq!(indices, HashSet::from([200]));
    let created = results.iter().filter(|(_, status, ..)| *status == 201).count();
    let present = results.iter().filter(|(_, status, ..)| *status == 200).count();
    assert_eq!((created, present), (1, 19));
    for (_, _, r, entry) in &results {
        check_receipt(r, &vk, entry);
    }
    assert_eq!(current_checkpoint(&server.addr, &vk).size(), 201);
    server.terminate();
}

/// Each client (thread) submits its documents in order: `(index, status, receipt, entry bytes)`.
fn submit_concurrently(addr: &str, docs: &[Vec<Vec<u8>>]) -> Vec<(u64, u16, serde_json::Value, Vec<u8>)> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = docs
            .iter()
            .map(|mine| {
                scope.spawn(move || {
                    mine.iter()
                        .map(|doc| {
                            let (status, r) = post(addr, doc);
                            (r["index"].as_u64().unwrap_or(u64::MAX), status, r, canonical(doc))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("client thread")).collect()
    })
}

#[test]
fn tiles_and_entry_bundles_match_the_log() {
    let (dir, s, vk) = world("ledger-tiles");
    let server = Server::start(dir.path(), &[]);
    let addr = server.addr.clone();
    let docs: Vec<Vec<Vec<u8>>> =
        (0..20).map(|c| (0..14).map(|i| attestation(&s, &format!("tile-{c}-{i}"))).collect()).collect();
    let results = submit_concurrently(&addr, &docs);
    let mut by_index: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
    for (index, status, r, entry) in results {
        assert_eq!(status, 201, "{r}");
        by_index.insert(index, entry);
    }
    let entries: Vec<Vec<u8>> = by_index.into_values().collect();
    assert_eq!(entries.len(), 280);
    let leaves: Vec<Sha256Digest> = entries.iter().map(|e| leaf_hash(e)).collect();
    let cp = current_checkpoint(&addr, &vk);
    assert_eq!(cp.size(), 280);
    let fetch = |path: &str| {
        let (status, body) = http(&addr, "GET", path, b"").expect("GET tile");
        (status, body)
    };
    // Level 0: a full tile and a partial one of the 24 last leaf hashes.
    let (status, full) = fetch("/tile/0/000");
    assert_eq!(status, 200);
    let (status, partial) = fetch("/tile/0/001.p/24");
    assert_eq!(status, 200);
    let from_tiles: Vec<Sha256Digest> = full
        .chunks(32)
        .chain(partial.chunks(32))
        .map(|c| Sha256Digest::from_bytes(c.try_into().expect("32 bytes")))
        .collect();
    assert_eq!(from_tiles, leaves);
    // The root from the tiles is the checkpoint's.
    assert_eq!(attest_verifier::merkle::tree_hash(&from_tiles), cp.root());
    // Level 1: one hash, the root of the first 256 leaves.
    let (status, l1) = fetch("/tile/1/000.p/1");
    assert_eq!(status, 200);
    assert_eq!(l1, attest_verifier::merkle::tree_hash(&leaves[..256]).as_bytes().to_vec());
    // Entry bundles: 2-byte big-endian lengths.
    let (status, bundle) = fetch("/tile/entries/001.p/24");
    assert_eq!(status, 200);
    let mut rest = bundle.as_slice();
    let mut got = Vec::new();
    while let [hi, lo, tail @ ..] = rest {
        let n = usize::from(u16::from_be_bytes([*hi, *lo]));
        got.push(tail[..n].to_vec());
        rest = &tail[n..];
    }
    assert_eq!(got, entries[256..]);
    let (status, bundle0) = fetch("/tile/entries/000");
    assert_eq!(status, 200);
    assert!(bundle0.starts_with(&(entries[0].len() as u16).to_be_bytes()));
    // Cache headers: immutable full tiles.
    let mut st = TcpStream::connect(&addr).expect("connect");
    write!(st, "GET /tile/0/000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").expect("write");
    let mut raw = Vec::new();
    st.read_to_end(&mut raw).expect("read");
    let head =
        String::from_utf8_lossy(&raw[..raw.windows(4).position(|w| w == b"\r\n\r\n").expect("head")]).to_lowercase();
    assert!(head.contains("cache-control: public, max-age=31536000, immutable"), "{head}");
    // Not (yet) in the tree, or not a canonical path: 404.
    for path in [
        "/tile/0/001",
        "/tile/0/001.p/25",
        "/tile/1/000",
        "/tile/entries/001.p/25",
        "/tile/0/1",
        "/tile/0/x000/001",
        "/tile/2/000.p/1",
    ] {
        let (status, body) = fetch(path);
        assert_eq!((status, json_of(&body)["code"].as_str()), (404, Some("not-found")), "{path}");
    }
    server.terminate();
}

#[test]
fn kill_9_during_submissions_loses_no_acknowledged_entry() {
    kill_9_case("ledger-kill", "sqlite:ledger.db");
}

#[test]
fn kill_9_during_submissions_loses_no_acknowledged_entry_with_postgres() {
    let pg = PgCluster::start().expect("a throwaway PostgreSQL cluster");
    let url = pg.create_database("kill").expect("database");
    kill_9_case("ledger-kill-pg", &url);
}

fn kill_9_case(seed: &str, db: &str) {
    let (dir, s, vk) = world(seed);
    let d = dir.path();
    let server = Server::start_on(d, db, &[]);
    let addr = server.addr.clone();
    let docs: Vec<Vec<Vec<u8>>> =
        (0..20).map(|c| (0..40).map(|i| attestation(&s, &format!("kill-{c}-{i}"))).collect()).collect();
    let (ack_tx, ack_rx) = mpsc::channel::<(u64, Vec<u8>, serde_json::Value)>();
    let acks = std::thread::scope(|scope| {
        for mine in &docs {
            let (addr, ack_tx) = (addr.clone(), ack_tx.clone());
            scope.spawn(move || {
                for doc in mine {
                    // Each document twice in a row: a 201, then a 200 for the same index.
                    for _ in 0..2 {
                        let Ok((status, body)) = http(&addr, "POST", "/v1/entries", doc) else { return };
                        if status == 200 || status == 201 {
                            let r = json_of(&body);
                            let _ = ack_tx.send((r["index"].as_u64().expect("index"), canonical(doc), r));
                        } else {
                            return;
                        }
                    }
                }
            });
        }
        drop(ack_tx);
        // Kill -9 once some batches were acknowledged, while clients are mid-flight.
        let mut acks = Vec::new();
        while acks.len() < 60 {
            acks.push(ack_rx.recv_timeout(Duration::from_secs(30)).expect("acknowledgements arrive"));
        }
        // Into the next batch's collection window (250 ms), not at a batch boundary.
        std::thread::sleep(Duration::from_millis(120));
        drop(server);
        acks.extend(ack_rx.iter());
        acks
    });
    assert!(acks.len() >= 60 && acks.len() < 1600, "{} acknowledgements", acks.len());

    let server = Server::start_on(d, db, &[]);
    let new = current_checkpoint(&server.addr, &vk);
    let mut checkpoints = BTreeMap::new();
    for (index, entry, r) in &acks {
        // Every acknowledged entry is at its index, with the bytes acknowledged.
        let (i, cp) = check_receipt(r, &vk, entry);
        assert_eq!(i, *index);
        assert!(*index < new.size(), "entry {index} lost: the log has {} after the restart", new.size());
        let (status, e) = get(&server.addr, &format!("/v1/entries/{index}"));
        assert_eq!(status, 200, "{e}");
        assert_eq!(digest(&e["leafHash"]), leaf_hash(entry));
        checkpoints.insert(cp.size(), cp);
    }
    // The new checkpoint is consistent with every checkpoint handed out before.
    for old in checkpoints.values() {
        check_consistency(&server.addr, old, &new);
    }
    eprintln!(
        "{} acknowledgements before kill -9, {} checkpoints, {} entries after restart",
        acks.len(),
        checkpoints.len(),
        new.size()
    );
    server.terminate();
}

#[test]
fn two_ledger_processes_share_one_postgres_database() {
    let pg = PgCluster::start().expect("a throwaway PostgreSQL cluster");
    let url = pg.create_database("shared").expect("database");
    let (dir, s, vk) = world("ledger-two-processes");
    let a = Server::start_on(dir.path(), &url, &["--batch-max-age-ms", "20"]);
    let b = Server::start_on(dir.path(), &url, &["--batch-max-age-ms", "20"]);
    // 16 clients, alternating between the two processes, 15 documents each;
    // every client also submits one document that every other client submits.
    let same = attestation(&s, "shared-by-all");
    let docs: Vec<(String, Vec<Vec<u8>>)> = (0..16)
        .map(|c| {
            let addr = if c % 2 == 0 { a.addr.clone() } else { b.addr.clone() };
            let mut mine: Vec<Vec<u8>> = (0..15).map(|i| attestation(&s, &format!("two-{c}-{i}"))).collect();
            mine.insert(c % 15, same.clone());
            (addr, mine)
        })
        .collect();
    let results: Vec<(u64, u16, serde_json::Value, Vec<u8>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = docs
            .iter()
            .map(|(addr, mine)| {
                scope.spawn(move || {
                    mine.iter()
                        .map(|doc| {
                            let (status, r) = post(addr, doc);
                            (r["index"].as_u64().unwrap_or(u64::MAX), status, r, canonical(doc))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("client thread")).collect()
    });
    let mut by_entry: BTreeMap<Vec<u8>, HashSet<u64>> = BTreeMap::new();
    let mut checkpoints = BTreeMap::new();
    for (index, status, r, entry) in &results {
        assert!(*status == 201 || *status == 200, "{status} {r}");
        let (i, cp) = check_receipt(r, &vk, entry);
        assert_eq!(i, *index);
        by_entry.entry(entry.clone()).or_default().insert(*index);
        checkpoints.insert(cp.size(), cp);
    }
    // 241 distinct documents, each with exactly one index, the indices 0..241.
    assert_eq!(by_entry.len(), 241);
    let mut all: Vec<u64> = by_entry
        .values()
        .map(|ix| {
            assert_eq!(ix.len(), 1, "one document, several indices: {ix:?}");
            *ix.iter().next().expect("one")
        })
        .collect();
    all.sort_unstable();
    assert_eq!(all, (0..241).collect::<Vec<u64>>());
    let created = results.iter().filter(|(_, st, ..)| *st == 201).count();
    assert_eq!(created, 241, "one 201 per distinct document");
    // Both processes converge on the same log, consistent with every checkpoint handed out.
    let deadline = Instant::now() + Duration::from_secs(10);
    let (ca, cb) = loop {
        let (ca, cb) = (current_checkpoint(&a.addr, &vk), current_checkpoint(&b.addr, &vk));
        if (ca.size(), cb.size()) == (241, 241) || Instant::now() > deadline {
            break (ca, cb);
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!((ca.size(), cb.size()), (241, 241));
    assert_eq!(ca.root(), cb.root());
    for old in checkpoints.values() {
        check_consistency(&a.addr, old, &ca);
        check_consistency(&b.addr, old, &cb);
    }
    for (entry, ix) in &by_entry {
        let index = *ix.iter().next().expect("one");
        for addr in [&a.addr, &b.addr] {
            let (status, e) = get(addr, &format!("/v1/entries/{index}"));
            assert_eq!(status, 200, "{e}");
            assert_eq!(digest(&e["leafHash"]), leaf_hash(entry));
        }
    }
    eprintln!(
        "two processes, one database: {} submissions, {} checkpoints handed out",
        results.len(),
        checkpoints.len()
    );
    a.terminate();
    b.terminate();
}

/// submit → checkpoint → tlog-proof → offline `attest verify --log-proof`.
#[test]
fn tlog_proofs_verify_offline_with_attest_verify() {
    let (dir, s, vk) = world("ledger-tlog-proof");
    let d = dir.path();
    let server = Server::start(d, &["--batch-max-age-ms", "20"]);
    let docs: Vec<Vec<u8>> = (0..7).map(|i| attestation(&s, &format!("offline-{i}"))).collect();
    for doc in &docs {
        let (status, r) = post(&server.addr, doc);
        assert_eq!(status, 201, "{r}");
    }
    let (status, text) = http(&server.addr, "GET", "/v1/entries/3/tlog-proof", b"").expect("GET tlog-proof");
    assert_eq!(status, 200);
    let text = String::from_utf8(text).expect("UTF-8");
    assert!(text.starts_with("c2sp.org/tlog-proof@v1\nindex 3\n"), "{text}");
    let (status, _) = http(&server.addr, "GET", "/v1/entries/7/tlog-proof", b"").expect("GET");
    assert_eq!(status, 404);
    let (status, _) = http(&server.addr, "GET", "/v1/entries/03/tlog-proof", b"").expect("GET");
    assert_eq!(status, 400);
    server.terminate();

    // Offline: the ledger is gone.
    std::fs::write(d.join("doc3.json"), &docs[3]).expect("write");
    std::fs::write(d.join("doc4.json"), &docs[4]).expect("write");
    std::fs::write(d.join("entry3.tlog-proof"), &text).expect("write");
    std::fs::write(d.join("log.vkey"), format!("{vk}\n")).expect("write");
    let verify = |doc: &str, key: &str| {
        let out = attest()
            .current_dir(d)
            .args(["verify", doc, "--trust-root", "trust-root.json", "--root-key", "root.pub", "--no-state"])
            .args(["--log-proof", "entry3.tlog-proof", "--log-key", key, "--format", "json"])
            .output()
            .expect("runs");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
        let check = report["checks"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["id"] == "log-inclusion").cloned())
            .unwrap_or(serde_json::Value::Null);
        (out.status.code(), check, String::from_utf8_lossy(&out.stderr).to_string())
    };
    let key_text = vk.to_string();
    let (code, check, err) = verify("doc3.json", &key_text);
    assert_eq!(code, Some(0), "{err} {check}");
    assert_eq!(check["status"], "pass", "{check}");
    // The key from a file, the same verdict.
    let (code, check, _) = verify("doc3.json", "log.vkey");
    assert_eq!((code, check["status"].as_str()), (Some(0), Some("pass")));
    // Another document with this proof: not included (exit 1).
    let (code, check, _) = verify("doc4.json", &key_text);
    assert_eq!((code, check["reason"].as_str()), (Some(1), Some("not-included")), "{check}");
    // Another log's key: the checkpoint is not signed by it.
    let other = attest_attestor::note::NoteSigner::new(ORIGIN, MasterSecret::from_bytes([7; 32]).master_ed25519())
        .expect("signer");
    let (code, check, _) = verify("doc3.json", &other.verifier_key().to_string());
    assert_eq!((code, check["reason"].as_str()), (Some(1), Some("bad-log-signature")), "{check}");
    // A key argument that is neither a key nor a file: exit 2, named.
    let (code, _, err) = verify("doc3.json", "no-such-key");
    assert_eq!(code, Some(2));
    assert!(err.contains("--log-key"), "{err}");
    // `attest audit` refuses a log proof (it proves one document).
    let out = attest()
        .current_dir(d)
        .args(["audit", "doc3.json", "--trust-root", "trust-root.json", "--root-key", "root.pub", "--no-state"])
        .args(["--log-proof", "entry3.tlog-proof", "--log-key", &key_text])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `attest ledger export-tiles`: the files are what the server serves, a
/// second export keeps the full tiles, a changed full tile is refused.
#[test]
fn export_tiles_writes_what_the_server_serves() {
    let (dir, s, vk) = world("ledger-export");
    let d = dir.path();
    let server = Server::start(d, &["--batch-max-age-ms", "20"]);
    let docs: Vec<Vec<Vec<u8>>> =
        (0..10).map(|c| (0..27).map(|i| attestation(&s, &format!("export-{c}-{i}"))).collect()).collect();
    let results = submit_concurrently(&server.addr, &docs);
    assert!(results.iter().all(|(_, st, ..)| *st == 201));
    let export = |key: &str| {
        attest()
            .current_dir(d)
            .args(["ledger", "export-tiles", "--db", "sqlite:ledger.db", "--log-key", key, "site"])
            .output()
            .expect("runs")
    };
    let key = vk.to_string();
    let out = export(&key);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut files = Vec::new();
    let mut stack = vec![d.join("site")];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    // 270 entries: tile/0/000, tile/0/001.p/14, tile/1/000.p/1, entries 000 and 001.p/14, checkpoint.
    assert_eq!(files.len(), 6, "{files:?}");
    for f in &files {
        let rel = f.strip_prefix(d.join("site")).expect("inside").to_str().expect("UTF-8").to_string();
        let (status, served) = http(&server.addr, "GET", &format!("/{rel}"), b"").expect("GET");
        assert_eq!(status, 200, "{rel}");
        assert_eq!(std::fs::read(f).expect("read"), served, "{rel} differs from the server's");
    }
    let again = export(&key);
    assert!(again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("2 full tiles unchanged"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    // Another log's key: nothing unverified is published.
    let other = attest_attestor::note::NoteSigner::new(ORIGIN, MasterSecret::from_bytes([7; 32]).master_ed25519())
        .expect("signer");
    let out = export(&other.verifier_key().to_string());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("does not verify"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A full tile with other contents is never overwritten.
    let full = d.join("site/tile/0/000");
    let mut bytes = std::fs::read(&full).expect("read");
    bytes[0] ^= 1;
    std::fs::write(&full, &bytes).expect("write");
    let out = export(&key);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("tile/0/000"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(&full).expect("read"), bytes);
    server.terminate();
}

/// `attest ledger verify`: consistent runs save the checkpoint; a log
/// with the same key and another history is caught with fork evidence the
/// verifier's `fork` check accepts.
#[test]
fn the_monitor_follows_the_log_and_proves_a_fork() {
    let (dir, s, vk) = world("ledger-monitor");
    let d = dir.path();
    let monitor = |addr: &str| {
        attest()
            .current_dir(d)
            .args(["ledger", "verify", "--url", &format!("http://{addr}"), "--log-key", &vk.to_string()])
            .args(["--state", "monitor.json", "--fork-evidence", "fork.json"])
            .output()
            .expect("runs")
    };
    let server = Server::start(d, &["--batch-max-age-ms", "20"]);
    let first: Vec<Vec<Vec<u8>>> =
        (0..10).map(|c| (0..30).map(|i| attestation(&s, &format!("mon-{c}-{i}"))).collect()).collect();
    submit_concurrently(&server.addr, &first);
    let out = monitor(&server.addr);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("size 300"), "{}", String::from_utf8_lossy(&out.stdout));
    let more: Vec<Vec<Vec<u8>>> = vec![(0..40).map(|i| attestation(&s, &format!("mon-more-{i}"))).collect()];
    submit_concurrently(&server.addr, &more);
    let out = monitor(&server.addr);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("size 340") && stdout.contains("40 new entries") && stdout.contains("size 300"),
        "{stdout}"
    );
    server.terminate();

    // The same log key, another database: a split view of the log.
    let forked = Server::start_on(d, "sqlite:forked.db", &["--batch-max-age-ms", "20"]);
    let other: Vec<Vec<Vec<u8>>> =
        (0..10).map(|c| (0..40).map(|i| attestation(&s, &format!("fork-{c}-{i}"))).collect()).collect();
    submit_concurrently(&forked.addr, &other);
    let out = monitor(&forked.addr);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("FORK"), "{}", String::from_utf8_lossy(&out.stderr));
    let evidence = std::fs::read(d.join("fork.json")).expect("fork evidence written");
    let v = attest_verifier::doc::parse_json(&evidence).expect("strict JSON");
    let e = attest_verifier::fork::parse_fork_evidence_value(&v).expect("fork evidence parses");
    attest_verifier::fork::check_fork(&e).expect("the verifier's fork check accepts it");
    // The saved state still holds the first history's checkpoint (not replaced by a fork).
    let state = std::fs::read_to_string(d.join("monitor.json")).expect("state");
    assert!(state.contains("\\n340\\n"), "{state}");
    // A log that shrinks is misbehaviour too (exit 1), and a bad key is refused (exit 1: its checkpoint does not verify).
    let stranger = attest_attestor::note::NoteSigner::new(ORIGIN, MasterSecret::from_bytes([7; 32]).master_ed25519())
        .expect("signer");
    let out = attest()
        .current_dir(d)
        .args(["ledger", "verify", "--url", &format!("http://{}", forked.addr)])
        .args(["--log-key", &stranger.verifier_key().to_string()])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    forked.terminate();
}

/// A full database (a 3 MiB tmpfs): submissions get 503 and `/readyz` 503,
/// nothing acknowledged is lost, and the ledger recovers when space returns.
/// Needs root (it mounts the tmpfs), as CI runs.
#[test]
fn a_full_disk_gives_503_and_loses_no_acknowledged_entry() {
    let (dir, s, vk) = world("ledger-full");
    let d = dir.path();
    let mnt = d.join("small");
    std::fs::create_dir_all(&mnt).expect("mkdir");
    let mount =
        Command::new("mount").args(["-t", "tmpfs", "-o", "size=3m", "tmpfs"]).arg(&mnt).output().expect("mount runs");
    assert!(
        mount.status.success(),
        "this test mounts a tmpfs and needs root: {}",
        String::from_utf8_lossy(&mount.stderr)
    );
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(mnt.clone());
    // Most of the space taken by a filler file, freed later.
    std::fs::write(mnt.join("filler"), vec![0u8; 2_300_000]).expect("filler");
    let db = format!("sqlite:{}", mnt.join("ledger.db").display());
    let server = Server::start_on(d, &db, &[]);
    let mut acked: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut refused = 0;
    for i in 0..2000 {
        let doc = attestation(&s, &format!("full-{i}"));
        let (status, r) = post(&server.addr, &doc);
        match status {
            201 => acked.push((r["index"].as_u64().expect("index"), canonical(&doc))),
            503 => {
                assert_eq!(r["code"], "unavailable", "{r}");
                refused += 1;
                if refused == 3 {
                    break;
                }
            }
            other => panic!("status {other}: {r}"),
        }
    }
    assert!(refused == 3 && !acked.is_empty(), "{} acknowledged, {refused} refused", acked.len());
    let (status, r) = get(&server.addr, "/readyz");
    assert_eq!(status, 503, "{r}");
    // Space again: the same process appends, and is ready.
    std::fs::remove_file(mnt.join("filler")).expect("free space");
    let doc = attestation(&s, "after-space-returned");
    let (status, r) = post(&server.addr, &doc);
    assert_eq!(status, 201, "{r}");
    acked.push((r["index"].as_u64().expect("index"), canonical(&doc)));
    assert_eq!(get(&server.addr, "/readyz").0, 200);
    drop(server); // kill -9
    let server = Server::start_on(d, &db, &[]);
    let cp = current_checkpoint(&server.addr, &vk);
    for (index, entry) in &acked {
        let (status, e) = get(&server.addr, &format!("/v1/entries/{index}"));
        assert_eq!(status, 200, "entry {index} lost: {e}");
        assert_eq!(digest(&e["leafHash"]), leaf_hash(entry));
    }
    assert_eq!(cp.size(), acked.len() as u64, "no entry beyond the acknowledged ones, none missing");
    eprintln!("{} acknowledged before the disk filled, then {refused} × 503", acked.len() - 1);
    server.terminate();
}

/// Heartbeat stream monitoring: `/v1/streams`, alerts to a webhook on each
/// transition (first seen, missing, recovered), metrics, and `attest gate
/// --ledger` verifying the ledger's heartbeats locally.
#[test]
fn streams_alerts_and_the_gate_from_the_ledger() {
    let (dir, w) = heartbeat_world("ledger-streams", 0x4e, Some(3));
    let d = dir.path();
    // The webhook: a loopback server that answers 200 and hands over each body.
    let hook = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let hook_addr = hook.local_addr().expect("addr");
    let (tx, alerts) = mpsc::channel::<serde_json::Value>();
    std::thread::spawn(move || {
        for conn in hook.incoming() {
            let Ok(mut c) = conn else { continue };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Headers, then Content-Length bytes of body.
            let body = loop {
                let Ok(n) = c.read(&mut chunk) else { break None };
                if n == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(i) = buf.windows(4).position(|x| x == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..i]).to_ascii_lowercase();
                    let len: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
                        .unwrap_or(0);
                    if buf.len() >= i + 4 + len {
                        break Some(buf[i + 4..i + 4 + len].to_vec());
                    }
                }
            };
            let _ = c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            if let Some(b) = body {
                let _ = tx.send(serde_json::from_slice(&b).unwrap_or(serde_json::Value::Null));
            }
        }
    });
    let server = Server::start(
        d,
        &[
            "--heartbeat-policy",
            "policy.json",
            "--alert-webhook",
            &format!("http://{hook_addr}/hook"),
            "--monitor-interval-ms",
            "200",
        ],
    );
    let next_alert = || alerts.recv_timeout(Duration::from_secs(15)).expect("an alert arrives");
    let t0 = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    let beats = w.boot("edge-1", "boot-1", 10, t0, 1).expect("heartbeats");
    for hb in &beats[..3] {
        let (status, r) = post(&server.addr, hb.as_bytes());
        assert_eq!(status, 201, "{r}");
    }
    let a = next_alert();
    assert_eq!(
        (a["type"].as_str(), a["stream"].as_str(), a["health"].as_str()),
        (Some("attest.stream-alert.v1"), Some("edge-1"), Some("healthy")),
        "{a}"
    );
    assert!(a["previous"].is_null(), "{a}");
    let (status, s) = get(&server.addr, "/v1/streams");
    assert_eq!(status, 200, "{s}");
    assert_eq!(
        (s["streams"][0]["stream"].as_str(), s["streams"][0]["count"].as_u64()),
        (Some("edge-1"), Some(3)),
        "{s}"
    );
    // No heartbeat for more than max_gap_seconds: missing.
    let a = next_alert();
    assert_eq!((a["health"].as_str(), a["previous"].as_str()), (Some("missing"), Some("healthy")), "{a}");
    assert!(a["gaps"].as_array().is_some_and(|g| g.iter().any(|g| g["open"] == true)), "{a}");
    let (_, one) = get(&server.addr, "/v1/streams/edge-1");
    assert_eq!(one["stream"]["health"], "missing", "{one}");
    assert_eq!(get(&server.addr, "/v1/streams/nope").0, 404);
    // The stream's next heartbeats: recovered.
    for hb in &beats[3..] {
        let (status, r) = post(&server.addr, hb.as_bytes());
        assert_eq!(status, 201, "{r}");
    }
    let a = next_alert();
    assert_eq!((a["health"].as_str(), a["previous"].as_str()), (Some("healthy"), Some("missing")), "{a}");
    let gate = || {
        attest()
            .current_dir(d)
            .args(["gate", "--ledger", &format!("http://{}", server.addr), "--window", "5s", "--stream", "edge-1"])
            .args(["--trust-root", "trust-root.json", "--root-key", "root.pub", "--heartbeat-policy", "policy.json"])
            .args(["--no-state"])
            .output()
            .expect("runs")
    };
    let out = gate();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, m) = http(&server.addr, "GET", "/metrics", b"").expect("metrics");
    let m = String::from_utf8_lossy(&m);
    // An independent Prometheus text-format parser reads the exposition.
    let scrape = prometheus_parse::Scrape::parse(m.lines().map(|l| Ok(l.to_string()))).expect("the exposition parses");
    let value = |name: &str, labels: &[(&str, &str)]| {
        scrape.samples.iter().find(|x| x.metric == name && labels.iter().all(|(k, v)| x.labels.get(k) == Some(*v))).map(
            |x| match x.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => v,
                _ => f64::NAN,
            },
        )
    };
    assert_eq!(value("attest_ledger_alerts_sent_total", &[]), Some(3.0), "{m}");
    assert_eq!(value("attest_ledger_alerts_failed_total", &[]), Some(0.0), "{m}");
    assert_eq!(
        value("attest_ledger_heartbeats_total", &[("stream", "edge-1"), ("result", "on-time")]),
        Some(10.0),
        "{m}"
    );
    assert_eq!(value("attest_ledger_stream_health", &[("stream", "edge-1"), ("health", "healthy")]), Some(1.0), "{m}");
    assert_eq!(value("attest_ledger_stream_health", &[("stream", "edge-1"), ("health", "missing")]), Some(0.0), "{m}");
    assert_eq!(value("attest_ledger_tree_size", &[]), Some(10.0), "{m}");
    assert_eq!(
        value("attest_ledger_entries_appended_total", &[("type", "attest.runtime-heartbeat.v1")]),
        Some(10.0),
        "{m}"
    );
    assert!(
        value("attest_ledger_stream_last_heartbeat_timestamp_seconds", &[("stream", "edge-1")])
            .is_some_and(|t| t > 1.7e9),
        "{m}"
    );
    assert!(m.contains("attest_ledger_alerts_sent_total 3"), "{m}");
    assert!(m.contains("attest_ledger_heartbeats_total{stream=\"edge-1\",result=\"on-time\"} 10"), "{m}");
    assert!(m.contains("attest_ledger_stream_last_heartbeat_timestamp_seconds{stream=\"edge-1\"}"), "{m}");
    // Missing again: the gate from the ledger fails (exit 1).
    let a = next_alert();
    assert_eq!(a["health"].as_str(), Some("missing"), "{a}");
    let out = gate();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("GATE FAIL"), "{}", String::from_utf8_lossy(&out.stdout));
    server.terminate();
}

/// `GET /v1/search`: by member, by time, a page at a time.
#[test]
fn search_finds_entries_by_member_and_pages_through_them() {
    let (dir, s, _vk) = world("ledger-search");
    let server = Server::start(dir.path(), &[]);
    for i in 0..7 {
        let (status, r) = post(&server.addr, &attestation(&s, &format!("search-{i}")));
        assert_eq!(status, 201, "{r}");
    }
    let (status, r) = get(&server.addr, "/v1/search?executionId=search-4");
    assert_eq!(status, 200, "{r}");
    let e = &r["entries"];
    assert_eq!((e.as_array().map(Vec::len), e[0]["index"].as_u64()), (Some(1), Some(4)), "{r}");
    assert_eq!(e[0]["type"], "attest.execution-attestation.v1");
    assert!(e[0]["signerKeyId"].as_str().is_some_and(|k| k.len() == 64) && e[0]["time"].is_string(), "{r}");
    assert!(r["nextCursor"].is_null());
    // Pages of 3: 0-2, 3-5, 6.
    let mut cursor = Some(0u64);
    let mut seen = Vec::new();
    while let Some(c) = cursor {
        let (status, page) =
            get(&server.addr, &format!("/v1/search?type=attest.execution-attestation.v1&limit=3&cursor={c}"));
        assert_eq!(status, 200, "{page}");
        seen.extend(page["entries"].as_array().expect("entries").iter().map(|e| e["index"].as_u64().expect("index")));
        cursor = page["nextCursor"].as_u64();
    }
    assert_eq!(seen, (0..7).collect::<Vec<u64>>());
    let time = e[0]["time"].as_str().expect("time").to_string();
    let (_, later) = get(&server.addr, &format!("/v1/search?since={}&limit=10", time.replace(':', "%3A")));
    assert_eq!(
        later["entries"].as_array().map(Vec::len),
        Some(7),
        "every attestation of the example world has one issuedAt"
    );
    let (_, none) = get(&server.addr, &format!("/v1/search?until={}", time.replace(':', "%3A")));
    assert_eq!(none["entries"].as_array().map(Vec::len), Some(0), "{none}");
    for bad in ["limit=0", "limit=1001", "cursor=01", "since=yesterday", "colour=red", "type=a&type=b"] {
        let (status, r) = get(&server.addr, &format!("/v1/search?{bad}"));
        assert_eq!((status, r["code"].as_str()), (400, Some("bad-parameter")), "{bad}: {r}");
    }
    server.terminate();
}

/// `--tls-cert/--tls-key`: HTTPS with rustls; a non-loopback plain listener
/// is refused; a client that sends no complete headers is cut off.
#[test]
fn tls_plaintext_refusal_and_header_timeout() {
    use rustls::pki_types::{CertificateDer, ServerName};
    let (dir, s, _vk) = world("ledger-tls");
    let d = dir.path();
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).expect("certificate");
    std::fs::write(d.join("cert.pem"), ck.cert.pem()).expect("write");
    std::fs::write(d.join("key.pem"), ck.signing_key.serialize_pem()).expect("write");
    // Not loopback, no TLS: refused before anything starts.
    let out = attest()
        .current_dir(d)
        .args(["ledger", "serve", "--db", "sqlite:ledger.db", "--origin", ORIGIN, "--key", "log.secret"])
        .args(["--trust-root", "trust-root.json", "--root-key", "root.pub", "--listen", "0.0.0.0:0"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tls-cert"), "{}", String::from_utf8_lossy(&out.stderr));
    // HTTPS.
    let mut child = attest()
        .current_dir(d)
        .args(["ledger", "serve", "--db", "sqlite:ledger.db", "--origin", ORIGIN, "--key", "log.secret"])
        .args(["--trust-root", "trust-root.json", "--root-key", "root.pub", "--listen", "127.0.0.1:0"])
        .args(["--tls-cert", "cert.pem", "--tls-key", "key.pem"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("line");
    let addr = line.trim().strip_prefix("listening on https://").expect("an https listener").to_string();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(ck.cert.der().to_vec())).expect("root");
    let cfg = std::sync::Arc::new(
        rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_no_client_auth(),
    );
    let doc = attestation(&s, "over-tls");
    let conn = rustls::ClientConnection::new(cfg, ServerName::try_from("localhost").expect("name")).expect("client");
    let mut tls = rustls::StreamOwned::new(conn, TcpStream::connect(&addr).expect("connect"));
    let head = format!(
        "POST /v1/entries HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        doc.len()
    );
    tls.write_all(head.as_bytes()).and_then(|()| tls.write_all(&doc)).expect("write");
    let mut resp = Vec::new();
    let _ = tls.read_to_end(&mut resp);
    let resp = String::from_utf8_lossy(&resp);
    assert!(resp.starts_with("HTTP/1.1 201"), "{resp}");
    // Plain HTTP to the TLS port gets no HTTP answer.
    assert!(http(&addr, "GET", "/healthz", b"").map_or(true, |(status, _)| status != 200));
    // Half a request line, then silence: the ledger closes the connection within its header timeout (10 s).
    let mut slow = TcpStream::connect(&addr).expect("connect");
    slow.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    let started = Instant::now();
    slow.write_all(b"\x16\x03\x01").expect("write");
    let mut buf = [0u8; 64];
    let _ = slow.read(&mut buf);
    assert!(started.elapsed() < Duration::from_secs(15), "not cut off: {:?}", started.elapsed());
    let _ = child.kill();
    let _ = child.wait();
    // The plain listener: headers that never finish are cut off too.
    let server = Server::start(d, &[]);
    let mut slow = TcpStream::connect(&server.addr).expect("connect");
    slow.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    let started = Instant::now();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").expect("write");
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(9) && waited < Duration::from_secs(15), "closed after {waited:?}");
    server.terminate();
}

/// The database turns read-only, then goes away and comes back
/// (PostgreSQL `default_transaction_read_only`, then stopped and started):
/// submissions get 503 and `/readyz` 503 meanwhile, nothing acknowledged is
/// lost, and the ledger recovers and reconnects by itself.
#[test]
fn a_database_outage_is_503_and_the_ledger_reconnects() {
    let pg = PgCluster::start().expect("a throwaway PostgreSQL cluster");
    let url = pg.create_database("outage").expect("database");
    let (dir, s, vk) = world("ledger-outage");
    let server = Server::start_on(dir.path(), &url, &[]);
    let mut acked = Vec::new();
    for i in 0..5 {
        let doc = attestation(&s, &format!("outage-{i}"));
        let (status, r) = post(&server.addr, &doc);
        assert_eq!(status, 201, "{r}");
        acked.push((r["index"].as_u64().expect("index"), canonical(&doc)));
    }
    assert_eq!(get(&server.addr, "/readyz").0, 200);
    // A read-only database: 503 unavailable, then writable again.
    let admin = |sql: &str| {
        let mut c = postgres::Client::connect(&pg.url("postgres"), postgres::NoTls).expect("admin connection");
        c.batch_execute(sql).expect("admin statement");
        c.batch_execute("SELECT pg_reload_conf()").expect("reload");
    };
    admin("ALTER SYSTEM SET default_transaction_read_only = on");
    let deadline = Instant::now() + Duration::from_secs(15);
    // A new document each attempt (a resubmitted one would answer 200, not 201).
    for attempt in 0u32.. {
        let (status, r) = post(&server.addr, &attestation(&s, &format!("read-only-{attempt}")));
        if status == 503 {
            assert_eq!(r["code"], "unavailable", "{r}");
            break;
        }
        assert_eq!(status, 201, "{r}");
        acked.push((r["index"].as_u64().expect("index"), Vec::new()));
        assert!(Instant::now() < deadline, "the read-only setting never took effect");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(get(&server.addr, "/readyz").0, 503);
    admin("ALTER SYSTEM RESET default_transaction_read_only");
    let deadline = Instant::now() + Duration::from_secs(15);
    for attempt in 0u32.. {
        let doc = attestation(&s, &format!("writable-{attempt}"));
        let (status, r) = post(&server.addr, &doc);
        if status == 201 {
            acked.push((r["index"].as_u64().expect("index"), canonical(&doc)));
            break;
        }
        assert_eq!(status, 503, "{r}");
        assert!(Instant::now() < deadline, "still read-only");
        std::thread::sleep(Duration::from_millis(100));
    }
    pg.stop().expect("stop PostgreSQL");
    let (status, r) = post(&server.addr, &attestation(&s, "during-outage"));
    assert_eq!((status, r["code"].as_str()), (503, Some("unavailable")), "{r}");
    let deadline = Instant::now() + Duration::from_secs(15);
    while get(&server.addr, "/readyz").0 != 503 {
        assert!(Instant::now() < deadline, "/readyz stayed 200 with the database down");
        std::thread::sleep(Duration::from_millis(200));
    }
    pg.restart().unwrap_or_else(|e| panic!("{e}\n{}", pg.server_log()));
    let doc = attestation(&s, "after-outage");
    let (status, r) = post(&server.addr, &doc);
    assert_eq!(status, 201, "reconnected: {r}");
    acked.push((r["index"].as_u64().expect("index"), canonical(&doc)));
    let deadline = Instant::now() + Duration::from_secs(15);
    while get(&server.addr, "/readyz").0 != 200 {
        assert!(Instant::now() < deadline, "/readyz did not recover");
        std::thread::sleep(Duration::from_millis(200));
    }
    let cp = current_checkpoint(&server.addr, &vk);
    assert_eq!(cp.size(), acked.len() as u64, "every acknowledged entry, no other");
    for (index, entry) in &acked {
        let (status, e) = get(&server.addr, &format!("/v1/entries/{index}"));
        assert_eq!(status, 200, "{e}");
        if !entry.is_empty() {
            assert_eq!(digest(&e["leafHash"]), leaf_hash(entry));
        }
    }
    server.terminate();
}

/// `attest ledger rejected`: the refused submissions, from the database.
#[test]
fn refused_submissions_are_queryable_from_the_database() {
    let (dir, _s, _vk) = world("ledger-rejected");
    let d = dir.path();
    let server = Server::start(d, &[]);
    let other = Scenario::new("elsewhere").expect("scenario");
    let (status, _) = post(&server.addr, &attestation(&other, "x"));
    assert_eq!(status, 422);
    assert_eq!(post(&server.addr, b"{not json").0, 400, "malformed: not stored");
    let out = attest()
        .current_dir(d)
        .args(["ledger", "rejected", "--db", "sqlite:ledger.db", "--format", "json"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["type"], "attest.execution-attestation.v1");
    assert!(rows[0]["check"].is_string() && rows[0]["report"]["valid"] == false, "{}", rows[0]);
    assert!(rows[0]["bodyBase64"].as_str().is_some_and(|b| !b.is_empty()));
    let out = attest().current_dir(d).args(["ledger", "rejected", "--db", "sqlite:ledger.db"]).output().expect("runs");
    assert!(
        String::from_utf8_lossy(&out.stdout).ends_with("1 refused submission(s)\n"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    server.terminate();
}

const PKI_QUOTE: &[u8] = include_bytes!("../../tee-verifier/test-pki/tdx-bound.quote");
const PKI_NONCE_QUOTE: &[u8] = include_bytes!("../../tee-verifier/test-pki/tdx-bound-nonce.quote");
const PKI_COLLATERAL: &str = include_str!("../../tee-verifier/test-pki/tdx-collateral.json");
const PKI_ROOT: &[u8] = include_bytes!("../../tee-verifier/test-pki/root-ca.pem");
/// The test PKI's TD under a policy whose bindings vouch for ten years: the
/// quote is checked at `boundAt` (inside its collateral's window), the
/// binding's age and the documents' times at the real clock of the ledger.
const TEN_YEAR_POLICY: &str = r#"{"name":"td","platform":"tdx","tdx":{"rtmr3":"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"},"allowedTcbStatus":["UpToDate"],"allowPlatformFlags":["dynamic-platform","cached-keys","smt"],"maxBindingAgeSeconds":315360000}"#;

/// The first failing check of a 422 answer: (check id, reason).
fn refusal(body: &serde_json::Value) -> (String, String) {
    let c = body["report"]["checks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["status"] == "fail"))
        .cloned()
        .unwrap_or_default();
    (c["id"].as_str().unwrap_or("").into(), c["reason"].as_str().unwrap_or("").into())
}

/// A trust root whose runtime key is TEE-bound (the key the test PKI's quotes
/// bind) under [`TEN_YEAR_POLICY`], written into `d` with the root key, a log
/// key and the test root CA; makes bindings and attestations by that key.
struct TeeWorld {
    runtime: MasterSecret,
    collateral: attest_json::Value,
    scenario: Scenario,
}

impl TeeWorld {
    fn new(d: &Path) -> TeeWorld {
        use attest_attestor::trust_root::{KeyMaterial, KeySpec, TrustRootDraft};
        use attest_verifier::trust_root::Role;
        use sha2::Digest as _;
        let root = MasterSecret::from_bytes([0x52; 32]);
        let runtime = MasterSecret::from_bytes(sha2::Sha256::digest(b"attest.vectors.tee.runtime").into());
        let t0 = ts("2025-01-01T00:00:00Z");
        let mut draft = TrustRootDraft::first(t0, ts("2045-01-01T00:00:00Z"), 1);
        for (k, role) in [(&root, Role::Root), (&runtime, Role::Runtime)] {
            let key = KeyMaterial::ed25519(&k.master_ed25519());
            let spec = KeySpec { key, roles: vec![role], valid_from: t0, valid_until: None, label: None };
            draft.add_key(&spec).expect("key");
        }
        let policy = attest_verifier::doc::parse_json(TEN_YEAR_POLICY.as_bytes()).expect("policy");
        draft.add_tee_policy(policy).expect("policy");
        draft.set_key_tee_policy(&runtime.master_ed25519().key_id().to_hex(), "td").expect("tee key");
        std::fs::write(d.join("trust-root.json"), to_pretty(&draft.sign(&[&root.master_ed25519()]))).expect("write");
        std::fs::write(d.join("root.pub"), format!("{}\n", root.master_ed25519().public_key())).expect("write");
        let log = MasterSecret::from_bytes([0x4c; 32]).to_hex();
        std::fs::write(d.join("log.secret"), format!("{log}\n")).expect("write");
        std::fs::write(d.join("test-root.pem"), PKI_ROOT).expect("write");
        let collateral = attest_verifier::doc::parse_json(PKI_COLLATERAL.as_bytes()).expect("collateral");
        TeeWorld { runtime, collateral, scenario: Scenario::new("ledger-tee").expect("scenario") }
    }

    /// A binding of the runtime key with `quote` at 2026-11-21T10:00:00Z.
    fn binding(&self, quote: &[u8]) -> Vec<u8> {
        self.binding_at(quote, "2026-11-21T10:00:00Z")
    }

    /// A binding of the runtime key with `quote` at `at` (inside the test PKI collateral's window).
    fn binding_at(&self, quote: &[u8], at: &str) -> Vec<u8> {
        let pk = self.runtime.master_ed25519().public_key();
        let at = ts(at);
        let b = attest_attestor::tee::binding(
            pk.as_bytes(),
            attest_verifier::tee::TeePlatform::Tdx,
            at,
            quote,
            self.collateral.clone(),
            None,
        );
        to_pretty(&b).into_bytes()
    }

    /// An attestation by the runtime key, issued a minute ago (the real clock).
    fn attestation(&self, id: &str) -> Vec<u8> {
        let mut a = self.scenario.draft(id).expect("draft");
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
        a.issued_at = attest_verifier::Timestamp::from_unix(now as i64 - 60, 0);
        to_pretty(&a.sign_with_runtime(&self.runtime.master_ed25519(), None).expect("sign")).into_bytes()
    }
}

fn ts(s: &str) -> attest_verifier::Timestamp {
    attest_verifier::Timestamp::parse(s).expect("time")
}

#[test]
fn tee_bound_keys_verify_against_logged_bindings_which_survive_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let w = TeeWorld::new(d);
    let binding = |q: &[u8]| w.binding(q);
    let attestation = |id: &str| w.attestation(id);
    let runtime = &w.runtime;

    let server = Server::start(d, &["--tee-root-ca", "test-root.pem"]);
    let a1 = attestation("tee-1");
    // No binding logged yet: refused before anything is stored.
    let (st, body) = post(&server.addr, &a1);
    assert_eq!((st, refusal(&body)), (422, ("tee".into(), "tee-binding-missing".into())), "{body}");
    // A binding whose quote does not bind the key (the nonce quote, no nonce): refused.
    let (st, body) = post(&server.addr, &binding(PKI_NONCE_QUOTE));
    assert_eq!((st, refusal(&body)), (422, ("tee".into(), "report-data-mismatch".into())), "{body}");
    let (st, body) = post(&server.addr, &a1);
    assert_eq!(refusal(&body).1, "tee-binding-missing", "a refused binding is not kept: {st} {body}");
    // The binding: verified alone (quote at boundAt under the test root, age now) and logged.
    let (st, body) = post(&server.addr, &binding(PKI_QUOTE));
    assert_eq!(st, 201, "{body}");
    let (st, body) = post(&server.addr, &a1);
    assert_eq!(st, 201, "an attestation by the bound key, with the logged binding: {body}");
    // Re-bound later (a newer boundAt): kept too, tried first for later documents.
    let (st, body) = post(&server.addr, &w.binding_at(PKI_QUOTE, "2026-11-25T00:00:00Z"));
    assert_eq!(st, 201, "{body}");
    // The same binding again (a retry): 200, kept once.
    let (st, body) = post(&server.addr, &w.binding_at(PKI_QUOTE, "2026-11-25T00:00:00Z"));
    assert_eq!(st, 200, "{body}");
    // The binding is an entry, found by its key and boundAt; the refused one is not.
    let key_id = runtime.master_ed25519().key_id().to_hex();
    let (st, search) = get(&server.addr, &format!("/v1/search?type=attest.tee-binding.v1&signerKeyId={key_id}"));
    let found = search["entries"].as_array().cloned().unwrap_or_default();
    assert_eq!((st, found.len()), (200, 2), "{search}");
    assert_eq!(found[0]["time"], "2026-11-21T10:00:00Z", "{search}");
    server.terminate();

    // Restarted: the bindings are read back from the log.
    let server = Server::start(d, &["--tee-root-ca", "test-root.pem"]);
    let (st, body) = post(&server.addr, &attestation("tee-2"));
    assert_eq!(st, 201, "after a restart: {body}");
    let (st, metrics) = http(&server.addr, "GET", "/metrics", b"").expect("metrics");
    let metrics = String::from_utf8_lossy(&metrics).to_string();
    assert!(st == 200 && metrics.lines().any(|l| l == "attest_ledger_tee_bindings 2"), "{metrics}");
    server.terminate();

    // Under Intel's root (no --tee-root-ca) the test PKI's binding is refused, and so
    // is a document by the bound key on a fresh log.
    let server = Server::start_on(d, "sqlite:intel.db", &[]);
    let (st, body) = post(&server.addr, &binding(PKI_QUOTE));
    assert_eq!((st, refusal(&body)), (422, ("tee".into(), "bad-collateral-signature".into())), "{body}");
    let (st, body) = post(&server.addr, &attestation("tee-3"));
    assert_eq!((st, refusal(&body).1.as_str()), (422, "tee-binding-missing"), "{body}");
    // A bad --tee-root-ca is refused at start, naming the file.
    std::fs::write(d.join("bad-root.pem"), "-----BEGIN CERTIFICATE-----\nnot base64!\n").expect("write");
    let out = attest()
        .current_dir(d)
        .args(["ledger", "serve", "--db", "sqlite:bad.db", "--origin", ORIGIN, "--key", "log.secret"])
        .args(["--trust-root", "trust-root.json", "--root-key", "root.pub", "--listen", "127.0.0.1:0"])
        .args(["--tee-root-ca", "bad-root.pem"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad-root.pem"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_binding_logged_by_one_ledger_process_serves_the_other_on_one_postgres_database() {
    let pg = PgCluster::start().expect("a throwaway PostgreSQL cluster");
    let url = pg.create_database("tee").expect("database");
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let w = TeeWorld::new(d);
    let a = Server::start_on(d, &url, &["--tee-root-ca", "test-root.pem"]);
    let b = Server::start_on(d, &url, &["--tee-root-ca", "test-root.pem"]);
    let (st, body) = post(&b.addr, &w.attestation("pg-0"));
    assert_eq!((st, refusal(&body).1.as_str()), (422, "tee-binding-missing"), "{body}");
    // Logged through A; B kept nothing, reads the store on the miss and verifies once more.
    let (st, body) = post(&a.addr, &w.binding(PKI_QUOTE));
    assert_eq!(st, 201, "{body}");
    let (st, body) = post(&b.addr, &w.attestation("pg-1"));
    assert_eq!(st, 201, "B, with the binding A logged: {body}");
    let (st, body) = post(&a.addr, &w.attestation("pg-2"));
    assert_eq!(st, 201, "{body}");
    a.terminate();
    b.terminate();
}
