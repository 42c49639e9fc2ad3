"""The market-data file (`prove --prices`): prices, haircut tiers, the minimum collateral
ratio and stress scenarios (SPEC.md §6.12.1–2; DESIGN §11).

Parsing is strict and exact: decimal strings only, every key known, every limit checked,
and every error an InputError naming the file and the JSON field, e.g.
`prices.json: assets.BTC.haircut[1]: rates must not increase`. Tier bounds are in whole units
of their asset, so parsing needs the attested assets' decimals: `load(path, decimals)`.
"""

import json
import re
from dataclasses import dataclass, field
from itertools import accumulate

from zksolv.errors import InputError
from zksolv.fsutil import open_regular
from zksolv.hashing import tagged
from zksolv.market.coefficients import BP, AssetTerms, Coefficients, Scenario, coefficients
from zksolv.market.fixed import format_fixed, parse_fixed
from zksolv.statements import canonical_bytes

TAG_MARKET = b"zksolv/v1/market"
MAX_FILE_BYTES = 1 << 20
MAX_DEPTH = 16                    # the format nests 5 deep
MAX_QUOTE_DECIMALS = 18
MAX_PRICE_WHOLE = 10**15          # a price is below 10^15 whole quote units
MAX_TIERS = 16
MAX_UPPER_BITS = 128              # a tier bound is below 2^128 base units (the widest leaf)
MAX_SCENARIOS = 16
MIN_MU_BP, MAX_MU_BP = 100 * 100, 10_000 * 100
MIN_SHOCK_BP, MAX_SHOCK_BP = -100 * 100, 10_000 * 100
PERCENT_PLACES = 2
BASE = "base"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")   # asset names of SPEC.md §6.1
KEYS = ("quote", "decimals", "assets", "min_collateral_percent", "scenarios")


@dataclass(frozen=True)
class Market:
    """A parsed market file. `asset_decimals` are the decimals its tier bounds were read
    with; `source` names it in errors."""

    quote: str
    decimals: int
    terms: dict[str, AssetTerms]
    mu_bp: int
    scenarios: tuple[Scenario, ...]
    asset_decimals: dict[str, int]
    source: str = field(default="market data", compare=False)

    def coefficients(self, decimals: dict[str, int]) -> Coefficients:
        """The coefficient tables of SPEC.md §6.12.4 for these assets' decimals."""
        if decimals != self.asset_decimals:
            raise InputError(f"{self.source}: was read with decimals {self.asset_decimals}, "
                             f"the round attests {decimals}")
        return coefficients(self.terms, decimals, self.mu_bp, self.scenarios)

    def check_assets(self, attested: set[str]) -> None:
        """Every attested asset has a price and a haircut table; no other asset is named."""
        _check_asset_names(set(self.terms), attested, self.source)

    def to_json(self) -> dict:
        """The normalized form (SPEC.md §6.12.2): what the manifest carries and the digest hashes."""
        return {"quote": self.quote, "decimals": self.decimals,
                "assets": {a: self._asset_json(a) for a in sorted(self.terms)},
                "min_collateral_percent": format_fixed(self.mu_bp, PERCENT_PLACES),
                "scenarios": [{"name": s.name, "shock_percent": {
                    a: format_fixed(f - BP, PERCENT_PLACES) for a, f in sorted(s.factor_bp.items())}}
                    for s in self.scenarios]}

    def _asset_json(self, asset: str) -> dict:
        terms, places = self.terms[asset], self.asset_decimals[asset]
        return {"price": format_fixed(terms.price, self.decimals),
                "haircut": [[None if upper is None else format_fixed(upper, places),
                             format_fixed(rate, PERCENT_PLACES)] for upper, rate in terms.tiers]}

    def digest(self) -> bytes:
        """TAGGED("zksolv/v1/market", canonical JSON of the normalized form)."""
        return tagged(TAG_MARKET, canonical_bytes(self.to_json()))


class _At:
    """Where a value sits: the file and the JSON path, for error messages."""

    def __init__(self, source: str, path: str = ""):
        self.source, self.path = source, path

    def key(self, name: str) -> "_At":
        if not NAME.fullmatch(name):  # keep messages one printable line: quote odd keys
            return _At(self.source, f"{self.path}[{json.dumps(name)}]")
        return _At(self.source, f"{self.path}.{name}" if self.path else name)

    def index(self, i: int) -> "_At":
        return _At(self.source, f"{self.path}[{i}]")

    def fail(self, message: str) -> InputError:
        return InputError(f"{self.source}: {self.path or '(top level)'}: {message}")


def load(path, decimals: dict[str, int]) -> Market:
    """The market file at `path`, checked against the attested assets' decimals."""
    return parse(read_strict_json(path), decimals, str(path))


def parse(doc, decimals: dict[str, int], source: str) -> Market:
    """A market document already read as JSON (a file, or a manifest's `market` field)."""
    at = _At(source)
    _object(doc, KEYS, at)
    quote = _name(doc["quote"], at.key("quote"))
    places = _quote_decimals(doc["decimals"], at.key("decimals"))
    assets = _assets(doc["assets"], decimals, places, at.key("assets"))
    mu_bp = _percent(doc["min_collateral_percent"], MIN_MU_BP, MAX_MU_BP, at.key("min_collateral_percent"))
    scenarios = _scenarios(doc["scenarios"], set(assets), at.key("scenarios"))
    return Market(quote, places, assets, mu_bp, scenarios, dict(decimals), source)


def _object(value, keys, at: _At) -> None:
    if not isinstance(value, dict):
        raise at.fail("must be a JSON object")
    missing = [k for k in keys if k not in value]
    extra = sorted(set(value) - set(keys))
    if missing:
        raise at.key(missing[0]).fail("missing")
    if extra:
        raise at.key(extra[0]).fail(f"unknown field (allowed: {', '.join(keys)})")


def _list(value, low: int, high: int, at: _At) -> list:
    if not isinstance(value, list):
        raise at.fail("must be a JSON array")
    if not low <= len(value) <= high:
        raise at.fail(f"must have {low} to {high} entries, has {len(value)}")
    return value


def _name(value, at: _At) -> str:
    if not isinstance(value, str) or not NAME.fullmatch(value):
        raise at.fail("must be a name of 1–32 characters [A-Za-z0-9._-], starting with a letter or digit")
    return value


def _quote_decimals(value, at: _At) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_QUOTE_DECIMALS:
        raise at.fail(f"must be an integer from 0 to {MAX_QUOTE_DECIMALS}")
    return value


def _fixed(value, places: int, at: _At, signed: bool = False) -> int:
    try:
        return parse_fixed(value, places, signed=signed)
    except InputError as exc:
        raise at.fail(str(exc)) from None


def _percent(value, low_bp: int, high_bp: int, at: _At, signed: bool = False) -> int:
    """A percentage with at most two fraction digits, in basis points, within [low, high]."""
    bp = _fixed(value, PERCENT_PLACES, at, signed)
    if not low_bp <= bp <= high_bp:
        raise at.fail(f"must be from {format_fixed(low_bp, 2)} to {format_fixed(high_bp, 2)} (percent)")
    return bp


def _check_asset_names(named: set[str], attested: set[str], source: str) -> None:
    at = _At(source, "assets")
    unknown, missing = sorted(named - attested), sorted(attested - named)
    if unknown:
        raise at.key(unknown[0]).fail(f"not an attested asset (attested: {', '.join(sorted(attested))})")
    if missing:
        raise at.fail(f"no price and haircut for the attested asset {missing[0]}")


def _assets(value, decimals: dict[str, int], places: int, at: _At) -> dict[str, AssetTerms]:
    if not isinstance(value, dict):
        raise at.fail("must be a JSON object")
    for name in value:
        _name(name, at.key(name))
    _check_asset_names(set(value), set(decimals), at.source)
    return {a: _asset(value[a], decimals[a], places, at.key(a)) for a in sorted(value)}


def _asset(value, asset_places: int, quote_places: int, at: _At) -> AssetTerms:
    _object(value, ("price", "haircut"), at)
    price = _fixed(value["price"], quote_places, at.key("price"))
    if not 0 < price < MAX_PRICE_WHOLE * 10**quote_places:
        raise at.key("price").fail(f"must be above 0 and below {MAX_PRICE_WHOLE} quote units")
    return AssetTerms(price, _tiers(value["haircut"], asset_places, at.key("haircut")))


def _tiers(value, places: int, at: _At) -> tuple[tuple[int | None, int], ...]:
    """Tiers [upper, rate]: uppers strictly increasing, only the last null; rates not increasing."""
    entries = _list(value, 1, MAX_TIERS, at)
    tiers, previous_upper, previous_rate = [], 0, BP
    for i, entry in enumerate(entries):
        upper, rate = _tier(entry, places, i == len(entries) - 1, at.index(i))
        if upper is not None and upper <= previous_upper:
            raise at.index(i).fail("tier bounds must increase (the first above 0)")
        if rate > previous_rate:
            raise at.index(i).fail("rates must not increase")
        tiers.append((upper, rate))
        previous_upper, previous_rate = upper, rate
    return tuple(tiers)


def _tier(entry, places: int, last: bool, at: _At) -> tuple[int | None, int]:
    if not isinstance(entry, list) or len(entry) != 2:
        raise at.fail('must be a pair [upper, rate], e.g. ["10", "95"] or [null, "50"]')
    upper, rate = entry
    if (upper is None) != last:
        raise at.index(0).fail("the last tier's bound must be null, and only the last's")
    if upper is not None:
        upper = _fixed(upper, places, at.index(0))
        if upper >> MAX_UPPER_BITS:
            raise at.index(0).fail(f"must be below 2^{MAX_UPPER_BITS} base units")
    return upper, _percent(rate, 0, BP, at.index(1))


def _scenarios(value, assets: set[str], at: _At) -> tuple[Scenario, ...]:
    entries = _list(value, 0, MAX_SCENARIOS, at)
    scenarios = tuple(_scenario(s, assets, at.index(i)) for i, s in enumerate(entries))
    seen = set()
    for i, scenario in enumerate(scenarios):
        if scenario.name in seen:
            raise at.index(i).key("name").fail(f"scenario {scenario.name!r} appears twice")
        seen.add(scenario.name)
    return scenarios


def _scenario(value, assets: set[str], at: _At) -> Scenario:
    _object(value, ("name", "shock_percent"), at)
    name = _name(value["name"], at.key("name"))
    if name == BASE:
        raise at.key("name").fail(f"{BASE!r} is the unshocked prices' name, reserved")
    shocks = value["shock_percent"]
    if not isinstance(shocks, dict):
        raise at.key("shock_percent").fail("must be a JSON object")
    factors = {}
    for asset in sorted(shocks):
        where = at.key("shock_percent").key(asset)
        if asset not in assets:
            raise where.fail("not an asset of this file")
        shock = _percent(shocks[asset], MIN_SHOCK_BP, MAX_SHOCK_BP, where, signed=True)
        if shock:  # a zero shock is the asset unshocked: one form per scenario (§6.12.2)
            factors[asset] = BP + shock
    return Scenario(name, factors)


def read_strict_json(path):
    """A small JSON file, strictly: a regular file (fsutil.open_regular: never blocks on a
    FIFO) of at most MAX_FILE_BYTES, UTF-8, no duplicate keys. Unlike zksolv/strictjson,
    which refuses them outright, floats, NaN, Infinity and long integers become JsonNumber,
    which every field then refuses by name: a price written 97000.0 is reported at its field."""
    with open_regular(path, "the market file") as f:
        data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{path}: larger than {MAX_FILE_BYTES} bytes")
    return _decode_strict(data, str(path))


def _decode_strict(data: bytes, source: str):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if _depth(text) > MAX_DEPTH:  # json's C decoder recurses: deep input can crash the process
        raise InputError(f"{source}: JSON nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates,
                          parse_float=JsonNumber, parse_constant=JsonNumber, parse_int=_int)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}: not valid JSON: {exc}") from None
    except _Refused as exc:
        raise InputError(f"{source}: {exc}") from None


# A string, or an unterminated one up to the end: every `"` starts a match that cannot back
# off, so the scan is linear on any input (no restarts inside an unterminated string).
_STRING = re.compile(r'"(?:[^"\\]|\\.?)*+(?:"|\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _depth(text: str) -> int:
    """The deepest nesting of arrays and objects, outside strings (an upper bound when the
    text is not valid JSON, which json.loads refuses anyway)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


class _Refused(Exception):
    """Valid JSON that a strict zksolv input refuses (raised inside json's hooks)."""


class JsonNumber:
    """A JSON float, NaN, Infinity or over-long integer, kept as its text. No field accepts it
    (every field checks its type), so it is refused with the field's name in the message."""

    def __init__(self, text: str):
        self.text = text


def _no_duplicates(pairs):
    doc = {}
    for key, value in pairs:
        if key in doc:
            raise _Refused(f"duplicate key {json.dumps(key)}")
        doc[key] = value
    return doc


def _int(text: str):
    return JsonNumber(text) if len(text) > 20 else int(text)
