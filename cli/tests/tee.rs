//! `attest tee …`, `--tee-binding` and the TEE trust-root commands
//! (docs/spec.md §13). The quotes are Intel's real DCAP samples
//! (`tee-verifier/samples/`, MIT, © Phala Network); none binds a key of
//! ours, so the positive end of a binding is `report-data-mismatch` here.
//! There is no TEE hardware on this machine: configfs-tsm is a temporary
//! directory laid out like `/sys/kernel/config/tsm/report`, with a thread
//! of the test standing in for the kernel (it answers the `inblob` the
//! command writes with a quote in `outblob`).
#![allow(missing_docs)]

use std::path::Path;
use std::process::{Command, Output};

use attest_test_vectors::{load_all, Vector};
use sha2::{Digest as _, Sha256};

const TDX_QUOTE: &[u8] = include_bytes!("../../tee-verifier/samples/tdx_quote");
const TDX_COLLATERAL: &str = include_str!("../../tee-verifier/samples/tdx_quote_collateral.json");

fn attest(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_attest")).current_dir(dir).args(args).output().expect("attest runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn keygen(dir: &Path) -> String {
    let out = attest(dir, &["keygen", "--out", "k.secret"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let show = attest(dir, &["key", "show", "k.secret"]);
    let v: serde_json::Value = serde_json::from_slice(&show.stdout).expect("key show JSON");
    v["ed25519"]["publicKey"].as_str().expect("public key").to_string()
}

fn expected(pk_hex: &str, nonce: Option<&[u8; 32]>) -> String {
    let pk: Vec<u8> =
        (0..pk_hex.len()).step_by(2).map(|i| u8::from_str_radix(&pk_hex[i..i + 2], 16).expect("hex")).collect();
    let mut h = Sha256::new();
    h.update(b"attest.tee-key-binding.v1");
    h.update([0u8]);
    h.update(&pk);
    let mut out = h.finalize().to_vec();
    out.extend_from_slice(nonce.unwrap_or(&[0u8; 32]));
    hex(&out)
}

#[test]
fn report_data_is_the_key_digest_then_the_nonce() {
    let d = tempfile::tempdir().expect("tmp");
    let pk = keygen(d.path());
    let by_secret = attest(d.path(), &["tee", "report-data", "--key", "k.secret"]);
    assert_eq!(by_secret.status.code(), Some(0), "{}", text(&by_secret.stderr));
    assert_eq!(text(&by_secret.stdout).trim(), expected(&pk, None));
    let by_public = attest(d.path(), &["tee", "report-data", "--key", &pk]);
    assert_eq!(text(&by_public.stdout).trim(), expected(&pk, None));
    let nonce = [0xabu8; 32];
    let with_nonce = attest(d.path(), &["tee", "report-data", "--key", &pk, "--nonce", &hex(&nonce)]);
    assert_eq!(text(&with_nonce.stdout).trim(), expected(&pk, Some(&nonce)));
    assert_eq!(text(&with_nonce.stdout).trim().len(), 128, "64 bytes");
    let bad = attest(d.path(), &["tee", "report-data", "--key", &pk, "--nonce", "abcd"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn bind_refuses_a_quote_that_does_not_bind_the_key() {
    let d = tempfile::tempdir().expect("tmp");
    keygen(d.path());
    std::fs::write(d.path().join("quote"), TDX_QUOTE).expect("write");
    std::fs::write(d.path().join("collateral.json"), TDX_COLLATERAL).expect("write");
    let args = [
        "tee",
        "bind",
        "--key",
        "k.secret",
        "--quote",
        "quote",
        "--collateral",
        "collateral.json",
        "--platform",
        "tdx",
        "--bound-at",
        "2025-07-04T10:24:15Z",
        "--out",
        "binding.json",
    ];
    let out = attest(d.path(), &args);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("does not bind the key"), "{}", text(&out.stderr));
    assert!(!d.path().join("binding.json").exists(), "nothing written");
    // The quote is TDX: named as SGX it is refused too.
    let mut sgx = args.to_vec();
    sgx[9] = "sgx";
    let out = attest(d.path(), &sgx);
    assert_eq!(out.status.code(), Some(1));
    // Not a quote.
    std::fs::write(d.path().join("quote"), b"not a quote").expect("write");
    let out = attest(d.path(), &args);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("malformed quote"), "{}", text(&out.stderr));
}

/// Stands in for the kernel's configfs-tsm: waits for a new report entry
/// with a 64-byte `inblob`, answers it with `quote` in `outblob` and a
/// `provider`, and returns the `inblob` it saw.
fn fake_tsm(dir: std::path::PathBuf, quote: &'static [u8]) -> std::thread::JoinHandle<Option<Vec<u8>>> {
    std::thread::spawn(move || {
        for _ in 0..2000 {
            if let Ok(entries) = std::fs::read_dir(&dir) {
                for e in entries.flatten() {
                    let inblob = e.path().join("inblob");
                    if let Ok(b) = std::fs::read(&inblob) {
                        if b.len() == 64 {
                            std::fs::write(e.path().join("provider"), "tdx_guest\n").ok()?;
                            std::fs::write(e.path().join("outblob"), quote).ok()?;
                            return Some(b);
                        }
                    }
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        None
    })
}

#[test]
fn bind_requests_the_quote_through_configfs_tsm() {
    let d = tempfile::tempdir().expect("tmp");
    let pk = keygen(d.path());
    let tsm = d.path().join("tsm/report");
    std::fs::create_dir_all(&tsm).expect("mkdir");
    std::fs::write(d.path().join("collateral.json"), TDX_COLLATERAL).expect("write");
    let kernel = fake_tsm(tsm.clone(), TDX_QUOTE);
    let out = attest(
        d.path(),
        &[
            "tee",
            "bind",
            "--key",
            "k.secret",
            "--configfs-tsm",
            "--configfs-tsm-dir",
            "tsm/report",
            "--collateral",
            "collateral.json",
            "--platform",
            "tdx",
            "--out",
            "binding.json",
        ],
    );
    let inblob = kernel.join().expect("thread").expect("the command wrote an inblob");
    // The command asked for a quote over exactly the key's report_data.
    assert_eq!(hex(&inblob), expected(&pk, None));
    let err = text(&out.stderr);
    assert!(err.contains("configfs-tsm provider tdx_guest"), "{err}");
    // The sample quote the stand-in returned does not bind the key: refused, nothing written.
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&hex(&TDX_QUOTE[568..632])), "names the quote's report_data: {err}");
    assert!(!d.path().join("binding.json").exists());
    // The entry is removed afterwards.
    assert_eq!(std::fs::read_dir(&tsm).expect("dir").count(), 0, "report entry left behind");
    // A report directory nobody answers: the command gives up (exit 2) naming outblob.
    let out = attest(
        d.path(),
        &[
            "tee",
            "bind",
            "--key",
            "k.secret",
            "--configfs-tsm",
            "--configfs-tsm-dir",
            "tsm/report",
            "--collateral",
            "collateral.json",
            "--platform",
            "tdx",
            "--out",
            "binding.json",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("outblob"), "{}", text(&out.stderr));
}

fn vector(name: &str) -> Vector {
    load_all().expect("vectors").into_iter().find(|v| v.name == name).expect("vector")
}

/// Writes a tee vector's trust root, root key and document; returns the common flags.
fn world(d: &Path, v: &Vector) -> Vec<String> {
    std::fs::write(d.join("root.pub"), v.root_keys.join("\n")).expect("write");
    std::fs::write(d.join("trust-root.json"), &v.trust_roots[0]).expect("write");
    std::fs::write(d.join("document.json"), v.document.as_deref().expect("document")).expect("write");
    ["--trust-root", "trust-root.json", "--root-key", "root.pub", "--now", &v.now, "--format", "json"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn tee_check(out: &Output) -> (String, String, String) {
    let r: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stderr)));
    let c = r["checks"].as_array().expect("checks").iter().find(|c| c["id"] == "tee").cloned().unwrap_or_default();
    (
        c["status"].as_str().unwrap_or("").into(),
        c["reason"].as_str().unwrap_or("").into(),
        c["detail"].as_str().unwrap_or("").into(),
    )
}

#[test]
fn verify_with_and_without_the_binding_of_a_tee_bound_key() {
    let v = vector("tee/attestation-report-data-mismatch");
    let d = tempfile::tempdir().expect("tmp");
    let mut args = vec!["verify".to_string(), "document.json".into()];
    args.extend(world(d.path(), &v));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = attest(d.path(), &refs);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(tee_check(&out).1, "tee-binding-missing");
    std::fs::write(d.path().join("binding.json"), &v.tee.as_ref().expect("tee").bindings[0]).expect("write");
    let mut with = refs.clone();
    with.extend(["--tee-binding", "binding.json"]);
    let out = attest(d.path(), &with);
    assert_eq!(out.status.code(), Some(1));
    let (status, reason, detail) = tee_check(&out);
    assert_eq!((status.as_str(), reason.as_str()), ("fail", "report-data-mismatch"), "{detail}");
    // The binding alone.
    let mut alone = vec!["verify", "binding.json"];
    alone.extend(refs[2..].iter().copied());
    let out = attest(d.path(), &alone);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(tee_check(&out).1, "report-data-mismatch");
    // Under another root (here: a self-signed test CA), Intel's samples do not chain.
    let ca = rcgen::CertificateParams::new(vec!["attest test root".to_string()]).expect("params");
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = ca.self_signed(&key).expect("cert");
    std::fs::write(d.path().join("test-root.pem"), cert.pem()).expect("write");
    let mut other = alone.clone();
    other.extend(["--tee-root-ca", "test-root.pem"]);
    let out = attest(d.path(), &other);
    assert_eq!(out.status.code(), Some(1));
    let (_, reason, detail) = tee_check(&out);
    assert_eq!(reason, "bad-collateral-signature", "{detail}");
    assert!(detail.contains("--tee-root-ca"), "the detail says the root is not Intel's: {detail}");
}

#[test]
fn hostile_binding_files_fail_tee_without_panicking() {
    let v = vector("tee/attestation-report-data-mismatch");
    let d = tempfile::tempdir().expect("tmp");
    let mut base = vec!["verify".to_string(), "document.json".into()];
    base.extend(world(d.path(), &v));
    let good = v.tee.as_ref().expect("tee").bindings[0].clone().into_bytes();
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), Vec::new()),
        ("nested".into(), "[".repeat(100_000).into_bytes()),
        ("nul".into(), vec![0u8; 64]),
        ("huge".into(), {
            let mut b = b"{\"type\":\"attest.tee-binding.v1\",\"x\":\"".to_vec();
            b.resize(17 * 1024 * 1024, b'a');
            b
        }),
    ];
    for cut in [1, good.len() / 2, good.len() - 2] {
        cases.push((format!("truncated-{cut}"), good[..cut].to_vec()));
    }
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for i in 0..6 {
        let mut b = good.clone();
        for _ in 0..4 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let idx = (seed as usize) % b.len();
            b[idx] = (seed >> 32) as u8;
        }
        cases.push((format!("mutated-{i}"), b));
    }
    for (name, bytes) in cases {
        std::fs::write(d.path().join("binding.json"), &bytes).expect("write");
        // Given with the attestation.
        let mut args: Vec<&str> = base.iter().map(String::as_str).collect();
        args.extend(["--tee-binding", "binding.json"]);
        let out = attest(d.path(), &args);
        let err = text(&out.stderr);
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert_eq!(tee_check(&out).0, "fail", "{name}");
        // Verified as the subject.
        let mut alone: Vec<&str> = vec!["verify", "binding.json"];
        alone.extend(base[2..].iter().map(String::as_str));
        let out = attest(d.path(), &alone);
        let err = text(&out.stderr);
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
    }
}

#[test]
fn trust_root_commands_add_tee_policies_and_tee_bound_keys() {
    let d = tempfile::tempdir().expect("tmp");
    let p = d.path();
    let ok = |args: &[&str]| {
        let out = attest(p, args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}{}", text(&out.stdout), text(&out.stderr));
    };
    ok(&["keygen", "--out", "root.secret", "--pub-out", "root.pub"]);
    ok(&["keygen", "--out", "rt.secret"]);
    let t0 = ["--issued-at", "2025-01-01T00:00:00Z", "--expires-at", "2027-01-01T00:00:00Z", "--sign", "root.secret"];
    let with = |head: &[&'static str], out: &'static str| {
        let mut a = head.to_vec();
        a.extend(t0);
        a.extend(["--out", out]);
        a
    };
    ok(&with(&["trust-root", "create"], "1.json"));
    let policy = r#"{"name":"tdx-prod","platform":"tdx","tdx":{"rtmr3":"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"},"allowedTcbStatus":["UpToDate"],"allowPlatformFlags":["dynamic-platform","cached-keys","smt"],"maxBindingAgeSeconds":86400}"#;
    std::fs::write(p.join("policy.json"), policy).expect("write");
    ok(&with(&["trust-root", "add-tee-policy", "1.json", "--policy", "policy.json"], "2.json"));
    // A key naming an unknown policy is refused before anything is written.
    let out = attest(
        p,
        &with(
            &["trust-root", "add-key", "2.json", "--key", "rt.secret", "--role", "runtime", "--tee-policy", "nope"],
            "x.json",
        ),
    );
    assert_ne!(out.status.code(), Some(0));
    assert!(!p.join("x.json").exists());
    ok(&with(
        &["trust-root", "add-key", "2.json", "--key", "rt.secret", "--role", "runtime", "--tee-policy", "tdx-prod"],
        "3.json",
    ));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(p.join("3.json")).expect("read")).expect("json");
    assert_eq!(v["teePolicies"][0]["name"], "tdx-prod");
    assert!(v["keys"].as_array().expect("keys").iter().any(|k| k["tee"]["policy"] == "tdx-prod"));
    // A duplicate policy name is refused.
    let out = attest(p, &with(&["trust-root", "add-tee-policy", "3.json", "--policy", "policy.json"], "y.json"));
    assert_ne!(out.status.code(), Some(0));
    // The chain verifies; a binding of the runtime key to the real sample passes all but report_data.
    ok(&[
        "trust-root",
        "verify",
        "1.json",
        "2.json",
        "3.json",
        "--root-key",
        "root.pub",
        "--now",
        "2025-07-04T12:00:00Z",
    ]);
    std::fs::write(p.join("quote"), TDX_QUOTE).expect("write");
    std::fs::write(p.join("collateral.json"), TDX_COLLATERAL).expect("write");
    let show = attest(p, &["key", "show", "rt.secret"]);
    let k: serde_json::Value = serde_json::from_slice(&show.stdout).expect("json");
    let b = serde_json::json!({
        "type": "attest.tee-binding.v1",
        "keyId": k["ed25519"]["keyId"],
        "publicKey": k["ed25519"]["publicKey"],
        "platform": "tdx",
        "boundAt": "2025-07-04T10:24:15Z",
        "quote": base64_std(TDX_QUOTE),
        "collateral": serde_json::from_str::<serde_json::Value>(TDX_COLLATERAL).expect("json"),
        "nonce": null,
    });
    std::fs::write(p.join("binding.json"), b.to_string()).expect("write");
    let out = attest(
        p,
        &[
            "verify",
            "binding.json",
            "--trust-root",
            "1.json",
            "--trust-root",
            "2.json",
            "--trust-root",
            "3.json",
            "--root-key",
            "root.pub",
            "--now",
            "2025-07-04T12:00:00Z",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let (_, reason, detail) = tee_check(&out);
    assert_eq!(reason, "report-data-mismatch", "{detail}");
}

fn base64_std(b: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in b.chunks(3) {
        let n = c.iter().fold(0u32, |a, &x| (a << 8) | u32::from(x)) << (8 * (3 - c.len()));
        for i in 0..=c.len() {
            s.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
        for _ in c.len()..3 {
            s.push('=');
        }
    }
    s
}

/// The vectors' TEE-bound runtime key, whose binding the test PKI's quotes carry.
fn runtime_secret(dir: &Path) {
    let seed = Sha256::digest(b"attest.vectors.tee.runtime");
    std::fs::write(dir.join("rt.secret"), format!("{}\n", hex(&seed))).expect("write");
}

const PKI_QUOTE: &[u8] = include_bytes!("../../tee-verifier/test-pki/tdx-bound.quote");
const PKI_COLLATERAL: &str = include_str!("../../tee-verifier/test-pki/tdx-collateral.json");
const PKI_ROOT: &[u8] = include_bytes!("../../tee-verifier/test-pki/root-ca.pem");

#[test]
fn bind_then_verify_under_the_test_root_and_not_under_intels() {
    let v = vector("tee/accept-attestation-with-binding");
    let d = tempfile::tempdir().expect("tmp");
    let p = d.path();
    let flags = world(p, &v);
    runtime_secret(p);
    std::fs::write(p.join("quote"), PKI_QUOTE).expect("write");
    std::fs::write(p.join("collateral.json"), PKI_COLLATERAL).expect("write");
    std::fs::write(p.join("test-root.pem"), PKI_ROOT).expect("write");
    let bind = attest(
        p,
        &[
            "tee",
            "bind",
            "--key",
            "rt.secret",
            "--quote",
            "quote",
            "--collateral",
            "collateral.json",
            "--platform",
            "tdx",
            "--bound-at",
            "2026-11-21T10:00:00Z",
            "--out",
            "binding.json",
        ],
    );
    assert_eq!(bind.status.code(), Some(0), "{}", text(&bind.stderr));
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    // The binding alone, then the attestation with it.
    for head in [vec!["verify", "binding.json"], vec!["verify", "document.json", "--tee-binding", "binding.json"]] {
        let mut args = head.clone();
        args.extend(flags.iter().copied());
        args.extend(["--tee-root-ca", "test-root.pem"]);
        let out = attest(p, &args);
        assert_eq!(out.status.code(), Some(0), "{head:?}: {}{}", text(&out.stdout), text(&out.stderr));
        let (status, _, detail) = tee_check(&out);
        assert_eq!(status, "pass");
        assert!(detail.contains("--tee-root-ca") && detail.contains("not Intel"), "{detail}");
        // Without --tee-root-ca: Intel's root refuses the test PKI.
        let mut intel = head.clone();
        intel.extend(flags.iter().copied());
        let out = attest(p, &intel);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(tee_check(&out).1, "bad-collateral-signature");
    }
    // The human report names the root too.
    let mut human = vec!["verify", "binding.json"];
    human.extend(flags.iter().copied().filter(|f| *f != "--format" && *f != "json"));
    human.extend(["--tee-root-ca", "test-root.pem"]);
    let out = attest(p, &human);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("tee-root-ca"), "{}", text(&out.stdout));
}

#[test]
fn configfs_tsm_quote_to_a_binding_that_verifies() {
    let v = vector("tee/accept-binding");
    let d = tempfile::tempdir().expect("tmp");
    let p = d.path();
    let flags = world(p, &v);
    runtime_secret(p);
    let tsm = p.join("tsm/report");
    std::fs::create_dir_all(&tsm).expect("mkdir");
    std::fs::write(p.join("collateral.json"), PKI_COLLATERAL).expect("write");
    std::fs::write(p.join("test-root.pem"), PKI_ROOT).expect("write");
    let kernel = fake_tsm(tsm.clone(), PKI_QUOTE);
    let out = attest(
        p,
        &[
            "tee",
            "bind",
            "--key",
            "rt.secret",
            "--configfs-tsm",
            "--configfs-tsm-dir",
            "tsm/report",
            "--collateral",
            "collateral.json",
            "--platform",
            "tdx",
            "--bound-at",
            "2026-11-21T10:00:00Z",
            "--out",
            "binding.json",
        ],
    );
    assert!(kernel.join().expect("thread").is_some());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut args = vec!["verify", "binding.json"];
    args.extend(flags.iter().map(String::as_str));
    args.extend(["--tee-root-ca", "test-root.pem"]);
    let out = attest(p, &args);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
}

#[test]
fn audit_of_many_attestations_by_one_tee_bound_key() {
    let v = vector("tee/accept-attestation-with-binding");
    let d = tempfile::tempdir().expect("tmp");
    let p = d.path();
    let flags = world(p, &v);
    std::fs::write(p.join("binding.json"), &v.tee.as_ref().expect("tee").bindings[0]).expect("write");
    std::fs::write(p.join("test-root.pem"), PKI_ROOT).expect("write");
    let key = attest_attestor::MasterSecret::from_bytes(Sha256::digest(b"attest.vectors.tee.runtime").into())
        .master_ed25519();
    let s = attest_attestor::scenario::Scenario::new("tee").expect("scenario");
    let mut lines = String::new();
    for i in 0..40 {
        let mut draft = s.draft(&format!("exec-tee-{i}")).expect("draft");
        draft.issued_at = attest_verifier::Timestamp::parse("2026-11-21T11:00:00Z").expect("time");
        let doc = draft.sign_with_runtime(&key, None).expect("sign");
        lines.push_str(&attest_json::to_canonical_string(&doc));
        lines.push('\n');
    }
    std::fs::write(p.join("batch.jsonl"), lines).expect("write");
    let mut args = vec!["audit", "batch.jsonl", "--tee-binding", "binding.json", "--tee-root-ca", "test-root.pem"];
    args.extend(flags.iter().map(String::as_str));
    let out = attest(p, &args);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    // Without the binding every one fails `tee`.
    let mut without = vec!["audit", "batch.jsonl", "--tee-root-ca", "test-root.pem"];
    without.extend(flags.iter().map(String::as_str));
    let out = attest(p, &without);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout).matches("tee-binding-missing").count(), 40, "{}", text(&out.stdout));
}
