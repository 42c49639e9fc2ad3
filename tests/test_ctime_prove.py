"""The range prover's secret vectors in the kernel (native_prove.h; SPEC.md §2.3, §5.3, §6.2):
the same numbers as the Python reference, the same proof bytes, and constant-time, checked
under valgrind's memcheck as tests/test_ctime.py checks A and S (tests/ctime/prove_ctime.c)."""

import ctypes
import hashlib
import hmac
import pathlib
import secrets
import shutil
import struct
import subprocess

import pytest
from test_ctime import VALGRIND_ERROR, _kernel_path, _needed_or_skip, _ref_sum

from zksolv.commitments import generators
from zksolv.group import N, Point, backends, base_mul, bits_commit_secret, msm, msm_secret
from zksolv.rangeproof import prover
from zksolv.rangeproof.kernel_vectors import KernelVectors, vectors_for
from zksolv.rangeproof.scalars import IntVectors, random_scalar
from zksolv.roundkeys import NonceStream
from zksolv.transcript import Transcript

HARNESS = pathlib.Path(__file__).resolve().parent / "ctime" / "prove_ctime.c"
EDGE = [0, 1, 2, N - 1, N - 2, (N - 1) // 2, 2**255 % N, 2**128 - 1]
TABLED_POINTS = 130   # the kernel's constant-time MSM works in blocks of 128: two of them
                      # (where the statement has that many nonces)
PAIRS = 9   # two-term sums on the lanes, eight a batch: a full batch and one lane of the next
NONCE_LANES = 17   # the HMAC stream on the lanes, eight counters a batch: two and one alone


@pytest.fixture(scope="module")
def kernel():
    try:
        backends.get("native")
    except Exception:
        pytest.skip("the C kernel is not built here")
    from zksolv.group.backends import native
    return KernelVectors(native._lib)


def _stored(vectors, buf, count):
    out = ctypes.create_string_buffer(32 * count)
    vectors._lib.zk_pv_store(ctypes.addressof(buf), count, out)
    return [int.from_bytes(out.raw[i:i + 32], "big") for i in range(0, 32 * count, 32)]


def _listed(scalars):
    scalars = list(scalars)
    return lambda: scalars.pop(0)


def test_kernel_nonces_are_the_specified_hmac_stream(kernel):
    """SPEC.md §6.2 from hashlib itself: HMAC-SHA512(key, u64be(c)) mod n, c = 1, 2, …; the
    stream's position moves past what the kernel drew."""
    for key in (b"", b"k" * 32, secrets.token_bytes(77), b"\xff" * 128):
        stream = NonceStream(key)
        stream()
        got = _stored(kernel, kernel.draw(stream, 40), 40)
        want = [int.from_bytes(hmac.new(key, c.to_bytes(8, "big"), hashlib.sha512).digest(),
                               "big") % N for c in range(2, 42)]
        assert got == want
        assert stream() == int.from_bytes(hmac.new(key, (42).to_bytes(8, "big"),
                                                   hashlib.sha512).digest(), "big") % N


def test_nonces_on_each_lane_set_are_the_specified_hmac_stream(kernel):
    """zk_pv_nonces_lanes, eight counters a lane batch (native_sha8.h), on the portable
    words, the IFMA ones and by the kernel's own choice, against hashlib: keys of 0, 32 and
    128 bytes (a whole block), counts around a batch, a counter that wraps at 2^64."""
    lib = kernel._lib
    for key in (b"", b"k" * 32, secrets.token_bytes(128)):
        for c0, count in ((0, 7), (0, 8), (3, 9), (0, 40), (2**64 - 20, 17)):
            want = [int.from_bytes(hmac.new(key, ((c0 + c) % 2**64).to_bytes(8, "big"),
                                            hashlib.sha512).digest(), "big") % N
                    for c in range(1, count + 1)]
            for lanes in ([0, 1] if lib.zk_simd(-1) else [0]) + [-1]:
                out = (ctypes.c_uint64 * (4 * count))()
                assert lib.zk_pv_nonces_lanes(key, len(key), c0, count, ctypes.addressof(out),
                                              lanes) == 1
                assert _stored(kernel, out, count) == want, (len(key), c0, count, lanes)
    if not lib.zk_simd(-1):
        out = (ctypes.c_uint64 * 32)()
        assert lib.zk_pv_nonces_lanes(b"k", 1, 0, 8, ctypes.addressof(out), 1) == -2


def test_keys_longer_than_a_block_are_drawn_by_python(kernel):
    key = secrets.token_bytes(129)
    assert _stored(kernel, kernel.draw(NonceStream(key), 3), 3) == _python_stream(key, 3)


def _python_stream(key, count):
    stream = NonceStream(key)
    return [stream() for _ in range(count)]


def test_other_rngs_are_drawn_in_order_edges_included(kernel):
    assert _stored(kernel, kernel.draw(_listed(EDGE), len(EDGE)), len(EDGE)) == EDGE
    os_drawn = _stored(kernel, kernel.draw(random_scalar, 64), 64)
    assert len(set(os_drawn)) == 64 and all(0 < k < N for k in os_drawn)


def test_wide_reduction_at_its_edges(kernel):
    """The 512-bit reduction of the nonces and of the OS CSPRNG's bytes, at multiples of n
    and the largest inputs; a zero is reported (the caller then skips it)."""
    out = (ctypes.c_uint64 * 4)()
    for wide in (0, 1, N, N + 1, 2 * N - 1, N << 256, (N << 256) + N - 1, 2**512 - 1,
                 2**256, 2**256 - 1, N * (2**256 - 1)):
        ok = kernel._lib.zk_pv_load_wide(wide.to_bytes(64, "big"), 1, ctypes.addressof(out))
        assert _stored(kernel, out, 1) == [wide % N]
        assert ok == (wide % N != 0)


def _poly_inputs(n, m):
    values = [secrets.randbelow(2**n) for _ in range(m)]
    values[0], values[-1] = 2**n - 1, 0
    s = EDGE + [random_scalar() for _ in range(2 * n * m - len(EDGE))]
    return values, s, random_scalar(), random_scalar()


@pytest.mark.parametrize("n, m", [(8, 1), (64, 2), (16, 8)])
def test_kernel_vector_steps_match_the_python_reference(kernel, n, m):
    values, s, y, z = _poly_inputs(n, m)
    ref = IntVectors()
    (l0, l1, r0, r1), t1, t2 = ref.polynomials(values, n, m, s, y, z)
    poly, k1, k2 = kernel.polynomials(values, n, m, kernel.draw(_listed(s), len(s)), y, z)
    assert (k1, k2) == (t1, t2)
    for x in (1, N - 1, random_scalar()):
        (l, r), t_x = ref.evaluate((l0, l1, r0, r1), x)
        lr, k_x = kernel.evaluate(poly, x)
        assert k_x == t_x and _stored(kernel, lr[0], n * m) == l and _stored(kernel, lr[1], n * m) == r


def test_out_of_range_values_use_their_low_bits(kernel):
    """a_L is the low n bits of each value, as IntVectors (the soundness tests rely on it)."""
    values, s, y, z = _poly_inputs(8, 2)
    wide = [v + (secrets.randbelow(2**200) << 8) for v in values]
    _, t1, t2 = IntVectors.polynomials(wide, 8, 2, s, y, z)
    assert kernel.polynomials(wide, 8, 2, kernel.draw(_listed(s), len(s)), y, z)[1:] == (t1, t2)


def test_s_over_kept_tables_matches_msm_secret(kernel):
    """S by the kept tables, edge scalars included, the identity too (all scalars 0)."""
    gens = generators()
    G, H = gens.vectors(80)
    for rho, s in ((0, [0] * 160), (N - 1, (EDGE * 20)[:160]),
                   (random_scalar(), [random_scalar() for _ in range(160)])):
        got = kernel.commit_s(gens, G, H, rho, kernel.draw(_listed(s), 160))
        assert got == msm_secret([gens.H] + G + H, [rho] + s)
    assert kernel.commit_s(gens, G, H, 0, kernel.draw(_listed([0] * 160), 160)) == Point.identity(gens.backend)


def test_commitments_over_kept_tables_match_msm_secret(kernel):
    """V_j = [v]G + [γ]H by the kept comb tables, as the generic constant-time MSM: zero
    values (padding leaves), edge scalars, and the identity for (0, 0); one at a time too
    (`commit`'s path)."""
    from zksolv.commitments import commit
    gens = generators()
    pairs = [(0, random_scalar()), (2**64 - 1, N - 1), (N - 1, 1), (1, 0), (0, 0),
             (secrets.randbelow(2**64), random_scalar())]
    want = [msm_secret([Point.generator(gens.backend), gens.H], [v, g]) for v, g in pairs]
    assert kernel.commit_values(gens, [v for v, _ in pairs], [g for _, g in pairs]) == want
    assert [commit(v, g, gens.backend) for v, g in pairs] == want
    assert want[4] == Point.identity(gens.backend)


def _bits_tabled(kernel, gens, G, H, alpha, values, n, lanes):
    """A by zk_bits_commit_tabled on lane set `lanes` over the kept tables of [H] + G + H."""
    out = ctypes.create_string_buffer(64)
    packed = b"".join(v.to_bytes(n // 8, "little") for v in values)
    status = kernel._lib.zk_bits_commit_tabled(ctypes.addressof(kernel._s_tables(gens, G, H)),
                                               _be(alpha), packed, n, len(values), out, lanes)
    return status, out.raw


def test_a_over_kept_tables_matches_bits_commit_secret(kernel):
    """A = [α]H + <a_L, G> + <a_L − 1, H> from S's kept tables, on each lane set, the
    kernel's choice and the one-lane path: values 0 (every term −H_i), 2^n − 1 (every term
    G_i), alternating bits, α = 0 and n − 1; against bits_commit_secret, and py_ecc once."""
    gens = generators()
    sets = [0, 1] if kernel._lib.zk_simd(-1) else [0]
    for n, values in ((8, [0, 255, 0x55, 0xAA]), (64, [2**64 - 1, 0]),
                      (16, [secrets.randbelow(2**16) for _ in range(3)])):
        G, H = gens.vectors(n * len(values))
        for alpha in (0, N - 1, random_scalar()):
            want = bits_commit_secret(gens.H, alpha, G, H, values, n)
            assert kernel.commit_bits(gens, G, H, alpha, values, n) == want
            try:
                kernel._lib.zk_simd(0)   # −1 without lanes: the one-lane path
                assert kernel.commit_bits(gens, G, H, alpha, values, n) == want
            finally:
                kernel._lib.zk_simd(1)
            for lanes in sets:
                assert _bits_tabled(kernel, gens, G, H, alpha, values, n, lanes) == (1, _xy(want))
    G, H = gens.vectors(8)
    want = _ref_sum([(gens.H.affine(), 5)] + [(p.affine(), 1) for p in G[:3]]
                    + [(p.affine(), N - 1) for p in H[3:]])
    assert kernel.commit_bits(gens, G, H, 5, [0b111], 8).affine() == want
    if not kernel._lib.zk_simd(-1):
        assert _bits_tabled(kernel, gens, G, H, 5, [7], 8, 1)[0] == -2


def test_inner_product_rounds_match_the_python_reference(kernel):
    from zksolv.rangeproof.ipa import prove as ipa_prove
    gens = generators()
    G, H = gens.vectors(32)
    a, b = [random_scalar() for _ in range(32)], EDGE * 4
    y_inv, w = random_scalar(), random_scalar()
    want = ipa_prove(Transcript(b"ipa"), G, H, y_inv, gens.U, w, (a, b), IntVectors())
    ab = (kernel.draw(_listed(a), 32), kernel.draw(_listed(b), 32), 32)
    assert ipa_prove(Transcript(b"ipa"), G, H, y_inv, gens.U, w, ab, kernel) == want
    assert len(want[0]) == 5


def test_no_nonce_reaches_the_kernels_variable_time_msm(kernel, monkeypatch):
    """On the kernel path the nonces stay in C; the variable-time zk_msm (the inner-product
    rounds), zk_fold, zk_fold_terms(_kept, _pair) and zk_sc_scale (the rounds' generator folds
    and scaled MSM scalars) must never receive one; S, the V_j, T1 and T2 go the constant-time
    way."""
    lib, public, tabled = kernel._lib, set(), []
    for name in ("zk_msm", "zk_fold", "zk_fold_terms", "zk_fold_terms_kept", "zk_fold_terms_pair",
                 "zk_sc_scale"):
        real = getattr(lib, name)
        monkeypatch.setattr(lib, name, lambda *args, _real=real: public.update(
            int.from_bytes(bytes(arg)[i:i + 32], "big") for arg in args if isinstance(arg, bytes)
            for i in range(0, len(arg), 32)) or _real(*args))
    for name in ("zk_msm_secret_tabled", "zk_pairs_secret_comb"):
        real = getattr(lib, name)
        monkeypatch.setattr(lib, name, lambda *args, _real=real, _name=name: tabled.append(
            (_name[3:8], args[2])) or _real(*args))
    nonces = []

    def rng():
        nonces.append(random_scalar())
        return nonces[-1]

    monkeypatch.setattr(prover, "vectors_for", lambda backend: kernel)
    prover._prove(Transcript(b"spy"), [0, 2**8 - 1], [rng(), rng()], 8, generators(), rng)
    assert len(nonces) == 2 + 2 + 2 * 16 + 2
    # V_0 and V_1 in one call, T1, T2 one commitment each, S
    assert sorted(tabled) == [("msm_s", 33), ("pairs", 1), ("pairs", 1), ("pairs", 2)]
    assert public and not public & set(nonces)


@pytest.mark.parametrize("n, m", [(8, 1), (64, 4), (128, 2)])
def test_proof_bytes_do_not_depend_on_where_the_vectors_live(n, m, monkeypatch):
    be = generators().backend
    if vectors_for(be).__class__ is IntVectors:
        pytest.skip("the C kernel is not the default backend here")
    values = [secrets.randbelow(2**n) for _ in range(m)]
    blindings, key = [random_scalar() for _ in values], secrets.token_bytes(32)
    fast = prover._prove(Transcript(b"t"), values, blindings, n, generators(), NonceStream(key))
    monkeypatch.setattr(prover, "vectors_for", lambda backend: IntVectors())
    slow = prover._prove(Transcript(b"t"), values, blindings, n, generators(), NonceStream(key))
    assert fast[0].to_bytes() == slow[0].to_bytes() and fast[1] == slow[1]


# ---- constant time, under valgrind ---------------------------------------------------------

@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    _needed_or_skip("valgrind", shutil.which("valgrind") is not None)
    _needed_or_skip("<valgrind/memcheck.h>", pathlib.Path("/usr/include/valgrind/memcheck.h").exists())
    exe = tmp_path_factory.mktemp("prove_ctime") / "prove_ctime"
    subprocess.run(["gcc", "-O2", "-Wall", "-o", str(exe), str(HARNESS), "-ldl"], check=True)
    return exe


def _be(k):
    return k.to_bytes(32, "big")


def _harness_case(n, m):
    """Input bytes and the expected output, from the Python reference."""
    key, values = secrets.token_bytes(32), [2**n - 1] + [secrets.randbelow(2**n) for _ in range(m - 1)]
    y, z, x, w = (random_scalar() for _ in range(4))
    y_inv, wide = pow(y, -1, N), secrets.token_bytes(64)
    s = _python_stream(key, 2 * n * m)
    poly, t1, t2 = IntVectors.polynomials(values, n, m, s, y, z)
    (a, b), t_x = IntVectors.evaluate(poly, x)
    data = struct.pack("<I", len(key)) + key + struct.pack("<II", n, m)
    data += b"".join(v.to_bytes(n // 8, "little") for v in values)
    data += b"".join(map(_be, (y, z, x, w, y_inv)))
    scalar_work = _be(t1) + _be(t2) + _be(t_x)   # on the portable lanes, then one at a time
    y_inv_pows, g, h, half = [pow(y_inv, i, N) for i in range(n * m)], 1, 1, n * m // 2
    while half:
        u = random_scalar()
        data += b"".join(map(_be, (g, h, u, pow(u, -1, N))))
        scalar_work += _round_scalars(a, b, y_inv_pows, half, g, h, w)
        a, b = _folded(a, b, half, u)
        g, h, half = g * pow(u, -1, N) % N, h * u % N, half // 2
    scalar_work += _be(a[0]) + _be(b[0])
    expected = b"\x01" + scalar_work * 2
    wide_value = int.from_bytes(wide, "big") % N
    points = [base_mul(random_scalar()) for _ in range(min(TABLED_POINTS, len(s)))]
    data += wide + struct.pack("<I", len(points))
    expected += bytes([wide_value != 0]) + _be(wide_value)
    data += b"".join(_be(x) + _be(y) for x, y in (p.affine() for p in points))
    s_point = b"\x01" + _xy(msm(points, s[:len(points)]))
    pairs = min(PAIRS, len(s) // 2)   # the V_j's form over the first two points' comb tables
    data += struct.pack("<I", pairs)
    sums = b"".join(_xy(msm(points[:2], s[2 * i:2 * i + 2])) for i in range(pairs))
    nonces = b"\x01" + b"".join(map(_be, _python_stream(key, NONCE_LANES)))
    a_point = _a_tabled(points, values, n, s[0])   # portable lanes, then the one-lane path
    pairs_out = b"\x00" + sums   # portable lanes, then the one-lane path
    return data, expected + s_point + s_point + pairs_out * 2 + nonces + a_point + a_point


def _a_tabled(points, values, n, alpha):
    """The harness's A over the kept tables: P_0 as B, then b bytes of the values as b values
    of 8 bits over G = P_1 … P_8b and H = P_8b+1 … P_16b (prove_ctime.c)."""
    b = min((len(points) - 1) // 16, n // 8 * len(values))
    raw = b"".join(v.to_bytes(n // 8, "little") for v in values)[:b]
    G, H = points[1:1 + 8 * b], points[1 + 8 * b:1 + 16 * b]
    return b"\x01" + _xy(bits_commit_secret(points[0], alpha, G, H, list(raw), 8))


def _xy(point):
    return b"".join(map(_be, point.affine()))


def _round_scalars(a, b, y_inv_pows, half, g, h, w):
    """One round's L and R scalars as SPEC.md §5.3 and ipa.py define them, packed."""
    lo = [x * g for x in a[:half]] + [x * h * y_inv_pows[i] for i, x in enumerate(b[half:])]
    hi = [x * g for x in a[half:]] + [x * h * y_inv_pows[half + i] for i, x in enumerate(b[:half])]
    lo.append(sum(p * q for p, q in zip(a[:half], b[half:])) * w)
    hi.append(sum(p * q for p, q in zip(a[half:], b[:half])) * w)
    return b"".join(_be(k % N) for k in lo + hi)


def _folded(a, b, half, u):
    u_inv = pow(u, -1, N)
    return ([(x * u + z * u_inv) % N for x, z in zip(a[:half], a[half:])],
            [(x * u_inv + z * u) % N for x, z in zip(b[:half], b[half:])])


def _run(exe, tmp_path, data, *mode):
    path = tmp_path / "input.bin"
    path.write_bytes(data)
    return subprocess.run(["valgrind", "--quiet", f"--error-exitcode={VALGRIND_ERROR}",
                           "--track-origins=yes", str(exe), _kernel_path(), str(path), *mode],
                          capture_output=True, timeout=600)


@pytest.mark.parametrize("n, m", [(64, 2), (8, 4)])
def test_prover_scalar_work_has_no_secret_dependent_branch_or_index(harness, tmp_path, n, m):
    data, expected = _harness_case(n, m)
    run = _run(harness, tmp_path, data)
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-3000:]
    assert run.stdout == expected   # the harness really ran every step, on the right numbers


def test_the_check_catches_secret_nonces_in_the_variable_time_msm(harness, tmp_path):
    """The canary: the same nonces through the variable-time MSM must be reported."""
    run = _run(harness, tmp_path, _harness_case(8, 1)[0], "vartime")
    assert run.returncode == VALGRIND_ERROR
    assert b"depends on uninitialised value" in run.stderr or b"Use of uninitialised" in run.stderr
