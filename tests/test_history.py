"""A customer's history across rounds (issue 13 item 5; SPEC.md §6.7 `previous`, §8
`verify-inclusion --history`): rounds chained by their previous digests, one proof per round
paired by the manifest it names, balances shown round by round; every break refused."""

import json
import shutil
from pathlib import Path

import pytest

from roundkit import OPTIONS, inputs, prove_round, reserves_for
from zksolv import demo, inclusion
from zksolv.attestation import exchange, prove
from zksolv.cli import main
from zksolv.reserves import signing
from zksolv.state import State

USER = "user-000003"
TIMES = ["2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"]


def _round(base: Path, name: str, ledger: Path, previous, timestamp: str):
    return _proved(base, name, ledger, reserves_for(ledger, base / name, f"hist-{name}"),
                   previous=previous, timestamp=timestamp)


def _proved(base: Path, name: str, ledger: Path, reserves: Path, **options):
    """The round proved with `options`, and USER's inclusion proof of it written beside."""
    rnd = prove_round(base / name, ledger, reserves, prove.Options(**{**vars(OPTIONS), **options}))
    state = State(rnd.state)
    try:
        doc = inclusion.build(state, rnd.manifest, USER)
    finally:
        state.close()
    proof = base / f"{name}-proof.json"
    proof.write_text(json.dumps(doc, indent=1))
    return rnd.out, proof, doc


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    """r1 ← r2 ← r3 (a chain), r2b (a second round after r1: a fork), early (after r2 by its
    link but timestamped before it), stray (names a round nobody has)."""
    base = tmp_path_factory.mktemp("history")
    ledger, _ = inputs(base / "inputs", "hist", users=6)
    made = {}
    made["r1"] = _round(base, "r1", ledger, None, TIMES[0])
    made["r2"] = _round(base, "r2", ledger, _digest(made["r1"]), TIMES[1])
    made["r3"] = _round(base, "r3", ledger, _digest(made["r2"]), TIMES[2])
    made["r2b"] = _round(base, "r2b", ledger, _digest(made["r1"]), "2026-02-02T00:00:00Z")
    made["early"] = _round(base, "early", ledger, _digest(made["r2"]), "2026-01-15T00:00:00Z")
    made["stray"] = _round(base, "stray", ledger, "ab" * 32, "2026-04-01T00:00:00Z")
    return made


def _digest(made) -> str:
    return made[2]["manifest"]


def _run(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return exit_.value.code, captured.out, captured.err


def _history(rounds, names, proofs=None):
    args = [rounds[n][1] for n in (proofs if proofs is not None else names)]
    for n in names:
        args += ["--history", rounds[n][0]]
    return args


def _refused(capsys, rounds, names, proofs=None, *extra) -> str:
    code, out, err = _run(capsys, "verify-inclusion", *_history(rounds, names, proofs), *extra)
    assert code == 1 and out == "" and err.count("\n") == 1 and err.startswith("zksolv: error: "), (code, err)
    return err


def test_three_rounds_in_any_order_are_shown_oldest_first(rounds, capsys):
    code, out, err = _run(capsys, "verify-inclusion", *_history(rounds, ["r3", "r1", "r2"], ["r2", "r3", "r1"]),
                          "--user", USER, "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["user_id"] == USER
    assert [r["manifest"] for r in shown["rounds"]] == [_digest(rounds[n]) for n in ("r1", "r2", "r3")]
    assert [r["previous"] for r in shown["rounds"]] == [None, _digest(rounds["r1"]), _digest(rounds["r2"])]
    for r, n in zip(shown["rounds"], ("r1", "r2", "r3")):  # the balances each round's proof carries
        assert r["balances"] == {a: v["balance"] for a, v in rounds[n][2]["assets"].items()}
    code, out, _ = _run(capsys, "verify-inclusion", *_history(rounds, ["r2", "r1", "r3"]))
    assert code == 0 and "round 1/3: hist-r1" in out and "round 3/3: hist-r3" in out
    assert "inclusion: VALID in every round" in out


def test_a_directory_of_rounds(rounds, capsys, tmp_path):
    for label, n in (("c", "r1"), ("a", "r2"), ("b", "r3")):  # names in no particular order
        shutil.copytree(rounds[n][0], tmp_path / "rounds" / label)
    (tmp_path / "rounds" / "notes").mkdir()  # not a round: passed over
    code, out, err = _run(capsys, "verify-inclusion", *[rounds[n][1] for n in ("r1", "r2", "r3")],
                          "--history", tmp_path / "rounds", "--json")
    assert code == 0, err
    assert [r["attestation_id"] for r in json.loads(out)["rounds"]] == ["hist-r1", "hist-r2", "hist-r3"]


def test_a_round_missing_from_the_chain(rounds, capsys):
    assert "not among those given" in _refused(capsys, rounds, ["r1", "r3"])


def test_a_link_to_a_round_nobody_has(rounds, capsys):
    assert "not among those given" in _refused(capsys, rounds, ["r1", "stray"])


def test_two_rounds_after_the_same_round(rounds, capsys):
    assert "both name" in _refused(capsys, rounds, ["r1", "r2", "r2b"])


def test_a_round_not_later_than_the_one_it_follows(rounds, capsys):
    assert "not later" in _refused(capsys, rounds, ["r1", "r2", "early"])


def test_a_round_given_twice(rounds, capsys):
    assert "given twice" in _refused(capsys, rounds, ["r1", "r1"], ["r1"])


def test_each_round_needs_exactly_its_own_proof(rounds, capsys):
    assert "no inclusion proof given for round hist-r2" in _refused(capsys, rounds, ["r1", "r2"], ["r1"])
    assert "none of the rounds given" in _refused(capsys, rounds, ["r1", "r2"], ["r1", "r2", "r3"])
    assert "same round" in _refused(capsys, rounds, ["r1"], ["r1", "r1"])


def test_a_changed_balance_in_one_round_is_refused(rounds, capsys, tmp_path):
    doc = json.loads(rounds["r2"][1].read_text())
    asset = sorted(doc["assets"])[0]
    doc["assets"][asset]["balance"] = "1" + doc["assets"][asset]["balance"]
    changed = tmp_path / "r2-changed.json"
    changed.write_text(json.dumps(doc))
    code, _, err = _run(capsys, "verify-inclusion", rounds["r1"][1], changed, "--history", rounds["r1"][0],
                        "--history", rounds["r2"][0])
    assert code == 1 and "does not lead to the attested root" in err


def test_every_round_is_one_customers(rounds, capsys, tmp_path):
    state = State(rounds["r2"][0].parent / "state.db")
    try:
        other = inclusion.build(state, _manifest(rounds["r2"]), "user-000001")
    finally:
        state.close()
    path = tmp_path / "other.json"
    path.write_text(json.dumps(other))
    code, _, err = _run(capsys, "verify-inclusion", rounds["r1"][1], path, "--history", rounds["r1"][0],
                        "--history", rounds["r2"][0])
    assert code == 1 and "user-000001" in err  # the oldest proof's user is required of every later one
    assert _run(capsys, "verify-inclusion", *_history(rounds, ["r1", "r2"]), "--user", "user-000001")[0] == 1


def _manifest(made):
    from zksolv import inclusion2

    return inclusion2.read_manifest(made[0] / "manifest.json")


def test_signer_pins_every_round(rounds, capsys):
    # version-1 rounds name no exchange: a pinned signer fails on the first of them
    err = _refused(capsys, rounds, ["r1", "r2"], None, "--signer", "0x" + "11" * 20)
    assert "names no exchange" in err


@pytest.mark.parametrize("extra,code", [
    (("--attestation", "{r1}"), 2),          # one round or several, not both
    (("--balance", "BTC=1"), 2),             # --balance checks one round
])
def test_history_usage_errors(rounds, capsys, extra, code):
    extra = [e.format(r1=rounds["r1"][0]) for e in extra]
    got, _, err = _run(capsys, "verify-inclusion", *_history(rounds, ["r1"]), *extra)
    assert got == code and err.startswith("zksolv: error: ") and err.count("\n") == 1


def test_one_round_takes_one_proof(rounds, capsys):
    assert _run(capsys, "verify-inclusion", rounds["r1"][1], rounds["r2"][1], "--attestation", rounds["r1"][0])[0] == 2
    assert _run(capsys, "verify-inclusion", rounds["r1"][1])[0] == 2


def test_history_paths_that_are_not_rounds(rounds, capsys, tmp_path):
    assert _run(capsys, "verify-inclusion", rounds["r1"][1], "--history", tmp_path / "absent")[0] == 3
    (tmp_path / "empty").mkdir()
    code, _, err = _run(capsys, "verify-inclusion", rounds["r1"][1], "--history", tmp_path / "empty")
    assert code == 3 and "neither an attestation" in err


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """Two rounds of version-2 reserves, each signed by the exchange."""
    base = tmp_path_factory.mktemp("signed")
    key = signing.new_key()
    address = exchange.address(key)
    ledger, _ = inputs(base / "inputs", "sig", users=6)
    made = {}
    previous = None
    for name, when in (("s1", TIMES[0]), ("s2", TIMES[1])):
        totals = {a: 0 for a in demo.ASSETS}
        reserves = base / name / "reserves.json"
        reserves.parent.mkdir(parents=True)
        _totals(ledger, totals)
        demo.write_reserves_v2(reserves, f"sig-{name}", totals, address)
        made[name] = _proved(base, name, ledger, reserves, previous=previous, timestamp=when, sign_key=key)
        previous = _digest(made[name])
    return made, address


def _totals(ledger, totals):
    import csv

    from zksolv.amounts import parse_amount

    with open(ledger, newline="") as f:
        for row in csv.DictReader(f):
            totals[row["asset"]] += parse_amount(row["amount"], demo.ASSETS[row["asset"]][0])


def test_signed_rounds_and_the_signer_pinned(signed, capsys):
    made, address = signed
    code, out, err = _run(capsys, "verify-inclusion", *_history(made, ["s1", "s2"]), "--signer", address, "--json")
    assert code == 0, err
    assert [r["signed_by"] for r in json.loads(out)["rounds"]] == [address.lower()] * 2
    err = _refused(capsys, made, ["s1", "s2"], None, "--signer", "0x" + "22" * 20)
    assert "names the exchange" in err
    (made["s2"][0] / exchange.FILE).rename(made["s2"][0] / "saved.json")
    try:  # the newest round's signature removed: refused though the oldest is signed
        assert "missing" in _refused(capsys, made, ["s1", "s2"])
    finally:
        (made["s2"][0] / "saved.json").rename(made["s2"][0] / exchange.FILE)
