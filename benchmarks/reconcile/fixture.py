"""Build (once) the benchmark chain: an offering with N holders and M transfers, saved with
anvil's ``--dump-state`` under ``benchmarks/reconcile/.fixture/`` (gitignored) together with
the deployments record and the register the history implies.

The history is spread out the way a company's is on a public chain: holders are qualified
and shares issued two batch transactions per block, then the transfers come
``TRANSFERS_PER_BLOCK`` to a block with a random run of empty blocks (``anvil_mine``, 0 to
``2 * MEAN_GAP``, ``BLOCK_TIME`` seconds apart) after each, so 100,000 transfers span about
50,000 blocks. No block holds more than a few thousand logs, as on a real chain (a hosted
provider could not return a block with more than its result cap at all).

Bulk without private keys: the holder wallets are impersonated (``anvil_autoImpersonateAccount``)
and funded with ``anvil_setBalance``; transfers are sent as JSON-RPC batches of
``eth_sendTransaction`` with automine off and packed into blocks with ``evm_mine``.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / ".fixture"
OFFERING = HERE / "offering.toml"
FAR_FUTURE = 4_102_444_800  # 2100-01-01
BATCH = 250  # holders per addHolders / issueBatch transaction
BATCH_TX_PER_BLOCK = 2  # addHolders / issueBatch transactions per block
TRANSFERS_PER_BLOCK = 100
MEAN_GAP = 50  # empty blocks after each block with transactions, on average
BLOCK_TIME = 12  # seconds between blocks
GAS_LIMIT = 2_000_000_000
FORMAT = 3  # the layout of the history; another value rebuilds the fixture

sys.path.insert(0, str(HERE.parent.parent))

from toolkit.chain.node import LocalNode, free_port, is_responding, node_command  # noqa: E402
from toolkit.chain.rpc import JsonRpcClient, RpcError  # noqa: E402


@dataclass(frozen=True)
class FixtureInfo:
    holders: int
    transfers: int
    head: int
    deploy_block: int
    state_file: Path
    workdir: Path  # holds deployments/ and register.csv

    @property
    def register(self) -> Path:
        return self.workdir / "register.csv"


def holder_wallet(i: int) -> str:
    return "0x" + f"{0xB0_0000_0000 + i:040x}"


@contextmanager
def anvil(*extra: str) -> Iterator[LocalNode]:
    port = free_port()
    command = [*node_command("anvil", port, None), "--gas-limit", str(GAS_LIMIT), *extra]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    node = LocalNode("anvil", port, process)
    try:
        deadline = time.monotonic() + 600  # loading a large state takes a while
        while not is_responding(node.rpc_url, timeout=5):
            if process.poll() is not None:
                err = process.stderr.read().decode(errors="replace") if process.stderr else ""
                raise RuntimeError(f"anvil exited: {err[-500:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("anvil did not start")
            time.sleep(0.1)
        yield node
    finally:
        node.stop(timeout=600)  # SIGTERM: anvil writes --dump-state before it exits


@contextmanager
def forked_anvil(*extra: str) -> Iterator[LocalNode]:
    """An anvil forked from an empty anvil on this machine, for mining many blocks.

    A plain anvil recomputes the whole state root for every block it mines: with this
    history's state (10,000 holders, their vote checkpoints) about a second a block, so
    50,000 blocks would take half a day. A forked anvil does not, and with
    ``--prune-history`` it keeps no copy of the state per block either: an empty block then
    costs well under a millisecond. Blocks, logs and the state at the head read the same;
    only ``eth_call`` at a past block is gone (nothing here needs it).
    """
    with anvil() as origin, anvil("--fork-url", origin.rpc_url, "--prune-history", *extra) as node:
        yield node


@contextmanager
def loaded() -> Iterator[LocalNode]:
    """The fixture's chain, reloaded (``--load-state``) into a forked anvil, so that the
    benchmark's new blocks are mined as cheaply as the fixture's were."""
    info = load()
    assert info is not None, "build the fixture first"
    with forked_anvil("--load-state", str(info.state_file)) as node:
        # the history runs ahead of the wall clock (12 s a block): new blocks continue from
        # its last one, or the class tokens' vote checkpoints would refuse to go back in time
        client = JsonRpcClient(node.rpc_url)
        latest = client.call("eth_getBlockByNumber", ["latest", False])
        client.call("evm_setNextBlockTimestamp", [hex(int(latest["timestamp"], 16) + BLOCK_TIME)])
        client.close()
        yield node


def _selector(signature: str) -> str:
    from eth_hash.auto import keccak

    return keccak(signature.encode()).hex()[:8]


def _word(value: int | str) -> str:
    if isinstance(value, str):
        return value[2:].lower().rjust(64, "0")
    return f"{value:064x}"


def _send_all(client: JsonRpcClient, txs: list[dict[str, Any]]) -> None:
    results = client.batch([("eth_sendTransaction", [tx]) for tx in txs], max_batch=1_000)
    failed = [r for r in results if isinstance(r, RpcError)]
    if failed:
        raise RuntimeError(f"{len(failed)} transactions refused, first: {failed[0].message}")


def _mine_and_check(client: JsonRpcClient, rng: random.Random) -> None:
    """Mine the pending transactions into one block, check them, then a run of empty blocks."""
    client.call("evm_mine")
    block = client.call("eth_getBlockByNumber", ["latest", False])
    receipts = client.batch([("eth_getTransactionReceipt", [h]) for h in block["transactions"][:5]])
    for receipt in receipts:
        if isinstance(receipt, RpcError) or receipt is None or receipt["status"] != "0x1":
            raise RuntimeError(f"a transaction failed in block {int(block['number'], 16)}: {receipt}")
    gap = rng.randint(0, 2 * MEAN_GAP)
    if gap:
        client.call("anvil_mine", [hex(gap), hex(BLOCK_TIME)])


def build(holders: int, transfers: int, *, seed: int = 42, log: Any = print) -> FixtureInfo:
    from toolkit.chain.accounts import resolve_signer
    from toolkit.chain.connection import connect_url
    from toolkit.chain.tx import Transactor
    from toolkit.offering.contracts import OfferingContracts
    from toolkit.offering.deploy import deploy_offering
    from toolkit.offering.offering_file import load_offering

    if FIXTURE.exists():
        shutil.rmtree(FIXTURE)
    workdir = FIXTURE / "work"
    workdir.mkdir(parents=True)
    state_file = FIXTURE / "anvil-state.json"
    started = time.perf_counter()
    with forked_anvil("--dump-state", str(state_file), "--disable-code-size-limit") as node:
        chain = connect_url(node.rpc_url, timeout=600)
        transactor = Transactor(chain, resolve_signer("dev0", is_local_chain=True, password=None))
        report = deploy_offering(transactor, load_offering(OFFERING), name="bench", cwd=workdir)
        record = report.deployment
        contracts = OfferingContracts(chain.w3, record)
        issuer = transactor.address
        client = JsonRpcClient(node.rpc_url, timeout=600)
        rng = random.Random(seed)
        wallets = [holder_wallet(i) for i in range(holders)]
        log(f"deployed at block {record.block}; qualifying {holders} holders")

        client.call("evm_setAutomine", [False])
        registry = contracts.registry
        calls: list[dict[str, Any]] = []
        for start in range(0, holders, BATCH):
            chunk = wallets[start : start + BATCH]
            data = registry.encode_abi(
                "addHolders",
                args=[
                    [chain.w3.to_checksum_address(w) for w in chunk],
                    [f"INV-{start + i:06d}".encode().ljust(16, b"\0") for i in range(len(chunk))],
                    [b"DE"] * len(chunk),
                    [FAR_FUTURE] * len(chunk),
                    [True] * len(chunk),
                ],
            )
            calls.append({"from": issuer, "to": record.registry, "data": data, "gas": hex(200_000_000)})
        for start in range(0, len(calls), BATCH_TX_PER_BLOCK):
            _send_all(client, calls[start : start + BATCH_TX_PER_BLOCK])
            _mine_and_check(client, rng)

        balances: dict[tuple[str, str], int] = {}
        locked: dict[tuple[str, str], int] = {}
        common = contracts.token("COMMON")
        preferred = contracts.token("PREFERRED")
        grants: list[tuple[Any, str, str, int, int]] = []  # (token, class, wallet, amount, locked_until)
        for i, wallet in enumerate(wallets):
            grants.append((common, "COMMON", wallet, 10_000, 0))
            if i % 5 == 0:
                grants.append((preferred, "PREFERRED", wallet, 1_000, 0))
            if i % 10 == 0:
                grants.append((common, "COMMON", wallet, 500, FAR_FUTURE))
        calls = []
        by_token: dict[str, list[tuple[Any, str, str, int, int]]] = {}
        for grant in grants:
            by_token.setdefault(grant[1] + ("L" if grant[4] else ""), []).append(grant)
        for group in by_token.values():
            for start in range(0, len(group), BATCH):
                chunk = group[start : start + BATCH]
                token = chunk[0][0]
                data = token.encode_abi(
                    "issueBatch",
                    args=[[chain.w3.to_checksum_address(g[2]) for g in chunk], [g[3] for g in chunk], [g[4] for g in chunk]],
                )
                calls.append({"from": issuer, "to": token.address, "data": data, "gas": hex(400_000_000)})
                for _token, class_id, wallet, amount, until in chunk:
                    balances[(class_id, wallet)] = balances.get((class_id, wallet), 0) + amount
                    if until:
                        locked[(class_id, wallet)] = locked.get((class_id, wallet), 0) + amount
        for start in range(0, len(calls), BATCH_TX_PER_BLOCK):
            _send_all(client, calls[start : start + BATCH_TX_PER_BLOCK])
            _mine_and_check(client, rng)
        log(f"issued {len(grants)} grants; sending {transfers} transfers")

        client.call("anvil_autoImpersonateAccount", [True])
        funding = [("anvil_setBalance", [w, hex(10**20)]) for w in wallets]
        client.batch(funding, max_batch=2_000)
        nonces: dict[str, int] = {}
        address = {"COMMON": record.class_by_id("COMMON").address, "PREFERRED": record.class_by_id("PREFERRED").address}
        transfer = _selector("transfer(address,uint256)")
        preferred_holders = wallets[::5]
        pending: list[dict[str, Any]] = []
        sent = 0
        for _ in range(transfers):
            if rng.random() < 0.1:
                class_id, sender = "PREFERRED", rng.choice(preferred_holders)
            else:
                class_id, sender = "COMMON", rng.choice(wallets)
            receiver = rng.choice(wallets)
            while receiver == sender:
                receiver = rng.choice(wallets)
            amount = rng.randint(1, 10)
            if balances.get((class_id, sender), 0) - locked.get((class_id, sender), 0) < amount:
                continue
            nonce = nonces.get(sender, 0)
            nonces[sender] = nonce + 1
            pending.append(
                {
                    "from": sender,
                    "to": address[class_id],
                    "data": "0x" + transfer + _word(receiver) + _word(amount),
                    "gas": hex(300_000),
                    "nonce": hex(nonce),
                }
            )
            balances[(class_id, sender)] -= amount
            balances[(class_id, receiver)] = balances.get((class_id, receiver), 0) + amount
            if len(pending) == TRANSFERS_PER_BLOCK:
                _send_all(client, pending)
                _mine_and_check(client, rng)
                sent += len(pending)
                pending = []
                if sent % 20_000 == 0:
                    log(f"  {sent} transfers sent ({time.perf_counter() - started:.0f} s)")
        if pending:
            _send_all(client, pending)
            _mine_and_check(client, rng)
            sent += len(pending)
        client.call("evm_setAutomine", [True])
        head = int(client.call("eth_blockNumber"), 16)
        for class_id in ("COMMON", "PREFERRED"):
            supply = int(client.call("eth_call", [{"to": address[class_id], "data": "0x" + _selector("totalSupply()")}, "latest"]), 16)
            expected = sum(v for (c, _w), v in balances.items() if c == class_id)
            if supply != expected:
                raise RuntimeError(f"{class_id}: total supply {supply}, expected {expected}")
        log(f"{sent} transfers in blocks up to {head} ({time.perf_counter() - started:.0f} s); dumping the state")
        client.close()

    rows = ["investor_id,wallet,class,shares,locked_shares"]
    index = {w: i for i, w in enumerate(wallets)}
    for (class_id, wallet), shares in sorted(balances.items()):
        if shares:
            rows.append(f"INV-{index[wallet]:06d},{wallet},{class_id},{shares},{locked.get((class_id, wallet), 0)}")
    (workdir / "register.csv").write_text("\n".join(rows) + "\n")
    meta = {"format": FORMAT, "holders": holders, "transfers": sent, "head": head, "deploy_block": record.block, "seed": seed}
    (FIXTURE / "meta.json").write_text(json.dumps(meta, indent=2))
    log(f"fixture built in {time.perf_counter() - started:.0f} s")
    return load()


def load() -> FixtureInfo | None:
    try:
        meta = json.loads((FIXTURE / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    state = FIXTURE / "anvil-state.json"
    if not state.is_file() or meta.get("format") != FORMAT:
        return None
    return FixtureInfo(
        holders=meta["holders"],
        transfers=meta["transfers"],
        head=meta["head"],
        deploy_block=meta["deploy_block"],
        state_file=state,
        workdir=FIXTURE / "work",
    )
