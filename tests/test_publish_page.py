"""The published page's markup (issue 13 item 2): every string from an attestation is
escaped — an attestation is untrusted input, so no field can add an element, an attribute
or end a script — and the embedded manifests stay the same JSON."""

import json
from html.parser import HTMLParser
from pathlib import Path

from zksolv.site import facts, page
from zksolv.site.markup import el, json_data

HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>&amp;\u2028'


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def _elements(text: str) -> list:
    p = _Elements()
    p.feed(text)
    return p.elements


def _hostile_round() -> facts.Round:
    wallet = facts.Wallet(HOSTILE, HOSTILE, "1.5", HOSTILE)
    margin = facts.Margin(capacity=4, firm_percent="100", min_collateral_percent=HOSTILE, quote=HOSTILE,
                          scenarios=[("base", {}), (HOSTILE, {HOSTILE: HOSTILE})],
                          prices=[(HOSTILE, HOSTILE, [[HOSTILE, HOSTILE], [None, HOSTILE]])])
    return facts.Round(directory=HOSTILE, attestation_id=HOSTILE, timestamp=HOSTILE, digest=HOSTILE,
                       previous=HOSTILE, version=2, circuits=HOSTILE, exchange=HOSTILE,
                       chains={HOSTILE: {"height": HOSTILE, "hash": HOSTILE}}, wallets_checked=1,
                       assets=[facts.Asset(HOSTILE, 8, 4, "105", [wallet])], margin=margin)


def test_no_field_of_an_attestation_can_add_markup():
    r = _hostile_round()
    manifest = json.dumps({"attestation_id": HOSTILE, "x": "</script><script>alert(3)</script>"})
    text = page.build([r], [manifest], "verify", HOSTILE)
    clean = page.build([_plain_round()], ["{}"], "verify", "1")
    assert sorted({t for t, _ in _elements(text)}) == sorted({t for t, _ in _elements(clean)})
    scripts = [a for t, a in _elements(text) if t == "script"]
    assert scripts == [{"type": "application/json", "class": "zksolv-manifest", "data-digest": HOSTILE,
                        "data-round": HOSTILE, "data-timestamp": HOSTILE}, {"src": "assets/zksolv-page.js"}]
    assert not any(name.startswith("on") for _, a in _elements(text) for name in a)
    assert "<img" not in text and "<script>alert" not in text


def _plain_round() -> facts.Round:
    r = _hostile_round()
    for a in r.assets:
        a.wallets = [facts.Wallet("bitcoin", "bc1q", "1", None)]
    return r


def test_embedded_json_cannot_end_its_element_and_means_the_same():
    doc = {"id": "</script><!-- <script>", "amp": "a&b>c", "n": 12345678901234567890}
    raw = json_data({"id": "m"}, json.dumps(doc, ensure_ascii=False)).text
    body = raw[raw.index(">") + 1:-len("</script>")]
    assert "<" not in body and ">" not in body and "&" not in body
    assert json.loads(body) == doc


def test_el_escapes_text_and_attribute_values():
    assert el("p", {"title": '"x"'}, "<b>").text == '<p title="&quot;x&quot;">&lt;b&gt;</p>'


def test_the_chart_draws_one_marked_series_per_asset_and_the_firm(tmp_path):
    rounds = [_plain_round(), _plain_round()]
    rounds[0].assets[0].name = rounds[1].assets[0].name = "BTC"
    rounds[1].assets[0].coverage_percent = None
    text = page.build(rounds, ["{}", "{}"], "verify", "1")
    svg = text[text.index("<svg"):text.index("</svg>")]
    assert svg.count('class="series"') == 2                           # BTC and firm-wide
    assert "circle: BTC ≥ 100 %" in svg and "square: firm-wide ≥ 100 %" in svg
    table = text[text.index("The same figures as a table"):]
    assert "≥ 105 %" in table and "≥ 100 %" in table


def test_the_shipped_page_script_is_the_bundle_its_record_names():
    """The page's script is built from zksolv/web/js and site/page.js (zksolv/web/bundle):
    a source changed since the bundle was built fails here; rebuild it (README)."""
    import hashlib

    web = Path(__file__).resolve().parent.parent / "zksolv" / "web"
    record = json.loads((web / "site" / "BUNDLE.json").read_text())
    output = (web / record["output"]["file"]).read_bytes()
    assert (len(output), hashlib.sha256(output).hexdigest()) == (record["output"]["bytes"], record["output"]["sha256"])
    stale = [p for p, h in record["inputs"].items() if hashlib.sha256((web / p).read_bytes()).hexdigest() != h]
    assert not stale, f"rebuild the page bundle (node zksolv/web/bundle/build.mjs): changed since: {stale}"
    lock = json.loads((web / "bundle" / "package-lock.json").read_text())["packages"]["node_modules/esbuild-wasm"]
    assert record["bundler"] == {"name": "esbuild-wasm", "version": lock["version"], "integrity": lock["integrity"]}
    assert set(record["inputs"]) >= {"site/page.js", "js/inclusion.js", "vendor/noble-curves/secp256k1.js"}
