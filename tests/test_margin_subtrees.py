"""The account tree in subtree units (issue 14; SPEC.md §6.9.1, §6.15): a cluster round's
coordinator builds the tree from its subtrees' roots, never from the leaves, and must reach
the root and levels the pool's builder reaches from every leaf — forests included, so a
subtree never straddles two of a forest's perfect subtrees."""

import pytest

from test_accounts_tree import FOREST, LAYOUT, forest_7168  # noqa: F401 (a fixture: 7,168 = 4096 + 2048 + 1024)
from zksolv.accounts import tree
from zksolv.attestation import marginsubtree
from zksolv.attestation.subtree import AssetPlan, RoundPlan


@pytest.mark.parametrize("capacity, chunk, expected", [
    (16, 4, 4),                 # a small tree: subtrees of a chunk
    (1 << 16, 64, 1 << 10),     # 64 subtrees of 1,024
    (1 << 20, 64, 1 << 10),     # never more than SUBTREE_LEAVES
    (7168, 64, 64),             # a forest: 112 subtrees of 64 (7168 / 64)
    (3 << 10, 256, 256),
    (5 << 16, 16, 1 << 10),     # 2^18 + 2^16: within each perfect subtree
    (1, 1, 1),
])
def test_the_subtree_size_divides_every_perfect_subtree_of_the_capacity(capacity, chunk, expected):
    size = marginsubtree.subtree_size(capacity, chunk)
    assert size == expected
    assert all(offset % size == 0 and (1 << height) % size == 0 for offset, height in tree.subtrees(capacity))


def _summaries(levels, base: int):
    """Summaries of the subtrees of 2^base leaves: their roots as the tasks return them."""
    return [marginsubtree.Summary(k, *levels[base].node(k), 0, (), b"", b"") for k in range(len(levels[base]))]


@pytest.mark.parametrize("base", [0, 4, 10])
def test_the_tree_joined_from_subtree_roots_is_the_one_built_from_every_leaf(forest_7168, base):
    root, levels = forest_7168
    plan = RoundPlan("id", b"", "inputs", "/nowhere", (AssetPlan("", 0, 7168, 0, 1, 1 << base, 0, 0),), b"\0" * 32,
                     layout=LAYOUT)
    joined = marginsubtree.ShardedTree(plan, None, list(reversed(_summaries(levels, base))))   # any order
    top, top_root = joined.built()
    assert top_root == root
    assert [(bytes(lv.commitments), bytes(lv.hashes)) for lv in top] == \
        [(bytes(lv.commitments), bytes(lv.hashes)) for lv in levels[base:]]


def test_a_missing_subtree_is_never_joined_over():
    root, levels = _small_forest()
    plan = RoundPlan("id", b"", "inputs", "/nowhere", (AssetPlan("", 0, 1024, 0, 1, 256, 0, 0),), b"\0" * 32,
                     layout=LAYOUT)
    with pytest.raises(AssertionError, match="missing"):
        marginsubtree.ShardedTree(plan, None, _summaries(levels, 8)[:3]).built()


def _small_forest():
    builder = tree.Builder()
    for node in FOREST[:1024]:
        builder.push(node)
    return builder.root(), builder.levels()
