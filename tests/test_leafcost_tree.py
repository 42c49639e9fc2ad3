"""The leaf builder's batched paths (issue 14): a tree fed a batch at a time is the tree fed
a leaf at a time (SPEC.md §6.3), and the round keys under a master's kept HMAC pads are
RFC 2104 HMACs (SPEC.md §6.2)."""

import hashlib
import hmac

import pytest

from zksolv import roundkeys, tree
from zksolv.commitments import commit_many
from zksolv.errors import InvalidProof
from zksolv.hashing import framed


def _leaves(count: int):
    points = commit_many(list(range(count)), [7 * i + 3 for i in range(count)])
    return points, [p.to_bytes() for p in points], [hashlib.sha256(b"%d" % i).digest() for i in range(count)]


def _one_at_a_time(points, cs, hs, base=0):
    b = tree.Builder(base_level=base)
    for p, c, h in zip(points, cs, hs):
        b.push(p, c, h)
    return b


@pytest.mark.parametrize("sizes", [[16], [4, 4, 8], [1, 1, 2, 4, 8], [8, 4, 2, 1, 1]])
def test_batches_give_the_tree_of_single_leaves(sizes):
    points, cs, hs = _leaves(16)
    batched, at = tree.Builder(), 0
    for size in sizes:
        if at % size:   # only aligned batches: [8, 4, 2, 1, 1] takes its tail one at a time
            for i in range(at, at + size):
                batched.push(points[i], cs[i], hs[i])
        else:
            batched.push_many(points[at:at + size], b"".join(cs[at:at + size]), b"".join(hs[at:at + size]))
        at += size
    assert batched.levels() == _one_at_a_time(points, cs, hs).levels()


def test_a_batch_on_a_raised_base_hashes_its_levels_as_push_does():
    points, cs, hs = _leaves(8)
    batched = tree.Builder(base_level=3)
    batched.push_many(points, b"".join(cs), b"".join(hs))
    assert batched.levels() == _one_at_a_time(points, cs, hs, base=3).levels()


@pytest.mark.parametrize("at, size", [(0, 3), (2, 4), (0, 0)])
def test_a_batch_not_a_power_of_two_or_not_aligned_is_refused(at, size):
    points, cs, hs = _leaves(8)
    b = tree.Builder()
    for i in range(at):
        b.push(points[i], cs[i], hs[i])
    with pytest.raises(ValueError):
        b.push_many(points[at:at + size], b"".join(cs[at:at + size]), b"".join(hs[at:at + size]))


def test_a_sum_that_is_the_identity_is_refused_as_push_refuses_it():
    p, = commit_many([5], [9])
    neg = -p
    with pytest.raises(InvalidProof):
        tree.Builder().push_many([p, neg], p.to_bytes() + neg.to_bytes(), bytes(64))
    one = tree.Builder()
    one.push(p, p.to_bytes(), bytes(32))
    with pytest.raises(InvalidProof):
        one.push(neg, neg.to_bytes(), bytes(32))


@pytest.mark.parametrize("master", [bytes(32), bytes(range(32)), b"\xff" * 32, b"k" * 100])
def test_master_keyed_derivations_are_rfc2104_hmacs(master):
    asset = framed(b"BTC")
    index = (5).to_bytes(8, "big")
    assert roundkeys.user_secret(master, "alice") == hmac.new(
        master, framed(b"zksolv/v1/user-secret") + framed(b"alice"), hashlib.sha256).digest()
    assert roundkeys.order_key(master, "BTC", b"d" * 32) == hmac.new(
        master, framed(b"zksolv/v1/order") + asset + b"d" * 32, hashlib.sha256).digest()
    assert roundkeys.padding_id_hash(master, "BTC", 5) == hmac.new(
        master, framed(b"zksolv/v1/padding-id") + asset + index, hashlib.sha256).digest()
    wide = hmac.new(master, framed(b"zksolv/v1/padding-blinding") + asset + index, hashlib.sha512).digest()
    assert roundkeys.padding_blinding(master, "BTC", 5) == int.from_bytes(wide, "big") % roundkeys.N


def test_another_master_is_never_served_the_last_ones_pads():
    a, b = bytes(32), bytes([1]) + bytes(31)
    first = roundkeys.user_secret(a, "alice")
    assert roundkeys.user_secret(b, "alice") != first
    assert roundkeys.user_secret(bytes(32), "alice") == first   # an equal master, another object
