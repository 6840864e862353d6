"""Gas of distributions: a claim with a proof among 10,000 holders, pushed payments in batches of
100, declaring (create + fund) and reclaiming.

    .venv/bin/python benchmarks/gas/dividends.py [--holders 10000] [--out DIR]

Starts one anvil, deploys an offering (the test helper's `deploy_offering`), a 6-decimal test
stablecoin and the distribution factory, and declares a dividend over 10,000 synthetic holders of
COMMON (one in ten in the US, 30 % withheld; every wallet its own investor) at the latest block.
Only the wallets a measurement pays are registered in the holder registry (the contract asks the
registry about the wallet it pays, never about the others). Each measured transaction goes into
its own block; the figures are the exact `gasUsed` of the whole transaction (21,000 intrinsic and
calldata included), written to `dividends-results.json` next to this file and printed as a table.
"""

from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO))

from web3 import Web3  # noqa: E402

from tests.contracts.offering_chain import NEVER, Chain, ClassSpec, cc, investor_id  # noqa: E402
from tests.dividends.world import Declared, DividendWorld  # noqa: E402
from toolkit.chain.node import temporary_node  # noqa: E402
from toolkit.compile import compile_project  # noqa: E402
from toolkit.dividends.entitlements import Withholding  # noqa: E402

BATCH = 100
BLOCK_GAP = 12
GOALS = {"claim": 75_000, "push_per_holder": 40_000}
CLASSES = (ClassSpec("COMMON", votes_per_share=1, authorized=10**15),)


def synthetic_wallets(count: int) -> list[str]:
    return [Web3.to_checksum_address(Web3.keccak(text=f"holder-{i}")[12:]) for i in range(count)]


class Bench:
    def __init__(self, world: DividendWorld) -> None:
        self.world = world
        self.chain = world.chain

    def gas(self, call: Any, sender: str) -> tuple[int, Any]:
        self.chain.next_block_at(self.chain.now() + BLOCK_GAP)
        receipt = self.chain.send(call, sender, gas=29_000_000)
        return int(receipt["gasUsed"]), receipt

    def register(self, wallets: list[str]) -> None:
        registry = self.world.offering.registry
        for start in range(0, len(wallets), 100):
            part = wallets[start : start + 100]
            self.world.send(
                registry.functions.addHolders(
                    part,
                    [investor_id(w[2:12]) for w in part],
                    [cc(self.world.jurisdiction.get(w.lower(), "DE")) for w in part],
                    [NEVER] * len(part),
                    [True] * len(part),
                )
            )

    def give_stablecoin(self, wallets: list[str]) -> None:
        """One base unit each: the wallet already holds the payment token."""
        for wallet in wallets:
            self.world.send(self.world.stablecoin.functions.mint(wallet, 1))


def declare_synthetic(world: DividendWorld, holders: int) -> Declared:
    wallets = synthetic_wallets(holders)
    for i, wallet in enumerate(wallets):
        world.jurisdiction[wallet.lower()] = "US" if i % 10 == 0 else "DE"
    holdings = {"COMMON": {w: 1_000 + (i * 7919) % 90_000 for i, w in enumerate(wallets)}}
    ent = world.entitlements(
        holdings,
        {"COMMON": Fraction(12_500)},  # 0.0125 USDT per share
        Withholding(Fraction(0), {"US": Fraction(30, 100)}),
    )
    return world.declare(entitlements=ent, deadline_in=365 * 86_400)


def leaves_of(declared: Declared, *, withheld: bool) -> list[int]:
    return [e.index for e in declared.entitlements.leaves if (e.withheld > 0) == withheld]


def measure(world: DividendWorld, holders: int) -> dict[str, Any]:
    bench = Bench(world)
    issuer = world.issuer
    out: dict[str, Any] = {"holders": holders}
    declared = declare_synthetic(world, holders)
    out["declare"] = int(declared.receipt["gasUsed"])
    out["proof_length"] = len(declared.proof(0))
    contract = declared.contract

    def claim_gas(index: int) -> int:
        leaf = declared.leaf(index)
        gas, _ = bench.gas(contract.functions.claim(leaf.leaf(), declared.proof(index)), issuer)
        return gas

    # claims: leaves 5000.. (away from the push batches below); one bitmap word = 128 leaves
    withheld = [i for i in leaves_of(declared, withheld=True) if 5_000 <= i < 5_128]
    plain = [i for i in leaves_of(declared, withheld=False) if 5_000 <= i < 5_128]
    claimants = [withheld[0], *plain[:3], *withheld[1:3]]
    lone = next(i for i in leaves_of(declared, withheld=False) if 7_000 <= i < 7_128)
    bench.register([declared.leaf(i).wallet for i in [*claimants, lone]])
    bench.give_stablecoin([declared.leaf(i).wallet for i in [*claimants[1:], lone]])
    # the first claim of the word: its wallet and the tax account are new to the token too
    out["claim_first_ever"] = claim_gas(claimants[0])
    out["claim_no_withholding"] = claim_gas(claimants[1])
    out["claim_no_withholding_2"] = claim_gas(claimants[2])
    out["claim_no_withholding_3"] = claim_gas(claimants[3])
    out["claim_with_withholding"] = claim_gas(claimants[4])
    out["claim_with_withholding_2"] = claim_gas(claimants[5])
    out["claim_first_in_word"] = claim_gas(lone)  # no withholding; compare claim_no_withholding
    out["claim"] = max(
        out["claim_no_withholding"],
        out["claim_no_withholding_2"],
        out["claim_no_withholding_3"],
        out["claim_with_withholding"],
        out["claim_with_withholding_2"],
    )
    new_wallet = next(i for i in plain if i not in claimants)
    bench.register([declared.leaf(new_wallet).wallet])
    out["claim_wallet_new_to_token"] = claim_gas(new_wallet)

    # pushes: batches of 100 consecutive leaves (tree order = index order)
    batches = {
        "push_new_to_token": list(range(0, BATCH)),
        "push_holding_token": list(range(BATCH, 2 * BATCH)),
    }
    for indices in batches.values():
        bench.register([declared.leaf(i).wallet for i in indices])
    bench.give_stablecoin([declared.leaf(i).wallet for i in batches["push_holding_token"]])
    for key, indices in batches.items():
        multiproof = declared.tree.multiproof(indices)
        leaves = [declared.leaf(i).leaf() for i in multiproof.leaves]
        call = contract.functions.pay(leaves, multiproof.proof, multiproof.flags)
        gas, _ = bench.gas(call, issuer)
        out[key] = gas
        out[key + "_per_holder"] = gas // BATCH
        out[key + "_proof_nodes"] = len(multiproof.proof)
    out["push_per_holder"] = max(
        out["push_new_to_token_per_holder"], out["push_holding_token_per_holder"]
    )
    # a resent batch (every leaf already paid): what a rerun after a crash costs
    multiproof = declared.tree.multiproof(batches["push_holding_token"])
    leaves = [declared.leaf(i).leaf() for i in multiproof.leaves]
    out["push_resent_batch"], _ = bench.gas(
        contract.functions.pay(leaves, multiproof.proof, multiproof.flags), issuer
    )

    world.chain.mine_at(declared.deadline + 1)
    out["reclaim"], _ = bench.gas(contract.functions.reclaim(), issuer)
    return out


ROWS = (
    ("declare", "declare: create the distribution and fund it (entitled + dust)", None),
    ("claim", "claim with a proof, wallet holding the token (the dearest of five)", "claim"),
    (
        "claim_with_withholding",
        "  of which: net to the wallet and withheld to the tax account",
        None,
    ),
    ("claim_no_withholding", "  of which: no withholding (one transfer)", None),
    ("claim_first_in_word", "claim, the first of its 128-leaf state word (no withholding)", None),
    ("claim_wallet_new_to_token", "claim by a wallet that never held the token", None),
    ("claim_first_ever", "claim, first in its word, wallet and tax account new to the token", None),
    (
        "push_per_holder",
        "push, per holder, batch of 100 (the dearer of the two below)",
        "push_per_holder",
    ),
    ("push_new_to_token_per_holder", "  payees new to the token", None),
    ("push_holding_token_per_holder", "  payees holding the token", None),
    ("push_new_to_token", "push, whole batch of 100, payees new to the token", None),
    ("push_resent_batch", "the same batch sent again (all paid: nothing moves)", None),
    ("reclaim", "reclaim after the deadline", None),
)


def render(results: dict[str, Any]) -> str:
    lines = [
        f"Distribution gas, {results['holders']:,} holders (proof of {results['proof_length']} "
        f"nodes; a batch of 100 needs {results['push_new_to_token_proof_nodes']})",
        "",
        "| operation | gas | goal | |",
        "|---|---:|---:|---|",
    ]
    for key, label, goal_key in ROWS:
        goal = GOALS.get(goal_key) if goal_key else None
        verdict = "" if goal is None else ("met" if results[key] <= goal else "MISSED")
        lines.append(
            f"| {label} | {results[key]:,} | {'' if goal is None else f'{goal:,}'} | {verdict} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--holders", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    compile_project(REPO)
    from tests.conftest import load_artifact

    with temporary_node("anvil") as node:
        w3 = Web3(Web3.HTTPProvider(node.rpc_url, request_kwargs={"timeout": 120}))
        accounts = list(w3.eth.accounts)
        chain = Chain(w3, load_artifact)
        offering = chain.deploy_offering(accounts[0], CLASSES)
        world = DividendWorld(chain, offering, accounts, load_artifact)
        results = measure(world, args.holders)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "dividends-results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(render(results))
    missed = [k for k, goal in GOALS.items() if results[k] > goal]
    if missed:
        print(f"goals missed: {', '.join(missed)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
