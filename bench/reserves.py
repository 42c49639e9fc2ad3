"""Cost of checking a reserves file's proofs of control (SPEC.md §6.1, §6.4; issue 12's
target: 1,000 wallets of mixed kinds in ≤ 2 s): a version-2 reserves document of N wallets
of every kind zksolv checks, in turn — Bitcoin P2WPKH, P2SH-P2WPKH, P2TR, 2-of-3 P2WSH and
P2SH-P2WSH multisig (BIP-322), P2PKH (signmessage), Ethereum and BSC (EIP-191), TRON
(signMessageV2), Solana (off-chain message) — signed beforehand. Timed: parsing the document
(every address decoded) and `verify_control` (every signature), as verify and audit do; and
per kind, verify alone.

    python bench/reserves.py [--wallets 1000] [--reps 5] [--out bench/results-reserves.json]
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

from zksolv.reserves import file, synthetic

EXCHANGE = "0x8ba1f109551bd432803012645ac136ddd64dba72"
ATTESTATION = "bench-reserves"


def document(count: int) -> dict:
    """A reserves v2 document of `count` wallets, kinds in turn, one asset per wallet kind."""
    assets: dict[str, dict] = {}
    for i in range(count):
        kind = synthetic.KINDS[i % len(synthetic.KINDS)]
        wallet = synthetic.Signer(kind).wallet(EXCHANGE, ATTESTATION, "1.5")
        name = kind.replace("/", "-")[:32]
        assets.setdefault(name, {"decimals": 8, "wallets": []})["wallets"].append(wallet)
    chains = {c: synthetic.block(c, 1000) for c in {k.partition("/")[0] for k in synthetic.KINDS}}
    return {"version": 2, "attestation_id": ATTESTATION, "exchange": EXCHANGE, "chains": chains, "assets": assets}


def timed(fn, reps: int) -> list[float]:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def per_kind(doc: dict, reps: int) -> dict[str, float]:
    """Microseconds a wallet, verify alone, per kind (median of `reps` passes)."""
    res = file.parse(doc, "bench")
    out = {}
    for asset in res.assets.values():
        wallets = asset.wallets
        check = lambda: [res.chains[w.chain].chain.module.verify(w.address, file.message_for(res, w), w.signature)  # noqa: E731
                         for w in wallets]
        out[asset.asset] = round(statistics.median(timed(check, reps)) / len(wallets) * 1e6, 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wallets", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    doc = document(args.wallets)
    parse = timed(lambda: file.parse(doc, "bench"), args.reps)
    whole = timed(lambda: file.verify_control(file.parse(doc, "bench")), args.reps)
    result = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
              "command": "python " + " ".join(sys.argv), "wallets": args.wallets, "kinds": len(synthetic.KINDS),
              "parse_s_median": round(statistics.median(parse), 4),
              "parse_and_verify_s_median": round(statistics.median(whole), 4),
              "parse_and_verify_s_min": round(min(whole), 4), "reps": args.reps,
              "verify_us_per_wallet_by_kind": per_kind(doc, args.reps)}
    print(json.dumps(result, indent=1))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
