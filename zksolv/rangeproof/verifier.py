"""Range proof verification as one multi-exponentiation, single and batched
(Bünz et al. 2018 §6.2; SPEC.md §5.3).

Each proof contributes ω·(E1 + c·E2) where E1 is the inner-product check, E2 the t(x)
check, and ω, c are fresh 128-bit weights from the OS CSPRNG (DESIGN §8.5): never from the
transcript, so a prover cannot predict them. The sum over all proofs must be the identity.
"""

import secrets
from dataclasses import dataclass

from zksolv.commitments import generators
from zksolv.errors import InvalidProof
from zksolv.group import N, Point
from zksolv.rangeproof import statement as st
from zksolv.rangeproof.coefficients import ProofVectorTerms, vectors_for
from zksolv.rangeproof.proof import RangeProof
from zksolv.rangeproof.scalars import batch_invert, powers
from zksolv.transcript import Transcript


@dataclass(frozen=True)
class Statement:
    """One range proof to check: its transcript (with the caller's context), the proof,
    the commitments V_j and the bit size n."""

    transcript: Transcript
    proof: RangeProof
    commitments: list[Point]
    n: int


def verify(transcript: Transcript, proof: RangeProof, commitments: list[Point], n: int) -> None:
    """Raise InvalidProof unless `proof` shows every V_j commits to a value in [0, 2^n)."""
    batch_verify([Statement(transcript, proof, commitments, n)])


def batch_verify(statements: list[Statement], backend=None, use_kernel: bool = True) -> None:
    """Verify many proofs (any mix of n and m) in one MSM; raise InvalidProof if any fails.

    On the native backend the O(n·m) coefficient work runs in the kernel (`use_kernel`);
    the verdict is the same either way (SPEC.md §5.5)."""
    if not statements:
        return
    be = backend or statements[0].proof.A.backend
    acc = _Accumulator(generators(be), vectors_for(be, use_kernel))
    for s in statements:
        acc.add(s, _weight(), _weight())
    if not acc.total().is_identity:
        raise InvalidProof("range proof does not verify")


def _weight() -> int:
    return 1 + secrets.randbits(128)


class _Accumulator:
    """Scalars of one big check: shared generators summed, per-proof points listed."""

    def __init__(self, gens, vectors):
        self.gens, self.vectors = gens, vectors
        self.g = self.h = self.u = 0
        self.points: list[Point] = []
        self.scalars: list[int] = []

    def add(self, s: Statement, weight: int, c: int) -> None:
        """Proof `s` times its batch weight ω = `weight`, with `c` weighting its t(x) check."""
        ch = _replay(s)
        p, n, m = s.proof, s.n, len(s.commitments)
        wc = weight * c % N
        z_pows = powers(ch.z, m + 3)
        self.vectors.add(ProofVectorTerms(n, m, ch.y_inv, z_pows, ch.u, ch.u_inv, weight, p.a, p.b))
        self._shared_terms(ch, p, n, m, z_pows, weight, wc)
        x = ch.x
        self._point_terms([p.A, p.S, p.T1, p.T2], [weight, weight * x, -wc * x, -wc * x * x])
        self._point_terms(s.commitments, [-wc * zj for zj in z_pows[2 : 2 + m]])
        self._point_terms(p.L, [weight * u * u for u in ch.u])
        self._point_terms(p.R, [weight * ui * ui for ui in ch.u_inv])

    def _shared_terms(self, ch, p, n, m, z_pows, weight, wc) -> None:
        """Add this proof's coefficients of G, H and U (SPEC.md §5.5); G_i, H_i are the vectors'."""
        z = ch.z
        sum_y = _geometric_sum(ch.y, n * m)
        delta = ((z - z * z) * sum_y - ((1 << n) - 1) * sum(z_pows[3 : 3 + m])) % N
        self.g += wc * (p.t_x - delta)
        self.h += -weight * p.e_blinding + wc * p.t_x_blinding
        self.u += weight * ch.w * (p.t_x - p.a * p.b)

    def _point_terms(self, points, scalars) -> None:
        if any(pt.is_identity for pt in points):
            raise InvalidProof("identity point inside a range proof")
        self.points += points
        self.scalars += [k % N for k in scalars]

    def total(self) -> Point:
        base = Point.generator(self.gens.backend)
        return self.vectors.msm(self.gens, [base, self.gens.H, self.gens.U] + self.points,
                                [self.g, self.h, self.u] + self.scalars)


@dataclass
class _Challenges:
    y: int
    z: int
    x: int
    w: int
    u: list[int]
    u_inv: list[int]
    y_inv: int


def _replay(s: Statement) -> _Challenges:
    """Recompute every challenge from the statement and the proof (DESIGN §8.1)."""
    m, p, t = len(s.commitments), s.proof, s.transcript
    st.check_parameters(s.n, m)
    if 1 << p.rounds != s.n * m:
        raise InvalidProof(f"proof has {p.rounds} rounds, n·m = {s.n * m} needs log2 of it")
    if len(p.R) != len(p.L):   # only a proof built in memory can: from_bytes pairs them
        raise InvalidProof(f"proof has {len(p.L)} L points but {len(p.R)} R points")
    if any(v.is_identity for v in s.commitments):
        raise InvalidProof("identity commitment in a range proof statement")
    st.bind_statement(t, s.n, m, s.commitments)
    t.append_point(st.LABEL_A, p.A)
    t.append_point(st.LABEL_S, p.S)
    y = t.challenge_scalar(st.LABEL_Y)
    z = t.challenge_scalar(st.LABEL_Z)
    t.append_point(st.LABEL_T1, p.T1)
    t.append_point(st.LABEL_T2, p.T2)
    x = t.challenge_scalar(st.LABEL_X)
    t.append_scalar(st.LABEL_TX, p.t_x)
    t.append_scalar(st.LABEL_TX_BLINDING, p.t_x_blinding)
    t.append_scalar(st.LABEL_E_BLINDING, p.e_blinding)
    w = t.challenge_scalar(st.LABEL_W)
    us = []
    for left, right in zip(p.L, p.R):
        t.append_point(st.LABEL_L, left)
        t.append_point(st.LABEL_R, right)
        us.append(t.challenge_scalar(st.LABEL_U))
    inverses = batch_invert(us + [y])
    return _Challenges(y, z, x, w, us, inverses[:-1], inverses[-1])


def _geometric_sum(y: int, count: int) -> int:
    """Σ_(i<count) y^i mod n in closed form."""
    if y == 1:
        return count % N
    return (pow(y, count, N) - 1) * pow(y - 1, -1, N) % N
