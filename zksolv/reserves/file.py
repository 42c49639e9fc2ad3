"""The reserves file: per asset, the wallets, their claimed balances and their proofs of
control (SPEC.md §6.4). Parsing is strict; every error names the file and the field."""

import re
from dataclasses import dataclass

from zksolv import strictjson
from zksolv.amounts import check_decimals, parse_amount
from zksolv.bounds import MAX_RESERVE_BITS
from zksolv.errors import InputError, InvalidProof
from zksolv.fsutil import read_json
from zksolv.reserves import bitcoin, ethereum

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

    @property
    def key(self) -> tuple[str, str, str]:
        return wallet_key(self.chain, self.address, self.token)


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
    lowered = address.lower()
    if chain == "ethereum" or lowered.startswith(("bc1", "tb1")):
        address = lowered
    return chain, address, NATIVE if token is None else token.lower()


def backing(asset: "AssetReserves") -> list[str]:
    """What backs an attested asset, on chain: its wallets' (chain, coin or token), with
    counts — shown by verify and audit, since nothing but a reader's judgement ties the name
    "BTC" to Bitcoin's native coin (SPEC.md §6.1)."""
    counts: dict[str, int] = {}
    for w in asset.wallets:
        what = f"{w.chain} {'native coin' if w.token is None else 'token ' + w.token.lower()}"
        counts[what] = counts.get(what, 0) + 1
    return [f"{what} ({n} wallet{'s' if n > 1 else ''})" for what, n in sorted(counts.items())]


def control_message(attestation_id: str, address: str) -> bytes:
    """The message each wallet signs: names this attestation, so it cannot be replayed."""
    return f"zksolv:reserves:v1:{attestation_id}:{address}".encode()


def default_leaf_bits(decimals: int) -> int:
    """64-bit leaves hold 1.8·10^19 base units; assets with more than 9 decimals get 128."""
    return 64 if decimals <= 9 else 128


def load(path: str) -> Reserves:
    """Parse and check the reserves file at `path` (signatures are checked by `verify_control`)."""
    return parse(read_json(path, "reserves file", malformed=InputError, limit=MAX_BYTES),
                 strictjson.one_line(str(path), 200))


def parse(doc, where: str, check_addresses: bool = True) -> Reserves:
    """Parse a reserves document; `check_addresses=False` skips address validation (a
    customer's inclusion check needs only decimals; verify and audit always check)."""
    doc = strictjson.obj(doc, where, ("attestation_id", "assets"), error=InputError)
    attestation_id = doc.get("attestation_id")
    if not isinstance(attestation_id, str) or not IDENTIFIER.fullmatch(attestation_id):
        raise InputError(f"{where}: attestation_id must be 1–128 of [A-Za-z0-9._-]")
    assets = doc.get("assets")
    if not isinstance(assets, dict) or not assets:
        raise InputError(f"{where}: assets must be a non-empty object")
    parsed = {name: _asset(name, spec, f"{where}: assets.{strictjson.one_line(name, 40)}", check_addresses)
              for name, spec in assets.items()}
    _refuse_counted_twice(parsed, where)
    return Reserves(attestation_id, parsed)


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


def _asset(name: str, spec, where: str, check_addresses: bool = True) -> AssetReserves:
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
    parsed = tuple(_wallet(w, decimals, f"{where}.wallets[{i}]", check_addresses)
                   for i, w in enumerate(wallets))
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
            bitcoin.decode_address(fields["address"])
        units = parse_amount(fields["balance"], decimals)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    token = _token(spec, fields["chain"], f"{where}.token") if "token" in spec else None
    return Wallet(fields["chain"], fields["address"], fields["balance"], units, fields["signature"], token)


def _token(spec: dict, chain: str, where: str) -> str:
    """The optional `token` field: the contract whose balance this is (absent: the native
    coin). Bitcoin has no tokens zksolv can value."""
    token = spec["token"]
    if chain != "ethereum":
        raise InputError(f"{where}: {chain} wallets hold only the native coin (omit token)")
    if not isinstance(token, str):
        raise InputError(f"{where}: must be a token contract address")
    try:
        ethereum.normalize_address(token)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    return token


def verify_control(reserves: Reserves) -> int:
    """Check every wallet's signature over its control message; returns how many."""
    count = 0
    for asset in reserves.assets.values():
        for i, w in enumerate(asset.wallets):
            message = control_message(reserves.attestation_id, w.address)
            verify = ethereum.verify_personal_sign if w.chain == "ethereum" else bitcoin.verify_signmessage
            try:
                verify(w.address, message, w.signature)
            except (InvalidProof, InputError) as exc:
                raise InvalidProof(f"reserves {asset.asset}.wallets[{i}]: {exc}") from None
            count += 1
    return count


def to_json(reserves: Reserves) -> dict:
    """The reserves as published in the manifest (same shape as the input file)."""
    return {a.asset: {"decimals": a.decimals, "leaf_bits": a.leaf_bits,
                      "wallets": [_wallet_json(w) for w in a.wallets]}
            for a in reserves.assets.values()}


def _wallet_json(w: Wallet) -> dict:
    """A wallet as written in the input; `token` only where it was given, so manifests from
    before the field existed keep their digests."""
    doc = {"chain": w.chain, "address": w.address, "balance": w.balance, "signature": w.signature}
    return doc if w.token is None else {**doc, "token": w.token}
