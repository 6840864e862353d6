"""`equity deploy`: validate first, deploy every contract, hand the admin roles to the
timelock, record the offering; refuse what would be a mistake before sending anything."""

from __future__ import annotations

import json
from pathlib import Path

from eth_utils import keccak

from tests.issuer.conftest import DEV, EXAMPLES, Issuer
from toolkit.chain.accounts import dev_account
from toolkit.chain.tx import Transactor
from toolkit.governance.governor import Governance
from toolkit.offering.contracts import GOVERNOR, TIMELOCK, OfferingContracts, artifact
from toolkit.offering.deployments import read_deployments

ADMIN = b"\x00" * 32


def role(name: str) -> bytes:
    return keccak(text=name)


def test_deploy_records_every_contract_and_prints_json(issuer: Issuer) -> None:
    result = issuer.equity("--json", "deploy", EXAMPLES / "offering.toml", "--name", "second")
    assert result.code == 0, result.err
    data = result.json()
    assert set(data["contracts"]) == {
        "registry",
        "votes",
        "timelock",
        "governor",
        "holder_view",
        "market",
        "issuer_bound",
        "classes",
        "converters",
    }
    assert set(data["contracts"]["classes"]) == {"COMMON", "FOUNDERS", "PREFERRED"}
    assert set(data["contracts"]["converters"]) == {"PREFERRED"}  # converts_to = "COMMON"
    assert all(set(tx) >= {"hash", "block", "gas_used", "status"} for tx in data["transactions"])
    record = json.loads((issuer.cwd / "deployments" / "31337.json").read_text())
    entry = record["offerings"]["second"]
    assert entry["registry"] == data["contracts"]["registry"]
    assert entry["holder_view"] == data["contracts"]["holder_view"]
    assert issuer.chain.w3.eth.get_code(entry["holder_view"])  # SPEC §12's view, deployed
    assert entry["market"] == data["contracts"]["market"]
    assert issuer.chain.w3.eth.get_code(entry["market"])  # SPEC §12's market, deployed
    assert entry["block"] == data["block"]
    assert len(entry["offering_hash"]) == 64
    assert {c["id"]: c["blocked_jurisdictions"] for c in entry["classes"]}["COMMON"] == ["US"]


def test_the_timelock_administers_everything_and_the_deployer_keeps_day_to_day_roles(
    issuer: Issuer,
) -> None:
    contracts = issuer.contracts
    deployment = issuer.deployment
    deployer = DEV[0]
    registry = contracts.registry.functions
    assert registry.hasRole(ADMIN, deployment.timelock).call()
    assert not registry.hasRole(ADMIN, deployer).call()
    assert registry.hasRole(role("REGISTRAR_ROLE"), deployer).call()
    for _, token in contracts.all_tokens():
        assert token.functions.hasRole(ADMIN, deployment.timelock).call()
        assert not token.functions.hasRole(ADMIN, deployer).call()
        assert token.functions.hasRole(role("ISSUER_ROLE"), deployer).call()
        assert token.functions.hasRole(role("PAUSER_ROLE"), deployer).call()
    timelock = issuer.chain.w3.eth.contract(
        address=deployment.timelock, abi=artifact(TIMELOCK)["abi"]
    )
    assert timelock.functions.hasRole(role("PROPOSER_ROLE"), deployment.governor).call()
    assert timelock.functions.hasRole(role("CANCELLER_ROLE"), deployment.governor).call()
    assert timelock.functions.hasRole(role("EXECUTOR_ROLE"), "0x" + "00" * 20).call()
    assert not timelock.functions.hasRole(ADMIN, deployer).call()


def test_the_offering_rules_are_on_chain(issuer: Issuer) -> None:
    common = issuer.contracts.token("COMMON").functions
    founders = issuer.contracts.token("FOUNDERS").functions
    assert common.isJurisdictionBlocked(b"US").call()
    assert common.authorized().call() == 10_000_000
    assert founders.maxHolders().call() == 3
    assert not founders.isJurisdictionBlocked(b"US").call()


def test_the_issuer_bound_counts_every_class_with_the_offering_files_limit(
    issuer: Issuer, tmp_path: Path
) -> None:
    """Defaults: 20 % per 365 days, the launch allowance the class's authorized shares; the
    offering file's keys change them; only the timelock administers the bound."""
    from toolkit.offering.contracts import ISSUER_BOUND

    text = (EXAMPLES / "offering.toml").read_text()
    text = text.replace(
        'timelock_delay = "2d"',
        'timelock_delay = "2d"\nissuer_limit_percent = 10\nissuer_limit_window = "30d"',
    )
    text = text.replace("max_holders = 3\n", "max_holders = 3\ninitial_issuance = 1_400_000\n")
    custom = tmp_path / "bounded.toml"
    custom.write_text(text)
    result = issuer.equity("--json", "deploy", custom, "--name", "bounded")
    assert result.code == 0, result.err
    data = result.json()["contracts"]
    bound = issuer.chain.w3.eth.contract(
        address=data["issuer_bound"], abi=artifact(ISSUER_BOUND)["abi"]
    )
    for class_id, launch in (("COMMON", 10_000_000), ("FOUNDERS", 1_400_000)):
        token = issuer.chain.w3.eth.contract(
            address=data["classes"][class_id], abi=issuer.contracts.token("COMMON").abi
        )
        assert token.functions.issuerBound().call() == data["issuer_bound"]
        assert bound.functions.issuerBoundOf(token.address, 0).call() == [
            10,
            30 * 86_400,
            0,
            0,
            launch,
        ]
    timelock = result.json()["contracts"]["timelock"]
    assert bound.functions.hasRole(ADMIN, timelock).call()
    assert not bound.functions.hasRole(ADMIN, DEV[0]).call()
    default = issuer.deployment
    assert default.governance["issuer_limit_percent"] == 20
    assert default.governance["issuer_limit_window"] == 365 * 86_400


def test_a_name_already_recorded_is_refused_before_anything_is_sent(issuer: Issuer) -> None:
    before = issuer.nonce()
    result = issuer.equity("deploy", EXAMPLES / "offering.toml", "--name", "acme")
    assert result.code == 2
    assert "already recorded on chain 31337" in result.err
    assert issuer.nonce() == before


def test_an_invalid_offering_file_is_refused_with_its_lines_and_nothing_sent(
    issuer: Issuer, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        (EXAMPLES / "offering.toml")
        .read_text()
        .replace('id = "FOUNDERS"', 'id = "COMMON"')
        .replace("votes_per_share = 0", "votes_per_share = -1")
        .replace("authorized = 5_000_000", "authorized = -1")
    )
    before = issuer.nonce()
    result = issuer.equity("--json", "deploy", bad)
    assert result.code == 2
    assert result.json()["error"]["code"] == 2
    assert "bad.toml:20: classes[1].id: duplicate class id 'COMMON'" in result.err
    assert "classes[2].authorized: must be 0 or more, not -1" in result.err
    assert "classes[2].votes_per_share: must be 0 or more, not -1" in result.err
    assert "Traceback" not in result.err
    assert issuer.nonce() == before


def test_a_deployment_recorded_for_another_chain_is_refused(issuer: Issuer) -> None:
    (issuer.cwd / "deployments" / "1337.json").write_text(
        json.dumps({"chain_id": 1337, "offerings": {"elsewhere": issuer.deployment.to_json()}})
    )
    result = issuer.equity("--deployment", "elsewhere", "pause", "COMMON")
    assert result.code == 3
    assert "recorded for chain 1337, not for chain 31337" in result.err


def test_a_deployments_file_of_another_chain_id_is_refused(issuer: Issuer) -> None:
    path = issuer.cwd / "deployments" / "31337.json"
    data = json.loads(path.read_text())
    data["chain_id"] = 1
    path.write_text(json.dumps(data))
    result = issuer.equity("pause", "COMMON")
    assert result.code == 3
    assert "records chain 1" in result.err


MIXED_DECIMALS = """
[company]
name = "Mixed Decimals, Inc."

[[classes]]
id = "WHOLE"
name = "Whole shares"
symbol = "MIX-W"
authorized = 10_000_000
votes_per_share = 1
max_holders = 0
blocked_jurisdictions = []

[[classes]]
id = "MICRO"
name = "Micro shares"
symbol = "MIX-M"
authorized = 10_000_000
votes_per_share = 1
max_holders = 0
blocked_jurisdictions = []
decimals = 6

[governance]
voting_delay = "1d"
voting_period = "7d"
quorum_percent = 50
proposal_threshold = 1
timelock_delay = "2d"
"""


def test_the_proposal_threshold_is_the_offering_files_in_whole_share_votes(
    issuer: Issuer, tmp_path: Path
) -> None:
    """Issue 10.1: with classes of 0 and 6 decimals, a one-share threshold is one vote on chain
    (it was 10**6 base-unit votes, out of reach of 999,999 whole shares)."""
    offering = tmp_path / "mixed.toml"
    offering.write_text(MIXED_DECIMALS)
    result = issuer.equity("--json", "deploy", offering, "--name", "mixed")
    assert result.code == 0, result.err
    deployment = read_deployments(31337, issuer.cwd)["mixed"]
    w3 = issuer.chain.w3
    governor = w3.eth.contract(address=deployment.governor, abi=artifact(GOVERNOR)["abi"])
    assert governor.functions.proposalThreshold().call() == 1
    contracts = OfferingContracts(w3, deployment)
    signer = Transactor(issuer.chain, dev_account(0))
    holder = DEV[1]
    signer.transact(
        contracts.registry.functions.addHolder(
            holder, b"HOLDER".ljust(16, b"\0"), b"DE", 2**40 - 1, True
        ),
        label="add",
    )
    signer.transact(contracts.token("WHOLE").functions.issue(holder, 999_999, 0), label="issue")
    signer.transact(
        contracts.token("MICRO").functions.issue(holder, 2 * 10**6 + 1, 0), label="issue"
    )
    power = Governance(issuer.chain, deployment).voting_power(holder)
    assert power.total == 999_999 + 2
    assert [c.weighted_votes for c in power.classes] == [999_999, 2]
