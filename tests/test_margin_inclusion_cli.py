"""A margin round's customers through the command line (issue 11 item 7; SPEC.md §6.16):
a margin customer sees every balance and debt and that the account is collateralized at
every scenario; a spot customer of the same round gets a version-2 proof of spot leaves."""

import json

import pytest

from marginkit import prove_margin
from zksolv.cli import main


@pytest.fixture(scope="module")
def rnd(tmp_path_factory):
    return prove_margin(tmp_path_factory.mktemp("margin-inclusion") / "round")


def _run(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return exit_.value.code, captured.out, captured.err


def _proof(rnd, tmp_path, capsys, user: str):
    path = tmp_path / f"{user}.json"
    code, _, err = _run(capsys, "inclusion", "--state", rnd.state, "--user", user, "--attestation", rnd.out,
                        "--out", path, "--quiet")
    assert code == 0, err
    return path


def test_a_margin_customer_sees_balances_debts_and_scenarios(rnd, tmp_path, capsys):
    path = _proof(rnd, tmp_path, capsys, "alice")
    doc = json.loads(path.read_text())
    assert doc["version"] == 2 and doc["assets"] == {} and doc["margin"]["balances"]["USDT"] == "-20000"
    assert path.stat().st_size <= 8 * 1024
    code, out, err = _run(capsys, "verify-inclusion", path, "--attestation", rnd.out, "--user", "alice",
                          "--balance", "USDT=-20000", "--balance", "BTC=1", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["user_id"] == "alice" and shown["balances"] == {"BTC": "1", "ETH": "0", "USDT": "-20000"}
    assert shown["margin"]["collateralized"] == ["base", "crash"] and shown["not_covered"] == []
    code, out, _ = _run(capsys, "verify-inclusion", path, "--attestation", rnd.out)
    assert code == 0 and "USDT: a debt of 20000 of user 'alice'" in out and "collateralized at base, crash" in out


@pytest.mark.parametrize("args,code", [
    (("--balance", "USDT=-20001"), 1),      # a debt the attestation does not count
    (("--balance", "USDT=20000"), 1),       # the debt taken for equity
    (("--user", "bob"), 1),                 # someone else's proof
])
def test_a_margin_customer_is_told_when_it_is_not_theirs(rnd, tmp_path, capsys, args, code):
    path = _proof(rnd, tmp_path, capsys, "alice")
    assert _run(capsys, "verify-inclusion", path, "--attestation", rnd.out, *args)[0] == code


def test_a_changed_debt_in_the_proof_is_refused(rnd, tmp_path, capsys):
    path = _proof(rnd, tmp_path, capsys, "alice")
    doc = json.loads(path.read_text())
    doc["margin"]["balances"]["USDT"] = "-19999"   # a smaller debt shown to the customer
    path.write_text(json.dumps(doc))
    code, _, err = _run(capsys, "verify-inclusion", path, "--attestation", rnd.out)
    assert code == 1 and err.startswith("zksolv: error:")


def test_a_spot_customer_of_a_margin_round(rnd, tmp_path, capsys):
    path = _proof(rnd, tmp_path, capsys, "spot-1")
    doc = json.loads(path.read_text())
    assert doc["version"] == 2 and doc["margin"] is None and sorted(doc["assets"]) == ["BTC", "USDT"]
    code, out, err = _run(capsys, "verify-inclusion", path, "--attestation", rnd.out, "--balance", "BTC=2", "--json")
    assert code == 0, err
    assert json.loads(out)["not_covered"] == ["ETH"]
    assert _run(capsys, "verify-inclusion", path, "--attestation", rnd.out, "--balance", "BTC=-2")[0] == 1


def test_a_proof_of_neither_kind_proves_nothing(rnd, tmp_path, capsys):
    path = _proof(rnd, tmp_path, capsys, "spot-1")
    doc = json.loads(path.read_text())
    doc["assets"] = {}
    path.write_text(json.dumps(doc))
    code, _, err = _run(capsys, "verify-inclusion", path, "--attestation", rnd.out)
    assert code == 1 and "proves no balance" in err


def test_a_version_1_proof_is_refused_for_a_margin_round(rnd, tmp_path, capsys):
    path = _proof(rnd, tmp_path, capsys, "spot-1")
    doc = json.loads(path.read_text())
    doc["version"] = 1
    del doc["margin"]
    path.write_text(json.dumps(doc))
    code, _, err = _run(capsys, "verify-inclusion", path, "--attestation", rnd.out)
    assert code == 3 and err.startswith("zksolv: error:") and err.count("\n") == 1
