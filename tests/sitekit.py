"""Small rounds for the `zksolv publish` tests and the browser tests, made once per session:
three spot rounds chained by `previous` (coverage 100, 105, 110 %), a round outside the
chain, a customer's proof of each, and the site published for the newest with the others
as --history."""

from pathlib import Path

import pytest

from roundkit import inputs, reserves_for
from test_history import USER, _proved   # a round proved with options, and USER's proof of it

COVERAGE = {"r1": None, "r2": "105", "r3": "110"}
TIMES = {"r1": "2026-01-01T00:00:00Z", "r2": "2026-02-01T00:00:00Z", "r3": "2026-03-01T00:00:00Z",
         "other": "2026-03-01T00:00:00Z"}
_MADE: dict = {}


def rounds(factory) -> dict:
    """{name: (attestation dir, USER's proof file, proof document)} for r1 ← r2 ← r3 and
    `other` (same ledger, not in the chain)."""
    if "rounds" not in _MADE:
        base = factory.mktemp("site-rounds")
        ledger, _ = inputs(base / "inputs", "site", users=6)
        made, previous = {}, None
        for name in ("r1", "r2", "r3"):
            made[name] = _round(base, name, ledger, previous)
            previous = made[name][2]["manifest"]
        made["other"] = _round(base, "other", ledger, None)
        _MADE["rounds"] = made
    return _MADE["rounds"]


def _round(base: Path, name: str, ledger: Path, previous):
    return _proved(base, name, ledger, reserves_for(ledger, base / name, f"site-{name}"),
                   coverage_percent=COVERAGE.get(name, "105"), previous=previous, timestamp=TIMES[name])


def site_dir(factory) -> Path:
    """The site of r3 with r1 and r2 as history (published once, by the CLI)."""
    if "site" not in _MADE:
        from clikit import invoke

        made = rounds(factory)
        out = factory.mktemp("site") / "site"
        outcome = invoke("publish", made["r3"][0], "--out", out, "--history", made["r1"][0],
                         "--history", made["r2"][0], "--quiet")
        assert outcome.code == 0, outcome.stderr
        _MADE["site"] = out
    return _MADE["site"]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The rounds (see `rounds`), for a test module that imports this fixture."""
    return rounds(tmp_path_factory)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The published site (see `site`)."""
    return site_dir(tmp_path_factory)
