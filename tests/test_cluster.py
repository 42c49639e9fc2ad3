"""A round proved and audited on a real Dask cluster (issue 14): `dask scheduler` and two
`dask worker` processes from Dask's command-line tools on loopback, driven by `zksolv prove
--scheduler` and `zksolv audit --scheduler` as a user runs them; the attestation must be
byte-identical to the local process pool's, and the cluster's audit must catch a bad proof."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

import clusterkit
from clusterkit import real_cluster
from roundkit import inputs, negative_leaf_round
from test_scale import SECRET, STAMP, _chunks_done, _same_tree
from zksolv.group import N

TIMEOUT = 300


def _zksolv(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zksolv", *map(str, args)], capture_output=True, text=True,
                          timeout=TIMEOUT)


def _prove(ledger, reserves, directory, *engine) -> subprocess.CompletedProcess:
    secret = directory.parent / "secret.hex"
    secret.write_text(SECRET.hex())
    return _zksolv("prove", "--ledger", ledger, "--reserves", reserves, "--out", directory,
                   "--state", f"{directory}.db", "--chunk", "4", "--coverage", "105", "--round-secret-file",
                   secret, "--timestamp", STAMP, "--json", *engine)



def _tasks_run(cluster, prefix: str) -> int:
    """How many tasks whose key starts with `prefix` the scheduler has seen finish."""
    from distributed import Client

    def count(dask_scheduler, prefix=prefix):
        tp = dask_scheduler.task_prefixes.get(prefix)
        return 0 if tp is None else int(tp.state_counts.get("memory", 0) + tp.state_counts.get("released", 0)
                                        + tp.state_counts.get("forgotten", 0))

    with Client(cluster.address, timeout="10s") as client:
        return client.run_on_scheduler(count)


def test_a_round_proved_on_a_real_cluster_is_the_pools_byte_for_byte(cluster, tmp_path):
    ledger, reserves = inputs(tmp_path / "in", "real-cluster", users=12)
    before = _tasks_run(cluster, "subtree_task")
    on_cluster = _prove(ledger, reserves, tmp_path / "dask", "--scheduler", cluster.address)
    assert on_cluster.returncode == 0, on_cluster.stderr + cluster.logs()
    assert _tasks_run(cluster, "subtree_task") > before  # the subtrees were proved there
    pool = _prove(ledger, reserves, tmp_path / "pool", "--workers", "2")
    assert pool.returncode == 0, pool.stderr
    assert _same_tree(tmp_path / "pool", tmp_path / "dask")

    before = _tasks_run(cluster, "audit_unit")
    audit = _zksolv("audit", tmp_path / "dask", "--scheduler", cluster.address, "--json")
    assert audit.returncode == 0, audit.stderr + cluster.logs()
    assert json.loads(audit.stdout)["range_proofs_checked"] > 0
    assert _tasks_run(cluster, "audit_unit") > before   # units that read the audit files in place


def test_the_real_clusters_audit_rejects_a_negative_leaf(cluster, tmp_path, monkeypatch):
    bad = negative_leaf_round(tmp_path, monkeypatch, N - 10**8)
    audit = _zksolv("audit", bad.out, "--scheduler", cluster.address)
    assert audit.returncode == 1, audit.stderr + cluster.logs()
    assert "range proof does not verify" in audit.stderr


def _start_prove(ledger, reserves, directory, *engine) -> tuple[subprocess.Popen, list]:
    secret = directory.parent / "secret.hex"
    secret.write_text(SECRET.hex())
    cmd = [sys.executable, "-m", "zksolv", "prove", "--ledger", str(ledger), "--reserves", str(reserves),
           "--out", str(directory), "--state", f"{directory}.db", "--chunk", "4", "--coverage", "105",
           "--round-secret-file", str(secret), "--timestamp", STAMP, "--json", *engine]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), cmd


def _when_chunks_proved(proc, state, count: int) -> None:
    """Wait (bounded) until the state holds `count` chunk proofs and `proc` still runs."""
    deadline = time.monotonic() + TIMEOUT
    while _chunks_done(state) < count and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "prove finished before it could be interrupted"
    assert _chunks_done(state) >= count, "prove proved nothing in time"


@pytest.fixture(scope="module")
def longer_round(tmp_path_factory):
    """A round long enough to interrupt (48 users, chunks of 4), and the pool's attestation."""
    directory = tmp_path_factory.mktemp("longer")
    ledger, reserves = inputs(directory / "in", "real-cluster-kill", users=48)
    pool = _prove(ledger, reserves, directory / "pool", "--workers", "2")
    assert pool.returncode == 0, pool.stderr
    return ledger, reserves, directory / "pool"


def _busy_worker_pid(cluster) -> int:
    """The pid of a worker process with a task running now (bounded wait)."""
    from distributed import Client

    with Client(cluster.address, timeout="10s") as client:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            busy = [address for address, keys in client.processing().items() if keys]
            if busy:
                return client.run(os.getpid, workers=busy[:1])[busy[0]]
            time.sleep(0.01)
    raise AssertionError("no worker took a task")


def test_kill_9_of_a_real_worker_mid_round_loses_nothing(cluster, longer_round, tmp_path):
    ledger, reserves, pool = longer_round
    proc, _ = _start_prove(ledger, reserves, tmp_path / "dask", "--scheduler", cluster.address)
    try:
        _when_chunks_proved(proc, f"{tmp_path / 'dask'}.db", 4)
        victim = _busy_worker_pid(cluster)
        os.kill(victim, signal.SIGKILL)   # its nanny starts a fresh one
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        proc.kill()
    assert victim not in cluster.worker_pids()
    assert proc.returncode == 0, err + cluster.logs()
    assert json.loads(out)["chunks_already_proved"] == 0
    assert _same_tree(pool, tmp_path / "dask")


def test_kill_9_of_the_coordinator_resumes_on_the_cluster_byte_identical(cluster, longer_round, tmp_path):
    ledger, reserves, pool = longer_round
    proc, cmd = _start_prove(ledger, reserves, tmp_path / "dask", "--scheduler", cluster.address)
    try:
        _when_chunks_proved(proc, f"{tmp_path / 'dask'}.db", 4)
    finally:
        proc.kill()   # SIGKILL
        proc.communicate(timeout=TIMEOUT)
    killed_at = _chunks_done(f"{tmp_path / 'dask'}.db")
    assert not (tmp_path / "dask").exists()
    resumed = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    assert resumed.returncode == 0, resumed.stderr + cluster.logs()
    # the workers went on with the tasks they had when the coordinator died: at least as many
    assert json.loads(resumed.stdout)["chunks_already_proved"] >= killed_at >= 4
    assert _same_tree(pool, tmp_path / "dask")


@pytest.mark.parametrize("require, allow", [(None, None), ("1", None), ("1", "1")])
def test_missing_dask_fails_unless_explicitly_allowed(monkeypatch, tmp_path, require, allow):
    monkeypatch.setattr(clusterkit.sys, "executable", str(tmp_path / "python"))
    monkeypatch.setattr(clusterkit.shutil, "which", lambda name: None)
    for name, value in (("ZKSOLV_REQUIRE_CLUSTER", require), ("ZKSOLV_ALLOW_NO_CLUSTER", allow)):
        monkeypatch.delenv(name, raising=False) if value is None else monkeypatch.setenv(name, value)
    with pytest.raises(pytest.fail.Exception, match="dask"):
        clusterkit.dask_command()


def test_missing_dask_is_allowed_only_by_its_variable(monkeypatch, tmp_path):
    monkeypatch.setattr(clusterkit.sys, "executable", str(tmp_path / "python"))
    monkeypatch.setattr(clusterkit.shutil, "which", lambda name: None)
    monkeypatch.delenv("ZKSOLV_REQUIRE_CLUSTER", raising=False)
    monkeypatch.setenv("ZKSOLV_ALLOW_NO_CLUSTER", "1")
    with pytest.raises(pytest.skip.Exception):
        clusterkit.dask_command()


def test_a_cluster_that_does_not_start_fails_and_leaves_no_process(monkeypatch, tmp_path):
    """Workers that never register (here: the wait for them fails) fail the test with the
    processes' logs, and the scheduler and workers already running are ended."""
    started = []
    real_start = clusterkit.Cluster.start

    def start(self, name, args):
        started.append(real_start(self, name, args))
        return started[-1]

    def no_workers(address, count, deadline):
        raise TimeoutError("no workers")

    monkeypatch.setattr(clusterkit.Cluster, "start", start)
    monkeypatch.setattr(clusterkit, "_wait_for_workers", no_workers)
    with pytest.raises(pytest.fail.Exception, match="did not start.*no workers"):
        with real_cluster(tmp_path / "broken"):
            pass
    assert len(started) == 3 and all(proc.poll() is not None for proc in started)


_HOLD_A_CLUSTER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from clusterkit import real_cluster
with real_cluster(Path(sys.argv[2]), workers=1) as cluster:
    print(cluster.processes["scheduler"].pid, cluster.processes["worker-0"].pid, flush=True)
    time.sleep(600)
"""


def _running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie nobody reaped yet counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_test_process_leaves_no_scheduler_running(tmp_path):
    """A test session killed outright (SIGKILL: its `finally` never runs) must not leave its
    `dask scheduler` running for ever (clusterwatch.py); its worker follows it by its
    --death-timeout (60 s: not waited for here, its process group is ended at the end)."""
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_A_CLUSTER, os.path.dirname(__file__),
                               str(tmp_path / "held")], stdout=subprocess.PIPE, text=True)
    scheduler = worker = None
    try:
        scheduler, worker = map(int, holder.stdout.readline().split())
        assert _running(scheduler)
        holder.kill()
        holder.wait(timeout=30)
        deadline = time.monotonic() + 30
        while _running(scheduler) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _running(scheduler), "the scheduler outlived the process that started it"
    finally:
        holder.kill()
        for group in (scheduler, worker):
            if group is not None:
                try:
                    os.killpg(group, signal.SIGKILL)
                except ProcessLookupError:
                    pass
