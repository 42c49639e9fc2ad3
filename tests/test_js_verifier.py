"""The in-browser verifier (issue 13): its vendored noble libraries are the bytes recorded in
VENDORED.json, and its own test suite (`node --test tests/js/`) passes.

Node is required: with ZKSOLV_REQUIRE_NODE=1 (CI) a missing `node` fails; otherwise a missing
`node` fails too unless ZKSOLV_ALLOW_NO_NODE=1 says so explicitly. The re-download of the
vendored packages from the npm registry is a separate step (`node zksolv/web/vendor/rebuild.mjs
--check`), since it needs the network."""

import hashlib
import json
import re
import shutil
import subprocess

import pytest

import requiredtool
from conftest import ROOT

WEB = ROOT / "zksolv" / "web"
VENDOR = WEB / "vendor"


def _record() -> dict:
    return json.loads((VENDOR / "VENDORED.json").read_text(encoding="utf-8"))


def vendored_problems(vendor=VENDOR) -> list[str]:
    """Every way the vendored files differ from VENDORED.json: a changed, missing or extra file."""
    record = json.loads((vendor / "VENDORED.json").read_text(encoding="utf-8"))
    dirs = [p["dir"] for p in record["packages"]]
    on_disk = {p.relative_to(vendor).as_posix() for d in dirs for p in (vendor / d).rglob("*") if p.is_file()}
    problems = [f"{path}: not in VENDORED.json" for path in sorted(on_disk - set(record["files"]))]
    for path, digest in sorted(record["files"].items()):
        file = vendor / path
        if not file.is_file():
            problems.append(f"{path}: missing")
        elif hashlib.sha256(file.read_bytes()).hexdigest() != digest:
            problems.append(f"{path}: bytes differ from VENDORED.json")
    return problems


def test_vendored_bytes_match_the_record():
    assert vendored_problems() == []
    assert len(_record()["files"]) >= 10


def test_vendored_record_names_the_versions_the_rebuild_script_pins():
    script = (VENDOR / "rebuild.mjs").read_text(encoding="utf-8")
    pins = re.findall(r"name: '(@noble/[a-z]+)', version: '([0-9.]+)'.*?integrity: '([^']+)'", script, re.S)
    assert sorted(pins) == sorted((p["name"], p["version"], p["integrity"]) for p in _record()["packages"])
    assert {name for name, _, _ in pins} == {"@noble/curves", "@noble/hashes"}


@pytest.mark.parametrize("damage", ["flip", "extra", "missing"])
def test_vendored_check_sees_damage(tmp_path, damage):
    copy = tmp_path / "vendor"
    shutil.copytree(VENDOR, copy)
    target = copy / "noble-curves" / "secp256k1.js"
    if damage == "flip":
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 1
        target.write_bytes(bytes(data))
    elif damage == "extra":
        (copy / "noble-hashes" / "evil.js").write_text("export {};\n")
    else:
        target.unlink()
    assert len(vendored_problems(copy)) == 1


def _node() -> str | None:
    node = shutil.which("node")
    if node is None:
        requiredtool.missing("NODE", "node (20 or later) is needed to test the in-browser verifier")
    return node


def test_js_suite_passes():
    node = _node()
    # The files named, not the directory: Node 20 searches a directory, later Nodes take globs.
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "js").glob("*.test.mjs"))
    assert len(files) >= 3
    run = subprocess.run([node, "--test", *files], cwd=ROOT, capture_output=True, text=True, timeout=300)
    summary = dict(re.findall(r"^# (pass|fail|skipped|todo|cancelled) (\d+)$", run.stdout, re.M))
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert int(summary.get("pass", 0)) >= 30, run.stdout[-2000:]
    assert summary.get("fail") == "0" and summary.get("skipped") == "0" and summary.get("todo") == "0"


@pytest.mark.parametrize("require, allow", [(None, None), ("1", None), ("1", "1")])
def test_missing_node_fails_unless_explicitly_allowed(monkeypatch, require, allow):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    for name, value in (("ZKSOLV_REQUIRE_NODE", require), ("ZKSOLV_ALLOW_NO_NODE", allow)):
        monkeypatch.delenv(name, raising=False) if value is None else monkeypatch.setenv(name, value)
    with pytest.raises(pytest.fail.Exception, match="node"):
        _node()


def test_missing_node_is_allowed_only_by_its_variable(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("ZKSOLV_REQUIRE_NODE", raising=False)
    monkeypatch.setenv("ZKSOLV_ALLOW_NO_NODE", "1")
    with pytest.raises(pytest.skip.Exception):
        _node()


def test_every_web_file_is_package_data():
    """A regular install (CI's `pip install .`) ships every file the page needs."""
    import pathlib
    import tomllib

    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["zksolv.web"]
    files = [p.relative_to(WEB) for p in WEB.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    unshipped = [str(f) for f in files if f.suffix != ".py" and not any(
        len(pathlib.PurePosixPath(g).parts) == len(f.parts) and f.match(g) for g in globs)]
    assert unshipped == []
    assert len(files) > 30
