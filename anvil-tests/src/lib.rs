//! Support code of the on-chain tests (`anvil-tests/tests/*.rs`).
//!
//! Everything here talks to real tools: the contracts are compiled with
//! `foundry-compilers` through the repository's solc-js wrapper
//! (`contracts/tools/solc`), and deployed to the `anvil` binary that
//! `npm ci --prefix contracts` installs. When a tool is missing, [`tools`]
//! returns an error that says how to install it; the tests fail on it (they
//! never skip).
//!
//! The contract interface is declared once with `sol!` ([`AttestationVerifier`]);
//! [`check_abi`] compares it with the ABI the compiler produced, so the
//! selectors used to call the contract and to decode its custom errors are
//! the compiled ones.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use alloy_json_abi::JsonAbi;
use alloy_network::TransactionBuilder as _;
use alloy_node_bindings::{Anvil, AnvilInstance};
use alloy_primitives::{address, Address, Bytes, B256, U256};
use alloy_provider::{Provider as _, RootProvider};
use alloy_rpc_types_eth::{TransactionInput, TransactionReceipt, TransactionRequest};
use alloy_sol_types::{SolCall as _, SolEvent as _, SolEventInterface as _, SolInterface as _, SolValue as _};
use attest_test_vectors::Vector;
use attest_verifier::attestation::{
    check_onchain_signatures, onchain_delegation, parse_attestation_value, ExecutionAttestation,
};
use attest_verifier::eip712::{SolAttestation, SolDelegation};
use attest_verifier::trust_root::{Role, TrustRoot};
use foundry_compilers::artifacts::{BytecodeHash, EvmVersion, Optimizer, Remapping, Settings, SettingsMetadata};
use foundry_compilers::solc::{Solc, SolcCompiler, SolcSettings};
use foundry_compilers::{Artifact as _, ConfigurableArtifacts, ProjectBuilder, ProjectPathsConfig};

/// The `onchainDomain.verifyingContract` the golden vectors are signed for: the
/// first contract deployed by anvil's first account (nonce 0).
pub const VECTOR_CONTRACT: Address = address!("5FbDB2315678afecb367f032d93F642f64180aa3");
/// The `onchainDomain.chainId` of the golden vectors (anvil's default).
pub const VECTOR_CHAIN_ID: u64 = 31_337;
/// Intrinsic gas of every transaction.
pub const TX_BASE_GAS: u64 = 21_000;
/// Gas limit of transactions expected to revert (set so that no estimation runs first).
pub const REVERTING_TX_GAS: u64 = 1_000_000;
const RECEIPT_POLLS: u32 = 500;
const RECEIPT_POLL_INTERVAL: std::time::Duration = std::time::Duration::from_millis(20);

#[allow(missing_docs)]
mod bindings {
    alloy_sol_types::sol! {
        /// contracts/src/NetworkRecordProofVerifier.sol: the NetworkRecordProof library, externally.
        #[derive(Debug, PartialEq, Eq)]
        contract NetworkRecordProofVerifier {
            function leafHash(bytes calldata record) external view returns (bytes32);
            function rootFromProof(bytes32 leaf, uint256 index, uint256 treeSize, bytes32[] calldata path)
                external view returns (bool ok, bytes32 root);
            function verify(bytes calldata record, uint256 index, uint256 treeSize, bytes32[] calldata path, bytes32 root)
                external view returns (bool);
        }

        /// anvil-tests/harness/EcdsaRecoverHarness.sol: OpenZeppelin ECDSA.recover alone.
        #[derive(Debug, PartialEq, Eq)]
        contract EcdsaRecoverHarness {
            function recover(bytes32 digest, bytes calldata sig) external pure returns (address);
        }
    }
}

pub use attest_verifier::eip712::AttestationVerifier;
pub use bindings::{EcdsaRecoverHarness, NetworkRecordProofVerifier};
use AttestationVerifier::{AttestationVerifierCalls, AttestationVerifierErrors, AttestationVerifierEvents};

pub use attest_verifier::eip712::{contract_error_reason as error_reason, CODE_REASONS};

/// Decodes revert data as one of the contract's custom errors.
pub fn decode_revert(data: &[u8]) -> Result<AttestationVerifierErrors, String> {
    AttestationVerifierErrors::abi_decode(data)
        .map_err(|e| format!("revert data 0x{} is not a custom error of AttestationVerifier: {e}", hex(data)))
}

/// Lowercase hex without prefix.
pub fn hex(data: &[u8]) -> String {
    alloy_primitives::hex::encode(data)
}

// ---------------------------------------------------------------------------------- paths, tools

/// The repository root.
pub fn repo_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().map_or_else(|| here.to_path_buf(), Path::to_path_buf)
}

/// The `contracts/` directory.
pub fn contracts_dir() -> PathBuf {
    repo_root().join("contracts")
}

/// The external tools the tests run.
#[derive(Debug, Clone)]
pub struct Tools {
    /// The anvil binary of `@foundry-rs/anvil-linux-amd64`.
    pub anvil: PathBuf,
    /// The solc-js wrapper `contracts/tools/solc`.
    pub solc: PathBuf,
}

const INSTALL_HINT: &str =
    "install the contracts' npm dependencies first: `bash anvil-tests/scripts/test.sh` (or `npm ci --prefix contracts`)";

fn executable(path: &Path, what: &str) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt as _;
    let meta =
        std::fs::metadata(path).map_err(|e| format!("{what} not found at {}: {e}; {INSTALL_HINT}", path.display()))?;
    if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
        return Err(format!(
            "{what} at {} is not an executable file (run `chmod +x {}`); {INSTALL_HINT}",
            path.display(),
            path.display()
        ));
    }
    Ok(())
}

/// Locates anvil and the solc wrapper (and checks that `node` runs, which the
/// wrapper needs). The error says what is missing and how to install it.
pub fn tools() -> Result<Tools, String> {
    let contracts = contracts_dir();
    let anvil = contracts.join("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
    let solc = contracts.join("tools/solc");
    executable(&anvil, "anvil")?;
    executable(&solc, "the solc wrapper")?;
    let solc_js = contracts.join("node_modules/solc/package.json");
    if !solc_js.is_file() {
        return Err(format!("solc-js not found at {}; {INSTALL_HINT}", solc_js.display()));
    }
    match Command::new("node").arg("--version").output() {
        Ok(o) if o.status.success() => {}
        Ok(o) => return Err(format!("`node --version` failed ({}): the solc wrapper needs Node.js on PATH", o.status)),
        Err(e) => return Err(format!("cannot run `node` ({e}): the solc wrapper needs Node.js on PATH")),
    }
    Ok(Tools { anvil, solc })
}

// ---------------------------------------------------------------------------------- compilation

/// ABI and creation bytecode of one contract.
#[derive(Debug, Clone)]
pub struct ContractArtifact {
    /// The compiled ABI.
    pub abi: JsonAbi,
    /// Creation bytecode.
    pub bytecode: Bytes,
}

/// The compiled contracts.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// contracts/src/AttestationVerifier.sol.
    pub verifier: ContractArtifact,
    /// anvil-tests/harness/EcdsaRecoverHarness.sol.
    pub ecdsa_harness: ContractArtifact,
    /// contracts/src/NetworkRecordProofVerifier.sol (external harness of the `NetworkRecordProof` library).
    pub proof_verifier: ContractArtifact,
    /// `solc --version` of the wrapper, e.g. `0.8.37+commit.…`.
    pub solc_version: String,
}

/// The compiler settings of contracts/foundry.toml (checked by [`check_foundry_toml`]),
/// so that the bytecode and gas are those of `forge build`.
fn solc_settings() -> Result<SolcSettings, String> {
    let remapping: Remapping = "@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/"
        .parse()
        .map_err(|e| format!("remapping: {e}"))?;
    let settings = Settings {
        optimizer: Optimizer { enabled: Some(true), runs: Some(1_000_000), details: None },
        evm_version: Some(EvmVersion::Cancun),
        via_ir: Some(false),
        metadata: Some(SettingsMetadata {
            use_literal_content: None,
            bytecode_hash: Some(BytecodeHash::None),
            cbor_metadata: Some(false),
        }),
        remappings: vec![remapping],
        ..Settings::default()
    };
    Ok(SolcSettings { settings, cli_settings: Default::default() })
}

/// The settings of contracts/foundry.toml that [`compile`] mirrors.
pub const FOUNDRY_TOML_SETTINGS: &[&str] = &[
    "remappings = [\"@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/\"]",
    "evm_version = \"cancun\"",
    "optimizer = true",
    "optimizer_runs = 1000000",
    "via_ir = false",
    "bytecode_hash = \"none\"",
    "cbor_metadata = false",
];

/// Checks that contracts/foundry.toml still has the settings [`compile`] uses.
pub fn check_foundry_toml() -> Result<(), String> {
    let path = contracts_dir().join("foundry.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let missing: Vec<&str> =
        FOUNDRY_TOML_SETTINGS.iter().copied().filter(|s| !text.lines().any(|l| l.trim() == *s)).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} no longer has {missing:?}: update solc_settings() in anvil-tests/src/lib.rs to match",
            path.display()
        ))
    }
}

/// Compiles AttestationVerifier (and the ECDSA harness) offline with the solc-js
/// wrapper. `cache_dir` holds the foundry-compilers cache and artifacts, so that
/// unchanged sources are not recompiled (the test binaries pass their
/// `CARGO_TARGET_TMPDIR`).
pub fn compile(tools: &Tools, cache_dir: &Path) -> Result<Compiled, String> {
    let contracts = contracts_dir();
    let harness_dir = repo_root().join("anvil-tests/harness");
    let solc = Solc::new(&tools.solc).map_err(|e| format!("solc wrapper {}: {e}", tools.solc.display()))?;
    let solc_version = solc.version.to_string();
    let settings = solc_settings()?;
    let paths = ProjectPathsConfig::builder()
        .root(&contracts)
        .sources(contracts.join("src"))
        .libs([contracts.join("node_modules")])
        .remappings(settings.settings.remappings.clone())
        .allowed_path(&harness_dir)
        .artifacts(cache_dir.join("out"))
        .build_infos(cache_dir.join("out/build-info"))
        .cache(cache_dir.join("cache/solidity-files-cache.json"))
        .build()
        .map_err(|e| format!("project paths: {e}"))?;
    let project = ProjectBuilder::<SolcCompiler, ConfigurableArtifacts>::new(ConfigurableArtifacts::default())
        .paths(paths)
        .settings(settings)
        .offline()
        .build(SolcCompiler::Specific(solc))
        .map_err(|e| format!("foundry-compilers project: {e}"))?;
    let output = project
        .compile_files([
            contracts.join("src/AttestationVerifier.sol"),
            contracts.join("src/NetworkRecordProofVerifier.sol"),
            harness_dir.join("EcdsaRecoverHarness.sol"),
        ])
        .map_err(|e| format!("compiling the contracts: {e}"))?;
    if output.has_compiler_errors() {
        return Err(format!("solc reported errors:\n{output}"));
    }
    let artifact = |name: &str| -> Result<ContractArtifact, String> {
        let a = output.find_first(name).ok_or_else(|| format!("no artifact for {name}"))?;
        let abi = a.get_abi().ok_or_else(|| format!("{name}: no ABI"))?.into_owned();
        let bytecode = a.get_bytecode_bytes().ok_or_else(|| format!("{name}: no linked bytecode"))?.into_owned();
        if bytecode.is_empty() {
            return Err(format!("{name}: empty bytecode"));
        }
        Ok(ContractArtifact { abi, bytecode })
    };
    Ok(Compiled {
        verifier: artifact("AttestationVerifier")?,
        ecdsa_harness: artifact("EcdsaRecoverHarness")?,
        proof_verifier: artifact("NetworkRecordProofVerifier")?,
        solc_version,
    })
}

/// Checks the `sol!` interface against the compiled ABI: every function, error
/// and event declared in [`AttestationVerifier`] exists in the compiled ABI with
/// the same selector, and every custom error of the compiled ABI is declared
/// (so that every revert of the contract decodes).
pub fn check_abi(abi: &JsonAbi) -> Result<(), String> {
    let functions: Vec<[u8; 4]> = abi.functions().map(|f| f.selector().0).collect();
    let errors: Vec<[u8; 4]> = abi.errors().map(|e| e.selector().0).collect();
    let events: Vec<B256> = abi.events().map(|e| e.selector()).collect();
    let mut problems = Vec::new();
    for s in AttestationVerifierCalls::selectors() {
        if !functions.contains(&s) {
            problems.push(format!("function selector 0x{} is not in the compiled ABI", hex(&s)));
        }
    }
    for s in AttestationVerifierErrors::selectors() {
        if !errors.contains(&s) {
            problems.push(format!("error selector 0x{} is not in the compiled ABI", hex(&s)));
        }
    }
    for e in abi.errors() {
        if !AttestationVerifierErrors::valid_selector(e.selector().0) {
            problems.push(format!("compiled error {} is not declared in the sol! interface", e.signature()));
        }
    }
    for s in AttestationVerifierEvents::SELECTORS {
        if !events.contains(&B256::from(*s)) {
            problems.push(format!("event topic 0x{} is not in the compiled ABI", hex(s)));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

// ---------------------------------------------------------------------------------- calls

/// The four arguments of `verifyDelegated` / `consumeDelegated` / `try*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegatedCall {
    /// The attestation struct.
    pub a: AttestationVerifier::Attestation,
    /// The attestation's `onchainSignature` bytes.
    pub attestation_sig: Bytes,
    /// The delegation struct.
    pub d: AttestationVerifier::Delegation,
    /// The delegation's `onchainSignature` bytes.
    pub delegation_sig: Bytes,
}

/// The verifier crate's `SolAttestation` is the contract binding's struct.
pub fn attestation_struct(a: &SolAttestation) -> AttestationVerifier::Attestation {
    a.clone()
}

/// The verifier crate's `SolDelegation` is the contract binding's struct.
pub fn delegation_struct(d: &SolDelegation) -> AttestationVerifier::Delegation {
    d.clone()
}

/// Decodes a `0x…` signature string to bytes as they are (any length).
pub fn signature_bytes(text: &str) -> Result<Bytes, String> {
    let h = text.strip_prefix("0x").ok_or_else(|| format!("signature {text:?} has no 0x prefix"))?;
    alloy_primitives::hex::decode(h).map(Bytes::from).map_err(|e| format!("signature {text:?}: {e}"))
}

impl DelegatedCall {
    /// Builds the call from an attestation with a delegation and both on-chain signatures.
    pub fn of(att: &ExecutionAttestation) -> Result<Self, String> {
        let d = att.delegation().ok_or("the attestation has no delegation")?;
        let a_text = att.onchain_signature().ok_or("the attestation has no onchainSignature")?;
        let d_text = d.onchain_signature().ok_or("the delegation has no onchainSignature")?;
        let a = att.onchain_struct().map_err(|e| format!("attestation struct: {e}"))?;
        let ds = onchain_delegation(d).map_err(|e| format!("delegation struct: {e}"))?;
        Ok(Self {
            a: attestation_struct(&a),
            attestation_sig: signature_bytes(a_text)?,
            d: delegation_struct(&ds),
            delegation_sig: signature_bytes(d_text)?,
        })
    }

    /// `verifyDelegated(a, attestationSig, d, delegationSig)` calldata.
    pub fn verify(&self) -> Bytes {
        AttestationVerifier::verifyDelegatedCall {
            a: self.a.clone(),
            attestationSig: self.attestation_sig.clone(),
            d: self.d.clone(),
            delegationSig: self.delegation_sig.clone(),
        }
        .abi_encode()
        .into()
    }

    /// `consumeDelegated(…)` calldata.
    pub fn consume(&self) -> Bytes {
        AttestationVerifier::consumeDelegatedCall {
            a: self.a.clone(),
            attestationSig: self.attestation_sig.clone(),
            d: self.d.clone(),
            delegationSig: self.delegation_sig.clone(),
        }
        .abi_encode()
        .into()
    }

    /// `tryVerifyDelegated(…)` calldata.
    pub fn try_verify(&self) -> Bytes {
        AttestationVerifier::tryVerifyDelegatedCall {
            a: self.a.clone(),
            attestationSig: self.attestation_sig.clone(),
            d: self.d.clone(),
            delegationSig: self.delegation_sig.clone(),
        }
        .abi_encode()
        .into()
    }

    /// `tryConsumeDelegated(…)` calldata.
    pub fn try_consume(&self) -> Bytes {
        AttestationVerifier::tryConsumeDelegatedCall {
            a: self.a.clone(),
            attestationSig: self.attestation_sig.clone(),
            d: self.d.clone(),
            delegationSig: self.delegation_sig.clone(),
        }
        .abi_encode()
        .into()
    }

    /// The replay key `keccak256(bytes(executionId))`.
    pub fn execution_key(&self) -> B256 {
        alloy_primitives::keccak256(self.a.executionId.as_bytes())
    }
}

/// A verdict, contract or Rust: `accept` (with the master the contract returns)
/// or `reject:<reason>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Accepted; the delegating master.
    Accept(Address),
    /// Refused with this reason code.
    Reject(String),
}

impl Verdict {
    /// `accept` or `reject:<reason>`, the form of a vector's `onchain.expect`.
    pub fn label(&self) -> String {
        match self {
            Verdict::Accept(_) => "accept".into(),
            Verdict::Reject(r) => format!("reject:{r}"),
        }
    }
}

/// The Rust verdict: [`check_onchain_signatures`] against the newest trust root,
/// with the attestation's recomputed context hash (as `verify_attestation` calls it).
pub fn rust_verdict(att: &ExecutionAttestation, root: &TrustRoot) -> Verdict {
    match check_onchain_signatures(att, root, &att.context_hash()) {
        Ok(Some(a)) => Verdict::Accept(attest_verifier::eip712::address(&a)),
        Ok(None) => Verdict::Reject("no-onchain-signatures".into()),
        Err(e) => Verdict::Reject(e.reason().as_str().into()),
    }
}

// ---------------------------------------------------------------------------------- vectors

/// A golden vector with an `onchain` expectation, decoded.
#[derive(Debug, Clone)]
pub struct OnchainVector {
    /// The vector.
    pub vector: Vector,
    /// `onchain.expect`.
    pub expect: String,
    /// `onchain.registerMasters`.
    pub register_masters: bool,
    /// The parsed attestation.
    pub attestation: ExecutionAttestation,
    /// The newest trust root of the vector's verified chain.
    pub root: TrustRoot,
    /// The contract call built from the document.
    pub call: DelegatedCall,
}

/// The newest trust root of a vector's chain, verified as `attest verify` does.
pub fn newest_root(v: &Vector) -> Result<TrustRoot, String> {
    let chain = attest_test_vectors::run::trust_outcome(v)?.map_err(|e| format!("trust-root chain: {e}"))?;
    Ok(chain.newest().clone())
}

/// Parses an attestation document (text) with the verifier crate.
pub fn parse_attestation_text(text: &str) -> Result<ExecutionAttestation, String> {
    let value = attest_verifier::doc::parse_json(text.as_bytes()).map_err(|e| format!("document: {e}"))?;
    parse_attestation_value(&value).map_err(|e| format!("document: {e}"))
}

impl OnchainVector {
    /// Decodes a vector that has `onchain` set.
    pub fn new(v: &Vector) -> Result<Self, String> {
        let on = v.onchain.as_ref().ok_or_else(|| format!("{}: no `onchain` expectation", v.name))?;
        let text = v.document.as_deref().ok_or_else(|| format!("{}: no text document", v.name))?;
        let attestation = parse_attestation_text(text).map_err(|e| format!("{}: {e}", v.name))?;
        let root = newest_root(v).map_err(|e| format!("{}: {e}", v.name))?;
        let call = DelegatedCall::of(&attestation).map_err(|e| format!("{}: {e}", v.name))?;
        Ok(Self {
            vector: v.clone(),
            expect: on.expect.clone(),
            register_masters: on.register_masters,
            attestation,
            root,
            call,
        })
    }
}

/// Every golden vector with `onchain` set, sorted by file name.
pub fn onchain_vectors() -> Result<Vec<OnchainVector>, String> {
    attest_test_vectors::load_all()?.iter().filter(|v| v.onchain.is_some()).map(OnchainVector::new).collect()
}

/// The vector `name` (e.g. `accept/delegated-onchain`).
pub fn onchain_vector(name: &str) -> Result<OnchainVector, String> {
    onchain_vectors()?.into_iter().find(|v| v.vector.name == name).ok_or_else(|| format!("no onchain vector {name}"))
}

/// A secp256k1 `attestor-master` key of a trust root, as the contract registers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MasterEntry {
    /// Its address.
    pub address: Address,
    /// `validFrom` in Unix seconds.
    pub valid_from: u64,
    /// `validUntil` in Unix seconds, 0 when open-ended.
    pub valid_until: u64,
    /// Revoked in the trust root.
    pub revoked: bool,
}

/// The secp256k1 attestor-master keys of a trust root (times in whole seconds,
/// the fraction dropped as for every on-chain time).
pub fn trust_root_masters(root: &TrustRoot) -> Result<Vec<MasterEntry>, String> {
    root.keys()
        .iter()
        .filter(|k| k.has_role(Role::AttestorMaster))
        .filter_map(|k| k.address().map(|a| (k, a)))
        .map(|(k, a)| {
            let valid_from = k.valid_from().onchain_seconds().map_err(|e| format!("validFrom: {e}"))?;
            let valid_until = match k.valid_until() {
                None => 0,
                Some(t) => t.onchain_seconds().map_err(|e| format!("validUntil: {e}"))?,
            };
            Ok(MasterEntry {
                address: attest_verifier::eip712::address(&a),
                valid_from,
                valid_until,
                revoked: k.revoked(),
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------- node

/// A running anvil node with AttestationVerifier deployed at [`VECTOR_CONTRACT`].
/// The node is killed when this is dropped.
pub struct Chain {
    anvil: AnvilInstance,
    /// Provider over HTTP.
    pub provider: RootProvider,
    /// anvil's first account: deployer and registry owner.
    pub owner: Address,
    /// The deployed AttestationVerifier.
    pub verifier: Address,
}

/// A reverted `eth_call`: the revert data.
pub type Revert = Bytes;

impl Chain {
    /// Starts anvil on 127.0.0.1 (a free port) and deploys AttestationVerifier with
    /// owner = the first account; checks the chain id and the contract address the
    /// vectors are signed for.
    pub async fn start(compiled: &Compiled) -> Result<Self, String> {
        let tools = tools()?;
        let anvil = Anvil::new()
            .path(&tools.anvil)
            .host("127.0.0.1")
            .try_spawn()
            .map_err(|e| format!("starting anvil {}: {e}", tools.anvil.display()))?;
        let url = anvil.endpoint_url();
        if url.host_str() != Some("127.0.0.1") {
            return Err(format!("anvil endpoint {url} is not on 127.0.0.1"));
        }
        // The workspace builds reqwest with rustls and no built-in crypto
        // provider (the CLI passes its own TLS configuration); a default
        // client needs a process-wide one, so install ring (once).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let provider = RootProvider::new_http(url);
        let owner = *anvil.addresses().first().ok_or("anvil reported no accounts")?;
        let chain_id = provider.get_chain_id().await.map_err(|e| format!("eth_chainId: {e}"))?;
        if chain_id != VECTOR_CHAIN_ID {
            return Err(format!("anvil chain id {chain_id}, the vectors need {VECTOR_CHAIN_ID}"));
        }
        let mut chain = Self { anvil, provider, owner, verifier: Address::ZERO };
        let mut code = compiled.verifier.bytecode.to_vec();
        code.extend_from_slice(&owner.abi_encode());
        chain.verifier = chain.deploy(code.into()).await?;
        if chain.verifier != VECTOR_CONTRACT {
            return Err(format!(
                "AttestationVerifier deployed at {}, the vectors are signed for {VECTOR_CONTRACT}",
                chain.verifier
            ));
        }
        Ok(chain)
    }

    /// The HTTP endpoint, `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        self.anvil.endpoint()
    }

    /// anvil's accounts.
    pub fn accounts(&self) -> &[Address] {
        self.anvil.addresses()
    }

    /// Deploys creation code from the owner; returns the contract address.
    pub async fn deploy(&self, code: Bytes) -> Result<Address, String> {
        let tx = TransactionRequest::default().from(self.owner).with_deploy_code(code);
        let receipt = self.send_request(tx).await?;
        if !receipt.status() {
            return Err("deployment reverted".into());
        }
        receipt.contract_address.ok_or_else(|| "deployment receipt has no contract address".into())
    }

    async fn send_request(&self, tx: TransactionRequest) -> Result<TransactionReceipt, String> {
        let pending = self.provider.send_transaction(tx).await.map_err(|e| format!("eth_sendTransaction: {e}"))?;
        self.receipt(*pending.tx_hash()).await
    }

    /// Waits for the receipt of a transaction (anvil mines it on arrival, but the
    /// receipt may appear a moment after the hash is returned).
    pub async fn receipt(&self, hash: B256) -> Result<TransactionReceipt, String> {
        for _ in 0..RECEIPT_POLLS {
            if let Some(r) = self
                .provider
                .get_transaction_receipt(hash)
                .await
                .map_err(|e| format!("eth_getTransactionReceipt: {e}"))?
            {
                return Ok(r);
            }
            tokio::time::sleep(RECEIPT_POLL_INTERVAL).await;
        }
        Err(format!("no receipt for {hash} after {:?}", RECEIPT_POLL_INTERVAL * RECEIPT_POLLS))
    }

    /// Sends a transaction with eth_sendTransaction from `from` (an unlocked anvil
    /// account); `gas = None` lets the node estimate it (which fails on a revert).
    pub async fn send_from(
        &self,
        from: Address,
        to: Address,
        data: Bytes,
        gas: Option<u64>,
    ) -> Result<TransactionReceipt, String> {
        let mut tx = TransactionRequest::default().from(from).to(to).input(TransactionInput::new(data));
        if let Some(g) = gas {
            tx = tx.gas_limit(g);
        }
        self.send_request(tx).await
    }

    /// Sends a transaction from the owner.
    pub async fn send(&self, to: Address, data: Bytes, gas: Option<u64>) -> Result<TransactionReceipt, String> {
        self.send_from(self.owner, to, data, gas).await
    }

    /// Sends a raw signed transaction (eth_sendRawTransaction).
    pub async fn send_raw(&self, raw: &[u8]) -> Result<TransactionReceipt, String> {
        let pending =
            self.provider.send_raw_transaction(raw).await.map_err(|e| format!("eth_sendRawTransaction: {e}"))?;
        self.receipt(*pending.tx_hash()).await
    }

    /// Signs a transaction from the owner with its private key (anvil's first key)
    /// and sends it with eth_sendRawTransaction, as a wallet would.
    pub async fn sign_and_send_raw(&self, to: Address, data: Bytes, gas: u64) -> Result<TransactionReceipt, String> {
        use alloy_network::eip2718::Encodable2718 as _;
        let wallet = self.anvil.wallet().ok_or("anvil reported no private keys")?;
        let nonce = self
            .provider
            .get_transaction_count(self.owner)
            .await
            .map_err(|e| format!("eth_getTransactionCount: {e}"))?;
        let tx = TransactionRequest::default()
            .with_from(self.owner)
            .with_to(to)
            .with_input(data)
            .with_nonce(nonce)
            .with_chain_id(VECTOR_CHAIN_ID)
            .with_gas_limit(gas)
            .with_max_fee_per_gas(100_000_000_000)
            .with_max_priority_fee_per_gas(1_000_000_000);
        let envelope =
            <TransactionRequest as alloy_network::NetworkTransactionBuilder<alloy_network::Ethereum>>::build(
                tx, &wallet,
            )
            .await
            .map_err(|e| format!("signing: {e}"))?;
        self.send_raw(&envelope.encoded_2718()).await
    }

    /// `eth_call` from the owner: `Ok(Ok(return data))`, `Ok(Err(revert data))`,
    /// or `Err` for a transport / node error that is not a revert.
    pub async fn call(&self, to: Address, data: Bytes) -> Result<Result<Bytes, Revert>, String> {
        let tx = TransactionRequest::default().from(self.owner).to(to).input(TransactionInput::new(data));
        match self.provider.call(tx).await {
            Ok(ret) => Ok(Ok(ret)),
            Err(e) => match e.as_error_resp().and_then(|p| p.as_revert_data()) {
                Some(data) => Ok(Err(data)),
                None => Err(format!("eth_call: {e}")),
            },
        }
    }

    /// `eth_estimateGas` from the owner.
    pub async fn estimate(&self, to: Address, data: Bytes) -> Result<u64, String> {
        let tx = TransactionRequest::default().from(self.owner).to(to).input(TransactionInput::new(data));
        self.provider.estimate_gas(tx).await.map_err(|e| format!("eth_estimateGas: {e}"))
    }

    /// `evm_snapshot`: an id for [`Chain::revert_to`].
    pub async fn snapshot(&self) -> Result<U256, String> {
        self.provider.raw_request("evm_snapshot".into(), ()).await.map_err(|e| format!("evm_snapshot: {e}"))
    }

    /// `evm_revert` to a snapshot (which anvil then forgets).
    pub async fn revert_to(&self, id: U256) -> Result<(), String> {
        let ok: bool =
            self.provider.raw_request("evm_revert".into(), (id,)).await.map_err(|e| format!("evm_revert: {e}"))?;
        if ok {
            Ok(())
        } else {
            Err(format!("evm_revert({id}) returned false"))
        }
    }

    /// `setMaster` from the owner; fails unless the transaction succeeds.
    pub async fn set_master(&self, m: Address, from: u64, until: u64) -> Result<TransactionReceipt, String> {
        let data = AttestationVerifier::setMasterCall { master: m, validFrom: from, validUntil: until }.abi_encode();
        let r = self.send(self.verifier, data.into(), None).await?;
        if !r.status() {
            return Err(format!("setMaster({m}, {from}, {until}) reverted"));
        }
        Ok(r)
    }

    /// `revokeMaster` from the owner; fails unless the transaction succeeds.
    pub async fn revoke_master(&self, m: Address) -> Result<TransactionReceipt, String> {
        let data = AttestationVerifier::revokeMasterCall { master: m }.abi_encode();
        let r = self.send(self.verifier, data.into(), None).await?;
        if !r.status() {
            return Err(format!("revokeMaster({m}) reverted"));
        }
        Ok(r)
    }

    /// Registers the masters of a trust root: `setMaster` for each, then
    /// `revokeMaster` for the revoked ones.
    pub async fn register_masters(&self, masters: &[MasterEntry]) -> Result<(), String> {
        for m in masters {
            self.set_master(m.address, m.valid_from, m.valid_until).await?;
        }
        for m in masters.iter().filter(|m| m.revoked) {
            self.revoke_master(m.address).await?;
        }
        Ok(())
    }

    /// `verifyDelegated` by eth_call, as a verdict (revert data decoded to the custom error).
    pub async fn verify_delegated(&self, c: &DelegatedCall) -> Result<Verdict, String> {
        self.master_call::<AttestationVerifier::verifyDelegatedCall>(c.verify(), "verifyDelegated").await
    }

    /// `consumeDelegated` by eth_call (a simulation on the current state).
    pub async fn simulate_consume(&self, c: &DelegatedCall) -> Result<Verdict, String> {
        self.master_call::<AttestationVerifier::consumeDelegatedCall>(c.consume(), "consumeDelegated").await
    }

    /// An eth_call of a function returning the master address, as a verdict.
    async fn master_call<C: alloy_sol_types::SolCall<Return = Address>>(
        &self,
        data: Bytes,
        name: &str,
    ) -> Result<Verdict, String> {
        match self.call(self.verifier, data).await? {
            Ok(ret) => {
                let master = C::abi_decode_returns(&ret).map_err(|e| format!("{name} return data: {e}"))?;
                Ok(Verdict::Accept(master))
            }
            Err(data) => revert_verdict(&data),
        }
    }

    /// `tryVerifyDelegated` by eth_call: `(code, master)`.
    pub async fn try_verify_delegated(&self, c: &DelegatedCall) -> Result<(u8, Address), String> {
        match self.call(self.verifier, c.try_verify()).await? {
            Ok(ret) => {
                let r = AttestationVerifier::tryVerifyDelegatedCall::abi_decode_returns(&ret)
                    .map_err(|e| format!("tryVerifyDelegated return data: {e}"))?;
                Ok((r.code, r.master))
            }
            Err(data) => Err(format!("tryVerifyDelegated reverted: 0x{}", hex(&data))),
        }
    }
}

/// The verdict of revert data: the custom error's reason.
pub fn revert_verdict(data: &[u8]) -> Result<Verdict, String> {
    let e = decode_revert(data)?;
    match error_reason(&e) {
        Some(r) => Ok(Verdict::Reject(r.into())),
        None => Err(format!("reverted with a non-verification error {e:?}")),
    }
}

/// The verdict of a `tryVerifyDelegated` result.
pub fn code_verdict(code: u8, master: Address) -> Result<Verdict, String> {
    match code {
        0 => Ok(Verdict::Accept(master)),
        c => CODE_REASONS
            .get(usize::from(c))
            .map(|r| Verdict::Reject((*r).into()))
            .ok_or_else(|| format!("unknown result code {c}")),
    }
}

/// The events of a receipt that the contract emitted, decoded.
pub fn verifier_events(
    receipt: &TransactionReceipt,
    verifier: Address,
) -> Result<Vec<AttestationVerifierEvents>, String> {
    receipt
        .inner
        .logs()
        .iter()
        .filter(|l| l.address() == verifier)
        .map(|l| {
            AttestationVerifierEvents::decode_log(&l.inner).map(|d| d.data).map_err(|e| format!("undecodable log: {e}"))
        })
        .collect()
}

/// The `Consumed` event's topic.
pub fn consumed_topic() -> B256 {
    AttestationVerifier::Consumed::SIGNATURE_HASH
}

// ---------------------------------------------------------------------------------- gas

/// Calldata gas: 4 per zero byte, 16 per non-zero byte (EIP-2028).
pub fn calldata_gas(data: &[u8]) -> u64 {
    data.iter().map(|&b| if b == 0 { 4 } else { 16 }).sum()
}

/// EIP-7623 floor of a transaction's gas (Prague): 21,000 + 10 per calldata token
/// (a zero byte is 1 token, a non-zero byte 4). A receipt's gasUsed is at least this.
pub fn calldata_floor_gas(data: &[u8]) -> u64 {
    TX_BASE_GAS + data.iter().map(|&b| if b == 0 { 10 } else { 40 }).sum::<u64>()
}

/// Execution gas of a top-level call: total − 21,000 − calldata gas.
pub fn execution_gas(total: u64, data: &[u8]) -> Result<u64, String> {
    total
        .checked_sub(TX_BASE_GAS + calldata_gas(data))
        .ok_or_else(|| format!("total gas {total} is below 21,000 + calldata gas {}", calldata_gas(data)))
}
