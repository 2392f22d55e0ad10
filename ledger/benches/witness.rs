//! The witness's `add-checkpoint` on loopback (docs/benchmarks.md §7).
//!
//! `cargo bench -p attest-ledger --bench witness` starts `attest witness`'s
//! server in-process on 127.0.0.1 with an on-disk SQLite database
//! (`synchronous=FULL`: every cosignature waits for its commit) witnessing
//! 2,000 logs that share one tree of 2²¹ leaves. Each log is first given a
//! checkpoint of size m (untimed), then the timed request: a checkpoint of
//! size n with the RFC 9162 consistency proof from m, exactly 20 hashes.
//! Five rounds of 400 requests on one keep-alive connection; per round p50,
//! p99 and max latency (send to the last byte of the answer); the table
//! shows min / median / max over the rounds. Every answer must be a 200
//! cosignature line, so a wrong proof stops the benchmark.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::time::{Duration, Instant};

use attest_attestor::note::{CosignatureSigner, NoteSigner};
use attest_attestor::MasterSecret;
use attest_ledger::hashes::TreeHashes;
use attest_ledger::witness::Witness;
use attest_verifier::checkpoint::Checkpoint;
use attest_verifier::merkle::leaf_hash;

fn stats(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

/// One request on a keep-alive connection; the status and body.
fn exchange(r: &mut BufReader<std::net::TcpStream>, body: &[u8]) -> (u16, Vec<u8>) {
    let head = format!(
        "POST /add-checkpoint HTTP/1.1\r\nHost: bench\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let s = r.get_mut();
    s.write_all(head.as_bytes()).expect("write");
    s.write_all(body).expect("write");
    let mut line = String::new();
    r.read_line(&mut line).expect("status line");
    let status: u16 = line.get(9..12).and_then(|c| c.parse().ok()).expect("status");
    let mut len = 0usize;
    loop {
        line.clear();
        r.read_line(&mut line).expect("header");
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().expect("length");
        }
    }
    let mut out = vec![0u8; len];
    r.read_exact(&mut out).expect("body");
    (status, out)
}

fn main() {
    const ROUNDS: usize = 5;
    const PER_ROUND: usize = 400;
    const LOGS: usize = ROUNDS * PER_ROUND;
    const SIZE: u64 = 1 << 21;
    // One log per measured request: a consistency proof of exactly 20 hashes
    // needs sizes (m, n) far apart, which one log's consecutive checkpoints are not.
    let mut pairs = Vec::with_capacity(LOGS);
    let mut j = 0u64;
    while pairs.len() < LOGS {
        let (m, n) = ((1 << 20) + 1 + 37 * j, SIZE - (j % 997));
        if attest_verifier::merkle::consistency_proof_len(m, n).expect("len") == 20 {
            pairs.push((m, n));
        }
        j += 1;
    }
    let logs: Vec<NoteSigner> = (0..LOGS)
        .map(|i| {
            let mut seed = [1u8; 32];
            seed[..8].copy_from_slice(&(i as u64).to_be_bytes());
            NoteSigner::new(&format!("bench.example/log{i}"), MasterSecret::from_bytes(seed).master_ed25519())
                .expect("log key")
        })
        .collect();
    let witness_key = MasterSecret::from_bytes([2; 32]).master_ed25519();
    let cosigner = CosignatureSigner::new("bench.example/w", witness_key.clone()).expect("cosigner");
    let dir = tempfile::tempdir().expect("temp dir");
    let keys = logs.iter().map(|l| l.verifier_key().clone()).collect();
    let w = Witness::open(&dir.path().join("w.db"), cosigner, witness_key, keys).expect("witness");
    let mut t = TreeHashes::new();
    for i in 0..SIZE {
        t.push(leaf_hash(&i.to_be_bytes()));
    }
    let note = |log: &NoteSigner, size: u64| {
        log.sign_checkpoint(&Checkpoint::new(log.name(), size, t.root(size).expect("root")).expect("checkpoint"))
            .expect("sign")
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::spawn(move || {
        attest_ledger::witness::serve_on(w, listener, None, async {
            let _ = rx.await;
        })
        .expect("serve")
    });
    std::thread::sleep(Duration::from_millis(200));
    let stream = std::net::TcpStream::connect(addr).expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let mut r = BufReader::new(stream);
    // Every log's first checkpoint (size m, trusted on first use), not timed.
    for (log, (m, _)) in logs.iter().zip(&pairs) {
        assert_eq!(exchange(&mut r, format!("old 0\n\n{}", note(log, *m)).as_bytes()).0, 200);
    }
    let (mut p50s, mut p99s, mut maxes) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        // Bodies are made before the clock starts: the log's signing is not the witness's time.
        let bodies: Vec<Vec<u8>> = (0..PER_ROUND)
            .map(|k| {
                let i = round * PER_ROUND + k;
                let (m, n) = pairs[i];
                let proof = t.consistency_proof(m, n).expect("proof");
                assert_eq!(proof.len(), 20);
                attest_ledger::witness::add_checkpoint_body(m, &proof, &note(&logs[i], n)).into_bytes()
            })
            .collect();
        let mut lat = Vec::with_capacity(PER_ROUND);
        for b in &bodies {
            let t0 = Instant::now();
            let (status, answer) = exchange(&mut r, b);
            lat.push(t0.elapsed().as_secs_f64() * 1e3);
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
        }
        p50s.push(percentile(&mut lat, 0.50));
        p99s.push(percentile(&mut lat, 0.99));
        maxes.push(percentile(&mut lat, 1.0));
    }
    println!(
        "add-checkpoint with a 20-hash consistency proof, {ROUNDS} rounds of {PER_ROUND} on one keep-alive loopback connection, {LOGS} logs of up to {SIZE} entries, SQLite synchronous=FULL"
    );
    println!("| latency (ms) | min | median | max |");
    println!("|---|---|---|---|");
    for (name, v) in [("p50", p50s), ("p99", p99s), ("max", maxes)] {
        let (lo, med, hi) = stats(v);
        println!("| {name} | {lo:.3} | {med:.3} | {hi:.3} |");
    }
    let _ = stop.send(());
    server.join().expect("server");
}
