"""Files that are not what they should be (issue 10.8): a Latin-1 CSV names its first line
that is not UTF-8 and the fix; a garbage .ocf.zip says it is not an OCF package. Exit 2,
nothing sent."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.issuer.conftest import DEV, EXAMPLES, Issuer


def latin1(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("cp1252"))
    return path


def test_a_latin1_issuances_csv_names_the_line_and_the_fix(issuer: Issuer) -> None:
    assert issuer.equity("holders", "import", EXAMPLES / "holders.csv").code == 0
    rows = "".join(f"COMMON,{DEV[4]},{n},,\n" for n in range(1, 400))  # past a decoder's block
    path = latin1(issuer.cwd / "grants.csv", "class,wallet,shares,lockup_until,vesting\n" + rows
                  + f"COMMON,{DEV[4]},5,,\nCOMMON,{DEV[4]},7,,Überweisung\n")  # fmt: skip
    nonce = issuer.nonce()
    result = issuer.equity("--json", "issue", "--csv", path)
    assert result.code == 2
    error = result.json()["error"]
    assert error["message"] == (
        f"{path}: line 402 is not UTF-8 text (byte 54: 'Ü' in Latin-1/Windows-1252); "
        "nothing was sent"
    )
    assert "save the file as UTF-8" in error["hint"]
    assert "codec can't decode" not in result.err
    assert issuer.nonce() == nonce


def test_a_latin1_holders_csv_names_the_line(issuer: Issuer) -> None:
    path = latin1(
        issuer.cwd / "holders.csv",
        "wallet,investor_id,jurisdiction,expires,accredited\n"
        f"{DEV[1]},MÜLLER-1,DE,2036-12-31,true\n",
    )
    nonce = issuer.nonce()
    result = issuer.equity("holders", "import", path)
    assert result.code == 2
    assert f"{path}: line 2 is not UTF-8 text (byte 45: 'Ü'" in result.err
    assert issuer.nonce() == nonce


def test_a_latin1_register_names_the_line(issuer: Issuer) -> None:
    path = latin1(issuer.cwd / "register.csv", "investor_id,wallet,class,shares\nJOSÉ-1,"
                  f"{DEV[1]},COMMON,5\n")  # fmt: skip
    result = issuer.equity("captable", "reconcile", path)
    assert result.code == 2
    assert f"{path}: line 2 is not UTF-8 text (byte 4: 'É'" in result.err


def test_a_garbage_ocf_zip_is_not_an_ocf_package(issuer: Issuer) -> None:
    path = issuer.cwd / "register.ocf.zip"
    path.write_bytes(b"\x00garbage, not a zip at all" * 10)
    result = issuer.equity("--json", "captable", "reconcile", path)
    assert result.code == 2
    assert result.json()["error"]["message"] == f"{path} is not an OCF package: it is not a zip archive"
    assert "Expecting value" not in result.err


def test_an_ocf_zip_whose_manifest_is_not_json_names_it(issuer: Issuer) -> None:
    path = issuer.cwd / "broken.ocf.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Manifest.ocf.json", "{ not json")
    result = issuer.equity("captable", "reconcile", path)
    assert result.code == 2
    assert f"{path}: Manifest.ocf.json is not JSON (" in result.err
    without = issuer.cwd / "empty.ocf.zip"
    with zipfile.ZipFile(without, "w") as archive:
        archive.writestr("readme.txt", "hello")
    result = issuer.equity("captable", "reconcile", without)
    assert result.code == 2 and "it has no Manifest.ocf.json" in result.err
