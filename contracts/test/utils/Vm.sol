// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice The few Foundry cheatcodes these tests use (forge-std is not a dependency).
interface Vm {
    /// @notice Gas of the last call, from the callee's perspective.
    struct Gas {
        uint64 gasLimit;
        uint64 gasTotalUsed;
        uint64 gasMemoryUsed;
        int64 gasRefunded;
        uint64 gasRemaining;
    }

    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function addr(uint256 privateKey) external pure returns (address);
    function prank(address sender) external;
    function expectRevert() external;
    function expectRevert(bytes4 revertData) external;
    function expectRevert(bytes calldata revertData) external;
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData, address emitter) external;
    function warp(uint256 newTimestamp) external;
    function chainId(uint256 newChainId) external;
    function assume(bool condition) external pure;
    function lastCallGas() external view returns (Gas memory gas);
    function record() external;
    function accesses(address target) external returns (bytes32[] memory readSlots, bytes32[] memory writeSlots);
    function snapshotGasLastCall(string calldata group, string calldata name) external returns (uint256 gasUsed);
}
