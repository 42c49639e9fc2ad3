"""`zksolv audit` of the same attestations by two code trees, interleaved in one run.

    python bench/audit.py --old /tmp/old-tree --new . --workers 2 --rounds 2 \\
        --out bench/results-audit.json /tmp/zb5m/att-spot /tmp/zb5m/att-margin

Each code tree is a checkout of zksolv with its kernel built in place (`python setup.py
build_ext --inplace`); it runs as `python -m zksolv audit DIR --workers W --quiet` with
PYTHONPATH pointing at it, so both trees use this interpreter and its dependencies. Every
round audits every attestation with both trees, alternating which goes first, so machine
load (shared with other work) falls on both alike. Reported per attestation and tree: wall
seconds and CPU seconds (user + sys of the command and its worker processes), each run and
the median; and the ratios the issues ask for (new / old; each tree's last attestation /
first, e.g. margin / spot for issue 11). CPU seconds are the figure to compare on a shared
machine.
"""

import argparse
import json
import os
import pathlib
import platform
import resource
import statistics
import subprocess
import sys
import time


def run_audit(tree: pathlib.Path, directory: str, workers: int) -> tuple[float, float]:
    """Wall and CPU seconds of one whole `zksolv audit` process (and its workers)."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "zksolv", "audit", directory, "--workers", str(workers),
                             "--quiet"], env=env, cwd=tree, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"audit {directory} with {tree} exited {result.returncode}: {result.stderr}")
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def measure(trees: dict, attestations: list[str], workers: int, rounds: int) -> dict:
    runs = {name: {a: {"wall_s": [], "cpu_s": []} for a in attestations} for name in trees}
    order = list(trees)
    for r in range(rounds):
        for a in attestations:
            for name in order if r % 2 == 0 else reversed(order):
                wall, cpu = run_audit(trees[name], a, workers)
                runs[name][a]["wall_s"].append(round(wall, 2))
                runs[name][a]["cpu_s"].append(round(cpu, 2))
                print(f"round {r} {name:>4} {a}: wall {wall:.1f} s, cpu {cpu:.1f} s", flush=True)
    return runs


def summary(runs: dict, attestations: list[str]) -> dict:
    med = {name: {a: {k: statistics.median(v) for k, v in per.items()} for a, per in by.items()}
           for name, by in runs.items()}
    out = {"median": med, "new_over_old": {}, "last_over_first": {}}
    for a in attestations:
        out["new_over_old"][a] = {k: round(med["new"][a][k] / med["old"][a][k], 3) for k in ("wall_s", "cpu_s")}
    first, last = attestations[0], attestations[-1]
    for name in med:
        out["last_over_first"][name] = {k: round(med[name][last][k] / med[name][first][k], 3)
                                        for k in ("wall_s", "cpu_s")}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("attestations", nargs="+")
    parser.add_argument("--old", required=True, type=pathlib.Path)
    parser.add_argument("--new", required=True, type=pathlib.Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=pathlib.Path)
    args = parser.parse_args()
    trees = {"old": args.old.resolve(), "new": args.new.resolve()}
    runs = measure(trees, args.attestations, args.workers, args.rounds)
    result = {"command": " ".join([pathlib.Path(sys.argv[0]).name, *sys.argv[1:]]),
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "load_average_at_end": os.getloadavg()},
              "runs": runs, **summary(runs, args.attestations)}
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
