"""S on eight lanes (native_ct8.h over native_lanes.h; SPEC.md §2.3, §5.3): the constant-time
Straus over kept tables, on the portable lane words and on the IFMA ones, against py_ecc on
the inputs that reach its exceptional cases. Its constant time is checked under valgrind by
tests/test_ctime_prove.py (the portable words; valgrind cannot run AVX-512)."""

import ctypes
import secrets

import pytest
from test_ctime import _edge_inputs, _ref_sum

from zksolv.group import N, affine_bytes, backends, msm

LANE_BLOCK = 768   # ZK_CT8_BLOCK: points a block


@pytest.fixture(scope="module")
def native():
    try:
        backend = backends.get("native")
    except Exception:
        pytest.skip("the C kernel is not built here")
    from zksolv.group.backends import native as module
    return backend, module._lib


def _lanes_sum(lib, points, scalars, lanes):
    """(status, x ‖ y) of Σ k·P by the kept tables' lane path `lanes` (0 portable, 1 IFMA)."""
    tables = (ctypes.c_uint64 * (lib.zk_ct_tables_bytes(len(points)) // 8))()
    assert lib.zk_ct_tables(affine_bytes(points), len(points), ctypes.addressof(tables)) == 0
    out = ctypes.create_string_buffer(64)
    packed = b"".join((k % N).to_bytes(32, "big") for k in scalars)
    return lib.zk_msm_secret_tabled_lanes(ctypes.addressof(tables), packed, len(points), out,
                                          lanes), out.raw


def _expected(points, scalars):
    """(status, x ‖ y) as the kernel writes it, from py_ecc: (0, zeros) for the identity."""
    xy = _ref_sum([(p.affine(), k) for p, k in zip(points, scalars)])
    if xy is None:
        return 0, bytes(64)
    return 1, xy[0].to_bytes(32, "big") + xy[1].to_bytes(32, "big")


def _lane_sets(lib):
    """The lane sets to check here: the portable words always, IFMA where the CPU has it."""
    return [0, 1] if lib.zk_simd(-1) else [0]


def test_lanes_match_py_ecc_on_edge_inputs(native):
    """Zero scalars, n − 1, repeated points (in one lane and across lanes), P and −P that
    cancel, sums that are the identity, counts not a multiple of 8, more than a block."""
    backend, lib = native
    p = _edge_inputs(backend)[0][0][0]
    k = 1 + secrets.randbelow(N - 1)
    cases = _edge_inputs(backend) + [
        ([p] * 16, [k] * 16),                  # P added to itself in every lane, twice
        ([p] * 16, [k, N - k] * 8),            # lane by lane the identity
        ([p] * 9, [0] * 8 + [N - 1]),          # all lanes empty but one
        ([p] * 3, [0, 0, 0]),
    ]
    for points, scalars in cases:
        want = _expected(points, scalars)
        for lanes in _lane_sets(lib):
            assert _lanes_sum(lib, points, scalars, lanes) == want, (lanes, len(points))


def test_lanes_match_the_kernel_msm_across_blocks(native):
    """Random points and scalars over two lane blocks and a partial group, both sets, and the
    kernel's own dispatch (zk_msm_secret_tabled), against the variable-time kernel MSM."""
    backend, lib = native
    base = _edge_inputs(backend)[-1][0]
    points = (base * (LANE_BLOCK // len(base) + 2))[:LANE_BLOCK + 13]
    scalars = [secrets.randbelow(N) for _ in points]
    scalars[0], scalars[LANE_BLOCK - 1], scalars[LANE_BLOCK] = 0, N - 1, 1
    want = msm(points, scalars)
    want = (1, b"".join(c.to_bytes(32, "big") for c in want.affine()))
    for lanes in _lane_sets(lib):
        assert _lanes_sum(lib, points, scalars, lanes) == want
    if not lib.zk_simd(-1):
        assert _lanes_sum(lib, points, scalars, 1)[0] == -2   # no IFMA: refused, not faked


def test_dispatch_takes_the_lanes_or_the_one_lane_straus_alike(native):
    """zk_msm_secret_tabled with the IFMA lanes on and off: the same point."""
    backend, lib = native
    points = _edge_inputs(backend)[-1][0][:40]
    scalars = [secrets.randbelow(N) for _ in points]
    tables = (ctypes.c_uint64 * (lib.zk_ct_tables_bytes(len(points)) // 8))()
    lib.zk_ct_tables(affine_bytes(points), len(points), ctypes.addressof(tables))
    packed = b"".join(k.to_bytes(32, "big") for k in scalars)
    results = []
    try:
        for mode in (0, 1):
            lib.zk_simd(mode)
            out = ctypes.create_string_buffer(64)
            assert lib.zk_msm_secret_tabled(ctypes.addressof(tables), packed, len(points), out) == 1
            results.append(out.raw)
    finally:
        lib.zk_simd(1)
    want = msm(points, scalars).affine()
    assert results == [b"".join(c.to_bytes(32, "big") for c in want)] * 2


def _pairs(lib, points, pairs, lanes):
    """(status, [x ‖ y of k·P_0 + k'·P_1 for (k, k') in pairs]) by zk_pairs_secret_comb."""
    tables = (ctypes.c_uint64 * (lib.zk_comb_tables_bytes() // 8))()
    assert lib.zk_comb_tables(affine_bytes(points), ctypes.addressof(tables)) == 0
    out = ctypes.create_string_buffer(64 * len(pairs))
    packed = b"".join((k % N).to_bytes(32, "big") for pair in pairs for k in pair)
    status = lib.zk_pairs_secret_comb(ctypes.addressof(tables), packed, len(pairs), out, lanes)
    return status, [out.raw[64 * i:64 * i + 64] for i in range(len(pairs))]


def test_pairs_one_a_lane_match_py_ecc(native):
    """The V_j's form over comb tables, eight sums a batch, one a lane (zk_pairs_secret_comb),
    and one by one on one lane: zero scalars
    (a padding leaf's value), n − 1, the identity (k·P + (n − k)·P with P_0 = P_1, and 0, 0),
    batches of 1, 7, 8, 9 and 17 sums, on each lane set and by the kernel's own choice
    (−1: the one-lane Straus for a single sum or without IFMA)."""
    backend, lib = native
    g, h = _edge_inputs(backend)[-1][0][:2]
    k = 1 + secrets.randbelow(N - 1)
    edges = [(0, k), (k, 0), (0, 0), (N - 1, N - 1), (1, 1), (2**64 - 1, N - 2), (k, N - k)]
    for count in (1, 7, 8, 9, 17):
        pairs = (edges * 3)[:count - 1] + [(secrets.randbelow(N), secrets.randbelow(N))]
        for points in ([g, h], [g, g]):
            want = [_expected(points, pair)[1] for pair in pairs]
            for lanes in _lane_sets(lib) + [-1]:
                assert _pairs(lib, points, pairs, lanes) == (0, want), (count, lanes)
    if not lib.zk_simd(-1):
        assert _pairs(lib, [g, h], [(1, 1)], 1)[0] == -2   # no IFMA: refused, not faked


# ---- S's digits eight scalars at a time (CT8(lane_digits), native_ct8.h) -----------------

CT_WINDOWS = 52   # 256 / 5 + 1 signed base-2^5 windows

# Windows worth exactly 16 and 17 (the carry's edge), long carry chains, every bit set.
DIGIT_EDGES = [0, 1, 2, N - 1, N - 2, (N - 1) // 2, 2**256 - 1, 2**255, 2**128 - 1,
               int("0F" * 32, 16), int("F0" * 32, 16), int("10000" * 51, 2),
               int("10001" * 51, 2), int("01111" * 51, 2), int("11111" * 51, 2),
               int("10000" * 51 + "1", 2), sum(16 << (5 * w) for w in range(51)),
               sum(17 << (5 * w) for w in range(51)), 2**64 - 1, 2**192 + 2**64 - 1,
               16, 17, 15, 31, 32, 33]


def _lane_digits(lib, scalars, lane_set):
    """(status, words) of zk_ct_lane_digits on `lane_set` (0 portable, 1 IFMA, 2 one at a
    time by ct_digits): window w of scalar k at (w·groups + k//8)·8 + k % 8."""
    groups = (len(scalars) + 7) // 8
    out = (ctypes.c_uint64 * (CT_WINDOWS * groups * 8 or 1))()
    packed = b"".join(k.to_bytes(32, "big") for k in scalars)
    status = lib.zk_ct_lane_digits(lane_set, packed, len(scalars), ctypes.addressof(out))
    return status, list(out)


def _python_digits(k):
    """ct_digits' rule in Python: v = window + carry, carry = v > 16, d = v − 32·carry."""
    digits, carry = [], 0
    for w in range(CT_WINDOWS):
        v = (k >> (5 * w) & 31) + carry
        carry = int(v > 16)
        digits.append(v - 32 * carry)
    return digits


@pytest.mark.parametrize("count", [0, 1, 7, 8, 9, 16, 23, 26, 64, 130])
def test_lane_digits_match_ct_digits_one_at_a_time(native, count):
    """Every lane set's digits are bit-identical to ct_digits' (one scalar at a time, the
    reference layout), lanes past `count` zero, and they spell the scalar back."""
    _, lib = native
    scalars = (DIGIT_EDGES + [secrets.randbits(256) for _ in range(count)])[:count]
    secrets.SystemRandom().shuffle(scalars)
    status, want = _lane_digits(lib, scalars, 2)
    assert status == 0
    groups = (count + 7) // 8
    for k, scalar in enumerate(scalars):
        digits = [want[(w * groups + k // 8) * 8 + k % 8] for w in range(CT_WINDOWS)]
        signed = [d - 2**64 if d >= 2**63 else d for d in digits]
        assert signed == _python_digits(scalar)
        assert sum(d << (5 * w) for w, d in enumerate(signed)) == scalar
    for lane_set in _lane_sets(lib):
        assert _lane_digits(lib, scalars, lane_set) == (0, want), (lane_set, count)
    if not lib.zk_simd(-1):
        assert _lane_digits(lib, scalars, 1)[0] == -2   # no IFMA: refused, not faked


def test_lane_digits_of_every_edge_in_every_lane(native):
    """Each edge scalar in each of the eight lanes, the others random."""
    _, lib = native
    for edge in DIGIT_EDGES:
        for lane in range(8):
            scalars = [secrets.randbits(256) for _ in range(8)]
            scalars[lane] = edge
            want = _lane_digits(lib, scalars, 2)
            for lane_set in _lane_sets(lib):
                assert _lane_digits(lib, scalars, lane_set) == want


@pytest.mark.parametrize("count", [1, 7, 8, 9, 23, 64])
def test_lane_tables_transposed_in_registers_match_one_qword_at_a_time(native, count):
    """S's lane tables from the kept tables (zk_ct_lane_tables): the IFMA transpose gives the
    words ct8_lane_tables gives, lanes past `count` zero (a partial last group)."""
    backend, lib = native
    points = _edge_inputs(backend)[-1][0][:count]
    tables = (ctypes.c_uint64 * (lib.zk_ct_tables_bytes(count) // 8))()
    assert lib.zk_ct_tables(affine_bytes(points), count, ctypes.addressof(tables)) == 0
    words = (count + 7) // 8 * 16 * 64

    def lane_tables(lane_set):
        out = (ctypes.c_uint64 * words)(*([2**64 - 1] * words))   # no zero by chance
        return lib.zk_ct_lane_tables(lane_set, ctypes.addressof(tables), count,
                                     ctypes.addressof(out)), list(out)
    status, want = lane_tables(0)
    assert status == 0 and sum(1 for w in want if w == 0) == (-count % 8) * 16 * 8
    raw = affine_bytes(points)
    for k in range(count):   # entry 0 is the point: x, y as four 64-bit words each
        entry = want[k // 8 * 16 * 64 + k % 8:][:64:8]
        x, y = (sum(w << 64 * c for c, w in enumerate(half)) for half in (entry[:4], entry[4:]))
        assert (x.to_bytes(32, "big") + y.to_bytes(32, "big")) == raw[64 * k:64 * k + 64]
    if lib.zk_simd(-1):
        assert lane_tables(1) == (0, want)
    else:
        assert lane_tables(1)[0] == -2
