"""The market-data file (SPEC.md §6.12.1–2): strict parsing, every error named, the
normalized form and its digest, and the published vectors (vectors/market.json)."""

import copy
import hashlib
import json
import os

import pytest

from conftest import VECTORS, load_json
from zksolv.errors import InputError
from zksolv.market import AssetTerms, Scenario, load, parse
from zksolv.market.file import MAX_FILE_BYTES
from zksolv.market.fixed import format_fixed, parse_signed_amount

DECIMALS = {"BTC": 8, "ETH": 18, "USDT": 6}
GOOD = {"quote": "USD", "decimals": 2,
        "assets": {"BTC": {"price": "97000.00", "haircut": [["10", "95"], ["100", "80"], [None, "50"]]},
                   "ETH": {"price": "3600.5", "haircut": [["0.5", "90"], [None, "0"]]},
                   "USDT": {"price": "1.00", "haircut": [[None, "100"]]}},
        "min_collateral_percent": "100",
        "scenarios": [{"name": "crash", "shock_percent": {"BTC": "-40", "ETH": "-33.33", "USDT": "0"}}]}


def _write(tmp_path, doc, name="prices.json") -> str:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return str(path)


def _error(tmp_path, doc, decimals=DECIMALS) -> str:
    path = _write(tmp_path, doc)
    with pytest.raises(InputError) as exc:
        load(path, decimals)
    message = str(exc.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message[len(path) + 2:]


def test_the_good_file_parses_to_the_hand_computed_terms(tmp_path):
    market = load(_write(tmp_path, GOOD), DECIMALS)
    assert (market.quote, market.decimals, market.mu_bp) == ("USD", 2, 10_000)
    assert market.terms == {
        "BTC": AssetTerms(9_700_000, ((10 * 10**8, 9500), (100 * 10**8, 8000), (None, 5000))),
        "ETH": AssetTerms(360_050, ((5 * 10**17, 9000), (None, 0))),
        "USDT": AssetTerms(100, ((None, 10_000),))}
    assert market.scenarios == (Scenario("crash", {"BTC": 6000, "ETH": 6667}),)  # a 0 shock is no shock


def test_the_normalized_form_and_its_digest(tmp_path):
    doc = copy.deepcopy(GOOD)
    doc["assets"]["ETH"]["price"] = "03600.50"
    market = load(_write(tmp_path, doc), DECIMALS)
    canonical = ('{"assets":{"BTC":{"haircut":[["10","95"],["100","80"],[null,"50"]],"price":"97000"},'
                 '"ETH":{"haircut":[["0.5","90"],[null,"0"]],"price":"3600.5"},'
                 '"USDT":{"haircut":[[null,"100"]],"price":"1"}},"decimals":2,'
                 '"min_collateral_percent":"100","quote":"USD",'
                 '"scenarios":[{"name":"crash","shock_percent":{"BTC":"-40","ETH":"-33.33"}}]}')
    tag = b"zksolv/v1/market"
    assert market.digest() == hashlib.sha256(bytes([len(tag)]) + tag + canonical.encode()).digest()
    assert parse(json.loads(canonical), DECIMALS, "manifest") == market


def test_every_attested_asset_needs_terms_and_no_other_asset_is_named(tmp_path):
    market = load(_write(tmp_path, GOOD), DECIMALS)
    market.check_assets({"BTC", "ETH", "USDT"})
    with pytest.raises(InputError, match="no price and haircut for the attested asset XRP"):
        market.check_assets({"BTC", "ETH", "USDT", "XRP"})
    with pytest.raises(InputError, match=r"assets\.USDT: not an attested asset"):
        market.check_assets({"BTC", "ETH"})


def test_coefficients_need_the_decimals_the_file_was_read_with(tmp_path):
    market = load(_write(tmp_path, GOOD), DECIMALS)
    assert market.coefficients(DECIMALS).scale == {"BTC": 10**10, "ETH": 1, "USDT": 10**12}
    with pytest.raises(InputError, match="was read with decimals"):
        market.coefficients({**DECIMALS, "ETH": 9})


def _mutated(path: tuple, value):
    """GOOD with the value at `path` replaced (or deleted when value is DELETE)."""
    doc = copy.deepcopy(GOOD)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


DELETE = object()
BTC = ("assets", "BTC")
MALFORMED = [
    ((), [], "(top level): must be a JSON object"),
    (("quote",), DELETE, "quote: missing"),
    (("extra",), "1", "extra: unknown field"),
    (("quote",), "U SD", "quote: must be a name"),
    (("quote",), 1, "quote: must be a name"),
    (("decimals",), "2", "decimals: must be an integer from 0 to 18"),
    (("decimals",), 19, "decimals: must be an integer from 0 to 18"),
    (("decimals",), True, "decimals: must be an integer from 0 to 18"),
    (("decimals",), -1, "decimals: must be an integer from 0 to 18"),
    (("assets",), [], "assets: must be a JSON object"),
    (("assets", "DOGE"), GOOD["assets"]["USDT"], "assets.DOGE: not an attested asset"),
    (("assets", "ETH"), DELETE, "assets: no price and haircut for the attested asset ETH"),
    (("assets", "a b"), {}, 'assets["a b"]: must be a name'),
    (BTC + ("margin",), "1", "assets.BTC.margin: unknown field"),
    (BTC + ("price",), DELETE, "assets.BTC.price: missing"),
    (BTC + ("price",), 97000, "assets.BTC.price: must be a decimal string"),
    (BTC + ("price",), "-1", "assets.BTC.price: '-1' must not be negative"),
    (BTC + ("price",), "0.00", "assets.BTC.price: must be above 0"),
    (BTC + ("price",), "1e3", "assets.BTC.price: '1e3' is not a plain decimal"),
    (BTC + ("price",), "+1", "assets.BTC.price: '+1' is not a plain decimal"),
    (BTC + ("price",), " 1", "assets.BTC.price: ' 1' is not a plain decimal"),
    (BTC + ("price",), "1.", "assets.BTC.price: '1.' is not a plain decimal"),
    (BTC + ("price",), "97000.001", "assets.BTC.price: '97000.001' has 3 fraction digits"),
    (BTC + ("price",), "1000000000000000", "assets.BTC.price: must be above 0 and below"),
    (BTC + ("price",), "9" * 65, "assets.BTC.price: longer than 64 characters"),
    (BTC + ("haircut",), [], "assets.BTC.haircut: must have 1 to 16 entries"),
    (BTC + ("haircut",), [[str(i), "50"] for i in range(1, 17)] + [[None, "50"]],
     "assets.BTC.haircut: must have 1 to 16 entries"),
    (BTC + ("haircut",), "95", "assets.BTC.haircut: must be a JSON array"),
    (BTC + ("haircut",), [["10"], [None, "50"]], "assets.BTC.haircut[0]: must be a pair"),
    (BTC + ("haircut",), [["10", "95"], ["20", "50"]], "assets.BTC.haircut[1][0]: the last tier's bound must be null"),
    (BTC + ("haircut",), [[None, "95"], [None, "50"]], "assets.BTC.haircut[0][0]: the last tier's bound must be null"),
    (BTC + ("haircut",), [["10", "95"], ["10", "80"], [None, "50"]], "assets.BTC.haircut[1]: tier bounds must increase"),
    (BTC + ("haircut",), [["0", "95"], [None, "50"]], "assets.BTC.haircut[0]: tier bounds must increase"),
    (BTC + ("haircut",), [["10", "80"], ["100", "95"], [None, "50"]], "assets.BTC.haircut[1]: rates must not increase"),
    (BTC + ("haircut",), [["10", "95"], [None, "95.01"]], "assets.BTC.haircut[1]: rates must not increase"),
    (BTC + ("haircut",), [[None, "100.01"]], "assets.BTC.haircut[0][1]: must be from 0 to 100"),
    (BTC + ("haircut",), [[None, "-1"]], "assets.BTC.haircut[0][1]: '-1' must not be negative"),
    (BTC + ("haircut",), [[None, "95.001"]], "assets.BTC.haircut[0][1]: '95.001' has 3 fraction digits"),
    (BTC + ("haircut",), [["0.000000001", "95"], [None, "5"]], "assets.BTC.haircut[0][0]: '0.000000001' has 9"),
    (BTC + ("haircut",), [[str(2**128 // 10**8 + 1), "95"], [None, "5"]], "assets.BTC.haircut[0][0]: must be below 2^128"),
    (BTC + ("haircut",), [[10, "95"], [None, "5"]], "assets.BTC.haircut[0][0]: must be a decimal string"),
    (("min_collateral_percent",), "99.99", "min_collateral_percent: must be from 100 to 10000"),
    (("min_collateral_percent",), "10000.01", "min_collateral_percent: must be from 100 to 10000"),
    (("min_collateral_percent",), "150.5.5", "min_collateral_percent: '150.5.5' is not a plain"),
    (("scenarios",), DELETE, "scenarios: missing"),
    (("scenarios",), {}, "scenarios: must be a JSON array"),
    (("scenarios",), [{"name": f"s{i}", "shock_percent": {}} for i in range(17)],
     "scenarios: must have 0 to 16 entries"),
    (("scenarios", 0, "name"), "base", "scenarios[0].name: 'base' is the unshocked"),
    (("scenarios", 0, "name"), "-crash", "scenarios[0].name: must be a name"),
    (("scenarios", 0, "name"), "x" * 33, "scenarios[0].name: must be a name"),
    (("scenarios",), [{"name": "a", "shock_percent": {}}, {"name": "a", "shock_percent": {}}],
     "scenarios[1].name: scenario 'a' appears twice"),
    (("scenarios", 0, "extra"), 1, "scenarios[0].extra: unknown field"),
    (("scenarios", 0, "shock_percent"), [], "scenarios[0].shock_percent: must be a JSON object"),
    (("scenarios", 0, "shock_percent", "DOGE"), "-5", "scenarios[0].shock_percent.DOGE: not an asset"),
    (("scenarios", 0, "shock_percent", "BTC"), "-100.01", "scenarios[0].shock_percent.BTC: must be from -100 to 10000"),
    (("scenarios", 0, "shock_percent", "BTC"), "10000.01", "scenarios[0].shock_percent.BTC: must be from -100 to 10000"),
    (("scenarios", 0, "shock_percent", "BTC"), "+5", "scenarios[0].shock_percent.BTC: '+5' is not a plain"),
    (("scenarios", 0, "shock_percent", "BTC"), "--5", "scenarios[0].shock_percent.BTC: '--5' is not a plain"),
]


@pytest.mark.parametrize("path,value,expected", MALFORMED, ids=[m[2][:48] for m in MALFORMED])
def test_every_malformed_field_is_named(tmp_path, path, value, expected):
    doc = value if path == () else _mutated(path, value)
    assert _error(tmp_path, doc).startswith(expected)


@pytest.mark.parametrize("text,expected", [
    (json.dumps(GOOD).replace('"decimals": 2', '"decimals": 2.0'), "decimals: must be an integer"),
    (json.dumps(GOOD).replace('"decimals": 2', '"decimals": 1' + "0" * 30), "decimals: must be an integer"),
    (json.dumps(GOOD).replace('"97000.00"', "97000.00"), "assets.BTC.price: must be a decimal string"),
    (json.dumps(GOOD).replace('"97000.00"', "NaN"), "assets.BTC.price: must be a decimal string"),
    (json.dumps(GOOD).replace('"-40"', "-Infinity"), "scenarios[0].shock_percent.BTC: must be a decimal string"),
    (json.dumps(GOOD).replace('"quote": "USD"', '"quote": "USD", "quote": "EUR"'), 'duplicate key "quote"'),
    (json.dumps(GOOD).replace('"BTC": {', '"BTC": {"price": "1", '), 'duplicate key "price"'),
    ("[" * 100_000 + "]" * 100_000, "JSON nested deeper than 16 levels"),
    ("[" * 17 + "]" * 17, "JSON nested deeper than 16 levels"),
    ('"' + '\\"' * 100_000, "not valid JSON"),  # an unterminated string: scanned in linear time
    ('["[[[[[[[[[[[[[[[[[[[", ' + "[" * 15 + "]" * 16, "(top level): must be a JSON object"),
    ('{"quote": "USD",}', "not valid JSON"),
    ("", "not valid JSON"),
    (json.dumps(GOOD).replace('"decimals": 2', '"decimals": ' + "9" * 5000), "decimals: must be an integer"),
])
def test_json_that_is_not_strict_is_refused_with_its_field(tmp_path, text, expected):
    assert _error(tmp_path, text).startswith(expected)


def test_text_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "prices.json"
    path.write_bytes(json.dumps(GOOD).encode().replace(b"USD", b"US\xff"))
    with pytest.raises(InputError, match="not UTF-8 text"):
        load(path, DECIMALS)


def test_a_file_beyond_the_size_bound_is_refused_unread(tmp_path):
    text = json.dumps(GOOD)
    path = _write(tmp_path, text + " " * (MAX_FILE_BYTES - len(text)))
    load(path, DECIMALS)  # exactly at the bound: fine
    assert _error(tmp_path, text + " " * (MAX_FILE_BYTES - len(text) + 1)).startswith("larger than")


def test_a_fifo_or_directory_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        load(fifo, DECIMALS)
    with pytest.raises(InputError, match="not a regular file"):
        load(tmp_path, DECIMALS)
    with pytest.raises(InputError, match="cannot read the market file"):
        load(tmp_path / "missing.json", DECIMALS)


@pytest.mark.parametrize("text,places,units", [
    ("-0.5", 8, -50_000_000), ("0.5", 8, 50_000_000), ("-0", 2, 0), ("007.10", 2, 710), ("-12", 0, -12),
])
def test_signed_amounts_are_exact(text, places, units):
    assert parse_signed_amount(text, places) == units


@pytest.mark.parametrize("text", ["−1", "- 1", "1-", "-.5", "--1", "-1e2", "-0.123", "", "-"])
def test_malformed_signed_amounts_are_refused(text):
    with pytest.raises(InputError):
        parse_signed_amount(text, 2)


@pytest.mark.parametrize("units,places,text", [(-5, 2, "-0.05"), (0, 2, "0"), (1200, 2, "12"), (-7, 0, "-7")])
def test_fixed_point_values_have_one_shortest_spelling(units, places, text):
    assert format_fixed(units, places) == text


def test_the_example_file_is_shipped_and_valid():
    from importlib import resources
    text = resources.files("zksolv.market").joinpath("example-prices.json").read_text("utf-8")
    market = parse(json.loads(text), DECIMALS, "example-prices.json")
    assert [s.name for s in market.scenarios] == ["crash", "rally"]


def _vectors():
    doc = load_json(VECTORS / "market.json")
    assert doc["numberOfTests"] == len(doc["tests"]) > 0
    return [pytest.param(t, id=f"{t['tc_id']}-{t['result']}") for t in doc["tests"]]


@pytest.mark.parametrize("case", _vectors())
def test_market_vectors(tmp_path, case):
    """vectors/market.json: valid files give their digest and coefficients; invalid ones
    give an InputError naming the field."""
    path = _write(tmp_path, case["text"])
    if case["result"] == "invalid":
        with pytest.raises(InputError) as exc:
            load(path, case["decimals"])
        assert str(exc.value).startswith(f"{path}: {case['error']}")
        return
    market = load(path, case["decimals"])
    assert market.to_json() == case["normalized"]
    assert parse(case["normalized"], case["decimals"], "manifest") == market  # normalizing is idempotent
    assert market.digest().hex() == case["digest"]
    coeffs = market.coefficients(case["decimals"])
    assert list(coeffs.scenarios) == case["scenarios"]
    assert [{a: [str(c) for c in t] for a, t in s.items()} for s in coeffs.collateral] == case["collateral"]
    assert [{a: str(c) for a, c in s.items()} for s in coeffs.debt] == case["debt"]


def test_the_example_file_is_package_data():
    """A regular (non-editable) install ships only the data pyproject.toml lists."""
    import tomllib
    from conftest import ROOT
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "example-prices.json" in config["package-data"]["zksolv.market"]
