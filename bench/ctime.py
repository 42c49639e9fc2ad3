"""The constant-time prover's cost and a dudect-style timing check (SPEC.md §2.3; issue 10).

    python bench/ctime.py                # (a) cost, (b) Welch t; writes bench/results-ctime.json
    python bench/ctime.py --sweep        # also: the kernel's window and block, compiled per setting
    python bench/ctime.py --quick        # a smoke run (few samples)

(a) A, S and a whole proof (n = 64, m = 1 and 64), the old variable-time way against the
    constant-time way, median of interleaved repetitions; coincurve's fallback too.
(b) dudect (Reparaz, Balasch, Verbauwhede 2017): the secret paths timed on inputs of very
    different Hamming weight (values 0, 2^64 − 1, random; scalars all-zero bytes, n − 1,
    random), classes interleaved in random order, Welch's t between each pair of classes.
    |t| well below 4.5 is what dudect reads as "no leak detected" at that sample count.
A measurement, never a test.
"""

import argparse
import ctypes
import json
import math
import os
import pathlib
import platform
import random
import secrets
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time

from zksolv.commitments import generators
from zksolv.group import N, backends, bits_commit_secret, msm, msm_secret, point_sum
from zksolv.rangeproof import prove
from zksolv.rangeproof.scalars import random_scalar
from zksolv.transcript import Transcript

HERE = pathlib.Path(__file__).resolve().parent
KERNEL = HERE.parent / "zksolv" / "group" / "backends" / "native.c"
N_BITS = 64


def _median_ms(fns: dict, reps: int) -> dict:
    """Median milliseconds of each callable, the callables interleaved rep by rep."""
    times = {name: [] for name in fns}
    for _ in range(reps):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t0) * 1e3)
    return {name: round(statistics.median(ts), 3) for name, ts in times.items()}


def _old_a(gens, G, H, alpha, values):
    """A as the prover computed it before: a branch on every bit, variable-time sums."""
    bits = [(v >> i) & 1 for v in values for i in range(N_BITS)]
    return gens.H * alpha + point_sum([g if bit else -h for g, h, bit in zip(G, H, bits)])


def cost(m: int, backend, reps: int) -> dict:
    """(a): A, S and a whole proof, old (variable-time) against new (constant-time)."""
    gens = generators(backend)
    G, H = gens.vectors(N_BITS * m)
    values = [secrets.randbelow(1 << N_BITS) for _ in range(m)]
    alpha = random_scalar()
    nonces = [random_scalar() for _ in range(2 * N_BITS * m + 1)]
    points = [gens.H] + G + H
    out = _median_ms({
        "A_vartime_ms": lambda: _old_a(gens, G, H, alpha, values),
        "A_ct_ms": lambda: bits_commit_secret(gens.H, alpha, G, H, values, N_BITS),
        "S_vartime_ms": lambda: msm(points, nonces),
        "S_ct_ms": lambda: msm_secret(points, nonces),
    }, reps)
    proof_reps = max(1, reps // (4 if m > 8 else 1))
    out.update(_median_ms({"proof_ms": lambda: prove(Transcript(b"bench"), values,
                                                     [random_scalar() for _ in values], N_BITS,
                                                     backend)}, proof_reps))
    out["proof_reps"] = proof_reps
    # The old prover's proof time: today's proof less the new A and S plus the old ones.
    out["proof_vartime_ms_estimate"] = round(out["proof_ms"] - out["A_ct_ms"] - out["S_ct_ms"]
                                             + out["A_vartime_ms"] + out["S_vartime_ms"], 3)
    return out


# ---- (b) dudect-style -----------------------------------------------------------------

def _welch_t(a: list[float], b: list[float]) -> float:
    va, vb = statistics.variance(a), statistics.variance(b)
    return (statistics.mean(a) - statistics.mean(b)) / math.sqrt(va / len(a) + vb / len(b))


def _crop(samples: list[float], quantile: float = 0.9) -> list[float]:
    """dudect's cropping: drop the slowest tail (interrupts, migrations) above a percentile."""
    cut = sorted(samples)[int(quantile * (len(samples) - 1))]
    return [s for s in samples if s <= cut]


def _timed_classes(calls: dict, samples: int) -> dict:
    """Nanoseconds of each class's call, classes drawn in random order sample by sample."""
    times = {name: [] for name in calls}
    order = [name for name in calls for _ in range(samples)]
    random.shuffle(order)
    for name in order:
        fn = calls[name]
        t0 = time.perf_counter_ns()
        fn()
        times[name].append(time.perf_counter_ns() - t0)
    return times


def _kernel_calls(m: int) -> tuple[dict, dict]:
    """Direct kernel calls (no Python around them) for A and S on each input class."""
    from zksolv.group.backends import native
    lib = native._lib
    gens = generators(backends.get("native"))
    G, H = gens.vectors(N_BITS * m)
    base, g, h = gens.H._raw, b"".join(p._raw for p in G), b"".join(p._raw for p in H)
    pts = base + g + h
    count = 2 * N_BITS * m + 1
    out = ctypes.create_string_buffer(64)
    alpha = random_scalar().to_bytes(32, "big")

    def a_call(values: bytes):
        return lambda: lib.zk_bits_commit_secret(base, alpha, g, h, values, N_BITS, m, out)

    def s_call(scalars: bytes):
        return lambda: lib.zk_msm_secret(pts, scalars, count, out)

    a_classes = {"values 0": a_call(bytes(8 * m)), "values 2^64-1": a_call(b"\xff" * (8 * m)),
                 "values random": a_call(secrets.token_bytes(8 * m))}
    s_classes = {"scalars 0": s_call(bytes(32 * count)),
                 "scalars n-1": s_call((N - 1).to_bytes(32, "big") * count),
                 "scalars random": s_call(b"".join(random_scalar().to_bytes(32, "big")
                                                   for _ in range(count)))}
    return a_classes, s_classes


def dudect(m: int, samples: int) -> dict:
    """(b): Welch's t between every pair of input classes, for A and for S."""
    result = {}
    for label, calls in zip(("A", "S"), _kernel_calls(m)):
        times = {k: _crop(v) for k, v in _timed_classes(calls, samples).items()}
        names = list(times)
        result[label] = {
            "median_us": {k: round(statistics.median(v) / 1e3, 2) for k, v in times.items()},
            "welch_t": {f"{a} vs {b}": round(_welch_t(times[a], times[b]), 2)
                        for i, a in enumerate(names) for b in names[i + 1:]},
            "samples_per_class_after_crop": min(len(v) for v in times.values()),
        }
    return result


# ---- the kernel's window and block ----------------------------------------------------

def _compile(window: int, block: int, where: pathlib.Path) -> ctypes.CDLL:
    """native.c with one CT window and block, compiled as setup.py compiles it."""
    so = where / f"ct_{window}_{block}.so"
    flags = (sysconfig.get_config_var("CFLAGS") or "").split() + ["-fPIC", "-shared", "-O3"]
    subprocess.run(["gcc", *flags, f"-DZK_CT_WINDOW={window}", f"-DZK_CT_BLOCK={block}",
                    "-o", str(so), str(KERNEL), "-lpthread"], check=True)
    lib = ctypes.CDLL(str(so))
    lib.zk_msm_secret.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t,
                                  ctypes.c_char_p]
    return lib


def sweep(count: int, reps: int) -> list[dict]:
    """S's cost in the kernel for each window and block, at `count` terms."""
    gens = generators(backends.get("native"))
    G, H = gens.vectors(count // 2)
    pts = b"".join(p._raw for p in ([gens.H] + G + H)[:count])
    scalars = b"".join(random_scalar().to_bytes(32, "big") for _ in range(count))
    out = ctypes.create_string_buffer(64)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        libs = {(w, b): _compile(w, b, pathlib.Path(tmp))
                for w in (3, 4, 5, 6, 7) for b in (32, 128, 512, 4096)}
        fns = {f"{w}/{b}": (lambda lib=lib: lib.zk_msm_secret(pts, scalars, count, out))
               for (w, b), lib in libs.items()}
        for key, ms in _median_ms(fns, reps).items():
            w, b = map(int, key.split("/"))
            rows.append({"window": w, "block": b, "terms": count, "ms": ms})
    return rows


def machine() -> dict:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()[:20]
    return {"python": platform.python_version(), "nproc": os.cpu_count(), "lscpu_head": lscpu}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sweep", action="store_true")
    ap.add_argument("--out", type=pathlib.Path, default=HERE / "results-ctime.json")
    args = ap.parse_args(argv)
    reps, samples = (3, 200) if args.quick else (15, 4000)
    results = {"command": "python bench/ctime.py" + " --quick" * args.quick + " --sweep" * args.sweep,
               "machine": machine(), "cost": {}, "dudect": {}}
    for name in ("native", "coincurve"):
        be = backends.get(name)
        for m in (1, 64):
            results["cost"][f"{name} m={m}"] = cost(m, be, reps if m == 1 else max(3, reps // 3))
            print(name, m, results["cost"][f"{name} m={m}"], flush=True)
    for m in (1, 64):
        results["dudect"][f"m={m}"] = dudect(m, samples if m == 1 else samples // 8)
        print("dudect", m, results["dudect"][f"m={m}"], flush=True)
    if args.sweep:
        results["sweep"] = sweep(2 * N_BITS * 8 + 1, reps)
        print("sweep", results["sweep"], flush=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
