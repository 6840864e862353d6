"""Proposal states are an enum in OpenZeppelin's order, shown by OpenZeppelin's names."""

from __future__ import annotations

import json

import pytest

from toolkit.errors import ChainError
from toolkit.governance.proposals import ProposalState

OZ_ORDER = ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"]


def test_the_governors_numbers_map_to_openzeppelins_names_in_enum_order() -> None:
    assert [ProposalState.from_chain(n) for n in range(8)] == OZ_ORDER
    assert [str(ProposalState.from_chain(n)) for n in range(8)] == OZ_ORDER


def test_a_state_prints_and_serialises_as_its_name() -> None:
    assert f"the proposal is {ProposalState.QUEUED}" == "the proposal is Queued"
    assert json.dumps({"state": ProposalState.EXECUTED}) == '{"state": "Executed"}'


def test_only_pending_and_active_are_open_for_votes() -> None:
    assert {s for s in ProposalState if s.voting} == {ProposalState.PENDING, ProposalState.ACTIVE}


def test_a_number_the_governor_does_not_have_is_a_chain_error() -> None:
    with pytest.raises(ChainError, match="proposal state 8"):
        ProposalState.from_chain(8)
