"""A customer's `verify-inclusion` imports only what it needs (issue 13 item 6): the whole
process should take ≤ 100 ms, nearly all of it imports, so the prover's machinery must stay
out of it. Checked by the modules loaded (never by timing: figures are in bench/RESULTS.md)."""

import json
import subprocess
import sys

import pytest

# Each was once on this path, or would be if a lazy import were made eager again.
HEAVY = ("Crypto", "cffi", "pycparser", "py_ecc", "sqlite3", "zksolv.state", "zksolv.attestation.prove",
         "zksolv.market.reference", "zksolv.market.refusals", "dask", "distributed")

_PROBE = """
import json, sys
from zksolv.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exit_:
    code = exit_.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A signed margin round (`zksolv demo`): a spot and a margin customer's proofs."""
    directory = tmp_path_factory.mktemp("imports") / "round"
    subprocess.run([sys.executable, "-m", "zksolv", "demo", "--users", "8", "--workers", "1", "--dir",
                    str(directory), "-q"], check=True)
    return directory


def loaded(*args) -> tuple[int, set[str]]:
    out = subprocess.run([sys.executable, "-c", _PROBE, *map(str, args)], check=True, capture_output=True,
                         text=True).stdout
    result = json.loads(out.splitlines()[-1])
    return result["code"], set(result["modules"])


@pytest.mark.parametrize("proof", ["customer-spot.json", "customer-margin.json"])
def test_verify_inclusion_imports_nothing_heavy(demo, proof):
    code, modules = loaded("verify-inclusion", demo / proof, "--attestation", demo / "attestation", "-q")
    assert code == 0  # the check ran to its end: the exchange's signature and the proof verified
    assert "zksolv.attestation.exchange" in modules  # the signature was checked (keccak included)
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY)
    assert heavy == []
