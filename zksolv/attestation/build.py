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
from zksolv.hashing import id_hash, leaf_hash

RECORD = 32  # bytes per value and per blinding record
COMMIT_BATCH = 64
"""Leaves committed in one kernel call (commitments.commit_many: eight at a time on the lanes)."""


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

    def holdings(self) -> Iterator[tuple[str, int, int]]:
        """(user_id, position, units) of every real leaf."""
        for position, owner in enumerate(self.owner_index):
            if owner >= 0:
                user_id, units = self.users[owner]
                yield user_id, position, units


def _ints(records: bytes, start: int, end: int) -> list[int]:
    return [int.from_bytes(records[i : i + RECORD], "big") for i in range(start * RECORD, end * RECORD, RECORD)]


def default_capacity(users: int) -> int:
    """The next power of two at or above the user count (at least 1)."""
    return 1 << max(0, (users - 1).bit_length())


def _entry(master, asset, user_id, units, index):
    """(order key, user id, units, blinding, H_id) of a real leaf, or of padding leaf `index`."""
    if user_id is None:
        digest = roundkeys.padding_id_hash(master, asset, index)
        blinding = roundkeys.padding_blinding(master, asset, index)
    else:
        secret = roundkeys.user_secret(master, user_id)
        digest = id_hash(user_id, roundkeys.leaf_salt(secret, asset))
        blinding = roundkeys.leaf_blinding(secret, asset)
    return roundkeys.order_key(master, asset, digest), user_id, units, blinding, digest


def build(master: bytes, asset: str, balances: list[tuple[str, int]], capacity: int,
          leaf_bits: int, chunk: int) -> AssetLeaves:
    """Leaves for `balances` padded to `capacity`, shuffled, committed and hashed."""
    def entry(slot: int):  # slot < len(balances): a user's row; else padding leaf slot − users
        if slot < len(balances):
            return _entry(master, asset, balances[slot][0], balances[slot][1], 0)
        return _entry(master, asset, None, 0, slot - len(balances))

    order = sorted(range(capacity), key=lambda slot: entry(slot)[0])
    owners, values, blindings = array("l"), bytearray(), bytearray()
    builder = tree.Builder()
    for at in range(0, capacity, COMMIT_BATCH):  # streamed: per leaf only the compact records stay
        slots = order[at:at + COMMIT_BATCH]
        entries = [entry(slot) for slot in slots]
        points = commit_many([e[2] for e in entries], [e[3] for e in entries])
        for slot, (_, _, units, blinding, digest), point in zip(slots, entries, points):
            c = point.to_bytes()
            builder.push(point, c, leaf_hash(asset, digest, c))
            owners.append(slot if slot < len(balances) else -1)
            values += (units % N).to_bytes(RECORD, "big")
            blindings += blinding.to_bytes(RECORD, "big")
    return AssetLeaves(asset, leaf_bits, chunk, balances, owners, values, blindings, builder.levels())
