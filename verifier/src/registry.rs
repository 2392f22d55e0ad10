//! The one registry of document kinds.
//!
//! A document's `type` (for a DSSE envelope: its `payloadType`) selects one [`DocumentKind`]: its
//! plan of checks, its verification and its inspection. [`verify_document`],
//! [`crate::batch`], [`crate::inspect::decode`] and [`crate::chain_for_subject`]
//! read this table; the CLI, WASM and the vector runner call those. A new
//! document kind is one module plus one entry in [`KINDS`].

use attest_json::Value;

use crate::attestation::{self, ExecutionAttestation, ATTESTATION_PLAN, EXECUTION_ATTESTATION_TYPE};
use crate::batch::{Pending, UNKNOWN_PLAN};
use crate::bundle::{self, BundleManifest, BUNDLE_MANIFEST_PLAN, BUNDLE_MANIFEST_TYPE};
use crate::doc;
#[cfg(feature = "heartbeat")]
use crate::dsse;
use crate::evidence::VerifyContext;
use crate::fork::{self, ForkDocument, FORK_EVIDENCE_TYPE, FORK_PLAN};
use crate::heartbeat::HeartbeatDocument;
#[cfg(feature = "heartbeat")]
use crate::heartbeat::{self, HEARTBEAT_PAYLOAD_TYPE, HEARTBEAT_PLAN, HEARTBEAT_TYPE};
use crate::inspect;
use crate::network::{NETWORK_RECORD_PROOF_TYPE, NETWORK_SUMMARY_TYPE};
use crate::reason::Reason;
use crate::report::{Outcome, Plan};
use crate::trust_root::{self, TrustRoot, TRUST_ROOT_PLAN, TRUST_ROOT_TYPE};
use crate::types::KeyId;

/// A verified-document value of any kind (inside [`crate::Verified`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)] // one per verification, moved rarely
pub enum Document {
    /// `attest.execution-attestation.v1`.
    Attestation(ExecutionAttestation),
    /// `attest.trust-root.v1` (verified as the newest link of its chain).
    TrustRoot(TrustRoot),
    /// `attest.bundle-manifest.v1`.
    BundleManifest(BundleManifest),
    /// `attest.runtime-heartbeat.v1` in a DSSE envelope.
    Heartbeat(HeartbeatDocument),
    /// `attest.fork-evidence.v1`: a log's split view, under a pinned log key.
    ForkEvidence(ForkDocument),
    /// An Attesto Local Vault witness receipt (no `type`; docs/spec.md §12).
    AttestoReceipt(crate::attesto::receipt::ReceiptDocument),
    /// Attesto Local Vault fork evidence: the witness's signed claim.
    AttestoForkClaim(crate::attesto::claim::ForkClaimDocument),
    /// A captured Attesto Local Vault relay request (`attest.attesto-relay-request.v1`).
    AttestoRelay(crate::attesto::relay::RelayDocument),
    /// `attest.tee-binding.v1`: a trust-root key bound to a verified DCAP quote.
    #[cfg(feature = "tee")]
    TeeBinding(crate::tee::TeeBinding),
}

/// What a log indexes a verified document by (the ledger's `/v1/search`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SearchFields {
    /// A heartbeat's stream.
    pub stream: Option<String>,
    /// An attestation's `executionId`.
    pub execution_id: Option<String>,
    /// The signing key's id.
    pub signer_key_id: Option<KeyId>,
    /// The document's own time: `issuedAt`, a heartbeat's `timestamp`, `detectedAt`.
    pub time: Option<crate::Timestamp>,
}

impl Document {
    /// The members a log indexes this document by (one place for every kind).
    pub fn search_fields(&self) -> SearchFields {
        match self {
            Document::Attestation(a) => SearchFields {
                execution_id: Some(a.execution_id().to_string()),
                signer_key_id: Some(a.signer_key_id()),
                time: Some(a.issued_at()),
                ..SearchFields::default()
            },
            Document::TrustRoot(t) => SearchFields { time: Some(t.issued_at()), ..SearchFields::default() },
            Document::BundleManifest(b) => {
                SearchFields { signer_key_id: Some(b.signer_key_id()), ..SearchFields::default() }
            }
            Document::Heartbeat(h) => SearchFields {
                stream: Some(h.heartbeat().stream().to_string()),
                signer_key_id: Some(h.signer()),
                time: Some(crate::Timestamp::from_unix(h.heartbeat().timestamp(), 0)),
                ..SearchFields::default()
            },
            Document::ForkEvidence(f) => {
                SearchFields { time: Some(f.evidence().detected_at()), ..SearchFields::default() }
            }
            Document::AttestoReceipt(r) => {
                let s = r.receipt().statement();
                SearchFields {
                    stream: Some(s.stream_id().to_string()),
                    signer_key_id: Some(r.receipt().keys().public_key().key_id()),
                    time: Some(s.accepted_at()),
                    ..SearchFields::default()
                }
            }
            Document::AttestoForkClaim(f) => SearchFields {
                stream: Some(f.claim().stream_id().to_string()),
                signer_key_id: Some(f.claim().keys().public_key().key_id()),
                time: Some(f.claim().created_at()),
                ..SearchFields::default()
            },
            Document::AttestoRelay(r) => SearchFields {
                stream: Some(r.request().envelope().stream_id().to_string()),
                signer_key_id: Some(r.request().header_key().key_id()),
                time: Some(r.request().envelope().signed_at()),
                ..SearchFields::default()
            },
            #[cfg(feature = "tee")]
            Document::TeeBinding(b) => {
                SearchFields { signer_key_id: Some(b.key_id()), time: Some(b.bound_at()), ..SearchFields::default() }
            }
        }
    }
}

/// The fields `--expect FIELD=VALUE` can pin, with the kinds that have them.
pub const CLAIM_FIELDS: &[&str] = &[
    "policyId",
    "policyVersion",
    "runtimeVersion",
    "runtimeHash",
    "decision.action",
    "execution_state",
    "signerKeyId",
    "stream",
];

impl Document {
    /// A claim of the document by its `--expect` field name; `None` when the
    /// kind has no such claim (one place for every kind).
    pub fn claim(&self, field: &str) -> Option<String> {
        match (self, field) {
            (Document::Attestation(a), "policyId") => Some(a.policy_id().to_string()),
            (Document::Attestation(a), "policyVersion") => Some(a.policy_version().to_string()),
            (Document::Attestation(a), "runtimeVersion") => Some(a.runtime_version().to_string()),
            (Document::Attestation(a), "runtimeHash") => Some(a.runtime_hash().to_hex()),
            (Document::Attestation(a), "decision.action") => Some(a.decision().action().to_string()),
            (Document::Attestation(a), "execution_state") => Some(a.execution_state().as_str().to_string()),
            (Document::Attestation(a), "signerKeyId") => Some(a.signer_key_id().to_hex()),
            (Document::BundleManifest(b), "signerKeyId") => Some(b.signer_key_id().to_hex()),
            (Document::Heartbeat(h), "signerKeyId") => Some(h.signer().to_hex()),
            (Document::Heartbeat(h), "stream") => Some(h.heartbeat().stream().to_string()),
            #[cfg(feature = "tee")]
            (Document::TeeBinding(b), "signerKeyId") => Some(b.key_id().to_hex()),
            _ => None,
        }
    }
}

/// The `expect` check: each pinned claim equals the document's.
#[cfg(feature = "expect")]
fn check_expect(r: &mut crate::report::ReportBuilder, doc: Option<&Document>, expect: &[(String, String)]) {
    use crate::report::CheckId;
    let Some(doc) = doc else {
        r.skip(CheckId::Expect, "not checked: the document was not read");
        return;
    };
    for (field, want) in expect {
        match doc.claim(field) {
            None => {
                return r.fail(
                    CheckId::Expect,
                    Reason::UnknownClaim,
                    format!("{field} is not a claim of this document kind"),
                );
            }
            Some(got) if &got != want => {
                return r.fail(
                    CheckId::Expect,
                    Reason::ClaimMismatch,
                    format!("{field} is {got:?}, expected {want:?}"),
                );
            }
            Some(_) => {}
        }
    }
    let pinned: Vec<String> = expect.iter().map(|(f, v)| format!("{f}={v:?}")).collect();
    r.pass(CheckId::Expect, format!("claims as expected: {}", pinned.join(", ")));
}

type VerifyFn = fn(&Value, &VerifyContext<'_>) -> Pending;
type VerifyBytesFn = fn(&[u8], &VerifyContext<'_>) -> Pending;
type InspectFn = fn(&Value) -> Result<serde_json::Value, String>;

/// One document kind.
#[derive(Debug, Clone, Copy)]
pub struct DocumentKind {
    /// The `type` member (and signing domain); for a DSSE kind, its payload's `type`.
    pub doc_type: &'static str,
    /// For a kind signed in a DSSE envelope: the envelope's `payloadType`.
    pub dsse_payload_type: Option<&'static str>,
    /// Its checks in report order; `None` for kinds only inspected, not verified on their own.
    pub plan: Option<Plan>,
    /// A subject of this kind is verified as the newest link of the trust-root chain.
    pub extends_chain: bool,
    /// For a kind without a `type` member (Attesto documents): the top-level
    /// members that tell it. Such a kind is verified from its bytes
    /// (`verify_bytes`), never looked up by `type`.
    pub told_by_members: Option<&'static [&'static str]>,
    verify: Option<VerifyFn>,
    verify_bytes: Option<VerifyBytesFn>,
    pub(crate) inspect: InspectFn,
}

const ATTESTATION_KIND: DocumentKind = DocumentKind {
    doc_type: EXECUTION_ATTESTATION_TYPE,
    dsse_payload_type: None,
    plan: Some(ATTESTATION_PLAN),
    extends_chain: false,
    told_by_members: None,
    verify_bytes: None,
    verify: Some(attestation::verify_value),
    inspect: inspect::attestation,
};

const TRUST_ROOT_KIND: DocumentKind = DocumentKind {
    doc_type: TRUST_ROOT_TYPE,
    dsse_payload_type: None,
    plan: Some(TRUST_ROOT_PLAN),
    extends_chain: true,
    told_by_members: None,
    verify_bytes: None,
    verify: Some(trust_root::verify_value),
    inspect: inspect::trust_root,
};

const BUNDLE_MANIFEST_KIND: DocumentKind = DocumentKind {
    doc_type: BUNDLE_MANIFEST_TYPE,
    dsse_payload_type: None,
    plan: Some(BUNDLE_MANIFEST_PLAN),
    extends_chain: false,
    told_by_members: None,
    verify_bytes: None,
    verify: Some(bundle::verify_value),
    inspect: inspect::bundle_manifest,
};

const NETWORK_SUMMARY_KIND: DocumentKind = DocumentKind {
    doc_type: NETWORK_SUMMARY_TYPE,
    dsse_payload_type: None,
    plan: None,
    extends_chain: false,
    told_by_members: None,
    verify_bytes: None,
    verify: None,
    inspect: inspect::network_summary,
};

const RECORD_PROOF_KIND: DocumentKind = DocumentKind {
    doc_type: NETWORK_RECORD_PROOF_TYPE,
    dsse_payload_type: None,
    plan: None,
    extends_chain: false,
    told_by_members: None,
    verify_bytes: None,
    verify: None,
    inspect: inspect::record_proof,
};

const FORK_EVIDENCE_KIND: DocumentKind = DocumentKind {
    doc_type: FORK_EVIDENCE_TYPE,
    dsse_payload_type: None,
    plan: Some(FORK_PLAN),
    extends_chain: false,
    told_by_members: None,
    verify_bytes: None,
    verify: Some(fork::verify_value),
    inspect: inspect::fork_evidence,
};

#[cfg(feature = "attesto")]
const ATTESTO_RECEIPT_KIND: DocumentKind = DocumentKind {
    doc_type: crate::attesto::WITNESS_RECEIPT_KIND,
    dsse_payload_type: None,
    plan: Some(crate::attesto::receipt::RECEIPT_PLAN),
    extends_chain: false,
    told_by_members: Some(crate::attesto::receipt::TOLD_BY),
    verify: None,
    verify_bytes: Some(crate::attesto::receipt::verify_bytes),
    inspect: inspect::attesto,
};

#[cfg(feature = "attesto")]
const ATTESTO_FORK_KIND: DocumentKind = DocumentKind {
    doc_type: crate::attesto::FORK_EVIDENCE_KIND,
    dsse_payload_type: None,
    plan: Some(crate::attesto::claim::CLAIM_PLAN),
    extends_chain: false,
    told_by_members: Some(crate::attesto::claim::TOLD_BY),
    verify: None,
    verify_bytes: Some(crate::attesto::claim::verify_bytes),
    inspect: inspect::attesto,
};

#[cfg(feature = "attesto")]
const ATTESTO_RELAY_KIND: DocumentKind = DocumentKind {
    doc_type: crate::attesto::RELAY_REQUEST_TYPE,
    dsse_payload_type: None,
    plan: Some(crate::attesto::relay::RELAY_PLAN),
    extends_chain: false,
    told_by_members: None,
    verify: Some(crate::attesto::relay::verify_value),
    verify_bytes: None,
    inspect: inspect::attesto,
};

#[cfg(feature = "tee")]
const TEE_BINDING_KIND: DocumentKind = DocumentKind {
    doc_type: crate::tee::TEE_BINDING_TYPE,
    dsse_payload_type: None,
    plan: Some(crate::tee::TEE_BINDING_PLAN),
    extends_chain: false,
    told_by_members: None,
    verify: Some(crate::tee::verify_value),
    verify_bytes: None,
    inspect: inspect::tee_binding,
};

#[cfg(feature = "heartbeat")]
const HEARTBEAT_KIND: DocumentKind = DocumentKind {
    doc_type: HEARTBEAT_TYPE,
    dsse_payload_type: Some(HEARTBEAT_PAYLOAD_TYPE),
    plan: Some(HEARTBEAT_PLAN),
    extends_chain: false,
    told_by_members: None,
    verify_bytes: None,
    verify: Some(heartbeat::verify_value),
    inspect: inspect::heartbeat,
};

/// Every document kind this verifier knows. The heartbeat kind is the
/// `heartbeat` feature (on natively; the core WASM module leaves it out to
/// keep its size budget, and the heartbeat WASM module has it); the TEE
/// binding kind is the `tee` feature; the Attesto kinds the `attesto`
/// feature (native only).
pub const KINDS: &[DocumentKind] = &[
    ATTESTATION_KIND,
    TRUST_ROOT_KIND,
    BUNDLE_MANIFEST_KIND,
    NETWORK_SUMMARY_KIND,
    RECORD_PROOF_KIND,
    FORK_EVIDENCE_KIND,
    #[cfg(feature = "attesto")]
    ATTESTO_RECEIPT_KIND,
    #[cfg(feature = "attesto")]
    ATTESTO_FORK_KIND,
    #[cfg(feature = "attesto")]
    ATTESTO_RELAY_KIND,
    #[cfg(feature = "heartbeat")]
    HEARTBEAT_KIND,
    #[cfg(feature = "tee")]
    TEE_BINDING_KIND,
];

/// The kind with this `type`.
pub fn kind(doc_type: &str) -> Option<&'static DocumentKind> {
    KINDS.iter().find(|k| k.doc_type == doc_type && k.told_by_members.is_none())
}

/// The kind without a `type` member that a parsed document's members tell (Attesto documents).
pub(crate) fn untyped_kind(v: &Value) -> Option<&'static DocumentKind> {
    KINDS.iter().find(|k| k.told_by_members.is_some_and(|m| crate::attesto::has_members(v, m)))
}

/// Without the Attesto kinds no second parser is linked (the WASM modules).
#[cfg(not(feature = "attesto"))]
fn untyped_kind_exact(_bytes: &[u8], _e: &doc::DocumentError) -> Option<&'static DocumentKind> {
    None
}

/// The same for a document the strict RFC 8785 model refused for an
/// integer beyond ±(2^53−1): Attesto's model keeps it exact.
#[cfg(feature = "attesto")]
fn untyped_kind_exact(bytes: &[u8], e: &doc::DocumentError) -> Option<&'static DocumentKind> {
    let doc::DocumentError::Json(j) = e else { return None };
    if !matches!(j.kind, attest_json::ParseErrorKind::IntegerOutOfRange { .. }) {
        return None;
    }
    let v = crate::attesto::json::parse(bytes).ok()?;
    KINDS.iter().find(|k| k.told_by_members.is_some_and(|m| crate::attesto::has_members_exact(&v, m)))
}

/// The kind whose DSSE envelopes carry this `payloadType`.
pub fn kind_by_payload_type(payload_type: &str) -> Option<&'static DocumentKind> {
    KINDS.iter().find(|k| k.dsse_payload_type == Some(payload_type))
}

/// The kind of a parsed document: by its `type`, or for a DSSE envelope
/// (no `type`, a string `payloadType`) by its `payloadType`.
pub fn kind_of(v: &Value) -> Option<&'static DocumentKind> {
    // No DSSE kind without the heartbeat feature: an envelope has no `type`.
    #[cfg(feature = "heartbeat")]
    if let Some(pt) = dsse::payload_type_of(v) {
        return kind_by_payload_type(pt);
    }
    doc::document_type(v).and_then(kind)
}

/// The entry bytes a log stores for a document of a known kind (formats.md
/// §8): `C(D)`, and for a kind signed in a DSSE envelope the envelope's one
/// canonical form (standard padded base64), so encoding variants of one
/// envelope are one entry. `None` for an unknown kind or a malformed envelope.
pub fn entry_bytes(v: &Value) -> Option<Vec<u8>> {
    match kind_of(v) {
        Some(k) if k.dsse_payload_type.is_some() => {
            crate::dsse::parse_envelope_value(v).ok().map(|e| e.canonical_bytes())
        }
        Some(_) => Some(attest_json::to_canonical_vec(v)),
        None => untyped_kind(v).map(|_| attest_json::to_canonical_vec(v)),
    }
}

/// The name a parsed document's kind is asked for by: its `type`, or a DSSE
/// envelope's `payloadType`.
fn told_type(v: &Value) -> Option<&str> {
    #[cfg(feature = "heartbeat")]
    if let Some(pt) = dsse::payload_type_of(v) {
        return Some(pt);
    }
    doc::document_type(v)
}

/// Types that [`verify_document`] verifies.
pub fn verifiable_types() -> impl Iterator<Item = &'static str> {
    KINDS.iter().filter(|k| k.verify.is_some() || k.verify_bytes.is_some()).map(|k| k.doc_type)
}

/// The plan to report a strict-JSON failure under: the verifiable kind whose
/// quoted `type` string the bytes contain (exactly one), else `unknown`. Only
/// the report's shape depends on it; the document is refused either way. (A
/// byte search, not a second, lenient JSON parser: that would cost the WASM
/// module a deserializer.)
fn told_plan(bytes: &[u8]) -> Plan {
    // `"<type>"`: a kind's type between quotes. One pass over the quotes, not
    // one window search per kind: a refused 16 MiB input is scanned once.
    let at = |after: &[u8], t: &str| {
        let t = t.as_bytes();
        after.get(..t.len()) == Some(t) && after.get(t.len()) == Some(&b'"')
    };
    let mut told = 0u64;
    let mut rest = bytes;
    while let Some(i) = rest.iter().position(|&b| b == b'"') {
        rest = rest.get(i + 1..).unwrap_or_default();
        for (n, k) in KINDS.iter().enumerate().take(64) {
            // An untyped kind is told by its first telling member's name.
            let named = match k.told_by_members {
                Some(m) => m.first().is_some_and(|t| at(rest, t)),
                None => at(rest, k.doc_type),
            };
            #[cfg(feature = "heartbeat")]
            let hit = named || k.dsse_payload_type.is_some_and(|t| at(rest, t));
            #[cfg(not(feature = "heartbeat"))]
            let hit = named;
            if hit {
                told |= 1 << n;
            }
        }
    }
    let mut found = KINDS.iter().enumerate().filter(|(n, k)| k.plan.is_some() && told & (1 << n) != 0);
    match (found.next(), found.next()) {
        (Some((_, k)), None) => k.plan.unwrap_or(UNKNOWN_PLAN),
        _ => UNKNOWN_PLAN,
    }
}

/// Step 1 of a verification (see [`crate::batch`]): the kind's checks, then
/// the checks the evidence adds to any kind (`log-inclusion`).
pub(crate) fn prepare(bytes: &[u8], ctx: &VerifyContext<'_>) -> Pending {
    #[allow(unused_mut)]
    let (mut item, value) = prepare_kind(bytes, ctx);
    #[cfg(feature = "expect")]
    if !ctx.evidence.expect.is_empty() {
        let doc = item.document().cloned();
        let b = item.builder_mut();
        b.plan_also(crate::report::CheckId::Expect, true);
        // A halted report skips it (naming the failed check) when finished.
        if !b.is_halted() {
            check_expect(b, doc.as_ref(), &ctx.evidence.expect);
        }
    }
    #[cfg(feature = "log-proof")]
    if let Some(e) = &ctx.evidence.log_proof {
        let b = item.builder_mut();
        b.plan_also(crate::report::CheckId::LogInclusion, true);
        if !b.is_halted() {
            crate::tlog_proof::check(b, value.as_ref(), e);
        }
    }
    let _ = value;
    item
}

fn prepare_kind(bytes: &[u8], ctx: &VerifyContext<'_>) -> (Pending, Option<Value>) {
    let value = match doc::parse_json(bytes) {
        Ok(v) => v,
        Err(e) => {
            if let Some(verify) = untyped_kind_exact(bytes, &e).and_then(|k| k.verify_bytes) {
                return (verify(bytes, ctx), None);
            }
            return (Pending::parse_failure(told_plan(bytes), &e), None);
        }
    };
    if told_type(&value).is_none() {
        if let Some(verify) = untyped_kind(&value).and_then(|k| k.verify_bytes) {
            return (verify(bytes, ctx), Some(value));
        }
    }
    let item = verify_kind(&value, ctx);
    (item, Some(value))
}

fn verify_kind(value: &Value, ctx: &VerifyContext<'_>) -> Pending {
    let known = || verifiable_types().collect::<Vec<_>>().join(", ");
    match (told_type(value), kind_of(value)) {
        (_, Some(DocumentKind { verify: Some(verify), .. })) => verify(value, ctx),
        (Some(t), Some(_)) => Pending::parse_refused(
            UNKNOWN_PLAN,
            Reason::NotVerifiable,
            format!("{t:?} is not verified on its own; verifiable types: {}", known()),
        ),
        (Some(t), None) => Pending::parse_refused(
            UNKNOWN_PLAN,
            Reason::UnknownType,
            format!("unknown document type {t:?}; known types: {}", known()),
        ),
        (None, _) => Pending::parse_refused(
            UNKNOWN_PLAN,
            Reason::UnknownType,
            "not an attest document: no string `type` (or DSSE `payloadType`) member at the top level, \
             and not an Attesto witness receipt (witness_receipt_id, statement) or fork evidence \
             (fork_evidence_id, evidence)"
                .to_string(),
        ),
    }
}

/// Verifies any attest document, dispatching on its `type`: the report and,
/// when valid, the verified document.
pub fn verify_document(bytes: &[u8], ctx: &VerifyContext<'_>) -> Outcome<Document> {
    let mut item = prepare(bytes, ctx);
    item.single(ctx);
    let (report, document) = item.finish_parts();
    Outcome::new(report, document)
}

/// The chain a subject document is verified against. A subject whose kind
/// extends the chain (a trust root) is verified as the newest link: it is
/// appended unless it is already the chain's last document (formats.md §6;
/// `attest verify`, WASM and the vector runner all use this one rule).
///
/// "Already its last document" compares the whole documents as JSON values
/// (their canonical bytes, signatures included), so the same trust root
/// formatted differently is recognised, and a copy with other signatures is
/// not (it is verified as a link of its own).
pub fn chain_for_subject<'a>(chain: &[&'a [u8]], subject: &'a [u8]) -> Vec<&'a [u8]> {
    let mut docs = chain.to_vec();
    let chain_canonical = |bytes: &[u8]| {
        let v = doc::parse_json(bytes).ok()?;
        kind_of(&v).filter(|k| k.extends_chain).map(|_| attest_json::to_canonical_vec(&v))
    };
    if let Some(subject_canonical) = chain_canonical(subject) {
        let same_as_last =
            docs.last().is_some_and(|last| *last == subject || chain_canonical(last) == Some(subject_canonical));
        if !same_as_last {
            docs.push(subject);
        }
    }
    docs
}
