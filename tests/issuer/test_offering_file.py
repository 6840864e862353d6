"""The offering file: the example is valid; every mistake is reported with its key and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.errors import InputError
from toolkit.offering.offering_file import load_offering

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

VALID = """\
[company]
name = "Acme"

[[classes]]
id = "COMMON"
name = "Acme Common"
symbol = "AC"
authorized = 1_000
votes_per_share = 1
max_holders = 10
blocked_jurisdictions = ["US"]

[[classes]]
id = "PREF"
name = "Acme Preferred"
symbol = "AP"
authorized = 500
votes_per_share = 0

[governance]
voting_delay = "1d"
voting_period = "7d"
quorum_percent = 50
proposal_threshold = 1
timelock_delay = "2h"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "offering.toml"
    path.write_text(text)
    return path


def errors_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(InputError) as caught:
        load_offering(write(tmp_path, text))
    return caught.value.message


def test_the_example_offering_has_three_classes_one_non_voting_one_blocking_us_one_capped() -> None:
    offering = load_offering(EXAMPLES / "offering.toml")
    by_id = {c.id: c for c in offering.classes}
    assert set(by_id) == {"COMMON", "FOUNDERS", "PREFERRED"}
    assert by_id["PREFERRED"].votes_per_share == 0
    assert by_id["COMMON"].blocked_jurisdictions == ("US",)
    assert by_id["FOUNDERS"].max_holders == 3
    assert offering.governance.voting_delay == 86_400
    assert offering.governance.voting_period == 7 * 86_400
    assert offering.governance.timelock_delay == 2 * 86_400


def test_durations_accept_units_and_plain_seconds(tmp_path: Path) -> None:
    offering = load_offering(write(tmp_path, VALID.replace('"2h"', "3600")))
    assert offering.governance.timelock_delay == 3600
    assert load_offering(write(tmp_path, VALID)).governance.timelock_delay == 7200


def test_duplicate_class_ids_are_refused_with_the_line_of_the_second(tmp_path: Path) -> None:
    message = errors_of(tmp_path, VALID.replace('id = "PREF"', 'id = "COMMON"'))
    assert "offering.toml:14: classes[1].id: duplicate class id 'COMMON'" in message


def test_a_negative_votes_per_share_is_refused_with_its_line(tmp_path: Path) -> None:
    message = errors_of(tmp_path, VALID.replace("votes_per_share = 0", "votes_per_share = -1"))
    assert "offering.toml:18: classes[1].votes_per_share: must be 0 or more, not -1" in message


def test_authorized_below_zero_is_refused_with_its_line(tmp_path: Path) -> None:
    message = errors_of(tmp_path, VALID.replace("authorized = 1_000", "authorized = -5"))
    assert "offering.toml:8: classes[0].authorized: must be 0 or more, not -5" in message


def test_every_error_of_the_file_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        VALID.replace("authorized = 1_000", "authorized = -5")
        .replace('["US"]', '["us"]')
        .replace('voting_period = "7d"', 'voting_period = "7 days"')
        .replace("quorum_percent = 50", "quorum_percent = 150")
    )
    message = errors_of(tmp_path, text)
    assert "has 4 errors; nothing was deployed" in message
    assert ":8: classes[0].authorized" in message
    assert ":11: classes[0].blocked_jurisdictions: jurisdiction 'us'" in message
    assert ":22: governance.voting_period: '7 days' is not a duration" in message
    assert ":23: governance.quorum_percent: must be at most 100" in message


def test_unknown_keys_are_refused_so_that_typos_do_not_pass_silently(tmp_path: Path) -> None:
    message = errors_of(tmp_path, VALID.replace("max_holders = 10", "max_holder = 10"))
    assert "offering.toml:10: classes[0].max_holder: unknown key" in message


def test_missing_required_keys_are_named(tmp_path: Path) -> None:
    message = errors_of(tmp_path, VALID.replace('symbol = "AP"\n', ""))
    assert "classes[1].symbol: required" in message


def test_an_offering_without_a_voting_class_is_refused(tmp_path: Path) -> None:
    message = errors_of(tmp_path, VALID.replace("votes_per_share = 1", "votes_per_share = 0"))
    assert "no class has votes_per_share > 0" in message


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    message = errors_of(tmp_path, VALID.replace('name = "Acme"', "name = Acme"))
    assert "is not valid TOML" in message and "line 2" in message


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the offering file"):
        load_offering(tmp_path / "nope.toml")


def test_a_class_may_reserve_shares_for_future_issuance(tmp_path: Path) -> None:
    offering = load_offering(
        write(tmp_path, VALID.replace("max_holders = 10", "max_holders = 10\nreserved = 250"))
    )
    by_id = {c.id: c for c in offering.classes}
    assert (by_id["COMMON"].reserved, by_id["PREF"].reserved) == (250, 0)
    assert load_offering(EXAMPLES / "offering.toml").classes[0].reserved == 1_000_000


def test_reserving_more_than_the_authorized_shares_is_refused_with_its_line(tmp_path: Path) -> None:
    message = errors_of(
        tmp_path, VALID.replace("max_holders = 10", "max_holders = 10\nreserved = 1_001")
    )
    assert (
        "offering.toml:11: classes[0].reserved: 1,001 reserved shares exceed the 1,000 authorized"
        in message
    )


def test_the_issuers_bound_defaults_to_20_percent_per_365_days_and_a_launch_of_authorized(
    tmp_path: Path,
) -> None:
    offering = load_offering(write(tmp_path, VALID))
    assert (offering.governance.issuer_limit_percent, offering.governance.issuer_limit_window) == (
        20,
        365 * 86_400,
    )
    assert offering.classes[0].initial_issuance_units == 1_000
    text = VALID.replace(
        'timelock_delay = "2h"',
        'timelock_delay = "2h"\nissuer_limit_percent = 5\nissuer_limit_window = "90d"',
    )
    text = text.replace("max_holders = 10", "max_holders = 10\ninitial_issuance = 600")
    offering = load_offering(write(tmp_path, text))
    assert (offering.governance.issuer_limit_percent, offering.governance.issuer_limit_window) == (
        5,
        90 * 86_400,
    )
    assert offering.classes[0].initial_issuance_units == 600


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'timelock_delay = "2h"',
            'timelock_delay = "2h"\nissuer_limit_percent = 101',
            "offering.toml:26: governance.issuer_limit_percent: must be at most 100, not 101",
        ),
        (
            'timelock_delay = "2h"',
            'timelock_delay = "2h"\nissuer_limit_window = "5s"',
            "offering.toml:26: governance.issuer_limit_window: must be between 12 seconds",
        ),
        (
            'timelock_delay = "2h"',
            'timelock_delay = "2h"\nissuer_limit_window = "soon"',
            "offering.toml:26: governance.issuer_limit_window: 'soon' is not a duration",
        ),
        (
            "max_holders = 10",
            "max_holders = 10\ninitial_issuance = 1_001",
            "offering.toml:11: classes[0].initial_issuance: must be at most 1000, not 1001",
        ),
    ],
)
def test_a_bad_issuer_bound_key_is_refused_with_its_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(InputError) as refused:
        load_offering(write(tmp_path, VALID.replace(old, new)))
    assert message in str(refused.value)


def test_a_class_declares_the_actions_that_need_its_consent_and_the_threshold(
    tmp_path: Path,
) -> None:
    """Issue 11, point 2: per class ``consent`` (action words) and ``consent_threshold_percent``
    (more than this percent of the class's outstanding shares; default 50, a majority)."""
    text = VALID.replace(
        "votes_per_share = 0",
        'votes_per_share = 0\nconsent = ["set-authorized", "approve-issuance"]\n'
        "consent_threshold_percent = 66",
    )
    common, pref = load_offering(write(tmp_path, text)).classes
    assert (common.consent, common.consent_threshold_percent) == ((), 50)
    assert (pref.consent, pref.consent_threshold_percent) == (
        ("set-authorized", "approve-issuance"),
        66,
    )


@pytest.mark.parametrize(
    ("new", "message"),
    [
        (
            'consent = ["set-authorised"]',
            "offering.toml:19: classes[1].consent: unknown action 'set-authorised' (expected: "
            "set-authorized,",
        ),
        ('consent = "set-authorized"', "offering.toml:19: classes[1].consent: must be a list"),
        (
            "consent_threshold_percent = 100",
            "offering.toml:19: classes[1].consent_threshold_percent: must be at most 99, not 100",
        ),
    ],
)
def test_a_bad_consent_key_is_refused_with_its_line(tmp_path: Path, new: str, message: str) -> None:
    text = VALID.replace("votes_per_share = 0", f"votes_per_share = 0\n{new}")
    assert message in errors_of(tmp_path, text)


def test_every_consent_action_names_functions_the_offering_contracts_have() -> None:
    """The table's signatures are real: a typo there would protect nothing."""
    from tests.conftest import load_artifact
    from toolkit.offering.consent import CONSENT_ACTIONS, consent_selectors

    known: set[bytes] = set()
    for name in (
        "ShareClassToken",
        "IssuerBound",
        "HolderRegistry",
        "EquityTimelock",
        "SplitAgent",
        "Converter",
    ):
        for item in load_artifact(name)["abi"]:
            if item["type"] == "function":
                signature = f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"
                known.add(consent_selectors_of(signature))
    for word in CONSENT_ACTIONS:
        assert set(consent_selectors((word,))) <= known, word


def consent_selectors_of(signature: str) -> bytes:
    from eth_utils import function_signature_to_4byte_selector

    return bytes(function_signature_to_4byte_selector(signature))
