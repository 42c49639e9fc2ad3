"""The phases of one local-pool round (`zksolv prove --workers N`) on a timeline: where the
wall time goes that is not every core busy (issue 14).

    python bench/pool_phases.py --users 100000 [--workers 2] [--dir /tmp/zksolv-phases]

Runs `prove.run` in this process (the code first on PYTHONPATH) with the round's phase
functions wrapped to log when each starts and ends, and samples the CPU time of this process
and its pool workers every 0.25 s. Prints each phase's start, wall seconds, the CPU seconds
the process tree spent in it and the idle core seconds (workers × wall − CPU) of each, when
the pool got its first chunk and how long the round ran after its last: until the first and
after the last, one core at most is busy. With --json, writes them. On a machine shared with
other work the idle core seconds include what the others took.
"""

import argparse
import functools
import json
import os
import pathlib
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import psutil

from solvency import write_inputs

from zksolv.cli import Reporter
from zksolv.attestation import prove
from zksolv.state import RoundStore

FIRST_SUBMIT, SAMPLER = [], []


def mark_first_submit():
    """Record when the pool gets its first chunk: until then one core at most is busy."""
    submit = ProcessPoolExecutor.submit

    def marked(self, *args, **kwargs):
        if not FIRST_SUBMIT:
            FIRST_SUBMIT.append((time.perf_counter(), SAMPLER[0].cpu()))
        return submit(self, *args, **kwargs)

    ProcessPoolExecutor.submit = marked


PHASES = [(prove, "_balances"), (prove, "_inputs_digest"), (prove, "_build_all"), (RoundStore, "open"),
          (prove, "_prove_pending"), (prove, "write_audit_file"), (prove, "_with_statement_proofs"),
          (RoundStore, "finish")]


def tree_cpu(me: psutil.Process) -> float:
    """CPU seconds of this process and its live children (pool workers)."""
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.NoSuchProcess:
            pass
    return total


class Sampler(threading.Thread):
    """(wall, tree CPU) every `period` s; a child that ended keeps its last CPU counted."""

    def __init__(self, period=0.25):
        super().__init__(daemon=True)
        self.period, self.samples, self.seen, self.stop = period, [], {}, threading.Event()
        self.me = psutil.Process()

    def cpu(self) -> float:
        own = sum(self.me.cpu_times()[:2])
        for child in self.me.children(recursive=True):
            try:
                self.seen[child.pid] = sum(child.cpu_times()[:2])
            except psutil.NoSuchProcess:
                pass
        return own + sum(self.seen.values())

    def run(self):
        while not self.stop.is_set():
            self.samples.append((time.perf_counter(), self.cpu()))
            time.sleep(self.period)


def wrap(owner, name, log, sampler):
    original = getattr(owner, name)
    is_static = isinstance(owner.__dict__.get(name), (classmethod, staticmethod))

    @functools.wraps(original)
    def timed(*args, **kwargs):
        start, c0 = time.perf_counter(), sampler.cpu()
        try:
            return original(*args, **kwargs)
        finally:
            log.append((name, start, time.perf_counter(), c0, sampler.cpu()))

    setattr(owner, name, classmethod(lambda cls, *a, **k: timed(*a, **k)) if is_static else timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dir", type=pathlib.Path, default=pathlib.Path("/tmp/zksolv-phases"))
    parser.add_argument("--json", type=pathlib.Path)
    args = parser.parse_args()
    d = args.dir.resolve()
    d.mkdir(parents=True, exist_ok=True)
    if not (d / "ledger.csv").exists():
        write_inputs(d, args.users, "bench-round")
    for stale in ("att", "state.db"):
        target = d / stale
        os.system(f"rm -rf {target}")
    sampler, log = Sampler(), []
    SAMPLER.append(sampler)
    for owner, name in PHASES:
        wrap(owner, name, log, sampler)
    mark_first_submit()
    sampler.start()
    t0, c0 = time.perf_counter(), sampler.cpu()
    prove.run(d / "ledger.csv", d / "reserves.json", d / "att", d / "state.db",
              prove.Options(workers=args.workers), Reporter(False, True))
    wall, cpu = time.perf_counter() - t0, sampler.cpu() - c0
    last_end, last_cpu = max((e, c) for n, _, e, _, c in log if n == "_prove_pending")
    sampler.stop.set()
    rows = [{"phase": name, "start_s": round(s - t0, 2), "wall_s": round(e - s, 2), "cpu_s": round(c1 - ca, 2),
             "idle_core_s": round(args.workers * (e - s) - (c1 - ca), 2)}
            for name, s, e, ca, c1 in sorted(log, key=lambda r: r[1])]
    result = {"users": args.users, "workers": args.workers, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
              "utilisation": round(cpu / wall / args.workers, 3), "load": os.getloadavg(),
              "first_chunk_submitted_s": round(FIRST_SUBMIT[0][0] - t0, 2),
              "cpu_before_first_chunk_s": round(FIRST_SUBMIT[0][1] - c0, 2),
              "after_last_chunk_s": round(t0 + wall - last_end, 2), "cpu_after_last_chunk_s": round(c0 + cpu - last_cpu, 2),
              "phases": rows}
    for row in rows:
        print(row)
    print({k: v for k, v in result.items() if k != "phases"})
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
