"""circuits/: the declared statements an attestation proves (DESIGN §7; SPEC.md §6.6).

A circuits file names, per statement, committed and public terms, a linear combination
with public coefficients (integer literals or names of public terms, optionally negated)
and a range bound. `Statement.commitment` folds the combination into one Pedersen
commitment D, and `Statement.opening` gives the prover its (value, blinding); a range proof
on D then proves the combination is in [0, 2^range_bits). The canonical hash of the file is
bound into every transcript and the manifest.
"""

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from zksolv.errors import InputError
from zksolv.fsutil import read_json
from zksolv.group import N, Point, base_mul
from zksolv.hashing import TAG_CIRCUITS, tagged

DEFAULT_FILE = "solvency-v1.json"
_COEFFICIENT = re.compile(r"-?([0-9]+|[A-Za-z_][A-Za-z0-9_]*)")
REQUIRED = ("leaf_range", "solvency", "coverage")


@dataclass(frozen=True)
class Statement:
    name: str
    committed: tuple[str, ...]
    public: tuple[str, ...]
    combination: tuple[tuple[str, str], ...]  # (coefficient, term)
    range_bits: int | str

    def bits(self, params: dict[str, int]) -> int:
        return self.range_bits if isinstance(self.range_bits, int) else params[self.range_bits]

    def _coefficient(self, text: str, public: dict[str, int]) -> int:
        sign, body = (-1, text[1:]) if text.startswith("-") else (1, text)
        return sign * (int(body) if body.isdigit() else public[body])

    def commitment(self, commitments: dict[str, Point], public: dict[str, int]) -> Point:
        """D = Σ coefficient·term: public terms on G, committed terms as their commitment."""
        clear, total = 0, None
        for coefficient, term in self.combination:
            k = self._coefficient(coefficient, public)
            if term in self.public:
                clear += k * public[term]
            else:
                scaled = commitments[term] * (k % N)
                total = scaled if total is None else total + scaled
        return base_mul(clear % N) + total if total is not None else base_mul(clear % N)

    def opening(self, openings: dict[str, tuple[int, int]], public: dict[str, int]) -> tuple[int, int]:
        """(value, blinding) of D for a prover who knows each committed term's opening."""
        value = blinding = 0
        for coefficient, term in self.combination:
            k = self._coefficient(coefficient, public)
            if term in self.public:
                value += k * public[term]
            else:
                value += k * openings[term][0]
                blinding += k * openings[term][1]
        return value, blinding % N


@dataclass(frozen=True)
class Circuits:
    name: str
    digest: bytes
    statements: dict[str, Statement]

    def __getitem__(self, name: str) -> Statement:
        return self.statements[name]


def canonical_bytes(doc) -> bytes:
    """Sorted keys, no insignificant white space, UTF-8: the bytes that are hashed."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def load(path: str | None = None) -> Circuits:
    """The circuits file at `path`, or the one shipped with zksolv."""
    if path is not None:
        return parse(read_json(path, "circuits file", malformed=InputError), str(path))
    return parse(json.loads(_shipped_text()), DEFAULT_FILE)


def _shipped_text() -> str:
    """The default circuits file: package data when installed, circuits/ in a checkout."""
    try:
        return resources.files("zksolv.circuits").joinpath(DEFAULT_FILE).read_text("utf-8")
    except (ModuleNotFoundError, TypeError):  # editable installs do not map circuits/
        return (Path(__file__).resolve().parent.parent / "circuits" / DEFAULT_FILE).read_text("utf-8")


def parse(doc, where: str) -> Circuits:
    if not isinstance(doc, dict) or doc.get("format") != "zksolv-circuits" or doc.get("version") != 1:
        raise InputError(f"{where}: not a version-1 zksolv circuits file")
    statements = doc.get("statements")
    if not isinstance(statements, dict) or any(s not in statements for s in REQUIRED):
        raise InputError(f"{where}: must declare the statements {', '.join(REQUIRED)}")
    parsed = {name: _statement(name, spec, f"{where}: statements.{name}") for name, spec in statements.items()}
    return Circuits(str(doc.get("name", "")), tagged(TAG_CIRCUITS, canonical_bytes(doc)), parsed)


def _statement(name: str, spec, where: str) -> Statement:
    try:
        committed, public = tuple(spec["committed"]), tuple(spec["public"])
        combination = tuple((c["coefficient"], c["term"]) for c in spec["combination"])
        bits = spec["range_bits"]
    except (KeyError, TypeError) as exc:
        raise InputError(f"{where}: missing or malformed field {exc}") from None
    for coefficient, term in combination:
        if term not in committed + public or not _COEFFICIENT.fullmatch(str(coefficient)):
            raise InputError(f"{where}: bad term {coefficient!r}·{term!r}")
        body = coefficient.lstrip("-")
        if not body.isdigit() and body not in public:
            raise InputError(f"{where}: coefficient {coefficient!r} names no public term")
    if not (bits in (8, 16, 32, 64, 128) or (isinstance(bits, str) and bits == "leaf_bits")):
        raise InputError(f"{where}: range_bits must be 8/16/32/64/128 or \"leaf_bits\"")
    return Statement(name, committed, public, combination, bits)
