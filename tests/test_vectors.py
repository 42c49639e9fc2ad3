"""zksolv's published vectors (vectors/*.json) keep verifying (SPEC.md §7; DESIGN §9)."""

import pathlib
import subprocess
import sys

import pytest

from conftest import ROOT, VECTORS, load_json
from zksolv.commitments import GENERATORS_DST, commit
from zksolv.errors import EncodingError, ZksolvError
from zksolv.group import Point, Scalar, hash_to_curve
from zksolv.rangeproof import RangeProof, verify
from zksolv.transcript import Transcript

SUPPORTED_FORMATS = {1}


def _cases(name: str):
    doc = load_json(VECTORS / name)
    assert doc["format_version"] in SUPPORTED_FORMATS
    assert doc["numberOfTests"] == len(doc["tests"]) > 0
    return [pytest.param(doc, t, id=f"{t['tc_id']}-{t['result']}") for t in doc["tests"]]


@pytest.mark.parametrize("doc,case", _cases("encodings.json"))
def test_encodings(doc, case):
    decode = Scalar.from_bytes if case["kind"] == "scalar" else Point.from_bytes
    data = bytes.fromhex(case["data"])
    if case["result"] == "valid":
        assert decode(data).to_bytes() == data
    else:
        with pytest.raises(EncodingError):
            decode(data)


@pytest.mark.parametrize("doc,case", _cases("generators.json"))
def test_generators(doc, case, backend):
    assert doc["notes"]["dst"].encode() == GENERATORS_DST
    point = hash_to_curve(bytes.fromhex(case["msg"]), GENERATORS_DST, backend)
    assert point.to_bytes().hex() == case["point"]


@pytest.mark.parametrize("doc,case", _cases("pedersen.json"))
def test_pedersen(doc, case):
    c = commit(int(case["value"]), int(case["blinding"], 16))
    assert (c.to_bytes().hex() == case["commitment"]) == (case["result"] == "valid")


@pytest.mark.parametrize("doc,case", _cases("transcript.json"))
def test_transcript(doc, case):
    t = Transcript(case["domain"].encode())
    got = []
    for op in case["ops"]:
        if op[0] == "append":
            t.append(op[1].encode(), bytes.fromhex(op[2]))
        else:
            got.append(f"{t.challenge_scalar(op[1].encode()):064x}")
    assert got == case["challenges"]


def _verify_case(case):
    t = Transcript(b"zksolv/vectors")
    t.append(b"context", bytes.fromhex(case["context"]))
    commitments = [Point.from_bytes(bytes.fromhex(c)) for c in case["commitments"]]
    verify(t, RangeProof.from_bytes(bytes.fromhex(case["proof"])), commitments, case["n"])


@pytest.mark.parametrize("doc,case", _cases("rangeproof.json"))
def test_rangeproofs(doc, case):
    if case["result"] == "valid":
        _verify_case(case)
    else:
        with pytest.raises(ZksolvError):
            _verify_case(case)


def test_generator_script_reproduces_the_files():
    """The seeded generator is deterministic: regenerating changes nothing (CI also diffs)."""
    script = pathlib.Path(ROOT / "vectors" / "generate.py")
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
