// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {NetworkRecordProofVerifier} from "../src/NetworkRecordProofVerifier.sol";

/// @notice Tests the RFC 9162 inclusion-proof library through its external wrapper, against a
///         reference Merkle tree built here (RFC 9162 §2.1.1 MTH and §2.1.3.1 PATH) and a
///         vector computed independently (Python hashlib).
contract NetworkRecordProofTest is Test {
    uint256 internal constant MAX_TREE = 64;

    NetworkRecordProofVerifier internal proofs;

    function setUp() public {
        proofs = new NetworkRecordProofVerifier();
    }

    // ------------------------------------------------------------ reference tree

    function _record(uint256 seed, uint256 i) internal pure returns (bytes memory) {
        // Records of varying length (0..95 bytes), so leaf hashing crosses word boundaries.
        bytes32 h = keccak256(abi.encode(seed, i));
        uint256 len = uint256(h) % 96;
        bytes memory r = new bytes(len);
        for (uint256 j = 0; j < len; ++j) {
            r[j] = bytes1(uint8(uint256(keccak256(abi.encode(h, j)))));
        }
        return r;
    }

    function _leaf(bytes memory record) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x00), record));
    }

    function _node(bytes32 l, bytes32 r) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x01), l, r));
    }

    /// @dev Largest power of two strictly smaller than n (n ≥ 2).
    function _split(uint256 n) internal pure returns (uint256 k) {
        k = 1;
        while (k << 1 < n) k <<= 1;
    }

    function _mth(bytes32[] memory leaves, uint256 start, uint256 end) internal pure returns (bytes32) {
        uint256 n = end - start;
        if (n == 0) return sha256("");
        if (n == 1) return leaves[start];
        uint256 k = _split(n);
        return _node(_mth(leaves, start, start + k), _mth(leaves, start + k, end));
    }

    function _pathInto(
        bytes32[] memory leaves,
        uint256 m,
        uint256 start,
        uint256 end,
        bytes32[] memory out,
        uint256 len
    ) internal pure returns (uint256) {
        uint256 n = end - start;
        if (n <= 1) return len;
        uint256 k = _split(n);
        if (m < k) {
            len = _pathInto(leaves, m, start, start + k, out, len);
            out[len] = _mth(leaves, start + k, end);
        } else {
            len = _pathInto(leaves, m - k, start + k, end, out, len);
            out[len] = _mth(leaves, start, start + k);
        }
        return len + 1;
    }

    function _path(bytes32[] memory leaves, uint256 m) internal pure returns (bytes32[] memory path) {
        bytes32[] memory buf = new bytes32[](MAX_TREE);
        uint256 len = _pathInto(leaves, m, 0, leaves.length, buf, 0);
        path = new bytes32[](len);
        for (uint256 i = 0; i < len; ++i) {
            path[i] = buf[i];
        }
    }

    function _tree(uint256 seed, uint256 size)
        internal
        pure
        returns (bytes[] memory records, bytes32[] memory leaves, bytes32 root)
    {
        records = new bytes[](size);
        leaves = new bytes32[](size);
        for (uint256 i = 0; i < size; ++i) {
            records[i] = _record(seed, i);
            leaves[i] = _leaf(records[i]);
        }
        root = _mth(leaves, 0, size);
    }

    // ------------------------------------------------------------ pinned vector

    function test_KnownVector() public view {
        // 7 records `{"kind":"dns","seq":i}`; root and paths computed with Python hashlib.
        bytes32 root = 0x26594403d170d984a6683ae3b0269a204e9440deb0ad857b8b5e532e8673bc92;
        bytes memory r0 = bytes('{"kind":"dns","seq":0}');
        assertEq(proofs.leafHash(r0), 0x25ac03eafe1f4c7e841dca5031ec77b8904723f7b5bd9ddbd8a5728e85144be0, "leaf 0");

        bytes32[] memory p0 = new bytes32[](3);
        p0[0] = 0x7225fb6e920258d09c753cd25a904869f56a9e52a44c974d6ac581f00286cafb;
        p0[1] = 0x436b642d1a62b6235404cb9fdb28723da83b040c543d68128d53c078c8c57396;
        p0[2] = 0xdf234a7be16638cf69104614e2b037f356110ae45b93555ec7b145aa9c40df05;
        assertTrue(proofs.verify(r0, 0, 7, p0, root), "index 0");

        bytes32[] memory p4 = new bytes32[](3);
        p4[0] = 0xfef09e89b8effdddad4326e12efd69c0fe1abd236c7a9b3be83890ec2ab58fa4;
        p4[1] = 0x24e614671efe299cd5561ad019c6fe5962f49015a0c7ae909ea0e756ecc3e7fb;
        p4[2] = 0xaca613b2ee6b7a5ae6f98bbfd7d7751c933ce0fe5350ebe2d73f315598cebb5b;
        assertTrue(proofs.verify(bytes('{"kind":"dns","seq":4}'), 4, 7, p4, root), "index 4");

        bytes32[] memory p6 = new bytes32[](2);
        p6[0] = 0xde322110dc9ce16ec6930da89aea4258c058406f8ec25219d7ea51cb609421b4;
        p6[1] = 0xaca613b2ee6b7a5ae6f98bbfd7d7751c933ce0fe5350ebe2d73f315598cebb5b;
        assertTrue(proofs.verify(bytes('{"kind":"dns","seq":6}'), 6, 7, p6, root), "index 6 (last, short path)");
        assertTrue(!proofs.verify(bytes('{"kind":"dns","seq":6}'), 5, 7, p6, root), "wrong index");
        assertTrue(!proofs.verify(bytes('{"kind":"dns","seq":5}'), 6, 7, p6, root), "wrong record");
    }

    // ------------------------------------------------------------ edge cases

    function test_SingleLeafTree() public view {
        bytes memory r = "only";
        bytes32[] memory empty = new bytes32[](0);
        (bool ok, bytes32 root) = proofs.rootFromProof(_leaf(r), 0, 1, empty);
        assertTrue(ok, "ok");
        assertEq(root, _leaf(r), "root of a single leaf is the leaf");
        assertTrue(proofs.verify(r, 0, 1, empty, _leaf(r)), "verify");
        bytes32[] memory one = new bytes32[](1);
        assertTrue(!proofs.verify(r, 0, 1, one, _leaf(r)), "path too long");
    }

    function test_RejectsIndexOutOfRange() public view {
        bytes32[] memory empty = new bytes32[](0);
        (bool ok, bytes32 root) = proofs.rootFromProof(bytes32(0), 0, 0, empty);
        assertTrue(!ok && root == bytes32(0), "empty tree");
        (ok,) = proofs.rootFromProof(bytes32(0), 1, 1, empty);
        assertTrue(!ok, "index == treeSize");
        (ok,) = proofs.rootFromProof(bytes32(0), type(uint256).max, 3, new bytes32[](2));
        assertTrue(!ok, "huge index");
    }

    function test_RejectsWrongPathLength() public view {
        (bytes[] memory records, bytes32[] memory leaves, bytes32 root) = _tree(1, 5);
        bytes32[] memory path = _path(leaves, 2);
        assertTrue(proofs.verify(records[2], 2, 5, path, root), "valid");
        bytes32[] memory shorter = new bytes32[](path.length - 1);
        for (uint256 i = 0; i < shorter.length; ++i) {
            shorter[i] = path[i];
        }
        assertTrue(!proofs.verify(records[2], 2, 5, shorter, root), "too short");
        bytes32[] memory longer = new bytes32[](path.length + 1);
        for (uint256 i = 0; i < path.length; ++i) {
            longer[i] = path[i];
        }
        assertTrue(!proofs.verify(records[2], 2, 5, longer, root), "too long");
        (bool ok,) = proofs.rootFromProof(leaves[2], 2, 5, longer);
        assertTrue(!ok, "rootFromProof not ok");
    }

    // ------------------------------------------------------------ fuzz

    function testFuzz_InclusionProofs(uint256 seed, uint256 size, uint256 index) public view {
        size = bound(size, 1, MAX_TREE);
        index = bound(index, 0, size - 1);
        (bytes[] memory records, bytes32[] memory leaves, bytes32 root) = _tree(seed, size);
        bytes32[] memory path = _path(leaves, index);

        (bool ok, bytes32 computed) = proofs.rootFromProof(leaves[index], index, size, path);
        assertTrue(ok, "proof accepted");
        assertEq(computed, root, "root");
        assertTrue(proofs.verify(records[index], index, size, path, root), "verify");
        assertEq(proofs.leafHash(records[index]), leaves[index], "leaf hash");

        // Wrong root, tampered path element, wrong index.
        assertTrue(!proofs.verify(records[index], index, size, path, ~root), "wrong root");
        if (path.length > 0) {
            uint256 pos = seed % path.length;
            path[pos] = ~path[pos];
            assertTrue(!proofs.verify(records[index], index, size, path, root), "tampered path");
            path[pos] = ~path[pos];
        }
        if (size > 1) {
            uint256 other = (index + 1 + seed % (size - 1)) % size;
            assertTrue(!proofs.verify(records[index], other, size, path, root), "wrong index");
        }
    }

    function test_Gas_Verify64() public {
        (bytes[] memory records, bytes32[] memory leaves, bytes32 root) = _tree(7, MAX_TREE);
        bytes32[] memory path = _path(leaves, 37);
        proofs.verify(records[37], 37, MAX_TREE, path, root);
        log(
            "NetworkRecordProof.verify (64 leaves)",
            vm.snapshotGasLastCall("verification-gas", "NetworkRecordProof.verify (64 leaves)")
        );
    }
}
