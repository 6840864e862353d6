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
from toolkit.dividends.distribution import (  # noqa: E402
    LEAVES_PER_WORD,
    WORDS_PREPARED_AT_DECLARATION,
)
from toolkit.dividends.entitlements import Withholding  # noqa: E402

BATCH = 100
CLAIM_WORD = 40  # from this state word on, the first whose every claim is measured
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


def declare_synthetic(
    world: DividendWorld, holders: int, deadline_in: int = 365 * 86_400
) -> Declared:
    wallets = synthetic_wallets(holders)
    for i, wallet in enumerate(wallets):
        world.jurisdiction[wallet.lower()] = "US" if i % 10 == 0 else "DE"
    holdings = {"COMMON": {w: 1_000 + (i * 7919) % 90_000 for i, w in enumerate(wallets)}}
    ent = world.entitlements(
        holdings,
        {"COMMON": Fraction(12_500)},  # 0.0125 USDT per share
        Withholding(Fraction(0), {"US": Fraction(30, 100)}),
    )
    return world.declare(entitlements=ent, deadline_in=deadline_in)


def calldata_gas(contract: Any, declared: Declared, index: int) -> int:
    """What the calldata of a claim of leaf ``index`` costs (16 a non-zero byte, 4 a zero
    byte): the only part of a claim's gas that differs from leaf to leaf, with its proof's
    length (more nodes, more bytes)."""
    data = contract.encode_abi("claim", args=[declared.leaf(index).leaf(), declared.proof(index)])
    return sum(16 if byte else 4 for byte in bytes.fromhex(data[2:]))


def declared_words(declared: Declared) -> int:
    return -(-len(declared.tree) // LEAVES_PER_WORD)


def leaves_of(declared: Declared, *, withheld: bool) -> list[int]:
    return [e.index for e in declared.entitlements.leaves if (e.withheld > 0) == withheld]


def measure(world: DividendWorld, holders: int) -> dict[str, Any]:
    bench = Bench(world)
    issuer = world.issuer
    out: dict[str, Any] = {"holders": holders}
    declared = declare_synthetic(world, holders)
    out["declare"] = int(declared.receipt["gasUsed"])
    out["declare_state_words"] = -(-holders // LEAVES_PER_WORD)
    out["proof_length"] = max(len(declared.proof(i)) for i in range(len(declared.tree)))
    contract = declared.contract

    def claim_gas(index: int) -> int:
        leaf = declared.leaf(index)
        gas, _ = bench.gas(contract.functions.claim(leaf.leaf(), declared.proof(index)), issuer)
        return gas

    # every claim of one whole state word, each wallet holding the token: the first word from
    # word 40 on whose first leaf is a US holder's (30 % withheld), so that the word's first
    # claim pays withholding too
    # (with fewer holders than the default 10,000, at least 2,000 (a smoke run), the same
    # places scaled down: word 40 of 79 becomes the middle word, leaf 7,000 the one at 70 %)
    words = declared_words(declared)
    from_word = CLAIM_WORD if words > 2 * CLAIM_WORD - 2 else words // 2
    first = next(
        (
            w * LEAVES_PER_WORD
            for w in range(from_word, words)
            if declared.leaf(w * LEAVES_PER_WORD).withheld > 0
        ),
        from_word * LEAVES_PER_WORD,  # no word starts with a US holder's leaf: the first one
    )
    word = range(first, min(first + LEAVES_PER_WORD, len(declared.tree)))
    at = [holders * percent // 100 for percent in (70, 71, 72, 90, 80, 81)]
    lone = next(i for i in leaves_of(declared, withheld=False) if at[0] <= i < at[1])
    newcomer = next(i for i in leaves_of(declared, withheld=False) if at[1] <= i < at[2])
    # a US holder claiming first of all: the tax account is new to the token too
    first_ever = next(i for i in leaves_of(declared, withheld=True) if i >= at[3])
    used = {*word, lone, newcomer, first_ever}
    heaviest = max(
        (i for i in leaves_of(declared, withheld=True) if i not in used),
        key=lambda i: calldata_gas(contract, declared, i),
    )
    bench.register([declared.leaf(i).wallet for i in [*used, heaviest]])
    bench.give_stablecoin([declared.leaf(i).wallet for i in [*word, lone, heaviest]])
    out["claim_first_ever"] = claim_gas(first_ever)
    claims = {i: claim_gas(i) for i in word}
    withheld = [i for i in word if declared.leaf(i).withheld > 0]
    plain = [i for i in word if declared.leaf(i).withheld == 0]
    out["claims_measured"] = len(claims) + 1
    out["claim_first_in_word"] = claims[word[0]]
    out["claim_with_withholding"] = max(claims[i] for i in withheld)
    out["claim_no_withholding"] = max(claims[i] for i in plain)
    out["claim_cheapest"] = min(claims.values())
    out["claim_heaviest_calldata"] = claim_gas(heaviest)
    out["claim"] = max(*claims.values(), out["claim_heaviest_calldata"])
    out["claim_lone_in_word"] = claim_gas(lone)  # the only claim of its word so far
    out["claim_wallet_new_to_token"] = claim_gas(newcomer)

    # a reserved leaf paid to the wallet its lost wallet was recovered to (same investor)
    lost_index = next(i for i in leaves_of(declared, withheld=True) if at[4] <= i < at[5])
    lost = declared.leaf(lost_index).wallet
    replacement = Web3.to_checksum_address(Web3.keccak(text="recovered wallet")[12:])
    bench.register([lost])
    world.freeze(lost)
    claim_gas(lost_index)  # reserves it
    registry = world.offering.registry
    world.send(
        registry.functions.addHolder(replacement, investor_id(lost[2:12]), cc("US"), NEVER, True)
    )
    out["pay_recovered"], _ = bench.gas(
        contract.functions.payRecovered(
            declared.leaf(lost_index).leaf(), declared.proof(lost_index), replacement
        ),
        issuer,
    )

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
    out.update(measure_preparation(world, bench))
    return out


def measure_preparation(world: DividendWorld, bench: Bench) -> dict[str, Any]:
    """A dividend with more leaves than the declaration prepares: what its declaration costs and
    what each further state word costs (``prepareStates``, one word and nine words)."""
    words = WORDS_PREPARED_AT_DECLARATION + 10
    declared = declare_synthetic(world, words * LEAVES_PER_WORD, deadline_in=30 * 86_400)
    contract = declared.contract
    one, _ = bench.gas(
        contract.functions.prepareStates(WORDS_PREPARED_AT_DECLARATION, 1), world.issuer
    )
    nine, _ = bench.gas(
        contract.functions.prepareStates(WORDS_PREPARED_AT_DECLARATION + 1, 9), world.issuer
    )
    return {
        "declare_large_leaves": words * LEAVES_PER_WORD,
        "declare_large": int(declared.receipt["gasUsed"]),
        "prepare_one_word": one,
        "prepare_nine_words": nine,
        "prepare_per_word": (nine - one) // 8,
    }


ROWS = (
    (
        "declare",
        "declare: create the distribution, prepare its {declare_state_words} state words, fund it",
        None,
    ),
    (
        "claim",
        "claim with a proof, wallet holding the token: the dearest of {claims_measured}",
        "claim",
    ),
    ("claim_first_in_word", "  the first claim of its state word (withholding)", None),
    (
        "claim_with_withholding",
        "  dearest with withholding (net and withheld: two transfers)",
        None,
    ),
    ("claim_no_withholding", "  dearest without withholding (one transfer)", None),
    ("claim_cheapest", "  cheapest", None),
    (
        "claim_heaviest_calldata",
        "claim of the leaf with the dearest calldata of all 10,000 (withholding)",
        None,
    ),
    ("claim_lone_in_word", "claim, the only one so far in its state word (no withholding)", None),
    ("claim_wallet_new_to_token", "claim by a wallet that never held the token", None),
    ("claim_first_ever", "claim, wallet and tax account both new to the token", None),
    (
        "push_per_holder",
        "push, per holder, batch of 100 (the dearer of the two below)",
        "push_per_holder",
    ),
    ("push_new_to_token_per_holder", "  payees new to the token", None),
    ("push_holding_token_per_holder", "  payees holding the token", None),
    ("push_new_to_token", "push, whole batch of 100, payees new to the token", None),
    ("push_resent_batch", "the same batch sent again (all paid: nothing moves)", None),
    ("pay_recovered", "a reserved leaf paid to the wallet its lost wallet was recovered to", None),
    ("reclaim", "reclaim after the deadline", None),
    (
        "declare_large",
        "declare {declare_large_leaves:,} leaves (128 state words prepared of 138)",
        None,
    ),
    ("prepare_one_word", "prepareStates, one more word", None),
    ("prepare_per_word", "prepareStates, each further word", None),
)


def render(results: dict[str, Any]) -> str:
    lines = [
        f"Distribution gas, {results['holders']:,} holders (proofs of up to "
        f"{results['proof_length']} nodes; a batch of 100 needs "
        f"{results['push_new_to_token_proof_nodes']})",
        "",
        "| operation | gas | goal | |",
        "|---|---:|---:|---|",
    ]
    for key, label, goal_key in ROWS:
        goal = GOALS.get(goal_key) if goal_key else None
        verdict = "" if goal is None else ("met" if results[key] <= goal else "MISSED")
        lines.append(
            f"| {label.format(**results)} | {results[key]:,} | "
            f"{'' if goal is None else f'{goal:,}'} | {verdict} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--holders", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    if args.holders < 2_000:
        parser.error("--holders must be 2,000 or more: the measured claims sit at set places among them")
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
