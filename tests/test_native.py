"""zksolv's C kernel against references nobody here wrote: Python's integers for the field,
py_ecc for the group (SPEC.md §2.3)."""

import ctypes
import pathlib
import secrets
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zksolv.group import N, P, Point, backends, base_mul, fold, msm
from zksolv.group.backends import native

FIELD_EDGES = [0, 1, 2, P - 1, P, P + 1, 2**256 - 1, 2**256 - 2, 2**255, 2**52 - 1, 2**52,
               2**208, 2**256 - 2**208, 2**32 + 977, P - 2**32 - 977]
field_inputs = st.one_of(st.sampled_from(FIELD_EDGES), st.integers(0, 2**256 - 1))
OPS = {"add": (0, lambda a, b: (a + b) % P), "sub": (1, lambda a, b: (a - b) % P),
       "mul": (2, lambda a, b: a * b % P)}


def test_kernel_is_built():
    """CI machines have gcc: the fast path must really be under test, not the fallback."""
    assert backends.available()[0] == "native"


def test_kernel_builds_where_there_are_no_ifma_lanes(tmp_path):
    """A compiler without the IFMA lanes (another architecture, or another compiler) must still
    build the kernel, warning-free: ZK_NO_IFMA compiles it as such a compiler would (setup.py
    marks the kernel optional, so a build error there would silently leave only coincurve)."""
    source = pathlib.Path(native.__file__).with_name("native.c")
    done = subprocess.run(["gcc", "-c", "-O2", "-Wall", "-Wextra", "-Werror", "-DZK_NO_IFMA",
                           "-o", str(tmp_path / "native.o"), str(source)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def _cpu_has_ifma() -> bool:
    """The kernel's dispatch, checked against what the kernel did not write: Linux's view."""
    flags = pathlib.Path("/proc/cpuinfo").read_text().split()
    return "avx512ifma" in flags


def test_simd_dispatch_follows_the_cpu():
    assert bool(native._lib.zk_simd(-1)) == _cpu_has_ifma()


@pytest.fixture(params=["simd", "scalar"])
def lane_path(request):
    """Each path the kernel has: eight IFMA lanes (where the CPU has them) and scalar."""
    native._lib.zk_simd(1 if request.param == "simd" else 0)
    yield request.param
    native._lib.zk_simd(1)


def _fe_op(op: int, a: int, b: int = 0) -> tuple[int, int]:
    out = ctypes.create_string_buffer(32)
    ok = native._lib.zk_fe_op(op, a.to_bytes(32, "big"), b.to_bytes(32, "big"), out)
    return ok, int.from_bytes(out.raw, "big")


class TestField:
    """Inputs go in unreduced (up to 2^256 − 1) to reach every carry and fold path."""

    @pytest.mark.parametrize("name", sorted(OPS))
    @settings(max_examples=400)
    @given(a=field_inputs, b=field_inputs)
    def test_matches_python_integers(self, name, a, b):
        op, reference = OPS[name]
        assert _fe_op(op, a, b) == (1, reference(a, b))

    @given(field_inputs)
    def test_inverse(self, a):
        _, inv = _fe_op(3, a)
        assert inv * a % P == (1 if a % P else 0)

    @given(field_inputs)
    def test_square_root(self, a):
        ok, root = _fe_op(4, a)
        is_square = pow(a % P, (P - 1) // 2, P) in (0, 1)
        assert bool(ok) == is_square
        if is_square:
            assert root * root % P == a % P


class TestFieldLanes:
    """The eight-lane IFMA field, where the CPU has it, against Python's integers."""

    LANE_OPS = {0: lambda a, b: (a + b) % P, 1: lambda a, b: (a - b) % P,
                2: lambda a, b: a * b % P, 3: lambda a, b: a * a % P}

    @pytest.mark.parametrize("op", sorted(LANE_OPS))
    @settings(max_examples=100)
    @given(a=st.lists(field_inputs, min_size=8, max_size=8),
           b=st.lists(field_inputs, min_size=8, max_size=8))
    def test_matches_python_integers(self, op, a, b):
        out = ctypes.create_string_buffer(256)
        ran = native._lib.zk_fe8_op(op, b"".join(x.to_bytes(32, "big") for x in a),
                                    b"".join(x.to_bytes(32, "big") for x in b), out)
        assert bool(ran) == _cpu_has_ifma()
        if ran:
            got = [int.from_bytes(out.raw[32 * i:32 * i + 32], "big") for i in range(8)]
            assert got == [self.LANE_OPS[op](x, y) for x, y in zip(a, b)]


def _points(be, count):
    return [base_mul(1 + secrets.randbelow(N - 1), be) for _ in range(count)]


def _same(got: Point, want: Point) -> bool:
    if want.is_identity:
        return got.is_identity
    return not got.is_identity and got.affine() == want.affine()


class TestFold:
    """lo_i + k·hi_i through the GLV split, against py_ecc's plain arithmetic."""

    @given(st.integers(1, N - 1))
    def test_glv_split(self, k):
        k1, k2 = native.glv_split(k)
        assert (k1 + k2 * native.LAMBDA - k) % N == 0
        assert abs(k1) < 2**129 and abs(k2) < 2**129

    @pytest.mark.parametrize("k", [1, 2, N - 1, native.LAMBDA, N - native.LAMBDA, 2**128, None])
    @pytest.mark.parametrize("size", [5, 19])   # 19: two lane groups and a scalar tail
    def test_matches_reference(self, reference, lane_path, k, size):
        k = k or 1 + secrets.randbelow(N - 1)
        be = backends.get("native")
        lo_k = [1 + secrets.randbelow(N - 1) for _ in range(size)]
        hi_k = [1 + secrets.randbelow(N - 1) for _ in range(size)]
        got = fold([base_mul(a, be) for a in lo_k], [base_mul(b, be) for b in hi_k], k)
        want = [base_mul(a, reference) + base_mul(b, reference) * k for a, b in zip(lo_k, hi_k)]
        assert all(_same(g, w) for g, w in zip(got, want))

    def test_across_blocks(self, lane_path):
        """1,030 points: two full blocks of 512 and a tail of 6, checked on coincurve."""
        be, cc = backends.get("native"), backends.get("coincurve")
        k = 1 + secrets.randbelow(N - 1)
        scalars = [(1 + secrets.randbelow(N - 1), 1 + secrets.randbelow(N - 1)) for _ in range(1030)]
        got = fold([base_mul(a, be) for a, _ in scalars], [base_mul(b, be) for _, b in scalars], k)
        want = [base_mul(a, cc) + base_mul(b, cc) * k for a, b in scalars]
        assert [g.to_bytes() for g in got] == [w.to_bytes() for w in want]

    def test_identity_and_doubling_slots(self, lane_path):
        """lo = −k·hi gives the identity; lo = k·hi takes the doubling branch."""
        be = backends.get("native")
        k, h = 1 + secrets.randbelow(N - 1), 1 + secrets.randbelow(N - 1)
        hi = [base_mul(h, be)] * 9
        lo = [base_mul(N - k * h % N, be), base_mul(k * h % N, be)] + _points(be, 7)
        got = fold(lo, hi, k)
        assert got[0].is_identity
        assert got[1] == base_mul(2 * k * h % N, be)
        assert all(g == lo_i + hi[0] * k for g, lo_i in zip(got[2:], lo[2:]))

    def test_exceptional_additions_inside_the_ladder(self, lane_path):
        """Halves forming a GLV lattice vector (k1 + k2·λ ≡ 0) end the ladder on P + (−P),
        an addition the eight-lane path cannot do: those lanes must be redone, giving lo."""
        be = backends.get("native")
        k1, k2 = native._A1, native._B1   # a1 + b1·λ ≡ 0 (mod n)
        lo, hi = _points(be, 11), _points(be, 11)
        out = ctypes.create_string_buffer(64 * 11)
        ok = ctypes.create_string_buffer(11)
        native._lib.zk_fold(b"".join(p._raw for p in lo), b"".join(p._raw for p in hi), 11,
                            abs(k1).to_bytes(32, "big"), k1 < 0, abs(k2).to_bytes(32, "big"),
                            k2 < 0, out, ok)
        assert ok.raw == b"\x01" * 11
        assert [out.raw[64 * i:64 * i + 64] for i in range(11)] == [p._raw for p in lo]


class TestMsm:
    @pytest.mark.parametrize("size", [native.SMALL_MSM, native.SMALL_MSM + 1, 40, 700])
    def test_matches_reference(self, reference, lane_path, size):
        be = backends.get("native")
        ks = [secrets.randbelow(N) for _ in range(size)]
        bases = [1 + secrets.randbelow(N - 1) for _ in range(size)]
        ks[0], ks[-1] = N - 1, 1 << 255   # the widest signed digits
        got = msm([base_mul(b, be) for b in bases], ks)
        want = base_mul(sum(b * k for b, k in zip(bases, ks)) % N, reference)
        assert _same(got, want)

    def test_cancelling_terms_give_identity(self, lane_path):
        pts = _points(backends.get("native"), 50)
        ks = [1 + secrets.randbelow(N - 1) for _ in pts]
        assert msm(pts + pts, ks + [N - k for k in ks]).is_identity

    def test_repeated_and_opposite_points_share_buckets(self, lane_path):
        """Equal digits put equal points in one bucket: the doubling and P + (−P) branches."""
        be = backends.get("native")
        g = Point.generator(be)
        ks = [secrets.randbelow(N) for _ in range(64)]
        pts = [g if i % 2 else -g for i in range(64)]
        want = sum(k if i % 2 else -k for i, k in enumerate(ks)) % N
        assert _same(msm(pts, ks), base_mul(want, be) if want else Point.identity(be))
        assert _same(msm([g] * 64, [5] * 64), base_mul(320, be))


def _exceptional_u() -> int:
    """u with Z·u² = −1, the other root of tv1 = Z²u⁴ + Z·u² besides 0 (1/11 is a square)."""
    return pow(pow(11, -1, P), (P + 1) // 4, P)


class TestMapToCurve:
    """The kernel's SSWU and isogeny against h2c.py's Python (itself held to RFC 9380)."""

    EDGES = [0, 1, 2, P - 1, _exceptional_u(), P - _exceptional_u()]

    @settings(max_examples=60)
    @given(st.lists(st.tuples(st.one_of(st.sampled_from(EDGES), st.integers(0, P - 1)),
                              st.one_of(st.sampled_from(EDGES), st.integers(0, P - 1))),
                    min_size=1, max_size=5))
    def test_matches_python(self, reference, pairs):
        from zksolv.group import h2c

        got = backends.get("native").map_to_curve_pairs(pairs, h2c._CONSTANTS)
        for raw, (u0, u1) in zip(got, pairs):
            want = h2c.map_to_curve(u0, reference) + h2c.map_to_curve(u1, reference)
            assert _same(Point(raw, backends.get("native")), want)

    def test_opposite_images_sum_to_identity(self):
        """u and −u map to opposite points (sgn0(y) follows u): the sum is the identity."""
        from zksolv.group import h2c

        u = 1 + secrets.randbelow(P - 1)
        assert backends.get("native").map_to_curve_pairs([(u, P - u)], h2c._CONSTANTS) == [None]


class TestDecode:
    @pytest.mark.parametrize("x", [P + 1, 2**256 - 1])   # x − p lifts: 1 and 2^32 + 976
    def test_lift_rejects_x_of_p_and_above(self, x):
        """Even called directly, past native.py's own check: x and x − p must not alias."""
        assert native._lib.zk_lift_x(x.to_bytes(32, "big"), 0, ctypes.create_string_buffer(64)) == 0
        assert native._lib.zk_lift_x(x.to_bytes(32, "big"), 1, ctypes.create_string_buffer(64)) == 0

    def test_lift_matches_py_ecc(self, reference):
        be = backends.get("native")
        for _ in range(20):
            data = base_mul(1 + secrets.randbelow(N - 1), reference).to_bytes()
            assert Point.from_bytes(data, be).affine() == Point.from_bytes(data, reference).affine()
