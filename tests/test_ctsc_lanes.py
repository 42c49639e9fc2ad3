"""The prover's scalar vectors on eight lanes (native_ctsc8.h; SPEC.md §5.3): one element at
a time, the portable lane words and the IFMA ones write the same bytes, for edge values,
unreduced inputs where ctsc_mul allows them (its first factor, below 2^256) and lengths
around the groups of eight."""

import ctypes
import secrets

import pytest

from zksolv.group import N, backends

ONE_AT_A_TIME = 2   # any set but 0, 1, -1
LENGTHS = [0, 1, 7, 8, 9, 15, 16, 17, 40, 67]
PUBLIC = [0, 1, N - 1, 2**256 - 1, N, None]   # None: random; big-endian, reduced by the kernel
REDUCED_EDGES = [0, 1, 2, N - 1, N - 2, (N - 1) // 2, 2**255 % N]
UNREDUCED_EDGES = [N, N + 1, 2**256 - 1, 2**256 - 2, 2**256 - 2**200]


@pytest.fixture(scope="module")
def lib():
    try:
        backends.get("native")
    except Exception:
        pytest.skip("the C kernel is not built here")
    from zksolv.group.backends import native
    return native._lib


def _sets(lib):
    return [ONE_AT_A_TIME, 0, -1] + ([1] if lib.zk_simd(-1) else [])


def _words(values):
    """A ctsc buffer holding these numbers as its raw words (the form is the caller's)."""
    buf = (ctypes.c_uint64 * (4 * max(len(values), 1)))()
    for i, v in enumerate(values):
        for w in range(4):
            buf[4 * i + w] = (v >> (64 * w)) & (2**64 - 1)
    return buf


def _vector(count, unreduced=False):
    edges = REDUCED_EDGES + (UNREDUCED_EDGES if unreduced else [])
    out = [secrets.randbelow(N) for _ in range(count)]
    for k in range(count):
        if secrets.randbelow(3) == 0:
            out[k] = edges[secrets.randbelow(len(edges))]
    return out


def _be(v):
    return (secrets.randbelow(N) if v is None else v).to_bytes(32, "big")


def _same_on_every_set(lib, run):
    """run(lanes) → bytes; equal for every lane set, and the IFMA set refused where absent."""
    results = {lanes: run(lanes) for lanes in _sets(lib)}
    first = results[ONE_AT_A_TIME]
    for lanes, got in results.items():
        assert got == first, lanes
    if not lib.zk_simd(-1):
        with pytest.raises(AssertionError):
            run(1)


def _status_ok(status):
    assert status == 1, status


@pytest.mark.parametrize("count", LENGTHS)
def test_inner_on_every_lane_set(lib, count):
    for _ in range(3):
        a, b = _words(_vector(count, unreduced=True)), _words(_vector(count))

        def run(lanes):
            out = ctypes.create_string_buffer(32)
            _status_ok(lib.zk_pv_inner_lanes(ctypes.addressof(a), ctypes.addressof(b), count,
                                             out, lanes))
            return out.raw
        _same_on_every_set(lib, run)


@pytest.mark.parametrize("count", LENGTHS)
def test_eval_on_every_lane_set(lib, count):
    for x in PUBLIC:
        p, q = _words(_vector(count, unreduced=True)), _words(_vector(count, unreduced=True))
        x_be = _be(x)

        def run(lanes):
            out = _words([0] * count)
            _status_ok(lib.zk_pv_eval_lanes(ctypes.addressof(p), ctypes.addressof(q), x_be,
                                            count, ctypes.addressof(out), lanes))
            return bytes(out)
        _same_on_every_set(lib, run)


@pytest.mark.parametrize("half", [1, 4, 7, 8, 9, 16, 17, 33, 64])
def test_ipa_round_on_every_lane_set(lib, half):
    for g, h, w in [(None, None, None), (0, 1, N - 1), (N - 1, 0, 1), (2**256 - 1, N, None),
                    (1, N - 1, 0)]:
        a = _words(_vector(2 * half, unreduced=True))
        b, yinv = _words(_vector(2 * half)), _words(_vector(2 * half))
        g_be, h_be, w_be = _be(g), _be(h), _be(w)

        def run(lanes):
            lo = ctypes.create_string_buffer(32 * (2 * half + 1))
            hi = ctypes.create_string_buffer(32 * (2 * half + 1))
            _status_ok(lib.zk_pv_ipa_round_lanes(ctypes.addressof(a), ctypes.addressof(b), half,
                                                 ctypes.addressof(yinv), g_be, h_be, w_be, lo,
                                                 hi, lanes))
            return lo.raw + hi.raw
        _same_on_every_set(lib, run)


@pytest.mark.parametrize("half", [1, 4, 7, 8, 9, 16, 17, 33, 64])
def test_ipa_fold_on_every_lane_set(lib, half):
    for u, ui in [(None, None), (0, 1), (1, N - 1), (N - 1, 2**256 - 1), (N, 0)]:
        a0, b0 = _vector(2 * half, unreduced=True), _vector(2 * half, unreduced=True)
        u_be, ui_be = _be(u), _be(ui)

        def run(lanes):
            a, b = _words(a0), _words(b0)
            _status_ok(lib.zk_pv_ipa_fold_lanes(ctypes.addressof(a), ctypes.addressof(b), half,
                                                u_be, ui_be, lanes))
            return bytes(a) + bytes(b)
        _same_on_every_set(lib, run)


@pytest.mark.parametrize("nbits, m", [(8, 1), (8, 3), (16, 2), (64, 2), (12, 3), (4, 2),
                                      (32, 1)])
def test_poly_on_every_lane_set(lib, nbits, m):
    count = nbits * m
    for z in (None, 0, 1, N - 1, 2**256 - 1):
        nbytes = max(nbits // 8 * m, 1)
        values = bytes(secrets.choice([0, 255, secrets.randbelow(256)]) for _ in range(nbytes))
        s = _words(_vector(2 * count, unreduced=True))
        ypow = _words(_vector(count))
        z_be = _be(z)

        def run(lanes):
            l0, r0, r1 = (_words([0] * count) for _ in range(3))
            t = ctypes.create_string_buffer(64)
            _status_ok(lib.zk_pv_poly_lanes(values, nbits, m, ctypes.addressof(s),
                                            ctypes.addressof(ypow), z_be, ctypes.addressof(l0),
                                            ctypes.addressof(r0), ctypes.addressof(r1), t,
                                            lanes))
            return bytes(l0) + bytes(r0) + bytes(r1) + t.raw
        _same_on_every_set(lib, run)


def test_lane_products_are_the_montgomery_products(lib):
    """Not only equal among themselves: <a, b> on the lanes is Σ a_i·b_i·2^−256 mod n of
    the raw words (and out of the form at the end, so Σ a_i·b_i·2^−512)."""
    count = 37
    a_vals, b_vals = _vector(count, unreduced=True), _vector(count)
    a, b = _words(a_vals), _words(b_vals)
    rinv = pow(2**256, -1, N)
    want = sum(x * y for x, y in zip(a_vals, b_vals)) * rinv * rinv % N
    for lanes in _sets(lib):
        out = ctypes.create_string_buffer(32)
        lib.zk_pv_inner_lanes(ctypes.addressof(a), ctypes.addressof(b), count, out, lanes)
        assert int.from_bytes(out.raw, "big") == want, lanes


def test_wide_loads_on_every_lane_set_at_their_edges(lib):
    """ctsc_from_wide's lanes (zk_pv_load_wide_lanes, and the nonces' lane batches): multiples
    of n, the largest inputs, zeros reported, lengths around eight."""
    edges = [0, 1, N, N + 1, 2 * N - 1, N << 256, (N << 256) + N - 1, 2**512 - 1, 2**256,
             2**256 - 1, N * (2**256 - 1), (2**256 - 1) << 256]
    for count in (1, 8, 9, 12, 17):
        for with_zero in (False, True):
            wide = [edges[secrets.randbelow(len(edges))] if secrets.randbelow(2)
                    else secrets.randbelow(2**512) for _ in range(count)]
            if with_zero:
                wide[secrets.randbelow(count)] = N * secrets.choice([0, 1, 5])
            else:
                wide = [w if w % N else w + 1 for w in wide]
            data = b"".join(w.to_bytes(64, "big") for w in wide)
            rinv = pow(2**256, -1, N)
            for lanes in _sets(lib):
                out = _words([0] * count)
                status = lib.zk_pv_load_wide_lanes(data, count, ctypes.addressof(out), lanes)
                assert status == (0 if with_zero else 1), lanes
                got = [int.from_bytes(bytes(out)[32 * i:32 * i + 32], "little") * rinv % N
                       for i in range(count)]
                assert got == [w % N for w in wide], lanes
                assert all(int.from_bytes(bytes(out)[32 * i:32 * i + 32], "little") < N
                           for i in range(count))


@pytest.mark.parametrize("count", LENGTHS)
def test_store_on_every_lane_set(lib, count):
    """Out of the form, unreduced words too (ctsc_to_be reduces whatever is below 2^256)."""
    a_vals = _vector(count, unreduced=True)
    a = _words(a_vals)
    rinv = pow(2**256, -1, N)

    def run(lanes):
        out = ctypes.create_string_buffer(32 * max(count, 1))
        _status_ok(lib.zk_pv_store_lanes(ctypes.addressof(a), count, ctypes.addressof(out),
                                         lanes))
        return out.raw
    _same_on_every_set(lib, run)
    got = run(-1)
    assert [int.from_bytes(got[32 * i:32 * i + 32], "big") for i in range(count)] == \
        [v * rinv % N for v in a_vals]


@pytest.mark.parametrize("count", LENGTHS + [23, 24, 25, 4096])
def test_powers_on_every_lane_set(lib, count):
    for k in PUBLIC:
        k_be = _be(k)

        def run(lanes):
            out = _words([0] * count)
            _status_ok(lib.zk_pv_powers_lanes(k_be, count, ctypes.addressof(out), lanes))
            return bytes(out)
        _same_on_every_set(lib, run)
        got, kk = run(-1), int.from_bytes(k_be, "big") % N
        assert [int.from_bytes(got[32 * i:32 * i + 32], "little") for i in range(count)] == \
            [pow(kk, i, N) * 2**256 % N for i in range(count)]
