//! TEE bindings (formats.md §11, docs/spec.md §13): the `report_data` a
//! quote must carry, the binding document, and quotes requested through
//! Linux configfs-tsm (`/sys/kernel/config/tsm/report`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use attest_json::Value;
use attest_verifier::tee::{TeePlatform, TEE_BINDING_TYPE};
use attest_verifier::types::{to_lower_hex, KeyId};
use attest_verifier::Timestamp;
use base64::Engine as _;

use crate::json::{s, ObjectBuilder};

pub use attest_verifier::tee::expected_report_data as report_data;

/// The default configfs-tsm report directory.
pub const CONFIGFS_TSM_REPORT: &str = "/sys/kernel/config/tsm/report";

/// A binding document `attest.tee-binding.v1` for `public_key` (raw bytes:
/// 32 Ed25519 or 33 compressed secp256k1) with its quote and collateral
/// (a PCCS `QuoteCollateralV3` JSON object).
pub fn binding(
    public_key: &[u8],
    platform: TeePlatform,
    bound_at: Timestamp,
    quote: &[u8],
    collateral: Value,
    nonce: Option<&[u8; 32]>,
) -> Value {
    ObjectBuilder::new()
        .set("type", s(TEE_BINDING_TYPE))
        .set("keyId", s(KeyId::of_key_bytes(public_key).to_hex()))
        .set("publicKey", s(to_lower_hex(public_key)))
        .set("platform", s(platform.as_str()))
        .set("boundAt", s(bound_at.to_rfc3339()))
        .set("quote", s(base64::engine::general_purpose::STANDARD.encode(quote)))
        .set("collateral", collateral)
        .set("nonce", nonce.map_or(Value::Null, |n| s(to_lower_hex(n))))
        .value()
}

/// Why a configfs-tsm quote request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TsmError {
    /// A file-system step failed.
    #[error("configfs-tsm {step} {path}: {error}")]
    Io {
        /// What was being done.
        step: &'static str,
        /// The path.
        path: PathBuf,
        /// The error.
        error: std::io::Error,
    },
    /// No quote appeared in `outblob`.
    #[error("configfs-tsm {0}: outblob stayed empty (is this a TDX/SGX guest with a TSM provider?)")]
    NoQuote(PathBuf),
}

/// A quote from configfs-tsm and the provider that made it.
#[derive(Debug, Clone)]
pub struct TsmQuote {
    /// The quote (`outblob`).
    pub quote: Vec<u8>,
    /// `provider` (e.g. `tdx_guest`), when the entry has one.
    pub provider: Option<String>,
}

/// Requests a quote over `inblob` (the 64 `report_data` bytes) through
/// configfs-tsm under `report_dir`: makes a fresh entry, writes `inblob`,
/// reads `outblob` (and `provider`), then removes the entry. The kernel
/// fills `outblob` when it is read; the read is retried for up to a second
/// while it is empty.
pub fn request_quote(report_dir: &Path, inblob: &[u8; 64]) -> Result<TsmQuote, TsmError> {
    let io = |step, path: &Path| {
        let path = path.to_path_buf();
        move |error| TsmError::Io { step, path, error }
    };
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let entry = report_dir.join(format!("attest-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&entry).map_err(io("mkdir", &entry))?;
    let result = (|| {
        let inb = entry.join("inblob");
        std::fs::write(&inb, inblob).map_err(io("write", &inb))?;
        let outb = entry.join("outblob");
        let mut quote = Vec::new();
        for _ in 0..100 {
            match std::fs::read(&outb) {
                Ok(q) if !q.is_empty() => {
                    quote = q;
                    break;
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io("read", &outb)(e)),
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        if quote.is_empty() {
            return Err(TsmError::NoQuote(outb));
        }
        let provider = std::fs::read_to_string(entry.join("provider")).ok().map(|p| p.trim().to_string());
        Ok(TsmQuote { quote, provider })
    })();
    // configfs removes the entry's attributes with the directory; a plain
    // directory (tests) keeps its files, so they are removed first.
    for f in ["inblob", "outblob", "provider", "generation"] {
        let p = entry.join(f);
        if p.is_file() && !report_dir.starts_with("/sys") {
            let _ = std::fs::remove_file(p);
        }
    }
    let _ = std::fs::remove_dir(&entry);
    result
}
