"""The Merkle sum tree: sums, hashes against a reading of SPEC.md §6.3, paths."""

import hashlib
import secrets

import pytest

from zksolv.commitments import commit
from zksolv.errors import InvalidProof
from zksolv.group import N, point_sum
from zksolv.hashing import leaf_hash, node_hash
from zksolv.tree import build, check_capacity, path, walk


def _spec_node_hash(level, cl, hl, cr, hr):
    tag = b"zksolv/v1/node"
    return hashlib.sha256(bytes([len(tag)]) + tag + bytes([level]) + cl + hl + cr + hr).digest()


def _leaves(count):
    values = [secrets.randbelow(1 << 40) for _ in range(count)]
    blinds = [1 + secrets.randbelow(N - 1) for _ in range(count)]
    points = [commit(v, r) for v, r in zip(values, blinds)]
    hashes = [leaf_hash("BTC", secrets.token_bytes(32), p.to_bytes()) for p in points]
    return values, blinds, points, hashes


def test_root_commits_to_the_sum_and_hashes_follow_the_spec():
    values, blinds, points, hashes = _leaves(8)
    levels = build(points, hashes)
    assert [len(level) for level in levels] == [8, 4, 2, 1]
    root_c, root_h = levels[-1].node(0)
    assert root_c == commit(sum(values), sum(blinds) % N).to_bytes()
    level1 = [_spec_node_hash(1, points[2 * i].to_bytes(), hashes[2 * i], points[2 * i + 1].to_bytes(),
                              hashes[2 * i + 1]) for i in range(4)]
    assert [levels[1].node(i)[1] for i in range(4)] == level1
    assert node_hash(1, b"a", b"b", b"c", b"d") == _spec_node_hash(1, b"a", b"b", b"c", b"d")


def test_every_path_walks_to_the_root():
    _, _, points, hashes = _leaves(16)
    levels = build(points, hashes)
    root = levels[-1].node(0)
    for i in range(16):
        assert walk(i, points[i].to_bytes(), hashes[i], path(levels, i)) == root


def test_changed_sibling_commitment_changes_the_root():
    """DESIGN §8.3: a sibling commitment changed on one user's path cannot keep the root."""
    values, blinds, points, hashes = _leaves(8)
    levels = build(points, hashes)
    root = levels[-1].node(0)
    siblings = path(levels, 5)
    c, h = siblings[1]
    smaller = (point_sum([points[0]]) - commit(1, 0)).to_bytes()  # any other valid point
    siblings[1] = (smaller, h)
    assert walk(5, points[5].to_bytes(), hashes[5], siblings) != root


def test_single_leaf_tree_and_bad_index():
    _, _, points, hashes = _leaves(1)
    levels = build(points, hashes)
    assert walk(0, points[0].to_bytes(), hashes[0], path(levels, 0)) == levels[0].node(0)
    with pytest.raises(InvalidProof):
        walk(2, points[0].to_bytes(), hashes[0], [levels[0].node(0)])


@pytest.mark.parametrize("capacity", [0, 3, 6, 1 << 33])
def test_capacity_must_be_a_power_of_two(capacity):
    with pytest.raises(ValueError):
        check_capacity(capacity)
