"""A margin round proved on a Dask cluster (`prove --prices … --scheduler`; SPEC.md §6.9.1,
§6.12.7): the ledger grouped by user on the workers, the spot trees in subtrees with shards
as a spot round's, the coordinator holding counts, totals and the margin accounts only. The
attestation must be the pool's byte for byte, inclusion proofs the pool state's, and every
refusal the pool's. Small subtrees, ledger partitions and padding ranges, so every round has
many of each."""

import json
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import marginkit
from test_storage import remote  # noqa: F401 (a fixture: a fresh zkstest:// location)
from roundkit import QUIET
from test_scale import SECRET, STAMP, _count_chunks, _same_tree
from zksolv import inclusion2, ledgerparts, state
from zksolv.attestation import marginsplit, marginsubtree, placement, prove, sharded
from zksolv.attestation.manifest2 import read as read_manifest
from zksolv.errors import InputError, Insolvent

TIMEOUT = 300
SPOT_USERS = 21
ROWS = marginkit.ROWS + [(f"spot-u{i:03d}", ("BTC", "ETH", "USDT")[i % 3], f"{i + 1}.5") for i in range(SPOT_USERS)]
"""marginkit's five users (three margin accounts) and 21 more spot users."""


MARGIN_CAPACITY = 16
"""Account leaves of the rounds: 3 margin accounts and 13 padding accounts, 4 subtrees."""


@pytest.fixture
def small_units(monkeypatch):
    """Subtrees of 4 leaves (spot and account trees), ledger partitions of 100 bytes (about
    4 rows), padding ranges of 5."""
    monkeypatch.setattr(sharded, "SUBTREE_LEAVES", 4)
    monkeypatch.setattr(sharded, "MIN_SUBTREES", 1)
    monkeypatch.setattr(marginsubtree, "SUBTREE_LEAVES", 4)
    monkeypatch.setattr(marginsubtree, "MIN_SUBTREES", 1)
    monkeypatch.setattr(ledgerparts, "PART_BYTES", 100)
    monkeypatch.setattr(placement, "PADDING_PER_PARTITION", 5)


def _options(market, **kw):
    return marginkit.options(prices=str(market), round_secret=SECRET, timestamp=STAMP,
                             margin_capacity=MARGIN_CAPACITY, **kw)


def _prove(directory, name, **kw):
    ledger, reserves, market = directory / "in" / "ledger.csv", directory / "in" / "reserves.json", \
        directory / "in" / "prices.json"
    return prove.run(ledger, reserves, directory / name, directory / f"{name}.db", _options(market, **kw), QUIET)


@pytest.fixture(scope="module")
def pool_round(tmp_path_factory):
    directory = tmp_path_factory.mktemp("margin-pool")
    marginkit.write_inputs(directory / "in", ROWS)
    _prove(directory, "pool")
    return directory


def test_a_margin_round_on_a_cluster_is_the_pools_and_so_are_its_inclusion_proofs(cluster, pool_round,
                                                                                    small_units):
    directory = pool_round
    _prove(directory, "dask", scheduler=cluster.address)
    assert _same_tree(directory / "pool", directory / "dask")

    db = sqlite3.connect(directory / "dask.db")
    assert db.execute("SELECT count(*) FROM leaves").fetchone()[0] == 0    # spot leaves: in the shards
    assert db.execute("SELECT count(*) FROM accounts").fetchone()[0] == 0  # margin accounts: likewise
    per_asset = dict(db.execute("SELECT asset, count(*) FROM subtrees GROUP BY asset"))
    db.close()
    m = read_manifest(directory / "dask" / "manifest.json")
    assert per_asset == {"": MARGIN_CAPACITY // 4, **{a: e.capacity // 4 for a, e in m.assets.items()}}
    assert min(per_asset.values()) > 1
    on_cluster, pool = state.State(directory / "dask.db"), state.State(directory / "pool.db")
    for user in ("spot-1", "spot-2", "spot-u000", "spot-u020", "alice", "bob", "carol"):
        assert inclusion2.build(on_cluster, m, user) == inclusion2.build(pool, m, user), user
    assert on_cluster.margin_account("spot-1") is None and on_cluster.margin_account("nobody") is None
    for user in ("alice", "bob", "carol"):     # the account shards are never read as a spot tree's
        assert on_cluster.holdings(user) == [] and on_cluster.margin_account(user) == pool.margin_account(user)


def test_a_margin_customers_spot_lookup_never_reads_the_account_shards(cluster, pool_round, small_units,
                                                                           tmp_path):
    """The account tree's index rows (asset "") name account shards: a spot lookup must not
    take them for a spot tree's. Here the index row of alice's account subtree is widened to
    every key (the others to none), so a lookup under asset "" would find her there."""
    directory = pool_round
    if not (directory / "dask.db").exists():
        _prove(directory, "dask", scheduler=cluster.address)
    copy = tmp_path / "dask.db"
    copy.write_bytes((directory / "dask.db").read_bytes())
    shutil.copytree(directory / "dask.db.d", tmp_path / "dask.db.d")
    position, _ = state.State(copy).margin_account("alice")
    db = sqlite3.connect(copy)
    db.execute("UPDATE subtrees SET key_first = ?, key_last = ? WHERE asset = ''", (b"\xff" * 33, b""))
    db.execute("UPDATE subtrees SET key_first = ?, key_last = ? WHERE asset = '' AND k = ?",
               (b"", b"\xff" * 33, position // 4))
    db.commit()
    db.close()
    assert state.State(copy).holdings("alice") == []


def test_a_margin_customer_whose_shard_is_gone_is_an_input_error(cluster, pool_round, small_units, tmp_path):
    """A margin customer's account and lowest path steps are read from their account
    subtree's shard only: with it gone, `inclusion` refuses (exit 3), never answers wrong."""
    directory = pool_round
    state_path = directory / "dask.db"
    if not state_path.exists():
        _prove(directory, "dask", scheduler=cluster.address)
    m = read_manifest(directory / "dask" / "manifest.json")
    moved = tmp_path / "margin-shards"
    moved.mkdir()
    for path in (directory / "dask.db.d").glob("margin-*.db"):
        path.rename(moved / path.name)
    try:
        with pytest.raises(InputError, match="margin-"):
            inclusion2.build(state.State(state_path), m, "alice")
    finally:
        for path in moved.iterdir():
            path.rename(directory / "dask.db.d" / path.name)


def _both_refuse(directory, cluster, error, **kw) -> list[str]:
    """The pool's and the cluster's refusal messages of the inputs in `directory`/in; nothing
    written by either but the refusal report."""
    messages = []
    for name, engine in (("pool", {}), ("dask", {"scheduler": cluster.address})):
        with pytest.raises(error) as caught:
            _prove(directory, name, refusals=str(directory / f"{name}.csv"), **engine, **kw)
        messages.append(str(caught.value).replace(str(directory / f"{name}.csv"), "REPORT"))
        assert not (directory / name).exists() and not (directory / f"{name}.db").exists()
        assert not (directory / f"{name}.db.d").exists()
    return messages


BAD_LEDGERS = {
    "amount": (lambda rows: rows[:17] + [("spot-x", "BTC", "1.5.5")] + rows[17:], ":19: amount"),
    "margin duplicate": (lambda rows: rows + [("carol", "ETH", "-1")], "duplicate row for user 'carol'"),
    "spot duplicate": (lambda rows: rows[:20] + [("spot-u002", "USDT", "4")] + rows[20:],
                       "duplicate row for user 'spot-u002'"),
    "duplicate before a bad line": (lambda rows: rows[:12] + [("bob", "ETH", "1")] + rows[12:20]
                                    + [("x", "DOGE", "1")] + rows[20:], "duplicate row for user 'bob'"),
}


@pytest.mark.parametrize("case", sorted(BAD_LEDGERS))
def test_a_bad_ledger_is_refused_on_a_cluster_as_on_one_machine(cluster, small_units, tmp_path, case):
    change, expected = BAD_LEDGERS[case]
    ledger, _, _ = marginkit.write_inputs(tmp_path / "in", ROWS)
    ledger.write_text("user_id,asset,amount\n" + "".join(f"{u},{a},{x}\n" for u, a, x in change(list(ROWS))))
    pool, dask = _both_refuse(tmp_path, cluster, InputError)
    assert pool == dask and expected in pool and pool.startswith(str(tmp_path / "in" / "ledger.csv") + ":")


def test_an_uncollateralized_account_is_refused_with_the_pools_report(cluster, small_units, monkeypatch, tmp_path):
    """Checked in the tasks: a refused round never places or proves the accounts."""
    marginkit.write_inputs(tmp_path / "in", ROWS + [("dave", "BTC", "0.001"), ("dave", "USDT", "-1000000")])
    monkeypatch.setattr(marginsplit.Split, "margin_rows", lambda *args: pytest.fail("accounts placed"))
    pool, dask = _both_refuse(tmp_path, cluster, Insolvent)
    assert pool == dask and "1 margin accounts are not collateralized" in pool
    report = (tmp_path / "dask.csv").read_bytes()
    assert report == (tmp_path / "pool.csv").read_bytes() and b"dave,base," in report
    assert (tmp_path / "dask.csv").stat().st_mode & 0o777 == 0o600


def test_net_liabilities_above_the_reserves_are_refused_as_on_one_machine(cluster, small_units, tmp_path):
    """Reserves at 99 % of each asset's net liability (spot + margin equity − margin debt,
    reduced from the tasks): the same refusal as the pool's."""
    marginkit.write_inputs(tmp_path / "in", ROWS, reserve_percent=99)
    pool, dask = _both_refuse(tmp_path, cluster, Insolvent)
    assert pool == dask and "BTC: reserves do not cover net liabilities" in pool


def test_debts_without_prices_are_refused_on_a_cluster_as_on_one_machine(cluster, small_units, tmp_path):
    ledger, reserves, _ = marginkit.write_inputs(tmp_path / "in", ROWS)
    messages = []
    for name, engine in (("pool", {"workers": 1}), ("dask", {"scheduler": cluster.address})):
        options = prove.Options(round_secret=SECRET, timestamp=STAMP, chunk=4, **engine)
        with pytest.raises(InputError) as caught:
            prove.run(ledger, reserves, tmp_path / name, tmp_path / f"{name}.db", options, QUIET)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and ":6: amount: '-20000': debts need --prices" in messages[0]


def _margin_chunks(db_path) -> int:
    """Account-tree chunks proved so far: in the account subtrees' shards."""
    return sum(_count_chunks(path) for path in Path(f"{db_path}.d").glob("margin-*.db"))


def test_kill_9_of_the_coordinator_mid_margin_round_resumes_byte_identical(cluster, tmp_path):
    ledger, reserves, market = marginkit.write_inputs(tmp_path / "in", ROWS)
    secret = tmp_path / "secret.hex"
    secret.write_text(SECRET.hex())

    def command(name, *engine):
        return [sys.executable, "-m", "zksolv", "prove", "--ledger", str(ledger), "--reserves", str(reserves),
                "--prices", str(market), "--out", str(tmp_path / name), "--state", str(tmp_path / f"{name}.db"),
                "--chunk", "1", "--margin-capacity", "16", "--coverage", "105", "--round-secret-file", str(secret),
                "--timestamp", STAMP, "--json", *engine]

    cmd = command("dask", "--scheduler", cluster.address)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + TIMEOUT    # the spot subtrees done, the account tree's chunks begun (4 a task)
        while _margin_chunks(tmp_path / "dask.db") < 1 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert proc.poll() is None, "prove finished before it could be interrupted"
    finally:
        proc.kill()   # SIGKILL
        proc.communicate(timeout=TIMEOUT)
    killed_at = _margin_chunks(tmp_path / "dask.db")
    assert 1 <= killed_at < 16 and not (tmp_path / "dask").exists()
    resumed = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    assert resumed.returncode == 0, resumed.stderr + cluster.logs()
    assert json.loads(resumed.stdout)["chunks_already_proved"] >= killed_at
    pool = subprocess.run(command("pool", "--workers", "2"), capture_output=True, text=True, timeout=TIMEOUT)
    assert pool.returncode == 0, pool.stderr
    assert _same_tree(tmp_path / "pool", tmp_path / "dask")


def test_spot_trees_proved_over_other_figures_than_the_reference_saw_are_refused(cluster, small_units, monkeypatch,
                                                                                 tmp_path):
    """The plain-integer verdict and the proofs must be about the same spot rows: here the
    coordinator's split is made to see one unit less of BTC than the subtree tasks prove."""
    marginkit.write_inputs(tmp_path / "in", ROWS)
    real_split = marginsplit.split

    def stale_split(*args):
        found = real_split(*args)
        found.spot_totals["BTC"] -= 1
        return found

    monkeypatch.setattr(marginsplit, "split", stale_split)
    with pytest.raises(InputError, match="the ledger changed during the round"):
        _prove(tmp_path, "dask", scheduler=cluster.address)
    assert not (tmp_path / "dask").exists()


def test_a_margin_round_on_a_cluster_checks_its_shards_place_before_any_work(cluster, small_units, monkeypatch,
                                                                               tmp_path):
    """`<state>.d` holding something that is not a shard is refused before the ledger is read."""
    marginkit.write_inputs(tmp_path / "in", ROWS)
    (tmp_path / "dask.db.d").mkdir()
    (tmp_path / "dask.db.d" / "notes.txt").write_text("mine")
    monkeypatch.setattr(marginsplit, "split", lambda *args: pytest.fail("the ledger was read"))
    with pytest.raises(InputError) as caught:
        _prove(tmp_path, "dask", scheduler=cluster.address)
    assert "dask.db.d: also holds 'notes.txt'" in str(caught.value)
    assert (tmp_path / "dask.db.d" / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("figure", ["equity", "debt"])
def test_an_account_tree_proved_over_other_accounts_than_the_reference_saw_is_refused(cluster, small_units,
                                                                                      monkeypatch, tmp_path, figure):
    """The verdict (every account collateralized, every asset solvent) and the account tree
    must be about the same margin accounts: here the coordinator's split is made to see one
    unit more of BTC equity (or debt) than the account subtree tasks prove."""
    marginkit.write_inputs(tmp_path / "in", ROWS)
    real_split = marginsplit.split

    def stale_split(*args):
        found = real_split(*args)
        getattr(found, figure)["BTC"] += 1
        return found

    monkeypatch.setattr(marginsplit, "split", stale_split)
    with pytest.raises(InputError, match=r"the ledger changed during the round \(margin accounts\)"):
        _prove(tmp_path, "dask", scheduler=cluster.address)
    assert not (tmp_path / "dask").exists()


def test_a_margin_round_with_its_shards_behind_a_url_is_the_pools(cluster, pool_round, small_units, remote,
                                                                  tmp_path):
    """Account subtrees on a URL (`zkstest://`, no local path): published and fetched as the
    spot trees' are — margin.audit copied from them, a margin customer answered from one
    fetched into the state's cache."""
    url, where = remote
    directory = pool_round
    ledger, reserves, market = (directory / "in" / name for name in ("ledger.csv", "reserves.json", "prices.json"))
    prove.run(ledger, reserves, tmp_path / "att", tmp_path / "s.db",
              _options(market, scheduler=cluster.address, shards=url), QUIET)
    assert _same_tree(directory / "pool", tmp_path / "att")
    assert len(list(where.glob("margin-*.db"))) == MARGIN_CAPACITY // 4 and not (tmp_path / "s.db.d").exists()
    m = read_manifest(tmp_path / "att" / "manifest.json")
    answer = inclusion2.build(state.State(tmp_path / "s.db"), m, "carol")
    assert answer == inclusion2.build(state.State(directory / "pool.db"), m, "carol")
    assert list((tmp_path / "s.db.cache").glob("margin-*.db"))
