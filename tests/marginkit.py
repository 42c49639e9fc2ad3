"""Helpers that build small margin rounds (honest and malicious) for the margin tests."""

import json
from pathlib import Path

from zksolv import demo
from zksolv.attestation import prove
from zksolv.market.fixed import format_fixed
from roundkit import QUIET, Round

PRICES = {"quote": "USD", "decimals": 2,
          "assets": {"BTC": {"price": "97000.00", "haircut": [["10", "95"], ["100", "80"], [None, "50"]]},
                     "ETH": {"price": "3600.00", "haircut": [["100", "90"], [None, "40"]]},
                     "USDT": {"price": "1.00", "haircut": [[None, "100"]]}},
          "min_collateral_percent": "110",
          "scenarios": [{"name": "crash", "shock_percent": {"BTC": "-40", "ETH": "-50"}}]}

# (user, asset, amount): two spot users, three margin accounts (collateralized at base and crash)
ROWS = [("spot-1", "BTC", "2"), ("spot-1", "USDT", "1000"), ("spot-2", "ETH", "3.5"),
        ("alice", "BTC", "1"), ("alice", "USDT", "-20000"),
        ("bob", "ETH", "10"), ("bob", "BTC", "-0.1"),
        ("carol", "USDT", "50000"), ("carol", "ETH", "-2"), ("carol", "BTC", "0.5")]


def options(**kw):
    return prove.Options(**{"coverage_percent": "105", "workers": 1, "chunk": 4, **kw})


def write_inputs(directory: Path, rows=ROWS, prices=PRICES, attestation_id="margin-test",
                 reserve_percent: int = 110) -> tuple[Path, Path, Path]:
    """Ledger, reserves (reserve_percent of each asset's net liability, at least 1 unit) and prices."""
    directory.mkdir(parents=True, exist_ok=True)
    ledger, reserves, market = directory / "ledger.csv", directory / "reserves.json", directory / "prices.json"
    ledger.write_text("user_id,asset,amount\n" + "".join(f"{u},{a},{x}\n" for u, a, x in rows))
    totals = {a: 0 for a in demo.ASSETS}
    for _, a, x in rows:
        d = demo.ASSETS[a][0]
        neg = x.startswith("-")
        whole, _, frac = x.lstrip("-").partition(".")
        units = int(whole) * 10**d + int(frac.ljust(d, "0") or "0")
        totals[a] += -units if neg else units
    scaled = {a: max(t * reserve_percent // 110, 1) for a, t in totals.items()}
    demo.write_reserves(reserves, attestation_id, scaled)
    market.write_text(json.dumps(prices))
    return ledger, reserves, market


def prove_margin(directory: Path, rows=ROWS, prices=PRICES, **kw) -> Round:
    ledger, reserves, market = write_inputs(directory, rows, prices)
    out, state = directory / "attestation", directory / "state.db"
    m = prove.run(ledger, reserves, out, state, options(prices=str(market), **kw), QUIET)
    return Round(directory, ledger, reserves, out, state, m)


def amount(units: int, decimals: int) -> str:
    return format_fixed(units, decimals)
