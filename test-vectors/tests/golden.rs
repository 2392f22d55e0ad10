//! Every golden vector through the Rust verifier, and the committed vectors
//! equal to what the generator produces: none missing, changed or stale
//! (`generate-vectors --check`, also shown failing on altered copies).

use std::collections::BTreeSet;

use attest_test_vectors::{load_all, run};

#[test]
fn every_vector_gets_its_expected_verdict() {
    let vectors = load_all().expect("vectors load");
    assert!(vectors.len() >= 100, "only {} vectors", vectors.len());
    let failures: Vec<String> = vectors.iter().filter_map(|v| run::check(v).err()).collect();
    assert!(failures.is_empty(), "{} of {} vectors disagree:\n{}", failures.len(), vectors.len(), failures.join("\n"));
}

#[test]
fn every_check_id_has_an_accepting_and_a_rejecting_vector() {
    let vectors = load_all().expect("vectors load");
    let mut rejected = BTreeSet::new();
    let mut passed = BTreeSet::new();
    let mut note = |r: &attest_verifier::Report| {
        for c in r.checks() {
            match c.status {
                attest_verifier::Status::Pass if r.valid() => {
                    passed.insert((r.doc_type().to_string(), c.id));
                }
                attest_verifier::Status::Fail => {
                    rejected.insert((r.doc_type().to_string(), c.id));
                }
                _ => {}
            }
        }
    };
    for v in &vectors {
        if v.documents.is_empty() {
            note(&run::report(v).expect("runs"));
        } else {
            let (reports, streams) = run::batch_and_streams(v).expect("runs");
            reports.iter().for_each(&mut note);
            streams.iter().for_each(|s| note(s.report()));
        }
    }
    for plan in [
        attest_verifier::attestation::ATTESTATION_PLAN,
        attest_verifier::heartbeat::HEARTBEAT_PLAN,
        attest_verifier::heartbeat::STREAM_PLAN,
        attest_verifier::fork::FORK_PLAN,
        attest_verifier::attesto::receipt::RECEIPT_PLAN,
        attest_verifier::attesto::claim::CLAIM_PLAN,
        attest_verifier::attesto::relay::RELAY_PLAN,
    ] {
        for (id, _) in plan.checks {
            let key = (plan.doc_type.to_string(), *id);
            assert!(passed.contains(&key), "no accepting vector passes `{id}` of {}", plan.doc_type);
            // A parse failure is reported under its kind's plan; the stream plan has no parse.
            assert!(rejected.contains(&key), "no vector fails `{id}` of {}", plan.doc_type);
        }
    }
}

/// Every reason a heartbeat or stream check can give has a vector.
#[test]
fn every_heartbeat_reason_has_a_vector() {
    use attest_verifier::Reason::*;
    let vectors = load_all().expect("vectors load");
    let mut seen = BTreeSet::new();
    for v in &vectors {
        seen.extend(v.reason.clone());
        seen.extend(v.reason_each.iter().filter(|r| !r.is_empty()).cloned());
        seen.extend(v.expect_streams.iter().filter_map(|s| s.reason.clone()));
    }
    for r in [
        FromFuture,
        Stale,
        PolicyMismatch,
        PinnedMismatch,
        EpsilonExceeded,
        BlockedExceedsTotal,
        SeqNotZero,
        SeqGap,
        ChainBroken,
        GapExceeded,
        StreamMissing,
        ConfigChanged,
        CounterDecreased,
        RepeatedHeartbeat,
        RepeatedAttestationId,
    ] {
        assert!(seen.contains(r.as_str()), "no vector gives reason `{r}`");
    }
}

/// Every reason the `fork` check can give has a vector, and every check of
/// fork evidence fails in some vector with the reasons docs/spec.md §11 names.
#[test]
fn every_fork_reason_has_a_vector() {
    use attest_verifier::Reason::*;
    let vectors = load_all().expect("vectors load");
    let mut seen = BTreeSet::new();
    for v in vectors.iter().filter(|v| v.documents.is_empty()) {
        let r = run::report(v).expect("runs");
        if r.doc_type() != attest_verifier::fork::FORK_EVIDENCE_TYPE {
            continue;
        }
        if let Some(c) = r.first_failure() {
            seen.insert((c.id, c.reason.map(|r| r.as_str()).unwrap_or_default()));
        }
    }
    use attest_verifier::CheckId;
    for (check, reason) in [
        (CheckId::Fork, NotAFork),
        (CheckId::Fork, BadProof),
        (CheckId::Fork, BadLogSignature),
        (CheckId::Fork, OriginMismatch),
        (CheckId::Signer, UnknownKey),
        (CheckId::Signer, WrongRole),
        (CheckId::Signer, IssuedInFuture),
        (CheckId::Signature, BadSignature),
        (CheckId::Parse, Malformed),
        (CheckId::TrustRoot, NotAnchored),
    ] {
        assert!(seen.contains(&(check, reason.as_str())), "no fork-evidence vector fails `{check}` with `{reason}`");
    }
}

/// Every reason an Attesto check can give has a vector, for the kind it belongs to.
#[test]
fn every_attesto_reason_has_a_vector() {
    use attest_verifier::attesto::{FORK_EVIDENCE_KIND, RELAY_REQUEST_TYPE, WITNESS_RECEIPT_KIND};
    use attest_verifier::CheckId;
    use attest_verifier::Reason::*;
    let vectors = load_all().expect("vectors load");
    let mut seen = BTreeSet::new();
    for v in vectors.iter().filter(|v| v.name.starts_with("attesto/")) {
        let r = run::report(v).expect("runs");
        if let Some(c) = r.first_failure() {
            seen.insert((r.doc_type().to_string(), c.id, c.reason.map(|r| r.as_str()).unwrap_or_default()));
        }
    }
    let (w, f, rl) = (WITNESS_RECEIPT_KIND, FORK_EVIDENCE_KIND, RELAY_REQUEST_TYPE);
    for (kind, check, reason) in [
        (w, CheckId::Parse, FloatNotAllowed),
        (w, CheckId::Parse, UnknownMember),
        (w, CheckId::Parse, UnknownValue),
        (w, CheckId::Parse, OutOfRange),
        (w, CheckId::Parse, BadEncoding),
        (w, CheckId::Parse, DuplicateKey),
        (w, CheckId::TrustRoot, NotAnchored),
        (w, CheckId::Signer, NoPinnedKey),
        (w, CheckId::Signer, UnknownKey),
        (w, CheckId::Signer, WrongRole),
        (w, CheckId::Signer, IssuedInFuture),
        (w, CheckId::Signature, BadSignature),
        (w, CheckId::StatementHash, HashMismatch),
        (w, CheckId::CanonicalBytes, CanonicalMismatch),
        (w, CheckId::Binding, StatementMismatch),
        (w, CheckId::Binding, KidMismatch),
        (f, CheckId::Parse, FloatNotAllowed),
        (f, CheckId::TrustRoot, NotAnchored),
        (f, CheckId::Signer, NoPinnedKey),
        (f, CheckId::Signer, IssuedInFuture),
        (f, CheckId::Signature, BadSignature),
        (f, CheckId::StatementHash, HashMismatch),
        (rl, CheckId::Parse, FloatNotAllowed),
        (rl, CheckId::Parse, UnknownMember),
        (rl, CheckId::TrustRoot, NotAnchored),
        (rl, CheckId::Signer, NoPinnedKey),
        (rl, CheckId::Signer, UnknownKey),
        (rl, CheckId::Signature, BadSignature),
        (rl, CheckId::StatementHash, HashMismatch),
        (rl, CheckId::CanonicalBytes, HashMismatch),
        (rl, CheckId::CanonicalBytes, SizeMismatch),
    ] {
        assert!(
            seen.contains(&(kind.to_string(), check, reason.as_str())),
            "no {kind} vector fails `{check}` with `{reason}`"
        );
    }
}

/// Runs the generator with `args`: (exit code, stderr).
fn generator(args: &[&str]) -> (Option<i32>, String) {
    let out =
        std::process::Command::new(env!("CARGO_BIN_EXE_generate-vectors")).args(args).output().expect("generator runs");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A fresh copy of the committed vectors in the test's own scratch directory.
fn copy_of_vectors(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    for entry in std::fs::read_dir(attest_test_vectors::vectors_dir()).expect("vectors dir") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), dir.join(entry.file_name())).expect("copy");
    }
    dir
}

#[test]
fn committed_vectors_are_the_generated_ones() {
    let (code, stderr) = generator(&["--check"]);
    assert_eq!(
        code,
        Some(0),
        "test-vectors/vectors differ from the generator: run `cargo run -p attest-test-vectors --bin generate-vectors`\n{stderr}"
    );
    // The same directory named with --dir: the same verdict.
    let dir = attest_test_vectors::vectors_dir();
    let (code, stderr) = generator(&["--check", "--dir", dir.to_str().expect("utf-8 path")]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn check_names_a_stale_vector() {
    let dir = copy_of_vectors("stale-vector");
    let (code, stderr) = generator(&["--check", "--dir", dir.to_str().expect("utf-8 path")]);
    assert_eq!(code, Some(0), "an exact copy passes: {stderr}");

    // A committed vector the generator no longer produces, e.g. left behind by a rename.
    std::fs::copy(dir.join("accept__direct-full.json"), dir.join("accept__renamed-away.json")).expect("copy");
    let (code, stderr) = generator(&["--check", "--dir", dir.to_str().expect("utf-8 path")]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stderr, "stale: accept__renamed-away.json (not produced by the generator)\n");

    // Any other entry is stale too (regenerating would not produce it).
    std::fs::write(dir.join("notes.txt"), "x").expect("write");
    let (code, stderr) = generator(&["--check", "--dir", dir.to_str().expect("utf-8 path")]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("stale: notes.txt"), "{stderr}");
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
}

#[test]
fn check_names_a_missing_and_a_changed_vector() {
    let dir = copy_of_vectors("missing-changed-vector");
    std::fs::remove_file(dir.join("accept__direct-minimal.json")).expect("remove");
    let path = dir.join("accept__direct-full.json");
    let mut text = std::fs::read_to_string(&path).expect("read");
    text.push('\n');
    std::fs::write(&path, text).expect("write");
    let (code, stderr) = generator(&["--check", "--dir", dir.to_str().expect("utf-8 path")]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stderr, "differs: accept__direct-full.json\nmissing: accept__direct-minimal.json\n");
}

#[test]
fn writing_removes_stale_json_and_then_checks_clean() {
    let dir = copy_of_vectors("write-vectors");
    std::fs::write(dir.join("accept__renamed-away.json"), "{}").expect("write");
    std::fs::remove_file(dir.join("accept__direct-minimal.json")).expect("remove");
    let d = dir.to_str().expect("utf-8 path");
    let (code, stderr) = generator(&["--dir", d]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!dir.join("accept__renamed-away.json").exists(), "stale vector left behind");
    assert!(dir.join("accept__direct-minimal.json").exists(), "missing vector not written");
    let (code, stderr) = generator(&["--check", "--dir", d]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn bad_arguments_exit_2() {
    for args in [&["--bogus"][..], &["--dir"][..], &["--dir", "a", "--dir", "b"][..]] {
        let (code, stderr) = generator(args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("usage: generate-vectors"), "{args:?}: {stderr}");
    }
    let missing = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-vectors-dir");
    let _ = std::fs::remove_dir_all(&missing);
    let (code, stderr) = generator(&["--check", "--dir", missing.to_str().expect("utf-8 path")]);
    assert_eq!(code, Some(2), "{stderr}");
}

/// Every reason of the `tee` check (and the binding's `signer` reasons) has a
/// vector, except `tee-unavailable` (a caller that hands the core no quote
/// verifier; every surface that runs vectors has one).
#[test]
fn every_tee_reason_has_a_vector() {
    let vectors = load_all().expect("vectors load");
    let seen: BTreeSet<String> = vectors.iter().filter(|v| v.tee.is_some()).filter_map(|v| v.reason.clone()).collect();
    let accepted = vectors.iter().filter(|v| v.tee.is_some() && v.expect == "accept").count();
    assert!(accepted >= 3, "accepting tee vectors: {accepted}");
    for r in [
        "tee-binding-missing",
        "no-tee-policy",
        "platform-mismatch",
        "malformed-quote",
        "malformed-collateral",
        "collateral-not-yet-valid",
        "collateral-expired",
        "bad-quote-signature",
        "bad-collateral-signature",
        "tee-revoked",
        "no-tcb-level",
        "tee-attributes",
        "tcb-status",
        "tee-debug",
        "measurement-mismatch",
        "platform-flag",
        "report-data-mismatch",
        "binding-age",
    ] {
        assert!(attest_verifier::Reason::from_id(r).is_some(), "{r} is a reason");
        assert!(seen.contains(r), "no tee vector for {r}");
    }
}
