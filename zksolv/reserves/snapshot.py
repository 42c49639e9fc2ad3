"""A verifier's chain snapshot: CSV `chain,address,balance` (native coins) or
`chain,address,token,balance` (token `native` or a contract address), checked against the
claimed balances. A row is keyed by the same identity as a reserve wallet (SPEC.md §6.1), so
one on-chain balance can confirm one wallet only. The earlier `chain,address,asset,balance`
(attested asset name) is still read: its rows speak of native coins, for that asset only."""

from zksolv.amounts import parse_amount
from zksolv.errors import InputError, InvalidProof
from zksolv.fsutil import csv_reader
from zksolv.reserves.file import NATIVE, Reserves, wallet_key
from zksolv.strictjson import one_line

HEADERS = (["chain", "address", "balance"], ["chain", "address", "token", "balance"],
           ["chain", "address", "asset", "balance"])
MAX_BYTES = 64 << 20
"""Largest snapshot read, held in memory whole (SPEC.md §1.1): about 500,000 wallets."""


def load(path: str) -> dict[tuple, tuple[str, str | None]]:
    """wallet identity (chain, address, on-chain asset) → (balance string, the attested asset
    a legacy row names, or None)."""
    rows, where = {}, one_line(str(path), 200)
    with csv_reader(path, "snapshot", max_bytes=MAX_BYTES) as reader:
        header = [h.strip().lstrip("\ufeff") for h in next(reader, [])]
        if header not in HEADERS:
            raise InputError(f"{where}:1: header must be chain,address,balance "
                             "or chain,address,token,balance")
        for row in reader:
            if len(row) != len(header):
                raise InputError(f"{where}:{reader.line_num}: expected {len(header)} fields")
            rec = dict(zip(header, row))
            token = rec.get("token", NATIVE)
            key = wallet_key(rec["chain"], rec["address"], None if token == NATIVE else token)
            if key in rows:
                raise InputError(f"{where}:{reader.line_num}: {one_line(rec['address'], 80)} "
                                 f"({one_line(key[2], 50)}) listed twice")
            rows[key] = (rec["balance"], rec.get("asset"))
    return rows


def check(reserves: Reserves, snapshot: dict[tuple, tuple[str, str | None]]) -> int:
    """Raise InvalidProof listing every claimed balance the snapshot contradicts."""
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
