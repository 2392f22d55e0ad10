//! Tests against documents the real `attesto-local-vault` 0.2.0 produced
//! (interop/attesto/samples, made by interop/attesto/witness_samples.sh and
//! capture_relay.py).

use super::audit::{audit_receipts, Finding};
use super::receipt::parse_witness_receipt;
use super::*;
use crate::evidence::Evidence;
use crate::registry::{verify_document, Document};
use crate::report::Status;
use crate::trust_root::{verify_trust_root_chain_named, ChainOptions};

const KEY: &str = "da4fee0eaf54d9863ae1e8dbe148d797335fd0e6863571a381f86d7702e07693";

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../interop/attesto/samples/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn now() -> Timestamp {
    Timestamp::parse("2027-01-01T00:00:00Z").unwrap()
}

fn verify_with(bytes: &[u8], keys: Vec<Ed25519PublicKey>) -> crate::Outcome<Document> {
    let trust = verify_trust_root_chain_named(&[], &[], &ChainOptions { now: now(), min_version: None });
    let evidence = Evidence { attesto_keys: keys, ..Evidence::default() };
    verify_document(bytes, &VerifyContext::new(&trust, &evidence, now()))
}

fn pinned_key() -> Vec<Ed25519PublicKey> {
    vec![Ed25519PublicKey::from_hex(KEY).unwrap()]
}

fn statuses(o: &crate::Outcome<Document>) -> Vec<(String, Status, Option<Reason>)> {
    o.report().checks().iter().map(|c| (c.id.to_string(), c.status, c.reason)).collect()
}

const SAMPLES: &[&str] = &[
    "01-first.receipt.json",
    "02-second.receipt.json",
    "03-third.receipt.json",
    "04-replay.receipt.json",
    "05-stale.fork.json",
    "06-conflict.fork.json",
    "07-other-first.receipt.json",
    "08-other-second.receipt.json",
    "relay-1.request.json",
    "relay-2.request.json",
];

#[test]
fn every_real_sample_verifies_under_the_pinned_key() {
    for name in SAMPLES {
        let o = verify_with(&sample(name), pinned_key());
        assert!(o.report().valid(), "{name}: {:?}", statuses(&o));
        assert!(o.report().checks().iter().all(|c| c.status != Status::Fail), "{name}");
        let doc_type = o.report().doc_type().to_string();
        let want = if name.contains("receipt") {
            WITNESS_RECEIPT_KIND
        } else if name.contains("fork") {
            FORK_EVIDENCE_KIND
        } else {
            RELAY_REQUEST_TYPE
        };
        assert_eq!(doc_type, want, "{name}");
    }
}

#[test]
fn no_pin_fails_closed() {
    for name in SAMPLES {
        let o = verify_with(&sample(name), Vec::new());
        assert!(!o.report().valid(), "{name}");
        let signer = o.report().check(CheckId::Signer).unwrap();
        assert_eq!((signer.status, signer.reason), (Status::Fail, Some(Reason::NoPinnedKey)), "{name}");
    }
    let other = Ed25519PublicKey::from_hex(&"11".repeat(32)).unwrap();
    let o = verify_with(&sample("01-first.receipt.json"), vec![other]);
    assert_eq!(o.report().check(CheckId::Signer).unwrap().reason, Some(Reason::UnknownKey));
}

fn edit(name: &str, f: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(&sample(name)).unwrap();
    f(&mut v);
    serde_json::to_vec(&v).unwrap()
}

fn failure(bytes: &[u8]) -> (CheckId, Reason) {
    let o = verify_with(bytes, pinned_key());
    assert!(!o.report().valid());
    let c = o.report().checks().iter().find(|c| c.status == Status::Fail).unwrap();
    (c.id, c.reason.unwrap())
}

#[test]
fn each_receipt_check_fails_on_its_own_tampering() {
    let r = "02-second.receipt.json";
    let s = |k: &str, v: serde_json::Value| {
        let k = k.to_string();
        edit(r, move |d| d["statement"][k] = v)
    };
    // A signed member changed: the signature and the recomputed hashes break.
    let b = s("checkpoint_id", "chk_x".into());
    let o = verify_with(&b, pinned_key());
    assert_eq!(o.report().check(CheckId::Signature).unwrap().reason, Some(Reason::BadSignature));
    assert_eq!(o.report().check(CheckId::StatementHash).unwrap().reason, Some(Reason::HashMismatch));
    assert_eq!(o.report().check(CheckId::CanonicalBytes).unwrap().reason, Some(Reason::CanonicalMismatch));
    assert_eq!(o.report().check(CheckId::Binding).unwrap().reason, Some(Reason::StatementMismatch));
    // Unsigned members alone.
    assert_eq!(
        failure(&edit(r, |d| d["statement_hash"] = "00".repeat(32).into())),
        (CheckId::StatementHash, Reason::HashMismatch)
    );
    assert_eq!(
        failure(&edit(r, |d| d["canonical_json_hex"] = "7b7d".into())),
        (CheckId::CanonicalBytes, Reason::CanonicalMismatch)
    );
    assert_eq!(failure(&edit(r, |d| d["stream_id"] = "str_2".into())), (CheckId::Binding, Reason::StatementMismatch));
    assert_eq!(failure(&edit(r, |d| d["signature"]["kid"] = "k2".into())), (CheckId::Binding, Reason::KidMismatch));
    assert_eq!(
        failure(&edit(r, |d| d["public_key"]["key_epoch"] = "k2".into())),
        (CheckId::Binding, Reason::KidMismatch)
    );
    let mut sig = serde_json::from_slice::<serde_json::Value>(&sample(r)).unwrap()["signature"]["signature_hex"]
        .as_str()
        .unwrap()
        .to_string();
    sig.replace_range(0..2, if sig.starts_with("00") { "01" } else { "00" });
    assert_eq!(
        failure(&edit(r, |d| d["signature"]["signature_hex"] = sig.into())),
        (CheckId::Signature, Reason::BadSignature)
    );
    // Shapes.
    assert_eq!(failure(&edit(r, |d| d["extra"] = 1.into())), (CheckId::Parse, Reason::UnknownMember));
    assert_eq!(failure(&edit(r, |d| d["statement"]["protocol"] = "X".into())), (CheckId::Parse, Reason::UnknownValue));
    assert_eq!(
        failure(&edit(r, |d| d["statement"]["checkpoint_seq_no"] = 0.into())),
        (CheckId::Parse, Reason::OutOfRange)
    );
    assert_eq!(
        failure(&edit(r, |d| d["statement"]["checkpoint_seq_no"] = 2.5.into())),
        (CheckId::Parse, Reason::FloatNotAllowed)
    );
    assert_eq!(failure(&edit(r, |d| d["checkpoint_seq_no"] = 2.0.into())), (CheckId::Parse, Reason::FloatNotAllowed));
    assert_eq!(
        failure(&edit(r, |d| d["public_key"]["public_key_hex"] = KEY.to_uppercase().into())),
        (CheckId::Parse, Reason::BadEncoding)
    );
}

#[test]
fn an_integer_beyond_2_pow_53_is_kept_exact() {
    // The strict RFC 8785 model refuses it; the Attesto kind reads it exactly.
    let b = String::from_utf8(sample("02-second.receipt.json")).unwrap();
    let b = b.replace("\"checkpoint_seq_no\": 2", "\"checkpoint_seq_no\": 18446744073709551616");
    let o = verify_with(b.as_bytes(), pinned_key());
    assert_eq!(o.report().doc_type(), WITNESS_RECEIPT_KIND);
    // Parsed (the seq is exact), then the signature over the edited statement fails.
    assert_eq!(o.report().check(CheckId::Parse).unwrap().status, Status::Pass);
    assert_eq!(o.report().check(CheckId::Signature).unwrap().reason, Some(Reason::BadSignature));
    let r = parse_witness_receipt(b.as_bytes()).unwrap();
    assert_eq!(r.statement().checkpoint_seq_no().as_str(), "18446744073709551616");
    assert!(r.signed().canonical().windows(20).any(|w| w == b"18446744073709551616"));
}

#[test]
fn a_fork_claim_is_reported_as_a_claim() {
    let o = verify_with(&sample("05-stale.fork.json"), pinned_key());
    assert!(o.report().valid());
    assert!(o.report().check(CheckId::Parse).unwrap().detail.contains("signed claim, not a proof"));
    let Some(Document::AttestoForkClaim(f)) = o.verified().map(|v| (**v).clone()) else { panic!() };
    assert_eq!(f.claim().reason(), "conflicting-checkpoint");
    assert_eq!(f.claim().last().seq_no().as_str(), "3");
    assert_eq!(
        failure(&edit("05-stale.fork.json", |d| d["evidence"]["submitted_checkpoint_seq_no"] = 9.into())),
        (CheckId::Signature, Reason::BadSignature)
    );
    assert_eq!(
        failure(&edit("05-stale.fork.json", |d| d["evidence_hash"] = "ab".repeat(32).into())),
        (CheckId::StatementHash, Reason::HashMismatch)
    );
}

fn receipts(names: &[&str]) -> Vec<super::receipt::WitnessReceipt> {
    names.iter().map(|n| parse_witness_receipt(&sample(n)).unwrap()).collect()
}

#[test]
fn audit_finds_monotonic_progression_and_equivocation() {
    let ok = receipts(&[
        "01-first.receipt.json",
        "02-second.receipt.json",
        "03-third.receipt.json",
        "04-replay.receipt.json",
    ]);
    let items: Vec<_> = ok.iter().enumerate().collect();
    let audit = audit_receipts(&items);
    assert_eq!(audit.len(), 1);
    assert!(audit[0].monotonic(), "{:?}", audit[0].findings());
    assert_eq!((audit[0].lowest().unwrap().as_str(), audit[0].highest().unwrap().as_str()), ("1", "3"));
    assert!(audit[0].findings().is_empty());

    let eq = receipts(&["01-first.receipt.json", "02-second.receipt.json", "08-other-second.receipt.json"]);
    let items: Vec<_> = eq.iter().enumerate().collect();
    let audit = audit_receipts(&items);
    assert!(!audit[0].monotonic());
    assert!(
        matches!(&audit[0].findings()[0], Finding::Equivocation { seq, first: (1, _), second: (2, _) } if seq.as_str() == "2")
    );

    // Seq 3 without seq 2: its previous hash names no receipt of the set, a gap (allowed).
    let gap = receipts(&["01-first.receipt.json", "03-third.receipt.json"]);
    let items: Vec<_> = gap.iter().enumerate().collect();
    let audit = audit_receipts(&items);
    assert!(audit[0].monotonic());
    assert!(matches!(audit[0].findings(), [Finding::Gap { item: 1, .. }]));
}

#[test]
fn relay_request_checks() {
    let r = "relay-1.request.json";
    let body = |f: &dyn Fn(&mut serde_json::Value)| {
        edit(r, |d| {
            let mut b: serde_json::Value = serde_json::from_str(d["body"].as_str().unwrap()).unwrap();
            f(&mut b);
            d["body"] = serde_json::to_string(&b).unwrap().into();
        })
    };
    assert_eq!(
        failure(&edit(r, |d| d["headers"][relay::HEADER_ENVELOPE_HASH] = "00".repeat(32).into())),
        (CheckId::StatementHash, Reason::HashMismatch)
    );
    // Payload drift: the envelope (and so the signature) is intact, the payload is not.
    assert_eq!(failure(&body(&|b| b["payload"]["name"] = "x".into())), (CheckId::CanonicalBytes, Reason::HashMismatch));
    assert_eq!(failure(&body(&|b| b["envelope"]["attempt"] = 2.into())), (CheckId::Signature, Reason::BadSignature));
    assert_eq!(failure(&body(&|b| b["envelope"]["attempt"] = 2.5.into())), (CheckId::Parse, Reason::FloatNotAllowed));
    assert_eq!(failure(&edit(r, |d| d["headers"]["X-Other"] = "1".into())), (CheckId::Parse, Reason::UnknownMember));
    let other = Ed25519PublicKey::from_hex(&"11".repeat(32)).unwrap();
    let o = verify_with(&sample(r), vec![other]);
    assert_eq!(o.report().check(CheckId::Signer).unwrap().reason, Some(Reason::UnknownKey));
    // The float payload's canonical bytes are Python's.
    let Some(Document::AttestoRelay(d)) = verify_with(&sample(r), pinned_key()).verified().map(|v| (**v).clone())
    else {
        panic!()
    };
    let canonical = String::from_utf8(d.request().payload_canonical().to_vec()).unwrap();
    assert_eq!(
        canonical,
        "{\"amount\":1e-05,\"big\":1e+16,\"hundred\":100.0,\"large\":1.2345678901234568e+20,\
         \"n\":18446744073709551616,\"name\":\"Zoë 😀\",\"negzero\":-0.0,\"\u{e000}\":1,\"😀\":2}"
    );
}

#[test]
fn receipt_event_id_rule() {
    assert_eq!(relay::receipt_event_id("inst", "src"), "local-vault:inst:src");
    // 152 code points, 357 bytes: not hashed (the rule counts code points).
    let long = "é".repeat(140);
    let id = relay::receipt_event_id("inst", &long);
    assert_eq!(id, format!("local-vault:inst:{long}"));
    let longer = "é".repeat(145);
    let hashed = relay::receipt_event_id("inst", &longer);
    assert_eq!(hashed, format!("local-vault:inst:{}", crate::crypto::sha256(longer.as_bytes())));
}

#[test]
fn verify_under_a_registered_key() {
    use super::claim::{parse_fork_claim, verify_claim_under};
    use super::receipt::verify_receipt_under;
    use super::relay::verify_relay_under;
    let key = Ed25519PublicKey::from_hex(KEY).unwrap();
    let other = Ed25519PublicKey::from_hex(&"11".repeat(32)).unwrap();
    let r = parse_witness_receipt(&sample("02-second.receipt.json")).unwrap();
    assert!(verify_receipt_under(r.clone(), &key).is_ok());
    let e = verify_receipt_under(r, &other).unwrap_err();
    assert_eq!((e.check(), e.reason()), (CheckId::Signature, Reason::BadSignature));
    let bad = parse_witness_receipt(&edit("02-second.receipt.json", |d| d["stream_id"] = "x".into())).unwrap();
    let e = verify_receipt_under(bad, &key).unwrap_err();
    assert_eq!((e.check(), e.reason()), (CheckId::Binding, Reason::StatementMismatch));
    let hex =
        parse_witness_receipt(&edit("02-second.receipt.json", |d| d["canonical_json_hex"] = "7b7d".into())).unwrap();
    assert_eq!(verify_receipt_under(hex, &key).unwrap_err().reason(), Reason::CanonicalMismatch);
    let f = parse_fork_claim(&sample("06-conflict.fork.json")).unwrap();
    assert!(verify_claim_under(f.clone(), &key).is_ok());
    assert_eq!(verify_claim_under(f, &other).unwrap_err().reason(), Reason::BadSignature);
    let f = parse_fork_claim(&edit("06-conflict.fork.json", |d| d["evidence_hash"] = "00".repeat(32).into())).unwrap();
    assert_eq!(verify_claim_under(f, &key).unwrap_err().check(), CheckId::StatementHash);
    let v: serde_json::Value = serde_json::from_slice(&sample("relay-1.request.json")).unwrap();
    let h = |n: &str| v["headers"][n].as_str().unwrap().to_string();
    let parts = |body: &str| {
        relay::parse_relay_parts(
            &h(relay::HEADER_ENVELOPE_HASH),
            &h(relay::HEADER_SIGNATURE),
            &h(relay::HEADER_PUBLIC_KEY),
            body.as_bytes(),
        )
        .unwrap()
    };
    let body = v["body"].as_str().unwrap();
    assert!(verify_relay_under(parts(body), &key).is_ok());
    assert_eq!(verify_relay_under(parts(body), &other).unwrap_err().reason(), Reason::BadSignature);
    let drifted = body.replace("\"hundred\":100.0", "\"hundred\":100");
    let e = verify_relay_under(parts(&drifted), &key).unwrap_err();
    assert_eq!((e.check(), e.reason()), (CheckId::CanonicalBytes, Reason::HashMismatch), "100 is not 100.0 in A()");
}
