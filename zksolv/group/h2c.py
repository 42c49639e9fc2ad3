"""RFC 9380 hashing to secp256k1, suite secp256k1_XMD:SHA-256_SSWU_RO_ (RFC 9380 §8.7).

hash_to_curve(msg, dst) = iso_map(sswu(u0)) + iso_map(sswu(u1)) with (u0, u1) =
hash_to_field(msg, 2) over expand_message_xmd with SHA-256. The cofactor is 1.
Field arithmetic here is on Python ints, the reference: two exponentiations a map. A
backend with `map_to_curve_pairs` (the native kernel) runs the same maps in C, ~10× faster
(bench/RESULTS.md); the RFC's vectors test both.
"""

import hashlib

from zksolv.errors import InputError
from zksolv.group.curve import P
from zksolv.group.point import Point, default_backend

SUITE = b"secp256k1_XMD:SHA-256_SSWU_RO_"
_B_IN_BYTES = 32  # SHA-256 output
_S_IN_BYTES = 64  # SHA-256 block
_L = 48  # RFC 9380 §5: ceil((ceil(log2 p) + k) / 8) with k = 128

# Simplified SWU on the 3-isogenous curve E': y² = x³ + A'x + B' (RFC 9380 §8.7).
_A = 0x3F8731ABDD661ADCA08A5558F0F5D272E953D363CB6F0E5D405447C01A444533
_B = 1771
_Z = P - 11
_SQRT_MINUS_Z3 = pow(11**3, (P + 1) // 4, P)  # √(−Z³), so √g(x2) = √(−Z³)·u³·g(x1)^((p+1)/4)

# The 3-isogeny E' → secp256k1, coefficients k_(i,j) of RFC 9380 Appendix E.1, ascending.
_X_NUM = (
    0x8E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38DAAAAA8C7,
    0x07D3D4C80BC321D5B9F315CEA7FD44C5D595D2FC0BF63B92DFFF1044F17C6581,
    0x534C328D23F234E6E2A413DECA25CAECE4506144037C40314ECBD0B53D9DD262,
    0x8E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38DAAAAA88C,
)
_X_DEN = (
    0xD35771193D94918A9CA34CCBB7B640DD86CD409542F8487D9FE6B745781EB49B,
    0xEDADC6F64383DC1DF7C4B2D51B54225406D36B641F5E41BBC52A56612A8C6D14,
    1,
)
_Y_NUM = (
    0x4BDA12F684BDA12F684BDA12F684BDA12F684BDA12F684BDA12F684B8E38E23C,
    0xC75E0C32D5CB7C0FA9D0A54B12A0A6D5647AB046D686DA6FDFFC90FC201D71A3,
    0x29A6194691F91A73715209EF6512E576722830A201BE2018A765E85A9ECEE931,
    0x2F684BDA12F684BDA12F684BDA12F684BDA12F684BDA12F684BDA12F38E38D84,
)
_Y_DEN = (
    0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFF93B,
    0x7A06534BB8BDB49FD5E9E6632722C2989467C1BFC8E8D978DFB425D2685C2573,
    0x6484AA716545CA2CF3A70C3FA8FE337E0A3D21162F0D6299A7BF8192BFD2A76F,
    1,
)


def expand_message_xmd(msg: bytes, dst: bytes, length: int) -> bytes:
    """expand_message_xmd with SHA-256 (RFC 9380 §5.3.1; oversize DST per §5.3.3)."""
    if len(dst) > 255:
        dst = hashlib.sha256(b"H2C-OVERSIZE-DST-" + dst).digest()
    ell = -(-length // _B_IN_BYTES)
    if ell > 255 or length > 65535:
        raise InputError("expand_message_xmd: requested length too large")
    dst_prime = dst + bytes([len(dst)])
    b0 = hashlib.sha256(
        bytes(_S_IN_BYTES) + msg + length.to_bytes(2, "big") + b"\x00" + dst_prime
    ).digest()
    blocks = [hashlib.sha256(b0 + b"\x01" + dst_prime).digest()]
    for i in range(2, ell + 1):
        mixed = bytes(x ^ y for x, y in zip(b0, blocks[-1]))
        blocks.append(hashlib.sha256(mixed + bytes([i]) + dst_prime).digest())
    return b"".join(blocks)[:length]


def hash_to_field(msg: bytes, dst: bytes, count: int = 2) -> list[int]:
    """`count` elements of F_p from msg (RFC 9380 §5.2, m = 1, L = 48)."""
    uniform = expand_message_xmd(msg, dst, count * _L)
    return [int.from_bytes(uniform[i * _L : (i + 1) * _L], "big") % P for i in range(count)]


def _g(x: int) -> int:
    return (x * x * x + _A * x + _B) % P


def map_to_curve_sswu(u: int) -> tuple[int, int]:
    """Simplified SWU onto E' (RFC 9380 §6.6.2), one exponentiation via p ≡ 3 mod 4."""
    zu2 = _Z * u * u % P
    tv1 = (zu2 * zu2 + zu2) % P
    if tv1 == 0:
        x1 = _B * pow(_Z * _A, -1, P) % P
    else:
        x1 = (-_B) * pow(_A, -1, P) * (1 + pow(tv1, -1, P)) % P
    gx1 = _g(x1)
    y = pow(gx1, (P + 1) // 4, P)
    if y * y % P == gx1:
        x = x1
    else:  # g(x2) = Z³u⁶·g(x1) and y² = −g(x1), so √g(x2) = √(−Z³)·u³·y
        x = zu2 * x1 % P
        y = _SQRT_MINUS_Z3 * pow(u, 3, P) * y % P
    if (u & 1) != (y & 1):  # sgn0 for m = 1 (RFC 9380 §4.1)
        y = P - y
    return x, y


def _poly(coeffs: tuple, x: int) -> int:
    acc = 0
    for c in reversed(coeffs):
        acc = (acc * x + c) % P
    return acc


def iso_map(x: int, y: int) -> tuple[int, int] | None:
    """The 3-isogeny from E' to secp256k1 (RFC 9380 §6.6.3); None for the identity."""
    x_den, y_den = _poly(_X_DEN, x), _poly(_Y_DEN, x)
    if x_den == 0 or y_den == 0:
        return None
    inv = pow(x_den * y_den, -1, P)  # one inversion for both denominators
    return (
        _poly(_X_NUM, x) * y_den * inv % P,
        y * _poly(_Y_NUM, x) * x_den * inv % P,
    )


def map_to_curve(u: int, backend=None) -> Point:
    """map_to_curve for the suite: iso_map ∘ simplified SWU."""
    image = iso_map(*map_to_curve_sswu(u))
    if image is None:
        return Point.identity(backend)
    return Point.from_affine(*image, backend=backend or default_backend())


def _packed_constants() -> bytes:
    """The map's constants for a backend's own implementation, in the order it reads them."""
    values = (_A, _B, _Z, _SQRT_MINUS_Z3) + _X_NUM + _X_DEN + _Y_NUM + _Y_DEN
    return b"".join(v.to_bytes(32, "big") for v in values)


_CONSTANTS = _packed_constants()


def hash_to_curve(msg: bytes, dst: bytes, backend=None) -> Point:
    """hash_to_curve for secp256k1_XMD:SHA-256_SSWU_RO_ (RFC 9380 §3)."""
    return hash_to_curve_many([msg], dst, backend)[0]


def hash_to_curve_many(msgs: list[bytes], dst: bytes, backend=None) -> list[Point]:
    """hash_to_curve of each message, the maps batched where the backend can."""
    be = backend or default_backend()
    pairs = [hash_to_field(msg, dst, 2) for msg in msgs]
    if hasattr(be, "map_to_curve_pairs"):
        return [Point(raw, be) for raw in be.map_to_curve_pairs(pairs, _CONSTANTS)]
    return [map_to_curve(u0, be) + map_to_curve(u1, be) for u0, u1 in pairs]
