"""The cap table's --as-of and --confirmations, refused in words when they point past the
chain (issue 10.8): a future date as a future block is, more confirmations than blocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.issuer.conftest import Issuer


def chain_time(issuer: Issuer) -> datetime:
    latest = issuer.chain.w3.eth.get_block("latest")
    return datetime.fromtimestamp(int(latest["timestamp"]), tz=UTC)


def test_a_future_date_is_refused_as_a_future_block_is(issuer: Issuer) -> None:
    future = (chain_time(issuer) + timedelta(days=400)).strftime("%Y-%m-%d")
    result = issuer.equity("--json", "captable", "show", "--as-of", future)
    assert result.code == 2
    message = result.json()["error"]["message"]
    assert message.startswith(f"--as-of {future} is in the future: the chain's time is ")
    later = (chain_time(issuer) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S")
    assert issuer.equity("captable", "show", "--as-of", later).code == 2
    block = issuer.chain.w3.eth.block_number
    beyond = issuer.equity("captable", "show", "--as-of", str(block + 5))
    assert beyond.code == 2 and "is in the future" in beyond.err


def test_the_chains_own_day_is_not_in_the_future(issuer: Issuer) -> None:
    today = chain_time(issuer).strftime("%Y-%m-%d")  # its end lies ahead; the day has begun
    result = issuer.equity("--json", "captable", "show", "--as-of", today)
    assert result.code == 0, result.err
    assert result.json()["block"] == issuer.chain.w3.eth.block_number


def test_more_confirmations_than_blocks_is_refused_in_words(issuer: Issuer) -> None:
    latest = issuer.chain.w3.eth.block_number
    result = issuer.equity("--json", "captable", "show", "--confirmations", str(latest + 1000))
    assert result.code == 2
    error = result.json()["error"]
    assert error["message"] == (
        f"--confirmations {latest + 1000} asks for a block that far below the head, "
        f"but the chain has only {latest + 1} blocks (0 to {latest})"
    )
    assert f"--confirmations {latest} or fewer" in error["hint"]
    assert "does not exist" not in result.err
    assert issuer.equity("captable", "show", "--confirmations", str(latest)).code == 0
