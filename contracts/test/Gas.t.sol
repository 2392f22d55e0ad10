// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {AttestFixture} from "./utils/AttestFixture.sol";
import {LibHarness} from "./AttestVerifierLib.t.sol";
import {AttestVerifierLib} from "../src/AttestVerifierLib.sol";

/// @notice Exposes OpenZeppelin's ECDSA.recover alone, as the baseline.
contract EcdsaRecoverHarness {
    function recover(bytes32 digest, bytes calldata sig) external pure returns (address) {
        return ECDSA.recover(digest, sig);
    }
}

/// @notice Execution gas of the hot paths, from the callee's perspective (no 21,000 base cost,
///         no calldata cost, cold storage as in a fresh transaction). Each number is recorded in
///         snapshots/verification-gas.json (`vm.snapshotGasLastCall`; checked when
///         FORGE_SNAPSHOT_CHECK=true) and printed with `forge test -vv --match-contract GasTest`.
contract GasTest is AttestFixture {
    string internal constant GROUP = "verification-gas";
    uint256 internal constant VERIFY_TARGET = 15_000;
    uint256 internal constant CONSUME_TARGET = 40_000;

    EcdsaRecoverHarness internal ecdsa;
    LibHarness internal lib;
    AttestVerifierLib.Attestation internal a;
    AttestVerifierLib.Delegation internal d;
    bytes internal aSig;
    bytes internal dSig;

    function setUp() public override {
        super.setUp();
        ecdsa = new EcdsaRecoverHarness();
        lib = new LibHarness();
        a = _attestation();
        d = _delegation();
        aSig = _signAttestation(EPHEMERAL_PK, a);
        dSig = _signDelegation(MASTER_PK, d);
    }

    function _record(string memory name) internal returns (uint256 used) {
        used = vm.snapshotGasLastCall(GROUP, name);
        log(name, used);
    }

    function test_Gas_EcdsaRecoverAlone() public {
        bytes32 digest = _refDelegationDigest(address(verifier), d);
        bytes memory sig = dSig;
        ecdsa.recover(digest, sig);
        _record("OpenZeppelin ECDSA.recover");
    }

    function test_Gas_VerifyDelegated() public {
        (AttestVerifierLib.Attestation memory a_, AttestVerifierLib.Delegation memory d_) = (a, d);
        (bytes memory aSig_, bytes memory dSig_) = (aSig, dSig);
        verifier.verifyDelegated(a_, aSig_, d_, dSig_);
        assertLt(_record("verifyDelegated"), VERIFY_TARGET, "verifyDelegated gas target");
    }

    function test_Gas_ConsumeDelegated() public {
        (AttestVerifierLib.Attestation memory a_, AttestVerifierLib.Delegation memory d_) = (a, d);
        (bytes memory aSig_, bytes memory dSig_) = (aSig, dSig);
        verifier.consumeDelegated(a_, aSig_, d_, dSig_);
        assertLt(_record("consumeDelegated"), CONSUME_TARGET, "consumeDelegated gas target");
    }

    function test_Gas_TryVerifyDelegated() public {
        (AttestVerifierLib.Attestation memory a_, AttestVerifierLib.Delegation memory d_) = (a, d);
        (bytes memory aSig_, bytes memory dSig_) = (aSig, dSig);
        verifier.tryVerifyDelegated(a_, aSig_, d_, dSig_);
        _record("tryVerifyDelegated");
    }

    function test_Gas_LibTryVerify() public {
        (AttestVerifierLib.Attestation memory a_, AttestVerifierLib.Delegation memory d_) = (a, d);
        (bytes memory aSig_, bytes memory dSig_) = (aSig, dSig);
        bytes32 separator = verifier.domainSeparator();
        lib.tryVerify(separator, a_, aSig_, d_, dSig_);
        _record("AttestVerifierLib.tryVerify (no registry)");
    }
}
