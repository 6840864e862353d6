"""The offering file (SPEC §7): a company's share classes and governance, in TOML.

``load_offering`` reads and validates the whole file before anything is deployed and reports
every problem at once, each with its line and key (``offering.toml:21: classes[1].
votes_per_share: must be 0 or more, not -1``). The result is plain data that the deployer
turns into contracts.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from toolkit.errors import InputError
from toolkit.inputs import CATEGORIES, InvalidValue, parse_duration, parse_jurisdiction
from toolkit.offering.consent import CONSENT_ACTIONS, DEFAULT_CONSENT_THRESHOLD_PERCENT
from toolkit.offering.liquidation import (
    COMMON_TERMS,
    LIQUIDATION_KEYS,
    CashInLieuTerms,
    LiquidationTerms,
    check_conversion_targets,
    parse_cash_in_lieu,
    parse_liquidation_terms,
)
from toolkit.offering.presets import Until, parse_until, preset_keys
from toolkit.offering.toml_lines import key_lines, line_of

CLASS_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
MAX_UINT32 = 2**32 - 1
MAX_UINT48 = 2**48 - 1
MAX_DECIMALS = 18
MAX_CLASSES = 8  # ClassWeightedVotes.MAX_CLASSES

COMPANY_KEYS = {"name"}
CLASS_KEYS = LIQUIDATION_KEYS | {
    "id",
    "name",
    "symbol",
    "authorized",
    "votes_per_share",
    "max_holders",
    "blocked_jurisdictions",
    "decimals",
    "reserved",
    # SPEC §15: investor categories, dated rules and exemption presets
    "preset",
    "allowed_categories",
    "max_holders_by_category",
    "holding_period",
    "blocked_jurisdictions_until",
    "initial_issuance",
    # issue 11: protective provisions (toolkit.offering.consent)
    "consent",
    "consent_threshold_percent",
    # SPEC §14: a consolidation's fractions paid in cash (toolkit.corporate.split)
    "cash_in_lieu_price",
    "cash_in_lieu_token",
    # issue 13: the company's right of first refusal on secondary trades (SPEC §12)
    "rofr_days",
}
GOVERNANCE_KEYS = {
    "voting_delay",
    "voting_period",
    "quorum_percent",
    "proposal_threshold",
    "timelock_delay",
    "issuer_limit_percent",
    "issuer_limit_window",
    "rofr_exerciser",
}
MAX_ROFR_DAYS = 3650  # RightOfFirstRefusal.MAX_ROFR_DAYS
# who may exercise or waive the company's right besides governance (the timelock, always)
ROFR_EXERCISERS = ("governance", "issuer")
DEFAULT_ISSUER_LIMIT_PERCENT = 20
DEFAULT_ISSUER_LIMIT_WINDOW = 365 * 86_400
MIN_ISSUER_LIMIT_WINDOW = 12  # IssuerBound.BUCKETS: one second per bucket at least
MAX_UINT40 = 2**40 - 1


@dataclass(frozen=True)
class ShareClassSpec:
    """One class as the offering file describes it (``authorized`` in whole shares)."""

    id: str
    name: str
    symbol: str
    authorized: int
    votes_per_share: int
    max_holders: int
    blocked_jurisdictions: tuple[str, ...] = ()
    decimals: int = 0
    liquidation: LiquidationTerms = COMMON_TERMS
    reserved: int = 0  # whole shares set aside for future issuance (fully diluted counts them)
    preset: str | None = None
    allowed_categories: tuple[str, ...] = ()  # empty: every category, none included
    max_holders_by_category: tuple[tuple[str, int], ...] = ()
    holding_period: Until | None = None  # transfers between holders refused until then
    blocked_jurisdictions_until: tuple[tuple[str, Until], ...] = ()
    # whole shares the issuer may issue (or move) beyond its rolling bound without a vote: the
    # launch cap table (None: the whole authorized amount)
    initial_issuance: int | None = None
    # action words whose proposals need this class's separate vote, and the share of its
    # outstanding shares at the record date that must vote for (more than this percent)
    consent: tuple[str, ...] = ()
    consent_threshold_percent: int = DEFAULT_CONSENT_THRESHOLD_PERCENT
    # a consolidation pays fractions at this price per old share (None: fractions refused)
    cash_in_lieu: CashInLieuTerms | None = None
    # days the company has to exercise its right of first refusal on a fill (0: none)
    rofr_days: int = 0

    @property
    def authorized_units(self) -> int:
        """The authorized shares in the token's base units."""
        return int(self.authorized * 10**self.decimals)

    @property
    def reserved_units(self) -> int:
        return int(self.reserved * 10**self.decimals)

    @property
    def has_category_rules(self) -> bool:
        """The registry keeps category rules for the class (codes 10-12)."""
        return bool(self.allowed_categories or self.max_holders_by_category or self.holding_period)

    @property
    def initial_issuance_units(self) -> int:
        """The launch allowance in base units."""
        shares = self.authorized if self.initial_issuance is None else self.initial_issuance
        return int(shares * 10**self.decimals)


@dataclass(frozen=True)
class GovernanceSpec:
    """Governor and timelock parameters; durations in seconds (timestamp clock)."""

    voting_delay: int
    voting_period: int
    quorum_percent: int
    proposal_threshold: int
    timelock_delay: int
    issuer_limit_percent: int = DEFAULT_ISSUER_LIMIT_PERCENT
    issuer_limit_window: int = DEFAULT_ISSUER_LIMIT_WINDOW
    rofr_exerciser: str = "governance"  # or "issuer": who exercises besides the timelock


@dataclass(frozen=True)
class Offering:
    company: str
    classes: tuple[ShareClassSpec, ...]
    governance: GovernanceSpec
    path: Path
    sha256: str
    # launch rounds (SPEC §11 round files) deploy opens and gives the class's issuing power
    round_files: tuple[Path, ...] = ()

    @property
    def voting_classes(self) -> tuple[ShareClassSpec, ...]:
        return tuple(c for c in self.classes if c.votes_per_share > 0)


@dataclass
class _Problems:
    """Every problem found, each placed on its line."""

    path: Path
    lines: dict[str, int]
    found: list[tuple[int, str]] = field(default_factory=list)

    def add(self, key: str, message: str) -> None:
        line = line_of(self.lines, key)
        self.found.append((line or 0, f"{key}: {message}" if key else message))

    def raise_if_any(self) -> None:
        if not self.found:
            return
        self.found.sort(key=lambda item: item[0])
        rendered = [
            f"  {self.path.name}:{line}: {message}" if line else f"  {self.path.name}: {message}"
            for line, message in self.found
        ]
        count = len(self.found)
        raise InputError(
            f"{self.path} has {count} error{'s' if count != 1 else ''}; nothing was deployed:\n"
            + "\n".join(rendered),
            hint="fix the offering file and run `equity deploy` again",
        )


def load_offering(path: Path) -> Offering:
    """Read and validate an offering file; an InputError lists every problem with its line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read the offering file {path}: {exc.strerror or exc}",
            hint="check the path",
        ) from exc
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text, parse_float=Decimal)  # amounts stay exact
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text", hint="save it as UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            f"{path} is not valid TOML: {exc}", hint="fix the syntax at that line and column"
        ) from exc
    return parse_offering(data, path=path, text=text, sha256=hashlib.sha256(raw).hexdigest())


def parse_offering(data: dict[str, Any], *, path: Path, text: str, sha256: str) -> Offering:
    problems = _Problems(path, key_lines(text))
    for key in sorted(set(data) - {"company", "classes", "governance", "preset", "rounds"}):
        problems.add(
            key, "unknown key (expected preset, rounds, [company], [[classes]] and [governance])"
        )

    company = _company(data.get("company"), problems)
    classes = _classes(data.get("classes"), problems, data.get("preset"))
    governance = _governance(data.get("governance"), problems)
    round_files = _round_files(data.get("rounds", []), path.parent, problems)
    raw_classes = data.get("classes")
    complete = isinstance(raw_classes, list) and len(classes) == len(raw_classes)
    if complete:
        check_conversion_targets(
            {c.id: c.liquidation for c in classes},
            {c.id: f"classes[{i}]" for i, c in enumerate(classes)},
            problems.add,
        )
    if classes and complete and not any(c.votes_per_share > 0 for c in classes):
        problems.add(
            "classes[0]", "no class has votes_per_share > 0: the governor needs voting shares"
        )
    problems.raise_if_any()
    assert governance is not None  # raise_if_any() raised otherwise
    return Offering(
        company=company,
        classes=tuple(classes),
        governance=governance,
        path=path,
        sha256=sha256,
        round_files=round_files,
    )


def _round_files(value: object, folder: Path, problems: _Problems) -> tuple[Path, ...]:
    """``rounds = ["seed.toml"]``: round files (relative to the offering file) of the rounds
    deploy opens with the class's issuing power; read in full by ``toolkit.rounds.launch``."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        problems.add("rounds", 'must be a list of round files, e.g. rounds = ["seed.toml"]')
        return ()
    paths = tuple(folder / v for v in value)
    for text, round_path in zip(value, paths, strict=True):
        if not round_path.is_file():
            problems.add("rounds", f"no round file {text} next to the offering file")
    return paths


def _company(value: object, problems: _Problems) -> str:
    if not isinstance(value, dict):
        problems.add("company", 'missing [company] table with name = "..."')
        return ""
    for key in sorted(set(value) - COMPANY_KEYS):
        problems.add(f"company.{key}", "unknown key (expected: name)")
    name = value.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.add("company.name", "the company name must be a non-empty string")
        return ""
    return name.strip()


def _classes(value: object, problems: _Problems, preset: object = None) -> list[ShareClassSpec]:
    if not isinstance(value, list) or not value:
        problems.add("classes", "at least one [[classes]] table is required")
        return []
    if len(value) > MAX_CLASSES:
        problems.add("classes", f"at most {MAX_CLASSES} classes are supported, not {len(value)}")
    parsed: list[ShareClassSpec] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(value):
        where = f"classes[{index}]"
        if not isinstance(entry, dict):
            problems.add(where, "each class must be a [[classes]] table")
            continue
        class_id = entry.get("id")
        if isinstance(class_id, str) and class_id.upper() in seen:
            problems.add(
                f"{where}.id",
                f"duplicate class id {class_id!r} (also classes[{seen[class_id.upper()]}]); "
                "ids must be unique",
            )
        elif isinstance(class_id, str):
            seen[class_id.upper()] = index
        spec = _share_class(_with_preset(entry, preset, where, problems), where, problems)
        if spec is not None:
            parsed.append(spec)
    return parsed


def _with_preset(
    entry: dict[str, Any], offering_preset: object, where: str, problems: _Problems
) -> dict[str, Any]:
    """The class's keys over those of its preset (its own, else the offering's): a key written
    beside a preset overrides it."""
    name = entry.get("preset", offering_preset)
    if name is None:
        return entry
    try:
        keys = preset_keys(name)
    except InvalidValue as exc:
        problems.add(f"{where}.preset" if "preset" in entry else "preset", str(exc))
        return entry
    return {**keys, **entry, "preset": name}


def _share_class(entry: dict[str, Any], where: str, problems: _Problems) -> ShareClassSpec | None:
    before = len(problems.found)
    for key in sorted(set(entry) - CLASS_KEYS):
        problems.add(f"{where}.{key}", f"unknown key (expected: {', '.join(sorted(CLASS_KEYS))})")
    class_id = entry.get("id")
    if not isinstance(class_id, str) or not CLASS_ID.match(class_id):
        problems.add(
            f"{where}.id",
            "required: a short id used on the command line (letters, digits, '-' or '_', "
            f"starting with a letter), not {class_id!r}",
        )
    texts: dict[str, str] = {}
    for key in ("name", "symbol"):
        text = entry.get(key)
        if not isinstance(text, str) or not text.strip():
            problems.add(f"{where}.{key}", "required: a non-empty string")
        else:
            texts[key] = text.strip()
    authorized = _integer(entry, "authorized", where, problems, required=True, maximum=2**200)
    votes = _integer(entry, "votes_per_share", where, problems, required=True, maximum=2**32)
    max_holders = _integer(entry, "max_holders", where, problems, default=0, maximum=MAX_UINT32)
    decimals = _integer(entry, "decimals", where, problems, default=0, maximum=MAX_DECIMALS)
    blocked = _jurisdictions(entry.get("blocked_jurisdictions", []), where, problems)
    liquidation = parse_liquidation_terms(entry, where, problems.add)
    reserved = _integer(entry, "reserved", where, problems, default=0, maximum=2**200)
    if len(problems.found) == before and reserved > authorized:
        problems.add(
            f"{where}.reserved",
            f"{reserved:,} reserved shares exceed the {authorized:,} authorized; "
            "reserve at most the authorized shares",
        )
    allowed = _categories(entry.get("allowed_categories", []), where, problems)
    caps = _category_caps(entry.get("max_holders_by_category", {}), where, problems)
    holding = _until(entry, "holding_period", where, problems)
    blocked_until = _dated_blocks(entry.get("blocked_jurisdictions_until", {}), where, problems)
    initial = None
    if "initial_issuance" in entry:
        initial = _integer(entry, "initial_issuance", where, problems, maximum=authorized)
    consent = _consent(entry.get("consent", []), where, problems)
    threshold = _integer(
        entry,
        "consent_threshold_percent",
        where,
        problems,
        default=DEFAULT_CONSENT_THRESHOLD_PERCENT,
        maximum=99,
    )
    cash_in_lieu = parse_cash_in_lieu(entry, where, problems.add)
    rofr_days = _integer(entry, "rofr_days", where, problems, maximum=MAX_ROFR_DAYS)
    if "rofr_days" in entry and entry["rofr_days"] == 0:
        problems.add(
            f"{where}.rofr_days",
            f"must be between 1 and {MAX_ROFR_DAYS} days (leave it out for no right of first refusal)",
        )
    if len(problems.found) > before:
        return None
    assert isinstance(class_id, str)
    return ShareClassSpec(
        id=class_id,
        name=texts["name"],
        symbol=texts["symbol"],
        authorized=authorized,
        votes_per_share=votes,
        max_holders=max_holders,
        blocked_jurisdictions=blocked,
        decimals=decimals,
        liquidation=liquidation,
        reserved=reserved,
        preset=entry.get("preset"),
        allowed_categories=allowed,
        max_holders_by_category=caps,
        holding_period=holding,
        blocked_jurisdictions_until=blocked_until,
        initial_issuance=initial,
        consent=consent,
        consent_threshold_percent=threshold,
        cash_in_lieu=cash_in_lieu,
        rofr_days=rofr_days,
    )


def _integer(
    entry: dict[str, Any],
    key: str,
    where: str,
    problems: _Problems,
    *,
    required: bool = False,
    default: int = 0,
    maximum: int,
) -> int:
    if key not in entry:
        if required:
            problems.add(f"{where}.{key}" if where else key, "required: a whole number")
        return default
    value = entry[key]
    path = f"{where}.{key}" if where else key
    if isinstance(value, bool) or not isinstance(value, int):
        shown = value if isinstance(value, Decimal) else repr(value)
        problems.add(path, f"must be a whole number, not {shown}")
        return default
    if value < 0:
        problems.add(path, f"must be 0 or more, not {value}")
        return default
    if value > maximum:
        problems.add(path, f"must be at most {maximum}, not {value}")
        return default
    return value


def _jurisdictions(value: object, where: str, problems: _Problems) -> tuple[str, ...]:
    path = f"{where}.blocked_jurisdictions"
    if not isinstance(value, list):
        problems.add(path, 'must be a list of ISO 3166-1 alpha-2 codes, e.g. ["US"]')
        return ()
    codes: list[str] = []
    for item in value:
        if not isinstance(item, str):
            problems.add(path, f"{item!r} is not a country code")
            continue
        try:
            parse_jurisdiction(item)
        except InvalidValue as exc:
            problems.add(path, str(exc))
            continue
        if item in codes:
            problems.add(path, f"{item} is listed twice")
            continue
        codes.append(item)
    return tuple(codes)


def _words(
    value: object,
    path: str,
    known: Collection[str],
    problems: _Problems,
    must: str,
    unknown_as: str,
) -> list[str] | None:
    """``value`` as a list of words from ``known``; None, with the problem added, otherwise
    (``unknown_as`` is formatted with the unknown words and the expected ones)."""
    expected = ", ".join(known)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(path, f"{must} ({expected})")
        return None
    unknown = [v for v in value if v not in known]
    if unknown:
        problems.add(
            path,
            unknown_as.format(
                s="ies" if len(unknown) > 1 else "y",
                words=", ".join(unknown),
                quoted=", ".join(map(repr, unknown)),
                expected=expected,
            ),
        )
        return None
    return value


def _consent(value: object, where: str, problems: _Problems) -> tuple[str, ...]:
    words = _words(
        value,
        f"{where}.consent",
        CONSENT_ACTIONS,
        problems,
        'must be a list of action words, e.g. ["set-authorized"]',
        "unknown action {quoted} (expected: {expected})",
    )
    return tuple(dict.fromkeys(words or ()))


def _categories(value: object, where: str, problems: _Problems) -> tuple[str, ...]:
    words = _words(
        value,
        f"{where}.allowed_categories",
        CATEGORIES,
        problems,
        "must be a list of investor categories",
        "unknown categor{s} {words} (expected: {expected})",
    )
    return tuple(c for c in CATEGORIES if c in (words or ()))


def _category_caps(value: object, where: str, problems: _Problems) -> tuple[tuple[str, int], ...]:
    path = f"{where}.max_holders_by_category"
    if not isinstance(value, dict):
        problems.add(path, "must be a table of category = cap, e.g. { retail = 35 }")
        return ()
    caps: list[tuple[str, int]] = []
    for name in value:
        if name not in CATEGORIES:
            problems.add(path, f"unknown category {name!r} (expected: {', '.join(CATEGORIES)})")
            continue
        cap = _integer(value, name, path, problems, maximum=MAX_UINT32)
        if cap:
            caps.append((name, cap))
    return tuple(sorted(caps, key=lambda item: CATEGORIES[item[0]]))


def _until(entry: dict[str, Any], key: str, where: str, problems: _Problems) -> Until | None:
    if key not in entry:
        return None
    try:
        return parse_until(entry[key])
    except InvalidValue as exc:
        problems.add(f"{where}.{key}", str(exc))
        return None


def _dated_blocks(value: object, where: str, problems: _Problems) -> tuple[tuple[str, Until], ...]:
    path = f"{where}.blocked_jurisdictions_until"
    if not isinstance(value, dict):
        problems.add(path, 'must be a table of country = end, e.g. { US = "1y" }')
        return ()
    blocks: list[tuple[str, Until]] = []
    for code in value:
        try:
            parse_jurisdiction(code)
        except InvalidValue as exc:
            problems.add(path, str(exc))
            continue
        until = _until(value, code, path, problems)
        if until is not None:
            blocks.append((code, until))
    return tuple(blocks)


def _governance(value: object, problems: _Problems) -> GovernanceSpec | None:
    if not isinstance(value, dict):
        problems.add("governance", "missing [governance] table")
        return None
    for key in sorted(set(value) - GOVERNANCE_KEYS):
        problems.add(
            f"governance.{key}", f"unknown key (expected: {', '.join(sorted(GOVERNANCE_KEYS))})"
        )
    durations: dict[str, int] = {}
    limits = {"voting_delay": MAX_UINT48, "voting_period": MAX_UINT32, "timelock_delay": 2**64}
    for key, limit in limits.items():
        path = f"governance.{key}"
        if key not in value:
            problems.add(path, 'required: a duration such as "1d", "7d" or "2h"')
            continue
        try:
            seconds = parse_duration(value[key])
        except InvalidValue as exc:
            problems.add(path, str(exc))
            continue
        if seconds > limit:
            problems.add(path, "is too long")
            continue
        durations[key] = seconds
    if durations.get("voting_period") == 0:
        problems.add("governance.voting_period", "must be longer than zero")
    quorum = _integer(value, "quorum_percent", "governance", problems, required=True, maximum=100)
    if "quorum_percent" in value and quorum == 0 and value["quorum_percent"] == 0:
        problems.add("governance.quorum_percent", "must be between 1 and 100")
    threshold = _integer(
        value, "proposal_threshold", "governance", problems, default=0, maximum=2**200
    )
    percent = _integer(
        value,
        "issuer_limit_percent",
        "governance",
        problems,
        default=DEFAULT_ISSUER_LIMIT_PERCENT,
        maximum=100,
    )
    window = _issuer_limit_window(value, problems)
    exerciser = value.get("rofr_exerciser", "governance")
    if exerciser not in ROFR_EXERCISERS:
        problems.add(
            "governance.rofr_exerciser",
            f"must be one of {', '.join(map(repr, ROFR_EXERCISERS))}, not {exerciser!r}",
        )
    if len(durations) < len(limits):
        return None
    return GovernanceSpec(
        voting_delay=durations["voting_delay"],
        voting_period=durations["voting_period"],
        quorum_percent=quorum,
        proposal_threshold=threshold,
        timelock_delay=durations["timelock_delay"],
        issuer_limit_percent=percent,
        issuer_limit_window=window,
        rofr_exerciser=str(exerciser),
    )


def _issuer_limit_window(value: dict[str, Any], problems: _Problems) -> int:
    """The issuer's rolling window (default 365 days): 12 seconds to 2^40 - 1."""
    if "issuer_limit_window" not in value:
        return DEFAULT_ISSUER_LIMIT_WINDOW
    path = "governance.issuer_limit_window"
    try:
        seconds = parse_duration(value["issuer_limit_window"])
    except InvalidValue as exc:
        problems.add(path, str(exc))
        return DEFAULT_ISSUER_LIMIT_WINDOW
    if not MIN_ISSUER_LIMIT_WINDOW <= seconds <= MAX_UINT40:
        problems.add(path, f"must be between {MIN_ISSUER_LIMIT_WINDOW} seconds and 2^40 - 1")
        return DEFAULT_ISSUER_LIMIT_WINDOW
    return seconds
