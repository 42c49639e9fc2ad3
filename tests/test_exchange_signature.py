"""The exchange's signature over an attestation (SPEC.md §6.17): `prove --sign-with`,
`zksolv sign`, `zksolv keygen`, and what verify, audit and verify-inclusion require of a
version-2 round — a valid EIP-191 signature by the exchange its reserves declare, over this
manifest's digest; `--signer` pins who that is. Cross-checked with eth-keys."""

import copy
import csv
import hashlib
import json
import os
import shutil
import stat

import pytest
from eth_keys import keys as eth_keys
from eth_utils import keccak

import custodykit
from clikit import invoke, one_error_line
from conftest import VECTORS
from zksolv import demo
from zksolv.attestation import exchange
from zksolv.reserves import signing

SIG = exchange.FILE


def _eip191(message: bytes) -> bytes:
    """EIP-191 personal_sign hash, with keccak from eth-utils."""
    return keccak(b"\x19Ethereum Signed Message:\n" + str(len(message)).encode() + message)


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """One version-2 round proved with --sign-with (its exchange key kept for the tests)."""
    d = tmp_path_factory.mktemp("signed")
    key_path, key = custodykit.key_file(d / "exchange.key")
    totals = demo.write_ledger(d / "ledger.csv", 6)
    doc = custodykit.document("signed-1", totals, key)
    custodykit.write(d / "reserves.json", doc)
    with open(d / "snapshot.csv", "w", newline="") as f:
        csv.writer(f).writerows(custodykit.snapshot_rows(doc))
    out = invoke("prove", "--ledger", d / "ledger.csv", "--reserves", d / "reserves.json", "--out", d / "att",
                 "--state", d / "state.db", "--sign-with", key_path, "--chunk", "4", "--workers", "1", "--json")
    assert out.code == 0, out.stderr
    return {"dir": d, "att": d / "att", "key": key, "key_path": key_path, "doc": doc,
            "exchange": exchange.address(key), "digest": json.loads(out.stdout)["manifest"]}


def _copy(signed, tmp_path, name="att"):
    target = tmp_path / name
    shutil.copytree(signed["att"], target)
    return target


def _signature_doc(att):
    return json.loads((att / SIG).read_text())


def _write_signature(att, doc):
    (att / SIG).write_text(json.dumps(doc))


def _refused(out, match):
    assert out.code == 1 and one_error_line(out), (out.code, out.stderr)
    assert match in out.stderr, out.stderr


def test_a_signed_round_verifies_showing_exchange_and_blocks(signed):
    out = invoke("verify", signed["att"], "--snapshot", signed["dir"] / "snapshot.csv", "--json")
    assert out.code == 0, out.stderr
    custody = json.loads(out.stdout)["custody"]
    assert custody["exchange"] == custody["signed_by"] == signed["exchange"].lower()
    assert custody["chains"]["bsc"] == {"height": 44000000, "hash": "0x" + "b5" * 32, "chain_id": 56}
    text = invoke("verify", signed["att"]).stdout
    assert f"exchange {signed['exchange'].lower()}: its signature over the manifest is valid" in text
    assert f"bitcoin: balances at block 870000 ({custodykit.BTC_BLOCK['hash']})" in text


def test_the_signature_is_eip191_over_the_manifest_digest_as_eth_keys_recovers_it(signed):
    """The digest recomputed by hand from SPEC.md §6.7 (tagged SHA-256 over canonical JSON),
    the signer recovered by eth-keys, a library nobody here wrote."""
    manifest = json.loads((signed["att"] / "manifest.json").read_text())
    canonical = json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    tag = b"zksolv/v1/manifest"
    digest = hashlib.sha256(bytes([len(tag)]) + tag + canonical).hexdigest()
    assert digest == signed["digest"]
    doc = _signature_doc(signed["att"])
    assert doc["scheme"] == "eip191" and doc["message"] == f"zksolv:manifest:v1:{digest}"
    raw = bytes.fromhex(doc["signature"][2:])
    signature = eth_keys.Signature(raw[:64] + bytes([raw[64] - 27]))
    recovered = signature.recover_public_key_from_msg_hash(_eip191(doc["message"].encode()))
    assert recovered.to_checksum_address() == doc["signer"] == signed["exchange"]


def test_a_signature_made_by_eth_keys_is_accepted_by_zksolv_sign(signed, tmp_path):
    att = _copy(signed, tmp_path)
    os.unlink(att / SIG)
    message = f"zksolv:manifest:v1:{signed['digest']}".encode()
    theirs = eth_keys.PrivateKey(signed["key"].secret).sign_msg_hash(_eip191(message))
    text = "0x" + (theirs.to_bytes()[:64] + bytes([theirs.v + 27])).hex()
    out = invoke("sign", att, "--signature", text, "--json")
    assert out.code == 0, out.stderr
    assert json.loads(out.stdout)["signer"] == signed["exchange"]
    assert invoke("verify", att, "--signer", signed["exchange"]).code == 0


def test_an_absent_signature_is_refused(signed, tmp_path):
    att = _copy(signed, tmp_path)
    os.unlink(att / SIG)
    _refused(invoke("verify", att), f"{SIG}: missing — the reserves name the exchange")
    _refused(invoke("audit", att, "--workers", "1"), f"{SIG}: missing")


def test_a_forged_signature_is_refused(signed, tmp_path):
    """Signed by another key, the file claiming the exchange signed."""
    att = _copy(signed, tmp_path)
    forged = exchange.sign(signing.new_key(), bytes.fromhex(signed["digest"]))
    doc = {**_signature_doc(att), "signature": forged.signature}
    _write_signature(att, doc)
    _refused(invoke("verify", att), "not a valid signature by the exchange")


def test_a_valid_signature_by_someone_else_is_refused(signed, tmp_path):
    att = _copy(signed, tmp_path)
    _write_signature(att, exchange.sign(signing.new_key(), bytes.fromhex(signed["digest"])).to_json())
    _refused(invoke("verify", att), "but the reserves name the exchange")


def test_the_exchanges_signature_over_another_manifest_is_refused(signed, tmp_path):
    att = _copy(signed, tmp_path)
    other = exchange.sign(signed["key"], hashlib.sha256(b"another round").digest())
    _write_signature(att, other.to_json())
    _refused(invoke("verify", att), "not this manifest")
    doc = {**_signature_doc(signed["att"]), "message": other.message}  # the message alone swapped
    _write_signature(att, doc)
    _refused(invoke("verify", att), "not this manifest")


def test_a_manifest_changed_after_signing_is_refused(signed, tmp_path):
    """A pinned block moved: the digest changes, so the signature no longer covers it."""
    att = _copy(signed, tmp_path)
    manifest = json.loads((att / "manifest.json").read_text())
    manifest["custody"]["chains"]["bitcoin"]["height"] += 1
    (att / "manifest.json").write_text(json.dumps(manifest))
    _refused(invoke("verify", att), "not this manifest")


def test_an_exchange_swapped_and_resigned_is_refused(signed, tmp_path):
    """Whoever rewrites `exchange` and signs with their own key still fails: the wallets
    signed the real exchange's name, and the solvency proofs bind the manifest body."""
    att = _copy(signed, tmp_path)
    thief = signing.new_key()
    manifest = json.loads((att / "manifest.json").read_text())
    manifest["custody"]["exchange"] = exchange.address(thief).lower()
    (att / "manifest.json").write_text(json.dumps(manifest))
    from zksolv import inclusion2
    digest = inclusion2.read_manifest(att / "manifest.json").digest()
    _write_signature(att, exchange.sign(thief, digest).to_json())
    out = invoke("verify", att)
    assert out.code == 1 and one_error_line(out)
    assert "signature is not by" in out.stderr


@pytest.mark.parametrize("change,match", [
    (lambda d: d.update(scheme="eip712"), "scheme"),
    (lambda d: d.update(extra=1), "unknown key 'extra'"),
    (lambda d: d.pop("message"), "missing message"),
    (lambda d: d.update(signature=d["signature"][:-2]), "signature must be 65 bytes"),
    (lambda d: d.update(signer="0x1234"), "not a 0x-prefixed 20-byte"),
])
def test_a_malformed_signature_file_is_exit_3(signed, tmp_path, change, match):
    att = _copy(signed, tmp_path)
    doc = _signature_doc(att)
    change(doc)
    _write_signature(att, doc)
    out = invoke("verify", att)
    assert out.code == 3 and one_error_line(out) and match in out.stderr, out.stderr


def test_signer_pinning_on_verify_audit_and_verify_inclusion(signed, tmp_path):
    other = signing.ethereum_address(signing.new_key())
    assert invoke("verify", signed["att"], "--signer", signed["exchange"].lower()).code == 0
    _refused(invoke("verify", signed["att"], "--signer", other), f"--signer {other.lower()}: this attestation names")
    _refused(invoke("audit", signed["att"], "--workers", "1", "--signer", other), "--signer")
    proof = tmp_path / "proof.json"
    user = "user-000000"
    assert invoke("inclusion", "--state", signed["dir"] / "state.db", "--user", user, "--out", proof).code == 0
    ok = invoke("verify-inclusion", proof, "--attestation", signed["att"], "--signer", signed["exchange"], "--json")
    assert ok.code == 0, ok.stderr
    assert json.loads(ok.stdout)["signed_by"] == signed["exchange"].lower()
    _refused(invoke("verify-inclusion", proof, "--attestation", signed["att"], "--signer", other), "--signer")
    unsigned = _copy(signed, tmp_path, "unsigned")
    os.unlink(unsigned / SIG)
    _refused(invoke("verify-inclusion", proof, "--attestation", unsigned), f"{SIG}: missing")


def test_a_version1_attestation_cannot_match_a_signer():
    v1 = VECTORS / "regression" / "v1" / "attestation"
    _refused(invoke("verify", v1, "--signer", "0x" + "11" * 20), "names no exchange")
    assert invoke("verify", v1).code == 0


@pytest.mark.parametrize("value", ["0x1234", "0x52908400098527886E0F7030069857D2E4169Ee7", "exchange"])
def test_a_signer_that_is_not_an_address_is_a_usage_error(signed, value):
    out = invoke("verify", signed["att"], "--signer", value)
    assert out.code == 2 and one_error_line(out)


def test_keygen_writes_a_private_key_and_shows_only_its_address(tmp_path):
    path = tmp_path / "new.key"
    out = invoke("keygen", "--out", path, "--json")
    assert out.code == 0, out.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = exchange.read_key(path)
    assert json.loads(out.stdout)["address"] == exchange.address(key)
    assert key.secret.hex() not in out.stdout + out.stderr
    again = invoke("keygen", "--out", path)
    assert again.code == 3 and "already exists" in again.stderr
    assert exchange.read_key(path).secret == key.secret


def test_keygen_refuses_a_published_directory(signed, tmp_path):
    att = _copy(signed, tmp_path)
    out = invoke("keygen", "--out", att / "k.key")
    assert out.code == 3 and "published" in out.stderr and not (att / "k.key").exists()


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_a_key_file_open_to_others_is_refused_without_showing_it(signed, tmp_path, mode):
    path, key = custodykit.key_file(tmp_path / "k.key", signed["key"])
    os.chmod(path, mode)
    att = _copy(signed, tmp_path)
    os.unlink(att / SIG)
    out = invoke("sign", att, "--key", path)
    assert out.code == 3 and "open to group or others" in out.stderr
    assert key.secret.hex() not in out.stderr and not (att / SIG).exists()


@pytest.mark.parametrize("text", ["", "0x" + "00" * 32, "0x" + "ff" * 32, "0x" + "ab" * 31, "ab" * 32,
                                  "0x" + "ab" * 32 + "\n0x" + "cd" * 32])
def test_a_key_file_that_holds_no_key_is_refused(signed, tmp_path, text):
    path = tmp_path / "k.key"
    path.write_text(text)
    os.chmod(path, 0o600)
    att = _copy(signed, tmp_path)
    os.unlink(att / SIG)
    out = invoke("sign", att, "--key", path)
    assert out.code == 3 and one_error_line(out) and f"--key {path}: not a" in out.stderr, out.stderr
    assert not (att / SIG).exists()


def test_prove_refuses_a_key_other_than_the_exchanges_before_any_work(signed, tmp_path):
    path, _ = custodykit.key_file(tmp_path / "other.key")
    d = signed["dir"]
    out = invoke("prove", "--ledger", d / "ledger.csv", "--reserves", d / "reserves.json", "--out", tmp_path / "att",
                 "--state", tmp_path / "st.db", "--sign-with", path)
    assert out.code == 3 and one_error_line(out) and "but the reserves name the exchange" in out.stderr
    assert not (tmp_path / "att").exists() and not (tmp_path / "st.db").exists()


def test_prove_refuses_sign_with_for_version1_reserves(signed, tmp_path):
    v1 = VECTORS / "regression" / "v1" / "inputs"
    out = invoke("prove", "--ledger", v1 / "ledger.csv", "--reserves", v1 / "reserves.json", "--out",
                 tmp_path / "att", "--state", tmp_path / "st.db", "--sign-with", signed["key_path"])
    assert out.code == 3 and "name no exchange" in out.stderr and not (tmp_path / "att").exists()


def test_zksolv_sign_with_the_key_then_never_over_an_existing_signature(signed, tmp_path):
    att = _copy(signed, tmp_path)
    os.unlink(att / SIG)
    out = invoke("sign", att, "--key", signed["key_path"])
    assert out.code == 0, out.stderr
    assert _signature_doc(att) == _signature_doc(signed["att"])  # deterministic (RFC 6979)
    again = invoke("sign", att, "--key", signed["key_path"])
    assert again.code == 3 and "already exists" in again.stderr
    assert invoke("sign", att, "--key", signed["key_path"], "--force").code == 0
    assert invoke("verify", att).code == 0


def test_zksolv_sign_checks_an_attached_signature_before_writing_it(signed, tmp_path):
    att = _copy(signed, tmp_path)
    os.unlink(att / SIG)
    bad = exchange.sign(signing.new_key(), bytes.fromhex(signed["digest"])).signature
    _refused(invoke("sign", att, "--signature", bad), "not a valid signature by the exchange")
    assert not (att / SIG).exists()


@pytest.mark.parametrize("args", [[], ["--key", "k", "--signature", "0x" + "00" * 65], ["--signature", "0x12"]])
def test_zksolv_sign_usage(signed, tmp_path, args):
    out = invoke("sign", tmp_path, *args)
    assert out.code == 2 and one_error_line(out)


def test_zksolv_sign_refuses_a_version1_attestation(signed, tmp_path):
    att = tmp_path / "v1"
    shutil.copytree(VECTORS / "regression" / "v1" / "attestation", att)
    out = invoke("sign", att, "--key", signed["key_path"])
    assert out.code == 3 and "name no exchange" in out.stderr and not (att / SIG).exists()


def test_old_manifests_keep_their_digest_and_a_custody_object_is_strict(signed, tmp_path):
    from zksolv import inclusion2
    from zksolv.attestation import manifest as manifest_module
    from zksolv.errors import EncodingError

    v1 = VECTORS / "regression" / "v1" / "attestation" / "manifest.json"
    assert "custody" not in inclusion2.read_manifest(v1).to_json()
    path = tmp_path / "manifest.json"
    manifest = json.loads((signed["att"] / "manifest.json").read_text())
    for change, match in [(lambda m: m["custody"].update(reserves_version=3), "reserves_version"),
                          (lambda m: m["custody"].update(exchange=signed["exchange"]), "normalized form"),
                          (lambda m: m["custody"]["chains"]["bsc"].update(hash="0x" + "B5" * 32), "normalized form"),
                          (lambda m: m["custody"]["chains"].pop("bsc"), "not declared in chains")]:
        doc = copy.deepcopy(manifest)
        change(doc)
        path.write_text(json.dumps(doc))
        with pytest.raises(EncodingError, match=match):
            manifest_module.read(path)


def test_a_margin_round_carries_custody_and_its_signature_too(tmp_path):
    """Manifest version 2 (a margin round) publishes the custody object and is signed the same way."""
    inputs = VECTORS / "regression" / "v2" / "inputs"
    key_path, key = custodykit.key_file(tmp_path / "exchange.key")
    reserves = custodykit.write(tmp_path / "reserves.json",
                                custodykit.converted(json.loads((inputs / "reserves.json").read_text()), key))
    att = tmp_path / "att"
    out = invoke("prove", "--ledger", inputs / "ledger.csv", "--reserves", reserves, "--prices",
                 inputs / "prices.json", "--out", att, "--state", tmp_path / "st.db", "--chunk", "4",
                 "--workers", "1", "--sign-with", key_path)
    assert out.code == 0, out.stderr
    manifest = json.loads((att / "manifest.json").read_text())
    assert manifest["version"] == 2 and manifest["custody"]["exchange"] == exchange.address(key).lower()
    checked = invoke("verify", att, "--signer", exchange.address(key), "--json")
    assert checked.code == 0, checked.stderr
    assert json.loads(checked.stdout)["custody"]["signed_by"] == exchange.address(key).lower()
    os.unlink(att / SIG)
    _refused(invoke("verify", att), f"{SIG}: missing")


def test_a_key_kept_in_the_published_directory_is_refused(signed, tmp_path):
    att = _copy(signed, tmp_path)
    os.unlink(att / SIG)
    path, _ = custodykit.key_file(att / "exchange.key", signed["key"])
    out = invoke("sign", att, "--key", path)
    assert out.code == 3 and one_error_line(out) and "which is published" in out.stderr
    assert not (att / SIG).exists()


def test_a_fifo_as_key_or_signature_file_is_refused_without_blocking(signed, tmp_path):
    att = _copy(signed, tmp_path)
    fifo = tmp_path / "fifo.key"
    os.mkfifo(fifo)
    out = invoke("sign", att, "--key", fifo, "--force", seconds=20)
    assert out.code == 3 and "not a regular file" in out.stderr
    os.unlink(att / SIG)
    os.mkfifo(att / SIG)
    out = invoke("verify", att, seconds=20)
    assert out.code == 3 and "not a regular file" in out.stderr


def test_stripping_custody_to_pass_as_a_version1_round_is_refused(signed, tmp_path):
    """Without `custody` the manifest reads as version 1 (no exchange signature required),
    but its wallets signed version-2 messages, which are no version-1 proofs of control."""
    att = _copy(signed, tmp_path)
    manifest = json.loads((att / "manifest.json").read_text())
    del manifest["custody"]
    for asset in manifest["assets"].values():
        for w in asset["wallets"]:
            w["chain"] = "ethereum" if w["chain"] == "bsc" else w["chain"]
    (att / "manifest.json").write_text(json.dumps(manifest))
    out = invoke("verify", att)
    assert out.code == 1 and one_error_line(out) and "signature is not by" in out.stderr, out.stderr
