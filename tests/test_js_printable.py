"""SPEC.md §6.1's "printable" is one fixed list of code points, the same in SPEC.md, in Python
(zksolv.strictjson) and in the JS verifier, whatever Unicode version the Python or the JS
engine was built with: the two agree on all 1,114,112 code points, and on every code point
the running Python's Unicode database assigns, the list agrees with `str.isprintable` (the rule
zksolv used before, so earlier attestations' user ids stay accepted)."""

import re
import subprocess
import unicodedata

from conftest import ROOT
from test_js_verifier import _node
from zksolv.strictjson import NOT_PRINTABLE, printable

SCRIPT = """
const { printable } = await import(process.argv[1]);
const out = new Uint8Array(0x110000);
for (let cp = 0; cp < 0x110000; cp++) out[cp] = printable(String.fromCodePoint(cp)) ? 49 : 48;
process.stdout.write(out);
"""


def test_js_and_python_agree_on_every_code_point():
    run = subprocess.run([_node(), "--input-type=module", "-e", SCRIPT, str(ROOT / "zksolv" / "web" / "js" / "fields.js")],
                         capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    python = "".join("1" if printable(chr(cp)) else "0" for cp in range(0x110000)).encode()
    assert len(run.stdout) == len(python)
    assert [hex(cp) for cp in range(0x110000) if run.stdout[cp] != python[cp]] == []
    assert python.count(b"0") == sum(hi - lo + 1 for lo, hi in NOT_PRINTABLE)


def test_the_list_is_isprintable_on_every_assigned_code_point():
    differ = [hex(cp) for cp in range(0x110000)
              if unicodedata.category(chr(cp)) != "Cn" and printable(chr(cp)) != chr(cp).isprintable()]
    assert differ == []


def test_boundaries_and_the_code_points_unicode_versions_disagree_on():
    for lo, hi in NOT_PRINTABLE:
        assert not printable(chr(lo)) and not printable(chr(hi))
        assert lo == 0 or printable(chr(lo - 1)) or any(a <= lo - 1 <= b for a, b in NOT_PRINTABLE)
    assert printable("\u0378") and printable("\U000e0080")        # unassigned: accepted
    assert not any(printable(chr(cp)) for cp in range(0x13439, 0x13440))   # Cf since Unicode 15.0


def test_spec_lists_the_same_code_points():
    spec = (ROOT / "SPEC.md").read_text(encoding="utf-8")
    line = re.search(r"^    NOT_PRINTABLE: (.+)$", spec, re.MULTILINE).group(1)
    listed = [tuple(int(x, 16) for x in item.split("–")) for item in line.split()]
    assert [(r[0], r[-1]) for r in listed] == list(NOT_PRINTABLE)


def test_every_python_reader_of_a_user_id_uses_the_list(tmp_path):
    """The ledger, `--user` and the JSON text fields (an inclusion proof's user_id) accept an
    unassigned code point and refuse U+13439 — as the JS verifier does — whatever the running
    Python's Unicode version says."""
    import click
    import pytest

    from zksolv.cliargs import UserId
    from zksolv.errors import EncodingError, InputError
    from zksolv.ledger import read_ledger
    from zksolv.strictjson import text

    def ledger(user):
        path = tmp_path / "ledger.csv"
        path.write_text(f"user_id,asset,amount\n{user},BTC,1\n", encoding="utf-8")
        return [r.user_id for r in read_ledger(str(path), {"BTC": 8}, {"BTC": 64})]

    accepted, refused = "a\u0378b", "a\U00013439b"
    assert ledger(accepted) == [accepted] and UserId().convert(accepted, None, None) == accepted
    assert text(accepted, "user_id") == accepted
    with pytest.raises(InputError):
        ledger(refused)
    with pytest.raises(click.BadParameter):
        UserId().convert(refused, None, None)
    with pytest.raises(EncodingError):
        text(refused, "user_id")
