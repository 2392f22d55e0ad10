//! The summary document `attest.network-summary.v1` (formats.md §5).

use attest_json::{Number, Object, Value};

use super::NETWORK_SUMMARY_TYPE;
use crate::doc::{err, DocResult, Members, Signed};
use crate::types::Sha256Digest;

/// A network summary, recomputed or parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkSummary {
    /// Execution id.
    pub execution_id: String,
    /// Record count.
    pub records: u64,
    /// DNS records.
    pub dns: u64,
    /// Requests.
    pub requests: u64,
    /// Responses.
    pub responses: u64,
    /// Sorted, de-duplicated request hosts.
    pub hosts: Vec<String>,
    /// `at` of the first record (`None` for an empty log).
    pub first_at: Option<String>,
    /// `at` of the last record.
    pub last_at: Option<String>,
    /// Merkle root.
    pub root: Sha256Digest,
}

impl NetworkSummary {
    /// The summary document as JSON.
    pub fn to_value(&self) -> Value {
        let mut o = Object::new();
        let int = |n: u64| Value::Number(Number::Int(n as i64));
        let opt = |s: &Option<String>| s.as_ref().map_or(Value::Null, |s| Value::String(s.clone()));
        let _ = o.insert("type".into(), Value::String(NETWORK_SUMMARY_TYPE.into()));
        let _ = o.insert("executionId".into(), Value::String(self.execution_id.clone()));
        let _ = o.insert("records".into(), int(self.records));
        let _ = o.insert("dns".into(), int(self.dns));
        let _ = o.insert("requests".into(), int(self.requests));
        let _ = o.insert("responses".into(), int(self.responses));
        let _ = o.insert("hosts".into(), Value::Array(self.hosts.iter().cloned().map(Value::String).collect()));
        let _ = o.insert("firstAt".into(), opt(&self.first_at));
        let _ = o.insert("lastAt".into(), opt(&self.last_at));
        let _ = o.insert("root".into(), Value::String(self.root.to_hex()));
        Value::Object(o)
    }

    /// `networkSummaryHash = digest(summary)`.
    pub fn digest(&self) -> Sha256Digest {
        match self.to_value() {
            Value::Object(o) => Signed::of(NETWORK_SUMMARY_TYPE, &o).digest(),
            _ => Sha256Digest::ZERO,
        }
    }
}

const SUMMARY_MEMBERS: &[&str] =
    &["type", "executionId", "records", "dns", "requests", "responses", "hosts", "firstAt", "lastAt", "root"];

/// Parses a summary document.
pub fn parse_summary_value(v: &Value) -> DocResult<NetworkSummary> {
    let m = Members::of(v, "$")?;
    m.expect_type(NETWORK_SUMMARY_TYPE)?;
    m.only(SUMMARY_MEMBERS)?;
    let hp = m.path("hosts");
    let mut hosts = Vec::new();
    for (i, h) in m.array("hosts")?.iter().enumerate() {
        let Value::String(s) = h else {
            return err(format!("{hp}[{i}]"), "expected a host name");
        };
        hosts.push(s.clone());
    }
    let opt_text = |k: &str| -> DocResult<Option<String>> {
        match m.req(k)? {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s.clone())),
            _ => err(m.path(k), "expected a timestamp string or null"),
        }
    };
    Ok(NetworkSummary {
        execution_id: m.str("executionId")?.to_string(),
        records: m.uint("records")?,
        dns: m.uint("dns")?,
        requests: m.uint("requests")?,
        responses: m.uint("responses")?,
        hosts,
        first_at: opt_text("firstAt")?,
        last_at: opt_text("lastAt")?,
        root: m.digest("root")?,
    })
}
