"""Shared pieces of the TRON, Solana and EVM proof-of-control tests (SPEC.md §6.4.2)."""

import json
import pathlib

THIRDPARTY = pathlib.Path(__file__).resolve().parent / "data" / "thirdparty"
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def load_thirdparty(family: str) -> dict:
    return json.loads((THIRDPARTY / family / "signatures.json").read_text(encoding="utf-8"))


def control_message_v2(exchange: str, attestation_id: str, chain: str, address: str) -> bytes:
    """The version-2 control message as RESERVES.md and SPEC.md §6.4.3 give it."""
    return f"zksolv:reserves:v2:{exchange}:{attestation_id}:{chain}:{address}".encode()


def rewrite(message: bytes, old: str, new: str) -> bytes:
    """`message` with one field changed (another round, another chain); must change it."""
    changed = message.replace(old.encode(), new.encode(), 1)
    if changed == message:
        raise ValueError(f"{old!r} is not in the message")
    return changed


def high_s(signature: str) -> str:
    """The malleated twin (r, n − s, other v) of a 0x-hex r ‖ s ‖ v signature: the same key
    recovers from it, so only the low-s rule refuses it."""
    raw = bytes.fromhex(signature[2:])
    s = SECP256K1_N - int.from_bytes(raw[32:64], "big")
    v = 55 - raw[64] if raw[64] >= 27 else 1 - raw[64]
    return "0x" + (raw[:32] + s.to_bytes(32, "big") + bytes([v])).hex()
