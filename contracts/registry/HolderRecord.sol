// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The packed holder record: one storage slot, one word across contracts
/// @notice The registry stores, and the class tokens read, a holder's record as a single word so
/// that a transfer costs one storage read per wallet. Layout, from the least significant bit:
///
/// | bits      | field         | meaning                                                    |
/// |-----------|---------------|------------------------------------------------------------|
/// | 0..127    | investorId    | ASCII id, right-padded with zero bytes; 0 = not registered |
/// | 128..143  | jurisdiction  | ISO 3166-1 alpha-2 in ASCII ("US" = 0x5553)                |
/// | 144..183  | expiresAt     | unix seconds; qualified while `block.timestamp < expiresAt` |
/// | 184       | accredited    |                                                            |
/// | 185       | frozen        | kept when the wallet is removed                            |
/// | 192..223  | investorIndex | dense index of the investor id (see the registry)          |
library HolderRecord {
    uint256 private constant _JURISDICTION_SHIFT = 128;
    uint256 private constant _EXPIRES_SHIFT = 144;
    uint256 private constant _ACCREDITED_BIT = 1 << 184;
    uint256 private constant _FROZEN_BIT = 1 << 185;
    uint256 private constant _INDEX_SHIFT = 192;

    /// @dev Pack the fields into a record word.
    function pack(
        bytes16 investorId_,
        bytes2 jurisdiction_,
        uint40 expiresAt_,
        bool accredited_,
        bool frozen_,
        uint32 investorIndex_
    ) internal pure returns (uint256 record) {
        record = uint256(uint128(investorId_)) | (uint256(uint16(jurisdiction_)) << _JURISDICTION_SHIFT)
            | (uint256(expiresAt_) << _EXPIRES_SHIFT) | (uint256(investorIndex_) << _INDEX_SHIFT);
        if (accredited_) record |= _ACCREDITED_BIT;
        if (frozen_) record |= _FROZEN_BIT;
    }

    function investorId(uint256 record) internal pure returns (bytes16) {
        return bytes16(uint128(record));
    }

    function isRegistered(uint256 record) internal pure returns (bool) {
        return uint128(record) != 0;
    }

    function jurisdiction(uint256 record) internal pure returns (bytes2) {
        return bytes2(uint16(record >> _JURISDICTION_SHIFT));
    }

    function expiresAt(uint256 record) internal pure returns (uint40) {
        return uint40(record >> _EXPIRES_SHIFT);
    }

    function accredited(uint256 record) internal pure returns (bool) {
        return record & _ACCREDITED_BIT != 0;
    }

    function frozen(uint256 record) internal pure returns (bool) {
        return record & _FROZEN_BIT != 0;
    }

    function investorIndex(uint256 record) internal pure returns (uint32) {
        return uint32(record >> _INDEX_SHIFT);
    }

    /// @dev The record with its frozen flag set to `frozen_`.
    function withFrozen(uint256 record, bool frozen_) internal pure returns (uint256) {
        return frozen_ ? record | _FROZEN_BIT : record & ~_FROZEN_BIT;
    }

    /// @dev True for two upper-case ASCII letters (the shape of an ISO 3166-1 alpha-2 code).
    function isValidJurisdiction(bytes2 code) internal pure returns (bool) {
        uint8 first = uint8(code[0]);
        uint8 second = uint8(code[1]);
        return first >= 0x41 && first <= 0x5A && second >= 0x41 && second <= 0x5A;
    }
}
