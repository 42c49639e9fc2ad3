"""Market data for margin accounts: prices, haircut tiers, scenarios (DESIGN §11; SPEC.md §6.12)."""

from zksolv.market.coefficients import (
    AssetTerms, Coefficients, Scenario, account_value, coefficients, tier_pieces,
)
from zksolv.market.file import Market, load, parse
from zksolv.market.reference import Verdict, evaluate
from zksolv.market.refusals import check_report_path, write_report

__all__ = ["AssetTerms", "Coefficients", "Market", "Scenario", "Verdict", "account_value",
           "check_report_path", "coefficients", "evaluate", "load", "parse", "tier_pieces",
           "write_report"]
