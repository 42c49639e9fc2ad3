"""The backend interface behind `zksolv.group` (SPEC.md §2.3).

A backend does arithmetic on its own opaque representation of *non-identity* points
("raw" points). The identity is `None` everywhere at this interface: backends never receive
it, and return it where a result is the identity. That keeps backends that cannot represent
the identity (libsecp256k1) on an equal footing with those that can.
"""

from typing import Any, Protocol, Sequence

Raw = Any


class Backend(Protocol):
    """Arithmetic on raw secp256k1 points; scalars are ints already reduced into [1, n)."""

    name: str

    def from_affine(self, x: int, y: int) -> Raw:
        """A raw point from affine coordinates already known to be on the curve."""

    def to_affine(self, a: Raw) -> tuple[int, int]:
        """Affine (x, y) of a raw point."""

    def decode(self, data: bytes) -> Raw:
        """Strictly decode 33 compressed bytes; raise EncodingError on anything else."""

    def encode(self, a: Raw) -> bytes:
        """33-byte compressed SEC1 encoding."""

    def add(self, a: Raw, b: Raw) -> Raw | None:
        """a + b."""

    def neg(self, a: Raw) -> Raw:
        """−a."""

    def mul(self, a: Raw, k: int) -> Raw | None:
        """k·a for 1 ≤ k < n."""

    def mul_base(self, k: int) -> Raw:
        """k·G for the standard base point G, 1 ≤ k < n."""

    def sum(self, points: Sequence[Raw]) -> Raw | None:
        """The sum of a non-empty sequence of raw points."""

    def msm(self, points: Sequence[Raw], scalars: Sequence[int]) -> Raw | None:
        """Σ k_i·P_i, scalars in [1, n)."""


def loop_msm(backend: Backend, points: Sequence[Raw], scalars: Sequence[int]) -> Raw | None:
    """Multi-scalar multiplication as a loop of multiplications: the simple reference."""
    products = [backend.mul(p, k) for p, k in zip(points, scalars)]
    products = [q for q in products if q is not None]
    return backend.sum(products) if products else None
