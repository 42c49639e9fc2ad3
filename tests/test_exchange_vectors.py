"""vectors/control-message-v2.json and vectors/exchange-signature.json (vectors/gen_exchange.py):
zksolv agrees with each case, and each case is what it claims read independently — the
message from SPEC.md §6.4.3's text, signatures recovered with eth-keys."""

import json

import pytest
from eth_keys import keys as eth_keys
from eth_utils import keccak

from conftest import VECTORS
from zksolv.attestation import exchange
from zksolv.errors import ZksolvError
from zksolv.reserves import control_message_v2


def _cases(name):
    doc = json.loads((VECTORS / name).read_text())
    return doc["tests"]


@pytest.mark.parametrize("case", _cases("control-message-v2.json"), ids=lambda c: c["comment"])
def test_control_message_v2(case):
    spec = ":".join(["zksolv", "reserves", "v2", case["exchange"].lower(), case["attestation_id"], case["chain"],
                     case["address"]])
    assert case["message"] == spec and bytes.fromhex(case["message_hex"]) == spec.encode()
    assert control_message_v2(case["exchange"], case["attestation_id"], case["chain"], case["address"]) == spec.encode()


def _recovered(file: dict) -> str | None:
    """The address eth-keys recovers from the file's signature over its message (EIP-191)."""
    try:
        raw = bytes.fromhex(file["signature"][2:])
        v = raw[64] - 27 if raw[64] >= 27 else raw[64]
        signature = eth_keys.Signature(raw[:64] + bytes([v]))
        message = file["message"].encode()
        digest = keccak(b"\x19Ethereum Signed Message:\n" + str(len(message)).encode() + message)
        return signature.recover_public_key_from_msg_hash(digest).to_checksum_address().lower()
    except Exception:  # the library refuses what does not decode (length, v): no signer
        return None


@pytest.mark.parametrize("case", _cases("exchange-signature.json"), ids=lambda c: c["comment"])
def test_exchange_signature(case):
    digest = bytes.fromhex(case["manifest_digest"])
    file, declared = case["file"], case["exchange"].lower()
    independently_valid = (file["scheme"] == "eip191" and file["signer"].lower() == declared
                           and file["message"] == "zksolv:manifest:v1:" + case["manifest_digest"]
                           and _recovered(file) == declared)
    assert independently_valid == (case["result"] == "valid")

    def check():
        exchange.check(exchange.parse(file, "vector"), digest, declared, "vector")
    if case["result"] == "valid":
        check()
    else:
        with pytest.raises(ZksolvError):
            check()
