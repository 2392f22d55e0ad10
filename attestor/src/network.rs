//! Recording network traffic as a §5 network log (docs/spec.md §5).
//!
//! An executor calls a [`Recorder`] around every exchange it makes — or wraps
//! its HTTP client with one, as `attest fetch` does — to log DNS answers,
//! requests and responses. The recorder
//!
//! - writes every record as one canonical JSON line (`C(r)` followed by `\n`),
//!   so the log holds exactly the bytes that are leaf-hashed;
//! - lowercases header names and keeps their order;
//! - replaces the values of the headers chosen with [`Recorder::redact`]
//!   (case-insensitive) by `{"sha256": hex}` of the value's UTF-8 bytes;
//! - refuses to hand out a log, a summary, a digest or a proof of a log that
//!   breaks a §5 rule: every output is checked with the verifier's own
//!   [`check_records`] first.
//!
//! It reads no clock: every `at` is passed in by the caller.
//!
//! ```
//! use attest_attestor::network::{Recorder, TlsFacts};
//! use attest_verifier::{crypto::sha256, Timestamp};
//!
//! let t = |s| Timestamp::parse(s).unwrap();
//! let mut rec = Recorder::new("exec-1");
//! rec.redact("Authorization");
//! rec.dns("api.example.com", "A", &["93.184.216.34"], "system", t("2026-11-21T09:59:58Z"));
//! let req = rec.request(
//!     "GET",
//!     "https://api.example.com/v1/price",
//!     &[("Accept", "application/json"), ("Authorization", "Bearer secret")],
//!     b"",
//!     t("2026-11-21T09:59:58.5Z"),
//! );
//! let tls = TlsFacts {
//!     version: "TLSv1.3".into(),
//!     cipher_suite: "TLS_AES_128_GCM_SHA256".into(),
//!     server_name: "api.example.com".into(),
//!     peer_certificate_sha256: sha256(b"leaf certificate DER"),
//! };
//! rec.response(req, 200, &[("Content-Type", "application/json")], b"{\"price\":1}", Some(tls), t("2026-11-21T09:59:59Z"));
//! let log = rec.to_jsonl().unwrap();
//! assert!(log.contains(r#"["authorization",{"sha256":"#));
//! let hash = rec.network_summary_hash().unwrap(); // bind as the attestation's networkSummaryHash
//! let proof = rec.prove(1).unwrap();               // disclose the request alone
//! assert_eq!(proof.root(), Some(rec.summary().unwrap().root));
//! # let _ = hash;
//! ```

use std::collections::BTreeSet;

use attest_json::Value;
use attest_verifier::crypto::sha256;
use attest_verifier::doc::parse_json;
pub use attest_verifier::network::TlsFacts;
use attest_verifier::network::{
    check_records, inclusion_proof, parse_log_line, LogRules, NetworkError, NetworkSummary, Record, RecordProof,
};
use attest_verifier::types::Sha256Digest;
use attest_verifier::Timestamp;

use crate::json::{int, s, ObjectBuilder};

/// Why the recorder refuses to produce its log (or a proof).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RecorderError {
    /// The recorded records break a rule of docs/spec.md §5 (or are malformed,
    /// e.g. a URL that is not http(s) or a header name that is not a token).
    #[error("the recorded network log is not valid: {0}")]
    Log(#[from] NetworkError),
    /// No record has that seq.
    #[error("no record with seq {seq}: the log has {records} record(s)")]
    NoSuchRecord {
        /// Requested seq.
        seq: u64,
        /// Record count.
        records: u64,
    },
}

/// A checked log: the JSON Lines text, the parsed records and the summary.
#[derive(Debug, Clone)]
pub struct CheckedLog {
    /// The log, one canonical JSON object per line, each `\n`-terminated.
    pub jsonl: String,
    /// The parsed records (with their leaf hashes).
    pub records: Vec<Record>,
    /// The recomputed summary.
    pub summary: NetworkSummary,
}

impl CheckedLog {
    /// `networkSummaryHash = digest(summary)`.
    pub fn network_summary_hash(&self) -> Sha256Digest {
        self.summary.digest()
    }

    /// The inclusion proof of record `seq` against the summary root.
    pub fn prove(&self, seq: u64) -> Result<RecordProof, RecorderError> {
        let none = || RecorderError::NoSuchRecord { seq, records: self.records.len() as u64 };
        let index = usize::try_from(seq).map_err(|_| none())?;
        let line = self.jsonl.lines().nth(index).ok_or_else(none)?;
        let record = parse_json(line.as_bytes()).map_err(|error| NetworkError::Record { line: index + 1, error })?;
        let leaves: Vec<Sha256Digest> = self.records.iter().map(|r| r.leaf).collect();
        let path = inclusion_proof(&leaves, index).ok_or_else(none)?;
        Ok(RecordProof { record, leaf: leaves[index], index: seq, tree_size: leaves.len() as u64, path })
    }
}

/// Records DNS answers, requests and responses of one execution.
#[derive(Debug, Clone)]
pub struct Recorder {
    execution_id: String,
    redact: BTreeSet<String>,
    allow_http: bool,
    /// One canonical JSON text per record, in seq order.
    lines: Vec<String>,
}

fn headers_value(redact: &BTreeSet<String>, headers: &[(&str, &str)]) -> Value {
    Value::Array(
        headers
            .iter()
            .map(|(name, value)| {
                let name = name.to_ascii_lowercase();
                let value = if redact.contains(&name) {
                    ObjectBuilder::new().set("sha256", s(sha256(value.as_bytes()).to_hex())).value()
                } else {
                    s(*value)
                };
                Value::Array(vec![s(name), value])
            })
            .collect(),
    )
}

fn tls_value(tls: Option<&TlsFacts>) -> Value {
    match tls {
        None => Value::Null,
        Some(t) => ObjectBuilder::new()
            .set("version", s(t.version.clone()))
            .set("cipherSuite", s(t.cipher_suite.clone()))
            .set("serverName", s(t.server_name.clone()))
            .set("peerCertificateSha256", s(t.peer_certificate_sha256.to_hex()))
            .value(),
    }
}

impl Recorder {
    /// A recorder for the execution `execution_id` (the summary's `executionId`).
    pub fn new(execution_id: impl Into<String>) -> Self {
        Self { execution_id: execution_id.into(), redact: BTreeSet::new(), allow_http: false, lines: Vec::new() }
    }

    /// Redacts the values of header `name` (case-insensitive) in requests and
    /// responses recorded from now on: the value becomes `{"sha256": hex}`.
    pub fn redact(&mut self, name: &str) -> &mut Self {
        let _ = self.redact.insert(name.to_ascii_lowercase());
        self
    }

    /// Permits plain `http` requests (their responses carry `"tls": null`).
    /// Such a log summarizes, but `attest verify` refuses it (rule `https`).
    pub fn allow_http(&mut self, allow: bool) -> &mut Self {
        self.allow_http = allow;
        self
    }

    /// The execution id.
    pub fn execution_id(&self) -> &str {
        &self.execution_id
    }

    /// Number of records so far (the next record's seq).
    pub fn len(&self) -> u64 {
        self.lines.len() as u64
    }

    /// Whether nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    fn push(&mut self, body: ObjectBuilder) -> u64 {
        let seq = self.len();
        self.lines.push(attest_json::to_canonical_string(&body.value()));
        seq
    }

    fn start(&self, kind: &str, at: Timestamp) -> ObjectBuilder {
        ObjectBuilder::new().set("kind", s(kind)).set("seq", int(self.len())).set("at", s(at.to_rfc3339()))
    }

    /// Records a DNS answer; returns its seq.
    pub fn dns(&mut self, name: &str, rrtype: &str, answers: &[&str], resolver: &str, at: Timestamp) -> u64 {
        let b = self
            .start("dns", at)
            .set("name", s(name.to_ascii_lowercase()))
            .set("rrtype", s(rrtype))
            .set("answers", Value::Array(answers.iter().map(|a| s(*a)).collect()))
            .set("resolver", s(resolver));
        self.push(b)
    }

    /// Records an outbound request (headers as sent, body bytes hashed); returns its seq.
    pub fn request(&mut self, method: &str, url: &str, headers: &[(&str, &str)], body: &[u8], at: Timestamp) -> u64 {
        let b = self
            .start("request", at)
            .set("method", s(method))
            .set("url", s(url))
            .set("headers", headers_value(&self.redact, headers))
            .set("bodySha256", s(sha256(body).to_hex()));
        self.push(b)
    }

    /// Records the response to request `request_seq` (`tls` is `None` for
    /// plain http); returns its seq.
    pub fn response(
        &mut self,
        request_seq: u64,
        status: u16,
        headers: &[(&str, &str)],
        body: &[u8],
        tls: Option<TlsFacts>,
        at: Timestamp,
    ) -> u64 {
        let b = self
            .start("response", at)
            .set("requestSeq", int(request_seq))
            .set("status", int(u64::from(status)))
            .set("headers", headers_value(&self.redact, headers))
            .set("bodySha256", s(sha256(body).to_hex()))
            .set("tls", tls_value(tls.as_ref()));
        self.push(b)
    }

    /// The log text without any check (for examples built correct by construction).
    fn jsonl_unchecked(&self) -> String {
        let mut out = String::with_capacity(self.lines.iter().map(|l| l.len() + 1).sum());
        for l in &self.lines {
            out.push_str(l);
            out.push('\n');
        }
        out
    }

    /// Checks every record against docs/spec.md §5 and returns the log with its summary.
    pub fn finish(&self) -> Result<CheckedLog, RecorderError> {
        let mut records = Vec::with_capacity(self.lines.len());
        for (i, line) in self.lines.iter().enumerate() {
            records.push(parse_log_line(line.as_bytes(), i + 1)?.1);
        }
        let summary =
            check_records(&records, &self.execution_id, &LogRules { allow_hosts: &[], allow_http: self.allow_http })?;
        Ok(CheckedLog { jsonl: self.jsonl_unchecked(), records, summary })
    }

    /// The log: one canonical JSON object per line, `\n`-terminated.
    pub fn to_jsonl(&self) -> Result<String, RecorderError> {
        Ok(self.finish()?.jsonl)
    }

    /// The summary of the log.
    pub fn summary(&self) -> Result<NetworkSummary, RecorderError> {
        Ok(self.finish()?.summary)
    }

    /// `networkSummaryHash = digest(summary)`, to bind into the attestation.
    pub fn network_summary_hash(&self) -> Result<Sha256Digest, RecorderError> {
        Ok(self.finish()?.network_summary_hash())
    }

    /// The inclusion proof of record `seq` against the summary root.
    pub fn prove(&self, seq: u64) -> Result<RecordProof, RecorderError> {
        self.finish()?.prove(seq)
    }
}

/// Hosts used by [`example_log`].
const EXAMPLE_HOSTS: [&str; 5] =
    ["api.example.com", "prices.example.net", "auth.example.org", "cdn.example.com", "scores.example.io"];

/// A deterministic, valid log of `n` records for examples, vectors and
/// benchmarks: repeated `dns` / `request` / `response` triples over five
/// hosts (a final partial triple when `n` is not a multiple of 3), `at`
/// increasing by one millisecond per record from `2026-11-21T09:00:00Z`,
/// every third request a `POST` with a body, an `authorization` header
/// redacted, TLS 1.3 and 1.2 facts alternating. `execution_id` seeds the
/// bodies and paths, so two executions get different logs. The same
/// arguments always give the same bytes.
pub fn example_log(n: usize, execution_id: &str) -> String {
    const BASE: i64 = 1_795_251_600; // 2026-11-21T09:00:00Z
    let mut rec = Recorder::new(execution_id);
    rec.redact("authorization");
    let at = |i: usize| {
        let ms = i as i64;
        Timestamp::from_unix(BASE + ms / 1000, (ms % 1000) as u32 * 1_000_000)
    };
    let mut request_seq = 0u64;
    for i in 0..n {
        let triple = i / 3;
        let host = EXAMPLE_HOSTS[triple % EXAMPLE_HOSTS.len()];
        match i % 3 {
            0 => {
                let a = format!("93.184.{}.{}", (triple / 250) % 250, triple % 250 + 1);
                let aaaa;
                let (rrtype, answers): (&str, Vec<&str>) = if triple % 4 == 3 {
                    aaaa = format!("2001:db8::{:x}", triple % 65_535 + 1);
                    ("AAAA", vec![aaaa.as_str()])
                } else {
                    ("A", vec![a.as_str()])
                };
                let resolver = if triple % 2 == 0 { "1.1.1.1" } else { "system" };
                let _ = rec.dns(host, rrtype, &answers, resolver, at(i));
            }
            1 => {
                let url = format!(
                    "https://{host}/v1/item/{}?exec={execution_id}",
                    &sha256(format!("{execution_id}/{triple}").as_bytes()).to_hex()[..12]
                );
                let token = format!("Bearer token-{triple}");
                let (method, body) =
                    if triple % 3 == 2 { ("POST", format!("{{\"query\":{triple}}}")) } else { ("GET", String::new()) };
                let mut headers = vec![("accept", "application/json"), ("authorization", token.as_str())];
                if method == "POST" {
                    headers.push(("content-type", "application/json"));
                }
                request_seq = rec.request(method, &url, &headers, body.as_bytes(), at(i));
            }
            _ => {
                let body = format!("{{\"exec\":{:?},\"n\":{triple}}}", execution_id);
                let tls = TlsFacts {
                    version: if triple % 2 == 0 { "TLSv1.3" } else { "TLSv1.2" }.into(),
                    cipher_suite: if triple % 2 == 0 {
                        "TLS_AES_128_GCM_SHA256"
                    } else {
                        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
                    }
                    .into(),
                    server_name: host.into(),
                    peer_certificate_sha256: sha256(format!("certificate of {host}").as_bytes()),
                };
                let status = if triple % 7 == 6 { 404 } else { 200 };
                let _ = rec.response(
                    request_seq,
                    status,
                    &[("content-type", "application/json"), ("cache-control", "no-store")],
                    body.as_bytes(),
                    Some(tls),
                    at(i),
                );
            }
        }
    }
    rec.jsonl_unchecked()
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use attest_verifier::network::{parse_log, root_from_inclusion_proof, summarize_log, verify_record_proof};

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).expect("time")
    }

    fn facts(host: &str) -> TlsFacts {
        TlsFacts {
            version: "TLSv1.3".into(),
            cipher_suite: "TLS_AES_128_GCM_SHA256".into(),
            server_name: host.into(),
            peer_certificate_sha256: sha256(b"cert"),
        }
    }

    fn basic() -> Recorder {
        let mut r = Recorder::new("exec-1");
        r.redact("AUTHORIZATION");
        r.dns("API.Example.com", "A", &["93.184.216.34"], "1.1.1.1", t("2026-11-21T09:59:58Z"));
        let q = r.request(
            "GET",
            "https://api.example.com/v1/price?asset=ETH",
            &[("Accept", "application/json"), ("Authorization", "Bearer secret-token")],
            b"",
            t("2026-11-21T09:59:58.5Z"),
        );
        r.response(
            q,
            200,
            &[("Content-Type", "application/json")],
            b"{\"price\":3150.25}",
            Some(facts("api.example.com")),
            t("2026-11-21T09:59:59Z"),
        );
        r
    }

    #[test]
    fn writes_the_documented_example_log() {
        let r = basic();
        let log = r.to_jsonl().expect("valid");
        let cert = sha256(b"cert").to_hex();
        let body = sha256(b"{\"price\":3150.25}").to_hex();
        let empty = sha256(b"").to_hex();
        let auth = sha256(b"Bearer secret-token").to_hex();
        let dns = r#"{"answers":["93.184.216.34"],"at":"2026-11-21T09:59:58Z","kind":"dns","name":"api.example.com","resolver":"1.1.1.1","rrtype":"A","seq":0}"#;
        let request = format!(
            r#"{{"at":"2026-11-21T09:59:58.5Z","bodySha256":"{empty}","headers":[["accept","application/json"],["authorization",{{"sha256":"{auth}"}}]],"kind":"request","method":"GET","seq":1,"url":"https://api.example.com/v1/price?asset=ETH"}}"#
        );
        let response = format!(
            r#"{{"at":"2026-11-21T09:59:59Z","bodySha256":"{body}","headers":[["content-type","application/json"]],"kind":"response","requestSeq":1,"seq":2,"status":200,"tls":{{"cipherSuite":"TLS_AES_128_GCM_SHA256","peerCertificateSha256":"{cert}","serverName":"api.example.com","version":"TLSv1.3"}}}}"#
        );
        let expected = format!("{dns}\n{request}\n{response}\n");
        assert_eq!(log, expected);
        // Every line is exactly its canonical form.
        for line in log.lines() {
            let v = parse_json(line.as_bytes()).expect("json");
            assert_eq!(attest_json::to_canonical_string(&v), line);
        }
        let s = r.summary().expect("summary");
        assert_eq!(s.records, 3);
        assert_eq!(s.hosts, vec!["api.example.com".to_string()]);
        assert_eq!(s.first_at.as_deref(), Some("2026-11-21T09:59:58Z"));
        assert_eq!(r.network_summary_hash().expect("hash"), s.digest());
        assert_eq!(summarize_log(log.as_bytes(), "exec-1", &LogRules::default()).expect("summary"), s);
    }

    #[test]
    fn proofs_verify_against_the_root() {
        let r = basic();
        let s = r.summary().expect("summary");
        for seq in 0..3 {
            let p = r.prove(seq).expect("proof");
            verify_record_proof(&p, &s.root).expect("verifies");
            let doc = p.to_value();
            let back = attest_verifier::network::parse_record_proof_value(&doc).expect("parse");
            assert_eq!(back.root(), Some(s.root));
        }
        assert_eq!(r.prove(3).expect_err("out of range"), RecorderError::NoSuchRecord { seq: 3, records: 3 });
    }

    #[test]
    fn redaction_is_case_insensitive_and_applies_to_responses() {
        let mut r = basic();
        r.redact("Set-Cookie");
        let q = r.request("GET", "https://api.example.com/x", &[], b"", t("2026-11-21T10:00:00Z"));
        r.response(q, 204, &[("SET-COOKIE", "a=b")], b"", Some(facts("api.example.com")), t("2026-11-21T10:00:01Z"));
        let log = r.to_jsonl().expect("valid");
        let last = log.lines().last().expect("line");
        assert!(last.contains(&format!(r#"["set-cookie",{{"sha256":"{}"}}]"#, sha256(b"a=b").to_hex())));
        assert!(!log.contains("a=b"));
        assert!(!log.contains("secret-token"));
    }

    #[test]
    fn refuses_logs_that_break_rules() {
        let reason = |r: &Recorder| match r.to_jsonl() {
            Err(RecorderError::Log(e)) => e.reason().as_str(),
            other => panic!("expected a refusal, got {other:?}"),
        };
        // No dns record.
        let mut r = Recorder::new("x");
        r.request("GET", "https://a.example/", &[], b"", t("2026-11-21T10:00:00Z"));
        assert_eq!(reason(&r), "dns");
        // Time goes backwards.
        let mut r = basic();
        r.dns("b.example", "A", &[], "system", t("2026-11-21T09:00:00Z"));
        assert_eq!(reason(&r), "order");
        // Response to a non-request and double response.
        let mut r = basic();
        r.response(0, 200, &[], b"", None, t("2026-11-21T10:00:00Z"));
        assert_eq!(reason(&r), "binding");
        let mut r = basic();
        r.response(1, 200, &[], b"", Some(facts("x")), t("2026-11-21T10:00:00Z"));
        assert_eq!(reason(&r), "binding");
        // https response without TLS facts.
        let mut r = Recorder::new("x");
        r.dns("a.example", "A", &["10.0.0.1"], "system", t("2026-11-21T10:00:00Z"));
        let q = r.request("GET", "https://a.example/", &[], b"", t("2026-11-21T10:00:00Z"));
        r.response(q, 200, &[], b"", None, t("2026-11-21T10:00:00Z"));
        assert_eq!(reason(&r), "tls");
        // Plain http, unless allowed.
        let mut r = Recorder::new("x");
        let q = r.request("GET", "http://10.0.0.1/", &[], b"", t("2026-11-21T10:00:00Z"));
        r.response(q, 200, &[], b"", None, t("2026-11-21T10:00:00Z"));
        assert_eq!(reason(&r), "https");
        r.allow_http(true);
        assert_eq!(r.summary().expect("allowed").requests, 1);
        // Malformed: not an http(s) URL, empty method.
        let mut r = Recorder::new("x");
        r.request("GET", "ftp://a/", &[], b"", t("2026-11-21T10:00:00Z"));
        assert_eq!(reason(&r), "malformed-record");
        let mut r = Recorder::new("x");
        r.request("", "https://10.0.0.1/", &[], b"", t("2026-11-21T10:00:00Z"));
        assert_eq!(reason(&r), "malformed-record");
    }

    #[test]
    fn empty_recorder() {
        let r = Recorder::new("e");
        assert!(r.is_empty());
        assert_eq!(r.to_jsonl().expect("empty"), "");
        let s = r.summary().expect("summary");
        assert_eq!((s.records, s.first_at, s.last_at), (0, None, None));
        assert_eq!(s.root, sha256(b""));
    }

    #[test]
    fn example_logs_are_valid_and_deterministic() {
        for n in [0usize, 1, 2, 3, 4, 5, 31, 300] {
            let log = example_log(n, "exec-example");
            assert_eq!(log, example_log(n, "exec-example"));
            let records = parse_log(log.as_bytes()).expect("parses");
            assert_eq!(records.len(), n);
            let s = check_records(&records, "exec-example", &LogRules::default())
                .unwrap_or_else(|e| panic!("n = {n}: {e}"));
            if n >= 30 {
                assert_eq!(s.hosts.len(), 5);
            }
            for line in log.lines() {
                let v = parse_json(line.as_bytes()).expect("json");
                assert_eq!(attest_json::to_canonical_string(&v), line);
            }
        }
        assert_ne!(example_log(6, "a"), example_log(6, "b"));
    }

    #[test]
    fn example_log_proofs() {
        let log = example_log(1000, "exec-big");
        let records = parse_log(log.as_bytes()).expect("parses");
        let leaves: Vec<Sha256Digest> = records.iter().map(|r| r.leaf).collect();
        let root = attest_verifier::network::merkle_root(&leaves);
        for i in [0usize, 1, 511, 512, 999] {
            let p = inclusion_proof(&leaves, i).expect("in range");
            assert!(p.len() <= 10);
            assert_eq!(root_from_inclusion_proof(&leaves[i], i as u64, 1000, &p), Some(root));
        }
    }
}
