"""Exemption presets (SPEC §15): each fills in its rules, keys beside it override them, and each
shows its rules on anvil once deployed (one offering with a class per preset)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunningNode
from tests.issuer.conftest import DEV, EXAMPLES
from toolkit.chain.accounts import dev_account
from toolkit.chain.connection import connect_url
from toolkit.chain.tx import Transactor
from toolkit.errors import InputError
from toolkit.inputs import CATEGORIES, parse_date
from toolkit.offering.contracts import OfferingContracts
from toolkit.offering.deploy import deploy_offering
from toolkit.offering.offering_file import ShareClassSpec, load_offering
from toolkit.offering.presets import PRESETS, RULES, US_AND_POSSESSIONS, Until, parse_until

YEAR = 365 * 86_400
ZERO = "0x" + "00" * 20
ACCREDITED, QUALIFIED_PURCHASER, PROFESSIONAL, RETAIL = (CATEGORIES[n] for n in CATEGORIES)
GOVERNANCE = """
[governance]
voting_delay = "1d"
voting_period = "7d"
quorum_percent = 50
proposal_threshold = 1
timelock_delay = "2d"
"""


def offering_text(classes: list[dict[str, Any]], top: str = "") -> str:
    blocks = [top, '[company]\nname = "Acme"\n']
    for n, extra in enumerate(classes):
        lines = [f'id = "C{n}"', f'name = "Class {n}"', f'symbol = "C{n}"', "authorized = 1_000_000"]
        lines.append(f"votes_per_share = {1 if n == 0 else 0}")
        lines += [f"{key} = {value}" for key, value in extra.items()]
        blocks.append("[[classes]]\n" + "\n".join(lines) + "\n")
    return "\n".join(blocks) + GOVERNANCE


def load(tmp_path: Path, classes: list[dict[str, Any]], top: str = "") -> tuple[ShareClassSpec, ...]:
    path = tmp_path / "offering.toml"
    path.write_text(offering_text(classes, top))
    return load_offering(path).classes


# ------------------------------------------------------------------ the parser (pure)


def test_a_preset_fills_in_its_rules(tmp_path: Path) -> None:
    (spec,) = load(tmp_path, [{"preset": '"reg-d-506b"'}])
    assert spec.allowed_categories == ("accredited", "qualified_purchaser", "retail")
    assert spec.max_holders_by_category == (("retail", 35),)
    assert spec.holding_period == Until(months=12)
    assert spec.has_category_rules


def test_keys_beside_a_preset_override_it_and_the_rest_stays(tmp_path: Path) -> None:
    (spec,) = load(
        tmp_path,
        [{"preset": '"reg-d-506b"', "max_holders_by_category": "{ retail = 20 }"}],
    )
    assert spec.max_holders_by_category == (("retail", 20),)
    assert spec.allowed_categories == ("accredited", "qualified_purchaser", "retail")
    (spec,) = load(tmp_path, [{"preset": '"3c1"', "max_holders": 250}])
    assert spec.max_holders == 250


def test_an_offering_preset_applies_to_every_class_without_its_own(tmp_path: Path) -> None:
    first, second = load(tmp_path, [{}, {"preset": '"3c7"'}], top='preset = "reg-d-506c"\n')
    assert first.allowed_categories == ("accredited",) and first.holding_period == Until(months=12)
    assert second.allowed_categories == ("qualified_purchaser",) and second.holding_period is None


def test_the_example_offering_uses_a_preset() -> None:
    common, preferred, intl = load_offering(EXAMPLES / "offering-506b.toml").classes
    assert common.preset == "reg-d-506b" and common.max_holders_by_category == (("retail", 35),)
    assert preferred.allowed_categories == ("accredited",)
    assert preferred.holding_period == Until(months=12)
    assert intl.preset == "reg-s"
    assert [code for code, _ in intl.blocked_jurisdictions_until] == list(US_AND_POSSESSIONS)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"preset": '"reg-z"'}, "unknown preset 'reg-z'"),
        ({"allowed_categories": '["angel"]'}, "unknown category angel"),
        ({"max_holders_by_category": "{ whale = 3 }"}, "unknown category 'whale'"),
        ({"max_holders_by_category": "{ retail = -1 }"}, "must be 0 or more"),
        ({"holding_period": '"soon"'}, "neither a date"),
        ({"blocked_jurisdictions_until": '{ us = "1y" }'}, "us"),
    ],
)
def test_bad_category_keys_are_reported_with_their_key(
    tmp_path: Path, extra: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError) as caught:
        load(tmp_path, [extra])
    assert message in str(caught.value)


def test_periods_are_calendar_years_and_months_from_the_deployment() -> None:
    start = parse_date("2028-02-29")
    assert parse_until("1y").at(start) == parse_date("2029-03-01")
    assert parse_until("6mo").at(parse_date("2027-08-31")) == parse_date("2028-03-01")
    assert parse_until("90d").at(start) == start + 90 * 86_400
    assert parse_until("2030-01-01").at(start) == parse_date("2030-01-01")


def test_every_preset_names_the_provisions_it_encodes() -> None:
    assert set(RULES) == set(PRESETS)
    assert all(rules and all(ref for _, ref in rules) for rules in RULES.values())


# ------------------------------------------------------------------ on anvil

PRESET_CLASSES = {name: f"C{n}" for n, name in enumerate(PRESETS)}


@pytest.fixture(scope="module")
def deployed(anvil: RunningNode, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One offering with a class per preset, deployed once for this module."""
    home = tmp_path_factory.mktemp("presets")
    path = home / "offering.toml"
    path.write_text(offering_text([{"preset": f'"{name}"'} for name in PRESETS]))
    chain = connect_url(anvil.rpc_url)
    Transactor._next_nonce.clear()
    report = deploy_offering(
        Transactor(chain, dev_account(0)), load_offering(path), name="presets", cwd=home
    )
    contracts = OfferingContracts(chain.w3, report.deployment)
    return {"contracts": contracts, "snapshot": anvil.snapshot()}


@pytest.fixture
def offering(deployed: dict[str, Any], anvil: RunningNode) -> Iterator[OfferingContracts]:
    """The preset offering as deployed: each test runs in a snapshot reverted afterwards."""
    yield deployed["contracts"]
    anvil.revert(deployed["snapshot"])
    Transactor._next_nonce.clear()
    deployed["snapshot"] = anvil.snapshot()


class Desk:
    """Register wallets with categories and move shares, as the issuer (dev0)."""

    def __init__(self, contracts: OfferingContracts) -> None:
        self.contracts = contracts
        self.w3 = contracts.w3

    def send(self, call: Any) -> None:
        receipt = self.w3.eth.wait_for_transaction_receipt(call.transact({"from": DEV[0]}))
        assert receipt["status"] == 1

    def register(self, wallet: str, investor: str, category: int, jurisdiction: str = "DE") -> None:
        registry = self.contracts.registry.functions
        never = 2**40 - 1
        ident = investor.encode().ljust(16, b"\0")
        self.send(registry.addHolder(wallet, ident, jurisdiction.encode(), never, False))
        if category:
            self.send(registry.setCategory(wallet, category, 0))

    def token(self, preset: str) -> Any:
        return self.contracts.token(PRESET_CLASSES[preset])

    def detect(self, preset: str, sender: str, to: str, amount: int = 1) -> int:
        return int(self.token(preset).functions.detectTransferRestriction(sender, to, amount).call())

    def rules(self, preset: str) -> tuple[bool, tuple[int, int, list[int]]]:
        address = self.token(preset).address
        active, rules = self.contracts.registry.functions.categoryRulesOf(address).call()
        return active, tuple(rules)  # type: ignore[return-value]

    def advance(self, seconds: int) -> None:
        self.w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
        self.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


@pytest.fixture
def desk(offering: OfferingContracts) -> Desk:
    return Desk(offering)


def test_reg_d_506b_caps_retail_investors_at_35_and_holds_transfers_for_a_year(desk: Desk) -> None:
    active, (allowed, holding_end, caps) = desk.rules("reg-d-506b")
    assert active and allowed == (1 << ACCREDITED) | (1 << QUALIFIED_PURCHASER) | (1 << RETAIL)
    assert caps == [0, 0, 0, 35]
    now = int(desk.w3.eth.get_block("latest")["timestamp"])
    assert YEAR - 86_400 <= holding_end - now <= YEAR + 86_400
    desk.register(DEV[1], "ACC", ACCREDITED)
    desk.register(DEV[2], "PRO", PROFESSIONAL)
    desk.send(desk.token("reg-d-506b").functions.issue(DEV[1], 10, 0))
    assert desk.detect("reg-d-506b", ZERO, DEV[2]) == 10
    desk.register(DEV[3], "RET", RETAIL)
    assert desk.detect("reg-d-506b", DEV[1], DEV[3]) == 12
    desk.advance(holding_end - now)
    assert desk.detect("reg-d-506b", DEV[1], DEV[3]) == 0


def test_reg_d_506c_admits_accredited_investors_only(desk: Desk) -> None:
    active, (allowed, holding_end, _) = desk.rules("reg-d-506c")
    assert active and allowed == 1 << ACCREDITED and holding_end > 0
    desk.register(DEV[1], "ACC", ACCREDITED)
    desk.register(DEV[2], "RET", RETAIL)
    assert desk.detect("reg-d-506c", ZERO, DEV[1]) == 0
    assert desk.detect("reg-d-506c", ZERO, DEV[2]) == 10


def test_reg_s_bars_us_receivers_until_the_compliance_period_ends(desk: Desk) -> None:
    token = desk.token("reg-s")
    assert not desk.rules("reg-s")[0]  # no category rules: only dated jurisdiction blocks
    for code in US_AND_POSSESSIONS:
        assert token.functions.isJurisdictionBlocked(code.encode()).call()
    desk.register(DEV[1], "EU", 0, "FR")
    desk.register(DEV[2], "US", 0, "US")
    desk.send(token.functions.issue(DEV[1], 10, 0))
    assert desk.detect("reg-s", DEV[1], DEV[2]) == 6
    desk.advance(YEAR + 86_400)
    assert desk.detect("reg-s", DEV[1], DEV[2]) == 0
    assert not token.functions.isJurisdictionBlocked(b"US").call()


def test_reg_cf_holds_transfers_for_a_year(desk: Desk) -> None:
    active, (allowed, holding_end, caps) = desk.rules("reg-cf")
    assert active and allowed == 0 and caps == [0, 0, 0, 0] and holding_end > 0
    desk.register(DEV[1], "A", RETAIL)
    desk.register(DEV[2], "B", 0)
    desk.send(desk.token("reg-cf").functions.issue(DEV[1], 10, 0))
    assert desk.detect("reg-cf", DEV[1], DEV[2]) == 12


def test_3c1_caps_the_class_at_100_investors(desk: Desk) -> None:
    assert desk.token("3c1").functions.maxHolders().call() == 100
    assert not desk.rules("3c1")[0]


def test_3c7_admits_qualified_purchasers_only(desk: Desk) -> None:
    active, (allowed, _, _) = desk.rules("3c7")
    assert active and allowed == 1 << QUALIFIED_PURCHASER
    desk.register(DEV[1], "QP", QUALIFIED_PURCHASER)
    desk.register(DEV[2], "ACC", ACCREDITED)
    assert desk.detect("3c7", ZERO, DEV[1]) == 0
    assert desk.detect("3c7", ZERO, DEV[2]) == 10


def test_eu_prospectus_exempt_caps_retail_at_149_and_admits_professionals(desk: Desk) -> None:
    active, (allowed, holding_end, caps) = desk.rules("eu-prospectus-exempt")
    assert active and allowed == (1 << PROFESSIONAL) | (1 << RETAIL)
    assert caps == [0, 0, 0, 149] and holding_end == 0
    desk.register(DEV[1], "PRO", PROFESSIONAL)
    desk.register(DEV[2], "US", ACCREDITED)
    assert desk.detect("eu-prospectus-exempt", ZERO, DEV[1]) == 0
    assert desk.detect("eu-prospectus-exempt", ZERO, DEV[2]) == 10


def test_the_readme_documents_every_preset_rule_with_its_provision() -> None:
    readme = (EXAMPLES.parent / "README.md").read_text()
    for name, rules in RULES.items():
        for rule, provision in rules:
            assert f"| `{name}` | {rule} | {provision} |" in readme
