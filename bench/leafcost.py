"""Old code against new, interleaved: a whole `zksolv prove --workers N` round's CPU per leaf
(issue 14: what a round spends a leaf besides the range proofs).

    python bench/leafcost.py --old /path/to/old/checkout [--users 20000] [--workers 2] [--reps 2]
        [--dir /tmp/zksolv-leafcost] [--out FILE]

Each code tree proves the same ledger with the same round secret and timestamp, one after
the other, alternating which goes first; the published files of the two must be byte for
byte the same (checked). CPU is user + sys of the `zksolv prove` process and its pool
workers (RUSAGE_CHILDREN), the figure to compare on a shared machine; wall is given too.
The old tree needs its C kernel built (copy `zksolv/group/backends/_native*.so` in).
"""

import argparse
import filecmp
import json
import os
import pathlib
import platform
import resource
import secrets
import shutil
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from solvency import write_inputs  # noqa: E402  (a sibling script)


def prove_cpu(code: pathlib.Path, work: pathlib.Path, out: pathlib.Path, workers: int) -> tuple[float, float]:
    """(wall, CPU) seconds of one `zksolv prove` run with `code` first on the path."""
    for p in (out, work / f"{out.name}.db"):
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
    env = {**os.environ, "PYTHONPATH": str(code)}
    cmd = [sys.executable, "-m", "zksolv", "prove", "--ledger", str(work / "ledger.csv"), "--reserves",
           str(work / "reserves.json"), "--out", str(out), "--state", str(work / f"{out.name}.db"), "--workers",
           str(workers), "--round-secret-file", str(work / "secret"), "--timestamp", "2026-12-05T00:00:00Z", "--quiet"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if result.returncode:
        raise SystemExit(f"prove with {code} failed: {result.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=pathlib.Path, required=True, help="a checkout of the code to compare with")
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--dir", type=pathlib.Path, default=pathlib.Path("/tmp/zksolv-leafcost"))
    parser.add_argument("--out", type=pathlib.Path, default=None)
    args = parser.parse_args()
    work = args.dir
    work.mkdir(parents=True, exist_ok=True)
    write_inputs(work, args.users, "leafcost")
    secret = work / "secret"
    secret.write_text(secrets.token_hex(32))
    secret.chmod(0o600)
    leaves = 1 << max(0, (args.users - 1).bit_length())
    trees = {"old": args.old.resolve(), "new": HERE.parent}
    runs = {"old": [], "new": []}
    for rep in range(args.reps):
        for name in (("old", "new") if rep % 2 == 0 else ("new", "old")):
            wall, cpu = prove_cpu(trees[name], work, work / f"att-{name}", args.workers)
            runs[name].append({"wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
                               "us_core_per_leaf": round(cpu * 1e6 / leaves, 1)})
            print(name, runs[name][-1], flush=True)
        same = filecmp.dircmp(work / "att-old", work / "att-new")
        if same.diff_files or same.left_only or same.right_only or same.funny_files:
            raise SystemExit(f"old and new published different files: {same.diff_files or same.left_only}")
    result = {"command": " ".join(["python"] + sys.argv), "machine": {"cpus": os.cpu_count(),
              "python": platform.python_version()}, "users": args.users, "leaves": leaves,
              "workers": args.workers, "identical_attestations": True, "runs": runs}
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
