"""secp256k1 constants and the few field helpers pure-Python code needs (SEC 2 §2.4.1)."""

from zksolv.errors import EncodingError

P = 2**256 - 2**32 - 977
"""The field prime p."""
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
"""The group order n."""
B = 7
"""The curve is y² = x³ + 7 over F_p."""
GX = 0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798
GY = 0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8

POINT_BYTES = 33
SCALAR_BYTES = 32


def sqrt_mod_p(a: int) -> int | None:
    """A square root of a in F_p, or None if a is not a square (p ≡ 3 mod 4)."""
    root = pow(a, (P + 1) // 4, P)
    return root if root * root % P == a % P else None


def on_curve(x: int, y: int) -> bool:
    """Whether (x, y) are reduced coordinates of a point of secp256k1."""
    return 0 <= x < P and 0 <= y < P and (y * y - x * x * x - B) % P == 0


def decompress(data: bytes) -> tuple[int, int]:
    """Affine (x, y) of a 33-byte compressed SEC1 point (SEC 1 §2.3.4), strictly.

    Rejects a wrong length, a prefix other than 02/03, x ≥ p and x with no point on the curve.
    """
    if len(data) != POINT_BYTES:
        raise EncodingError(f"point must be {POINT_BYTES} bytes, got {len(data)}")
    prefix = data[0]
    if prefix not in (2, 3):
        raise EncodingError(f"point prefix must be 02 or 03, got {prefix:02x}")
    x = int.from_bytes(data[1:], "big")
    if x >= P:
        raise EncodingError("point x-coordinate is not below p")
    y = sqrt_mod_p(x * x * x + B)
    if y is None:
        raise EncodingError("point x-coordinate is not on secp256k1")
    if y & 1 != prefix & 1:
        y = P - y
    return x, y


def compress(x: int, y: int) -> bytes:
    """The 33-byte compressed SEC1 encoding of the affine point (x, y)."""
    return bytes([2 | (y & 1)]) + x.to_bytes(32, "big")
