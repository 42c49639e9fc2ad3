"""The verifier's coefficient work in the kernel (native_verify.h) against the Python path:
the same generator coefficients, the same MSM, the same verdicts on valid and mutated
proofs, and every refusal of the kernel entry (SPEC.md §5.5)."""

import ctypes
import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zksolv.commitments import generators
from zksolv.errors import EncodingError, InvalidProof
from zksolv.group import N, Point, backends, base_mul
from zksolv.group.backends import native
from zksolv.rangeproof import Statement, batch_verify, prove
from zksolv.rangeproof import prover as prover_module
from zksolv.rangeproof.coefficients import KernelVectors, ProofVectorTerms, PythonVectors
from zksolv.rangeproof.scalars import powers, random_scalar
from zksolv.transcript import Transcript

NATIVE = backends.get("native")
scalars = st.one_of(st.sampled_from([0, 1, 2, N - 1, N - 2, 2**128, 2**255]), st.integers(0, N - 1))
nonzero = st.one_of(st.sampled_from([1, N - 1, 2]), st.integers(1, N - 1))


@st.composite
def terms(draw):
    """One proof's terms with arbitrary scalars: the arithmetic needs no real proof."""
    n = draw(st.sampled_from([8, 16, 32, 64, 128]))
    m = draw(st.sampled_from([1, 2, 4]))
    k = (n * m).bit_length() - 1
    u = draw(st.lists(nonzero, min_size=k, max_size=k))
    z = draw(scalars)
    return ProofVectorTerms(n, m, draw(scalars), powers(z, m + 3), u, [pow(x, -1, N) for x in u],
                            draw(scalars), draw(scalars), draw(scalars))


@settings(max_examples=60, deadline=None)
@given(batch=st.lists(terms(), min_size=1, max_size=3))
def test_kernel_coefficients_equal_pythons(batch):
    """Every g_i and h_i, over proofs of mixed sizes (the kernel's buffer grows between them)."""
    kernel, python = KernelVectors(NATIVE), PythonVectors()
    for t in batch:
        kernel.add(t)
        python.add(t)
    assert kernel.values() == python.values()


@settings(max_examples=10, deadline=None)
@given(batch=st.lists(terms(), min_size=1, max_size=2), extra=st.lists(scalars, min_size=3, max_size=3))
def test_kernel_msm_equals_pythons(batch, extra):
    gens = generators(NATIVE)
    points = [Point.generator(NATIVE), gens.H, gens.U]
    kernel, python = KernelVectors(NATIVE), PythonVectors()
    for t in batch:
        kernel.add(t)
        python.add(t)
    assert kernel.msm(gens, points, extra) == python.msm(gens, points, extra)


def _transcript(context=b"kernel") -> Transcript:
    t = Transcript(b"zksolv/test")
    t.append(b"context", context)
    return t


def _proofs():
    out = []
    for n, values in ((8, [3]), (8, [0, 255]), (16, [1, 2, 3, 4]), (64, [2**64 - 1, 5])):
        proof, V = prove(_transcript(), values, [random_scalar() for _ in values], n)
        out.append((proof, V, n))
    return out


POOL = _proofs()
SCALAR_FIELDS = ["t_x", "t_x_blinding", "e_blinding", "a", "b"]
POINT_FIELDS = ["A", "S", "T1", "T2"]


def _mutate(proof, V, n, kind, index, delta):
    """(proof, V, n, context) changed in one place; kind "none" changes nothing."""
    context = b"kernel"
    if kind in SCALAR_FIELDS:
        proof = dataclasses.replace(proof, **{kind: (getattr(proof, kind) + delta) % N})
    elif kind in POINT_FIELDS:
        proof = dataclasses.replace(proof, **{kind: getattr(proof, kind) + base_mul(delta)})
    elif kind in ("L", "R"):
        pts = list(getattr(proof, kind))
        pts[index % len(pts)] = pts[index % len(pts)] + base_mul(delta)
        proof = dataclasses.replace(proof, **{kind: tuple(pts)})
    elif kind == "V":
        V = list(V)
        V[index % len(V)] = V[index % len(V)] + base_mul(delta)
    elif kind == "context":
        context = b"another"
    return proof, V, n, context


def _verdict(items, use_kernel, backend=None) -> bool:
    try:
        batch_verify([Statement(_transcript(c), p, V, n) for p, V, n, c in items], backend, use_kernel)
        return True
    except InvalidProof:
        return False


@settings(max_examples=40, deadline=None)
@given(picks=st.lists(st.tuples(st.integers(0, len(POOL) - 1),
                                st.sampled_from(["none"] * 4 + SCALAR_FIELDS + POINT_FIELDS + ["L", "R", "V", "context"]),
                                st.integers(0, 10), st.integers(1, 2**64)), min_size=1, max_size=3))
def test_same_verdicts_on_valid_and_mutated_proofs(picks):
    items = [_mutate(*POOL[i], kind, index, delta) for i, kind, index, delta in picks]
    honest = all(kind == "none" for _, kind, _, _ in picks)
    assert _verdict(items, True) == _verdict(items, False) == honest


def test_python_path_on_another_backend_agrees():
    """The coincurve backend takes the Python path; its verdicts are the kernel's."""
    cc = backends.get("coincurve")
    for proof, V, n in POOL:
        moved = ([Point.from_bytes(v.to_bytes(), cc) for v in V])
        decoded = type(proof).from_bytes(proof.to_bytes(), cc)
        assert _verdict([(decoded, moved, n, b"kernel")], True, cc)
        bad = dataclasses.replace(decoded, a=(decoded.a + 1) % N)
        assert not _verdict([(bad, moved, n, b"kernel")], True, cc)


@pytest.mark.parametrize("use_kernel", [True, False])
class TestSoundnessOnBothPaths:
    """The attacks of DESIGN §8.2 and §8.5, rejected by each path."""

    def test_out_of_range_value(self, use_kernel):
        values = [1 << 8, 3]
        proof, V = prover_module._prove(_transcript(), values, [random_scalar() for _ in values], 8,
                                        generators(), random_scalar)
        assert not _verdict([(proof, V, 8, b"kernel")], use_kernel)

    def test_cancelling_pair(self, use_kernel):
        proof, V, n = POOL[2]
        up = dataclasses.replace(proof, a=(proof.a + 1) % N)
        down = dataclasses.replace(proof, a=(proof.a - 1) % N)
        assert not _verdict([(up, V, n, b"kernel"), (down, V, n, b"kernel")], use_kernel)

    @pytest.mark.parametrize("field", POINT_FIELDS + ["L", "R"])
    def test_identity_point_inside_a_proof(self, use_kernel, field):
        """No encoding gives the identity, but a proof built in memory can hold one: the
        transcript refuses to absorb it (EncodingError) before any coefficient is computed."""
        proof, V, n = POOL[1]
        identity = Point.identity(proof.A.backend)
        value = (identity,) + getattr(proof, field)[1:] if field in ("L", "R") else identity
        bad = dataclasses.replace(proof, **{field: value})
        with pytest.raises((InvalidProof, EncodingError)):
            batch_verify([Statement(_transcript(), bad, V, n)], None, use_kernel)

    def test_honest_batch(self, use_kernel):
        assert _verdict([(p, V, n, b"kernel") for p, V, n in POOL], use_kernel)


# ---- the kernel entry's own refusals (native_verify.h) --------------------------------

def _call(cap, n, m, k, values, room=None):
    """zk_rp_coeffs on a fresh accumulator of `room` entries (default: cap), which may be
    larger than the `cap` announced, so a missing refusal shows as a 1, not a crash."""
    acc = ctypes.create_string_buffer(64 * (room or cap))
    packed = b"".join(v.to_bytes(32, "big") for v in values)
    return native._lib.zk_rp_coeffs(acc, cap, n, m, k, packed), acc


def _good(n=8, m=2, k=4):
    return [5 + i for i in range(5 + k + m)]


def test_entry_accepts_a_consistent_call():
    status, acc = _call(16, 8, 2, 4, _good())
    assert status == 1 and any(acc.raw)


@pytest.mark.parametrize("cap, n, m, k, why", [
    (16, 8, 2, 3, "n·m ≠ 2^k"),
    (16, 8, 1, 4, "n·m ≠ 2^k"),
    (8, 8, 2, 4, "n·m > cap"),
])
def test_entry_refuses_inconsistent_sizes(cap, n, m, k, why):
    status, acc = _call(cap, n, m, k, _good(n, m, k) + [0] * 64, room=64)
    assert status == 0, why
    assert not any(acc.raw), "refused calls leave the accumulator untouched"


def test_entry_refuses_too_many_rounds():
    """k = 40 with n·m = 2^k and a capacity claimed to match: refused for k alone (without
    that check the kernel would try to allocate 2^40 scalars and report no memory)."""
    status, acc = _call(1 << 40, 1 << 20, 1 << 20, 40, [5] * 64, room=16)
    assert status == 0 and not any(acc.raw)


def test_entry_refuses_sizes_whose_product_wraps():
    """n·m ≡ 2^k modulo 2^64 with n, m themselves huge: refused before any use of m."""
    k, n = 4, (1 << 32) + 1
    m = (1 << k) * pow(n, -1, 1 << 64) % (1 << 64)
    assert n * m % (1 << 64) == 1 << k
    status, acc = _call(16, n, m, k, _good(8, 2, 4))
    assert status == 0 and not any(acc.raw)


@pytest.mark.parametrize("at", [0, 4, 5, 10])
def test_entry_refuses_unreduced_scalars(at):
    values = _good()
    values[at] = N + at
    status, acc = _call(16, 8, 2, 4, values)
    assert status == 0 and not any(acc.raw)


def test_export_refuses_more_than_the_capacity():
    acc = ctypes.create_string_buffer(64 * 4)
    out = ctypes.create_string_buffer(64 * 8)
    assert native._lib.zk_rp_export(acc, 4, 4, out) == 1
    assert native._lib.zk_rp_export(acc, 4, 8, out) == 0


def test_a_refused_call_is_an_error_not_a_silent_skip():
    """If the kernel refuses a proof's terms, the batch must not go on without them."""
    u = [3, 5, 7]   # 3 rounds for n·m = 16: inconsistent, the kernel refuses
    bad = ProofVectorTerms(8, 2, 1, powers(2, 5), u, [pow(x, -1, N) for x in u], 1, 1, 1)
    with pytest.raises(RuntimeError, match="a bug"):
        KernelVectors(NATIVE).add(bad)



def test_kernel_msm_refuses_a_point_of_another_backend():
    """The kernel reads raw point bytes: a point held by another backend (another raw form)
    would be read as garbage, so it is refused as Point arithmetic refuses it."""
    gens = generators(NATIVE)
    kernel = KernelVectors(NATIVE)
    kernel.add(ProofVectorTerms(8, 1, 1, powers(3, 4), [5, 7, 11], [pow(x, -1, N) for x in (5, 7, 11)], 2, 3, 4))
    other = Point.generator(backends.get("coincurve"))
    with pytest.raises(TypeError, match="different backends"):
        kernel.msm(gens, [Point.generator(NATIVE), other], [1, 1])
