"""The inner-product argument, prover side (Bünz et al. 2018 §3, Protocol 2).

Folding convention (the verifier's s_i of SPEC.md §5.3 depends on it), per round with
challenge u:  a' = u·a_lo + u⁻¹·a_hi,  b' = u⁻¹·b_lo + u·b_hi,
              G' = u⁻¹·G_lo + u·G_hi,  H' = u·H_lo + u⁻¹·H_hi.

Generators are kept as base points times a known factor, so a fold costs one scalar
multiplication a point instead of two: G_i = g·P_i with one factor g for the whole
vector, H_i = h·y⁻ⁱ·Q_i. Then P'_i = P_lo,i + u²·P_hi,i and Q'_i = Q_lo,i + u⁻²·y^-half·Q_hi,i.
"""

from zksolv.group import N, Point
from zksolv.rangeproof import statement as st
from zksolv.transcript import Transcript


def prove(transcript: Transcript, G: list[Point], H: list[Point], y_inv: int,
          U: Point, w: int, ab, vectors) -> tuple[list, list, int, int]:
    """Prove <a,G> + <b,H'> + <a,b>·w·U with H'_i = y⁻ⁱ·H_i for the vectors `ab` = (a, b)
    held by `vectors` (scalars.IntVectors or kernel_vectors.KernelVectors, which also hold
    the generator vectors while they fold); returns (L, R, a, b)."""
    state = vectors.ipa_start(ab, y_inv, G, H, U)
    g_scale, h_scale = 1, 1
    L_out, R_out = [], []
    half = len(G) // 2
    while half:
        L, R = vectors.ipa_commit(state, half, g_scale, h_scale, w)
        transcript.append_point(st.LABEL_L, L)
        transcript.append_point(st.LABEL_R, R)
        u = transcript.challenge_scalar(st.LABEL_U)
        u_inv = pow(u, -1, N)
        L_out.append(L)
        R_out.append(R)
        # P'_i = P_lo,i + u²·P_hi,i and Q'_i = Q_lo,i + u⁻²·y^-half·Q_hi,i (module docstring)
        vectors.ipa_fold(state, half, u, u_inv, u * u % N, u_inv * u_inv * pow(y_inv, half, N) % N)
        g_scale, h_scale = g_scale * u_inv % N, h_scale * u % N
        half //= 2
    a, b = vectors.ipa_finish(state)
    return L_out, R_out, a, b
