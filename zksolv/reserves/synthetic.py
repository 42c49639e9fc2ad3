"""Synthetic reserves of every custody kind zksolv checks (SPEC.md §6.1, §6.4): freshly keyed
wallets signing the version-2 control message, for `zksolv demo` and the benchmarks. Real
reserves are signed by the exchange's own wallets; nothing here is used to verify."""

import hashlib

from zksolv.reserves import sign_bitcoin, sign_evm, sign_solana, sign_tron
from zksolv.reserves.file import control_message_v2

# kind: (chain, how a fresh wallet of that kind is made and signs)
BITCOIN_KINDS = {"p2wpkh": "BIP-322 simple", "p2sh-p2wpkh": "BIP-322 full", "p2tr": "BIP-322 simple, taproot",
                 "p2wsh": "BIP-322 simple, 2-of-3 multisig", "p2sh-p2wsh": "BIP-322 full, 2-of-3 multisig",
                 "p2pkh": "signmessage"}
KINDS = tuple(f"bitcoin/{k}" for k in BITCOIN_KINDS) + ("ethereum", "bsc", "tron", "solana")
TOKENS = {  # the USDT contracts and mint on each chain
    "ethereum": "0xdAC17F958D2ee523a2206206994597C13D831ec7",
    "bsc": "0x55d398326f99059fF775485246999027B3197955",
    "tron": "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
    "solana": "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB",
}
CHAIN_IDS = {"ethereum": 1, "bsc": 56}


class Signer:
    """One freshly keyed wallet of `kind` (one of KINDS): its chain and address, and
    `sign(message)` giving the proof of control in that kind's form."""

    def __init__(self, kind: str):
        self.kind = kind
        self.chain, _, variant = kind.partition("/")
        if self.chain == "bitcoin":
            self._bitcoin(variant)
        else:
            module = {"tron": sign_tron, "solana": sign_solana}.get(self.chain, sign_evm)
            key = module.new_key()
            self.address = module.address(key)
            self.sign = lambda message: module.sign(key, message)

    def _bitcoin(self, variant: str) -> None:
        if variant in ("p2wsh", "p2sh-p2wsh"):  # 2-of-3 cold storage: keys 1 and 3 sign
            keys = [sign_bitcoin.new_key() for _ in range(3)]
            self.address = sign_bitcoin.address(keys, variant, k=2)
            self.sign = lambda m: sign_bitcoin.sign([keys[0], keys[2]], m, variant, public_keys=keys)
        else:
            key = sign_bitcoin.new_key()
            self.address = sign_bitcoin.address(key, variant)
            self.sign = lambda m: sign_bitcoin.sign(key, m, variant)

    def wallet(self, exchange: str, attestation_id: str, balance: str, token: str | None = None) -> dict:
        """A reserves v2 wallet entry (SPEC.md §6.4.3) for this wallet's balance."""
        signature = self.sign(control_message_v2(exchange, attestation_id, self.chain, self.address))
        entry = {"chain": self.chain, "address": self.address, "balance": balance, "signature": signature}
        return entry if token is None else {**entry, "token": token}


def block(chain: str, height: int) -> dict:
    """A made-up block for `chain` at `height`, in the chain's own hash spelling."""
    digest = hashlib.sha256(f"{chain}:{height}".encode()).digest()
    if chain == "bitcoin":
        return {"height": height, "hash": "0000" + digest.hex()[4:]}
    if chain == "tron":
        return {"height": height, "hash": digest.hex()}
    if chain == "solana":
        from zksolv.reserves.encoding import base58_encode

        return {"height": height, "hash": base58_encode(digest)}
    return {"height": height, "hash": "0x" + digest.hex(), "chain_id": CHAIN_IDS[chain]}
