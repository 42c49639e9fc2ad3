"""The ledger checked in partitions (issue 14 item 2; SPEC.md §6.9.1): whatever the
partition size — down to one byte, so that every byte of a ledger is some partition's
edge — the rows, their lines and the first error are the streaming reader's, message for
message. Partitions run on Dask's synchronous scheduler here, and once on a real cluster.
Whole rounds: from 100-byte partitions (test_sharded.py) and from one (test_scale.py's
LocalCluster round, 1 MiB partitions) both give the pool's files, byte for byte."""

import os
import re

import pytest

from zksolv import fsutil, ledger, ledgerparts
from zksolv.errors import InputError

DECIMALS = {"BTC": 8, "ETH": 18, "JPY": 0}
BITS = {"BTC": 64, "ETH": 128, "JPY": 64}
H = b"user_id,asset,amount\n"


def _streamed(path):
    """What `read_ledger` gives: its rows, or its error message."""
    try:
        return [(r.user_id, r.asset, r.units, r.line) for r in ledger.read_ledger(path, DECIMALS, BITS)]
    except InputError as exc:
        return str(exc)


def _partitioned(path, part_bytes, compute=ledgerparts.synchronous):
    """What the partitioned check gives: the rows placement reads, or its error message. A
    duplicate with no other error is placement's to find (test_sharded.py), so checked here
    as the buckets check it: by key."""
    try:
        scan = ledgerparts.scan(compute, path, DECIMALS, BITS, part_bytes)
    except InputError as exc:
        return str(exc)
    rows = [(r.user_id, r.asset, r.units, r.line) for p in scan.partitions
            for r in ledgerparts.rows(scan.layout, p, DECIMALS, BITS)]
    assert scan.counts == {a: sum(r[1] == a for r in rows) for a in DECIMALS}
    assert scan.totals == {a: sum(r[2] for r in rows if r[1] == a) for a in DECIMALS}
    first = {}
    for user_id, asset, _, line in rows:
        if (user_id, asset) in first:
            return ledger.duplicate_message(str(path), line, user_id, asset, first[user_id, asset])
        first[user_id, asset] = line
    return rows


def _same_at_every_edge(tmp_path, data: bytes, sizes=None):
    """The same rows or error from partitions of every size in `sizes` (by default: 1 byte,
    which makes every byte an edge, 3 and 8, half the ledger and all of it)."""
    path = tmp_path / "ledger.csv"
    path.write_bytes(data)
    want = _streamed(path)
    for size in sizes or (1, 3, 8, len(data) // 2 + 1, len(data) + 1):
        assert _partitioned(path, size) == want, size
    return want


@pytest.mark.parametrize("data", [
    "\ufeffuser_id,asset,amount\r\n\"a,1\",BTC,1.5\r\nü,ETH,2\r\nb,JPY,3".encode(),   # BOM, CRLF, no last break
    H + b"a,BTC,1\rb,ETH,2\rc,JPY,3\r",                                               # CR alone
    H + b"a,BTC,1\r\n\"b\"\"q\",ETH,2\n\"c\",\"JPY\",\"3\"\n",                          # quotes, escaped quote
    b"\"user_id\n\",asset,amount\na,BTC,1\nb,ETH,2\n",                                 # a header on two lines
    H,                                                                                  # no row
])
def test_valid_ledgers_give_the_same_rows_on_the_same_lines(tmp_path, data):
    assert isinstance(_same_at_every_edge(tmp_path, data), list)


@pytest.mark.parametrize("data,match", [
    (H + b"x,BTC,bad\na,BTC,1\nb,ETH,2\n", ":2: amount"),                          # the first record
    (H + b"a,BTC,1\nb,ETH,2\nx,BTC,bad", ":4: amount"),                            # the last, no line break
    (H + b"a,BTC,1\n\"x\ny\",BTC,1\nb,ETH,2\n", ":4: user_id"),                     # a record on two lines
    (H + b"a,BTC,1\n\"x,BTC,1\nb,ETH,2\n\"\n", ":5: expected 3 fields"),            # a quote open for 3 lines
    (H + b"a,BTC,1\nb,ETH,2\n\"x,BTC,1\n", "malformed CSV: unexpected end"),       # open at the end
    (H + b"a,BTC,1\n\"x\"y,BTC,1\nb,ETH,2\n", "malformed CSV: ',' expected"),
    (H + b"a,BTC,1\r\n\r\nb,ETH,2\r\n", ":3: expected 3 fields .*, got 0"),             # a blank line, CRLF
    (H + b"a,BTC,1\rb,BTC,1\r\rc,BTC,1\r", ":4: expected 3 fields .*, got 0"),          # a blank line, CR
    (H + b"a,BTC,1\nb\xff,BTC,1\nc,BTC,x\n", "not UTF-8 text .*at byte 30"),
    (H + b"a,BTC,1\nb,BTC,x\nc\xff,BTC,1\n", "at byte 38"),    # the first 8 KiB decoded first, as streamed
    (H + b"a,BTC,1\nb,BTC,1\na,BTC,2\nz,BTC,x\n", ":4: duplicate row .* line 2"),    # a duplicate before an error
    (H + b"a,BTC,x\nb,BTC,1\nb,BTC,2\n", ":2: amount"),                              # an error before a duplicate
    (H + b"a,BTC,1\nx,BTC,-1\nb,ETH,2\n", ":3: amount: '-1': debts need --prices"),
    (H + "a,BTC,1\n\ufeffb,BTC,1\n".encode(), ":3: user_id"),                       # a BOM inside
    (b"user,asset,amount\na,BTC,1\n", ":1: header must be"),
    (b"", "empty file"),
])
def test_an_error_at_any_partition_edge_is_the_streaming_readers(tmp_path, data, match):
    message = _same_at_every_edge(tmp_path, data)
    assert isinstance(message, str) and re.search(match, message)


def test_the_smallest_line_wins_whatever_the_partitions(tmp_path):
    """Errors on lines 3 and 40, 60 rows: every partition size reports line 3."""
    rows = [f"u{i},BTC,1\n" for i in range(60)]
    rows[1], rows[38] = "u1,BTC,x\n", "u38,DOGE,1\n"
    message = _same_at_every_edge(tmp_path, H + "".join(rows).encode(), sizes=(1, 9, 100, 1000))
    assert message.endswith(":3: amount: amount 'x' is not a plain decimal number")


def test_a_line_over_the_bound_across_many_partitions(tmp_path):
    """A 20,000-character line spans partitions that find no line start within the bound of
    a line: the partition it starts in reports it, as the streaming reader does."""
    data = H + b"a,BTC,1\n" + b"u" * 20000 + b",BTC,1\nb,ETH,2\n"
    message = _same_at_every_edge(tmp_path, data, sizes=(1000, 7000, 16390, 1 << 20))
    assert message.endswith(":3: ledger line longer than 4096 characters")


def test_a_bad_byte_far_in_is_named_by_its_offset_in_the_file(tmp_path):
    """Beyond the reader's first 8 KiB both readers name the byte by its offset in the file
    (the streaming reader's decoder counts from its block: it is located again)."""
    data = H + b"".join(b"u%d,BTC,1\n" % i for i in range(2000)) + b"b\xff,BTC,1\n"
    offset = data.index(b"\xff")
    message = _same_at_every_edge(tmp_path, data, sizes=(1000, 1 << 20))
    assert message.endswith(f"not UTF-8 text (invalid start byte at byte {offset})")
    data = H + b"a,BTC,1\nb,BTC,x\n" + data[len(H):]           # an error before: it is the one reported
    assert _same_at_every_edge(tmp_path, data, sizes=(500, 1000, 1 << 20)).endswith(":3: amount: amount 'x' is not "
                                                                                  "a plain decimal number")


@pytest.mark.parametrize("cut", [0, 1, 2])
@pytest.mark.parametrize("end", [b"(,BTC,1\n", b""], ids=["bad-continuation", "file-ends"])
def test_a_sequence_cut_across_read_pieces_is_named_where_it_starts(tmp_path, monkeypatch, cut, end):
    """A three-byte sequence starting `cut` bytes before the end of one read piece and
    broken in the next (or by the end of the file): named at its first byte."""
    monkeypatch.setattr(fsutil, "READ_PIECE", 64)
    head = H + b"".join(b"u%d,BTC,1\n" % i for i in range(1200)) + b"b"
    pad = b"x" * ((-len(head) - cut) % 64)
    data = head + pad + b"\xe2\x82" + end
    path = tmp_path / "ledger.csv"
    path.write_bytes(data)
    assert _streamed(path).endswith(f"at byte {len(head + pad)})")


def test_a_ledger_changed_after_the_check_is_refused(tmp_path):
    """Same size, same counts and totals, another user: the modification time tells."""
    path = tmp_path / "ledger.csv"
    path.write_bytes(H + b"alice,BTC,1\n")
    scan = ledgerparts.scan(ledgerparts.synchronous, path, DECIMALS, BITS, 4)
    path.write_bytes(H + b"mallo,BTC,1\n")
    with pytest.raises(InputError, match="the ledger changed during the round"):
        [r for p in scan.partitions for r in ledgerparts.rows(scan.layout, p, DECIMALS, BITS)]


@pytest.mark.parametrize("again", [b"alice,BTC,2\nbob,BTC,1\n",       # same size, same counts and total
                                   b"alice,BTC,1\nbob,BTC,3\n"])      # its last row changed
def test_a_ledger_changed_with_its_size_and_time_kept_is_refused(tmp_path, again):
    """The identity (size, modification time) restored by hand: each range's digest tells."""
    path = tmp_path / "ledger.csv"
    path.write_bytes(H + b"alice,BTC,1\nbob,BTC,2\n")
    scan = ledgerparts.scan(ledgerparts.synchronous, path, DECIMALS, BITS)
    kept = path.stat()
    path.write_bytes(H + again)
    os.utime(path, ns=(kept.st_atime_ns, kept.st_mtime_ns))
    seen = []
    with pytest.raises(InputError, match="the ledger changed during the round"):
        for p in scan.partitions:
            seen.extend(ledgerparts.rows(scan.layout, p, DECIMALS, BITS))
    assert len(seen) < 2   # refused before the range's last row is given


def test_on_a_cluster_the_first_error_is_the_streaming_readers(cluster, tmp_path):
    """Tasks finishing in any order on real workers: still the smallest line."""
    from distributed import Client

    rows = [f"u{i},BTC,1\n" for i in range(300)]
    rows[250], rows[7], rows[100] = "u250,BTC,x\n", "u7,BTC,1.000000001\n", "u1,BTC,1\n"
    path = tmp_path / "ledger.csv"
    path.write_bytes(H + "".join(rows).encode())
    with Client(cluster.address) as client:
        got = _partitioned(path, 50, ledgerparts.on(client))
    assert got == _streamed(path) and ":9: amount" in got


def _cases(test) -> list:
    """The parameters of an existing test of the streaming reader (its pytest mark)."""
    (mark,) = [m for m in test.pytestmark if m.name == "parametrize"]
    return mark.args[1]


def test_every_ledger_error_of_the_streaming_readers_tests_is_the_same_here(tmp_path):
    """test_ledger.py's and test_strict_inputs.py's bad ledgers (and any added there later),
    partitioned: the same message, at every byte edge (ranges of 97 bytes and more for the
    long ones) and whole."""
    import test_ledger
    import test_strict_inputs

    bodies = [body for body, _ in _cases(test_ledger.test_rejects_with_file_and_line)]
    bodies += ["user_id,asset,amount\n" + row + "\n" for row, _ in _cases(test_strict_inputs.test_ledger_rows_are_bounded)]
    bodies += ["user_id,asset,amount\nal\xffice,BTC,1\n"]
    for body in bodies:
        data = body.encode("latin-1") if "\xff" in body else body.encode()
        sizes = (1, 7, 1 << 20) if len(data) < 300 else (97, 1000, 1 << 20)
        message = _same_at_every_edge(tmp_path, data, sizes)
        assert isinstance(message, str) and message.startswith(str(tmp_path / "ledger.csv")), body
    missing = tmp_path / "missing.csv"
    assert _partitioned(missing, 8) == _streamed(missing) and "cannot read" in _streamed(missing)


@pytest.mark.parametrize("size", [10, 1 << 20, (1 << 28) + 7, 6 * 10**9 + 1])
def test_a_huge_ledger_is_cut_into_at_most_max_partitions_ranges_that_cover_it(size):
    """Placement shuffles these ranges: their number stays bounded, whatever the ledger's size
    (the coordinator's graph grows with it), and they still cover every byte once."""
    lay = ledgerparts.Layout("ledger.csv", (size, 0), 9, 1)
    bounds = ledgerparts.ranges(lay, ledgerparts.PART_BYTES)
    assert len(bounds) <= ledgerparts.MAX_PARTITIONS
    assert bounds[0][0] == 9 and bounds[-1][1] == size
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
