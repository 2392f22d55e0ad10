//! The one TLS client configuration of the CLI (`attest fetch`, `attest
//! onchain verify --rpc https://…`): rustls with the ring provider, TLS 1.2 and
//! 1.3, the Mozilla roots of `webpki-roots` plus any `--ca-cert` PEM files,
//! ALPN `http/1.1`.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::CertificateDer;

use crate::io::{read_document, CliError};

/// The client configuration; `ca_certs` are extra trusted roots (PEM files,
/// each holding at least one CERTIFICATE block).
pub fn client_config(ca_certs: &[PathBuf]) -> Result<rustls::ClientConfig, CliError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for p in ca_certs {
        let pem = read_document(p, "CA certificate")?;
        let mut n = 0usize;
        for cert in CertificateDer::pem_slice_iter(&pem) {
            let cert = cert.map_err(|e| CliError::new(format!("CA certificate {}: {e}", p.display())))?;
            roots.add(cert).map_err(|e| CliError::new(format!("CA certificate {}: {e}", p.display())))?;
            n += 1;
        }
        if n == 0 {
            return Err(CliError::new(format!("CA certificate {}: no PEM CERTIFICATE block", p.display())));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| CliError::new(format!("TLS configuration: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(cfg)
}
