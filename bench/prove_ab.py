"""A whole `zksolv prove` round from two source trees side by side: CPU time per leaf.

    git archive df92059 | tar -x -C /tmp/zk-old && (cd /tmp/zk-old && python setup.py build_ext --inplace)
    python bench/prove_ab.py --old /tmp/zk-old --users 10000 --reps 3 [--workers 2]

Writes one ledger with bench/solvency.py's inputs, then runs `python -m zksolv prove` from each
tree (first on PYTHONPATH, run from a directory holding no code) in alternating order, rep by rep, so both meet the same load on
a shared machine. Reports CPU seconds (user + sys of the command and its worker processes) per
leaf of capacity, padding included, as bench/RESULTS.md counts "ms·core a leaf", and wall
seconds; medians over the reps. Each round's attestation is then verified (`zksolv verify`).
"""

import argparse
import json
import os
import pathlib
import platform
import shutil
import statistics
import subprocess
import sys

from solvency import timed_cpu, write_inputs

from zksolv.attestation import manifest as manifest_module

HERE = pathlib.Path(__file__).resolve().parent


def prove_once(tree: pathlib.Path, d: pathlib.Path, workers: int) -> tuple[float, float]:
    """(wall s, CPU s) of one round proved by the code in `tree`."""
    for name in ("att", "state.db"):
        target = d / name
        shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)
    env_before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(tree)
    try:
        wall, cpu, _ = timed_cpu(["prove", "--ledger", f"{d}/ledger.csv", "--reserves",
                                  f"{d}/reserves.json", "--out", f"{d}/att", "--state",
                                  f"{d}/state.db", "--workers", str(workers), "--quiet"])
    finally:
        if env_before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = env_before
    check = subprocess.run([sys.executable, "-m", "zksolv", "verify", f"{d}/att", "--quiet"])
    if check.returncode != 0:
        raise SystemExit(f"the round proved by {tree} does not verify")
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=pathlib.Path, required=True)
    parser.add_argument("--new", type=pathlib.Path, default=HERE.parent)
    parser.add_argument("--users", type=int, default=10000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dir", type=pathlib.Path, default=pathlib.Path("/tmp/zksolv-prove-ab"))
    parser.add_argument("--json", type=pathlib.Path)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    args.dir = args.dir.resolve()
    args.json = args.json and args.json.resolve()   # before the chdir below
    trees = {"old": args.old.resolve(), "new": args.new.resolve()}
    os.chdir(args.dir)   # `python -m` puts the working directory before PYTHONPATH
    write_inputs(args.dir, args.users, "bench-round")
    runs = {name: [] for name in trees}
    capacity = None
    for rep in range(args.reps):
        for name in (("old", "new") if rep % 2 == 0 else ("new", "old")):
            runs[name].append(prove_once(trees[name], args.dir, args.workers))
            capacity = manifest_module.read(args.dir / "att" / manifest_module.FILE).assets["BTC"].capacity
            print(name, rep, [round(x, 2) for x in runs[name][-1]], flush=True)
    result = {"users": args.users, "capacity": capacity, "workers": args.workers,
              "cpus": os.cpu_count(), "python": platform.python_version(), "runs": runs}
    for name, values in runs.items():
        cpu = statistics.median(c for _, c in values)
        result[name] = {"wall_s": round(statistics.median(w for w, _ in values), 2),
                        "cpu_s": round(cpu, 2), "ms_core_per_leaf": round(cpu * 1e3 / capacity, 3)}
        print(name, result[name])
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
