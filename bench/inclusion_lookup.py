"""Inclusion-proof generation from the state store at a given tree size, without proving.

    python bench/inclusion_lookup.py --capacity 1048576

Writes a complete state with synthetic tree levels (random node bytes: lookups do not
depend on their values) and `capacity` customers, then times building inclusion proofs for
random customers. Measures what issue 4's "≤ 20 ms per customer" target is about.
"""

import argparse
import json
import os
import pathlib
import secrets
import statistics
import tempfile
import time
from types import SimpleNamespace

from zksolv import state
from zksolv.tree import Level


def synthetic_levels(capacity: int) -> list[Level]:
    levels, size = [], capacity
    while size >= 1:
        levels.append(Level(os.urandom(33 * size), os.urandom(32 * size)))
        size //= 2
    return levels


def run(capacity: int, samples: int) -> dict:
    directory = pathlib.Path(tempfile.mkdtemp(prefix="zksolv-lookup-"))
    path = directory / "state.db"
    leaves = SimpleNamespace(asset="BTC", levels=synthetic_levels(capacity),
                             holdings=lambda: ((f"customer-{i:08d}", i, 1) for i in range(capacity)))
    t0 = time.perf_counter()
    store = state.RoundStore.open(path, "bench", {"attestation_id": "bench", "master_secret": b"k" * 32,
                                                  "timestamp": "t"})
    store.finish({"manifest_digest": "d", "manifest_json": b"{}"}, [leaves])
    store.close()
    write_s = time.perf_counter() - t0
    st = state.State(path)
    times = []
    for _ in range(samples):
        user = f"customer-{secrets.randbelow(capacity):08d}"
        t0 = time.perf_counter()
        (asset, position, _), = st.holdings(user)
        st.path(asset, position)
        times.append((time.perf_counter() - t0) * 1e3)
    st.close()
    return {"capacity": capacity, "state_bytes": path.stat().st_size, "state_write_s": round(write_s, 1),
            "lookup_ms_median": round(statistics.median(times), 3), "lookup_ms_max": round(max(times), 3),
            "samples": samples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--capacity", type=int, default=1 << 20)
    parser.add_argument("--samples", type=int, default=500)
    args = parser.parse_args()
    print(json.dumps(run(args.capacity, args.samples), indent=1))


if __name__ == "__main__":
    main()
