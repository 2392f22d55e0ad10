//! The payload `attest.runtime-heartbeat.v1` and the policy file
//! `attest.heartbeat-policy.v1` (formats.md §7): strict parsing.

use attest_json::{Number, Value};

use crate::crypto::sha256;
use crate::doc::{self, err, DocResult, DocumentError, Members, Problem};
use crate::types::{KeyId, Sha256Digest};

/// Payload `type` of a heartbeat (also its report's document type).
pub const HEARTBEAT_TYPE: &str = "attest.runtime-heartbeat.v1";

/// The DSSE `payloadType` of a heartbeat envelope.
pub const HEARTBEAT_PAYLOAD_TYPE: &str = "application/vnd.attest.runtime-heartbeat.v1+json";

/// Document type of a heartbeat policy file.
pub const HEARTBEAT_POLICY_TYPE: &str = "attest.heartbeat-policy.v1";

/// Longest `attestation_id` (characters).
pub const MAX_ID_CHARS: usize = 128;

const PAYLOAD_MEMBERS: [&str; 22] = [
    "type",
    "attestation_id",
    "stream",
    "boot_id",
    "seq",
    "previous",
    "timestamp",
    "interval_seconds",
    "policy_hash",
    "zero_retention",
    "epsilon_limits",
    "version",
    "kernel_config_hash",
    "capability_keys",
    "tenant_isolation",
    "egress_firewall_enabled",
    "pii_detection_enabled",
    "total_requests",
    "blocked_requests",
    "capability_failures",
    "plan_validations",
    "uptime_seconds",
];

const EPSILON_MEMBERS: [&str; 4] = ["max_epsilon", "max_delta", "current_usage", "reset_interval"];

/// The members a heartbeat policy may pin, and that the stream `drift` check
/// compares between consecutive heartbeats (besides `policy_hash` and
/// `zero_retention`).
pub const PINNABLE: [&str; 5] =
    ["kernel_config_hash", "version", "tenant_isolation", "egress_firewall_enabled", "pii_detection_enabled"];

/// The differential-privacy budget of a heartbeat: finite numbers ≥ 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpsilonLimits {
    pub(crate) max_epsilon: f64,
    pub(crate) max_delta: f64,
    pub(crate) current_usage: f64,
    pub(crate) reset_interval: f64,
}

impl EpsilonLimits {
    /// `max_epsilon`.
    pub fn max_epsilon(&self) -> f64 {
        self.max_epsilon
    }
    /// `max_delta`.
    pub fn max_delta(&self) -> f64 {
        self.max_delta
    }
    /// `current_usage`.
    pub fn current_usage(&self) -> f64 {
        self.current_usage
    }
    /// `reset_interval`.
    pub fn reset_interval(&self) -> f64 {
        self.reset_interval
    }
}

/// The monotonic counters of a heartbeat (never decrease within a boot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counters {
    pub(crate) total_requests: u64,
    pub(crate) blocked_requests: u64,
    pub(crate) capability_failures: u64,
    pub(crate) plan_validations: u64,
    pub(crate) uptime_seconds: u64,
}

impl Counters {
    /// `(member name, value)` in payload order.
    pub fn named(&self) -> [(&'static str, u64); 5] {
        [
            ("total_requests", self.total_requests),
            ("blocked_requests", self.blocked_requests),
            ("capability_failures", self.capability_failures),
            ("plan_validations", self.plan_validations),
            ("uptime_seconds", self.uptime_seconds),
        ]
    }
}

/// The configuration a heartbeat reports: what the policy pins and the stream
/// `drift` check compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub(crate) policy_hash: Sha256Digest,
    pub(crate) zero_retention: bool,
    pub(crate) kernel_config_hash: Sha256Digest,
    pub(crate) version: String,
    pub(crate) tenant_isolation: bool,
    pub(crate) egress_firewall_enabled: bool,
    pub(crate) pii_detection_enabled: bool,
}

impl Config {
    /// `policy_hash`.
    pub fn policy_hash(&self) -> Sha256Digest {
        self.policy_hash
    }
    /// `zero_retention`.
    pub fn zero_retention(&self) -> bool {
        self.zero_retention
    }
    /// `version`.
    pub fn version(&self) -> &str {
        &self.version
    }
    /// `kernel_config_hash`.
    pub fn kernel_config_hash(&self) -> Sha256Digest {
        self.kernel_config_hash
    }

    /// `(member, value as JSON text)` of every member the stream `drift` check compares.
    pub fn compared(&self) -> [(&'static str, String); 7] {
        let b = |v: bool| if v { "true".to_string() } else { "false".to_string() };
        [
            ("policy_hash", self.policy_hash.to_hex()),
            ("zero_retention", b(self.zero_retention)),
            ("kernel_config_hash", self.kernel_config_hash.to_hex()),
            ("version", format!("{:?}", self.version)),
            ("tenant_isolation", b(self.tenant_isolation)),
            ("egress_firewall_enabled", b(self.egress_firewall_enabled)),
            ("pii_detection_enabled", b(self.pii_detection_enabled)),
        ]
    }
}

/// A parsed heartbeat payload. Opaque.
#[derive(Debug, Clone)]
pub struct Heartbeat {
    pub(crate) attestation_id: String,
    pub(crate) stream: String,
    pub(crate) boot_id: String,
    pub(crate) seq: u64,
    pub(crate) previous: Option<Sha256Digest>,
    pub(crate) timestamp: i64,
    pub(crate) interval_seconds: u64,
    pub(crate) config: Config,
    pub(crate) epsilon: EpsilonLimits,
    pub(crate) capability_keys: Vec<KeyId>,
    pub(crate) counters: Counters,
    /// SHA-256 of the payload bytes (what the next heartbeat's `previous` names).
    pub(crate) payload_hash: Sha256Digest,
}

impl Heartbeat {
    /// `attestation_id`.
    pub fn attestation_id(&self) -> &str {
        &self.attestation_id
    }
    /// `stream`.
    pub fn stream(&self) -> &str {
        &self.stream
    }
    /// `boot_id`.
    pub fn boot_id(&self) -> &str {
        &self.boot_id
    }
    /// `seq`.
    pub fn seq(&self) -> u64 {
        self.seq
    }
    /// `previous`.
    pub fn previous(&self) -> Option<Sha256Digest> {
        self.previous
    }
    /// `timestamp` (Unix seconds).
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }
    /// `interval_seconds`.
    pub fn interval_seconds(&self) -> u64 {
        self.interval_seconds
    }
    /// The reported configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }
    /// `epsilon_limits`.
    pub fn epsilon(&self) -> &EpsilonLimits {
        &self.epsilon
    }
    /// `capability_keys`.
    pub fn capability_keys(&self) -> &[KeyId] {
        &self.capability_keys
    }
    /// The counters.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }
    /// SHA-256 of the payload bytes.
    pub fn payload_hash(&self) -> Sha256Digest {
        self.payload_hash
    }
}

/// `[A-Za-z0-9._:/-]{1,128}`.
fn identifier(m: &Members<'_>, key: &str) -> DocResult<String> {
    let s = m.text(key)?;
    let ok = s.len() <= MAX_ID_CHARS
        && s.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b':' | b'/' | b'-'));
    if !ok {
        return err(m.path(key), "must match [A-Za-z0-9._:/-]{1,128}");
    }
    Ok(s.to_string())
}

/// A finite number ≥ 0 (integer or float).
fn non_negative_number(m: &Members<'_>, key: &str) -> DocResult<f64> {
    match m.req(key)? {
        Value::Number(Number::Int(n)) if *n >= 0 => Ok(*n as f64),
        Value::Number(Number::Float(f)) if f.is_finite() && *f >= 0.0 => Ok(*f),
        Value::Number(_) => err(m.path(key), Problem::BelowMinimum { min: 0 }),
        _ => err(m.path(key), Problem::JsonType { expected: "a number" }),
    }
}

/// Re-roots a parse error inside the payload at `$.payload`.
fn in_payload(e: DocumentError) -> DocumentError {
    let reroot = |p: &str| format!("$.payload{}", p.strip_prefix('$').unwrap_or(p));
    match e {
        DocumentError::Json(mut j) => {
            j.path = reroot(&j.path);
            DocumentError::Json(j)
        }
        DocumentError::Member { path, problem } => DocumentError::Member { path: reroot(&path), problem },
    }
}

/// Parses heartbeat payload bytes (strict UTF-8 JSON, unknown members
/// refused). Error paths are rooted at `$.payload`.
pub fn parse_heartbeat(payload: &[u8]) -> DocResult<Heartbeat> {
    let v = doc::parse_json(payload).map_err(in_payload)?;
    parse_heartbeat_value(&v, sha256(payload)).map_err(in_payload)
}

fn parse_heartbeat_value(v: &Value, payload_hash: Sha256Digest) -> DocResult<Heartbeat> {
    let m = Members::of(v, "$")?;
    m.expect_type(HEARTBEAT_TYPE)?;
    m.only(&PAYLOAD_MEMBERS)?;
    let attestation_id = m.text("attestation_id")?;
    if attestation_id.chars().count() > MAX_ID_CHARS {
        return err(m.path("attestation_id"), "longer than 128 characters");
    }
    let seq = m.uint("seq")?;
    let previous = match m.req("previous")? {
        Value::Null => None,
        Value::String(_) => Some(m.digest("previous")?),
        _ => return err(m.path("previous"), Problem::JsonType { expected: "a hex SHA-256 or null" }),
    };
    match (seq, previous) {
        (0, Some(_)) => return err(m.path("previous"), "must be null when seq is 0"),
        (1.., None) => return err(m.path("previous"), "must name the previous payload when seq is above 0"),
        _ => {}
    }
    let timestamp = m.uint("timestamp")?;
    let interval_seconds = m.uint("interval_seconds")?;
    if interval_seconds == 0 {
        return err(m.path("interval_seconds"), Problem::BelowMinimum { min: 1 });
    }
    let e = Members::of(m.req("epsilon_limits")?, "$.epsilon_limits")?;
    e.only(&EPSILON_MEMBERS)?;
    let epsilon = EpsilonLimits {
        max_epsilon: non_negative_number(&e, "max_epsilon")?,
        max_delta: non_negative_number(&e, "max_delta")?,
        current_usage: non_negative_number(&e, "current_usage")?,
        reset_interval: non_negative_number(&e, "reset_interval")?,
    };
    let version = m.text("version")?;
    let keys = m.array("capability_keys")?;
    let mut capability_keys = Vec::with_capacity(keys.len());
    for (i, k) in keys.iter().enumerate() {
        let path = format!("{}[{i}]", m.path("capability_keys"));
        match k {
            Value::String(s) => {
                capability_keys.push(KeyId::from_hex(s).map_err(|e| DocumentError::Member { path, problem: e.into() })?)
            }
            _ => return err(path, Problem::JsonType { expected: "a keyId string" }),
        }
    }
    Ok(Heartbeat {
        attestation_id: attestation_id.to_string(),
        stream: identifier(&m, "stream")?,
        boot_id: identifier(&m, "boot_id")?,
        seq,
        previous,
        timestamp: i64::try_from(timestamp).unwrap_or(i64::MAX),
        interval_seconds,
        config: Config {
            policy_hash: m.digest("policy_hash")?,
            zero_retention: m.bool("zero_retention")?,
            kernel_config_hash: m.digest("kernel_config_hash")?,
            version: version.to_string(),
            tenant_isolation: m.bool("tenant_isolation")?,
            egress_firewall_enabled: m.bool("egress_firewall_enabled")?,
            pii_detection_enabled: m.bool("pii_detection_enabled")?,
        },
        epsilon,
        capability_keys,
        counters: Counters {
            total_requests: m.uint("total_requests")?,
            blocked_requests: m.uint("blocked_requests")?,
            capability_failures: m.uint("capability_failures")?,
            plan_validations: m.uint("plan_validations")?,
            uptime_seconds: m.uint("uptime_seconds")?,
        },
        payload_hash,
    })
}

/// What a heartbeat policy pins (each member optional).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pinned {
    pub(crate) kernel_config_hash: Option<Sha256Digest>,
    pub(crate) version: Option<String>,
    pub(crate) tenant_isolation: Option<bool>,
    pub(crate) egress_firewall_enabled: Option<bool>,
    pub(crate) pii_detection_enabled: Option<bool>,
}

/// A heartbeat policy `attest.heartbeat-policy.v1` (local to the verifier, not signed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeartbeatPolicy {
    pub(crate) policy_hash: Sha256Digest,
    pub(crate) zero_retention: bool,
    pub(crate) pinned: Pinned,
    pub(crate) max_age_seconds: u64,
    pub(crate) max_skew_seconds: u64,
    pub(crate) max_gap_seconds: u64,
    pub(crate) submit_timeout_seconds: u64,
}

/// Default `max_age_seconds`.
pub const DEFAULT_MAX_AGE_SECONDS: u64 = 300;
/// Default `max_skew_seconds`.
pub const DEFAULT_MAX_SKEW_SECONDS: u64 = 60;
/// Default `max_gap_seconds`.
pub const DEFAULT_MAX_GAP_SECONDS: u64 = 120;
/// Default `submit_timeout_seconds`.
pub const DEFAULT_SUBMIT_TIMEOUT_SECONDS: u64 = 15;

/// The time windows used when no policy is given (the policy defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    /// `max_age_seconds`.
    pub max_age_seconds: u64,
    /// `max_skew_seconds`.
    pub max_skew_seconds: u64,
    /// `max_gap_seconds`.
    pub max_gap_seconds: u64,
    /// `submit_timeout_seconds`.
    pub submit_timeout_seconds: u64,
}

impl Default for Windows {
    fn default() -> Self {
        Self {
            max_age_seconds: DEFAULT_MAX_AGE_SECONDS,
            max_skew_seconds: DEFAULT_MAX_SKEW_SECONDS,
            max_gap_seconds: DEFAULT_MAX_GAP_SECONDS,
            submit_timeout_seconds: DEFAULT_SUBMIT_TIMEOUT_SECONDS,
        }
    }
}

impl HeartbeatPolicy {
    /// `policy_hash`.
    pub fn policy_hash(&self) -> Sha256Digest {
        self.policy_hash
    }
    /// `zero_retention`.
    pub fn zero_retention(&self) -> bool {
        self.zero_retention
    }
    /// The time windows.
    pub fn windows(&self) -> Windows {
        Windows {
            max_age_seconds: self.max_age_seconds,
            max_skew_seconds: self.max_skew_seconds,
            max_gap_seconds: self.max_gap_seconds,
            submit_timeout_seconds: self.submit_timeout_seconds,
        }
    }

    /// The first member of `config` that differs from what this policy
    /// requires: `(member, required, found)` as JSON text.
    pub fn mismatch(&self, config: &Config) -> Option<(&'static str, String, String)> {
        let b = |v: bool| if v { "true".to_string() } else { "false".to_string() };
        if config.zero_retention != self.zero_retention {
            return Some(("zero_retention", b(self.zero_retention), b(config.zero_retention)));
        }
        let p = &self.pinned;
        if let Some(h) = p.kernel_config_hash.filter(|h| *h != config.kernel_config_hash) {
            return Some(("kernel_config_hash", h.to_hex(), config.kernel_config_hash.to_hex()));
        }
        if let Some(v) = p.version.as_ref().filter(|v| **v != config.version) {
            return Some(("version", format!("{v:?}"), format!("{:?}", config.version)));
        }
        let flags = [
            ("tenant_isolation", p.tenant_isolation, config.tenant_isolation),
            ("egress_firewall_enabled", p.egress_firewall_enabled, config.egress_firewall_enabled),
            ("pii_detection_enabled", p.pii_detection_enabled, config.pii_detection_enabled),
        ];
        flags.into_iter().find_map(|(name, want, got)| want.filter(|w| *w != got).map(|w| (name, b(w), b(got))))
    }
}

/// Parses a heartbeat policy file (strict JSON, unknown members refused).
pub fn parse_heartbeat_policy(bytes: &[u8]) -> DocResult<HeartbeatPolicy> {
    let v = doc::parse_json(bytes)?;
    let m = Members::of(&v, "$")?;
    m.only(&[
        "type",
        "policy_hash",
        "zero_retention",
        "pinned",
        "max_age_seconds",
        "max_skew_seconds",
        "max_gap_seconds",
        "submit_timeout_seconds",
    ])?;
    m.expect_type(HEARTBEAT_POLICY_TYPE)?;
    let pinned = match m.opt("pinned") {
        None => Pinned::default(),
        Some(p) => {
            let p = Members::of(p, "$.pinned")?;
            p.only(&PINNABLE)?;
            let flag = |k: &str| if p.opt(k).is_some() { p.bool(k).map(Some) } else { Ok(None) };
            Pinned {
                kernel_config_hash: if p.opt("kernel_config_hash").is_some() {
                    Some(p.digest("kernel_config_hash")?)
                } else {
                    None
                },
                version: if p.opt("version").is_some() { Some(p.text("version")?.to_string()) } else { None },
                tenant_isolation: flag("tenant_isolation")?,
                egress_firewall_enabled: flag("egress_firewall_enabled")?,
                pii_detection_enabled: flag("pii_detection_enabled")?,
            }
        }
    };
    let seconds = |k: &str, default: u64| if m.opt(k).is_some() { m.uint(k) } else { Ok(default) };
    let max_gap_seconds = seconds("max_gap_seconds", DEFAULT_MAX_GAP_SECONDS)?;
    if max_gap_seconds == 0 {
        return err(m.path("max_gap_seconds"), Problem::BelowMinimum { min: 1 });
    }
    Ok(HeartbeatPolicy {
        policy_hash: m.digest("policy_hash")?,
        zero_retention: m.bool("zero_retention")?,
        pinned,
        max_age_seconds: seconds("max_age_seconds", DEFAULT_MAX_AGE_SECONDS)?,
        max_skew_seconds: seconds("max_skew_seconds", DEFAULT_MAX_SKEW_SECONDS)?,
        max_gap_seconds,
        submit_timeout_seconds: seconds("submit_timeout_seconds", DEFAULT_SUBMIT_TIMEOUT_SECONDS)?,
    })
}
