"""Findings of an adversarial review after the issue-10 hardening: each test failed on the
code it was written against (see the commit that added it)."""

import json

import pytest

from roundkit import inputs, prove_round
from zksolv.cli import main
from zksolv.state import State


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    d = tmp_path_factory.mktemp("adversarial")
    ledger, reserves = inputs(d, "adversarial-round", users=8)
    return prove_round(d, ledger, reserves)


def _proof_of(r, user: str) -> dict:
    from zksolv import inclusion

    st = State(r.state)
    try:
        return inclusion.build(st, r.manifest, user)
    finally:
        st.close()


def _run(capsys, *args) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        main([str(a) for a in args])
    return exit_.value.code, capsys.readouterr().out


class TestCustomerSeesWhoseBalanceIsShown:
    """`verify-inclusion` without `--user` checked nobody's identity and never said whose
    balances it showed: an exchange could hand Bob the proof of Alice, who holds the same
    balance, and Bob's check said "BTC: 1.5 is counted … VALID" — one leaf for two customers."""

    def test_the_text_output_names_the_proofs_user(self, honest, tmp_path, capsys):
        path = tmp_path / "alice.json"
        path.write_text(json.dumps(_proof_of(honest, "user-000002")))
        code, out = _run(capsys, "verify-inclusion", path, "--attestation", honest.out)
        assert code == 0
        balance_lines = [line for line in out.splitlines() if "is counted" in line]
        assert balance_lines and all("'user-000002'" in line for line in balance_lines)

    def test_the_json_output_names_the_proofs_user(self, honest, tmp_path, capsys):
        path = tmp_path / "alice.json"
        path.write_text(json.dumps(_proof_of(honest, "user-000002")))
        code, out = _run(capsys, "verify-inclusion", path, "--attestation", honest.out, "--json")
        assert code == 0
        assert json.loads(out)["user_id"] == "user-000002"
