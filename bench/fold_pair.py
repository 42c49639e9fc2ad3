"""The first generator fold of an m = 64 proof (rounds 1–2: G's and H's 4,096 generators to
1,024 each, three terms, from S's kept tables) from two built source trees in one process,
interleaved: old as two zk_fold_terms_kept calls, new as one zk_fold_terms_pair (the affine
ladders of native_fold_affine.h where the new tree has them).

    PYTHONPATH=NEW python bench/fold_pair.py --old /tmp/fp-old --new NEW [--reps 21] [--json FILE]
        [--q 1024] [--old-affine-min G] [--new-affine-min G]

--q: outputs a fold (the generators 4q each); --old/new-affine-min: the lane groups a fold
needs for the affine ladders in that tree (zk_fold_affine_min; default the tree's own).

CPU ms (time.process_time) of the two folds, old and new alternating, outputs compared byte
for byte; medians over the reps. Each rep draws new scalars.
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

TERMS = 3


def load(tree: pathlib.Path) -> ctypes.CDLL:
    path, = (tree / "zksolv/group/backends").glob("_native*.so")
    lib = ctypes.CDLL(str(path))
    buf, size, addr = ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p
    lib.zk_fold_terms_kept.argtypes = [buf, size, ctypes.c_int, buf, buf, addr, size, buf, buf]
    if hasattr(lib, "zk_fold_terms_pair"):
        lib.zk_fold_terms_pair.argtypes = [buf, buf, size, ctypes.c_int, buf, buf, addr, size,
                                           addr, size, buf, buf]
    lib.zk_ct_tables_bytes.restype = size
    lib.zk_ct_tables_bytes.argtypes = [size]
    lib.zk_ct_tables.argtypes = [buf, size, addr]
    return lib


def folds(lib, raws, kept, kss, Q) -> tuple[float, bytes]:
    """CPU ms and outputs of G's and H's folds: one pair call where the tree has it."""
    (ha, na), (hb, nb) = native.glv_halves(kss[0]), native.glv_halves(kss[1])
    outs = [ctypes.create_string_buffer(64 * Q) for _ in range(2)]
    oks = [ctypes.create_string_buffer(Q) for _ in range(2)]
    both, both_ok = ctypes.create_string_buffer(128 * Q), ctypes.create_string_buffer(2 * Q)
    start = time.process_time()
    if hasattr(lib, "zk_fold_terms_pair"):
        status = lib.zk_fold_terms_pair(raws[0], raws[1], Q, TERMS, ha + hb, na + nb, *kept[0],
                                        *kept[1], both, both_ok)
    else:
        status = min(lib.zk_fold_terms_kept(raws[f], Q, TERMS, h, n, *kept[f], outs[f], oks[f])
                     for f, (h, n) in enumerate(((ha, na), (hb, nb))))
    spent = (time.process_time() - start) * 1e3
    if not hasattr(lib, "zk_fold_terms_pair"):
        both, both_ok = outs[0].raw + outs[1].raw, oks[0].raw + oks[1].raw
    else:
        both, both_ok = both.raw, both_ok.raw
    assert status >= 0 and both_ok == b"\x01" * (2 * Q)
    return spent, both


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=pathlib.Path, required=True)
    parser.add_argument("--new", type=pathlib.Path, required=True)
    parser.add_argument("--reps", type=int, default=21)
    parser.add_argument("--json", type=pathlib.Path)
    parser.add_argument("--q", type=int, default=1024)
    parser.add_argument("--old-affine-min", type=int, default=0)
    parser.add_argument("--new-affine-min", type=int, default=0)
    args = parser.parse_args()
    libs = {"old": load(args.old), "new": load(args.new)}
    for name, groups in (("old", args.old_affine_min), ("new", args.new_affine_min)):
        if groups:
            libs[name].zk_fold_affine_min.argtypes = [ctypes.c_int]
            libs[name].zk_fold_affine_min(groups)
    Q = args.q
    G, H = generators().vectors(4 * Q)
    raws = [b"".join(p._raw for p in points) for points in (G, H)]
    each = libs["new"].zk_ct_tables_bytes(1)
    tables = [(ctypes.c_uint64 * (each * 4 * Q // 8))() for _ in raws]
    for raw, table in zip(raws, tables):
        assert libs["new"].zk_ct_tables(raw, 4 * Q, ctypes.addressof(table)) == 0
    kept = [(ctypes.addressof(t), 4 * Q) for t in tables]
    times = {"old": [], "new": []}
    for rep in range(args.reps):
        kss = [[random_scalar() % N for _ in range(TERMS)] for _ in range(2)]
        outs = {}
        for name in (("old", "new") if rep % 2 == 0 else ("new", "old")):
            spent, outs[name] = folds(libs[name], raws, kept, kss, Q)
            times[name].append(spent)
        assert outs["old"] == outs["new"], "outputs differ"
    old, new = (statistics.median(times[n]) for n in ("old", "new"))
    print(f"G's and H's first fold (q = {Q}, {TERMS} terms, kept tables): old {old:.3f} ms, "
          f"new {new:.3f} ms, {100 * (new - old) / old:+.1f} %")
    if args.json:
        args.json.write_text(json.dumps({"machine": platform.processor() or platform.machine(), "q": Q,
                                         "old_affine_min": args.old_affine_min,
                                         "new_affine_min": args.new_affine_min,
                                         "reps": args.reps, "old_ms": round(old, 3),
                                         "new_ms": round(new, 3), "times": times}, indent=1)
                             + "\n")


if __name__ == "__main__":
    main()
