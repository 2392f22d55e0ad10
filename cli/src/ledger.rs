//! `attest ledger serve|key` (docs/spec.md §10): thin over the `attest-ledger` crate.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use attest_attestor::note::NoteSigner;
use attest_ledger::http::Verification;
use attest_ledger::sequencer::BatchConfig;
use attest_ledger::{Config, Database};
use attest_verifier::Evidence;
use clap::{Args, Subcommand};

use crate::io::{read_secret, CliError};
use crate::verify::{read_heartbeat_policy, read_pinned_keys, read_trust_roots};

/// `attest ledger …`.
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Run the ledger: verify submissions, append valid ones, serve checkpoints and proofs.
    /// Runs until SIGTERM or SIGINT, then finishes the requests in flight and exits 0.
    Serve(Box<ServeArgs>),
    /// Print the log's verifier key (`origin+keyid+base64`) for clients and witnesses.
    Key(KeyArgs),
    /// Write the log as static C2SP tlog-tiles files (checkpoint, hash tiles,
    /// entry bundles) to a directory, for any web server. Needs no secret:
    /// the stored checkpoint is verified under --log-key first.
    ExportTiles(ExportArgs),
    /// Monitor a running log: verify its checkpoint, recompute the root from
    /// its tiles, check new entries, check consistency with the checkpoint
    /// saved last time; on a fork write fork evidence and exit 1.
    Verify(crate::ledger_verify::VerifyArgs),
    /// List refused submissions (422) from the database, oldest first: an
    /// operator's query, on the database itself (no administration over HTTP).
    Rejected(RejectedArgs),
}

/// `attest ledger rejected`.
#[derive(Debug, Args)]
pub struct RejectedArgs {
    /// The database: sqlite:PATH or postgres://USER@HOST:PORT/DB.
    #[arg(long, value_name = "sqlite:PATH|postgres://…")]
    pub db: String,
    /// At most this many rows.
    #[arg(long, default_value_t = 100)]
    pub limit: u64,
    /// `human` (one line each) or `json` (JSON Lines with the report and the body, base64).
    #[arg(long, value_enum, default_value = "human")]
    pub format: crate::verify::Format,
}

/// `attest ledger export-tiles`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The database: sqlite:PATH or postgres://USER@HOST:PORT/DB.
    #[arg(long, value_name = "sqlite:PATH|postgres://…")]
    pub db: String,
    /// The log's verifier key (as `attest ledger key` prints it), or a file holding it.
    #[arg(long = "log-key", value_name = "VKEY|FILE")]
    pub log_key: String,
    /// The directory to write (created if missing; existing full tiles must match).
    pub dir: PathBuf,
}

/// `attest ledger serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The database: sqlite:PATH (embedded, created if missing) or
    /// postgres://USER@HOST:PORT/DB (several ledger processes may share it).
    #[arg(long, value_name = "sqlite:PATH|postgres://…")]
    pub db: String,
    /// The log's origin (checkpoint origin line and note key name).
    #[arg(long)]
    pub origin: String,
    /// The log key: an attest secret file (its master Ed25519 key signs checkpoints).
    #[arg(long, value_name = "SECRET")]
    pub key: PathBuf,
    /// Trust-root documents submissions are verified against, oldest first.
    #[arg(long = "trust-root", value_name = "FILE", required = true)]
    pub trust_roots: Vec<PathBuf>,
    /// Pinned root keys: one lowercase hex Ed25519 key per line.
    #[arg(long = "root-key", value_name = "FILE", required = true)]
    pub root_keys: Vec<PathBuf>,
    /// Heartbeat policy heartbeat envelopes are verified against.
    #[arg(long = "heartbeat-policy", value_name = "FILE")]
    pub heartbeat_policy: Option<PathBuf>,
    /// Register an Attesto Local Vault installation: ID=PUBKEYHEX (repeatable). Its relays
    /// (POST /v2/local-vault/installations/ID/relay) and witness output
    /// (…/ID/witness/checkpoints) are verified against this key (docs/spec.md §12.7).
    #[arg(long = "attesto-installation", value_name = "ID=PUBKEYHEX")]
    pub attesto_installations: Vec<String>,
    /// The root CA (DER or PEM) the DCAP quotes of TEE bindings chain to
    /// instead of Intel's SGX Root CA: test infrastructure (docs/spec.md §13.7).
    #[arg(long = "tee-root-ca", value_name = "FILE")]
    pub tee_root_ca: Option<PathBuf>,
    /// Where stream health changes are POSTed (attest.stream-alert.v1; http://).
    #[arg(long = "alert-webhook", value_name = "URL")]
    pub alert_webhook: Option<String>,
    /// How often the heartbeat stream checks run, in milliseconds.
    #[arg(long = "monitor-interval-ms", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(100..))]
    pub monitor_interval_ms: u64,
    /// Listening address. Anything but a loopback address needs TLS
    /// (--tls-cert/--tls-key) or --allow-plaintext.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub tls: crate::tls::ServerTlsArgs,
    /// Batch linger in milliseconds: 0 (group commit: a batch is what queued
    /// during the previous commit, at most 256) or up to 250 to wait for more.
    #[arg(long = "batch-max-age-ms", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=250))]
    pub batch_max_age_ms: u64,
    /// A witness (C2SP tlog-witness submission prefix, http://) every new
    /// checkpoint is sent to; its cosignatures are served with the
    /// checkpoint, tlog-proofs and receipts (docs/spec.md §11.6). Repeatable.
    #[arg(long = "witness", value_name = "URL")]
    pub witness: Vec<String>,
    /// A C2SP tlog-policy: its witnesses with a URL are asked too, their
    /// cosignatures verified, and acknowledgements wait for a checkpoint
    /// cosigned to its quorum (fail closed: 503 after --witness-timeout-ms).
    #[arg(long = "witness-quorum", value_name = "POLICY")]
    pub witness_quorum: Option<PathBuf>,
    /// The longest an acknowledgement waits for the witness quorum.
    #[arg(long = "witness-timeout-ms", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub witness_timeout_ms: u64,
}

/// `attest ledger key`.
#[derive(Debug, Args)]
pub struct KeyArgs {
    /// The log key secret file.
    #[arg(long, value_name = "SECRET")]
    pub key: PathBuf,
    /// The log's origin.
    #[arg(long)]
    pub origin: String,
}

fn signer(key: &std::path::Path, origin: &str) -> Result<NoteSigner, CliError> {
    let secret = read_secret(key)?;
    NoteSigner::new(origin, secret.master_ed25519()).map_err(|e| CliError::new(format!("--origin {origin:?}: {e}")))
}

/// Runs a ledger subcommand.
pub fn run(c: &LedgerCommand) -> Result<i32, CliError> {
    match c {
        LedgerCommand::Key(a) => {
            println!("{}", signer(&a.key, &a.origin)?.verifier_key());
            Ok(0)
        }
        LedgerCommand::Verify(a) => crate::ledger_verify::run(a),
        LedgerCommand::Rejected(a) => {
            use base64::Engine as _;
            let database = Database::parse(&a.db).map_err(|e| CliError::new(format!("--db: {e}")))?;
            let mut store = attest_ledger::open_store(&database).map_err(|e| CliError::new(format!("--db: {e}")))?;
            let rows = store.rejected(a.limit).map_err(|e| CliError::new(format!("--db: {e}")))?;
            for r in &rows {
                match a.format {
                    crate::verify::Format::Json => {
                        let report: serde_json::Value =
                            serde_json::from_str(&r.report).unwrap_or(serde_json::Value::Null);
                        println!(
                            "{}",
                            serde_json::json!({
                                "receivedAt": r.received_at, "type": r.doc_type, "check": r.check, "reason": r.reason,
                                "report": report, "bodyBase64": base64::engine::general_purpose::STANDARD.encode(&r.body),
                            })
                        );
                    }
                    crate::verify::Format::Human => println!(
                        "{} {} {} [{}] ({} bytes)",
                        r.received_at,
                        crate::render::esc(&r.doc_type),
                        r.check.as_deref().unwrap_or("-"),
                        r.reason.as_deref().unwrap_or(""),
                        r.body.len()
                    ),
                }
            }
            if matches!(a.format, crate::verify::Format::Human) {
                println!("{} refused submission(s)", rows.len());
            }
            Ok(0)
        }
        LedgerCommand::ExportTiles(a) => {
            let database = Database::parse(&a.db).map_err(|e| CliError::new(format!("--db: {e}")))?;
            let key = crate::verify::read_log_key(&a.log_key)?;
            let mut store = attest_ledger::open_store(&database).map_err(|e| CliError::new(format!("--db: {e}")))?;
            let s = attest_ledger::export::export_tiles(store.as_mut(), &key, &a.dir)
                .map_err(|e| CliError::new(format!("export-tiles: {e}")))?;
            println!(
                "exported the log of {} entries to {}: {} files written, {} full tiles unchanged",
                s.tree_size,
                a.dir.display(),
                s.written,
                s.unchanged
            );
            Ok(0)
        }
        LedgerCommand::Serve(a) => {
            let database = Database::parse(&a.db).map_err(|e| CliError::new(format!("--db: {e}")))?;
            let docs = read_trust_roots(&a.trust_roots)?;
            let trust_roots = a.trust_roots.iter().map(|p| p.display().to_string()).zip(docs).collect();
            let evidence = Evidence {
                heartbeat_policy: a.heartbeat_policy.as_deref().map(read_heartbeat_policy).transpose()?,
                ..Evidence::default()
            };
            let tls = a.tls.server_config(a.listen)?;
            let policy = match &a.witness_quorum {
                None => None,
                Some(p) => {
                    let bytes = crate::io::read_limited(
                        p,
                        "witness policy",
                        attest_verifier::tlog_policy::MAX_POLICY_BYTES as u64,
                    )?;
                    Some(
                        attest_verifier::tlog_policy::Policy::parse(&bytes)
                            .map_err(|e| CliError::new(format!("witness policy {}: {e}", p.display())))?,
                    )
                }
            };
            let witnessing =
                (policy.is_some() || !a.witness.is_empty()).then(|| attest_ledger::witnessing::WitnessingConfig {
                    urls: a.witness.clone(),
                    policy,
                    timeout: Duration::from_millis(a.witness_timeout_ms),
                });
            let config = Config {
                witnessing,
                tls,
                database,
                signer: signer(&a.key, &a.origin)?,
                verification: Verification {
                    trust_roots,
                    pinned: read_pinned_keys(&a.root_keys)?,
                    evidence,
                    attesto: attest_ledger::attesto::Installations::parse(&a.attesto_installations)
                        .map_err(|e| CliError::new(format!("--attesto-installation {e}")))?,
                    tee_root_ca: match &a.tee_root_ca {
                        None => None,
                        Some(p) => {
                            let bytes = crate::io::read_limited(p, "TEE root CA", 64 * 1024)?;
                            // Refused at start, naming the file, not at the first binding.
                            attest_tee_verifier::DcapVerifier::with_root_ca(&bytes)
                                .map_err(|e| CliError::new(format!("TEE root CA {}: {e}", p.display())))?;
                            Some(bytes)
                        }
                    },
                },
                listen: a.listen,
                alert_webhook: a.alert_webhook.clone(),
                monitor_interval: Duration::from_millis(a.monitor_interval_ms),
                batch: BatchConfig { max_age: Duration::from_millis(a.batch_max_age_ms), ..BatchConfig::default() },
            };
            attest_ledger::serve(config).map_err(|e| CliError::new(format!("ledger: {e}")))?;
            Ok(0)
        }
    }
}
