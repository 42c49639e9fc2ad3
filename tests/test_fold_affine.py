"""G's and H's generator folds of a round pair in one call (zk_fold_terms_pair,
native_fold_affine.h): on IFMA lanes and from AFF_MIN_GROUPS lane groups a fold, their
ladders run with affine accumulators, one batched inversion a step for both folds. The
same points as py_ecc and as two folds one after the other, exceptional lanes (P + P,
P + (−P), identity outputs) redone on the scalar path, kept tables read as the one-fold
path reads them (SPEC.md §2.3, §5.3)."""

import ctypes

import pytest

from zksolv.group import N, base_mul
from zksolv.group.backends import native
from zksolv.rangeproof.scalars import random_scalar
from test_fold_kept import _spoil, _tables
from test_ipa_fold import NATIVE, _from_logs, _logs, _raw, _want_from_logs

LIB = native._lib
LANES = LIB.zk_simd(-1) == 1
TABLE = LIB.zk_ct_tables_bytes(1)


@pytest.fixture
def affine_from():
    """Sets the lane groups a fold needs for the affine ladders; back to the kernel's after."""
    yield LIB.zk_fold_affine_min
    LIB.zk_fold_affine_min(0)


def _pair(raws, q: int, kss, kept=((None, 0), (None, 0))):
    """(status, fold a's outputs, fold b's outputs, flags) of zk_fold_terms_pair."""
    (ha, na), (hb, nb) = native.glv_halves(kss[0]), native.glv_halves(kss[1])
    out, ok = ctypes.create_string_buffer(128 * q), ctypes.create_string_buffer(2 * q)
    status = LIB.zk_fold_terms_pair(raws[0], raws[1], q, len(kss[0]), ha + hb, na + nb,
                                    kept[0][0], kept[0][1], kept[1][0], kept[1][1], out, ok)
    rows = [out.raw[64 * i:64 * i + 64] for i in range(2 * q)]
    return status, rows[:q], rows[q:], ok.raw


def _one(raw: bytes, q: int, ks: list[int]) -> list[bytes]:
    """zk_fold_terms' outputs (the Jacobian lane ladders), all flagged 1."""
    halves, negs = native.glv_halves(ks)
    out, ok = ctypes.create_string_buffer(64 * q), ctypes.create_string_buffer(q)
    assert LIB.zk_fold_terms(raw, q, len(ks), halves, negs, out, ok) == 0
    assert ok.raw == b"\x01" * q
    return [out.raw[64 * i:64 * i + 64] for i in range(q)]


def _affine_status() -> int:
    """What zk_fold_terms_pair returns where it runs the affine ladders (1), else 0."""
    return 1 if LANES else 0


def _logs_pair(q: int, terms: int):
    return [(_logs(q), _logs(terms * q)) for _ in range(2)]


# ---- against py_ecc, the affine ladders on small folds -------------------------------------

@pytest.mark.parametrize("terms", [1, 3])
@pytest.mark.parametrize("q", [8, 16, 24, 40])   # 1, 2, 3, 5 groups a fold
def test_small_pairs_match_py_ecc(reference, affine_from, q, terms):
    affine_from(1)
    logs = _logs_pair(q, terms)
    kss = [[random_scalar() for _ in range(terms)] for _ in range(2)]
    raws = [_raw(_from_logs(lo + hi)) for lo, hi in logs]
    status, a, b, ok = _pair(raws, q, kss)
    assert status == _affine_status() and ok == b"\x01" * (2 * q)
    assert a == _want_from_logs(*logs[0], q, kss[0], reference)
    assert b == _want_from_logs(*logs[1], q, kss[1], reference)


@pytest.mark.parametrize("ks", [[0, 0, 0], [0, 5, 0], [1, N - 1, 2], [N - 1, N - 1, N - 1]])
def test_small_and_zero_scalars(reference, affine_from, ks):
    """No digit at all (the outputs are their own points), one term only, ±1: the ladders'
    first step and their lengths differ between the two folds."""
    affine_from(1)
    q = 16
    logs = _logs_pair(q, 3)
    kss = [ks, [random_scalar() for _ in range(3)]]
    raws = [_raw(_from_logs(lo + hi)) for lo, hi in logs]
    status, a, b, ok = _pair(raws, q, kss)
    assert status == _affine_status() and ok == b"\x01" * (2 * q)
    assert a == _want_from_logs(*logs[0], q, kss[0], reference)
    assert b == _want_from_logs(*logs[1], q, kss[1], reference)


# ---- exceptional lanes: redone alone, their neighbours untouched ----------------------------

def _plant(lo: list[int], hi: list[int], q: int, ks: list[int], output: int, kind: str):
    """Output `output`'s points made exceptional (in discrete logs): its terms P, P, P or
    P, −P, P (the ladder meets P + P or P + (−P); ks all equal), its own point minus the
    terms' sum (the identity) or their sum (the last addition a doubling)."""
    b = hi[output]
    if kind == "equal":
        hi[q + output], hi[2 * q + output] = b, b
    elif kind == "opposite":
        hi[q + output], hi[2 * q + output] = N - b, b
    else:
        total = sum(k * hi[t * q + output] for t, k in enumerate(ks)) % N
        lo[output] = (N - total) % N if kind == "identity" else total


@pytest.mark.parametrize("kind", ["equal", "opposite", "identity", "own is the sum"])
@pytest.mark.parametrize("fold, outputs", [(0, [0]), (0, [13, 14]), (1, [23]), (1, [8, 15])])
def test_exceptional_lanes_are_redone(reference, affine_from, kind, fold, outputs):
    affine_from(1)
    q, k = 24, random_scalar()
    logs = _logs_pair(q, 3)
    kss = [[k] * 3, [random_scalar()] * 3]
    for output in outputs:
        _plant(*logs[fold], q, kss[fold], output, kind)
    raws = [_raw(_from_logs(lo + hi)) for lo, hi in logs]
    status, a, b, ok = _pair(raws, q, kss)
    assert status == _affine_status()
    got = (a, b)
    for f in range(2):
        lo, hi = logs[f]
        flags = ok[f * q:(f + 1) * q]
        for j in range(q):
            if f == fold and j in outputs and kind == "identity":
                assert got[f][j] == bytes(64) and flags[j] == 0
            else:
                want, = _want_from_logs([lo[j]], [hi[t * q + j] for t in range(3)], 1, kss[f],
                                        reference)
                assert got[f][j] == want and flags[j] == 1


# ---- around the threshold: the kernel's own AFF_MIN_GROUPS ----------------------------------

MIN_GROUPS = 16   # the kernel's AFF_MIN_GROUPS


@pytest.mark.parametrize("q", [8 * MIN_GROUPS - 8, 8 * MIN_GROUPS, 8 * MIN_GROUPS + 4,
                               8 * MIN_GROUPS + 8, 1024])   # one group short, a tail, more
def test_sizes_around_the_threshold_equal_two_folds(q):
    assert LIB.zk_fold_affine_min(-1) in (MIN_GROUPS, 0)   # 0: a kernel without the lanes
    terms = 3
    raws = [_raw([base_mul(random_scalar(), NATIVE) for _ in range(4 * q)]) for _ in range(2)]
    kss = [[random_scalar() for _ in range(terms)] for _ in range(2)]
    status, a, b, ok = _pair(raws, q, kss)
    affine = LANES and q % 8 == 0 and q // 8 >= MIN_GROUPS
    assert status == (1 if affine else 0) and ok == b"\x01" * (2 * q)
    assert a == _one(raws[0], q, kss[0]) and b == _one(raws[1], q, kss[1])


def test_without_lanes_the_folds_run_one_after_the_other(affine_from):
    affine_from(1)
    LIB.zk_simd(0)
    try:
        q = 16
        raws = [_raw([base_mul(random_scalar(), NATIVE) for _ in range(4 * q)]) for _ in range(2)]
        kss = [[random_scalar() for _ in range(3)] for _ in range(2)]
        status, a, b, ok = _pair(raws, q, kss)
        assert status == 0 and ok == b"\x01" * (2 * q)
    finally:
        LIB.zk_simd(1)
    assert a == _one(raws[0], q, kss[0]) and b == _one(raws[1], q, kss[1])


def test_term_counts_outside_the_kernels_range_are_refused():
    raws = [_raw([base_mul(random_scalar(), NATIVE) for _ in range(9)])] * 2
    for terms in (0, 8):
        assert _pair(raws, 1, [[1] * terms] * 2)[0] == -2


# ---- kept tables: read as zk_fold_terms_kept reads them -------------------------------------

def test_kept_tables_are_read_and_checked(affine_from):
    """Both folds' kept tables: the same outputs as built ones; a table spoiled in entry 2
    changes fold b's outputs only on lanes (so the affine path reads them); tables of other
    points (fold a's given to fold b) are never used."""
    affine_from(1)
    q = 16
    raws = [_raw([base_mul(random_scalar(), NATIVE) for _ in range(4 * q)]) for _ in range(2)]
    kss = [[random_scalar() for _ in range(3)] for _ in range(2)]
    tables = [_tables(raw) for raw in raws]
    kept = [(ctypes.addressof(t), 4 * q) for t in tables]
    built = _pair(raws, q, kss)
    assert _pair(raws, q, kss, kept) == built
    assert _pair(raws, q, kss, [kept[0], kept[0]]) == built
    _spoil(tables[1], q + 5)
    spoiled = _pair(raws, q, kss, kept)
    assert spoiled[1] == built[1] and (spoiled[2] != built[2]) == LANES
