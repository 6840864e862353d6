"""``equity stablecoin deploy``: a test stablecoin with permit on a local chain (SPEC §11)."""

from __future__ import annotations

import click

from toolkit.cli.context import AppContext, pass_app
from toolkit.cli.helptext import examples
from toolkit.cli.options import global_options

DEV_ACCOUNTS = 10


@examples("equity stablecoin deploy")
@click.group()
def stablecoin() -> None:
    """A test stablecoin for rounds on local chains (never real money)."""


@examples(
    "equity stablecoin deploy --symbol USDT --decimals 6",
)
@stablecoin.command("deploy")
@click.option("--symbol", default="USDT", show_default=True, help="The token's symbol.")
@click.option(
    "--decimals", default=6, show_default=True, type=int, help="Base units per coin: 10^N."
)
@global_options
@pass_app
def deploy_command(app: AppContext, symbol: str, decimals: int) -> None:
    """Deploy a test stablecoin (ERC-20 with ERC-2612 permit) on a local chain, mint 1,000,000
    coins to each of dev0..dev9 and record it, so a round file may say
    payment_token = "stablecoin".
    """
    from toolkit.chain.accounts import dev_account
    from toolkit.rounds.stablecoin import MINT_PER_ACCOUNT, deploy_stablecoin

    wallets = [dev_account(i).address for i in range(DEV_ACCOUNTS)]
    record, sent = deploy_stablecoin(
        app.transactor(), app.cwd, wallets, symbol=symbol, decimals=decimals
    )
    app.sent(
        f"deployed test {record.symbol} ({record.decimals} decimals) at {record.address}; "
        f"minted {MINT_PER_ACCOUNT:,} {record.symbol} to each of dev0..dev9",
        sent,
        {"address": record.address, "symbol": record.symbol, "decimals": record.decimals},
        then=lambda: 'a round file may now say payment_token = "stablecoin"',
    )
