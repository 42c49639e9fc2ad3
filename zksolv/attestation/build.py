"""Building one asset's leaves and tree on the prover's side (DESIGN §4; SPEC.md §6.2–6.3).

Real leaves get their salt and blinding from the user's round secret; padding leaves get
theirs from the master secret and look the same. All leaves are placed in increasing order
of a secret key; then the tree is built over them as a stream. Per leaf the prover keeps
compact records only: a 32-byte value, a 32-byte blinding and an owner index.
"""

from array import array
from dataclasses import dataclass
from functools import cached_property
from typing import Iterator

from zksolv import roundkeys, tree
from zksolv.commitments import commit_many
from zksolv.group import N
from zksolv.group.curve import POINT_BYTES
from zksolv.hashing import id_hash, leaf_hash

RECORD = 32  # bytes per value and per blinding record
COMMIT_BATCH = 64
"""Leaves committed in one kernel call (commitments.commit_many: eight at a time on the lanes)."""
TREE_BATCH = 256
"""Leaves added to the tree at once (tree.Builder.push_many: one batched call a level)."""


@dataclass
class AssetLeaves:
    """One asset's leaves in tree order, their openings (compact records) and the tree."""

    asset: str
    leaf_bits: int
    chunk: int
    users: list[tuple[str, int]]  # the asset's (user_id, units) rows, in ledger order
    owner_index: array  # per position: index into `users`, or -1 for padding
    value_records: bytearray
    blinding_records: bytearray
    levels: list[tree.Level]

    @property
    def capacity(self) -> int:
        return len(self.owner_index)

    def values(self, start: int = 0, end: int | None = None) -> list[int]:
        return _ints(self.value_records, start, self.capacity if end is None else end)

    def blindings(self, start: int = 0, end: int | None = None) -> list[int]:
        return _ints(self.blinding_records, start, self.capacity if end is None else end)

    @cached_property
    def total(self) -> int:
        """L: the sum of all leaf values (decoded once; the records do not change)."""
        return sum(self.values())

    @cached_property
    def root_blinding(self) -> int:
        return sum(self.blindings()) % N

    @property
    def root(self) -> tuple[bytes, bytes]:
        return self.levels[-1].node(0)

    def chunk_openings(self, k: int) -> tuple[list[int], list[int], bytes]:
        """Chunk `k`'s values, blindings and joined commitments (as `LeafStream`'s)."""
        return _chunk_openings(self.value_records, self.blinding_records, self.levels[0].commitments,
                               k * self.chunk, (k + 1) * self.chunk)

    def holdings(self) -> Iterator[tuple[str, int, int]]:
        """(user_id, position, units) of every real leaf."""
        for position, owner in enumerate(self.owner_index):
            if owner >= 0:
                user_id, units = self.users[owner]
                yield user_id, position, units


def _ints(records: bytes, start: int, end: int) -> list[int]:
    return [int.from_bytes(records[i : i + RECORD], "big") for i in range(start * RECORD, end * RECORD, RECORD)]


def _chunk_openings(values: bytes, blindings: bytes, commitments: bytes, start: int, end: int):
    """(values, blindings, joined commitments) of leaves start … end − 1: a chunk's (SPEC.md §6.3, §6.6)."""
    return (_ints(values, start, end), _ints(blindings, start, end),
            bytes(commitments[start * POINT_BYTES:end * POINT_BYTES]))


def default_capacity(users: int) -> int:
    """The next power of two at or above the user count (at least 1)."""
    return 1 << max(0, (users - 1).bit_length())


def order_entry(master: bytes, asset: str, user_id: str | None, index: int) -> tuple[bytes, bytes]:
    """(order key, H_id) of a real leaf (`user_id`) or of padding leaf `index`: all that
    placing a leaf needs (SPEC.md §6.2–6.3), without its blinding."""
    if user_id is None:
        digest = roundkeys.padding_id_hash(master, asset, index)
    else:
        digest = id_hash(user_id, roundkeys.leaf_salt(roundkeys.user_secret(master, user_id), asset))
    return roundkeys.order_key(master, asset, digest), digest


def blinding_of(master: bytes, asset: str, user_id: str | None, index: int) -> int:
    """The blinding of a real leaf (`user_id`) or of padding leaf `index` (SPEC.md §6.2)."""
    if user_id is None:
        return roundkeys.padding_blinding(master, asset, index)
    return roundkeys.leaf_blinding(roundkeys.user_secret(master, user_id), asset)


def _opening(master: bytes, asset: str, balances, slot: int) -> tuple[int, int]:
    """(units, blinding) of `slot`: a user's row, or padding leaf slot − users (0 units)."""
    if slot < len(balances):
        user_id, units = balances[slot]
        return units, blinding_of(master, asset, user_id, 0)
    return 0, blinding_of(master, asset, None, slot - len(balances))


def _placed(master: bytes, asset: str, balances, capacity: int) -> list[bytes]:
    """Every slot (a user's row, then padding) as order key ‖ H_id ‖ u64be(slot), in
    decreasing order of its key: popped from the end, the leaf order (SPEC.md §6.3), each
    keyed hash computed once. One 72-byte string a leaf, freed as the leaf is built."""
    users = len(balances)
    placed = []
    for slot in range(capacity):
        user_id = balances[slot][0] if slot < users else None
        key, digest = order_entry(master, asset, user_id, slot - users)
        placed.append(key + digest + slot.to_bytes(8, "big"))
    placed.sort(reverse=True)   # keys are distinct (a user's row once: the ledger reader refuses repeats)
    return placed


def leaf_nodes(asset: str, leaves) -> tuple[list, bytes, bytes]:
    """The points, 33-byte commitments and hashes (joined) of leaves given as (units,
    blinding, H_id), in order (SPEC.md §6.3): committed COMMIT_BATCH at a time."""
    points = []
    for at in range(0, len(leaves), COMMIT_BATCH):
        part = leaves[at:at + COMMIT_BATCH]
        points += commit_many([units for units, _, _ in part], [blinding for _, blinding, _ in part])
    commitments = [point.to_bytes() for point in points]
    hashes = b"".join([leaf_hash(asset, digest, c) for (_, _, digest), c in zip(leaves, commitments)])
    return points, b"".join(commitments), hashes


class LeafStream:
    """One asset's leaves built TREE_BATCH at a time in tree order, as far as asked
    (`build_to`): the local pool proves the first chunks while later leaves are built
    (issue 14). The same leaves, records and tree as built at once (SPEC.md §6.2–6.3)."""

    def __init__(self, master: bytes, asset: str, balances: list[tuple[str, int]], capacity: int,
                 leaf_bits: int, chunk: int):
        self.master, self.asset, self.balances, self.capacity = master, asset, balances, capacity
        self.leaf_bits, self.chunk = leaf_bits, chunk
        self.owners, self.value_records, self.blinding_records = array("l"), bytearray(), bytearray()
        self.builder = tree.Builder()
        self._placed: list[bytes] | None = None

    @property
    def built(self) -> int:
        return len(self.owners)

    def build_to(self, count: int) -> None:
        """At least the first min(`count`, capacity) leaves built (placed first, once)."""
        if self._placed is None and self.built < self.capacity:
            self._placed = _placed(self.master, self.asset, self.balances, self.capacity)
        while self.built < min(count, self.capacity):
            self._push_batch(min(TREE_BATCH, self.capacity - self.built))
        if self.built == self.capacity:
            self._placed = None

    def _push_batch(self, size: int) -> None:
        """The next `size` leaves: openings, commitments, hashes, tree; per leaf only the
        compact records stay."""
        users, batch = len(self.balances), []
        for record in [self._placed.pop() for _ in range(size)]:
            slot = int.from_bytes(record[64:], "big")
            batch.append((*_opening(self.master, self.asset, self.balances, slot), record[32:64]))
            self.owners.append(slot if slot < users else -1)
        points, commitments, hashes = leaf_nodes(self.asset, batch)
        self.builder.push_many(points, commitments, hashes)
        self.value_records += b"".join([(units % N).to_bytes(RECORD, "big") for units, _, _ in batch])
        self.blinding_records += b"".join([blinding.to_bytes(RECORD, "big") for _, blinding, _ in batch])

    def chunk_openings(self, k: int) -> tuple[list[int], list[int], bytes]:
        """Chunk `k`'s values, blindings and joined commitments, its leaves built first."""
        start, end = k * self.chunk, (k + 1) * self.chunk
        self.build_to(end)
        return _chunk_openings(self.value_records, self.blinding_records, self.builder.kept(0), start, end)

    def leaves(self) -> AssetLeaves:
        """Every leaf built, and the tree: the asset's AssetLeaves."""
        self.build_to(self.capacity)
        return AssetLeaves(self.asset, self.leaf_bits, self.chunk, self.balances, self.owners,
                           self.value_records, self.blinding_records, self.builder.levels())


def build(master: bytes, asset: str, balances: list[tuple[str, int]], capacity: int,
          leaf_bits: int, chunk: int) -> AssetLeaves:
    """Leaves for `balances` padded to `capacity`, shuffled, committed and hashed."""
    return LeafStream(master, asset, balances, capacity, leaf_bits, chunk).leaves()
