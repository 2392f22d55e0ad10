//! A complete, deterministic example world: keys, a trust root, a policy
//! bundle, signals, output and attestations. Used by `attest demo`, the
//! golden-vector generator, benchmarks and tests, so that they all exercise
//! the same documents.
//!
//! Secrets are `SHA-256("attest.scenario.<seed>.<role>")`: public, fixed,
//! and for examples only.

use attest_json::Value;
use attest_verifier::crypto::sha256;
use attest_verifier::eip712::OnchainDomain;
use attest_verifier::trust_root::Role;
use attest_verifier::types::{EthAddress, Sha256Digest};
use attest_verifier::Timestamp;

use crate::attestation::{AttestationDraft, SignError};
use crate::bundle::{sign_manifest, BundleInfo};
use crate::keys::MasterSecret;
use crate::trust_root::{KeyMaterial, KeySpec, RuntimeSpec, TrustRootDraft};

/// Fixed times of the scenario.
pub mod times {
    /// Trust root issue time and key validity start.
    pub const ROOT_ISSUED: &str = "2026-11-01T00:00:00Z";
    /// Trust root expiry.
    pub const ROOT_EXPIRES: &str = "2027-11-01T00:00:00Z";
    /// Bundle creation.
    pub const BUNDLE_CREATED: &str = "2026-11-10T09:30:00Z";
    /// Attestation issue time.
    pub const ISSUED: &str = "2026-11-21T10:00:00Z";
    /// Delegation window end.
    pub const DELEGATION_END: &str = "2026-11-21T11:00:00Z";
    /// Verification time.
    pub const NOW: &str = "2026-11-21T12:00:00Z";
}

/// Parses one of the fixed times.
pub fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap_or(Timestamp::from_unix(0, 0))
}

/// The example world.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Root key secret.
    pub root: MasterSecret,
    /// Bundle-signing secret.
    pub bundle_key: MasterSecret,
    /// Runtime secret (direct signing).
    pub runtime: MasterSecret,
    /// Attestor master secret (delegated signing).
    pub master: MasterSecret,
    /// Trust root version 1.
    pub trust_root: Value,
    /// Bundle files (without the manifest).
    pub bundle_files: Vec<(String, Vec<u8>)>,
    /// Signed manifest.
    pub manifest: Value,
    /// Signals.
    pub signals: Value,
    /// Raw output bytes.
    pub output: Vec<u8>,
    /// On-chain domain (anvil's chain id and the first contract address of its first account).
    pub onchain_domain: OnchainDomain,
    /// Runtime version listed in the trust root.
    pub runtime_version: String,
    /// Runtime hash.
    pub runtime_hash: Sha256Digest,
    /// Release manifest hash.
    pub release_manifest_hash: Sha256Digest,
}

/// A key entry of the example worlds: one role, valid from `issued`, open-ended.
fn key_spec(key: KeyMaterial, role: Role, label: &str, issued: Timestamp) -> KeySpec {
    KeySpec { key, roles: vec![role], valid_from: issued, valid_until: None, label: Some(label.to_string()) }
}

fn secret(seed: &str, role: &str) -> MasterSecret {
    MasterSecret::from_bytes(*sha256(format!("attest.scenario.{seed}.{role}").as_bytes()).as_bytes())
}

/// The contract address anvil gives the first deployment of its first default account.
pub const ANVIL_FIRST_CONTRACT: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

impl Scenario {
    /// Builds the world for a seed.
    pub fn new(seed: &str) -> Result<Self, SignError> {
        let root = secret(seed, "root");
        let bundle_key = secret(seed, "bundle");
        let runtime = secret(seed, "runtime");
        let master = secret(seed, "master");
        let runtime_hash = sha256(format!("runtime binary {seed}").as_bytes());
        let release_manifest_hash = sha256(format!("release manifest {seed}").as_bytes());
        let runtime_version = "1.4.0".to_string();
        let issued = t(times::ROOT_ISSUED);
        let mut draft = TrustRootDraft::first(issued, t(times::ROOT_EXPIRES), 1);
        let spec = |key: KeyMaterial, role: Role, label: &str| key_spec(key, role, label, issued);
        let keys = [
            spec(KeyMaterial::ed25519(&root.master_ed25519()), Role::Root, "root 2026"),
            spec(KeyMaterial::ed25519(&bundle_key.master_ed25519()), Role::BundleSigning, "bundle signing"),
            spec(KeyMaterial::ed25519(&runtime.master_ed25519()), Role::Runtime, "runtime"),
            spec(KeyMaterial::secp256k1(&runtime.master_secp256k1()?), Role::Runtime, "runtime on-chain"),
            spec(KeyMaterial::ed25519(&master.master_ed25519()), Role::AttestorMaster, "attestor master"),
            spec(KeyMaterial::secp256k1(&master.master_secp256k1()?), Role::AttestorMaster, "attestor master on-chain"),
        ];
        for k in &keys {
            // Distinct keys by construction.
            let _ = draft.add_key(k);
        }
        draft.add_runtime(&RuntimeSpec {
            runtime_version: runtime_version.clone(),
            runtime_hash,
            release_manifest_hash,
        });
        let trust_root = draft.sign(&[&root.master_ed25519()]);
        let bundle_files = vec![
            (
                "policy.json".to_string(),
                br#"{"rules":[{"if":{"signal":"credit_score","gte":700},"then":"approve"},{"else":"manual_review"}]}"#
                    .to_vec(),
            ),
            (
                "schema/signals.schema.json".to_string(),
                br#"{"type":"object","required":["credit_score","amount"]}"#.to_vec(),
            ),
        ];
        let info = BundleInfo {
            policy_id: "loan-approval".into(),
            policy_version: "1.0.0".into(),
            schema_version: "1.0.0".into(),
            created_at: t(times::BUNDLE_CREATED),
        };
        let manifest = sign_manifest(&info, &bundle_files, &bundle_key.master_ed25519())?;
        let signals = attest_verifier::doc::parse_json(
            br#"{"amount":25000,"applicant":"A-1029","credit_score":742,"ratio":0.31}"#,
        )?;
        let output = br#"{"decision":"approve","limit":25000}"#.to_vec();
        let onchain_domain = OnchainDomain {
            chain_id: 31337,
            verifying_contract: EthAddress::from_checksummed(ANVIL_FIRST_CONTRACT).unwrap_or(EthAddress::ZERO),
        };
        Ok(Self {
            root,
            bundle_key,
            runtime,
            master,
            trust_root,
            bundle_files,
            manifest,
            signals,
            output,
            onchain_domain,
            runtime_version,
            runtime_hash,
            release_manifest_hash,
        })
    }

    /// The parsed manifest.
    pub fn parsed_manifest(&self) -> Result<attest_verifier::bundle::BundleManifest, SignError> {
        Ok(attest_verifier::bundle::parse_bundle_manifest_value(&self.manifest)?)
    }

    /// An attestation draft for an execution id, bound to the bundle and the output.
    pub fn draft(&self, execution_id: &str) -> Result<AttestationDraft, SignError> {
        let mut d = AttestationDraft {
            execution_id: execution_id.to_string(),
            policy_id: String::new(),
            policy_version: String::new(),
            schema_version: String::new(),
            runtime_version: self.runtime_version.clone(),
            runtime_hash: self.runtime_hash,
            release_manifest_hash: self.release_manifest_hash,
            evaluator_semantic_hash: sha256(b"evaluator semantics v3"),
            evaluator_artifact_hash: sha256(b"evaluator artifact v3.2.1"),
            action: "approve".into(),
            requires_override: false,
            reason: "credit_score >= 700".into(),
            execution_state: "completed".into(),
            signals: self.signals.clone(),
            bundle_hash: Sha256Digest::ZERO,
            manifest_hash: Sha256Digest::ZERO,
            manifest_signature: String::new(),
            trust_root_version: 1,
            issued_at: t(times::ISSUED),
            output_hash: None,
            network_summary_hash: None,
            onchain_domain: None,
        };
        d.bind_manifest(&self.parsed_manifest()?);
        d.bind_output(&self.output);
        Ok(d)
    }

    /// Signed directly by the runtime key.
    pub fn direct(&self, execution_id: &str) -> Result<Value, SignError> {
        self.draft(execution_id)?.sign_with_runtime(&self.runtime.master_ed25519(), None)
    }

    /// Signed by per-execution keys delegated by the master, with EIP-712 signatures.
    pub fn delegated(&self, execution_id: &str) -> Result<Value, SignError> {
        let mut d = self.draft(execution_id)?;
        d.onchain_domain = Some(self.onchain_domain);
        d.sign_delegated(&self.master, t(times::ISSUED), t(times::DELEGATION_END))
    }

    /// The root key as a `--root-key` file line.
    pub fn root_key_line(&self) -> String {
        format!("{}\n", self.root.master_ed25519().public_key())
    }

    /// Signals as text.
    pub fn signals_text(&self) -> String {
        attest_json::to_canonical_string(&self.signals)
    }
}

/// The heartbeat example world (formats.md §7): a trust root with a root,
/// a `heartbeat` and a `runtime` key, a heartbeat policy and the fixed
/// configuration of one runtime. Heartbeat times are Unix seconds.
#[derive(Debug, Clone)]
pub struct HeartbeatWorld {
    /// Root key secret.
    pub root: MasterSecret,
    /// Heartbeat key secret.
    pub heartbeat: MasterSecret,
    /// A runtime (not heartbeat) key secret.
    pub runtime: MasterSecret,
    /// Trust root version 1.
    pub trust_root: Value,
    /// The heartbeat policy.
    pub policy: Value,
    /// The fixed configuration and first counters.
    pub input: crate::heartbeat::HeartbeatInput,
}

/// Unix seconds of [`times::NOW`] (2026-11-21T12:00:00Z).
pub const NOW_UNIX: u64 = 1_795_262_400;

impl HeartbeatWorld {
    /// Builds the world for a seed.
    pub fn new(seed: &str) -> Result<Self, SignError> {
        use crate::json::{int, s, ObjectBuilder};
        let root = secret(seed, "hb-root");
        let heartbeat = secret(seed, "heartbeat");
        let runtime = secret(seed, "hb-runtime");
        let issued = t(times::ROOT_ISSUED);
        let mut draft = TrustRootDraft::first(issued, t(times::ROOT_EXPIRES), 1);
        let spec = |key: KeyMaterial, role: Role, label: &str| key_spec(key, role, label, issued);
        for k in [
            spec(KeyMaterial::ed25519(&root.master_ed25519()), Role::Root, "root"),
            spec(KeyMaterial::ed25519(&heartbeat.master_ed25519()), Role::Heartbeat, "heartbeat"),
            spec(KeyMaterial::ed25519(&runtime.master_ed25519()), Role::Runtime, "runtime"),
        ] {
            let _ = draft.add_key(&k);
        }
        let trust_root = draft.sign(&[&root.master_ed25519()]);
        let policy_hash = sha256(format!("heartbeat policy {seed}").as_bytes());
        let kernel = sha256(format!("kernel config {seed}").as_bytes());
        let float = |f: f64| Value::Number(attest_json::Number::Float(f));
        let policy = ObjectBuilder::new()
            .set("type", s(attest_verifier::heartbeat::HEARTBEAT_POLICY_TYPE))
            .set("policy_hash", s(policy_hash.to_hex()))
            .set("zero_retention", Value::Bool(true))
            .set(
                "pinned",
                ObjectBuilder::new()
                    .set("kernel_config_hash", s(kernel.to_hex()))
                    .set("version", s("1.4.0"))
                    .set("tenant_isolation", Value::Bool(true))
                    .set("egress_firewall_enabled", Value::Bool(true))
                    .set("pii_detection_enabled", Value::Bool(true))
                    .value(),
            )
            .set("max_age_seconds", int(300))
            .set("max_skew_seconds", int(60))
            .set("max_gap_seconds", int(120))
            .set("submit_timeout_seconds", int(15))
            .value();
        let input = ObjectBuilder::new()
            .set("interval_seconds", int(60))
            .set("policy_hash", s(policy_hash.to_hex()))
            .set("zero_retention", Value::Bool(true))
            .set(
                "epsilon_limits",
                ObjectBuilder::new()
                    .set("max_epsilon", float(1.0))
                    .set("max_delta", float(1e-5))
                    .set("current_usage", float(0.25))
                    .set("reset_interval", int(86400))
                    .value(),
            )
            .set("version", s("1.4.0"))
            .set("kernel_config_hash", s(kernel.to_hex()))
            .set("capability_keys", Value::Array(vec![s(heartbeat.master_ed25519().key_id().to_hex())]))
            .set("tenant_isolation", Value::Bool(true))
            .set("egress_firewall_enabled", Value::Bool(true))
            .set("pii_detection_enabled", Value::Bool(true))
            .set("total_requests", int(1200))
            .set("blocked_requests", int(3))
            .set("capability_failures", int(0))
            .set("plan_validations", int(87))
            .set("uptime_seconds", int(3600))
            .value();
        let input = crate::heartbeat::HeartbeatInput::from_value(&input)?;
        Ok(Self { root, heartbeat, runtime, trust_root, policy, input })
    }

    /// The counters after `n` heartbeats of a boot (they only grow).
    pub fn input_at(&self, n: u64) -> crate::heartbeat::HeartbeatInput {
        use crate::json::{int, ObjectBuilder};
        let counters = ObjectBuilder::new()
            .set("total_requests", int(1200 + 10 * n))
            .set("blocked_requests", int(3 + n / 4))
            .set("plan_validations", int(87 + n))
            .set("uptime_seconds", int(3600 + 60 * n))
            .value();
        match crate::heartbeat::HeartbeatInput::from_value(&counters) {
            Ok(c) => self.input.merged(&c),
            Err(_) => self.input.clone(),
        }
    }

    /// `n` consecutive heartbeat envelopes of one boot, `interval` seconds
    /// apart from `start`, signed by the heartbeat key.
    pub fn boot(
        &self,
        stream: &str,
        boot_id: &str,
        n: u64,
        start: u64,
        interval: u64,
    ) -> Result<Vec<String>, SignError> {
        let mut chain = crate::heartbeat::BootChain::new(stream, boot_id);
        let key = self.heartbeat.master_ed25519();
        (0..n)
            .map(|i| {
                let payload = chain.next_payload(&self.input_at(i), start + i * interval)?;
                Ok(crate::heartbeat::sign_envelope(&payload, &[&key]))
            })
            .collect()
    }
}

/// The log example world (formats.md §8–9): a trust root with a root key,
/// the ledger's `log` key and a `witness` key, and the log's note signer
/// under its origin. Used by the fork-evidence vectors and tests.
#[derive(Debug, Clone)]
pub struct LogWorld {
    /// Root key secret.
    pub root: MasterSecret,
    /// The log's key secret (role `log`).
    pub log: MasterSecret,
    /// A witness key secret (role `witness`).
    pub witness: MasterSecret,
    /// The log's origin (its note key name).
    pub origin: String,
    /// The log's checkpoint signer.
    pub signer: crate::note::NoteSigner,
    /// Trust root version 1.
    pub trust_root: Value,
}

impl LogWorld {
    /// Builds the world for a seed.
    pub fn new(seed: &str) -> Result<Self, SignError> {
        let root = secret(seed, "log-root");
        let log = secret(seed, "log");
        let witness = secret(seed, "witness");
        let origin = format!("ledger.example/{seed}");
        let signer = crate::note::NoteSigner::new(&origin, log.master_ed25519())?;
        let issued = t(times::ROOT_ISSUED);
        let mut draft = TrustRootDraft::first(issued, t(times::ROOT_EXPIRES), 1);
        let spec = |key: KeyMaterial, role: Role, label: &str| key_spec(key, role, label, issued);
        for k in [
            spec(KeyMaterial::ed25519(&root.master_ed25519()), Role::Root, "root"),
            spec(KeyMaterial::ed25519(&log.master_ed25519()), Role::Log, "log"),
            spec(KeyMaterial::ed25519(&witness.master_ed25519()), Role::Witness, "witness"),
        ] {
            let _ = draft.add_key(&k);
        }
        let trust_root = draft.sign(&[&root.master_ed25519()]);
        Ok(Self { root, log, witness, origin, signer, trust_root })
    }
}
