"""The variable-time field inversion of native_modinv.h (Bernstein–Yang divsteps, for the
affine fold ladders' public denominators, SPEC.md §2.3) against Python's pow(x, -1, p):
edge values, inputs of p or more (the kernel's loose elements, below 2^256), zero (→ 0, as
fe_inv gives), values whose divsteps run long without a swap, and random values."""

import ctypes
import random

from zksolv.group.backends import native

LIB = native._lib
P = 2**256 - 2**32 - 977


def _inv_var(xs: list[int]) -> list[int]:
    raw = b"".join(x.to_bytes(32, "big") for x in xs)
    out = ctypes.create_string_buffer(32 * len(xs))
    assert LIB.zk_fe_inv_var(raw, len(xs), out) == 0
    return [int.from_bytes(out.raw[32 * i:32 * i + 32], "big") for i in range(len(xs))]


def _want(x: int) -> int:
    return pow(x, -1, P) if x % P else 0


def test_edge_values():
    xs = [1, 2, 3, P - 1, P - 2, 2**255, 2**255 - 1, 2**128, 2**62, 2**62 - 1, 2**64 + 1,
          (P - 1) // 2, (P + 1) // 2, 0x1000003D1, 2**32 + 977, 7, 2**248, 2**248 - 1]
    xs += [2**k for k in range(256)] + [P - 2**k for k in range(256)]
    assert _inv_var(xs) == [_want(x) for x in xs]


def test_zero_and_inputs_of_p_or_more():
    xs = [0, P, P + 1, P + 2, 2**256 - 1, 2**256 - 2, P + 2**31]
    assert _inv_var(xs) == [_want(x) for x in xs]


def test_long_runs_of_equal_divsteps():
    """Inputs whose divsteps stay on one branch for long: g with many trailing zeros (all
    g-even steps), and g ≡ −f's inverse patterns (x = 2^k·odd, (2^k − 1), alternating bits)."""
    xs = [2**k * 3 for k in range(250)] + [2**k - 1 for k in range(2, 256)]
    xs += [int("10" * 128, 2), int("01" * 128, 2), int("110" * 85, 2), P >> 1, P >> 62,
           P - (P >> 128), (1 << 255) | 1, 2**200 * (2**55 - 1)]
    assert _inv_var(xs) == [_want(x) for x in xs]


def test_random_values():
    rng = random.Random(20261205)
    xs = [rng.randrange(1, P) for _ in range(5000)]
    xs += [rng.randrange(P, 2**256) for _ in range(200)]
    xs += [rng.getrandbits(rng.randrange(1, 257)) for _ in range(2000)]
    assert _inv_var(xs) == [_want(x) for x in xs]
