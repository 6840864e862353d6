"""Proposal actions (SPEC §5): one quoted string each, turned into the timelock's calls.

An action names what the timelock will do once the proposal passes::

    set-authorized CLASS SHARES          setAuthorized(uint256) on the class token
    set-max-holders CLASS N              setMaxHolders(uint32) on the class token
    block-jurisdiction CLASS CC          setJurisdictionBlocked(bytes2,true) on the class token
    unblock-jurisdiction CLASS CC        setJurisdictionBlocked(bytes2,false) on the class token
    approve-issuance CLASS SHARES        setApprovedIssuance(class token, SHARES) on the issuer bound
    set-issuer-limit CLASS PERCENT WINDOW  setIssuerLimit(class token, PERCENT, WINDOW) on the bound
    approve-round ROUND                  grantRole(MINTER_ROLE, round) and setMintAllowance(round,
                                         its hard cap) on the round's class token (SPEC §11)
    grant-role ROLE WALLET [ON]          grantRole(bytes32,address)
    revoke-role ROLE WALLET [ON]         revokeRole(bytes32,address)
    call ADDRESS SIGNATURE ARGS...       any function, e.g. call COMMON "setMaxHolders(uint32)" 50
    declare-dividend FILE                approve the distribution factory, then declare and fund
                                         the dividend of FILE from the timelock (SPEC §13)
    split CLASS RATIO                    make the chain's SplitAgent an admin of the class token and
                                         start the split (SPEC §14; ``equity split`` runs it)
    convert-all FROM TO                  mandate(FROM, TO) on FROM's converter: every holder of FROM may
                                         then be converted into TO (SPEC §14; `equity convert
                                         FROM TO --all` sends the batches)
    rofr-exercise NOTICE TO              the timelock approves the notice's payment and exercises the
                                         company's right of first refusal on NOTICE, paying the
                                         seller from its funds; TO gets the shares (SPEC §12;
                                         ``equity gov propose`` reads the notice's terms first)
    repurchase-pro-rata CLASS NEW:OLD PRICE TOKEN DATE
                                         the timelock funds and opens a repurchase of NEW/OLD of
                                         every holding of CLASS at PRICE (payment-token base units
                                         per share base unit) in TOKEN until DATE (SPEC §14;
                                         `equity repurchase CLASS --pro-rata ID` serves it)

``approve-issuance`` lets the issuer move SHARES more of the class beyond its rolling bound
(replacing what is left of an earlier approval; 0 withdraws it); ``set-issuer-limit`` changes the
bound itself (PERCENT of the outstanding supply per WINDOW, e.g. ``20 365d``). ``approve-round``
lets a recorded subscription round (its name or address) issue its class up to its hard cap,
outside the issuer's bound; ``equity gov propose`` reads the round's class and hard cap from the
chain first and passes them in ``rounds``.

Where roles live (and so where ``grant-role``/``revoke-role`` act when ``ON`` is not given):
ISSUER_ROLE, PAUSER_ROLE and MINTER_ROLE on every class token; REGISTRAR_ROLE on the holder
registry; DEFAULT_ADMIN_ROLE on every class token, the registry and the issuer bound (the
contracts the timelock administers); PROPOSER_ROLE, EXECUTOR_ROLE and CANCELLER_ROLE on the
timelock. One action may
so become several calls, one per contract. ``ON`` narrows it to one contract: a class id,
``registry``, ``bound`` or ``timelock``. ROLE may be written ``ISSUER_ROLE``, ``issuer`` or as 32-byte hex
(hex needs ``ON``).

ADDRESS in ``call`` is a hex address or one of the offering's contracts by name: a class id,
``registry``, ``timelock``, ``governor``, ``votes`` or ``bound`` (the issuer bound). ARGS are parsed by the signature's types:
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
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import InputError
from toolkit.inputs import (
    ZERO_ADDRESS,
    InvalidValue,
    format_shares,
    parse_duration,
    parse_jurisdiction,
    parse_shares,
    parse_wallet,
)

if TYPE_CHECKING:
    from toolkit.corporate.split import CashInLieu
    from toolkit.offering.deployments import Deployment


ACTION_FORMS = (
    "set-authorized CLASS SHARES",
    "set-max-holders CLASS N",
    "block-jurisdiction CLASS CC",
    "unblock-jurisdiction CLASS CC",
    "approve-issuance CLASS SHARES",
    "set-issuer-limit CLASS PERCENT WINDOW",
    "approve-round ROUND",
    "grant-role ROLE WALLET [CLASS|registry|bound|timelock]",
    "revoke-role ROLE WALLET [CLASS|registry|bound|timelock]",
    "call ADDRESS SIGNATURE ARGS...",
    "declare-dividend FILE",
    "split CLASS RATIO",
    "convert-all FROM TO",
    "repurchase-pro-rata CLASS NUM:DEN PRICE_PER_UNIT TOKEN DATE",
    "rofr-exercise NOTICE TO",
)
ACTION_HINT = "actions: " + "; ".join(f"'{form}'" for form in ACTION_FORMS)

CLASS_ROLES = ("ISSUER_ROLE", "PAUSER_ROLE", "MINTER_ROLE")
REGISTRY_ROLES = ("REGISTRAR_ROLE",)
TIMELOCK_ROLES = ("PROPOSER_ROLE", "EXECUTOR_ROLE", "CANCELLER_ROLE")
ADMIN_ROLE = "DEFAULT_ADMIN_ROLE"
KNOWN_ROLES = (ADMIN_ROLE, *CLASS_ROLES, *REGISTRY_ROLES, *TIMELOCK_ROLES)


@dataclass(frozen=True)
class ClassTarget:
    id: str
    address: str
    decimals: int = 0
    converts_to: str | None = None
    converter: str | None = None  # the Converter of a class that converts (SPEC §14)


@dataclass(frozen=True)
class PreparedDividend:
    """A ``declare-dividend FILE`` worked out from the chain: what the timelock will send."""

    payment_token: str
    factory: str
    funded: int
    terms: tuple[Any, ...]  # the factory's Terms tuple
    summary: str


@dataclass(frozen=True)
class RoundTarget:
    """A recorded subscription round ``approve-round`` may name (by name or address), with its
    class and hard cap as the chain has them (``toolkit.governance.rounds.round_targets``)."""

    name: str
    address: str
    class_id: str
    hard_cap: int


@dataclass(frozen=True)
class NoticeTarget:
    """A held notice ``rofr-exercise`` may name, with its terms as its ``NoticeOpened`` event has
    them (``toolkit.market.rofr.notice_targets``)."""

    id: int
    rofr: str
    terms: tuple[Any, ...]  # IRightOfFirstRefusal.Notice
    summary: str  # "notice 1: 1,000 COMMON from 0x.. to 0x.. for 12,500 base units of 0x.."


@dataclass(frozen=True)
class ActionTargets:
    """The offering's contracts an action may name (a plain view of a Deployment)."""

    registry: str
    timelock: str
    governor: str
    votes: str
    classes: tuple[ClassTarget, ...]
    dividends: Mapping[str, PreparedDividend] = field(default_factory=dict)  # by resolved FILE
    issuer_bound: str = ""  # "" for an offering deployed before issue 11
    split_agent: str = ""  # the chain's SplitAgent (``gov propose`` deploys it for a split)
    split_cash: Mapping[str, CashInLieu] = field(default_factory=dict)  # by class id (1:N)
    rounds: tuple[RoundTarget, ...] = ()  # the offering's recorded rounds (approve-round)
    repurchase: str | None = None  # the offering's ShareRepurchase (SPEC §14)
    notices: tuple[NoticeTarget, ...] = ()  # held ROFR notices (rofr-exercise)

    @staticmethod
    def from_deployment(
        deployment: Deployment,
        dividends: Mapping[str, PreparedDividend] | None = None,
        split_agent: str = "",
        rounds: Sequence[RoundTarget] = (),
        split_cash: Mapping[str, CashInLieu] | None = None,
        notices: Sequence[NoticeTarget] = (),
    ) -> ActionTargets:
        return ActionTargets(
            registry=deployment.registry,
            timelock=deployment.timelock,
            governor=deployment.governor,
            votes=deployment.votes,
            classes=tuple(
                ClassTarget(c.id, c.address, c.decimals, c.converts_to, c.converter)
                for c in deployment.classes
            ),
            dividends=dict(dividends or {}),
            issuer_bound=deployment.issuer_bound,
            split_agent=split_agent,
            split_cash=dict(split_cash or {}),
            rounds=tuple(rounds),
            repurchase=deployment.repurchase,
            notices=tuple(notices),
        )

    def bound(self) -> str:
        """The issuer bound's address; an offering deployed without one cannot use it."""
        if not self.issuer_bound:
            raise InvalidValue(
                "this offering has no issuer bound (deployed before it existed); redeploy it"
            )
        return self.issuer_bound

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
        if self.issuer_bound:
            fixed["bound"] = self.issuer_bound
        if lowered in fixed:
            return fixed[lowered], lowered
        for share_class in self.classes:
            if share_class.id.lower() == lowered:
                return share_class.address, share_class.id
        return None


@dataclass(frozen=True)
class Call:
    """One call the timelock will make: what OZ's ``propose`` takes, plus a readable summary
    and the action, as typed, that it came from."""

    target: str
    value: int
    calldata: bytes
    summary: str
    action: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "value": self.value,
            "calldata": "0x" + self.calldata.hex(),
            "summary": self.summary,
            "action": self.action,
        }


Handler = Callable[[list[str], ActionTargets], list[Call]]


def parse_actions(texts: Sequence[str], targets: ActionTargets) -> list[Call]:
    """Every action's calls, in order; the first bad action is an InputError naming it."""
    if not texts:
        raise InputError("a proposal needs at least one --action", hint=ACTION_HINT)
    from dataclasses import replace

    calls: list[Call] = []
    for index, text in enumerate(texts, start=1):
        parsed = parse_action(text, targets, position=index if len(texts) > 1 else None)
        calls.extend(replace(call, action=text) for call in parsed)
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


def _approve_issuance(args: list[str], targets: ActionTargets) -> list[Call]:
    _expect(args, "CLASS SHARES")
    share_class = targets.share_class(args[0])
    # 0 withdraws what is left of an approval (the launch allowance, say)
    zero = args[1].replace("_", "").strip() in ("0", "0.0")
    shares = 0 if zero else parse_shares(args[1], share_class.decimals)
    return [
        _call(
            targets.bound(),
            "setApprovedIssuance(address,uint256)",
            [share_class.address, shares],
            f"{share_class.id}: approve the issuer to issue {args[1]} shares beyond its bound",
        )
    ]


def _set_issuer_limit(args: list[str], targets: ActionTargets) -> list[Call]:
    _expect(args, "CLASS PERCENT WINDOW")
    share_class = targets.share_class(args[0])
    percent = _parse_int(args[1].rstrip("%"), "uint8")
    if percent > 100:
        raise InvalidValue(f"PERCENT must be 0 to 100, not {percent}")
    window = parse_duration(args[2] if not args[2].isdigit() else int(args[2]))
    if not 12 <= window < 2**40:
        raise InvalidValue("WINDOW must be at least 12 seconds (e.g. 365d)")
    return [
        _call(
            targets.bound(),
            "setIssuerLimit(address,uint8,uint40)",
            [share_class.address, percent, window],
            f"{share_class.id}: limit the issuer to {percent} % of the supply per {args[2]}",
        )
    ]


def _approve_round(args: list[str], targets: ActionTargets) -> list[Call]:
    _expect(args, "ROUND")
    wanted = args[0].lower()
    found = [r for r in targets.rounds if wanted in (r.name.lower(), r.address.lower())]
    if not found:
        known = ", ".join(r.name for r in targets.rounds) or "none"
        raise InvalidValue(
            f"no round {args[0]!r} is recorded for this offering (recorded: {known}); "
            "open it first with `equity round open ROUND.toml`"
        )
    round_ = found[0]
    share_class = targets.share_class(round_.class_id)
    cap = format_shares(round_.hard_cap, share_class.decimals)
    return [
        _call(
            share_class.address,
            "grantRole(bytes32,address)",
            [_role_hash("MINTER_ROLE"), round_.address],
            f"{share_class.id}: let round {round_.name} ({round_.address}) issue (MINTER_ROLE)",
        ),
        _call(
            share_class.address,
            "setMintAllowance(address,uint256)",
            [round_.address, round_.hard_cap],
            f"{share_class.id}: round {round_.name} may issue up to {cap} shares (its hard cap)",
        ),
    ]


def _role(grant: bool) -> Handler:
    def handler(args: list[str], targets: ActionTargets) -> list[Call]:
        _expect(args, "ROLE WALLET ON", optional=1)
        role_name, role_hash = parse_role(args[0])
        wallet = parse_wallet(args[1])
        if len(args) == 3:
            named = targets.named(args[2])
            if named is None or named[1] in ("governor", "votes"):
                known = ", ".join(
                    [*(c.id for c in targets.classes), "registry", "bound", "timelock"]
                )
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
        bound = [(targets.issuer_bound, "bound")] if targets.issuer_bound else []
        return classes + registry + bound
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


def _split(args: list[str], targets: ActionTargets) -> list[Call]:
    from toolkit.corporate.split import parse_ratio, proposal_calls
    from toolkit.errors import UsageError

    _expect(args, "CLASS RATIO")
    share_class = targets.share_class(args[0])
    try:
        ratio = parse_ratio(args[1])
    except UsageError as exc:
        raise InvalidValue(exc.message) from None
    if not targets.split_agent:
        raise InvalidValue(
            "no split agent is known on this chain (`equity gov propose` deploys it)"
        )
    cash = targets.split_cash.get(share_class.id) if ratio.is_consolidation else None
    summaries: tuple[str, ...] = (
        f"{share_class.id}: make the split agent {targets.split_agent} an admin of the token",
        f"{share_class.id}: start a {ratio} split (transfers pause until `equity split` ends it; "
        "authorized shares scale)",
    )
    if ratio.is_consolidation:
        fraction = (
            f"fractions paid {cash.price} base units of {cash.payment_token} per old share"
            if cash
            else "no cash in lieu: a fraction is refused"
        )
        summaries = (summaries[0], f"{summaries[1][:-1]}; {fraction})")
        if cash:
            summaries = (
                f"treasury: approve {cash.funds} (base units) of {cash.payment_token} to the "
                "split agent for cash in lieu",
                *summaries,
            )
    return [
        _call(target, signature, args, summary)
        for (target, signature, args), summary in zip(
            proposal_calls(targets.split_agent, share_class.address, ratio, cash),
            summaries,
            strict=True,
        )
    ]


def _convert_all(args: list[str], targets: ActionTargets) -> list[Call]:
    _expect(args, "FROM TO")
    source = targets.share_class(args[0])
    target = targets.share_class(args[1])
    if source.converts_to != target.id:
        says = f"into {source.converts_to}" if source.converts_to else "into no class"
        raise InvalidValue(
            f"{source.id} does not convert into {target.id}: the offering file converts it {says}"
        )
    if source.converter is None:
        raise InvalidValue(
            f"the offering has no converter for {source.id} (deployed before conversions existed)"
        )
    return [
        _call(
            source.converter,
            "mandate(address,address)",
            [source.address, target.address],
            f"{source.id}: mandate the conversion of every holder into {target.id} "
            f"(then `equity convert {source.id} {target.id} --all`)",
        )
    ]


MAX_UINT256 = 2**256 - 1


def _repurchase_pro_rata(args: list[str], targets: ActionTargets) -> list[Call]:
    from toolkit.inputs import iso_time, parse_date

    _expect(args, "CLASS NUM:DEN PRICE_PER_UNIT TOKEN DATE")
    share_class = targets.share_class(args[0])
    parts = args[1].split(":")
    if len(parts) != 2:
        raise InvalidValue(f"{args[1]!r} is not a fraction NUM:DEN such as 1:10")
    numerator, denominator = (_parse_int(p, "uint64") for p in parts)
    if not 0 < numerator <= denominator:
        raise InvalidValue(f"{args[1]} must be a fraction of each holding: 0 < NUM <= DEN")
    price = _parse_int(args[2], "uint256")
    token = parse_wallet(args[3])
    closes = parse_date(args[4])
    if targets.repurchase is None:
        raise InvalidValue("the offering has no repurchase contract (deployed before repurchases)")
    opens = (share_class.address, token, price, numerator, denominator, closes)
    return [
        _call(
            token,
            "approve(address,uint256)",
            [targets.repurchase, MAX_UINT256],
            "payment token: approve the repurchase contract (it pulls the program's funding)",
        ),
        _call(
            targets.repurchase,
            "openProRata(address,address,uint256,uint64,uint64,uint64)",
            list(opens),
            f"{share_class.id}: repurchase {numerator}/{denominator} of every holding at "
            f"{price} base units of {token} per share base unit, until {iso_time(closes)}",
        ),
        _call(
            token,
            "approve(address,uint256)",
            [targets.repurchase, 0],
            "payment token: withdraw the approval",
        ),
    ]


NOTICE_TUPLE = "(address,address,address,address,uint256,uint256,uint64,uint64)"


def _rofr_exercise(args: list[str], targets: ActionTargets) -> list[Call]:
    from eth_abi import encode
    from eth_utils import function_signature_to_4byte_selector, to_checksum_address

    _expect(args, "NOTICE TO")
    number = _parse_int(args[0], "uint256")
    to = parse_wallet(args[1])
    notice = next((n for n in targets.notices if n.id == number), None)
    if notice is None:
        raise InvalidValue(
            f"the offering has no notice {number} the company may still exercise "
            "(`equity market rofr list` shows them)"
        )
    payment_token, payment = notice.terms[3], notice.terms[5]
    signature = f"exercise(uint256,{NOTICE_TUPLE},address)"
    data = bytes(function_signature_to_4byte_selector(signature)) + encode(
        ["uint256", NOTICE_TUPLE, "address"], [number, notice.terms, to]
    )
    return [
        _call(
            payment_token,
            "approve(address,uint256)",
            [notice.rofr, payment],
            f"payment token: approve the right of first refusal for notice {number}'s price",
        ),
        Call(
            str(to_checksum_address(notice.rofr)),
            0,
            data,
            f"exercise the company's right of first refusal on {notice.summary}; {to} gets "
            "the shares, the timelock pays the seller",
        ),
    ]


_HANDLERS: dict[str, Handler] = {
    "set-authorized": _set_authorized,
    "set-max-holders": _set_max_holders,
    "block-jurisdiction": _jurisdiction(True),
    "unblock-jurisdiction": _jurisdiction(False),
    "approve-issuance": _approve_issuance,
    "set-issuer-limit": _set_issuer_limit,
    "approve-round": _approve_round,
    "grant-role": _role(True),
    "revoke-role": _role(False),
    "call": _raw_call,
    "declare-dividend": _declare_dividend,
    "split": _split,
    "convert-all": _convert_all,
    "repurchase-pro-rata": _repurchase_pro_rata,
    "rofr-exercise": _rofr_exercise,
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


# --- calls back to action words (gov status, gov list) ----------------------------------------


def describe_call(target: str, calldata: bytes, targets: ActionTargets) -> str:
    """The action words a call of a proposal stands for, read back from its target and
    calldata (so a proposal made by any tool reads the same): ``set-authorized COMMON 12000000``,
    ``grant-role ISSUER_ROLE 0x.. COMMON``; any other call as ``call TARGET name(types) args``."""
    from eth_abi import decode
    from eth_utils import to_checksum_address

    from toolkit.inputs import format_shares

    label = _label_of(target, targets)
    by_address = {c.address.lower(): c for c in targets.classes}
    share_class = by_address.get(target.lower())
    selector, body = bytes(calldata[:4]), bytes(calldata[4:])
    known = _KNOWN_SELECTORS.get(selector)
    try:
        if known is not None and share_class is not None and known[0] != "bound":
            kind, types = known[1], _SIGNATURES[known[1]]
            values = decode(types, body)
            if kind == "setAuthorized(uint256)":
                shares = format_shares(int(values[0]), share_class.decimals)
                return f"set-authorized {share_class.id} {shares}"
            if kind == "setMaxHolders(uint32)":
                return f"set-max-holders {share_class.id} {values[0]}"
            if kind == "setJurisdictionBlocked(bytes2,bool)":
                verb = "block-jurisdiction" if values[1] else "unblock-jurisdiction"
                return f"{verb} {share_class.id} {bytes(values[0]).decode('ascii', 'replace')}"
        if known is not None and known[1] in (
            "grantRole(bytes32,address)",
            "revokeRole(bytes32,address)",
        ):
            role, wallet = decode(_SIGNATURES[known[1]], body)
            verb = "grant-role" if known[1].startswith("grant") else "revoke-role"
            return f"{verb} {_role_name(bytes(role))} {to_checksum_address(wallet)} {label}"
        if (
            known is not None
            and known[0] == "bound"
            and target.lower() == targets.issuer_bound.lower()
        ):
            values = decode(_SIGNATURES[known[1]], body)
            of = by_address.get(str(values[0]).lower())
            class_id = of.id if of is not None else to_checksum_address(values[0])
            decimals = of.decimals if of is not None else 0
            if known[1] == "setApprovedIssuance(address,uint256)":
                return f"approve-issuance {class_id} {format_shares(int(values[1]), decimals)}"
            return f"set-issuer-limit {class_id} {values[1]} {_duration(int(values[2]))}"
    except Exception:  # noqa: BLE001 - calldata that does not decode: shown raw below
        pass
    return f"call {label} {_raw_words(selector, body)}"


_SIGNATURES: dict[str, list[str]] = {
    "setAuthorized(uint256)": ["uint256"],
    "setMaxHolders(uint32)": ["uint32"],
    "setJurisdictionBlocked(bytes2,bool)": ["bytes2", "bool"],
    "grantRole(bytes32,address)": ["bytes32", "address"],
    "revokeRole(bytes32,address)": ["bytes32", "address"],
    "setApprovedIssuance(address,uint256)": ["address", "uint256"],
    "setIssuerLimit(address,uint8,uint40)": ["address", "uint8", "uint40"],
}


def _selector_of(signature: str) -> bytes:
    from eth_utils import function_signature_to_4byte_selector

    return bytes(function_signature_to_4byte_selector(signature))


_KNOWN_SELECTORS: dict[bytes, tuple[str, str]] = {
    _selector_of(sig): (
        "bound" if sig.startswith(("setApproved", "setIssuerLimit")) else "any",
        sig,
    )
    for sig in _SIGNATURES
}


def _label_of(address: str, targets: ActionTargets) -> str:
    lowered = address.lower()
    for share_class in targets.classes:
        if share_class.address.lower() == lowered:
            return share_class.id
    fixed = {
        targets.registry.lower(): "registry",
        targets.timelock.lower(): "timelock",
        targets.governor.lower(): "governor",
        targets.votes.lower(): "votes",
    }
    if targets.issuer_bound:
        fixed[targets.issuer_bound.lower()] = "bound"
    return fixed.get(lowered, address)


def _role_name(role: bytes) -> str:
    for name in KNOWN_ROLES:
        if _role_hash(name) == role:
            return name
    return "0x" + role.hex()


def _duration(seconds: int) -> str:
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _raw_words(selector: bytes, body: bytes) -> str:
    """``name(types) args`` for a function of a compiled template, else the selector in hex."""
    from eth_abi import decode

    signature = _function_index().get(selector)
    if signature is None:
        return "0x" + (selector + body).hex()
    _name, types = parse_signature(signature)
    try:
        values = decode(types, body)
    except Exception:  # noqa: BLE001 - calldata that does not match its selector's types
        return f'"{signature}" 0x{body.hex()}'
    rendered = " ".join(_render_value(v) for v in values)
    return f'"{signature}"' + (f" {rendered}" if rendered else "")


def _render_value(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_render_value(v) for v in value) + "]"
    return str(value)


@cache
def _function_index() -> dict[bytes, str]:
    """selector -> canonical signature of every function of the compiled templates."""
    import json

    from toolkit.compile import iter_artifact_files

    index: dict[bytes, str] = {}
    for path in iter_artifact_files():
        try:
            abi = json.loads(path.read_text()).get("abi", [])
        except (OSError, ValueError):
            continue
        for item in abi:
            if item.get("type") != "function":
                continue
            try:
                types = ",".join(_canonical_type(i["type"]) for i in item["inputs"])
            except InvalidValue:
                continue
            signature = f"{item['name']}({types})"
            index.setdefault(_selector_of(signature), signature)
    return index
