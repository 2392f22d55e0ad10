// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title AttestVerifierLib
/// @notice EIP-712 hashing and strict secp256k1 verification of delegated `attest`
///         execution attestations (docs: shared design "formats" §0 and §4), for
///         contracts that verify inside their own code. `AttestationVerifier` is built
///         on this library, so there is one implementation of every rule.
/// @dev Rules and result codes. The off-chain Rust verifier reports the same failures
///      under the check id and reason below (`CONTRACT_ERRORS` in verifier/src/reason.rs;
///      a Rust test compares this table with it); both sides report the FIRST failing rule
///      in this order:
///
///      | code | name                | rule | Rust check id       | Rust reason         |
///      |------|---------------------|------|---------------------|---------------------|
///      |  0   | Ok                  |  -   | -                   | -                   |
///      |  1   | SignatureEncoding   |  a   | onchain-signature   | signature-encoding  |
///      |  2   | HighS               |  a   | onchain-signature   | high-s              |
///      |  3   | InvalidSignature    |  a   | onchain-signature   | invalid-signature   |
///      |  4   | MasterUntrusted     |  b   | onchain-signature   | master-untrusted    |
///      |  5   | MasterRevoked       |  b   | onchain-signature   | master-revoked      |
///      |  6   | MasterOutsideWindow |  b   | onchain-signature   | master-window       |
///      |  7   | ContextMismatch     |  c   | onchain-signature   | context-mismatch    |
///      |  8   | DelegationWindow    |  d   | onchain-signature   | delegation-window   |
///      |  9   | WrongSigner         |  e   | onchain-signature   | wrong-signer        |
///      | 10   | AlreadyConsumed     |  -   | replay              | already-consumed    |
///
///      a. Signature encoding, applied completely to the delegation signature first and
///         then to the attestation signature: length 65 (r ‖ s ‖ v) and v ∈ {27, 28},
///         else SignatureEncoding; 1 ≤ r < n and 1 ≤ s < n, else SignatureEncoding;
///         s ≤ n/2, else HighS; ecrecover ≠ address(0), else InvalidSignature.
///         The delegation signature over `delegationDigest` recovers the master; the
///         attestation signature over `attestationDigest` recovers the signer.
///      b. Master registry (the caller's; `AttestationVerifier` keeps one): registered,
///         else MasterUntrusted; not revoked, else MasterRevoked;
///         validFrom ≤ issuedAt and (validUntil == 0 or issuedAt < validUntil),
///         else MasterOutsideWindow.
///      c. a.contextHash == d.contextHash, else ContextMismatch.
///      d. d.notBefore ≤ a.issuedAt < d.notAfter, else DelegationWindow.
///      e. recovered attestation signer == d.ephemeral, else WrongSigner.
///      Replay (code 10) is keyed by `executionKey(a) = keccak256(bytes(a.executionId))`.
library AttestVerifierLib {
    /// @notice Per-execution key delegation signed (EIP-712) by an attestor-master key.
    /// @param ephemeral Address of the per-execution secp256k1 key.
    /// @param contextHash SHA-256 of C({executionId, policyId, policyVersion, runtimeHash}).
    /// @param notBefore First second (Unix) at which the delegation is valid.
    /// @param notAfter First second (Unix) at which the delegation is no longer valid.
    struct Delegation {
        address ephemeral;
        bytes32 contextHash;
        uint64 notBefore;
        uint64 notAfter;
    }

    /// @notice On-chain view of an execution attestation, signed (EIP-712) by the ephemeral key.
    /// @dev Absent optional hashes are bytes32(0).
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

    /// @notice Result codes; see the table at the top of this library.
    enum Code {
        Ok,
        SignatureEncoding,
        HighS,
        InvalidSignature,
        MasterUntrusted,
        MasterRevoked,
        MasterOutsideWindow,
        ContextMismatch,
        DelegationWindow,
        WrongSigner,
        AlreadyConsumed
    }

    /// @notice keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
    bytes32 internal constant DOMAIN_TYPEHASH = 0x8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f;
    /// @notice keccak256("Attest"), the EIP-712 domain name.
    bytes32 internal constant NAME_HASH = 0x4d1a4dc609c786fcd81565d29bb6d5729acf7884370de7576dc0edb7ae0759a0;
    /// @notice keccak256("1"), the EIP-712 domain version.
    bytes32 internal constant VERSION_HASH = 0xc89efdaa54c0f20c7adf612882df0950f5a951637e0307cdcb4c672f298b8bc6;
    /// @notice keccak256("Delegation(address ephemeral,bytes32 contextHash,uint64 notBefore,uint64 notAfter)")
    bytes32 internal constant DELEGATION_TYPEHASH = 0x323aa746ad5b4e51f7ddc764531207712b44d7301827296361c03f2a6c9ed4a8;
    /// @notice keccak256("Attestation(string executionId,bytes32 payloadHash,bytes32 contextHash,bytes32 bundleHash,
    ///         bytes32 runtimeHash,bytes32 outputHash,bytes32 networkSummaryHash,uint64 issuedAt)")
    bytes32 internal constant ATTESTATION_TYPEHASH = 0x2d425a6bf1814acd264fbe8396d4c62102ffea696fb16441dabeaf6cd7af1c39;

    /// @notice Length of an r ‖ s ‖ v signature.
    uint256 internal constant SIGNATURE_LENGTH = 65;
    /// @notice Accepted recovery ids (v = 27 + yParity).
    uint8 internal constant V_EVEN = 27;
    /// @notice Accepted recovery ids (v = 27 + yParity).
    uint8 internal constant V_ODD = 28;
    /// @notice Order n of the secp256k1 group.
    uint256 internal constant SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;
    /// @notice floor(n / 2): the largest accepted s (low-s rule).
    uint256 internal constant SECP256K1_HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    // Calldata layouts read by the assembly below (ABI encoding, one 32-byte word per member).
    /// @dev Delegation (static tuple): ephemeral at 0x00, contextHash 0x20, notBefore 0x40, notAfter 0x60.
    uint256 private constant D_CONTEXT_HASH = 0x20;
    uint256 private constant D_NOT_BEFORE = 0x40;
    uint256 private constant D_NOT_AFTER = 0x60;
    uint256 private constant D_SIZE = 0x80;
    /// @dev Attestation head: offset of executionId at 0x00, then payloadHash 0x20, contextHash 0x40,
    ///      bundleHash, runtimeHash, outputHash, networkSummaryHash, issuedAt 0xe0.
    uint256 private constant A_PAYLOAD_HASH = 0x20;
    uint256 private constant A_CONTEXT_HASH = 0x40;
    uint256 private constant A_ISSUED_AT = 0xe0;
    /// @dev Bytes from payloadHash through issuedAt (six hashes and issuedAt).
    uint256 private constant A_STATIC_MEMBERS_SIZE = 0xe0;
    /// @dev An ABI word holding an address (uint64) is clean iff it has no bit at or above 160 (64).
    uint256 private constant ADDRESS_BITS = 160;
    uint256 private constant UINT64_BITS = 64;

    /// @notice EIP-712 domain separator for name "Attest", version "1".
    /// @param chainId The chain id of the domain.
    /// @param verifyingContract The verifying contract of the domain.
    /// @return The domain separator.
    function domainSeparator(uint256 chainId, address verifyingContract) internal pure returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, chainId, verifyingContract));
    }

    /// @notice EIP-712 `hashStruct(Delegation)`.
    /// @param d The delegation.
    /// @return h The struct hash.
    function hashDelegationStruct(Delegation calldata d) internal pure returns (bytes32 h) {
        bytes32 typeHash = DELEGATION_TYPEHASH;
        assembly ("memory-safe") {
            // Reject dirty high bits like the ABI decoder does (empty revert), so the words
            // hashed are the canonical encoding; then
            // h = keccak256(abi.encode(typeHash, ephemeral, contextHash, notBefore, notAfter)),
            // built past the free memory pointer without moving it.
            if or(
                shr(ADDRESS_BITS, calldataload(d)),
                shr(UINT64_BITS, or(calldataload(add(d, D_NOT_BEFORE)), calldataload(add(d, D_NOT_AFTER))))
            ) { revert(0, 0) }
            let p := mload(0x40)
            mstore(p, typeHash)
            calldatacopy(add(p, 0x20), d, D_SIZE)
            h := keccak256(p, add(0x20, D_SIZE))
        }
    }

    /// @notice Replay key of an attestation: keccak256(bytes(a.executionId)).
    /// @dev Also the EIP-712 encoding of the `string executionId` member.
    /// @param a The attestation.
    /// @return key The execution key.
    function executionKey(Attestation calldata a) internal pure returns (bytes32 key) {
        string calldata id = a.executionId; // Solidity validates the string's offset and length
        assembly ("memory-safe") {
            let p := mload(0x40)
            calldatacopy(p, id.offset, id.length)
            key := keccak256(p, id.length)
        }
    }

    /// @notice EIP-712 `hashStruct(Attestation)` given the already computed `executionKey(a)`.
    /// @param a The attestation.
    /// @param key executionKey(a).
    /// @return h The struct hash.
    function hashAttestationStruct(Attestation calldata a, bytes32 key) internal pure returns (bytes32 h) {
        bytes32 typeHash = ATTESTATION_TYPEHASH;
        assembly ("memory-safe") {
            // h = keccak256(abi.encode(typeHash, key, payloadHash, contextHash, bundleHash,
            //     runtimeHash, outputHash, networkSummaryHash, issuedAt)): the members after
            // executionId are copied from the calldata head in one go, after the uint64
            // cleanliness check of issuedAt (bytes32 members need none).
            if shr(UINT64_BITS, calldataload(add(a, A_ISSUED_AT))) { revert(0, 0) }
            let p := mload(0x40)
            mstore(p, typeHash)
            mstore(add(p, 0x20), key)
            calldatacopy(add(p, 0x40), add(a, A_PAYLOAD_HASH), A_STATIC_MEMBERS_SIZE)
            h := keccak256(p, add(0x40, A_STATIC_MEMBERS_SIZE))
        }
    }

    /// @notice EIP-712 `hashStruct(Attestation)`.
    /// @param a The attestation.
    /// @return The struct hash.
    function hashAttestationStruct(Attestation calldata a) internal pure returns (bytes32) {
        return hashAttestationStruct(a, executionKey(a));
    }

    /// @notice EIP-712 typed-data digest: keccak256("\x19\x01" ‖ domainSeparator ‖ structHash).
    /// @param separator The domain separator.
    /// @param structHash The struct hash.
    /// @return digest The digest to sign.
    function typedDataDigest(bytes32 separator, bytes32 structHash) internal pure returns (bytes32 digest) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, hex"1901") // EIP-191 version 0x01 prefix, left-aligned
            mstore(add(p, 0x02), separator)
            mstore(add(p, 0x22), structHash)
            digest := keccak256(p, 0x42)
        }
    }

    /// @notice Digest the attestor-master key signs for a delegation.
    /// @param separator The domain separator.
    /// @param d The delegation.
    /// @return The digest.
    function delegationDigest(bytes32 separator, Delegation calldata d) internal pure returns (bytes32) {
        return typedDataDigest(separator, hashDelegationStruct(d));
    }

    /// @notice Digest the ephemeral key signs for an attestation.
    /// @param separator The domain separator.
    /// @param a The attestation.
    /// @return The digest.
    function attestationDigest(bytes32 separator, Attestation calldata a) internal pure returns (bytes32) {
        return typedDataDigest(separator, hashAttestationStruct(a));
    }

    /// @notice Rule a: strict parsing of a 65-byte r ‖ s ‖ v signature and recovery.
    /// @param digest The signed digest.
    /// @param sig The signature.
    /// @return code Ok, SignatureEncoding, HighS or InvalidSignature.
    /// @return signer The recovered address (zero unless code is Ok).
    function tryRecover(bytes32 digest, bytes calldata sig) internal pure returns (Code code, address signer) {
        uint256 r;
        uint256 s;
        uint8 v;
        bool malformed;
        assembly ("memory-safe") {
            r := calldataload(sig.offset)
            s := calldataload(add(sig.offset, 0x20))
            v := byte(0, calldataload(add(sig.offset, 0x40))) // one byte: a clean uint8
            // length != 65, v not in {27, 28}, r or s outside [1, n-1]
            malformed := or(
                or(iszero(eq(sig.length, SIGNATURE_LENGTH)), iszero(or(eq(v, V_EVEN), eq(v, V_ODD)))),
                or(or(iszero(r), iszero(lt(r, SECP256K1_N))), or(iszero(s), iszero(lt(s, SECP256K1_N))))
            )
        }
        if (malformed) return (Code.SignatureEncoding, address(0));
        if (s > SECP256K1_HALF_N) return (Code.HighS, address(0));
        signer = ecrecover(digest, v, bytes32(r), bytes32(s));
        if (signer == address(0)) return (Code.InvalidSignature, address(0));
        return (Code.Ok, signer);
    }

    /// @notice Rule a for both signatures: the delegation signature first, then the attestation one.
    /// @param separator The domain separator.
    /// @param a The attestation.
    /// @param attestationSig Signature of the ephemeral key over attestationDigest.
    /// @param d The delegation.
    /// @param delegationSig Signature of the master key over delegationDigest.
    /// @return code Ok or the first rule-a failure.
    /// @return master The delegation signer (zero if its signature failed).
    /// @return signer The attestation signer (zero unless code is Ok).
    /// @return key executionKey(a) (zero if the delegation signature failed).
    function recoverSigners(
        bytes32 separator,
        Attestation calldata a,
        bytes calldata attestationSig,
        Delegation calldata d,
        bytes calldata delegationSig
    ) internal pure returns (Code code, address master, address signer, bytes32 key) {
        (code, master) = tryRecover(delegationDigest(separator, d), delegationSig);
        if (code != Code.Ok) return (code, master, signer, key);
        key = executionKey(a);
        (code, signer) = tryRecover(typedDataDigest(separator, hashAttestationStruct(a, key)), attestationSig);
    }

    /// @notice Rules c, d and e, given the recovered attestation signer.
    /// @param a The attestation.
    /// @param d The delegation.
    /// @param signer The address recovered from the attestation signature.
    /// @return Ok, ContextMismatch, DelegationWindow or WrongSigner.
    function checkBinding(Attestation calldata a, Delegation calldata d, address signer) internal pure returns (Code) {
        bytes32 attestationContext;
        bytes32 delegationContext;
        uint256 issuedAt;
        uint256 notBefore;
        uint256 notAfter;
        address ephemeral;
        assembly ("memory-safe") {
            // Direct loads from the calldata heads, with the ABI decoder's cleanliness rule for
            // the address and uint64 members.
            attestationContext := calldataload(add(a, A_CONTEXT_HASH))
            issuedAt := calldataload(add(a, A_ISSUED_AT))
            ephemeral := calldataload(d)
            delegationContext := calldataload(add(d, D_CONTEXT_HASH))
            notBefore := calldataload(add(d, D_NOT_BEFORE))
            notAfter := calldataload(add(d, D_NOT_AFTER))
            if or(shr(ADDRESS_BITS, ephemeral), shr(UINT64_BITS, or(issuedAt, or(notBefore, notAfter)))) {
                revert(0, 0)
            }
        }
        if (attestationContext != delegationContext) return Code.ContextMismatch;
        if (issuedAt < notBefore || issuedAt >= notAfter) return Code.DelegationWindow;
        if (signer != ephemeral) return Code.WrongSigner;
        return Code.Ok;
    }

    /// @notice Rule b's time window for a master key: validFrom ≤ t and (validUntil == 0 or t < validUntil).
    /// @param t The attestation's issuedAt.
    /// @param validFrom First second the master is usable.
    /// @param validUntil First second the master is no longer usable, or 0 for open-ended.
    /// @return True when t lies in the window.
    function inMasterWindow(uint64 t, uint64 validFrom, uint64 validUntil) internal pure returns (bool) {
        return validFrom <= t && (validUntil == 0 || t < validUntil);
    }

    /// @notice Rules a, c, d and e (the master registry, rule b, is the caller's).
    /// @param separator The domain separator (see `domainSeparator`).
    /// @param a The attestation.
    /// @param attestationSig Signature of the ephemeral key over attestationDigest.
    /// @param d The delegation.
    /// @param delegationSig Signature of the master key over delegationDigest.
    /// @return code Ok or the first failing rule's code.
    /// @return master The recovered master (zero if the delegation signature failed). Check
    ///         it against your registry only when code is Ok.
    function tryVerify(
        bytes32 separator,
        Attestation calldata a,
        bytes calldata attestationSig,
        Delegation calldata d,
        bytes calldata delegationSig
    ) internal pure returns (Code code, address master) {
        address signer;
        (code, master, signer,) = recoverSigners(separator, a, attestationSig, d, delegationSig);
        if (code == Code.Ok) code = checkBinding(a, d, signer);
    }
}
