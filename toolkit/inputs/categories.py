"""Investor categories (SPEC §15): the names users type and the numbers the registry stores.

The registry keeps one category per wallet, with its own expiry (0 = none):
0 none, 1 accredited, 2 qualified purchaser, 3 professional (EU), 4 retail.
"""

from __future__ import annotations

from toolkit.inputs.values import InvalidValue

NO_CATEGORY = 0
ACCREDITED = 1
MAX_UINT32 = 2**32 - 1  # a category's own expiry is a uint32 of unix seconds (year 2106)
CATEGORIES: dict[str, int] = {
    "accredited": 1,
    "qualified_purchaser": 2,
    "professional": 3,
    "retail": 4,
}
CATEGORY_NAMES: dict[int, str] = {code: name for name, code in CATEGORIES.items()}


def parse_category(text: str) -> int:
    """A category name (``accredited``, ``qualified_purchaser``, ``professional``, ``retail``;
    ``-`` accepted for ``_``, any case) as the registry's number."""
    key = text.strip().lower().replace("-", "_")
    if key in CATEGORIES:
        return CATEGORIES[key]
    raise InvalidValue(
        f"unknown investor category {text!r} (expected one of {', '.join(CATEGORIES)})"
    )


def category_name(code: int) -> str | None:
    """The name of a registry category number; None for "no category"."""
    return CATEGORY_NAMES.get(code)


def category_mask(names: tuple[str, ...]) -> int:
    """The registry's bit mask of allowed categories (bit n = category n)."""
    return sum(1 << CATEGORIES[name] for name in names)
