// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Per-investor counts of holding wallets, sixteen 16-bit counters a slot
/// @notice A class token counts, per registry investor index, the investor's wallets with a
/// positive balance; the investor holds the class while its count is positive. Sixteen counters
/// share a storage slot, so a batch of new investors (consecutive indices) writes one new slot per
/// sixteen. Index 0 (a wallet no investor was ever registered for) is never counted. At most
/// 65,535 wallets per investor (checked).
library WalletCounts {
    struct Map {
        mapping(uint256 slot => uint256 counters) _slots;
    }

    /// @dev How many wallets of investor `index` hold the class.
    function count(Map storage map, uint32 index) internal view returns (uint256) {
        return uint16(map._slots[index >> 4] >> ((uint256(index) & 15) * 16));
    }

    /// @dev One holding wallet more (`up`) or fewer for investor `index`; true when the investor
    /// starts or stops holding (never for index 0).
    function change(Map storage map, uint32 index, bool up) internal returns (bool holderChanged) {
        if (index == 0) return false;
        uint256 key = index >> 4;
        uint256 shift = (uint256(index) & 15) * 16;
        uint256 counters = map._slots[key];
        uint16 previous = uint16(counters >> shift);
        uint16 updated = up ? previous + 1 : previous - 1; // checked
        map._slots[key] = (counters & ~(uint256(type(uint16).max) << shift)) | (uint256(updated) << shift);
        return up ? previous == 0 : updated == 0;
    }
}
