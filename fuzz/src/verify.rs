//! Every use of the `attest_verifier` API by the fuzz targets.
//!
//! When the verifier's entry points change (`VerifyContext`,
//! `verify_document`, chain verification), this module is what to adapt.

use std::sync::OnceLock;

use attest_json::{parse, to_canonical_vec, Limits};
use attest_verifier::attestation::{ATTESTATION_PLAN, EXECUTION_ATTESTATION_TYPE};
use attest_verifier::bundle::{EntryKind, BUNDLE_MANIFEST_PLAN, BUNDLE_MANIFEST_TYPE};
use attest_verifier::crypto::sha256;
use attest_verifier::heartbeat::{parse_heartbeat_policy, Health, HEARTBEAT_PLAN, HEARTBEAT_TYPE, STREAM_PLAN};
use attest_verifier::network::{
    check_log_against, check_records, node_hash, parse_log, parse_record_proof_value, parse_summary_value,
    prove_log_record, summarize_log, verify_record_proof, verify_record_proof_against_summary, LogRules, ProofError,
};
use attest_verifier::report::Plan;
use attest_verifier::trust_root::{
    parse_root_keys, verify_trust_root_chain_bytes, ChainOptions, TrustRootError, TRUST_ROOT_PLAN, TRUST_ROOT_TYPE,
};
use attest_verifier::types::{Ed25519PublicKey, Sha256Digest};
use attest_verifier::{
    verify_document, BatchVerifier, BundleEvidence, BundleFile, Evidence, Report, Status, Timestamp, TrustAnchor,
    TrustOutcome, VerifyContext,
};
use base64::Engine as _;

use crate::{part, split_parts};

/// The golden vector the fixture comes from.
const GOLDEN_VECTOR: &str = include_str!("../../test-vectors/vectors/accept__direct-full.json");

/// `executionId` used for fuzzed network logs.
const EXECUTION_ID: &str = "exec-fuzz";

/// Pinned key, trust-root chain, time and bundle files of the golden vector.
struct Golden {
    pinned: Vec<Ed25519PublicKey>,
    anchor: TrustAnchor,
    opts: ChainOptions,
    trust: TrustOutcome,
    files: Vec<(String, Vec<u8>)>,
}

fn golden() -> &'static Golden {
    static GOLDEN: OnceLock<Golden> = OnceLock::new();
    GOLDEN.get_or_init(|| {
        let v: serde_json::Value = serde_json::from_str(GOLDEN_VECTOR).expect("golden vector is JSON");
        let str_of = |x: &serde_json::Value| x.as_str().expect("string member").to_owned();
        let keys: Vec<String> = v["rootKeys"].as_array().expect("rootKeys").iter().map(str_of).collect();
        let pinned = parse_root_keys(&keys.join("\n")).expect("root keys");
        let chain: Vec<Vec<u8>> =
            v["trustRoots"].as_array().expect("trustRoots").iter().map(|x| str_of(x).into_bytes()).collect();
        let now = Timestamp::parse(&str_of(&v["now"])).expect("now");
        let opts = ChainOptions { now, min_version: None };
        let refs: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
        let trust = verify_trust_root_chain_bytes(&refs, &pinned, &opts);
        assert!(trust.is_ok(), "the golden chain verifies: {trust:?}");
        let b64 = base64::engine::general_purpose::STANDARD;
        let files = v["bundle"]["entries"]
            .as_array()
            .expect("bundle entries")
            .iter()
            .map(|e| (str_of(&e["path"]), b64.decode(str_of(&e["base64"])).expect("base64")))
            .collect();
        let named = chain.iter().enumerate().map(|(i, c)| (format!("#{i}"), c.clone())).collect();
        let anchor = TrustAnchor::new(named, pinned.clone(), opts);
        Golden { pinned, anchor, opts, trust, files }
    })
}

/// The plan of a report's document type.
fn plan_of(doc_type: &str) -> Option<Plan> {
    match doc_type {
        EXECUTION_ATTESTATION_TYPE => Some(ATTESTATION_PLAN),
        TRUST_ROOT_TYPE => Some(TRUST_ROOT_PLAN),
        BUNDLE_MANIFEST_TYPE => Some(BUNDLE_MANIFEST_PLAN),
        HEARTBEAT_TYPE => Some(HEARTBEAT_PLAN),
        t if t == STREAM_PLAN.doc_type => Some(STREAM_PLAN),
        _ => None,
    }
}

/// Report invariants: checks in plan order; every failure has a reason; a
/// valid report is of a known type, has every required check passed, none
/// failed, and the document's digest.
fn check_report(r: &Report) {
    for c in r.checks() {
        if c.status == Status::Fail {
            assert!(c.reason.is_some(), "failed check without a reason: {c:?}");
        }
    }
    if let Some(plan) = plan_of(r.doc_type()) {
        let ids: Vec<_> = r.checks().iter().map(|c| c.id).collect();
        let planned: Vec<_> = plan.checks.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, planned, "report checks are not the plan's");
    }
    if r.valid() {
        let plan = plan_of(r.doc_type()).unwrap_or_else(|| panic!("valid report of unknown type: {r:?}"));
        for (id, required) in plan.checks {
            let status = r.check(*id).map(|c| c.status);
            if *required {
                assert_eq!(status, Some(Status::Pass), "valid report with required check {id} not passed: {r:?}");
            }
            assert_ne!(status, Some(Status::Fail), "valid report with failed check {id}: {r:?}");
        }
        // Stream reports are not of one document: no digest.
        assert!(r.digest().is_some() || r.doc_type() == STREAM_PLAN.doc_type, "valid report without digest: {r:?}");
    }
}

/// Target `verify_document`: any document through `verify_document` with
/// the golden trust (a trust-root subject is appended to the chain as the
/// verifier's callers do), fuzzed inputs; the report invariants hold.
/// Returns whether the report is valid.
pub fn verify_document_input(data: &[u8]) -> bool {
    let g = golden();
    let parts = split_parts(data, 6);
    let doc = parts.first().copied().unwrap_or_default();
    let hosts: Vec<String> =
        part(&parts, 5).map(|h| String::from_utf8_lossy(h).lines().map(str::to_owned).collect()).unwrap_or_default();
    let files: Vec<BundleFile> =
        g.files.iter().map(|(p, b)| BundleFile { path: p.clone(), kind: EntryKind::File, bytes: b.clone() }).collect();
    let evidence = Evidence {
        signals: part(&parts, 1).map(<[u8]>::to_vec),
        output: part(&parts, 2).map(<[u8]>::to_vec),
        bundle: part(&parts, 3).map(|manifest| BundleEvidence { manifest: manifest.to_vec(), files: Some(files) }),
        network: part(&parts, 4).map(<[u8]>::to_vec),
        allow_hosts: hosts,
        ..Evidence::default()
    };
    let own = g.anchor.verify_for_subject("subject", doc);
    let trust = own.as_ref().unwrap_or(&g.trust);
    let outcome = verify_document(doc, &VerifyContext::new(trust, &evidence, g.opts.now));
    assert_eq!(outcome.verified().is_some(), outcome.report().valid(), "Verified without a valid report");
    let report = outcome.into_report();
    check_report(&report);
    report.valid()
}

/// Target `network_log`: parsing and the §5 rules.
///
/// - `summarize_log` is `check_records(parse_log)`;
/// - a log valid under the strict rules is valid with `http` allowed and
///   with every one of its hosts allow-listed, with the same summary;
/// - summary counts add up, hosts are sorted and distinct, the summary
///   document round-trips through canonical JSON, `check_log_against`
///   accepts its digest;
/// - the proofs of the first, middle and last record verify against the
///   summary, also after a round trip of the proof document.
///
/// Returns whether the log is valid under the strict rules.
pub fn network_log_input(data: &[u8]) -> bool {
    let strict = LogRules { allow_hosts: &[], allow_http: false };
    let parsed = parse_log(data);
    let summary = parsed.clone().and_then(|records| check_records(&records, EXECUTION_ID, &strict));
    assert_eq!(summarize_log(data, EXECUTION_ID, &strict), summary, "summarize_log differs");
    let Ok(records) = parsed else { return false };
    let lax = check_records(&records, EXECUTION_ID, &LogRules { allow_hosts: &[], allow_http: true });
    let Ok(s) = summary else {
        if let Err(e) = &lax {
            assert!(!e.reason().as_str().is_empty());
        }
        return false;
    };
    assert_eq!(lax.as_ref(), Ok(&s), "allowing http changes a valid log's verdict");
    let listed = check_records(&records, EXECUTION_ID, &LogRules { allow_hosts: &s.hosts, allow_http: false });
    assert_eq!(listed.as_ref(), Ok(&s), "allow-listing every host changes the verdict");
    assert_eq!(s.records, records.len() as u64);
    assert_eq!(s.dns + s.requests + s.responses, s.records, "counts do not add up: {s:?}");
    assert!(s.hosts.windows(2).all(|w| w[0] < w[1]), "hosts not sorted and distinct: {:?}", s.hosts);
    let doc = to_canonical_vec(&s.to_value());
    let back = parse(&doc, &Limits::default()).expect("summary document parses");
    assert_eq!(parse_summary_value(&back).as_ref(), Ok(&s), "summary document does not round-trip");
    assert!(check_log_against(data, EXECUTION_ID, &s.digest(), &[]).is_ok(), "own digest refused");
    let n = s.records;
    let mut seqs = vec![0, n / 2, n.saturating_sub(1)];
    seqs.dedup();
    for seq in seqs.into_iter().filter(|&q| q < n) {
        let (proof, s2) = prove_log_record(data, EXECUTION_ID, &strict, seq).expect("proof of a valid log's record");
        assert_eq!(s2, s);
        assert!(verify_record_proof_against_summary(&proof, &s).is_ok(), "proof of seq {seq} refused");
        let bytes = to_canonical_vec(&proof.to_value());
        let v = parse(&bytes, &Limits::default()).expect("proof document parses");
        let again = parse_record_proof_value(&v).expect("proof document round-trips");
        assert!(verify_record_proof_against_summary(&again, &s).is_ok(), "round-tripped proof refused");
    }
    true
}

/// RFC 9162 §2.1.1 read top-down: the root of a tree of `size` leaves whose
/// leaf `index` is `leaf`, with `path` (leaf to root) supplying the other
/// subtree at each split. `None` when `path` has the wrong length.
fn reference_root(leaf: &Sha256Digest, index: u64, size: u64, path: &[Sha256Digest]) -> Option<Sha256Digest> {
    if index >= size {
        return None;
    }
    if size == 1 {
        return path.is_empty().then_some(*leaf);
    }
    let (sibling, rest) = path.split_last()?;
    let k = 1u64 << (63 - (size - 1).leading_zeros()); // largest power of two < size
    if index < k {
        Some(node_hash(&reference_root(leaf, index, k, rest)?, sibling))
    } else {
        Some(node_hash(sibling, &reference_root(leaf, index - k, size - k, rest)?))
    }
}

/// Target `record_proof`: a proof document (and optionally a summary
/// document after a NUL).
///
/// - the root a proof leads to equals a top-down reference computation;
/// - `verify_record_proof` accepts exactly that root and refuses another;
/// - a proof accepted against a summary has the summary's size and root.
///
/// Returns whether a summary was given and the proof verifies against it.
pub fn record_proof_input(data: &[u8]) -> bool {
    let parts = split_parts(data, 2);
    let Some(proof_bytes) = part(&parts, 0) else { return false };
    let Ok(v) = parse(proof_bytes, &Limits::default()) else { return false };
    let Ok(proof) = parse_record_proof_value(&v) else { return false };
    let root = proof.root();
    assert_eq!(root, reference_root(&proof.leaf, proof.index, proof.tree_size, &proof.path), "root differs");
    match root {
        Some(r) => {
            let ok = verify_record_proof(&proof, &r).expect("proof verifies against its own root");
            assert_eq!((ok.index, ok.tree_size, ok.leaf, ok.root), (proof.index, proof.tree_size, proof.leaf, r));
            let other = sha256(r.as_bytes());
            assert!(matches!(verify_record_proof(&proof, &other), Err(ProofError::WrongRoot { .. })));
        }
        None => assert!(matches!(verify_record_proof(&proof, &sha256(b"")), Err(ProofError::Malformed { .. }))),
    }
    let Some(summary_bytes) = part(&parts, 1) else { return false };
    let Ok(sv) = parse(summary_bytes, &Limits::default()) else { return false };
    let Ok(s) = parse_summary_value(&sv) else { return false };
    let ok = verify_record_proof_against_summary(&proof, &s).is_ok();
    if ok {
        assert_eq!((proof.tree_size, root), (s.records, Some(s.root)));
    }
    ok
}

/// Target `trust_root_chain`: 1–3 documents against the golden pinned key.
///
/// - a refusal of a document names an index within the chain;
/// - an accepted chain has all documents, an unexpired newest one, passes
///   with its own version as the minimum and is a rollback with the next.
///
/// Returns whether the chain is accepted.
pub fn trust_root_chain_input(data: &[u8]) -> bool {
    let g = golden();
    let docs = split_parts(data, 3);
    match verify_trust_root_chain_bytes(&docs, &g.pinned, &g.opts) {
        Err(e) => {
            assert!(!e.reason().as_str().is_empty());
            if let TrustRootError::Document { index, .. } = e {
                assert!(index < docs.len());
            }
            false
        }
        Ok(chain) => {
            assert_eq!(chain.len(), docs.len());
            let newest = chain.newest();
            assert!(g.opts.now < newest.expires_at(), "expired newest trust root accepted");
            let at = |min| ChainOptions { min_version: Some(min), ..g.opts };
            assert!(verify_trust_root_chain_bytes(&docs, &g.pinned, &at(newest.version())).is_ok());
            if let Some(next) = newest.version().checked_add(1) {
                assert!(matches!(
                    verify_trust_root_chain_bytes(&docs, &g.pinned, &at(next)),
                    Err(TrustRootError::Rollback { .. })
                ));
            }
            true
        }
    }
}

/// The golden heartbeat vector the heartbeat fixture comes from.
const HEARTBEAT_VECTOR: &str = include_str!("../../test-vectors/vectors/stream__healthy.json");

struct HeartbeatGolden {
    trust: TrustOutcome,
    evidence: Evidence,
    now: Timestamp,
}

fn heartbeat_golden() -> &'static HeartbeatGolden {
    static GOLDEN: OnceLock<HeartbeatGolden> = OnceLock::new();
    GOLDEN.get_or_init(|| {
        let v: serde_json::Value = serde_json::from_str(HEARTBEAT_VECTOR).expect("heartbeat vector is JSON");
        let str_of = |x: &serde_json::Value| x.as_str().expect("string member").to_owned();
        let keys: Vec<String> = v["rootKeys"].as_array().expect("rootKeys").iter().map(str_of).collect();
        let pinned = parse_root_keys(&keys.join("\n")).expect("root keys");
        let chain: Vec<Vec<u8>> =
            v["trustRoots"].as_array().expect("trustRoots").iter().map(|x| str_of(x).into_bytes()).collect();
        let now = Timestamp::parse(&str_of(&v["now"])).expect("now");
        let refs: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
        let trust = verify_trust_root_chain_bytes(&refs, &pinned, &ChainOptions { now, min_version: None });
        assert!(trust.is_ok(), "the heartbeat chain verifies");
        let policy = parse_heartbeat_policy(str_of(&v["heartbeatPolicy"]).as_bytes()).expect("policy");
        let evidence = Evidence { heartbeat_policy: Some(policy), ..Evidence::default() };
        HeartbeatGolden { trust, evidence, now }
    })
}

/// Target `heartbeat_stream`: up to 64 documents (separated by NUL bytes)
/// through the batch verifier and the heartbeat stream checks, with the
/// golden heartbeat trust root and policy. Per item: `Verified` iff valid,
/// the report invariants. Per stream: its heartbeats are exactly the
/// signature-verified, non-replayed items claiming it; gaps are consistent;
/// an open gap means `missing`; `healthy` means a valid stream report and no
/// invalid heartbeat; the window variant never reports more heartbeats.
/// Returns the number of streams.
pub fn heartbeat_stream_input(data: &[u8]) -> usize {
    let g = heartbeat_golden();
    let ctx = VerifyContext::new(&g.trust, &g.evidence, g.now);
    let docs: Vec<&[u8]> = data.split(|b| *b == 0).take(64).collect();
    let mut batch = BatchVerifier::new();
    let mut counted = 0usize;
    for d in &docs {
        let o = batch.verify(d, &ctx);
        assert_eq!(o.verified().is_some(), o.report().valid(), "Verified without a valid report");
        check_report(o.report());
        let r = o.report();
        let signed = r.check(attest_verifier::CheckId::Signature).is_some_and(|c| c.status == Status::Pass);
        let replayed = r.check(attest_verifier::CheckId::Replay).is_some_and(|c| c.status == Status::Fail);
        if r.doc_type() == HEARTBEAT_TYPE && signed && !replayed {
            counted += 1;
        }
    }
    let streams = batch.finish_streams(&ctx, None);
    assert_eq!(streams.iter().map(|s| s.count()).sum::<usize>(), counted, "stream membership");
    for s in &streams {
        check_report(s.report());
        assert_eq!(s.indices().len(), s.count());
        assert!(s.invalid() <= s.count());
        assert!(s.first() <= s.last(), "first after last: {s:?}");
        for gap in s.gaps() {
            assert_eq!(gap.seconds, gap.end - gap.start);
            assert!(gap.seconds > 0);
        }
        if s.gaps().iter().any(|g| g.open) {
            assert_eq!(s.health(), Health::Missing);
        }
        if s.health() == Health::Healthy {
            assert!(s.report().valid() && s.invalid() == 0 && s.drift().is_empty(), "healthy but: {s:?}");
        }
    }
    // The same batch over a window ending now: never more heartbeats per stream.
    let mut windowed = BatchVerifier::new();
    for d in &docs {
        let _ = windowed.verify(d, &ctx);
    }
    let start = Timestamp::from_unix(g.now.unix_seconds() - 300, 0);
    for w in windowed.finish_streams(&ctx, Some(start)) {
        let whole = streams.iter().find(|s| s.stream() == w.stream()).expect("a windowed stream is a stream");
        assert!(w.count() <= whole.count());
    }
    streams.len()
}

/// The golden vector the tlog-proof fixture comes from.
const LOG_INCLUSION_VECTOR: &str = include_str!("../../test-vectors/vectors/accept__log-inclusion.json");

/// The log key and the entry bytes of `accept/log-inclusion`.
fn log_golden() -> &'static (attest_verifier::checkpoint::VerifierKey, Vec<u8>, Vec<u8>) {
    static GOLDEN: OnceLock<(attest_verifier::checkpoint::VerifierKey, Vec<u8>, Vec<u8>)> = OnceLock::new();
    GOLDEN.get_or_init(|| {
        let v: serde_json::Value = serde_json::from_str(LOG_INCLUSION_VECTOR).expect("vector is JSON");
        let key =
            attest_verifier::checkpoint::VerifierKey::parse(v["logKey"].as_str().expect("logKey")).expect("log key");
        let doc = parse(v["document"].as_str().expect("document").as_bytes(), &Limits::default()).expect("document");
        let proof = v["logProof"].as_str().expect("logProof").as_bytes().to_vec();
        (key, to_canonical_vec(&doc), proof)
    })
}

/// Target `tlog_proof`: a C2SP tlog-proof (and optionally other entry
/// bytes after a NUL) against the golden log key.
///
/// - a proof that parses prints back to exactly its input (the format has
///   one spelling: canonical base64, decimal without leading zeros, the
///   checkpoint verbatim) and parses again to the same value;
/// - an accepted proof is a signed checkpoint whose tree includes the
///   entry's leaf at the index (recomputed with the core's RFC 9162 code);
/// - the golden proof with its own entry is accepted (the fixture holds).
pub fn tlog_proof_input(data: &[u8]) -> bool {
    use attest_verifier::tlog_proof::{verify_tlog_proof, TlogProof};
    let (key, golden_entry, golden_proof) = log_golden();
    assert!(verify_tlog_proof(golden_proof, golden_entry, key).is_ok(), "the golden proof verifies");
    let parts = split_parts(data, 2);
    let Some(proof_bytes) = part(&parts, 0) else { return false };
    let entry = part(&parts, 1).unwrap_or(golden_entry);
    if let Ok(p) = TlogProof::parse(proof_bytes) {
        let text = p.to_text();
        assert_eq!(text.as_bytes(), proof_bytes, "a parsed proof prints back to its input");
        assert_eq!(TlogProof::parse(text.as_bytes()).ok().as_ref(), Some(&p));
    }
    match verify_tlog_proof(proof_bytes, entry, key) {
        Ok(v) => {
            let inc = v.into_inner();
            let p = TlogProof::parse(proof_bytes).expect("an accepted proof parses");
            let cp = inc.checkpoint();
            assert!(inc.index() < cp.size());
            attest_verifier::merkle::verify_inclusion(
                &attest_verifier::merkle::leaf_hash(entry),
                inc.index(),
                cp.size(),
                p.path(),
                &cp.root(),
            )
            .expect("an accepted proof includes the entry");
            true
        }
        Err(_) => false,
    }
}

const WITNESS_POLICY_VECTOR: &str = include_str!("../../test-vectors/vectors/accept__witness-nested.json");

fn policy_golden() -> &'static (Vec<u8>, attest_verifier::checkpoint::Note) {
    static GOLDEN: OnceLock<(Vec<u8>, attest_verifier::checkpoint::Note)> = OnceLock::new();
    GOLDEN.get_or_init(|| {
        let v: serde_json::Value = serde_json::from_str(WITNESS_POLICY_VECTOR).expect("vector is JSON");
        let policy = v["witnessPolicy"].as_str().expect("witnessPolicy").as_bytes().to_vec();
        let proof = attest_verifier::tlog_proof::TlogProof::parse(v["logProof"].as_str().expect("logProof").as_bytes())
            .expect("the golden proof parses");
        let note = attest_verifier::checkpoint::parse_note(proof.checkpoint_note().as_bytes()).expect("note");
        (policy, note)
    })
}

/// Target `witness_policy`: a C2SP tlog-policy (and optionally a signed
/// note after a NUL, else the golden cosigned checkpoint of
/// `accept/witness-nested`).
///
/// - a policy that parses evaluates without panicking, twice the same way;
/// - every witness it reports as cosigned is a witness of the policy whose
///   cosignature on the note verifies (`cosignature::cosigned_at`);
/// - a satisfied quorum other than `none` names at least one cosigner;
/// - the golden policy is satisfied by the golden note (the fixture holds).
pub fn witness_policy_input(data: &[u8]) -> bool {
    use attest_verifier::cosignature::cosigned_at;
    use attest_verifier::tlog_policy::Policy;
    let (golden_policy, golden_note) = policy_golden();
    let golden = Policy::parse(golden_policy).expect("the golden policy parses");
    assert!(golden.evaluate(golden_note).satisfied(), "the golden note meets the golden quorum");
    let parts = split_parts(data, 2);
    let Some(policy) = part(&parts, 0) else { return false };
    let Ok(p) = Policy::parse(policy) else { return false };
    let parsed;
    let note = match part(&parts, 1).map(attest_verifier::checkpoint::parse_note) {
        Some(Ok(n)) => {
            parsed = n;
            &parsed
        }
        _ => golden_note,
    };
    let q = p.evaluate(note);
    assert_eq!(p.evaluate(note), q, "evaluation is deterministic");
    for name in q.cosigned() {
        assert!(
            p.witnesses().any(|(n, k)| &n == name && cosigned_at(note, k).is_ok()),
            "a reported cosigner is a policy witness whose cosignature verifies"
        );
    }
    if q.satisfied() && q.required() != "none" {
        assert!(!q.cosigned().is_empty(), "a met quorum of witnesses has a cosigner");
    }
    q.satisfied()
}

/// Target `attesto_document`: any bytes as an Attesto Local Vault document
/// (docs/spec.md §12), with the real package's sample key pinned.
///
/// - Attesto's parser: a value that parses has canonical bytes
///   `A(v)` (floats as Python's repr) that parse back and canonicalize to
///   the same bytes (one canonical form: floats' repr reads back as the same
///   double, integers stay exact); `A(v)` with floats
///   refused succeeds exactly when `v` holds no float, with the same bytes;
/// - `verify_document` never panics; the report lists its plan's checks,
///   every failure has a reason, and a valid report is of a known kind with
///   every required check passed.
///
/// Returns whether the document verified.
pub fn attesto_document_input(data: &[u8]) -> bool {
    use attest_verifier::attesto::json::{canonical, parse, FloatRule};
    if let Ok(v) = parse(data) {
        let c = canonical(&v, FloatRule::PythonRepr).expect("Python repr writes every value");
        let again = parse(&c).expect("A(v) parses");
        // Members come back sorted, so compare as canonical bytes (which also tell -0.0 from 0.0).
        assert_eq!(canonical(&again, FloatRule::PythonRepr).ok().as_deref(), Some(c.as_slice()), "one canonical form");
        match canonical(&v, FloatRule::Refuse) {
            Ok(r) => {
                assert!(v.first_float("$").is_none());
                assert_eq!(r, c);
            }
            Err(path) => assert_eq!(v.first_float("$").as_deref(), Some(path.as_str())),
        }
    }
    static KEY: OnceLock<attest_verifier::types::Ed25519PublicKey> = OnceLock::new();
    let key = *KEY.get_or_init(|| {
        attest_verifier::types::Ed25519PublicKey::from_hex(
            "da4fee0eaf54d9863ae1e8dbe148d797335fd0e6863571a381f86d7702e07693",
        )
        .expect("sample key")
    });
    let now = Timestamp::parse("2026-12-31T00:00:00Z").expect("now");
    let trust =
        TrustAnchor::new(Vec::new(), Vec::new(), attest_verifier::trust_root::ChainOptions { now, min_version: None })
            .verify();
    let evidence = Evidence { attesto_keys: vec![key], ..Evidence::default() };
    let report = verify_document(data, &VerifyContext::new(&trust, &evidence, now)).into_report();
    for c in report.checks() {
        if c.status == Status::Fail {
            assert!(c.reason.is_some(), "a failed check without a reason: {c:?}");
        }
    }
    if report.valid() {
        let kinds = ["attesto.v2.witness", "attesto.v2.fork", "attest.attesto-relay-request.v1"];
        assert!(kinds.contains(&report.doc_type()), "valid without a trust root: {}", report.doc_type());
        assert!(report.checks().iter().all(|c| c.status != Status::Fail));
    }
    report.valid()
}
