"""The margin leaf (MARGIN.md §7): an honest leaf verifies, a customer recomputes it from
their secret, every byte of it is bound, and its proofs are bound to their context."""

from dataclasses import replace

import pytest

from accounts_kit import BTC, CRASH, MASTER, SECRET, USDT, context, honest, market, round_layout
from zksolv.accounts import keys, layout, leaf
from zksolv.errors import EncodingError, InputError, InvalidProof
from zksolv.market import account_value

LAYOUT = round_layout((CRASH,))
UNITS = {"BTC": 2 * BTC, "USDT": -100 * USDT}   # 2 BTC against a 100 USDT debt


@pytest.fixture(scope="module")
def proven():
    return honest(LAYOUT, UNITS)


def test_claims_follow_the_layout_of_margin_md():
    names = [c.name for c in LAYOUT.claims]
    assert names[:6] == ["piece/BTC/0", "room/BTC/0", "piece/BTC/1", "room/BTC/1", "piece/BTC/2", "debt/BTC"]
    assert names[-2:] == ["value/base", "value/crash"]
    rooms = {c.name: c.constant for c in LAYOUT.claims if c.name.startswith("room/")}
    assert rooms == {"room/BTC/0": BTC, "room/BTC/1": 9 * BTC}


def test_the_value_claims_are_the_reference_account_value():
    values = leaf.slot_values(LAYOUT, UNITS)
    coeffs = market((CRASH,))
    for s, claim in enumerate(c for c in LAYOUT.claims if c.name.startswith("value/")):
        assert claim.value(values) == account_value(coeffs, s, {"BTC": 2 * BTC}, {"USDT": 100 * USDT})


def test_an_honest_leaf_verifies_and_round_trips(proven):
    data = proven.to_bytes()
    assert len(data) == leaf.size(LAYOUT)
    decoded = leaf.MarginLeaf.from_bytes(data, LAYOUT)
    leaf.verify_leaf(LAYOUT, decoded, context())


def test_a_customer_recomputes_the_leaf_from_secret_and_balances(proven):
    key, id_hash = keys.customer(SECRET, "alice")
    again = leaf.open_leaf(LAYOUT, key, id_hash, leaf.slot_values(LAYOUT, UNITS)).leaf
    assert again.hash() == proven.hash()
    more_debt = leaf.slot_values(LAYOUT, {**UNITS, "USDT": -101 * USDT})
    other = leaf.open_leaf(LAYOUT, key, id_hash, more_debt).leaf
    assert other.hash() != proven.hash()


def test_padding_leaves_have_the_same_shape_and_verify():
    key, id_hash = keys.padding(MASTER, 7)
    pad = leaf.prove_leaf(LAYOUT, key, id_hash, {}, context(3))
    assert len(pad.to_bytes()) == leaf.size(LAYOUT)
    leaf.verify_leaf(LAYOUT, pad, context(3))
    assert keys.padding(MASTER, 8)[1] != id_hash


@pytest.mark.parametrize("other", [context(1), context(attestation_id="round-2"),
                                   context(market_digest=b"\x12" * 32)])
def test_proofs_are_bound_to_index_attestation_and_market(proven, other):
    with pytest.raises(InvalidProof):
        leaf.verify_leaf(LAYOUT, proven, other)


def _fields(lay) -> list[int]:
    """One offset in every 32/33-byte field of a serialized leaf, proofs included."""
    return list(range(0, leaf.size(lay), 29))


def test_every_flipped_byte_is_rejected(proven):
    data = proven.to_bytes()
    for pos in _fields(LAYOUT) + [len(data) - 1]:
        bad = bytearray(data)
        bad[pos] ^= 0x01
        with pytest.raises((EncodingError, InvalidProof)):
            leaf.verify_leaf(LAYOUT, leaf.MarginLeaf.from_bytes(bytes(bad), LAYOUT), context())


def test_truncated_or_extended_leaves_do_not_decode(proven):
    data = proven.to_bytes()
    for bad in (data[:-1], data + b"\0", b""):
        with pytest.raises(EncodingError):
            leaf.MarginLeaf.from_bytes(bad, LAYOUT)


def test_an_empty_or_short_proof_list_is_rejected(proven):
    for proofs in ((), proven.proofs[:-1], proven.proofs[1:]):
        with pytest.raises(InvalidProof):
            leaf.verify_leaf(LAYOUT, replace(proven, proofs=proofs), context())


def test_a_leaf_of_another_shape_is_rejected(proven):
    with pytest.raises(InvalidProof):
        leaf.verify_leaf(LAYOUT, replace(proven, slots=proven.slots[:-1]), context())
    with pytest.raises(InvalidProof):
        leaf.verify_leaf(LAYOUT, replace(proven, highs=proven.highs[:-1] + ((),)), context())


def test_amounts_must_fit_the_leaf_bits_and_the_round():
    for units in ({"BTC": 1 << 64}, {"BTC": -(1 << 64)}, {"ETH": 1}):
        with pytest.raises(InputError):
            leaf.slot_values(LAYOUT, units)


def test_a_128_bit_asset_gets_two_limbs_where_it_needs_them():
    wide = round_layout((CRASH,), {"BTC": 128, "DOGE": 64, "USDT": 64})
    limbs = {c.name: c.limbs for c in wide.claims}
    assert limbs["piece/BTC/0"] == limbs["room/BTC/0"] == 1    # widths below 2^64
    assert limbs["piece/BTC/2"] == limbs["debt/BTC"] == 2
    units = {"BTC": (1 << 100) + 5, "USDT": -100 * USDT}
    proven = honest(wide, units)
    leaf.verify_leaf(wide, proven, context())


def test_rounds_whose_values_could_outgrow_three_limbs_are_refused():
    huge = replace(market(), debt=({"BTC": 1, "DOGE": 1, "USDT": 1},),
                   collateral=({"BTC": (1, 1, 1 << 127), "DOGE": (0,), "USDT": (1,)},))
    with pytest.raises(InputError):
        layout.build(huge, {"BTC": 128, "DOGE": 64, "USDT": 64})


def test_a_scenario_that_zeroes_every_price_has_no_value_claim():
    """Shocked to −100 %, every coefficient is 0: v_s = 0 always, and a claim on it would
    be the identity commitment, which no range proof accepts."""
    from zksolv.market import Scenario
    wipe = Scenario("wipe", {"BTC": 0, "DOGE": 0, "USDT": 0})
    lay = round_layout((wipe,))
    assert [c.name for c in lay.claims if c.name.startswith("value/")] == ["value/base"]
    leaf.verify_leaf(lay, honest(lay, {"BTC": BTC, "USDT": -50 * USDT}), context())


def test_tree_sum_bounds_hold_the_largest_accounts_and_stay_within_margin_md():
    bounds = layout.sum_bounds(LAYOUT, 4)
    biggest = leaf.slot_values(LAYOUT, {"BTC": (1 << 64) - 1})
    assert 4 * sum(biggest[i] for i in LAYOUT.pieces(0)) < bounds["BTC"][0] <= 4 * 3 * (1 << 64)
    assert bounds["USDT"][1] == 4 * ((1 << 64) - 1) + 1
    with pytest.raises(InputError):
        layout.sum_bounds(LAYOUT, 3)


def test_nonces_from_the_master_secret_make_a_resumed_leaf_byte_identical():
    """A round that stops and resumes re-proves a leaf: with nonce streams keyed per leaf
    and part (keys.nonce_key), the proofs come out the same; another leaf's keys differ."""
    from zksolv.roundkeys import NonceStream
    key, id_hash = keys.customer(SECRET, "alice")

    def proven(index):
        streams = lambda part: NonceStream(keys.nonce_key(MASTER, index, part))
        return leaf.prove_leaf(LAYOUT, key, id_hash, UNITS, context(), rng_for=streams).to_bytes()
    assert proven(5) == proven(5) != proven(6)


def test_a_round_with_more_values_than_one_leaf_can_prove_is_refused_up_front():
    from zksolv.market import AssetTerms, coefficients
    terms = {f"A{i}": AssetTerms(1, ((None, 100),)) for i in range(1 << 16)}   # 2 values each
    coeffs = coefficients(terms, {a: 0 for a in terms}, 10_000, ())
    with pytest.raises(InputError, match="limb values"):
        layout.build(coeffs, {a: 64 for a in terms})
