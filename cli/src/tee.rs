//! `attest tee …`: the report_data of a key and TEE bindings (docs/spec.md §13).

use std::path::{Path, PathBuf};

use attest_attestor::json::to_pretty;
use attest_verifier::tee::TeePlatform;
use clap::{Args, Subcommand, ValueEnum};

use crate::io::{read_document, read_limited, read_secret, write_file, CliError};
use crate::render::esc;
use crate::verify::parse_now;

/// The platform of a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Platform {
    /// Intel TDX.
    Tdx,
    /// Intel SGX.
    Sgx,
}

impl Platform {
    fn tee(self) -> TeePlatform {
        match self {
            Platform::Tdx => TeePlatform::Tdx,
            Platform::Sgx => TeePlatform::Sgx,
        }
    }
}

/// The key a binding is for.
#[derive(Debug, Args)]
pub struct KeyArg {
    /// The key: a secret file (`attest keygen`), or a public key in hex
    /// (64 hex Ed25519, 66 hex compressed secp256k1).
    #[arg(long, value_name = "KEY")]
    pub key: String,
    /// Which of a secret's keys.
    #[arg(long, default_value = "ed25519", value_parser = ["ed25519", "secp256k1"])]
    pub algorithm: String,
    /// 32 bytes (64 hex) for the second half of report_data (freshness);
    /// default: 32 zero bytes.
    #[arg(long, value_name = "HEX")]
    pub nonce: Option<String>,
}

impl KeyArg {
    /// The raw public key bytes.
    fn public_key(&self) -> Result<Vec<u8>, CliError> {
        let path = Path::new(&self.key);
        let is_hex = (self.key.len() == 64 || self.key.len() == 66) && self.key.bytes().all(|b| b.is_ascii_hexdigit());
        if is_hex && !path.exists() {
            return hex_bytes(&self.key).ok_or_else(|| CliError::new("--key: not lowercase hex"));
        }
        let secret = read_secret(path)?;
        match self.algorithm.as_str() {
            "secp256k1" => Ok(secret
                .master_secp256k1()
                .map_err(|e| CliError::new(e.to_string()))?
                .public_key()
                .as_bytes()
                .to_vec()),
            _ => Ok(secret.master_ed25519().public_key().as_bytes().to_vec()),
        }
    }

    fn nonce(&self) -> Result<Option<[u8; 32]>, CliError> {
        match &self.nonce {
            None => Ok(None),
            Some(h) => {
                let b =
                    hex_bytes(h).filter(|b| b.len() == 32).ok_or_else(|| CliError::new("--nonce: 64 lowercase hex"))?;
                let mut n = [0u8; 32];
                n.copy_from_slice(&b);
                Ok(Some(n))
            }
        }
    }
}

fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect()
}

/// `attest tee …`.
#[derive(Debug, Subcommand)]
pub enum TeeCommand {
    /// Print the 64 report_data bytes (hex) a quote must carry to bind the key:
    /// SHA-256("attest.tee-key-binding.v1" ‖ 0x00 ‖ key) ‖ (nonce or 32 zero bytes).
    ReportData {
        #[command(flatten)]
        key: KeyArg,
    },
    /// Write a binding (attest.tee-binding.v1) of the key to a DCAP quote.
    Bind(Box<BindArgs>),
}

/// `attest tee bind`.
#[derive(Debug, Args)]
pub struct BindArgs {
    #[command(flatten)]
    pub key: KeyArg,
    /// The DCAP quote (raw bytes) whose report_data binds the key.
    #[arg(long, value_name = "FILE", required_unless_present = "configfs_tsm", conflicts_with = "configfs_tsm")]
    pub quote: Option<PathBuf>,
    /// Request the quote through Linux configfs-tsm (inside a TDX/SGX guest).
    #[arg(long = "configfs-tsm")]
    pub configfs_tsm: bool,
    /// The configfs-tsm report directory.
    #[arg(long = "configfs-tsm-dir", value_name = "DIR", default_value = attest_attestor::tee::CONFIGFS_TSM_REPORT)]
    pub configfs_tsm_dir: PathBuf,
    /// The PCCS collateral of the quote (QuoteCollateralV3 JSON).
    #[arg(long, value_name = "FILE")]
    pub collateral: PathBuf,
    /// The TEE platform.
    #[arg(long, value_enum)]
    pub platform: Platform,
    /// boundAt (RFC 3339 UTC): when the quote was taken; default: the clock.
    #[arg(long = "bound-at", value_name = "RFC3339")]
    pub bound_at: Option<String>,
    /// Output file (never overwritten without --force).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace an existing --out file.
    #[arg(long)]
    pub force: bool,
}

fn hex(b: &[u8]) -> String {
    attest_verifier::types::to_lower_hex(b)
}

/// `attest tee …`.
pub fn run(c: &TeeCommand) -> Result<i32, CliError> {
    match c {
        TeeCommand::ReportData { key } => {
            let rd = attest_attestor::tee::report_data(&key.public_key()?, key.nonce()?.as_ref());
            println!("{}", hex(&rd));
            Ok(0)
        }
        TeeCommand::Bind(a) => bind(a),
    }
}

fn bind(a: &BindArgs) -> Result<i32, CliError> {
    let pk = a.key.public_key()?;
    let nonce = a.key.nonce()?;
    let want = attest_attestor::tee::report_data(&pk, nonce.as_ref());
    let bound_at = parse_now(a.bound_at.as_deref())?;
    let bound_at = attest_verifier::Timestamp::from_unix(bound_at.unix_seconds(), 0);
    let quote = match &a.quote {
        Some(p) => read_limited(p, "quote", 1 << 20)?,
        None => {
            let q = attest_attestor::tee::request_quote(&a.configfs_tsm_dir, &want)
                .map_err(|e| CliError::new(e.to_string()))?;
            if let Some(p) = &q.provider {
                eprintln!("configfs-tsm provider {}", esc(p));
            }
            q.quote
        }
    };
    let collateral_bytes = read_document(&a.collateral, "collateral")?;
    let collateral = attest_verifier::doc::parse_json(&collateral_bytes)
        .map_err(|e| CliError::new(format!("collateral {}: {e}", a.collateral.display())))?;
    // The quote must bind this key (and nonce) and be of the named platform.
    match attest_tee_verifier::quote_report_data(&quote) {
        Err(e) => {
            eprintln!("refusing to write {}: {}", esc(&a.out.display().to_string()), esc(&e.to_string()));
            return Ok(1);
        }
        Ok((platform, rd)) if platform != a.platform.tee() || rd != want => {
            eprintln!(
                "refusing to write {}: the quote ({}, report_data {}) does not bind the key for {} (report_data {})",
                esc(&a.out.display().to_string()),
                platform.as_str(),
                hex(&rd),
                a.platform.tee().as_str(),
                hex(&want)
            );
            return Ok(1);
        }
        Ok(_) => {}
    }
    let doc = attest_attestor::tee::binding(&pk, a.platform.tee(), bound_at, &quote, collateral, nonce.as_ref());
    write_file(&a.out, to_pretty(&doc).as_bytes(), "TEE binding", a.force)?;
    eprintln!("wrote {}", esc(&a.out.display().to_string()));
    Ok(0)
}
