//! DSSE envelopes (secure-systems-lab DSSE v1.0.2, formats.md §7).
//!
//! ```text
//! envelope  = {"payloadType": <string>, "payload": <base64>, "signatures": [{"keyid": <string>, "sig": <base64>}, …]}
//! PAE(t, b) = "DSSEv1" SP LEN(t) SP t SP LEN(b) SP b      LEN = ASCII decimal byte length, no leading zeros
//! digest    = SHA-256(PAE(payloadType, payload bytes))
//! ```
//!
//! The envelope is strict JSON (formats.md §0) with exactly these members;
//! each signature object has exactly `keyid` and `sig`. `payload` and `sig`
//! are accepted in the standard or the URL-safe base64 alphabet, padded or
//! not, but canonical: non-zero trailing bits, a mixed alphabet, wrong padding
//! and whitespace are refused. Because the digest is taken over the decoded
//! payload, every encoding variant of one envelope has one digest.
//!
//! This module only reads envelopes; what a payload means and which keys may
//! sign it is the business of its kind (the heartbeat module).

use attest_json::Value;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine as _};

use crate::crypto::sha256;
use crate::doc::{self, err, join, DocResult, Members, Problem};
use crate::types::{EncodingError, KeyId, Sha256Digest};

/// The PAE prefix and DSSE version.
pub const PAE_PREFIX: &str = "DSSEv1";

/// Most signatures one envelope may carry (bounds verification work).
pub const MAX_SIGNATURES: usize = 16;

/// Longest `keyid` accepted (bytes).
pub const MAX_KEYID_BYTES: usize = 256;

/// Members of an envelope.
const ENVELOPE_MEMBERS: [&str; 3] = ["payloadType", "payload", "signatures"];

const STANDARD_ANY_PAD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
const URL_SAFE_ANY_PAD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// `PAE(payload_type, payload)`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let t = payload_type.as_bytes();
    let mut out = Vec::with_capacity(PAE_PREFIX.len() + t.len() + payload.len() + 44);
    out.extend_from_slice(PAE_PREFIX.as_bytes());
    out.push(b' ');
    out.extend_from_slice(t.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(t);
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// Decodes DSSE base64: the standard or the URL-safe alphabet (not mixed),
/// padded or unpadded, canonical (non-zero trailing bits refused).
pub fn decode_base64(s: &str) -> Result<Vec<u8>, EncodingError> {
    let standard = s.bytes().any(|c| c == b'+' || c == b'/');
    let url_safe = s.bytes().any(|c| c == b'-' || c == b'_');
    let engine = match (standard, url_safe) {
        (true, true) => return Err(EncodingError::Base64Text),
        (false, true) => &URL_SAFE_ANY_PAD,
        _ => &STANDARD_ANY_PAD,
    };
    engine.decode(s).map_err(|_| EncodingError::Base64Text)
}

/// One signature of an envelope, as given.
#[derive(Debug, Clone)]
pub struct EnvelopeSignature {
    pub(crate) keyid: String,
    pub(crate) key_id: Option<KeyId>,
    pub(crate) sig: Vec<u8>,
}

impl EnvelopeSignature {
    /// The `keyid` text.
    pub fn keyid(&self) -> &str {
        &self.keyid
    }

    /// The `keyid` as an attest key id, when it is one (64 lowercase hex).
    pub fn key_id(&self) -> Option<KeyId> {
        self.key_id
    }

    /// The decoded signature bytes (any length: their key decides what they must be).
    pub fn sig(&self) -> &[u8] {
        &self.sig
    }
}

/// A parsed DSSE envelope. Opaque: its PAE and digest are computed by the parser.
#[derive(Debug, Clone)]
pub struct Envelope {
    payload_type: String,
    payload: Vec<u8>,
    signatures: Vec<EnvelopeSignature>,
    pae: Vec<u8>,
    digest: Sha256Digest,
}

impl Envelope {
    /// `payloadType`.
    pub fn payload_type(&self) -> &str {
        &self.payload_type
    }

    /// The decoded payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The signatures, in envelope order.
    pub fn signatures(&self) -> &[EnvelopeSignature] {
        &self.signatures
    }

    /// `PAE(payloadType, payload)`: the signed message.
    pub fn pae(&self) -> &[u8] {
        &self.pae
    }

    /// `SHA-256(PAE)`.
    pub fn digest(&self) -> Sha256Digest {
        self.digest
    }

    /// The envelope in its one canonical form (formats.md §8 entry bytes):
    /// JCS with standard padded base64.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        use base64::engine::general_purpose::STANDARD;
        let sigs: Vec<Value> = self
            .signatures
            .iter()
            .map(|s| {
                let mut o = attest_json::Object::new();
                let _ = o.insert("keyid".into(), Value::String(s.keyid.clone()));
                let _ = o.insert("sig".into(), Value::String(STANDARD.encode(&s.sig)));
                Value::Object(o)
            })
            .collect();
        let mut o = attest_json::Object::new();
        let _ = o.insert("payload".into(), Value::String(STANDARD.encode(&self.payload)));
        let _ = o.insert("payloadType".into(), Value::String(self.payload_type.clone()));
        let _ = o.insert("signatures".into(), Value::Array(sigs));
        attest_json::to_canonical_vec(&Value::Object(o))
    }
}

/// Whether a parsed JSON value looks like a DSSE envelope (an object with a
/// string `payloadType` and no `type`): its `payloadType`.
pub fn payload_type_of(v: &Value) -> Option<&str> {
    match v {
        Value::Object(o) if o.get("type").is_none() => match o.get("payloadType") {
            Some(Value::String(s)) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// Parses an envelope from bytes (strict JSON).
pub fn parse_envelope(bytes: &[u8]) -> DocResult<Envelope> {
    parse_envelope_value(&doc::parse_json(bytes)?)
}

/// Parses an envelope from a strict-JSON value.
pub fn parse_envelope_value(v: &Value) -> DocResult<Envelope> {
    let m = Members::of(v, "$")?;
    m.only(&ENVELOPE_MEMBERS)?;
    let payload_type = m.text("payloadType")?.to_string();
    let payload = m.parse_str("payload", decode_base64)?;
    let list = m.array("signatures")?;
    if list.is_empty() {
        return err(m.path("signatures"), Problem::EmptyList { what: "signature" });
    }
    if list.len() > MAX_SIGNATURES {
        return err(m.path("signatures"), "more than 16 signatures");
    }
    let base = m.path("signatures");
    let mut signatures = Vec::with_capacity(list.len());
    for (i, s) in list.iter().enumerate() {
        let path = format!("{base}[{i}]");
        let sm = Members::of(s, &path)?;
        sm.only(&["keyid", "sig"])?;
        let keyid = sm.str("keyid")?;
        if keyid.len() > MAX_KEYID_BYTES {
            return err(join(&path, "keyid"), "keyid longer than 256 bytes");
        }
        let sig = sm.parse_str("sig", decode_base64)?;
        signatures.push(EnvelopeSignature { keyid: keyid.to_string(), key_id: KeyId::from_hex(keyid).ok(), sig });
    }
    let pae = pae(&payload_type, &payload);
    let digest = sha256(&pae);
    Ok(Envelope { payload_type, payload, signatures, pae, digest })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The PAE example of the DSSE specification (protocol.md, "Test vectors").
    #[test]
    fn pae_matches_the_specification_example() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ".to_vec());
    }

    #[test]
    fn base64_variants() {
        // 0xfb 0xff: "+/8=" standard, "-_8=" URL-safe.
        for s in ["+/8=", "+/8", "-_8=", "-_8"] {
            assert_eq!(decode_base64(s), Ok(vec![0xfb, 0xff]), "{s}");
        }
        for s in ["+_8=", "+/9=", "+/8==", " +/8=", "+/8=\n", "+/8=="] {
            assert_eq!(decode_base64(s), Err(EncodingError::Base64Text), "{s:?}");
        }
        assert_eq!(decode_base64(""), Ok(vec![]));
    }
}
