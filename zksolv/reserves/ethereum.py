"""Ethereum proof of control: EIP-191 `personal_sign`, address recovery, EIP-55 checksums."""

import re

from coincurve import PublicKey

from zksolv.errors import InputError, InvalidProof


def keccak256(data: bytes) -> bytes:
    from zksolv import keccak  # plain Python for the first few hashes: keeps start-up fast

    return keccak.keccak256(data)


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


_HEX40 = re.compile(r"[0-9a-fA-F]{40}")


def normalize_address(address: str) -> str:
    """Lower-case form of an address; mixed case must carry a valid EIP-55 checksum."""
    if len(address) != 42 or not address.startswith("0x"):
        raise InputError(f"{address!r} is not a 0x-prefixed 20-byte Ethereum address")
    if not _HEX40.fullmatch(address[2:]):  # ASCII only: int(…, 16) also reads "٧", " " and "_"
        raise InputError(f"{address!r} is not hexadecimal")
    body = address[2:]
    if body != body.lower() and body != body.upper() and checksum_address(address) != address:
        raise InputError(f"{address!r} fails its EIP-55 checksum")
    return address.lower()


SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
HALF_N = SECP256K1_N // 2


def parse_signature(text: str) -> bytes:
    """65 bytes r ‖ s ‖ v from hex (0x optional), v ∈ {27, 28} or {0, 1}; returned with v as
    0/1. InputError if it does not decode; InvalidProof unless 1 ≤ r < n and 1 ≤ s ≤ n/2
    (EIP-2 low s: the one spelling of each signature, so none is accepted twice)."""
    body = text[2:] if text.startswith("0x") else text
    if len(body) != 130 or not re.fullmatch(r"[0-9a-fA-F]*", body):
        raise InputError("signature must be 65 bytes r‖s‖v in hexadecimal (130 digits)")
    raw = bytes.fromhex(body)
    v = raw[64] - 27 if raw[64] >= 27 else raw[64]
    if v not in (0, 1):
        raise InputError(f"signature v must be 27/28 or 0/1, got {raw[64]}")
    r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:64], "big")
    if not 1 <= r < SECP256K1_N:
        raise InvalidProof("signature r is not in [1, n − 1]")
    if not 1 <= s <= HALF_N:
        raise InvalidProof("signature s is not in [1, n/2] (high-s signatures are refused, EIP-2)")
    return raw[:64] + bytes([v])


def recover_key_hash(signature: bytes, digest: bytes) -> bytes:
    """The last 20 bytes of keccak256 of the key that `signature` (r ‖ s ‖ v, from
    parse_signature) recovers over the 32-byte `digest`: what EVM and TRON addresses hold."""
    try:
        key = PublicKey.from_signature_and_message(signature, digest, hasher=None)
    except Exception as exc:  # coincurve raises ValueError/TypeError on unrecoverable input
        raise InvalidProof("signature does not recover a key") from exc
    return keccak256(key.format(compressed=False)[1:])[-20:]


def verify_personal_sign(address: str, message: bytes, signature: str) -> None:
    """Raise InvalidProof unless `signature` by `address` signs `message` (EIP-191, SPEC.md
    §6.4, §6.4.2)."""
    expected = normalize_address(address)
    recovered = "0x" + recover_key_hash(parse_signature(signature), personal_message_hash(message)).hex()
    if recovered != expected:
        raise InvalidProof(f"signature is not by {address} (it recovers {recovered})")


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
