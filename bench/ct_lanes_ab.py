"""S alone (zk_msm_secret_tabled on the IFMA lanes) of two kernel builds, alternating in one
process (bench/RESULTS.md, "S's lanes cheaper").

    python bench/ct_lanes_ab.py --old TREE --new TREE [--terms 8193] [--reps 21] [--json FILE]

Each TREE is a source tree with its kernel built in place; both are loaded by ctypes side by
side, each builds its own kept tables (zk_ct_tables) of the same generators, both get the
same random scalars below n and must give the same 64 output bytes. Calls alternate old,
new (the order flipped every rep); CPU time of the process. Prints min and median ms a call
and the median of the paired differences new − old.
"""

import argparse
import ctypes
import os
import secrets
import statistics
import time

from benchkit import kernel_of, report

from zksolv.commitments import generators
from zksolv.group import N, affine_bytes


def _kernel(tree: str) -> ctypes.CDLL:
    lib = kernel_of(tree, "ct_lanes_ab")
    lib.zk_ct_tables_bytes.restype = ctypes.c_size_t
    lib.zk_ct_tables_bytes.argtypes = [ctypes.c_size_t]
    lib.zk_ct_tables.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p]
    lib.zk_msm_secret_tabled.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                         ctypes.c_char_p]
    if not lib.zk_simd(-1):
        raise SystemExit("ct_lanes_ab: error: this CPU has no AVX-512 IFMA")
    return lib


def _call(lib: ctypes.CDLL, raw: bytes, count: int):
    """S over this build's own kept tables of the points."""
    tables = (ctypes.c_uint64 * (lib.zk_ct_tables_bytes(count) // 8))()
    lib.zk_ct_tables(raw, count, ctypes.addressof(tables))
    return lambda scalars, out: lib.zk_msm_secret_tabled(ctypes.addressof(tables), scalars,
                                                        count, out)


def compare(old: ctypes.CDLL, new: ctypes.CDLL, points, reps: int) -> dict:
    raw = affine_bytes(points)
    calls = {"old": _call(old, raw, len(points)), "new": _call(new, raw, len(points))}
    times = {"old": [], "new": []}
    for rep in range(reps):
        scalars = b"".join(secrets.randbelow(N).to_bytes(32, "big") for _ in points)
        outs = {}
        for name in ("old", "new")[:: 1 if rep % 2 else -1]:
            out = ctypes.create_string_buffer(64)
            start = time.process_time()
            calls[name](scalars, out)
            times[name].append((time.process_time() - start) * 1e3)
            outs[name] = out.raw
        if outs["old"] != outs["new"]:
            raise SystemExit("ct_lanes_ab: error: the two builds' S differ")
    paired = [b - a for a, b in zip(times["old"], times["new"])]
    return {**{name: {"min_ms": round(min(v), 3), "median_ms": round(statistics.median(v), 3)}
               for name, v in times.items()},
            "paired_median_ms": round(statistics.median(paired), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--terms", type=int, default=8193)
    ap.add_argument("--reps", type=int, default=21)
    ap.add_argument("--json")
    args = ap.parse_args()
    gens = generators()
    G, H = gens.vectors((args.terms - 1) // 2)
    points = [gens.H] + list(G) + list(H)
    result = {"command": "python bench/ct_lanes_ab.py " + " ".join(os.sys.argv[1:]),
              "load_before": os.getloadavg()[0],
              "S": compare(_kernel(args.old), _kernel(args.new), points, args.reps),
              "load_after": os.getloadavg()[0]}
    report(result, args.json)


if __name__ == "__main__":
    main()
