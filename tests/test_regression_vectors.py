"""Files an earlier zksolv wrote keep verifying (vectors/regression/; SPEC.md §7).

The files are frozen: written once by the zksolv named in their README, never regenerated.
"""

import json
import subprocess
import sys

import pytest

from conftest import VECTORS
from zksolv import ledger, reserves
from zksolv.reserves import snapshot

V1 = VECTORS / "regression" / "v1"
ATTESTATION = V1 / "attestation"
CUSTOMERS = {"zoe-mueller.json": ("zoë müller", {"BTC": "4.18789553", "USDT": "12919.466174"}),
             "user-01.json": ("user-01", {"ETH": "3.581583193674288709"})}


def _zksolv(*args):
    return subprocess.run([sys.executable, "-m", "zksolv", *map(str, args)], capture_output=True, text=True)


@pytest.mark.parametrize("command", [("verify", ATTESTATION, "--snapshot", V1 / "inputs" / "snapshot.csv"),
                                     ("audit", ATTESTATION, "--workers", "1")])
def test_v1_attestation_still_verifies(command):
    result = _zksolv(*command, "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["result"] == "valid" and out["attestation_id"] == "regression-v1"
    assert {a: v["coverage_percent"] for a, v in out["assets"].items()} == {"BTC": "105", "ETH": "105", "USDT": "105"}


@pytest.mark.parametrize("name", sorted(CUSTOMERS))
def test_v1_inclusion_proof_still_verifies(name):
    user, expected = CUSTOMERS[name]
    balances = [f"--balance={a}={v}" for a, v in expected.items()]
    result = _zksolv("verify-inclusion", V1 / "inclusion" / name, "--attestation", ATTESTATION,
                     "--user", user, *balances, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["balances"].items() >= expected.items()


@pytest.mark.parametrize("command", ["verify", "audit"])
def test_prices_given_for_a_spot_round_are_refused_not_ignored(command):
    result = _zksolv(command, ATTESTATION, "--prices", V2 / "inputs" / "prices.json")
    assert result.returncode == 3 and "spot round: it has no market data" in result.stderr, result.stderr


def test_v1_inclusion_proof_is_not_anyones():
    result = _zksolv("verify-inclusion", V1 / "inclusion" / "user-01.json", "--attestation", ATTESTATION,
                     "--user", "user-02")
    assert result.returncode == 1, result.stderr


def test_v1_inputs_still_parse():
    res = reserves.load(V1 / "inputs" / "reserves.json")
    assert res.attestation_id == "regression-v1" and set(res.assets) == {"BTC", "ETH", "USDT"}
    rows = list(ledger.read_ledger(V1 / "inputs" / "ledger.csv", res.decimals, res.leaf_bits))
    assert len(rows) == 16 and {r.user_id for r in rows} >= {"zoë müller", "客户-7"}
    assert snapshot.check(res, snapshot.load(V1 / "inputs" / "snapshot.csv")) == 4


V2 = VECTORS / "regression" / "v2"
V2_CUSTOMERS = {"alice.json": ("alice", {"BTC": "1", "ETH": "0", "USDT": "-20000"}),
                "spot-1.json": ("spot-1", {"BTC": "2", "USDT": "1000"})}


@pytest.mark.parametrize("command", [("verify", V2 / "attestation", "--prices", V2 / "inputs" / "prices.json"),
                                     ("audit", V2 / "attestation", "--workers", "1")])
def test_v2_margin_attestation_still_verifies(command):
    result = _zksolv(*command, "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["result"] == "valid" and out["attestation_id"] == "regression-v2"
    assert out["margin"]["scenarios"] == ["base", "crash"]


@pytest.mark.parametrize("name", sorted(V2_CUSTOMERS))
def test_v2_inclusion_proof_still_verifies(name):
    user, expected = V2_CUSTOMERS[name]
    balances = [f"--balance={a}={v}" for a, v in expected.items() if v != "0"]
    result = _zksolv("verify-inclusion", V2 / "inclusion" / name, "--attestation", V2 / "attestation",
                     "--user", user, *balances, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["balances"] == expected
