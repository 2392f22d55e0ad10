//! The positive binding end to end on synthetic quotes signed under the
//! repository's test PKI (`test-pki/`, written by `examples/test_pki.rs`:
//! Intel's real TDX sample with a new attestation key, PCK chain, TCB info
//! and QE identity signatures, and report_data binding the vectors' runtime
//! key), verified under that root (`--tee-root-ca`); the same quotes are
//! refused under Intel's root.

use attest_attestor::json::to_pretty;
use attest_attestor::keys::MasterSecret;
use attest_attestor::scenario::Scenario;
use attest_attestor::tee::binding;
use attest_attestor::trust_root::{KeyMaterial, KeySpec, TrustRootDraft};
use attest_json::Value;
use attest_tee_verifier::{DcapVerifier, QuoteVerifier, TeePlatform};
use attest_verifier::trust_root::{verify_trust_root_chain_bytes, ChainOptions, Role};
use attest_verifier::{verify_document, Evidence, Report, Status, Timestamp, VerifyContext};

const BOUND: &[u8] = include_bytes!("../test-pki/tdx-bound.quote");
const BOUND_NONCE: &[u8] = include_bytes!("../test-pki/tdx-bound-nonce.quote");
const DEBUG: &[u8] = include_bytes!("../test-pki/tdx-debug.quote");
const COLLATERAL: &str = include_str!("../test-pki/tdx-collateral.json");
const ROOT: &[u8] = include_bytes!("../test-pki/root-ca.der");

const POLICY: &str = r#"{"name":"p","platform":"tdx","tdx":{"rtmr3":"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"},"allowedTcbStatus":["UpToDate"],"allowPlatformFlags":["dynamic-platform","cached-keys","smt"],"maxBindingAgeSeconds":86400}"#;

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).expect("time")
}

fn json(s: &str) -> Value {
    attest_verifier::doc::parse_json(s.as_bytes()).expect("json")
}

/// The vectors' TEE-bound runtime key (the quotes bind it).
fn runtime() -> MasterSecret {
    MasterSecret::from_bytes(*attest_verifier::crypto::sha256(b"attest.vectors.tee.runtime").as_bytes())
}

fn root_key() -> MasterSecret {
    MasterSecret::from_bytes([1; 32])
}

fn trust_root(policy: &str) -> Vec<u8> {
    let root = root_key().master_ed25519();
    let key = runtime().master_ed25519();
    let t0 = t("2026-01-01T00:00:00Z");
    let mut d = TrustRootDraft::first(t0, t("2027-12-31T00:00:00Z"), 1);
    let spec = |k: &attest_attestor::Ed25519Signer, roles| KeySpec {
        key: KeyMaterial::ed25519(k),
        roles,
        valid_from: t0,
        valid_until: None,
        label: None,
    };
    d.add_key(&spec(&root, vec![Role::Root])).expect("root");
    d.add_key(&spec(&key, vec![Role::Runtime, Role::Heartbeat])).expect("key");
    d.add_tee_policy(json(policy)).expect("policy");
    d.set_key_tee_policy(&key.key_id().to_hex(), "p").expect("tee");
    attest_json::to_canonical_vec(&d.sign(&[&root]))
}

fn bind(quote: &[u8], bound_at: &str, nonce: Option<&[u8; 32]>) -> Vec<u8> {
    let pk = runtime().master_ed25519().public_key();
    to_pretty(&binding(pk.as_bytes(), TeePlatform::Tdx, t(bound_at), quote, json(COLLATERAL), nonce)).into_bytes()
}

fn verify(doc: &[u8], bindings: Vec<Vec<u8>>, policy: &str, now: &str, qv: &DcapVerifier) -> Report {
    let tr = trust_root(policy);
    let trust = verify_trust_root_chain_bytes(
        &[&tr],
        &[root_key().master_ed25519().public_key()],
        &ChainOptions { now: t(now), min_version: None },
    );
    let evidence = Evidence { tee_bindings: bindings, ..Evidence::default() };
    let ctx = VerifyContext::new(&trust, &evidence, t(now)).with_tee(qv);
    verify_document(doc, &ctx).into_report()
}

fn first_failure(r: &Report) -> Option<(String, String, String)> {
    r.checks().iter().find(|c| c.status == Status::Fail).map(|c| {
        (c.id.as_str().to_string(), c.reason.map(|x| x.as_str().to_string()).unwrap_or_default(), c.detail.clone())
    })
}

fn test_root() -> DcapVerifier {
    DcapVerifier::with_root_ca(ROOT).expect("root")
}

const BOUND_AT: &str = "2026-11-21T10:00:00Z";

#[test]
fn a_bound_quote_verifies_under_the_test_root_and_says_so() {
    let r = verify(&bind(BOUND, BOUND_AT, None), vec![], POLICY, "2026-11-21T12:00:00Z", &test_root());
    assert!(r.valid(), "{:?}", first_failure(&r));
    let tee = r.checks().iter().find(|c| c.id.as_str() == "tee").expect("tee");
    assert_eq!(tee.status, Status::Pass);
    assert!(tee.detail.contains("--tee-root-ca") && tee.detail.contains("not Intel"), "{}", tee.detail);
    assert!(tee.detail.contains("no nonce"), "{}", tee.detail);
}

#[test]
fn the_test_quotes_are_refused_under_intels_root() {
    for q in [BOUND, BOUND_NONCE, DEBUG] {
        let r = verify(&bind(q, BOUND_AT, None), vec![], POLICY, "2026-11-21T12:00:00Z", &DcapVerifier::intel());
        let (id, reason, detail) = first_failure(&r).expect("refused");
        assert_eq!((id.as_str(), reason.as_str()), ("tee", "bad-collateral-signature"), "{detail}");
        assert!(detail.contains("Intel SGX Root CA"), "{detail}");
    }
}

#[test]
fn a_nonce_is_the_second_half_of_report_data() {
    let nonce = [0x42u8; 32];
    let r = verify(&bind(BOUND_NONCE, BOUND_AT, Some(&nonce)), vec![], POLICY, "2026-11-21T12:00:00Z", &test_root());
    assert!(r.valid(), "{:?}", first_failure(&r));
    for (q, n) in [(BOUND_NONCE, None), (BOUND, Some(&nonce)), (BOUND_NONCE, Some(&[0x43u8; 32]))] {
        let r = verify(&bind(q, BOUND_AT, n), vec![], POLICY, "2026-11-21T12:00:00Z", &test_root());
        assert_eq!(first_failure(&r).map(|f| f.1).as_deref(), Some("report-data-mismatch"));
    }
}

#[test]
fn debug_tds_need_allow_debug() {
    let r = verify(&bind(DEBUG, BOUND_AT, None), vec![], POLICY, "2026-11-21T12:00:00Z", &test_root());
    assert_eq!(first_failure(&r).map(|f| f.1).as_deref(), Some("tee-debug"));
    let allow = POLICY.replace(r#""allowPlatformFlags""#, r#""allowDebug":true,"allowPlatformFlags""#);
    let r = verify(&bind(DEBUG, BOUND_AT, None), vec![], &allow, "2026-11-21T12:00:00Z", &test_root());
    assert!(r.valid(), "{:?}", first_failure(&r));
    // The non-debug quote passes either way.
    let r = verify(&bind(BOUND, BOUND_AT, None), vec![], &allow, "2026-11-21T12:00:00Z", &test_root());
    assert!(r.valid());
}

#[test]
fn the_collateral_window_bounds_bound_at() {
    for (at, reason) in
        [("2027-01-15T00:00:00Z", "collateral-expired"), ("2026-10-15T00:00:00Z", "collateral-not-yet-valid")]
    {
        let r = verify(&bind(BOUND, at, None), vec![], POLICY, at, &test_root());
        assert_eq!(first_failure(&r).map(|f| f.1).as_deref(), Some(reason), "{at}");
    }
}

#[test]
fn a_binding_alone_is_current_for_max_binding_age_seconds() {
    let b = bind(BOUND, BOUND_AT, None);
    assert!(verify(&b, vec![], POLICY, "2026-11-22T10:00:00Z", &test_root()).valid(), "exactly boundAt + 86400");
    let r = verify(&b, vec![], POLICY, "2026-11-22T10:00:01Z", &test_root());
    assert_eq!(first_failure(&r).map(|f| f.1).as_deref(), Some("binding-age"));
    // boundAt in the future (beyond the clock skew) is refused before the quote is checked.
    let r = verify(&b, vec![], POLICY, "2026-11-21T09:00:00Z", &test_root());
    assert_eq!(first_failure(&r).map(|f| (f.0, f.1)), Some(("signer".into(), "issued-in-future".into())));
}

fn attestation(issued: &str) -> Vec<u8> {
    let s = Scenario::new("tee").expect("scenario");
    let mut d = s.draft("exec-tee").expect("draft");
    d.issued_at = t(issued);
    to_pretty(&d.sign_with_runtime(&runtime().master_ed25519(), None).expect("sign")).into_bytes()
}

#[test]
fn an_attestation_by_the_bound_key_needs_its_binding_for_its_time() {
    let b = bind(BOUND, BOUND_AT, None);
    let now = "2026-11-22T12:00:00Z";
    let ok = verify(&attestation("2026-11-21T11:00:00Z"), vec![b.clone()], POLICY, now, &test_root());
    assert!(ok.valid(), "{:?}", first_failure(&ok));
    assert!(ok.checks().iter().any(|c| c.id.as_str() == "tee" && c.status == Status::Pass));
    let missing = verify(&attestation("2026-11-21T11:00:00Z"), vec![], POLICY, now, &test_root());
    assert_eq!(first_failure(&missing).map(|f| f.1).as_deref(), Some("tee-binding-missing"));
    for issued in ["2026-11-21T09:59:59Z", "2026-11-22T10:00:01Z"] {
        let r = verify(&attestation(issued), vec![b.clone()], POLICY, now, &test_root());
        let (id, reason, detail) = first_failure(&r).expect("refused");
        assert_eq!((id.as_str(), reason.as_str()), ("tee", "binding-age"), "{issued}: {detail}");
    }
    // Several bindings for the key (docs/spec.md §13.3): covering ones are tried in
    // order until one verifies, so a failing first one does not hide a good second.
    let r = verify(
        &attestation("2026-11-21T11:00:00Z"),
        vec![bind(DEBUG, BOUND_AT, None), b.clone()],
        POLICY,
        now,
        &test_root(),
    );
    assert!(r.valid(), "{:?}", first_failure(&r));
    // Only failing covering ones: the first covering one's failure.
    let r = verify(
        &attestation("2026-11-21T11:00:00Z"),
        vec![bind(DEBUG, BOUND_AT, None), bind(BOUND, "2026-11-19T10:00:00Z", None)],
        POLICY,
        now,
        &test_root(),
    );
    assert_eq!(first_failure(&r).map(|f| f.1).as_deref(), Some("tee-debug"));
}

#[test]
fn a_heartbeat_by_the_bound_key_needs_its_binding() {
    use attest_attestor::heartbeat::{sign_envelope, BootChain};
    let w = attest_attestor::scenario::HeartbeatWorld::new("tee").expect("world");
    let ts = t("2026-11-21T11:00:00Z").unix_seconds() as u64;
    let payload = BootChain::new("edge-1", "boot-1").next_payload(&w.input_at(0), ts).expect("payload");
    let env = sign_envelope(&payload, &[&runtime().master_ed25519()]).into_bytes();
    let now = "2026-11-21T11:00:30Z";
    let ok = verify(&env, vec![bind(BOUND, BOUND_AT, None)], POLICY, now, &test_root());
    assert!(ok.valid(), "{:?}", first_failure(&ok));
    assert!(ok.checks().iter().any(|c| c.id.as_str() == "tee" && c.status == Status::Pass));
    let missing = verify(&env, vec![], POLICY, now, &test_root());
    assert_eq!(first_failure(&missing).map(|f| (f.0, f.1)), Some(("tee".into(), "tee-binding-missing".into())));
}

#[test]
fn a_revoked_pck_certificate_and_a_migratable_td_are_refused() {
    let revoked = include_str!("../test-pki/tdx-collateral-pck-revoked.json");
    let pk = runtime().master_ed25519().public_key();
    let b = to_pretty(&binding(pk.as_bytes(), TeePlatform::Tdx, t(BOUND_AT), BOUND, json(revoked), None)).into_bytes();
    let r = verify(&b, vec![], POLICY, "2026-11-21T12:00:00Z", &test_root());
    assert_eq!(first_failure(&r).map(|f| f.1).as_deref(), Some("tee-revoked"), "{:?}", first_failure(&r));
    let m = include_bytes!("../test-pki/tdx-migratable.quote");
    let r = verify(&bind(m, BOUND_AT, None), vec![], POLICY, "2026-11-21T12:00:00Z", &test_root());
    assert_eq!(first_failure(&r).map(|f| f.1).as_deref(), Some("tee-attributes"), "{:?}", first_failure(&r));
}

/// The flags are read from the leaf dcap-qvl verified — the chain's first PEM
/// block whatever its label — not from the first block labelled
/// CERTIFICATE: a relabelled leaf followed by another certificate that sets
/// no flags must not hide the leaf's flags.
#[test]
fn platform_flags_come_from_the_verified_leaf() {
    let collateral = json(COLLATERAL);
    let Value::Object(mut o) = collateral else { panic!("object") };
    // The quote's chain, moved into the collateral (dcap-qvl prefers it there).
    let q = dcap_qvl::quote::Quote::parse(BOUND).expect("quote");
    let chain = String::from_utf8(q.raw_cert_chain().expect("chain").to_vec()).expect("pem");
    let relabelled =
        chain.replacen("BEGIN CERTIFICATE", "BEGIN PCK LEAF", 1).replacen("END CERTIFICATE", "END PCK LEAF", 1);
    // A certificate without any SGX extension after it (here: the test root itself).
    let root_pem = include_str!("../test-pki/root-ca.pem");
    let (leaf_block, rest) =
        relabelled.split_at(relabelled.find("-----END PCK LEAF-----").expect("end") + "-----END PCK LEAF-----\n".len());
    let tricked = format!("{leaf_block}{root_pem}{rest}");
    attest_attestor::json::set(&mut o, "pck_certificate_chain", Value::String(tricked));
    let pk = runtime().master_ed25519().public_key();
    let b =
        to_pretty(&binding(pk.as_bytes(), TeePlatform::Tdx, t(BOUND_AT), BOUND, Value::Object(o), None)).into_bytes();
    // The leaf sets dynamic-platform, cached-keys and smt: a policy allowing none refuses it.
    let none = POLICY
        .replace(r#""allowPlatformFlags":["dynamic-platform","cached-keys","smt"]"#, r#""allowPlatformFlags":[]"#);
    let r = verify(&b, vec![], &none, "2026-11-21T12:00:00Z", &test_root());
    let f = first_failure(&r);
    assert_eq!(f.as_ref().map(|f| f.1.as_str()), Some("platform-flag"), "{f:?}");
    // And with the flags allowed the tricked chain still verifies (dcap-qvl reads every block).
    assert!(verify(&b, vec![], POLICY, "2026-11-21T12:00:00Z", &test_root()).valid());
}

#[test]
fn an_sgx_enclave_quote_binds_the_key_too() {
    let sgx_policy = r#"{"name":"p","platform":"sgx","sgx":{"isvProdId":0,"minIsvSvn":0},"allowedTcbStatus":["ConfigurationAndSWHardeningNeeded"],"allowPlatformFlags":["dynamic-platform","cached-keys","smt"],"maxBindingAgeSeconds":86400}"#;
    let coll = include_str!("../test-pki/sgx-collateral.json");
    let pk = runtime().master_ed25519().public_key();
    let b =
        |q: &[u8]| to_pretty(&binding(pk.as_bytes(), TeePlatform::Sgx, t(BOUND_AT), q, json(coll), None)).into_bytes();
    let ok = verify(
        &b(include_bytes!("../test-pki/sgx-bound.quote")),
        vec![],
        sgx_policy,
        "2026-11-21T12:00:00Z",
        &test_root(),
    );
    assert!(ok.valid(), "{:?}", first_failure(&ok));
    let debug = verify(
        &b(include_bytes!("../test-pki/sgx-debug.quote")),
        vec![],
        sgx_policy,
        "2026-11-21T12:00:00Z",
        &test_root(),
    );
    assert_eq!(first_failure(&debug).map(|f| f.1).as_deref(), Some("tee-debug"));
    let intel = verify(
        &b(include_bytes!("../test-pki/sgx-bound.quote")),
        vec![],
        sgx_policy,
        "2026-11-21T12:00:00Z",
        &DcapVerifier::intel(),
    );
    assert_eq!(first_failure(&intel).map(|f| f.1).as_deref(), Some("bad-collateral-signature"));
    // Under the TDX policy the SGX binding is a platform mismatch.
    let tdx =
        verify(&b(include_bytes!("../test-pki/sgx-bound.quote")), vec![], POLICY, "2026-11-21T12:00:00Z", &test_root());
    assert_eq!(first_failure(&tdx).map(|f| f.1).as_deref(), Some("platform-mismatch"));
}

#[test]
fn a_caching_verifier_gives_the_same_verdicts() {
    let plain = test_root();
    let cached = test_root().cached();
    let coll = json(COLLATERAL);
    for (q, at) in
        [(BOUND, 1_795_255_200u64), (BOUND, 1_800_000_000), (DEBUG, 1_795_255_200), (&BOUND[..100], 1_795_255_200)]
    {
        let want = plain.verify_quote(q, &coll, at);
        for _ in 0..3 {
            assert_eq!(cached.verify_quote(q, &coll, at), want, "at {at}");
        }
    }
    // The time is part of the key: the same quote past nextUpdate is expired, not remembered as valid.
    assert!(cached.verify_quote(BOUND, &coll, 1_795_255_200).is_ok());
    assert!(matches!(
        cached.verify_quote(BOUND, &coll, 1_800_000_000),
        Err(attest_tee_verifier::QuoteError::CollateralExpired(_))
    ));
}
