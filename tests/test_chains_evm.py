"""EVM proofs of control on any EVM chain (SPEC.md §6.4.2) against eth-keys' signatures:
the chain is named in the signed message; high-s and out-of-range signatures are refused."""

import hashlib

import pytest
from eth_keys import keys

from chainkit import SECP256K1_N, control_message_v2, high_s, rewrite
from zksolv.errors import InputError, InvalidProof
from zksolv.reserves import chains, ethereum, sign_evm

EXCHANGE = "0x8ba1f109551bd432803012645ac136ddd64dba72"
ROUND = "acme-2026-12-04"


def _eip191(message: bytes) -> bytes:
    """EIP-191 version 0x45 framing, written out here from the EIP, not from zksolv."""
    return b"\x19Ethereum Signed Message:\n" + str(len(message)).encode() + message


def _eth_keys_signed(chain: str, i: int = 0):
    key = keys.PrivateKey(hashlib.sha256(f"zksolv evm test {i}".encode()).digest())
    address = key.public_key.to_checksum_address()
    message = control_message_v2(EXCHANGE, ROUND, chain, address)
    raw = key.sign_msg(_eip191(message)).to_bytes()
    return address, message, "0x" + (raw[:64] + bytes([raw[64] + 27])).hex()


@pytest.mark.parametrize("chain", ["ethereum", "bsc", "polygon", "arbitrum", "base"])
def test_eth_keys_signatures_verify_through_the_chain_registry(chain):
    address, message, signature = _eth_keys_signed(chain)
    family = chains.known(chain)
    assert family.family == "evm"
    family.module.verify(address, message, signature)


def test_our_signer_matches_eth_keys():
    address, message, signature = _eth_keys_signed("bsc", 1)
    key = sign_evm.new_key(hashlib.sha256(b"zksolv evm test 1").digest())
    assert sign_evm.address(key) == address
    assert sign_evm.sign(key, message) == signature


def test_one_address_two_chains_two_signatures():
    """The same key is the same address on ethereum and bsc; the signature for one chain's
    message does not serve for the other's."""
    address, message, signature = _eth_keys_signed("ethereum")
    with pytest.raises(InvalidProof, match="not by"):
        ethereum.verify(address, rewrite(message, ":ethereum:", ":bsc:"), signature)


def test_wrong_message_other_round_forged_key_refused():
    address, message, signature = _eth_keys_signed("ethereum")
    for changed in (message + b"x", message[:-1], rewrite(message, ROUND, "acme-2026-12-05")):
        with pytest.raises(InvalidProof, match="not by"):
            ethereum.verify(address, changed, signature)
    forged = sign_evm.sign(sign_evm.new_key(), message)
    with pytest.raises(InvalidProof, match="not by"):
        ethereum.verify(address, message, forged)


def test_high_s_twin_refused():
    address, message, signature = _eth_keys_signed("ethereum")
    with pytest.raises(InvalidProof, match="high-s"):
        ethereum.verify(address, message, high_s(signature))


@pytest.mark.parametrize("r, s", [(0, 1), (SECP256K1_N, 1), (2**256 - 1, 1), (1, 0),
                                  (1, SECP256K1_N), (1, SECP256K1_N // 2 + 1)])
def test_r_s_out_of_range_refused(r, s):
    address, message, _ = _eth_keys_signed("ethereum")
    text = "0x" + (r.to_bytes(32, "big") + s.to_bytes(32, "big") + b"\x1b").hex()
    with pytest.raises(InvalidProof, match="signature [rs] "):
        ethereum.verify(address, message, text)


@pytest.mark.parametrize("mangle", [
    lambda s: s[:-2],            # 64 bytes
    lambda s: s + "00",          # 66 bytes
    lambda s: s[:-1],            # odd length
    lambda s: s[:10] + " " + s[11:],
    lambda s: s[:-2] + "1d",     # v = 29
    lambda s: s[:-2] + "02",     # v = 2
    lambda s: "0X" + s[2:],
])
def test_malformed_signature_text_refused(mangle):
    address, message, signature = _eth_keys_signed("ethereum")
    with pytest.raises(InputError):
        ethereum.verify(address, message, mangle(signature))


def test_spellings_of_one_signature_accepted():
    address, message, signature = _eth_keys_signed("ethereum")
    raw = bytes.fromhex(signature[2:])
    for text in (signature[2:], signature.upper().replace("0X", "0x"), (raw[:64] + bytes([raw[64] - 27])).hex()):
        ethereum.verify(address, message, text)
