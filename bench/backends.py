"""The native C kernel against coincurve, side by side in one run (SPEC.md §2.3).

    python bench/backends.py [--reps 3] [--out bench/results-backends.json]

Per backend (and the native kernel once more with its AVX-512 IFMA lanes turned off, where
the CPU has them): µs per term of an MSM (sizes 8 … 8192), µs per folded point (1,024 at a time,
the inner-product argument's first round for m = 16), the small-MSM crossover (loop of
multiplications vs the backend's MSM) and ms per value of an aggregated 64-bit range proof
at m = 64 and m = 256 (best of `reps`).
"""

import argparse
import json
import pathlib
import platform
import secrets
import time

from zksolv.commitments import generators
from zksolv.group import N, backends, base_mul, fold, msm, set_default_backend
from zksolv.group.backends import native
from zksolv.group.backends.base import loop_msm
from zksolv.rangeproof import prove
from zksolv.rangeproof.scalars import random_scalar
from zksolv.transcript import Transcript

HERE = pathlib.Path(__file__).resolve().parent
MSM_SIZES = (8, 12, 16, 64, 512, 4096, 8192)


def _best(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _points(be, count):
    return [base_mul(1 + secrets.randbelow(N - 1), be) for _ in range(count)]


def group_ops(name: str, reps: int) -> dict:
    be = backends.get(name)
    out = {}
    for size in MSM_SIZES:
        pts, ks = _points(be, size), [1 + secrets.randbelow(N - 1) for _ in range(size)]
        out[f"msm_{size}_us_per_term"] = round(_best(lambda: msm(pts, ks), reps) / size * 1e6, 2)
        if size <= 16:
            raws = [p._raw for p in pts]
            loop = _best(lambda: loop_msm(be, raws, ks), reps)
            out[f"loop_{size}_us_per_term"] = round(loop / size * 1e6, 2)
    pts, k = _points(be, 2048), 1 + secrets.randbelow(N - 1)
    out["fold_us_per_point"] = round(_best(lambda: fold(pts[:1024], pts[1024:], k), reps) / 1024 * 1e6, 2)
    return out


def proving(name: str, m: int, reps: int) -> float:
    set_default_backend(name)
    generators().vectors(64 * m)
    values = [random_scalar() % (1 << 64) for _ in range(m)]
    blindings = [random_scalar() for _ in range(m)]
    return round(_best(lambda: prove(Transcript(b"bench"), values, blindings, 64), reps) * 1e3 / m, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", type=pathlib.Path, default=HERE / "results-backends.json")
    args = parser.parse_args()
    results = {"machine": f"{platform.processor() or platform.machine()}, 1 core used", "backends": {}}
    results["ifma_lanes"] = bool(native._lib.zk_simd(-1))
    for label, name, lanes in (("native", "native", 1), ("native, scalar only", "native", 0),
                               ("coincurve", "coincurve", 1)):
        native._lib.zk_simd(lanes)
        row = group_ops(name, args.reps)
        for m in (64, 256):
            row[f"prove_m{m}_ms_per_value"] = proving(name, m, args.reps)
        results["backends"][label] = row
        print(label, json.dumps(row))
    native._lib.zk_simd(1)
    args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
