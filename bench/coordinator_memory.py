"""The coordinator's footprint (issue 14): peak RSS and CPU time of the `zksolv prove`
process at two sizes, with the work on a real Dask cluster in other processes (`dask
scheduler` + two `dask worker`, started as tests/clusterkit.py starts them, on loopback).

    python bench/coordinator_memory.py [--users 6144 24576] [--chunk 64] [--out FILE]

One asset, 3/4 of each capacity real customers (6,144 users → 8,192 leaves). The RSS and
CPU are the prove process's own (os.wait4 on it: the scheduler and workers are not its
children); the workers' CPU is read from them (psutil) before and after, so the
coordinator's share of the round's CPU can be given. Growth per leaf is between the two
sizes, so the interpreter and imports cancel out.
"""

import argparse
import json
import os
import pathlib
import platform
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from solvency import write_inputs  # noqa: E402  (a sibling script)
from clusterkit import real_cluster  # noqa: E402  (the tests' launcher of a real cluster)


def _workers_cpu(address: str) -> float:
    """User + system CPU seconds of every worker process (and its nanny) so far."""
    import psutil
    from distributed import Client

    def cpu():
        me = psutil.Process()
        total = 0.0
        for p in [me, me.parent()]:
            t = p.cpu_times()
            total += t.user + t.system
        return total

    with Client(address, timeout="20s") as client:
        return sum(client.run(cpu).values())


def prove_once(directory: pathlib.Path, users: int, chunk: int, address: str) -> dict:
    work = directory / f"u{users}"
    work.mkdir()
    write_inputs(work, users, f"coordinator-{users}")
    cmd = [sys.executable, "-m", "zksolv", "prove", "--ledger", str(work / "ledger.csv"),
           "--reserves", str(work / "reserves.json"), "--out", str(work / "att"), "--state", str(work / "s.db"),
           "--chunk", str(chunk), "--scheduler", address, "--quiet"]
    before = _workers_cpu(address)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"prove failed: {proc.stderr.read().decode()[-2000:]}")
    workers = _workers_cpu(address) - before
    own = usage.ru_utime + usage.ru_stime
    leaves = 1 << max(0, (users - 1).bit_length())
    return {"users": users, "leaves": leaves, "wall_s": round(wall, 2),
            "coordinator_peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
            "coordinator_cpu_s": round(own, 2), "workers_cpu_s": round(workers, 2),
            "coordinator_cpu_share": round(own / (own + workers), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs=2, default=[6144, 24576])
    parser.add_argument("--chunk", type=int, default=64)
    parser.add_argument("--out", type=pathlib.Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zksolv-coord-") as tmp:
        with real_cluster(pathlib.Path(tmp) / "cluster") as cluster:
            runs = [prove_once(pathlib.Path(tmp), users, args.chunk, cluster.address) for users in args.users]
    small, large = runs
    per_leaf = (large["coordinator_peak_rss_mib"] - small["coordinator_peak_rss_mib"]) * 1024 * 1024 \
        / (large["leaves"] - small["leaves"])
    result = {"runs": runs, "rss_growth_bytes_per_leaf": round(per_leaf),
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
              "command": " ".join(["python", "bench/coordinator_memory.py", "--users", *map(str, args.users),
                                   "--chunk", str(args.chunk)])}
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
