//! The JavaScript-free layer: options as plain Rust values, verification
//! exactly as `attest verify` (cli/src/verify.rs `run_verify`) performs it.

use attest_verifier::bundle::{BundleEntry, EntryKind};
use attest_verifier::doc::{self, DocumentError};
use attest_verifier::trust_root::{self, ChainOptions, TrustRootError};
use attest_verifier::types::Ed25519PublicKey;
use attest_verifier::{
    verify_document, AttestationInputs, BundleInput, Report, Timestamp, TrustOutcome, VerifyContext,
};
use serde_json::json;

/// Largest document accepted (formats.md §0; the CLI's `read_document` limit).
pub const MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024;

/// Largest raw input: output, network log, all bundle files together (the
/// CLI's `MAX_INPUT_BYTES`).
pub const MAX_INPUT_BYTES: usize = 1024 * 1024 * 1024;

/// Everything `verifyAttestation` uses besides the document.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// Trust-root documents, oldest first (`--trust-root`, repeated).
    pub trust_roots: Vec<Vec<u8>>,
    /// Pinned Ed25519 root keys (`--root-key`).
    pub root_keys: Vec<Ed25519PublicKey>,
    /// Verification time (`--now`; the JS layer defaults it to `Date.now()`).
    pub now: Timestamp,
    /// Rollback floor (`--min-trust-root-version`).
    pub min_trust_root_version: Option<u64>,
    /// Signals JSON (`--signals`).
    pub signals: Option<Vec<u8>>,
    /// Raw output bytes (`--output`).
    pub output: Option<Vec<u8>>,
    /// Network log, JSON Lines (`--network`).
    pub network: Option<Vec<u8>>,
    /// Allowed hosts (`--allow-host`), compared in lower case as the CLI does.
    pub allow_hosts: Vec<String>,
    /// Bundle manifest (`--bundle MANIFEST`, or `manifest.json` of `--bundle DIR`).
    pub bundle_manifest: Option<Vec<u8>>,
    /// Files of the bundle directory (`--bundle DIR`), path → contents. `None`:
    /// only the manifest was given, the `bundle-files` check is skipped.
    pub bundle_files: Option<Vec<(String, Vec<u8>)>>,
}

impl Evidence {
    /// Evidence with only the trust anchor: no optional input.
    pub fn new(trust_roots: Vec<Vec<u8>>, root_keys: Vec<Ed25519PublicKey>, now: Timestamp) -> Self {
        Self {
            trust_roots,
            root_keys,
            now,
            min_trust_root_version: None,
            signals: None,
            output: None,
            network: None,
            allow_hosts: Vec::new(),
            bundle_manifest: None,
            bundle_files: None,
        }
    }
}

/// Name of the `index`-th document of a chain built from `given` trust roots
/// (plus the verified document itself, appended last when it is a trust root).
fn chain_doc_name(index: usize, given: usize) -> String {
    if index < given {
        format!("trustRoots[{index}]")
    } else {
        "attestation".to_string()
    }
}

/// Verifies a chain of raw documents; document errors name the option
/// (`trustRoots[i]`) where the CLI names the file.
pub fn verify_chain(docs: &[&[u8]], given: usize, pinned: &[Ed25519PublicKey], opts: &ChainOptions) -> TrustOutcome {
    trust_root::verify_trust_root_chain_bytes(docs, pinned, opts).map_err(|e| match e {
        TrustRootError::Document { index, error } => TrustRootError::Document {
            index,
            error: DocumentError::Member { path: chain_doc_name(index, given), problem: error.to_string().into() },
        },
        other => other,
    })
}

/// Verifies any attest document against the evidence, as `attest verify` does:
/// the trust-root chain is verified first; a trust-root document given as the
/// subject is verified as the newest link (appended to the chain unless it
/// equals the last document).
pub fn verify(document: &[u8], e: &Evidence) -> Report {
    let opts = ChainOptions { now: e.now, min_version: e.min_trust_root_version };
    let given = e.trust_roots.len();
    let chain: Vec<&[u8]> = e.trust_roots.iter().map(Vec::as_slice).collect();
    let docs = attest_verifier::chain_for_subject(&chain, document);
    let trust = verify_chain(&docs, given, &e.root_keys, &opts);
    let entries: Option<Vec<BundleEntry<'_>>> = e
        .bundle_files
        .as_ref()
        .map(|files| files.iter().map(|(path, bytes)| BundleEntry { path, kind: EntryKind::File, bytes }).collect());
    let bundle = e.bundle_manifest.as_deref().map(|manifest| BundleInput { manifest, entries: entries.as_deref() });
    let allow_hosts: Vec<String> = e.allow_hosts.iter().map(|h| h.to_ascii_lowercase()).collect();
    let inputs = AttestationInputs {
        signals: e.signals.as_deref(),
        output: e.output.as_deref(),
        bundle,
        network: e.network.as_deref(),
        allow_hosts: &allow_hosts,
    };
    verify_document(document, &VerifyContext { trust: &trust, inputs })
}

/// The report as JSON text: the object `attest verify --format json` prints
/// (compact instead of pretty-printed).
pub fn report_json(report: &Report) -> Result<String, String> {
    serde_json::to_string(report).map_err(|e| e.to_string())
}

/// Verifies a trust-root chain on its own (`attest trust-root verify`).
///
/// Returns `{valid: true, length, newest: {version, digest, issuedAt,
/// expiresAt}, detail}` or `{valid: false, reason, detail}` with the stable
/// reason code of the trust-root check.
pub fn chain_verdict(
    docs: &[Vec<u8>],
    pinned: &[Ed25519PublicKey],
    now: Timestamp,
    min_version: Option<u64>,
) -> serde_json::Value {
    let refs: Vec<&[u8]> = docs.iter().map(Vec::as_slice).collect();
    let opts = ChainOptions { now, min_version };
    match verify_chain(&refs, refs.len(), pinned, &opts) {
        Ok(chain) => {
            let n = chain.newest();
            json!({
                "valid": true,
                "length": chain.documents().len(),
                "newest": {
                    "version": n.version,
                    "digest": n.digest().to_hex(),
                    "issuedAt": n.issued_at.to_rfc3339(),
                    "expiresAt": n.expires_at.to_rfc3339(),
                },
                "detail": format!(
                    "chain of {} trust root(s); newest version {} (digest {}), expires {}",
                    chain.documents().len(),
                    n.version,
                    n.digest(),
                    n.expires_at
                ),
            })
        }
        Err(e) => json!({"valid": false, "reason": e.reason(), "detail": e.to_string()}),
    }
}

/// Decodes a document as `attest inspect --format json` does:
/// `{decoded: {type, digest, signingMessageBytes, …}, document}`.
/// `Err` carries why the document does not parse as its type.
pub fn inspect(document: &[u8]) -> Result<serde_json::Value, String> {
    let v = doc::parse_json(document).map_err(|e| e.to_string())?;
    let decoded = attest_verifier::inspect::decode(&v)?;
    Ok(json!({"decoded": decoded, "document": attest_verifier::inspect::to_serde_json(&v)}))
}

/// Verdict on a network-record inclusion proof.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProofVerdict {
    /// The proof leads to the expected root (and fits the summary's size).
    pub valid: bool,
    /// What was checked or what is wrong.
    pub detail: String,
    /// Leaf index.
    pub index: u64,
    /// Tree size.
    pub tree_size: u64,
}

/// Verifies a proof against a hex root or a summary document. `Err((true, …))`
/// is a malformed document, `Err((false, …))` a bad option.
pub fn proof_verdict(proof: &[u8], root: Option<&str>, summary: Option<&[u8]>) -> Result<ProofVerdict, (bool, String)> {
    use attest_verifier::network::{
        parse_record_proof_value, parse_summary_value, verify_record_proof, verify_record_proof_against_summary,
    };
    let value = attest_verifier::doc::parse_json(proof).map_err(|e| (true, format!("proof: {e}")))?;
    let p = parse_record_proof_value(&value).map_err(|e| (true, format!("proof: {e}")))?;
    let outcome = match (root, summary) {
        (Some(r), None) => {
            let r = attest_verifier::types::Sha256Digest::from_hex(r).map_err(|e| (false, format!("root: {e}")))?;
            verify_record_proof(&p, &r)
        }
        (None, Some(s)) => {
            let v = attest_verifier::doc::parse_json(s).map_err(|e| (true, format!("summary: {e}")))?;
            let s = parse_summary_value(&v).map_err(|e| (true, format!("summary: {e}")))?;
            verify_record_proof_against_summary(&p, &s)
        }
        _ => return Err((false, "give exactly one of root and summary".into())),
    };
    Ok(ProofVerdict {
        valid: outcome.is_ok(),
        detail: match outcome {
            Ok(v) => {
                format!("record {} is included in the log of {} record(s) with root {}", v.index, v.tree_size, v.root)
            }
            Err(e) => e.to_string(),
        },
        index: p.index,
        tree_size: p.tree_size,
    })
}
