"""What a round publishes of a version-2 reserves file beside its assets: the `custody`
object of the manifest (SPEC.md §6.7) — the reserves' version, the exchange's identity and
every chain's pinned block. A version-1 round publishes none, so its manifest and digest are
as they always were."""

from zksolv import reserves as reserves_module, strictjson
from zksolv.errors import EncodingError
from zksolv.reserves import Reserves
from zksolv.statements import canonical_bytes

KEY = "custody"
FIELDS = ("reserves_version", "exchange", "chains")


def published(reserves: Reserves) -> dict:
    """The manifest's top-level entries for `reserves`: {"custody": …} for version 2, else {}."""
    custody = reserves_module.custody_json(reserves)
    return {} if custody is None else {KEY: custody}


def reserves_document(doc: dict, reserve_fields: tuple[str, ...], where: str) -> dict:
    """The reserves document a manifest publishes: its assets' reserve fields, and for a
    version-2 round the custody object's exchange and chains."""
    assets = doc["assets"]
    document = {"attestation_id": doc["attestation_id"],
                "assets": {n: {k: a[k] for k in reserve_fields} for n, a in assets.items()}}
    if KEY not in doc:
        return document
    custody = strictjson.obj(doc[KEY], f"{where}: {KEY}", FIELDS)
    if type(custody["reserves_version"]) is not int or custody["reserves_version"] != 2:
        raise EncodingError(f"{where}: {KEY}.reserves_version: must be 2")
    return {"version": 2, **document, "exchange": custody["exchange"], "chains": custody["chains"]}


def check_normalized(doc: dict, reserves: Reserves, where: str) -> None:
    """A published custody object is in its one accepted form: the exchange in lower case,
    every block hash in its family's canonical spelling (what `published` writes)."""
    if KEY in doc and canonical_bytes(doc[KEY]) != canonical_bytes(published(reserves)[KEY]):
        raise EncodingError(f"{where}: {KEY}: not in its normalized form (exchange and block hashes in "
                            "lower case, SPEC.md §6.7)")


def describe(reserves: Reserves) -> dict | None:
    """What verify and audit report of a version-2 round's custody (None for version 1)."""
    if reserves.version == 1:
        return None
    return {"exchange": reserves.exchange,
            "chains": {n: {"height": b.height, "hash": b.hash, **({"chain_id": b.chain.chain_id}
                                                                  if b.chain.chain_id else {})}
                       for n, b in reserves.chains.items()}}
