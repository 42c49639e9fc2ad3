"""The kernel's generator fold (zk_fold_terms) alone, from two built source trees in one
process, interleaved: the fold ladders in lockstep (issue 14 item 6).

    PYTHONPATH=NEW python bench/fold_ladder.py --old /tmp/ld-old --new /tmp/ld-new \\
        [--reps 7] [--json FILE]

Shapes: an m = 64 proof's folds (q = 1024, 256, 64, 16 with three terms; 8, 4, 2 with one),
each timed as CPU ms (time.process_time) of one call on the same points and scalars, old and
new alternating, with the outputs compared byte for byte. Medians over the reps.
"""

import argparse
import ctypes
import json
import pathlib
import platform
import statistics
import time

from zksolv.commitments import generators
from zksolv.group import N
from zksolv.group.backends import native
from zksolv.rangeproof.scalars import random_scalar

SHAPES = [(1024, 3), (256, 3), (64, 3), (16, 3), (8, 1), (4, 1), (2, 1)]


def load(tree: pathlib.Path) -> ctypes.CDLL:
    path, = (tree / "zksolv/group/backends").glob("_native*.so")
    lib = ctypes.CDLL(str(path))
    lib.zk_fold_terms.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int,
                                  ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                                  ctypes.c_char_p]
    return lib


def call(lib, points: bytes, q: int, halves: bytes, negs: bytes) -> tuple[float, bytes]:
    out, ok = ctypes.create_string_buffer(64 * q), ctypes.create_string_buffer(q)
    start = time.process_time()
    status = lib.zk_fold_terms(points, q, len(negs) // 2, halves, negs, out, ok)
    spent = (time.process_time() - start) * 1e3
    assert status == 0
    return spent, out.raw + ok.raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=pathlib.Path, required=True)
    parser.add_argument("--new", type=pathlib.Path, required=True)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--json", type=pathlib.Path)
    args = parser.parse_args()
    libs = {"old": load(args.old), "new": load(args.new)}
    G, _ = generators().vectors(4096)
    raw = b"".join(p._raw for p in G)
    rows = []
    for q, terms in SHAPES:
        splits = [native.glv_split(random_scalar() % N) for _ in range(terms)]
        halves = b"".join(abs(h).to_bytes(32, "big") for pair in splits for h in pair)
        negs = bytes(h < 0 for pair in splits for h in pair)
        points = raw[:64 * q * (terms + 1)]
        times = {"old": [], "new": []}
        for rep in range(args.reps):
            outs = {}
            for name in (("old", "new") if rep % 2 == 0 else ("new", "old")):
                spent, outs[name] = call(libs[name], points, q, halves, negs)
                times[name].append(spent)
            assert outs["old"] == outs["new"], f"outputs differ at q = {q}"
        old, new = (statistics.median(times[n]) for n in ("old", "new"))
        rows.append({"q": q, "terms": terms, "old_ms": round(old, 3), "new_ms": round(new, 3),
                     "change_pct": round(100 * (new - old) / old, 1)})
        print(f"q {q:5d} terms {terms}: old {old:8.3f} ms  new {new:8.3f} ms  "
              f"{100 * (new - old) / old:+6.1f} %")
    total = {n: sum(r[f"{n}_ms"] for r in rows) for n in ("old", "new")}
    print(f"one set of an m = 64 proof's folds (×2: G and H): old {total['old']:.2f} ms, "
          f"new {total['new']:.2f} ms")
    if args.json:
        args.json.write_text(json.dumps({"machine": platform.processor() or platform.machine(),
                                         "reps": args.reps, "rows": rows, "total": total},
                                        indent=1) + "\n")


if __name__ == "__main__":
    main()
