"""Version-2 reserves (SPEC.md §6.1, §6.4.3) and exchange keys for the custody tests."""

import json
import os
from pathlib import Path

from zksolv import demo
from zksolv.amounts import format_amount
from zksolv.attestation import exchange
from zksolv.reserves import signing

BTC_BLOCK = {"height": 870000, "hash": "00000000000000000002a7c4c1e48d76c5a37902165a270156b7a8d72728a054"}
ETH_BLOCK = {"height": 21000000, "hash": "0x" + "5a" * 32, "chain_id": 1}
BSC_BLOCK = {"height": 44000000, "hash": "0x" + "b5" * 32, "chain_id": 56}
CUSTOM_BLOCK = {"height": 123, "hash": "0x" + "c0" * 32, "chain_id": 999001}
USDT = "0xdAC17F958D2ee523a2206206994597C13D831ec7"
BSC_USDT = "0x55d398326f99059fF775485246999027B3197955"


def key_file(path: Path, key=None) -> tuple[Path, object]:
    """A 0600 key file for `key` (default: a fresh one); (path, key)."""
    key = key or signing.new_key()
    path.write_text("0x" + key.secret.hex() + "\n")
    os.chmod(path, 0o600)
    return path, key


def document(attestation_id: str, totals: dict[str, int], exchange_key, custom: bool = False) -> dict:
    """Reserves v2 of 110 % of `totals` (demo.ASSETS): BTC on bitcoin (P2WPKH), ETH native on
    ethereum, USDT as an ERC-20 on ethereum by the ETH wallet's address (one signature,
    two entries) and as a BEP-20 on bsc; with `custom`, ETH also on a declared EVM chain."""
    exch = exchange.address(exchange_key)
    held = {a: totals[a] * 110 // 100 + 1 for a in totals}
    eth_key, bsc_key, custom_key = signing.new_key(), signing.new_key(), signing.new_key()

    def amount(asset, units):
        return format_amount(units, demo.ASSETS[asset][0])

    def wallet(key, chain, asset, units, token=None):
        return signing.wallet_v2(key, chain, exch, attestation_id, amount(asset, units), token=token)
    eth_share = held["ETH"] if not custom else held["ETH"] - held["ETH"] // 2
    usdt_eth = held["USDT"] // 2
    assets = {
        "BTC": {"decimals": 8, "wallets": [wallet(signing.new_key(), "bitcoin", "BTC", held["BTC"])]},
        "ETH": {"decimals": 18, "wallets": [wallet(eth_key, "ethereum", "ETH", eth_share)]},
        "USDT": {"decimals": 6, "wallets": [wallet(eth_key, "ethereum", "USDT", usdt_eth, USDT),
                                            wallet(bsc_key, "bsc", "USDT", held["USDT"] - usdt_eth, BSC_USDT)]},
    }
    chains = {"bitcoin": BTC_BLOCK, "ethereum": ETH_BLOCK, "bsc": BSC_BLOCK}
    if custom:
        assets["ETH"]["wallets"].append(wallet(custom_key, "devnet", "ETH", held["ETH"] // 2))
        chains["devnet"] = CUSTOM_BLOCK
    return {"version": 2, "attestation_id": attestation_id, "exchange": exch, "chains": chains, "assets": assets}


def write(path: Path, doc: dict) -> Path:
    path.write_text(json.dumps(doc, indent=1))
    return path


def snapshot_rows(doc: dict) -> list[list[str]]:
    """A block-pinned snapshot (chain,height,hash,address,token,balance) agreeing with `doc`."""
    rows = [["chain", "height", "hash", "address", "token", "balance"]]
    for asset in doc["assets"].values():
        for w in asset["wallets"]:
            block = doc["chains"][w["chain"]]
            rows.append([w["chain"], str(block["height"]), block["hash"], w["address"], w.get("token", "native"),
                         w["balance"]])
    return rows


def converted(v1: dict, exchange_key) -> dict:
    """A version-1 reserves document as version 2: the same assets and balances, each
    wallet re-keyed and signed over the v2 message, chains bitcoin and ethereum pinned."""
    exch = exchange.address(exchange_key)
    assets = {}
    for name, asset in v1["assets"].items():
        wallets = [signing.wallet_v2(signing.new_key(), w["chain"], exch, v1["attestation_id"], w["balance"],
                                     token=w.get("token")) for w in asset["wallets"]]
        assets[name] = {**asset, "wallets": wallets}
    chains = {c: block for c, block in (("bitcoin", BTC_BLOCK), ("ethereum", ETH_BLOCK))
              if any(w["chain"] == c for a in assets.values() for w in a["wallets"])}
    return {"version": 2, "attestation_id": v1["attestation_id"], "exchange": exch, "chains": chains,
            "assets": assets}
