//! The `tee` check against a bare dcap-qvl `verify` of the same quote,
//! interleaved in one process (docs/benchmarks.md §8):
//!
//! ```text
//! cargo run --release -p attest-tee-verifier --example bench_tee [-- ROUNDS BATCH]
//! ```
//!
//! - bare: `serde_json::from_str::<QuoteCollateralV3>` of the collateral and
//!   `QuoteVerifier::new(root).verify(quote, &collateral, boundAt)` — what
//!   any caller of dcap-qvl does with a quote and its collateral JSON;
//! - tee: `verify_tee_binding` of the binding document's bytes (strict JSON
//!   parse, the key and policy lookup, the quote verification, the policy's
//!   checks, report_data, the age, the report).
//!
//! Batches alternate (bare, tee, bare, tee, …); each round's per-operation
//! time is the batch time over its size. Printed: min / median / max of the
//! rounds for each, and of the per-round ratio tee / bare.

use std::time::Instant;

use attest_attestor::json::to_pretty;
use attest_attestor::keys::MasterSecret;
use attest_attestor::tee::binding;
use attest_attestor::trust_root::{KeyMaterial, KeySpec, TrustRootDraft};
use attest_tee_verifier::{DcapVerifier, TeePlatform};
use attest_verifier::trust_root::{verify_trust_root_chain_bytes, ChainOptions, Role};
use attest_verifier::{Evidence, Timestamp, VerifyContext};

const QUOTE: &[u8] = include_bytes!("../test-pki/tdx-bound.quote");
const COLLATERAL: &str = include_str!("../test-pki/tdx-collateral.json");
const ROOT: &[u8] = include_bytes!("../test-pki/root-ca.der");
const POLICY: &str = r#"{"name":"p","platform":"tdx","tdx":{"rtmr3":"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"},"allowedTcbStatus":["UpToDate"],"allowPlatformFlags":["dynamic-platform","cached-keys","smt"],"maxBindingAgeSeconds":86400}"#;

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap_or(Timestamp::from_unix(0, 0))
}

fn stats(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    (v[0], if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }, v[n - 1])
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let rounds: usize = args.next().map_or(Ok(9), |s| s.parse())?;
    let batch: usize = args.next().map_or(Ok(200), |s| s.parse())?;

    let root = MasterSecret::from_bytes([1; 32]).master_ed25519();
    let key = MasterSecret::from_bytes(*attest_verifier::crypto::sha256(b"attest.vectors.tee.runtime").as_bytes())
        .master_ed25519();
    let t0 = t("2026-01-01T00:00:00Z");
    let mut d = TrustRootDraft::first(t0, t("2027-12-31T00:00:00Z"), 1);
    for (k, role) in [(&root, Role::Root), (&key, Role::Runtime)] {
        d.add_key(&KeySpec {
            key: KeyMaterial::ed25519(k),
            roles: vec![role],
            valid_from: t0,
            valid_until: None,
            label: None,
        })?;
    }
    d.add_tee_policy(attest_verifier::doc::parse_json(POLICY.as_bytes())?)?;
    d.set_key_tee_policy(&key.key_id().to_hex(), "p")?;
    let tr = attest_json::to_canonical_vec(&d.sign(&[&root]));
    let now = t("2026-11-21T12:00:00Z");
    let trust = verify_trust_root_chain_bytes(&[&tr], &[root.public_key()], &ChainOptions { now, min_version: None });
    let bound_at = t("2026-11-21T10:00:00Z");
    let collateral = attest_verifier::doc::parse_json(COLLATERAL.as_bytes())?;
    let doc = to_pretty(&binding(key.public_key().as_bytes(), TeePlatform::Tdx, bound_at, QUOTE, collateral, None))
        .into_bytes();
    let evidence = Evidence::default();
    let dcap = DcapVerifier::with_root_ca(ROOT)?;
    let ctx = VerifyContext::new(&trust, &evidence, now).with_tee(&dcap);
    let at = bound_at.unix_seconds() as u64;

    let bare = || -> bool {
        let c: dcap_qvl::QuoteCollateralV3 = match serde_json::from_str(COLLATERAL) {
            Ok(c) => c,
            Err(_) => return false,
        };
        dcap_qvl::verify::QuoteVerifier::new(ROOT.to_vec()).verify(QUOTE, &c, at).is_ok()
    };
    let tee = || attest_tee_verifier::verify_tee_binding(&doc, &ctx).report().valid();
    assert!(bare(), "bare verify accepts the quote");
    assert!(tee(), "the tee check accepts the binding");
    // Warm-up.
    for _ in 0..batch / 4 {
        std::hint::black_box(bare());
        std::hint::black_box(tee());
    }
    let (mut b, mut e, mut ratio) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let s = Instant::now();
        for _ in 0..batch {
            std::hint::black_box(bare());
        }
        let bt = s.elapsed().as_secs_f64() * 1e3 / batch as f64;
        let s = Instant::now();
        for _ in 0..batch {
            std::hint::black_box(tee());
        }
        let et = s.elapsed().as_secs_f64() * 1e3 / batch as f64;
        b.push(bt);
        e.push(et);
        ratio.push(et / bt);
    }
    let (b0, b1, b2) = stats(b);
    let (e0, e1, e2) = stats(e);
    let (r0, r1, r2) = stats(ratio);
    println!("{rounds} rounds x {batch} per batch, interleaved (ms per operation: min / median / max)");
    println!("| bare dcap-qvl verify (collateral JSON parse + verify) | {b0:.3} / {b1:.3} / {b2:.3} ms |");
    println!("| tee check (verify_tee_binding of the binding bytes) | {e0:.3} / {e1:.3} / {e2:.3} ms |");
    println!("| ratio tee / bare, per round | {r0:.3} / {r1:.3} / {r2:.3} |");
    // Parts of the overhead, each alone (median of `rounds` batches).
    let part = |f: &dyn Fn() -> bool| {
        let mut v = Vec::new();
        for _ in 0..rounds {
            let s = Instant::now();
            for _ in 0..batch {
                std::hint::black_box(f());
            }
            v.push(s.elapsed().as_secs_f64() * 1e6 / batch as f64);
        }
        stats(v).1
    };
    let parse = part(&|| attest_verifier::tee::parse_tee_binding(&doc).is_ok());
    let json_only = part(&|| attest_verifier::doc::parse_json(&doc).is_ok());
    let value = attest_verifier::doc::parse_json(&doc)?;
    let canonical = part(&|| !attest_json::to_canonical_vec(&value).is_empty());
    let collateral_serde = part(&|| serde_json::from_str::<dcap_qvl::QuoteCollateralV3>(COLLATERAL).is_ok());
    println!("| parts (median µs): binding parsed into a TeeBinding {parse:.1} (of which strict JSON parse {json_only:.1}, canonical bytes {canonical:.1}), serde parse of the collateral (bare) {collateral_serde:.1}; binding {} bytes |", doc.len());
    Ok(())
}
