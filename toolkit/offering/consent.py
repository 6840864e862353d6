"""Class consent (issue 11, protective provisions): the one table from the action words a class
may list in its offering file's ``consent = [...]`` to the functions the governor then guards.

The governor (``GovernorClassConsent``) guards functions by selector, fixed at deployment: a
proposal with a call to one of them that concerns the class (the class token is the call's
target or one of its argument words, so a raw ``call`` to the same function counts as the action
word does, and so does each call inside a ``multicall``) needs the class's separate vote. Role
changes on the class token, and anywhere outside the class tokens (the timelock's PROPOSER_ROLE,
the governor's ``relay``), need it whatever the list says: the governor counts those itself.

To protect a new action, add its word here with the signatures its calls use (e.g. a ``split``
that calls ``split(uint256,uint256)`` on the class token). Everything else (the offering file's
check, the deployment, ``gov status``) reads this table.
"""

from __future__ import annotations

from eth_utils import function_signature_to_4byte_selector

CONSENT_ACTIONS: dict[str, tuple[str, ...]] = {
    "set-authorized": ("setAuthorized(uint256)",),
    "set-max-holders": ("setMaxHolders(uint32)",),
    "block-jurisdiction": (
        "setJurisdictionBlocked(bytes2,bool)",
        "setJurisdictionBlockedUntil(bytes2,uint40)",
    ),
    "unblock-jurisdiction": (
        "setJurisdictionBlocked(bytes2,bool)",
        "setJurisdictionBlockedUntil(bytes2,uint40)",
    ),
    # issuance beyond the issuer's bound: an approved amount, a minter's allowance (a round), or
    # pointing the token at another bound
    "approve-issuance": (
        "setApprovedIssuance(address,uint256)",
        "setMintAllowance(address,uint256)",
        "setIssuerBound(address)",
    ),
    "set-issuer-limit": ("setIssuerLimit(address,uint8,uint40)", "setIssuerBound(address)"),
    # the split agent becomes an admin of the token (a role change: counted anyway) and starts
    "split": ("start(address,uint32,uint32)",),
    # the converter's mandate names both class tokens: either class may require its consent
    "convert-all": ("mandate(address,address)",),
    "grant-role": ("grantRole(bytes32,address)",),
    "revoke-role": ("revokeRole(bytes32,address)",),
}
DEFAULT_CONSENT_THRESHOLD_PERCENT = 50  # more than half of the outstanding shares: DGCL §242(b)(2)


def consent_selectors(words: tuple[str, ...]) -> list[bytes]:
    """The selectors the governor guards for a class that lists ``words`` (each once, in order)."""
    selectors: list[bytes] = []
    for word in words:
        for signature in CONSENT_ACTIONS[word]:
            selector = bytes(function_signature_to_4byte_selector(signature))
            if selector not in selectors:
                selectors.append(selector)
    return selectors
