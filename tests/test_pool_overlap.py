"""The local pool proves chunks while later leaves are still being built (issue 14): leaves
built as far as each chunk asks, skipping the chunks a resumed round already has, are the
leaves built at once, and the round's bytes do not change."""

import filecmp

import pytest

from roundkit import QUIET, inputs
from zksolv.attestation import build, prove

MASTER = bytes(range(32))
SECRET = bytes(range(32, 64))
STAMP = "2026-12-05T00:00:00Z"


def _options(**kw):
    """Capacity 512: more than one batch of leaves (build.TREE_BATCH) an asset, so gaps span batches."""
    return prove.Options(round_secret=SECRET, timestamp=STAMP, chunk=64, capacity=512, coverage_percent="105", **kw)


def _rows(count):
    return [(f"user-{i:04d}", 1000 + 7 * i) for i in range(count)]


def test_leaves_streamed_with_gaps_are_the_leaves_built_at_once():
    """Chunks asked for in increasing order with gaps (what a resumed round asks): each
    chunk's openings, then the records and every tree level, as `build.build` gives them."""
    rows, capacity, chunk = _rows(300), 1024, 16   # more than one TREE_BATCH, padding too
    whole = build.build(MASTER, "BTC", rows, capacity, 64, chunk)
    stream = build.LeafStream(MASTER, "BTC", rows, capacity, 64, chunk)
    for k in (1, 2, 20, 47, 63):
        assert stream.chunk_openings(k) == whole.chunk_openings(k)
    streamed = stream.leaves()
    assert (streamed.owner_index, streamed.value_records, streamed.blinding_records) == \
        (whole.owner_index, whole.value_records, whole.blinding_records)
    assert [(lv.commitments, lv.hashes) for lv in streamed.levels] == \
        [(lv.commitments, lv.hashes) for lv in whole.levels]


class _Interrupted(Exception):
    pass


def _same_tree(a, b) -> bool:
    cmp = filecmp.dircmp(a, b)
    return not (cmp.left_only or cmp.right_only) and \
        all(filecmp.cmp(a / name, b / name, shallow=False) for name in cmp.common_files)


def test_a_pool_round_resumed_with_gaps_is_byte_identical(tmp_path, monkeypatch):
    """A round interrupted after proving one asset whole and scattered chunks of the others
    (as a pool's out-of-order finishes leave it) resumes on the pool, its leaves built past
    the chunks it skips, to the bytes of a round proved whole."""
    ledger, reserves = inputs(tmp_path / "in", "overlap-round", users=20)
    real = prove._prove_pending

    def some_then_interrupted(store, jobs, count, options, report, task_fn=prove.prove_chunks):
        chosen = [job for job in jobs if job.asset == "ETH" or job.index in (1, 5, 6)]
        real(store, iter(chosen), len(chosen), options, report, task_fn)
        raise _Interrupted(len(chosen))

    monkeypatch.setattr(prove, "_prove_pending", some_then_interrupted)
    with pytest.raises(_Interrupted) as interrupted:
        prove.run(ledger, reserves, tmp_path / "att", tmp_path / "state.db", _options(workers=2), QUIET)
    monkeypatch.undo()
    _, already = prove.run(ledger, reserves, tmp_path / "att", tmp_path / "state.db", _options(workers=2), QUIET,
                           with_resume_count=True)
    assert already == interrupted.value.args[0] > 0
    prove.run(ledger, reserves, tmp_path / "ref", tmp_path / "ref.db", _options(workers=1), QUIET)
    assert _same_tree(tmp_path / "att", tmp_path / "ref")
