"""The generator coefficients of a batch of range proofs and the batch's one MSM (SPEC.md §5.5).

A proof of N = n·m bits with batch weight ω adds to the coefficients of G_i and H_i, i < N:

    g_i += −ω·z − ω·a·s_i
    h_i += ω·z + y^(−i)·(ω·z^(2 + ⌊i/n⌋)·2^(i mod n) − ω·b·s_(N−1−i))

That O(N) work per proof was most of an audit's time in Python's integers. `KernelVectors`
does it in the native kernel (native_verify.h, native_scalar.h), `PythonVectors` in Python
for every other backend; both give the same coefficients (tests/test_rangeproof_kernel.py).
"""

import ctypes
from dataclasses import dataclass
from operator import attrgetter

from zksolv.group import N, Point, msm
from zksolv.rangeproof.scalars import powers

_RAW = attrgetter("_raw")


@dataclass(frozen=True)
class ProofVectorTerms:
    """One proof's inputs to the generator coefficients: its challenges and scalars."""

    n: int
    m: int
    y_inv: int
    z_pows: list[int]   # z^0 … z^(m+2) at least
    u: list[int]
    u_inv: list[int]
    weight: int
    a: int
    b: int


def vectors_for(backend, use_kernel: bool = True):
    """The kernel's coefficient vectors where the backend is the native kernel, else Python's."""
    if use_kernel and backend.name == "native":
        return KernelVectors(backend)
    return PythonVectors()


class PythonVectors:
    """g_i and h_i as lists of Python integers (SPEC.md §5.5)."""

    def __init__(self):
        self.g: list[int] = []
        self.h: list[int] = []

    def add(self, t: ProofVectorTerms) -> None:
        size = t.n * t.m
        if len(self.g) < size:
            self.g += [0] * (size - len(self.g))
            self.h += [0] * (size - len(self.h))
        s = s_vector(t.u, t.u_inv)
        zw, aw, bw = t.weight * t.z_pows[1], t.weight * t.a, t.weight * t.b
        # z^(2+j)·2^i for bit i of value j, times the weight: shifts, not multiplications.
        bit_terms = [zj * t.weight << i for zj in t.z_pows[2 : 2 + t.m] for i in range(t.n)]
        y_inv_pows = powers(t.y_inv, size)
        self.g[:size] = [g - zw - aw * si for g, si in zip(self.g, s)]
        self.h[:size] = [
            h + zw + yi * (bt - bw * si) % N
            for h, yi, bt, si in zip(self.h, y_inv_pows, bit_terms, reversed(s))
        ]

    def values(self) -> tuple[list[int], list[int]]:
        return [k % N for k in self.g], [k % N for k in self.h]

    def msm(self, gens, points: list[Point], scalars: list[int]) -> Point:
        """Σ over the shared generators G_i, H_i and the given points, in one MSM."""
        G, H = gens.vectors(len(self.g))
        g, h = self.values()
        return msm(points + G + H, [k % N for k in scalars] + g + h)


class KernelVectors:
    """g_i and h_i in the kernel's memory (native_verify.h), exported once for the MSM."""

    def __init__(self, backend):
        from zksolv.group.backends import native

        self._lib, self._backend = native._lib, backend
        self._cap, self._size = 0, 0
        self._acc = ctypes.create_string_buffer(0)

    def _reserve(self, size: int) -> None:
        """Room for `size` coefficients of each vector, keeping those already summed."""
        if size <= self._cap:
            return
        cap = max(size, 2 * self._cap)
        acc = ctypes.create_string_buffer(64 * cap)
        ctypes.memmove(acc, self._acc, 32 * self._cap)
        ctypes.memmove(ctypes.addressof(acc) + 32 * cap, ctypes.addressof(self._acc) + 32 * self._cap,
                       32 * self._cap)
        self._acc, self._cap = acc, cap

    def add(self, t: ProofVectorTerms) -> None:
        size = t.n * t.m
        self._reserve(size)
        self._size = max(self._size, size)
        s0 = 1
        for ui in t.u_inv:
            s0 = s0 * ui % N
        w = t.weight
        values = [t.y_inv, w * t.z_pows[1] % N, w * t.a % N, w * t.b % N, s0]
        values += [u * u % N for u in t.u]
        values += [w * zj % N for zj in t.z_pows[2 : 2 + t.m]]
        packed = b"".join([v.to_bytes(32, "big") for v in values])
        if self._lib.zk_rp_coeffs(self._acc, self._cap, t.n, t.m, len(t.u), packed) != 1:
            raise RuntimeError(f"the kernel refused a range proof's terms (n={t.n}, m={t.m}): a bug")

    def _exported(self) -> bytes:
        out = ctypes.create_string_buffer(64 * self._size)
        if self._lib.zk_rp_export(self._acc, self._cap, self._size, out) != 1:
            raise RuntimeError("the kernel refused to export range-proof coefficients: a bug")
        return out.raw

    def values(self) -> tuple[list[int], list[int]]:
        data = self._exported()
        ints = [int.from_bytes(data[i : i + 32], "big") for i in range(0, len(data), 32)]
        return ints[: self._size], ints[self._size :]

    def msm(self, gens, points: list[Point], scalars: list[int]) -> Point:
        """Σ over the shared generators G_i, H_i and the given points, in one kernel MSM."""
        if any(p.backend is not self._backend for p in points):
            raise TypeError("points of different backends")   # as Point arithmetic refuses
        G, H = _joined(gens, self._size)
        raws = b"".join(map(_RAW, points))
        packed = b"".join([(k % N).to_bytes(32, "big") for k in scalars])
        count = len(points) + 2 * self._size
        raw = self._backend.msm_packed(raws + G + H, packed + self._exported(), count)
        return Point(raw, self._backend)


_joined_cache: dict[tuple[int, int], tuple[object, bytes, bytes]] = {}


def _joined(gens, count: int) -> tuple[bytes, bytes]:
    """The first `count` G_i and H_i as the kernel takes them, joined once per process; the
    entry holds `gens` itself, so its id cannot be reused by other generators while cached."""
    key = (id(gens), count)
    if key not in _joined_cache or _joined_cache[key][0] is not gens:
        G, H = gens.vectors(count)
        _joined_cache[key] = (gens, b"".join(map(_RAW, G)), b"".join(map(_RAW, H)))
    return _joined_cache[key][1:]


def s_vector(u: list[int], u_inv: list[int]) -> list[int]:
    """s_i = Π_j u_j^(±1), + where bit (k−1−j) of i is set (round j splits on that bit)."""
    k = len(u)
    s = [0] * (1 << k)
    acc = 1
    for ui in u_inv:
        acc = acc * ui % N
    s[0] = acc
    u_sq = [x * x % N for x in u]
    for i in range(1, 1 << k):
        lg = i.bit_length() - 1
        s[i] = s[i - (1 << lg)] * u_sq[k - 1 - lg] % N
    return s

