"""Ethereum proof of control: EIP-191 `personal_sign`, address recovery, EIP-55 checksums."""

import re

from coincurve import PublicKey

from zksolv.errors import InputError, InvalidProof


def keccak256(data: bytes) -> bytes:
    from Crypto.Hash import keccak  # imported when first needed: keeps start-up fast

    return keccak.new(digest_bits=256, data=data).digest()


def personal_message_hash(message: bytes) -> bytes:
    """keccak256("\\x19Ethereum Signed Message:\\n" ‖ len(message) in decimal ‖ message)."""
    return keccak256(b"\x19Ethereum Signed Message:\n" + str(len(message)).encode() + message)


def address_of(public_key: PublicKey) -> str:
    """0x + the last 20 bytes of keccak256 of the uncompressed key, lower case."""
    return "0x" + keccak256(public_key.format(compressed=False)[1:])[-20:].hex()


def checksum_address(address: str) -> str:
    """EIP-55 mixed-case form of a 0x-prefixed hex address."""
    lower = address[2:].lower()
    digest = keccak256(lower.encode()).hex()
    return "0x" + "".join(c.upper() if int(d, 16) >= 8 else c for c, d in zip(lower, digest))


def normalize_address(address: str) -> str:
    """Lower-case form of an address; mixed case must carry a valid EIP-55 checksum."""
    if len(address) != 42 or not address.startswith("0x"):
        raise InputError(f"{address!r} is not a 0x-prefixed 20-byte Ethereum address")
    try:
        int(address[2:], 16)
    except ValueError:
        raise InputError(f"{address!r} is not hexadecimal") from None
    body = address[2:]
    if body != body.lower() and body != body.upper() and checksum_address(address) != address:
        raise InputError(f"{address!r} fails its EIP-55 checksum")
    return address.lower()


def parse_signature(text: str) -> bytes:
    """65 bytes r ‖ s ‖ v from 0x-hex, v ∈ {27, 28} or {0, 1}; returned with v as 0/1."""
    body = text[2:] if text.startswith("0x") else text
    try:
        raw = bytes.fromhex(body)
    except ValueError:
        raise InputError("signature is not hexadecimal") from None
    if len(raw) != 65:
        raise InputError(f"signature must be 65 bytes r‖s‖v, got {len(raw)}")
    v = raw[64] - 27 if raw[64] >= 27 else raw[64]
    if v not in (0, 1):
        raise InputError(f"signature v must be 27/28 or 0/1, got {raw[64]}")
    return raw[:64] + bytes([v])


def verify_personal_sign(address: str, message: bytes, signature: str) -> None:
    """Raise InvalidProof unless `signature` by `address` signs `message` (EIP-191)."""
    expected = normalize_address(address)
    sig = parse_signature(signature)
    try:
        key = PublicKey.from_signature_and_message(sig, personal_message_hash(message), hasher=None)
    except Exception as exc:  # coincurve raises ValueError/TypeError on unrecoverable input
        raise InvalidProof(f"signature for {address} does not recover a key") from exc
    if address_of(key) != expected:
        raise InvalidProof(f"signature is not by {address} (it recovers {address_of(key)})")


# -- the evm family's interface (zksolv/reserves/chains.py) ---------------------------------

def normalize_token(token: str) -> str:
    """An ERC-20 contract address, lower case (EIP-55 checked when mixed-case)."""
    return normalize_address(token)


def normalize_block_hash(text: str) -> str:
    """0x + 64 hex digits, lower case."""
    if not re.fullmatch(r"0x[0-9a-fA-F]{64}", text):
        raise InputError(f"{text!r} is not a 0x-prefixed 32-byte block hash")
    return text.lower()


verify = verify_personal_sign
