"""The coordinator of a margin round on a cluster receives no spot row and no spot leaf
(SPEC.md §6.9.1, §6.12.7): measured, as tests/test_coordinator_memory.py measures a spot
round, by the bytes this process reads from Dask while `prove.run` drives the round on the
real cluster, at two sizes with the same subtrees and the same three margin accounts —
growth per added spot leaf is what reaches the coordinator per spot row or leaf. The Dask
client's refresh of the scheduler's description (≈ 1.4 KB every 2 s: it grows with the
round's wall time, which a loaded machine stretches) is turned off for the measurement."""

import marginkit
from test_coordinator_memory import BYTES_PER_LEAF, received_by_round

MARGIN_ROWS = [row for row in marginkit.ROWS if not row[0].startswith("spot-")]
SMALL, LARGE = (24, 64), (96, 256)
"""(spot users, capacity of every spot tree) of the two rounds: each spot user holds all
three assets, so 192 and 768 spot leaves."""


def _received(cluster, directory, users: int, capacity: int, monkeypatch) -> int:
    spot = [(f"spot-{i:05d}", a, f"{i % 7}.25") for i in range(users) for a in ("BTC", "ETH", "USDT")]
    ledger, reserves, market = marginkit.write_inputs(directory / "in", MARGIN_ROWS + spot)
    return received_by_round(cluster, directory, ledger, reserves, capacity, monkeypatch, prices=str(market))


def test_what_a_margin_rounds_coordinator_receives_does_not_grow_with_the_spot_leaves(cluster, tmp_path,
                                                                                      monkeypatch):
    small = _received(cluster, tmp_path / "small", *SMALL, monkeypatch)
    large = _received(cluster, tmp_path / "large", *LARGE, monkeypatch)
    added_leaves = 3 * (LARGE[1] - SMALL[1])
    per_leaf = (large - small) / added_leaves
    assert per_leaf <= BYTES_PER_LEAF, (f"the coordinator received {small} bytes at {3 * SMALL[1]} spot leaves, "
                                        f"{large} at {3 * LARGE[1]}: {per_leaf:.1f} bytes a leaf more")
