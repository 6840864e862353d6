"""The compiled templates and web3 handles on a deployed offering's contracts.

Artifacts are the shipped templates': bundled in an installed package, or compiled on demand
into a checkout's ``build/contracts`` (a no-op when up to date). An
``OfferingContracts`` gives the registry and each class token of a recorded deployment as
web3 contract objects, so library code never repeats an address or an ABI.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from toolkit.errors import ToolchainError

if TYPE_CHECKING:
    from web3 import Web3
    from web3.contract import Contract

    from toolkit.offering.deployments import ClassDeployment, Deployment

REGISTRY = "HolderRegistry"
SHARE_CLASS = "ShareClassToken"
VOTES = "ClassWeightedVotes"
TIMELOCK = "EquityTimelock"
GOVERNOR = "EquityGovernor"
LOCKUP_BOOK = "LockupBook"  # a linked library of the class tokens, deployed before them
HOLDER_VIEW = "HolderView"  # stateless: what a holder may sell now (SPEC §12)
MARKET = "SecondaryMarket"  # SPEC §12: signed share orders settled against a payment
ISSUER_BOUND = "IssuerBound"  # counts the issuer's moves per class (issue 11)
CONVERTER = "Converter"  # one per conversion route (a class's converts_to; SPEC §14)
REPURCHASE = "ShareRepurchase"  # one per offering: buybacks (SPEC §14)
ROFR = "RightOfFirstRefusal"  # one per offering with a rofr_days class (SPEC §12)
TEMPLATES = (
    REGISTRY,
    SHARE_CLASS,
    VOTES,
    TIMELOCK,
    GOVERNOR,
    LOCKUP_BOOK,
    HOLDER_VIEW,
    MARKET,
    ISSUER_BOUND,
    CONVERTER,
    REPURCHASE,
    ROFR,
)


@cache
def artifact(name: str) -> dict[str, Any]:
    """The compiled artifact of one template (``abi``, ``bytecode``), compiling if needed."""
    from toolkit.compile import template_artifacts_dir

    path = template_artifacts_dir() / f"{name}.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ToolchainError(
            f"the compiled template {name} is missing ({path})",
            hint="run `equity compile --force`",
        ) from exc
    if not data.get("bytecode"):
        raise ToolchainError(f"the template {name} has no bytecode", hint="run `equity compile`")
    return data


def linked(template: dict[str, Any], libraries: Mapping[str, str]) -> dict[str, Any]:
    """The artifact with its bytecode linked: every library placeholder (solc's
    ``linkReferences``: byte offsets per library) replaced by that library's deployed address
    (``libraries``: library name -> address)."""
    code = str(template["bytecode"])
    for names in dict(template.get("linkReferences") or {}).values():
        for library, places in names.items():
            address = libraries.get(library)
            if address is None:
                raise ToolchainError(
                    f"{template.get('contractName')} needs the library {library}, "
                    "which was not deployed first",
                    hint=f"deploy {library} and pass its address",
                )
            body = address.lower().removeprefix("0x")
            for place in places:
                start = 2 * int(place["start"])
                code = code[:start] + body + code[start + 2 * int(place["length"]) :]
    return {**template, "bytecode": code}


@dataclass
class OfferingContracts:
    """Web3 contract objects of one deployment, created once and reused: the one place an
    address meets its ABI."""

    w3: Web3
    deployment: Deployment
    _contracts: dict[str, Contract] = field(default_factory=dict)

    def _contract(self, address: str, template: str) -> Contract:
        if address not in self._contracts:
            self._contracts[address] = self.w3.eth.contract(
                address=self.w3.to_checksum_address(address), abi=artifact(template)["abi"]
            )
        return self._contracts[address]

    @property
    def registry(self) -> Contract:
        return self._contract(self.deployment.registry, REGISTRY)

    @property
    def governor(self) -> Contract:
        return self._contract(self.deployment.governor, GOVERNOR)

    @property
    def votes(self) -> Contract:
        return self._contract(self.deployment.votes, VOTES)

    @property
    def holder_view(self) -> Contract | None:
        """The offering's HolderView; None for a record written before it existed."""
        if not self.deployment.holder_view:
            return None
        return self._contract(self.deployment.holder_view, HOLDER_VIEW)

    def token(self, class_id: str) -> Contract:
        """The token of a class by its id (an unknown id is a UsageError listing the known)."""
        return self.token_of(self.deployment.class_by_id(class_id))

    def token_of(self, share_class: ClassDeployment) -> Contract:
        return self._contract(share_class.address, SHARE_CLASS)

    def converter(self, share_class: ClassDeployment) -> Contract:
        """The Converter of a class that converts (``share_class.converter`` is set)."""
        assert share_class.converter is not None
        return self._contract(share_class.converter, CONVERTER)

    def repurchase(self) -> Contract:
        """The offering's ShareRepurchase (``deployment.repurchase`` is set)."""
        assert self.deployment.repurchase is not None
        return self._contract(self.deployment.repurchase, REPURCHASE)

    def all_tokens(self) -> list[tuple[ClassDeployment, Contract]]:
        return [(c, self.token_of(c)) for c in self.deployment.classes]
