// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "./Test.sol";
import {AttestationVerifier} from "../../src/AttestationVerifier.sol";
import {AttestVerifierLib} from "../../src/AttestVerifierLib.sol";

/// @notice Shared keys, sample structs, signing helpers and a naive EIP-712 reference.
abstract contract AttestFixture is Test {
    uint256 internal constant N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;
    uint256 internal constant HALF_N = N / 2;

    uint256 internal constant MASTER_PK = 0xA11CE;
    uint256 internal constant EPHEMERAL_PK = 0xE9E;
    uint256 internal constant OTHER_PK = 0xBAD;
    address internal constant OWNER = address(0x0FFEE);

    uint64 internal constant MASTER_FROM = 1_700_000_000;
    uint64 internal constant ISSUED_AT = 1_800_000_000;
    uint64 internal constant NOT_BEFORE = ISSUED_AT - 60;
    uint64 internal constant NOT_AFTER = ISSUED_AT + 3600;

    AttestationVerifier internal verifier;
    address internal master;
    address internal ephemeral;
    address internal other;

    function setUp() public virtual {
        verifier = new AttestationVerifier(OWNER);
        master = vm.addr(MASTER_PK);
        ephemeral = vm.addr(EPHEMERAL_PK);
        other = vm.addr(OTHER_PK);
        vm.prank(OWNER);
        verifier.setMaster(master, MASTER_FROM, 0);
    }

    // ------------------------------------------------------------ samples

    function _attestation() internal pure returns (AttestVerifierLib.Attestation memory a) {
        a.executionId = "88a9db95-7c1e-4e2b-9a51-3f1f5e8b2c01";
        a.payloadHash = keccak256("payload");
        a.contextHash = keccak256("context");
        a.bundleHash = keccak256("bundle");
        a.runtimeHash = keccak256("runtime");
        a.outputHash = keccak256("output");
        a.networkSummaryHash = bytes32(0);
        a.issuedAt = ISSUED_AT;
    }

    function _delegation() internal view returns (AttestVerifierLib.Delegation memory d) {
        d.ephemeral = ephemeral;
        d.contextHash = keccak256("context");
        d.notBefore = NOT_BEFORE;
        d.notAfter = NOT_AFTER;
    }

    // ------------------------------------------------------------ naive EIP-712 reference

    function _refDomainSeparator(address verifyingContract) internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256(bytes("Attest")),
                keccak256(bytes("1")),
                block.chainid,
                verifyingContract
            )
        );
    }

    function _refDelegationStructHash(AttestVerifierLib.Delegation memory d) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                keccak256("Delegation(address ephemeral,bytes32 contextHash,uint64 notBefore,uint64 notAfter)"),
                d.ephemeral,
                d.contextHash,
                d.notBefore,
                d.notAfter
            )
        );
    }

    function _refAttestationStructHash(AttestVerifierLib.Attestation memory a) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                keccak256(
                    "Attestation(string executionId,bytes32 payloadHash,bytes32 contextHash,bytes32 bundleHash,bytes32 runtimeHash,bytes32 outputHash,bytes32 networkSummaryHash,uint64 issuedAt)"
                ),
                keccak256(bytes(a.executionId)),
                a.payloadHash,
                a.contextHash,
                a.bundleHash,
                a.runtimeHash,
                a.outputHash,
                a.networkSummaryHash,
                a.issuedAt
            )
        );
    }

    function _refDigest(bytes32 separator, bytes32 structHash) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked("\x19\x01", separator, structHash));
    }

    function _refDelegationDigest(address verifyingContract, AttestVerifierLib.Delegation memory d)
        internal
        view
        returns (bytes32)
    {
        return _refDigest(_refDomainSeparator(verifyingContract), _refDelegationStructHash(d));
    }

    function _refAttestationDigest(address verifyingContract, AttestVerifierLib.Attestation memory a)
        internal
        view
        returns (bytes32)
    {
        return _refDigest(_refDomainSeparator(verifyingContract), _refAttestationStructHash(a));
    }

    // ------------------------------------------------------------ signing

    function _sign(uint256 pk, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        return abi.encodePacked(r, s, v);
    }

    function _signDelegation(uint256 pk, AttestVerifierLib.Delegation memory d) internal view returns (bytes memory) {
        return _sign(pk, _refDelegationDigest(address(verifier), d));
    }

    function _signAttestation(uint256 pk, AttestVerifierLib.Attestation memory a) internal view returns (bytes memory) {
        return _sign(pk, _refAttestationDigest(address(verifier), a));
    }

    /// @dev The malleable twin of a low-s signature: (r, n - s, v ^ 1), which ecrecover accepts.
    function _highS(bytes memory sig) internal pure returns (bytes memory) {
        (bytes32 r, bytes32 s, uint8 v) = _split(sig);
        return abi.encodePacked(r, bytes32(N - uint256(s)), v == 27 ? uint8(28) : uint8(27));
    }

    function _split(bytes memory sig) internal pure returns (bytes32 r, bytes32 s, uint8 v) {
        assembly {
            r := mload(add(sig, 0x20))
            s := mload(add(sig, 0x40))
            v := byte(0, mload(add(sig, 0x60)))
        }
    }
}
