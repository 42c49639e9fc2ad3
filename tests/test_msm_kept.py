"""The argument's first rounds over kept window tables (native_msm_kept.h, SPEC.md §2.3):
zk_msm_kept against py_ecc on the MSM's edge cases, the tables' cache, and the proof bytes
with the tables in use (they must not move)."""

import ctypes
import secrets

import pytest

from test_msm_edges import SIZES, _logs, _want
from zksolv.commitments import generators
from zksolv.group import N, backends, base_mul
from zksolv.group.backends import native
from zksolv.rangeproof import kernel_vectors, prover
from zksolv.rangeproof.scalars import IntVectors, random_scalar
from zksolv.roundkeys import NonceStream
from zksolv.transcript import Transcript

lib = native._lib
pytestmark = pytest.mark.skipif(lib.zk_simd(-1) != 1, reason="zk_msm_kept runs on IFMA lanes")


def _tables(points: bytes):
    count = len(points) // 64
    tables = (ctypes.c_uint64 * (lib.zk_msm_kept_bytes(count) // 8))()
    assert lib.zk_msm_kept_tables(points, count, ctypes.addressof(tables)) == 0
    return tables


def _kept(tables, scalars: list[int]) -> bytes | None:
    out = ctypes.create_string_buffer(64)
    status = lib.zk_msm_kept(ctypes.addressof(tables), len(scalars),
                             b"".join(k.to_bytes(32, "big") for k in scalars), out)
    assert status >= 0
    return out.raw if status else None


def _check(logs: list[int], scalars: list[int], reference) -> None:
    be = backends.get("native")
    tables = _tables(b"".join(base_mul(b, be)._raw for b in logs))
    assert _kept(tables, scalars) == _want(logs, scalars, reference)


@pytest.mark.parametrize("size", SIZES)
def test_extreme_and_zero_scalars(reference, size):
    edges = [0, 1, N - 1, 1 << 255]
    scalars = [edges[i] if i < len(edges) else secrets.randbelow(N) for i in range(size)]
    _check(_logs(size), scalars[::-1], reference)
    _check(_logs(size), [0] * size, reference)


@pytest.mark.parametrize("size", SIZES)
def test_one_point_repeated(reference, size):
    """Equal points and scalars: every lane's digits of a window in one bucket."""
    log, k = _logs(1)[0], 1 + secrets.randbelow(N - 1)
    _check([log] * size, [k] * size, reference)


@pytest.mark.parametrize("size", [2, 16, 18])
def test_point_beside_its_negation(reference, size):
    """P, −P with one scalar, eight apart: the same lane, the same buckets, P + (−P)."""
    half = _logs(size // 2)
    logs = (half + [N - b for b in half]) if size != 16 else half[:8] + [N - b for b in half[:8]]
    scalars = [1 + secrets.randbelow(N - 1) for _ in range(size // 2)]
    _check(logs, scalars + scalars, reference)


@pytest.mark.parametrize("size", [2, 9, 65])
def test_sum_that_is_the_identity(reference, size):
    logs = _logs(size)
    scalars = [secrets.randbelow(N) for _ in range(size - 1)]
    last = -sum(b * k for b, k in zip(logs, scalars)) * pow(logs[-1], -1, N) % N
    _check(logs, scalars + [last], reference)


def test_runs_only_on_lanes():
    """With the lanes off it says so (−2), and the argument takes zk_msm instead."""
    g = base_mul(1, backends.get("native"))._raw
    good = _tables(g + g)
    lib.zk_simd(0)
    try:
        out = ctypes.create_string_buffer(64)
        assert lib.zk_msm_kept(ctypes.addressof(good), 2, bytes(63) + b"\x01" + bytes(32), out) == -2
    finally:
        lib.zk_simd(1)


def test_cache_compares_the_whole_vectors():
    """Two G vectors with the same first and last points but another in between: the
    second gets its own tables, not the first's."""
    be = backends.get("native")
    first, last, u = (base_mul(1 + secrets.randbelow(N - 1), be)._raw for _ in range(3))
    mids = [base_mul(1 + secrets.randbelow(N - 1), be)._raw for _ in range(2)]
    H = first + last
    cache = kernel_vectors._KeptWindows()
    for mid in mids:
        G = first + mid + last
        tables = cache.get(lib, G, H, u)
        scalars = [secrets.randbelow(N) for _ in range(6)]
        want = ctypes.create_string_buffer(64)
        lib.zk_msm(G + H + u, b"".join(k.to_bytes(32, "big") for k in scalars[:6]), 6, want)
        assert _kept(tables, scalars[:6]) == want.raw


@pytest.mark.parametrize("n, m", [(8, 4), (16, 8)])
def test_proof_bytes_with_the_kept_tables(n, m, monkeypatch):
    """Rounds 1 and 2 over the tables (round 2's fold put off: n·m ≥ 32), later rounds on
    folded generators without them: the same bytes as the Python integers' proof."""
    monkeypatch.setattr(kernel_vectors, "KEPT_MIN", 16)
    used = []
    real = kernel_vectors.KernelVectors._kept_msm
    monkeypatch.setattr(kernel_vectors.KernelVectors, "_kept_msm",
                        lambda self, *a: used.append(1) or real(self, *a))
    values = [secrets.randbelow(2**n) for _ in range(m)]
    blindings, key = [random_scalar() for _ in values], secrets.token_bytes(32)
    fast = prover._prove(Transcript(b"t"), values, blindings, n, generators(), NonceStream(key))
    assert len(used) == 4
    monkeypatch.setattr(prover, "vectors_for", lambda backend: IntVectors())
    slow = prover._prove(Transcript(b"t"), values, blindings, n, generators(), NonceStream(key))
    assert fast[0].to_bytes() == slow[0].to_bytes() and fast[1] == slow[1]


def test_proof_bytes_with_the_lanes_off(monkeypatch):
    """No IFMA lanes (the portable kernel): the first rounds go back to zk_msm."""
    monkeypatch.setattr(kernel_vectors, "KEPT_MIN", 16)
    values = [secrets.randbelow(2**8) for _ in range(4)]
    blindings, key = [random_scalar() for _ in values], secrets.token_bytes(32)
    lib.zk_simd(0)
    try:
        fast = prover._prove(Transcript(b"t"), values, blindings, 8, generators(), NonceStream(key))
    finally:
        lib.zk_simd(1)
    monkeypatch.setattr(prover, "vectors_for", lambda backend: IntVectors())
    slow = prover._prove(Transcript(b"t"), values, blindings, 8, generators(), NonceStream(key))
    assert fast[0].to_bytes() == slow[0].to_bytes() and fast[1] == slow[1]
