"""A 10,000-row CSV is validated in one streaming pass whose memory does not grow with the
file's size beyond what duplicate detection needs; and `--help` of the issuer commands stays
fast (web3 is imported only when a command runs)."""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

from toolkit.inputs import parse_date
from toolkit.issuance.issuances_csv import validate_issuances
from toolkit.offering.deployments import ClassDeployment

CLASSES = {"COMMON": ClassDeployment(id="COMMON", address="0x" + "11" * 20, name="C", symbol="C")}


def write_rows(path: Path, rows: int) -> None:
    with path.open("w") as handle:
        handle.write("class,wallet,shares,lockup_until,vesting\n")
        for n in range(rows):
            handle.write(f"COMMON,0x{n + 1:040x},{n + 1},2030-01-01,\n")


def test_validating_ten_thousand_rows_needs_little_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    write_rows(path, 10_000)
    tracemalloc.start()
    checked = validate_issuances(path, CLASSES, now=parse_date("2026-01-01"))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert checked.rows == 10_000
    assert peak < 4_000_000, (
        f"peak {peak / 1e6:.1f} MB for {path.stat().st_size / 1e6:.1f} MB of CSV"
    )


def test_issuer_command_help_does_not_import_web3() -> None:
    probe = (
        "import sys, json\n"
        "from toolkit.cli.main import main\n"
        "for command in (['deploy'], ['holders', 'import'], ['issue'], ['check'], ['recover']):\n"
        "    try:\n"
        "        main([*command, '--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('web3', 'eth_account'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out.splitlines()[-1]) == []
