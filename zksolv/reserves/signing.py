"""Signing proofs of control with freshly generated keys — for `zksolv demo` and for tests
that need a signer; real reserves are signed by the exchange's own wallets."""

import secrets

from coincurve import PrivateKey

from zksolv.reserves import sign_bitcoin, sign_evm


def new_key() -> PrivateKey:
    return PrivateKey(secrets.token_bytes(32))


def ethereum_address(key: PrivateKey) -> str:
    return sign_evm.address(key)


def ethereum_sign(key: PrivateKey, message: bytes) -> str:
    """EIP-191 personal_sign: 0x ‖ r ‖ s ‖ v with v ∈ {27, 28}."""
    return sign_evm.sign(key, message)


def bitcoin_address(key: PrivateKey, kind: str = "p2wpkh") -> str:
    return sign_bitcoin.address(key, "p2wpkh" if kind == "p2wpkh" else "p2pkh")


def bitcoin_sign(key: PrivateKey, message: bytes, kind: str = "p2wpkh") -> str:
    """signmessage compact signature: BIP-137 header 39+ for P2WPKH, 31+ for P2PKH."""
    return sign_bitcoin.sign_legacy(key, message, "p2wpkh" if kind == "p2wpkh" else "p2pkh")


def wallet_v2(key: PrivateKey, chain: str, exchange: str, attestation_id: str, balance: str,
              kind: str = "p2wpkh", token: str | None = None) -> dict:
    """A version-2 reserves file's wallet entry signed by `key` (SPEC.md §6.4.3): `chain`
    "bitcoin" (address `kind` p2wpkh or p2pkh, signmessage) or an EVM chain (EIP-191)."""
    from zksolv.reserves.file import control_message_v2

    if chain == "bitcoin":
        address = bitcoin_address(key, kind)
        signature = bitcoin_sign(key, control_message_v2(exchange, attestation_id, chain, address), kind)
    else:
        address = ethereum_address(key)
        signature = ethereum_sign(key, control_message_v2(exchange, attestation_id, chain, address))
    wallet = {"chain": chain, "address": address, "balance": balance, "signature": signature}
    return wallet if token is None else {**wallet, "token": token}
