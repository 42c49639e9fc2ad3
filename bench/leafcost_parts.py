"""Where a round's CPU goes a leaf besides the range proofs (issue 14), in one process, the
leaf range prover replaced by zero bytes: run it once per code tree, alternating, to
compare old and new side by side.

    python bench/leafcost_parts.py CODE_TREE pool [--users 65536] [--workers 1]
    python bench/leafcost_parts.py CODE_TREE subtree [--leaves 16384]
    python bench/leafcost_parts.py CODE_TREE vj

`pool`: `prove.run` (the local pool's coordinator, every step but the workers' proving),
each step's CPU seconds (the leaves, `build_to`, are built within `_prove_pending`); inline, or with `--workers N` a real pool whose forked workers
inherit the stub (their CPU, the jobs' IPC, is given apart). `subtree`: one cluster subtree task (`prove_subtree`:
leaves, commitments, tree, shard) on rows placed in-process, and the order keys placement
computes for them. `vj`: what the prover spent a chunk on V_j before the builder handed
them over (`commit_values` of 64 leaves and their encodings). CPU is this process's
(time.process_time). The proofs are NOT valid: bench only.
"""

import argparse
import contextlib
import pathlib
import resource
import shutil
import sys
import tempfile
import time

T = time.process_time


def _stub_prover(prove) -> None:
    size = len(prove.prove_chunk(("id", bytes(32), "BTC", 0, [0] * 64, [1] * 64, 64, bytes(32))))
    prove.prove_chunk = lambda job: bytes(size)


class _Quiet:
    def line(self, text):
        pass

    @contextlib.contextmanager
    def progress(self, items, *args, **kwargs):
        yield items


def pool(users: int, workers: int, work: pathlib.Path) -> None:
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    from solvency import write_inputs
    from zksolv import state
    from zksolv.attestation import build, prove

    write_inputs(work, users, "leafcost")
    _stub_prover(prove)
    spent = {}

    def timed(owner, name):
        real = getattr(owner, name)

        def wrapper(*args, **kwargs):
            t = T()
            try:
                return real(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0) + T() - t
        setattr(owner, name, wrapper)
    for owner, name in [(prove, "_balances"), (build.LeafStream, "build_to"), (prove, "_prove_pending"),
                        (prove, "write_audit_file"), (state.RoundStore, "finish"), (prove, "_publish")]:
        timed(owner, name)
    t = T()
    prove.run(work / "ledger.csv", work / "reserves.json", work / "att", work / "s.db",
              prove.Options(workers=workers, chunk=64), _Quiet())
    leaves = 1 << (users - 1).bit_length()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"total {(T() - t) * 1e6 / leaves:.1f} µs a leaf ({leaves} leaves); pool workers "
          f"{(children.ru_utime + children.ru_stime) * 1e6 / leaves:.1f}")
    for name, cpu in spent.items():
        print(f"  {name:18s} {cpu * 1e6 / leaves:6.1f}")


def subtree(size: int, work: pathlib.Path) -> None:
    from zksolv import roundkeys
    from zksolv.attestation import build, prove
    from zksolv.attestation import subtree as subtree_module

    _stub_prover(prove)
    master, users = bytes(range(32)), size * 3 // 4
    plan = subtree_module.RoundPlan("id", bytes(32), "inputs", str(work), (subtree_module.AssetPlan(
        "BTC", 64, size, users, 64, size, 0, 0),), master)
    t = T()
    rows = [(build._entry(master, "BTC", f"customer-{i:08d}", i, 0)[0], f"customer-{i:08d}", i) for i in range(users)]
    rows += [(roundkeys.order_key(master, "BTC", roundkeys.padding_id_hash(master, "BTC", j)), None, j)
             for j in range(size - users)]
    keys = T() - t
    rows = [(p, *row) for p, row in enumerate(sorted(rows))]
    t = T()
    summary = subtree_module.prove_subtree(plan, 0, rows)
    print(f"order keys {keys * 1e6 / size:.1f} µs a leaf, subtree task {(T() - t) * 1e6 / size:.1f} µs a leaf "
          f"(root {summary['h'][:16]})")


def vj(reps: int = 200) -> None:
    import os

    from zksolv.commitments import generators
    from zksolv.group import N
    from zksolv.rangeproof.kernel_vectors import vectors_for

    gens = generators()
    kernel = vectors_for(gens.backend)
    values, blindings = list(range(64)), [int.from_bytes(os.urandom(32), "big") % N for _ in range(64)]
    kernel.commit_values(gens, values, blindings)
    t = T()
    for _ in range(reps):
        [v.to_bytes() for v in kernel.commit_values(gens, values, blindings)]
    print(f"V_j of a 64-leaf chunk: {(T() - t) * 1e3 / reps:.3f} ms ({(T() - t) * 1e6 / reps / 64:.1f} µs a leaf)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("code", type=pathlib.Path, help="the code tree to import zksolv from")
    parser.add_argument("part", choices=("pool", "subtree", "vj"))
    parser.add_argument("--users", type=int, default=65536)
    parser.add_argument("--leaves", type=int, default=16384)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    import zksolv
    print(f"{args.part} with {pathlib.Path(zksolv.__file__).parent.parent}")
    work = pathlib.Path(tempfile.mkdtemp(prefix="leafcost-"))
    try:
        if args.part == "pool":
            pool(args.users, args.workers, work)
        elif args.part == "subtree":
            subtree(args.leaves, work)
        else:
            vj()
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
