// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Investor categories and the per-class rules on them (SPEC §15)
/// @notice Kept by the offering's holder registry: each wallet's category (with its own expiry)
/// and, per class token, which categories may receive it, a cap on investors per category, and a
/// holding period that ends on a date. A class token with rules asks {categoryCode} for codes
/// 10-12 after its own codes 1-9 and reports every investor that starts or stops holding it
/// ({countHolder}), so that the registry's per-category counts stay exact.
///
/// Categories: 0 none, 1 accredited, 2 qualified purchaser, 3 professional (EU), 4 retail.
interface ICategoryRules {
    /// @notice The rules of one class. `allowed`: bit `c` set = category `c` may receive (0 =
    /// every category, none included); `maxHolders[c - 1]`: the cap on investors of category `c`
    /// holding the class (0 = none); `holdingPeriodEnd`: transfers between holders are refused
    /// (code 12) while `block.timestamp` is before it (0 = no holding period).
    struct CategoryRuleSet {
        uint8 allowed;
        uint40 holdingPeriodEnd;
        uint32[4] maxHolders;
    }

    /// @notice `wallet`'s category is now `category` until `until` (0: no own expiry).
    event HolderCategorySet(address indexed wallet, bytes16 indexed investorId, uint8 category, uint32 until);
    /// @notice The category rules of `token` changed.
    event CategoryRulesSet(address indexed token, uint8 allowed, uint40 holdingPeriodEnd, uint32[4] maxHolders);

    /// @notice `category` is not one of 0-4.
    error InvalidCategory(uint8 category);
    /// @notice `token` already has `count` investors of `category`, more than the cap `cap`.
    error CategoryCapBelowCount(address token, uint8 category, uint32 cap, uint32 count);
    /// @notice `token` is not a class token with category rules of this registry.
    error ClassWithoutCategoryRules(address token);
    /// @notice Category rules must be set before the class has its first holder: the registry can
    /// only count investors per category from the start.
    error ClassAlreadyHeld(address token, uint32 holderCount);

    /// @notice Record `wallet`'s category until `until` (0: as long as its registration). Where the
    /// wallet's investor holds a class with rules, that class counts it under the new category
    /// from now on (the change is not refused, even past a cap: a cap bounds new investors).
    /// REGISTRAR_ROLE. Emits {HolderCategorySet}.
    function setCategory(address wallet, uint8 category, uint32 until) external;

    /// @notice `wallet`'s recorded category and when it lapses (0: never on its own).
    function categoryOf(address wallet) external view returns (uint8 category, uint32 until);

    /// @notice Give bound class `token` category rules (the first time: before it has a holder).
    /// DEFAULT_ADMIN_ROLE (the timelock; the deployer at deployment). Emits {CategoryRulesSet}.
    function setCategoryRules(address token, CategoryRuleSet calldata rules) external;

    /// @notice The rules of `token`, and whether it has any (`active`: once set, a class keeps
    /// counting investors per category).
    function categoryRulesOf(address token) external view returns (bool active, CategoryRuleSet memory rules);

    /// @notice How many investors of `category` hold `token` (counted while it has rules).
    function categoryHolderCount(address token, uint8 category) external view returns (uint32);

    /// @notice For the calling class token: codes 10-12 for `to` receiving, where `toIsNew` says its
    /// investor does not hold the class yet, `leavingIndex` is the sender's investor index when this
    /// move empties its holding (else 0), and `isTransfer` is false for issuance and issuer moves
    /// (which the holding period does not bind). 0 when none applies.
    function categoryCode(address to, uint32 leavingIndex, bool toIsNew, bool isTransfer)
        external
        view
        returns (uint8);

    /// @notice For the calling class token (one with rules): the investor `index` of `wallet`
    /// started (`entered`) or stopped holding it.
    function countHolder(address wallet, uint32 index, bool entered) external;
}
