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
from pathlib import Path

from zksolv import bounds, strictjson
from zksolv.errors import InputError
from zksolv.fsutil import read_json
from zksolv.group import N, Point, base_mul
from zksolv.hashing import TAG_CIRCUITS, tagged

DEFAULT_FILE = "solvency-v1.json"
_COEFFICIENT = re.compile(r"-?(0|[1-9][0-9]{0,38}|[A-Za-z_][A-Za-z0-9_]{0,31})")
REQUIRED = ("leaf_range", "solvency", "coverage")
MEANINGS = {
    "leaf_range": {"b": "1"},
    "solvency": {"R": "1", "L": "-1"},
    "coverage": {"R": "q", "L": "-p"},
}
"""What each required statement must say, term → coefficient: a verifier reports "solvent"
only for R − L ≥ 0, whatever circuits file it is handed (SPEC.md §6.5)."""
COMMITTED = {"leaf_range": {"b"}, "solvency": {"L"}, "coverage": {"L"}}


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

    def interval(self, public: dict[str, int], bounds_of: dict[str, int]) -> tuple[int, int]:
        """The lowest and highest integer value of the combination, committed terms ranging
        over [0, bounds_of[term]) and public terms fixed (SPEC.md §6.5.1)."""
        return bounds.combination_interval([
            (self._coefficient(c, public), public[t] if t in self.public else None,
             None if t in self.public else bounds_of[t]) for c, t in self.combination])

    def check_sound(self, public: dict[str, int], bounds_of: dict[str, int], params: dict[str, int]) -> None:
        """InputError unless the combination's integer value can never wrap modulo n, so a
        range proof on D really proves 0 ≤ value < 2^bits (SPEC.md §6.5.1)."""
        low, high = self.interval(public, bounds_of)
        bounds.check_no_wrap(self.name, low, high, self.bits(params))

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
        return parse(read_json(path, "circuits file", malformed=InputError, limit=MAX_BYTES),
                     strictjson.one_line(str(path), 200))
    return parse(strictjson.loads(_shipped_text()), DEFAULT_FILE)


def _shipped_text(name: str = DEFAULT_FILE) -> str:
    """A shipped circuits file: package data when installed, circuits/ in a checkout."""
    from importlib import resources  # it imports tempfile and shutil: only when read (start-up, issue 13)

    try:
        return resources.files("zksolv.circuits").joinpath(name).read_text("utf-8")
    except (ModuleNotFoundError, TypeError, FileNotFoundError):  # editable installs do not map circuits/
        return (Path(__file__).resolve().parent.parent / "circuits" / name).read_text("utf-8")


MAX_BYTES = 1 << 20
"""Largest circuits file read (SPEC.md §1.1)."""
MAX_TERMS = 16
RANGE_BITS = (8, 16, 32, 64, 128)
TERM = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")
_STATEMENT = ("committed", "public", "combination", "range_bits")


def parse(doc, where: str) -> Circuits:
    """A circuits document, strictly: known keys only, each of its exact type (SPEC.md §6.5)."""
    doc = strictjson.obj(doc, where, ("format", "version", "statements"), ("name", "description"),
                         error=InputError)
    if doc["format"] != "zksolv-circuits" or type(doc["version"]) is not int or doc["version"] != 1:
        raise InputError(f"{where}: not a version-1 zksolv circuits file")
    if "name" in doc:
        strictjson.text(doc["name"], f"{where}: name", max_bytes=128, error=InputError)
    if "description" in doc:
        strictjson.text(doc["description"], f"{where}: description", max_bytes=4096, error=InputError)
    statements = doc["statements"]
    if not isinstance(statements, dict) or any(s not in statements for s in REQUIRED):
        raise InputError(f"{where}: must declare the statements {', '.join(REQUIRED)}")
    parsed = {name: _statement(name, spec, f"{where}: statements.{strictjson.one_line(name, 40)}")
              for name, spec in statements.items()}
    _check_meanings(parsed, where)
    if not all(isinstance(parsed[name].range_bits, int) for name in ("solvency", "coverage")):
        raise InputError(f"{where}: solvency and coverage need a number as range_bits")
    return Circuits(doc.get("name", ""), tagged(TAG_CIRCUITS, canonical_bytes(doc)), parsed)


def _terms(value, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > MAX_TERMS or len(set(map(str, value))) != len(value):
        raise InputError(f"{where}: must be a list of at most {MAX_TERMS} distinct term names")
    return tuple(strictjson.text(t, where, TERM, error=InputError) for t in value)


def _check_meanings(parsed: dict[str, Statement], where: str) -> None:
    """Each required statement says exactly what its name promises (MEANINGS)."""
    for name, meaning in MEANINGS.items():
        s = parsed[name]
        combined: dict[str, str] = {}
        for coefficient, term in s.combination:
            if term in combined:
                raise InputError(f"{where}: statements.{name} names {term!r} twice")
            combined[term] = coefficient
        public = (set(meaning) | _coefficient_names(meaning)) - COMMITTED[name]
        if combined != meaning or set(s.committed) != COMMITTED[name] or set(s.public) != public:
            raise InputError(f"{where}: statements.{name} must be " +
                             " + ".join(f"{c}·{t}" for t, c in meaning.items()))
    if parsed["leaf_range"].range_bits != "leaf_bits":
        raise InputError(f"{where}: statements.leaf_range must have range_bits \"leaf_bits\"")


def _coefficient_names(meaning: dict[str, str]) -> set[str]:
    return {c.lstrip("-") for c in meaning.values() if not c.lstrip("-").isdigit()}


def _statement(name: str, spec, where: str) -> Statement:
    spec = strictjson.obj(spec, where, _STATEMENT, ("description",), error=InputError)
    if "description" in spec:
        strictjson.text(spec["description"], f"{where}.description", max_bytes=4096, error=InputError)
    committed, public = _terms(spec["committed"], f"{where}.committed"), _terms(spec["public"], f"{where}.public")
    combination = spec["combination"]
    if not isinstance(combination, list) or not 1 <= len(combination) <= MAX_TERMS:
        raise InputError(f"{where}.combination: must be a list of 1 to {MAX_TERMS} terms")
    pairs = []
    for k, c in enumerate(combination):
        c = strictjson.obj(c, f"{where}.combination[{k}]", ("coefficient", "term"), error=InputError)
        coefficient, term = c["coefficient"], c["term"]
        if not isinstance(coefficient, str) or not isinstance(term, str) or term not in committed + public \
                or not _COEFFICIENT.fullmatch(coefficient):
            raise InputError(f"{where}.combination[{k}]: bad term {strictjson.one_line(str(coefficient), 40)!r}"
                             f"·{strictjson.one_line(str(term), 40)!r}")
        body = coefficient.lstrip("-")
        if not body.isdigit() and body not in public:
            raise InputError(f"{where}: coefficient {coefficient!r} names no public term")
        pairs.append((coefficient, term))
    bits = spec["range_bits"]
    if not ((type(bits) is int and bits in RANGE_BITS) or bits == "leaf_bits"):
        raise InputError(f"{where}: range_bits must be 8/16/32/64/128 or \"leaf_bits\"")
    return Statement(name, committed, public, tuple(pairs), bits)
