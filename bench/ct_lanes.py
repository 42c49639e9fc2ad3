"""S on eight IFMA lanes (native_ct8.h) against the one-lane Straus, and a dudect-style timing
comparison of the lane code, which valgrind cannot run (SPEC.md §2.3).

    python bench/ct_lanes.py [--terms 8193] [--reps 9] [--samples 300] [--json FILE]

(a) CPU time of zk_msm_secret_tabled over kept tables of `terms` generators (S of an m = 64
    proof has 8,193), the IFMA lanes and the one-lane Straus (zk_simd off) in alternating
    order; medians. (b) Welch's t between scalar classes (all zero, all n − 1, all 1, random)
    on the IFMA lanes at 1,025 terms: the thread's CPU time per call (thread_time_ns, less
    disturbed by other processes than wall time) interleaved sample by
    sample, the slowest 10 % of each class cropped; the variable-time zk_msm on the zero and
    random classes is the canary. |t| below ≈ 5 says no difference was seen (a measurement,
    not a proof: the proof of no secret branch or index is valgrind's, on the
    same algorithm's portable words, tests/test_ctime_prove.py).
"""

import argparse
import ctypes
import math
import os
import platform
import secrets
import statistics
import time

from benchkit import report

from zksolv.commitments import generators
from zksolv.group import N, affine_bytes
from zksolv.group.backends import native


def _tables(lib, points):
    tables = (ctypes.c_uint64 * (lib.zk_ct_tables_bytes(len(points)) // 8))()
    lib.zk_ct_tables(affine_bytes(points), len(points), ctypes.addressof(tables))
    return tables


def _packed(scalars):
    return b"".join(k.to_bytes(32, "big") for k in scalars)


def cost(lib, points, reps):
    """Median CPU ms of S over kept tables, lanes on and off, interleaved."""
    tables, out = _tables(lib, points), ctypes.create_string_buffer(64)
    packed = _packed([secrets.randbelow(N) for _ in points])
    times = {"ifma lanes": [], "one lane": []}
    for _ in range(reps):
        for mode, name in ((1, "ifma lanes"), (0, "one lane")):
            lib.zk_simd(mode)
            start = time.process_time()
            lib.zk_msm_secret_tabled(ctypes.addressof(tables), packed, len(points), out)
            times[name].append((time.process_time() - start) * 1e3)
    lib.zk_simd(1)
    return {name: round(statistics.median(v), 2) for name, v in times.items()}


def _welch(a, b):
    va, vb = statistics.variance(a), statistics.variance(b)
    return (statistics.mean(a) - statistics.mean(b)) / math.sqrt(va / len(a) + vb / len(b))


def dudect(lib, points, samples):
    """Welch's t between scalar classes on the IFMA lanes."""
    tables, out = _tables(lib, points), ctypes.create_string_buffer(64)
    classes = {"zero": [0] * len(points), "n-1": [N - 1] * len(points), "one": [1] * len(points),
               "random": [secrets.randbelow(N) for _ in points]}
    packed = {k: _packed(v) for k, v in classes.items()}
    times = {k: [] for k in classes}
    for _ in range(samples):
        for name, data in packed.items():
            start = time.thread_time_ns()
            lib.zk_msm_secret_tabled_lanes(ctypes.addressof(tables), data, len(points), out, 1)
            times[name].append(time.thread_time_ns() - start)
    raw, canary = affine_bytes(points), {"zero": [], "random": []}
    for _ in range(samples // 4):   # the variable-time zk_msm: the measurement can see
        for name in canary:         # a difference where there is one
            start = time.thread_time_ns()
            lib.zk_msm(raw, packed[name], len(points), out)
            canary[name].append(time.thread_time_ns() - start)
    return {**_summary(times), "canary_vartime_msm": _summary(canary)}


def _summary(times):
    kept = {k: sorted(v)[:int(len(v) * 0.9)] for k, v in times.items()}
    names = list(kept)
    return {"median_us": {k: round(statistics.median(v) / 1e3, 1) for k, v in kept.items()},
            "welch_t": {f"{a} vs {b}": round(_welch(kept[a], kept[b]), 2)
                        for i, a in enumerate(names) for b in names[i + 1:]}}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--terms", type=int, default=8193)
    ap.add_argument("--reps", type=int, default=9)
    ap.add_argument("--samples", type=int, default=300)
    ap.add_argument("--json")
    args = ap.parse_args()
    lib = native._lib
    if not lib.zk_simd(-1):
        raise SystemExit("this CPU has no AVX-512 IFMA: the lanes are not used here")
    gens = generators()
    G, H = gens.vectors((args.terms - 1) // 2)
    points = [gens.H] + list(G) + list(H)
    result = {"command": "python bench/ct_lanes.py " + " ".join(os.sys.argv[1:]),
              "python": platform.python_version(), "load_before": os.getloadavg()[0],
              "S_cpu_ms": cost(lib, points, args.reps),
              "dudect_1025_terms": dudect(lib, points[:1025], args.samples),
              "load_after": os.getloadavg()[0]}
    report(result, args.json)


if __name__ == "__main__":
    main()
