//! `attest verify` and `attest audit` (formats.md §6).
//!
//! Exit 0: valid. Exit 1: checked and not valid (malformed evidence included).
//! Exit 2: could not check (usage, unreadable file).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use attest_verifier::attestation::{parse_attestation, verify_parsed_attestation, ATTESTATION_PLAN};
use attest_verifier::bundle::BundleEntry;
use attest_verifier::replay::ReplayTracker;
use attest_verifier::trust_root::{self, parse_root_keys, ChainOptions, TrustRootError};
use attest_verifier::{
    verify_document, AttestationInputs, BundleInput, CheckId, Report, ReportBuilder, Status, Timestamp, TrustOutcome,
    VerifyContext,
};
use clap::{Args, ValueEnum};
use rayon::prelude::*;

use crate::io::{self, read_document, read_limited, CliError, MAX_INPUT_BYTES};
use crate::render;

/// Report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One line per check.
    Human,
    /// One JSON object.
    Json,
}

/// Trust and evidence options shared by `verify` and `audit`.
#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// Trust root document; repeat to give a rotation chain, oldest first.
    #[arg(long = "trust-root", value_name = "FILE", required = true)]
    pub trust_roots: Vec<PathBuf>,
    /// File of pinned root keys: one lowercase hex Ed25519 key per line.
    #[arg(long = "root-key", value_name = "FILE", required = true)]
    pub root_keys: Vec<PathBuf>,
    /// Policy bundle directory (with manifest.json) or a manifest file.
    #[arg(long, value_name = "DIR|MANIFEST")]
    pub bundle: Option<PathBuf>,
    /// Signals JSON the fingerprint is recomputed from.
    #[arg(long, value_name = "FILE")]
    pub signals: Option<PathBuf>,
    /// Raw execution output bytes checked against outputHash.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Network log (JSON Lines) checked against networkSummaryHash.
    #[arg(long, value_name = "LOG")]
    pub network: Option<PathBuf>,
    /// Allowed request host (repeatable); with any given, every host must be listed.
    #[arg(long = "allow-host", value_name = "HOST")]
    pub allow_hosts: Vec<String>,
    /// Verification time (RFC 3339 UTC); default: the system clock.
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// Refuse a newest trust root below this version (rollback protection).
    #[arg(long = "min-trust-root-version", value_name = "N")]
    pub min_trust_root_version: Option<u64>,
    /// Report format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

/// Loaded evidence, owning the bytes the verifier borrows.
pub struct Loaded {
    /// Trust-root chain outcome.
    pub trust: TrustOutcome,
    /// Raw trust-root documents (to re-verify a trust-root document given as the subject).
    pub trust_docs: Vec<Vec<u8>>,
    /// Pinned keys.
    pub pinned: Vec<attest_verifier::types::Ed25519PublicKey>,
    /// Chain options.
    pub chain_opts: ChainOptions,
    signals: Option<Vec<u8>>,
    output: Option<Vec<u8>>,
    network: Option<Vec<u8>>,
    manifest: Option<Vec<u8>>,
    entries: Option<Vec<io::WalkedEntry>>,
    allow_hosts: Vec<String>,
}

/// The current time from the system clock.
pub fn clock_now() -> Timestamp {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Timestamp::from_unix(d.as_secs() as i64, d.subsec_nanos())
}

/// Parses `--now`.
pub fn parse_now(now: Option<&str>) -> Result<Timestamp, CliError> {
    match now {
        None => Ok(clock_now()),
        Some(s) => Timestamp::parse(s).map_err(|e| CliError::new(format!("--now {s:?}: {e}"))),
    }
}

impl Loaded {
    /// Reads every input file and verifies the trust-root chain once.
    pub fn load(a: &EvidenceArgs) -> Result<Self, CliError> {
        let now = parse_now(a.now.as_deref())?;
        let chain_opts = ChainOptions { now, min_version: a.min_trust_root_version };
        let pinned = read_pinned_keys(&a.root_keys)?;
        let trust_docs = read_trust_roots(&a.trust_roots)?;
        let trust = verify_chain(&trust_docs, &a.trust_roots, &pinned, &chain_opts);
        let (manifest, entries) = match &a.bundle {
            None => (None, None),
            Some(p) if p.is_dir() => {
                let entries = io::walk_dir(p)?;
                let manifest_path = p.join(attest_verifier::bundle::MANIFEST_FILE_NAME);
                let manifest = read_document(&manifest_path, "bundle manifest")?;
                (Some(manifest), Some(entries))
            }
            Some(p) => (Some(read_document(p, "bundle manifest")?), None),
        };
        let opt_read = |p: &Option<PathBuf>, what: &str, limit: u64| -> Result<Option<Vec<u8>>, CliError> {
            p.as_ref().map(|p| read_limited(p, what, limit)).transpose()
        };
        Ok(Self {
            trust,
            trust_docs,
            pinned,
            chain_opts,
            // Read like a document (up to one byte over the limit), so that an
            // oversized signals file is malformed evidence (`fingerprint` fails,
            // exit 1), not an unreadable file.
            signals: a.signals.as_ref().map(|p| read_document(p, "signals file")).transpose()?,
            output: opt_read(&a.output, "output file", MAX_INPUT_BYTES)?,
            network: opt_read(&a.network, "network log", MAX_INPUT_BYTES)?,
            manifest,
            entries,
            allow_hosts: a.allow_hosts.iter().map(|h| h.to_ascii_lowercase()).collect(),
        })
    }

    /// Runs `f` with the verifier inputs borrowed from this evidence.
    pub fn with_inputs<R>(&self, f: impl FnOnce(&AttestationInputs<'_>) -> R) -> R {
        let entries: Option<Vec<BundleEntry<'_>>> = self
            .entries
            .as_ref()
            .map(|es| es.iter().map(|e| BundleEntry { path: &e.path, kind: e.kind, bytes: &e.bytes }).collect());
        let bundle = self.manifest.as_deref().map(|m| BundleInput { manifest: m, entries: entries.as_deref() });
        let inputs = AttestationInputs {
            signals: self.signals.as_deref(),
            output: self.output.as_deref(),
            bundle,
            network: self.network.as_deref(),
            allow_hosts: &self.allow_hosts,
        };
        f(&inputs)
    }
}

/// Reads `--root-key` files: one lowercase hex Ed25519 key per line; every file must hold a key.
pub fn read_pinned_keys(paths: &[PathBuf]) -> Result<Vec<attest_verifier::types::Ed25519PublicKey>, CliError> {
    let mut pinned = Vec::new();
    for p in paths {
        let text = io::read_text(p, "root key file")?;
        let keys = parse_root_keys(&text)
            .map_err(|(line, e)| CliError::new(format!("root key file {} line {line}: {e}", p.display())))?;
        if keys.is_empty() {
            return Err(CliError::new(format!("root key file {} holds no key", p.display())));
        }
        pinned.extend(keys);
    }
    Ok(pinned)
}

/// Reads `--trust-root` files (their contents are checked by the chain verification).
pub fn read_trust_roots(paths: &[PathBuf]) -> Result<Vec<Vec<u8>>, CliError> {
    paths.iter().map(|p| read_document(p, "trust root")).collect()
}

/// Verifies a chain of raw documents; document errors name the file.
pub fn verify_chain(
    docs: &[Vec<u8>],
    names: &[PathBuf],
    pinned: &[attest_verifier::types::Ed25519PublicKey],
    opts: &ChainOptions,
) -> TrustOutcome {
    let refs: Vec<&[u8]> = docs.iter().map(Vec::as_slice).collect();
    trust_root::verify_trust_root_chain_bytes(&refs, pinned, opts).map_err(|e| match e {
        TrustRootError::Document { index, error } => TrustRootError::Document {
            index,
            error: attest_verifier::doc::DocumentError::Member {
                path: names.get(index).map_or_else(|| format!("#{index}"), |p| p.display().to_string()),
                problem: error.to_string().into(),
            },
        },
        other => other,
    })
}

/// `attest verify`.
pub fn run_verify(file: &Path, a: &EvidenceArgs) -> Result<i32, CliError> {
    let loaded = Loaded::load(a)?;
    let bytes = read_document(file, "document")?;
    let refs: Vec<&[u8]> = loaded.trust_docs.iter().map(Vec::as_slice).collect();
    let docs = attest_verifier::chain_for_subject(&refs, &bytes);
    let report = if docs.len() > refs.len() {
        // The subject is a trust root: verify the chain that ends with it.
        let owned: Vec<Vec<u8>> = docs.iter().map(|d| d.to_vec()).collect();
        let mut names = a.trust_roots.clone();
        names.push(file.to_path_buf());
        let trust = verify_chain(&owned, &names, &loaded.pinned, &loaded.chain_opts);
        loaded.with_inputs(|inputs| verify_document(&bytes, &VerifyContext { trust: &trust, inputs: *inputs }))
    } else {
        loaded.with_inputs(|inputs| verify_document(&bytes, &VerifyContext { trust: &loaded.trust, inputs: *inputs }))
    };
    print_report(&report, &file.display().to_string(), a.format);
    Ok(if report.valid { 0 } else { 1 })
}

/// Prints a report in the chosen format.
pub fn print_report(report: &Report, name: &str, format: Format) {
    let out = match format {
        Format::Json => render::json(report),
        Format::Human => render::human(report, name),
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.as_bytes());
}

/// One item of an audit.
struct Item {
    name: String,
    bytes: Vec<u8>,
}

/// Items read lazily, so that `attest audit` streams with bounded memory: a
/// directory's `.json` files in name order, or the lines of a JSON Lines file
/// (each line read up to one byte past the 16 MiB document limit, so that an
/// oversized line is refused as malformed without being held in memory).
enum Source {
    Files(std::vec::IntoIter<std::path::PathBuf>),
    Lines { name: String, reader: std::io::BufReader<std::fs::File>, line: usize },
}

impl Source {
    fn open(source: &Path) -> Result<Self, CliError> {
        let err = |e: std::io::Error| CliError::new(format!("cannot read {}: {e}", source.display()));
        if source.is_dir() {
            let mut names = Vec::new();
            for e in std::fs::read_dir(source).map_err(err)? {
                let p = e.map_err(err)?.path();
                if p.extension().is_some_and(|x| x == "json") && p.is_file() {
                    names.push(p);
                }
            }
            names.sort();
            Ok(Source::Files(names.into_iter()))
        } else {
            let f = std::fs::File::open(source).map_err(err)?;
            Ok(Source::Lines { name: source.display().to_string(), reader: std::io::BufReader::new(f), line: 0 })
        }
    }

    /// The next item, `None` at the end.
    fn next_item(&mut self) -> Result<Option<Item>, CliError> {
        use std::io::BufRead as _;
        match self {
            Source::Files(paths) => match paths.next() {
                None => Ok(None),
                Some(p) => Ok(Some(Item { name: p.display().to_string(), bytes: read_document(&p, "attestation")? })),
            },
            Source::Lines { name, reader, line } => {
                let mut bytes = Vec::new();
                let mut seen = 0usize;
                let limit = io::MAX_DOCUMENT_BYTES as usize + 1;
                loop {
                    let buf = reader.fill_buf().map_err(|e| CliError::new(format!("cannot read {name}: {e}")))?;
                    if buf.is_empty() {
                        break;
                    }
                    let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
                        Some(i) => (&buf[..i], Some(i + 1)),
                        None => (buf, None),
                    };
                    if bytes.len() < limit {
                        let room = limit - bytes.len();
                        bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
                    }
                    seen += chunk.len() + usize::from(done.is_some());
                    let used = done.unwrap_or(buf.len());
                    reader.consume(used);
                    if done.is_some() {
                        break;
                    }
                }
                if seen == 0 {
                    return Ok(None);
                }
                *line += 1;
                // A final newline ends the file; empty lines in between are items (and malformed).
                Ok(Some(Item { name: format!("{name}:{line}"), bytes }))
            }
        }
    }
}

/// What the replay check looks at: the execution id and the delegated key.
type ReplayKey = (String, Option<attest_verifier::types::Ed25519PublicKey>);

/// Verifies a chunk of attestations in parallel, then applies the batch
/// `replay` check in input order with the tracker shared by the whole audit.
pub fn audit_reports(items: &[&[u8]], loaded: &Loaded, tracker: &mut ReplayTracker, offset: usize) -> Vec<Report> {
    let results: Vec<(Report, Option<ReplayKey>)> = loaded.with_inputs(|inputs| {
        items
            .par_iter()
            .with_min_len(16)
            .map(|bytes| match parse_attestation(bytes) {
                Ok(att) => {
                    let key = (att.execution_id.clone(), att.delegation.as_ref().map(|d| d.ephemeral_public_key));
                    (
                        verify_parsed_attestation(&att, &loaded.trust, inputs, ReportBuilder::new(ATTESTATION_PLAN)),
                        Some(key),
                    )
                }
                Err(e) => (ReportBuilder::new(ATTESTATION_PLAN).halt(CheckId::Parse, "malformed", e.to_string()), None),
            })
            .collect()
    });
    results
        .into_iter()
        .enumerate()
        .map(|(i, (mut report, key))| {
            if let Some((exec, eph)) = key {
                let outcome = tracker.observe(offset + i, &exec, eph.as_ref());
                if let Some(c) = report.checks.iter_mut().find(|c| c.id == CheckId::Replay) {
                    match outcome {
                        Ok(()) => {
                            c.status = Status::Pass;
                            c.detail = format!("first use of executionId {exec:?} in this batch");
                            c.reason = None;
                        }
                        Err(e) => {
                            c.status = Status::Fail;
                            c.detail = e.to_string();
                            c.reason = Some(e.reason());
                            report.valid = false;
                        }
                    }
                }
            }
            report
        })
        .collect()
}

/// Items verified together; output is written after each chunk.
const AUDIT_CHUNK: usize = 1024;

/// `attest audit`.
pub fn run_audit(source: &Path, a: &EvidenceArgs) -> Result<i32, CliError> {
    let loaded = Loaded::load(a)?;
    let mut items = Source::open(source)?;
    let start = Instant::now();
    let mut tracker = ReplayTracker::new();
    let mut stdout = std::io::stdout().lock();
    let (mut total, mut valid) = (0usize, 0usize);
    let read_chunk = |items: &mut Source| -> Result<Vec<Item>, CliError> {
        let mut chunk = Vec::with_capacity(AUDIT_CHUNK);
        while chunk.len() < AUDIT_CHUNK {
            match items.next_item()? {
                Some(item) => chunk.push(item),
                None => break,
            }
        }
        Ok(chunk)
    };
    let mut chunk = read_chunk(&mut items)?;
    while !chunk.is_empty() {
        // Verify this chunk on the pool while the next one is read.
        let refs: Vec<&[u8]> = chunk.iter().map(|i| i.bytes.as_slice()).collect();
        let (reports, next) =
            rayon::join(|| audit_reports(&refs, &loaded, &mut tracker, total), || read_chunk(&mut items));
        valid += reports.iter().filter(|r| r.valid).count();
        let lines: Vec<String> = chunk
            .par_iter()
            .zip(reports.par_iter())
            .with_min_len(16)
            .map(|(item, report)| match a.format {
                Format::Json => render::audit_line(&item.name, report),
                Format::Human => render::audit_human_line(&item.name, report),
            })
            .collect();
        for line in &lines {
            let _ = stdout.write_all(line.as_bytes());
        }
        let _ = stdout.flush();
        total += chunk.len();
        chunk = next?;
    }
    let summary = render::audit_summary(total, valid, start.elapsed().as_secs_f64(), a.format);
    let _ = stdout.write_all(summary.as_bytes());
    Ok(if valid == total { 0 } else { 1 })
}
