"""Helpers that build small rounds for the solvency tests (honest ones and malicious ones)."""

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from zksolv import demo
from zksolv.amounts import parse_amount
from zksolv.attestation import manifest as manifest_module, prove
from zksolv.cli import Reporter

QUIET = Reporter(False, True)
OPTIONS = prove.Options(coverage_percent="105", workers=1, chunk=4)


@dataclass
class Round:
    dir: Path
    ledger: Path
    reserves: Path
    out: Path
    state: Path
    manifest: manifest_module.Manifest


def inputs(directory: Path, attestation_id: str, users: int = 12) -> tuple[Path, Path]:
    """A synthetic ledger and reserves (110 %) signed by fresh keys."""
    directory.mkdir(parents=True, exist_ok=True)
    ledger, reserves = directory / "ledger.csv", directory / "reserves.json"
    totals = demo.write_ledger(ledger, users)
    demo.write_reserves(reserves, attestation_id, totals)
    return ledger, reserves


def reserves_for(ledger: Path, directory: Path, attestation_id: str) -> Path:
    """Reserves (110 %) for an existing ledger, under another attestation id."""
    totals = {a: 0 for a in demo.ASSETS}
    with open(ledger, newline="") as f:
        for row in csv.DictReader(f):
            totals[row["asset"]] += parse_amount(row["amount"], demo.ASSETS[row["asset"]][0])
    directory.mkdir(parents=True, exist_ok=True)
    reserves = directory / "reserves.json"
    demo.write_reserves(reserves, attestation_id, totals)
    return reserves


def prove_round(directory: Path, ledger: Path, reserves: Path, options=OPTIONS) -> Round:
    out, state = directory / "attestation", directory / "state.db"
    m = prove.run(ledger, reserves, out, state, options, QUIET)
    return Round(directory, ledger, reserves, out, state, m)


def edit_json(path: Path, change) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc, indent=1))


def negative_leaf_round(directory: Path, monkeypatch, bad_value: int) -> Round:
    """A cheating prover's round: one BTC padding leaf commits to `bad_value` (e.g. n − 10^8,
    i.e. −1 BTC), every range check skipped; only the leaf range proofs can catch it."""
    from zksolv.attestation import build as build_module
    from zksolv.commitments import generators
    from zksolv.group import N
    from zksolv.rangeproof import prover as rp_prover
    from zksolv.rangeproof.scalars import random_scalar

    ledger, reserves = inputs(directory, "attack-negative")
    real_opening = build_module._opening

    def opening(master, asset, balances, slot):   # padding leaf 0 is slot len(balances)
        units, blinding = real_opening(master, asset, balances, slot)
        return (bad_value if asset == "BTC" and slot == len(balances) else units), blinding

    def unchecked_prove(transcript, values, blindings, n, backend=None, rng=random_scalar, commitments=None):
        return rp_prover._prove(transcript, values, blindings, n, generators(backend), rng, commitments)

    monkeypatch.setattr(build_module, "_opening", opening)
    monkeypatch.setattr(build_module.AssetLeaves, "total", property(lambda s: sum(s.values()) % N))
    monkeypatch.setattr(prove, "_check_solvent", lambda *a: None)
    monkeypatch.setattr(prove.rangeproof, "prove", unchecked_prove)
    try:
        return prove_round(directory, ledger, reserves, prove.Options(workers=1, chunk=4, capacity=16))
    finally:
        monkeypatch.undo()


def shared_leaf_round(directory: Path, monkeypatch, options) -> Round:
    """A cheating prover's round: user-000003 gets user-000000's BTC leaf (same H_id, same
    commitment to 1 unit; both always hold BTC), each copy range-proven at its own position;
    the solvency check skipped. Only the auditor's duplicate-leaf check can catch it."""
    from zksolv.attestation import build as build_module

    ledger, reserves = inputs(directory, "attack-duplicate")
    real_order, real_opening, shared = build_module.order_entry, build_module._opening, ("user-000000", "user-000003")

    def order_entry(master, asset, user_id, index):
        return real_order(master, asset, "user-000000" if user_id in shared else user_id, index)

    def opening(master, asset, balances, slot):
        if slot < len(balances) and balances[slot][0] in shared:
            return 1, build_module.blinding_of(master, asset, "user-000000", 0)
        return real_opening(master, asset, balances, slot)

    monkeypatch.setattr(build_module, "order_entry", order_entry)
    monkeypatch.setattr(build_module, "_opening", opening)
    monkeypatch.setattr(prove, "_check_solvent", lambda *a: None)
    r = prove_round(directory, ledger, reserves, options)
    monkeypatch.undo()
    return r
