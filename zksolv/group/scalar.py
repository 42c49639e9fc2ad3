"""Scalars of secp256k1: integers modulo the group order n (SPEC.md §2.1)."""

import secrets

from zksolv.errors import EncodingError
from zksolv.group.curve import N, SCALAR_BYTES


class Scalar:
    """An element of Z/nZ with a canonical 32-byte big-endian encoding."""

    __slots__ = ("value",)

    def __init__(self, value: int):
        self.value = value % N

    @classmethod
    def from_bytes(cls, data: bytes) -> "Scalar":
        """Decode 32 big-endian bytes; values ≥ n are not canonical and are rejected."""
        if len(data) != SCALAR_BYTES:
            raise EncodingError(f"scalar must be {SCALAR_BYTES} bytes, got {len(data)}")
        value = int.from_bytes(data, "big")
        if value >= N:
            raise EncodingError("scalar is not below the group order")
        return cls(value)

    @classmethod
    def random(cls) -> "Scalar":
        """A uniform nonzero scalar from the OS CSPRNG."""
        return cls(1 + secrets.randbelow(N - 1))

    def to_bytes(self) -> bytes:
        return self.value.to_bytes(SCALAR_BYTES, "big")

    def inverse(self) -> "Scalar":
        if self.value == 0:
            raise ZeroDivisionError("zero has no inverse")
        return Scalar(pow(self.value, -1, N))

    def __int__(self) -> int:
        return self.value

    def __add__(self, other):
        return Scalar(self.value + int(other))

    __radd__ = __add__

    def __sub__(self, other):
        return Scalar(self.value - int(other))

    def __rsub__(self, other):
        return Scalar(int(other) - self.value)

    def __mul__(self, other):
        if not isinstance(other, (Scalar, int)):
            return NotImplemented
        return Scalar(self.value * int(other))

    __rmul__ = __mul__

    def __neg__(self):
        return Scalar(-self.value)

    def __eq__(self, other):
        if isinstance(other, Scalar):
            return self.value == other.value
        return NotImplemented

    def __hash__(self):
        return hash(("Scalar", self.value))

    def __repr__(self):
        return f"Scalar(0x{self.value:064x})"
