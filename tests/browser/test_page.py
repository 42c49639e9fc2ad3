"""The published page in a real browser (issue 13, "Real browser tests in CI"): Debian's
chromium driven by Playwright (its Python package only: no browser download), the site
built by `zksolv publish` and loaded over file://, as a customer who downloaded it would.

Every test records every request the page makes and allows only file:// URLs of the site's
own files. Without a browser these tests skip, unless ZKSOLV_REQUIRE_BROWSER=1 (.ci/run
sets it), when they fail."""

import json
import os
from pathlib import Path

import pytest

import sitekit
from sitekit import made, site  # noqa: F401 (fixtures)
from test_publish_v2 import MARGIN, margin_site  # noqa: F401 (fixture)

CHROMIUM = os.environ.get("ZKSOLV_CHROMIUM", "/usr/bin/chromium")
BLOCKED = "csp"   # Playwright's failure text for a request the page's CSP stopped
VERDICT = '#result[data-valid="true"], #result[data-valid="false"]'


def _unavailable(message: str):
    if os.environ.get("ZKSOLV_REQUIRE_BROWSER") == "1":
        pytest.fail(f"ZKSOLV_REQUIRE_BROWSER=1 but {message}")
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _unavailable(f"playwright is not installed ({exc})")
    driver = sync_playwright().start()
    try:
        launched = driver.chromium.launch(executable_path=CHROMIUM)
    except Exception as exc:  # no browser, or one that cannot start
        driver.stop()
        _unavailable(f"chromium at {CHROMIUM} did not start: {str(exc).splitlines()[0]}")
    yield launched
    launched.close()
    driver.stop()


class Visit:
    """One page of the site in a fresh browser context, every request recorded."""

    def __init__(self, browser, site: Path, width: int = 1100):
        self.site = site
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.requests, self.blocked = [], []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.context.on("requestfailed", lambda r: self.blocked.append(r.url) if r.failure == BLOCKED else None)
        self.page = self.context.new_page()
        self.page.goto((site / "index.html").as_uri())
        self.page.wait_for_selector("html[data-ready=true]")

    def check(self, proof: str, user: str = "", balances: dict | None = None) -> dict:
        self.page.fill("#proof", proof)
        self.page.fill("#user", user)
        for asset, amount in (balances or {}).items():
            self.page.fill(f'input.balance[data-asset="{asset}"]', amount)
        self.page.click("#verify")
        self.page.wait_for_selector(VERDICT)
        return {"valid": self.page.get_attribute("#result", "data-valid"),
                "text": self.page.inner_text("#result")}

    def only_own_files(self) -> None:
        """Every request was for the site's own files, or was stopped by the page's
        Content-Security-Policy before it left the browser (Chromium still reports those)."""
        own = self.site.resolve().as_uri() + "/"
        sent = [u for u in self.requests if u not in self.blocked]
        assert sent and all(u.startswith(own) for u in sent), (self.requests, self.blocked)

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, site):
    v = Visit(browser, site)
    yield v
    v.close()


def test_a_valid_proof_shows_valid_with_the_balances(visit, made, tmp_path):
    doc = made["r3"][2]
    shown = visit.check(json.dumps(doc), sitekit.USER)
    assert shown["valid"] == "true" and "VALID — your balances are counted in round site-r3" in shown["text"]
    for asset, item in doc["assets"].items():
        assert f"{asset}: {item['balance']} — ✓ VALID" in shown["text"]
    screenshots = Path(os.environ.get("ZKSOLV_SCREENSHOT_DIR", tmp_path))
    screenshots.mkdir(parents=True, exist_ok=True)
    visit.page.screenshot(path=str(screenshots / "publish-page.png"), full_page=True)
    visit.only_own_files()


def test_a_flipped_byte_is_invalid(visit, made):
    doc = json.loads(made["r3"][1].read_text())
    asset = sorted(doc["assets"])[0]
    sibling = bytearray.fromhex(doc["assets"][asset]["path"][0][1])   # a sibling's hash
    sibling[7] ^= 0x01
    doc["assets"][asset]["path"][0][1] = sibling.hex()
    shown = visit.check(json.dumps(doc), sitekit.USER)
    assert shown["valid"] == "false" and "✗ INVALID — " in shown["text"]
    assert "does not lead to the attested root" in shown["text"]
    visit.only_own_files()


def test_another_user_is_invalid(visit, made):
    shown = visit.check(made["r3"][1].read_text(), "user-000004")
    assert shown["valid"] == "false" and "user-000004" in shown["text"]
    visit.only_own_files()


def test_a_wrong_balance_is_invalid(visit, made):
    asset, item = sorted(made["r3"][2]["assets"].items())[0]
    shown = visit.check(made["r3"][1].read_text(), sitekit.USER, {asset: item["balance"] + "1"})
    assert shown["valid"] == "false"
    assert f"✗ INVALID — {asset}: the attestation counts {item['balance']}, not {item['balance']}1" in shown["text"]
    visit.only_own_files()


def test_a_proof_of_a_round_not_published_here_is_invalid(visit, made):
    shown = visit.check(made["other"][1].read_text(), sitekit.USER)
    assert shown["valid"] == "false" and "for another attestation" in shown["text"]
    visit.only_own_files()


def test_a_proof_of_an_earlier_round_published_here_is_checked_in_that_round(visit, made):
    shown = visit.check(made["r2"][1].read_text(), sitekit.USER)
    assert shown["valid"] == "true" and "counted in round site-r2" in shown["text"]
    assert "earlier round published here (site-r2); the latest is site-r3" in shown["text"]
    visit.only_own_files()


def test_a_chosen_file_is_checked(visit, made):
    visit.page.set_input_files("#file", str(made["r3"][1]))
    from playwright.sync_api import expect   # (wait_for_function would need eval, which the page's CSP refuses)

    expect(visit.page.locator("#proof")).to_have_value(made["r3"][1].read_text())
    visit.page.click("#verify")
    visit.page.wait_for_selector(VERDICT)
    assert visit.page.get_attribute("#result", "data-valid") == "true"
    visit.only_own_files()


def test_the_automation_contract(visit, made):
    result = visit.page.evaluate(
        """async ([proof, user]) => {
             const manifest = document.querySelectorAll('script.zksolv-manifest');
             return await window.zksolv.verifyInclusion(proof, manifest[manifest.length - 1].textContent,
                                                        {userId: user});
           }""", [made["r3"][1].read_text(), sitekit.USER])
    assert result["valid"] is True and result["reason"] in (None, "")
    assert {a: v["balance"] for a, v in result["assets"].items()} == \
        {a: v["balance"] for a, v in made["r3"][2]["assets"].items()}
    visit.only_own_files()


def test_the_page_cannot_reach_the_network(visit):
    outcome = visit.page.evaluate(
        """async () => {
             const img = document.createElement('img');
             img.src = 'http://127.0.0.1:9/pixel.png';
             document.body.append(img);
             try { await fetch('http://127.0.0.1:9/leak?x=1'); return 'fetched'; }
             catch (e) { return 'refused'; }
           }""")
    visit.page.wait_for_timeout(200)
    assert outcome == "refused" and visit.blocked == ["http://127.0.0.1:9/pixel.png"]
    visit.only_own_files()          # neither the image nor the fetch left the browser


def test_the_page_reads_on_a_phone(browser, site, made):
    v = Visit(browser, site, width=390)
    try:
        shown = v.check(made["r3"][1].read_text(), sitekit.USER)
        assert shown["valid"] == "true"
        assert v.page.evaluate("document.documentElement.scrollWidth") <= 390   # nothing wider than the screen
        v.only_own_files()
    finally:
        v.close()


def test_a_spot_customer_of_a_margin_round(browser, margin_site):
    v = Visit(browser, margin_site)
    try:
        proof = json.loads((MARGIN / "inclusion" / "spot-1.json").read_text())
        shown = v.check(json.dumps(proof), "spot-1")
        assert shown["valid"] == "true" and "counted in round regression-v2" in shown["text"]
        for asset, item in proof["assets"].items():
            assert f"{asset}: {item['balance']} — ✓ VALID" in shown["text"]
        v.only_own_files()
    finally:
        v.close()


def _several(visit, paths, user: str = "") -> dict:
    visit.page.fill("#user", user)
    visit.page.set_input_files("#files", [str(p) for p in paths])
    visit.page.wait_for_selector(VERDICT)
    return {"valid": visit.page.get_attribute("#result", "data-valid"), "text": visit.page.inner_text("#result")}


def test_one_proof_of_each_round_is_checked_round_by_round(visit, made):
    shown = _several(visit, [made[n][1] for n in ("r3", "r1", "r2")])     # any order
    assert shown["valid"] == "true", shown["text"]
    assert f"VALID in each of the 3 rounds given — balances of {sitekit.USER}, oldest first" in shown["text"]
    lines = [t for t in shown["text"].splitlines() if t.startswith("Round ")]
    assert [t.split(" ")[1] for t in lines] == ["site-r1", "site-r2", "site-r3"]
    for t, n in zip(lines, ("r1", "r2", "r3")):
        for asset, item in made[n][2]["assets"].items():
            assert f"{asset} {item['balance']}" in t
    visit.only_own_files()


@pytest.mark.parametrize("names, reason", [
    (("r1", "other"), "not a proof of any round published here"),
    (("r2", "r2"), "a second proof of round site-r2"),
])
def test_several_proofs_that_do_not_pair_with_the_rounds_are_invalid(visit, made, tmp_path, names, reason):
    paths = []
    for k, n in enumerate(names):   # distinct files, even for the same proof twice
        paths.append(tmp_path / f"{k}-{n}.json")
        paths[-1].write_text(made[n][1].read_text())
    shown = _several(visit, paths)
    assert shown["valid"] == "false" and reason in shown["text"]


def test_several_proofs_are_all_for_one_customer(visit, made):
    shown = _several(visit, [made["r1"][1], made["r2"][1]], user="user-000004")
    assert shown["valid"] == "false" and "round site-r1: " in shown["text"] and "user-000004" in shown["text"]


def test_several_proofs_of_two_customers_are_invalid(visit, made, tmp_path):
    from clikit import invoke

    theirs = tmp_path / "r2-user-000004.json"
    outcome = invoke("inclusion", "--state", made["r2"][0].parent / "state.db", "--user", "user-000004",
                     "--out", theirs, "-q")
    assert outcome.code == 0, outcome.stderr
    shown = _several(visit, [made["r1"][1], theirs])   # no user typed: the oldest proof's customer
    assert shown["valid"] == "false" and "round site-r2: " in shown["text"] and sitekit.USER in shown["text"]


ATTESTATION = Path(__file__).resolve().parents[2] / "vectors" / "attestation"


@pytest.fixture(scope="module")
def signed_margin_site(tmp_path_factory):
    """The published-attestation vector (a signed margin round) as `zksolv publish` writes it."""
    from clikit import invoke

    out = tmp_path_factory.mktemp("vector-site") / "site"
    outcome = invoke("publish", ATTESTATION / "round", "--out", out, "-q")
    assert outcome.code == 0, outcome.stderr
    return out


def test_a_margin_customer_sees_their_debt_and_a_phantom_debt_fails(browser, signed_margin_site):
    """The margin customer of the vector (BTC 1.2, a debt of 30000 USDT): VALID with the debt
    shown as one; giving only what they hold fails on the debt they gave no figure for (an
    exchange's phantom debt would lower its liabilities, SPEC §6.16); a changed debt fails."""
    proof = (ATTESTATION / "inclusion" / "margin.json").read_text(encoding="utf-8")
    user = json.loads(proof)["user_id"]
    v = Visit(browser, signed_margin_site)
    try:
        shown = v.check(proof, user)
        assert shown["valid"] == "true", shown["text"]
        assert "USDT: a debt of 30000" in shown["text"] and "BTC: 1.2" in shown["text"]
        shown = v.check(proof, user, {"BTC": "1.2", "USDT": "-30000"})
        assert shown["valid"] == "true", shown["text"]
        shown = v.check(proof, user, {"BTC": "1.2", "USDT": ""})
        assert shown["valid"] == "false" and "debt of 30000, for which you gave no figure" in shown["text"]
        shown = v.check(proof.replace('"-30000"', '"-29000"'), user)
        assert shown["valid"] == "false", shown["text"]
        v.only_own_files()
    finally:
        v.close()
