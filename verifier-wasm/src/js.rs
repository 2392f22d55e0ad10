//! The wasm-bindgen exports: JavaScript options in, plain JS objects out.

use attest_verifier::trust_root::parse_root_keys;
use attest_verifier::types::Ed25519PublicKey;
use attest_verifier::Timestamp;
use js_sys::{Array, ArrayBuffer, JsString, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::native::{self, Evidence, MAX_DOCUMENT_BYTES, MAX_INPUT_BYTES};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Text of a document, or its raw bytes (e.g. a dropped file; Node Buffer included). */
export type DocumentInput = string | Uint8Array | ArrayBuffer;

/** Status of one check. */
export type CheckStatus = "pass" | "fail" | "skip";

/** One check of a report (formats.md §3). */
export interface Check {
  /** Stable check id: parse, trust-root, signer, delegation, signature, … */
  id: string;
  status: CheckStatus;
  /** What was checked, or what is wrong and how to act on it. */
  detail: string;
  /** On failure: the stable reason code within the check (e.g. "not-anchored"). */
  reason?: string;
  /** On a parse failure inside the document: the JSON path of the problem. */
  path?: string;
}

/** The object `attest verify --format json` prints. */
export interface VerifyReport {
  /** True iff every required check passed and none failed. */
  valid: boolean;
  /** The document type (or the expected one when it could not be read). */
  type: string;
  checks: Check[];
  /** digest(D), lowercase hex, when the document parsed. */
  digest?: string;
}

/** Options of verifyAttestation (the flags of `attest verify`). */
export interface VerifyOptions {
  /** Trust-root documents, oldest first (--trust-root, repeated). */
  trustRoots: DocumentInput[];
  /** Pinned Ed25519 root keys, lowercase hex; an entry may also be a whole
   * root-key file (one key a line, blank lines and # comments ignored). */
  rootKeys: string[];
  /** Verification time, RFC 3339 UTC (default: Date.now()). */
  now?: string;
  /** Signals JSON the fingerprint is recomputed from (--signals). */
  signals?: DocumentInput;
  /** Raw execution output checked against outputHash (--output). */
  output?: Uint8Array | ArrayBuffer;
  /** Network log, JSON Lines (--network). */
  network?: DocumentInput;
  /** Allowed request hosts (--allow-host). */
  allowHosts?: string[];
  /** Bundle manifest (--bundle MANIFEST). */
  bundleManifest?: DocumentInput;
  /** Files of the bundle directory, path → bytes (--bundle DIR); needs bundleManifest. */
  bundleFiles?: Record<string, Uint8Array | ArrayBuffer | string>;
  /** Refuse a newest trust root below this version (--min-trust-root-version). */
  minTrustRootVersion?: number;
}
/** Options of verifyTrustRootChain. */
export interface ChainOptions {
  rootKeys: string[];
  now?: string;
  minTrustRootVersion?: number;
}

/** Verdict on a trust-root chain (`attest trust-root verify`). */
export interface ChainVerdict {
  valid: boolean;
  detail: string;
  /** On failure: the reason code the `trust-root` check would report. */
  reason?: string;
  /** On success: number of documents in the chain. */
  length?: number;
  /** On success: the newest document, used for key lookups. */
  newest?: { version: number; digest: string; issuedAt: string; expiresAt: string };
}

/** The object `attest inspect --format json` prints. */
export interface InspectResult {
  decoded: { type: string; digest: string; signingMessageBytes: number; [field: string]: unknown };
  document: unknown;
}

/** Options of verifyRecordProof: the expected Merkle root (hex) or a network summary document. */
export interface ProofOptions {
  root?: string;
  summary?: DocumentInput;
}

/** Errors thrown by this module carry a stable code. */
export interface AttestError extends Error {
  /** ATTEST_NOT_INITIALIZED: the npm package's browser entry was called before `await init()`. */
  code: "ATTEST_INVALID_ARGUMENT" | "ATTEST_INPUT_TOO_LARGE" | "ATTEST_MALFORMED_DOCUMENT" | "ATTEST_INTERNAL" | "ATTEST_NOT_INITIALIZED";
  /** The offending option, e.g. "rootKeys[1]" or "now". */
  option?: string;
}
"#;

/// The TEE module's additions to the declarations.
#[cfg(feature = "tee")]
#[wasm_bindgen(typescript_custom_section)]
const TS_TEE_TYPES: &'static str = r#"
/** Options of the TEE module's verifyAttestation, verifyBatch and verifyTeeBinding (docs/spec.md §13). */
export interface TeeOptions extends VerifyOptions {
  /** TEE bindings attest.tee-binding.v1 (--tee-binding, repeated): a document signed by a TEE-bound key needs its key's. */
  teeBindings?: DocumentInput[];
  /** Root CA (DER bytes or PEM text) DCAP quotes chain to instead of Intel's SGX Root CA (--tee-root-ca; test infrastructure). */
  teeRootCa?: DocumentInput;
}
"#;

/// The heartbeat module's additions to the declarations.
#[cfg(feature = "heartbeat")]
#[wasm_bindgen(typescript_custom_section)]
const TS_HEARTBEAT_TYPES: &'static str = r#"
/** Options of verifyHeartbeat: VerifyOptions and the heartbeat policy. */
export interface HeartbeatOptions extends VerifyOptions {
  /** Heartbeat policy attest.heartbeat-policy.v1 (--heartbeat-policy). */
  heartbeatPolicy?: DocumentInput;
}

/** Options of auditHeartbeats: VerifyOptions and the window checked. */
export interface AuditOptions extends HeartbeatOptions {
  /** Only heartbeats at or after this time (RFC 3339) take part in stream checks (`attest gate --window`). */
  windowStart?: string;
}

/** The stream checks of one heartbeat stream (docs/spec.md §9.4). */
export interface StreamReport {
  stream: string;
  health: "healthy" | "missing" | "invalid" | "drift";
  /** Checks sequence, gap, drift, counters (type "attest.heartbeat-stream"). */
  report: VerifyReport;
  count: number;
  invalid: number;
  /** Oldest and newest timestamp, Unix seconds. */
  first: number;
  last: number;
  boots: string[];
  gaps: { start: number; end: number; seconds: number; open: boolean; acrossBoot: boolean }[];
  drift: { member: string; at: number; from: string; to: string; old: string; new: string }[];
}

/** What auditHeartbeats returns: one report per document, in order, and one per stream. */
export interface HeartbeatAudit {
  reports: VerifyReport[];
  streams: StreamReport[];
}
"#;

#[wasm_bindgen]
extern "C" {
    /// `String.prototype.isWellFormed.call(s)` (ES2024: Node 20, Chrome 111);
    /// throws (caught) on engines without it.
    #[wasm_bindgen(catch, js_namespace = ["String", "prototype", "isWellFormed"], js_name = call)]
    fn is_well_formed(s: &JsString) -> Result<bool, JsValue>;
}

const INVALID: &str = "ATTEST_INVALID_ARGUMENT";
const TOO_LARGE: &str = "ATTEST_INPUT_TOO_LARGE";
const MALFORMED: &str = "ATTEST_MALFORMED_DOCUMENT";
const INTERNAL: &str = "ATTEST_INTERNAL";

/// A JS `Error` with `code` and (when given) `option` properties.
fn error(code: &str, option: Option<&str>, message: &str) -> JsValue {
    let e = js_sys::Error::new(message);
    let _ = Reflect::set(&e, &JsValue::from_str("code"), &JsValue::from_str(code));
    if let Some(o) = option {
        let _ = Reflect::set(&e, &JsValue::from_str("option"), &JsValue::from_str(o));
    }
    e.into()
}

fn invalid(option: &str, message: impl AsRef<str>) -> JsValue {
    error(INVALID, Some(option), &format!("{option}: {}", message.as_ref()))
}

/// A short description of a JS value's type for error messages.
fn kind(v: &JsValue) -> String {
    if v.is_null() {
        "null".into()
    } else if Array::is_array(v) {
        "an array".into()
    } else {
        match v.js_typeof().as_string().unwrap_or_default().as_str() {
            "undefined" => "undefined".into(),
            "object" => "an object".into(),
            t => format!("a {t}"),
        }
    }
}

/// UTF-8 bytes of a JS string. A string holding a lone surrogate cannot be
/// UTF-8; it is encoded as WTF-8 (invalid UTF-8), so the strict parser
/// refuses the document as malformed exactly as the CLI refuses a file that
/// is not UTF-8, instead of verifying a silently repaired (U+FFFD) copy.
fn string_bytes(s: &JsString) -> Vec<u8> {
    let well_formed = match is_well_formed(s) {
        Ok(b) => b,
        Err(_) => s.is_valid_utf16(),
    };
    if well_formed {
        return String::from(s).into_bytes();
    }
    let mut out = Vec::with_capacity(s.length() as usize);
    for unit in char::decode_utf16(s.iter()) {
        match unit {
            Ok(c) => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            Err(e) => {
                let u = e.unpaired_surrogate();
                out.extend_from_slice(&[
                    0xE0 | (u >> 12) as u8,
                    0x80 | ((u >> 6) & 0x3F) as u8,
                    0x80 | (u & 0x3F) as u8,
                ]);
            }
        }
    }
    out
}

/// Whether a value is a `Uint8Array` (Node `Buffer` included) or an `ArrayBuffer`.
fn is_bytes(v: &JsValue) -> bool {
    v.dyn_ref::<Uint8Array>().is_some() || v.is_instance_of::<ArrayBuffer>()
}

fn too_large(option: &str, size: u64, limit: usize) -> JsValue {
    error(TOO_LARGE, Some(option), &format!("{option}: {size} bytes exceeds the limit of {limit} bytes"))
}

/// Text (UTF-8 encoded) or raw bytes, at most `limit` bytes; the size is
/// checked before the bytes are copied into the module's memory. With `cut`
/// (documents), a larger input is not refused here but cut to `limit + 1`
/// bytes, as the CLI reads a document file only one byte past the limit: the
/// strict parser then refuses it (reason `too-large`) as malformed evidence.
fn read_input(v: &JsValue, option: &str, limit: usize, text_ok: bool, cut: bool) -> Result<Vec<u8>, JsValue> {
    let over = |size: u32| {
        if !cut && size as usize > limit {
            Err(too_large(option, u64::from(size), limit))
        } else {
            Ok(())
        }
    };
    let keep = u32::try_from(limit.saturating_add(1)).unwrap_or(u32::MAX);
    let mut bytes = if let (true, Some(s)) = (text_ok, v.dyn_ref::<JsString>()) {
        // Every UTF-16 code unit encodes to at least one byte.
        over(s.length())?;
        string_bytes(&if s.length() > keep { s.slice(0, keep) } else { s.clone() })
    } else if let Some(u) = v.dyn_ref::<Uint8Array>() {
        over(u.length())?;
        u.subarray(0, keep).to_vec()
    } else if let Some(b) = v.dyn_ref::<ArrayBuffer>() {
        over(b.byte_length())?;
        Uint8Array::new(b).subarray(0, keep).to_vec()
    } else {
        let expected =
            if text_ok { "a string, a Uint8Array or an ArrayBuffer" } else { "a Uint8Array or an ArrayBuffer" };
        return Err(invalid(option, format!("must be {expected}, got {}", kind(v))));
    };
    if bytes.len() > limit {
        if !cut {
            return Err(too_large(option, bytes.len() as u64, limit));
        }
        bytes.truncate(keep as usize);
    }
    Ok(bytes)
}

/// A document given as text or bytes; over 16 MiB (the CLI's document
/// limit) it is cut to one byte past the limit and refused by the parser.
fn read_document(v: &JsValue, option: &str) -> Result<Vec<u8>, JsValue> {
    read_input(v, option, MAX_DOCUMENT_BYTES, true, true)
}

fn string(v: &JsValue, option: &str) -> Result<String, JsValue> {
    v.as_string().ok_or_else(|| invalid(option, format!("must be a string, got {}", kind(v))))
}

fn array(v: &JsValue, option: &str) -> Result<Array, JsValue> {
    if Array::is_array(v) {
        Ok(Array::from(v))
    } else {
        Err(invalid(option, format!("must be an array, got {}", kind(v))))
    }
}

/// The options object: members read by name, unknown names refused.
struct Options {
    obj: JsValue,
}

impl Options {
    fn new(v: &JsValue, what: &str, known: &[&str]) -> Result<Self, JsValue> {
        if !v.is_object() || Array::is_array(v) || v.is_function() {
            return Err(invalid(what, format!("must be an object, got {}", kind(v))));
        }
        let keys = Object::keys(v.unchecked_ref::<Object>());
        for k in keys.iter() {
            let name = k.as_string().unwrap_or_default();
            if !known.contains(&name.as_str()) {
                return Err(invalid(&name, format!("unknown option; known options: {}", known.join(", "))));
            }
        }
        Ok(Self { obj: v.clone() })
    }

    /// A member; `undefined` and `null` read as absent.
    fn get(&self, name: &str) -> Result<Option<JsValue>, JsValue> {
        let v = Reflect::get(&self.obj, &JsValue::from_str(name)).map_err(|_| invalid(name, "cannot be read"))?;
        Ok(if v.is_undefined() || v.is_null() { None } else { Some(v) })
    }

    fn required(&self, name: &str) -> Result<JsValue, JsValue> {
        self.get(name)?.ok_or_else(|| invalid(name, "is required"))
    }

    fn root_keys(&self) -> Result<Vec<Ed25519PublicKey>, JsValue> {
        let items = array(&self.required("rootKeys")?, "rootKeys")?;
        let mut keys = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let name = format!("rootKeys[{i}]");
            let text = string(&item, &name)?;
            let parsed = parse_root_keys(&text).map_err(|(line, e)| {
                invalid(&name, format!("line {line}: {e} (expected a lowercase hex Ed25519 public key)"))
            })?;
            if parsed.is_empty() {
                return Err(invalid(&name, "holds no key"));
            }
            keys.extend(parsed);
        }
        Ok(keys)
    }

    fn now(&self) -> Result<Timestamp, JsValue> {
        match self.get("now")? {
            Some(v) => {
                let s = string(&v, "now")?;
                Timestamp::parse(&s).map_err(|e| invalid("now", format!("{s:?}: {e}")))
            }
            None => {
                // The core reads no clock: the default time is taken here.
                let ms = js_sys::Date::now();
                let secs = (ms / 1000.0).floor();
                let nanos = ((ms - secs * 1000.0) * 1_000_000.0) as u32;
                Ok(Timestamp::from_unix(secs as i64, nanos))
            }
        }
    }

    fn min_version(&self) -> Result<Option<u64>, JsValue> {
        const NAME: &str = "minTrustRootVersion";
        let Some(v) = self.get(NAME)? else {
            return Ok(None);
        };
        match v.as_f64() {
            Some(n) if n.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&n) => Ok(Some(n as u64)),
            Some(_) => {
                // Formatted by JS: Rust's f64 formatting would add ~20 KB to the module.
                let shown = js_sys::Number::from(v).to_string_with_radix(10).map(String::from).unwrap_or_default();
                Err(invalid(NAME, format!("must be a non-negative safe integer, got {shown}")))
            }
            None => Err(invalid(NAME, format!("must be a number, got {}", kind(&v)))),
        }
    }

    fn trust_roots(&self) -> Result<Vec<Vec<u8>>, JsValue> {
        let items = array(&self.required("trustRoots")?, "trustRoots")?;
        items.iter().enumerate().map(|(i, item)| read_document(&item, &format!("trustRoots[{i}]"))).collect()
    }

    fn opt_document(&self, name: &str) -> Result<Option<Vec<u8>>, JsValue> {
        self.get(name)?.map(|v| read_document(&v, name)).transpose()
    }
}

#[cfg(not(any(feature = "heartbeat", feature = "tee")))]
const VERIFY_OPTIONS: &[&str] = &[
    "trustRoots",
    "rootKeys",
    "now",
    "signals",
    "output",
    "network",
    "allowHosts",
    "bundleManifest",
    "bundleFiles",
    "minTrustRootVersion",
];

#[cfg(feature = "heartbeat")]
const HEARTBEAT_OPTIONS: &[&str] = &[
    "trustRoots",
    "rootKeys",
    "now",
    "signals",
    "output",
    "network",
    "allowHosts",
    "bundleManifest",
    "bundleFiles",
    "minTrustRootVersion",
    "heartbeatPolicy",
];

#[cfg(feature = "heartbeat")]
const AUDIT_OPTIONS: &[&str] = &[
    "trustRoots",
    "rootKeys",
    "now",
    "signals",
    "output",
    "network",
    "allowHosts",
    "bundleManifest",
    "bundleFiles",
    "minTrustRootVersion",
    "heartbeatPolicy",
    "windowStart",
];

#[cfg(all(feature = "tee", not(feature = "heartbeat")))]
const TEE_OPTIONS: &[&str] = &[
    "trustRoots",
    "rootKeys",
    "now",
    "signals",
    "output",
    "network",
    "allowHosts",
    "bundleManifest",
    "bundleFiles",
    "minTrustRootVersion",
    "teeBindings",
    "teeRootCa",
];

fn evidence(options: &JsValue) -> Result<Evidence, JsValue> {
    #[cfg(feature = "heartbeat")]
    let allowed = HEARTBEAT_OPTIONS;
    #[cfg(all(feature = "tee", not(feature = "heartbeat")))]
    let allowed = TEE_OPTIONS;
    #[cfg(not(any(feature = "heartbeat", feature = "tee")))]
    let allowed = VERIFY_OPTIONS;
    evidence_with(options, allowed).map(|(e, _)| e)
}

fn evidence_with(options: &JsValue, allowed: &[&str]) -> Result<(Evidence, Options), JsValue> {
    let o = Options::new(options, "options", allowed)?;
    let mut e = Evidence::new(o.trust_roots()?, o.root_keys()?, o.now()?);
    e.min_trust_root_version = o.min_version()?;
    e.signals = o.opt_document("signals")?;
    e.bundle_manifest = o.opt_document("bundleManifest")?;
    e.network = o.get("network")?.map(|v| read_input(&v, "network", MAX_INPUT_BYTES, true, false)).transpose()?;
    e.output = o.get("output")?.map(|v| read_input(&v, "output", MAX_INPUT_BYTES, false, false)).transpose()?;
    if let Some(v) = o.get("allowHosts")? {
        let items = array(&v, "allowHosts")?;
        e.allow_hosts =
            items.iter().enumerate().map(|(i, h)| string(&h, &format!("allowHosts[{i}]"))).collect::<Result<_, _>>()?;
    }
    if let Some(v) = o.get("bundleFiles")? {
        if e.bundle_manifest.is_none() {
            return Err(invalid("bundleFiles", "needs bundleManifest (the manifest.json of the bundle directory)"));
        }
        if !v.is_object() || Array::is_array(&v) || is_bytes(&v) {
            return Err(invalid(
                "bundleFiles",
                format!("must be an object mapping paths to Uint8Array, got {}", kind(&v)),
            ));
        }
        // Like the CLI's directory walk: once the files add up to more than
        // MAX_INPUT_BYTES, the rest are not read (at most one byte past the
        // limit is copied), and `bundle-files` refuses them (`too-large`).
        let mut files = Vec::new();
        let mut total = 0usize;
        for pair in Object::entries(v.unchecked_ref::<Object>()).iter() {
            let pair = Array::from(&pair);
            let path = pair.get(0).as_string().unwrap_or_default();
            let left = MAX_INPUT_BYTES.saturating_sub(total);
            let bytes = read_input(&pair.get(1), &format!("bundleFiles[{path:?}]"), left, true, true)?;
            total = total.saturating_add(bytes.len());
            if total > MAX_INPUT_BYTES {
                e.bundle_oversized.push(path);
            } else {
                files.push((path, bytes));
            }
        }
        e.bundle_files = Some(files);
    }
    #[cfg(feature = "heartbeat")]
    if let Some(bytes) = o.opt_document("heartbeatPolicy")? {
        e.heartbeat_policy = Some(
            attest_verifier::heartbeat::parse_heartbeat_policy(&bytes)
                .map_err(|err| error(MALFORMED, Some("heartbeatPolicy"), &format!("heartbeatPolicy: {err}")))?,
        );
    }
    #[cfg(feature = "tee")]
    {
        if let Some(v) = o.get("teeBindings")? {
            let items = array(&v, "teeBindings")?;
            e.tee_bindings = items
                .iter()
                .enumerate()
                .map(|(i, b)| read_document(&b, &format!("teeBindings[{i}]")))
                .collect::<Result<_, _>>()?;
        }
        if let Some(v) = o.get("teeRootCa")? {
            let ca = read_input(&v, "teeRootCa", 64 * 1024, true, false)?;
            attest_tee_verifier::DcapVerifier::with_root_ca(&ca).map_err(|err| invalid("teeRootCa", err))?;
            e.tee_root_ca = Some(ca);
        }
    }
    Ok((e, o))
}

/// Parses JSON text produced by serde_json into a plain JS object.
fn to_js(json: Result<String, String>) -> Result<JsValue, JsValue> {
    let text = json.map_err(|e| error(INTERNAL, None, &format!("serialization failed: {e}")))?;
    js_sys::JSON::parse(&text).map_err(|_| error(INTERNAL, None, "serialization produced invalid JSON"))
}

/// Verifies an attest document (an execution attestation, a trust root or a
/// bundle manifest) and returns the report `attest verify --format json`
/// prints. Throws (with `code`) only for wrongly shaped options; malformed
/// evidence is a report with a failing check.
#[wasm_bindgen(js_name = verifyAttestation, unchecked_return_type = "VerifyReport")]
pub fn verify_attestation(
    #[wasm_bindgen(unchecked_param_type = "DocumentInput")] attestation: JsValue,
    #[wasm_bindgen(unchecked_param_type = "VerifyOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let doc = read_document(&attestation, "attestation")?;
    let e = evidence(&options)?;
    let report = native::verify(&doc, e);
    to_js(native::report_json(&report))
}

/// Verifies a batch of documents as `attest audit` does: one trust-root
/// chain, every item's checks, and the batch `replay` check in input order
/// (only items whose signature verified take part). Returns one report per
/// document, in order.
#[wasm_bindgen(js_name = verifyBatch, unchecked_return_type = "VerifyReport[]")]
pub fn verify_batch(
    #[wasm_bindgen(unchecked_param_type = "DocumentInput[]")] documents: JsValue,
    #[wasm_bindgen(unchecked_param_type = "VerifyOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let items = array(&documents, "documents")?;
    let docs = items
        .iter()
        .enumerate()
        .map(|(i, d)| read_document(&d, &format!("documents[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let e = evidence(&options)?;
    let out = Array::new();
    for report in native::verify_batch(&docs, e) {
        out.push(&to_js(native::report_json(&report))?);
    }
    Ok(out.into())
}

/// Verifies one heartbeat envelope (a DSSE `attest.runtime-heartbeat.v1`)
/// as `attest verify ENVELOPE --heartbeat-policy FILE` does: the same report
/// as `verifyAttestation` (which, in this module, also takes `heartbeatPolicy`).
#[cfg(feature = "heartbeat")]
#[wasm_bindgen(js_name = verifyHeartbeat, unchecked_return_type = "VerifyReport")]
pub fn verify_heartbeat(
    #[wasm_bindgen(unchecked_param_type = "DocumentInput")] envelope: JsValue,
    #[wasm_bindgen(unchecked_param_type = "HeartbeatOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let doc = read_document(&envelope, "envelope")?;
    let (e, _) = evidence_with(&options, HEARTBEAT_OPTIONS)?;
    to_js(native::report_json(&native::verify(&doc, e)))
}

/// Verifies heartbeat envelopes as `attest audit` does (every heartbeat as
/// history: `freshness` checks the future bound only) and runs the stream
/// checks per stream, optionally over a window (`attest gate`).
#[cfg(feature = "heartbeat")]
#[wasm_bindgen(js_name = auditHeartbeats, unchecked_return_type = "HeartbeatAudit")]
pub fn audit_heartbeats(
    #[wasm_bindgen(unchecked_param_type = "DocumentInput[]")] documents: JsValue,
    #[wasm_bindgen(unchecked_param_type = "AuditOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let items = array(&documents, "documents")?;
    let docs = items
        .iter()
        .enumerate()
        .map(|(i, d)| read_document(&d, &format!("documents[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let (e, o) = evidence_with(&options, AUDIT_OPTIONS)?;
    let window_start = match o.get("windowStart")? {
        None => None,
        Some(v) => {
            let s = string(&v, "windowStart")?;
            Some(Timestamp::parse(&s).map_err(|err| invalid("windowStart", format!("windowStart: {err}")))?)
        }
    };
    to_js(native::audit_heartbeats(&docs, e, window_start))
}

/// Verifies a TEE binding (`attest.tee-binding.v1`) on its own, as `attest
/// verify BINDING.json [--tee-root-ca FILE]` does: `parse`, `trust-root`,
/// `signer` (the key is in the trust root with a `tee` policy) and `tee`
/// (the DCAP quote at boundAt, the policy, the binding's age at `now`).
#[cfg(feature = "tee")]
#[wasm_bindgen(js_name = verifyTeeBinding, unchecked_return_type = "VerifyReport")]
pub fn verify_tee_binding(
    #[wasm_bindgen(unchecked_param_type = "DocumentInput")] binding: JsValue,
    #[wasm_bindgen(unchecked_param_type = "TeeOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let doc = read_document(&binding, "binding")?;
    let e = evidence(&options)?;
    to_js(native::report_json(&native::verify(&doc, e)))
}

/// Verifies a trust-root chain (oldest first) against pinned root keys, as
/// `attest trust-root verify` does.
#[wasm_bindgen(js_name = verifyTrustRootChain, unchecked_return_type = "ChainVerdict")]
#[allow(non_snake_case)]
pub fn verify_trust_root_chain(
    #[wasm_bindgen(unchecked_param_type = "DocumentInput[]")] trustRoots: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ChainOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let items = array(&trustRoots, "trustRoots")?;
    let docs = items
        .iter()
        .enumerate()
        .map(|(i, item)| read_document(&item, &format!("trustRoots[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let o = Options::new(&options, "options", &["rootKeys", "now", "minTrustRootVersion"])?;
    let verdict = native::chain_verdict(&docs, &o.root_keys()?, o.now()?, o.min_version()?);
    to_js(serde_json::to_string(&verdict).map_err(|_| native::SERIALIZATION_FAILED.to_string()))
}

/// Decodes any attest document and shows its digests and derived values
/// (the object `attest inspect --format json` prints). Throws with code
/// `ATTEST_MALFORMED_DOCUMENT` when the document does not parse as its type.
#[wasm_bindgen(unchecked_return_type = "InspectResult")]
pub fn inspect(#[wasm_bindgen(unchecked_param_type = "DocumentInput")] document: JsValue) -> Result<JsValue, JsValue> {
    let doc = read_document(&document, "document")?;
    let out = native::inspect(&doc).map_err(|e| error(MALFORMED, Some("document"), &format!("document: {e}")))?;
    to_js(serde_json::to_string(&out).map_err(|_| native::SERIALIZATION_FAILED.to_string()))
}

/// Verifies an `attest.network-record-proof.v1` inclusion proof against a
/// Merkle root (hex) or a network summary document, as `attest network
/// verify-proof` does, and returns a report (`parse`, then `network`:
/// `not-included` or `summary` when it fails). Throws
/// `ATTEST_MALFORMED_DOCUMENT` for a proof or summary that does not parse,
/// `ATTEST_INVALID_ARGUMENT` for bad options.
#[wasm_bindgen(js_name = verifyRecordProof, unchecked_return_type = "VerifyReport")]
pub fn verify_record_proof(
    #[wasm_bindgen(unchecked_param_type = "DocumentInput")] proof: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ProofOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let proof_bytes = read_document(&proof, "proof")?;
    let o = Options::new(&options, "options", &["root", "summary"])?;
    let root = match o.get("root")? {
        Some(v) => Some(v.as_string().ok_or_else(|| error(INVALID, Some("root"), "root: expected a hex string"))?),
        None => None,
    };
    let summary = match o.get("summary")? {
        Some(v) => Some(read_document(&v, "summary")?),
        None => None,
    };
    let report = native::proof_report(&proof_bytes, root.as_deref(), summary.as_deref()).map_err(|e| {
        let code = if matches!(e, native::ProofInputError::Malformed { .. }) { MALFORMED } else { INVALID };
        error(code, None, &e.to_string())
    })?;
    to_js(native::report_json(&report))
}

/// The version of this module (the attest workspace version).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
