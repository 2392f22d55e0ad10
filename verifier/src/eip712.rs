//! EIP-712 typed data of formats.md §4, shared with `AttestationVerifier.sol`.
//!
//! ```text
//! EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)
//!   name = "Attest", version = "1"
//! Delegation(address ephemeral,bytes32 contextHash,uint64 notBefore,uint64 notAfter)
//! Attestation(string executionId,bytes32 payloadHash,bytes32 contextHash,bytes32 bundleHash,
//!             bytes32 runtimeHash,bytes32 outputHash,bytes32 networkSummaryHash,uint64 issuedAt)
//! digest = keccak256(0x19 0x01 ‖ domainSeparator ‖ hashStruct(message))
//! ```
//!
//! Absent hashes are `bytes32(0)`; times are Unix seconds with the fraction dropped.

use alloy_primitives::{Address, B256};
use alloy_sol_types::{Eip712Domain, SolStruct as _};

use crate::types::{EthAddress, Sha256Digest};

/// EIP-712 domain name.
pub const DOMAIN_NAME: &str = "Attest";
/// EIP-712 domain version.
pub const DOMAIN_VERSION: &str = "1";

#[allow(missing_docs)]
mod sol_types {
    alloy_sol_types::sol! {
        /// A per-execution key delegation, as the contract sees it.
        #[derive(Debug, PartialEq, Eq)]
        struct Delegation {
            address ephemeral;
            bytes32 contextHash;
            uint64 notBefore;
            uint64 notAfter;
        }

        /// An attestation, as the contract sees it.
        #[derive(Debug, PartialEq, Eq)]
        struct Attestation {
            string executionId;
            bytes32 payloadHash;
            bytes32 contextHash;
            bytes32 bundleHash;
            bytes32 runtimeHash;
            bytes32 outputHash;
            bytes32 networkSummaryHash;
            uint64 issuedAt;
        }
    }
}

pub use sol_types::{Attestation as SolAttestation, Delegation as SolDelegation};

/// The on-chain domain an attestation is bound to (`onchainDomain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnchainDomain {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// The verifying contract.
    pub verifying_contract: EthAddress,
}

impl OnchainDomain {
    /// The alloy EIP-712 domain.
    pub fn eip712(&self) -> Eip712Domain {
        Eip712Domain::new(
            Some(DOMAIN_NAME.into()),
            Some(DOMAIN_VERSION.into()),
            Some(alloy_primitives::U256::from(self.chain_id)),
            Some(Address::from(*self.verifying_contract.as_bytes())),
            None,
        )
    }

    /// The domain separator.
    pub fn separator(&self) -> [u8; 32] {
        self.eip712().hash_struct().0
    }
}

/// Converts a digest to `bytes32`.
pub fn b256(d: &Sha256Digest) -> B256 {
    B256::from(*d.as_bytes())
}

/// Converts an address.
pub fn address(a: &EthAddress) -> Address {
    Address::from(*a.as_bytes())
}

/// The EIP-712 signing digest of a delegation.
pub fn delegation_digest(domain: &OnchainDomain, d: &SolDelegation) -> [u8; 32] {
    d.eip712_signing_hash(&domain.eip712()).0
}

/// The EIP-712 signing digest of an attestation.
pub fn attestation_digest(domain: &OnchainDomain, a: &SolAttestation) -> [u8; 32] {
    a.eip712_signing_hash(&domain.eip712()).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_strings_are_the_spec_ones() {
        assert_eq!(
            SolDelegation::eip712_encode_type(),
            "Delegation(address ephemeral,bytes32 contextHash,uint64 notBefore,uint64 notAfter)"
        );
        assert_eq!(
            SolAttestation::eip712_encode_type(),
            "Attestation(string executionId,bytes32 payloadHash,bytes32 contextHash,bytes32 bundleHash,bytes32 runtimeHash,bytes32 outputHash,bytes32 networkSummaryHash,uint64 issuedAt)"
        );
    }
}
