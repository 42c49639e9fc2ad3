"""The prover's secret paths (SPEC.md §2.3, §5.3): A and S right on every backend, against
py_ecc, and constant-time in the kernel, checked as libsecp256k1 checks itself: secrets
marked undefined under valgrind's memcheck (tests/ctime/ctime.c)."""

import ctypes
import importlib.util
import os
import pathlib
import secrets
import shutil
import struct
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py_ecc.secp256k1 import secp256k1 as ref

from zksolv.group import N, P, Point, bits_commit_secret, msm_secret
from zksolv.group.curve import GX, GY

HARNESS = pathlib.Path(__file__).resolve().parent / "ctime" / "ctime.c"
VALGRIND_ERROR = 97   # valgrind's exit code when memcheck reports an error
EDGE_SCALARS = [0, 1, 2, N - 1, N - 2, (N - 1) // 2, 2**255, 2**128 - 1]


def _random_point(backend) -> Point:
    return Point.generator(backend) * (1 + secrets.randbelow(N - 1))


def _affine(p: Point):
    return None if p.is_identity else p.affine()


def _ref_sum(terms):
    """Σ k·(x, y) over (affine point, scalar) pairs, by py_ecc alone; None for the identity."""
    acc = None
    for xy, k in terms:
        if k % N == 0:
            continue
        q = ref.multiply(xy, k % N)
        acc = q if acc is None else ref.add(acc, q)
    return None if acc is None or acc == (0, 0) else acc


def _neg(xy):
    return (xy[0], P - xy[1])


def _edge_inputs(backend):
    """Points and scalars that reach the exceptional cases: zero, one, n − 1, repeated points,
    P and −P that cancel, and a sum that is exactly the identity."""
    p, q = _random_point(backend), _random_point(backend)
    k = 1 + secrets.randbelow(N - 1)
    cases = [([p], [0]), ([p], [1]), ([p], [N - 1]), ([p, p], [k, N - k]),   # identity
             ([p, -p], [k, k]), ([p, p, p], [1, 1, N - 2]), ([p, q], [N - 1, 1]),
             ([p] * 5 + [q] * 5, EDGE_SCALARS + [k, k]), ([p, q] * 70, [k] * 140)]
    many = [_random_point(backend) for _ in range(300)]   # crosses the kernel's blocks of 128
    cases.append((many, [secrets.choice(EDGE_SCALARS + [secrets.randbelow(N)]) for _ in many]))
    return cases


# Values whose sum or product lands on p, just above or below it, or needs every fold.
NEAR_P = [0, 1, P - 1, P, P + 1, 2**256 - 1, 2**256 - 2, 2**32 + 977, 2**32 + 976, P - 2**52,
          2**255, (P + 1) // 2, (P - 1) // 2, 2**52 - 1, 2**208]


@settings(max_examples=300)
@given(a=st.one_of(st.sampled_from(NEAR_P), st.integers(0, 2**256 - 1)),
       b=st.one_of(st.sampled_from(NEAR_P), st.integers(0, 2**256 - 1)))
def test_constant_time_normalization_matches_python_integers(a, b):
    """The branch-free normalization and zero test, where random points almost never go:
    a value in [p, 2^256) after carrying (probability ≈ 2^−224 from random coordinates)."""
    from zksolv.group.backends import native
    out = ctypes.create_string_buffer(32)
    raw_a, raw_b = a.to_bytes(32, "big"), b.to_bytes(32, "big")
    for op, want in ((0, (a + b) % P), (1, a * b % P)):
        native._lib.zk_fe_ct_op(op, raw_a, raw_b, out)
        assert int.from_bytes(out.raw, "big") == want
    assert native._lib.zk_fe_ct_op(2, raw_a, raw_b, out) == (a % P == b % P)


class TestMsmSecret:
    def test_matches_py_ecc(self, fast_backend):
        for points, scalars in _edge_inputs(fast_backend):
            got = msm_secret(points, scalars)
            assert _affine(got) == _ref_sum([(_affine(p), k) for p, k in zip(points, scalars)])

    def test_identity_points_add_nothing(self, fast_backend):
        p = _random_point(fast_backend)
        assert msm_secret([Point.identity(fast_backend), p], [5, 3]) == p * 3

    def test_refuses_a_length_mismatch(self, fast_backend):
        with pytest.raises(ValueError):
            msm_secret([_random_point(fast_backend)], [1, 2])


def _ref_bits_commit(base, alpha, G, H, values, n):
    """α·B + Σ a_L,i·G_i + Σ (a_L,i − 1)·H_i, straight from SPEC.md §5.3, in py_ecc."""
    bits = [(v >> i) & 1 for v in values for i in range(n)]
    terms = [(_affine(base), alpha)]
    terms += [(_affine(g), a) for g, a in zip(G, bits)]
    terms += [(_neg(_affine(h)), 1 - a) for h, a in zip(H, bits)]   # (a − 1)·H = (1 − a)·(−H)
    return _ref_sum(terms)


@pytest.mark.parametrize("n, m", [(8, 1), (64, 1), (64, 2), (128, 2)])
def test_bits_commit_matches_py_ecc(fast_backend, n, m):
    G = [_random_point(fast_backend) for _ in range(n * m)]
    H = [_random_point(fast_backend) for _ in range(n * m)]
    base = _random_point(fast_backend)
    for values in ([0] * m, [2**n - 1] * m, [secrets.randbelow(2**n) for _ in range(m)],
                   [1 << (n - 1)] + [2**n - 1] * (m - 1)):
        for alpha in (0, 1, N - 1, secrets.randbelow(N)):
            got = bits_commit_secret(base, alpha, G, H, values, n)
            assert _affine(got) == _ref_bits_commit(base, alpha, G, H, values, n)


def test_bits_commit_with_repeated_and_opposite_generators(fast_backend):
    """G_i = H_i, and G_i = −H_i (where a term's G_i + H_i is the identity)."""
    p, q = _random_point(fast_backend), _random_point(fast_backend)
    G, H = [p] * 4 + [q] * 4, [p] * 4 + [-q] * 4
    for value in (0, 0xFF, 0xA5, 0x0F):
        got = bits_commit_secret(p, 3, G, H, [value], 8)
        assert _affine(got) == _ref_bits_commit(p, 3, G, H, [value], 8)


def test_bits_commit_refuses_the_identity(fast_backend):
    G = [Point.identity(fast_backend)] + [_random_point(fast_backend) for _ in range(7)]
    with pytest.raises(ValueError):
        bits_commit_secret(_random_point(fast_backend), 1, G, G, [1], 8)


# ---- constant time, under valgrind ---------------------------------------------------------

def _needed_or_skip(what: str, present: bool):
    """Outside CI a missing valgrind skips; in CI (.ci/run installs it) it fails loudly."""
    if present:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing in CI: .ci/run installs valgrind")
    pytest.skip(f"{what} is not installed (CI installs it)")


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    _needed_or_skip("valgrind", shutil.which("valgrind") is not None)
    _needed_or_skip("<valgrind/memcheck.h>", pathlib.Path("/usr/include/valgrind/memcheck.h").exists())
    exe = tmp_path_factory.mktemp("ctime") / "ctime"
    subprocess.run(["gcc", "-O2", "-Wall", "-o", str(exe), str(HARNESS), "-ldl"],
                   check=True)
    return exe


def _kernel_path() -> str:
    spec = importlib.util.find_spec("zksolv.group.backends._native")
    assert spec is not None and spec.origin, "the kernel must be built for this test"
    return spec.origin


def _point_bytes(xy) -> bytes:
    return xy[0].to_bytes(32, "big") + xy[1].to_bytes(32, "big")


def _ref_point(k: int):
    return ref.multiply((GX, GY), k)


def _harness_input(values, n):
    """msm_secret over 259 terms (two full blocks and a part) with edge and random scalars,
    then A's bits commitment for `values`; returns the input bytes and the expected outputs."""
    pts = [_ref_point(1 + secrets.randbelow(N - 1)) for _ in range(259)]
    pts[1] = pts[0]                                      # a repeated point
    ks = EDGE_SCALARS + [secrets.randbelow(N) for _ in range(259 - len(EDGE_SCALARS))]
    G = [_ref_point(1 + secrets.randbelow(N - 1)) for _ in range(n * len(values))]
    H = [_ref_point(1 + secrets.randbelow(N - 1)) for _ in range(n * len(values))]
    base, alpha = _ref_point(7), secrets.randbelow(N)
    data = struct.pack("<I", len(pts)) + b"".join(map(_point_bytes, pts))
    data += b"".join(k.to_bytes(32, "big") for k in ks)
    data += struct.pack("<II", n, len(values)) + _point_bytes(base) + alpha.to_bytes(32, "big")
    data += b"".join(map(_point_bytes, G + H)) + b"".join(v.to_bytes(n // 8, "little") for v in values)
    bits = [(v >> i) & 1 for v in values for i in range(n)]
    want_a = _ref_sum([(base, alpha)] + [(g, a) for g, a in zip(G, bits)]
                      + [(_neg(h), 1 - a) for h, a in zip(H, bits)])
    return data, [_ref_sum(list(zip(pts, ks))), want_a]


def _run_under_valgrind(exe, tmp_path, values, n, *mode):
    data, expected = _harness_input(values, n)
    path = tmp_path / "input.bin"
    path.write_bytes(data)
    run = subprocess.run(["valgrind", "--quiet", f"--error-exitcode={VALGRIND_ERROR}",
                          "--track-origins=yes", str(exe), _kernel_path(), str(path), *mode],
                         capture_output=True, timeout=600)
    return run, expected


def _decode_outputs(stdout: bytes):
    out = []
    for i in range(0, len(stdout), 65):
        ok, xy = stdout[i], stdout[i + 1:i + 65]
        out.append((int.from_bytes(xy[:32], "big"), int.from_bytes(xy[32:], "big")) if ok else None)
    return out


@pytest.mark.parametrize("values, n", [([0, 2**64 - 1], 64), ([secrets.randbelow(2**128)], 128)])
def test_secret_paths_have_no_secret_dependent_branch_or_index(harness, tmp_path, values, n):
    run, expected = _run_under_valgrind(harness, tmp_path, values, n)
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-3000:]
    assert _decode_outputs(run.stdout) == expected   # the harness really ran the secret paths


def test_the_check_catches_the_variable_time_msm(harness, tmp_path):
    """The canary: the same secrets through the variable-time MSM must be reported."""
    run, expected = _run_under_valgrind(harness, tmp_path, [5], 8, "vartime")
    assert run.returncode == VALGRIND_ERROR
    assert b"depends on uninitialised value" in run.stderr or b"Use of uninitialised" in run.stderr
    assert _decode_outputs(run.stdout)[0] == expected[0]


# ---- the prover takes the secret paths -------------------------------------------------

def test_prover_sends_every_nonce_and_bit_through_the_secret_paths(fast_backend, monkeypatch):
    """No nonce reaches the variable-time `msm`; A, S, T1, T2 go through the secret paths."""
    from zksolv.rangeproof import Statement, batch_verify, prove
    from zksolv.transcript import Transcript

    cls = type(fast_backend)
    public_scalars, secret_calls = set(), []
    for name in ("msm_secret", "bits_commit_secret"):
        real = getattr(cls, name)
        monkeypatch.setattr(cls, name, lambda self, *a, _real=real, _name=name:
                            secret_calls.append(_name) or _real(self, *a))
    if fast_backend.name == "native":   # A, S, the V_j, T1, T2: the kernel's kept tables
        from zksolv.group.backends import native   # (its public MSMs: test_ctime_prove.py)
        for fn, kind in (("zk_msm_secret_tabled", "msm_secret"),
                         ("zk_pairs_secret_comb", "msm_secret"),
                         ("zk_bits_commit_tabled", "bits_commit_secret")):
            real_tabled = getattr(native._lib, fn)
            monkeypatch.setattr(native._lib, fn, lambda *a, _real=real_tabled, _kind=kind:
                                secret_calls.append(_kind) or _real(*a))
    real_msm = cls.msm
    monkeypatch.setattr(cls, "msm", lambda self, pts, ks: public_scalars.update(ks)
                        or real_msm(self, pts, ks))
    nonces = []

    def rng():
        nonces.append(1 + secrets.randbelow(N - 1))
        return nonces[-1]

    values = [0, 2**8 - 1]
    proof, V = prove(Transcript(b"ct"), values, [rng(), rng()], 8, fast_backend, rng)
    batch_verify([Statement(Transcript(b"ct"), proof, V, 8)], fast_backend)
    assert secret_calls.count("bits_commit_secret") == 1   # A
    assert secret_calls.count("msm_secret") >= 3             # S, T1, T2
    assert len(nonces) == 2 + 2 + 2 * 16 + 2                  # γ_j, α, ρ, s_L, s_R, τ1, τ2
    assert not public_scalars & set(nonces)
