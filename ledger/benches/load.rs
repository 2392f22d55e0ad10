//! Sustained verified submissions over HTTP (docs/benchmarks.md §6).
//!
//! `cargo bench -p attest-ledger --bench load -- [--entries N] [--clients C]
//! [--rounds R] [--configs a,b,…]` runs the ledger in this process on
//! loopback and `C` client threads, each on one keep-alive connection,
//! posting pre-signed execution attestations (signing is not measured; the
//! ledger verifies every one, trust-root chain included). Each run starts on
//! an empty database; every acknowledgement is durable (the ledger answers
//! after its batch committed). The configurations are interleaved round by
//! round. Configurations: `sqlite` (the defaults), `sqlite-linger250` (wait
//! up to 250 ms to fill a batch), `postgres` (a throwaway local cluster).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use attest_attestor::json::to_pretty;
use attest_attestor::note::NoteSigner;
use attest_attestor::scenario::Scenario;
use attest_attestor::MasterSecret;
use attest_ledger::http::Verification;
use attest_ledger::sequencer::BatchConfig;
use attest_ledger::testing::PgCluster;
use attest_ledger::{Config, Database};
use attest_verifier::types::Ed25519PublicKey;
use attest_verifier::Evidence;

struct Run {
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    proofs_per_second: f64,
    tiles_per_second: f64,
}

/// Keep-alive GETs of `paths`, each answered 200.
fn get_all(addr: &str, paths: &[String]) {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_nodelay(true).expect("nodelay");
    let mut w = s.try_clone().expect("clone");
    let mut r = BufReader::new(s);
    for p in paths {
        w.write_all(format!("GET {p} HTTP/1.1\r\nHost: bench\r\n\r\n").as_bytes()).expect("write");
        let status = read_response(&mut r);
        assert!(status.starts_with("HTTP/1.1 200"), "{p}: {status}");
    }
}

/// Reads per second of `paths` split over `clients` connections.
fn read_rate(addr: &str, paths: &[String], clients: usize) -> f64 {
    let chunk = paths.len().div_ceil(clients);
    let start = Instant::now();
    std::thread::scope(|scope| {
        for c in paths.chunks(chunk) {
            scope.spawn(|| get_all(addr, c));
        }
    });
    paths.len() as f64 / start.elapsed().as_secs_f64()
}

/// Reads one keep-alive response (Content-Length body); returns its status line.
fn read_response(r: &mut BufReader<TcpStream>) -> String {
    let mut status = String::new();
    r.read_line(&mut status).expect("status line");
    let mut len = 0usize;
    let mut line = String::new();
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
    let mut body = vec![0; len];
    r.read_exact(&mut body).expect("body");
    status
}

fn post_all(addr: &str, docs: &[Vec<u8>]) -> Vec<Duration> {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_nodelay(true).expect("nodelay");
    let mut w = s.try_clone().expect("clone");
    let mut r = BufReader::new(s);
    let mut lat = Vec::with_capacity(docs.len());
    for d in docs {
        let t = Instant::now();
        let head = format!(
            "POST /v1/entries HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            d.len()
        );
        w.write_all(head.as_bytes()).and_then(|()| w.write_all(d)).expect("write");
        let status = read_response(&mut r);
        assert!(status.starts_with("HTTP/1.1 201"), "{status}");
        lat.push(t.elapsed());
    }
    lat
}

fn run(db: Database, s: &Scenario, docs: &[Vec<u8>], clients: usize, linger: Duration) -> Run {
    let signer =
        NoteSigner::new("bench.example/log", MasterSecret::from_bytes([0x4c; 32]).master_ed25519()).expect("signer");
    let pinned = vec![Ed25519PublicKey::from_hex(s.root_key_line().trim()).expect("root key")];
    let config = Config {
        database: db,
        signer,
        verification: Verification {
            trust_roots: vec![("trust-root.json".into(), to_pretty(&s.trust_root).into_bytes())],
            pinned,
            evidence: Evidence::default(),
            attesto: Default::default(),
            tee_root_ca: None,
        },
        listen: "127.0.0.1:0".parse().expect("addr"),
        batch: BatchConfig { max_age: linger, ..BatchConfig::default() },
        alert_webhook: None,
        monitor_interval: Duration::from_secs(5),
        tls: None,
        witnessing: None,
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::spawn(move || {
        attest_ledger::serve_on(config, listener, async {
            let _ = stopped.await;
        })
    });
    let chunk = docs.len().div_ceil(clients);
    let start = Instant::now();
    let mut lat: Vec<Duration> = std::thread::scope(|scope| {
        let hs: Vec<_> = docs.chunks(chunk).map(|c| scope.spawn(|| post_all(&addr, c))).collect();
        hs.into_iter().flat_map(|h| h.join().expect("client")).collect()
    });
    let wall = start.elapsed();
    // Reads of the log just built: inclusion proofs of every entry, and full level-0 tiles.
    let n = docs.len() as u64;
    let proofs: Vec<String> =
        (0..n).map(|i| format!("/v1/proof/inclusion?index={}&size={n}", (i * 7919) % n)).collect();
    let full = (n / 256).max(1);
    let tiles: Vec<String> =
        (0..n).map(|i| format!("/tile/0/{}", attest_ledger::tiles::index_path(i % full))).collect();
    let proofs_per_second = read_rate(&addr, &proofs, clients);
    let tiles_per_second = read_rate(&addr, &tiles, clients);
    let _ = stop.send(());
    server.join().expect("server thread").expect("server");
    lat.sort_unstable();
    let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1e3;
    Run {
        per_second: docs.len() as f64 / wall.as_secs_f64(),
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
        proofs_per_second,
        tiles_per_second,
    }
}

fn stats(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut entries, mut clients, mut rounds) = (5000usize, 64usize, 5usize);
    let mut configs = vec!["sqlite".to_string(), "sqlite-linger250".to_string(), "postgres".to_string()];
    while let Some(a) = args.next() {
        let mut val = || args.next().expect("a value");
        match a.as_str() {
            "--entries" => entries = val().parse().expect("N"),
            "--clients" => clients = val().parse().expect("C"),
            "--rounds" => rounds = val().parse().expect("R"),
            "--configs" => configs = val().split(',').map(str::to_string).collect(),
            "--bench" => {}
            other => panic!("unknown argument {other}"),
        }
    }
    let s = Scenario::new("bench-ledger").expect("scenario");
    eprintln!("signing {entries} attestations…");
    let docs: Vec<Vec<u8>> =
        (0..entries).map(|i| to_pretty(&s.direct(&format!("load-{i}")).expect("sign")).into_bytes()).collect();
    let pg = configs.iter().any(|c| c == "postgres").then(|| PgCluster::start().expect("PostgreSQL cluster"));
    let mut results: Vec<Vec<Run>> = configs.iter().map(|_| Vec::new()).collect();
    for r in 0..rounds {
        for (c, name) in configs.iter().enumerate() {
            let dir = tempfile::tempdir().expect("temp dir");
            let (db, linger) = match name.as_str() {
                "sqlite" => (Database::Sqlite(dir.path().join("l.db")), BatchConfig::default().max_age),
                "sqlite-linger250" => (Database::Sqlite(dir.path().join("l.db")), Duration::from_millis(250)),
                "postgres" => {
                    let url = pg.as_ref().expect("cluster").create_database(&format!("bench{r}")).expect("db");
                    (Database::Postgres(url), BatchConfig::default().max_age)
                }
                other => panic!("unknown configuration {other}"),
            };
            let run = run(db, &s, &docs, clients, linger);
            eprintln!(
                "round {r} {name}: {:.0}/s p50 {:.1} ms p99 {:.1} ms; proofs {:.0}/s, tiles {:.0}/s",
                run.per_second, run.p50_ms, run.p99_ms, run.proofs_per_second, run.tiles_per_second
            );
            results[c].push(run);
        }
    }
    println!("| configuration | submissions/s min / median / max | p50 ms (median) | p99 ms (median) | proofs/s (median) | tiles/s (median) |");
    println!("|---|---|---|---|---|---|");
    for (name, runs) in configs.iter().zip(results) {
        let (lo, med, hi) = stats(runs.iter().map(|r| r.per_second).collect());
        let (_, p50, _) = stats(runs.iter().map(|r| r.p50_ms).collect());
        let (_, p99, _) = stats(runs.iter().map(|r| r.p99_ms).collect());
        let (_, proofs, _) = stats(runs.iter().map(|r| r.proofs_per_second).collect());
        let (_, tiles, _) = stats(runs.iter().map(|r| r.tiles_per_second).collect());
        println!("| {name} | {lo:.0} / {med:.0} / {hi:.0} | {p50:.1} | {p99:.1} | {proofs:.0} | {tiles:.0} |");
    }
    println!("({entries} submissions per run, {clients} clients, {rounds} rounds, configurations interleaved)");
}
