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


class TestAnAssetIsHeldInTheCoinItNames:
    """Nothing binds an attested asset's name to the on-chain asset of its wallets: "BTC" may
    be backed by native ETH (or "USDT" by any token contract), and `verify --snapshot` says
    "BTC: solvent … balances match the snapshot" — the snapshot rightly confirms ETH balances
    read as BTC. The verifier is never shown which coins back which asset (SPEC.md §6.1)."""

    def _btc_backed_by_ether(self, honest, tmp_path):
        from zksolv.reserves import signing
        from zksolv.reserves.file import control_message

        doc = json.loads(honest.reserves.read_text())
        key = signing.new_key()
        address = signing.ethereum_address(key)
        btc = doc["assets"]["BTC"]["wallets"]
        btc[-1] = {"chain": "ethereum", "address": address, "balance": btc[-1]["balance"],
                   "signature": signing.ethereum_sign(key, control_message(doc["attestation_id"], address))}
        reserves = tmp_path / "reserves.json"
        reserves.write_text(json.dumps(doc))
        r = prove_round(tmp_path, honest.ledger, reserves)
        snapshot = tmp_path / "snapshot.csv"
        rows = ["chain,address,token,balance"] + [
            f"{w.chain},{w.address},native,{w.balance}" for a in r.manifest.reserves.assets.values() for w in a.wallets]
        snapshot.write_text("\n".join(rows) + "\n")
        return r, snapshot

    def test_verify_shows_the_on_chain_asset_of_each_attested_asset(self, honest, tmp_path, capsys):
        r, snapshot = self._btc_backed_by_ether(honest, tmp_path)
        code, out = _run(capsys, "verify", r.out, "--snapshot", snapshot)
        refused = code != 0
        btc_lines = [line for line in out.splitlines() if line.startswith("BTC")]
        assert refused or any("ethereum" in line for line in btc_lines)


class TestSchedulerAddressOfAnUnknownScheme:
    """`--scheduler http://HOST:PORT` passed the option's check and reached Dask, whose
    ValueError ("unknown address scheme") came out as an internal error, exit 4."""

    @pytest.mark.parametrize("command", ["prove", "audit"])
    def test_is_a_usage_error(self, honest, tmp_path, capsys, command):
        if command == "prove":
            args = ["prove", "--ledger", honest.ledger, "--reserves", honest.reserves, "--out", tmp_path / "att",
                    "--state", tmp_path / "s.db", "--workers", "1", "--quiet"]
        else:
            args = ["audit", honest.out, "--quiet"]
        with pytest.raises(SystemExit) as exit_:
            main([str(a) for a in args] + ["--scheduler", "http://127.0.0.1:1"])
        err = capsys.readouterr().err
        assert exit_.value.code == 2 and err.startswith("zksolv: error: ") and err.count("\n") == 1
        assert not (tmp_path / "s.db").exists()


class TestAnOutputPlaceThePermissionBitsLieAbout:
    """`os.access` reads permission bits; as root it says yes where creating still fails
    (sysfs, an immutable directory, root-squashed NFS). `prove --out /sys/kernel/x` as root
    passed the output check, proved everything, then died creating the directory: exit 4.
    Writability is now tried (a directory made and removed) before any work."""

    def test_prove_refuses_before_any_work(self, honest, tmp_path, capsys, monkeypatch):
        from zksolv import outpaths

        monkeypatch.setattr(outpaths.os, "access", lambda *a, **k: True)  # as for root
        with pytest.raises(SystemExit) as exit_:
            main(["prove", "--ledger", str(honest.ledger), "--reserves", str(honest.reserves),
                  "--out", "/sys/kernel/zksolv-adversarial", "--state", str(tmp_path / "s.db"),
                  "--workers", "1", "--quiet"])
        err = capsys.readouterr().err
        assert exit_.value.code == 3 and err.startswith("zksolv: error: --out ") and err.count("\n") == 1
        assert not (tmp_path / "s.db").exists()


def test_the_largest_documented_capacity_is_refused_or_built_not_an_internal_error(honest, tmp_path):
    """`--capacity 4294967296` (2^32, the documented maximum) for a few users: prove sorts
    2^32 padding slots in memory — MemoryError, exit 4, under a 3 GiB address-space limit
    (without one, hundreds of GB and years of proving). Run in a child so the limit holds."""
    import subprocess
    import sys

    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30)); "
            "from zksolv.cli import main; main(sys.argv[1:])")
    args = ["prove", "--ledger", honest.ledger, "--reserves", honest.reserves, "--out", tmp_path / "att",
            "--state", tmp_path / "s.db", "--workers", "1", "--quiet", "--capacity", str(1 << 32)]
    done = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, timeout=300)
    assert done.returncode in (2, 3) and done.stderr.startswith("zksolv: error: ")


class TestPrivateFilesAndPublishedDirectories:
    """README: "an inclusion proof (it carries the customer's secret) is never written into a
    published attestation" — that held only when `--attestation` was named; and `prove --out
    DIR --force` replaced an attestation directory whole, whatever else an operator kept in
    it (a customer's proof, last round's state with its master secret)."""

    def _copy(self, honest, tmp_path):
        import shutil

        att = tmp_path / "att"
        shutil.copytree(honest.out, att)
        return att

    def test_inclusion_out_into_an_attestation_directory_is_refused(self, honest, tmp_path, capsys):
        att = self._copy(honest, tmp_path)
        with pytest.raises(SystemExit) as exit_:
            main(["inclusion", "--state", str(honest.state), "--user", "user-000001", "--out", str(att / "p.json")])
        err = capsys.readouterr().err
        assert exit_.value.code == 3 and err.startswith("zksolv: error: --out ") and err.count("\n") == 1
        assert not (att / "p.json").exists()

    def test_force_keeps_a_directory_holding_more_than_an_attestation(self, honest, tmp_path, capsys):
        att = self._copy(honest, tmp_path)
        kept = att / "round-before.db"
        kept.write_bytes(honest.state.read_bytes())
        with pytest.raises(SystemExit) as exit_:
            main(["prove", "--ledger", str(honest.ledger), "--reserves", str(honest.reserves), "--out", str(att),
                  "--state", str(tmp_path / "s.db"), "--workers", "1", "--quiet", "--force"])
        err = capsys.readouterr().err
        assert exit_.value.code == 3 and err.startswith("zksolv: error: --out ") and err.count("\n") == 1
        assert kept.read_bytes() == honest.state.read_bytes() and not (tmp_path / "s.db").exists()

    def test_force_still_replaces_an_attestation_directory(self, honest, tmp_path, capsys):
        att = self._copy(honest, tmp_path)
        with pytest.raises(SystemExit) as exit_:
            main(["prove", "--ledger", str(honest.ledger), "--reserves", str(honest.reserves), "--out", str(att),
                  "--state", str(tmp_path / "s.db"), "--workers", "1", "--quiet", "--force"])
        assert exit_.value.code == 0 and (att / "manifest.json").is_file()


def test_the_demo_keeps_its_customer_proof_private(tmp_path, capsys):
    """An inclusion proof carries the customer's secret: `inclusion --out` writes it 0600, the
    demo wrote its one 0644."""
    import stat

    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--users", "6", "--dir", str(tmp_path / "d"), "--workers", "1", "--quiet"])
    assert exit_.value.code == 0
    for kind in ("spot", "margin"):
        assert stat.S_IMODE((tmp_path / "d" / f"customer-{kind}.json").stat().st_mode) == 0o600


def test_a_state_replaced_while_prove_runs_is_not_an_internal_error(honest, tmp_path, capsys, monkeypatch):
    """Three `prove` commands started at once on one --state: one wrote the attestation, the
    others died with "OperationalError: attempt to write a readonly database" (exit 4) — the
    state each had opened was renamed over by another. Here the rename is made deterministic:
    the state file is replaced (same bytes, new file) just before the chunks are proved."""
    import os
    import shutil

    from zksolv.attestation import prove

    state = tmp_path / "s.db"
    real = prove._prove_pending

    def replaced_meanwhile(*args, **kwargs):
        shutil.copy(state, tmp_path / "other.db")
        os.replace(tmp_path / "other.db", state)  # what the other command's create-and-rename does
        return real(*args, **kwargs)

    monkeypatch.setattr(prove, "_prove_pending", replaced_meanwhile)
    with pytest.raises(SystemExit) as exit_:
        main(["prove", "--ledger", str(honest.ledger), "--reserves", str(honest.reserves), "--out",
              str(tmp_path / "att"), "--state", str(state), "--workers", "1", "--quiet"])
    err = capsys.readouterr().err
    assert exit_.value.code in (0, 1, 3) and (exit_.value.code == 0 or err.startswith("zksolv: error: "))


def test_pool_workers_end_when_the_prover_is_killed(tmp_path):
    """README invites `kill -9` and a rerun; the killed prover's pool workers stayed forever
    (blocked reading the task pipe, ~270 MB each in a 300,000-user round), a leak per kill.
    A child opens the pool as prove does, reports its workers, and is killed; the workers
    must be gone within a bounded wait (they never went, before)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    code = ("import os, sys, time\n"
            "from zksolv.attestation.executors import executor_for\n"
            "with executor_for(2) as pool:\n"
            "    pids = {pool.submit(os.getpid).result() for _ in range(20)}\n"
            "    print(*sorted(pids), flush=True)\n"
            "    time.sleep(600)\n")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    workers = [int(p) for p in child.stdout.readline().split()]
    child.kill()
    child.wait()

    def alive(pid):
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as f:
                return f.read().split(") ")[1][0] != "Z"
        except (ProcessLookupError, FileNotFoundError):
            return False

    for _ in range(100):  # up to ~10 s; the fixed workers leave within about one second
        if not any(alive(pid) for pid in workers):
            break
        time.sleep(0.1)
    left = [pid for pid in workers if alive(pid)]
    for pid in left:  # never leave them behind, whatever the verdict
        os.kill(pid, signal.SIGKILL)
    assert workers and not left
