"""Many contract reads in few round trips: web3's JSON-RPC batch requests, in chunks.

Checking ten thousand receivers before a batch run, or listing every holder, would cost ten
thousand round trips one call at a time; ``batched_calls`` sends them ``READ_CHUNK`` to a
request (and falls back to one call each on a node that refuses batch requests).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from toolkit.errors import EquityError

if TYPE_CHECKING:
    from web3 import Web3

READ_CHUNK = 500  # contract reads per JSON-RPC batch request


def batched_calls(w3: Web3, calls: Sequence[Any]) -> list[Any]:
    """The result of each contract read (``contract.functions.f(...)``), in order."""
    results: list[Any] = []
    for start in range(0, len(calls), READ_CHUNK):
        results.extend(_one_request(w3, calls[start : start + READ_CHUNK]))
    return results


def _one_request(w3: Web3, calls: Sequence[Any]) -> list[Any]:
    try:
        with w3.batch_requests() as batch:
            for call in calls:
                batch.add(call)
            return list(batch.execute())
    except Exception as exc:  # a node without batch support: one call each
        if isinstance(exc, EquityError):
            raise
        return [call.call() for call in calls]
