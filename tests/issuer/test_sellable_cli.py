"""How much can I sell now (SPEC §12, issue 13 point 3): `equity check` gives the sender's
transferable shares and next unlock, `holders show` each lot's schedule, on the funded example
offering (examples/issuances.csv: Erin's COMMON locked until 2028-06-30, Alice's FOUNDERS
vesting 2026-01-01 over four years with a one-year cliff, Dave's PREFERRED locked until
2028-06-30)."""

from __future__ import annotations

import json

from tests.issuer.conftest import DEV, Issuer
from toolkit.inputs import iso_time, parse_date
from toolkit.offering.deployments import deployments_file
from toolkit.offering.lockups import Lot, sellable_at

ALICE, BOB, CAROL, DAVE, ERIN, FRANK = DEV[1:7]


def test_check_gives_the_senders_transferable_shares_and_next_unlock_or_null(
    funded: Issuer,
) -> None:
    locked = funded.equity("--json", "check", "COMMON", ERIN, DAVE, "10")
    assert locked.code == 1  # the restriction's exit code, unchanged
    assert locked.json() == {
        "code": 8,
        "name": "SHARES_LOCKED",
        "message": "The amount exceeds the sender's unlocked balance",
        "transferable": 0,
        "next_unlock": {"date": "2028-06-30T00:00:00Z", "shares": 150_000},
    }
    human = funded.equity("check", "COMMON", ERIN, DAVE, "10")
    assert human.out.splitlines()[1] == (
        f"COMMON of {ERIN}: 0 of 150,000 unlocked; 150,000 more on 2028-06-30"
    )
    # nothing locked: next_unlock is null (present, so scripts read one shape)
    result = funded.equity("--json", "check", "COMMON", DAVE, FRANK, "10")
    assert result.code == 0
    assert (result.json()["transferable"], result.json()["next_unlock"]) == (250_000, None)
    human = funded.equity("check", "COMMON", DAVE, FRANK, "10").out.splitlines()
    assert human == ["OK (0): No restriction", f"COMMON of {DAVE}: 250,000 of 250,000 unlocked"]


def test_holders_show_lists_each_lots_schedule(funded: Issuer) -> None:
    shown = funded.equity("--json", "holders", "show", ALICE).json()
    founders = {b["class"]: b for b in shown["balances"]}["FOUNDERS"]
    assert founders["lots"] == [
        {
            "kind": "vesting",
            "amount": 800_000,
            "start": "2026-01-01T00:00:00Z",
            "cliff": "2027-01-01T00:00:00Z",
            "end": "2030-01-01T00:00:00Z",
            "locked": founders["locked_shares"],
        }
    ]
    assert founders["transferable"] == 800_000 - founders["locked_shares"]
    dave = {
        b["class"]: b for b in funded.equity("--json", "holders", "show", DAVE).json()["balances"]
    }
    assert dave["PREFERRED"]["lots"] == [
        {
            "kind": "lockup",
            "amount": 300_000,
            "start": "2028-06-30T00:00:00Z",
            "cliff": "2028-06-30T00:00:00Z",
            "end": "2028-06-30T00:00:00Z",
            "locked": 300_000,
        }
    ]
    assert dave["PREFERRED"]["next_unlock"] == {"date": "2028-06-30T00:00:00Z", "shares": 300_000}
    assert (dave["COMMON"]["lots"], dave["COMMON"]["next_unlock"]) == ([], None)
    human = funded.equity("holders", "show", DAVE).out
    assert "300,000 on 2028-06-30" in human
    assert "lock-up until 2028-06-30" in human
    vesting = funded.equity("holders", "show", ALICE).out
    assert "vesting 2026-01-01 to 2030-01-01, cliff 2027-01-01" in vesting


def test_a_record_without_a_view_answers_as_the_view_does_as_time_passes(funded: Issuer) -> None:
    """Mid-vesting (2027-07-01 06:00 UTC): the recorded HolderView, then a record written before
    the view existed (the same rule over the token's lots), give the same answer."""
    w3 = funded.chain.w3
    moment = max(
        parse_date("2027-07-01T06:00:00Z"), int(w3.eth.get_block("latest")["timestamp"]) + 1
    )
    w3.provider.make_request("evm_setNextBlockTimestamp", [moment])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    args = ("--json", "check", "FOUNDERS", ALICE, DAVE, "1")
    with_view = funded.equity(*args).json()
    lot = Lot(
        "FOUNDERS",
        ALICE,
        800_000,
        *(parse_date(d) for d in ("2026-01-01", "2027-01-01", "2030-01-01")),
    )
    expected = sellable_at([lot], 800_000, moment)
    assert expected.next_unlock is not None
    assert with_view["transferable"] == expected.transferable > 0
    assert with_view["next_unlock"] == {
        "date": iso_time(expected.next_unlock.at),
        "shares": expected.next_unlock.shares,
    }
    assert with_view["next_unlock"]["date"] == "2027-07-02T00:00:00Z"  # the next UTC midnight

    record = deployments_file(funded.deployment.chain_id, funded.cwd)
    data = json.loads(record.read_text())
    entry = data["offerings"][funded.deployment.name]
    assert entry.pop("holder_view")
    record.write_text(json.dumps(data))
    assert funded.equity(*args).json() == with_view
