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
    /// Listening address.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Longest wait, in milliseconds, after the first submission of a batch.
    #[arg(long = "batch-max-age-ms", default_value_t = 250)]
    pub batch_max_age_ms: u64,
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
        LedgerCommand::Serve(a) => {
            let database = Database::parse(&a.db).map_err(|e| CliError::new(format!("--db: {e}")))?;
            let docs = read_trust_roots(&a.trust_roots)?;
            let trust_roots = a.trust_roots.iter().map(|p| p.display().to_string()).zip(docs).collect();
            let evidence = Evidence {
                heartbeat_policy: a.heartbeat_policy.as_deref().map(read_heartbeat_policy).transpose()?,
                ..Evidence::default()
            };
            let config = Config {
                database,
                signer: signer(&a.key, &a.origin)?,
                verification: Verification { trust_roots, pinned: read_pinned_keys(&a.root_keys)?, evidence },
                listen: a.listen,
                batch: BatchConfig { max_age: Duration::from_millis(a.batch_max_age_ms), ..BatchConfig::default() },
            };
            attest_ledger::serve(config).map_err(|e| CliError::new(format!("ledger: {e}")))?;
            Ok(0)
        }
    }
}
