"""`audit --scheduler` reading the audit files in place vs streaming them through the
auditor (issue 14 item 4): the auditor process's peak RSS, its CPU, the bytes it receives
from Dask, the workers' CPU and the wall time, on a real cluster (`dask scheduler` + two
`dask worker`, started as tests/clusterkit.py starts them, on loopback).

    python bench/audit_inplace.py ATTESTATION [--assets 1 5] [--out FILE]

For each count K in --assets, the first K assets of the attestation are audited
(`verify._audit_asset`, each file hashed, every leaf, node and range proof checked; the
statements are not re-verified: they cost the same whatever the leaves) in a child process,
once streamed ("old": `inplace.workers_see` answers no, so the auditor reads every leaf and
proof, ships them to the units and keeps a set of every leaf hash) and once in place
("new"), interleaved. RSS and CPU are the child's own (os.wait4); the bytes it received are
counted in it (Dask's TCP reads), and those it sent (its TCP writes); the workers' CPU is
read from them before and after.

    python bench/audit_inplace.py --margin MARGIN_ATTESTATION [MORE …] [--out FILE]

With --margin, each attestation (a margin round) has its `margin.audit` audited alone
(`verify2._audit_margin_file`), streamed ("old": every leaf through the auditor to the
units, its set of every leaf hash) and in place ("new": margininplace.py), interleaved;
two attestations of different margin capacities give the growth per leaf.
"""

import argparse
import json
import os
import pathlib
import platform
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
import clusterkit  # noqa: E402  (the tests' launcher of a real cluster)
from clusterkit import real_cluster  # noqa: E402
from coordinator_memory import _workers_cpu  # noqa: E402  (a sibling script)


def child(directory: str, address: str, mode: str, assets: int) -> None:
    """Audit the first `assets` assets of `directory` on the cluster; print what it took."""
    from test_coordinator_memory import bytes_received
    from zksolv.attestation import inplace, manifest as manifest_module, verify

    if mode == "old":
        inplace.workers_see = lambda client, source: False
    sent = _count_sent()
    m = manifest_module.read(pathlib.Path(directory) / manifest_module.FILE)
    leaves = 0
    start = time.monotonic()
    with verify.engine_for(2, address) as (executor, client), bytes_received() as counted:
        for asset, entry in list(m.assets.items())[:assets]:
            leaves += verify._audit_asset(directory, m, asset, entry, executor, 2, None, client)[0]
    print(json.dumps({"leaves": leaves, "received_bytes": counted[0], "sent_bytes": sent[0],
                      "wall_s": time.monotonic() - start}))


_COUNTING = []


def _count_sent() -> list:
    """A one-element list: the bytes this process writes to Dask comms from now on."""
    from test_audit_inplace_margin import bytes_sent

    counting = bytes_sent()
    _COUNTING.append(counting)   # kept: a collected generator would undo the count
    return counting.__enter__()


def child_margin(directory: str, address: str, mode: str) -> None:
    """Audit the margin round's margin.audit alone on the cluster; print what it took."""
    from test_coordinator_memory import bytes_received
    from zksolv.attestation import inplace, verify, verify2

    if mode == "old":
        inplace.workers_see = lambda client, source: False
    sent = _count_sent()
    c = verify2.load(pathlib.Path(directory))
    start = time.monotonic()
    with verify.engine_for(2, address) as (executor, client), bytes_received() as counted:
        leaves = verify2._audit_margin_file(directory, directory, c, executor, 2, client, None)[0]
    print(json.dumps({"leaves": leaves, "received_bytes": counted[0], "sent_bytes": sent[0],
                      "wall_s": time.monotonic() - start}))


def measure(directory: str, address: str, mode: str, assets: int) -> dict:
    """One audit in a child process (assets = 0: margin.audit alone)."""
    workers_before = _workers_cpu(address)
    proc = subprocess.Popen([sys.executable, __file__, "--child", directory, address, mode, str(assets)],
                            stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"the {mode} audit failed ({status})")
    result = json.loads(out)
    result.update(attestation=directory, mode=mode, assets=assets, peak_rss_mib=round(usage.ru_maxrss / 1024, 1),
                  auditor_cpu_s=round(usage.ru_utime + usage.ru_stime, 2),
                  workers_cpu_s=round(_workers_cpu(address) - workers_before, 2),
                  wall_s=round(result["wall_s"], 2))
    result["received_bytes_per_leaf"] = round(result["received_bytes"] / result["leaves"], 2)
    print(json.dumps(result), flush=True)
    return result


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        if sys.argv[5] == "0":
            child_margin(sys.argv[2], sys.argv[3], sys.argv[4])
        else:
            child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("attestation", nargs="+")
    parser.add_argument("--assets", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--margin", action="store_true", help="audit each attestation's margin.audit alone")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    clusterkit.STARTUP_SECONDS = 600   # a loaded machine starts workers slowly; a bench may wait
    runs = []
    plan = ([(a, 0) for a in args.attestation] if args.margin
            else [(a, k) for a in args.attestation for k in args.assets])
    with tempfile.TemporaryDirectory() as tmp, real_cluster(pathlib.Path(tmp) / "cluster") as cluster:
        for attestation, assets in plan:
            for mode in ("old", "new"):
                runs.append(measure(str(pathlib.Path(attestation).absolute()), cluster.address, mode, assets))
    report = {"machine": platform.platform(), "cpus": os.cpu_count(), "load_before": os.getloadavg(), "runs": runs}
    if args.out:
        pathlib.Path(args.out).write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
