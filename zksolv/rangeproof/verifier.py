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
from zksolv.group import N, Point, msm
from zksolv.rangeproof import statement as st
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


def batch_verify(statements: list[Statement], backend=None) -> None:
    """Verify many proofs (any mix of n and m) in one MSM; raise InvalidProof if any fails."""
    if not statements:
        return
    acc = _Accumulator(generators(backend or statements[0].proof.A.backend))
    for s in statements:
        acc.add(s, _weight())
    if not acc.total().is_identity:
        raise InvalidProof("range proof does not verify")


def _weight() -> int:
    return 1 + secrets.randbits(128)


class _Accumulator:
    """Scalars of one big check: shared generators summed, per-proof points listed."""

    def __init__(self, gens):
        self.gens = gens
        self.g = self.h = self.u = 0
        self.gvec: list[int] = []
        self.hvec: list[int] = []
        self.points: list[Point] = []
        self.scalars: list[int] = []

    def add(self, s: Statement, weight: int) -> None:
        ch = _replay(s)
        p, n, m = s.proof, s.n, len(s.commitments)
        size = n * m
        if len(self.gvec) < size:
            self.gvec += [0] * (size - len(self.gvec))
            self.hvec += [0] * (size - len(self.hvec))
        c = _weight()
        wc = weight * c % N
        self._shared_terms(ch, p, n, m, weight, wc)
        x = ch.x
        self._point_terms([p.A, p.S, p.T1, p.T2], [weight, weight * x, -wc * x, -wc * x * x])
        z_pows = powers(ch.z, m + 2)
        self._point_terms(s.commitments, [-wc * zj for zj in z_pows[2:]])
        self._point_terms(p.L, [weight * u * u for u in ch.u])
        self._point_terms(p.R, [weight * ui * ui for ui in ch.u_inv])

    def _shared_terms(self, ch, p, n, m, weight, wc) -> None:
        """Add this proof's coefficients of G_i, H_i, G, H and U (SPEC.md §5.5)."""
        size = n * m
        z = ch.z
        z_pows = powers(z, m + 3)
        s = _s_vector(ch.u, ch.u_inv)
        zw, aw, bw = weight * z, weight * p.a, weight * p.b
        # z^(2+j)·2^i for bit i of value j, times the weight: shifts, not multiplications.
        bit_terms = [zj * weight << i for zj in z_pows[2 : 2 + m] for i in range(n)]
        y_inv_pows = powers(pow(ch.y, -1, N), size)
        self.gvec[:size] = [g - zw - aw * si for g, si in zip(self.gvec, s)]
        self.hvec[:size] = [
            h + zw + yi * (bt - bw * si) % N
            for h, yi, bt, si in zip(self.hvec, y_inv_pows, bit_terms, reversed(s))
        ]
        sum_y = _geometric_sum(ch.y, size)
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
        gens = self.gens
        G, H = gens.vectors(len(self.gvec))
        base = Point.generator(gens.backend)
        return msm(
            [base, gens.H, gens.U] + G + H + self.points,
            [self.g % N, self.h % N, self.u % N] + [k % N for k in self.gvec]
            + [k % N for k in self.hvec] + self.scalars,
        )


@dataclass
class _Challenges:
    y: int
    z: int
    x: int
    w: int
    u: list[int]
    u_inv: list[int]


def _replay(s: Statement) -> _Challenges:
    """Recompute every challenge from the statement and the proof (DESIGN §8.1)."""
    m, p, t = len(s.commitments), s.proof, s.transcript
    st.check_parameters(s.n, m)
    if 1 << p.rounds != s.n * m:
        raise InvalidProof(f"proof has {p.rounds} rounds, n·m = {s.n * m} needs log2 of it")
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
    return _Challenges(y, z, x, w, us, batch_invert(us))


def _geometric_sum(y: int, count: int) -> int:
    """Σ_(i<count) y^i mod n in closed form."""
    if y == 1:
        return count % N
    return (pow(y, count, N) - 1) * pow(y - 1, -1, N) % N


def _s_vector(u: list[int], u_inv: list[int]) -> list[int]:
    """s_i = Π_j u_j^(±1), + where bit (k−1−j) of i is set (round j splits on that bit)."""
    k = len(u)
    s = [0] * (1 << k)
    acc = 1
    for ui in u_inv:
        acc = acc * ui % N
    s[0] = acc
    u_sq = [x * x % N for x in u]
    for i in range(1, 1 << k):
        lg = i.bit_length() - 1
        s[i] = s[i - (1 << lg)] * u_sq[k - 1 - lg] % N
    return s
