//! A recorded HTTP(S) exchange: one request, fetched and logged as a §5
//! network log (docs/spec.md §5) by a [`Recorder`].
//!
//! [`fetch`] resolves the host with the system resolver (recorded as `dns`
//! records with `resolver: "system"`, one per address family; none for IP
//! literals), connects with rustls using the caller's
//! [`rustls::ClientConfig`] (the CLI's one TLS configuration), writes an
//! HTTP/1.1 request by hand (`connection: close`) and parses the response
//! with `httparse` (Content-Length, chunked or close-delimited bodies;
//! close-delimited bodies must end with TLS close_notify, so a truncation is
//! an error). Driving rustls directly rather than through an HTTP client
//! gives the facts the log needs from the connection itself: the peer's leaf
//! certificate, the negotiated version and cipher suite, and the SNI
//! actually sent.
//!
//! Wire layout of the request, exactly as recorded:
//!
//! ```text
//! <METHOD> <path-and-query> HTTP/1.1\r\n
//! host: <authority>\r\n                  unless the caller gives one
//! <caller headers, in order>\r\n
//! user-agent: attest/<version>\r\n       unless given
//! accept: */*\r\n                        unless given
//! content-length: <n>\r\n                with a body, or for POST/PUT/PATCH
//! connection: close\r\n
//! \r\n
//! <body>
//! ```
//!
//! Header names are recorded lowercase in wire order; response header values
//! that are not UTF-8 are recorded as ISO-8859-1 (each byte one character),
//! which is lossless. URL fragments are neither sent nor recorded; URLs with
//! userinfo are refused (send credentials as a header and redact it).
//!
//! The module reads no clock of its own: `at` times come from the caller's
//! clock, made monotonic (a log's `at` never decreases).

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use attest_verifier::crypto::sha256;
use attest_verifier::network::parse_url_host;
use attest_verifier::Timestamp;
use rustls::pki_types::ServerName;

use crate::network::{CheckedLog, Recorder, RecorderError, TlsFacts};

/// Why a URL cannot be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
    /// Not `https://` or `http://`.
    #[error("not an https:// (or http://) URL")]
    Scheme,
    /// The authority has userinfo.
    #[error("URLs with userinfo are refused: send credentials with --header and --redact")]
    Userinfo,
    /// `[` without `]`.
    #[error("unterminated IPv6 literal")]
    UnterminatedIpv6,
    /// Something other than `:port` after an IPv6 literal.
    #[error("bad authority")]
    Authority,
    /// The port is not 1–65535.
    #[error("bad port {port:?}")]
    Port {
        /// The port text.
        port: String,
    },
    /// An IP literal that does not parse.
    #[error("bad IP literal {host:?}")]
    IpLiteral {
        /// The host text.
        host: String,
    },
    /// A byte of the path outside printable ASCII.
    #[error("the path holds byte 0x{byte:02x}: percent-encode spaces, controls and non-ASCII")]
    PathByte {
        /// The byte.
        byte: u8,
    },
    /// The host is refused by the log's URL rule (docs/spec.md §5).
    #[error("{detail}")]
    Host {
        /// The verifier's reason.
        detail: &'static str,
    },
}

impl UrlError {
    /// Stable reason code.
    pub fn reason(&self) -> &'static str {
        match self {
            UrlError::Scheme => "scheme",
            UrlError::Userinfo => "userinfo",
            UrlError::UnterminatedIpv6 => "ipv6-literal",
            UrlError::Authority => "authority",
            UrlError::Port { .. } => "port",
            UrlError::IpLiteral { .. } => "ip-literal",
            UrlError::PathByte { .. } => "path-byte",
            UrlError::Host { .. } => "host",
        }
    }
}

/// What is wrong with a `name: value` request header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderProblem {
    /// No `:`.
    NoColon,
    /// The name is not an HTTP token.
    BadName,
    /// The value holds CR, LF or NUL.
    ControlByte,
    /// `connection`, `content-length` or `transfer-encoding`, which the recorder sets.
    Reserved,
}

/// Why an HTTP response is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// The response head is longer than [`MAX_HEAD`].
    #[error("response header over {MAX_HEAD} bytes")]
    HeadTooLong,
    /// `httparse` refused the head.
    #[error("malformed response header: {detail}")]
    MalformedHead {
        /// The parser's reason.
        detail: String,
    },
    /// A chunk-size line longer than [`MAX_HEAD`].
    #[error("chunk size line too long")]
    ChunkLineTooLong,
    /// A chunk-size line that does not parse.
    #[error("malformed chunk size")]
    MalformedChunkSize,
    /// A chunk not followed by CRLF.
    #[error("chunk not followed by CRLF")]
    ChunkNoCrlf,
    /// A trailer section longer than [`MAX_HEAD`].
    #[error("trailer section too long")]
    TrailersTooLong,
    /// The body is larger than the caller's limit.
    #[error("response body over --max-body {max_body} bytes")]
    BodyTooLarge {
        /// The limit.
        max_body: u64,
    },
    /// A `content-length` that is not a decimal number.
    #[error("bad content-length {value:?}")]
    BadContentLength {
        /// The header value.
        value: String,
    },
    /// Several `content-length` headers that disagree.
    #[error("conflicting content-length headers")]
    ConflictingContentLength,
    /// The connection ended (cleanly) before the response did.
    #[error("connection closed {part}")]
    Closed {
        /// Where: `before a complete response header`, `in the middle of …`.
        part: &'static str,
    },
    /// The TLS connection ended without close_notify.
    #[error("the server closed the connection without TLS close_notify (possible truncation)")]
    Truncated,
    /// A read error.
    #[error("read failed: {detail}")]
    Read {
        /// The I/O error.
        detail: String,
    },
}

/// Why [`fetch`] failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL cannot be fetched.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// A request header is refused.
    #[error("header {header:?}: {}", header_problem_text(*.problem))]
    Header {
        /// The header as given.
        header: String,
        /// What is wrong.
        problem: HeaderProblem,
    },
    /// The method is not an HTTP token.
    #[error("method {method:?} is not a valid method")]
    Method {
        /// The method as given.
        method: String,
    },
    /// A header name to redact is not an HTTP token.
    #[error("redact {name:?} is not a valid header name")]
    Redact {
        /// The name as given.
        name: String,
    },
    /// Plain http without [`FetchRequest::allow_http`].
    #[error("plain http is refused: use https, or --allow-http (such a log does not pass `attest verify`)")]
    PlainHttp,
    /// The system resolver failed.
    #[error("cannot resolve {host}: {detail}")]
    Resolve {
        /// Host name.
        host: String,
        /// The resolver's error.
        detail: String,
    },
    /// The system resolver returned no address.
    #[error("{host} resolved to no address")]
    NoAddress {
        /// Host name.
        host: String,
    },
    /// No address accepted a connection.
    #[error("cannot connect ({})", .attempts.iter().map(|(a, e)| format!("{a}: {e}")).collect::<Vec<_>>().join("; "))]
    Connect {
        /// Each address tried, with its error.
        attempts: Vec<(SocketAddr, String)>,
    },
    /// Setting socket timeouts failed.
    #[error("socket setup failed: {detail}")]
    Socket {
        /// The I/O error.
        detail: String,
    },
    /// The host is not a TLS server name.
    #[error("{host:?} is not a valid TLS server name: {detail}")]
    ServerName {
        /// Host name.
        host: String,
        /// rustls' reason.
        detail: String,
    },
    /// The TLS connection could not be set up or the handshake failed.
    #[error("TLS {stage} failed: {detail}")]
    Tls {
        /// `setup` or `handshake`.
        stage: &'static str,
        /// rustls' error.
        detail: String,
    },
    /// A TLS fact the log needs is missing after the handshake.
    #[error("{}", match *.missing { "certificate" => "the server sent no certificate", "version" => "no negotiated TLS version", _ => "no negotiated cipher suite" })]
    TlsFacts {
        /// `certificate`, `version` or `cipher-suite`.
        missing: &'static str,
    },
    /// Writing the request failed.
    #[error("sending the request failed: {detail}")]
    Send {
        /// The I/O error.
        detail: String,
    },
    /// The response is refused.
    #[error(transparent)]
    Response(#[from] ResponseError),
    /// The recorded log breaks a §5 rule.
    #[error(transparent)]
    Log(#[from] RecorderError),
}

fn header_problem_text(p: HeaderProblem) -> &'static str {
    match p {
        HeaderProblem::NoColon => "expected 'name: value'",
        HeaderProblem::BadName => "the name is not a valid header name",
        HeaderProblem::ControlByte => "header values must not contain CR, LF or NUL",
        HeaderProblem::Reserved => "connection, content-length and transfer-encoding are set by the recorder",
    }
}

impl FetchError {
    /// Stable reason code.
    pub fn reason(&self) -> &'static str {
        match self {
            FetchError::Url(e) => e.reason(),
            FetchError::Header { .. } => "header",
            FetchError::Method { .. } => "method",
            FetchError::Redact { .. } => "redact",
            FetchError::PlainHttp => "plain-http",
            FetchError::Resolve { .. } | FetchError::NoAddress { .. } => "resolve",
            FetchError::Connect { .. } | FetchError::Socket { .. } => "connect",
            FetchError::ServerName { .. } => "server-name",
            FetchError::Tls { .. } | FetchError::TlsFacts { .. } => "tls",
            FetchError::Send { .. } => "send",
            FetchError::Response(_) => "response",
            FetchError::Log(_) => "log",
        }
    }
}

/// The parts of a URL [`fetch`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    https: bool,
    host: String,
    ip: Option<IpAddr>,
    port: u16,
    authority: String,
    path: String,
    url: String,
}

impl Target {
    /// Parses an `https://` or `http://` URL (the fragment is dropped).
    pub fn parse(url: &str) -> Result<Self, UrlError> {
        let url = url.split('#').next().unwrap_or(url);
        let (https, rest) = if let Some(r) = url.strip_prefix("https://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("http://") {
            (false, r)
        } else {
            return Err(UrlError::Scheme);
        };
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(end);
        if authority.contains('@') {
            return Err(UrlError::Userinfo);
        }
        let (host, port_text) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, tail) = v6.split_once(']').ok_or(UrlError::UnterminatedIpv6)?;
            match tail {
                "" => (h, None),
                t => (h, Some(t.strip_prefix(':').ok_or(UrlError::Authority)?)),
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
            Some(p) => {
                p.parse::<u16>().ok().filter(|&p| p != 0).ok_or_else(|| UrlError::Port { port: p.to_string() })?
            }
        };
        let (host_lc, _, is_ip) = parse_url_host(url).map_err(|detail| UrlError::Host { detail })?;
        let ip = match is_ip {
            true => Some(host.parse::<IpAddr>().map_err(|_| UrlError::IpLiteral { host: host.to_string() })?),
            false => None,
        };
        if let Some(byte) = path.bytes().find(|b| !(0x21..0x7f).contains(b)) {
            return Err(UrlError::PathByte { byte });
        }
        let path = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
        Ok(Target {
            https,
            host: host_lc,
            ip,
            port,
            authority: authority.to_ascii_lowercase(),
            path,
            url: url.to_string(),
        })
    }

    /// Whether the scheme is `https`.
    pub fn https(&self) -> bool {
        self.https
    }
    /// Lowercase host, without brackets.
    pub fn host(&self) -> &str {
        &self.host
    }
    /// The host as an IP address, for IP literals.
    pub fn ip(&self) -> Option<IpAddr> {
        self.ip
    }
    /// Port (the scheme's default when absent).
    pub fn port(&self) -> u16 {
        self.port
    }
    /// `host[:port]`, lowercase, as sent in the `host` header.
    pub fn authority(&self) -> &str {
        &self.authority
    }
    /// Request target (path and query), at least `/`.
    pub fn path(&self) -> &str {
        &self.path
    }
    /// The URL as recorded (without fragment).
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// Whether `s` is an HTTP token (RFC 9110 §5.6.2).
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Parses a request header given as `name: value` (value trimmed of spaces and tabs).
pub fn parse_header(h: &str) -> Result<(String, String), FetchError> {
    let bad = |problem| FetchError::Header { header: h.to_string(), problem };
    let (name, value) = h.split_once(':').ok_or_else(|| bad(HeaderProblem::NoColon))?;
    let name = name.trim();
    if !is_token(name) {
        return Err(bad(HeaderProblem::BadName));
    }
    let value = value.trim_matches([' ', '\t']);
    if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        return Err(bad(HeaderProblem::ControlByte));
    }
    let lower = name.to_ascii_lowercase();
    if ["connection", "content-length", "transfer-encoding"].contains(&lower.as_str()) {
        return Err(bad(HeaderProblem::Reserved));
    }
    Ok((name.to_string(), value.to_string()))
}

/// IANA name of a cipher suite (rustls spells TLS 1.3 suites `TLS13_…`).
pub fn iana_suite(cs: rustls::CipherSuite) -> String {
    match cs.as_str() {
        Some(name) => match name.strip_prefix("TLS13_") {
            Some(rest) => format!("TLS_{rest}"),
            None => name.to_string(),
        },
        None => format!("0x{:04X}", u16::from(cs)),
    }
}

/// `TLSv1.3`, `TLSv1.2`, or rustls' name of another version.
pub fn tls_version_name(v: rustls::ProtocolVersion) -> String {
    match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".into(),
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".into(),
        other => format!("{other:?}"),
    }
}

/// A response as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl HttpResponse {
    /// Status code.
    pub fn status(&self) -> u16 {
        self.status
    }
    /// Headers in wire order, names lowercase, values UTF-8 or ISO-8859-1.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }
    /// The body (de-chunked).
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

/// Longest response head, chunk-size line or trailer section accepted.
pub const MAX_HEAD: usize = 64 * 1024;

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
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    /// Reads more bytes; false at a clean end of stream.
    fn fill(&mut self) -> Result<bool, ResponseError> {
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
                    self.buf.extend_from_slice(chunk.get(..n).unwrap_or(&[]));
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Err(ResponseError::Truncated),
                Err(e) => return Err(ResponseError::Read { detail: e.to_string() }),
            }
        }
    }

    fn need(&mut self, n: usize, part: &'static str) -> Result<(), ResponseError> {
        while self.available().len() < n {
            if !self.fill()? {
                return Err(ResponseError::Closed { part });
            }
        }
        Ok(())
    }
}

/// Reads one HTTP/1.1 response (skipping 1xx interim responses) for a
/// request with `method`, refusing bodies over `max_body` bytes.
pub fn read_response<R: Read>(stream: &mut R, method: &str, max_body: u64) -> Result<HttpResponse, ResponseError> {
    let mut input = Input { inner: stream, buf: Vec::new(), pos: 0, eof: false };
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
                    return Err(ResponseError::HeadTooLong);
                }
                if !input.fill()? {
                    return Err(ResponseError::Closed { part: "before a complete response header" });
                }
            }
            Err(e) => return Err(ResponseError::MalformedHead { detail: e.to_string() }),
        }
    };
    let too_big = || ResponseError::BodyTooLarge { max_body };
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
            read_chunked(&mut input, &mut body, max_body)?;
        } else {
            read_to_end(&mut input, &mut body, max_body)?;
        }
    } else if let Some((_, cl)) = header(&headers, "content-length").next() {
        let len: u64 = cl.trim().parse().map_err(|_| ResponseError::BadContentLength { value: cl.clone() })?;
        if header(&headers, "content-length").any(|(_, v)| v.trim() != cl.trim()) {
            return Err(ResponseError::ConflictingContentLength);
        }
        if len > max_body {
            return Err(too_big());
        }
        let len = usize::try_from(len).map_err(|_| too_big())?;
        input.need(len, "in the middle of the response body")?;
        body.extend_from_slice(input.available().get(..len).unwrap_or(&[]));
        input.pos += len;
    } else {
        read_to_end(&mut input, &mut body, max_body)?;
    }
    Ok(HttpResponse { status, headers, body })
}

fn read_chunked<R: Read>(input: &mut Input<'_, R>, body: &mut Vec<u8>, max_body: u64) -> Result<(), ResponseError> {
    let too_big = || ResponseError::BodyTooLarge { max_body };
    loop {
        let (consumed, size) = loop {
            match httparse::parse_chunk_size(input.available()) {
                Ok(httparse::Status::Complete(x)) => break x,
                Ok(httparse::Status::Partial) => {
                    if input.available().len() > MAX_HEAD {
                        return Err(ResponseError::ChunkLineTooLong);
                    }
                    if !input.fill()? {
                        return Err(ResponseError::Closed { part: "in the middle of a chunked body" });
                    }
                }
                Err(_) => return Err(ResponseError::MalformedChunkSize),
            }
        };
        input.pos += consumed;
        if size == 0 {
            // Trailer section: fields until an empty line (not recorded).
            loop {
                let avail = input.available();
                if avail.starts_with(b"\r\n") {
                    input.pos += 2;
                    return Ok(());
                }
                if let Some(i) = avail.windows(4).position(|w| w == b"\r\n\r\n") {
                    input.pos += i + 4;
                    return Ok(());
                }
                if avail.len() > MAX_HEAD {
                    return Err(ResponseError::TrailersTooLong);
                }
                if !input.fill()? {
                    return Err(ResponseError::Closed { part: "in the middle of the trailers" });
                }
            }
        }
        if (body.len() as u64).saturating_add(size) > max_body {
            return Err(too_big());
        }
        let size = usize::try_from(size).ok().filter(|s| *s < usize::MAX / 2).ok_or_else(too_big)?;
        input.need(size + 2, "in the middle of the chunked body")?;
        let avail = input.available();
        if avail.get(size..size + 2) != Some(&b"\r\n"[..]) {
            return Err(ResponseError::ChunkNoCrlf);
        }
        body.extend_from_slice(avail.get(..size).unwrap_or(&[]));
        input.pos += size + 2;
    }
}

fn read_to_end<R: Read>(input: &mut Input<'_, R>, body: &mut Vec<u8>, max_body: u64) -> Result<(), ResponseError> {
    loop {
        body.extend_from_slice(input.available());
        input.pos = input.buf.len();
        if body.len() as u64 > max_body {
            return Err(ResponseError::BodyTooLarge { max_body });
        }
        if !input.fill()? {
            return Ok(());
        }
    }
}

fn connect(addrs: &[SocketAddr], timeout: Duration) -> Result<TcpStream, FetchError> {
    let mut attempts = Vec::new();
    for a in addrs {
        match TcpStream::connect_timeout(a, timeout) {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                s.set_read_timeout(Some(timeout))
                    .and_then(|()| s.set_write_timeout(Some(timeout)))
                    .map_err(|e| FetchError::Socket { detail: e.to_string() })?;
                return Ok(s);
            }
            Err(e) => attempts.push((*a, e.to_string())),
        }
    }
    Err(FetchError::Connect { attempts })
}

/// Resolves the host with the system resolver: (A answers, AAAA answers, addresses).
type Resolved = (Vec<String>, Vec<String>, Vec<SocketAddr>);

fn resolve(host: &str, port: u16) -> Result<Resolved, FetchError> {
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| FetchError::Resolve { host: host.to_string(), detail: e.to_string() })?
        .collect();
    if addrs.is_empty() {
        return Err(FetchError::NoAddress { host: host.to_string() });
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

/// A clock that never goes backwards (the log's `at` must not decrease).
struct Monotonic<'c> {
    clock: &'c mut dyn FnMut() -> Timestamp,
    last: Option<Timestamp>,
}

impl Monotonic<'_> {
    fn now(&mut self) -> Timestamp {
        let now = (self.clock)();
        let t = self.last.map_or(now, |last| last.max(now));
        self.last = Some(t);
        t
    }
}

/// What to send and how to record it.
#[derive(Debug, Clone)]
pub struct FetchRequest {
    /// Method; `None` is GET, or POST with a non-empty body.
    pub method: Option<String>,
    /// Headers `(name, value)` sent and recorded in order (see [`parse_header`]).
    pub headers: Vec<(String, String)>,
    /// Header names whose values are recorded as `{"sha256": …}` (case-insensitive).
    pub redact: Vec<String>,
    /// Request body.
    pub body: Vec<u8>,
    /// executionId of the summary.
    pub execution_id: String,
    /// Permit a plain `http://` URL (recorded with `"tls": null`).
    pub allow_http: bool,
    /// Connect, read and write timeout (at least one second is used).
    pub timeout: Duration,
    /// Largest response body accepted, in bytes.
    pub max_body: u64,
}

impl FetchRequest {
    /// A GET with no headers, a 30 s timeout and a 64 MiB body limit.
    pub fn new(execution_id: impl Into<String>) -> Self {
        Self {
            method: None,
            headers: Vec::new(),
            redact: Vec::new(),
            body: Vec::new(),
            execution_id: execution_id.into(),
            allow_http: false,
            timeout: Duration::from_secs(30),
            max_body: 64 * 1024 * 1024,
        }
    }
}

/// One recorded exchange.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The checked log (DNS, request and response records) and its summary.
    pub log: CheckedLog,
    /// The response.
    pub response: HttpResponse,
    /// TLS facts of the connection (`None` for plain http).
    pub tls: Option<TlsFacts>,
    /// The method sent.
    pub method: String,
}

/// Fetches `target` and records the exchange. `tls_config` is used for
/// `https` targets; `clock` gives the `at` of each record (made monotonic).
pub fn fetch(
    target: &Target,
    req: &FetchRequest,
    tls_config: Arc<rustls::ClientConfig>,
    clock: &mut dyn FnMut() -> Timestamp,
) -> Result<Fetched, FetchError> {
    let t = target;
    if !t.https && !req.allow_http {
        return Err(FetchError::PlainHttp);
    }
    let mut clock = Monotonic { clock, last: None };
    let timeout = req.timeout.max(Duration::from_secs(1));
    let method = match &req.method {
        Some(m) if is_token(m) => m.clone(),
        Some(m) => return Err(FetchError::Method { method: m.clone() }),
        None if !req.body.is_empty() => "POST".into(),
        None => "GET".into(),
    };
    let mut recorder = Recorder::new(req.execution_id.clone());
    recorder.allow_http(req.allow_http);
    for r in &req.redact {
        if !is_token(r) {
            return Err(FetchError::Redact { name: r.clone() });
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
    let user_headers = &req.headers;
    let body = &req.body;
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
    let send_failed = |e: std::io::Error| FetchError::Send { detail: e.to_string() };

    let (response, tls) = if t.https {
        let server_name: ServerName<'static> = match t.ip {
            Some(ip) => ServerName::IpAddress(ip.into()),
            None => ServerName::try_from(t.host.clone())
                .map_err(|e| FetchError::ServerName { host: t.host.clone(), detail: e.to_string() })?,
        };
        let conn = rustls::ClientConnection::new(tls_config, server_name)
            .map_err(|e| FetchError::Tls { stage: "setup", detail: e.to_string() })?;
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        while tls.conn.is_handshaking() {
            tls.conn
                .complete_io(&mut tls.sock)
                .map_err(|e| FetchError::Tls { stage: "handshake", detail: e.to_string() })?;
        }
        let leaf = tls
            .conn
            .peer_certificates()
            .and_then(|c| c.first())
            .ok_or(FetchError::TlsFacts { missing: "certificate" })?;
        let facts = TlsFacts {
            version: tls
                .conn
                .protocol_version()
                .map(tls_version_name)
                .ok_or(FetchError::TlsFacts { missing: "version" })?,
            cipher_suite: tls
                .conn
                .negotiated_cipher_suite()
                .map(|s| iana_suite(s.suite()))
                .ok_or(FetchError::TlsFacts { missing: "cipher-suite" })?,
            server_name: if t.ip.is_some() { String::new() } else { t.host.clone() },
            peer_certificate_sha256: sha256(leaf.as_ref()),
        };
        let q = recorder.request(&method, &t.url, &sent_refs, body, clock.now());
        tls.write_all(&head).and_then(|()| tls.write_all(body)).and_then(|()| tls.flush()).map_err(send_failed)?;
        let resp = read_response(&mut tls, &method, req.max_body)?;
        let resp_headers: Vec<(&str, &str)> = resp.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        recorder.response(q, resp.status, &resp_headers, &resp.body, Some(facts.clone()), clock.now());
        tls.conn.send_close_notify();
        let _ = tls.conn.complete_io(&mut tls.sock);
        (resp, Some(facts))
    } else {
        let mut tcp = tcp;
        let q = recorder.request(&method, &t.url, &sent_refs, body, clock.now());
        tcp.write_all(&head).and_then(|()| tcp.write_all(body)).map_err(send_failed)?;
        let resp = read_response(&mut tcp, &method, req.max_body)?;
        let resp_headers: Vec<(&str, &str)> = resp.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        recorder.response(q, resp.status, &resp_headers, &resp.body, None, clock.now());
        (resp, None)
    };
    let log = recorder.finish()?;
    Ok(Fetched { log, response, tls, method })
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t = Target::parse("https://LocalHost:8443/price?x=1#frag").expect("ok");
        assert_eq!(t.host(), "localhost");
        assert_eq!(t.port(), 8443);
        assert_eq!(t.authority(), "localhost:8443");
        assert_eq!(t.path(), "/price?x=1");
        assert_eq!(t.url(), "https://LocalHost:8443/price?x=1");
        assert!(t.ip().is_none() && t.https());
        let t = Target::parse("https://[::1]/").expect("ok");
        assert_eq!((t.host(), t.port()), ("::1", 443));
        assert!(t.ip().is_some());
        let t = Target::parse("http://127.0.0.1?q").expect("ok");
        assert_eq!((t.port(), t.path(), t.https()), (80, "/?q", false));
        for (bad, reason) in [
            ("ftp://x/", "scheme"),
            ("https://u:p@x/", "userinfo"),
            ("https://x:0/", "port"),
            ("https://x:99999/", "port"),
            ("https://x/a b", "path-byte"),
            ("https:///", "host"),
            ("https://[::1/", "ipv6-literal"),
            ("https://[::1]x/", "authority"),
        ] {
            assert_eq!(Target::parse(bad).expect_err(bad).reason(), reason, "{bad}");
        }
    }

    #[test]
    fn headers() {
        assert_eq!(parse_header("Authorization:  Bearer x ").expect("ok"), ("Authorization".into(), "Bearer x".into()));
        let problem = |h: &str| match parse_header(h) {
            Err(FetchError::Header { problem, .. }) => Some(problem),
            _ => None,
        };
        assert_eq!(problem("no colon"), Some(HeaderProblem::NoColon));
        assert_eq!(problem("bad name: x"), Some(HeaderProblem::BadName));
        assert_eq!(problem("x: a\r\ninjected: y"), Some(HeaderProblem::ControlByte));
        assert_eq!(problem("Content-Length: 5"), Some(HeaderProblem::Reserved));
    }

    #[test]
    fn suites() {
        assert_eq!(iana_suite(rustls::CipherSuite::TLS13_AES_128_GCM_SHA256), "TLS_AES_128_GCM_SHA256");
        assert_eq!(
            iana_suite(rustls::CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384),
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
        );
    }

    fn parse(raw: &[u8], method: &str) -> Result<HttpResponse, ResponseError> {
        let mut c = std::io::Cursor::new(raw.to_vec());
        read_response(&mut c, method, 1000)
    }

    #[test]
    fn responses() {
        let r = parse(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: \xe9\r\n\r\nhelloEXTRA", "GET").expect("ok");
        assert_eq!((r.status(), r.body()), (200, &b"hello"[..]));
        assert_eq!(r.headers()[1], ("x-a".into(), "\u{e9}".into()));
        let r = parse(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n",
            "POST",
        )
        .expect("ok");
        assert_eq!(r.body(), b"hello world");
        let r = parse(b"HTTP/1.1 200 OK\r\n\r\nuntil close", "GET").expect("ok");
        assert_eq!(r.body(), b"until close");
        let r = parse(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", "HEAD").expect("ok");
        assert!(r.body().is_empty());
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
    fn plain_http_needs_allow_http_before_any_io() {
        let t = Target::parse("http://127.0.0.1:9/").expect("ok");
        let cfg = Arc::new(
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .expect("versions")
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth(),
        );
        let mut clock = || Timestamp::from_unix(0, 0);
        let e = fetch(&t, &FetchRequest::new("x"), cfg.clone(), &mut clock).expect_err("refused");
        assert_eq!(e.reason(), "plain-http");
        let mut req = FetchRequest::new("x");
        req.method = Some("G ET".into());
        req.allow_http = true;
        assert_eq!(fetch(&t, &req, cfg, &mut clock).expect_err("refused").reason(), "method");
    }
}
