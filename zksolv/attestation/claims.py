"""The statements of a margin round over the tree roots, as wide range claims
(MARGIN.md §5, §10; SPEC.md §6.12).

Committed terms are the roots' sums: `L/a` (the spot tree of asset a), `E/a` and `D/a` (the
account tree's equity and debt of asset a). Each statement is `constant + Σ k·term`, proven
in [0, 2^(64·limbs)) by accounts/widerange.py; the limb count follows from public data alone
(the statement's largest value given every term's bound), so prover and verifier agree on it:

    solvency/a:  R_a − L/a − E/a + D/a
    coverage/a:  q·R_a − p·(L/a + E/a − D/a)                       (per-asset --coverage p/q)
    firm/s:      Σ_a q·Pc[s][a]·W_a·R_a − p·Pd[s][a]·W_a·(L/a + E/a) + p·Pc[s][a]·W_a·D/a
                                                                    (--firm-coverage p/q)

Every claim passes zksolv.bounds' no-wrap check with the true capacities before anything
is proven or believed.
"""

from dataclasses import dataclass

from zksolv import bounds, rangeproof
from zksolv.accounts import widerange
from zksolv.accounts.layout import MAX_COEFFICIENT_BITS, Layout, sum_bounds
from zksolv.errors import InputError, InvalidProof
from zksolv.group import N, Point, base_mul, msm
from zksolv.market import Coefficients
from zksolv.rangeproof import RangeProof, Statement


@dataclass(frozen=True)
class RoundClaim:
    """One statement: `asset` ("" for firm-wide), `name` as bound in its transcript."""

    asset: str
    name: str
    constant: int
    terms: tuple[tuple[int, str], ...]   # (coefficient, committed term)
    limbs: int = 0

    def value(self, values: dict[str, int]) -> int:
        return self.constant + sum(k * values[t] for k, t in self.terms)

    def blinding(self, blindings: dict[str, int]) -> int:
        return sum(k * blindings[t] for k, t in self.terms) % N

    def commitment(self, points: dict[str, Point]) -> Point:
        """D = [constant]G + Σ [k]term: what the range claim is about."""
        clear = base_mul(self.constant % N)
        if not self.terms:
            return clear
        point = msm([points[t] for _, t in self.terms], [k % N for k, _ in self.terms])
        return point + clear if self.constant % N else point


@dataclass(frozen=True)
class RoundShape:
    """The public data the statements depend on."""

    reserves: dict[str, int]            # R_a
    leaf_bits: dict[str, int]
    spot_capacity: dict[str, int]
    margin_capacity: int
    coverage: tuple[int, int] | None    # per asset
    firm: tuple[int, int]


def term_bounds(shape: RoundShape, layout: Layout) -> dict[str, int]:
    """Exclusive upper bound of every committed term once every leaf's claims are audited."""
    out = {f"L/{a}": bounds.liabilities_bound(lb, shape.spot_capacity[a]) for a, lb in shape.leaf_bits.items()}
    for a, (b_e, b_d) in sum_bounds(layout, shape.margin_capacity).items():
        out[f"E/{a}"], out[f"D/{a}"] = b_e, b_d
    return out


def round_claims(shape: RoundShape, coeffs: Coefficients, layout: Layout) -> list[RoundClaim]:
    """Every statement of the round in manifest order, each with its limb count; InputError
    if any could wrap modulo n or cannot be proven on at most 3 limbs."""
    bound = term_bounds(shape, layout)
    return [_sized(c, bound) for c in _unsized(shape, coeffs)]


def _unsized(shape: RoundShape, coeffs: Coefficients):
    for a in coeffs.assets:
        net = ((-1, f"L/{a}"), (-1, f"E/{a}"), (1, f"D/{a}"))
        yield RoundClaim(a, "solvency", shape.reserves[a], net)
        if shape.coverage:
            p, q = shape.coverage
            yield RoundClaim(a, "coverage", q * shape.reserves[a], tuple((p * k, t) for k, t in net))
    p, q = shape.firm
    for s, name in enumerate(coeffs.scenarios):
        low, high, w = coeffs.collateral_price[s], coeffs.debt_price[s], coeffs.scale
        constant = sum(q * low[a] * w[a] * shape.reserves[a] for a in coeffs.assets)
        terms = []
        for a in coeffs.assets:
            terms += [(-p * high[a] * w[a], f"L/{a}"), (-p * high[a] * w[a], f"E/{a}"),
                      (p * low[a] * w[a], f"D/{a}")]
        yield RoundClaim("", f"firm/{name}", constant, tuple((k, t) for k, t in terms if k))


def _sized(claim: RoundClaim, bound: dict[str, int]) -> RoundClaim:
    """The claim with the fewest limbs holding its largest value, checked not to wrap."""
    where = f"{claim.asset}: {claim.name}" if claim.asset else claim.name
    try:
        low, high = bounds.combination_interval(
            [(1, claim.constant, None)] + [(k, None, bound[t]) for k, t in claim.terms], MAX_COEFFICIENT_BITS)
        limbs = widerange.limbs_needed(high)
        bounds.check_no_wrap(where, low, high, widerange.LIMB_BITS * limbs)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    return RoundClaim(claim.asset, claim.name, claim.constant, claim.terms, limbs)


@dataclass(frozen=True)
class WideProof:
    """A claim's published part: its high-limb commitments and one range proof per part."""

    highs: tuple[bytes, ...]
    proofs: tuple[bytes, ...]


def prove_claim(claim: RoundClaim, value: int, blinding: int, transcript_for, high_blinding,
                rng_for) -> WideProof:
    """Prove `value` (the claim's, opened with `blinding`) in [0, 2^(64·limbs))."""
    opened = widerange.open_claim(widerange.split(value, claim.limbs), blinding, high_blinding)
    proofs = widerange.prove_parts(transcript_for, opened.values, opened.blindings, rng_for)
    return WideProof(tuple(p.to_bytes() for p in opened.highs), tuple(p.to_bytes() for p in proofs))


def claim_statements(claim: RoundClaim, points: dict[str, Point], proof: WideProof,
                     transcript_for) -> list[Statement]:
    """The range-proof statements that show the claim, its limbs derived here; InvalidProof
    if the published limbs or proofs do not have the claim's public shape."""
    where = f"{claim.asset}: {claim.name}" if claim.asset else claim.name
    if len(proof.highs) != claim.limbs - 1:
        raise InvalidProof(f"{where}: {len(proof.highs) + 1} limbs published, the bounds fix {claim.limbs}")
    highs = [Point.from_bytes(h) for h in proof.highs]      # EncodingError if not canonical
    parts = [RangeProof.from_bytes(p) for p in proof.proofs]
    limbs = widerange.derive_limbs(claim.commitment(points), highs)
    return widerange.statements(transcript_for, limbs, parts)


def verify_claim(claim: RoundClaim, points: dict[str, Point], proof: WideProof, transcript_for) -> None:
    where = f"{claim.asset}: {claim.name}" if claim.asset else claim.name
    try:
        rangeproof.batch_verify(claim_statements(claim, points, proof, transcript_for))
    except InvalidProof:
        raise InvalidProof(f"{where}: the proof does not verify") from None
