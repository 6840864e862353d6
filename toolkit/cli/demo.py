"""``equity demo``: the whole story on a local anvil, one step at a time.

Each step runs a real ``equity`` command (in this process, against a temporary anvil) and
says in one line what it proves. Expected refusals are shown with their message and exit
code. The node is stopped at the end, on an error and on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import csv
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import click

from toolkit.cli.context import AppContext, Options, pass_app
from toolkit.cli.errors import ReportedError, show_error
from toolkit.cli.helptext import examples
from toolkit.cli.options import global_options
from toolkit.errors import EquityError, UsageError

# dev accounts of the standard development mnemonic (see examples/holders.csv)
ISSUER = "dev0"
ALICE, BOB, CAROL, DAVE, ERIN, FRANK = "dev1", "dev2", "dev3", "dev4", "dev5", "dev6"
OUTSIDER = "0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199"  # never qualified


class DemoFailed(EquityError):
    exit_code = 3
    kind = "demo"


class Story:
    """Runs the steps against one node in one working directory."""

    def __init__(self, app: AppContext, workdir: Path, rpc_url: str) -> None:
        self.app = app
        self.workdir = workdir
        self.rpc_url = rpc_url
        self.step_no = 0

    def step(self, proves: str) -> None:
        self.step_no += 1
        click.secho(f"\n[{self.step_no}] {proves}", bold=True, err=self.app.options.json)

    def run(
        self, *args: str, account: str = ISSUER, expect: int = 0, json_out: bool = False
    ) -> Any:
        """Run one equity command; fail the demo if its exit code is not ``expect``."""
        from toolkit.cli.main import cli

        shown = " ".join(a if " " not in a else repr(a) for a in args)
        account_flag = f" --account {account}" if account != ISSUER else ""
        click.secho(f"$ equity{account_flag} {shown}", fg="cyan", err=self.app.options.json)
        options = Options(rpc_url=self.rpc_url, account=account, json=json_out, yes=True)
        app = AppContext(options=options, cwd=self.workdir)
        captured: list[str] = []
        code = 0
        try:
            if json_out:
                runner_result = _capture_stdout(
                    lambda: cli.main(args=list(args), obj=app, standalone_mode=False), captured
                )
            elif self.app.options.json:  # stdout carries only the demo's own JSON summary
                with contextlib.redirect_stdout(sys.stderr):
                    runner_result = cli.main(args=list(args), obj=app, standalone_mode=False)
            else:
                runner_result = cli.main(args=list(args), obj=app, standalone_mode=False)
            code = runner_result if isinstance(runner_result, int) else 0
        except ReportedError as exc:
            show_error(exc.error, json_output=False, indent="  ")
            code = exc.exit_code
        finally:
            app.close()
        if code != expect:
            raise DemoFailed(
                f"step {self.step_no} (`equity {shown}`) exited {code}, expected {expect}",
                hint="see the output above",
            )
        if expect:
            click.secho(f"  (exit {code}, as expected)", fg="yellow", err=self.app.options.json)
        if json_out and captured:
            return json.loads("".join(captured))
        return None


def _capture_stdout(func: Any, sink: list[str]) -> Any:
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        result = func()
    sink.append(buffer.getvalue())
    return result


def examples_dir() -> Path:
    """The sample offering: a checkout's ``examples/``, else the one bundled in the package."""
    from toolkit.bundle import bundled_examples_dir
    from toolkit.compile import package_root

    folder = package_root() / "examples"
    if (folder / "offering.toml").is_file():
        return folder
    bundled = bundled_examples_dir()
    if bundled is None:
        raise UsageError(f"the sample offering is missing ({folder})", hint="reinstall the toolkit")
    return bundled


def write_register_with_two_errors(source: Path, target: Path) -> None:
    """The sample register with one share count changed and one row dropped."""
    with source.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    fieldnames = list(rows[0].keys())
    rows[3]["shares"] = str(int(rows[3]["shares"]) - 1000)  # balance_mismatch
    del rows[5]  # missing_in_register
    with target.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)


def write_offering_with_rofr(source: Path, target: Path) -> Path:
    """The sample offering with ``rofr_days = 30`` on PREFERRED, exercised by the issuer."""
    text = source.read_text()
    anchor = 'converts_to = "COMMON"'
    if anchor not in text or "[governance]" not in text:
        raise UsageError(f"the sample offering {source} has changed", hint="reinstall the toolkit")
    text = text.replace(anchor, f"rofr_days = 30\n{anchor}", 1)
    text = text.replace("[governance]", '[governance]\nrofr_exerciser = "issuer"', 1)
    target.write_text(text)
    return target


def tell_story(story: Story, examples: Path) -> None:
    from toolkit.chain.node import rpc_call

    story.step("The templates compile offline (native solc or solc-js), incrementally.")
    story.run("compile")

    story.step(
        "One file describes the company; deploy validates it, deploys registry, three "
        "class tokens, votes, timelock and governor, and hands admin to the timelock. "
        "Here PREFERRED also carries the company's 30-day right of first refusal."
    )
    offering = write_offering_with_rofr(examples / "offering.toml", story.workdir / "offering.toml")
    story.run("deploy", str(offering), "--name", "acme")

    story.step("Investors are qualified in the holder registry from a CSV (validated whole first).")
    story.run("holders", "import", str(examples / "holders.csv"))

    story.step("COMMON blocks US investors: issuing to Carol (US) is refused on chain.")
    story.run("issue", "COMMON", "0x90F79bf6EB2c4f870365E785982E1f101E93b906", "1000", expect=3)

    story.step("Shares are issued from a CSV in resumable batches, with lock-ups and vesting.")
    story.run("issue", "--csv", str(examples / "issuances.csv"), "--batch-size", "5")
    issued_block = int(rpc_call(story.rpc_url, "eth_blockNumber"), 16)

    story.step("Erin's COMMON shares are locked until 2028: her transfer is refused.")
    story.run(
        "check",
        "COMMON",
        "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
        "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
        "1000",
        expect=1,
    )
    story.run(
        "transfer",
        "COMMON",
        "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
        "1000",
        account=ERIN,
        expect=3,
    )

    story.step("A wallet outside the registry cannot receive shares.")
    story.run("transfer", "COMMON", OUTSIDER, "1000", account=DAVE, expect=3)

    story.step("Between qualified, unlocked holders a transfer goes through.")
    story.run(
        "transfer", "COMMON", "0x976EA74026E726554dB657fA54763abd0C3a0aa9", "10000", account=DAVE
    )

    story.step(
        "A subscription round of COMMON at 12.50 in a test stablecoin (with permit): the "
        "issuer opens it; it may issue once governance grants it the class's issuing power."
    )
    story.run("stablecoin", "deploy")
    story.run("round", "open", str(examples / "round.toml"), "--name", "seed")
    story.step("Round: before shareholders approve it, it cannot issue: refused, nothing sent.")
    story.run("round", "subscribe", "seed", "1000", account=ALICE, expect=3)

    story.step(
        "Shareholders govern: one proposal raises COMMON's authorized shares, lets the round "
        "issue COMMON and ends the launch allowance, so that from now on the issuer moves at "
        "most 20 % of COMMON a year without a vote."
    )
    # votes count as held a second before a proposal (the governor's clock() - 1): on this
    # fast local chain the shares issued a moment ago may still share the proposal's second
    rpc_call(story.rpc_url, "evm_increaseTime", [1])
    proposal = story.run(
        "gov",
        "propose",
        "--title",
        "Raise COMMON authorized to 12,000,000; approve round seed; the launch is over",
        "--action",
        "set-authorized COMMON 12000000",
        "--action",
        "approve-round seed",
        "--action",
        "approve-issuance COMMON 0",
        account=ALICE,
        json_out=True,
    )
    proposal_id = str(proposal["proposal_id"])
    click.echo(f"  proposal {proposal_id}", err=story.app.options.json)

    story.step(
        "Founders' 10 votes per share count tenfold; Alice votes on chain (--advance-time skips "
        "the one-day voting delay on this local chain). Votes count as held just before the "
        "proposal was made."
    )
    story.run(
        "gov", "vote", proposal_id, "for", "--reason", "growth", "--advance-time", account=ALICE
    )

    story.step("Bob signs a ballot offline (EIP-712); Dave relays it and pays the gas.")
    ballot = story.workdir / "bob-ballot.json"
    story.run("gov", "sign-vote", proposal_id, "for", "--out", str(ballot), account=BOB)
    story.run("gov", "relay-vote", str(ballot), account=DAVE)

    story.step("After the vote the timelock queues it; after its delay anyone executes it.")
    story.run("gov", "queue", proposal_id, "--advance-time")
    story.run("gov", "execute", proposal_id, "--advance-time")
    story.run("gov", "status", proposal_id)

    story.step(
        "Round: 6,000 shares in one subscription pass its limit of 5,000; refused, nothing sent."
    )
    story.run("round", "subscribe", "seed", "6000", account=ALICE, expect=3)
    story.step("Round: Carol is a US investor and COMMON blocks the US; refused before sending.")
    story.run("round", "subscribe", "seed", "1000", account=CAROL, expect=3)
    story.step(
        "Round: Alice pays with a permit (one transaction), Bob approves then subscribes; "
        "each pays and gets locked shares atomically."
    )
    story.run("round", "subscribe", "seed", "1000", "--permit", account=ALICE)
    story.run("round", "subscribe", "seed", "2500", account=BOB)
    story.run("round", "status", "seed")

    tell_trades(story)
    story.step(
        "The issuer cannot manufacture a vote: issuing itself a block of COMMON beyond its "
        "rolling bound (20 % of the supply per 365 days) is refused."
    )
    story.run("issue", "COMMON", "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", "200000", expect=3)

    story.step("The cap table, read from the chain's events.")
    story.run("captable", "show")

    story.step("The legal register agrees with the chain as of the issuance block.")
    story.run("captable", "reconcile", str(examples / "register.csv"), "--as-of", str(issued_block))

    story.step(
        "A register with two errors (a count changed, a row dropped): both are found, "
        "by kind, with the class total that they put out."
    )
    wrong = story.workdir / "register-with-errors.csv"
    write_register_with_two_errors(examples / "register.csv", wrong)
    story.run("captable", "reconcile", str(wrong), "--as-of", str(issued_block), expect=1)

    story.step("The cap table exports as an OCF 1.2.0 package.")
    story.run("captable", "export", "--format", "ocf", "--out", str(story.workdir / "acme.ocf.zip"))

    tell_dividend(story)

    story.step(
        "The board's report: ownership, caps, unlocks and governance in one HTML file "
        "that opens with no network."
    )
    story.run("captable", "report", "--out", str(story.workdir / "acme-report.html"))


def tell_trades(story: Story) -> None:
    """Secondary trades (SPEC §12): a signed offer, a refused buyer, a settlement."""
    offer = str(story.workdir / "offer.json")
    story.step(
        "Market: Dave signs an offer of 1,000 COMMON at 12.50 USDT a share (EIP-712, a file; "
        "his first offer approves the market for COMMON)."
    )
    story.run(
        "market", "sell", "COMMON", "1000", "--price", "12.50", "--expires", "2099-12-31",
        "--out", offer, account=DAVE,
    )  # fmt: skip
    story.step(
        "Market: Carol (US) would buy; COMMON blocks the US: refused with the reason, nothing sent."
    )
    story.run("market", "fill", offer, account=CAROL, expect=3)
    story.step(
        "Market: Frank buys 400 of them: the shares and 5,000 USDT change hands in one transaction."
    )
    story.run("market", "fill", offer, "400", account=FRANK)

    preferred_offer = str(story.workdir / "offer-preferred.json")
    story.step(
        "Right of first refusal: Carol offers 1,000 PREFERRED at 2.00 USDT; Frank's fill "
        "becomes a notice: her shares and his 2,000 USDT are held, nothing settles yet."
    )
    story.run(
        "market", "sell", "PREFERRED", "1000", "--price", "2.00", "--expires", "2099-12-31",
        "--out", preferred_offer, account=CAROL,
    )  # fmt: skip
    story.run("market", "fill", preferred_offer, account=FRANK)
    story.step(
        "The company exercises within the 30 days: it buys the 1,000 shares at Carol's terms "
        "into its treasury wallet; Carol is paid by the company, Frank gets his money back."
    )
    story.run(
        "holders", "add", TREASURY_WALLET, "--investor-id", "COMPANY", "--jurisdiction", "US",
        "--expires", "2036-12-31",
    )  # fmt: skip
    story.run("market", "rofr", "exercise", "1", "--to", TREASURY_WALLET)
    story.run("market", "rofr", "list")


TREASURY_WALLET = "0x" + "c0" * 20  # the company's own wallet (lower case: no checksum)
TAX_ACCOUNT = "0x" + "7a" * 20  # a tax authority escrow (lower case: no checksum)
DUST_ACCOUNT = "0x" + "d5" * 20
FRANK_WALLET = "0x976EA74026E726554dB657fA54763abd0C3a0aa9"  # dev6
FRANK_NEW_WALLET = "0xBcd4042DE499D14e55001CcbB24a551F3b954096"  # never used before


def tell_dividend(story: Story) -> None:
    """A dividend to the holders of record: one payment withheld, one claim reserved."""
    from toolkit.chain.accounts import dev_account
    from toolkit.chain.connection import connect_url
    from toolkit.chain.node import rpc_call
    from toolkit.chain.tx import Transactor
    from toolkit.dividends.stablecoin import deploy_test_stablecoin
    from toolkit.inputs import format_time

    story.step(
        "A dividend: a test stablecoin (USDT, 6 decimals) pays the holders of record at the "
        "latest block, per class, with 30 % withheld for US holders."
    )
    chain = connect_url(story.rpc_url)
    try:
        issuer = Transactor(chain, dev_account(0))
        token, _ = deploy_test_stablecoin(issuer, mint=[(issuer.address, 10**12)])
        now = int(chain.w3.eth.get_block("latest")["timestamp"])
        record_block = int(rpc_call(story.rpc_url, "eth_blockNumber"), 16)
    finally:
        chain.close()
    click.echo(
        f"  USDT deployed at {token}, 1,000,000 minted to the issuer", err=story.app.options.json
    )
    dividend = story.workdir / "dividend.toml"
    dividend.write_text(
        f'payment_token = "{token}"\n'
        f"record_date = {record_block}\n"
        f'claim_deadline = "{format_time(now + 30 * 86_400)}"\n'
        f'tax_account = "{TAX_ACCOUNT}"\n'
        f'dust_account = "{DUST_ACCOUNT}"\n\n'
        '[[per_class]]\nclass = "COMMON"\namount_per_share = "0.10"\n\n'
        '[[per_class]]\nclass = "PREFERRED"\namount_per_share = "0.0333333"\n\n'
        '[withholding]\ndefault = "0"\nUS = "30"\n'
    )
    click.echo(dividend.read_text(), err=story.app.options.json)
    story.run("dividend", "declare", str(dividend))

    story.step("Carol (US) claims: 70 % to her wallet, 30 % to the tax account.")
    story.run("dividend", "claim", "1", account=CAROL)

    story.step("Frank's wallet is frozen: his claim does not pay, it reserves his entitlement.")
    story.run("holders", "freeze", FRANK_WALLET)
    story.run("dividend", "claim", "1", account=FRANK)

    story.step(
        "Shares moved after the record date change nothing; the issuer pushes the rest in "
        "resumable batches (a rerun pays nothing twice)."
    )
    story.run(
        "transfer", "COMMON", "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f", "1000", account=DAVE
    )
    story.run("dividend", "pay", "1", "--batch-size", "4")
    story.run("dividend", "pay", "1")
    story.run("dividend", "status", "1")

    story.step("Carol's statement: gross, withheld and net, with the payment's transaction.")
    story.run("dividend", "statement", account=CAROL)

    story.step(
        "Frank lost that wallet: the issuer registers his new one, recovers his shares to it, "
        "and the next push pays his reserved dividend there, once."
    )
    story.run(
        "holders", "add", FRANK_NEW_WALLET, "--investor-id", "FRANK-006",
        "--jurisdiction", "JP", "--expires", "2036-12-31", "--accredited",
    )  # fmt: skip
    story.run("recover", FRANK_WALLET, FRANK_NEW_WALLET)
    story.run("dividend", "pay", "1")
    story.run("dividend", "statement", FRANK_NEW_WALLET)


@examples(
    "equity demo",
    ("keep its files where you can read them", "equity demo --workdir /tmp/acme-demo"),
)
@click.command()
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the demo writes deployments/ and its files (default: .equity/demo).",
)
@global_options
@pass_app
def demo(app: AppContext, workdir: Path | None) -> None:
    """Run the whole story on a temporary local anvil, then stop it."""
    from toolkit.chain.node import temporary_node

    examples = examples_dir()
    workdir = (workdir or app.cwd / ".equity" / "demo").resolve()
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    started = time.monotonic()
    with temporary_node("anvil") as node:
        click.echo(
            f"anvil started at {node.rpc_url} (pid {node.pid}); working in {workdir}",
            err=app.options.json,
        )
        story = Story(app, workdir, node.rpc_url)
        tell_story(story, examples)
    elapsed = time.monotonic() - started
    click.secho(
        f"\ndemo finished in {elapsed:.0f}s; anvil stopped.", bold=True, err=app.options.json
    )
    if app.options.json:
        click.echo(
            json.dumps(
                {"steps": story.step_no, "seconds": round(elapsed, 1), "workdir": str(workdir)}
            )
        )
    sys.stdout.flush()
