"""End-to-end solvency benchmark: N users × 1 asset through the real CLI processes.

    python bench/solvency.py --users 10000 [--workers 2] [--dir /tmp/zksolv-bench]
    python bench/solvency.py --users 100000 --assets 5 --margin-fraction 0.05 --scenarios 2

With --margin-fraction F, a fraction F of the customers owe one asset (a safe debt against
their other holdings, 3 haircut tiers per asset, S stress scenarios): the margin round is
proved and audited, and so is the same ledger with the debts removed (no --prices), in the
same run, and the ratios are reported (issue 11's targets: prove and audit ≤ 1.3×).

Times `zksolv prove`, `verify`, `audit` and `verify-inclusion` as whole processes (median
of several runs for the quick ones), inclusion generation per customer from the state
store, peak RSS of each command, and the inclusion proof size (measured, and projected to
capacity 2^20 from the bytes one tree level adds).
"""

import argparse
import csv
import json
import os
import pathlib
import platform
import resource
import secrets
import statistics
import subprocess
import sys
import time

from zksolv import inclusion, state
from zksolv.amounts import format_amount, parse_amount
from zksolv.attestation import manifest as manifest_module
from zksolv.reserves import control_message, signing

HERE = pathlib.Path(__file__).resolve().parent
ZKSOLV = [sys.executable, "-m", "zksolv"]


def asset_names(count: int) -> list[str]:
    return ["BTC"] if count == 1 else [f"BTC{k}" for k in range(count)]


def write_inputs(directory: pathlib.Path, users: int, attestation_id: str, assets: int = 1) -> None:
    """Every customer holds every asset (8 decimals, up to 3 units); reserves hold 110 %."""
    names = asset_names(assets)
    totals = dict.fromkeys(names, 0)
    with open(directory / "ledger.csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["user_id", "asset", "amount"])
        for i in range(users):
            for name in names:
                units = secrets.randbelow(10**8 * 3)
                totals[name] += units
                out.writerow([f"customer-{i:08d}", name, format_amount(units, 8)])
    reserves = {"attestation_id": attestation_id, "assets": {}}
    for name, total in totals.items():
        key = signing.new_key()
        address = signing.bitcoin_address(key)
        wallet = {"chain": "bitcoin", "address": address, "balance": format_amount(total * 11 // 10, 8),
                  "signature": signing.bitcoin_sign(key, control_message(attestation_id, address))}
        reserves["assets"][name] = {"decimals": 8, "wallets": [wallet]}
    (directory / "reserves.json").write_text(json.dumps(reserves))


def write_market(directory: pathlib.Path, assets: int, scenarios: int) -> pathlib.Path:
    """Prices 1,000·(k+1) USD, three haircut tiers an asset (1 / 2 / rest units at 95 / 80 /
    50 %), μ 110 %; scenario j shocks asset j mod K by −40 % and the others by −10 %."""
    names = asset_names(assets)
    market = {"quote": "USD", "decimals": 2, "min_collateral_percent": "110",
              "assets": {a: {"price": f"{1000 * (k + 1)}.00", "haircut": [["1", "95"], ["2", "80"], [None, "50"]]}
                         for k, a in enumerate(names)},
              "scenarios": [{"name": f"stress-{j}", "shock_percent": {a: "-40" if k == j % assets else "-10"
                                                                      for k, a in enumerate(names)}}
                            for j in range(scenarios)]}
    path = directory / "prices.json"
    path.write_text(json.dumps(market, indent=1))
    return path


def add_debts(directory: pathlib.Path, assets: int, fraction: float) -> int:
    """Rewrite ledger.csv: every 1/fraction-th customer owes one asset (a safe debt, computed
    with the market's own coefficients); keep the debt-free ledger as ledger-spot.csv.
    Returns how many customers owe."""
    from zksolv.market import file as market_file
    from zksolv.market.synthetic import with_debt

    names = asset_names(assets)
    decimals = dict.fromkeys(names, 8)
    coeffs = market_file.load(directory / "prices.json", decimals).coefficients(decimals)
    rows: dict[str, dict[str, int]] = {}
    with open(directory / "ledger.csv", newline="") as f:
        for row in csv.DictReader(f):
            rows.setdefault(row["user_id"], {})[row["asset"]] = parse_amount(row["amount"], 8)
    (directory / "ledger.csv").rename(directory / "ledger-spot.csv")
    step, owing = max(1, round(1 / fraction)), 0
    with open(directory / "ledger.csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["user_id", "asset", "amount"])
        for i, (user, holding) in enumerate(rows.items()):
            if i % step == 0:
                holding = with_debt(coeffs, holding, names[i // step % assets])
                owing += any(x < 0 for x in holding.values())
            for a, x in holding.items():
                out.writerow([user, a, ("-" if x < 0 else "") + format_amount(abs(x), 8)])
    with open(directory / "ledger-spot.csv", "w", newline="") as f:  # the same ledger, debts removed
        out = csv.writer(f)
        out.writerow(["user_id", "asset", "amount"])
        for row in csv.DictReader(open(directory / "ledger.csv", newline="")):
            if not row["amount"].startswith("-"):
                out.writerow([row["user_id"], row["asset"], row["amount"]])
    return owing


def timed(args: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (MiB, of the `zksolv` process) of one command."""
    wall, _, peak = timed_cpu(args)
    return wall, peak


def timed_cpu(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + sys of the command and every descendant it waited
    for: its worker processes) and peak RSS (MiB) of the `zksolv` process itself, read by it
    at exit (bench/peak_run.py; not RUSAGE_CHILDREN's ru_maxrss, the largest of every child
    waited for so far). CPU time is the figure to compare when other work shares the machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_file = pathlib.Path(os.environ.get("TMPDIR", "/tmp")) / f"zksolv-peak-{os.getpid()}"
    wall = wall_of([sys.executable, str(HERE / "peak_run.py"), str(peak_file), *args])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    peak_kib = int(peak_file.read_text())
    peak_file.unlink()
    return wall, cpu, peak_kib // 1024


def wall_of(command: list[str]) -> float:
    """Wall seconds of one command; a failure ends the bench with its stderr."""
    t0 = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {result.stderr}")
    return wall


def median_wall(args: list[str], runs: int) -> float:
    """Median wall of `python -m zksolv ARGS` with nothing wrapped around it (a quick command
    such as verify-inclusion ends without the interpreter's teardown: no peak file)."""
    return statistics.median(wall_of(ZKSOLV + args) for _ in range(runs))


def inclusion_generation(directory: pathlib.Path, users: int, samples: int = 200) -> float:
    m = manifest_module.read(directory / "att" / manifest_module.FILE)
    st = state.State(directory / "state.db")
    ids = [f"customer-{secrets.randbelow(users):08d}" for _ in range(samples)]
    t0 = time.perf_counter()
    for uid in ids:
        inclusion.build(st, m, uid)
    st.close()
    return (time.perf_counter() - t0) * 1e3 / samples


def proof_sizes(proof_path: pathlib.Path) -> dict:
    doc = json.loads(proof_path.read_text())
    item = next(iter(doc["assets"].values()))
    depth = len(item["path"])
    size = proof_path.stat().st_size
    item["path"].append(item["path"][0])
    per_level = len(json.dumps(doc, indent=1)) + 1 - size
    return {"depth": depth, "bytes": size, "bytes_per_level": per_level,
            "projected_bytes_at_capacity_2^20": size + (20 - depth) * per_level}


def run(users: int, workers: int, directory: pathlib.Path, scheduler: str | None = None,
        assets: int = 1) -> dict:
    directory.mkdir(parents=True, exist_ok=True)
    for p in ("att", "state.db", "customer.json"):
        target = directory / p
        if target.is_dir():
            import shutil

            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    write_inputs(directory, users, "bench-round", assets)
    d = str(directory)
    prove_s, prove_cpu, prove_rss = timed_cpu(["prove", "--ledger", f"{d}/ledger.csv", "--reserves", f"{d}/reserves.json",
                                "--out", f"{d}/att", "--state", f"{d}/state.db", "--workers", str(workers),
                                "--quiet"] + (["--scheduler", scheduler] if scheduler else []))
    audit_s, audit_cpu, audit_rss = timed_cpu(["audit", f"{d}/att", "--workers", str(workers), "--quiet"])
    verify_s = median_wall(["verify", f"{d}/att", "--quiet"], 5)
    timed(["inclusion", "--state", f"{d}/state.db", "--attestation", f"{d}/att", "--user", "customer-00000007",
           "--out", f"{d}/customer.json", "--quiet"])
    vi_s = median_wall(["verify-inclusion", f"{d}/customer.json", "--attestation", f"{d}/att", "--quiet"], 11)
    capacity = manifest_module.read(directory / "att" / manifest_module.FILE).assets[asset_names(assets)[0]].capacity
    return {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "command": " ".join(["python"] + sys.argv),
        "users": users, "assets": assets, "capacity_per_asset": capacity, "workers": workers,
        "engine": "dask LocalCluster" if scheduler else "local process pool",
        "prove_s": round(prove_s, 2), "prove_cpu_s": round(prove_cpu, 2), "prove_peak_rss_mib": prove_rss,
        "prove_ms_core_per_leaf": round(prove_cpu * 1e3 / (capacity * assets), 3),
        "audit_s": round(audit_s, 2), "audit_cpu_s": round(audit_cpu, 2), "audit_peak_rss_mib": audit_rss,
        "verify_s_median": round(verify_s, 3),
        "verify_inclusion_ms_median": round(vi_s * 1e3, 1),
        "inclusion_generation_ms_per_customer": round(inclusion_generation(directory, users), 2),
        "inclusion_proof": proof_sizes(directory / "customer.json"),
    }


def margin_run(users: int, workers: int, directory: pathlib.Path, assets: int, fraction: float,
               scenarios: int, margin_capacity: int | None = None) -> dict:
    """The margin round and its debt-free twin, proved and audited in one run."""
    import shutil

    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    write_inputs(directory, users, "bench-margin", assets)
    write_market(directory, assets, scenarios)
    owing = add_debts(directory, assets, fraction)
    d, figures = str(directory), {}
    capacity = ["--margin-capacity", str(margin_capacity)] if margin_capacity else []
    for kind, ledger, extra in (("spot", "ledger-spot.csv", []),
                                ("margin", "ledger.csv", ["--prices", f"{d}/prices.json"] + capacity)):
        prove_s, prove_cpu, prove_rss = timed_cpu(["prove", "--ledger", f"{d}/{ledger}", "--reserves", f"{d}/reserves.json",
                                    "--out", f"{d}/att-{kind}", "--state", f"{d}/state-{kind}.db",
                                    "--workers", str(workers), "--quiet"] + extra)
        audit_s, audit_cpu, audit_rss = timed_cpu(["audit", f"{d}/att-{kind}", "--workers", str(workers), "--quiet"])
        verify_s = median_wall(["verify", f"{d}/att-{kind}", "--quiet"], 5)
        figures[kind] = {"prove_s": round(prove_s, 2), "prove_cpu_s": round(prove_cpu, 2),
                         "prove_peak_rss_mib": prove_rss, "audit_s": round(audit_s, 2),
                         "audit_cpu_s": round(audit_cpu, 2), "audit_peak_rss_mib": audit_rss,
                         "verify_s_median": round(verify_s, 3)}
    margin_manifest = json.loads((directory / "att-margin" / "manifest.json").read_text())
    return {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "command": " ".join(["python"] + sys.argv), "users": users, "assets": assets,
        "margin_accounts": owing, "margin_capacity": margin_manifest["margin"]["capacity"],
        "scenarios": scenarios, "workers": workers, **figures,
        "prove_ratio": round(figures["margin"]["prove_s"] / figures["spot"]["prove_s"], 3),
        "audit_ratio": round(figures["margin"]["audit_s"] / figures["spot"]["audit_s"], 3),
        "prove_cpu_ratio": round(figures["margin"]["prove_cpu_s"] / figures["spot"]["prove_cpu_s"], 3),
        "audit_cpu_ratio": round(figures["margin"]["audit_cpu_s"] / figures["spot"]["audit_cpu_s"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--dir", type=pathlib.Path, default=pathlib.Path("/tmp/zksolv-bench"))
    parser.add_argument("--out", type=pathlib.Path, default=HERE / "results-solvency.json")
    parser.add_argument("--dask", action="store_true", help="prove on a Dask LocalCluster of --workers")
    parser.add_argument("--assets", type=int, default=1, help="assets, each held by every customer")
    parser.add_argument("--margin-fraction", type=float, default=None,
                        help="a margin round: this fraction of customers owes one asset")
    parser.add_argument("--scenarios", type=int, default=2, help="stress scenarios of a margin round")
    parser.add_argument("--margin-capacity", type=int, default=None,
                        help="a margin round's --margin-capacity (default: prove's own default)")
    args = parser.parse_args()
    if args.margin_fraction:
        results = margin_run(args.users, args.workers, args.dir, args.assets, args.margin_fraction, args.scenarios,
                             args.margin_capacity)
        args.out = args.out.with_name("results-margin.json") if args.out.name == "results-solvency.json" else args.out
    elif args.dask:
        from distributed import LocalCluster

        with LocalCluster(n_workers=args.workers, threads_per_worker=1, host="127.0.0.1",
                          dashboard_address=None) as cluster:
            results = run(args.users, args.workers, args.dir, cluster.scheduler_address, args.assets)
    else:
        results = run(args.users, args.workers, args.dir, assets=args.assets)
    text = json.dumps(results, indent=1)
    args.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
