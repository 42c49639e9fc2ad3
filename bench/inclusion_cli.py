"""Whole-process time of `zksolv verify-inclusion` against a bare `python -c pass` (issue 13 item 6).

    python bench/inclusion_cli.py [--runs N] [--python PY] [--dir DEMO_DIR] [--json OUT]

Makes a demo round (`zksolv demo`: a signed margin round, version 2, with a spot customer's
proof and a margin customer's proof) unless --dir names one, then runs, interleaved, N times
each: `PY -c pass`, and `PY -m zksolv verify-inclusion PROOF --attestation DIR -q` (equivalent
to the `zksolv` script: the same `main`) for both proofs. Prints the median and quartiles of
each, and the command's excess over the bare interpreter. PY should be an interpreter whose
zksolv is a regular (non-editable) install: an editable install adds its import hook.
"""

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


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
    check = [args.python, "-m", "zksolv", "verify-inclusion"]
    cmds = {"python -c pass": [args.python, "-c", "pass"],
            "verify-inclusion spot (v2 round)": check + [str(demo / "customer-spot.json"),
                                                         "--attestation", str(demo / "attestation"), "-q"],
            "verify-inclusion margin (v2)": check + [str(demo / "customer-margin.json"),
                                                     "--attestation", str(demo / "attestation"), "-q"]}
    for cmd in cmds.values():  # warm the page cache and .pyc files
        timed(cmd)
    samples = {name: [] for name in cmds}
    for _ in range(args.runs):
        for name, cmd in cmds.items():
            samples[name].append(timed(cmd))
    base = statistics.median(samples["python -c pass"])
    result = {"machine": f"{platform.machine()} {platform.processor() or ''} {platform.platform()}, "
                         f"Python {platform.python_version()}", "runs": args.runs, "commands": {}}
    for name, s in samples.items():
        row = summary(s)
        row["over_python_ms"] = round((statistics.median(s) - base) * 1e3, 1)
        result["commands"][name] = row
        print(f"{name:36} median {row['median_ms']:7.1f} ms  (q1 {row['q1_ms']}, q3 {row['q3_ms']}, "
              f"min {row['min_ms']})  +{row['over_python_ms']} ms over python")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
