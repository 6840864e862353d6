// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ICategoryRules} from "../interfaces/ICategoryRules.sol";
import {HolderRecord} from "./HolderRecord.sol";

/// @title Per-class category rules and per-category investor counts (SPEC §15)
/// @notice The storage and arithmetic behind {ICategoryRules}, inherited by the holder registry
/// (which guards the setters and owns the records). Kept beside the records because a class token
/// has just read the receiver's record from the registry: asking the registry again costs a warm
/// call and warm reads, and only the class's rule word is a new (cold) slot.
///
/// Per class token, three pieces of storage:
/// * the rule word: bits 0..7 allowed categories, 8..47 holding-period end, 48..175 four 32-bit
///   caps (categories 1-4), bit 255 active;
/// * the count word: five 32-bit counts of investors holding the class, per category 0-4;
/// * per investor index, 4 bits (64 investors a slot): the category the investor is counted under
///   plus one (0: not holding). Counting stores the category, so an investor leaves the count it
///   entered even when its wallets' categories changed meanwhile: {_recount} moves it when the
///   registrar changes a category.
abstract contract CategoryRules is ICategoryRules {
    uint256 private constant _ACTIVE = 1 << 255;
    uint256 private constant _HOLDING_SHIFT = 8;
    uint256 private constant _CAPS_SHIFT = 48;

    mapping(address token => uint256 word) private _ruleWords;
    mapping(address token => uint256 word) private _counts;
    mapping(address token => mapping(uint256 slot => uint256 nibbles)) private _countedAs;

    /// @inheritdoc ICategoryRules
    function categoryRulesOf(address token) external view returns (bool active, CategoryRuleSet memory rules) {
        uint256 word = _ruleWords[token];
        active = word & _ACTIVE != 0;
        rules.allowed = uint8(word);
        rules.holdingPeriodEnd = uint40(word >> _HOLDING_SHIFT);
        for (uint8 c = 1; c <= 4; ++c) {
            rules.maxHolders[c - 1] = _cap(word, c);
        }
    }

    /// @inheritdoc ICategoryRules
    function categoryHolderCount(address token, uint8 category) public view returns (uint32) {
        return uint32(_counts[token] >> (32 * uint256(category)));
    }

    /// @inheritdoc ICategoryRules
    function categoryCode(address to, uint32 leavingIndex, bool toIsNew, bool isTransfer)
        external
        view
        returns (uint8)
    {
        uint256 word = _ruleWords[msg.sender];
        HolderRecord record = _recordOf(to);
        uint8 allowed = uint8(word);
        bool admitted = (allowed >> record.categoryAt(block.timestamp)) & 1 != 0;
        if (allowed != 0 && !admitted) return 10;
        if (toIsNew) {
            uint8 category = record.category();
            uint32 cap = _cap(word, category);
            if (cap != 0) {
                uint256 count = categoryHolderCount(msg.sender, category);
                if (leavingIndex != 0 && _countedCategory(msg.sender, leavingIndex) == category + 1) --count;
                if (count >= cap) return 11;
            }
        }
        if (isTransfer && block.timestamp < uint40(word >> _HOLDING_SHIFT)) return 12;
        return 0;
    }

    /// @inheritdoc ICategoryRules
    function countHolder(address wallet, uint32 index, bool entered) external {
        if (_ruleWords[msg.sender] & _ACTIVE == 0) revert ClassWithoutCategoryRules(msg.sender);
        if (entered) {
            uint8 category = _recordOf(wallet).category();
            _setCountedCategory(msg.sender, index, category + 1);
            _addCount(msg.sender, category, true);
        } else {
            uint8 counted = _countedCategory(msg.sender, index);
            _setCountedCategory(msg.sender, index, 0);
            _addCount(msg.sender, counted - 1, false);
        }
    }

    /// @dev Store `rules` for `token`; the caller checked that the token is bound. The first time,
    /// the class must have no holder yet, and it is told to ask the registry from now on.
    function _setCategoryRules(address token, CategoryRuleSet calldata rules, uint32 holderCount)
        internal
        returns (bool first)
    {
        uint256 previous = _ruleWords[token];
        first = previous & _ACTIVE == 0;
        if (first && holderCount != 0) revert ClassAlreadyHeld(token, holderCount);
        uint256 word = _ACTIVE | rules.allowed | (uint256(rules.holdingPeriodEnd) << _HOLDING_SHIFT);
        for (uint8 c = 1; c <= 4; ++c) {
            uint32 cap = rules.maxHolders[c - 1];
            uint32 count = categoryHolderCount(token, c);
            if (cap != 0 && cap < count) revert CategoryCapBelowCount(token, c, cap, count);
            word |= uint256(cap) << (_CAPS_SHIFT + 32 * uint256(c - 1));
        }
        _ruleWords[token] = word;
        emit CategoryRulesSet(token, rules.allowed, rules.holdingPeriodEnd, rules.maxHolders);
    }

    /// @dev The registrar gave investor `index` category `category`: each class of `tokens` that
    /// counts the investor now counts it under `category`.
    function _recount(address[] storage tokens, uint32 index, uint8 category) internal {
        uint256 n = tokens.length;
        for (uint256 i = 0; i < n; ++i) {
            address token = tokens[i];
            uint8 counted = _countedCategory(token, index);
            if (counted == 0 || counted == category + 1) continue;
            _addCount(token, counted - 1, false);
            _addCount(token, category, true);
            _setCountedCategory(token, index, category + 1);
        }
    }

    /// @dev The registry's record of `wallet`.
    function _recordOf(address wallet) internal view virtual returns (HolderRecord);

    function _cap(uint256 word, uint8 category) private pure returns (uint32) {
        if (category == 0) return 0; // investors without a category cannot be capped: require one
        return uint32(word >> (_CAPS_SHIFT + 32 * uint256(category - 1)));
    }

    function _countedCategory(address token, uint32 index) private view returns (uint8) {
        return uint8((_countedAs[token][index >> 6] >> (4 * (uint256(index) & 63))) & 15);
    }

    function _setCountedCategory(address token, uint32 index, uint8 value) private {
        uint256 shift = 4 * (uint256(index) & 63);
        uint256 nibbles = _countedAs[token][index >> 6];
        _countedAs[token][index >> 6] = (nibbles & ~(uint256(15) << shift)) | (uint256(value) << shift);
    }

    /// @dev One investor of `category` more (`up`) or fewer holding `token` (checked).
    function _addCount(address token, uint8 category, bool up) private {
        uint256 shift = 32 * uint256(category);
        uint256 word = _counts[token];
        uint32 count = uint32(word >> shift);
        count = up ? count + 1 : count - 1;
        _counts[token] = (word & ~(uint256(type(uint32).max) << shift)) | (uint256(count) << shift);
    }
}
