"""The pure-Python reference backend on ethereum/py_ecc (SPEC.md §2.3).

Slow (a scalar multiplication costs ~1.5 ms) and deliberately simple: tests check the fast
backends against it. Raw points are affine (x, y) tuples of ints.
"""

from py_ecc.secp256k1 import secp256k1 as ref

from zksolv.group import curve
from zksolv.group.backends.base import SecretByProducts, loop_msm


def _or_identity(a):
    # py_ecc writes the identity as (0, 0), which is not on the curve.
    return None if a[0] == 0 and a[1] == 0 else a


class PyEccBackend(SecretByProducts):
    """secp256k1 in pure Python, by py_ecc."""

    name = "py_ecc"

    def from_affine(self, x, y):
        return (x, y)

    def to_affine(self, a):
        return a

    def decode(self, data):
        return curve.decompress(data)

    def encode(self, a):
        return curve.compress(*a)

    def add(self, a, b):
        return _or_identity(ref.add(a, b))

    def neg(self, a):
        return (a[0], curve.P - a[1])

    def mul(self, a, k):
        return _or_identity(ref.multiply(a, k))

    def mul_base(self, k):
        return ref.multiply(ref.G, k)

    def sum(self, points):
        total = None
        for p in points:
            total = p if total is None else self.add(total, p)
        return total

    def msm(self, points, scalars):
        return loop_msm(self, points, scalars)
