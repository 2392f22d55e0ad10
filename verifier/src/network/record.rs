//! Records and logs: parsing one record (formats.md §5 members, the
//! decisions of [`super`]) and a JSON Lines log, and each record's leaf hash
//! `SHA-256(0x00 ‖ C(r))`.

use attest_json::Value;

use super::{NetworkError, LEAF_PREFIX};
use crate::crypto::sha256;
use crate::doc::Problem;
use crate::doc::{self, err, DocResult, DocumentError, Members};
use crate::time::Timestamp;
use crate::types::Sha256Digest;

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
#[non_exhaustive]
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
pub fn parse_url_host(url: &str) -> Result<(String, bool, bool), &'static str> {
    let (https, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        return Err("not an http(s) URL");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, ip) = if let Some(v6) = hostport.strip_prefix('[') {
        let Some((h, tail)) = v6.split_once(']') else {
            return Err("unterminated IPv6 literal");
        };
        if !(tail.is_empty() || tail.starts_with(':')) {
            return Err("bad authority");
        }
        if h.parse::<std::net::Ipv6Addr>().is_err() {
            return Err("bad IPv6 literal");
        }
        (h.to_ascii_lowercase(), true)
    } else {
        let h = hostport.split(':').next().unwrap_or("");
        (h.to_ascii_lowercase(), h.parse::<std::net::Ipv4Addr>().is_ok())
    };
    if host.is_empty() {
        return Err("no host");
    }
    if !ip && !host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') {
        return Err("the host is not a DNS name");
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
        other => {
            return err(
                m.path("kind"),
                Problem::UnknownValue { found: other.to_string(), expected: "dns, request or response" },
            )
        }
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
