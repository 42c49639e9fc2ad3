"""kill -9 of a real worker in the middle of an account subtree (issue 14; SPEC.md §6.9.1):
Dask runs the task again on a live worker, which resumes from the subtree's shard; the
round finishes with the pool's bytes. The worker is killed while the account tree's shards
hold some but not all of a subtree's chunks: two subtrees of 16 margin leaves, one chunk a
leaf (tens of ms each), so the kill lands inside a task on any machine."""

import os
import signal
import threading
import time

import pytest

import marginkit
from roundkit import QUIET
from test_cluster import TIMEOUT
from test_margin_cluster import ROWS, _margin_chunks
from test_scale import SECRET, STAMP, _same_tree
from zksolv import inclusion2, state
from zksolv.attestation import marginsubtree, prove, sharded
from zksolv.attestation.manifest2 import read as read_manifest

CAPACITY, SUBTREE = 32, 16


def _options(market, **kw):
    return marginkit.options(prices=str(market), round_secret=SECRET, timestamp=STAMP, chunk=1,
                             margin_capacity=CAPACITY, **kw)


def _busy_worker(client, deadline: float) -> int | None:
    """The pid of a worker running a task now, or None once the deadline passes."""
    while time.monotonic() < deadline:
        busy = [address for address, keys in client.processing().items() if keys]
        if busy:
            return client.run(os.getpid, workers=busy[:1])[busy[0]]
        time.sleep(0.005)
    return None


def test_kill_9_of_a_worker_inside_an_account_subtree_resumes_byte_identical(cluster, monkeypatch, tmp_path):
    from distributed import Client

    ledger, reserves, market = marginkit.write_inputs(tmp_path / "in", ROWS)
    prove.run(ledger, reserves, tmp_path / "pool", tmp_path / "pool.db", _options(market, workers=2), QUIET)
    monkeypatch.setattr(sharded, "SUBTREE_LEAVES", 8)
    monkeypatch.setattr(sharded, "MIN_SUBTREES", 1)
    monkeypatch.setattr(marginsubtree, "SUBTREE_LEAVES", SUBTREE)
    monkeypatch.setattr(marginsubtree, "MIN_SUBTREES", 1)
    failed = []

    def run():
        try:
            prove.run(ledger, reserves, tmp_path / "dask", tmp_path / "dask.db",
                      _options(market, scheduler=cluster.address), QUIET)
        except BaseException as exc:
            failed.append(exc)

    with Client(cluster.address, timeout="10s") as client:   # connected before: the kill follows the sighting
        thread = threading.Thread(target=run)
        thread.start()
        deadline = time.monotonic() + TIMEOUT
        while thread.is_alive() and time.monotonic() < deadline and _margin_chunks(tmp_path / "dask.db") < 1:
            time.sleep(0.005)
        victim = _busy_worker(client, deadline)
        seen = _margin_chunks(tmp_path / "dask.db")
        assert victim is not None and thread.is_alive(), f"the round ended before a worker could be killed: {failed}"
        os.kill(victim, signal.SIGKILL)   # its nanny starts a fresh one
    assert 1 <= seen < CAPACITY, seen     # inside the account tree's tasks
    thread.join(TIMEOUT)
    assert not failed and not thread.is_alive(), failed
    assert victim not in cluster.worker_pids()
    with Client(cluster.address, timeout="10s") as client:   # the tests after this one find both workers
        client.wait_for_workers(2, timeout=TIMEOUT)
    assert _same_tree(tmp_path / "pool", tmp_path / "dask")
    m = read_manifest(tmp_path / "dask" / "manifest.json")
    on_cluster, pool = state.State(tmp_path / "dask.db"), state.State(tmp_path / "pool.db")
    for user in ("alice", "bob", "carol"):    # in the account shards, never read as a spot tree's leaves
        assert on_cluster.holdings(user) == [], user
        assert inclusion2.build(on_cluster, m, user) == inclusion2.build(pool, m, user), user
