"""Margin coefficients on plain integers (SPEC.md §6.12): tier filling and rounding direction."""

from hypothesis import given, strategies as st

from zksolv.market import AssetTerms, Scenario, account_value, coefficients, tier_pieces
from zksolv.market.coefficients import collateral_price, debt_price

WIDTHS = st.lists(st.integers(1, 10**6), max_size=4).map(tuple)


@given(st.integers(0, 10**8), WIDTHS)
def test_tier_pieces_fill_in_order_and_sum_to_the_amount(units, widths):
    pieces = tier_pieces(units, widths)
    assert sum(pieces) == units and len(pieces) == len(widths) + 1
    for i, (piece, width) in enumerate(zip(pieces, widths)):
        assert 0 <= piece <= width
        if piece < width:  # a tier not full: nothing spills into later tiers
            assert not any(pieces[i + 1:])


@given(st.integers(1, 10**12), st.integers(0, 20_000))
def test_scenario_prices_round_against_the_exchange(price, factor):
    low, high = collateral_price(price, factor), debt_price(price, factor)
    assert low * 10_000 <= price * factor <= high * 10_000
    assert high - low == (0 if price * factor % 10_000 == 0 else 1)


def test_boundary_account_at_exactly_the_minimum():
    """1 BTC at 95 % against a debt of 0.95 BTC-worth of USDT at μ = 100 %: value 0 passes,
    one USDT base unit more of debt fails."""
    terms = {"BTC": AssetTerms(100_00, ((None, 9500),)), "USDT": AssetTerms(1_00, ((None, 10_000),))}
    coeffs = coefficients(terms, {"BTC": 8, "USDT": 6}, 10_000, ())
    debt = 95 * 10**6  # 95 USDT against 1 BTC at 100 USD, 95 % haircut value
    assert account_value(coeffs, 0, {"BTC": 10**8}, {"USDT": debt}) == 0
    assert account_value(coeffs, 0, {"BTC": 10**8}, {"USDT": debt + 1}) < 0
    assert account_value(coeffs, 0, {"BTC": 10**8 - 1}, {"USDT": debt}) < 0


def test_a_shock_that_does_not_divide_evenly_is_rounded_conservatively():
    terms = {"X": AssetTerms(3, ((None, 10_000),))}
    crash = Scenario("crash", {"X": 10_000 - 3_333})  # −33.33 %: 3 → 2.0001
    coeffs = coefficients(terms, {"X": 0}, 10_000, (crash,))
    assert coeffs.collateral_price[1]["X"] == 2 and coeffs.debt_price[1]["X"] == 3


@given(st.dictionaries(st.sampled_from(["A", "B", "C"]), st.integers(0, 3 * 10**8), min_size=1),
       st.sampled_from(["A", "B", "C"]))
def test_synthetic_debts_are_collateralized_at_every_scenario(holding, owed):
    """The demo's and the benchmarks' margin customers pass the reference they are built for."""
    from zksolv.market.synthetic import with_debt

    terms = {a: AssetTerms(p, ((10**8, 9500), (2 * 10**8, 8000), (None, 5000)))
             for a, p in (("A", 97_000_00), ("B", 3_600_00), ("C", 1_00))}
    crash = Scenario("crash", {"A": 6000, "B": 5000})
    coeffs = coefficients(terms, dict.fromkeys(terms, 8), 11_000, (crash,))
    account = with_debt(coeffs, holding, owed)
    equity = {a: x for a, x in account.items() if x > 0}
    debt = {a: -x for a, x in account.items() if x < 0}
    assert all(account_value(coeffs, s, equity, debt) >= 0 for s in range(2))
    if debt:  # half the worst-case room is left: twice the debt would not fit everywhere
        assert any(account_value(coeffs, s, equity, {owed: 3 * debt[owed] + 3}) < 0 for s in range(2))
