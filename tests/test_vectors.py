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


def _mac(key: bytes, label: bytes, fields: bytes, wide: bool = False):
    """SPEC.md §6.2 read independently: HMAC over u32be(len label) ‖ label ‖ fields."""
    import hashlib
    import hmac

    from zksolv.group import N

    data = len(label).to_bytes(4, "big") + label + fields
    if wide:
        return int.from_bytes(hmac.new(key, data, hashlib.sha512).digest(), "big") % N
    return hmac.new(key, data, hashlib.sha256).digest()


def _f(text: str) -> bytes:
    return len(text.encode()).to_bytes(4, "big") + text.encode()


def _tagged(tag: bytes, fields: bytes) -> bytes:
    import hashlib

    return hashlib.sha256(bytes([len(tag)]) + tag + fields).digest()


@pytest.mark.parametrize("doc,case", _cases("round-secrets.json"))
def test_round_secrets_follow_the_spec(doc, case):
    master = bytes.fromhex(case["master"])
    asset = case["asset"]
    if "index" in case:
        i = case["index"].to_bytes(8, "big")
        assert _mac(master, b"zksolv/v1/padding-id", _f(asset) + i).hex() == case["padding_id"]
        assert _mac(master, b"zksolv/v1/padding-blinding", _f(asset) + i, wide=True) == \
            int(case["padding_blinding"], 16)
        return
    secret = _mac(master, b"zksolv/v1/user-secret", _f(case["user_id"]))
    salt = _mac(secret, b"zksolv/v1/leaf-salt", _f(asset))
    digest = _tagged(b"zksolv/v1/user-id", _f(case["user_id"]) + salt)
    assert (secret.hex(), salt.hex(), digest.hex()) == (case["user_secret"], case["leaf_salt"], case["id_hash"])
    assert _mac(secret, b"zksolv/v1/leaf-blinding", _f(asset), wide=True) == int(case["leaf_blinding"], 16)
    assert _mac(master, b"zksolv/v1/order", _f(asset) + digest).hex() == case["order_key"]


@pytest.mark.parametrize("doc,case", _cases("sum-tree.json"))
def test_sum_tree(doc, case):
    from zksolv.tree import walk

    root = (bytes.fromhex(case["root"]["commitment"]), bytes.fromhex(case["root"]["hash"]))
    leaves = case.get("leaves") or [case["leaf"]]
    for leaf in leaves:
        c = commit(int(leaf["value"]), int(leaf["blinding"], 16)).to_bytes()
        assert c.hex() == leaf["commitment"]
        assert _tagged(b"zksolv/v1/leaf", _f("BTC") + bytes.fromhex(leaf["id_hash"]) + c).hex() == leaf["hash"]
    if "path" not in case:
        return
    path = [(bytes.fromhex(c), bytes.fromhex(h)) for c, h in case["path"]]
    leaf = case["leaf"]
    reached = walk(case["index"], bytes.fromhex(leaf["commitment"]), bytes.fromhex(leaf["hash"]), path)
    assert (reached == root) == (case["result"] == "valid")


@pytest.mark.parametrize("doc,case", _cases("proof-of-control.json"))
def test_proof_of_control(doc, case):
    from zksolv.reserves.bitcoin import verify_signmessage
    from zksolv.reserves.ethereum import verify_personal_sign

    check = verify_personal_sign if case["chain"] == "ethereum" else verify_signmessage
    if case["result"] == "valid":
        check(case["address"], case["message"].encode(), case["signature"])
    else:
        with pytest.raises(ZksolvError):
            check(case["address"], case["message"].encode(), case["signature"])
