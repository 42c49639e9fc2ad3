"""Market data for margin accounts: prices, haircut tiers, scenarios (DESIGN §11; SPEC.md §6.12)."""

from zksolv.market.coefficients import (
    AssetTerms, Coefficients, Scenario, account_value, coefficients, tier_pieces,
)
from zksolv.market.file import Market, load, parse

__all__ = ["AssetTerms", "Coefficients", "Market", "Scenario", "account_value", "coefficients",
           "load", "parse", "tier_pieces"]
