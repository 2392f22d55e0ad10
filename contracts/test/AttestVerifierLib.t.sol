// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AttestFixture} from "./utils/AttestFixture.sol";
import {AttestVerifierLib as Lib} from "../src/AttestVerifierLib.sol";

/// @notice Exposes the library to tests (as an integrator's contract would use it).
contract LibHarness {
    function tryVerify(
        bytes32 separator,
        Lib.Attestation calldata a,
        bytes calldata attestationSig,
        Lib.Delegation calldata d,
        bytes calldata delegationSig
    ) external pure returns (Lib.Code code, address master) {
        return Lib.tryVerify(separator, a, attestationSig, d, delegationSig);
    }

    function tryRecover(bytes32 digest, bytes calldata sig) external pure returns (Lib.Code code, address signer) {
        return Lib.tryRecover(digest, sig);
    }

    function domainSeparator(uint256 chainId, address verifyingContract) external pure returns (bytes32) {
        return Lib.domainSeparator(chainId, verifyingContract);
    }

    function hashDelegationStruct(Lib.Delegation calldata d) external pure returns (bytes32) {
        return Lib.hashDelegationStruct(d);
    }

    function hashAttestationStruct(Lib.Attestation calldata a) external pure returns (bytes32) {
        return Lib.hashAttestationStruct(a);
    }

    function executionKey(Lib.Attestation calldata a) external pure returns (bytes32) {
        return Lib.executionKey(a);
    }

    function checkBinding(Lib.Attestation calldata a, Lib.Delegation calldata d, address signer)
        external
        pure
        returns (Lib.Code)
    {
        return Lib.checkBinding(a, d, signer);
    }
}

contract AttestVerifierLibTest is AttestFixture {
    LibHarness internal lib;

    function setUp() public override {
        super.setUp();
        lib = new LibHarness();
    }

    /// @dev Naive reference of rule a, written independently of the library.
    function _refRecover(bytes32 digest, bytes memory sig) internal pure returns (Lib.Code, address) {
        if (sig.length != 65) return (Lib.Code.SignatureEncoding, address(0));
        (bytes32 r, bytes32 s, uint8 v) = _split(sig);
        if (v != 27 && v != 28) return (Lib.Code.SignatureEncoding, address(0));
        if (uint256(r) == 0 || uint256(r) >= N) return (Lib.Code.SignatureEncoding, address(0));
        if (uint256(s) == 0 || uint256(s) >= N) return (Lib.Code.SignatureEncoding, address(0));
        if (uint256(s) > HALF_N) return (Lib.Code.HighS, address(0));
        address signer = ecrecover(digest, v, r, s);
        if (signer == address(0)) return (Lib.Code.InvalidSignature, address(0));
        return (Lib.Code.Ok, signer);
    }

    function test_DomainSeparatorMatchesContract() public view {
        assertEq(lib.domainSeparator(block.chainid, address(verifier)), verifier.domainSeparator(), "separator");
        assertEq(
            lib.domainSeparator(block.chainid, address(verifier)), _refDomainSeparator(address(verifier)), "reference"
        );
    }

    function testFuzz_StructHashesMatchReference(Lib.Attestation memory a, Lib.Delegation memory d) public view {
        assertEq(lib.hashAttestationStruct(a), _refAttestationStructHash(a), "attestation struct hash");
        assertEq(lib.hashDelegationStruct(d), _refDelegationStructHash(d), "delegation struct hash");
        assertEq(lib.executionKey(a), keccak256(bytes(a.executionId)), "execution key");
    }

    function testFuzz_TryRecoverMatchesReference(bytes32 digest, bytes32 r, bytes32 s, uint8 v, uint8 lenSel)
        public
        view
    {
        // Mostly well-formed lengths and v, with the boundaries of r and s well represented.
        if (v & 0x80 == 0) v = 27 + (v & 1);
        if (lenSel % 8 == 0) r = bytes32(N - (uint256(r) % 3)); // n, n-1, n-2
        if (lenSel % 8 == 1) s = bytes32(HALF_N + (uint256(s) % 3)); // n/2, n/2+1, n/2+2
        if (lenSel % 8 == 2) s = bytes32(uint256(s) % 2); // 0, 1
        bytes memory sig = abi.encodePacked(r, s, v);
        if (lenSel >= 0xf0) sig = abi.encodePacked(sig, lenSel); // 66 bytes
        if (lenSel >= 0xe0 && lenSel < 0xf0) sig = abi.encodePacked(r, s); // 64 bytes
        (Lib.Code code, address signer) = lib.tryRecover(digest, sig);
        (Lib.Code refCode, address refSigner) = _refRecover(digest, sig);
        assertEq(uint8(code), uint8(refCode), "code");
        assertEq(signer, refSigner, "signer");
    }

    function testFuzz_TryRecoverSignedDigest(uint256 pk, bytes32 digest) public view {
        pk = bound(pk, 1, N - 1);
        bytes memory sig = _sign(pk, digest);
        (Lib.Code code, address signer) = lib.tryRecover(digest, sig);
        assertEq(uint8(code), uint8(Lib.Code.Ok), "code");
        assertEq(signer, vm.addr(pk), "signer");
        (code, signer) = lib.tryRecover(digest, _highS(sig));
        assertEq(uint8(code), uint8(Lib.Code.HighS), "high-s");
        assertEq(signer, address(0), "no signer");
    }

    function test_TryVerifyIgnoresRegistry() public view {
        Lib.Attestation memory a = _attestation();
        Lib.Delegation memory d = _delegation();
        bytes memory aSig = _signAttestation(EPHEMERAL_PK, a);
        bytes memory dSig = _signDelegation(OTHER_PK, d); // not registered in the verifier
        (Lib.Code code, address m) = lib.tryVerify(verifier.domainSeparator(), a, aSig, d, dSig);
        assertEq(uint8(code), uint8(Lib.Code.Ok), "code");
        assertEq(m, other, "master");
    }

    function test_TryVerifyUsesGivenSeparator() public view {
        Lib.Attestation memory a = _attestation();
        Lib.Delegation memory d = _delegation();
        bytes memory aSig = _signAttestation(EPHEMERAL_PK, a);
        bytes memory dSig = _signDelegation(MASTER_PK, d);
        bytes32 foreign = lib.domainSeparator(block.chainid + 1, address(verifier));
        (Lib.Code code, address m) = lib.tryVerify(foreign, a, aSig, d, dSig);
        // Another domain: the master recovers to a stranger and the ephemeral signature to another one.
        assertEq(uint8(code), uint8(Lib.Code.WrongSigner), "code");
        assertTrue(m != master, "stranger master");
    }

    function test_TryVerifyBindingCodes() public view {
        bytes32 sep = verifier.domainSeparator();
        Lib.Attestation memory a = _attestation();
        Lib.Delegation memory d = _delegation();
        bytes memory dSig = _signDelegation(MASTER_PK, d);

        a.contextHash = bytes32(uint256(1));
        (Lib.Code code,) = lib.tryVerify(sep, a, _signAttestation(EPHEMERAL_PK, a), d, dSig);
        assertEq(uint8(code), uint8(Lib.Code.ContextMismatch), "context");

        a = _attestation();
        a.issuedAt = NOT_AFTER;
        (code,) = lib.tryVerify(sep, a, _signAttestation(EPHEMERAL_PK, a), d, dSig);
        assertEq(uint8(code), uint8(Lib.Code.DelegationWindow), "window");

        a = _attestation();
        (code,) = lib.tryVerify(sep, a, _signAttestation(OTHER_PK, a), d, dSig);
        assertEq(uint8(code), uint8(Lib.Code.WrongSigner), "signer");

        (code,) = lib.tryVerify(sep, a, _signAttestation(EPHEMERAL_PK, a), d, "");
        assertEq(uint8(code), uint8(Lib.Code.SignatureEncoding), "encoding");
    }

    function test_CheckBindingRejectsDirtyCalldata() public view {
        Lib.Attestation memory a = _attestation();
        Lib.Delegation memory d = _delegation();
        bytes memory data = abi.encodeCall(lib.checkBinding, (a, d, ephemeral));
        (bool ok,) = address(lib).staticcall(data);
        assertTrue(ok, "clean");
        // Layout: selector | offset(a) | d (4 words, static, in the head) | signer | a ...
        // Dirty the high byte of d.notAfter (head word 1 + 3).
        data[4 + 0x20 + 0x60] = 0x01;
        (ok,) = address(lib).staticcall(data);
        assertTrue(!ok, "dirty uint64 rejected");
    }
}
