"""Signing EVM proofs of control (EIP-191 personal_sign, SPEC.md §6.4.2) — for `zksolv demo`,
vectors and tests; real reserves are signed by the exchange's own wallets. One key is one
address on every EVM chain: the chain is told apart by the message, not by the key."""

import secrets

from coincurve import PrivateKey

from zksolv.reserves import ethereum


def new_key(secret: bytes | None = None) -> PrivateKey:
    """A key from the OS CSPRNG, or from the 32 bytes given (vectors)."""
    return PrivateKey(secret if secret is not None else secrets.token_bytes(32))


def address(key: PrivateKey) -> str:
    """The key's address in EIP-55 mixed case."""
    return ethereum.checksum_address(ethereum.address_of(key.public_key))


def sign(key: PrivateKey, message: bytes) -> str:
    """0x ‖ hex of r ‖ s ‖ v, v ∈ {27, 28}, low s (RFC 6979, as every wallet signs)."""
    sig = key.sign_recoverable(ethereum.personal_message_hash(message), hasher=None)
    return "0x" + (sig[:64] + bytes([sig[64] + 27])).hex()
