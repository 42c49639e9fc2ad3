"""Solana proofs of control (SPEC.md §6.4.2) against Solana Kit's and solders' signatures and
the off-chain message bytes of agave's own tests."""

import hashlib

import pytest
from hypothesis import given, settings, strategies as st
from solders.hash import Hash
from solders.keypair import Keypair
from solders.message import Message, MessageV0

from chainkit import control_message_v2, load_thirdparty, rewrite
from zksolv.errors import InputError, InvalidProof
from zksolv.reserves import sign_solana, solana
from zksolv.reserves.encoding import base58_decode, base58_encode

KIT = load_thirdparty("solana")
CASES = KIT["cases"]
CONTROL = [c for c in CASES if c["message"].startswith("zksolv:")]
EXCHANGE, ROUND = KIT["exchange"], KIT["attestation_id"]

# solana-offchain-message 3.0.0 (anza-xyz/solana-sdk, offchain-message/src/lib.rs, its tests):
# the serialized bytes and hash of two version-0 messages, as `solana sign-offchain-message`
# builds them.
AGAVE_ASCII = bytes([255, 115, 111, 108, 97, 110, 97, 32, 111, 102, 102, 99, 104, 97, 105, 110, 0, 0, 12, 0]) + b"Test Message"
AGAVE_ASCII_HASH = "HG5JydBGjtjTfD3sSn21ys5NTWPpXzmqifiGC2BVUjkD"
AGAVE_UTF8 = bytes([255, 115, 111, 108, 97, 110, 97, 32, 111, 102, 102, 99, 104, 97, 105, 110, 0, 1, 35, 0]) + "Тестовое сообщение".encode()
AGAVE_UTF8_HASH = "6GXTveatZQLexkX4WeTpJ3E7uk1UojRXpKp43c4ArSun"


def _solders(i: int) -> Keypair:
    return Keypair.from_seed(hashlib.sha256(f"zksolv thirdparty solana {i}".encode()).digest())


def _control(keypair: Keypair) -> tuple[str, bytes]:
    address = str(keypair.pubkey())
    return address, control_message_v2(EXCHANGE, ROUND, "solana", address)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['form']}-{c['message'][:12]}")
def test_solana_kit_signatures_verify(case):
    solana.verify(case["address"], case["message"].encode(), case["signature"])


@pytest.mark.parametrize("case", [c for c in CASES if c["form"] == "v1"], ids=lambda c: c["message"][:12])
def test_v1_bytes_are_solana_kits(case):
    key = base58_decode(case["address"], 32)
    assert solana.v1_message(key, case["message"].encode()).hex() == case["signed_bytes"]


@pytest.mark.parametrize("serialized, digest", [(AGAVE_ASCII, AGAVE_ASCII_HASH), (AGAVE_UTF8, AGAVE_UTF8_HASH)])
def test_cli_bytes_are_agaves(serialized, digest):
    assert solana.cli_message(serialized[20:]) == serialized
    assert base58_encode(hashlib.sha256(serialized).digest()) == digest


def test_cli_format_by_length():
    assert solana.cli_message(b"a" * 1212)[17] == 0
    assert solana.cli_message(b"a" * 1213)[17:20] == bytes([2]) + (1213).to_bytes(2, "little")
    assert solana.cli_message(b"a" * 65515) is not None
    assert solana.cli_message(b"a" * 65516) is None
    assert solana.cli_message(b"") is None
    assert solana.cli_message(b"\xff") is None


@pytest.mark.parametrize("i", range(3))
@pytest.mark.parametrize("form", ["cli", "v1", "raw"])
def test_solders_signatures_verify_and_match_ours(i, form):
    keypair = _solders(i)
    address, message = _control(keypair)
    assert address == CASES[4 * i]["address"]
    data = solana.signed_forms(bytes(keypair.pubkey()), message)[form]
    theirs = str(keypair.sign_message(data))
    solana.verify(address, message, theirs)
    ours = sign_solana.new_key(hashlib.sha256(f"zksolv thirdparty solana {i}".encode()).digest())
    assert sign_solana.sign(ours, message, form) == theirs


@pytest.mark.parametrize("form", ["cli", "v1", "raw"])
def test_wrong_message_other_round_wrong_chain_forged_key_refused(form):
    keypair = _solders(0)
    address, message = _control(keypair)
    signature = sign_solana.sign(sign_solana.new_key(bytes(keypair.secret())), message, form)
    for changed in (message + b"x", message[:-1], rewrite(message, ROUND, "acme-2026-12-05"),
                    rewrite(message, ":solana:", ":ethereum:")):
        with pytest.raises(InvalidProof, match="not by"):
            solana.verify(address, changed, signature)
    forged = sign_solana.sign(sign_solana.new_key(), message, form)
    with pytest.raises(InvalidProof, match="not by"):
        solana.verify(address, message, forged)


def test_v1_signature_names_its_signer():
    """A v1 message holds the signer's key: one signed for key A does not serve for key B
    even over the same text (the verifier rebuilds it with the claimed address)."""
    case = next(c for c in CONTROL if c["form"] == "v1")
    other = CONTROL[-1]["address"]
    with pytest.raises(InvalidProof):
        solana.verify(other, case["message"].encode(), case["signature"])


def test_non_canonical_s_refused():
    case = CONTROL[0]
    raw = base58_decode(case["signature"], 64)
    s = int.from_bytes(raw[32:], "little") + solana.L
    malleated = base58_encode(raw[:32] + s.to_bytes(32, "little"))
    with pytest.raises(InvalidProof, match="non-canonical"):
        solana.verify(case["address"], case["message"].encode(), malleated)


def test_small_order_key_refused():
    """With key = R = the identity and S = 0, s·B = R + h·A holds for every message: a
    verifier without the small-order rule accepts it."""
    identity = b"\x01" + bytes(31)
    address = base58_encode(identity)
    signature = base58_encode(identity + bytes(32))
    with pytest.raises(InvalidProof, match="small order"):
        solana.verify(address, b"zksolv:anything", signature)


@pytest.mark.parametrize("y", sorted(solana.SMALL_ORDER_Y) + [2**255 - 19, 2**255 - 1])
def test_small_order_and_non_canonical_keys_refused(y):
    key = y.to_bytes(32, "little")
    with pytest.raises(InvalidProof, match="usable"):
        solana.check_key(key, "k")
    with pytest.raises(InvalidProof, match="usable"):
        solana.check_key(bytes(key[:31]) + bytes([key[31] | 0x80]), "k")  # either sign of x


@pytest.mark.parametrize("bad", [
    CONTROL[0]["signature"][:-1],             # 63.x bytes
    CONTROL[0]["signature"] + "2",            # 65 bytes
    "1" + CONTROL[0]["signature"],            # a leading zero byte too many
    CONTROL[0]["signature"][:-1] + "0",       # not Base58
    base58_encode(bytes(64)),                 # 64 '1's: decodes, but signs nothing
])
def test_bad_signature_text_refused(bad):
    with pytest.raises((InputError, InvalidProof)):
        solana.verify(CONTROL[0]["address"], CONTROL[0]["message"].encode(), bad)


def test_signature_of_other_length_refused_as_input():
    with pytest.raises(InputError, match="64 bytes"):
        solana.verify(CONTROL[0]["address"], b"m", base58_encode(b"\x07" * 65))
    with pytest.raises(InputError, match="64 bytes"):
        solana.verify(CONTROL[0]["address"], b"m", base58_encode(b"\x07" * 63))


@pytest.mark.parametrize("bad", [
    "1" + CASES[0]["address"],                 # 33 bytes
    base58_encode(b"\x07" * 31),               # 31 bytes
    base58_encode(bytes(31)),                  # 31 zero bytes
    "11111111111111111111111111111111" + "1",  # 33 zero bytes
    "0" * 32,                                  # not Base58
    CASES[0]["address"].lower(),               # Base58 is case-sensitive
    "TLoSbzhzKoujMmnmf6bNbNMuLyuFTTvyCu",      # a TRON address
])
def test_bad_addresses_refused(bad):
    with pytest.raises(InputError):
        solana.normalize_address(bad)
    with pytest.raises(InputError):
        solana.verify(bad, b"m", CONTROL[0]["signature"])


def test_addresses_mints_and_block_hashes():
    system = "11111111111111111111111111111111"  # the system program: 32 zero bytes
    usdc = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
    assert solana.normalize_address(system) == system
    assert solana.normalize_token(usdc) == usdc
    block = base58_encode(hashlib.sha256(b"a block").digest())
    assert str(Hash.from_string(block)) == block
    assert solana.normalize_block_hash(block) == block
    for bad in ("0x" + "00" * 32, block + "1", block[:-2]):
        with pytest.raises(InputError):
            solana.normalize_block_hash(bad)


def test_raw_control_message_is_no_transaction():
    """SPEC.md §6.4.2: a raw-signed control message cannot be a transaction message."""
    _, message = _control(_solders(0))
    for parser in (Message.from_bytes, MessageV0.from_bytes):
        with pytest.raises(ValueError):
            parser(message)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", min_size=30, max_size=46))
def test_accepted_base58_is_the_one_spelling(text):
    """An address is compared as written, so any text that decodes must re-encode to itself."""
    try:
        raw = base58_decode(text, 32)
    except InputError:
        return
    assert base58_encode(raw) == text
