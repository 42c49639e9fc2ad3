"""A lying prover against `audit --scheduler` on a margin round (SPEC.md §6.10 "An audit on a
cluster", §6.15): a prover publishing a `margin.audit` whose header lies — about its
capacity, its chunk, its version — must get from the units reading it in place the verdict
the streaming audit gives; and the units the auditor cuts must tile the account tree's
forest of perfect subtrees for every capacity and chunk a header may claim.

What the earlier tests (test_audit_inplace_margin.py) did not cover: header fields other
than the chunk and the layout digest (capacity, version, an oversized chunk), a version-1
header (another header length: every unit's byte range shifts), and units for capacities
that are not powers of two when a unit may hold more than GRANULE leaves; and a margin
customer's inclusion built from an account shard (§6.9.1) that was changed to show another
customer's account."""

import shutil
import sqlite3

import pytest

import marginkit
from test_margin_cluster import ROWS as CLUSTER_ROWS, _prove, small_units  # noqa: F401 (a fixture)
from test_audit_inplace_margin import _both, _copy, _republished, honest, in_place_only  # noqa: F401 (fixtures)
from zksolv import inclusion2, state
from zksolv.accounts import tree as account_tree
from zksolv.attestation import margininplace, marginfile
from zksolv.attestation.manifest2 import read as read_manifest
from zksolv.errors import InputError, InvalidProof

CAPACITY = slice(10, 18)
CHUNK = 18
"""Where the version-2 header holds the capacity (u64be) and log2(chunk) (SPEC.md §6.12.7)."""


def _with_capacity(data: bytearray, c, capacity: int, leaves: int) -> bytearray:
    """The header claims `capacity`; the file holds `leaves` leaves (its size then matches a
    header claiming `leaves`)."""
    data[CAPACITY] = capacity.to_bytes(8, "big")
    leaf = (len(data) - marginfile.HEADER_BYTES) // c.manifest.margin.capacity
    return data[: marginfile.HEADER_BYTES + leaves * leaf]


def _version_1(data: bytearray, log_capacity: int) -> bytearray:
    """The same leaves under a version-1 header (u8 log2(capacity) ‖ u8 log2(chunk))."""
    head = marginfile.MAGIC + (1).to_bytes(2, "big") + bytes([log_capacity, data[CHUNK]])
    return bytearray(head + data[marginfile.HEADER_BYTES - 32:])


def _lie(kind: str, data: bytearray, c) -> bytearray:
    if kind == "capacity 4, file of 4 leaves":
        return _with_capacity(data, c, 4, 4)
    if kind == "capacity 6, file of 6 leaves":
        return _with_capacity(data, c, 6, 6)
    if kind == "capacity 0, no leaves":
        return _with_capacity(data, c, 0, 0)
    if kind == "capacity 2^40":
        return _with_capacity(data, c, 1 << 40, 8)
    if kind == "chunk 16 > capacity":
        data[CHUNK] = 4
    elif kind == "chunk 2^40":
        data[CHUNK] = 40
    elif kind == "version 3":
        data[8:10] = (3).to_bytes(2, "big")
    elif kind == "version 1, capacity 2^33":
        return _version_1(data, 33)
    elif kind == "version 1, capacity 4, file of 8 leaves":
        return _version_1(data, 2)
    return data


LIES = {"capacity 4, file of 4 leaves": margininplace.HEADER_DISAGREES,
        "capacity 6, file of 6 leaves": "a margin capacity is a power of two",
        "capacity 0, no leaves": "a margin capacity is a power of two",
        "capacity 2^40": "a margin capacity is a power of two",
        "chunk 16 > capacity": "does not divide the capacity 8",
        "chunk 2^40": "does not divide the capacity 8",
        "version 3": "version 3 is not supported",
        "version 1, capacity 2^33": "bad capacity or chunk size",
        "version 1, capacity 4, file of 8 leaves": "the file has"}


@pytest.mark.parametrize("kind", sorted(LIES))
def test_a_header_that_lies_gets_the_streaming_audits_error_in_place(cluster, honest, in_place_only, tmp_path,
                                                                   kind):
    """The manifest names the lying file (its hash and size): only the header's checks can
    refuse it, and the units must not run on what the header claims."""
    copy, c = _copy(honest, tmp_path)
    path = copy / marginfile.FILE
    data = _lie(kind, bytearray(path.read_bytes()), c)
    path.write_bytes(data)
    pool, dask = _both(copy, _republished(c, bytes(data)), cluster)
    assert pool[0] != "valid" and LIES[kind] in pool[1], pool
    assert dask == pool


def test_a_version_1_header_shifts_every_unit_and_audits_alike(cluster, honest, in_place_only, tmp_path):
    """Earlier rounds' header is 7 bytes shorter: the units' byte ranges are where the
    auditor's scan found them, not at version 2's offsets."""
    copy, c = _copy(honest, tmp_path)
    path = copy / marginfile.FILE
    data = _version_1(bytearray(path.read_bytes()), 3)
    path.write_bytes(data)
    pool, dask = _both(copy, _republished(c, bytes(data)), cluster)
    assert pool[0] == "valid", pool
    assert dask == pool


CAPACITIES = [1 << k for k in range(0, 21)] + [k * account_tree.GRANULE for k in range(1, 40)]


@pytest.mark.parametrize("unit_leaves", [512, 2048, 8192])
def test_units_tile_the_forest_of_perfect_subtrees(monkeypatch, unit_leaves):
    """For every capacity check_capacity accepts (powers of two, multiples of GRANULE) and
    every chunk dividing it, the units cut as margininplace._units cuts them cover [0,
    capacity) without gap or overlap, each a power of two of leaves aligned inside one of
    the forest's subtrees (§6.15): else a unit's root is no node of the account tree."""
    monkeypatch.setattr(margininplace, "UNIT_LEAVES", unit_leaves)
    for capacity in CAPACITIES:
        forest = account_tree.subtrees(capacity)
        for chunk in (1 << k for k in range(0, capacity.bit_length()) if capacity % (1 << k) == 0):
            size = margininplace.chunks_per_unit(capacity, chunk) * chunk
            assert size & (size - 1) == 0 and capacity % size == 0, (capacity, chunk, size)
            for first in range(0, capacity, size):
                assert any(offset <= first and first + size <= offset + (1 << height) and (first - offset) % size == 0
                           for offset, height in forest), (capacity, chunk, first, size)


# ---- a margin customer's inclusion from a damaged account shard ------------------------------

def _customer_rows(directory):
    """{user: (shard path, position, balances JSON)} of every margin customer in the shards."""
    rows = {}
    for path in sorted((directory / "dask.db.d").glob("margin-*.db")):
        db = sqlite3.connect(path)
        rows.update({user: (path, position, units) for user, position, units
                     in db.execute("SELECT user_id, position, units FROM leaves")})
        db.close()
    return rows


def _damage(kind: str, rows) -> None:
    """alice's account row in her shard made to show bob's account, in part or whole."""
    alice, bob = rows["alice"], rows["bob"]
    if kind == "bob's balances":
        sql, args = "UPDATE leaves SET units = ? WHERE user_id = 'alice'", (bob[2],)
    elif kind == "bob's position":
        sql, args = "UPDATE leaves SET position = ? WHERE user_id = 'alice'", (bob[1],)
    elif kind == "bob's row":
        sql, args = "UPDATE leaves SET position = ?, units = ? WHERE user_id = 'alice'", (bob[1], bob[2])
    else:   # her lowest sibling's hash
        sql, args = "UPDATE levels SET hashes = zeroblob(length(hashes)) WHERE level = 0", ()
    db = sqlite3.connect(alice[0])
    db.execute(sql, args)
    db.commit()
    db.close()


SHARD_DAMAGE = ["bob's balances", "bob's position", "bob's row", "a zeroed level"]


def test_a_damaged_account_shard_never_shows_a_customer_another_account(cluster, small_units, tmp_path):
    """A margin round proved on a cluster keeps each account in its subtree's shard (SPEC.md
    §6.9.1): whatever of alice's row or her shard's nodes is changed, `inclusion` refuses
    (exit 3) — never a proof showing her bob's balances or position; and the proof a cheat
    would send her unchecked fails her own check."""
    marginkit.write_inputs(tmp_path / "in", CLUSTER_ROWS)
    _prove(tmp_path, "dask", scheduler=cluster.address)
    m = read_manifest(tmp_path / "dask" / "manifest.json")
    honest = inclusion2.build(state.State(tmp_path / "dask.db"), m, "alice")
    assert inclusion2.verify(honest, m, "alice").margin is not None
    rows = _customer_rows(tmp_path)
    assert {"alice", "bob"} <= set(rows) and rows["alice"][1:] != rows["bob"][1:]
    for kind in SHARD_DAMAGE:
        copy = tmp_path / kind.replace(" ", "-").replace("'", "")
        copy.mkdir()
        shutil.copy(tmp_path / "dask.db", copy / "dask.db")
        shutil.copytree(tmp_path / "dask.db.d", copy / "dask.db.d")
        _damage(kind, _customer_rows(copy))
        with pytest.raises(InputError, match="does not match its manifest"):
            inclusion2.build(state.State(copy / "dask.db"), m, "alice")
        shown = inclusion2.assemble(state.State(copy / "dask.db"), m, "alice")   # unchecked: as a cheat sends it
        assert shown["margin"] != honest["margin"], kind
        with pytest.raises(InvalidProof):   # the customer's own check
            inclusion2.verify(shown, m, "alice")
