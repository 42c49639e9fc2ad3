"""Address encodings: Base58Check (Bitcoin wiki), Bech32 (BIP-173) and Bech32m (BIP-350),
decoding strictly."""

import hashlib

from zksolv.errors import InputError

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_CONST = 1  # BIP-173 (witness v0); BIP-350's bech32m is for v1+
_BECH32M_CONST = 0x2BC830A3  # BIP-350


def base58check_decode(text: str) -> bytes:
    """The payload (version byte included) of a Base58Check string."""
    raw = base58_bytes(text)
    payload, checksum = raw[:-4], raw[-4:]
    if len(raw) < 5 or hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
        raise InputError(f"{text!r} has a bad Base58Check checksum")
    return payload


def _polymod(values) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= generator[i] if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _regroup(data, from_bits: int, to_bits: int) -> bytes | None:
    acc = bits = 0
    out = []
    for value in data:
        acc = acc << from_bits | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append(acc >> bits & ((1 << to_bits) - 1))
    if bits >= from_bits or acc & ((1 << bits) - 1):
        return None  # non-zero or overlong padding
    return bytes(out)


def segwit_decode(hrp: str, address: str) -> tuple[int, bytes]:
    """(witness version, witness program) of a segwit address with human-readable part `hrp`:
    Bech32 for version 0, Bech32m for versions 1–16 (BIP-350), program 2–40 bytes (20 or 32
    for version 0)."""
    if address.lower() != address and address.upper() != address:
        raise InputError(f"{address!r} mixes upper and lower case")
    address = address.lower()
    sep = address.rfind("1")
    if address[:sep] != hrp or not 6 <= len(address) - sep - 1 or len(address) > 90:
        raise InputError(f"{address!r} is not a {hrp}1… address")
    data = [_BECH32.find(c) for c in address[sep + 1 :]]
    if -1 in data or len(data) < 7:
        raise InputError(f"{address!r} has a character outside Bech32")
    version = data[0]
    const = _BECH32_CONST if version == 0 else _BECH32M_CONST
    if _polymod(_hrp_expand(hrp) + data) != const:
        raise InputError(f"{address!r} has a bad {'Bech32' if version == 0 else 'Bech32m'} checksum")
    program = _regroup(data[1:-6], 5, 8)
    if version > 16 or program is None or not 2 <= len(program) <= 40:
        raise InputError(f"{address!r} is not a witness program")
    if version == 0 and len(program) not in (20, 32):
        raise InputError(f"{address!r}: a version-0 program is 20 or 32 bytes")
    return version, program


def segwit_v0_decode(hrp: str, address: str) -> bytes:
    """The witness program of a version-0 Bech32 address with human-readable part `hrp`."""
    version, program = segwit_decode(hrp, address)
    if version != 0:
        raise InputError(f"{address!r} is not a version-0 witness address")
    return program


def base58check_encode(payload: bytes) -> str:
    """Base58Check of `payload` (version byte included)."""
    return base58_encode(payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4])


def segwit_encode(hrp: str, version: int, program: bytes) -> str:
    """The Bech32 (version 0) or Bech32m (versions 1–16) address of a witness program."""
    data = [version] + list(_regroup_padded(program))
    const = _BECH32_CONST if version == 0 else _BECH32M_CONST
    checksum = _polymod(_hrp_expand(hrp) + data + [0] * 6) ^ const
    data += [(checksum >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32[d] for d in data)


def segwit_v0_encode(hrp: str, program: bytes) -> str:
    """The version-0 Bech32 address of a witness program (BIP-173)."""
    return segwit_encode(hrp, 0, program)


def _regroup_padded(data: bytes):
    acc = bits = 0
    for value in data:
        acc = acc << 8 | value
        bits += 8
        while bits >= 5:
            bits -= 5
            yield acc >> bits & 31
    if bits:
        yield acc << (5 - bits) & 31


def base58_encode(raw: bytes) -> str:
    """Plain Base58 (no checksum, as Solana writes keys and signatures): one '1' per leading
    zero byte, then the big-endian value in the alphabet."""
    value, out = int.from_bytes(raw, "big"), ""
    while value:
        value, digit = divmod(value, 58)
        out = _B58[digit] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\x00"))) + out


def base58_bytes(text: str) -> bytes:
    """The bytes plain Base58 spells: one zero byte per leading '1', then the big-endian value.
    Each byte string has one spelling, and only it decodes to that string (the digits after
    the leading '1's start with a non-zero one). Callers bound len(text)."""
    value = 0
    for ch in text:
        digit = _B58.find(ch)
        if digit < 0:
            raise InputError(f"{text!r} is not Base58")
        value = value * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    return b"\x00" * zeros + value.to_bytes((value.bit_length() + 7) // 8, "big")


def base58_decode(text: str, length: int) -> bytes:
    """Exactly `length` bytes from plain Base58 (no checksum); InputError otherwise."""
    raw = base58_bytes(text)
    if len(raw) != length:
        raise InputError(f"{text!r} is not the Base58 of {length} bytes")
    return raw
