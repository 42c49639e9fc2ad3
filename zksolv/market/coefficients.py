"""The integer coefficients of the margin statements (SPEC.md §6.12; DESIGN §11).

Everything is exact: prices are integers in quote minor units per whole unit, rates and the
minimum collateral ratio are in basis points, amounts are base units brought to one scale
by W_a = 10^(Z − decimals_a). Scenario prices are the only rounding, and it is conservative:
collateral and reserves at the price rounded down, debts and liabilities rounded up.
"""

from dataclasses import dataclass

BP = 10_000  # basis points in 1 (100 %)


@dataclass(frozen=True)
class AssetTerms:
    """One asset's market data, parsed: price P (quote minor units per whole unit), haircut
    tiers as (upper bound in base units or None for the last, rate in basis points)."""

    price: int
    tiers: tuple[tuple[int | None, int], ...]

    @property
    def widths(self) -> tuple[int, ...]:
        """Base units each bounded tier holds; the last tier is unbounded (not listed)."""
        uppers = [u for u, _ in self.tiers[:-1]]
        return tuple(b - a for a, b in zip([0] + uppers, uppers))

    @property
    def rates(self) -> tuple[int, ...]:
        return tuple(r for _, r in self.tiers)


@dataclass(frozen=True)
class Scenario:
    name: str
    factor_bp: dict[str, int]  # asset → 10000 + shock in basis points; absent: 10000


@dataclass(frozen=True)
class Coefficients:
    """Per scenario (base first) the collateral coefficient of every tier piece and the debt
    coefficient of every asset; `scale[a]` = W_a (SPEC.md §6.12.3–4)."""

    assets: tuple[str, ...]
    scenarios: tuple[str, ...]
    scale: dict[str, int]
    widths: dict[str, tuple[int, ...]]
    collateral: tuple[dict[str, tuple[int, ...]], ...]
    debt: tuple[dict[str, int], ...]
    collateral_price: tuple[dict[str, int], ...]
    debt_price: tuple[dict[str, int], ...]


def collateral_price(price: int, factor_bp: int) -> int:
    """A scenario's price for what the exchange holds or is owed: rounded down."""
    return price * factor_bp // BP


def debt_price(price: int, factor_bp: int) -> int:
    """A scenario's price for what the exchange owes (and debts it must cover): rounded up."""
    return -(-price * factor_bp // BP)


def scales(decimals: dict[str, int]) -> dict[str, int]:
    """W_a = 10^(Z − decimals_a), Z the largest decimals: one common unit for every asset."""
    z = max(decimals.values())
    return {a: 10 ** (z - d) for a, d in decimals.items()}


def coefficients(terms: dict[str, AssetTerms], decimals: dict[str, int], mu_bp: int,
                 scenarios: tuple[Scenario, ...]) -> Coefficients:
    """The coefficient tables of SPEC.md §6.12.4 for every scenario, base first."""
    assets = tuple(sorted(terms))
    w = scales({a: decimals[a] for a in assets})
    all_scenarios = (Scenario("base", {}),) + tuple(scenarios)
    cp = tuple({a: collateral_price(terms[a].price, s.factor_bp.get(a, BP)) for a in assets}
               for s in all_scenarios)
    dp = tuple({a: debt_price(terms[a].price, s.factor_bp.get(a, BP)) for a in assets}
               for s in all_scenarios)
    collateral = tuple({a: tuple(rate * prices[a] * w[a] for rate in terms[a].rates) for a in assets}
                       for prices in cp)
    debt = tuple({a: mu_bp * prices[a] * w[a] for a in assets} for prices in dp)
    return Coefficients(assets, tuple(s.name for s in all_scenarios), w,
                        {a: terms[a].widths for a in assets}, collateral, debt, cp, dp)


def tier_pieces(units: int, widths: tuple[int, ...]) -> tuple[int, ...]:
    """Equity cut greedily into tier pieces: each bounded tier filled to its width in turn,
    the last tier takes the rest (len(widths) + 1 pieces)."""
    pieces, rest = [], units
    for width in widths:
        take = min(rest, width)
        pieces.append(take)
        rest -= take
    return tuple(pieces) + (rest,)


def collateral_value(coeffs: Coefficients, scenario: int, equity: dict[str, int]) -> int:
    """Σ coll[s][a][t]·e[a][t]: an account's equity after haircuts, in the common unit."""
    return sum(c * e for a in coeffs.assets
               for c, e in zip(coeffs.collateral[scenario][a], tier_pieces(equity.get(a, 0), coeffs.widths[a])))


def account_value(coeffs: Coefficients, scenario: int, equity: dict[str, int], debt: dict[str, int]) -> int:
    """v_s of SPEC.md §6.12.4 on plain integers: haircut collateral minus μ × debt, in the
    common unit; an account is collateralized at scenario s iff this is ≥ 0."""
    return collateral_value(coeffs, scenario, equity) - sum(
        coeffs.debt[scenario][a] * debt.get(a, 0) for a in coeffs.assets)
