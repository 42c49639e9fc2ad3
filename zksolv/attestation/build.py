"""Building one asset's leaves and tree on the prover's side (DESIGN §4; SPEC.md §6.2–6.3).

Real leaves get their salt and blinding from the user's round secret; padding leaves get
theirs from the master secret and look the same. All leaves are placed in increasing
order of a secret key, then the tree is built over them.
"""

from dataclasses import dataclass

from zksolv import roundkeys, tree
from zksolv.commitments import commit
from zksolv.group import N
from zksolv.hashing import id_hash, leaf_hash


@dataclass
class AssetLeaves:
    """One asset's leaves in tree order, their openings and the tree."""

    asset: str
    leaf_bits: int
    chunk: int
    owners: list[str | None]  # user id per position, None for padding
    values: list[int]
    blindings: list[int]
    levels: list[tree.Level]

    @property
    def capacity(self) -> int:
        return len(self.values)

    @property
    def total(self) -> int:
        return sum(self.values)

    @property
    def root_blinding(self) -> int:
        return sum(self.blindings) % N

    @property
    def root(self) -> tuple[bytes, bytes]:
        return self.levels[-1].node(0)


def default_capacity(users: int) -> int:
    """The next power of two at or above the user count (at least 1)."""
    return 1 << max(0, (users - 1).bit_length())


def _entry(master, asset, user_id, units, index):
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
    entries = [_entry(master, asset, uid, units, 0) for uid, units in balances]
    entries += [_entry(master, asset, None, 0, i) for i in range(capacity - len(balances))]
    entries.sort(key=lambda e: e[0])
    builder = tree.Builder()
    for _, _, units, blinding, digest in entries:  # streamed: no per-leaf point is kept
        point = commit(units, blinding)
        c = point.to_bytes()
        builder.push(point, c, leaf_hash(asset, digest, c))
    return AssetLeaves(asset, leaf_bits, chunk, [e[1] for e in entries], [e[2] for e in entries],
                       [e[3] for e in entries], builder.levels())
