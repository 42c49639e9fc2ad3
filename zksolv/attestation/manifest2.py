"""The manifest of a margin round: version 2 (MARGIN.md §10; SPEC.md §6.7 extended).

Same file name, digest and body digest rules as version 1 (manifest.py): the digest is tagged
SHA-256 over the canonical JSON; the body digest blanks every `proofs` and `highs` list, and
every statement proof binds it. Parsing is as strict as version 1's: every key known, every
field in its one accepted form, the market in its normalized form (SPEC.md §6.12.2).
"""

import json
from dataclasses import dataclass, replace

from zksolv import market as market_module, reserves as reserves_module, strictjson
from zksolv.accounts import tree as account_tree
from zksolv.attestation import custody
from zksolv.attestation.claims import WideProof
from zksolv.attestation.context import MarketBinding
from zksolv.attestation.manifest import (
    FORMAT, Coverage, MAX_BYTES, loads, MAX_CAPACITY, MAX_CHUNK, MAX_PROOF_BYTES, MAX_RATIO_DIGITS, _power_of_two, _previous,
    _timestamp, published_reserves,
)
from zksolv.attestation.marginfile import FILE as MARGIN_FILE
from zksolv.errors import EncodingError, InputError
from zksolv.fsutil import read_json
from zksolv.hashing import TAG_MANIFEST, TAG_MANIFEST_BODY, tagged
from zksolv.market import Market
from zksolv.reserves import Reserves
from zksolv.statements import canonical_bytes

VERSION = 2
MAX_PARTS = 2        # a wide claim of ≤ 3 limbs is proven in ≤ 2 aggregated parts
_TOP = ("format", "version", "attestation_id", "timestamp", "previous", "circuits", "market", "assets",
        "margin", "firm")
_ASSET = ("decimals", "leaf_bits", "wallets", "capacity", "chunk", "root", "audit", "solvency", "coverage")
_RESERVE_FIELDS = ("decimals", "leaf_bits", "wallets")


@dataclass(frozen=True)
class SpotEntry:
    capacity: int
    chunk: int
    root_commitment: bytes
    root_hash: bytes
    audit_file: str
    audit_sha256: str
    audit_bytes: int
    solvency: WideProof
    coverage: tuple[int, int, WideProof] | None

    @property
    def coverage_percent(self) -> str | None:
        return Coverage(*self.coverage[:2], b"").percent if self.coverage else None


@dataclass(frozen=True)
class MarginEntry:
    capacity: int
    chunk: int
    root_commitments: tuple[bytes, ...]   # E[a], D[a] per asset in sorted order
    root_hash: bytes
    audit_sha256: str
    audit_bytes: int


@dataclass(frozen=True)
class ManifestV2:
    attestation_id: str
    timestamp: str
    previous: str | None
    circuits_name: str
    circuits_hash: bytes
    market: Market
    reserves: Reserves
    assets: dict[str, SpotEntry]
    margin: MarginEntry
    firm_ratio: tuple[int, int]
    firm: tuple[tuple[str, WideProof], ...]   # (scenario, proof), base first

    version = VERSION

    @property
    def market_binding(self) -> MarketBinding:
        """What every proof of the round binds of the market (SPEC.md §6.12.7)."""
        return MarketBinding.of(self.market.digest(), self.reserves.decimals)

    def to_json(self) -> dict:
        published = reserves_module.to_json(self.reserves)
        return {"format": FORMAT, "version": VERSION, "attestation_id": self.attestation_id,
                "timestamp": self.timestamp, "previous": self.previous,
                "circuits": {"name": self.circuits_name, "hash": self.circuits_hash.hex()},
                "market": self.market.to_json(),
                "assets": {a: _asset_json(published[a], e) for a, e in self.assets.items()},
                "margin": _margin_json(self.margin),
                "firm": {"ratio": [str(self.firm_ratio[0]), str(self.firm_ratio[1])],
                         "scenarios": [{"name": n, **_wide_json(w)} for n, w in self.firm]},
                **custody.published(self.reserves)}

    def digest(self) -> bytes:
        return tagged(TAG_MANIFEST, canonical_bytes(self.to_json()))

    def body_digest(self) -> bytes:
        """Digest with every `proofs` and `highs` list emptied: what statement proofs bind."""
        return tagged(TAG_MANIFEST_BODY, canonical_bytes(self.without_proofs().to_json()))

    def without_proofs(self) -> "ManifestV2":
        blank = WideProof((), ())
        assets = {a: replace(e, solvency=blank, coverage=e.coverage and (*e.coverage[:2], blank))
                  for a, e in self.assets.items()}
        return replace(self, assets=assets, firm=tuple((n, blank) for n, _ in self.firm))

    def write(self, path) -> None:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_json(), f, indent=1, sort_keys=True, ensure_ascii=False)
            f.write("\n")


def _wide_json(w: WideProof) -> dict:
    return {"highs": [h.hex() for h in w.highs], "proofs": [p.hex() for p in w.proofs]}


def _asset_json(published: dict, e: SpotEntry) -> dict:
    coverage = None if e.coverage is None else {
        "ratio": [str(e.coverage[0]), str(e.coverage[1])], **_wide_json(e.coverage[2])}
    return {**published, "capacity": e.capacity, "chunk": e.chunk,
            "root": {"commitment": e.root_commitment.hex(), "hash": e.root_hash.hex()},
            "audit": {"file": e.audit_file, "sha256": e.audit_sha256, "bytes": e.audit_bytes},
            "solvency": _wide_json(e.solvency), "coverage": coverage}


def _margin_json(m: MarginEntry) -> dict:
    return {"capacity": m.capacity, "chunk": m.chunk,
            "root": {"commitments": [c.hex() for c in m.root_commitments], "hash": m.root_hash.hex()},
            "audit": {"file": MARGIN_FILE, "sha256": m.audit_sha256, "bytes": m.audit_bytes}}


def version_of(doc) -> int | None:
    """The `version` of a manifest document, if it is an object with an integer one."""
    if isinstance(doc, dict) and type(doc.get("version")) is int:
        return doc["version"]
    return None


def read(path) -> ManifestV2:
    return parse(read_json(path, "manifest", limit=MAX_BYTES), str(path))


def from_bytes(data: bytes, where: str) -> ManifestV2:
    return parse(loads(data, where), where)


def parse(doc, where: str) -> ManifestV2:
    """Every field in its one accepted form; EncodingError naming the field otherwise."""
    doc = strictjson.obj(doc, where, _TOP, (custody.KEY,))
    if doc["format"] != FORMAT or type(doc["version"]) is not int or doc["version"] != VERSION:
        raise EncodingError(f"{where}: not a version-{VERSION} zksolv attestation")
    assets = doc["assets"]
    if not isinstance(assets, dict) or not assets:
        raise EncodingError(f"{where}: assets must be a non-empty object")
    entries = {name: _parse_asset(a, f"{where}: assets.{strictjson.one_line(name, 40)}", name)
               for name, a in assets.items()}
    reserves = published_reserves(doc, _RESERVE_FIELDS, where)
    market = _market(doc["market"], reserves, f"{where}: market")
    circuits = strictjson.obj(doc["circuits"], f"{where}: circuits", ("name", "hash"))
    ratio, firm = _firm(doc["firm"], market, f"{where}: firm")
    return ManifestV2(doc["attestation_id"], _timestamp(doc["timestamp"], where), _previous(doc["previous"], where),
                      strictjson.text(circuits["name"], f"{where}: circuits.name", max_bytes=128),
                      strictjson.hex_bytes(circuits["hash"], f"{where}: circuits.hash", 32), market, reserves,
                      entries, _margin(doc["margin"], len(assets), f"{where}: margin"), ratio, firm)


def _market(doc, reserves: Reserves, where: str) -> Market:
    """The market, parsed against the attested decimals, and only in its normalized form."""
    try:
        market = market_module.parse(doc, reserves.decimals, where)
        market.check_assets(set(reserves.assets))
    except InputError as exc:
        raise EncodingError(str(exc)) from None
    if canonical_bytes(market.to_json()) != canonical_bytes(doc):
        raise EncodingError(f"{where}: not in the normalized form (SPEC.md §6.12.2)")
    return market


def _wide(value, where: str) -> WideProof:
    """{"highs": [...], "proofs": [...]}: at most 2 high limbs, at most MAX_PARTS proofs."""
    highs, proofs = value.get("highs"), value.get("proofs")
    if not isinstance(highs, list) or len(highs) > 2 or not isinstance(proofs, list) \
            or not 1 <= len(proofs) <= MAX_PARTS:
        raise EncodingError(f"{where}: highs must list at most 2 limbs and proofs 1 to {MAX_PARTS} proofs")
    return WideProof(tuple(strictjson.hex_bytes(h, f"{where}.highs", 33) for h in highs),
                     tuple(strictjson.hex_bytes(p, f"{where}.proofs", max_size=MAX_PROOF_BYTES) for p in proofs))


def _ratio(value, where: str) -> tuple[int, int]:
    if not isinstance(value, list) or len(value) != 2:
        raise EncodingError(f"{where}: must be [\"p\", \"q\"]")
    p, q = (strictjson.digits(x, where, MAX_RATIO_DIGITS) for x in value)
    return p, q


def _parse_asset(a, where: str, asset: str) -> SpotEntry:
    a = strictjson.obj(a, where, _ASSET)
    capacity = _power_of_two(a["capacity"], f"{where}.capacity", MAX_CAPACITY)
    chunk = _power_of_two(a["chunk"], f"{where}.chunk", min(capacity, MAX_CHUNK))
    root = strictjson.obj(a["root"], f"{where}.root", ("commitment", "hash"))
    audit = strictjson.obj(a["audit"], f"{where}.audit", ("file", "sha256", "bytes"))
    if audit["file"] != f"{asset}.audit":
        raise EncodingError(f"{where}.audit.file: must be {asset}.audit")
    solvency = _wide(strictjson.obj(a["solvency"], f"{where}.solvency", ("highs", "proofs")), f"{where}.solvency")
    coverage = None
    if a["coverage"] is not None:
        cov = strictjson.obj(a["coverage"], f"{where}.coverage", ("ratio", "highs", "proofs"))
        coverage = (*_ratio(cov["ratio"], f"{where}.coverage.ratio"), _wide(cov, f"{where}.coverage"))
    return SpotEntry(capacity, chunk, strictjson.hex_bytes(root["commitment"], f"{where}.root.commitment", 33),
                     strictjson.hex_bytes(root["hash"], f"{where}.root.hash", 32), audit["file"],
                     strictjson.hex_bytes(audit["sha256"], f"{where}.audit.sha256", 32).hex(),
                     strictjson.integer(audit["bytes"], f"{where}.audit.bytes", 0, 1 << 53), solvency, coverage)


def _margin(m, assets: int, where: str) -> MarginEntry:
    m = strictjson.obj(m, where, ("capacity", "chunk", "root", "audit"))
    capacity = strictjson.integer(m["capacity"], f"{where}.capacity", 1, MAX_CAPACITY)
    try:
        account_tree.check_capacity(capacity)
    except ValueError as exc:
        raise EncodingError(f"{where}.capacity: {exc}") from None
    chunk = _power_of_two(m["chunk"], f"{where}.chunk", min(capacity, MAX_CHUNK))   # divides the capacity
    root = strictjson.obj(m["root"], f"{where}.root", ("commitments", "hash"))
    points = root["commitments"]
    if not isinstance(points, list) or len(points) != 2 * assets:
        raise EncodingError(f"{where}.root.commitments: must list 2 commitments per asset")
    audit = strictjson.obj(m["audit"], f"{where}.audit", ("file", "sha256", "bytes"))
    if audit["file"] != MARGIN_FILE:
        raise EncodingError(f"{where}.audit.file: must be {MARGIN_FILE}")
    return MarginEntry(capacity, chunk,
                       tuple(strictjson.hex_bytes(c, f"{where}.root.commitments", 33) for c in points),
                       strictjson.hex_bytes(root["hash"], f"{where}.root.hash", 32),
                       strictjson.hex_bytes(audit["sha256"], f"{where}.audit.sha256", 32).hex(),
                       strictjson.integer(audit["bytes"], f"{where}.audit.bytes", 0, 1 << 53))


def _firm(f, market: Market, where: str) -> tuple[tuple[int, int], tuple[tuple[str, WideProof], ...]]:
    """The firm-wide ratio and one proof per scenario, base first then the market's order."""
    f = strictjson.obj(f, where, ("ratio", "scenarios"))
    names = ["base"] + [s.name for s in market.scenarios]
    scenarios = f["scenarios"]
    if not isinstance(scenarios, list) or len(scenarios) != len(names):
        raise EncodingError(f"{where}.scenarios: must list base and every scenario of the market, in order")
    out = []
    for i, (s, name) in enumerate(zip(scenarios, names)):
        s = strictjson.obj(s, f"{where}.scenarios[{i}]", ("name", "highs", "proofs"))
        if s["name"] != name:
            raise EncodingError(f"{where}.scenarios[{i}].name: must be {name}")
        out.append((name, _wide(s, f"{where}.scenarios[{i}]")))
    return _ratio(f["ratio"], f"{where}.ratio"), tuple(out)
