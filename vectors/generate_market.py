"""Regenerate vectors/market.json: market-data files (SPEC.md §6.12), deterministically.

    python vectors/generate_market.py            # rewrite vectors/market.json
    python vectors/generate_market.py --check    # exit 1 if it would change

Valid files come with their normalized form, digest and coefficient tables; invalid ones with
the field and message an implementation must refuse them with. Random files draw from
zksolv's keyed nonce stream under a public seed, so the output is byte-identical on every run.
(To be folded into vectors/generate.py.)
"""

import argparse
import hashlib
import json
import pathlib
import sys
import tempfile

from zksolv.errors import InputError
from zksolv.market import load
from zksolv.roundkeys import NonceStream

FORMAT_VERSION = 1
SEED = b"zksolv vectors v1 market"
OUT = pathlib.Path(__file__).resolve().parent / "market.json"
ASSETS = ("BTC", "ETH", "USDT", "SOL", "XRP")
DECIMALS = {"BTC": 8, "ETH": 18, "USDT": 6, "SOL": 9, "XRP": 6}
EXAMPLE = {"quote": "USD", "decimals": 2,
           "assets": {"BTC": {"price": "97000.00", "haircut": [["10", "95"], ["100", "80"], [None, "50"]]},
                      "USDT": {"price": "1.00", "haircut": [[None, "100"]]}},
           "min_collateral_percent": "100",
           "scenarios": [{"name": "crash", "shock_percent": {"BTC": "-40", "USDT": "-0.5"}}]}
# (comment, flag, replace this text of EXAMPLE's JSON, by this, the error an implementation gives)
INVALID = [
    ("rates increase", "TierOrder", '["100", "80"]', '["100", "96"]', "assets.BTC.haircut[1]: rates must not increase"),
    ("bounds do not increase", "TierOrder", '["100", "80"]', '["10", "80"]', "assets.BTC.haircut[1]: tier bounds must increase"),
    ("last bound not null", "TierShape", '[null, "50"]', '["1000", "50"]', "assets.BTC.haircut[2][0]: the last tier's bound must be null"),
    ("rate above 100", "Range", '[null, "100"]', '[null, "100.01"]', "assets.USDT.haircut[0][1]: must be from 0 to 100"),
    ("bound finer than the asset's decimals", "Decimals", '["10", "95"]', '["0.000000001", "95"]', "assets.BTC.haircut[0][0]: '0.000000001' has 9 fraction digits"),
    ("price as a JSON number", "NotAString", '"97000.00"', "97000.00", "assets.BTC.price: must be a decimal string"),
    ("price zero", "Range", '"1.00"', '"0"', "assets.USDT.price: must be above 0"),
    ("price with an exponent", "NotDecimal", '"97000.00"', '"9.7e4"', "assets.BTC.price: '9.7e4' is not a plain decimal number"),
    ("price finer than the quote", "Decimals", '"97000.00"', '"97000.001"', "assets.BTC.price: '97000.001' has 3 fraction digits"),
    ("minimum below 100 %", "Range", '"min_collateral_percent": "100"', '"min_collateral_percent": "99"', "min_collateral_percent: must be from 100 to 10000"),
    ("shock below -100 %", "Range", '"-40"', '"-101"', "scenarios[0].shock_percent.BTC: must be from -100 to 10000"),
    ("shock of an unknown asset", "UnknownAsset", '"USDT": "-0.5"', '"DOGE": "-0.5"', "scenarios[0].shock_percent.DOGE: not an asset of this file"),
    ("scenario named base", "Reserved", '"crash"', '"base"', "scenarios[0].name: 'base' is the unshocked prices' name, reserved"),
    ("unknown field", "ExtraField", '"quote": "USD"', '"quote": "USD", "note": "x"', "note: unknown field"),
    ("duplicate key", "DuplicateKey", '"quote": "USD"', '"quote": "USD", "quote": "EUR"', 'duplicate key "quote"'),
    ("asset not attested", "UnknownAsset", '"USDT": {"price"', '"DOGE": {"price"', "assets.DOGE: not an attested asset"),
]
NOTES = {
    "TierOrder": "haircut tiers whose bounds do not increase or whose rates increase",
    "TierShape": "a tier table whose last bound is not null (or another is)",
    "Range": "a price, rate, minimum or shock outside its range",
    "Decimals": "more fraction digits than the field allows",
    "NotAString": "a JSON number where a decimal string is required",
    "NotDecimal": "a string that is not a plain decimal",
    "UnknownAsset": "an asset that is not attested, or not in the file",
    "Reserved": "the scenario name base",
    "ExtraField": "a field the format does not have",
    "DuplicateKey": "a key twice in one object",
}


def _draw(rng: NonceStream, low: int, high: int) -> int:
    """An integer in [low, high] (the stream's 256-bit values make the bias negligible)."""
    return low + rng() % (high - low + 1)


def _decimal(units: int, places: int) -> str:
    whole, fraction = divmod(units, 10**places)
    return f"{whole}.{fraction:0{places}d}" if places else str(whole)


def _random_tiers(rng: NonceStream, places: int) -> list:
    tiers, upper, rate = [], 0, _draw(rng, 0, 10_000)
    for _ in range(_draw(rng, 0, 3)):
        upper += _draw(rng, 1, 10**(places + 3))
        tiers.append([_decimal(upper, places), _decimal(rate, 2)])
        rate = _draw(rng, 0, rate)
    return tiers + [[None, _decimal(rate, 2)]]


def _random_market(rng: NonceStream) -> tuple[dict, dict]:
    assets = [a for a in ASSETS if rng() % 2] or ["BTC"]
    quote_places = _draw(rng, 0, 8)
    doc = {"quote": "USD", "decimals": quote_places,
           "assets": {a: {"price": _decimal(_draw(rng, 1, 10**(quote_places + 6)), quote_places),
                          "haircut": _random_tiers(rng, DECIMALS[a])} for a in assets},
           "min_collateral_percent": _decimal(_draw(rng, 10_000, 30_000), 2),
           "scenarios": [{"name": f"s{i}", "shock_percent": {
               a: _decimal(_draw(rng, 0, 20_000), 2) if rng() % 2 else "-" + _decimal(_draw(rng, 0, 10_000), 2)
               for a in assets if rng() % 2}} for i in range(_draw(rng, 0, 3))]}
    return doc, {a: DECIMALS[a] for a in assets}


def _valid(comment: str, text: str, decimals: dict, tmp: pathlib.Path) -> dict:
    path = tmp / "prices.json"
    path.write_text(text, encoding="utf-8")
    market = load(path, decimals)
    coeffs = market.coefficients(decimals)
    return {"comment": comment, "result": "valid", "flags": [], "text": text, "decimals": decimals,
            "normalized": market.to_json(), "digest": market.digest().hex(),
            "scenarios": list(coeffs.scenarios),
            "collateral": [{a: [str(c) for c in t] for a, t in s.items()} for s in coeffs.collateral],
            "debt": [{a: str(c) for a, c in s.items()} for s in coeffs.debt]}


def _invalid(entry, tmp: pathlib.Path) -> dict:
    comment, flag, old, new, error = entry
    base = json.dumps(EXAMPLE)
    if base.count(old) != 1:
        raise SystemExit(f"vector {comment!r}: {old!r} is not unique in the example")
    text = base.replace(old, new)
    path = tmp / "prices.json"
    path.write_text(text, encoding="utf-8")
    decimals = {"BTC": 8, "USDT": 6}
    try:
        load(path, decimals)
    except InputError as exc:
        if not str(exc).startswith(f"{path}: {error}"):
            raise SystemExit(f"vector {comment!r}: expected {error!r}, got {exc}") from None
        return {"comment": comment, "result": "invalid", "flags": [flag], "text": text,
                "decimals": decimals, "error": error}
    raise SystemExit(f"vector {comment!r}: the file was accepted")


def render() -> str:
    rng = NonceStream(hashlib.sha256(SEED).digest())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        tests = [_valid("the example of SPEC.md §6.12.1", json.dumps(EXAMPLE), {"BTC": 8, "USDT": 6}, tmp)]
        for i in range(8):
            doc, decimals = _random_market(rng)
            tests.append(_valid(f"random market {i}", json.dumps(doc), decimals, tmp))
        tests += [_invalid(entry, tmp) for entry in INVALID]
    for i, t in enumerate(tests, 1):
        t["tc_id"] = i
    doc = {"algorithm": "zksolv market data (SPEC.md §6.12)", "format_version": FORMAT_VERSION,
           "generator": "vectors/generate_market.py", "notes": NOTES, "numberOfTests": len(tests),
           "tests": tests}
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if vectors/market.json would change")
    args = parser.parse_args()
    text = render()
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else None
        return 0 if current == text else 1
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
