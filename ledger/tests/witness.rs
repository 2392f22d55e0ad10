//! The witness (docs/spec.md §11.4): every status code of C2SP tlog-witness,
//! cosignatures that verify, both kinds of fork kept as evidence that the
//! verifier's `fork` check accepts, atomicity under concurrent requests, and
//! the state surviving a restart; then the same through a real HTTP server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::io::{Read as _, Write as _};
use std::sync::Arc;
use std::time::Duration;

use attest_attestor::note::{CosignatureSigner, NoteSigner};
use attest_attestor::MasterSecret;
use attest_ledger::witness::{AddOutcome, Witness};
use attest_verifier::checkpoint::{parse_note, verify_checkpoint, Checkpoint};
use attest_verifier::cosignature::cosigned_at;
use attest_verifier::fork::{check_fork, parse_fork_evidence};
use attest_verifier::merkle::{consistency_proof, leaf_hash, tree_hash};
use attest_verifier::types::Sha256Digest;
use attest_verifier::Timestamp;

const ORIGIN: &str = "ledger.example/w";

fn log() -> NoteSigner {
    NoteSigner::new(ORIGIN, MasterSecret::from_bytes([7; 32]).master_ed25519()).unwrap()
}

fn cosigner() -> CosignatureSigner {
    CosignatureSigner::new("witness.example/w1", MasterSecret::from_bytes([8; 32]).master_ed25519()).unwrap()
}

fn open(path: &std::path::Path) -> Witness {
    let key = MasterSecret::from_bytes([8; 32]).master_ed25519();
    Witness::open(path, cosigner(), key, vec![log().verifier_key().clone()]).unwrap()
}

fn leaves(tag: &str, n: usize) -> Vec<Sha256Digest> {
    (0..n).map(|i| leaf_hash(format!("{tag}-{i}").as_bytes())).collect()
}

fn signed(l: &[Sha256Digest]) -> String {
    log().sign_checkpoint(&Checkpoint::new(ORIGIN, l.len() as u64, tree_hash(l)).unwrap()).unwrap()
}

fn body(old: u64, proof: &[Sha256Digest], note: &str) -> Vec<u8> {
    attest_ledger::witness::add_checkpoint_body(old, proof, note).into_bytes()
}

fn now() -> Timestamp {
    Timestamp::from_unix(1_790_000_000, 0)
}

fn add(w: &Witness, old: u64, proof: &[Sha256Digest], note: &str) -> AddOutcome {
    w.add_checkpoint(&body(old, proof, note), now())
}

fn cosigned(line: &AddOutcome, note: &str) -> u64 {
    let AddOutcome::Cosigned(line) = line else { panic!("not cosigned: {line:?}") };
    let full = format!("{note}{line}");
    cosigned_at(&parse_note(full.as_bytes()).unwrap(), cosigner().cosigner_key()).unwrap()
}

#[test]
fn protocol_status_codes_and_cosignatures() {
    let dir = tempfile::tempdir().unwrap();
    let w = open(&dir.path().join("w.db"));
    let a = leaves("a", 10);
    // First contact: old 0, no proof, trusted on first use.
    let n5 = signed(&a[..5]);
    assert_eq!(cosigned(&add(&w, 0, &[], &n5), &n5), 1_790_000_000);
    // A consistent extension with the RFC 9162 proof.
    let n9 = signed(&a[..9]);
    let p = consistency_proof(&a[..9], 5).unwrap();
    cosigned(&add(&w, 5, &p, &n9), &n9);
    // The same checkpoint again: cosigned again (old = size, no proof).
    cosigned(&add(&w, 9, &[], &n9), &n9);
    // Stale old size: 409 with the latest size.
    assert_eq!(add(&w, 5, &p, &n9), AddOutcome::Conflict { size: 9, fork: false });
    assert_eq!(add(&w, 0, &[], &n9), AddOutcome::Conflict { size: 9, fork: false });
    // Old above the checkpoint size: 400.
    assert!(matches!(add(&w, 10, &[], &n9), AddOutcome::BadRequest(_)));
    // Malformed bodies: 400.
    for bad in [&b"old 01\n\nx"[..], b"new 0\n\n", b"old 0\nAAAA\n\n", b"\xff", b"old 0\n"] {
        assert!(matches!(w.add_checkpoint(bad, now()), AddOutcome::BadRequest(_)), "{bad:?}");
    }
    // An unknown origin: 404; another key for the origin: 403.
    let other = NoteSigner::new("other.example/log", MasterSecret::from_bytes([9; 32]).master_ed25519()).unwrap();
    let foreign = other.sign_checkpoint(&Checkpoint::new("other.example/log", 1, a[0]).unwrap()).unwrap();
    assert!(matches!(add(&w, 0, &[], &foreign), AddOutcome::UnknownOrigin(_)));
    let impostor = NoteSigner::new(ORIGIN, MasterSecret::from_bytes([9; 32]).master_ed25519()).unwrap();
    let forged = impostor.sign_checkpoint(&Checkpoint::new(ORIGIN, 10, tree_hash(&a)).unwrap()).unwrap();
    assert!(matches!(add(&w, 9, &[], &forged), AddOutcome::Forbidden(_)));
    // A proof that does not verify: 422, no fork kept (it proves nothing).
    let n10 = signed(&a);
    let mut wrong = consistency_proof(&a, 9).unwrap();
    wrong[0] = leaf_hash(b"junk");
    assert_eq!(
        std::mem::discriminant(&add(&w, 9, &wrong, &n10)),
        std::mem::discriminant(&AddOutcome::Unprocessable { problem: String::new(), fork: false })
    );
    assert!(matches!(add(&w, 9, &wrong, &n10), AddOutcome::Unprocessable { fork: false, .. }));
    // A proof with old = size: 422.
    assert!(matches!(add(&w, 9, &wrong[..1], &n9), AddOutcome::Unprocessable { .. }));
    assert!(w.forks().unwrap().is_empty());
    // The monitoring view: text, the log's signature and the cosignature.
    let origin_hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(ORIGIN.as_bytes()));
    let latest = w.latest(&origin_hash).unwrap().unwrap();
    assert!(verify_checkpoint(latest.as_bytes(), log().verifier_key()).is_ok());
    let parsed = parse_note(latest.as_bytes()).unwrap();
    assert_eq!(Checkpoint::parse(parsed.text()).unwrap().size(), 9);
    assert!(cosigned_at(&parsed, cosigner().cosigner_key()).is_ok());
    let metrics = w.encode_metrics().unwrap();
    assert!(metrics.contains("attest_witness_add_checkpoint_total{code=\"409\"} 2"), "{metrics}");
    assert!(metrics.contains("attest_witness_cosigned_size{origin=\"ledger.example/w\"} 9"), "{metrics}");
}

#[test]
fn size_zero_and_first_proofs() {
    let dir = tempfile::tempdir().unwrap();
    let w = open(&dir.path().join("w.db"));
    let bad_empty = log().sign_checkpoint(&Checkpoint::new(ORIGIN, 0, leaf_hash(b"x")).unwrap()).unwrap();
    assert!(matches!(add(&w, 0, &[], &bad_empty), AddOutcome::Unprocessable { .. }));
    let empty = signed(&[]);
    cosigned(&add(&w, 0, &[], &empty), &empty);
    let a = leaves("a", 3);
    let n3 = signed(&a);
    // Old 0 with a proof: 422.
    assert!(matches!(add(&w, 0, &[a[0]], &n3), AddOutcome::Unprocessable { .. }));
    cosigned(&add(&w, 0, &[], &n3), &n3);
}

#[test]
fn forks_of_both_kinds_are_kept_as_evidence_the_verifier_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let w = open(&path);
    let a = leaves("a", 12);
    let n5 = signed(&a[..5]);
    cosigned(&add(&w, 0, &[], &n5), &n5);
    // Same size, another root: 409, evidence kept, nothing cosigned.
    let b = leaves("b", 12);
    let b5 = signed(&b[..5]);
    assert_eq!(add(&w, 5, &[], &b5), AddOutcome::Conflict { size: 5, fork: true });
    // Submitted twice: kept once.
    assert_eq!(add(&w, 5, &[], &b5), AddOutcome::Conflict { size: 5, fork: true });
    // A larger tree of the other branch, with its own consistency proof from 5:
    // it yields B's root as the new root and not A's size-5 root as the old one.
    let b11 = signed(&b[..11]);
    let pb = consistency_proof(&b[..11], 5).unwrap();
    assert!(matches!(add(&w, 5, &pb, &b11), AddOutcome::Unprocessable { fork: true, .. }));
    let forks = w.forks().unwrap();
    assert_eq!(forks.len(), 2, "{forks:?}");
    for f in &forks {
        let ev = parse_fork_evidence(f.as_bytes()).unwrap();
        check_fork(&ev).expect("the verifier's fork check accepts the witness's evidence");
        assert!(f.contains("\"signatures\""), "the witness signs as reporter");
    }
    // The head did not move.
    let n11 = signed(&a[..11]);
    cosigned(&add(&w, 5, &consistency_proof(&a[..11], 5).unwrap(), &n11), &n11);
    drop(w);
    // Restart: state and evidence survive; the stale size is refused.
    let w = open(&path);
    assert_eq!(add(&w, 5, &[], &n5), AddOutcome::Conflict { size: 11, fork: false });
    assert_eq!(w.forks().unwrap().len(), 2);
    assert!(w.encode_metrics().unwrap().contains("attest_witness_forks_total 2"));
}

#[test]
fn concurrent_requests_never_get_two_roots_of_one_size_cosigned() {
    let dir = tempfile::tempdir().unwrap();
    let w = Arc::new(open(&dir.path().join("w.db")));
    let base = leaves("base", 4);
    let n4 = signed(&base);
    cosigned(&add(&w, 0, &[], &n4), &n4);
    // 16 branches extend the witnessed tree of 4 to 8 leaves, each with another
    // root and each with a valid proof from 4: all race for the same state.
    let barrier = Arc::new(std::sync::Barrier::new(16));
    let threads: Vec<_> = (0..16)
        .map(|t| {
            let (w, base, barrier) = (w.clone(), base.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut l = base;
                l.extend(leaves(&format!("t{t}"), 4));
                let note = signed(&l);
                let b = body(4, &consistency_proof(&l, 4).unwrap(), &note);
                barrier.wait();
                w.add_checkpoint(&b, now())
            })
        })
        .collect();
    let results: Vec<AddOutcome> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let ok = results.iter().filter(|o| matches!(o, AddOutcome::Cosigned(_))).count();
    assert_eq!(ok, 1, "exactly one of 16 conflicting roots of size 8 is cosigned: {results:?}");
    for o in &results {
        assert!(
            matches!(o, AddOutcome::Cosigned(_) | AddOutcome::Conflict { size: 8, fork: true }),
            "a loser sees the winner's size and proves the fork: {o:?}"
        );
    }
    assert_eq!(w.forks().unwrap().len(), 15, "one fork per losing root");
}

fn raw_http(addr: &str, req: &[u8]) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(req).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

fn post(addr: &str, body: &[u8]) -> String {
    let mut req = format!(
        "POST /add-checkpoint HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    raw_http(addr, &req)
}

#[test]
fn over_http() {
    let dir = tempfile::tempdir().unwrap();
    let w = open(&dir.path().join("w.db"));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::spawn(move || {
        attest_ledger::witness::serve_on(w, listener, None, async {
            let _ = rx.await;
        })
        .unwrap()
    });
    let a = leaves("a", 6);
    let n3 = signed(&a[..3]);
    let r = post(&addr, &body(0, &[], &n3));
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    let line = r.split("\r\n\r\n").nth(1).unwrap();
    assert!(line.starts_with("\u{2014} witness.example/w1 ") && line.ends_with('\n'), "{line:?}");
    let r = post(&addr, &body(0, &[], &n3));
    assert!(r.starts_with("HTTP/1.1 409"), "{r}");
    assert!(r.to_ascii_lowercase().contains("content-type: text/x.tlog.size\r\n"), "{r}");
    assert!(r.ends_with("\r\n\r\n3\n"), "{r}");
    let b3 = signed(&leaves("b", 3));
    assert!(post(&addr, &body(3, &[], &b3)).starts_with("HTTP/1.1 409"));
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(ORIGIN.as_bytes()));
    let get =
        |path: &str| raw_http(&addr, format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes());
    let r = get(&format!("/{hash}/checkpoint"));
    assert!(r.starts_with("HTTP/1.1 200") && r.contains(line.trim_end()), "{r}");
    assert!(get(&format!("/{}/checkpoint", "0".repeat(64))).starts_with("HTTP/1.1 404"));
    let r = get("/v1/forks");
    assert!(r.starts_with("HTTP/1.1 200") && r.contains("attest.fork-evidence.v1"), "{r}");
    let r = get("/metrics");
    assert!(r.contains("attest_witness_forks_total 1"), "{r}");
    // An oversized body is refused, not read without bound.
    let big = vec![b'a'; attest_ledger::witness::MAX_ADD_CHECKPOINT_BYTES + 10];
    assert!(post(&addr, &big).starts_with("HTTP/1.1 413"));
    tx.send(()).unwrap();
    server.join().unwrap();
}

#[test]
fn two_witnesses_on_one_database_file_never_cosign_two_roots_of_one_size() {
    // Two connections (as two processes would have): the SQLite write
    // transaction, not the in-process mutex, keeps check-and-persist atomic.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let (w1, w2) = (Arc::new(open(&path)), Arc::new(open(&path)));
    let base = leaves("base", 6);
    let n6 = signed(&base);
    cosigned(&add(&w1, 0, &[], &n6), &n6);
    let barrier = Arc::new(std::sync::Barrier::new(12));
    let threads: Vec<_> = (0..12)
        .map(|t| {
            let w = if t % 2 == 0 { w1.clone() } else { w2.clone() };
            let (base, barrier) = (base.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut l = base;
                l.extend(leaves(&format!("p{t}"), 5));
                let b = body(6, &consistency_proof(&l, 6).unwrap(), &signed(&l));
                barrier.wait();
                w.add_checkpoint(&b, now())
            })
        })
        .collect();
    let results: Vec<AddOutcome> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(results.iter().filter(|o| matches!(o, AddOutcome::Cosigned(_))).count(), 1, "{results:?}");
    assert!(results
        .iter()
        .all(|o| matches!(o, AddOutcome::Cosigned(_) | AddOutcome::Conflict { size: 11, fork: true })));
}
