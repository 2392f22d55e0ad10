//! The `tee` check on Intel's real DCAP sample quotes (dcap-qvl 0.7.1's
//! `sample/`, MIT, © Phala Network: `samples/LICENSE-dcap-qvl`), verified
//! under Intel's SGX Root CA at pinned times inside their collateral
//! windows. No sample binds a key of ours, so a binding whose every other
//! step passes ends in `report-data-mismatch` (the last step); the tests read
//! the step that fails first.

use attest_attestor::keys::MasterSecret;
use attest_attestor::tee::binding;
use attest_attestor::trust_root::{KeyMaterial, KeySpec, TrustRootDraft};
use attest_json::Value;
use attest_tee_verifier::{DcapVerifier, QuoteVerifier, TeePlatform};
use attest_verifier::tee::{PlatformFlag, QuoteMeasurements, TCB_STATUSES};
use attest_verifier::trust_root::{verify_trust_root_chain_bytes, ChainOptions, Role};
use attest_verifier::{Evidence, Timestamp, VerifyContext};

struct Sample {
    quote: &'static [u8],
    collateral: &'static str,
    platform: TeePlatform,
    /// Inside the collateral window.
    at: i64,
    /// The TCB status Intel's collateral gives at `at`.
    status: &'static str,
}

const SGX: Sample = Sample {
    quote: include_bytes!("../samples/sgx_quote"),
    collateral: include_str!("../samples/sgx_quote_collateral.json"),
    platform: TeePlatform::Sgx,
    at: 1_751_624_924, // 2025-07-04T10:28:44Z
    status: "ConfigurationAndSWHardeningNeeded",
};
const TDX: Sample = Sample {
    quote: include_bytes!("../samples/tdx_quote"),
    collateral: include_str!("../samples/tdx_quote_collateral.json"),
    platform: TeePlatform::Tdx,
    at: 1_751_624_655, // 2025-07-04T10:24:15Z
    status: "UpToDate",
};
const TD15EX: Sample = Sample {
    quote: include_bytes!("../samples/tdx_quote_td15ex"),
    collateral: include_str!("../samples/tdx_quote_td15ex_collateral.json"),
    platform: TeePlatform::Tdx,
    at: 1_792_713_448, // 2026-10-22T…
    status: "UpToDate",
};

fn ts(secs: i64) -> Timestamp {
    Timestamp::from_unix(secs, 0)
}

fn json(s: &str) -> Value {
    attest_verifier::doc::parse_json(s.as_bytes()).expect("json")
}

fn hex(b: &[u8]) -> String {
    attest_verifier::types::to_lower_hex(b)
}

/// A trust root (root key + TEE-bound runtime key under `policy`) and the
/// verdict of a binding of that key to `quote`/`collateral` at `bound_at`.
fn verdict_with(
    policy: &str,
    quote: &[u8],
    collateral: &str,
    platform: TeePlatform,
    bound_at: i64,
    qv: &DcapVerifier,
) -> (bool, Option<String>, String) {
    let root = MasterSecret::from_bytes([1; 32]).master_ed25519();
    let key = MasterSecret::from_bytes([2; 32]).master_ed25519();
    let t0 = ts(1_700_000_000);
    let mut d = TrustRootDraft::first(t0, ts(1_900_000_000), 1);
    let spec =
        |k, roles| KeySpec { key: KeyMaterial::ed25519(k), roles, valid_from: t0, valid_until: None, label: None };
    d.add_key(&spec(&root, vec![Role::Root])).expect("root");
    d.add_key(&spec(&key, vec![Role::Runtime])).expect("key");
    d.add_tee_policy(json(policy)).expect("policy");
    d.set_key_tee_policy(&key.key_id().to_hex(), "p").expect("tee");
    let tr = attest_json::to_canonical_vec(&d.sign(&[&root]));
    let trust = verify_trust_root_chain_bytes(
        &[&tr],
        &[root.public_key()],
        &ChainOptions { now: ts(bound_at), min_version: None },
    );
    let b = binding(key.public_key().as_bytes(), platform, ts(bound_at), quote, json(collateral), None);
    let bytes = attest_json::to_canonical_vec(&b);
    let evidence = Evidence::default();
    let ctx = VerifyContext::new(&trust, &evidence, ts(bound_at)).with_tee(qv);
    let outcome = attest_tee_verifier::verify_tee_binding(&bytes, &ctx);
    let r = outcome.report();
    let failed = r.checks().iter().find(|c| c.status == attest_verifier::Status::Fail);
    (
        r.valid(),
        failed.and_then(|c| c.reason).map(|x| x.as_str().to_string()),
        failed.map_or_else(String::new, |c| format!("{}: {}", c.id.as_str(), c.detail)),
    )
}

fn reason_of(policy: &str, s: &Sample) -> (String, String) {
    let (valid, reason, detail) = verdict_with(policy, s.quote, s.collateral, s.platform, s.at, &DcapVerifier::intel());
    assert!(!valid, "no sample binds our key");
    (reason.expect("a failed check has a reason"), detail)
}

fn open_policy(s: &Sample, allowed: &[&str], flags: &[&str]) -> String {
    let list = |v: &[&str]| v.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(",");
    format!(
        r#"{{"name":"p","platform":"{}","{}":{{}},"allowedTcbStatus":[{}],"allowPlatformFlags":[{}],"maxBindingAgeSeconds":86400}}"#,
        s.platform.as_str(),
        s.platform.as_str(),
        list(allowed),
        list(flags)
    )
}

const ALL_FLAGS: &[&str] = &["dynamic-platform", "cached-keys", "smt"];

fn facts(s: &Sample) -> attest_tee_verifier::QuoteFacts {
    DcapVerifier::intel()
        .verify_quote(s.quote, &json(s.collateral), s.at as u64)
        .expect("sample verifies in its window")
}

#[test]
fn the_samples_verify_under_intels_root_with_their_known_status() {
    for s in [&SGX, &TDX, &TD15EX] {
        let f = facts(s);
        assert_eq!(f.tcb_status(), s.status);
        assert!(!f.debug(), "no sample is a debug TD/enclave");
        assert_eq!(f.measurements().platform(), s.platform);
    }
    // Known values (tee-dcap.md, probe-output): the TDX MRTD and RTMR3, the SGX MRENCLAVE and ISVSVN.
    match facts(&TDX).measurements() {
        QuoteMeasurements::Tdx { mrtd, rtmr } => {
            assert!(hex(mrtd).starts_with("91eb2b44") && hex(mrtd).ends_with("18b7"), "{}", hex(mrtd));
            assert_eq!(rtmr[3], [0u8; 48]);
        }
        other => panic!("{other:?}"),
    }
    match facts(&SGX).measurements() {
        QuoteMeasurements::Sgx { mrenclave, isv_svn, .. } => {
            assert!(hex(mrenclave).starts_with("33d8736d") && hex(mrenclave).ends_with("2fbb"));
            assert_eq!(*isv_svn, 0);
        }
        other => panic!("{other:?}"),
    }
    // The SGX sample's report_data is "Hello, world!" and zeros.
    assert!(facts(&SGX).report_data().starts_with(b"Hello, world!"));
}

#[test]
fn each_tcb_status_is_accepted_only_when_allowed() {
    for s in [&SGX, &TDX, &TD15EX] {
        for status in TCB_STATUSES {
            let (reason, detail) = reason_of(&open_policy(s, &[status], ALL_FLAGS), s);
            if *status == s.status {
                assert_eq!(reason, "report-data-mismatch", "{status} allowed: {detail}");
            } else {
                assert_eq!(reason, "tcb-status", "{status} only: {detail}");
                assert!(detail.contains(s.status), "{detail}");
            }
        }
        // Allowed among others.
        let (reason, _) = reason_of(&open_policy(s, TCB_STATUSES, ALL_FLAGS), s);
        assert_eq!(reason, "report-data-mismatch");
    }
}

#[test]
fn each_platform_flag_set_by_the_pck_certificate_must_be_allowed() {
    let mut seen = Vec::new();
    for s in [&SGX, &TDX, &TD15EX] {
        let set: Vec<&str> = facts(s).flags().iter().map(|f| f.as_str()).collect();
        for flag in &set {
            seen.push(flag.to_string());
            let others: Vec<&str> = ALL_FLAGS.iter().copied().filter(|f| f != flag).collect();
            let (reason, detail) = reason_of(&open_policy(s, &[s.status], &others), s);
            assert_eq!(reason, "platform-flag", "{detail}");
            assert!(set.iter().any(|f| detail.contains(f)), "{detail}");
        }
        let (reason, detail) = reason_of(&open_policy(s, &[s.status], &set), s);
        assert_eq!(reason, "report-data-mismatch", "exactly the set flags allowed: {detail}");
        if set.is_empty() {
            let (reason, _) = reason_of(&open_policy(s, &[s.status], &[]), s);
            assert_eq!(reason, "report-data-mismatch");
        }
    }
    // The TDX sample's PCK certificate sets dynamic-platform and cached-keys (tee-dcap.md).
    assert!(seen.contains(&"dynamic-platform".to_string()) && seen.contains(&"cached-keys".to_string()), "{seen:?}");
    assert!(PlatformFlag::ALL.len() == 3);
}

fn tdx_policy(members: &[(&str, String)]) -> String {
    let m: Vec<String> = members.iter().map(|(k, v)| format!("{k:?}:{v:?}")).collect();
    format!(
        r#"{{"name":"p","platform":"tdx","tdx":{{{}}},"allowedTcbStatus":["UpToDate"],"allowPlatformFlags":["dynamic-platform","cached-keys","smt"],"maxBindingAgeSeconds":86400}}"#,
        m.join(",")
    )
}

fn flip(mut b: Vec<u8>) -> Vec<u8> {
    if let Some(x) = b.last_mut() {
        *x ^= 1;
    }
    b
}

#[test]
fn each_tdx_measurement_is_compared_when_pinned() {
    for s in [&TDX, &TD15EX] {
        let QuoteMeasurements::Tdx { mrtd, rtmr } = facts(s).measurements().clone() else { panic!("tdx") };
        let mut all = vec![("mrtd", hex(&mrtd))];
        for (i, r) in rtmr.iter().enumerate() {
            all.push((["rtmr0", "rtmr1", "rtmr2", "rtmr3"][i], hex(r)));
        }
        let (reason, detail) = reason_of(&tdx_policy(&all), s);
        assert_eq!(reason, "report-data-mismatch", "every member matches: {detail}");
        for i in 0..all.len() {
            let mut one = all.clone();
            let (name, value) = one[i].clone();
            let wrong = flip(attest_verifier_hex(&value));
            one[i] = (name, hex(&wrong));
            let (reason, detail) = reason_of(&tdx_policy(&one), s);
            assert_eq!(reason, "measurement-mismatch", "{name}: {detail}");
            assert!(detail.contains(name), "{detail}");
            // Pinned alone.
            let (reason, _) = reason_of(&tdx_policy(&[(name, hex(&wrong))]), s);
            assert_eq!(reason, "measurement-mismatch");
            let (reason, _) = reason_of(&tdx_policy(&[(name, value)]), s);
            assert_eq!(reason, "report-data-mismatch");
        }
    }
}

fn attest_verifier_hex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("hex")
}

#[test]
fn each_sgx_identity_member_is_compared_when_pinned() {
    let QuoteMeasurements::Sgx { mrenclave, mrsigner, isv_prod_id, isv_svn } = facts(&SGX).measurements().clone()
    else {
        panic!("sgx")
    };
    let policy = |m: &str| {
        format!(
            r#"{{"name":"p","platform":"sgx","sgx":{{{m}}},"allowedTcbStatus":["ConfigurationAndSWHardeningNeeded"],"allowPlatformFlags":["dynamic-platform","cached-keys","smt"],"maxBindingAgeSeconds":86400}}"#
        )
    };
    let good = format!(
        r#""mrenclave":"{}","mrsigner":"{}","isvProdId":{isv_prod_id},"minIsvSvn":{isv_svn}"#,
        hex(&mrenclave),
        hex(&mrsigner)
    );
    assert_eq!(reason_of(&policy(&good), &SGX).0, "report-data-mismatch");
    let cases = [
        ("mrenclave", format!(r#""mrenclave":"{}""#, hex(&flip(mrenclave.to_vec())))),
        ("mrsigner", format!(r#""mrsigner":"{}""#, hex(&flip(mrsigner.to_vec())))),
        ("isvProdId", format!(r#""isvProdId":{}"#, isv_prod_id + 1)),
        ("minIsvSvn", format!(r#""minIsvSvn":{}"#, isv_svn + 1)),
    ];
    for (name, m) in cases {
        let (reason, detail) = reason_of(&policy(&m), &SGX);
        assert_eq!(reason, "measurement-mismatch", "{name}");
        assert!(detail.contains(name), "{detail}");
    }
    for m in [
        format!(r#""mrenclave":"{}""#, hex(&mrenclave)),
        format!(r#""mrsigner":"{}""#, hex(&mrsigner)),
        format!(r#""isvProdId":{isv_prod_id}"#),
        format!(r#""minIsvSvn":{isv_svn}"#),
    ] {
        assert_eq!(reason_of(&policy(&m), &SGX).0, "report-data-mismatch", "{m}");
    }
}

#[test]
fn debug_is_refused_unless_allowed_and_the_samples_are_not_debug() {
    // The samples are production TDs/enclaves: allowDebug false accepts them.
    for s in [&SGX, &TDX] {
        let p = open_policy(s, &[s.status], ALL_FLAGS)
            .replace("\"allowPlatformFlags\"", "\"allowDebug\":false,\"allowPlatformFlags\"");
        assert_eq!(reason_of(&p, s).0, "report-data-mismatch");
    }
}

#[test]
fn collateral_outside_its_window_is_expired_or_not_yet_valid() {
    let qv = DcapVerifier::intel();
    for s in [&SGX, &TDX, &TD15EX] {
        let p = open_policy(s, TCB_STATUSES, ALL_FLAGS);
        let (_, reason, detail) = verdict_with(&p, s.quote, s.collateral, s.platform, s.at + 40 * 86_400, &qv);
        assert_eq!(reason.as_deref(), Some("collateral-expired"), "{detail}");
        let (_, reason, detail) = verdict_with(&p, s.quote, s.collateral, s.platform, s.at - 40 * 86_400, &qv);
        assert_eq!(reason.as_deref(), Some("collateral-not-yet-valid"), "{detail}");
    }
    // Today (2026-12-01) every sample's collateral is past nextUpdate.
    let p = open_policy(&TDX, TCB_STATUSES, ALL_FLAGS);
    let (_, reason, _) = verdict_with(&p, TDX.quote, TDX.collateral, TDX.platform, 1_796_083_200, &qv);
    assert_eq!(reason.as_deref(), Some("collateral-expired"));
}

#[test]
fn tampered_quote_bytes_fail_the_signature() {
    let qv = DcapVerifier::intel();
    for s in [&SGX, &TDX, &TD15EX] {
        let p = open_policy(s, TCB_STATUSES, ALL_FLAGS);
        // report_data is the last 64 bytes of the report body (SGX body at 48..432, TD at 48..632).
        let rd_end = if s.platform == TeePlatform::Sgx { 432 } else { 632 };
        for at in [rd_end - 1, rd_end - 64, 48 + 16 * 8] {
            let mut q = s.quote.to_vec();
            q[at] ^= 0x01;
            let (_, reason, detail) = verdict_with(&p, &q, s.collateral, s.platform, s.at, &qv);
            assert_eq!(reason.as_deref(), Some("bad-quote-signature"), "byte {at}: {detail}");
        }
        let (_, reason, _) = verdict_with(&p, &s.quote[..100], s.collateral, s.platform, s.at, &qv);
        assert_eq!(reason.as_deref(), Some("malformed-quote"));
    }
}

#[test]
fn tampered_collateral_bytes_fail_the_collateral_signature() {
    let qv = DcapVerifier::intel();
    for s in [&SGX, &TDX, &TD15EX] {
        let p = open_policy(s, TCB_STATUSES, ALL_FLAGS);
        for (member, from, to) in [
            ("tcb_info", "\"tcbEvaluationDataNumber\":", "\"tcbEvaluationDataNumber\":1"),
            ("qe_identity", "\"isvprodid\":", "\"isvprodid\":1"),
        ] {
            let mut c = json(s.collateral);
            let Value::Object(o) = &mut c else { panic!() };
            let Some(Value::String(text)) = o.get(member).cloned() else { panic!("{member}") };
            assert!(text.contains(from), "{member}");
            attest_attestor::json::set(o, member, Value::String(text.replacen(from, to, 1)));
            let c = String::from_utf8(attest_json::to_canonical_vec(&c)).expect("utf8");
            let (_, reason, detail) = verdict_with(&p, s.quote, &c, s.platform, s.at, &qv);
            assert_eq!(reason.as_deref(), Some("bad-collateral-signature"), "{member}: {detail}");
        }
        // A signature byte changed.
        let mut c = json(s.collateral);
        let Value::Object(o) = &mut c else { panic!() };
        let Some(Value::String(sig)) = o.get("tcb_info_signature").cloned() else { panic!() };
        let flipped: String = sig.chars().rev().collect();
        attest_attestor::json::set(o, "tcb_info_signature", Value::String(flipped));
        let c = String::from_utf8(attest_json::to_canonical_vec(&c)).expect("utf8");
        let (_, reason, detail) = verdict_with(&p, s.quote, &c, s.platform, s.at, &qv);
        assert_eq!(reason.as_deref(), Some("bad-collateral-signature"), "{detail}");
        // Not collateral at all.
        let (_, reason, _) = verdict_with(&p, s.quote, r#"{"tcb_info":"x"}"#, s.platform, s.at, &qv);
        assert_eq!(reason.as_deref(), Some("malformed-collateral"));
    }
}

#[test]
fn a_real_quote_that_does_not_bind_the_key_is_report_data_mismatch() {
    for s in [&SGX, &TDX, &TD15EX] {
        let (reason, detail) = reason_of(&open_policy(s, &[s.status], ALL_FLAGS), s);
        assert_eq!(reason, "report-data-mismatch");
        assert!(detail.contains(&hex(facts(s).report_data())), "{detail}");
    }
}

#[test]
fn the_outdated_td15_sample_has_no_matching_tcb_level() {
    let p = open_policy(&TDX, TCB_STATUSES, ALL_FLAGS);
    let (_, reason, detail) = verdict_with(
        &p,
        include_bytes!("../samples/tdx_quote_outdated"),
        include_str!("../samples/tdx_quote_outdated_collateral.json"),
        TeePlatform::Tdx,
        1_772_323_200, // 2026-03-01
        &DcapVerifier::intel(),
    );
    assert_eq!(reason.as_deref(), Some("no-tcb-level"), "{detail}");
}

#[test]
fn platforms_must_agree() {
    // An SGX policy for a key whose binding claims SGX but carries a TDX quote.
    let p = open_policy(&SGX, TCB_STATUSES, ALL_FLAGS);
    let (_, reason, _) = verdict_with(&p, TDX.quote, TDX.collateral, TeePlatform::Sgx, TDX.at, &DcapVerifier::intel());
    assert_eq!(reason.as_deref(), Some("platform-mismatch"));
    // A TDX binding under an SGX policy.
    let (_, reason, _) = verdict_with(&p, TDX.quote, TDX.collateral, TeePlatform::Tdx, TDX.at, &DcapVerifier::intel());
    assert_eq!(reason.as_deref(), Some("platform-mismatch"));
}
