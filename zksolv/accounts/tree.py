"""The account sum tree of margin leaves (MARGIN.md §7; beside zksolv/tree.py, the spot tree).

A node carries, per asset in sorted order, the sums E[a] and D[a] of its leaves' equity and
debt commitments: 2·A points, written as their 33-byte encodings back to back (`Cs`). A
leaf's node is (leaf.node_points, leaf hash); a parent at level k ≥ 1 (leaves are level 0):

    Cs = Cs_L + Cs_R (point by point)
    h  = TAGGED("zksolv/v1/margin-node", u8 k ‖ Cs_L ‖ h_L ‖ Cs_R ‖ h_R)

so every child's sums are bound into its parent (the Maxwell fix of SPEC.md §6.3).

A capacity is a power of two up to 2^32 or a multiple of 1,024 up to 2^32 (SPEC.md §6.15).
A capacity that is not a power of two is a *forest*: its binary decomposition
`capacity = 2^k0 + 2^k1 + …` (k0 > k1 > …) as perfect subtrees, largest first, each built as
above, then folded right to left — `F_last = T_last`, `F_t = fold(T_t, F_t+1)` — with

    h  = TAGGED("zksolv/v1/margin-node", u8 (0x80 | k_t) ‖ Cs_T ‖ h_T ‖ Cs_F ‖ h_F)

a level byte no node of a perfect subtree has (those are 1 … 32). A power of two is the one
subtree and no fold: the tree of SPEC.md §6.15 before forests, byte for byte. The shape of
every path follows from (capacity, index) alone (`steps`).
"""

from zksolv import tree as spot
from zksolv.accounts import widerange
from zksolv.errors import InvalidProof
from zksolv.group import Point
from zksolv.group.curve import POINT_BYTES
from zksolv.hashing import HASH_BYTES, tagged

TAG_NODE = b"zksolv/v1/margin-node"
MAX_DEPTH = 32
GRANULE = 1024          # a capacity that is not a power of two is a multiple of this
FOLD = 0x80             # level byte of a fold node: FOLD | height of its left subtree
Node = tuple[tuple[Point, ...], bytes, bytes]   # (points, their encoding Cs, hash)


def check_capacity(capacity) -> int:
    """`capacity` if it is a power of two or a multiple of GRANULE, in [1, 2^32]; else ValueError."""
    if type(capacity) is not int or not 1 <= capacity <= 1 << MAX_DEPTH \
            or (capacity & (capacity - 1) and capacity % GRANULE):
        raise ValueError(f"a margin capacity is a power of two, or a multiple of {GRANULE}, "
                         f"up to 2^{MAX_DEPTH}; got {capacity!r}")
    return capacity


def default_capacity(accounts: int) -> int:
    """The next power of two at or above `accounts` up to GRANULE, above it the next multiple
    of GRANULE (a small round reveals no more than a power of two)."""
    if accounts <= GRANULE:
        return 1 << max(0, (accounts - 1).bit_length())
    return -(-accounts // GRANULE) * GRANULE


def subtrees(capacity: int) -> list[tuple[int, int]]:
    """(offset, height) of each perfect subtree of the forest, largest first."""
    out, offset = [], 0
    for k in range(MAX_DEPTH, -1, -1):
        if capacity >> k & 1:
            out.append((offset, k))
            offset += 1 << k
    return out


def steps(capacity: int, index: int) -> list[tuple[int, bool]]:
    """(level byte, sibling on the left) of each step of leaf `index`'s path, bottom up: the
    `k_t` levels of its subtree T_t, the fold with F_t+1 on its right (unless T_t is the
    last), then the folds with T_t−1 … T_0 on its left. InvalidProof for an index outside
    [0, capacity) or a capacity check_capacity refuses."""
    try:
        check_capacity(capacity)
    except ValueError as exc:
        raise InvalidProof(str(exc)) from None
    if type(index) is not int or not 0 <= index < capacity:
        raise InvalidProof(f"leaf index {index!r} is outside the margin capacity {capacity}")
    forest = subtrees(capacity)
    t = max(s for s, (offset, _) in enumerate(forest) if offset <= index)
    offset, height = forest[t]
    local = index - offset
    out = [(level, bool(local >> (level - 1) & 1)) for level in range(1, height + 1)]
    if t < len(forest) - 1:
        out.append((FOLD | height, False))
    out += [(FOLD | forest[s][1], True) for s in range(t - 1, -1, -1)]
    return out


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


def node_of(data: bytes, node_hash: bytes, width: int) -> Node:
    """A node from its published bytes (Cs of `width` points, strictly decoded) and hash."""
    return decode(data, width), data, node_hash


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

    def __init__(self, keep_levels: bool = True, base_level: int = 0):
        """`base_level` b: what is pushed are the roots of perfect subtrees of 2^b leaves
        built elsewhere (a cluster round's subtree tasks, SPEC.md §6.9.1); the levels kept
        then start at tree level b."""
        self._pending: list[Node | None] = []
        self._levels: list[Level] | None = [] if keep_levels else None
        self._base = base_level
        self.leaves = 0

    def push(self, node: Node, level: int = 0) -> None:
        """The next leaf's node, or (`level` k > 0, without keep_levels) the root of the next
        2^k leaves' perfect subtree built elsewhere: the audit's work units."""
        if level and (self._levels is not None or self.leaves % (1 << level)):
            raise ValueError("a subtree root goes at a multiple of its size, levels not kept")
        self.leaves += 1 << (self._base + level)
        while True:
            self._keep(level, node)
            while len(self._pending) <= level:
                self._pending.append(None)
            left, self._pending[level] = self._pending[level], None
            if left is None:
                self._pending[level] = node
                break
            level += 1
            node = join(self._base + level, left, node)

    def _keep(self, level: int, node: Node) -> None:
        if self._levels is None:
            return
        if level == len(self._levels):
            self._levels.append(Level(bytearray(), bytearray()))
        self._levels[level].commitments.extend(node[1])
        self._levels[level].hashes.extend(node[2])

    def root(self, capacity: int | None = None) -> tuple[bytes, bytes]:
        """The root (Cs, hash) of `capacity` leaves (default: as many as were pushed), the
        forest's subtrees folded right to left; InvalidProof unless exactly `capacity`
        leaves were pushed and check_capacity accepts it."""
        capacity = self.leaves if capacity is None else capacity
        try:
            check_capacity(capacity)
        except ValueError as exc:
            raise InvalidProof(f"margin leaf count: {exc}") from None
        if self.leaves != capacity:
            raise InvalidProof(f"{self.leaves} margin leaves for a capacity of {capacity}")
        folded = None
        for height, node in enumerate(self._pending):   # smallest subtree first
            if node is not None:
                folded = node if folded is None else join(FOLD | (self._base + height), node, folded)
        return folded[1], folded[2]

    def levels(self, capacity: int | None = None) -> list[Level]:
        """Every level's nodes (level k holds ⌊leaves / 2^k⌋: each subtree's nodes, aligned;
        the first is level `base_level`)."""
        self.root(capacity)
        return list(self._levels)


def path(levels: list[Level], index: int, capacity: int | None = None) -> list[tuple[bytes, bytes]]:
    """Sibling (Cs, hash) pairs of leaf `index`, bottom-up: 2·A·33 + 32 bytes a level
    (capacity default: the leaf count of `levels`)."""
    capacity = len(levels[0]) if capacity is None else capacity
    return path_from(lambda level, i: levels[level].node(i), capacity, index)


def path_from(node_at, capacity: int, index: int) -> list[tuple[bytes, bytes]]:
    """The path of `steps(capacity, index)`, reading the node (Cs, hash) at (level, i) of
    the builder's levels with `node_at`: siblings inside the leaf's subtree, then the folded
    subtrees to its right (recomputed from their roots), then the roots to its left."""
    steps(capacity, index)          # InvalidProof for a bad capacity or index
    forest = subtrees(capacity)
    t = max(s for s, (offset, _) in enumerate(forest) if offset <= index)
    out = [node_at(level, (index >> level) ^ 1) for level in range(forest[t][1])]
    if len(forest) == 1:
        return out
    roots = [node_at(k, o >> k) for o, k in forest]
    if t < len(forest) - 1:
        width = len(roots[0][0]) // POINT_BYTES
        nodes = [(decode(c, width), bytes(c), bytes(h)) for c, h in roots]
        folded = nodes[-1]
        for s in range(len(forest) - 2, t, -1):
            folded = join(FOLD | forest[s][1], nodes[s], folded)
        out.append((folded[1], folded[2]))
    return out + [roots[s] for s in range(t - 1, -1, -1)]


def walk(index: int, leaf: Node, siblings, capacity: int, backend=None) -> tuple[bytes, bytes]:
    """Recompute the root (Cs, hash) from a leaf's node and its path, whose length and
    shape must be those `steps(capacity, index)` gives."""
    shape = steps(capacity, index)
    if len(siblings) != len(shape):
        raise InvalidProof(f"a path of {len(siblings)} levels; leaf {index} of capacity {capacity} has {len(shape)}")
    node = leaf
    for (level, on_left), (c_sib, h_sib) in zip(shape, siblings):
        if len(h_sib) != HASH_BYTES:
            raise InvalidProof("a sibling hash is not 32 bytes")
        sibling = (decode(c_sib, len(leaf[0]), backend), bytes(c_sib), bytes(h_sib))
        node = join(level, sibling, node) if on_left else join(level, node, sibling)
    return node[1], node[2]
