// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The transfer-restriction codes of SPEC §8 (ERC-1404), in the order they are checked
/// @notice The messages match `toolkit/restrictions.py` word for word.
library RestrictionCodes {
    uint8 internal constant OK = 0;
    uint8 internal constant PAUSED = 1;
    uint8 internal constant SENDER_FROZEN = 2;
    uint8 internal constant RECEIVER_FROZEN = 3;
    uint8 internal constant RECEIVER_NOT_QUALIFIED = 4;
    uint8 internal constant RECEIVER_QUALIFICATION_EXPIRED = 5;
    uint8 internal constant JURISDICTION_BLOCKED = 6;
    uint8 internal constant INSUFFICIENT_BALANCE = 7;
    uint8 internal constant SHARES_LOCKED = 8;
    uint8 internal constant HOLDER_LIMIT_REACHED = 9;
    // SPEC §15 (the registry's category rules answer these)
    uint8 internal constant RECEIVER_CATEGORY_NOT_ALLOWED = 10;
    uint8 internal constant CATEGORY_LIMIT_REACHED = 11;
    uint8 internal constant HOLDING_PERIOD = 12;

    /// @dev Every message, back to back (codes 0-12, then the text for an unknown code).
    bytes private constant _MESSAGES = "No restriction" "Transfers of this class are paused"
        "The sender's wallet is frozen" "The receiver's wallet is frozen" "The receiver is not a qualified holder"
        "The receiver's qualification has expired" "The receiver's jurisdiction is blocked for this class"
        "The amount exceeds the sender's balance" "The amount exceeds the sender's unlocked balance"
        "The class has reached its maximum number of holders"
        "The receiver's investor category is not allowed for this class"
        "The class has reached its maximum number of holders of the receiver's category"
        "The class's holding period has not ended" "Unknown restriction code";
    /// @dev Where message i starts in `_MESSAGES`: 16 bits each, i = 0..14 (the last is the end).
    /// [0, 14, 48, 77, 108, 146, 186, 239, 278, 326, 377, 439, 517, 557, 581]
    uint256 private constant _OFFSETS = 0x245022d020501b701790146011600ef00ba0092006c004d0030000e0000;

    /// @dev The human-readable message of `code` (one table rather than thirteen branches: it keeps the
    /// token under the contract size limit).
    function message(uint8 code) internal pure returns (string memory text) {
        uint256 i = code > HOLDING_PERIOD ? HOLDING_PERIOD + 1 : code;
        uint256 start = (_OFFSETS >> (16 * i)) & 0xffff;
        uint256 length = ((_OFFSETS >> (16 * (i + 1))) & 0xffff) - start;
        bytes memory all = _MESSAGES;
        bytes memory out = new bytes(length);
        assembly ("memory-safe") {
            let from := add(add(all, 0x20), start)
            let to := add(out, 0x20)
            for { let k := 0 } lt(k, length) { k := add(k, 0x20) } { mstore(add(to, k), mload(add(from, k))) }
            // clear what the last word copied past the end (new bytes() rounds up to whole words)
            mstore(add(to, length), 0)
        }
        return string(out);
    }
}
