"""The prover's state store: paths across level segments, refusing other rounds, privacy."""

import os
import secrets
import stat
from types import SimpleNamespace

import pytest

from zksolv import state, tree
from zksolv.commitments import commit
from zksolv.errors import InputError
from zksolv.hashing import leaf_hash


@pytest.fixture(scope="module")
def big_tree():
    capacity = 4 * state.SEGMENT  # several segments on the lower levels
    points = [commit(i, 1 + secrets.randbelow(1 << 200)) for i in range(capacity)]
    hashes = [leaf_hash("BTC", secrets.token_bytes(32), p.to_bytes()) for p in points]
    return tree.build(points, hashes)


def _finished_store(path, levels):
    leaves = SimpleNamespace(asset="BTC", levels=levels,
                             holdings=lambda: [("u%d" % i, i, i) for i in range(len(levels[0]))])
    store = state.RoundStore.open(path, "inputs", {"attestation_id": "x", "master_secret": b"k" * 32,
                                                    "timestamp": "t"})
    store.finish({"manifest_digest": "d", "manifest_json": b"{}"}, [leaves])
    store.close()


def test_stored_paths_equal_the_tree_paths(tmp_path, big_tree):
    _finished_store(tmp_path / "s.db", big_tree)
    assert stat.S_IMODE(os.stat(tmp_path / "s.db").st_mode) == 0o600
    st = state.State(tmp_path / "s.db")
    for position in [0, 1, state.SEGMENT - 1, state.SEGMENT, 2 * state.SEGMENT + 7, len(big_tree[0]) - 1]:
        assert st.path("BTC", position, len(big_tree) - 1) == tree.path(big_tree, position)
    assert st.holdings("u300") == [("BTC", 300, 300)]
    st.close()


def test_unfinished_or_other_rounds_are_refused(tmp_path, big_tree):
    store = state.RoundStore.open(tmp_path / "s.db", "inputs-a", {"attestation_id": "x", "master_secret": b"k" * 32, "timestamp": "t"})
    store.close()
    with pytest.raises(InputError, match="still being proved"):
        state.State(tmp_path / "s.db")
    assert state.RoundStore.resumable(tmp_path / "s.db", "inputs-a") is not None
    with pytest.raises(InputError, match="another round in progress"):
        state.RoundStore.resumable(tmp_path / "s.db", "inputs-b")
    assert state.RoundStore.resumable(tmp_path / "s.db", "inputs-b", force=True) is None
    (tmp_path / "junk.db").write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(InputError, match="not a zksolv state"):
        state.State(tmp_path / "junk.db")


@pytest.mark.parametrize("version,readable", [("3", True), ("4", True), ("5", True), ("2", False), ("6", False)])
def test_a_version_3_state_still_reads_and_others_are_refused(tmp_path, big_tree, version, readable):
    """State v4 added the margin tables; a v3 file (no such tables) still gives inclusion its
    holdings and paths, and has no margin accounts."""
    import sqlite3
    _finished_store(tmp_path / "s.db", big_tree)
    db = sqlite3.connect(tmp_path / "s.db", isolation_level=None)
    db.execute("UPDATE meta SET value = ? WHERE key = 'version'", (version,))
    db.execute("DROP TABLE margin_chunks")
    db.execute("DROP TABLE accounts")
    db.close()
    if not readable:
        with pytest.raises(InputError, match="not a version-5 zksolv state"):
            state.State(tmp_path / "s.db")
        return
    st = state.State(tmp_path / "s.db")
    assert st.path("BTC", 5, len(big_tree) - 1) == tree.path(big_tree, 5) and st.holdings("u7") == [("BTC", 7, 7)]
    if version == "3":
        assert st.margin_account("u7") is None
    st.close()
