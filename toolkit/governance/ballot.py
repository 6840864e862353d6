"""Signed ballots: an EIP-712 vote that anyone can relay with the governor's ``castVoteBySig``.

OpenZeppelin 5.x signs ``Ballot(uint256 proposalId,uint8 support,address voter,uint256 nonce)``
under the governor's EIP-712 domain (its name, version "1", the chain id and its address);
the nonce is the voter's next governor nonce (``nonces(voter)``), so a ballot counts once.

A ballot file is the complete EIP-712 document (``types``, ``primaryType``, ``domain``,
``message``, as ``eth_signTypedData_v4`` takes it) plus the ``signature``: any EIP-712 tool can
check it. The proposal id is a decimal string (JSON numbers lose precision past 2**53).

Pure: no chain. ``verify`` checks a file locally before anything is sent: the signature must
recover to the voter the file names, the fields must be well formed; ``check_target`` that it
is meant for the chain and governor it is about to be relayed to.
"""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.chain.eip712 import DOMAIN_FIELDS
from toolkit.errors import InputError, UsageError, WrongChainError
from toolkit.inputs import parse_wallet

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

BALLOT_TYPE = "Ballot(uint256 proposalId,uint8 support,address voter,uint256 nonce)"
DOMAIN_VERSION = "1"
FILE_KIND = "equity-ballot/1"

SUPPORT: dict[str, int] = {"against": 0, "for": 1, "abstain": 2}
SUPPORT_NAMES: dict[int, str] = {value: name for name, value in SUPPORT.items()}

TYPES: dict[str, list[dict[str, str]]] = {
    "EIP712Domain": DOMAIN_FIELDS,
    "Ballot": [
        {"name": "proposalId", "type": "uint256"},
        {"name": "support", "type": "uint8"},
        {"name": "voter", "type": "address"},
        {"name": "nonce", "type": "uint256"},
    ],
}


def parse_support(text: str) -> int:
    """``for``, ``against`` or ``abstain`` (or OZ's numbers 1, 0, 2) as the support value."""
    value = text.strip().lower()
    if value in SUPPORT:
        return SUPPORT[value]
    if value in ("0", "1", "2"):
        return int(value)
    raise UsageError(f"{text!r} is not a vote", hint="vote for, against or abstain")


def parse_proposal_id(text: str) -> int:
    """A proposal id as printed by ``gov propose``/``list`` (decimal) or as 0x hex."""
    value = text.strip()
    try:
        number = int(value, 16) if value.lower().startswith("0x") else int(value, 10)
    except ValueError:
        raise UsageError(
            f"{text!r} is not a proposal id", hint="use the id `equity gov list` shows"
        ) from None
    if not 0 < number < 2**256:
        raise UsageError(
            f"{text!r} is not a proposal id", hint="use the id `equity gov list` shows"
        )
    return number


@dataclass(frozen=True)
class BallotDomain:
    """The governor's EIP-712 domain (what ``eip712Domain()`` returns on chain)."""

    name: str
    chain_id: int
    governor: str
    version: str = DOMAIN_VERSION

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "chainId": self.chain_id,
            "verifyingContract": self.governor,
        }


@dataclass(frozen=True)
class Ballot:
    domain: BallotDomain
    proposal_id: int
    support: int
    voter: str
    nonce: int

    def typed_data(self) -> dict[str, Any]:
        """The full EIP-712 document (``eth_signTypedData_v4`` form)."""
        return {
            "types": copy.deepcopy(TYPES),  # a copy: callers may edit the document
            "primaryType": "Ballot",
            "domain": self.domain.to_json(),
            "message": {
                "proposalId": self.proposal_id,
                "support": self.support,
                "voter": self.voter,
                "nonce": self.nonce,
            },
        }

    def signable(self) -> Any:
        from eth_account.messages import encode_typed_data

        return encode_typed_data(full_message=self.typed_data())

    def digest(self) -> bytes:
        """The 32-byte hash the voter signs (the governor's ``_hashTypedDataV4``).

        ``encode_typed_data`` (eth-account's public API) gives the EIP-191 parts of the
        document: version 0x01, the domain separator as header, the struct hash as body;
        EIP-191 hashes them as keccak256(0x19 ‖ version ‖ header ‖ body)."""
        from eth_utils import keccak

        message = self.signable()
        return bytes(keccak(b"\x19" + message.version + message.header + message.body))


@dataclass(frozen=True)
class SignedBallot:
    ballot: Ballot
    signature: bytes

    def signer(self) -> str:
        """The address the signature recovers to (whoever actually signed these fields)."""
        from eth_account import Account

        try:
            return str(Account.recover_message(self.ballot.signable(), signature=self.signature))
        except Exception as exc:  # noqa: BLE001 - a malformed signature is bad input
            raise InputError(
                f"the ballot's signature is malformed ({exc})",
                hint="sign the ballot again with `equity gov sign-vote`",
            ) from None

    def to_json(self) -> dict[str, Any]:
        document = self.ballot.typed_data()
        document["message"]["proposalId"] = str(self.ballot.proposal_id)
        return {
            "kind": FILE_KIND,
            **document,
            "support": SUPPORT_NAMES[self.ballot.support],
            "signature": "0x" + self.signature.hex(),
        }


def sign_ballot(ballot: Ballot, account: LocalAccount) -> SignedBallot:
    """Sign with the voter's key (offline). The account must be the ballot's voter."""
    if account.address.lower() != ballot.voter.lower():
        raise UsageError(
            f"the signer {account.address} is not the voter {ballot.voter}",
            hint="sign with --account set to the voter's account",
        )
    signed = account.sign_typed_data(full_message=ballot.typed_data())
    return SignedBallot(ballot, bytes(signed.signature))


def verify(signed: SignedBallot) -> None:
    """The signature recovers to the voter named in the ballot, or InputError (exit 2)."""
    signer = signed.signer()
    if signer.lower() != signed.ballot.voter.lower():
        raise InputError(
            f"the ballot's signature does not match its contents: it was altered after signing "
            f"(or signed by {signer}, not by the voter {signed.ballot.voter})",
            hint="nothing was sent; ask the voter for a fresh ballot (`equity gov sign-vote`)",
        )


def check_target(signed: SignedBallot, *, chain_id: int, governor: str, domain_name: str) -> None:
    """The ballot is meant for this chain and this governor, or an error before sending.

    Another chain is a WrongChainError (exit 3, as SPEC §6 classes wrong chains); another
    governor or domain is an InputError (exit 2): the file does not belong to this offering.
    """
    domain = signed.ballot.domain
    if domain.chain_id != chain_id:
        raise WrongChainError(
            f"the ballot was signed for chain {domain.chain_id}, but the node is chain {chain_id}",
            hint="relay it on the chain it was signed for, or sign a new ballot for this one",
        )
    if domain.governor.lower() != governor.lower():
        raise InputError(
            f"the ballot was signed for the governor {domain.governor}, "
            f"not this offering's governor {governor}",
            hint="choose the offering with --deployment, or sign a new ballot for this governor",
        )
    if domain.name != domain_name or domain.version != DOMAIN_VERSION:
        raise InputError(
            f"the ballot's EIP-712 domain ({domain.name!r}, version {domain.version}) is not "
            f"the governor's ({domain_name!r}, version {DOMAIN_VERSION})",
            hint="sign a new ballot with `equity gov sign-vote` (it reads the domain itself)",
        )


# --- files ----------------------------------------------------------------------------------


def write_ballot(signed: SignedBallot, path: Path) -> Path:
    """Write atomically (a crash never leaves half a ballot)."""
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".ballot-", suffix=".json")
    with os.fdopen(fd, "w") as handle:
        json.dump(signed.to_json(), handle, indent=2)
        handle.write("\n")
    os.replace(tmp, path)
    return path


def read_ballot(path: Path) -> SignedBallot:
    """Parse a ballot file; anything malformed is an InputError naming what is wrong."""
    try:
        data = json.loads(path.expanduser().read_text())
    except FileNotFoundError:
        raise InputError(f"no ballot file {path}", hint="check the path") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path} is not a ballot file: {exc}", hint="check the file") from None
    return ballot_from_json(data, source=str(path))


def ballot_from_json(data: Any, *, source: str = "the ballot") -> SignedBallot:
    def bad(what: str) -> InputError:
        return InputError(
            f"{source} is not a valid ballot: {what}",
            hint="sign the ballot again with `equity gov sign-vote`",
        )

    if not isinstance(data, dict):
        raise bad("not a JSON object")
    domain, message = data.get("domain"), data.get("message")
    if not isinstance(domain, dict) or not isinstance(message, dict):
        raise bad("missing domain or message")
    if data.get("primaryType", "Ballot") != "Ballot":
        raise bad(f"primaryType is {data.get('primaryType')!r}, not 'Ballot'")
    if "types" in data and data["types"] != TYPES:
        raise bad(f"its EIP-712 types are not {BALLOT_TYPE}")
    try:
        ballot = Ballot(
            domain=BallotDomain(
                name=_text(domain["name"]),
                version=_text(domain.get("version", DOMAIN_VERSION)),
                chain_id=_uint(domain["chainId"], 256),
                governor=_address(domain["verifyingContract"]),
            ),
            proposal_id=_uint(message["proposalId"], 256),
            support=_uint(message["support"], 8),
            voter=_address(message["voter"]),
            nonce=_uint(message["nonce"], 256),
        )
        signature = _signature(data["signature"])
    except KeyError as exc:
        raise bad(f"missing field {exc.args[0]!r}") from None
    except ValueError as exc:
        raise bad(str(exc)) from None
    if ballot.support not in SUPPORT_NAMES:
        raise bad(f"support {ballot.support} is not 0 (against), 1 (for) or 2 (abstain)")
    label = data.get("support")
    if label is not None and SUPPORT.get(str(label).lower()) != ballot.support:
        raise InputError(
            f"{source} says {label!r} but its signed vote is "
            f"{SUPPORT_NAMES[ballot.support]!r}: it was altered",
            hint="nothing was sent; ask the voter for a fresh ballot",
        )
    return SignedBallot(ballot, signature)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a string")
    return value


def _uint(value: Any, bits: int) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"0x[0-9a-fA-F]+|\d+", value.strip()):
        text = value.strip()
        number = int(text, 16) if text.startswith("0x") else int(text)
    else:
        raise ValueError(f"{value!r} is not a whole number")
    if not 0 <= number < 2**bits:
        raise ValueError(f"{value!r} is out of range for uint{bits}")
    return number


def _address(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not an address")
    return parse_wallet(value)  # InvalidValue is a ValueError


def _signature(value: Any) -> bytes:
    if not isinstance(value, str) or not re.fullmatch(r"0x[0-9a-fA-F]{130}", value):
        raise ValueError("the signature is not 65 bytes of hex")
    return bytes.fromhex(value[2:])


def domain_name_for(company: str, governance: dict[str, Any] | None = None) -> str:
    """The governor's EIP-712 name as ``equity deploy`` sets it (``"<company> Governor"``),
    unless the deployment record names it; lets ``sign-vote`` work without a node."""
    recorded = (governance or {}).get("governor_name")
    return str(recorded) if recorded else f"{company} Governor"
