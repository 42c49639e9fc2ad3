"""The audit's work units: each builds its leaves' subtree, and the auditor's process joins
the subtrees' roots (tree.Builder.push and accounts.tree.Builder.push with a level). The
joined root must be the root of the leaves pushed one by one (SPEC.md §6.3, §6.15)."""

import pytest

from accounts_kit import round_layout
from zksolv import tree as spot_tree
from zksolv.accounts import tree as account_tree
from zksolv.commitments import commit
from zksolv.group import base_mul


def _spot_leaves(count):
    points = [base_mul(3 * i + 7) for i in range(count)]
    return [(p, p.to_bytes(), bytes([i % 251, i // 251]) * 16) for i, p in enumerate(points)]


def _spot_root_by_units(leaves, unit):
    whole = spot_tree.Builder(keep_levels=False)
    for at in range(0, len(leaves), unit):
        part = spot_tree.Builder(keep_levels=False)
        for leaf in leaves[at : at + unit]:
            part.push(*leaf)
        c, h = part.root()
        whole.push(spot_tree.Point.from_bytes(c), c, h, unit.bit_length() - 1)
    return whole.root()


@pytest.mark.parametrize("unit", [1, 2, 8, 32])
def test_spot_subtree_roots_join_to_the_leaves_root(unit):
    leaves = _spot_leaves(32)
    one_by_one = spot_tree.Builder(keep_levels=False)
    for leaf in leaves:
        one_by_one.push(*leaf)
    assert _spot_root_by_units(leaves, unit) == one_by_one.root()


def test_spot_subtree_push_refuses_a_misaligned_or_kept_level():
    (p, c, h), = _spot_leaves(1)
    builder = spot_tree.Builder(keep_levels=False)
    builder.push(p, c, h)                       # 1 leaf: a subtree of 2 cannot follow
    with pytest.raises(ValueError, match="multiple of its size"):
        builder.push(p, c, h, 1)
    with pytest.raises(ValueError, match="levels not kept"):
        spot_tree.Builder(keep_levels=True).push(p, c, h, 1)


WIDTH = 2 * len(round_layout().assets)


def _account_nodes(count):
    step = [commit(1, j + 3) for j in range(WIDTH)]
    points, out = [commit(j + 1, j + 11) for j in range(WIDTH)], []
    for i in range(count):
        points = [p + s for p, s in zip(points, step)]
        out.append(account_tree.leaf_node(tuple(points), bytes([i % 251, i // 251]) * 16))
    return out


NODES = _account_nodes(3072)                    # 2048 + 1024: a forest of two subtrees


@pytest.mark.parametrize("unit", [64, 1024])
def test_account_subtree_roots_join_to_the_forest_root(unit):
    one_by_one = account_tree.Builder(keep_levels=False)
    for node in NODES:
        one_by_one.push(node)
    whole = account_tree.Builder(keep_levels=False)
    for at in range(0, len(NODES), unit):
        part = account_tree.Builder(keep_levels=False)
        for node in NODES[at : at + unit]:
            part.push(node)
        cs, h = part.root()
        whole.push((account_tree.decode(cs, WIDTH), cs, h), unit.bit_length() - 1)
    assert whole.leaves == 3072
    assert whole.root(3072) == one_by_one.root(3072)


def test_account_subtree_push_refuses_a_misaligned_or_kept_level():
    node = NODES[0]
    builder = account_tree.Builder(keep_levels=False)
    builder.push(node)
    with pytest.raises(ValueError, match="multiple of its size"):
        builder.push(node, 1)
    with pytest.raises(ValueError, match="levels not kept"):
        account_tree.Builder(keep_levels=True).push(node, 1)


def test_the_auditor_refuses_a_leaf_hash_seen_in_an_earlier_unit():
    """Each margin unit refuses duplicates among its own leaves; across units the auditor's
    process does, as the results arrive (DESIGN §8.3)."""
    from zksolv.attestation import verify2
    from zksolv.errors import InvalidProof

    layout = round_layout()
    builder, seen = account_tree.Builder(keep_levels=False), set()
    first, second = NODES[0], NODES[1]
    verify2._join_subtree(builder, seen, layout, (0, first[1], first[2], [b"a" * 32]))
    with pytest.raises(InvalidProof, match="two margin leaves share"):
        verify2._join_subtree(builder, seen, layout, (0, second[1], second[2], [b"a" * 32]))
