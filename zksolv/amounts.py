"""Exact decimal amounts ↔ integer base units (SPEC.md §6.1). Never floats."""

import re

from zksolv.errors import InputError

_AMOUNT = re.compile(r"[0-9]+(\.[0-9]+)?")
MAX_DECIMALS = 30


def parse_amount(text: str, decimals: int) -> int:
    """Base units of a non-negative decimal string with at most `decimals` fraction digits."""
    if not _AMOUNT.fullmatch(text):
        if text.strip().startswith("-"):
            raise InputError(f"negative amount {text!r}")
        raise InputError(f"amount {text!r} is not a plain decimal number")
    whole, _, fraction = text.partition(".")
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
