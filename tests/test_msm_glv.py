"""zk_msm's GLV split (native_glv.h, SPEC.md §2.3): on the lanes each term k·P becomes
±|k1|·P ± |k2|·λP with k ≡ k1 + k2·λ (mod n). The split must equal native.py's glv_split
(exact Babai rounding) on every scalar, and the MSM must still give py_ecc's point where the
2n terms meet each other: a point whose λ-image is another input, halves that are 0 or ±1,
sums that are the identity. Both zk_msm paths (lanes and one-lane) run every MSM case.
"""

import ctypes
import secrets

import pytest

from zksolv.group import N, backends, base_mul
from zksolv.group.backends import native
from zksolv.group.backends.native import LAMBDA, glv_split

_A1, _B1 = native._A1, native._B1
_A2, _B2 = native._A2, native._B2


def _kernel_split(k: int):
    """zk_glv_split's (k1, k2), signed; or its status if it refused."""
    out = ctypes.create_string_buffer(64)
    status = native._lib.zk_glv_split(k.to_bytes(32, "big"), out)
    if status < 0:
        return status
    k1, k2 = int.from_bytes(out.raw[:32], "big"), int.from_bytes(out.raw[32:], "big")
    return (-k1 if status & 1 else k1, -k2 if status & 2 else k2)


def _rounding_ties(m: int) -> list[int]:
    """Scalars k with m·k mod n next to n/2, where ⌊(m·k + ⌊n/2⌋)/n⌋ changes."""
    inverse = pow(m % N, -1, N)
    return [(N // 2 + t) * inverse % N for t in range(-2, 3)]


def _edge_scalars() -> list[int]:
    edges = [0, 1, 2, N - 1, N - 2, LAMBDA, LAMBDA - 1, LAMBDA + 1, N - LAMBDA,
             LAMBDA * LAMBDA % N, N // 2 - 1, N // 2, N // 2 + 1, (1 << 128) - 1, 1 << 128,
             (1 << 255), (1 << 256) - 1 - (1 << 255)]
    for basis in (_A1, _B1, _A2, _B2):   # multiples of the lattice basis, and neighbours
        for j in (1, 2, 3, -1, (1 << 64) + 1):
            edges += [(j * basis + d) % N for d in (-1, 0, 1)]
    edges += _rounding_ties(_B2) + _rounding_ties(-_B1)
    return edges


@pytest.mark.parametrize("k", _edge_scalars())
def test_split_of_edge_scalars_equals_python(k):
    k1, k2 = glv_split(k)
    assert _kernel_split(k) == (k1, k2)
    assert (k1 + k2 * LAMBDA - k) % N == 0 and abs(k1) < 1 << 128 and abs(k2) < 1 << 128


def test_split_of_random_scalars_equals_python():
    for _ in range(3000):
        k = secrets.randbelow(N)
        assert _kernel_split(k) == glv_split(k)


@pytest.mark.parametrize("k", [N, N + 1, (1 << 256) - 1])
def test_split_refuses_unreduced_scalars(k):
    assert _kernel_split(k) == -1


# ---- the MSM on GLV terms, against py_ecc ---------------------------------------------------

@pytest.fixture(params=["lanes", "one-lane"])
def path(request):
    """zk_msm with the IFMA lanes on (where the CPU has them) and off."""
    native._lib.zk_simd(1 if request.param == "lanes" else 0)
    yield request.param
    native._lib.zk_simd(1)


def _check(logs: list[int], scalars: list[int], reference) -> None:
    """zk_msm over the points b_i·G against py_ecc's (Σ b_i·k_i)·G (None: the identity)."""
    be = backends.get("native")
    out = ctypes.create_string_buffer(64)
    points = b"".join(base_mul(b, be)._raw for b in logs)
    status = native._lib.zk_msm(points, b"".join(k.to_bytes(32, "big") for k in scalars),
                                len(logs), out)
    assert status >= 0
    total = sum(b * k for b, k in zip(logs, scalars)) % N
    if total == 0:
        assert status == 0 and out.raw == bytes(64)
        return
    x, y = base_mul(total, reference).affine()
    assert status == 1 and out.raw == x.to_bytes(32, "big") + y.to_bytes(32, "big")


def _logs(count: int) -> list[int]:
    return [1 + secrets.randbelow(N - 1) for _ in range(count)]


def _full(count: int) -> list[int]:
    """Scalars of 256 bits (so the lanes take the GLV split), below n."""
    return [(1 << 255) + secrets.randbelow(N - (1 << 255)) for _ in range(count)]


SIZES = [1, 2, 7, 8, 9, 16, 17, 65]


@pytest.mark.parametrize("size", SIZES)
def test_points_and_their_lambda_images(reference, path, size):
    """Inputs P, λP, λ²P: one term's λ-half lands on another input's point, in its buckets."""
    base = _logs((size + 2) // 3)
    logs = [b * LAMBDA ** e % N for b in base for e in range(3)][:size]
    _check(logs, _full(size), reference)


@pytest.mark.parametrize("size", SIZES)
def test_equal_scalars_on_p_and_lambda_p(reference, path, size):
    """k on P and on λP: P's λ-half is |k2|·λP and λP's own half |k1|·λP, the same point."""
    base = _logs((size + 1) // 2)
    logs = [b * LAMBDA ** e % N for b in base for e in range(2)][:size]
    k = _full(1)[0]
    _check(logs, [k] * size, reference)


@pytest.mark.parametrize("size", [2, 8, 9, 16, 18, 66])
def test_lambda_image_cancels_its_point(reference, path, size):
    """λs·P + (n − s)·λP = 0 for every pair: the result is the identity."""
    base = _logs(size // 2)
    logs = [b * LAMBDA ** e % N for b in base for e in range(2)]
    scalars = []
    for _ in base:
        s = 1 + secrets.randbelow(N - 1)
        scalars += [LAMBDA * s % N, N - s]
    _check(logs, scalars, reference)


@pytest.mark.parametrize("size", [1, 7, 8, 9, 17])
def test_scalars_with_zero_and_unit_halves(reference, path, size):
    """λ (halves 0, 1), n − λ (0, −1), n − 1 (−1, 0), 1, 0 and rounding ties, among full ones."""
    edges = [LAMBDA, N - LAMBDA, N - 1, 1, 0] + _rounding_ties(_B2)[:2] + _rounding_ties(-_B1)[:2]
    scalars = _full(size)
    for i in range(min(size, len(edges))):
        scalars[i] = edges[i]
    _check(_logs(size), scalars[::-1], reference)


@pytest.mark.parametrize("size", [8, 9, 33])
def test_one_point_repeated_with_lambda_multiples(reference, path, size):
    """One point with scalars k·λ^e: the halves of different terms coincide on P and λP."""
    log, k = _logs(1)[0], _full(1)[0]
    _check([log] * size, [k * LAMBDA ** (i % 3) % N for i in range(size)], reference)


@pytest.mark.parametrize("size", [8, 9, 65])
def test_glv_sum_that_is_the_identity(reference, path, size):
    """Full scalars whose terms add to zero, and P, −P with one scalar."""
    logs = _logs(size)
    scalars = _full(size - 1)
    last = -sum(b * k for b, k in zip(logs, scalars)) * pow(logs[-1], -1, N) % N
    _check(logs, scalars + [last], reference)
    half = _logs(size // 2)
    k = _full(size // 2)
    _check(half + [N - b for b in half], k + k, reference)


@pytest.mark.parametrize("size", [8, 9, 17])
def test_narrow_and_full_scalars_mixed(reference, path, size):
    """One full scalar among narrow ones decides the split for all of them."""
    scalars = [secrets.randbelow(1 << bits) for bits in (1, 8, 64, 127, 128, 129, 200)]
    scalars = (scalars * 3)[: size - 1] + _full(1)
    _check(_logs(size), scalars, reference)


@pytest.mark.parametrize("size", [8, 9])
def test_unreduced_scalars_act_modulo_n(reference, path, size):
    """Scalars n ≤ k < 2^256 (not what callers pass, but what zk_msm always did): k − n."""
    scalars = [N + secrets.randbelow((1 << 256) - N) for _ in range(size)]
    be = backends.get("native")
    logs = _logs(size)
    out = ctypes.create_string_buffer(64)
    points = b"".join(base_mul(b, be)._raw for b in logs)
    assert native._lib.zk_msm(points, b"".join(k.to_bytes(32, "big") for k in scalars),
                              size, out) == 1
    x, y = base_mul(sum(b * k for b, k in zip(logs, scalars)) % N, reference).affine()
    assert out.raw == x.to_bytes(32, "big") + y.to_bytes(32, "big")
