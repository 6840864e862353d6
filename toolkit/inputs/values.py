"""Wallets, investor ids, jurisdictions and yes/no values, as users type them.

Each parser returns the value the toolkit works with (a checksummed address, an investor id,
``bytes2``) or raises ``InvalidValue`` with a message that names what is wrong and what is
expected. Callers add the context: the command-line option (``parse_arg``), or the CSV line.
Pure functions: no chain, no files.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from toolkit.errors import InputError

T = TypeVar("T")
ZERO_ADDRESS = "0x" + "00" * 20
INVESTOR_ID_BYTES = 16
_HEX_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_JURISDICTION = re.compile(r"^[A-Z]{2}$")


class InvalidValue(ValueError):
    """A value that cannot be used; the message says why and what is expected."""


def as_input_error(exc: InvalidValue, what: str) -> InputError:
    """The command-line form of a bad value: exit 2, naming the argument."""
    return InputError(f"{what}: {exc}", hint="nothing was sent; fix the value and run it again")


def parse_arg(parse: Callable[[str], T], text: str, what: str) -> T:
    """A command-line value through its parser; a bad one is an InputError naming ``what``."""
    try:
        return parse(text)
    except InvalidValue as exc:
        raise as_input_error(exc, what) from exc


# --- wallets --------------------------------------------------------------------------------


def parse_wallet(text: str, *, checksummed: bool = True) -> str:
    """A hex address: EIP-55 checksummed, or all lower case with ``checksummed=False`` (the
    form the cap table keys wallets by). Mixed case must be a valid EIP-55 checksum; all-lower
    or all-upper hex carries no checksum and is accepted. The zero address is refused."""
    value = text.strip()
    if not _HEX_ADDRESS.match(value):
        raise InvalidValue(f"{text!r} is not an address (0x followed by 40 hex digits)")
    body = value[2:]
    lower = body.lower()
    mixed = body != lower and body != body.upper()
    if mixed and _eip55(value) != value:
        raise InvalidValue(
            f"{value} has a bad checksum (a typo?); copy the address again, "
            "or write it all in lower case to skip the check"
        )
    if int(body, 16) == 0:
        raise InvalidValue("the zero address cannot hold shares")
    return _eip55(value) if checksummed else "0x" + lower


def _eip55(wallet: str) -> str:
    """The EIP-55 form of a hex address (eth_hash directly: eth_utils is 10x slower)."""
    from eth_hash.auto import keccak

    body = wallet[2:].lower()
    digest = keccak(body.encode()).hex()
    return "0x" + "".join(
        c.upper() if int(d, 16) >= 8 else c for c, d in zip(body, digest[:40], strict=True)
    )


@lru_cache(maxsize=65_536)
def checksum_address(wallet: str) -> str:
    """The EIP-55 form of a wallet to show: cached, because a cap table shows each of
    thousands of wallets several times (a file is parsed with ``parse_wallet``, uncached)."""
    return _eip55(wallet)


# --- investors ------------------------------------------------------------------------------


def parse_investor_id(text: str) -> str:
    """An investor id: 1 to 16 printable ASCII characters without spaces (letters, digits,
    ``-_.``...), because it is stored on chain as ``bytes16``."""
    value = text.strip()
    if not value:
        raise InvalidValue("the investor id is empty")
    if not (value.isascii() and value.isprintable()) or " " in value:  # 33..126 only
        raise InvalidValue(
            f"investor id {value!r} must be printable ASCII without spaces (letters, digits, - _ .)"
        )
    if len(value) > INVESTOR_ID_BYTES:
        raise InvalidValue(
            f"investor id {value!r} is {len(value)} characters long; at most "
            f"{INVESTOR_ID_BYTES} fit on chain"
        )
    return value


def investor_id_bytes(investor_id: str) -> bytes:
    """The ``bytes16`` the registry stores for an investor id (zero-padded ASCII)."""
    return investor_id.encode("ascii").ljust(INVESTOR_ID_BYTES, b"\x00")


def investor_id_text(raw: bytes) -> str:
    """The investor id as typed, from its ``bytes16`` form ("" when zero: not registered)."""
    return raw.rstrip(b"\x00").decode("ascii", errors="replace")


# --- jurisdictions --------------------------------------------------------------------------


# codes people write that ISO 3166-1 does not assign (the EU's own abbreviations among them)
_COMMON_MISTAKES = {
    "UK": " (the United Kingdom is GB)",
    "EL": " (Greece is GR)",
    "EU": " (the EU is not a country: give each member state)",
}


def parse_jurisdiction(text: str) -> bytes:
    """An assigned ISO 3166-1 alpha-2 code in upper case ("US"), as ``bytes2``. The list of
    assigned codes is the ``iso3166`` package's (it counts XK, Kosovo, as the EU does)."""
    from iso3166 import countries_by_alpha2

    value = text.strip()
    if not _JURISDICTION.match(value):
        hint = f" (write {value.upper()!r})" if _JURISDICTION.match(value.upper()) else ""
        raise InvalidValue(
            f"jurisdiction {value!r} is not an ISO 3166-1 alpha-2 code in upper case, e.g. US, DE{hint}"
        )
    if value not in countries_by_alpha2:
        hint = _COMMON_MISTAKES.get(value, "")
        raise InvalidValue(
            f"jurisdiction {value!r} is not an assigned ISO 3166-1 alpha-2 country code{hint}, "
            "e.g. US, DE, GB"
        )
    return value.encode("ascii")


def jurisdiction_text(raw: bytes) -> str:
    """The code as text, from its ``bytes2`` form ("" when zero)."""
    return raw.rstrip(b"\x00").decode("ascii", errors="replace")


# --- yes / no -------------------------------------------------------------------------------


def parse_bool(text: str, *, default: bool | None = None) -> bool:
    value = text.strip().lower()
    if value in ("true", "yes", "y", "1"):
        return True
    if value in ("false", "no", "n", "0"):
        return False
    if value == "" and default is not None:
        return default
    raise InvalidValue(f"{text!r} is not true or false")
