"""The plain-integer reference of a margin round (SPEC.md §6.12.5–6), against hand-computed
numbers and an exact rational evaluation written here from the file's decimal strings."""

import itertools
import os
import stat
from fractions import Fraction
from math import ceil

import pytest
from hypothesis import given, strategies as st

from zksolv.errors import InputError
from zksolv.market import account_value, coefficients, parse, refusals
from zksolv.market.coefficients import AssetTerms
from zksolv.market.reference import Shortfall, evaluate, format_percent, format_shortfall, partition

DECIMALS = {"BTC": 8, "USDT": 6}
BTC, USDT = 10**8, 10**6


def _market(assets, mu="100", scenarios=(), quote_decimals=2, decimals=DECIMALS):
    doc = {"quote": "USD", "decimals": quote_decimals, "assets": assets,
           "min_collateral_percent": mu, "scenarios": list(scenarios)}
    return parse(doc, decimals, "test"), doc


SIMPLE, SIMPLE_DOC = _market(
    {"BTC": {"price": "100.00", "haircut": [[None, "100"]]}, "USDT": {"price": "1.00", "haircut": [[None, "100"]]}},
    scenarios=[{"name": "crash", "shock_percent": {"BTC": "-40"}}])


def _failures(holdings, market=SIMPLE, decimals=DECIMALS):
    verdict = evaluate(holdings, {}, {}, market, decimals)
    return [(s.user_id, s.scenario, format_shortfall(s, market)) for s in verdict.shortfalls]


# --- an exact evaluation, independent of zksolv's integer coefficients ---------------------

def _haircut_value(tiers, amount: Fraction) -> Fraction:
    """Σ rate·piece over the tier table, pieces in whole units, filled in order."""
    value, lower = Fraction(0), Fraction(0)
    for upper, rate in tiers:
        cap = amount if upper is None else min(amount, Fraction(upper))
        value += Fraction(rate) / 100 * max(Fraction(0), cap - lower)
        lower = Fraction(upper) if upper is not None else lower
    return value


def _exact_values(doc, decimals, holding) -> list[Fraction]:
    """Per scenario (base first): haircut collateral − μ·debt in quote units, unrounded."""
    values = []
    for shocks in [{}] + [s["shock_percent"] for s in doc["scenarios"]]:
        total = Fraction(0)
        for asset, units in holding.items():
            spec = doc["assets"][asset]
            price = Fraction(spec["price"]) * (1 + Fraction(shocks.get(asset, "0")) / 100)
            amount = Fraction(units, 10 ** decimals[asset])
            if amount < 0:
                total += Fraction(doc["min_collateral_percent"]) / 100 * price * amount
            else:
                total += price * _haircut_value(spec["haircut"], amount)
        values.append(total)
    return values


def _dec(units: int, places: int) -> str:
    """units·10^−places as a plain decimal string (written here, not with zksolv's formatter)."""
    sign, units = ("-", -units) if units < 0 else ("", units)
    whole, fraction = divmod(units, 10**places)
    return f"{sign}{whole}.{fraction:0{places}d}" if places else f"{sign}{whole}"


def _percent(low_bp, high_bp):
    return st.integers(low_bp, high_bp).map(lambda bp: _dec(bp, 2))


@st.composite
def _random_round(draw):
    """A random two-asset market with one scenario, and a few random margin accounts."""
    decimals = {"X": draw(st.sampled_from([0, 2, 8])), "Y": draw(st.sampled_from([0, 3]))}
    quote_decimals = draw(st.sampled_from([0, 2]))
    assets = {}
    for asset in decimals:
        rates = sorted(draw(st.lists(st.integers(0, 10_000), min_size=1, max_size=3)), reverse=True)
        uppers = sorted(draw(st.lists(st.integers(1, 50), min_size=len(rates) - 1,
                                      max_size=len(rates) - 1, unique=True)))
        tiers = [[str(u), _dec(r, 2)] for u, r in zip(uppers, rates)] + [[None, _dec(rates[-1], 2)]]
        assets[asset] = {"price": _dec(draw(st.integers(1, 10**6)), quote_decimals), "haircut": tiers}
    shocks = {a: draw(_percent(-10_000, 20_000)) for a in decimals if draw(st.booleans())}
    market, doc = _market(assets, draw(_percent(10_000, 30_000)), [{"name": "shock", "shock_percent": shocks}],
                          quote_decimals, decimals)
    amount = st.tuples(st.integers(-10**4, 10**4), st.sampled_from([1, 10**2, 10**6])).map(lambda t: t[0] * t[1])
    holdings = draw(st.dictionaries(st.sampled_from(["u1", "u2", "u3"]),
                                    st.fixed_dictionaries({"X": amount, "Y": amount}), min_size=1))
    return market, doc, decimals, holdings


@given(_random_round())
def test_at_base_prices_the_reference_is_exact(case):
    """No rounding at base: an account fails iff its exact value is negative, and the shortfall
    is the exact one rounded up to the quote's minor unit."""
    market, doc, decimals, holdings = case
    verdict = evaluate(holdings, {}, {}, market, decimals)
    reported = {s.user_id: s.minor_units for s in verdict.shortfalls if s.scenario == "base"}
    for user, holding in holdings.items():
        exact = _exact_values(doc, decimals, holding)[0]
        expected = ceil(-exact * 10 ** doc["decimals"]) if exact < 0 else None
        assert reported.get(user) == expected


@given(_random_round())
def test_scenario_rounding_never_hides_a_shortfall(case):
    """At shocked prices the reference may be stricter than the exact values, never laxer."""
    market, doc, decimals, holdings = case
    verdict = evaluate(holdings, {}, {}, market, decimals)
    reported = {s.user_id: s.minor_units for s in verdict.shortfalls if s.scenario == "shock"}
    for user, holding in holdings.items():
        exact = _exact_values(doc, decimals, holding)[1]
        if exact < 0:
            assert reported[user] >= -exact * 10 ** doc["decimals"]


# --- tier abuse --------------------------------------------------------------------------

@given(st.lists(st.integers(1, 3), max_size=3), st.data())
def test_no_split_across_tiers_beats_the_tier_table(widths, data):
    """Every way of cutting an amount into tier pieces (0 ≤ piece ≤ width, any order of
    filling) is worth at most what account_value credits; the best one is worth exactly that."""
    rates = sorted(data.draw(st.lists(st.integers(0, 10_000), min_size=len(widths) + 1,
                                      max_size=len(widths) + 1)), reverse=True)
    units = data.draw(st.integers(0, sum(widths) + 3))
    uppers = list(itertools.accumulate(widths))
    terms = {"X": AssetTerms(1, tuple(zip(uppers, rates)) + ((None, rates[-1]),))}
    credited = account_value(coefficients(terms, {"X": 0}, 10_000, ()), 0, {"X": units}, {})
    ranges = [range(w + 1) for w in widths]
    splits = [p + (units - sum(p),) for p in itertools.product(*ranges) if sum(p) <= units]
    values = [sum(r * e for r, e in zip(rates, split)) for split in splits]
    assert max(values) == credited


# --- conservative rounding at the boundary ----------------------------------------------------

def test_a_shocked_collateral_price_is_rounded_down_at_the_boundary():
    """X at 3 falls 33.33 % to exactly 2.0001; 10 000 X are worth 20 001 exactly but count as
    20 000. A debt of 20 001 passes on exact arithmetic and is refused here, short by 1."""
    market, _ = _market({"X": {"price": "3", "haircut": [[None, "100"]]}, "Y": {"price": "1", "haircut": [[None, "100"]]}},
                        scenarios=[{"name": "crash", "shock_percent": {"X": "-33.33"}}],
                        quote_decimals=0, decimals={"X": 0, "Y": 0})
    assert _failures({"a": {"X": 10_000, "Y": -20_000}}, market, {"X": 0, "Y": 0}) == []
    assert _failures({"a": {"X": 10_000, "Y": -20_001}}, market, {"X": 0, "Y": 0}) == [("a", "crash", "1")]


def test_a_shocked_debt_price_is_rounded_up_at_the_boundary():
    """Y at 1.00 rises 0.01 %: its debt price is 1.0001, counted as 1.01 (the next cent)."""
    market, _ = _market({"X": {"price": "1.00", "haircut": [[None, "100"]]}, "Y": {"price": "1.00", "haircut": [[None, "100"]]}},
                        scenarios=[{"name": "up", "shock_percent": {"Y": "0.01"}}], decimals={"X": 0, "Y": 0})
    assert _failures({"a": {"X": 101, "Y": -100}}, market, {"X": 0, "Y": 0}) == []
    assert _failures({"a": {"X": 100, "Y": -100}}, market, {"X": 0, "Y": 0}) == [("a", "up", "1")]


def test_the_smallest_shortfall_is_refused():
    """1 X at 99.99 % against 1 Y at 100 %: short by 0.0001 (the smallest step of the common
    unit), refused and reported as 1, the quote's smallest unit."""
    market, _ = _market({"X": {"price": "1", "haircut": [[None, "99.99"]]}, "Y": {"price": "1", "haircut": [[None, "100"]]}},
                        quote_decimals=0, decimals={"X": 0, "Y": 0})
    assert _failures({"a": {"X": 1, "Y": -1}}, market, {"X": 0, "Y": 0}) == [("a", "base", "1")]
    assert _failures({"a": {"X": 2, "Y": -1}}, market, {"X": 0, "Y": 0}) == []


def test_a_shortfall_below_one_cent_is_reported_as_one_cent():
    """1 BTC at 100 USD against a debt of 100.000001 USDT: short by 0.000001, reported 0.01."""
    assert _failures({"a": {"BTC": BTC, "USDT": -(100 * USDT + 1)}}) == [("a", "base", "0.01"), ("a", "crash", "40.01")]


# --- dummy user, fake debt, moved debt, scenarios -------------------------------------------

JUNK, JUNK_DOC = _market({"BTC": {"price": "50000.00", "haircut": [[None, "0"]]},
                          "USDT": {"price": "1.00", "haircut": [[None, "100"]]}})
LOW, LOW_DOC = _market({"BTC": {"price": "100.00", "haircut": [[None, "10"]]},
                        "USDT": {"price": "1.00", "haircut": [[None, "100"]]}}, mu="125")


@given(st.integers(0, 10**20), st.integers(1, 10**15))
def test_equity_in_a_zero_haircut_asset_collateralizes_nothing(junk, debt):
    assert _failures({"dummy": {"BTC": junk, "USDT": -debt}}, JUNK) != []


@given(st.integers(0, 10**12), st.integers(1, 10**12))
def test_equity_in_a_low_haircut_asset_counts_only_at_its_haircut(units, debt):
    """10 % of 100 USD per BTC against 125 % of the debt: fine iff 10·units/10^8 ≥ 1.25·debt/10^6."""
    fine = Fraction(10 * units, 10**8) >= Fraction(125, 100) * Fraction(debt, 10**6)
    assert (_failures({"dummy": {"BTC": units, "USDT": -debt}}, LOW) == []) == fine


@given(st.integers(1, 10**15), st.integers(1, 10**15))
def test_a_debt_without_collateral_is_refused(btc, usdt):
    failures = _failures({"fake": {"BTC": -btc, "USDT": -usdt}})
    assert ("fake", "base") in [(u, s) for u, s, _ in failures]


def test_a_debt_moved_to_leave_one_account_short_is_refused():
    """Two accounts exactly at the minimum; one USDT base unit of debt moved from a to b keeps
    every total the same, but b is now short."""
    before = {"a": {"BTC": BTC, "USDT": -60 * USDT}, "b": {"BTC": BTC, "USDT": -60 * USDT}}
    after = {"a": {"BTC": BTC, "USDT": -60 * USDT + 1}, "b": {"BTC": BTC, "USDT": -60 * USDT - 1}}
    assert _failures(before) == []
    assert _failures(after) == [("b", "crash", "0.01")]
    spot, reserves = {"BTC": 0, "USDT": 200 * USDT}, {"BTC": 2 * BTC, "USDT": 200 * USDT}
    for holdings in (before, after):  # the per-asset and firm-wide checks cannot see the move
        verdict = evaluate(holdings, spot, reserves, SIMPLE, DECIMALS)
        assert [p.net_liabilities for p in verdict.assets.values()] == [2 * BTC, 80 * USDT]
        assert all(f.covered for f in verdict.firm)
    assert not evaluate(after, spot, reserves, SIMPLE, DECIMALS).ok


def test_an_account_fine_at_base_but_failing_in_a_crash_is_refused_naming_the_crash():
    """1 BTC at 100 USD against 70 USDT: fine at base; the crash (−40 %) leaves 60, short 10."""
    verdict = evaluate({"u": {"BTC": BTC, "USDT": -70 * USDT}}, {}, {}, SIMPLE, DECIMALS)
    assert verdict.shortfalls == (Shortfall("u", "crash", 10_00),)
    assert (verdict.failing_accounts(), verdict.failures_by_scenario()) == (1, {"crash": 1})


def test_an_asset_the_market_does_not_price_is_refused():
    with pytest.raises(InputError, match="does not price"):
        evaluate({"u": {"DOGE": 1}}, {}, {}, SIMPLE, DECIMALS)


# --- per asset and firm-wide -----------------------------------------------------------------

ROUND = {"holdings": {"m": {"BTC": BTC, "USDT": -50 * USDT}},
         "spot": {"BTC": 2 * BTC, "USDT": 1000 * USDT}, "reserves": {"BTC": 3 * BTC, "USDT": 1000 * USDT}}


def test_net_liabilities_are_spot_plus_equity_minus_debt():
    verdict = evaluate(**ROUND, market=SIMPLE, decimals=DECIMALS)
    assert {a: (p.net_liabilities, p.solvent) for a, p in verdict.assets.items()} == {
        "BTC": (3 * BTC, True), "USDT": (950 * USDT, True)}
    short = evaluate(ROUND["holdings"], ROUND["spot"], {"BTC": 3 * BTC - 1, "USDT": 1000 * USDT}, SIMPLE, DECIMALS)
    assert not short.assets["BTC"].solvent and not short.ok


def test_firm_wide_coverage_at_every_scenario():
    """Base: reserves 3·100 + 1000 = 1300 USD against (2 + 1)·100 + 1000 − 50 = 1250: 104 %.
    Crash (BTC −40 %): 3·60 + 1000 = 1180 against 3·60 + 950 = 1130: 104.42… %."""
    verdict = evaluate(**ROUND, market=SIMPLE, decimals=DECIMALS, ratio=(26, 25))
    assert [f.ratio for f in verdict.firm] == [Fraction(1300, 1250), Fraction(1180, 1130)]
    assert [f.covered for f in verdict.firm] == [True, True]
    assert [format_percent(f.ratio) for f in verdict.firm] == ["104", "104.42"]
    stricter = evaluate(**ROUND, market=SIMPLE, decimals=DECIMALS, ratio=(10443, 10000))
    assert [f.covered for f in stricter.firm] == [False, False] and not stricter.ok


def test_firm_wide_prices_round_against_the_exchange():
    """Y at 1.00 up 0.01 %: liabilities in Y at 1.01, debts owed in Y and reserves at 1.00.
    Reserves 200 X + 50 Y; spot 40 Y; one account 101 X, −100 Y. In cents: base 25 000 held
    against 10 100 + 4 000 − 10 000 = 4 100; up: 25 000 against 10 100 + 4 040 − 10 000 = 4 140."""
    decimals = {"X": 0, "Y": 0}
    market, _ = _market({"X": {"price": "1.00", "haircut": [[None, "100"]]}, "Y": {"price": "1.00", "haircut": [[None, "100"]]}},
                        scenarios=[{"name": "up", "shock_percent": {"Y": "0.01"}}], decimals=decimals)
    verdict = evaluate({"m": {"X": 101, "Y": -100}}, {"Y": 40}, {"X": 200, "Y": 50}, market, decimals)
    assert [(f.reserves_value, f.liabilities_value) for f in verdict.firm] == [(25_000, 4_100), (25_000, 4_140)]


def test_accounts_with_a_debt_are_margin_accounts_the_rest_spot_totals():
    accounts = {"a": {"BTC": 5, "USDT": 7}, "b": {"BTC": 2, "USDT": -1}, "c": {"USDT": 4}, "d": {"BTC": 0}}
    assert partition(accounts) == ({"b": {"BTC": 2, "USDT": -1}}, {"BTC": 5, "USDT": 11})


@given(st.dictionaries(st.sampled_from("abcd"), st.fixed_dictionaries(
    {"BTC": st.integers(-10**9, 10**9), "USDT": st.integers(-10**9, 10**9)})))
def test_the_split_between_margin_and_spot_changes_no_verdict(accounts):
    """Putting every account in the margin tree or only those with debts: the same round."""
    margin, spot = partition(accounts)
    reserves = {"BTC": 10**9, "USDT": 10**9}
    assert evaluate(margin, spot, reserves, SIMPLE, DECIMALS) == evaluate(accounts, {}, reserves, SIMPLE, DECIMALS)


def test_without_net_liabilities_there_is_no_ratio_and_coverage_holds():
    """Customers owing more than they hold: nothing is owed net (the account itself is refused)."""
    verdict = evaluate({"m": {"USDT": -50 * USDT}}, {}, {}, SIMPLE, DECIMALS)
    assert [(f.liabilities_value < 0, f.ratio, f.covered) for f in verdict.firm] == [(True, None, True)] * 2
    assert evaluate({}, {}, {}, SIMPLE, DECIMALS).ok


# --- the private refusal report --------------------------------------------------------------

SHORT = [Shortfall("alice", "base", 1), Shortfall('bob, "the builder"', "crash", 123_456)]


def test_the_refusal_report_is_private_and_exact(tmp_path):
    path = tmp_path / "refused.csv"
    refusals.write_report(path, SHORT, "USD", 2)
    assert path.read_text() == ('user_id,scenario,shortfall,quote\nalice,base,0.01,USD\n'
                                '"bob, ""the builder""",crash,1234.56,USD\n')
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert os.listdir(tmp_path) == ["refused.csv"]


def test_the_refusal_report_never_replaces_a_file(tmp_path, monkeypatch):
    path = tmp_path / "refused.csv"
    path.write_text("keep")
    with pytest.raises(InputError, match="no such directory"):
        refusals.check_report_path(tmp_path / "missing" / "refused.csv")
    with pytest.raises(InputError, match="already exists"):
        refusals.write_report(path, SHORT, "USD", 2)
    monkeypatch.setattr(refusals, "check_report_path", lambda p: p)  # the file appears after the check
    with pytest.raises(InputError, match="already exists"):
        refusals.write_report(path, SHORT, "USD", 2)
    assert path.read_text() == "keep" and os.listdir(tmp_path) == ["refused.csv"]


def test_the_refusal_report_without_hard_links(tmp_path, monkeypatch):
    def no_links(*_):
        raise PermissionError("no hard links here")
    monkeypatch.setattr(os, "link", no_links)
    path = tmp_path / "refused.csv"
    refusals.write_report(path, SHORT[:1], "USD", 2)
    assert path.read_text() == "user_id,scenario,shortfall,quote\nalice,base,0.01,USD\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    monkeypatch.setattr(refusals, "check_report_path", lambda p: p)  # it appears after the check
    with pytest.raises(InputError, match="already exists"):
        refusals.write_report(path, SHORT, "USD", 2)
    assert path.read_text().count("\n") == 2 and os.listdir(tmp_path) == ["refused.csv"]
