// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Vm} from "./Vm.sol";

/// @notice Minimal test base: cheatcode handle, assertions, bounding and console logging.
abstract contract Test {
    /// @dev address(uint160(uint256(keccak256("hevm cheat code")))).
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
    /// @dev Foundry's console.log address (calls to it are printed with -vv).
    address private constant CONSOLE = 0x000000000000000000636F6e736F6c652e6c6f67;

    error AssertTrueFailed(string what);
    error AssertEqUint(string what, uint256 left, uint256 right);
    error AssertEqBytes32(string what, bytes32 left, bytes32 right);
    error AssertEqAddress(string what, address left, address right);
    error AssertEqBytes(string what, bytes left, bytes right);
    error AssertLtUint(string what, uint256 left, uint256 right);

    function assertTrue(bool ok, string memory what) internal pure {
        if (!ok) revert AssertTrueFailed(what);
    }

    function assertEq(uint256 left, uint256 right, string memory what) internal pure {
        if (left != right) revert AssertEqUint(what, left, right);
    }

    function assertEq(bytes32 left, bytes32 right, string memory what) internal pure {
        if (left != right) revert AssertEqBytes32(what, left, right);
    }

    function assertEq(address left, address right, string memory what) internal pure {
        if (left != right) revert AssertEqAddress(what, left, right);
    }

    function assertEq(bytes memory left, bytes memory right, string memory what) internal pure {
        if (keccak256(left) != keccak256(right)) revert AssertEqBytes(what, left, right);
    }

    function assertLt(uint256 left, uint256 right, string memory what) internal pure {
        if (left >= right) revert AssertLtUint(what, left, right);
    }

    /// @dev Maps x into [min, max] (inclusive), uniformly enough for fuzzing.
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        require(min <= max, "bound: min > max");
        uint256 size = max - min;
        if (size == type(uint256).max) return x;
        return min + (x % (size + 1));
    }

    /// @dev console.log(string, uint256).
    function log(string memory key, uint256 value) internal view {
        (bool ok,) = CONSOLE.staticcall(abi.encodeWithSignature("log(string,uint256)", key, value));
        ok; // logging is best effort
    }
}
