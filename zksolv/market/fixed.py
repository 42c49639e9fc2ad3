"""Exact fixed-point decimal strings ↔ integers, signed or not (SPEC.md §6.12.1). Never floats.

`parse_fixed("-33.33", 2, signed=True)` is −3333: the count of 10^−places. The ledger reads
its debts with zksolv/amounts.py on the unsigned part (ledger._units); `parse_signed_amount`
reads the signed balances a margin customer's inclusion proof and `--balance` carry.
"""

import re

from zksolv.amounts import format_amount
from zksolv.errors import InputError

_PLAIN = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")
MAX_CHARS = 64  # bounds int() on untrusted digits (Python refuses > 4300 digits with ValueError)


def parse_fixed(text, places: int, *, signed: bool = False) -> int:
    """An exact decimal string as an integer count of 10^−places: digits, an optional fraction
    of at most `places` digits, a leading `-` only if `signed`; no exponent, `+`, spaces or
    JSON numbers. Errors are InputErrors without a location: the caller adds it."""
    if not isinstance(text, str):
        raise InputError('must be a decimal string such as "1.5", not a JSON number or other value')
    if len(text) > MAX_CHARS:
        raise InputError(f"longer than {MAX_CHARS} characters")
    match = _PLAIN.fullmatch(text)
    if match is None:
        raise InputError(f"{text!r} is not a plain decimal number")
    sign, whole, fraction = match.group(1), match.group(2), match.group(3) or ""
    if sign and not signed:
        raise InputError(f"{text!r} must not be negative")
    if len(fraction) > places:
        raise InputError(f"{text!r} has {len(fraction)} fraction digits, at most {places} allowed")
    value = int(whole) * 10**places + int(fraction.ljust(places, "0") or "0")
    return -value if sign else value


def format_fixed(value: int, places: int) -> str:
    """The shortest exact decimal string of value·10^−places (no `-0`, no trailing zeros)."""
    text = format_amount(abs(value), places)
    return f"-{text}" if value < 0 else text


def parse_signed_amount(text, decimals: int) -> int:
    """A ledger amount that may be a debt: `-0.5` BTC is −50 000 000 base units."""
    return parse_fixed(text, decimals, signed=True)
