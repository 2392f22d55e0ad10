//! # attest-attestor
//!
//! The attestor core of attest: key derivation from a master secret
//! (docs/spec.md §4), and building and signing every format the verifier
//! checks — trust roots, bundle manifests, execution attestations,
//! delegations with EIP-712 signatures, network logs and summaries, DSSE
//! runtime heartbeats ([`heartbeat`]), signed notes and log checkpoints
//! ([`note`]), fork evidence ([`fork`]) — in
//! exactly the bytes the verifier and the contracts expect; and the
//! recorded HTTPS exchange ([`recorder`]) behind `attest fetch`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod attestation;
pub mod bundle;
pub mod fork;
pub mod heartbeat;
pub mod json;
pub mod keys;
pub mod network;
pub mod note;
pub mod recorder;
pub mod scenario;
pub mod sign;
pub mod tee;
pub mod trust_root;

pub use keys::{Ed25519Signer, MasterSecret, Secp256k1Signer};
