"""DESIGN §11's attacks on margin accounts, each run by a cheating prover built from the
library's primitives (accounts_kit.cheat), and the reference check: on random accounts and
market tables a leaf verifies iff the plain-integer account value is ≥ 0 at every scenario."""

from dataclasses import replace

import pytest
from hypothesis import event, given, strategies as st

from accounts_kit import BTC, CRASH, USDT, cheat, context, honest, residue_split, round_layout
from zksolv.accounts import layout, leaf, widerange
from zksolv.accounts.layout import Claim, Layout
from zksolv.errors import InputError, Insolvent, InvalidProof
from zksolv.group import N
from zksolv.market import AssetTerms, Scenario, account_value, coefficients

LAYOUT = round_layout((CRASH,))


def refused_and_unprovable(lay, units, values=None):
    """The honest prover refuses the account; a cheater proving it anyway is caught."""
    with pytest.raises(Insolvent):
        honest(lay, units)
    forged = cheat(lay, values if values is not None else leaf.slot_values(lay, units))
    with pytest.raises(InvalidProof):
        leaf.verify_leaf(lay, forged, context())


def test_fake_debt_without_collateral():
    refused_and_unprovable(LAYOUT, {"USDT": -1})


def test_a_moved_debt_leaves_the_receiving_account_uncollateralized():
    """Two accounts with 1 BTC each (95.00 of collateral) owe 90 and 10 USDT; moving the 90
    onto the second keeps the debt total (every tree sum) but sinks that account."""
    base = round_layout()
    before = [{"BTC": BTC, "USDT": -90 * USDT}, {"BTC": BTC, "USDT": -10 * USDT}]
    after = [{"BTC": BTC}, {"BTC": BTC, "USDT": -100 * USDT}]
    for units in before:
        leaf.verify_leaf(base, honest(base, units), context())
    assert sum(u.get("USDT", 0) for u in before) == sum(u.get("USDT", 0) for u in after)
    leaf.verify_leaf(base, honest(base, after[0]), context())
    refused_and_unprovable(base, after[1])


def test_dummy_user_equity_in_a_zero_haircut_coin_backs_no_debt():
    refused_and_unprovable(LAYOUT, {"DOGE": 10**6 * 10**8, "USDT": -1})


def test_a_stress_scenario_alone_can_refuse_an_account():
    """1 BTC backs 95 USDT at base, only 57 after a 40 % crash."""
    units = {"BTC": BTC, "USDT": -90 * USDT}
    leaf.verify_leaf(round_layout(), honest(round_layout(), units), context())
    refused_and_unprovable(LAYOUT, units)


def test_tier_abuse_a_piece_above_its_width():
    """2 BTC are worth 95 + 80 = 175 at the tier table; all of it in the 95 % tier would
    claim 190 and cover a 180 debt. The room claim width − e ≥ 0 stops it."""
    base = round_layout()
    units = {"BTC": 2 * BTC, "USDT": -180 * USDT}
    values = leaf.slot_values(base, units)
    values[0], values[1] = 2 * BTC, 0
    assert base.claims[-1].value(values) > 0 > base.claims[-1].value(leaf.slot_values(base, units))
    refused_and_unprovable(base, units, values)


@pytest.mark.parametrize("slot, piece", [(2, -10 * BTC), (0, -12 * BTC)])
def test_a_negative_piece_hides_equity_from_the_liabilities(slot, piece):
    """20 BTC cut (1, 9, −10) or (−12, 9, 10): the account's equity sum E[BTC] drops to 0 or
    7 BTC, so the exchange's BTC liabilities drop with it, and the value (95 + 720 − 500, or
    −1140 + 720 + 500) stays positive at every scenario. The piece claims e ≥ 0 stop it."""
    values = leaf.slot_values(LAYOUT, {"BTC": 20 * BTC})
    values[slot] = piece
    assert sum(values[i] for i in LAYOUT.pieces(0)) < 20 * BTC
    assert all(c.value(values) >= 0 for c in LAYOUT.claims if c.name.startswith("value/"))
    with pytest.raises(InvalidProof):
        leaf.verify_leaf(LAYOUT, cheat(LAYOUT, values), context())


@given(st.lists(st.integers(0, 3 * BTC), min_size=3, max_size=3))
def test_pieces_out_of_order_never_raise_the_value(pieces):
    """Any pieces the claims accept (0 ≤ e_t ≤ width_t) are worth at most the greedy cut of
    their sum: rates are non-increasing."""
    values = [min(pieces[0], BTC), min(pieces[1], 9 * BTC), pieces[2], 0, 0, 0, 0, 0]
    greedy = leaf.slot_values(LAYOUT, {"BTC": sum(values[:3])})
    for claim in (c for c in LAYOUT.claims if c.name.startswith("value/")):
        assert claim.value(values) <= claim.value(greedy)


def test_negative_debt_is_fake_equity():
    """D = Com(n − x): every value claim sees +x·price (the residue is small and in range),
    so only the debt claim d ∈ [0, 2^64) stops it."""
    values = leaf.slot_values(LAYOUT, {"USDT": -50 * USDT})
    values[LAYOUT.debt(0)] = -1000 * BTC            # "owes" −1000 BTC
    for claim in (c for c in LAYOUT.claims if c.name.startswith("value/")):
        assert 0 <= claim.value(values) % N < 1 << (64 * claim.limbs)
    forged = cheat(LAYOUT, values)
    with pytest.raises(InvalidProof):
        leaf.verify_leaf(LAYOUT, forged, context())


def _wrapping_round():
    """One 128-bit asset whose debt coefficient 2^150 lets μ·debt pass n: a market the
    bounds refuse. Its claims, built without that check, accept a wrapped value."""
    terms = {"X": AssetTerms(1, ((None, 10_000),))}
    coeffs = replace(coefficients(terms, {"X": 0}, 10_000, ()),
                     collateral=({"X": (1 << 40,)},), debt=({"X": 1 << 150},))
    unchecked = Layout(("X",), (128,), ((),), ("piece/X/0", "debt/X"),
                       (Claim("piece/X/0", 0, ((0, 1),), 2), Claim("debt/X", 0, ((1, 1),), 2),
                        Claim("value/base", 0, ((0, 1 << 40), (1, -(1 << 150))), 3)))
    return coeffs, unchecked


def test_a_value_that_wraps_modulo_n_is_refused_by_the_bounds():
    coeffs, unchecked = _wrapping_round()
    equity, debt = 1 << 115, -(-N >> 150)               # debt·2^150 just above n
    value = unchecked.claims[-1].value([equity, debt])
    assert value < 0 and 0 <= value % N < 1 << 192     # truly negative, residue in range
    forged = cheat(unchecked, [equity, debt])
    leaf.verify_leaf(unchecked, forged, context())      # the attack is real without the bounds
    with pytest.raises(InputError):
        layout.build(coeffs, {"X": 128})


def _market(draw):
    """A random small market: 1–2 assets, 1–3 tiers, 0–1 scenarios."""
    assets = draw(st.lists(st.sampled_from("ABC"), min_size=1, max_size=2, unique=True))
    terms, decimals = {}, {}
    for a in assets:
        uppers = sorted(draw(st.sets(st.integers(1, 10**4), max_size=2)))
        rates = sorted(draw(st.lists(st.integers(0, 10_000), min_size=len(uppers) + 1,
                                     max_size=len(uppers) + 1)), reverse=True)
        terms[a] = AssetTerms(draw(st.integers(1, 10**6)), tuple(zip(uppers + [None], rates)))
        decimals[a] = draw(st.integers(0, 8))
    shocks = draw(st.lists(st.dictionaries(st.sampled_from(assets), st.integers(0, 20_000)), max_size=1))
    scenarios = tuple(Scenario(f"s{i}", f) for i, f in enumerate(shocks))
    return coefficients(terms, decimals, draw(st.integers(10_000, 30_000)), scenarios)


@given(st.data())
def test_a_leaf_verifies_iff_the_reference_value_is_never_negative(data):
    coeffs = _market(data.draw)
    units = {a: data.draw(st.integers(-10**5, 10**5)) for a in coeffs.assets}
    lay = layout.build(coeffs, {a: 64 for a in coeffs.assets})
    equity = {a: max(u, 0) for a, u in units.items()}
    debt = {a: max(-u, 0) for a, u in units.items()}
    collateralized = all(account_value(coeffs, s, equity, debt) >= 0 for s in range(len(coeffs.scenarios)))
    event(f"collateralized: {collateralized}")
    if collateralized:
        leaf.verify_leaf(lay, honest(lay, units), context())
    else:
        refused_and_unprovable(lay, units)
