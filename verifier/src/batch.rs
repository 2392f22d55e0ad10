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

use crate::doc::DocumentError;
use crate::evidence::VerifyContext;
use crate::reason::Reason;
use crate::registry::{self, Document};
use crate::replay::ReplayTracker;
use crate::report::{CheckId, Outcome, Plan, Report, ReportBuilder};
use crate::types::Ed25519PublicKey;

/// The plan of a document whose kind could not be told.
pub const UNKNOWN_PLAN: Plan = Plan { doc_type: "unknown", checks: &[(CheckId::Parse, true)] };

/// What the replay check looks at, taken only from a signature-verified item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReplayKey {
    pub(crate) execution_id: String,
    pub(crate) ephemeral: Option<Ed25519PublicKey>,
}

/// One item verified by its kind, waiting for the batch checks.
#[derive(Debug)]
pub struct Pending {
    builder: ReportBuilder,
    document: Option<Document>,
    replay: Option<ReplayKey>,
}

impl Pending {
    pub(crate) fn new(builder: ReportBuilder, document: Option<Document>, replay: Option<ReplayKey>) -> Self {
        Self { builder, document, replay }
    }

    /// A document that is not strict JSON (or has no known kind), reported under `plan`.
    pub(crate) fn parse_failure(plan: Plan, e: &DocumentError) -> Self {
        Self::from_document_error(ReportBuilder::new(plan), e)
    }

    /// A `parse` failure with the problem's reason and JSON path.
    pub(crate) fn from_document_error(mut builder: ReportBuilder, e: &DocumentError) -> Self {
        builder.fail_at(CheckId::Parse, e.reason(), Some(e.path().to_string()), e.to_string());
        builder.halted_at(CheckId::Parse);
        Self { builder, document: None, replay: None }
    }

    /// A `parse` failure without a path (unknown or unverifiable type).
    pub(crate) fn parse_refused(plan: Plan, reason: Reason, detail: String) -> Self {
        let mut builder = ReportBuilder::new(plan);
        builder.fail(CheckId::Parse, reason, detail);
        builder.halted_at(CheckId::Parse);
        Self { builder, document: None, replay: None }
    }

    /// Completes a single-document verification: `replay` is a batch check.
    pub(crate) fn single(&mut self) {
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

/// Verifies a batch in input order, tracking replay across every item it completes.
#[derive(Debug, Default)]
pub struct BatchVerifier {
    tracker: ReplayTracker,
    completed: usize,
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

    /// Step 2, in input order: the `replay` check, then the finished report.
    /// A replay names the earlier item by its 0-based index.
    pub fn complete(&mut self, item: Pending) -> Outcome<Document> {
        self.complete_named(item, &|i| format!("item {i}"))
    }

    /// [`BatchVerifier::complete`], naming the earlier item of a replay by
    /// `name_of(index)` (the CLI: `batch.jsonl:3` or the file name).
    pub fn complete_named(&mut self, mut item: Pending, name_of: &dyn Fn(usize) -> String) -> Outcome<Document> {
        let index = self.completed;
        self.completed += 1;
        if item.wants_replay() {
            match item.replay.take() {
                Some(key) => match self.tracker.observe(index, &key.execution_id, key.ephemeral.as_ref()) {
                    Ok(()) => item.builder.pass(
                        CheckId::Replay,
                        format!("first use of executionId {:?} in this batch", key.execution_id),
                    ),
                    Err(e) => item.builder.fail(CheckId::Replay, e.reason(), e.describe(&name_of(e.first()))),
                },
                None => item.builder.skip(
                    CheckId::Replay,
                    "not counted: the signature did not verify, so this item takes no part in replay",
                ),
            }
        }
        item.finish()
    }

    /// Both steps for one item.
    pub fn verify(&mut self, bytes: &[u8], ctx: &VerifyContext<'_>) -> Outcome<Document> {
        let item = Self::prepare(bytes, ctx);
        self.complete(item)
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
