"""The prover's scalar vectors alone (native_ctsc8.h; SPEC.md §5.3): each zk_pv_*_lanes one
element at a time and on the IFMA lanes, in one process, for an m = 64, n = 64 statement
(N = 4096), CPU ms, median over the reps.

    PYTHONPATH=. python bench/ctsc_lanes.py [--reps 15]
"""

import argparse
import ctypes
import secrets
import statistics
import time

from zksolv.group import N, backends

ONE_AT_A_TIME, IFMA = 2, 1


def _words(count):
    buf = (ctypes.c_uint64 * (4 * count))()
    for i in range(count):
        v = secrets.randbelow(N)
        for w in range(4):
            buf[4 * i + w] = (v >> (64 * w)) & (2**64 - 1)
    return buf


def cases(lib, count=4096):
    at = ctypes.addressof
    s, ypow, a, b, yinv = _words(2 * count), _words(count), _words(count), _words(count), _words(count)
    l0, r0, r1, out = _words(count), _words(count), _words(count), _words(count)
    values = secrets.token_bytes(count // 8)
    z, x, g, h, w, u, ui = (secrets.randbelow(N).to_bytes(32, "big") for _ in range(7))
    t, o32 = ctypes.create_string_buffer(64), ctypes.create_string_buffer(32)
    lo, hi = ctypes.create_string_buffer(32 * (count + 1)), ctypes.create_string_buffer(32 * (count + 1))
    wide, packed = secrets.token_bytes(64 * 2 * count), ctypes.create_string_buffer(64 * count)

    def halves(step):
        half = count // 2
        while half:
            step(half)
            half //= 2
    return {
        "poly": lambda k: lib.zk_pv_poly_lanes(values, 64, count // 64, at(s), at(ypow), z, at(l0),
                                               at(r0), at(r1), t, k),
        "eval (l and r)": lambda k: (lib.zk_pv_eval_lanes(at(l0), at(s), x, count, at(out), k),
                                     lib.zk_pv_eval_lanes(at(r0), at(r1), x, count, at(out), k)),
        "inner": lambda k: lib.zk_pv_inner_lanes(at(a), at(b), count, o32, k),
        "ipa_round, all rounds": lambda k: halves(lambda half: lib.zk_pv_ipa_round_lanes(
            at(a), at(b), half, at(yinv), g, h, w, lo, hi, k)),
        "ipa_fold, all rounds": lambda k: halves(lambda half: lib.zk_pv_ipa_fold_lanes(
            at(a), at(b), half, u, ui, k)),
        "powers": lambda k: lib.zk_pv_powers_lanes(x, count, at(ypow), k),
        "store, 2N": lambda k: lib.zk_pv_store_lanes(at(s), 2 * count, at(packed), k),
        "load_wide, 2N": lambda k: lib.zk_pv_load_wide_lanes(wide, 2 * count, at(s), k),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    backends.get("native")
    from zksolv.group.backends import native
    lib = native._lib
    if not lib.zk_simd(-1):
        raise SystemExit("no IFMA lanes on this CPU")
    print("| function | one at a time (ms) | IFMA lanes (ms) |\n|---|---|---|")
    for name, run in cases(lib).items():
        times = {ONE_AT_A_TIME: [], IFMA: []}
        for _ in range(args.reps):
            for lanes in times:
                cpu = time.process_time()
                run(lanes)
                times[lanes].append((time.process_time() - cpu) * 1e3)
        print(f"| {name} | {statistics.median(times[ONE_AT_A_TIME]):.3f} | "
              f"{statistics.median(times[IFMA]):.3f} |")


if __name__ == "__main__":
    main()
