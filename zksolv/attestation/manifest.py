"""The manifest: the published, hashable summary of an attestation (SPEC.md §6.7).

Stored as `manifest.json`. Its digest is tagged SHA-256 over the canonical JSON
(sorted keys, no white space, UTF-8); inclusion proofs name that digest.
"""

import json
from dataclasses import dataclass, replace

from zksolv import reserves as reserves_module
from zksolv.errors import EncodingError
from zksolv.fsutil import read_json
from zksolv.hashing import TAG_MANIFEST, TAG_MANIFEST_BODY, tagged
from zksolv.reserves import Reserves
from zksolv.statements import canonical_bytes

FORMAT = "zksolv-attestation"
VERSION = 1
FILE = "manifest.json"


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


def from_bytes(data: bytes, where: str) -> Manifest:
    """A manifest from its JSON bytes (as kept in the prover's state)."""
    try:
        return _parse(json.loads(data), where)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise EncodingError(f"{where}: malformed manifest ({type(exc).__name__}: {exc})") from None


def read(path, check_addresses: bool = True) -> Manifest:
    """Parse `manifest.json` strictly; malformed content is an EncodingError naming the field.

    `check_addresses=False` is for a customer's inclusion check, which needs no addresses."""
    doc = read_json(path, "manifest")
    try:
        return _parse(doc, str(path), check_addresses)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise EncodingError(f"{path}: malformed manifest ({type(exc).__name__}: {exc})") from None


def _parse(doc: dict, where: str, check_addresses: bool = True) -> Manifest:
    if doc["format"] != FORMAT or doc["version"] != VERSION:
        raise EncodingError(f"{where}: not a version-{VERSION} zksolv attestation")
    assets = doc["assets"]
    reserves = reserves_module.parse(
        {"attestation_id": doc["attestation_id"],
         "assets": {n: {k: a[k] for k in ("decimals", "leaf_bits", "wallets")} for n, a in assets.items()}},
        where, check_addresses)
    entries = {name: _parse_asset(a) for name, a in assets.items()}
    previous = doc["previous"]
    if previous is not None and (not isinstance(previous, str) or len(bytes.fromhex(previous)) != 32):
        raise EncodingError(f"{where}: previous must be null or a 32-byte hex digest")
    return Manifest(doc["attestation_id"], str(doc["timestamp"]), previous, str(doc["circuits"]["name"]),
                    _hex(doc["circuits"]["hash"], 32), reserves, entries)


def _parse_asset(a: dict) -> AssetEntry:
    cov = a["coverage"]
    coverage = None if cov is None else Coverage(int(cov["ratio"][0]), int(cov["ratio"][1]),
                                                 bytes.fromhex(cov["proof"]))
    capacity, chunk = int(a["capacity"]), int(a["chunk"])
    if capacity < 1 or capacity & (capacity - 1) or chunk < 1 or chunk & (chunk - 1) or chunk > capacity:
        raise ValueError("capacity and chunk must be powers of two with chunk ≤ capacity")
    audit = a["audit"]
    return AssetEntry(capacity, chunk, _hex(a["root"]["commitment"], 33), _hex(a["root"]["hash"], 32),
                      bytes.fromhex(a["solvency"]["proof"]), coverage, str(audit["file"]),
                      str(audit["sha256"]), int(audit["bytes"]))


def _hex(text: str, size: int) -> bytes:
    data = bytes.fromhex(text)
    if len(data) != size:
        raise ValueError(f"expected {size} bytes of hex, got {len(data)}")
    return data
