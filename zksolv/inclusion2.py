"""Customer inclusion proofs of a margin round: version 2 (SPEC.md §6.16; MARGIN.md §13).

    {"format": "zksolv-inclusion", "version": 2, "attestation_id", "manifest", "user_id",
     "user_secret", "assets": {ASSET: {…as in version 1…}}, "margin": null | {…§6.16…}}

A spot customer of a margin round has spot leaves (`assets`, checked as in version 1) and
`margin: null`; a margin customer has every holding in one account leaf (`margin`, checked
by zksolv.accounts.inclusion) and no spot leaf. A proof with neither proves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from zksolv import roundkeys, strictjson
from zksolv.accounts import inclusion as account_inclusion
from zksolv.accounts.layout import Layout, build as build_layout
from zksolv.attestation.manifest2 import ManifestV2
from zksolv.errors import EncodingError, InputError, InvalidProof
from zksolv.inclusion import (
    FORMAT, assemble_assets, check_expected, check_round_and_user, checked, parse_header, parse_spot_assets,
    verify_spot_assets,
)

if TYPE_CHECKING:  # the prover's state: the customer's check never opens one
    from zksolv.state import State

VERSION = 2


@dataclass(frozen=True)
class Checked:
    """What a customer is shown: whose proof it is (always named: without --user, a proof of
    another customer's equal balance would pass unnoticed), spot balances, and for a margin
    account its whole leaf."""

    user_id: str
    balances: dict[str, str]
    margin: dict | None


def layout_of(manifest: ManifestV2) -> Layout:
    """The round's margin-leaf layout, from public data alone (SPEC.md §6.14)."""
    decimals = manifest.reserves.decimals
    return build_layout(manifest.market.coefficients(decimals), manifest.reserves.leaf_bits)


def build(state: State, manifest: ManifestV2, user_id: str) -> dict:
    """`user_id`'s version-2 proof, checked against the manifest before it is returned."""
    return checked(assemble(state, manifest, user_id), lambda doc: verify(doc, manifest, user_id))


def assemble(state: State, manifest: ManifestV2, user_id: str) -> dict:
    strictjson.text(user_id, "user id", max_bytes=256, error=InputError)
    secret = roundkeys.user_secret(state.meta["master_secret"], user_id)
    account = state.margin_account(user_id)
    margin = None
    if account is not None:
        index, balances = account
        layout = layout_of(manifest)
        path = state.margin_path(index, manifest.margin.capacity, len(layout.assets))
        margin = account_inclusion.build(user_id, secret, balances, index, path, layout, manifest.reserves.decimals)
    assets = assemble_assets(state, manifest, user_id)
    if margin is None and not assets:
        raise InputError(f"user {user_id!r} holds nothing in this round")
    return {"format": FORMAT, "version": VERSION, "attestation_id": manifest.attestation_id,
            "manifest": manifest.digest().hex(), "user_id": user_id, "user_secret": secret.hex(),
            "assets": assets, "margin": margin}


def parse(doc, where: str = "inclusion proof") -> dict:
    """The version-2 fields in their one accepted form; the margin part is parsed against the
    round's layout when it is verified."""
    doc = parse_header(doc, where, VERSION, extra=("margin",))
    parse_spot_assets(doc["assets"], where)
    if doc["margin"] is not None and not isinstance(doc["margin"], dict):
        raise EncodingError(f"{where}: margin must be null or an object")
    return doc


def verify(doc: dict, manifest: ManifestV2, user_id: str | None = None,
           expected: dict[str, str] | None = None) -> Checked:
    """Every spot leaf and the account leaf walk to the manifest's roots (SPEC.md §6.16)."""
    doc = parse(doc)
    check_round_and_user(doc, manifest, user_id)
    if not doc["assets"] and doc["margin"] is None:
        raise InvalidProof("this inclusion proof proves no balance: it checks nothing")
    balances = verify_spot_assets(doc, manifest)
    margin = None
    if doc["margin"] is not None:
        if doc["assets"]:
            raise InvalidProof("a margin account holds everything in its account leaf, not in spot leaves")
        margin = _verify_margin(doc, manifest, expected or {})
    else:
        check_expected(balances, expected or {}, manifest)
    return Checked(doc["user_id"], balances, margin)


def _verify_margin(doc, manifest: ManifestV2, expected: dict[str, str]) -> dict:
    scenarios = ["base"] + [s.name for s in manifest.market.scenarios]
    root = (manifest.margin.root_commitments, manifest.margin.root_hash)
    return account_inclusion.verify(doc["margin"], doc["user_id"], bytes.fromhex(doc["user_secret"]),
                                    layout_of(manifest), manifest.reserves.decimals, root,
                                    manifest.margin.capacity, scenarios, expected)


# -- either version: what the CLI calls ------------------------------------------------------

def manifest_from_bytes(data: bytes, where: str):
    """A round's manifest of either version, from its JSON bytes (as kept in the state)."""
    from zksolv.attestation import manifest as manifest1, manifest2

    doc = manifest1.loads(data, where)
    if manifest2.version_of(doc) == manifest2.VERSION:
        return manifest2.parse(doc, where)
    return manifest1.from_bytes(data, where)


def read_manifest(path):
    """The published manifest at `path`, of either version (a customer needs no addresses)."""
    from zksolv.attestation import manifest as manifest1, manifest2
    from zksolv.fsutil import read_json

    doc = read_json(path, "manifest", limit=manifest1.MAX_BYTES)
    if manifest2.version_of(doc) == manifest2.VERSION:
        return manifest2.parse(doc, strictjson.one_line(str(path), 200))
    return manifest1.read(path, check_addresses=False)


def build_any(state: State, manifest, user_id: str) -> dict:
    """The inclusion proof of the manifest's version: 2 for a margin round, else 1."""
    from zksolv import inclusion

    return build(state, manifest, user_id) if isinstance(manifest, ManifestV2) else \
        inclusion.build(state, manifest, user_id)


def verify_any(path, manifest, user_id: str | None, expected: dict[str, str]) -> Checked:
    """Load the proof at `path` and check it against `manifest`, whichever their version; a
    proof of one version for a round of the other is refused."""
    from zksolv import inclusion
    from zksolv.fsutil import read_json

    doc = read_json(path, "inclusion proof", limit=inclusion.MAX_BYTES)
    return verify_doc(doc, strictjson.one_line(str(path), 200), manifest, user_id, expected)


def verify_doc(doc, where: str, manifest, user_id: str | None, expected: dict[str, str]) -> Checked:
    """`verify_any` on a proof already read (a history pairs proofs by the round they name)."""
    from zksolv import inclusion

    if isinstance(manifest, ManifestV2):
        return verify(parse(doc, where), manifest, user_id, expected)
    doc = inclusion.parse(doc, where)
    return Checked(doc["user_id"], inclusion.verify(doc, manifest, user_id, expected), None)
