"""SPEC.md §7's table of vector files cannot go stale: every file `vectors/generate.py`
writes (vectors/*.json) has a row, and every row names a file that exists; the external
vectors are listed in their own README."""

import re

from conftest import ROOT, VECTORS


def _section_7() -> str:
    text = (ROOT / "SPEC.md").read_text()
    return text[text.index("\n## 7. Vectors\n"):text.index("\n## 8. ")]


def _table_files(section: str) -> set[str]:
    """The file names in the first column of the section's table rows."""
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([^`]+\.json)`", row.split(" | ")[0])}


def test_every_vector_file_has_a_row_in_spec_section_7():
    listed = _table_files(_section_7())
    written = {p.name for p in VECTORS.glob("*.json")}
    assert written - listed == set(), "vector files missing from SPEC.md §7's table"
    assert listed - written == set(), "SPEC.md §7's table lists files that do not exist"


def test_every_external_vector_file_is_listed_in_its_readme():
    readme = (VECTORS / "external" / "README.md").read_text()
    listed = set(re.findall(r"^\| `([^`]+\.json)` \|", readme, re.MULTILINE))
    assert listed == {p.name for p in (VECTORS / "external").glob("*.json")}


def test_the_table_reader_sees_a_missing_row():
    """The check fails when a row goes: the reader finds rows and a removed one is missed."""
    section = _section_7()
    row = next(line for line in section.splitlines() if line.startswith("| `control-bitcoin.json`"))
    assert "control-bitcoin.json" in _table_files(section)
    assert "control-bitcoin.json" not in _table_files(section.replace(row, ""))
