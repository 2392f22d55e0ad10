//! `attest onchain`: a delegated attestation as `AttestationVerifier` sees it
//! (docs/spec.md §4; contracts/src/AttestationVerifier.sol).
//!
//! - `calldata` prints the ABI-encoded `consumeDelegated(a, attestationSig, d,
//!   delegationSig)` call, to be sent by any wallet or `cast send`.
//! - `verify` calls `verifyDelegated` on a node with `eth_call` (JSON-RPC over
//!   http:// or https://; TLS is the CLI's rustls configuration, `crate::tls`,
//!   with `--ca-cert` for a private CA) and prints the node's verdict (the
//!   master it returns, or the decoded custom error with its result code and
//!   reason) beside the off-chain verdict of `check_onchain_signatures` when a
//!   trust root is given.
//!
//! Exit codes: 0 the node accepts (and the off-chain check agrees, when given);
//! 1 the node refuses, or the two disagree; 2 usage, file, document or RPC errors.

use std::path::{Path, PathBuf};
use std::time::Duration;

use alloy_primitives::{Address, Bytes};
use alloy_provider::{Provider as _, RootProvider};
use alloy_rpc_types_eth::{TransactionInput, TransactionRequest};
use alloy_sol_types::{SolCall as _, SolInterface as _};
use attest_verifier::attestation::{
    check_onchain_signatures, onchain_delegation, parse_attestation, ExecutionAttestation,
};
use attest_verifier::trust_root::ChainOptions;
use clap::{Args, Subcommand};

use crate::io::{read_document, CliError};
use crate::render::esc;
use crate::verify::{parse_now, verify_chain};

/// How long `onchain verify` waits for the node (all requests together).
const RPC_TIMEOUT: Duration = Duration::from_secs(30);

use attest_verifier::eip712::{AttestationVerifier as contract, ContractError};

/// `attest onchain …`.
#[derive(Debug, Subcommand)]
pub enum OnchainCommand {
    /// Print the ABI-encoded consumeDelegated(a, attestationSig, d, delegationSig)
    /// calldata (0x-hex) of a delegated attestation with on-chain signatures.
    Calldata {
        /// The execution attestation.
        attestation: PathBuf,
    },
    /// Call verifyDelegated on a node (eth_call) and print its verdict beside the
    /// off-chain check of the on-chain signatures. Exit 0 accepted (and agreed),
    /// 1 refused or disagreeing, 2 could not check.
    Verify(VerifyArgs),
}

/// `attest onchain verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The execution attestation.
    pub attestation: PathBuf,
    /// JSON-RPC endpoint of the node: http:// (e.g. http://127.0.0.1:8545) or https://.
    #[arg(long, value_name = "URL")]
    pub rpc: String,
    /// Additional trusted root certificate(s) for an https:// endpoint, PEM (repeatable).
    #[arg(long = "ca-cert", value_name = "PEM")]
    pub ca_certs: Vec<PathBuf>,
    /// Address of the deployed AttestationVerifier.
    #[arg(long, value_name = "ADDR")]
    pub contract: String,
    /// Trust root for the off-chain verdict; repeat to give a rotation chain, oldest first.
    #[arg(long = "trust-root", value_name = "FILE", requires = "root_keys")]
    pub trust_roots: Vec<PathBuf>,
    /// File of pinned root keys (one lowercase hex Ed25519 key per line).
    #[arg(long = "root-key", value_name = "FILE", requires = "trust_roots")]
    pub root_keys: Vec<PathBuf>,
    /// Verification time of the trust-root chain (RFC 3339 UTC); default: the system clock.
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// Refuse a newest trust root below this version (rollback protection).
    #[arg(long = "min-trust-root-version", value_name = "N")]
    pub min_trust_root_version: Option<u64>,
}

/// Runs `attest onchain …`.
pub fn run(c: &OnchainCommand) -> Result<i32, CliError> {
    match c {
        OnchainCommand::Calldata { attestation } => {
            let (_, call) = load(attestation)?;
            println!("0x{}", alloy_primitives::hex::encode(call.consume()));
            Ok(0)
        }
        OnchainCommand::Verify(a) => verify(a),
    }
}

/// The four arguments of verifyDelegated / consumeDelegated.
struct DelegatedCall {
    a: contract::Attestation,
    attestation_sig: Bytes,
    d: contract::Delegation,
    delegation_sig: Bytes,
}

impl DelegatedCall {
    fn verify(&self) -> Vec<u8> {
        contract::verifyDelegatedCall {
            a: self.a.clone(),
            attestationSig: self.attestation_sig.clone(),
            d: self.d.clone(),
            delegationSig: self.delegation_sig.clone(),
        }
        .abi_encode()
    }

    fn consume(&self) -> Vec<u8> {
        contract::consumeDelegatedCall {
            a: self.a.clone(),
            attestationSig: self.attestation_sig.clone(),
            d: self.d.clone(),
            delegationSig: self.delegation_sig.clone(),
        }
        .abi_encode()
    }
}

fn signature_bytes(text: &str, what: &str) -> Result<Bytes, CliError> {
    text.strip_prefix("0x")
        .and_then(|h| alloy_primitives::hex::decode(h).ok())
        .map(Bytes::from)
        .ok_or_else(|| CliError::new(format!("{what} {text:?} is not 0x-prefixed hex")))
}

/// Reads an attestation and builds the contract call from it.
fn load(path: &Path) -> Result<(ExecutionAttestation, DelegatedCall), CliError> {
    let bytes = read_document(path, "attestation")?;
    let att = parse_attestation(&bytes).map_err(|e| CliError::new(format!("attestation {}: {e}", path.display())))?;
    let name = path.display();
    let d = att.delegation().ok_or_else(|| {
        CliError::new(format!(
            "attestation {name} has no delegation: AttestationVerifier verifies delegated attestations only"
        ))
    })?;
    let d_text = d
        .onchain_signature()
        .ok_or_else(|| CliError::new(format!("attestation {name}: the delegation has no onchainSignature")))?;
    let a_text =
        att.onchain_signature().ok_or_else(|| CliError::new(format!("attestation {name} has no onchainSignature")))?;
    let a = att.onchain_struct().map_err(|e| CliError::new(format!("attestation {name}: issuedAt: {e}")))?;
    let ds = onchain_delegation(d).map_err(|e| CliError::new(format!("attestation {name}: delegation window: {e}")))?;
    let call = DelegatedCall {
        a: contract::Attestation {
            executionId: a.executionId,
            payloadHash: a.payloadHash,
            contextHash: a.contextHash,
            bundleHash: a.bundleHash,
            runtimeHash: a.runtimeHash,
            outputHash: a.outputHash,
            networkSummaryHash: a.networkSummaryHash,
            issuedAt: a.issuedAt,
        },
        attestation_sig: signature_bytes(a_text, "onchainSignature")?,
        d: contract::Delegation {
            ephemeral: ds.ephemeral,
            contextHash: ds.contextHash,
            notBefore: ds.notBefore,
            notAfter: ds.notAfter,
        },
        delegation_sig: signature_bytes(d_text, "delegation.onchainSignature")?,
    };
    Ok((att, call))
}

/// Parses an address: all-lowercase (or all-uppercase) hex, or a valid EIP-55 checksum.
fn parse_address(s: &str) -> Result<Address, CliError> {
    let bad = || CliError::new(format!("--contract {s:?} is not a 0x-prefixed 20-byte address"));
    let hex = s.strip_prefix("0x").ok_or_else(bad)?;
    if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let mixed = hex.bytes().any(|b| b.is_ascii_lowercase()) && hex.bytes().any(|b| b.is_ascii_uppercase());
    if mixed {
        Address::parse_checksummed(s, None)
            .map_err(|_| CliError::new(format!("--contract {s:?} has an invalid EIP-55 checksum")))
    } else {
        s.parse().map_err(|_| bad())
    }
}

/// A verdict: accept with the master, or reject with a reason code and a description.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Accept(Address),
    Reject { reason: String, detail: String },
}

/// The result code and reason of a custom error (table of AttestVerifierLib.sol),
/// and a description with its arguments.
fn describe(e: &ContractError) -> (u8, &'static str, String) {
    let reason = attest_verifier::eip712::contract_error_reason(e).unwrap_or("not-a-verification-error");
    let code = attest_verifier::eip712::CODE_REASONS.iter().position(|r| *r == reason).unwrap_or(0);
    (code as u8, reason, format!("{e:?}"))
}

/// The node's answer.
struct NodeAnswer {
    chain_id: u64,
    verdict: Verdict,
}

async fn ask_node(
    provider: RootProvider,
    rpc: &str,
    contract: Address,
    calldata: Vec<u8>,
) -> Result<NodeAnswer, CliError> {
    // The whole cause chain: reqwest's own message hides e.g. the TLS error.
    let rpc_err = |what: &str, e: &dyn std::error::Error| {
        let mut msg = format!("RPC {rpc}: {what}: {e}");
        let mut cause = e.source();
        while let Some(c) = cause {
            let text = c.to_string();
            if !msg.contains(&text) {
                msg.push_str(": ");
                msg.push_str(&text);
            }
            cause = c.source();
        }
        CliError::new(msg)
    };
    let chain_id = provider.get_chain_id().await.map_err(|e| rpc_err("eth_chainId", &e))?;
    let code = provider.get_code_at(contract).await.map_err(|e| rpc_err("eth_getCode", &e))?;
    if code.is_empty() {
        return Err(CliError::new(format!("no contract code at {contract} on chain {chain_id} ({rpc})")));
    }
    let tx = TransactionRequest::default().to(contract).input(TransactionInput::new(calldata.into()));
    let verdict = match provider.call(tx).await {
        Ok(ret) => {
            let master = contract::verifyDelegatedCall::abi_decode_returns(&ret).map_err(|e| {
                CliError::new(format!(
                    "{contract} returned 0x{} to verifyDelegated, not an address ({e}): is it an AttestationVerifier?",
                    alloy_primitives::hex::encode(&ret)
                ))
            })?;
            Verdict::Accept(master)
        }
        Err(e) => match e.as_error_resp().and_then(|p| p.as_revert_data()) {
            Some(data) => match ContractError::abi_decode(&data) {
                Ok(err) => {
                    let (code, reason, detail) = describe(&err);
                    Verdict::Reject { reason: reason.into(), detail: format!("{detail}, code {code}") }
                }
                Err(_) => Verdict::Reject {
                    reason: "unknown-revert".into(),
                    detail: format!(
                        "reverted with data 0x{} that is no AttestationVerifier error",
                        alloy_primitives::hex::encode(&data)
                    ),
                },
            },
            None => return Err(rpc_err("eth_call", &e)),
        },
    };
    Ok(NodeAnswer { chain_id, verdict })
}

/// A provider for `rpc` (http:// or https://) over reqwest with the CLI's TLS configuration.
fn provider(rpc: &str, ca_certs: &[PathBuf]) -> Result<RootProvider, CliError> {
    let url = reqwest::Url::parse(rpc).map_err(|e| CliError::new(format!("--rpc {rpc:?}: not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(CliError::new(format!("--rpc {rpc:?}: expected an http:// or https:// JSON-RPC endpoint")));
    }
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured(crate::tls::client_config(ca_certs)?)
        // A JSON-RPC endpoint does not redirect; following one could move an
        // https:// call to plain http.
        .redirect(reqwest::redirect::Policy::none())
        .timeout(RPC_TIMEOUT)
        .build()
        .map_err(|e| CliError::new(format!("cannot build the HTTP client: {e}")))?;
    Ok(alloy_provider::ProviderBuilder::default().connect_reqwest(client, url))
}

fn node_verdict(rpc: &str, ca_certs: &[PathBuf], contract: Address, calldata: Vec<u8>) -> Result<NodeAnswer, CliError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| CliError::new(format!("cannot start the async runtime: {e}")))?;
    rt.block_on(async {
        let provider = provider(rpc, ca_certs)?;
        tokio::time::timeout(RPC_TIMEOUT, ask_node(provider, rpc, contract, calldata))
            .await
            .map_err(|_| CliError::new(format!("RPC {rpc}: no answer within {} s", RPC_TIMEOUT.as_secs())))?
    })
}

/// The off-chain verdict: the trust-root chain, then `check_onchain_signatures`.
fn offchain_verdict(a: &VerifyArgs, att: &ExecutionAttestation) -> Result<Option<Verdict>, CliError> {
    if a.trust_roots.is_empty() {
        return Ok(None);
    }
    let now = parse_now(a.now.as_deref())?;
    let pinned = crate::verify::read_pinned_keys(&a.root_keys)?;
    let docs = crate::verify::read_trust_roots(&a.trust_roots)?;
    let opts = ChainOptions { now, min_version: a.min_trust_root_version };
    let chain = match verify_chain(&docs, &a.trust_roots, &pinned, &opts) {
        Ok(c) => c,
        Err(e) => {
            return Ok(Some(Verdict::Reject {
                reason: e.reason().as_str().into(),
                detail: format!("trust root not trusted: {e}"),
            }))
        }
    };
    Ok(Some(match check_onchain_signatures(att, chain.newest(), &att.context_hash()) {
        Ok(Some(master)) => Verdict::Accept(Address::from(*master.as_bytes())),
        Ok(None) => Verdict::Reject { reason: "no-onchain-signatures".into(), detail: "no on-chain signatures".into() },
        Err(e) => Verdict::Reject { reason: e.reason().as_str().into(), detail: e.to_string() },
    }))
}

fn show(v: &Verdict) -> String {
    match v {
        Verdict::Accept(m) => format!("accept: master {m}"),
        Verdict::Reject { reason, detail } => format!("reject: {reason} ({detail})"),
    }
}

fn verify(a: &VerifyArgs) -> Result<i32, CliError> {
    let contract = parse_address(&a.contract)?;
    let (att, call) = load(&a.attestation)?;
    let offchain = offchain_verdict(a, &att)?;
    let node = node_verdict(&a.rpc, &a.ca_certs, contract, call.verify())?;

    println!("attestation  {} (executionId {:?})", esc(&a.attestation.display().to_string()), att.execution_id());
    println!("contract     {contract} on chain {} via {}", node.chain_id, a.rpc);
    if let Some(d) = att.onchain_domain() {
        let signed_for = Address::from(*d.verifying_contract.as_bytes());
        if signed_for != contract || d.chain_id != node.chain_id {
            println!("note         the signatures are for contract {signed_for} on chain {}, not this one", d.chain_id);
        }
    }
    println!("node         {}", esc(&show(&node.verdict)));
    let agree = match &offchain {
        None => {
            println!("off-chain    not checked (no --trust-root given)");
            true
        }
        Some(v) => {
            println!("off-chain    {}", esc(&show(v)));
            match (v, &node.verdict) {
                (Verdict::Accept(x), Verdict::Accept(y)) => x == y,
                (Verdict::Reject { reason: x, .. }, Verdict::Reject { reason: y, .. }) => x == y,
                _ => false,
            }
        }
    };
    let accepted = matches!(node.verdict, Verdict::Accept(_));
    let result = match (accepted, agree, offchain.is_some()) {
        (true, true, true) => "accept (node and off-chain agree)",
        (true, true, false) => "accept (node only)",
        (false, true, true) => "reject (node and off-chain agree)",
        (false, true, false) => "reject (node only)",
        (true, false, _) => "DISAGREE: the node accepts, the off-chain check does not",
        (false, false, _) => "DISAGREE: the node rejects, the off-chain check differs",
    };
    println!("result       {result}");
    Ok(if accepted && agree { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_need_a_valid_checksum_when_mixed_case() {
        let ok = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
        assert!(parse_address(ok).is_ok());
        assert!(parse_address(&ok.to_ascii_lowercase()).is_ok());
        assert!(parse_address("0x5FbDB2315678afecb367f032d93F642f64180aA3").is_err());
        assert!(parse_address("5FbDB2315678afecb367f032d93F642f64180aa3").is_err());
        assert!(parse_address("0x5FbDB2315678afecb367f032d93F642f64180aa").is_err());
    }

    #[test]
    fn every_contract_error_has_its_table_code() {
        use attest_verifier::eip712::AttestationVerifier as C;
        let z = Address::ZERO;
        let errors = [
            ContractError::SignatureEncoding(C::SignatureEncoding {}),
            ContractError::HighS(C::HighS {}),
            ContractError::InvalidSignature(C::InvalidSignature {}),
            ContractError::MasterUntrusted(C::MasterUntrusted { master: z }),
            ContractError::MasterRevoked(C::MasterRevoked { master: z }),
            ContractError::MasterOutsideWindow(C::MasterOutsideWindow {
                master: z,
                issuedAt: 1,
                validFrom: 2,
                validUntil: 3,
            }),
            ContractError::ContextMismatch(C::ContextMismatch {
                expected: Default::default(),
                actual: Default::default(),
            }),
            ContractError::DelegationWindow(C::DelegationWindow { issuedAt: 1, notBefore: 2, notAfter: 3 }),
            ContractError::WrongSigner(C::WrongSigner { expected: z, recovered: z }),
            ContractError::AlreadyConsumed(C::AlreadyConsumed { key: Default::default() }),
        ];
        let codes: Vec<u8> = errors.iter().map(|e| describe(e).0).collect();
        assert_eq!(codes, (1..=10).collect::<Vec<u8>>());
        for e in &errors {
            // Round trip through the revert bytes the node returns.
            assert_eq!(&ContractError::abi_decode(&e.abi_encode()).ok(), &Some(e.clone()));
        }
    }
}
