"""The JS verifier (zksolv/web/js) and the Python one give the same verdict on 1,000 inclusion
proofs of a Python-made round, and 300 of the frozen margin round's spot customer, honest and mutated (issue 13, "Tests"): two implementations of
SPEC.md §6.11 that must agree on every VALID."""

import csv
import json
import random
import subprocess

import pytest

import roundkit
from conftest import ROOT
from test_js_verifier import _node
from zksolv import inclusion, inclusion2
from zksolv.attestation.manifest2 import ManifestV2
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
        donor = proofs[rng.choice(sorted(proofs))]["assets"]
        doc["assets"][asset] = json.loads(json.dumps(donor.get(asset, item)))
    elif kind == 11 and len(doc["assets"]) > 1:
        del doc["assets"][asset]
    return doc, other, user, expected


def python_verdict(doc, manifest, user, expected) -> bool:
    try:
        if isinstance(manifest, ManifestV2):
            inclusion2.verify(inclusion2.parse(doc), manifest, user, expected)
        else:
            inclusion.verify(doc, manifest, user, expected)
    except ZksolvError:
        return False
    return True


def cases_and_verdicts(count, seed, manifests, texts, proofs, users):
    """`count` mutated cases as crosscheck.mjs reads them, and the Python verdict of each."""
    rng = random.Random(seed)
    cases, verdicts = [], []
    for _ in range(count):
        doc = json.loads(json.dumps(proofs[rng.choice(sorted(proofs))]))
        doc, other, user, expected = mutate(rng, doc, manifests[0], users, proofs)
        verdicts.append(python_verdict(doc, manifests[other], user, expected))
        cases.append({"proof": json.dumps(doc), "manifest": texts[other], "userId": user, "balances": expected})
    return cases, verdicts


def js_verdicts(cases, tmp_path):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases))
    run = subprocess.run([_node(), "tests/js/crosscheck.mjs", str(path)], cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    got = json.loads(run.stdout)
    assert len(got) == len(cases)
    assert all(v["reason"] for v in got if not v["valid"])
    return [v["valid"] for v in got]


def test_js_and_python_agree_on_1000_proofs(rounds, tmp_path):
    manifest, other_manifest, texts, proofs = rounds
    cases, expected = cases_and_verdicts(CASES, SEED, (manifest, other_manifest), texts, proofs, sorted(proofs))
    got = js_verdicts(cases, tmp_path)
    assert [i for i in range(CASES) if got[i] != expected[i]] == []
    assert 100 < sum(expected) < CASES - 100  # both kinds, many of each


def test_js_and_python_agree_on_a_margin_rounds_spot_proof(tmp_path):
    """The frozen margin round (vectors/regression/v2): its spot customer's version-2 proof,
    mutated 300 ways; 'another round' is the frozen version-1 round (a version mismatch)."""
    v2, v1 = ROOT / "vectors" / "regression" / "v2", ROOT / "vectors" / "regression" / "v1"
    paths = (v2 / "attestation" / "manifest.json", v1 / "attestation" / "manifest.json")
    manifests = tuple(inclusion2.read_manifest(p) for p in paths)
    texts = tuple(p.read_text(encoding="utf-8") for p in paths)
    proofs = {"spot-1": json.loads((v2 / "inclusion" / "spot-1.json").read_text(encoding="utf-8"))}
    cases, expected = cases_and_verdicts(300, SEED + 1, manifests, texts, proofs, ["spot-1", "spot-2", "alice"])
    got = js_verdicts(cases, tmp_path)
    assert [i for i in range(len(cases)) if got[i] != expected[i]] == []
    assert 30 < sum(expected) < len(cases) - 30
