"""The public shape of every margin leaf of a round, and why none of its claims can wrap
modulo n (MARGIN.md §7–§8; SPEC.md §6.5.1 extended).

A leaf has *slots* — committed values, per asset in sorted order: the tier pieces
e[a][0] … e[a][T−1], then the debt d[a] — and *claims*, each a linear combination
`constant + Σ coefficient·slot` proven in [0, 2^(64·k)) over k limbs (widerange.py):

    per asset a:  piece/a/t   e[a][t]                     k_t (below)
                  room/a/t    width_t − e[a][t]           k_t, bounded tiers with width_t < 2^lb − 1
                  debt/a      d[a]                        lb/64
    per scenario: value/s     Σ coll[s][a][t]·e[a][t] − Σ debt[s][a]·d[a]   fewest limbs for its max
                              (zero coefficients left out; none left: no claim, v_s = 0)

lb is the asset's leaf_bits. A bounded tier whose width is below 2^lb − 1 proves its piece
and its room on the fewest limbs that hold the width (together: 0 ≤ e ≤ width_t); a wider
tier cannot be over-filled by an amount below 2^lb, so it has no room claim and its piece
takes lb bits, like the last tier. Every layout is built from public data alone (the
coefficient tables and leaf_bits), identically by prover and verifier, and each claim
passes zksolv.bounds' no-wrap check before anything is proven or believed.
"""

from dataclasses import dataclass

from zksolv import bounds
from zksolv.accounts import tree as account_tree, widerange
from zksolv.errors import InputError
from zksolv.market import Coefficients

MAX_COEFFICIENT_BITS = 192
"""|coefficient| of a margin claim: rate (bp) × price × scale exceeds the spot statements'
2^64; anything ≥ 2^192 would make one base unit overflow the widest claim anyway."""


@dataclass(frozen=True, slots=True)
class Claim:
    """`constant + Σ coefficient·slot ∈ [0, 2^(64·limbs))`."""

    name: str
    constant: int
    terms: tuple[tuple[int, int], ...]  # (slot index, coefficient)
    limbs: int

    def value(self, slot_values) -> int:
        return self.constant + sum(k * slot_values[i] for i, k in self.terms)


@dataclass(frozen=True, slots=True)
class Layout:
    assets: tuple[str, ...]
    leaf_bits: tuple[int, ...]
    widths: tuple[tuple[int, ...], ...]   # bounded tiers' widths per asset
    slots: tuple[str, ...]
    claims: tuple[Claim, ...]

    def pieces(self, asset: int) -> range:
        """Slot indices of asset `asset`'s tier pieces (its debt slot follows them)."""
        first = sum(len(w) + 2 for w in self.widths[:asset])
        return range(first, first + len(self.widths[asset]) + 1)

    def debt(self, asset: int) -> int:
        return self.pieces(asset).stop

    @property
    def limb_values(self) -> int:
        """V: the number of 64-bit values one leaf range-proves."""
        return sum(c.limbs for c in self.claims)

    @property
    def published_limbs(self) -> int:
        return sum(c.limbs - 1 for c in self.claims)


def build(coeffs: Coefficients, leaf_bits: dict[str, int]) -> Layout:
    """The layout of a round's margin leaves; InputError if any claim could wrap or an
    honest value could outgrow its claim (prices × decimals too large)."""
    slots, claims, bound = [], [], []
    for a in coeffs.assets:
        lb = leaf_bits[a]
        bounds.liabilities_bound(lb, 1)  # leaf_bits is one of bounds.LEAF_BITS
        _asset_claims(a, lb, coeffs.widths[a], slots, claims, bound)
    for s, name in enumerate(coeffs.scenarios):
        claim = _value_claim(coeffs, s, name, bound)
        if claim.terms:  # every price of the scenario shocked to 0: v_s = 0, nothing to prove
            claims.append(_checked(claim, dict(enumerate(bound))))
    lay = Layout(coeffs.assets, tuple(leaf_bits[a] for a in coeffs.assets),
                 tuple(coeffs.widths[a] for a in coeffs.assets), tuple(slots), tuple(claims))
    widerange.part_sizes(lay.limb_values)  # InputError if too many values for one leaf's proofs
    return lay


def _asset_claims(a: str, lb: int, widths, slots, claims, bound) -> None:
    """Append asset a's slots (pieces, debt), their claims, and each slot's bound once its
    claims are proven: ≤ width_t for a piece with a room claim, < 2^lb otherwise."""
    full = lb // widerange.LIMB_BITS
    for t, width in enumerate(widths):
        i = _slot(slots, bound, f"piece/{a}/{t}")
        wide = width >= (1 << lb) - 1   # no amount below 2^lb over-fills it
        k = full if wide else widerange.limbs_needed(width)
        claims.append(_checked(Claim(slots[i], 0, ((i, 1),), k), {}))
        bound[i] = 1 << lb if wide else width + 1
        if not wide:  # e ranges over what its piece claim proved: [0, 2^(64·k))
            span = {i: 1 << (widerange.LIMB_BITS * k)}
            claims.append(_checked(Claim(f"room/{a}/{t}", width, ((i, -1),), k), span))
    for name in (f"piece/{a}/{len(widths)}", f"debt/{a}"):
        i = _slot(slots, bound, name)
        claims.append(_checked(Claim(name, 0, ((i, 1),), full), {}))
        bound[i] = 1 << lb


def _slot(slots: list, bound: list, name: str) -> int:
    slots.append(name)
    bound.append(None)
    return len(slots) - 1


def _value_claim(coeffs: Coefficients, s: int, name: str, bound) -> Claim:
    """v_s on the fewest limbs that hold its largest value given every slot's bound; terms
    with coefficient 0 (a 0 % tier, a price shocked to 0) are left out."""
    terms, i = [], 0
    for a in coeffs.assets:
        for k in coeffs.collateral[s][a]:
            terms.append((i, k))
            i += 1
        terms.append((i, -coeffs.debt[s][a]))
        i += 1
    terms = [(i, k) for i, k in terms if k]
    high = _interval(terms, 0, dict(enumerate(bound)))[1]
    try:
        limbs = widerange.limbs_needed(high)
    except InputError:
        raise InputError(f"scenario {name}: an account's value can reach 2^{high.bit_length() - 1}, "
                         f"beyond {widerange.MAX_LIMBS} limbs of {widerange.LIMB_BITS} bits "
                         "(prices × decimals too large)") from None
    return Claim(f"value/{name}", 0, tuple(terms), limbs)


def _interval(terms, constant: int, bound) -> tuple[int, int]:
    return bounds.combination_interval([(1, constant, None)] + [(k, None, bound[i]) for i, k in terms],
                                       MAX_COEFFICIENT_BITS)


def _checked(claim: Claim, spans: dict[int, int]) -> Claim:
    """SPEC.md §6.5.1 for one claim, each slot ranging over [0, spans[slot]); a claim on a
    slot alone ranges it over the claim's own width (it is what defines the slot's range)."""
    bits = widerange.LIMB_BITS * claim.limbs
    low, high = _interval(claim.terms, claim.constant, {i: spans.get(i, 1 << bits) for i, _ in claim.terms})
    bounds.check_no_wrap(claim.name, low, high, bits)
    bounds.check_provable(claim.name, high, bits)
    return claim


def sum_bounds(lay: Layout, capacity: int) -> dict[str, tuple[int, int]]:
    """Per asset, exclusive upper bounds (B_E, B_D) of the account tree's sums E[a], D[a]
    once every leaf's claims are audited (MARGIN.md §8): each piece ≤ min(width, 2^lb − 1),
    the last piece and the debt < 2^lb; within MARGIN.md's cap·T·2^lb and cap·2^lb."""
    out = {}
    for a, lb, widths in zip(lay.assets, lay.leaf_bits, lay.widths):
        top = (1 << lb) - 1
        per_leaf = sum(min(w, top) for w in widths) + top
        bounds.liabilities_bound(lb, 1)          # leaf_bits one of bounds.LEAF_BITS
        try:
            account_tree.check_capacity(capacity)     # a power of two or a multiple of 1,024, ≤ 2^32
        except ValueError as exc:
            raise InputError(str(exc)) from None
        out[a] = (capacity * per_leaf + 1, capacity * top + 1)
    return out
