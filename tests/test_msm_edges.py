"""The kernel's public MSM (zk_msm: Pippenger with signed digits, SPEC.md §2.3) on the inputs
where bucket methods go wrong, against py_ecc, on both of its paths: the one-lane buckets
(no IFMA, or fewer than eight terms of narrow scalars) and the eight-lane buckets
(native_msm8.h; with full-width scalars on the GLV terms of native_glv.h, from one term —
tests/test_msm_glv.py has the cases particular to those).

Sizes straddle the switch between the paths (7, 8, 9) and a lane group's eight windows;
scalars reach the extremes of the signed digits (0, 1, n − 1, 2^255) and the trimming of
windows above the widest scalar; points repeat, cancel, and land in one bucket.
"""

import ctypes
import secrets

import pytest

from zksolv.group import N, Point, backends, base_mul
from zksolv.group.backends import native

SIZES = [1, 2, 7, 8, 9, 17, 65]


@pytest.fixture(params=["lanes", "one-lane"])
def path(request):
    """zk_msm with the IFMA lanes on (where the CPU has them) and off."""
    native._lib.zk_simd(1 if request.param == "lanes" else 0)
    yield request.param
    native._lib.zk_simd(1)


def _kernel_msm(points: list[Point], scalars: list[int]) -> bytes | None:
    """zk_msm itself (native.msm hands small sizes to a loop instead): its 64 bytes, or
    None for the identity."""
    out = ctypes.create_string_buffer(64)
    status = native._lib.zk_msm(b"".join(p._raw for p in points),
                                b"".join(k.to_bytes(32, "big") for k in scalars),
                                len(points), out)
    assert status >= 0
    return out.raw if status else None


def _want(logs: list[int], scalars: list[int], reference) -> bytes | None:
    """Σ k_i·(b_i·G) by py_ecc, from the points' discrete logs b_i."""
    total = sum(b * k for b, k in zip(logs, scalars)) % N
    if total == 0:
        return None
    x, y = base_mul(total, reference).affine()
    return x.to_bytes(32, "big") + y.to_bytes(32, "big")


def _check(logs: list[int], scalars: list[int], reference) -> None:
    be = backends.get("native")
    points = [base_mul(b, be) for b in logs]
    assert _kernel_msm(points, scalars) == _want(logs, scalars, reference)


def _logs(count: int) -> list[int]:
    return [1 + secrets.randbelow(N - 1) for _ in range(count)]


@pytest.mark.parametrize("size", SIZES)
def test_extreme_scalars(reference, path, size):
    """0, 1, n − 1 (every digit at the carry's edge) and 2^255 among random ones."""
    edges = [0, 1, N - 1, 1 << 255]
    scalars = [edges[i] if i < len(edges) else secrets.randbelow(N) for i in range(size)]
    _check(_logs(size), scalars[::-1], reference)


@pytest.mark.parametrize("size", SIZES)
def test_all_scalars_zero_is_the_identity(reference, path, size):
    _check(_logs(size), [0] * size, reference)


@pytest.mark.parametrize("size", SIZES)
def test_one_point_repeated_fills_one_bucket_a_window(reference, path, size):
    """Equal points with equal scalars: every window's digits in one bucket, so each bucket
    addition after the first is a doubling."""
    log, k = _logs(1)[0], 1 + secrets.randbelow(N - 1)
    _check([log] * size, [k] * size, reference)


@pytest.mark.parametrize("size", SIZES)
def test_n_minus_one_everywhere(reference, path, size):
    """The widest digits in every window, for every point."""
    _check(_logs(size), [N - 1] * size, reference)


@pytest.mark.parametrize("size", [2, 8, 9, 18])
def test_point_and_its_negation_cancel_in_their_bucket(reference, path, size):
    """P and −P with one scalar: the same bucket meets P + (−P) and must empty."""
    half = _logs(size // 2)
    scalars = [1 + secrets.randbelow(N - 1) for _ in half]
    _check(half + [N - b for b in half], scalars + scalars, reference)


@pytest.mark.parametrize("size", [2, 7, 8, 9, 65])
def test_sum_that_is_the_identity(reference, path, size):
    """Distinct points whose terms add to zero: the last scalar chosen to cancel the rest."""
    logs = _logs(size)
    scalars = [secrets.randbelow(N) for _ in range(size - 1)]
    last = -sum(b * k for b, k in zip(logs, scalars)) * pow(logs[-1], -1, N) % N
    _check(logs, scalars + [last], reference)


@pytest.mark.parametrize("bits", [1, 8, 9, 64, 200])
def test_small_scalars_use_fewer_windows(reference, path, bits):
    """The windows above the widest scalar are dropped: the top one must still carry."""
    size = 9
    scalars = [(1 << bits) - 1 - secrets.randbelow(2) for _ in range(size)]
    scalars[0] = (1 << bits) - 1
    _check(_logs(size), scalars, reference)
