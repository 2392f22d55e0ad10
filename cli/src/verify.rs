//! `attest verify` and `attest audit` (docs/spec.md §6).
//!
//! Exit 0: valid. Exit 1: checked and not valid (malformed evidence included).
//! Exit 2: could not check (usage, unreadable file).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use attest_verifier::checkpoint::VerifierKey;
use attest_verifier::tlog_proof::{LogProofEvidence, MAX_TLOG_PROOF_BYTES};
use attest_verifier::trust_root::{self, parse_root_keys, ChainOptions};
use attest_verifier::{
    verify_document, BatchVerifier, BundleEvidence, Evidence, Report, Timestamp, TrustAnchor, TrustOutcome,
    VerifyContext,
};
use clap::{Args, ValueEnum};
use rayon::prelude::*;

use crate::io::{self, read_document, read_limited, CliError, MAX_INPUT_BYTES};
use crate::render::{self, esc};

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
    #[arg(long = "trust-root", value_name = "FILE", required_unless_present_any = ["trust_root_dir", "attesto_keys"])]
    pub trust_roots: Vec<PathBuf>,
    /// A directory of trust roots (its *.json files, ordered by their version member;
    /// N.root.json names are fine) instead of repeated --trust-root.
    #[arg(long = "trust-root-dir", value_name = "DIR", conflicts_with = "trust_roots")]
    pub trust_root_dir: Option<PathBuf>,
    /// File of pinned root keys: one lowercase hex Ed25519 key per line.
    #[arg(long = "root-key", value_name = "FILE", required_unless_present = "attesto_keys")]
    pub root_keys: Vec<PathBuf>,
    /// Pin an Attesto Local Vault key (64 lowercase hex, or a file of such keys, one per
    /// line; repeatable): witness receipts, fork evidence and relay requests signed by it
    /// pass `signer` (docs/spec.md §12). With it, --trust-root and --root-key may be left out.
    #[arg(long = "attesto-key", value_name = "HEX|FILE")]
    pub attesto_keys: Vec<String>,
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
    /// Refuse a newest trust root below this version (rollback protection); given, it
    /// replaces the version remembered from earlier runs (docs/spec.md §6).
    #[arg(long = "min-trust-root-version", value_name = "N")]
    pub min_trust_root_version: Option<u64>,
    /// How far a document's issuedAt may lie after --now (seconds, or 30s, 5m, 1h).
    #[arg(long = "max-clock-skew", value_name = "DURATION", default_value = "5m")]
    pub max_clock_skew: String,
    /// Heartbeat policy (attest.heartbeat-policy.v1, docs/spec.md §9) for heartbeat envelopes.
    #[arg(long = "heartbeat-policy", value_name = "FILE")]
    pub heartbeat_policy: Option<PathBuf>,
    /// A C2SP tlog-proof (c2sp.org/tlog-proof@v1) of the document: adds the
    /// required check `log-inclusion` (docs/spec.md §10.6). `attest verify` only.
    #[arg(long = "log-proof", value_name = "FILE", requires = "log_key")]
    pub log_proof: Option<PathBuf>,
    /// The log's verifier key (name+keyid+base64, as `attest ledger key` prints
    /// it), or a file holding it.
    #[arg(long = "log-key", value_name = "VKEY|FILE", requires = "log_proof")]
    pub log_key: Option<String>,
    /// A C2SP tlog-policy (log, witness, group, quorum lines): with
    /// --log-proof, the proof's checkpoint must be cosigned to its quorum
    /// (docs/spec.md §11.5). A policy that does not parse fails `log-inclusion`.
    #[arg(long = "witness-policy", value_name = "FILE", requires = "log_proof")]
    pub witness_policy: Option<PathBuf>,
    /// Pin a claim: FIELD=VALUE (repeatable; policyId, policyVersion,
    /// runtimeVersion, runtimeHash, decision.action, execution_state,
    /// signerKeyId, stream): adds the required check `expect` (docs/spec.md §6.4).
    #[arg(long = "expect", value_name = "FIELD=VALUE", value_parser = crate::verify_policy::parse_expect)]
    pub expect: Vec<(String, String)>,
    /// A verify policy (attest.verify-policy.v1: `require` and `expect`) for CI.
    #[arg(long = "policy", value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Checks that must not be skipped (comma-separated or repeated, e.g.
    /// bundle-files,output): a skip of one fails it with `required-check-skipped` (docs/spec.md §6).
    #[arg(long = "require", value_name = "CHECK[,CHECK…]", value_delimiter = ',', value_parser = parse_check_id)]
    pub require: Vec<attest_verifier::CheckId>,
    /// A TEE binding (attest.tee-binding.v1, repeatable): a document signed
    /// by a TEE-bound key needs the binding of that key (docs/spec.md §13).
    #[arg(long = "tee-binding", value_name = "FILE")]
    pub tee_bindings: Vec<PathBuf>,
    /// Verify DCAP quotes under this root CA (DER or PEM) instead of Intel's
    /// SGX Root CA: test infrastructure only; the `tee` detail says so.
    #[arg(long = "tee-root-ca", value_name = "FILE")]
    pub tee_root_ca: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// The remembered rollback floor.
    #[command(flatten)]
    pub state: crate::state::StateArgs,
}

/// `--log-key`: the verifier key text itself, or a file holding it (one line).
pub fn read_log_key(arg: &str) -> Result<VerifierKey, CliError> {
    if let Ok(k) = VerifierKey::parse(arg) {
        return Ok(k);
    }
    let path = Path::new(arg);
    if !path.exists() {
        return Err(CliError::new(format!("--log-key {arg:?}: neither a verifier key (name+keyid+base64) nor a file")));
    }
    let bytes = read_limited(path, "log key", 4096)?;
    let text =
        std::str::from_utf8(&bytes).map_err(|_| CliError::new(format!("log key {}: not UTF-8", path.display())))?;
    VerifierKey::parse(text.trim_end_matches(['\n', '\r']))
        .map_err(|e| CliError::new(format!("log key {}: {e}", path.display())))
}

/// Reads and parses `--heartbeat-policy` (a policy that does not parse cannot be checked against: exit 2).
pub fn read_heartbeat_policy(path: &Path) -> Result<attest_verifier::heartbeat::HeartbeatPolicy, CliError> {
    let bytes = read_document(path, "heartbeat policy")?;
    attest_verifier::heartbeat::parse_heartbeat_policy(&bytes)
        .map_err(|e| CliError::new(format!("heartbeat policy {}: {e}", path.display())))
}

/// A `--require` check id.
fn parse_check_id(s: &str) -> Result<attest_verifier::CheckId, String> {
    attest_verifier::CheckId::from_id(s).ok_or_else(|| {
        let ids: Vec<&str> = attest_verifier::CheckId::ALL.iter().map(|c| c.as_str()).collect();
        format!("unknown check {s:?} (one of {})", ids.join(", "))
    })
}

/// Loaded evidence: the trust anchor, the verified chain and the owned evidence.
pub struct Loaded {
    /// Trust-root documents (named by file), pinned keys and chain options.
    pub anchor: TrustAnchor,
    /// The verified chain of the given trust roots.
    pub trust: TrustOutcome,
    /// Optional evidence.
    pub evidence: Evidence,
    /// Verification time.
    pub now: Timestamp,
    /// `--max-clock-skew` in seconds.
    pub max_clock_skew_seconds: u64,
    /// `--require`: checks whose skip is a failure.
    pub require: Vec<attest_verifier::CheckId>,
    /// `attest audit --inputs`: per-item evidence.
    pub inputs: Option<crate::audit_inputs::Inputs>,
    /// The DCAP quote verifier of TEE bindings (Intel's root, or `--tee-root-ca`).
    pub dcap: attest_tee_verifier::DcapVerifier,
}

/// `--tee-root-ca`: Intel's SGX Root CA unless a test root is given.
pub fn read_dcap(root: Option<&Path>) -> Result<attest_tee_verifier::DcapVerifier, CliError> {
    match root {
        // Cached: an audit of many documents by one TEE-bound key verifies its quote once.
        None => Ok(attest_tee_verifier::DcapVerifier::intel().cached()),
        Some(p) => {
            let bytes = read_limited(p, "TEE root CA", 64 * 1024)?;
            attest_tee_verifier::DcapVerifier::with_root_ca(&bytes)
                .map(attest_tee_verifier::DcapVerifier::cached)
                .map_err(|e| CliError::new(format!("TEE root CA {}: {e}", p.display())))
        }
    }
}

/// `--bundle`: a directory (walked, nothing followed) or a manifest file.
pub fn read_bundle(p: Option<&Path>) -> Result<Option<BundleEvidence>, CliError> {
    match p {
        None => Ok(None),
        Some(p) if p.is_dir() => {
            let files = io::walk_dir(p)?;
            let manifest_path = p.join(attest_verifier::bundle::MANIFEST_FILE_NAME);
            // A manifest.json that is not a regular file (a FIFO, a
            // symlink) is never opened: the walk lists it and the
            // `bundle-files` check refuses it (exit 1).
            let irregular = std::fs::symlink_metadata(&manifest_path).is_ok_and(|m| !m.is_file());
            let manifest = if irregular { Vec::new() } else { read_document(&manifest_path, "bundle manifest")? };
            Ok(Some(BundleEvidence { manifest, files: Some(files) }))
        }
        Some(p) => Ok(Some(BundleEvidence { manifest: read_document(p, "bundle manifest")?, files: None })),
    }
}

/// `--signals`: read like a document (up to one byte over the limit), so
/// that an oversized signals file is malformed evidence (`fingerprint`
/// fails, exit 1), not an unreadable file.
pub fn read_signals(p: Option<&Path>) -> Result<Option<Vec<u8>>, CliError> {
    p.map(|p| read_document(p, "signals file")).transpose()
}

/// `--output`.
pub fn read_output(p: Option<&Path>) -> Result<Option<Vec<u8>>, CliError> {
    p.map(|p| read_limited(p, "output file", MAX_INPUT_BYTES)).transpose()
}

/// `--network`.
pub fn read_network(p: Option<&Path>) -> Result<Option<Vec<u8>>, CliError> {
    p.map(|p| read_limited(p, "network log", MAX_INPUT_BYTES)).transpose()
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
        Some(s) => parse_rfc3339_any_offset(s).map_err(|e| CliError::new(format!("--now {s:?}: {e}"))),
    }
}

/// An RFC 3339 time with any offset (`Z`, `z`, `+02:00`, `-05:30`; `t` or
/// `T`), converted to UTC. Documents only ever carry the strict `…Z` form
/// (docs/spec.md §0.6); this is for times given on the command line.
pub fn parse_rfc3339_any_offset(s: &str) -> Result<Timestamp, String> {
    let upper = s.to_ascii_uppercase();
    if upper.ends_with('Z') {
        return Timestamp::parse(&upper).map_err(|e| e.to_string());
    }
    // `±HH:MM` at the end, after the seconds.
    let split = upper.len().checked_sub(6).filter(|&i| upper.is_char_boundary(i));
    let (Some(i), true) = (split, upper.contains('T')) else {
        return Timestamp::parse(s).map_err(|e| e.to_string());
    };
    let (base, offset) = upper.split_at(i);
    let ob = offset.as_bytes();
    let sign = match ob.first() {
        Some(b'+') => 1i64,
        Some(b'-') => -1i64,
        _ => return Timestamp::parse(s).map_err(|e| e.to_string()),
    };
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        let d = offset.get(r)?;
        if d.len() == 2 && d.bytes().all(|b| b.is_ascii_digit()) {
            d.parse().ok()
        } else {
            None
        }
    };
    let (Some(hh), Some(b':'), Some(mm)) = (digits(1..3), ob.get(3).copied(), digits(4..6)) else {
        return Err(format!("{s:?}: the offset must be Z or ±HH:MM"));
    };
    if hh > 23 || mm > 59 {
        return Err(format!("{s:?}: offset {offset} is out of range"));
    }
    let local = Timestamp::parse(&format!("{base}Z")).map_err(|e| e.to_string())?;
    let utc = local.unix_seconds() - sign * (hh * 3600 + mm * 60);
    let t = Timestamp::from_unix(utc, local.subsec_nanos());
    // The UTC time must itself be a valid timestamp (years 0001–9999).
    Timestamp::parse(&t.to_rfc3339()).map_err(|e| format!("{s:?} in UTC: {e}"))
}

/// Parses a duration: seconds, or a number with `s`, `m` or `h`.
pub fn parse_duration_seconds(s: &str) -> Result<u64, String> {
    let (digits, unit) = match s.strip_suffix('s') {
        Some(d) => (d, 1),
        None => match s.strip_suffix('m') {
            Some(d) => (d, 60),
            None => match s.strip_suffix('h') {
                Some(d) => (d, 3600),
                None => (s, 1),
            },
        },
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{s:?} is not a duration (seconds, or a number with s, m or h: 300, 5m)"));
    }
    digits.parse::<u64>().ok().and_then(|n| n.checked_mul(unit)).ok_or_else(|| format!("{s:?} is too large"))
}

impl Loaded {
    /// Reads every input file and verifies the trust-root chain once.
    pub fn load(a: &EvidenceArgs) -> Result<Self, CliError> {
        let now = parse_now(a.now.as_deref())?;
        if !a.allow_hosts.is_empty() && a.network.is_none() {
            return Err(CliError::new(
                "--allow-host needs --network LOG: the hosts are checked against the requests of a network log",
            ));
        }
        let paths = match &a.trust_root_dir {
            Some(dir) => crate::trust_inputs::trust_root_dir(dir)?,
            None => a.trust_roots.clone(),
        };
        let docs = read_trust_roots(&paths)?;
        crate::trust_inputs::refuse_secret_key_files(&a.root_keys, &docs)?;
        let pinned = read_pinned_keys(&a.root_keys)?;
        // Nothing to remember without root keys (only --attesto-key given).
        let state = if pinned.is_empty() { None } else { crate::state::State::open(&a.state, &pinned)? };
        let min_version = crate::state::min_version(a.min_trust_root_version, state.as_ref());
        let chain_opts = ChainOptions { now, min_version };
        let named = paths.iter().map(|p| p.display().to_string()).zip(docs).collect();
        let anchor = TrustAnchor::new(named, pinned, chain_opts);
        let trust = anchor.verify();
        if let Some(state) = &state {
            state.explain(&trust, a.min_trust_root_version);
            state.record(&trust);
        }
        let bundle = read_bundle(a.bundle.as_deref())?;
        let (policy_require, policy_expect) = match &a.policy {
            Some(p) => crate::verify_policy::read_policy(p)?,
            None => (Vec::new(), Vec::new()),
        };
        let expect = crate::verify_policy::merge(&a.expect, policy_expect)?;
        let mut require = a.require.clone();
        require.extend(policy_require.into_iter().filter(|c| !a.require.contains(c)));
        let evidence = Evidence {
            signals: read_signals(a.signals.as_deref())?,
            output: read_output(a.output.as_deref())?,
            network: read_network(a.network.as_deref())?,
            bundle,
            allow_hosts: a.allow_hosts.clone(),
            heartbeat_policy: a.heartbeat_policy.as_deref().map(read_heartbeat_policy).transpose()?,
            expect: expect.clone(),
            attesto_keys: crate::attesto::read_attesto_keys(&a.attesto_keys)?,
            log_proof: match (&a.log_proof, &a.log_key) {
                (Some(p), Some(k)) => Some(LogProofEvidence {
                    // One byte over the limit is read, so an oversized proof
                    // fails `log-inclusion` (exit 1) instead of being unreadable.
                    proof: read_limited(p, "log proof", MAX_TLOG_PROOF_BYTES as u64 + 1)?,
                    log_key: read_log_key(k)?,
                    witness_policy: a
                        .witness_policy
                        .as_deref()
                        .map(|p| {
                            read_limited(p, "witness policy", attest_verifier::tlog_policy::MAX_POLICY_BYTES as u64 + 1)
                        })
                        .transpose()?,
                }),
                _ => None,
            },
            tee_bindings: a.tee_bindings.iter().map(|p| read_document(p, "TEE binding")).collect::<Result<_, _>>()?,
        };
        let dcap = read_dcap(a.tee_root_ca.as_deref())?;
        let max_clock_skew_seconds =
            parse_duration_seconds(&a.max_clock_skew).map_err(|e| CliError::new(format!("--max-clock-skew: {e}")))?;
        Ok(Self { anchor, trust, evidence, now, max_clock_skew_seconds, require, inputs: None, dcap })
    }

    /// The verification context for a subject verified against `trust`.
    pub fn context<'a>(&'a self, trust: &'a TrustOutcome) -> VerifyContext<'a> {
        VerifyContext {
            max_clock_skew_seconds: self.max_clock_skew_seconds,
            ..VerifyContext::new(trust, &self.evidence, self.now)
        }
        .with_tee(&self.dcap)
    }
}

/// Reads `--root-key` files: one lowercase hex Ed25519 key per line; every file must hold a key.
pub fn read_pinned_keys(paths: &[PathBuf]) -> Result<Vec<attest_verifier::types::Ed25519PublicKey>, CliError> {
    let mut pinned = Vec::new();
    for p in paths {
        let text = io::read_text(p, "root key file")?;
        crate::trust_inputs::refuse_bom(p, "root key file", &text)?;
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

/// Verifies a chain of raw documents; a document that cannot be read is named by its file.
pub fn verify_chain(
    docs: &[Vec<u8>],
    names: &[PathBuf],
    pinned: &[attest_verifier::types::Ed25519PublicKey],
    opts: &ChainOptions,
) -> TrustOutcome {
    let names: Vec<String> = names.iter().map(|p| p.display().to_string()).collect();
    let named: Vec<(&str, &[u8])> = names.iter().map(String::as_str).zip(docs.iter().map(Vec::as_slice)).collect();
    trust_root::verify_trust_root_chain_named(&named, pinned, opts)
}

/// `attest verify`.
pub fn run_verify(file: &Path, a: &EvidenceArgs) -> Result<i32, CliError> {
    let loaded = Loaded::load(a)?;
    let bytes = read_document(file, "document")?;
    // A trust-root subject is verified as the newest link of its chain.
    let subject_trust = loaded.anchor.verify_for_subject(&file.display().to_string(), &bytes);
    let trust = subject_trust.as_ref().unwrap_or(&loaded.trust);
    let report = verify_document(&bytes, &loaded.context(trust)).into_report().with_required(&loaded.require);
    print_report(&report, &file.display().to_string(), a.format);
    Ok(if report.valid() { 0 } else { 1 })
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
    Lines {
        name: String,
        reader: Box<dyn std::io::BufRead + Send>,
        line: usize,
        first: Option<Item>,
    },
    /// A file holding one (pretty-printed) JSON document.
    Single(Option<Item>),
}

/// How the batch names the item at a 0-based index (replay details).
#[derive(Clone)]
enum Labels {
    Files(std::sync::Arc<Vec<String>>),
    Lines(String),
    Single(String),
}

impl Labels {
    fn name_of(&self, index: usize) -> String {
        match self {
            Labels::Files(names) => names.get(index).cloned().unwrap_or_else(|| format!("item {index}")),
            Labels::Lines(name) => format!("{name}:{}", index.saturating_add(1)),
            Labels::Single(name) => name.clone(),
        }
    }
}

/// Why a directory entry is not audited, or `None` for a regular `.json` file.
fn skip_reason(p: &Path) -> Option<String> {
    match std::fs::metadata(p) {
        Err(e) => Some(format!("cannot read it: {e}")),
        Ok(m) if m.is_dir() => Some("a directory".into()),
        Ok(m) if !m.is_file() => Some("not a regular file".into()),
        Ok(_) if p.extension().is_none_or(|x| x != "json") => Some("not a .json file".into()),
        Ok(_) => None,
    }
}

impl Source {
    fn open(source: &Path) -> Result<(Self, Labels), CliError> {
        let err = |e: std::io::Error| CliError::new(format!("cannot read {}: {e}", source.display()));
        if std::fs::metadata(source).is_ok_and(|m| m.is_dir()) {
            let mut names = Vec::new();
            let mut skipped = Vec::new();
            for e in std::fs::read_dir(source).map_err(err)? {
                let p = e.map_err(err)?.path();
                match skip_reason(&p) {
                    None => names.push(p),
                    Some(why) => skipped.push((p, why)),
                }
            }
            names.sort();
            skipped.sort();
            for (p, why) in &skipped {
                eprintln!("skipped {}: {why}", esc(&p.display().to_string()));
            }
            let labels = Labels::Files(std::sync::Arc::new(names.iter().map(|p| p.display().to_string()).collect()));
            return Ok((Source::Files(names.into_iter()), labels));
        }
        let what = "audit source";
        let stdin = io::is_stdin(source);
        let name = if stdin { "stdin".to_string() } else { source.display().to_string() };
        let reader: Box<dyn std::io::BufRead + Send> = if stdin {
            Box::new(io::stream_stdin(what)?)
        } else {
            let (f, _) = io::open_regular(source, what)?;
            Box::new(std::io::BufReader::with_capacity(1 << 18, f))
        };
        let mut lines = Source::Lines { name: name.clone(), reader, line: 0, first: None };
        // A pretty-printed document: its first line is not a JSON value (a lone
        // `{`), the whole file is, or the first line is a lone `{` or `[`. It is
        // verified as one document, named by the file.
        let Some(first) = lines.next_item()? else {
            return Ok((lines, Labels::Lines(name)));
        };
        if attest_verifier::doc::parse_json(&first.bytes).is_err() {
            let whole = match &mut lines {
                // Standard input cannot be read again: the first line and the rest.
                Source::Lines { reader, .. } if stdin => {
                    use std::io::Read as _;
                    let mut whole = first.bytes.clone();
                    whole.push(b'\n');
                    let room = (io::MAX_DOCUMENT_BYTES + 1).saturating_sub(whole.len() as u64);
                    reader
                        .take(room)
                        .read_to_end(&mut whole)
                        .map_err(|e| CliError::new(format!("cannot read {what} from stdin: {e}")))?;
                    whole
                }
                _ => read_document(source, what)?,
            };
            let opener = matches!(first.bytes.trim_ascii(), b"{" | b"[");
            if opener || attest_verifier::doc::parse_json(&whole).is_ok() {
                let item = Item { name: name.clone(), bytes: whole };
                return Ok((Source::Single(Some(item)), Labels::Single(name)));
            }
            // Lines after all: what was read from stdin goes back in front of the rest.
            if let Source::Lines { reader, .. } = &mut lines {
                if stdin {
                    use std::io::Read as _;
                    let rest = whole.get(first.bytes.len() + 1..).unwrap_or_default().to_vec();
                    let old = std::mem::replace(reader, Box::new(std::io::empty()));
                    *reader = Box::new(std::io::Cursor::new(rest).chain(old));
                }
            }
        }
        if let Source::Lines { first: slot, .. } = &mut lines {
            *slot = Some(first);
        }
        Ok((lines, Labels::Lines(name)))
    }

    /// The next item, `None` at the end.
    fn next_item(&mut self) -> Result<Option<Item>, CliError> {
        use std::io::BufRead as _;
        match self {
            Source::Files(paths) => match paths.next() {
                None => Ok(None),
                Some(p) => Ok(Some(Item { name: p.display().to_string(), bytes: read_document(&p, "attestation")? })),
            },
            Source::Single(item) => Ok(item.take()),
            Source::Lines { name, reader, line, first } => {
                if let Some(item) = first.take() {
                    return Ok(Some(item));
                }
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

/// Verifies a chunk of documents in parallel (every single-document check),
/// then completes them in input order with the batch's `replay` check.
fn audit_reports(
    items: &[&Item],
    loaded: &Loaded,
    batch: &mut BatchVerifier,
    labels: &Labels,
) -> Result<Vec<Report>, CliError> {
    let ctx = loaded.context(&loaded.trust);
    let pending: Vec<_> = items
        .par_iter()
        .with_min_len(16)
        .map(|item| match loaded.inputs.as_ref().and_then(|i| i.for_item(&item.name)) {
            // An item with its own evidence (`--inputs`): read now, dropped after.
            Some(paths) => {
                let evidence = paths.evidence(&loaded.evidence)?;
                Ok(BatchVerifier::prepare(&item.bytes, &VerifyContext { evidence: &evidence, ..ctx }))
            }
            None => Ok(BatchVerifier::prepare(&item.bytes, &ctx)),
        })
        .collect::<Result<_, CliError>>()?;
    let name_of = |i: usize| labels.name_of(i);
    let required = &loaded.require;
    Ok(pending
        .into_iter()
        .map(|p| batch.complete_named(&ctx, p, &name_of).into_report().with_required(required))
        .collect())
}

/// Items verified together at most; output is written after each chunk.
const AUDIT_CHUNK: usize = 1024;

/// Bytes of items in flight in `attest audit`: the chunk being verified and
/// the chunk being read each hold at most half of it (docs/spec.md §6, "Audit
/// memory"). A single item (up to the 16 MiB document limit plus one byte) is
/// always allowed, so a chunk holds at least one item.
pub const AUDIT_BUDGET_BYTES: usize = 256 << 20;

/// Reads the next chunk: items until [`AUDIT_CHUNK`] of them, or until the
/// next one would take the chunk past half of [`AUDIT_BUDGET_BYTES`]; that
/// item is kept in `carry` as the first of the following chunk. An item counts
/// with its allocated capacity, the memory it really holds.
fn read_chunk(items: &mut Source, carry: &mut Option<Item>) -> Result<Vec<Item>, CliError> {
    let half = AUDIT_BUDGET_BYTES / 2;
    let mut chunk = Vec::new();
    let mut held = 0usize;
    while chunk.len() < AUDIT_CHUNK {
        let item = match carry.take() {
            Some(item) => item,
            None => match items.next_item()? {
                Some(item) => item,
                None => break,
            },
        };
        let size = item.bytes.capacity().saturating_add(item.name.len());
        if !chunk.is_empty() && held.saturating_add(size) > half {
            *carry = Some(item);
            break;
        }
        held = held.saturating_add(size);
        chunk.push(item);
    }
    Ok(chunk)
}

/// `attest audit`.
pub fn run_audit(source: &Path, a: &EvidenceArgs, allow_empty: bool, inputs: Option<&Path>) -> Result<i32, CliError> {
    let mut loaded = Loaded::load(a)?;
    loaded.inputs = inputs.map(crate::audit_inputs::Inputs::read).transpose()?;
    let (code, _) = audit(source, a, &loaded, None, true, allow_empty)?;
    if let Some(i) = &loaded.inputs {
        i.unused()?;
    }
    Ok(code)
}

/// An item of an audit whose report is not valid.
pub struct InvalidItem {
    /// `FILE:LINE` or the file name.
    pub name: String,
    /// The stream and timestamp it claims, when it parses as a heartbeat.
    pub claimed: Option<(String, i64)>,
    /// Its first failure, `check [reason]`.
    pub why: String,
}

/// What an audit found besides its printed lines: the heartbeat streams and
/// the invalid items (with the stream they claim, when they parse as heartbeats).
/// `print_items: false` prints only the stream summaries (`attest gate`).
pub struct AuditOutcome {
    /// One report per heartbeat stream.
    pub streams: Vec<attest_verifier::heartbeat::StreamReport>,
    /// The invalid items.
    pub invalid: Vec<InvalidItem>,
    /// Items verified.
    pub total: usize,
}

/// Verifies every item of `source`, printing one line per item, then the
/// stream summaries (heartbeats) and a closing summary. `window_start` limits
/// the stream checks to heartbeats at or after it (`attest gate`).
pub fn audit(
    source: &Path,
    a: &EvidenceArgs,
    loaded: &Loaded,
    window_start: Option<Timestamp>,
    print_items: bool,
    allow_empty: bool,
) -> Result<(i32, AuditOutcome), CliError> {
    if a.log_proof.is_some() {
        return Err(CliError::new("--log-proof proves one document: use it with `attest verify`, not with a batch"));
    }
    let (mut items, labels) = Source::open(source)?;
    let start = Instant::now();
    let mut batch = BatchVerifier::new();
    let stdout = std::io::stdout();
    let (mut total, mut valid) = (0usize, 0usize);
    let mut carry: Option<Item> = None;
    // Pipeline: chunk N is verified and rendered on the pool while the
    // lines of chunk N-1 are written and chunk N+1 is read.
    let render = |chunk: &[Item], reports: &[Report]| -> Vec<String> {
        chunk
            .par_iter()
            .zip(reports.par_iter())
            .with_min_len(16)
            .map(|(item, report)| match a.format {
                Format::Json => render::audit_line(&item.name, report),
                Format::Human => render::audit_human_line(&item.name, report),
            })
            .collect()
    };
    let claimed_stream = |bytes: &[u8]| {
        attest_verifier::heartbeat::parse_heartbeat_envelope(bytes)
            .ok()
            .map(|(_, h)| (h.stream().to_string(), h.timestamp()))
    };
    let mut invalid = Vec::new();
    let write = |out: &std::io::Stdout, lines: &[String]| {
        let mut out = out.lock();
        for line in lines {
            let _ = out.write_all(line.as_bytes());
        }
        let _ = out.flush();
    };
    let mut chunk = read_chunk(&mut items, &mut carry)?;
    let mut pending_lines: Vec<String> = Vec::new();
    let mut receipts = crate::attesto::ReceiptAudit::default();
    while !chunk.is_empty() {
        let refs: Vec<&Item> = chunk.iter().collect();
        let base = total;
        let (verified, next) = rayon::join(
            || {
                let reports = audit_reports(&refs, loaded, &mut batch, &labels)?;
                for (i, (item, report)) in chunk.iter().zip(&reports).enumerate() {
                    receipts.observe(base + i, &item.bytes, report);
                }
                let bad: Vec<InvalidItem> = chunk
                    .iter()
                    .zip(&reports)
                    .filter(|(_, r)| !r.valid())
                    .map(|(item, r)| {
                        let why = r.first_failure().map_or_else(
                            || "a required check did not run".to_string(),
                            |c| format!("{} [{}]", c.id, c.reason.map_or("", |x| x.as_str())),
                        );
                        InvalidItem { name: item.name.clone(), claimed: claimed_stream(&item.bytes), why }
                    })
                    .collect();
                Ok::<_, CliError>((if print_items { render(&chunk, &reports) } else { Vec::new() }, bad))
            },
            || {
                write(&stdout, &pending_lines);
                read_chunk(&mut items, &mut carry)
            },
        );
        let (lines, bad) = verified?;
        valid += chunk.len() - bad.len();
        invalid.extend(bad);
        total += chunk.len();
        pending_lines = lines;
        chunk = next?;
    }
    write(&stdout, &pending_lines);
    let streams = batch.finish_streams(&loaded.context(&loaded.trust), window_start);
    let stream_lines: Vec<String> = streams.iter().map(|s| render::stream(s, a.format)).collect();
    write(&stdout, &stream_lines);
    let (attesto_streams, attesto_lines) = receipts.finish(&|i| labels.name_of(i), a.format);
    write(&stdout, &attesto_lines);
    let streams_ok = streams.iter().all(|s| s.report().valid()) && attesto_streams.iter().all(|s| s.monotonic());
    if print_items {
        let summary = render::audit_summary(total, valid, start.elapsed().as_secs_f64(), a.format);
        let _ = stdout.lock().write_all(summary.as_bytes());
    }
    let outcome = AuditOutcome { streams, invalid, total };
    if total == 0 && !allow_empty {
        eprintln!(
            "no attestations found in {} (--allow-empty accepts an empty source)",
            esc(&source.display().to_string())
        );
        return Ok((1, outcome));
    }
    let code = if valid == total && streams_ok { 0 } else { 1 };
    Ok((code, outcome))
}
