"""Backend on pycryptodome's C `EccPoint` for curve 'secp256k1' (SPEC.md §2.3).

Raw points are `EccPoint` objects that are never the point at infinity.
"""

from Crypto.PublicKey.ECC import EccPoint

from zksolv.group import curve
from zksolv.group.backends.base import SecretByProducts, loop_msm

_CURVE = "secp256k1"


def _or_identity(a: EccPoint):
    return None if a.is_point_at_infinity() else a


class PycryptodomeBackend(SecretByProducts):
    """secp256k1 on pycryptodome's C point arithmetic."""

    name = "pycryptodome"

    def __init__(self):
        self._base = EccPoint(curve.GX, curve.GY, curve=_CURVE)

    def from_affine(self, x, y):
        return EccPoint(x, y, curve=_CURVE)

    def to_affine(self, a):
        return int(a.x), int(a.y)

    def decode(self, data):
        return EccPoint(*curve.decompress(data), curve=_CURVE)

    def encode(self, a):
        return curve.compress(int(a.x), int(a.y))

    def add(self, a, b):
        return _or_identity(a + b)

    def neg(self, a):
        return -a

    def mul(self, a, k):
        return _or_identity(a * k)

    def mul_base(self, k):
        return self._base * k

    def sum(self, points):
        total = points[0].copy()
        for p in points[1:]:
            total += p
        return _or_identity(total)

    def msm(self, points, scalars):
        return loop_msm(self, points, scalars)
