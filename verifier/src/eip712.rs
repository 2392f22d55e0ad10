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
        /// The external interface of contracts/src/AttestationVerifier.sol, with the
        /// `AttestVerifierLib` structs (whose EIP-712 type strings are formats.md §4's)
        /// and the inherited Ownable / EIP-712 members. The one ABI definition shared
        /// by the CLI (`attest onchain`) and the anvil tests.
        #[derive(Debug, PartialEq, Eq)]
        contract AttestationVerifier {
            struct Delegation {
                address ephemeral;
                bytes32 contextHash;
                uint64 notBefore;
                uint64 notAfter;
            }

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

            event MasterSet(address indexed master, uint64 validFrom, uint64 validUntil);
            event MasterKeyRevoked(address indexed master);
            event Consumed(bytes32 indexed executionKey, address indexed master, address indexed ephemeral);
            event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
            event EIP712DomainChanged();

            error SignatureEncoding();
            error HighS();
            error InvalidSignature();
            error MasterUntrusted(address master);
            error MasterRevoked(address master);
            error MasterOutsideWindow(address master, uint64 issuedAt, uint64 validFrom, uint64 validUntil);
            error ContextMismatch(bytes32 expected, bytes32 actual);
            error DelegationWindow(uint64 issuedAt, uint64 notBefore, uint64 notAfter);
            error WrongSigner(address expected, address recovered);
            error AlreadyConsumed(bytes32 key);
            error ZeroMaster();
            error EmptyMasterWindow(uint64 validFrom, uint64 validUntil);
            error OwnableUnauthorizedAccount(address account);
            error OwnableInvalidOwner(address owner);
            error InvalidShortString();
            error StringTooLong(string str);

            function setMaster(address master, uint64 validFrom, uint64 validUntil) external;
            function revokeMaster(address master) external;
            function masterInfo(address master)
                external view returns (uint64 validFrom, uint64 validUntil, bool registered, bool revoked);
            function verifyDelegated(Attestation calldata a, bytes calldata attestationSig, Delegation calldata d, bytes calldata delegationSig)
                external view returns (address master);
            function consumeDelegated(Attestation calldata a, bytes calldata attestationSig, Delegation calldata d, bytes calldata delegationSig)
                external returns (address master);
            function tryVerifyDelegated(Attestation calldata a, bytes calldata attestationSig, Delegation calldata d, bytes calldata delegationSig)
                external view returns (uint8 code, address master);
            function tryConsumeDelegated(Attestation calldata a, bytes calldata attestationSig, Delegation calldata d, bytes calldata delegationSig)
                external returns (uint8 code, address master);
            function isConsumed(bytes32 key) external view returns (bool);
            function executionKey(string calldata executionId) external pure returns (bytes32);
            function hashAttestation(Attestation calldata a) external view returns (bytes32);
            function hashDelegation(Delegation calldata d) external view returns (bytes32);
            function domainSeparator() external view returns (bytes32);
            function owner() external view returns (address);
        }
    }
}

pub use sol_types::AttestationVerifier;
pub use sol_types::AttestationVerifier::{
    Attestation as SolAttestation, AttestationVerifierErrors as ContractError, Delegation as SolDelegation,
};

/// Result codes of `tryVerifyDelegated` (`AttestVerifierLib.Code`) as reason codes, indexed by code.
pub const CODE_REASONS: [&str; 11] = [
    "ok",
    "signature-encoding",
    "high-s",
    "invalid-signature",
    "master-untrusted",
    "master-revoked",
    "master-window",
    "context-mismatch",
    "delegation-window",
    "wrong-signer",
    "already-consumed",
];

/// The reason code of a contract verification error (the table at the top of
/// `AttestVerifierLib.sol`, the same codes the Rust checks report); `None` for
/// the registry and Ownable errors.
pub fn contract_error_reason(e: &ContractError) -> Option<&'static str> {
    use ContractError as E;
    Some(match e {
        E::SignatureEncoding(_) => "signature-encoding",
        E::HighS(_) => "high-s",
        E::InvalidSignature(_) => "invalid-signature",
        E::MasterUntrusted(_) => "master-untrusted",
        E::MasterRevoked(_) => "master-revoked",
        E::MasterOutsideWindow(_) => "master-window",
        E::ContextMismatch(_) => "context-mismatch",
        E::DelegationWindow(_) => "delegation-window",
        E::WrongSigner(_) => "wrong-signer",
        E::AlreadyConsumed(_) => "already-consumed",
        _ => return None,
    })
}

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
