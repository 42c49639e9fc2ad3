"""zk_msm_kept (or zk_msm, --plain) of two kernel builds, alternating in one process
(bench/RESULTS.md, "Bucket fills by sorted runs"; "The rounds-3+ MSM").

    python bench/msm_kept_ab.py --old TREE --new TREE [--sizes 4097,1025] [--reps 15] [--plain]

Each TREE is a source tree with its kernel built in place. Both kernels are loaded by ctypes
side by side, each builds its own tables of the same points, both get the same scalars and
must give the same output bytes, and they are
timed call by call in alternation (CPU time of the process, so other processes' load counts
less). Prints min and median CPU ms a call per size; --json writes the figures.
"""

import argparse
import ctypes
import json
import os
import secrets
import statistics
import time

from benchkit import kernel_of

N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def _kernel(tree: str) -> ctypes.CDLL:
    lib = kernel_of(tree, "msm_kept_ab")
    lib.zk_msm_kept_bytes.restype = ctypes.c_size_t
    lib.zk_msm_kept_bytes.argtypes = [ctypes.c_size_t]
    lib.zk_msm_kept_tables.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p]
    lib.zk_msm_kept.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p,
                                ctypes.c_char_p]
    lib.zk_msm.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p]
    return lib


def _points(lib: ctypes.CDLL, count: int) -> bytes:
    """count random points (x ‖ y), as k·G through the kernel's own zk_msm."""
    g = bytes.fromhex("79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798"
                      "483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8")
    out = ctypes.create_string_buffer(64)
    points = []
    for _ in range(count):
        k = 1 + secrets.randbelow(N - 1)
        assert lib.zk_msm(g, k.to_bytes(32, "big"), 1, out) == 1
        points.append(out.raw)
    return b"".join(points)


def _kept_call(lib: ctypes.CDLL, points: bytes, size: int):
    """A call of zk_msm_kept over this build's own tables of the points."""
    tables = (ctypes.c_uint64 * (lib.zk_msm_kept_bytes(size) // 8))()
    assert lib.zk_msm_kept_tables(points, size, ctypes.addressof(tables)) == 0
    return lambda scalars, out: lib.zk_msm_kept(ctypes.addressof(tables), size, scalars, out)


def _plain_call(lib: ctypes.CDLL, points: bytes, size: int):
    """A call of zk_msm over the points (the inner-product argument's rounds 3+)."""
    return lambda scalars, out: lib.zk_msm(points, scalars, size, out)


def _compare(old: ctypes.CDLL, new: ctypes.CDLL, size: int, reps: int, plain: bool) -> dict:
    points = _points(old, size)
    make = _plain_call if plain else _kept_call
    calls = {"old": make(old, points, size), "new": make(new, points, size)}
    scalars = b"".join(secrets.randbelow(N).to_bytes(32, "big") for _ in range(size))
    times = {"old": [], "new": []}
    outs = {}
    for rep in range(reps):
        for name in ("old", "new")[:: 1 if rep % 2 else -1]:
            out = ctypes.create_string_buffer(64)
            t0 = time.process_time()
            status = calls[name](scalars, out)
            times[name].append((time.process_time() - t0) * 1e3)
            assert status >= 0
            outs[name] = out.raw
    if outs["old"] != outs["new"]:
        raise SystemExit(f"msm_kept_ab: error: outputs differ at {size} terms")
    return {name: {"min_ms": min(t), "median_ms": statistics.median(t)}
            for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", required=True)
    parser.add_argument("--new", required=True)
    parser.add_argument("--sizes", default="4097,1025")
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--json")
    parser.add_argument("--plain", action="store_true", help="time zk_msm, not zk_msm_kept")
    args = parser.parse_args()
    old, new = _kernel(args.old), _kernel(args.new)
    if old.zk_simd(-1) != 1:
        raise SystemExit("msm_kept_ab: error: zk_msm_kept needs IFMA lanes")
    rows = {}
    for size in map(int, args.sizes.split(",")):
        rows[size] = row = _compare(old, new, size, args.reps, args.plain)
        print(f"{size:6d} terms  old {row['old']['min_ms']:.2f} ({row['old']['median_ms']:.2f})"
              f"  new {row['new']['min_ms']:.2f} ({row['new']['median_ms']:.2f})"
              f"  CPU ms min (median) of {args.reps}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"load": os.getloadavg(), "reps": args.reps, "plain": args.plain, "sizes": rows}, f, indent=1)


if __name__ == "__main__":
    main()
