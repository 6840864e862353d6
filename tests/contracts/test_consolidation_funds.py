"""A consolidation's cash in lieu is paid only out of the funds the agent holds for it: a
shortfall stops the batch (nothing paid, nothing cancelled for that holder), anyone may add
funds, and what is left goes back to the treasury at the end (SPEC §14, issue 15)."""

from __future__ import annotations

from tests.conftest import load_artifact
from tests.contracts.offering_chain import DEFAULT_ADMIN_ROLE, NEVER, Chain, Offering, investor_id


def test_a_cash_shortfall_stops_the_batch_until_someone_funds_it_and_the_rest_goes_back(
    chain: Chain, offering: Offering, accounts: list[str], timelock: str
) -> None:
    issuer = accounts[0]
    token = offering.token("COMMON")
    holders = sorted(accounts[1:3], key=lambda w: int(w, 16))
    for i, (wallet, shares) in enumerate(zip(holders, (10, 8), strict=True)):
        chain.send(
            offering.registry.functions.addHolder(wallet, investor_id(f"C{i}"), b"DE", NEVER, True),
            issuer,
        )
        chain.send(token.functions.issue(wallet, shares, 0), issuer)
    stable = load_artifact("TestStablecoin")
    coin = chain.deploy(
        "TestStablecoin", "Cash", "USDX", 6, issuer, sender=issuer, abi=stable["abi"],
        bytecode=stable["bytecode"],
    )  # fmt: skip
    for who in (timelock, issuer):
        chain.send(coin.functions.mint(who, 1_000), issuer)
    agent = chain.deploy("SplitAgent", sender=issuer)
    assert chain.revert_of(agent.functions.fund(token.address, 1), issuer)[0] == "NoCashInLieu"
    chain.send(coin.functions.approve(agent.address, 1_000), timelock)
    chain.send(token.functions.grantRole(DEFAULT_ADMIN_ROLE, agent.address), timelock)
    # 1:3 at 5 a share: the holders' fractions are 1 and 2 shares (5 + 10), funded with 12
    chain.send(agent.functions.startConsolidation(token.address, 3, coin.address, 5, 12), timelock)
    assert coin.functions.balanceOf(timelock).call() == 988
    run = agent.functions.run(token.address, holders)
    owed = {holders[0]: 10 % 3 * 5, holders[1]: 8 % 3 * 5}  # 5 and 10
    # the first holder's 5 fit, the second's 10 do not fit the 7 left: the batch reverts whole
    assert chain.revert_of(run, issuer) == ("CashShort", (holders[1], 10, 7))

    chain.send(coin.functions.approve(agent.address, 100), issuer)
    chain.send(agent.functions.fund(token.address, 100), issuer)  # anyone may add funds
    chain.send(run, issuer)
    chain.send(agent.functions.finish(token.address), issuer)
    assert [token.functions.balanceOf(w).call() for w in holders] == [10 // 3, 8 // 3]
    assert [coin.functions.balanceOf(w).call() for w in holders] == [owed[w] for w in holders]
    assert coin.functions.balanceOf(agent.address).call() == 0
    # what was not paid (12 + 100 - 15) went back to the treasury, not to whoever funded
    assert coin.functions.balanceOf(timelock).call() == 988 + 12 + 100 - 15
    assert coin.functions.balanceOf(issuer).call() == 900
