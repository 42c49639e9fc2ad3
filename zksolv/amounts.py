"""Exact decimal amounts ↔ integer base units (SPEC.md §6.1). Never floats."""

import re

from zksolv.errors import InputError
from zksolv.strictjson import one_line

_AMOUNT = re.compile(r"[0-9]+(\.[0-9]+)?")
MAX_DECIMALS = 30
MAX_WHOLE_DIGITS = 40
"""Digits before the point: 10^40 > 2^128 base units, more than any attested range holds."""


def parse_amount(text: str, decimals: int) -> int:
    """Base units of a non-negative decimal string with at most `decimals` fraction digits
    and MAX_WHOLE_DIGITS whole digits (so no string is too long to convert)."""
    if not isinstance(text, str):
        raise InputError("an amount must be a decimal string")
    if len(text) > MAX_WHOLE_DIGITS + 1 + MAX_DECIMALS:
        raise InputError(f"amount {one_line(text, 24)!r} is longer than any amount can be")
    if not _AMOUNT.fullmatch(text):
        if text.strip().startswith("-"):
            raise InputError(f"negative amount {text!r}")
        raise InputError(f"amount {text!r} is not a plain decimal number")
    whole, _, fraction = text.partition(".")
    if len(whole) > MAX_WHOLE_DIGITS:
        raise InputError(f"amount {text!r} has more than {MAX_WHOLE_DIGITS} whole digits")
    if len(fraction) > decimals:
        raise InputError(f"amount {text!r} has {len(fraction)} decimals, the asset allows {decimals}")
    return int(whole) * 10**decimals + int(fraction.ljust(decimals, "0") or "0")


def format_amount(units: int, decimals: int) -> str:
    """The shortest exact decimal string for `units` base units."""
    whole, fraction = divmod(units, 10**decimals)
    text = f"{fraction:0{decimals}d}".rstrip("0") if decimals else ""
    return f"{whole}.{text}" if text else str(whole)


def check_decimals(decimals, where: str) -> int:
    """An asset's declared decimals: an integer from 0 to MAX_DECIMALS."""
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= MAX_DECIMALS:
        raise InputError(f"{where}: decimals must be an integer from 0 to {MAX_DECIMALS}")
    return decimals
