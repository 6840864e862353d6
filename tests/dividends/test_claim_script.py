"""``scripts/claim_dividend.py`` as plain Python and under brownie, on the governance tests'
offering (dev1 COMMON 1000, dev3 PREFERRED 5000, dev4 COMMON 200) with a dividend declared by
the issuer through the library."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.governance.conftest import Offering, offering, offering_module  # noqa: F401
from tests.scripts.test_brownie import BROWNIE, brownie_run, project  # noqa: F401
from tests.scripts.test_scripts import script
from toolkit.captable.api import open_session
from toolkit.chain.accounts import dev_account
from toolkit.chain.tx import Transactor
from toolkit.dividends.distribution import ERC20_ABI, declare_dividend, plan_dividend
from toolkit.dividends.stablecoin import deploy_test_stablecoin
from toolkit.dividends.terms import read_dividend_file

pytestmark = pytest.mark.xdist_group("brownie")  # one brownie at a time: tools/brownie is shared

USD = 10**6


def declare(on: Offering) -> str:
    issuer = Transactor(on.chain, dev_account(0))
    token, _ = deploy_test_stablecoin(issuer, mint=[(issuer.address, 10**12)])
    now = int(on.chain.w3.eth.get_block("latest")["timestamp"])
    path = on.workdir / "dividend.toml"
    path.write_text(
        f'payment_token = "{token}"\nrecord_date = {on.chain.w3.eth.block_number}\n'
        f'claim_deadline = "{_iso(now + 30 * 86_400)}"\n'
        f'tax_account = "0x{"7a" * 20}"\ndust_account = "0x{"d5" * 20}"\n'
        '[[per_class]]\nclass = "COMMON"\namount_per_share = "1.5"\n'
        '[withholding]\ndefault = "10"\n'
    )
    terms = read_dividend_file(path, tuple(c.id for c in on.deployment.classes))
    with open_session(
        rpc_url=on.node.rpc_url, chain_id=31337, is_local=True, cwd=on.workdir
    ) as session:
        plan = plan_dividend(on.chain.w3, session, on.deployment, terms, now=now)
    declare_dividend(issuer, on.deployment, plan, on.workdir)
    return token


def _iso(seconds: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def balance(on: Offering, token: str, who: str) -> int:
    w3 = on.chain.w3
    coin = w3.eth.contract(address=w3.to_checksum_address(token), abi=ERC20_ABI)
    return int(coin.functions.balanceOf(on.address(who)).call())


def test_an_investor_claims_with_the_script(offering: Offering) -> None:  # noqa: F811
    token = declare(offering)
    code, data, err = script(offering, "claim_dividend.py", "latest", account="dev1")
    assert code == 0, err
    assert data["claims"] == [
        {
            "index": data["claims"][0]["index"],
            "class": "COMMON",
            "net": 1350 * USD,
            "withheld": 150 * USD,
            "outcome": "paid",
            "tx": data["claims"][0]["tx"],
        }
    ]
    assert balance(offering, token, "alice") == 1350 * USD
    code, error, err = script(offering, "claim_dividend.py", "1", account="dev3")
    assert code == 2 and "not entitled" in error["error"]["message"] and "Traceback" not in err


@pytest.mark.skipif(
    not BROWNIE.exists(), reason=".venv-brownie is absent: run scripts/brownie-setup.sh"
)
def test_an_investor_claims_under_brownie(
    offering: Offering,  # noqa: F811
    project: tuple[Path, dict[str, str]],  # noqa: F811
) -> None:
    token = declare(offering)
    # the project copied deployments/ before the dividend was recorded: copy its records too
    shutil.copytree(
        offering.workdir / "deployments", project[0] / "deployments", dirs_exist_ok=True
    )
    claimed = brownie_run(project, "claim_dividend.py", "1", "account=dev4")
    assert claimed["claims"][0]["outcome"] == "paid"
    assert balance(offering, token, "dave") == 270 * USD


def test_the_script_runs_from_a_checkout_without_install() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts/claim_dividend.py"), "--help"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0 and "Claim my dividend" in proc.stdout
