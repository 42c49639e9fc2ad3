"""A subtree task commits its chunk proofs a few at a time (subtree.CHUNKS_PER_COMMIT; SPEC.md
§6.9.1): a task stopped mid-way keeps every group it committed, and the task run again
proves only the rest and finishes the same shard."""

import pytest

from zksolv import roundkeys, shard as shard_module
from zksolv.attestation import build, prove, subtree

MASTER = bytes(range(32))
SIZE, CHUNK, USERS = 32, 4, 20


def _plan(directory) -> subtree.RoundPlan:
    asset = subtree.AssetPlan("BTC", 64, SIZE, USERS, CHUNK, SIZE, 0, 0)
    return subtree.RoundPlan("id", bytes(32), "inputs", str(directory), (asset,), MASTER)


def _rows():
    rows = [(build.order_entry(MASTER, "BTC", f"user-{i:03d}", 0)[0], f"user-{i:03d}", i) for i in range(USERS)]
    rows += [(roundkeys.order_key(MASTER, "BTC", roundkeys.padding_id_hash(MASTER, "BTC", j)), None, j)
             for j in range(SIZE - USERS)]
    return [(position, *row) for position, row in enumerate(sorted(rows))]


def _fake_proof(job) -> bytes:
    return b"proof-%d-" % job[3] + job[9][:8]   # index and the first V_j's bytes


def _saved(directory) -> list[int]:
    db = shard_module._connect(shard_module.path_of(directory, "BTC", 0))
    try:
        return [i for (i,) in db.execute("SELECT idx FROM chunks ORDER BY idx")]
    finally:
        db.close()


def test_a_stopped_task_keeps_its_committed_groups_and_resumes_from_them(tmp_path, monkeypatch):
    assert subtree.CHUNKS_PER_COMMIT == 4 and SIZE // CHUNK == 8
    made = []

    def stops_at_the_sixth(job):
        if len(made) == 5:
            raise KeyboardInterrupt
        made.append(job[3])
        return _fake_proof(job)
    monkeypatch.setattr(prove, "prove_chunk", stops_at_the_sixth)
    with pytest.raises(KeyboardInterrupt):
        subtree.prove_subtree(_plan(tmp_path / "a"), 0, _rows())
    assert _saved(tmp_path / "a") == [0, 1, 2, 3]   # the fifth was made but not yet committed

    made.clear()
    monkeypatch.setattr(prove, "prove_chunk", lambda job: made.append(job[3]) or _fake_proof(job))
    resumed = subtree.prove_subtree(_plan(tmp_path / "a"), 0, _rows())
    assert made == [4, 5, 6, 7]
    whole = subtree.prove_subtree(_plan(tmp_path / "b"), 0, _rows())
    assert resumed == whole
    assert _saved(tmp_path / "a") == list(range(8))
    assert list(shard_module.chunk_proofs(shard_module.path_of(tmp_path / "a", "BTC", 0))) == \
        list(shard_module.chunk_proofs(shard_module.path_of(tmp_path / "b", "BTC", 0)))
