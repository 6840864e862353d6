// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ERC-1404: Simple Restricted Token Standard
/// @notice A token that can tell, before a transfer is attempted, whether it would be refused and why.
interface IERC1404 {
    /// @notice The restriction code that a transfer of `value` from `from` to `to` would meet now;
    /// 0 means the transfer would succeed.
    function detectTransferRestriction(address from, address to, uint256 value) external view returns (uint8);

    /// @notice A human-readable explanation of a restriction code.
    function messageForTransferRestriction(uint8 restrictionCode) external view returns (string memory);
}
