"""Whole-process time of `zksolv verify-inclusion` against a bare `python -c pass` (issue 13 item 6).

    python bench/inclusion_cli.py [--runs N] [--python PY] [--dir DEMO_DIR] [--json OUT]

Makes a demo round (`zksolv demo`: a signed margin round, version 2, with a spot customer's
proof and a margin customer's proof) unless --dir names one, then runs, interleaved, N times
each: `PY -c pass`, and the `zksolv` console script installed beside PY (what a customer
runs; `PY -m zksolv` if there is none, which adds runpy's imports) running
`verify-inclusion PROOF --attestation DIR -q` for both proofs. Prints the median and quartiles of
each, and the command's excess over the bare interpreter. PY should be an interpreter whose
zksolv is a regular (non-editable) install: an editable install adds its import hook.
"""

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds of the whole process, and its CPU seconds (user + system): on a machine
    other work shares, the CPU time is the steadier figure of what the command itself costs."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def summary(samples: list[float]) -> dict:
    q = statistics.quantiles(samples, n=4)
    return {"median_ms": round(statistics.median(samples) * 1e3, 1), "q1_ms": round(q[0] * 1e3, 1),
            "q3_ms": round(q[2] * 1e3, 1), "min_ms": round(min(samples) * 1e3, 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--dir", default=None, help="a `zksolv demo` directory (default: make one)")
    ap.add_argument("--json", default=None, help="also write the figures here")
    args = ap.parse_args()
    demo = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="zksolv-bench-")) / "round"
    if not (demo / "attestation").is_dir():
        subprocess.run([args.python, "-m", "zksolv", "demo", "--users", "20", "--dir", str(demo), "-q"], check=True)
    script = Path(args.python).parent / "zksolv"
    check = [str(script) if script.is_file() else args.python, *([] if script.is_file() else ["-m", "zksolv"]),
             "verify-inclusion"]
    cmds = {"python -c pass": [args.python, "-c", "pass"],
            "verify-inclusion spot (v2 round)": check + [str(demo / "customer-spot.json"),
                                                         "--attestation", str(demo / "attestation"), "-q"],
            "verify-inclusion margin (v2)": check + [str(demo / "customer-margin.json"),
                                                     "--attestation", str(demo / "attestation"), "-q"]}
    for cmd in cmds.values():  # warm the page cache and .pyc files
        timed(cmd)
    samples = {name: [] for name in cmds}
    cpu = {name: [] for name in cmds}
    for _ in range(args.runs):
        for name, cmd in cmds.items():
            wall, used = timed(cmd)
            samples[name].append(wall)
            cpu[name].append(used)
    base = statistics.median(samples["python -c pass"])
    base_cpu = statistics.median(cpu["python -c pass"])
    result = {"command": " ".join(check), "machine": f"{platform.machine()} {platform.processor() or ''} {platform.platform()}, "
                         f"Python {platform.python_version()}", "runs": args.runs, "commands": {}}
    for name, s in samples.items():
        row = summary(s)
        row["over_python_ms"] = round((statistics.median(s) - base) * 1e3, 1)
        row["cpu_median_ms"] = round(statistics.median(cpu[name]) * 1e3, 1)
        row["cpu_over_python_ms"] = round((statistics.median(cpu[name]) - base_cpu) * 1e3, 1)
        result["commands"][name] = row
        print(f"{name:34} wall median {row['median_ms']:6.1f} ms (q1 {row['q1_ms']}, q3 {row['q3_ms']}, "
              f"min {row['min_ms']}), +{row['over_python_ms']} over python; "
              f"CPU median {row['cpu_median_ms']} ms, +{row['cpu_over_python_ms']}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
