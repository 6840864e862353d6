"""The round file (SPEC §11): one subscription round of one class, in TOML.

``load_round_file`` reads and validates the whole file before anything is deployed and reports
every problem at once, each with its line and key, like the offering file. What needs the chain
(the class's decimals, the payment token's decimals, the time now) is checked by
``RoundSpec.terms``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import InputError
from toolkit.inputs import InvalidValue, parse_bool, parse_date, parse_shares, parse_wallet
from toolkit.inputs.dates import parse_vesting
from toolkit.offering.toml_lines import key_lines, line_of

STABLECOIN = "stablecoin"
KEYS = {
    "class",
    "payment_token",
    "price",
    "opens",
    "closes",
    "hard_cap",
    "soft_cap",
    "min_ticket",
    "max_ticket",
    "max_per_transaction",
    "accredited_only",
    "lockup_until",
    "vesting",
    "proceeds_to",
}
REQUIRED = ("class", "payment_token", "price", "opens", "closes", "hard_cap")
SHARE_KEYS = ("hard_cap", "soft_cap", "min_ticket", "max_ticket", "max_per_transaction")


@dataclass(frozen=True)
class RoundSpec:
    """A round as its file says it; share amounts and the price still as written (their
    units depend on the class's and the payment token's decimals)."""

    path: Path
    class_id: str
    payment_token: str  # a checksummed address, or "stablecoin"
    price: str
    opens: int
    closes: int
    shares: dict[str, str]  # SHARE_KEYS present, as written
    accredited_only: bool = False
    lockup_until: int = 0
    vesting: tuple[int, int, int] | None = None
    proceeds_to: str | None = None  # None: the offering's timelock

    def lock(self) -> tuple[int, int, int]:
        """(start, cliff, end) as the contract takes them: all 0 when unlocked, all equal for
        a plain lock-up."""
        if self.vesting is not None:
            return self.vesting
        return (self.lockup_until, self.lockup_until, self.lockup_until)


@dataclass
class _Problems:
    path: Path
    lines: dict[str, int]
    found: list[tuple[int, str]] = field(default_factory=list)

    def add(self, key: str, message: str) -> None:
        self.found.append((line_of(self.lines, key) or 0, f"{key}: {message}" if key else message))

    def raise_if_any(self) -> None:
        if not self.found:
            return
        self.found.sort(key=lambda item: item[0])
        shown = [
            f"  {self.path.name}:{line}: {text}" if line else f"  {self.path.name}: {text}"
            for line, text in self.found
        ]
        count = len(self.found)
        raise InputError(
            f"{self.path} has {count} error{'s' if count != 1 else ''}; nothing was sent:\n"
            + "\n".join(shown),
            hint="fix the round file and run `equity round open` again",
        )


def parse_price(text: str, decimals: int) -> int:
    """A price per share in the payment token's base units ("12.50" with 6 decimals is
    12,500,000); more decimals than the token has is an error, never a rounding."""
    try:
        return parse_shares(text, decimals, what="price")
    except InvalidValue as exc:
        raise InvalidValue(
            str(exc).replace(
                "this class counts whole numbers of shares only",
                "the payment token has no decimals",
            )
        ) from None


def load_round_file(path: Path) -> RoundSpec:
    """Read and validate a round file; an InputError lists every problem with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", hint="check the path") from exc
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path} is not valid TOML: {exc}", hint="fix the syntax") from exc
    problems = _Problems(path, key_lines(text))
    for key in sorted(set(data) - KEYS):
        problems.add(key, f"unknown key (known: {', '.join(sorted(KEYS))})")
    for key in REQUIRED:
        if key not in data:
            problems.add("", f"{key} is missing")

    def text_of(key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            problems.add(key, f"must be a string or a number, not {value!r}")
            return None
        if isinstance(value, float):
            problems.add(key, f'write decimals as a string ("{value}") so nothing is rounded')
            return None
        return str(value)

    def date_of(key: str) -> int:
        value = data.get(key)
        if value is None:
            return 0
        try:
            return parse_date(str(value))
        except InvalidValue as exc:
            problems.add(key, str(exc))
            return 0

    class_id = text_of("class") or ""
    token = text_of("payment_token") or ""
    if token and token.lower() != STABLECOIN:
        try:
            token = parse_wallet(token)
        except InvalidValue as exc:
            problems.add("payment_token", f'{exc} (or "stablecoin")')
    elif token:
        token = STABLECOIN
    price = text_of("price") or ""
    if price:
        try:
            parse_shares(price, 36, what="price")
        except InvalidValue as exc:
            problems.add("price", str(exc))
    opens, closes = date_of("opens"), date_of("closes")
    if opens and closes and opens >= closes:
        problems.add("closes", "must be after opens")
    shares: dict[str, str] = {}
    for key in SHARE_KEYS:
        value = text_of(key)
        if value is None:
            continue
        try:
            parse_shares(value, 36, allow_zero=key != "hard_cap", what=key)
            shares[key] = value
        except InvalidValue as exc:
            problems.add(key, str(exc))
    accredited = data.get("accredited_only", False)
    if not isinstance(accredited, bool):
        try:
            accredited = parse_bool(str(accredited))
        except InvalidValue as exc:
            problems.add("accredited_only", str(exc))
            accredited = False
    lockup = date_of("lockup_until")
    vesting = None
    if "vesting" in data:
        if "lockup_until" in data:
            problems.add("vesting", "give lockup_until or vesting, not both")
        try:
            schedule = parse_vesting(str(data["vesting"]))
            vesting = (schedule.start, schedule.cliff, schedule.end)
        except InvalidValue as exc:
            problems.add("vesting", str(exc))
    proceeds = None
    if "proceeds_to" in data:
        try:
            proceeds = parse_wallet(str(data["proceeds_to"]))
        except InvalidValue as exc:
            problems.add("proceeds_to", str(exc))
    problems.raise_if_any()
    return RoundSpec(
        path=path,
        class_id=class_id,
        payment_token=token,
        price=price,
        opens=opens,
        closes=closes,
        shares=shares,
        accredited_only=bool(accredited),
        lockup_until=lockup,
        vesting=vesting,
        proceeds_to=proceeds,
    )


def round_problem(spec: RoundSpec, key: str, message: str) -> InputError:
    """One problem the chain revealed (decimals, time), placed on its line like the others."""
    problems = _Problems(spec.path, key_lines(spec.path.read_text(encoding="utf-8")))
    problems.add(key, message)
    try:
        problems.raise_if_any()
    except InputError as exc:
        return exc
    raise AssertionError("unreachable")
