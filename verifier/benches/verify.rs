//! End-to-end verification of one attestation (parse, canonicalize, hash,
//! key lookup, verify) side by side with a bare ed25519-dalek `verify_strict`
//! of the same message, and secp256k1 recovery with libsecp256k1 and k256.
//! `scripts/bench-report` turns one run into the ratios of docs/benchmarks.md.
#![allow(missing_docs)]

use std::hint::black_box;
use std::path::PathBuf;

use attest_verifier::attestation::parse_attestation;
use attest_verifier::trust_root::{verify_trust_root_chain_bytes, ChainOptions};
use attest_verifier::types::Ed25519PublicKey;
use attest_verifier::{verify_attestation, Evidence, Timestamp, VerifyContext};
use criterion::{criterion_group, criterion_main, Criterion};

struct Fixture {
    document: Vec<u8>,
    trust_root: Vec<u8>,
    root_key: Ed25519PublicKey,
    now: Timestamp,
}

fn vector(name: &str) -> Fixture {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/vectors").join(name);
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("vector file")).expect("vector json");
    Fixture {
        document: v["document"].as_str().expect("document").as_bytes().to_vec(),
        trust_root: v["trustRoots"][0].as_str().expect("trust root").as_bytes().to_vec(),
        root_key: Ed25519PublicKey::from_hex(v["rootKeys"][0].as_str().expect("root key")).expect("hex key"),
        now: Timestamp::parse(v["now"].as_str().expect("now")).expect("time"),
    }
}

fn ed25519(c: &mut Criterion) {
    let f = vector("accept__direct-minimal.json");
    let trust =
        verify_trust_root_chain_bytes(&[&f.trust_root], &[f.root_key], &ChainOptions { now: f.now, min_version: None });
    let chain = trust.as_ref().expect("trust root verifies");
    let att = parse_attestation(&f.document).expect("parses");
    let key_entry = chain.newest().key(&att.signer_key_id()).expect("signer listed");
    let key = ed25519_dalek::VerifyingKey::from_bytes(key_entry.ed25519().expect("ed25519").public_key().as_bytes())
        .expect("valid key");
    let sig = ed25519_dalek::Signature::from_bytes(
        attest_verifier::types::Ed25519Signature::from_base64(att.signature()).expect("sig").as_bytes(),
    );
    let message = att.signed().message().to_vec();
    let evidence = Evidence::default();
    let ctx = VerifyContext::new(&trust, &evidence, f.now);
    assert!(verify_attestation(&f.document, &ctx).report().valid());

    let mut g = c.benchmark_group("verify");
    g.bench_function("bare_verify_strict", |b| {
        b.iter(|| black_box(&key).verify_strict(black_box(&message), &sig).is_ok())
    });
    g.bench_function("end_to_end", |b| b.iter(|| verify_attestation(black_box(&f.document), &ctx).report().valid()));
    g.bench_function("parse_only", |b| b.iter(|| parse_attestation(black_box(&f.document)).is_ok()));
    g.finish();
}

fn secp256k1(c: &mut Criterion) {
    let f = vector("accept__delegated-onchain.json");
    let v = attest_verifier::doc::parse_json(&f.document).expect("json");
    let att = attest_verifier::attestation::parse_attestation_value(&v).expect("attestation");
    let domain = att.onchain_domain().expect("domain");
    let digest = attest_verifier::eip712::attestation_digest(&domain, &att.onchain_struct().expect("struct"));
    let sig = attest_verifier::secp256k1::RecoverableSignature::parse(att.onchain_signature().expect("sig"))
        .expect("strict signature");
    let (native, k256) = attest_verifier::secp256k1::recover_both(&sig, &digest);
    assert_eq!(native.expect("recovers"), k256.expect("recovers"));
    let mut g = c.benchmark_group("recover");
    g.bench_function("libsecp256k1", |b| {
        b.iter(|| attest_verifier::secp256k1::recover_both_native(black_box(&sig), &digest))
    });
    g.bench_function("k256", |b| b.iter(|| attest_verifier::secp256k1::recover_both_k256(black_box(&sig), &digest)));
    g.finish();
}

criterion_group!(benches, ed25519, secp256k1);
criterion_main!(benches);
