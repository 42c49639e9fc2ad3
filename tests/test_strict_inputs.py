"""Strict, bounded reading of every input (SPEC.md §1.1; issue 10 "Robustness").

Each case is a class of bad input that once crashed (exit 4), hung or was accepted in a
non-canonical form; each must now be a one-line ZksolvError. The published files mutated
here are the frozen v1 regression vectors, so every accepted form stays accepted.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from conftest import VECTORS
from roundkit import QUIET, inputs
from zksolv import inclusion, ledger, reserves, state, statements, strictjson
from zksolv.attestation import auditfile, manifest as manifest_module, prove, verify
from zksolv.errors import EncodingError, InputError, InvalidProof, ZksolvError
from zksolv.fsutil import read_bytes
from zksolv.reserves import snapshot

V1 = VECTORS / "regression" / "v1"
MANIFEST = V1 / "attestation" / "manifest.json"
PROOF = V1 / "inclusion" / "zoe-mueller.json"


def _doc(path=MANIFEST):
    return json.loads(path.read_text(encoding="utf-8"))


def _write(tmp_path, doc, name="manifest.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


# --- strict JSON --------------------------------------------------------------------------

@pytest.mark.parametrize("text,match", [
    ('{"a": 1, "a": 1}', "duplicate key 'a'"),
    ("[NaN]", "NaN"), ("[Infinity]", "Infinity"), ("[-Infinity]", "-Infinity"),
    ("[1.0]", "fraction or exponent"), ("[1e3]", "fraction or exponent"),
    ("[" + "9" * 5000 + "]", "5000 digits"), ("[-0]", "-0"),
    ("[" * 100_000 + "]" * 100_000, "nested deeper"), ("{\"a\":" * 100_000, "nested deeper"),
    ('["\\ud800"]', "surrogate"), (b'["\xff"]', "not UTF-8"),
])
def test_strict_json_refuses(text, match):
    with pytest.raises(strictjson.JSONError, match=match):
        strictjson.loads(text)


def test_strict_json_depth_counts_only_structure():
    deep = "[" * strictjson.MAX_DEPTH + "]" * strictjson.MAX_DEPTH
    assert strictjson.loads(deep) is not None
    with pytest.raises(strictjson.JSONError):
        strictjson.loads("[" + deep + "]")
    assert strictjson.loads('{"k": "[[[[[[[[[[[[[[[[[[[[\\"{{{{{{{{{{{{{{{{{{{{{{{"}') == {"k": '[' * 20 + '"' + '{' * 23}


def test_one_line_escapes_line_breaks():
    assert strictjson.one_line("a\nb\rc\x00") == "a\\nb\\rc\\x00"


# --- files that are not regular files -----------------------------------------------------

def _readers(tmp_path):
    """Every input reader, as (name, callable on a path)."""
    res = reserves.load(V1 / "inputs" / "reserves.json")
    return {
        "manifest": manifest_module.read,
        "inclusion proof": inclusion.load,
        "reserves": reserves.load,
        "circuits": statements.load,
        "ledger": lambda p: list(ledger.read_ledger(p, res.decimals, res.leaf_bits)),
        "snapshot": snapshot.load,
        "audit file": auditfile.file_digest,
        "state": state.State,
    }


READERS = ["manifest", "inclusion proof", "reserves", "circuits", "ledger", "snapshot", "audit file", "state"]


@pytest.mark.parametrize("reader", READERS)
def test_non_regular_files_are_refused(tmp_path, reader):
    read = _readers(tmp_path)[reader]
    (tmp_path / "dir").mkdir()
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling")
    os.symlink(tmp_path / "loop", tmp_path / "loop")
    for path, match in [(tmp_path / "dir", "not a regular file"), (tmp_path / "dangling", "No such file"),
                        (tmp_path / "loop", "symbolic links"), (tmp_path / "missing", "No such file"),
                        ("/dev/zero", "not a regular file")]:
        with pytest.raises(InputError, match=match):
            read(path)


FIFO_CHILD = """
import sys; sys.path.insert(0, sys.argv[3])
from test_strict_inputs import _readers
from zksolv.errors import InputError
try:
    _readers(None)[sys.argv[1]](sys.argv[2])
except InputError as exc:
    print(exc)
"""


@pytest.mark.parametrize("reader", READERS)
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path, reader):
    """Opening a FIFO for reading blocks until a writer comes: the reader must not open it
    that way. A child process does the read, so a regression fails here instead of hanging."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    tests = os.path.dirname(__file__)
    try:
        child = subprocess.run([sys.executable, "-c", FIFO_CHILD, reader, str(fifo), tests],
                               capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail(f"reading a FIFO as the {reader} blocked")
    assert "not a regular file" in child.stdout, child.stderr


def test_a_fifo_round_secret_file_is_refused(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    try:
        result = subprocess.run([sys.executable, "-m", "zksolv", "prove", "--ledger", "l.csv", "--reserves", "r.json",
                                 "--out", "out", "--state", "s.db", "--round-secret-file", str(tmp_path / "fifo")],
                                capture_output=True, text=True, cwd=tmp_path, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("reading a FIFO as the round secret file blocked")
    assert result.returncode == 3 and "not a regular file" in result.stderr


@pytest.mark.parametrize("reader", ["manifest", "ledger", "snapshot", "reserves", "state", "inclusion proof"])
def test_a_path_with_a_line_break_is_shown_on_one_line(tmp_path, reader):
    folder = tmp_path / "a\nzksolv: VALID"
    folder.mkdir()
    (folder / "f").write_text("x,y\n\"")
    with pytest.raises(ZksolvError) as info:
        _readers(tmp_path)[reader](folder / "f")
    assert "\n" not in str(info.value) and "a\\nzksolv" in str(info.value)


def test_reads_are_capped(tmp_path):
    path = tmp_path / "big"
    path.write_bytes(b" " * 1001)
    with pytest.raises(InputError, match="larger than the 1,000 bytes"):
        read_bytes(path, "thing", 1000)
    assert read_bytes(path, "thing", 1001) == b" " * 1001


# --- the manifest: one accepted form per value ---------------------------------------------

def _set(*keys, value):
    def change(doc):
        for k in keys[:-1]:
            doc = doc[k]
        doc[keys[-1]] = value
    return change


def _drop(*keys):
    def change(doc):
        for k in keys[:-1]:
            doc = doc[k]
        del doc[keys[-1]]
    return change


BTC = ("assets", "BTC")


@pytest.mark.parametrize("change,match", [
    (_set("version", value=True), "not a version-1"),
    (_set("version", value="1"), "not a version-1"),
    (_set(*BTC, "capacity", value="8"), "capacity: must be an integer"),
    (_set(*BTC, "capacity", value=True), "capacity: must be an integer"),
    (_set(*BTC, "capacity", value=12), "capacity: must be a power of two"),
    (_set(*BTC, "capacity", value=1 << 33), "capacity: must be an integer from 1 to 4294967296"),
    (_set(*BTC, "chunk", value=16), "chunk: must be an integer from 1 to 8"),
    (_set(*BTC, "leaf_bits", value="64"), "leaf_bits"),
    (_set(*BTC, "decimals", value=True), "decimals"),
    (_set(*BTC, "audit", "bytes", value=-1), "audit.bytes"),
    (_set(*BTC, "audit", "file", value=""), "audit.file: must be BTC.audit"),
    (_set(*BTC, "audit", "file", value=".."), "audit.file: must be BTC.audit"),
    (_set(*BTC, "audit", "file", value="ETH.audit"), "audit.file: must be BTC.audit"),
    (_set(*BTC, "coverage", "ratio", value=["021", "20"]), "ratio: must be a decimal integer string"),
    (_set(*BTC, "coverage", "ratio", value=["+21", "20"]), "ratio"),
    (_set(*BTC, "coverage", "ratio", value=[" 21", "20"]), "ratio"),
    (_set(*BTC, "coverage", "ratio", value=["２１", "20"]), "ratio"),
    (_set(*BTC, "coverage", "ratio", value=[21, 20]), "ratio"),
    (_set(*BTC, "coverage", "ratio", value=["21"]), "ratio"),
    (_set(*BTC, "coverage", "ratio", value=["0", "0"]), "must be positive"),
    (_set(*BTC, "coverage", "ratio", value=["21", "0"]), "must be positive"),
    (_set(*BTC, "coverage", "ratio", value="21/20"), "ratio"),
    (_set(*BTC, "coverage", "ratio", value={"p": "21", "q": "20"}), "ratio"),
    (_set(*BTC, "coverage", "ratio", value=["9" * 5000, "1"]), "ratio"),
    (_set(*BTC, "coverage", value=[]), "coverage: must be an object"),
    (_set(*BTC, "root", "hash", value="AB" * 32), "root.hash: must be lower-case hex"),
    (_set(*BTC, "root", "commitment", value="02" * 32), "root.commitment: must be lower-case hex of 33"),
    (_set(*BTC, "solvency", "proof", value="0g"), "solvency.proof"),
    (_set(*BTC, "solvency", "proof", value="00" * 100), "solvency.proof: range proof length"),
    (_set(*BTC, "root", "commitment", value="02" + "ff" * 32), "root.commitment: "),
    (_set(*BTC, "root", "commitment", value="05" + "11" * 32), "root.commitment: "),
    (_set(*BTC, "extra", value=1), "unknown key 'extra'"),
    (_set("comment", value="hi"), "unknown key 'comment'"),
    (_drop(*BTC, "leaf_bits"), "missing leaf_bits"),
    (_drop("previous"), "missing previous"),
    (_set("previous", value="00" * 31 + " 0"), "previous"),
    (_set("previous", value="AA" * 32), "previous"),
    (_set("timestamp", value="2026-13-45T99:99:99Z"), "not a date"),
    (_set("timestamp", value="2026-12-04 10:30:00"), "timestamp"),
    (_set("circuits", "hash", value=7), "circuits.hash"),
    (_set("circuits", "name", value="a\nb"), "circuits.name"),
    (_set(*BTC, "wallets", value=[{**_doc()["assets"]["BTC"]["wallets"][0], "note": "x"}]), "unknown key 'note'"),
    (_set(*BTC, "wallets", 0, "balance", value="9" * 250), "longer than any amount"),
    (_set("assets", value=[]), "assets must be an object"),
])
def test_manifest_in_any_other_form_is_refused(tmp_path, change, match):
    doc = _doc()
    change(doc)
    with pytest.raises(EncodingError, match=match):
        manifest_module.read(_write(tmp_path, doc))


def test_regression_manifest_parses_and_keeps_its_digest():
    """The strict reader accepts the v1 file and re-serializes it to the digest its
    inclusion proofs name."""
    m = manifest_module.read(MANIFEST)
    assert m.digest().hex() == _doc(PROOF)["manifest"]


@pytest.mark.parametrize("text", ['{"format": "zksolv-attestation", "format": "zksolv-attestation"}',
                                  '{"version": Infinity}', "[" * 100_000])
def test_cli_verify_gives_exit_3_and_one_line(tmp_path, text):
    (tmp_path / "att").mkdir()
    (tmp_path / "att" / "manifest.json").write_text(text)
    result = subprocess.run([sys.executable, "-m", "zksolv", "verify", str(tmp_path / "att")],
                            capture_output=True, text=True)
    assert result.returncode == 3
    assert result.stderr.startswith("zksolv: error: ") and result.stderr.count("\n") == 1


def test_manifest_kept_in_the_state_is_parsed_strictly():
    data = MANIFEST.read_bytes()
    assert manifest_module.from_bytes(data, "state").attestation_id == "regression-v1"
    with pytest.raises(EncodingError, match="strict JSON"):
        manifest_module.from_bytes(data.replace(b'"version": 1', b'"version": 1.0'), "state")


# --- the audit file ------------------------------------------------------------------------

def _attestation_copy(tmp_path):
    copy = tmp_path / "att"
    shutil.copytree(V1 / "attestation", copy)
    return copy


@pytest.mark.parametrize("make", ["missing", "directory", "dangling", "loop", "fifo"])
def test_audit_with_a_bad_audit_file_is_an_input_error(tmp_path, make):
    copy = _attestation_copy(tmp_path)
    audit = copy / "BTC.audit"
    audit.unlink()
    if make == "directory":
        audit.mkdir()
    elif make == "dangling":
        os.symlink(copy / "nowhere", audit)
    elif make == "loop":
        os.symlink(audit, audit)
    elif make == "fifo":
        os.mkfifo(audit)
    with pytest.raises(InputError, match="BTC.audit"):
        verify.audit(copy, workers=1)


def _audit_header(log_capacity: int, log_chunk: int) -> bytes:
    return auditfile.MAGIC + (1).to_bytes(2, "big") + bytes([3]) + b"BTC" + bytes([64, log_capacity, log_chunk])


def test_an_audit_header_is_checked_against_the_file_size_before_reading(tmp_path):
    """capacity = chunk = 2^32 once made audit ask for ~279 GB in one read."""
    path = tmp_path / "BTC.audit"
    path.write_bytes(_audit_header(32, 32) + bytes(1000))
    with open(path, "rb") as f, pytest.raises(EncodingError, match="claims 4294967296 leaves"):
        auditfile.Reader(f, str(path))


def test_an_honest_audit_file_passes_the_size_check():
    with open(V1 / "attestation" / "BTC.audit", "rb") as f:
        reader = auditfile.Reader(f, "BTC.audit")
        assert sum(len(batch) for batch in reader.leaves(3)) == reader.header.capacity == 8


# --- inclusion proofs ----------------------------------------------------------------------

ZOE_BTC = ("assets", "BTC")


@pytest.mark.parametrize("change,match", [
    (_set(*ZOE_BTC, "leaf_index", value=7.0), "leaf_index"),
    (_set(*ZOE_BTC, "leaf_index", value=float("inf")), "leaf_index"),
    (_set(*ZOE_BTC, "leaf_index", value="7"), "leaf_index"),
    (_set(*ZOE_BTC, "leaf_index", value=True), "leaf_index"),
    (_set(*ZOE_BTC, "leaf_index", value=-1), "leaf_index"),
    (_set(*ZOE_BTC, "leaf_index", value=1 << 40), "leaf_index"),
    (_set(*ZOE_BTC, "balance", value="4.187895530"), "9 decimals"),
    (_set(*ZOE_BTC, "balance", value="04.18789553"), "not written as"),
    (_set(*ZOE_BTC, "balance", value="9" * 5000), "balance"),
    (_set(*ZOE_BTC, "path", value=[["00", "00"]] * 33), "path"),
    (_set(*ZOE_BTC, "path", 0, value=["02" * 33]), r"path\[0\]"),
    (_set(*ZOE_BTC, "path", 0, 0, value=_doc(PROOF)["assets"]["BTC"]["path"][0][0].upper()), r"path\[0\]\[0\]"),
    (_set("user_secret", value=_doc(PROOF)["user_secret"].upper()), "user_secret"),
    (_set("manifest", value=None), "manifest"),
    (_set("user_id", value="zoë\nmüller"), "user_id"),
    (_set("version", value=True), "not a version-1"),
    (_set("assets", value=[]), "assets must be an object"),
    (_set("extra", value=0), "unknown key"),
    (_drop(*ZOE_BTC, "path"), "missing path"),
])
def test_inclusion_proof_in_any_other_form_is_refused(change, match):
    doc = _doc(PROOF)
    change(doc)
    m = manifest_module.read(MANIFEST, check_addresses=False)
    with pytest.raises(EncodingError, match=match):
        inclusion.verify(doc, m, "zoë müller")


@pytest.mark.parametrize("literal", ["Infinity", "NaN", "7.0", "7e0"])
def test_inclusion_leaf_index_literals_are_refused(tmp_path, literal):
    text = PROOF.read_text(encoding="utf-8").replace('"leaf_index": 7', f'"leaf_index": {literal}', 1)
    assert literal in text
    (tmp_path / "p.json").write_text(text, encoding="utf-8")
    with pytest.raises(EncodingError):
        inclusion.load(tmp_path / "p.json")


# --- reserves, circuits, ledger, snapshot --------------------------------------------------

@pytest.mark.parametrize("change,match", [
    (_set("assets", "BTC", "leaf_bits", value=64.0), "leaf_bits"),
    (_set("assets", "BTC", "leaf_bits", value=True), "leaf_bits"),
    (_set("assets", "BTC", "decimals", value=8.0), "decimals"),
    (_set("assets", "BTC", "wallets", 0, "balance", value="1" * 250), "longer than any amount"),
    (_set("assets", "BTC", "wallets", 0, "balance", value=1), "balance"),
    (_set("assets", "BTC", "wallets", 0, "memo", value="x"), "unknown key 'memo'"),
    (_set("assets", "BTC", "note", value="x"), "unknown key 'note'"),
    (_set("note", value="x"), "unknown key 'note'"),
])
def test_reserves_in_any_other_form_are_refused(change, match):
    doc = _doc(V1 / "inputs" / "reserves.json")
    change(doc)
    with pytest.raises(InputError, match=match):
        reserves.parse(doc, "reserves.json")


@pytest.mark.parametrize("coefficient,match", [(1, "bad term"), (None, "bad term"), (["1"], "bad term"),
                                               ("1" * 5000, "bad term"), ("0x1", "bad term")])
def test_circuits_coefficient_must_be_a_short_string(tmp_path, coefficient, match):
    doc = json.loads(statements._shipped_text())
    doc["statements"]["solvency"]["combination"][0]["coefficient"] = coefficient
    with pytest.raises(InputError, match=match):
        statements.load(_write(tmp_path, doc, "circuits.json"))


def test_circuits_range_bits_and_fields_are_exact(tmp_path):
    for change in (_set("statements", "solvency", "range_bits", value=True),
                   _set("statements", "solvency", "range_bits", value="leaf_bits"),
                   _set("statements", "solvency", "public", value=["R", "x"]),
                   _set("statements", "coverage", "committed", value=["L", "Z"]),
                   _set("statements", "solvency", "extra", value=1),
                   _set("version", value=True)):
        doc = json.loads(statements._shipped_text())
        change(doc)
        with pytest.raises(InputError):
            statements.load(_write(tmp_path, doc, "circuits.json"))


def _ledger(tmp_path, text):
    path = tmp_path / "ledger.csv"
    path.write_text(text, encoding="utf-8")
    res = reserves.load(V1 / "inputs" / "reserves.json")
    return lambda: list(ledger.read_ledger(path, res.decimals, res.leaf_bits))


@pytest.mark.parametrize("row,match", [
    ("u,BTC," + "1" * 200, "longer than any amount"),
    ("u,BTC,1." + "0" * 200, "longer than any amount"),
    ("u,BTC," + "1" * 50, "more than 40 whole digits"),
    ("u,BTC,1" + " " * 5000, "longer than 4096"),
    ("u,\"BT\nC\",1", "not in the reserves"),
])
def test_ledger_rows_are_bounded(tmp_path, row, match):
    read = _ledger(tmp_path, "user_id,asset,amount\n" + row + "\n")
    with pytest.raises(InputError, match=match) as info:
        read()
    assert "\n" not in str(info.value)


def test_a_snapshot_is_held_in_memory_only_up_to_its_cap(tmp_path, monkeypatch):
    path = tmp_path / "s.csv"
    path.write_bytes((V1 / "inputs" / "snapshot.csv").read_bytes())
    monkeypatch.setattr(snapshot, "MAX_BYTES", path.stat().st_size - 1)
    with pytest.raises(InputError, match="larger than"):
        snapshot.load(path)
    monkeypatch.setattr(snapshot, "MAX_BYTES", path.stat().st_size)
    assert len(snapshot.load(path)) == 4


def test_snapshot_message_stays_on_one_line(tmp_path):
    res = reserves.load(V1 / "inputs" / "reserves.json")
    rows = (V1 / "inputs" / "snapshot.csv").read_text().splitlines()
    rows[1] = rows[1].rsplit(",", 1)[0] + ',"1\nzksolv: VALID"'
    (tmp_path / "s.csv").write_text("\n".join(rows) + "\n")
    with pytest.raises(InputError, match="not a plain decimal") as info:
        snapshot.check(res, snapshot.load(tmp_path / "s.csv"))
    assert "\n" not in str(info.value)


# --- the prover's state --------------------------------------------------------------------

@pytest.fixture(scope="module")
def round_state(tmp_path_factory):
    d = tmp_path_factory.mktemp("strict-state")
    led, res = inputs(d, "strict-state", users=6)
    m = prove.run(led, res, d / "att", d / "state.db", prove.Options(workers=1, chunk=4), QUIET)
    return d, m


def _damaged(round_state, tmp_path, sql):
    d, m = round_state
    copy = tmp_path / "state.db"
    shutil.copy(d / "state.db", copy)
    db = sqlite3.connect(copy)
    db.execute(sql)
    db.commit()
    db.close()
    return copy, m


@pytest.mark.parametrize("sql,match", [
    ("DELETE FROM meta WHERE key = 'master_secret'", "master_secret"),
    ("DELETE FROM meta WHERE key = 'manifest_json'", "manifest_json"),
    ("UPDATE meta SET value = 'short' WHERE key = 'master_secret'", "master_secret"),
    ("DROP TABLE meta", "not a zksolv state file"),
])
def test_a_state_missing_a_field_is_refused_on_opening(round_state, tmp_path, sql, match):
    copy, _ = _damaged(round_state, tmp_path, sql)
    with pytest.raises(InputError, match=match):
        state.State(copy)


@pytest.mark.parametrize("sql", [
    "DELETE FROM levels",
    "DELETE FROM levels WHERE level = 1",
    "DROP TABLE levels",
    "UPDATE levels SET hashes = substr(hashes, 2) WHERE level = 0",
    "UPDATE levels SET hashes = zeroblob(length(hashes)) WHERE level = 1",
    "UPDATE leaves SET units = 'x'",
    "UPDATE leaves SET units = '1' || units",
    "UPDATE leaves SET asset = CAST(x'425443ff' AS TEXT) WHERE asset = 'BTC'",
    "UPDATE leaves SET units = CAST(x'31ff' AS TEXT)",
])
def test_a_damaged_state_gives_an_error_not_a_failing_proof(round_state, tmp_path, sql):
    copy, m = _damaged(round_state, tmp_path, sql)
    st = state.State(copy)
    try:
        with pytest.raises(InputError, match="state file"):
            inclusion.build(st, m, "user-000000")
    finally:
        st.close()


def test_an_intact_state_still_gives_a_valid_proof(round_state):
    d, m = round_state
    st = state.State(d / "state.db")
    try:
        doc = inclusion.build(st, m, "user-000000")
    finally:
        st.close()
    assert inclusion.verify(doc, m, "user-000000")


def test_every_refusal_is_a_zksolv_error():
    """The property the fuzzers check, stated once: these classes are what callers catch."""
    assert all(issubclass(e, ZksolvError) for e in (strictjson.JSONError, InputError, EncodingError))


def test_state_paths_refuse_a_missing_level(round_state, tmp_path):
    copy, m = _damaged(round_state, tmp_path, "DELETE FROM levels WHERE level = 1")
    st = state.State(copy)
    try:
        depth = m.assets["BTC"].capacity.bit_length() - 1
        with pytest.raises(InputError, match="BTC tree level 1 lacks node"):
            st.path("BTC", 0, depth)
    finally:
        st.close()


# --- the command line, for any mutation of a published file ---------------------------------

def _cli(argv) -> tuple[int, str]:
    import contextlib
    import io

    from zksolv.cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()), \
            pytest.raises(SystemExit) as info:
        main(argv)
    return info.value.code, err.getvalue()


def _mutated(data: bytes, seed: int, position: int, byte: int) -> bytes:
    """A structural edit of the JSON (tests/fuzz/mutators.py) or one changed byte."""
    import random

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "fuzz"))
    import mutators

    if seed % 2:
        doc = mutators._edit(json.loads(data), random.Random(seed))
        return json.dumps(doc, ensure_ascii=bool(seed % 3)).encode("utf-8", "surrogatepass")
    position %= len(data)
    return data[:position] + bytes([byte]) + data[position + 1 :]


def _documented_outcome(code, stderr):
    assert code in (0, 1, 3), stderr
    assert stderr == "" or (stderr.startswith("zksolv: error: ") and stderr.count("\n") == 1), stderr


from hypothesis import given, settings, strategies as st  # noqa: E402

MUTATION = dict(seed=st.integers(0, 2**32), position=st.integers(0, 2**20), byte=st.integers(0, 255))


@settings(max_examples=60, derandomize=True, deadline=None)
@given(**MUTATION)
def test_verify_inclusion_of_any_mutated_proof_exits_as_documented(tmp_path_factory, seed, position, byte):
    path = tmp_path_factory.mktemp("mut") / "proof.json"
    path.write_bytes(_mutated(PROOF.read_bytes(), seed, position, byte))
    _documented_outcome(*_cli(["verify-inclusion", str(path), "--attestation", str(V1 / "attestation"),
                               "--user", "zoë müller"]))


@settings(max_examples=40, derandomize=True, deadline=None)
@given(**MUTATION)
def test_verify_of_any_mutated_manifest_exits_as_documented(tmp_path_factory, seed, position, byte):
    copy = tmp_path_factory.mktemp("mut") / "att"
    shutil.copytree(V1 / "attestation", copy)
    (copy / "manifest.json").write_bytes(_mutated(MANIFEST.read_bytes(), seed, position, byte))
    _documented_outcome(*_cli(["verify", str(copy)]))


@pytest.mark.parametrize("percent", ["9" * 5000, "1" + "0" * 4400 + ".5", "100." + "0" * 5000])
def test_a_coverage_percentage_of_thousands_of_digits_is_an_input_error(percent):
    with pytest.raises(InputError, match="--coverage"):
        prove.coverage_ratio(percent)


@pytest.mark.parametrize("user", ["\udcff\udcfe", "", "a\nb", "x" * 257])
def test_inclusion_for_an_impossible_user_id_is_an_input_error(round_state, user):
    """A non-UTF-8 --user arrives as lone surrogates, which SQLite cannot even encode."""
    d, m = round_state
    st = state.State(d / "state.db")
    try:
        with pytest.raises(InputError, match="user id"):
            inclusion.build(st, m, user)
    finally:
        st.close()
