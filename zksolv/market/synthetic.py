"""Synthetic margin books for the demo and the benchmarks (not used by prove or verify).

A margin customer here holds equity in every asset but one and owes that one: a debt sized
at a fraction of what their haircut collateral covers at the worst scenario, so the account
is collateralized at every price by construction (SPEC.md §6.12.4).
"""

from zksolv.market.coefficients import Coefficients, collateral_value


def safe_debt(coeffs: Coefficients, equity: dict[str, int], asset: str, share: float = 0.5) -> int:
    """Base units of `asset` the account may owe with `share` of its worst-scenario margin
    left unused; 0 when its collateral covers nothing."""
    room = min(collateral_value(coeffs, s, equity) // coeffs.debt[s][asset]
               for s in range(len(coeffs.scenarios)) if coeffs.debt[s][asset])
    return int(room * share)


def with_debt(coeffs: Coefficients, holding: dict[str, int], asset: str, share: float = 0.5) -> dict[str, int]:
    """`holding` with its `asset` balance turned into a safe debt (unchanged if none fits)."""
    equity = {a: x for a, x in holding.items() if a != asset and x > 0}
    debt = safe_debt(coeffs, equity, asset, share)
    return {**equity, asset: -debt} if debt else holding
