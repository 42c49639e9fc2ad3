"""The margin customer's inclusion proof (SPEC.md §6.16; MARGIN.md §13): the customer
recomputes their leaf from their secret and balances and walks to the account-tree root;
every change to what they are shown, or to the path, is refused."""

import base64
import json

import pytest
from hypothesis import given, strategies as st

from accounts_kit import BTC, CRASH, MASTER, SECRET, USDT, round_layout
from zksolv import strictjson
from zksolv.accounts import inclusion, keys, leaf, tree
from zksolv.accounts.layout import build as build_layout
from zksolv.commitments import commit as leaf_commit
from zksolv.errors import EncodingError, InputError, InvalidProof
from zksolv.ledger import MAX_USER_ID_BYTES
from zksolv.market import AssetTerms, Scenario, coefficients
from zksolv.market.fixed import format_fixed, parse_signed_amount

LAYOUT = round_layout([CRASH])
SCENARIOS = ("base", "crash")
DECIMALS = {"BTC": 8, "DOGE": 8, "USDT": 6}
# user0 borrows USDT against BTC; user1 holds USDT; slot 2 is padding; user3 borrows BTC.
ACCOUNTS = [{"BTC": 2 * BTC, "USDT": -100 * USDT}, {"USDT": 5 * USDT}, None,
            {"BTC": -BTC // 2, "USDT": 200 * USDT}]
REFUSED = (EncodingError, InvalidProof)


def _secret(i: int) -> bytes:
    return bytes([i]) * 32


def _leaf_node(lay, i, accounts):
    if accounts[i] is None:
        key, id_hash = keys.padding(MASTER, i)
        values = [0] * len(lay.slots)
    else:
        key, id_hash = keys.customer(_secret(i), f"user{i}")
        values = leaf.slot_values(lay, accounts[i])
    opened = leaf.open_leaf(lay, key, id_hash, values).leaf
    return tree.leaf_node(leaf.node_points(lay, opened), opened.hash())


def _tree(lay=LAYOUT, accounts=ACCOUNTS):
    builder = tree.Builder()
    for i in range(len(accounts)):
        builder.push(_leaf_node(lay, i, accounts))
    return builder.root(), builder.levels()


ROOT, LEVELS = _tree()


def _part(i: int = 0, accounts=ACCOUNTS, levels=LEVELS, lay=LAYOUT) -> dict:
    return inclusion.build(f"user{i}", _secret(i), accounts[i], i, tree.path(levels, i), lay, DECIMALS)


def _verify(part, i: int = 0, root=ROOT, expected=None, user_id=None, secret=None, capacity=4):
    return inclusion.verify(part, user_id or f"user{i}", secret or _secret(i), LAYOUT, DECIMALS, root,
                            capacity, SCENARIOS, expected)


def _text(part) -> str:
    return json.dumps(part, separators=(",", ":"))


# -- honest ----------------------------------------------------------------------------------

@pytest.mark.parametrize("i,balances,debts", [
    (0, {"BTC": "2", "DOGE": "0", "USDT": "-100"}, ["USDT"]),
    (1, {"BTC": "0", "DOGE": "0", "USDT": "5"}, []),
    (3, {"BTC": "-0.5", "DOGE": "0", "USDT": "200"}, ["BTC"]),
])
def test_every_customer_sees_their_balances_debts_and_scenarios(i, balances, debts):
    shown = _verify(strictjson.loads(_text(_part(i))), i)
    assert shown["balances"] == balances
    assert shown["debts"] == debts
    assert shown["collateralized"] == ["base", "crash"]
    assert shown["leaf_index"] == i


def test_the_part_lists_every_asset_and_writes_each_sibling_as_base64():
    part = _part(0)
    assert list(part["balances"]) == ["BTC", "DOGE", "USDT"]
    assert part["balances"] == {"BTC": "2", "DOGE": "0", "USDT": "-100"}
    decoded = [base64.b64decode(s, validate=True) for s in part["path"]]
    assert decoded == [c + h for c, h in tree.path(LEVELS, 0)]
    assert all(len(d) == 2 * 3 * 33 + 32 for d in decoded)


def test_the_root_may_be_given_as_the_manifest_s_list_of_commitments():
    cs, digest = ROOT
    listed = [cs[k : k + 33] for k in range(0, len(cs), 33)]
    assert _verify(_part(0), root=(listed, digest))["balances"]["USDT"] == "-100"


def test_the_customer_s_own_figures_are_compared_signed():
    assert _verify(_part(0), expected={"USDT": "-100", "BTC": "2.00000000"})["debts"] == ["USDT"]
    for wrong in ({"USDT": "100"}, {"USDT": "-100.000001"}, {"BTC": "-2"}, {"DOGE": "1"}):
        with pytest.raises(InvalidProof, match="attestation counts"):
            _verify(_part(0), expected=wrong)
    with pytest.raises(InvalidProof, match="not an asset"):
        _verify(_part(0), expected={"ETH": "1"})


# -- every change refused --------------------------------------------------------------------

def test_every_flipped_character_of_the_part_is_refused():
    text = _text(_part(3))
    for pos in range(len(text)):
        flipped = text[:pos] + chr(ord(text[pos]) ^ 1) + text[pos + 1:]
        with pytest.raises(REFUSED):
            _verify(strictjson.loads(flipped), 3)


def test_every_flipped_byte_of_every_sibling_is_refused():
    part = _part(0)
    for level, entry in enumerate(part["path"]):
        data = base64.b64decode(entry)
        for pos in range(len(data)):
            bad = bytearray(data)
            bad[pos] ^= 0x80
            changed = dict(part, path=list(part["path"]))
            changed["path"][level] = base64.b64encode(bytes(bad)).decode()
            with pytest.raises(REFUSED):
                _verify(changed)


def test_a_sibling_replaced_by_another_node_is_refused():
    """Maxwell: a sibling whose sums hide a debt (here: user3's leaf node put in place of
    the subtree of users 2 and 3) must not reach the root."""
    part = _part(0)
    _, cs, h = _leaf_node(LAYOUT, 3, ACCOUNTS)
    part["path"][1] = base64.b64encode(cs + h).decode()
    with pytest.raises(InvalidProof, match="does not lead"):
        _verify(part)


def test_another_user_s_id_or_secret_is_refused():
    with pytest.raises(InvalidProof, match="does not lead"):
        _verify(_part(0), user_id="user3")
    with pytest.raises(InvalidProof, match="does not lead"):
        _verify(_part(0), secret=_secret(3))


@pytest.mark.parametrize("balances", [
    {"BTC": "2", "DOGE": "0", "USDT": "-99.999999"},    # a debt made smaller
    {"BTC": "2", "DOGE": "0", "USDT": "100"},           # a debt turned into equity
    {"BTC": "-2", "DOGE": "0", "USDT": "200"},          # equity turned into a debt
    {"BTC": "2.00000001", "DOGE": "0", "USDT": "-100"},
    {"BTC": "2", "DOGE": "0.00000001", "USDT": "-100"},
])
def test_a_changed_balance_is_refused(balances):
    part = dict(_part(0), balances=balances)
    with pytest.raises(InvalidProof):
        _verify(part)


def test_every_other_leaf_index_is_refused():
    for index in (1, 2, 3):
        with pytest.raises(InvalidProof, match="does not lead"):
            _verify(dict(_part(0), leaf_index=index))
    for index in (4, -1, 2**32):
        with pytest.raises(EncodingError, match="leaf_index"):
            _verify(dict(_part(0), leaf_index=index))


def test_a_path_of_the_wrong_length_is_refused():
    part = _part(0)
    for path in ([], part["path"][:1], part["path"] + part["path"][:1]):
        with pytest.raises(EncodingError, match="exactly 2 siblings"):
            _verify(dict(part, path=path))


def test_a_part_showing_nothing_is_refused_even_when_its_leaf_is_in_the_tree():
    """A prover may put a customer's all-zero leaf in the tree; its proof says nothing about
    what the customer holds, so it is refused (as v1 refuses an empty `assets`)."""
    accounts = [{"USDT": -USDT, "BTC": BTC}, {}, None, None]
    root, levels = _tree(LAYOUT, accounts)
    part = {"balances": {"BTC": "0", "DOGE": "0", "USDT": "0"}, "leaf_index": 1,
            "path": [base64.b64encode(c + h).decode() for c, h in tree.path(levels, 1)]}
    with pytest.raises(InvalidProof, match="proves nothing"):
        _verify(part, 1, root=root)
    with pytest.raises(InputError, match="holds nothing"):
        inclusion.build("user1", _secret(1), {}, 1, tree.path(levels, 1), LAYOUT, DECIMALS)


def test_balances_the_round_could_not_hold_are_refused():
    """Beyond the leaf range (b + 2^64 would be another claim's residue), or not
    collateralized: no honest leaf has them, whatever the path says."""
    with pytest.raises(InvalidProof, match="no leaf of this round.*magnitude below 2"):
        _verify(dict(_part(0), balances={"BTC": "184467440737.09551616", "DOGE": "0", "USDT": "-100"}))  # 2^64
    with pytest.raises(InvalidProof, match="no leaf of this round.*not collateralized at crash$"):
        _verify(dict(_part(0), balances={"BTC": "2", "DOGE": "0", "USDT": "-110"}))   # 175 at base, 105 at crash
    with pytest.raises(InvalidProof, match="not collateralized at base, crash$"):
        _verify(dict(_part(0), balances={"BTC": "2", "DOGE": "0", "USDT": "-1000"}))


@pytest.mark.parametrize("field,value,message", [
    ("balances", {"BTC": "2", "USDT": "-100"}, "missing DOGE"),
    ("balances", {"BTC": "2", "DOGE": "0", "USDT": "-100", "ETH": "0"}, "unknown key"),
    ("balances", {"BTC": "2.0", "DOGE": "0", "USDT": "-100"}, "is not written as"),
    ("balances", {"BTC": "2", "DOGE": "-0", "USDT": "-100"}, "is not written as"),
    ("balances", {"BTC": "+2", "DOGE": "0", "USDT": "-100"}, "not a plain decimal"),
    ("balances", {"BTC": 2, "DOGE": "0", "USDT": "-100"}, "signed decimal string"),
    ("balances", {"BTC": "2", "DOGE": "0", "USDT": "-100.0000001"}, "fraction digits"),
    ("balances", {"BTC": "1" * 65, "DOGE": "0", "USDT": "-100"}, "at most 64"),
    ("balances", [], "must be an object"),
    ("leaf_index", "0", "leaf_index"),
    ("leaf_index", True, "leaf_index"),
    ("path", "x", "list of exactly"),
])
def test_every_field_has_one_accepted_form(field, value, message):
    with pytest.raises(EncodingError, match=message):
        _verify(dict(_part(0), **{field: value}))


def test_only_canonical_padded_base64_is_accepted():
    part = _part(0)
    good = part["path"][0]
    data = base64.b64decode(good)
    assert good.endswith("=") and not good.endswith("==")     # 230 bytes: 2 spare bits in the last character
    spare = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = spare.index(good[-2])
    variants = [good[:-2] + spare[last | 1] + "=", good[:-2] + spare[last | 2] + "="]
    variants = [v for v in variants if v != good]
    assert variants and all(base64.b64decode(v) == data for v in variants)  # the same bytes, another spelling
    urlsafe = base64.urlsafe_b64encode(data).decode()
    for text in [*variants, good[:-1], good[:-1] + "A", good[:100] + "\n" + good[100:-1],
                 urlsafe if urlsafe != good else good.replace("A", "-", 1), None, 7]:
        with pytest.raises(EncodingError, match=r"path\[0\]"):
            _verify(dict(part, path=[text, *part["path"][1:]]))


def test_an_unknown_or_missing_field_is_refused():
    with pytest.raises(EncodingError, match="unknown key"):
        _verify(dict(_part(0), extra=1))
    part = _part(0)
    del part["path"]
    with pytest.raises(EncodingError, match="missing path"):
        _verify(part)


def test_a_capacity_the_account_tree_cannot_have_is_refused():
    """A power of two or a multiple of 1,024, up to 2^32 (SPEC.md §6.15)."""
    for capacity in (3, 0, 2**33, True, 3000, 2**32 + 1024):
        with pytest.raises(InvalidProof, match="capacity"):
            inclusion.verify(_part(0), "user0", _secret(0), LAYOUT, DECIMALS, ROOT, capacity, SCENARIOS)


# -- a capacity that is a multiple of 1,024: the forest ----------------------------------------

FOREST_INDEX = 2048 + 5          # in the 3072 forest's second subtree (1024 leaves)


def _forest():
    """A 3072 forest with user0's real leaf at FOREST_INDEX and synthetic nodes elsewhere
    (the tree only sums and hashes them)."""
    width = 2 * len(LAYOUT.assets)
    points, step = [leaf_commit(j + 1, j + 5) for j in range(width)], [leaf_commit(1, j) for j in range(width)]
    builder = tree.Builder()
    for i in range(3072):
        if i == FOREST_INDEX:
            builder.push(_leaf_node(LAYOUT, 0, ACCOUNTS))
            continue
        points = [p + q for p, q in zip(points, step)]
        builder.push(tree.leaf_node(tuple(points), i.to_bytes(32, "big")))
    return builder.root(3072), builder.levels(3072)


FOREST_ROOT, FOREST_LEVELS = _forest()


def _forest_part(index=FOREST_INDEX, path_of=FOREST_INDEX) -> dict:
    return inclusion.build("user0", _secret(0), ACCOUNTS[0], index, tree.path(FOREST_LEVELS, path_of, 3072),
                           LAYOUT, DECIMALS)


def test_a_customer_in_a_forest_sees_their_account():
    part = strictjson.loads(_text(_forest_part()))
    assert len(part["path"]) == 11                   # 10 levels of its subtree, then the 2048 subtree
    shown = _verify(part, root=FOREST_ROOT, capacity=3072)
    assert shown["leaf_index"] == FOREST_INDEX and shown["debts"] == ["USDT"]


def test_a_forest_part_at_another_index_or_with_another_path_shape_is_refused():
    """Index at or beyond the capacity; an index in the other subtree (its path is 12 long);
    a sibling added or dropped; the same part under a power-of-two capacity."""
    part = _forest_part()
    for index in (3072, 3072 + 5, 2**32):
        with pytest.raises(EncodingError, match="leaf_index"):
            _verify(dict(part, leaf_index=index), root=FOREST_ROOT, capacity=3072)
    for index in (5, 1024 + 5):                     # 12 siblings expected
        with pytest.raises(EncodingError, match="margin.path"):
            _verify(dict(part, leaf_index=index), root=FOREST_ROOT, capacity=3072)
    with pytest.raises(InvalidProof, match="does not lead"):   # 11 siblings, as 2048 + 7's
        _verify(dict(part, leaf_index=2048 + 7), root=FOREST_ROOT, capacity=3072)
    for path in (part["path"] + part["path"][-1:], part["path"][:-1]):
        with pytest.raises(EncodingError, match="margin.path"):
            _verify(dict(part, path=path), root=FOREST_ROOT, capacity=3072)
    for capacity in (2048, 4096):
        with pytest.raises(REFUSED):
            _verify(part, root=FOREST_ROOT, capacity=capacity)


# -- size ------------------------------------------------------------------------------------

def _five_assets():
    tiers = ((10 * BTC, 9500), (100 * BTC, 8000), (None, 5000))
    terms = {a: AssetTerms(1_000_00, tiers) for a in ("AAA", "BBB", "CCC", "DDD", "EEE")}
    scenarios = (Scenario("crash", {"AAA": 6000}), Scenario("rally", {"BBB": 20000}))
    coeffs = coefficients(terms, {a: 8 for a in terms}, 15_000, scenarios)
    return build_layout(coeffs, {a: 128 for a in terms})


def test_a_whole_margin_inclusion_proof_at_capacity_2_13_with_5_assets_fits_8_kb():
    """MARGIN.md §13's bound for the benchmark's shape: 13 siblings of 10 commitments and a
    hash, every balance at its longest, the v2 header fields at their maximum sizes."""
    lay = _five_assets()
    width = inclusion.sibling_bytes(lay)
    big = -(2**127) // 3
    user = "u" * MAX_USER_ID_BYTES
    part = inclusion.build(user, b"\x01" * 32, {a: big for a in lay.assets}, 2**13 - 1,
                           [(b"\x02" * (width - 32), b"\x03" * 32)] * 13, lay, {a: 18 for a in lay.assets})
    doc = {"format": "zksolv-inclusion", "version": 2, "attestation_id": "a" * 128, "manifest": "0" * 64,
           "user_id": user, "user_secret": "1" * 64, "assets": {}, "margin": part}
    size = len(json.dumps(doc, indent=1).encode())
    assert width == 10 * 33 + 32
    assert size <= 8 * 1024, size


# -- property --------------------------------------------------------------------------------

_AMOUNT = st.integers(min_value=-(10**12), max_value=10**12)
USDT_VALUE = 10_000 * 1_00 * 100     # coll[s][USDT][0] at every scenario: 100 %, 1.00, W = 10^2


def _collateralized(units) -> dict:
    """`units` with USDT raised just enough (plus a little) to collateralize it at every
    scenario: the accounts a prover can put in a tree."""
    def worst(u):
        values = leaf.slot_values(LAYOUT, u)
        return min(c.value(values) for c in LAYOUT.claims if c.name.startswith("value/"))
    if worst(units) < 0:
        units = dict(units, USDT=0)
        units["USDT"] = -(worst(units) // USDT_VALUE) + 1
    return units if any(units.values()) else dict(units, USDT=1)


@given(st.fixed_dictionaries({"BTC": _AMOUNT, "DOGE": _AMOUNT, "USDT": _AMOUNT}),
       st.sampled_from(["BTC", "DOGE", "USDT"]), st.integers(min_value=-(10**6), max_value=10**6))
def test_any_collateralized_account_verifies_and_any_other_balance_does_not(drawn, asset, delta):
    """On random accounts: the part of a collateralized one verifies and shows exactly its
    balances; the same part showing another amount of one asset never does."""
    units = _collateralized(drawn)
    root, levels = _tree(LAYOUT, [units, {"USDT": USDT}])
    part = _part(0, [units], levels)
    shown = _verify(part, root=root, capacity=2)
    assert {a: parse_signed_amount(shown["balances"][a], DECIMALS[a]) for a in LAYOUT.assets} == units
    assert shown["debts"] == [a for a in LAYOUT.assets if units[a] < 0]
    moved = dict(part["balances"], **{asset: format_fixed(units[asset] + (delta or 1), DECIMALS[asset])})
    with pytest.raises(InvalidProof):
        _verify(dict(part, balances=moved), root=root, capacity=2)
