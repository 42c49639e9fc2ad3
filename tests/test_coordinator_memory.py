"""The coordinator of a round proved on a cluster stays small (issue 14; SPEC.md §6.9.1):
what it receives from the cluster does not grow with the leaves.

Measured by bytes, not by memory: every byte this process reads from the scheduler and the
workers (Dask's TCP comms) while `prove.run` drives a round on the real `dask scheduler` +
`dask worker` processes of the `cluster` fixture. The round is proved at two sizes with the
same number of subtrees (8 times the leaves, the same tasks): whatever reaches the
coordinator per leaf — a leaf's commitment and hash, its value or blinding, its key — shows
as growth between the two, while the Dask client's own traffic (the same tasks, a few
heartbeats) stays the same. RSS and tracemalloc could not tell a returned leaf from the
client's noise at sizes a test can prove (bench/RESULTS.md, "The coordinator stays small").
"""

from contextlib import contextmanager

import dask

from roundkit import QUIET, inputs
from test_scale import SECRET, STAMP
from zksolv.attestation import prove, sharded

SUBTREES = 4
"""Subtrees an asset, at both sizes."""
SMALL, LARGE = (24, 64), (192, 512)
"""(users, capacity of every asset) of the two rounds: 3 assets, 192 and 1,536 leaves."""
BYTES_PER_LEAF = 4
"""What the coordinator may receive per added leaf, at most. Measured: 0.6 bytes a leaf
(the client's timing-dependent traffic); a summary carrying its subtree's values (small
ints) 4.8, the coordinator gathering the leaves as the subtree tasks get them 105."""


@contextmanager
def bytes_received():
    """A one-element list: the bytes this process read from Dask comms inside the block."""
    import distributed.comm.tcp as tcp

    counted, read = [0], tcp.read_bytes_rw

    async def counting(stream, n):
        counted[0] += n
        return await read(stream, n)

    tcp.read_bytes_rw = counting
    try:
        yield counted
    finally:
        tcp.read_bytes_rw = read


def no_timed_refresh():
    """The Dask client's refresh of the scheduler's description (≈ 1.4 KB every 2 s) off:
    it grows with the round's wall time, which a loaded machine stretches, not with leaves."""
    return dask.config.set({"distributed.client.scheduler-info-interval": "1h"})


def received_by_round(cluster, directory, ledger, reserves, capacity: int, monkeypatch, **options) -> int:
    """Bytes this process reads from Dask while proving a round of SUBTREES subtrees an asset
    on the cluster (`options`: more prove.Options, e.g. prices)."""
    monkeypatch.setattr(sharded, "SUBTREE_LEAVES", capacity // SUBTREES)
    monkeypatch.setattr(sharded, "MIN_SUBTREES", 1)
    options = prove.Options(round_secret=SECRET, timestamp=STAMP, chunk=16, capacity=capacity,
                            scheduler=cluster.address, **options)
    with no_timed_refresh(), bytes_received() as counted:
        prove.run(ledger, reserves, directory / "att", directory / "s.db", options, QUIET)
    assert counted[0] > 0, "the count saw no Dask traffic: it measures nothing"
    return counted[0]


def _received(cluster, directory, users: int, capacity: int, monkeypatch) -> int:
    ledger, reserves = inputs(directory / "in", f"coordinator-{users}", users=users)
    return received_by_round(cluster, directory, ledger, reserves, capacity, monkeypatch)


def test_what_the_coordinator_receives_does_not_grow_with_the_leaves(cluster, tmp_path, monkeypatch):
    small = _received(cluster, tmp_path / "small", *SMALL, monkeypatch)
    large = _received(cluster, tmp_path / "large", *LARGE, monkeypatch)
    added_leaves = 3 * (LARGE[1] - SMALL[1])
    per_leaf = (large - small) / added_leaves
    assert per_leaf <= BYTES_PER_LEAF, (f"the coordinator received {small} bytes at {3 * SMALL[1]} leaves, {large} "
                                        f"at {3 * LARGE[1]}: {per_leaf:.1f} bytes a leaf more")

