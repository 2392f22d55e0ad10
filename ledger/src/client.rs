//! A minimal HTTP/1.1 client for plain-HTTP endpoints (`http://HOST:PORT[/BASE]`):
//! one request per connection (`Connection: close`), connect/read/write
//! timeouts, a response size cap. The ledger posts stream alerts with it;
//! the CLI submits heartbeats (`attest heartbeat run`) and reads ledgers
//! (`attest ledger verify`, `attest gate --ledger`).

use std::io::{Read as _, Write as _};
use std::net::ToSocketAddrs as _;
use std::time::Duration;

/// A ledger base URL: `http://host:port` with an optional path prefix.
#[derive(Debug, Clone)]
pub struct Base {
    host: String,
    prefix: String,
}

impl Base {
    /// Parses `http://HOST[:PORT][/PREFIX]`.
    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = url.strip_prefix("http://").ok_or_else(|| format!("{url:?}: only http:// URLs are supported"))?;
        let (host, prefix) = match rest.find('/') {
            Some(i) => (rest.get(..i).unwrap_or_default(), rest.get(i..).unwrap_or_default().trim_end_matches('/')),
            None => (rest, ""),
        };
        if host.is_empty() {
            return Err(format!("{url:?}: no host"));
        }
        Ok(Self { host: host.to_string(), prefix: prefix.to_string() })
    }

    /// The host (for messages).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// One request: the status and the body (at most `max_body` bytes).
    pub fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<(&str, &[u8])>,
        timeout: Duration,
        max_body: usize,
    ) -> Result<(u16, Vec<u8>), String> {
        let host = &self.host;
        let addr = host
            .to_socket_addrs()
            .map_err(|e| format!("{host}: {e}"))?
            .next()
            .ok_or_else(|| format!("{host}: no address"))?;
        let mut s = std::net::TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("{host}: {e}"))?;
        let _ = s.set_read_timeout(Some(timeout));
        let _ = s.set_write_timeout(Some(timeout));
        let target = format!("{}{path}", self.prefix);
        let target = if target.is_empty() { "/" } else { target.as_str() };
        let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
        if let Some((content_type, b)) = body {
            head.push_str(&format!("Content-Type: {content_type}\r\nContent-Length: {}\r\n", b.len()));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).map_err(|e| format!("{host}: {e}"))?;
        if let Some((_, b)) = body {
            s.write_all(b).map_err(|e| format!("{host}: {e}"))?;
        }
        let mut resp = Vec::new();
        // Headers (bounded) plus the body cap, plus one byte to see an overflow.
        let cap = max_body.saturating_add(16 * 1024 + 1);
        s.take(cap as u64).read_to_end(&mut resp).map_err(|e| format!("{host}: reading the response: {e}"))?;
        let split = resp
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(|| format!("{host}: no complete HTTP response"))?;
        let head = std::str::from_utf8(resp.get(..split).unwrap_or_default())
            .map_err(|_| format!("{host}: response headers are not UTF-8"))?;
        let status = head
            .get(9..12)
            .filter(|_| head.starts_with("HTTP/1."))
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| format!("{host}: not an HTTP response"))?;
        if head.lines().any(|l| l.to_ascii_lowercase().starts_with("transfer-encoding:")) {
            return Err(format!("{host}: chunked responses are not supported"));
        }
        let body = resp.get(split + 4..).unwrap_or_default().to_vec();
        if body.len() > max_body {
            return Err(format!("{host}: {method} {path}: the response is larger than {max_body} bytes"));
        }
        Ok((status, body))
    }

    /// `GET path`: the body of a `200`, else an error naming the status.
    pub fn get(&self, path: &str, timeout: Duration, max_body: usize) -> Result<Vec<u8>, String> {
        match self.request("GET", path, None, timeout, max_body)? {
            (200, body) => Ok(body),
            (status, body) => Err(format!(
                "{}: GET {path}: HTTP {status} {}",
                self.host,
                String::from_utf8_lossy(body.get(..200.min(body.len())).unwrap_or_default())
            )),
        }
    }
}

/// Percent-encodes a query value (everything but RFC 3986 unreserved
/// characters), as the ledger's query parser decodes it.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
