"""The inner-product argument's generator folds two rounds at a time (issue 14 item 6;
KernelVectors.ipa_fold): an m = 64 chunk's proving time from two source trees, and the
argument alone with the pairing on and off in one process.

    python bench/ipa_fold.py --old /tmp/zk-old [--new TREE] --chunks 8 --reps 5 [--json FILE]

Chunks: each rep runs one process per tree (PYTHONPATH=TREE, from a directory holding no
code), old and new in alternating order, each proving `--chunks` m = 64, n = 64 statements
after one untimed proof (generators, kept tables); CPU ms (time.process_time) and wall ms a
chunk. Argument: in this tree's process, ipa.prove on the kernel's vectors for N = 64·m,
pairing off (PAIR_MIN above N) and on, interleaved, CPU ms. Medians over the reps.
"""

import argparse
import json
import os
import pathlib
import platform
import secrets
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve()


def chunk_times(chunks: int) -> list[tuple[float, float]]:
    """(CPU ms, wall ms) of `chunks` m = 64 proofs by the zksolv on sys.path."""
    from zksolv.rangeproof import prove
    from zksolv.rangeproof.scalars import random_scalar
    from zksolv.transcript import Transcript

    def one():
        values = [secrets.randbelow(2**64) for _ in range(64)]
        prove(Transcript(b"zksolv/bench/ipa_fold"), values, [random_scalar() for _ in values], 64)
    one()
    out = []
    for _ in range(chunks):
        cpu, wall = time.process_time(), time.perf_counter()
        one()
        out.append(((time.process_time() - cpu) * 1e3, (time.perf_counter() - wall) * 1e3))
    return out


def argument_times(m: int, reps: int) -> dict:
    """CPU ms of the argument alone for N = 64·m, pairing off and on, interleaved."""
    from zksolv.commitments import generators
    from zksolv.group import N
    from zksolv.group.backends import native
    from zksolv.rangeproof import ipa, kernel_vectors
    from zksolv.transcript import Transcript

    count, gens = 64 * m, generators()
    G, H = gens.vectors(count)
    kernel = kernel_vectors.KernelVectors(native._lib)
    a, b = [secrets.randbelow(N) for _ in range(count)], [secrets.randbelow(N) for _ in range(count)]
    modes, default = {"off": count + 1, "on": kernel_vectors.PAIR_MIN}, kernel_vectors.PAIR_MIN
    times = {name: [] for name in modes}
    for _ in range(reps):
        for name, pair_min in modes.items():
            kernel_vectors.PAIR_MIN = pair_min
            ab = (kernel.draw(iter(a).__next__, count), kernel.draw(iter(b).__next__, count), count)
            start = time.process_time()
            ipa.prove(Transcript(b"ipa"), G, H, 7, gens.U, 11, ab, kernel)
            times[name].append((time.process_time() - start) * 1e3)
    kernel_vectors.PAIR_MIN = default
    return {name: round(statistics.median(ts), 2) for name, ts in times.items()}


def run_tree(tree: pathlib.Path, chunks: int) -> list:
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run([sys.executable, str(HERE), "--worker", "--chunks", str(chunks)],
                          env=env, cwd="/", capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=pathlib.Path)
    parser.add_argument("--new", type=pathlib.Path, default=HERE.parent.parent)
    parser.add_argument("--chunks", type=int, default=8)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=pathlib.Path)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(chunk_times(args.chunks)))
        return
    result = {"machine": platform.machine(), "cpus": os.cpu_count(),
              "python": platform.python_version(), "load_before": os.getloadavg()}
    result["argument_cpu_ms"] = {m: argument_times(m, args.reps) for m in (1, 8, 32, 64)}
    print("argument alone, CPU ms (off, on):", result["argument_cpu_ms"], flush=True)
    if args.old:
        trees, runs = {"old": args.old.resolve(), "new": args.new.resolve()}, {"old": [], "new": []}
        for rep in range(args.reps):
            for name in (("old", "new") if rep % 2 == 0 else ("new", "old")):
                runs[name] += run_tree(trees[name], args.chunks)
        result["chunk_ms"] = {name: {"cpu": round(statistics.median(c for c, _ in r), 2),
                                     "wall": round(statistics.median(w for _, w in r), 2)}
                              for name, r in runs.items()}
        result["runs"] = runs
        print("m = 64 chunk, ms (medians):", result["chunk_ms"])
    result["load_after"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
