"""Investor categories through the CLI (SPEC §15): `holders add --category`, the holders CSV
`category` column (the old `accredited` column still reads), `holders show`/`list`, the cap
table, and `check` explaining codes 10-12 on an offering deployed from a preset."""

from __future__ import annotations

from tests.issuer.conftest import DEV, EXAMPLES, Issuer


def add(
    issuer: Issuer,
    wallet: str,
    investor: str,
    *extra: str,
    jurisdiction: str = "DE",
    deployment: tuple[str, ...] = (),
) -> int:
    result = issuer.equity(
        *deployment,
        "holders",
        "add",
        wallet,
        "--investor-id",
        investor,
        "--jurisdiction",
        jurisdiction,
        "--expires",
        "2036-12-31",
        *extra,
    )
    return result.code


def shown(issuer: Issuer, wallet: str) -> dict[str, object]:
    return dict(issuer.equity("--json", "holders", "show", wallet).json())


def test_add_with_a_category_records_it_in_one_transaction(issuer: Issuer) -> None:
    before = issuer.nonce()
    assert add(issuer, DEV[1], "ALICE", "--category", "retail", "--category-expires", "2030-01-01") == 0
    assert issuer.nonce() == before + 1
    record = shown(issuer, DEV[1])
    assert record["category"] == "retail" and record["category_expires"] == "2030-01-01"
    assert record["accredited"] is False
    listed = issuer.equity("holders", "list")
    assert "category" in listed.out + listed.err and "retail" in listed.out + listed.err


def test_accredited_alone_is_the_category_accredited(issuer: Issuer) -> None:
    assert add(issuer, DEV[1], "ALICE", "--accredited") == 0
    record = shown(issuer, DEV[1])
    assert record["category"] == "accredited" and record["accredited"] is True


def test_contradicting_or_unknown_categories_are_refused_before_sending(issuer: Issuer) -> None:
    before = issuer.nonce()
    both = issuer.equity(
        "holders", "add", DEV[1], "--investor-id", "A", "--jurisdiction", "DE",
        "--expires", "2036-12-31", "--accredited", "--category", "retail",
    )  # fmt: skip
    assert both.code == 2 and "contradicts" in both.err
    unknown = issuer.equity(
        "holders", "add", DEV[1], "--investor-id", "A", "--jurisdiction", "DE",
        "--expires", "2036-12-31", "--category", "angel",
    )  # fmt: skip
    assert unknown.code == 2 and "qualified_purchaser" in unknown.err
    lonely = issuer.equity(
        "holders", "add", DEV[1], "--investor-id", "A", "--jurisdiction", "DE",
        "--expires", "2036-12-31", "--category-expires", "2030-01-01",
    )  # fmt: skip
    assert lonely.code == 2 and "needs a category" in lonely.err
    assert issuer.nonce() == before


def test_the_holders_csv_category_column_and_the_old_accredited_column(issuer: Issuer) -> None:
    assert issuer.equity("holders", "import", EXAMPLES / "holders-categories.csv").code == 0
    assert shown(issuer, DEV[1])["category"] == "accredited"
    assert shown(issuer, DEV[1])["category_expires"] == "2027-12-31"
    assert shown(issuer, DEV[2])["category"] == "qualified_purchaser"
    assert shown(issuer, DEV[4])["category"] == "professional"
    old = issuer.cwd / "old.csv"
    old.write_text(
        "wallet,investor_id,jurisdiction,expires,accredited\n"
        f"{DEV[6]},OLD-1,DE,2036-12-31,true\n"
        f"{DEV[7]},OLD-2,DE,2036-12-31,false\n"
    )
    assert issuer.equity("holders", "import", old).code == 0
    assert shown(issuer, DEV[6])["category"] == "accredited" and shown(issuer, DEV[6])["accredited"]
    assert shown(issuer, DEV[7])["category"] is None


def test_a_csv_row_contradicting_itself_is_rejected_with_its_line(issuer: Issuer) -> None:
    bad = issuer.cwd / "bad.csv"
    bad.write_text(
        "wallet,investor_id,jurisdiction,expires,accredited,category\n"
        f"{DEV[6]},OK-1,DE,2036-12-31,,retail\n"
        f"{DEV[7]},BAD-2,DE,2036-12-31,true,retail\n"
        f"{DEV[8]},BAD-3,DE,2036-12-31,,whale\n"
    )
    before = issuer.nonce()
    result = issuer.equity("holders", "import", bad)
    assert result.code == 2 and "line 3" in result.err and "line 4" in result.err
    assert "line 2" not in result.err and issuer.nonce() == before


def test_the_cap_table_shows_each_holders_category(issuer: Issuer) -> None:
    assert add(issuer, DEV[1], "ALICE", "--category", "professional") == 0
    assert issuer.equity("issue", "PREFERRED", DEV[1], "100").code == 0
    table = issuer.equity("--json", "captable", "show").json()
    (holder,) = [h for c in table["classes"] for h in c["holders"] if h["wallet"] == DEV[1]]
    assert holder["category"] == "professional"
    text = issuer.equity("captable", "show", "--class", "PREFERRED")
    assert "categ" in text.out and "prof" in text.out  # rich may fold cells at 80 columns


def test_check_explains_the_category_codes_of_an_offering_from_a_preset(issuer: Issuer) -> None:
    deployed = issuer.equity("deploy", EXAMPLES / "offering-506b.toml", "--name", "seed")
    assert deployed.code == 0, deployed.err
    seed = ("--deployment", "seed")
    assert add(issuer, DEV[1], "ACC", "--category", "accredited", deployment=seed) == 0
    assert add(issuer, DEV[2], "PRO", "--category", "professional", deployment=seed) == 0
    assert add(issuer, DEV[3], "RET", "--category", "retail", deployment=seed) == 0
    assert add(issuer, DEV[4], "YANK", "--category", "retail", jurisdiction="US", deployment=seed) == 0
    assert issuer.equity(*seed, "issue", "COMMON", DEV[1], "10").code == 0
    refused = issuer.equity(*seed, "--json", "check", "COMMON", DEV[1], DEV[2], "1")
    assert refused.code == 1
    assert refused.json()["name"] == "RECEIVER_CATEGORY_NOT_ALLOWED"
    assert "professional" in refused.json()["detail"]
    held = issuer.equity(*seed, "check", "COMMON", DEV[1], DEV[3], "1")
    assert held.code == 1 and "HOLDING_PERIOD (12)" in held.out + held.err
    issued = issuer.equity(*seed, "issue", "PREFERRED", DEV[3], "1")
    assert issued.code == 3 and "RECEIVER_CATEGORY_NOT_ALLOWED" in issued.err
    assert issuer.equity(*seed, "issue", "INTL", DEV[1], "10").code == 0
    barred = issuer.equity(*seed, "--json", "check", "INTL", DEV[1], DEV[4], "1")
    assert barred.json()["name"] == "JURISDICTION_BLOCKED"
