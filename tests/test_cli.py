"""The command line: demo round trip, --json, exit codes (README "Exit codes")."""

import json
import subprocess
import sys

from click.testing import CliRunner

from zksolv.cli import cli


def _run(*args):
    return subprocess.run([sys.executable, "-m", "zksolv", *args], capture_output=True, text=True)


def test_demo_json_round_trip():
    result = CliRunner().invoke(cli, ["demo", "--users", "3", "--bits", "8", "--chunk", "2", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["users"] == 3 and summary["proofs"] == 2 and summary["m"] == 2
    assert summary["tamper_rejected"] is True and summary["result"] == "valid"


def test_demo_as_a_real_process_on_the_reference_backend():
    result = _run("--backend", "py_ecc", "demo", "--users", "2", "--bits", "8", "--chunk", "2")
    assert result.returncode == 0, result.stderr
    assert "tampered proof rejected: yes" in result.stdout


def test_quiet_prints_nothing():
    result = _run("demo", "--users", "1", "--bits", "8", "--quiet")
    assert result.returncode == 0 and result.stdout == ""


def test_usage_errors_exit_2_without_traceback():
    for args in (["demo", "--users", "0"], ["demo", "--bits", "12"], ["nonsense"], ["--backend", "x", "demo"]):
        result = _run(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_backends_json():
    result = _run("backends", "--json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["default"] == "coincurve" and "py_ecc" in data["available"]
