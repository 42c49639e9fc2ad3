"""The inner-product argument, prover side (Bünz et al. 2018 §3, Protocol 2).

Folding convention (the verifier's s_i of SPEC.md §5.3 depends on it), per round with
challenge u:  a' = u·a_lo + u⁻¹·a_hi,  b' = u⁻¹·b_lo + u·b_hi,
              G' = u⁻¹·G_lo + u·G_hi,  H' = u·H_lo + u⁻¹·H_hi.

Generators are kept as base points times a known factor, so a fold costs one scalar
multiplication a point instead of two: G_i = g·P_i with one factor g for the whole
vector, H_i = h·y⁻ⁱ·Q_i. Then P'_i = P_lo,i + u²·P_hi,i and Q'_i = Q_lo,i + u⁻²·y^-half·Q_hi,i.
"""

from zksolv.group import N, Point, fold, msm
from zksolv.rangeproof import statement as st
from zksolv.rangeproof.scalars import inner, powers
from zksolv.transcript import Transcript


def prove(transcript: Transcript, G: list[Point], H: list[Point], y_inv: int,
          U: Point, w: int, a: list[int], b: list[int]) -> tuple[list, list, int, int]:
    """Prove <a,G> + <b,H'> + <a,b>·w·U with H'_i = y⁻ⁱ·H_i; returns (L, R, a, b)."""
    y_inv_pows = powers(y_inv, len(a))
    g_scale, h_scale = 1, 1
    L_out, R_out = [], []
    while len(a) > 1:
        half = len(a) // 2
        a_lo, a_hi, b_lo, b_hi = a[:half], a[half:], b[:half], b[half:]
        hl = [h_scale * y_inv_pows[i] % N for i in range(half)]
        hh = [h_scale * y_inv_pows[i + half] % N for i in range(half)]
        L = msm(G[half:] + H[:half] + [U],
                [x * g_scale for x in a_lo] + [x * f for x, f in zip(b_hi, hl)]
                + [inner(a_lo, b_hi) * w])
        R = msm(G[:half] + H[half:] + [U],
                [x * g_scale for x in a_hi] + [x * f for x, f in zip(b_lo, hh)]
                + [inner(a_hi, b_lo) * w])
        transcript.append_point(st.LABEL_L, L)
        transcript.append_point(st.LABEL_R, R)
        u = transcript.challenge_scalar(st.LABEL_U)
        u_inv = pow(u, -1, N)
        L_out.append(L)
        R_out.append(R)
        a = [(x * u + z * u_inv) % N for x, z in zip(a_lo, a_hi)]
        b = [(x * u_inv + z * u) % N for x, z in zip(b_lo, b_hi)]
        G = _fold(G, u * u % N)
        H = _fold(H, u_inv * u_inv * y_inv_pows[half] % N)
        g_scale, h_scale = g_scale * u_inv % N, h_scale * u % N
    return L_out, R_out, a[0], b[0]


def _fold(points: list[Point], c: int) -> list[Point]:
    """P'_i = P_lo,i + c·P_hi,i."""
    half = len(points) // 2
    return fold(points[:half], points[half:], c)
