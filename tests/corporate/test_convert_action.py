"""The governance action `convert-all FROM TO` (SPEC §14): the timelock mandates the conversion."""

from __future__ import annotations

import pytest
from eth_utils import function_signature_to_4byte_selector

from toolkit.errors import InputError
from toolkit.governance.actions import ActionTargets, ClassTarget, parse_action
from toolkit.offering.consent import consent_selectors

CONVERTER = "0x00000000000000000000000000000000000000c1"
TARGETS = ActionTargets(
    registry="0x0000000000000000000000000000000000000001",
    timelock="0x0000000000000000000000000000000000000002",
    governor="0x0000000000000000000000000000000000000003",
    votes="0x0000000000000000000000000000000000000004",
    classes=(
        ClassTarget("COMMON", "0x00000000000000000000000000000000000000a1"),
        ClassTarget(
            "PREFERRED", "0x00000000000000000000000000000000000000a2", 0, "COMMON", CONVERTER
        ),
    ),
)


def test_convert_all_calls_mandate_on_the_source_classs_converter() -> None:
    (call,) = parse_action("convert-all PREFERRED COMMON", TARGETS)
    assert call.target.lower() == CONVERTER
    selector = function_signature_to_4byte_selector("mandate(address,address)")
    assert call.calldata[:4] == selector
    # both class tokens are argument words: the governor's consent check matches either class
    words = [call.calldata[4 + 32 * i : 36 + 32 * i] for i in range(2)]
    assert [w[12:].hex() for w in words] == ["00" * 19 + "a2", "00" * 19 + "a1"]
    assert selector in consent_selectors(("convert-all",))
    assert "PREFERRED: mandate the conversion of every holder into COMMON" in call.summary


@pytest.mark.parametrize(
    ("action", "says"),
    [
        ("convert-all COMMON PREFERRED", "COMMON does not convert into PREFERRED"),
        ("convert-all PREFERRED FOUNDERS", "unknown class 'FOUNDERS'"),
        ("convert-all PREFERRED", "expected FROM TO"),
    ],
)
def test_a_conversion_the_offering_does_not_have_is_refused_in_words(
    action: str, says: str
) -> None:
    with pytest.raises(InputError) as refused:
        parse_action(action, TARGETS)
    assert says in str(refused.value)


REPURCHASE = "0x00000000000000000000000000000000000000b1"
TOKEN = "0x00000000000000000000000000000000000000d1"


def test_repurchase_pro_rata_approves_opens_and_withdraws_the_approval() -> None:
    from dataclasses import replace

    targets = replace(TARGETS, repurchase=REPURCHASE)
    approve, opened, withdrawn = parse_action(
        f"repurchase-pro-rata PREFERRED 1:10 2500000 {TOKEN} 2027-01-31", targets
    )
    assert approve.target.lower() == withdrawn.target.lower() == TOKEN
    assert opened.target.lower() == REPURCHASE
    selector = function_signature_to_4byte_selector(
        "openProRata(address,address,uint256,uint64,uint64,uint64)"
    )
    assert opened.calldata.startswith(selector)
    assert "PREFERRED: repurchase 1/10 of every holding" in opened.summary
    assert withdrawn.calldata.endswith(b"\x00" * 32)  # the approval back to 0


@pytest.mark.parametrize(
    ("fraction", "says"), [("11:10", "0 < NUM <= DEN"), ("1-10", "not a fraction")]
)
def test_a_pro_rata_fraction_that_is_not_one_is_refused(fraction: str, says: str) -> None:
    from dataclasses import replace

    targets = replace(TARGETS, repurchase=REPURCHASE)
    with pytest.raises(InputError) as refused:
        parse_action(f"repurchase-pro-rata PREFERRED {fraction} 1 {TOKEN} 2027-01-31", targets)
    assert says in str(refused.value)
