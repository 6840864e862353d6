// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A holder's registry record packed in one word: one storage slot in the registry, one
/// value across contracts, so that a transfer costs one storage read per wallet. Only
/// {HolderRecordLibrary} knows the layout; the functions attach to the type, not to every uint256.
/// The ABI type is uint256 (the registry's `recordOf`). Layout, from the least significant bit:
///
/// | bits      | field         | meaning                                                          |
/// |-----------|---------------|------------------------------------------------------------------|
/// | 0..127    | investorId    | ASCII id, right-padded with zero bytes; 0 = not registered       |
/// | 128..143  | jurisdiction  | ISO 3166-1 alpha-2 in ASCII ("US" = 0x5553)                      |
/// | 144..183  | expiresAt     | unix seconds; qualified while `block.timestamp < expiresAt`      |
/// | 184       | accredited    |                                                                  |
/// | 185       | frozen        | kept when the wallet is removed                                  |
/// | 186..188  | category      | 0 none, 1 accredited, 2 qualified purchaser, 3 professional, 4 retail |
/// | 189..191  | (free)        | zero                                                             |
/// | 192..223  | investorIndex | dense index of the investor id; kept when the wallet is removed  |
/// | 224..255  | categoryUntil | unix seconds the category holds until (0: as long as the record) |
type HolderRecord is uint256;

using HolderRecordLibrary for HolderRecord global;

/// @title The layout of {HolderRecord}
library HolderRecordLibrary {
    uint256 private constant _JURISDICTION_SHIFT = 128;
    uint256 private constant _EXPIRES_SHIFT = 144;
    uint256 private constant _ACCREDITED_BIT = 1 << 184;
    uint256 private constant _FROZEN_BIT = 1 << 185;
    uint256 private constant _INDEX_SHIFT = 192;
    uint256 private constant _CATEGORY_SHIFT = 186;
    uint256 private constant _CATEGORY_UNTIL_SHIFT = 224;
    uint256 private constant _CATEGORY_MASK =
        (uint256(7) << _CATEGORY_SHIFT) | (uint256(type(uint32).max) << _CATEGORY_UNTIL_SHIFT);
    /// @dev The highest category (retail).
    uint8 internal constant MAX_CATEGORY = 4;
    /// @dev What survives a removal: the frozen flag and the investor index.
    uint256 private constant _KEPT_ON_REMOVAL = _FROZEN_BIT | (uint256(type(uint32).max) << _INDEX_SHIFT);

    /// @dev Pack the fields into a record.
    function pack(
        bytes16 investorId_,
        bytes2 jurisdiction_,
        uint40 expiresAt_,
        bool accredited_,
        bool frozen_,
        uint32 investorIndex_
    ) internal pure returns (HolderRecord) {
        uint256 word = uint256(uint128(investorId_)) | (uint256(uint16(jurisdiction_)) << _JURISDICTION_SHIFT)
            | (uint256(expiresAt_) << _EXPIRES_SHIFT) | (uint256(investorIndex_) << _INDEX_SHIFT);
        if (accredited_) word |= _ACCREDITED_BIT;
        if (frozen_) word |= _FROZEN_BIT;
        return HolderRecord.wrap(word);
    }

    function investorId(HolderRecord record) internal pure returns (bytes16) {
        return bytes16(uint128(HolderRecord.unwrap(record)));
    }

    /// @dev Registered: the investor id is not zero (a removed wallet's record keeps only its
    /// frozen flag and investor index, so it is not registered).
    function isRegistered(HolderRecord record) internal pure returns (bool) {
        return uint128(HolderRecord.unwrap(record)) != 0;
    }

    function jurisdiction(HolderRecord record) internal pure returns (bytes2) {
        return bytes2(uint16(HolderRecord.unwrap(record) >> _JURISDICTION_SHIFT));
    }

    function expiresAt(HolderRecord record) internal pure returns (uint40) {
        return uint40(HolderRecord.unwrap(record) >> _EXPIRES_SHIFT);
    }

    function accredited(HolderRecord record) internal pure returns (bool) {
        return HolderRecord.unwrap(record) & _ACCREDITED_BIT != 0;
    }

    function frozen(HolderRecord record) internal pure returns (bool) {
        return HolderRecord.unwrap(record) & _FROZEN_BIT != 0;
    }

    /// @dev The investor index the wallet was last registered under (0: never registered).
    function investorIndex(HolderRecord record) internal pure returns (uint32) {
        return uint32(HolderRecord.unwrap(record) >> _INDEX_SHIFT);
    }

    /// @dev The recorded category (0: none), whether or not it has expired; the category an
    /// investor is counted under (see {CategoryRules}).
    function category(HolderRecord record) internal pure returns (uint8) {
        return uint8((HolderRecord.unwrap(record) >> _CATEGORY_SHIFT) & 7);
    }

    /// @dev When the category lapses (0: it lasts as long as the record).
    function categoryUntil(HolderRecord record) internal pure returns (uint32) {
        return uint32(HolderRecord.unwrap(record) >> _CATEGORY_UNTIL_SHIFT);
    }

    /// @dev The category at time `now_`: the recorded one until it lapses, then 0 (none).
    function categoryAt(HolderRecord record, uint256 now_) internal pure returns (uint8) {
        uint32 until = categoryUntil(record);
        return until == 0 || now_ < until ? category(record) : 0;
    }

    /// @dev The record with category `category_` until `until` (0: no own expiry).
    function withCategory(HolderRecord record, uint8 category_, uint32 until) internal pure returns (HolderRecord) {
        uint256 word = HolderRecord.unwrap(record) & ~_CATEGORY_MASK;
        return HolderRecord.wrap(
            word | (uint256(category_) << _CATEGORY_SHIFT) | (uint256(until) << _CATEGORY_UNTIL_SHIFT)
        );
    }

    /// @dev The record with its frozen flag set to `frozen_`.
    function withFrozen(HolderRecord record, bool frozen_) internal pure returns (HolderRecord) {
        uint256 word = HolderRecord.unwrap(record);
        return HolderRecord.wrap(frozen_ ? word | _FROZEN_BIT : word & ~_FROZEN_BIT);
    }

    /// @dev The record of the wallet once removed: not registered, frozen flag and investor index kept.
    function removed(HolderRecord record) internal pure returns (HolderRecord) {
        return HolderRecord.wrap(HolderRecord.unwrap(record) & _KEPT_ON_REMOVAL);
    }

    /// @dev True for two upper-case ASCII letters (the shape of an ISO 3166-1 alpha-2 code).
    function isValidJurisdiction(bytes2 code) internal pure returns (bool) {
        uint8 first = uint8(code[0]);
        uint8 second = uint8(code[1]);
        return first >= 0x41 && first <= 0x5A && second >= 0x41 && second <= 0x5A;
    }
}
