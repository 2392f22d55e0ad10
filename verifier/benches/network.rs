//! Network logs (formats.md §5): summarize (parse + rules + Merkle root) and
//! verify (summarize + digest comparison) throughput on a 10,000-record log,
//! and record-proof size, build and verification time at 10, 1,000 and
//! 1,000,000 leaves. For the 1,000,000-leaf tree the leaves are hashes, not
//! records (a log that large would only measure parsing again).
//!
//! The proof sizes are printed to stderr as a Markdown table before the
//! timings; `verifier/benches/network-results.md` holds one run.

#![allow(clippy::expect_used, missing_docs)]

use std::hint::black_box;

use attest_json::Value;
use attest_verifier::crypto::sha256;
use attest_verifier::network::{
    check_log_against, inclusion_proof, merkle_root, parse_log, parse_record_proof_value, root_from_inclusion_proof,
    summarize_log, verify_record_proof, LogRules, RecordProof,
};
use attest_verifier::types::Sha256Digest;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const HOSTS: [&str; 5] =
    ["api.example.com", "prices.example.net", "auth.example.org", "cdn.example.com", "scores.example.io"];

/// A valid log of `n` records in the shape of `attest_attestor::network::example_log`
/// (dns / request / response triples over five hosts, canonical lines).
fn log(n: usize) -> String {
    let empty = sha256(b"").to_hex();
    let mut out = String::new();
    let mut request_seq = 0;
    for i in 0..n {
        let t = i / 3;
        let host = HOSTS[t % HOSTS.len()];
        let at = format!("2026-11-21T09:{:02}:{:02}.{:03}Z", (i / 60_000) % 60, (i / 1000) % 60, i % 1000);
        let line = match i % 3 {
            0 => format!(
                r#"{{"answers":["93.184.{}.{}"],"at":"{at}","kind":"dns","name":"{host}","resolver":"1.1.1.1","rrtype":"A","seq":{i}}}"#,
                (t / 250) % 250,
                t % 250 + 1
            ),
            1 => {
                request_seq = i;
                format!(
                    r#"{{"at":"{at}","bodySha256":"{empty}","headers":[["accept","application/json"],["authorization",{{"sha256":"{}"}}]],"kind":"request","method":"GET","seq":{i},"url":"https://{host}/v1/item/{t}?exec=bench"}}"#,
                    sha256(format!("Bearer token-{t}").as_bytes())
                )
            }
            _ => format!(
                r#"{{"at":"{at}","bodySha256":"{}","headers":[["cache-control","no-store"],["content-type","application/json"]],"kind":"response","requestSeq":{request_seq},"seq":{i},"status":200,"tls":{{"cipherSuite":"TLS_AES_128_GCM_SHA256","peerCertificateSha256":"{}","serverName":"{host}","version":"TLSv1.3"}}}}"#,
                sha256(format!("body {t}").as_bytes()),
                sha256(host.as_bytes())
            ),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

const LOG_RECORDS: usize = 10_000;

fn summarize(c: &mut Criterion) {
    let text = log(LOG_RECORDS);
    let bytes = text.as_bytes();
    let summary = summarize_log(bytes, "bench", &LogRules::default()).expect("valid log");
    let expected = summary.digest();
    eprintln!(
        "log: {LOG_RECORDS} records, {} bytes ({:.0} bytes/record)",
        bytes.len(),
        bytes.len() as f64 / LOG_RECORDS as f64
    );
    let mut g = c.benchmark_group("network-log");
    g.throughput(Throughput::Elements(LOG_RECORDS as u64));
    g.sample_size(20);
    g.bench_function(BenchmarkId::new("summarize", LOG_RECORDS), |b| {
        b.iter(|| summarize_log(black_box(bytes), "bench", &LogRules::default()).expect("valid"))
    });
    g.bench_function(BenchmarkId::new("verify", LOG_RECORDS), |b| {
        b.iter(|| check_log_against(black_box(bytes), "bench", &expected, &[]).expect("valid"))
    });
    g.bench_function(BenchmarkId::new("parse-only", LOG_RECORDS), |b| {
        b.iter(|| parse_log(black_box(bytes)).expect("valid"))
    });
    let leaves: Vec<Sha256Digest> = parse_log(bytes).expect("valid").iter().map(|r| r.leaf).collect();
    g.bench_function(BenchmarkId::new("root-only", LOG_RECORDS), |b| b.iter(|| merkle_root(black_box(&leaves))));
    g.finish();
}

/// A typical record (the response line of the bench log) as a proof's record.
fn sample_record() -> Value {
    let text = log(3);
    let line = text.lines().nth(2).unwrap_or_default();
    attest_verifier::doc::parse_json(line.as_bytes()).unwrap_or(Value::Null)
}

fn proofs(c: &mut Criterion) {
    let record = sample_record();
    let mut g = c.benchmark_group("network-proof");
    eprintln!("| leaves | index | path hashes | path bytes | proof document bytes (canonical JSON) |");
    eprintln!("|---:|---:|---:|---:|---:|");
    for n in [10usize, 1_000, 1_000_000] {
        let leaves: Vec<Sha256Digest> = (0..n as u64)
            .map(|i| {
                let mut b = [0u8; 9];
                b[1..].copy_from_slice(&i.to_be_bytes());
                sha256(&b)
            })
            .collect();
        let root = merkle_root(&leaves);
        let index = n / 2 + 1;
        let path = inclusion_proof(&leaves, index).expect("index in range");
        let mut record = record.clone();
        if let Value::Object(o) = &mut record {
            if let Some(seq) = o.get_mut("seq") {
                *seq = Value::Number(attest_json::Number::Int(index as i64));
            }
        }
        let proof =
            RecordProof { record, leaf: leaves[index], index: index as u64, tree_size: n as u64, path: path.clone() };
        let doc = attest_json::to_canonical_string(&proof.to_value());
        eprintln!("| {n} | {index} | {} | {} | {} |", path.len(), path.len() * 32, doc.len());
        assert_eq!(root_from_inclusion_proof(&leaves[index], index as u64, n as u64, &path), Some(root));
        g.bench_function(BenchmarkId::new("verify-path", n), |b| {
            b.iter(|| {
                root_from_inclusion_proof(black_box(&leaves[index]), index as u64, n as u64, black_box(&path))
                    == Some(root)
            })
        });
        // The whole proof document: strict parse, record check and leaf hash, path.
        // (The record is not the leaf of this synthetic tree, so the outcome is
        // "does not lead to the root"; the work done is the same.)
        g.bench_function(BenchmarkId::new("verify-document", n), |b| {
            b.iter(|| {
                let v = attest_verifier::doc::parse_json(black_box(doc.as_bytes())).expect("json");
                let p = parse_record_proof_value(&v).expect("proof");
                verify_record_proof(&p, &root).is_ok()
            })
        });
        if n >= 1_000_000 {
            g.sample_size(10);
        }
        g.bench_function(BenchmarkId::new("build", n), |b| b.iter(|| inclusion_proof(black_box(&leaves), index)));
        g.bench_function(BenchmarkId::new("root", n), |b| b.iter(|| merkle_root(black_box(&leaves))));
    }
    g.finish();
}

criterion_group!(benches, summarize, proofs);
criterion_main!(benches);
