"""The fast backend: libsecp256k1 through coincurve's cffi bindings (SPEC.md §2.3).

Raw points are `secp256k1_pubkey *` cdata (64 opaque bytes). libsecp256k1 cannot represent
the identity, so every call that could produce it is checked and mapped to `None`.

Its public API has no multi-scalar multiplication, but `secp256k1_ec_pubkey_combine` adds
many points in one call for ~0.26 µs a point, against ~32 µs for one multiplication. Large
MSMs therefore use Pippenger's bucket method with the additions done by `combine`; the
window size and the crossover from the plain loop were measured (bench/msm.py).
"""

from coincurve._libsecp256k1 import ffi, lib
from coincurve.context import GLOBAL_CONTEXT

from zksolv.errors import EncodingError
from zksolv.group import curve
from zksolv.group.backends.base import SecretByProducts, loop_msm

_CTX = GLOBAL_CONTEXT.ctx
_COMPRESSED = lib.SECP256K1_EC_COMPRESSED
_UNCOMPRESSED = lib.SECP256K1_EC_UNCOMPRESSED

PIPPENGER_THRESHOLD = 512
"""Below this many terms a loop of multiplications is faster than buckets (bench/msm.py)."""


def _new():
    return ffi.new("secp256k1_pubkey *")


def _parse(data: bytes):
    out = _new()
    if not lib.secp256k1_ec_pubkey_parse(_CTX, out, data, len(data)):
        raise EncodingError("point is not on secp256k1 or x is not below p")
    return out


def _serialize(a, flags: int, size: int) -> bytes:
    buf = ffi.new("unsigned char[]", size)
    length = ffi.new("size_t *", size)
    lib.secp256k1_ec_pubkey_serialize(_CTX, buf, length, a, flags)
    return bytes(ffi.buffer(buf, size))


def _combine(points):
    """Sum of raw points in one libsecp256k1 call; None for an empty sum or the identity."""
    if not points:
        return None
    out = _new()
    if not lib.secp256k1_ec_pubkey_combine(_CTX, out, points, len(points)):
        return None
    return out


def _window_bits(count: int) -> int:
    """Pippenger window size: measured optimum (bench/msm.py) is log2(count) − 5, from 4 to 12."""
    return max(4, min(12, count.bit_length() - 6))


class CoincurveBackend(SecretByProducts):
    """secp256k1 on libsecp256k1 (constant-time multiply, batched additions)."""

    name = "coincurve"

    def from_affine(self, x, y):
        return self.from_xy(x.to_bytes(32, "big") + y.to_bytes(32, "big"))

    def to_affine(self, a):
        data = self.xy(a)
        return int.from_bytes(data[:32], "big"), int.from_bytes(data[32:], "big")

    def from_xy(self, xy: bytes):
        """A raw point from 64 bytes x ‖ y (big-endian), checked to be on the curve."""
        return _parse(b"\x04" + xy)

    def xy(self, a) -> bytes:
        """64 bytes x ‖ y (big-endian) of a raw point."""
        return _serialize(a, _UNCOMPRESSED, 65)[1:]

    def decode(self, data):
        if len(data) != curve.POINT_BYTES or data[0] not in (2, 3):
            curve.decompress(data)  # raises the precise EncodingError
        return _parse(bytes(data))

    def encode(self, a):
        return _serialize(a, _COMPRESSED, 33)

    def add(self, a, b):
        return _combine([a, b])

    def neg(self, a):
        out = _new()
        ffi.memmove(out, a, 64)
        lib.secp256k1_ec_pubkey_negate(_CTX, out)
        return out

    def mul(self, a, k):
        out = _new()
        ffi.memmove(out, a, 64)
        if not lib.secp256k1_ec_pubkey_tweak_mul(_CTX, out, k.to_bytes(32, "big")):
            raise ValueError("scalar out of range")  # callers reduce k into [1, n)
        return out

    def mul_base(self, k):
        out = _new()
        if not lib.secp256k1_ec_pubkey_create(_CTX, out, k.to_bytes(32, "big")):
            raise ValueError("scalar out of range")
        return out

    def sum(self, points):
        return _combine(list(points))

    def msm(self, points, scalars):
        if len(points) < PIPPENGER_THRESHOLD:
            return loop_msm(self, points, scalars)
        return _pippenger(points, scalars)


def _pippenger(points, scalars, c: int | None = None):
    """Σ k_i·P_i by buckets: per c-bit window, bucket sums B_d, then bit planes (SPEC §2.3).

    Within a window, Σ_d d·B_d = Σ_b 2^b·X_b with X_b the sum of the buckets whose digit has
    bit b set; all bit planes of all windows are then joined by one Horner pass of doublings.
    """
    c = c or _window_bits(len(points))
    mask = (1 << c) - 1
    planes = []  # planes[j] = X for bit position j of the scalars, j ascending
    for shift in range(0, 256, c):
        buckets = [[] for _ in range(mask + 1)]
        for p, k in zip(points, scalars):
            d = (k >> shift) & mask
            if d:
                buckets[d].append(p)
        sums = [_combine(b) for b in buckets]
        for bit in range(min(c, 256 - shift)):
            flag = 1 << bit
            planes.append(_combine([s for d, s in enumerate(sums) if d & flag and s is not None]))
    return _horner_doubling(planes)


def _horner_doubling(planes):
    """Σ_j 2^j·planes[j]: acc ← 2·acc + X_j from the top bit down, one combine a step."""
    acc = None
    for x in reversed(planes):
        terms = [t for t in (acc, acc, x) if t is not None]
        acc = _combine(terms)
    return acc
