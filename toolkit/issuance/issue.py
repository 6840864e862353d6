"""One grant of shares: ``equity issue CLASS WALLET SHARES [--lockup-until | --vesting]``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from toolkit.inputs import Vesting
from toolkit.issuance.preflight import check_authorized_grant

if TYPE_CHECKING:
    from toolkit.chain.tx import Transactor, TxResult
    from toolkit.offering.contracts import OfferingContracts


def issue_shares(
    transactor: Transactor,
    contracts: OfferingContracts,
    class_id: str,
    wallet: str,
    amount: int,
    *,
    locked_until: int = 0,
    vesting: Vesting | None = None,
) -> TxResult:
    """Issue ``amount`` base units of ``class_id`` to ``wallet``, locked or vesting.

    Shares beyond the authorized shares left are refused first, naming what is left (exit 3);
    then the estimate runs: a receiver the class refuses (SPEC §8 codes 3-6, 9) raises a
    decoded TransactionRevertedError. Either way nothing is sent.
    """
    check_authorized_grant(contracts, class_id, amount)
    token = contracts.token(class_id)
    if vesting is not None:
        call = token.functions.issueVested(
            wallet, amount, vesting.start, vesting.cliff, vesting.end
        )
    else:
        call = token.functions.issue(wallet, amount, locked_until)
    return transactor.transact(call, label=f"issue {class_id} to {wallet}")
