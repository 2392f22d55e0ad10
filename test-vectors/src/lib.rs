//! Golden vectors: the shared contract every surface runs.
//!
//! Each vector is one JSON file in `test-vectors/vectors/`, loaded through
//! [`Vector`]. It carries the exact bytes of every input (documents as
//! strings, binary inputs as base64) and the expected verdict:
//! `expect` is `accept` or `reject:<check-id>`, where `<check-id>` is the
//! first failed check in report order, and `reason` (on rejections) the
//! stable reason code of that check. Batch vectors (`documents`) give one
//! expectation per item in `expectEach` and exercise the `replay` check.
//! `onchain` gives the verdict the contract must reach for vectors whose
//! attestation carries EIP-712 signatures.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// A directory entry of a bundle given to the verifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VectorEntry {
    /// `/`-separated path relative to the bundle directory.
    pub path: String,
    /// `file`, `symlink` or `other`.
    pub kind: String,
    /// Contents (files), base64.
    #[serde(default)]
    pub base64: String,
}

/// A bundle given to the verifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VectorBundle {
    /// Manifest text.
    pub manifest: String,
    /// Directory entries (absent: only the manifest file is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entries: Option<Vec<VectorEntry>>,
}

/// The on-chain expectation of a vector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OnchainExpectation {
    /// `accept` or `reject:<reason>` with the reason codes the contract errors mirror.
    pub expect: String,
    /// Whether the contract's master registry should be set up from the trust
    /// root (secp256k1 attestor-master keys with their windows, revoked ones revoked).
    pub register_masters: bool,
}

/// The expected stream checks of one heartbeat stream of a batch vector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StreamExpectation {
    /// The stream name.
    pub stream: String,
    /// `accept` or `reject:<first failed stream check>`.
    pub expect: String,
    /// Reason of the first failed stream check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `healthy`, `missing`, `invalid` or `drift`.
    pub health: String,
}

/// The TEE inputs of a vector (docs/spec.md §13): bindings given with the
/// document (`--tee-binding`), and the root CA DCAP quotes are verified
/// under when it is not Intel's (`--tee-root-ca`). Present on every `tee/*`
/// vector (a surface without TEE verification skips them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VectorTee {
    /// Binding documents, exact text, in order.
    #[serde(default)]
    pub bindings: Vec<String>,
    /// The test root CA (DER, base64); absent: Intel's SGX Root CA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_ca: Option<String>,
}

/// One golden vector.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Vector {
    /// Unique name, `/`-separated, also the file stem with `/` → `__`.
    pub name: String,
    /// The rule the vector pins.
    pub description: String,
    /// `accept` or `reject:<check-id>` (first failed check).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub expect: String,
    /// Reason code of the first failed check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For `parse` failures inside the document: the JSON path of the problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Verification time (RFC 3339).
    pub now: String,
    /// Rollback floor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_trust_root_version: Option<u64>,
    /// Pinned root keys (hex).
    pub root_keys: Vec<String>,
    /// Trust-root chain, oldest first, exact text.
    pub trust_roots: Vec<String>,
    /// The document, exact text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// The document as base64 (for bytes that are not UTF-8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_base64: Option<String>,
    /// Batch: documents, exact text (the `replay` check).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
    /// Batch: one `accept`/`reject:<check-id>` per document.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expect_each: Vec<String>,
    /// Batch: the reason of each document's first failed check (`""` when accepted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reason_each: Vec<String>,
    /// Batch of heartbeats: the stream checks, one per stream, sorted by stream name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expect_streams: Vec<StreamExpectation>,
    /// Batch of heartbeats: the start of the window checked (RFC 3339), as `attest gate --window`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_start: Option<String>,
    /// Heartbeat policy, exact text (`--heartbeat-policy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat_policy: Option<String>,
    /// Signals JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signals: Option<String>,
    /// Output bytes, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_base64: Option<String>,
    /// Bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<VectorBundle>,
    /// Network log, JSON Lines text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// Allowed hosts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_hosts: Vec<String>,
    /// On-chain expectation (vectors with EIP-712 signatures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onchain: Option<OnchainExpectation>,
    /// A C2SP tlog-proof of the document, exact text (`--log-proof`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_proof: Option<String>,
    /// The log's verifier key text (`--log-key`), with `logProof`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_key: Option<String>,
    /// A C2SP tlog-policy text (`--witness-policy`), with `logProof`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witness_policy: Option<String>,
    /// Pinned claims, in order (`--expect FIELD=VALUE`): `[field, value]` pairs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expect_claims: Vec<[String; 2]>,
    /// TEE bindings and root (`tee/*` vectors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tee: Option<VectorTee>,
}

impl Vector {
    /// A vector with its expectation and trust anchor, and no inputs yet
    /// (the generators fill in what each case needs).
    pub fn new(
        name: &str,
        description: &str,
        expect: &str,
        reason: Option<&str>,
        now: &str,
        root_keys: Vec<String>,
        trust_roots: Vec<String>,
    ) -> Self {
        Self {
            name: name.into(),
            description: description.into(),
            expect: expect.into(),
            reason: reason.map(str::to_string),
            now: now.into(),
            root_keys,
            trust_roots,
            ..Self::default()
        }
    }

    /// The document bytes.
    pub fn document_bytes(&self) -> Vec<u8> {
        match (&self.document, &self.document_base64) {
            (Some(d), _) => d.as_bytes().to_vec(),
            (None, Some(b)) => b64(b),
            (None, None) => Vec::new(),
        }
    }

    /// Output bytes.
    pub fn output_bytes(&self) -> Option<Vec<u8>> {
        self.output_base64.as_deref().map(b64)
    }

    /// File name of this vector.
    pub fn file_name(&self) -> String {
        format!("{}.json", self.name.replace('/', "__"))
    }
}

/// Decodes base64 (standard, padded); invalid input gives empty bytes, which
/// makes the vector fail loudly rather than pass.
pub fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap_or_default()
}

/// Encodes base64.
pub fn to_b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// The committed vector directory.
pub fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

/// Loads every vector, sorted by file name.
pub fn load_all() -> Result<Vec<Vector>, String> {
    let dir = vectors_dir();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))
        })
        .collect()
}

/// Runs vectors through the Rust verifier exactly as `attest verify` does.
pub mod run {
    use attest_verifier::bundle::EntryKind;
    use attest_verifier::checkpoint::VerifierKey;
    use attest_verifier::heartbeat::{parse_heartbeat_policy, StreamReport};
    use attest_verifier::tlog_proof::LogProofEvidence;
    use attest_verifier::trust_root::ChainOptions;
    use attest_verifier::types::Ed25519PublicKey;
    use attest_verifier::{
        verify_document, BatchVerifier, BundleEvidence, BundleFile, Evidence, Report, Timestamp, TrustAnchor,
        TrustOutcome, VerifyContext,
    };

    use super::{b64, Vector};

    /// A vector's inputs as the core takes them.
    pub struct Owned {
        anchor: TrustAnchor,
        evidence: Evidence,
        now: Timestamp,
        dcap: attest_tee_verifier::DcapVerifier,
    }

    impl Owned {
        /// Decodes a vector's inputs.
        pub fn new(v: &Vector) -> Result<Self, String> {
            let now = Timestamp::parse(&v.now).map_err(|e| format!("now: {e}"))?;
            let pinned = v
                .root_keys
                .iter()
                .map(|k| Ed25519PublicKey::from_hex(k).map_err(|e| format!("rootKeys: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            let files = v.bundle.as_ref().and_then(|b| b.entries.as_ref()).map(|es| {
                es.iter()
                    .map(|e| {
                        let kind = match e.kind.as_str() {
                            "file" => EntryKind::File,
                            "symlink" => EntryKind::Symlink,
                            _ => EntryKind::Other,
                        };
                        BundleFile { path: e.path.clone(), kind, bytes: b64(&e.base64) }
                    })
                    .collect()
            });
            let docs = v
                .trust_roots
                .iter()
                .enumerate()
                .map(|(i, t)| (format!("trustRoots[{i}]"), t.as_bytes().to_vec()))
                .collect();
            let evidence = Evidence {
                signals: v.signals.as_ref().map(|s| s.as_bytes().to_vec()),
                output: v.output_bytes(),
                bundle: v
                    .bundle
                    .as_ref()
                    .map(|b| BundleEvidence { manifest: b.manifest.as_bytes().to_vec(), files: files.clone() }),
                network: v.network.as_ref().map(|n| n.as_bytes().to_vec()),
                allow_hosts: v.allow_hosts.clone(),
                heartbeat_policy: match &v.heartbeat_policy {
                    None => None,
                    Some(p) => Some(parse_heartbeat_policy(p.as_bytes()).map_err(|e| format!("heartbeatPolicy: {e}"))?),
                },
                expect: v.expect_claims.iter().map(|[f, x]| (f.clone(), x.clone())).collect(),
                // Attesto vectors pin their key through a trust-root `witness` key.
                attesto_keys: Vec::new(),
                log_proof: match (&v.log_proof, &v.log_key) {
                    (None, None) => None,
                    (Some(proof), Some(key)) => Some(LogProofEvidence {
                        proof: proof.as_bytes().to_vec(),
                        log_key: VerifierKey::parse(key).map_err(|e| format!("logKey: {e}"))?,
                        witness_policy: v.witness_policy.as_ref().map(|p| p.as_bytes().to_vec()),
                    }),
                    _ => return Err("logProof and logKey go together".into()),
                },
                tee_bindings: v.tee.iter().flat_map(|t| t.bindings.iter().map(|b| b.as_bytes().to_vec())).collect(),
            };
            let dcap = match v.tee.as_ref().and_then(|t| t.root_ca.as_ref()) {
                None => attest_tee_verifier::DcapVerifier::intel(),
                Some(ca) => {
                    attest_tee_verifier::DcapVerifier::with_root_ca(&b64(ca)).map_err(|e| format!("tee.rootCa: {e}"))?
                }
            };
            let anchor = TrustAnchor::new(docs, pinned, ChainOptions { now, min_version: v.min_trust_root_version });
            Ok(Self { anchor, evidence, now, dcap })
        }

        /// The chain outcome for a subject document (a trust-root subject becomes the newest link).
        fn trust(&self, subject: &[u8]) -> TrustOutcome {
            self.anchor.verify_for_subject("document", subject).unwrap_or_else(|| self.anchor.verify())
        }
    }

    /// The verified trust-root chain of a vector (without a subject document).
    pub fn trust_outcome(v: &Vector) -> Result<TrustOutcome, String> {
        Ok(Owned::new(v)?.anchor.verify())
    }

    /// The report of a single-document vector.
    pub fn report(v: &Vector) -> Result<Report, String> {
        let o = Owned::new(v)?;
        let doc = v.document_bytes();
        let trust = o.trust(&doc);
        Ok(verify_document(&doc, &VerifyContext::new(&trust, &o.evidence, o.now).with_tee(&o.dcap)).into_report())
    }

    /// The reports of a batch vector, with the replay check applied in order.
    pub fn batch_reports(v: &Vector) -> Result<Vec<Report>, String> {
        Ok(batch_and_streams(v)?.0)
    }

    /// The reports of a batch vector and the stream checks of its heartbeats.
    pub fn batch_and_streams(v: &Vector) -> Result<(Vec<Report>, Vec<StreamReport>), String> {
        let o = Owned::new(v)?;
        let trust = o.anchor.verify();
        let ctx = VerifyContext::new(&trust, &o.evidence, o.now).with_tee(&o.dcap);
        let window_start = match &v.window_start {
            None => None,
            Some(w) => Some(Timestamp::parse(w).map_err(|e| format!("windowStart: {e}"))?),
        };
        let mut batch = BatchVerifier::new();
        let reports = v.documents.iter().map(|d| batch.verify(d.as_bytes(), &ctx).into_report()).collect();
        let streams = batch.finish_streams(&ctx, window_start);
        Ok((reports, streams))
    }

    /// `accept` or `reject:<first failed check>` of a report.
    pub fn verdict(r: &Report) -> String {
        r.verdict()
    }

    /// What a stream report says, in the form of a vector's `expectStreams` entry.
    pub fn stream_expectation(s: &StreamReport) -> super::StreamExpectation {
        super::StreamExpectation {
            stream: s.stream().to_string(),
            expect: s.report().verdict(),
            reason: s.report().first_failure().and_then(|c| c.reason).map(|r| r.as_str().to_string()),
            health: s.health().as_str().to_string(),
        }
    }

    /// Checks a vector against the verifier; returns a description of any mismatch.
    pub fn check(v: &Vector) -> Result<(), String> {
        if !v.documents.is_empty() {
            let (reports, streams) = batch_and_streams(v)?;
            let got: Vec<String> = reports.iter().map(verdict).collect();
            if got != v.expect_each {
                return Err(format!("{}: expected {:?}, got {:?}", v.name, v.expect_each, got));
            }
            if !v.reason_each.is_empty() {
                let got: Vec<&str> = reports
                    .iter()
                    .map(|r| r.first_failure().and_then(|c| c.reason).map_or("", |r| r.as_str()))
                    .collect();
                if got != v.reason_each {
                    return Err(format!("{}: expected reasons {:?}, got {:?}", v.name, v.reason_each, got));
                }
            }
            let got: Vec<super::StreamExpectation> = streams.iter().map(stream_expectation).collect();
            if got != v.expect_streams {
                return Err(format!("{}: expected streams {:?}, got {:?}", v.name, v.expect_streams, got));
            }
            return Ok(());
        }
        let r = report(v)?;
        let got = verdict(&r);
        if got != v.expect {
            let detail = r
                .first_failure()
                .map(|c| format!(" ({}: {})", c.reason.map_or("", |r| r.as_str()), c.detail))
                .unwrap_or_default();
            return Err(format!("{}: expected {}, got {got}{detail}", v.name, v.expect));
        }
        let failure = r.first_failure();
        if let Some(reason) = &v.reason {
            let got_reason = failure.and_then(|c| c.reason).map_or("", |r| r.as_str());
            if got_reason != reason {
                return Err(format!("{}: expected reason {reason}, got {got_reason}", v.name));
            }
        }
        if let Some(path) = &v.path {
            let got_path = failure.and_then(|c| c.path.as_deref()).unwrap_or("");
            if got_path != path {
                return Err(format!("{}: expected path {path}, got {got_path}", v.name));
            }
        }
        Ok(())
    }
}
