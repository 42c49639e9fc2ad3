"""The JS verifier and the Python one agree on 400 exchange-signature files (SPEC.md §6.17) for
the published attestation vector's manifest: the real one and mutations of each field —
flipped or re-cased hex, `0x` dropped or doubled, v changed, the malleated high-s twin, the
signer's case (EIP-55), the message's digest, scheme, extra and missing keys."""

import json
import random
import subprocess

from conftest import ROOT, VECTORS
from test_js_verifier import _node
from zksolv import inclusion2
from zksolv.attestation import exchange
from zksolv.errors import ZksolvError
from zksolv.group import N

ROUND = VECTORS / "attestation" / "round"
CASES = 400


def _flip(rng, text, start=0):
    i = rng.randrange(start, len(text))
    return text[:i] + rng.choice([c for c in "0123456789abcdefABCDEF" if c != text[i]]) + text[i + 1:]


def _high_s(signature: str) -> str:
    raw = bytes.fromhex(signature[2:])
    s = N - int.from_bytes(raw[32:64], "big")
    return "0x" + (raw[:32] + s.to_bytes(32, "big") + bytes([raw[64] ^ 1])).hex()


def mutate(rng, doc: dict) -> dict:
    doc = dict(doc)
    kind = rng.randrange(-3, 12)            # below 0: unchanged
    if kind == 0:
        doc["signature"] = _flip(rng, doc["signature"], 2)
    elif kind == 1:
        doc["signature"] = rng.choice([doc["signature"][2:], doc["signature"].upper().replace("0X", "0x"),
                                       "0X" + doc["signature"][2:], "0x0x" + doc["signature"][2:]])
    elif kind == 2:
        doc["signature"] = doc["signature"][:-2] + format(rng.choice([0, 1, 2, 26, 27, 28, 29, 255]), "02x")
    elif kind == 3:
        doc["signature"] = _high_s(doc["signature"])
    elif kind == 4:
        doc["signer"] = rng.choice([doc["signer"].lower(), doc["signer"].upper().replace("0X", "0x"), _flip(rng, doc["signer"], 2)])
    elif kind == 5:
        doc["message"] = _flip(rng, doc["message"], len("zksolv:manifest:v1:"))
    elif kind == 6:
        doc["message"] = rng.choice([doc["message"].upper(), doc["message"] + " ", doc["message"][:-1]])
    elif kind == 7:
        doc["scheme"] = rng.choice(["EIP191", "eip712", ""])
    elif kind == 8:
        doc[rng.choice(["note", "version"])] = 1
    elif kind == 9:
        del doc[rng.choice(sorted(doc))]
    elif kind == 10:
        doc["signature"] = doc["signature"][: rng.choice([66, 130, 131])]
    elif kind == 11:
        doc["signer"] = "0x" + "11" * 20
    return doc


def python_verdict(doc, manifest) -> bool:
    try:
        exchange.check(exchange.parse(doc, "f"), manifest.digest(), manifest.reserves.exchange, "f")
    except ZksolvError:
        return False
    return True


def test_js_and_python_agree_on_exchange_signatures(tmp_path):
    manifest_text = (ROUND / "manifest.json").read_text(encoding="utf-8")
    manifest = inclusion2.read_manifest(ROUND / "manifest.json")
    good = json.loads((ROUND / exchange.FILE).read_text(encoding="utf-8"))
    rng = random.Random(20261206)
    docs = [mutate(rng, good) for _ in range(CASES)]
    expected = [python_verdict(d, manifest) for d in docs]
    path = tmp_path / "signatures.json"
    path.write_text(json.dumps({"manifest": manifest_text, "files": [json.dumps(d) for d in docs]}))
    run = subprocess.run([_node(), "tests/js/signatures.mjs", str(path)], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    got = json.loads(run.stdout)
    assert [(i, docs[i]) for i in range(CASES) if got[i] != expected[i]] == []
    assert 60 < sum(expected) < CASES - 60
