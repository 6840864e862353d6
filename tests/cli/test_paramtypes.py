"""The parameter types every command declares: a command receives parsed values, and a bad
value is one line naming the parameter (exit 2) before anything is read from a chain."""

from __future__ import annotations

import json
from collections.abc import Iterator

import click
import pytest

from tests.cli.conftest import added_command
from tests.conftest import invoke_cli
from toolkit.cli.context import AppContext, pass_app
from toolkit.cli.options import batch_size_option, global_options
from toolkit.cli.paramtypes import (
    INVESTOR_ID,
    JURISDICTION,
    SHARES,
    SUPPORT,
    WALLET,
    WALLET_OR_SELF,
)

CHECKSUMMED = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@click.command()
@click.argument("wallet", type=WALLET)
@click.argument("amount", metavar="SHARES", type=SHARES)
@click.argument("support", type=SUPPORT)
@click.option("--to", type=WALLET_OR_SELF, default=None)
@click.option("--investor-id", type=INVESTOR_ID, default=None)
@click.option("--jurisdiction", type=JURISDICTION, default=None)
@batch_size_option()
@global_options
@pass_app
def values(app: AppContext, **given: object) -> None:
    """Echoes what the types made of the values."""
    click.echo(json.dumps({k: v.decode() if isinstance(v, bytes) else v for k, v in given.items()}))


@pytest.fixture(autouse=True)
def values_command() -> Iterator[None]:
    with added_command(values):
        yield


def test_values_arrive_parsed() -> None:
    result = invoke_cli(
        "values", CHECKSUMMED.lower(), "1_000", "Against", "--to", "self",
        "--investor-id", "ALICE-001", "--jurisdiction", "DE", "--batch-size", "7",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.json() == {
        "wallet": CHECKSUMMED,
        "amount": 1000,
        "support": 0,
        "to": "self",
        "investor_id": "ALICE-001",
        "jurisdiction": "DE",
        "batch_size": 7,
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["0x1234", "5", "for"], "WALLET: '0x1234' is not an address"),
        (["0x70997970c51812dc3A010C7d01b50e0d17dc79C8", "5", "for"], "WALLET: 0x70997970c51812dc3A010C7d01b50e0d17dc79C8 has a bad checksum"),
        ([CHECKSUMMED, "0", "for"], "SHARES: shares must be a positive number, not 0"),
        ([CHECKSUMMED, "1.5", "for"], "SHARES: shares 1.5 is fractional"),
        ([CHECKSUMMED, "lots", "for"], "SHARES: shares 'lots' is not a number"),
        ([CHECKSUMMED, "5", "maybe"], "'maybe' is not a vote"),
        ([CHECKSUMMED, "5", "for", "--investor-id", "AN-INVESTOR-ID-TOO-LONG"], "--investor-id: investor id"),
        ([CHECKSUMMED, "5", "for", "--jurisdiction", "de"], "--jurisdiction: jurisdiction 'de' is not an ISO 3166-1"),
        ([CHECKSUMMED, "5", "for", "--jurisdiction", "XX"], "--jurisdiction: jurisdiction 'XX' is not an assigned ISO 3166-1 alpha-2 country code"),
        ([CHECKSUMMED, "5", "for", "--jurisdiction", "UK"], "(the United Kingdom is GB)"),
        ([CHECKSUMMED, "-5", "for"], "SHARES: shares must be a positive number, not -5"),
        ([CHECKSUMMED, "-0.5", "for"], "SHARES: shares must be a positive number, not -0.5"),
        ([CHECKSUMMED, "9" * 80, "for"], "SHARES: shares 999999999999...(80 digits) is too large"),
        ([CHECKSUMMED, str(2**256 - 1), "for"], "is too large: a class holds fewer than 2^208 base units"),
        ([CHECKSUMMED, str(2**208), "for"], "SHARES: shares 411376139330...(63 digits) is too large"),
        ([CHECKSUMMED, "5", "for", "--batch-size", "0"], "--batch-size must be between 1 and 500, not 0"),
        ([CHECKSUMMED, "5", "for", "--to", "me"], "--to: 'me' is not an address"),
    ],
)
def test_a_bad_value_is_one_line_naming_its_parameter_and_exit_2(args: list[str], message: str) -> None:
    result = invoke_cli("--json", "values", *args)
    assert result.code == 2
    assert message in result.json()["error"]["message"]
    assert result.err.splitlines()[0].startswith("error: ")
    assert len(result.err.strip().splitlines()) <= 2
