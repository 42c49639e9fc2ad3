"""circuits/margin-v1.json: the declared statements of a margin round (MARGIN.md §10;
SPEC.md §6.12; beside statements.py, which loads solvency-v1 files of spot rounds).

Each statement is a linear combination with public coefficients of committed terms, over
index sets (assets a, tiers t, scenarios s), plus a range bound `[0, 2^(64·limbs))`. The
limb counts are fixed by public data (accounts/layout.py, attestation/claims.py). A verifier
reports a margin round valid only for these exact relations: a circuits file that says
anything else (another term, coefficient, index set or bound) is refused, whatever its hash.
Descriptions are free text. The canonical hash of the file is bound into every transcript.
"""

from dataclasses import dataclass

from zksolv import strictjson
from zksolv.errors import InputError
from zksolv.fsutil import read_json
from zksolv.hashing import TAG_CIRCUITS, tagged
from zksolv.statements import MAX_BYTES, _shipped_text, canonical_bytes

DEFAULT_FILE = "margin-v1.json"
NAME = "margin-v1"


def _s(over, committed, public, combination, bound):
    return {"over": over, "committed": committed, "public": public,
            "combination": [{"coefficient": c, "term": t} for c, t in combination], "range": bound}


MEANINGS = {
    "leaf_range": _s([], ["b"], [], [("1", "b")], "2^leaf_bits"),
    "margin_leaf/piece": _s(["a", "t"], ["e[a][t]"], [], [("1", "e[a][t]")], "2^(64*limbs(piece/a/t))"),
    "margin_leaf/room": _s(["a", "t<T_a-1 with width[a][t] < 2^leaf_bits[a]-1"], ["e[a][t]"], ["width[a][t]"],
                           [("1", "width[a][t]"), ("-1", "e[a][t]")], "2^(64*limbs(piece/a/t))"),
    "margin_leaf/debt": _s(["a"], ["d[a]"], [], [("1", "d[a]")], "2^leaf_bits[a]"),
    "margin_leaf/value": _s(["s"], ["e[a][t]", "d[a]"], ["rate_bp[a][t]", "Pc[s][a]", "Pd[s][a]", "W[a]", "mu_bp"],
                            [("rate_bp[a][t]*Pc[s][a]*W[a]", "sum_a sum_t e[a][t]"),
                             ("-mu_bp*Pd[s][a]*W[a]", "sum_a d[a]")], "2^(64*limbs(value/s))"),
    "solvency": _s(["a"], ["L[a]", "E[a]", "D[a]"], ["R[a]"],
                   [("1", "R[a]"), ("-1", "L[a]"), ("-1", "E[a]"), ("1", "D[a]")], "2^(64*limbs(solvency/a))"),
    "coverage": _s(["a"], ["L[a]", "E[a]", "D[a]"], ["R[a]", "p", "q"],
                   [("q", "R[a]"), ("-p", "L[a]"), ("-p", "E[a]"), ("p", "D[a]")], "2^(64*limbs(coverage/a))"),
    "firm": _s(["s"], ["L[a]", "E[a]", "D[a]"], ["R[a]", "Pc[s][a]", "Pd[s][a]", "W[a]", "p", "q"],
               [("q*Pc[s][a]*W[a]", "sum_a R[a]"), ("-p*Pd[s][a]*W[a]", "sum_a L[a]"),
                ("-p*Pd[s][a]*W[a]", "sum_a E[a]"), ("p*Pc[s][a]*W[a]", "sum_a D[a]")], "2^(64*limbs(firm/s))"),
}
"""Statement → what it must say. Committed: L[a] the spot root of asset a (a sum of leaf_range
balances), e/d a margin leaf's tier pieces and debts, E[a] = Σ_t e[a][t] and D[a] summed over
the account tree's root; public: R[a] the reserves, the market's coefficients, p/q ratios."""


@dataclass(frozen=True)
class MarginCircuits:
    name: str
    digest: bytes


def load(path: str | None = None) -> MarginCircuits:
    """The margin circuits file at `path`, or the one shipped with zksolv."""
    if path is not None:
        return parse(read_json(path, "circuits file", malformed=InputError, limit=MAX_BYTES), str(path))
    return parse(strictjson.loads(_shipped_text(DEFAULT_FILE)), DEFAULT_FILE)


def parse(doc, where: str) -> MarginCircuits:
    """Strictly: format, version 1, name margin-v1, and exactly the statements of MEANINGS."""
    doc = strictjson.obj(doc, where, ("format", "version", "name", "statements"), ("description",),
                         error=InputError)
    if doc["format"] != "zksolv-circuits" or type(doc["version"]) is not int or doc["version"] != 1 \
            or doc["name"] != NAME:
        raise InputError(f"{where}: not the version-1 {NAME} circuits file")
    if "description" in doc:
        strictjson.text(doc["description"], f"{where}: description", max_bytes=4096, error=InputError)
    statements = doc["statements"]
    if not isinstance(statements, dict) or set(statements) != set(MEANINGS):
        raise InputError(f"{where}: must declare exactly the statements {', '.join(MEANINGS)}")
    for name, meaning in MEANINGS.items():
        spec = statements[name]
        if not isinstance(spec, dict):
            raise InputError(f"{where}: statements.{name} must be an object")
        if "description" in spec:
            strictjson.text(spec["description"], f"{where}: statements.{name}.description", max_bytes=4096,
                            error=InputError)
        if {k: v for k, v in spec.items() if k != "description"} != meaning:
            raise InputError(f"{where}: statements.{name} does not say what {NAME} proves")
    return MarginCircuits(NAME, tagged(TAG_CIRCUITS, canonical_bytes(doc)))
