// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {NetworkRecordProof} from "./NetworkRecordProof.sol";

/// @title NetworkRecordProofVerifier
/// @notice Stateless external wrapper of the `NetworkRecordProof` library, for off-chain
///         callers (eth_call) and contracts that prefer a call over linking the library.
contract NetworkRecordProofVerifier {
    /// @notice SHA-256(0x00 ‖ record).
    /// @param record The record's canonical JSON bytes.
    /// @return The leaf hash.
    function leafHash(bytes calldata record) external view returns (bytes32) {
        return NetworkRecordProof.leafHash(record);
    }

    /// @notice The root an RFC 9162 inclusion proof implies.
    /// @param leaf The leaf hash.
    /// @param index The leaf's index.
    /// @param treeSize The number of leaves.
    /// @param path The audit path.
    /// @return ok False for index ≥ treeSize or a path of the wrong length.
    /// @return root The computed root (zero when not ok).
    function rootFromProof(bytes32 leaf, uint256 index, uint256 treeSize, bytes32[] calldata path)
        external
        view
        returns (bool ok, bytes32 root)
    {
        return NetworkRecordProof.rootFromProof(leaf, index, treeSize, path);
    }

    /// @notice Verifies a record's inclusion proof against a root.
    /// @param record The record's canonical JSON bytes.
    /// @param index The record's index.
    /// @param treeSize The number of records.
    /// @param path The audit path.
    /// @param root The expected root.
    /// @return True iff the proof yields `root`.
    function verify(bytes calldata record, uint256 index, uint256 treeSize, bytes32[] calldata path, bytes32 root)
        external
        view
        returns (bool)
    {
        return NetworkRecordProof.verify(record, index, treeSize, path, root);
    }
}
