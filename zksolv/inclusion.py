"""Customer inclusion proofs: build from the prover's state, verify against the published
attestation (DESIGN §6; SPEC.md §6.11)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zksolv import roundkeys, strictjson, tree
from zksolv.amounts import format_amount, parse_amount
from zksolv.attestation.manifest import Manifest
from zksolv.commitments import commit
from zksolv.errors import EncodingError, InputError, InvalidProof
from zksolv.fsutil import read_json
from zksolv.group.curve import POINT_BYTES
from zksolv.hashing import HASH_BYTES, id_hash, leaf_hash
from zksolv.ledger import MAX_USER_ID_BYTES
from zksolv.reserves.file import IDENTIFIER

if TYPE_CHECKING:  # the prover's state: the customer's check never opens one
    from zksolv.state import State

FORMAT = "zksolv-inclusion"
VERSION = 1


def build(state: State, manifest: Manifest, user_id: str) -> dict:
    """The inclusion proof of `user_id` for every asset they hold this round, checked
    against the manifest before it is returned: a damaged state gives an InputError here,
    never a proof the customer then sees fail."""
    return checked(assemble(state, manifest, user_id), lambda doc: verify(doc, manifest, user_id))


def checked(doc: dict, check) -> dict:
    """`doc` once `check(doc)` passes: a proof built from a damaged state is an InputError
    for the exchange, never a proof its customer then sees fail."""
    try:
        check(doc)
    except (InvalidProof, EncodingError) as exc:
        raise InputError(f"the state file does not match its manifest (damaged?): {exc}") from None
    return doc


def assemble(state: State, manifest: Manifest, user_id: str) -> dict:
    """The inclusion proof as the state gives it, unchecked (`build` checks it)."""
    strictjson.text(user_id, "user id", max_bytes=MAX_USER_ID_BYTES, error=InputError)
    assets = assemble_assets(state, manifest, user_id)
    if not assets:
        raise InputError(f"user {user_id!r} holds nothing in this round")
    secret = roundkeys.user_secret(state.meta["master_secret"], user_id)
    return {"format": FORMAT, "version": VERSION, "attestation_id": manifest.attestation_id,
            "manifest": manifest.digest().hex(), "user_id": user_id, "user_secret": secret.hex(),
            "assets": assets}


def assemble_assets(state: State, manifest, user_id: str) -> dict:
    """The `assets` part: every spot leaf of `user_id`, with its path (SPEC.md §6.11)."""
    assets = {}
    for asset, position, units in state.holdings(user_id):
        if asset not in manifest.assets:
            raise InputError(f"the state file's leaf of {asset} is not in this round's manifest")
        decimals = manifest.reserves.assets[asset].decimals
        depth = manifest.assets[asset].capacity.bit_length() - 1
        assets[asset] = {"balance": format_amount(units, decimals), "leaf_index": position,
                         "path": [[c.hex(), h.hex()] for c, h in state.path(asset, position, depth)]}
    return assets


MAX_BYTES = 1 << 20
"""Largest inclusion proof read (SPEC.md §1.1); a real one is a few KB."""
_FIELDS = ("format", "version", "attestation_id", "manifest", "user_id", "user_secret", "assets")
_ASSET_FIELDS = ("balance", "leaf_index", "path")
MAX_PATH = 32  # log2 of the largest capacity


def load(path) -> dict:
    """The inclusion proof at `path`, every field in its one accepted form (`parse`)."""
    return parse(read_json(path, "inclusion proof", limit=MAX_BYTES), strictjson.one_line(str(path), 200))


def parse(doc, where: str = "inclusion proof") -> dict:
    """`doc` if it has exactly the fields of SPEC.md §6.11, each of the right type and form;
    an EncodingError naming the field otherwise."""
    doc = parse_header(doc, where, VERSION)
    parse_spot_assets(doc["assets"], where)
    return doc


def parse_header(doc, where: str, version: int, extra: tuple[str, ...] = ()) -> dict:
    """The fields every version shares, each in its one form; `extra`: the version's own."""
    doc = strictjson.obj(doc, where, _FIELDS + extra)
    if doc["format"] != FORMAT or type(doc["version"]) is not int or doc["version"] != version:
        raise EncodingError(f"{where}: not a version-{version} zksolv inclusion proof")
    strictjson.text(doc["attestation_id"], f"{where}: attestation_id", IDENTIFIER, max_bytes=128)
    strictjson.hex_bytes(doc["manifest"], f"{where}: manifest", 32)
    strictjson.text(doc["user_id"], f"{where}: user_id", max_bytes=MAX_USER_ID_BYTES)
    strictjson.hex_bytes(doc["user_secret"], f"{where}: user_secret", 32)
    return doc


def parse_spot_assets(assets, where: str) -> None:
    """The `assets` object: spot leaves and their paths (SPEC.md §6.11)."""
    if not isinstance(assets, dict):
        raise EncodingError(f"{where}: assets must be an object")
    for asset, item in assets.items():
        _parse_asset(item, f"{where}: assets.{strictjson.one_line(asset, 40)}")


def _parse_asset(item, where: str) -> None:
    item = strictjson.obj(item, where, _ASSET_FIELDS)
    strictjson.text(item["balance"], f"{where}.balance", max_bytes=80)
    strictjson.integer(item["leaf_index"], f"{where}.leaf_index", 0, (1 << MAX_PATH) - 1)
    path = item["path"]
    if not isinstance(path, list) or len(path) > MAX_PATH:
        raise EncodingError(f"{where}.path: must be a list of at most {MAX_PATH} siblings")
    for k, pair in enumerate(path):
        if not isinstance(pair, list) or len(pair) != 2:
            raise EncodingError(f"{where}.path[{k}]: must be [commitment, hash]")
        strictjson.hex_bytes(pair[0], f"{where}.path[{k}][0]", POINT_BYTES)
        strictjson.hex_bytes(pair[1], f"{where}.path[{k}][1]", HASH_BYTES)


def verify(doc: dict, manifest: Manifest, user_id: str | None = None,
           expected: dict[str, str] | None = None) -> dict[str, str]:
    """Check every asset's leaf walks to the manifest's root; returns {asset: balance}."""
    return _verify(parse(doc), manifest, user_id, expected or {})


def not_covered(manifest: Manifest, proven: dict[str, str]) -> list[str]:
    """The attestation's assets an inclusion proof says nothing about (SPEC.md §6.11): the
    customer is told, so a proof that leaves out a holding cannot pass unnoticed."""
    return sorted(set(manifest.assets) - set(proven))


def _verify(doc, manifest, user_id, expected):
    check_round_and_user(doc, manifest, user_id)
    if not doc["assets"]:
        raise InvalidProof("this inclusion proof proves no balance: it checks nothing")
    proven = verify_spot_assets(doc, manifest)
    check_expected(proven, expected, manifest)
    return proven


def check_round_and_user(doc: dict, manifest, user_id: str | None) -> None:
    """The proof names this attestation (digest and id) and, if given, this user."""
    if doc["manifest"] != manifest.digest().hex() or doc["attestation_id"] != manifest.attestation_id:
        raise InvalidProof("this inclusion proof is for another attestation (round or exchange)")
    if user_id is not None and doc["user_id"] != user_id:
        raise InvalidProof(f"this inclusion proof is for user {doc['user_id']!r}, not {user_id!r}")


def verify_spot_assets(doc: dict, manifest) -> dict[str, str]:
    """Every spot leaf of `doc` walked to its asset's root; {asset: balance}."""
    secret = bytes.fromhex(doc["user_secret"])
    return {asset: _verify_asset(doc["user_id"], secret, asset, item, manifest)
            for asset, item in doc["assets"].items()}


def check_expected(proven: dict[str, str], expected: dict[str, str], manifest) -> None:
    """The customer's own figures (`--balance`) against the spot balances proven; a negative
    figure (a debt) is never a spot balance."""
    for asset, amount in expected.items():
        decimals = manifest.reserves.assets[asset].decimals if asset in manifest.reserves.assets else None
        if asset not in proven or decimals is None or amount.startswith("-") or \
                parse_amount(amount, decimals) != parse_amount(proven[asset], decimals):
            raise InvalidProof(f"{asset}: the attestation counts {proven.get(asset, 'nothing')}, "
                               f"not {amount}")


def _verify_asset(user_id, secret, asset, item, manifest) -> str:
    entry = manifest.assets.get(asset)
    if entry is None:
        raise InvalidProof(f"{asset} is not attested in this round")
    decimals = manifest.reserves.assets[asset].decimals
    units = _balance(item["balance"], decimals, asset)
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


def _balance(text: str, decimals: int, asset: str) -> int:
    """A balance as `build` writes it: the shortest exact decimal (one form per value)."""
    try:
        units = parse_amount(text, decimals)
    except InputError as exc:
        raise EncodingError(f"{asset}.balance: {exc}") from None
    if format_amount(units, decimals) != text:
        raise EncodingError(f"{asset}.balance: {text!r} is not written as {format_amount(units, decimals)!r}")
    return units
