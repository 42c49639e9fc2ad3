"""The liabilities ledger: a CSV of `user_id,asset,amount`, streamed (SPEC.md §6.1, §1.1).

Every problem is an InputError naming the file, line and field; nothing is written by
this module, so a bad ledger leaves nothing behind.
"""

import csv
import io
from dataclasses import dataclass
from typing import Iterator

from zksolv.amounts import parse_amount
from zksolv.errors import InputError
from zksolv.fsutil import csv_reader, open_regular
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
                raise InputError(f"{where}:{line}: duplicate row for user {parsed.user_id!r} "
                                 f"and asset {parsed.asset} (first on line {seen[key]})")
            seen[key] = line
            yield parsed


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


@dataclass(frozen=True, slots=True)
class Partition:
    """Consecutive whole records of the ledger: bytes [start, end), the first on `first_line`."""

    start: int
    end: int
    first_line: int


@dataclass
class Scan:
    """What one streaming pass tells of a ledger, in memory O(assets + partitions)."""

    counts: dict[str, int]
    totals: dict[str, int]
    partitions: list[Partition]


def scan(path: str, decimals: dict[str, int], max_bits: dict[str, int], rows_per_partition: int) -> Scan:
    """Every check `read_ledger` makes but the duplicate one, streamed, keeping no row: each
    asset's row count and total, and partitions of `rows_per_partition` records for workers
    to read (`read_partition`). Duplicate rows are found where placement brings them
    together (they share their secret position key: SPEC.md §6.2), not here."""
    where, consumed = one_line(str(path), 200), [0]
    counts, totals, partitions = dict.fromkeys(decimals, 0), dict.fromkeys(decimals, 0), []
    with csv_reader(path, "ledger", consumed=consumed) as reader:
        _check_header(where, next(reader, None))
        start, first_line, rows = consumed[0], reader.line_num + 1, 0
        for row in reader:
            parsed = _parse_row(where, reader.line_num, row, decimals, max_bits, False)
            counts[parsed.asset] += 1
            totals[parsed.asset] += parsed.units
            rows += 1
            if rows == rows_per_partition:
                partitions.append(Partition(start, consumed[0], first_line))
                start, first_line, rows = consumed[0], reader.line_num + 1, 0
        if rows:
            partitions.append(Partition(start, consumed[0], first_line))
    return Scan(counts, totals, partitions)


def read_partition(path: str, part: Partition, decimals: dict[str, int], max_bits: dict[str, int]) -> list[Row]:
    """The rows of one partition (a worker's share of the ledger), checked again as they are
    read: a ledger that changed since `scan` is an InputError, never a different round."""
    where = one_line(str(path), 200)
    with open_regular(path, "ledger") as f:
        f.seek(part.start)
        data = f.read(part.end - part.start)
    try:
        text = data.decode("utf-8")
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        return [_parse_row(where, part.first_line - 1 + reader.line_num, row, decimals, max_bits, False)
                for row in reader]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{where}: the ledger changed while it was read ({exc})") from None
