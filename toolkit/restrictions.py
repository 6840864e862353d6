"""The transfer-restriction codes of SPEC §8 and §15 (ERC-1404), in the order the contracts check them."""

from __future__ import annotations

RESTRICTIONS: dict[int, tuple[str, str]] = {
    0: ("OK", "No restriction"),
    1: ("PAUSED", "Transfers of this class are paused"),
    2: ("SENDER_FROZEN", "The sender's wallet is frozen"),
    3: ("RECEIVER_FROZEN", "The receiver's wallet is frozen"),
    4: ("RECEIVER_NOT_QUALIFIED", "The receiver is not a qualified holder"),
    5: ("RECEIVER_QUALIFICATION_EXPIRED", "The receiver's qualification has expired"),
    6: ("JURISDICTION_BLOCKED", "The receiver's jurisdiction is blocked for this class"),
    7: ("INSUFFICIENT_BALANCE", "The amount exceeds the sender's balance"),
    8: ("SHARES_LOCKED", "The amount exceeds the sender's unlocked balance"),
    9: ("HOLDER_LIMIT_REACHED", "The class has reached its maximum number of holders"),
    # SPEC §15: a class's investor-category rules (kept by the registry)
    10: (
        "RECEIVER_CATEGORY_NOT_ALLOWED",
        "The receiver's investor category is not allowed for this class",
    ),
    11: (
        "CATEGORY_LIMIT_REACHED",
        "The class has reached its maximum number of holders of the receiver's category",
    ),
    12: ("HOLDING_PERIOD", "The class's holding period has not ended"),
}

# A subscription round's codes (SPEC §11), answered after every class code that applies to issuance.
ROUND_RESTRICTIONS: dict[int, tuple[str, str]] = {
    20: ("ROUND_NOT_OPEN", "The round is not open yet"),
    21: ("ROUND_CLOSED", "The round is closed"),
    22: ("BELOW_MIN_TICKET", "The investor's subscriptions would stay below the minimum ticket"),
    23: ("ABOVE_MAX_TICKET", "The investor's subscriptions would exceed the maximum ticket"),
    24: ("ABOVE_TRANSACTION_LIMIT", "The amount exceeds the round's limit per transaction"),
    25: ("ROUND_SOLD_OUT", "Not enough shares left in the round"),
    26: ("NOT_ACCREDITED", "The round is open to accredited investors only"),
    # not in SPEC §11's table: the round lacks the class's issuing power (approve-round)
    27: (
        "ROUND_NOT_APPROVED",
        "Governance has not given the round the class's issuing power for these shares",
    ),
}

# A conversion's own code (SPEC §14), after the target class's issuance codes.
CONVERSION_RESTRICTIONS: dict[int, tuple[str, str]] = {
    30: (
        "FRACTIONAL_CONVERSION",
        "The shares would convert into a fraction of a share of the target class",
    ),
}


def _entry(code: int) -> tuple[str, str] | None:
    return (
        RESTRICTIONS.get(code) or ROUND_RESTRICTIONS.get(code) or CONVERSION_RESTRICTIONS.get(code)
    )


def restriction_name(code: int) -> str:
    entry = _entry(code)
    return entry[0] if entry else f"UNKNOWN_{code}"


def restriction_message(code: int) -> str:
    entry = _entry(code)
    return entry[1] if entry else f"Unknown restriction code {code}"
