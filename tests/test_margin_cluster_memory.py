"""The coordinator of a margin round on a cluster receives no spot row, no spot leaf and no
margin account (SPEC.md §6.9.1, §6.12.7): measured, as tests/test_coordinator_memory.py
measures a spot round, by the bytes this process reads from Dask while `prove.run` drives
the round on the real cluster, at two sizes with the same subtrees — growth per added spot
leaf (the margin accounts fixed), and per added margin account (the spot users and every
capacity fixed), is what reaches the coordinator per row, leaf or account. The Dask
client's refresh of the scheduler's description (≈ 1.4 KB every 2 s: it grows with the
round's wall time, which a loaded machine stretches) is turned off for the measurement."""

import marginkit
from test_coordinator_memory import BYTES_PER_LEAF, received_by_round
from zksolv.attestation import marginsubtree

MARGIN_ROWS = [row for row in marginkit.ROWS if not row[0].startswith("spot-")]
SPOT_ROWS = [row for row in marginkit.ROWS if row[0].startswith("spot-")]
SMALL, LARGE = (24, 64), (96, 256)
"""(spot users, capacity of every spot tree) of the two rounds: each spot user holds all
three assets, so 192 and 768 spot leaves."""
FEW, MANY, MARGIN_CAPACITY = 4, 28, 32
"""Margin accounts of the two rounds of the second test, in an account tree of 32 leaves."""
USER_ID_BYTES = 240
BYTES_PER_ACCOUNT = 60
"""What the coordinator may receive per added margin account, at most: a quarter of one
account's user id (USER_ID_BYTES), so that an account gathered in any form — it carries its
user id — fails the bound four times over. Measured (machine shared, load ≈ 10): 3.1 and
5.0 bytes an account; 352 with the accounts gathered into the coordinator again (a
`client.compute` of the placement entries, the mutation this test was checked against)."""


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


def _accounts(count: int) -> list:
    """`count` margin accounts with long user ids, each holding 1 BTC and owing 1,000 USDT
    (collateralized at base and in the crash)."""
    return [(f"m{i:05d}".ljust(USER_ID_BYTES, "x"), asset, amount) for i in range(count)
            for asset, amount in (("BTC", "1"), ("USDT", "-1000"))]


def _received_with_accounts(cluster, directory, accounts: int, monkeypatch) -> int:
    ledger, reserves, market = marginkit.write_inputs(directory / "in", SPOT_ROWS + _accounts(accounts))
    monkeypatch.setattr(marginsubtree, "SUBTREE_LEAVES", MARGIN_CAPACITY // 4)
    monkeypatch.setattr(marginsubtree, "MIN_SUBTREES", 1)
    return received_by_round(cluster, directory, ledger, reserves, 64, monkeypatch, prices=str(market),
                             margin_capacity=MARGIN_CAPACITY)


def test_what_a_margin_rounds_coordinator_receives_does_not_grow_with_the_margin_accounts(cluster, tmp_path,
                                                                                         monkeypatch):
    few = _received_with_accounts(cluster, tmp_path / "few", FEW, monkeypatch)
    many = _received_with_accounts(cluster, tmp_path / "many", MANY, monkeypatch)
    per_account = (many - few) / (MANY - FEW)
    assert per_account <= BYTES_PER_ACCOUNT, (f"the coordinator received {few} bytes with {FEW} margin accounts, "
                                              f"{many} with {MANY}: {per_account:.1f} bytes an account more")
