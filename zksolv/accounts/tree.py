"""The account sum tree of margin leaves (MARGIN.md §7; beside zksolv/tree.py, the spot tree).

A node carries, per asset in sorted order, the sums E[a] and D[a] of its leaves' equity and
debt commitments: 2·A points, written as their 33-byte encodings back to back (`Cs`). A
leaf's node is (leaf.node_points, leaf hash); a parent at level k ≥ 1 (leaves are level 0):

    Cs = Cs_L + Cs_R (point by point)
    h  = TAGGED("zksolv/v1/margin-node", u8 k ‖ Cs_L ‖ h_L ‖ Cs_R ‖ h_R)

so every child's sums are bound into its parent (the Maxwell fix of SPEC.md §6.3).
"""

from zksolv import tree as spot
from zksolv.accounts import widerange
from zksolv.errors import InvalidProof
from zksolv.group import Point
from zksolv.hashing import HASH_BYTES, tagged

TAG_NODE = b"zksolv/v1/margin-node"
MAX_DEPTH = 32
Node = tuple[tuple[Point, ...], bytes, bytes]   # (points, their encoding Cs, hash)


def node_hash(level: int, c_left: bytes, h_left: bytes, c_right: bytes, h_right: bytes) -> bytes:
    return tagged(TAG_NODE, bytes([level]), c_left, h_left, c_right, h_right)


def encode(points: tuple[Point, ...]) -> bytes:
    """Cs of a node; InvalidProof if any sum is the identity (it has no encoding)."""
    if any(p.is_identity for p in points):
        raise InvalidProof("a margin node commitment is the identity")
    return b"".join(p.to_bytes() for p in points)


def decode(data: bytes, width: int, backend=None) -> tuple[Point, ...]:
    """Strict inverse of encode for a node of `width` points."""
    return widerange.decode_points(data, width, backend)


def leaf_node(points: tuple[Point, ...], leaf_hash: bytes) -> Node:
    return points, encode(points), leaf_hash


def join(level: int, left: Node, right: Node) -> Node:
    """The parent at `level` of two nodes."""
    points = tuple(a + b for a, b in zip(left[0], right[0], strict=True))
    return points, encode(points), node_hash(level, left[1], left[2], right[1], right[2])


class Level(spot.Level):
    """One level: every node's Cs, then every node's hash, each concatenated (as the spot
    tree's, with nodes of 2·A commitments)."""

    def node(self, index: int) -> tuple[bytes, bytes]:
        stride = len(self.commitments) // len(self)
        return (bytes(self.commitments[index * stride : (index + 1) * stride]),
                bytes(self.hashes[index * HASH_BYTES : (index + 1) * HASH_BYTES]))


class Builder:
    """Streams leaves in tree order, holding one pending node per level (completed left
    subtrees) and, if asked, every level's bytes."""

    def __init__(self, keep_levels: bool = True):
        self._pending: list[Node | None] = []
        self._levels: list[Level] | None = [] if keep_levels else None
        self.leaves = 0

    def push(self, node: Node) -> None:
        level = 0
        while True:
            self._keep(level, node)
            if level == len(self._pending):
                self._pending.append(None)
            left, self._pending[level] = self._pending[level], None
            if left is None:
                self._pending[level] = node
                break
            level += 1
            node = join(level, left, node)
        self.leaves += 1

    def _keep(self, level: int, node: Node) -> None:
        if self._levels is None:
            return
        if level == len(self._levels):
            self._levels.append(Level(bytearray(), bytearray()))
        self._levels[level].commitments.extend(node[1])
        self._levels[level].hashes.extend(node[2])

    def root(self) -> tuple[bytes, bytes]:
        """The root (Cs, hash); InvalidProof unless the leaf count is a power of two."""
        full = [n for n in self._pending if n is not None]
        if len(full) != 1 or self._pending[-1] is None:
            raise InvalidProof("margin leaf count is not a power of two")
        return full[0][1], full[0][2]

    def levels(self) -> list[Level]:
        self.root()
        return list(self._levels)


def path(levels: list[Level], index: int) -> list[tuple[bytes, bytes]]:
    """Sibling (Cs, hash) pairs of leaf `index`, bottom-up: 2·A·33 + 32 bytes a level."""
    return spot.path(levels, index)


def walk(index: int, leaf: Node, siblings, backend=None) -> tuple[bytes, bytes]:
    """Recompute the root (Cs, hash) from a leaf's node and its path."""
    if len(siblings) > MAX_DEPTH or not 0 <= index < 1 << len(siblings):
        raise InvalidProof(f"leaf index {index} does not fit a path of {len(siblings)} levels")
    node = leaf
    for level, (c_sib, h_sib) in enumerate(siblings, start=1):
        if len(h_sib) != HASH_BYTES:
            raise InvalidProof("a sibling hash is not 32 bytes")
        sibling = (decode(c_sib, len(leaf[0]), backend), bytes(c_sib), bytes(h_sib))
        node = join(level, sibling, node) if index & 1 else join(level, node, sibling)
        index >>= 1
    return node[1], node[2]
