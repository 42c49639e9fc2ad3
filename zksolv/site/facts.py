"""What a verified round says, for the page (issue 13 item 2): its identity and chain link,
per asset the reserves and the proven statements, and for a margin round (manifest version
2, SPEC.md §6.12) the firm-wide statements and the market they were proven under.

Read from the manifest (strict JSON, already checked by `zksolv verify`) and verify's report;
nothing here is believed that verify has not checked."""

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Wallet:
    chain: str
    address: str
    balance: str
    token: str | None


@dataclass
class Asset:
    name: str
    decimals: int
    capacity: int
    coverage_percent: str | None  # None: solvency only (reserves ≥ liabilities)
    wallets: list[Wallet]

    @property
    def reserves_total(self) -> str:
        """The sum of the wallets' declared balances, exact (SPEC.md §6.1 decimals)."""
        total = sum((Decimal(w.balance) for w in self.wallets), Decimal(0))
        return _plain(total)

    @property
    def floor_percent(self) -> str:
        """The proven floor of reserves / liabilities: the coverage asked, else 100."""
        return self.coverage_percent or "100"


@dataclass
class Margin:
    """A margin round's statements and the market data they were proven under."""

    capacity: int
    firm_percent: str
    min_collateral_percent: str
    quote: str
    scenarios: list[tuple[str, dict]]  # (name, {asset: shock percent}); base first, no shocks
    prices: list[tuple[str, str, list]]  # (asset, price, [[up to, haircut %], …])


@dataclass
class Round:
    """One verified round as the page shows it."""

    directory: str
    attestation_id: str
    timestamp: str
    digest: str
    previous: str | None
    version: int
    circuits: str
    exchange: str | None
    chains: dict
    wallets_checked: int
    assets: list[Asset] = field(default_factory=list)
    margin: Margin | None = None


def round_facts(directory: str, doc: dict, report) -> Round:
    """The facts of one round from its manifest document and verify's report."""
    custody = report.custody or {}
    r = Round(directory=str(directory), attestation_id=doc["attestation_id"], timestamp=doc["timestamp"],
              digest=report.manifest_digest, previous=doc["previous"], version=doc.get("version", 1),
              circuits=doc["circuits"]["name"], exchange=custody.get("signed_by"),
              chains=custody.get("chains", {}), wallets_checked=report.wallets_checked)
    for name in sorted(doc["assets"]):
        entry, checked = doc["assets"][name], report.assets[name]
        wallets = [Wallet(w["chain"], w["address"], w["balance"], w.get("token")) for w in entry["wallets"]]
        r.assets.append(Asset(name, entry["decimals"], checked["capacity"], checked["coverage_percent"], wallets))
    margin = getattr(report, "margin", None)
    if margin:
        r.margin = _margin(doc, margin)
    return r


def _margin(doc: dict, checked: dict) -> Margin:
    market = doc["market"]
    shocks = {s["name"]: s["shock_percent"] for s in market["scenarios"]}
    return Margin(capacity=checked["capacity"], firm_percent=checked["firm_coverage_percent"],
                  min_collateral_percent=market["min_collateral_percent"], quote=market["quote"],
                  scenarios=[(n, shocks.get(n, {})) for n in checked["scenarios"]],
                  prices=[(a, p["price"], p["haircut"]) for a, p in sorted(market["assets"].items())])


def _plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
