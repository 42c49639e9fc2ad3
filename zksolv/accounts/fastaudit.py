"""The margin audit's work unit on the native kernel (SPEC.md §6.13–§6.15; native_margin.h).

Decoding a unit's leaves, deriving every leaf's limb commitments (X_0 of each claim,
SPEC.md §6.13) and its account-tree node points, and summing the unit's subtree: the same
values leaf.py and tree.py compute point by point, here in a handful of kernel calls a
unit with one field inversion for all the points each call makes affine. Only for the
native backend; every other backend uses leaf.py and tree.py, which stay the reference
(tests/test_margin_fastaudit.py compares the two on random and malformed leaves).

Anything the kernel refuses (a point off the curve, a bad prefix, x ≥ p, a scalar ≥ n, a
wrong length) is decoded again by the reference path, which raises its precise error: a
unit is refused with exactly the message it always had.
"""

import ctypes
from array import array
from dataclasses import dataclass
from functools import lru_cache

from zksolv.accounts import tree as account_tree
from zksolv.accounts.layout import Layout
from zksolv.accounts.leaf import TAG_LEAF, MarginLeaf, size as leaf_size, _constant_point
from zksolv.accounts.widerange import LIMB_BITS, part_sizes
from zksolv.errors import InvalidProof
from zksolv.group import N, Point
from zksolv.group.curve import POINT_BYTES, SCALAR_BYTES
from zksolv.hashing import HASH_BYTES, tagged
from zksolv.rangeproof import RangeProof, proof_size

RAW = 64   # a decoded point in the kernel: x ‖ y, 32 bytes each


def usable(backend) -> bool:
    """Whether the unit can run on the kernel: the native backend only."""
    return backend.name == "native"


def _lib():
    from zksolv.group.backends import native

    return native._lib


# -- decoding -------------------------------------------------------------------------------

def _proof_runs(layout: Layout) -> list[tuple[int, int, list[int]]]:
    """Per part, relative to the part's start: (start, end) of each run of points and the
    offsets of its scalars (SPEC.md §5.4: A S T1 T2, 3 scalars, L/R pairs, a, b)."""
    out = []
    for m in part_sizes(layout.limb_values):
        rounds = (LIMB_BITS * m).bit_length() - 1
        head = 4 * POINT_BYTES
        pairs = head + 3 * SCALAR_BYTES
        tail = pairs + 2 * rounds * POINT_BYTES
        out.append((proof_size(rounds), [(0, head), (pairs, tail)],
                    [head, head + SCALAR_BYTES, head + 2 * SCALAR_BYTES, tail, tail + SCALAR_BYTES]))
    return out


@lru_cache(maxsize=16)
def _shape(layout: Layout):
    """(leaf size, body size — H_id and the commitments —, the runs of points in a leaf, the
    offsets of its scalars, the inner-product rounds of each of its proofs)."""
    body = HASH_BYTES + POINT_BYTES * (len(layout.slots) + layout.published_limbs)
    runs, scalars, rounds, pos = [(HASH_BYTES, body)], [], [], body
    for total, part_runs, offsets in _proof_runs(layout):
        runs += [(pos + a, pos + b) for a, b in part_runs]
        scalars += [pos + o for o in offsets]
        rounds.append((part_runs[1][1] - part_runs[1][0]) // (2 * POINT_BYTES))
        pos += total
    return leaf_size(layout), body, tuple(runs), tuple(scalars), tuple(rounds)


def decode_points(encoded: bytes) -> bytes | None:
    """The 64-byte kernel form of consecutive 33-byte points, joined; None unless every one
    is a canonical encoding of a point (SPEC.md §2.2)."""
    count = len(encoded) // POINT_BYTES
    raws = ctypes.create_string_buffer(RAW * count)
    if len(encoded) % POINT_BYTES or _lib().zk_decode_many(encoded, count, raws) != count:
        return None
    return raws.raw


def decode_unit(data: bytes, layout: Layout, backend) -> tuple[list[MarginLeaf], list[bytes]] | None:
    """The unit's leaves and their hashes, as marginleaves.split_leaves and MarginLeaf.hash
    give them; None if the kernel refuses anything (the caller then decodes with the
    reference path, which raises the precise error)."""
    size, body, runs, scalar_at, rounds = _shape(layout)
    leaves, rest = divmod(len(data), size)
    if rest or not leaves or leaves & (leaves - 1):   # a unit is one chunk: a power of two
        return None
    raw = decode_points(b"".join(data[base + a : base + b] for base in range(0, len(data), size) for a, b in runs))
    if raw is None:
        return None
    values = [int.from_bytes(data[base + o : base + o + SCALAR_BYTES], "big")
              for base in range(0, len(data), size) for o in scalar_at]
    if any(v >= N for v in values):
        return None
    count = len(raw) // RAW
    points = [Point(raw[i : i + RAW], backend) for i in range(0, len(raw), RAW)]
    per_leaf, per_scalars = count // leaves, len(scalar_at)
    out = [_leaf(data[k * size : k * size + HASH_BYTES], points[k * per_leaf : (k + 1) * per_leaf],
                 values[k * per_scalars : (k + 1) * per_scalars], layout, rounds) for k in range(leaves)]
    hashes = [tagged(TAG_LEAF, data[base : base + body]) for base in range(0, len(data), size)]
    return out, hashes


def _leaf(id_hash: bytes, points: list[Point], scalars: list[int], layout: Layout, rounds) -> MarginLeaf:
    slots_end = len(layout.slots)
    highs, pos = [], slots_end
    for c in layout.claims:
        highs.append(tuple(points[pos : pos + c.limbs - 1]))
        pos += c.limbs - 1
    proofs = []
    for j, k in enumerate(rounds):
        A, S, T1, T2 = points[pos : pos + 4]
        pairs = points[pos + 4 : pos + 4 + 2 * k]
        t_x, t_x_blinding, e_blinding, a, b = scalars[5 * j : 5 * j + 5]
        proofs.append(RangeProof(A, S, T1, T2, t_x, t_x_blinding, e_blinding,
                                 tuple(pairs[0::2]), tuple(pairs[1::2]), a, b))
        pos += 4 + 2 * k
    return MarginLeaf(bytes(id_hash), tuple(points[:slots_end]), tuple(highs), tuple(proofs))


# -- derived points -------------------------------------------------------------------------

@dataclass(frozen=True)
class Program:
    """What zk_margin_eval computes for every leaf of a layout: first each asset's E[a]
    (the node's equity point), then the low limb X_0 of every claim that is not a slot
    itself (`derived`: those claims' indices, in claim order). Each term is a source (the
    leaf's slots, then its high limbs, then the constants [constant]G) and its coefficient's
    signed digits (`naf`)."""

    counts: bytes
    sources: bytes
    lens: bytes
    digits: bytes
    consts: bytes
    outputs: int
    derived: tuple[int, ...]


def naf(k: int) -> list[int]:
    """The non-adjacent form of an integer of either sign, lowest digit first: digits in
    {−1, 0, 1}, Σ d_i·2^i = k, no two adjacent digits nonzero."""
    out = []
    while k:
        d = 2 - (k & 3) if k & 1 else 0     # k ≡ 1 (mod 4): 1; k ≡ 3: −1
        out.append(d)
        k = (k - d) >> 1
    return out


def _signed(k: int) -> int:
    """A coefficient as leaf._combination takes it: k mod n, taken negative above n/2."""
    k %= N
    return k - N if k > N // 2 else k


@lru_cache(maxsize=16)
def program(layout: Layout, backend) -> Program:
    """The combinations of SPEC.md §6.13–§6.14 for `layout`: Σ k·slot + [constant]G
    − Σ_(i≥1) 2^(64·i)·X_i for every derived claim, Σ_t E[a][t] for every node."""
    per_leaf = len(layout.slots) + layout.published_limbs
    outputs, consts = [], []
    for a in range(len(layout.assets)):
        outputs.append([(i, 1) for i in layout.pieces(a)])
    derived, high = [], len(layout.slots)
    for index, c in enumerate(layout.claims):
        terms = [(i, _signed(k)) for i, k in c.terms if k % N]
        constant = c.constant % N
        if constant:
            consts.append(_constant_point(constant, backend)._raw)
            terms.append((per_leaf + len(consts) - 1, 1))
        terms += [(high + i - 1, -(1 << (LIMB_BITS * i))) for i in range(1, c.limbs)]
        high += c.limbs - 1
        if not (len(c.terms) == 1 and terms == [(c.terms[0][0], 1)]):   # not the slot itself
            outputs.append(terms)
            derived.append(index)
    flat = [(source, naf(k)) for terms in outputs for source, k in terms]
    return Program(_ints(len(t) for t in outputs), _ints(s for s, _ in flat), _ints(len(d) for _, d in flat),
                   array("b", [x for _, d in flat for x in d]).tobytes(), b"".join(consts), len(outputs),
                   tuple(derived))


def _ints(values) -> bytes:
    """C ints, as zk_margin_eval takes its counts, sources and lengths."""
    return array("i", list(values)).tobytes()


def derive(layout: Layout, leaves: list[MarginLeaf], backend) -> tuple[list[bytes], list[list[Point]]]:
    """Per leaf: its node's raw points (E[a], D[a] per asset, 64 bytes each, joined) and its
    limb commitments in claim order (leaf.limb_commitments). InvalidProof if a node point is
    the identity (tree.encode's refusal)."""
    prog = program(layout, backend)
    per_leaf = len(layout.slots) + layout.published_limbs
    joined = b"".join(p._raw for leaf in leaves for p in (*leaf.slots, *(h for hs in leaf.highs for h in hs)))
    count = len(leaves) * prog.outputs
    out, ok = ctypes.create_string_buffer(RAW * count), ctypes.create_string_buffer(count)
    status = _lib().zk_margin_eval(joined, per_leaf, len(leaves), prog.consts, len(prog.consts) // RAW,
                                   prog.counts, prog.outputs, prog.sources, prog.lens, prog.digits, len(prog.digits),
                                   out, ok)
    if status != 1:
        raise MemoryError("zksolv's C kernel could not evaluate the margin claims") if status < 0 else \
            RuntimeError("the kernel refused the margin layout's program: a bug")
    raw, flags = out.raw, ok.raw
    assets = len(layout.assets)
    nodes, limbs = [], []
    for k, leaf in enumerate(leaves):
        base = k * prog.outputs
        if not all(flags[base : base + assets]):
            raise InvalidProof("a margin node commitment is the identity")
        nodes.append(b"".join(raw[RAW * (base + a) : RAW * (base + a + 1)] + leaf.slots[layout.debt(a)]._raw
                              for a in range(assets)))
        computed = {c: Point(raw[RAW * (base + assets + j) : RAW * (base + assets + j + 1)]
                             if flags[base + assets + j] else None, backend)
                    for j, c in enumerate(prog.derived)}
        limbs.append(_limbs(layout, leaf, computed))
    return nodes, limbs


def _limbs(layout: Layout, leaf: MarginLeaf, computed: dict[int, Point]) -> list[Point]:
    out = []
    for index, (c, highs) in enumerate(zip(layout.claims, leaf.highs)):
        out.append(computed[index] if index in computed else leaf.slots[c.terms[0][0]])
        out += highs
    return out


# -- the unit's subtree ---------------------------------------------------------------------

def _encode(raw: bytes) -> bytes:
    return b"".join(bytes((2 | raw[i + 63] & 1,)) + raw[i : i + 32] for i in range(0, len(raw), RAW))


def subtree(nodes: list[bytes], hashes: list[bytes], width: int) -> tuple[bytes, bytes]:
    """The root (Cs, hash) of the perfect subtree over the leaves' nodes (raw points, `width`
    a node) as account_tree.Builder gives it; InvalidProof if any sum is the identity."""
    if len(nodes) & (len(nodes) - 1) or not nodes:
        raise ValueError("a unit's subtree has a power-of-two number of leaves")
    level_raw = b"".join(nodes)
    cs = [_encode(n) for n in nodes]
    level = 0
    while len(hashes) > 1:
        level += 1
        groups = len(hashes) // 2
        out, ok = ctypes.create_string_buffer(RAW * groups * width), ctypes.create_string_buffer(groups * width)
        if _lib().zk_sum_pairs(level_raw, groups, width, out, ok) != 1:
            raise MemoryError("zksolv's C kernel could not allocate memory")
        if not all(ok.raw):
            raise InvalidProof("a margin node commitment is the identity")
        level_raw = out.raw
        parents = [_encode(level_raw[RAW * width * g : RAW * width * (g + 1)]) for g in range(groups)]
        hashes = [account_tree.node_hash(level, cs[2 * g], hashes[2 * g], cs[2 * g + 1], hashes[2 * g + 1])
                  for g in range(groups)]
        cs = parents
    return cs[0], hashes[0]
