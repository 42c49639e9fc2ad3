"""The command line end to end: click's runner and real processes, exit codes of README."""

import base64
import json
import os
import stat
import subprocess
import sys

import pytest
from click.testing import CliRunner

from roundkit import inputs
from zksolv.cli import cli


def _run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "zksolv", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def proved(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    ledger, reserves = inputs(d, "cli-round", users=8)
    result = CliRunner().invoke(cli, ["prove", "--ledger", str(ledger), "--reserves", str(reserves),
                                      "--out", str(d / "att"), "--state", str(d / "state.db"),
                                      "--coverage", "105", "--workers", "1", "--json"])
    assert result.exit_code == 0, result.output
    return d, json.loads(result.output)


def test_prove_json(proved):
    d, out = proved
    assert out["result"] == "proved" and set(out["assets"]) == {"BTC", "ETH", "USDT"}
    assert stat.S_IMODE(os.stat(d / "state.db").st_mode) == 0o600


def test_verify_and_audit_as_real_processes(proved):
    d, _ = proved
    for command in ("verify", "audit"):
        result = _run(command, str(d / "att"), "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["result"] == "valid"
    text = _run("audit", str(d / "att"))
    assert "is VALID" in text.stdout and "range proofs valid" in text.stdout


def test_inclusion_round_trip(proved):
    d, _ = proved
    proof = d / "user-000001.json"
    result = _run("inclusion", "--state", str(d / "state.db"), "--user", "user-000001", "--out", str(proof))
    assert result.returncode == 0, result.stderr
    stdout = _run("inclusion", "--state", str(d / "state.db"), "--user", "user-000001", "--attestation", str(d / "att"))
    assert json.loads(stdout.stdout)["manifest"] == json.loads(proof.read_text())["manifest"]
    assert stat.S_IMODE(os.stat(proof).st_mode) == 0o600
    ok = _run("verify-inclusion", str(proof), "--attestation", str(d / "att"), "--user", "user-000001", "--json")
    assert ok.returncode == 0, ok.stderr
    balances = json.loads(ok.stdout)["balances"]
    asset, amount = next(iter(balances.items()))
    good = _run("verify-inclusion", str(proof), "--attestation", str(d / "att"), "--balance", f"{asset}={amount}")
    assert good.returncode == 0
    bad = _run("verify-inclusion", str(proof), "--attestation", str(d / "att"), "--balance", f"{asset}=123456")
    assert bad.returncode == 1 and "zksolv: error:" in bad.stderr
    other = _run("verify-inclusion", str(proof), "--attestation", str(d / "att"), "--user", "user-000002")
    assert other.returncode == 1


@pytest.mark.parametrize("args,code", [
    (["verify", "/nonexistent"], 3),
    (["verify-inclusion", "/nonexistent.json", "--attestation", "/nonexistent"], 3),
    (["prove", "--ledger", "x"], 2),
    (["demo", "--users", "0"], 2),
    (["nonsense"], 2),
    (["--backend", "x", "demo"], 2),
    (["verify-inclusion", "f.json", "--attestation", "d", "--balance", "BTC"], 2),
    (["prove", "--ledger", "l", "--reserves", "r", "--out", "o", "--state", "s", "--previous", "xyz"], 2),
    (["prove", "--ledger", "l", "--reserves", "r", "--out", "o", "--state", "s", "--timestamp", "now"], 2),
])
def test_exit_codes_without_tracebacks(args, code):
    result = _run(*args)
    assert result.returncode == code, (args, result.stderr)
    assert result.stderr.startswith("zksolv: error: ") and result.stderr.count("\n") == 1, result.stderr


def test_corrupt_proof_file_exit_3(proved, tmp_path):
    d, _ = proved
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = _run("verify-inclusion", str(bad), "--attestation", str(d / "att"))
    assert result.returncode == 3 and result.stderr.startswith("zksolv: error:")


def test_insolvent_prove_exits_1_and_writes_nothing(proved, tmp_path):
    d, _ = proved
    reserves = json.loads((d / "reserves.json").read_text())
    reserves["assets"]["BTC"]["wallets"] = reserves["assets"]["BTC"]["wallets"][1:]
    (tmp_path / "r.json").write_text(json.dumps(reserves))
    result = _run("prove", "--ledger", str(d / "ledger.csv"), "--reserves", str(tmp_path / "r.json"),
                  "--out", str(tmp_path / "att"), "--state", str(tmp_path / "s.db"), "--workers", "1")
    assert result.returncode == 1 and "refusing" in result.stderr
    assert not (tmp_path / "att").exists() and not (tmp_path / "s.db").exists()


def test_demo(tmp_path):
    result = CliRunner().invoke(cli, ["demo", "--users", "6", "--dir", str(tmp_path), "--workers", "1", "--json"])
    # six customers: customer 5 borrows (always possible: any holding covers a debt in another asset)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["tampered_attestation_rejected"] is True and summary["result"] == "valid"
    spot, margin = summary["customers"]["spot"], summary["customers"]["margin"]
    assert spot["balances"] and spot["collateralized"] is None
    assert any(v.startswith("-") for v in margin["balances"].values())     # a debt, shown as one
    assert margin["collateralized"] == ["base", "crash", "rally"] == summary["margin"]["scenarios"]
    _demo_custody_is_what_issue_12_asks(tmp_path, summary["reserves"]["exchange"])


def _demo_custody_is_what_issue_12_asks(directory, exchange):
    """A 2-of-3 P2WSH multisig, a taproot and a TRON wallet, pinned blocks, a signed
    manifest: checked by a separate verify process, and pinned to another signer it fails."""
    manifest = json.loads((directory / "attestation" / "manifest.json").read_text())
    wallets = [w for a in manifest["assets"].values() for w in a["wallets"]]
    addresses = [w["address"] for w in wallets]
    assert any(a.startswith("bc1q") and len(a) == 62 for a in addresses)       # P2WSH: a 32-byte program
    assert any(a.startswith("bc1p") for a in addresses)                         # taproot
    assert any(a.startswith("T") and len(a) == 34 for a in addresses)           # TRON
    witness_script = base64.b64decode(next(w["signature"] for w in wallets if len(w["address"]) == 62)[3:])
    assert witness_script[-1] == 0xAE and witness_script[-2] == 0x53            # … OP_3 OP_CHECKMULTISIG
    assert set(manifest["custody"]["chains"]) == {"bitcoin", "ethereum", "tron", "solana"}
    att, snap = str(directory / "attestation"), str(directory / "snapshot.csv")
    assert _run("verify", att, "--signer", exchange, "--snapshot", snap).returncode == 0
    other = "0x" + "11" * 20
    assert _run("verify", att, "--signer", other).returncode == 1


def test_quiet_prints_nothing(proved):
    d, _ = proved
    result = _run("verify", str(d / "att"), "--quiet")
    assert result.returncode == 0 and result.stdout == ""


def test_backends_json():
    result = _run("backends", "--json")
    data = json.loads(result.stdout)
    assert data["default"] == "native" and "py_ecc" in data["available"]


def test_a_margin_round_on_the_command_line(tmp_path):
    """prove --prices → exit 0 and a v2 summary; verify with the wrong prices → 1; a debt
    without --prices → 3; a refused round → 1 and nothing published."""
    from marginkit import ROWS, write_inputs

    ledger, reserves, market = write_inputs(tmp_path)
    base = ["prove", "--ledger", str(ledger), "--reserves", str(reserves), "--workers", "1", "--chunk", "4"]
    r = CliRunner().invoke(cli, base + ["--out", str(tmp_path / "att"), "--state", str(tmp_path / "s.db"),
                                        "--prices", str(market), "--coverage", "105", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["margin"]["scenarios"] == ["base", "crash"] and out["assets"]["BTC"]["coverage_percent"] == "105"
    mine = tmp_path / "mine.json"
    mine.write_text(market.read_text().replace("97000.00", "90000.00"))
    r = _run("verify", str(tmp_path / "att"), "--prices", str(mine))
    assert r.returncode == 1 and r.stderr.startswith("zksolv: error:") and "price differs" in r.stderr
    r = CliRunner().invoke(cli, ["verify", str(tmp_path / "att"), "--prices", str(market), "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["margin"]["firm_coverage_percent"] == "100"
    r = _run(*base, "--out", str(tmp_path / "b"), "--state", str(tmp_path / "b.db"))
    assert r.returncode == 3 and "debts need --prices" in r.stderr
    poor = tmp_path / "poor"
    ledger, reserves, market = write_inputs(poor, ROWS + [("dave", "USDT", "-5")])
    r = _run("prove", "--ledger", str(ledger), "--reserves", str(reserves), "--workers", "1",
             "--out", str(poor / "att"), "--state", str(poor / "s.db"), "--prices", str(market))
    assert r.returncode == 1 and "1 margin accounts are not collateralized" in r.stderr
    assert not (poor / "att").exists() and (poor / "s.db.refused.csv").exists()
