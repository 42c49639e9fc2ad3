"""circuits/: loading, the canonical hash, and the linear-combination semantics."""

import json
import secrets

import pytest

from zksolv.commitments import commit
from zksolv.errors import InputError
from zksolv.group import N
from zksolv.statements import canonical_bytes, load
from conftest import ROOT

SHIPPED = ROOT / "circuits" / "solvency-v1.json"


def test_shipped_file_loads_and_hash_is_canonical(tmp_path):
    default = load()
    assert load(str(SHIPPED)).digest == default.digest
    doc = json.loads(SHIPPED.read_text())
    reformatted = tmp_path / "c.json"
    reformatted.write_text(json.dumps(doc, indent=7))
    assert load(str(reformatted)).digest == default.digest  # white space does not count
    doc["statements"]["solvency"]["range_bits"] = 64
    changed = tmp_path / "d.json"
    changed.write_text(json.dumps(doc))
    assert load(str(changed)).digest != default.digest


def test_canonical_bytes_sort_keys():
    assert canonical_bytes({"b": 1, "a": [1, "é"]}) == '{"a":[1,"é"],"b":1}'.encode()


@pytest.mark.parametrize("mutate,match", [
    (lambda d: d.pop("statements"), "missing statements"),
    (lambda d: d["statements"].pop("coverage"), "must declare"),
    (lambda d: d.update(version=2), "version-1"),
    (lambda d: d["statements"]["solvency"].update(range_bits=12), "range_bits"),
    (lambda d: d["statements"]["solvency"]["combination"].append({"coefficient": "x", "term": "R"}),
     "names no public term"),
    (lambda d: d["statements"]["solvency"]["combination"].append({"coefficient": "1", "term": "Z"}),
     "bad term"),
])
def test_malformed_files_rejected(tmp_path, mutate, match):
    doc = json.loads(SHIPPED.read_text())
    mutate(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match=match):
        load(str(path))


def test_coverage_commitment_matches_opening():
    coverage = load()["coverage"]
    L, r = secrets.randbelow(1 << 90), 1 + secrets.randbelow(N - 1)
    public = {"R": secrets.randbelow(1 << 100), "p": 105, "q": 100}
    D = coverage.commitment({"L": commit(L, r)}, public)
    value, blinding = coverage.opening({"L": (L, r)}, public)
    assert value == 100 * public["R"] - 105 * L
    assert D == commit(value, blinding)
