"""Group layer: strict encodings (DESIGN §8.4), group laws, backends against py_ecc."""

import secrets

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zksolv.errors import EncodingError
from zksolv.group import N, P, Point, Scalar, backends, base_mul, fold, msm, point_sum
from zksolv.group.backends import coincurve as cc_backend
from zksolv.group.curve import GX, GY

scalars = st.integers(min_value=1, max_value=N - 1)
G_COMPRESSED = bytes.fromhex("0279BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798")
# 2·G from SEC 2 / widely published: x = c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5
TWO_G_X = 0xC6047F9441ED7D6D3045406E95C07CD85C778E4B8CEF3CA7ABAC09B95C709EE5


def _x_not_on_curve() -> int:
    x = 5
    while pow(x**3 + 7, (P - 1) // 2, P) == 1:
        x += 1
    return x


class TestScalarEncoding:
    @given(scalars)
    def test_round_trip(self, k):
        assert Scalar.from_bytes(k.to_bytes(32, "big")).value == k

    @pytest.mark.parametrize("value", [N, N + 1, 2**256 - 1])
    def test_rejects_not_below_order(self, value):
        with pytest.raises(EncodingError, match="below the group order"):
            Scalar.from_bytes(value.to_bytes(32, "big"))

    @pytest.mark.parametrize("length", [0, 31, 33, 64])
    def test_rejects_wrong_length(self, length):
        with pytest.raises(EncodingError, match="32 bytes"):
            Scalar.from_bytes(bytes(length))


class TestPointEncoding:
    def test_generator_encoding_is_sec1(self, backend):
        assert Point.generator(backend).to_bytes() == G_COMPRESSED
        assert Point.from_bytes(G_COMPRESSED, backend).affine() == (GX, GY)

    def test_two_g_matches_published_x(self, backend):
        g = Point.generator(backend)
        assert (g + g).affine()[0] == TWO_G_X

    @given(scalars)
    def test_round_trip(self, k):
        for name in ("coincurve", "pycryptodome"):
            be = backends.get(name)
            p = base_mul(k, be)
            assert Point.from_bytes(p.to_bytes(), be) == p

    @pytest.mark.parametrize("prefix", [0x00, 0x01, 0x04, 0x05, 0x06, 0x07, 0xFF])
    def test_rejects_bad_prefix(self, backend, prefix):
        with pytest.raises(EncodingError):
            Point.from_bytes(bytes([prefix]) + G_COMPRESSED[1:], backend)

    @pytest.mark.parametrize("length", [0, 1, 32, 34, 65])
    def test_rejects_wrong_length(self, backend, length):
        with pytest.raises(EncodingError):
            Point.from_bytes((G_COMPRESSED * 3)[:length], backend)

    def test_rejects_uncompressed_form(self, backend):
        x, y = GX, GY
        with pytest.raises(EncodingError):
            Point.from_bytes(b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big"), backend)

    @pytest.mark.parametrize("offset", [0, 1, 2])
    def test_rejects_x_not_below_p(self, backend, offset):
        # x ≥ p whose reduction x − p would be a valid x (p + 1, p + 2 …): must still fail.
        x = P + offset
        for prefix in (2, 3):
            with pytest.raises(EncodingError):
                Point.from_bytes(bytes([prefix]) + x.to_bytes(32, "big"), backend)

    def test_rejects_x_off_curve(self, backend):
        data = b"\x02" + _x_not_on_curve().to_bytes(32, "big")
        with pytest.raises(EncodingError, match="not on secp256k1|on the curve"):
            Point.from_bytes(data, backend)

    def test_identity_has_no_encoding(self, backend):
        with pytest.raises(EncodingError):
            Point.identity(backend).to_bytes()
        with pytest.raises(EncodingError):
            Point.from_bytes(bytes(33), backend)

    def test_from_affine_rejects_off_curve(self, backend):
        with pytest.raises(EncodingError):
            Point.from_affine(GX, GY + 1, backend)


class TestGroupLaws:
    def test_order_times_generator_is_identity(self, backend):
        g = Point.generator(backend)
        assert (g * (N - 1) + g).is_identity
        assert (g * N).is_identity
        assert (g * 0).is_identity

    def test_identity_is_neutral(self, backend):
        g, o = Point.generator(backend), Point.identity(backend)
        assert g + o == g and o + g == g and (o + o).is_identity
        assert (g - g).is_identity and (-o).is_identity

    @given(scalars, scalars)
    def test_distributive(self, a, b):
        be = backends.get("coincurve")
        g = Point.generator(be)
        assert g * a + g * b == g * ((a + b) % N)
        assert (g * a) * b == g * (a * b % N)
        assert base_mul(a, be) == g * a


class TestBackendsAgreeWithReference:
    """The C-backed backends compute what py_ecc computes, on random operations."""

    def _pair(self, backend, reference, k):
        return base_mul(k, backend), base_mul(k, reference)

    def test_random_operations(self, fast_backend, reference):
        for _ in range(10):
            a, b, k = (1 + secrets.randbelow(N - 1) for _ in range(3))
            pa, ra = self._pair(fast_backend, reference, a)
            pb, rb = self._pair(fast_backend, reference, b)
            assert (pa + pb).affine() == (ra + rb).affine()
            assert (pa * k).affine() == (ra * k).affine()
            assert (-pa).affine() == (-ra).affine()
            assert (pa + pa).affine() == (ra + ra).affine()  # doubling through add

    @pytest.mark.parametrize("size", [1, 3, 17])
    def test_msm_matches_reference(self, fast_backend, reference, size):
        ks = [secrets.randbelow(N) for _ in range(size)]
        pts = [1 + secrets.randbelow(N - 1) for _ in range(size)]
        got = msm([base_mul(p, fast_backend) for p in pts], ks)
        want = msm([base_mul(p, reference) for p in pts], ks)
        if want.is_identity:
            assert got.is_identity
        else:
            assert got.to_bytes() == want.to_bytes()


class TestPippenger:
    """The bucket MSM of the coincurve backend against the plain loop, across its threshold."""

    @pytest.mark.parametrize("size", [cc_backend.PIPPENGER_THRESHOLD - 1, cc_backend.PIPPENGER_THRESHOLD, 1100])
    def test_matches_loop(self, size):
        be = backends.get("coincurve")
        pts = [base_mul(1 + secrets.randbelow(N - 1), be) for _ in range(size)]
        ks = [secrets.randbelow(N) for _ in range(size)]
        ks[0], ks[1], ks[2] = 1, N - 1, 1 << 255  # sparse and extreme scalars
        loop = point_sum([p * k for p, k in zip(pts, ks)])
        assert msm(pts, ks) == loop

    def test_cancelling_terms_give_identity(self):
        be = backends.get("coincurve")
        pts = [base_mul(1 + secrets.randbelow(N - 1), be) for _ in range(300)]
        ks = [secrets.randbelow(N) for _ in range(300)]
        both = pts + pts
        assert msm(both, ks + [N - k for k in ks]).is_identity
        assert cc_backend._pippenger([p._raw for p in both], ks + [N - k for k in ks], 5) is None

    def test_repeated_point(self):
        be = backends.get("coincurve")
        g = Point.generator(be)
        ks = [secrets.randbelow(N) for _ in range(600)]
        assert msm([g] * 600, ks) == base_mul(sum(ks) % N, be)


def test_mixing_backends_is_refused():
    a = Point.generator(backends.get("coincurve"))
    b = Point.generator(backends.get("py_ecc"))
    with pytest.raises(TypeError):
        a + b
    with pytest.raises(TypeError):
        msm([a, a, b], [1, 2, 3])
    with pytest.raises(TypeError):
        fold([a, a], [a, b], 5)
