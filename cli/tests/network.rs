//! `attest fetch` and `attest network …` end to end, against HTTPS (and
//! plain HTTP) servers this test starts on 127.0.0.1 with certificates it
//! generates. Nothing here talks to any other address.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use attest_verifier::crypto::sha256;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::Value;

const PRICE: &[u8] = br#"{"price":3150.25}"#;

fn attest(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_attest")).args(args).output().expect("run attest")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited with a code")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Requests the server saw: (path, headers as sent).
type Seen = Arc<Mutex<Vec<(String, Vec<(String, String)>)>>>;

/// Reads one request head, returns (path, headers).
fn read_request<S: Read>(s: &mut S) -> Option<(String, Vec<(String, String)>)> {
    let mut buf = Vec::new();
    let mut b = [0u8; 4096];
    loop {
        let mut slots = [httparse::EMPTY_HEADER; 64];
        let mut req = httparse::Request::new(&mut slots);
        if let Ok(httparse::Status::Complete(_)) = req.parse(&buf) {
            let headers = req.headers.iter().map(|h| (h.name.to_string(), text(h.value))).collect();
            return Some((req.path.unwrap_or("").to_string(), headers));
        }
        let n = s.read(&mut b).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&b[..n]);
    }
}

fn respond<S: Write>(s: &mut S, path: &str) {
    let _ = match path {
        "/chunked" => s.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n",
        ),
        _ => {
            let mut r = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nSet-Cookie: session=s3cr3t\r\nContent-Length: {}\r\n\r\n",
                PRICE.len()
            )
            .into_bytes();
            r.extend_from_slice(PRICE);
            s.write_all(&r)
        }
    };
    let _ = s.flush();
}

struct Server {
    port: u16,
    cert_pem: String,
    cert_der: Vec<u8>,
    seen: Seen,
}

/// An HTTPS server on 127.0.0.1 with a fresh self-signed certificate for
/// `localhost` and `127.0.0.1`; it serves connections until the test ends.
fn https_server() -> Server {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).expect("certificate");
    let cert_der = ck.cert.der().to_vec();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(vec![CertificateDer::from(cert_der.clone())], key)
            .expect("server config"),
    );
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen: Seen = Arc::default();
    let seen2 = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(tcp) = stream else { continue };
            let config = config.clone();
            let seen = seen2.clone();
            std::thread::spawn(move || {
                let Ok(conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                if let Some((path, headers)) = read_request(&mut tls) {
                    seen.lock().expect("lock").push((path.clone(), headers));
                    respond(&mut tls, &path);
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                }
            });
        }
    });
    Server { port, cert_pem: ck.cert.pem(), cert_der, seen }
}

/// A plain HTTP server on 127.0.0.1.
fn http_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut tcp) = stream else { continue };
            if let Some((path, _)) = read_request(&mut tcp) {
                respond(&mut tcp, &path);
            }
        }
    });
    port
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path).expect("log").lines().map(|l| serde_json::from_str(l).expect("json line")).collect()
}

fn header<'a>(record: &'a Value, name: &str) -> Option<&'a Value> {
    record["headers"].as_array()?.iter().find(|h| h[0] == name).map(|h| &h[1])
}

struct Fetched {
    dir: tempfile::TempDir,
    server: Server,
    hash: String,
}

impl Fetched {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn fetch_price(exec: &str) -> Fetched {
    let server = https_server();
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = dir.path().join("cert.pem");
    std::fs::write(&ca, &server.cert_pem).expect("write cert");
    let out = dir.path().join("out");
    let url = format!("https://localhost:{}/price", server.port);
    let o = attest(&[
        "fetch",
        &url,
        "--ca-cert",
        p(&ca),
        "--redact",
        "authorization",
        "--redact",
        "Set-Cookie",
        "--header",
        "authorization: Bearer x",
        "--header",
        "Accept: application/json",
        "--execution-id",
        exec,
        "--out-dir",
        p(&out),
    ]);
    assert_eq!(code(&o), 0, "stderr: {}", text(&o.stderr));
    let hash = text(&o.stdout).trim().to_string();
    assert_eq!(hash.len(), 64, "stdout: {hash}");
    Fetched { dir, server, hash }
}

#[test]
fn fetch_records_an_https_exchange_and_the_network_commands_check_it() {
    let exec = "exec-net-1";
    let f = fetch_price(exec);
    let out = f.path("out");
    let log_path = out.join("network.jsonl");

    // The log parses; a dns record for localhost comes first.
    let recs = lines(&log_path);
    let dns: Vec<&Value> = recs.iter().filter(|r| r["kind"] == "dns").collect();
    assert!(!dns.is_empty());
    assert!(dns.iter().all(|d| d["name"] == "localhost" && d["resolver"] == "system"));
    assert!(dns.iter().any(|d| d["answers"].as_array().unwrap().iter().any(|a| a == "127.0.0.1")));
    let req_i = recs.iter().position(|r| r["kind"] == "request").unwrap();
    assert_eq!(req_i, dns.len());
    let req = &recs[req_i];
    let resp = &recs[req_i + 1];
    assert_eq!(recs.len(), req_i + 2);
    assert_eq!(req["method"], "GET");
    assert_eq!(req["url"], format!("https://localhost:{}/price", f.server.port));
    assert_eq!(req["bodySha256"], sha256(b"").to_hex());

    // Redacted in the log, sent in clear.
    let auth = header(req, "authorization").unwrap();
    assert_eq!(auth, &serde_json::json!({"sha256": sha256(b"Bearer x").to_hex()}));
    assert_eq!(header(req, "accept").unwrap(), "application/json");
    let seen = f.server.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].1.iter().any(|(n, v)| n.eq_ignore_ascii_case("authorization") && v == "Bearer x"));
    let raw = std::fs::read_to_string(&log_path).unwrap();
    assert!(!raw.contains("Bearer x") && !raw.contains("s3cr3t"));

    // Response, body, TLS facts.
    assert_eq!(resp["requestSeq"], req_i);
    assert_eq!(resp["status"], 200);
    assert_eq!(resp["bodySha256"], sha256(PRICE).to_hex());
    assert_eq!(header(resp, "set-cookie").unwrap(), &serde_json::json!({"sha256": sha256(b"session=s3cr3t").to_hex()}));
    let tls = &resp["tls"];
    assert_eq!(tls["peerCertificateSha256"], sha256(&f.server.cert_der).to_hex());
    assert_eq!(tls["version"], "TLSv1.3");
    assert!(tls["cipherSuite"].as_str().unwrap().starts_with("TLS_"));
    assert_eq!(tls["serverName"], "localhost");
    assert_eq!(std::fs::read(out.join("body")).unwrap(), PRICE);

    // Every line is canonical JSON.
    for line in raw.lines() {
        let v = attest_verifier::doc::parse_json(line.as_bytes()).unwrap();
        assert_eq!(attest_json::to_canonical_string(&v), line);
    }

    // summarize reproduces summary.json and the printed hash.
    let summary_path = out.join("summary.json");
    let o = attest(&["network", "summarize", p(&log_path), "--execution-id", exec]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), std::fs::read_to_string(&summary_path).unwrap());
    assert!(text(&o.stderr).contains(&f.hash));
    let summary: Value = serde_json::from_slice(&std::fs::read(&summary_path).unwrap()).unwrap();
    assert_eq!(summary["executionId"], exec);
    assert_eq!(summary["hosts"], serde_json::json!(["localhost"]));
    assert_eq!(summary["records"], recs.len());
    let o = attest(&["network", "summarize", p(&log_path), "--execution-id", exec, "--out", p(&f.path("s2.json"))]);
    assert_eq!(code(&o), 0);
    assert_eq!(text(&o.stdout).trim(), f.hash);

    // prove + verify-proof.
    let proof = f.path("proof.json");
    let seq = req_i.to_string();
    let o = attest(&["network", "prove", p(&log_path), "--seq", &seq, "--out", p(&proof)]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let o = attest(&["network", "verify-proof", p(&proof), "--summary", p(&summary_path)]);
    assert_eq!(code(&o), 0, "{}{}", text(&o.stdout), text(&o.stderr));
    let root = summary["root"].as_str().unwrap();
    let o = attest(&["network", "verify-proof", p(&proof), "--root", root]);
    assert_eq!(code(&o), 0);
    // Proof to stdout is the same document.
    let o = attest(&["network", "prove", p(&log_path), "--seq", &seq]);
    assert_eq!(code(&o), 0);
    assert_eq!(text(&o.stdout), std::fs::read_to_string(&proof).unwrap());
    // The record in the proof is the redacted record.
    let doc: Value = serde_json::from_slice(&std::fs::read(&proof).unwrap()).unwrap();
    assert_eq!(doc["type"], "attest.network-record-proof.v1");
    assert_eq!(&doc["record"], req);

    // Tampering: a changed record, a changed path hash, a wrong root, a wrong tree size.
    let tamper = |name: &str, f2: &dyn Fn(&mut Value)| {
        let mut d = doc.clone();
        f2(&mut d);
        let path = f.path(name);
        std::fs::write(&path, serde_json::to_vec(&d).unwrap()).unwrap();
        path
    };
    let bad_record = tamper("t1.json", &|d| d["record"]["method"] = "POST".into());
    let o = attest(&["network", "verify-proof", p(&bad_record), "--summary", p(&summary_path)]);
    assert_eq!(code(&o), 1, "{}", text(&o.stdout));
    let bad_path = tamper("t2.json", &|d| d["path"][0] = sha256(b"x").to_hex().into());
    let o = attest(&["network", "verify-proof", p(&bad_path), "--summary", p(&summary_path)]);
    assert_eq!(code(&o), 1);
    let bad_size = tamper("t3.json", &|d| {
        d["treeSize"] = (recs.len() + 1).into();
    });
    let o = attest(&["network", "verify-proof", p(&bad_size), "--summary", p(&summary_path)]);
    assert_eq!(code(&o), 1);
    let o = attest(&["network", "verify-proof", p(&proof), "--root", &sha256(b"r").to_hex()]);
    assert_eq!(code(&o), 1);
    let bad_json = f.path("t4.json");
    std::fs::write(&bad_json, b"{\"type\":").unwrap();
    let o = attest(&["network", "verify-proof", p(&bad_json), "--root", root]);
    assert_eq!(code(&o), 1);
    // Could not check: bad --root, missing file, neither option.
    let o = attest(&["network", "verify-proof", p(&proof), "--root", "XYZ"]);
    assert_eq!(code(&o), 2);
    let o = attest(&["network", "verify-proof", p(&f.path("missing.json")), "--root", root]);
    assert_eq!(code(&o), 2);
    assert!(text(&o.stderr).contains("missing.json"));
    let o = attest(&["network", "verify-proof", p(&proof)]);
    assert_eq!(code(&o), 2);
    let o = attest(&["network", "prove", p(&log_path), "--seq", "99"]);
    assert_eq!(code(&o), 2);
    assert!(text(&o.stderr).contains("--seq 99"));

    // End to end: an attestation binding networkSummaryHash verifies with --network.
    let s = attest_attestor::scenario::Scenario::new("net").unwrap();
    let mut d = s.draft(exec).unwrap();
    d.network_summary_hash = Some(attest_verifier::types::Sha256Digest::from_hex(&f.hash).unwrap());
    let att = d.sign_with_runtime(&s.runtime.master_ed25519(), None).unwrap();
    let att_path = f.path("attestation.json");
    std::fs::write(&att_path, attest_attestor::json::to_pretty(&att)).unwrap();
    let tr = f.path("trust-root.json");
    std::fs::write(&tr, attest_attestor::json::to_pretty(&s.trust_root)).unwrap();
    let rk = f.path("root.key");
    std::fs::write(&rk, s.root_key_line()).unwrap();
    let verify = |extra: &[&str]| {
        let mut args = vec![
            "verify",
            "--no-state",
            p(&att_path),
            "--trust-root",
            p(&tr),
            "--root-key",
            p(&rk),
            "--network",
            p(&log_path),
            "--now",
            "2026-11-21T12:00:00Z",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        attest(&args)
    };
    let o = verify(&[]);
    assert_eq!(code(&o), 0, "{}", text(&o.stdout));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let net = report["checks"].as_array().unwrap().iter().find(|c| c["id"] == "network").unwrap();
    assert_eq!(net["status"], "pass");
    let o = verify(&["--allow-host", "localhost"]);
    assert_eq!(code(&o), 0);
    let o = verify(&["--allow-host", "other"]);
    assert_eq!(code(&o), 1, "{}", text(&o.stdout));
    assert!(text(&o.stdout).contains("allow-host"));
    // A log edited after signing no longer verifies.
    let edited = f.path("edited.jsonl");
    std::fs::write(&edited, raw.replace("\"status\":200", "\"status\":201")).unwrap();
    let o = attest(&[
        "verify",
        "--no-state",
        p(&att_path),
        "--trust-root",
        p(&tr),
        "--root-key",
        p(&rk),
        "--network",
        p(&edited),
        "--now",
        "2026-11-21T12:00:00Z",
    ]);
    assert_eq!(code(&o), 1);
}

#[test]
fn fetch_decodes_chunked_bodies_and_ip_literals_need_no_dns() {
    let server = https_server();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("cert.pem");
    std::fs::write(&ca, &server.cert_pem).unwrap();
    let url = format!("https://127.0.0.1:{}/chunked", server.port);
    let o = attest(&["fetch", &url, "--ca-cert", p(&ca), "--out-dir", p(dir.path())]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert_eq!(std::fs::read(dir.path().join("body")).unwrap(), b"hello world");
    let recs = lines(&dir.path().join("network.jsonl"));
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["kind"], "request");
    assert_eq!(recs[1]["tls"]["serverName"], "");
    assert_eq!(recs[1]["bodySha256"], sha256(b"hello world").to_hex());
    // A random UUID executionId by default.
    let summary: Value = serde_json::from_slice(&std::fs::read(dir.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["executionId"].as_str().unwrap().len(), 36);
    assert_eq!(summary["hosts"], serde_json::json!(["127.0.0.1"]));
}

#[test]
fn fetch_errors_name_the_url() {
    let server = https_server();
    let dir = tempfile::tempdir().unwrap();
    // Untrusted certificate (no --ca-cert): exit 2, nothing written.
    let url = format!("https://localhost:{}/price", server.port);
    let o = attest(&["fetch", &url, "--out-dir", p(dir.path())]);
    assert_eq!(code(&o), 2);
    let err = text(&o.stderr);
    assert!(err.contains(&url) && err.contains("certificate"), "{err}");
    assert!(!dir.path().join("network.jsonl").exists());
    // Plain http without --allow-http.
    let url = format!("http://127.0.0.1:{}/price", server.port);
    let o = attest(&["fetch", &url, "--out-dir", p(dir.path())]);
    assert_eq!(code(&o), 2);
    assert!(text(&o.stderr).contains(&url));
    // Nothing listening.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let url = format!("https://127.0.0.1:{port}/");
    let o = attest(&["fetch", &url, "--out-dir", p(dir.path())]);
    assert_eq!(code(&o), 2);
    assert!(text(&o.stderr).contains(&url));
    // Bad URL, bad header, missing CA file.
    for args in [
        vec!["fetch", "ftp://x/"],
        vec!["fetch", "https://u:p@localhost/"],
        vec!["fetch", "https://localhost/", "--header", "x: a\nb: c"],
    ] {
        let o = attest(&args);
        assert_eq!(code(&o), 2, "{args:?}");
        assert!(text(&o.stderr).contains(args[1]), "{}", text(&o.stderr));
    }
    let url = format!("https://localhost:{}/price", server.port);
    let o = attest(&["fetch", &url, "--ca-cert", p(&dir.path().join("nope.pem"))]);
    assert_eq!(code(&o), 2);
    assert!(text(&o.stderr).contains("nope.pem"));
}

#[test]
fn fetch_plain_http_only_when_allowed() {
    let port = http_server();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{port}/price");
    let o = attest(&["fetch", &url, "--allow-http", "--execution-id", "e", "--out-dir", p(dir.path())]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let log = dir.path().join("network.jsonl");
    let recs = lines(&log);
    assert_eq!(recs[1]["tls"], Value::Null);
    let o = attest(&["network", "summarize", p(&log), "--execution-id", "e", "--allow-http"]);
    assert_eq!(code(&o), 0);
    assert_eq!(text(&o.stdout), std::fs::read_to_string(dir.path().join("summary.json")).unwrap());
    let o = attest(&["network", "summarize", p(&log)]);
    assert_eq!(code(&o), 1);
    let err = text(&o.stderr);
    assert!(err.contains("seq 0") && err.contains("`https`"), "{err}");
}

#[test]
fn summarize_names_the_rule_and_seq_and_survives_hostile_logs() {
    let dir = tempfile::tempdir().unwrap();
    let good = attest_attestor::network::example_log(30, "exec-h");
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let ok = write("good.jsonl", good.as_bytes());
    let o = attest(&["network", "summarize", p(&ok), "--execution-id", "exec-h"]);
    assert_eq!(code(&o), 0);
    let empty = write("empty.jsonl", b"");
    let o = attest(&["network", "summarize", p(&empty)]);
    assert_eq!(code(&o), 0);
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["firstAt"], Value::Null);
    assert_eq!(s["root"], sha256(b"").to_hex());

    // A rule broken: the rule id and the seq are named.
    let lines_: Vec<&str> = good.lines().collect();
    let mut swapped = lines_.clone();
    swapped.swap(3, 4);
    let o = attest(&["network", "summarize", p(&write("swap.jsonl", (swapped.join("\n") + "\n").as_bytes()))]);
    assert_eq!(code(&o), 1);
    let err = text(&o.stderr);
    assert!(err.contains("seq 4") && err.contains("`seq`"), "{err}");

    let mut huge = b"{\"kind\":\"dns\",\"name\":\"".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 17 * 1024 * 1024));
    huge.extend_from_slice(b"\"}\n");
    let mut deep = "[".repeat(100_000).into_bytes();
    deep.push(b'\n');
    let hostile: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", good.as_bytes()[..good.len() / 2].to_vec()),
        ("garbage", b"\x00\xff\xfe garbage \x01\n".to_vec()),
        ("not-utf8", b"{\"kind\":\"dns\",\"name\":\"\xff\"}\n".to_vec()),
        ("huge-line", huge),
        ("deep", deep),
        ("blank-middle", format!("{}\n\n{}\n", lines_[0], lines_[1]).into_bytes()),
        ("array", b"[]\n".to_vec()),
        ("number", b"1e999999\n".to_vec()),
        ("big-seq", lines_[0].replace("\"seq\":0", "\"seq\":9007199254740993").into_bytes()),
        ("neg-seq", lines_[0].replace("\"seq\":0", "\"seq\":-1").into_bytes()),
        ("huge-request-seq", good.replace("\"requestSeq\":1,", "\"requestSeq\":9007199254740991,").into_bytes()),
        ("dup-key", lines_[0].replace("\"seq\":0", "\"seq\":0,\"seq\":0").into_bytes()),
        ("lone-surrogate", lines_[0].replace("\"resolver\":\"1.1.1.1\"", "\"resolver\":\"\\ud800\"").into_bytes()),
        ("crlf-nul", b"\r\n\0".to_vec()),
    ];
    for (name, bytes) in hostile {
        assert!(bytes != good.as_bytes() && bytes != lines_[0].as_bytes(), "{name} changed nothing");
        let path = write(&format!("{name}.jsonl"), &bytes);
        let o = attest(&["network", "summarize", p(&path)]);
        assert_eq!(code(&o), 1, "{name}: {}", text(&o.stderr));
        assert!(text(&o.stderr).starts_with("invalid: network log"), "{name}");
        let o = attest(&["network", "prove", p(&path), "--seq", "0"]);
        assert_eq!(code(&o), 1, "{name}");
    }
    let o = attest(&["network", "summarize", p(&dir.path().join("absent.jsonl"))]);
    assert_eq!(code(&o), 2);
    assert!(text(&o.stderr).contains("absent.jsonl"));
}
