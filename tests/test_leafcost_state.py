"""The state commits chunk proofs a group at a time while a round proves (RoundStore.
chunks_grouped; SPEC.md §6.9): another reader sees a group once it is whole, and every
chunk saved is committed when the block ends, also by an exception (Ctrl-C)."""

import sqlite3

import pytest

from zksolv.state import RoundStore

META = {"attestation_id": "leafcost", "master_secret": bytes(32), "timestamp": "2026-12-05T00:00:00Z"}


def _committed(path) -> int:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT count(*) FROM chunks").fetchone()[0]
    finally:
        db.close()


def test_a_group_is_committed_whole_and_the_rest_when_the_block_ends(tmp_path):
    path = tmp_path / "s.db"
    store = RoundStore.open(path, "inputs", META)
    seen = []
    with store.chunks_grouped(4):
        for i in range(6):
            store.save_chunk("BTC", i, b"proof-%d" % i)
            seen.append(_committed(path))
    assert seen == [0, 0, 0, 4, 4, 4]
    assert _committed(path) == 6
    store.save_chunk("BTC", 6, b"proof-6")   # outside a group: at once
    assert _committed(path) == 7
    store.close()


def test_an_exception_in_the_block_keeps_what_was_saved(tmp_path):
    path = tmp_path / "s.db"
    store = RoundStore.open(path, "inputs", META)
    with pytest.raises(KeyboardInterrupt):
        with store.chunks_grouped(4):
            for i in range(3):
                store.save_chunk("BTC", i, b"proof-%d" % i)
            raise KeyboardInterrupt
    assert _committed(path) == 3
    assert store.done("BTC") == {0, 1, 2}
    store.close()
