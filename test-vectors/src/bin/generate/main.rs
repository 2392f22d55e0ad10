//! Deterministic generator of the golden vectors (fixed seeds, no clock, no RNG).
//!
//! `cargo run -p attest-test-vectors --bin generate-vectors` rewrites
//! `test-vectors/vectors/` (and deletes the `*.json` files there it no longer
//! produces); `--check` compares instead and exits 1 on any difference: a
//! generated file missing or different, or a committed entry the generator
//! no longer produces (stale), each named on stderr. `--dir DIR` uses DIR
//! instead of `test-vectors/vectors/`. Exit 2: bad arguments or I/O error.
//! The golden test runs the same comparison.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use attest_attestor::attestation::AttestationDraft;
use attest_attestor::bundle::{sign_manifest, BundleInfo};
use attest_attestor::json::{s, set, to_pretty};
use attest_attestor::keys::MasterSecret;
use attest_attestor::scenario::{t, times, Scenario};
use attest_attestor::sign::{sign_multi, sign_single};
use attest_attestor::trust_root::{KeyMaterial, KeySpec, TrustRootDraft};
use attest_json::{Number, Object, Value};
use attest_test_vectors::{to_b64, OnchainExpectation, Vector, VectorBundle, VectorEntry};
use attest_verifier::attestation::{onchain_delegation, parse_attestation_value};
use attest_verifier::crypto::sha256;
use attest_verifier::delegation::{context_hash, parse_delegation_value};
use attest_verifier::eip712;
use attest_verifier::network::{check_records, parse_log, LogRules};
use attest_verifier::secp256k1::{RecoverableSignature, SECP256K1_N};
use attest_verifier::trust_root::Role;
use attest_verifier::types::Ed25519Signature;

mod attesto;
mod expect;
mod fork;
mod heartbeat;
mod log_proof;
mod tee;
mod witness_policy;

type R<T> = Result<T, String>;
type Edit = Box<dyn Fn(&mut Object)>;
type EntriesEdit = Box<dyn Fn(&mut Vec<VectorEntry>)>;

fn e<E: std::fmt::Display>(x: E) -> String {
    x.to_string()
}

fn obj(v: &mut Value) -> &mut Object {
    match v {
        Value::Object(o) => o,
        _ => panic!("generator: expected an object"),
    }
}

fn secret(label: &str) -> MasterSecret {
    MasterSecret::from_bytes(*sha256(format!("attest.vectors.{label}").as_bytes()).as_bytes())
}

/// Adds L (the Ed25519 group order) to S, little-endian: a non-canonical S ≥ L.
fn s_plus_l(sig: &Ed25519Signature) -> Ed25519Signature {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut b = *sig.as_bytes();
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(b[32 + i]) + u16::from(L[i]) + carry;
        b[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    Ed25519Signature::from_bytes(b)
}

/// n − s with v flipped: the high-s twin of a valid ECDSA signature.
fn high_s(text: &str) -> String {
    let sig = RecoverableSignature::parse(text).expect("valid signature");
    let mut b = sig.to_bytes();
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(SECP256K1_N[i]) - i16::from(b[32 + i]) - borrow;
        b[32 + i] = d.rem_euclid(256) as u8;
        borrow = i16::from(d < 0);
    }
    b[64] = if sig.to_bytes()[64] == 27 { 28 } else { 27 };
    format!("0x{}", attest_verifier::types::to_lower_hex(&b))
}

struct Gen {
    s: Scenario,
    root_text: String,
    out: Vec<Vector>,
}

impl Gen {
    fn new() -> R<Self> {
        let s = Scenario::new("vectors").map_err(e)?;
        let root_text = to_pretty(&s.trust_root);
        Ok(Self { s, root_text, out: Vec::new() })
    }

    fn bundle_entries(&self) -> Vec<VectorEntry> {
        let mut entries: Vec<VectorEntry> = self
            .s
            .bundle_files
            .iter()
            .map(|(p, b)| VectorEntry { path: p.clone(), kind: "file".into(), base64: to_b64(b) })
            .collect();
        entries.push(VectorEntry {
            path: "manifest.json".into(),
            kind: "file".into(),
            base64: to_b64(to_pretty(&self.s.manifest).as_bytes()),
        });
        entries
    }

    /// A vector with the full evidence of the scenario.
    fn full(&self, name: &str, description: &str, expect: &str, reason: Option<&str>, doc: &Value) -> Vector {
        Vector {
            document: Some(to_pretty(doc)),
            signals: Some(self.s.signals_text()),
            output_base64: Some(to_b64(&self.s.output)),
            bundle: Some(VectorBundle { manifest: to_pretty(&self.s.manifest), entries: Some(self.bundle_entries()) }),
            ..Vector::new(
                name,
                description,
                expect,
                reason,
                times::NOW,
                vec![self.s.root.master_ed25519().public_key().to_hex()],
                vec![self.root_text.clone()],
            )
        }
    }

    fn push(&mut self, v: Vector) {
        assert!(!self.out.iter().any(|o| o.name == v.name), "duplicate vector {}", v.name);
        self.out.push(v);
    }

    fn add(&mut self, name: &str, description: &str, expect: &str, reason: Option<&str>, doc: &Value) {
        let v = self.full(name, description, expect, reason, doc);
        self.push(v);
    }

    fn direct(&self, id: &str) -> R<Value> {
        self.s.direct(id).map_err(e)
    }

    fn draft(&self, id: &str) -> R<AttestationDraft> {
        self.s.draft(id).map_err(e)
    }

    /// Direct attestation edited by `f`, then re-signed by the runtime key.
    fn edited(&self, id: &str, f: impl FnOnce(&mut Object)) -> R<Value> {
        let mut v = self.direct(id)?;
        let o = obj(&mut v);
        f(o);
        sign_single(o, &self.s.runtime.master_ed25519());
        Ok(v)
    }

    fn resign_root(&self, mut root: Value, signers: &[&MasterSecret]) -> String {
        let o = obj(&mut root);
        o.remove("signatures");
        let keys: Vec<_> = signers.iter().map(|k| k.master_ed25519()).collect();
        let refs: Vec<_> = keys.iter().collect();
        sign_multi(o, &refs);
        to_pretty(&root)
    }

    fn root_value(&self) -> Value {
        self.s.trust_root.clone()
    }

    fn next_root(&self) -> R<TrustRootDraft> {
        TrustRootDraft::next_of(&self.s.trust_root, t("2026-11-15T00:00:00Z"), t(times::ROOT_EXPIRES)).map_err(e)
    }
}

fn key_entry<'a>(root: &'a mut Value, key_id: &str) -> &'a mut Object {
    let Some(Value::Array(keys)) = obj(root).get_mut("keys") else { panic!("keys") };
    keys.iter_mut().map(obj).find(|k| k.get("keyId").and_then(Value::as_str) == Some(key_id)).expect("key listed")
}

fn accepts(g: &mut Gen) -> R<()> {
    let d = g.direct("exec-accept-direct")?;
    g.add(
        "accept/direct-full",
        "runtime-signed attestation with every input: bundle directory, signals, output",
        "accept",
        None,
        &d,
    );

    let mut v = g.full(
        "accept/direct-minimal",
        "runtime-signed attestation with no optional input: bundle, output and network checks skip",
        "accept",
        None,
        &d,
    );
    v.bundle = None;
    v.signals = None;
    v.output_base64 = None;
    g.push(v);

    let mut v = g.full(
        "accept/manifest-only",
        "a manifest file without its directory: bundle-files skips, manifest and binding still checked",
        "accept",
        None,
        &d,
    );
    if let Some(b) = v.bundle.as_mut() {
        b.entries = None;
    }
    g.push(v);

    let dl = g.s.delegated("exec-accept-delegated").map_err(e)?;
    let mut v = g.full(
        "accept/delegated-onchain",
        "per-execution key delegated by the attestor master; Ed25519 and EIP-712 signatures",
        "accept",
        None,
        &dl,
    );
    v.onchain = Some(OnchainExpectation { expect: "accept".into(), register_masters: true });
    g.push(v);

    // Direct on-chain signature by the secp256k1 runtime key.
    let mut dr = g.draft("exec-accept-direct-onchain")?;
    dr.onchain_domain = Some(g.s.onchain_domain);
    let v = dr
        .sign_with_runtime(&g.s.runtime.master_ed25519(), Some(&g.s.runtime.master_secp256k1().map_err(e)?))
        .map_err(e)?;
    g.add(
        "accept/direct-onchain",
        "no delegation; the EIP-712 signature recovers to a secp256k1 runtime key",
        "accept",
        None,
        &v,
    );

    // Rotation: v2 adds a second runtime key; attestation signed by it with trustRootVersion 2.
    let rt2 = secret("runtime2");
    let mut next = g.next_root()?;
    next.add_key(&KeySpec {
        key: KeyMaterial::ed25519(&rt2.master_ed25519()),
        roles: vec![Role::Runtime],
        valid_from: t("2026-11-15T00:00:00Z"),
        valid_until: None,
        label: Some("runtime 2".into()),
    })
    .map_err(e)?;
    let v2 = to_pretty(&next.sign(&[&g.s.root.master_ed25519()]));
    let mut dr = g.draft("exec-accept-rotated")?;
    dr.trust_root_version = 2;
    let att = dr.sign_with_runtime(&rt2.master_ed25519(), None).map_err(e)?;
    let mut v = g.full(
        "accept/rotated-chain",
        "chain v1 → v2 (version + 1, previousDigest, signed by the root key of both); signer added in v2",
        "accept",
        None,
        &att,
    );
    v.trust_roots.push(v2.clone());
    g.push(v);
    let mut v = g.full(
        "accept/older-trust-root-version",
        "trustRootVersion 1 while the newest verified trust root is version 2",
        "accept",
        None,
        &d,
    );
    v.trust_roots.push(v2);
    g.push(v);

    let mut dr = g.draft("exec-accept-fraction")?;
    dr.issued_at = t("2026-11-21T10:00:00.123456789Z");
    let v = dr.sign_with_runtime(&g.s.runtime.master_ed25519(), None).map_err(e)?;
    g.add("accept/fractional-time", "issuedAt with 9 fraction digits", "accept", None, &v);

    let signals = attest_verifier::doc::parse_json(
        "{\"name\":\"Zoë \u{1F600}\",\"\u{E000}\":1,\"\u{1F600}\":2,\"ratio\":1e-7,\"big\":1e21,\"n\":-0,\"list\":[0.1,2.5e-8,100]}".as_bytes(),
    )
    .map_err(e)?;
    let mut dr = g.draft("exec-accept-unicode")?;
    dr.signals = signals.clone();
    let v = dr.sign_with_runtime(&g.s.runtime.master_ed25519(), None).map_err(e)?;
    let mut vec = g.full(
        "accept/unicode-float-signals",
        "fingerprint over signals with non-BMP keys (UTF-16 key order), floats in ES6 form",
        "accept",
        None,
        &v,
    );
    vec.signals = Some("{\"list\":[0.1,2.5e-8,100],\"n\":-0,\"big\":1e21,\"ratio\":1e-7,\"\u{1F600}\":2,\"\u{E000}\":1,\"name\":\"Zo\\u00eb \u{1F600}\"}".into());
    g.push(vec);

    // Trust root without runtimes.
    let mut root = g.root_value();
    obj(&mut root).remove("runtimes");
    let root_text = g.resign_root(root, &[&g.s.root]);
    let mut v = g.full(
        "accept/no-runtime-list",
        "the trust root lists no runtimes: the runtime check skips",
        "accept",
        None,
        &d,
    );
    v.trust_roots = vec![root_text];
    g.push(v);
    Ok(())
}

/// The reason and JSON path each `parse/*` vector pins (docs/spec.md §0.2),
/// written from the format rules, not read back from the verifier.
fn parse_expectation(name: &str) -> (&'static str, Option<&'static str>) {
    match name {
        "parse/duplicate-key" => ("duplicate-key", Some("$")),
        "parse/duplicate-key-nested" => ("duplicate-key", Some("$.decision")),
        "parse/lone-surrogate" => ("lone-surrogate", Some("$.decision.reason")),
        "parse/trailing-data" => ("trailing-data", Some("$")),
        "parse/truncated" => ("syntax", None),
        "parse/not-an-object" => ("unknown-type", None),
        "parse/bom" => ("byte-order-mark", Some("$")),
        "parse/unknown-type" => ("unknown-type", None),
        "parse/invalid-utf8" => ("invalid-utf8", Some("$.decision.reason")),
        "parse/unknown-member" => ("unknown-member", Some("$.note")),
        "parse/missing-member" => ("missing-member", Some("$.runtimeHash")),
        "parse/uppercase-hex" => ("bad-encoding", Some("$.bundleHash")),
        "parse/short-hash" => ("bad-encoding", Some("$.runtimeHash")),
        "parse/timestamp-offset" => ("bad-timestamp", Some("$.issuedAt")),
        "parse/timestamp-range" => ("bad-timestamp", Some("$.issuedAt")),
        "parse/execution-state" => ("unknown-value", Some("$.execution_state")),
        "parse/integer-out-of-range" => ("integer-out-of-range", Some("$.onchainDomain.chainId")),
        "parse/float-in-document" => ("wrong-json-type", Some("$.onchainDomain.chainId")),
        "parse/address-checksum" => ("bad-encoding", Some("$.onchainDomain.verifyingContract")),
        "parse/wrong-json-type" => ("wrong-json-type", Some("$.decision.requires_override")),
        _ => ("malformed", None),
    }
}

fn parse_rejects(g: &mut Gen) -> R<()> {
    let d = g.direct("exec-parse")?;
    let text = to_pretty(&d);
    let add_text = |g: &mut Gen, name: &str, desc: &str, doc: String| {
        let (reason, path) = parse_expectation(name);
        let mut v = g.full(name, desc, "reject:parse", Some(reason), &d);
        v.path = path.map(str::to_string);
        v.document = Some(doc);
        g.push(v);
    };
    add_text(
        g,
        "parse/duplicate-key",
        "a duplicate member (policyId twice) is rejected, not last-wins",
        text.replacen(
            "\"policyId\": \"loan-approval\",",
            "\"policyId\": \"loan-approval\",\n  \"policyId\": \"loan-approval\",",
            1,
        ),
    );
    add_text(
        g,
        "parse/duplicate-key-nested",
        "duplicate keys are rejected at any depth",
        text.replacen("\"action\": \"approve\",", "\"action\": \"approve\",\n    \"action\": \"approve\",", 1),
    );
    add_text(
        g,
        "parse/lone-surrogate",
        "a lone surrogate escape in a string is rejected",
        text.replacen("\"reason\": \"credit_score >= 700\"", "\"reason\": \"credit\\ud800score\"", 1),
    );
    add_text(g, "parse/trailing-data", "data after the document is rejected", format!("{text}{{}}"));
    add_text(g, "parse/truncated", "a truncated document is rejected", text[..text.len() / 2].to_string());
    add_text(g, "parse/not-an-object", "the document must be an object", "[1,2,3]".into());
    add_text(g, "parse/bom", "a leading byte-order mark is rejected", format!("\u{FEFF}{text}"));
    add_text(
        g,
        "parse/unknown-type",
        "an unknown document type is refused",
        text.replacen("attest.execution-attestation.v1", "attest.execution-attestation.v2", 1),
    );
    let (reason, path) = parse_expectation("parse/invalid-utf8");
    let mut v =
        g.full("parse/invalid-utf8", "invalid UTF-8 inside a string is rejected", "reject:parse", Some(reason), &d);
    v.path = path.map(str::to_string);
    let mut bytes = text.clone().into_bytes();
    let pos = text.find("credit_score >= 700").unwrap_or(0);
    bytes[pos] = 0xff;
    v.document = None;
    v.document_base64 = Some(to_b64(&bytes));
    g.push(v);

    let edits: Vec<(&str, &str, Edit)> = vec![
        (
            "parse/unknown-member",
            "an unknown member is rejected even when signed",
            Box::new(|o: &mut Object| set(o, "note", s("hi"))),
        ),
        (
            "parse/missing-member",
            "a required member (runtimeHash) is missing",
            Box::new(|o: &mut Object| {
                o.remove("runtimeHash");
            }),
        ),
        (
            "parse/uppercase-hex",
            "hashes are lowercase hex",
            Box::new(|o: &mut Object| {
                let up = o.get("bundleHash").and_then(Value::as_str).unwrap_or("").to_ascii_uppercase();
                set(o, "bundleHash", s(up))
            }),
        ),
        (
            "parse/short-hash",
            "hashes are 64 hex characters",
            Box::new(|o: &mut Object| set(o, "runtimeHash", s("abcd"))),
        ),
        (
            "parse/timestamp-offset",
            "timestamps are UTC with Z, no offset",
            Box::new(|o: &mut Object| set(o, "issuedAt", s("2026-11-21T10:00:00+00:00"))),
        ),
        (
            "parse/timestamp-range",
            "February 30 is not a date",
            Box::new(|o: &mut Object| set(o, "issuedAt", s("2026-02-30T10:00:00Z"))),
        ),
        (
            "parse/execution-state",
            "execution_state is completed, pending_override or blocked",
            Box::new(|o: &mut Object| set(o, "execution_state", s("done"))),
        ),
        (
            "parse/integer-out-of-range",
            "integers beyond 2^53-1 are rejected, never rounded",
            Box::new(|o: &mut Object| {
                set(
                    o,
                    "onchainDomain",
                    Value::Object({
                        let mut d = Object::new();
                        let _ = d.insert("chainId".into(), Value::Number(Number::Int(1)));
                        let _ = d.insert("verifyingContract".into(), s("0x5FbDB2315678afecb367f032d93F642f64180aa3"));
                        d
                    }),
                )
            }),
        ),
        (
            "parse/float-in-document",
            "our documents hold no floats: chainId 1.5",
            Box::new(|o: &mut Object| {
                let mut d = Object::new();
                let _ = d.insert("chainId".into(), Value::Number(Number::Float(1.5)));
                let _ = d.insert("verifyingContract".into(), s("0x5FbDB2315678afecb367f032d93F642f64180aa3"));
                set(o, "onchainDomain", Value::Object(d))
            }),
        ),
        (
            "parse/address-checksum",
            "addresses carry their EIP-55 checksum",
            Box::new(|o: &mut Object| {
                let mut d = Object::new();
                let _ = d.insert("chainId".into(), Value::Number(Number::Int(31337)));
                let _ = d.insert("verifyingContract".into(), s("0x5fbdb2315678afecb367f032d93f642f64180aa3"));
                set(o, "onchainDomain", Value::Object(d))
            }),
        ),
        (
            "parse/wrong-json-type",
            "decision.requires_override is a boolean",
            Box::new(|o: &mut Object| {
                if let Some(Value::Object(dec)) = o.get_mut("decision") {
                    set(dec, "requires_override", s("false"));
                }
            }),
        ),
    ];
    for (name, desc, f) in edits {
        let mut v = g.edited("exec-parse", |o| f(o))?;
        if name == "parse/integer-out-of-range" {
            // Written as text: a JSON integer one past 2^53.
            let t = to_pretty(&v).replace("\"chainId\": 1,", "\"chainId\": 9007199254740993,");
            let (reason, path) = parse_expectation(name);
            let mut vec = g.full(name, desc, "reject:parse", Some(reason), &v);
            vec.path = path.map(str::to_string);
            vec.document = Some(t);
            g.push(vec);
            continue;
        }
        let _ = &mut v;
        let (reason, path) = parse_expectation(name);
        let mut vec = g.full(name, desc, "reject:parse", Some(reason), &v);
        vec.path = path.map(str::to_string);
        g.push(vec);
    }
    Ok(())
}

fn trust_root_rejects(g: &mut Gen) -> R<()> {
    let d = g.direct("exec-trust")?;
    let other = secret("other-root");
    let mut v = g.full(
        "trust-root/not-anchored",
        "the pinned root key did not sign the first trust root",
        "reject:trust-root",
        Some("not-anchored"),
        &d,
    );
    v.root_keys = vec![other.master_ed25519().public_key().to_hex()];
    g.push(v);
    let mut v = g.full(
        "trust-root/expired",
        "the newest trust root is expired at the verification time",
        "reject:trust-root",
        Some("expired"),
        &d,
    );
    v.now = "2027-11-01T00:00:00Z".into();
    g.push(v);
    let mut v = g.full(
        "trust-root/issued-after-now",
        "only expiry is checked against the verification time: a trust root issued after it is used",
        "accept",
        None,
        &d,
    );
    // The trust root is issued an hour after the verification time (a slow
    // clock); the attestation itself lies before it.
    let mut root = g.root_value();
    set(obj(&mut root), "issuedAt", s("2026-11-21T13:00:00Z"));
    v.trust_roots = vec![g.resign_root(root, &[&g.s.root])];
    g.push(v);
    let mut v = g.full(
        "trust-root/rollback",
        "--min-trust-root-version 2 refuses a chain whose newest version is 1",
        "reject:trust-root",
        Some("rollback"),
        &d,
    );
    v.min_trust_root_version = Some(2);
    g.push(v);
    let mut root = g.root_value();
    set(obj(&mut root), "expiresAt", s("2030-01-01T00:00:00Z"));
    let mut v = g.full(
        "trust-root/tampered",
        "a trust root edited after signing (expiry extended) is not anchored",
        "reject:trust-root",
        Some("not-anchored"),
        &d,
    );
    v.trust_roots = vec![to_pretty(&root)];
    g.push(v);
    let mut root = g.root_value();
    set(obj(&mut root), "rootThreshold", Value::Number(Number::Int(0)));
    let mut v = g.full(
        "trust-root/threshold-zero",
        "a threshold below 1 is invalid",
        "reject:trust-root",
        Some("out-of-range"),
        &d,
    );
    v.trust_roots = vec![g.resign_root(root, &[&g.s.root])];
    g.push(v);
    let mut root = g.root_value();
    let rid = g.s.runtime.master_ed25519().key_id().to_hex();
    set(key_entry(&mut root, &rid), "keyId", s(g.s.bundle_key.master_ed25519().key_id().to_hex().replace('a', "b")));
    let mut v = g.full(
        "trust-root/key-id-mismatch",
        "a key entry whose keyId is not SHA-256 of its key is rejected",
        "reject:trust-root",
        Some("key-id-mismatch"),
        &d,
    );
    v.trust_roots = vec![g.resign_root(root, &[&g.s.root])];
    g.push(v);
    let mut root = g.root_value();
    let root_id = g.s.root.master_ed25519().key_id().to_hex();
    set(key_entry(&mut root, &root_id), "revoked", Value::Bool(true));
    let mut v = g.full(
        "trust-root/revoked-root-key",
        "a revoked root key does not count toward the threshold",
        "reject:trust-root",
        Some("not-anchored"),
        &d,
    );
    v.trust_roots = vec![g.resign_root(root, &[&g.s.root])];
    g.push(v);
    // Threshold 2 with one root key signing twice.
    let second = secret("root-b");
    let mut first = TrustRootDraft::first(t(times::ROOT_ISSUED), t(times::ROOT_EXPIRES), 2);
    for k in [&g.s.root, &second] {
        first
            .add_key(&KeySpec {
                key: KeyMaterial::ed25519(&k.master_ed25519()),
                roles: vec![Role::Root],
                valid_from: t(times::ROOT_ISSUED),
                valid_until: None,
                label: None,
            })
            .map_err(e)?;
    }
    let k = g.s.runtime.master_ed25519();
    first
        .add_key(&KeySpec {
            key: KeyMaterial::ed25519(&k),
            roles: vec![Role::Runtime],
            valid_from: t(times::ROOT_ISSUED),
            valid_until: None,
            label: None,
        })
        .map_err(e)?;
    let rk = g.s.root.master_ed25519();
    let twice = first.clone().sign(&[&rk, &rk]);
    let mut v = g.full(
        "trust-root/signature-counted-once",
        "threshold 2: two signatures by one keyId count once",
        "reject:trust-root",
        Some("not-anchored"),
        &d,
    );
    v.trust_roots = vec![to_pretty(&twice)];
    v.root_keys.push(second.master_ed25519().public_key().to_hex());
    v.bundle = None;
    g.push(v);
    let both = first.sign(&[&rk, &second.master_ed25519()]);
    let mut v =
        g.full("trust-root/threshold-two", "threshold 2 met by two distinct pinned root keys", "accept", None, &d);
    v.trust_roots = vec![to_pretty(&both)];
    v.root_keys.push(second.master_ed25519().public_key().to_hex());
    v.bundle = None;
    g.push(v);
    let mut v = g.full(
        "trust-root/threshold-one-pinned",
        "threshold 2 but only one of the signing root keys is pinned",
        "reject:trust-root",
        Some("not-anchored"),
        &d,
    );
    v.trust_roots = vec![to_pretty(&both)];
    v.bundle = None;
    g.push(v);

    // Rotations.
    let next = g.next_root()?;
    let good_v2 = next.clone().sign(&[&g.s.root.master_ed25519()]);
    let mut bad = good_v2.clone();
    set(obj(&mut bad), "previousDigest", s(sha256(b"not the previous").to_hex()));
    let mut v = g.full(
        "trust-root/previous-digest",
        "v2's previousDigest must be digest(v1)",
        "reject:trust-root",
        Some("previous-digest"),
        &d,
    );
    v.trust_roots.push(g.resign_root(bad, &[&g.s.root]));
    g.push(v);
    let mut gap = good_v2.clone();
    set(obj(&mut gap), "version", Value::Number(Number::Int(3)));
    let mut v = g.full(
        "trust-root/version-gap",
        "versions must increase by exactly one",
        "reject:trust-root",
        Some("version-sequence"),
        &d,
    );
    v.trust_roots.push(g.resign_root(gap, &[&g.s.root]));
    g.push(v);
    let new_root = secret("root-2027");
    let mut rot = g.next_root()?;
    rot.add_key(&KeySpec {
        key: KeyMaterial::ed25519(&new_root.master_ed25519()),
        roles: vec![Role::Root],
        valid_from: t("2026-11-15T00:00:00Z"),
        valid_until: None,
        label: Some("root 2027".into()),
    })
    .map_err(e)?;
    rot.remove_key(&g.s.root.master_ed25519().key_id().to_hex()).map_err(e)?;
    let only_new = rot.clone().sign(&[&new_root.master_ed25519()]);
    let mut v = g.full(
        "trust-root/rotation-old-threshold",
        "v2 must carry rootThreshold signatures of v1's root keys",
        "reject:trust-root",
        Some("rotation-threshold"),
        &d,
    );
    v.trust_roots.push(to_pretty(&only_new));
    g.push(v);
    let only_old = rot.clone().sign(&[&g.s.root.master_ed25519()]);
    let mut v = g.full(
        "trust-root/rotation-new-threshold",
        "v2 must also carry its own rootThreshold root signatures",
        "reject:trust-root",
        Some("threshold"),
        &d,
    );
    v.trust_roots.push(to_pretty(&only_old));
    g.push(v);
    let both = rot.sign(&[&g.s.root.master_ed25519(), &new_root.master_ed25519()]);
    let mut v = g.full(
        "trust-root/root-key-rotated",
        "v1's root key hands over to a new root key: both sign v2",
        "accept",
        None,
        &d,
    );
    v.trust_roots.push(to_pretty(&both));
    g.push(v);
    Ok(())
}

fn signer_rejects(g: &mut Gen) -> R<()> {
    let stranger = secret("stranger");
    let dr = g.draft("exec-signer")?;
    let v = dr.sign_with_runtime(&stranger.master_ed25519(), None).map_err(e)?;
    g.add("signer/unknown-key", "the signing key is not in the trust root", "reject:signer", Some("unknown-key"), &v);
    let v = dr.sign_with_runtime(&g.s.bundle_key.master_ed25519(), None).map_err(e)?;
    g.add(
        "signer/wrong-role",
        "a bundle-signing key may not sign attestations",
        "reject:signer",
        Some("wrong-role"),
        &v,
    );
    let v = dr.sign_with_runtime(&g.s.root.master_ed25519(), None).map_err(e)?;
    g.add("signer/root-key", "a root key may not sign attestations", "reject:signer", Some("wrong-role"), &v);
    // A signer's claim about its own time is bounded by the verifier's clock
    // (default --max-clock-skew 5 minutes): dated 2099, it is refused.
    let mut fut = g.draft("exec-signer")?;
    fut.issued_at = t("2099-01-01T00:00:00Z");
    let v = fut.sign_with_runtime(&g.s.runtime.master_ed25519(), None).map_err(e)?;
    g.add(
        "signer/issued-in-future",
        "issuedAt more than the clock skew (5 minutes) after now fails signer",
        "reject:signer",
        Some("issued-in-future"),
        &v,
    );
    // secp256k1 runtime key id as signer.
    let d = g.edited("exec-signer", |_| {})?;
    let mut d2 = d.clone();
    set(obj(&mut d2), "signerKeyId", s(g.s.runtime.master_secp256k1().map_err(e)?.key_id().to_hex()));
    sign_single(obj(&mut d2), &g.s.runtime.master_ed25519());
    g.add(
        "signer/wrong-algorithm",
        "signerKeyId names a secp256k1 runtime key",
        "reject:signer",
        Some("wrong-algorithm"),
        &d2,
    );
    // Revoked in v2.
    let mut next = g.next_root()?;
    next.revoke_key(&g.s.runtime.master_ed25519().key_id().to_hex()).map_err(e)?;
    let v2 = to_pretty(&next.sign(&[&g.s.root.master_ed25519()]));
    let mut v = g.full(
        "signer/revoked",
        "a key revoked in the newest trust root is refused at every time",
        "reject:signer",
        Some("key-revoked"),
        &d,
    );
    v.trust_roots.push(v2);
    g.push(v);
    // Key windows: the runtime key's entry edited, the trust root re-signed.
    let rid = g.s.runtime.master_ed25519().key_id().to_hex();
    for (name, desc, member, value, expect, reason) in [
        (
            "signer/key-expired",
            "the runtime key's validUntil is before issuedAt",
            "validUntil",
            "2026-11-20T00:00:00Z",
            "reject:signer",
            Some("key-window"),
        ),
        (
            "signer/key-not-yet-valid",
            "validFrom is one nanosecond after issuedAt",
            "validFrom",
            "2026-11-21T10:00:00.000000001Z",
            "reject:signer",
            Some("key-window"),
        ),
        (
            "signer/key-until-exclusive",
            "validUntil equal to issuedAt: the window end is exclusive",
            "validUntil",
            "2026-11-21T10:00:00Z",
            "reject:signer",
            Some("key-window"),
        ),
        (
            "signer/key-from-inclusive",
            "validFrom equal to issuedAt: the window start is inclusive",
            "validFrom",
            "2026-11-21T10:00:00Z",
            "accept",
            None,
        ),
    ] {
        let mut root = g.root_value();
        set(key_entry(&mut root, &rid), member, s(value));
        let mut v = g.full(name, desc, expect, reason, &d);
        v.trust_roots = vec![g.resign_root(root, &[&g.s.root])];
        g.push(v);
    }
    // Delegated attestation whose signerKeyId is not the ephemeral key.
    let mut dl = g.s.delegated("exec-signer-delegated").map_err(e)?;
    let o = obj(&mut dl);
    o.remove("onchainSignature");
    set(o, "signerKeyId", s(g.s.runtime.master_ed25519().key_id().to_hex()));
    sign_single(o, &g.s.runtime.master_ed25519());
    g.add(
        "signer/delegated-mismatch",
        "with a delegation, signerKeyId must be the ephemeral key's id",
        "reject:signer",
        Some("signer-mismatch"),
        &dl,
    );
    Ok(())
}

/// Builds a delegated attestation with a hand-made delegation.
fn delegated_with(
    g: &Gen,
    id: &str,
    master: &MasterSecret,
    eph_ctx: Option<attest_verifier::types::Sha256Digest>,
    edit_draft: impl FnOnce(&mut AttestationDraft),
    edit_delegation: impl FnOnce(&mut Object),
    onchain: bool,
) -> R<Value> {
    let mut dr = g.draft(id)?;
    edit_draft(&mut dr);
    if onchain {
        dr.onchain_domain = Some(g.s.onchain_domain);
    }
    let ctx = dr.context_hash();
    let eph_ctx = eph_ctx.unwrap_or(ctx);
    let eph = master.ephemeral_ed25519(&eph_ctx);
    let eph_ec = master.ephemeral_secp256k1(&eph_ctx).map_err(e)?;
    let mut d = Object::new();
    set(&mut d, "type", s("attest.delegation.v1"));
    set(&mut d, "masterKeyId", s(master.master_ed25519().key_id().to_hex()));
    set(&mut d, "ephemeralPublicKey", s(eph.public_key().to_hex()));
    if onchain {
        set(&mut d, "ephemeralAddress", s(eph_ec.address().to_checksum()));
    }
    set(&mut d, "contextHash", s(ctx.to_hex()));
    set(&mut d, "notBefore", s(times::ISSUED));
    set(&mut d, "notAfter", s(times::DELEGATION_END));
    edit_delegation(&mut d);
    sign_single(&mut d, &master.master_ed25519());
    if onchain {
        let parsed = parse_delegation_value(&Value::Object(d.clone()), "$").map_err(e)?;
        let dg = eip712::delegation_digest(&g.s.onchain_domain, &onchain_delegation(&parsed).map_err(e)?);
        set(
            &mut d,
            "onchainSignature",
            s(master.master_secp256k1().map_err(e)?.sign_digest(&dg).map_err(e)?.to_text()),
        );
    }
    // Start from a runtime-signed body, then swap in the delegation and re-sign.
    let mut v = dr
        .sign_with_runtime(&g.s.runtime.master_ed25519(), Some(&g.s.runtime.master_secp256k1().map_err(e)?))
        .map_err(e)?;
    let o = obj(&mut v);
    o.remove("signature");
    o.remove("onchainSignature");
    let domain = o.remove("onchainDomain");
    set(o, "delegation", Value::Object(d));
    if let Some(dv) = domain {
        set(o, "onchainDomain", dv);
    }
    set(o, "signerKeyId", s(eph.key_id().to_hex()));
    sign_single(o, &eph);
    if onchain {
        let att = parse_attestation_value(&Value::Object(o.clone())).map_err(e)?;
        let dg = eip712::attestation_digest(&g.s.onchain_domain, &att.onchain_struct().map_err(e)?);
        set(o, "onchainSignature", s(eph_ec.sign_digest(&dg).map_err(e)?.to_text()));
    }
    Ok(v)
}

fn onchain(expect: &str) -> Option<OnchainExpectation> {
    Some(OnchainExpectation { expect: expect.into(), register_masters: true })
}

fn delegation_rejects(g: &mut Gen) -> R<()> {
    let master = g.s.master.clone();
    let stranger = secret("stranger-master");
    let v = delegated_with(g, "exec-del-untrusted", &stranger, None, |_| {}, |_| {}, true)?;
    let mut vec = g.full(
        "delegation/master-untrusted",
        "the delegating master is not in the trust root",
        "reject:delegation",
        Some("master-untrusted"),
        &v,
    );
    vec.onchain = onchain("reject:master-untrusted");
    g.push(vec);
    let v = delegated_with(g, "exec-del-rolewrong", &g.s.runtime.clone(), None, |_| {}, |_| {}, false)?;
    g.add(
        "delegation/master-wrong-role",
        "a runtime key may not delegate",
        "reject:delegation",
        Some("master-untrusted"),
        &v,
    );
    let v = delegated_with(g, "exec-del-ok", &master, None, |_| {}, |_| {}, true)?;
    // Revoke the master (both keys) in v2.
    let mut next = g.next_root()?;
    next.revoke_key(&master.master_ed25519().key_id().to_hex()).map_err(e)?;
    next.revoke_key(&master.master_secp256k1().map_err(e)?.key_id().to_hex()).map_err(e)?;
    let v2 = to_pretty(&next.sign(&[&g.s.root.master_ed25519()]));
    let mut vec = g.full(
        "delegation/master-revoked",
        "the master key is revoked in the newest trust root",
        "reject:delegation",
        Some("master-revoked"),
        &v,
    );
    vec.trust_roots.push(v2);
    vec.onchain = onchain("reject:master-revoked");
    g.push(vec);
    let mut root = g.root_value();
    let mid = master.master_ed25519().key_id().to_hex();
    let mec = master.master_secp256k1().map_err(e)?.key_id().to_hex();
    set(key_entry(&mut root, &mid), "validUntil", s("2026-11-21T09:00:00Z"));
    set(key_entry(&mut root, &mec), "validUntil", s("2026-11-21T09:00:00Z"));
    let mut vec = g.full(
        "delegation/master-window",
        "the master key's window ended before issuedAt",
        "reject:delegation",
        Some("master-window"),
        &v,
    );
    vec.trust_roots = vec![g.resign_root(root, &[&g.s.root])];
    vec.onchain = onchain("reject:master-window");
    g.push(vec);
    // Delegation edited after the master signed (window extended).
    let mut bad = delegated_with(g, "exec-del-badsig", &master, None, |_| {}, |_| {}, false)?;
    let o = obj(&mut bad);
    if let Some(Value::Object(d)) = o.get_mut("delegation") {
        set(d, "notAfter", s("2026-12-21T11:00:00Z"));
    }
    let ctx = context_hash("exec-del-badsig", "loan-approval", "1.0.0", &g.s.runtime_hash);
    sign_single(o, &master.ephemeral_ed25519(&ctx));
    g.add(
        "delegation/bad-signature",
        "the delegation was edited after the master signed it",
        "reject:delegation",
        Some("bad-signature"),
        &bad,
    );
    // Context: a delegation for execution X used for execution Y.
    let x_ctx = context_hash("exec-del-x", "loan-approval", "1.0.0", &g.s.runtime_hash);
    let v = delegated_with(
        g,
        "exec-del-y",
        &master,
        Some(x_ctx),
        |_| {},
        |d| set(d, "contextHash", s(x_ctx.to_hex())),
        true,
    )?;
    let mut vec = g.full(
        "delegation/context-mismatch",
        "the delegation binds another execution's context",
        "reject:delegation",
        Some("context-mismatch"),
        &v,
    );
    vec.onchain = onchain("reject:context-mismatch");
    g.push(vec);
    for (name, id, desc, not_before, not_after) in [
        (
            "delegation/window",
            "exec-del-window",
            "issuedAt equals notAfter: the delegation window end is exclusive",
            "2026-11-21T08:00:00Z",
            "2026-11-21T10:00:00Z",
        ),
        (
            "delegation/not-yet",
            "exec-del-early",
            "issuedAt before notBefore",
            "2026-11-21T10:00:01Z",
            "2026-11-21T11:00:00Z",
        ),
        (
            "delegation/inverted-window",
            "exec-del-inverted",
            "notAfter before notBefore: a well-formed but empty window, refused by the delegation check",
            "2026-11-21T11:00:00Z",
            "2026-11-21T09:00:00Z",
        ),
    ] {
        let v = delegated_with(
            g,
            id,
            &master,
            None,
            |_| {},
            |d| {
                set(d, "notBefore", s(not_before));
                set(d, "notAfter", s(not_after));
            },
            true,
        )?;
        let mut vec = g.full(name, desc, "reject:delegation", Some("delegation-window"), &v);
        vec.onchain = onchain("reject:delegation-window");
        g.push(vec);
    }
    Ok(())
}

fn signature_rejects(g: &mut Gen) -> R<()> {
    let d = g.direct("exec-sig")?;
    let mut t = d.clone();
    if let Some(Value::Object(dec)) = obj(&mut t).get_mut("decision") {
        set(dec, "action", s("reject"));
    }
    g.add(
        "signature/tampered",
        "the decision was changed after signing",
        "reject:signature",
        Some("bad-signature"),
        &t,
    );
    let mut t = d.clone();
    set(obj(&mut t), "networkSummaryHash", s(sha256(b"x").to_hex()));
    g.add(
        "signature/member-added",
        "a member added after signing breaks the signature",
        "reject:signature",
        Some("bad-signature"),
        &t,
    );
    let sig_text = obj(&mut d.clone()).get("signature").and_then(Value::as_str).unwrap_or("").to_string();
    let sig = Ed25519Signature::from_base64(&sig_text).map_err(e)?;
    let mut t = d.clone();
    set(obj(&mut t), "signature", s(s_plus_l(&sig).to_base64()));
    g.add(
        "signature/s-not-reduced",
        "S + L: a non-canonical scalar is rejected (strict verification)",
        "reject:signature",
        Some("bad-signature"),
        &t,
    );
    let mut chars: Vec<char> = sig_text.chars().collect();
    let i = chars.len() - 3;
    chars[i] = match chars[i] {
        'A' => 'B',
        'Q' => 'R',
        'g' => 'h',
        'w' => 'x',
        c => c,
    };
    let mut t = d.clone();
    set(obj(&mut t), "signature", s(chars.into_iter().collect::<String>()));
    g.add(
        "signature/non-canonical-base64",
        "base64 with non-zero trailing bits is rejected",
        "reject:signature",
        Some("signature-encoding"),
        &t,
    );
    let mut t = d.clone();
    set(obj(&mut t), "signature", s(sig_text.trim_end_matches('=')));
    g.add("signature/unpadded-base64", "base64 must be padded", "reject:signature", Some("signature-encoding"), &t);
    let mut t = d.clone();
    let m = attest_verifier::doc::signing_message("attest.execution-attestation.v1", obj(&mut t));
    set(obj(&mut t), "signature", s(secret("x").master_ed25519().sign(&m).to_base64()));
    g.add("signature/other-key", "a valid signature by another key", "reject:signature", Some("bad-signature"), &t);
    // Signature over the message without the type prefix (domain separation).
    let mut t = d.clone();
    let o = obj(&mut t);
    o.remove("signature");
    let c = attest_json::to_canonical_vec(&Value::Object(o.clone()));
    set(o, "signature", s(g.s.runtime.master_ed25519().sign(&c).to_base64()));
    g.add(
        "signature/no-domain-separation",
        "a signature over C(D) without the type ‖ 0x00 prefix is refused",
        "reject:signature",
        Some("bad-signature"),
        &t,
    );
    Ok(())
}

fn content_rejects(g: &mut Gen) -> R<()> {
    let v = g.edited("exec-fp", |o| set(o, "signalsHash", s(sha256(b"other").to_hex())))?;
    g.add(
        "fingerprint/alias-mismatch",
        "signalsHash must equal execution_fingerprint",
        "reject:fingerprint",
        Some("alias-mismatch"),
        &v,
    );
    let v = g.edited("exec-fp", |o| set(o, "evaluatorHash", s(sha256(b"other").to_hex())))?;
    g.add(
        "fingerprint/evaluator-alias",
        "evaluatorHash must equal evaluatorSemanticHash",
        "reject:fingerprint",
        Some("alias-mismatch"),
        &v,
    );
    let d = g.direct("exec-fp")?;
    let mut vec = g.full(
        "fingerprint/signals-mismatch",
        "other signals than the evaluated ones",
        "reject:fingerprint",
        Some("fingerprint-mismatch"),
        &d,
    );
    vec.signals = Some("{\"amount\":25000,\"applicant\":\"A-1029\",\"credit_score\":743,\"ratio\":0.31}".into());
    g.push(vec);
    let mut vec = g.full(
        "fingerprint/signals-malformed",
        "signals with a duplicate key are refused",
        "reject:fingerprint",
        Some("signals-malformed"),
        &d,
    );
    vec.signals = Some("{\"amount\":1,\"amount\":2}".into());
    g.push(vec);
    let mut vec = g.full(
        "fingerprint/signals-reordered",
        "signals are hashed canonically: member order and whitespace do not matter",
        "accept",
        None,
        &d,
    );
    vec.signals =
        Some("{ \"ratio\": 0.31, \"credit_score\": 742, \"applicant\": \"A-1029\", \"amount\": 2.5e4 }".into());
    g.push(vec);

    let v = g.edited("exec-rt", |o| set(o, "runtimeHash", s(sha256(b"patched runtime").to_hex())))?;
    g.add(
        "runtime/unlisted",
        "the runtime hash is not listed in the trust root",
        "reject:runtime",
        Some("unlisted-runtime"),
        &v,
    );
    let v = g.edited("exec-rt", |o| set(o, "releaseManifestHash", s(sha256(b"other release").to_hex())))?;
    g.add(
        "runtime/release-manifest",
        "the release manifest hash differs from the listed runtime's",
        "reject:runtime",
        Some("unlisted-runtime"),
        &v,
    );
    let v = g.edited("exec-trv", |o| set(o, "trustRootVersion", s("2")))?;
    g.add(
        "trust-root-version/ahead",
        "trustRootVersion 2 with only version 1 verified",
        "reject:trust-root-version",
        Some("version-ahead"),
        &v,
    );
    let v = g.edited("exec-trv", |o| set(o, "trustRootVersion", s("123456789012345678901234567890")))?;
    g.add(
        "trust-root-version/beyond-u64",
        "a decimal trustRootVersion too large for any trust root version is ahead, not malformed",
        "reject:trust-root-version",
        Some("version-ahead"),
        &v,
    );
    let v = g.edited("exec-trv", |o| set(o, "trustRootVersion", s("01")))?;
    g.add(
        "trust-root-version/leading-zero",
        "trustRootVersion is a plain decimal string",
        "reject:trust-root-version",
        Some("malformed-version"),
        &v,
    );
    let v = g.edited("exec-trv", |o| set(o, "trustRootVersion", s("one")))?;
    g.add(
        "trust-root-version/not-a-number",
        "trustRootVersion is a decimal string",
        "reject:trust-root-version",
        Some("malformed-version"),
        &v,
    );

    // Output.
    let d = g.direct("exec-out")?;
    let mut vec = g.full(
        "output/mismatch",
        "the output bytes do not hash to outputHash",
        "reject:output",
        Some("output-mismatch"),
        &d,
    );
    vec.output_base64 = Some(to_b64(b"{\"decision\":\"approve\",\"limit\":250000}"));
    g.push(vec);
    let v = g.edited("exec-out", |o| {
        o.remove("outputHash");
    })?;
    g.add(
        "output/not-bound",
        "--output given but the attestation binds no outputHash",
        "reject:output",
        Some("no-output-hash"),
        &v,
    );
    Ok(())
}

fn bundle_rejects(g: &mut Gen) -> R<()> {
    let d = g.direct("exec-bundle")?;
    let info = BundleInfo {
        policy_id: "loan-approval".into(),
        policy_version: "1.0.0".into(),
        schema_version: "1.0.0".into(),
        created_at: t(times::BUNDLE_CREATED),
    };
    let mut m = g.s.manifest.clone();
    set(obj(&mut m), "createdAt", s("2026-11-10T09:30:01Z"));
    let mut vec = g.full(
        "bundle-manifest/bad-signature",
        "the manifest was edited after signing",
        "reject:bundle-manifest",
        Some("bad-signature"),
        &d,
    );
    vec.bundle = Some(VectorBundle { manifest: to_pretty(&m), entries: None });
    g.push(vec);
    let wrong = sign_manifest(&info, &g.s.bundle_files, &g.s.runtime.master_ed25519()).map_err(e)?;
    let mut dr = g.draft("exec-bundle-wrong")?;
    dr.bind_manifest(&attest_verifier::bundle::parse_bundle_manifest_value(&wrong).map_err(e)?);
    let v = dr.sign_with_runtime(&g.s.runtime.master_ed25519(), None).map_err(e)?;
    let mut vec = g.full(
        "bundle-manifest/wrong-role",
        "the manifest is signed by a runtime key, not a bundle-signing key",
        "reject:bundle-manifest",
        Some("wrong-role"),
        &v,
    );
    vec.bundle = Some(VectorBundle { manifest: to_pretty(&wrong), entries: None });
    g.push(vec);
    let mut m = g.s.manifest.clone();
    let o = obj(&mut m);
    set(o, "bundleHash", s(sha256(b"other files").to_hex()));
    sign_single(o, &g.s.bundle_key.master_ed25519());
    let mut vec = g.full(
        "bundle-manifest/bundle-hash",
        "bundleHash is not SHA-256 of the canonical file list",
        "reject:bundle-manifest",
        Some("bundle-hash"),
        &d,
    );
    vec.bundle = Some(VectorBundle { manifest: to_pretty(&m), entries: None });
    g.push(vec);
    for (name, path, why) in [
        ("bundle-manifest/dotdot-path", "../policy.json", "a `..` segment"),
        ("bundle-manifest/absolute-path", "/etc/policy.json", "an absolute path"),
        ("bundle-manifest/backslash-path", "schema\\signals.json", "a backslash"),
    ] {
        let mut m = g.s.manifest.clone();
        let o = obj(&mut m);
        if let Some(Value::Array(files)) = o.get_mut("files") {
            set(obj(&mut files[0]), "path", s(path));
        }
        sign_single(o, &g.s.bundle_key.master_ed25519());
        let mut vec = g.full(
            name,
            &format!("bundle paths may not contain {why}"),
            "reject:bundle-manifest",
            Some("bad-path"),
            &d,
        );
        vec.path = Some("$.files[0].path".into());
        vec.bundle = Some(VectorBundle { manifest: to_pretty(&m), entries: None });
        g.push(vec);
    }
    let mut m = g.s.manifest.clone();
    let o = obj(&mut m);
    if let Some(Value::Array(files)) = o.get_mut("files") {
        files.reverse();
    }
    sign_single(o, &g.s.bundle_key.master_ed25519());
    let mut vec = g.full(
        "bundle-manifest/unsorted",
        "files must be sorted by path",
        "reject:bundle-manifest",
        Some("unsorted"),
        &d,
    );
    vec.path = Some("$.files[1].path".into());
    vec.bundle = Some(VectorBundle { manifest: to_pretty(&m), entries: None });
    g.push(vec);

    let files = |g: &Gen, f: &dyn Fn(&mut Vec<VectorEntry>)| {
        let mut entries = g.bundle_entries();
        f(&mut entries);
        entries
    };
    let cases: Vec<(&str, &str, &str, EntriesEdit)> = vec![
        (
            "bundle-files/extra-file",
            "a file not listed in the manifest",
            "unlisted-file",
            Box::new(|es: &mut Vec<VectorEntry>| {
                es.push(VectorEntry { path: "notes.txt".into(), kind: "file".into(), base64: to_b64(b"x") })
            }),
        ),
        (
            "bundle-files/missing-file",
            "a listed file is absent",
            "missing-file",
            Box::new(|es: &mut Vec<VectorEntry>| es.retain(|e| e.path != "policy.json")),
        ),
        (
            "bundle-files/modified-file",
            "a listed file's content differs (same size)",
            "hash-mismatch",
            Box::new(|es: &mut Vec<VectorEntry>| {
                if let Some(e) = es.iter_mut().find(|e| e.path == "policy.json") {
                    let mut b = attest_test_vectors::b64(&e.base64);
                    b[10] ^= 1;
                    e.base64 = to_b64(&b);
                }
            }),
        ),
        (
            "bundle-files/size-mismatch",
            "a listed file's size differs",
            "size-mismatch",
            Box::new(|es: &mut Vec<VectorEntry>| {
                if let Some(e) = es.iter_mut().find(|e| e.path == "policy.json") {
                    let mut b = attest_test_vectors::b64(&e.base64);
                    b.push(b'\n');
                    e.base64 = to_b64(&b);
                }
            }),
        ),
        (
            "bundle-files/symlink",
            "a symlink in the bundle directory",
            "symlink",
            Box::new(|es: &mut Vec<VectorEntry>| {
                es.push(VectorEntry { path: "link".into(), kind: "symlink".into(), base64: String::new() })
            }),
        ),
        (
            "bundle-files/special-file",
            "a FIFO or device in the bundle directory",
            "not-regular",
            Box::new(|es: &mut Vec<VectorEntry>| {
                es.push(VectorEntry { path: "fifo".into(), kind: "other".into(), base64: String::new() })
            }),
        ),
    ];
    for (name, desc, reason, f) in cases {
        let mut vec = g.full(name, desc, "reject:bundle-files", Some(reason), &d);
        let entries = files(g, &*f);
        if let Some(b) = vec.bundle.as_mut() {
            b.entries = Some(entries);
        }
        g.push(vec);
    }
    // Binding.
    let info2 = BundleInfo { policy_version: "1.0.1".into(), ..info.clone() };
    let m2 = sign_manifest(&info2, &g.s.bundle_files, &g.s.bundle_key.master_ed25519()).map_err(e)?;
    let mut vec = g.full(
        "bundle-binding/other-bundle",
        "a valid bundle, but not the one the attestation names",
        "reject:bundle-binding",
        Some("binding-mismatch"),
        &d,
    );
    let mut entries = g.bundle_entries();
    if let Some(e) = entries.iter_mut().find(|e| e.path == "manifest.json") {
        e.base64 = to_b64(to_pretty(&m2).as_bytes());
    }
    vec.bundle = Some(VectorBundle { manifest: to_pretty(&m2), entries: Some(entries) });
    g.push(vec);
    let v = g.edited("exec-bundle", |o| set(o, "manifestHash", s(sha256(b"x").to_hex())))?;
    g.add(
        "bundle-binding/manifest-hash",
        "manifestHash is not the digest of the manifest",
        "reject:bundle-binding",
        Some("binding-mismatch"),
        &v,
    );
    let v =
        g.edited("exec-bundle", |o| set(o, "manifestSignature", s(Ed25519Signature::from_bytes([1; 64]).to_base64())))?;
    g.add(
        "bundle-binding/manifest-signature",
        "manifestSignature is not the manifest's signature",
        "reject:bundle-binding",
        Some("binding-mismatch"),
        &v,
    );
    Ok(())
}

const H: &str = "https://api.example.com/v1/price?asset=ETH";

fn log_lines(records: &[String]) -> String {
    let mut s = records.join("\n");
    s.push('\n');
    s
}

fn default_log() -> Vec<String> {
    let cert = sha256(b"leaf certificate").to_hex();
    let body = sha256(b"{\"price\":3150.25}").to_hex();
    let empty = sha256(b"").to_hex();
    let auth = sha256(b"Bearer secret-token").to_hex();
    vec![
        format!(
            r#"{{"kind":"dns","seq":0,"at":"2026-11-21T09:59:58Z","name":"api.example.com","rrtype":"A","answers":["93.184.216.34"],"resolver":"1.1.1.1"}}"#
        ),
        format!(
            r#"{{"kind":"request","seq":1,"at":"2026-11-21T09:59:58.5Z","method":"GET","url":"{H}","headers":[["accept","application/json"],["authorization",{{"sha256":"{auth}"}}]],"bodySha256":"{empty}"}}"#
        ),
        format!(
            r#"{{"kind":"response","seq":2,"at":"2026-11-21T09:59:59Z","requestSeq":1,"status":200,"headers":[["content-type","application/json"]],"bodySha256":"{body}","tls":{{"version":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","serverName":"api.example.com","peerCertificateSha256":"{cert}"}}}}"#
        ),
    ]
}

fn network_vectors(g: &mut Gen) -> R<()> {
    let id = "exec-network";
    let good = log_lines(&default_log());
    let records = parse_log(good.as_bytes()).map_err(e)?;
    let summary = check_records(&records, id, &LogRules::default()).map_err(e)?;
    let mut dr = g.draft(id)?;
    dr.network_summary_hash = Some(summary.digest());
    let att = dr.sign_with_runtime(&g.s.runtime.master_ed25519(), None).map_err(e)?;
    let mut v =
        g.full("network/accept", "the log recomputes networkSummaryHash and follows every rule", "accept", None, &att);
    v.network = Some(good.clone());
    g.push(v);
    let mut v = g.full("network/allow-host-accept", "--allow-host lists every host", "accept", None, &att);
    v.network = Some(good.clone());
    v.allow_hosts = vec!["api.example.com".into()];
    g.push(v);
    let mut v = g.full(
        "network/not-given",
        "networkSummaryHash without --network: the network check skips",
        "accept",
        None,
        &att,
    );
    v.network = None;
    g.push(v);
    let mut v = g.full("network/allow-host", "a host outside --allow-host", "reject:network", Some("allow-host"), &att);
    v.network = Some(good.clone());
    v.allow_hosts = vec!["other.example.com".into()];
    g.push(v);
    let base = default_log();
    let variants: Vec<(&str, &str, &str, Vec<String>)> = vec![
        (
            "network/summary-mismatch",
            "a log with a changed response body hash no longer recomputes the summary",
            "summary",
            {
                let mut l = base.clone();
                l[2] = l[2].replace(&sha256(b"{\"price\":3150.25}").to_hex(), &sha256(b"{\"price\":9999}").to_hex());
                l
            },
        ),
        ("network/seq-gap", "seq must be contiguous from 0", "seq", {
            let mut l = base.clone();
            l[2] = l[2].replace("\"seq\":2", "\"seq\":3");
            l
        }),
        ("network/time-order", "at never decreases", "order", {
            let mut l = base.clone();
            l[2] = l[2].replace("2026-11-21T09:59:59Z", "2026-11-21T09:59:57Z");
            l
        }),
        ("network/response-binding", "a response must name an earlier request", "binding", {
            let mut l = base.clone();
            l[2] = l[2].replace("\"requestSeq\":1", "\"requestSeq\":0");
            l
        }),
        ("network/double-response", "a request has at most one response", "binding", {
            let mut l = base.clone();
            l.push(l[2].replace("\"seq\":2", "\"seq\":3"));
            l
        }),
        ("network/plain-http", "requests are https", "https", {
            let mut l = base.clone();
            l[1] = l[1].replace("https://", "http://");
            l
        }),
        ("network/no-dns", "a request's host needs an earlier dns record", "dns", {
            let mut l = base.clone();
            l[0] = l[0].replace("api.example.com", "cdn.example.com");
            l
        }),
        ("network/tls-missing", "an https response carries TLS facts", "tls", {
            let mut l = base.clone();
            let i = l[2].find(",\"tls\":").unwrap_or(0);
            l[2] = format!("{},\"tls\":null}}", &l[2][..i]);
            l
        }),
        ("network/malformed-record", "a record with an unknown member", "malformed-record", {
            let mut l = base.clone();
            l[0] = l[0].replace("\"resolver\"", "\"extra\":1,\"resolver\"");
            l
        }),
        ("network/uppercase-header", "header names are lowercase", "malformed-record", {
            let mut l = base.clone();
            l[1] = l[1].replace("[\"accept\"", "[\"Accept\"");
            l
        }),
    ];
    for (name, desc, reason, lines) in variants {
        let mut v = g.full(name, desc, "reject:network", Some(reason), &att);
        v.network = Some(log_lines(&lines));
        g.push(v);
    }
    // IP literal needs no DNS record.
    let lines = vec![
        format!(
            r#"{{"kind":"request","seq":0,"at":"2026-11-21T09:59:58Z","method":"POST","url":"https://10.0.0.7:8443/v1/score","headers":[],"bodySha256":"{}"}}"#,
            sha256(b"{}").to_hex()
        ),
        format!(
            r#"{{"kind":"response","seq":1,"at":"2026-11-21T09:59:59Z","requestSeq":0,"status":200,"headers":[],"bodySha256":"{}","tls":{{"version":"TLSv1.3","cipherSuite":"TLS_AES_256_GCM_SHA384","serverName":"","peerCertificateSha256":"{}"}}}}"#,
            sha256(b"ok").to_hex(),
            sha256(b"cert").to_hex()
        ),
    ];
    let log = log_lines(&lines);
    let records = parse_log(log.as_bytes()).map_err(e)?;
    let summary = check_records(&records, "exec-network-ip", &LogRules::default()).map_err(e)?;
    let mut dr = g.draft("exec-network-ip")?;
    dr.network_summary_hash = Some(summary.digest());
    let att = dr.sign_with_runtime(&g.s.runtime.master_ed25519(), None).map_err(e)?;
    let mut v = g.full("network/ip-literal", "requests to IP literals need no dns record", "accept", None, &att);
    v.network = Some(log);
    g.push(v);
    // Empty log: zero records, root SHA-256(""), firstAt/lastAt null.
    let records = parse_log(b"").map_err(e)?;
    let summary = check_records(&records, "exec-network-empty", &LogRules::default()).map_err(e)?;
    let mut dr = g.draft("exec-network-empty")?;
    dr.network_summary_hash = Some(summary.digest());
    let att = dr.sign_with_runtime(&g.s.runtime.master_ed25519(), None).map_err(e)?;
    let mut v = g.full(
        "network/empty-log",
        "an execution with no network traffic: an empty log and its summary",
        "accept",
        None,
        &att,
    );
    v.network = Some(String::new());
    g.push(v);
    // A 10,000-record log.
    let big = attest_attestor::network::example_log(10_000, "exec-network-10k");
    let records = parse_log(big.as_bytes()).map_err(e)?;
    let summary = check_records(&records, "exec-network-10k", &LogRules::default()).map_err(e)?;
    let mut dr = g.draft("exec-network-10k")?;
    dr.network_summary_hash = Some(summary.digest());
    let att = dr.sign_with_runtime(&g.s.runtime.master_ed25519(), None).map_err(e)?;
    let mut v = g.full(
        "network/10k-records",
        "a 10,000-record log over five hosts recomputes the summary",
        "accept",
        None,
        &att,
    );
    v.network = Some(big.clone());
    g.push(v);
    let mut lines: Vec<String> = big.lines().map(str::to_string).collect();
    lines.swap(5000, 5001);
    let mut v = g.full(
        "network/10k-records-reordered",
        "two records of the 10,000 swapped: seq is no longer contiguous",
        "reject:network",
        Some("seq"),
        &att,
    );
    v.network = Some(log_lines(&lines));
    g.push(v);
    let d = g.direct("exec-network-none")?;
    let mut v = g.full(
        "network/not-bound",
        "--network given but the attestation binds no networkSummaryHash",
        "reject:network",
        Some("no-network-hash"),
        &d,
    );
    v.network = Some(good);
    g.push(v);
    Ok(())
}

fn onchain_vectors(g: &mut Gen) -> R<()> {
    let master = g.s.master.clone();
    let dl = g.s.delegated("exec-onchain").map_err(e)?;
    let sig_of = |v: &Value, path: &[&str]| -> String {
        let mut cur = v;
        for p in path {
            cur = cur.as_object().and_then(|o| o.get(p)).unwrap_or(&Value::Null);
        }
        cur.as_str().unwrap_or("").to_string()
    };
    let a_sig = sig_of(&dl, &["onchainSignature"]);
    let d_sig = sig_of(&dl, &["delegation", "onchainSignature"]);
    let with_a = |sig: String| {
        let mut v = dl.clone();
        set(obj(&mut v), "onchainSignature", s(sig));
        v
    };
    let mut cases: Vec<(&str, &str, &str, Value)> = vec![
        ("onchain/high-s", "the attestation's EIP-712 signature with s > n/2", "high-s", with_a(high_s(&a_sig))),
        (
            "onchain/bad-v",
            "v must be 27 or 28",
            "signature-encoding",
            with_a(format!("{}1d", &a_sig[..a_sig.len() - 2])),
        ),
        (
            "onchain/short",
            "a signature is 65 bytes",
            "signature-encoding",
            with_a(a_sig[..a_sig.len() - 2].to_string()),
        ),
        (
            "onchain/zero-r",
            "r = 0 is out of range",
            "signature-encoding",
            with_a(format!("0x{}{}", "0".repeat(64), &a_sig[66..])),
        ),
    ];
    // Wrong signer: the attestation's EIP-712 signature by the master instead of the ephemeral key.
    let att = parse_attestation_value(&dl).map_err(e)?;
    let dg = eip712::attestation_digest(&g.s.onchain_domain, &att.onchain_struct().map_err(e)?);
    let by_master = master.master_secp256k1().map_err(e)?.sign_digest(&dg).map_err(e)?.to_text();
    cases.push((
        "onchain/wrong-signer",
        "the attestation's EIP-712 signature is not by the ephemeral address",
        "wrong-signer",
        with_a(by_master),
    ));
    // Delegation EIP-712 signature by an unknown key (the Ed25519 side stays valid).
    let mut v = dl.clone();
    let ctx = att.context_hash();
    if let Some(Value::Object(d)) = obj(&mut v).get_mut("delegation") {
        let parsed = parse_delegation_value(&Value::Object(d.clone()), "$").map_err(e)?;
        let dg = eip712::delegation_digest(&g.s.onchain_domain, &onchain_delegation(&parsed).map_err(e)?);
        set(
            d,
            "onchainSignature",
            s(secret("stranger-ec").master_secp256k1().map_err(e)?.sign_digest(&dg).map_err(e)?.to_text()),
        );
    }
    sign_single(obj(&mut v), &master.ephemeral_ed25519(&ctx));
    cases.push((
        "onchain/master-untrusted",
        "the delegation's EIP-712 signature recovers to a key not in the trust root",
        "master-untrusted",
        v,
    ));
    let mut v = dl.clone();
    if let Some(Value::Object(d)) = obj(&mut v).get_mut("delegation") {
        set(d, "onchainSignature", s(high_s(&d_sig)));
    }
    sign_single(obj(&mut v), &master.ephemeral_ed25519(&ctx));
    cases.push(("onchain/delegation-high-s", "the delegation's EIP-712 signature with s > n/2", "high-s", v));
    // Rule a applies completely to the delegation signature first: a well-formed
    // delegation signature from which no signer can be recovered is reported
    // before a malformed attestation signature.
    let unrecoverable = (1u8..=255)
        .map(|i| {
            let mut b = [0u8; 65];
            b[31] = i;
            b[63] = 1;
            b[64] = 27;
            b
        })
        .find(|b| RecoverableSignature::from_bytes(b).is_ok_and(|sig| sig.recover(&[7u8; 32]).is_err()))
        .map(|b| format!("0x{}", attest_verifier::types::to_lower_hex(&b)))
        .ok_or("no unrecoverable r below 256")?;
    let mut v = dl.clone();
    set(obj(&mut v), "onchainSignature", s(format!("{}1d", &a_sig[..a_sig.len() - 2])));
    if let Some(Value::Object(d)) = obj(&mut v).get_mut("delegation") {
        set(d, "onchainSignature", s(unrecoverable));
    }
    sign_single(obj(&mut v), &master.ephemeral_ed25519(&ctx));
    cases.push((
        "onchain/delegation-unrecoverable-first",
        "the delegation signature recovers no signer; reported before the attestation signature's bad v",
        "invalid-signature",
        v,
    ));
    for (name, desc, reason, v) in cases {
        let mut vec = g.full(name, desc, "reject:onchain-signature", Some(reason), &v);
        vec.onchain = onchain(&format!("reject:{reason}"));
        g.push(vec);
    }
    // Sub-second window: valid off-chain, refused in whole seconds.
    let v = delegated_with(
        g,
        "exec-onchain-frac",
        &master,
        None,
        |d| d.issued_at = t("2026-11-21T10:00:00.2Z"),
        |d| {
            set(d, "notBefore", s("2026-11-21T10:00:00.1Z"));
            set(d, "notAfter", s("2026-11-21T10:00:00.7Z"));
        },
        true,
    )?;
    let mut vec = g.full(
        "onchain/subsecond-window",
        "inside the window off-chain, outside it in the contract's whole seconds: refused on both",
        "reject:onchain-signature",
        Some("delegation-window"),
        &v,
    );
    vec.onchain = onchain("reject:delegation-window");
    g.push(vec);
    // Only one of the two EIP-712 signatures: each present one is checked
    // (formats.md §3: the attestation's is optional), so both are accepted.
    let mut v = dl.clone();
    obj(&mut v).remove("onchainSignature");
    g.add(
        "onchain/delegation-signature-only",
        "a delegated attestation with only the delegation's EIP-712 signature: that one is checked, accepted",
        "accept",
        None,
        &v,
    );
    let mut v = dl.clone();
    if let Some(Value::Object(d)) = obj(&mut v).get_mut("delegation") {
        d.remove("onchainSignature");
    }
    sign_single(obj(&mut v), &master.ephemeral_ed25519(&ctx));
    // payloadHash covers the delegation, so the attestation's EIP-712
    // signature is made again by the ephemeral secp256k1 key.
    let dg = eip712::attestation_digest(
        &g.s.onchain_domain,
        &parse_attestation_value(&v).map_err(e)?.onchain_struct().map_err(e)?,
    );
    let by_ephemeral = master.ephemeral_secp256k1(&ctx).map_err(e)?.sign_digest(&dg).map_err(e)?.to_text();
    set(obj(&mut v), "onchainSignature", s(by_ephemeral));
    g.add(
        "onchain/attestation-signature-only",
        "a delegated attestation with only its own EIP-712 signature (by ephemeralAddress): accepted",
        "accept",
        None,
        &v,
    );
    // Incomplete: an attestation EIP-712 signature, but the delegation (validly
    // signed by the master) names no ephemeralAddress to check it against.
    let mut v = dl.clone();
    if let Some(Value::Object(d)) = obj(&mut v).get_mut("delegation") {
        d.remove("ephemeralAddress");
        d.remove("onchainSignature");
        sign_single(d, &master.master_ed25519());
    }
    sign_single(obj(&mut v), &master.ephemeral_ed25519(&ctx));
    g.add(
        "onchain/incomplete",
        "an attestation EIP-712 signature while the delegation has no ephemeralAddress",
        "reject:onchain-signature",
        Some("incomplete"),
        &v,
    );
    // Missing domain.
    let mut v = dl.clone();
    obj(&mut v).remove("onchainDomain");
    sign_single(obj(&mut v), &master.ephemeral_ed25519(&ctx));
    g.add(
        "onchain/missing-domain",
        "EIP-712 signatures without onchainDomain",
        "reject:onchain-signature",
        Some("missing-domain"),
        &v,
    );
    Ok(())
}

fn replay_vectors(g: &mut Gen) -> R<()> {
    let a = g.direct("exec-replay")?;
    let mut dr = g.draft("exec-replay")?;
    dr.issued_at = t("2026-11-21T10:30:00Z");
    let b = dr.sign_with_runtime(&g.s.runtime.master_ed25519(), None).map_err(e)?;
    let mut v = g.full(
        "replay/execution-id",
        "two attestations with one executionId in a batch: the second fails replay",
        "",
        None,
        &a,
    );
    v.document = None;
    v.documents = vec![to_pretty(&a), to_pretty(&b)];
    v.expect_each = vec!["accept".into(), "reject:replay".into()];
    g.push(v);
    let c = g.direct("exec-replay-other")?;
    let mut v = g.full("replay/distinct", "distinct executions in a batch all pass replay", "", None, &a);
    v.document = None;
    v.documents = vec![to_pretty(&a), to_pretty(&c)];
    v.expect_each = vec!["accept".into(), "accept".into()];
    g.push(v);
    // One ephemeral key delegated for two contexts by a misbehaving master.
    let master = g.s.master.clone();
    let x_ctx = context_hash("exec-eph-x", "loan-approval", "1.0.0", &g.s.runtime_hash);
    let x = delegated_with(g, "exec-eph-x", &master, Some(x_ctx), |_| {}, |_| {}, false)?;
    let y = delegated_with(g, "exec-eph-y", &master, Some(x_ctx), |_| {}, |_| {}, false)?;
    let mut v = g.full(
        "replay/ephemeral-key",
        "one ephemeral key signing two executions: the second fails replay",
        "",
        None,
        &x,
    );
    v.document = None;
    v.documents = vec![to_pretty(&x), to_pretty(&y)];
    v.expect_each = vec!["accept".into(), "reject:replay".into()];
    g.push(v);
    // Replay counts only signature-verified items: a forged copy (one
    // character of its signature changed) placed first takes no part.
    let forged = forge_signature(&to_pretty(&a));
    let mut v = g.full(
        "replay/forged-copy-first",
        "a forged copy (signature fails) before the genuine attestation does not make the genuine one a replay",
        "",
        None,
        &a,
    );
    v.document = None;
    v.documents = vec![forged, to_pretty(&a)];
    v.expect_each = vec!["reject:signature".into(), "accept".into()];
    g.push(v);
    let forged_y = forge_signature(&to_pretty(&y));
    let mut v = g.full(
        "replay/forged-ephemeral-first",
        "a forged attestation reusing an ephemeral key (signature fails) does not count as a use of the key",
        "",
        None,
        &x,
    );
    v.document = None;
    v.documents = vec![forged_y, to_pretty(&x)];
    v.expect_each = vec!["reject:signature".into(), "accept".into()];
    g.push(v);
    Ok(())
}

/// The document text with one character of its top-level `signature` value changed.
fn forge_signature(text: &str) -> String {
    let key = "\n  \"signature\": \"";
    let Some(at) = text.find(key) else { return text.to_string() };
    let i = at + key.len();
    let mut b = text.as_bytes().to_vec();
    b[i] = if b[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(b).unwrap_or_default()
}

fn trust_root_documents(g: &mut Gen) -> R<()> {
    let root = Value::Object(obj(&mut g.root_value()).clone());
    let mut v = g.full(
        "document/trust-root",
        "a trust-root document verified on its own as the newest link",
        "accept",
        None,
        &root,
    );
    v.bundle = None;
    v.signals = None;
    v.output_base64 = None;
    g.push(v);
    let mut v = g.full(
        "document/bundle-manifest",
        "a bundle manifest verified on its own with its directory",
        "accept",
        None,
        &g.s.manifest.clone(),
    );
    v.signals = None;
    v.output_base64 = None;
    g.push(v);
    Ok(())
}

fn generate() -> R<BTreeMap<String, String>> {
    let mut g = Gen::new()?;
    accepts(&mut g)?;
    parse_rejects(&mut g)?;
    trust_root_rejects(&mut g)?;
    signer_rejects(&mut g)?;
    delegation_rejects(&mut g)?;
    signature_rejects(&mut g)?;
    content_rejects(&mut g)?;
    bundle_rejects(&mut g)?;
    network_vectors(&mut g)?;
    onchain_vectors(&mut g)?;
    replay_vectors(&mut g)?;
    trust_root_documents(&mut g)?;
    log_proof::vectors(&mut g)?;
    witness_policy::vectors(&mut g)?;
    expect::vectors(&mut g)?;
    for v in heartbeat::vectors()? {
        g.push(v);
    }
    for v in fork::vectors()? {
        g.push(v);
    }
    for v in attesto::vectors()?.into_iter().chain(tee::vectors()?) {
        g.push(v);
    }
    let mut out = BTreeMap::new();
    for v in &g.out {
        let mut text = serde_json::to_string_pretty(v).map_err(e)?;
        text.push('\n');
        out.insert(v.file_name(), text);
    }
    Ok(out)
}

/// What the command line asks for.
struct Args {
    check: bool,
    dir: PathBuf,
}

const USAGE: &str = "usage: generate-vectors [--check] [--dir DIR]";

fn parse_args(mut args: impl Iterator<Item = String>) -> R<Args> {
    let mut check = false;
    let mut dir = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--check" => check = true,
            "--dir" => match args.next() {
                Some(d) if dir.is_none() => dir = Some(PathBuf::from(d)),
                Some(_) => return Err(format!("--dir given twice\n{USAGE}")),
                None => return Err(format!("--dir needs a directory\n{USAGE}")),
            },
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(Args { check, dir: dir.unwrap_or_else(attest_test_vectors::vectors_dir) })
}

/// The names of the entries of `dir` (files or not), sorted.
fn entries(dir: &Path) -> R<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(dir).map_err(|err| format!("{}: {err}", dir.display()))? {
        let entry = entry.map_err(|err| format!("{}: {err}", dir.display()))?;
        out.insert(entry.file_name().to_string_lossy().into_owned());
    }
    Ok(out)
}

/// Every way `dir` differs from `files`, one line each, sorted by kind then name.
fn compare(dir: &Path, files: &BTreeMap<String, String>) -> R<Vec<String>> {
    let present = entries(dir)?;
    let mut problems = Vec::new();
    for (name, text) in files {
        if !present.contains(name) {
            problems.push(format!("missing: {name}"));
        } else if std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(text.as_str()) {
            problems.push(format!("differs: {name}"));
        }
    }
    for name in present.iter().filter(|n| !files.contains_key(*n)) {
        problems.push(format!("stale: {name} (not produced by the generator)"));
    }
    Ok(problems)
}

/// Writes `files` into `dir` and deletes the `*.json` files there the
/// generator no longer produces (other stale entries are left for `--check`
/// to report: `--dir` may name a directory with other content).
fn write(dir: &Path, files: &BTreeMap<String, String>) -> R<()> {
    std::fs::create_dir_all(dir).map_err(|err| format!("{}: {err}", dir.display()))?;
    for name in entries(dir)?.iter().filter(|n| n.ends_with(".json") && !files.contains_key(*n)) {
        let path = dir.join(name);
        if path.is_file() {
            std::fs::remove_file(&path).map_err(|err| format!("{}: {err}", path.display()))?;
        }
    }
    for (name, text) in files {
        std::fs::write(dir.join(name), text).map_err(|err| format!("{name}: {err}"))?;
    }
    Ok(())
}

fn run() -> R<i32> {
    let args = parse_args(std::env::args().skip(1))?;
    let files = generate()?;
    if args.check {
        let problems = compare(&args.dir, &files)?;
        for p in &problems {
            eprintln!("{p}");
        }
        return Ok(if problems.is_empty() { 0 } else { 1 });
    }
    write(&args.dir, &files)?;
    println!("wrote {} vectors to {}", files.len(), args.dir.display());
    Ok(0)
}

fn main() {
    let code = match run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("generate-vectors: {err}");
            2
        }
    };
    std::process::exit(code);
}
