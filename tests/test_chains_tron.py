"""TRON proofs of control (SPEC.md §6.4.2) against signatures made by tronweb."""

import hashlib

import pytest

from chainkit import high_s, load_thirdparty, rewrite
from zksolv.errors import InputError, InvalidProof
from zksolv.reserves import sign_tron, tron
from zksolv.reserves.encoding import base58check_encode

TRONWEB = load_thirdparty("tron")
CASES = TRONWEB["cases"]
CONTROL = [c for c in CASES if c["message"].startswith("zksolv:")]


def _ours(i: int):
    return sign_tron.new_key(hashlib.sha256(f"zksolv thirdparty tron {i}".encode()).digest())


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['form']}-{c['message'][:12]}")
def test_tronweb_signatures_verify(case):
    tron.verify(case["address"], case["message"].encode(), case["signature"])


def test_both_forms_are_exercised():
    assert {c["form"] for c in CASES} == {"v1", "v2"}


@pytest.mark.parametrize("i", range(3))
def test_addresses_agree_with_tronweb(i):
    assert sign_tron.address(_ours(i)) == CASES[4 * i]["address"]


@pytest.mark.parametrize("form", ["v1", "v2"])
def test_our_signer_matches_tronweb_byte_for_byte(form):
    case = next(c for c in CONTROL if c["form"] == form)
    assert sign_tron.sign(_ours(0), case["message"].encode(), form) == case["signature"]


@pytest.mark.parametrize("case", CONTROL, ids=lambda c: c["form"])
def test_wrong_message_other_round_and_wrong_chain_refused(case):
    message = case["message"].encode()
    for changed in (message + b"x", message[:-1], rewrite(message, TRONWEB["attestation_id"], "acme-2026-12-05"),
                    rewrite(message, ":tron:", ":ethereum:")):
        with pytest.raises(InvalidProof):
            tron.verify(case["address"], changed, case["signature"])


def test_forged_key_refused():
    victim = CONTROL[0]
    forger = sign_tron.new_key()
    for form in ("v1", "v2"):
        forged = sign_tron.sign(forger, victim["message"].encode(), form)
        with pytest.raises(InvalidProof, match="not by"):
            tron.verify(victim["address"], victim["message"].encode(), forged)


@pytest.mark.parametrize("case", CONTROL, ids=lambda c: c["form"])
def test_high_s_twin_refused(case):
    with pytest.raises(InvalidProof, match="high-s"):
        tron.verify(case["address"], case["message"].encode(), high_s(case["signature"]))


@pytest.mark.parametrize("cut", [2, 4, 66, 130])
def test_truncated_signature_refused(cut):
    case = CONTROL[0]
    with pytest.raises(InputError):
        tron.verify(case["address"], case["message"].encode(), case["signature"][:-cut])


def test_v_spelled_0_1_or_27_28():
    case = CONTROL[0]
    raw = bytes.fromhex(case["signature"][2:])
    parity = raw[64] - 27
    for v in (parity, parity + 27):
        tron.verify(case["address"], case["message"].encode(), (raw[:64] + bytes([v])).hex())
    for v in (1 - parity, 28 - parity):
        with pytest.raises(InvalidProof):
            tron.verify(case["address"], case["message"].encode(), (raw[:64] + bytes([v])).hex())


@pytest.mark.parametrize("v", [2, 26, 29, 255])
def test_other_v_refused(v):
    case = CONTROL[0]
    raw = bytes.fromhex(case["signature"][2:])
    with pytest.raises(InputError):
        tron.verify(case["address"], case["message"].encode(), (raw[:64] + bytes([v])).hex())


def _flip_char(text: str, index: int) -> str:
    ch = text[index]
    return text[:index] + ("2" if ch != "2" else "3") + text[index + 1:]


@pytest.mark.parametrize("bad", [
    _flip_char(CONTROL[0]["address"], 10),                        # checksum fails
    CONTROL[0]["address"][:-1],                                    # 33 characters
    CONTROL[0]["address"] + "1",                                   # 35 characters
    CONTROL[0]["address"].lower(),                                 # case matters in Base58
    base58check_encode(b"\x00" + bytes(range(20))),                # a Bitcoin P2PKH address
    base58check_encode(b"\x42" + bytes(range(20))),                # version 0x42, still 34 chars
    base58check_encode(b"\x41" + bytes(range(21)))[:34],           # 21-byte payload cut to 34
    "41" + TRONWEB["token_usdt_hex"][2:],                          # the hex spelling
    "T" + "0" * 33,                                                # not Base58
])
def test_bad_addresses_refused(bad):
    with pytest.raises(InputError):
        tron.normalize_address(bad)
    with pytest.raises(InputError):
        tron.verify(bad, b"m", CONTROL[0]["signature"])


def test_addresses_and_tokens_kept_as_written():
    assert tron.normalize_address(CASES[0]["address"]) == CASES[0]["address"]
    usdt = TRONWEB["token_usdt"]
    assert tron.normalize_token(usdt) == usdt
    assert tron.address_hash(usdt).hex() == TRONWEB["token_usdt_hex"][2:]


def test_block_hashes():
    text = "00000000041f3e0a" + "ab" * 24
    assert tron.normalize_block_hash(text.upper()) == text
    for bad in ("0x" + text, text[:-1], text + "0", "g" + text[1:]):
        with pytest.raises(InputError):
            tron.normalize_block_hash(bad)


def test_v1_is_the_v2_hash_only_for_32_byte_messages():
    """SPEC.md §6.4.2: the two preimages coincide exactly when the message is 32 bytes long;
    a control message is always longer, so a v1 signature of it is no v2 signature of anything."""
    assert tron.message_hash_v1(b"a" * 32) == tron.message_hash_v2(b"a" * 32)
    assert tron.message_hash_v1(b"a" * 33) != tron.message_hash_v2(b"a" * 33)
    assert all(len(c["message"]) > 32 for c in CONTROL)
