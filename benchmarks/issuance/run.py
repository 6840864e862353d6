"""Batch import benchmark: `holders import` and `issue --csv` of N rows vs. the same batches
sent raw with web3.

The toolkit validates the whole file, checks the remaining rows against the chain, journals
every transaction (fsync'd before and after sending) and estimates each batch; the baseline
sends exactly the same calls (same batches, same calldata) with plain web3: estimate (+20%),
sign, send, wait for the receipt. Both run in this process against the same fresh anvil state
(an evm snapshot taken before each import), so the ratio shows what the toolkit's safety costs
on top of the chain's own work. Peak Python memory of the validation pass is measured
separately with tracemalloc (it would slow the timed runs).

Run: .venv/bin/python benchmarks/issuance/run.py [--rows 10000] [--batch-size 100]
Writes benchmarks/issuance/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from toolkit.batches.sender import Batch  # noqa: E402
from toolkit.chain.accounts import dev_account  # noqa: E402
from toolkit.chain.clock import latest_timestamp  # noqa: E402
from toolkit.chain.connection import Chain, connect_url  # noqa: E402
from toolkit.chain.node import start_node  # noqa: E402
from toolkit.chain.tx import Transactor  # noqa: E402
from toolkit.holders.csv_import import batch_of_holders, import_holders  # noqa: E402
from toolkit.holders.holders_csv import HolderRow, iter_holders, validate_holders  # noqa: E402
from toolkit.issuance.csv_issue import issue_from_csv, plan_batches  # noqa: E402
from toolkit.issuance.issuances_csv import iter_issuances, validate_issuances  # noqa: E402
from toolkit.offering.contracts import OfferingContracts  # noqa: E402
from toolkit.offering.deploy import deploy_offering  # noqa: E402
from toolkit.offering.offering_file import load_offering  # noqa: E402

OFFERING = """\
[company]
name = "Benchmark Corp."

[[classes]]
id = "COMMON"
name = "Benchmark Common"
symbol = "BC"
authorized = 1_000_000_000_000
votes_per_share = 1
max_holders = 0
blocked_jurisdictions = ["US"]

[[classes]]
id = "PREFERRED"
name = "Benchmark Preferred"
symbol = "BP"
authorized = 1_000_000_000_000
votes_per_share = 0
max_holders = 0

[governance]
voting_delay = "1d"
voting_period = "7d"
quorum_percent = 50
proposal_threshold = 1
timelock_delay = "2d"
"""


def write_files(folder: Path, rows: int, seed: int = 7) -> tuple[Path, Path, Path]:
    """An offering, a holders CSV of ``rows`` wallets and an issuances CSV of ``rows`` grants
    (one per wallet; a third locked, a tenth vesting, the rest unlocked)."""
    rng = random.Random(seed)
    offering = folder / "offering.toml"
    offering.write_text(OFFERING)
    holders = folder / "holders.csv"
    issuances = folder / "issuances.csv"
    wallets = [f"0x{rng.getrandbits(160):040x}" for _ in range(rows)]
    with holders.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["wallet", "investor_id", "jurisdiction", "expires", "accredited"])
        for n, wallet in enumerate(wallets):
            country = rng.choice(["DE", "FR", "GB", "JP", "SG", "CH"])
            writer.writerow(
                [wallet, f"INV-{n:08d}", country, "2035-12-31", rng.choice(["true", "false"])]
            )
    with issuances.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["class", "wallet", "shares", "lockup_until", "vesting"])
        for wallet in wallets:
            kind = rng.random()
            lockup = "2030-06-30" if kind < 0.33 else ""
            vesting = "2026-01-01:365:1460" if 0.33 <= kind < 0.43 else ""
            writer.writerow(
                [
                    rng.choice(["COMMON", "PREFERRED"]),
                    wallet,
                    rng.randint(1, 10_000),
                    lockup,
                    vesting,
                ]
            )
    return offering, holders, issuances


def send_raw(chain: Chain, batches: Iterator[Batch]) -> int:
    """The baseline: each batch's call with plain web3 (estimate +20%, sign, send, receipt)."""
    w3 = chain.w3
    account = dev_account(0)
    nonce = w3.eth.get_transaction_count(account.address, "pending")
    count = 0
    for batch in batches:
        tx: dict[str, Any] = dict(
            batch.call.build_transaction({"from": account.address, "nonce": nonce})
        )
        tx["gas"] = int(tx["gas"] * 1.2) + 70_000
        signed = account.sign_transaction(tx)
        receipt = w3.eth.wait_for_transaction_receipt(
            w3.eth.send_raw_transaction(signed.raw_transaction)
        )
        assert receipt["status"] == 1, batch.label
        nonce += 1
        count += 1
    return count


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def peak_memory(action: Callable[[], Any]) -> int:
    tracemalloc.start()
    action()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("RESULTS.md"))
    args = parser.parse_args()

    node = start_node("anvil")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            offering_file, holders_csv, issuances_csv = write_files(folder, args.rows)
            chain = connect_url(node.rpc_url, timeout=120)
            w3 = chain.w3
            transactor = Transactor(chain, dev_account(0))
            deployment = deploy_offering(
                transactor, load_offering(offering_file), name="bench", cwd=folder
            ).deployment
            contracts = OfferingContracts(w3, deployment)
            classes = {c.id: c for c in deployment.classes}
            now = latest_timestamp(w3)

            def snapshot() -> Any:
                return w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]

            def revert(snap: Any) -> None:
                w3.provider.make_request("evm_revert", [snap])  # type: ignore[arg-type]
                Transactor._next_nonce.clear()

            results: list[tuple[str, float, float, int]] = []

            # holders: raw first, then back to the same state for the toolkit
            before_holders = snapshot()

            def raw_holders() -> int:
                def batches() -> Iterator[Batch]:
                    bucket: list[HolderRow] = []
                    for row in iter_holders(holders_csv):
                        bucket.append(row)
                        if len(bucket) == args.batch_size:
                            yield batch_of_holders(contracts, bucket)
                            bucket = []
                    if bucket:
                        yield batch_of_holders(contracts, bucket)

                return send_raw(chain, batches())

            raw_time, holder_txs = timed(raw_holders)
            revert(before_holders)
            tool_time, _ = timed(
                lambda: import_holders(
                    Transactor(chain, dev_account(0)),
                    contracts,
                    holders_csv,
                    batch_size=args.batch_size,
                    cwd=folder,
                    now=now,
                )
            )
            results.append(("holders import", tool_time, raw_time, holder_txs))

            # issuance, on top of the registered holders
            before_issue = snapshot()
            raw_time, issue_txs = timed(
                lambda: send_raw(
                    chain,
                    plan_batches(
                        contracts, iter_issuances(issuances_csv, classes), set(), args.batch_size
                    ),
                )
            )
            revert(before_issue)
            tool_time, _ = timed(
                lambda: issue_from_csv(
                    Transactor(chain, dev_account(0)),
                    contracts,
                    issuances_csv,
                    batch_size=args.batch_size,
                    cwd=folder,
                    now=now,
                )
            )
            results.append(("issue --csv", tool_time, raw_time, issue_txs))

            validation_time, _ = timed(lambda: validate_issuances(issuances_csv, classes, now=now))
            peak_issuances = peak_memory(
                lambda: validate_issuances(issuances_csv, classes, now=now)
            )
            peak_holders = peak_memory(lambda: validate_holders(holders_csv, now=now))
            csv_size = issuances_csv.stat().st_size
            rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        node.stop()

    header = f"{args.rows} rows, batches of {args.batch_size}, anvil (automine), one process"
    lines = [
        "| import | transactions | toolkit (s) | raw web3 (s) | ratio | rows/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, tool, raw, txs in results:
        lines.append(
            f"| {name} | {txs} | {tool:.2f} | {raw:.2f} | {tool / raw:.2f} | {args.rows / tool:.0f} |"
        )
    memory = [
        f"- validating the issuances CSV ({csv_size / 1e6:.1f} MB): {validation_time:.2f} s, "
        f"peak Python memory {peak_issuances / 1e6:.2f} MB (tracemalloc)",
        f"- validating the holders CSV: peak Python memory {peak_holders / 1e6:.2f} MB",
        f"- whole benchmark process, max RSS: {rss_mb:.0f} MB",
    ]
    print(header)
    print("\n".join(lines))
    print("\n".join(memory))
    args.out.write_text(
        "# Batch import benchmark\n\n"
        "`benchmarks/issuance/run.py`: the toolkit's resumable imports (whole-file validation, "
        "chain pre-checks, fsync'd journal, estimate per batch) against the same batches sent "
        "raw with web3 (estimate, sign, send, receipt). Ratio = toolkit / raw.\n\n"
        f"{header}\n\n" + "\n".join(lines) + "\n\n" + "\n".join(memory) + "\n"
    )


if __name__ == "__main__":
    main()
