//! Witnessing end to end through the real binaries on loopback (docs/spec.md
//! §11.4–§11.6): two `attest witness serve` processes, a ledger that waits
//! for their 2-of-2 quorum (`--witness-quorum`), cosigned receipts, a
//! cosigned tlog-proof verified offline with `attest verify --witness-policy`,
//! fail-closed acknowledgements while a witness is down, recovery, a ledger
//! restart that catches up through the witnesses' 409, and `--witness`
//! alone failing open.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use attest_attestor::json::to_pretty;
use attest_attestor::scenario::Scenario;
use attest_attestor::MasterSecret;
use attest_verifier::checkpoint::{parse_note, verify_checkpoint, VerifierKey};
use attest_verifier::cosignature::{cosigned_at, CosignerKey};

const ORIGIN: &str = "ledger.test/witnessed";

fn attest(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_attest"));
    c.current_dir(dir);
    c
}

fn stdout_of(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A child process serving HTTP; killed when dropped.
struct Proc {
    child: Child,
    addr: String,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(mut c: Command) -> Proc {
    let mut child = c.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().strip_prefix("listening on http://").unwrap_or_else(|| panic!("{line:?}")).to_string();
    Proc { child, addr }
}

fn witness(d: &Path, n: u8, vk: &VerifierKey) -> Proc {
    let mut c = attest(d);
    c.args(["witness", "serve", "--db", &format!("sqlite:w{n}.db"), "--key", &format!("w{n}.secret")]).args([
        "--name",
        &format!("witness.test/w{n}"),
        "--log",
        &vk.to_string(),
        "--listen",
        "127.0.0.1:0",
    ]);
    spawn(c)
}

fn ledger(d: &Path, extra: &[&str]) -> Proc {
    let mut c = attest(d);
    c.args(["ledger", "serve", "--db", "sqlite:ledger.db", "--origin", ORIGIN, "--key", "log.secret"])
        .args(["--trust-root", "trust-root.json", "--root-key", "root.pub", "--listen", "127.0.0.1:0"])
        .args(extra);
    spawn(c)
}

fn http(addr: &str, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let status = std::str::from_utf8(&out[9..12]).unwrap().parse().unwrap();
    (status, out[split + 4..].to_vec())
}

fn cosigners(note: &str, keys: &[&CosignerKey]) -> usize {
    let n = parse_note(note.as_bytes()).unwrap();
    keys.iter().filter(|k| cosigned_at(&n, k).is_ok()).count()
}

#[test]
fn a_ledger_waits_for_its_witness_quorum() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = Scenario::new("witnessed-ledger").unwrap();
    std::fs::write(d.join("trust-root.json"), to_pretty(&s.trust_root)).unwrap();
    std::fs::write(d.join("root.pub"), s.root_key_line()).unwrap();
    for (f, b) in [("log.secret", 0x51u8), ("w1.secret", 0x52), ("w2.secret", 0x53)] {
        std::fs::write(d.join(f), format!("{}\n", MasterSecret::from_bytes([b; 32]).to_hex())).unwrap();
    }
    let vk = VerifierKey::parse(
        stdout_of(attest(d).args(["ledger", "key", "--key", "log.secret", "--origin", ORIGIN])).trim(),
    )
    .unwrap();
    let wkey = |n: u8| {
        CosignerKey::parse(
            stdout_of(attest(d).args([
                "witness",
                "key",
                "--key",
                &format!("w{n}.secret"),
                "--name",
                &format!("witness.test/w{n}"),
            ]))
            .trim(),
        )
        .unwrap()
    };
    let (k1, k2) = (wkey(1), wkey(2));
    let w1 = witness(d, 1, &vk);
    let mut w2 = witness(d, 2, &vk);
    let policy = format!(
        "log {vk}\nwitness W1 {k1} http://{}\nwitness W2 {k2} http://{}\ngroup G all W1 W2\nquorum G\n",
        w1.addr, w2.addr
    );
    std::fs::write(d.join("policy.txt"), &policy).unwrap();
    let l = ledger(d, &["--witness-quorum", "policy.txt", "--witness-timeout-ms", "3000"]);
    let docs: Vec<Vec<u8>> = (0..4)
        .map(|i| {
            let doc = s.direct(&format!("w-{i}")).unwrap();
            to_pretty(&doc).into_bytes()
        })
        .collect();
    // Acknowledged with a checkpoint cosigned by both witnesses.
    for doc in &docs[..2] {
        let (status, body) = http(&l.addr, "POST", "/v1/entries", doc);
        assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
        let r: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let note = r["checkpoint"].as_str().unwrap();
        assert!(verify_checkpoint(note.as_bytes(), &vk).is_ok());
        assert_eq!(cosigners(note, &[&k1, &k2]), 2, "{note}");
    }
    let (_, cp) = http(&l.addr, "GET", "/checkpoint", b"");
    assert_eq!(cosigners(std::str::from_utf8(&cp).unwrap(), &[&k1, &k2]), 2);
    // A cosigned tlog-proof, verified offline against the policy.
    let (status, proof) = http(&l.addr, "GET", "/v1/entries/1/tlog-proof", b"");
    assert_eq!(status, 200);
    std::fs::write(d.join("entry1.tlog-proof"), &proof).unwrap();
    std::fs::write(d.join("doc1.json"), &docs[1]).unwrap();
    let stricter = policy.replace("quorum G\n", "")
        + &format!("witness W3 {}\ngroup H all G W3\nquorum H\n", {
            let k3 = MasterSecret::from_bytes([0x54; 32]).master_ed25519().public_key();
            CosignerKey::new("witness.test/w3", k3).unwrap()
        });
    std::fs::write(d.join("stricter.txt"), stricter).unwrap();
    let verify = |policy: &str| {
        let out = attest(d)
            .args(["verify", "doc1.json", "--trust-root", "trust-root.json", "--root-key", "root.pub", "--no-state"])
            .args(["--log-proof", "entry1.tlog-proof", "--log-key", &vk.to_string(), "--witness-policy", policy])
            .args(["--format", "json"])
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let check = report["checks"].as_array().unwrap().iter().find(|c| c["id"] == "log-inclusion").cloned().unwrap();
        (out.status.code(), check)
    };
    let (code, check) = verify("policy.txt");
    assert_eq!(code, Some(0), "{check}");
    assert!(check["detail"].as_str().unwrap().contains("quorum G met"), "{check}");
    let (code, check) = verify("stricter.txt");
    assert_eq!((code, check["reason"].as_str()), (Some(1), Some("quorum-not-met")), "{check}");
    // The monitor holds the served checkpoint to a policy too.
    let monitor = |policy: &str| {
        attest(d)
            .args(["ledger", "verify", "--url", &format!("http://{}", l.addr), "--log-key", &vk.to_string()])
            .args(["--witness-policy", policy])
            .output()
            .unwrap()
    };
    let out = monitor("policy.txt");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = monitor("stricter.txt");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NOT WITNESSED: quorum H not met"));

    // A witness down: appended, but not acknowledged (fail closed), index given.
    let _ = w2.child.kill();
    let _ = w2.child.wait();
    let started = Instant::now();
    let (status, body) = http(&l.addr, "POST", "/v1/entries", &docs[2]);
    assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
    assert!(started.elapsed() >= Duration::from_millis(2900));
    let r: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!((r["code"].as_str(), r["index"].as_u64()), (Some("not-witnessed"), Some(2)), "{r}");
    let (_, m) = http(&l.addr, "GET", "/metrics", b"");
    let m = String::from_utf8(m).unwrap();
    let down = format!("attest_ledger_witness_requests_total{{witness=\"http://{}\",result=\"unreachable\"}}", w2.addr);
    assert!(m.contains(&down), "{m}");
    assert!(m.contains("attest_ledger_witness_quorum_met 0"), "{m}");
    // The witness returns on its address and database: the retry is acknowledged, witnessed.
    let addr2 = w2.addr.clone();
    drop(w2);
    let mut c = attest(d);
    c.args(["witness", "serve", "--db", "sqlite:w2.db", "--key", "w2.secret", "--name", "witness.test/w2"]).args([
        "--log",
        &vk.to_string(),
        "--listen",
        &addr2,
    ]);
    let _w2 = spawn(c);
    let (status, body) = http(&l.addr, "POST", "/v1/entries", &docs[2]);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let r: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(r["index"].as_u64(), Some(2));
    assert_eq!(cosigners(r["checkpoint"].as_str().unwrap(), &[&k1, &k2]), 2);
    // A restarted ledger knows nothing of its witnesses' sizes: their 409 tells it.
    drop(l);
    let l = ledger(d, &["--witness-quorum", "policy.txt", "--witness-timeout-ms", "5000"]);
    let (status, body) = http(&l.addr, "POST", "/v1/entries", &docs[3]);
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let r: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(cosigners(r["checkpoint"].as_str().unwrap(), &[&k1, &k2]), 2);
    // No witness saw a fork.
    let (_, forks) = http(&w1.addr, "GET", "/v1/forks", b"");
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&forks).unwrap()["forks"], serde_json::json!([]));
    drop(l);

    // --witness alone fails open: acknowledged at once while the witness is unreachable.
    let l = ledger(d, &["--witness", "http://127.0.0.1:9"]);
    let fresh = s.direct("w-open").unwrap();
    let (status, _) = http(&l.addr, "POST", "/v1/entries", to_pretty(&fresh).as_bytes());
    assert_eq!(status, 201);
}

/// Hostile inputs (docs/spec.md §11.4–§11.5): witness policies that are
/// empty, binary, huge, a FIFO or a device, or mutated at random, through
/// `attest verify --witness-policy` (exit 1 naming the line, or exit 2
/// naming the file; never a panic or a hang); and random `add-checkpoint`
/// bodies to a real witness (only 4xx, never a 5xx, a panic or a hang).
#[test]
fn hostile_policies_and_add_checkpoint_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../test-vectors/vectors/accept__witness-nested.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    std::fs::write(d.join("doc.json"), v["document"].as_str().unwrap()).unwrap();
    std::fs::write(d.join("proof"), v["logProof"].as_str().unwrap()).unwrap();
    for (i, t) in v["trustRoots"].as_array().unwrap().iter().enumerate() {
        std::fs::write(d.join(format!("tr{i}.json")), t.as_str().unwrap()).unwrap();
    }
    std::fs::write(d.join("root.pub"), v["rootKeys"][0].as_str().unwrap()).unwrap();
    let good = v["witnessPolicy"].as_str().unwrap().as_bytes().to_vec();
    let run = |policy: &str| {
        let mut c = attest(d);
        c.args(["verify", "doc.json", "--root-key", "root.pub", "--no-state", "--now", v["now"].as_str().unwrap()]);
        for i in 0..v["trustRoots"].as_array().unwrap().len() {
            c.args(["--trust-root", &format!("tr{i}.json")]);
        }
        c.args(["--log-proof", "proof", "--log-key", v["logKey"].as_str().unwrap(), "--witness-policy", policy]);
        let child = c.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    std::fs::write(d.join("good.txt"), &good).unwrap();
    assert_eq!(run("good.txt").0, Some(0));
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), Vec::new()),
        ("nul".into(), vec![0; 64]),
        ("lines".into(), "# c\n".repeat(16_000).into_bytes()),
        ("one-long-line".into(), vec![b'w'; 60_000]),
        ("not-utf8".into(), b"witness A \xff\xfe\nquorum A\n".to_vec()),
        ("deep-groups".into(), {
            let mut s = String::from_utf8(good.clone()).unwrap().replace("quorum XY\n", "");
            let mut prev = "XY".to_string();
            for i in 0..250 {
                s.push_str(&format!("group N{i} any {prev}\n"));
                prev = format!("N{i}");
            }
            s.push_str(&format!("quorum {prev}\n"));
            s.into_bytes()
        }),
    ];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for i in 0..12 {
        let mut b = good.clone();
        for _ in 0..3 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = (seed as usize) % b.len();
            b[at] = (seed >> 40) as u8;
        }
        cases.push((format!("mutated-{i}"), b));
    }
    for (name, bytes) in &cases {
        std::fs::write(d.join(name), bytes).unwrap();
        let (code, out, err) = run(name);
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert!(matches!(code, Some(0) | Some(1)), "{name}: {code:?} {out}{err}");
        if name != "deep-groups" && code == Some(1) {
            assert!(out.contains("log-inclusion"), "{name}: {out}");
        }
    }
    let (code, out, _) = run("deep-groups");
    assert_eq!(code, Some(0), "a chain of 250 nested groups is evaluated: {out}");
    // Too large, a FIFO, a device: exit 2 naming the file.
    std::fs::write(d.join("huge.txt"), vec![b'#'; 70_000]).unwrap();
    assert!(Command::new("mkfifo").arg(d.join("fifo.txt")).status().unwrap().success());
    for (f, what) in [("huge.txt", "larger than"), ("fifo.txt", "FIFO"), ("/dev/zero", "character device")] {
        let (code, _, err) = run(f);
        assert_eq!(code, Some(2), "{f}: {err}");
        assert!(err.contains(f) && err.contains(what), "{f}: {err}");
    }

    // Random add-checkpoint bodies to a real witness.
    let vk = VerifierKey::parse(v["logKey"].as_str().unwrap()).unwrap();
    std::fs::write(d.join("w9.secret"), format!("{}\n", MasterSecret::from_bytes([0x59; 32]).to_hex())).unwrap();
    let w = witness(d, 9, &vk);
    let note = v["logProof"].as_str().unwrap().split_once("\n\n").unwrap().1.to_string();
    let real = format!("old 0\n\n{note}").into_bytes();
    let mut bodies: Vec<Vec<u8>> =
        vec![Vec::new(), vec![0; 100], b"old 0\n\n".to_vec(), b"old 99999999999999999999999\n\nx".to_vec()];
    for i in 0..40 {
        let mut b = real.clone();
        for _ in 0..1 + i % 4 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = (seed as usize) % b.len();
            b[at] = (seed >> 40) as u8;
        }
        bodies.push(b);
    }
    for b in &bodies {
        let (status, body) = http(&w.addr, "POST", "/add-checkpoint", b);
        assert!((400..500).contains(&status) || status == 200, "{status}: {}", String::from_utf8_lossy(&body));
    }
    // The real checkpoint is still cosigned (or already was, by a mutation that kept it valid).
    let (status, _) = http(&w.addr, "POST", "/add-checkpoint", &real);
    assert!(status == 200 || status == 409, "{status}");
    let (_, m) = http(&w.addr, "GET", "/metrics", b"");
    assert!(!String::from_utf8_lossy(&m).contains("code=\"500\""));
}

/// kill -9 of a witness under load (docs/spec.md §11.4): every cosignature
/// it answered was committed first, so after a restart on the same database
/// its size is the last one acknowledged (or the one in flight at the kill,
/// committed but not answered), never less.
#[test]
fn kill_9_under_load_loses_no_cosigned_checkpoint() {
    use attest_attestor::note::NoteSigner;
    use attest_verifier::checkpoint::Checkpoint;
    use attest_verifier::merkle::{consistency_proof, leaf_hash, tree_hash};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("w1.secret"), format!("{}\n", MasterSecret::from_bytes([0x61; 32]).to_hex())).unwrap();
    let log = NoteSigner::new(ORIGIN, MasterSecret::from_bytes([0x62; 32]).master_ed25519()).unwrap();
    let vk = log.verifier_key().clone();
    let leaves: Vec<_> = (0..4000u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    fn note(log: &NoteSigner, leaves: &[attest_verifier::types::Sha256Digest], n: usize) -> String {
        log.sign_checkpoint(&Checkpoint::new(ORIGIN, n as u64, tree_hash(&leaves[..n])).unwrap()).unwrap()
    }
    let first = note(&log, &leaves, 1);
    let w = witness(d, 1, &vk);
    let addr = w.addr.clone();
    let (tx, rx) = std::sync::mpsc::channel::<usize>();
    let client = std::thread::spawn(move || {
        let mut old = 0usize;
        for n in (1..4000).step_by(7) {
            let proof = if old == 0 { Vec::new() } else { consistency_proof(&leaves[..n], old as u64).unwrap() };
            let body = attest_ledger::witness::add_checkpoint_body(old as u64, &proof, &note(&log, &leaves, n));
            let Ok(mut s) = std::net::TcpStream::connect(&addr) else { break };
            let head = format!(
                "POST /add-checkpoint HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            if s.write_all(head.as_bytes()).and_then(|_| s.write_all(body.as_bytes())).is_err() {
                break;
            }
            let mut out = Vec::new();
            if s.read_to_end(&mut out).is_err() || !out.starts_with(b"HTTP/1.1 200") {
                let _ = tx.send(n); // in flight at the kill
                break;
            }
            let _ = tx.send(0);
            old = n;
        }
        old
    });
    std::thread::sleep(Duration::from_millis(400));
    let pid = w.child.id().to_string();
    assert!(Command::new("kill").args(["-9", &pid]).status().unwrap().success());
    let acked = client.join().unwrap();
    let in_flight = rx.try_iter().filter(|&n| n != 0).last();
    assert!(acked > 7, "the witness cosigned under load before the kill ({acked})");
    drop(w);
    let w = witness(d, 1, &vk);
    let (status, body) = http(&w.addr, "POST", "/add-checkpoint", format!("old 0\n\n{first}").as_bytes());
    assert_eq!(status, 409);
    let size: usize = String::from_utf8(body).unwrap().trim().parse().unwrap();
    assert!(size == acked || Some(size) == in_flight, "stored {size}, acknowledged {acked}, in flight {in_flight:?}");
}
