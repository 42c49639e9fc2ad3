"""The manifest: the published, hashable summary of an attestation (SPEC.md §6.7).

Stored as `manifest.json`. Its digest is tagged SHA-256 over the canonical JSON
(sorted keys, no white space, UTF-8); inclusion proofs name that digest.
"""

import json
import re
from dataclasses import dataclass, replace
from datetime import datetime

from zksolv import reserves as reserves_module, strictjson
from zksolv.attestation import custody
from zksolv.errors import EncodingError, InputError
from zksolv.fsutil import read_json
from zksolv.group import Point
from zksolv.hashing import TAG_MANIFEST, TAG_MANIFEST_BODY, tagged
from zksolv.rangeproof import RangeProof
from zksolv.reserves import Reserves
from zksolv.statements import canonical_bytes

FORMAT = "zksolv-attestation"
VERSION = 1
FILE = "manifest.json"
MAX_RATIO_DIGITS = 80
"""Longest coverage ratio term read; verify bounds p and q further (SPEC.md §6.7)."""


@dataclass(frozen=True)
class Coverage:
    numerator: int  # p
    denominator: int  # q
    proof: bytes

    @property
    def percent(self) -> str:
        whole, rest = divmod(self.numerator * 100 * 10**6 // self.denominator, 10**6)
        return f"{whole}.{rest:06d}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class AssetEntry:
    capacity: int
    chunk: int
    root_commitment: bytes
    root_hash: bytes
    solvency_proof: bytes
    coverage: Coverage | None
    audit_file: str
    audit_sha256: str
    audit_bytes: int

    @property
    def coverage_percent(self) -> str | None:
        return self.coverage.percent if self.coverage else None


@dataclass(frozen=True)
class Manifest:
    attestation_id: str
    timestamp: str
    previous: str | None
    circuits_name: str
    circuits_hash: bytes
    reserves: Reserves
    assets: dict[str, AssetEntry]

    def to_json(self) -> dict:
        published = reserves_module.to_json(self.reserves)
        return {
            "format": FORMAT, "version": VERSION, "attestation_id": self.attestation_id,
            "timestamp": self.timestamp, "previous": self.previous,
            "circuits": {"name": self.circuits_name, "hash": self.circuits_hash.hex()},
            "assets": {name: _asset_json(published[name], e) for name, e in self.assets.items()},
            **custody.published(self.reserves),
        }

    def digest(self) -> bytes:
        return tagged(TAG_MANIFEST, canonical_bytes(self.to_json()))

    def body_digest(self) -> bytes:
        """Digest of the manifest with every proof blanked: what solvency proofs bind."""
        return tagged(TAG_MANIFEST_BODY, canonical_bytes(self.without_proofs().to_json()))

    def without_proofs(self) -> "Manifest":
        blank = {a: replace(e, solvency_proof=b"",
                            coverage=e.coverage and replace(e.coverage, proof=b""))
                 for a, e in self.assets.items()}
        return replace(self, assets=blank)

    def write(self, path) -> None:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_json(), f, indent=1, sort_keys=True, ensure_ascii=False)
            f.write("\n")


def _asset_json(published: dict, e: AssetEntry) -> dict:
    coverage = None if e.coverage is None else {
        "ratio": [str(e.coverage.numerator), str(e.coverage.denominator)], "proof": e.coverage.proof.hex()}
    return {**published, "capacity": e.capacity, "chunk": e.chunk,
            "root": {"commitment": e.root_commitment.hex(), "hash": e.root_hash.hex()},
            "solvency": {"proof": e.solvency_proof.hex()}, "coverage": coverage,
            "audit": {"file": e.audit_file, "sha256": e.audit_sha256, "bytes": e.audit_bytes}}


MAX_BYTES = 16 << 20
"""Largest manifest read (SPEC.md §1.1)."""
MAX_CAPACITY = 1 << 32
MAX_CHUNK = 256
"""Largest chunk (range proofs aggregated per audit-file proof) a verifier accepts: the
largest `prove --chunk`; a larger claim would make `audit` derive millions of generators."""
MAX_PROOF_BYTES = 1 << 16
TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_TOP = ("format", "version", "attestation_id", "timestamp", "previous", "circuits", "assets")
_ASSET = ("decimals", "leaf_bits", "wallets", "capacity", "chunk", "root", "solvency", "coverage", "audit")
_RESERVE_FIELDS = ("decimals", "leaf_bits", "wallets")


def from_bytes(data: bytes, where: str) -> Manifest:
    """A manifest from its JSON bytes (as kept in the prover's state)."""
    return _parse(loads(data, where), where)


def loads(data: bytes, where: str):
    """The strict JSON document of a manifest (any version)."""
    try:
        return strictjson.loads(data)
    except strictjson.JSONError as exc:
        raise EncodingError(f"{where}: manifest is not valid strict JSON: {exc}") from None


def read(path, check_addresses: bool = True) -> Manifest:
    """Parse `manifest.json` strictly; malformed content is an EncodingError naming the field.

    `check_addresses=False` is for a customer's inclusion check, which needs no addresses."""
    return _parse(read_json(path, "manifest", limit=MAX_BYTES), strictjson.one_line(str(path), 200), check_addresses)


def _parse(doc, where: str, check_addresses: bool = True) -> Manifest:
    """Every field in its one accepted form (SPEC.md §6.7, §1.1)."""
    if isinstance(doc, dict) and doc.get("version") == 2 and type(doc["version"]) is int:
        raise EncodingError(f"{where}: a margin attestation (manifest version 2, SPEC.md §6.12.7): "
                            "this command reads version-1 attestations only")
    doc = strictjson.obj(doc, where, _TOP, (custody.KEY,))
    if doc["format"] != FORMAT or type(doc["version"]) is not int or doc["version"] != VERSION:
        raise EncodingError(f"{where}: not a version-{VERSION} zksolv attestation")
    assets = doc["assets"]
    if not isinstance(assets, dict):
        raise EncodingError(f"{where}: assets must be an object")
    entries = {name: _parse_asset(a, f"{where}: assets.{strictjson.one_line(name, 40)}", name)
               for name, a in assets.items()}
    reserves = published_reserves(doc, _RESERVE_FIELDS, where, check_addresses)
    circuits = strictjson.obj(doc["circuits"], f"{where}: circuits", ("name", "hash"))
    return Manifest(doc["attestation_id"], _timestamp(doc["timestamp"], where), _previous(doc["previous"], where),
                    strictjson.text(circuits["name"], f"{where}: circuits.name", max_bytes=128),
                    strictjson.hex_bytes(circuits["hash"], f"{where}: circuits.hash", 32), reserves, entries)


def published_reserves(doc: dict, reserve_fields: tuple[str, ...], where: str, check_addresses: bool = True):
    """The published reserves: the reserves file's fields of every asset (leaf_bits always
    stated) and, for a version-2 round, the custody object (SPEC.md §6.7)."""
    try:
        reserves = reserves_module.parse(custody.reserves_document(doc, reserve_fields, where), where,
                                         check_addresses)
    except InputError as exc:
        raise EncodingError(str(exc)) from None
    custody.check_normalized(doc, reserves, where)
    return reserves


def _timestamp(value, where: str) -> str:
    if not isinstance(value, str) or not TIMESTAMP.fullmatch(value):
        raise EncodingError(f"{where}: timestamp must be YYYY-MM-DDTHH:MM:SSZ")
    try:
        datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise EncodingError(f"{where}: timestamp {value} is not a date and time") from None
    return value


def _previous(value, where: str) -> str | None:
    if value is not None:
        strictjson.hex_bytes(value, f"{where}: previous (null or a manifest digest)", 32)
    return value


def _parse_asset(a, where: str, asset: str) -> AssetEntry:
    a = strictjson.obj(a, where, _ASSET)
    capacity = _power_of_two(a["capacity"], f"{where}.capacity", MAX_CAPACITY)
    chunk = _power_of_two(a["chunk"], f"{where}.chunk", min(capacity, MAX_CHUNK))
    root = strictjson.obj(a["root"], f"{where}.root", ("commitment", "hash"))
    solvency = strictjson.obj(a["solvency"], f"{where}.solvency", ("proof",))
    audit = strictjson.obj(a["audit"], f"{where}.audit", ("file", "sha256", "bytes"))
    if audit["file"] != f"{asset}.audit":
        raise EncodingError(f"{where}.audit.file: must be {asset}.audit")
    return AssetEntry(capacity, chunk, _point(root["commitment"], f"{where}.root.commitment"),
                      strictjson.hex_bytes(root["hash"], f"{where}.root.hash", 32),
                      _proof(solvency["proof"], f"{where}.solvency.proof"),
                      _coverage(a["coverage"], f"{where}.coverage"), audit["file"],
                      strictjson.hex_bytes(audit["sha256"], f"{where}.audit.sha256", 32).hex(),
                      strictjson.integer(audit["bytes"], f"{where}.audit.bytes", 0, 1 << 53))


def _coverage(cov, where: str) -> Coverage | None:
    if cov is None:
        return None
    cov = strictjson.obj(cov, where, ("ratio", "proof"))
    ratio = cov["ratio"]
    if not isinstance(ratio, list) or len(ratio) != 2:
        raise EncodingError(f"{where}.ratio: must be [\"p\", \"q\"]")
    p, q = (strictjson.digits(x, f"{where}.ratio", MAX_RATIO_DIGITS) for x in ratio)
    if not p or not q:
        raise EncodingError(f"{where}.ratio: p and q must be positive")
    return Coverage(p, q, _proof(cov["proof"], f"{where}.proof"))


def _point(value, where: str) -> bytes:
    data = strictjson.hex_bytes(value, where, 33)
    try:
        Point.from_bytes(data)
    except EncodingError as exc:
        raise EncodingError(f"{where}: {exc}") from None
    return data


def _proof(value, where: str) -> bytes:
    data = strictjson.hex_bytes(value, where, max_size=MAX_PROOF_BYTES)
    try:
        RangeProof.from_bytes(data)
    except EncodingError as exc:
        raise EncodingError(f"{where}: {exc}") from None
    return data


def _power_of_two(value, where: str, high: int) -> int:
    strictjson.integer(value, where, 1, high)
    if value & (value - 1):
        raise EncodingError(f"{where}: must be a power of two")
    return value
