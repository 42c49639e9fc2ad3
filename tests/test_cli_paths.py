"""Output paths are checked before any work (README "Exit codes", SPEC.md §8): the state
never lands in or replaces what is published, no input is replaced, nothing is
half-written, and a refusal is exit 3 with one line."""

import json
import os

import pytest

from clikit import invoke, leftovers, one_error_line
from roundkit import inputs
from zksolv import fsutil, outpaths, state as state_module
from zksolv.attestation import prove as prove_module
from zksolv.errors import InputError


@pytest.fixture(scope="module")
def proved(tmp_path_factory):
    d = tmp_path_factory.mktemp("paths")
    ledger, reserves = inputs(d, "paths-round", users=6)
    done = invoke("prove", "--ledger", ledger, "--reserves", reserves, "--out", d / "att", "--state", d / "state.db",
                  "--workers", "1", "--chunk", "4")
    assert done.code == 0, done.stderr
    return d


@pytest.fixture
def no_work(monkeypatch):
    """Fail loudly if prove starts reading its inputs: a refusal must come before."""
    def work_began(*args, **kwargs):
        raise AssertionError("prove began its work before refusing")
    monkeypatch.setattr(prove_module.reserves_module, "load", work_began)


def _prove(d, out, state, *extra, cwd=None):
    return invoke("prove", "--ledger", d / "ledger.csv", "--reserves", d / "reserves.json", "--out", out,
                  "--state", state, "--workers", "1", "--chunk", "4", *extra, cwd=cwd)


def _refused(outcome, words: str) -> bool:
    return outcome.code == 3 and one_error_line(outcome) and words in outcome.stderr


def _snapshot(path):
    return {p: open(os.path.join(dp, p), "rb").read() for dp, _, files in os.walk(path) for p in files} \
        if os.path.isdir(path) else open(path, "rb").read()


def test_state_and_out_the_same_path_refused(proved, tmp_path, no_work):
    assert _refused(_prove(proved, tmp_path / "x", tmp_path / "x", "--force"), "are the same path")
    assert os.listdir(tmp_path) == []
    before = _snapshot(proved / "state.db")
    outcome = _prove(proved, proved / "state.db", proved / "state.db", "--force")
    assert outcome.code == 3 and one_error_line(outcome)
    assert _snapshot(proved / "state.db") == before  # the master secret is still there


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_state_inside_out_refused(proved, tmp_path, no_work, force):
    out = tmp_path / "att"
    out.mkdir()
    outcome = _prove(proved, out, out / "state.db", *force)
    assert _refused(outcome, "is inside --out")
    assert os.listdir(out) == []


def test_state_inside_out_however_spelled(proved, tmp_path, no_work):
    (tmp_path / "att").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "att")
    assert _refused(_prove(proved, tmp_path / "att", tmp_path / "link" / "s.db"), "is inside --out")
    assert _refused(_prove(proved, "att", tmp_path / "x" / ".." / "att" / "s.db", cwd=tmp_path), "is inside --out")
    assert _refused(_prove(proved, tmp_path / "att", "./att/sub/../s.db", cwd=tmp_path), "is inside --out")
    assert _refused(_prove(proved, tmp_path / "link", tmp_path / "att" / "s.db"), "is a symbolic link")
    assert os.listdir(tmp_path / "att") == []


@pytest.mark.parametrize("what", ["ledger.csv", "reserves.json"])
def test_force_never_replaces_an_input(proved, tmp_path, no_work, what):
    """--force replaces --out whole: an input inside it, or named as the state, is refused."""
    d = tmp_path / "att"
    d.mkdir()
    (d / "manifest.json").write_text("{}")  # an attestation directory, which --force may replace
    (d / what).write_bytes((proved / what).read_bytes())
    ledger = d / what if what == "ledger.csv" else proved / "ledger.csv"
    reserves = d / what if what == "reserves.json" else proved / "reserves.json"
    outcome = invoke("prove", "--ledger", ledger, "--reserves", reserves, "--out", d, "--state", tmp_path / "s.db",
                     "--force")
    assert _refused(outcome, "is inside --out")
    outcome = invoke("prove", "--ledger", ledger, "--reserves", reserves, "--out", tmp_path / "o",
                     "--state", d / what, "--force")
    assert _refused(outcome, "are the same path")
    assert (d / what).read_bytes() == (proved / what).read_bytes()


def test_round_secret_file_inside_out_refused(proved, tmp_path, no_work):
    (tmp_path / "att").mkdir()
    (tmp_path / "att" / "manifest.json").write_text("{}")
    (tmp_path / "att" / "secret.hex").write_text("00" * 32)
    outcome = _prove(proved, tmp_path / "att", tmp_path / "s.db", "--force", "--round-secret-file",
                     tmp_path / "att" / "secret.hex")
    assert _refused(outcome, "--round-secret-file")


@pytest.mark.parametrize("which", ["--out", "--state"])
def test_output_under_a_regular_file_refused_before_any_work(proved, tmp_path, no_work, which):
    (tmp_path / "file").write_text("x")
    bad = tmp_path / "file" / "sub" / "x"
    out, st = (bad, tmp_path / "s.db") if which == "--out" else (tmp_path / "att", bad)
    outcome = _prove(proved, out, st)
    assert outcome.code == 3 and one_error_line(outcome) and which in outcome.stderr
    assert sorted(os.listdir(tmp_path)) == ["file"]  # no state left behind, no directory made


def test_output_in_an_unwritable_place_refused_before_any_work(proved, tmp_path, no_work, monkeypatch):
    """Permission bits do not bind root (the CI user here), so the OS's answer is simulated."""
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(outpaths.os, "access", lambda p, mode: os.fspath(p) != str(locked) and real_access(p, mode))
    outcome = _prove(proved, locked / "att", tmp_path / "s.db")
    assert _refused(outcome, "cannot write in")
    outcome = _prove(proved, tmp_path / "att", locked / "new" / "s.db")
    assert _refused(outcome, "cannot write in")
    assert sorted(os.listdir(tmp_path)) == ["locked"] and os.listdir(locked) == []


@pytest.mark.parametrize("kind", ["directory", "fifo", "dangling link"])
def test_state_that_is_not_a_regular_file_refused(proved, tmp_path, no_work, kind):
    st = tmp_path / "s.db"
    if kind == "directory":
        st.mkdir()
    elif kind == "fifo":
        os.mkfifo(st)  # sqlite would block reading it
    else:
        st.symlink_to(tmp_path / "nowhere")
    outcome = _prove(proved, tmp_path / "att", st, "--force")
    assert outcome.code == 3 and one_error_line(outcome) and "--state" in outcome.stderr
    assert not (tmp_path / "att").exists()


def test_out_that_is_a_file_refused_even_with_force(proved, tmp_path, no_work):
    (tmp_path / "att").write_text("keep me")
    assert _refused(_prove(proved, tmp_path / "att", tmp_path / "s.db", "--force"), "is not a directory")
    assert (tmp_path / "att").read_text() == "keep me"


def test_force_replaces_only_an_attestation_directory(proved, tmp_path, no_work):
    """--out ~ --force by mistake must not wipe a home directory."""
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "thesis.tex").write_text("years of work")
    outcome = _prove(proved, tmp_path / "home", tmp_path / "s.db", "--force")
    assert _refused(outcome, "holds no manifest.json")
    assert os.listdir(tmp_path / "home") == ["thesis.tex"]


def test_force_replaces_an_attestation_directory(proved, tmp_path):
    import shutil

    shutil.copytree(proved / "att", tmp_path / "att")
    outcome = _prove(proved, tmp_path / "att", tmp_path / "s.db", "--force", "--json")
    assert outcome.code == 0, outcome.stderr
    assert leftovers(tmp_path) == []


def test_empty_paths_are_usage_errors(proved):
    outcome = _prove(proved, "", proved / "s2.db")
    assert outcome.code == 2 and one_error_line(outcome)


def test_inclusion_out_never_overwrites(proved, tmp_path):
    target = tmp_path / "alice.json"
    target.write_text("mine")
    outcome = invoke("inclusion", "--state", proved / "state.db", "--user", "user-000001", "--out", target)
    assert _refused(outcome, "already exists")
    assert target.read_text() == "mine" and leftovers(tmp_path) == []


def test_inclusion_out_under_a_file_or_inside_the_attestation_refused(proved, tmp_path):
    (tmp_path / "file").write_text("x")
    outcome = invoke("inclusion", "--state", proved / "state.db", "--user", "user-000001",
                     "--out", tmp_path / "file" / "alice.json")
    assert outcome.code == 3 and one_error_line(outcome)
    outcome = invoke("inclusion", "--state", proved / "state.db", "--user", "user-000001",
                     "--attestation", proved / "att", "--out", proved / "att" / "alice.json")
    assert _refused(outcome, "is inside --attestation")  # a user's secret must not be published
    assert not (proved / "att" / "alice.json").exists()


def test_inclusion_out_written_whole(proved, tmp_path):
    outcome = invoke("inclusion", "--state", proved / "state.db", "--user", "user-000001",
                     "--out", tmp_path / "new" / "alice.json")
    assert outcome.code == 0, outcome.stderr
    assert json.loads((tmp_path / "new" / "alice.json").read_text())["user_id"] == "user-000001"
    assert leftovers(tmp_path / "new") == []


@pytest.mark.parametrize("setup", ["file", "non-empty"])
def test_demo_dir_refused_before_any_work(tmp_path, setup):
    if setup == "file":
        (tmp_path / "file").write_text("x")
        directory = tmp_path / "file" / "demo"
    else:
        directory = tmp_path / "used"
        directory.mkdir()
        (directory / "ledger.csv").write_text("mine")
    outcome = invoke("demo", "--users", "2", "--workers", "1", "--dir", directory)
    assert outcome.code == 3 and one_error_line(outcome) and "--dir" in outcome.stderr
    assert "--force" not in outcome.stderr  # demo has none to offer
    assert setup == "file" or os.listdir(directory) == ["ledger.csv"]


def test_a_used_out_directory_is_refused_with_the_way_out(proved, no_work):
    outcome = _prove(proved, proved / "att", proved / "other.db")
    assert _refused(outcome, "already exists and is not empty (use --force to replace it)")


def test_a_failure_after_proving_began_leaves_a_resumable_state(proved, tmp_path, monkeypatch):
    """Publishing fails (say the disk fills): no attestation, and the state is the round
    in progress, which the same command then finishes without proving a chunk again."""
    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(prove_module, "_publish", disk_full)
    failed = _prove(proved, tmp_path / "att", tmp_path / "s.db", "--json")
    assert failed.code == 4 and not (tmp_path / "att").exists()
    monkeypatch.undo()
    resumed = _prove(proved, tmp_path / "att", tmp_path / "s.db", "--json")
    assert resumed.code == 0, resumed.stderr
    assert json.loads(resumed.stdout)["chunks_already_proved"] > 0
    assert leftovers(tmp_path) == []


def test_a_state_being_created_appears_whole_or_not_at_all(tmp_path, monkeypatch):
    monkeypatch.setattr(state_module, "_SCHEMA", "CREATE TABLE broken(")  # fails inside the creation
    with pytest.raises(Exception):
        state_module.RoundStore.open(tmp_path / "s.db", "digest", {"attestation_id": "x"})
    assert os.listdir(tmp_path) == []


def test_atomic_dir_failure_leaves_target_untouched(tmp_path):
    target = tmp_path / "att"
    target.mkdir()
    (target / "old").write_text("old")
    with pytest.raises(RuntimeError):
        with fsutil.atomic_dir(target, force=True) as tmp:
            (tmp / "new").write_text("half")
            raise RuntimeError("interrupted")
    assert os.listdir(target) == ["old"] and leftovers(tmp_path) == []


def test_atomic_dir_puts_the_old_directory_back_if_the_swap_fails(tmp_path, monkeypatch):
    target = tmp_path / "att"
    target.mkdir()
    (target / "old").write_text("old")
    real_replace, calls = os.replace, []

    def second_fails(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)
    monkeypatch.setattr(fsutil.os, "replace", second_fails)
    with pytest.raises(OSError):
        with fsutil.atomic_dir(target, force=True) as tmp:
            (tmp / "new").write_text("new")
    assert os.listdir(target) == ["old"] and leftovers(tmp_path) == []


def test_atomic_file_without_replace_never_overwrites(tmp_path):
    target = tmp_path / "f"
    with pytest.raises(InputError):
        with fsutil.atomic_file(target, replace=False) as tmp:
            tmp.write_text("new")
            target.write_text("appeared meanwhile")
    assert target.read_text() == "appeared meanwhile" and leftovers(tmp_path) == []


def test_paths_echoed_on_stdout_stay_one_line_each(proved, tmp_path):
    out = tmp_path / "att\nPWNED\x1b[2J"
    outcome = _prove(proved, out, tmp_path / "s.db")
    assert outcome.code == 0, outcome.stderr
    assert out.is_dir() and not any(line.startswith("PWNED") for line in outcome.stdout.splitlines())
    assert all(c.isprintable() for line in outcome.stdout.splitlines() for c in line)
