//! `attest`: verify execution attestations offline; sign, manage keys,
//! trust roots and bundles; inspect documents; run the demo.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod attesto;
mod audit_inputs;
mod commands;
mod demo;
mod heartbeat;
mod inspect;
mod io;
mod ledger;
mod ledger_verify;
mod network;
#[cfg(feature = "onchain")]
mod onchain;
mod prewrite;
mod render;
mod state;
mod tee;
mod tls;
mod trust_inputs;
mod verify;
mod verify_policy;
mod witness;

/// mimalloc: `attest audit` allocates reports on worker threads and frees them
/// on the writer thread; glibc malloc serializes that on arena locks.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Proves what an off-chain computation did, and checks it.
#[derive(Debug, Parser)]
#[command(name = "attest", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Verify a document (an execution attestation, a trust root, a bundle manifest or a heartbeat envelope).
    /// Exit 0 valid, 1 not valid, 2 could not check.
    Verify {
        /// The document to verify.
        file: PathBuf,
        #[command(flatten)]
        evidence: verify::EvidenceArgs,
    },
    /// Verify many attestations or heartbeats (a directory of .json files or a .jsonl file)
    /// in parallel; one line per item, the heartbeat stream checks per stream, then a
    /// summary; `replay` across the batch.
    ///
    /// A directory: its regular `.json` files in name order (every other entry is
    /// listed on stderr as skipped). A file: JSON Lines, one attestation per line
    /// (items named FILE:LINE), or one pretty-printed JSON document. No item at
    /// all is exit 1 unless --allow-empty. With --format json the output is JSON
    /// Lines: {"item", "report"} per item, {"stream": {…}} per heartbeat stream, then one
    /// {"summary": {"total", "valid", "invalid", "seconds", "perSecond"}} line.
    /// Exit 0 iff every item is valid (docs/spec.md §6).
    Audit {
        /// Directory or JSON Lines file.
        source: PathBuf,
        /// Exit 0 when the source holds no attestation (default: exit 1, "no attestations found").
        #[arg(long = "allow-empty")]
        allow_empty: bool,
        /// Per-item evidence: JSON Lines of {"item", "signals"?, "output"?,
        /// "bundle"?, "network"?} (paths relative to this file), so different
        /// executions are checked in one run (docs/spec.md §6).
        #[arg(long, value_name = "FILE.jsonl")]
        inputs: Option<PathBuf>,
        #[command(flatten)]
        evidence: verify::EvidenceArgs,
    },
    /// Runtime heartbeats (DSSE, docs/spec.md §9): sign one, or run the daemon.
    #[command(subcommand)]
    Heartbeat(heartbeat::HeartbeatCommand),
    /// Release gate: exit 0 only if every selected heartbeat stream is healthy over
    /// the window (no gap, no invalid heartbeat, no drift, newest within max_gap);
    /// 1 with the reasons; 2 could not check.
    Gate(Box<heartbeat::GateArgs>),
    /// The ledger (docs/spec.md §10): an append-only, verifiable log of verified documents.
    #[command(subcommand)]
    Ledger(ledger::LedgerCommand),
    /// The witness (docs/spec.md §11.4): C2SP tlog-witness cosigning, fork evidence.
    #[command(subcommand)]
    Witness(witness::WitnessCommand),
    /// Create a new 32-byte master secret and print its public keys.
    Keygen(commands::KeygenArgs),
    /// Key operations.
    #[command(subcommand)]
    Key(commands::KeyCommand),
    /// Create, change and check trust roots.
    #[command(subcommand, name = "trust-root")]
    TrustRoot(commands::TrustRootCommand),
    /// Policy bundles.
    #[command(subcommand)]
    Bundle(commands::BundleCommand),
    /// Sign an execution attestation.
    Sign(Box<commands::SignArgs>),
    /// Pretty-print any attest document with decoded fields and digests.
    Inspect(inspect::InspectArgs),
    /// Create keys, a trust root, a bundle and attestations in a temporary
    /// directory, verify them, tamper with one and show the rejection.
    Demo(demo::DemoArgs),
    /// Network logs (docs/spec.md §5): summarize a log, prove one record, verify a record proof.
    /// TEE-bound keys: report_data of a key and bindings to DCAP quotes (docs/spec.md §13).
    #[command(subcommand)]
    Tee(tee::TeeCommand),
    #[command(subcommand)]
    Network(network::NetworkCommand),
    /// Make one HTTPS request and record it: writes network.jsonl, body and
    /// summary.json, prints the networkSummaryHash. Exit 0 ok, 2 error.
    Fetch(network::FetchArgs),
    /// AttestationVerifier (docs/spec.md §4): consumeDelegated calldata, or verifyDelegated
    /// on a node beside the off-chain check. Exit 0 accepted, 1 refused or disagreeing, 2 error.
    #[cfg(feature = "onchain")]
    #[command(subcommand)]
    Onchain(onchain::OnchainCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Verify { file, evidence } => verify::run_verify(&file, &evidence),
        Command::Audit { source, allow_empty, inputs, evidence } => {
            verify::run_audit(&source, &evidence, allow_empty, inputs.as_deref())
        }
        Command::Heartbeat(c) => heartbeat::run(&c),
        Command::Gate(a) => heartbeat::gate(&a),
        Command::Ledger(c) => ledger::run(&c),
        Command::Witness(c) => witness::run(&c),
        Command::Keygen(a) => commands::keygen(&a),
        Command::Key(c) => commands::key(&c),
        Command::TrustRoot(c) => commands::trust_root(&c),
        Command::Bundle(c) => commands::bundle(&c),
        Command::Sign(a) => commands::sign(&a),
        Command::Inspect(a) => inspect::run(&a),
        Command::Demo(a) => demo::run(&a),
        Command::Tee(c) => tee::run(&c),
        Command::Network(c) => network::run(&c),
        Command::Fetch(a) => network::fetch(&a),
        #[cfg(feature = "onchain")]
        Command::Onchain(c) => onchain::run(&c),
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("error: {}", render::esc(&e.to_string()));
            ExitCode::from(2)
        }
    }
}
