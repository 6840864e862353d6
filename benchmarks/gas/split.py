"""Gas of a 2:1 split and of 1:N consolidations (issue 15, point 1): total and per holder, and how it scales.

    .venv/bin/python benchmarks/gas/split.py [--holders 1000,2000] [--batch-size 100] [--out DIR]
    .venv/bin/python benchmarks/gas/split.py --consolidations [--holders 200,400]

With --consolidations: a 1:10 consolidation without cash in lieu (every holding divides by 10) and
a 1:3 consolidation with cash in lieu (the 5 in 8 holders of exactly 1,000 shares have a fraction,
paid 0.40 a share in a 6-decimal stablecoin), written to `consolidate.md` and `consolidate.json`.

Starts one anvil, deploys an offering as SPEC §10 wires it, registers synthetic holders of COMMON
(issued by `issueBatch`, one in four also holding a one-year lock-up, one in eight a four-year
vesting grant), then runs a 2:1 split exactly as the proposal and `equity split` do: the timelock
(impersonated) makes the SplitAgent an admin of the token and starts it; the issuer runs the
batches; anyone finishes. Figures are exact `gasUsed` of whole transactions, each in a block of
its own, for each class size, so linearity shows (and 10,000 holders is the per-holder figure
times 10,000 plus the constant parts). Writes `split.md` and `split.json` next to this file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from run import Bench, anvil_chain, fresh_wallets, register  # noqa: E402

from tests.contracts.offering_chain import (  # noqa: E402
    DEFAULT_ADMIN_ROLE,
    Chain,
    ClassSpec,
    GovernanceSpec,
)

CLASSES = (ClassSpec("COMMON", votes_per_share=1, authorized=10**15),)
GOAL_PER_HOLDER = 25_000
TARGET = 10_000
DAY = 86_400


def measure(
    chain: Chain,
    accounts: list[str],
    holders: int,
    batch_size: int,
    ratio: tuple[int, int] = (2, 1),
    price: int = 0,
) -> dict[str, Any]:
    bench = Bench(chain)
    issuer = accounts[0]
    offering = chain.deploy_offering(issuer, CLASSES, GovernanceSpec())
    token = offering.token("COMMON")
    wallets = fresh_wallets(chain.w3, holders, f"split-{holders}")
    register(chain, offering, issuer, wallets, [f"S{i}" for i in range(holders)])
    now = chain.now()
    for start in range(0, holders, 100):
        part = wallets[start : start + 100]
        chain.send(
            token.functions.issueBatch(part, [1000] * len(part), [0] * len(part)),
            issuer,
            gas=25_000_000,
        )
    for i, wallet in enumerate(wallets):
        if i % 4 == 0:
            chain.send(token.functions.issue(wallet, 500, now + 365 * DAY), issuer)
        elif i % 8 == 1:
            chain.send(
                token.functions.issueVested(wallet, 800, now - DAY, now - DAY, now + 4 * 365 * DAY),
                issuer,
            )
    agent = chain.deploy("SplitAgent", sender=issuer)
    timelock = offering.timelock.address
    chain.w3.provider.make_request("anvil_impersonateAccount", [timelock])  # type: ignore[arg-type]
    chain.w3.provider.make_request("anvil_setBalance", [timelock, hex(10**20)])  # type: ignore[arg-type]
    supply = token.functions.totalSupply().call()
    grant = bench.gas(token.functions.grantRole(DEFAULT_ADMIN_ROLE, agent.address), timelock)
    numerator, denominator = ratio
    if denominator == 1:
        start_gas = bench.gas(agent.functions.start(token.address, numerator, 1), timelock)
    else:
        from tests.conftest import load_artifact

        stable = load_artifact("TestStablecoin")
        coin = chain.deploy(
            "TestStablecoin", "Cash", "USDX", 6, issuer, sender=issuer, abi=stable["abi"],
            bytecode=stable["bytecode"],
        )  # fmt: skip
        funds = holders * (denominator - 1) * price
        chain.send(coin.functions.mint(timelock, funds), issuer)
        grant += bench.gas(coin.functions.approve(agent.address, funds), timelock)
        consolidate = agent.functions.startConsolidation(
            token.address, denominator, coin.address, price, funds
        )
        start_gas = bench.gas(consolidate, timelock)
    ordered = sorted(wallets, key=lambda w: int(w, 16))
    balances = [token.functions.balanceOf(w).call() for w in ordered]
    batches = [
        bench.gas(
            agent.functions.run(token.address, ordered[i : i + batch_size]), issuer, gas=29_000_000
        )
        for i in range(0, holders, batch_size)
    ]
    finish = bench.gas(agent.functions.finish(token.address), issuer)
    if denominator == 1:
        assert token.functions.totalSupply().call() == numerator * supply
    else:
        kept = sum(b // denominator for b in balances)
        assert token.functions.totalSupply().call() == kept
        paid = sum(b % denominator for b in balances) * price
        assert agent.functions.cashOf(token.address).call()[5] == paid
    assert not token.functions.paused().call()
    total = grant + start_gas + sum(batches) + finish
    return {
        "ratio": f"{numerator}:{denominator}",
        "cash_in_lieu_price": price,
        "holders": holders,
        "batch_size": batch_size,
        "transactions": 3 + len(batches),
        "grant_admin": grant,
        "start": start_gas,
        "batches": batches,
        "finish": finish,
        "total": total,
        "per_holder": sum(batches) // holders,
    }


def render(runs: list[dict[str, Any]]) -> str:
    lines = [
        "| ratio | cash in lieu | holders | transactions | start (grant + start) | batches (sum) | finish | total | per holder (batches / holders) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        lines.append(
            f"| {r['ratio']} | {r['cash_in_lieu_price']:,} | {r['holders']:,} | {r['transactions']} | "
            f"{r['grant_admin'] + r['start']:,} | "
            f"{sum(r['batches']):,} | {r['finish']:,} | {r['total']:,} | {r['per_holder']:,} |"
        )
    big, small = runs[-1], runs[0]
    if big["holders"] != small["holders"]:
        marginal = (sum(big["batches"]) - sum(small["batches"])) // (
            big["holders"] - small["holders"]
        )
        lines.append("")
        lines.append(
            f"Marginal cost per holder between {small['holders']:,} and {big['holders']:,}: {marginal:,} gas."
        )
    r = big
    fixed = r["grant_admin"] + r["start"] + r["finish"]
    estimate = fixed + r["per_holder"] * TARGET
    txs = 3 + -(-TARGET // r["batch_size"])
    lines.append(
        f"{TARGET:,} holders (linear from the largest run): about {estimate:,} gas in {txs} transactions "
        f"({r['per_holder']:,} per holder; goal {GOAL_PER_HOLDER:,}: "
        + (
            "met"
            if r["per_holder"] <= GOAL_PER_HOLDER
            else f"missed by {r['per_holder'] - GOAL_PER_HOLDER:,}"
        )
        + ")."
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--holders", default="500,1000", help="class sizes, comma-separated")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument(
        "--consolidations", action="store_true", help="1:10 without and 1:3 with cash in lieu"
    )
    args = parser.parse_args(argv)
    kinds = [((1, 10), 0), ((1, 3), 400_000)] if args.consolidations else [((2, 1), 0)]
    text = ""
    runs_of_all = []
    for ratio, price in kinds:
        runs = []
        for holders in (int(h) for h in args.holders.split(",")):
            with anvil_chain() as (chain, accounts):
                runs.append(measure(chain, accounts, holders, args.batch_size, ratio, price))
        text += render(runs) + "\n"
        runs_of_all += runs
    name = "consolidate" if args.consolidations else "split"
    (args.out / f"{name}.md").write_text(text)
    (args.out / f"{name}.json").write_text(json.dumps(runs_of_all, indent=2) + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
