"""A malicious prover against the solvency and coverage statements (issue 10, SPEC.md §6.5.1).

Each attack republishes an honest round's manifest with one public field changed and every
statement proof made again with zksolv's own primitives, values reduced modulo n as a cheat
would: every proof is internally consistent, so only the verifier's bounds can refuse it.
"""

import json
import shutil
from dataclasses import replace

import pytest

from roundkit import OPTIONS, QUIET, inputs, prove_round
from zksolv import bounds, reserves as reserves_module, statements
from zksolv.amounts import format_amount
from zksolv.attestation import manifest as manifest_module, prove, verify
from zksolv.errors import InputError, InvalidProof, ZksolvError
from zksolv.group import N
from zksolv.rangeproof import prover as rp_prover
from zksolv.commitments import generators
from zksolv.rangeproof.scalars import random_scalar
from zksolv.state import State


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    d = tmp_path_factory.mktemp("sound")
    ledger, reserves = inputs(d, "soundness-round", users=12)
    return prove_round(d, ledger, reserves)


def _leaves(r):
    """The round's leaves rebuilt from its state: the cheat knows every opening."""
    st = State(r.state)
    try:
        master = st.meta["master_secret"]
    finally:
        st.close()
    res = r.manifest.reserves
    return prove._build_all(res, prove._balances(r.ledger, res), master, None,
                            replace(OPTIONS, coverage_percent=None), QUIET), master


def _republish(r, tmp_path, monkeypatch, change) -> manifest_module.Manifest:
    """`change(manifest) → manifest`, then every statement proof redone by a cheat whose range
    prover takes values modulo n. Returns the manifest written to tmp_path/att."""
    all_leaves, master = _leaves(r)
    body = change(r.manifest.without_proofs())

    def cheating_prove(transcript, values, blindings, n, backend=None, rng=random_scalar):
        return rp_prover._prove(transcript, [v % N for v in values], blindings, n, generators(backend), rng)

    monkeypatch.setattr(prove.rangeproof, "prove", cheating_prove)
    forged = prove._with_statement_proofs(body, statements.load(), all_leaves, master)
    monkeypatch.undo()
    out = tmp_path / "att"
    shutil.copytree(r.out, out)
    forged.write(out / manifest_module.FILE)
    return forged


def _wrapping_ratio(L: int, R: int, claimed: int = 10) -> tuple[int, int]:
    """p/q ≈ `claimed` with q·R − p·L ≡ 1 (mod n), in lowest terms: p = claimed·q + 1."""
    q = (1 + L) * pow(R - claimed * L, -1, N) % N
    return claimed * q + 1, q


def _with_ratio(asset, p, q):
    def change(m):
        entry = m.assets[asset]
        return replace(m, assets={**m.assets, asset: replace(
            entry, coverage=manifest_module.Coverage(p, q, b""))})
    return change


class TestCoverageCannotWrap:
    def _forge(self, honest, tmp_path, monkeypatch):
        all_leaves, _ = _leaves(honest)
        btc = next(x for x in all_leaves if x.asset == "BTC")
        p, q = _wrapping_ratio(btc.total, honest.manifest.reserves.assets["BTC"].total)
        forged = _republish(honest, tmp_path, monkeypatch, _with_ratio("BTC", p, q))
        assert forged.assets["BTC"].coverage.percent.startswith("1000")  # what it would claim
        return tmp_path / "att"

    def test_a_ratio_that_wraps_is_refused(self, honest, tmp_path, monkeypatch):
        forged = self._forge(honest, tmp_path, monkeypatch)
        with pytest.raises(InvalidProof, match="BTC: coverage ratio"):
            verify.verify(forged)
        with pytest.raises(InvalidProof):
            verify.audit(forged)

    def test_without_the_ratio_bound_the_no_wrap_check_still_refuses(self, honest, tmp_path, monkeypatch):
        forged = self._forge(honest, tmp_path, monkeypatch)
        monkeypatch.setattr(bounds, "check_ratio", lambda p, q: None)
        with pytest.raises(InvalidProof, match="coefficient|wrap"):
            verify.verify(forged)

    def test_an_honest_ratio_republished_still_verifies(self, honest, tmp_path, monkeypatch):
        """The cheat's machinery is sound on honest values: the refusals above are the bounds."""
        _republish(honest, tmp_path, monkeypatch, _with_ratio("BTC", 21, 20))
        assert verify.verify(tmp_path / "att").assets["BTC"]["coverage_percent"] == "105"

    def test_a_claimed_capacity_beyond_2_32_is_refused(self, honest, tmp_path, monkeypatch):
        def change(m):
            return replace(m, assets={**m.assets, "BTC": replace(m.assets["BTC"], capacity=1 << 33)})
        _republish(honest, tmp_path, monkeypatch, change)
        with pytest.raises(ZksolvError, match="capacity"):  # manifest parsing, then the bounds
            verify.verify(tmp_path / "att")


class TestRatioBounds:
    @pytest.mark.parametrize("p,q,match", [
        (99, 100, "below 1"), (0, 0, "below 1"), (42, 40, "lowest terms"),
        (1 << 32, 1, "2\\^32"), ((1 << 32) + 1, (1 << 32) - 1, "2\\^32"),
    ])
    def test_refused(self, p, q, match):
        with pytest.raises(InputError, match=match):
            bounds.check_ratio(p, q)

    @pytest.mark.parametrize("p,q", [(1, 1), (21, 20), ((1 << 32) - 1, (1 << 32) - 2)])
    def test_accepted(self, p, q):
        bounds.check_ratio(p, q)


class TestNoWrap:
    """The generic bound every statement passes (SPEC.md §6.5.1), at its edges."""

    def test_edges(self):
        bounds.check_no_wrap("s", -(N - (1 << 128)) + 1, N - 1, 128)
        with pytest.raises(InputError, match="wrap"):
            bounds.check_no_wrap("s", -(N - (1 << 128)), 0, 128)
        with pytest.raises(InputError, match="wrap"):
            bounds.check_no_wrap("s", 0, N, 128)

    def test_a_huge_public_coefficient_is_refused(self):
        with pytest.raises(InputError, match="coefficient"):
            bounds.combination_interval([(1 << 64, 1, None)])
        assert bounds.combination_interval([((1 << 64) - 1, None, 2), (-1, 5, None)]) == (-5, (1 << 64) - 6)

    def test_coverage_wraps_when_liabilities_are_unbounded(self):
        coverage = statements.load()["coverage"]
        public = {"R": 1, "p": 3, "q": 2}
        coverage.check_sound(public, {"L": bounds.liabilities_bound(128, 1 << 32)}, {})
        with pytest.raises(InputError, match="wrap"):
            coverage.check_sound(public, {"L": N // 2}, {})

    @pytest.mark.parametrize("leaf_bits,capacity", [(64, 1 << 33), (64, 3), (96, 4), (128, 0)])
    def test_liabilities_bound_refuses_what_no_tree_holds(self, leaf_bits, capacity):
        with pytest.raises(InputError):
            bounds.liabilities_bound(leaf_bits, capacity)


class TestProverRefusesBeforeWork:
    def test_reserves_too_large_for_the_coverage_range(self, honest, tmp_path):
        """q·R ≥ 2^128 cannot be proven in 128 bits: refused before any work, nothing written
        (without the check, the round is proved and then fails at its coverage proof)."""
        doc = json.loads(honest.reserves.read_text())
        doc["assets"]["ETH"]["wallets"][0]["balance"] = format_amount(1 << 119, 18)
        reserves = tmp_path / "r.json"
        reserves.write_text(json.dumps(doc))
        options = replace(OPTIONS, coverage_percent="100.01")
        with pytest.raises(InputError, match="ETH: statement coverage"):
            prove.run(honest.ledger, reserves, tmp_path / "out", tmp_path / "s.db", options, QUIET)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


class TestStatementsMeanWhatTheySay:
    """A circuits file whose `solvency` proves R ≥ 0 (or anything but R − L) is refused: a
    verifier must never print "solvent" for a statement that does not say it."""

    @pytest.mark.parametrize("name,combination", [
        ("solvency", [{"coefficient": "1", "term": "R"}]),
        ("solvency", [{"coefficient": "1", "term": "R"}, {"coefficient": "-1", "term": "L"},
                      {"coefficient": "1", "term": "L"}]),
        ("coverage", [{"coefficient": "q", "term": "R"}, {"coefficient": "-q", "term": "L"}]),
        ("leaf_range", [{"coefficient": "2", "term": "b"}]),
    ])
    def test_a_statement_that_says_something_else_is_refused(self, tmp_path, name, combination):
        doc = json.loads(statements._shipped_text())
        doc["statements"][name]["combination"] = combination
        path = tmp_path / "c.json"
        path.write_text(json.dumps(doc))
        with pytest.raises(InputError, match=f"statements.{name}"):
            statements.load(str(path))

    def test_leaf_range_must_use_the_leaf_bits(self, tmp_path):
        doc = json.loads(statements._shipped_text())
        doc["statements"]["leaf_range"]["range_bits"] = 128
        path = tmp_path / "c.json"
        path.write_text(json.dumps(doc))
        with pytest.raises(InputError, match="leaf_bits"):
            statements.load(str(path))


class TestCoinsCountedOnce:
    """The same Bitcoin wallets listed under BTC and under XBT made 5 BTC of reserves cover
    9 BTC of liabilities. One on-chain balance may back one asset once (SPEC.md §6.1)."""

    def _inputs(self, honest, tmp_path):
        doc = json.loads(honest.reserves.read_text())
        doc["assets"]["XBT"] = json.loads(json.dumps(doc["assets"]["BTC"]))
        reserves = tmp_path / "r.json"
        reserves.write_text(json.dumps(doc))
        ledger = tmp_path / "ledger.csv"
        ledger.write_text(honest.ledger.read_text() + "user-000001,XBT,0.5\n")
        return ledger, reserves

    def test_the_prover_refuses(self, honest, tmp_path):
        ledger, reserves = self._inputs(honest, tmp_path)
        with pytest.raises(InputError, match="XBT.wallets\\[0\\].*counted twice"):
            prove.run(ledger, reserves, tmp_path / "out", tmp_path / "s.db", OPTIONS, QUIET)

    def test_verify_and_audit_refuse_what_a_patched_prover_published(self, honest, tmp_path, monkeypatch):
        from zksolv.reserves import file as reserves_file

        ledger, reserves = self._inputs(honest, tmp_path)
        monkeypatch.setattr(reserves_file, "_refuse_counted_twice", lambda assets, where: None)
        prove.run(ledger, reserves, tmp_path / "out", tmp_path / "s.db", OPTIONS, QUIET)
        monkeypatch.undo()
        for check in (verify.verify, verify.audit):
            with pytest.raises(ZksolvError, match="counted twice"):
                check(tmp_path / "out")

    def test_one_address_may_back_its_coin_and_a_token(self, honest, tmp_path):
        """ETH and an ERC-20 on one address are two balances; the same token twice is one."""
        doc = json.loads(honest.reserves.read_text())
        eth = doc["assets"]["ETH"]["wallets"][0]
        usdt = dict(eth, balance="1", token="0xdAC17F958D2ee523a2206206994597C13D831ec7")
        doc["assets"]["USDT"]["wallets"].append(usdt)
        reserves_module.parse(doc, "r.json")
        doc["assets"]["USDT"]["wallets"].append(dict(usdt, token=usdt["token"].lower()))
        with pytest.raises(InputError, match="counted twice"):
            reserves_module.parse(doc, "r.json")

    @pytest.mark.parametrize("token,match", [
        ("0x123", "Ethereum address"), (7, "contract address"), ("native", "Ethereum address"),
    ])
    def test_a_malformed_token_is_refused(self, honest, token, match):
        doc = json.loads(honest.reserves.read_text())
        doc["assets"]["ETH"]["wallets"][0]["token"] = token
        with pytest.raises(InputError, match=match):
            reserves_module.parse(doc, "r.json")

    def test_bitcoin_wallets_hold_no_token(self, honest):
        doc = json.loads(honest.reserves.read_text())
        doc["assets"]["BTC"]["wallets"][0]["token"] = "0xdac17f958d2ee523a2206206994597c13d831ec7"
        with pytest.raises(InputError, match="only the native coin"):
            reserves_module.parse(doc, "r.json")

    def test_snapshot_rows_are_keyed_by_the_on_chain_asset(self, honest, tmp_path):
        """A token balance in the snapshot cannot stand for the coin's, nor the other way."""
        wallets = [w for a in honest.manifest.reserves.assets.values() for w in a.wallets]
        rows = ["chain,address,token,balance"] + [f"{w.chain},{w.address},{w.token or 'native'},{w.balance}" for w in wallets]
        snap = tmp_path / "snap.csv"
        snap.write_text("\n".join(rows) + "\n")
        verify.verify(honest.out, str(snap))
        eth = next(w for w in wallets if w.chain == "ethereum")
        swapped = [r.replace(f"{eth.address},native,", f"{eth.address},0x{'11' * 20},") for r in rows]
        snap.write_text("\n".join(swapped) + "\n")
        with pytest.raises(InvalidProof, match="not in the snapshot"):
            verify.verify(honest.out, str(snap))


def _inclusion(r, user="user-000000"):
    from zksolv import inclusion

    st = State(r.state)
    try:
        return inclusion.build(st, r.manifest, user)
    finally:
        st.close()


def _user_holding_two_assets(r) -> str:
    """A customer with at least two balances (the synthetic ledger gives most users two or
    three, but not every one: a fixed user id would make the test depend on the draw)."""
    import csv

    held: dict[str, int] = {}
    with open(r.ledger, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            held[row["user_id"]] = held.get(row["user_id"], 0) + 1
    return next(user for user, count in sorted(held.items()) if count >= 2)


class TestCustomerCheckChecksSomething:
    def test_a_proof_of_no_balance_is_refused(self, honest, tmp_path, capsys):
        from zksolv import inclusion
        from zksolv.cli import main

        doc = _inclusion(honest)
        doc["assets"] = {}
        with pytest.raises(InvalidProof, match="proves no balance"):
            inclusion.verify(doc, honest.manifest)
        path = tmp_path / "empty.json"
        path.write_text(json.dumps(doc))
        with pytest.raises(SystemExit) as exit_:
            main(["verify-inclusion", str(path), "--attestation", str(honest.out), "--user", doc["user_id"]])
        assert exit_.value.code == 1
        assert capsys.readouterr().err.startswith("zksolv: error: this inclusion proof proves no balance")

    def test_the_assets_a_proof_leaves_out_are_named(self, honest, tmp_path, capsys):
        from zksolv.cli import main

        doc = _inclusion(honest, _user_holding_two_assets(honest))
        held = sorted(doc["assets"])
        dropped = held[0]
        del doc["assets"][dropped]
        path = tmp_path / "partial.json"
        path.write_text(json.dumps(doc))
        with pytest.raises(SystemExit) as exit_:
            main(["verify-inclusion", str(path), "--attestation", str(honest.out), "--json"])
        assert exit_.value.code == 0
        result = json.loads(capsys.readouterr().out)
        assert result["not_covered"] == sorted(set(honest.manifest.assets) - set(held[1:]))
        assert dropped in result["not_covered"] and set(result["balances"]) == set(held[1:])

    def test_a_balance_beyond_the_leaf_range_is_refused(self, honest):
        """b + n·10^-decimals commits to the same point as b: the customer would be shown a
        balance the tree does not hold. Such a balance is refused (by the amount's length,
        and by the leaf range for any balance ≥ 2^leaf_bits)."""
        from zksolv import inclusion
        from zksolv.amounts import parse_amount

        doc = _inclusion(honest)
        asset, item = next(iter(doc["assets"].items()))
        decimals = honest.manifest.reserves.assets[asset].decimals
        leaf_bits = honest.manifest.reserves.assets[asset].leaf_bits
        units = parse_amount(item["balance"], decimals)
        item["balance"] = format_amount(units + N, decimals)
        with pytest.raises(ZksolvError):
            inclusion.verify(doc, honest.manifest)
        item["balance"] = format_amount(1 << leaf_bits, decimals)
        with pytest.raises(InvalidProof, match="leaf range"):
            inclusion.verify(doc, honest.manifest)


def test_a_legacy_snapshot_row_vouches_only_for_the_asset_it_names(honest, tmp_path):
    """`chain,address,asset,balance` (read for snapshots made before wallet identity): a row
    confirms the native coins of that asset's wallet — not another asset's, not a token's."""
    rows = ["chain,address,asset,balance"]
    for a in honest.manifest.reserves.assets.values():
        rows += [f"{w.chain},{w.address},{a.asset},{w.balance}" for w in a.wallets]
    snap = tmp_path / "legacy.csv"
    snap.write_text("\n".join(rows) + "\n")
    with pytest.raises(InvalidProof) as refused:
        verify.verify(honest.out, str(snap))
    unconfirmed = {part.split()[0] for part in str(refused.value).split(": ", 1)[1].split("; ")}
    assert unconfirmed == {"USDT"}  # the demo's USDT is an ERC-20 (token): no legacy row can vouch
    snap.write_text("\n".join(rows).replace(",BTC,", ",XBT,") + "\n")
    with pytest.raises(InvalidProof, match="BTC .*not in the snapshot"):
        verify.verify(honest.out, str(snap))


def test_verify_names_what_backs_each_asset(honest, capsys):
    """Nothing but the reader ties the name "BTC" to Bitcoin's coin: verify shows, per asset,
    the chains and coins or tokens its wallets hold (an ETH wallet under BTC is visible)."""
    from zksolv.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["verify", str(honest.out), "--json"])
    assert exit_.value.code == 0
    assets = json.loads(capsys.readouterr().out)["assets"]
    assert assets["BTC"]["backed_by"] == ["bitcoin native coin (2 wallets)"]
    assert assets["ETH"]["backed_by"] == ["ethereum native coin (1 wallet)"]
    assert assets["USDT"]["backed_by"] == ["ethereum token 0xdac17f958d2ee523a2206206994597c13d831ec7 (1 wallet)"]


def test_a_bad_leaf_commitment_is_named_by_asset_and_position(honest):
    """The auditor is told which leaf of which audit file does not decode."""
    from zksolv.attestation import auditfile, verify as verify_module
    from zksolv.errors import EncodingError

    with auditfile.open_file(honest.out / "BTC.audit") as f:
        leaves = next(auditfile.Reader(f, "BTC.audit").leaves(4))
    leaves[2] = (b"\x00" + leaves[2][0][1:], leaves[2][1])       # leaf 2's prefix: not 02/03
    with pytest.raises(EncodingError, match=r"^BTC\.audit: leaf 2: "):
        m = honest.manifest
        verify_module.verify_chunks((m.attestation_id, m.circuits_hash, "BTC", 64, 4, 0, b"".join(c for c, _ in leaves),
                                     [h for _, h in leaves], [], None))
