"""The JS verifier (zksolv/web/js) and the Python one give the same verdict on 1,000 margin
customers' inclusion proofs (SPEC.md §6.16), honest and mutated: flipped bytes, swapped assets,
wrong user, wrong balance or debt, the customer's own figures, a proof from another round, a
truncated path, another forest member's path or index, spot leaves beside the margin part.
Half are walked in a 4-leaf account tree proven by `prove`, half in a forest of 7,168
(4,096 + 2,048 + 1,024) whose three subtrees each hold one customer: the customer's check
reads only the account-tree root, so that forest's padding leaves are synthetic nodes (as
vectors/account-tree.json's forest) and its manifest is the proven round's with the forest's
capacity and root. A JS verifier that says VALID where Python does not is the worst bug here."""

import copy
import hashlib
import json
import random
import subprocess

import pytest

import marginkit
from conftest import ROOT
from test_js_crosscheck import flip_hex
from test_js_verifier import _node
from zksolv import inclusion2
from zksolv.accounts import inclusion as account_inclusion, keys, leaf as margin_leaf, tree as account_tree
from zksolv.errors import ZksolvError
from zksolv.group import base_mul
from zksolv.market.fixed import format_fixed, parse_signed_amount
from zksolv.state import State

CASES = 500          # per tree: 1,000 in all
SEED = 20261205
FOREST = 7168
FOREST_AT = {"alice": 77, "bob": 4096 + 1500, "carol": FOREST - 1}   # one in each subtree
CUSTOMERS = ("alice", "bob", "carol")


def _proofs(r) -> tuple[dict, dict]:
    """Each margin customer's proof and (index, signed units) from the round's state."""
    state = State(r.state)
    try:
        return ({u: inclusion2.build(state, r.manifest, u) for u in CUSTOMERS + ("spot-1",)},
                {u: state.margin_account(u) for u in CUSTOMERS})
    finally:
        state.close()


def _synthetic_node(rng: random.Random, width: int):
    points = tuple(base_mul(rng.randrange(1, 2**200)) for _ in range(width))
    return account_tree.leaf_node(points, rng.randbytes(32))


def _forest_round(manifest_text: str, proofs: dict, accounts: dict, layout, decimals) -> tuple[str, dict]:
    """The round's manifest with a FOREST-leaf account tree holding the customers at FOREST_AT,
    and their proofs against it."""
    rng = random.Random(SEED)
    width = 2 * len(layout.assets)
    step = _synthetic_node(rng, width)
    current = _synthetic_node(rng, width)
    own = {}
    for user in CUSTOMERS:
        key, id_hash = keys.customer(bytes.fromhex(proofs[user]["user_secret"]), user)
        opened = margin_leaf.open_leaf(layout, key, id_hash, margin_leaf.slot_values(layout, accounts[user][1]))
        own[FOREST_AT[user]] = account_tree.leaf_node(margin_leaf.node_points(layout, opened.leaf), opened.leaf.hash())
    builder = account_tree.Builder()
    for i in range(FOREST):
        current = account_tree.leaf_node(tuple(a + b for a, b in zip(current[0], step[0])), hashlib.sha256(current[2]).digest())
        builder.push(own.get(i, current))
    cs, h = builder.root(FOREST)
    levels = builder.levels(FOREST)
    doc = json.loads(manifest_text)
    doc["margin"]["capacity"] = FOREST
    doc["margin"]["root"] = {"commitments": [cs[i:i + 33].hex() for i in range(0, len(cs), 33)], "hash": h.hex()}
    text = json.dumps(doc, indent=1, ensure_ascii=False)
    digest = inclusion2.manifest_from_bytes(text.encode(), "forest").digest().hex()
    out = {}
    for user in CUSTOMERS:
        part = account_inclusion.build(user, bytes.fromhex(proofs[user]["user_secret"]), accounts[user][1],
                                       FOREST_AT[user], account_tree.path(levels, FOREST_AT[user], FOREST), layout, decimals)
        out[user] = dict(copy.deepcopy(proofs[user]), manifest=digest, margin=part)
    out["spot-1"] = proofs["spot-1"]
    return text, out


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    """Two margin rounds over one ledger (the second is 'another round'), and the forest."""
    base = tmp_path_factory.mktemp("crosscheck-margin")
    first, second = marginkit.prove_margin(base / "a"), marginkit.prove_margin(base / "b")
    proofs, accounts = _proofs(first)
    texts = [(r.out / "manifest.json").read_text(encoding="utf-8") for r in (first, second)]
    layout = inclusion2.layout_of(first.manifest)
    forest_text, forest_proofs = _forest_round(texts[0], proofs, accounts, layout, first.manifest.reserves.decimals)
    return {"tree": (texts, proofs), "forest": ([forest_text, texts[1]], forest_proofs),
            "decimals": first.manifest.reserves.decimals}


def _flip_base64(rng, text):
    i = rng.randrange(len(text.rstrip("=")))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return text[:i] + rng.choice(alphabet.replace(text[i], "")) + text[i + 1:]


def _signed(rng, units, decimals):
    return format_fixed(units + rng.choice([-1, 1]) * rng.choice([1, 10**decimals]), decimals)


def mutate(rng, doc, proofs, decimals):
    """One mutation of a margin proof or of what the customer gives: (doc, other_round, user, expected)."""
    part = doc["margin"]
    assets = sorted(part["balances"])
    asset = rng.choice(assets)
    units = parse_signed_amount(part["balances"][asset], decimals[asset])
    kind = rng.randrange(-4, 20)                     # below 1: unchanged
    user, expected, other = None, {}, False
    if kind == 1:
        doc["user_secret"] = flip_hex(rng, doc["user_secret"])
    elif kind == 2:
        doc["manifest"] = flip_hex(rng, doc["manifest"])
    elif kind == 3:
        k = rng.randrange(len(part["path"]))
        part["path"][k] = _flip_base64(rng, part["path"][k])
    elif kind == 4:                                    # a balance or debt off by a unit or a whole
        part["balances"][asset] = _signed(rng, units, decimals[asset])
    elif kind == 5:                                    # a debt shown as a holding, or the other way
        part["balances"][asset] = format_fixed(-units, decimals[asset])
    elif kind == 6:                                    # two assets' figures swapped
        a, b = rng.sample(assets, 2)
        part["balances"][a], part["balances"][b] = part["balances"][b], part["balances"][a]
    elif kind == 7:
        doc["user_id"] = rng.choice([u for u in CUSTOMERS if u != doc["user_id"]] + ["spot-1", "zoë"])
    elif kind == 8:
        user = rng.choice(CUSTOMERS + ("spot-1",))
    elif kind == 9:                                    # the customer's own figures, right or wrong
        expected = {a: part["balances"][a] for a in rng.sample(assets, rng.randrange(1, len(assets) + 1))}
        if rng.random() < 0.6:
            expected[asset] = rng.choice([_signed(rng, units, decimals[asset]), format_fixed(-units, decimals[asset]),
                                          part["balances"][asset] + ".0", "DOGE"])
    elif kind == 10:
        other = True
    elif kind == 11:                                   # truncated path
        part["path"] = part["path"][:-1] if rng.random() < 0.5 else part["path"][1:]
    elif kind == 12:                                   # another forest member's path, index or both
        donor = proofs[rng.choice([u for u in CUSTOMERS if u != doc["user_id"]])]["margin"]
        field = rng.choice([("path",), ("leaf_index",), ("path", "leaf_index")])
        for f in field:
            part[f] = copy.deepcopy(donor[f])
    elif kind == 13:
        part["leaf_index"] = rng.choice([part["leaf_index"] + 1, part["leaf_index"] ^ 1, 0, 4, FOREST - 1, FOREST])
    elif kind == 14:                                   # spot leaves beside the margin part
        doc["assets"] = copy.deepcopy(proofs["spot-1"]["assets"])
    elif kind == 15:
        doc["margin"] = None
    elif kind == 16:                                   # proves nothing
        part["balances"] = {a: "0" for a in assets}
    elif kind == 17:                                   # not the one spelling
        part["balances"][asset] = rng.choice([part["balances"][asset] + ".0", "+" + part["balances"][asset],
                                              "0" + part["balances"][asset], "-0"])
    elif kind == 18:                                   # a debt no collateral covers
        part["balances"][asset] = format_fixed(-10**(decimals[asset] + 7), decimals[asset])
    elif kind == 19:
        part["path"] = part["path"][::-1]
    return doc, other, user, expected


def python_verdict(doc, manifest, user, expected) -> bool:
    try:
        inclusion2.verify(inclusion2.parse(doc), manifest, user, expected)
    except ZksolvError:
        return False
    return True


def _js_verdicts_while(cases, tmp_path, python_side):
    """crosscheck.mjs's verdicts on `cases`, node running while `python_side()` computes the
    Python verdicts (two processes, two cores): (JS verdicts, Python verdicts)."""
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases))
    with subprocess.Popen([_node(), "tests/js/crosscheck.mjs", str(path)], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as run:
        expected = python_side()
        out, err = run.communicate(timeout=600)
    assert run.returncode == 0, err[-2000:]
    got = json.loads(out)
    assert len(got) == len(cases) and all(v["reason"] for v in got if not v["valid"])
    return [v["valid"] for v in got], expected


@pytest.mark.parametrize("tree", ["tree", "forest"])
def test_js_and_python_agree_on_margin_proofs(rounds, tree, tmp_path):
    texts, proofs = rounds[tree]
    manifests = [inclusion2.manifest_from_bytes(t.encode(), "manifest") for t in texts]
    rng = random.Random(f"{SEED}-{tree}")
    cases, python_cases = [], []
    for _ in range(CASES):
        doc = copy.deepcopy(proofs[rng.choice(CUSTOMERS)])
        doc, other, user, given = mutate(rng, doc, proofs, rounds["decimals"])
        python_cases.append((copy.deepcopy(doc), manifests[other], user, given))
        cases.append({"proof": json.dumps(doc, ensure_ascii=False), "manifest": texts[other], "userId": user,
                      "balances": given})
    got, expected = _js_verdicts_while(cases, tmp_path, lambda: [python_verdict(*c) for c in python_cases])
    assert [(i, json.loads(cases[i]["proof"])) for i in range(CASES) if got[i] != expected[i]] == []
    assert 60 < sum(expected) < CASES - 60   # both kinds, many of each


def test_js_and_python_build_the_same_layouts(tmp_path):
    """Every valid market of vectors/market.json, under three choices of leaf widths: the same
    slots and claims (names, constants, coefficients, limbs) from both, or a refusal from both
    (a claim over 3 limbs or one that could wrap, SPEC.md §6.14)."""
    from zksolv.accounts.layout import build as build_layout
    from zksolv.market import parse as parse_market

    doc = json.loads((ROOT / "vectors" / "market.json").read_text(encoding="utf-8"))
    boundary = [{"result": "valid", "decimals": {"A": 0}, "normalized": {   # limbs: ⌈bits/64⌉ at a width of 2^64 − 1, 2^64
        "quote": "USD", "decimals": 0, "min_collateral_percent": "100", "scenarios": [],
        "assets": {"A": {"price": "1", "haircut": [[str(2**64 + d), "100"], [None, "50"]]}}}} for d in (-1, 0)]
    cases, python = [], []
    for t in [*boundary, *(t for t in doc["tests"] if t["result"] == "valid")]:
        for widths in ("declared", "all 64", "all 128"):
            bits = {a: {"declared": 64 if d <= 9 else 128, "all 64": 64, "all 128": 128}[widths] for a, d in t["decimals"].items()}
            cases.append({"normalized": t["normalized"], "decimals": t["decimals"], "leaf_bits": bits})
            try:
                lay = build_layout(parse_market(t["normalized"], t["decimals"], "market").coefficients(t["decimals"]), bits)
                python.append({"slots": list(lay.slots), "claims": [[c.name, str(c.constant), [[i, str(k)] for i, k in c.terms],
                                                                     c.limbs] for c in lay.claims]})
            except ZksolvError:
                python.append(None)
    path = tmp_path / "layouts.json"
    path.write_text(json.dumps(cases))
    run = subprocess.run([_node(), "tests/js/layouts.mjs", str(path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    js = [None if "error" in x else x for x in json.loads(run.stdout)]
    assert [i for i in range(len(cases)) if js[i] != python[i]] == []
    assert 5 < sum(x is not None for x in python) < len(cases)   # layouts built and layouts refused
