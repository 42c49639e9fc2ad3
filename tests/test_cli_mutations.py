"""A property of the whole command line (issue 10, "Keep it fixed"): whatever an input file
becomes — bytes flipped, cut short, a huge number or deep nesting or non-UTF-8 bytes put
in, or a FIFO, a directory or a dangling link in its place — every command given it
exits with a documented code (never 4), prints no traceback, says on failure exactly one
line `zksolv: error: …`, never hangs, and leaves no output or state half-written.

Honest round from tests/roundkit.py; each example works on a fresh copy. In-process through
`zksolv.cli.main`; a hang is cut by SIGALRM (clikit.invoke). Hypothesis runs derandomized: the same examples every run, so the cases a parser
still fails are known and marked (expected to fail, strictly, until parser hardening lands).
"""

import csv
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings, strategies as st

from clikit import DOCUMENTED_EXITS, invoke, leftovers, one_error_line
from roundkit import QUIET, inputs
from zksolv import inclusion, state as state_module, statements
from zksolv.attestation import prove

HANG_SECONDS = 20
PAYLOADS = [b"9" * 5000, b"-" + b"9" * 5000, b"[" * 100_000, b'{"a":' * 50_000, b"\xff\xfe\x80", b"\x00",
            b"1e999999", b"Infinity", b"NaN", b'"', b",", b"\n", b"\r\n,,,\n", b"0.5", b"true", b"{}", b"[]"]
VALUES = ["9" * 5000, "-" + "9" * 5000, '"' + "9" * 5000 + '"', '"0.' + "9" * 5000 + '"', "1e999999", "Infinity",
          "NaN", "64.0", "0.5", "-1", "0", "4294967296", str(1 << 64), "true", "null", '""', '"\\ud800"', "[]", "{}",
          "[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000, '"..\\/x"', '"a\\nb"', '"\\u0000"']
PARSER_PENDING = pytest.mark.xfail(strict=True, reason="parser hardening on branch strict")


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    """An honest round and every file a command reads: ledger, reserves, attestation,
    state, an inclusion proof, a snapshot, a circuits file and a round secret file."""
    d = tmp_path_factory.mktemp("honest")
    ledger, reserves = inputs(d, "mutations", users=6)
    options = prove.Options(coverage_percent="105", workers=1, chunk=4, round_secret=bytes(range(32)))
    m = prove.run(ledger, reserves, d / "att", d / "state.db", options, QUIET)
    st_ = state_module.State(d / "state.db")
    (d / "proof.json").write_text(json.dumps(inclusion.build(st_, m, "user-000001"), indent=1))
    st_.close()
    with open(d / "snapshot.csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["chain", "address", "balance"])
        for asset in m.reserves.assets.values():
            for w in asset.wallets:
                out.writerow([w.chain, w.address, w.balance])
    shutil.copy(Path(__file__).resolve().parent.parent / "circuits" / statements.DEFAULT_FILE, d / "circuits.json")
    (d / "secret.hex").write_text(bytes(range(32)).hex() + "\n")
    return d


def _commands(w: Path) -> dict[str, list]:
    """Each target: the command line, run in the copy `w` (outputs go to w/new)."""
    prove_cmd = ["prove", "--ledger", w / "ledger.csv", "--reserves", w / "reserves.json", "--out", w / "new" / "att",
                 "--state", w / "new" / "s.db", "--workers", "1", "--chunk", "4", "--coverage", "105"]
    return {
        "prove:ledger": prove_cmd,
        "prove:reserves": prove_cmd,
        "prove:secret": prove_cmd + ["--round-secret-file", w / "secret.hex"],
        "verify:manifest": ["verify", w / "att"],
        "verify:snapshot": ["verify", w / "att", "--snapshot", w / "snapshot.csv"],
        "verify:circuits": ["verify", w / "att", "--circuits", w / "circuits.json"],
        "audit:manifest": ["audit", w / "att", "--workers", "1"],
        "audit:auditfile": ["audit", w / "att", "--workers", "1"],
        "inclusion:state": ["inclusion", "--state", w / "state.db", "--user", "user-000001",
                            "--out", w / "new" / "p.json"],
        "verify-inclusion:proof": ["verify-inclusion", w / "proof.json", "--attestation", w / "att"],
        "verify-inclusion:manifest": ["verify-inclusion", w / "proof.json", "--attestation", w / "att"],
    }


def _victim(w: Path, target: str) -> Path:
    name = target.split(":")[1]
    files = {"ledger": "ledger.csv", "reserves": "reserves.json", "secret": "secret.hex", "manifest": "att/manifest.json",
             "snapshot": "snapshot.csv", "circuits": "circuits.json", "state": "state.db", "proof": "proof.json"}
    if name == "auditfile":
        return next((w / "att").glob("*.audit"))
    return w / files[name]


def _replace_value(data: bytes, index: int, raw: str) -> bytes:
    """The `index`-th value of a JSON document (or cell of a CSV file) replaced by `raw`."""
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return _replace_cell(data, index, raw)
    marker = "\u2603MUTATED\u2603"
    nodes = []

    def walk(node, put):
        nodes.append(put)
        children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in children:
            walk(child, lambda v, node=node, key=key: node.__setitem__(key, v))
    walk(doc, None)
    put = nodes[index % len(nodes)]
    if put is None:
        return raw.encode()
    put(marker)
    return json.dumps(doc).replace(json.dumps(marker), raw).encode()


def _replace_cell(data: bytes, index: int, raw: str) -> bytes:
    lines = data.split(b"\n")
    cells = [(i, j) for i, line in enumerate(lines) for j in range(line.count(b",") + 1) if line]
    if not cells:
        return data
    i, j = cells[index % len(cells)]
    parts = lines[i].split(b",")
    parts[j] = raw.strip('"').encode("utf-8", "surrogatepass")
    lines[i] = b",".join(parts)
    return b"\n".join(lines)


def _mutate(data: bytes, mutations) -> bytes:
    for kind, position, arg in mutations:
        at = position % (len(data) + 1)
        if kind == "value":
            data = _replace_value(data, position, VALUES[arg % len(VALUES)])
        elif kind == "flip" and data:
            at %= len(data)
            data = data[:at] + bytes([data[at] ^ arg]) + data[at + 1:]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "insert":
            data = data[:at] + PAYLOADS[arg % len(PAYLOADS)] + data[at:]
    return data


def _run_checked(honest_dir: Path, target: str, change, seconds: int = HANG_SECONDS) -> None:
    """Copy the round, apply `change` to the target's file, run the command, check the property."""
    with tempfile.TemporaryDirectory() as tmp:
        w = Path(tmp) / "w"
        shutil.copytree(honest_dir, w, symlinks=True)
        change(_victim(w, target))
        outcome = invoke(*_commands(w)[target], seconds=seconds)
        assert outcome.code in DOCUMENTED_EXITS, (target, outcome)
        assert "Traceback" not in outcome.stderr
        if outcome.code != 0:
            assert one_error_line(outcome), (target, outcome.stderr)
        _check_nothing_half_written(w, outcome.code)


def _check_nothing_half_written(w: Path, code: int) -> None:
    new = w / "new"
    assert leftovers(w, w / "att", new) == []
    if code != 0 and new.exists():
        assert not (new / "att").exists() and not (new / "p.json").exists()


MUTATION = st.one_of(
    st.tuples(st.just("value"), st.integers(0, 1 << 20), st.integers(0, len(VALUES) - 1)),
    st.tuples(st.just("flip"), st.integers(0, 1 << 20), st.integers(1, 255)),
    st.tuples(st.just("truncate"), st.integers(0, 1 << 20), st.just(0)),
    st.tuples(st.just("insert"), st.integers(0, 1 << 20), st.integers(0, len(PAYLOADS) - 1)),
)

EXPLICIT = [[("value", k, VALUES.index(v))] for v in (VALUES[0], VALUES[2], VALUES[19], '"\\ud800"')
            for k in (4, 5, 8, 13)] + [[("insert", 10, PAYLOADS.index(b"\xff\xfe\x80"))], [("truncate", 40, 0)]]
"""Always tried, besides what Hypothesis draws: huge numbers (bare and as strings), deep
nesting and a lone surrogate in several places, non-UTF-8 bytes, a file cut short."""

SLOW = {"prove:ledger", "prove:reserves", "prove:secret", "audit:auditfile", "audit:manifest"}
TARGETS = ["prove:ledger", "prove:reserves", "prove:secret", "verify:manifest", "verify:snapshot", "verify:circuits",
           "audit:manifest", "audit:auditfile", "inclusion:state", "verify-inclusion:proof",
           "verify-inclusion:manifest"]


# Found by this test and left to the parsers' owners (branch strict); each is a strict
# expected failure, so it must be unmarked when it passes. Mutated contents: numbers over
# 4,300 digits (JSON integers, balances as strings, ledger and snapshot amounts), JSON
# nested ~100,000 deep, circuits and manifest fields of the wrong type. Swapped files: a
# FIFO hangs every parser but the state's and the round secret's; an audit file that is a
# directory or a dangling link is exit 4.
PENDING_MUTATED: set[str] = set()
PENDING_SWAPPED: set[tuple[str, str]] = set()


def _marked(cases, pending):
    return [pytest.param(*c if isinstance(c, tuple) else (c,), marks=[PARSER_PENDING] if c in pending else [])
            for c in cases]


@pytest.mark.parametrize("target", _marked(TARGETS, PENDING_MUTATED))
def test_any_mutated_input_gives_a_documented_exit(honest, target):
    @settings(max_examples=12 if target in SLOW else 40, derandomize=True, database=None, deadline=None)
    @given(st.lists(MUTATION, min_size=1, max_size=3))
    def prop(mutations):
        _run_checked(honest, target, lambda path: path.write_bytes(_mutate(path.read_bytes(), mutations)))
    for case in EXPLICIT:
        prop = example(case)(prop)
    prop()


def _swap(kind: str):
    def change(path: Path) -> None:
        path.unlink()
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "directory":
            path.mkdir()
        else:
            path.symlink_to(path.parent / "nowhere")
    return change


@pytest.mark.parametrize("target,kind", _marked([(t, k) for t in TARGETS for k in ("fifo", "directory", "dangling link")],
                                                PENDING_SWAPPED))
def test_an_input_that_is_not_a_regular_file(honest, target, kind):
    """Refused at once: a FIFO with no writer blocks whoever opens it to read, so 2 s is a hang."""
    _run_checked(honest, target, _swap(kind), seconds=2 if kind == "fifo" else HANG_SECONDS)
