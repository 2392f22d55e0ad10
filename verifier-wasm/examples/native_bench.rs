//! Native baseline for `bench/bench.mjs`: verifies the accepting golden
//! execution-attestation vectors end to end (parse options, verify the trust-root chain and the
//! document, serialize the report to JSON) in a loop, single-threaded, with
//! the same code path the WASM module runs (`attest_verifier_wasm::native`).
//!
//! ```text
//! cargo run --release -p attest-verifier-wasm --example native_bench -- VECTOR_DIR [SAMPLE_SECONDS [REPEATS]]
//! ```
//!
//! Same protocol as `bench/measure.mjs`: each vector alone, best of REPEATS
//! samples; prints one JSON line
//! `{"vectors": n, "perSecond": aggregate, "perVector": {name: rate}, …}`.
#![allow(missing_docs)]

use std::path::PathBuf;
use std::time::Instant;

use attest_verifier::trust_root::parse_root_keys;
use attest_verifier::Timestamp;
use attest_verifier_wasm::native::{self, Evidence};
use base64::Engine as _;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Entry {
    path: String,
    kind: String,
    #[serde(default)]
    base64: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bundle {
    manifest: String,
    #[serde(default)]
    entries: Option<Vec<Entry>>,
}

/// The members of a golden vector (test-vectors/src/lib.rs `Vector`) this bench uses.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Vector {
    #[serde(default)]
    name: String,
    #[serde(default)]
    expect: String,
    now: String,
    #[serde(default)]
    min_trust_root_version: Option<u64>,
    root_keys: Vec<String>,
    trust_roots: Vec<String>,
    #[serde(default)]
    document: Option<String>,
    #[serde(default)]
    documents: Vec<String>,
    #[serde(default)]
    signals: Option<String>,
    #[serde(default)]
    output_base64: Option<String>,
    #[serde(default)]
    bundle: Option<Bundle>,
    #[serde(default)]
    network: Option<String>,
    #[serde(default)]
    allow_hosts: Vec<String>,
}

const ATTESTATION: &str = "attest.execution-attestation.v1";

fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap_or_default()
}

/// One verification, end to end: options from text, verify, report JSON.
fn run(v: &Vector, document: &[u8]) -> bool {
    let Ok(now) = Timestamp::parse(&v.now) else {
        return false;
    };
    let mut keys = Vec::new();
    for k in &v.root_keys {
        match parse_root_keys(k) {
            Ok(p) => keys.extend(p),
            Err(_) => return false,
        }
    }
    let mut e = Evidence::new(v.trust_roots.iter().map(|t| t.as_bytes().to_vec()).collect(), keys, now);
    e.min_trust_root_version = v.min_trust_root_version;
    e.signals = v.signals.as_ref().map(|s| s.as_bytes().to_vec());
    e.output = v.output_base64.as_deref().map(b64);
    e.network = v.network.as_ref().map(|s| s.as_bytes().to_vec());
    e.allow_hosts = v.allow_hosts.clone();
    if let Some(b) = &v.bundle {
        e.bundle_manifest = Some(b.manifest.as_bytes().to_vec());
        e.bundle_files = b.entries.as_ref().map(|es| es.iter().map(|x| (x.path.clone(), b64(&x.base64))).collect());
    }
    let report = native::verify(document, e.clone());
    let json = native::report_json(&report).unwrap_or_default();
    report.valid() && !json.is_empty()
}

/// Verifications per second of one vector: best of `repeats` samples of at
/// least `sample` seconds (bench/measure.mjs `rateOf`).
fn rate_of(v: &Vector, doc: &[u8], sample: f64, repeats: u32) -> f64 {
    let mut best = 0.0f64;
    for _ in 0..repeats {
        let start = Instant::now();
        let mut n = 0u64;
        loop {
            if !std::hint::black_box(run(v, doc)) {
                eprintln!("{}: verification failed during the benchmark", v.name);
                std::process::exit(1);
            }
            n += 1;
            if start.elapsed().as_secs_f64() >= sample {
                break;
            }
        }
        best = best.max(n as f64 / start.elapsed().as_secs_f64());
    }
    best
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "test-vectors/vectors".into()));
    let sample: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(0.25);
    let repeats: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(3);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "json")).collect()
        })
        .unwrap_or_default();
    paths.sort();
    let mut selected: Vec<(Vector, Vec<u8>)> = Vec::new();
    for p in &paths {
        let Ok(text) = std::fs::read_to_string(p) else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<Vector>(&text) else {
            eprintln!("{}: not a vector", p.display());
            continue;
        };
        let files_only =
            v.bundle.as_ref().and_then(|b| b.entries.as_ref()).is_none_or(|es| es.iter().all(|e| e.kind == "file"));
        if v.expect != "accept" || !v.documents.is_empty() || !files_only {
            continue;
        }
        // Execution attestations given as text (bench/measure.mjs selects the same).
        let Some(doc) = v.document.as_ref().map(|d| d.as_bytes().to_vec()) else {
            continue;
        };
        let is_attestation = serde_json::from_slice::<serde_json::Value>(&doc)
            .ok()
            .and_then(|d| d.get("type").and_then(|t| t.as_str()).map(|t| t == ATTESTATION))
            .unwrap_or(false);
        if !is_attestation {
            continue;
        }
        selected.push((v, doc));
    }
    if selected.is_empty() {
        eprintln!("no accepting vector in {}", dir.display());
        std::process::exit(2);
    }
    let mut per_vector = serde_json::Map::new();
    let mut round = 0.0f64;
    for (v, d) in &selected {
        if !run(v, d) {
            eprintln!("{}: an accepting vector did not verify natively", v.name);
            std::process::exit(1);
        }
        let rate = rate_of(v, d, sample, repeats);
        round += 1.0 / rate;
        per_vector.insert(v.name.clone(), serde_json::json!(rate));
    }
    let out = serde_json::json!({
        "vectors": selected.len(),
        "perSecond": selected.len() as f64 / round,
        "perVector": per_vector,
        "sampleSeconds": sample,
        "repeats": repeats,
    });
    println!("{out}");
}
