//! # attest-tee-verifier
//!
//! Offline Intel DCAP verification of TEE bindings (`attest.tee-binding.v1`,
//! formats.md §11, docs/spec.md §13) for the pure attest verifier.
//!
//! The core (`attest-verifier`) has no DCAP code: it parses bindings and
//! trust-root TEE policies, and decides the `tee` check from the facts of a
//! verified quote. This crate supplies those facts: [`DcapVerifier`]
//! implements the core's [`QuoteVerifier`] with `dcap-qvl` (default features
//! off, never its `report` network feature): the PCK certificate chain, both
//! CRLs, the TCB info and QE identity and their signatures, the QE report and
//! the TD/enclave report signature, all at the binding's `boundAt`, under
//! Intel's SGX Root CA or a root the caller names (`--tee-root-ca`, test
//! infrastructure). `dcap-qvl` reports errors as `anyhow` strings; they are
//! mapped to the core's typed [`QuoteError`] here ([`map_error`]).
//!
//! ```no_run
//! # fn f(binding: &[u8], trust: &attest_verifier::TrustOutcome, now: attest_verifier::Timestamp) {
//! let dcap = attest_tee_verifier::DcapVerifier::intel();
//! let evidence = attest_verifier::Evidence::default();
//! let ctx = attest_verifier::VerifyContext::new(trust, &evidence, now).with_tee(&dcap);
//! let outcome = attest_tee_verifier::verify_tee_binding(binding, &ctx);
//! if let Some(verified) = outcome.verified() {
//!     println!("key {} bound until {}", verified.key_id(), verified.valid_until());
//! }
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

use attest_json::Value;
pub use attest_verifier::tee::{
    expected_report_data, parse_tee_binding, QuoteError, QuoteFacts, QuoteVerifier, TeeBinding, TeePlatform,
    TEE_BINDING_TYPE,
};
use attest_verifier::tee::{PlatformFlag, QuoteMeasurements};
use attest_verifier::{Outcome, VerifyContext};
use dcap_qvl::verify::VerifiedReport;
use dcap_qvl::QuoteCollateralV3;

/// Intel's SGX Root CA certificate (DER; `roots/intel-sgx-root-ca.der`,
/// the certificate `dcap-qvl` pins as its production root).
pub fn intel_root_ca_der() -> &'static [u8] {
    include_bytes!("../roots/intel-sgx-root-ca.der")
}

/// Verdicts already computed, by SHA-256 of (quote ‖ canonical collateral ‖ time).
type Cache = std::sync::Arc<std::sync::Mutex<Vec<([u8; 32], Result<QuoteFacts, QuoteError>)>>>;

/// A DCAP quote verifier under one root CA.
#[derive(Debug, Clone)]
pub struct DcapVerifier {
    root_der: Vec<u8>,
    intel: bool,
    cache: Option<Cache>,
}

/// At most this many verdicts are remembered by a caching verifier.
const CACHE_ENTRIES: usize = 64;

impl DcapVerifier {
    /// Quotes must chain to Intel's SGX Root CA.
    pub fn intel() -> Self {
        Self { root_der: intel_root_ca_der().to_vec(), intel: true, cache: None }
    }

    /// This verifier remembering its verdicts (up to 64, keyed by the
    /// SHA-256 of quote, canonical collateral and time): a batch of
    /// documents signed by one TEE-bound key (`attest audit --tee-binding`)
    /// verifies the key's quote once. The verdict is a pure function of
    /// those inputs and the root, so a remembered one is the one a new
    /// verification would give.
    pub fn cached(mut self) -> Self {
        self.cache = Some(Cache::default());
        self
    }

    /// Quotes must chain to this root CA (DER, or one PEM certificate):
    /// test infrastructure (`--tee-root-ca`). Reports name it as not Intel's.
    pub fn with_root_ca(cert: &[u8]) -> Result<Self, String> {
        let der = pem_or_der(cert)?;
        let intel = der == intel_root_ca_der();
        Ok(Self { root_der: der, intel, cache: None })
    }

    /// Whether the root is Intel's.
    pub fn is_intel(&self) -> bool {
        self.intel
    }
}

fn pem_or_der(bytes: &[u8]) -> Result<Vec<u8>, String> {
    if !bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        return Ok(bytes.to_vec());
    }
    first_pem_certificate(bytes).ok_or_else(|| "not a PEM certificate (BEGIN/END CERTIFICATE, base64 body)".to_string())
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        acc = (acc << 6) | val(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

impl QuoteVerifier for DcapVerifier {
    fn verify_quote(&self, quote: &[u8], collateral: &Value, at_unix: u64) -> Result<QuoteFacts, QuoteError> {
        let Some(cache) = &self.cache else { return self.verify_uncached(quote, collateral, at_unix) };
        let mut key_input = attest_verifier::crypto::sha256(quote).as_bytes().to_vec();
        key_input
            .extend_from_slice(attest_verifier::crypto::sha256(&attest_json::to_canonical_vec(collateral)).as_bytes());
        key_input.extend_from_slice(&at_unix.to_be_bytes());
        let key = *attest_verifier::crypto::sha256(&key_input).as_bytes();
        let hit = {
            let entries = cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            entries.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone())
        };
        if let Some(v) = hit {
            return v;
        }
        // Verified outside the lock: threads of a batch do not wait for each other.
        let v = self.verify_uncached(quote, collateral, at_unix);
        let mut entries = cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= CACHE_ENTRIES {
            let _oldest = entries.remove(0);
        }
        entries.push((key, v.clone()));
        v
    }

    fn root_description(&self) -> String {
        if self.intel {
            "Intel SGX Root CA".to_string()
        } else {
            "a test root CA given with --tee-root-ca (not Intel's SGX Root CA)".to_string()
        }
    }
}

impl DcapVerifier {
    fn verify_uncached(&self, quote: &[u8], collateral: &Value, at_unix: u64) -> Result<QuoteFacts, QuoteError> {
        let collateral = collateral_v3(collateral)?;
        // Debug is allowed here and decided by the policy (`allowDebug`).
        let report = dcap_qvl::verify::QuoteVerifier::new(self.root_der.clone())
            .allow_debug(true)
            .verify(quote, &collateral, at_unix)
            .map_err(|e| map_error(&e))?;
        facts(&report, platform_flags(quote, &collateral)?)
    }
}

const COLLATERAL_MEMBERS: &[&str] = &[
    "pck_crl_issuer_chain",
    "root_ca_crl",
    "pck_crl",
    "tcb_info_issuer_chain",
    "tcb_info",
    "tcb_info_signature",
    "qe_identity_issuer_chain",
    "qe_identity",
    "qe_identity_signature",
    "pck_certificate_chain",
];

/// The PCCS collateral object as dcap-qvl's `QuoteCollateralV3`, read
/// straight from the strictly parsed JSON (no second parse): its string
/// members, the CRLs and signatures in hex; any other member is refused.
fn collateral_v3(v: &Value) -> Result<QuoteCollateralV3, QuoteError> {
    let bad = |m: String| QuoteError::MalformedCollateral(m);
    let Some(obj) = v.as_object() else { return Err(bad("not a JSON object".into())) };
    if let Some((k, _)) = obj.iter().find(|(k, _)| !COLLATERAL_MEMBERS.contains(k)) {
        return Err(bad(format!("unknown member {k:?} (not QuoteCollateralV3)")));
    }
    let text = |k: &str| -> Result<String, QuoteError> {
        obj.get(k).and_then(Value::as_str).map(str::to_string).ok_or_else(|| bad(format!("{k}: a string is required")))
    };
    let bytes = |k: &str| -> Result<Vec<u8>, QuoteError> {
        let s = obj.get(k).and_then(Value::as_str).ok_or_else(|| bad(format!("{k}: a hex string is required")))?;
        hex_decode(s).ok_or_else(|| bad(format!("{k}: not hex")))
    };
    Ok(QuoteCollateralV3 {
        pck_crl_issuer_chain: text("pck_crl_issuer_chain")?,
        root_ca_crl: bytes("root_ca_crl")?,
        pck_crl: bytes("pck_crl")?,
        tcb_info_issuer_chain: text("tcb_info_issuer_chain")?,
        tcb_info: text("tcb_info")?,
        tcb_info_signature: bytes("tcb_info_signature")?,
        qe_identity_issuer_chain: text("qe_identity_issuer_chain")?,
        qe_identity: text("qe_identity")?,
        qe_identity_signature: bytes("qe_identity_signature")?,
        pck_certificate_chain: match obj.get("pck_certificate_chain") {
            None | Some(Value::Null) => None,
            Some(_) => Some(text("pck_certificate_chain")?),
        },
    })
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    let nib = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let b = s.as_bytes();
    if b.len() % 2 != 0 {
        return None;
    }
    b.chunks(2).map(|p| Some(nib(*p.first()?)? << 4 | nib(*p.get(1)?)?)).collect()
}

fn facts(verified: &VerifiedReport, flags: Vec<PlatformFlag>) -> Result<QuoteFacts, QuoteError> {
    let report = &verified.report;
    let (measurements, debug, report_data) = if let Some(td) = report.as_td10() {
        // TUD bit 0 is DEBUG; bits 4–6 enable TD profiling: both mean the
        // host can read the TD's state.
        let tud = td.td_attributes.first().copied().unwrap_or(0);
        (
            QuoteMeasurements::Tdx { mrtd: td.mr_td, rtmr: [td.rt_mr0, td.rt_mr1, td.rt_mr2, td.rt_mr3] },
            tud & 0x71 != 0,
            td.report_data,
        )
    } else if let Some(e) = report.as_sgx() {
        (
            QuoteMeasurements::Sgx {
                mrenclave: e.mr_enclave,
                mrsigner: e.mr_signer,
                isv_prod_id: e.isv_prod_id,
                isv_svn: e.isv_svn,
            },
            e.attributes.first().is_some_and(|a| a & 0x02 != 0),
            e.report_data,
        )
    } else {
        return Err(QuoteError::MalformedQuote(
            "the quote's report body is neither a TD nor an SGX enclave report".into(),
        ));
    };
    Ok(QuoteFacts::new(verified.status.clone(), verified.advisory_ids.clone(), debug, report_data, measurements, flags))
}

/// The platform flags (Intel SGX extension, Configuration) of the PCK leaf
/// certificate `verify` has just checked: the flags that are TRUE. The leaf
/// is taken where dcap-qvl takes it: the collateral's `pck_certificate_chain`
/// when present, else the quote's certification data (type 5); it is the
/// first PEM block of that chain. (`verify` reports no flags; its claims
/// API computes them with much else this check does not read.)
fn platform_flags(quote: &[u8], collateral: &QuoteCollateralV3) -> Result<Vec<PlatformFlag>, QuoteError> {
    let malformed = |e: String| QuoteError::MalformedQuote(e);
    let q;
    let chain: &[u8] = match &collateral.pck_certificate_chain {
        Some(c) => c.as_bytes(),
        None => {
            q = dcap_qvl::quote::Quote::parse(quote).map_err(|e| malformed(format!("{e:#}")))?;
            q.raw_cert_chain().map_err(|e| malformed(format!("{e:#}")))?
        }
    };
    // The leaf dcap-qvl verified: the first PEM block of the chain, whatever
    // its label (dcap-qvl's `extract_certs` takes `pem::parse_many(chain)`,
    // whose first block is `pem::parse(chain)`; `verify` has already
    // refused a chain with a malformed later block). Only the leaf is
    // decoded: the two CA certificates are not read here.
    let leaf = pem::parse(chain).map_err(|e| malformed(format!("PCK chain: {e}")))?.into_contents();
    let ext = dcap_qvl::intel::parse_pck_extension(&leaf).map_err(|e| malformed(format!("{e:#}")))?;
    Ok([
        (ext.dynamic_platform, PlatformFlag::DynamicPlatform),
        (ext.cached_keys, PlatformFlag::CachedKeys),
        (ext.smt_enabled, PlatformFlag::Smt),
    ]
    .into_iter()
    .filter(|(f, _)| *f == Some(true))
    .map(|(_, flag)| flag)
    .collect())
}

/// The DER of the first PEM certificate in `chain`.
fn first_pem_certificate(chain: &[u8]) -> Option<Vec<u8>> {
    const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
    const END: &[u8] = b"-----END CERTIFICATE-----";
    let start = chain.windows(BEGIN.len()).position(|w| w == BEGIN)? + BEGIN.len();
    let body = chain.get(start..)?;
    let end = body.windows(END.len()).position(|w| w == END)?;
    let b64: String = String::from_utf8_lossy(body.get(..end)?).chars().filter(|c| !c.is_whitespace()).collect();
    base64_decode(&b64)
}

/// Maps a `dcap-qvl` error (an `anyhow` chain of strings) to the typed
/// [`QuoteError`]. The whole chain (`{:#}`) is matched, most specific first,
/// and kept as the detail.
pub fn map_error(e: &anyhow::Error) -> QuoteError {
    let text = format!("{e:#}");
    let has = |needles: &[&str]| needles.iter().any(|n| text.contains(n));
    if has(&["issue date is in the future", "CertNotValidYet", "CrlNotValidYet"]) {
        QuoteError::CollateralNotYetValid(text)
    } else if has(&["TCBInfo expired", "QE Identity expired", "CrlExpired", "CertExpired"]) {
        QuoteError::CollateralExpired(text)
    } else if has(&["Revoked", "CertRevoked"]) {
        QuoteError::Revoked(text)
    } else if has(&["qe_report in quote", "QE report hash mismatch", "ISV enclave report signature"]) {
        QuoteError::BadQuoteSignature(text)
    } else if has(&[
        "Signature is invalid for",
        "InvalidSignatureForPublicKey",
        "InvalidCrlSignatureForPublicKey",
        "UnknownIssuer",
        "BadSignature",
        "UnsupportedSignatureAlgorithm",
        "Failed to load root ca",
    ]) {
        QuoteError::BadCollateralSignature(text)
    } else if has(&["No matching TCB level", "Fmspc mismatch", "non-TDX TCB info", "non-SGX TCB info", "TDX module"]) {
        QuoteError::NoTcbLevel(text)
    } else if has(&["TD migration", "SERVTD_EXT", "SEPT_VE_DISABLE", "Reserved bits", "MR service TD", "TD attributes"])
    {
        QuoteError::Attributes(text)
    } else if has(&[
        "decode quote",
        "quote version",
        "QE vendor",
        "must have version",
        "attestation key type",
        "PCK cert format",
        "chain is too short in quote",
        "PCK certificates from quote",
        "TEE type",
        "TD10 report",
        "QE report",
    ]) {
        QuoteError::MalformedQuote(text)
    } else {
        QuoteError::MalformedCollateral(text)
    }
}

/// The platform and `report_data` of a quote, decoded without verifying
/// anything (`attest tee bind` checks a quote binds the key before it writes
/// the binding).
pub fn quote_report_data(quote: &[u8]) -> Result<(TeePlatform, [u8; 64]), QuoteError> {
    let q = dcap_qvl::quote::Quote::parse(quote).map_err(|e| QuoteError::MalformedQuote(format!("{e:#}")))?;
    if let Some(td) = q.report.as_td10() {
        Ok((TeePlatform::Tdx, td.report_data))
    } else if let Some(e) = q.report.as_sgx() {
        Ok((TeePlatform::Sgx, e.report_data))
    } else {
        Err(QuoteError::MalformedQuote("neither a TD nor an SGX enclave report".into()))
    }
}

/// Verifies a binding on its own ([`attest_verifier::tee::verify_tee_binding`]);
/// `ctx` must carry a quote verifier (`VerifyContext::with_tee`), else the
/// `tee` check fails `tee-unavailable`.
pub fn verify_tee_binding(bytes: &[u8], ctx: &VerifyContext<'_>) -> Outcome<TeeBinding> {
    attest_verifier::tee::verify_tee_binding(bytes, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_and_der_roots_are_the_same_certificate() {
        let der = intel_root_ca_der();
        let mut b64 = String::new();
        const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for chunk in der.chunks(3) {
            let n = chunk.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b)) << (8 * (3 - chunk.len()));
            for i in 0..=chunk.len() {
                b64.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
            for _ in chunk.len()..3 {
                b64.push('=');
            }
        }
        let pem = format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n");
        let v = DcapVerifier::with_root_ca(pem.as_bytes()).expect("pem");
        assert!(v.is_intel());
        assert!(DcapVerifier::with_root_ca(der).expect("der").is_intel());
        assert!(!DcapVerifier::with_root_ca(b"not a certificate").expect("bytes").is_intel());
    }
}
