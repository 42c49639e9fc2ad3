"""`zksolv publish` of version-2 rounds (issue 13 item 2): a margin round's statements and
market (the frozen round of vectors/regression/v2), and a round signed by its exchange, whose
signature is published beside the manifest and embedded for the customer's check."""

import html
import json
import shutil
from html.parser import HTMLParser

import pytest

import custodykit
from clikit import invoke, one_error_line
from conftest import VECTORS
from zksolv import demo

MARGIN = VECTORS / "regression" / "v2"


@pytest.fixture(scope="module")
def margin_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("margin-site") / "site"
    outcome = invoke("publish", MARGIN / "attestation", "--out", out, "--audit", "-q")
    assert outcome.code == 0, outcome.stderr
    return out


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """A version-2 round proved with --sign-with; (attestation directory, exchange address)."""
    d = tmp_path_factory.mktemp("signed")
    key_path, key = custodykit.key_file(d / "exchange.key")
    doc = custodykit.document("publish-signed", demo.write_ledger(d / "ledger.csv", 6), key)
    custodykit.write(d / "reserves.json", doc)
    out = invoke("prove", "--ledger", d / "ledger.csv", "--reserves", d / "reserves.json", "--out", d / "att",
                 "--state", d / "state.db", "--sign-with", key_path, "--chunk", "4", "--workers", "1", "--json")
    assert out.code == 0, out.stderr
    return d / "att", json.loads(out.stdout)["signed_by"]


def test_a_margin_round_states_the_firm_wide_and_per_account_statements(margin_site):
    text = html.unescape((margin_site / "index.html").read_text())
    assert "Firm-wide, at the round's prices: </strong>reserves ≥ 100 % of net customer liabilities valued in USD" in text
    assert "Firm-wide, in the scenario crash (BTC -40 %, ETH -50 %): </strong>reserves ≥ 100 %" in text
    assert "✓ Every margin account: </strong>collateral after haircuts ≥ 110 % of its debts" in text
    assert "0–10 BTC: 95 %; 10–100 BTC: 80 %; above 100 BTC: 50 %" in text
    assert "<li>crash: BTC -40 %, ETH -50 %</li>" in text
    assert "diamond: firm-wide ≥ 100 %" in text   # the chart's fourth series, after BTC, ETH and USDT
    assert sorted(p.name for p in (margin_site / "attestation").iterdir()) == \
        sorted(p.name for p in (MARGIN / "attestation").iterdir())


def test_a_signed_round_publishes_and_embeds_its_exchange_signature(signed, tmp_path):
    att, address = signed
    assert invoke("publish", att, "--out", tmp_path / "s", "-q").code == 0
    copied = tmp_path / "s" / "attestation" / "exchange-signature.json"
    assert copied.read_bytes() == (att / "exchange-signature.json").read_bytes()
    text = (tmp_path / "s" / "index.html").read_text()
    assert f"Exchange {address}" in text and "the exchange&#x27;s signature over this round" in text
    embedded = _json_elements(text)
    digest = json.loads((att / "exchange-signature.json").read_text())["message"].rsplit(":", 1)[1]
    assert [(a["class"], a["data-digest"]) for a, _ in embedded] == \
        [("zksolv-manifest", digest), ("zksolv-signature", digest)]
    assert json.loads(embedded[1][1]) == json.loads(copied.read_text())


def test_a_version_two_round_without_its_signature_is_not_published(signed, tmp_path):
    att = tmp_path / "att"
    shutil.copytree(signed[0], att)
    (att / "exchange-signature.json").unlink()
    outcome = invoke("publish", att, "--out", tmp_path / "s")
    assert outcome.code == 1 and one_error_line(outcome) and not (tmp_path / "s").exists()


def _json_elements(text: str) -> list:
    found = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "script" and dict(attrs).get("type") == "application/json":
                found.append([dict(attrs), ""])

        def handle_data(self, data):
            if found and self.lasttag == "script":
                found[-1][1] += data
    Parser().feed(text)
    return found
