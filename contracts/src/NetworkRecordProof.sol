// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title NetworkRecordProof
/// @notice Verifies that one network-log record is included in a network summary's
///         Merkle root: RFC 9162 §2.1.3.2 inclusion proofs over SHA-256 (design "formats" §5).
/// @dev leaf(r) = SHA-256(0x00 ‖ C(r)), interior node = SHA-256(0x01 ‖ left ‖ right), where
///      C(r) is the record's canonical (RFC 8785) JSON bytes. SHA-256 is the precompile at
///      address 0x02, called from assembly (hence `view`): about a third cheaper than
///      Solidity's `sha256` builtin on a fresh buffer per node.
library NetworkRecordProof {
    /// @notice Address of the SHA-256 precompile.
    uint256 internal constant SHA256_PRECOMPILE = 0x02;
    /// @notice Domain-separation prefix of a leaf hash.
    uint256 internal constant LEAF_PREFIX = 0x00;
    /// @notice Domain-separation prefix of an interior node hash.
    uint256 internal constant NODE_PREFIX = 0x01;
    /// @notice Length of an interior node's preimage: prefix ‖ left ‖ right.
    uint256 internal constant NODE_PREIMAGE_LENGTH = 65;

    /// @notice The leaf hash of a record.
    /// @param record The record's canonical JSON bytes.
    /// @return leaf SHA-256(0x00 ‖ record).
    function leafHash(bytes calldata record) internal view returns (bytes32 leaf) {
        assembly ("memory-safe") {
            // Preimage built past the free memory pointer, digest returned in scratch space.
            let p := mload(0x40)
            mstore8(p, LEAF_PREFIX)
            calldatacopy(add(p, 1), record.offset, record.length)
            if iszero(staticcall(gas(), SHA256_PRECOMPILE, p, add(record.length, 1), 0x00, 0x20)) {
                revert(0, 0)
            }
            leaf := mload(0x00)
        }
    }

    /// @notice Computes the root that an inclusion proof implies (RFC 9162 §2.1.3.2).
    /// @param leaf The leaf hash (see `leafHash`).
    /// @param index The leaf's index (the record's `seq`).
    /// @param treeSize The number of leaves in the tree.
    /// @param path The audit path, from the leaf's sibling upwards.
    /// @return ok False when index ≥ treeSize or the path has the wrong length for (index, treeSize).
    /// @return root The computed root (zero when not ok).
    function rootFromProof(bytes32 leaf, uint256 index, uint256 treeSize, bytes32[] calldata path)
        internal
        view
        returns (bool ok, bytes32 root)
    {
        if (index >= treeSize) return (false, bytes32(0));
        uint256 sn = treeSize - 1;
        assembly ("memory-safe") {
            // fn = index, sn = treeSize - 1, r = leaf; for each sibling p in path:
            //   sn == 0 → fail (path too long);
            //   LSB(fn) set or fn == sn → r = H(0x01 ‖ p ‖ r), then while LSB(fn) unset and
            //   fn ≠ 0 shift fn and sn right; otherwise r = H(0x01 ‖ r ‖ p);
            //   shift fn and sn right once.
            // At the end sn must be 0 (else the path was too short).
            // The 65-byte preimage is built past the free memory pointer.
            let fn := index
            let r := leaf
            let p := mload(0x40)
            mstore8(p, NODE_PREFIX)
            let end := add(path.offset, shl(5, path.length))
            for { let cursor := path.offset } lt(cursor, end) { cursor := add(cursor, 0x20) } {
                if iszero(sn) {
                    sn := 1 // path too long: leave sn nonzero so that the proof fails
                    break
                }
                let sibling := calldataload(cursor)
                switch or(and(fn, 1), eq(fn, sn))
                case 1 {
                    mstore(add(p, 0x01), sibling)
                    mstore(add(p, 0x21), r)
                    for {} and(iszero(and(fn, 1)), iszero(iszero(fn))) {} {
                        fn := shr(1, fn)
                        sn := shr(1, sn)
                    }
                }
                default {
                    mstore(add(p, 0x01), r)
                    mstore(add(p, 0x21), sibling)
                }
                if iszero(staticcall(gas(), SHA256_PRECOMPILE, p, NODE_PREIMAGE_LENGTH, 0x00, 0x20)) {
                    revert(0, 0)
                }
                r := mload(0x00)
                fn := shr(1, fn)
                sn := shr(1, sn)
            }
            root := r
        }
        if (sn != 0) return (false, bytes32(0));
        return (true, root);
    }

    /// @notice Verifies a record's inclusion proof against a root.
    /// @param record The record's canonical JSON bytes.
    /// @param index The record's index in the log.
    /// @param treeSize The number of records in the log.
    /// @param path The audit path.
    /// @param root The expected Merkle root (the summary's `root`).
    /// @return True iff the proof is well-formed and yields `root`.
    function verify(bytes calldata record, uint256 index, uint256 treeSize, bytes32[] calldata path, bytes32 root)
        internal
        view
        returns (bool)
    {
        (bool ok, bytes32 computed) = rootFromProof(leafHash(record), index, treeSize, path);
        return ok && computed == root;
    }
}
