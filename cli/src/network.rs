//! `attest fetch` (a recorded HTTPS request) and `attest network …`
//! (summarize a log, prove one record, verify a record proof), formats.md §5.
//!
//! `fetch` resolves the host with the system resolver (recorded as `dns`
//! records with `resolver: "system"`, one per address family; none for IP
//! literals), connects with rustls (ring provider; Mozilla's roots from
//! `webpki-roots`, plus any `--ca-cert`), writes an HTTP/1.1 request by hand
//! (`connection: close`) and parses the response with `httparse`
//! (Content-Length, chunked or close-delimited bodies; close-delimited bodies
//! must end with TLS close_notify, so a truncation is an error). Driving
//! rustls directly rather than through an HTTP client gives the facts the
//! log needs from the connection itself: the peer's leaf certificate, the
//! negotiated version and cipher suite, and the SNI actually sent.
//!
//! Header names are recorded lowercase in wire order; header values that are
//! not UTF-8 are recorded as ISO-8859-1 (each byte one character), which is
//! lossless. URL fragments are neither sent nor recorded; URLs with userinfo
//! are refused (use `--header authorization: …` with `--redact authorization`).

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use attest_attestor::json::to_pretty;
use attest_attestor::network::{Recorder, TlsFacts};
use attest_verifier::crypto::sha256;
use attest_verifier::doc::parse_json;
use attest_verifier::network::{
    parse_record_proof_value, parse_summary_value, parse_url_host, prove_log_record, summarize_log,
    verify_record_proof, verify_record_proof_against_summary, LogRules, ProveError,
};
use attest_verifier::types::Sha256Digest;
use attest_verifier::Timestamp;
use clap::{Args, Subcommand};
use rand_core::RngCore as _;
use rustls::pki_types::ServerName;

use crate::io::{read_document, read_limited, write_file, CliError, MAX_INPUT_BYTES};
use crate::verify::clock_now;

/// `attest network …`.
#[derive(Debug, Subcommand)]
pub enum NetworkCommand {
    /// Check a network log against the rules of formats.md §5 and print its
    /// summary document (stdout) and networkSummaryHash (stderr, or stdout with --out).
    /// Exit 0 valid, 1 the log breaks a rule (named with the record's seq), 2 unreadable.
    Summarize(SummarizeArgs),
    /// Write the inclusion proof (attest.network-record-proof.v1) of one record.
    Prove(ProveArgs),
    /// Verify a record proof against a Merkle root or a summary document.
    /// Exit 0 valid, 1 not valid, 2 could not check.
    VerifyProof(VerifyProofArgs),
}

/// Log options shared by `summarize` and `prove`.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// Network log (JSON Lines).
    pub log: PathBuf,
    /// executionId of the summary (the attestation's executionId).
    #[arg(long = "execution-id", value_name = "ID", default_value = "")]
    pub execution_id: String,
    /// Accept plain http requests (`attest verify` never does).
    #[arg(long = "allow-http")]
    pub allow_http: bool,
}

/// `attest network summarize`.
#[derive(Debug, Args)]
pub struct SummarizeArgs {
    #[command(flatten)]
    log: LogArgs,
    /// Write the summary document here and print only the digest.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// `attest network prove`.
#[derive(Debug, Args)]
pub struct ProveArgs {
    #[command(flatten)]
    log: LogArgs,
    /// seq of the record to prove.
    #[arg(long, value_name = "N")]
    seq: u64,
    /// Write the proof here (default: stdout).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// `attest network verify-proof`.
#[derive(Debug, Args)]
pub struct VerifyProofArgs {
    /// Record proof document.
    proof: PathBuf,
    /// Expected Merkle root (hex).
    #[arg(long, value_name = "HEX", required_unless_present = "summary", conflicts_with = "summary")]
    root: Option<String>,
    /// Summary document whose root (and record count) the proof must match.
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
}

/// `attest fetch`.
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// https:// URL to request.
    pub url: String,
    /// Request header `name: value` (repeatable, sent and recorded in order).
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Header whose values are recorded as {"sha256": …} (repeatable, case-insensitive).
    #[arg(long = "redact", value_name = "NAME")]
    pub redact: Vec<String>,
    /// executionId of the summary (default: a random UUID).
    #[arg(long = "execution-id", value_name = "ID")]
    pub execution_id: Option<String>,
    /// Directory for network.jsonl, body and summary.json.
    #[arg(long = "out-dir", value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,
    /// Additional trusted root certificate(s), PEM (repeatable).
    #[arg(long = "ca-cert", value_name = "PEM")]
    pub ca_certs: Vec<PathBuf>,
    /// Permit a plain http:// URL (recorded with "tls": null; `attest verify` refuses such logs).
    #[arg(long = "allow-http")]
    pub allow_http: bool,
    /// Request method (default GET, or POST with --data).
    #[arg(long, short = 'X', value_name = "METHOD")]
    pub method: Option<String>,
    /// Request body file.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Connect, read and write timeout in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
    /// Largest response body accepted, in bytes.
    #[arg(long = "max-body", value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_body: u64,
}

/// `attest network …`.
pub fn run(c: &NetworkCommand) -> Result<i32, CliError> {
    match c {
        NetworkCommand::Summarize(a) => summarize(a),
        NetworkCommand::Prove(a) => prove(a),
        NetworkCommand::VerifyProof(a) => verify_proof(a),
    }
}

fn rules(a: &LogArgs) -> LogRules<'static> {
    LogRules { allow_hosts: &[], allow_http: a.allow_http }
}

fn read_log(p: &Path) -> Result<Vec<u8>, CliError> {
    read_limited(p, "network log", MAX_INPUT_BYTES)
}

fn summarize(a: &SummarizeArgs) -> Result<i32, CliError> {
    let log = read_log(&a.log.log)?;
    let summary = match summarize_log(&log, &a.log.execution_id, &rules(&a.log)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("invalid: network log {}: {e}", a.log.log.display());
            return Ok(1);
        }
    };
    let doc = to_pretty(&summary.to_value());
    let digest = summary.digest();
    match &a.out {
        Some(out) => {
            write_file(out, doc.as_bytes(), "summary")?;
            println!("{digest}");
        }
        None => {
            print!("{doc}");
            eprintln!("networkSummaryHash {digest}");
        }
    }
    Ok(0)
}

fn prove(a: &ProveArgs) -> Result<i32, CliError> {
    let log = read_log(&a.log.log)?;
    let (proof, summary) = match prove_log_record(&log, &a.log.execution_id, &rules(&a.log), a.seq) {
        Ok(x) => x,
        Err(ProveError::NoSuchRecord { seq, records }) => {
            return Err(CliError::new(format!(
                "--seq {seq}: network log {} has {records} record(s)",
                a.log.log.display()
            )))
        }
        Err(e) => {
            eprintln!("invalid: network log {}: {e}", a.log.log.display());
            return Ok(1);
        }
    };
    let doc = to_pretty(&proof.to_value());
    let note = format!(
        "record {} of {}: {} path hash(es) to root {}",
        proof.index,
        proof.tree_size,
        proof.path.len(),
        summary.root
    );
    match &a.out {
        Some(out) => {
            write_file(out, doc.as_bytes(), "record proof")?;
            println!("{note}");
        }
        None => {
            print!("{doc}");
            eprintln!("{note}");
        }
    }
    Ok(0)
}

fn verify_proof(a: &VerifyProofArgs) -> Result<i32, CliError> {
    let bytes = read_document(&a.proof, "record proof")?;
    let name = a.proof.display();
    let proof = match parse_json(&bytes).and_then(|v| parse_record_proof_value(&v)) {
        Ok(p) => p,
        Err(e) => {
            println!("invalid: record proof {name}: {e}");
            return Ok(1);
        }
    };
    let outcome = match (&a.root, &a.summary) {
        (Some(hex), _) => {
            let root = Sha256Digest::from_hex(hex).map_err(|e| CliError::new(format!("--root {hex:?}: {e}")))?;
            verify_record_proof(&proof, &root).map(|v| v.root).map_err(|e| e.to_string())
        }
        (None, Some(p)) => {
            let sbytes = read_document(p, "summary")?;
            match parse_json(&sbytes).and_then(|v| parse_summary_value(&v)) {
                Ok(s) => verify_record_proof_against_summary(&proof, &s).map(|v| v.root).map_err(|e| e.to_string()),
                Err(e) => Err(format!("summary {}: {e}", p.display())),
            }
        }
        (None, None) => return Err(CliError::new("give --root HEX or --summary FILE")),
    };
    match outcome {
        Ok(root) => {
            println!("valid: record {name} is leaf {} of {} under root {root}", proof.index, proof.tree_size);
            Ok(0)
        }
        Err(e) => {
            println!("invalid: record proof {name}: {e}");
            Ok(1)
        }
    }
}

// ---------------------------------------------------------------------------
// attest fetch

/// A clock that never goes backwards (the log's `at` must not decrease).
struct Clock(Option<Timestamp>);

impl Clock {
    fn now(&mut self) -> Timestamp {
        let t = match self.0 {
            Some(last) => last.max(clock_now()),
            None => clock_now(),
        };
        self.0 = Some(t);
        t
    }
}

/// The parts of a URL `fetch` needs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    https: bool,
    /// Lowercase host without brackets.
    host: String,
    ip: Option<IpAddr>,
    port: u16,
    /// `host[:port]` as sent in the `host` header.
    authority: String,
    /// Request target (path and query), at least `/`.
    path: String,
    /// The URL as recorded (without fragment).
    url: String,
}

fn parse_target(url: &str) -> Result<Target, String> {
    let url = url.split('#').next().unwrap_or(url);
    let (https, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        return Err("not an https:// (or http://) URL".into());
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    if authority.contains('@') {
        return Err("URLs with userinfo are refused: send credentials with --header and --redact".into());
    }
    let (host, port_text) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, tail) = v6.split_once(']').ok_or("unterminated IPv6 literal")?;
        match tail {
            "" => (h, None),
            t => (h, Some(t.strip_prefix(':').ok_or("bad authority")?)),
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let default_port = if https { 443 } else { 80 };
    let port = match port_text {
        None | Some("") => default_port,
        Some(p) => p.parse::<u16>().ok().filter(|&p| p != 0).ok_or_else(|| format!("bad port {p:?}"))?,
    };
    let (host_lc, _, is_ip) = parse_url_host(url)?;
    let ip = if is_ip { Some(host.parse::<IpAddr>().map_err(|_| format!("bad IP literal {host:?}"))?) } else { None };
    if let Some(b) = path.bytes().find(|b| !(0x21..0x7f).contains(b)) {
        return Err(format!("the path holds byte 0x{b:02x}: percent-encode spaces, controls and non-ASCII"));
    }
    let path = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
    Ok(Target { https, host: host_lc, ip, port, authority: authority.to_ascii_lowercase(), path, url: url.to_string() })
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Parses `--header 'name: value'`.
fn parse_header(h: &str) -> Result<(String, String), String> {
    let (name, value) = h.split_once(':').ok_or_else(|| format!("--header {h:?}: expected 'name: value'"))?;
    let name = name.trim();
    if !is_token(name) {
        return Err(format!("--header {h:?}: {name:?} is not a valid header name"));
    }
    let value = value.trim_matches([' ', '\t']);
    if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        return Err(format!("--header {h:?}: header values must not contain CR, LF or NUL"));
    }
    let lower = name.to_ascii_lowercase();
    if ["connection", "content-length", "transfer-encoding"].contains(&lower.as_str()) {
        return Err(format!("--header {h:?}: attest fetch sets {lower} itself"));
    }
    Ok((name.to_string(), value.to_string()))
}

fn random_uuid() -> String {
    let mut b = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = attest_verifier::types::to_lower_hex(&b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// IANA name of a cipher suite (rustls spells TLS 1.3 suites `TLS13_…`).
fn iana_suite(cs: rustls::CipherSuite) -> String {
    match cs.as_str() {
        Some(name) => match name.strip_prefix("TLS13_") {
            Some(rest) => format!("TLS_{rest}"),
            None => name.to_string(),
        },
        None => format!("0x{:04X}", u16::from(cs)),
    }
}

fn tls_version_name(v: rustls::ProtocolVersion) -> String {
    match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".into(),
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".into(),
        other => format!("{other:?}"),
    }
}

/// A parsed HTTP response.
#[derive(Debug)]
struct HttpResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

const MAX_HEAD: usize = 64 * 1024;

fn latin1(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => b.iter().map(|&c| char::from(c)).collect(),
    }
}

/// Buffered reader over the connection.
struct Input<'a, R: Read> {
    inner: &'a mut R,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
}

impl<R: Read> Input<'_, R> {
    fn available(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    /// Reads more bytes; false at a clean end of stream.
    fn fill(&mut self) -> Result<bool, String> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 1 << 20 {
            let _ = self.buf.drain(..self.pos);
            self.pos = 0;
        }
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match self.inner.read(&mut chunk) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    return Err("the server closed the connection without TLS close_notify (possible truncation)".into())
                }
                Err(e) => return Err(format!("read failed: {e}")),
            }
        }
    }

    fn need(&mut self, n: usize, what: &str) -> Result<(), String> {
        while self.available().len() < n {
            if !self.fill()? {
                return Err(format!("connection closed in the middle of the {what}"));
            }
        }
        Ok(())
    }
}

fn read_response<R: Read>(stream: &mut R, method: &str, max_body: u64) -> Result<HttpResponse, String> {
    let mut input = Input { inner: stream, buf: Vec::new(), pos: 0, eof: false };
    // Head (skipping 1xx interim responses).
    let (status, headers) = loop {
        let mut slots = [httparse::EMPTY_HEADER; 128];
        let mut resp = httparse::Response::new(&mut slots);
        match resp.parse(input.available()) {
            Ok(httparse::Status::Complete(n)) => {
                let status = resp.code.unwrap_or(0);
                let headers: Vec<(String, String)> =
                    resp.headers.iter().map(|h| (h.name.to_ascii_lowercase(), latin1(h.value))).collect();
                input.pos += n;
                if (100..200).contains(&status) && status != 101 {
                    continue;
                }
                break (status, headers);
            }
            Ok(httparse::Status::Partial) => {
                if input.available().len() > MAX_HEAD {
                    return Err(format!("response header over {MAX_HEAD} bytes"));
                }
                if !input.fill()? {
                    return Err("connection closed before a complete response header".into());
                }
            }
            Err(e) => return Err(format!("malformed response header: {e}")),
        }
    };
    let too_big = || format!("response body over --max-body {max_body} bytes");
    fn header<'h>(headers: &'h [(String, String)], name: &'static str) -> impl Iterator<Item = &'h (String, String)> {
        headers.iter().filter(move |(n, _)| n == name)
    }
    let no_body = method.eq_ignore_ascii_case("HEAD") || (100..200).contains(&status) || status == 204 || status == 304;
    let mut body = Vec::new();
    if no_body {
        // Nothing to read.
    } else if let Some((_, te)) = header(&headers, "transfer-encoding").last() {
        let chunked = te.rsplit(',').next().is_some_and(|c| c.trim().eq_ignore_ascii_case("chunked"));
        if chunked {
            loop {
                let (consumed, size) = loop {
                    match httparse::parse_chunk_size(input.available()) {
                        Ok(httparse::Status::Complete(x)) => break x,
                        Ok(httparse::Status::Partial) => {
                            if input.available().len() > MAX_HEAD {
                                return Err("chunk size line too long".into());
                            }
                            if !input.fill()? {
                                return Err("connection closed in the middle of a chunked body".into());
                            }
                        }
                        Err(_) => return Err("malformed chunk size".into()),
                    }
                };
                input.pos += consumed;
                if size == 0 {
                    // Trailer section: fields until an empty line (not recorded).
                    loop {
                        let avail = input.available();
                        if avail.starts_with(b"\r\n") {
                            input.pos += 2;
                            break;
                        }
                        if let Some(i) = avail.windows(4).position(|w| w == b"\r\n\r\n") {
                            input.pos += i + 4;
                            break;
                        }
                        if avail.len() > MAX_HEAD {
                            return Err("trailer section too long".into());
                        }
                        if !input.fill()? {
                            return Err("connection closed in the middle of the trailers".into());
                        }
                    }
                    break;
                }
                if (body.len() as u64).saturating_add(size) > max_body {
                    return Err(too_big());
                }
                let size = usize::try_from(size).ok().filter(|s| *s < usize::MAX / 2).ok_or_else(too_big)?;
                input.need(size + 2, "chunked body")?;
                let avail = input.available();
                if &avail[size..size + 2] != b"\r\n" {
                    return Err("chunk not followed by CRLF".into());
                }
                body.extend_from_slice(&avail[..size]);
                input.pos += size + 2;
            }
        } else {
            read_to_end(&mut input, &mut body, max_body)?;
        }
    } else if let Some((_, cl)) = header(&headers, "content-length").next() {
        let len: u64 = cl.trim().parse().map_err(|_| format!("bad content-length {cl:?}"))?;
        if header(&headers, "content-length").any(|(_, v)| v.trim() != cl.trim()) {
            return Err("conflicting content-length headers".into());
        }
        if len > max_body {
            return Err(too_big());
        }
        let len = usize::try_from(len).map_err(|_| too_big())?;
        input.need(len, "response body")?;
        body.extend_from_slice(&input.available()[..len]);
        input.pos += len;
    } else {
        read_to_end(&mut input, &mut body, max_body)?;
    }
    Ok(HttpResponse { status, headers, body })
}

fn read_to_end<R: Read>(input: &mut Input<'_, R>, body: &mut Vec<u8>, max_body: u64) -> Result<(), String> {
    loop {
        body.extend_from_slice(input.available());
        input.pos = input.buf.len();
        if body.len() as u64 > max_body {
            return Err(format!("response body over --max-body {max_body} bytes"));
        }
        if !input.fill()? {
            return Ok(());
        }
    }
}

fn connect(addrs: &[SocketAddr], timeout: Duration) -> Result<TcpStream, String> {
    let mut errors = Vec::new();
    for a in addrs {
        match TcpStream::connect_timeout(a, timeout) {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                s.set_read_timeout(Some(timeout))
                    .and_then(|()| s.set_write_timeout(Some(timeout)))
                    .map_err(|e| format!("socket setup failed: {e}"))?;
                return Ok(s);
            }
            Err(e) => errors.push(format!("{a}: {e}")),
        }
    }
    Err(format!("cannot connect ({})", errors.join("; ")))
}

/// Resolves the host with the system resolver: (A answers, AAAA answers, addresses).
type Resolved = (Vec<String>, Vec<String>, Vec<SocketAddr>);

fn resolve(host: &str, port: u16) -> Result<Resolved, String> {
    let addrs: Vec<SocketAddr> =
        (host, port).to_socket_addrs().map_err(|e| format!("cannot resolve {host}: {e}"))?.collect();
    if addrs.is_empty() {
        return Err(format!("{host} resolved to no address"));
    }
    let mut a = Vec::new();
    let mut aaaa = Vec::new();
    for s in &addrs {
        let (list, text) = match s.ip() {
            IpAddr::V4(ip) => (&mut a, ip.to_string()),
            IpAddr::V6(ip) => (&mut aaaa, ip.to_string()),
        };
        if !list.contains(&text) {
            list.push(text);
        }
    }
    Ok((a, aaaa, addrs))
}

/// What one exchange produced before it is written out.
struct Exchange {
    recorder: Recorder,
    response: HttpResponse,
    tls: Option<TlsFacts>,
    method: String,
}

fn exchange(a: &FetchArgs, t: &Target) -> Result<Exchange, String> {
    let mut clock = Clock(None);
    let timeout = Duration::from_secs(a.timeout.max(1));
    let mut user_headers = Vec::new();
    for h in &a.headers {
        user_headers.push(parse_header(h)?);
    }
    let body = match &a.data {
        Some(p) => read_limited(p, "request body", MAX_INPUT_BYTES).map_err(|e| e.message)?,
        None => Vec::new(),
    };
    let method = match &a.method {
        Some(m) if is_token(m) => m.clone(),
        Some(m) => return Err(format!("--method {m:?} is not a valid method")),
        None if a.data.is_some() => "POST".into(),
        None => "GET".into(),
    };
    let execution_id = a.execution_id.clone().unwrap_or_else(random_uuid);
    let mut recorder = Recorder::new(execution_id);
    recorder.allow_http(a.allow_http);
    for r in &a.redact {
        if !is_token(r) {
            return Err(format!("--redact {r:?} is not a valid header name"));
        }
        let _ = recorder.redact(r);
    }

    // DNS.
    let addrs = match t.ip {
        Some(ip) => vec![SocketAddr::new(ip, t.port)],
        None => {
            let (v4, v6, addrs) = resolve(&t.host, t.port)?;
            let at = clock.now();
            for (rrtype, answers) in [("A", &v4), ("AAAA", &v6)] {
                if !answers.is_empty() {
                    let refs: Vec<&str> = answers.iter().map(String::as_str).collect();
                    let _ = recorder.dns(&t.host, rrtype, &refs, "system", at);
                }
            }
            addrs
        }
    };
    let tcp = connect(&addrs, timeout)?;

    // Request head, exactly as sent.
    let has = |name: &str| user_headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    let mut sent: Vec<(String, String)> = Vec::new();
    if !has("host") {
        sent.push(("host".into(), t.authority.clone()));
    }
    sent.extend(user_headers.iter().cloned());
    if !has("user-agent") {
        sent.push(("user-agent".into(), format!("attest/{}", env!("CARGO_PKG_VERSION"))));
    }
    if !has("accept") {
        sent.push(("accept".into(), "*/*".into()));
    }
    if !body.is_empty() || ["POST", "PUT", "PATCH"].contains(&method.as_str()) {
        sent.push(("content-length".into(), body.len().to_string()));
    }
    sent.push(("connection".into(), "close".into()));
    let mut head = format!("{method} {} HTTP/1.1\r\n", t.path).into_bytes();
    for (n, v) in &sent {
        head.extend_from_slice(n.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(v.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    let sent_refs: Vec<(&str, &str)> = sent.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();

    let (response, tls) = if t.https {
        let cfg = Arc::new(crate::tls::client_config(&a.ca_certs).map_err(|e| e.message)?);
        let server_name: ServerName<'static> = match t.ip {
            Some(ip) => ServerName::IpAddress(ip.into()),
            None => ServerName::try_from(t.host.clone())
                .map_err(|e| format!("{:?} is not a valid TLS server name: {e}", t.host))?,
        };
        let conn = rustls::ClientConnection::new(cfg, server_name).map_err(|e| format!("TLS setup failed: {e}"))?;
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        while tls.conn.is_handshaking() {
            tls.conn.complete_io(&mut tls.sock).map_err(|e| format!("TLS handshake failed: {e}"))?;
        }
        let leaf = tls.conn.peer_certificates().and_then(|c| c.first()).ok_or("the server sent no certificate")?;
        let facts = TlsFacts {
            version: tls.conn.protocol_version().map(tls_version_name).ok_or("no negotiated TLS version")?,
            cipher_suite: tls
                .conn
                .negotiated_cipher_suite()
                .map(|s| iana_suite(s.suite()))
                .ok_or("no negotiated cipher suite")?,
            server_name: if t.ip.is_some() { String::new() } else { t.host.clone() },
            peer_certificate_sha256: sha256(leaf.as_ref()),
        };
        let q = recorder.request(&method, &t.url, &sent_refs, &body, clock.now());
        tls.write_all(&head)
            .and_then(|()| tls.write_all(&body))
            .and_then(|()| tls.flush())
            .map_err(|e| format!("sending the request failed: {e}"))?;
        let resp = read_response(&mut tls, &method, a.max_body)?;
        let resp_headers: Vec<(&str, &str)> = resp.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        recorder.response(q, resp.status, &resp_headers, &resp.body, Some(facts.clone()), clock.now());
        tls.conn.send_close_notify();
        let _ = tls.conn.complete_io(&mut tls.sock);
        (resp, Some(facts))
    } else {
        if !a.allow_http {
            return Err(
                "plain http is refused: use https, or --allow-http (such a log does not pass `attest verify`)".into()
            );
        }
        let mut tcp = tcp;
        let q = recorder.request(&method, &t.url, &sent_refs, &body, clock.now());
        tcp.write_all(&head)
            .and_then(|()| tcp.write_all(&body))
            .map_err(|e| format!("sending the request failed: {e}"))?;
        let resp = read_response(&mut tcp, &method, a.max_body)?;
        let resp_headers: Vec<(&str, &str)> = resp.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        recorder.response(q, resp.status, &resp_headers, &resp.body, None, clock.now());
        (resp, None)
    };
    Ok(Exchange { recorder, response, tls, method })
}

/// `attest fetch`.
pub fn fetch(a: &FetchArgs) -> Result<i32, CliError> {
    let t = parse_target(&a.url).map_err(|e| CliError::new(format!("{}: {e}", a.url)))?;
    if !t.https && !a.allow_http {
        return Err(CliError::new(format!(
            "{}: plain http is refused: use https, or --allow-http (such a log does not pass `attest verify`)",
            a.url
        )));
    }
    let x = exchange(a, &t).map_err(|e| CliError::new(format!("{}: {e}", a.url)))?;
    let checked = x.recorder.finish().map_err(|e| CliError::new(format!("{}: {e}", a.url)))?;
    let dir = &a.out_dir;
    write_file(&dir.join("network.jsonl"), checked.jsonl.as_bytes(), "network log")?;
    write_file(&dir.join("body"), &x.response.body, "response body")?;
    write_file(&dir.join("summary.json"), to_pretty(&checked.summary.to_value()).as_bytes(), "summary")?;
    let tls = x.tls.as_ref().map_or_else(|| "no TLS".to_string(), |f| format!("{} {}", f.version, f.cipher_suite));
    eprintln!(
        "{} {} -> {} ({} body bytes, {tls}); {} record(s) written to {}; executionId {}",
        x.method,
        t.url,
        x.response.status,
        x.response.body.len(),
        checked.records.len(),
        dir.display(),
        checked.summary.execution_id
    );
    println!("{}", checked.network_summary_hash());
    Ok(0)
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t = parse_target("https://LocalHost:8443/price?x=1#frag").expect("ok");
        assert_eq!(t.host, "localhost");
        assert_eq!(t.port, 8443);
        assert_eq!(t.authority, "localhost:8443");
        assert_eq!(t.path, "/price?x=1");
        assert_eq!(t.url, "https://LocalHost:8443/price?x=1");
        assert!(t.ip.is_none() && t.https);
        let t = parse_target("https://[::1]/").expect("ok");
        assert_eq!((t.host.as_str(), t.port), ("::1", 443));
        assert!(t.ip.is_some());
        let t = parse_target("http://127.0.0.1?q").expect("ok");
        assert_eq!((t.port, t.path.as_str(), t.https), (80, "/?q", false));
        for bad in [
            "ftp://x/",
            "https://u:p@x/",
            "https://x:0/",
            "https://x:99999/",
            "https://x/a b",
            "https:///",
            "https://[::1/",
        ] {
            assert!(parse_target(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn headers() {
        assert_eq!(parse_header("Authorization:  Bearer x ").expect("ok"), ("Authorization".into(), "Bearer x".into()));
        assert!(parse_header("no colon").is_err());
        assert!(parse_header("bad name: x").is_err());
        assert!(parse_header("x: a\r\ninjected: y").is_err());
        assert!(parse_header("Content-Length: 5").is_err());
    }

    #[test]
    fn suites() {
        assert_eq!(iana_suite(rustls::CipherSuite::TLS13_AES_128_GCM_SHA256), "TLS_AES_128_GCM_SHA256");
        assert_eq!(
            iana_suite(rustls::CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384),
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
        );
    }

    fn parse(raw: &[u8], method: &str) -> Result<HttpResponse, String> {
        let mut c = std::io::Cursor::new(raw.to_vec());
        read_response(&mut c, method, 1000)
    }

    #[test]
    fn responses() {
        let r = parse(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: \xe9\r\n\r\nhelloEXTRA", "GET").expect("ok");
        assert_eq!((r.status, r.body.as_slice()), (200, &b"hello"[..]));
        assert_eq!(r.headers[1], ("x-a".into(), "\u{e9}".into()));
        let r = parse(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n",
            "POST",
        )
        .expect("ok");
        assert_eq!(r.body, b"hello world");
        let r = parse(b"HTTP/1.1 200 OK\r\n\r\nuntil close", "GET").expect("ok");
        assert_eq!(r.body, b"until close");
        let r = parse(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", "HEAD").expect("ok");
        assert!(r.body.is_empty());
        for bad in [
            &b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"[..],
            b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFF\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
            b"garbage\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-",
        ] {
            assert!(parse(bad, "GET").is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn uuid_shape() {
        let u = random_uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }
}
