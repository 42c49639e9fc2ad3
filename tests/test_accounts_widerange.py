"""Wide range claims over 64-bit limbs (MARGIN.md §6): splitting, the verifier's low limb,
aggregation by set bits, serialization, and why a claim has at most 3 limbs."""

import pytest
from hypothesis import given, strategies as st

from zksolv.accounts import widerange
from zksolv.commitments import commit
from zksolv.errors import EncodingError, InputError, InvalidProof
from zksolv.group import N
from zksolv.rangeproof import batch_verify, prove, verify
from zksolv.rangeproof.scalars import random_scalar
from zksolv.transcript import Transcript


def transcripts(label: bytes = b"ctx"):
    def transcript_for(part: int) -> Transcript:
        t = Transcript(b"zksolv/test/widerange")
        t.append(b"context", label)
        return t
    return transcript_for


def claim(value: int, k: int):
    """Prover side of one claim: (X, opening) with deterministic high blindings."""
    r = random_scalar()
    opened = widerange.open_claim(widerange.split(value, k), r, lambda i: 1000 + i)
    return commit(value, r), opened


@given(st.integers(1, 3).flatmap(lambda k: st.tuples(st.just(k), st.integers(0, (1 << (64 * k)) - 1))))
def test_the_verifier_low_limb_opens_to_the_prover_low_limb(case):
    k, value = case
    X, opened = claim(value, k)
    derived = widerange.derive_limbs(X, opened.highs)
    assert derived == [commit(v, r) for v, r in zip(opened.values, opened.blindings)]
    assert sum(v << (64 * i) for i, v in enumerate(opened.values)) == value


def test_split_refuses_values_outside_the_claim():
    for value, k in ((-1, 1), (1 << 64, 1), (1 << 192, 3)):
        with pytest.raises(InputError):
            widerange.split(value, k)


def test_limbs_needed_is_the_fewest_that_hold_the_maximum():
    assert [widerange.limbs_needed(h) for h in (0, (1 << 64) - 1, 1 << 64, (1 << 192) - 1)] == [1, 1, 2, 3]
    with pytest.raises(InputError):
        widerange.limbs_needed(1 << 192)


def test_parts_follow_the_set_bits_largest_first():
    assert widerange.part_sizes(36) == [32, 4]
    assert widerange.part_sizes(45) == [32, 8, 4, 1]
    for bad in (0, 1 << 17):
        with pytest.raises(InputError):
            widerange.part_sizes(bad)


def _proven(values):
    blindings = [random_scalar() for _ in values]
    proofs = widerange.prove_parts(transcripts(), values, blindings)
    return [commit(v, r) for v, r in zip(values, blindings)], proofs


def test_parts_verify_and_every_proof_is_required():
    commitments, proofs = _proven([5, 6, 7])     # m = 2, then m = 1
    batch_verify(widerange.statements(transcripts(), commitments, proofs))
    for short in ([], proofs[:1], proofs[1:], proofs[::-1]):
        with pytest.raises(InvalidProof):
            batch_verify(widerange.statements(transcripts(), commitments, short))
    with pytest.raises(InvalidProof):   # another context
        batch_verify(widerange.statements(transcripts(b"other"), commitments, proofs))


def test_proofs_decode_strictly():
    _, proofs = _proven([1, 2, 3])
    data = widerange.encode_proofs(proofs)
    assert len(data) == widerange.proofs_size(3)
    assert widerange.decode_proofs(data, 3) == tuple(proofs)
    for bad in (data[:-1], data + b"\0", data[: widerange.proofs_size(2)]):
        with pytest.raises(EncodingError):
            widerange.decode_proofs(bad, 3)


def test_points_decode_strictly():
    points = [commit(1, 2), commit(3, 4)]
    data = widerange.encode_points(points)
    assert widerange.decode_points(data, 2) == tuple(points)
    with pytest.raises(EncodingError):
        widerange.decode_points(data[:-1], 2)
    with pytest.raises(EncodingError):
        widerange.decode_points(b"\x05" + data[1:], 2)


def test_four_limbs_would_prove_a_negative_value_so_claims_stop_at_three():
    """2^(64·4) > n: the residue of −1 splits into four limbs that are each in [0, 2^64),
    so a 4-limb claim "X ∈ [0, 2^256)" would hold for X = Com(−1). The cap refuses it."""
    r = random_scalar()
    X = commit(-1, r)
    limbs = [((N - 1) >> (64 * i)) & ((1 << 64) - 1) for i in range(4)]
    assert all(0 <= v < 1 << 64 for v in limbs)
    highs_r = [random_scalar() for _ in range(3)]
    highs = [commit(v, g) for v, g in zip(limbs[1:], highs_r)]
    low_r = (r - sum(g << (64 * i) for i, g in enumerate(highs_r, start=1))) % N
    proof, _ = prove(transcripts()(0), limbs, [low_r, *highs_r], 64)
    low = X - sum((h * (1 << (64 * i)) for i, h in enumerate(highs, start=1)), X * 0)
    verify(transcripts()(0), proof, [low, *highs], 64)   # a 4-limb verifier would accept
    with pytest.raises(InputError):
        widerange.derive_limbs(X, highs)
    with pytest.raises(InputError):
        widerange.split(N - 1, 4)
