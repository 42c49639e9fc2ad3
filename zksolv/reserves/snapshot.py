"""A verifier's chain snapshot: CSV `chain,address,balance` (or `chain,address,asset,balance`
where one address holds several attested assets), checked against the claimed balances."""

from zksolv.amounts import parse_amount
from zksolv.errors import InputError, InvalidProof
from zksolv.fsutil import csv_reader
from zksolv.reserves.file import Reserves, Wallet, wallet_key
from zksolv.strictjson import one_line

MAX_BYTES = 64 << 20
"""Largest snapshot read, held in memory whole (SPEC.md §6.12): about 500,000 wallets."""


def load(path: str) -> dict[tuple, str]:
    """(chain, normalized address[, asset]) → balance string."""
    rows, where = {}, one_line(str(path), 200)
    with csv_reader(path, "snapshot", max_bytes=MAX_BYTES) as reader:
        header = [h.strip().lstrip("\ufeff") for h in next(reader, [])]
        if header not in (["chain", "address", "balance"], ["chain", "address", "asset", "balance"]):
            raise InputError(f"{where}:1: header must be chain,address,balance "
                             "or chain,address,asset,balance")
        for row in reader:
            if len(row) != len(header):
                raise InputError(f"{where}:{reader.line_num}: expected {len(header)} fields")
            rec = dict(zip(header, row))
            key = wallet_key(rec["chain"], rec["address"]) + ((rec["asset"],) if "asset" in rec else ())
            if key in rows:
                raise InputError(f"{where}:{reader.line_num}: {one_line(rec['address'], 80)} listed twice")
            rows[key] = rec["balance"]
    return rows


def check(reserves: Reserves, snapshot: dict[tuple, str]) -> int:
    """Raise InvalidProof listing every claimed balance the snapshot contradicts."""
    problems, checked = [], 0
    for asset in reserves.assets.values():
        for w in asset.wallets:
            observed = _lookup(snapshot, w, asset.asset)
            if observed is None:
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


def _lookup(snapshot, wallet: Wallet, asset: str):
    key = wallet_key(wallet.chain, wallet.address)
    if key + (asset,) in snapshot:
        return snapshot[key + (asset,)]
    return snapshot.get(key)
