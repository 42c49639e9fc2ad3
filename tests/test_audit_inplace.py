"""`audit --scheduler` with the work units reading the audit files in place (issue 14 item 4;
SPEC.md §6.10): on the real `dask scheduler` + `dask worker` processes of the `cluster`
fixture, the same verdicts and the same error texts as the local executor for an honest
round and for every kind of damaged file; the bytes the units check are the bytes the
auditor hashed (a file changed mid-audit, a server answering readers differently); and
what the auditor's process receives from the cluster does not grow with the leaves."""

import dataclasses
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import zkstestfs
from marginkit import prove_margin
from roundkit import OPTIONS, inputs, prove_round, shared_leaf_round
from test_coordinator_memory import bytes_received, no_timed_refresh
from zksolv.attestation import inplace, manifest as manifest_module, prove, verify
from zksolv.attestation.auditsource import source_of
from zksolv.attestation.executors import InlineExecutor
from zksolv.errors import ZksolvError


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    """An honest round of 12 users (chunks of 4) and its manifest."""
    directory = tmp_path_factory.mktemp("honest")
    ledger, reserves = inputs(directory / "in", "audit-in-place")
    r = prove_round(directory, ledger, reserves, OPTIONS)
    return r.out, r.manifest


@pytest.fixture
def in_place_only(monkeypatch):
    """Every cluster audit below must read in place: workers that do not see the file (so
    that the audit would stream it through this process) fail the test."""
    real = inplace.workers_see

    def must_see(client, source):
        assert real(client, source), "the workers do not see the audit file: the audit would stream it"
        return True

    monkeypatch.setattr(inplace, "workers_see", must_see)
    monkeypatch.setattr(verify, "PROOFS_PER_BATCH", 1)   # a unit per chunk: several units an asset


def _outcome(call):
    try:
        return "valid", call()
    except ZksolvError as exc:
        return type(exc).__name__, str(exc)


def test_an_honest_round_audits_alike_in_place_and_on_one_machine(cluster, honest, in_place_only):
    out, _ = honest
    on_cluster = verify.audit(out, scheduler=cluster.address)
    assert on_cluster.leaves_checked > 0 and on_cluster.range_proofs_checked > 0
    assert dataclasses.asdict(on_cluster) == dataclasses.asdict(verify.audit(out, workers=1))


def _copy(out, tmp_path):
    copy = tmp_path / "attestation"
    shutil.copytree(out, copy)
    return copy


def _header_bytes(asset: str) -> int:
    return 8 + 2 + 1 + len(asset.encode()) + 3


def _tamper(kind: str, data: bytearray, asset: str, entry) -> bytearray:
    """The audit file `data` damaged as `kind` says: a leaf of the second half (LEAF), the
    last range proof."""
    leaves, proofs = _header_bytes(asset), _header_bytes(asset) + 65 * entry.capacity
    chunks = entry.capacity // entry.chunk
    if kind == "leaf-commitment":
        data[leaves + 65 * _leaf(entry)] = 5   # no point's encoding starts so
    elif kind == "leaf-hash":
        data[leaves + 65 * _leaf(entry) + 40] ^= 1
    elif kind == "proof":
        data[proofs + chunks * ((len(data) - proofs) // chunks) - 1] ^= 1   # the last proof's last scalar
    elif kind == "truncated":
        del data[-10:]
    elif kind == "trailing":
        data += b"\0"
    return data


def _leaf(entry) -> int:
    """The leaf damaged: in the second half, so not in the first unit (the ledger is random,
    so is every asset's capacity)."""
    return entry.capacity // 2 + 1


def _both(directory, m, asset, entry, cluster):
    """The asset's audit on one machine and in place on the cluster."""
    pool = _outcome(lambda: verify._audit_asset(directory, m, asset, entry, InlineExecutor(), 1, None))
    with verify.engine_for(1, cluster.address) as (executor, client):
        dask = _outcome(lambda: verify._audit_asset(directory, m, asset, entry, executor, 1, None, client))
    return pool, dask


EXPECTED = {"leaf-commitment": "point prefix must be 02 or 03",
            "leaf-hash": "do not sum and hash to the manifest's root",
            "proof": "range proof", "truncated": "truncated in proofs",
            "trailing": "trailing bytes after the last proof"}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_a_damaged_file_the_manifest_lists_gets_the_same_error_in_place(cluster, honest, in_place_only, tmp_path,
                                                                        kind):
    """Damage the file, then give the manifest entry its new hash (as a prover publishing a
    bad file would): every check past the hash decides, with the local executor's text."""
    out, m = honest
    copy = _copy(out, tmp_path)
    asset, entry = next(iter(m.assets.items()))
    path = copy / entry.audit_file
    data = _tamper(kind, bytearray(path.read_bytes()), asset, entry)
    path.write_bytes(data)
    published = dataclasses.replace(entry, audit_sha256=_sha256(data), audit_bytes=len(data))
    pool, dask = _both(copy, m, asset, published, cluster)
    assert pool[0] != "valid" and EXPECTED[kind] in pool[1]
    if kind == "leaf-commitment":
        assert pool[1].startswith(f"{asset}.audit: leaf {_leaf(entry)}: ")
    assert dask == pool


def _sha256(data) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_damaged_file_does_not_match_the_manifest_in_place(cluster, honest, in_place_only, tmp_path):
    out, m = honest
    copy = _copy(out, tmp_path)
    asset, entry = next(iter(m.assets.items()))
    path = copy / entry.audit_file
    path.write_bytes(_tamper("leaf-commitment", bytearray(path.read_bytes()), asset, entry))
    pool = _outcome(lambda: verify.audit(copy, workers=1))
    assert pool == ("InvalidProof", f"{asset}: {entry.audit_file} does not match its hash in the manifest")
    assert _outcome(lambda: verify.audit(copy, scheduler=cluster.address)) == pool


def test_a_leaf_shared_across_two_units_is_refused_in_place_as_on_one_machine(cluster, tmp_path, monkeypatch,
                                                                             in_place_only):
    r = shared_leaf_round(tmp_path, monkeypatch, prove.Options(workers=1, chunk=1, capacity=16))
    pool = _outcome(lambda: verify.audit(r.out, workers=1))
    assert pool[0] == "InvalidProof" and "BTC: two leaves share the hash" in pool[1]
    monkeypatch.setattr(verify, "PROOFS_PER_BATCH", 1)   # one leaf a unit: the two copies in two units
    monkeypatch.setattr(inplace, "UNITS_PER_PARTITION", 1)   # ... and in two partitions of the shuffle
    assert _outcome(lambda: verify.audit(r.out, scheduler=cluster.address)) == pool


# ---- the bytes checked are the bytes hashed --------------------------------------------

def _valid_and_bad(out, m, tmp_path):
    """(the asset, its entry naming the BAD file's hash, the valid bytes, the bad bytes):
    the bad file differs from the valid one by one byte of a range proof."""
    asset, entry = next(iter(m.assets.items()))
    good = (out / entry.audit_file).read_bytes()
    bad = bytes(_tamper("proof", bytearray(good), asset, entry))
    return asset, dataclasses.replace(entry, audit_sha256=_sha256(bad), audit_bytes=len(bad)), good, bad


def test_a_file_that_changes_after_it_was_hashed_is_refused(cluster, honest, in_place_only, tmp_path, monkeypatch):
    """The auditor hashes the bad file the manifest names; the file is then replaced by the
    valid one, which is what the units read: they would pass it."""
    out, m = honest
    copy = _copy(out, tmp_path)
    asset, published, good, bad = _valid_and_bad(out, m, tmp_path)
    path = copy / published.audit_file
    path.write_bytes(bad)
    assert _both(copy, m, asset, published, cluster)[0][0] != "valid"   # the bad file fails on one machine
    monkeypatch.setattr(inplace, "scan", swapping_after(inplace.scan, path, good, tmp_path))
    with verify.engine_for(1, cluster.address) as (executor, client):
        found = _outcome(lambda: verify._audit_asset(copy, m, asset, published, executor, 1, None, client))
    assert found == ("InvalidProof", f"{asset}: {published.audit_file} does not match its hash in the manifest")


def test_a_file_replaced_after_the_streaming_audit_opened_it_is_not_read(honest, tmp_path, monkeypatch):
    """The streaming audit opens its handles, then hashes the bad file the manifest names;
    a valid file then takes its place: what is checked is still the file hashed."""
    from zksolv.attestation import auditsource

    out, m = honest
    copy = _copy(out, tmp_path)
    asset, published, good, bad = _valid_and_bad(out, m, tmp_path)
    path = copy / published.audit_file
    path.write_bytes(bad)
    monkeypatch.setattr(verify, "digests_of", swapping_after(auditsource.digests_of, path, good, tmp_path))
    found = _outcome(lambda: verify._audit_asset(copy, m, asset, published, InlineExecutor(), 1, None))
    assert found[0] == "InvalidProof" and "range proof" in found[1], found


def test_a_file_written_over_in_place_during_the_streaming_audit_is_refused(honest, tmp_path, monkeypatch):
    """The streaming audit hashes the bad file the manifest names; the valid bytes are then
    written over it in place (the same inode, which both open handles then read): they
    would pass, so the bytes read are hashed again and must be those first hashed."""
    from zksolv.attestation import auditsource

    out, m = honest
    copy = _copy(out, tmp_path)
    asset, published, good, bad = _valid_and_bad(out, m, tmp_path)
    path = copy / published.audit_file
    path.write_bytes(bad)

    def hash_then_overwrite(*args):
        hashed = auditsource.digests_of(*args)
        with open(path, "r+b") as f:
            f.write(good)
        return hashed

    monkeypatch.setattr(verify, "digests_of", hash_then_overwrite)
    found = _outcome(lambda: verify._audit_asset(copy, m, asset, published, InlineExecutor(), 1, None))
    assert found == ("InvalidProof", f"{asset}: {published.audit_file} does not match its hash in the manifest")


def swapping_after(scan, path: Path, replacement: bytes, tmp_path):
    """`scan`, after which `path` is replaced by `replacement` (atomically, as a publisher
    would replace it): what the units then read."""
    def scan_then_swap(*args):
        scanned = scan(*args)
        (tmp_path / "swap").write_bytes(replacement)
        (tmp_path / "swap").replace(path)
        return scanned

    return scan_then_swap


def _publish(name: str, file_name: str, data: bytes, mine: Path, my_data: bytes) -> str:
    """`data` as zkstest://NAME/FILE where the cluster's workers read it, and `my_data`
    under `mine`, where this process reads it once `_serve_this_process(mine)`."""
    root = Path(zkstestfs.backing_root()) / name
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / file_name).write_bytes(data)
    (mine / name).mkdir(parents=True)
    (mine / name / file_name).write_bytes(my_data)
    return f"zkstest://{name}"


def _serve_this_process(monkeypatch, directory) -> None:
    """This process's zkstest:// reads from `directory`; the workers' from the usual root."""
    monkeypatch.setattr(zkstestfs, "backing_root", lambda: str(directory))
    zkstestfs.ZksTestFileSystem.clear_instance_cache()


def test_a_server_answering_the_units_other_bytes_is_refused(cluster, honest, in_place_only, tmp_path, monkeypatch):
    """At a URL, this process is served the bad file the manifest names and the workers the
    valid one (even the probe is satisfied): the units' digests give it away."""
    out, m = honest
    asset, published, good, bad = _valid_and_bad(out, m, tmp_path)
    url = _publish("served-differently", published.audit_file, good, tmp_path / "mine", bad)
    _serve_this_process(monkeypatch, tmp_path / "mine")
    monkeypatch.setattr(inplace, "workers_see", lambda client, source: True)
    try:
        with verify.engine_for(1, cluster.address) as (executor, client):
            found = _outcome(lambda: verify._audit_asset(url, m, asset, published, executor, 1, None, client))
    finally:
        monkeypatch.undo()
        zkstestfs.ZksTestFileSystem.clear_instance_cache()
    assert found == ("InvalidProof", f"{asset}: {published.audit_file} does not match its hash in the manifest")


def test_workers_that_see_another_file_make_the_auditor_stream_it(cluster, honest, tmp_path, monkeypatch):
    out, m = honest
    asset, published, good, bad = _valid_and_bad(out, m, tmp_path)
    url = _publish("seen-differently", published.audit_file, good, tmp_path / "mine", bad)
    source = source_of(url, published.audit_file)
    from distributed import Client

    with Client(cluster.address, timeout="10s") as client:
        assert inplace.workers_see(client, source)   # the same file for everyone
        _serve_this_process(monkeypatch, tmp_path / "mine")
        try:
            assert not inplace.workers_see(client, source)
        finally:
            monkeypatch.undo()
            zkstestfs.ZksTestFileSystem.clear_instance_cache()


# ---- the auditor's process stays small -------------------------------------------------

UNITS = 4
"""Work units an asset, at both sizes."""
SMALL, LARGE = (24, 64), (96, 256)
"""(users, capacity of every asset) of the two rounds: 3 assets, 192 and 768 leaves."""
BYTES_PER_LEAF = 4
"""What the auditor may receive per added leaf, at most. Measured: -0.1 bytes a leaf (the
same 14 kB at both sizes); the units returning their leaf hashes to the auditor, for a set
there as the streaming audit keeps, 135."""


def _audited_bytes(cluster, directory, users: int, capacity: int, monkeypatch) -> int:
    ledger, reserves = inputs(directory / "in", f"auditor-{users}", users=users)
    r = prove_round(directory, ledger, reserves, prove.Options(workers=1, chunk=16, capacity=capacity))
    monkeypatch.setattr(verify, "PROOFS_PER_BATCH", capacity // 16 // UNITS)
    with no_timed_refresh(), bytes_received() as counted:
        report = verify.audit(r.out, scheduler=cluster.address)
    assert report.leaves_checked == 3 * capacity
    assert counted[0] > 0, "the count saw no Dask traffic: it measures nothing"
    return counted[0]


def test_what_the_auditor_receives_does_not_grow_with_the_leaves(cluster, tmp_path, monkeypatch, in_place_only):
    small = _audited_bytes(cluster, tmp_path / "small", *SMALL, monkeypatch)
    large = _audited_bytes(cluster, tmp_path / "large", *LARGE, monkeypatch)
    per_leaf = (large - small) / (3 * (LARGE[1] - SMALL[1]))
    assert per_leaf <= BYTES_PER_LEAF, (f"the auditor received {small} bytes at {3 * SMALL[1]} leaves, {large} at "
                                        f"{3 * LARGE[1]}: {per_leaf:.1f} bytes a leaf more")


# ---- an attestation at an fsspec URL (issue 14 item 3) ---------------------------------

def _at_url(out, name: str) -> str:
    """The attestation directory `out` published as zkstest://NAME (every reader sees it)."""
    root = Path(zkstestfs.backing_root()) / name
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(out, root)
    return f"zkstest://{name}"


def test_verify_and_audit_read_an_attestation_at_a_url(cluster, honest, in_place_only):
    out, _ = honest
    url = _at_url(out, "published-honest")
    assert dataclasses.asdict(verify.verify(url)) == dataclasses.asdict(verify.verify(out))
    on_one_machine = dataclasses.asdict(verify.audit(out, workers=1))
    assert dataclasses.asdict(verify.audit(url, workers=1)) == on_one_machine
    assert dataclasses.asdict(verify.audit(url, scheduler=cluster.address)) == on_one_machine


def test_an_audit_file_changed_at_the_url_does_not_match_the_manifest(cluster, honest, in_place_only):
    out, m = honest
    url = _at_url(out, "published-tampered")
    asset, entry = next(iter(m.assets.items()))
    path = Path(zkstestfs.backing_root()) / "published-tampered" / entry.audit_file
    path.write_bytes(_tamper("leaf-hash", bytearray(path.read_bytes()), asset, entry))
    expected = ("InvalidProof", f"{asset}: {entry.audit_file} does not match its hash in the manifest")
    assert _outcome(lambda: verify.audit(url, workers=1)) == expected
    assert _outcome(lambda: verify.audit(url, scheduler=cluster.address)) == expected


@pytest.mark.parametrize("damage, message", [
    ("missing", "manifest.json: cannot read manifest"),
    ("oversized", "manifest.json: manifest is larger than the 16,777,216 bytes allowed"),
    ("directory", "manifest.json: manifest is not a regular file"),
    ("bad-json", "manifest.json: manifest is not valid strict JSON"),
])
def test_a_bad_manifest_at_a_url_is_one_line_naming_the_url(honest, damage, message):
    out, _ = honest
    url = _at_url(out, f"published-{damage}")
    manifest = Path(zkstestfs.backing_root()) / f"published-{damage}" / manifest_module.FILE
    manifest.unlink()
    if damage == "oversized":
        manifest.write_bytes(b" " * (manifest_module.MAX_BYTES + 1))
    elif damage == "directory":
        manifest.mkdir()
    elif damage == "bad-json":
        manifest.write_bytes(b"{")
    kind, text = _outcome(lambda: verify.verify(url))
    assert kind in ("InputError", "EncodingError") and text.startswith(f"{url}/{message}"), text
    assert "\n" not in text


def test_the_commands_take_a_url(cluster, honest):
    out, _ = honest
    url = _at_url(out, "published-cli")
    for args in (["verify", url], ["audit", url, "--scheduler", cluster.address]):
        done = subprocess.run([sys.executable, str(zkstestfs.__file__), *args, "--json"], capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr + cluster.logs()
        assert json.loads(done.stdout)["result"] == "valid"


def test_a_margin_round_at_a_url_audits_on_the_cluster_as_on_one_machine(cluster, tmp_path, in_place_only):
    """Its spot audit files and its margin.audit read in place (their proofs bound to the
    market); streamed on one machine, margin.audit is fetched, bounded by its manifest's size."""
    r = prove_margin(tmp_path / "round", margin_capacity=8, chunk=1)
    url = _at_url(r.out, "published-margin")
    on_one_machine = dataclasses.asdict(verify.audit(r.out, workers=1))
    assert dataclasses.asdict(verify.audit(url, scheduler=cluster.address)) == on_one_machine
    with (Path(zkstestfs.backing_root()) / "published-margin" / "margin.audit").open("ab") as f:
        f.write(b"\0")
    assert _outcome(lambda: verify.audit(url, workers=1)) == ("InvalidProof", "margin.audit does not match its hash "
                                                                              "in the manifest")
