"""The constant-time prover's cost and a dudect-style timing check (SPEC.md §2.3; issue 10).

    python bench/ctime.py                # (a) cost, (b) Welch t; writes bench/results-ctime.json
    python bench/ctime.py --sweep        # also: the kernel's window and block, compiled per setting
    python bench/ctime.py --quick        # a smoke run (few samples)

(a) A, S and a whole proof (n = 64, m = 1 and 64), the old variable-time way against the
    constant-time way, median of interleaved repetitions; coincurve's fallback too. The old
    prover is today's with the old A and the variable-time msm put back for S, T1, T2.
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
from zksolv.rangeproof import prove, prover
from zksolv.rangeproof.scalars import random_scalar
from zksolv.transcript import Transcript

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from margin_leaf import interleaved  # noqa: E402  (a sibling script)

KERNEL = HERE.parent / "zksolv" / "group" / "backends" / "native.c"
N_BITS = 64


def _median_ms(fns: dict, reps: int) -> dict:
    """Median milliseconds of each callable, the callables interleaved rep by rep (the loop of
    margin_leaf.interleaved); with the minimum beside it (`…_min`), steadier when other work
    shares the machine."""
    times = interleaved(fns, reps)
    out = {name: round(median, 3) for name, (_, median) in times.items()}
    out.update({name.replace("_ms", "_min_ms"): round(low, 3) for name, (low, _) in times.items()})
    return out


def cost(m: int, backend, reps: int) -> dict:
    """(a): A, S and a whole proof, old (variable-time) against new (constant-time)."""
    gens = generators(backend)
    G, H = gens.vectors(N_BITS * m)
    values = [secrets.randbelow(1 << N_BITS) for _ in range(m)]
    alpha = random_scalar()
    nonces = [random_scalar() for _ in range(2 * N_BITS * m + 1)]
    points = [gens.H] + G + H
    out = _median_ms({
        "A_vartime_ms": lambda: _vartime_prover()["bits_commit_secret"](gens.H, alpha, G, H,
                                                                        values, N_BITS),
        "A_ct_ms": lambda: bits_commit_secret(gens.H, alpha, G, H, values, N_BITS),
        "S_vartime_ms": lambda: msm(points, nonces),
        "S_ct_ms": lambda: msm_secret(points, nonces),
    }, reps)
    out.update(_proofs(m, backend, reps))
    return out


def _vartime_prover():
    """The prover as it was: A by a branch on each bit, S, T1, T2 by the variable-time msm."""
    def old_a(base, alpha, G, H, values, n):
        bits = [(v >> i) & 1 for v in values for i in range(n)]
        return base * alpha + point_sum([g if bit else -h for g, h, bit in zip(G, H, bits)])
    return {"bits_commit_secret": old_a, "msm_secret": msm}


def _proofs(m: int, backend, reps: int) -> dict:
    """Whole proofs, constant-time prover against the old variable-time one, interleaved."""
    values = [secrets.randbelow(1 << N_BITS) for _ in range(m)]

    def one():
        prove(Transcript(b"bench"), values, [random_scalar() for _ in values], N_BITS, backend)

    def one_vartime():
        saved = {name: getattr(prover, name) for name in _vartime_prover()}
        vars(prover).update(_vartime_prover())
        try:
            one()
        finally:
            vars(prover).update(saved)

    out = _median_ms({"proof_vartime_ms": one_vartime, "proof_ct_ms": one}, reps)
    out["proof_reps"] = reps
    return out


# ---- (b) dudect-style -----------------------------------------------------------------

def _welch_t(a: list[float], b: list[float]) -> float:
    va, vb = statistics.variance(a), statistics.variance(b)
    return (statistics.mean(a) - statistics.mean(b)) / math.sqrt(va / len(a) + vb / len(b))


def _crop(samples: list[float], quantile: float = 0.9) -> list[float]:
    """dudect's cropping: drop the slowest tail (interrupts, migrations) above a percentile."""
    cut = sorted(samples)[int(quantile * (len(samples) - 1))]
    return [s for s in samples if s <= cut]


def _timed_classes(classes: dict, samples: int) -> dict:
    """Nanoseconds of each class's call, classes drawn in random order sample by sample.

    A class is a function returning the call to time, so a "random" class draws fresh
    inputs for every sample, outside the timed region."""
    times = {name: [] for name in classes}
    order = [name for name in classes for _ in range(samples)]
    random.shuffle(order)
    for name in order:
        fn = classes[name]()
        t0 = time.perf_counter_ns()
        fn()
        times[name].append(time.perf_counter_ns() - t0)
    return times


def _reduced_scalars(data: bytes) -> bytes:
    """32-byte big-endian scalars below n from random bytes (2^−128 chance of reducing)."""
    ks = [int.from_bytes(data[i:i + 32], "big") % N for i in range(0, len(data), 32)]
    return b"".join(k.to_bytes(32, "big") for k in ks)


def _kernel_classes(m: int) -> dict:
    """Direct kernel calls (no Python around the timed call) for A and S, per input class:
    all-zero and all-one bits, and fresh random inputs each sample."""
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

    def s_vartime_call(scalars: bytes):
        return lambda: lib.zk_msm(pts, scalars, count, out)

    def each(call, size: int, make):
        """A class: every sample draws `size` random bytes and reduces them to scalars (so
        every class does the same untimed work, a system call included, and leaves the
        caches alike), then makes its input from them."""
        return lambda: call(make(_reduced_scalars(secrets.token_bytes(size))))

    a_bytes, s_size = 8 * m, 32 * count
    a_size = 32 * ((a_bytes + 31) // 32)
    a_classes = {"values 0": each(a_call, a_size, lambda r: bytes(a_bytes)),
                 "values 2^64-1": each(a_call, a_size, lambda r: b"\xff" * a_bytes),
                 "values random": each(a_call, a_size, lambda r: r[:a_bytes])}
    s_classes = {"scalars 0": each(s_call, s_size, lambda r: bytes(len(r))),
                 "scalars n-1": each(s_call, s_size, lambda r: (N - 1).to_bytes(32, "big") * count),
                 "scalars random": each(s_call, s_size, bytes)}
    contrast = {name.replace("scalars", "vartime msm, scalars"):
                each(s_vartime_call, s_size, make) for name, make in (
                    ("scalars 0", lambda r: bytes(len(r))),
                    ("scalars n-1", lambda r: (N - 1).to_bytes(32, "big") * count),
                    ("scalars random", bytes))}
    return {"A": a_classes, "S": s_classes, "S, old variable-time msm (contrast)": contrast}


def dudect(m: int, samples: int) -> dict:
    """(b): Welch's t between every pair of input classes, for A and for S."""
    result = {}
    for label, classes in _kernel_classes(m).items():
        times = {k: _crop(v) for k, v in _timed_classes(classes, samples).items()}
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
                for w in (4, 5, 6) for b in (32, 128, 512)}
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
    ap.add_argument("--no-dudect", action="store_true", help="the cost only")
    ap.add_argument("--out", type=pathlib.Path, default=HERE / "results-ctime.json")
    args = ap.parse_args(argv)
    reps, samples = (3, 200) if args.quick else (15, 4000)
    flags = [f for f, on in (("--quick", args.quick), ("--sweep", args.sweep),
                             ("--no-dudect", args.no_dudect)) if on]
    results = {"command": " ".join(["python bench/ctime.py", *flags]),
               "machine": machine(), "cost": {}, "dudect": {}}
    for name in ("native", "coincurve"):
        be = backends.get(name)
        for m in (1, 64):
            results["cost"][f"{name} m={m}"] = cost(m, be, reps if m == 1 else max(3, reps // 3))
            print(name, m, results["cost"][f"{name} m={m}"], flush=True)
    for m in () if args.no_dudect else (1, 64):
        results["dudect"][f"m={m}"] = dudect(m, samples if m == 1 else samples // 20)
        print("dudect", m, results["dudect"][f"m={m}"], flush=True)
    if args.sweep:
        results["sweep"] = sweep(2 * N_BITS * 8 + 1, reps)
        print("sweep", results["sweep"], flush=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
