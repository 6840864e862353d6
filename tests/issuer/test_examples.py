"""examples/: the holders, issuances and register files tell one consistent story, and the
register reconciles clean once the holders are imported and the issuances issued."""

from __future__ import annotations

import csv
from collections import Counter

from tests.issuer.conftest import EXAMPLES, Issuer
from toolkit.inputs import parse_date


def rows(name: str) -> list[dict[str, str]]:
    with (EXAMPLES / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_register_lists_exactly_the_issued_shares_per_investor_wallet_and_class() -> None:
    investor_of = {r["wallet"]: r["investor_id"] for r in rows("holders.csv")}
    issued: Counter[tuple[str, str, str]] = Counter()
    for r in rows("issuances.csv"):
        issued[(investor_of[r["wallet"]], r["wallet"], r["class"])] += int(r["shares"])
    register = Counter(
        {
            (r["investor_id"], r["wallet"], r["class"]): int(r["shares"])
            for r in rows("register.csv")
        }
    )
    assert register == issued


def test_the_registers_locked_shares_match_the_lockups_and_vesting_is_left_open() -> None:
    lockups = {(r["wallet"], r["class"]): r["lockup_until"] for r in rows("issuances.csv")}
    vesting = {(r["wallet"], r["class"]) for r in rows("issuances.csv") if r["vesting"]}
    for r in rows("register.csv"):
        key = (r["wallet"], r["class"])
        if key in vesting:
            assert r["locked_shares"] == ""
        elif lockups[key]:
            assert parse_date(lockups[key]) > parse_date("2028-01-01")  # still locked in any demo
            assert r["locked_shares"] == r["shares"]
        else:
            assert r["locked_shares"] == "0"


def test_the_example_register_reconciles_clean_on_chain(funded: Issuer) -> None:
    result = funded.equity("--json", "captable", "reconcile", EXAMPLES / "register.csv")
    assert result.code == 0, result.err + result.out
    assert result.json()["clean"] is True
