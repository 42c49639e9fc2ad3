"""The kernel's scalars modulo n (native_scalar.h) against Python's integers (SPEC.md §2.1)."""

import ctypes

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zksolv.group import N
from zksolv.group.backends import native

EDGES = [0, 1, 2, 3, N - 1, N - 2, N // 2, N // 2 + 1, 2**64 - 1, 2**64, 2**128 - 1, 2**128,
         2**192, 2**255, 2**256 - N, (1 << 256) % N, N - (1 << 256) % N]
scalars = st.one_of(st.sampled_from(EDGES), st.integers(0, N - 1))
OPS = {"add": (0, lambda a, b: (a + b) % N), "sub": (1, lambda a, b: (a - b) % N),
       "mul": (2, lambda a, b: a * b % N), "neg": (3, lambda a, b: -a % N),
       "inv": (4, lambda a, b: pow(a, -1, N) if a else 0)}


def _be(values) -> bytes:
    return b"".join(v.to_bytes(32, "big") for v in values)


def _ints(data: bytes) -> list[int]:
    return [int.from_bytes(data[i:i + 32], "big") for i in range(0, len(data), 32)]


def _op(op: int, a: int, b: int = 0) -> tuple[int, int]:
    out = ctypes.create_string_buffer(32)
    ok = native._lib.zk_sc_op(op, a.to_bytes(32, "big"), b.to_bytes(32, "big"), out)
    return ok, int.from_bytes(out.raw, "big")


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=300)
@given(a=scalars, b=scalars)
def test_matches_python_integers(name, a, b):
    op, reference = OPS[name]
    assert _op(op, a, b) == (1, reference(a, b))


@settings(max_examples=60)
@given(a=scalars, e=st.one_of(st.sampled_from([0, 1, 2, N - 2, N - 1, 2**256 - 1]), st.integers(0, 2**256 - 1)))
def test_pow_matches_python(a, e):
    assert _op(5, a, e) == (1, pow(a, e, N))


@pytest.mark.parametrize("bad", [N, N + 1, 2**256 - 1])
@pytest.mark.parametrize("op", [0, 2, 3])
def test_refuses_unreduced_operands(op, bad):
    """sc_from_be rejects any value ≥ n, in either operand: no silent reduction."""
    assert _op(op, bad, 1)[0] == 0
    if op != 3:
        assert _op(op, 1, bad)[0] == 0


@settings(max_examples=60)
@given(xs=st.lists(st.integers(1, N - 1), min_size=1, max_size=40))
def test_batch_inverse(xs):
    out = ctypes.create_string_buffer(32 * len(xs))
    assert native._lib.zk_sc_batch_inv(_be(xs), len(xs), out) == 1
    assert _ints(out.raw) == [pow(x, -1, N) for x in xs]


@pytest.mark.parametrize("at", [0, 3, 7])
def test_batch_inverse_refuses_zero(at):
    xs = [5, 6, 7, 8, 9, 10, 11, 12]
    xs[at] = 0
    out = ctypes.create_string_buffer(32 * len(xs))
    assert native._lib.zk_sc_batch_inv(_be(xs), len(xs), out) == 0


@settings(max_examples=40)
@given(base=scalars, count=st.integers(0, 70))
def test_powers(base, count):
    out = ctypes.create_string_buffer(32 * max(count, 1))
    assert native._lib.zk_sc_powers(base.to_bytes(32, "big"), count, out) == 1
    assert _ints(out.raw[:32 * count]) == [pow(base, i, N) for i in range(count)]


@settings(max_examples=40)
@given(pairs=st.lists(st.tuples(scalars, scalars), max_size=40))
def test_inner_product(pairs):
    a, b = [x for x, _ in pairs], [y for _, y in pairs]
    out = ctypes.create_string_buffer(32)
    assert native._lib.zk_sc_inner(_be(a), _be(b), len(pairs), out) == 1
    assert int.from_bytes(out.raw, "big") == sum(x * y for x, y in pairs) % N


def test_vector_entries_refuse_unreduced_inputs():
    out = ctypes.create_string_buffer(64)
    assert native._lib.zk_sc_batch_inv(_be([1, N]), 2, out) == 0
    assert native._lib.zk_sc_powers(N.to_bytes(32, "big"), 2, out) == 0
    assert native._lib.zk_sc_inner(_be([1, 2]), _be([N, 1]), 2, out) == 0


# ---- zk_msm runs only the windows its widest scalar needs ---------------------------------

@pytest.fixture(params=["simd", "scalar"])
def lane_path(request):
    native._lib.zk_simd(1 if request.param == "simd" else 0)
    yield request.param
    native._lib.zk_simd(1)


@pytest.mark.parametrize("size", [13, 40])
@pytest.mark.parametrize("bits", [1, 2, 7, 8, 9, 31, 32, 33, 64, 65, 127, 200, 255, 256])
def test_msm_of_narrow_scalars_matches_the_reference(lane_path, size, bits):
    """Scalars at and just below 2^bits (every window boundary's carry), against py_ecc."""
    import secrets

    from zksolv.group import backends, base_mul, msm

    be, reference = backends.get("native"), backends.get("py_ecc")
    top = min((1 << bits) - 1, N - 1)
    ks = [top, top - 1 if top > 1 else 0, 0, (1 << (bits - 1))] + [secrets.randbelow(top + 1) for _ in range(size - 4)]
    bases = [1 + secrets.randbelow(N - 1) for _ in range(size)]
    got = msm([base_mul(b, be) for b in bases], ks)
    want = sum(b * k for b, k in zip(bases, ks)) % N
    assert got.affine() == base_mul(want, reference).affine()
