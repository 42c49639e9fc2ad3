"""CPU time of one audit work unit, spot and margin, under several code trees, interleaved.

    python bench/audit_units.py --reps 5 OLD_TREE NEW_TREE … \\
        --spot /tmp/zb5m/att-spot --margin /tmp/zb5m/att-margin

A spot unit is what `audit` hands a worker: 64 chunk proofs of an asset (4,096 leaves at
chunk 64), the first of BTC0; a margin unit one chunk of margin.audit (64 leaves). Each tree
(a checkout with its kernel built in place) runs in its own process with PYTHONPATH at it;
trees alternate rep by rep. Units are timed by `time.process_time` (CPU of that process),
after one warm-up call (generators). Before the work-unit change of the audit (a tree whose
verify.py has no `Pending`), a spot unit did not decode leaves nor build their subtree: the
auditor's process did, and that share is measured separately there as `coordinator_s`
(per unit: one asset's tree rebuild ÷ its 32 units; for margin, the per-chunk share).
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys

SNIPPET = r'''
import itertools, json, sys, time
from concurrent.futures import Executor, Future
from pathlib import Path
from zksolv.attestation import auditfile, marginfile, verify, verify2, manifest as mm

spot_dir, margin_dir = Path(sys.argv[1]), Path(sys.argv[2])
new = hasattr(verify, "Pending")
m = mm.read(spot_dir / "manifest.json")
entry = m.assets["BTC0"]
path = spot_dir / entry.audit_file
with open(path, "rb") as f1, open(path, "rb") as f2:
    r = auditfile.Reader(f1, str(path)); pr = auditfile.Reader(f2, str(path)); pr.seek_proofs()
    batch = next(r.leaves(r.header.chunk * 64)); proofs = [next(pr.proofs()) for _ in range(64)]
commitments = b"".join(c for c, _ in batch)
tail = ([h for _, h in batch],) if new else ()
spot_job = (m.attestation_id, m.circuits_hash, "BTC0", r.header.leaf_bits, r.header.chunk, 0, commitments,
            *tail, proofs, None)
c = verify2.load(margin_dir)
with open(margin_dir / marginfile.FILE, "rb") as f:
    data = next(marginfile.Reader(f, "margin.audit", c.layout).chunks())
margin_job = (c.manifest.attestation_id, c.manifest.circuits_hash, c.binding, c.layout, 0, data)

def cpu(fn, job):
    t = time.process_time(); fn(job); return time.process_time() - t

class Null(Executor):
    def submit(self, fn, *a, **k):
        f = Future(); f.set_result(None); return f

out = {"spot_s": None, "margin_s": None, "coordinator_spot_s": 0.0, "coordinator_margin_s": 0.0}
cpu(verify.verify_chunks, spot_job); cpu(verify2.verify_leaves, margin_job)
out["spot_s"] = cpu(verify.verify_chunks, spot_job)
out["margin_s"] = cpu(verify2.verify_leaves, margin_job)
if not new:
    t = time.process_time()
    verify._audit_asset(spot_dir, m, "BTC0", entry, Null(), 2, None)
    out["coordinator_spot_s"] = (time.process_time() - t) / (entry.capacity // (64 * entry.chunk))
    t = time.process_time()
    verify2._audit_margin(margin_dir, c, Null(), 2)
    out["coordinator_margin_s"] = (time.process_time() - t) / (c.manifest.margin.capacity // c.manifest.margin.chunk)
print(json.dumps(out))
'''


def one(tree: pathlib.Path, spot: str, margin: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree))
    result = subprocess.run([sys.executable, "-c", SNIPPET, spot, margin], env=env, cwd=tree,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", type=pathlib.Path)
    parser.add_argument("--spot", required=True)
    parser.add_argument("--margin", required=True)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--out", type=pathlib.Path)
    args = parser.parse_args()
    runs = {str(t): [] for t in args.trees}
    for r in range(args.reps):
        for t in args.trees if r % 2 == 0 else reversed(args.trees):
            runs[str(t)].append(one(t.resolve(), args.spot, args.margin))
            print(t, runs[str(t)][-1], flush=True)
    med = {t: {k: round(statistics.median(x[k] for x in rs), 4) for k in rs[0]} for t, rs in runs.items()}
    result = {"command": " ".join([pathlib.Path(sys.argv[0]).name, *sys.argv[1:]]), "median": med, "runs": runs}
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
