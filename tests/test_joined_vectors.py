"""The argument's generator vectors as joined bytes, kept between proofs
(kernel_vectors._JoinedVectors): a kept vector is only handed back for the same points."""

from zksolv.commitments import generators
from zksolv.group import affine_bytes, base_mul
from zksolv.rangeproof.kernel_vectors import _JoinedVectors



def _vector(count):
    return generators().vectors(count)[0]


def test_kept_bytes_are_the_points_bytes():
    joined, G = _JoinedVectors(), _vector(64)
    first = joined.get(G)
    assert first == affine_bytes(G)
    assert joined.get(generators().vectors(64)[0]) is first   # a new slice of the same points


def test_same_length_and_first_point_but_another_point_is_not_a_hit():
    joined, G = _JoinedVectors(), _vector(64)
    joined.get(G)
    other = list(G)
    other[37] = base_mul(12345, G[0].backend)
    assert joined.get(other) == affine_bytes(other) != affine_bytes(G)


def test_the_callers_list_changed_afterwards_is_not_a_hit():
    joined, G = _JoinedVectors(), list(_vector(64))
    joined.get(G)
    G[-1] = base_mul(777, G[0].backend)
    assert joined.get(G) == affine_bytes(G)


def test_only_the_most_recent_are_kept():
    joined = _JoinedVectors()
    vectors = [_vector(8 * (k + 1)) for k in range(joined.KEEP + 1)]
    for v in vectors:
        joined.get(v)
    assert len(joined._kept) == joined.KEEP
    assert joined.get(vectors[0]) == affine_bytes(vectors[0])
