"""The solana family of reserve wallets (zksolv/reserves/chains.py; SPEC.md §6.4.2).

An address (and an SPL mint, and a block hash) is the Base58 of 32 bytes, in its one
spelling; an address is an ed25519 public key. A signature is the Base58 of 64 bytes
(R ‖ S, as the solana CLI prints it) over one of three byte strings, all of which hold the
whole message after a fixed prefix:

- "cli": the off-chain message that ``solana sign-offchain-message`` signs (agave, crate
  solana-offchain-message, version 0): "\\xffsolana offchain" ‖ 0x00 ‖ format ‖ u16le length ‖
  message, format 0 (printable ASCII) or 1 (UTF-8) up to 1212 bytes, 2 (UTF-8) up to 65515;
- "v1": the version-1 off-chain message of wallets' ``solana:signOffchainMessage`` (Solana
  Kit): "\\xffsolana offchain" ‖ 0x01 ‖ 0x01 ‖ the signer's key ‖ message;
- "raw": the message itself, as wallets' ``signMessage`` (Phantom, Solflare) signs it. It
  cannot be a transaction a wallet signed for another purpose: a control message starts with
  "z" (0x7a), which a transaction message would read as 122 required signatures and then
  111 (0x6f) account keys — more bytes than the message has.

Verification is libsodium's (PyNaCl): S must be below the group order, R and the key not of
small order, the key canonical. zksolv checks S and the key itself as well, so the rule
does not rest on the library's version.
"""

from zksolv.errors import InputError, InvalidProof
from zksolv.reserves.encoding import base58_decode

SIGNING_DOMAIN = b"\xffsolana offchain"
MAX_LEDGER = 1212  # 1232-byte packet − 17-byte domain and version − 3-byte format and length
MAX_LENGTH = 65515  # 2^16 − 1 − 20
L = 2**252 + 27742317777372353535851937790883648493  # order of the ed25519 base point
_P = 2**255 - 19
_Y8 = 0x7A03AC9277FDC74EC6CC392CFA53202A0F67100D760B3CBA4FD84D3D706A17C7
SMALL_ORDER_Y = frozenset({0, 1, _P - 1, _Y8, _P - _Y8})
"""y of the eight points of order dividing 8: the identity, (0, −1), (±√−1, 0) and four of
order 8."""


def _decode32(text: str, what: str) -> bytes:
    if not 32 <= len(text) <= 44:
        raise InputError(f"{text!r} is not a Solana {what} (Base58 of 32 bytes)")
    return base58_decode(text, 32)


def normalize_address(address: str) -> str:
    """A Base58 address as written, once it decodes to 32 bytes in its only spelling."""
    _decode32(address, "address")
    return address


def normalize_token(token: str) -> str:
    """An SPL token mint: the same form as an address."""
    _decode32(token, "mint address")
    return token


def normalize_block_hash(text: str) -> str:
    """A block hash (the blockhash of the slot the balances are at): Base58 of 32 bytes."""
    _decode32(text, "block hash")
    return text


def cli_message(message: bytes) -> bytes | None:
    """The bytes ``solana sign-offchain-message`` signs, or None where it refuses the message."""
    if not message:
        return None
    try:
        message.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if len(message) <= MAX_LEDGER:
        fmt = 0 if all(0x20 <= b <= 0x7E for b in message) else 1
    elif len(message) <= MAX_LENGTH:
        fmt = 2
    else:
        return None
    return SIGNING_DOMAIN + bytes([0, fmt]) + len(message).to_bytes(2, "little") + message


def v1_message(key: bytes, message: bytes) -> bytes:
    """Version-1 off-chain message with one signer, `key`."""
    return SIGNING_DOMAIN + b"\x01\x01" + key + message


def signed_forms(key: bytes, message: bytes) -> dict[str, bytes]:
    forms = {"cli": cli_message(message), "v1": v1_message(key, message), "raw": message}
    return {name: data for name, data in forms.items() if data is not None}


def parse_signature(text: str) -> bytes:
    """64 bytes R ‖ S from Base58; InputError if it does not decode, InvalidProof if S ≥ L."""
    if not 64 <= len(text) <= 88:
        raise InputError("signature must be the Base58 of 64 bytes")
    raw = base58_decode(text, 64)
    if int.from_bytes(raw[32:], "little") >= L:
        raise InvalidProof("signature S is not below the group order (non-canonical)")
    return raw


def check_key(key: bytes, address: str) -> None:
    """InvalidProof unless `key` is a canonical encoding of a point not of small order."""
    y = int.from_bytes(key, "little") & (2**255 - 1)
    if y >= _P or y in SMALL_ORDER_Y:
        raise InvalidProof(f"{address} is not a usable ed25519 key (non-canonical or small order)")


def verify(address: str, message: bytes, signature: str) -> None:
    """InvalidProof unless `signature` by `address` signs `message` in a form of the module
    docstring."""
    from nacl.exceptions import BadSignatureError
    from nacl.signing import VerifyKey

    key = _decode32(address, "address")
    sig = parse_signature(signature)
    check_key(key, address)
    verifier = VerifyKey(key)
    for data in signed_forms(key, message).values():
        try:
            verifier.verify(data, sig)
            return
        except BadSignatureError:
            continue
    raise InvalidProof(f"signature is not by {address} over this message (cli, v1 or raw)")
