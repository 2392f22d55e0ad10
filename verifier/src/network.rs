//! Network logs, summaries and record proofs (formats.md §5).
//!
//! ```text
//! log          = JSON Lines, one record per line, seq contiguous from 0
//! leaf(r)      = SHA-256(0x00 ‖ JCS(r))
//! node(l, r)   = SHA-256(0x01 ‖ l ‖ r)
//! root         = RFC 9162 §2.1 Merkle tree hash of the leaves in seq order; empty tree SHA-256("")
//! summary      = {type, executionId, records, dns, requests, responses, hosts, firstAt, lastAt, root}
//! networkSummaryHash = digest(summary) = SHA-256(M(summary))
//! ```
//!
//! Rules of the `network` check, each failure naming the record's `seq`:
//! `seq` (contiguous from 0), `order` (`at` never decreases), `binding`
//! (a response names an earlier request that has no other response), `https`
//! (every request is `https` unless plain http is explicitly allowed), `tls`
//! (https responses carry TLS facts, http ones `null`), `dns` (a request's
//! host has an earlier `dns` record, IP literals excepted), `allow-host`
//! (with an allow list, every host is listed), and `summary` (the log
//! recomputes the attested summary).
//!
//! # Decisions where formats.md §5 is silent
//!
//! - **Lines.** Every line is one JSON object parsed strictly (§0: duplicate
//!   keys, lone surrogates, out-of-range integers refused; 16 MiB per line,
//!   depth 128). One final `\n` is optional; any other empty line, including
//!   a blank line in the middle or a `\n\n` ending, is a malformed record.
//!   `\r` before `\n` is JSON whitespace and therefore tolerated, but the
//!   recorder writes every line as exactly `C(r)` followed by `\n`, so a log
//!   it writes is byte-for-byte the bytes that are hashed. The leaf hash never
//!   depends on the line's own spelling: it is computed over `C(r)` of the
//!   parsed record.
//! - **Members.** Each kind has exactly the members of §5; a missing or
//!   unknown member is a malformed record. `bodySha256` is **required** on
//!   requests and responses, and is `SHA-256("")` for an empty body
//!   (`e3b0c442…b855`). `tls` is required on responses (an object or `null`).
//!   `name`, `rrtype`, `method`, `url`, `version` and `cipherSuite` are
//!   non-empty strings; `resolver` and `serverName` may be empty (no SNI is
//!   sent to an IP literal, so its `serverName` is `""`). `answers` may be
//!   empty (a negative answer). DNS names compare case-insensitively (they
//!   are lowercased when read). Header names are non-empty and lowercase;
//!   a header value is a string or exactly `{"sha256": hex}`.
//! - **URLs.** Only `http://` and `https://`; the host is the authority
//!   without userinfo and port, lowercased; IPv4 dotted quads and bracketed
//!   IPv6 literals are IP literals and need no `dns` record.
//! - **Empty log.** A log of zero records (an empty file, or a single `\n`)
//!   is valid: `records`, `dns`, `requests`, `responses` are 0, `hosts` is
//!   `[]`, `firstAt` and `lastAt` are `null`, and `root` is `SHA-256("")`
//!   (`e3b0c442…b855`), the RFC 9162 empty-tree hash.
//! - **Times.** `at` is an RFC 3339 UTC timestamp (§0); `order` compares the
//!   instants, so `…:59.5Z` and `…:59.500Z` are equal and allowed in
//!   sequence. `firstAt`/`lastAt` copy the record's text unchanged.
//! - **Plain http.** The `network` check of `attest verify` never allows
//!   plain `http` requests: an unauthenticated exchange cannot be attested.
//!   [`LogRules::allow_http`] exists for recording and summarizing
//!   (`attest fetch --allow-http`, `attest network summarize --allow-http`);
//!   such a log has responses with `"tls": null` and is refused by `verify`
//!   with the rule `https`.
//! - **executionId.** The log does not carry the execution id. When an
//!   attestation is verified, the summary is recomputed with the
//!   attestation's `executionId`; `attest network summarize` takes it from
//!   `--execution-id` (default `""`).
//! - **Statuses.** `status` is any non-negative integer the log records (the
//!   recorder writes the HTTP status code as received); `requestSeq` must
//!   name an earlier `request` record (not a `dns` or `response` record).
//! - **Proofs.** `index` equals the record's `seq`; `treeSize` is the record
//!   count; `path` lists sibling hashes from the leaf up (RFC 9162
//!   §2.1.3.1), so its length is at most ⌈log2(treeSize)⌉. A proof checked
//!   against a summary also needs `treeSize = summary.records`.

use attest_json::{Number, Object, Value};

use crate::crypto::sha256;
use crate::doc::{self, err, DocResult, DocumentError, Members, Signed};
use crate::report::Verified;
use crate::time::Timestamp;
use crate::types::Sha256Digest;

/// Document type of network summaries.
pub const NETWORK_SUMMARY_TYPE: &str = "attest.network-summary.v1";
/// Document type of record inclusion proofs.
pub const NETWORK_RECORD_PROOF_TYPE: &str = "attest.network-record-proof.v1";

/// Leaf prefix (RFC 9162).
pub const LEAF_PREFIX: u8 = 0x00;
/// Interior node prefix (RFC 9162).
pub const NODE_PREFIX: u8 = 0x01;

/// A header value: plain or redacted to its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderValue {
    /// The value as sent.
    Plain(String),
    /// `{"sha256": hex}` of the value's UTF-8 bytes.
    Redacted(Sha256Digest),
}

/// TLS facts of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFacts {
    /// e.g. `TLSv1.3`.
    pub version: String,
    /// e.g. `TLS_AES_128_GCM_SHA256`.
    pub cipher_suite: String,
    /// SNI name.
    pub server_name: String,
    /// SHA-256 of the peer's leaf certificate (DER).
    pub peer_certificate_sha256: Sha256Digest,
}

/// The kind-specific part of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordBody {
    /// A DNS answer.
    Dns {
        /// Queried name.
        name: String,
        /// Record type (`A`, `AAAA`, …).
        rrtype: String,
        /// Answers.
        answers: Vec<String>,
        /// Resolver used.
        resolver: String,
    },
    /// An outbound request.
    Request {
        /// HTTP method.
        method: String,
        /// Full URL.
        url: String,
        /// Host parsed from the URL (lowercase, no port, no userinfo).
        host: String,
        /// Whether the URL is https.
        https: bool,
        /// Whether the host is an IP literal.
        ip_literal: bool,
        /// Headers in order.
        headers: Vec<(String, HeaderValue)>,
        /// SHA-256 of the body.
        body_sha256: Sha256Digest,
    },
    /// A response.
    Response {
        /// The request it answers.
        request_seq: u64,
        /// HTTP status.
        status: u64,
        /// Headers in order.
        headers: Vec<(String, HeaderValue)>,
        /// SHA-256 of the body.
        body_sha256: Sha256Digest,
        /// TLS facts, `None` for plain http.
        tls: Option<TlsFacts>,
    },
}

/// One record of a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Position, from 0.
    pub seq: u64,
    /// Time text as in the record.
    pub at_text: String,
    /// Time.
    pub at: Timestamp,
    /// Kind-specific fields.
    pub body: RecordBody,
    /// `leaf(r)`.
    pub leaf: Sha256Digest,
}

/// Why a log is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum NetworkError {
    /// A line is not a valid record.
    #[error("line {line}: {error}")]
    Record {
        /// 1-based line number.
        line: usize,
        /// The problem.
        error: DocumentError,
    },
    /// A rule of §5 is broken.
    #[error("record seq {seq}: rule `{rule}`: {detail}")]
    Rule {
        /// The record.
        seq: u64,
        /// The rule id.
        rule: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// The recomputed summary does not hash to the attested value.
    #[error("the log's summary digest {computed} is not the attested networkSummaryHash {expected}")]
    Summary {
        /// Attested.
        expected: Sha256Digest,
        /// Recomputed.
        computed: Sha256Digest,
    },
}

impl NetworkError {
    /// Stable reason code (the rule id).
    pub fn reason(&self) -> &'static str {
        match self {
            NetworkError::Record { .. } => "malformed-record",
            NetworkError::Rule { rule, .. } => rule,
            NetworkError::Summary { .. } => "summary",
        }
    }
}

fn headers(m: &Members<'_>, key: &str) -> DocResult<Vec<(String, HeaderValue)>> {
    let p = m.path(key);
    let mut out = Vec::new();
    for (i, hv) in m.array(key)?.iter().enumerate() {
        let hp = format!("{p}[{i}]");
        let Value::Array(pair) = hv else {
            return err(hp, "expected a [name, value] pair");
        };
        let [Value::String(name), value] = pair.as_slice() else {
            return err(hp, "expected a [name, value] pair with a string name");
        };
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_uppercase()) {
            return err(format!("{hp}[0]"), "header names are non-empty and lowercase");
        }
        let value = match value {
            Value::String(s) => HeaderValue::Plain(s.clone()),
            Value::Object(_) => {
                let vp = format!("{hp}[1]");
                let r = Members::of(value, &vp)?;
                r.only(&["sha256"])?;
                HeaderValue::Redacted(r.digest("sha256")?)
            }
            _ => return err(format!("{hp}[1]"), "expected a string or {\"sha256\": hex}"),
        };
        out.push((name.clone(), value));
    }
    Ok(out)
}

/// Host part of an http(s) URL: `(host, https, ip_literal)`.
pub fn parse_url_host(url: &str) -> Result<(String, bool, bool), String> {
    let (https, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        return Err(format!("{url:?} is not an http(s) URL"));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, ip) = if let Some(v6) = hostport.strip_prefix('[') {
        let Some((h, tail)) = v6.split_once(']') else {
            return Err(format!("{url:?}: unterminated IPv6 literal"));
        };
        if !(tail.is_empty() || tail.starts_with(':')) {
            return Err(format!("{url:?}: bad authority"));
        }
        if h.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("{url:?}: bad IPv6 literal"));
        }
        (h.to_ascii_lowercase(), true)
    } else {
        let h = hostport.split(':').next().unwrap_or("");
        (h.to_ascii_lowercase(), h.parse::<std::net::Ipv4Addr>().is_ok())
    };
    if host.is_empty() {
        return Err(format!("{url:?} has no host"));
    }
    if !ip && !host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') {
        return Err(format!("{url:?}: host {host:?} is not a DNS name"));
    }
    Ok((host, https, ip))
}

const DNS_MEMBERS: &[&str] = &["kind", "seq", "at", "name", "rrtype", "answers", "resolver"];
const REQUEST_MEMBERS: &[&str] = &["kind", "seq", "at", "method", "url", "headers", "bodySha256"];
const RESPONSE_MEMBERS: &[&str] = &["kind", "seq", "at", "requestSeq", "status", "headers", "bodySha256", "tls"];

/// Parses one record (a JSON object) and computes its leaf.
pub fn parse_record_value(v: &Value, path: &str) -> DocResult<Record> {
    let m = Members::of(v, path)?;
    let kind = m.str("kind")?;
    let body = match kind {
        "dns" => {
            m.only(DNS_MEMBERS)?;
            let ap = m.path("answers");
            let mut answers = Vec::new();
            for (i, a) in m.array("answers")?.iter().enumerate() {
                let Value::String(s) = a else {
                    return err(format!("{ap}[{i}]"), "expected a string");
                };
                answers.push(s.clone());
            }
            RecordBody::Dns {
                name: m.text("name")?.to_ascii_lowercase(),
                rrtype: m.text("rrtype")?.to_string(),
                answers,
                resolver: m.str("resolver")?.to_string(),
            }
        }
        "request" => {
            m.only(REQUEST_MEMBERS)?;
            let url = m.text("url")?;
            let (host, https, ip_literal) =
                parse_url_host(url).map_err(|e| DocumentError::Member { path: m.path("url"), problem: e.into() })?;
            RecordBody::Request {
                method: m.text("method")?.to_string(),
                url: url.to_string(),
                host,
                https,
                ip_literal,
                headers: headers(&m, "headers")?,
                body_sha256: m.digest("bodySha256")?,
            }
        }
        "response" => {
            m.only(RESPONSE_MEMBERS)?;
            let tls = match m.req("tls")? {
                Value::Null => None,
                tv => {
                    let tp = m.path("tls");
                    let t = Members::of(tv, &tp)?;
                    t.only(&["version", "cipherSuite", "serverName", "peerCertificateSha256"])?;
                    Some(TlsFacts {
                        version: t.text("version")?.to_string(),
                        cipher_suite: t.text("cipherSuite")?.to_string(),
                        server_name: t.str("serverName")?.to_string(),
                        peer_certificate_sha256: t.digest("peerCertificateSha256")?,
                    })
                }
            };
            RecordBody::Response {
                request_seq: m.uint("requestSeq")?,
                status: m.uint("status")?,
                headers: headers(&m, "headers")?,
                body_sha256: m.digest("bodySha256")?,
                tls,
            }
        }
        other => return err(m.path("kind"), format!("unknown record kind {other:?} (dns, request or response)")),
    };
    let mut leaf_input = vec![LEAF_PREFIX];
    attest_json::canonicalize(v, &mut leaf_input);
    Ok(Record {
        seq: m.uint("seq")?,
        at_text: m.str("at")?.to_string(),
        at: m.time("at")?,
        body,
        leaf: sha256(&leaf_input),
    })
}

/// The lines of a JSON Lines log: one final `\n` is optional; an empty log has no line.
pub fn log_lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    body.split(|&b| b == b'\n').filter(move |_| !body.is_empty())
}

/// Parses one line of a log (1-based `line` for errors).
pub fn parse_log_line(line_bytes: &[u8], line: usize) -> Result<(Value, Record), NetworkError> {
    doc::parse_json(line_bytes)
        .and_then(|v| parse_record_value(&v, "$").map(|r| (v, r)))
        .map_err(|error| NetworkError::Record { line, error })
}

/// Parses a JSON Lines log. Empty lines are refused except one final newline.
pub fn parse_log(bytes: &[u8]) -> Result<Vec<Record>, NetworkError> {
    let mut records = Vec::new();
    for (i, line) in log_lines(bytes).enumerate() {
        records.push(parse_log_line(line, i + 1)?.1);
    }
    Ok(records)
}

/// Largest power of two strictly below `n` (n ≥ 2).
fn split_point(n: usize) -> usize {
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// Interior node hash.
pub fn node_hash(left: &Sha256Digest, right: &Sha256Digest) -> Sha256Digest {
    let mut buf = [0u8; 65];
    buf[0] = NODE_PREFIX;
    buf[1..33].copy_from_slice(left.as_bytes());
    buf[33..].copy_from_slice(right.as_bytes());
    sha256(&buf)
}

/// RFC 9162 Merkle tree hash of `leaves` (already leaf-hashed).
pub fn merkle_root(leaves: &[Sha256Digest]) -> Sha256Digest {
    if leaves.is_empty() {
        return sha256(b"");
    }
    // Iterative: fold complete subtrees on a stack (same result as the recursive split).
    let mut stack: Vec<(Sha256Digest, u32)> = Vec::new();
    for leaf in leaves {
        let mut node = (*leaf, 0u32);
        while let Some(&(top, h)) = stack.last() {
            if h != node.1 {
                break;
            }
            stack.pop();
            node = (node_hash(&top, &node.0), h + 1);
        }
        stack.push(node);
    }
    let mut acc = match stack.pop() {
        Some((d, _)) => d,
        None => return sha256(b""),
    };
    while let Some((left, _)) = stack.pop() {
        acc = node_hash(&left, &acc);
    }
    acc
}

/// RFC 9162 §2.1.3.1 inclusion proof of leaf `index` (a list of sibling hashes, leaf to root).
pub fn inclusion_proof(leaves: &[Sha256Digest], index: usize) -> Option<Vec<Sha256Digest>> {
    if index >= leaves.len() {
        return None;
    }
    let mut path = Vec::new();
    let mut lo = 0usize;
    let mut hi = leaves.len();
    let mut stack = Vec::new();
    while hi - lo > 1 {
        let k = split_point(hi - lo);
        if index < lo + k {
            stack.push((lo + k, hi));
            hi = lo + k;
        } else {
            stack.push((lo, lo + k));
            lo += k;
        }
    }
    while let Some((a, b)) = stack.pop() {
        path.push(merkle_root(&leaves[a..b]));
    }
    Some(path)
}

/// RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or `None` if the proof is malformed.
pub fn root_from_inclusion_proof(
    leaf: &Sha256Digest,
    index: u64,
    tree_size: u64,
    path: &[Sha256Digest],
) -> Option<Sha256Digest> {
    if index >= tree_size {
        return None;
    }
    let mut fn_ = index;
    let mut sn = tree_size - 1;
    let mut r = *leaf;
    for p in path {
        if sn == 0 {
            return None;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    (sn == 0).then_some(r)
}

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

/// Options of the log rules.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogRules<'a> {
    /// With a non-empty list, every request host must be listed.
    pub allow_hosts: &'a [String],
    /// Permit plain `http` requests.
    pub allow_http: bool,
}

/// Checks the §5 rules over parsed records and recomputes the summary.
pub fn check_records(
    records: &[Record],
    execution_id: &str,
    rules: &LogRules<'_>,
) -> Result<NetworkSummary, NetworkError> {
    let rule = |seq: u64, rule: &'static str, detail: String| Err(NetworkError::Rule { seq, rule, detail });
    let mut dns_names: Vec<&str> = Vec::new();
    let mut answered: Vec<Option<bool>> = Vec::with_capacity(records.len()); // Some(answered?) for requests
    let mut request_https: Vec<bool> = Vec::with_capacity(records.len());
    let (mut dns, mut requests, mut responses) = (0u64, 0u64, 0u64);
    let mut hosts: Vec<String> = Vec::new();
    let mut prev_at: Option<Timestamp> = None;
    for (i, r) in records.iter().enumerate() {
        if r.seq != i as u64 {
            return rule(r.seq, "seq", format!("expected seq {i}: seq must be contiguous from 0"));
        }
        if prev_at.is_some_and(|p| r.at < p) {
            return rule(r.seq, "order", format!("at {} is before the previous record's", r.at_text));
        }
        prev_at = Some(r.at);
        match &r.body {
            RecordBody::Dns { name, .. } => {
                dns += 1;
                dns_names.push(name);
                answered.push(None);
                request_https.push(false);
            }
            RecordBody::Request { host, https, ip_literal, url, .. } => {
                requests += 1;
                if !https && !rules.allow_http {
                    return rule(r.seq, "https", format!("{url} is not https"));
                }
                if !ip_literal && !dns_names.contains(&host.as_str()) {
                    return rule(r.seq, "dns", format!("host {host} has no earlier dns record"));
                }
                if !rules.allow_hosts.is_empty() && !rules.allow_hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
                    return rule(r.seq, "allow-host", format!("host {host} is not in the allowed hosts"));
                }
                if let Err(pos) = hosts.binary_search(host) {
                    hosts.insert(pos, host.clone());
                }
                answered.push(Some(false));
                request_https.push(*https);
            }
            RecordBody::Response { request_seq, tls, .. } => {
                responses += 1;
                let rs = *request_seq;
                let target = usize::try_from(rs).ok().filter(|&t| t < i);
                match target.map(|t| answered[t]) {
                    Some(Some(false)) => {}
                    Some(Some(true)) => return rule(r.seq, "binding", format!("request {rs} already has a response")),
                    _ => return rule(r.seq, "binding", format!("requestSeq {rs} is not an earlier request")),
                }
                let t = target.unwrap_or(0);
                answered[t] = Some(true);
                if request_https[t] != tls.is_some() {
                    return rule(
                        r.seq,
                        "tls",
                        if request_https[t] {
                            "response to an https request has no tls facts".into()
                        } else {
                            "response to a plain http request has tls facts".into()
                        },
                    );
                }
                answered.push(None);
                request_https.push(false);
            }
        }
    }
    let leaves: Vec<Sha256Digest> = records.iter().map(|r| r.leaf).collect();
    Ok(NetworkSummary {
        execution_id: execution_id.to_string(),
        records: records.len() as u64,
        dns,
        requests,
        responses,
        hosts,
        first_at: records.first().map(|r| r.at_text.clone()),
        last_at: records.last().map(|r| r.at_text.clone()),
        root: merkle_root(&leaves),
    })
}

/// The `network` check: parse the log, apply the rules, recompute the summary digest.
pub fn check_log_against(
    log: &[u8],
    execution_id: &str,
    expected: &Sha256Digest,
    allow_hosts: &[String],
) -> Result<String, NetworkError> {
    let records = parse_log(log)?;
    let summary = check_records(&records, execution_id, &LogRules { allow_hosts, allow_http: false })?;
    let computed = summary.digest();
    if &computed != expected {
        return Err(NetworkError::Summary { expected: *expected, computed });
    }
    Ok(format!(
        "{} record(s) ({} dns, {} requests, {} responses) to {} host(s) recompute networkSummaryHash; root {}",
        summary.records,
        summary.dns,
        summary.requests,
        summary.responses,
        summary.hosts.len(),
        summary.root
    ))
}

/// Parses a log, applies the rules and recomputes its summary (`attest network summarize`).
pub fn summarize_log(log: &[u8], execution_id: &str, rules: &LogRules<'_>) -> Result<NetworkSummary, NetworkError> {
    check_records(&parse_log(log)?, execution_id, rules)
}

/// Why a record proof cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ProveError {
    /// The log is malformed or breaks a rule.
    #[error("{0}")]
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

/// Builds the inclusion proof of record `seq` of a log after checking the
/// log's rules (`attest network prove`). Returns the proof and the summary
/// it proves against.
pub fn prove_log_record(
    log: &[u8],
    execution_id: &str,
    rules: &LogRules<'_>,
    seq: u64,
) -> Result<(RecordProof, NetworkSummary), ProveError> {
    let mut records = Vec::new();
    let mut wanted = None;
    for (i, line) in log_lines(log).enumerate() {
        let (v, r) = parse_log_line(line, i + 1)?;
        if i as u64 == seq {
            wanted = Some(v);
        }
        records.push(r);
    }
    let summary = check_records(&records, execution_id, rules)?;
    let leaves: Vec<Sha256Digest> = records.iter().map(|r| r.leaf).collect();
    let proof = match (wanted, usize::try_from(seq).ok()) {
        (Some(record), Some(index)) => inclusion_proof(&leaves, index).map(|path| RecordProof {
            record,
            leaf: leaves[index],
            index: seq,
            tree_size: leaves.len() as u64,
            path,
        }),
        _ => None,
    };
    match proof {
        Some(p) => Ok((p, summary)),
        None => Err(ProveError::NoSuchRecord { seq, records: records.len() as u64 }),
    }
}

/// An inclusion proof of one record.
#[derive(Debug, Clone)]
pub struct RecordProof {
    /// The record object.
    pub record: Value,
    /// Its leaf hash.
    pub leaf: Sha256Digest,
    /// Leaf index (its seq).
    pub index: u64,
    /// Tree size (record count).
    pub tree_size: u64,
    /// Sibling hashes, leaf to root.
    pub path: Vec<Sha256Digest>,
}

impl RecordProof {
    /// The proof document.
    pub fn to_value(&self) -> Value {
        let mut o = Object::new();
        let _ = o.insert("type".into(), Value::String(NETWORK_RECORD_PROOF_TYPE.into()));
        let _ = o.insert("record".into(), self.record.clone());
        let _ = o.insert("index".into(), Value::Number(Number::Int(self.index as i64)));
        let _ = o.insert("treeSize".into(), Value::Number(Number::Int(self.tree_size as i64)));
        let _ = o.insert("path".into(), Value::Array(self.path.iter().map(|d| Value::String(d.to_hex())).collect()));
        Value::Object(o)
    }

    /// The root this proof leads to, if well-formed.
    pub fn root(&self) -> Option<Sha256Digest> {
        root_from_inclusion_proof(&self.leaf, self.index, self.tree_size, &self.path)
    }
}

/// Parses a proof document (the record is checked as a record).
pub fn parse_record_proof_value(v: &Value) -> DocResult<RecordProof> {
    let m = Members::of(v, "$")?;
    m.expect_type(NETWORK_RECORD_PROOF_TYPE)?;
    m.only(&["type", "record", "index", "treeSize", "path"])?;
    let record_value = m.req("record")?;
    let record = parse_record_value(record_value, &m.path("record"))?;
    let index = m.uint("index")?;
    if record.seq != index {
        return err(m.path("index"), format!("index {index} differs from the record's seq {}", record.seq));
    }
    let pp = m.path("path");
    let mut path = Vec::new();
    for (i, h) in m.array("path")?.iter().enumerate() {
        let Value::String(s) = h else {
            return err(format!("{pp}[{i}]"), "expected a hex hash");
        };
        path.push(
            Sha256Digest::from_hex(s)
                .map_err(|e| DocumentError::Member { path: format!("{pp}[{i}]"), problem: e.into() })?,
        );
    }
    Ok(RecordProof { record: record_value.clone(), leaf: record.leaf, index, tree_size: m.uint("treeSize")?, path })
}

/// A record proven to be leaf `index` of the tree of `tree_size` leaves with `root`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncludedRecord {
    /// Leaf index (the record's seq).
    pub index: u64,
    /// Tree size.
    pub tree_size: u64,
    /// The record's leaf hash.
    pub leaf: Sha256Digest,
    /// The root it is included under.
    pub root: Sha256Digest,
}

/// Why an inclusion proof is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The path does not fit the index and tree size (RFC 9162 §2.1.3.2 fails).
    #[error("malformed proof: {path_len} path hashes do not fit index {index} of a tree of {tree_size}")]
    Malformed {
        /// Path length.
        path_len: usize,
        /// Index.
        index: u64,
        /// Tree size.
        tree_size: u64,
    },
    /// The proof leads to another root.
    #[error("proof leads to root {computed}, expected {expected}")]
    WrongRoot {
        /// Expected root.
        expected: Sha256Digest,
        /// Root the proof leads to.
        computed: Sha256Digest,
    },
    /// The proof is for a tree of another size than the summary's.
    #[error("proof is for a tree of {proof} record(s), the summary has {summary}")]
    TreeSize {
        /// Proof's tree size.
        proof: u64,
        /// Summary's record count.
        summary: u64,
    },
}

/// Verifies a proof against a summary: its `treeSize` must be the summary's
/// `records` and it must lead to the summary's `root`.
pub fn verify_record_proof_against_summary(
    proof: &RecordProof,
    summary: &NetworkSummary,
) -> Result<Verified<IncludedRecord>, ProofError> {
    if proof.tree_size != summary.records {
        return Err(ProofError::TreeSize { proof: proof.tree_size, summary: summary.records });
    }
    verify_record_proof(proof, &summary.root)
}

/// Verifies a proof against a root.
pub fn verify_record_proof(proof: &RecordProof, root: &Sha256Digest) -> Result<Verified<IncludedRecord>, ProofError> {
    match proof.root() {
        None => {
            Err(ProofError::Malformed { path_len: proof.path.len(), index: proof.index, tree_size: proof.tree_size })
        }
        Some(r) if &r == root => Ok(Verified::new(IncludedRecord {
            index: proof.index,
            tree_size: proof.tree_size,
            leaf: proof.leaf,
            root: r,
        })),
        Some(r) => Err(ProofError::WrongRoot { expected: *root, computed: r }),
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Sha256Digest> {
        (0..n).map(|i| sha256(&[LEAF_PREFIX, i as u8, (i >> 8) as u8])).collect()
    }

    fn recursive_root(l: &[Sha256Digest]) -> Sha256Digest {
        match l.len() {
            0 => sha256(b""),
            1 => l[0],
            n => {
                let k = split_point(n);
                node_hash(&recursive_root(&l[..k]), &recursive_root(&l[k..]))
            }
        }
    }

    #[test]
    fn iterative_root_matches_rfc_definition() {
        for n in 0..70 {
            let l = leaves(n);
            assert_eq!(merkle_root(&l), recursive_root(&l), "n = {n}");
        }
    }

    #[test]
    fn every_inclusion_proof_verifies_and_tampering_fails() {
        for n in 1..40usize {
            let l = leaves(n);
            let root = merkle_root(&l);
            for i in 0..n {
                let p = inclusion_proof(&l, i).expect("index in range");
                assert_eq!(root_from_inclusion_proof(&l[i], i as u64, n as u64, &p), Some(root));
                if !p.is_empty() {
                    let mut bad = p.clone();
                    bad[0] = sha256(b"x");
                    assert_ne!(root_from_inclusion_proof(&l[i], i as u64, n as u64, &bad), Some(root));
                    assert_eq!(root_from_inclusion_proof(&l[i], i as u64, n as u64, &p[..p.len() - 1]), None);
                }
                assert_ne!(
                    root_from_inclusion_proof(&l[i], (i as u64 + 1) % n as u64, n as u64, &p),
                    if n > 1 { Some(root) } else { None }
                );
            }
        }
    }

    const LOG: &str = concat!(
        r#"{"kind":"dns","seq":0,"at":"2026-11-21T09:59:58Z","name":"api.example.com","rrtype":"A","answers":["93.184.216.34"],"resolver":"1.1.1.1"}"#,
        "\n",
        r#"{"kind":"request","seq":1,"at":"2026-11-21T09:59:58.5Z","method":"GET","url":"https://api.example.com/v1/price","headers":[["authorization",{"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}]],"bodySha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}"#,
        "\n",
        r#"{"kind":"response","seq":2,"at":"2026-11-21T09:59:59Z","requestSeq":1,"status":200,"headers":[],"bodySha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","tls":{"version":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","serverName":"api.example.com","peerCertificateSha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}}"#,
        "\n",
    );

    #[test]
    fn decisions_empty_log_crlf_blank_lines() {
        for empty in [&b""[..], b"\n"] {
            let s = summarize_log(empty, "x", &LogRules::default()).expect("empty log is valid");
            assert_eq!((s.records, s.first_at, s.last_at), (0, None, None));
            assert_eq!(s.root, sha256(b""));
            assert!(s.hosts.is_empty());
        }
        let good = summarize_log(LOG.as_bytes(), "x", &LogRules::default()).expect("valid");
        assert_eq!(good.records, 3);
        // CRLF and non-canonical spelling do not change the leaves.
        let crlf = LOG.replace('\n', "\r\n");
        let spaced = LOG.replace(",\"", ", \"");
        for variant in [crlf, spaced] {
            let s = summarize_log(variant.as_bytes(), "x", &LogRules::default()).expect("valid");
            assert_eq!(s, good);
        }
        // Blank lines other than one final newline are refused.
        for bad in [format!("{LOG}\n"), format!("\n{LOG}"), LOG.replacen('\n', "\n\n", 1)] {
            assert_eq!(
                summarize_log(bad.as_bytes(), "x", &LogRules::default()).expect_err("blank line").reason(),
                "malformed-record"
            );
        }
        // bodySha256 is required.
        let no_body = LOG.replacen(
            r#","bodySha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}"#,
            "}",
            1,
        );
        assert_ne!(no_body, LOG);
        assert_eq!(
            summarize_log(no_body.as_bytes(), "x", &LogRules::default()).expect_err("bodySha256 required").reason(),
            "malformed-record"
        );
    }

    #[test]
    fn prove_log_record_and_summary_size() {
        let (p, s) = prove_log_record(LOG.as_bytes(), "x", &LogRules::default(), 1).expect("proof");
        verify_record_proof_against_summary(&p, &s).expect("valid");
        let back = parse_record_proof_value(&p.to_value()).expect("parses");
        verify_record_proof_against_summary(&back, &s).expect("valid");
        let mut wrong = s.clone();
        wrong.records = 4;
        assert!(verify_record_proof_against_summary(&p, &wrong).is_err());
        assert!(matches!(
            prove_log_record(LOG.as_bytes(), "x", &LogRules::default(), 3),
            Err(ProveError::NoSuchRecord { seq: 3, records: 3 })
        ));
        assert!(matches!(
            prove_log_record(LOG.as_bytes(), "x", &LogRules::default(), u64::MAX),
            Err(ProveError::NoSuchRecord { .. })
        ));
    }

    /// Hostile logs: every input is refused or accepted, never a panic.
    #[test]
    fn hostile_logs_never_panic() {
        let mut inputs: Vec<Vec<u8>> = vec![
            LOG.as_bytes()[..LOG.len() / 2].to_vec(),
            b"\x00\xff garbage".to_vec(),
            b"{\"kind\":\"dns\",\"name\":\"\xff\"}".to_vec(),
            "[".repeat(200_000).into_bytes(),
            b"{\"kind\":\"response\",\"seq\":0,\"at\":\"2026-11-21T09:59:59Z\",\"requestSeq\":9007199254740991,\"status\":200,\"headers\":[],\"bodySha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"tls\":null}".to_vec(),
            LOG.replace("\"seq\":0", "\"seq\":18446744073709551615").into_bytes(),
            LOG.replace("2026-11-21T09:59:58Z", "9999-12-31T23:59:59.999999999Z").into_bytes(),
            LOG.replace("2026-11-21T09:59:58Z", "2026-02-30T00:00:00Z").into_bytes(),
            LOG.replace("https://api.example.com", "https://[::1").into_bytes(),
            LOG.replace("https://api.example.com", "https://@:").into_bytes(),
        ];
        let mut huge = b"{\"kind\":\"dns\",\"name\":\"".to_vec();
        huge.resize(17 * 1024 * 1024, b'a');
        huge.extend_from_slice(b"\"}\n");
        inputs.push(huge);
        // Deterministic mutations of the good log: byte flips, truncations, splices.
        let base = LOG.as_bytes();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..3000 {
            let mut m = base.to_vec();
            let pos = (next() % m.len() as u64) as usize;
            match next() % 4 {
                0 => m[pos] = (next() & 0xff) as u8,
                1 => m.truncate(pos),
                2 => {
                    let _ = m.remove(pos);
                }
                _ => {
                    let alphabet = b"{}[]\",:0\\\n-e";
                    let b = alphabet[(next() % alphabet.len() as u64) as usize];
                    m.insert(pos, b);
                }
            }
            inputs.push(m);
        }
        for input in &inputs {
            if let Ok(records) = parse_log(input) {
                let _ = check_records(&records, "x", &LogRules::default());
                let _ = check_records(
                    &records,
                    "x",
                    &LogRules { allow_hosts: &["api.example.com".to_string()], allow_http: true },
                );
            }
            let _ = prove_log_record(input, "x", &LogRules::default(), 1);
        }
        // Malformed proofs: empty or oversized paths, index beyond size.
        let leaf = sha256(b"l");
        assert_eq!(root_from_inclusion_proof(&leaf, 0, 0, &[]), None);
        assert_eq!(root_from_inclusion_proof(&leaf, 5, 3, &[leaf]), None);
        assert_eq!(root_from_inclusion_proof(&leaf, 0, 1, &[leaf]), None);
        assert_eq!(root_from_inclusion_proof(&leaf, u64::MAX - 1, u64::MAX, &[leaf; 70]), None);
    }

    #[test]
    fn url_hosts() {
        assert_eq!(
            parse_url_host("https://API.example.com:8443/x?y").expect("ok"),
            ("api.example.com".into(), true, false)
        );
        assert_eq!(parse_url_host("http://u:p@1.2.3.4/").expect("ok"), ("1.2.3.4".into(), false, true));
        assert_eq!(parse_url_host("https://[::1]:443/").expect("ok"), ("::1".into(), true, true));
        assert!(parse_url_host("ftp://x/").is_err());
        assert!(parse_url_host("https:///x").is_err());
        assert!(parse_url_host("https://exa mple.com/").is_err());
    }
}
