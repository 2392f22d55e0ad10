//! `attest fetch` (a recorded HTTPS request) and `attest network …`
//! (summarize a log, prove one record, verify a record proof), docs/spec.md §5.
//!
//! This is the command layer: arguments, files, exit codes. The exchange
//! itself — URL parsing, resolving, rustls, HTTP/1.1 and the recorded log —
//! is `attest_attestor::recorder`, given the CLI's one TLS configuration
//! ([`crate::tls::client_config`]: Mozilla's roots plus any `--ca-cert`)
//! and the system clock.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use attest_attestor::json::to_pretty;
use attest_attestor::recorder::{self, parse_header, FetchError, FetchRequest, Target};
use attest_verifier::doc::parse_json;
use attest_verifier::network::{
    parse_record_proof_value, parse_summary_value, prove_log_record, summarize_log, verify_record_proof,
    verify_record_proof_against_summary, LogRules, ProveError,
};
use attest_verifier::types::Sha256Digest;
use clap::{Args, Subcommand};
use rand_core::RngCore as _;

use crate::io::{read_document, read_limited, write_file, CliError, MAX_INPUT_BYTES};
use crate::render::esc;
use crate::verify::clock_now;

/// `attest network …`.
#[derive(Debug, Subcommand)]
pub enum NetworkCommand {
    /// Check a network log against the rules of docs/spec.md §5 and print its
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
    /// Replace an existing --out file.
    #[arg(long)]
    force: bool,
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
    /// Replace an existing --out file.
    #[arg(long)]
    force: bool,
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
    /// Replace existing network.jsonl, body and summary.json in --out-dir.
    #[arg(long)]
    pub force: bool,
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
            eprintln!("invalid: network log {}: {}", esc(&a.log.log.display().to_string()), esc(&e.to_string()));
            return Ok(1);
        }
    };
    let doc = to_pretty(&summary.to_value());
    let digest = summary.digest();
    match &a.out {
        Some(out) => {
            write_file(out, doc.as_bytes(), "summary", a.force)?;
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
            eprintln!("invalid: network log {}: {}", esc(&a.log.log.display().to_string()), esc(&e.to_string()));
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
            write_file(out, doc.as_bytes(), "record proof", a.force)?;
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
    let name = esc(&a.proof.display().to_string()).into_owned();
    let proof = match parse_json(&bytes).and_then(|v| parse_record_proof_value(&v)) {
        Ok(p) => p,
        Err(e) => {
            println!("invalid: record proof {name}: {}", esc(&e.to_string()));
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
            println!("invalid: record proof {name}: {}", esc(&e));
            Ok(1)
        }
    }
}

// ---------------------------------------------------------------------------
// attest fetch

fn random_uuid() -> String {
    let mut b = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = attest_verifier::types::to_lower_hex(&b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// The recorder's request from the command line (headers, body file, method).
fn fetch_request(a: &FetchArgs) -> Result<FetchRequest, String> {
    let mut req = FetchRequest::new(a.execution_id.clone().unwrap_or_else(random_uuid));
    for h in &a.headers {
        req.headers.push(parse_header(h).map_err(|e| format!("--{e}"))?);
    }
    if let Some(p) = &a.data {
        req.body = read_limited(p, "request body", MAX_INPUT_BYTES).map_err(|e| e.message)?;
    }
    // --data makes a POST even when the file is empty.
    req.method = a.method.clone().or_else(|| a.data.as_ref().map(|_| "POST".to_string()));
    req.redact = a.redact.clone();
    req.allow_http = a.allow_http;
    req.timeout = Duration::from_secs(a.timeout);
    req.max_body = a.max_body;
    Ok(req)
}

/// `attest fetch`.
pub fn fetch(a: &FetchArgs) -> Result<i32, CliError> {
    let at_url = |e: &dyn std::fmt::Display| CliError::new(format!("{}: {e}", a.url));
    let t = Target::parse(&a.url).map_err(|e| at_url(&e))?;
    if !t.https() && !a.allow_http {
        return Err(at_url(&FetchError::PlainHttp));
    }
    let req = fetch_request(a).map_err(|e| at_url(&e))?;
    let cfg = Arc::new(crate::tls::client_config(&a.ca_certs)?);
    let x = recorder::fetch(&t, &req, cfg, &mut clock_now).map_err(|e| match e {
        FetchError::Method { method } => at_url(&format!("--method {method:?} is not a valid method")),
        FetchError::Redact { name } => at_url(&format!("--redact {name:?} is not a valid header name")),
        other => at_url(&other),
    })?;
    let checked = &x.log;
    let dir = &a.out_dir;
    let targets = ["network.jsonl", "body", "summary.json"].map(|n| dir.join(n));
    if !a.force {
        // All or nothing: check every target before writing the first.
        if let Some(p) = targets.iter().find(|p| std::fs::symlink_metadata(p).is_ok()) {
            return Err(CliError::new(format!(
                "refusing to overwrite {}: it exists (give --force to replace it)",
                p.display()
            )));
        }
    }
    let [log_path, body_path, summary_path] = &targets;
    write_file(log_path, checked.jsonl.as_bytes(), "network log", a.force)?;
    write_file(body_path, x.response.body(), "response body", a.force)?;
    write_file(summary_path, to_pretty(&checked.summary.to_value()).as_bytes(), "summary", a.force)?;
    let tls = x.tls.as_ref().map_or_else(|| "no TLS".to_string(), |f| format!("{} {}", f.version, f.cipher_suite));
    eprintln!(
        "{} {} -> {} ({} body bytes, {tls}); {} record(s) written to {}; executionId {}",
        x.method,
        t.url(),
        x.response.status(),
        x.response.body().len(),
        checked.records.len(),
        esc(&dir.display().to_string()),
        esc(&checked.summary.execution_id)
    );
    println!("{}", checked.network_summary_hash());
    Ok(0)
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn uuid_shape() {
        let u = random_uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }
}
