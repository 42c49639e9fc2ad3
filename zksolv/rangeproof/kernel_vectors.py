"""The range prover's vector steps in the kernel, constant-time (native_prove.h; SPEC.md
§2.3, §5.3).

Vectors are kernel buffers of scalars mod n in Montgomery form (32 bytes each), never Python
integers: the nonces s_L, s_R are drawn into them (the HMAC-SHA512 stream of SPEC.md §6.2 in
the kernel, or the OS CSPRNG's bytes reduced there), l(X), r(X), t1, t2, l, r and the
inner-product argument's folds are computed there, and what leaves is what is published or
multiplied at once: packed MSM scalars, t1, t2, t_x and the final a, b. Same numbers as
`scalars.IntVectors`, so the same proof bytes.
"""

import ctypes
import secrets

from zksolv.group import msm_packed
from zksolv.rangeproof.scalars import IntVectors, random_scalar

_MAX_HMAC_KEY = 128   # SHA-512's block: longer HMAC keys are hashed first, not done in C


def vectors_for(backend):
    """The prover's vector arithmetic for points on `backend`: in the kernel where that is
    the native backend, else Python integers."""
    if getattr(backend, "name", None) != "native":
        return IntVectors()
    from zksolv.group.backends import native
    return KernelVectors(native._lib)


def _alloc(count: int):
    return (ctypes.c_uint64 * (4 * max(count, 1)))()


def _at(vector, index: int = 0) -> int:
    """The address of scalar `index` of a kernel vector."""
    return ctypes.addressof(vector) + 32 * index


def _be(k: int) -> bytes:
    return k.to_bytes(32, "big")


class KernelVectors:
    """`scalars.IntVectors`'s steps, on kernel buffers."""

    def __init__(self, lib):
        self._lib = lib

    def draw(self, rng, count: int):
        """The next `count` nonces of `rng` into a kernel vector, in `rng`'s order."""
        out = _alloc(count)
        if not self._draw_in_kernel(rng, count, out):
            packed = b"".join([_be(rng()) for _ in range(count)])
            self._lib.zk_sc_load(packed, count, _at(out))
        return out

    def _draw_in_kernel(self, rng, count, out) -> bool:
        """The HMAC stream or the OS CSPRNG drawn in C; False (nothing drawn) where neither
        applies or, with probability ≈ 2^−247, a nonce is 0 and must be skipped."""
        position = getattr(rng, "hmac_position", None)
        if position is not None:
            key, counter = position()
            if len(key) > _MAX_HMAC_KEY or self._lib.zk_nonces(key, len(key), counter, count,
                                                               _at(out)) != 1:
                return False
            rng.skip(count)
            return True
        if rng is random_scalar:
            return self._lib.zk_sc_load_wide(secrets.token_bytes(64 * count), count, _at(out)) == 1
        return False

    def commit_s(self, points, rho: int, s):
        """S = [ρ]H + <s_L, G> + <s_R, H> on the constant-time path; points = [H] + G + H."""
        count = len(points) - 1
        packed = ctypes.create_string_buffer(32 * count)
        self._lib.zk_sc_store(_at(s), count, packed)
        return msm_packed(points, _be(rho) + packed.raw, secret=True)

    def polynomials(self, values, n, m, s, y, z):
        """(l0, s_L, r0, r1) with t1, t2, as IntVectors.polynomials."""
        count = n * m
        y_pows, l0, r0, r1 = _alloc(count), _alloc(count), _alloc(count), _alloc(count)
        self._lib.zk_sc_powers(_be(y), count, _at(y_pows))
        packed = b"".join([(v & ((1 << n) - 1)).to_bytes(n // 8, "little") for v in values])
        t = ctypes.create_string_buffer(64)
        self._lib.zk_prove_poly(packed, n, m, _at(s), _at(y_pows), _be(z), _at(l0), _at(r0),
                                _at(r1), t)
        return (l0, s, r0, r1, count), int.from_bytes(t.raw[:32], "big"), int.from_bytes(t.raw[32:], "big")

    def evaluate(self, poly, x):
        """l = l(x), r = r(x) and t_x = <l, r>."""
        l0, l1, r0, r1, count = poly
        l, r = _alloc(count), _alloc(count)
        self._lib.zk_sc_eval(_at(l0), _at(l1), _be(x), count, _at(l))
        self._lib.zk_sc_eval(_at(r0), _at(r1), _be(x), count, _at(r))
        t = ctypes.create_string_buffer(32)
        self._lib.zk_sc_inner(_at(l), _at(r), count, t)
        return (l, r, count), int.from_bytes(t.raw, "big")

    def ipa_start(self, ab, y_inv):
        a, b, count = ab
        y_inv_pows = _alloc(count)
        self._lib.zk_sc_powers(_be(y_inv), count, _at(y_inv_pows))
        return a, b, y_inv_pows

    def ipa_commit(self, state, half, g_scale, h_scale, w, lo_points, hi_points):
        """One round's L and R (SPEC.md §5.3) by the variable-time MSM over packed scalars."""
        a, b, y_inv_pows = state
        l_out = ctypes.create_string_buffer(32 * (2 * half + 1))
        r_out = ctypes.create_string_buffer(32 * (2 * half + 1))
        self._lib.zk_ipa_round(_at(a), _at(b), half, _at(y_inv_pows), _be(g_scale),
                               _be(h_scale), _be(w), l_out, r_out)
        return msm_packed(lo_points, l_out.raw), msm_packed(hi_points, r_out.raw)

    def ipa_fold(self, state, half, u, u_inv):
        a, b, _ = state
        self._lib.zk_ipa_fold(_at(a), _at(b), half, _be(u), _be(u_inv))

    def ipa_finish(self, state):
        out = ctypes.create_string_buffer(32)
        ends = []
        for vector in state[:2]:
            self._lib.zk_sc_store(_at(vector), 1, out)
            ends.append(int.from_bytes(out.raw, "big"))
        return ends[0], ends[1]
