"""The tron family of reserve wallets (zksolv/reserves/chains.py; SPEC.md §6.4.2).

A TRON address is Base58Check of 0x41 ‖ the last 20 bytes of keccak256 of the uncompressed
secp256k1 key (as on EVM chains). Control is proven by a recoverable secp256k1 signature
over the message in one of the two forms tronweb signs:

- v2, ``signMessageV2`` (TronLink's ``signMessageV2``, tronpy's ``sign_msg``):
  keccak256("\\x19TRON Signed Message:\\n" ‖ decimal length ‖ message);
- v1, ``trx.sign`` / ``signString`` of the message's hex: keccak256("\\x19TRON Signed
  Message:\\n32" ‖ message). The "32" is a constant, not the length: tronweb writes it
  whatever the message. The hash still covers the whole message after a fixed prefix, so it
  commits to every byte of it; SPEC.md §6.4.2 says why it cannot stand for a v2 signature.
"""

import re

from zksolv.errors import InputError, InvalidProof
from zksolv.reserves.encoding import base58check_decode
from zksolv.reserves.ethereum import keccak256, parse_signature, recover_key_hash

VERSION = 0x41
_V2_PREFIX = b"\x19TRON Signed Message:\n"
_V1_PREFIX = b"\x19TRON Signed Message:\n32"


def address_hash(address: str) -> bytes:
    """The 20-byte key hash a `T…` address holds; InputError unless it is Base58Check of
    0x41 ‖ 20 bytes (34 characters, so nothing long is ever decoded)."""
    if len(address) != 34 or not address.startswith("T"):
        raise InputError(f"{address!r} is not a TRON address (34 characters, T…)")
    payload = base58check_decode(address)
    if len(payload) != 21 or payload[0] != VERSION:
        raise InputError(f"{address!r} is not a TRON address (version 0x41, 20 bytes)")
    return payload[1:]


def normalize_address(address: str) -> str:
    """A `T…` address, as written (Base58 is case-sensitive), once it decodes and checks."""
    address_hash(address)
    return address


def normalize_token(token: str) -> str:
    """A TRC-20 contract address: the same `T…` form as wallets."""
    return normalize_address(token)


def normalize_block_hash(text: str) -> str:
    """A block id: 64 hex digits (no 0x, as TRON nodes show it), lower case."""
    if not re.fullmatch(r"[0-9a-fA-F]{64}", text):
        raise InputError(f"{text!r} is not a 32-byte TRON block id (64 hex digits)")
    return text.lower()


def message_hash_v2(message: bytes) -> bytes:
    return keccak256(_V2_PREFIX + str(len(message)).encode() + message)


def message_hash_v1(message: bytes) -> bytes:
    return keccak256(_V1_PREFIX + message)


def verify(address: str, message: bytes, signature: str) -> None:
    """InvalidProof unless `signature` (65 bytes r ‖ s ‖ v in hex, low s) by `address` signs
    `message` in the v2 or the v1 form (module docstring)."""
    expected = address_hash(address)
    sig = parse_signature(signature)
    for digest in (message_hash_v2(message), message_hash_v1(message)):
        if recover_key_hash(sig, digest) == expected:
            return
    raise InvalidProof(f"signature is not by {address} over this message (v2 or v1)")
