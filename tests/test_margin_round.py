"""A margin round end to end (MARGIN.md §9–§14): an honest round verifies and audits; a
round the plain-integer reference refuses publishes nothing; a cheating prover built from
the library (DESIGN §11's attacks) publishes an attestation that `audit` refuses; changed
market data breaks every proof; flipped bytes are rejected."""

import json
import os
import shutil
import stat

import pytest

from accounts_kit import residue_split, unchecked_prove
from marginkit import PRICES, ROWS, options, prove_margin, write_inputs
from roundkit import QUIET
from zksolv import state as state_module
from zksolv.accounts import leaf as leaf_module, tree as account_tree, widerange
from zksolv.accounts.leaf import node_points
from zksolv.attestation import claims, margin, marginfile, marginleaves, prove, verify, verify2
from zksolv.attestation.executors import InlineExecutor
from zksolv.errors import EncodingError, InputError, Insolvent, InvalidProof, ZksolvError


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    return prove_margin(tmp_path_factory.mktemp("margin") / "round")


def copy_of(rnd, tmp_path):
    out = tmp_path / "attestation"
    shutil.copytree(rnd.out, out)
    return out


def edit_manifest(out, change):
    path = out / "manifest.json"
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc, indent=1))


# -- the honest round -----------------------------------------------------------------------

def test_an_honest_margin_round_verifies_and_audits(honest):
    assert honest.manifest.version == 2
    r = verify.verify(honest.out, prices_path=honest.dir / "prices.json")
    assert r.margin["scenarios"] == ["base", "crash"]
    a = verify.audit(honest.out, workers=1)
    assert a.leaves_checked == 3 + 4   # one spot leaf per asset, four account leaves (3 + padding)


def test_the_state_hands_a_margin_customer_their_leaf_balances_and_path(honest):
    """The hook of inclusion v2 (MARGIN.md §13): index, balances and a path to the root."""
    st = state_module.State(honest.state)
    try:
        position, balances = st.margin_account("carol")
        assert balances == {"USDT": 50_000 * 10**6, "ETH": -2 * 10**18, "BTC": 50_000_000}
        assert st.margin_account("spot-1") is None
        path = st.margin_path(position, honest.manifest.margin.capacity, 3)
    finally:
        st.close()
    layout = verify2.load(honest.out).layout
    with open(honest.out / marginfile.FILE, "rb") as f:
        data = b"".join(marginfile.Reader(f, "m", layout).chunks())
    size = leaf_module.size(layout)
    leaf = leaf_module.MarginLeaf.from_bytes(data[position * size : (position + 1) * size], layout)
    root = account_tree.walk(position, account_tree.leaf_node(node_points(layout, leaf), leaf.hash()), path,
                             honest.manifest.margin.capacity)
    m = honest.manifest
    assert root == (b"".join(m.margin.root_commitments), m.margin.root_hash)


def test_verify_compares_prices_with_the_verifiers_own(honest, tmp_path):
    mine = tmp_path / "mine.json"
    moved = json.loads(json.dumps(PRICES))
    moved["assets"]["BTC"]["price"] = "97500.00"     # 0.52 % above the published price
    mine.write_text(json.dumps(moved))
    with pytest.raises(InvalidProof, match="BTC: .*price differs"):
        verify.verify(honest.out, prices_path=mine)
    verify.verify(honest.out, prices_path=mine, price_tolerance="1%")
    moved["min_collateral_percent"] = "120"
    mine.write_text(json.dumps(moved))
    with pytest.raises(InvalidProof, match="beyond prices"):
        verify.verify(honest.out, prices_path=mine, price_tolerance="1%")


# -- refusals: nothing is published ---------------------------------------------------------

def refused(tmp_path, rows=ROWS, reserve_percent=110, **kw):
    ledger, reserves, market = write_inputs(tmp_path, rows, reserve_percent=reserve_percent)
    out, state = tmp_path / "attestation", tmp_path / "state.db"
    with pytest.raises(Insolvent) as info:
        prove.run(ledger, reserves, out, state, options(prices=str(market), **kw), QUIET)
    assert not out.exists() and not state.exists()
    return str(info.value), tmp_path / "state.db.refused.csv"


def test_an_uncollateralized_account_is_refused_and_listed_privately(tmp_path):
    """dave's 1 BTC backs 80 000 USDT at base (92 150 of collateral / 1.1) but not after the crash."""
    message, report = refused(tmp_path, ROWS + [("dave", "BTC", "1"), ("dave", "USDT", "-80000")])
    assert "1 margin accounts are not collateralized (crash: 1)" in message
    assert stat.S_IMODE(os.stat(report).st_mode) == 0o600
    assert report.read_text().splitlines()[1].startswith("dave,crash,")


def test_an_asset_short_of_its_net_liabilities_is_refused(tmp_path):
    message, report = refused(tmp_path, reserve_percent=90)
    assert "reserves do not cover net liabilities" in message and not report.exists()


def test_a_firm_short_of_its_coverage_is_refused(tmp_path):
    message, _ = refused(tmp_path, firm_coverage="150")
    assert "firm-wide coverage at base is" in message


def test_a_margin_capacity_the_account_tree_cannot_have_is_refused(tmp_path):
    """--margin-capacity: a power of two or a multiple of 1,024 up to 2^32, not below the
    margin accounts (SPEC.md §6.15); refused before any leaf is built."""
    ledger, reserves, market = write_inputs(tmp_path)
    for bad, why in ((3000, "--margin-capacity: .*multiple of 1024"), (1536, "--margin-capacity: .*multiple of 1024"), (2**32 + 1024, "--margin-capacity"),
                     (1, "below the")):
        with pytest.raises(InputError, match=why):
            prove.run(ledger, reserves, tmp_path / "out", tmp_path / "st.db",
                      options(prices=str(market), margin_capacity=bad), QUIET)
    assert not (tmp_path / "out").exists() and not (tmp_path / "st.db").exists()


def test_every_output_path_is_checked_before_any_work(tmp_path):
    ledger, reserves, market = write_inputs(tmp_path)
    (tmp_path / "taken.csv").write_text("")
    with pytest.raises(InputError, match="--refusals .*already exists"):
        prove.run(ledger, reserves, tmp_path / "out", tmp_path / "st.db",
                  options(prices=str(market), refusals=str(tmp_path / "taken.csv")), QUIET)
    with pytest.raises(InputError, match="--refusals"):   # the private list inside the published directory
        prove.run(ledger, reserves, tmp_path / "out", tmp_path / "st.db",
                  options(prices=str(market), refusals=str(tmp_path / "out" / "refused.csv")), QUIET)
    with pytest.raises(InputError, match="--prices"):     # an output over an input
        prove.run(ledger, reserves, tmp_path / "out", market, options(prices=str(market)), QUIET)
    with pytest.raises(InputError, match="need --prices"):
        prove.run(ledger, reserves, tmp_path / "out", tmp_path / "st.db", options(margin_capacity=8), QUIET)
    assert not (tmp_path / "out").exists() and not (tmp_path / "st.db").exists()


# -- a cheating prover ----------------------------------------------------------------------

def cheating_round(tmp_path, monkeypatch, rows, forged, prices=PRICES):
    """A prover that skips the refusal and proves `forged` slot values for the accounts whose
    units are listed (by their ledger amounts) with unchecked range proofs over residues."""
    def values(layout, units):
        key = frozenset(units.items())
        return forged[key](layout) if key in forged else leaf_module.slot_values(layout, units)

    def prove_leaf(layout, key, id_hash, units, context, rng_for=None):
        opened = leaf_module.open_leaf(layout, key, id_hash, values(layout, units), split=residue_split)
        return leaf_module.prove_opening(opened, context, prove=unchecked_prove)

    monkeypatch.setattr(margin, "refuse_unless_sound", lambda rnd, path: None)
    monkeypatch.setattr(margin, "prove_claim", cheating_claim)
    monkeypatch.setattr(marginleaves, "slot_values", values)
    monkeypatch.setattr(marginleaves, "prove_leaf", prove_leaf)
    return prove_margin(tmp_path, rows, prices)


def units_of(rows, user, decimals={"BTC": 8, "ETH": 18, "USDT": 6}):
    out = {}
    for u, a, x in rows:
        if u == user:
            neg = x.startswith("-")
            whole, _, frac = x.lstrip("-").partition(".")
            v = int(whole) * 10 ** decimals[a] + int(frac.ljust(decimals[a], "0") or "0")
            out[a] = -v if neg else v
    return frozenset(out.items())


def honest_values(units):
    return lambda layout: leaf_module.slot_values(layout, dict(units))


def audit_refuses(rnd):
    """The margin-leaf check of audit refuses the round (whatever else also does)."""
    c = verify2.load(rnd.out)
    with pytest.raises(InvalidProof, match="margin leaf's range proofs do not verify"):
        verify2._audit_margin(rnd.out, c, InlineExecutor(), 1)
    with pytest.raises(InvalidProof):
        verify.audit(rnd.out, workers=1)


def cheating_claim(claim, value, blinding, transcript_for, high_blinding, rng_for):
    """A statement proof over the residue of a value that may be negative."""
    opened = widerange.open_claim(residue_split(value, claim.limbs), blinding, high_blinding)
    proofs = widerange.prove_parts(transcript_for, opened.values, opened.blindings, rng_for, prove=unchecked_prove)
    return claims.WideProof(tuple(p.to_bytes() for p in opened.highs), tuple(p.to_bytes() for p in proofs))


def test_fake_debt_without_collateral_is_caught_by_audit(tmp_path, monkeypatch):
    rows = ROWS + [("mallory", "USDT", "-1000")]
    rnd = cheating_round(tmp_path, monkeypatch, rows, {units_of(rows, "mallory"): honest_values(
        units_of(rows, "mallory"))})
    verify.verify(rnd.out)    # the statements over the sums hold: only the leaves show the lie
    audit_refuses(rnd)


def test_a_moved_debt_is_caught_by_audit(tmp_path, monkeypatch):
    """alice's 20 000 USDT debt moved onto bob: the debt total stays what it was, alice looks
    debt-free and bob (32 400 of collateral) now owes 32 670 at 110 %."""
    rows = [r for r in ROWS if r[:2] != ("alice", "USDT")] + [("bob", "USDT", "-20000")]
    rnd = cheating_round(tmp_path, monkeypatch, rows, {units_of(rows, "bob"): honest_values(units_of(rows, "bob"))})
    audit_refuses(rnd)


def test_a_dummy_users_zero_haircut_equity_backs_no_debt(tmp_path, monkeypatch):
    prices = json.loads(json.dumps(PRICES))
    prices["assets"]["ETH"]["haircut"] = [[None, "0"]]
    rows = ROWS + [("dummy", "ETH", "100000"), ("dummy", "USDT", "-1000")]
    key = units_of(rows, "dummy")
    audit_refuses(cheating_round(tmp_path, monkeypatch, rows, {key: honest_values(key)}, prices))


def test_tier_abuse_all_equity_in_the_best_tier_is_caught(tmp_path, monkeypatch):
    """20 BTC all in the 95 % tier (width 10 BTC) would back more than the tier table allows."""
    rows = ROWS + [("tiers", "BTC", "20"), ("tiers", "USDT", "-1500000")]
    key = units_of(rows, "tiers")

    def all_in_first_tier(layout):
        v = leaf_module.slot_values(layout, dict(key))
        first = layout.pieces(0)   # BTC is the first asset
        v[first[0]], v[first[1]], v[first[2]] = 20 * 10**8, 0, 0
        return v
    rnd = cheating_round(tmp_path, monkeypatch, rows, {key: all_in_first_tier})
    audit_refuses(rnd)


def test_a_negative_debt_wrapping_modulo_n_is_caught(tmp_path, monkeypatch):
    """A debt of −5 BTC (its residue n − 5·10^8) would count as equity in the net sums."""
    rows = ROWS + [("wrap", "USDT", "-1")]
    key = units_of(rows, "wrap")

    def negative_debt(layout):
        v = leaf_module.slot_values(layout, dict(key))
        v[layout.debt(0)] = -5 * 10**8
        return v
    rnd = cheating_round(tmp_path, monkeypatch, rows, {key: negative_debt})
    with pytest.raises(InvalidProof, match="BTC: solvency"):   # the net sum went below 0
        verify.verify(rnd.out)
    audit_refuses(rnd)


def test_a_statement_that_could_wrap_is_refused_before_any_proof():
    """2^32 accounts of 128-bit USDT: the firm-wide sum could reach past what 3 limbs (and n)
    hold. Refused; 2^20 accounts of 64-bit leaves are not."""
    leaf_bits = {"BTC": 64, "ETH": 64, "USDT": 128}
    coeffs = _coefficients()
    layout = verify2.build_layout(coeffs, leaf_bits)
    caps = {a: 1 << 32 for a in leaf_bits}
    reserves = {"BTC": 10**9, "ETH": 10**20, "USDT": 10**12}
    with pytest.raises(InputError, match="firm/base: .*limbs"):
        claims.round_claims(claims.RoundShape(reserves, leaf_bits, caps, 1 << 32, None, (1, 1)), coeffs, layout)
    small = {a: 64 for a in leaf_bits}
    sized = claims.round_claims(claims.RoundShape(reserves, small, {a: 1 << 20 for a in small}, 1 << 20, None,
                                                  (1, 1)), coeffs, verify2.build_layout(coeffs, small))
    assert [c.limbs for c in sized if c.name.startswith("firm/")] == [3, 3]


def _coefficients():
    from zksolv.market import parse
    return parse(PRICES, {"BTC": 8, "ETH": 18, "USDT": 6}, "prices").coefficients({"BTC": 8, "ETH": 18, "USDT": 6})


# -- changed market data, flipped bytes -----------------------------------------------------

@pytest.mark.parametrize("change", [
    lambda d: d["market"]["assets"]["BTC"].__setitem__("price", "98000"),
    lambda d: d["market"]["assets"]["BTC"]["haircut"][0].__setitem__(1, "96"),
    lambda d: d["market"]["scenarios"][0]["shock_percent"].__setitem__("BTC", "-30"),
    lambda d: d["market"].__setitem__("min_collateral_percent", "105"),
], ids=["price", "haircut", "scenario", "mu"])
def test_changed_market_data_breaks_every_proof(honest, tmp_path, change):
    out = copy_of(honest, tmp_path)
    edit_manifest(out, change)
    c = verify2.load(out)
    m, body = c.manifest, c.manifest.body_digest()
    points = verify2._points(m)
    for claim in c.claims:
        def t(part, claim=claim):
            return verify2.transcript(m.attestation_id, m.circuits_hash, claim.asset, claim.name,
                                      body_digest=body, market=c.binding)
        with pytest.raises(InvalidProof):
            claims.verify_claim(claim, points, verify2._proof_of(m, claim), t)
    for asset, entry in m.assets.items():   # every spot chunk proof binds the market too
        with pytest.raises(InvalidProof, match="leaf range proof does not verify"):
            verify._audit_asset(out, m, asset, entry, InlineExecutor(), 1, None)
    with open(out / marginfile.FILE, "rb") as f:
        f.seek(marginfile.HEADER_BYTES)
        data = f.read()
    size = leaf_module.size(c.layout)
    for i in range(m.margin.capacity):     # every leaf, under the changed market's layout
        with pytest.raises(InvalidProof):
            verify2.verify_leaves((m.attestation_id, m.circuits_hash, c.binding, c.layout, i,
                                   data[i * size : (i + 1) * size]))


@pytest.mark.parametrize("where", ["manifest", "margin"])
def test_flipped_bytes_are_rejected(honest, tmp_path, where):
    name = "manifest.json" if where == "manifest" else marginfile.FILE
    size = (honest.out / name).stat().st_size
    for k, offset in enumerate(range(0, size, max(1, size // 12))):
        out = tmp_path / f"a{k}"
        shutil.copytree(honest.out, out)
        data = bytearray((out / name).read_bytes())
        data[offset] ^= 0x01
        (out / name).write_bytes(data)
        with pytest.raises(ZksolvError):
            verify.audit(out, workers=1)


def test_the_same_wallet_twice_stays_refused(honest, tmp_path):
    out = copy_of(honest, tmp_path)
    edit_manifest(out, lambda d: d["assets"]["BTC"]["wallets"].append(dict(d["assets"]["BTC"]["wallets"][0])))
    with pytest.raises(ZksolvError, match="twice"):
        verify.verify(out)


def test_a_margin_v1_file_that_says_anything_else_is_refused(tmp_path):
    from zksolv import marginstatements
    doc = json.loads(marginstatements._shipped_text(marginstatements.DEFAULT_FILE))
    doc["statements"]["solvency"]["combination"][3]["coefficient"] = "2"   # D counted twice
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match="statements.solvency does not say"):
        marginstatements.load(str(path))


def test_a_manifest_of_another_version_or_extra_keys_is_refused(honest, tmp_path):
    out = copy_of(honest, tmp_path)
    edit_manifest(out, lambda d: d["margin"].__setitem__("extra", 1))
    with pytest.raises(EncodingError, match="unknown key"):
        verify.verify(out)


def test_an_interrupted_margin_round_resumes_byte_identical(tmp_path, monkeypatch):
    """Margin chunks are committed as they finish: a resumed round redoes none of them and
    publishes the same bytes as an uninterrupted one."""
    ledger, reserves, market = write_inputs(tmp_path)
    opts = options(prices=str(market), chunk=1, round_secret=b"\x07" * 32, timestamp="2026-12-04T00:00:00Z")
    prove.run(ledger, reserves, tmp_path / "a", tmp_path / "a.db", opts, QUIET)
    saved, real_save = [], state_module.RoundStore.save_chunk

    def save_then_stop(store, asset, index, proof):
        real_save(store, asset, index, proof)
        saved.append(asset)
        if saved.count("") == 2:
            raise KeyboardInterrupt
    monkeypatch.setattr(state_module.RoundStore, "save_chunk", save_then_stop)
    with pytest.raises(KeyboardInterrupt):
        prove.run(ledger, reserves, tmp_path / "b", tmp_path / "b.db", opts, QUIET)
    monkeypatch.setattr(state_module.RoundStore, "save_chunk", real_save)
    _, already = prove.run(ledger, reserves, tmp_path / "b", tmp_path / "b.db", opts, QUIET, with_resume_count=True)
    assert already == len(saved) and saved.count("") == 2
    for name in ("manifest.json", marginfile.FILE):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_audit_refuses_two_margin_leaves_alike(honest, tmp_path, monkeypatch):
    """Two accounts must never share a leaf (DESIGN §8.3): the duplicate check, on its own."""
    out = copy_of(honest, tmp_path)
    c = verify2.load(out)
    size = leaf_module.size(c.layout)
    path = out / marginfile.FILE
    data = bytearray(path.read_bytes())
    first = marginfile.HEADER_BYTES
    data[first + size : first + 2 * size] = data[first : first + size]
    path.write_bytes(data)
    monkeypatch.setattr(verify2, "file_digest", lambda p: (c.manifest.margin.audit_sha256,
                                                           c.manifest.margin.audit_bytes))
    with pytest.raises(InvalidProof, match="two margin leaves share"):
        verify2._audit_margin(out, c, InlineExecutor(), 1)


def test_a_price_tolerance_needs_prices_and_a_sane_percentage(honest):
    with pytest.raises(InputError, match="needs --prices"):
        verify.verify(honest.out, price_tolerance="1%")
    for bad in ("-1%", "1e2", "101%", "0.001%"):
        with pytest.raises(InputError, match="--price-tolerance"):
            verify.verify(honest.out, prices_path=honest.dir / "prices.json", price_tolerance=bad)
