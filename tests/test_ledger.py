"""Exact amounts and the streamed ledger: every malformed input is a one-line InputError
naming the file, line and field (DESIGN §4)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zksolv.amounts import format_amount, parse_amount
from zksolv.errors import InputError
from zksolv.ledger import read_ledger

DECIMALS = {"BTC": 8, "ETH": 18, "JPY": 0}
BITS = {"BTC": 64, "ETH": 128, "JPY": 64}


@pytest.mark.parametrize("text,decimals,units", [
    ("1234.5", 2, 123450), ("0", 8, 0), ("0.00000001", 8, 1), ("21000000", 8, 2_100_000_000_000_000),
    ("1.000000000000000001", 18, 10**18 + 1), ("007", 0, 7), ("5.", 2, None),
])
def test_parse_amount(text, decimals, units):
    if units is None:
        with pytest.raises(InputError):
            parse_amount(text, decimals)
    else:
        assert parse_amount(text, decimals) == units


@pytest.mark.parametrize("text,match", [
    ("-1", "negative"), ("1e5", "plain decimal"), ("1.2.3", "plain decimal"), ("", "plain decimal"),
    (" 1", "plain decimal"), ("1,5", "plain decimal"), ("0x10", "plain decimal"), ("1.123", "3 decimals"),
    ("NaN", "plain decimal"), ("١٢", "plain decimal"),
])
def test_parse_amount_rejects(text, match):
    with pytest.raises(InputError, match=match):
        parse_amount(text, 2)


@given(st.integers(min_value=0, max_value=2**128), st.integers(min_value=0, max_value=30))
def test_format_parse_round_trip(units, decimals):
    assert parse_amount(format_amount(units, decimals), decimals) == units


def _ledger(tmp_path, text: str, name="ledger.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(path)


def test_streams_valid_rows(tmp_path):
    path = _ledger(tmp_path, "user_id,asset,amount\nalice,BTC,1.5\nbob,ETH,0.000000000000000001\nalice,ETH,2\n")
    rows = list(read_ledger(path, DECIMALS, BITS))
    assert [(r.user_id, r.asset, r.units, r.line) for r in rows] == [
        ("alice", "BTC", 150_000_000, 2), ("bob", "ETH", 1, 3), ("alice", "ETH", 2 * 10**18, 4)]


@pytest.mark.parametrize("body,match", [
    ("", "empty file"),
    ("user,asset,amount\n", "header must be"),
    ("user_id,asset,amount\nalice,BTC\n", ":2: expected 3 fields"),
    ("user_id,asset,amount\nalice,DOGE,1\n", ":2: asset 'DOGE' is not in the reserves"),
    ("user_id,asset,amount\nalice,BTC,-1\n", ":2: amount: '-1': debts need --prices"),
    ("user_id,asset,amount\nalice,BTC,0.000000001\n", ":2: amount: .* 9 decimals"),
    ("user_id,asset,amount\nalice,BTC,1\nbob,BTC,2\nalice,BTC,3\n", ":4: duplicate row .* line 2"),
    ("user_id,asset,amount\n,BTC,1\n", ":2: user_id"),
    ("user_id,asset,amount\nalice,BTC,184467440737.09551616\n", ":2: amount: .* 2\\^64"),
    ("user_id,asset,amount\nalice,JPY,1.0\n", ":2: amount: .* 1 decimals, the asset allows 0"),
    ("user_id,asset,amount\n\"al\"ice\",BTC,1\n", "malformed CSV"),
])
def test_rejects_with_file_and_line(tmp_path, body, match):
    path = _ledger(tmp_path, body)
    with pytest.raises(InputError, match=match) as info:
        list(read_ledger(path, DECIMALS, BITS))
    assert str(info.value).startswith(path)
    assert "\n" not in str(info.value)


def test_rejects_non_utf8_and_missing_file(tmp_path):
    path = _ledger(tmp_path, b"user_id,asset,amount\nal\xffice,BTC,1\n")
    with pytest.raises(InputError, match="not UTF-8"):
        list(read_ledger(path, DECIMALS, BITS))
    with pytest.raises(InputError, match="cannot read"):
        list(read_ledger(str(tmp_path / "missing.csv"), DECIMALS, BITS))


def test_128_bit_leaves_take_large_balances(tmp_path):
    path = _ledger(tmp_path, "user_id,asset,amount\nwhale,ETH,1000000\n")
    assert next(read_ledger(path, DECIMALS, BITS)).units == 10**24


def test_a_margin_ledger_takes_debts_signed_and_exact(tmp_path):
    path = _ledger(tmp_path, "user_id,asset,amount\nalice,BTC,-0.5\nalice,ETH,2\n")
    rows = list(read_ledger(path, DECIMALS, BITS, debts=True))
    assert [(r.user_id, r.asset, r.units) for r in rows] == [("alice", "BTC", -50_000_000), ("alice", "ETH", 2 * 10**18)]


@pytest.mark.parametrize("amount,match", [
    ("--1", "negative amount"), ("-", "plain decimal"), ("- 1", "plain decimal"), ("-1.000000001", "9 decimals"),
    ("-184467440737.09551616", "2\\^64"),
])
def test_a_margin_ledger_still_refuses_malformed_debts(tmp_path, amount, match):
    path = _ledger(tmp_path, f"user_id,asset,amount\nalice,BTC,{amount}\n")
    with pytest.raises(InputError, match=f":2: amount: .*{match}"):
        list(read_ledger(path, DECIMALS, BITS, debts=True))
