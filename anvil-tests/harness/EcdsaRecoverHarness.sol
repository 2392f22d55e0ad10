// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @notice OpenZeppelin's ECDSA.recover alone, the gas baseline of anvil-tests/gas.md.
/// @dev Same code as `EcdsaRecoverHarness` in contracts/test/Gas.t.sol, measured here in a
///      real transaction on anvil (receipt gasUsed − 21,000 − calldata gas).
contract EcdsaRecoverHarness {
    function recover(bytes32 digest, bytes calldata sig) external pure returns (address) {
        return ECDSA.recover(digest, sig);
    }
}
