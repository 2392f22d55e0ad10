// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {AttestVerifierLib as Lib} from "./AttestVerifierLib.sol";

/// @title AttestationVerifier
/// @notice On-chain verification of `attest` execution attestations signed by a
///         per-execution (ephemeral) key that an attestor-master key delegated to.
///         The owner keeps the registry of master keys; `consumeDelegated` adds replay
///         protection keyed by the execution id.
/// @dev EIP-712 domain: name "Attest", version "1", chainId = block.chainid,
///      verifyingContract = this contract (ERC-5267 `eip712Domain()` is available).
///      Rules, their order and result codes are documented in `AttestVerifierLib`.
contract AttestationVerifier is Ownable, EIP712 {
    /// @dev A master key's registry entry; the four members share one storage slot.
    struct Master {
        uint64 validFrom;
        uint64 validUntil;
        bool registered;
        bool revoked;
    }

    /// @dev Registry of attestor-master keys by address.
    mapping(address master => Master) private _masters;
    /// @dev Consumed executions, keyed by keccak256(bytes(executionId)).
    mapping(bytes32 executionKey => bool) private _consumed;

    /// @notice Emitted when a master key is registered or its window is changed.
    /// @param master The master key's address.
    /// @param validFrom First second (Unix) at which attestations may be issued under it.
    /// @param validUntil First second at which it is no longer usable, or 0 for open-ended.
    event MasterSet(address indexed master, uint64 validFrom, uint64 validUntil);

    /// @notice Emitted when a master key is revoked (permanently).
    /// @param master The master key's address.
    event MasterKeyRevoked(address indexed master);

    /// @notice Emitted when an attestation is consumed.
    /// @param executionKey keccak256(bytes(executionId)).
    /// @param master The delegating master key.
    /// @param ephemeral The per-execution key that signed the attestation.
    event Consumed(bytes32 indexed executionKey, address indexed master, address indexed ephemeral);

    /// @notice A signature is not 65 bytes r ‖ s ‖ v with v ∈ {27, 28}, or r or s is outside [1, n-1].
    /// @dev Rust check `onchain-signature`, reason `signature-encoding`. Code 1.
    error SignatureEncoding();

    /// @notice A signature's s is above n/2 (low-s rule).
    /// @dev Rust check `onchain-signature`, reason `high-s`. Code 2.
    error HighS();

    /// @notice A signature recovers no address (ecrecover returned zero).
    /// @dev Rust check `onchain-signature`, reason `invalid-signature`. Code 3.
    error InvalidSignature();

    /// @notice The delegation signer is not a registered master key.
    /// @dev Rust check `onchain-signature`, reason `master-untrusted`. Code 4.
    /// @param master The recovered delegation signer.
    error MasterUntrusted(address master);

    /// @notice The delegation signer is a revoked master key.
    /// @dev Rust check `onchain-signature`, reason `master-revoked`. Code 5. Also raised by
    ///      `setMaster` and `revokeMaster` for a master that is already revoked.
    /// @param master The master key.
    error MasterRevoked(address master);

    /// @notice The attestation's issuedAt is outside the master key's validity window.
    /// @dev Rust check `onchain-signature`, reason `master-window`. Code 6.
    /// @param master The master key.
    /// @param issuedAt The attestation's issuedAt.
    /// @param validFrom The master's validFrom.
    /// @param validUntil The master's validUntil (0: open-ended).
    error MasterOutsideWindow(address master, uint64 issuedAt, uint64 validFrom, uint64 validUntil);

    /// @notice The attestation's contextHash differs from the delegation's.
    /// @dev Rust check `onchain-signature`, reason `context-mismatch`. Code 7.
    /// @param expected The delegation's contextHash.
    /// @param actual The attestation's contextHash.
    error ContextMismatch(bytes32 expected, bytes32 actual);

    /// @notice The attestation's issuedAt is outside [notBefore, notAfter) of the delegation.
    /// @dev Rust check `onchain-signature`, reason `delegation-window`. Code 8.
    /// @param issuedAt The attestation's issuedAt.
    /// @param notBefore The delegation's notBefore.
    /// @param notAfter The delegation's notAfter.
    error DelegationWindow(uint64 issuedAt, uint64 notBefore, uint64 notAfter);

    /// @notice The attestation signature does not recover the delegated ephemeral key.
    /// @dev Rust check `onchain-signature`, reason `wrong-signer`. Code 9.
    /// @param expected The delegation's ephemeral address.
    /// @param recovered The address recovered from the attestation signature.
    error WrongSigner(address expected, address recovered);

    /// @notice The execution was already consumed.
    /// @dev Rust check `replay`, reason `already-consumed`. Code 10.
    /// @param key keccak256(bytes(executionId)).
    error AlreadyConsumed(bytes32 key);

    /// @notice `setMaster` was given address(0).
    error ZeroMaster();

    /// @notice `setMaster` was given an empty window (validUntil ≠ 0 and validUntil ≤ validFrom).
    /// @param validFrom The requested validFrom.
    /// @param validUntil The requested validUntil.
    error EmptyMasterWindow(uint64 validFrom, uint64 validUntil);

    /// @notice Deploys the verifier.
    /// @param initialOwner The account that manages the master-key registry.
    constructor(address initialOwner) Ownable(initialOwner) EIP712("Attest", "1") {}

    // ------------------------------------------------------------------ registry

    /// @notice Registers a master key or updates its window. A revoked key cannot be set again.
    /// @param master The master key's address (not zero).
    /// @param validFrom First second (Unix) at which attestations may be issued under it.
    /// @param validUntil First second at which it is no longer usable, or 0 for open-ended.
    function setMaster(address master, uint64 validFrom, uint64 validUntil) external onlyOwner {
        if (master == address(0)) revert ZeroMaster();
        if (validUntil != 0 && validUntil <= validFrom) revert EmptyMasterWindow(validFrom, validUntil);
        Master storage m = _masters[master];
        if (m.revoked) revert MasterRevoked(master);
        m.validFrom = validFrom;
        m.validUntil = validUntil;
        m.registered = true;
        emit MasterSet(master, validFrom, validUntil);
    }

    /// @notice Revokes a registered master key for good: it is refused at every time.
    /// @param master The master key's address.
    function revokeMaster(address master) external onlyOwner {
        Master storage m = _masters[master];
        if (!m.registered) revert MasterUntrusted(master);
        if (m.revoked) revert MasterRevoked(master);
        m.revoked = true;
        emit MasterKeyRevoked(master);
    }

    /// @notice A master key's registry entry.
    /// @param master The master key's address.
    /// @return validFrom First usable second.
    /// @return validUntil First unusable second, or 0 for open-ended.
    /// @return registered Whether the key was ever registered.
    /// @return revoked Whether the key is revoked.
    function masterInfo(address master)
        external
        view
        returns (uint64 validFrom, uint64 validUntil, bool registered, bool revoked)
    {
        Master memory m = _masters[master];
        return (m.validFrom, m.validUntil, m.registered, m.revoked);
    }

    // ------------------------------------------------------------------ verification

    /// @notice Verifies a delegated attestation (rules a–e); reverts with the first failure.
    ///         Does not check or record consumption.
    /// @param a The attestation.
    /// @param attestationSig 65-byte r ‖ s ‖ v signature of the ephemeral key over hashAttestation(a).
    /// @param d The delegation.
    /// @param delegationSig 65-byte r ‖ s ‖ v signature of the master key over hashDelegation(d).
    /// @return master The delegating master key.
    function verifyDelegated(
        Lib.Attestation calldata a,
        bytes calldata attestationSig,
        Lib.Delegation calldata d,
        bytes calldata delegationSig
    ) external view returns (address master) {
        Lib.Code code;
        address signer;
        (code, master, signer,) = _verify(a, attestationSig, d, delegationSig);
        if (code != Lib.Code.Ok) _revertWith(code, a, d, master, signer);
    }

    /// @notice Verifies like `verifyDelegated`, then consumes the execution once.
    /// @dev Reverts AlreadyConsumed(executionKey) on a second use. Emits `Consumed`.
    /// @param a The attestation.
    /// @param attestationSig Signature of the ephemeral key over hashAttestation(a).
    /// @param d The delegation.
    /// @param delegationSig Signature of the master key over hashDelegation(d).
    /// @return master The delegating master key.
    function consumeDelegated(
        Lib.Attestation calldata a,
        bytes calldata attestationSig,
        Lib.Delegation calldata d,
        bytes calldata delegationSig
    ) external returns (address master) {
        Lib.Code code;
        address signer;
        bytes32 key;
        (code, master, signer, key) = _verify(a, attestationSig, d, delegationSig);
        if (code != Lib.Code.Ok) _revertWith(code, a, d, master, signer);
        if (_consumed[key]) revert AlreadyConsumed(key);
        _consumed[key] = true;
        emit Consumed(key, master, signer);
    }

    /// @notice Non-reverting `verifyDelegated` that also reports consumption.
    /// @param a The attestation.
    /// @param attestationSig Signature of the ephemeral key over hashAttestation(a).
    /// @param d The delegation.
    /// @param delegationSig Signature of the master key over hashDelegation(d).
    /// @return code An `AttestVerifierLib.Code`: 0 Ok, 1 SignatureEncoding, 2 HighS,
    ///         3 InvalidSignature, 4 MasterUntrusted, 5 MasterRevoked, 6 MasterOutsideWindow,
    ///         7 ContextMismatch, 8 DelegationWindow, 9 WrongSigner, 10 AlreadyConsumed.
    /// @return master The recovered delegation signer whenever the delegation signature
    ///         passed rule a (also for codes ≥ 2 caused by the attestation signature), else zero.
    function tryVerifyDelegated(
        Lib.Attestation calldata a,
        bytes calldata attestationSig,
        Lib.Delegation calldata d,
        bytes calldata delegationSig
    ) external view returns (uint8 code, address master) {
        Lib.Code c;
        bytes32 key;
        (c, master,, key) = _verify(a, attestationSig, d, delegationSig);
        if (c == Lib.Code.Ok && _consumed[key]) c = Lib.Code.AlreadyConsumed;
        return (uint8(c), master);
    }

    /// @notice Non-reverting `consumeDelegated`: consumes (and emits `Consumed`) only when code is 0.
    /// @param a The attestation.
    /// @param attestationSig Signature of the ephemeral key over hashAttestation(a).
    /// @param d The delegation.
    /// @param delegationSig Signature of the master key over hashDelegation(d).
    /// @return code As for `tryVerifyDelegated`.
    /// @return master As for `tryVerifyDelegated`.
    function tryConsumeDelegated(
        Lib.Attestation calldata a,
        bytes calldata attestationSig,
        Lib.Delegation calldata d,
        bytes calldata delegationSig
    ) external returns (uint8 code, address master) {
        Lib.Code c;
        address signer;
        bytes32 key;
        (c, master, signer, key) = _verify(a, attestationSig, d, delegationSig);
        if (c == Lib.Code.Ok) {
            if (_consumed[key]) {
                c = Lib.Code.AlreadyConsumed;
            } else {
                _consumed[key] = true;
                emit Consumed(key, master, signer);
            }
        }
        return (uint8(c), master);
    }

    /// @notice Whether an execution was consumed.
    /// @param key keccak256(bytes(executionId)), see `executionKey`.
    /// @return True once `consumeDelegated` or `tryConsumeDelegated` succeeded for it.
    function isConsumed(bytes32 key) external view returns (bool) {
        return _consumed[key];
    }

    // ------------------------------------------------------------------ hashing

    /// @notice Replay key of an execution id: keccak256(bytes(executionId)).
    /// @param executionId The attestation's executionId.
    /// @return The key used by `isConsumed` and the `Consumed` event.
    function executionKey(string calldata executionId) external pure returns (bytes32) {
        return keccak256(bytes(executionId));
    }

    /// @notice EIP-712 digest of an attestation under this contract's domain.
    /// @param a The attestation.
    /// @return The digest the ephemeral key signs.
    function hashAttestation(Lib.Attestation calldata a) external view returns (bytes32) {
        return Lib.attestationDigest(_domainSeparatorV4(), a);
    }

    /// @notice EIP-712 digest of a delegation under this contract's domain.
    /// @param d The delegation.
    /// @return The digest the master key signs.
    function hashDelegation(Lib.Delegation calldata d) external view returns (bytes32) {
        return Lib.delegationDigest(_domainSeparatorV4(), d);
    }

    /// @notice This contract's EIP-712 domain separator.
    /// @return The domain separator.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ------------------------------------------------------------------ internals

    /// @dev Rules a–e in order. `key` is zero when the delegation signature failed.
    function _verify(
        Lib.Attestation calldata a,
        bytes calldata attestationSig,
        Lib.Delegation calldata d,
        bytes calldata delegationSig
    ) private view returns (Lib.Code code, address master, address signer, bytes32 key) {
        (code, master, signer, key) = Lib.recoverSigners(_domainSeparatorV4(), a, attestationSig, d, delegationSig);
        if (code != Lib.Code.Ok) return (code, master, signer, key);
        code = _checkMaster(master, a.issuedAt);
        if (code != Lib.Code.Ok) return (code, master, signer, key);
        code = Lib.checkBinding(a, d, signer);
    }

    /// @dev Rule b: one storage read.
    function _checkMaster(address master, uint64 issuedAt) private view returns (Lib.Code) {
        Master memory m = _masters[master];
        if (!m.registered) return Lib.Code.MasterUntrusted;
        if (m.revoked) return Lib.Code.MasterRevoked;
        if (!Lib.inMasterWindow(issuedAt, m.validFrom, m.validUntil)) return Lib.Code.MasterOutsideWindow;
        return Lib.Code.Ok;
    }

    /// @dev Reverts with the custom error of a failing code (never called with Ok).
    function _revertWith(
        Lib.Code code,
        Lib.Attestation calldata a,
        Lib.Delegation calldata d,
        address master,
        address signer
    ) private view {
        if (code == Lib.Code.SignatureEncoding) revert SignatureEncoding();
        if (code == Lib.Code.HighS) revert HighS();
        if (code == Lib.Code.InvalidSignature) revert InvalidSignature();
        if (code == Lib.Code.MasterUntrusted) revert MasterUntrusted(master);
        if (code == Lib.Code.MasterRevoked) revert MasterRevoked(master);
        if (code == Lib.Code.MasterOutsideWindow) {
            Master memory m = _masters[master];
            revert MasterOutsideWindow(master, a.issuedAt, m.validFrom, m.validUntil);
        }
        if (code == Lib.Code.ContextMismatch) revert ContextMismatch(d.contextHash, a.contextHash);
        if (code == Lib.Code.DelegationWindow) revert DelegationWindow(a.issuedAt, d.notBefore, d.notAfter);
        revert WrongSigner(d.ephemeral, signer);
    }
}
