"""The range prover's vector steps in the kernel, constant-time (native_prove.h; SPEC.md
§2.3, §5.3).

Vectors are kernel buffers of scalars mod n in Montgomery form (32 bytes each), never Python
integers: the nonces s_L, s_R are drawn into them (the HMAC-SHA512 stream of SPEC.md §6.2 in
the kernel, or the OS CSPRNG's bytes reduced there), l(X), r(X), t1, t2, l, r and the
inner-product argument's folds are computed there, and what leaves is what is published or
multiplied at once: packed MSM scalars, t1, t2, t_x and the final a, b. Same numbers as
`scalars.IntVectors`, so the same proof bytes.
"""

import collections
import ctypes
import functools
import secrets
import threading

from zksolv.group import N, Point, affine_bytes
from zksolv.rangeproof.scalars import IntVectors, random_scalar

_MAX_HMAC_KEY = 128   # SHA-512's block: longer HMAC keys are hashed first, not done in C
PAIR_MIN = 8
"""Rounds whose halves have at least this many points fold their generators two at a time
(KernelVectors.ipa_fold; bench/ipa_fold.py)."""


def vectors_for(backend):
    """The prover's vector arithmetic for points on `backend`: in the kernel where that is
    the native backend, else Python integers."""
    if getattr(backend, "name", None) != "native":
        return IntVectors()
    return _kernel_vectors()


@functools.cache
def _kernel_vectors():
    """The one KernelVectors of the process: it holds only the library and keeps nothing
    per call (the kept tables are _TABLES), so every caller, `commit` included, shares it."""
    from zksolv.group.backends import native
    return KernelVectors(native._lib)


class _SecretTables:
    """The constant-time MSM's tables (16 affine multiples a point, 1.4 KB) of the point
    vectors used most: S's [H] + G + H, the same 2N + 1 points in every proof of a size, and
    the commitments' G, H. Rebuilding them was about an eighth of S and half of each V_j
    (bench/RESULTS.md). The points are public; only the scalars are secret.

    Kept: the most recently used vectors up to KEEP_BYTES, and always the last one. A budget
    in bytes rather than a count of vectors: a margin leaf proves parts of four sizes
    (32 + 8 + 2 + 1 values) beside the Pedersen pair, and a worker interleaves them with
    spot chunks, so keeping three vectors rebuilt most of them for every leaf (≈ a fifth of a
    margin leaf's proving, bench/RESULTS.md). m = 64, n = 64: 8,193 points, 11.5 MB; a
    margin leaf's parts 5,508 points, 7.7 MB."""

    KEEP_BYTES = 64 << 20

    def __init__(self):
        self._kept = collections.OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, lib, key, points, comb=False):
        """The tables of the points `points()` returns, kept under `key`; with `comb`, of
        two points, their comb tables (zk_comb_tables)."""
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        points = points()
        raw = affine_bytes(points)
        size = lib.zk_comb_tables_bytes() if comb else lib.zk_ct_tables_bytes(len(points))
        tables = (ctypes.c_uint64 * (size // 8))()
        status = (lib.zk_comb_tables(raw, ctypes.addressof(tables)) if comb
                  else lib.zk_ct_tables(raw, len(points), ctypes.addressof(tables)))
        if status < 0:
            raise MemoryError("zksolv's C kernel could not allocate memory")
        with self._lock:
            self._keep(key, tables)
        return tables

    def latest_of_length(self, count: int):
        """The most recently used S tables ([H] + G + H, key (gens, len(G))) of `count`
        generators of each kind, or None: the argument's first fold reads them
        (KernelVectors.ipa_fold), and the kernel checks they are these points' tables."""
        with self._lock:
            for key in reversed(self._kept):
                if isinstance(key[1], int) and key[1] == count:
                    return self._kept[key]
        return None

    def _keep(self, key, tables) -> None:
        """Adds `tables` as the most recent; drops the least recent beyond the budget."""
        if key in self._kept:   # built twice by two threads at once: keep one
            self._bytes -= ctypes.sizeof(self._kept.pop(key))
        self._kept[key] = tables
        self._bytes += ctypes.sizeof(tables)
        while self._bytes > self.KEEP_BYTES and len(self._kept) > 1:
            self._bytes -= ctypes.sizeof(self._kept.popitem(last=False)[1])


_TABLES = _SecretTables()

KEPT_MIN = 1024
"""From this many generators of each kind the argument's first rounds take kept window
tables (zk_msm_kept: ≈ −19 % at 4,097 terms; bench/RESULTS.md)."""


class _KeptWindows:
    """The public MSM's window tables (native_msm_kept.h: 20 affine multiples a point,
    1,280 bytes) of the argument's original G ‖ H ‖ U, one set a proof size (10.5 MB at
    n·m = 4,096),
    found by the first and last points and then compared in full (new bytes objects each
    proof: hashing all of them would cost more). Kept: the most recent up to KEEP_BYTES,
    and always the last one."""

    KEEP_BYTES = 48 << 20

    def __init__(self):
        self._kept = collections.OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, lib, G: bytes, H: bytes, U: bytes):
        key = (len(G), G[:64], G[-64:], H[:64], H[-64:], U)
        with self._lock:
            hit = self._kept.get(key)
            if hit is not None and hit[0] == G and hit[1] == H:
                self._kept.move_to_end(key)
                return hit[2]
        points = G + H + U
        count = len(points) // 64
        tables = (ctypes.c_uint64 * (lib.zk_msm_kept_bytes(count) // 8))()
        if lib.zk_msm_kept_tables(points, count, ctypes.addressof(tables)) < 0:
            raise MemoryError("zksolv's C kernel could not build the window tables")
        with self._lock:
            self._kept.pop(key, None)
            self._kept[key] = (G, H, tables)
            self._bytes = sum(ctypes.sizeof(t[2]) for t in self._kept.values())
            while self._bytes > self.KEEP_BYTES and len(self._kept) > 1:
                self._bytes -= ctypes.sizeof(self._kept.popitem(last=False)[1][2])
        return tables


_KEPT = _KeptWindows()


class _JoinedVectors:
    """The argument's generator vectors G and H as the kernel's joined x ‖ y bytes
    (affine_bytes), kept for the vectors used most: every proof of a size joins the same
    4,096 + 4,096 points (≈ 0.7 ms of an m = 64 chunk, bench/RESULTS.md). A vector is found
    by its length and first point's identity and then compared in full as a list (identity
    first, so ≈ 40 µs; equal points give equal bytes either way). Kept: the KEEP most
    recently used vectors."""

    KEEP = 16   # a margin leaf proves parts of four sizes: G and H of each, twice over

    def __init__(self):
        self._kept = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, points) -> bytes:
        key = (len(points), id(points[0]) if points else None)
        with self._lock:
            hit = self._kept.get(key)
            if hit is not None and hit[0] == points:
                self._kept.move_to_end(key)
                return hit[1]
        joined = affine_bytes(points)
        with self._lock:
            self._kept.pop(key, None)
            self._kept[key] = (list(points), joined)
            while len(self._kept) > self.KEEP:
                self._kept.popitem(last=False)
        return joined


_JOINED = _JoinedVectors()


def _point(xy: bytes | None, backend) -> Point:
    """A published point from the kernel's 64 bytes x ‖ y; None for the identity."""
    if xy is None:
        return Point.identity(backend)
    return Point.from_affine(int.from_bytes(xy[:32], "big"), int.from_bytes(xy[32:], "big"),
                             backend)


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
        from zksolv.group.backends.native import glv_halves   # only where the kernel is built
        self._lib, self._halves = lib, glv_halves

    def draw(self, rng, count: int):
        """The next `count` nonces of `rng` into a kernel vector, in `rng`'s order."""
        out = _alloc(count)
        if not self._draw_in_kernel(rng, count, out):
            packed = b"".join([_be(rng()) for _ in range(count)])
            self._lib.zk_pv_load(packed, count, _at(out))
        return out

    def _draw_in_kernel(self, rng, count, out) -> bool:
        """The HMAC stream or the OS CSPRNG drawn in C; False (nothing drawn) where neither
        applies or, with probability ≈ 2^−247, a nonce is 0 and must be skipped."""
        position = getattr(rng, "hmac_position", None)
        if position is not None:
            key, counter = position()
            if len(key) > _MAX_HMAC_KEY or self._lib.zk_pv_nonces(key, len(key), counter, count,
                                                               _at(out)) != 1:
                return False
            rng.skip(count)
            return True
        if rng is random_scalar:
            return self._lib.zk_pv_load_wide(secrets.token_bytes(64 * count), count, _at(out)) == 1
        return False

    def commit_values(self, gens, values, blindings):
        """V_j = [v_j]G + [γ_j]H (SPEC.md §3.2), the numbers `commitments.commit` computes,
        constant-time, over G's and H's kept comb tables (one table entry a digit, no
        doubling): eight commitments a time, one an IFMA lane, where the CPU has the lanes
        (zk_pairs_secret_comb)."""
        tables = _TABLES.get(self._lib, (gens, "pedersen comb"),
                             lambda: [Point.generator(gens.backend), gens.H], comb=True)
        count = len(values)
        packed = b"".join([_be(v % N) + _be(g % N) for v, g in zip(values, blindings)])
        out = ctypes.create_string_buffer(64 * max(count, 1))
        self._lib.zk_pairs_secret_comb(_at(tables), packed, count, out, -1)
        raw, be, zero = out.raw, gens.backend, bytes(64)
        # The native backend's own form of a point is these 64 bytes x ‖ y (group/backends/
        # native.py): taken as they are, without `_point`'s round trip through integers and
        # its on-curve check (≈ 2.5 µs a leaf): the kernel's comb over G and H made them.
        return [Point(xy, be) if xy != zero else Point.identity(be)   # zeros: identity
                for xy in (raw[64 * i:64 * i + 64] for i in range(count))]

    def commit_bits(self, gens, G, H, alpha: int, values, n: int):
        """A = [α]H + <a_L, G> + <a_L − 1, H> (SPEC.md §5.3), `bits_commit_secret`'s sum from
        S's kept tables (entry 0 of each is the point): the bit terms eight a time, one an
        IFMA lane, where the CPU has the lanes (zk_bits_commit_tabled). Values in [0, 2^n)."""
        packed = b"".join([v.to_bytes(n // 8, "little") for v in values])
        tables = self._s_tables(gens, G, H)
        out = ctypes.create_string_buffer(64)
        if self._lib.zk_bits_commit_tabled(_at(tables), _be(alpha % N), packed, n, len(values),
                                           out, -1) < 0:
            raise MemoryError("zksolv's C kernel could not allocate memory")
        return _point(out.raw if out.raw != bytes(64) else None, gens.backend)

    def _s_tables(self, gens, G, H):
        """The kept tables of [H] + G + H. A Generators object is process-wide and never
        replaced, so it and the length name the points."""
        return _TABLES.get(self._lib, (gens, len(G)),
                           lambda: [gens.H] + list(G) + list(H))

    def commit_s(self, gens, G, H, rho: int, s):
        """S = [ρ]H + <s_L, G> + <s_R, H> by the kernel's constant-time Straus (on eight
        IFMA lanes where the CPU has them: native_ct8.h), over the generators' kept tables
        (_SecretTables, _s_tables)."""
        count = len(G) + len(H)
        packed = ctypes.create_string_buffer(32 * (count + 1))
        packed.raw = _be(rho)
        self._lib.zk_pv_store(_at(s), count, ctypes.addressof(packed) + 32)
        tables = self._s_tables(gens, G, H)
        return self._tabled_msm(tables, packed, count + 1, gens.backend)

    def _tabled_msm(self, tables, packed, count, backend):
        out = ctypes.create_string_buffer(64)
        if self._lib.zk_msm_secret_tabled(_at(tables), packed, count, out) < 0:
            raise MemoryError("zksolv's C kernel could not allocate memory")
        return _point(out.raw if out.raw != bytes(64) else None, backend)   # zeros: identity

    def polynomials(self, values, n, m, s, y, z):
        """(l0, s_L, r0, r1) with t1, t2, as IntVectors.polynomials."""
        count = n * m
        y_pows, l0, r0, r1 = _alloc(count), _alloc(count), _alloc(count), _alloc(count)
        self._lib.zk_pv_powers(_be(y), count, _at(y_pows))
        packed = b"".join([(v & ((1 << n) - 1)).to_bytes(n // 8, "little") for v in values])
        t = ctypes.create_string_buffer(64)
        self._lib.zk_pv_poly(packed, n, m, _at(s), _at(y_pows), _be(z), _at(l0), _at(r0),
                                _at(r1), t)
        return (l0, s, r0, r1, count), int.from_bytes(t.raw[:32], "big"), int.from_bytes(t.raw[32:], "big")

    def evaluate(self, poly, x):
        """l = l(x), r = r(x) and t_x = <l, r>."""
        l0, l1, r0, r1, count = poly
        l, r = _alloc(count), _alloc(count)
        self._lib.zk_pv_eval(_at(l0), _at(l1), _be(x), count, _at(l))
        self._lib.zk_pv_eval(_at(r0), _at(r1), _be(x), count, _at(r))
        t = ctypes.create_string_buffer(32)
        self._lib.zk_pv_inner(_at(l), _at(r), count, t)
        return (l, r, count), int.from_bytes(t.raw, "big")

    def ipa_start(self, ab, y_inv, G, H, U):
        """The argument's state: a, b, y⁻ⁱ in the kernel, and the generator vectors G, H
        (and U) as the kernel's joined x ‖ y bytes, folded there without Point objects."""
        a, b, count = ab
        y_inv_pows = _alloc(count)
        self._lib.zk_pv_powers(_be(y_inv), count, _at(y_inv_pows))
        # then the factors of a generator fold put off to the next round (ipa_fold), and S's
        # kept tables of these G, H for the first fold, which is over them (_first_fold_tables)
        return [a, b, y_inv_pows, _JOINED.get(G), _JOINED.get(H), affine_bytes([U]), U.backend,
                None, _TABLES.latest_of_length(len(G))]

    def ipa_commit(self, state, half, g_scale, h_scale, w):
        """One round's L and R (SPEC.md §5.3) by the variable-time MSM over packed scalars;
        while the generators are still the proof size's original ones (round 1, and round 2
        while its fold is put off), over their kept window tables (_kept_windows)."""
        a, b, y_inv_pows, G, H, U, backend, deferred = state[:8]
        l_out = ctypes.create_string_buffer(32 * (2 * half + 1))
        r_out = ctypes.create_string_buffer(32 * (2 * half + 1))
        self._lib.zk_pv_ipa_round(_at(a), _at(b), half, _at(y_inv_pows), _be(g_scale),
                               _be(h_scale), _be(w), l_out, r_out)
        if deferred is not None:
            return self._unfolded_commit(state, half, l_out.raw, r_out.raw)
        kept, n = self._kept_windows(state, 2 * half), 32 * half
        if kept is not None:   # G ‖ H ‖ U in full, zeros where a half is left out
            zeros, lo, ro = bytes(n), l_out.raw, r_out.raw
            return (self._kept_msm(kept, zeros + lo[:n] + lo[n:2 * n] + zeros + lo[2 * n:],
                                   backend),
                    self._kept_msm(kept, ro[:n] + zeros + zeros + ro[n:2 * n] + ro[2 * n:],
                                   backend))
        cut = 64 * half
        return (self._public_msm(G[cut:2 * cut] + H[:cut] + U, l_out, backend),
                self._public_msm(G[:cut] + H[cut:2 * cut] + U, r_out, backend))

    def _unfolded_commit(self, state, half, l_out: bytes, r_out: bytes):
        """L and R over generators whose last fold was put off: G'_i = G_i + g·G_{2half+i}
        (H likewise with h), so the scalar s of G'_i goes to G_i and g·s to G_{2half+i}.
        Twice the MSM terms, for one fold of two rounds at once (ipa_fold)."""
        G, H, U, backend, (g, h) = state[3], state[4], state[5], state[6], state[7]
        cut, n = 64 * half, 32 * half
        kept = self._kept_windows(state, 4 * half)
        if kept is not None:   # G ‖ H ‖ U in full: [0, s, 0, g·s] and [s, 0, h·s, 0] for L
            zeros = bytes(n)
            lo, ro = l_out, r_out
            lg, lh = self._scaled(lo[:n], g), self._scaled(lo[n:2 * n], h)
            rg, rh = self._scaled(ro[:n], g), self._scaled(ro[n:2 * n], h)
            return (self._kept_msm(kept, zeros + lo[:n] + zeros + lg + lo[n:2 * n] + zeros + lh
                                   + zeros + lo[2 * n:], backend),
                    self._kept_msm(kept, ro[:n] + zeros + rg + zeros + zeros + ro[n:2 * n]
                                   + zeros + rh + ro[2 * n:], backend))

        def scalars(packed: bytes) -> bytes:
            return (packed[:n] + self._scaled(packed[:n], g) + packed[n:2 * n]
                    + self._scaled(packed[n:2 * n], h) + packed[2 * n:])
        return (self._public_msm(G[cut:2 * cut] + G[3 * cut:4 * cut] + H[:cut]
                                 + H[2 * cut:3 * cut] + U, scalars(l_out), backend),
                self._public_msm(G[:cut] + G[2 * cut:3 * cut] + H[cut:2 * cut]
                                 + H[3 * cut:4 * cut] + U, scalars(r_out), backend))

    def _kept_windows(self, state, count: int):
        """The kept window tables of G ‖ H ‖ U when the state's generators are the whole
        original vectors (`count` of each: the rounds before any fold) and the kernel runs
        on IFMA lanes; else None (zk_msm then)."""
        G, H, U = state[3], state[4], state[5]
        if count < KEPT_MIN or count != len(state[2]) // 4 or self._lib.zk_simd(-1) != 1:
            return None
        return _KEPT.get(self._lib, G, H, U)

    def _kept_msm(self, tables, packed: bytes, backend):
        out = ctypes.create_string_buffer(64)
        status = self._lib.zk_msm_kept(ctypes.addressof(tables), len(packed) // 32, packed, out)
        if status < 0:
            raise MemoryError("zksolv's C kernel could not allocate memory")
        return _point(out.raw if status else None, backend)

    def _scaled(self, packed: bytes, k: int) -> bytes:
        """Packed scalars (below n) each times k mod n."""
        out = ctypes.create_string_buffer(len(packed))
        self._lib.zk_sc_scale(packed, len(packed) // 32, _be(k), out)
        return out.raw

    def _public_msm(self, points: bytes, packed, backend):
        out = ctypes.create_string_buffer(64)
        status = self._lib.zk_msm(points, packed, len(points) // 64, out)
        if status < 0:
            raise MemoryError("zksolv's C kernel could not allocate memory")
        return _point(out.raw if status else None, backend)

    def ipa_fold(self, state, half, u, u_inv, g_factor, h_factor):
        """a, b by u in the kernel, and G_i ← G_lo,i + g_factor·G_hi,i, H_i likewise: put off
        to the next round where both its halves have at least PAIR_MIN points, then done for
        the two rounds at once (zk_fold_terms: the scalar multiplications of a generator
        share their doublings), the next round's L and R taking the unfolded generators.
        Same points, so the same proof bytes."""
        a, b = state[:2]
        self._lib.zk_pv_ipa_fold(_at(a), _at(b), half, _be(u), _be(u_inv))
        deferred = state[7]
        if deferred is not None:
            # G''_j = G_j + g'·G_{j+q} + g·G_{j+2q} + g·g'·G_{j+3q}, g the put-off factor
            factors = [[second, first, first * second % N]
                       for first, second in zip(deferred, (g_factor, h_factor))]
            state[3], state[4] = self._fold_terms_pair(state[3:5], half, factors,
                                                       self._first_fold_tables(state))
            state[7], state[8] = None, None   # the later folds are over folded generators
        elif half // 2 >= PAIR_MIN:
            state[7] = (g_factor, h_factor)
        elif half > 1:   # after the last round no generator is used again: not folded
            state[3] = self._fold_terms(state[3], half, [g_factor])
            state[4] = self._fold_terms(state[4], half, [h_factor])

    def _first_fold_tables(self, state):
        """(G's, H's) kept tables for a fold over the state's generators, as (address of the
        first point's table, tables from there) each: S's tables of [H] + G + H
        (_SecretTables) while the generators are still the original G, H (state[8], cleared
        by the first fold); else (None, None). The kernel uses them only if they are these
        points' tables (zk_fold_terms_kept)."""
        tables = state[8]
        if tables is None:
            return None, None
        count = len(state[3]) // 64
        each = self._lib.zk_ct_tables_bytes(1)
        total = ctypes.sizeof(tables) // each
        return tuple((ctypes.addressof(tables) + each * first, max(total - first, 0))
                     for first in (1, 1 + count))   # never a negative count (a size_t)

    @staticmethod
    def _folded(status: int, out, ok, q: int) -> bytes:
        if status < 0:
            raise MemoryError("zksolv's C kernel could not allocate memory")
        if ok.raw != b"\x01" * q:
            # a folded generator is the identity: a discrete-log relation between the
            # hash-derived generators (SPEC.md §3.1), found by a hash output. Not reachable.
            raise ArithmeticError("a folded inner-product generator is the identity")
        return out.raw

    def _fold_terms(self, points: bytes, q: int, factors: list[int], kept=None) -> bytes:
        """P_j + Σ_t factors[t−1]·P_{j+t·q} for j < q, from the first (len(factors) + 1)·q
        points (a one-level fold for one factor); with `kept` = (address, count), the
        points' kept tables from there (zk_fold_terms_kept: used where they fit)."""
        halves, negs = self._halves(factors)
        out, ok = ctypes.create_string_buffer(64 * q), ctypes.create_string_buffer(q)
        address, count = kept if kept is not None else (None, 0)
        status = self._lib.zk_fold_terms_kept(points[:64 * q * (len(factors) + 1)], q,
                                              len(factors), halves, negs, address, count, out, ok)
        return self._folded(status, out, ok, q)

    def _fold_terms_pair(self, points, q: int, factors, kept) -> tuple[bytes, bytes]:
        """_fold_terms of G's and H's points (points[0], points[1]) by their own factors
        (factors[0], factors[1], as many each) and kept tables (kept[0], kept[1]: (address,
        count) or None), in one call (zk_fold_terms_pair: the two folds' ladders in one
        batch where that pays)."""
        terms = len(factors[0])
        halves, negs = zip(*(self._halves(f) for f in factors))
        (address_a, count_a), (address_b, count_b) = (k if k is not None else (None, 0)
                                                      for k in kept)
        out, ok = ctypes.create_string_buffer(128 * q), ctypes.create_string_buffer(2 * q)
        used = 64 * q * (terms + 1)
        status = self._lib.zk_fold_terms_pair(points[0][:used], points[1][:used], q, terms,
                                              b"".join(halves), b"".join(negs), address_a,
                                              count_a, address_b, count_b, out, ok)
        both = self._folded(status, out, ok, 2 * q)
        return both[:64 * q], both[64 * q:]

    def ipa_finish(self, state):
        out = ctypes.create_string_buffer(32)
        ends = []
        for vector in state[:2]:
            self._lib.zk_pv_store(_at(vector), 1, out)
            ends.append(int.from_bytes(out.raw, "big"))
        return ends[0], ends[1]
