//! `attest witness serve|key` (docs/spec.md §11.4): thin over `attest_ledger::witness`.

use std::net::SocketAddr;
use std::path::PathBuf;

use attest_attestor::note::CosignatureSigner;
use clap::{Args, Subcommand};

use crate::io::{read_secret, CliError};

/// `attest witness …`.
#[derive(Debug, Subcommand)]
pub enum WitnessCommand {
    /// Run a C2SP tlog-witness: cosign checkpoints of the --log keys that are
    /// consistent with the latest one cosigned, keep proof of any split view
    /// (GET /v1/forks). Runs until SIGTERM or SIGINT.
    Serve(Box<ServeArgs>),
    /// Print the witness's cosigner key (`name+keyid+base64(0x04 ‖ key)`) for tlog-policy files.
    Key(KeyArgs),
}

/// `attest witness serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The witness database: sqlite:PATH (created if missing).
    #[arg(long, value_name = "sqlite:PATH")]
    pub db: String,
    /// The witness key: an attest secret file (its master Ed25519 key cosigns
    /// and signs fork evidence).
    #[arg(long, value_name = "SECRET")]
    pub key: PathBuf,
    /// The witness name (cosignature key name), e.g. witness.example/w1.
    #[arg(long)]
    pub name: String,
    /// A log to witness: its verifier key (as `attest ledger key` prints it)
    /// or a file holding it; the origin is the key name. Repeatable.
    #[arg(long = "log", value_name = "VKEY|FILE", required = true)]
    pub logs: Vec<String>,
    /// Listening address. Anything but a loopback address needs TLS
    /// (--tls-cert/--tls-key) or --allow-plaintext.
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub tls: crate::tls::ServerTlsArgs,
}

/// `attest witness key`.
#[derive(Debug, Args)]
pub struct KeyArgs {
    /// The witness key secret file.
    #[arg(long, value_name = "SECRET")]
    pub key: PathBuf,
    /// The witness name.
    #[arg(long)]
    pub name: String,
}

fn cosigner(
    key: &std::path::Path,
    name: &str,
) -> Result<(CosignatureSigner, attest_attestor::keys::Ed25519Signer), CliError> {
    let secret = read_secret(key)?;
    let signer = CosignatureSigner::new(name, secret.master_ed25519())
        .map_err(|e| CliError::new(format!("--name {name:?}: {e}")))?;
    Ok((signer, secret.master_ed25519()))
}

/// Runs a witness subcommand.
pub fn run(c: &WitnessCommand) -> Result<i32, CliError> {
    match c {
        WitnessCommand::Key(a) => {
            println!("{}", cosigner(&a.key, &a.name)?.0.cosigner_key());
            Ok(0)
        }
        WitnessCommand::Serve(a) => {
            let path =
                a.db.strip_prefix("sqlite:")
                    .filter(|p| !p.is_empty())
                    .ok_or_else(|| CliError::new(format!("--db {:?}: expected sqlite:PATH", a.db)))?;
            let logs = a
                .logs
                .iter()
                .map(|l| crate::verify::read_log_key(l).map_err(|e| CliError::new(format!("--log: {e}"))))
                .collect::<Result<Vec<_>, _>>()?;
            let tls = a.tls.server_config(a.listen)?;
            let (signer, reporter) = cosigner(&a.key, &a.name)?;
            let w = attest_ledger::witness::Witness::open(std::path::Path::new(path), signer, reporter, logs)
                .map_err(|e| CliError::new(format!("--db: {e}")))?;
            attest_ledger::witness::serve(w, a.listen, tls).map_err(|e| CliError::new(format!("witness: {e}")))?;
            Ok(0)
        }
    }
}
