"""The dividend file (SPEC §13): what a declaration says, parsed and checked before any RPC.

```toml
payment_token = "0x5FbDB2315678afecb367f032d93F642f64180aa3"   # the token's address
record_date = "2027-06-30"        # a DATE (end of that day, UTC), or a block number: 1234
claim_deadline = "2027-09-30"     # DATE; unreserved entitlements are claimable until then
tax_account = "0x..."             # receives every withheld amount
dust_account = "0x..."            # receives what rounding leaves over

[[per_class]]
class = "COMMON"
amount_per_share = "0.25"         # in payment-token units; any decimal

[withholding]                     # percent per ISO 3166-1 alpha-2 jurisdiction
default = "0"
US = "30"
```

Every mistake in the file is listed at once, each naming its key, and nothing is sent.
Pure: no chain. Amounts stay exact (``Decimal`` in, ``Fraction`` out).
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from toolkit.dividends.entitlements import Withholding
from toolkit.errors import InputError
from toolkit.inputs import (
    InvalidValue,
    exact_decimal,
    parse_date,
    parse_jurisdiction,
    parse_wallet,
)

KNOWN_KEYS = {
    "payment_token",
    "record_date",
    "claim_deadline",
    "per_class",
    "withholding",
    "tax_account",
    "dust_account",
}


@dataclass(frozen=True)
class ClassAmount:
    class_id: str
    amount_per_share: Decimal  # payment-token units per whole share, as written

    def base_units(self, token_decimals: int) -> Fraction:
        """The amount per whole share in base units of the token (exact)."""
        return Fraction(self.amount_per_share) * Fraction(10**token_decimals)


@dataclass(frozen=True)
class DividendFile:
    path: Path
    sha256: str
    payment_token: str
    record_date: int | str  # a block number, or the ISO date/time as written
    claim_deadline: int  # unix seconds
    per_class: tuple[ClassAmount, ...]
    withholding_percent: dict[str, Decimal] = field(default_factory=dict)  # "default" and CCs
    tax_account: str = ""
    dust_account: str = ""

    @property
    def withholding(self) -> Withholding:
        default = Fraction(self.withholding_percent.get("default", Decimal(0))) / 100
        rates = {
            cc: Fraction(percent) / 100
            for cc, percent in self.withholding_percent.items()
            if cc != "default"
        }
        return Withholding(default, rates)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "sha256": self.sha256,
            "payment_token": self.payment_token,
            "record_date": self.record_date,
            "claim_deadline": self.claim_deadline,
            "per_class": [
                {"class": c.class_id, "amount_per_share": str(c.amount_per_share)}
                for c in self.per_class
            ],
            "withholding": {k: str(v) for k, v in self.withholding_percent.items()},
            "tax_account": self.tax_account,
            "dust_account": self.dust_account,
        }


def read_dividend_file(path: Path, class_ids: tuple[str, ...]) -> DividendFile:
    """Parse and check a dividend file against the offering's classes (InputError, exit 2)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read {path}: {exc.strerror or exc}", hint="check the path"
        ) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path} is not valid TOML: {exc}", hint="fix the file's syntax") from None
    problems: list[str] = []

    def check(key: str, parse: Any, value: Any) -> Any:
        try:
            return parse(value)
        except InvalidValue as exc:
            problems.append(f"{key}: {exc}")
            return None

    for key in sorted(set(data) - KNOWN_KEYS):
        problems.append(f"{key}: unknown key (known: {', '.join(sorted(KNOWN_KEYS))})")
    for key in ("payment_token", "record_date", "claim_deadline", "tax_account", "dust_account"):
        if key not in data:
            problems.append(f"{key}: missing")
    token = (
        check("payment_token", _token, data.get("payment_token", ""))
        if "payment_token" in data
        else None
    )
    record = (
        check("record_date", _record_date, data.get("record_date"))
        if "record_date" in data
        else None
    )
    deadline = (
        check("claim_deadline", _date, data.get("claim_deadline"))
        if "claim_deadline" in data
        else None
    )
    tax = check("tax_account", _address, data.get("tax_account")) if "tax_account" in data else None
    dust = (
        check("dust_account", _address, data.get("dust_account"))
        if "dust_account" in data
        else None
    )
    per_class = _per_class(data.get("per_class"), class_ids, problems)
    withholding = _withholding(data.get("withholding", {}), problems)
    if problems:
        listed = "; ".join(problems)
        raise InputError(
            f"{path}: {len(problems)} problem(s): {listed}",
            hint="fix the dividend file (SPEC §13); nothing was sent",
        )
    return DividendFile(
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        payment_token=str(token),
        record_date=record if isinstance(record, int) else str(record),
        claim_deadline=int(str(deadline)),
        per_class=per_class,
        withholding_percent=withholding,
        tax_account=str(tax),
        dust_account=str(dust),
    )


def _token(value: Any) -> str:
    text = str(value).strip()
    if text.lower() == "stablecoin":
        return "stablecoin"
    return _address(text)


def _address(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidValue(f"{value!r} is not an address (write it as a quoted string)")
    return parse_wallet(value)


def _record_date(value: Any) -> int | str:
    if isinstance(value, bool):
        raise InvalidValue("expected a block number or a DATE")
    if isinstance(value, int):
        if value < 0:
            raise InvalidValue(f"block {value} does not exist")
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    parse_date(text)  # checks the form
    return text


def _date(value: Any) -> int:
    if isinstance(value, datetime | date):
        value = value.isoformat()
    if not isinstance(value, str):
        raise InvalidValue(f'{value!r} is not a DATE (ISO 8601, e.g. "2027-09-30")')
    return parse_date(value)


def _decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int):  # a TOML float is inexact
        raise InvalidValue(f'{what} {value!r} must be a decimal string such as "0.25"')
    number = exact_decimal(value)
    if number is None:
        raise InvalidValue(f"{what} {value!r} is not a number")
    return number


def _per_class(
    value: Any, class_ids: tuple[str, ...], problems: list[str]
) -> tuple[ClassAmount, ...]:
    if not isinstance(value, list) or not value:
        problems.append("per_class: missing; add [[per_class]] with class and amount_per_share")
        return ()
    out: list[ClassAmount] = []
    for number, entry in enumerate(value, start=1):
        where = f"per_class #{number}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a table with class and amount_per_share")
            continue
        class_id = str(entry.get("class", "")).strip()
        if class_id not in class_ids:
            known = ", ".join(class_ids)
            problems.append(f"{where}: unknown class {class_id!r} (the offering's: {known})")
            continue
        if any(c.class_id == class_id for c in out):
            problems.append(f"{where}: class {class_id} is given twice")
            continue
        try:
            amount = _decimal(entry.get("amount_per_share"), "amount_per_share")
        except InvalidValue as exc:
            problems.append(f"{where}: {exc}")
            continue
        if amount <= 0:
            problems.append(f"{where}: amount_per_share must be positive, not {amount}")
            continue
        out.append(ClassAmount(class_id, amount))
    return tuple(out)


def _withholding(value: Any, problems: list[str]) -> dict[str, Decimal]:
    if not isinstance(value, dict):
        problems.append('withholding: expected a table such as [withholding] default = "0"')
        return {}
    out: dict[str, Decimal] = {"default": Decimal(0)}
    for key, raw in value.items():
        name = "default" if key == "default" else None
        if name is None:
            try:
                name = parse_jurisdiction(key).decode()
            except InvalidValue as exc:
                problems.append(f"withholding.{key}: {exc}")
                continue
        try:
            percent = _decimal(raw, "rate")
        except InvalidValue as exc:
            problems.append(f"withholding.{key}: {exc}")
            continue
        if not 0 <= percent <= 100:
            problems.append(f"withholding.{key}: {percent} is not a percentage from 0 to 100")
            continue
        out[name] = percent
    return out
