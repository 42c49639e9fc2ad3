"""Shards behind fsspec (issue 14 item 3; SPEC.md §6.9.1): a subtree task works on a local
copy and publishes it — checkpoints, then the finished shard under its final name — and
the coordinator and `inclusion` fetch finished shards and check them. Every location here
is a URL: `zkstest://` (tests/zkstestfs.py, whose paths are not local paths) or `file://`."""

import os
import shutil
import stat
import uuid
from pathlib import Path

import pytest

import zkstestfs
from test_sharded import _options, pool_round  # noqa: F401 (a fixture: the pool's round of 24 users)
from zksolv import shard, storage
from zksolv.errors import InputError

MASTER, INPUTS, ASSET = bytes(range(32)), "ab" * 32, "BTC"
TAG = shard.tag(MASTER, INPUTS, ASSET, 3)
NAME = shard.path_of("", ASSET, 3).name


@pytest.fixture(params=["zkstest", "file"])
def place(request, tmp_path):
    """(URL, the directory that holds its objects): the test looks there, zksolv may not."""
    if request.param == "file":
        yield f"file://{tmp_path}/shards", tmp_path / "shards"
        return
    name = uuid.uuid4().hex
    yield f"zkstest://{name}/shards", Path(zkstestfs.backing_root()) / name / "shards"
    shutil.rmtree(Path(zkstestfs.backing_root()) / name, ignore_errors=True)


def _prove_some(url, chunks, finish=False):
    with storage.working_shard(url, ASSET, 3, TAG) as s:
        for i in chunks:
            s.save_chunk(i, f"proof-{i}".encode())
        if finish:
            s.finish([("alice", 24, 5)], [], b"\x01" * 65, {"k": 3, "asset": ASSET})
        return s.done()


def test_a_killed_task_resumes_from_the_checkpoint_it_published(place, monkeypatch):
    url, where = place
    monkeypatch.setattr(storage, "CHECKPOINT_CHUNKS", 2)
    storage.probe(url)
    _prove_some(url, [0, 1, 2])                # the task dies after its third chunk
    assert sorted(p.name for p in where.iterdir()) == [f".{NAME}.ckpt"]   # no final name yet
    with storage.working_shard(url, ASSET, 3, TAG) as s:
        assert s.summary() is None and s.done() == {0, 1}   # the third was never published
    _prove_some(url, [2, 3], finish=True)
    assert sorted(p.name for p in where.iterdir()) == [NAME]   # the checkpoint is gone
    with storage.working_shard(url, ASSET, 3, TAG) as s:
        assert s.summary() == {"k": 3, "asset": ASSET} and s.done() == {0, 1, 2, 3}
    assert storage.chunks_in(url, {ASSET.encode().hex(): 4}) == 4


def test_a_partial_or_unfinished_shard_under_the_final_name_is_never_taken_as_finished(place, monkeypatch):
    url, where = place
    monkeypatch.setattr(storage, "CHECKPOINT_CHUNKS", 1)
    _prove_some(url, [0, 1], finish=True)
    whole = (where / NAME).read_bytes()
    _prove_some(url.replace("/shards", "/other"), [0])   # a checkpoint (status proving)
    unfinished = (where.parent / "other" / f".{NAME}.ckpt").read_bytes()
    shards = storage.Shards(url, MASTER, INPUTS)
    half = len(whole) // 2
    for bad in (whole[:half], whole[:half] + b"\xff" * (len(whole) - half), unfinished, b"not sqlite"):
        (where / NAME).write_bytes(bad)
        with pytest.raises(InputError, match="not a finished shard of this round"):
            list(shards.each(ASSET, [3]))
        with storage.working_shard(url, ASSET, 3, TAG) as s:   # proved again from nothing
            assert s.summary() is None and s.done() == set()


def test_a_shard_of_another_round_is_refused(place):
    url, _ = place
    _prove_some(url, [0], finish=True)
    with pytest.raises(InputError, match="a shard of another round"):
        with storage.working_shard(url, ASSET, 3, shard.tag(MASTER, "cd" * 32, ASSET, 3)):
            pass
    with pytest.raises(InputError, match=r"not a finished shard of this round \(foreign\)"):
        list(storage.Shards(url, MASTER, "cd" * 32).each(ASSET, [3]))


def test_a_fetched_shard_is_cached_privately_and_read_once(place, tmp_path):
    url, where = place
    _prove_some(url, [0], finish=True)
    cache = tmp_path / "state.db.cache"
    shards = storage.Shards(url, MASTER, INPUTS, cache)
    path = shards.cached(ASSET, 3)
    assert path.parent == cache and path.read_bytes() == (where / NAME).read_bytes()
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700 and stat.S_IMODE(path.stat().st_mode) == 0o600
    (where / NAME).unlink()
    assert shards.cached(ASSET, 3) == path     # from the cache: the location is not read again


def test_a_cached_shard_of_a_replaced_round_is_fetched_again(place, tmp_path):
    """`prove --force` with the same state replaces the round; its cache must not answer."""
    url, where = place
    _prove_some(url, [0], finish=True)
    cache = tmp_path / "state.db.cache"
    old = storage.Shards(url, MASTER, INPUTS, cache).cached(ASSET, 3)
    (where / NAME).unlink()
    new_inputs = "cd" * 32
    with storage.working_shard(url, ASSET, 3, shard.tag(MASTER, new_inputs, ASSET, 3)) as s:
        s.save_chunk(0, b"the new round's proof")
        s.finish([("bob", 7, 9)], [], b"\x02" * 65, {"k": 3, "asset": ASSET})
    path = storage.Shards(url, MASTER, new_inputs, cache).cached(ASSET, 3)
    assert path == old and path.read_bytes() == (where / NAME).read_bytes()


def test_a_cache_that_cannot_be_made_is_refused(place, tmp_path):
    url, _ = place
    _prove_some(url, [0], finish=True)
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(InputError, match="cannot keep fetched shards there"):
        storage.Shards(url, MASTER, INPUTS, tmp_path / "file" / "cache").cached(ASSET, 3)


def test_the_working_copy_is_private_and_removed(place, monkeypatch):
    url, _ = place
    seen = []
    real = shard.Shard.open

    def spy(path, tag):
        opened = real(path, tag)
        seen.append((Path(path), stat.S_IMODE(os.stat(Path(path).parent).st_mode), stat.S_IMODE(os.stat(path).st_mode)))
        return opened

    monkeypatch.setattr(shard.Shard, "open", spy)
    _prove_some(url, [0], finish=True)
    (path, dir_mode, file_mode), = seen
    assert (dir_mode, file_mode) == (0o700, 0o600)
    assert not path.parent.exists()


def test_a_fresh_round_refuses_a_location_holding_shards_unless_forced(place):
    url, where = place
    _prove_some(url, [0], finish=True)
    storage.prepare(url, resumed=True, force=False)        # resuming: kept
    assert (where / NAME).exists()
    with pytest.raises(InputError, match="holds shards of another round"):
        storage.prepare(url, resumed=False, force=False)
    (where / "unrelated.txt").write_bytes(b"x")
    storage.prepare(url, resumed=False, force=True)         # --force: the old round's shards go
    assert sorted(p.name for p in where.iterdir()) == ["unrelated.txt"]


@pytest.mark.parametrize("url, why", [("nosuchprotocol://bucket/x", "not a usable storage location"),
                                      ("file:///proc/zksolv-nowhere/x", "cannot write there")])
def test_an_unusable_location_is_refused(url, why):
    with pytest.raises(InputError, match=why):
        storage.probe(url)


def test_a_resumed_round_keeps_the_location_it_began_with(tmp_path):
    b, c = f"file://{tmp_path}/b", f"file://{tmp_path}/c"
    meta = {"shards": b}
    assert storage.for_round(None, tmp_path / "s.db", meta, resumed=True) == (b, meta)
    with pytest.raises(InputError, match="keeps its shards in file://"):
        storage.for_round(c, tmp_path / "s.db", meta, resumed=True)
    with pytest.raises(InputError, match=r"keeps its shards in .*s\.db\.d"):
        storage.for_round(c, tmp_path / "s.db", {}, resumed=True)
    location, fresh = storage.for_round(c + "/", tmp_path / "s.db", {}, resumed=False)
    assert location == c and fresh == {"shards": c}
    with pytest.raises(InputError, match="not a usable storage location"):   # probed before any work
        storage.for_round(None, tmp_path / "s.db", {"shards": "nosuchprotocol://x"}, resumed=True)


# ---- rounds on the real cluster (tests/clusterkit.py; its workers preload zkstestfs) ----

@pytest.fixture
def remote(request):
    """A fresh `zkstest://` location and the directory behind it."""
    name = uuid.uuid4().hex
    yield f"zkstest://{name}/shards", Path(zkstestfs.backing_root()) / name / "shards"
    shutil.rmtree(Path(zkstestfs.backing_root()) / name, ignore_errors=True)


@pytest.fixture
def subtrees_of_16(monkeypatch):
    """Subtrees of 16 leaves (4 chunks of 4: a checkpoint can come before the end)."""
    from zksolv.attestation import sharded

    monkeypatch.setattr(sharded, "SUBTREE_LEAVES", 16)
    monkeypatch.setattr(sharded, "MIN_SUBTREES", 1)


def test_kill_9_of_a_worker_with_remote_shards_resumes_byte_identical(cluster, pool_round, subtrees_of_16, remote,
                                                                      tmp_path):
    import threading
    import signal
    import time

    from roundkit import QUIET
    from test_cluster import TIMEOUT, _busy_worker_pid
    from test_scale import _same_tree
    from zksolv import inclusion, state
    from zksolv.attestation import prove
    from zksolv.attestation.manifest import read as read_manifest

    ledger_path, reserves, pool = pool_round
    url, where = remote
    failed = []

    def run():
        try:
            prove.run(ledger_path, reserves, tmp_path / "att", tmp_path / "s.db",
                      _options(scheduler=cluster.address, capacity=32, shards=url), QUIET)
        except BaseException as exc:
            failed.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + TIMEOUT
    while thread.is_alive() and time.monotonic() < deadline and not (
            where.is_dir() and any(p.name.endswith(".ckpt") for p in where.iterdir())):
        time.sleep(0.005)
    assert thread.is_alive(), f"the round ended before a checkpoint was seen: {failed}"
    victim = _busy_worker_pid(cluster)
    os.kill(victim, signal.SIGKILL)   # its nanny starts a fresh one, which resumes its task
    thread.join(TIMEOUT)
    assert not failed and not thread.is_alive(), failed
    assert victim not in cluster.worker_pids()
    assert _same_tree(pool / "att", tmp_path / "att")
    assert not (tmp_path / "s.db.d").exists()
    assert len([p for p in where.iterdir() if shard.is_shard_name(p.name)]) == 3 * 32 // 16
    assert not [p for p in where.iterdir() if p.name.startswith(".")]   # no checkpoint or upload left

    m = read_manifest(tmp_path / "att" / "manifest.json")
    remote_state, pool_state = state.State(tmp_path / "s.db"), state.State(pool / "s.db")
    assert remote_state.meta["shards"] == url
    for user in ("user-000000", "user-000013", "user-000023"):   # from shards fetched into the cache
        assert inclusion.build(remote_state, m, user) == inclusion.build(pool_state, m, user)
    assert sorted(p.name for p in (tmp_path / "s.db.cache").iterdir())


def test_what_killed_workers_left_is_swept_and_nothing_else(place):
    url, where = place
    storage.probe(url)
    _prove_some(url, [0], finish=True)
    other = shard.path_of("", ASSET, 4).name
    left = [f".{NAME}.ckpt", f"..{NAME}.ckpt.up-0123456789abcdef", f".{other}.up-fedcba9876543210"]
    for name in left + ["notes.txt"]:
        (where / name).write_bytes(b"x")
    storage.sweep(url)
    assert sorted(p.name for p in where.iterdir()) == sorted([NAME, "notes.txt"])   # not ours: kept


def test_a_cluster_round_leaves_only_its_shards_where_they_live(cluster, pool_round, remote, tmp_path, monkeypatch):
    from roundkit import QUIET
    from test_scale import _same_tree
    from zksolv.attestation import prove

    ledger_path, reserves, pool = pool_round
    url, where = remote
    prepare = storage.prepare

    def prepare_then_a_killed_upload(location, resumed, force):   # as if a worker died mid-upload
        prepare(location, resumed, force)
        where.mkdir(parents=True, exist_ok=True)
        (where / f"..{shard.path_of('', 'BTC', 0).name}.ckpt.up-0123456789abcdef").write_bytes(b"x" * 100)

    monkeypatch.setattr(storage, "prepare", prepare_then_a_killed_upload)
    prove.run(ledger_path, reserves, tmp_path / "att", tmp_path / "s.db",
              _options(scheduler=cluster.address, capacity=32, shards=url), QUIET)
    assert _same_tree(pool / "att", tmp_path / "att")
    left = sorted(p.name for p in where.iterdir())
    assert left and all(shard.is_shard_name(n) for n in left), left   # the planted upload is gone


def _zksolv(*args):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "zksolv", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


def _prove_cli(ledger_path, reserves, out, *extra):
    from test_scale import SECRET, STAMP

    secret = out.parent / "secret.hex"
    secret.write_text(SECRET.hex())
    return _zksolv("prove", "--ledger", ledger_path, "--reserves", reserves, "--out", out, "--state", f"{out}.db",
                   "--chunk", "4", "--coverage", "105", "--capacity", "32", "--round-secret-file", secret,
                   "--timestamp", STAMP, *extra)


def test_the_command_proves_into_a_file_url_and_answers_inclusion_from_it(cluster, pool_round, tmp_path):
    from test_scale import _same_tree

    ledger_path, reserves, pool = pool_round
    url = f"file://{tmp_path}/bucket/round"
    done = _prove_cli(ledger_path, reserves, tmp_path / "att", "--scheduler", cluster.address, "--shards", url)
    assert done.returncode == 0, done.stderr + cluster.logs()
    assert _same_tree(pool / "att", tmp_path / "att")
    assert not (tmp_path / "att.db.d").exists() and (tmp_path / "bucket" / "round").is_dir()
    for user in ("user-000004",):
        mine = _zksolv("inclusion", "--state", tmp_path / "att.db", "--user", user)
        assert mine.returncode == 0, mine.stderr
        assert mine.stdout == _zksolv("inclusion", "--state", pool / "s.db", "--user", user).stdout



@pytest.mark.parametrize("extra, why", [
    (("--scheduler", "tcp://127.0.0.1:9", "--shards", "nosuchprotocol://bucket/x"), "not a usable storage location"),
    (("--scheduler", "tcp://127.0.0.1:9", "--shards", "file:///proc/zksolv-nowhere/x"), "cannot write there"),
    (("--shards", "file:///tmp/x"), "--shards needs --scheduler")])
def test_an_unusable_shard_location_is_refused_before_any_work(pool_round, tmp_path, extra, why):
    ledger_path, reserves, _ = pool_round
    done = _prove_cli(ledger_path, reserves, tmp_path / "att", *extra)
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith("zksolv: error: ") and why in done.stderr and done.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == [tmp_path / "secret.hex"]   # no state, no attestation


def test_the_shard_location_is_probed_before_the_inputs_are_read(pool_round, tmp_path):
    ledger_path, _, _ = pool_round
    not_reserves = tmp_path / "reserves.json"
    not_reserves.write_text("{")
    done = _prove_cli(ledger_path, not_reserves, tmp_path / "att", "--scheduler", "tcp://127.0.0.1:9",
                      "--shards", "nosuchprotocol://bucket/x")
    assert done.returncode == 3 and "not a usable storage location" in done.stderr, done.stderr


def test_a_download_with_a_limit_copies_one_byte_more_and_no_further(tmp_path):
    """`verify URL` fetches the manifest and the signature bounded (attestation/remote.py):
    one byte past the limit is enough for the reader to refuse an oversized file."""
    import fsspec

    (tmp_path / "big").write_bytes(bytes(range(100)) * 30000)
    fs = fsspec.filesystem("file")
    bounded = storage.download(fs, str(tmp_path / "big"), tmp_path / "bounded", limit=10)
    whole = storage.download(fs, str(tmp_path / "big"), tmp_path / "whole")
    assert bounded.read_bytes() == bytes(range(11))
    assert whole.read_bytes() == bytes(range(100)) * 30000
    assert (bounded.stat().st_mode & 0o777) == 0o600
