"""Bitcoin proof of control (SPEC.md §6.4, §6.4.1): BIP-322 signed messages ("simple" and
"full", see bip322.py) and the legacy `signmessage` compact signatures (Bitcoin Core, BIP-137).

For a legacy signature, the header byte says how to read the recovered key: 27–30 P2PKH
with an uncompressed key, 31–34 compressed (Bitcoin Core's P2PKH; Electrum also uses it for
segwit addresses), 35–38 P2SH-P2WPKH and 39–42 P2WPKH (BIP-137).
"""

import base64
import binascii
from dataclasses import dataclass

from coincurve import PublicKey

from zksolv.errors import EncodingError, InputError, InvalidProof
from zksolv.reserves import bip322
from zksolv.reserves.bitcoin_tx import hash160, sha256d, with_size  # noqa: F401 (hash160: API)
from zksolv.reserves.encoding import base58check_decode, base58check_encode, segwit_decode, segwit_encode

_MAGIC = b"Bitcoin Signed Message:\n"
_NETWORKS = {"bc": (0x00, 0x05), "tb": (0x6F, 0xC4)}  # hrp → (P2PKH, P2SH) version bytes
_SEGWIT_KINDS = {(0, 20): "p2wpkh", (0, 32): "p2wsh", (1, 32): "p2tr"}  # (version, length)
MAX_SIGNATURE_CHARS = 16_000  # base64 of a 20-of-20 P2SH-P2WSH to_sign is below 6,000


def message_hash(message: bytes) -> bytes:
    """SHA256d(varint ‖ "Bitcoin Signed Message:\\n" ‖ varint ‖ message)."""
    return sha256d(with_size(_MAGIC) + with_size(message))


@dataclass(frozen=True)
class Address:
    """A decoded address: its kind ('p2pkh', 'p2sh', 'p2wpkh', 'p2wsh', 'p2tr') and its
    20-byte hash or witness program."""

    kind: str
    digest: bytes


def decode_address(address: str) -> Address:
    """Decode a P2PKH, P2SH, P2WPKH, P2WSH or P2TR address (mainnet or testnet); any other
    witness version or program length is refused (InputError): zksolv cannot check it."""
    if not isinstance(address, str):
        raise InputError("address must be a string")
    lowered = address.lower()
    for hrp in _NETWORKS:
        if lowered.startswith(hrp + "1"):
            version, program = segwit_decode(hrp, address)
            kind = _SEGWIT_KINDS.get((version, len(program)))
            if kind is None:
                raise InputError(f"{address!r}: witness version {version} with a {len(program)}-byte "
                                 "program has no verifier")
            return Address(kind, program)
    payload = base58check_decode(address)
    if len(payload) != 21:
        raise InputError(f"{address!r} is not a 20-byte Base58Check address")
    for p2pkh, p2sh in _NETWORKS.values():
        if payload[0] == p2pkh:
            return Address("p2pkh", payload[1:])
        if payload[0] == p2sh:
            return Address("p2sh", payload[1:])
    raise InputError(f"{address!r} has unknown version byte {payload[0]}")


def _base64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InputError("signature is not base64") from None


def _signature(text: str) -> bytes:
    raw = _base64(text)
    if len(raw) != 65:
        raise InputError(f"signature must be 65 bytes, got {len(raw)}")
    if not 27 <= raw[0] <= 42:
        raise InputError(f"signature header {raw[0]} is not 27–42")
    return raw


def _digests(key: PublicKey, header: int) -> dict[str, bytes]:
    """What each address kind would hash to for this key and header."""
    if header < 31:
        return {"p2pkh": hash160(key.format(compressed=False))}
    keyhash = hash160(key.format(compressed=True))
    p2sh = hash160(b"\x00\x14" + keyhash)
    if header < 35:  # Bitcoin Core P2PKH; Electrum signs segwit addresses this way too
        return {"p2pkh": keyhash, "p2wpkh": keyhash, "p2sh": p2sh}
    return {"p2sh": p2sh} if header < 39 else {"p2wpkh": keyhash}


def verify_signmessage(address: str, message: bytes, signature: str) -> None:
    """Raise InvalidProof unless `signature` by `address` signs `message`."""
    decoded = decode_address(address)
    raw = _signature(signature)
    if decoded.kind in ("p2wsh", "p2tr"):
        raise InvalidProof(f"legacy signmessage cannot prove control of {decoded.kind.upper()} "
                           f"address {address}: use BIP-322")
    recid = (raw[0] - 27) & 3
    try:
        key = PublicKey.from_signature_and_message(raw[1:] + bytes([recid]), message_hash(message),
                                                   hasher=None)
    except Exception as exc:  # coincurve raises ValueError on unrecoverable input
        raise InvalidProof(f"signature for {address} does not recover a key") from exc
    if _digests(key, raw[0]).get(decoded.kind) != decoded.digest:
        raise InvalidProof(f"signature is not by {address}")


# -- the bitcoin family's interface (zksolv/reserves/chains.py) -----------------------------

def normalize_address(address: str) -> str:
    """The one spelling of the address's scriptPubKey: its mainnet address, Bech32 in lower
    case (InputError if it does not decode). A testnet spelling (`m…`/`n…`, `2…`, `tb1…`) names
    the same script as its mainnet twin, so the two are one wallet and cannot both be counted
    (SPEC.md §6.1)."""
    decoded = decode_address(address)
    if decoded.kind in ("p2pkh", "p2sh"):
        return base58check_encode(bytes([_NETWORKS["bc"][decoded.kind == "p2sh"]]) + decoded.digest)
    return segwit_encode("bc", 1 if decoded.kind == "p2tr" else 0, decoded.digest)


def normalize_token(token: str) -> str:
    raise InputError("bitcoin wallets hold only the native coin (omit token)")


def normalize_block_hash(text: str) -> str:
    """64 hex digits as block explorers show them (byte-reversed), lower case."""
    if len(text) != 64 or any(c not in "0123456789abcdefABCDEF" for c in text):
        raise InputError(f"{text!r} is not a 32-byte block hash in hex")
    return text.lower()


def is_legacy(raw: bytes) -> bool:
    """A legacy signmessage signature: 65 bytes whose first (header) byte is 27–42."""
    return len(raw) == 65 and 27 <= raw[0] <= 42


def verify(address: str, message: bytes, signature: str) -> None:
    """Raise InvalidProof unless `signature` proves control of `address` over `message`
    (InputError if it does not decode). `smp…`/`ful…` is BIP-322 simple/full; an unprefixed
    base64 blob is a legacy signature if `is_legacy`, else BIP-322 simple if it reads exactly as
    a witness stack, else BIP-322 full (SPEC.md §6.4.1)."""
    decoded = decode_address(address)
    if not isinstance(signature, str) or not signature:
        raise InputError("signature must be a non-empty string")
    if len(signature) > MAX_SIGNATURE_CHARS:
        raise InputError(f"signature is longer than {MAX_SIGNATURE_CHARS} characters")
    form, body = _form(signature)
    raw = _base64(body)
    if form is None and is_legacy(raw):
        return verify_signmessage(address, message, signature)
    if base64.b64encode(raw).decode() != body:
        raise InputError("BIP-322 signature is not canonical base64")
    try:
        if form == "smp" or (form is None and _reads_as_witness(raw)):
            bip322.verify_simple(decoded.kind, decoded.digest, message, raw)
        else:
            bip322.verify_full(decoded.kind, decoded.digest, message, raw)
    except EncodingError as exc:
        raise InputError(f"BIP-322 signature does not decode: {exc}") from None


def _form(signature: str) -> tuple[str | None, str]:
    prefix = signature[:3]
    if prefix == "pof":
        raise InvalidProof("BIP-322 proof-of-funds signatures (pof) are not accepted")
    if prefix in ("smp", "ful"):
        return prefix, signature[3:]
    return None, signature


def _reads_as_witness(raw: bytes) -> bool:
    try:
        bip322.parse_witness(raw)
    except EncodingError:
        return False
    return True
