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
RESERVED_CHAIN_IDS = {728126428: "tron", 3448148188: "tron (Nile testnet)", 2494104990: "tron (Shasta testnet)"}
"""EIP-155 ids of chains zksolv knows under another family: TRON's JSON-RPC answers eth_chainId
with them and reads `0x` spellings of TRON addresses, so a custom EVM chain of such an id would
count TRON balances a second time (SPEC.md §6.1)."""
TESTNET_CHAIN_IDS = {
    3: "ropsten", 4: "rinkeby", 5: "goerli", 42: "kovan", 11155111: "sepolia", 17000: "holesky",
    560048: "hoodi", 420: "optimism-goerli", 11155420: "optimism-sepolia", 97: "bsc-testnet",
    10200: "gnosis-chiado", 80001: "polygon-mumbai", 80002: "polygon-amoy", 280: "zksync-goerli",
    300: "zksync-sepolia", 84531: "base-goerli", 84532: "base-sepolia", 421613: "arbitrum-goerli",
    421614: "arbitrum-sepolia", 43113: "avalanche-fuji", 59140: "linea-goerli",
    59141: "linea-sepolia", 534351: "scroll-sepolia",
}
"""EIP-155 ids of the public test networks of the known EVM chains (chainlist.org): their
coins are free from faucets, so a wallet there backs nothing (SPEC.md §6.1)."""
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
    if found is not None and found.family != "evm":
        raise InputError(f"{where}: {name} is not an EVM chain (omit chain_id)")
    if found is not None and found.chain_id != chain_id:
        raise InputError(f"{where}: {name} is chain id {found.chain_id}, not {chain_id}")
    named = next((n for n, i in EVM_CHAIN_IDS.items() if i == chain_id), RESERVED_CHAIN_IDS.get(chain_id))
    if found is None and named is not None:
        raise InputError(f"{where}: chain id {chain_id} is {named}: call it by that name")
    if chain_id in TESTNET_CHAIN_IDS:
        raise InputError(f"{where}: chain id {chain_id} is {TESTNET_CHAIN_IDS[chain_id]}, "
                         "a test network: its coins back nothing")
    return Chain(name, "evm", chain_id)


NATIVE_PLACEHOLDERS = frozenset({"0x" + "00" * 20, "0x" + "ee" * 20, "0x" + "dead" * 9 + "0000"})
"""The native coin under a token's address on every EVM chain: 0x0 and 0xeee…e, the placeholders
of tools and price APIs (and of zkSync's zks_getAllAccountBalances), and 0xdeaddead…0000, the
OP-stack predeploy LegacyERC20ETH (optimism, base, …) whose balanceOf is the native balance."""
NATIVE_AS_TOKEN = {137: "0x0000000000000000000000000000000000001010",    # polygon: POL's MRC20
                   324: "0x000000000000000000000000000000000000800a",    # zksync: L2BaseToken (ETH)
                   42220: "0x471ece3750da237f93b8e339c536989b8978a438"}  # celo: CELO's ERC-20
"""System contracts that are the native coin as a token, reporting an account's native balance
as theirs (by EIP-155 chain id)."""


ZERO_TOKENS = {"tron": "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb", "solana": "11111111111111111111111111111111"}
"""The zero address of TRON (0x41 ‖ 20 zero bytes) and Solana (32 zero bytes, the system
program): no token lives there; tools use it to mean the native coin."""


def check_token(chain: Chain, token: str, where: str) -> None:
    """A token (normalized) that is the chain's native coin under a contract's name is refused:
    listed beside the native coin it would count one balance twice (SPEC.md §6.1)."""
    if ZERO_TOKENS.get(chain.family) == token or chain.family == "evm" and (
            token in NATIVE_PLACEHOLDERS or NATIVE_AS_TOKEN.get(chain.chain_id) == token):
        raise InputError(f"{where}: {token} stands for {chain.name}'s native coin: omit token")


MAX_HEIGHT = (1 << 53) - 1


@dataclass(frozen=True)
class PinnedBlock:
    """The block a version-2 reserves file states its balances of one chain at (SPEC.md
    §6.4.3): height and hash, the hash in the family's canonical spelling."""

    chain: Chain
    height: int
    hash: str

    def to_json(self) -> dict:
        doc = {"height": self.height, "hash": self.hash}
        return doc if self.chain.chain_id is None else {**doc, "chain_id": self.chain.chain_id}

    def describe(self) -> str:
        return f"block {self.height} ({self.hash})"


def declared(name: str, spec: dict, where: str) -> Chain:
    """The chain a reserves file declares under `name`: a known chain by its name alone, an
    EVM chain with its chain id (required: it is what wallets sign transactions for), or an
    unknown name with a chain id, a custom EVM chain."""
    if not isinstance(name, str) or not CHAIN_NAME.fullmatch(name):
        raise InputError(f"{where}: chain name must be 1–32 of [a-z0-9-]")
    found = known(name)
    if "chain_id" in spec:
        return evm(name, spec["chain_id"], f"{where}.chain_id")
    if found is None:
        raise InputError(f"{where}: unknown chain {name!r}; a custom EVM chain needs its chain_id")
    if found.family == "evm":
        raise InputError(f"{where}.chain_id: required for the EVM chain {name} ({found.chain_id})")
    return found


def pinned_block(name: str, spec, where: str, check: bool = True, error=InputError) -> PinnedBlock:
    """One entry of a version-2 reserves file's `chains` (SPEC.md §6.1); `check=False` (a
    customer's inclusion check) takes the hash as written, calling no family module."""
    if not isinstance(spec, dict):
        raise error(f"{where}: must be an object")
    missing = [k for k in ("height", "hash") if k not in spec]
    extra = [k for k in spec if k not in ("height", "hash", "chain_id")]
    if missing or extra:
        raise error(f"{where}: " + (f"missing {', '.join(missing)}" if missing else f"unknown key {extra[0]!r}"))
    try:
        chain = declared(name, spec, where)
    except InputError as exc:
        raise error(str(exc)) from None
    height = spec["height"]
    if type(height) is not int or not 0 <= height <= MAX_HEIGHT:
        raise error(f"{where}.height: must be an integer from 0 to 2^53 − 1")
    if not isinstance(spec["hash"], str) or len(spec["hash"]) > 128:
        raise error(f"{where}.hash: must be a block hash")
    try:
        block_hash = chain.module.normalize_block_hash(spec["hash"]) if check else spec["hash"]
    except InputError as exc:
        raise error(f"{where}.hash: {exc}") from None
    return PinnedBlock(chain, height, block_hash)
