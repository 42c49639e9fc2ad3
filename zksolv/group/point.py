"""Points of secp256k1, opaque, with strict canonical encodings (SPEC.md §2.2).

A `Point` wraps one backend's raw point, or `None` for the identity. Arithmetic between
points of different backends is refused rather than silently converted.
"""

from operator import attrgetter
from typing import Sequence

from zksolv.errors import EncodingError
from zksolv.group import backends
from zksolv.group.curve import GX, GY, N, on_curve
from zksolv.group.scalar import Scalar

_default = None


def default_backend():
    """The backend new points use unless told otherwise."""
    global _default
    if _default is None:
        _default = backends.fastest()
    return _default


def set_default_backend(name: str) -> None:
    """Make the backend called `name` the default for points made from now on."""
    global _default
    _default = backends.get(name)


def _as_int(k) -> int:
    if isinstance(k, Scalar):
        return k.value
    if isinstance(k, int):
        return k % N
    raise TypeError(f"cannot multiply a point by {type(k).__name__}")


class Point:
    """A point of secp256k1 (the identity included) bound to one arithmetic backend."""

    __slots__ = ("_raw", "_be")

    def __init__(self, raw, backend):
        self._raw = raw
        self._be = backend

    # -- construction --------------------------------------------------------------------
    @classmethod
    def identity(cls, backend=None) -> "Point":
        return cls(None, backend or default_backend())

    @classmethod
    def generator(cls, backend=None) -> "Point":
        """The standard base point G of SEC 2."""
        be = backend or default_backend()
        return cls(be.from_affine(GX, GY), be)

    @classmethod
    def from_affine(cls, x: int, y: int, backend=None) -> "Point":
        if not on_curve(x, y):
            raise EncodingError("coordinates are not a point of secp256k1")
        be = backend or default_backend()
        return cls(be.from_affine(x, y), be)

    @classmethod
    def from_bytes(cls, data: bytes, backend=None) -> "Point":
        """Decode 33-byte compressed SEC1 strictly; the identity has no such encoding."""
        be = backend or default_backend()
        return cls(be.decode(bytes(data)), be)

    # -- encodings -----------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """33-byte compressed SEC1 (02/03 ‖ x); the identity cannot be encoded."""
        if self._raw is None:
            raise EncodingError("the identity has no 33-byte encoding")
        return self._be.encode(self._raw)

    def affine(self) -> tuple[int, int]:
        if self._raw is None:
            raise EncodingError("the identity has no affine coordinates")
        return self._be.to_affine(self._raw)

    @property
    def is_identity(self) -> bool:
        return self._raw is None

    @property
    def backend(self):
        return self._be

    # -- arithmetic ----------------------------------------------------------------------
    def _same(self, other: "Point"):
        if not isinstance(other, Point):
            return NotImplemented
        if other._be is not self._be:
            raise TypeError("points of different backends")
        return other._raw

    def __add__(self, other):
        raw = self._same(other)
        if raw is NotImplemented:
            return NotImplemented
        if self._raw is None:
            return other
        if raw is None:
            return self
        return Point(self._be.add(self._raw, raw), self._be)

    def __neg__(self):
        return self if self._raw is None else Point(self._be.neg(self._raw), self._be)

    def __sub__(self, other):
        return self + (-other)

    def __mul__(self, k):
        k = _as_int(k)
        if k == 0 or self._raw is None:
            return Point(None, self._be)
        return Point(self._be.mul(self._raw, k), self._be)

    __rmul__ = __mul__

    def __eq__(self, other):
        if not isinstance(other, Point):
            return NotImplemented
        if self._raw is None or other._raw is None:
            return self._raw is None and other._raw is None
        return self.to_bytes() == other.to_bytes()

    def __hash__(self):
        return hash(b"" if self._raw is None else self.to_bytes())

    def __repr__(self):
        return "Point(identity)" if self._raw is None else f"Point({self.to_bytes().hex()})"


def base_mul(k, backend=None) -> Point:
    """k·G for the standard base point, on the backend's fast fixed-base path."""
    be = backend or default_backend()
    k = _as_int(k)
    return Point(be.mul_base(k) if k else None, be)


def point_sum(points: Sequence[Point]) -> Point:
    """Σ P_i, in one backend call where the backend batches additions."""
    be = points[0]._be if points else default_backend()
    raws = [p._raw for p in points if p._raw is not None]
    return Point(be.sum(raws) if raws else None, be)


def msm(points: Sequence[Point], scalars: Sequence) -> Point:
    """Σ k_i·P_i in one multi-scalar multiplication (SPEC.md §2.3)."""
    if len(points) != len(scalars):
        raise ValueError("msm needs as many scalars as points")
    be = _one_backend(points)
    raws = list(map(_RAW, points))
    ks = [k % N if type(k) is int else _as_int(k) for k in scalars]   # the hot path passes ints
    if None in raws or 0 in ks:   # the identity and zero terms add nothing
        kept = [(r, k) for r, k in zip(raws, ks) if r is not None and k]
        raws, ks = [r for r, _ in kept], [k for _, k in kept]
    return Point(be.msm(raws, ks) if raws else None, be)


def msm_secret(points: Sequence[Point], scalars: Sequence) -> Point:
    """Σ k_i·P_i for public points and secret scalars, constant-time in the scalars on the
    native and coincurve backends (SPEC.md §2.3): the prover's S. Unlike `msm`, terms with a
    zero scalar are kept, since dropping them would branch on a secret."""
    if len(points) != len(scalars):
        raise ValueError("msm_secret needs as many scalars as points")
    be = _one_backend(points)
    kept = [(p._raw, _as_int(k)) for p, k in zip(points, scalars) if p._raw is not None]
    raw = be.msm_secret([r for r, _ in kept], [k for _, k in kept]) if kept else None
    return Point(raw, be)


def affine_bytes(points: Sequence[Point]) -> bytes:
    """x ‖ y (32 bytes big-endian each) of every point, joined: the layout the native kernel
    takes (native.c), for callers that keep point vectors in it. No point may be the identity."""
    be = _one_backend(points)
    raws = list(map(_RAW, points))
    if None in raws:
        raise ValueError("the identity has no affine coordinates")
    if be.name == "native":   # its raw points are this layout already
        return b"".join(raws)
    return b"".join(x.to_bytes(32, "big") + y.to_bytes(32, "big")
                    for x, y in map(be.to_affine, raws))


def bits_commit_secret(base: Point, blinding, G: Sequence[Point], H: Sequence[Point],
                       values: Sequence[int], n: int) -> Point:
    """α·B + <a_L, G> + <a_R, H> with a_L the n bits of the values (least significant first,
    value after value) and a_R = a_L − 1: the prover's A (SPEC.md §5.3), constant-time in α
    and the values on the native and coincurve backends. Values must lie in [0, 2^n), n a
    multiple of 8; no point may be the identity (generators never are)."""
    if len(G) != n * len(values) or len(H) != len(G) or n % 8:
        raise ValueError("bits_commit_secret needs n·m points in G and in H, n a multiple of 8")
    be = _one_backend([base, *G, *H])
    raws = [base._raw, *map(_RAW, G), *map(_RAW, H)]
    if None in raws:
        raise ValueError("bits_commit_secret takes no identity point")
    return Point(be.bits_commit_secret(raws[0], _as_int(blinding), raws[1:1 + len(G)],
                                       raws[1 + len(G):], values, n), be)


def fold(lo: Sequence[Point], hi: Sequence[Point], k) -> list[Point]:
    """[lo_i + k·hi_i]: one vector step of the inner-product argument (SPEC.md §5.3).

    Batched on backends that offer it (public points and scalar only: it is variable-time).
    """
    if len(lo) != len(hi):
        raise ValueError("fold needs two vectors of one length")
    k = _as_int(k)
    be = _one_backend([*lo, *hi])
    lo_raws, hi_raws = list(map(_RAW, lo)), list(map(_RAW, hi))
    if k == 0 or not hasattr(be, "fold") or None in lo_raws or None in hi_raws:
        return [a + b * k for a, b in zip(lo, hi)]
    return [Point(r, be) for r in be.fold(lo_raws, hi_raws, k)]


_RAW, _BACKEND = attrgetter("_raw"), attrgetter("_be")


def _one_backend(points: Sequence[Point]):
    """The backend all `points` are on (the default for none); refuses a mix."""
    kinds = set(map(_BACKEND, points))
    if len(kinds) > 1:
        raise TypeError("points of different backends")
    return kinds.pop() if kinds else default_backend()
