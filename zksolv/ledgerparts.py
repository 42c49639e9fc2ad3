"""The ledger read and checked in partitions on a Dask cluster (issue 14 item 2; SPEC.md
§6.1, §6.9.1): no process reads the whole ledger.

The coordinator reads the header (as `ledger.read_ledger` does) and cuts the rest into byte
ranges by size alone. A task takes the lines that *start* in its range (it finds its first
line start itself) and checks their rows as `read_ledger` does, but the duplicate check
(placement makes it, where a user's rows meet); it returns its line count, its first error
and, through a Dask reduction, each asset's row count and total. The coordinator — O(ranges)
— numbers every range's first line from the counts before it and reports the first error.

Why a line start is a record start: a record spans lines only through a line break inside
a quoted field, and no row holding one is valid (a user_id is printable, an asset name is
`[A-Za-z0-9._-]`, an amount digits). So up to the first error every range begins on a
record; the first range with an error reads, as the streaming reader would, on past its
end if its last record goes on, and its first error is the streaming reader's first error.
"""

import csv
import hashlib
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass

from zksolv import ledger
from zksolv.errors import InputError
from zksolv.fsutil import MAX_CSV_LINE, csv_reader, open_regular
from zksolv.strictjson import one_line

PART_BYTES = 1 << 20
"""Ledger bytes a task checks at least (about 30,000 rows)."""
MAX_PARTITIONS = 256
"""At most this many ranges (larger ones beyond 256 MiB of ledger): placement shuffles these
partitions, and Dask's task shuffle puts O(P log P) tasks in the coordinator's graph for P
partitions, ≈ 5 KB each while the graph is submitted (bench/RESULTS.md, "The coordinator
stays small")."""
MAX_LINE_BYTES = 4 * MAX_CSV_LINE
"""Bytes of the longest line the reader accepts (MAX_CSV_LINE characters of ≤ 4 bytes)."""
_BREAK = re.compile(rb"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class Layout:
    """What the coordinator knows of the ledger before the tasks run: O(1)."""

    path: str
    identity: tuple[int, int]       # size and modification time: a ledger changed is refused
    data_start: int                 # the byte after the header record
    header_lines: int


@dataclass(frozen=True, slots=True)
class Partition:
    """Consecutive whole records of the ledger: bytes [start, end), the first on `first_line`,
    their SHA-256 `digest` as the check read them (b"" for the range an error ends)."""

    start: int
    end: int
    first_line: int
    digest: bytes = b""


@dataclass
class Scan:
    """The ledger as the coordinator holds it: O(assets + partitions)."""

    counts: dict[str, int]
    totals: dict[str, int]
    partitions: list[Partition]
    layout: Layout


def layout(path) -> Layout:
    """The ledger's identity, and its header checked as the streaming reader checks it."""
    with open_regular(path, "ledger") as f:
        st = os.fstat(f.fileno())
    consumed = [0]
    with csv_reader(path, "ledger", consumed=consumed) as reader:
        ledger._check_header(one_line(str(path), 200), next(reader, None))
        lines = reader.line_num
    return Layout(str(path), (st.st_size, st.st_mtime_ns), consumed[0], lines)


def ranges(lay: Layout, part_bytes: int) -> list[tuple[int, int]]:
    """The byte ranges of the rows, by size alone: `part_bytes` each, or more so that there
    are at most MAX_PARTITIONS."""
    size = lay.identity[0]
    part_bytes = max(part_bytes, -(-(size - lay.data_start) // MAX_PARTITIONS))
    return [(s, min(s + part_bytes, size)) for s in range(lay.data_start, size, part_bytes)]


@contextmanager
def opened(lay: Layout):
    """The ledger opened for a task, refused if it is not the file the coordinator saw."""
    with open_regular(lay.path, "ledger") as f:
        st = os.fstat(f.fileno())
        if (st.st_size, st.st_mtime_ns) != lay.identity:
            raise _changed(lay)
        yield f


class _Found(Exception):
    """A task's first error: (the line it is on, counted in the task; the message; the path
    as the message shows it if the message names that line, else None)."""


class Lines:
    """The lines of the ledger from byte `pos` on, split as the streaming reader splits them
    (at \\n, \\r\\n and \\r), decoded and bounded as it decodes and bounds them; `pos` is the
    byte after the last line given, `count` the lines given, `hashed` a SHA-256 of them."""

    def __init__(self, f, pos: int, first_read: int, path: str):
        self.f, self.pos, self.count, self.first_read = f, pos, 0, max(first_read, 2)
        self.shown, self.hashed = one_line(path), hashlib.sha256()

    def __iter__(self):
        self.f.seek(self.pos)
        carry, size = b"", self.first_read
        while True:
            block = self.f.read(size)
            size = MAX_LINE_BYTES + 2
            pieces = (carry + block).splitlines(keepends=True)
            carry = pieces.pop() if block and pieces and not pieces[-1].endswith(b"\n") else b""
            for piece in pieces:
                yield self._decoded(piece)
            if len(carry) > MAX_LINE_BYTES:
                self._too_long()
            if not block:
                return

    def _decoded(self, piece: bytes) -> str:
        try:
            line = piece.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Found(self.count + 1, f"{self.shown}: ledger is not UTF-8 text "
                                         f"({exc.reason} at byte {self.pos + exc.start})", None) from None
        if len(line) > MAX_CSV_LINE:
            self._too_long()
        self.pos += len(piece)
        self.count += 1
        self.hashed.update(piece)
        return line

    def _too_long(self):
        raise _Found(self.count + 1, f"{self.shown}:{self.count + 1}: ledger line longer than {MAX_CSV_LINE} "
                                     "characters", self.shown)


def next_line_start(f, at: int, lay: Layout) -> int | None:
    """The first line start at or after `at`; None if the line holding byte `at` − 1 runs on
    for more bytes than any line may hold (the range it starts in then reports it too long,
    as it does if the window ends between the \r and \n of its end)."""
    if at == lay.data_start:
        return at
    f.seek(at - 1)
    window = f.read(MAX_LINE_BYTES + 3)
    found = _BREAK.search(window)
    if found is None:
        return None
    return at - 1 + found.end()


def check_part(bounds: tuple[int, int], lay: Layout, decimals, max_bits, debts: bool = False) -> dict:
    """A task: the rows of the lines starting in `bounds`, checked. Returns where its records
    start and end, its line count, each asset's count and total, and its first error as
    (line in the task, message) or None."""
    start, end = bounds
    counts, totals = {}, {}
    with opened(lay) as f:
        first = next_line_start(f, start, lay)
        if first is None or first >= end:
            return _summary(start if first is None else first, None, counts, totals, None)
        lines = Lines(f, first, end - first + 1, lay.path)
        error = None
        try:
            for parsed in _parsed(lines, end, lay.path, decimals, max_bits, debts):
                counts[parsed.asset] = counts.get(parsed.asset, 0) + 1
                totals[parsed.asset] = totals.get(parsed.asset, 0) + parsed.units
        except _Found as found:
            error = found.args
    return _summary(first, lines, counts, totals, error)


def _parsed(lines: Lines, end: int, path: str, decimals, max_bits, debts: bool = False):
    """The rows of the records starting before byte `end`; the first error as _Found.
    `debts`: negative amounts allowed (a margin round, SPEC.md §6.12.7)."""
    where = one_line(path, 200)
    reader = csv.reader(lines, strict=True)
    try:
        for row in reader:
            yield ledger._parse_row(where, reader.line_num, row, decimals, max_bits, debts)
            if lines.pos >= end:
                return
    except csv.Error as exc:
        raise _Found(reader.line_num, f"{one_line(path)}: ledger is malformed CSV: {exc}", None) from None
    except InputError as exc:
        raise _Found(reader.line_num, str(exc), where) from None


def _summary(first: int, lines: Lines | None, counts, totals, error) -> dict:
    return {"start": first, "end": lines.pos if lines else first, "lines": lines.count if lines else 0,
            "digest": (lines.hashed if lines else hashlib.sha256()).digest(), "counts": counts, "totals": totals,
            "error": error}


def rows(lay: Layout, part: Partition, decimals, max_bits, before_line: int | None = None, debts: bool = False):
    """The rows of a partition checked by `scan` (placement reads them again), numbered from
    its first line; with `before_line`, only those on earlier lines. An error now, or other
    bytes than those the check hashed, mean the ledger changed since it was checked: refused
    before the partition's last row is given."""
    with opened(lay) as f:
        lines = Lines(f, part.start, min(part.end - part.start, PART_BYTES) + 1, lay.path)
        try:
            for row in _parsed(lines, part.end, lay.path, decimals, max_bits, debts):
                line = part.first_line - 1 + row.line
                if before_line is not None and line >= before_line:
                    return
                if before_line is None and lines.pos >= part.end and lines.hashed.digest() != part.digest:
                    raise _changed(lay)
                yield ledger.Row(row.user_id, row.asset, row.units, line)
        except _Found as found:
            if before_line is not None and part.first_line - 1 + found.args[0] >= before_line:
                return      # the error `before_line` is on
            raise _changed(lay) from None


def _changed(lay: Layout) -> InputError:
    return InputError(f"{one_line(lay.path, 200)}: the ledger changed during the round; run the round again")


def synchronous(*collections):
    """Compute Dask collections in this process (tests, tools)."""
    import dask

    return dask.compute(*collections, scheduler="sync")


def on(client):
    """Compute Dask collections on the cluster of `client`."""
    return lambda *collections: client.compute(list(collections), sync=True)


def scan(compute, path, decimals: dict[str, int], max_bits: dict[str, int], part_bytes: int | None = None,
         debts: bool = False) -> Scan:
    """Every check `ledger.read_ledger` makes, in tasks computed by `compute` (`on(client)`):
    each asset's row count and total, and the partitions placement reads. The first error
    in the file — a duplicate row before it included — is the InputError raised, the one
    the streaming reader raises (SPEC.md §6.9.1); `debts` as `read_ledger`'s."""
    import dask.bag as db

    lay = layout(path)
    bounds = ranges(lay, part_bytes or PART_BYTES)
    if not bounds:
        return Scan(dict.fromkeys(decimals, 0), dict.fromkeys(decimals, 0), [], lay)
    checked = db.from_sequence(bounds, npartitions=len(bounds)).map(check_part, lay, decimals, max_bits, debts)
    sums, edges = compute(checked.reduction(_asset_sums, _asset_sums), checked.map(_edge))
    partitions, error = _numbered(lay, edges)
    if error is not None:
        raise _first_error(compute, lay, partitions, error, decimals, max_bits, debts)
    counts, totals = sums
    return Scan({a: counts.get(a, 0) for a in decimals}, {a: totals.get(a, 0) for a in decimals}, partitions, lay)


def _asset_sums(items) -> tuple[dict, dict]:
    """Each asset's rows and total, over task summaries or over sums already made."""
    counts, totals = {}, {}
    for item in items:
        c, t = (item["counts"], item["totals"]) if isinstance(item, dict) else item
        for asset in c:
            counts[asset] = counts.get(asset, 0) + c[asset]
            totals[asset] = totals.get(asset, 0) + t[asset]
    return counts, totals


def _edge(summary: dict) -> tuple:
    return summary["start"], summary["end"], summary["lines"], summary["digest"], summary["error"]


def _numbered(lay: Layout, edges) -> tuple[list[Partition], tuple | None]:
    """Each range's first line from the line counts before it (O(ranges)); the ranges with
    rows as partitions, up to the first with an error: (partitions, (that range's
    partition, the error's line in the file, its message)) or (partitions, None)."""
    line, partitions = lay.header_lines + 1, []
    for start, end, count, digest, error in edges:
        if error is not None:
            local, message, shown = error
            at = line + local - 1
            if shown is not None:
                message = f"{shown}:{at}: " + message.removeprefix(f"{shown}:{local}: ")
            return partitions, (Partition(start, lay.identity[0], line), at, message)
        if count:
            partitions.append(Partition(start, end, line, digest))
        line += count
    return partitions, None


def _first_error(compute, lay: Layout, partitions: list[Partition], error: tuple, decimals, max_bits,
                 debts: bool = False) -> InputError:
    """The streaming reader's error: the first duplicate row if one is on an earlier line
    than the first other error (found by a Dask fold over the rows before it), else that."""
    import dask.bag as db

    part, line, message = error
    parts = partitions + [part]
    keyed = db.from_sequence(parts, npartitions=len(parts)).map_partitions(_keyed_rows, lay, line, decimals, max_bits,
                                                                           debts)
    firsts = keyed.foldby(_key, _two_first, (), _two_of_both, ())
    (duplicate,) = compute(firsts.reduction(_repeat_in, _earliest))
    if duplicate is None:
        return InputError(message)
    again, first, (user_id, asset) = duplicate
    return InputError(ledger.duplicate_message(one_line(lay.path, 200), again, user_id, asset, first))


def _keyed_rows(parts, lay: Layout, before_line: int, decimals, max_bits, debts: bool = False) -> list:
    return [((r.user_id, r.asset), r.line) for part in parts
            for r in rows(lay, part, decimals, max_bits, before_line, debts)]


def _key(item):
    return item[0]


def _two_first(lines: tuple, item) -> tuple:
    return tuple(sorted(lines + (item[1],))[:2])


def _two_of_both(a: tuple, b: tuple) -> tuple:
    return tuple(sorted(a + b)[:2])


def _repeat_in(folded) -> tuple | None:
    """The earliest second row of a (user, asset) among (key, its two first lines):
    (its line, the first's, the key) or None."""
    return _earliest((lines[1], lines[0], key) for key, lines in folded if len(lines) == 2)


def _earliest(found) -> tuple | None:
    return min((f for f in found if f is not None), default=None)
