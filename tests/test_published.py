"""An attestation published at an fsspec URL (`prove --out URL`; SPEC.md §8): the same
files as a local directory, `manifest.json` uploaded last (the commit point), an existing
output refused before any work, `--force` replacing an attestation manifest first."""

import shutil
import uuid
from pathlib import Path

import pytest

import zkstestfs
from roundkit import QUIET
from test_scale import _same_tree
from test_sharded import _options, pool_round  # noqa: F401 (a fixture: the pool's round of 24 users)
from zksolv import published, storage
from zksolv.attestation import prove
from zksolv.errors import InputError


@pytest.fixture
def remote():
    name = uuid.uuid4().hex
    yield f"zkstest://{name}/att", Path(zkstestfs.backing_root()) / name / "att"
    shutil.rmtree(Path(zkstestfs.backing_root()) / name, ignore_errors=True)


def _uploads(monkeypatch) -> list[str]:
    names, real = [], storage.upload

    def spy(fs, local, remote):
        names.append(remote.rsplit("/", 1)[-1])
        return real(fs, local, remote)

    monkeypatch.setattr(storage, "upload", spy)
    return names


def test_an_attestation_published_at_a_url_is_the_local_one_manifest_last(pool_round, remote, tmp_path,
                                                                           monkeypatch):
    ledger_path, reserves, pool = pool_round
    url, where = remote
    uploaded = _uploads(monkeypatch)
    prove.run(ledger_path, reserves, url, tmp_path / "s.db", _options(workers=1, capacity=32), QUIET)
    assert _same_tree(pool / "att", where)
    assert uploaded[-1] == "manifest.json" and sorted(uploaded) == sorted(p.name for p in where.iterdir())


def test_an_existing_output_url_is_refused_before_any_work(pool_round, remote, tmp_path):
    ledger_path, reserves, _ = pool_round
    url, where = remote
    where.mkdir(parents=True)
    (where / "notes.txt").write_text("mine")
    for force in (False, True):   # --force replaces an attestation only
        with pytest.raises(InputError, match="already exists|not an attestation's"):
            prove.run(ledger_path, reserves, url, tmp_path / "s.db", _options(workers=1, capacity=32, force=force),
                      QUIET)
        assert not (tmp_path / "s.db").exists()
    assert [p.name for p in where.iterdir()] == ["notes.txt"]


def test_force_replaces_an_attestation_at_a_url_manifest_first(remote, tmp_path, monkeypatch):
    url, where = remote
    where.mkdir(parents=True)
    for name in ("manifest.json", "OLD.audit", "BTC.audit"):
        (where / name).write_text(f"old {name}")
    removed, real = [], zkstestfs.ZksTestFileSystem.rm_file

    def spy(fs, path, **kw):
        removed.append(path.rsplit("/", 1)[-1])
        return real(fs, path, **kw)

    monkeypatch.setattr(zkstestfs.ZksTestFileSystem, "rm_file", spy)
    uploaded = _uploads(monkeypatch)
    with published.output(url, force=True) as out:
        for name in ("manifest.json", "BTC.audit", "ETH.audit"):
            (out.directory / name).write_text(f"new {name}")
        out.publish()
    assert removed[0] == "manifest.json" and sorted(removed) == ["BTC.audit", "OLD.audit", "manifest.json"]
    assert uploaded[-1] == "manifest.json"
    assert {p.name: p.read_text() for p in where.iterdir()} == {n: f"new {n}" for n in uploaded}


def test_a_failed_upload_leaves_no_attestation_and_the_round_resumes(pool_round, remote, tmp_path, monkeypatch):
    ledger_path, reserves, pool = pool_round
    url, where = remote
    real = storage.upload

    def failing(fs, local, remote):
        if Path(local).name == "manifest.json":
            raise OSError("the bucket went away")
        return real(fs, local, remote)

    monkeypatch.setattr(storage, "upload", failing)
    with pytest.raises(InputError, match="publishing failed .*the bucket went away"):
        prove.run(ledger_path, reserves, url, tmp_path / "s.db", _options(workers=1, capacity=32), QUIET)
    assert not (where / "manifest.json").exists()
    monkeypatch.setattr(storage, "upload", real)
    _, resumed = prove.run(ledger_path, reserves, url, tmp_path / "s.db", _options(workers=1, capacity=32, force=True),
                           QUIET, with_resume_count=True)
    assert resumed == 32 // 4 * 3   # every chunk was kept: the same round, published again
    assert _same_tree(pool / "att", where)


def test_a_margin_round_cannot_publish_at_a_url(pool_round, remote, tmp_path):
    ledger_path, reserves, _ = pool_round
    with pytest.raises(InputError, match="only for a spot round"):
        prove.run(ledger_path, reserves, remote[0], tmp_path / "s.db", _options(prices=str(ledger_path)), QUIET)


def test_an_output_that_appeared_while_the_round_was_proved_is_not_overwritten(remote):
    url, where = remote
    with pytest.raises(InputError, match="already exists"):
        with published.output(url, force=False) as out:
            (out.directory / "manifest.json").write_text("new")
            where.mkdir(parents=True)
            (where / "manifest.json").write_text("another prover's")
            out.publish()
    assert (where / "manifest.json").read_text() == "another prover's"
