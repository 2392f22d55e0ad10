//! Interleaved timing of one heartbeat verification against a bare
//! ed25519-dalek `verify_strict` of the same PAE (issue: ≤ 1.25×). Batches of
//! the two alternate within one process over ROUNDS rounds; prints
//! min/median/max of the time ratio. The envelope and policy are the golden
//! vector `accept/heartbeat` (the table path of the heartbeat key is warm, as
//! in a long-running verifier). `cargo bench -p attest-verifier --bench heartbeat`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use attest_verifier::heartbeat::parse_heartbeat_policy;
use attest_verifier::trust_root::{parse_root_keys, verify_trust_root_chain_bytes, ChainOptions};
use attest_verifier::{verify_document, Evidence, Timestamp, VerifyContext};

const ROUNDS: usize = 9;
const BATCH: usize = 2000;

fn main() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../test-vectors/vectors/accept__heartbeat.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).expect("vector")).expect("json");
    let s = |k: &str| v[k].as_str().expect("string").to_string();
    let now = Timestamp::parse(&s("now")).expect("now");
    let pinned = parse_root_keys(v["rootKeys"][0].as_str().expect("key")).expect("root key");
    let roots: Vec<Vec<u8>> =
        v["trustRoots"].as_array().expect("roots").iter().map(|t| t.as_str().expect("t").as_bytes().to_vec()).collect();
    let refs: Vec<&[u8]> = roots.iter().map(Vec::as_slice).collect();
    let trust = verify_trust_root_chain_bytes(&refs, &pinned, &ChainOptions { now, min_version: None });
    let evidence = Evidence {
        heartbeat_policy: Some(parse_heartbeat_policy(s("heartbeatPolicy").as_bytes()).expect("policy")),
        ..Evidence::default()
    };
    let ctx = VerifyContext::new(&trust, &evidence, now);
    let doc = s("document").into_bytes();
    // The bare baseline: the heartbeat key's verify_strict of the envelope's PAE.
    let env = attest_verifier::dsse::parse_envelope(&doc).expect("envelope");
    let chain = trust.as_ref().expect("chain");
    let sig = env.signatures()[0].clone();
    let key_bytes: [u8; 32] = *chain
        .newest()
        .key(&sig.key_id().expect("key id"))
        .expect("key")
        .ed25519()
        .expect("ed25519")
        .public_key()
        .as_bytes();
    let vk = ed25519_dalek::VerifyingKey::from_bytes(&key_bytes).expect("key");
    let dalek_sig = ed25519_dalek::Signature::from_slice(sig.sig()).expect("sig");
    let pae = env.pae().to_vec();
    assert!(verify_document(&doc, &ctx).report().valid());
    for _ in 0..64 {
        let _ = verify_document(&doc, &ctx); // warms the key's table
    }
    let (mut bare_us, mut hb_us, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let start = Instant::now();
        let mut ok = 0usize;
        for _ in 0..BATCH {
            ok += usize::from(black_box(vk.verify_strict(black_box(&pae), &dalek_sig).is_ok()));
        }
        let bare = start.elapsed().as_secs_f64() / BATCH as f64;
        let start = Instant::now();
        for _ in 0..BATCH {
            ok += usize::from(black_box(verify_document(black_box(&doc), &ctx).report().valid()));
        }
        let hb = start.elapsed().as_secs_f64() / BATCH as f64;
        assert_eq!(ok, 2 * BATCH);
        eprintln!("round {round}: verify_strict(PAE) {:.1} µs, verify heartbeat {:.1} µs", bare * 1e6, hb * 1e6);
        bare_us.push(bare * 1e6);
        hb_us.push(hb * 1e6);
        ratios.push(hb / bare);
    }
    for v in [&mut bare_us, &mut hb_us, &mut ratios] {
        v.sort_by(f64::total_cmp);
    }
    println!("bare verify_strict of PAE ({} bytes): median {:.1} µs", pae.len(), bare_us[ROUNDS / 2]);
    println!("verify_document(heartbeat envelope): median {:.1} µs", hb_us[ROUNDS / 2]);
    println!(
        "heartbeat / bare time ratio: min {:.3} median {:.3} max {:.3} (target ≤ 1.25)",
        ratios[0],
        ratios[ROUNDS / 2],
        ratios[ROUNDS - 1]
    );
}
