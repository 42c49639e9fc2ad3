"""Pedersen commitments and the nothing-up-my-sleeve generators (SPEC.md §3).

C = v·G + r·H with G the SEC 2 base point. H, the inner-product point U and the
Bulletproofs vectors G_i, H_i are RFC 9380 hash_to_curve outputs under `GENERATORS_DST`,
so nobody knows a discrete log between any two of them.
"""

import threading

from zksolv.group import Point, default_backend, hash_to_curve, hash_to_curve_many, msm_secret

GENERATORS_DST = b"ZKSOLV-V01-CS01-with-secp256k1_XMD:SHA-256_SSWU_RO_"
"""Domain separation tag of every zksolv generator (RFC 9380 §3.1 naming)."""

LABEL_H = b"zksolv/pedersen/H"
LABEL_U = b"zksolv/bulletproofs/U"
LABEL_G_VEC = b"zksolv/bulletproofs/G"
LABEL_H_VEC = b"zksolv/bulletproofs/H"


def derive(label: bytes, index: int | None = None, backend=None) -> Point:
    """hash_to_curve(label ‖ u32be(index), GENERATORS_DST); no index for single points."""
    msg = label if index is None else label + index.to_bytes(4, "big")
    return hash_to_curve(msg, GENERATORS_DST, backend)


def derive_range(label: bytes, start: int, stop: int, backend=None) -> list[Point]:
    """derive(label, i) for start ≤ i < stop, in one batch."""
    msgs = [label + i.to_bytes(4, "big") for i in range(start, stop)]
    return hash_to_curve_many(msgs, GENERATORS_DST, backend)


class Generators:
    """The generators of one backend, derived lazily and cached for the process."""

    def __init__(self, backend):
        self.backend = backend
        self.H = derive(LABEL_H, backend=backend)
        self.U = derive(LABEL_U, backend=backend)
        self._G: list[Point] = []
        self._H: list[Point] = []
        self._lock = threading.Lock()

    def vectors(self, count: int) -> tuple[list[Point], list[Point]]:
        """The first `count` of G_i and of H_i, deriving any not yet cached."""
        with self._lock:
            have = len(self._G)
            if count > have:
                self._G += derive_range(LABEL_G_VEC, have, count, self.backend)
                self._H += derive_range(LABEL_H_VEC, have, count, self.backend)
            return self._G[:count], self._H[:count]


_by_backend: dict[str, Generators] = {}


def generators(backend=None) -> Generators:
    """The process-wide generator cache of `backend` (default: the default backend)."""
    be = backend or default_backend()
    if be.name not in _by_backend:
        _by_backend[be.name] = Generators(be)
    return _by_backend[be.name]


def commit(value, blinding, backend=None) -> Point:
    """Pedersen commitment v·G + r·H (SPEC.md §3.2); v and r are taken modulo n.

    Both are secrets (a balance, its blinding), so the whole sum goes through the
    constant-time path (SPEC.md §2.3): no branch on a zero value, which would tell padding
    leaves from real ones, and no variable-time addition of the two products. With the C
    kernel, G's and H's tables are kept between calls (kernel_vectors._SecretTables): about
    half the time of building them for every commitment."""
    return commit_many([value], [blinding], backend)[0]


def commit_many(values, blindings, backend=None) -> list[Point]:
    """`commit` of each (value, blinding) pair, in one call: with the C kernel, the prover's
    V_j path (kernel_vectors.commit_values), eight commitments at a time where the CPU has
    the IFMA lanes — about a quarter of the cost of one call each."""
    gens = generators(backend)
    if gens.backend.name == "native":   # the prover's V_j path: the same comb tables
        from zksolv.rangeproof.kernel_vectors import vectors_for
        return vectors_for(gens.backend).commit_values(gens, list(values), list(blindings))
    return [msm_secret([Point.generator(gens.backend), gens.H], [v, r]) for v, r in zip(values, blindings)]
