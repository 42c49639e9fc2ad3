"""Range-proof benchmarks: prove / verify / batch-verify over n × m, with peers side by side.

    python bench/rangeproof.py                 # full sweep + peers, writes bench/results-rangeproof.json
    python bench/rangeproof.py --quick         # small sweep, no peers (a smoke run)

Each timing is the median of `reps` runs with a fresh transcript each time (generators are
derived once beforehand and their cost reported separately). Batch inputs are proved in a
process pool so the batch sizes the targets name (≥ 16,384 values) fit a session.
"""

import argparse
import json
import os
import pathlib
import platform
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor

from zksolv.commitments import derive, generators, LABEL_G_VEC
from zksolv.rangeproof import RangeProof, Statement, batch_verify, prove, verify
from zksolv.rangeproof.scalars import random_scalar
from zksolv.transcript import Transcript

HERE = pathlib.Path(__file__).resolve().parent


def _transcript(i: int = 0) -> Transcript:
    t = Transcript(b"zksolv/bench")
    t.append_u64(b"i", i)
    return t


def _values(m: int, n: int) -> list[int]:
    return [random_scalar() % (1 << n) for _ in range(m)]


def _median_ms(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def bench_generators(count: int = 512) -> dict:
    t0 = time.perf_counter()
    for i in range(count):
        derive(LABEL_G_VEC, 10**6 + i)  # indices nothing else caches
    per_point_ms = (time.perf_counter() - t0) * 1e3 / count
    return {"hash_to_curve_ms_per_point": round(per_point_ms, 3), "points": count}


def bench_single(n: int, m: int, reps: int) -> dict:
    generators().vectors(n * m)
    values = _values(m, n)
    blindings = [random_scalar() for _ in values]
    out = {}
    out["prove_ms"] = _median_ms(lambda: prove(_transcript(), values, blindings, n), reps)
    proof, V = prove(_transcript(), values, blindings, n)
    out["verify_ms"] = _median_ms(lambda: verify(_transcript(), proof, V, n), reps)
    out["proof_bytes"] = len(proof.to_bytes())
    out["prove_ms_per_value"] = out["prove_ms"] / m
    out["verify_ms_per_value"] = out["verify_ms"] / m
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}


def _prove_one(args):
    i, n, m = args
    generators().vectors(n * m)
    values = _values(m, n)
    proof, V = prove(_transcript(i), values, [random_scalar() for _ in values], n)
    return proof.to_bytes(), [v.to_bytes() for v in V]


def bench_batch(n: int, m: int, values: int, workers: int) -> dict:
    count = max(1, values // m)
    with ProcessPoolExecutor(workers) as pool:
        proofs = list(pool.map(_prove_one, [(i, n, m) for i in range(count)], chunksize=4))
    from zksolv.group import Point

    generators().vectors(n * m)
    t0 = time.perf_counter()
    statements = [Statement(_transcript(i), RangeProof.from_bytes(p), [Point.from_bytes(v) for v in vs], n)
                  for i, (p, vs) in enumerate(proofs)]
    t1 = time.perf_counter()
    batch_verify(statements)
    t2 = time.perf_counter()
    total = count * m
    return {"values": total, "proofs": count, "decode_s": round(t1 - t0, 3),
            "batch_verify_s": round(t2 - t1, 3),
            "ms_per_value": round((t2 - t0) * 1e3 / total, 4)}


def run(quick: bool, reps: int, batch_values: int, peers: bool, skip_single: bool = False) -> dict:
    results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                           "platform": platform.platform()},
               "command": " ".join(["python"] + sys.argv)}
    results["generators"] = bench_generators(64 if quick else 512)
    sizes = [] if skip_single else [(n, m) for n in (32, 64) for m in ((1, 8) if quick else (1, 8, 64, 256))]
    results["single"] = {}
    for n, m in sizes:
        r = reps if m <= 8 else max(1, reps // 8) if m == 64 else 1
        results["single"][f"n={n} m={m}"] = bench_single(n, m, r)
        print(f"n={n} m={m}", results["single"][f"n={n} m={m}"], flush=True)
    results["batch"] = {}
    for m in ((1, 8) if quick else (1, 8, 64, 256)):
        size = min(batch_values, 1024 if m == 1 else 4096 if m == 8 else batch_values)
        results["batch"][f"n=64 m={m}"] = bench_batch(64, m, 256 if quick else size, os.cpu_count() or 1)
        print(f"batch n=64 m={m}", results["batch"][f"n=64 m={m}"], flush=True)
    if peers:
        sys.path.insert(0, str(HERE))
        from peers import run_peers

        results["peers"] = run_peers(reps)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--batch-values", type=int, default=16384)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--skip-single", action="store_true", help="only generators and batches")
    parser.add_argument("--out", type=pathlib.Path, default=HERE / "results-rangeproof.json")
    args = parser.parse_args()
    results = run(args.quick, args.reps, args.batch_values, not (args.quick or args.no_peers),
                  args.skip_single)
    text = json.dumps(results, indent=1)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(text + "\n")
    tmp.replace(args.out)
    print(text)


if __name__ == "__main__":
    main()
