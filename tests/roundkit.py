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
