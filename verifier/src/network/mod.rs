//! Network logs, summaries and record proofs (formats.md §5).
//!
//! ```text
//! log          = JSON Lines, one record per line, seq contiguous from 0
//! leaf(r)      = SHA-256(0x00 ‖ JCS(r))
//! node(l, r)   = SHA-256(0x01 ‖ l ‖ r)
//! root         = RFC 9162 §2.1 Merkle tree hash of the leaves in seq order; empty tree SHA-256("")
//! summary      = {type, executionId, records, dns, requests, responses, hosts, firstAt, lastAt, root}
//! networkSummaryHash = digest(summary) = SHA-256(M(summary))
//! ```
//!
//! Rules of the `network` check, each failure naming the record's `seq`:
//! `seq` (contiguous from 0), `order` (`at` never decreases), `binding`
//! (a response names an earlier request that has no other response), `https`
//! (every request is `https` unless plain http is explicitly allowed), `tls`
//! (https responses carry TLS facts, http ones `null`), `dns` (a request's
//! host has an earlier `dns` record, IP literals excepted), `allow-host`
//! (with an allow list, every host is listed), and `summary` (the log
//! recomputes the attested summary).
//!
//! # Decisions where formats.md §5 is silent
//!
//! - **Lines.** Every line is one JSON object parsed strictly (§0: duplicate
//!   keys, lone surrogates, out-of-range integers refused; 16 MiB per line,
//!   depth 128). One final `\n` is optional; any other empty line, including
//!   a blank line in the middle or a `\n\n` ending, is a malformed record.
//!   `\r` before `\n` is JSON whitespace and therefore tolerated, but the
//!   recorder writes every line as exactly `C(r)` followed by `\n`, so a log
//!   it writes is byte-for-byte the bytes that are hashed. The leaf hash never
//!   depends on the line's own spelling: it is computed over `C(r)` of the
//!   parsed record.
//! - **Members.** Each kind has exactly the members of §5; a missing or
//!   unknown member is a malformed record. `bodySha256` is **required** on
//!   requests and responses, and is `SHA-256("")` for an empty body
//!   (`e3b0c442…b855`). `tls` is required on responses (an object or `null`).
//!   `name`, `rrtype`, `method`, `url`, `version` and `cipherSuite` are
//!   non-empty strings; `resolver` and `serverName` may be empty (no SNI is
//!   sent to an IP literal, so its `serverName` is `""`). `answers` may be
//!   empty (a negative answer). DNS names compare case-insensitively (they
//!   are lowercased when read). Header names are non-empty and lowercase;
//!   a header value is a string or exactly `{"sha256": hex}`.
//! - **URLs.** Only `http://` and `https://`; the host is the authority
//!   without userinfo and port, lowercased; IPv4 dotted quads and bracketed
//!   IPv6 literals are IP literals and need no `dns` record.
//! - **Empty log.** A log of zero records (an empty file, or a single `\n`)
//!   is valid: `records`, `dns`, `requests`, `responses` are 0, `hosts` is
//!   `[]`, `firstAt` and `lastAt` are `null`, and `root` is `SHA-256("")`
//!   (`e3b0c442…b855`), the RFC 9162 empty-tree hash.
//! - **Times.** `at` is an RFC 3339 UTC timestamp (§0); `order` compares the
//!   instants, so `…:59.5Z` and `…:59.500Z` are equal and allowed in
//!   sequence. `firstAt`/`lastAt` copy the record's text unchanged.
//! - **Plain http.** The `network` check of `attest verify` never allows
//!   plain `http` requests: an unauthenticated exchange cannot be attested.
//!   [`LogRules::allow_http`] exists for recording and summarizing
//!   (`attest fetch --allow-http`, `attest network summarize --allow-http`);
//!   such a log has responses with `"tls": null` and is refused by `verify`
//!   with the rule `https`.
//! - **executionId.** The log does not carry the execution id. When an
//!   attestation is verified, the summary is recomputed with the
//!   attestation's `executionId`; `attest network summarize` takes it from
//!   `--execution-id` (default `""`).
//! - **Statuses.** `status` is any non-negative integer the log records (the
//!   recorder writes the HTTP status code as received); `requestSeq` must
//!   name an earlier `request` record (not a `dns` or `response` record).
//! - **Proofs.** `index` equals the record's `seq`; `treeSize` is the record
//!   count; `path` lists sibling hashes from the leaf up (RFC 9162
//!   §2.1.3.1), so its length is at most ⌈log2(treeSize)⌉. A proof checked
//!   against a summary also needs `treeSize = summary.records`.
//!
//! # Modules
//!
//! - [`record`]: parsing one record and a log (the member rules above).
//! - [`rules`]: the `network` check's rules over parsed records, and the
//!   summary they recompute.
//! - [`summary`]: the summary document.
//! - [`proof`]: record inclusion proofs (`attest.network-record-proof.v1`).
//!
//! The Merkle tree itself is [`crate::merkle`]; the tree functions kept here
//! ([`merkle_root`], [`inclusion_proof`], [`root_from_inclusion_proof`],
//! [`node_hash`]) are that module under the names this one always had.

use crate::doc::DocumentError;
use crate::reason::Reason;
use crate::types::Sha256Digest;

pub mod proof;
pub mod record;
pub mod rules;
pub mod summary;

pub use crate::merkle::{node_hash, LEAF_PREFIX, NODE_PREFIX};
pub use proof::{
    inclusion_proof, merkle_root, parse_record_proof_value, prove_log_record, root_from_inclusion_proof,
    verify_record_proof, verify_record_proof_against_summary, IncludedRecord, ProofError, ProveError, RecordProof,
};
pub use record::{
    log_lines, parse_log, parse_log_line, parse_record_value, parse_url_host, HeaderValue, Record, RecordBody, TlsFacts,
};
pub use rules::{check_log_against, check_records, summarize_log, LogRules};
pub use summary::{parse_summary_value, NetworkSummary};

/// Document type of network summaries.
pub const NETWORK_SUMMARY_TYPE: &str = "attest.network-summary.v1";
/// Document type of record inclusion proofs.
pub const NETWORK_RECORD_PROOF_TYPE: &str = "attest.network-record-proof.v1";

/// Why a log is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum NetworkError {
    /// A line is not a valid record.
    #[error("line {line}: {error}")]
    Record {
        /// 1-based line number.
        line: usize,
        /// The problem.
        error: DocumentError,
    },
    /// A rule of §5 is broken.
    #[error("record seq {seq}: rule `{rule}`: {detail}")]
    Rule {
        /// The record.
        seq: u64,
        /// The rule id.
        rule: Reason,
        /// What is wrong.
        detail: String,
    },
    /// The recomputed summary does not hash to the attested value.
    #[error("the log's summary digest {computed} is not the attested networkSummaryHash {expected}")]
    Summary {
        /// Attested.
        expected: Sha256Digest,
        /// Recomputed.
        computed: Sha256Digest,
    },
}

impl NetworkError {
    /// Stable reason code (the rule id).
    pub fn reason(&self) -> Reason {
        match self {
            NetworkError::Record { .. } => Reason::MalformedRecord,
            NetworkError::Rule { rule, .. } => *rule,
            NetworkError::Summary { .. } => Reason::Summary,
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests;
