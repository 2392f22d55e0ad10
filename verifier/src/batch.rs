//! Batch verification: many documents against one context, with the batch
//! `replay` check (formats.md §4; `attest audit`, WASM `verifyBatch`, the
//! vector runner).
//!
//! Verification has two steps so that callers can run the first in parallel:
//!
//! 1. [`BatchVerifier::prepare`] (pure, `&self`-free, any thread): every
//!    single-document check of the document's kind through its
//!    [`ReportBuilder`], not yet finished. An item whose signature verified
//!    carries its replay key (execution id, ephemeral key).
//! 2. [`BatchVerifier::complete`], in input order: the `replay` check, fed
//!    only by items whose signature verified (a forged copy of a genuine
//!    attestation, placed first, does not knock the genuine one out), then
//!    `finish()`. Nothing edits a report after that.
//! 3. [`BatchVerifier::finish_streams`]: the heartbeat stream checks over
//!    the signature-verified heartbeats of the batch (their own reports).

use crate::doc::DocumentError;
use crate::evidence::VerifyContext;
use crate::heartbeat::{self, StreamOptions, StreamReport};
use crate::reason::Reason;
use crate::registry::{self, Document};
use crate::replay::ReplayTracker;
use crate::report::{CheckId, Outcome, Plan, Report, ReportBuilder};
use crate::time::Timestamp;
use crate::types::Ed25519PublicKey;
#[cfg(feature = "heartbeat")]
use crate::types::Sha256Digest;

/// The plan of a document whose kind could not be told.
pub const UNKNOWN_PLAN: Plan = Plan { doc_type: "unknown", checks: &[(CheckId::Parse, true)] };

/// What the replay check looks at, taken only from a signature-verified item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReplayKey {
    /// An execution attestation.
    Execution { execution_id: String, ephemeral: Option<Ed25519PublicKey> },
    /// A heartbeat.
    #[cfg(feature = "heartbeat")]
    Heartbeat { attestation_id: String, digest: Sha256Digest },
}

/// One item verified by its kind, waiting for the batch checks.
#[derive(Debug)]
pub struct Pending {
    builder: ReportBuilder,
    document: Option<Document>,
    replay: Option<ReplayKey>,
    #[cfg(feature = "heartbeat")]
    heartbeat: Option<Box<heartbeat::Deferred>>,
}

impl Pending {
    pub(crate) fn new(builder: ReportBuilder, document: Option<Document>, replay: Option<ReplayKey>) -> Self {
        Self {
            builder,
            document,
            replay,
            #[cfg(feature = "heartbeat")]
            heartbeat: None,
        }
    }

    /// A heartbeat's checks that depend on single or batch verification (`freshness`).
    #[cfg(feature = "heartbeat")]
    pub(crate) fn with_heartbeat(mut self, deferred: heartbeat::Deferred) -> Self {
        self.heartbeat = Some(Box::new(deferred));
        self
    }

    /// The report being built (for checks the evidence adds to any kind).
    #[cfg(any(feature = "log-proof", feature = "expect"))]
    pub(crate) fn builder_mut(&mut self) -> &mut ReportBuilder {
        &mut self.builder
    }

    /// The document as parsed by its kind's verification, if it got that far.
    #[cfg(feature = "expect")]
    pub(crate) fn document(&self) -> Option<&Document> {
        self.document.as_ref()
    }

    /// A document that is not strict JSON (or has no known kind), reported under `plan`.
    pub(crate) fn parse_failure(plan: Plan, e: &DocumentError) -> Self {
        Self::from_document_error(ReportBuilder::new(plan), e)
    }

    /// A `parse` failure with the problem's reason and JSON path.
    pub(crate) fn from_document_error(mut builder: ReportBuilder, e: &DocumentError) -> Self {
        builder.fail_at(CheckId::Parse, e.reason(), Some(e.path().to_string()), e.to_string());
        builder.halted_at(CheckId::Parse);
        Self {
            builder,
            document: None,
            replay: None,
            #[cfg(feature = "heartbeat")]
            heartbeat: None,
        }
    }

    /// A `parse` failure without a path (unknown or unverifiable type).
    pub(crate) fn parse_refused(plan: Plan, reason: Reason, detail: String) -> Self {
        let mut builder = ReportBuilder::new(plan);
        builder.fail(CheckId::Parse, reason, detail);
        builder.halted_at(CheckId::Parse);
        Self {
            builder,
            document: None,
            replay: None,
            #[cfg(feature = "heartbeat")]
            heartbeat: None,
        }
    }

    /// Completes a single-document verification: `replay` is a batch check.
    pub(crate) fn single(&mut self, ctx: &VerifyContext<'_>) {
        #[cfg(feature = "heartbeat")]
        if let Some(d) = self.heartbeat.as_deref() {
            if !self.builder.is_halted() {
                heartbeat::freshness(&mut self.builder, d, ctx.now, false);
            }
        }
        #[cfg(not(feature = "heartbeat"))]
        let _ = ctx;
        if self.wants_replay() {
            self.builder.skip(CheckId::Replay, "single document: replay is checked across a batch by `attest audit`");
        }
    }

    fn wants_replay(&self) -> bool {
        !self.builder.is_halted()
            && !self.builder.is_set(CheckId::Replay)
            && self.builder.plan().checks.iter().any(|(c, _)| *c == CheckId::Replay)
    }

    pub(crate) fn finish_parts(self) -> (Report, Option<Document>) {
        (self.builder.finish(), self.document)
    }

    fn finish(self) -> Outcome<Document> {
        let (report, document) = self.finish_parts();
        Outcome::new(report, document)
    }
}

/// Verifies a batch in input order, tracking replay across every item it
/// completes, and collecting signature-verified heartbeats for the stream
/// checks ([`BatchVerifier::finish_streams`]).
#[derive(Debug, Default)]
pub struct BatchVerifier {
    tracker: ReplayTracker,
    completed: usize,
    streams: Vec<heartbeat::stream::Item>,
}

impl BatchVerifier {
    /// A verifier for a new batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Step 1 for one item: every single-document check (pure; may run on any thread).
    pub fn prepare(bytes: &[u8], ctx: &VerifyContext<'_>) -> Pending {
        registry::prepare(bytes, ctx)
    }

    /// Step 2, in input order: the batch checks (`replay`; a heartbeat's
    /// `freshness` as history), then the finished report. A replay names the
    /// earlier item by its 0-based index.
    pub fn complete(&mut self, ctx: &VerifyContext<'_>, item: Pending) -> Outcome<Document> {
        self.complete_named(ctx, item, &|i| format!("item {i}"))
    }

    /// [`BatchVerifier::complete`], naming the earlier item of a replay by
    /// `name_of(index)` (the CLI: `batch.jsonl:3` or the file name).
    pub fn complete_named(
        &mut self,
        ctx: &VerifyContext<'_>,
        mut item: Pending,
        name_of: &dyn Fn(usize) -> String,
    ) -> Outcome<Document> {
        let index = self.completed;
        self.completed += 1;
        #[cfg(feature = "heartbeat")]
        let deferred = item.heartbeat.take();
        #[cfg(feature = "heartbeat")]
        if let Some(d) = deferred.as_deref() {
            if !item.builder.is_halted() {
                heartbeat::freshness(&mut item.builder, d, ctx.now, true);
            }
        }
        #[cfg(not(feature = "heartbeat"))]
        let _ = ctx;
        let mut replay_ok = false;
        if item.wants_replay() {
            let seen = match item.replay.take() {
                Some(ReplayKey::Execution { execution_id, ephemeral }) => Some(
                    self.tracker
                        .observe(index, &execution_id, ephemeral.as_ref())
                        .map(|()| format!("first use of executionId {execution_id:?} in this batch")),
                ),
                #[cfg(feature = "heartbeat")]
                Some(ReplayKey::Heartbeat { attestation_id, digest }) => {
                    Some(self.tracker.observe_heartbeat(index, &attestation_id, &digest).map(|()| {
                        format!("first use of attestation_id {attestation_id:?} and digest {digest} in this batch")
                    }))
                }
                None => None,
            };
            match seen {
                Some(Ok(detail)) => {
                    replay_ok = true;
                    item.builder.pass(CheckId::Replay, detail);
                }
                Some(Err(e)) => item.builder.fail(CheckId::Replay, e.reason(), e.describe(&name_of(e.first()))),
                None => item.builder.skip(
                    CheckId::Replay,
                    "not counted: the signature did not verify, so this item takes no part in replay",
                ),
            }
        }
        let outcome = item.finish();
        #[cfg(feature = "heartbeat")]
        if let Some(heartbeat) = deferred.and_then(|d| d.signed).filter(|_| replay_ok) {
            let valid = outcome.report().valid();
            self.streams.push(heartbeat::stream::Item { index, heartbeat, valid, rank: 0 });
        }
        #[cfg(not(feature = "heartbeat"))]
        let _ = replay_ok;
        outcome
    }

    /// The stream checks over every signature-verified, non-replayed
    /// heartbeat completed so far (formats.md §7), one report per stream.
    /// `max_gap_seconds` is the context's heartbeat policy's (or the default).
    pub fn finish_streams(&mut self, ctx: &VerifyContext<'_>, window_start: Option<Timestamp>) -> Vec<StreamReport> {
        let max_gap_seconds = ctx
            .evidence
            .heartbeat_policy
            .as_ref()
            .map(|p| p.windows().max_gap_seconds)
            .unwrap_or(heartbeat::payload::DEFAULT_MAX_GAP_SECONDS);
        let opts = StreamOptions { now: ctx.now, max_gap_seconds, window_start };
        heartbeat::stream::check_items(std::mem::take(&mut self.streams), &opts)
    }

    /// Both steps for one item.
    pub fn verify(&mut self, bytes: &[u8], ctx: &VerifyContext<'_>) -> Outcome<Document> {
        let item = Self::prepare(bytes, ctx);
        self.complete(ctx, item)
    }

    /// Items completed so far.
    pub fn completed(&self) -> usize {
        self.completed
    }
}

/// Verifies a whole batch sequentially.
pub fn verify_batch(items: &[&[u8]], ctx: &VerifyContext<'_>) -> Vec<Outcome<Document>> {
    let mut b = BatchVerifier::new();
    items.iter().map(|bytes| b.verify(bytes, ctx)).collect()
}
