// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";
import {IClassWeightedVotes} from "../interfaces/IClassWeightedVotes.sol";

/// @title Class-weighted voting power of an offering (IERC5805)
/// @notice The governor's votes source: the votes of an account at a timepoint are the sum over the
/// share classes of `votesPerShare` times the votes delegated to it in that class; the total supply
/// likewise. Non-voting classes (weight 0) are skipped without a call. The classes and weights are
/// fixed at deployment and kept in immutables (up to {MAX_CLASSES}), so a vote reads no storage
/// here: only the class tokens' checkpoints. Delegation happens on each class token.
contract ClassWeightedVotes is IClassWeightedVotes {
    /// @notice The most share classes one offering may weigh.
    uint256 public constant MAX_CLASSES = 8;

    uint256 private immutable _count;
    address private immutable _token0;
    address private immutable _token1;
    address private immutable _token2;
    address private immutable _token3;
    address private immutable _token4;
    address private immutable _token5;
    address private immutable _token6;
    address private immutable _token7;
    uint256 private immutable _weight0;
    uint256 private immutable _weight1;
    uint256 private immutable _weight2;
    uint256 private immutable _weight3;
    uint256 private immutable _weight4;
    uint256 private immutable _weight5;
    uint256 private immutable _weight6;
    uint256 private immutable _weight7;

    /// @param tokens the class tokens (ERC-5805, timestamp clock)
    /// @param votesPerShare the weight of one base unit of each class (0: non-voting)
    constructor(address[] memory tokens, uint256[] memory votesPerShare) {
        uint256 n = tokens.length;
        if (n == 0 || votesPerShare.length != n) revert ClassConfigMismatch(n, votesPerShare.length);
        if (n > MAX_CLASSES) revert TooManyClasses(n, MAX_CLASSES);
        for (uint256 i = 0; i < n; ++i) {
            address token = tokens[i];
            if (token == address(0) || IERC5805(token).clock() != block.timestamp) revert InvalidClassToken(token);
            for (uint256 j = 0; j < i; ++j) {
                if (tokens[j] == token) revert InvalidClassToken(token);
            }
        }
        _count = n;
        (_token0, _weight0) = _entry(tokens, votesPerShare, 0);
        (_token1, _weight1) = _entry(tokens, votesPerShare, 1);
        (_token2, _weight2) = _entry(tokens, votesPerShare, 2);
        (_token3, _weight3) = _entry(tokens, votesPerShare, 3);
        (_token4, _weight4) = _entry(tokens, votesPerShare, 4);
        (_token5, _weight5) = _entry(tokens, votesPerShare, 5);
        (_token6, _weight6) = _entry(tokens, votesPerShare, 6);
        (_token7, _weight7) = _entry(tokens, votesPerShare, 7);
    }

    /// @inheritdoc IClassWeightedVotes
    function classCount() external view returns (uint256) {
        return _count;
    }

    /// @inheritdoc IClassWeightedVotes
    function classAt(uint256 index) public view returns (address token, uint256 votesPerShare) {
        if (index >= _count) return (address(0), 0);
        if (index == 0) return (_token0, _weight0);
        if (index == 1) return (_token1, _weight1);
        if (index == 2) return (_token2, _weight2);
        if (index == 3) return (_token3, _weight3);
        if (index == 4) return (_token4, _weight4);
        if (index == 5) return (_token5, _weight5);
        if (index == 6) return (_token6, _weight6);
        if (index == 7) return (_token7, _weight7);
    }

    /// @notice The current weighted votes of `account`.
    function getVotes(address account) external view returns (uint256 votes) {
        uint256 n = _count;
        for (uint256 i = 0; i < n; ++i) {
            (address token, uint256 weight) = classAt(i);
            if (weight != 0) votes += weight * IERC5805(token).getVotes(account);
        }
    }

    /// @notice The weighted votes of `account` at `timepoint` (a past timestamp).
    function getPastVotes(address account, uint256 timepoint) external view returns (uint256 votes) {
        uint256 n = _count;
        for (uint256 i = 0; i < n; ++i) {
            (address token, uint256 weight) = classAt(i);
            if (weight != 0) votes += weight * IERC5805(token).getPastVotes(account, timepoint);
        }
    }

    /// @notice The weighted total supply at `timepoint` (a past timestamp): the basis of the quorum.
    function getPastTotalSupply(uint256 timepoint) external view returns (uint256 supply) {
        uint256 n = _count;
        for (uint256 i = 0; i < n; ++i) {
            (address token, uint256 weight) = classAt(i);
            if (weight != 0) supply += weight * IERC5805(token).getPastTotalSupply(timepoint);
        }
    }

    /// @notice Not supported: delegation is per class token ({DelegationIsPerClass}).
    function delegates(address) external pure returns (address) {
        revert DelegationIsPerClass();
    }

    /// @notice Not supported: delegate on each class token ({DelegationIsPerClass}).
    function delegate(address) external pure {
        revert DelegationIsPerClass();
    }

    /// @notice Not supported: delegate by signature on each class token ({DelegationIsPerClass}).
    function delegateBySig(address, uint256, uint256, uint8, bytes32, bytes32) external pure {
        revert DelegationIsPerClass();
    }

    /// @notice The clock: the block timestamp (ERC-6372), as on every class token.
    function clock() external view returns (uint48) {
        return uint48(block.timestamp);
    }

    /// @notice ERC-6372 clock description.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() external pure returns (string memory) {
        return "mode=timestamp";
    }

    function _entry(address[] memory tokens, uint256[] memory weights, uint256 i)
        private
        pure
        returns (address, uint256)
    {
        return i < tokens.length ? (tokens[i], weights[i]) : (address(0), 0);
    }
}
