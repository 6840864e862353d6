"""``equity captable show|export|reconcile`` end to end on anvil, as a user runs them."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.captable.conftest import DAY, Offering
from tests.conftest import invoke_cli


def equity(args: list[str], offering: Offering) -> tuple[int, str, str]:
    result = invoke_cli("--rpc-url", offering.node.rpc_url, *args)
    return result.code, result.out, result.err


def populate(offering: Offering) -> None:
    a, b, c = offering.holders[:3]
    offering.qualify(a, "INV-A")
    offering.qualify(b, "INV-B")
    offering.qualify(c, "INV-C")
    offering.issue("COMMON", a, 600, locked_until=offering.now() + 30 * DAY)
    offering.issue("COMMON", b, 400)
    offering.issue("FOUNDERS", c, 50)
    offering.transfer("COMMON", b, c, 100)


@pytest.fixture
def here(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(workdir)
    return workdir


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open() as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_show_json_has_the_spec_shape_and_the_holders(offering: Offering, here: Path) -> None:
    populate(offering)
    code, out, _ = equity(["--json", "captable", "show"], offering)
    assert code == 0
    doc = json.loads(out)
    assert doc["chain_id"] == 31337 and doc["block"] == offering.head()
    common = next(c for c in doc["classes"] if c["id"] == "COMMON")
    assert common["total_supply"] == 1000 and common["authorized"] == 10_000_000
    holders = {h["wallet"]: h for h in common["holders"]}
    a = holders[offering.holders[0]]
    assert (a["investor_id"], a["shares"], a["locked_shares"], a["votes"], a["percent"]) == ("INV-A", 600, 600, 600, 60.0)


def test_show_one_class_as_a_human_table(offering: Offering, here: Path) -> None:
    populate(offering)
    code, out, _ = equity(["captable", "show", "--class", "FOUNDERS"], offering)
    assert code == 0
    assert "FOUNDERS: 50 outstanding of 2,000,000 authorized" in out
    assert "INV-C" in out and "COMMON:" not in out


def test_an_exported_register_reconciles_clean_with_exit_0(offering: Offering, here: Path) -> None:
    populate(offering)
    code, _, _ = equity(["captable", "export", "--format", "csv", "--out", "register.csv"], offering)
    assert code == 0
    code, out, _ = equity(["--json", "captable", "reconcile", "register.csv"], offering)
    assert code == 0
    assert json.loads(out) == {
        "chain_id": 31337, "block": offering.head(), "timestamp": json.loads(out)["timestamp"],
        "clean": True, "discrepancies": [],
    }


def test_discrepancies_exit_1_with_each_listed_in_json(offering: Offering, here: Path) -> None:
    populate(offering)
    equity(["captable", "export", "--format", "csv", "--out", "register.csv"], offering)
    rows = read_rows(here / "register.csv")
    a = offering.holders[0]
    for row in rows:
        if row["wallet"] == a and row["class"] == "COMMON":
            row["shares"] = "601"
    rows.append({"investor_id": "INV-Z", "wallet": "0x" + "12" * 20, "class": "SERIES-Z", "shares": "1", "locked_shares": ""})
    write_rows(here / "register.csv", rows)
    code, out, _ = equity(["--json", "captable", "reconcile", "register.csv"], offering)
    assert code == 1
    doc = json.loads(out)
    assert doc["clean"] is False
    found = [(d["kind"], d["class"], d["wallet"], d["register"], d["onchain"]) for d in doc["discrepancies"]]
    assert found == [
        ("unknown_class", "SERIES-Z", "0x" + "12" * 20, 1, None),
        ("balance_mismatch", "COMMON", a, 601, 600),
        ("total_mismatch", "COMMON", None, 1001, 1000),
    ]


def test_the_human_report_groups_discrepancies_by_kind(offering: Offering, here: Path) -> None:
    populate(offering)
    equity(["captable", "export", "--format", "csv", "--out", "register.csv"], offering)
    offering.remove(offering.holders[2])
    code, out, _ = equity(["captable", "reconcile", "register.csv"], offering)
    assert code == 1
    assert "2 discrepancies between register.csv" in out
    assert "unqualified_holder (2)" in out
    assert "removed from the" in out and "holder registry" in out


def test_holders_in_a_jurisdiction_their_class_blocks_are_unqualified(offering: Offering, here: Path) -> None:
    """Issue 10.2: a holder who moved to a blocked jurisdiction, and holders of a class that
    blocked theirs after they received, are flagged even though the register agrees."""
    populate(offering)
    equity(["captable", "export", "--format", "csv", "--out", "register.csv"], offering)
    a, _, c = offering.holders[:3]
    offering.update(a, expires_at=offering.now() + 365 * DAY, jurisdiction="US")  # COMMON blocks US
    timelock = offering.record.timelock
    offering.w3.provider.make_request("anvil_impersonateAccount", [timelock])
    offering.w3.provider.make_request("anvil_setBalance", [timelock, hex(10**20)])
    offering._send(offering.contracts.token("FOUNDERS").functions.setJurisdictionBlocked(b"DE", True), timelock)
    code, out, _ = equity(["--json", "captable", "reconcile", "register.csv"], offering)
    assert code == 1
    found = [(d["kind"], d["class"], d["wallet"], d.get("detail")) for d in json.loads(out)["discrepancies"]]
    assert found == [
        ("unqualified_holder", "COMMON", a, "jurisdiction US is blocked for this class"),
        ("unqualified_holder", "FOUNDERS", c, "jurisdiction DE is blocked for this class"),
    ]


def test_the_human_report_groups_share_counts_by_thousands(offering: Offering, here: Path) -> None:
    populate(offering)
    equity(["captable", "export", "--format", "csv", "--out", "register.csv"], offering)
    rows = read_rows(here / "register.csv")
    for row in rows:
        if row["wallet"] == offering.holders[0] and row["class"] == "COMMON":
            row["shares"] = "601"
    write_rows(here / "register.csv", rows)
    code, out, _ = equity(["captable", "reconcile", "register.csv"], offering)
    assert code == 1
    [total] = [line for line in out.splitlines() if line.startswith("COMMON ") and "1,0" in line]
    assert total.split()[1:3] == ["-", "-"] and "1,001  1,000" in total  # register, then chain


def test_a_register_with_bad_rows_exits_2_listing_each_line(offering: Offering, here: Path) -> None:
    (here / "bad.csv").write_text(
        "investor_id,wallet,class,shares\nINV-A,0x12,COMMON,1\nINV-B,0x" + "ab" * 20 + ",COMMON,1.5\n"
    )
    code, out, err = equity(["--json", "captable", "reconcile", "bad.csv"], offering)
    assert code == 2
    assert json.loads(out)["error"]["code"] == 2
    assert "line 2:" in err and "line 3:" in err
    assert "Traceback" not in err


def test_the_ocf_export_loads_with_pyocf_and_reconciles_clean(offering: Offering, here: Path) -> None:
    from toolkit.captable.ocf import load_ocf

    populate(offering)
    offering.force_transfer("COMMON", offering.holders[0], offering.holders[1], 10)
    offering.redeem("FOUNDERS", offering.holders[2], 5)
    offering.issue_vested("FOUNDERS", offering.holders[1], 9, offering.now(), offering.now() + DAY, offering.now() + 90 * DAY)
    code, out, _ = equity(["--json", "captable", "export", "--format", "ocf", "--out", "acme.ocf.zip"], offering)
    assert code == 0 and json.loads(out)["format"] == "ocf"
    captable = load_ocf(here / "acme.ocf.zip")
    assert captable.manifest.issuer.legal_name == "Acme Robotics, Inc."
    assert {c.id for c in captable.stock_classes} == {"COMMON", "FOUNDERS", "PREFERRED"}
    kinds = {t.object_type for t in captable.transactions}
    assert {"TX_STOCK_ISSUANCE", "TX_STOCK_TRANSFER", "TX_STOCK_CANCELLATION", "TX_VESTING_START"} <= kinds
    code, out, _ = equity(["--json", "captable", "reconcile", "acme.ocf.zip"], offering)
    assert (code, json.loads(out)["clean"]) == (0, True)


def test_the_json_export_is_the_show_document(offering: Offering, here: Path) -> None:
    populate(offering)
    equity(["captable", "export", "--format", "json", "--out", "table.json"], offering)
    _, out, _ = equity(["--json", "captable", "show"], offering)
    assert json.loads((here / "table.json").read_text()) == json.loads(out)


def test_as_of_a_date_before_a_transfer_shows_the_earlier_holdings(offering: Offering, here: Path) -> None:
    populate(offering)
    before = offering.now()
    offering.node.advance_time(2 * DAY)
    offering.transfer("COMMON", offering.holders[2], offering.holders[1], 100)
    from datetime import UTC, datetime

    date = datetime.fromtimestamp(before + 60, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    _, out, _ = equity(["--json", "captable", "show", "--class", "COMMON", "--as-of", date], offering)
    holders = {h["wallet"]: h["shares"] for h in json.loads(out)["classes"][0]["holders"]}
    assert holders[offering.holders[2]] == 100


def test_an_unknown_class_or_bad_as_of_is_a_usage_error(offering: Offering, here: Path) -> None:
    code, _, err = equity(["captable", "show", "--class", "NOPE"], offering)
    assert code == 2 and "unknown class 'NOPE'" in err
    code, _, err = equity(["captable", "show", "--as-of", "yesterday"], offering)
    assert code == 2 and "ISO 8601" in err


def test_the_console_script_exits_1_on_discrepancies(offering: Offering, here: Path) -> None:
    populate(offering)
    (here / "empty.csv").write_text("investor_id,wallet,class,shares\n")
    script = Path(sys.executable).parent / "equity"
    done = subprocess.run(
        [str(script), "--rpc-url", offering.node.rpc_url, "captable", "reconcile", "empty.csv"],
        cwd=here, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "missing_in_register" in done.stdout


def test_waterfall_pays_the_preference_first_and_the_rest_as_converted(
    offering: Offering, here: Path
) -> None:
    # PREFERRED (1x at 2.00, converts 1:1 into COMMON) holds 100 shares: preference 200.
    # Converting would pay 1000 x 100/1150 = 86.96, so it keeps the preference; the other
    # 800 go to COMMON's 1,000 and FOUNDERS' 50 shares pro rata (761.904.. and 38.095..).
    populate(offering)
    offering.qualify(offering.holders[3], "INV-D")
    offering.issue("PREFERRED", offering.holders[3], 100)
    code, out, err = equity(["--json", "captable", "waterfall", "--exit-value", "1,000"], offering)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["exit_value"] == "1000"
    classes = {c["id"]: (c["converts"], c["payout"]) for c in doc["classes"]}
    assert classes == {
        "COMMON": (False, "761.90"),
        "FOUNDERS": (False, "38.10"),
        "PREFERRED": (False, "200.00"),
    }
    payouts = {(h["class"], h["investor_id"]): h["payout"] for h in doc["holders"]}
    assert payouts == {
        ("COMMON", "INV-A"): "457.14",
        ("COMMON", "INV-B"): "228.57",
        ("COMMON", "INV-C"): "76.19",
        ("FOUNDERS", "INV-C"): "38.10",
        ("PREFERRED", "INV-D"): "200.00",
    }


def test_waterfall_as_a_table_names_who_converts(offering: Offering, here: Path) -> None:
    populate(offering)
    offering.qualify(offering.holders[3], "INV-D")
    offering.issue("PREFERRED", offering.holders[3], 100)
    code, out, _ = equity(["captable", "waterfall", "--exit-value", "1000000"], offering)
    assert code == 0
    assert "per class" in out and "per holder" in out
    assert "PREFERRED" in out and "yes" in out  # at 1,000,000 converting pays more


def test_waterfall_refuses_a_bad_exit_value_before_reading_the_chain(
    offering: Offering, here: Path
) -> None:
    code, _, err = equity(["captable", "waterfall", "--exit-value=-5"], offering)
    assert code == 2
    assert "--exit-value: amount must be 0 or more, not -5" in err
    code, _, err = equity(["captable", "waterfall", "--exit-value", "1.5e6"], offering)
    assert code == 2
    assert "is not a number" in err
