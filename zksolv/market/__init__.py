"""Market data for margin accounts: prices, haircut tiers, scenarios (DESIGN §11; SPEC.md §6.12).

The reference round and the refusal report load on first use (PEP 562): a customer's
`verify-inclusion` needs the file and the coefficients only (issue 13 item 6)."""

import importlib

from zksolv.market.coefficients import (
    AssetTerms, Coefficients, Scenario, account_value, coefficients, tier_pieces,
)
from zksolv.market.file import Market, load, parse

_LAZY = {"Verdict": "reference", "evaluate": "reference", "check_report_path": "refusals",
         "write_report": "refusals"}
__all__ = sorted(["AssetTerms", "Coefficients", "Market", "Scenario", "account_value", "coefficients", "load",
                  "parse", "tier_pieces", *_LAZY])


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f"zksolv.market.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'zksolv.market' has no attribute {name!r}")
