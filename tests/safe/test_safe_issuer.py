"""A 2-of-3 Safe as the issuer (SPEC §16): every issuer action is built as a Safe transaction
file (nothing sent), signed by two owners, and executed by anyone; what would let a wrong
transaction through (too few signatures, a changed file, a stranger's signature) is refused
with nothing sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from web3 import Web3

from tests.safe.conftest import DEV, OUTSIDER, OWNERS, SafeOffering
from toolkit.offering.contracts import REGISTRY, SHARE_CLASS, artifact
from toolkit.safe.contracts import safe_contract

HOLDER = DEV[6]


def _registry(chain: SafeOffering) -> Any:
    address = chain.deployment["contracts"]["registry"]
    return chain.w3.eth.contract(address=address, abi=artifact(REGISTRY)["abi"])


def _token(chain: SafeOffering, class_id: str) -> Any:
    address = chain.deployment["contracts"]["classes"][class_id]
    return chain.w3.eth.contract(address=address, abi=artifact(SHARE_CLASS)["abi"])


def _safe_nonce(chain: SafeOffering) -> int:
    return int(safe_contract(chain.w3, chain.safe).functions.nonce().call())


def _build(chain: SafeOffering, *command: str) -> Path:
    built = chain.as_safe("--json", *command)
    assert built.code == 0, built.err
    assert built.json()["transactions"] == []
    return Path(built.json()["safe_tx"]["file"])


def _sign_and_execute(
    chain: SafeOffering, path: Path, signers: tuple[str, ...] = ("dev1", "dev3")
) -> Any:
    for alias in signers:
        signed = chain.equity("safe", "sign", str(path), "--account", alias)
        assert signed.code == 0, signed.err
    executed = chain.equity("--json", "safe", "execute", str(path), "--account", "dev7")
    assert executed.code == 0, executed.err
    return executed.json()


def _add_holder(chain: SafeOffering, wallet: str, investor: str = "INV-1") -> None:
    path = _build(
        chain, "holders", "add", wallet, "--investor-id", investor,
        "--jurisdiction", "DE", "--expires", "2035-01-01",
    )  # fmt: skip
    _sign_and_execute(chain, path)


def test_deploy_gives_the_safe_the_issuer_roles_and_the_deployer_none(chain: SafeOffering) -> None:
    registry, token = _registry(chain), _token(chain, "COMMON")
    registrar = registry.functions.REGISTRAR_ROLE().call()
    issuer, pauser = token.functions.ISSUER_ROLE().call(), token.functions.PAUSER_ROLE().call()
    assert registry.functions.hasRole(registrar, chain.safe).call()
    assert token.functions.hasRole(issuer, chain.safe).call()
    assert token.functions.hasRole(pauser, chain.safe).call()
    for role, contract in ((registrar, registry), (issuer, token), (pauser, token)):
        assert not contract.functions.hasRole(role, DEV[0]).call()
    assert chain.deployment["issuer"] == chain.safe


def test_a_2_of_3_safe_registers_a_holder_issues_and_pauses(chain: SafeOffering) -> None:
    _add_holder(chain, HOLDER)
    assert _registry(chain).functions.holderOf(HOLDER).call()[0] != b"\x00" * 16

    executed = _sign_and_execute(chain, _build(chain, "issue", "COMMON", HOLDER, "1500"))
    assert _token(chain, "COMMON").functions.balanceOf(HOLDER).call() == 1500
    assert "SharesIssued" in [event["event"] for event in executed["events"]]

    _sign_and_execute(chain, _build(chain, "pause", "COMMON"), signers=("dev2", "dev3"))
    assert _token(chain, "COMMON").functions.paused().call() is True
    assert _safe_nonce(chain) == 3


def test_building_sends_nothing_and_writes_the_file_named_for_the_safe_nonce(
    chain: SafeOffering,
) -> None:
    block = chain.w3.eth.block_number
    built = chain.as_safe("pause", "COMMON")
    assert built.code == 0, built.err
    assert "safe-tx-0.json" in built.out and "nothing was sent" in built.out
    assert chain.w3.eth.block_number == block
    data = json.loads(Path("safe-tx-0.json").read_text())
    assert data["nonce"] == 0 and data["signatures"] == {}
    assert data["calls"][0]["label"] == "pause COMMON"


def test_the_file_hash_is_the_one_the_safe_contract_computes(chain: SafeOffering) -> None:
    data = json.loads(_build(chain, "pause", "COMMON").read_text())
    on_chain = safe_contract(chain.w3, chain.safe).functions.getTransactionHash(
        Web3.to_checksum_address(data["to"]), int(data["value"]), bytes.fromhex(data["data"][2:]),
        data["operation"], int(data["safe_tx_gas"]), int(data["base_gas"]),
        int(data["gas_price"]), data["gas_token"], data["refund_receiver"], data["nonce"],
    ).call()  # fmt: skip
    assert "0x" + bytes(on_chain).hex() == data["safe_tx_hash"]


def test_one_signature_of_two_is_refused_naming_how_many_more_and_nothing_is_sent(
    chain: SafeOffering,
) -> None:
    path = _build(chain, "pause", "COMMON")
    assert chain.equity("safe", "sign", str(path), "--account", "dev2").code == 0
    block = chain.w3.eth.block_number

    refused = chain.equity("safe", "execute", str(path), "--account", "dev7")

    assert refused.code == 2
    assert "1 more needed" in refused.err and "nothing was sent" in refused.err
    assert OWNERS[0] in refused.err and OWNERS[2] in refused.err  # who has not signed
    assert "Traceback" not in refused.err
    assert chain.w3.eth.block_number == block
    assert _token(chain, "COMMON").functions.paused().call() is False


def test_a_file_changed_after_it_was_built_is_refused_by_sign_and_execute(
    chain: SafeOffering,
) -> None:
    path = _build(chain, "pause", "COMMON")
    _signed = [chain.equity("safe", "sign", str(path), "--account", a) for a in ("dev1", "dev2")]
    data = json.loads(path.read_text())
    unpause = _token(chain, "COMMON").encode_abi("unpause", [])
    data["data"] = data["calls"][0]["data"] = unpause  # words and data changed alike
    path.write_text(json.dumps(data))

    for command in (("sign", "--account", "dev3"), ("execute", "--account", "dev7")):
        refused = chain.equity("safe", command[0], str(path), *command[1:])
        assert refused.code == 2, refused.err
        assert "changed after it was built" in refused.err
    assert _safe_nonce(chain) == 0


def test_calls_described_otherwise_than_the_data_are_refused(chain: SafeOffering) -> None:
    path = _build(chain, "pause", "COMMON")
    data = json.loads(path.read_text())
    data["calls"][0]["data"] = _token(chain, "COMMON").encode_abi("unpause", [])
    path.write_text(json.dumps(data))

    refused = chain.equity("safe", "sign", str(path), "--account", "dev1")

    assert refused.code == 2
    assert "calls do not match its data" in refused.err
    assert json.loads(path.read_text())["signatures"] == {}


def test_a_non_owner_cannot_sign(chain: SafeOffering) -> None:
    path = _build(chain, "pause", "COMMON")

    refused = chain.equity("safe", "sign", str(path), "--account", "dev5")

    assert refused.code == 2
    assert f"{OUTSIDER} is not an owner" in refused.err
    assert json.loads(path.read_text())["signatures"] == {}


def test_a_forged_signature_entry_does_not_count(chain: SafeOffering) -> None:
    path = _build(chain, "pause", "COMMON")
    assert chain.equity("safe", "sign", str(path), "--account", "dev1").code == 0
    data = json.loads(path.read_text())
    data["signatures"][OWNERS[1]] = data["signatures"][
        OWNERS[0]
    ]  # dev1's signature, filed as dev2's
    path.write_text(json.dumps(data))

    status = chain.equity("--json", "safe", "status", str(path))

    assert status.code == 0, status.err
    assert status.json()["signed"] == [OWNERS[0]] and status.json()["missing"] == 1
    assert chain.equity("safe", "execute", str(path), "--account", "dev7").code == 2


def test_several_calls_are_one_safe_transaction_through_multisend(chain: SafeOffering) -> None:
    other = DEV[8]
    _add_holder(chain, HOLDER)
    _add_holder(chain, other)  # the same investor: a recovery wallet
    _sign_and_execute(chain, _build(chain, "issue", "COMMON", HOLDER, "10"))
    _sign_and_execute(chain, _build(chain, "issue", "PREFERRED", HOLDER, "3"))

    path = _build(chain, "--yes", "recover", HOLDER, other)
    data = json.loads(path.read_text())
    assert data["operation"] == 1 and len(data["calls"]) == 2  # DELEGATECALL to MultiSendCallOnly
    _sign_and_execute(chain, path)

    assert _token(chain, "COMMON").functions.balanceOf(other).call() == 10
    assert _token(chain, "PREFERRED").functions.balanceOf(other).call() == 3


def test_a_call_the_safe_may_not_make_is_refused_when_built_and_no_file_is_written(
    chain: SafeOffering,
) -> None:
    refused = chain.as_safe("issue", "COMMON", OUTSIDER, "5")  # not a qualified holder

    assert refused.code == 3
    assert "RECEIVER_NOT_QUALIFIED" in refused.err
    assert not list(Path.cwd().glob("safe-tx-*.json"))


def test_a_spent_transaction_is_refused_and_its_status_says_so(chain: SafeOffering) -> None:
    path = _build(chain, "pause", "COMMON")
    _sign_and_execute(chain, path)

    again = chain.equity("safe", "execute", str(path), "--account", "dev7")
    status = chain.equity("--json", "safe", "status", str(path))

    assert again.code == 2 and "is spent" in again.err
    assert status.json()["nonce_state"] == "spent"


def test_commands_that_need_a_key_refuse_a_safe_in_one_line(
    chain: SafeOffering, tmp_path: Path
) -> None:
    csv = tmp_path / "holders.csv"
    csv.write_text(
        f"wallet,investor_id,jurisdiction,expires,accredited\n{HOLDER},INV-9,DE,2035-01-01,false\n"
    )
    deploy = chain.as_safe(
        "deploy", str(Path(__file__).parents[2] / "examples" / "offering.toml"), "--name", "x"
    )
    csv_run = chain.as_safe("holders", "import", str(csv))
    sign_vote = chain.as_safe("gov", "sign-vote", "1", "for", "--out", "v.json")

    for refused in (deploy, csv_run, sign_vote):
        assert refused.code == 2, refused.err
        assert "Safe" in refused.err and "Traceback" not in refused.err
    assert "--issuer safe:" in deploy.err
    assert not (tmp_path / ".equity" / "journals").exists()
