"""Attack constructions for the range-proof tests (DESIGN §8.1, §8.2).

Each builds a proof the way a cheating prover would, from the library's own primitives.
"""

from zksolv.commitments import generators
from zksolv.group import N, base_mul, msm, point_sum
from zksolv.rangeproof import RangeProof, ipa
from zksolv.rangeproof import statement as st
from zksolv.rangeproof.scalars import IntVectors, inner, random_scalar
from zksolv.transcript import Transcript


def forge_with_unbound_commitment(transcript: Transcript, n: int):
    """Frozen Heart: if V is not absorbed before the challenges, pick V after seeing x.

    Runs the honest protocol for the value 0 but lies about t1 (T1 commits to t1 + 1),
    then solves the t(x) check for V: V = (−x/z²)·G + γ·H, a commitment to a value far
    outside [0, 2^n). Returns (proof, [V], committed value).
    """
    gens = generators()
    G, H = gens.vectors(n)
    st.bind_statement(transcript, n, 1, [])  # the flaw: V left out
    bits = [0] * n
    alpha, rho, tau1, tau2, gamma = (random_scalar() for _ in range(5))
    s_L = [random_scalar() for _ in bits]
    s_R = [random_scalar() for _ in bits]
    A = gens.H * alpha + point_sum([-h for h in H])
    S = msm([gens.H] + G + H, [rho] + s_L + s_R)
    transcript.append_point(st.LABEL_A, A)
    transcript.append_point(st.LABEL_S, S)
    y, z = transcript.challenge_scalar(st.LABEL_Y), transcript.challenge_scalar(st.LABEL_Z)
    (l0, l1, r0, r1), t1, t2 = IntVectors.polynomials([0], n, 1, s_L + s_R, y, z)
    T1 = base_mul(t1 + 1) + gens.H * tau1
    T2 = base_mul(t2) + gens.H * tau2
    transcript.append_point(st.LABEL_T1, T1)
    transcript.append_point(st.LABEL_T2, T2)
    x = transcript.challenge_scalar(st.LABEL_X)
    value = -x * pow(z * z, -1, N) % N
    V = base_mul(value) + gens.H * gamma
    l = [(p + q * x) % N for p, q in zip(l0, l1)]
    r = [(p + q * x) % N for p, q in zip(r0, r1)]
    t_x = inner(l, r)
    t_x_blinding = (tau2 * x * x + tau1 * x + z * z * gamma) % N
    e_blinding = (alpha + rho * x) % N
    for label, s in ((st.LABEL_TX, t_x), (st.LABEL_TX_BLINDING, t_x_blinding),
                     (st.LABEL_E_BLINDING, e_blinding)):
        transcript.append_scalar(label, s)
    w = transcript.challenge_scalar(st.LABEL_W)
    L, R, a, b = ipa.prove(transcript, G, H, pow(y, -1, N), gens.U, w, (l, r), IntVectors())
    proof = RangeProof(A, S, T1, T2, t_x, t_x_blinding, e_blinding, tuple(L), tuple(R), a, b)
    return proof, [V], value
