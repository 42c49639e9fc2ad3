"""A verifier's chain snapshot: CSV `chain,address,balance` (native coins) or
`chain,address,token,balance` (token `native` or a contract address), checked against the
claimed balances. A row is keyed by the same identity as a reserve wallet (SPEC.md §6.1), so
one on-chain balance can confirm one wallet only. The earlier `chain,address,asset,balance`
(attested asset name) is still read: its rows speak of native coins, for that asset only."""

import csv

from zksolv.amounts import parse_amount
from zksolv.errors import InputError, InvalidProof
from zksolv.reserves.file import NATIVE, Reserves, wallet_key

HEADERS = (["chain", "address", "balance"], ["chain", "address", "token", "balance"],
           ["chain", "address", "asset", "balance"])


def load(path: str) -> dict[tuple, tuple[str, str | None]]:
    """wallet identity (chain, address, on-chain asset) → (balance string, the attested asset
    a legacy row names, or None)."""
    rows = {}
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f, strict=True)
            header = [h.strip().lstrip("\ufeff") for h in next(reader, [])]
            if header not in HEADERS:
                raise InputError(f"{path}:1: header must be chain,address,balance "
                                 "or chain,address,token,balance")
            for row in reader:
                if len(row) != len(header):
                    raise InputError(f"{path}:{reader.line_num}: expected {len(header)} fields")
                rec = dict(zip(header, row))
                token = rec.get("token", NATIVE)
                key = wallet_key(rec["chain"], rec["address"], None if token == NATIVE else token)
                if key in rows:
                    raise InputError(f"{path}:{reader.line_num}: {rec['address']} ({key[2]}) listed twice")
                rows[key] = (rec["balance"], rec.get("asset"))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: cannot read snapshot: {exc}") from exc
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
