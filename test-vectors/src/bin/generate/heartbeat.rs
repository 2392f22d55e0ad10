//! Heartbeat vectors (formats.md §7): single envelopes (`heartbeat/*` under
//! each check's prefix) and streams (`stream/*`, batch vectors with
//! `expectStreams`).

use attest_attestor::heartbeat::{sign_envelope, sign_envelope_typed, BootChain, HeartbeatInput};
use attest_attestor::json::{int, s, set, to_pretty};
use attest_attestor::scenario::{times, HeartbeatWorld, NOW_UNIX};
use attest_attestor::Ed25519Signer;
use attest_json::{Number, Object, Value};
use attest_test_vectors::{StreamExpectation, Vector};
use attest_verifier::dsse::pae;
use attest_verifier::heartbeat::HEARTBEAT_PAYLOAD_TYPE;
use base64::Engine as _;

use super::{e, R};

const STREAM: &str = "edge-eu-1";
const BOOT: &str = "boot-7f3a";

struct Hb {
    w: HeartbeatWorld,
    key: Ed25519Signer,
    out: Vec<Vector>,
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn url_nopad(b: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// An envelope from its parts (exact members, compact).
fn envelope(payload_type: &str, payload_b64: &str, sigs: &[(String, String)]) -> String {
    let sigs: Vec<String> = sigs.iter().map(|(k, s)| format!(r#"{{"keyid":"{k}","sig":"{s}"}}"#)).collect();
    format!(r#"{{"payload":"{payload_b64}","payloadType":"{payload_type}","signatures":[{}]}}"#, sigs.join(","))
}

fn payload_object(bytes: &[u8]) -> R<Object> {
    match attest_verifier::doc::parse_json(bytes).map_err(e)? {
        Value::Object(o) => Ok(o),
        _ => Err("payload is not an object".into()),
    }
}

fn canonical(o: &Object) -> Vec<u8> {
    attest_json::to_canonical_vec(&Value::Object(o.clone()))
}

impl Hb {
    fn new() -> R<Self> {
        let w = HeartbeatWorld::new("vectors").map_err(e)?;
        let key = w.heartbeat.master_ed25519();
        Ok(Self { w, key, out: Vec::new() })
    }

    fn base(&self, name: &str, description: &str, expect: &str, reason: Option<&str>) -> Vector {
        Vector {
            heartbeat_policy: Some(to_pretty(&self.w.policy)),
            ..Vector::new(
                name,
                description,
                expect,
                reason,
                times::NOW,
                vec![self.w.root.master_ed25519().public_key().to_hex()],
                vec![to_pretty(&self.w.trust_root)],
            )
        }
    }

    /// The first heartbeat payload of a boot at `ts`.
    fn payload_at(&self, ts: u64) -> R<Vec<u8>> {
        BootChain::new(STREAM, BOOT).next_payload(&self.w.input, ts).map_err(e)
    }

    /// A fresh payload (one minute before now) edited by `f`, re-serialized canonically.
    fn payload_with(&self, f: impl FnOnce(&mut Object)) -> R<Vec<u8>> {
        let mut o = payload_object(&self.payload_at(NOW_UNIX - 60)?)?;
        f(&mut o);
        Ok(canonical(&o))
    }

    fn signed(&self, payload: &[u8]) -> String {
        sign_envelope(payload, &[&self.key])
    }

    fn single(&mut self, name: &str, description: &str, expect: &str, reason: Option<&str>, doc: String) {
        let mut v = self.base(name, description, expect, reason);
        v.document = Some(doc);
        self.out.push(v);
    }

    fn parse_reject(&mut self, name: &str, description: &str, reason: &str, path: &str, doc: String) {
        let mut v = self.base(name, description, "reject:parse", Some(reason));
        v.path = Some(path.into());
        v.document = Some(doc);
        self.out.push(v);
    }

    fn singles(&mut self) -> R<()> {
        let good = self.payload_at(NOW_UNIX - 60)?;
        let kid = self.key.key_id().to_hex();
        let sig = |k: &Ed25519Signer, m: &[u8]| b64(k.sign(m).as_bytes());
        let pae_good = pae(HEARTBEAT_PAYLOAD_TYPE, &good);

        self.single(
            "accept/heartbeat",
            "a fresh heartbeat signed by the heartbeat key, matching the policy",
            "accept",
            None,
            self.signed(&good),
        );
        let mut v = self.base(
            "accept/heartbeat-no-policy",
            "without a heartbeat policy, `policy` and `drift` are skipped (freshness uses the default windows)",
            "accept",
            None,
        );
        v.heartbeat_policy = None;
        v.document = Some(self.signed(&good));
        self.out.push(v);
        let d = envelope(
            HEARTBEAT_PAYLOAD_TYPE,
            &url_nopad(&good),
            &[(kid.clone(), url_nopad(self.key.sign(&pae_good).as_bytes()))],
        );
        self.single(
            "accept/heartbeat-url-safe-unpadded",
            "payload and sig in the URL-safe alphabet without padding (DSSE allows both alphabets)",
            "accept",
            None,
            d,
        );
        let stranger = attest_attestor::MasterSecret::from_bytes([7; 32]).master_ed25519();
        let d = envelope(
            HEARTBEAT_PAYLOAD_TYPE,
            &b64(&good),
            &[
                (stranger.key_id().to_hex(), sig(&stranger, &pae_good)),
                ("not-a-key-id".into(), sig(&stranger, &pae_good)),
                (kid.clone(), sig(&self.key, &pae_good)),
            ],
        );
        self.single(
            "accept/heartbeat-unknown-keyids-beside-valid",
            "signatures by unknown key ids are ignored; the heartbeat key's verifies",
            "accept",
            None,
            d,
        );
        let d = envelope(
            HEARTBEAT_PAYLOAD_TYPE,
            &b64(&good),
            &[(kid.clone(), sig(&self.key, &pae_good)), (kid.clone(), sig(&self.key, &pae_good))],
        );
        self.single(
            "accept/heartbeat-same-key-twice",
            "the same key's signature twice counts once and verifies",
            "accept",
            None,
            d,
        );
        self.single(
            "accept/heartbeat-oldest-fresh",
            "timestamp exactly now − max_age_seconds is fresh",
            "accept",
            None,
            self.signed(&self.payload_at(NOW_UNIX - 300)?),
        );
        self.single(
            "accept/heartbeat-newest-fresh",
            "timestamp exactly now + max_skew_seconds is fresh",
            "accept",
            None,
            self.signed(&self.payload_at(NOW_UNIX + 60)?),
        );

        // parse
        let mut bad_tail = b64(&good);
        // The last data character before the padding carries unused low bits: make them non-zero.
        if bad_tail.ends_with("==") || bad_tail.ends_with('=') {
            let trimmed = bad_tail.trim_end_matches('=').to_string();
            let pad = bad_tail.len() - trimmed.len();
            let mut chars: Vec<char> = trimmed.chars().collect();
            if let Some(last) = chars.last_mut() {
                let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
                let i = alphabet.find(*last).unwrap_or(0);
                *last = alphabet.chars().nth(i | 1).unwrap_or('B');
            }
            bad_tail = chars.into_iter().collect::<String>() + &"=".repeat(pad);
        }
        let d = envelope(HEARTBEAT_PAYLOAD_TYPE, &bad_tail, &[(kid.clone(), sig(&self.key, &pae_good))]);
        self.parse_reject(
            "parse/heartbeat-base64-tail",
            "payload base64 with non-zero trailing bits is not canonical",
            "bad-encoding",
            "$.payload",
            d,
        );
        // One standard-only character of the signature turned URL-safe, others left: a mixed alphabet.
        let standard = sig(&self.key, &pae_good);
        if standard.bytes().filter(|c| *c == b'+' || *c == b'/').count() < 2 {
            return Err(
                "the heartbeat signature's base64 has too few +/ characters for the mixed-alphabet vector".into()
            );
        }
        let at = standard.find(['+', '/']).unwrap_or(0);
        let mut mixed = standard.clone();
        mixed.replace_range(at..at + 1, if standard[at..].starts_with('+') { "-" } else { "_" });
        let d = envelope(HEARTBEAT_PAYLOAD_TYPE, &b64(&good), &[(kid.clone(), mixed)]);
        self.parse_reject(
            "parse/heartbeat-mixed-alphabet",
            "sig base64 mixing the standard and URL-safe alphabets",
            "bad-encoding",
            "$.signatures[0].sig",
            d,
        );
        let d = self.signed(&good).replacen('{', r#"{"note":"x","#, 1);
        self.parse_reject(
            "parse/heartbeat-envelope-member",
            "an envelope member other than payloadType, payload, signatures",
            "unknown-member",
            "$.note",
            d,
        );
        let d = envelope(HEARTBEAT_PAYLOAD_TYPE, &b64(&good), &[]);
        self.parse_reject(
            "parse/heartbeat-no-signatures",
            "an envelope without signatures",
            "empty-list",
            "$.signatures",
            d,
        );
        let d = self.signed(&good).replacen(r#""sig":"#, r#""extra":1,"sig":"#, 1);
        self.parse_reject(
            "parse/heartbeat-signature-member",
            "a signature object member other than keyid and sig",
            "unknown-member",
            "$.signatures[0].extra",
            d,
        );
        let att = br#"{"type":"attest.execution-attestation.v1","executionId":"x"}"#;
        self.parse_reject(
            "parse/heartbeat-attestation-payload",
            "an attestation payload under the heartbeat payloadType",
            "wrong-document-type",
            "$.payload.type",
            self.signed(att),
        );
        let mut not_utf8 = good.clone();
        if let Some(i) = not_utf8.iter().position(|b| *b == b'e') {
            not_utf8[i] = 0xff;
        }
        self.parse_reject(
            "parse/heartbeat-payload-not-utf8",
            "a payload that is not UTF-8",
            "invalid-utf8",
            "$.payload",
            self.signed(&not_utf8),
        );
        let p = self.payload_with(|o| set(o, "timestamp", Value::Number(Number::Float(1795262340.5))))?;
        self.parse_reject(
            "parse/heartbeat-fractional-timestamp",
            "timestamp is Unix seconds: a fraction is refused",
            "wrong-json-type",
            "$.payload.timestamp",
            self.signed(&p),
        );
        let p = self.payload_with(|o| set(o, "total_requests", Value::Number(Number::Float(1.5))))?;
        self.parse_reject(
            "parse/heartbeat-float-counter",
            "floating-point numbers only inside epsilon_limits",
            "wrong-json-type",
            "$.payload.total_requests",
            self.signed(&p),
        );
        let text = String::from_utf8(good.clone()).map_err(e)?.replacen(r#""seq":0"#, r#""seq":9007199254740992"#, 1);
        self.parse_reject(
            "parse/heartbeat-seq-too-large",
            "seq beyond 2^53−1 is refused, not rounded",
            "integer-out-of-range",
            "$.payload.seq",
            self.signed(text.as_bytes()),
        );
        let text = String::from_utf8(good.clone()).map_err(e)?.replacen(
            r#""current_usage":0.25"#,
            r#""current_usage":NaN"#,
            1,
        );
        self.parse_reject(
            "parse/heartbeat-nan",
            "NaN is not JSON",
            "syntax",
            "$.payload.epsilon_limits.current_usage",
            self.signed(text.as_bytes()),
        );
        let p = self.payload_with(|o| {
            if let Some(Value::Object(eps)) = o.get_mut("epsilon_limits") {
                set(eps, "max_delta", Value::Number(Number::Float(-1e-5)));
            }
        })?;
        self.parse_reject(
            "parse/heartbeat-negative-epsilon",
            "epsilon_limits members are finite and ≥ 0",
            "out-of-range",
            "$.payload.epsilon_limits.max_delta",
            self.signed(&p),
        );
        let p = self.payload_with(|o| set(o, "gpu", s("a100")))?;
        self.parse_reject(
            "parse/heartbeat-payload-member",
            "a payload member the heartbeat type does not define",
            "unknown-member",
            "$.payload.gpu",
            self.signed(&p),
        );
        let p = self.payload_with(|o| set(o, "previous", s("00".repeat(32))))?;
        self.parse_reject(
            "parse/heartbeat-previous-at-seq-0",
            "previous must be null when seq is 0",
            "malformed",
            "$.payload.previous",
            self.signed(&p),
        );
        let p = self.payload_with(|o| set(o, "stream", s("edge eu")))?;
        self.parse_reject(
            "parse/heartbeat-stream-charset",
            "stream names use [A-Za-z0-9._:/-]{1,128}",
            "malformed",
            "$.payload.stream",
            self.signed(&p),
        );
        let d = sign_envelope_typed("application/vnd.in-toto+json", &good, &[&self.key]);
        let mut v = self.base(
            "parse/heartbeat-unknown-payload-type",
            "an envelope of a payloadType this verifier does not know",
            "reject:parse",
            Some("unknown-type"),
        );
        v.document = Some(d);
        self.out.push(v);

        // signer, signature
        let d =
            envelope(HEARTBEAT_PAYLOAD_TYPE, &b64(&good), &[(stranger.key_id().to_hex(), sig(&stranger, &pae_good))]);
        self.single(
            "signer/heartbeat-unknown-key",
            "no signature names a key of the trust root",
            "reject:signer",
            Some("unknown-key"),
            d,
        );
        let runtime = self.w.runtime.master_ed25519();
        let d = envelope(HEARTBEAT_PAYLOAD_TYPE, &b64(&good), &[(runtime.key_id().to_hex(), sig(&runtime, &pae_good))]);
        self.single(
            "signer/heartbeat-wrong-role",
            "a valid signature by a runtime (not heartbeat) key",
            "reject:signer",
            Some("wrong-role"),
            d,
        );
        let other = self.payload_at(NOW_UNIX - 59)?;
        let d = envelope(
            HEARTBEAT_PAYLOAD_TYPE,
            &b64(&good),
            &[(kid.clone(), sig(&self.key, &pae(HEARTBEAT_PAYLOAD_TYPE, &other)))],
        );
        self.single(
            "signature/heartbeat-other-payload",
            "the heartbeat key's signature over another payload",
            "reject:signature",
            Some("bad-signature"),
            d,
        );
        let d = envelope(HEARTBEAT_PAYLOAD_TYPE, &b64(&good), &[(kid.clone(), sig(&self.key, &good))]);
        self.single(
            "signature/heartbeat-not-pae",
            "a signature over the payload bytes instead of PAE",
            "reject:signature",
            Some("bad-signature"),
            d,
        );
        // PAE length trick: the same bytes split differently between type and body.
        let trick_type = format!("{HEARTBEAT_PAYLOAD_TYPE} 1");
        let d = envelope(
            HEARTBEAT_PAYLOAD_TYPE,
            &b64(&good),
            &[(
                kid.clone(),
                sig(&self.key, format!("DSSEv1 {} {trick_type} {} ", trick_type.len(), good.len()).as_bytes()),
            )],
        );
        self.single(
            "signature/heartbeat-pae-length",
            "a signature over a PAE with other length fields does not verify",
            "reject:signature",
            Some("bad-signature"),
            d,
        );
        let d = envelope(HEARTBEAT_PAYLOAD_TYPE, &b64(&good), &[(kid.clone(), b64(&[1u8; 63]))]);
        self.single(
            "signature/heartbeat-short-sig",
            "a heartbeat key's sig that is not 64 bytes",
            "reject:signature",
            Some("signature-encoding"),
            d,
        );

        // trust-root
        let mut v = self.base(
            "trust-root/heartbeat-not-anchored",
            "a heartbeat checked against a trust root no pinned key signed",
            "reject:trust-root",
            Some("not-anchored"),
        );
        v.root_keys = vec![stranger.public_key().to_hex()];
        v.document = Some(self.signed(&good));
        self.out.push(v);

        // freshness, policy, drift, limits
        self.single(
            "freshness/heartbeat-stale",
            "timestamp more than max_age_seconds before now",
            "reject:freshness",
            Some("stale"),
            self.signed(&self.payload_at(NOW_UNIX - 301)?),
        );
        self.single(
            "freshness/heartbeat-from-future",
            "timestamp more than max_skew_seconds after now",
            "reject:freshness",
            Some("from-future"),
            self.signed(&self.payload_at(NOW_UNIX + 61)?),
        );
        let p = self.payload_with(|o| set(o, "policy_hash", s("ab".repeat(32))))?;
        self.single(
            "policy/heartbeat-policy-hash",
            "policy_hash differs from the policy's",
            "reject:policy",
            Some("policy-mismatch"),
            self.signed(&p),
        );
        let p = self.payload_with(|o| set(o, "version", s("1.4.1")))?;
        self.single(
            "drift/heartbeat-pinned-version",
            "version differs from the pinned one",
            "reject:drift",
            Some("pinned-mismatch"),
            self.signed(&p),
        );
        let p = self.payload_with(|o| set(o, "zero_retention", Value::Bool(false)))?;
        self.single(
            "drift/heartbeat-zero-retention",
            "zero_retention differs from the policy's",
            "reject:drift",
            Some("pinned-mismatch"),
            self.signed(&p),
        );
        let p = self.payload_with(|o| set(o, "egress_firewall_enabled", Value::Bool(false)))?;
        self.single(
            "drift/heartbeat-egress-firewall",
            "a pinned security flag is off",
            "reject:drift",
            Some("pinned-mismatch"),
            self.signed(&p),
        );
        let p = self.payload_with(|o| {
            if let Some(Value::Object(eps)) = o.get_mut("epsilon_limits") {
                set(eps, "current_usage", Value::Number(Number::Float(1.5)));
            }
        })?;
        self.single(
            "limits/heartbeat-epsilon",
            "current_usage above max_epsilon",
            "reject:limits",
            Some("epsilon-exceeded"),
            self.signed(&p),
        );
        let p = self.payload_with(|o| set(o, "blocked_requests", int(5000)))?;
        self.single(
            "limits/heartbeat-blocked",
            "blocked_requests above total_requests",
            "reject:limits",
            Some("blocked-exceeds-total"),
            self.signed(&p),
        );
        Ok(())
    }

    fn stream_vector(
        &mut self,
        name: &str,
        description: &str,
        documents: Vec<String>,
        expect_each: &[&str],
        reason_each: &[&str],
        streams: &[(&str, &str, Option<&str>, &str)],
    ) {
        let mut v = self.base(name, description, "", None);
        v.documents = documents;
        v.expect_each = expect_each.iter().map(|s| s.to_string()).collect();
        v.reason_each = reason_each.iter().map(|s| s.to_string()).collect();
        v.expect_streams = streams
            .iter()
            .map(|(stream, expect, reason, health)| StreamExpectation {
                stream: stream.to_string(),
                expect: expect.to_string(),
                reason: reason.map(str::to_string),
                health: health.to_string(),
            })
            .collect();
        self.out.push(v);
    }

    /// Heartbeats of one boot at the given times, counters growing.
    fn boot_at(&self, stream: &str, boot: &str, times: &[u64]) -> R<Vec<String>> {
        let mut chain = BootChain::new(stream, boot);
        times
            .iter()
            .enumerate()
            .map(|(i, ts)| Ok(self.signed(&chain.next_payload(&self.w.input_at(i as u64), *ts).map_err(e)?)))
            .collect()
    }

    fn minutes_before_now(n: u64) -> Vec<u64> {
        (0..n).map(|i| NOW_UNIX - 60 * (n - i)).collect()
    }

    fn streams(&mut self) -> R<()> {
        let healthy = self.boot_at(STREAM, BOOT, &Self::minutes_before_now(5))?;
        let all = |n: usize| vec!["accept"; n];
        let none = |n: usize| vec![""; n];
        self.stream_vector(
            "stream/healthy",
            "five heartbeats a minute apart, the newest a minute old: every stream check passes (older ones are history, not stale)",
            healthy.clone(),
            &all(5),
            &none(5),
            &[(STREAM, "accept", None, "healthy")],
        );
        let base = NOW_UNIX - 420;
        let gap_times = [base, base + 60, base + 240, base + 300, base + 360];
        let docs = self.boot_at(STREAM, BOOT, &gap_times)?;
        self.stream_vector(
            "stream/gap",
            "two consecutive heartbeats more than max_gap_seconds apart, seq contiguous",
            docs,
            &all(5),
            &none(5),
            &[(STREAM, "reject:gap", Some("gap-exceeded"), "invalid")],
        );
        let t = Self::minutes_before_now(7);
        let mut docs = self.boot_at(STREAM, "boot-a", &t[0..3])?;
        docs.extend(self.boot_at(STREAM, "boot-b", &[t[5], t[6]])?);
        self.stream_vector(
            "stream/gap-across-reboot",
            "a reboot (new boot_id, seq 0) after more than max_gap_seconds: a gap across boots",
            docs,
            &all(5),
            &none(5),
            &[(STREAM, "reject:gap", Some("gap-exceeded"), "invalid")],
        );
        let t = Self::minutes_before_now(5);
        let mut docs = self.boot_at(STREAM, "boot-a", &t[0..3])?;
        docs.extend(self.boot_at(STREAM, "boot-b", &t[3..5])?);
        self.stream_vector(
            "stream/reboot-counters-reset",
            "a new boot restarts seq at 0 and its counters lower: accepted (counters are checked within a boot)",
            docs,
            &all(5),
            &none(5),
            &[(STREAM, "accept", None, "healthy")],
        );
        let mut docs = healthy.clone();
        docs.remove(2);
        self.stream_vector(
            "stream/seq-gap",
            "a heartbeat left out of a boot: seq jumps (the time gap is within max_gap_seconds)",
            docs,
            &all(4),
            &none(4),
            &[(STREAM, "reject:sequence", Some("seq-gap"), "invalid")],
        );
        // previous pointing elsewhere: a chain resumed with a wrong previous hash.
        let mut chain = BootChain::new(STREAM, BOOT);
        let t = Self::minutes_before_now(3);
        let a = chain.next_payload(&self.w.input_at(0), t[0]).map_err(e)?;
        let mut broken = BootChain::resume(STREAM, BOOT, 1, Some(attest_verifier::crypto::sha256(b"another payload")));
        let b = broken.next_payload(&self.w.input_at(1), t[1]).map_err(e)?;
        let c = broken.next_payload(&self.w.input_at(2), t[2]).map_err(e)?;
        self.stream_vector(
            "stream/chain-broken",
            "previous of seq 1 is not the SHA-256 of seq 0's payload",
            vec![self.signed(&a), self.signed(&b), self.signed(&c)],
            &all(3),
            &none(3),
            &[(STREAM, "reject:sequence", Some("chain-broken"), "invalid")],
        );
        let mut late = BootChain::resume(STREAM, BOOT, 3, Some(attest_verifier::crypto::sha256(b"seq 2")));
        let docs: Vec<String> = Self::minutes_before_now(3)
            .iter()
            .enumerate()
            .map(|(i, ts)| Ok(self.signed(&late.next_payload(&self.w.input_at(3 + i as u64), *ts).map_err(e)?)))
            .collect::<R<_>>()?;
        self.stream_vector(
            "stream/seq-not-zero",
            "a boot whose first heartbeat in a whole-history audit has seq 3",
            docs.clone(),
            &all(3),
            &none(3),
            &[(STREAM, "reject:sequence", Some("seq-not-zero"), "invalid")],
        );
        let mut v = self.base(
            "stream/window-mid-boot",
            "checking a window: a boot already running at the window start may begin mid-chain",
            "",
            None,
        );
        v.documents = docs;
        v.expect_each = all(3).iter().map(|s| s.to_string()).collect();
        v.reason_each = none(3).iter().map(|s| s.to_string()).collect();
        v.window_start = Some("2026-11-21T11:56:00Z".into());
        v.expect_streams = vec![StreamExpectation {
            stream: STREAM.into(),
            expect: "accept".into(),
            reason: None,
            health: "healthy".into(),
        }];
        self.out.push(v);
        let mut v = self.base(
            "stream/window-gap-at-start",
            "checking a window: the first heartbeat more than max_gap_seconds after the window start is a gap",
            "",
            None,
        );
        v.documents = healthy[3..].to_vec();
        v.expect_each = all(2).iter().map(|s| s.to_string()).collect();
        v.reason_each = none(2).iter().map(|s| s.to_string()).collect();
        v.window_start = Some("2026-11-21T11:50:00Z".into());
        v.expect_streams = vec![StreamExpectation {
            stream: STREAM.into(),
            expect: "reject:gap".into(),
            reason: Some("gap-exceeded".into()),
            health: "invalid".into(),
        }];
        self.out.push(v);

        // counters decrease within a boot.
        let mut chain = BootChain::new(STREAM, BOOT);
        let t = Self::minutes_before_now(3);
        let inputs = [self.w.input_at(2), self.w.input_at(0), self.w.input_at(3)];
        let docs: Vec<String> = t
            .iter()
            .zip(inputs.iter())
            .map(|(ts, input)| Ok(self.signed(&chain.next_payload(input, *ts).map_err(e)?)))
            .collect::<R<_>>()?;
        self.stream_vector(
            "stream/counter-decrease",
            "total_requests decreases within a boot",
            docs,
            &all(3),
            &none(3),
            &[(STREAM, "reject:counters", Some("counter-decreased"), "invalid")],
        );
        let mut docs = healthy.clone();
        docs.insert(3, healthy[2].clone());
        self.stream_vector(
            "stream/replayed-heartbeat",
            "the same heartbeat twice: the copy fails replay and takes no part in stream checks",
            docs,
            &["accept", "accept", "accept", "reject:replay", "accept", "accept"],
            &["", "", "", "repeated-heartbeat", "", ""],
            &[(STREAM, "accept", None, "healthy")],
        );
        let mut o = payload_object(attest_verifier::dsse::parse_envelope(healthy[4].as_bytes()).map_err(e)?.payload())?;
        set(&mut o, "timestamp", int(NOW_UNIX - 30));
        let copy = self.signed(&canonical(&o));
        let mut docs = healthy.clone();
        docs.push(copy);
        self.stream_vector(
            "stream/replayed-attestation-id",
            "another heartbeat reusing an attestation_id fails replay",
            docs,
            &["accept", "accept", "accept", "accept", "accept", "reject:replay"],
            &["", "", "", "", "", "repeated-attestation-id"],
            &[(STREAM, "accept", None, "healthy")],
        );
        let old: Vec<u64> = Self::minutes_before_now(5).iter().map(|t| t - 180).collect();
        let docs = self.boot_at(STREAM, BOOT, &old)?;
        self.stream_vector(
            "stream/missing",
            "the newest heartbeat is more than max_gap_seconds old at now: the stream is missing",
            docs,
            &all(5),
            &none(5),
            &[(STREAM, "reject:gap", Some("stream-missing"), "missing")],
        );
        // drift between consecutive heartbeats (no policy: each heartbeat is valid on its own).
        let mut chain = BootChain::new(STREAM, BOOT);
        let t = Self::minutes_before_now(4);
        let upgraded = {
            let mut o = self.w.input_at(2).object().clone();
            set(&mut o, "version", s("1.4.1"));
            HeartbeatInput::from_value(&Value::Object(o)).map_err(e)?
        };
        let inputs = [self.w.input_at(0), self.w.input_at(1), upgraded.clone(), upgraded.merged(&self.w.input_at(3))];
        let docs: Vec<String> = t
            .iter()
            .zip(inputs.iter())
            .map(|(ts, input)| Ok(self.signed(&chain.next_payload(input, *ts).map_err(e)?)))
            .collect::<R<_>>()?;
        let mut v = self.base(
            "stream/drift",
            "version changes between consecutive heartbeats (no policy pins it): drift",
            "",
            None,
        );
        v.heartbeat_policy = None;
        v.documents = docs;
        v.expect_each = all(4).iter().map(|s| s.to_string()).collect();
        v.reason_each = none(4).iter().map(|s| s.to_string()).collect();
        v.expect_streams = vec![StreamExpectation {
            stream: STREAM.into(),
            expect: "reject:drift".into(),
            reason: Some("config-changed".into()),
            health: "drift".into(),
        }];
        self.out.push(v);
        // A forged heartbeat in the middle takes no part.
        let mut docs = healthy.clone();
        let forged = {
            let env = attest_verifier::dsse::parse_envelope(healthy[2].as_bytes()).map_err(e)?;
            let mut o = payload_object(env.payload())?;
            set(&mut o, "seq", int(99));
            set(&mut o, "attestation_id", s("forged"));
            let payload = canonical(&o);
            envelope(
                HEARTBEAT_PAYLOAD_TYPE,
                &b64(&payload),
                &[(self.key.key_id().to_hex(), b64(self.key.sign(b"something else").as_bytes()))],
            )
        };
        docs.insert(2, forged);
        self.stream_vector(
            "stream/forged-takes-no-part",
            "a heartbeat whose signature fails is reported and left out of the stream checks",
            docs,
            &["accept", "accept", "reject:signature", "accept", "accept", "accept"],
            &["", "", "bad-signature", "", "", ""],
            &[(STREAM, "accept", None, "healthy")],
        );
        let mut docs = healthy.clone();
        let other: Vec<u64> = Self::minutes_before_now(3).iter().map(|t| t - 600).collect();
        docs.extend(self.boot_at("edge-us-2", "boot-1", &other)?);
        self.stream_vector(
            "stream/two-streams",
            "two streams in one batch, checked separately: one healthy, one missing",
            docs,
            &all(8),
            &none(8),
            &[("edge-eu-1", "accept", None, "healthy"), ("edge-us-2", "reject:gap", Some("stream-missing"), "missing")],
        );
        Ok(())
    }
}

/// Every heartbeat vector.
pub fn vectors() -> R<Vec<Vector>> {
    let mut hb = Hb::new()?;
    hb.singles()?;
    hb.streams()?;
    Ok(hb.out)
}
