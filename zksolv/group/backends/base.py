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
        """Σ k_i·P_i, scalars in [1, n). Variable-time: public scalars only."""

    def msm_secret(self, points: Sequence[Raw], scalars: Sequence[int]) -> Raw | None:
        """Σ k_i·P_i for public points and secret scalars in [0, n), constant-time in the
        scalars where the backend can be (SPEC.md §2.3)."""

    def bits_commit_secret(self, base: Raw, blinding: int, G: Sequence[Raw], H: Sequence[Raw],
                           values: Sequence[int], n: int) -> Raw | None:
        """α·B + <a_L, G> + <a_R, H>: a_L the n bits of each value (least significant first,
        value after value), a_R = a_L − 1; constant-time in α and the values (SPEC.md §5.3)."""


def loop_msm(backend: Backend, points: Sequence[Raw], scalars: Sequence[int]) -> Raw | None:
    """Multi-scalar multiplication as a loop of multiplications: the simple reference."""
    products = [backend.mul(p, k) for p, k in zip(points, scalars)]
    products = [q for q in products if q is not None]
    return backend.sum(products) if products else None


class SecretByProducts:
    """The secret paths for a backend without a constant-time MSM: one constant-time `mul`
    a term and one `sum`, never the variable-time bucket MSM (SPEC.md §2.3).

    On libsecp256k1 (coincurve) both are constant-time: `tweak_mul`, and `combine`'s complete
    additions. pycryptodome and py_ecc inherit the same shape but make no such promise.
    """

    def msm_secret(self, points, scalars):
        # Zero, which tweak_mul refuses, is tested in Python, like all its scalar arithmetic.
        return self._sum_or_none([self.mul(p, k) for p, k in zip(points, scalars) if k])

    def bits_commit_secret(self, base, blinding, G, H, values, n):
        """No branch on a bit: the term a·G_i + (a − 1)·H_i equals (1 + a)·(G_i + H_i) −
        (G_i + 2·H_i), a multiplication of a public point by 1 or 2 (never 0), less a public
        point; the public points are summed once."""
        bits = [(v >> i) & 1 for v in values for i in range(n)]
        pairs = [self.add(g, h) for g, h in zip(G, H)]   # None only where G_i = −H_i
        offset = self._sum_or_none([self.add(g, self.add(h, h)) for g, h in zip(G, H)])
        terms = [self.mul(c, 1 + a) for c, a in zip(pairs, bits) if c is not None]
        terms += [self.mul(base, blinding)] if blinding else []
        terms += [self.neg(offset)] if offset is not None else []
        return self._sum_or_none(terms)

    def _sum_or_none(self, points):
        points = [q for q in points if q is not None]
        return self.sum(points) if points else None
