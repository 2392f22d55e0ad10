//! `attest heartbeat sign|run` and `attest gate` (docs/spec.md §9).
//!
//! `heartbeat run` is the attestor daemon of the runtime-attestation seed:
//! every `interval_seconds` it reads the changing counters (a JSON file, or
//! the JSON a command prints), merges them over the fixed configuration,
//! chains the payload to the previous one of this boot, signs it with the
//! heartbeat key, checks it with the verifier's parser, and writes it to
//! `--out` and/or the spool, from which it is POSTed to a ledger in order.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use attest_attestor::heartbeat::{sign_envelope, BootChain, HeartbeatInput};
use attest_verifier::heartbeat::Health;
use clap::{Args, Subcommand};
use serde::Deserialize;

use crate::io::{read_document, read_secret, write_file, CliError};
use crate::verify::{self, EvidenceArgs, Format, Loaded};

/// `attest heartbeat …`.
#[derive(Debug, Subcommand)]
pub enum HeartbeatCommand {
    /// Sign one heartbeat: a DSSE envelope over the payload file's bytes
    /// (checked to be a well-formed attest.runtime-heartbeat.v1 first).
    Sign {
        /// Secret whose Ed25519 key signs (a `heartbeat` key of the trust root).
        #[arg(long, value_name = "SECRET")]
        key: PathBuf,
        /// The payload JSON.
        #[arg(long, value_name = "FILE")]
        payload: PathBuf,
        /// Write the envelope here instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace an existing --out file.
        #[arg(long)]
        force: bool,
    },
    /// Run the heartbeat daemon (config: docs/spec.md §9.5). SIGTERM or SIGINT flushes and exits 0.
    Run(RunArgs),
}

/// `attest heartbeat run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Daemon configuration (JSON).
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Emit one heartbeat, deliver what is spooled, and exit (cron, tests).
    #[arg(long)]
    pub once: bool,
    /// Also write each heartbeat to DIR (one file per heartbeat) or append to FILE.jsonl.
    #[arg(long, value_name = "DIR|FILE.jsonl")]
    pub out: Option<PathBuf>,
    /// Stop after this many heartbeats (0: run until signalled).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub count: u64,
}

/// The daemon's configuration file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    /// Stream name (the runtime instance).
    stream: String,
    /// Secret file of the heartbeat key (relative to the config file's directory).
    key: PathBuf,
    /// Seconds between heartbeats (default 60).
    #[serde(default = "default_interval")]
    interval_seconds: u64,
    /// The fixed payload members (policy_hash, zero_retention, epsilon_limits,
    /// version, kernel_config_hash, capability_keys, the three flags) and any
    /// counter defaults.
    fixed: serde_json::Value,
    /// A JSON file of the changing members (counters), read each interval.
    #[serde(default)]
    counters_file: Option<PathBuf>,
    /// A command (argv) printing the changing members as JSON, run each interval.
    #[serde(default)]
    counters_command: Option<Vec<String>>,
    /// Ledger base URL (`http://host:port`); heartbeats are POSTed to `/v1/entries`.
    #[serde(default)]
    ledger: Option<String>,
    /// Spool directory of heartbeats not yet acknowledged by the ledger.
    #[serde(default)]
    spool_dir: Option<PathBuf>,
    /// Most heartbeats kept in the spool (default 10,000).
    #[serde(default = "default_spool_max")]
    spool_max: usize,
    /// Boot id (default: derived from the start time and process id).
    #[serde(default)]
    boot_id: Option<String>,
}

fn default_interval() -> u64 {
    60
}

fn default_spool_max() -> usize {
    10_000
}

/// Ledger submission timeout.
const SUBMIT_TIMEOUT: Duration = Duration::from_secs(15);
/// Longest wait between delivery attempts after failures (the backoff doubles from 1 s).
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// `attest heartbeat …`.
pub fn run(c: &HeartbeatCommand) -> Result<i32, CliError> {
    match c {
        HeartbeatCommand::Sign { key, payload, out, force } => {
            let secret = read_secret(key)?;
            let bytes = read_document(payload, "heartbeat payload")?;
            attest_verifier::heartbeat::parse_heartbeat(&bytes)
                .map_err(|e| CliError::new(format!("heartbeat payload {}: {e}", payload.display())))?;
            let mut env = sign_envelope(&bytes, &[&secret.master_ed25519()]);
            env.push('\n');
            match out {
                Some(p) => write_file(p, env.as_bytes(), "heartbeat envelope", *force)?,
                None => {
                    let _ = std::io::stdout().lock().write_all(env.as_bytes());
                }
            }
            Ok(0)
        }
        HeartbeatCommand::Run(a) => run_daemon(a),
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Reads the changing members for this interval.
fn counters(cfg: &Config, base: &Path) -> Result<Option<HeartbeatInput>, String> {
    let text = if let Some(f) = &cfg.counters_file {
        let p = base.join(f);
        std::fs::read(&p).map_err(|e| format!("counters file {}: {e}", p.display()))?
    } else if let Some(cmd) = &cfg.counters_command {
        let (prog, args) = cmd.split_first().ok_or("counters_command is empty")?;
        let out = std::process::Command::new(prog)
            .args(args)
            .current_dir(base)
            .output()
            .map_err(|e| format!("counters command {prog:?}: {e}"))?;
        if !out.status.success() {
            return Err(format!("counters command {prog:?} exited with {}", out.status));
        }
        out.stdout
    } else {
        return Ok(None);
    };
    let v = attest_verifier::doc::parse_json(&text).map_err(|e| format!("counters: {e}"))?;
    HeartbeatInput::from_value(&v).map(Some).map_err(|e| format!("counters: {e}"))
}

/// The spool: one file per heartbeat, named by a zero-padded sequence, sent in order.
struct Spool {
    dir: PathBuf,
    max: usize,
    /// Number of the next file, and how many are spooled: read from the
    /// directory once, then kept, so a long outage costs no directory listing
    /// per heartbeat.
    next: u64,
    count: usize,
}

impl Spool {
    fn open(dir: PathBuf, max: usize) -> Result<Self, CliError> {
        std::fs::create_dir_all(&dir).map_err(|e| CliError::new(format!("cannot create {}: {e}", dir.display())))?;
        let mut s = Self { dir, max, next: 0, count: 0 };
        let entries = s.entries();
        s.count = entries.len();
        s.next = entries
            .last()
            .and_then(|p| p.file_stem().and_then(|s| s.to_str()).and_then(|s| s.parse::<u64>().ok()))
            .map_or(0, |n| n + 1);
        Ok(s)
    }

    fn entries(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "json"))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    /// Adds an envelope durably (written, synced, renamed into place).
    fn push(&mut self, envelope: &str) -> Result<(), String> {
        if self.count >= self.max {
            return Err(format!(
                "spool {} is full ({} heartbeats): this heartbeat is not kept",
                self.dir.display(),
                self.max
            ));
        }
        let next = self.next;
        let path = self.dir.join(format!("{next:020}.json"));
        let tmp = self.dir.join(format!(".{next:020}.tmp"));
        let mut f = std::fs::File::create(&tmp).map_err(|e| format!("spool {}: {e}", tmp.display()))?;
        f.write_all(envelope.as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| format!("spool {}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, &path).map_err(|e| format!("spool {}: {e}", path.display()))?;
        self.next += 1;
        self.count += 1;
        Ok(())
    }

    /// Sends spooled heartbeats in order, one attempt each; stops at the first
    /// that is not acknowledged (it stays spooled, first in line).
    fn deliver(&mut self, ledger: &str) -> (usize, Option<String>) {
        let mut sent = 0;
        for p in self.entries() {
            let Ok(body) = std::fs::read(&p) else { continue };
            if let Err(e) = post_entry(ledger, &body) {
                return (sent, Some(e));
            }
            let _ = std::fs::remove_file(&p);
            self.count = self.count.saturating_sub(1);
            sent += 1;
        }
        (sent, None)
    }
}

/// POSTs one envelope to `<ledger>/v1/entries` (plain HTTP/1.1); 200 and 201 are acknowledgements.
fn post_entry(ledger: &str, body: &[u8]) -> Result<(), String> {
    let base = attest_ledger::client::Base::parse(ledger).map_err(|e| format!("ledger URL {e}"))?;
    match base.request("POST", "/v1/entries", Some(("application/json", body)), SUBMIT_TIMEOUT, 1 << 20)? {
        (200 | 201, _) => Ok(()),
        (code, _) => Err(format!("ledger {}: HTTP {code}", base.host())),
    }
}

/// Where `--out` writes.
fn write_out(out: &Path, seq: u64, boot: &str, envelope: &str) -> Result<(), CliError> {
    if out.extension().is_some_and(|x| x == "jsonl") {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(out)
            .map_err(|e| CliError::new(format!("cannot write {}: {e}", out.display())))?;
        f.write_all(envelope.as_bytes())
            .and_then(|()| f.write_all(b"\n"))
            .and_then(|()| f.sync_data())
            .map_err(|e| CliError::new(format!("cannot write {}: {e}", out.display())))
    } else {
        std::fs::create_dir_all(out).map_err(|e| CliError::new(format!("cannot create {}: {e}", out.display())))?;
        write_file(&out.join(format!("{boot}-{seq:010}.json")), format!("{envelope}\n").as_bytes(), "heartbeat", false)
    }
}

fn log(event: &str, fields: serde_json::Value) {
    let mut line = serde_json::json!({"event": event});
    if let (Some(o), serde_json::Value::Object(f)) = (line.as_object_mut(), fields) {
        o.extend(f);
    }
    eprintln!("{line}");
}

fn run_daemon(a: &RunArgs) -> Result<i32, CliError> {
    let cfg_bytes = read_document(&a.config, "heartbeat config")?;
    let cfg: Config = serde_json::from_slice(&cfg_bytes)
        .map_err(|e| CliError::new(format!("heartbeat config {}: {e}", a.config.display())))?;
    let base = match a.config.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let key = read_secret(&base.join(&cfg.key))?.master_ed25519();
    if cfg.interval_seconds == 0 {
        return Err(CliError::new(format!(
            "heartbeat config {}: interval_seconds must be at least 1",
            a.config.display()
        )));
    }
    let fixed_value = attest_verifier::doc::parse_json(cfg.fixed.to_string().as_bytes())
        .map_err(|e| CliError::new(format!("heartbeat config {}: fixed: {e}", a.config.display())))?;
    let fixed = HeartbeatInput::from_value(&fixed_value)
        .map_err(|e| CliError::new(format!("heartbeat config {}: fixed: {e}", a.config.display())))?;
    // The payload's interval_seconds is the daemon's (unless `fixed` says otherwise).
    let interval_member =
        attest_verifier::doc::parse_json(format!("{{\"interval_seconds\":{}}}", cfg.interval_seconds).as_bytes())
            .ok()
            .and_then(|v| HeartbeatInput::from_value(&v).ok());
    let fixed = match interval_member {
        Some(i) if fixed.object().get("interval_seconds").is_none() => i.merged(&fixed),
        _ => fixed,
    };
    let mut spool = match (&cfg.spool_dir, &cfg.ledger) {
        (Some(d), _) => Some(Spool::open(base.join(d), cfg.spool_max)?),
        (None, Some(_)) => {
            return Err(CliError::new(format!("heartbeat config {}: a ledger needs a spool_dir", a.config.display())))
        }
        (None, None) => None,
    };
    if let Some(s) = &spool {
        std::fs::create_dir_all(&s.dir)
            .map_err(|e| CliError::new(format!("cannot create {}: {e}", s.dir.display())))?;
    }
    if spool.is_none() && a.out.is_none() {
        return Err(CliError::new(
            "heartbeat run: nowhere to put heartbeats (give --out, or a ledger and spool_dir in the config)",
        ));
    }
    let boot_id = cfg.boot_id.clone().unwrap_or_else(|| {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        format!("{:x}-{}", t.as_nanos(), std::process::id())
    });
    let mut chain = BootChain::new(&cfg.stream, &boot_id);
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .map_err(|e| CliError::new(format!("cannot handle signals: {e}")))?;
    }
    log(
        "start",
        serde_json::json!({"stream": cfg.stream, "boot_id": boot_id, "interval_seconds": cfg.interval_seconds}),
    );
    let interval = Duration::from_secs(cfg.interval_seconds);
    let mut emitted = 0u64;
    let mut next = Instant::now();
    // Delivery backoff: after k failed rounds in a row, wait min(2^(k-1) s, 60 s).
    let mut failures = 0u32;
    let mut next_delivery = Instant::now();
    loop {
        let input = match counters(&cfg, &base) {
            Ok(Some(c)) => fixed.merged(&c),
            Ok(None) => fixed.clone(),
            Err(e) => {
                log("counters-error", serde_json::json!({"error": e}));
                fixed.clone()
            }
        };
        let seq = chain.next_seq();
        match chain.next_payload(&input, unix_now()) {
            Err(e) => {
                // A configuration that does not make a valid heartbeat is an operator error.
                return Err(CliError::new(format!("heartbeat config {}: {e}", a.config.display())));
            }
            Ok(payload) => {
                let env = sign_envelope(&payload, &[&key]);
                if let Some(out) = &a.out {
                    write_out(out, seq, &boot_id, &env)?;
                }
                if let Some(s) = spool.as_mut() {
                    if let Err(e) = s.push(&env) {
                        log("spool-full", serde_json::json!({"error": e, "seq": seq}));
                    }
                }
                log("heartbeat", serde_json::json!({"seq": seq}));
            }
        }
        emitted += 1;
        if let (Some(s), Some(l)) = (spool.as_mut(), &cfg.ledger) {
            if a.once || Instant::now() >= next_delivery {
                let (sent, err) = s.deliver(l);
                match err {
                    None => failures = 0,
                    Some(e) => {
                        failures = failures.saturating_add(1);
                        let wait = Duration::from_secs(1u64 << failures.min(6).saturating_sub(1)).min(MAX_BACKOFF);
                        next_delivery = Instant::now() + wait;
                        log(
                            "submit-error",
                            serde_json::json!({"error": e, "sent": sent, "spooled": s.count, "retryInSeconds": wait.as_secs()}),
                        );
                    }
                }
            }
        }
        if a.once || (a.count > 0 && emitted >= a.count) || stop.load(Ordering::Relaxed) {
            break;
        }
        next += interval;
        while Instant::now() < next {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50).min(next.saturating_duration_since(Instant::now())));
        }
        if stop.load(Ordering::Relaxed) {
            break;
        }
    }
    let spooled = spool.as_ref().map_or(0, |s| s.count);
    log("stop", serde_json::json!({"emitted": emitted, "spooled": spooled}));
    Ok(0)
}

/// `attest gate`.
#[derive(Debug, Args)]
pub struct GateArgs {
    /// Heartbeat envelopes: a JSON Lines file or a directory of .json files.
    #[arg(long, value_name = "FILE.jsonl|DIR", required_unless_present = "ledger", conflicts_with = "ledger")]
    pub heartbeats: Option<PathBuf>,
    /// Take the heartbeats of the window from a ledger (http://HOST:PORT,
    /// `GET /v1/heartbeats`) instead of a file, and verify them here as
    /// offline: a ledger that withholds heartbeats makes the gate fail.
    #[arg(long, value_name = "URL")]
    pub ledger: Option<String>,
    /// The window checked, ending at --now (seconds, or 30s, 10m, 1h).
    #[arg(long, value_name = "DURATION")]
    pub window: String,
    /// A stream that must be healthy (repeatable; default: every stream seen).
    #[arg(long = "stream", value_name = "STREAM")]
    pub streams: Vec<String>,
    #[command(flatten)]
    pub evidence: EvidenceArgs,
}

/// `GET /v1/heartbeats?since=…[&stream=…]` of a ledger into a temporary
/// JSON Lines file (kept alive by the returned directory).
fn fetch_heartbeats(url: &str, since: Timestamp, streams: &[String]) -> Result<(tempfile::TempDir, PathBuf), CliError> {
    let base = attest_ledger::client::Base::parse(url).map_err(|e| CliError::new(format!("--ledger {e}")))?;
    let mut body = Vec::new();
    let queries: Vec<String> = if streams.is_empty() {
        vec![format!("/v1/heartbeats?since={}", since.unix_seconds().max(0))]
    } else {
        streams
            .iter()
            .map(|s| {
                format!(
                    "/v1/heartbeats?since={}&stream={}",
                    since.unix_seconds().max(0),
                    attest_ledger::client::percent_encode(s)
                )
            })
            .collect()
    };
    for q in queries {
        let part =
            base.get(&q, Duration::from_secs(30), 64 << 20).map_err(|e| CliError::new(format!("--ledger {e}")))?;
        body.extend_from_slice(&part);
    }
    let dir = tempfile::tempdir().map_err(|e| CliError::new(format!("temporary directory: {e}")))?;
    let path = dir.path().join("ledger-heartbeats.jsonl");
    std::fs::write(&path, &body).map_err(|e| CliError::new(format!("{}: {e}", path.display())))?;
    Ok((dir, path))
}

/// `attest gate`: exit 0 only if every selected stream is healthy over the window.
pub fn gate(a: &GateArgs) -> Result<i32, CliError> {
    if a.evidence.heartbeat_policy.is_none() {
        return Err(CliError::new("attest gate needs --heartbeat-policy FILE"));
    }
    let window = verify::parse_duration_seconds(&a.window).map_err(|e| CliError::new(format!("--window: {e}")))?;
    let loaded = Loaded::load(&a.evidence)?;
    let start =
        Timestamp::from_unix(loaded.now.unix_seconds().saturating_sub(i64::try_from(window).unwrap_or(i64::MAX)), 0);
    // From a ledger: its heartbeats of the window, written to a temporary
    // JSON Lines file and gated exactly like a file.
    let fetched = match &a.ledger {
        Some(url) => Some(fetch_heartbeats(url, start, &a.streams)?),
        None => None,
    };
    let source = match (&fetched, &a.heartbeats) {
        (Some((_, path)), _) => path.clone(),
        (None, Some(p)) => p.clone(),
        (None, None) => return Err(CliError::new("attest gate needs --heartbeats FILE or --ledger URL")),
    };
    let (_, outcome) = verify::audit(&source, &a.evidence, &loaded, Some(start), false, true)?;
    let selected = |s: &str| a.streams.is_empty() || a.streams.iter().any(|x| x == s);
    let mut problems: Vec<String> = Vec::new();
    for verify::InvalidItem { name, claimed, why } in &outcome.invalid {
        let name = crate::render::esc(name);
        match claimed {
            Some((s, t)) if !selected(s) || *t < start.unix_seconds() => {}
            Some((s, _)) => {
                problems.push(format!("{name}: invalid heartbeat of stream {}: {why}", crate::render::esc(s)))
            }
            None => problems.push(format!("{name}: invalid item (not a readable heartbeat): {why}")),
        }
    }
    let mut checked = 0;
    for s in outcome.streams.iter().filter(|s| selected(s.stream())) {
        checked += 1;
        if s.health() != Health::Healthy || !s.report().valid() {
            let reasons: Vec<String> =
                s.report().checks().iter().filter_map(|c| c.reason.map(|r| format!("{}: {r}", c.id))).collect();
            problems.push(format!("stream {} is {} ({})", s.stream(), s.health().as_str(), reasons.join(", ")));
        }
    }
    for want in &a.streams {
        if !outcome.streams.iter().any(|s| s.stream() == want) {
            problems.push(format!("stream {want} has no heartbeat in the window: missing"));
        }
    }
    if outcome.total == 0 {
        let from = a.ledger.clone().unwrap_or_else(|| source.display().to_string());
        problems.push(format!("{from}: no heartbeats"));
    } else if checked == 0 && a.streams.is_empty() {
        problems.push("no heartbeat stream in the window".to_string());
    }
    let pass = problems.is_empty();
    let mut out = std::io::stdout().lock();
    let text = match a.evidence.format {
        Format::Json => format!(
            "{}\n",
            serde_json::json!({"gate": {"pass": pass, "windowStart": start.to_rfc3339(), "now": loaded.now.to_rfc3339(), "streams": checked, "problems": problems}})
        ),
        Format::Human if pass => {
            format!(
                "GATE PASS: {checked} stream(s) healthy from {} to {}\n",
                start.to_rfc3339(),
                loaded.now.to_rfc3339()
            )
        }
        Format::Human => {
            let mut t = format!(
                "GATE FAIL: {} problem(s) from {} to {}\n",
                problems.len(),
                start.to_rfc3339(),
                loaded.now.to_rfc3339()
            );
            for p in &problems {
                t.push_str(&format!("  {p}\n"));
            }
            t
        }
    };
    let _ = out.write_all(text.as_bytes());
    Ok(if pass { 0 } else { 1 })
}

use attest_verifier::Timestamp;
