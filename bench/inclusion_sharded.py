"""Inclusion proofs from the state of a round proved in subtrees (issue 14; SPEC.md
§6.9.1): a round proved on a real Dask cluster (tests/clusterkit.py), then
`inclusion.build` for every customer in one process.

    python bench/inclusion_sharded.py [--users 200] [--capacity 256] [--subtree 16] [--shards URL]
        [--margin-fraction F [--margin-subtree 16]]

With `--shards URL` (e.g. file:///tmp/x, or an s3:// bucket) the shards live there: a
customer's first lookup in a subtree fetches its shard into `<state>.cache/` ("cold"),
later ones read the cache ("warm"); both are reported.

With `--margin-fraction F` a margin round (bench/solvency.py's inputs: 2 assets, 2
scenarios, every 1/F-th customer owing one asset): the margin customers' proofs
(`inclusion2.build`, what `zksolv inclusion` runs) are timed, each answered from the shard
of its account subtree (`--margin-subtree` leaves); a first pass (shards opened, fetched
from a URL: "cold") and a second over the same customers ("warm").
"""

import argparse
import pathlib
import statistics
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))
from clusterkit import real_cluster  # noqa: E402  (the tests' launcher of a real cluster)
from roundkit import QUIET, inputs  # noqa: E402

from zksolv import inclusion, state  # noqa: E402
from zksolv.attestation import prove, sharded  # noqa: E402
from zksolv.attestation.manifest import read  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--capacity", type=int, default=256)
    parser.add_argument("--subtree", type=int, default=16)
    parser.add_argument("--shards", default=None, help="fsspec URL or directory for the shards")
    parser.add_argument("--margin-fraction", type=float, default=None, help="a margin round (see above)")
    parser.add_argument("--margin-subtree", type=int, default=16)
    args = parser.parse_args()
    sharded.SUBTREE_LEAVES, sharded.MIN_SUBTREES = args.subtree, 1
    if args.margin_fraction:
        return print(_margin(args))
    with tempfile.TemporaryDirectory() as tmp:
        d = pathlib.Path(tmp)
        with real_cluster(d / "cluster") as cluster:
            ledger, reserves = inputs(d / "in", "inclusion-sharded", users=args.users)
            options = prove.Options(chunk=min(16, args.subtree), capacity=args.capacity, scheduler=cluster.address,
                                    shards=args.shards)
            prove.run(ledger, reserves, d / "att", d / "s.db", options, QUIET)
        m, st, times, cold = read(d / "att" / "manifest.json"), state.State(d / "s.db"), [], []
        cache = d / "s.db.cache"
        for i in range(args.users):
            fetched = len(list(cache.iterdir())) if cache.is_dir() else 0
            start, cpu = time.perf_counter(), time.process_time()
            inclusion.build(st, m, f"user-{i:06d}")
            elapsed = ((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000)
            now = len(list(cache.iterdir())) if cache.is_dir() else 0
            (cold if now > fetched else times).append(elapsed)
        st.close()
    result = {"users": args.users, "capacity": args.capacity, "subtree": args.subtree, "shards": args.shards,
              **_figures("", times)}
    if cold:
        result.update(cold_lookups=len(cold), **_figures("cold_", cold))
    print(result)


def _margin(args) -> dict:
    """A margin round on a real cluster, then two passes of its margin customers' proofs."""
    from solvency import add_debts, write_inputs, write_market
    from zksolv import inclusion2
    from zksolv.attestation import marginsubtree

    marginsubtree.SUBTREE_LEAVES, marginsubtree.MIN_SUBTREES = args.margin_subtree, 1
    with tempfile.TemporaryDirectory() as tmp:
        d = pathlib.Path(tmp)
        write_inputs(d, args.users, "inclusion-margin", 2)
        market = write_market(d, 2, 2)
        owing = add_debts(d, 2, args.margin_fraction)
        with real_cluster(d / "cluster") as cluster:
            options = prove.Options(chunk=min(16, args.subtree, args.margin_subtree), capacity=args.capacity,
                                    scheduler=cluster.address, shards=args.shards, prices=str(market))
            prove.run(d / "ledger.csv", d / "reserves.json", d / "att", d / "s.db", options, QUIET)
        m, st = inclusion2.read_manifest(d / "att" / "manifest.json"), state.State(d / "s.db")
        step = max(1, round(1 / args.margin_fraction))
        passes = []
        for _ in range(2):
            samples = []
            for i in range(0, args.users, step):
                start, cpu = time.perf_counter(), time.process_time()
                inclusion2.build(st, m, f"customer-{i:08d}")
                samples.append(((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000))
            passes.append(samples)
        st.close()
    return {"users": args.users, "margin_accounts": owing, "margin_capacity": m.margin.capacity,
            "margin_subtree": args.margin_subtree, "shards": args.shards, **_figures("cold_", passes[0]),
            **_figures("warm_", passes[1])}


def _figures(prefix: str, samples) -> dict:
    """Median and max wall milliseconds, and median CPU milliseconds, of (wall, cpu) pairs."""
    wall, cpu = [w for w, _ in samples], [c for _, c in samples]
    return {f"{prefix}median_ms": round(statistics.median(wall), 2), f"{prefix}max_ms": round(max(wall), 2),
            f"{prefix}median_cpu_ms": round(statistics.median(cpu), 2)}


if __name__ == "__main__":
    main()
