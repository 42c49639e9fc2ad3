"""Peak RSS of building one asset's leaves and tree: python bench/build_memory.py CAPACITY."""
import sys, resource
from zksolv.attestation import build
cap = int(sys.argv[1])
rows = [(f"customer-{i:08d}", i) for i in range(cap * 3 // 4)]
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
leaves = build.build(b"k" * 32, "BTC", rows, cap, 64, 64)
print(cap, "peak RSS MiB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "(ledger rows included)")
