//! `--expect FIELD=VALUE` and `--policy FILE` (docs/spec.md §6.4): what a
//! VALID verdict must also mean, on the command line or in a file for CI.
//!
//! A policy file (strict JSON, §0):
//!
//! ```json
//! {"type": "attest.verify-policy.v1",
//!  "require": ["bundle-files", "output"],
//!  "expect": {"policyId": "loan-approval", "decision.action": "approve"}}
//! ```
//!
//! Both members are optional; no other member is allowed. The file's
//! requirements and the flags add up; a field pinned by both must agree
//! (else exit 2).

use std::path::Path;

use attest_json::Value;
use attest_verifier::registry::CLAIM_FIELDS;
use attest_verifier::CheckId;

use crate::io::{read_document, CliError};

/// The policy file's `type`.
pub const VERIFY_POLICY_TYPE: &str = "attest.verify-policy.v1";

/// `--expect FIELD=VALUE`.
pub fn parse_expect(s: &str) -> Result<(String, String), String> {
    let (f, v) = s.split_once('=').ok_or_else(|| format!("{s:?}: expected FIELD=VALUE"))?;
    if !CLAIM_FIELDS.contains(&f) {
        return Err(format!("unknown field {f:?} (one of {})", CLAIM_FIELDS.join(", ")));
    }
    Ok((f.to_string(), v.to_string()))
}

/// A pinned claim: field and value.
pub type Claim = (String, String);

/// Reads a policy file: its required checks and pinned claims.
pub fn read_policy(path: &Path) -> Result<(Vec<CheckId>, Vec<Claim>), CliError> {
    let bad = |why: String| CliError::new(format!("verify policy {}: {why}", path.display()));
    let bytes = read_document(path, "verify policy")?;
    let v = attest_verifier::doc::parse_json(&bytes).map_err(|e| bad(e.to_string()))?;
    let Value::Object(o) = &v else { return Err(bad("not a JSON object".into())) };
    let mut require = Vec::new();
    let mut expect = Vec::new();
    for (k, val) in o.iter() {
        match (k, val) {
            ("type", Value::String(t)) if t == VERIFY_POLICY_TYPE => {}
            ("type", _) => return Err(bad(format!("type must be {VERIFY_POLICY_TYPE:?}"))),
            ("require", Value::Array(ids)) => {
                for id in ids {
                    let Value::String(id) = id else { return Err(bad("require: check ids are strings".into())) };
                    require.push(
                        CheckId::from_id(id.as_str()).ok_or_else(|| bad(format!("require: unknown check {id:?}")))?,
                    );
                }
            }
            ("expect", Value::Object(claims)) => {
                for (f, want) in claims.iter() {
                    let Value::String(want) = want else { return Err(bad(format!("expect.{f}: a string"))) };
                    expect.push(parse_expect(&format!("{f}={want}")).map_err(|e| bad(format!("expect: {e}")))?);
                }
            }
            (other, _) => return Err(bad(format!("unknown or mistyped member {other:?}"))),
        }
    }
    if !o.iter().any(|(k, _)| k == "type") {
        return Err(bad(format!("no type ({VERIFY_POLICY_TYPE:?})")));
    }
    Ok((require, expect))
}

/// The flags and the file together; a field pinned twice must agree.
pub fn merge(flags: &[(String, String)], file: Vec<(String, String)>) -> Result<Vec<(String, String)>, CliError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (f, v) in flags.iter().cloned().chain(file) {
        match out.iter().find(|(g, _)| *g == f) {
            Some((_, w)) if *w != v => {
                return Err(CliError::new(format!(
                    "{f} is pinned to {w:?} and to {v:?} (--expect and --policy disagree)"
                )))
            }
            Some(_) => {}
            None => out.push((f, v)),
        }
    }
    Ok(out)
}
