"""Customer inclusion proofs: build from the prover's state, verify against the published
attestation (DESIGN §6; SPEC.md §6.11)."""

from zksolv import roundkeys, tree
from zksolv.amounts import format_amount, parse_amount
from zksolv.attestation.manifest import Manifest
from zksolv.commitments import commit
from zksolv.errors import EncodingError, InputError, InvalidProof
from zksolv.fsutil import read_json
from zksolv.hashing import id_hash, leaf_hash
from zksolv.state import State

FORMAT = "zksolv-inclusion"
VERSION = 1


def build(state: State, manifest: Manifest, user_id: str) -> dict:
    """The inclusion proof of `user_id` for every asset they hold this round."""
    holdings = state.holdings(user_id)
    if not holdings:
        raise InputError(f"user {user_id!r} holds nothing in this round")
    secret = roundkeys.user_secret(state.meta["master_secret"], user_id)
    assets = {}
    for asset, position, units in holdings:
        decimals = manifest.reserves.assets[asset].decimals
        assets[asset] = {"balance": format_amount(units, decimals), "leaf_index": position,
                         "path": [[c.hex(), h.hex()] for c, h in state.path(asset, position)]}
    return {"format": FORMAT, "version": VERSION, "attestation_id": manifest.attestation_id,
            "manifest": manifest.digest().hex(), "user_id": user_id, "user_secret": secret.hex(),
            "assets": assets}


def load(path) -> dict:
    doc = read_json(path, "inclusion proof")
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("version") != VERSION:
        raise EncodingError(f"{path}: not a version-{VERSION} zksolv inclusion proof")
    return doc


def verify(doc: dict, manifest: Manifest, user_id: str | None = None,
           expected: dict[str, str] | None = None) -> dict[str, str]:
    """Check every asset's leaf walks to the manifest's root; returns {asset: balance}."""
    try:
        return _verify(doc, manifest, user_id, expected or {})
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise EncodingError(f"malformed inclusion proof ({type(exc).__name__}: {exc})") from None


def not_covered(manifest: Manifest, proven: dict[str, str]) -> list[str]:
    """The attestation's assets an inclusion proof says nothing about (SPEC.md §6.11): the
    customer is told, so a proof that leaves out a holding cannot pass unnoticed."""
    return sorted(set(manifest.assets) - set(proven))


def _verify(doc, manifest, user_id, expected):
    if doc["manifest"] != manifest.digest().hex() or doc["attestation_id"] != manifest.attestation_id:
        raise InvalidProof("this inclusion proof is for another attestation (round or exchange)")
    if user_id is not None and doc["user_id"] != user_id:
        raise InvalidProof(f"this inclusion proof is for user {doc['user_id']!r}, not {user_id!r}")
    secret = bytes.fromhex(doc["user_secret"])
    if not doc["assets"]:
        raise InvalidProof("this inclusion proof proves no balance: it checks nothing")
    proven = {}
    for asset, item in doc["assets"].items():
        proven[asset] = _verify_asset(doc["user_id"], secret, asset, item, manifest)
    for asset, amount in expected.items():
        decimals = manifest.reserves.assets[asset].decimals if asset in manifest.reserves.assets else None
        if asset not in proven or decimals is None or parse_amount(amount, decimals) != \
                parse_amount(proven[asset], decimals):
            raise InvalidProof(f"{asset}: the attestation counts {proven.get(asset, 'nothing')}, "
                               f"not {amount}")
    return proven


def _verify_asset(user_id, secret, asset, item, manifest) -> str:
    entry = manifest.assets.get(asset)
    if entry is None:
        raise InvalidProof(f"{asset} is not attested in this round")
    decimals = manifest.reserves.assets[asset].decimals
    units = parse_amount(item["balance"], decimals)
    leaf_bits = manifest.reserves.assets[asset].leaf_bits
    if units >> leaf_bits:  # else a balance b + n would walk to the leaf of b
        raise InvalidProof(f"{asset}: balance {item['balance']} is beyond the leaf range 2^{leaf_bits}")
    siblings = [(bytes.fromhex(c), bytes.fromhex(h)) for c, h in item["path"]]
    if 1 << len(siblings) != entry.capacity:
        raise InvalidProof(f"{asset}: path length does not match the capacity {entry.capacity}")
    c = commit(units, roundkeys.leaf_blinding(secret, asset)).to_bytes()
    h = leaf_hash(asset, id_hash(user_id, roundkeys.leaf_salt(secret, asset)), c)
    if tree.walk(int(item["leaf_index"]), c, h, siblings) != (entry.root_commitment, entry.root_hash):
        raise InvalidProof(f"{asset}: the leaf does not lead to the attested root")
    return format_amount(units, decimals)
