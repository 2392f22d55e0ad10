//! Interleaved timing of fork-evidence verification against one bare
//! ed25519-dalek `verify_strict` of a checkpoint note by the log key
//! (docs/benchmarks.md §7). Batches of the two alternate within one process
//! over ROUNDS rounds; prints min/median/max of the time ratio. The
//! evidence is the golden vector `accept/fork-larger-size` (two log
//! signatures, an RFC 9162 consistency computation, the trust-root key
//! lookup) and `accept/fork-reported` (plus the reporter's signature).
//! `cargo bench -p attest-verifier --bench fork`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use attest_verifier::checkpoint::{parse_note, VerifierKey};
use attest_verifier::trust_root::{parse_root_keys, verify_trust_root_chain_bytes, ChainOptions};
use attest_verifier::{verify_document, Evidence, Timestamp, VerifyContext};

const ROUNDS: usize = 9;
const BATCH: usize = 2000;

fn main() {
    for name in ["accept__fork-larger-size.json", "accept__fork-reported.json"] {
        let path = format!("{}/../test-vectors/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).expect("vector")).expect("json");
        let s = |k: &str| v[k].as_str().expect("string").to_string();
        let now = Timestamp::parse(&s("now")).expect("now");
        let pinned = parse_root_keys(v["rootKeys"][0].as_str().expect("key")).expect("root key");
        let roots: Vec<Vec<u8>> = v["trustRoots"]
            .as_array()
            .expect("roots")
            .iter()
            .map(|t| t.as_str().expect("t").as_bytes().to_vec())
            .collect();
        let refs: Vec<&[u8]> = roots.iter().map(Vec::as_slice).collect();
        let trust = verify_trust_root_chain_bytes(&refs, &pinned, &ChainOptions { now, min_version: None });
        let evidence = Evidence::default();
        let ctx = VerifyContext::new(&trust, &evidence, now);
        let doc = s("document").into_bytes();
        assert!(verify_document(&doc, &ctx).report().valid(), "{name} verifies");
        // The bare baseline: the log key's verify_strict of checkpoint A's text.
        let ev: serde_json::Value = serde_json::from_slice(&doc).expect("evidence json");
        let key = VerifierKey::parse(ev["logKey"].as_str().expect("logKey")).expect("log key");
        let note = parse_note(ev["a"].as_str().expect("a").as_bytes()).expect("note");
        let line = note.signatures().iter().find(|l| l.key_id() == key.key_id()).expect("log signature");
        let vk = ed25519_dalek::VerifyingKey::from_bytes(key.public_key().as_bytes()).expect("key");
        let sig = ed25519_dalek::Signature::from_slice(line.signature()).expect("sig");
        let text = note.text().as_bytes().to_vec();
        assert!(vk.verify_strict(&text, &sig).is_ok());
        let (mut bare_us, mut fork_us, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            let start = Instant::now();
            let mut ok = 0usize;
            for _ in 0..BATCH {
                ok += usize::from(black_box(vk.verify_strict(black_box(&text), &sig).is_ok()));
            }
            let bare = start.elapsed().as_secs_f64() / BATCH as f64;
            let start = Instant::now();
            for _ in 0..BATCH {
                ok += usize::from(black_box(verify_document(black_box(&doc), &ctx).report().valid()));
            }
            let fork = start.elapsed().as_secs_f64() / BATCH as f64;
            assert_eq!(ok, 2 * BATCH);
            bare_us.push(bare * 1e6);
            fork_us.push(fork * 1e6);
            ratios.push(fork / bare);
        }
        for v in [&mut bare_us, &mut fork_us, &mut ratios] {
            v.sort_by(f64::total_cmp);
        }
        println!(
            "{name}: bare verify_strict median {:.1} µs, verify_document(fork evidence) median {:.1} µs; ratio min {:.2} median {:.2} max {:.2} ({ROUNDS} rounds of {BATCH}, interleaved)",
            bare_us[ROUNDS / 2],
            fork_us[ROUNDS / 2],
            ratios[0],
            ratios[ROUNDS / 2],
            ratios[ROUNDS - 1]
        );
    }
}
