//! TEE vectors (formats.md §11, docs/spec.md §13): `tee/*`. Bindings carry
//! Intel's real DCAP sample quotes and collateral (dcap-qvl 0.7.1's
//! `sample/`, MIT, © Phala Network; `tee-verifier/samples/`), verified under
//! Intel's SGX Root CA at a `boundAt` inside their collateral windows. No
//! sample binds a key of ours, so a binding that passes every other step
//! ends in `report-data-mismatch`; each other reason is one policy or byte
//! change away from it.

use attest_attestor::json::{s, set, to_pretty};
use attest_attestor::scenario::Scenario;
use attest_attestor::tee::binding;
use attest_attestor::trust_root::{KeyMaterial, KeySpec, TrustRootDraft};
use attest_attestor::MasterSecret;
use attest_json::Value;
use attest_test_vectors::{Vector, VectorTee};
use attest_verifier::crypto::sha256;
use attest_verifier::tee::TeePlatform;
use attest_verifier::trust_root::Role;
use attest_verifier::Timestamp;

use super::{e, R};

const TDX_QUOTE: &[u8] = include_bytes!("../../../../tee-verifier/samples/tdx_quote");
const TDX_COLLATERAL: &str = include_str!("../../../../tee-verifier/samples/tdx_quote_collateral.json");
const SGX_QUOTE: &[u8] = include_bytes!("../../../../tee-verifier/samples/sgx_quote");
const SGX_COLLATERAL: &str = include_str!("../../../../tee-verifier/samples/sgx_quote_collateral.json");
// The repository's test PKI (tee-verifier/test-pki/, not Intel's): quotes
// binding `runtime`, verified with the test root (`tee.rootCa`).
const PKI_BOUND: &[u8] = include_bytes!("../../../../tee-verifier/test-pki/tdx-bound.quote");
const PKI_NONCE: &[u8] = include_bytes!("../../../../tee-verifier/test-pki/tdx-bound-nonce.quote");
const PKI_DEBUG: &[u8] = include_bytes!("../../../../tee-verifier/test-pki/tdx-debug.quote");
const PKI_COLLATERAL: &str = include_str!("../../../../tee-verifier/test-pki/tdx-collateral.json");
const PKI_MIGRATABLE: &[u8] = include_bytes!("../../../../tee-verifier/test-pki/tdx-migratable.quote");
const PKI_REVOKED: &str = include_str!("../../../../tee-verifier/test-pki/tdx-collateral-pck-revoked.json");
const OUTDATED_QUOTE: &[u8] = include_bytes!("../../../../tee-verifier/samples/tdx_quote_outdated");
const OUTDATED_COLLATERAL: &str = include_str!("../../../../tee-verifier/samples/tdx_quote_outdated_collateral.json");
const PKI_SGX_BOUND: &[u8] = include_bytes!("../../../../tee-verifier/test-pki/sgx-bound.quote");
const PKI_SGX_DEBUG: &[u8] = include_bytes!("../../../../tee-verifier/test-pki/sgx-debug.quote");
const PKI_SGX_COLLATERAL: &str = include_str!("../../../../tee-verifier/test-pki/sgx-collateral.json");
const PKI_ROOT: &[u8] = include_bytes!("../../../../tee-verifier/test-pki/root-ca.der");
/// Inside the test collateral's window (2026-11-01 → 2026-12-31).
const PKI_BOUND_AT: &str = "2026-11-21T10:00:00Z";
const PKI_ISSUED: &str = "2026-11-21T11:00:00Z";
const PKI_NOW: &str = "2026-11-21T12:00:00Z";

/// Inside both samples' collateral windows.
const BOUND_AT: &str = "2025-07-04T10:24:15Z";
const ISSUED: &str = "2025-07-04T11:00:00Z";
const NOW: &str = "2025-07-04T12:00:00Z";

fn ts(x: &str) -> Timestamp {
    Timestamp::parse(x).unwrap_or(Timestamp::from_unix(0, 0))
}

fn key(label: &str) -> MasterSecret {
    MasterSecret::from_bytes(*sha256(format!("attest.vectors.tee.{label}").as_bytes()).as_bytes())
}

fn json(text: &str) -> R<Value> {
    attest_verifier::doc::parse_json(text.as_bytes()).map_err(e)
}

/// The TDX policy every step of the real TDX sample passes but report_data.
const TDX_POLICY: &str = r#"{"name":"tdx-prod","platform":"tdx","tdx":{"rtmr3":"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"},"allowedTcbStatus":["UpToDate"],"allowDebug":false,"allowPlatformFlags":["dynamic-platform","cached-keys","smt"],"maxBindingAgeSeconds":86400}"#;
const SGX_POLICY: &str = r#"{"name":"tdx-prod","platform":"sgx","sgx":{"isvProdId":0,"minIsvSvn":0},"allowedTcbStatus":["ConfigurationAndSWHardeningNeeded"],"allowPlatformFlags":["dynamic-platform","cached-keys","smt"],"maxBindingAgeSeconds":86400}"#;

struct Tee {
    root: MasterSecret,
    runtime: MasterSecret,
    plain: MasterSecret,
    out: Vec<Vector>,
}

impl Tee {
    /// A trust root: root key, the TEE-bound runtime key under `policy`, and a plain runtime key.
    fn trust_root(&self, policy: &str) -> R<String> {
        let t0 = ts("2025-01-01T00:00:00Z");
        let mut d = TrustRootDraft::first(t0, ts("2027-01-01T00:00:00Z"), 1);
        let spec = |k: &MasterSecret, roles: Vec<Role>, label: &str| KeySpec {
            key: KeyMaterial::ed25519(&k.master_ed25519()),
            roles,
            valid_from: t0,
            valid_until: None,
            label: Some(label.to_string()),
        };
        d.add_key(&spec(&self.root, vec![Role::Root], "root")).map_err(e)?;
        d.add_key(&spec(&self.runtime, vec![Role::Runtime, Role::Heartbeat], "runtime in a TD")).map_err(e)?;
        d.add_key(&spec(&self.plain, vec![Role::Runtime], "runtime")).map_err(e)?;
        d.add_tee_policy(json(policy)?).map_err(e)?;
        d.set_key_tee_policy(&self.runtime.master_ed25519().key_id().to_hex(), "tdx-prod").map_err(e)?;
        Ok(to_pretty(&d.sign(&[&self.root.master_ed25519()])))
    }

    fn binding(
        &self,
        k: &MasterSecret,
        platform: TeePlatform,
        bound_at: &str,
        quote: &[u8],
        collateral: Value,
    ) -> String {
        let pk = k.master_ed25519().public_key();
        to_pretty(&binding(pk.as_bytes(), platform, ts(bound_at), quote, collateral, None))
    }

    fn tdx(&self, bound_at: &str) -> R<String> {
        Ok(self.binding(&self.runtime, TeePlatform::Tdx, bound_at, TDX_QUOTE, json(TDX_COLLATERAL)?))
    }

    fn attestation(&self, k: &MasterSecret) -> R<Value> {
        self.attestation_at(k, ISSUED)
    }

    fn attestation_at(&self, k: &MasterSecret, issued: &str) -> R<Value> {
        let s = Scenario::new("tee").map_err(e)?;
        let mut d = s.draft("exec-tee").map_err(e)?;
        d.issued_at = ts(issued);
        d.sign_with_runtime(&k.master_ed25519(), None).map_err(e)
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        name: &str,
        desc: &str,
        expect: &str,
        reason: Option<&str>,
        now: &str,
        policy: &str,
        document: String,
        bindings: Vec<String>,
    ) -> R<()> {
        let mut v = Vector::new(
            name,
            desc,
            expect,
            reason,
            now,
            vec![self.root.master_ed25519().public_key().to_hex()],
            vec![self.trust_root(policy)?],
        );
        v.document = Some(document);
        v.tee = Some(VectorTee { bindings, root_ca: None });
        self.out.push(v);
        Ok(())
    }

    /// The last pushed vector verifies DCAP quotes under the test root.
    fn under_test_root(&mut self) {
        if let Some(v) = self.out.last_mut() {
            if let Some(t) = v.tee.as_mut() {
                t.root_ca = Some(attest_test_vectors::to_b64(PKI_ROOT));
            }
        }
    }

    fn pki(&self, quote: &[u8], bound_at: &str, nonce: Option<&[u8; 32]>) -> R<String> {
        let pk = self.runtime.master_ed25519().public_key();
        Ok(to_pretty(&binding(pk.as_bytes(), TeePlatform::Tdx, ts(bound_at), quote, json(PKI_COLLATERAL)?, nonce)))
    }
}

pub(crate) fn vectors() -> R<Vec<Vector>> {
    let mut g = Tee { root: key("root"), runtime: key("runtime"), plain: key("plain"), out: Vec::new() };
    let rdm = Some("report-data-mismatch");
    let tdx = g.tdx(BOUND_AT)?;

    // A binding on its own.
    g.push(
        "tee/binding-report-data-mismatch",
        "Intel's real TDX sample quote verifies at boundAt under Intel's root and passes the policy, but its report_data does not bind the key",
        "reject:tee",
        rdm,
        NOW,
        TDX_POLICY,
        tdx.clone(),
        vec![],
    )?;
    let sgx = g.binding(&g.runtime, TeePlatform::Sgx, BOUND_AT, SGX_QUOTE, json(SGX_COLLATERAL)?);
    g.push(
        "tee/binding-sgx-report-data-mismatch",
        "Intel's real SGX sample quote (ConfigurationAndSWHardeningNeeded, report_data \"Hello, world!\") does not bind the key",
        "reject:tee",
        rdm,
        NOW,
        SGX_POLICY,
        sgx,
        vec![],
    )?;
    let policy_cases: [(&str, &str, &str, &str); 4] = [
        (
            "tee/binding-tcb-status",
            "the quote's TCB status UpToDate is not in the policy's allowedTcbStatus [SWHardeningNeeded]",
            "tcb-status",
            r#""allowedTcbStatus":["SWHardeningNeeded"]"#,
        ),
        (
            "tee/binding-platform-flag",
            "the PCK certificate sets platform flags (dynamic-platform, cached-keys, smt); the policy allows none",
            "platform-flag",
            r#""allowPlatformFlags":[]"#,
        ),
        (
            "tee/binding-measurement-mismatch",
            "the policy pins an RTMR3 the TD does not have",
            "measurement-mismatch",
            r#""tdx":{"rtmr3":"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001"}"#,
        ),
        (
            "tee/binding-platform-mismatch",
            "an SGX policy for a key bound to a TDX quote",
            "platform-mismatch",
            r#""platform":"sgx","sgx":{}"#,
        ),
    ];
    for (name, desc, reason, member) in policy_cases {
        let key = member.split(':').next().unwrap_or("");
        let policy = match key {
            "\"allowedTcbStatus\"" => TDX_POLICY.replace(r#""allowedTcbStatus":["UpToDate"]"#, member),
            "\"allowPlatformFlags\"" => {
                TDX_POLICY.replace(r#""allowPlatformFlags":["dynamic-platform","cached-keys","smt"]"#, member)
            }
            "\"tdx\"" => TDX_POLICY.replace(
                r#""tdx":{"rtmr3":"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"}"#,
                member,
            ),
            _ => TDX_POLICY.replace(
                r#""platform":"tdx","tdx":{"rtmr3":"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"}"#,
                member,
            ),
        };
        assert_ne!(policy, TDX_POLICY, "{name}: the policy edit applies");
        g.push(name, desc, "reject:tee", Some(reason), NOW, &policy, tdx.clone(), vec![])?;
    }
    // Collateral outside its window at boundAt.
    g.push(
        "tee/binding-collateral-expired",
        "boundAt 2025-08-20 lies after the TCB info's and CRLs' nextUpdate (2025-07-19)",
        "reject:tee",
        Some("collateral-expired"),
        "2025-08-20T12:00:00Z",
        TDX_POLICY,
        g.tdx("2025-08-20T10:00:00Z")?,
        vec![],
    )?;
    g.push(
        "tee/binding-collateral-not-yet-valid",
        "boundAt 2025-06-01 lies before the TCB info's issueDate (2025-06-19)",
        "reject:tee",
        Some("collateral-not-yet-valid"),
        "2025-06-01T12:00:00Z",
        TDX_POLICY,
        g.tdx("2025-06-01T10:00:00Z")?,
        vec![],
    )?;
    // Tampered bytes.
    let mut q = TDX_QUOTE.to_vec();
    if let Some(b) = q.get_mut(600) {
        *b ^= 1; // inside report_data (the TD report body ends at byte 632)
    }
    g.push(
        "tee/binding-bad-quote-signature",
        "one report_data byte of the real quote flipped: the attestation key's signature over the report fails",
        "reject:tee",
        Some("bad-quote-signature"),
        NOW,
        TDX_POLICY,
        g.binding(&g.runtime, TeePlatform::Tdx, BOUND_AT, &q, json(TDX_COLLATERAL)?),
        vec![],
    )?;
    let mut c = json(TDX_COLLATERAL)?;
    if let Value::Object(o) = &mut c {
        let tcb = o.get("tcb_info").and_then(Value::as_str).unwrap_or("").replacen("\"tcbType\":0", "\"tcbType\":1", 1);
        set(o, "tcb_info", s(tcb));
    }
    g.push(
        "tee/binding-bad-collateral-signature",
        "the collateral's TCB info edited (tcbType 0 → 1): Intel's TCB signing key's signature over it fails",
        "reject:tee",
        Some("bad-collateral-signature"),
        NOW,
        TDX_POLICY,
        g.binding(&g.runtime, TeePlatform::Tdx, BOUND_AT, TDX_QUOTE, c),
        vec![],
    )?;
    g.push(
        "tee/binding-malformed-quote",
        "the quote is cut after 100 bytes",
        "reject:tee",
        Some("malformed-quote"),
        NOW,
        TDX_POLICY,
        g.binding(
            &g.runtime,
            TeePlatform::Tdx,
            BOUND_AT,
            TDX_QUOTE.get(..100).unwrap_or_default(),
            json(TDX_COLLATERAL)?,
        ),
        vec![],
    )?;
    g.push(
        "tee/binding-malformed-collateral",
        "the collateral object is not PCCS collateral (QuoteCollateralV3)",
        "reject:tee",
        Some("malformed-collateral"),
        NOW,
        TDX_POLICY,
        g.binding(&g.runtime, TeePlatform::Tdx, BOUND_AT, TDX_QUOTE, json(r#"{"tcb_info":"{}"}"#)?),
        vec![],
    )?;
    g.push(
        "tee/binding-no-tcb-level",
        "Intel's outdated TD 1.5 sample: no TCB level of its collateral matches (at 2026-03-01, inside its window)",
        "reject:tee",
        Some("no-tcb-level"),
        "2026-03-01T12:00:00Z",
        TDX_POLICY,
        g.binding(&g.runtime, TeePlatform::Tdx, "2026-03-01T00:00:00Z", OUTDATED_QUOTE, json(OUTDATED_COLLATERAL)?),
        vec![],
    )?;
    g.push(
        "tee/binding-no-tee-policy",
        "a binding for a trust-root key without a `tee` member",
        "reject:signer",
        Some("no-tee-policy"),
        NOW,
        TDX_POLICY,
        g.binding(&g.plain, TeePlatform::Tdx, BOUND_AT, TDX_QUOTE, json(TDX_COLLATERAL)?),
        vec![],
    )?;
    // Attestations signed by the TEE-bound key.
    let att = to_pretty(&g.attestation(&g.runtime)?);
    g.push(
        "tee/attestation-binding-missing",
        "an attestation signed by a TEE-bound runtime key, no binding given",
        "reject:tee",
        Some("tee-binding-missing"),
        NOW,
        TDX_POLICY,
        att.clone(),
        vec![],
    )?;
    let other = g.binding(&g.plain, TeePlatform::Tdx, BOUND_AT, TDX_QUOTE, json(TDX_COLLATERAL)?);
    g.push(
        "tee/attestation-binding-for-another-key",
        "the only binding given is for another key",
        "reject:tee",
        Some("tee-binding-missing"),
        NOW,
        TDX_POLICY,
        att.clone(),
        vec![other],
    )?;
    g.push(
        "tee/attestation-report-data-mismatch",
        "an attestation by the TEE-bound key with its binding: the real quote does not bind the key",
        "reject:tee",
        rdm,
        NOW,
        TDX_POLICY,
        att,
        vec![tdx.clone()],
    )?;
    let plain = to_pretty(&g.attestation(&g.plain)?);
    g.push(
        "tee/accept-plain-key-needs-no-binding",
        "an attestation signed by a runtime key without `tee` verifies as before (the trust root has teePolicies; the given binding is not needed)",
        "accept",
        None,
        NOW,
        TDX_POLICY,
        plain,
        vec![tdx],
    )?;
    test_pki_vectors(&mut g)?;
    Ok(g.out)
}

/// Vectors on the test PKI's quotes, which bind the runtime key.
fn test_pki_vectors(g: &mut Tee) -> R<()> {
    let bound = g.pki(PKI_BOUND, PKI_BOUND_AT, None)?;
    let nonce = [0x42u8; 32];
    type Case = (&'static str, &'static str, &'static str, Option<&'static str>, &'static str, bool);
    let alone: Vec<(Case, String)> = vec![
        (
            ("tee/accept-binding", "a TDX quote binding the key, verified at boundAt under the test root (--tee-root-ca)", "accept", None, PKI_NOW, true),
            bound.clone(),
        ),
        (
            ("tee/accept-binding-nonce", "report_data's second half is the binding's nonce", "accept", None, PKI_NOW, true),
            g.pki(PKI_NONCE, PKI_BOUND_AT, Some(&nonce))?,
        ),
        (
            ("tee/binding-nonce-mismatch", "the quote carries the nonce, the binding says null: report_data differs", "reject:tee", Some("report-data-mismatch"), PKI_NOW, true),
            g.pki(PKI_NONCE, PKI_BOUND_AT, None)?,
        ),
        (
            ("tee/binding-debug", "a debug TD (TD attributes DEBUG) under a policy without allowDebug", "reject:tee", Some("tee-debug"), PKI_NOW, true),
            g.pki(PKI_DEBUG, PKI_BOUND_AT, None)?,
        ),
        (
            ("tee/binding-attributes", "a migratable TD (TD attributes MIGRATABLE): refused whatever the policy", "reject:tee", Some("tee-attributes"), PKI_NOW, true),
            g.pki(PKI_MIGRATABLE, PKI_BOUND_AT, None)?,
        ),
        (
            ("tee/binding-pck-revoked", "the PCK CRL of the collateral revokes the quote's PCK certificate", "reject:tee", Some("tee-revoked"), PKI_NOW, true),
            {
                let pk = g.runtime.master_ed25519().public_key();
                to_pretty(&binding(pk.as_bytes(), TeePlatform::Tdx, ts(PKI_BOUND_AT), PKI_BOUND, json(PKI_REVOKED)?, None))
            },
        ),
        (
            ("tee/binding-age", "verified a day and a second after boundAt: past maxBindingAgeSeconds 86400", "reject:tee", Some("binding-age"), "2026-11-22T10:00:01Z", true),
            bound.clone(),
        ),
        (
            ("tee/binding-test-quote-under-intel-root", "the test PKI's quote under Intel's SGX Root CA (no --tee-root-ca): its CRLs and chains are not Intel's", "reject:tee", Some("bad-collateral-signature"), PKI_NOW, false),
            bound.clone(),
        ),
    ];
    let sgx = |q: &[u8]| -> R<String> {
        let pk = g.runtime.master_ed25519().public_key();
        Ok(to_pretty(&binding(pk.as_bytes(), TeePlatform::Sgx, ts(PKI_BOUND_AT), q, json(PKI_SGX_COLLATERAL)?, None)))
    };
    let sgx_cases = [
        (
            "tee/accept-binding-sgx",
            "an SGX enclave quote binding the key (ConfigurationAndSWHardeningNeeded allowed), under the test root",
            "accept",
            None,
            sgx(PKI_SGX_BOUND)?,
        ),
        (
            "tee/binding-sgx-debug",
            "a debug enclave (ATTRIBUTES DEBUG) under a policy without allowDebug",
            "reject:tee",
            Some("tee-debug"),
            sgx(PKI_SGX_DEBUG)?,
        ),
    ];
    for (name, desc, expect, reason, doc) in sgx_cases {
        g.push(name, desc, expect, reason, PKI_NOW, SGX_POLICY, doc, vec![])?;
        g.under_test_root();
    }
    for ((name, desc, expect, reason, now, test_root), doc) in alone {
        g.push(name, desc, expect, reason, now, TDX_POLICY, doc, vec![])?;
        if test_root {
            g.under_test_root();
        }
    }
    let cases = [
        (
            "tee/accept-attestation-with-binding",
            "an attestation by the TEE-bound key with its binding; issuedAt within [boundAt, boundAt + 86400]",
            "accept",
            None,
            PKI_ISSUED,
        ),
        (
            "tee/attestation-before-binding",
            "issuedAt one second before boundAt",
            "reject:tee",
            Some("binding-age"),
            "2026-11-21T09:59:59Z",
        ),
        (
            "tee/attestation-after-binding-age",
            "issuedAt a day and a second after boundAt",
            "reject:tee",
            Some("binding-age"),
            "2026-11-22T10:00:01Z",
        ),
    ];
    for (name, desc, expect, reason, issued) in cases {
        let now = if issued > PKI_NOW { "2026-11-22T12:00:00Z" } else { PKI_NOW };
        let att = to_pretty(&g.attestation_at(&g.runtime, issued)?);
        g.push(name, desc, expect, reason, now, TDX_POLICY, att, vec![bound.clone()])?;
        g.under_test_root();
    }
    // Several bindings for the key (a ledger keeps every one it logged): the
    // ones whose window holds issuedAt are tried first, in order, until one
    // verifies; with none, the first decides.
    let older = g.pki(PKI_BOUND, "2026-11-19T10:00:00Z", None)?;
    let oldest = g.pki(PKI_BOUND, "2026-11-18T10:00:00Z", None)?;
    // A covering binding that does not verify: the nonce-bearing quote with the nonce dropped.
    let broken = g.pki(PKI_NONCE, PKI_BOUND_AT, None)?;
    let att = to_pretty(&g.attestation_at(&g.runtime, PKI_ISSUED)?);
    let multi = [
        (
            "tee/accept-attestation-second-binding-covers",
            "two bindings for the key: the first (boundAt two days before) does not cover issuedAt, the second does",
            "accept",
            None,
            vec![older.clone(), bound.clone()],
        ),
        (
            "tee/accept-attestation-failing-binding-first",
            "two covering bindings: the first does not verify (report_data), the second does; a bad binding cannot knock out a good one",
            "accept",
            None,
            vec![broken.clone(), bound.clone()],
        ),
        (
            "tee/attestation-no-binding-covers",
            "two valid bindings for the key, neither window holds issuedAt",
            "reject:tee",
            Some("binding-age"),
            vec![older.clone(), oldest],
        ),
        (
            "tee/attestation-covering-binding-fails",
            "the only covering binding does not verify (report_data); an older valid one does not cover issuedAt: the covering one's failure",
            "reject:tee",
            Some("report-data-mismatch"),
            vec![older, broken],
        ),
    ];
    for (name, desc, expect, reason, bindings) in multi {
        g.push(name, desc, expect, reason, PKI_NOW, TDX_POLICY, att.clone(), bindings)?;
        g.under_test_root();
    }
    // A heartbeat by the TEE-bound key (it also holds the heartbeat role).
    let w = attest_attestor::scenario::HeartbeatWorld::new("tee").map_err(e)?;
    let hb_ts = ts(PKI_ISSUED).unix_seconds() as u64;
    let payload = attest_attestor::heartbeat::BootChain::new("edge-tee", "boot-1")
        .next_payload(&w.input_at(0), hb_ts)
        .map_err(e)?;
    let env = attest_attestor::heartbeat::sign_envelope(&payload, &[&g.runtime.master_ed25519()]);
    g.push(
        "tee/accept-heartbeat-with-binding",
        "a heartbeat signed by the TEE-bound key with its binding; timestamp within [boundAt, boundAt + 86400]",
        "accept",
        None,
        "2026-11-21T11:00:30Z",
        TDX_POLICY,
        env.clone(),
        vec![bound.clone()],
    )?;
    g.under_test_root();
    g.push(
        "tee/heartbeat-binding-missing",
        "a heartbeat signed by the TEE-bound key, no binding given",
        "reject:tee",
        Some("tee-binding-missing"),
        "2026-11-21T11:00:30Z",
        TDX_POLICY,
        env,
        vec![],
    )?;
    g.under_test_root();
    Ok(())
}
