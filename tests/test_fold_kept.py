"""The first generator fold's lane tables read from S's kept tables (zk_fold_terms_kept,
native_fold2.h; KernelVectors.ipa_fold): the same points as the fold that builds its tables
and as py_ecc, and tables that are not those of the fold's points never used (SPEC.md
§2.3, §5.3)."""

import ctypes

import pytest

from zksolv.commitments import generators
from zksolv.group import N, base_mul
from zksolv.group.backends import native
from zksolv.rangeproof.ipa import prove as ipa_prove
from zksolv.rangeproof.kernel_vectors import KernelVectors
from zksolv.rangeproof.scalars import IntVectors, random_scalar
from zksolv.transcript import Transcript
from test_ipa_fold import NATIVE, _from_logs, _logs, _raw, _want_from_logs

LIB = native._lib
TABLE = LIB.zk_ct_tables_bytes(1)   # bytes of one point's kept table
ENTRY = TABLE // 16                 # bytes of one entry (CT_HALF = 16)


@pytest.fixture(params=["simd", "scalar"])
def lane_path(request):
    LIB.zk_simd(1 if request.param == "simd" else 0)
    yield request.param
    LIB.zk_simd(1)


def _tables(raw: bytes):
    """The kept tables (zk_ct_tables) of the points `raw`, as a ctypes array."""
    count = len(raw) // 64
    tables = (ctypes.c_uint64 * (LIB.zk_ct_tables_bytes(count) // 8))()
    assert LIB.zk_ct_tables(raw, count, ctypes.addressof(tables)) == 0
    return tables


def _fold(raw: bytes, q: int, ks: list[int], kept=None, first: int = 0, count=None):
    """zk_fold_terms_kept's outputs; `kept` the tables array, from table `first`, `count`
    tables from there (all the rest if None); without `kept`, zk_fold_terms."""
    halves, negs = [], []
    for k in ks:
        k1, k2 = native.glv_split(k)
        halves += [abs(k1).to_bytes(32, "big"), abs(k2).to_bytes(32, "big")]
        negs += [k1 < 0, k2 < 0]
    out, ok = ctypes.create_string_buffer(64 * q), ctypes.create_string_buffer(q)
    if kept is None:
        status = LIB.zk_fold_terms(raw, q, len(ks), b"".join(halves), bytes(negs), out, ok)
    else:
        rest = ctypes.sizeof(kept) // TABLE - first
        status = LIB.zk_fold_terms_kept(raw, q, len(ks), b"".join(halves), bytes(negs),
                                        ctypes.addressof(kept) + TABLE * first,
                                        rest if count is None else count, out, ok)
    assert status == 0 and ok.raw == b"\x01" * q
    return [out.raw[64 * i:64 * i + 64] for i in range(q)]


def _ks(terms: int) -> list[int]:
    return [random_scalar() for _ in range(terms)]


def _spoil(tables, point: int, entry: int = 2) -> None:
    """Entry `entry` of point `point`'s table replaced by entry 4 (5·P): entry 0 untouched,
    so only a fold that reads the table's other entries sees it."""
    base = ctypes.addressof(tables) + TABLE * point
    ctypes.memmove(base + ENTRY * entry, base + ENTRY * 4, ENTRY)


# ---- the same points as built tables and as py_ecc ---------------------------------------

@pytest.mark.parametrize("q", [8, 16, 24, 43])   # 1, 2, 3, 5 lane groups (43: and a tail)
@pytest.mark.parametrize("terms", [1, 3])
def test_kept_tables_match_py_ecc(reference, lane_path, q, terms):
    lo, hi, ks = _logs(q), _logs(terms * q), _ks(terms)
    raw = _raw(_from_logs(lo + hi))
    got = _fold(raw, q, ks, _tables(raw))
    assert got == _want_from_logs(lo, hi, q, ks, reference) == _fold(raw, q, ks)


def test_the_m64_fold_from_kept_tables_equals_the_built_one(lane_path):
    """m = 64: the first fold's 4,096 generators of each kind, S's [H] + G + H tables."""
    gens = generators(NATIVE)
    G, H = gens.vectors(4096)
    tables = KernelVectors(LIB)._s_tables(gens, G, H)
    ks = _ks(3)
    for raw, first in ((_raw(G), 1), (_raw(H), 1 + 4096)):
        assert _fold(raw, 1024, ks, tables, first) == _fold(raw, 1024, ks)


@pytest.mark.parametrize("kind", ["equal", "opposite"])
@pytest.mark.parametrize("output", [3, 8 + 6, 16 + 1])   # a pair's first chain, its second, alone
def test_an_exceptional_lane_from_kept_tables(reference, kind, output):
    """Output `output`'s three terms are P, P, P or P, −P, P under one scalar: the ladder meets
    P + P or P + (−P) in that lane, which is redone alone; the others are untouched."""
    q, k = 24, random_scalar()
    lo, hi = _logs(q), _logs(3 * q)
    b = hi[output]
    hi[q + output], hi[2 * q + output] = (b, b) if kind == "equal" else (N - b, b)
    raw = _raw(_from_logs(lo + hi))
    assert _fold(raw, q, [k] * 3, _tables(raw)) == _want_from_logs(lo, hi, q, [k] * 3, reference)


# ---- tables that are not the fold's points' are never used -------------------------------

def test_the_lanes_read_the_kept_tables():
    """A kept table with entry 2 (3·P) spoiled changes the output on IFMA lanes (where the
    CPU has them), which shows the checks below are what keeps a wrong table out."""
    q, ks = 16, _ks(3)
    raw = _raw([base_mul(random_scalar(), NATIVE) for _ in range(4 * q)])
    tables = _tables(raw)
    _spoil(tables, q + 5)
    lanes = LIB.zk_simd(-1) == 1
    assert (_fold(raw, q, ks, tables) != _fold(raw, q, ks)) == lanes


@pytest.mark.parametrize("how", ["shifted", "other points", "another size", "one short"])
def test_tables_of_other_points_are_never_used(lane_path, how):
    """Tables shifted by one point, of other points, of a proof size whose prefix these
    points are not, or one table fewer than the points (the table past `count` right in
    its entry 0 but spoiled in entry 2): the fold builds its tables, same outputs."""
    q, ks = 16, _ks(3)
    points = [base_mul(random_scalar(), NATIVE) for _ in range(4 * q + 1)]
    raw = _raw(points[:4 * q])
    want, first, count = _fold(raw, q, ks), 0, None
    if how == "shifted":   # table i is point i + 1's
        tables = _tables(_raw(points[1:]))
    elif how == "other points":
        tables = _tables(_raw([base_mul(random_scalar(), NATIVE) for _ in range(4 * q)]))
    elif how == "another size":   # [H] + G + H of a proof half as long, G a prefix of these
        others = [base_mul(random_scalar(), NATIVE) for _ in range(2 * q)]
        tables, first = _tables(_raw(points[-1:] + points[:2 * q] + others)), 1
    else:
        tables, count = _tables(raw), 4 * q - 1
        _spoil(tables, 4 * q - 1)
    assert _fold(raw, q, ks, tables, first, count) == want


def test_the_argument_reads_s_tables_on_its_first_fold(monkeypatch):
    """A whole argument over G, H with S's kept tables present: the first fold (and only it)
    gets them, at G's and H's places in [H] + G + H, and the argument equals IntVectors'."""
    gens, count = generators(NATIVE), 256
    G, H = gens.vectors(count)
    kernel = KernelVectors(LIB)
    tables = kernel._s_tables(gens, G, H)
    calls, real, real_pair = [], kernel._fold_terms, kernel._fold_terms_pair
    monkeypatch.setattr(kernel, "_fold_terms", lambda points, q, factors, kept=None: calls.append(
        (q, kept)) or real(points, q, factors, kept))
    monkeypatch.setattr(kernel, "_fold_terms_pair", lambda points, q, factors, kept: calls.extend(
        (q, each) for each in kept) or real_pair(points, q, factors, kept))
    a, b = _ks(count), _ks(count)
    y_inv, w = random_scalar(), random_scalar()
    want = ipa_prove(Transcript(b"ipa"), G, H, y_inv, gens.U, w, (a, b), IntVectors())
    ab = (kernel.draw(iter(a).__next__, count), kernel.draw(iter(b).__next__, count), count)
    assert ipa_prove(Transcript(b"ipa"), G, H, y_inv, gens.U, w, ab, kernel) == want
    base, total = ctypes.addressof(tables), ctypes.sizeof(tables) // TABLE
    assert calls[:2] == [(64, (base + TABLE, total - 1)),
                         (64, (base + TABLE * (1 + count), total - 1 - count))]
    assert all(kept in (None, (None, None)) for _, kept in calls[2:])


def test_fewer_tables_than_the_generators_give_a_count_of_none():
    """S's tables of fewer points than [H] + G + H (not reached: they are found by G's
    length): the counts handed to the kernel are never negative (a size_t: huge)."""
    state = [None] * 9
    state[3], state[8] = _raw([base_mul(random_scalar(), NATIVE) for _ in range(4)]), _tables(
        _raw([base_mul(random_scalar(), NATIVE) for _ in range(3)]))
    (_, g_count), (_, h_count) = KernelVectors(LIB)._first_fold_tables(state)
    assert (g_count, h_count) == (2, 0)
