//! Attesto Local Vault vectors (formats.md §10, docs/spec.md §12):
//! `attesto/*`. Documents are built as the package builds them (the same
//! members, `A(x)`, `M(domain, x)`), signed by the `witness` key of the
//! `LogWorld` trust root, which pins it (the vectors' way of `--attesto-key`).
//! Relay bodies are written as the package sends them: sorted, compact, ASCII escapes.

use attest_attestor::json::to_pretty;
use attest_attestor::scenario::{times, LogWorld};
use attest_attestor::{Ed25519Signer, MasterSecret};
use attest_json::{Object, Value};
use attest_test_vectors::Vector;
use attest_verifier::attesto::json::{canonical, AValue, FloatRule};
use attest_verifier::attesto::relay::{HEADER_ENVELOPE_HASH, HEADER_PUBLIC_KEY, HEADER_SIGNATURE};
use attest_verifier::attesto::{
    FORK_DOMAIN, LOCAL_VAULT_PROTOCOL, LOCAL_VAULT_PROTOCOL_VERSION, PROOFSTREAM_PROTOCOL,
    PROOFSTREAM_PROTOCOL_VERSION, RELAY_DOMAIN, RELAY_REQUEST_TYPE, WITNESS_DOMAIN,
};
use attest_verifier::crypto::sha256;
use attest_verifier::types::to_lower_hex;

use super::{e, R};

const ACCEPTED: &str = "2026-11-21T11:00:00.123Z";
const FUTURE: &str = "2026-11-21T12:30:00.000Z";
const KID: &str = "local-vault-1";

fn s(v: &str) -> AValue {
    AValue::Str(v.to_string())
}
fn int(v: &str) -> AValue {
    AValue::Int(v.to_string())
}
fn hash(label: &str) -> String {
    sha256(label.as_bytes()).to_hex()
}
fn obj(members: Vec<(&str, AValue)>) -> AValue {
    AValue::Object(members.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}
fn set(v: &mut AValue, key: &str, value: AValue) {
    if let AValue::Object(m) = v {
        match m.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => m.push((key.to_string(), value)),
        }
    }
}
fn get(v: &AValue, key: &str) -> AValue {
    v.get(key).cloned().unwrap_or(AValue::Null)
}
/// `A(x)` (floats as Python's repr, so refused-float documents can be written too).
fn a(v: &AValue) -> Vec<u8> {
    canonical(v, FloatRule::PythonRepr).unwrap_or_default()
}
fn text(v: &AValue) -> String {
    String::from_utf8(a(v)).unwrap_or_default()
}
fn message(domain: &str, canonical: &[u8]) -> Vec<u8> {
    [domain.as_bytes(), &[0], canonical].concat()
}
/// Python `json.dumps(..., sort_keys=True, separators=(",", ":"))` with the
/// default `ensure_ascii=True`: `A` with every non-ASCII character escaped (UTF-16, lowercase hex).
fn ascii(v: &AValue) -> String {
    let mut out = String::new();
    for c in text(v).chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}

struct At {
    w: LogWorld,
    key: Ed25519Signer,
    stranger: Ed25519Signer,
    out: Vec<Vector>,
}

fn blocks(key: &Ed25519Signer, kid: &str, sig: &[u8]) -> (AValue, AValue) {
    let signature = obj(vec![
        ("alg", s("ed25519")),
        ("kid", s(kid)),
        ("key_epoch", s(kid)),
        ("signature_hex", s(&to_lower_hex(sig))),
    ]);
    let public_key = obj(vec![
        ("alg", s("ed25519")),
        ("kid", s(kid)),
        ("key_epoch", s(kid)),
        ("public_key_hex", s(&key.public_key().to_hex())),
    ]);
    (signature, public_key)
}

fn statement(seq: &str, previous: Option<&str>, accepted_at: &str) -> AValue {
    obj(vec![
        ("protocol", s(PROOFSTREAM_PROTOCOL)),
        ("protocol_version", s(PROOFSTREAM_PROTOCOL_VERSION)),
        ("witness_id", s("inst_vectors")),
        ("tenant_id", s("ten_1")),
        ("stream_id", s("str_1")),
        ("checkpoint_id", s(&format!("chk_{seq}"))),
        ("checkpoint_seq_no", int(seq)),
        ("checkpoint_hash", s(&hash(&format!("checkpoint {seq}")))),
        ("previous_checkpoint_hash", previous.map_or(AValue::Null, |p| s(&hash(p)))),
        ("key_epoch", s(KID)),
        ("accepted_at", s(accepted_at)),
    ])
}

/// A receipt as the package writes it, for `st` signed by `key` (signature over `signed`, usually `st`).
fn receipt_signed(key: &Ed25519Signer, st: &AValue, signed: &AValue) -> AValue {
    let canonical_st = a(signed);
    let msg = message(WITNESS_DOMAIN, &canonical_st);
    let (signature, public_key) = blocks(key, KID, key.sign(&msg).as_bytes());
    let mut top = vec![("witness_receipt_id", s("lwr_00000000000000000000000000000001"))];
    for m in ["witness_id", "tenant_id", "stream_id", "checkpoint_id", "checkpoint_seq_no", "checkpoint_hash"] {
        top.push((m, get(st, m)));
    }
    top.push(("previous_checkpoint_hash", get(st, "previous_checkpoint_hash")));
    top.push(("statement", st.clone()));
    top.push(("statement_hash", s(&sha256(&message(WITNESS_DOMAIN, &a(st))).to_hex())));
    top.push(("canonical_json_hex", s(&to_lower_hex(&a(st)))));
    top.push(("signature", signature));
    top.push(("public_key", public_key));
    obj(top)
}

fn receipt(key: &Ed25519Signer, st: &AValue) -> AValue {
    receipt_signed(key, st, st)
}

fn fork_evidence(key: &Ed25519Signer, created_at: &str) -> AValue {
    let ev = obj(vec![
        ("protocol", s(PROOFSTREAM_PROTOCOL)),
        ("protocol_version", s(PROOFSTREAM_PROTOCOL_VERSION)),
        ("witness_id", s("inst_vectors")),
        ("tenant_id", s("ten_1")),
        ("stream_id", s("str_1")),
        ("reason", s("conflicting-checkpoint")),
        ("last_checkpoint_id", s("chk_3")),
        ("last_checkpoint_seq_no", int("3")),
        ("last_checkpoint_hash", s(&hash("checkpoint 3"))),
        ("submitted_checkpoint_id", s("chk_1b")),
        ("submitted_checkpoint_seq_no", int("1")),
        ("submitted_checkpoint_hash", s(&hash("checkpoint 1b"))),
        ("submitted_previous_checkpoint_hash", AValue::Null),
        ("created_at", s(created_at)),
    ]);
    let msg = message(FORK_DOMAIN, &a(&ev));
    let (signature, public_key) = blocks(key, KID, key.sign(&msg).as_bytes());
    obj(vec![
        ("fork_evidence_id", s("lwf_00000000000000000000000000000001")),
        ("evidence_hash", s(&sha256(&msg).to_hex())),
        ("evidence", ev),
        ("signature", signature),
        ("public_key", public_key),
    ])
}

/// The payload of the canonical-form relay vectors: floats in Python's
/// repr, an integer beyond 2^64, keys whose code-point and UTF-16 orders differ.
fn float_payload() -> AValue {
    obj(vec![
        ("tiny", AValue::Float(1e-5)),
        ("big", AValue::Float(1e16)),
        ("hundred", AValue::Float(100.0)),
        ("negzero", AValue::Float(-0.0)),
        ("large", AValue::Float(1.2345678901234568e20)),
        ("n", int("18446744073709551616")),
        ("name", s("Zoë 😀")),
        ("\u{e000}", int("1")),
        ("😀", int("2")),
        ("｡", int("3")),
    ])
}

/// Doubles from fixed bit patterns (a linear congruential sequence), finite ones only.
fn many_floats() -> AValue {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut members = vec![("tie".to_string(), AValue::Float(1.6221497202904213e14))];
    while members.len() < 301 {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let f = f64::from_bits(x);
        if f.is_finite() {
            members.push((format!("f{:03}", members.len()), AValue::Float(f)));
        }
    }
    AValue::Object(members)
}

struct Relay {
    envelope: AValue,
    payload: AValue,
    hash_header: String,
    signature_header: String,
    key_header: String,
}

impl Relay {
    /// An envelope for `payload` with `payload_sha256`/`payload_size` over `described` (usually `A(payload)`).
    fn new(key: &Ed25519Signer, payload: AValue, described: &[u8]) -> Self {
        let envelope = obj(vec![
            ("protocol", s(LOCAL_VAULT_PROTOCOL)),
            ("protocol_version", s(LOCAL_VAULT_PROTOCOL_VERSION)),
            ("installation_id", s("inst_vectors")),
            ("event_id", s("lv_00000000000000000000000000000001")),
            ("stream_id", s("str_1")),
            ("source_ref", s("src-1")),
            ("payload_sha256", s(&sha256(described).to_hex())),
            ("payload_size", int(&described.len().to_string())),
            ("attempt", int("1")),
            ("created_at", s("2026-11-21T10:59:59.001Z")),
            ("signed_at", s(ACCEPTED)),
        ]);
        let mut r = Self {
            envelope,
            payload,
            hash_header: String::new(),
            signature_header: String::new(),
            key_header: key.public_key().to_hex(),
        };
        r.sign(key);
        r
    }

    fn sign(&mut self, key: &Ed25519Signer) {
        let msg = message(RELAY_DOMAIN, &a(&self.envelope));
        self.hash_header = sha256(&msg).to_hex();
        self.signature_header = to_lower_hex(key.sign(&msg).as_bytes());
    }

    fn file(&self) -> String {
        let mut headers = Object::new();
        let _ = headers.insert(HEADER_ENVELOPE_HASH.into(), Value::String(self.hash_header.clone()));
        let _ = headers.insert(HEADER_SIGNATURE.into(), Value::String(self.signature_header.clone()));
        let _ = headers.insert(HEADER_PUBLIC_KEY.into(), Value::String(self.key_header.clone()));
        let body = obj(vec![("envelope", self.envelope.clone()), ("payload", self.payload.clone())]);
        let mut o = Object::new();
        let _ = o.insert("type".into(), Value::String(RELAY_REQUEST_TYPE.into()));
        let _ = o.insert("headers".into(), Value::Object(headers));
        let _ = o.insert("body".into(), Value::String(ascii(&body)));
        to_pretty(&Value::Object(o))
    }
}

impl At {
    fn new() -> R<Self> {
        let w = LogWorld::new("vectors").map_err(e)?;
        let key = w.witness.master_ed25519();
        let stranger =
            MasterSecret::from_bytes(*sha256(b"attest.vectors.attesto.stranger").as_bytes()).master_ed25519();
        Ok(Self { w, key, stranger, out: Vec::new() })
    }

    fn push(&mut self, name: &str, description: &str, expect: &str, reason: Option<&str>, doc: String) {
        let mut v = Vector::new(
            &format!("attesto/{name}"),
            description,
            expect,
            reason,
            times::NOW,
            vec![self.w.root.master_ed25519().public_key().to_hex()],
            vec![to_pretty(&self.w.trust_root)],
        );
        v.document = Some(doc);
        self.out.push(v);
    }

    fn push_unpinned(&mut self, name: &str, description: &str, doc: String) {
        let mut v = Vector::new(
            &format!("attesto/{name}"),
            description,
            "reject:signer",
            Some("no-pinned-key"),
            times::NOW,
            vec![],
            vec![],
        );
        v.document = Some(doc);
        self.out.push(v);
    }

    fn parse_reject(&mut self, name: &str, description: &str, reason: &str, path: &str, doc: String) {
        self.push(name, description, "reject:parse", Some(reason), doc);
        if let Some(v) = self.out.last_mut() {
            v.path = Some(path.into());
        }
    }

    fn receipts(&mut self) {
        let key = self.key.clone();
        let st2 = statement("2", Some("checkpoint 1"), ACCEPTED);
        self.push(
            "accept-receipt",
            "a witness receipt as attesto-local-vault 0.2.0 writes it, key pinned as a trust-root witness key",
            "accept",
            None,
            text(&receipt(&key, &st2)),
        );
        let st1 = statement("1", None, ACCEPTED);
        self.push(
            "accept-receipt-first-use",
            "the first checkpoint of a stream: previous_checkpoint_hash null (a key of the statement)",
            "accept",
            None,
            text(&receipt(&key, &st1)),
        );
        let big = statement("18446744073709551616", Some("checkpoint x"), ACCEPTED);
        self.push(
            "accept-receipt-big-seq",
            "checkpoint_seq_no 18446744073709551616 (2^64) is kept exact in A(statement), not rounded or refused",
            "accept",
            None,
            text(&receipt(&key, &big)),
        );
        let mut esc = st2.clone();
        set(&mut esc, "tenant_id", s("ten \"q\" \\ \u{1}\u{1f}\u{7f} é 😀 \u{e000} \u{2028} /"));
        self.push(
            "accept-receipt-escapes",
            "A escapes a string as RFC 8785 (\\u0001, \\u001f) and leaves DEL, /, U+2028, non-ASCII and astral characters raw",
            "accept",
            None,
            text(&receipt(&key, &esc)),
        );
        let mut r = receipt(&key, &st2);
        if let Some(AValue::Object(m)) = r.get("statement").cloned().map(|mut st| {
            set(&mut st, "checkpoint_seq_no", AValue::Float(2.0));
            st
        }) {
            set(&mut r, "statement", AValue::Object(m));
        }
        self.parse_reject(
            "parse-receipt-float",
            "a float (2.0) in a witness statement is refused, although it equals the integer",
            "float-not-allowed",
            "$.statement.checkpoint_seq_no",
            text(&r),
        );
        let mut r = receipt(&key, &st2);
        set(&mut r, "extra", s("x"));
        self.parse_reject(
            "parse-receipt-unknown-member",
            "a receipt member the package does not write",
            "unknown-member",
            "$.extra",
            text(&r),
        );
        let mut bad = st2.clone();
        set(&mut bad, "protocol", s("ATTESTO-PROOFSTREAM-002"));
        self.parse_reject(
            "parse-receipt-protocol",
            "another protocol in the statement",
            "unknown-value",
            "$.statement.protocol",
            text(&receipt(&key, &bad)),
        );
        let zero = statement("0", None, ACCEPTED);
        self.parse_reject(
            "parse-receipt-seq-zero",
            "checkpoint_seq_no 0 (the witness refuses seq < 1)",
            "out-of-range",
            "$.statement.checkpoint_seq_no",
            text(&receipt(&key, &zero)),
        );
        let upper =
            text(&receipt(&key, &st2)).replace(&key.public_key().to_hex(), &key.public_key().to_hex().to_uppercase());
        self.parse_reject(
            "parse-receipt-uppercase-key",
            "an uppercase public_key_hex",
            "bad-encoding",
            "$.public_key.public_key_hex",
            upper,
        );
        let dup = text(&receipt(&key, &st2)).replacen(
            "{\"canonical_json_hex\"",
            "{\"witness_id\":\"inst_other\",\"canonical_json_hex\"",
            1,
        );
        self.parse_reject(
            "parse-receipt-duplicate-key",
            "a duplicate key (Python would keep the last; a verifier must not pick)",
            "duplicate-key",
            "$",
            dup,
        );
        let mut typed = receipt(&key, &st2);
        set(&mut typed, "type", s(WITNESS_DOMAIN));
        self.push(
            "parse-receipt-typed",
            "a receipt with a `type` member is not told by its members: the type is unknown",
            "reject:parse",
            Some("unknown-type"),
            text(&typed),
        );
        self.push_unpinned(
            "signer-receipt-unpinned",
            "no trust root and no --attesto-key: the embedded public key is self-asserted, so the receipt is refused",
            text(&receipt(&key, &st2)),
        );
        let stranger = self.stranger.clone();
        self.push(
            "signer-receipt-unknown-key",
            "signed by a key the trust root does not list",
            "reject:signer",
            Some("unknown-key"),
            text(&receipt(&stranger, &st2)),
        );
        let log = self.w.log.master_ed25519();
        self.push(
            "signer-receipt-wrong-role",
            "signed by the trust root's `log` key, which is not a `witness` key",
            "reject:signer",
            Some("wrong-role"),
            text(&receipt(&log, &st2)),
        );
        self.push(
            "signer-receipt-future",
            "accepted_at after now + the clock skew",
            "reject:signer",
            Some("issued-in-future"),
            text(&receipt(&key, &statement("2", Some("checkpoint 1"), FUTURE))),
        );
        let mut other = st2.clone();
        set(&mut other, "checkpoint_id", s("chk_other"));
        self.push(
            "signature-receipt",
            "the signature is over another statement (hashes and copies are this one's)",
            "reject:signature",
            Some("bad-signature"),
            text(&receipt_signed(&key, &st2, &other)),
        );
        let mut r = receipt(&key, &st2);
        set(&mut r, "statement_hash", s(&sha256(&a(&st2)).to_hex()));
        self.push(
            "statement-hash-receipt",
            "statement_hash is SHA-256(A(statement)) without the domain prefix",
            "reject:statement-hash",
            Some("hash-mismatch"),
            text(&r),
        );
        let mut r = receipt(&key, &st2);
        let spaced = text(&st2).replace("\",\"", "\", \"");
        set(&mut r, "canonical_json_hex", s(&to_lower_hex(spaced.as_bytes())));
        self.push(
            "canonical-bytes-receipt",
            "canonical_json_hex of the statement with spaces after commas: not A(statement)",
            "reject:canonical-bytes",
            Some("canonical-mismatch"),
            text(&r),
        );
        let mut r = receipt(&key, &st2);
        set(&mut r, "checkpoint_hash", s(&hash("checkpoint 2b")));
        self.push(
            "binding-receipt-member",
            "the top-level checkpoint_hash differs from the signed statement's",
            "reject:binding",
            Some("statement-mismatch"),
            text(&r),
        );
        let mut k2 = st2.clone();
        set(&mut k2, "key_epoch", s("local-vault-2"));
        self.push(
            "binding-receipt-kid",
            "statement.key_epoch local-vault-2 is not signature.kid local-vault-1",
            "reject:binding",
            Some("kid-mismatch"),
            text(&receipt(&key, &k2)),
        );
        self.unanchored("trust-root-receipt", text(&receipt(&key, &st2)));
    }

    /// A vector whose trust root is not anchored by the pinned root key.
    fn unanchored(&mut self, name: &str, doc: String) {
        let mut v = Vector::new(
            &format!("attesto/{name}"),
            "a trust root given but not anchored by the pinned root key fails trust-root (and halts): \
             it is not skipped as an absent one is",
            "reject:trust-root",
            Some("not-anchored"),
            times::NOW,
            vec![self.stranger.public_key().to_hex()],
            vec![to_pretty(&self.w.trust_root)],
        );
        v.document = Some(doc);
        self.out.push(v);
    }

    fn forks(&mut self) {
        let key = self.key.clone();
        self.push(
            "accept-fork",
            "fork evidence as the package writes it: the witness's signed claim, verified as such",
            "accept",
            None,
            text(&fork_evidence(&key, ACCEPTED)),
        );
        let mut f = fork_evidence(&key, ACCEPTED);
        if let Some(mut ev) = f.get("evidence").cloned() {
            set(&mut ev, "submitted_checkpoint_seq_no", int("2"));
            set(&mut f, "evidence", ev);
        }
        self.push(
            "signature-fork",
            "evidence edited after signing",
            "reject:signature",
            Some("bad-signature"),
            text(&f),
        );
        let mut f = fork_evidence(&key, ACCEPTED);
        set(&mut f, "evidence_hash", s(&hash("other")));
        self.push(
            "statement-hash-fork",
            "evidence_hash is not SHA-256(M)",
            "reject:statement-hash",
            Some("hash-mismatch"),
            text(&f),
        );
        let mut f = fork_evidence(&key, ACCEPTED);
        if let Some(mut ev) = f.get("evidence").cloned() {
            set(&mut ev, "last_checkpoint_seq_no", AValue::Float(3.5));
            set(&mut f, "evidence", ev);
        }
        self.parse_reject(
            "parse-fork-float",
            "a float in fork evidence",
            "float-not-allowed",
            "$.evidence.last_checkpoint_seq_no",
            text(&f),
        );
        self.unanchored("trust-root-fork", text(&fork_evidence(&key, ACCEPTED)));
        self.push_unpinned(
            "signer-fork-unpinned",
            "fork evidence without any pinned key",
            text(&fork_evidence(&key, ACCEPTED)),
        );
        self.push(
            "signer-fork-future",
            "created_at after now + the clock skew",
            "reject:signer",
            Some("issued-in-future"),
            text(&fork_evidence(&key, FUTURE)),
        );
    }

    fn relays(&mut self) {
        let key = self.key.clone();
        let p = float_payload();
        let ok = Relay::new(&key, p.clone(), &a(&p));
        self.push(
            "accept-relay",
            "a relay request: payload_sha256 over A(payload) with Python's float repr (1e-05, 1e+16, 100.0, -0.0, \
             1.2345678901234568e+20), 2^64 exact, keys by code point; body ASCII-escaped as the package sends it",
            "accept",
            None,
            ok.file(),
        );
        let many = many_floats();
        self.push(
            "accept-relay-many-floats",
            "300 pseudo-random doubles (every exponent range) and a 17-digit tie (162214972029042.12, not ...13): \
             payload_sha256 over Python's repr of each",
            "accept",
            None,
            Relay::new(&key, many.clone(), &a(&many)).file(),
        );
        let plain = obj(vec![("event", s("login")), ("user", s("alice"))]);
        self.push(
            "accept-relay-plain",
            "a relay request with a plain payload",
            "accept",
            None,
            Relay::new(&key, plain.clone(), &a(&plain)).file(),
        );
        // JCS of the same payload: keys by UTF-16 units, ES6 numbers.
        let order = obj(vec![("\u{e000}", int("1")), ("😀", int("2"))]);
        let jcs_order = "{\"😀\":2,\"\u{e000}\":1}";
        self.push(
            "canonical-bytes-relay-jcs-order",
            "payload_sha256 over the RFC 8785 key order (U+1F600 before U+E000): A sorts by code point",
            "reject:canonical-bytes",
            Some("hash-mismatch"),
            Relay::new(&key, order, jcs_order.as_bytes()).file(),
        );
        let floats = obj(vec![("tiny", AValue::Float(1e-5)), ("hundred", AValue::Float(100.0))]);
        let jcs_numbers = "{\"hundred\":100,\"tiny\":0.00001}";
        self.push(
            "canonical-bytes-relay-jcs-numbers",
            "payload_sha256 over ES6 number text (100, 0.00001): A writes Python's repr (100.0, 1e-05)",
            "reject:canonical-bytes",
            Some("hash-mismatch"),
            Relay::new(&key, floats, jcs_numbers.as_bytes()).file(),
        );
        let mut drift = Relay::new(&key, p.clone(), &a(&p));
        set(&mut drift.payload, "name", s("Zoe"));
        self.push(
            "canonical-bytes-relay-drift",
            "payload drift: the signed envelope describes another payload",
            "reject:canonical-bytes",
            Some("hash-mismatch"),
            drift.file(),
        );
        let mut size = Relay::new(&key, plain.clone(), &a(&plain));
        set(&mut size.envelope, "payload_size", int("1"));
        size.sign(&key);
        self.push(
            "canonical-bytes-relay-size",
            "payload_size is not the length of A(payload) (the hash matches)",
            "reject:canonical-bytes",
            Some("size-mismatch"),
            size.file(),
        );
        let mut h = Relay::new(&key, plain.clone(), &a(&plain));
        h.hash_header = hash("other");
        self.push(
            "statement-hash-relay",
            "the envelope-hash header is not SHA-256(M(envelope))",
            "reject:statement-hash",
            Some("hash-mismatch"),
            h.file(),
        );
        let mut retry = Relay::new(&key, plain.clone(), &a(&plain));
        set(&mut retry.envelope, "attempt", int("2"));
        self.push(
            "signature-relay",
            "attempt changed after signing (each retry must be signed anew)",
            "reject:signature",
            Some("bad-signature"),
            retry.file(),
        );
        let mut fl = Relay::new(&key, plain.clone(), &a(&plain));
        set(&mut fl.envelope, "attempt", AValue::Float(1.0));
        fl.sign(&key);
        self.parse_reject(
            "parse-relay-float-envelope",
            "a float in the envelope (attempt 1.0)",
            "float-not-allowed",
            "$.body.envelope.attempt",
            fl.file(),
        );
        let missing =
            Relay::new(&key, plain.clone(), &a(&plain)).file().replace(HEADER_SIGNATURE, "X-Attesto-Local-Vault-Sig");
        self.parse_reject(
            "parse-relay-header",
            "a header the relay-request file does not define",
            "unknown-member",
            "$.headers[\"X-Attesto-Local-Vault-Sig\"]",
            missing,
        );
        let stranger = self.stranger.clone();
        self.push(
            "signer-relay-unknown-key",
            "a relay by a key the trust root does not list (an unregistered installation)",
            "reject:signer",
            Some("unknown-key"),
            Relay::new(&stranger, plain.clone(), &a(&plain)).file(),
        );
        self.unanchored("trust-root-relay", Relay::new(&key, plain.clone(), &a(&plain)).file());
        self.push_unpinned(
            "signer-relay-unpinned",
            "a relay request with nothing pinned",
            Relay::new(&key, plain.clone(), &a(&plain)).file(),
        );
    }
}

/// The `attesto/*` vectors.
pub fn vectors() -> R<Vec<Vector>> {
    let mut at = At::new()?;
    at.receipts();
    at.forks();
    at.relays();
    Ok(at.out)
}
