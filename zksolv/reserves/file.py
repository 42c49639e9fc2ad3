"""The reserves file: per asset, the wallets, their claimed balances and their proofs of
control (SPEC.md §6.1, §6.4). Parsing is strict; every error names the file and the field.

Version 1 (no "version" field): chains bitcoin and ethereum, control message v1. Version 2
(`"version": 2`): the exchange's identity, every chain's pinned block, any chain of
zksolv/reserves/chains.py, control message v2 (SPEC.md §6.4.3)."""

import re
from dataclasses import dataclass, field

from zksolv import strictjson
from zksolv.amounts import check_decimals, parse_amount
from zksolv.bounds import MAX_RESERVE_BITS
from zksolv.errors import InputError, InvalidProof
from zksolv.fsutil import read_json
from zksolv.reserves import ethereum  # bitcoin: imported when first needed (start-up, issue 13)
from zksolv.reserves.chains import PinnedBlock, check_token, known, pinned_block

IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
ASSET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
LEAF_BITS = (64, 128)
WALLET_FIELDS = ("chain", "address", "balance", "signature")
MAX_WALLET_FIELD_BYTES = 256
MAX_BYTES = 16 << 20
"""Largest reserves file read (SPEC.md §1.1)."""


NATIVE = "native"


@dataclass(frozen=True)
class Wallet:
    chain: str
    address: str
    balance: str
    units: int
    signature: str
    token: str | None = None  # the on-chain asset: None for the chain's native coin
    identity: tuple[str, str, str] | None = None  # version 2: normalized by the chain's family

    @property
    def key(self) -> tuple[str, str, str]:
        return self.identity or wallet_key(self.chain, self.address, self.token)


@dataclass(frozen=True)
class AssetReserves:
    asset: str
    decimals: int
    leaf_bits: int
    wallets: tuple[Wallet, ...]

    @property
    def total(self) -> int:
        return sum(w.units for w in self.wallets)


@dataclass(frozen=True)
class Reserves:
    attestation_id: str
    assets: dict[str, AssetReserves]
    version: int = 1
    exchange: str | None = None  # version 2: the exchange's EVM address, lower case
    chains: dict[str, PinnedBlock] = field(default_factory=dict)  # version 2: chain → pinned block

    @property
    def decimals(self) -> dict[str, int]:
        return {a: r.decimals for a, r in self.assets.items()}

    @property
    def leaf_bits(self) -> dict[str, int]:
        return {a: r.leaf_bits for a, r in self.assets.items()}


def wallet_key(chain: str, address: str, token: str | None = None) -> tuple[str, str, str]:
    """The identity of one on-chain balance (SPEC.md §6.1): (chain, address, on-chain asset),
    in the one spelling that identifies each — hex and Bech32 are case-insensitive, Base58 is
    not; the on-chain asset is "native" or the token contract's address in lower case."""
    if chain == "ethereum":
        address = address.lower()
    elif chain == "bitcoin":
        address = _bitcoin_identity(address)
    return chain, address, NATIVE if token is None else token.lower()


def _bitcoin_identity(address: str) -> str:
    """A Bitcoin address's identity: its script's mainnet spelling (so `m…` and `1…`, `tb1…`
    and `bc1…` of one script are one wallet); as written if it does not decode (a customer's
    inclusion check reads addresses unchecked)."""
    from zksolv.reserves import bitcoin

    try:
        return bitcoin.normalize_address(address)
    except InputError:
        return address.lower() if address.lower().startswith(("bc1", "tb1")) else address


def backing(asset: "AssetReserves") -> list[str]:
    """What backs an attested asset, on chain: its wallets' (chain, coin or token), with
    counts — shown by verify and audit, since nothing but a reader's judgement ties the name
    "BTC" to Bitcoin's native coin (SPEC.md §6.1)."""
    counts: dict[str, int] = {}
    for w in asset.wallets:
        what = f"{w.chain} {'native coin' if w.token is None else 'token ' + w.key[2]}"  # identity spelling
        counts[what] = counts.get(what, 0) + 1
    return [f"{what} ({n} wallet{'s' if n > 1 else ''})" for what, n in sorted(counts.items())]


def control_message(attestation_id: str, address: str) -> bytes:
    """The version-1 message each wallet signs: names this attestation, so it cannot be replayed."""
    return f"zksolv:reserves:v1:{attestation_id}:{address}".encode()


def control_message_v2(exchange: str, attestation_id: str, chain: str, address: str) -> bytes:
    """The version-2 message (SPEC.md §6.4.3): also names the exchange (lower-case 0x
    address) and the chain, so a signature serves one exchange, one round and one chain."""
    return f"zksolv:reserves:v2:{exchange.lower()}:{attestation_id}:{chain}:{address}".encode()


def message_for(reserves: "Reserves", wallet: Wallet) -> bytes:
    """What `wallet` must have signed, by the reserves' version."""
    if reserves.version == 2:
        return control_message_v2(reserves.exchange, reserves.attestation_id, wallet.chain, wallet.address)
    return control_message(reserves.attestation_id, wallet.address)


def default_leaf_bits(decimals: int) -> int:
    """64-bit leaves hold 1.8·10^19 base units; assets with more than 9 decimals get 128."""
    return 64 if decimals <= 9 else 128


def load(path: str) -> Reserves:
    """Parse and check the reserves file at `path` (signatures are checked by `verify_control`)."""
    return parse(read_json(path, "reserves file", malformed=InputError, limit=MAX_BYTES),
                 strictjson.one_line(str(path), 200))


def parse(doc, where: str, check_addresses: bool = True) -> Reserves:
    """Parse a reserves document (version 1, or 2 if it says so); `check_addresses=False`
    skips address validation (a customer's inclusion check needs only decimals; verify and
    audit always check)."""
    if isinstance(doc, dict) and "version" in doc:
        return _parse_v2(doc, where, check_addresses)
    doc = strictjson.obj(doc, where, ("attestation_id", "assets"), error=InputError)
    attestation_id = _attestation_id(doc["attestation_id"], where)
    parsed = _assets(doc["assets"], where, None, check_addresses)
    _refuse_counted_twice(parsed, where)
    return Reserves(attestation_id, parsed)


V2_FIELDS = ("version", "attestation_id", "exchange", "chains", "assets")


def _parse_v2(doc, where: str, check_addresses: bool) -> Reserves:
    """Version 2 (SPEC.md §6.1): the exchange, each chain's pinned block, then the assets,
    every wallet on a declared chain and every declared chain used."""
    doc = strictjson.obj(doc, where, V2_FIELDS, error=InputError)
    if type(doc["version"]) is not int or doc["version"] != 2:
        raise InputError(f"{where}: version: must be 2 (or absent, for version 1)")
    attestation_id = _attestation_id(doc["attestation_id"], where)
    exchange = _exchange(doc["exchange"], f"{where}: exchange")
    chains = _chains(doc["chains"], f"{where}: chains", check_addresses)
    parsed = _assets(doc["assets"], where, chains, check_addresses)
    _refuse_counted_twice(parsed, where)
    used = {w.chain for a in parsed.values() for w in a.wallets}
    unused = sorted(set(chains) - used)
    if unused:
        raise InputError(f"{where}: chains.{unused[0]}: no wallet is on this chain (list only the chains used)")
    return Reserves(attestation_id, parsed, 2, exchange, chains)


def _attestation_id(value, where: str) -> str:
    if not isinstance(value, str) or not IDENTIFIER.fullmatch(value):
        raise InputError(f"{where}: attestation_id must be 1–128 of [A-Za-z0-9._-]")
    return value


def _exchange(value, where: str) -> str:
    """The exchange's published identity: an EVM address (EIP-55 checked if mixed case),
    kept in lower case — the spelling signed messages use (SPEC.md §6.4.3, §6.17)."""
    if not isinstance(value, str):
        raise InputError(f"{where}: must be the exchange's 0x address")
    try:
        return ethereum.normalize_address(value)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


MAX_CHAINS = 256


def _chains(value, where: str, check: bool) -> dict[str, PinnedBlock]:
    """`chains`: chain name → pinned block; no two names for one EVM chain id (the same
    address's balance would be counted under each)."""
    if not isinstance(value, dict) or not value or len(value) > MAX_CHAINS:
        raise InputError(f"{where}: must be a non-empty object of at most {MAX_CHAINS} chains")
    blocks, ids = {}, {}
    for name, spec in value.items():
        here = f"{where}.{strictjson.one_line(name, 40)}"
        block = pinned_block(name, spec, here, check)
        chain_id = block.chain.chain_id
        if chain_id is not None and chain_id in ids:
            raise InputError(f"{here}.chain_id: {chain_id} is also {ids[chain_id]}: one chain, one name")
        ids[chain_id] = name
        blocks[name] = block
    return blocks


def _assets(assets, where: str, chains, check_addresses: bool) -> dict[str, "AssetReserves"]:
    if not isinstance(assets, dict) or not assets:
        raise InputError(f"{where}: assets must be a non-empty object")
    return {name: _asset(name, spec, f"{where}: assets.{strictjson.one_line(name, 40)}", check_addresses, chains)
            for name, spec in assets.items()}


def _refuse_counted_twice(assets: dict[str, "AssetReserves"], where: str) -> None:
    """One on-chain balance may back one asset once: a (chain, address, on-chain asset) listed
    twice anywhere in the file — under one asset or under two, e.g. BTC and XBT — would count
    the same coins twice (SPEC.md §6.1)."""
    seen: dict[tuple, str] = {}
    for name, asset in assets.items():
        for i, w in enumerate(asset.wallets):
            here = f"assets.{name}.wallets[{i}]"
            if w.key in seen:
                raise InputError(f"{where}: {here}: {w.address} ({w.key[2]}) is listed twice (also "
                                 f"{seen[w.key]}); its balance would be counted twice")
            seen[w.key] = here


def _asset(name: str, spec, where: str, check_addresses: bool = True, chains=None) -> AssetReserves:
    if not ASSET_NAME.fullmatch(name):
        raise InputError(f"{where}: asset name must be 1–32 of [A-Za-z0-9._-]")
    spec = strictjson.obj(spec, where, ("decimals", "wallets"), ("leaf_bits",), error=InputError)
    decimals = check_decimals(spec["decimals"], where)
    leaf_bits = spec.get("leaf_bits", default_leaf_bits(decimals))
    if type(leaf_bits) is not int or leaf_bits not in LEAF_BITS:
        raise InputError(f"{where}.leaf_bits: must be one of {LEAF_BITS}")
    wallets = spec.get("wallets")
    if not isinstance(wallets, list) or not wallets:
        raise InputError(f"{where}.wallets: must be a non-empty list")
    read = _wallet if chains is None else (lambda w, d, at, check: _wallet_v2(w, d, at, check, chains))
    parsed = tuple(read(w, decimals, f"{where}.wallets[{i}]", check_addresses) for i, w in enumerate(wallets))
    result = AssetReserves(name, decimals, leaf_bits, parsed)
    if result.total >= 1 << MAX_RESERVE_BITS:
        raise InputError(f"{where}: total reserves exceed 2^{MAX_RESERVE_BITS} base units")
    return result


def _wallet(spec, decimals: int, where: str, check_addresses: bool = True) -> Wallet:
    spec = strictjson.obj(spec, where, WALLET_FIELDS, ("token",), error=InputError)
    fields = {}
    for field in WALLET_FIELDS:
        fields[field] = strictjson.text(spec[field], f"{where}.{field}", max_bytes=MAX_WALLET_FIELD_BYTES,
                                        error=InputError)
    if fields["chain"] not in ("ethereum", "bitcoin"):
        raise InputError(f"{where}.chain: must be 'ethereum' or 'bitcoin'")
    try:
        if check_addresses and fields["chain"] == "ethereum":
            ethereum.normalize_address(fields["address"])
        elif check_addresses:
            from zksolv.reserves import bitcoin

            bitcoin.decode_address(fields["address"])
        units = parse_amount(fields["balance"], decimals)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    token = _token(spec, fields["chain"], f"{where}.token") if "token" in spec else None
    return Wallet(fields["chain"], fields["address"], fields["balance"], units, fields["signature"], token)


MAX_SIGNATURE_BYTES = 4096
"""Longest version-2 signature text: a BIP-322 full signature of a k-of-n multisig is long."""


def _wallet_v2(spec, decimals: int, where: str, check: bool, chains: dict[str, PinnedBlock]) -> Wallet:
    """A version-2 wallet: on a declared chain; address and token in their family's spelling."""
    spec = strictjson.obj(spec, where, WALLET_FIELDS, ("token",), error=InputError)
    fields = {f: strictjson.text(spec[f], f"{where}.{f}", error=InputError,
                                 max_bytes=MAX_SIGNATURE_BYTES if f == "signature" else MAX_WALLET_FIELD_BYTES)
              for f in WALLET_FIELDS}
    chain, token = fields["chain"], None
    if chain not in chains:
        raise InputError(f"{where}.chain: {strictjson.one_line(chain, 40)!r} is not declared in chains")
    if "token" in spec:
        token = strictjson.text(spec["token"], f"{where}.token", max_bytes=MAX_WALLET_FIELD_BYTES, error=InputError)
    module = chains[chain].chain.module
    address, on_chain = fields["address"], token or NATIVE
    if check:
        address = _in_field(module.normalize_address, fields["address"], f"{where}.address")
        on_chain = NATIVE if token is None else _in_field(module.normalize_token, token, f"{where}.token")
        if token is not None:
            check_token(chains[chain].chain, on_chain, f"{where}.token")
    units = _in_field(lambda b: parse_amount(b, decimals), fields["balance"], f"{where}.balance")
    return Wallet(chain, fields["address"], fields["balance"], units, fields["signature"], token,
                  (chain, address, on_chain))


def _in_field(function, value, where: str):
    """`function(value)`, its InputError naming the field."""
    try:
        return function(value)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def _token(spec: dict, chain: str, where: str) -> str:
    """The optional `token` field: the contract whose balance this is (absent: the native
    coin). Bitcoin has no tokens zksolv can value."""
    token = spec["token"]
    if chain != "ethereum":
        raise InputError(f"{where}: {chain} wallets hold only the native coin (omit token)")
    if not isinstance(token, str):
        raise InputError(f"{where}: must be a token contract address")
    try:
        check_token(known("ethereum"), ethereum.normalize_address(token), where)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    return token


def verify_control(reserves: Reserves) -> int:
    """Check every wallet's signature over its control message (of the reserves' version);
    returns how many entries were checked. One (chain, address, signature) is checked once:
    an address backing two assets carries the same signature in both entries."""
    count, done = 0, set()
    for asset in reserves.assets.values():
        for i, w in enumerate(asset.wallets):
            if (w.chain, w.address, w.signature) not in done:
                try:
                    _verifier(reserves, w)(w.address, message_for(reserves, w), w.signature)
                except (InvalidProof, InputError) as exc:
                    raise InvalidProof(f"reserves {asset.asset}.wallets[{i}] ({w.chain}): {exc}") from None
                done.add((w.chain, w.address, w.signature))
            count += 1
    return count


def _verifier(reserves: Reserves, w: Wallet):
    if reserves.version == 2:
        return reserves.chains[w.chain].chain.module.verify
    from zksolv.reserves import bitcoin

    return ethereum.verify_personal_sign if w.chain == "ethereum" else bitcoin.verify_signmessage


def to_json(reserves: Reserves) -> dict:
    """The reserves as published in the manifest (same shape as the input file)."""
    return {a.asset: {"decimals": a.decimals, "leaf_bits": a.leaf_bits,
                      "wallets": [_wallet_json(w) for w in a.wallets]}
            for a in reserves.assets.values()}


def custody_json(reserves: Reserves) -> dict | None:
    """What a version-2 round publishes of its reserves beside the assets (SPEC.md §6.7):
    None for version 1, whose manifests carry nothing more (and keep their digests)."""
    if reserves.version == 1:
        return None
    return {"reserves_version": reserves.version, "exchange": reserves.exchange,
            "chains": {name: block.to_json() for name, block in reserves.chains.items()}}


def to_document(reserves: Reserves) -> dict:
    """The reserves file of `reserves` (either version), as `load` reads it back."""
    assets = to_json(reserves)
    if reserves.version == 1:
        return {"attestation_id": reserves.attestation_id, "assets": assets}
    custody = custody_json(reserves)
    return {"version": 2, "attestation_id": reserves.attestation_id, "exchange": custody["exchange"],
            "chains": custody["chains"], "assets": assets}


def _wallet_json(w: Wallet) -> dict:
    """A wallet as written in the input; `token` only where it was given, so manifests from
    before the field existed keep their digests."""
    doc = {"chain": w.chain, "address": w.address, "balance": w.balance, "signature": w.signature}
    return doc if w.token is None else {**doc, "token": w.token}
