"""The JS verifier (zksolv/web/js) and the Python one give the same verdict on 1,000 inclusion
proofs of a Python-made round, honest and mutated (issue 13, "Tests"): two implementations of
SPEC.md §6.11 that must agree on every VALID."""

import csv
import json
import random
import subprocess

import pytest

import roundkit
from conftest import ROOT
from test_js_verifier import _node
from zksolv import inclusion
from zksolv.amounts import format_amount, parse_amount
from zksolv.errors import ZksolvError
from zksolv.state import State

CASES = 1000
SEED = 20261204


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    """Two rounds over one ledger: proofs from the first, the second's manifest as 'another round'."""
    base = tmp_path_factory.mktemp("crosscheck")
    ledger, reserves = roundkit.inputs(base / "inputs", "crosscheck", users=12)
    first = roundkit.prove_round(base / "a", ledger, reserves)
    second = roundkit.prove_round(base / "b", ledger, reserves)
    with open(ledger, newline="", encoding="utf-8") as f:
        users = sorted({row["user_id"] for row in csv.DictReader(f)})
    state = State(first.state)
    try:
        proofs = {u: inclusion.build(state, first.manifest, u) for u in users}
    finally:
        state.close()
    texts = [(r.out / "manifest.json").read_text(encoding="utf-8") for r in (first, second)]
    return first.manifest, second.manifest, texts, proofs


def flip_hex(rng, text):
    i = rng.randrange(len(text))
    return text[:i] + format(int(text[i], 16) ^ rng.randrange(1, 16), "x") + text[i + 1:]


def mutate(rng, doc, manifest, users, proofs):
    """One mutation of a proof (or of what the customer gives): (doc, use_other_round, user, expected)."""
    asset = rng.choice(sorted(doc["assets"]))
    item = doc["assets"][asset]
    decimals = manifest.reserves.assets[asset].decimals
    kind = rng.randrange(12)
    user, expected, other = None, {}, False
    if kind == 1:
        doc["user_secret"] = flip_hex(rng, doc["user_secret"])
    elif kind == 2:
        doc["manifest"] = flip_hex(rng, doc["manifest"])
    elif kind == 3 and item["path"]:
        pair = rng.choice(item["path"])
        k = rng.randrange(2)
        pair[k] = flip_hex(rng, pair[k])
    elif kind == 4:
        units = parse_amount(item["balance"], decimals) + rng.choice([-1, 1])
        item["balance"] = format_amount(abs(units), decimals)
    elif kind == 5:
        item["leaf_index"] = rng.randrange(manifest.assets[asset].capacity * 2)
    elif kind == 6:
        doc["user_id"] = rng.choice(users)
    elif kind == 7:
        user = rng.choice(users)
    elif kind == 8:
        units = parse_amount(item["balance"], decimals) + rng.choice([0, 0, 1])
        expected = {asset: format_amount(units, decimals)}
    elif kind == 9:
        other = True
    elif kind == 10:
        donor = proofs[rng.choice(users)]["assets"]
        doc["assets"][asset] = json.loads(json.dumps(donor.get(asset, item)))
    elif kind == 11 and len(doc["assets"]) > 1:
        del doc["assets"][asset]
    return doc, other, user, expected


def python_verdict(doc, manifest, user, expected) -> bool:
    try:
        inclusion.verify(doc, manifest, user, expected)
    except ZksolvError:
        return False
    return True


def test_js_and_python_agree_on_1000_proofs(rounds, tmp_path):
    node = _node()
    manifest, other_manifest, (manifest_text, other_text), proofs = rounds
    rng, users = random.Random(SEED), sorted(proofs)
    cases, expected_verdicts = [], []
    for _ in range(CASES):
        doc = json.loads(json.dumps(proofs[rng.choice(users)]))
        doc, other, user, expected = mutate(rng, doc, manifest, users, proofs)
        expected_verdicts.append(python_verdict(doc, other_manifest if other else manifest, user, expected))
        cases.append({"proof": json.dumps(doc), "manifest": other_text if other else manifest_text,
                      "userId": user, "balances": expected})
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases))
    run = subprocess.run([node, "tests/js/crosscheck.mjs", str(path)], cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    got = json.loads(run.stdout)
    assert len(got) == CASES
    disagreements = [(i, expected_verdicts[i], got[i]) for i in range(CASES) if got[i]["valid"] != expected_verdicts[i]]
    assert disagreements == []
    assert 100 < sum(expected_verdicts) < CASES - 100  # both kinds, many of each
    assert all(v["reason"] for v in got if not v["valid"])
