//! Signing, key, trust-root and bundle commands.

use std::path::{Path, PathBuf};

use attest_attestor::attestation::AttestationDraft;
use attest_attestor::bundle::{sign_manifest, BundleInfo};
use attest_attestor::json::to_pretty;
use attest_attestor::trust_root::{KeyMaterial, KeySpec, RuntimeSpec, TrustRootDraft};
use attest_attestor::{Ed25519Signer, MasterSecret};
use attest_verifier::bundle::{parse_bundle_manifest, EntryKind, MANIFEST_FILE_NAME};
use attest_verifier::eip712::OnchainDomain;
use attest_verifier::trust_root::Role;
use attest_verifier::types::{Ed25519PublicKey, EthAddress, Secp256k1PublicKey, Sha256Digest};
use attest_verifier::Timestamp;
use clap::{Args, Subcommand};
use rand_core::RngCore as _;

use crate::io::{self, read_document, read_secret, write_file, CliError};
use crate::render::esc;
use crate::verify::{clock_now, parse_now};

/// `attest keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the secret (created with mode 0600; never overwritten).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Also write the Ed25519 public key (hex, one line) here, e.g. as a --root-key file.
    #[arg(long = "pub-out", value_name = "FILE")]
    pub pub_out: Option<PathBuf>,
    /// Replace an existing --pub-out file (the secret is never overwritten).
    #[arg(long)]
    pub force: bool,
}

/// `attest key …`.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Print the public keys, key ids and address derived from a secret.
    Show {
        /// Secret file.
        secret: PathBuf,
    },
}

fn public_info(secret: &MasterSecret) -> Result<serde_json::Value, CliError> {
    let ed = secret.master_ed25519();
    let ec = secret.master_secp256k1().map_err(|e| CliError::new(e.to_string()))?;
    Ok(serde_json::json!({
        "ed25519": {"publicKey": ed.public_key().to_hex(), "keyId": ed.key_id().to_hex()},
        "secp256k1": {"publicKey": ec.public_key().to_hex(), "keyId": ec.key_id().to_hex(), "address": ec.address().to_checksum()},
    }))
}

fn print_json(v: &serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

/// `attest keygen`.
pub fn keygen(a: &KeygenArgs) -> Result<i32, CliError> {
    let mut bytes = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut bytes);
    let secret = MasterSecret::from_bytes(bytes);
    io::write_secret(&a.out, format!("{}\n", secret.to_hex()).as_bytes())?;
    if let Some(p) = &a.pub_out {
        write_file(p, format!("{}\n", secret.master_ed25519().public_key()).as_bytes(), "public key file", a.force)?;
    }
    print_json(&public_info(&secret)?);
    Ok(0)
}

/// `attest key …`.
pub fn key(c: &KeyCommand) -> Result<i32, CliError> {
    match c {
        KeyCommand::Show { secret } => print_json(&public_info(&read_secret(secret)?)?),
    }
    Ok(0)
}

/// Key roles on the command line.
fn parse_role(s: &str) -> Result<Role, String> {
    Role::from_name(s).ok_or_else(|| {
        format!("unknown role {s:?} (root, bundle-signing, runtime, attestor-master, heartbeat, witness, log)")
    })
}

fn parse_time(s: &str) -> Result<Timestamp, String> {
    Timestamp::parse(s).map_err(|e| e.to_string())
}

fn parse_digest(s: &str) -> Result<Sha256Digest, String> {
    Sha256Digest::from_hex(s).map_err(|e| e.to_string())
}

/// Common options of every trust-root change.
#[derive(Debug, Args)]
pub struct Issue {
    /// Issue time (default: now).
    #[arg(long = "issued-at", value_parser = parse_time)]
    pub issued_at: Option<Timestamp>,
    /// Expiry time (default: issued-at + --valid-days).
    #[arg(long = "expires-at", value_parser = parse_time)]
    pub expires_at: Option<Timestamp>,
    /// Validity in days when --expires-at is not given.
    #[arg(long = "valid-days", default_value_t = 365)]
    pub valid_days: u32,
    /// Root secret to sign with (repeatable; for a rotation, enough old AND new root keys).
    #[arg(long = "sign", value_name = "SECRET", required = true)]
    pub sign: Vec<PathBuf>,
    /// Output file (never overwritten without --force).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace an existing --out file.
    #[arg(long)]
    pub force: bool,
}

impl Issue {
    fn times(&self) -> (Timestamp, Timestamp) {
        let issued = self.issued_at.unwrap_or_else(|| Timestamp::from_unix(clock_now().unix_seconds(), 0));
        let expires = self
            .expires_at
            .unwrap_or_else(|| Timestamp::from_unix(issued.unix_seconds() + i64::from(self.valid_days) * 86_400, 0));
        (issued, expires)
    }

    fn signers(&self) -> Result<Vec<Ed25519Signer>, CliError> {
        self.sign.iter().map(|p| read_secret(p).map(|s| s.master_ed25519())).collect()
    }
}

/// A key to add: from a secret file or a public key.
#[derive(Debug, Args)]
pub struct NewKey {
    /// Secret file whose derived key is added.
    #[arg(long = "key", value_name = "SECRET", conflicts_with = "public_key")]
    pub key: Option<PathBuf>,
    /// Public key to add (64 hex for ed25519, 66 hex compressed for secp256k1).
    #[arg(long = "public-key", value_name = "HEX")]
    pub public_key: Option<String>,
    /// Which of the secret's keys, or the public key's algorithm.
    #[arg(long, default_value = "ed25519", value_parser = ["ed25519", "secp256k1"])]
    pub algorithm: String,
    /// Role (repeatable).
    #[arg(long = "role", value_parser = parse_role, required = true)]
    pub roles: Vec<Role>,
    /// Validity start (default: the document's issue time).
    #[arg(long = "valid-from", value_parser = parse_time)]
    pub valid_from: Option<Timestamp>,
    /// Validity end (default: open).
    #[arg(long = "valid-until", value_parser = parse_time)]
    pub valid_until: Option<Timestamp>,
    /// Label.
    #[arg(long)]
    pub label: Option<String>,
    /// Make the key TEE-bound under this policy of the trust root's
    /// `teePolicies` (`tee: {"policy": NAME}`): its signatures then count
    /// only with a verified binding (docs/spec.md §13).
    #[arg(long = "tee-policy", value_name = "NAME")]
    pub tee_policy: Option<String>,
}

impl NewKey {
    fn spec(&self, issued: Timestamp) -> Result<KeySpec, CliError> {
        let key = match (&self.key, &self.public_key, self.algorithm.as_str()) {
            (Some(p), _, "ed25519") => KeyMaterial::ed25519(&read_secret(p)?.master_ed25519()),
            (Some(p), _, _) => {
                KeyMaterial::secp256k1(&read_secret(p)?.master_secp256k1().map_err(|e| CliError::new(e.to_string()))?)
            }
            (None, Some(h), "ed25519") => KeyMaterial::Ed25519(
                Ed25519PublicKey::from_hex(h).map_err(|e| CliError::new(format!("--public-key: {e}")))?,
            ),
            (None, Some(h), _) => {
                let k = Secp256k1PublicKey::from_hex(h).map_err(|e| CliError::new(format!("--public-key: {e}")))?;
                let a = attest_verifier::secp256k1::address_of(&k)
                    .map_err(|e| CliError::new(format!("--public-key: {e}")))?;
                KeyMaterial::Secp256k1(k, a)
            }
            (None, None, _) => return Err(CliError::new("give --key SECRET or --public-key HEX")),
        };
        Ok(KeySpec {
            key,
            roles: self.roles.clone(),
            valid_from: self.valid_from.unwrap_or(issued),
            valid_until: self.valid_until,
            label: self.label.clone(),
        })
    }
}

/// `attest trust-root …`.
#[derive(Debug, Subcommand)]
pub enum TrustRootCommand {
    /// Create version 1 of a chain, listing the signing root keys with the `root` role.
    Create {
        /// Root signatures required.
        #[arg(long, default_value_t = 1)]
        threshold: u64,
        #[command(flatten)]
        issue: Issue,
    },
    /// Next version with one more key.
    AddKey {
        /// The current trust root.
        previous: PathBuf,
        #[command(flatten)]
        new_key: NewKey,
        #[command(flatten)]
        issue: Issue,
    },
    /// Next version with a key marked revoked (refused at every time).
    Revoke {
        /// The current trust root.
        previous: PathBuf,
        /// Key id to revoke.
        #[arg(long = "key-id")]
        key_id: String,
        #[command(flatten)]
        issue: Issue,
    },
    /// Next version with a TEE policy in `teePolicies` (docs/spec.md §13).
    AddTeePolicy {
        /// The current trust root.
        previous: PathBuf,
        /// The policy: a JSON object {"name", "platform", "tdx"|"sgx",
        /// "allowedTcbStatus", "allowDebug", "allowPlatformFlags", "maxBindingAgeSeconds"}.
        #[arg(long, value_name = "FILE")]
        policy: PathBuf,
        #[command(flatten)]
        issue: Issue,
    },
    /// Next version listing a runtime.
    AddRuntime {
        /// The current trust root.
        previous: PathBuf,
        /// Runtime version.
        #[arg(long = "runtime-version")]
        runtime_version: String,
        /// Runtime hash.
        #[arg(long = "runtime-hash", value_parser = parse_digest)]
        runtime_hash: Sha256Digest,
        /// Release manifest hash.
        #[arg(long = "release-manifest-hash", value_parser = parse_digest)]
        release_manifest_hash: Sha256Digest,
        #[command(flatten)]
        issue: Issue,
    },
    /// Next version with new times (and optionally a new threshold or a removed key).
    Rotate {
        /// The current trust root.
        previous: PathBuf,
        /// New rootThreshold.
        #[arg(long)]
        threshold: Option<u64>,
        /// Key id to remove from the list (repeatable).
        #[arg(long = "remove-key")]
        remove: Vec<String>,
        #[command(flatten)]
        issue: Issue,
    },
    /// Verify a chain (oldest first) against pinned root keys.
    Verify {
        /// Trust roots, oldest first.
        #[arg(required_unless_present = "trust_root_dir")]
        chain: Vec<PathBuf>,
        /// A directory of trust roots (its *.json files, ordered by their version member)
        /// instead of the list.
        #[arg(long = "trust-root-dir", value_name = "DIR", conflicts_with = "chain")]
        trust_root_dir: Option<PathBuf>,
        /// File of pinned root keys (repeatable; they add up, as for `attest verify`).
        #[arg(long = "root-key", value_name = "FILE", required = true)]
        root_key: Vec<PathBuf>,
        /// Verification time.
        #[arg(long)]
        now: Option<String>,
        /// Refuse a newest trust root below this version (overrides the remembered one).
        #[arg(long = "min-trust-root-version", value_name = "N")]
        min_trust_root_version: Option<u64>,
        /// Verdict format: one line, or one JSON object (the WASM module's `verifyTrustRootChain` verdict).
        #[arg(long, value_enum, default_value = "human")]
        format: crate::verify::Format,
        /// The remembered rollback floor.
        #[command(flatten)]
        state: crate::state::StateArgs,
    },
}

fn read_value(path: &Path, what: &str) -> Result<attest_json::Value, CliError> {
    let bytes = read_document(path, what)?;
    attest_verifier::doc::parse_json(&bytes).map_err(|e| CliError::new(format!("{what} {}: {e}", path.display())))
}

/// Reads the previous trust root of a change: its bytes (for the chain check) and value.
fn read_previous(path: &Path) -> Result<(Vec<u8>, attest_json::Value), CliError> {
    let bytes = read_document(path, "trust root")?;
    let v = attest_verifier::doc::parse_json(&bytes)
        .map_err(|e| CliError::new(format!("trust root {}: {e}", path.display())))?;
    Ok((bytes, v))
}

/// Refuses to write a document that does not verify: exit 1 with the reason.
fn refuse(out: &Path, why: &str) -> i32 {
    eprintln!("refusing to write {}: {}", esc(&out.display().to_string()), esc(why));
    1
}

fn finish_root(draft: TrustRootDraft, issue: &Issue, previous: Option<&[u8]>) -> Result<i32, CliError> {
    let signers = issue.signers()?;
    let refs: Vec<&Ed25519Signer> = signers.iter().collect();
    let v = draft.sign(&refs);
    // The result must verify as the next link of the chain before it is written.
    let text = to_pretty(&v);
    let ids: Vec<_> = signers.iter().map(Ed25519Signer::key_id).collect();
    if let Err(why) = crate::prewrite::trust_root(&text, previous, &ids) {
        return Ok(refuse(&issue.out, &why));
    }
    write_file(&issue.out, text.as_bytes(), "trust root", issue.force)?;
    eprintln!("wrote {}", esc(&issue.out.display().to_string()));
    Ok(0)
}

/// `attest trust-root …`.
pub fn trust_root(c: &TrustRootCommand) -> Result<i32, CliError> {
    let edit = |e: attest_attestor::trust_root::TrustRootEditError| CliError::new(e.to_string());
    match c {
        TrustRootCommand::Create { threshold, issue } => {
            let (issued, expires) = issue.times();
            let mut draft = TrustRootDraft::first(issued, expires, *threshold);
            for k in issue.signers()? {
                draft
                    .add_key(&KeySpec {
                        key: KeyMaterial::ed25519(&k),
                        roles: vec![Role::Root],
                        valid_from: issued,
                        valid_until: None,
                        label: Some("root".into()),
                    })
                    .map_err(edit)?;
            }
            finish_root(draft, issue, None)
        }
        TrustRootCommand::AddKey { previous, new_key, issue } => {
            let (issued, expires) = issue.times();
            let (prev, value) = read_previous(previous)?;
            let mut draft = TrustRootDraft::next_of(&value, issued, expires).map_err(edit)?;
            let spec = new_key.spec(issued)?;
            draft.add_key(&spec).map_err(edit)?;
            if let Some(name) = &new_key.tee_policy {
                let id = match &spec.key {
                    KeyMaterial::Ed25519(k) => k.key_id(),
                    KeyMaterial::Secp256k1(k, _) => k.key_id(),
                };
                draft.set_key_tee_policy(&id.to_hex(), name).map_err(edit)?;
            }
            finish_root(draft, issue, Some(&prev))
        }
        TrustRootCommand::AddTeePolicy { previous, policy, issue } => {
            let (issued, expires) = issue.times();
            let (prev, value) = read_previous(previous)?;
            let mut draft = TrustRootDraft::next_of(&value, issued, expires).map_err(edit)?;
            draft.add_tee_policy(read_value(policy, "TEE policy")?).map_err(edit)?;
            finish_root(draft, issue, Some(&prev))
        }
        TrustRootCommand::Revoke { previous, key_id, issue } => {
            let (issued, expires) = issue.times();
            let (prev, value) = read_previous(previous)?;
            let mut draft = TrustRootDraft::next_of(&value, issued, expires).map_err(edit)?;
            draft.revoke_key(key_id).map_err(edit)?;
            finish_root(draft, issue, Some(&prev))
        }
        TrustRootCommand::AddRuntime { previous, runtime_version, runtime_hash, release_manifest_hash, issue } => {
            let (issued, expires) = issue.times();
            let (prev, value) = read_previous(previous)?;
            let mut draft = TrustRootDraft::next_of(&value, issued, expires).map_err(edit)?;
            draft.add_runtime(&RuntimeSpec {
                runtime_version: runtime_version.clone(),
                runtime_hash: *runtime_hash,
                release_manifest_hash: *release_manifest_hash,
            });
            finish_root(draft, issue, Some(&prev))
        }
        TrustRootCommand::Rotate { previous, threshold, remove, issue } => {
            let (issued, expires) = issue.times();
            let (prev, value) = read_previous(previous)?;
            let mut draft = TrustRootDraft::next_of(&value, issued, expires).map_err(edit)?;
            if let Some(t) = threshold {
                draft.set_threshold(*t);
            }
            for id in remove {
                draft.remove_key(id).map_err(edit)?;
            }
            finish_root(draft, issue, Some(&prev))
        }
        TrustRootCommand::Verify { chain, trust_root_dir, root_key, now, min_trust_root_version, format, state } => {
            let now = parse_now(now.as_deref())?;
            let chain = &match trust_root_dir {
                Some(dir) => crate::trust_inputs::trust_root_dir(dir)?,
                None => chain.clone(),
            };
            let docs = crate::verify::read_trust_roots(chain)?;
            crate::trust_inputs::refuse_secret_key_files(root_key, &docs)?;
            let pinned = crate::verify::read_pinned_keys(root_key)?;
            let state = crate::state::State::open(state, &pinned)?;
            let min_version = crate::state::min_version(*min_trust_root_version, state.as_ref());
            let opts = attest_verifier::trust_root::ChainOptions { now, min_version };
            let outcome = crate::verify::verify_chain(&docs, chain, &pinned, &opts);
            if let Some(state) = &state {
                state.explain(&outcome, *min_trust_root_version);
                state.record(&outcome);
            }
            let json = *format == crate::verify::Format::Json;
            match outcome {
                Ok(c) => {
                    let n = c.newest();
                    let detail = format!(
                        "chain of {} trust root(s); newest version {} (digest {}), expires {}",
                        c.len(),
                        n.version(),
                        n.digest(),
                        n.expires_at()
                    );
                    if json {
                        print_json(&serde_json::json!({
                            "valid": true,
                            "length": c.len(),
                            "newest": {
                                "version": n.version(),
                                "digest": n.digest().to_hex(),
                                "issuedAt": n.issued_at().to_rfc3339(),
                                "expiresAt": n.expires_at().to_rfc3339(),
                            },
                            "detail": detail,
                        }));
                    } else {
                        println!("VALID: {detail}");
                    }
                    Ok(0)
                }
                Err(e) => {
                    if json {
                        print_json(&serde_json::json!({"valid": false, "reason": e.reason(), "detail": e.to_string()}));
                    } else {
                        println!("INVALID [{}]: {}", e.reason(), esc(&e.to_string()));
                    }
                    Ok(1)
                }
            }
        }
    }
}

/// `attest bundle …`.
#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Hash every file of a directory and write a signed manifest.json into it.
    Sign {
        /// The bundle directory.
        dir: PathBuf,
        /// Bundle-signing secret.
        #[arg(long = "key", value_name = "SECRET")]
        key: PathBuf,
        /// Policy id.
        #[arg(long = "policy-id")]
        policy_id: String,
        /// Policy version.
        #[arg(long = "policy-version")]
        policy_version: String,
        /// Schema version.
        #[arg(long = "schema-version", default_value = "1.0.0")]
        schema_version: String,
        /// Creation time (default: now).
        #[arg(long = "created-at", value_parser = parse_time)]
        created_at: Option<Timestamp>,
        /// Replace an existing manifest.json (default: refused).
        #[arg(long)]
        force: bool,
    },
}

/// `attest bundle …`.
pub fn bundle(c: &BundleCommand) -> Result<i32, CliError> {
    match c {
        BundleCommand::Sign { dir, key, policy_id, policy_version, schema_version, created_at, force } => {
            let key = read_secret(key)?.master_ed25519();
            let entries = io::walk_dir(dir)?;
            let mut files = Vec::new();
            for e in entries.iter().cloned() {
                match e.kind {
                    EntryKind::File => files.push((e.path, e.bytes)),
                    EntryKind::TooLarge => {
                        return Err(CliError::new(format!(
                            "{}/{}: the bundle is larger than the {} input limit",
                            dir.display(),
                            e.path,
                            io::limit_text(io::MAX_INPUT_BYTES)
                        )))
                    }
                    _ => {
                        return Err(CliError::new(format!(
                            "{}/{}: only regular files may be in a bundle",
                            dir.display(),
                            e.path
                        )))
                    }
                }
            }
            let info = BundleInfo {
                policy_id: policy_id.clone(),
                policy_version: policy_version.clone(),
                schema_version: schema_version.clone(),
                created_at: created_at.unwrap_or_else(|| Timestamp::from_unix(clock_now().unix_seconds(), 0)),
            };
            let v = sign_manifest(&info, &files, &key).map_err(|e| CliError::new(format!("{}: {e}", dir.display())))?;
            let out = dir.join(MANIFEST_FILE_NAME);
            let text = to_pretty(&v);
            if let Err(why) = crate::prewrite::manifest(&text, &entries) {
                return Ok(refuse(&out, &why));
            }
            write_file(&out, text.as_bytes(), "manifest", *force)?;
            eprintln!(
                "wrote {} ({} file(s))",
                esc(&out.display().to_string()),
                files.len() - usize::from(files.iter().any(|f| f.0 == MANIFEST_FILE_NAME))
            );
            Ok(0)
        }
    }
}

/// `attest sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// Runtime secret: sign directly with its Ed25519 key (and its secp256k1 key on-chain).
    #[arg(long = "key", value_name = "SECRET", required_unless_present = "master", conflicts_with = "master")]
    pub key: Option<PathBuf>,
    /// Attestor master secret: sign with per-execution keys it delegates.
    #[arg(long = "master", value_name = "SECRET")]
    pub master: Option<PathBuf>,
    /// Delegation lifetime in seconds from issued-at (with --master).
    #[arg(long = "delegation-ttl", default_value_t = 3600)]
    pub delegation_ttl: u32,
    /// Bundle directory or manifest.
    #[arg(long, value_name = "DIR|MANIFEST")]
    pub bundle: PathBuf,
    /// Signals JSON.
    #[arg(long, value_name = "FILE")]
    pub signals: PathBuf,
    /// Execution id.
    #[arg(long = "execution-id")]
    pub execution_id: String,
    /// Runtime version.
    #[arg(long = "runtime-version")]
    pub runtime_version: String,
    /// Runtime hash.
    #[arg(long = "runtime-hash", value_parser = parse_digest)]
    pub runtime_hash: Sha256Digest,
    /// Release manifest hash.
    #[arg(long = "release-manifest-hash", value_parser = parse_digest)]
    pub release_manifest_hash: Sha256Digest,
    /// Evaluator semantic hash.
    #[arg(long = "evaluator-semantic-hash", value_parser = parse_digest)]
    pub evaluator_semantic_hash: Sha256Digest,
    /// Evaluator artifact hash.
    #[arg(long = "evaluator-artifact-hash", value_parser = parse_digest)]
    pub evaluator_artifact_hash: Sha256Digest,
    /// Decision action.
    #[arg(long, default_value = "approve")]
    pub action: String,
    /// Decision reason.
    #[arg(long, default_value = "")]
    pub reason: String,
    /// Human override required.
    #[arg(long = "requires-override")]
    pub requires_override: bool,
    /// Execution state.
    #[arg(long, default_value = "completed", value_parser = ["completed", "pending_override", "blocked"])]
    pub state: String,
    /// Trust-root version the signer is anchored in.
    #[arg(long = "trust-root-version")]
    pub trust_root_version: u64,
    /// Raw output file to bind as outputHash.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// networkSummaryHash to bind (hex).
    #[arg(long = "network-summary-hash", value_parser = parse_digest)]
    pub network_summary_hash: Option<Sha256Digest>,
    /// Chain id for on-chain signatures.
    #[arg(long = "chain-id", requires = "contract")]
    pub chain_id: Option<u64>,
    /// Verifying contract for on-chain signatures (EIP-55).
    #[arg(long, requires = "chain_id")]
    pub contract: Option<String>,
    /// Issue time (default: now).
    #[arg(long = "issued-at", value_parser = parse_time)]
    pub issued_at: Option<Timestamp>,
    /// Output file (never overwritten without --force).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace an existing --out file.
    #[arg(long)]
    pub force: bool,
}

/// `attest sign`.
pub fn sign(a: &SignArgs) -> Result<i32, CliError> {
    let manifest_path = if a.bundle.is_dir() { a.bundle.join(MANIFEST_FILE_NAME) } else { a.bundle.clone() };
    let manifest = parse_bundle_manifest(&read_document(&manifest_path, "bundle manifest")?)
        .map_err(|e| CliError::new(format!("bundle manifest {}: {e}", manifest_path.display())))?;
    let signals = read_value(&a.signals, "signals file")?;
    let onchain_domain = match (&a.chain_id, &a.contract) {
        (Some(chain_id), Some(c)) => Some(OnchainDomain {
            chain_id: *chain_id,
            verifying_contract: EthAddress::from_checksummed(c)
                .map_err(|e| CliError::new(format!("--contract: {e}")))?,
        }),
        _ => None,
    };
    let issued_at = a.issued_at.unwrap_or_else(|| Timestamp::from_unix(clock_now().unix_seconds(), 0));
    let mut draft = AttestationDraft {
        execution_id: a.execution_id.clone(),
        policy_id: String::new(),
        policy_version: String::new(),
        schema_version: String::new(),
        runtime_version: a.runtime_version.clone(),
        runtime_hash: a.runtime_hash,
        release_manifest_hash: a.release_manifest_hash,
        evaluator_semantic_hash: a.evaluator_semantic_hash,
        evaluator_artifact_hash: a.evaluator_artifact_hash,
        action: a.action.clone(),
        requires_override: a.requires_override,
        reason: a.reason.clone(),
        execution_state: a.state.clone(),
        signals,
        bundle_hash: Sha256Digest::ZERO,
        manifest_hash: Sha256Digest::ZERO,
        manifest_signature: String::new(),
        trust_root_version: a.trust_root_version,
        issued_at,
        output_hash: None,
        network_summary_hash: a.network_summary_hash,
        onchain_domain,
    };
    draft.bind_manifest(&manifest);
    if let Some(p) = &a.output {
        draft.bind_output(&io::read_limited(p, "output file", io::MAX_INPUT_BYTES)?);
    }
    let signed = match (&a.key, &a.master) {
        (Some(k), _) => {
            let secret = read_secret(k)?;
            let ec = secret.master_secp256k1().map_err(|e| CliError::new(e.to_string()))?;
            draft.sign_with_runtime(&secret.master_ed25519(), Some(&ec))
        }
        (None, Some(m)) => {
            let secret = read_secret(m)?;
            let not_after = Timestamp::from_unix(issued_at.unix_seconds() + i64::from(a.delegation_ttl), 0);
            draft.sign_delegated(&secret, issued_at, not_after)
        }
        (None, None) => return Err(CliError::new("give --key SECRET or --master SECRET")),
    }
    .map_err(|e| CliError::new(e.to_string()))?;
    let text = to_pretty(&signed);
    if let Err(why) = crate::prewrite::attestation(&text, a.trust_root_version) {
        return Ok(refuse(&a.out, &why));
    }
    write_file(&a.out, text.as_bytes(), "attestation", a.force)?;
    eprintln!("wrote {}", esc(&a.out.display().to_string()));
    Ok(0)
}
