"""MSM sweep for the coincurve backend: loop of multiplications vs Pippenger windows.

    python bench/msm.py [--sizes 64,512,4096,16384]

Prints µs per term for the loop and each window size c; the backend's
PIPPENGER_THRESHOLD and _window_bits were set from this sweep.
"""

import argparse
import secrets
import time

from zksolv.group import N
from zksolv.group.backends import coincurve as cc
from zksolv.group.backends.base import loop_msm


def sweep(size: int) -> dict:
    be = cc.CoincurveBackend()
    points = [be.mul_base(1 + secrets.randbelow(N - 1)) for _ in range(size)]
    scalars = [1 + secrets.randbelow(N - 1) for _ in range(size)]
    row = {}
    if size <= 4096:
        t0 = time.perf_counter()
        loop_msm(be, points, scalars)
        row["loop"] = (time.perf_counter() - t0) / size * 1e6
    for c in range(3, 14):
        if 1 << c > 4 * size:
            continue
        t0 = time.perf_counter()
        cc._pippenger(points, scalars, c)
        row[c] = (time.perf_counter() - t0) / size * 1e6
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="64,128,256,512,1024,4096,16384,65536")
    args = parser.parse_args()
    for size in map(int, args.sizes.split(",")):
        row = sweep(size)
        best = min(row, key=row.get)
        cells = " ".join(f"{k}:{v:.1f}" for k, v in row.items())
        chosen = cc._window_bits(size) if size >= cc.PIPPENGER_THRESHOLD else "loop"
        print(f"N={size:6d} best={best} chosen={chosen}  µs/term  {cells}", flush=True)


if __name__ == "__main__":
    main()
