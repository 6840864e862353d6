// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The restriction codes of a subscription round (SPEC §11), after the class's own (SPEC §8)
/// @notice The messages match `toolkit/restrictions.py` word for word.
library RoundCodes {
    uint8 internal constant OK = 0;
    uint8 internal constant ROUND_NOT_OPEN = 20;
    uint8 internal constant ROUND_CLOSED = 21;
    uint8 internal constant BELOW_MIN_TICKET = 22;
    uint8 internal constant ABOVE_MAX_TICKET = 23;
    uint8 internal constant ABOVE_TRANSACTION_LIMIT = 24;
    uint8 internal constant ROUND_SOLD_OUT = 25;
    uint8 internal constant NOT_ACCREDITED = 26;
    /// @dev Not in SPEC §11's table (an addition after it): the round lacks the class's issuing
    /// power (MINTER_ROLE, or a mint allowance for what it would have issued).
    uint8 internal constant ROUND_NOT_APPROVED = 27;

    /// @dev The message of a round code (20-27); "Unknown restriction code" for anything else.
    function message(uint8 code) internal pure returns (string memory) {
        if (code == ROUND_NOT_OPEN) return "The round is not open yet";
        if (code == ROUND_CLOSED) return "The round is closed";
        if (code == BELOW_MIN_TICKET) return "The investor's subscriptions would stay below the minimum ticket";
        if (code == ABOVE_MAX_TICKET) return "The investor's subscriptions would exceed the maximum ticket";
        if (code == ABOVE_TRANSACTION_LIMIT) return "The amount exceeds the round's limit per transaction";
        if (code == ROUND_SOLD_OUT) return "Not enough shares left in the round";
        if (code == NOT_ACCREDITED) return "The round is open to accredited investors only";
        if (code == ROUND_NOT_APPROVED) {
            return "Governance has not given the round the class's issuing power for these shares";
        }
        return "Unknown restriction code";
    }
}
