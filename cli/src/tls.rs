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

/// The TLS options of the servers (`attest ledger serve`, `attest witness serve`).
#[derive(Debug, clap::Args)]
pub struct ServerTlsArgs {
    /// Serve HTTPS: the certificate chain (PEM).
    #[arg(long = "tls-cert", value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long = "tls-key", value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Serve plain HTTP on a non-loopback address (behind a TLS-terminating proxy).
    #[arg(long = "allow-plaintext")]
    pub allow_plaintext: bool,
}

impl ServerTlsArgs {
    /// The server configuration (`None`: plain HTTP), refusing plain HTTP on a
    /// non-loopback `listen` unless --allow-plaintext.
    pub fn server_config(&self, listen: std::net::SocketAddr) -> Result<Option<Arc<rustls::ServerConfig>>, CliError> {
        let tls = match (&self.tls_cert, &self.tls_key) {
            (Some(c), Some(k)) => {
                Some(attest_ledger::serve::tls_config(c, k).map_err(|e| CliError::new(format!("TLS: {e}")))?)
            }
            _ => None,
        };
        if tls.is_none() && !listen.ip().is_loopback() && !self.allow_plaintext {
            return Err(CliError::new(format!(
                "--listen {listen}: not a loopback address; give --tls-cert and --tls-key (or --allow-plaintext behind a TLS proxy)"
            )));
        }
        Ok(tls)
    }
}
