"""A verifier's chain snapshot, checked against the claimed balances (SPEC.md §6.1).

Block-pinned (the only kind a version-2 attestation accepts): CSV
`chain,height,hash,address,token,balance` — every row says which block its balance is at, and
that block must be the one the reserves pin for its chain (SPEC.md §6.4.3).

Unpinned (version-1 attestations only: they pin no block): `chain,address,balance` (native
coins), `chain,address,token,balance` (token `native` or a contract address), and the earlier
`chain,address,asset,balance` (attested asset name; its rows speak of native coins, for that
asset only).

A row is keyed by the same identity as a reserve wallet, so one on-chain balance can confirm
one wallet only."""

from dataclasses import dataclass, field

from zksolv.amounts import parse_amount
from zksolv.errors import InputError, InvalidProof
from zksolv.fsutil import csv_reader
from zksolv.reserves.file import NATIVE, Reserves, wallet_key
from zksolv.strictjson import one_line

PINNED = ["chain", "height", "hash", "address", "token", "balance"]
HEADERS = (["chain", "address", "balance"], ["chain", "address", "token", "balance"],
           ["chain", "address", "asset", "balance"], PINNED)
MAX_BYTES = 64 << 20
"""Largest snapshot read, held in memory whole (SPEC.md §1.1): about 500,000 wallets."""


@dataclass
class Snapshot:
    """What a snapshot file says. Unpinned: `rows`, wallet identity → (balance, the attested
    asset a legacy row names or None). Pinned: `pinned`, (line, row) in file order, keyed only
    once the attestation's chains say how to spell each chain's addresses."""

    where: str
    rows: dict = field(default_factory=dict)
    pinned: list | None = None

    def __len__(self) -> int:
        return len(self.rows) if self.pinned is None else len(self.pinned)


def load(path: str) -> Snapshot:
    """Read the snapshot at `path` (any header above); a repeated row is refused here for
    unpinned snapshots, in `check` for pinned ones."""
    snap = Snapshot(one_line(str(path), 200))
    with csv_reader(path, "snapshot", max_bytes=MAX_BYTES) as reader:
        header = [h.strip().lstrip("\ufeff") for h in next(reader, [])]
        if header not in HEADERS:
            raise InputError(f"{snap.where}:1: header must be chain,height,hash,address,token,balance "
                             "(or, for a version-1 attestation, chain,address,balance or chain,address,token,balance)")
        if header == PINNED:
            snap.pinned = []
        for row in reader:
            if len(row) != len(header):
                raise InputError(f"{snap.where}:{reader.line_num}: expected {len(header)} fields")
            rec = dict(zip(header, row))
            if snap.pinned is not None:
                snap.pinned.append((reader.line_num, rec))
            else:
                _add_unpinned(snap, rec, reader.line_num)
    return snap


def _add_unpinned(snap: Snapshot, rec: dict, line: int) -> None:
    token = rec.get("token", NATIVE)
    key = wallet_key(rec["chain"], rec["address"], None if token == NATIVE else token)
    _add(snap.rows, key, (rec["balance"], rec.get("asset")), f"{snap.where}:{line}", rec["address"])


def _add(rows: dict, key: tuple, value, where: str, address: str) -> None:
    if key in rows:
        raise InputError(f"{where}: {one_line(address, 80)} ({one_line(key[2], 50)}) listed twice")
    rows[key] = value


def check(reserves: Reserves, snapshot: Snapshot) -> int:
    """Raise InvalidProof listing every claimed balance the snapshot contradicts; for a
    version-2 attestation, first every row's block against the reserves' pinned block."""
    if reserves.version == 2 and snapshot.pinned is None:
        raise InputError(f"{snapshot.where}: this attestation pins its balances to blocks (reserves version 2): "
                         "the snapshot must be chain,height,hash,address,token,balance — an unpinned one cannot "
                         "say which block it saw")
    if reserves.version == 1 and snapshot.pinned is not None:
        raise InputError(f"{snapshot.where}: this attestation (reserves version 1) pins no block to compare the "
                         "snapshot's with: use chain,address,token,balance")
    rows = snapshot.rows if snapshot.pinned is None else _pinned_rows(reserves, snapshot)
    return _compare(reserves, rows)


def _pinned_rows(reserves: Reserves, snapshot: Snapshot) -> dict:
    """Every row at the reserves' block of its chain, keyed by wallet identity in the
    chain family's spelling (SPEC.md §6.1)."""
    rows = {}
    for line, rec in snapshot.pinned:
        where = f"{snapshot.where}:{line}"
        block = reserves.chains.get(rec["chain"])
        if block is None:
            raise InvalidProof(f"{where}: chain {one_line(rec['chain'], 40)!r}: the reserves pin no block of it")
        _check_block(block, rec, where)
        module = block.chain.module
        try:
            address = module.normalize_address(rec["address"])
            token = NATIVE if rec["token"] == NATIVE else module.normalize_token(rec["token"])
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None
        _add(rows, (rec["chain"], address, token), (rec["balance"], None), where, rec["address"])
    return rows


def _check_block(block, rec: dict, where: str) -> None:
    """The row's block is the pinned one: same height, same hash (canonical spelling)."""
    height, text = rec["height"], rec["hash"]
    if not height.isascii() or not height.isdigit() or (height != "0" and height.startswith("0")) \
            or len(height) > 16:
        raise InputError(f"{where}: height must be a block height in decimal digits")
    try:
        block_hash = block.chain.module.normalize_block_hash(text)
    except InputError as exc:
        raise InputError(f"{where}: hash: {exc}") from None
    if (int(height), block_hash) != (block.height, block.hash):
        raise InvalidProof(f"{where}: {block.chain.name}: the snapshot is at block {height} ({one_line(text, 80)}), "
                           f"the reserves at {block.describe()}")


def _compare(reserves: Reserves, snapshot: dict) -> int:
    problems, checked = [], 0
    for asset in reserves.assets.values():
        for w in asset.wallets:
            observed, named = snapshot.get(w.key, (None, None))
            if observed is None or named not in (None, asset.asset):
                problems.append(f"{asset.asset} {w.address}: not in the snapshot")
                continue
            try:
                units = parse_amount(observed, asset.decimals)
            except InputError as exc:
                raise InputError(f"snapshot {w.address}: {exc}") from None
            if units != w.units:
                problems.append(f"{asset.asset} {w.address}: claimed {w.balance}, snapshot {observed}")
            checked += 1
    if problems:
        raise InvalidProof("reserves do not match the snapshot: " + "; ".join(problems))
    return checked


def pinned_rows(reserves: Reserves) -> list[list[str]]:
    """A block-pinned snapshot (header first) that states exactly the claimed balances of
    version-2 `reserves` at their pinned blocks — what an honest chain view would show (for
    `zksolv demo` and tests; a verifier makes theirs from their own node)."""
    rows = [list(PINNED)]
    for asset in reserves.assets.values():
        for w in asset.wallets:
            block = reserves.chains[w.chain]
            rows.append([w.chain, str(block.height), block.hash, w.address, w.token or NATIVE, w.balance])
    return rows
