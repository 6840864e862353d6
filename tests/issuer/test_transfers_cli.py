"""`equity transfer|check|force-transfer|recover|pause|unpause` on the funded example offering
(examples/holders.csv registered, examples/issuances.csv issued)."""

from __future__ import annotations

from tests.issuer.conftest import DEV, Issuer

ALICE, BOB, CAROL, DAVE, ERIN, FRANK, ALICE_NEW = DEV[1:8]
OUTSIDER = "0x000000000000000000000000000000000000dEaD"


def test_a_holder_transfers_unlocked_shares(funded: Issuer) -> None:
    result = funded.equity("--json", "--account", "dev4", "transfer", "COMMON", FRANK, "1000")
    assert result.code == 0, result.err
    assert result.json()["transactions"][0]["status"] == 1
    assert funded.balance("COMMON", DAVE) == 249_000
    assert funded.balance("COMMON", FRANK) == 101_000


def test_a_transfer_beyond_the_unlocked_balance_is_refused_with_shares_locked(
    funded: Issuer,
) -> None:
    nonce = funded.nonce(5)
    result = funded.equity("--json", "--account", "dev5", "transfer", "COMMON", DAVE, "10")
    assert result.code == 3
    assert "SHARES_LOCKED" in result.err
    assert result.json()["error"]["code"] == 3
    assert funded.nonce(5) == nonce


def test_check_prints_the_restriction_and_exits_1(funded: Issuer) -> None:
    result = funded.equity("--json", "check", "COMMON", ERIN, DAVE, "10")
    assert result.code == 1
    restriction = {key: result.json()[key] for key in ("code", "name", "message")}
    assert restriction == {  # and the sender's position: test_sellable_cli.py
        "code": 8,
        "name": "SHARES_LOCKED",
        "message": "The amount exceeds the sender's unlocked balance",
    }
    human = funded.equity("check", "COMMON", DAVE, CAROL, "10")
    assert human.code == 1
    assert human.out.startswith("JURISDICTION_BLOCKED (6):")


def test_check_of_an_allowed_transfer_exits_0(funded: Issuer) -> None:
    result = funded.equity("--json", "check", "COMMON", DAVE, FRANK, "10")
    assert result.code == 0
    assert result.json()["name"] == "OK"


def test_check_names_each_restriction(funded: Issuer) -> None:
    cases = [
        (("COMMON", DAVE, OUTSIDER, "10"), "RECEIVER_NOT_QUALIFIED"),
        (("COMMON", DAVE, FRANK, "250001"), "INSUFFICIENT_BALANCE"),
        (("FOUNDERS", ALICE, DAVE, "1"), "SHARES_LOCKED"),
    ]
    for args, name in cases:
        result = funded.equity("--json", "check", *args)
        assert (result.code, result.json()["name"]) == (1, name)


def test_the_holder_cap_refuses_a_fourth_investor(funded: Issuer) -> None:
    assert funded.equity("issue", "FOUNDERS", DAVE, "10").code == 0  # third investor: allowed
    result = funded.equity("--json", "check", "FOUNDERS", DAVE, FRANK, "5")
    assert result.json()["name"] == "HOLDER_LIMIT_REACHED"


def test_pause_stops_transfers_and_unpause_resumes_them(funded: Issuer) -> None:
    assert funded.equity("pause", "COMMON").code == 0
    assert funded.equity("--json", "check", "COMMON", DAVE, FRANK, "10").json()["name"] == "PAUSED"
    refused = funded.equity("--account", "dev4", "transfer", "COMMON", FRANK, "10")
    assert refused.code == 3 and "PAUSED" in refused.err
    assert funded.equity("unpause", "COMMON").code == 0
    assert funded.equity("check", "COMMON", DAVE, FRANK, "10").code == 0


def test_a_frozen_sender_is_refused(funded: Issuer) -> None:
    assert funded.equity("holders", "freeze", DAVE).code == 0
    assert (
        funded.equity("--json", "check", "COMMON", DAVE, FRANK, "1").json()["name"]
        == "SENDER_FROZEN"
    )


def test_force_transfer_moves_locked_shares_and_keeps_them_locked(funded: Issuer) -> None:
    result = funded.equity(
        "--json",
        "--yes",
        "force-transfer",
        "COMMON",
        ERIN,
        DAVE,
        "50000",
        "--reason",
        "court order 2027-114",
    )
    assert result.code == 0, result.err
    assert result.json()["reason"] == "court order 2027-114"
    assert funded.balance("COMMON", ERIN) == 100_000
    assert funded.locked("COMMON", DAVE) == 50_000


def test_force_transfer_needs_the_issuer_role(funded: Issuer) -> None:
    result = funded.equity(
        "--account", "dev4", "--yes", "force-transfer", "COMMON", ERIN, DAVE, "1", "--reason", "x"
    )
    assert result.code == 3 and "lacks the role ISSUER_ROLE" in result.err


def test_recover_moves_every_class_with_its_lockups_and_votes(funded: Issuer) -> None:
    token = funded.contracts.token("FOUNDERS").functions
    votes_before = token.getVotes(ALICE).call()
    locked = funded.locked("FOUNDERS", ALICE)  # all 800,000 before the cliff on 2027-01-01
    result = funded.equity("--json", "--yes", "recover", ALICE, ALICE_NEW)
    assert result.code == 0, result.err
    assert len(result.json()["transactions"]) == 2  # COMMON and FOUNDERS; no PREFERRED
    assert (funded.balance("FOUNDERS", ALICE), funded.balance("FOUNDERS", ALICE_NEW)) == (
        0,
        800_000,
    )
    assert funded.balance("COMMON", ALICE_NEW) == 50_000
    # the lock goes along (vesting may have freed a share or so in the seconds between)
    assert locked - 1 <= funded.locked("FOUNDERS", ALICE_NEW) <= locked
    funded.node.advance_time(1)
    assert token.getVotes(ALICE_NEW).call() == votes_before
    assert token.getVotes(ALICE).call() == 0


def test_recover_to_a_wallet_of_another_investor_is_refused(funded: Issuer) -> None:
    nonce = funded.nonce()
    result = funded.equity("--yes", "recover", ALICE, BOB)
    assert result.code == 3
    assert "not registered to the investor of" in result.err
    assert funded.nonce() == nonce


def test_recover_into_a_frozen_wallet_is_refused_before_sending(funded: Issuer) -> None:
    """Issue 10.2: the new wallet meets the receiver's rules; a frozen one is refused (the shares
    would be stranded there) with the code's name and message, and nothing is sent."""
    assert funded.equity("holders", "freeze", ALICE_NEW).code == 0
    nonce = funded.nonce()
    result = funded.equity("--json", "--yes", "recover", ALICE, ALICE_NEW)
    assert result.code == 3
    error = result.json()["error"]
    assert "RECEIVER_FROZEN: The receiver's wallet is frozen" in error["message"]
    assert "holders unfreeze" in result.err and "nothing was sent" in result.err
    assert funded.nonce() == nonce
    assert funded.balance("FOUNDERS", ALICE) == 800_000


def test_recover_of_an_empty_wallet_is_refused(funded: Issuer) -> None:
    result = funded.equity("--yes", "recover", ALICE_NEW, ALICE)
    assert result.code == 2 and "holds no shares" in result.err


def test_force_transfer_and_recover_need_confirmation_without_a_terminal(funded) -> None:  # type: ignore[no-untyped-def]
    forced = funded.equity("force-transfer", "COMMON", ERIN, DAVE, "1", "--reason", "court order")
    assert forced.code == 2 and "--yes" in forced.err
    recovered = funded.equity("recover", ALICE, ALICE_NEW)
    assert recovered.code == 2 and "--yes" in recovered.err


def test_pausing_twice_or_unpausing_an_unpaused_class_answers_in_a_sentence(
    funded: Issuer,
) -> None:
    nonce = funded.nonce()
    not_paused = funded.equity("--json", "unpause", "COMMON")
    assert not_paused.code == 3
    assert not_paused.json()["error"]["message"] == (
        "transfers of COMMON are not paused; nothing was sent"
    )
    assert funded.equity("pause", "COMMON").code == 0
    again = funded.equity("--json", "pause", "COMMON")
    assert again.code == 3
    assert again.json()["error"]["message"] == "transfers of COMMON are paused already; nothing was sent"
    assert "EnforcedPause" not in again.err and "ExpectedPause" not in not_paused.err
    assert funded.nonce() == nonce + 1  # the one pause that did something


def test_a_refused_transfer_names_the_sender_it_used(funded: Issuer) -> None:
    nonce = funded.nonce()
    result = funded.equity("--json", "transfer", "COMMON", FRANK, "10")  # no --account: dev0
    assert result.code == 3
    error = result.json()["error"]
    assert error["message"].startswith(f"transfer of COMMON from {DEV[0]} refused: INSUFFICIENT_BALANCE")
    assert f"no --account was given, so the sender was dev0 ({DEV[0]})" in error["hint"]
    assert funded.nonce() == nonce
