"""A margin account's leaf: its commitments, its published limbs, its proofs (MARGIN.md §7).

Published, in layout order (layout.py): the slot commitments E[a][t] = Com(e[a][t], r) and
D[a] = Com(d[a], r), the high-limb commitments of every claim, and one aggregated 64-bit
range proof per part of the leaf's limb values (widerange.py). Blindings derive from the
account key (keys.py): a customer who knows their user secret and balances recomputes the
whole leaf but its proofs. Leaf hash: `TAGGED("zksolv/v1/margin-leaf", H_id ‖ slots ‖ limbs)`.

Each part's proof starts from the caller's transcript (attestation id, circuits digest,
market digest, statement "margin_leaf", leaf index) and then binds the leaf hash, so no
proof can move to another leaf or index, and the leaf's H_id cannot change unseen.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from zksolv import rangeproof
from zksolv.accounts import keys, widerange
from zksolv.accounts.layout import Layout
from zksolv.commitments import commit_many
from zksolv.errors import InputError, Insolvent, InvalidProof
from zksolv.group import N, Point, base_mul, msm, point_sum
from zksolv.group.curve import POINT_BYTES
from zksolv.hashing import HASH_BYTES, tagged
from zksolv.market import tier_pieces
from zksolv.rangeproof import RangeProof, Statement
from zksolv.transcript import Transcript

TAG_LEAF = b"zksolv/v1/margin-leaf"
Context = Callable[[], Transcript]   # a fresh transcript holding the leaf's context


@dataclass(frozen=True, slots=True)
class MarginLeaf:
    """Layout of `to_bytes` (points 33-byte SEC1, proofs as SPEC.md §5.4, no length fields:
    every count follows from the layout):

        H_id (32) ‖ slot commitments (33 each, layout order)
        ‖ high limbs X_1 … X_(k−1) of every claim (33 each, claim order, low to high)
        ‖ range proofs, one per part (widerange.encode_proofs)
    """

    id_hash: bytes
    slots: tuple[Point, ...]
    highs: tuple[tuple[Point, ...], ...]
    proofs: tuple[RangeProof, ...] = ()

    def body(self) -> bytes:
        """H_id ‖ every commitment, in order: what the leaf hash binds."""
        points = [*self.slots, *(p for h in self.highs for p in h)]
        return self.id_hash + widerange.encode_points(points)

    def hash(self) -> bytes:
        return tagged(TAG_LEAF, self.body())

    def to_bytes(self) -> bytes:
        return self.body() + widerange.encode_proofs(self.proofs)

    @classmethod
    def from_bytes(cls, data: bytes, layout: Layout, backend=None) -> "MarginLeaf":
        """Strict decoding against the round's layout: exact size, canonical points."""
        head = HASH_BYTES + POINT_BYTES * (len(layout.slots) + layout.published_limbs)
        points = widerange.decode_points(data[HASH_BYTES:head], head // POINT_BYTES, backend)
        proofs = widerange.decode_proofs(data[head:], layout.limb_values, backend)
        slots, rest = points[: len(layout.slots)], points[len(layout.slots):]
        highs, pos = [], 0
        for c in layout.claims:
            highs.append(rest[pos : pos + c.limbs - 1])
            pos += c.limbs - 1
        return cls(bytes(data[:HASH_BYTES]), slots, tuple(highs), proofs)


def size(layout: Layout) -> int:
    """Bytes of one serialized leaf of this layout."""
    points = len(layout.slots) + layout.published_limbs
    return HASH_BYTES + POINT_BYTES * points + widerange.proofs_size(layout.limb_values)


@dataclass(frozen=True, slots=True)
class LeafOpening:
    """A leaf before its proofs, and what proving it needs: every limb's value and
    blinding in claim order."""

    leaf: MarginLeaf
    values: tuple[int, ...]
    blindings: tuple[int, ...]


def slot_values(layout: Layout, units: dict[str, int]) -> list[int]:
    """An account's slot values from its signed units per asset: equity cut greedily into
    tier pieces, a negative amount a debt (MARGIN.md §4); InputError if |units| ≥ 2^lb."""
    unknown = set(units) - set(layout.assets)
    if unknown:
        raise InputError(f"margin account holds assets outside the round: {sorted(unknown)}")
    out = []
    for a, lb, widths in zip(layout.assets, layout.leaf_bits, layout.widths):
        u = units.get(a, 0)
        if not isinstance(u, int) or abs(u) >> lb:
            raise InputError(f"{a}: amount is not an integer of magnitude below 2^{lb}")
        out += [*tier_pieces(max(u, 0), widths), max(-u, 0)]
    return out


def open_leaf(layout: Layout, key: bytes, id_hash: bytes, values: Sequence[int],
              split=widerange.split, backend=None) -> LeafOpening:
    """Commit to slot `values` under `key` and open every claim over its limbs (`split` is
    the honest one, which refuses a claim outside its range)."""
    blinds = [keys.blinding(key, name) for name in layout.slots]
    slots = tuple(commit_many(values, blinds, backend))
    limb_values, limb_blinds, highs = [], [], []
    for c in layout.claims:
        blinding = sum(k * blinds[i] for i, k in c.terms) % N
        opened = widerange.open_claim(split(c.value(values), c.limbs), blinding,
                                      lambda i, name=c.name: keys.limb_blinding(key, name, i), backend)
        limb_values += opened.values
        limb_blinds += opened.blindings
        highs.append(opened.highs)
    leaf = MarginLeaf(id_hash, slots, tuple(highs))
    return LeafOpening(leaf, tuple(limb_values), tuple(limb_blinds))


def part_transcripts(context: Context, leaf_hash: bytes) -> widerange.TranscriptFor:
    """Every part's transcript: the caller's context, then the leaf hash (parts need no
    number: each has its own m, which the range proof binds). Built once and cloned per
    part: the same bytes as building each afresh."""
    start = context()
    start.append(b"margin-leaf", leaf_hash)

    def transcript_for(part: int) -> Transcript:
        return start.clone()
    return transcript_for


def prove_leaf(layout: Layout, key: bytes, id_hash: bytes, units: dict[str, int], context: Context,
               rng_for=None, backend=None) -> MarginLeaf:
    """An account's proven leaf; Insolvent (naming the scenario) if it is not collateralized
    at every scenario, InputError on amounts that do not fit (nothing is proven then)."""
    values = slot_values(layout, units)
    for c in layout.claims:
        if c.name.startswith("value/") and c.value(values) < 0:
            raise Insolvent(f"margin account is under-collateralized at scenario {c.name[6:]}")
    opened = open_leaf(layout, key, id_hash, values, backend=backend)
    return prove_opening(opened, context, rng_for, backend=backend)


def prove_opening(opened: LeafOpening, context: Context, rng_for=None, prove=None,
                  backend=None) -> MarginLeaf:
    """The proofs of an opened leaf (`prove`: the library's range prover unless given)."""
    transcript_for = part_transcripts(context, opened.leaf.hash())
    proofs = widerange.prove_parts(transcript_for, opened.values, opened.blindings, rng_for, prove, backend)
    return replace(opened.leaf, proofs=tuple(proofs))


def claim_commitments(layout: Layout, leaf: MarginLeaf) -> list[Point]:
    """Every claim's commitment, recomputed from the slots: [constant]G + Σ [k]slot.

    Public data only. Most claims are one slot with k = ±1 (pieces, debts, rooms): taken
    as the slot or its negation rather than multiplied, and [constant]G is computed once
    per constant (the audit verifies thousands of leaves of one layout)."""
    out = []
    for c in layout.claims:
        point = _combination([leaf.slots[i] for i, _ in c.terms], [k % N for _, k in c.terms])
        out.append(point + _constant_point(c.constant % N, point.backend) if c.constant else point)
    return out


def _combination(points: list[Point], scalars: list[int]) -> Point:
    """Σ [k]P with each negative coefficient (k > n/2) taken as [−k](−P): the layout's
    coefficients are small integers of either sign, and the kernel's MSM runs only as many
    windows as its widest scalar needs."""
    if len(points) == 1 and scalars[0] in (1, N - 1):
        return points[0] if scalars[0] == 1 else -points[0]
    signed = [(-p, N - k) if k > N // 2 else (p, k) for p, k in zip(points, scalars)]
    return msm([p for p, _ in signed], [k for _, k in signed])


@lru_cache(maxsize=256)
def _constant_point(k: int, backend) -> Point:
    return base_mul(k, backend)


def limb_commitments(layout: Layout, leaf: MarginLeaf) -> list[Point]:
    """Every limb commitment of the leaf in claim order, low limbs and value combinations
    derived here (SPEC.md §6.13): what its range proofs show in [0, 2^64)."""
    if len(leaf.slots) != len(layout.slots) or len(leaf.highs) != len(layout.claims):
        raise InvalidProof("margin leaf does not have the round's layout")
    limbs = []
    for c, point, highs in zip(layout.claims, claim_commitments(layout, leaf), leaf.highs):
        if len(highs) != c.limbs - 1:
            raise InvalidProof(f"claim {c.name}: {len(highs) + 1} limbs, the layout says {c.limbs}")
        limbs += widerange.derive_limbs(point, highs)
    return limbs


def statements(layout: Layout, leaf: MarginLeaf, context: Context, limbs: list[Point] | None = None,
               leaf_hash: bytes | None = None) -> list[Statement]:
    """The range-proof statements of a leaf, to batch with the rest of an audit; `limbs` and
    `leaf_hash` when the caller has them already (fastaudit.py derives them in the kernel)."""
    limbs = limb_commitments(layout, leaf) if limbs is None else limbs
    leaf_hash = leaf.hash() if leaf_hash is None else leaf_hash
    return widerange.statements(part_transcripts(context, leaf_hash), limbs, leaf.proofs)


def verify_leaf(layout: Layout, leaf: MarginLeaf, context: Context) -> None:
    """Raise InvalidProof unless every claim of the leaf is proven (MARGIN.md §7)."""
    rangeproof.batch_verify(statements(layout, leaf, context))


def node_points(layout: Layout, leaf: MarginLeaf) -> tuple[Point, ...]:
    """The leaf's per-asset values for the account tree: E[a] = Σ_t E[a][t], then D[a]."""
    out = []
    for a in range(len(layout.assets)):
        out += [point_sum([leaf.slots[i] for i in layout.pieces(a)]), leaf.slots[layout.debt(a)]]
    return tuple(out)
