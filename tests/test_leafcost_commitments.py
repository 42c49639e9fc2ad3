"""A chunk's V_j taken from the leaf builder instead of being committed again (issue 14;
SPEC.md §5.2, §6.3): each job carries exactly its own leaves' published commitments, the
proofs are the bytes the prover makes when it commits them itself, and a V_j that does not
open to its value is never silently accepted — the chunk's proof then fails verification."""

import pytest

from zksolv.attestation import build, prove
from zksolv.attestation.context import transcript
from zksolv.commitments import commit_many
from zksolv.errors import InputError, InvalidProof
from zksolv.group import Point
from zksolv.group.curve import POINT_BYTES
from zksolv.rangeproof import RangeProof, prove as range_prove, verify
from zksolv.roundkeys import NonceStream

MASTER = bytes(range(32))
CHUNK = 4


class _NothingDone:
    def done(self, asset):
        return set()


@pytest.fixture(scope="module")
def leaves():
    rows = [(f"user-{i:03d}", 1000 * i + 7) for i in range(11)]   # 11 users + 5 padding leaves
    return build.build(MASTER, "BTC", rows, 16, 64, CHUNK)


@pytest.fixture(scope="module")
def jobs(leaves):
    return list(prove._jobs(_NothingDone(), "leafcost-test", bytes(32), [leaves], MASTER))


def _published(leaves, k) -> list[Point]:
    level0 = leaves.levels[0]
    return [Point.from_bytes(level0.node(i)[0]) for i in range(k * CHUNK, (k + 1) * CHUNK)]


def _verify(job, proof: bytes, commitments: list[Point]) -> None:
    t = transcript(job.attestation_id, job.circuits_digest, job.asset, "leaf_range", job.index)
    verify(t, RangeProof.from_bytes(proof), commitments, job.bits)


def test_each_job_carries_its_own_leaves_commitments(leaves, jobs):
    assert len(jobs) == 16 // CHUNK
    for k, job in enumerate(jobs):
        assert job.commitments == b"".join(p.to_bytes() for p in _published(leaves, k))
        assert job.commitments == b"".join(p.to_bytes() for p in commit_many(job.values, job.blindings))


def test_a_proof_from_the_builders_commitments_is_the_one_the_prover_makes_alone(leaves, jobs):
    for k in (0, len(jobs) - 1):
        proof = prove.prove_chunk(jobs[k])
        assert proof == prove.prove_chunk(jobs[k]._replace(commitments=None))
        _verify(jobs[k], proof, _published(leaves, k))


def test_a_commitment_that_does_not_open_gives_a_proof_that_fails(leaves, jobs):
    job = jobs[1]
    c = job.commitments
    swapped = c[POINT_BYTES:2 * POINT_BYTES] + c[:POINT_BYTES] + c[2 * POINT_BYTES:]   # V_0 and V_1 exchanged
    proof = prove.prove_chunk(job._replace(commitments=swapped))
    with pytest.raises(InvalidProof):
        _verify(job, proof, _published(leaves, 1))          # what an auditor checks it against
    points = [Point.from_bytes(swapped[i:i + POINT_BYTES]) for i in range(0, len(swapped), POINT_BYTES)]
    with pytest.raises(InvalidProof):
        _verify(job, proof, points)                          # nor against the bytes it was given


def test_the_prover_refuses_a_commitment_count_that_is_not_m(jobs):
    job = jobs[0]
    c = job.commitments
    with pytest.raises(InputError, match="one commitment per value"):
        range_prove(transcript("x", bytes(32), "BTC", "leaf_range", 0), job.values, job.blindings, job.bits,
                    rng=NonceStream(job.nonce_key), commitments=[c[:POINT_BYTES]] * (CHUNK - 1))
