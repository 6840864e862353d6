"""``equity convert`` and ``equity repurchase``: corporate actions on a class (SPEC §14)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from toolkit.cli.context import AppContext, pass_app
from toolkit.cli.helptext import examples
from toolkit.cli.options import global_options
from toolkit.cli.paramtypes import CLASS, WALLET, shares

if TYPE_CHECKING:
    from toolkit.corporate.convert import Route
    from toolkit.corporate.repurchase import Terms
    from toolkit.offering.deployments import ClassDeployment


@examples(
    (
        "Carol converts 1,000 PREFERRED into COMMON at the offering file's ratio",
        "equity --account dev3 convert PREFERRED COMMON 1000",
    ),
    (
        "after governance passed 'convert-all PREFERRED COMMON': convert every holder, in batches",
        "equity convert PREFERRED COMMON --all --batch-size 50",
    ),
)
@click.command()
@click.argument("source", metavar="FROM_CLASS", type=CLASS)
@click.argument("target", metavar="TO_CLASS", type=CLASS)
@click.argument("amount", metavar="SHARES", type=shares(of="source"), required=False)
@click.option(
    "--all",
    "everyone",
    is_flag=True,
    help="Convert every holder of FROM_CLASS (after governance's convert-all); resumable.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Holders per transaction with --all.",
)
@global_options
@pass_app
def convert(
    app: AppContext,
    source: ClassDeployment,
    target: ClassDeployment,
    amount: int | None,
    everyone: bool,
    batch_size: int,
) -> None:
    """Convert SHARES of FROM_CLASS held by the --account into TO_CLASS, at the offering file's
    conversion_ratio; lock-ups and vesting carry over, and TO_CLASS's rules apply to the holder
    (a refusal names the rule, and nothing is sent). With --all, carry out a conversion of the
    whole class that governance mandated."""
    from toolkit.corporate.convert import conversion_route
    from toolkit.errors import UsageError
    from toolkit.inputs import format_shares

    if (amount is None) == (not everyone):
        raise UsageError(
            "give either SHARES (your own conversion) or --all (governance's, of every holder)",
            hint=f"e.g. equity convert {source.id} {target.id} 100",
        )
    route = conversion_route(app.contracts(), source.id, target.id)
    if amount is not None:
        from toolkit.corporate.convert import convert as send_convert

        done = send_convert(app.transactor(), route, amount)
        app.sent(
            f"converted {format_shares(done.shares, source.decimals, grouped=True)} {source.id} "
            f"of {done.wallet} into "
            f"{format_shares(done.converted, target.decimals, grouped=True)} {target.id}",
            [done.result],
            {
                "from_class": source.id,
                "to_class": target.id,
                "wallet": done.wallet,
                "shares": done.shares,
                "converted": done.converted,
            },
        )
        return
    _convert_everyone(app, route, batch_size)


def _convert_everyone(app: AppContext, route: Route, batch_size: int) -> None:
    from toolkit.cli.cap_table_session import cap_table_session
    from toolkit.corporate.convert import convert_holders, require_mandated

    require_mandated(route)
    with cap_table_session(app) as session:
        state = session.state()
    ledger = state.ledger.classes.get(route.source.id)
    holders = sorted(ledger.holders()) if ledger is not None else []
    app.confirm(
        f"convert the {route.source.id} shares of {len(holders)} holder(s) into {route.target.id}?"
    )
    report = convert_holders(
        app.transactor(),
        route,
        [app.chain().w3.to_checksum_address(h) for h in holders],
        batch_size=batch_size,
    )
    for wallet, restriction in report.skipped:
        app.say(f"skipped {wallet}: {route.target.id} refuses it: {restriction.text}")
    app.sent(
        f"converted {len(report.converted)} holder(s) of {route.source.id} into "
        f"{route.target.id}; {len(report.skipped)} skipped",
        list(report.results),
        {
            "from_class": route.source.id,
            "to_class": route.target.id,
            "converted": list(report.converted),
            "skipped": [
                {"wallet": wallet, **restriction.to_json()}
                for wallet, restriction in report.skipped
            ],
        },
    )


@examples(
    (
        "Dave (the holder) signs his consent to sell 1,000 PREFERRED at 2.50 USDT a share",
        "equity --account dev4 repurchase PREFERRED 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65 1000 "
        "--price 2.50 --sign-consent dave-consent.json",
    ),
    (
        "the company buys them with that consent: the shares are cancelled and paid at once",
        "equity repurchase PREFERRED 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65 1000 --price 2.50 "
        "--consent dave-consent.json",
    ),
    (
        "after governance's repurchase-pro-rata: serve every holder of program 1, in batches",
        "equity repurchase PREFERRED --pro-rata 1",
    ),
)
@click.command()
@click.argument("share_class", metavar="CLASS", type=CLASS)
@click.argument("wallet", metavar="WALLET", type=WALLET, required=False)
@click.argument("amount", metavar="SHARES", type=shares(of="share_class"), required=False)
@click.option("--price", help="Price per whole share, in whole payment-token units (e.g. 2.50).")
@click.option(
    "--payment-token",
    default="stablecoin",
    show_default=True,
    help="The ERC-20 paid: an address, or `stablecoin` (the one `equity stablecoin deploy` recorded).",
)
@click.option(
    "--sign-consent",
    "sign_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The holder (--account) signs its consent to these terms into this file; nothing is sent.",
)
@click.option(
    "--consent",
    "consent_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The holder's signed consent: the company (--account, the issuer) buys on its terms.",
)
@click.option(
    "--expires",
    default="7d",
    show_default=True,
    help="With --sign-consent: until when the consent may be used (DATE, or a period such as 7d).",
)
@click.option(
    "--pro-rata",
    "program",
    type=click.IntRange(min=1),
    help="Serve governance's pro-rata program PROGRAM (every holder; resumable; closes it after its end).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Holders per transaction with --pro-rata.",
)
@global_options
@pass_app
def repurchase(
    app: AppContext,
    share_class: ClassDeployment,
    wallet: str | None,
    amount: int | None,
    price: str | None,
    payment_token: str,
    sign_out: Path | None,
    consent_file: Path | None,
    expires: str,
    program: int | None,
    batch_size: int,
) -> None:
    """The company buys back SHARES of CLASS from WALLET at --price, with the holder's signed
    consent, paying and cancelling in one transaction; or serves a pro-rata repurchase that
    governance opened (--pro-rata)."""
    from toolkit.errors import UsageError

    if program is not None:
        if wallet or amount or sign_out or consent_file:
            raise UsageError(
                "--pro-rata takes no WALLET, SHARES, --consent or --sign-consent",
                hint=f"e.g. equity repurchase {share_class.id} --pro-rata 1",
            )
        _serve_program(app, share_class, program, batch_size)
        return
    if (
        wallet is None
        or amount is None
        or price is None
        or (sign_out is None) == (consent_file is None)
    ):
        raise UsageError(
            "a buyback needs WALLET, SHARES, --price and either --sign-consent FILE (the holder) "
            "or --consent FILE (the company)",
            hint=f"e.g. equity repurchase {share_class.id} WALLET 1000 --price 2.50 --consent c.json",
        )
    from toolkit.corporate.repurchase import terms_of

    terms = terms_of(app.contracts(), app.cwd, share_class, wallet, amount, price, payment_token)
    if sign_out is not None:
        _sign(app, terms, expires, sign_out)
        return
    assert consent_file is not None
    from toolkit.corporate.repurchase import read_consent
    from toolkit.corporate.repurchase import repurchase as buy_back

    done = buy_back(app.transactor(), app.contracts(), terms, read_consent(consent_file))
    shares_shown, cost_shown = terms.shown()
    app.sent(
        f"repurchased {shares_shown} {share_class.id} from {wallet} for {cost_shown} "
        f"({price} a share), paid and cancelled in one transaction",
        list(done.results),
        {
            "class": share_class.id,
            "wallet": wallet,
            "shares": amount,
            "payment_token": terms.payment_token,
            "price_per_unit": terms.price_per_unit,
            "paid": terms.cost,
        },
    )


def _sign(app: AppContext, terms: Terms, expires: str, out: Path) -> None:
    from toolkit.chain.clock import latest_timestamp
    from toolkit.corporate.repurchase import sign_consent
    from toolkit.errors import InputError
    from toolkit.inputs import InvalidValue, iso_time, parse_date, parse_duration

    now = latest_timestamp(app.chain().w3)
    try:
        deadline = parse_date(expires) if "-" in expires else now + parse_duration(expires)
        if deadline <= now:
            raise InvalidValue(
                f"{expires} is not in the future (the chain's time is {iso_time(now)})"
            )
    except InvalidValue as exc:
        raise InputError(
            f"--expires: {exc}", hint="e.g. --expires 7d or --expires 2027-06-30"
        ) from None
    consent = sign_consent(app.signer(), app.contracts(), terms, deadline, out)
    app.result(
        {"file": str(out), **consent.to_json()},
        lambda: app.say(
            f"{terms.holder} consents to sell {terms.shown()[0]} {terms.share_class.id} at "
            f"{terms.price_text} {terms.symbol} a share ({terms.shown()[1]}) until "
            f"{iso_time(deadline)}: {out}"
        ),
    )


def _serve_program(
    app: AppContext, share_class: ClassDeployment, program: int, batch_size: int
) -> None:
    from toolkit.cli.cap_table_session import cap_table_session
    from toolkit.corporate.repurchase import serve_program

    with cap_table_session(app) as session:
        state = session.state()
    ledger = state.ledger.classes.get(share_class.id)
    holders = sorted(ledger.holders()) if ledger is not None else []
    w3 = app.chain().w3
    run = serve_program(
        app.transactor(),
        app.contracts(),
        program,
        [w3.to_checksum_address(h) for h in holders],
        batch_size=batch_size,
    )
    headline = (
        f"closed pro-rata program {program}: what it did not pay went back to its payer"
        if run.closed
        else f"pro-rata program {program}: served {len(run.served)} holder(s) of {share_class.id}"
    )
    app.sent(
        headline,
        list(run.results),
        {"program": program, "served": list(run.served), "closed": run.closed},
    )
