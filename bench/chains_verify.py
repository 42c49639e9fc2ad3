"""Cost of checking proofs of control of N wallets of mixed kinds (SPEC.md §6.4.2; issue 12's
target: 1,000 wallets in ≤ 2 s). Wallets are signed beforehand; only verify() is timed, each
through the chain registry as a reserves file would be checked.

    python bench/chains_verify.py [--wallets 1000] [--reps 5]
"""

import argparse
import statistics
import time

from zksolv.reserves import chains, sign_evm, sign_solana, sign_tron

EXCHANGE = "0x8ba1f109551bd432803012645ac136ddd64dba72"
KINDS = [  # (chain, signer module, form)
    ("ethereum", sign_evm, None), ("bsc", sign_evm, None), ("tron", sign_tron, "v2"),
    ("tron", sign_tron, "v1"), ("solana", sign_solana, "cli"), ("solana", sign_solana, "raw"),
]


def wallets(count: int) -> list:
    out = []
    for i in range(count):
        chain, module, form = KINDS[i % len(KINDS)]
        key = module.new_key()
        address = module.address(key)
        message = f"zksolv:reserves:v2:{EXCHANGE}:bench-{i}:{chain}:{address}".encode()
        extra = {"form": form} if form else {}
        out.append((chains.known(chain).module, address, message, module.sign(key, message, **extra)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wallets", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    batch = wallets(args.wallets)
    times = []
    for _ in range(args.reps):
        start = time.perf_counter()
        for module, address, message, signature in batch:
            module.verify(address, message, signature)
        times.append(time.perf_counter() - start)
    print(f"{args.wallets} wallets ({len(KINDS)} kinds in turn): median {statistics.median(times):.3f} s, "
          f"min {min(times):.3f} s over {args.reps} runs")


if __name__ == "__main__":
    main()
