//! `expect` vectors (docs/spec.md §6.4): claims pinned with `--expect
//! FIELD=VALUE` on an execution attestation.

use attest_attestor::json::to_pretty;
use attest_verifier::attestation::parse_attestation_value;

use super::{e, Gen, R};

pub(crate) fn vectors(g: &mut Gen) -> R<()> {
    let d = g.direct("exec-expect")?;
    let att = parse_attestation_value(&d).map_err(e)?;
    let all: Vec<[String; 2]> = [
        ("policyId", att.policy_id().to_string()),
        ("policyVersion", att.policy_version().to_string()),
        ("runtimeVersion", att.runtime_version().to_string()),
        ("runtimeHash", att.runtime_hash().to_hex()),
        ("decision.action", att.decision().action().to_string()),
        ("execution_state", att.execution_state().as_str().to_string()),
        ("signerKeyId", att.signer_key_id().to_hex()),
    ]
    .into_iter()
    .map(|(f, v)| [f.to_string(), v])
    .collect();
    let pair = |f: &str, v: &str| [f.to_string(), v.to_string()];
    type Case<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Vec<[String; 2]>);
    let cases: Vec<Case> = vec![
        ("accept/expect-every-claim", "every attestation claim pinned to its value", "accept", None, all.clone()),
        (
            "expect/decision-mismatch",
            "decision.action pinned to reject; the attestation approved",
            "reject:expect",
            Some("claim-mismatch"),
            vec![pair("policyId", &all[0][1]), pair("decision.action", "reject")],
        ),
        (
            "expect/runtime-version-mismatch",
            "runtimeVersion pinned to another version",
            "reject:expect",
            Some("claim-mismatch"),
            vec![pair("runtimeVersion", "9.9.9")],
        ),
        (
            "expect/signer-mismatch",
            "signerKeyId pinned to another key",
            "reject:expect",
            Some("claim-mismatch"),
            vec![pair("signerKeyId", &"0".repeat(64))],
        ),
        (
            "expect/unknown-claim",
            "stream is a heartbeat claim, not an attestation's",
            "reject:expect",
            Some("unknown-claim"),
            vec![pair("stream", "edge-1")],
        ),
    ];
    for (name, desc, expect, reason, claims) in cases {
        let mut v = g.full(name, desc, expect, reason, &d);
        v.bundle = None;
        v.signals = None;
        v.output_base64 = None;
        v.document = Some(to_pretty(&d));
        v.expect_claims = claims;
        g.push(v);
    }
    Ok(())
}
