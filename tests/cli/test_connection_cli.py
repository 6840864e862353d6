"""Where a command connects, and a bad address of a node refused as bad input (issue 10.8):
exit 2, nothing sent, never the HTTP library's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import invoke_cli


@pytest.fixture(autouse=True)
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for variable in ("EQUITY_RPC_URL", "EQUITY_NETWORK", "ETH_RPC_URL"):
        monkeypatch.delenv(variable, raising=False)
    return tmp_path


@pytest.mark.parametrize("url", ["notaurl", "127.0.0.1:8545", "ftp://example.org", "http://", "http://host:99999"])
def test_an_rpc_url_that_is_not_an_http_url_is_bad_input(url: str) -> None:
    result = invoke_cli("--json", "--rpc-url", url, "holders", "list")
    assert result.code == 2
    error = result.json()["error"]
    assert error["message"] == f"--rpc-url: {url!r} is not an http(s) URL of a JSON-RPC endpoint"
    assert "http://127.0.0.1:8545" in error["hint"]
    assert "HTTPConnectionPool" not in result.err and "Invalid URL" not in result.err


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("rpc_url = 1", "network 'live' in equity.toml: rpc_url must be a quoted URL, not 1"),
        ('chain_id = 5', "network 'live' in equity.toml has no rpc_url"),
        ('rpc_url = "sepolia"', "rpc_url of network 'live' in equity.toml: 'sepolia' is not an http(s) URL"),
        ('rpc_url = "http://127.0.0.1:1"\nchain_id = "5"', "chain_id must be a whole number, not '5'"),
    ],
)
def test_a_bad_network_entry_in_equity_toml_says_what_is_wrong(here: Path, entry: str, message: str) -> None:
    (here / "equity.toml").write_text(f"[networks.live]\n{entry}\n")
    result = invoke_cli("--network", "live", "holders", "list")
    assert result.code == 2
    assert message in result.err
