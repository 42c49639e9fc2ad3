"""A malicious exchange against the customer's JS verifier (zksolv/web/js): every input here is
given to `verifyInclusion` and to Python's `zksolv verify-inclusion`, and both must give the
verdict named — VALID only for what is true, the same balances, user and signer shown — on
the published attestation vector (a signed margin round) and on rounds the exchange forges
with zksolv's own primitives (tests/jsattackkit.py): JSON spellings Python refuses (`-0`,
duplicate keys, fractions, a byte-order mark), balances not in their one form, customers'
figures, signatures in every accepted and refused spelling, a manifest stripped of the
exchange it names, versions and parts mixed, all-zero and out-of-range accounts. The path
shapes of §6.15 are compared with Python's on edge capacities and indices."""

import hashlib
import json
import random
import subprocess
import unicodedata

import pytest

import jsattackkit as kit
from conftest import ROOT
from jsattackkit import Case
from test_js_verifier import _node
from zksolv.accounts import tree as account_tree

N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
MALLORY = hashlib.sha256(b"zksolv js attacks: a user secret the exchange picks").digest()
SPOT_ID = "Zoë Müller"


def _spot(edit) -> str:
    return kit.as_text(kit.edited(kit.SPOT, edit))


def _margin(edit) -> str:
    return kit.as_text(kit.edited(kit.MARGIN, edit))


def _signature(**changes) -> str:
    doc = json.loads(kit.SIGNATURE)
    doc.update(changes)
    return json.dumps(doc)


def _json_spellings():
    """The proof's JSON in spellings §1.1 refuses (and one escape it accepts)."""
    yield Case("leaf_index -0", kit.SPOT.replace('"leaf_index": 0', '"leaf_index": -0', 1)), False
    yield Case("leaf_index 0.0", kit.SPOT.replace('"leaf_index": 0', '"leaf_index": 0.0', 1)), False
    yield Case("leaf_index 0e0", kit.SPOT.replace('"leaf_index": 0', '"leaf_index": 0e0', 1)), False
    yield Case("duplicate balance, the last one true",
               kit.SPOT.replace('"balance": "0.5",', '"balance": "9.5", "balance": "0.5",', 1)), False
    yield Case("duplicate balance, the second key spelled with an escape",
               kit.SPOT.replace('"balance": "0.5",', '"balance": "9.5", "bal\\u0061nce": "0.5",', 1)), False
    yield Case("byte-order mark", b"\xef\xbb\xbf" + kit.SPOT.encode(), kit.MANIFEST.encode(), kit.SIGNATURE.encode()), False
    yield Case("as bytes", kit.SPOT.encode(), kit.MANIFEST.encode(), kit.SIGNATURE.encode()), True
    yield Case("user id escaped", kit.SPOT.replace(f'"{SPOT_ID}"', '"Zo\\u00eb M\\u00fcller"')), True
    nfd = unicodedata.normalize("NFD", SPOT_ID)
    yield Case("user id in NFD", kit.SPOT.replace(f'"{SPOT_ID}"', json.dumps(nfd, ensure_ascii=False))), False
    yield Case("customer gives the NFD spelling", kit.SPOT, user=nfd), False


def _forged_manifest_spellings():
    """A round the exchange forges and signs, its text holding `-0` where Python refuses it."""
    doc, proof = kit.forged_spot("BTC", "mallory", MALLORY, 5)
    proof["assets"]["BTC"]["balance"] = "0.00000005"
    doc["assets"]["USDT"]["decimals"] = 0            # USDT has one tier: no bound to rescale
    proof["manifest"] = kit.digest_of(doc)
    manifest, signature = kit.signed(doc)
    yield Case("forged round, decimals 0", kit.as_text(proof), manifest, signature), True
    yield Case("forged round, decimals -0", kit.as_text(proof), manifest.replace('"decimals": 0', '"decimals": -0'),
               signature), False


def _spot_balances():
    for text in ("0.50", "+0.5", "00.5", ".5", "0.5e0", " 0.5", "0,5", "٠.٥", "0.5\n", "-0.5"):
        yield Case(f"spot balance {text!r}", _spot(lambda d, t=text: d["assets"]["BTC"].update(balance=t))), False
    for units, valid in ((5, True), (2**64, False), (2**64 + 5, False)):
        doc, proof = kit.forged_spot("BTC", "mallory", MALLORY, units)
        proof["assets"]["BTC"]["balance"] = f"{units // 10**8}.{units % 10**8:08d}".rstrip("0").rstrip(".")
        yield Case(f"forged spot leaf of {units} units", kit.as_text(proof), *kit.signed(doc)), valid


def _customer_figures():
    for text, valid in (("0.5", True), ("0.50", True), ("00.5", True), ("0.6", False), ("-0.5", False),
                        ("+0.5", False), ("0.500000000", False), ("5e-1", False)):
        yield Case(f"customer's spot figure {text!r}", kit.SPOT, balances={"BTC": text}), valid
    yield Case("customer's figure for an asset not proven", kit.SPOT, balances={"ETH": "0"}), False
    for given, valid in (({"USDT": "-30000"}, True), ({"USDT": "-30000.0"}, True), ({"USDT": "30000"}, False),
                         ({"USDT": "-29999.999999"}, False), ({"ETH": "-0", "USDT": "-30000"}, True),
                         ({"ETH": "+0"}, False), ({"USDT": "-3e4"}, False), ({"BTC": "1.2", "USDT": "-30000"}, True),
                         # a debt the customer gave no figure for: the exchange's phantom debt (SPEC §6.16)
                         ({"BTC": "1.2"}, False), ({"ETH": "-0"}, False), ({"BTC": "1.2", "ETH": "0"}, False)):
        yield Case(f"customer's margin figures {given}", kit.MARGIN, balances=given), valid


def _signatures():
    sig = json.loads(kit.SIGNATURE)
    s = sig["signature"]
    r, low_s, v = int(s[2:66], 16), int(s[66:130], 16), int(s[130:], 16)
    yield Case("signature left out", kit.SPOT, signature=None), False
    yield Case("another exchange pinned", kit.SPOT, signer="0x" + "11" * 20), False
    for name, signer in (("EIP-55", sig["signer"]), ("lower case", sig["signer"].lower()),
                         ("upper case", "0x" + sig["signer"][2:].upper())):
        yield Case(f"the exchange pinned, {name}", kit.SPOT, signer=signer), True
    for name, text, valid in (("without 0x", s[2:], True), ("upper-case hex", "0x" + s[2:].upper(), True),
                              ("0X", "0X" + s[2:], False), ("v as 0/1", s[:130] + format(v - 27, "02x"), True),
                              ("its high-s twin", s[:66] + format(N - low_s, "064x") + format(55 - v, "02x"), False),
                              ("v 29", s[:130] + "1d", False), ("r 0", "0x" + "00" * 32 + s[66:], False),
                              ("r and s swapped", "0x" + s[66:130] + s[2:66] + s[130:], False),
                              ("r + 1", "0x" + format(r + 1, "064x") + s[66:], False)):
        yield Case(f"signature {name}", kit.SPOT, signature=_signature(signature=text)), valid
    yield Case("signer in lower case", kit.SPOT, signature=_signature(signer=sig["signer"].lower())), True
    yield Case("signer with a broken checksum", kit.SPOT,
               signature=_signature(signer="0x" + sig["signer"][2:].swapcase())), False
    yield Case("message in upper case", kit.SPOT, signature=_signature(message=sig["message"].upper())), False
    yield Case("scheme EIP191", kit.SPOT, signature=_signature(scheme="EIP191")), False
    other = kit.edited(kit.MANIFEST, lambda d: d.update(timestamp="2026-12-05T12:00:00Z"))
    yield Case("the exchange's signature of another round", kit.SPOT, signature=kit.signed(other)[1]), False
    yield Case("another round's signature, this round's message", kit.SPOT,
               signature=_signature(signature=json.loads(kit.signed(other)[1])["signature"])), False
    yield Case("signature file with a byte-order mark", kit.SPOT.encode(), kit.MANIFEST.encode(),
               b"\xef\xbb\xbf" + kit.SIGNATURE.encode()), False
    shouting = kit.edited(kit.MANIFEST, lambda d: d["custody"].update(exchange=d["custody"]["exchange"].upper().replace("0X", "0x")))
    yield Case("custody names the exchange in upper case", kit.renamed(kit.SPOT, shouting), *kit.signed(shouting)), False
    yield Case("another key signs for the exchange", kit.SPOT,
               signature=kit.signed(json.loads(kit.MANIFEST), kit.PrivateKey(MALLORY))[1]), False
    unsigned = json.loads(kit.MANIFEST)
    del unsigned["custody"]                 # a round naming no exchange: nothing to check...
    text = kit.as_text(unsigned)
    yield Case("custody stripped", kit.renamed(kit.SPOT, unsigned), text, None), True
    yield Case("custody stripped, the exchange pinned", kit.renamed(kit.SPOT, unsigned), text, None,
               signer=sig["signer"]), False  # ...unless the customer pins the exchange


def _margin_parts():
    for text in ("-0", "+1.2", "1.20", "01.2", "1.2e0"):
        yield Case(f"margin BTC {text!r}", _margin(lambda d, t=text: d["margin"]["balances"].update(BTC=t))), False
    for text in ("-29999", "-030000", "-30000.0", "30000"):
        yield Case(f"margin USDT {text!r}", _margin(lambda d, t=text: d["margin"]["balances"].update(USDT=t))), False
    path = json.loads(kit.MARGIN)["margin"]["path"][0]
    yield Case("path in URL-safe base64", _margin(lambda d: d["margin"].update(
        path=[path.replace("+", "-").replace("/", "_")]))), False
    yield Case("path with a line break", _margin(lambda d: d["margin"].update(path=[path[:76] + "\n" + path[76:-1]]))), False
    yield Case("margin leaf_index -0", kit.MARGIN.replace('"leaf_index": 1', '"leaf_index": -0')), False
    yield Case("margin part beside spot leaves", _margin(lambda d: d.update(assets=json.loads(kit.SPOT)["assets"]))), False
    yield Case("spot proof with an empty margin part", _spot(lambda d: d.update(margin={}))), False
    yield Case("a version-1 proof for a margin round", _spot(lambda d: (d.update(version=1), d.pop("margin")))), False
    yield Case("neither spot leaves nor a margin part", _margin(lambda d: d.update(margin=None))), False
    yield Case("an all-zero account", _margin(lambda d: d["margin"].update(
        balances={"BTC": "0", "ETH": "0", "USDT": "0"}))), False
    units = {"BTC": 10**8, "ETH": 0, "USDT": -10**6}
    doc, proof = kit.forged_margin("mallory", MALLORY, units)
    proof["margin"]["balances"] = {"BTC": "1", "ETH": "0", "USDT": "-1"}
    yield Case("forged one-account tree", kit.as_text(proof), *kit.signed(doc)), True
    proof["margin"]["balances"]["USDT"] = "-0.999999"
    yield Case("forged one-account tree, a smaller debt shown", kit.as_text(proof), *kit.signed(doc)), False


def _points():
    """Siblings the exchange spells outside §2.2's one encoding, hashing its root over them."""
    canonical, beyond_p = kit.small_x_point()
    h = hashlib.sha256(b"a sibling's hash").digest()
    off_curve = next(b"\x02" + x.to_bytes(32, "big") for x in range(2, 1000) if x**3 + 7 != pow(
        pow(x**3 + 7, (kit.P + 1) // 4, kit.P), 2, kit.P))
    pair = lambda sibling, point=None: kit.forged_spot_pair("mallory", MALLORY, 5, sibling, h, point)
    for name, (doc, proof), valid in (
            ("a sibling of least x", pair(canonical), True),
            ("the sibling spelled with x + p", pair(beyond_p, kit.Point.from_bytes(canonical)), False),
            ("the sibling with prefix 04", pair(b"\x04" + canonical[1:], kit.Point.from_bytes(canonical)), False),
            ("a sibling off the curve", pair(off_curve, kit.Point.generator()), False),
            ("a sibling summing to the identity", _identity_pair(h), False)):
        proof["assets"]["BTC"]["balance"] = "0.00000005"
        yield Case(f"spot tree of 2: {name}", kit.as_text(proof), *kit.signed(doc)), valid
    doc, proof = pair(canonical)
    proof["assets"]["BTC"].update(balance="0.00000005", leaf_index=1)
    yield Case("spot tree of 2: the leaf moved to index 1", kit.as_text(proof), *kit.signed(doc)), False
    units = {"BTC": 10**8, "ETH": 0, "USDT": -10**6}
    for name, spelled, valid in (("canonical", canonical, True), ("one point spelled x + p", beyond_p, False)):
        doc, proof = kit.forged_margin_pair("mallory", MALLORY, units, [canonical] * 5 + [spelled], h)
        proof["margin"]["balances"] = {"BTC": "1", "ETH": "0", "USDT": "-1"}
        yield Case(f"account tree of 2: a sibling node, {name}", kit.as_text(proof), *kit.signed(doc)), valid


def _identity_pair(h):
    """The spot pair whose sibling is the leaf's negation: the root sum is the identity."""
    doc, _ = kit.forged_spot("BTC", "mallory", MALLORY, 5)
    negated = (-kit.Point.from_bytes(bytes.fromhex(doc["assets"]["BTC"]["root"]["commitment"]))).to_bytes()
    return kit.forged_spot_pair("mallory", MALLORY, 5, negated, h)


CASES = [*_json_spellings(), *_forged_manifest_spellings(), *_spot_balances(), *_customer_figures(),
         *_signatures(), *_margin_parts(), *_points()]


@pytest.fixture(scope="module")
def js(tmp_path_factory):
    return kit.js_verdicts([c for c, _ in CASES], _node(), tmp_path_factory.mktemp("js-attacks"))


def test_case_names_are_unique():
    assert len({c.name for c, _ in CASES}) == len(CASES)


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c.name for c, _ in CASES])
def test_js_and_python_give_the_true_verdict(js, index, tmp_path):
    case, valid = CASES[index]
    code, shown = kit.python_verdict(case, tmp_path)
    assert (code == 0, js[index]["valid"]) == (valid, valid), js[index]["reason"]
    assert js[index]["reason"] if not valid else js[index]["shown"] == shown


def _shape_cases():
    """(capacity, index, Python's steps or None) on capacities at and around every rule of §6.15."""
    rng = random.Random(20261204)
    capacities = [0, 1, 2, 3, 1023, 1024, 1025, 1536, 2560, 3072, 3584, 7168, 2**31, 2**32 - 1024, 2**32 - 1,
                  2**32, 2**32 + 1024] + [rng.randrange(1, 2**22) * 1024 for _ in range(30)]
    out = []
    for capacity in capacities:
        for index in sorted({-1, 0, 1, capacity // 2, capacity - 1, capacity, rng.randrange(max(capacity, 1))}):
            try:
                steps = [[level, left] for level, left in account_tree.steps(capacity, index)]
            except Exception:  # refused: the JS must refuse too
                steps = None
            out.append([capacity, index, steps])
    return out


SHAPES = """
const { pathShape } = await import(process.argv[1]);
const cases = JSON.parse(await new Promise((done) => { let s = ''; process.stdin.on('data', (d) => { s += d; }).on('end', () => done(s)); }));
const shape = (c, i) => { try { return pathShape(c, i).map(({ level, left }) => [level, left]); } catch { return null; } };
process.stdout.write(JSON.stringify(cases.map(([c, i]) => shape(c, i))));
"""


def test_path_shapes_are_pythons_on_edge_capacities():
    cases = _shape_cases()
    run = subprocess.run([_node(), "--input-type=module", "-e", SHAPES, str(ROOT / "zksolv" / "web" / "js" / "account.js")],
                         input=json.dumps(cases), capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]
    got = json.loads(run.stdout)
    assert [c for c, g in zip(cases, got) if g != c[2]] == []
    assert sum(c[2] is None for c in cases) > 40 and sum(c[2] is not None for c in cases) > 150
