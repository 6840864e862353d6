"""`equity issue`: one grant with a lock-up or vesting, or a whole CSV; bad input and chain
refusals are reported before anything is sent."""

from __future__ import annotations

import pytest

from tests.issuer.conftest import DEV, EXAMPLES, Issuer
from toolkit.chain.accounts import create_account
from toolkit.inputs import parse_date


def register(issuer: Issuer) -> None:
    assert issuer.equity("holders", "import", EXAMPLES / "holders.csv").code == 0


def test_issue_with_a_lockup_locks_the_shares_until_the_date(issuer: Issuer) -> None:
    register(issuer)
    result = issuer.equity(
        "--json", "issue", "COMMON", DEV[4], "1000", "--lockup-until", "2030-01-01"
    )
    assert result.code == 0, result.err
    data = result.json()
    assert data["transactions"][0]["status"] == 1
    assert data["lockup_until"] == "2030-01-01T00:00:00Z"
    assert issuer.balance("COMMON", DEV[4]) == 1000
    assert issuer.locked("COMMON", DEV[4]) == 1000


def test_issue_with_vesting_records_the_schedule(issuer: Issuer) -> None:
    register(issuer)
    result = issuer.equity(
        "--json", "issue", "FOUNDERS", DEV[2], "4000", "--vesting", "2026-01-01:365:1460"
    )
    assert result.code == 0, result.err
    lots = issuer.contracts.token("FOUNDERS").functions.lockupLotsOf(DEV[2]).call()
    start = parse_date("2026-01-01")
    assert [(lot[0], lot[1], lot[2], lot[3]) for lot in lots] == [
        (4000, start, start + 365 * 86_400, start + 1460 * 86_400)
    ]


def test_the_example_csv_issues_every_row(issuer: Issuer) -> None:
    register(issuer)
    result = issuer.equity(
        "--json", "issue", "--csv", EXAMPLES / "issuances.csv", "--batch-size", "2"
    )
    assert result.code == 0, result.err
    data = result.json()
    assert data["rows"] == 11 and data["applied_now"] == 11
    assert len(data["transactions"]) == 6  # per class: FOUNDERS 2 rows, COMMON 5, PREFERRED 4
    assert issuer.balance("PREFERRED", DEV[3]) == 500_000


def test_an_unknown_class_is_refused(issuer: Issuer) -> None:
    result = issuer.equity("issue", "GOLD", DEV[1], "10")
    assert result.code == 2
    assert "unknown class 'GOLD'" in result.err and "COMMON, FOUNDERS, PREFERRED" in result.err


def test_negative_fractional_and_non_numeric_shares_are_refused(issuer: Issuer) -> None:
    for shares, message in [("-5", "positive"), ("1.5", "fractional"), ("lots", "not a number")]:
        result = issuer.equity("issue", "--", "COMMON", DEV[1], shares)
        assert result.code == 2 and message in result.err, result.err


def test_a_lockup_in_the_past_is_refused(issuer: Issuer) -> None:
    result = issuer.equity("issue", "COMMON", DEV[1], "10", "--lockup-until", "2020-01-01")
    assert result.code == 2 and "lock-up 2020-01-01 is in the past" in result.err


def test_an_impossible_lockup_date_is_refused(issuer: Issuer) -> None:
    result = issuer.equity("issue", "COMMON", DEV[1], "10", "--lockup-until", "2031-02-29")
    assert result.code == 2 and "not a valid date" in result.err


def test_issuing_to_an_unqualified_wallet_is_refused_with_the_restriction(issuer: Issuer) -> None:
    nonce = issuer.nonce()
    result = issuer.equity("issue", "COMMON", DEV[1], "10")
    assert result.code == 3
    assert "RECEIVER_NOT_QUALIFIED" in result.err
    assert issuer.nonce() == nonce


def test_issuing_common_to_a_us_investor_is_refused_as_jurisdiction_blocked(issuer: Issuer) -> None:
    register(issuer)
    result = issuer.equity("issue", "COMMON", DEV[3], "10")
    assert result.code == 3 and "JURISDICTION_BLOCKED" in result.err


def test_an_account_without_the_issuer_role_is_refused_with_the_decoded_reason(
    issuer: Issuer,
) -> None:
    register(issuer)
    before = issuer.nonce(4)  # the session anvil is shared: count from here, not from 0
    result = issuer.equity("--account", "dev4", "issue", "COMMON", DEV[4], "10")
    assert result.code == 3
    assert "lacks the role ISSUER_ROLE" in result.err
    assert issuer.nonce(4) == before


def test_a_wrong_keystore_password_is_refused_before_anything_is_sent(
    issuer: Issuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EQUITY_KEYSTORE_DIR", str(issuer.cwd / "keystores"))
    treasurer = create_account("treasurer", "right password")
    monkeypatch.setenv("EQUITY_PASSWORD", "wrong password")
    result = issuer.equity("--account", "treasurer", "issue", "COMMON", DEV[1], "10")
    assert result.code == 2
    assert "wrong password for account 'treasurer'" in result.err
    assert issuer.chain.w3.eth.get_transaction_count(treasurer.address) == 0


def test_issuing_beyond_the_authorized_shares_is_refused_naming_what_is_left(
    issuer: Issuer,
) -> None:
    register(issuer)
    assert issuer.equity("issue", "FOUNDERS", DEV[1], "1500000").code == 0
    nonce = issuer.nonce()
    result = issuer.equity("--json", "issue", "FOUNDERS", DEV[2], "600000")
    assert result.code == 3
    error = result.json()["error"]
    assert error["message"] == (
        "the chain would refuse this issuance (authorized shares); nothing was sent: "
        "issuing FOUNDERS: 600000 shares, but only 500000 of 2000000 authorized are left"
    )
    assert "set-authorized" in error["hint"]
    assert "AuthorizedSharesExceeded" not in result.err
    assert issuer.nonce() == nonce


def test_a_negative_share_count_is_refused_as_not_a_positive_number(issuer: Issuer) -> None:
    register(issuer)
    nonce = issuer.nonce()
    for shares in ("-5", "-0.5"):
        result = issuer.equity("issue", "COMMON", DEV[4], shares)  # no "--": as a user types it
        assert result.code == 2, result.err
        assert f"SHARES: shares must be a positive number, not {shares}" in result.err
        assert "No such option" not in result.err
    assert issuer.nonce() == nonce


def test_a_share_count_no_token_can_hold_is_refused_as_too_large(issuer: Issuer) -> None:
    register(issuer)
    nonce = issuer.nonce()
    for shares in ("9" * 80, str(2**256 - 1), str(2**208)):
        result = issuer.equity("--json", "issue", "COMMON", DEV[4], shares)
        assert result.code == 2, result.err
        error = result.json()["error"]
        assert error["kind"] == "input" and "is too large" in error["message"]
    assert issuer.nonce() == nonce


def test_a_csv_beyond_the_authorized_shares_is_refused_before_any_batch(issuer: Issuer) -> None:
    register(issuer)
    path = issuer.cwd / "too-many.csv"
    path.write_text(f"class,wallet,shares\nFOUNDERS,{DEV[1]},1500000\nFOUNDERS,{DEV[2]},600000\n")
    nonce = issuer.nonce()
    result = issuer.equity("issue", "--csv", path)
    assert result.code == 3
    assert "FOUNDERS: the file issues 2100000 shares, but only 2000000 of 2000000" in result.err
    assert issuer.nonce() == nonce


def test_a_csv_row_the_chain_would_refuse_is_listed_before_any_batch(issuer: Issuer) -> None:
    register(issuer)
    path = issuer.cwd / "refused.csv"
    path.write_text(
        "class,wallet,shares\n"
        f"COMMON,{DEV[4]},100\n"
        f"COMMON,{DEV[3]},100\n"  # US investor: COMMON blocks US
        f"PREFERRED,{DEV[0]},100\n"  # the issuer is not a registered holder
    )
    nonce = issuer.nonce()
    result = issuer.equity("issue", "--csv", path)
    assert result.code == 3
    assert "line 3:" in result.err and "JURISDICTION_BLOCKED" in result.err
    assert "line 4:" in result.err and "RECEIVER_NOT_QUALIFIED" in result.err
    assert issuer.nonce() == nonce


FOUNDERS_CAP_CSV = "class,wallet,shares\n" + "".join(
    f"FOUNDERS,{DEV[i]},10\n" for i in (1, 2, 4, 5)
)  # FOUNDERS allows 3 investors: the fourth new investor (line 5) is one too many


def test_a_csv_beyond_a_holder_cap_is_refused_before_any_batch(issuer: Issuer) -> None:
    register(issuer)
    path = issuer.cwd / "cap.csv"
    path.write_text(FOUNDERS_CAP_CSV + f"FOUNDERS,{DEV[7]},10\n")  # dev7: Alice's 2nd wallet
    nonce = issuer.nonce()
    result = issuer.equity("issue", "--csv", path, "--batch-size", "3")
    assert result.code == 3
    assert "line 5: ERIN-005 would be holder 4 of FOUNDERS, over its cap of 3" in result.err
    assert "line 6" not in result.err  # another wallet of an investor already counted
    assert issuer.nonce() == nonce


def test_a_refusal_met_mid_run_names_the_csv_line_and_a_rerun_resumes(
    issuer: Issuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(issuer)
    path = issuer.cwd / "cap.csv"
    path.write_text(FOUNDERS_CAP_CSV)
    # the chain changed between the pre-check and the batches (another issuer filled the cap):
    # the pre-check passes, the contract refuses the batch that crosses the cap
    monkeypatch.setattr("toolkit.issuance.csv_issue.check_holder_caps", lambda *a: None)
    result = issuer.equity("issue", "--csv", path, "--batch-size", "3")
    assert result.code == 3
    assert (
        "line 5: issue FOUNDERS to 1 wallet(s) (lines 5-5) refused: HOLDER_LIMIT_REACHED"
        in result.err
    )
    assert [issuer.balance("FOUNDERS", w) for w in DEV[1:6]] == [10, 10, 0, 10, 0]
    rerun = issuer.equity("--json", "issue", "--csv", path, "--batch-size", "3")
    assert rerun.code == 3  # still refused; the first batch is not sent again
    assert [issuer.balance("FOUNDERS", w) for w in DEV[1:6]] == [10, 10, 0, 10, 0]


def test_csv_and_single_issue_arguments_do_not_mix(issuer: Issuer) -> None:
    result = issuer.equity("issue", "COMMON", "--csv", EXAMPLES / "issuances.csv")
    assert result.code == 2 and "--csv takes no CLASS WALLET SHARES" in result.err
    assert issuer.equity("issue", "COMMON", DEV[1]).code == 2
    assert (
        issuer.equity("issue", "--csv", EXAMPLES / "issuances.csv", "--batch-size", "0").code == 2
    )


def test_an_edited_csv_is_refused_while_its_earlier_version_is_half_issued(
    issuer: Issuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(issuer)
    # a run stopped half-way by a refusal the pre-check could not foresee (see above)
    monkeypatch.setattr("toolkit.issuance.csv_issue.check_holder_caps", lambda *a: None)
    path = issuer.cwd / "cap.csv"
    rows = [
        f"FOUNDERS,{DEV[1]},10",
        f"FOUNDERS,{DEV[2]},10",
        f"FOUNDERS,{DEV[4]},10",
        f"FOUNDERS,{DEV[5]},10",
    ]
    path.write_text("class,wallet,shares\n" + "\n".join(rows) + "\n")
    assert (
        issuer.equity("issue", "--csv", path, "--batch-size", "3").code == 3
    )  # 4th investor refused
    path.write_text("class,wallet,shares\n" + "\n".join(rows[:3]) + "\n")  # drop the refused row
    nonce = issuer.nonce()
    result = issuer.equity("issue", "--csv", path, "--batch-size", "3")
    assert result.code == 2
    assert "changed since a run that stopped after 3 row(s) were sent" in result.err
    assert issuer.nonce() == nonce


# --- the same rows under another file name (issue 10.8) ---------------------------------


def test_the_same_rows_under_another_name_are_refused_saying_which_file_sent_them(
    issuer: Issuer,
) -> None:
    register(issuer)
    first = issuer.cwd / "tranche-1.csv"
    second = issuer.cwd / "tranche-2.csv"
    rows = f"class,wallet,shares\nCOMMON,{DEV[4]},100\nCOMMON,{DEV[5]},50\n"
    first.write_text(rows)
    second.write_text(rows)
    assert issuer.equity("issue", "--csv", first).code == 0
    nonce = issuer.nonce()
    result = issuer.equity("--json", "issue", "--csv", second)
    assert result.code == 2
    error = result.json()["error"]
    assert error["message"].startswith(
        f"{second} has exactly the rows of {first.resolve()}, which were all sent already"
    )
    assert "run the same command with --again" in error["hint"]
    assert issuer.nonce() == nonce
    assert issuer.balance("COMMON", DEV[4]) == 100


def test_again_issues_an_identical_second_tranche_once_and_a_rerun_of_it_resumes(
    issuer: Issuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(issuer)
    path = issuer.cwd / "tranche.csv"
    path.write_text(f"class,wallet,shares\nCOMMON,{DEV[4]},100\nCOMMON,{DEV[5]},50\n")
    assert issuer.equity("issue", "--csv", path).code == 0
    rerun = issuer.equity("issue", "--csv", path)  # the plain rerun: never twice
    assert rerun.code == 0 and "nothing to do" in rerun.out and "--again" in rerun.out
    again = issuer.equity("--json", "issue", "--csv", path, "--again")
    assert again.code == 0, again.err
    assert again.json()["journal"].endswith(".run2.jsonl")
    assert (issuer.balance("COMMON", DEV[4]), issuer.balance("COMMON", DEV[5])) == (200, 100)
    # a third tranche stopped by Ctrl-C after its first batch: without --again it is named,
    # with --again it is finished, never started afresh
    from toolkit.batches.sender import BatchSender

    original, calls = BatchSender.send, []

    def send(self: BatchSender, batch: object) -> object:
        if calls:
            raise KeyboardInterrupt
        calls.append(batch)
        return original(self, batch)  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(BatchSender, "send", send)
        stopped = issuer.equity("issue", "--csv", path, "--again", "--batch-size", "1")
    assert stopped.code == 130 and "1 of 2 rows done" in stopped.err
    plain = issuer.equity("issue", "--csv", path, "--batch-size", "1")
    assert plain.code == 2 and "a repeated run (--again) of these rows stopped after 1 row(s)" in plain.err
    finish = issuer.equity("--json", "issue", "--csv", path, "--again", "--batch-size", "1")
    assert finish.code == 0, finish.err
    assert (finish.json()["applied_before"], finish.json()["applied_now"]) == (1, 1)
    assert (issuer.balance("COMMON", DEV[4]), issuer.balance("COMMON", DEV[5])) == (300, 150)
