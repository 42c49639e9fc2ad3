"""Pedersen commitments and generator derivation (SPEC.md §3)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zksolv.commitments import GENERATORS_DST, commit, commit_many, generators
from zksolv.group import N, Point, base_mul, hash_to_curve

values = st.integers(min_value=0, max_value=2**64 - 1)
blinds = st.integers(min_value=1, max_value=N - 1)


def test_generators_are_the_documented_hash_to_curve_outputs(backend):
    gens = generators(backend)
    assert gens.H == hash_to_curve(b"zksolv/pedersen/H", GENERATORS_DST, backend)
    assert gens.U == hash_to_curve(b"zksolv/bulletproofs/U", GENERATORS_DST, backend)
    G, H = gens.vectors(3)
    assert G[2] == hash_to_curve(b"zksolv/bulletproofs/G\x00\x00\x00\x02", GENERATORS_DST, backend)
    assert H[0] == hash_to_curve(b"zksolv/bulletproofs/H\x00\x00\x00\x00", GENERATORS_DST, backend)


def test_generators_are_distinct_and_not_g():
    gens = generators()
    G, H = gens.vectors(32)
    points = [gens.H, gens.U, Point.generator()] + G + H
    assert len({p.to_bytes() for p in points}) == len(points)


def test_backends_derive_the_same_generators(fast_backend, reference):
    a, b = generators(fast_backend), generators(reference)
    assert a.H.to_bytes() == b.H.to_bytes()
    assert [p.to_bytes() for p in a.vectors(2)[1]] == [p.to_bytes() for p in b.vectors(2)[1]]


@given(values, values, blinds, blinds)
def test_homomorphic(v1, v2, r1, r2):
    assert commit(v1, r1) + commit(v2, r2) == commit(v1 + v2, (r1 + r2) % N)
    assert commit(v1, r1) - commit(v2, r2) == commit(v1 - v2, (r1 - r2) % N)
    assert commit(v1, r1) * 3 == commit(3 * v1, 3 * r1 % N)


def test_commit_is_v_g_plus_r_h(fast_backend, reference):
    v, r = 123456789, 987654321
    got = commit(v, r, fast_backend)
    want = base_mul(v, reference) + generators(reference).H * r
    assert got.to_bytes() == want.to_bytes()


EDGES = [0, 1, 2, N - 1, N - 2, 2**64 - 1, 2**255 % N, -1, N + 5]


@pytest.mark.parametrize("v", EDGES)
@pytest.mark.parametrize("r", [0, 1, N - 1, 0x5DEECE66D * 2**190 % N])
def test_commit_at_the_edges_is_the_references(fast_backend, reference, v, r):
    """Every backend's commitment (the kernel's over kept tables included) against py_ecc,
    values and blindings taken modulo n, zeros giving the identity."""
    got = commit(v, r, fast_backend)
    want = base_mul(v % N, reference) + generators(reference).H * (r % N)
    assert got.is_identity == want.is_identity == (v % N == r % N == 0)
    assert got.is_identity or got.to_bytes() == want.to_bytes()


def test_many_commitments_in_one_call_are_the_references(fast_backend, reference):
    """commit_many over every pair of edges (more than one batch of eight lanes, a partial
    last batch, identities among them) against py_ecc, pair by pair."""
    pairs = [(v, r) for v in EDGES for r in (0, 1, N - 1, 7)]
    got = commit_many([v for v, _ in pairs], [r for _, r in pairs], fast_backend)
    assert len(got) == len(pairs)
    for point, (v, r) in zip(got, pairs):
        want = base_mul(v % N, reference) + generators(reference).H * (r % N)
        assert point.is_identity == want.is_identity
        assert point.is_identity or point.to_bytes() == want.to_bytes()


def test_hiding_different_blindings_differ():
    assert commit(5, 1) != commit(5, 2)
    assert commit(5, 1) != commit(6, 1)


@pytest.mark.parametrize("name,variable_time", [
    ("native", ("msm", "sum", "add", "mul_base")),   # the kernel's public-data paths
    ("coincurve", ("msm",)),                         # its bucket MSM; sum/add are libsecp256k1's
])
def test_commit_takes_only_the_constant_time_path(name, variable_time, monkeypatch):
    """A balance and its blinding never meet a variable-time operation (SPEC.md §2.3): with
    every variable-time entry point of the backend made to fail, commitments still compute."""
    from zksolv.commitments import commit, generators
    from zksolv.group import backends as backend_registry

    if name not in backend_registry.available():
        pytest.fail(f"backend {name} is not built")  # the suite checks the kernel is built
    be = backend_registry.get(name)
    generators(be)  # derive the generators first (public work, allowed to be variable-time)
    expected = {v: commit(v, 7, be) for v in (0, 1, 2**64 - 1)}

    def refuse(*args, **kwargs):
        raise AssertionError("a secret reached a variable-time path")

    for method in variable_time:
        monkeypatch.setattr(type(be), method, refuse)
    for v, c in expected.items():
        assert commit(v, 7, be) == c
