"""The aggregated range proof object and its byte layout (SPEC.md §5.4)."""

from dataclasses import dataclass

from zksolv.errors import EncodingError
from zksolv.group import Point, Scalar
from zksolv.group.curve import POINT_BYTES as _PB
from zksolv.group.curve import SCALAR_BYTES as _SB

MAX_ROUNDS = 32
_FIXED = 4 * _PB + 5 * _SB  # A, S, T1, T2 and t_x, t_x_blinding, e_blinding, a, b


def proof_size(rounds: int) -> int:
    """Bytes of a proof with `rounds` = log2(n·m) inner-product rounds: 32·(2k+9) + 2k+4."""
    return _FIXED + 2 * _PB * rounds


@dataclass(frozen=True, slots=True)
class RangeProof:
    """Bünz et al. 2018 §4.2 (aggregated) with the §3 inner-product argument.

    Layout of `to_bytes` (points 33-byte compressed SEC1, scalars 32-byte big-endian < n):

        A ‖ S ‖ T1 ‖ T2 ‖ t_x ‖ t_x_blinding ‖ e_blinding ‖ (L_j ‖ R_j) for j < k ‖ a ‖ b

    with k = log2(n·m) rounds; 33·(4 + 2k) + 32·5 bytes in all.
    """

    A: Point
    S: Point
    T1: Point
    T2: Point
    t_x: int
    t_x_blinding: int
    e_blinding: int
    L: tuple[Point, ...]
    R: tuple[Point, ...]
    a: int
    b: int

    @property
    def rounds(self) -> int:
        return len(self.L)

    def to_bytes(self) -> bytes:
        head = [self.A, self.S, self.T1, self.T2]
        out = [p.to_bytes() for p in head]
        out += [Scalar(s).to_bytes() for s in (self.t_x, self.t_x_blinding, self.e_blinding)]
        for left, right in zip(self.L, self.R):
            out += [left.to_bytes(), right.to_bytes()]
        out += [Scalar(self.a).to_bytes(), Scalar(self.b).to_bytes()]
        return b"".join(out)

    @classmethod
    def from_bytes(cls, data: bytes, backend=None) -> "RangeProof":
        """Strict decoding: exact length, canonical points and scalars, nothing trailing."""
        rounds, rest = divmod(len(data) - _FIXED, 2 * _PB)
        if len(data) < _FIXED or rest or rounds > MAX_ROUNDS:
            raise EncodingError(f"range proof length {len(data)} is not 32·(2k+9) + 2k+4")
        reader = _Reader(data, backend)
        head = [reader.point() for _ in range(4)]
        t_x, t_x_blinding, e_blinding = (reader.scalar() for _ in range(3))
        pairs = [(reader.point(), reader.point()) for _ in range(rounds)]
        a, b = reader.scalar(), reader.scalar()
        return cls(
            *head, t_x, t_x_blinding, e_blinding,
            tuple(p[0] for p in pairs), tuple(p[1] for p in pairs), a, b,
        )


class _Reader:
    """Sequential strict decoder over a byte string."""

    def __init__(self, data: bytes, backend):
        self._data = memoryview(data)
        self._pos = 0
        self._backend = backend

    def _take(self, size: int) -> bytes:
        chunk = bytes(self._data[self._pos : self._pos + size])
        self._pos += size
        return chunk

    def point(self) -> Point:
        return Point.from_bytes(self._take(_PB), self._backend)

    def scalar(self) -> int:
        return Scalar.from_bytes(self._take(_SB)).value
