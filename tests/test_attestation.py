"""Proof of solvency end to end, and the attacks of DESIGN §8.3 built with the library's own
primitives: audit (and, where it applies, verify-inclusion) must reject each one."""

import json
import os
import shutil
import stat

import pytest

from roundkit import QUIET, edit_json, inputs, negative_leaf_round, prove_round, reserves_for, shared_leaf_round
from zksolv import inclusion, state as state_module
from zksolv.attestation import manifest as manifest_module, prove, verify
from zksolv.errors import EncodingError, InputError, Insolvent, InvalidProof, ZksolvError
from zksolv.group import N


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    d = tmp_path_factory.mktemp("honest")
    ledger, reserves = inputs(d, "test-round-1")
    return prove_round(d, ledger, reserves)


@pytest.fixture(scope="module")
def previous_round(tmp_path_factory, honest):
    """The same ledger proved again as another round (fresh secrets, another id)."""
    d = tmp_path_factory.mktemp("previous")
    return prove_round(d, honest.ledger, reserves_for(honest.ledger, d, "test-round-0"))


def _proof(r, user="user-000000"):
    st = state_module.State(r.state)
    try:
        return inclusion.build(st, r.manifest, user)
    finally:
        st.close()


def _copy(r, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(r.out, target)
    return target


class TestHonestRound:
    def test_verify_and_audit(self, honest):
        report = verify.verify(honest.out)
        assert set(report.assets) == {"BTC", "ETH", "USDT"}
        assert all(a["coverage_percent"] == "105" for a in report.assets.values())
        full = verify.audit(honest.out)
        assert full.leaves_checked == sum(e.capacity for e in honest.manifest.assets.values())

    def test_every_customer_is_included(self, honest):
        m = manifest_module.read(honest.out / "manifest.json")
        for i in range(12):
            user = f"user-{i:06d}"
            proven = inclusion.verify(_proof(honest, user), m, user)
            assert proven  # every synthetic user holds at least one asset

    def test_state_and_secrets_are_private(self, honest):
        assert stat.S_IMODE(os.stat(honest.state).st_mode) == 0o600
        text = (honest.out / "manifest.json").read_text()
        assert state_module.State(honest.state).meta["master_secret"].hex() not in text

    def test_a_different_circuits_file_fails(self, honest, tmp_path):
        doc = json.loads((honest.out / "manifest.json").read_text())
        from conftest import ROOT

        circuits = json.loads((ROOT / "circuits" / "solvency-v1.json").read_text())
        circuits["statements"]["solvency"]["range_bits"] = 64
        path = tmp_path / "other.json"
        path.write_text(json.dumps(circuits))
        with pytest.raises(InvalidProof, match="circuits"):
            verify.verify(honest.out, circuits_path=str(path))
        assert doc["circuits"]["hash"]

    def test_snapshot(self, honest, tmp_path):
        rows = ["chain,address,token,balance"]
        for a in honest.manifest.reserves.assets.values():
            rows += [f"{w.chain},{w.address},{w.token or 'native'},{w.balance}" for w in a.wallets]
        good = tmp_path / "snap.csv"
        good.write_text("\n".join(rows) + "\n")
        assert "match" in verify.verify(honest.out, str(good)).balances
        bad = tmp_path / "bad.csv"
        bad.write_text("\n".join(rows[:-1] + [rows[-1].rsplit(",", 1)[0] + ",0"]) + "\n")
        with pytest.raises(InvalidProof, match="snapshot"):
            verify.verify(honest.out, str(bad))


class TestCustomersView:
    def test_changed_balance_is_rejected(self, honest):
        m, doc = honest.manifest, _proof(honest)
        asset = next(iter(doc["assets"]))
        with pytest.raises(InvalidProof):
            inclusion.verify(doc, m, expected={asset: "0.5"})
        doc["assets"][asset]["balance"] = "0" if doc["assets"][asset]["balance"] != "0" else "1"
        with pytest.raises(InvalidProof, match="root"):
            inclusion.verify(doc, m)

    def test_another_users_id_is_rejected(self, honest):
        doc = _proof(honest)
        with pytest.raises(InvalidProof, match="for user"):
            inclusion.verify(doc, honest.manifest, "user-000001")
        doc["user_id"] = "user-000001"  # claiming someone else's leaf
        with pytest.raises(InvalidProof):
            inclusion.verify(doc, honest.manifest)

    def test_proof_from_a_previous_round_is_rejected(self, honest, previous_round):
        old = _proof(previous_round)
        with pytest.raises(InvalidProof, match="another attestation"):
            inclusion.verify(old, honest.manifest)
        old["manifest"] = honest.manifest.digest().hex()  # relabelled: the root still differs
        old["attestation_id"] = honest.manifest.attestation_id
        with pytest.raises(InvalidProof):
            inclusion.verify(old, honest.manifest)

    def test_every_flipped_byte_of_an_inclusion_proof_is_rejected(self, honest, tmp_path):
        text = json.dumps(_proof(honest), indent=1).encode()
        m = honest.manifest
        for i in range(len(text)):
            bad = bytearray(text)
            bad[i] ^= 0x01
            path = tmp_path / "p.json"
            path.write_bytes(bytes(bad))
            with pytest.raises(ZksolvError):
                inclusion.verify(inclusion.load(path), m)


class TestAttacks:
    """DESIGN §8.3, one malicious attestation each."""

    def test_sibling_commitment_changed_on_one_path(self, honest):
        doc = _proof(honest)
        asset = next(iter(doc["assets"]))
        path = doc["assets"][asset]["path"]
        c_other = path[0][0]
        path[1][0] = c_other  # a sibling claiming another (smaller) subtree sum
        with pytest.raises(InvalidProof):
            inclusion.verify(doc, honest.manifest)

    def test_maxwell_parent_claims_max_instead_of_sum(self, honest):
        """A prover rewriting a parent as max(child) must also rewrite the hash chain, and the
        hash binds both children's commitments: the root no longer matches."""
        from zksolv import tree
        from zksolv.hashing import node_hash

        doc = _proof(honest)
        asset, item = next(iter(doc["assets"].items()))
        siblings = [(bytes.fromhex(c), bytes.fromhex(h)) for c, h in item["path"]]
        c_sib, h_sib = siblings[0]
        forged_parent_hash = node_hash(1, c_sib, h_sib, c_sib, h_sib)  # both children "equal"
        siblings[1] = (siblings[1][0], forged_parent_hash)
        entry = honest.manifest.assets[asset]
        secret = bytes.fromhex(doc["user_secret"])
        from zksolv import roundkeys
        from zksolv.commitments import commit
        from zksolv.hashing import id_hash, leaf_hash
        from zksolv.amounts import parse_amount

        units = parse_amount(item["balance"], honest.manifest.reserves.assets[asset].decimals)
        c = commit(units, roundkeys.leaf_blinding(secret, asset)).to_bytes()
        h = leaf_hash(asset, id_hash(doc["user_id"], roundkeys.leaf_salt(secret, asset)), c)
        assert tree.walk(item["leaf_index"], c, h, siblings) != (entry.root_commitment, entry.root_hash)

    @pytest.mark.parametrize("bad_value", [N - 10**8, (1 << 64) + 5], ids=["negative", "over-range"])
    def test_negative_or_oversized_leaf(self, tmp_path, monkeypatch, bad_value):
        """A padding leaf carrying −1 BTC (≡ n − 10^8) or 2^64 + 5 to shrink or wrap the total."""
        r = negative_leaf_round(tmp_path, monkeypatch, bad_value)
        if bad_value > N // 2:  # negative: the total shrinks, solvency still "holds"
            verify.verify(r.out)  # the quick check cannot see leaves: that is audit's job
        with pytest.raises(InvalidProof, match="proof does not verify"):
            verify.audit(r.out)

    def test_two_users_sharing_one_leaf(self, tmp_path, monkeypatch):
        r = shared_leaf_round(tmp_path, monkeypatch, prove.Options(workers=1, chunk=4, capacity=16))
        with pytest.raises(InvalidProof, match="share"):
            verify.audit(r.out)
        with pytest.raises(InputError, match="does not match its manifest"):  # zksolv's own build refuses
            _proof(r, "user-000003")
        st = state_module.State(r.state)  # a cheating prover skips that check; the customer's fails
        proof = inclusion.assemble(st, r.manifest, "user-000003")
        st.close()
        with pytest.raises(InvalidProof):
            inclusion.verify(proof, r.manifest, "user-000003")

    def test_replayed_reserve_signatures(self, honest, previous_round, tmp_path):
        """Signatures of an older attestation reused for this one: prove and verify refuse."""
        old = json.loads(previous_round.reserves.read_text())
        replayed = tmp_path / "replayed.json"
        old["attestation_id"] = honest.manifest.attestation_id
        replayed.write_text(json.dumps(old))
        with pytest.raises(InvalidProof, match="not by"):
            prove.run(honest.ledger, replayed, tmp_path / "a", tmp_path / "s.db", prove.Options(workers=1), QUIET)
        assert not (tmp_path / "a").exists() and not (tmp_path / "s.db").exists()
        copy = _copy(honest, tmp_path)
        old_btc = json.loads(previous_round.reserves.read_text())["assets"]["BTC"]["wallets"]
        edit_json(copy / "manifest.json", lambda d: d["assets"]["BTC"].update(wallets=old_btc))
        with pytest.raises(InvalidProof):
            verify.verify(copy)

    def test_root_differs_from_the_manifest(self, honest, previous_round, tmp_path):
        copy = _copy(honest, tmp_path)
        other_root = previous_round.manifest.assets["BTC"].root_commitment.hex()
        edit_json(copy / "manifest.json", lambda d: d["assets"]["BTC"]["root"].update(commitment=other_root))
        with pytest.raises(InvalidProof):
            verify.verify(copy)

    def test_unbound_manifest_fields_are_bound(self, honest, tmp_path):
        for change in (lambda d: d.update(timestamp="2020-01-01T00:00:00Z"),
                       lambda d: d.update(previous="00" * 32),
                       lambda d: d["circuits"].update(name="other")):
            copy = _copy(honest, tmp_path / str(id(change)))
            edit_json(copy / "manifest.json", change)
            with pytest.raises(InvalidProof):
                verify.verify(copy)


class TestTamperedFiles:
    def test_flipped_bytes_in_the_manifest(self, honest, tmp_path):
        data = (honest.out / "manifest.json").read_bytes()
        positions = range(0, len(data), max(1, len(data) // 60))
        for i in positions:
            copy = _copy(honest, tmp_path / f"m{i}")
            bad = bytearray(data)
            bad[i] ^= 0x01
            (copy / "manifest.json").write_bytes(bytes(bad))
            with pytest.raises(ZksolvError):
                verify.verify(copy)

    def test_flipped_bytes_in_an_audit_file(self, honest, tmp_path):
        audit_file = honest.out / "BTC.audit"
        data = audit_file.read_bytes()
        copy = _copy(honest, tmp_path)
        for i in list(range(0, 20)) + list(range(20, len(data), max(1, len(data) // 25))):
            bad = bytearray(data)
            bad[i] ^= 0x01
            (copy / "BTC.audit").write_bytes(bytes(bad))
            with pytest.raises(ZksolvError):
                verify.audit(copy)

    def test_audit_file_rewritten_with_a_matching_hash(self, honest, tmp_path):
        """Even if the manifest's file hash is updated too, the proofs bind the old body."""
        copy = _copy(honest, tmp_path)
        data = bytearray((copy / "BTC.audit").read_bytes())
        data[-1] ^= 0x01
        (copy / "BTC.audit").write_bytes(bytes(data))
        from zksolv.attestation.auditfile import file_digest

        digest, size = file_digest(copy / "BTC.audit")
        edit_json(copy / "manifest.json", lambda d: d["assets"]["BTC"]["audit"].update(sha256=digest))
        with pytest.raises(InvalidProof):
            verify.audit(copy)


class TestBadInput:
    @pytest.mark.parametrize("row,match", [
        ("user-x,BTC,-1", "debts need --prices"), ("user-x,BTC,0.000000001", "decimals"), ("user-x,DOGE,1", "DOGE"),
        ("user-000000,BTC,1", "duplicate"),
    ])
    def test_bad_ledger_writes_nothing(self, honest, tmp_path, row, match):
        ledger = tmp_path / "ledger.csv"
        ledger.write_text(honest.ledger.read_text() + row + "\n")
        with pytest.raises(InputError, match=match):
            prove.run(ledger, honest.reserves, tmp_path / "out", tmp_path / "s.db", prove.Options(workers=1), QUIET)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.csv"]

    def test_insolvent_and_under_covered_refuse(self, honest, tmp_path):
        for percent in ("50", None):
            reserves = tmp_path / "r.json"
            doc = json.loads(honest.reserves.read_text())
            if percent is None:  # coverage of 200 % asked, 110 % held
                options = prove.Options(workers=1, coverage_percent="200")
            else:
                doc["assets"]["BTC"]["wallets"] = doc["assets"]["BTC"]["wallets"][1:]  # drop half the BTC
                options = prove.Options(workers=1)
            reserves.write_text(json.dumps(doc))
            with pytest.raises(Insolvent):
                prove.run(honest.ledger, reserves, tmp_path / "out", tmp_path / "s.db", options, QUIET)
            assert not (tmp_path / "out").exists() and not (tmp_path / "s.db").exists()

    @pytest.mark.parametrize("mutate,match", [
        (lambda d: d.update(attestation_id="bad id!"), "attestation_id"),
        (lambda d: d["assets"]["BTC"].update(decimals=-1), "decimals"),
        (lambda d: d["assets"]["BTC"]["wallets"][0].update(balance="1e3"), "balance|plain decimal"),
        (lambda d: d["assets"]["BTC"]["wallets"].append(dict(d["assets"]["BTC"]["wallets"][0])), "twice"),
        (lambda d: d["assets"]["ETH"]["wallets"][0].update(address="0x123"), "Ethereum address"),
    ])
    def test_bad_reserves(self, honest, tmp_path, mutate, match):
        reserves = tmp_path / "r.json"
        reserves.write_text(honest.reserves.read_text())
        edit_json(reserves, mutate)
        with pytest.raises(InputError, match=match):
            prove.run(honest.ledger, reserves, tmp_path / "o", tmp_path / "s.db", prove.Options(workers=1), QUIET)

    def test_corrupt_manifest_is_a_clear_error(self, honest, tmp_path):
        copy = _copy(honest, tmp_path)
        (copy / "manifest.json").write_text("{\"format\": \"zksolv-attestation\"}")
        with pytest.raises(EncodingError, match="manifest.json: missing version"):
            verify.verify(copy)
