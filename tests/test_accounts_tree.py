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
        assert tree.walk(i, node, siblings, 4) == root


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
                assert tree.walk(0, NODES[0], bad, 4) != root
            except (EncodingError, InvalidProof):
                pass


def test_a_leaf_s_sums_are_bound_into_its_parent():
    root, levels = _built()
    points, cs, h = NODES[0]
    swapped = tree.leaf_node(points[2:] + points[:2], h)      # same hash, other sums
    assert tree.walk(0, swapped, tree.path(levels, 0), 4) != root


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
            tree.walk(index, NODES[0], tree.path(levels, 0), 4)


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
    cs, digest = tree.walk(0, NODES[0], bad, 8)
    assert cs == root[0] and digest != root[1]


# --- Capacities that are multiples of 1,024: the forest (SPEC.md §6.15) --------------------

def _synthetic_nodes(count: int):
    """`count` distinct leaf nodes of 2·A points (no leaf proofs: the tree only sums and hashes)."""
    width = 2 * len(LAYOUT.assets)
    points = [commit(j + 1, j + 11) for j in range(width)]
    step = [commit(1, j + 3) for j in range(width)]
    out = []
    for i in range(count):
        points = [p + s for p, s in zip(points, step)]
        out.append(tree.leaf_node(tuple(points), bytes([i % 256, i // 256]) * 16))
    return out


FOREST = _synthetic_nodes(7168)                 # 4096 + 2048 + 1024: three subtrees


def _forest(capacity: int):
    builder = tree.Builder()
    for node in FOREST[:capacity]:
        builder.push(node)
    return builder.root(capacity), builder.levels(capacity)


def _perfect_root(nodes, level: int = 0):
    """Reference: a perfect subtree's root, level by level (SPEC.md §6.15)."""
    while len(nodes) > 1:
        level += 1
        nodes = [tree.join(level, nodes[i], nodes[i + 1]) for i in range(0, len(nodes), 2)]
    return nodes[0]


@pytest.fixture(scope="module")
def forest_7168():
    return _forest(7168)


def test_the_forest_root_folds_the_perfect_subtrees_right_to_left(forest_7168):
    """Reference from SPEC.md §6.15: T0 = leaves 0–4095, T1 = 4096–6143, T2 = 6144–7167;
    root = fold(T0, fold(T1, T2)) with level bytes 0x80 | 12 and 0x80 | 11."""
    t0, t1, t2 = _perfect_root(FOREST[:4096]), _perfect_root(FOREST[4096:6144]), _perfect_root(FOREST[6144:])
    right = tree.join(0x80 | 11, t1, t2)
    root = tree.join(0x80 | 12, t0, right)
    assert forest_7168[0] == (root[1], root[2])


def test_a_power_of_two_capacity_is_the_perfect_tree_unchanged():
    (cs, h), _ = _forest(4096)
    reference = _perfect_root(FOREST[:4096])
    assert (cs, h) == (reference[1], reference[2])


def test_capacities_and_defaults():
    for good in (1, 2, 512, 1024, 3072, 5120, 7168, (1 << 32) - 1024, 1 << 32):
        assert tree.check_capacity(good) == good
    for bad in (0, 3, 1536, 3000, 5119, (1 << 32) + 1024, 1 << 33, True, 3072.0):
        with pytest.raises(ValueError):
            tree.check_capacity(bad)
    assert [tree.default_capacity(n) for n in (1, 3, 600, 1024, 1025, 2100, 5000, 8192)] == \
        [1, 4, 1024, 1024, 2048, 3072, 5120, 8192]


@pytest.mark.parametrize("index", [0, 1, 2047, 4095, 4096, 4097, 6143, 6144, 6145, 7167])
def test_every_subtree_s_paths_walk_to_the_forest_root(forest_7168, index):
    root, levels = forest_7168
    siblings = tree.path(levels, index, 7168)
    expected = {0: 13, 1: 13, 2: 12}[sum(index >= o for o in (4096, 6144))]
    assert len(siblings) == expected == len(tree.steps(7168, index))
    assert tree.walk(index, FOREST[index], siblings, 7168) == root


def test_an_index_at_or_beyond_the_capacity_is_refused():
    """Leaf 1024 + i of a 3072 forest has the path of a last-subtree leaf whose local bits
    are i's: without the capacity check index 3072 would walk like index 2048."""
    root, levels = _forest(3072)
    siblings = tree.path(levels, 2048, 3072)
    for index in (3072, 3072 + 2048, -1):
        with pytest.raises(InvalidProof):
            tree.walk(index, FOREST[2048], siblings, 3072)


def test_a_path_of_the_wrong_length_for_its_index_is_refused(forest_7168):
    """One sibling too many (an extra, ignored level) or too few."""
    root, levels = forest_7168
    siblings = tree.path(levels, 4100, 7168)
    for bad in (siblings + [siblings[-1]], siblings[:-1]):
        with pytest.raises(InvalidProof):
            tree.walk(4100, FOREST[4100], bad, 7168)


def test_a_leaf_moved_to_another_subtree_does_not_reach_the_root(forest_7168):
    """Leaf i of T0 and leaf 4096 + i of T1 have paths of the same length (13): presenting
    T0's leaf and path at T1's index (or the other way) must fail — the index fixes the
    subtree, the level bytes and which side each sibling is on."""
    root, levels = forest_7168
    for i in (0, 5, 2047):
        assert tree.walk(4096 + i, FOREST[i], tree.path(levels, i, 7168), 7168) != root
        assert tree.walk(i, FOREST[4096 + i], tree.path(levels, 4096 + i, 7168), 7168) != root


def test_a_fold_node_cannot_pass_for_a_perfect_tree_s_node():
    """The 3072 forest's root folds T0 (2048 leaves, height 11) and T1 (1024, height 10).
    Were a fold hashed with T0's height as a plain level byte (11), it would equal the
    level-11 root of a 2048 tree whose right half is T1: T1's leaf 2048 + i would verify
    as leaf 1024 + i under capacity 2048. The fold's level byte 0x80 | 11 rules that out."""
    root, levels = _forest(3072)
    for i in (0, 9, 1023):
        siblings = tree.path(levels, 2048 + i, 3072)
        assert len(siblings) == len(tree.steps(2048, 1024 + i))
        assert tree.walk(1024 + i, FOREST[2048 + i], siblings, 2048) != root


def test_the_builder_needs_exactly_capacity_leaves():
    builder = tree.Builder()
    for node in FOREST[:3072]:
        builder.push(node)
    for capacity in (2048, 4096, 3073):
        with pytest.raises(InvalidProof):
            builder.root(capacity)
    partial = tree.Builder()
    for node in FOREST[:3000]:
        partial.push(node)
    with pytest.raises(InvalidProof):
        partial.root()
