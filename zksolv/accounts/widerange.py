"""Range claims wider than one range proof: x ∈ [0, 2^(64·k)) over k 64-bit limbs
(MARGIN.md §6).

Prover: x = Σ_i 2^(64·i)·x_i with every x_i ∈ [0, 2^64); it publishes the k − 1 high-limb
commitments X_i = Com(x_i, r_i) (i ≥ 1, blindings from a deterministic source the caller
gives) and the verifier derives the low limb X_0 = X − Σ_(i≥1) [2^(64·i)]X_i itself. Range
proofs on X_0 … X_(k−1) then show x ≡ Σ 2^(64·i)·x_i (mod n) with the sum in [0, 2^(64·k));
k ≤ MAX_LIMBS keeps 2^(64·k) ≤ 2^192 < n, so the residue is the integer: nothing wraps.

The V limb values of one leaf are proven as one aggregated n = 64 proof per set bit of V,
largest m first, values in the caller's order (V = 36 → m = 32 then m = 4).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from zksolv import rangeproof
from zksolv.commitments import commit_many
from zksolv.errors import EncodingError, InputError, InvalidProof
from zksolv.group import N, Point, msm
from zksolv.group.curve import POINT_BYTES
from zksolv.rangeproof import RangeProof, Statement, proof_size
from zksolv.rangeproof.scalars import random_scalar
from zksolv.rangeproof.statement import MAX_AGGREGATION
from zksolv.transcript import Transcript

LIMB_BITS = 64
MAX_LIMBS = 3          # 2^(64·3) = 2^192 < n: a limb sum can never wrap
TranscriptFor = Callable[[int], Transcript]   # part number → a fresh transcript with its context


def check_limbs(k: int) -> int:
    """k limbs of 64 bits: 1 ≤ k ≤ MAX_LIMBS, or the claim could wrap modulo n."""
    if not 1 <= k <= MAX_LIMBS:
        raise InputError(f"a range claim over {k} limbs of {LIMB_BITS} bits: "
                         f"at most {MAX_LIMBS} keep it below the group order")
    return k


def limbs_needed(high: int) -> int:
    """The fewest limbs whose range [0, 2^(64·k)) holds every integer in [0, high]."""
    return check_limbs(max(1, -(-max(high, 0).bit_length() // LIMB_BITS)))


def split(value: int, k: int) -> list[int]:
    """The k limbs of `value`, low first; InputError unless 0 ≤ value < 2^(64·k)."""
    check_limbs(k)
    if not 0 <= value < 1 << (LIMB_BITS * k):
        raise InputError(f"value is not in [0, 2^{LIMB_BITS * k})")
    mask = (1 << LIMB_BITS) - 1
    return [(value >> (LIMB_BITS * i)) & mask for i in range(k)]


@dataclass(frozen=True, slots=True)
class WideOpening:
    """The prover's side of one claim: every limb's value and blinding (low limb first) and
    the published high-limb commitments X_1 … X_(k−1)."""

    values: tuple[int, ...]
    blindings: tuple[int, ...]
    highs: tuple[Point, ...]


def open_claim(limbs: Sequence[int], blinding: int, high_blinding: Callable[[int], int],
               backend=None) -> WideOpening:
    """Commit to limbs 1 … k−1 with blindings high_blinding(i); the low limb's blinding is
    what makes X_0 = X − Σ [2^(64·i)]X_i hold for X = Com(x, blinding)."""
    highs = [high_blinding(i) for i in range(1, len(limbs))]
    low = (blinding - sum(r << (LIMB_BITS * i) for i, r in enumerate(highs, start=1))) % N
    points = tuple(commit_many(limbs[1:], highs, backend))
    return WideOpening(tuple(limbs), (low, *highs), points)


def derive_limbs(commitment: Point, highs: Sequence[Point]) -> list[Point]:
    """[X_0, X_1, …]: the verifier's low limb X − Σ_(i≥1) [2^(64·i)]X_i, then the highs."""
    check_limbs(len(highs) + 1)
    if not highs:
        return [commitment]
    shifts = [N - (1 << (LIMB_BITS * i)) for i in range(1, len(highs) + 1)]
    return [msm([commitment, *highs], [1, *shifts]), *highs]


def part_sizes(count: int) -> list[int]:
    """One aggregation size per set bit of `count`, largest first."""
    if not 0 < count < 2 * MAX_AGGREGATION:
        raise InputError(f"{count} limb values cannot be split into aggregated proofs")
    return [1 << b for b in range(count.bit_length() - 1, -1, -1) if count >> b & 1]


def _parts(items: Sequence, count: int) -> list[Sequence]:
    out, start = [], 0
    for m in part_sizes(count):
        out.append(items[start : start + m])
        start += m
    return out


def prove_parts(transcript_for: TranscriptFor, values: Sequence[int], blindings: Sequence[int],
                rng_for: Callable[[int], Callable[[], int]] | None = None,
                prove=None, backend=None) -> list[RangeProof]:
    """Prove every value in [0, 2^64): one aggregated proof per part (`prove` is the
    library's unless given; `rng_for(part)` gives each proof's nonce source, the OS CSPRNG by
    default). The prover is looked up here, not as a default: verifying needs none of it."""
    prove = prove or rangeproof.prove
    proofs = []
    for j, (vals, blinds) in enumerate(zip(_parts(values, len(values)), _parts(blindings, len(values)))):
        rng = rng_for(j) if rng_for else random_scalar
        proof, _ = prove(transcript_for(j), list(vals), list(blinds), LIMB_BITS, backend=backend, rng=rng)
        proofs.append(proof)
    return proofs


def statements(transcript_for: TranscriptFor, commitments: Sequence[Point],
               proofs: Sequence[RangeProof]) -> list[Statement]:
    """The range-proof statements that show every commitment in [0, 2^64), to verify (or
    batch with others); InvalidProof if the proof count is not one per part."""
    parts = _parts(list(commitments), len(commitments))
    if len(proofs) != len(parts):
        raise InvalidProof(f"{len(commitments)} limb values need {len(parts)} proofs, got {len(proofs)}")
    return [Statement(transcript_for(j), p, list(vs), LIMB_BITS)
            for j, (p, vs) in enumerate(zip(proofs, parts))]


def proofs_size(count: int) -> int:
    """Bytes of the proofs of `count` limb values (SPEC.md §5.4 sizes, k = log2(64·m))."""
    return sum(proof_size((LIMB_BITS * m).bit_length() - 1) for m in part_sizes(count))


def encode_proofs(proofs: Sequence[RangeProof]) -> bytes:
    """The proofs back to back in part order (SPEC.md §5.4 each); their sizes follow from
    the value count, so there is no length field."""
    return b"".join(p.to_bytes() for p in proofs)


def decode_proofs(data: bytes, count: int, backend=None) -> tuple[RangeProof, ...]:
    """Strict inverse of encode_proofs for `count` limb values: exact total length."""
    if len(data) != proofs_size(count):
        raise EncodingError(f"proofs of {count} limb values take {proofs_size(count)} bytes, got {len(data)}")
    out, pos = [], 0
    for m in part_sizes(count):
        size = proof_size((LIMB_BITS * m).bit_length() - 1)
        out.append(RangeProof.from_bytes(data[pos : pos + size], backend))
        pos += size
    return tuple(out)


def encode_points(points: Sequence[Point]) -> bytes:
    """33-byte compressed points back to back (SPEC.md §2.2)."""
    return b"".join(p.to_bytes() for p in points)


def decode_points(data: bytes, count: int, backend=None) -> tuple[Point, ...]:
    """Strict inverse of encode_points: exactly `count` canonical points."""
    if len(data) != count * POINT_BYTES:
        raise EncodingError(f"{count} points take {count * POINT_BYTES} bytes, got {len(data)}")
    return tuple(Point.from_bytes(data[i : i + POINT_BYTES], backend)
                 for i in range(0, len(data), POINT_BYTES))
