"""A margin round evaluated on plain integers, without commitments (SPEC.md §6.12.5).

The independent reference the proofs are compared with, and what `prove` consults to refuse:
which accounts are under-collateralized at which prices, each asset's net liability against
its reserves, and the firm-wide coverage at every scenario. Values are exact; the only
rounding is the scenario prices' (coefficients.py) and the shortfalls' (up, to the quote's
minor unit: a shortfall is never understated).
"""

from dataclasses import dataclass
from fractions import Fraction

from zksolv.bounds import check_ratio
from zksolv.errors import InputError
from zksolv.market.coefficients import BP, Coefficients, account_value
from zksolv.market.file import Market
from zksolv.market.fixed import format_fixed


@dataclass(frozen=True)
class Shortfall:
    """An account under-collateralized at one scenario's prices: `minor_units` of the quote
    (rounded up) is how much haircut collateral value it lacks."""

    user_id: str
    scenario: str
    minor_units: int


@dataclass(frozen=True)
class AssetPosition:
    """Reserves against net liabilities (spot balances + margin equity − margin debts), in
    base units; the net liability may be negative when customers owe more than they hold."""

    asset: str
    reserves: int
    net_liabilities: int

    @property
    def solvent(self) -> bool:
        return self.reserves >= self.net_liabilities


@dataclass(frozen=True)
class FirmCoverage:
    """One scenario's firm-wide values in the common unit (10^−Z quote minor units):
    reserves at the low prices; liabilities at the high ones less debts at the low ones."""

    scenario: str
    reserves_value: int
    liabilities_value: int
    covered: bool

    @property
    def ratio(self) -> Fraction | None:
        """Reserves / net liabilities; None when nothing is owed net (any ratio holds)."""
        if self.liabilities_value <= 0:
            return None
        return Fraction(self.reserves_value, self.liabilities_value)


@dataclass(frozen=True)
class Verdict:
    shortfalls: tuple[Shortfall, ...]
    assets: dict[str, AssetPosition]
    firm: tuple[FirmCoverage, ...]

    @property
    def ok(self) -> bool:
        """True iff every statement of the round holds: only then may `prove` proceed."""
        return (not self.shortfalls and all(p.solvent for p in self.assets.values())
                and all(f.covered for f in self.firm))

    def failing_accounts(self) -> int:
        return len({s.user_id for s in self.shortfalls})

    def failures_by_scenario(self) -> dict[str, int]:
        """How many accounts fail at each scenario (base included), in scenario order."""
        counts: dict[str, int] = {}
        for s in self.shortfalls:
            counts[s.scenario] = counts.get(s.scenario, 0) + 1
        return counts


def evaluate(holdings: dict[str, dict[str, int]], spot: dict[str, int], reserves: dict[str, int],
             market: Market, decimals: dict[str, int], ratio: tuple[int, int] = (1, 1)) -> Verdict:
    """Every margin statement of a round on plain integers. `holdings`: margin accounts'
    signed base units per asset (negative: a debt); `spot`: per asset the sum of the spot
    accounts' balances; `reserves`: R_a; `ratio` p/q: the firm-wide coverage asked for."""
    p, q = ratio
    check_ratio(p, q)
    coeffs = market.coefficients(decimals)
    unit = minor_unit(decimals)
    shortfalls = tuple(s for user in sorted(holdings)
                       for s in account_shortfalls(user, holdings[user], coeffs, unit))
    equity, debt = margin_totals(holdings, coeffs.assets)
    positions = {a: AssetPosition(a, reserves.get(a, 0), spot.get(a, 0) + equity[a] - debt[a])
                 for a in coeffs.assets}
    firm = tuple(firm_coverage(coeffs, s, spot, equity, debt, reserves, (p, q))
                 for s in range(len(coeffs.scenarios)))
    return Verdict(shortfalls, positions, firm)


def partition(accounts: dict[str, dict[str, int]]) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """A ledger's accounts as (margin accounts: those with a debt, spot totals per asset).
    Verdicts do not depend on the split (SPEC.md §6.12.5); this one keeps spot accounts spot."""
    margin, spot = {}, {}
    for user, holding in accounts.items():
        if any(x < 0 for x in holding.values()):
            margin[user] = holding
        else:
            for a, x in holding.items():
                spot[a] = spot.get(a, 0) + x
    return margin, spot


def minor_unit(decimals: dict[str, int]) -> int:
    """One quote minor unit in account_value's unit: BP (rates in basis points) · 10^Z."""
    return BP * 10 ** max(decimals.values())


def split(holding: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """A signed holding as (equity, debt), both non-negative."""
    return ({a: x for a, x in holding.items() if x > 0}, {a: -x for a, x in holding.items() if x < 0})


def account_shortfalls(user: str, holding: dict[str, int], coeffs: Coefficients,
                       unit: int) -> list[Shortfall]:
    """The scenarios (base first) at which the account's value v_s is negative."""
    unknown = sorted(set(holding) - set(coeffs.assets))
    if unknown:
        raise InputError(f"account {user!r} holds {unknown[0]}, which the market file does not price")
    equity, debt = split(holding)
    found = []
    for s, name in enumerate(coeffs.scenarios):
        value = account_value(coeffs, s, equity, debt)
        if value < 0:
            found.append(Shortfall(user, name, -(value // unit)))  # −⌊v/unit⌋ = ⌈−v/unit⌉
    return found


def margin_totals(holdings, assets) -> tuple[dict[str, int], dict[str, int]]:
    """E[a] and D[a]: the margin accounts' equity and debt per asset."""
    equity, debt = dict.fromkeys(assets, 0), dict.fromkeys(assets, 0)
    for holding in holdings.values():
        for a, x in holding.items():
            if x > 0:
                equity[a] += x
            else:
                debt[a] -= x
    return equity, debt


def firm_coverage(coeffs: Coefficients, s: int, spot, equity, debt, reserves,
                  ratio: tuple[int, int]) -> FirmCoverage:
    """SPEC.md §6.12.5: q·Σ Pc·W·R − p·Σ (Pd·W·(L_spot + E) − Pc·W·D) ≥ 0 at scenario s."""
    low, high, w = coeffs.collateral_price[s], coeffs.debt_price[s], coeffs.scale
    held = sum(low[a] * w[a] * reserves.get(a, 0) for a in coeffs.assets)
    owed = sum(high[a] * w[a] * (spot.get(a, 0) + equity[a]) - low[a] * w[a] * debt[a]
               for a in coeffs.assets)
    p, q = ratio
    return FirmCoverage(coeffs.scenarios[s], held, owed, q * held - p * owed >= 0)


def format_shortfall(shortfall: Shortfall, market: Market) -> str:
    """The shortfall in whole quote units, exact (it is a whole number of minor units)."""
    return format_fixed(shortfall.minor_units, market.decimals)


def format_percent(ratio: Fraction, places: int = 2) -> str:
    """A ratio as a percentage, rounded down to `places` digits (never overstates coverage)."""
    return format_fixed(ratio.numerator * 100 * 10**places // ratio.denominator, places)
