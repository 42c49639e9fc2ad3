"""The coordinator's footprint (issue 14): peak RSS and CPU time of the `zksolv prove`
process at two sizes, with the work on a real Dask cluster in other processes (`dask
scheduler` + two `dask worker`, started as tests/clusterkit.py starts them, on loopback).

    python bench/coordinator_memory.py [--users 6144 24576 …] [--chunk 64] [--stub-proofs] [--out FILE]
        [--margin-fraction F [--assets K] [--scenarios S]]

One asset, 3/4 of each capacity real customers (6,144 users → 8,192 leaves). With
`--margin-fraction F` a margin round (`prove --prices`, SPEC.md §6.9.1): K assets (default
2; every customer holds each), every 1/F-th customer owes one of them (bench/solvency.py's
`add_debts`, safe debts), S stress scenarios; `leaves` are then the spot trees' leaves and
the margin accounts are reported beside them (their leaves are proved for real even with
`--stub-proofs`, which replaces the spot chunks' prover only). The peak RSS
is the prove process's own VmHWM, read by it at exit (bench/coordinator_run.py): wait4's
ru_maxrss, which figures before 2026-12-05 used, carries this bench process's own peak
into its child across fork and exec, so it grew with what the bench had done before (it
is still reported, as `wait4_maxrss_mib`). The CPU is the prove process's own (os.wait4 on
it: the scheduler and workers are not its children); the workers' CPU is read from them (psutil) before and after, so the
coordinator's share of the round's CPU can be given; the bytes the coordinator received
from Dask are counted in it (bench/coordinator_run.py). Growth per leaf is between the
first two sizes, so the interpreter and imports cancel out.

`--stub-proofs` measures the coordinator's path at sizes this machine cannot prove: the
workers (only they) get a plugin replacing the leaf range prover by one that returns
zero bytes of a real proof's length. Everything else — the real `zksolv prove` command as
coordinator, the ledger pass, placement, leaves, subtrees, shards, statement proofs, the
audit files' assembly — runs as in a real round, but the attestation is NOT valid (its
chunk proofs are zeros). Bench only: nothing in zksolv can install the stub.
"""

import argparse
import json
import os
import pathlib
import platform
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from solvency import add_debts, write_inputs, write_market  # noqa: E402  (a sibling script)
from clusterkit import real_cluster  # noqa: E402  (the tests' launcher of a real cluster)


def _workers_cpu(address: str) -> float:
    """User + system CPU seconds of every worker process (and its nanny) so far."""
    import psutil
    from distributed import Client

    def cpu():
        me = psutil.Process()
        total = 0.0
        for p in [me, me.parent()]:
            t = p.cpu_times()
            total += t.user + t.system
        return total

    with Client(address, timeout="20s") as client:
        return sum(client.run(cpu).values())


def stub_plugin(size: int):
    """A worker plugin (bench only): the leaf range prover returns `size` zero bytes."""
    from distributed import WorkerPlugin

    class StubProofs(WorkerPlugin):
        def setup(self, worker):
            from zksolv.attestation import prove

            prove.prove_chunk = lambda job: bytes(size)

    return StubProofs()


def proof_size(chunk: int, leaf_bits: int) -> int:
    """Bytes of a real leaf range proof of `chunk` values of `leaf_bits` bits."""
    from zksolv.attestation import prove

    job = ("id", bytes(32), "BTC", 0, [0] * chunk, [1] * chunk, leaf_bits, bytes(32))
    return len(prove.prove_chunk(job))


def prove_once(directory: pathlib.Path, users: int, chunk: int, address: str, margin: dict | None = None) -> dict:
    work = directory / f"u{users}"
    work.mkdir()
    assets = margin["assets"] if margin else 1
    write_inputs(work, users, f"coordinator-{users}", assets)
    prices, owing = [], 0
    if margin:
        prices = ["--prices", str(write_market(work, assets, margin["scenarios"]))]
        owing = add_debts(work, assets, margin["fraction"])
    counted = work / "received"
    cmd = [sys.executable, str(HERE / "coordinator_run.py"), str(counted), "prove", "--ledger", str(work / "ledger.csv"),
           "--reserves", str(work / "reserves.json"), "--out", str(work / "att"), "--state", str(work / "s.db"),
           "--chunk", str(chunk), "--scheduler", address, "--quiet", *prices]
    before = _workers_cpu(address)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"prove failed: {proc.stderr.read().decode()[-2000:]}")
    workers = _workers_cpu(address) - before
    own = usage.ru_utime + usage.ru_stime
    leaves = assets * (1 << max(0, (users - owing - 1).bit_length()))
    received, own_peak_kib = (int(x) for x in counted.read_text().split())
    lookups = inclusion_times(work, users, margin["fraction"]) if margin else {}
    return {"users": users, "margin_accounts": owing, "leaves": leaves, "wall_s": round(wall, 2), **lookups,
            "coordinator_peak_rss_mib": round(own_peak_kib / 1024, 1),
            "wait4_maxrss_mib": round(usage.ru_maxrss / 1024, 1),
            "coordinator_cpu_s": round(own, 2), "workers_cpu_s": round(workers, 2),
            "coordinator_cpu_share": round(own / (own + workers), 4),
            "coordinator_bytes_received": received}


def inclusion_times(work: pathlib.Path, users: int, fraction: float, samples: int = 200) -> dict:
    """`inclusion2.build` (what `zksolv inclusion` runs) from the round's state, in this
    process: median and max wall ms over `samples` spot customers and as many margin
    customers (add_debts made every round(1/F)-th customer owe)."""
    import statistics

    from zksolv import inclusion2, state

    step = max(1, round(1 / fraction))
    spot = [i for i in range(0, users, max(1, users // samples)) if i % step][:samples]
    margin = list(range(0, users, step))[:samples]
    m, st, out = inclusion2.read_manifest(work / "att" / "manifest.json"), state.State(work / "s.db"), {}
    for warm in ("", "warm_"):      # the second pass: every shard already open, the page cache warm
        for name, picked in (("spot", spot), ("margin", margin)):
            times, cpu = [], []
            for i in picked:
                start, started = time.perf_counter(), time.process_time()
                inclusion2.build(st, m, f"customer-{i:08d}")
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - started) * 1000)
            out[f"inclusion_{warm}{name}_median_ms"] = round(statistics.median(times), 2)
            out[f"inclusion_{warm}{name}_max_ms"] = round(max(times), 2)
            out[f"inclusion_{warm}{name}_median_cpu_ms"] = round(statistics.median(cpu), 2)
    st.close()
    return out


def _stub_workers(address: str, size: int) -> None:
    from distributed import Client

    with Client(address, timeout="20s") as client:
        client.register_plugin(stub_plugin(size), name="zksolv-bench-stub-proofs")


def _growth_per_leaf(runs: list) -> int | None:
    """Peak RSS growth a leaf between the first two sizes (None with one size)."""
    if len(runs) < 2:
        return None
    small, large = runs[:2]
    grown = (large["coordinator_peak_rss_mib"] - small["coordinator_peak_rss_mib"]) * 1024 * 1024
    return round(grown / (large["leaves"] - small["leaves"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[6144, 24576])
    parser.add_argument("--chunk", type=int, default=64)
    parser.add_argument("--stub-proofs", action="store_true", help="the coordinator's path only (see above)")
    parser.add_argument("--out", type=pathlib.Path, default=None)
    parser.add_argument("--margin-fraction", type=float, default=None, help="a margin round (see above)")
    parser.add_argument("--assets", type=int, default=2, help="assets of a margin round")
    parser.add_argument("--scenarios", type=int, default=2, help="stress scenarios of a margin round")
    args = parser.parse_args()
    margin = args.margin_fraction and {"fraction": args.margin_fraction, "assets": args.assets,
                                       "scenarios": args.scenarios}
    with tempfile.TemporaryDirectory(prefix="zksolv-coord-") as tmp:
        with real_cluster(pathlib.Path(tmp) / "cluster") as cluster:
            if args.stub_proofs:
                _stub_workers(cluster.address, proof_size(args.chunk, 64))
            runs = []
            for users in args.users:
                runs.append(prove_once(pathlib.Path(tmp), users, args.chunk, cluster.address, margin))
                print(json.dumps(runs[-1]), file=sys.stderr, flush=True)
    result = {"runs": runs, "rss_growth_bytes_per_leaf": _growth_per_leaf(runs),
              "stub_proofs": args.stub_proofs, "load_average": os.getloadavg(),
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
              "command": " ".join(["python", "bench/coordinator_memory.py", "--users", *map(str, args.users),
                                   "--chunk", str(args.chunk), *(["--stub-proofs"] if args.stub_proofs else []),
                                   *([f"--margin-fraction={args.margin_fraction}", f"--assets={args.assets}",
                                      f"--scenarios={args.scenarios}"] if margin else [])])}
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
