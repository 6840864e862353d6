"""What users type and the files they give, read once for the command line and every file.

``values`` (wallets, investor ids, jurisdictions, yes/no), ``shares`` (share counts in a
class's base units), ``amounts`` (ether amounts: gas prices), ``dates`` (dates, durations, vesting, and the UTC formatters) and
``csv_file`` (the CSV reader every batch file goes through). Each value has one parser and each
format one formatter; everything here is importable from ``toolkit.inputs``. Pure: no chain.
"""

from toolkit.inputs.amounts import (
    exact_decimal,
    format_ether,
    format_gwei,
    parse_amount,
    parse_wei,
)
from toolkit.inputs.categories import (
    ACCREDITED,
    CATEGORIES,
    MAX_UINT32,
    NO_CATEGORY,
    category_mask,
    category_name,
    parse_category,
)
from toolkit.inputs.dates import (
    DAY,
    MAX_UINT40,
    MAX_UINT64,
    Vesting,
    format_duration,
    format_time,
    iso_date,
    iso_time,
    json_time,
    parse_date,
    parse_duration,
    parse_future_date,
    parse_lockup,
    parse_vesting,
)
from toolkit.inputs.shares import format_shares, parse_shares
from toolkit.inputs.values import (
    INVESTOR_ID_BYTES,
    ZERO_ADDRESS,
    InvalidValue,
    as_input_error,
    checksum_address,
    investor_id_bytes,
    investor_id_text,
    jurisdiction_text,
    parse_arg,
    parse_bool,
    parse_investor_id,
    parse_jurisdiction,
    parse_wallet,
)

__all__ = [
    "ACCREDITED",
    "CATEGORIES",
    "DAY",
    "INVESTOR_ID_BYTES",
    "MAX_UINT32",
    "MAX_UINT40",
    "MAX_UINT64",
    "NO_CATEGORY",
    "ZERO_ADDRESS",
    "InvalidValue",
    "Vesting",
    "as_input_error",
    "category_mask",
    "category_name",
    "checksum_address",
    "exact_decimal",
    "format_duration",
    "format_ether",
    "format_gwei",
    "format_shares",
    "format_time",
    "investor_id_bytes",
    "investor_id_text",
    "iso_date",
    "iso_time",
    "json_time",
    "jurisdiction_text",
    "parse_amount",
    "parse_arg",
    "parse_bool",
    "parse_category",
    "parse_date",
    "parse_duration",
    "parse_future_date",
    "parse_investor_id",
    "parse_jurisdiction",
    "parse_lockup",
    "parse_shares",
    "parse_vesting",
    "parse_wallet",
    "parse_wei",
]
