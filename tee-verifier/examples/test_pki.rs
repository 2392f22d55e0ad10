//! Generates the test PKI and the synthetic DCAP quotes of
//! `tee-verifier/test-pki/` (docs/spec.md §13.6): quotes whose report_data
//! binds a key of ours, which no real sample does.
//!
//! ```text
//! cargo run -p attest-tee-verifier --example test_pki -- tee-verifier/test-pki
//! ```
//!
//! A fresh P-256 root CA (`root-ca.der`, `.pem`) issues a PCK CA, a PCK leaf
//! certificate and a TCB signing certificate; it signs the root CA CRL, the
//! PCK CA signs the PCK CRL (`tdx-collateral-pck-revoked.json`: a PCK CRL
//! that revokes the PCK leaf). The TD report body, the QE report and the PCK
//! certificate's Intel SGX extension are taken from Intel's real TDX sample
//! (`samples/tdx_quote`), so that the TCB info and QE identity of its
//! collateral still match; only these change:
//!
//! - the TD's report_data (the binding of a key, formats.md §11), and for
//!   `tdx-debug.quote` / `tdx-migratable.quote` the TD attributes' DEBUG /
//!   MIGRATABLE bit;
//! - the attestation key (new), its signature over header ‖ TD report, the
//!   QE report's report_data (SHA-256 of the new attestation key ‖ QE auth
//!   data) and the PCK leaf's signature over the QE report;
//! - the PCK certificate chain in the quote (ours);
//! - the same for Intel's SGX sample (`sgx-*.quote`, `sgx-collateral.json`:
//!   a second PCK leaf with the SGX sample's extension);
//! - the TCB info's and QE identity's issueDate/nextUpdate (2026-11-01 →
//!   2026-12-31), re-signed by our TCB signing key.
//!
//! Keys are random: every run writes a new PKI (the committed outputs are the
//! fixtures; nothing compares a rerun with them).

use std::path::PathBuf;

use dcap_qvl::quote::{AuthData, Quote, Report};
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CertificateRevocationListParams, CertifiedIssuer,
    CustomExtension, DnType, IsCa, KeyIdMethod, KeyPair, KeyUsagePurpose, SerialNumber, PKCS_ECDSA_P256_SHA256,
};
use ring::signature::{EcdsaKeyPair, KeyPair as _, ECDSA_P256_SHA256_FIXED_SIGNING};
use scale::Encode as _;
use sha2::{Digest as _, Sha256};

const TDX_QUOTE: &[u8] = include_bytes!("../samples/tdx_quote");
const TDX_COLLATERAL: &str = include_str!("../samples/tdx_quote_collateral.json");
const SGX_QUOTE: &[u8] = include_bytes!("../samples/sgx_quote");
const SGX_COLLATERAL: &str = include_str!("../samples/sgx_quote_collateral.json");

/// The PCK leaf's serial (revoked in `tdx-collateral-pck-revoked.json`).
const PCK_SERIAL: u64 = 0x5ca1ab1e;

const ISSUE: &str = "2026-11-01T00:00:00Z";
const NEXT: &str = "2026-12-31T00:00:00Z";

type R<T> = Result<T, Box<dyn std::error::Error>>;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn ca(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.distinguished_name.push(DnType::OrganizationName, "attest test PKI (not Intel)");
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    p.not_before = date_time_ymd(2020, 1, 1);
    p.not_after = date_time_ymd(2049, 12, 31);
    p.use_authority_key_identifier_extension = true;
    p
}

fn leaf(cn: &str) -> CertificateParams {
    let mut p = ca(cn);
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::ContentCommitment];
    p
}

fn p256() -> R<KeyPair> {
    Ok(KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?)
}

/// The same key as a ring signer of raw r ‖ s signatures.
fn signer(k: &KeyPair) -> R<EcdsaKeyPair> {
    let rng = ring::rand::SystemRandom::new();
    EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &k.serialize_der(), &rng)
        .map_err(|e| format!("pkcs8: {e}").into())
}

fn sign(k: &EcdsaKeyPair, msg: &[u8]) -> R<Vec<u8>> {
    let rng = ring::rand::SystemRandom::new();
    Ok(k.sign(&rng, msg).map_err(|e| format!("sign: {e}"))?.as_ref().to_vec())
}

fn crl(issuer: &CertifiedIssuer<'_, KeyPair>, number: u64, revoked: &[u64]) -> R<Vec<u8>> {
    let p = CertificateRevocationListParams {
        this_update: date_time_ymd(2020, 1, 1),
        next_update: date_time_ymd(2049, 12, 1),
        crl_number: SerialNumber::from(number),
        issuing_distribution_point: None,
        revoked_certs: revoked
            .iter()
            .map(|n| rcgen::RevokedCertParams {
                serial_number: SerialNumber::from(*n),
                revocation_time: date_time_ymd(2026, 1, 1),
                reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::Sha256,
    };
    Ok(p.signed_by(&**issuer)?.der().to_vec())
}

/// A collateral JSON document (tcb_info / qe_identity) with new dates.
fn redate(text: &str) -> R<String> {
    let mut v: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text)?;
    v.insert("issueDate".into(), ISSUE.into());
    v.insert("nextUpdate".into(), NEXT.into());
    Ok(serde_json::to_string(&v)?)
}

/// The binding report_data of the vectors' TEE-bound runtime key
/// (`test-vectors/src/bin/generate/tee.rs`: seed `attest.vectors.tee.runtime`).
fn runtime_key() -> Vec<u8> {
    let seed = attest_verifier::crypto::sha256(b"attest.vectors.tee.runtime");
    attest_attestor::MasterSecret::from_bytes(*seed.as_bytes()).master_ed25519().public_key().as_bytes().to_vec()
}

struct Pki {
    pck: EcdsaKeyPair,
    chain_pem: String,
}

/// A change to the TD attributes (bits of the little-endian u64).
#[derive(Clone, Copy)]
enum Attr {
    None,
    /// TUD bit 0.
    Debug,
    /// SEC bit 29: a migratable TD.
    Migratable,
}

fn quote(pki: &Pki, report_data: [u8; 64], attr: Attr) -> R<Vec<u8>> {
    let mut q = Quote::parse(TDX_QUOTE)?;
    match &mut q.report {
        Report::TD10(td) => {
            td.report_data = report_data;
            let mut a = u64::from_le_bytes(td.td_attributes);
            match attr {
                Attr::None => {}
                Attr::Debug => a |= 1,
                Attr::Migratable => a |= 1 << 29,
            }
            td.td_attributes = a.to_le_bytes();
        }
        _ => return Err("the TDX sample is a TD 1.0 quote".into()),
    }
    let ak_pair = p256()?;
    let ak = signer(&ak_pair)?;
    // The uncompressed point without its 0x04 prefix.
    let ak_pub: [u8; 64] = ak.public_key().as_ref().get(1..65).ok_or("point")?.try_into()?;
    let AuthData::V4(auth) = &mut q.auth_data else { return Err("a v4 quote has v4 auth data".into()) };
    auth.ecdsa_attestation_key = ak_pub;
    let qe = &mut auth.qe_report_data;
    let mut h = Sha256::new();
    h.update(ak_pub);
    h.update(&qe.qe_auth_data.data);
    let digest = h.finalize();
    // QE report: report_data at bytes 320..384 of the 384-byte enclave report.
    qe.qe_report[320..352].copy_from_slice(&digest);
    qe.qe_report[352..384].fill(0);
    qe.qe_report_signature = sign(&pki.pck, &qe.qe_report)?.as_slice().try_into()?;
    qe.certification_data.cert_type = 5;
    qe.certification_data.body = dcap_qvl::quote::Data::new(pki.chain_pem.clone().into_bytes());
    let unsigned = q.encode();
    let signed_len = q.signed_length();
    let sig = sign(&ak, unsigned.get(..signed_len).ok_or("signed length")?)?;
    let AuthData::V4(auth) = &mut q.auth_data else { return Err("v4".into()) };
    auth.ecdsa_signature = sig.as_slice().try_into()?;
    Ok(q.encode())
}

/// An SGX v3 quote from Intel's SGX sample: report_data, optionally the
/// DEBUG attribute, a new attestation key, the QE report re-bound and
/// re-signed by our PCK leaf, our PCK chain.
fn sgx_quote(pki: &Pki, report_data: [u8; 64], debug: bool) -> R<Vec<u8>> {
    let mut q = Quote::parse(SGX_QUOTE)?;
    match &mut q.report {
        Report::SgxEnclave(e) => {
            e.report_data = report_data;
            if debug {
                e.attributes[0] |= 0x02;
            }
        }
        _ => return Err("the SGX sample is an enclave quote".into()),
    }
    let ak = signer(&p256()?)?;
    let ak_pub: [u8; 64] = ak.public_key().as_ref().get(1..65).ok_or("point")?.try_into()?;
    let AuthData::V3(auth) = &mut q.auth_data else { return Err("a v3 quote has v3 auth data".into()) };
    auth.ecdsa_attestation_key = ak_pub;
    let mut h = Sha256::new();
    h.update(ak_pub);
    h.update(&auth.qe_auth_data.data);
    let digest = h.finalize();
    auth.qe_report[320..352].copy_from_slice(&digest);
    auth.qe_report[352..384].fill(0);
    auth.qe_report_signature = sign(&pki.pck, &auth.qe_report)?.as_slice().try_into()?;
    auth.certification_data.cert_type = 5;
    auth.certification_data.body = dcap_qvl::quote::Data::new(pki.chain_pem.clone().into_bytes());
    let unsigned = q.encode();
    let sig = sign(&ak, unsigned.get(..q.signed_length()).ok_or("signed length")?)?;
    let AuthData::V3(auth) = &mut q.auth_data else { return Err("v3".into()) };
    auth.ecdsa_signature = sig.as_slice().try_into()?;
    Ok(q.encode())
}

/// A PCK leaf under `pck_ca` with the Intel SGX extension of a real
/// sample's PCK certificate (FMSPC, TCB SVNs, PCE id, platform flags), so
/// that the sample's TCB info still applies.
fn pck_leaf(sample_quote: &[u8], serial: u64, pck_ca: &CertifiedIssuer<'_, KeyPair>) -> R<(EcdsaKeyPair, String)> {
    let sample = Quote::parse(sample_quote)?;
    let chain = dcap_qvl::intel::extract_cert_chain(&sample)?;
    let ext = dcap_qvl::intel::parse_pck_extension(chain.first().ok_or("sample PCK chain")?)?;
    let mut p = leaf("attest test PCK Certificate");
    p.serial_number = Some(SerialNumber::from(serial));
    p.custom_extensions.push(CustomExtension::from_oid_content(&[1, 2, 840, 113741, 1, 13, 1], ext.raw_extension));
    let pair = p256()?;
    let cert = p.signed_by(&pair, &**pck_ca)?;
    Ok((signer(&pair)?, cert.pem()))
}

/// A sample's collateral under the test PKI: our CRLs and chains, its TCB
/// info and QE identity re-dated and re-signed by our TCB signing key.
fn collateral(
    sample: &str,
    root: &CertifiedIssuer<'_, KeyPair>,
    pck_ca: &CertifiedIssuer<'_, KeyPair>,
    tcb_chain: &str,
    tcb_signer: &EcdsaKeyPair,
    revoked: &[u64],
) -> R<String> {
    let mut c: serde_json::Map<String, serde_json::Value> = serde_json::from_str(sample)?;
    let tcb_info = redate(c.get("tcb_info").and_then(|v| v.as_str()).ok_or("tcb_info")?)?;
    let qe_identity = redate(c.get("qe_identity").and_then(|v| v.as_str()).ok_or("qe_identity")?)?;
    c.insert("pck_crl_issuer_chain".into(), format!("{}{}", pck_ca.pem(), root.pem()).into());
    c.insert("root_ca_crl".into(), hex(&crl(root, 1, &[])?).into());
    c.insert("pck_crl".into(), hex(&crl(pck_ca, if revoked.is_empty() { 1 } else { 2 }, revoked)?).into());
    c.insert("tcb_info_issuer_chain".into(), tcb_chain.into());
    c.insert("tcb_info_signature".into(), hex(&sign(tcb_signer, tcb_info.as_bytes())?).into());
    c.insert("tcb_info".into(), tcb_info.into());
    c.insert("qe_identity_issuer_chain".into(), tcb_chain.into());
    c.insert("qe_identity_signature".into(), hex(&sign(tcb_signer, qe_identity.as_bytes())?).into());
    c.insert("qe_identity".into(), qe_identity.into());
    c.remove("pck_certificate_chain");
    Ok(serde_json::to_string_pretty(&c)? + "\n")
}

fn main() -> R<()> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "tee-verifier/test-pki".into()));
    std::fs::create_dir_all(&out)?;
    let root = CertifiedIssuer::self_signed(ca("attest test SGX Root CA"), p256()?)?;
    let pck_ca = CertifiedIssuer::signed_by(ca("attest test PCK Platform CA"), p256()?, &*root)?;
    let tcb_key = p256()?;
    let tcb = leaf("attest test TCB Signing").signed_by(&tcb_key, &*root)?;
    let tcb_chain = format!("{}{}", tcb.pem(), root.pem());
    let tcb_signer = signer(&tcb_key)?;
    let (pck, leaf_pem) = pck_leaf(TDX_QUOTE, PCK_SERIAL, &pck_ca)?;
    let pki = Pki { pck, chain_pem: format!("{leaf_pem}{}{}", pck_ca.pem(), root.pem()) };
    let (sgx_pck, sgx_leaf_pem) = pck_leaf(SGX_QUOTE, PCK_SERIAL + 1, &pck_ca)?;
    let sgx_pki = Pki { pck: sgx_pck, chain_pem: format!("{sgx_leaf_pem}{}{}", pck_ca.pem(), root.pem()) };
    let write = |name: &str, text: String| std::fs::write(out.join(name), text);
    write("tdx-collateral.json", collateral(TDX_COLLATERAL, &root, &pck_ca, &tcb_chain, &tcb_signer, &[])?)?;
    write(
        "tdx-collateral-pck-revoked.json",
        collateral(TDX_COLLATERAL, &root, &pck_ca, &tcb_chain, &tcb_signer, &[PCK_SERIAL])?,
    )?;
    write("sgx-collateral.json", collateral(SGX_COLLATERAL, &root, &pck_ca, &tcb_chain, &tcb_signer, &[])?)?;
    std::fs::write(out.join("root-ca.der"), root.der())?;
    std::fs::write(out.join("root-ca.pem"), root.pem())?;

    let key = runtime_key();
    let bound = attest_verifier::tee::expected_report_data(&key, None);
    let nonce = [0x42u8; 32];
    let bound_nonce = attest_verifier::tee::expected_report_data(&key, Some(&nonce));
    std::fs::write(out.join("tdx-bound.quote"), quote(&pki, bound, Attr::None)?)?;
    std::fs::write(out.join("tdx-bound-nonce.quote"), quote(&pki, bound_nonce, Attr::None)?)?;
    std::fs::write(out.join("tdx-debug.quote"), quote(&pki, bound, Attr::Debug)?)?;
    std::fs::write(out.join("tdx-migratable.quote"), quote(&pki, bound, Attr::Migratable)?)?;
    std::fs::write(out.join("sgx-bound.quote"), sgx_quote(&sgx_pki, bound, false)?)?;
    std::fs::write(out.join("sgx-debug.quote"), sgx_quote(&sgx_pki, bound, true)?)?;
    println!("wrote the test PKI to {} (runtime key {})", out.display(), hex(&key));
    Ok(())
}
