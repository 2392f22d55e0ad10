//! Auditing verified witness receipts: monotonic progression per
//! (witness_id, tenant_id, stream_id), and equivocation (docs/spec.md §12.5).
//!
//! Over the receipts of one stream, ordered by `checkpoint_seq_no`:
//!
//! - **equivocation** (proven): two receipts at one seq with different
//!   `checkpoint_hash`. Both verified under the pinned key, so the witness
//!   signed two histories. Same seq and same hash is one checkpoint (the
//!   package replays the stored receipt).
//! - **regression** (proven): a receipt at a higher seq accepted *before* one
//!   at a lower seq (`accepted_at`), i.e. the witness signed a stale checkpoint.
//! - **broken link** (proven): a receipt whose `previous_checkpoint_hash` is
//!   the hash of a receipt in the set that is not the one just below it
//!   (the witness accepted a checkpoint extending a head it had moved past).
//! - **gap** (not a failure): a receipt whose previous hash names no receipt
//!   of the set; the witness allows gaps and the set may be incomplete.
//!
//! Only receipts that verified take part (the caller passes them).

use std::collections::BTreeMap;

use super::receipt::WitnessReceipt;
use super::SeqNo;
use crate::types::Sha256Digest;

/// What an audit found in one stream.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Finding {
    /// Two receipts at one seq with different hashes.
    Equivocation {
        /// The seq.
        seq: SeqNo,
        /// The two receipts (caller's item indices) and their hashes.
        first: (usize, Sha256Digest),
        /// The later item.
        second: (usize, Sha256Digest),
    },
    /// A higher seq accepted before a lower one.
    Regression {
        /// The lower seq's item.
        lower: (usize, SeqNo),
        /// The higher seq's item, accepted earlier.
        higher: (usize, SeqNo),
    },
    /// A previous hash naming a receipt other than the one just below.
    BrokenLink {
        /// The item.
        item: usize,
        /// Its seq.
        seq: SeqNo,
        /// The seq its previous hash names.
        names_seq: SeqNo,
        /// The seq just below it in the set.
        below_seq: SeqNo,
    },
    /// A previous hash naming no receipt of the set.
    Gap {
        /// The item.
        item: usize,
        /// Its seq.
        seq: SeqNo,
    },
}

impl Finding {
    /// Whether this proves the witness misbehaved (a gap does not).
    pub fn is_proven(&self) -> bool {
        !matches!(self, Finding::Gap { .. })
    }

    /// The stable name: `equivocation`, `regression`, `broken-link`, `gap`.
    pub fn name(&self) -> &'static str {
        match self {
            Finding::Equivocation { .. } => "equivocation",
            Finding::Regression { .. } => "regression",
            Finding::BrokenLink { .. } => "broken-link",
            Finding::Gap { .. } => "gap",
        }
    }

    /// A sentence naming the items through `name_of`.
    pub fn describe(&self, name_of: &dyn Fn(usize) -> String) -> String {
        match self {
            Finding::Equivocation { seq, first, second } => format!(
                "equivocation (proven): seq {seq} is signed with checkpoint_hash {} in {} and {} in {}",
                first.1,
                name_of(first.0),
                second.1,
                name_of(second.0)
            ),
            Finding::Regression { lower, higher } => format!(
                "regression (proven): seq {} in {} was accepted before seq {} in {}",
                higher.1,
                name_of(higher.0),
                lower.1,
                name_of(lower.0)
            ),
            Finding::BrokenLink { item, seq, names_seq, below_seq } => format!(
                "broken link (proven): seq {seq} in {} extends seq {names_seq}, but seq {below_seq} lies between",
                name_of(*item)
            ),
            Finding::Gap { item, seq } => format!(
                "gap: the previous checkpoint of seq {seq} in {} is not in this set (allowed; the set may be incomplete)",
                name_of(*item)
            ),
        }
    }
}

/// The audit of one (witness_id, tenant_id, stream_id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamAudit {
    witness_id: String,
    tenant_id: String,
    stream_id: String,
    receipts: usize,
    lowest: Option<SeqNo>,
    highest: Option<SeqNo>,
    findings: Vec<Finding>,
}

impl StreamAudit {
    /// The witness.
    pub fn witness_id(&self) -> &str {
        &self.witness_id
    }
    /// The tenant.
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }
    /// The stream.
    pub fn stream_id(&self) -> &str {
        &self.stream_id
    }
    /// Receipts of the stream (a replayed receipt counts once per item).
    pub fn receipts(&self) -> usize {
        self.receipts
    }
    /// Lowest seq.
    pub fn lowest(&self) -> Option<&SeqNo> {
        self.lowest.as_ref()
    }
    /// Highest seq.
    pub fn highest(&self) -> Option<&SeqNo> {
        self.highest.as_ref()
    }
    /// What was found, in seq order.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }
    /// Whether no proven misbehaviour was found.
    pub fn monotonic(&self) -> bool {
        !self.findings.iter().any(Finding::is_proven)
    }
}

type StreamKey = (String, String, String);

/// Audits verified receipts, given as (caller's item index, receipt), one
/// [`StreamAudit`] per stream in key order.
pub fn audit_receipts(items: &[(usize, &WitnessReceipt)]) -> Vec<StreamAudit> {
    let mut streams: BTreeMap<StreamKey, Vec<(usize, &WitnessReceipt)>> = BTreeMap::new();
    for (i, r) in items {
        let s = r.statement();
        let key = (s.witness_id().to_string(), s.tenant_id().to_string(), s.stream_id().to_string());
        streams.entry(key).or_default().push((*i, r));
    }
    streams.into_iter().map(|(key, receipts)| audit_stream(key, receipts)).collect()
}

fn audit_stream((witness_id, tenant_id, stream_id): StreamKey, items: Vec<(usize, &WitnessReceipt)>) -> StreamAudit {
    // One entry per seq: the first item at each seq (by input order); others equal to it are replays.
    let mut by_seq: BTreeMap<SeqNo, (usize, &WitnessReceipt)> = BTreeMap::new();
    let mut findings = Vec::new();
    for (i, r) in &items {
        let s = r.statement();
        match by_seq.get(s.checkpoint_seq_no()) {
            Some((j, first)) if first.statement().checkpoint_hash() != s.checkpoint_hash() => {
                findings.push(Finding::Equivocation {
                    seq: s.checkpoint_seq_no().clone(),
                    first: (*j, first.statement().checkpoint_hash()),
                    second: (*i, s.checkpoint_hash()),
                });
            }
            Some(_) => {}
            None => {
                by_seq.insert(s.checkpoint_seq_no().clone(), (*i, r));
            }
        }
    }
    let ordered: Vec<&(usize, &WitnessReceipt)> = by_seq.values().collect();
    let hash_to_seq: BTreeMap<Sha256Digest, &SeqNo> =
        ordered.iter().map(|(_, r)| (r.statement().checkpoint_hash(), r.statement().checkpoint_seq_no())).collect();
    for pair in ordered.windows(2) {
        let [(li, lower), (hi, higher)] = pair else { continue };
        let (l, h) = (lower.statement(), higher.statement());
        if h.accepted_at() < l.accepted_at() {
            findings.push(Finding::Regression {
                lower: (*li, l.checkpoint_seq_no().clone()),
                higher: (*hi, h.checkpoint_seq_no().clone()),
            });
        }
        match h.previous_checkpoint_hash() {
            Some(p) if p == l.checkpoint_hash() => {}
            Some(p) => match hash_to_seq.get(&p) {
                Some(names) => findings.push(Finding::BrokenLink {
                    item: *hi,
                    seq: h.checkpoint_seq_no().clone(),
                    names_seq: (*names).clone(),
                    below_seq: l.checkpoint_seq_no().clone(),
                }),
                None => findings.push(Finding::Gap { item: *hi, seq: h.checkpoint_seq_no().clone() }),
            },
            // No previous hash above the lowest receipt: the witness trusted it on first use
            // after the lower one, which it cannot have done with a head.
            None => findings.push(Finding::BrokenLink {
                item: *hi,
                seq: h.checkpoint_seq_no().clone(),
                names_seq: SeqNo("0".to_string()),
                below_seq: l.checkpoint_seq_no().clone(),
            }),
        }
    }
    StreamAudit {
        witness_id,
        tenant_id,
        stream_id,
        receipts: items.len(),
        lowest: by_seq.keys().next().cloned(),
        highest: by_seq.keys().next_back().cloned(),
        findings,
    }
}
