"""The cap table: per class and combined, with the three percentages and votes."""

from __future__ import annotations

from tests.captable.factories import NOW, History, wallet
from toolkit.captable.cap_table import build_cap_table
from toolkit.captable.deployment import OfferingDeployment
from toolkit.offering.deployments import ClassDeployment

A, B, C = wallet(0xA), wallet(0xB), wallet(0xC)
DEPLOYMENT = OfferingDeployment(
    name="acme",
    chain_id=31337,
    registry=wallet(0x1),
    classes=(
        ClassDeployment("COMMON", wallet(0x2), votes_per_share=1, reserved=250),
        ClassDeployment("PREF", wallet(0x3), votes_per_share=10),
    ),
)


def table(deployment: OfferingDeployment = DEPLOYMENT, authorized: dict[str, int] | None = None):  # type: ignore[no-untyped-def]
    ledger = (
        History()
        .qualify(A, "INV-A")
        .qualify(B, "INV-A")
        .qualify(C, "INV-C")
        .issue("COMMON", A, 600)
        .issue("COMMON", C, 200)
        .issue("PREF", B, 200)
        .ledger()
    )
    return build_cap_table(
        ledger, deployment, block=9, timestamp=NOW, locked={("COMMON", A): 100},
        authorized=authorized or {"COMMON": 1600, "PREF": 400},
    )


def test_class_lines_carry_shares_locked_votes_and_percent_of_class() -> None:
    common = table().classes[0]
    assert (common.id, common.total_supply, common.authorized) == ("COMMON", 800, 1600)
    top = common.holders[0]
    assert (top.investor_id, top.wallet, top.shares, top.locked_shares, top.votes) == ("INV-A", A, 600, 100, 600)
    assert top.percent == 75.0
    assert top.percent_outstanding == 60.0  # of 1000 outstanding in all classes
    assert top.percent_fully_diluted == 48.0  # of 1000 outstanding + 250 reserved


def test_votes_weigh_shares_by_the_class_votes_per_share() -> None:
    pref = table().classes[1]
    assert pref.holders[0].votes == 2000


def test_votes_count_whole_shares_whatever_the_decimals() -> None:
    """SPEC §10: 2.5 shares of a 6-decimal class at 10 votes per share carry 25 votes, half a
    share at one vote none (rounded down per position, as the votes source rounds per class)."""
    deployment = OfferingDeployment(
        name="acme",
        chain_id=31337,
        registry=wallet(0x1),
        classes=(
            ClassDeployment("MICRO", wallet(0x2), votes_per_share=10, decimals=6),
            ClassDeployment("HALF", wallet(0x3), votes_per_share=1, decimals=6),
        ),
    )
    ledger = (
        History(("MICRO", "HALF"))
        .qualify(A, "INV-A")
        .issue("MICRO", A, 2_500_000)
        .issue("HALF", A, 500_000)
        .ledger()
    )
    cap_table = build_cap_table(ledger, deployment, block=9, timestamp=NOW)
    assert [c.holders[0].votes for c in cap_table.classes] == [25, 0]
    assert cap_table.investors[0].votes == 25


def test_combined_lines_join_an_investors_wallets_and_classes() -> None:
    combined = {line.investor_id: line for line in table().investors}
    a = combined["INV-A"]
    assert a.wallets == tuple(sorted((A, B)))
    assert a.shares == {"COMMON": 600, "PREF": 200}
    assert a.votes == 2600
    assert a.percent_outstanding == 80.0
    assert a.percent_fully_diluted == 64.0


def test_json_has_the_spec_keys() -> None:
    doc = table().to_json()
    assert {"chain_id", "block", "classes"} <= doc.keys()
    holder = doc["classes"][0]["holders"][0]
    assert {"investor_id", "wallet", "shares", "locked_shares", "votes", "percent"} <= holder.keys()
    assert {"id", "total_supply", "authorized", "holders"} <= doc["classes"][0].keys()


def test_restricting_to_a_class_drops_the_others_and_the_combined_lines() -> None:
    only = table().only("PREF")
    assert [c.id for c in only.classes] == ["PREF"]
    assert only.investors == ()


def test_wallets_are_shown_in_their_eip55_checksum_form() -> None:
    from eth_utils import to_checksum_address

    from toolkit.inputs import checksum_address as checksum

    for address in ("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "0x" + "ab" * 20, "0x" + "00" * 20):
        assert checksum(address) == to_checksum_address(address)


def test_fully_diluted_is_outstanding_plus_reserved_not_authorized() -> None:
    doc = table().to_json()
    assert [c["reserved"] for c in doc["classes"]] == [250, 0]
    top = doc["classes"][0]["holders"][0]
    assert top["percent_fully_diluted"] == 48.0  # 600 / (1000 + 250); 2000 authorized do not count


def test_without_a_reserve_fully_diluted_equals_outstanding() -> None:
    plain = OfferingDeployment(
        name="acme", chain_id=31337, registry=wallet(0x1),
        classes=(ClassDeployment("COMMON", wallet(0x2)), ClassDeployment("PREF", wallet(0x3), votes_per_share=10)),
    )
    for line in table(plain).investors:
        assert line.percent_fully_diluted == line.percent_outstanding


def test_a_reserve_counts_at_most_the_authorized_shares_not_yet_issued() -> None:
    # COMMON: 800 issued of 900 authorized, so only 100 of the 250 reserved can still be issued
    capped = table(authorized={"COMMON": 900, "PREF": 400})
    assert capped.classes[0].reserved == 100
    assert capped.classes[0].holders[0].percent_fully_diluted == round(600 * 100 / 1100, 6)
