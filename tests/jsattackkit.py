"""A malicious exchange's tools against the customer's JS verifier (zksolv/web/js), and the two
verdicts to compare: the JS one (tests/js/attack-runner.mjs, one node run for many cases) and
Python's `zksolv verify-inclusion` run in this process on the same bytes.

The exchange knows everything: the published attestation of vectors/attestation/ (a margin
round over version-2 reserves, signed), its customers' secrets (their proofs carry them) and
its own signing key (a SHA-256 of a public label, vectors/gen_attestation.py). `forged_*`
rebuild a manifest around a leaf of the exchange's choosing (capacity 1: the root is the
leaf) and sign it, with zksolv's own primitives."""

import base64
import hashlib
import json
import subprocess
from dataclasses import dataclass, field

from coincurve import PrivateKey

import clikit
from conftest import ROOT
from zksolv import inclusion2, roundkeys
from zksolv.accounts import keys as account_keys, leaf as margin_leaf, tree as account_tree
from zksolv.attestation import exchange
from zksolv.commitments import commit
from zksolv.group import Point
from zksolv.hashing import TAG_MANIFEST, id_hash, leaf_hash, node_hash, tagged
from zksolv.statements import canonical_bytes

VECTOR = ROOT / "vectors" / "attestation"
EXCHANGE_KEY = PrivateKey(hashlib.sha256(b"zksolv vectors v1 attestation exchange").digest())
MANIFEST = (VECTOR / "round" / "manifest.json").read_text(encoding="utf-8")
SIGNATURE = (VECTOR / "round" / exchange.FILE).read_text(encoding="utf-8")
SPOT = (VECTOR / "inclusion" / "spot.json").read_text(encoding="utf-8")
MARGIN = (VECTOR / "inclusion" / "margin.json").read_text(encoding="utf-8")


@dataclass
class Case:
    """What a customer is handed (documents as text, or as raw bytes when `raw`) and gives."""

    name: str
    proof: str | bytes
    manifest: str | bytes = MANIFEST
    signature: str | bytes | None = SIGNATURE
    user: str | None = None
    balances: dict = field(default_factory=dict)
    signer: str | None = None


def digest_of(doc: dict) -> str:
    """§6.7's manifest digest over the parsed values (what both verifiers compute)."""
    return tagged(TAG_MANIFEST, canonical_bytes(doc)).hex()


def signed(doc: dict, key: PrivateKey = EXCHANGE_KEY) -> tuple[str, str]:
    """(manifest text, exchange-signature.json text) of `doc`, signed by `key`."""
    sig = exchange.sign(key, bytes.fromhex(digest_of(doc)))
    return json.dumps(doc, indent=1, ensure_ascii=False), json.dumps(sig.to_json(), indent=1)


def renamed(proof_text: str, manifest_doc: dict, **changes) -> str:
    """The proof, naming `manifest_doc`'s digest, with `changes` to its fields."""
    doc = json.loads(proof_text)
    doc.update(manifest=digest_of(manifest_doc), **changes)
    return json.dumps(doc, indent=1, ensure_ascii=False)


def forged_spot(asset: str, user_id: str, secret: bytes, units: int) -> tuple[dict, dict]:
    """(manifest, proof) with `asset`'s spot tree replaced by one leaf: `user_id`'s `units`."""
    doc = json.loads(MANIFEST)
    c = commit(units, roundkeys.leaf_blinding(secret, asset)).to_bytes()
    h = leaf_hash(asset, id_hash(user_id, roundkeys.leaf_salt(secret, asset)), c)
    doc["assets"][asset].update(capacity=1, chunk=1, root={"commitment": c.hex(), "hash": h.hex()})
    proof = json.loads(SPOT)
    proof.update(manifest=digest_of(doc), user_id=user_id, user_secret=secret.hex(),
                 assets={asset: {"balance": None, "leaf_index": 0, "path": []}})
    return doc, proof


def forged_margin(user_id: str, secret: bytes, units: dict[str, int]) -> tuple[dict, dict]:
    """(manifest, proof) whose account tree is one leaf: `user_id`'s signed `units`."""
    doc = json.loads(MANIFEST)
    layout = inclusion2.layout_of(inclusion2.manifest_from_bytes(MANIFEST.encode(), "vector"))
    key, hid = account_keys.customer(secret, user_id)
    opened = margin_leaf.open_leaf(layout, key, hid, margin_leaf.slot_values(layout, units))
    points, cs, h = account_tree.leaf_node(margin_leaf.node_points(layout, opened.leaf), opened.leaf.hash())
    doc["margin"].update(capacity=1, chunk=1, root={"commitments": [cs[i:i + 33].hex() for i in range(0, len(cs), 33)],
                                                    "hash": h.hex()})
    proof = json.loads(MARGIN)
    proof.update(manifest=digest_of(doc), user_id=user_id, user_secret=secret.hex())
    proof["margin"].update(leaf_index=0, path=[])
    return doc, proof


def edited(text: str, edit) -> dict:
    doc = json.loads(text)
    edit(doc)
    return doc


def as_text(doc) -> str:
    return doc if isinstance(doc, (str, bytes)) else json.dumps(doc, indent=1, ensure_ascii=False)


def python_verdict(case: Case, tmp_path) -> tuple[int, dict | None]:
    """`zksolv verify-inclusion --json` on the case's files: (exit code, what a VALID shows:
    {user_id, balances, signed_by, not_covered}, else None)."""
    directory = tmp_path / case.name.replace("/", "_")
    directory.mkdir()
    for name, content in (("manifest.json", case.manifest), (exchange.FILE, case.signature), ("proof.json", case.proof)):
        if content is not None:
            data = content if isinstance(content, bytes) else as_text(content).encode("utf-8")
            (directory / name).write_bytes(data)
    args = ["verify-inclusion", directory / "proof.json", "--attestation", directory, "--json"]
    if case.user is not None:
        args += ["--user", case.user]
    for asset, amount in case.balances.items():
        args += ["--balance", f"{asset}={amount}"]
    if case.signer is not None:
        args += ["--signer", case.signer]
    outcome = clikit.invoke(*args)
    assert outcome.code in clikit.DOCUMENTED_EXITS, outcome.stderr
    if outcome.code:
        return outcome.code, None
    shown = json.loads(outcome.stdout)
    return 0, {k: shown[k] for k in ("user_id", "balances", "signed_by", "not_covered")}


def _js_document(content):
    """Text as it is; bytes as a latin-1 string the runner turns back into the same bytes."""
    if content is None:
        return None, False
    if isinstance(content, bytes):
        return content.decode("latin-1"), True
    return as_text(content), False


def js_verdicts(cases: list[Case], node: str, tmp_path) -> list[dict]:
    """verifyInclusion's verdict on each case, from one node process."""
    rows = []
    for c in cases:
        docs = [_js_document(x) for x in (c.proof, c.manifest, c.signature)]
        raw = {flag for _, flag in docs if _ is not None}
        assert len(raw) == 1, f"{c.name}: give every document as text or every one as bytes"
        rows.append({"proof": docs[0][0], "manifest": docs[1][0], "exchangeSignature": docs[2][0],
                     "bytes": raw.pop(), "userId": c.user, "balances": c.balances or None, "signer": c.signer})
    path = tmp_path / "attack-cases.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    run = subprocess.run([node, "tests/js/attack-runner.mjs", str(path)], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout)
    assert len(out) == len(cases)
    return out




P = 2**256 - 2**32 - 977


def small_x_point() -> tuple[bytes, bytes]:
    """(canonical encoding, the same point spelled with x + p) of the curve point of least x."""
    for x in range(1, 1000):
        y = pow(x**3 + 7, (P + 1) // 4, P)
        if y * y % P == (x**3 + 7) % P:
            prefix = 2 | (y & 1)
            return bytes([prefix]) + x.to_bytes(32, "big"), bytes([prefix]) + (x + P).to_bytes(32, "big")
    raise AssertionError("no point with a small x")


def forged_spot_pair(user_id: str, secret: bytes, units: int, sibling_c: bytes, sibling_h: bytes,
                     sibling_point=None) -> tuple[dict, dict]:
    """(manifest, proof) with BTC's tree of 2 leaves: the customer's at 0, beside a sibling
    whose bytes are `sibling_c` (summed as `sibling_point`, default its decoding) — the root
    the exchange computes over those bytes as given."""
    doc, proof = forged_spot("BTC", user_id, secret, units)
    leaf_c, leaf_h = bytes.fromhex(doc["assets"]["BTC"]["root"]["commitment"]), bytes.fromhex(doc["assets"]["BTC"]["root"]["hash"])
    total = Point.from_bytes(leaf_c) + (sibling_point if sibling_point is not None else Point.from_bytes(sibling_c))
    root_c = (Point.generator() if total.is_identity else total).to_bytes()   # the identity has no encoding
    doc["assets"]["BTC"].update(capacity=2, root={"commitment": root_c.hex(),
                                                  "hash": node_hash(1, leaf_c, leaf_h, sibling_c, sibling_h).hex()})
    proof.update(manifest=digest_of(doc))
    proof["assets"]["BTC"]["path"] = [[sibling_c.hex(), sibling_h.hex()]]
    return doc, proof


def forged_margin_pair(user_id: str, secret: bytes, units: dict[str, int], sibling: list[bytes],
                       sibling_h: bytes) -> tuple[dict, dict]:
    """(manifest, proof) with an account tree of 2 leaves: the customer's at 0, beside a node
    whose 2·A point encodings are `sibling` (their sums decoded canonically, x mod p)."""
    doc, proof = forged_margin(user_id, secret, units)
    root = doc["margin"]["root"]
    leaf = [bytes.fromhex(c) for c in root["commitments"]]
    summed = [(Point.from_bytes(a) + _lenient_point(b)).to_bytes() for a, b in zip(leaf, sibling)]
    doc["margin"].update(capacity=2, chunk=2, root={"commitments": [c.hex() for c in summed], "hash": account_tree.node_hash(
        1, b"".join(leaf), bytes.fromhex(root["hash"]), b"".join(sibling), sibling_h).hex()})
    proof.update(manifest=digest_of(doc))
    proof["margin"]["path"] = [base64.b64encode(b"".join(sibling) + sibling_h).decode("ascii")]
    return doc, proof


def _lenient_point(data: bytes) -> Point:
    """The point `data` names with its x read mod p (how a lax decoder would take x + p)."""
    x = int.from_bytes(data[1:], "big") % P
    return Point.from_bytes(data[:1] + x.to_bytes(32, "big"))
