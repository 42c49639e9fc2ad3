"""The proofs against the independent plain-integer reference (issue 11; SPEC.md §6.12.5): on
small random margin ledgers, with prove's own refusal switched off, the honest prover
completes (and verify accepts) exactly when reference.evaluate says every statement holds."""

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from marginkit import options, write_inputs
from roundkit import QUIET
from zksolv.attestation import margin, prove, verify
from zksolv.errors import InputError, Insolvent
from zksolv.market import evaluate, load
from zksolv.market.reference import partition

AMOUNTS = {"BTC": st.sampled_from(["0.5", "2", "12", "-0.01"]),
           "USDT": st.sampled_from(["1000", "60000", "-1000", "-20000", "-90000"])}


@st.composite
def ledgers(draw):
    rows = []
    for i in range(draw(st.integers(1, 3))):
        for asset in draw(st.sets(st.sampled_from(sorted(AMOUNTS)), min_size=1)):
            rows.append((f"u{i}", asset, draw(AMOUNTS[asset])))
    return rows, draw(st.sampled_from([95, 110, 110]))


def reference_ok(ledger, reserves_path, market_path) -> bool:
    from zksolv import reserves as reserves_module
    from zksolv.ledger import read_ledger
    res = reserves_module.load(reserves_path)
    accounts = {}
    for row in read_ledger(ledger, res.decimals, res.leaf_bits, debts=True):
        accounts.setdefault(row.user_id, {})[row.asset] = row.units
    held, spot = partition(accounts)
    market = load(market_path, res.decimals)
    return evaluate(held, spot, {a: r.total for a, r in res.assets.items()}, market, res.decimals).ok


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers())
@example(([("u0", "BTC", "2"), ("u0", "USDT", "-20000"), ("u1", "USDT", "1000")], 110))   # holds
@example(([("u0", "BTC", "0.5"), ("u0", "USDT", "-90000")], 110))                          # refused
def test_the_prover_completes_iff_the_reference_says_every_statement_holds(case):
    rows, percent = case
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        mp.setattr(margin, "refuse_unless_sound", lambda rnd, path: None)
        d = Path(tmp)
        ledger, reserves, market = write_inputs(d, rows, reserve_percent=percent)
        expected = reference_ok(ledger, reserves, market)
        try:
            prove.run(ledger, reserves, d / "out", d / "st.db", options(prices=str(market), coverage_percent=None),
                      QUIET)
            proved = True
        except (Insolvent, InputError) as exc:
            assert "not in [0, 2^" in str(exc) or "under-collateralized" in str(exc)
            proved = False
        assert proved == expected
        if proved:
            verify.verify(d / "out")

