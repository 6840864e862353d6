"""Proposal actions (SPEC §5): one quoted string each, turned into the timelock's calls.

An action names what the timelock will do once the proposal passes::

    set-authorized CLASS SHARES          setAuthorized(uint256) on the class token
    set-max-holders CLASS N              setMaxHolders(uint32) on the class token
    block-jurisdiction CLASS CC          setJurisdictionBlocked(bytes2,true) on the class token
    unblock-jurisdiction CLASS CC        setJurisdictionBlocked(bytes2,false) on the class token
    grant-role ROLE WALLET [ON]          grantRole(bytes32,address)
    revoke-role ROLE WALLET [ON]         revokeRole(bytes32,address)
    call ADDRESS SIGNATURE ARGS...       any function, e.g. call COMMON "setMaxHolders(uint32)" 50
    declare-dividend FILE                approve the distribution factory, then declare and fund
                                         the dividend of FILE from the timelock (SPEC §13)

Where roles live (and so where ``grant-role``/``revoke-role`` act when ``ON`` is not given):
ISSUER_ROLE and PAUSER_ROLE on every class token; REGISTRAR_ROLE on the holder registry;
DEFAULT_ADMIN_ROLE on every class token and the registry (the contracts the timelock
administers); PROPOSER_ROLE, EXECUTOR_ROLE and CANCELLER_ROLE on the timelock. One action may
so become several calls, one per contract. ``ON`` narrows it to one contract: a class id,
``registry`` or ``timelock``. ROLE may be written ``ISSUER_ROLE``, ``issuer`` or as 32-byte hex
(hex needs ``ON``).

ADDRESS in ``call`` is a hex address or one of the offering's contracts by name: a class id,
``registry``, ``timelock``, ``governor`` or ``votes``. ARGS are parsed by the signature's types:
integers (decimal, ``0x`` hex, ``_`` separators), ``bool`` (true/false), ``address``,
``bytesN`` (hex, or up to N ASCII characters such as ``US``), ``bytes`` (hex), ``string``,
and arrays written ``[a,b,c]``.

Pure: no chain. Every mistake is an ``InputError`` (exit 2) naming the action. A
``declare-dividend`` action needs the cap table as of its record date: ``equity gov propose``
prepares it first (``toolkit.dividends.governance``) and passes the result in ``dividends``.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import InputError
from toolkit.inputs import (
    ZERO_ADDRESS,
    InvalidValue,
    format_shares,
    parse_jurisdiction,
    parse_shares,
    parse_wallet,
)

if TYPE_CHECKING:
    from toolkit.offering.deployments import Deployment


ACTION_FORMS = (
    "set-authorized CLASS SHARES",
    "set-max-holders CLASS N",
    "block-jurisdiction CLASS CC",
    "unblock-jurisdiction CLASS CC",
    "grant-role ROLE WALLET [CLASS|registry|timelock]",
    "revoke-role ROLE WALLET [CLASS|registry|timelock]",
    "call ADDRESS SIGNATURE ARGS...",
    "declare-dividend FILE",
)
ACTION_HINT = "actions: " + "; ".join(f"'{form}'" for form in ACTION_FORMS)

CLASS_ROLES = ("ISSUER_ROLE", "PAUSER_ROLE")
REGISTRY_ROLES = ("REGISTRAR_ROLE",)
TIMELOCK_ROLES = ("PROPOSER_ROLE", "EXECUTOR_ROLE", "CANCELLER_ROLE")
ADMIN_ROLE = "DEFAULT_ADMIN_ROLE"
KNOWN_ROLES = (ADMIN_ROLE, *CLASS_ROLES, *REGISTRY_ROLES, *TIMELOCK_ROLES)


@dataclass(frozen=True)
class ClassTarget:
    id: str
    address: str
    decimals: int = 0


@dataclass(frozen=True)
class PreparedDividend:
    """A ``declare-dividend FILE`` worked out from the chain: what the timelock will send."""

    payment_token: str
    factory: str
    funded: int
    terms: tuple[Any, ...]  # the factory's Terms tuple
    summary: str


@dataclass(frozen=True)
class ActionTargets:
    """The offering's contracts an action may name (a plain view of a Deployment)."""

    registry: str
    timelock: str
    governor: str
    votes: str
    classes: tuple[ClassTarget, ...]
    dividends: Mapping[str, PreparedDividend] = field(default_factory=dict)  # by resolved FILE

    @staticmethod
    def from_deployment(
        deployment: Deployment, dividends: Mapping[str, PreparedDividend] | None = None
    ) -> ActionTargets:
        return ActionTargets(
            registry=deployment.registry,
            timelock=deployment.timelock,
            governor=deployment.governor,
            votes=deployment.votes,
            classes=tuple(ClassTarget(c.id, c.address, c.decimals) for c in deployment.classes),
            dividends=dict(dividends or {}),
        )

    def share_class(self, class_id: str) -> ClassTarget:
        for share_class in self.classes:
            if share_class.id == class_id:
                return share_class
        for share_class in self.classes:
            if share_class.id.lower() == class_id.lower():
                return share_class
        known = ", ".join(c.id for c in self.classes) or "none"
        raise InvalidValue(f"unknown class {class_id!r} (the offering's classes: {known})")

    def named(self, name: str) -> tuple[str, str] | None:
        """(address, label) of a contract named by class id or role; None if not a name."""
        lowered = name.lower()
        fixed = {
            "registry": self.registry,
            "timelock": self.timelock,
            "governor": self.governor,
            "votes": self.votes,
        }
        if lowered in fixed:
            return fixed[lowered], lowered
        for share_class in self.classes:
            if share_class.id.lower() == lowered:
                return share_class.address, share_class.id
        return None


@dataclass(frozen=True)
class Call:
    """One call the timelock will make: what OZ's ``propose`` takes, plus a readable summary."""

    target: str
    value: int
    calldata: bytes
    summary: str

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "value": self.value,
            "calldata": "0x" + self.calldata.hex(),
            "summary": self.summary,
        }


Handler = Callable[[list[str], ActionTargets], list[Call]]


def parse_actions(texts: Sequence[str], targets: ActionTargets) -> list[Call]:
    """Every action's calls, in order; the first bad action is an InputError naming it."""
    if not texts:
        raise InputError("a proposal needs at least one --action", hint=ACTION_HINT)
    calls: list[Call] = []
    for index, text in enumerate(texts, start=1):
        calls.extend(parse_action(text, targets, position=index if len(texts) > 1 else None))
    return calls


def parse_action(text: str, targets: ActionTargets, *, position: int | None = None) -> list[Call]:
    """The calls of one action string (several for a role held on several contracts)."""
    where = f"action {position} ({text!r})" if position else f"action {text!r}"
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise InputError(f"{where}: {exc}", hint="check the quotes in the action") from None
    if not words:
        raise InputError(f"{where} is empty", hint=ACTION_HINT)
    verb, args = words[0].lower(), words[1:]
    handler = _HANDLERS.get(verb)
    if handler is None:
        raise InputError(f"{where}: unknown action {words[0]!r}", hint=ACTION_HINT)
    try:
        return handler(args, targets)
    except InvalidValue as exc:
        raise InputError(f"{where}: {exc}", hint=ACTION_HINT) from None


# --- the actions ------------------------------------------------------------------------------


def _expect(args: list[str], names: str, *, optional: int = 0) -> None:
    wanted = len(names.split()) - optional
    if not wanted <= len(args) <= wanted + optional:
        raise InvalidValue(f"expected {names}, got {len(args)} argument(s)")


def _set_authorized(args: list[str], targets: ActionTargets) -> list[Call]:
    _expect(args, "CLASS SHARES")
    share_class = targets.share_class(args[0])
    shares = parse_shares(args[1], share_class.decimals)
    return [
        _call(
            share_class.address,
            "setAuthorized(uint256)",
            [shares],
            f"{share_class.id}: set authorized shares to "
            f"{format_shares(shares, share_class.decimals, grouped=True)}",
        )
    ]


def _set_max_holders(args: list[str], targets: ActionTargets) -> list[Call]:
    _expect(args, "CLASS N")
    share_class = targets.share_class(args[0])
    count = _parse_int(args[1], "uint32")
    return [
        _call(
            share_class.address,
            "setMaxHolders(uint32)",
            [count],
            f"{share_class.id}: set the holder cap to {count:,}"
            + (" (no cap)" if count == 0 else ""),
        )
    ]


def _jurisdiction(blocked: bool) -> Handler:
    def handler(args: list[str], targets: ActionTargets) -> list[Call]:
        _expect(args, "CLASS CC")
        share_class = targets.share_class(args[0])
        code = parse_jurisdiction(args[1])
        verb = "block" if blocked else "unblock"
        return [
            _call(
                share_class.address,
                "setJurisdictionBlocked(bytes2,bool)",
                [code, blocked],
                f"{share_class.id}: {verb} jurisdiction {code.decode()}",
            )
        ]

    return handler


def _role(grant: bool) -> Handler:
    def handler(args: list[str], targets: ActionTargets) -> list[Call]:
        _expect(args, "ROLE WALLET ON", optional=1)
        role_name, role_hash = parse_role(args[0])
        wallet = parse_wallet(args[1])
        if len(args) == 3:
            named = targets.named(args[2])
            if named is None or named[1] in ("governor", "votes"):
                known = ", ".join([*(c.id for c in targets.classes), "registry", "timelock"])
                raise InvalidValue(f"{args[2]!r} holds no roles (choose one of: {known})")
            where = [named]
        else:
            where = role_holders(role_name, targets)
        function = "grantRole(bytes32,address)" if grant else "revokeRole(bytes32,address)"
        verb = "grant" if grant else "revoke"
        preposition = "to" if grant else "from"
        return [
            _call(
                address,
                function,
                [role_hash, wallet],
                f"{label}: {verb} {role_name} {preposition} {wallet}",
            )
            for address, label in where
        ]

    return handler


def role_holders(role_name: str, targets: ActionTargets) -> list[tuple[str, str]]:
    """The contracts a role lives on, as (address, label): see the module docstring."""
    classes = [(c.address, c.id) for c in targets.classes]
    registry = [(targets.registry, "registry")]
    if role_name in CLASS_ROLES:
        return classes
    if role_name in REGISTRY_ROLES:
        return registry
    if role_name in TIMELOCK_ROLES:
        return [(targets.timelock, "timelock")]
    if role_name == ADMIN_ROLE:
        return classes + registry
    raise InvalidValue(
        f"role {role_name} is not one of the offering's; name the contract: "
        "grant-role ROLE WALLET CLASS|registry|timelock"
    )


def parse_role(text: str) -> tuple[str, bytes]:
    """A role name (``ISSUER_ROLE``, ``issuer``, ``admin``) or 32-byte hex, as (name, hash)."""
    from eth_utils import keccak

    value = text.strip()
    if value.startswith("0x"):
        if not re.fullmatch(r"0x[0-9a-fA-F]{64}", value):
            raise InvalidValue(f"role {value!r} is not 32 bytes of hex")
        raw = bytes.fromhex(value[2:])
        for name in KNOWN_ROLES:
            if _role_hash(name) == raw:
                return name, raw
        return value.lower(), raw
    name = value.upper().replace("-", "_")
    if name in ("ADMIN", "DEFAULT_ADMIN"):
        name = ADMIN_ROLE
    elif not name.endswith("_ROLE"):
        name += "_ROLE"
    if name not in KNOWN_ROLES:
        raise InvalidValue(f"unknown role {text!r} (known: {', '.join(KNOWN_ROLES)})")
    return name, _role_hash(name) if name == ADMIN_ROLE else bytes(keccak(text=name))


def _role_hash(name: str) -> bytes:
    from eth_utils import keccak

    return b"\x00" * 32 if name == ADMIN_ROLE else bytes(keccak(text=name))


def _raw_call(args: list[str], targets: ActionTargets) -> list[Call]:
    if len(args) < 2:
        raise InvalidValue("expected call ADDRESS SIGNATURE ARGS...")
    target_text, signature_text, values = args[0], args[1], args[2:]
    named = targets.named(target_text)
    if named is not None:
        address, label = named
    else:
        address = parse_wallet(target_text)
        label = address
    name, types = parse_signature(signature_text)
    if len(values) != len(types):
        raise InvalidValue(
            f"{name}({','.join(types)}) takes {len(types)} argument(s), {len(values)} given"
        )
    parsed = [parse_abi_value(value, kind) for value, kind in zip(values, types, strict=True)]
    signature = f"{name}({','.join(types)})"
    rendered = ", ".join(values)
    return [_call(address, signature, parsed, f"{label}: {name}({rendered})")]


DISTRIBUTION_TERMS = "(address,address,bytes32,uint256,uint256,uint256,uint64,uint64,address,address,address,address)"


def dividend_file_key(text: str) -> str:
    """How a ``declare-dividend`` FILE is looked up: its resolved path."""
    return str(Path(text).expanduser().resolve())


def _declare_dividend(args: list[str], targets: ActionTargets) -> list[Call]:
    _expect(args, "FILE")
    prepared = targets.dividends.get(dividend_file_key(args[0]))
    if prepared is None:
        raise InvalidValue(
            f"{args[0]} is not prepared: a dividend's entitlements come from the chain, so "
            "`equity gov propose` works them out before the proposal is built"
        )
    from eth_abi import encode
    from eth_utils import function_signature_to_4byte_selector, to_checksum_address

    signature = f"declare({DISTRIBUTION_TERMS})"
    calldata = bytes(function_signature_to_4byte_selector(signature)) + encode(
        [DISTRIBUTION_TERMS], [prepared.terms]
    )
    return [
        _call(
            prepared.payment_token,
            "approve(address,uint256)",
            [prepared.factory, prepared.funded],
            f"payment token: approve {prepared.funded} (base units) to the distribution factory",
        ),
        Call(str(to_checksum_address(prepared.factory)), 0, calldata, prepared.summary),
    ]


_HANDLERS: dict[str, Handler] = {
    "set-authorized": _set_authorized,
    "set-max-holders": _set_max_holders,
    "block-jurisdiction": _jurisdiction(True),
    "unblock-jurisdiction": _jurisdiction(False),
    "grant-role": _role(True),
    "revoke-role": _role(False),
    "call": _raw_call,
    "declare-dividend": _declare_dividend,
}


# --- ABI ------------------------------------------------------------------------------------


def _call(address: str, signature: str, args: list[Any], summary: str) -> Call:
    from eth_abi import encode
    from eth_utils import function_signature_to_4byte_selector, to_checksum_address

    types = parse_signature(signature)[1]
    data = bytes(function_signature_to_4byte_selector(signature)) + encode(types, args)
    return Call(str(to_checksum_address(address)), 0, data, summary)


_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def parse_signature(text: str) -> tuple[str, list[str]]:
    """``name(type,type)`` (parameter names and spaces allowed) as (name, canonical types)."""
    value = text.strip()
    match = re.fullmatch(r"([^()\s]+)\s*\((.*)\)", value, flags=re.DOTALL)
    if match is None or not _IDENTIFIER.match(match.group(1)):
        raise InvalidValue(f"{text!r} is not a function signature such as 'setAuthorized(uint256)'")
    name, inner = match.group(1), match.group(2).strip()
    if "(" in inner:
        raise InvalidValue(f"{text!r}: tuple parameters are not supported")
    types = []
    for part in (p.strip() for p in inner.split(",")) if inner else ():
        if not part:
            raise InvalidValue(f"{text!r} has an empty parameter")
        kind = _canonical_type(part.split()[0])
        types.append(kind)
    return name, types


def _canonical_type(kind: str) -> str:
    """A parameter type as eth_abi reads it (``uint`` -> ``uint256``), restricted to what
    ``parse_abi_value`` can read from the command line: elementary types and arrays of them."""
    from eth_abi.exceptions import ABITypeError, ParseError
    from eth_abi.grammar import BasicType, normalize, parse

    try:
        abi_type = parse(normalize(kind))  # type: ignore[no-untyped-call]  # eth_abi's grammar
        abi_type.validate()
    except (ParseError, ABITypeError):
        raise InvalidValue(f"unsupported parameter type {kind!r}") from None
    if not isinstance(abi_type, BasicType) or abi_type.base in ("fixed", "ufixed"):
        raise InvalidValue(f"unsupported parameter type {kind!r}")
    if len(abi_type.arrlist or ()) > 1:
        raise InvalidValue(f"nested arrays ({kind}) are not supported")
    return str(abi_type.to_type_str())  # type: ignore[no-untyped-call]


def parse_abi_value(text: str, kind: str) -> Any:
    """One argument of a raw ``call`` as the Python value eth_abi encodes for ``kind``."""
    array = re.fullmatch(r"(.+)\[(\d*)\]", kind)
    if array:
        inner, size = array.group(1), array.group(2)
        items = _split_array(text)
        if size and len(items) != int(size):
            raise InvalidValue(f"{kind} needs {size} elements, got {len(items)}")
        return [parse_abi_value(item, inner) for item in items]
    value = text.strip()
    if kind == "address":
        return ZERO_ADDRESS if re.fullmatch(r"0x0{40}", value) else parse_wallet(value)
    if kind == "bool":
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise InvalidValue(f"{value!r} is not a bool (true or false)")
        return lowered == "true"
    if kind == "string":
        return value
    if kind == "bytes":
        return _hex_bytes(value, kind)
    fixed = re.fullmatch(r"bytes(\d+)", kind)
    if fixed:
        size = int(fixed.group(1))
        if value.startswith("0x"):
            raw = _hex_bytes(value, kind)
            if len(raw) != size:
                raise InvalidValue(f"{value!r} is {len(raw)} bytes, {kind} needs {size}")
            return raw
        encoded = value.encode()
        if len(encoded) > size:
            raise InvalidValue(f"{value!r} does not fit {kind}")
        return encoded.ljust(size, b"\x00")
    return _parse_int(value, kind)


def _hex_bytes(value: str, kind: str) -> bytes:
    if not re.fullmatch(r"0x([0-9a-fA-F]{2})*", value):
        raise InvalidValue(f"{value!r} is not {kind} in hex (0x followed by pairs of hex digits)")
    return bytes.fromhex(value[2:])


def _parse_int(text: str, kind: str) -> int:
    """A whole number (decimal, ``0x`` hex, ``_`` separators) that ``kind`` can encode."""
    from eth_abi import is_encodable

    value = text.strip().replace("_", "")
    try:
        number = int(value, 16) if value.lower().startswith(("0x", "-0x")) else int(value, 10)
    except ValueError:
        raise InvalidValue(f"{text!r} is not a whole number") from None
    if not is_encodable(kind, number):
        bits = int(kind.removeprefix("u").removeprefix("int") or 256)
        low, high = (
            (0, 2**bits - 1) if kind.startswith("u") else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
        )
        raise InvalidValue(f"{text} is out of range for {kind} ({low}..{high})")
    return number


def _split_array(text: str) -> list[str]:
    value = text.strip()
    if not (value.startswith("[") and value.endswith("]")):
        raise InvalidValue(f"{text!r} is not an array such as [1,2,3]")
    inner = value[1:-1].strip()
    if not inner:
        return []
    if "[" in inner:
        raise InvalidValue("nested arrays are not supported")
    return [item.strip().strip('"') for item in inner.split(",")]
