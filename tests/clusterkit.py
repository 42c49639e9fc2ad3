"""A real Dask cluster for the tests (issue 14): `dask scheduler` and `dask worker` processes
started from Dask's own command-line tools on loopback, as an exchange's team would start
them, on ports the kernel picks.

Every wait is bounded (a cluster that does not come up fails the test, with the processes'
logs, within STARTUP_SECONDS) and every process is ended, in its own process group (a
worker's nanny and the worker it spawns together), whatever the test did; if the test
process itself is killed outright, the scheduler ends itself (clusterwatch.py) and the
workers follow it by their --death-timeout.

Dask is required: with ZKSOLV_REQUIRE_CLUSTER=1 (CI) a missing `dask` command fails; so it
does without the variable, unless ZKSOLV_ALLOW_NO_CLUSTER=1 says so explicitly.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import requiredtool

STARTUP_SECONDS = 60
PRELOAD = Path(__file__).with_name("zkstestfs.py")
"""Every worker imports the test-only `zkstest://` filesystem (shards behind fsspec)."""
SCHEDULER_PRELOAD = Path(__file__).with_name("clusterwatch.py")
"""The scheduler ends itself when the test process that started it is gone."""
STOP_SECONDS = 10


def dask_command() -> str:
    """The `dask` command of the Python running the tests (else the one on PATH)."""
    beside = Path(sys.executable).parent / "dask"
    found = str(beside) if beside.exists() else shutil.which("dask")
    if found is None:
        requiredtool.missing("CLUSTER", "the `dask` command (pip install '.[cluster]') is needed for the "
                                        "real-cluster tests")
    return found


@dataclass
class Cluster:
    """A running scheduler and its workers: `address` is what `--scheduler` takes."""

    directory: Path
    address: str = ""
    processes: dict = field(default_factory=dict)  # name → Popen

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
                         for p in sorted(self.directory.glob("*.log")))

    def start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.directory / f"{name}.log", "wb")
        try:
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True, cwd=self.directory)
        finally:
            log.close()
        self.processes[name] = proc
        return proc

    def worker_pids(self) -> list[int]:
        """The pids of the worker processes themselves (not their nannies), as the
        scheduler knows them."""
        from distributed import Client

        with Client(self.address, timeout="10s") as client:
            return sorted(client.run(os.getpid).values())

    def stop(self) -> None:
        """SIGTERM every process group, SIGKILL what is left after STOP_SECONDS."""
        for proc in self.processes.values():
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for proc in self.processes.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            _signal_group(proc, signal.SIGKILL)
            proc.wait(timeout=STOP_SECONDS)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def _wait_for_address(cluster: Cluster, scheduler_file: Path, deadline: float) -> str:
    while time.monotonic() < deadline:
        if cluster.processes["scheduler"].poll() is not None:
            break
        try:
            return json.loads(scheduler_file.read_text())["address"]
        except (OSError, ValueError, KeyError):
            time.sleep(0.1)
    raise TimeoutError("the scheduler did not write its address")


def _wait_for_workers(address: str, count: int, deadline: float) -> None:
    from distributed import Client

    with Client(address, timeout=f"{max(1, int(deadline - time.monotonic()))}s") as client:
        client.wait_for_workers(count, timeout=max(1.0, deadline - time.monotonic()))


@contextmanager
def real_cluster(directory: Path, workers: int = 2):
    """`dask scheduler` + `workers` × `dask worker` (one thread each) on 127.0.0.1."""
    dask = dask_command()
    directory.mkdir(parents=True, exist_ok=True)
    cluster, scheduler_file = Cluster(directory), directory / "scheduler.json"
    try:
        cluster.start("scheduler", [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                    "--scheduler-file", str(scheduler_file),
                                    "--preload", str(SCHEDULER_PRELOAD)])
        deadline = time.monotonic() + STARTUP_SECONDS
        cluster.address = _wait_for_address(cluster, scheduler_file, deadline)
        for i in range(workers):
            cluster.start(f"worker-{i}", [dask, "worker", "--scheduler-file", str(scheduler_file),
                                          "--host", "127.0.0.1", "--nthreads", "1", "--no-dashboard",
                                          "--name", f"worker-{i}", "--death-timeout", "60",
                                          "--local-directory", str(directory / f"worker-{i}"),
                                          "--preload", str(PRELOAD)])
        _wait_for_workers(cluster.address, workers, deadline)
    except BaseException as exc:
        cluster.stop()
        pytest.fail(f"the Dask cluster did not start ({exc!r}):\n{cluster.logs()}")
    try:
        yield cluster
    finally:
        cluster.stop()
