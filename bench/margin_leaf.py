"""Cost of one margin leaf (issue 11): prove and verify for 5 assets × 3 haircut tiers ×
(base + 2 stress scenarios), one asset with 128-bit leaves, against spot leaves.

    python bench/margin_leaf.py              # writes bench/results-margin-leaf.json
    python bench/margin_leaf.py --reps 3     # a quick run

Both layouts are timed: this module's (fewest limbs per bounded tier and per value claim)
and MARGIN.md §7 as written (every piece, room and debt at leaf_bits, every value at 192
bits). "Spot" is one 64-bit leaf proven inside an aggregated m = 64 chunk, as a round does;
an account with five assets has five spot leaves. Medians of `reps`, fresh transcripts,
generators derived beforehand, one process (the machine has 2 cores; leaves are
independent work units, so a round parallelizes them like spot chunks).
"""

import argparse
import dataclasses
import json
import os
import pathlib
import platform
import statistics
import sys
import time

from zksolv.accounts import keys, layout, leaf, widerange
from zksolv.commitments import generators
from zksolv.group import default_backend
from zksolv.group.curve import POINT_BYTES
from zksolv.hashing import HASH_BYTES
from zksolv.market import AssetTerms, Scenario, coefficients
from zksolv.rangeproof import Statement, batch_verify, prove
from zksolv.rangeproof.scalars import random_scalar
from zksolv.transcript import Transcript

HERE = pathlib.Path(__file__).resolve().parent
DECIMALS = {"BTC": 8, "ETH": 18, "SOL": 9, "USDT": 6, "XRP": 6}
PRICES = {"BTC": 97_000_00, "ETH": 3_500_00, "SOL": 150_00, "USDT": 1_00, "XRP": 2_50}
LEAF_BITS = {"BTC": 64, "ETH": 128, "SOL": 64, "USDT": 64, "XRP": 64}
UNITS = {"BTC": 3 * 10**8, "ETH": -5 * 10**18, "SOL": 40 * 10**9, "USDT": 20_000 * 10**6, "XRP": 0}


def market():
    """Tiers as in the issue's example: up to 10 whole units at 95 %, the next 90 at 80 %,
    the rest at 50 %; scenarios "crash" and "squeeze"."""
    terms = {a: AssetTerms(PRICES[a], ((10 * 10**d, 9500), (100 * 10**d, 8000), (None, 5000)))
             for a, d in DECIMALS.items()}
    scenarios = (Scenario("crash", {"BTC": 6000, "ETH": 5000, "SOL": 4000, "XRP": 5000}),
                 Scenario("squeeze", {"BTC": 13000, "ETH": 14000}))
    return coefficients(terms, DECIMALS, 11_000, scenarios)


def as_written(lay: layout.Layout) -> layout.Layout:
    """MARGIN.md §7 literally: pieces, rooms and debts at leaf_bits, values at 192 bits."""
    bits = dict(zip(lay.assets, lay.leaf_bits))
    claims = tuple(dataclasses.replace(c, limbs=3 if c.name.startswith("value/")
                                       else bits[c.name.split("/")[1]] // 64) for c in lay.claims)
    return dataclasses.replace(lay, claims=claims)


def context(index: int):
    def make() -> Transcript:
        t = Transcript(b"zksolv/bench/margin")
        t.append_u64(b"index", index)
        return t
    return make


def interleaved(tasks: dict, reps: int) -> dict:
    """Run every task once per round, `reps` rounds, so load from other processes on the
    machine falls on all of them alike; (min, median) ms of each."""
    times = {name: [] for name in tasks}
    for _ in range(reps):
        for name, fn in tasks.items():
            t0 = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t0) * 1e3)
    return {name: (min(ts), statistics.median(ts)) for name, ts in times.items()}


def margin_tasks(name: str, lay: layout.Layout, batch: int) -> tuple[dict, dict]:
    """Prove one leaf, verify one leaf, audit `batch` leaves (decode + one batch); sizes."""
    key, id_hash = keys.customer(bytes(32), "bench-user")
    proven = leaf.prove_leaf(lay, key, id_hash, UNITS, context(0))
    data = [leaf.prove_leaf(lay, key, id_hash, UNITS, context(i)).to_bytes() for i in range(batch)]

    def audit():
        statements = []
        for i, raw in enumerate(data):
            statements += leaf.statements(lay, leaf.MarginLeaf.from_bytes(raw, lay), context(i))
        batch_verify(statements)
    tasks = {f"{name}/prove": lambda: leaf.prove_leaf(lay, key, id_hash, UNITS, context(0)),
             f"{name}/verify": lambda: leaf.verify_leaf(lay, proven, context(0)),
             f"{name}/audit_{batch}": audit}
    sizes = {"limb_values": lay.limb_values, "parts": widerange.part_sizes(lay.limb_values),
             "leaf_bytes": leaf.size(lay), "published_limb_commitments": lay.published_limbs}
    return tasks, sizes


def proof_tasks(name: str, m: int, proofs: int = 1) -> tuple[dict, int]:
    """Prove one m-value 64-bit proof; batch-verify `proofs` of them; its size."""
    vals = [random_scalar() % (1 << 64) for _ in range(m)]
    blinds = [random_scalar() for _ in vals]
    made = [prove(context(i)(), vals, blinds, 64) for i in range(proofs)]
    tasks = {f"{name}/prove": lambda: prove(context(0)(), vals, blinds, 64),
             f"{name}/audit_{proofs}": lambda: batch_verify(
                 [Statement(context(i)(), p, V, 64) for i, (p, V) in enumerate(made)])}
    return tasks, len(made[0][0].to_bytes())


def summarize(lay, batch: int, timings: dict, sizes: dict, spot_bytes: int, alt_bytes: dict) -> dict:
    """Per-leaf figures (ms as [min, median]) from the raw timings."""
    per = lambda key, div=1: [round(t / div, 2) for t in timings[key]]
    out = {}
    for name in ("margin", "margin_md_as_written"):
        out[name] = {**sizes[name], "prove_ms": per(f"{name}/prove"), "verify_ms": per(f"{name}/verify"),
                     "audit_ms_per_leaf": per(f"{name}/audit_{batch}", batch)}
    out["spot_leaf"] = {"prove_ms": per("spot/prove", 64), "audit_ms": per("spot/audit_4", 256),
                        "bytes": POINT_BYTES + HASH_BYTES + round(spot_bytes / 64, 1)}
    v = lay.limb_values
    padded = 1 << (v - 1).bit_length()
    out["alternatives"] = {
        f"one_padded_proof_m{padded}": {"prove_ms": per("padded/prove"), "verify_ms": per("padded/audit_1"),
                                        "proof_bytes": alt_bytes["padded"]},
        "chunks_of_m256_across_leaves": {"prove_ms": per("chunk/prove", 256 / v),
                                         "verify_ms": per("chunk/audit_1", 256 / v),
                                         "proof_bytes": round(alt_bytes["chunk"] * v / 256)}}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--batch", type=int, default=16, help="leaves per audit batch")
    parser.add_argument("--out", type=pathlib.Path, default=HERE / "results-margin-leaf.json")
    args = parser.parse_args()
    generators().vectors(64 * 256)
    lay = layout.build(market(), LEAF_BITS)
    tasks, sizes, alt_bytes = {}, {}, {}
    for name, shape in (("margin", lay), ("margin_md_as_written", as_written(lay))):
        more, sizes[name] = margin_tasks(name, shape, args.batch)
        tasks.update(more)
    more, spot_bytes = proof_tasks("spot", 64, 4)
    tasks.update(more)
    for name, m in (("padded", 1 << (lay.limb_values - 1).bit_length()), ("chunk", 256)):
        more, alt_bytes[name] = proof_tasks(name, m)
        tasks.update(more)
    timings = interleaved(tasks, args.reps)
    assets = len(lay.assets)
    results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                           "platform": platform.platform(), "backend": default_backend().name},
               "command": " ".join(["python"] + sys.argv),
               **summarize(lay, args.batch, timings, sizes, spot_bytes, alt_bytes),
               "path_bytes_per_level": 2 * assets * POINT_BYTES + HASH_BYTES,
               "spot_path_bytes_per_level_all_assets": assets * (POINT_BYTES + HASH_BYTES)}
    text = json.dumps(results, indent=1)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(text + "\n")
    tmp.replace(args.out)
    print(text)


if __name__ == "__main__":
    main()
