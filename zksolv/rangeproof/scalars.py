"""Scalar-vector helpers for the range proof, on plain ints modulo n (the verifier's hot path,
and the prover's reference), and the prover's vector steps on them (`IntVectors`).

The prover's vectors (s_L, s_R, l, r and the inner-product argument's a, b) are secret. On the
native backend they live in the kernel (kernel_vectors.py, constant-time, SPEC.md §2.3) and
reach Python only as the packed scalars of the MSMs; elsewhere they are Python integers
(`IntVectors` below), whose arithmetic is not constant-time. Both compute the same numbers:
the proof bytes do not depend on which ran.
"""

import secrets

from zksolv.commitments import commit
from zksolv.group import N, bits_commit_secret, fold, msm, msm_secret


def random_scalar() -> int:
    """A uniform nonzero scalar from the OS CSPRNG."""
    return 1 + secrets.randbelow(N - 1)


def powers(base: int, count: int) -> list[int]:
    """[1, base, base², …] of length `count`, mod n."""
    out, acc = [], 1
    for _ in range(count):
        out.append(acc)
        acc = acc * base % N
    return out


def inner(xs: list[int], ys: list[int]) -> int:
    """<xs, ys> mod n."""
    return sum(x * y for x, y in zip(xs, ys)) % N


def batch_invert(xs: list[int]) -> list[int]:
    """Inverses of nonzero scalars with one exponentiation (Montgomery's trick)."""
    prefix, acc = [], 1
    for x in xs:
        prefix.append(acc)
        acc = acc * x % N
    inv = pow(acc, -1, N)
    out = [0] * len(xs)
    for i in range(len(xs) - 1, -1, -1):
        out[i] = prefix[i] * inv % N
        inv = inv * xs[i] % N
    return out


class IntVectors:
    """The prover's vector steps on Python integers (SPEC.md §5.3): the reference
    `KernelVectors` is tested against, and the path without the kernel."""

    @staticmethod
    def draw(rng, count: int) -> list[int]:
        return [rng() for _ in range(count)]

    @staticmethod
    def commit_values(gens, values, blindings):
        """V_j = [v_j]G + [γ_j]H (SPEC.md §3.2)."""
        return [commit(v, g, gens.backend) for v, g in zip(values, blindings)]

    @staticmethod
    def commit_bits(gens, G, H, alpha: int, values, n: int):
        """A = [α]H + <a_L, G> + <a_L − 1, H>, a_L the n bits of each value (SPEC.md §5.3),
        on the constant-time path."""
        return bits_commit_secret(gens.H, alpha, G, H, values, n)

    @staticmethod
    def commit_s(gens, G, H, rho: int, s: list[int]):
        """S = [ρ]H + <s_L, G> + <s_R, H> on the constant-time path."""
        return msm_secret([gens.H] + G + H, [rho] + s)

    @staticmethod
    def polynomials(values, n, m, s, y, z):
        """(l0, s_L, r0, r1) with t1, t2 (paper §4.1, eq. (71)–(72); SPEC.md §5.3)."""
        count = n * m
        s_L, s_R = s[:count], s[count:]
        bits = [(v >> i) & 1 for v in values for i in range(n)]
        y_pows, two_pows, z_pows = powers(y, count), powers(2, n), powers(z, m + 2)
        l0 = [(bit - z) % N for bit in bits]
        r0 = [(yp * (bit - 1 + z) + z_pows[2 + i // n] * two_pows[i % n]) % N
              for i, (bit, yp) in enumerate(zip(bits, y_pows))]
        r1 = [yp * k % N for yp, k in zip(y_pows, s_R)]
        t1 = (inner(l0, r1) + inner(s_L, r0)) % N
        return (l0, s_L, r0, r1), t1, inner(s_L, r1)

    @staticmethod
    def evaluate(poly, x):
        """l = l(x), r = r(x) and t_x = <l, r>."""
        l0, l1, r0, r1 = poly
        l = [(p + q * x) % N for p, q in zip(l0, l1)]
        r = [(p + q * x) % N for p, q in zip(r0, r1)]
        return (l, r), inner(l, r)

    @staticmethod
    def ipa_start(ab, y_inv, G, H, U):
        return [list(ab[0]), list(ab[1]), powers(y_inv, len(ab[0])), list(G), list(H), U]

    @staticmethod
    def ipa_commit(state, half, g_scale, h_scale, w):
        """One round's L and R (SPEC.md §5.3) by the variable-time `msm`."""
        a, b, y_inv_pows, G, H, U = state
        a_lo, a_hi, b_lo, b_hi = a[:half], a[half:], b[:half], b[half:]
        hl = [h_scale * y_inv_pows[i] % N for i in range(half)]
        hh = [h_scale * y_inv_pows[i + half] % N for i in range(half)]
        L = msm(G[half:] + H[:half] + [U], [x * g_scale for x in a_lo]
                + [x * f for x, f in zip(b_hi, hl)] + [inner(a_lo, b_hi) * w])
        R = msm(G[:half] + H[half:] + [U], [x * g_scale for x in a_hi]
                + [x * f for x, f in zip(b_lo, hh)] + [inner(a_hi, b_lo) * w])
        return L, R

    @staticmethod
    def ipa_fold(state, half, u, u_inv, g_factor, h_factor):
        """a, b by u (SPEC.md §5.3) and the generators G_i ← G_lo,i + g_factor·G_hi,i,
        H_i ← H_lo,i + h_factor·H_hi,i."""
        a, b, _, G, H, _ = state
        a[:] = [(x * u + z * u_inv) % N for x, z in zip(a[:half], a[half:])]
        b[:] = [(x * u_inv + z * u) % N for x, z in zip(b[:half], b[half:])]
        G[:] = fold(G[:half], G[half:], g_factor)
        H[:] = fold(H[:half], H[half:], h_factor)

    @staticmethod
    def ipa_finish(state):
        return state[0][0], state[1][0]
