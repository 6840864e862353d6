"""Exemption presets (SPEC §15): named sets of class rules an offering or a class may start from.

A preset is the offering-file keys it implies, written as a user would write them; the offering
parser merges them under the class's own keys (a key written beside the preset wins) and then
validates the result like any class. Each rule names the provision it encodes (``RULES``, also
the README's "Presets" section). Periods are counted from the deployment: ``"1y"`` is one
calendar year from the deployment's block time (see ``Until``).

What a preset cannot encode (figures per purchase rather than per holder, exceptions that need a
person's judgement) is said in ``NOT_ENCODED``; where a figure is uncertain the docs say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from toolkit.inputs import InvalidValue, parse_date, parse_duration

# "United States" in Regulation S (17 CFR 230.902(l)): the States, DC, territories and possessions
US_AND_POSSESSIONS = ("US", "PR", "GU", "VI", "AS", "MP", "UM")

PRESETS: dict[str, dict[str, object]] = {
    "reg-d-506b": {
        "allowed_categories": ["accredited", "qualified_purchaser", "retail"],
        "max_holders_by_category": {"retail": 35},
        "holding_period": "1y",
    },
    "reg-d-506c": {
        "allowed_categories": ["accredited"],
        "holding_period": "1y",
    },
    "reg-s": {
        "blocked_jurisdictions_until": dict.fromkeys(US_AND_POSSESSIONS, "1y"),
    },
    "reg-cf": {
        "holding_period": "1y",
    },
    "3c1": {
        "max_holders": 100,
    },
    "3c7": {
        "allowed_categories": ["qualified_purchaser"],
    },
    "eu-prospectus-exempt": {
        "allowed_categories": ["professional", "retail"],
        "max_holders_by_category": {"retail": 149},
    },
}

# preset -> (rule, legal reference), one line each in the README
RULES: dict[str, tuple[tuple[str, str], ...]] = {
    "reg-d-506b": (
        (
            "at most 35 retail (non-accredited) investors hold the class",
            "17 CFR 230.506(b)(2)(i)",
        ),
        (
            "receivers must be accredited, qualified purchasers or retail (a category is required, "
            "so the retail cap cannot be bypassed)",
            "17 CFR 230.501(a), 230.506(b)(2)(ii)",
        ),
        (
            "no transfer between holders for one year after deployment (restricted securities, "
            "non-reporting issuer)",
            "17 CFR 230.502(d), 230.144(d)(1)(ii)",
        ),
    ),
    "reg-d-506c": (
        ("receivers must be accredited investors", "17 CFR 230.506(c)(2)(i)"),
        (
            "no transfer between holders for one year after deployment",
            "17 CFR 230.502(d), 230.144(d)(1)(ii)",
        ),
    ),
    "reg-s": (
        (
            "receivers in the United States (US and its territories and possessions: PR, GU, VI, "
            "AS, MP, UM) are refused for a one-year distribution compliance period, lifted on "
            "its own",
            "17 CFR 230.902(l), 230.903(b)(3)(iii)(A)",
        ),
    ),
    "reg-cf": (
        (
            "no transfer between holders for one year after deployment",
            "17 CFR 227.501(a)",
        ),
    ),
    "3c1": (
        (
            "at most 100 investors hold the class",
            "Investment Company Act s. 3(c)(1), 15 U.S.C. 80a-3(c)(1)",
        ),
    ),
    "3c7": (
        (
            "receivers must be qualified purchasers",
            "Investment Company Act s. 3(c)(7) and 2(a)(51), 15 U.S.C. 80a-3(c)(7)",
        ),
    ),
    "eu-prospectus-exempt": (
        (
            "at most 149 retail investors (not qualified investors) hold the class",
            "Regulation (EU) 2017/1129, Art. 1(4)(b)",
        ),
        (
            "receivers must be professional (qualified investors) or retail",
            "Regulation (EU) 2017/1129, Art. 2(e); Directive 2014/65/EU, Annex II",
        ),
    ),
}

NOT_ENCODED: dict[str, str] = {
    "reg-d-506b": (
        "The rule counts purchasers per offering (with 90-day integration, 230.502(a)); the class "
        "counts holders at any time. Rule 144 runs per acquisition: shares issued later need "
        "their own --lockup-until. Six months applies instead to a reporting issuer (set "
        'holding_period = "6mo").'
    ),
    "reg-d-506c": (
        "Verification of accreditation (230.506(c)(2)(ii)) is the registrar's, off chain; as for "
        "506(b), Rule 144 runs per acquisition. A qualified purchaser verified as accredited is "
        "recorded as accredited."
    ),
    "reg-s": (
        "Six months instead of one year for a reporting issuer (to verify with counsel); the "
        "toolkit cannot tell a US person (230.902(k)) from a US jurisdiction: the registrar "
        "records a US person's jurisdiction as US."
    ),
    "reg-cf": (
        "The exceptions of 227.501(a)(1)-(4) (to the issuer, to an accredited investor, to family, "
        "in a registered offering) go through the issuer's force-transfer; per-investor "
        "investment limits (227.100(a)(2)) are not encoded."
    ),
    "3c1": (
        "The limit counts beneficial owners of the fund (all classes, with look-through rules of "
        "3(c)(1)(A)); a qualifying venture capital fund may have 250 (set max_holders = 250)."
    ),
    "3c7": "Knowledgeable employees (17 CFR 270.3c-5) must be recorded as qualified purchasers.",
    "eu-prospectus-exempt": (
        "The 150 count is per Member State; the class caps all retail holders together, which is "
        "stricter. Offers of at least EUR 100,000 per investor (Art. 1(4)(c), (d)) are another "
        "exemption, not encoded."
    ),
}

_CALENDAR = re.compile(r"^\s*(\d+)\s*(y|mo)\s*$")


@dataclass(frozen=True)
class Until:
    """When a dated rule ends: a date, or a period from the deployment (calendar years or months,
    or a duration in seconds)."""

    date: int | None = None
    months: int = 0
    seconds: int = 0

    def at(self, start: int) -> int:
        """The end, in unix seconds, for a deployment at ``start``."""
        if self.date is not None:
            return self.date
        moment = datetime.fromtimestamp(start, tz=UTC)
        month = moment.month - 1 + self.months
        year, month = moment.year + month // 12, month % 12 + 1
        day = moment.day
        while True:  # the 29th of February a year later is the 1st of March
            try:
                moment = moment.replace(year=year, month=month, day=day)
                break
            except ValueError:
                day, month = 1, month % 12 + 1
                year += 1 if month == 1 else 0
        return int(moment.timestamp()) + self.seconds


def parse_until(value: object) -> Until:
    """A rule's end: a DATE (``2027-06-30``), a calendar period from the deployment (``1y``,
    ``6mo``) or a duration (``90d``)."""
    if isinstance(value, str):
        calendar = _CALENDAR.match(value)
        if calendar:
            count = int(calendar.group(1))
            return Until(months=12 * count if calendar.group(2) == "y" else count)
        if "-" in value:
            return Until(date=parse_date(value))
    try:
        return Until(seconds=parse_duration(value))
    except InvalidValue:
        raise InvalidValue(
            f"{value!r} is neither a date (2027-06-30) nor a period (1y, 6mo, 90d)"
        ) from None


def preset_keys(name: object) -> dict[str, object]:
    """The keys preset ``name`` implies; InvalidValue for an unknown name."""
    if not isinstance(name, str) or name not in PRESETS:
        raise InvalidValue(f"unknown preset {name!r} (expected one of {', '.join(PRESETS)})")
    return dict(PRESETS[name])
