//! Building and signing runtime heartbeats (formats.md §7).
//!
//! A heartbeat payload is the caller's fixed configuration and counters
//! ([`HeartbeatInput`]) plus the identity and chaining members this module
//! keeps per boot ([`BootChain`]): `stream`, `boot_id`, `seq`, `previous`,
//! `timestamp`, `attestation_id`. The payload bytes are its canonical JSON
//! (JCS); the envelope is DSSE with standard padded base64 and one Ed25519
//! signature over PAE per key.

use attest_json::{Object, Value};
use attest_verifier::crypto::sha256;
use attest_verifier::dsse::pae;
use attest_verifier::heartbeat::{HEARTBEAT_PAYLOAD_TYPE, HEARTBEAT_TYPE};
use attest_verifier::types::Sha256Digest;
use base64::Engine as _;

use crate::json::{int, s, set};
use crate::keys::Ed25519Signer;

/// Members the caller may not set: this module sets them.
pub const CHAIN_MEMBERS: [&str; 7] = ["type", "attestation_id", "stream", "boot_id", "seq", "previous", "timestamp"];

/// Why a heartbeat could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeartbeatError {
    /// The input is not a JSON object.
    #[error("the heartbeat fields must be a JSON object")]
    NotAnObject,
    /// The input sets a member this module keeps.
    #[error("member {0:?} is set by the attestor (per boot), not by the input")]
    Reserved(&'static str),
    /// The built heartbeat does not parse (a missing or malformed field).
    #[error("the heartbeat does not parse: {0}")]
    Invalid(String),
}

/// The configuration and counters of one heartbeat: every payload member
/// except [`CHAIN_MEMBERS`].
#[derive(Debug, Clone, PartialEq)]
pub struct HeartbeatInput(Object);

impl HeartbeatInput {
    /// From a JSON object; refuses the members the chain sets.
    pub fn from_value(v: &Value) -> Result<Self, HeartbeatError> {
        let Value::Object(o) = v else { return Err(HeartbeatError::NotAnObject) };
        if let Some(m) = CHAIN_MEMBERS.iter().find(|m| o.get(m).is_some()) {
            return Err(HeartbeatError::Reserved(m));
        }
        Ok(Self(o.clone()))
    }

    /// Merges `other`'s members over these (the counters file over the fixed config).
    pub fn merged(&self, other: &HeartbeatInput) -> HeartbeatInput {
        let mut o = self.0.clone();
        for (k, v) in other.0.iter() {
            set(&mut o, k, v.clone());
        }
        HeartbeatInput(o)
    }

    /// The members.
    pub fn object(&self) -> &Object {
        &self.0
    }
}

/// The chaining state of one process lifetime (boot) of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootChain {
    stream: String,
    boot_id: String,
    next_seq: u64,
    previous: Option<Sha256Digest>,
}

impl BootChain {
    /// A new boot: the next heartbeat has seq 0.
    pub fn new(stream: &str, boot_id: &str) -> Self {
        Self { stream: stream.to_string(), boot_id: boot_id.to_string(), next_seq: 0, previous: None }
    }

    /// A boot resumed from saved state (seq of the next heartbeat, hash of the last payload).
    pub fn resume(stream: &str, boot_id: &str, next_seq: u64, previous: Option<Sha256Digest>) -> Self {
        Self { stream: stream.to_string(), boot_id: boot_id.to_string(), next_seq, previous }
    }

    /// The stream.
    pub fn stream(&self) -> &str {
        &self.stream
    }
    /// The boot id.
    pub fn boot_id(&self) -> &str {
        &self.boot_id
    }
    /// Seq of the next heartbeat.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }
    /// SHA-256 of the last payload, if any.
    pub fn previous(&self) -> Option<Sha256Digest> {
        self.previous
    }

    /// The payload bytes of the next heartbeat at `timestamp` (Unix seconds),
    /// checked by the verifier's parser; advances the chain.
    pub fn next_payload(&mut self, input: &HeartbeatInput, timestamp: u64) -> Result<Vec<u8>, HeartbeatError> {
        let mut o = input.0.clone();
        let id = format!("{}/{}/{}", self.stream, self.boot_id, self.next_seq);
        set(&mut o, "type", s(HEARTBEAT_TYPE));
        set(&mut o, "attestation_id", s(id));
        set(&mut o, "stream", s(&self.stream));
        set(&mut o, "boot_id", s(&self.boot_id));
        set(&mut o, "seq", int(self.next_seq));
        set(&mut o, "previous", self.previous.map_or(Value::Null, |p| s(p.to_hex())));
        set(&mut o, "timestamp", int(timestamp));
        let bytes = attest_json::to_canonical_vec(&Value::Object(o));
        attest_verifier::heartbeat::parse_heartbeat(&bytes).map_err(|e| HeartbeatError::Invalid(e.to_string()))?;
        self.previous = Some(sha256(&bytes));
        self.next_seq += 1;
        Ok(bytes)
    }
}

/// A DSSE envelope over `payload` signed by every key (standard padded base64,
/// `keyid` = the key's id), as compact JSON text.
pub fn sign_envelope(payload: &[u8], keys: &[&Ed25519Signer]) -> String {
    sign_envelope_typed(HEARTBEAT_PAYLOAD_TYPE, payload, keys)
}

/// [`sign_envelope`] with another `payloadType` (tests of the type rules).
pub fn sign_envelope_typed(payload_type: &str, payload: &[u8], keys: &[&Ed25519Signer]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let message = pae(payload_type, payload);
    let sigs: Vec<Value> = keys
        .iter()
        .map(|k| {
            let mut o = Object::new();
            set(&mut o, "keyid", s(k.key_id().to_hex()));
            set(&mut o, "sig", s(b64.encode(k.sign(&message).as_bytes())));
            Value::Object(o)
        })
        .collect();
    let mut o = Object::new();
    set(&mut o, "payloadType", s(payload_type));
    set(&mut o, "payload", s(b64.encode(payload)));
    set(&mut o, "signatures", Value::Array(sigs));
    String::from_utf8(attest_json::to_canonical_vec(&Value::Object(o))).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{t, times, HeartbeatWorld, NOW_UNIX};

    #[test]
    fn now_unix_is_the_scenario_now() {
        assert_eq!(t(times::NOW).unix_seconds(), NOW_UNIX as i64);
    }

    #[test]
    fn a_chain_links_payloads_and_the_envelope_verifies_its_pae() {
        let w = HeartbeatWorld::new("unit").expect("world");
        let mut chain = BootChain::new("s", "b");
        let a = chain.next_payload(&w.input_at(0), NOW_UNIX).expect("first");
        let b = chain.next_payload(&w.input_at(1), NOW_UNIX + 60).expect("second");
        let hb = attest_verifier::heartbeat::parse_heartbeat(&b).expect("parses");
        assert_eq!(hb.seq(), 1);
        assert_eq!(hb.previous(), Some(sha256(&a)));
        assert_eq!(chain.next_seq(), 2);
        let key = w.heartbeat.master_ed25519();
        let env = attest_verifier::dsse::parse_envelope(sign_envelope(&a, &[&key]).as_bytes()).expect("envelope");
        assert_eq!(env.payload(), a.as_slice());
        let sig =
            attest_verifier::types::Ed25519Signature::from_bytes(env.signatures()[0].sig().try_into().expect("64"));
        assert!(attest_verifier::crypto::ed25519_verify_strict(&key.public_key(), env.pae(), &sig));
        // The members the chain keeps cannot come from the input.
        let v = attest_verifier::doc::parse_json(br#"{"seq": 3}"#).expect("json");
        assert_eq!(HeartbeatInput::from_value(&v), Err(HeartbeatError::Reserved("seq")));
    }
}
