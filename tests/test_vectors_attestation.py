"""The published attestation vector (vectors/attestation.json and vectors/attestation/; SPEC.md
§7, issue 13 item 7) holds for the Python implementation: the round audits, its digests, audit
files and exchange signature are the ones listed, and every inclusion case gets its verdict.
tests/js/attestation.test.mjs holds the JS verifier to the same file."""

import hashlib
import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, VECTORS
from zksolv import inclusion2
from zksolv.attestation import exchange
from zksolv.errors import ZksolvError
from zksolv.statements import canonical_bytes

ROUND = VECTORS / "attestation" / "round"
DOC = json.loads((VECTORS / "attestation.json").read_text(encoding="utf-8"))


def _cases(kind: str) -> list:
    return [t for t in DOC["tests"] if t["kind"] == kind]


def _manifest():
    return inclusion2.read_manifest(ROUND / "manifest.json")


def test_the_file_is_wycheproof_shaped_with_every_kind():
    assert DOC["numberOfTests"] == len(DOC["tests"]) and [t["tc_id"] for t in DOC["tests"]] == list(range(1, len(DOC["tests"]) + 1))
    assert {t["kind"] for t in DOC["tests"]} == {"manifest", "audit", "exchange-signature", "inclusion"}
    assert {t["result"] for t in _cases("inclusion")} == {"valid", "invalid"}


def test_the_round_audits_and_its_files_stay_small():
    run = subprocess.run([sys.executable, "-m", "zksolv", "audit", str(ROUND)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "VALID" in run.stdout
    assert sum(p.stat().st_size for p in (VECTORS / "attestation").rglob("*") if p.is_file()) < 200_000


@pytest.mark.parametrize("case", _cases("manifest"), ids=lambda t: t["comment"][:30])
def test_manifest_digests(case):
    manifest = _manifest()
    assert (manifest.attestation_id, manifest.digest().hex(), manifest.body_digest().hex()) == \
        (case["attestation_id"], case["digest"], case["body_digest"])
    assert manifest.version == 2 and manifest.reserves.exchange is not None


@pytest.mark.parametrize("case", _cases("audit"), ids=lambda t: t["file"])
def test_audit_files(case):
    data = (VECTORS / case["file"]).read_bytes()
    assert (hashlib.sha256(data).hexdigest(), len(data)) == (case["sha256"], case["bytes"])
    doc = json.loads((ROUND / "manifest.json").read_text(encoding="utf-8"))
    name = case["file"].rsplit("/", 1)[1]
    entry = doc["margin"]["audit"] if name == "margin.audit" else doc["assets"][name.removesuffix(".audit")]["audit"]
    assert entry == {"file": name, "sha256": case["sha256"], "bytes": case["bytes"]}


@pytest.mark.parametrize("case", _cases("exchange-signature"), ids=lambda t: t["comment"][:30])
def test_exchange_signature(case):
    manifest = _manifest()
    assert exchange.require(ROUND, manifest.reserves, manifest.digest(), None) == case["exchange"]
    assert exchange.require(ROUND, manifest.reserves, manifest.digest(), case["exchange"].upper().replace("0X", "0x")) \
        == case["exchange"]


def _verdict(case, directory=ROUND):
    """verify-inclusion's checks, in the order the CLI makes them; the Checked result or None."""
    given = case.get("given", {})
    manifest = _manifest()
    try:
        signed_by = exchange.require(directory, manifest.reserves, manifest.digest(), given.get("signer"))
        checked = inclusion2.verify_any(VECTORS / case["file"], manifest, given.get("user_id", case.get("user_id")),
                                        given.get("balances", {}))
    except ZksolvError:
        return None
    return checked, signed_by


@pytest.mark.parametrize("case", _cases("inclusion"), ids=lambda t: t["comment"][:40])
def test_inclusion_cases(case, tmp_path):
    directory = ROUND
    if case.get("given", {}).get("without_signature"):
        directory = tmp_path / "round"
        shutil.copytree(ROUND, directory)
        (directory / exchange.FILE).unlink()
    result = _verdict(case, directory)
    if case["result"] == "invalid":
        assert result is None
        assert _verdict({**case, "given": {}}) is not None, "the same proof verifies without the change"
        return
    checked, signed_by = result
    shown = checked.margin["balances"] if checked.margin else checked.balances
    assert (checked.user_id, shown, signed_by) == (case["user_id"], case["balances"], case["signed_by"])
    margin = checked.margin and {k: checked.margin[k] for k in ("debts", "leaf_index", "collateralized")}
    assert margin == case["margin"]
    doc = json.loads((VECTORS / case["file"]).read_text(encoding="utf-8"))
    assert hashlib.sha256(canonical_bytes(doc)).hexdigest() == case["canonical_sha256"]


def test_user_ids_are_non_ascii_and_need_an_escape():
    ids = [t["user_id"] for t in _cases("inclusion") if t["result"] == "valid"]
    assert all(any(ord(c) > 127 for c in u) for u in ids)
    assert any("\\" in u for u in ids)
    assert any(t["margin"] and t["margin"]["debts"] for t in _cases("inclusion") if t["result"] == "valid")
