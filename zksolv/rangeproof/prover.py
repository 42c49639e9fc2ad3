"""Aggregated range proof, prover side (Bünz et al. 2018 §4.1–4.3; SPEC.md §5.2).

Proves that each of m committed values V_j = v_j·G + γ_j·H lies in [0, 2^n). A, S, T1 and T2
are computed on the constant-time paths (`bits_commit_secret`, `commit`, `msm_secret`, or the
kernel's kept tables: SPEC.md §2.3); the inner-product rounds use the variable-time `msm`, as
dalek's prover does. The secret vectors and their arithmetic are in the kernel on the native
backend (kernel_vectors.py).
"""

from zksolv.commitments import commit, generators
from zksolv.errors import InputError
from zksolv.group import N, Point
from zksolv.rangeproof import ipa
from zksolv.rangeproof import statement as st
from zksolv.rangeproof.proof import RangeProof
from zksolv.rangeproof.kernel_vectors import vectors_for
from zksolv.rangeproof.scalars import inner, powers, random_scalar
from zksolv.transcript import Transcript


def prove(transcript: Transcript, values: list[int], blindings: list[int], n: int,
          backend=None, rng=random_scalar, commitments: list[bytes] | None = None
          ) -> tuple[RangeProof, list[Point] | None]:
    """Prove v_j ∈ [0, 2^n) for all j; returns the proof and the commitments V_j (None
    when the caller gave them).

    `transcript` must already hold the caller's context (attestation id, circuit hash);
    the statement itself is bound here before the first challenge. `rng` draws the
    prover's secret nonces: the OS CSPRNG, replaced only by the seeded vector generator.

    `commitments`: the V_j as 33 bytes each, when the caller has just computed them from
    these same values and blindings (a round's leaf builder: Com(units, blinding),
    SPEC.md §3.2, §6.3) — they are then bound as given instead of being computed again.
    Never bytes read back from a file, a shard or another party: the prover does not
    check that they open to the values (that would cost what it saves). What the
    verifier binds as V_j are the published leaf commitments (§6.10), so these are the
    only bytes a chunk proof can verify against; a V_j that did not open would give a
    proof that fails the audit, never one that verifies a false statement (§5.5)."""
    m = len(values)
    st.check_parameters(n, m)
    if len(blindings) != m:
        raise InputError("need exactly one blinding per value")
    if commitments is not None and len(commitments) != m:
        raise InputError("need exactly one commitment per value")
    for v in values:
        if not 0 <= v < 1 << n:
            raise InputError(f"value is not in [0, 2^{n})")
    return _prove(transcript, values, blindings, n, generators(backend), rng, commitments)


def _prove(transcript, values, blindings, n, gens, rng, commitments=None):
    """The protocol itself, for values already checked to lie in range."""
    m = len(values)
    G, H = gens.vectors(n * m)
    vectors = vectors_for(gens.backend)
    if commitments is None:
        V = vectors.commit_values(gens, values, blindings)
        st.bind_statement(transcript, n, m, V)
    else:
        V = None
        st.bind_encoded(transcript, n, m, commitments)
    alpha, rho = rng(), rng()
    s = vectors.draw(rng, 2 * n * m)   # s_L ‖ s_R, in the stream's order (SPEC.md §6.2)
    # a_L is the low n bits of each value (out-of-range vectors rely on it).
    A = vectors.commit_bits(gens, G, H, alpha, [v & ((1 << n) - 1) for v in values], n)
    S = vectors.commit_s(gens, G, H, rho, s)
    transcript.append_point(st.LABEL_A, A)
    transcript.append_point(st.LABEL_S, S)
    y = transcript.challenge_scalar(st.LABEL_Y)
    z = transcript.challenge_scalar(st.LABEL_Z)

    poly, t1, t2 = vectors.polynomials(values, n, m, s, y, z)
    tau1, tau2 = rng(), rng()
    T1 = commit(t1, tau1, gens.backend)   # [t1]G + [τ1]H, on commit's constant-time path
    T2 = commit(t2, tau2, gens.backend)
    transcript.append_point(st.LABEL_T1, T1)
    transcript.append_point(st.LABEL_T2, T2)
    x = transcript.challenge_scalar(st.LABEL_X)

    lr, t_x = vectors.evaluate(poly, x)
    z_pows = powers(z, m + 2)
    t_x_blinding = (tau2 * x * x + tau1 * x + inner(z_pows[2:], blindings)) % N
    e_blinding = (alpha + rho * x) % N
    transcript.append_scalar(st.LABEL_TX, t_x)
    transcript.append_scalar(st.LABEL_TX_BLINDING, t_x_blinding)
    transcript.append_scalar(st.LABEL_E_BLINDING, e_blinding)
    w = transcript.challenge_scalar(st.LABEL_W)

    L, R, a, b = ipa.prove(transcript, G, H, pow(y, -1, N), gens.U, w, lr, vectors)
    proof = RangeProof(A, S, T1, T2, t_x, t_x_blinding, e_blinding, tuple(L), tuple(R), a, b)
    return proof, V
