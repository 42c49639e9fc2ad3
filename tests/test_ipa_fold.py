"""The inner-product argument's generator folds two rounds at a time (native_fold2.h,
KernelVectors.ipa_fold): the same points as two one-level folds (zk_fold), the same rounds
as the Python reference (IntVectors) for every proof size, on both lane paths (SPEC.md
§2.3, §5.3)."""

import ctypes
import secrets

import pytest

from zksolv.commitments import generators
from zksolv.group import N, Point, backends, base_mul, fold
from zksolv.group.backends import native
from zksolv.rangeproof import kernel_vectors
from zksolv.rangeproof.ipa import prove as ipa_prove
from zksolv.rangeproof.kernel_vectors import KernelVectors
from zksolv.rangeproof.scalars import IntVectors, random_scalar
from zksolv.transcript import Transcript

NATIVE = backends.get("native")


@pytest.fixture(params=["simd", "scalar"])
def lane_path(request):
    """Eight IFMA lanes (where the CPU has them), then the portable path."""
    native._lib.zk_simd(1 if request.param == "simd" else 0)
    yield request.param
    native._lib.zk_simd(1)


@pytest.fixture
def kernel():
    return KernelVectors(native._lib)


def _points(count: int) -> list[Point]:
    return [base_mul(random_scalar(), NATIVE) for _ in range(count)]


def _raw(points: list[Point]) -> bytes:
    return b"".join(p._raw for p in points)


def _unpacked(raw: bytes) -> list[Point]:
    return [Point(raw[i:i + 64], NATIVE) for i in range(0, len(raw), 64)]


def _two_rounds(kernel, points, q, k, k2):
    """Rounds folding by k then k2, at once: P_j + k2·P_{j+q} + k·P_{j+2q} + k·k2·P_{j+3q}."""
    return _unpacked(kernel._fold_terms(_raw(points), q, [k2, k, k * k2 % N]))


# ---- the kernel's several-round fold against repeated one-level folds ----------------------

@pytest.mark.parametrize("q", [1, 2, 3, 8, 9, 17, 160, 171])   # 160: a block of three terms
def test_two_levels_equal_two_one_level_folds(kernel, lane_path, q):
    points = _points(4 * q)
    k, k2 = random_scalar(), random_scalar()
    once = fold(points[:2 * q], points[2 * q:], k)
    assert _two_rounds(kernel, points, q, k, k2) == fold(once[:q], once[q:], k2)


@pytest.mark.parametrize("k, k2", [(1, 1), (N - 1, N - 1), (1, N - 1), (native.LAMBDA, 2),
                                   (2**128, N - native.LAMBDA)])
def test_edge_factors(kernel, lane_path, k, k2):
    points = _points(4 * 11)   # a lane group and a scalar tail
    once = fold(points[:22], points[22:], k)
    assert _two_rounds(kernel, points, 11, k, k2) == fold(once[:11], once[11:], k2)


@pytest.mark.parametrize("q", [1, 7, 515])   # 515: a block of 512 and a tail
def test_one_term_is_zk_fold(kernel, lane_path, q):
    points, k = _points(2 * q), random_scalar()
    assert _unpacked(kernel._fold_terms(_raw(points), q, [k])) == fold(points[:q], points[q:], k)


def _terms_call(points: bytes, q: int, halves: list[tuple[int, int]]):
    """(status, outputs, flags) of zk_fold_terms with the terms' GLV halves given as is."""
    out, ok = ctypes.create_string_buffer(64 * q), ctypes.create_string_buffer(q)
    packed = b"".join(abs(h).to_bytes(32, "big") for pair in halves for h in pair)
    negs = bytes(h < 0 for pair in halves for h in pair)
    status = native._lib.zk_fold_terms(points, q, len(halves), packed, negs, out, ok)
    return status, [out.raw[64 * i:64 * i + 64] for i in range(q)], ok.raw


@pytest.mark.parametrize("first", [0, 8 + 5, 16 + 2])   # a pair's first chain, its second, alone
def test_identity_and_doubling_outputs(lane_path, first):
    """P_j = −(the terms' sum) gives the identity (zeros, flagged 0); P_j = the sum takes
    the final addition's doubling branch — in whichever lane group's ladder adds P_j."""
    q, ks = 25, [random_scalar() for _ in range(3)]
    hi = _points(3 * q)
    sums = [sum((hi[t * q + j] * ks[t] for t in range(3)), Point.identity(NATIVE)) for j in range(q)]
    lo = _points(q)
    lo[first], lo[first + 1] = -sums[first], sums[first + 1]
    status, out, ok = _terms_call(_raw(lo + hi), q, [native.glv_split(k) for k in ks])
    assert status == 0 and ok == bytes(0 if j == first else 1 for j in range(q))
    assert out[first] == bytes(64) and out[first + 1] == (sums[first + 1] + sums[first + 1])._raw
    rest = [j for j in range(q) if j not in (first, first + 1)]
    assert [out[j] for j in rest] == [(lo[j] + sums[j])._raw for j in rest]


def test_exceptional_additions_inside_the_ladder(lane_path):
    """Three terms on one point with one scalar: the accumulator meets ±the next table entry
    (the lanes cannot add those: redone on the scalar path), and halves forming a GLV
    lattice vector (a1 + b1·λ ≡ 0) cancel to P + (−P)."""
    q, k = 8, random_scalar()
    lo, same = _points(q), _points(q)
    status, out, ok = _terms_call(_raw(lo + same * 3), q, [native.glv_split(k)] * 3)
    assert status == 0 and ok == b"\x01" * q
    assert out == [(lo[j] + same[j] * (3 * k % N))._raw for j in range(q)]
    hi = _points(2 * q)
    lattice = (native._A1, native._B1)
    status, out, ok = _terms_call(_raw(lo + hi), q, [lattice, native.glv_split(k)])
    assert status == 0 and out == [(lo[j] + hi[q + j] * k)._raw for j in range(q)]


# ---- two lane groups' ladders in lockstep (native_fold2.h, ladder8_terms_2) ------------------

def _from_logs(logs: list[int]) -> list[Point]:
    return [base_mul(b, NATIVE) for b in logs]


def _want_from_logs(lo: list[int], hi: list[int], q: int, ks: list[int], reference) -> list[bytes]:
    """out_j = lo_j + Σ_t k_t·hi_{t·q + j} by py_ecc, from the points' discrete logs."""
    out = []
    for j in range(q):
        total = (lo[j] + sum(k * hi[t * q + j] for t, k in enumerate(ks))) % N
        x, y = base_mul(total, reference).affine()
        out.append(x.to_bytes(32, "big") + y.to_bytes(32, "big"))
    return out


def _logs(count: int) -> list[int]:
    return [1 + secrets.randbelow(N - 1) for _ in range(count)]


@pytest.mark.parametrize("terms", [1, 2, 3])
@pytest.mark.parametrize("q", [8, 16, 24, 43])   # 1, 2, 3 and 5 lane groups (43: and a tail)
def test_groups_in_lockstep_match_py_ecc(reference, lane_path, terms, q):
    """An even and an odd number of lane groups (pairs, and a last group alone)."""
    lo, hi, ks = _logs(q), _logs(terms * q), [random_scalar() for _ in range(terms)]
    status, out, ok = _terms_call(_raw(_from_logs(lo + hi)), q, [native.glv_split(k) for k in ks])
    assert status == 0 and ok == b"\x01" * q
    assert out == _want_from_logs(lo, hi, q, ks, reference)


@pytest.mark.parametrize("kind", ["equal", "opposite"])
@pytest.mark.parametrize("output", [3, 8 + 6, 16 + 1])   # a pair's first chain, its second, alone
def test_an_exceptional_lane_in_either_chain_of_a_pair(reference, kind, output):
    """Three terms with one scalar; output `output`'s terms are P, P, P (the ladder meets
    P + P) or P, −P, P (P + (−P)): that lane alone is redone on the scalar path, whichever of
    the paired ladders (or the lone last one) it is in; its neighbours are untouched."""
    q, k = 24, random_scalar()
    lo, hi = _logs(q), _logs(3 * q)
    b = hi[output]
    hi[q + output], hi[2 * q + output] = (b, b) if kind == "equal" else (N - b, b)
    status, out, ok = _terms_call(_raw(_from_logs(lo + hi)), q, [native.glv_split(k)] * 3)
    assert status == 0 and ok == b"\x01" * q
    assert out == _want_from_logs(lo, hi, q, [k] * 3, reference)


def test_term_counts_outside_the_kernels_range_are_refused():
    points = _raw(_points(9))
    assert _terms_call(points, 1, [])[0] == -2
    assert _terms_call(points, 1, [(1, 0)] * 8)[0] == -2


def test_scaled_scalars(kernel):
    edges = [0, 1, 2, N - 1, N - 2, 2**255 % N, random_scalar()]
    for k in [1, N - 1, random_scalar()]:
        packed = b"".join(x.to_bytes(32, "big") for x in edges)
        got = kernel._scaled(packed, k)
        assert got == b"".join((x * k % N).to_bytes(32, "big") for x in edges)


def test_a_failed_allocation_is_a_memory_error(kernel):
    class Failing:
        def __getattr__(self, name):
            return getattr(native._lib, name)

        def zk_fold_terms_kept(self, *args):
            return -1
    kernel._lib = Failing()
    with pytest.raises(MemoryError):
        kernel._fold_terms(_raw(_points(4)), 1, [2, 3, 6])


def test_an_identity_generator_is_refused(kernel):
    """A folded generator that is the identity (not reachable with hash-derived ones) is an
    error, never a point written as zeros."""
    hi = _points(1)
    with pytest.raises(ArithmeticError):
        kernel._fold_terms(_raw([-(hi[0] * 5)] + hi), 1, [5])


# ---- whole arguments against the Python reference ------------------------------------------

def _argument_pair(kernel, count: int):
    """The argument's (L, R, a, b) from IntVectors and from the kernel, on the same inputs."""
    G, H = generators(NATIVE).vectors(count)
    a = [random_scalar() for _ in range(count)]
    b = [secrets.choice([0, 1, N - 1, random_scalar()]) for _ in range(count)]
    y_inv, w, U = random_scalar(), random_scalar(), generators(NATIVE).U
    want = ipa_prove(Transcript(b"ipa"), G, H, y_inv, U, w, (a, b), IntVectors())
    ab = (kernel.draw(iter(a).__next__, count), kernel.draw(iter(b).__next__, count), count)
    return ipa_prove(Transcript(b"ipa"), G, H, y_inv, U, w, ab, kernel), want


@pytest.mark.parametrize("pair_min", [1, kernel_vectors.PAIR_MIN])
@pytest.mark.parametrize("count", [1, 2, 4, 8, 16, 32, 128, 256])   # odd and even rounds
def test_small_arguments_match_the_reference(kernel, lane_path, monkeypatch, pair_min, count):
    monkeypatch.setattr(kernel_vectors, "PAIR_MIN", pair_min)
    got, want = _argument_pair(kernel, count)
    assert got == want


@pytest.mark.parametrize("m", [1, 2, 8, 32, 64, 256])
def test_every_proof_size_matches_the_reference(kernel, m):
    got, want = _argument_pair(kernel, 64 * m)
    assert got == want


def test_rounds_are_folded_in_pairs_down_to_pair_min(kernel, monkeypatch):
    """m = 64: rounds of half 2,048 … 16 in four pairs (three terms), then 8, 4, 2 alone; the
    last round's generators (half 1) are not folded, no later round using them."""
    calls, real, real_pair = [], kernel._fold_terms, kernel._fold_terms_pair
    monkeypatch.setattr(kernel, "_fold_terms",
                        lambda points, q, factors, *kept: calls.append((q, len(factors)))
                        or real(points, q, factors, *kept))
    monkeypatch.setattr(kernel, "_fold_terms_pair",   # G's and H's folds in one call
                        lambda points, q, factors, kept: calls.extend((q, len(f)) for f in factors)
                        or real_pair(points, q, factors, kept))
    got, want = _argument_pair(kernel, 4096)
    assert got == want
    assert calls[::2] == calls[1::2] == [(1024, 3), (256, 3), (64, 3), (16, 3), (8, 1), (4, 1),
                                         (2, 1)]
