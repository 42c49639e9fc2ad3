"""A spot round proved on a cluster in subtrees (issue 14; SPEC.md §6.9.1): placement by
Dask bag shuffles, subtree tasks writing shards, a coordinator that joins roots. Small
subtrees, ledger partitions and padding ranges here, so every round has many of each; the
attestation must be the pool's byte for byte, inclusion proofs from the shards the pool
state's, and what the single-process reader refuses refused the same."""

import sqlite3

import pytest

from roundkit import QUIET, inputs
from test_scale import SECRET, STAMP, _same_tree
from zksolv import inclusion, ledger, ledgerparts, shard, state
from zksolv.attestation import placement, prove, sharded, verify
from zksolv.attestation.manifest import read as read_manifest
from zksolv.errors import InputError



@pytest.fixture
def small_units(monkeypatch):
    """Subtrees of 8 leaves, ledger partitions of 100 bytes (about 4 rows), padding ranges of 5."""
    monkeypatch.setattr(sharded, "SUBTREE_LEAVES", 8)
    monkeypatch.setattr(sharded, "MIN_SUBTREES", 1)
    monkeypatch.setattr(ledgerparts, "PART_BYTES", 100)
    monkeypatch.setattr(placement, "PADDING_PER_PARTITION", 5)


def _options(**kw):
    return prove.Options(round_secret=SECRET, timestamp=STAMP, chunk=4, coverage_percent="105", **kw)


@pytest.fixture(scope="module")
def pool_round(tmp_path_factory):
    directory = tmp_path_factory.mktemp("pool")
    ledger_path, reserves = inputs(directory / "in", "sharded-round", users=24)
    prove.run(ledger_path, reserves, directory / "att", directory / "s.db", _options(workers=1, capacity=32), QUIET)
    return ledger_path, reserves, directory


def test_subtrees_give_the_pools_attestation_and_inclusion_proofs(cluster, pool_round, small_units, tmp_path):
    ledger_path, reserves, pool = pool_round
    prove.run(ledger_path, reserves, tmp_path / "att", tmp_path / "s.db",
              _options(scheduler=cluster.address, capacity=32), QUIET)
    assert _same_tree(pool / "att", tmp_path / "att")
    verify.audit(tmp_path / "att", scheduler=cluster.address)

    db = sqlite3.connect(tmp_path / "s.db")
    per_asset = dict(db.execute("SELECT asset, count(*) FROM subtrees GROUP BY asset"))
    assert db.execute("SELECT count(*) FROM leaves").fetchone()[0] == 0   # the leaves are in the shards
    db.close()
    m = read_manifest(tmp_path / "att" / "manifest.json")
    assert per_asset == {a: 32 // 8 for a in m.assets}

    sharded_state, pool_state = state.State(tmp_path / "s.db"), state.State(pool / "s.db")
    for user in ("user-000000", "user-000007", "user-000016", "user-000023"):
        assert inclusion.build(sharded_state, m, user) == inclusion.build(pool_state, m, user)
    for st in (sharded_state, pool_state):
        with pytest.raises(InputError, match="holds nothing in this round"):
            inclusion.build(st, m, "nobody")
    sharded_state.close()
    for path in (tmp_path / "s.db.d").glob(f"{'BTC'.encode().hex()}-*.db"):   # user 0 holds BTC
        path.unlink()
    with pytest.raises(InputError, match="cannot read shard"):
        inclusion.build(state.State(tmp_path / "s.db"), m, "user-000000")


def test_a_duplicate_row_is_refused_as_the_ledger_reader_refuses_it(cluster, small_units, tmp_path):
    ledger_path, reserves = inputs(tmp_path / "in", "duplicate", users=20)
    lines = ledger_path.read_text().splitlines(keepends=True)
    ledger_path.write_text("".join(lines[:12] + [lines[3]] + lines[12:]))   # line 4 again, as line 13
    messages = []
    for name, options in (("pool", _options(workers=1)), ("dask", _options(scheduler=cluster.address))):
        with pytest.raises(InputError, match="duplicate row") as caught:
            prove.run(ledger_path, reserves, tmp_path / name, tmp_path / f"{name}.db", options, QUIET)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and ":13: " in messages[0] and "first on line 4" in messages[0]
    assert not (tmp_path / "dask").exists() and not (tmp_path / "dask.db").exists()


def test_shards_of_another_round_are_refused(cluster, small_units, tmp_path):
    """A fresh round whose state's shard directory holds shards refuses them (without
    --force, which replaces them); a shard whose tag is another round's is never used."""
    ledger_path, reserves = inputs(tmp_path / "in", "other-round", users=4)
    (tmp_path / "s.db.d").mkdir()
    (tmp_path / "s.db.d" / "425443-0.db").write_bytes(b"")
    with pytest.raises(InputError, match="shards of another round"):
        prove.run(ledger_path, reserves, tmp_path / "att", tmp_path / "s.db", _options(scheduler=cluster.address),
                  QUIET)
    prove.run(ledger_path, reserves, tmp_path / "att", tmp_path / "s.db",
              _options(scheduler=cluster.address, force=True), QUIET)

    path = tmp_path / "t.db"
    shard.Shard.open(path, shard.tag(SECRET, "inputs", "BTC", 0)).close()
    with pytest.raises(InputError, match="another round"):
        shard.Shard.open(path, shard.tag(SECRET, "inputs", "BTC", 1))
    assert (path.stat().st_mode & 0o777) == 0o600


def test_ledger_partitions_read_back_every_row_on_its_line(tmp_path):
    """Partitions cut at record boundaries (quoted fields, CRLF, a byte-order mark, non-ASCII
    ids) give back exactly the rows, with the lines, that the streaming reader gives."""
    text = ("\ufeffuser_id,asset,amount\r\n" + "".join(
        f'"us,er-{i}",BTC,{i}.5\r\n' if i % 3 == 0 else f"ü{i},ETH,{i}\n" for i in range(23)))
    path = tmp_path / "ledger.csv"
    path.write_text(text, encoding="utf-8", newline="")
    decimals, bits = {"BTC": 8, "ETH": 6}, {"BTC": 64, "ETH": 64}
    scan = ledgerparts.scan(ledgerparts.synchronous, path, decimals, bits, part_bytes=64)
    assert len(scan.partitions) == 5   # of 6 ranges: the last holds no line start
    rows = [row for part in scan.partitions for row in ledgerparts.rows(scan.layout, part, decimals, bits)]
    assert rows == list(ledger.read_ledger(path, decimals, bits))
    assert scan.counts == {"BTC": 8, "ETH": 15} and scan.totals["BTC"] == sum(r.units for r in rows if r.asset == "BTC")


def test_a_ledger_changed_during_the_round_is_refused(cluster, small_units, monkeypatch, tmp_path):
    """What the workers read must be what the coordinator checked solvency on: here the
    coordinator's pass is made to see one unit less of BTC than the workers will read."""
    ledger_path, reserves = inputs(tmp_path / "in", "changed", users=6)
    real_scan = ledgerparts.scan

    def stale_scan(*args):
        scan = real_scan(*args)
        scan.totals["BTC"] -= 1
        return scan

    monkeypatch.setattr(ledgerparts, "scan", stale_scan)
    with pytest.raises(InputError, match="the ledger changed during the round"):
        prove.run(ledger_path, reserves, tmp_path / "att", tmp_path / "s.db", _options(scheduler=cluster.address),
                  QUIET)
    assert not (tmp_path / "att").exists()


def test_a_shard_that_cannot_be_written_is_an_input_error(tmp_path):
    """A storage failure under a subtree task (here: a shard missing its chunks table) is an
    InputError naming the shard's subtree (exit 3), not an internal error."""
    from zksolv import roundkeys
    from zksolv.attestation.subtree import AssetPlan, RoundPlan, prove_subtree

    plan = RoundPlan("round", bytes(32), "inputs", str(tmp_path), (AssetPlan("BTC", 64, 8, 0, 4, 8, 0, 0),), SECRET)
    rows = [(i, roundkeys.order_key(SECRET, "BTC", roundkeys.padding_id_hash(SECRET, "BTC", i)), None, i)
            for i in range(8)]
    broken = shard.Shard.open(shard.path_of(tmp_path, "BTC", 0), shard.tag(SECRET, "inputs", "BTC", 0))
    broken._db.execute("DROP TABLE chunks")
    broken.close()
    with pytest.raises(InputError, match="BTC: the shard of subtree 0 .* failed"):
        prove_subtree(plan, 0, rows)


def test_each_subtree_takes_the_slices_of_the_buckets_its_positions_lie_in():
    from zksolv.attestation.handoff import slices
    from zksolv.attestation.subtree import AssetPlan, RoundPlan

    # capacity 16 in 4 subtrees of 4; buckets of 5, 0, 10 and 1 leaves (the second empty)
    asset = AssetPlan("BTC", 64, 16, 9, 4, 4, first_bucket=10, first_subtree=20)
    plan = RoundPlan("id", b"", "", "", (asset,), b"")
    starts = {10: 0, 11: 5, 12: 5, 13: 15}
    assert slices(plan, starts) == [
        (20, [(10, 0, 0, 4)]),
        (21, [(10, 0, 4, 5), (12, 5, 5, 8)]),
        (22, [(12, 5, 8, 12)]),
        (23, [(12, 5, 12, 15), (13, 15, 15, 16)])]


def test_a_round_over_ledger_ranges_capped_at_the_most_asked_is_the_pools(cluster, pool_round, small_units,
                                                                          monkeypatch, tmp_path):
    ledger_path, reserves, pool = pool_round   # small_units: 100-byte ranges, here joined into 2
    monkeypatch.setattr(ledgerparts, "MAX_PARTITIONS", 2)
    prove.run(ledger_path, reserves, tmp_path / "att", tmp_path / "s.db",
              _options(scheduler=cluster.address, capacity=32), QUIET)
    assert _same_tree(pool / "att", tmp_path / "att")
