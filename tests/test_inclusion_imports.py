"""A customer's `verify-inclusion` imports only what it needs (issue 13 item 6): the whole
process should take ≤ 100 ms, nearly all of it imports, so the prover's machinery must stay
out of it. Checked by the modules loaded (never by timing: figures are in bench/RESULTS.md)."""

import json
import subprocess
import sys

import pytest

# Each was once on this path, or would be if a lazy import were made eager again.
HEAVY = ("Crypto", "cffi", "pycparser", "py_ecc", "sqlite3", "zksolv.state", "zksolv.attestation.prove",
         "zksolv.rangeproof.prover", "zksolv.market.reference", "zksolv.market.refusals", "shutil", "tempfile",
         "dask", "distributed")

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


_AS_SCRIPT = """
import atexit, sys
atexit.register(lambda: print("interpreter teardown", file=sys.stderr))
from zksolv.cli import main
main()
"""


def _as_script(*args) -> subprocess.CompletedProcess:
    """The command as the console script runs it (`main()`, argv from sys.argv), output piped."""
    return subprocess.run([sys.executable, "-c", _AS_SCRIPT, *map(str, args)], capture_output=True, text=True)


def test_the_customers_check_ends_without_teardown_and_loses_no_output(demo):
    done = _as_script("verify-inclusion", demo / "customer-margin.json", "--attestation", demo / "attestation",
                      "--json")
    assert done.returncode == 0 and done.stderr == ""  # no teardown: atexit never ran
    assert json.loads(done.stdout)["result"] == "valid"  # the whole JSON, flushed before the end
    refused = _as_script("verify-inclusion", demo / "customer-margin.json", "--attestation", demo / "attestation",
                         "--user", "someone-else")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith("zksolv: error: ") and refused.stderr.count("\n") == 1


def test_other_commands_end_as_usual(demo):
    done = _as_script("verify", demo / "attestation", "-q")
    assert done.returncode == 0 and done.stderr == "interpreter teardown\n"
