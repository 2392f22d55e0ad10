//! Record inclusion proofs `attest.network-record-proof.v1` (formats.md §5):
//! building one from a log, parsing, and verifying against a root or a
//! summary. The tree is [`crate::merkle`] (RFC 9162 §2.1.3).

use attest_json::{Number, Object, Value};

use super::record::{log_lines, parse_log_line, parse_record_value};
use super::rules::{check_records, LogRules};
use super::summary::NetworkSummary;
use super::{NetworkError, NETWORK_RECORD_PROOF_TYPE};
use crate::doc::Problem;
use crate::doc::{err, DocResult, DocumentError, Members};
use crate::merkle;
use crate::report::Verified;
use crate::types::Sha256Digest;

/// [`merkle::tree_hash`] (the name this module always had).
pub fn merkle_root(leaves: &[Sha256Digest]) -> Sha256Digest {
    merkle::tree_hash(leaves)
}

/// [`merkle::inclusion_proof`] of leaf `index`, `None` when it is out of range.
pub fn inclusion_proof(leaves: &[Sha256Digest], index: usize) -> Option<Vec<Sha256Digest>> {
    merkle::inclusion_proof(leaves, u64::try_from(index).ok()?).ok()
}

/// [`merkle::root_from_inclusion_proof`], `None` if the proof is malformed
/// (index not below the tree size, or a path of another length than the
/// index and size determine).
pub fn root_from_inclusion_proof(
    leaf: &Sha256Digest,
    index: u64,
    tree_size: u64,
    path: &[Sha256Digest],
) -> Option<Sha256Digest> {
    merkle::root_from_inclusion_proof(leaf, index, tree_size, path).ok()
}

/// Why a record proof cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ProveError {
    /// The log is malformed or breaks a rule.
    #[error("{0}")]
    Log(#[from] NetworkError),
    /// No record has that seq.
    #[error("no record with seq {seq}: the log has {records} record(s)")]
    NoSuchRecord {
        /// Requested seq.
        seq: u64,
        /// Record count.
        records: u64,
    },
}

/// Builds the inclusion proof of record `seq` of a log after checking the
/// log's rules (`attest network prove`). Returns the proof and the summary
/// it proves against.
pub fn prove_log_record(
    log: &[u8],
    execution_id: &str,
    rules: &LogRules<'_>,
    seq: u64,
) -> Result<(RecordProof, NetworkSummary), ProveError> {
    let mut records = Vec::new();
    let mut wanted = None;
    for (i, line) in log_lines(log).enumerate() {
        let (v, r) = parse_log_line(line, i + 1)?;
        if i as u64 == seq {
            wanted = Some(v);
        }
        records.push(r);
    }
    let summary = check_records(&records, execution_id, rules)?;
    let leaves: Vec<Sha256Digest> = records.iter().map(|r| r.leaf).collect();
    let leaf = usize::try_from(seq).ok().and_then(|i| leaves.get(i));
    let proof = match (wanted, leaf, merkle::inclusion_proof(&leaves, seq)) {
        (Some(record), Some(&leaf), Ok(path)) => {
            Some(RecordProof { record, leaf, index: seq, tree_size: leaves.len() as u64, path })
        }
        _ => None,
    };
    match proof {
        Some(p) => Ok((p, summary)),
        None => Err(ProveError::NoSuchRecord { seq, records: records.len() as u64 }),
    }
}

/// An inclusion proof of one record.
#[derive(Debug, Clone)]
pub struct RecordProof {
    /// The record object.
    pub record: Value,
    /// Its leaf hash.
    pub leaf: Sha256Digest,
    /// Leaf index (its seq).
    pub index: u64,
    /// Tree size (record count).
    pub tree_size: u64,
    /// Sibling hashes, leaf to root.
    pub path: Vec<Sha256Digest>,
}

impl RecordProof {
    /// The proof document.
    pub fn to_value(&self) -> Value {
        let mut o = Object::new();
        let _ = o.insert("type".into(), Value::String(NETWORK_RECORD_PROOF_TYPE.into()));
        let _ = o.insert("record".into(), self.record.clone());
        let _ = o.insert("index".into(), Value::Number(Number::Int(self.index as i64)));
        let _ = o.insert("treeSize".into(), Value::Number(Number::Int(self.tree_size as i64)));
        let _ = o.insert("path".into(), Value::Array(self.path.iter().map(|d| Value::String(d.to_hex())).collect()));
        Value::Object(o)
    }

    /// The root this proof leads to, if well-formed.
    pub fn root(&self) -> Option<Sha256Digest> {
        root_from_inclusion_proof(&self.leaf, self.index, self.tree_size, &self.path)
    }
}

/// Parses a proof document (the record is checked as a record).
pub fn parse_record_proof_value(v: &Value) -> DocResult<RecordProof> {
    let m = Members::of(v, "$")?;
    m.expect_type(NETWORK_RECORD_PROOF_TYPE)?;
    m.only(&["type", "record", "index", "treeSize", "path"])?;
    let record_value = m.req("record")?;
    let record = parse_record_value(record_value, &m.path("record"))?;
    let index = m.uint("index")?;
    if record.seq != index {
        return err(m.path("index"), Problem::IndexMismatch { index, seq: record.seq });
    }
    let pp = m.path("path");
    let mut path = Vec::new();
    for (i, h) in m.array("path")?.iter().enumerate() {
        let Value::String(s) = h else {
            return err(format!("{pp}[{i}]"), "expected a hex hash");
        };
        path.push(
            Sha256Digest::from_hex(s)
                .map_err(|e| DocumentError::Member { path: format!("{pp}[{i}]"), problem: e.into() })?,
        );
    }
    Ok(RecordProof { record: record_value.clone(), leaf: record.leaf, index, tree_size: m.uint("treeSize")?, path })
}

/// A record proven to be leaf `index` of the tree of `tree_size` leaves with `root`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncludedRecord {
    /// Leaf index (the record's seq).
    pub index: u64,
    /// Tree size.
    pub tree_size: u64,
    /// The record's leaf hash.
    pub leaf: Sha256Digest,
    /// The root it is included under.
    pub root: Sha256Digest,
}

/// Why an inclusion proof is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The path does not fit the index and tree size (RFC 9162 §2.1.3.2 fails).
    #[error("malformed proof: {path_len} path hashes do not fit index {index} of a tree of {tree_size}")]
    Malformed {
        /// Path length.
        path_len: usize,
        /// Index.
        index: u64,
        /// Tree size.
        tree_size: u64,
    },
    /// The proof leads to another root.
    #[error("proof leads to root {computed}, expected {expected}")]
    WrongRoot {
        /// Expected root.
        expected: Sha256Digest,
        /// Root the proof leads to.
        computed: Sha256Digest,
    },
    /// The proof is for a tree of another size than the summary's.
    #[error("proof is for a tree of {proof} record(s), the summary has {summary}")]
    TreeSize {
        /// Proof's tree size.
        proof: u64,
        /// Summary's record count.
        summary: u64,
    },
}

/// Verifies a proof against a summary: its `treeSize` must be the summary's
/// `records` and it must lead to the summary's `root`.
pub fn verify_record_proof_against_summary(
    proof: &RecordProof,
    summary: &NetworkSummary,
) -> Result<Verified<IncludedRecord>, ProofError> {
    if proof.tree_size != summary.records {
        return Err(ProofError::TreeSize { proof: proof.tree_size, summary: summary.records });
    }
    verify_record_proof(proof, &summary.root)
}

/// What a record proof is checked against.
#[derive(Debug, Clone, Copy)]
pub enum ProofAnchor<'a> {
    /// A Merkle root (hex given by the caller).
    Root(Sha256Digest),
    /// A network summary: its `records` and `root`.
    Summary(&'a NetworkSummary),
}

/// The checks of a record proof's report: it parsed (the caller parsed it),
/// and `network`: the record is included under the anchor.
pub const RECORD_PROOF_PLAN: crate::report::Plan = crate::report::Plan {
    doc_type: NETWORK_RECORD_PROOF_TYPE,
    checks: &[(crate::report::CheckId::Parse, true), (crate::report::CheckId::Network, true)],
};

/// A proof's verdict as a report (WASM `verifyRecordProof`): `parse`
/// passes (the proof is parsed), `network` passes when the record is
/// included under the anchor, else fails with `not-included` (another root,
/// a path that does not fit) or `summary` (the summary's size differs).
pub fn record_proof_report(proof: &RecordProof, anchor: ProofAnchor<'_>) -> crate::report::Report {
    use crate::reason::Reason;
    use crate::report::{CheckId, ReportBuilder};
    let mut r = ReportBuilder::new(RECORD_PROOF_PLAN);
    r.pass(CheckId::Parse, format!("record {} of a tree of {}", proof.index, proof.tree_size));
    let outcome = match anchor {
        ProofAnchor::Root(root) => verify_record_proof(proof, &root),
        ProofAnchor::Summary(s) => verify_record_proof_against_summary(proof, s),
    };
    match outcome {
        Ok(v) => {
            let v = v.into_inner();
            r.pass(
                CheckId::Network,
                format!("record {} is included in the log of {} record(s) with root {}", v.index, v.tree_size, v.root),
            );
        }
        Err(e) => {
            let reason = match e {
                ProofError::TreeSize { .. } => Reason::Summary,
                _ => Reason::NotIncluded,
            };
            r.fail(CheckId::Network, reason, e.to_string());
        }
    }
    r.finish()
}

/// Verifies a proof against a root.
pub fn verify_record_proof(proof: &RecordProof, root: &Sha256Digest) -> Result<Verified<IncludedRecord>, ProofError> {
    match proof.root() {
        None => {
            Err(ProofError::Malformed { path_len: proof.path.len(), index: proof.index, tree_size: proof.tree_size })
        }
        Some(r) if &r == root => Ok(Verified::new(IncludedRecord {
            index: proof.index,
            tree_size: proof.tree_size,
            leaf: proof.leaf,
            root: r,
        })),
        Some(r) => Err(ProofError::WrongRoot { expected: *root, computed: r }),
    }
}
