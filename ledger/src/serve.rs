//! The ledger's accept loop (docs/spec.md §10.3): HTTP/1.1 on plain TCP or
//! TLS (rustls with the ring provider, TLS 1.2 and 1.3, ALPN `http/1.1`),
//! with bounded waits on slow or silent clients:
//!
//! - the TLS handshake must finish within [`HANDSHAKE_TIMEOUT`];
//! - a request's headers must arrive within [`HEADER_TIMEOUT`] (hyper's
//!   header-read timer; idle keep-alive connections are closed by it too);
//! - a request body must arrive within [`BODY_TIMEOUT`] (the handlers), at
//!   most 65,535 bytes.
//!
//! At shutdown it stops accepting, lets the connections in flight finish
//! their requests for up to [`DRAIN_TIMEOUT`], then returns.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::task::JoinSet;

use crate::LedgerError;

/// Longest TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest wait for a request's headers (also the keep-alive idle limit).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest wait for a request's body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest wait for connections in flight at shutdown.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(8);

/// `--tls-cert` (PEM chain) and `--tls-key` (PEM private key) as a server configuration.
pub fn tls_config(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>, LedgerError> {
    let io = |p: &Path, e: String| LedgerError::Io(format!("{}: {e}", p.display()));
    let cert_pem = std::fs::read(cert).map_err(|e| io(cert, e.to_string()))?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| io(cert, format!("not a PEM certificate chain: {e}")))?;
    if certs.is_empty() {
        return Err(io(cert, "no PEM CERTIFICATE block".into()));
    }
    let key_pem = std::fs::read(key).map_err(|e| io(key, e.to_string()))?;
    let key_der =
        PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| io(key, format!("not a PEM private key: {e}")))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| LedgerError::Io(format!("TLS configuration: {e}")))?
        .with_no_client_auth()
        .with_single_cert(certs, key_der)
        .map_err(|e| LedgerError::Io(format!("--tls-cert/--tls-key: {e}")))?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}

async fn serve_connection<S>(io: S, router: axum::Router, mut stop: tokio::sync::watch::Receiver<bool>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = TowerToHyperService::new(router);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT);
    let conn = http.serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        // Shutdown: an idle connection closes now, a request in flight finishes first.
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// Accepts connections until `shutdown` resolves, then drains.
pub async fn run(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let mut conns = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            a = listener.accept() => a,
            // Reap finished connections so the set stays small.
            Some(_) = conns.join_next(), if !conns.is_empty() => continue,
        };
        let Ok((tcp, _)) = accepted else {
            // Out of file descriptors and the like: back off briefly.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let (router, stop) = (router.clone(), stop.clone());
        match &acceptor {
            None => {
                conns.spawn(serve_connection(tcp, router, stop));
            }
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                conns.spawn(async move {
                    if let Ok(Ok(tls)) = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                        serve_connection(tls, router, stop).await;
                    }
                });
            }
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Requests in flight finish (their batches commit and are acknowledged).
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, async { while conns.join_next().await.is_some() {} }).await;
    conns.abort_all();
}
