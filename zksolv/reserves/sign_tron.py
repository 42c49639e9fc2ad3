"""Signing TRON proofs of control (SPEC.md §6.4.2) — for `zksolv demo`, vectors and tests;
real reserves are signed by the exchange's own wallets (TronLink, tronweb, a Ledger)."""

import secrets

from coincurve import PrivateKey

from zksolv.reserves import tron
from zksolv.reserves.encoding import base58check_encode
from zksolv.reserves.ethereum import keccak256


def new_key(secret: bytes | None = None) -> PrivateKey:
    """A key from the OS CSPRNG, or from the 32 bytes given (vectors)."""
    return PrivateKey(secret if secret is not None else secrets.token_bytes(32))


def address(key: PrivateKey) -> str:
    """The key's `T…` address: Base58Check(0x41 ‖ keccak256(uncompressed key)[12:])."""
    key_hash = keccak256(key.public_key.format(compressed=False)[1:])[-20:]
    return base58check_encode(bytes([tron.VERSION]) + key_hash)


def sign(key: PrivateKey, message: bytes, form: str = "v2") -> str:
    """0x ‖ hex of r ‖ s ‖ v, v ∈ {27, 28}, low s (RFC 6979): tronweb's signMessageV2
    (form "v2") or trx.sign of the message's hex (form "v1")."""
    digest = {"v2": tron.message_hash_v2, "v1": tron.message_hash_v1}[form](message)
    sig = key.sign_recoverable(digest, hasher=None)
    return "0x" + (sig[:64] + bytes([sig[64] + 27])).hex()
