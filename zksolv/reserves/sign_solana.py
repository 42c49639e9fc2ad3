"""Signing Solana proofs of control (SPEC.md §6.4.2) — for `zksolv demo`, vectors and tests;
real reserves are signed by the exchange's own wallets (solana CLI, a wallet, a Ledger)."""

import secrets

from nacl.signing import SigningKey

from zksolv.reserves import solana
from zksolv.reserves.encoding import base58_encode


def new_key(seed: bytes | None = None) -> SigningKey:
    """A key from the OS CSPRNG, or from the 32-byte seed given (vectors)."""
    return SigningKey(seed if seed is not None else secrets.token_bytes(32))


def address(key: SigningKey) -> str:
    """The Base58 of the ed25519 public key."""
    return base58_encode(bytes(key.verify_key))


def sign(key: SigningKey, message: bytes, form: str = "cli") -> str:
    """Base58 of the 64-byte signature over `message` in `form`: "cli" (solana
    sign-offchain-message), "v1" (off-chain message v1) or "raw" (wallets' signMessage)."""
    data = solana.signed_forms(bytes(key.verify_key), message)[form]
    return base58_encode(key.sign(data).signature)
