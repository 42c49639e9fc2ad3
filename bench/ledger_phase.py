"""The coordinator's CPU for the ledger phase of `prove --scheduler` (issue 14 item 2),
before and after the ledger moved into partition tasks, on one synthetic ledger.

    python bench/ledger_phase.py [--users 1000000] [--runs 2] [--out FILE]

Before: the serial streaming scan the coordinator made until this change (`ledger.scan`
of commit 7d3a75f, loaded from git), in this process. After: `ledgerparts.scan` on a real
cluster — `dask scheduler` + two `dask worker` processes on loopback, started as
tests/clusterkit.py starts them — so that this process's CPU (time.process_time: all its
threads, the Dask client's included) is the coordinator's alone; the workers' CPU is read
from them. Runs are interleaved (before, after, before, after …). Also: the inputs digest
(SHA-256 of the ledger's bytes, serial by its definition in SPEC.md §6.9) per GB.
"""

import argparse
import hashlib
import json
import os
import pathlib
import platform
import subprocess
import sys
import tempfile
import time
import types

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from clusterkit import real_cluster  # noqa: E402  (the tests' launcher of a real cluster)
from coordinator_memory import _workers_cpu  # noqa: E402
from solvency import write_inputs  # noqa: E402

BEFORE = "7d3a75f"


def old_ledger_module():
    """zksolv/ledger.py as it was before this change (its imports are unchanged)."""
    source = subprocess.run(["git", "show", f"{BEFORE}:zksolv/ledger.py"], cwd=HERE.parent, check=True,
                            capture_output=True, text=True).stdout
    module = types.ModuleType("ledger_before")
    exec(compile(source, "ledger_before.py", "exec"), module.__dict__)
    return module


def measured(fn) -> dict:
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return {"cpu_s": round(time.process_time() - cpu, 3), "wall_s": round(time.perf_counter() - wall, 3)}


def digest_per_gb(path: pathlib.Path, times: int = 5) -> float:
    """CPU seconds per GB of the inputs digest's hashing (1 MiB reads, as prove does)."""
    start = time.process_time()
    for _ in range(times):
        h = hashlib.sha256()
        with open(path, "rb") as f:
            while block := f.read(1 << 20):
                h.update(block)
    return (time.process_time() - start) / (times * path.stat().st_size / 1e9)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--out", type=pathlib.Path)
    args = parser.parse_args()
    from distributed import Client

    from zksolv import ledgerparts

    decimals, bits = {"BTC": 8}, {"BTC": 64}
    before = old_ledger_module()
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        write_inputs(work, args.users, "ledger-phase")
        path = work / "ledger.csv"
        result = {"users": args.users, "ledger_bytes": path.stat().st_size, "before": [], "after": [],
                  "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                  "load_at_start": os.getloadavg()}
        with real_cluster(work / "cluster") as cluster, Client(cluster.address, timeout="20s") as client:
            for _ in range(args.runs):
                result["before"].append(measured(lambda: before.scan(path, decimals, bits, 1 << 13)))
                workers = _workers_cpu(cluster.address)
                after = measured(lambda: ledgerparts.scan(ledgerparts.on(client), path, decimals, bits))
                after["workers_cpu_s"] = round(_workers_cpu(cluster.address) - workers, 3)
                after["partitions"] = len(ledgerparts.ranges(ledgerparts.layout(path), ledgerparts.PART_BYTES))
                result["after"].append(after)
        result["digest_cpu_s_per_gb"] = round(digest_per_gb(path), 3)
        result["load_at_end"] = os.getloadavg()
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
