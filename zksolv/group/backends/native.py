"""The native backend: zksolv's own C kernel for public arithmetic (SPEC.md §2.3).

`native.c` (built at install time when a C compiler is present, loaded here with ctypes)
does variable-time additions, multi-scalar multiplication and vector folding on points held
as 64 bytes x ‖ y: `msm` and `fold` are for public data only. The prover's secrets go
through the constant-time paths of `native_ct.h` instead: `msm_secret` (S) and
`bits_commit_secret` (A). Multiplications by a single secret scalar (blindings, values,
nonces) stay on libsecp256k1's constant-time path through coincurve.
"""

import ctypes
import importlib.util

from zksolv.errors import EncodingError
from zksolv.group import curve
from zksolv.group.backends.base import loop_msm
from zksolv.group.backends.coincurve import CoincurveBackend

SMALL_MSM = 12
"""Up to this many terms a loop of multiplications beats the bucket method (bench/msm.py)."""

# GLV (Gallant–Lambert–Vanstone 2001) for secp256k1: λ·(x, y) = (β·x, y), and a reduced
# basis (a1, b1), (a2, b2) of the lattice {(i, j) : i + j·λ ≡ 0 mod n}. β is in native.c.
LAMBDA = 0x5363AD4CC05C30E0A5261C028812645A122E22EA20816678DF02967C1B23BD72
_A1, _B1 = 0x3086D221A7D46BCDE86C90E49284EB15, -0xE4437ED6010E88286F547FA90ABFE4C3
_A2, _B2 = 0x114CA50F7A8E2F3F657C1108D9D44CFD8, 0x3086D221A7D46BCDE86C90E49284EB15


def glv_split(k: int) -> tuple[int, int]:
    """(k1, k2) with k ≡ k1 + k2·λ (mod n) and |k1|, |k2| about √n, by Babai rounding."""
    c1 = (_B2 * k + curve.N // 2) // curve.N
    c2 = (-_B1 * k + curve.N // 2) // curve.N
    return k - c1 * _A1 - c2 * _A2, -c1 * _B1 - c2 * _B2


def glv_halves(factors) -> tuple[bytes, bytes]:
    """The factors' GLV halves as the kernel's folds take them (zk_fold_terms and its
    siblings): |k1| ‖ |k2| as 32 bytes big-endian each, factor after factor, and their signs
    (1 for negative), one byte a half."""
    halves, negs = [], []
    for k in factors:
        k1, k2 = glv_split(k)
        halves += [abs(k1).to_bytes(32, "big"), abs(k2).to_bytes(32, "big")]
        negs += [k1 < 0, k2 < 0]
    return b"".join(halves), bytes(negs)


def _load() -> ctypes.CDLL:
    spec = importlib.util.find_spec("zksolv.group.backends._native")
    if spec is None or not spec.origin:
        raise ImportError("zksolv's C kernel was not built (no C compiler at install time)")
    lib = ctypes.CDLL(spec.origin)
    buf, size, addr = ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p
    signatures = {
        "zk_fe_op": [ctypes.c_int, buf, buf, buf],
        "zk_fe_inv_var": [buf, size, buf],   # native_modinv.h's inversion, for the tests
        "zk_lift_x": [buf, ctypes.c_int, buf],
        "zk_sum": [buf, size, buf],
        "zk_msm": [buf, buf, size, buf],
        "zk_glv_split": [buf, buf],   # the MSM lanes' GLV split (native_glv.h), for the tests
        # the argument's first rounds over kept window tables (native_msm_kept.h)
        "zk_msm_kept_bytes": [size],
        "zk_msm_kept_tables": [buf, size, addr],
        "zk_msm_kept": [addr, size, buf, buf],
        "zk_fold": [buf, buf, size, buf, ctypes.c_int, buf, ctypes.c_int, buf, buf],
        # several inner-product rounds' folds at once, and their MSM scalars (native_fold2.h)
        "zk_fold_terms": [buf, size, ctypes.c_int, buf, buf, buf, buf],
        "zk_fold_terms_kept": [buf, size, ctypes.c_int, buf, buf, addr, size, buf, buf],
        # G's and H's folds of a round pair in one batch (native_fold_affine.h)
        "zk_fold_terms_pair": [buf, buf, size, ctypes.c_int, buf, buf, addr, size, addr, size,
                               buf, buf],
        "zk_fold_affine_min": [ctypes.c_int],
        "zk_sc_scale": [buf, size, buf, buf],
        "zk_simd": [ctypes.c_int],
        "zk_fe8_op": [ctypes.c_int, buf, buf, buf],
        "zk_fe_lanes_op": [ctypes.c_int, ctypes.c_int, ctypes.c_uint, buf, buf, buf],
        "zk_map_to_curve": [buf, buf, size, buf, buf],
        "zk_msm_secret": [buf, buf, size, buf],
        "zk_bits_commit_secret": [buf, buf, buf, buf, buf, size, size, buf],
        "zk_fe_ct_op": [ctypes.c_int, buf, buf, buf],
        "zk_sc_op": [ctypes.c_int, buf, buf, buf],
        "zk_sc_batch_inv": [buf, size, buf],
        "zk_sc_powers": [buf, size, buf],
        "zk_sc_inner": [buf, buf, size, buf],
        "zk_rp_coeffs": [buf, size, size, size, size, buf],
        "zk_rp_export": [buf, size, size, buf],
        # the margin audit's decoding and derived points (native_margin.h)
        "zk_decode_many": [buf, size, buf],
        "zk_margin_eval": [buf, size, size, buf, size, buf, size, buf, buf, buf, size, buf, buf],
        "zk_sum_pairs": [buf, size, size, buf, buf],
        # the range prover's constant-time scalar work (native_prove.h); vectors by address
        "zk_pv_load": [buf, size, addr],
        "zk_pv_load_wide": [buf, size, addr],
        "zk_pv_store": [addr, size, addr],
        "zk_pv_powers": [buf, size, addr],
        "zk_pv_inner": [addr, addr, size, buf],
        "zk_pv_eval": [addr, addr, buf, size, addr],
        "zk_pv_poly": [buf, size, size, addr, addr, buf, addr, addr, addr, buf],
        "zk_pv_ipa_round": [addr, addr, size, addr, buf, buf, buf, buf, buf],
        "zk_pv_ipa_fold": [addr, addr, size, buf, buf],
        "zk_pv_nonces": [buf, size, ctypes.c_uint64, size, addr],
        "zk_ct_tables_bytes": [size],
        "zk_ct_tables": [buf, size, addr],
        "zk_msm_secret_tabled": [addr, buf, size, buf],
        "zk_msm_secret_tabled_lanes": [addr, buf, size, buf, ctypes.c_int],
        "zk_ct_lane_digits": [ctypes.c_int, buf, size, addr],
        "zk_ct_lane_tables": [ctypes.c_int, addr, size, addr],
        "zk_comb_tables": [buf, addr],
        "zk_pairs_secret_comb": [addr, buf, size, buf, ctypes.c_int],
        "zk_bits_commit_tabled": [addr, buf, buf, size, size, buf, ctypes.c_int],
        "zk_pv_nonces_lanes": [buf, size, ctypes.c_uint64, size, addr, ctypes.c_int],
        # the same vectors on a chosen lane set (native_ctsc8.h), for the tests
        "zk_pv_inner_lanes": [addr, addr, size, buf, ctypes.c_int],
        "zk_pv_eval_lanes": [addr, addr, buf, size, addr, ctypes.c_int],
        "zk_pv_poly_lanes": [buf, size, size, addr, addr, buf, addr, addr, addr, buf,
                             ctypes.c_int],
        "zk_pv_ipa_round_lanes": [addr, addr, size, addr, buf, buf, buf, buf, buf,
                                  ctypes.c_int],
        "zk_pv_ipa_fold_lanes": [addr, addr, size, buf, buf, ctypes.c_int],
        "zk_pv_load_wide_lanes": [buf, size, addr, ctypes.c_int],
        "zk_pv_store_lanes": [addr, size, addr, ctypes.c_int],
        "zk_pv_powers_lanes": [buf, size, addr, ctypes.c_int],
    }
    for name, args in signatures.items():
        getattr(lib, name).argtypes = args
        getattr(lib, name).restype = ctypes.c_int
    lib.zk_ct_tables_bytes.restype = size
    lib.zk_msm_kept_bytes.restype = size
    lib.zk_comb_tables_bytes.restype = size
    lib.zk_decode_many.restype = size
    return lib


_lib = _load()


def _checked(status: int) -> int:
    if status < 0:
        raise MemoryError("zksolv's C kernel could not allocate memory")
    return status


def _result(status: int, out) -> bytes | None:
    return out.raw if _checked(status) else None


def _scalar_bytes(k: int) -> bytes:
    return k.to_bytes(32, "big")


_field_bytes = _scalar_bytes


def _flagged(count: int, call) -> list:
    """Run a kernel call that writes `count` points and a flag each; None where flagged 0."""
    out = ctypes.create_string_buffer(64 * count)
    ok = ctypes.create_string_buffer(count)
    _checked(call(out, ok))
    data, flags = out.raw, ok.raw
    return [data[64 * i:64 * i + 64] if flags[i] else None for i in range(count)]


class NativeBackend:
    """secp256k1 on zksolv's C kernel, with libsecp256k1 for secret multiplications."""

    name = "native"

    def __init__(self):
        self._ct = CoincurveBackend()

    def from_affine(self, x, y):
        return x.to_bytes(32, "big") + y.to_bytes(32, "big")

    def to_affine(self, a):
        return int.from_bytes(a[:32], "big"), int.from_bytes(a[32:], "big")

    def decode(self, data):
        data = bytes(data)
        out = ctypes.create_string_buffer(64)
        if (len(data) != curve.POINT_BYTES or data[0] not in (2, 3)
                or int.from_bytes(data[1:], "big") >= curve.P
                or not _lib.zk_lift_x(data[1:], data[0] & 1, out)):
            curve.decompress(data)  # raises the precise EncodingError
            raise EncodingError("point is not on secp256k1")
        return out.raw

    def encode(self, a):
        return bytes([2 | (a[63] & 1)]) + a[:32]

    def add(self, a, b):
        return self.sum([a, b])

    def neg(self, a):
        return a[:32] + (curve.P - int.from_bytes(a[32:], "big")).to_bytes(32, "big")

    def mul(self, a, k):
        return self._ct.xy(self._ct.mul(self._ct.from_xy(a), k))

    def mul_base(self, k):
        return self._ct.xy(self._ct.mul_base(k))

    def sum(self, points):
        out = ctypes.create_string_buffer(64)
        return _result(_lib.zk_sum(b"".join(points), len(points), out), out)

    def msm(self, points, scalars):
        if len(points) <= SMALL_MSM:
            return loop_msm(self, points, scalars)
        out = ctypes.create_string_buffer(64)
        packed = b"".join([k.to_bytes(32, "big") for k in scalars])
        return _result(_lib.zk_msm(b"".join(points), packed, len(points), out), out)

    def msm_packed(self, points: bytes, scalars: bytes, count: int):
        """Σ k_i·P_i for `count` points already joined (64 bytes each) and scalars already
        packed (32 bytes big-endian each, < n; zero allowed): the range-proof verifier's MSM."""
        out = ctypes.create_string_buffer(64)
        return _result(_lib.zk_msm(points, scalars, count, out), out)

    def msm_secret(self, points, scalars):
        """Σ k_i·P_i, constant-time in the scalars (in [0, n), zero allowed)."""
        out = ctypes.create_string_buffer(64)
        packed = b"".join([_scalar_bytes(k) for k in scalars])
        return _result(_lib.zk_msm_secret(b"".join(points), packed, len(points), out), out)

    def bits_commit_secret(self, base, blinding, G, H, values, n):
        """α·B + <a_L, G> + <a_R, H>, a_L the bits of the values, constant-time in α and them."""
        out = ctypes.create_string_buffer(64)
        packed = b"".join([v.to_bytes(n // 8, "little") for v in values])
        return _result(_lib.zk_bits_commit_secret(
            base, _scalar_bytes(blinding), b"".join(G), b"".join(H), packed, n, len(values),
            out), out)

    def map_to_curve_pairs(self, pairs, constants: bytes):
        """[map_to_curve(u0) + map_to_curve(u1)] for field-element pairs (SPEC.md §2.4),
        with the suite's constants as h2c packs them; None for the identity."""
        return _flagged(len(pairs), lambda out, ok: _lib.zk_map_to_curve(
            constants, b"".join(_field_bytes(u0) + _field_bytes(u1) for u0, u1 in pairs),
            len(pairs), out, ok))

    def fold(self, lo, hi, k):
        """[lo_i + k·hi_i] for public points and a public scalar 1 ≤ k < n."""
        k1, k2 = glv_split(k)
        return _flagged(len(lo), lambda out, ok: _lib.zk_fold(
            b"".join(lo), b"".join(hi), len(lo), _scalar_bytes(abs(k1)), k1 < 0,
            _scalar_bytes(abs(k2)), k2 < 0, out, ok))
