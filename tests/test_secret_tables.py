"""The prover's kept constant-time MSM tables (rangeproof/kernel_vectors._SecretTables): a
worker that interleaves spot chunks with margin leaves (parts of 32 + 8 + 2 + 1 values beside
the Pedersen pair) builds each vector's tables once, and the memory kept stays within the
budget. The tables' contents are checked against the Python reference in
tests/test_ctime_prove.py; here a stand-in kernel counts what is built."""

import ctypes

import pytest

from zksolv.group import Point, backends
from zksolv.rangeproof.kernel_vectors import _SecretTables

ENTRY_BYTES = 16 * 64   # 16 affine multiples of 64 bytes a point, as the kernel's tables


class CountingKernel:
    """The two calls _SecretTables makes, recording which vectors were built."""

    def __init__(self):
        self.built = []

    def zk_ct_tables_bytes(self, count):
        return count * ENTRY_BYTES

    def zk_ct_tables(self, raw, count, address):
        self.built.append(count)
        return 0


def points(count):
    g = Point.generator(backends.get("py_ecc"))
    return lambda: [g] * count


def proof_points(values, bits=64):
    """S's points for an m-value proof: [H] + G + H."""
    return 2 * bits * values + 1


def test_a_margin_round_builds_each_vector_once():
    kernel, kept = CountingKernel(), _SecretTables()
    sizes = [2] + [proof_points(m) for m in (64, 32, 8, 2, 1)]   # Pedersen, spot chunk, parts
    for _ in range(4):                                        # four leaves and chunks
        for size in sizes:
            kept.get(kernel, ("gens", size), points(size))
    assert sorted(kernel.built) == sorted(sizes)


def test_the_least_recent_vectors_go_beyond_the_budget():
    kernel, kept = CountingKernel(), _SecretTables()
    kept.KEEP_BYTES = 3 * 100 * ENTRY_BYTES   # room for three vectors of 100 points
    for key in "abcd":
        kept.get(kernel, key, points(100))
    kept.get(kernel, "b", points(100))        # still kept: not built again
    kept.get(kernel, "a", points(100))        # dropped when d came: built again
    assert kernel.built == [100] * 5
    assert list(kept._kept) == ["d", "b", "a"]
    assert kept._bytes == sum(ctypes.sizeof(t) for t in kept._kept.values()) <= kept.KEEP_BYTES


def test_a_vector_larger_than_the_budget_is_still_kept_until_the_next():
    kernel, kept = CountingKernel(), _SecretTables()
    kept.KEEP_BYTES = 10 * ENTRY_BYTES
    first = kept.get(kernel, "big", points(50))
    assert kept.get(kernel, "big", points(50)) is first
    kept.get(kernel, "small", points(5))
    assert list(kept._kept) == ["small"] and kernel.built == [50, 5]


def test_a_failed_allocation_is_an_error_not_a_table():
    class Failing(CountingKernel):
        def zk_ct_tables(self, raw, count, address):
            return -1
    with pytest.raises(MemoryError):
        _SecretTables().get(Failing(), "k", points(3))
