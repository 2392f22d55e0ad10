//! Hostile input through the whole verifier: random byte mutations and
//! truncations of accepted vectors never panic, and a mutated document that
//! still verifies must have the original digest (only bytes outside the
//! canonical form — whitespace, member order — may change).

use std::path::PathBuf;

use attest_verifier::trust_root::{verify_trust_root_chain_bytes, ChainOptions};
use attest_verifier::types::Ed25519PublicKey;
use attest_verifier::{verify_document, Evidence, Timestamp, VerifyContext};

fn vector(name: &str) -> serde_json::Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/vectors").join(name);
    serde_json::from_slice(&std::fs::read(p).expect("vector")).expect("json")
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn mutations_never_panic_and_never_forge() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for name in ["accept__direct-minimal.json", "accept__delegated-onchain.json", "accept__direct-onchain.json"] {
        let v = vector(name);
        let doc = v["document"].as_str().expect("document").as_bytes().to_vec();
        let root = v["trustRoots"][0].as_str().expect("root").as_bytes().to_vec();
        let key = Ed25519PublicKey::from_hex(v["rootKeys"][0].as_str().expect("key")).expect("hex");
        let now = Timestamp::parse(v["now"].as_str().expect("now")).expect("time");
        let trust = verify_trust_root_chain_bytes(&[&root], &[key], &ChainOptions { now, min_version: None });
        let evidence = Evidence::default();
        let ctx = VerifyContext::new(&trust, &evidence, now);
        let original = verify_document(&doc, &ctx).into_report();
        assert!(original.valid(), "{name}");
        for i in 0..1500 {
            let mut m = doc.clone();
            match i % 3 {
                0 => {
                    let idx = (rng.next() as usize) % m.len();
                    m[idx] = rng.next() as u8;
                }
                1 => {
                    let cut = (rng.next() as usize) % m.len();
                    m.truncate(cut);
                }
                _ => {
                    let idx = (rng.next() as usize) % m.len();
                    let b = m[idx];
                    m.insert(idx, b);
                }
            }
            let r = verify_document(&m, &ctx);
            assert_eq!(r.verified().is_some(), r.report().valid());
            let r = r.into_report();
            if r.valid() {
                assert_eq!(
                    r.digest(),
                    original.digest(),
                    "{name}: a different document verified:\n{}",
                    String::from_utf8_lossy(&m)
                );
            }
        }
    }
}
