"""zksolv's published vectors (vectors/*.json) keep verifying (SPEC.md §7; DESIGN §9)."""

import pathlib
import subprocess
import sys

import pytest

from conftest import ROOT, VECTORS, load_json
from zksolv.commitments import GENERATORS_DST, commit
from zksolv.errors import EncodingError, InvalidProof, ZksolvError
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


# -- margin accounts (SPEC.md §6.13–§6.16) ---------------------------------------------------

def _margin_layout(case):
    from zksolv.accounts.layout import build
    from zksolv.market import parse

    market = parse(case["market"], case["decimals"], "vector")
    return market, build(market.coefficients(case["decimals"]), case["leaf_bits"])


def _vector_transcript(context_hex: str):
    def make():
        t = Transcript(b"zksolv/vectors")
        t.append(b"context", bytes.fromhex(context_hex))
        return t
    return make


def _points(hexes):
    return [Point.from_bytes(bytes.fromhex(h)) for h in hexes]


def _wide_claim(case):
    from zksolv.accounts import widerange
    from zksolv.group import N

    k, value = case["limbs"], int(case["value"])
    limbs = widerange.split(value, k)     # InputError for the invalid rows
    assert [str(v) for v in limbs] == case["limb_values"]
    assert sum(v << (64 * i) for i, v in enumerate(limbs)) == value
    x = commit(value, int(case["blinding"], 16))
    assert x.to_bytes().hex() == case["commitment"]
    highs = [commit(v, int(r, 16)) for v, r in zip(limbs[1:], case["high_blindings"])]
    assert [p.to_bytes().hex() for p in highs] == case["highs"]
    low = x
    for i, p in enumerate(highs, start=1):      # X_0 = X − Σ [2^(64·i)] X_i
        low = low + p * (N - (1 << (64 * i)))
    assert low.to_bytes().hex() == case["low_limb"]
    assert commit(limbs[0], int(case["low_blinding"], 16)) == low


def _wide_proof(case):
    from zksolv import rangeproof
    from zksolv.accounts import widerange

    limbs = []
    for claim in case["claims"]:
        limbs += widerange.derive_limbs(*_points([claim["commitment"]]), _points(claim["highs"]))
    proofs = widerange.decode_proofs(bytes.fromhex(case["proofs"]), len(limbs))
    make = _vector_transcript(case["context"])
    rangeproof.batch_verify(widerange.statements(lambda j: make(), limbs, proofs))


@pytest.mark.parametrize("doc,case", _cases("wide-claims.json"))
def test_wide_claims(doc, case):
    from zksolv.accounts import widerange

    if case["kind"] == "parts":
        if case["result"] == "valid":
            assert widerange.part_sizes(case["count"]) == case["sizes"]
            assert sum(case["sizes"]) == case["count"]
            assert widerange.proofs_size(case["count"]) == case["bytes"]
        else:
            with pytest.raises(ZksolvError):
                widerange.part_sizes(case["count"])
        return
    check = _wide_claim if case["kind"] == "claim" else _wide_proof
    if case["result"] == "valid":
        check(case)
    else:
        with pytest.raises(ZksolvError):
            check(case)


def _layout_json(lay):
    return {"slots": list(lay.slots),
            "claims": [{"name": c.name, "constant": str(c.constant), "terms": [[i, str(k)] for i, k in c.terms],
                        "limbs": c.limbs} for c in lay.claims]}


def _margin_leaf_opening(case, lay):
    """SPEC.md §6.14 read independently: slot blindings, H_id, the leaf hash."""
    from zksolv.accounts import leaf
    from zksolv.market.fixed import parse_signed_amount

    if "user_id" in case:
        key = bytes.fromhex(case["user_secret"])
        salt = _mac(key, b"zksolv/v1/margin-salt", b"")
        id_hash = _tagged(b"zksolv/v1/user-id", _f(case["user_id"]) + salt)
    else:
        i = case["padding_index"].to_bytes(8, "big")
        key = _mac(bytes.fromhex(case["master"]), b"zksolv/v1/margin-padding-key", i)
        id_hash = _mac(bytes.fromhex(case["master"]), b"zksolv/v1/margin-padding-id", i)
    assert id_hash.hex() == case["id_hash"]
    units = {a: parse_signed_amount(case["balances"][a], case["decimals"][a]) for a in lay.assets}
    values = leaf.slot_values(lay, units)
    assert [str(v) for v in values] == case["slot_values"]
    slots = [commit(v, _mac(key, b"zksolv/v1/margin-blinding", _f(name), wide=True))
             for v, name in zip(values, lay.slots)]
    assert [p.to_bytes().hex() for p in slots] == case["slots"]
    body = id_hash + b"".join(p.to_bytes() for p in slots) + b"".join(bytes.fromhex(h) for hs in case["highs"] for h in hs)
    assert _tagged(b"zksolv/v1/margin-leaf", body).hex() == case["hash"]
    opened = leaf.open_leaf(lay, key, id_hash, values)
    assert [[p.to_bytes().hex() for p in h] for h in opened.leaf.highs] == case["highs"]
    assert [str(v) for v in opened.values] == case["limb_values"]
    for c, highs in zip(lay.claims, case["highs"]):       # each high limb: Com(limb, WIDE(key, margin-limb, …))
        first = sum(x.limbs for x in lay.claims[: lay.claims.index(c)])
        for i, h in enumerate(highs, start=1):
            r = _mac(key, b"zksolv/v1/margin-limb", _f(c.name) + bytes([i]), wide=True)
            assert commit(opened.values[first + i], r).to_bytes().hex() == h
    return opened.leaf


@pytest.mark.parametrize("doc,case", _cases("margin-leaf.json"))
def test_margin_leaves(doc, case):
    from zksolv.accounts import leaf, tree

    _, lay = _margin_layout(case)
    if case["kind"] == "layout":
        assert _layout_json(lay) == {k: case["layout"][k] for k in ("slots", "claims")}
        assert lay.limb_values == case["layout"]["limb_values"] == sum(case["layout"]["parts"])
        assert leaf.size(lay) == case["layout"]["leaf_bytes"]
        return
    context = _vector_transcript(case["context"])
    if case["result"] == "invalid":
        with pytest.raises(ZksolvError):
            leaf.verify_leaf(lay, leaf.MarginLeaf.from_bytes(bytes.fromhex(case["leaf"]), lay), context)
        return
    opened = _margin_leaf_opening(case, lay)
    decoded = leaf.MarginLeaf.from_bytes(bytes.fromhex(case["leaf"]), lay)
    assert decoded.body() == opened.body()
    leaf.verify_leaf(lay, decoded, context)
    cs = tree.encode(leaf.node_points(lay, decoded))
    assert (cs.hex(), decoded.hash().hex()) == ("".join(case["node"]["commitments"]), case["node"]["hash"])


def _margin_node(level, left, right):
    """SPEC.md §6.15 read independently: sums point by point, the children's Cs and h hashed."""
    cs = [(a + b).to_bytes() for a, b in zip(_points(left["commitments"]), _points(right["commitments"]))]
    fields = bytes([level]) + b"".join(bytes.fromhex(c) for c in left["commitments"]) + bytes.fromhex(left["hash"]) \
        + b"".join(bytes.fromhex(c) for c in right["commitments"]) + bytes.fromhex(right["hash"])
    return {"commitments": [c.hex() for c in cs], "hash": _tagged(b"zksolv/v1/margin-node", fields).hex()}


def _forest_steps(capacity: int, index: int):
    """SPEC.md §6.15 read independently: (level byte, sibling on the left) bottom up, or None
    for a capacity or index the tree cannot have."""
    if not 1 <= capacity <= 2**32 or (capacity & (capacity - 1) and capacity % 1024) or not 0 <= index < capacity:
        return None
    heights = [k for k in range(32, -1, -1) if capacity >> k & 1]          # largest first
    offsets = [sum(1 << h for h in heights[:t]) for t in range(len(heights))]
    t = max(t for t in range(len(heights)) if offsets[t] <= index)
    local = index - offsets[t]
    out = [(level, bool(local >> (level - 1) & 1)) for level in range(1, heights[t] + 1)]
    if t < len(heights) - 1:
        out.append((0x80 | heights[t], False))
    return out + [(0x80 | heights[s], True) for s in range(t - 1, -1, -1)]


@pytest.mark.parametrize("doc,case", _cases("account-tree.json"))
def test_account_tree(doc, case):
    if "leaves" in case:
        level, nodes = 1, case["leaves"]
        while len(nodes) > 1:
            nodes = [_margin_node(level, nodes[i], nodes[i + 1]) for i in range(0, len(nodes), 2)]
            level += 1
        assert len(case["leaves"]) == case["capacity"] and nodes[0] == case["root"]
        return
    if "subtrees" in case:                # the forest: subtrees largest first, folded right to left
        heights = [k for k in range(32, -1, -1) if case["capacity"] >> k & 1]
        node = case["subtrees"][-1]
        for height, subtree in zip(heights[-2::-1], case["subtrees"][-2::-1]):
            node = _margin_node(0x80 | height, subtree, node)
        assert node == case["root"]
        return
    shape = _forest_steps(case["capacity"], case["index"])
    reached = shape is not None and len(shape) == len(case["path"])
    if reached:
        node = case["leaf"]
        for (level, on_left), sibling in zip(shape, case["path"]):
            node = _margin_node(level, sibling, node) if on_left else _margin_node(level, node, sibling)
        reached = node == case["root"]
    assert reached == (case["result"] == "valid") == _zksolv_walk_reaches(case)


def _zksolv_walk_reaches(case) -> bool:
    """zksolv's own walk (accounts/tree.py) on the same case."""
    from zksolv.accounts import tree

    def node(n):
        cs = b"".join(bytes.fromhex(c) for c in n["commitments"])
        return cs, bytes.fromhex(n["hash"])
    cs, h = node(case["leaf"])
    leaf = tree.leaf_node(tree.decode(cs, len(case["leaf"]["commitments"])), h)
    try:
        return tree.walk(case["index"], leaf, [node(n) for n in case["path"]], case["capacity"]) == node(case["root"])
    except ZksolvError:
        return False


@pytest.mark.parametrize("doc,case", _cases("inclusion-margin.json"))
def test_margin_inclusion_parts(doc, case):
    from zksolv.accounts import inclusion

    market, lay = _margin_layout(case)
    root = ([bytes.fromhex(c) for c in case["root"]["commitments"]], bytes.fromhex(case["root"]["hash"]))
    args = (case["part"], case["user_id"], bytes.fromhex(case["user_secret"]), lay, case["decimals"], root,
            case["capacity"], market.coefficients(case["decimals"]).scenarios)
    if case["result"] == "valid":
        assert inclusion.verify(*args) == case["shown"]
    else:
        with pytest.raises((EncodingError, InvalidProof)):
            inclusion.verify(*args)
