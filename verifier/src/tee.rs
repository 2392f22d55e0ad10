//! TEE-bound keys (formats.md §11, docs/spec.md §13): trust-root TEE
//! policies, the binding document `attest.tee-binding.v1` and the `tee`
//! check.
//!
//! The core stays free of any DCAP code. The quote's own verification —
//! Intel's certificate chain, CRLs, TCB info, QE identity and the quote's
//! signatures, at the binding's `boundAt` — is the [`QuoteVerifier`] the
//! caller hands in through [`crate::VerifyContext::tee`] (the
//! `attest-tee-verifier` crate implements it with `dcap-qvl`). It returns
//! [`QuoteFacts`] or a typed [`QuoteError`]; everything else is decided here:
//! the key named by the binding, its policy, TCB status, debug, measurements,
//! platform flags, `report_data` and the binding's age at the signed
//! document's time. A binding that passes is a [`Verified`]`<`[`TeeBinding`]`>`
//! (through [`verify_tee_binding`] or the registry) that no code outside this
//! crate can make.

use attest_json::Value;
use base64::Engine as _;
use sha2::{Digest as _, Sha256};

#[cfg(feature = "tee")]
use crate::batch::Pending;
use crate::doc::{self, err, DocResult, DocumentError, Members, Problem, Signed};
#[cfg(feature = "tee")]
use crate::evidence::VerifyContext;
use crate::reason::Reason;
#[cfg(feature = "tee")]
use crate::registry::Document;
use crate::report::CheckId;
#[cfg(feature = "tee")]
use crate::report::{Outcome, Plan, ReportBuilder};
use crate::time::Timestamp;
#[cfg(feature = "tee")]
use crate::trust_root::{KeyEntry, PublicKey, TrustRoot};
use crate::types::{EncodingError, KeyId, Sha256Digest};

/// Document type of a binding.
pub const TEE_BINDING_TYPE: &str = "attest.tee-binding.v1";

/// Domain of the key digest in `report_data`.
pub const KEY_BINDING_DOMAIN: &str = "attest.tee-key-binding.v1";

/// The checks of a binding verified on its own.
#[cfg(feature = "tee")]
pub const TEE_BINDING_PLAN: Plan = Plan {
    doc_type: TEE_BINDING_TYPE,
    checks: &[(CheckId::Parse, true), (CheckId::TrustRoot, true), (CheckId::Signer, true), (CheckId::Tee, true)],
};

/// The TEE platform of a policy, a binding and a quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TeePlatform {
    /// Intel TDX (a TD quote, v4 or v5).
    Tdx,
    /// Intel SGX (an enclave quote, v3).
    Sgx,
}

impl TeePlatform {
    /// `tdx` or `sgx`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TeePlatform::Tdx => "tdx",
            TeePlatform::Sgx => "sgx",
        }
    }

    /// Parses `tdx` or `sgx`.
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "tdx" => Some(TeePlatform::Tdx),
            "sgx" => Some(TeePlatform::Sgx),
            _ => None,
        }
    }
}

/// A PCK certificate platform flag a policy may allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlatformFlag {
    /// The platform can be extended with new packages (multi-package platforms).
    DynamicPlatform,
    /// The platform's keys are cached by Intel (platform registration with key caching).
    CachedKeys,
    /// Simultaneous multithreading is enabled.
    Smt,
}

impl PlatformFlag {
    /// Every flag.
    pub const ALL: &'static [PlatformFlag] =
        &[PlatformFlag::DynamicPlatform, PlatformFlag::CachedKeys, PlatformFlag::Smt];

    /// `dynamic-platform`, `cached-keys` or `smt`.
    pub const fn as_str(self) -> &'static str {
        match self {
            PlatformFlag::DynamicPlatform => "dynamic-platform",
            PlatformFlag::CachedKeys => "cached-keys",
            PlatformFlag::Smt => "smt",
        }
    }

    /// Parses a flag name.
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|f| f.as_str() == s)
    }
}

/// The TCB statuses a policy may accept (Intel's spelling). `Revoked` is
/// never acceptable (the quote verifier refuses it).
pub const TCB_STATUSES: &[&str] = &[
    "UpToDate",
    "SWHardeningNeeded",
    "ConfigurationNeeded",
    "ConfigurationAndSWHardeningNeeded",
    "OutOfDate",
    "OutOfDateConfigurationNeeded",
    "TDRelaunchAdvised",
    "TDRelaunchAdvisedConfigurationNeeded",
];

/// The TDX measurements a policy pins (absent: not checked).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TdxMeasurements {
    mrtd: Option<[u8; 48]>,
    rtmr: [Option<[u8; 48]>; 4],
}

/// The SGX identity a policy pins (absent: not checked).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SgxMeasurements {
    mrenclave: Option<[u8; 32]>,
    mrsigner: Option<[u8; 32]>,
    isv_prod_id: Option<u16>,
    min_isv_svn: Option<u16>,
}

/// The measurements of a policy, for its platform.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyMeasurements {
    /// `tdx`: MRTD and RTMR0–3.
    Tdx(TdxMeasurements),
    /// `sgx`: MRENCLAVE, MRSIGNER, ISVPRODID, minimum ISVSVN.
    Sgx(SgxMeasurements),
}

/// One entry of a trust root's `teePolicies`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeePolicy {
    name: String,
    measurements: PolicyMeasurements,
    allowed_tcb_status: Vec<String>,
    allow_debug: bool,
    allow_platform_flags: Vec<PlatformFlag>,
    max_binding_age_seconds: u64,
}

impl TeePolicy {
    /// The policy's name (a key's `tee.policy`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The platform.
    pub fn platform(&self) -> TeePlatform {
        match self.measurements {
            PolicyMeasurements::Tdx(_) => TeePlatform::Tdx,
            PolicyMeasurements::Sgx(_) => TeePlatform::Sgx,
        }
    }

    /// The pinned measurements.
    pub fn measurements(&self) -> &PolicyMeasurements {
        &self.measurements
    }

    /// The accepted TCB statuses.
    pub fn allowed_tcb_status(&self) -> &[String] {
        &self.allowed_tcb_status
    }

    /// Whether debug TDs / enclaves are accepted.
    pub fn allow_debug(&self) -> bool {
        self.allow_debug
    }

    /// The platform flags accepted.
    pub fn allow_platform_flags(&self) -> &[PlatformFlag] {
        &self.allow_platform_flags
    }

    /// How long after `boundAt` a signed document may be dated.
    pub fn max_binding_age_seconds(&self) -> u64 {
        self.max_binding_age_seconds
    }
}

const POLICY_MEMBERS: &[&str] =
    &["name", "platform", "tdx", "sgx", "allowedTcbStatus", "allowDebug", "allowPlatformFlags", "maxBindingAgeSeconds"];

fn hex_member<const N: usize>(m: &Members<'_>, key: &str) -> DocResult<Option<[u8; N]>> {
    m.opt_parse_str(key, crate::types::decode_lower_hex::<N>)
}

/// Parses one `teePolicies` entry (formats.md §11).
#[cfg_attr(not(feature = "tee"), allow(dead_code))]
pub(crate) fn parse_policy(v: &Value, path: &str) -> DocResult<TeePolicy> {
    let m = Members::of(v, path)?;
    m.only(POLICY_MEMBERS)?;
    let name = m.text("name")?.to_string();
    let platform_name = m.str("platform")?;
    let platform = TeePlatform::from_name(platform_name).ok_or_else(|| DocumentError::Member {
        path: m.path("platform"),
        problem: Problem::UnknownValue { found: platform_name.to_string(), expected: "tdx or sgx" },
    })?;
    let (own, other) = match platform {
        TeePlatform::Tdx => ("tdx", "sgx"),
        TeePlatform::Sgx => ("sgx", "tdx"),
    };
    if m.opt(other).is_some() {
        return err(m.path(other), Problem::Rule("a policy carries the measurements of its own platform only"));
    }
    let op = m.path(own);
    let o = Members::of(m.req(own)?, &op)?;
    let measurements = match platform {
        TeePlatform::Tdx => {
            o.only(&["mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3"])?;
            PolicyMeasurements::Tdx(TdxMeasurements {
                mrtd: hex_member::<48>(&o, "mrtd")?,
                rtmr: [
                    hex_member::<48>(&o, "rtmr0")?,
                    hex_member::<48>(&o, "rtmr1")?,
                    hex_member::<48>(&o, "rtmr2")?,
                    hex_member::<48>(&o, "rtmr3")?,
                ],
            })
        }
        TeePlatform::Sgx => {
            o.only(&["mrenclave", "mrsigner", "isvProdId", "minIsvSvn"])?;
            let small = |key: &str| -> DocResult<Option<u16>> {
                match o.opt(key) {
                    None => Ok(None),
                    Some(_) => {
                        let n = o.uint(key)?;
                        u16::try_from(n).map(Some).map_err(|_| DocumentError::Member {
                            path: o.path(key),
                            problem: Problem::Rule("must be at most 65535"),
                        })
                    }
                }
            };
            PolicyMeasurements::Sgx(SgxMeasurements {
                mrenclave: hex_member::<32>(&o, "mrenclave")?,
                mrsigner: hex_member::<32>(&o, "mrsigner")?,
                isv_prod_id: small("isvProdId")?,
                min_isv_svn: small("minIsvSvn")?,
            })
        }
    };
    let sp = m.path("allowedTcbStatus");
    let mut allowed_tcb_status: Vec<String> = Vec::new();
    for (i, s) in m.array("allowedTcbStatus")?.iter().enumerate() {
        let Value::String(s) = s else {
            return err(format!("{sp}[{i}]"), Problem::JsonType { expected: "a TCB status" });
        };
        if !TCB_STATUSES.contains(&s.as_str()) {
            return err(
                format!("{sp}[{i}]"),
                Problem::UnknownValue { found: s.clone(), expected: "an Intel TCB status other than Revoked" },
            );
        }
        if allowed_tcb_status.contains(s) {
            return err(format!("{sp}[{i}]"), Problem::Duplicate { what: "TCB status" });
        }
        allowed_tcb_status.push(s.clone());
    }
    if allowed_tcb_status.is_empty() {
        return err(sp, Problem::EmptyList { what: "TCB status" });
    }
    let allow_debug = if m.opt("allowDebug").is_some() { m.bool("allowDebug")? } else { false };
    let mut allow_platform_flags = Vec::new();
    if m.opt("allowPlatformFlags").is_some() {
        let fp = m.path("allowPlatformFlags");
        for (i, f) in m.array("allowPlatformFlags")?.iter().enumerate() {
            let Value::String(f) = f else {
                return err(format!("{fp}[{i}]"), Problem::JsonType { expected: "a platform flag" });
            };
            let flag = PlatformFlag::from_name(f).ok_or_else(|| DocumentError::Member {
                path: format!("{fp}[{i}]"),
                problem: Problem::UnknownValue { found: f.clone(), expected: "dynamic-platform, cached-keys or smt" },
            })?;
            if allow_platform_flags.contains(&flag) {
                return err(format!("{fp}[{i}]"), Problem::Duplicate { what: "platform flag" });
            }
            allow_platform_flags.push(flag);
        }
    }
    let max_binding_age_seconds = m.uint("maxBindingAgeSeconds")?;
    if max_binding_age_seconds == 0 {
        return err(m.path("maxBindingAgeSeconds"), Problem::BelowMinimum { min: 1 });
    }
    Ok(TeePolicy { name, measurements, allowed_tcb_status, allow_debug, allow_platform_flags, max_binding_age_seconds })
}

/// `report_data` of a binding: `SHA-256(utf8("attest.tee-key-binding.v1") ‖
/// 0x00 ‖ public key bytes) ‖ (nonce or 32 zero bytes)`.
pub fn expected_report_data(public_key: &[u8], nonce: Option<&[u8; 32]>) -> [u8; 64] {
    let mut h = Sha256::new();
    h.update(KEY_BINDING_DOMAIN.as_bytes());
    h.update([0u8]);
    h.update(public_key);
    let d: [u8; 32] = h.finalize().into();
    let mut out = [0u8; 64];
    let (a, b) = out.split_at_mut(32);
    a.copy_from_slice(&d);
    if let Some(n) = nonce {
        b.copy_from_slice(n);
    }
    out
}

/// A parsed `attest.tee-binding.v1` document.
#[derive(Debug, Clone)]
pub struct TeeBinding {
    key_id: KeyId,
    public_key: Vec<u8>,
    platform: TeePlatform,
    bound_at: Timestamp,
    quote: Vec<u8>,
    collateral: Value,
    nonce: Option<[u8; 32]>,
    signed: Signed,
    /// Set by verification: the policy and the quote verifier's root.
    policy: Option<String>,
    tcb_status: Option<String>,
    root: Option<String>,
    max_age: u64,
}

impl TeeBinding {
    /// The bound key's id.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }
    /// The bound key's raw bytes (32 Ed25519 or 33 compressed secp256k1).
    pub fn public_key(&self) -> &[u8] {
        &self.public_key
    }
    /// The platform.
    pub fn platform(&self) -> TeePlatform {
        self.platform
    }
    /// When the quote was taken: the time its collateral is checked at.
    pub fn bound_at(&self) -> Timestamp {
        self.bound_at
    }
    /// The raw DCAP quote.
    pub fn quote(&self) -> &[u8] {
        &self.quote
    }
    /// The collateral (the PCCS `QuoteCollateralV3` JSON object).
    pub fn collateral(&self) -> &Value {
        &self.collateral
    }
    /// The nonce in the second half of `report_data`, if any.
    pub fn nonce(&self) -> Option<&[u8; 32]> {
        self.nonce.as_ref()
    }
    /// `digest(binding)`.
    pub fn digest(&self) -> Sha256Digest {
        self.signed.digest()
    }
    /// The `report_data` this binding requires.
    pub fn expected_report_data(&self) -> [u8; 64] {
        expected_report_data(&self.public_key, self.nonce.as_ref())
    }
    /// The policy it verified under (set on verified bindings).
    pub fn policy(&self) -> Option<&str> {
        self.policy.as_deref()
    }
    /// The quote's TCB status at `boundAt` (set on verified bindings).
    pub fn tcb_status(&self) -> Option<&str> {
        self.tcb_status.as_deref()
    }
    /// The root the quote chained to, as the quote verifier names it (set on verified bindings).
    pub fn root(&self) -> Option<&str> {
        self.root.as_deref()
    }
    /// The latest document time the binding vouches for: `boundAt + maxBindingAgeSeconds`.
    pub fn valid_until(&self) -> Timestamp {
        self.bound_at.plus_seconds(self.max_age)
    }
}

const BINDING_MEMBERS: &[&str] = &["type", "keyId", "publicKey", "platform", "boundAt", "quote", "collateral", "nonce"];

fn decode_hex_vec(s: &str) -> Result<Vec<u8>, EncodingError> {
    match s.len() {
        64 => crate::types::decode_lower_hex::<32>(s).map(|b| b.to_vec()),
        66 => crate::types::decode_lower_hex::<33>(s).map(|b| b.to_vec()),
        _ => crate::types::decode_lower_hex::<32>(s).map(|b| b.to_vec()),
    }
}

/// Parses a binding from bytes.
pub fn parse_tee_binding(bytes: &[u8]) -> DocResult<TeeBinding> {
    parse_tee_binding_value(&doc::parse_json(bytes)?)
}

/// Parses a binding from a JSON value.
pub fn parse_tee_binding_value(v: &Value) -> DocResult<TeeBinding> {
    let m = Members::of(v, "$")?;
    m.expect_type(TEE_BINDING_TYPE)?;
    m.only(BINDING_MEMBERS)?;
    let key_id = m.parse_str("keyId", KeyId::from_hex)?;
    let public_key = m.parse_str("publicKey", decode_hex_vec)?;
    if KeyId::of_key_bytes(&public_key) != key_id {
        return err(m.path("keyId"), Problem::KeyIdMismatch);
    }
    let pn = m.str("platform")?;
    let platform = TeePlatform::from_name(pn).ok_or_else(|| DocumentError::Member {
        path: m.path("platform"),
        problem: Problem::UnknownValue { found: pn.to_string(), expected: "tdx or sgx" },
    })?;
    let bound_at = m.time("boundAt")?;
    let quote = m.parse_str("quote", |s| {
        base64::engine::general_purpose::STANDARD.decode(s).map_err(|_| "not padded standard base64")
    })?;
    if quote.is_empty() {
        return err(m.path("quote"), Problem::Empty);
    }
    let collateral_value = m.req("collateral")?;
    if !matches!(collateral_value, Value::Object(_)) {
        return err(m.path("collateral"), Problem::JsonType { expected: "an object (PCCS collateral)" });
    }
    let collateral = collateral_value.clone();
    let nonce = match m.opt("nonce") {
        None | Some(Value::Null) => None,
        Some(_) => Some(m.parse_str("nonce", crate::types::decode_lower_hex::<32>)?),
    };
    let Value::Object(obj) = v else {
        return err("$", Problem::JsonType { expected: "an object" });
    };
    Ok(TeeBinding {
        key_id,
        public_key,
        platform,
        bound_at,
        quote,
        collateral,
        nonce,
        signed: Signed::of(TEE_BINDING_TYPE, obj),
        policy: None,
        tcb_status: None,
        root: None,
        max_age: 0,
    })
}

/// The measurements a quote reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum QuoteMeasurements {
    /// A TD report body.
    Tdx {
        /// MRTD.
        mrtd: [u8; 48],
        /// RTMR0–3.
        rtmr: [[u8; 48]; 4],
    },
    /// An SGX enclave report body.
    Sgx {
        /// MRENCLAVE.
        mrenclave: [u8; 32],
        /// MRSIGNER.
        mrsigner: [u8; 32],
        /// ISVPRODID.
        isv_prod_id: u16,
        /// ISVSVN.
        isv_svn: u16,
    },
}

impl QuoteMeasurements {
    /// The platform of this report body.
    pub fn platform(&self) -> TeePlatform {
        match self {
            QuoteMeasurements::Tdx { .. } => TeePlatform::Tdx,
            QuoteMeasurements::Sgx { .. } => TeePlatform::Sgx,
        }
    }
}

/// What a quote verifier found in a quote whose signatures and collateral verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteFacts {
    tcb_status: String,
    advisory_ids: Vec<String>,
    debug: bool,
    report_data: [u8; 64],
    measurements: QuoteMeasurements,
    flags: Vec<PlatformFlag>,
}

impl QuoteFacts {
    /// Facts of a verified quote: its converged TCB status (Intel's spelling)
    /// and advisories, whether the TD/enclave is in debug mode, its
    /// `report_data`, measurements and the PCK platform flags that are set.
    pub fn new(
        tcb_status: String,
        advisory_ids: Vec<String>,
        debug: bool,
        report_data: [u8; 64],
        measurements: QuoteMeasurements,
        flags: Vec<PlatformFlag>,
    ) -> Self {
        Self { tcb_status, advisory_ids, debug, report_data, measurements, flags }
    }
    /// Converged TCB status.
    pub fn tcb_status(&self) -> &str {
        &self.tcb_status
    }
    /// Advisory ids.
    pub fn advisory_ids(&self) -> &[String] {
        &self.advisory_ids
    }
    /// Debug mode.
    pub fn debug(&self) -> bool {
        self.debug
    }
    /// The 64 bytes of `report_data`.
    pub fn report_data(&self) -> &[u8; 64] {
        &self.report_data
    }
    /// The measurements.
    pub fn measurements(&self) -> &QuoteMeasurements {
        &self.measurements
    }
    /// The PCK platform flags that are set.
    pub fn flags(&self) -> &[PlatformFlag] {
        &self.flags
    }
}

/// Why a quote did not verify (the quote verifier maps its own errors here).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QuoteError {
    /// The quote cannot be decoded, or has an unsupported version, vendor or key type.
    #[error("malformed quote: {0}")]
    MalformedQuote(String),
    /// The collateral cannot be read (JSON, PEM, hex, CRL, TCB info, QE identity).
    #[error("malformed collateral: {0}")]
    MalformedCollateral(String),
    /// A collateral item is issued after the time checked (`boundAt`).
    #[error("collateral not yet valid at the binding time: {0}")]
    CollateralNotYetValid(String),
    /// A collateral item's `nextUpdate` (or a certificate's `notAfter`) lies before the time checked.
    #[error("collateral expired at the binding time: {0}")]
    CollateralExpired(String),
    /// The QE report's or the TD/enclave report's signature, or the QE report hash, does not verify.
    #[error("quote signature: {0}")]
    BadQuoteSignature(String),
    /// A certificate chain, CRL, TCB info or QE identity signature does not chain to the root.
    #[error("collateral signature: {0}")]
    BadCollateralSignature(String),
    /// A certificate is revoked, or the platform's TCB is `Revoked`.
    #[error("revoked: {0}")]
    Revoked(String),
    /// No TCB level of the TCB info (or QE identity) matches the quote.
    #[error("no matching TCB level: {0}")]
    NoTcbLevel(String),
    /// The TD attributes refuse it (migratable, service TD, SEPT_VE not disabled, reserved bits).
    #[error("refused TD attributes: {0}")]
    Attributes(String),
    /// The quote verifier is not available in this build.
    #[error("no quote verifier: {0}")]
    Unavailable(String),
}

#[cfg(feature = "tee")]
impl QuoteError {
    /// The stable reason code.
    pub fn reason(&self) -> Reason {
        match self {
            QuoteError::MalformedQuote(_) => Reason::MalformedQuote,
            QuoteError::MalformedCollateral(_) => Reason::MalformedCollateral,
            QuoteError::CollateralNotYetValid(_) => Reason::CollateralNotYetValid,
            QuoteError::CollateralExpired(_) => Reason::CollateralExpired,
            QuoteError::BadQuoteSignature(_) => Reason::BadQuoteSignature,
            QuoteError::BadCollateralSignature(_) => Reason::BadCollateralSignature,
            QuoteError::Revoked(_) => Reason::TeeRevoked,
            QuoteError::NoTcbLevel(_) => Reason::NoTcbLevel,
            QuoteError::Attributes(_) => Reason::TeeAttributes,
            QuoteError::Unavailable(_) => Reason::TeeUnavailable,
        }
    }
}

/// Offline DCAP quote verification, supplied by the caller (the core has no
/// DCAP code). It must verify the quote and collateral at `at_unix` and
/// refuse nothing the facts carry (debug, TCB status short of `Revoked`,
/// platform flags): those are the policy's, decided by the core.
pub trait QuoteVerifier: core::fmt::Debug + Send + Sync {
    /// Verifies `quote` with `collateral` (the PCCS `QuoteCollateralV3` JSON
    /// object, strictly parsed) at `at_unix` (Unix seconds).
    fn verify_quote(&self, quote: &[u8], collateral: &Value, at_unix: u64) -> Result<QuoteFacts, QuoteError>;

    /// The root the quotes must chain to, for the check's detail ("Intel SGX
    /// Root CA", or a test root given with `--tee-root-ca`).
    fn root_description(&self) -> String;
}

/// A failed binding: the check it fails, its reason and detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingFailure {
    /// `signer` (the key) or `tee`.
    pub check: CheckId,
    /// The reason.
    pub reason: Reason,
    /// The detail.
    pub detail: String,
}

#[cfg(feature = "tee")]
fn fail(check: CheckId, reason: Reason, detail: String) -> BindingFailure {
    BindingFailure { check, reason, detail }
}

#[cfg(feature = "tee")]
/// The key entry a binding names: in the trust root, not revoked, its public
/// key the binding's, and carrying a `tee` policy (the `signer` part).
fn binding_key<'r>(b: &TeeBinding, root: &'r TrustRoot) -> Result<(&'r KeyEntry, &'r TeePolicy), BindingFailure> {
    let Some(entry) = root.key(&b.key_id) else {
        return Err(fail(
            CheckId::Signer,
            Reason::UnknownKey,
            format!("key {} is not in trust root version {}", b.key_id, root.version()),
        ));
    };
    let raw: &[u8] = match entry.public_key() {
        PublicKey::Ed25519(k) => k.public_key().as_bytes(),
        PublicKey::Secp256k1 { key, .. } => key.as_bytes(),
    };
    if raw != b.public_key.as_slice() {
        return Err(fail(
            CheckId::Signer,
            Reason::KeyIdMismatch,
            format!("publicKey is not the key {} of the trust root", b.key_id),
        ));
    }
    if entry.revoked() {
        return Err(fail(CheckId::Signer, Reason::KeyRevoked, format!("key {} is revoked", b.key_id)));
    }
    let Some(name) = entry.tee_policy() else {
        return Err(fail(
            CheckId::Signer,
            Reason::NoTeePolicy,
            format!("key {} has no `tee` member in trust root version {}", b.key_id, root.version()),
        ));
    };
    match root.tee_policy(name) {
        Some(p) => Ok((entry, p)),
        // The parser refuses a key naming an absent policy.
        None => Err(fail(CheckId::Signer, Reason::NoTeePolicy, format!("no TEE policy {name:?}"))),
    }
}

#[cfg(feature = "tee")]
fn hex(b: &[u8]) -> String {
    crate::types::to_lower_hex(b)
}

#[cfg(feature = "tee")]
/// The `tee` check of a binding against its key's policy, with `qv` verifying
/// the quote at `boundAt`. On success the binding carries its policy, TCB
/// status and root; the detail names them.
pub fn check_binding(
    mut b: TeeBinding,
    root: &TrustRoot,
    qv: &dyn QuoteVerifier,
) -> Result<(TeeBinding, String), BindingFailure> {
    let (_, policy) = binding_key(&b, root)?;
    let tee = |reason, detail| fail(CheckId::Tee, reason, detail);
    if policy.platform() != b.platform {
        return Err(tee(
            Reason::PlatformMismatch,
            format!(
                "binding platform {} but policy {:?} is for {}",
                b.platform.as_str(),
                policy.name,
                policy.platform().as_str()
            ),
        ));
    }
    let at = u64::try_from(b.bound_at.unix_seconds()).unwrap_or(0);
    let facts = qv
        .verify_quote(&b.quote, &b.collateral, at)
        .map_err(|e| tee(e.reason(), format!("{e} (at boundAt {}, under {})", b.bound_at, qv.root_description())))?;
    if facts.measurements.platform() != b.platform {
        return Err(tee(
            Reason::PlatformMismatch,
            format!(
                "binding platform {} but the quote is {}",
                b.platform.as_str(),
                facts.measurements.platform().as_str()
            ),
        ));
    }
    if !policy.allowed_tcb_status.iter().any(|s| s == &facts.tcb_status) {
        return Err(tee(
            Reason::TcbStatus,
            format!(
                "TCB status {} at boundAt {} (advisories: {}) is not in allowedTcbStatus [{}] of policy {:?}",
                facts.tcb_status,
                b.bound_at,
                if facts.advisory_ids.is_empty() { "none".to_string() } else { facts.advisory_ids.join(", ") },
                policy.allowed_tcb_status.join(", "),
                policy.name
            ),
        ));
    }
    if facts.debug && !policy.allow_debug {
        return Err(tee(
            Reason::TeeDebug,
            format!("the quoted TD/enclave is in debug mode; policy {:?} does not allow debug", policy.name),
        ));
    }
    check_measurements(&policy.measurements, &facts.measurements).map_err(|d| tee(Reason::MeasurementMismatch, d))?;
    if let Some(f) = facts.flags.iter().find(|f| !policy.allow_platform_flags.contains(f)) {
        return Err(tee(
            Reason::PlatformFlag,
            format!("the PCK certificate sets {} and policy {:?} does not allow it", f.as_str(), policy.name),
        ));
    }
    let want = b.expected_report_data();
    if facts.report_data != want {
        return Err(tee(
            Reason::ReportDataMismatch,
            format!(
                "quote report_data {} is not SHA-256(\"{KEY_BINDING_DOMAIN}\" ‖ 0x00 ‖ key {}) ‖ {} = {}",
                hex(&facts.report_data),
                b.key_id,
                if b.nonce.is_some() { "nonce" } else { "32 zero bytes" },
                hex(&want)
            ),
        ));
    }
    let root_name = qv.root_description();
    let detail = format!(
        "key {} bound in {} at {} under {}: TCB {} allowed by policy {:?}, report_data binds the key{}",
        b.key_id,
        b.platform.as_str(),
        b.bound_at,
        root_name,
        facts.tcb_status,
        policy.name,
        if b.nonce.is_some() { " and the nonce" } else { " (no nonce: no freshness)" }
    );
    b.max_age = policy.max_binding_age_seconds;
    b.policy = Some(policy.name.clone());
    b.tcb_status = Some(facts.tcb_status);
    b.root = Some(root_name);
    Ok((b, detail))
}

#[cfg(feature = "tee")]
fn check_measurements(p: &PolicyMeasurements, q: &QuoteMeasurements) -> Result<(), String> {
    let eq48 = |name: &str, want: &Option<[u8; 48]>, got: &[u8; 48]| match want {
        Some(w) if w != got => Err(format!("{name} is {}, the policy pins {}", hex(got), hex(w))),
        _ => Ok(()),
    };
    match (p, q) {
        (PolicyMeasurements::Tdx(t), QuoteMeasurements::Tdx { mrtd, rtmr }) => {
            eq48("mrtd", &t.mrtd, mrtd)?;
            for (i, (want, got)) in t.rtmr.iter().zip(rtmr.iter()).enumerate() {
                eq48(&format!("rtmr{i}"), want, got)?;
            }
            Ok(())
        }
        (PolicyMeasurements::Sgx(s), QuoteMeasurements::Sgx { mrenclave, mrsigner, isv_prod_id, isv_svn }) => {
            if let Some(w) = &s.mrenclave {
                if w != mrenclave {
                    return Err(format!("mrenclave is {}, the policy pins {}", hex(mrenclave), hex(w)));
                }
            }
            if let Some(w) = &s.mrsigner {
                if w != mrsigner {
                    return Err(format!("mrsigner is {}, the policy pins {}", hex(mrsigner), hex(w)));
                }
            }
            if let Some(w) = s.isv_prod_id {
                if w != *isv_prod_id {
                    return Err(format!("isvProdId is {isv_prod_id}, the policy pins {w}"));
                }
            }
            if let Some(w) = s.min_isv_svn {
                if *isv_svn < w {
                    return Err(format!("isvSvn {isv_svn} is below the policy's minIsvSvn {w}"));
                }
            }
            Ok(())
        }
        _ => Err("the quote's platform is not the policy's".to_string()),
    }
}

/// At most this many bindings of one key are looked at for one document,
/// from the evidence and as many from the context's [`BindingSource`]:
/// bounded work per document.
pub const MAX_BINDINGS_TRIED: usize = 64;

/// Bindings a verifier keeps beside the evidence of one document (a ledger:
/// every binding it logged), asked for those of one key.
pub trait BindingSource: core::fmt::Debug + Send + Sync {
    /// Bindings of `key` (parsed once, when they were kept) that may vouch
    /// for a document dated `t`, in the order to try them; the core looks at
    /// the first [`MAX_BINDINGS_TRIED`]. A ledger answers those with `boundAt
    /// ≤ t`, newest first: the first is then covering whenever any is
    /// (`t − maxBindingAgeSeconds ≤ boundAt ≤ t`).
    fn bindings_for(&self, key: KeyId, t: Timestamp) -> Vec<std::sync::Arc<TeeBinding>>;
}

/// The `tee` check of a document signed by `entry` at time `t`: a binding
/// for that key must verify and vouch for `t` (`[boundAt, boundAt +
/// maxBindingAgeSeconds]`). The bindings given with the document come
/// first, then the context's [`BindingSource`]; those whose window holds
/// `t` are tried in order until one verifies; with none, the first binding
/// decides (its failure, else `binding-age`). Records `tee` (planned by the
/// caller) and returns whether it passed.
#[cfg(feature = "tee")]
pub(crate) fn check_signed_document(
    r: &mut ReportBuilder,
    ctx: &VerifyContext<'_>,
    root: &TrustRoot,
    key_id: KeyId,
    member: &str,
    t: Timestamp,
) -> bool {
    let result = signed_document_tee(ctx, root, key_id, member, t);
    match result {
        Ok(detail) => {
            r.pass(CheckId::Tee, detail);
            true
        }
        Err((reason, detail)) => {
            r.fail(CheckId::Tee, reason, detail);
            false
        }
    }
}

#[cfg(feature = "tee")]
fn signed_document_tee(
    ctx: &VerifyContext<'_>,
    root: &TrustRoot,
    key_id: KeyId,
    member: &str,
    t: Timestamp,
) -> Result<String, (Reason, String)> {
    // The bindings for this key: those given with the document (`--tee-binding`,
    // "binding #i"), then those the verifier keeps (a ledger's logged ones,
    // "logged binding #j"), each list in its order.
    // At most MAX_BINDINGS_TRIED of each: given ones cannot hide kept ones.
    let given = ctx.evidence.tee_bindings.iter().enumerate().filter_map(|(i, bytes)| {
        // A binding that does not parse is named when it is for no key.
        parse_tee_binding(bytes)
            .ok()
            .filter(|b| b.key_id == key_id)
            .map(|b| (format!("binding #{i}"), std::sync::Arc::new(b)))
    });
    let kept = ctx.tee_bindings.map(|s| s.bindings_for(key_id, t)).unwrap_or_default();
    let kept = kept
        .into_iter()
        .filter(|b| b.key_id == key_id)
        .take(MAX_BINDINGS_TRIED)
        .enumerate()
        .map(|(j, b)| (format!("logged binding #{j}"), b));
    let candidates: Vec<(String, std::sync::Arc<TeeBinding>)> = given.take(MAX_BINDINGS_TRIED).chain(kept).collect();
    if candidates.is_empty() {
        let unreadable = ctx.evidence.tee_bindings.iter().filter(|b| parse_tee_binding(b).is_err()).count();
        return Err((
            Reason::TeeBindingMissing,
            format!(
                "key {key_id} is TEE-bound (its trust-root entry has `tee`) and no binding for it was given (--tee-binding){}{}",
                if ctx.tee_bindings.is_some() { " or is kept for its time" } else { "" },
                if unreadable > 0 { format!("; {unreadable} given binding(s) are not well-formed") } else { String::new() }
            ),
        ));
    }
    let Some(qv) = ctx.tee else {
        return Err((
            Reason::TeeUnavailable,
            "no quote verifier in this build: TEE bindings cannot be checked".to_string(),
        ));
    };
    // Bindings whose window [boundAt, boundAt + maxBindingAgeSeconds] holds
    // `t` are tried first, in order, until one verifies: a binding that does
    // not verify (a forged copy, a stale quote) cannot knock out a good one.
    // Without one, the first binding decides: its own failure, else its age.
    let max_age =
        candidates.first().and_then(|(_, b)| binding_key(b, root).ok()).map(|(_, p)| p.max_binding_age_seconds);
    // (All candidates are for one key, so one policy: when the key is not
    // usable, none covers and the first one reports why.)
    let covers = |b: &TeeBinding| max_age.is_some_and(|a| t >= b.bound_at && t <= b.bound_at.plus_seconds(a));
    let mut first_failure = None;
    for (label, b) in candidates.iter().filter(|(_, b)| covers(b)) {
        // Copied only when tried (normally the first covering one passes).
        match check_binding(TeeBinding::clone(b), root, qv) {
            Ok((b, detail)) => {
                let by = if label == "binding #0" { String::new() } else { format!(" ({label})") };
                return Ok(format!("{detail}; {member} {t} within [{}, {}]{by}", b.bound_at, b.valid_until()));
            }
            Err(f) => {
                if first_failure.is_none() {
                    first_failure = Some((f.reason, format!("{label}: {}", f.detail)));
                }
            }
        }
    }
    if let Some(f) = first_failure {
        return Err(f);
    }
    let n = candidates.len();
    let Some((label, b)) = candidates.into_iter().next() else {
        return Err((Reason::TeeBindingMissing, format!("no binding for key {key_id}")));
    };
    let (b, _) =
        check_binding(TeeBinding::clone(&b), root, qv).map_err(|f| (f.reason, format!("{label}: {}", f.detail)))?;
    Err((
        Reason::BindingAge,
        format!(
            "{member} {t} lies outside the binding's window [{}, {}] (boundAt + maxBindingAgeSeconds){}",
            b.bound_at,
            b.valid_until(),
            if n > 1 {
                format!("; none of the {n} bindings for the key covers it ({label} shown)")
            } else {
                String::new()
            }
        ),
    ))
}

/// Verifies a binding on its own against the context's trust root and quote
/// verifier: `parse`, `trust-root`, `signer` (the key is in the trust root
/// with a `tee` policy) and `tee` (the quote at `boundAt`, the policy, and
/// `now` within `[boundAt, boundAt + maxBindingAgeSeconds]`).
#[cfg(feature = "tee")]
pub fn verify_tee_binding(bytes: &[u8], ctx: &VerifyContext<'_>) -> Outcome<TeeBinding> {
    let pending = match doc::parse_json(bytes) {
        Ok(v) => verify_value(&v, ctx),
        Err(e) => Pending::parse_failure(TEE_BINDING_PLAN, &e),
    };
    let mut pending = pending;
    pending.single(ctx);
    let (report, document) = pending.finish_parts();
    let binding = match document {
        Some(Document::TeeBinding(b)) => Some(b),
        _ => None,
    };
    Outcome::new(report, binding)
}

/// The registry entry's verification of a binding subject.
#[cfg(feature = "tee")]
pub(crate) fn verify_value(value: &Value, ctx: &VerifyContext<'_>) -> Pending {
    let mut r = ReportBuilder::new(TEE_BINDING_PLAN);
    let b = match parse_tee_binding_value(value) {
        Ok(b) => b,
        Err(e) => return Pending::from_document_error(r, &e),
    };
    r.digest(b.digest());
    r.pass(
        CheckId::Parse,
        format!(
            "well-formed {TEE_BINDING_TYPE} for key {} ({}, boundAt {})",
            b.key_id,
            b.platform.as_str(),
            b.bound_at
        ),
    );
    let Some(chain) = ctx.chain_or_halt(&mut r) else { return Pending::new(r, None, None) };
    let root = chain.newest();
    r.pass(CheckId::TrustRoot, format!("newest trust root version {}", root.version()));
    if ctx.refuse_future(&mut r, "boundAt", b.bound_at) {
        r.skip(CheckId::Tee, "not checked: `signer` failed");
        return Pending::new(r, None, None);
    }
    match binding_key(&b, root) {
        Ok((_, p)) => {
            r.pass(CheckId::Signer, format!("key {} is in the trust root with TEE policy {:?}", b.key_id, p.name))
        }
        Err(f) => {
            r.fail(f.check, f.reason, f.detail);
            r.skip(CheckId::Tee, "not checked: `signer` failed");
            return Pending::new(r, None, None);
        }
    }
    let Some(qv) = ctx.tee else {
        r.fail(CheckId::Tee, Reason::TeeUnavailable, "no quote verifier in this build: the binding cannot be checked");
        return Pending::new(r, None, None);
    };
    match check_binding(b, root, qv) {
        Ok((b, detail)) => {
            let until = b.valid_until();
            if ctx.now > until {
                r.fail(
                    CheckId::Tee,
                    Reason::BindingAge,
                    format!(
                        "{detail}; but the verification time {} is after boundAt + maxBindingAgeSeconds = {until}",
                        ctx.now
                    ),
                );
                return Pending::new(r, None, None);
            }
            r.pass(CheckId::Tee, format!("{detail}; vouches for documents dated [{}, {until}]", b.bound_at));
            Pending::new(r, Some(Document::TeeBinding(b)), None)
        }
        Err(f) => {
            r.fail(f.check, f.reason, f.detail);
            Pending::new(r, None, None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_data_is_the_domain_separated_key_digest_then_nonce_or_zeros() {
        let pk = [7u8; 32];
        let mut h = Sha256::new();
        h.update(b"attest.tee-key-binding.v1\0");
        h.update(pk);
        let d: [u8; 32] = h.finalize().into();
        let rd = expected_report_data(&pk, None);
        assert_eq!(&rd[..32], &d);
        assert_eq!(&rd[32..], &[0u8; 32]);
        let rd = expected_report_data(&pk, Some(&[9u8; 32]));
        assert_eq!(&rd[32..], &[9u8; 32]);
        assert_ne!(expected_report_data(&[8u8; 32], None), expected_report_data(&pk, None));
    }

    fn policy(v: &str) -> DocResult<TeePolicy> {
        parse_policy(&doc::parse_json(v.as_bytes()).expect("json"), "$")
    }

    #[test]
    fn policies_parse_strictly() {
        let ok = r#"{"name":"p","platform":"sgx","sgx":{"mrsigner":"00000000000000000000000000000000000000000000000000000000000000aa","isvProdId":1,"minIsvSvn":2},"allowedTcbStatus":["UpToDate"],"maxBindingAgeSeconds":60}"#;
        let p = policy(ok).expect("ok");
        assert_eq!(p.platform(), TeePlatform::Sgx);
        assert!(!p.allow_debug());
        for bad in [
            r#"{"name":"p","platform":"sgx","allowedTcbStatus":["UpToDate"],"maxBindingAgeSeconds":60}"#,
            r#"{"name":"p","platform":"sgx","sgx":{},"tdx":{},"allowedTcbStatus":["UpToDate"],"maxBindingAgeSeconds":60}"#,
            r#"{"name":"p","platform":"sgx","sgx":{},"allowedTcbStatus":["Revoked"],"maxBindingAgeSeconds":60}"#,
            r#"{"name":"p","platform":"sgx","sgx":{},"allowedTcbStatus":[],"maxBindingAgeSeconds":60}"#,
            r#"{"name":"p","platform":"sgx","sgx":{},"allowedTcbStatus":["UpToDate"],"allowPlatformFlags":["ht"],"maxBindingAgeSeconds":60}"#,
            r#"{"name":"p","platform":"sgx","sgx":{},"allowedTcbStatus":["UpToDate"],"maxBindingAgeSeconds":0}"#,
            r#"{"name":"p","platform":"sev","sgx":{},"allowedTcbStatus":["UpToDate"],"maxBindingAgeSeconds":60}"#,
            r#"{"name":"p","platform":"tdx","tdx":{"mrtd":"00"},"allowedTcbStatus":["UpToDate"],"maxBindingAgeSeconds":60}"#,
        ] {
            assert!(policy(bad).is_err(), "{bad}");
        }
    }

    fn tdx(mrtd: u8, rtmr: [u8; 4]) -> QuoteMeasurements {
        QuoteMeasurements::Tdx { mrtd: [mrtd; 48], rtmr: rtmr.map(|b| [b; 48]) }
    }

    #[test]
    fn every_pinned_measurement_is_compared() {
        let all = PolicyMeasurements::Tdx(TdxMeasurements {
            mrtd: Some([1; 48]),
            rtmr: [Some([2; 48]), Some([3; 48]), Some([4; 48]), Some([5; 48])],
        });
        assert!(check_measurements(&all, &tdx(1, [2, 3, 4, 5])).is_ok());
        assert!(check_measurements(&all, &tdx(9, [2, 3, 4, 5])).unwrap_err().contains("mrtd"));
        for i in 0..4 {
            let mut r = [2, 3, 4, 5];
            r[i] = 0;
            assert!(check_measurements(&all, &tdx(1, r)).unwrap_err().contains(&format!("rtmr{i}")));
        }
        let none = PolicyMeasurements::Tdx(TdxMeasurements::default());
        assert!(check_measurements(&none, &tdx(9, [9; 4])).is_ok());
        let sgx = PolicyMeasurements::Sgx(SgxMeasurements {
            mrenclave: Some([1; 32]),
            mrsigner: Some([2; 32]),
            isv_prod_id: Some(3),
            min_isv_svn: Some(4),
        });
        let q =
            |e, s, p, v| QuoteMeasurements::Sgx { mrenclave: [e; 32], mrsigner: [s; 32], isv_prod_id: p, isv_svn: v };
        assert!(check_measurements(&sgx, &q(1, 2, 3, 4)).is_ok());
        assert!(check_measurements(&sgx, &q(1, 2, 3, 9)).is_ok());
        assert!(check_measurements(&sgx, &q(0, 2, 3, 4)).unwrap_err().contains("mrenclave"));
        assert!(check_measurements(&sgx, &q(1, 0, 3, 4)).unwrap_err().contains("mrsigner"));
        assert!(check_measurements(&sgx, &q(1, 2, 0, 4)).unwrap_err().contains("isvProdId"));
        assert!(check_measurements(&sgx, &q(1, 2, 3, 3)).unwrap_err().contains("minIsvSvn"));
        assert!(check_measurements(&sgx, &tdx(1, [2, 3, 4, 5])).is_err());
    }
}
