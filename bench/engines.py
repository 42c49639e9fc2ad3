"""Where proving runs, side by side: 1 local worker, the 2-worker pool, a 2-worker Dask
LocalCluster with Dask's defaults, and one whose workers keep glibc's malloc defaults and
run no profiler. Each `zksolv prove` is a real process on the same ledger; engines take turns
round after round, and medians are reported, since single runs on this machine vary by ±20 %.

    python bench/engines.py [--users 10000] [--rounds 3] [--out bench/results-engines.json]

A cluster is started (untimed) before each Dask run and closed after it, so every engine
starts from fresh processes: no worker keeps its generators from an earlier run.
"""

import argparse
import contextlib
import json
import os
import pathlib
import platform
import shutil
import statistics
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from solvency import timed, write_inputs  # noqa: E402  (a sibling script)

TUNED = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
         "distributed.worker.profile.enabled": False}
ENGINES = {
    "1 local worker": {"workers": 1},
    "pool, 2 workers": {"workers": 2},
    "dask, 2 workers": {"dask": {}},
    "dask, 2 workers, tuned": {"dask": TUNED},
}


@contextlib.contextmanager
def local_cluster(config: dict):
    import dask
    from distributed import LocalCluster

    with dask.config.set(config), LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                                               dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def prove_once(directory: pathlib.Path, engine: dict) -> float:
    for name in ("att", "state.db"):
        shutil.rmtree(directory / name, ignore_errors=True)
        (directory / name).unlink(missing_ok=True)
    base = ["prove", "--ledger", str(directory / "ledger.csv"), "--reserves", str(directory / "reserves.json"),
            "--out", str(directory / "att"), "--state", str(directory / "state.db"), "--quiet"]
    if "dask" not in engine:
        return timed(base + ["--workers", str(engine["workers"])])[0]
    with local_cluster(engine["dask"]) as address:
        return timed(base + ["--scheduler", address])[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=pathlib.Path, default=pathlib.Path("/tmp/zksolv-engines"))
    parser.add_argument("--out", type=pathlib.Path, default=HERE / "results-engines.json")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    write_inputs(args.dir, args.users, "bench-engines")
    samples = {name: [] for name in ENGINES}
    for r in range(args.rounds):
        for name, engine in ENGINES.items():
            samples[name].append(round(prove_once(args.dir, engine), 2))
            print(f"round {r + 1}: {name}: {samples[name][-1]} s", flush=True)
    median = {name: statistics.median(s) for name, s in samples.items()}
    pool = median["pool, 2 workers"]
    results = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "command": " ".join(["python"] + sys.argv), "users": args.users, "rounds": args.rounds,
        "prove_s": samples, "prove_s_median": median,
        "parallel_efficiency_1_to_2": round(median["1 local worker"] / (2 * pool), 3),
        "dask_over_pool": {name: round(median[name] / pool - 1, 3) for name in ENGINES if "dask" in name},
    }
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
