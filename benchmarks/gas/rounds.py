"""Gas of subscription rounds (issue 12) against an OpenZeppelin ERC20 mint + transferFrom floor.

    .venv/bin/python benchmarks/gas/rounds.py [--out DIR]

Starts one anvil, deploys an offering as SPEC §10 wires it, the shipped TestStablecoin (ERC20 +
ERC20Permit, 6 decimals) and rounds of COMMON at 12.50 USDT a share with a lock-up, given the
class's issuing power as `approve-round` gives it. The goals are measured on a round with a limit
per transaction and no ticket limits per investor (the round then keeps one flag per investor, not
a running total); a round with ticket limits is measured beside it. Every operation runs in its own block at a
later timestamp; figures are exact `gasUsed` of whole transactions (21,000 intrinsic and calldata
included). In the same run: OpenZeppelin's ERC20 (benchmarks/gas/contracts/ReferenceERC20.sol)
minting to a new holder and a transferFrom between existing balances with an allowance: a
subscription does at least both, so their sum less one intrinsic 21,000 is its floor.
Writes `rounds.md` and `rounds.json` next to this file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from run import Bench, anvil_chain, fresh_wallets, register, write_results  # noqa: E402

from tests.contracts.offering_chain import Chain, ClassSpec, GovernanceSpec  # noqa: E402
from tests.rounds.contract.test_subscription_round import sign_permit  # noqa: E402
from tests.rounds.round_chain import Rounds, RoundTerms  # noqa: E402
from toolkit.chain.accounts import dev_account  # noqa: E402
from toolkit.compile import build_dir, compile_project  # noqa: E402

CLASSES = (
    ClassSpec("COMMON", votes_per_share=1, authorized=10**12, max_holders=2000, blocked=("US",)),
)
PRICE = 12_500_000  # 12.50 USDT (6 decimals) per share
FAR = 4_102_444_800  # 2100-01-01: a lock-up that is live throughout
INTRINSIC = 21_000
GOALS = {
    "subscribe_new_holder_lockup": 160_000,
    "subscribe_with_permit_new_holder": 200_000,
    "subscribe_existing_holder": 125_000,
}
LABELS = {
    "subscribe_new_holder_lockup": "atomic subscription, new holder, lock-up, token approved (median of five)",
    "subscribe_new_holder_lockup_worst": "same, the dearest of five (a new slot of the class's investor counters)",
    "subscribe_with_permit_new_holder": "atomic subscription, new holder, ERC-2612 permit in the transaction",
    "subscribe_existing_holder": "atomic subscription by an existing holder (its second)",
    "subscribe_first_of_round": "the round's first subscription (new holder; opens the round's books)",
    "subscribe_tickets_shared_word": "ticket limits, existing holder: its investor's running total shares a word",
    "subscribe_tickets_new_word": "ticket limits, existing holder: its investor's running total opens a word",
    "subscribe_escrow_new_investor": "soft-cap round: subscription held in escrow (new investor)",
    "settle_per_subscriber": "soft-cap round: settle, per subscriber (batch of 20)",
    "refund": "failed/cancelled round: one refund",
    "issue_new_holder_lockup": "for comparison: the issuer's `issue` to a new holder with a lock-up",
    "issue_existing_holder": "for comparison: `issue` to an existing holder",
}


def measure(chain: Chain, accounts: list[str], ref_build: Path) -> dict[str, int]:
    from tests.conftest import load_artifact

    bench = Bench(chain)
    issuer = accounts[0]
    offering = chain.deploy_offering(issuer, CLASSES, GovernanceSpec())
    common = offering.token("COMMON")
    rounds = Rounds(chain, offering, load_artifact, issuer)
    usdt = rounds.stablecoin()
    now = chain.now()
    terms = RoundTerms(
        share_class=common.address,
        payment_token=usdt.address,
        price_per_unit=PRICE,
        opens=now + 60,
        closes=now + 30 * 86_400,
        hard_cap=10**9,
        min_ticket=100,
        max_ticket=1_000_000,
        max_per_transaction=100_000,
        lock_start=FAR,
        lock_cliff=FAR,
        lock_end=FAR,
    )
    atomic = rounds.open(terms.but(min_ticket=0, max_ticket=0))
    tickets = rounds.open(terms)
    escrow = rounds.open(terms.but(soft_cap=10**8))
    cancelled = rounds.open(terms.but(soft_cap=10**8))
    buyers = fresh_wallets(chain.w3, 40, "round-buyer")
    register(chain, offering, issuer, buyers, [f"buyer{i}" for i in range(len(buyers))])
    permit_signer = dev_account(7)
    register(chain, offering, issuer, [permit_signer.address], ["permit"])
    for wallet in buyers:
        chain.w3.provider.make_request("anvil_setBalance", [wallet, hex(10**20)])  # type: ignore[arg-type]
        chain.w3.provider.make_request("anvil_impersonateAccount", [wallet])  # type: ignore[arg-type]
        chain.send(usdt.functions.mint(wallet, 10**15), issuer)
        for round_ in (atomic, tickets, escrow, cancelled):
            chain.send(usdt.functions.approve(round_.address, 2**255), wallet)
    chain.send(usdt.functions.mint(permit_signer.address, 10**15), issuer)
    # the proceeds address (the timelock) already holds the token, as after a first sale
    chain.send(usdt.functions.mint(offering.timelock.address, 1), issuer)
    chain.mine_at(terms.opens)
    out: dict[str, int] = {}
    # a round's first subscription also initialises its books: once per round, left out
    out["subscribe_first_of_round"] = bench.gas(atomic.functions.subscribe(1_000), buyers[39])
    # new holders; the dearest also opens a new slot of the class's investor wallet counters
    # (16 investors a slot), reported apart
    new_holders = [bench.gas(atomic.functions.subscribe(1_000), buyers[i]) for i in range(5)]
    out["subscribe_new_holder_lockup"] = sorted(new_holders)[len(new_holders) // 2]
    out["subscribe_new_holder_lockup_worst"] = max(new_holders)
    out["subscribe_existing_holder"] = bench.same(
        "subscribe (existing holder)",
        [bench.gas(atomic.functions.subscribe(1_000), buyers[i]) for i in range(5)],
    )
    # ticket limits: two investors' running totals a word. Measured on existing holders of the
    # class (the token's side stays the same): of four consecutive investor indices, at least one
    # opens a word of totals and one shares a word with its neighbour
    bench.gas(tickets.functions.subscribe(1_000), buyers[38])  # opens the round's books
    ticketed = [bench.gas(tickets.functions.subscribe(1_000), buyers[i]) for i in range(4)]
    out["subscribe_tickets_shared_word"] = min(ticketed)
    out["subscribe_tickets_new_word"] = max(ticketed)
    deadline = chain.now() + 86_400
    signature = sign_permit(
        chain, usdt, permit_signer.key.hex(), atomic.address, 1_000 * PRICE, deadline
    )
    out["subscribe_with_permit_new_holder"] = bench.gas(
        atomic.functions.subscribeWithPermit(1_000, deadline, *signature), permit_signer.address
    )
    settle_batch = buyers[10:30]
    escrowed = [bench.gas(escrow.functions.subscribe(1_000), w) for w in settle_batch]
    out["subscribe_escrow_new_investor"] = bench.same("escrow", escrowed[1:])  # [0] opens the books
    bench.gas(escrow.functions.close(), issuer)  # the manager closes early; below the soft cap
    # a successful soft-cap round: the same 20 subscriptions in a round whose soft cap they meet
    met = rounds.open(terms.but(soft_cap=20_000, opens=chain.now() + 60))
    for wallet in settle_batch:
        chain.send(usdt.functions.approve(met.address, 2**255), wallet)
    chain.mine_at(chain.now() + 60)
    for wallet in settle_batch:
        bench.gas(met.functions.subscribe(1_000), wallet)
    bench.gas(met.functions.close(), issuer)
    out["settle_per_subscriber"] = bench.gas(met.functions.settle(20), issuer, gas=15_000_000) // 20
    out["refund"] = bench.gas(escrow.functions.refund(settle_batch[0]), settle_batch[0])
    newcomer = buyers[35]
    out["issue_new_holder_lockup"] = bench.gas(common.functions.issue(newcomer, 1_000, FAR), issuer)
    out["issue_existing_holder"] = bench.gas(common.functions.issue(newcomer, 1_000, FAR), issuer)
    _ = cancelled

    # the floor: OpenZeppelin ERC20 mint to a new holder, transferFrom with an allowance
    artifact = json.loads((ref_build / "ReferenceERC20.json").read_text())
    ref = chain.deploy(
        "ReferenceERC20", sender=issuer, abi=artifact["abi"], bytecode=artifact["bytecode"]
    )
    payer, receiver, spender = accounts[1], accounts[2], accounts[3]
    for holder in (payer, receiver):
        chain.send(ref.functions.mint(holder, 10**15), issuer)
    chain.send(ref.functions.approve(spender, 10**15), payer)
    bench.gas(ref.functions.transferFrom(payer, receiver, 10), spender)
    out["ref_transfer_from"] = bench.same(
        "ERC20 transferFrom",
        [bench.gas(ref.functions.transferFrom(payer, receiver, 10), spender) for _ in range(3)],
    )
    fresh = fresh_wallets(chain.w3, 3, "ref-mint")
    out["ref_mint_new_holder"] = bench.same(
        "ERC20 mint", [bench.gas(ref.functions.mint(w, 1_000), issuer) for w in fresh]
    )
    out["floor"] = out["ref_transfer_from"] + out["ref_mint_new_holder"] - INTRINSIC
    return out


def render(out: dict[str, int]) -> str:
    floor = out["floor"]
    lines = [
        "# Gas of subscription rounds (generated by `benchmarks/gas/rounds.py`; do not edit)",
        "",
        "Exact `gasUsed` of whole transactions on anvil (solc 0.8.28, shanghai, optimizer 200 runs,",
        "OpenZeppelin 5.3.0). Floor: OpenZeppelin ERC20 `mint` to a new holder "
        f"({out['ref_mint_new_holder']:,}) + `transferFrom` with an allowance "
        f"({out['ref_transfer_from']:,}) - one intrinsic 21,000 = {floor:,}, same run.",
        "",
        "| operation | ours | floor | ours / floor | goal |",
        "|---|---:|---:|---:|---|",
    ]
    for key, label in LABELS.items():
        goal = GOALS.get(key)
        verdict = (
            "" if goal is None else f"≤ {goal:,} " + ("✅" if out[key] <= goal else "❌ missed")
        )
        ratio = f"{out[key] / floor:.2f}x" if key.startswith("subscribe") else "–"
        shown = f"{floor:,}" if key.startswith("subscribe") else "–"
        lines.append(f"| {label} | {out[key]:,} | {shown} | {ratio} | {verdict} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out", type=Path, default=HERE, help="folder for rounds.md and rounds.json"
    )
    args = parser.parse_args(argv)
    compile_project(HERE)  # the OpenZeppelin floor, same compiler and settings
    with anvil_chain() as (chain, accounts):
        out = measure(chain, accounts, build_dir(HERE))
    write_results(args.out, "rounds", out, GOALS, render(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
