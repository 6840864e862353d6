// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";

/// @title Class-weighted voting power of an offering
/// @notice An IERC5805 votes source for the governor: the voting power of an account is the sum,
/// over the share classes, of `votesPerShare` times the whole shares whose votes are delegated to it
/// in that class (`votesPerShare * classVotes / 10**decimals`, rounded down per class).
interface IClassWeightedVotes is IERC5805 {
    /// @notice Delegation happens on each class token, not here.
    error DelegationIsPerClass();
    /// @notice The token and weight arrays differ in length, or are empty.
    error ClassConfigMismatch(uint256 tokens, uint256 weights);
    /// @notice At most `max` classes are supported.
    error TooManyClasses(uint256 count, uint256 max);
    /// @notice A class token is the zero address, listed twice, not on the timestamp clock, or has
    /// more than 18 decimals.
    error InvalidClassToken(address token);

    /// @notice The number of share classes.
    function classCount() external view returns (uint256);

    /// @notice The `index`-th class token and its votes per share.
    function classAt(uint256 index) external view returns (address token, uint256 votesPerShare);
}
