// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A class token's hot word: everything a transfer check reads about the class, in one
/// storage slot read once per transfer. Only {ClassStateLibrary} knows the layout. Bits, from the
/// least significant:
///
/// | bits     | field       | meaning                                                     |
/// |----------|-------------|-------------------------------------------------------------|
/// | 0        | paused      | transfers refused with code 1                               |
/// | 1        | categories  | the registry keeps category rules for the class (SPEC §15)  |
/// | 2..7     | (free)      | zero                                                        |
/// | 8..39    | maxHolders  | the investor cap (0: none)                                  |
/// | 40..71   | holderCount | investors with a positive balance                           |
/// | 72..252  | filter      | bit `uint16(code) % 181` set for each blocked jurisdiction  |
/// | 253..255 | (free)      | zero                                                        |
///
/// A clear filter bit proves a jurisdiction is not blocked without reading the token's map of
/// blocked jurisdictions (181 bits, a prime, so the 676 codes spread evenly).
type ClassState is uint256;

using ClassStateLibrary for ClassState global;

/// @title The layout of {ClassState}
library ClassStateLibrary {
    /// @dev The width of the jurisdiction filter.
    uint256 internal constant FILTER_BITS = 181;

    uint256 private constant _PAUSED_BIT = 1;
    uint256 private constant _CATEGORIES_BIT = 2;
    uint256 private constant _MAX_HOLDERS_SHIFT = 8;
    uint256 private constant _HOLDER_COUNT_SHIFT = 40;
    uint256 private constant _FILTER_SHIFT = 72;

    function paused(ClassState state) internal pure returns (bool) {
        return ClassState.unwrap(state) & _PAUSED_BIT != 0;
    }

    /// @dev The class has category rules: codes 10-12 and per-category counts live in the registry.
    function hasCategoryRules(ClassState state) internal pure returns (bool) {
        return ClassState.unwrap(state) & _CATEGORIES_BIT != 0;
    }

    function withCategoryRules(ClassState state) internal pure returns (ClassState) {
        return ClassState.wrap(ClassState.unwrap(state) | _CATEGORIES_BIT);
    }

    function maxHolders(ClassState state) internal pure returns (uint32) {
        return uint32(ClassState.unwrap(state) >> _MAX_HOLDERS_SHIFT);
    }

    function holderCount(ClassState state) internal pure returns (uint32) {
        return uint32(ClassState.unwrap(state) >> _HOLDER_COUNT_SHIFT);
    }

    /// @dev The filter bit of `jurisdiction`.
    function filterBit(bytes2 jurisdiction) internal pure returns (uint256) {
        return uint256(uint16(jurisdiction)) % FILTER_BITS;
    }

    /// @dev False proves `jurisdiction` is not blocked; true means it may be (read the blocked map).
    function mayBeBlocked(ClassState state, bytes2 jurisdiction) internal pure returns (bool) {
        return (ClassState.unwrap(state) >> (_FILTER_SHIFT + uint256(uint16(jurisdiction)) % FILTER_BITS)) & 1 != 0;
    }

    function withPaused(ClassState state, bool paused_) internal pure returns (ClassState) {
        uint256 word = ClassState.unwrap(state);
        return ClassState.wrap(paused_ ? word | _PAUSED_BIT : word & ~_PAUSED_BIT);
    }

    function withMaxHolders(ClassState state, uint32 cap) internal pure returns (ClassState) {
        uint256 word = ClassState.unwrap(state) & ~(uint256(type(uint32).max) << _MAX_HOLDERS_SHIFT);
        return ClassState.wrap(word | (uint256(cap) << _MAX_HOLDERS_SHIFT));
    }

    /// @dev One investor more (`up`) or fewer holding the class (checked).
    function withHolderCounted(ClassState state, bool up) internal pure returns (ClassState) {
        uint32 count = holderCount(state);
        count = up ? count + 1 : count - 1;
        uint256 word = ClassState.unwrap(state) & ~(uint256(type(uint32).max) << _HOLDER_COUNT_SHIFT);
        return ClassState.wrap(word | (uint256(count) << _HOLDER_COUNT_SHIFT));
    }

    /// @dev The state with filter bit `bit` (0..180) set or cleared.
    function withFilterBit(ClassState state, uint256 bit, bool set) internal pure returns (ClassState) {
        uint256 mask = 1 << (_FILTER_SHIFT + bit);
        uint256 word = ClassState.unwrap(state);
        return ClassState.wrap(set ? word | mask : word & ~mask);
    }
}
