"""BIP-322's published test vectors (tests/data/thirdparty/bitcoin/bip-0322/, from the BIPs
repository; signatures made by btcd) against zksolv's verifier (SPEC.md §6.4.1)."""

import json
import pathlib

import pytest

from zksolv.errors import InputError, InvalidProof
from zksolv.reserves import bitcoin
from zksolv.reserves.bitcoin_tx import bip322_message_hash, to_sign, to_spend

HERE = pathlib.Path(__file__).parent / "data" / "thirdparty" / "bitcoin" / "bip-0322"
BASIC = json.loads((HERE / "basic-test-vectors.json").read_text())
GENERATED = json.loads((HERE / "generated-test-vectors.json").read_text())

# Script kinds the BIP's vectors sign for that zksolv does not verify (SPEC.md §6.4.1): they
# must be refused, never passed.
UNSUPPORTED = {"p2pkh", "p2tr-time-lock", "p2wsh-time-lock", "p2sh-multisig-2of2"}


def _signed(doc, section):
    return [(c["type"], c["address"], c["message"], sig)
            for c in doc.get(section, []) for sig in c["bip322_signatures"]]


SIGNED = _signed(BASIC, "simple") + _signed(GENERATED, "simple") + _signed(GENERATED, "full")


@pytest.mark.parametrize("case", BASIC["tx_hashes"], ids=lambda c: repr(c["message"][:12]))
def test_message_hash_and_txids(case):
    message = case["message"].encode()
    spk = b"\x00\x14" + bitcoin.decode_address(case["address"]).digest
    assert bip322_message_hash(message).hex() == case["message_hash"]
    spend = to_spend(message, spk)
    assert spend.txid()[::-1].hex() == case["to_spend_tx_hash"]
    assert to_sign(spend.txid(), []).txid()[::-1].hex() == case["to_sign_tx_hash"]


@pytest.mark.parametrize("kind,address,message,signature", SIGNED, ids=lambda v: str(v)[:24])
def test_published_signature(kind, address, message, signature):
    if kind in UNSUPPORTED:
        with pytest.raises(InvalidProof):
            bitcoin.verify(address, message.encode(), signature)
    else:
        bitcoin.verify(address, message.encode(), signature)


def test_every_kind_we_claim_has_a_published_signature():
    kinds = {kind for kind, *_ in SIGNED} - UNSUPPORTED
    assert kinds == {"p2wpkh", "p2tr", "p2sh-p2wpkh", "p2wsh-multisig-2of2", "p2wsh-multisig-3of3",
                     "p2sh-p2wsh-multisig-2of2"}


@pytest.mark.parametrize("case", BASIC["error"] + GENERATED["error"], ids=lambda c: c["description"][:40])
def test_published_error(case):
    with pytest.raises((InputError, InvalidProof)):
        bitcoin.verify(case["address"], case["message"].encode(), case["signature"])


@pytest.mark.parametrize("case", GENERATED["proof_of_funds"], ids=lambda c: c["type"])
def test_proof_of_funds_is_refused(case):
    for sig in case["bip322_signatures"]:
        with pytest.raises(InvalidProof, match="proof-of-funds"):
            bitcoin.verify(case["address"], case["message"].encode(), sig)


def test_simple_signature_without_prefix_is_accepted():
    """BIP-322 lets a verifier read an unprefixed signature as "simple" (signatures made
    before the prefix was added); the full form is recognised when it is not a witness stack."""
    case = BASIC["simple"][0]
    for sig in case["bip322_signatures"]:
        bitcoin.verify(case["address"], b"", sig[3:])
    full = next(c for c in GENERATED["full"] if c["type"] == "p2wpkh")
    bitcoin.verify(full["address"], full["message"].encode(), full["bip322_signatures"][0][3:])
