"""The first generator fold (m = 64: q = 1,024, three terms over G's 4,096 points) with its
lane tables built, read from S's kept tables, and given tables that fail the check (shifted
by one point: built after the check), interleaved in one process (issue 14 item 6;
zk_fold_terms_kept, native_fold2.h).

    PYTHONPATH=TREE python TREE/bench/fold_kept.py [--reps 15]

CPU ms a fold (time.process_time), medians over the reps.
"""

import argparse
import ctypes
import statistics
import time

from zksolv.commitments import generators
from zksolv.group import N, affine_bytes
from zksolv.group.backends import native
from zksolv.rangeproof.kernel_vectors import KernelVectors
from zksolv.rangeproof.scalars import random_scalar


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15)
    reps = parser.parse_args().reps
    lib, gens = native._lib, generators()
    G, H = gens.vectors(4096)
    kernel = KernelVectors(lib)
    tables = kernel._s_tables(gens, G, H)
    raw, each = affine_bytes(G), lib.zk_ct_tables_bytes(1)
    total, base = ctypes.sizeof(tables) // each, ctypes.addressof(tables)
    k, k2 = random_scalar(), random_scalar()
    factors = [k2, k, k * k2 % N]
    ways = {"built": None, "kept": (base + each, total - 1), "refused": (base + 2 * each, total - 2)}
    want = kernel._fold_terms(raw, 1024, factors)
    times = {name: [] for name in ways}
    for _ in range(reps):
        for name, kept in ways.items():
            cpu = time.process_time()
            got = kernel._fold_terms(raw, 1024, factors, kept)
            times[name].append((time.process_time() - cpu) * 1e3)
            if got != want:
                raise SystemExit(f"{name}: not the built fold's points")
    print({name: round(statistics.median(v), 2) for name, v in times.items()})


if __name__ == "__main__":
    main()
