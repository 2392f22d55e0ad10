// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {AttestFixture} from "./utils/AttestFixture.sol";
import {AttestationVerifier} from "../src/AttestationVerifier.sol";
import {AttestVerifierLib} from "../src/AttestVerifierLib.sol";

contract AttestationVerifierTest is AttestFixture {
    uint8 internal constant OK = 0;
    uint8 internal constant SIGNATURE_ENCODING = 1;
    uint8 internal constant HIGH_S = 2;
    uint8 internal constant INVALID_SIGNATURE = 3;
    uint8 internal constant MASTER_UNTRUSTED = 4;
    uint8 internal constant MASTER_REVOKED = 5;
    uint8 internal constant MASTER_OUTSIDE_WINDOW = 6;
    uint8 internal constant CONTEXT_MISMATCH = 7;
    uint8 internal constant DELEGATION_WINDOW = 8;
    uint8 internal constant WRONG_SIGNER = 9;
    uint8 internal constant ALREADY_CONSUMED = 10;

    /// @dev r = 5 is no x-coordinate on secp256k1 (5^3 + 7 is a non-residue mod p): ecrecover → 0.
    uint256 internal constant R_NOT_ON_CURVE = 5;

    event MasterSet(address indexed master, uint64 validFrom, uint64 validUntil);
    event MasterKeyRevoked(address indexed master);
    event Consumed(bytes32 indexed executionKey, address indexed master, address indexed ephemeral);

    // ================================================================ helpers

    /// @dev Asserts the failure code everywhere: verify/consume revert with `err`, try* return `code`
    ///      and consume nothing.
    function _expectFailure(
        AttestVerifierLib.Attestation memory a,
        bytes memory aSig,
        AttestVerifierLib.Delegation memory d,
        bytes memory dSig,
        uint8 code,
        bytes memory err
    ) internal {
        vm.expectRevert(err);
        verifier.verifyDelegated(a, aSig, d, dSig);
        vm.expectRevert(err);
        verifier.consumeDelegated(a, aSig, d, dSig);
        (uint8 c,) = verifier.tryVerifyDelegated(a, aSig, d, dSig);
        assertEq(c, code, "tryVerifyDelegated code");
        (c,) = verifier.tryConsumeDelegated(a, aSig, d, dSig);
        assertEq(c, code, "tryConsumeDelegated code");
        assertTrue(!verifier.isConsumed(keccak256(bytes(a.executionId))), "nothing consumed");
    }

    function _sigs(AttestVerifierLib.Attestation memory a, AttestVerifierLib.Delegation memory d)
        internal
        view
        returns (bytes memory aSig, bytes memory dSig)
    {
        return (_signAttestation(EPHEMERAL_PK, a), _signDelegation(MASTER_PK, d));
    }

    function _err(bytes4 selector) internal pure returns (bytes memory) {
        return abi.encodePacked(selector);
    }

    // ================================================================ hashing

    function test_TypeHashConstants() public pure {
        assertEq(
            AttestVerifierLib.DOMAIN_TYPEHASH,
            keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
            "domain typehash"
        );
        assertEq(
            AttestVerifierLib.DELEGATION_TYPEHASH,
            keccak256("Delegation(address ephemeral,bytes32 contextHash,uint64 notBefore,uint64 notAfter)"),
            "delegation typehash"
        );
        assertEq(
            AttestVerifierLib.ATTESTATION_TYPEHASH,
            keccak256(
                "Attestation(string executionId,bytes32 payloadHash,bytes32 contextHash,bytes32 bundleHash,bytes32 runtimeHash,bytes32 outputHash,bytes32 networkSummaryHash,uint64 issuedAt)"
            ),
            "attestation typehash"
        );
        assertEq(AttestVerifierLib.NAME_HASH, keccak256("Attest"), "name hash");
        assertEq(AttestVerifierLib.VERSION_HASH, keccak256("1"), "version hash");
        assertEq(AttestVerifierLib.SECP256K1_HALF_N, HALF_N, "n/2");
    }

    function test_DomainSeparator() public view {
        assertEq(verifier.domainSeparator(), _refDomainSeparator(address(verifier)), "domain separator");
        (bytes1 fields, string memory name, string memory version, uint256 chainId, address vc,,) =
            verifier.eip712Domain();
        assertEq(uint8(fields), 0x0f, "ERC-5267 fields");
        assertEq(bytes(name), bytes("Attest"), "name");
        assertEq(bytes(version), bytes("1"), "version");
        assertEq(chainId, block.chainid, "chainId");
        assertEq(vc, address(verifier), "verifyingContract");
    }

    function test_DomainSeparatorFollowsChainId() public {
        bytes32 before = verifier.domainSeparator();
        vm.chainId(1);
        bytes32 afterFork = verifier.domainSeparator();
        assertTrue(before != afterFork, "separator changes with chain id");
        assertEq(afterFork, _refDomainSeparator(address(verifier)), "separator on new chain");
        // A signature made for the old chain id no longer verifies.
        vm.chainId(31337);
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        (bytes memory aSig, bytes memory dSig) = _sigs(a, d);
        vm.chainId(1);
        (uint8 code,) = verifier.tryVerifyDelegated(a, aSig, d, dSig);
        assertEq(code, MASTER_UNTRUSTED, "other chain recovers another master");
    }

    function test_HashDelegationMatchesReference() public view {
        AttestVerifierLib.Delegation memory d = _delegation();
        assertEq(verifier.hashDelegation(d), _refDelegationDigest(address(verifier), d), "delegation digest");
    }

    function test_HashAttestationMatchesReference() public view {
        AttestVerifierLib.Attestation memory a = _attestation();
        assertEq(verifier.hashAttestation(a), _refAttestationDigest(address(verifier), a), "attestation digest");
        a.executionId = "";
        assertEq(verifier.hashAttestation(a), _refAttestationDigest(address(verifier), a), "empty executionId");
        a.executionId = "an execution id that is longer than one thirty-two byte word, to cross word boundaries";
        assertEq(verifier.hashAttestation(a), _refAttestationDigest(address(verifier), a), "long executionId");
    }

    function testFuzz_HashesMatchReference(
        AttestVerifierLib.Attestation memory a,
        AttestVerifierLib.Delegation memory d
    ) public view {
        assertEq(verifier.hashAttestation(a), _refAttestationDigest(address(verifier), a), "attestation digest");
        assertEq(verifier.hashDelegation(d), _refDelegationDigest(address(verifier), d), "delegation digest");
    }

    function test_ExecutionKey() public view {
        assertEq(verifier.executionKey("abc"), keccak256("abc"), "execution key");
    }

    function test_DirtyCalldataReverts() public view {
        // hashDelegation with an `ephemeral` word that has high bits set: ABI decoding rejects it.
        bytes memory data = abi.encodeCall(verifier.hashDelegation, (_delegation()));
        (bool ok,) = address(verifier).staticcall(data);
        assertTrue(ok, "clean calldata accepted");
        data[4] = 0x01;
        (ok,) = address(verifier).staticcall(data);
        assertTrue(!ok, "dirty address rejected");
        // hashAttestation with a dirty uint64 issuedAt.
        data = abi.encodeCall(verifier.hashAttestation, (_attestation()));
        (ok,) = address(verifier).staticcall(data);
        assertTrue(ok, "clean attestation accepted");
        // head: selector, offset of the tuple (0x20), then the tuple head; issuedAt is word 7 of it.
        data[4 + 0x20 + 0xe0] = 0x01;
        (ok,) = address(verifier).staticcall(data);
        assertTrue(!ok, "dirty uint64 rejected");
    }

    // ================================================================ happy paths

    function test_VerifyDelegated() public view {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        (bytes memory aSig, bytes memory dSig) = _sigs(a, d);
        assertEq(verifier.verifyDelegated(a, aSig, d, dSig), master, "master");
        (uint8 code, address m) = verifier.tryVerifyDelegated(a, aSig, d, dSig);
        assertEq(code, OK, "code");
        assertEq(m, master, "try master");
    }

    function test_VerifyDelegatedWindowEdges() public {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        // issuedAt == notBefore is inside; notAfter - 1 is inside.
        d.notBefore = ISSUED_AT;
        d.notAfter = ISSUED_AT + 1;
        (bytes memory aSig, bytes memory dSig) = _sigs(a, d);
        assertEq(verifier.verifyDelegated(a, aSig, d, dSig), master, "delegation edges");
        // master window: validFrom == issuedAt and validUntil == issuedAt + 1 are inside.
        vm.prank(OWNER);
        verifier.setMaster(master, ISSUED_AT, ISSUED_AT + 1);
        assertEq(verifier.verifyDelegated(a, aSig, d, dSig), master, "master edges");
    }

    function test_ConsumeDelegated() public {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        (bytes memory aSig, bytes memory dSig) = _sigs(a, d);
        bytes32 key = keccak256(bytes(a.executionId));

        vm.expectEmit(true, true, true, true, address(verifier));
        emit Consumed(key, master, ephemeral);
        assertEq(verifier.consumeDelegated(a, aSig, d, dSig), master, "master");
        assertTrue(verifier.isConsumed(key), "consumed");

        vm.expectRevert(abi.encodeWithSelector(AttestationVerifier.AlreadyConsumed.selector, key));
        verifier.consumeDelegated(a, aSig, d, dSig);
        (uint8 code, address m) = verifier.tryVerifyDelegated(a, aSig, d, dSig);
        assertEq(code, ALREADY_CONSUMED, "try verify after consume");
        assertEq(m, master, "master still reported");
        (code,) = verifier.tryConsumeDelegated(a, aSig, d, dSig);
        assertEq(code, ALREADY_CONSUMED, "try consume after consume");
        // verifyDelegated does not look at consumption.
        assertEq(verifier.verifyDelegated(a, aSig, d, dSig), master, "verify after consume");
    }

    function test_ConsumeKeyIsExecutionIdOnly() public {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        (bytes memory aSig, bytes memory dSig) = _sigs(a, d);
        verifier.consumeDelegated(a, aSig, d, dSig);
        // Same execution id, different payload: still a replay.
        a.payloadHash = keccak256("another payload");
        aSig = _signAttestation(EPHEMERAL_PK, a);
        vm.expectRevert(
            abi.encodeWithSelector(AttestationVerifier.AlreadyConsumed.selector, keccak256(bytes(a.executionId)))
        );
        verifier.consumeDelegated(a, aSig, d, dSig);
        // Another execution id is independent.
        a.executionId = "another";
        aSig = _signAttestation(EPHEMERAL_PK, a);
        verifier.consumeDelegated(a, aSig, d, dSig);
    }

    function test_StorageFootprint() public {
        // setMaster writes one slot per master (validFrom, validUntil, registered, revoked packed).
        vm.record();
        vm.prank(OWNER);
        verifier.setMaster(address(0x1234), 1, 2);
        (, bytes32[] memory writes) = vm.accesses(address(verifier));
        assertEq(_distinct(writes), 1, "setMaster writes one slot");

        // consumeDelegated adds exactly one slot per execution and reads one registry slot.
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        (bytes memory aSig, bytes memory dSig) = _sigs(a, d);
        vm.record();
        verifier.consumeDelegated(a, aSig, d, dSig);
        bytes32[] memory reads;
        (reads, writes) = vm.accesses(address(verifier));
        assertEq(_distinct(writes), 1, "consumeDelegated writes one slot");
        assertEq(_distinct(reads), 2, "consumeDelegated reads the master slot and the consumed slot");
    }

    function _distinct(bytes32[] memory slots) internal pure returns (uint256 n) {
        for (uint256 i = 0; i < slots.length; ++i) {
            bool seen;
            for (uint256 j = 0; j < i; ++j) {
                if (slots[j] == slots[i]) seen = true;
            }
            if (!seen) ++n;
        }
    }

    function test_TryConsumeDelegated() public {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        (bytes memory aSig, bytes memory dSig) = _sigs(a, d);
        bytes32 key = keccak256(bytes(a.executionId));
        vm.expectEmit(true, true, true, true, address(verifier));
        emit Consumed(key, master, ephemeral);
        (uint8 code, address m) = verifier.tryConsumeDelegated(a, aSig, d, dSig);
        assertEq(code, OK, "code");
        assertEq(m, master, "master");
        assertTrue(verifier.isConsumed(key), "consumed");
        (code,) = verifier.tryConsumeDelegated(a, aSig, d, dSig);
        assertEq(code, ALREADY_CONSUMED, "second");
    }

    // ================================================================ rule a: signatures

    function test_SignatureEncoding_Length() public {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        (bytes memory aSig, bytes memory dSig) = _sigs(a, d);
        bytes memory err = _err(AttestationVerifier.SignatureEncoding.selector);
        _expectFailure(a, aSig, d, "", SIGNATURE_ENCODING, err);
        _expectFailure(a, aSig, d, abi.encodePacked(dSig, uint8(0)), SIGNATURE_ENCODING, err);
        // 64-byte (EIP-2098 compact) signatures are not accepted.
        (bytes32 r, bytes32 s,) = _split(dSig);
        _expectFailure(a, aSig, d, abi.encodePacked(r, s), SIGNATURE_ENCODING, err);
        _expectFailure(a, "", d, dSig, SIGNATURE_ENCODING, err);
        _expectFailure(a, abi.encodePacked(aSig, uint8(0)), d, dSig, SIGNATURE_ENCODING, err);
    }

    function test_SignatureEncoding_V() public {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        (bytes memory aSig, bytes memory dSig) = _sigs(a, d);
        bytes memory err = _err(AttestationVerifier.SignatureEncoding.selector);
        uint8[4] memory badV = [uint8(0), 1, 29, 255];
        for (uint256 i = 0; i < badV.length; ++i) {
            (bytes32 r, bytes32 s,) = _split(dSig);
            _expectFailure(a, aSig, d, abi.encodePacked(r, s, badV[i]), SIGNATURE_ENCODING, err);
            (r, s,) = _split(aSig);
            _expectFailure(a, abi.encodePacked(r, s, badV[i]), d, dSig, SIGNATURE_ENCODING, err);
        }
    }

    function test_SignatureEncoding_RangeOfRAndS() public {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        (bytes memory aSig, bytes memory dSig) = _sigs(a, d);
        bytes memory err = _err(AttestationVerifier.SignatureEncoding.selector);
        (bytes32 r, bytes32 s, uint8 v) = _split(dSig);
        _expectFailure(a, aSig, d, abi.encodePacked(bytes32(0), s, v), SIGNATURE_ENCODING, err);
        _expectFailure(a, aSig, d, abi.encodePacked(bytes32(N), s, v), SIGNATURE_ENCODING, err);
        _expectFailure(a, aSig, d, abi.encodePacked(bytes32(type(uint256).max), s, v), SIGNATURE_ENCODING, err);
        _expectFailure(a, aSig, d, abi.encodePacked(r, bytes32(0), v), SIGNATURE_ENCODING, err);
        // s ≥ n is an encoding failure, not high-s.
        _expectFailure(a, aSig, d, abi.encodePacked(r, bytes32(N), v), SIGNATURE_ENCODING, err);
        (r, s, v) = _split(aSig);
        _expectFailure(a, abi.encodePacked(bytes32(0), s, v), d, dSig, SIGNATURE_ENCODING, err);
        _expectFailure(a, abi.encodePacked(r, bytes32(N + 1), v), d, dSig, SIGNATURE_ENCODING, err);
    }

    function test_HighS() public {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        (bytes memory aSig, bytes memory dSig) = _sigs(a, d);
        bytes memory err = _err(AttestationVerifier.HighS.selector);
        _expectFailure(a, aSig, d, _highS(dSig), HIGH_S, err);
        _expectFailure(a, _highS(aSig), d, dSig, HIGH_S, err);
        // s == n/2 is accepted by the encoding rules, s == n/2 + 1 is not.
        (bytes32 r,, uint8 v) = _split(dSig);
        _expectFailure(a, aSig, d, abi.encodePacked(r, bytes32(HALF_N + 1), v), HIGH_S, err);
        (uint8 code,) = verifier.tryVerifyDelegated(a, aSig, d, abi.encodePacked(r, bytes32(HALF_N), v));
        assertTrue(code != HIGH_S && code != SIGNATURE_ENCODING, "s == n/2 passes the encoding rules");
    }

    function test_InvalidSignature() public {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        (bytes memory aSig, bytes memory dSig) = _sigs(a, d);
        bytes memory err = _err(AttestationVerifier.InvalidSignature.selector);
        (, bytes32 s, uint8 v) = _split(dSig);
        _expectFailure(a, aSig, d, abi.encodePacked(bytes32(R_NOT_ON_CURVE), s, v), INVALID_SIGNATURE, err);
        (, s, v) = _split(aSig);
        _expectFailure(a, abi.encodePacked(bytes32(R_NOT_ON_CURVE), s, v), d, dSig, INVALID_SIGNATURE, err);
    }

    // ================================================================ rule b: master registry

    function test_MasterUntrusted() public {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        bytes memory aSig = _signAttestation(EPHEMERAL_PK, a);
        bytes memory dSig = _signDelegation(OTHER_PK, d);
        _expectFailure(
            a,
            aSig,
            d,
            dSig,
            MASTER_UNTRUSTED,
            abi.encodeWithSelector(AttestationVerifier.MasterUntrusted.selector, other)
        );
        (, address m) = verifier.tryVerifyDelegated(a, aSig, d, dSig);
        assertEq(m, other, "recovered master reported");
    }

    function test_MasterRevoked() public {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        (bytes memory aSig, bytes memory dSig) = _sigs(a, d);
        vm.prank(OWNER);
        verifier.revokeMaster(master);
        _expectFailure(
            a, aSig, d, dSig, MASTER_REVOKED, abi.encodeWithSelector(AttestationVerifier.MasterRevoked.selector, master)
        );
    }

    function test_MasterOutsideWindow() public {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        (bytes memory aSig, bytes memory dSig) = _sigs(a, d);
        uint64[2][3] memory windows = [
            [uint64(ISSUED_AT + 1), uint64(0)], // not yet valid, open-ended
            [uint64(MASTER_FROM), uint64(ISSUED_AT)], // validUntil == issuedAt is outside
            [uint64(MASTER_FROM), uint64(ISSUED_AT - 1)]
        ];
        for (uint256 i = 0; i < windows.length; ++i) {
            vm.prank(OWNER);
            verifier.setMaster(master, windows[i][0], windows[i][1]);
            _expectFailure(
                a,
                aSig,
                d,
                dSig,
                MASTER_OUTSIDE_WINDOW,
                abi.encodeWithSelector(
                    AttestationVerifier.MasterOutsideWindow.selector, master, ISSUED_AT, windows[i][0], windows[i][1]
                )
            );
        }
    }

    // ================================================================ rules c, d, e

    function test_ContextMismatch() public {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        a.contextHash = keccak256("another context");
        (bytes memory aSig, bytes memory dSig) = _sigs(a, d);
        _expectFailure(
            a,
            aSig,
            d,
            dSig,
            CONTEXT_MISMATCH,
            abi.encodeWithSelector(AttestationVerifier.ContextMismatch.selector, d.contextHash, a.contextHash)
        );
    }

    function test_DelegationWindow() public {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        uint64[3] memory issued = [NOT_BEFORE - 1, NOT_AFTER, NOT_AFTER + 1];
        for (uint256 i = 0; i < issued.length; ++i) {
            a.issuedAt = issued[i];
            (bytes memory aSig, bytes memory dSig) = _sigs(a, d);
            _expectFailure(
                a,
                aSig,
                d,
                dSig,
                DELEGATION_WINDOW,
                abi.encodeWithSelector(AttestationVerifier.DelegationWindow.selector, issued[i], NOT_BEFORE, NOT_AFTER)
            );
        }
    }

    function test_WrongSigner() public {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        bytes memory aSig = _signAttestation(OTHER_PK, a);
        bytes memory dSig = _signDelegation(MASTER_PK, d);
        _expectFailure(
            a,
            aSig,
            d,
            dSig,
            WRONG_SIGNER,
            abi.encodeWithSelector(AttestationVerifier.WrongSigner.selector, ephemeral, other)
        );
    }

    function test_TamperedAttestationIsWrongSigner() public view {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        (bytes memory aSig, bytes memory dSig) = _sigs(a, d);
        a.outputHash = keccak256("tampered");
        (uint8 code,) = verifier.tryVerifyDelegated(a, aSig, d, dSig);
        assertEq(code, WRONG_SIGNER, "tampered attestation");
    }

    function test_TamperedDelegationIsMasterUntrusted() public view {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        (bytes memory aSig, bytes memory dSig) = _sigs(a, d);
        d.notAfter += 1;
        (uint8 code,) = verifier.tryVerifyDelegated(a, aSig, d, dSig);
        assertEq(code, MASTER_UNTRUSTED, "tampered delegation recovers a stranger");
    }

    // ================================================================ order of the rules

    function test_Order_DelegationSignatureBeforeAttestationSignature() public view {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        bytes memory dSig = _signDelegation(MASTER_PK, d);
        // Both bad: the delegation's failure (high-s) wins over the attestation's (encoding).
        (uint8 code,) = verifier.tryVerifyDelegated(a, "", d, _highS(dSig));
        assertEq(code, HIGH_S, "delegation first");
        // Delegation recovers nothing while the attestation is mis-encoded: invalid-signature.
        (, bytes32 s, uint8 v) = _split(dSig);
        (code,) = verifier.tryVerifyDelegated(a, "", d, abi.encodePacked(bytes32(R_NOT_ON_CURVE), s, v));
        assertEq(code, INVALID_SIGNATURE, "whole rule a on the delegation signature first");
    }

    function test_Order_SignaturesBeforeRegistry() public view {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        bytes memory dSig = _signDelegation(OTHER_PK, d); // untrusted master
        (uint8 code,) = verifier.tryVerifyDelegated(a, _highS(_signAttestation(EPHEMERAL_PK, a)), d, dSig);
        assertEq(code, HIGH_S, "rule a before rule b");
    }

    function test_Order_RegistryBeforeBinding() public view {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        a.contextHash = bytes32(0);
        a.issuedAt = NOT_AFTER;
        bytes memory aSig = _signAttestation(OTHER_PK, a);
        bytes memory dSig = _signDelegation(OTHER_PK, d);
        (uint8 code,) = verifier.tryVerifyDelegated(a, aSig, d, dSig);
        assertEq(code, MASTER_UNTRUSTED, "b before c, d, e");
        dSig = _signDelegation(MASTER_PK, d);
        (code,) = verifier.tryVerifyDelegated(a, aSig, d, dSig);
        assertEq(code, CONTEXT_MISMATCH, "c before d, e");
        a.contextHash = d.contextHash;
        aSig = _signAttestation(OTHER_PK, a);
        (code,) = verifier.tryVerifyDelegated(a, aSig, d, dSig);
        assertEq(code, DELEGATION_WINDOW, "d before e");
    }

    function test_Order_RevokedBeforeWindow() public {
        AttestVerifierLib.Attestation memory a = _attestation();
        AttestVerifierLib.Delegation memory d = _delegation();
        (bytes memory aSig, bytes memory dSig) = _sigs(a, d);
        vm.prank(OWNER);
        verifier.setMaster(master, ISSUED_AT + 1, 0);
        vm.prank(OWNER);
        verifier.revokeMaster(master);
        (uint8 code,) = verifier.tryVerifyDelegated(a, aSig, d, dSig);
        assertEq(code, MASTER_REVOKED, "revoked before window");
    }

    // ================================================================ registry administration

    function test_Constructor() public {
        assertEq(verifier.owner(), OWNER, "owner");
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        new AttestationVerifier(address(0));
    }

    function test_SetMaster() public {
        address m = address(0x1234);
        vm.expectEmit(true, true, true, true, address(verifier));
        emit MasterSet(m, 10, 20);
        vm.prank(OWNER);
        verifier.setMaster(m, 10, 20);
        (uint64 from, uint64 until, bool registered, bool revoked) = verifier.masterInfo(m);
        assertEq(from, 10, "validFrom");
        assertEq(until, 20, "validUntil");
        assertTrue(registered && !revoked, "flags");
        // Updating the window of a live master is allowed.
        vm.prank(OWNER);
        verifier.setMaster(m, 5, 0);
        (from, until,,) = verifier.masterInfo(m);
        assertEq(from, 5, "new validFrom");
        assertEq(until, 0, "open-ended");
    }

    function test_SetMaster_OnlyOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        verifier.setMaster(address(0x1234), 0, 0);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        verifier.revokeMaster(master);
    }

    function test_SetMaster_Rejects() public {
        vm.prank(OWNER);
        vm.expectRevert(_err(AttestationVerifier.ZeroMaster.selector));
        verifier.setMaster(address(0), 0, 0);
        vm.prank(OWNER);
        vm.expectRevert(abi.encodeWithSelector(AttestationVerifier.EmptyMasterWindow.selector, uint64(10), uint64(10)));
        verifier.setMaster(address(0x1234), 10, 10);
        vm.prank(OWNER);
        vm.expectRevert(abi.encodeWithSelector(AttestationVerifier.EmptyMasterWindow.selector, uint64(10), uint64(9)));
        verifier.setMaster(address(0x1234), 10, 9);
    }

    function test_RevokeMaster() public {
        vm.expectEmit(true, true, true, true, address(verifier));
        emit MasterKeyRevoked(master);
        vm.prank(OWNER);
        verifier.revokeMaster(master);
        (,, bool registered, bool revoked) = verifier.masterInfo(master);
        assertTrue(registered && revoked, "flags");
        // Revoked stays revoked.
        vm.prank(OWNER);
        vm.expectRevert(abi.encodeWithSelector(AttestationVerifier.MasterRevoked.selector, master));
        verifier.setMaster(master, 0, 0);
        vm.prank(OWNER);
        vm.expectRevert(abi.encodeWithSelector(AttestationVerifier.MasterRevoked.selector, master));
        verifier.revokeMaster(master);
    }

    function test_RevokeMaster_Unknown() public {
        vm.prank(OWNER);
        vm.expectRevert(abi.encodeWithSelector(AttestationVerifier.MasterUntrusted.selector, address(0x1234)));
        verifier.revokeMaster(address(0x1234));
    }

    // ================================================================ fuzz

    function testFuzz_RoundTrip(
        uint256 masterPk,
        uint256 ephemeralPk,
        AttestVerifierLib.Attestation memory a,
        uint64 notBefore,
        uint64 notAfter,
        uint64 validFrom,
        uint64 validUntil
    ) public {
        vm.assume(a.issuedAt < type(uint64).max);
        masterPk = bound(masterPk, 1, N - 1);
        ephemeralPk = bound(ephemeralPk, 1, N - 1);
        // Windows that contain issuedAt.
        notBefore = uint64(bound(notBefore, 0, a.issuedAt));
        notAfter = uint64(bound(notAfter, uint256(a.issuedAt) + 1, type(uint64).max));
        validFrom = uint64(bound(validFrom, 0, a.issuedAt));
        if (validUntil != 0) validUntil = uint64(bound(validUntil, uint256(a.issuedAt) + 1, type(uint64).max));

        address m = vm.addr(masterPk);
        vm.prank(OWNER);
        verifier.setMaster(m, validFrom, validUntil);
        AttestVerifierLib.Delegation memory d = AttestVerifierLib.Delegation({
            ephemeral: vm.addr(ephemeralPk), contextHash: a.contextHash, notBefore: notBefore, notAfter: notAfter
        });
        bytes memory aSig = _signAttestation(ephemeralPk, a);
        bytes memory dSig = _signDelegation(masterPk, d);

        assertEq(verifier.verifyDelegated(a, aSig, d, dSig), m, "verify");
        (uint8 code, address got) = verifier.tryVerifyDelegated(a, aSig, d, dSig);
        assertEq(code, OK, "try code");
        assertEq(got, m, "try master");
        assertEq(verifier.consumeDelegated(a, aSig, d, dSig), m, "consume");
        assertTrue(verifier.isConsumed(keccak256(bytes(a.executionId))), "consumed");
    }

    function testFuzz_RandomSignaturesNeverVerify(bytes memory aSig, bytes memory dSig) public view {
        _assertRejectedWithoutRevert(_attestation(), aSig, _delegation(), dSig);
    }

    function testFuzz_RandomRsvNeverVerify(bytes32 r1, bytes32 s1, uint8 v1, bytes32 r2, bytes32 s2, uint8 v2)
        public
        view
    {
        // Bias v toward the accepted values so that recovery is actually exercised.
        if (v1 & 0x80 == 0) v1 = 27 + (v1 & 1);
        if (v2 & 0x80 == 0) v2 = 27 + (v2 & 1);
        _assertRejectedWithoutRevert(
            _attestation(), abi.encodePacked(r1, s1, v1), _delegation(), abi.encodePacked(r2, s2, v2)
        );
    }

    function testFuzz_RandomAttestationSigWithValidDelegation(bytes32 r, bytes32 s, uint8 v) public view {
        AttestVerifierLib.Delegation memory d = _delegation();
        if (v & 0x80 == 0) v = 27 + (v & 1);
        _assertRejectedWithoutRevert(_attestation(), abi.encodePacked(r, s, v), d, _signDelegation(MASTER_PK, d));
    }

    function _assertRejectedWithoutRevert(
        AttestVerifierLib.Attestation memory a,
        bytes memory aSig,
        AttestVerifierLib.Delegation memory d,
        bytes memory dSig
    ) internal view {
        (bool ok, bytes memory ret) =
            address(verifier).staticcall(abi.encodeCall(verifier.tryVerifyDelegated, (a, aSig, d, dSig)));
        assertTrue(ok, "tryVerifyDelegated never reverts");
        (uint8 code,) = abi.decode(ret, (uint8, address));
        assertTrue(code != OK && code <= ALREADY_CONSUMED, "random signature rejected with a known code");
        (ok,) = address(verifier).staticcall(abi.encodeCall(verifier.verifyDelegated, (a, aSig, d, dSig)));
        assertTrue(!ok, "verifyDelegated reverts");
    }

    function testFuzz_HighSRejected(uint256 ephemeralPk, uint256 masterPk, bytes32 payloadHash) public {
        ephemeralPk = bound(ephemeralPk, 1, N - 1);
        masterPk = bound(masterPk, 1, N - 1);
        AttestVerifierLib.Attestation memory a = _attestation();
        a.payloadHash = payloadHash;
        AttestVerifierLib.Delegation memory d = _delegation();
        d.ephemeral = vm.addr(ephemeralPk);
        bytes memory aSig = _signAttestation(ephemeralPk, a);
        bytes memory dSig = _signDelegation(masterPk, d);
        bytes memory err = _err(AttestationVerifier.HighS.selector);

        vm.expectRevert(err);
        verifier.verifyDelegated(a, _highS(aSig), d, dSig);
        (uint8 code,) = verifier.tryVerifyDelegated(a, _highS(aSig), d, dSig);
        assertEq(code, HIGH_S, "high-s attestation signature");
        vm.expectRevert(err);
        verifier.verifyDelegated(a, aSig, d, _highS(dSig));
        (code,) = verifier.tryVerifyDelegated(a, aSig, d, _highS(dSig));
        assertEq(code, HIGH_S, "high-s delegation signature");
    }
}
