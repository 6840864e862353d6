"""Gas of corporate actions (issue 15): conversions of one class into another, and repurchases.

    .venv/bin/python benchmarks/gas/corporate.py [--out DIR]

Starts one anvil, deploys an offering as SPEC §10 wires it (COMMON, 1 vote a share, cap 2,000,
"US" blocked; PREFERRED, non-voting) and a Converter of PREFERRED into COMMON at 1:1 with the
powers the deployment gives it (redeeming PREFERRED, issuing COMMON). Every operation runs in its
own block at a later timestamp; figures are exact `gasUsed` of whole transactions (21,000
intrinsic and calldata included). Writes `corporate.md` and `corporate.json` next to this file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from run import Bench, anvil_chain, fresh_wallets, register, write_results  # noqa: E402

from tests.contracts.offering_chain import Chain, ClassSpec, GovernanceSpec  # noqa: E402
from tests.corporate.corporate_chain import as_timelock, deploy_converter, impersonate  # noqa: E402

CLASSES = (
    ClassSpec("COMMON", votes_per_share=1, authorized=10**12, max_holders=2000, blocked=("US",)),
    ClassSpec("PREFERRED", votes_per_share=0, authorized=10**12),
)
FAR = 4_102_444_800  # 2100-01-01: a lock-up that is live throughout
BATCH = 20
GOALS = {"convert_new_holder": 200_000}
LABELS = {
    "convert_new_holder": "convert a holder's whole unlocked PREFERRED balance; new to COMMON",
    "convert_existing_holder": "same, the holder already holds COMMON",
    "convert_partial_existing_holder": "part of the balance, holder already in COMMON",
    "convert_lockup_new_holder": "whole balance under a plain lock-up; new to COMMON (the lot carried over)",
    "convert_vesting_new_holder": "whole balance of a vesting lot past its cliff; new to COMMON (rebased lot)",
    "convert_all_per_holder": f"governance's conversion of the class, per holder (batch of {BATCH}, new to COMMON)",
    "repurchase_consent": "buyback of part of a holding with the holder's EIP-712 consent, paid in USDT",
    "repurchase_pro_rata_per_holder": f"pro-rata repurchase, per holder (batch of {BATCH}, a tenth each)",
    "open_pro_rata": "open and fund a pro-rata program (the timelock)",
}


def measure(chain: Chain, accounts: list[str]) -> dict[str, int]:
    from tests.conftest import load_artifact

    bench = Bench(chain)
    issuer = accounts[0]
    offering = chain.deploy_offering(
        issuer, CLASSES, GovernanceSpec(voting_delay=60, voting_period=3600)
    )
    common, preferred = offering.token("COMMON"), offering.token("PREFERRED")
    converter = deploy_converter(chain, offering, load_artifact, "PREFERRED", "COMMON")
    wallets = fresh_wallets(chain.w3, 6 + BATCH, "converter")
    register(chain, offering, issuer, wallets, [f"holder{i}" for i in range(len(wallets))])
    new, existing, partial, locked, vesting = (impersonate(chain, w) for w in wallets[:5])
    for wallet in (new, existing, partial, locked):
        chain.send(
            preferred.functions.issue(wallet, 10_000, FAR if wallet == locked else 0), issuer
        )
    for wallet in (existing, partial):
        chain.send(common.functions.issue(wallet, 10_000, 0), issuer)
    now = chain.now()
    chain.send(preferred.functions.issueVested(vesting, 10_000, now - 100, now - 50, FAR), issuer)
    out: dict[str, int] = {}
    out["convert_new_holder"] = bench.gas(converter.functions.convert(10_000), new)
    out["convert_existing_holder"] = bench.gas(converter.functions.convert(10_000), existing)
    out["convert_partial_existing_holder"] = bench.gas(converter.functions.convert(4_000), partial)
    out["convert_lockup_new_holder"] = bench.gas(converter.functions.convert(10_000), locked)
    out["convert_vesting_new_holder"] = bench.gas(converter.functions.convert(10_000), vesting)

    batch = wallets[6 : 6 + BATCH]
    for wallet in batch:
        chain.send(preferred.functions.issue(wallet, 1_000, 0), issuer)
    mandate = converter.functions.mandate(preferred.address, common.address)  # the pair, named
    chain.send(mandate, as_timelock(chain, offering))
    total = bench.gas(converter.functions.convertHolders(batch), issuer, gas=15_000_000)
    out["convert_all_total"] = total
    out["convert_all_per_holder"] = total // BATCH
    out.update(measure_repurchases(chain, bench, offering, issuer, wallets[:5] + batch))
    return out


def measure_repurchases(
    chain: Chain, bench: Bench, offering: Any, issuer: str, holders: list[str]
) -> dict[str, int]:
    """A buyback with consent from a holder, and a pro-rata program over the batch's holders
    (they hold COMMON after the conversion above)."""
    from tests.conftest import load_artifact
    from tests.corporate.corporate_chain import ISSUER_ROLE
    from tests.rounds.round_chain import Rounds
    from toolkit.chain.accounts import dev_account
    from toolkit.corporate.repurchase import CONSENT_FIELDS, typed_data

    code = load_artifact("ShareRepurchase")
    timelock = as_timelock(chain, offering)
    common = offering.token("COMMON")
    contract = chain.deploy(
        "ShareRepurchase",
        [common.address],
        timelock,
        issuer,
        sender=issuer,
        abi=code["abi"],
        bytecode=code["bytecode"],
    )
    chain.send(common.functions.grantRole(ISSUER_ROLE, contract.address), timelock)
    rounds = Rounds(chain, offering, load_artifact, issuer)
    coin = rounds.stablecoin()
    for payer in (issuer, timelock):
        rounds.fund(coin, payer, 10**24, spender=contract.address)
    seller = dev_account(1)  # a key: the consent is signed
    register(chain, offering, issuer, [seller.address], ["seller"])
    chain.send(common.functions.issue(seller.address, 10_000, 0), issuer)
    out: dict[str, int] = {}
    message = {
        "shareClass": common.address,
        "holder": seller.address,
        "shares": 4_000,
        "paymentToken": coin.address,
        "pricePerUnit": 2_500_000,
        "nonce": 0,
        "deadline": chain.now() + 86_400,
    }
    signed = seller.sign_typed_data(
        full_message=typed_data(chain.w3.eth.chain_id, contract.address, message)
    )
    consent = tuple(message[name] for name, _ in CONSENT_FIELDS)
    out["repurchase_consent"] = bench.gas(
        contract.functions.repurchase(consent, signed.signature), issuer
    )
    out["open_pro_rata"] = bench.gas(
        contract.functions.openProRata(
            common.address, coin.address, 2_500_000, 1, 10, chain.now() + 86_400
        ),
        timelock,
    )
    batch = holders[-BATCH:]
    total = bench.gas(contract.functions.repurchaseProRata(1, batch), issuer, gas=15_000_000)
    out["repurchase_pro_rata_total"] = total
    out["repurchase_pro_rata_per_holder"] = total // BATCH
    return out


def render(out: dict[str, int]) -> str:
    lines = [
        "# Gas of conversions (generated by `benchmarks/gas/corporate.py`; do not edit)",
        "",
        "| operation | gas | goal |",
        "|---|---:|---|",
    ]
    for key, label in LABELS.items():
        goal = GOALS.get(key)
        mark = "" if goal is None else f"≤ {goal:,} {'✅' if out[key] <= goal else '❌ missed'}"
        lines.append(f"| {label} | {out[key]:,} | {mark} |")
    lines.append("")
    lines.append(
        f"Batches of {BATCH}: conversion {out['convert_all_total']:,}, pro-rata repurchase "
        f"{out['repurchase_pro_rata_total']:,} gas in one transaction."
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out", type=Path, default=HERE, help="folder for corporate.md and corporate.json"
    )
    args = parser.parse_args(argv)
    with anvil_chain() as (chain, accounts):
        out = measure(chain, accounts)
    write_results(args.out, "corporate", out, GOALS, render(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
