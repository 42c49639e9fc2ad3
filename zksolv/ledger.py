"""The liabilities ledger: a CSV of `user_id,asset,amount`, streamed (SPEC.md §6.1, §1.1).

Every problem is an InputError naming the file, line and field; nothing is written by
this module, so a bad ledger leaves nothing behind.
"""

from dataclasses import dataclass
from typing import Iterator

from zksolv.amounts import parse_amount
from zksolv.errors import InputError
from zksolv.fsutil import csv_reader
from zksolv.strictjson import one_line, printable

HEADER = ["user_id", "asset", "amount"]
MAX_USER_ID_BYTES = 256


@dataclass(frozen=True, slots=True)
class Row:
    """One ledger line: a user's balance of one asset, in base units."""

    user_id: str
    asset: str
    units: int
    line: int


def read_ledger(path: str, decimals: dict[str, int], max_bits: dict[str, int],
                debts: bool = False) -> Iterator[Row]:
    """Rows of the ledger at `path`, checked against the attested assets as they stream.

    Rejects a wrong header, unknown assets, malformed amounts, negative amounts unless
    `debts` (a margin round, `--prices`: SPEC.md §6.12), amounts with more decimals than
    declared or of magnitude at least 2^max_bits base units, and duplicate (user, asset) rows.
    """
    seen: dict[tuple[str, str], int] = {}
    where = one_line(str(path), 200)  # as messages show it: one line
    with csv_reader(path, "ledger") as reader:
        _check_header(where, next(reader, None))
        for row in reader:
            line = reader.line_num
            parsed = _parse_row(where, line, row, decimals, max_bits, debts)
            key = (parsed.user_id, parsed.asset)
            if key in seen:
                raise InputError(duplicate_message(where, line, parsed.user_id, parsed.asset, seen[key]))
            seen[key] = line
            yield parsed


def duplicate_message(where: str, line: int, user_id: str, asset: str, first: int) -> str:
    """The error of a second row for one (user, asset), however it was found."""
    return f"{where}:{line}: duplicate row for user {user_id!r} and asset {asset} (first on line {first})"


def _check_header(path: str, header) -> None:
    if header is None:
        raise InputError(f"{path}: empty file, expected the header {','.join(HEADER)}")
    if [h.strip().lstrip("\ufeff") for h in header] != HEADER:
        raise InputError(f"{path}:1: header must be {','.join(HEADER)}, got {one_line(','.join(header), 80)}")


def _parse_row(path, line, row, decimals, max_bits, debts) -> Row:
    if len(row) != 3:
        raise InputError(f"{path}:{line}: expected 3 fields (user_id,asset,amount), got {len(row)}")
    user_id, asset, amount = row
    if not user_id or len(user_id.encode()) > MAX_USER_ID_BYTES or not printable(user_id):
        raise InputError(f"{path}:{line}: user_id must be 1–{MAX_USER_ID_BYTES} bytes of printable text")
    if asset not in decimals:
        raise InputError(f"{path}:{line}: asset {one_line(asset, 40)!r} is not in the reserves file "
                         f"(attested: {', '.join(sorted(decimals))})")
    units = _units(path, line, amount, decimals[asset], debts)
    if abs(units) >= 1 << max_bits[asset]:
        raise InputError(f"{path}:{line}: amount: {amount} {asset} is at least 2^{max_bits[asset]} "
                         "base units, the attested leaf range")
    return Row(user_id, asset, units, line)


def _units(path, line, amount: str, places: int, debts: bool) -> int:
    """Signed base units: a leading `-` is a debt, allowed only in a margin round."""
    negative = amount.startswith("-")
    if negative and not debts:
        raise InputError(f"{path}:{line}: amount: {one_line(amount, 40)!r}: debts need --prices (a margin round)")
    try:
        units = parse_amount(amount[1:] if negative else amount, places)
    except InputError as exc:
        raise InputError(f"{path}:{line}: amount: {exc}") from None
    return -units if negative else units
