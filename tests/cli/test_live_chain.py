"""SPEC §16 on a chain that is not a local dev chain (issue 17.2): every command that sends
shows what it will send (the calls in words, their count) and the fee in ETH, and asks before
broadcasting unless --yes; the fee and nonce flags; ETH_RPC_URL.

The live chain is an anvil started with Sepolia's chain id. Its dev accounts are not usable
there by alias (dev0..dev9 are refused off 31337/1337, as on a real network), so the issuer
is dev0's key imported into a keystore: the path a real issuer takes, and no opt-in flag
that could let a well-known key sign on a real network.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from web3 import Web3

from tests.conftest import REPO, CliResult, invoke_cli
from toolkit.chain.accounts import dev_account, import_account
from toolkit.chain.connection import connect_url
from toolkit.chain.node import LocalNode, start_node
from toolkit.chain.tx import Transactor
from toolkit.offering.deploy import deploy_offering
from toolkit.offering.deployments import deployments_file
from toolkit.offering.offering_file import load_offering

SEPOLIA = 11_155_111
ISSUER = dev_account(0).address
HOLDER = dev_account(5).address
EXAMPLES = REPO / "examples"


@pytest.fixture(scope="module")
def live() -> Iterator[LocalNode]:
    node = start_node("anvil", chain_id=SEPOLIA)
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="module")
def deployed(live: LocalNode, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example offering on the live chain (sent by the library: what is tested here is
    the command line around it), recorded in a folder the tests copy."""
    home = tmp_path_factory.mktemp("live-offering")
    Transactor._next_nonce.clear()
    deploy_offering(
        Transactor(connect_url(live.rpc_url), dev_account(0)),
        load_offering(EXAMPLES / "offering.toml"),
        name="acme",
        cwd=home,
    )
    return home


@pytest.fixture
def w3(live: LocalNode) -> Iterator[Web3]:
    """The live chain, put back as it was after each test."""
    web3 = Web3(Web3.HTTPProvider(live.rpc_url))
    snapshot = web3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    try:
        yield web3
    finally:
        web3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
        Transactor._next_nonce.clear()  # the chain went back: so do its nonces


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, live: LocalNode) -> Path:
    """A working folder, a keystore holding the issuer's key as ``issuer``, the live chain."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EQUITY_KEYSTORE_DIR", str(tmp_path / "keystores"))
    monkeypatch.setenv("EQUITY_PASSWORD", "issuer password")
    for variable in ("EQUITY_RPC_URL", "EQUITY_NETWORK", "EQUITY_ACCOUNT", "ETH_RPC_URL"):
        monkeypatch.delenv(variable, raising=False)
    import_account("issuer", dev_account(0).key.hex(), "issuer password")
    return tmp_path


@pytest.fixture
def offering_home(home: Path, deployed: Path) -> Path:
    record = deployments_file(SEPOLIA, home)
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(deployments_file(SEPOLIA, deployed).read_text())
    return home


def equity(live: LocalNode, *args: str | Path) -> CliResult:
    return invoke_cli("--rpc-url", live.rpc_url, "--account", "issuer", *args)


def add_holder_args(wallet: str = HOLDER) -> list[str]:
    return [
        "holders", "add", wallet, "--investor-id", "ERIN-005", "--jurisdiction", "DE",
        "--expires", "2099-01-01",
    ]  # fmt: skip


def shown_count(err: str) -> int:
    match = re.search(r"(\d+) transactions? from 0x[0-9a-fA-F]{40} on chain (\d+):", err)
    assert match is not None, err
    assert int(match.group(2)) == SEPOLIA
    return int(match.group(1))


def shown_gas(err: str) -> int:
    match = re.search(r"fee: about [0-9.]+ ETH \(([\d,]+) gas at [0-9.]+ gwei\); at most [0-9.]+ ETH", err)
    assert match is not None, err
    return int(match.group(1).replace(",", ""))


# --- deploy: a dry run on a fork shows every transaction before one is sent -----------------


def test_deploy_on_a_live_chain_shows_what_it_would_send_and_sends_nothing_unconfirmed(
    live: LocalNode, w3: Web3, home: Path
) -> None:
    result = equity(live, "deploy", EXAMPLES / "offering.toml")
    assert result.code == 2, result.err
    assert shown_count(result.err) >= 12
    for call in ("deploy HolderRegistry", "deploy ShareClassToken COMMON", "deploy EquityGovernor",
                 "hand PREFERRED to the timelock",
                 "renounce the deployer's admin role on the registry"):  # fmt: skip
        assert f"\n  {call}\n" in result.err, result.err
    assert "... and" not in result.err  # every call of a deploy is listed
    assert shown_gas(result.err) > 10_000_000
    assert f"transactions on chain {SEPOLIA} needs confirmation; nothing was sent" in result.err
    assert "pass --yes" in result.err
    assert w3.eth.get_transaction_count(ISSUER) == 0
    assert not deployments_file(SEPOLIA, home).exists()


def test_deploy_with_yes_sends_exactly_what_it_showed(live: LocalNode, w3: Web3, home: Path) -> None:
    result = equity(live, "--json", "--yes", "deploy", EXAMPLES / "offering.toml")
    assert result.code == 0, result.err
    sent = result.json()["transactions"]
    assert shown_count(result.err) == len(sent) == w3.eth.get_transaction_count(ISSUER)
    assert shown_gas(result.err) == sum(tx["gas_used"] for tx in sent)


def test_answering_no_sends_nothing_and_yes_sends(
    live: LocalNode, w3: Web3, offering_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("toolkit.cli.context.AppContext.interactive", lambda self: True)
    refused = invoke_cli("--rpc-url", live.rpc_url, "--account", "issuer", *add_holder_args(), input="n\n")
    assert refused.code == 2
    assert f"send it on chain {SEPOLIA}? [y/N]" in refused.err
    assert "cancelled; nothing was sent" in refused.err
    nonce = w3.eth.get_transaction_count(ISSUER)
    accepted = invoke_cli("--rpc-url", live.rpc_url, "--account", "issuer", *add_holder_args(), input="y\n")
    assert accepted.code == 0, accepted.err
    assert w3.eth.get_transaction_count(ISSUER) == nonce + 1


# --- one transaction, and a batch run --------------------------------------------------------


def test_one_transaction_is_shown_in_words_with_its_fee(
    live: LocalNode, w3: Web3, offering_home: Path
) -> None:
    nonce = w3.eth.get_transaction_count(ISSUER)
    result = equity(live, *add_holder_args())
    assert result.code == 2
    assert shown_count(result.err) == 1
    assert f"\n  add holder {HOLDER}\n" in result.err
    assert 50_000 < shown_gas(result.err) < 300_000
    assert w3.eth.get_transaction_count(ISSUER) == nonce
    assert equity(live, "--yes", *add_holder_args()).code == 0
    assert w3.eth.get_transaction_count(ISSUER) == nonce + 1


def test_a_batch_run_shows_every_batch_before_the_first_is_sent(
    live: LocalNode, w3: Web3, offering_home: Path
) -> None:
    nonce = w3.eth.get_transaction_count(ISSUER)
    result = equity(live, "holders", "import", EXAMPLES / "holders.csv", "--batch-size", "4")
    assert result.code == 2
    assert shown_count(result.err) == 3  # 9 wallets, 4 per transaction
    assert "\n  add 4 holder(s) (lines 2-5)\n" in result.err
    assert "\n  add 1 holder(s) (lines 10-10)\n" in result.err
    assert w3.eth.get_transaction_count(ISSUER) == nonce
    done = equity(live, "--yes", "--json", "holders", "import", EXAMPLES / "holders.csv", "--batch-size", "4")
    assert done.code == 0, done.err
    assert len(done.json()["transactions"]) == 3


# --- the fee and nonce flags ------------------------------------------------------------------


def test_fee_flags_set_the_transactions_fees_and_gas(
    live: LocalNode, w3: Web3, offering_home: Path
) -> None:
    result = equity(
        live, "--json", "--yes", "--gas-price", "7gwei", "--priority-fee", "1.5 gwei",
        "--gas-limit", "300000", *add_holder_args(),
    )  # fmt: skip
    assert result.code == 0, result.err
    mined = w3.eth.get_transaction(result.json()["transactions"][0]["hash"])
    assert mined["maxFeePerGas"] == 7 * 10**9
    assert mined["maxPriorityFeePerGas"] == 1_500_000_000
    assert mined["gas"] == 300_000


def test_a_gas_limit_below_what_the_call_needs_is_refused_before_sending(
    live: LocalNode, w3: Web3, offering_home: Path
) -> None:
    nonce = w3.eth.get_transaction_count(ISSUER)
    result = equity(live, "--yes", "--gas-limit", "30000", *add_holder_args())
    assert result.code == 2
    assert "more than --gas-limit 30,000; nothing was sent" in result.err
    assert w3.eth.get_transaction_count(ISSUER) == nonce


def test_bad_fee_values_are_refused_as_bad_input(live: LocalNode, offering_home: Path) -> None:
    for flags, message in [
        (["--gas-price", "cheap"], "--gas-price: amount 'cheap' is not an amount"),
        (["--gas-price", "3 dollars"], "unknown unit 'dollars'"),
        (["--gas-limit", "20000"], "--gas-limit: the gas limit must be at least 21,000"),
        (["--gas-price", "1gwei", "--priority-fee", "2gwei"], "exceeds --gas-price"),
        (["--nonce", "-1"], "--nonce"),
    ]:
        result = equity(live, "--yes", *flags, *add_holder_args())
        assert result.code == 2, (flags, result.err)
        assert message in result.err, (flags, result.err)


def test_nonce_sets_the_first_transactions_nonce_and_a_used_or_gapped_one_is_refused(
    live: LocalNode, w3: Web3, offering_home: Path
) -> None:
    nonce = w3.eth.get_transaction_count(ISSUER)
    used = equity(live, "--yes", "--nonce", str(nonce - 1), *add_holder_args())
    assert used.code == 2 and f"--nonce {nonce - 1} is used already" in used.err
    gap = equity(live, "--yes", "--nonce", str(nonce + 3), *add_holder_args())
    assert gap.code == 2 and "leaves a gap" in gap.err and f"give --nonce {nonce}" in gap.err
    assert w3.eth.get_transaction_count(ISSUER) == nonce
    result = equity(live, "--json", "--yes", "--nonce", str(nonce), *add_holder_args())
    assert result.code == 0, result.err
    assert w3.eth.get_transaction(result.json()["transactions"][0]["hash"])["nonce"] == nonce


def test_nonce_does_not_go_with_a_resumable_batch_run(
    live: LocalNode, w3: Web3, offering_home: Path
) -> None:
    nonce = w3.eth.get_transaction_count(ISSUER)
    result = equity(live, "--yes", "--nonce", str(nonce), "holders", "import", EXAMPLES / "holders.csv")
    assert result.code == 2 and "--nonce does not go with a resumable CSV run" in result.err
    assert w3.eth.get_transaction_count(ISSUER) == nonce


# --- ETH_RPC_URL ------------------------------------------------------------------------------


def test_eth_rpc_url_is_read_when_no_rpc_url_or_network_is_given(
    live: LocalNode, w3: Web3, offering_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ETH_RPC_URL", live.rpc_url)
    result = invoke_cli("--json", "node", "status", "--rpc-url", live.rpc_url)
    assert result.json()["chain_id"] == SEPOLIA
    sent = invoke_cli("--account", "issuer", "--yes", "--json", *add_holder_args())
    assert sent.code == 0, sent.err
    assert w3.eth.get_transaction_receipt(sent.json()["transactions"][0]["hash"])["status"] == 1


def test_eth_rpc_url_yields_to_equity_rpc_url_and_to_an_explicit_network(
    live: LocalNode, offering_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from toolkit.chain.connection import resolve_target

    monkeypatch.setenv("ETH_RPC_URL", "http://127.0.0.1:1")
    assert resolve_target(None, live.rpc_url).rpc_url == live.rpc_url  # EQUITY_RPC_URL/--rpc-url
    assert resolve_target("anvil", None).node_kind == "anvil"  # --network anvil
    assert resolve_target(None, None).rpc_url == "http://127.0.0.1:1"
    monkeypatch.setenv("ETH_RPC_URL", "not a url")
    result = invoke_cli("--json", "holders", "list")
    assert result.code == 2
    assert json.loads(result.out)["error"]["message"].startswith("ETH_RPC_URL: 'not a url' is not")
