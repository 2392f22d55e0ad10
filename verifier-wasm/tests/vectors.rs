//! The native layer (`attest_verifier_wasm::native`, what the WASM exports
//! call) against every golden vector the JS API can express — the same
//! selection and assertions as `test/node.test.mjs`.
#![allow(missing_docs)]

use attest_test_vectors::{b64, load_all, Vector};
use attest_verifier::trust_root::parse_root_keys;
use attest_verifier::{Status, Timestamp};
use attest_verifier_wasm::native::{self, Evidence};

fn evidence(v: &Vector) -> Evidence {
    let now = Timestamp::parse(&v.now).unwrap_or_else(|e| panic!("{}: now: {e}", v.name));
    let keys = v
        .root_keys
        .iter()
        .flat_map(|k| parse_root_keys(k).unwrap_or_else(|(l, e)| panic!("{}: root key line {l}: {e}", v.name)))
        .collect();
    let mut e = Evidence::new(v.trust_roots.iter().map(|t| t.as_bytes().to_vec()).collect(), keys, now);
    e.min_trust_root_version = v.min_trust_root_version;
    e.signals = v.signals.as_ref().map(|s| s.as_bytes().to_vec());
    e.output = v.output_bytes();
    e.network = v.network.as_ref().map(|s| s.as_bytes().to_vec());
    e.allow_hosts = v.allow_hosts.clone();
    e.heartbeat_policy = v.heartbeat_policy.as_ref().map(|p| {
        attest_verifier::heartbeat::parse_heartbeat_policy(p.as_bytes())
            .unwrap_or_else(|err| panic!("{}: heartbeatPolicy: {err}", v.name))
    });
    if let Some(b) = &v.bundle {
        e.bundle_manifest = Some(b.manifest.as_bytes().to_vec());
        e.bundle_files = b.entries.as_ref().map(|es| es.iter().map(|x| (x.path.clone(), b64(&x.base64))).collect());
    }
    e
}

#[test]
fn golden_vectors_through_the_native_layer() {
    let vectors = load_all().unwrap_or_else(|e| panic!("{e}"));
    let mut ran = 0;
    let mut failures = Vec::new();
    for v in &vectors {
        let non_file =
            v.bundle.as_ref().and_then(|b| b.entries.as_ref()).is_some_and(|es| es.iter().any(|e| e.kind != "file"));
        // The WASM faces take no log proof and no pinned claims (native
        // checks, behind verifier features): those vectors are the CLI's.
        // Attesto documents (docs/spec.md §12) are not in the WASM modules (size budget);
        // nor TEE bindings: the core module has no DCAP verification.
        let native_only =
            v.log_proof.is_some() || !v.expect_claims.is_empty() || v.name.starts_with("attesto/") || v.tee.is_some();
        if !v.documents.is_empty() || non_file || native_only {
            continue;
        }
        ran += 1;
        let report = native::verify(&v.document_bytes(), evidence(v));
        let first = report.checks().iter().find(|c| c.status == Status::Fail);
        let ok = if v.expect == "accept" {
            report.valid()
        } else {
            let id = v.expect.strip_prefix("reject:").unwrap_or("?");
            !report.valid()
                && first.is_some_and(|c| {
                    c.id.as_str() == id && v.reason.as_deref().is_none_or(|r| c.reason.map(|x| x.as_str()) == Some(r))
                })
        };
        if !ok {
            failures.push(format!(
                "{}: expected {} {:?}, got valid={} first failure {:?}",
                v.name,
                v.expect,
                v.reason,
                report.valid(),
                first.map(|c| (c.id.as_str(), c.reason, c.detail.clone()))
            ));
        }
        // The report serializes to the CLI's JSON object.
        let json = native::report_json(&report).unwrap_or_default();
        assert!(json.starts_with("{\"valid\":"), "{}: {json}", v.name);
    }
    assert!(ran > 0, "zero vectors ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn trust_root_document_is_appended_once() {
    let vectors = load_all().unwrap_or_else(|e| panic!("{e}"));
    let v = vectors.iter().find(|v| v.name == "document/trust-root").unwrap_or_else(|| panic!("vector missing"));
    let e = evidence(v);
    let last = e.trust_roots.last().cloned().unwrap_or_default();
    let r = native::verify(&last, e.clone());
    assert_eq!(r.doc_type(), "attest.trust-root.v1");
    assert!(r.valid(), "{r:?}");
}

#[test]
fn chain_verdict_and_inspect() {
    let vectors = load_all().unwrap_or_else(|e| panic!("{e}"));
    let v = vectors.iter().find(|v| v.name == "accept/rotated-chain").unwrap_or_else(|| panic!("vector missing"));
    let e = evidence(v);
    let ok = native::chain_verdict(&e.trust_roots, &e.root_keys, e.now, None);
    assert_eq!(ok["valid"], true, "{ok}");
    assert_eq!(ok["length"], v.trust_roots.len());
    let rb = native::chain_verdict(&e.trust_roots, &e.root_keys, e.now, Some(99));
    assert_eq!(rb["reason"], "rollback");
    let i = native::inspect(v.document_bytes().as_slice()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(i["decoded"]["type"], "attest.execution-attestation.v1");
    assert!(native::inspect(b"{\"a\":1,\"a\":2}").is_err());
}
