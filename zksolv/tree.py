"""The per-asset Merkle sum tree of commitments (DESIGN §4; SPEC.md §6.3).

Levels are stored compactly: level k holds capacity/2^k nodes as one bytes string of
33-byte commitments and one of 32-byte hashes. Level 0 are the leaves in tree order.
"""

from dataclasses import dataclass

from zksolv.errors import InvalidProof
from zksolv.group import Point
from zksolv.group.point import fold
from zksolv.group.curve import POINT_BYTES
from zksolv.hashing import HASH_BYTES, node_hash

MAX_DEPTH = 32


@dataclass(frozen=True, slots=True)
class Level:
    """One tree level: 33-byte commitments and 32-byte hashes, concatenated."""

    commitments: bytes | bytearray
    hashes: bytes | bytearray

    def __len__(self) -> int:
        return len(self.hashes) // HASH_BYTES

    def node(self, index: int) -> tuple[bytes, bytes]:
        c = self.commitments[index * POINT_BYTES : (index + 1) * POINT_BYTES]
        return c, self.hashes[index * HASH_BYTES : (index + 1) * HASH_BYTES]

    def records(self) -> bytes:
        """C ‖ h of every node in order: the leaves' part of an audit file (SPEC.md §6.8)."""
        return b"".join([c + h for c, h in (self.node(i) for i in range(len(self)))])


def check_capacity(capacity: int) -> int:
    if capacity < 1 or capacity & (capacity - 1) or capacity > 1 << MAX_DEPTH:
        raise ValueError(f"capacity must be a power of two up to 2^{MAX_DEPTH}, got {capacity}")
    return capacity


def join(level: int, left: tuple[Point, bytes, bytes], right: tuple[Point, bytes, bytes]):
    """The parent of two (point, commitment, hash) nodes: C = C_L + C_R,
    h = H_node(level, C_L, h_L, C_R, h_R) (SPEC.md §6.3)."""
    point = left[0] + right[0]
    return point, point_bytes_or_fail(point), node_hash(level, left[1], left[2], right[1], right[2])


class Builder:
    """Builds the tree from its leaves in order, holding O(log n) nodes (a stack of
    completed left subtrees) and, if asked, each level as one compact byte string."""

    def __init__(self, keep_levels: bool = True, base_level: int = 0):
        """`base_level`: the tree level of what is pushed — 0 for leaves; the roots of
        subtrees of 2^b leaves are pushed at level b (their parents are hashed as level b + 1)."""
        self._stack: list[tuple[int, tuple[Point, bytes, bytes]]] = []
        self._levels: list[tuple[bytearray, bytearray]] | None = [] if keep_levels else None
        self._base = base_level
        self.leaves = 0

    def push(self, point: Point, commitment: bytes, digest: bytes, level: int = 0) -> None:
        """The next leaf, or (`level` k > 0, without keep_levels) the root of the next 2^k
        leaves' subtree built elsewhere: the audit's work units (SPEC.md §6.10)."""
        if level and (self._levels is not None or self.leaves % (1 << level)):
            raise ValueError("a subtree root goes at a multiple of its size, levels not kept")
        node, self.leaves = (point, commitment, digest), self.leaves + (1 << level)
        self._keep(level, node)
        self._climb(level, node)

    def push_many(self, points: list[Point], commitments: bytes, hashes: bytes) -> None:
        """The next 2^b leaves at once (33-byte commitments and 32-byte hashes joined), the
        leaves so far a multiple of 2^b: the nodes `push` would make one at a time, each
        level's sums C_L + C_R in one batched call (`fold` by 1: commitments are public, so
        the variable-time path is fine) — about a third of the cost of a call a node."""
        count = len(points)
        if count & (count - 1) or not count or self.leaves % count or len(hashes) != count * HASH_BYTES:
            raise ValueError("push_many takes a power-of-two batch at a multiple of its size")
        self.leaves += count
        level = 0
        while True:
            self._keep_joined(level, commitments, hashes)
            if len(points) == 1:
                break
            level += 1
            points, commitments, hashes = _parents(self._base + level, points, commitments, hashes)
        self._climb(level, (points[0], bytes(commitments), bytes(hashes)))

    def _climb(self, level: int, node) -> None:
        """Put a completed node on the stack, joining it with every completed left sibling."""
        while self._stack and self._stack[-1][0] == level:
            level += 1
            node = join(self._base + level, self._stack.pop()[1], node)
            self._keep(level, node)
        self._stack.append((level, node))

    def _keep_joined(self, level: int, commitments: bytes, hashes: bytes) -> None:
        if self._levels is None:
            return
        while level >= len(self._levels):
            self._levels.append((bytearray(), bytearray()))
        self._levels[level][0].extend(commitments)
        self._levels[level][1].extend(hashes)

    def _keep(self, level: int, node) -> None:
        self._keep_joined(level, node[1], node[2])

    def kept(self, level: int) -> bytearray:
        """Level `level`'s commitments joined, as far as built (the buffer itself: no copy)."""
        return self._levels[level][0]

    def root(self) -> tuple[bytes, bytes]:
        """The root (commitment, hash); InvalidProof unless the leaf count is a power of two."""
        if len(self._stack) != 1:
            raise InvalidProof("leaf count is not a power of two")
        return self._stack[0][1][1], self._stack[0][1][2]

    def levels(self) -> list[Level]:
        self.root()
        return [Level(c, h) for c, h in self._levels]  # the buffers themselves: no copy


def _parents(level: int, points: list[Point], commitments: bytes, hashes: bytes):
    """The parents, at tree level `level`, of an even number of nodes in order (SPEC.md §6.3)."""
    sums = fold(points[0::2], points[1::2], 1)
    parent_cs = b"".join([point_bytes_or_fail(p) for p in sums])
    pc, ph = 2 * POINT_BYTES, 2 * HASH_BYTES
    parent_hs = b"".join([node_hash(level, commitments[i * pc : i * pc + POINT_BYTES], hashes[i * ph : i * ph + HASH_BYTES],
                                    commitments[i * pc + POINT_BYTES : (i + 1) * pc], hashes[i * ph + HASH_BYTES : (i + 1) * ph])
                          for i in range(len(sums))])
    return sums, parent_cs, parent_hs


def segments(levels, size: int):
    """(level, segment, commitments, hashes): each level cut in rows of `size` nodes, for a
    store that reads one small row a path step (a margin node's commitments are 2·A points:
    the stride follows from the level's sizes)."""
    for k, lv in enumerate(levels):
        stride = len(lv.commitments) // len(lv)
        for seg in range(0, len(lv), size):
            end = min(seg + size, len(lv))
            yield k, seg // size, lv.commitments[seg * stride : end * stride], lv.hashes[seg * HASH_BYTES : end * HASH_BYTES]


def build(leaf_points: list[Point], leaf_hashes: list[bytes]) -> list[Level]:
    """All levels from the leaves (a power-of-two count) to the root."""
    check_capacity(len(leaf_points))
    builder = Builder()
    for p, h in zip(leaf_points, leaf_hashes):
        builder.push(p, p.to_bytes(), h)
    return builder.levels()


def path(levels: list[Level], index: int) -> list[tuple[bytes, bytes]]:
    """Sibling (commitment, hash) pairs of leaf `index`, bottom-up."""
    siblings = []
    for level in levels[:-1]:
        siblings.append(level.node(index ^ 1))
        index >>= 1
    return siblings


def walk(index: int, commitment: bytes, digest: bytes, siblings, backend=None) -> tuple[bytes, bytes]:
    """Recompute the root (commitment, hash) from a leaf and its path (SPEC.md §6.11)."""
    if not 0 <= index < 1 << len(siblings):
        raise InvalidProof(f"leaf index {index} does not fit a path of {len(siblings)} levels")
    node = (Point.from_bytes(commitment, backend), commitment, digest)
    for level, (c_sib, h_sib) in enumerate(siblings, start=1):
        sibling = (Point.from_bytes(c_sib, backend), c_sib, h_sib)
        node = join(level, sibling, node) if index & 1 else join(level, node, sibling)
        index >>= 1
    return node[1], node[2]


def point_bytes_or_fail(point: Point) -> bytes:
    if point.is_identity:
        raise InvalidProof("a node commitment is the identity")
    return point.to_bytes()
