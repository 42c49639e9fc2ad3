"""The eight-lane field arithmetic (native_ifma.h's fe8, native_ct8.h's twins on the portable
and the IFMA words) at the edges of its limb bounds, against Python's integers.

Elements are five limbs of 52 bits, "tight": n_0..n_3 < 2^52, n_4 < 2^48 + 2^11, so values
from 0 up to a little above 2^256 (p, p + 1, 2^256 − 1 have two forms). Inputs here are raw
limbs at those bounds, not reduced first; outputs must be tight and right mod p. a ∓ k·b is
checked for each k the formulas use: summed lazily with one carry on fe8 (fe8_sub_lazy), by
fe_mul_small on the twins.
"""

import ctypes
import random

import pytest

from zksolv.group import curve
from zksolv.group.backends import native

P = curve.P
TOP = 2**48 + 2**11          # n_4's bound (exclusive)
MAX = [2**52 - 1] * 4 + [TOP - 1]
LAZY_K = (1, 2, 3, 8, 21)    # fe8_sub_lazy's k in the formulas; fe_mul_small's 3, 8, 21


def _limbs(x: int) -> list[int]:
    """x < 2^256 in 52-bit limbs (n_4 then below 2^48)."""
    return [(x >> (52 * i)) & (2**52 - 1) for i in range(5)]


def _value(limbs) -> int:
    return sum(v << (52 * i) for i, v in enumerate(limbs))


def _run(lib, lane_set, op, k, a, b):
    """Eight lanes of raw limbs through zk_fe_lanes_op: (status, output limbs per lane)."""
    def pack(elems):
        return b"".join(elems[i][l].to_bytes(8, "little") for l in range(5) for i in range(8))
    out = ctypes.create_string_buffer(320)
    status = lib.zk_fe_lanes_op(lane_set, op, k, pack(a), pack(b), out)
    words = [int.from_bytes(out.raw[8 * j:8 * j + 8], "little") for j in range(40)]
    return status, [[words[8 * l + i] for l in range(5)] for i in range(8)]


@pytest.fixture(scope="module")
def lib():
    return native._lib


def _lane_sets(lib):
    """0 the portable words always; 1 (IFMA words) and 2 (fe8) where the CPU runs them."""
    ran, _ = _run(lib, 1, 0, 1, [[0] * 5] * 8, [[0] * 5] * 8)
    return [0, 1, 2] if ran == 0 else [0]


def _want(op, k, x, y):
    return {0: x + y, 1: x - y, 2: x * y, 3: x * x, 4: x - k * y, 5: x + k * y}[op] % P


def _check(lib, op, k, a, b):
    for lane_set in _lane_sets(lib):
        status, got = _run(lib, lane_set, op, k, a, b)
        assert status == 0
        for x, y, r in zip(a, b, got):
            assert all(v < 2**52 for v in r[:4]) and r[4] < TOP, (lane_set, op, k, x, y, r)
            assert _value(r) % P == _want(op, k, _value(x), _value(y)), (lane_set, op, k, x, y)


EDGES = [[0] * 5, _limbs(1), _limbs(P - 1), _limbs(P), _limbs(P + 1), _limbs(2**256 - 1),
         MAX, [2**52 - 1] * 4 + [0], [0] * 4 + [TOP - 1], _limbs(P)[:4] + [TOP - 1],
         [2**52 - 1, 0, 2**52 - 1, 0, TOP - 1], [0, 2**52 - 1, 0, 2**52 - 1, 0]]
OPS = [(op, 1) for op in range(4)] + [(op, k) for op in (4, 5) for k in LAZY_K]


@pytest.mark.parametrize("op,k", OPS)
def test_every_pair_of_edge_elements(lib, op, k):
    pairs = [(x, y) for x in EDGES for y in EDGES]
    pairs += pairs[:(-len(pairs)) % 8]
    for at in range(0, len(pairs), 8):
        _check(lib, op, k, [x for x, _ in pairs[at:at + 8]], [y for _, y in pairs[at:at + 8]])


def _random_tight(rng):
    """Limbs at random, biased to their bounds (each limb 0, its maximum or anything)."""
    def limb(bound):
        return rng.choice((0, bound - 1, rng.randrange(bound), bound - 1 - rng.randrange(64)))
    return [limb(2**52) for _ in range(4)] + [limb(TOP)]


@pytest.mark.parametrize("op,k", OPS)
def test_ten_thousand_random_tight_inputs(lib, op, k):
    rng = random.Random(f"field-lanes-{op}-{k}")
    for _ in range(10_000 // 8):
        _check(lib, op, k, [_random_tight(rng) for _ in range(8)],
               [_random_tight(rng) for _ in range(8)])


@pytest.mark.parametrize("k", [0, 64])
def test_a_lazy_sum_outside_its_bounds_is_refused(lib, k):
    """k·b summed lazily needs 1 ≤ k < 64 (fe8_sub_lazy's 2^s above k is undefined at k = 0):
    every lane set refuses it (−3) rather than compute it."""
    zero = [[0] * 5] * 8
    for lane_set in (0, 1, 2):
        for op in (4, 5):
            assert _run(lib, lane_set, op, k, zero, zero)[0] == -3
