"""The account sum tree (MARGIN.md §7): per-asset sums of equity and debt in every node,
both children's sums bound into the parent, inclusion paths walked back to the root."""

import pytest

from accounts_kit import BTC, MASTER, SECRET, USDT, round_layout
from zksolv.accounts import keys, leaf, tree
from zksolv.commitments import commit
from zksolv.errors import EncodingError, InvalidProof
from zksolv.group import N
from zksolv.group.curve import POINT_BYTES
from zksolv.hashing import HASH_BYTES

LAYOUT = round_layout()
ACCOUNTS = [{"BTC": 2 * BTC, "USDT": -100 * USDT}, {"USDT": 5 * USDT}, {}, {"BTC": 11 * BTC}]


def _opened(i: int):
    key, id_hash = keys.customer(SECRET, f"user{i}") if ACCOUNTS[i] else keys.padding(MASTER, i)
    return leaf.open_leaf(LAYOUT, key, id_hash, leaf.slot_values(LAYOUT, ACCOUNTS[i])).leaf


LEAVES = [_opened(i) for i in range(len(ACCOUNTS))]
NODES = [tree.leaf_node(leaf.node_points(LAYOUT, lf), lf.hash()) for lf in LEAVES]


def _built():
    builder = tree.Builder()
    for node in NODES:
        builder.push(node)
    return builder.root(), builder.levels()


def test_the_root_holds_every_asset_s_equity_and_debt_sums():
    (root_cs, _), _ = _built()
    blinds = [[keys.blinding(keys.customer(SECRET, f"user{i}")[0] if ACCOUNTS[i]
                             else keys.padding_key(MASTER, i), name) for name in LAYOUT.slots]
              for i in range(len(ACCOUNTS))]
    expected = []
    for a, asset in enumerate(LAYOUT.assets):
        equity = sum(max(u.get(asset, 0), 0) for u in ACCOUNTS)
        debt = sum(max(-u.get(asset, 0), 0) for u in ACCOUNTS)
        r_e = sum(b[i] for b in blinds for i in LAYOUT.pieces(a)) % N
        r_d = sum(b[LAYOUT.debt(a)] for b in blinds) % N
        expected += [commit(equity, r_e), commit(debt, r_d)]
    assert tree.decode(root_cs, 2 * len(LAYOUT.assets)) == tuple(expected)


def test_every_path_walks_to_the_root_and_has_the_stated_size():
    root, levels = _built()
    for i, node in enumerate(NODES):
        siblings = tree.path(levels, i)
        assert [len(c) + len(h) for c, h in siblings] == [2 * 3 * POINT_BYTES + HASH_BYTES] * 2
        assert tree.walk(i, node, siblings) == root


def test_a_changed_sibling_sum_or_hash_changes_the_root():
    """Maxwell: a sibling showing a smaller debt sum on one user's path must not reach the
    published root; every byte of a path is bound."""
    root, levels = _built()
    siblings = tree.path(levels, 0)
    for level, (c, h) in enumerate(siblings):
        for pos in range(0, len(c) + len(h), 7):
            both = bytearray(c + h)
            both[pos] ^= 0x01
            bad = list(siblings)
            bad[level] = (bytes(both[: len(c)]), bytes(both[len(c):]))
            try:
                assert tree.walk(0, NODES[0], bad) != root
            except (EncodingError, InvalidProof):
                pass


def test_a_leaf_s_sums_are_bound_into_its_parent():
    root, levels = _built()
    points, cs, h = NODES[0]
    swapped = tree.leaf_node(points[2:] + points[:2], h)      # same hash, other sums
    assert tree.walk(0, swapped, tree.path(levels, 0)) != root


def test_leaf_counts_that_are_not_a_power_of_two_have_no_root():
    builder = tree.Builder()
    for node in NODES[:3]:
        builder.push(node)
    with pytest.raises(InvalidProof):
        builder.root()
    with pytest.raises(InvalidProof):
        tree.Builder().root()


def test_indices_must_fit_the_path():
    root, levels = _built()
    for index in (-1, 4):
        with pytest.raises(InvalidProof):
            tree.walk(index, NODES[0], tree.path(levels, 0))


def test_a_node_sum_that_is_the_identity_is_refused():
    P = commit(5, 7)
    with pytest.raises(InvalidProof):
        tree.join(1, tree.leaf_node((P,), b"\0" * 32), (( -P,), P.to_bytes(), b"\1" * 32))


def test_offsetting_changes_to_two_siblings_are_caught_by_the_hash():
    """A path whose level-1 sibling shows δ more debt and level-2 sibling δ less keeps the
    root sums: only the parent hashes, which bind every child's sums, give it away."""
    builder = tree.Builder()
    for node in NODES * 2:                    # 8 leaves: paths of 3 levels
        builder.push(node)
    root, levels = builder.root(), builder.levels()
    siblings = tree.path(levels, 0)
    delta = commit(10 * USDT, 1)
    width = 2 * len(LAYOUT.assets)
    bad = list(siblings)
    for level, sign in ((0, 1), (1, -1)):
        points = list(tree.decode(siblings[level][0], width))
        points[-1] = points[-1] + delta * sign
        bad[level] = (tree.encode(tuple(points)), siblings[level][1])
    cs, digest = tree.walk(0, NODES[0], bad)
    assert cs == root[0] and digest != root[1]
