"""The company's right of first refusal as ``rofr-exercise`` targets (SPEC §12): each notice the
company may still exercise, with its terms as its ``NoticeOpened`` event has them, so that the
proposal exercises exactly the notice's terms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from toolkit.governance.actions import NoticeTarget
from toolkit.market.rofr import OPEN, notices, rofr_contract

if TYPE_CHECKING:
    from web3 import Web3

    from toolkit.offering.deployments import Deployment


def notice_targets(
    w3: Web3, deployment: Deployment, actions: Sequence[str]
) -> tuple[NoticeTarget, ...]:
    """The notices governance may still exercise, when an action is ``rofr-exercise`` (else
    none, no reads)."""
    if not any(action.split()[:1] == ["rofr-exercise"] for action in actions):
        return ()
    return tuple(
        NoticeTarget(
            n.id,
            str(rofr_contract(w3, deployment).address),
            n.terms(),
            f"{n.describe()} for {n.payment:,} base units of {n.payment_token}",
        )
        for n in notices(w3, deployment)
        if n.status == OPEN
    )
