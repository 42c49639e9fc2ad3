"""`zksolv publish` (issue 13 items 1–2): the site it writes, what it refuses and in which
order (README "Publishing a round"; SPEC.md §8 paths, writes and exit codes)."""

import json
import os
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

import sitekit
from sitekit import made, site  # noqa: F401 (fixtures)
from clikit import DOCUMENTED_EXITS, invoke, leftovers, one_error_line


def _refused(outcome, code: int) -> str:
    assert outcome.code == code and one_error_line(outcome), outcome
    return outcome.stderr


class _Page(HTMLParser):
    """Every element and attribute of a page, and the text of its JSON data elements."""

    def __init__(self):
        super().__init__()
        self.tags, self.data, self._in_data = [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script" and dict(attrs).get("type") == "application/json":
            self._in_data = dict(attrs)
            self.data.append([self._in_data, ""])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_data = None

    def handle_data(self, data):
        if self._in_data is not None:
            self.data[-1][1] += data


def _parse(text: str) -> _Page:
    p = _Page()
    p.feed(text)
    return p


def test_the_site_holds_the_page_its_script_and_the_round_public_files(made, site):
    assert sorted(p.name for p in (site / "attestation").iterdir()) == sorted(p.name for p in made["r3"][0].iterdir())
    for f in made["r3"][0].iterdir():
        assert (site / "attestation" / f.name).read_bytes() == f.read_bytes()
    for k, name in ((1, "r1"), (2, "r2")):
        [folder] = (site / "rounds").glob(f"{k:03d}-*")
        assert (folder / "manifest.json").read_bytes() == (made[name][0] / "manifest.json").read_bytes()
    assert (site / "assets" / "zksolv-page.js").read_bytes() == \
        (Path(__file__).parent.parent / "zksolv/web/site/zksolv-page.js").read_bytes()
    assert "MIT" in (site / "assets" / "THIRD-PARTY-LICENSES.txt").read_text()


def test_the_page_states_what_was_proven_round_by_round(made, site):
    text = (site / "index.html").read_text()
    assert "site-r3" in text and made["r3"][2]["manifest"] in text and made["r2"][2]["manifest"] in text
    for asset in made["r3"][2]["assets"]:
        assert f"{asset}: </strong>reserves ≥ 110 % of what customers hold — proven" in text
    assert "Not checked when this page was made: the audit files" in text
    assert "3 rounds, oldest first" in text
    table = text[text.index("The same figures as a table"):]
    assert table.count("≥ 100 %") == 3 and table.count("≥ 105 %") == 3 and table.count("≥ 110 %") == 3


def test_every_round_manifest_is_embedded_as_inert_json_with_its_digest(made, site):
    page = _parse((site / "index.html").read_text())
    assert [(a["data-round"], a["data-digest"]) for a, _ in page.data] == \
        [(f"site-{n}", made[n][2]["manifest"]) for n in ("r1", "r2", "r3")]
    for (_, text), n in zip(page.data, ("r1", "r2", "r3")):
        assert json.loads(text) == json.loads((made[n][0] / "manifest.json").read_text())


def test_the_page_loads_nothing_but_its_own_files_under_a_policy_that_forbids_the_rest(site):
    page = _parse((site / "index.html").read_text())
    links = [a.get("src") or a.get("href") for _, a in page.tags if a.get("src") or a.get("href")]
    assert links and all(":" not in u and not u.startswith("/") for u in links), links
    assert [a["src"] for t, a in page.tags if t == "script" and "src" in a] == ["assets/zksolv-page.js"]
    assert all(a.get("type") == "application/json" for t, a in page.tags if t == "script" and "src" not in a)
    [policy] = [a["content"] for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"]
    rules = dict((r.split()[0], r.split()[1:]) for r in policy.split("; "))
    assert rules["default-src"] == ["'none'"] and rules["connect-src"] == ["'none'"]
    assert rules["script-src"] == ["'self'"] and rules["style-src"] == ["'self'"]
    assert (site / "assets" / "style.css").read_text().count("url(") == 0   # no font or image fetched


def test_json_output(made, tmp_path):
    outcome = invoke("publish", made["r1"][0], "--out", tmp_path / "s", "--json")
    assert outcome.code == 0, outcome.stderr
    result = json.loads(outcome.stdout)
    assert result["result"] == "published" and result["rounds"] == [made["r1"][2]["manifest"]]
    assert "index.html" in result["files"] and "attestation/manifest.json" in result["files"]
    assert all((tmp_path / "s" / f).is_file() for f in result["files"])


def test_a_non_empty_out_is_refused_before_any_work(made, tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    broken = tmp_path / "broken"
    shutil.copytree(made["r1"][0], broken)
    (broken / "manifest.json").write_text("{")   # would be exit 3 too, but later: out is checked first
    assert "already exists and is not empty" in _refused(invoke("publish", broken, "--out", out), 3)
    assert (out / "keep.txt").read_text() == "mine" and len(list(out.iterdir())) == 1


@pytest.mark.parametrize("where", ["inside", "same", "parent", "under-file"])
def test_an_out_that_aliases_the_attestation_or_cannot_be_made_is_refused(made, tmp_path, where):
    att = tmp_path / "att"
    shutil.copytree(made["r1"][0], att)
    (tmp_path / "file").write_text("x")
    out = {"inside": att / "site", "same": att, "parent": tmp_path, "under-file": tmp_path / "file" / "site"}[where]
    before = sorted(os.listdir(tmp_path))
    _refused(invoke("publish", att, "--out", out), 3)
    assert sorted(os.listdir(tmp_path)) == before and not (att / "site").exists()


def test_an_attestation_that_does_not_verify_is_not_published(made, tmp_path):
    att = tmp_path / "att"
    shutil.copytree(made["r1"][0], att)
    doc = json.loads((att / "manifest.json").read_text())
    asset = sorted(doc["assets"])[0]
    doc["assets"][asset]["wallets"][0]["balance"] = "1" + doc["assets"][asset]["wallets"][0]["balance"]
    (att / "manifest.json").write_text(json.dumps(doc))
    err = _refused(invoke("publish", att, "--out", tmp_path / "site"), 1)
    assert "site" not in os.listdir(tmp_path) and not leftovers(tmp_path), err


def test_audit_files_are_published_only_if_they_match_the_manifest(made, tmp_path):
    att = tmp_path / "att"
    shutil.copytree(made["r1"][0], att)
    audit = sorted(att.glob("*.audit"))[0]
    data = bytearray(audit.read_bytes())
    data[-1] ^= 1
    audit.write_bytes(bytes(data))   # `verify` reads no audit file: the copy must check it
    assert "does not match its hash in the manifest" in _refused(invoke("publish", att, "--out", tmp_path / "s"), 1)
    assert not (tmp_path / "s").exists() and not leftovers(tmp_path)
    assert _refused(invoke("publish", att, "--out", tmp_path / "s", "--audit"), 1)


def test_private_files_beside_the_attestation_are_never_copied(made, tmp_path):
    att = tmp_path / "att"
    shutil.copytree(made["r1"][0], att)
    (att / "state.db").write_bytes(b"the round secret")
    (att / "alice.json").write_text("{}")
    assert invoke("publish", att, "--out", tmp_path / "s", "-q").code == 0
    assert sorted(p.name for p in (tmp_path / "s" / "attestation").iterdir()) == \
        sorted(p.name for p in made["r1"][0].iterdir())


def test_with_audit_the_page_says_the_audit_files_were_checked(made, tmp_path):
    assert invoke("publish", made["r2"][0], "--out", tmp_path / "s", "--audit", "-q").code == 0
    text = (tmp_path / "s" / "index.html").read_text()
    assert "Also checked then (<code>zksolv audit</code>)" in text and "Not checked when this page" not in text


@pytest.mark.parametrize("history, reason", [
    (["r1"], "not among those given"),            # r2 missing between r1 and r3
    (["r1", "r2", "other"], "not one history"),   # `other` starts a second chain
    (["r2", "r3", "r1"], None),                   # the published round given again: once
])
def test_history_must_be_one_chain_ending_at_the_published_round(made, tmp_path, history, reason):
    args = [a for n in history for a in ("--history", made[n][0])]
    outcome = invoke("publish", made["r3"][0], "--out", tmp_path / "s", *args, "-q")
    if reason is None:
        assert outcome.code == 0 and (tmp_path / "s" / "index.html").is_file()
    else:
        assert reason in _refused(outcome, 1) and not (tmp_path / "s").exists()


def test_a_round_older_than_its_history_is_not_published(made, tmp_path):
    outcome = invoke("publish", made["r2"][0], "--out", tmp_path / "s", "--history", made["r3"][0])
    assert "must be the newest" in _refused(outcome, 1)


def test_usage_errors(made, tmp_path):
    assert invoke("publish", made["r1"][0]).code == 2                       # no --out
    assert invoke("publish", "--out", tmp_path / "s").code == 2              # no attestation
    assert invoke("publish", made["r1"][0], "--out", tmp_path / "s", "--bogus").code == 2
    missing = invoke("publish", tmp_path / "nowhere", "--out", tmp_path / "s")
    assert missing.code in DOCUMENTED_EXITS and missing.code == 3 and one_error_line(missing)


def test_a_manifest_that_changes_after_it_was_verified_is_not_published(made, tmp_path, monkeypatch):
    from zksolv.attestation import verify as verify_module
    from zksolv.errors import InvalidProof
    from zksolv.site import publish

    att = tmp_path / "att"
    shutil.copytree(made["r2"][0], att)
    real = verify_module.verify

    def verify_then_swap(directory, *args):
        report = real(directory, *args)
        shutil.copy(made["r1"][0] / "manifest.json", att / "manifest.json")   # another valid round
        return report
    monkeypatch.setattr(verify_module, "verify", verify_then_swap)
    with pytest.raises(InvalidProof, match="changed while it was being verified"):
        publish.run(att, tmp_path / "s")
    assert not (tmp_path / "s").exists()
