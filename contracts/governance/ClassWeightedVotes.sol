// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IClassWeightedVotes} from "../interfaces/IClassWeightedVotes.sol";

/// @title Class-weighted voting power of an offering (IERC5805)
/// @notice The governor's votes source: the votes of an account at a timepoint are the sum over the
/// share classes of `votesPerShare` times the *whole shares* delegated to it in that class,
/// `votesPerShare * classVotes / 10**decimals` rounded down per class (SPEC §10: a class's decimals
/// never change what one share weighs); the total supply likewise, so the proposal threshold and
/// the quorum count whole-share votes too. Non-voting classes (weight 0) are skipped without a
/// call. The classes, weights and decimals are fixed at deployment and kept in immutables (up to
/// {MAX_CLASSES}), so a vote reads no storage here: only the class tokens' checkpoints.
/// Delegation happens on each class token.
contract ClassWeightedVotes is IClassWeightedVotes {
    /// @notice The most share classes one offering may weigh.
    uint256 public constant MAX_CLASSES = 8;
    /// @notice The most decimals a class may have.
    uint8 public constant MAX_DECIMALS = 18;

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
    // 10**decimals of each class, read from the token at construction
    uint256 private immutable _scale0;
    uint256 private immutable _scale1;
    uint256 private immutable _scale2;
    uint256 private immutable _scale3;
    uint256 private immutable _scale4;
    uint256 private immutable _scale5;
    uint256 private immutable _scale6;
    uint256 private immutable _scale7;

    /// @param tokens the class tokens (ERC-5805 and ERC-20 metadata, timestamp clock, at most 18 decimals)
    /// @param votesPerShare the votes of one whole share of each class (0: non-voting)
    constructor(address[] memory tokens, uint256[] memory votesPerShare) {
        uint256 n = tokens.length;
        if (n == 0 || votesPerShare.length != n) revert ClassConfigMismatch(n, votesPerShare.length);
        if (n > MAX_CLASSES) revert TooManyClasses(n, MAX_CLASSES);
        uint256[] memory scales = new uint256[](MAX_CLASSES);
        for (uint256 i = 0; i < n; ++i) {
            address token = tokens[i];
            if (token == address(0) || IERC5805(token).clock() != block.timestamp) revert InvalidClassToken(token);
            for (uint256 j = 0; j < i; ++j) {
                if (tokens[j] == token) revert InvalidClassToken(token);
            }
            uint8 decimals = IERC20Metadata(token).decimals();
            if (decimals > MAX_DECIMALS) revert InvalidClassToken(token);
            scales[i] = 10 ** decimals;
        }
        _count = n;
        (_scale0, _scale1, _scale2, _scale3) = (scales[0], scales[1], scales[2], scales[3]);
        (_scale4, _scale5, _scale6, _scale7) = (scales[4], scales[5], scales[6], scales[7]);
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
    function classAt(uint256 index) external view returns (address token, uint256 votesPerShare) {
        if (index >= _count) return (address(0), 0);
        if (index == 0) return (_token0, _weight0);
        if (index == 1) return (_token1, _weight1);
        if (index == 2) return (_token2, _weight2);
        if (index == 3) return (_token3, _weight3);
        if (index == 4) return (_token4, _weight4);
        if (index == 5) return (_token5, _weight5);
        if (index == 6) return (_token6, _weight6);
        return (_token7, _weight7);
    }

    /// @notice The current weighted votes of `account`, in whole-share votes.
    function getVotes(address account) external view returns (uint256) {
        return _sum(_currentVotes, account, 0);
    }

    /// @notice The weighted votes of `account` at `timepoint` (a past timestamp), in whole-share votes.
    function getPastVotes(address account, uint256 timepoint) external view returns (uint256) {
        return _sum(_pastVotes, account, timepoint);
    }

    /// @notice The weighted total supply at `timepoint` (a past timestamp), in whole-share votes:
    /// the basis of the quorum.
    function getPastTotalSupply(uint256 timepoint) external view returns (uint256) {
        return _sum(_pastSupply, address(0), timepoint);
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

    /// @dev The sum over the classes of `votesPerShare` times the whole shares in `units` (a
    /// class token's votes or supply, read by `units`), rounded down per class. The classes are
    /// written out, so a vote reads immutables only, with no lookup by index; the slots past the
    /// class count have weight 0, like non-voting classes, and cost no call.
    function _sum(
        function(address, address, uint256) view returns (uint256) units,
        address account,
        uint256 timepoint
    ) private view returns (uint256 sum) {
        if (_weight0 != 0) sum = _weight0 * units(_token0, account, timepoint) / _scale0;
        if (_weight1 != 0) sum += _weight1 * units(_token1, account, timepoint) / _scale1;
        if (_weight2 != 0) sum += _weight2 * units(_token2, account, timepoint) / _scale2;
        if (_weight3 != 0) sum += _weight3 * units(_token3, account, timepoint) / _scale3;
        if (_weight4 != 0) sum += _weight4 * units(_token4, account, timepoint) / _scale4;
        if (_weight5 != 0) sum += _weight5 * units(_token5, account, timepoint) / _scale5;
        if (_weight6 != 0) sum += _weight6 * units(_token6, account, timepoint) / _scale6;
        if (_weight7 != 0) sum += _weight7 * units(_token7, account, timepoint) / _scale7;
    }

    function _pastVotes(address token, address account, uint256 timepoint) private view returns (uint256) {
        return IERC5805(token).getPastVotes(account, timepoint);
    }

    function _pastSupply(address token, address, uint256 timepoint) private view returns (uint256) {
        return IERC5805(token).getPastTotalSupply(timepoint);
    }

    function _currentVotes(address token, address account, uint256) private view returns (uint256) {
        return IERC5805(token).getVotes(account);
    }

    function _entry(address[] memory tokens, uint256[] memory weights, uint256 i)
        private
        pure
        returns (address, uint256)
    {
        return i < tokens.length ? (tokens[i], weights[i]) : (address(0), 0);
    }
}
