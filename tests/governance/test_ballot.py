"""Signed ballots (EIP-712, OZ 5.x Ballot): signed offline, checked locally before relaying."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_utils import keccak
from hypothesis import given
from hypothesis import strategies as st

from toolkit.chain.accounts import dev_account
from toolkit.errors import InputError, UsageError, WrongChainError
from toolkit.governance.ballot import (
    BALLOT_TYPE,
    Ballot,
    BallotDomain,
    SignedBallot,
    ballot_from_json,
    check_target,
    parse_proposal_id,
    parse_support,
    read_ballot,
    sign_ballot,
    verify,
    write_ballot,
)

GOVERNOR = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
DOMAIN = BallotDomain(name="Acme Governor", chain_id=31337, governor=GOVERNOR)
VOTER = dev_account(1)


def ballot(**changes: object) -> Ballot:
    fields: dict[str, object] = {
        "domain": DOMAIN,
        "proposal_id": 2**255 + 12345,
        "support": 1,
        "voter": VOTER.address,
        "nonce": 0,
    }
    fields.update(changes)
    return Ballot(**fields)  # type: ignore[arg-type]


def test_the_typehash_is_openzeppelins() -> None:
    # Governor.sol (OZ 5.3.0): BALLOT_TYPEHASH = keccak256("Ballot(uint256 proposalId,uint8 support,address voter,uint256 nonce)")
    assert BALLOT_TYPE == "Ballot(uint256 proposalId,uint8 support,address voter,uint256 nonce)"
    from eth_account._utils.encode_typed_data.encoding_and_hashing import hash_type

    assert hash_type("Ballot", ballot().typed_data()["types"]) == keccak(text=BALLOT_TYPE)


def test_a_signed_ballot_recovers_to_its_voter() -> None:
    signed = sign_ballot(ballot(), VOTER)
    assert signed.signer() == VOTER.address
    verify(signed)


def test_only_the_voter_can_sign_the_ballot() -> None:
    with pytest.raises(UsageError, match="not the voter"):
        sign_ballot(ballot(), dev_account(2))


def test_a_ballot_file_round_trips_and_keeps_big_ids_exact(tmp_path: Path) -> None:
    signed = sign_ballot(ballot(), VOTER)
    path = write_ballot(signed, tmp_path / "ballot.json")
    data = json.loads(path.read_text())
    assert data["message"]["proposalId"] == str(2**255 + 12345)
    assert data["primaryType"] == "Ballot"
    assert data["support"] == "for"
    assert read_ballot(path) == signed


def test_the_ballot_file_holds_no_private_key(tmp_path: Path) -> None:
    path = write_ballot(sign_ballot(ballot(), VOTER), tmp_path / "ballot.json")
    assert bytes(VOTER.key).hex() not in path.read_text().lower()


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("message", "support"), 0),
        (("message", "proposalId"), "1"),
        (("message", "nonce"), 7),
        (("message", "voter"), dev_account(3).address),
        (("domain", "chainId"), 1),
        (("domain", "verifyingContract"), "0x" + "ab" * 20),
        (("domain", "name"), "Other Governor"),
    ],
)
def test_a_tampered_ballot_is_refused(path: tuple[str, str], value: object) -> None:
    data = sign_ballot(ballot(), VOTER).to_json()
    data[path[0]][path[1]] = value
    data.pop("support")  # the label is checked separately below
    with pytest.raises(InputError, match="altered after signing"):
        verify(ballot_from_json(data))


def test_a_ballot_whose_label_disagrees_with_its_signed_vote_is_refused() -> None:
    data = sign_ballot(ballot(), VOTER).to_json()
    data["support"] = "against"
    with pytest.raises(InputError, match="altered"):
        ballot_from_json(data)


@pytest.mark.parametrize(
    ("mutate", "complaint"),
    [
        (lambda d: d.pop("signature"), "missing field 'signature'"),
        (lambda d: d.__setitem__("signature", "0x1234"), "65 bytes"),
        (lambda d: d["message"].__setitem__("support", 3), "support 3"),
        (lambda d: d["message"].__setitem__("voter", "bob"), "not an address"),
        (lambda d: d.__setitem__("primaryType", "Permit"), "primaryType"),
        (lambda d: d["types"]["Ballot"].pop(), "types"),
    ],
)
def test_a_malformed_ballot_is_bad_input(mutate: object, complaint: str) -> None:
    data = sign_ballot(ballot(), VOTER).to_json()
    mutate(data)  # type: ignore[operator]
    with pytest.raises(InputError, match=complaint):
        ballot_from_json(data)


def test_a_ballot_for_another_chain_is_refused_as_wrong_chain() -> None:
    signed = sign_ballot(ballot(), VOTER)
    with pytest.raises(WrongChainError) as caught:
        check_target(signed, chain_id=1337, governor=GOVERNOR, domain_name="Acme Governor")
    assert caught.value.exit_code == 3


def test_a_ballot_for_another_governor_is_refused() -> None:
    signed = sign_ballot(ballot(), VOTER)
    with pytest.raises(InputError, match="not this offering's governor"):
        check_target(signed, chain_id=31337, governor="0x" + "12" * 20, domain_name="Acme Governor")


def test_a_ballot_for_another_domain_name_is_refused() -> None:
    signed = sign_ballot(ballot(), VOTER)
    with pytest.raises(InputError, match="EIP-712 domain"):
        check_target(signed, chain_id=31337, governor=GOVERNOR, domain_name="Other")


def test_a_ballot_for_this_governor_passes() -> None:
    check_target(sign_ballot(ballot(), VOTER), chain_id=31337, governor=GOVERNOR.lower(), domain_name="Acme Governor")


def test_unreadable_files_are_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no ballot file"):
        read_ballot(tmp_path / "missing.json")
    (tmp_path / "junk.json").write_text("{not json")
    with pytest.raises(InputError, match="not a ballot file"):
        read_ballot(tmp_path / "junk.json")


@pytest.mark.parametrize(("text", "value"), [("for", 1), ("AGAINST", 0), ("abstain", 2), ("1", 1)])
def test_support_words(text: str, value: int) -> None:
    assert parse_support(text) == value


def test_support_must_be_a_vote() -> None:
    with pytest.raises(UsageError):
        parse_support("maybe")


def test_proposal_ids_are_decimal_or_hex() -> None:
    assert parse_proposal_id("255") == parse_proposal_id("0xff") == 255
    for bad in ("0", "-1", "abc", str(2**256)):
        with pytest.raises(UsageError):
            parse_proposal_id(bad)


@given(
    proposal_id=st.integers(min_value=1, max_value=2**256 - 1),
    support=st.sampled_from([0, 1, 2]),
    nonce=st.integers(min_value=0, max_value=2**64),
    chain_id=st.integers(min_value=1, max_value=2**32),
)
def test_any_ballot_survives_the_file_format(
    proposal_id: int, support: int, nonce: int, chain_id: int
) -> None:
    signed = sign_ballot(
        ballot(
            proposal_id=proposal_id,
            support=support,
            nonce=nonce,
            domain=BallotDomain("G", chain_id, GOVERNOR),
        ),
        VOTER,
    )
    again = ballot_from_json(json.loads(json.dumps(signed.to_json())))
    assert again == signed
    verify(again)


def test_signed_ballot_equality_is_by_fields() -> None:
    signed = sign_ballot(ballot(), VOTER)
    assert SignedBallot(signed.ballot, signed.signature) == signed
