"""The chains a reserve wallet may sit on, and what each family of chains checks (SPEC.md
§6.1, §6.4).

A chain belongs to one *family* — bitcoin, evm, tron or solana — whose module gives the same
four functions:

- ``normalize_address(address) -> str``: the one spelling that identifies the address
  (InputError if it does not decode: an address zksolv cannot read is never passed);
- ``normalize_token(token) -> str``: the same for a token contract or mint (InputError where
  the family holds only its native coin);
- ``normalize_block_hash(text) -> str``: a block hash in the family's canonical spelling;
- ``verify(address, message, signature) -> None``: InvalidProof (or InputError for a
  signature that does not decode) unless ``signature`` proves control of ``address`` over
  ``message``.

EVM chains share one family and one proof (EIP-191); they are told apart by name and by
EIP-155 chain id, and a wallet on one is a different balance from the same address on another.
"""

import importlib
import re
from dataclasses import dataclass

from zksolv.errors import InputError

FAMILIES = ("bitcoin", "evm", "tron", "solana")
_MODULES = {"bitcoin": "bitcoin", "evm": "ethereum", "tron": "tron", "solana": "solana"}

EVM_CHAIN_IDS = {
    "ethereum": 1, "optimism": 10, "bsc": 56, "gnosis": 100, "polygon": 137, "zksync": 324,
    "base": 8453, "arbitrum": 42161, "avalanche": 43114, "linea": 59144, "scroll": 534352,
}
"""EVM chains known by name (EIP-155 chain ids, as chainlist.org lists them)."""

CHAIN_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
MAX_CHAIN_ID = (1 << 53) - 1  # the largest id wallets and JSON readers agree on


@dataclass(frozen=True)
class Chain:
    name: str
    family: str
    chain_id: int | None = None  # EVM only (EIP-155)

    @property
    def module(self):
        """The family's module (see this module's docstring for its functions)."""
        return importlib.import_module(f"zksolv.reserves.{_MODULES[self.family]}")


def known(name: str) -> Chain | None:
    """A chain zksolv knows by its name alone, or None."""
    if name in ("bitcoin", "tron", "solana"):
        return Chain(name, name)
    if name in EVM_CHAIN_IDS:
        return Chain(name, "evm", EVM_CHAIN_IDS[name])
    return None


def evm(name: str, chain_id: int, where: str) -> Chain:
    """An EVM chain declared by name and chain id; a known name must carry its own id."""
    if not CHAIN_NAME.fullmatch(name):
        raise InputError(f"{where}: chain name must be 1–32 of [a-z0-9-]")
    if type(chain_id) is not int or not 1 <= chain_id <= MAX_CHAIN_ID:
        raise InputError(f"{where}: chain_id must be an integer from 1 to 2^53 − 1")
    found = known(name)
    if found is not None and found.chain_id != chain_id:
        raise InputError(f"{where}: {name} is chain id {found.chain_id}, not {chain_id}")
    return Chain(name, "evm", chain_id)
