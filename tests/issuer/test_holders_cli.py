"""`equity holders ...`: the registry through the CLI, and bad input refused before sending."""

from __future__ import annotations

from tests.issuer.conftest import DEV, EXAMPLES, Issuer

WALLET = DEV[1]


def add(issuer: Issuer, wallet: str = WALLET, *extra: str) -> None:
    result = issuer.equity(
        "holders",
        "add",
        wallet,
        "--investor-id",
        "ALICE-001",
        "--jurisdiction",
        "DE",
        "--expires",
        "2036-12-31",
        "--accredited",
        *extra,
    )
    assert result.code == 0, result.err


def test_add_then_show_gives_the_record(issuer: Issuer) -> None:
    add(issuer)
    shown = issuer.equity("--json", "holders", "show", WALLET).json()
    assert shown["investor_id"] == "ALICE-001"
    assert shown["jurisdiction"] == "DE"
    assert shown["expires"] == "2036-12-31T00:00:00Z"
    assert shown["accredited"] is True and shown["qualified"] is True and shown["frozen"] is False
    assert [b["class"] for b in shown["balances"]] == ["COMMON", "FOUNDERS", "PREFERRED"]


def test_add_reports_its_transaction_in_json(issuer: Issuer) -> None:
    result = issuer.equity(
        "--json",
        "holders",
        "add",
        WALLET,
        "--investor-id",
        "A1",
        "--jurisdiction",
        "FR",
        "--expires",
        "2030-01-01",
    )
    (tx,) = result.json()["transactions"]
    assert set(tx) == {"hash", "block", "gas_used", "status"} and tx["status"] == 1


def test_freeze_unfreeze_and_remove_change_the_record(issuer: Issuer) -> None:
    add(issuer)
    assert issuer.equity("holders", "freeze", WALLET).code == 0
    assert issuer.equity("--json", "holders", "show", WALLET).json()["frozen"] is True
    assert issuer.equity("holders", "unfreeze", WALLET).code == 0
    assert issuer.equity("--json", "holders", "show", WALLET).json()["frozen"] is False
    assert issuer.equity("holders", "remove", WALLET).code == 0
    shown = issuer.equity("--json", "holders", "show", WALLET).json()
    assert shown["registered"] is False and shown["qualified"] is False


def test_list_shows_every_registered_wallet(issuer: Issuer) -> None:
    assert issuer.equity("holders", "import", EXAMPLES / "holders.csv").code == 0
    listed = issuer.equity("--json", "holders", "list").json()["holders"]
    assert [h["wallet"] for h in listed] == DEV[1:10]
    assert {h["investor_id"] for h in listed if h["wallet"] in (DEV[1], DEV[7])} == {"ALICE-001"}


def test_import_registers_every_row_and_a_rerun_sends_nothing(issuer: Issuer) -> None:
    first = issuer.equity("--json", "holders", "import", EXAMPLES / "holders.csv")
    assert first.code == 0, first.err
    assert first.json()["applied_now"] == 9
    nonce = issuer.nonce()
    again = issuer.equity("--json", "holders", "import", EXAMPLES / "holders.csv")
    assert again.code == 0
    assert again.json()["applied_now"] == 0 and again.json()["transactions"] == []
    assert issuer.nonce() == nonce


def test_importing_wallets_already_registered_lists_them_and_sends_nothing(issuer: Issuer) -> None:
    add(issuer, DEV[2])
    nonce = issuer.nonce()
    result = issuer.equity("holders", "import", EXAMPLES / "holders.csv")
    assert result.code == 3
    assert "line 3: 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC is already registered" in result.err
    assert issuer.nonce() == nonce


def test_an_investor_id_longer_than_sixteen_characters_is_refused(issuer: Issuer) -> None:
    nonce = issuer.nonce()
    result = issuer.equity(
        "holders",
        "add",
        WALLET,
        "--investor-id",
        "INVESTOR-0000000001",
        "--jurisdiction",
        "DE",
        "--expires",
        "2030-01-01",
    )
    assert result.code == 2
    assert (
        "--investor-id: investor id 'INVESTOR-0000000001' is 19 characters long; at most 16"
        in result.err
    )
    assert issuer.nonce() == nonce


def test_a_wallet_with_a_bad_checksum_is_refused(issuer: Issuer) -> None:
    bad = "0x70997970c51812dc3A010C7d01b50e0d17dc79C8"  # one letter in the wrong case
    result = issuer.equity("holders", "freeze", bad)
    assert result.code == 2 and "bad checksum" in result.err


def test_a_malformed_address_is_refused(issuer: Issuer) -> None:
    result = issuer.equity("holders", "show", "0x1234")
    assert result.code == 2 and "WALLET: '0x1234' is not an address" in result.err


def test_an_impossible_expiry_date_is_refused(issuer: Issuer) -> None:
    result = issuer.equity(
        "holders",
        "add",
        WALLET,
        "--investor-id",
        "A",
        "--jurisdiction",
        "DE",
        "--expires",
        "2030-02-30",
    )
    assert result.code == 2 and "not a valid date" in result.err


def test_an_account_without_the_registrar_role_is_refused_with_the_decoded_reason(
    issuer: Issuer,
) -> None:
    before = issuer.nonce(5)  # the session anvil is shared: count from here, not from 0
    result = issuer.equity("--account", "dev5", "holders", "freeze", WALLET)
    assert result.code == 3
    assert "lacks the role REGISTRAR_ROLE" in result.err
    assert issuer.nonce(5) == before


def test_a_bad_holders_csv_is_rejected_whole_with_every_bad_line(issuer: Issuer) -> None:
    path = issuer.cwd / "holders.csv"
    path.write_text(
        "wallet,investor_id,jurisdiction,expires,accredited\n"
        f"{DEV[1]},ALICE,DE,2030-01-01,true\n"
        f"{DEV[2]},BOB,XX1,2030-01-01,true\n"
        f"{DEV[3]},CAROL,US,2030-01-01,true,\n"
    )
    nonce = issuer.nonce()
    result = issuer.equity("holders", "import", path)
    assert result.code == 2
    assert "line 3: jurisdiction:" in result.err
    assert "line 4: 6 fields where the header has 5 (a stray comma?)" in result.err
    assert issuer.nonce() == nonce


# --- the registry's state read first: a sentence, nothing sent (issue 10.8) ----------------


def refused_without_sending(issuer: Issuer, *args: str) -> str:
    nonce = issuer.nonce()
    result = issuer.equity("--json", *args)
    assert result.code == 3, result.err
    error = result.json()["error"]
    assert error["kind"] == "state"
    assert error["message"].endswith("nothing was sent")
    assert issuer.nonce() == nonce
    assert "Holder" not in error["message"]  # no raw custom-error name (HolderNotRegistered...)
    return str(error["message"])


def test_adding_a_registered_wallet_names_its_investor_and_sends_nothing(issuer: Issuer) -> None:
    add(issuer)
    message = refused_without_sending(
        issuer, "holders", "add", WALLET, "--investor-id", "BOB-002", "--jurisdiction", "FR",
        "--expires", "2030-01-01",
    )  # fmt: skip
    assert message.startswith(f"{WALLET} is already registered to investor ALICE-001, DE")


def test_removing_a_wallet_twice_sends_nothing_the_second_time(issuer: Issuer) -> None:
    add(issuer)
    assert issuer.equity("holders", "remove", WALLET).code == 0
    message = refused_without_sending(issuer, "holders", "remove", WALLET)
    assert message == f"{WALLET} is not registered (never added, or removed already); nothing was sent"


def test_freezing_twice_sends_no_second_transaction(issuer: Issuer) -> None:
    add(issuer)
    assert issuer.equity("holders", "freeze", WALLET).code == 0
    assert refused_without_sending(issuer, "holders", "freeze", WALLET) == (
        f"{WALLET} is frozen already; nothing was sent"
    )
    assert issuer.equity("holders", "unfreeze", WALLET).code == 0
    assert refused_without_sending(issuer, "holders", "unfreeze", WALLET) == (
        f"{WALLET} is not frozen; nothing was sent"
    )


def test_an_unassigned_jurisdiction_code_is_refused_before_sending(issuer: Issuer) -> None:
    nonce = issuer.nonce()
    result = issuer.equity(
        "holders", "add", WALLET, "--investor-id", "X-1", "--jurisdiction", "XX", "--expires", "2030-01-01"
    )
    assert result.code == 2
    assert "jurisdiction 'XX' is not an assigned ISO 3166-1 alpha-2 country code" in result.err
    assert issuer.nonce() == nonce
