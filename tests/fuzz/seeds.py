"""Seed corpora of the fuzz targets, taken from vectors/ (and the frozen regression vectors),
and the findings kept as regression cases (tests/fuzz/findings/TARGET/)."""

import functools
import json
import pathlib
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
V1 = ROOT / "vectors" / "regression" / "v1"
FINDINGS = pathlib.Path(__file__).resolve().parent / "findings"

_FILES = {
    "ledger": [V1 / "inputs" / "ledger.csv"],
    "reserves": [V1 / "inputs" / "reserves.json"],
    "snapshot": [V1 / "inputs" / "snapshot.csv"],
    "circuits": [ROOT / "circuits" / "solvency-v1.json"],
    "manifest": [V1 / "attestation" / "manifest.json"],
    "audit_file": sorted((V1 / "attestation").glob("*.audit")),
    "inclusion_proof": sorted((V1 / "inclusion").glob("*.json")),
    "market": [ROOT / "zksolv" / "market" / "example-prices.json"],
}


def seeds(target: str) -> dict[str, bytes]:
    """name → bytes: the target's seed inputs, then its kept findings."""
    found = {p.name: p.read_bytes() for p in _FILES.get(target, [])}
    if target in ("ledger", "snapshot"):  # short seeds too: a mutation of a short file reaches further
        for path in _FILES[target]:
            lines = path.read_bytes().splitlines(keepends=True)
            found.update({f"{path.stem}-{k}{path.suffix}": lines[0] + lines[k] for k in range(1, len(lines))})
    if target == "range_proof":
        found.update(_range_proofs())
    if target == "state":
        found["state.db"] = _state_seed()
    found.update(_issue12(target))
    found.update(findings(target))
    return found


def _issue12(target: str) -> dict[str, bytes]:
    """Seeds of the inputs issue 12 added (seeds_v2.py)."""
    import seeds_v2

    if target == "reserves_v2":
        return seeds_v2.reserves_v2()
    if target == "snapshot_pinned":
        from zksolv.reserves import file

        return seeds_v2.pinned_snapshot(file.parse(seeds_v2.reserves_document("all"), "seed"))
    if target == "control_bitcoin":
        return seeds_v2.control_seeds(("bitcoin",))
    if target == "control_chains":
        return seeds_v2.control_seeds(("tron", "solana", "evm"))
    generated = {"exchange_signature": seeds_v2.exchange_signatures, "exchange_key": seeds_v2.exchange_keys,
                 "manifest": seeds_v2.manifest_with_custody}
    return generated[target]() if target in generated else {}


def findings(target: str) -> dict[str, bytes]:
    folder = FINDINGS / target
    return {f"finding-{p.name}": p.read_bytes() for p in sorted(folder.glob("*"))} if folder.is_dir() else {}


def _range_proofs() -> dict[str, bytes]:
    doc = json.loads((ROOT / "vectors" / "rangeproof.json").read_text())
    return {f"rangeproof-{t['tc_id']}": bytes.fromhex(t["proof"]) for t in doc["tests"][:6]}


@functools.cache
def _state_seed() -> bytes:
    """A real prover state of a tiny synthetic round, made here (states are never committed:
    they hold a master secret)."""
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from roundkit import QUIET, inputs
    from zksolv.attestation import prove

    with tempfile.TemporaryDirectory(prefix="zksolv-fuzz-state-") as folder:
        d = pathlib.Path(folder)
        led, res = inputs(d, "fuzz-state", users=3)
        prove.run(led, res, d / "att", d / "state.db", prove.Options(workers=1, chunk=4, capacity=4), QUIET)
        return (d / "state.db").read_bytes()
