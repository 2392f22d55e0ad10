//! The JavaScript-free layer: options as plain Rust values, verification
//! exactly as `attest verify` (cli/src/verify.rs `run_verify`) performs it.

use attest_verifier::bundle::EntryKind;
use attest_verifier::doc;
use attest_verifier::trust_root::{self, ChainOptions};
use attest_verifier::types::Ed25519PublicKey;
use attest_verifier::{
    verify_document, BundleEvidence, BundleFile, Report, Timestamp, TrustAnchor, TrustOutcome, VerifyContext,
};
use serde_json::json;

pub use attest_verifier::doc::{MAX_DOCUMENT_BYTES, MAX_INPUT_BYTES};

/// The message of a JSON serialization failure (which cannot happen for these
/// values: no maps with non-string keys, no non-finite floats). serde_json's
/// error text is not formatted, so its messages stay out of the module.
pub const SERIALIZATION_FAILED: &str = "serialization failed";

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
    /// Paths of bundle files not read because the files add up to more than
    /// [`MAX_INPUT_BYTES`]: refused by `bundle-files` (`too-large`), as the
    /// CLI's directory walk does.
    pub bundle_oversized: Vec<String>,
    /// Heartbeat policy (`--heartbeat-policy`), parsed.
    pub heartbeat_policy: Option<attest_verifier::heartbeat::HeartbeatPolicy>,
    /// TEE bindings (`--tee-binding`, repeated; the TEE module).
    #[cfg(feature = "tee")]
    pub tee_bindings: Vec<Vec<u8>>,
    /// The root CA DCAP quotes chain to instead of Intel's (`--tee-root-ca`;
    /// DER or PEM; the TEE module).
    #[cfg(feature = "tee")]
    pub tee_root_ca: Option<Vec<u8>>,
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
            bundle_oversized: Vec::new(),
            heartbeat_policy: None,
            #[cfg(feature = "tee")]
            tee_bindings: Vec::new(),
            #[cfg(feature = "tee")]
            tee_root_ca: None,
        }
    }
}

impl Evidence {
    /// The core's trust anchor (trust roots named `trustRoots[i]` where the
    /// CLI names the file), owned evidence and verification time.
    fn into_core(self) -> (TrustAnchor, attest_verifier::Evidence, Timestamp) {
        let docs = self.trust_roots.into_iter().enumerate().map(|(i, d)| (format!("trustRoots[{i}]"), d)).collect();
        let opts = ChainOptions { now: self.now, min_version: self.min_trust_root_version };
        let anchor = TrustAnchor::new(docs, self.root_keys, opts);
        let oversized = self.bundle_oversized;
        #[allow(clippy::needless_update)]
        let evidence = attest_verifier::Evidence {
            signals: self.signals,
            output: self.output,
            network: self.network,
            allow_hosts: self.allow_hosts,
            heartbeat_policy: self.heartbeat_policy,
            #[cfg(feature = "tee")]
            tee_bindings: self.tee_bindings,
            bundle: self.bundle_manifest.map(|manifest| BundleEvidence {
                manifest,
                files: self.bundle_files.map(|files| {
                    let too_large = oversized.into_iter().map(|path| BundleFile {
                        path,
                        kind: EntryKind::TooLarge,
                        bytes: Vec::new(),
                    });
                    files
                        .into_iter()
                        .map(|(path, bytes)| BundleFile { path, kind: EntryKind::File, bytes })
                        .chain(too_large)
                        .collect()
                }),
            }),
            // `log_proof` when the workspace enables the verifier's
            // `log-proof` feature: the WASM faces take no log proof (yet).
            ..Default::default()
        };
        (anchor, evidence, self.now)
    }
}

/// Verifies a chain of raw documents; document errors name the option
/// (`trustRoots[i]`) where the CLI names the file.
pub fn verify_chain(docs: &[&[u8]], pinned: &[Ed25519PublicKey], opts: &ChainOptions) -> TrustOutcome {
    let names: Vec<String> = (0..docs.len()).map(|i| format!("trustRoots[{i}]")).collect();
    let named: Vec<(&str, &[u8])> = names.iter().map(String::as_str).zip(docs.iter().copied()).collect();
    trust_root::verify_trust_root_chain_named(&named, pinned, opts)
}

/// Verifies any attest document against the evidence, as `attest verify` does:
/// the trust-root chain is verified first; a trust-root document given as the
/// subject is verified as the newest link (appended to the chain unless it
/// equals the last document).
pub fn verify(document: &[u8], e: Evidence) -> Report {
    #[cfg(feature = "tee")]
    let dcap = e.dcap();
    let (anchor, evidence, now) = e.into_core();
    let trust = anchor.verify_for_subject("attestation", document).unwrap_or_else(|| anchor.verify());
    let ctx = VerifyContext::new(&trust, &evidence, now);
    #[cfg(feature = "tee")]
    let ctx = match &dcap {
        Some(d) => ctx.with_tee(d),
        None => ctx,
    };
    verify_document(document, &ctx).into_report()
}

#[cfg(feature = "tee")]
impl Evidence {
    /// The quote verifier: Intel's root, or `tee_root_ca` (`None` when that
    /// is not a certificate: the `tee` check then fails `tee-unavailable`;
    /// the JS layer refuses such an option first).
    fn dcap(&self) -> Option<attest_tee_verifier::DcapVerifier> {
        match &self.tee_root_ca {
            None => Some(attest_tee_verifier::DcapVerifier::intel()),
            Some(ca) => attest_tee_verifier::DcapVerifier::with_root_ca(ca).ok(),
        }
    }
}

/// Verifies a batch of documents as `attest audit` does: one chain, every
/// item's checks, and the batch `replay` check in input order.
pub fn verify_batch(documents: &[Vec<u8>], e: Evidence) -> Vec<Report> {
    #[cfg(feature = "tee")]
    let dcap = e.dcap();
    let (anchor, evidence, now) = e.into_core();
    let trust = anchor.verify();
    let ctx = VerifyContext::new(&trust, &evidence, now);
    #[cfg(feature = "tee")]
    let ctx = match &dcap {
        Some(d) => ctx.with_tee(d),
        None => ctx,
    };
    let refs: Vec<&[u8]> = documents.iter().map(Vec::as_slice).collect();
    attest_verifier::verify_batch(&refs, &ctx).into_iter().map(|o| o.into_report()).collect()
}

#[cfg(feature = "heartbeat")]
/// Verifies heartbeat envelopes as `attest audit` does, with the stream
/// checks (docs/spec.md §9.4) limited to `window_start` and later when given
/// (`attest gate`): `{"reports": [...], "streams": [...]}` as JSON text.
pub fn audit_heartbeats(documents: &[Vec<u8>], e: Evidence, window_start: Option<Timestamp>) -> Result<String, String> {
    let (anchor, evidence, now) = e.into_core();
    let trust = anchor.verify();
    let ctx = VerifyContext::new(&trust, &evidence, now);
    let mut batch = attest_verifier::BatchVerifier::new();
    // Written as text around the reports' own serialization (no JSON value
    // tree: it would cost the module a second serializer per type).
    let mut out = String::from("{\"reports\":[");
    for (i, d) in documents.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&report_json(&batch.verify(d, &ctx).into_report())?);
    }
    out.push_str("],\"streams\":");
    let streams = batch.finish_streams(&ctx, window_start);
    out.push_str(&serde_json::to_string(&streams).map_err(|_| SERIALIZATION_FAILED.to_string())?);
    out.push('}');
    Ok(out)
}

/// The report as JSON text: the object `attest verify --format json` prints
/// (compact instead of pretty-printed).
pub fn report_json(report: &Report) -> Result<String, String> {
    serde_json::to_string(report).map_err(|_| SERIALIZATION_FAILED.to_string())
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
    match verify_chain(&refs, pinned, &opts) {
        Ok(chain) => {
            let n = chain.newest();
            json!({
                "valid": true,
                "length": chain.len(),
                "newest": {
                    "version": n.version(),
                    "digest": n.digest().to_hex(),
                    "issuedAt": n.issued_at().to_rfc3339(),
                    "expiresAt": n.expires_at().to_rfc3339(),
                },
                "detail": format!(
                    "chain of {} trust root(s); newest version {} (digest {}), expires {}",
                    chain.len(),
                    n.version(),
                    n.digest(),
                    n.expires_at()
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

/// Why a record proof could not be checked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofInputError {
    /// The proof or summary document is malformed.
    #[error("{what}: {error}")]
    Malformed {
        /// `proof` or `summary`.
        what: &'static str,
        /// The document problem.
        error: attest_verifier::doc::DocumentError,
    },
    /// The `root` option is not a lowercase hex SHA-256.
    #[error("root: {0}")]
    Root(attest_verifier::types::EncodingError),
    /// Not exactly one of `root` and `summary`.
    #[error("give exactly one of root and summary")]
    RootOrSummary,
}

/// Verifies a proof against a hex root or a summary document: the report.
pub fn proof_report(proof: &[u8], root: Option<&str>, summary: Option<&[u8]>) -> Result<Report, ProofInputError> {
    use attest_verifier::network::proof::{record_proof_report, ProofAnchor};
    use attest_verifier::network::{parse_record_proof_value, parse_summary_value};
    let malformed = |what| move |error| ProofInputError::Malformed { what, error };
    let value = attest_verifier::doc::parse_json(proof).map_err(malformed("proof"))?;
    let p = parse_record_proof_value(&value).map_err(malformed("proof"))?;
    match (root, summary) {
        (Some(r), None) => {
            let r = attest_verifier::types::Sha256Digest::from_hex(r).map_err(ProofInputError::Root)?;
            Ok(record_proof_report(&p, ProofAnchor::Root(r)))
        }
        (None, Some(s)) => {
            let v = attest_verifier::doc::parse_json(s).map_err(malformed("summary"))?;
            let s = parse_summary_value(&v).map_err(malformed("summary"))?;
            Ok(record_proof_report(&p, ProofAnchor::Summary(&s)))
        }
        _ => Err(ProofInputError::RootOrSummary),
    }
}
