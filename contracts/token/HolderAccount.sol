// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice What a class token keeps per wallet, packed in one word (one storage slot) so that a
/// transfer reads it once per side: it is both the lock-up summary checked for the sender and the
/// delegation read by the vote accounting of both sides. Only {HolderAccountLibrary} knows the
/// layout. Bits, from the least significant:
///
/// | bits     | field        | meaning                                                          |
/// |----------|--------------|------------------------------------------------------------------|
/// | 0..111   | lotSum       | sum of the live lots' amounts (a bound on the locked balance)    |
/// | 112..159 | lotsEnd      | the latest end of those lots: from then on nothing is locked    |
/// | 160..167 | lotCount     | lots in the lot array (0 with `lotSum > 0`: see below)           |
/// | 168..175 | delegation   | 0: never chose (itself); 1: chose itself; 2: another wallet      |
/// | 176..207 | countedIndex | the investor index it counts toward while its balance > 0        |
/// | 208..255 | (free)       | zero                                                             |
///
/// `lotCount` 0 with `lotSum > 0` is a single plain lock-up of `lotSum` shares until `lotsEnd`,
/// kept inline (no lot slot). The delegate of mode 2 is kept beside the word, in the token.
type HolderAccount is uint256;

using HolderAccountLibrary for HolderAccount global;

/// @title The layout of {HolderAccount}
library HolderAccountLibrary {
    /// @dev `delegation` values.
    uint8 internal constant DELEGATION_NONE = 0;
    uint8 internal constant DELEGATION_SELF = 1;
    uint8 internal constant DELEGATION_OTHER = 2;

    uint256 private constant _LOTS_END_SHIFT = 112;
    uint256 private constant _LOT_COUNT_SHIFT = 160;
    uint256 private constant _DELEGATION_SHIFT = 168;
    uint256 private constant _COUNTED_SHIFT = 176;
    /// @dev The lock-up summary: lotSum, lotsEnd and lotCount.
    uint256 private constant _LOTS_MASK = (1 << _DELEGATION_SHIFT) - 1;

    function lotSum(HolderAccount account) internal pure returns (uint112) {
        return uint112(HolderAccount.unwrap(account));
    }

    function lotsEnd(HolderAccount account) internal pure returns (uint48) {
        return uint48(HolderAccount.unwrap(account) >> _LOTS_END_SHIFT);
    }

    function lotCount(HolderAccount account) internal pure returns (uint8) {
        return uint8(HolderAccount.unwrap(account) >> _LOT_COUNT_SHIFT);
    }

    function delegation(HolderAccount account) internal pure returns (uint8) {
        return uint8(HolderAccount.unwrap(account) >> _DELEGATION_SHIFT);
    }

    function countedIndex(HolderAccount account) internal pure returns (uint32) {
        return uint32(HolderAccount.unwrap(account) >> _COUNTED_SHIFT);
    }

    /// @dev The account with a new lock-up summary (delegation and counted index kept).
    function withLots(HolderAccount account, uint112 sum, uint48 end, uint8 count)
        internal
        pure
        returns (HolderAccount)
    {
        return HolderAccount.wrap(
            (HolderAccount.unwrap(account) & ~_LOTS_MASK) | uint256(sum) | (uint256(end) << _LOTS_END_SHIFT)
                | (uint256(count) << _LOT_COUNT_SHIFT)
        );
    }

    function withDelegation(HolderAccount account, uint8 mode) internal pure returns (HolderAccount) {
        uint256 word = HolderAccount.unwrap(account) & ~(uint256(type(uint8).max) << _DELEGATION_SHIFT);
        return HolderAccount.wrap(word | (uint256(mode) << _DELEGATION_SHIFT));
    }

    function withCountedIndex(HolderAccount account, uint32 index) internal pure returns (HolderAccount) {
        uint256 word = HolderAccount.unwrap(account) & ~(uint256(type(uint32).max) << _COUNTED_SHIFT);
        return HolderAccount.wrap(word | (uint256(index) << _COUNTED_SHIFT));
    }
}
