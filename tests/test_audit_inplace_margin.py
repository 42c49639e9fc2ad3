"""`audit --scheduler` reading a margin round's `margin.audit` in place (issue 14 item 4;
SPEC.md §6.10): on the real `dask scheduler` + `dask worker` processes of the `cluster`
fixture, the same verdict and the same error text as the streaming audit for an honest
round and for every kind of damage; the bytes the units check are the bytes the auditor
hashed; two leaves alike in two units are refused, and with a second defect the one the
streaming audit meets first is reported."""

import dataclasses
import hashlib
import io
import shutil
import subprocess
import sys
from contextlib import contextmanager

import pytest

from marginkit import ROWS, prove_margin
from test_coordinator_memory import bytes_received, no_timed_refresh
from test_audit_inplace import _outcome, _publish, _serve_this_process, swapping_after
from zksolv.accounts import keys, leaf as leaf_module
from zksolv.attestation import inplace, margininplace, marginfile, verify, verify2
from zksolv.attestation.auditsource import Source, source_of
from zksolv.attestation.executors import InlineExecutor
from zksolv.cli import Reporter
from zksolv.errors import InvalidProof

LEAF = 5
"""The leaf damaged: not in the first unit (units of two leaves below)."""


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    """A margin round of 8 account leaves in chunks of one."""
    return prove_margin(tmp_path_factory.mktemp("margin-in-place") / "round", margin_capacity=8, chunk=1)


@pytest.fixture
def in_place_only(monkeypatch):
    """The audits below must read margin.audit in place; units of two chunks (four units)."""
    real = inplace.workers_see

    def must_see(client, source):
        assert real(client, source), "the workers do not see margin.audit: the audit would stream it"
        return True

    monkeypatch.setattr(inplace, "workers_see", must_see)
    monkeypatch.setattr(margininplace, "UNIT_LEAVES", 2)


def _both(directory, c, cluster):
    """margin.audit audited streamed on one machine, and in place on the cluster."""
    pool = _outcome(lambda: verify2._audit_margin(directory, c, InlineExecutor(), 1))
    with verify.engine_for(1, cluster.address) as (executor, client):
        dask = _outcome(lambda: verify2._audit_margin_file(directory, directory, c, executor, 1, client, None))
    return pool, dask


def test_an_honest_margin_round_audits_alike_in_place_and_on_one_machine(cluster, honest, in_place_only):
    on_cluster = verify.audit(honest.out, scheduler=cluster.address)
    assert on_cluster.leaves_checked == 3 + 8 and on_cluster.range_proofs_checked > 8
    assert dataclasses.asdict(on_cluster) == dataclasses.asdict(verify.audit(honest.out, workers=1))


def test_workers_that_do_not_see_margin_audit_make_the_auditor_stream_it(cluster, honest, monkeypatch):
    seen, streamed = [], []
    monkeypatch.setattr(inplace, "workers_see", lambda client, source: seen.append(source.location) or False)
    real_stream = verify2._audit_margin
    monkeypatch.setattr(verify2, "_audit_margin", lambda *args: streamed.append(args[0]) or real_stream(*args))
    on_cluster = verify.audit(honest.out, scheduler=cluster.address)
    assert seen[-1] == str((honest.out / marginfile.FILE).absolute()) and streamed == [honest.out]
    assert dataclasses.asdict(on_cluster) == dataclasses.asdict(verify.audit(honest.out, workers=1))


@pytest.mark.parametrize("capacity, chunk, leaves", [
    (8, 1, 8), (256, 64, 256), (1024, 256, 512), (3072, 256, 512), (5120, 64, 512), (2048, 1, 512),
    (4096, 256, 512), (1 << 20, 256, 512)])
def test_a_unit_is_a_perfect_subtree_of_the_account_tree(capacity, chunk, leaves):
    """Whole chunks, a power of two of them, at most UNIT_LEAVES leaves, dividing the
    capacity (so that a unit never runs past the file, nor across two of the forest's
    subtrees), and the most that fit."""
    assert margininplace.chunks_per_unit(capacity, chunk) * chunk == leaves


def _leaf_at(c, index: int) -> int:
    return marginfile.HEADER_BYTES + index * leaf_module.size(c.layout)


def _tamper(kind: str, data: bytearray, c) -> bytearray:
    """margin.audit `data` damaged as `kind` says."""
    if kind == "leaf-point":
        data[_leaf_at(c, LEAF) + 32] = 5   # no point's encoding starts so
    elif kind == "leaf-proof":
        data[_leaf_at(c, LEAF + 1) - 1] ^= 1   # the leaf's last proof's last scalar
    elif kind == "leaf-id":
        data[_leaf_at(c, LEAF)] ^= 1   # its hash, to which its proofs are bound
    elif kind == "magic":
        data[0] ^= 1
    elif kind == "layout":
        data[marginfile.HEADER_BYTES - 1] ^= 1
    elif kind == "chunk":
        data[marginfile.HEADER_BYTES - 33] = 1   # chunks of 2: divides the capacity, not the manifest's
    elif kind == "truncated":
        del data[-10:]
    elif kind == "trailing":
        data += b"\0"
    return data


EXPECTED = {"leaf-point": "point prefix", "leaf-proof": f"range proofs do not verify (leaves {LEAF}…)",
            "leaf-id": f"range proofs do not verify (leaves {LEAF}…)", "magic": "not a zksolv margin audit file",
            "layout": "another layout", "chunk": "margin.audit: header disagrees with the manifest",
            "truncated": "the file has", "trailing": "the file has"}


def _republished(c, data: bytes):
    """`c` with margin.audit's hash and size those of `data` (a prover publishing it)."""
    margin = dataclasses.replace(c.manifest.margin, audit_sha256=hashlib.sha256(data).hexdigest(),
                                 audit_bytes=len(data))
    return dataclasses.replace(c, manifest=dataclasses.replace(c.manifest, margin=margin))


def _copy(honest, tmp_path):
    copy = tmp_path / "attestation"
    shutil.copytree(honest.out, copy)
    return copy, verify2.load(copy)


def test_a_file_swapped_after_the_streaming_audit_hashed_it_is_refused(honest, tmp_path, monkeypatch):
    """The manifest lists a margin.audit with a bad proof; once the auditor has hashed it,
    the honest file takes its place: the bytes checked are not the bytes hashed."""
    copy, c = _copy(honest, tmp_path)
    path = copy / marginfile.FILE
    good = path.read_bytes()
    bad = bytes(_tamper("leaf-proof", bytearray(good), c))
    path.write_bytes(bad)
    monkeypatch.setattr(verify2, "file_digest", swapping_after(verify2.file_digest, path, good, tmp_path))
    with pytest.raises(InvalidProof, match="margin.audit does not match its hash in the manifest"):
        verify2._audit_margin(copy, _republished(c, bad), InlineExecutor(), 1)


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_a_damaged_margin_file_the_manifest_lists_gets_the_same_error_in_place(cluster, honest, in_place_only,
                                                                               tmp_path, kind):
    copy, c = _copy(honest, tmp_path)
    path = copy / marginfile.FILE
    data = _tamper(kind, bytearray(path.read_bytes()), c)
    path.write_bytes(data)
    pool, dask = _both(copy, _republished(c, data), cluster)
    assert pool[0] != "valid" and EXPECTED[kind] in pool[1], pool
    assert dask == pool


def test_a_margin_root_other_than_the_manifests_is_refused_in_place(cluster, honest, in_place_only, tmp_path):
    copy, c = _copy(honest, tmp_path)
    margin = dataclasses.replace(c.manifest.margin, root_hash=bytes(32))
    pool, dask = _both(copy, dataclasses.replace(c, manifest=dataclasses.replace(c.manifest, margin=margin)),
                       cluster)
    assert pool == ("InvalidProof", "the margin leaves do not sum and hash to the manifest's margin root")
    assert dask == pool


def test_a_changed_margin_file_does_not_match_the_manifest_in_place(cluster, honest, in_place_only, tmp_path):
    copy, c = _copy(honest, tmp_path)
    path = copy / marginfile.FILE
    path.write_bytes(_tamper("leaf-proof", bytearray(path.read_bytes()), c))
    pool = _outcome(lambda: verify.audit(copy, workers=1))
    assert pool == ("InvalidProof", "margin.audit does not match its hash in the manifest")
    assert _outcome(lambda: verify.audit(copy, scheduler=cluster.address)) == pool


def test_a_structure_error_past_the_header_is_raised(cluster, honest, tmp_path, monkeypatch):
    """A store that reports a size other than the bytes it serves (here one byte short of a
    file with one byte too many, which the manifest names): the reader's size check passes,
    its check for trailing bytes does not, and the audit must say so rather than pass the
    leaves the units checked."""
    copy, c = _copy(honest, tmp_path)
    path = copy / marginfile.FILE
    data = path.read_bytes() + b"\0"
    path.write_bytes(data)
    real_open = Source.open

    @contextmanager
    def one_byte_short(self):
        with real_open(self) as (f, size):
            yield f, size - 1

    monkeypatch.setattr(Source, "open", one_byte_short)   # in this process, not on the workers
    with verify.engine_for(1, cluster.address) as (executor, client):
        found = _outcome(lambda: margininplace.audit(source_of(copy, marginfile.FILE), _republished(c, data), client))
    assert found == ("EncodingError", f"{copy / marginfile.FILE}: trailing bytes after the last leaf")


# ---- the bytes checked are the bytes hashed --------------------------------------------

def test_a_margin_file_that_changes_after_it_was_hashed_is_refused(cluster, honest, in_place_only, tmp_path,
                                                                  monkeypatch):
    """The auditor hashes the bad file the manifest names; the valid one then replaces it,
    and is what the units read: they would pass it."""
    copy, c = _copy(honest, tmp_path)
    path = copy / marginfile.FILE
    good = path.read_bytes()
    bad = bytes(_tamper("leaf-proof", bytearray(good), c))
    path.write_bytes(bad)
    monkeypatch.setattr(margininplace, "scan", swapping_after(margininplace.scan, path, good, tmp_path))
    assert _both(copy, _republished(c, bad), cluster)[1] == ("InvalidProof", margininplace.MISMATCH)


def test_a_server_answering_the_margin_units_other_bytes_is_refused(cluster, honest, in_place_only, tmp_path,
                                                                    monkeypatch):
    copy, c = _copy(honest, tmp_path)
    good = (copy / marginfile.FILE).read_bytes()
    bad = bytes(_tamper("leaf-proof", bytearray(good), c))
    url = _publish("margin-served-differently", marginfile.FILE, good, tmp_path / "mine", bad)
    _serve_this_process(monkeypatch, tmp_path / "mine")
    monkeypatch.setattr(inplace, "workers_see", lambda client, source: True)
    try:
        with verify.engine_for(1, cluster.address) as (executor, client):
            found = _outcome(lambda: margininplace.audit(source_of(url, marginfile.FILE), _republished(c, bad),
                                                         client))
    finally:
        monkeypatch.undo()
        from zkstestfs import ZksTestFileSystem
        ZksTestFileSystem.clear_instance_cache()
    assert found == ("InvalidProof", margininplace.MISMATCH)


# ---- two accounts sharing a leaf ---------------------------------------------------------

SECRET = b"\x05" * 32
"""A fixed round secret: the twins' positions (adjacent: one order key) are the same every run."""
TWIN = [("dave", "USDT", "50000"), ("dave", "ETH", "-2"), ("dave", "BTC", "0.5")]
"""dave holds what carol holds: with carol's key and id hash, his leaf is hers."""


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    """A cheating prover's margin round: carol's leaf twice, each copy proven at its own
    position; only the duplicate check can catch it."""
    real = keys.customer
    keys.customer = lambda secret, user_id: real(b"\x01" * 32, "carol") if user_id in ("carol", "dave") \
        else real(secret, user_id)
    try:
        return prove_margin(tmp_path_factory.mktemp("margin-twins") / "round", rows=ROWS + TWIN,
                            margin_capacity=8, chunk=1, round_secret=SECRET)
    finally:
        keys.customer = real


def _twin_positions(c, data: bytes) -> list[int]:
    ids = [data[_leaf_at(c, i) : _leaf_at(c, i) + 32] for i in range(c.manifest.margin.capacity)]
    return [i for i, b in enumerate(ids) if ids.count(b) == 2]


def test_two_margin_leaves_alike_in_two_units_are_refused_in_place(cluster, twins, in_place_only, monkeypatch):
    c = verify2.load(twins.out)
    assert len(_twin_positions(c, (twins.out / marginfile.FILE).read_bytes())) == 2
    monkeypatch.setattr(margininplace, "UNIT_LEAVES", 1)   # a unit a leaf: the twins in two units
    monkeypatch.setattr(inplace, "UNITS_PER_PARTITION", 1)   # ... and in two partitions of the shuffle
    pool, dask = _both(twins.out, c, cluster)
    assert pool[0] == "InvalidProof" and pool[1].startswith("two margin leaves share the hash"), pool
    assert dask == pool


@pytest.mark.parametrize("unit_leaves", [2, 8])
@pytest.mark.parametrize("where", ["before", "after"])
def test_with_twins_and_a_damaged_leaf_the_first_the_stream_meets_is_reported(cluster, twins, in_place_only,
                                                                               tmp_path, monkeypatch, where,
                                                                               unit_leaves):
    """A damaged leaf before the second twin is reported (the stream stops there); one
    after it, the twins are — also when one unit holds both the twins and the damaged leaf
    (8 leaves a unit: the whole tree), whose error then must not hide its earlier leaves."""
    monkeypatch.setattr(margininplace, "UNIT_LEAVES", unit_leaves)
    copy, c = _copy(twins, tmp_path)
    path = copy / marginfile.FILE
    data = bytearray(path.read_bytes())
    first, second = _twin_positions(c, data)
    others = [i for i in range(c.manifest.margin.capacity) if i not in (first, second)]
    damaged = max(i for i in others if i < second) if where == "before" else min(i for i in others if i > second)
    data[_leaf_at(c, damaged + 1) - 1] ^= 1
    path.write_bytes(data)
    pool, dask = _both(copy, _republished(c, data), cluster)
    expected = "two margin leaves share the hash" if where == "after" else f"(leaves {damaged}…)"
    assert pool[0] == "InvalidProof" and expected in pool[1], (pool, first, second, damaged)
    assert dask == pool


# ---- a progress bar ------------------------------------------------------------------------

class _Terminal(io.StringIO):
    """stderr as a terminal: where `Reporter.progress` draws its bars."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("where", ["in place", "streamed"])
@pytest.mark.parametrize("quiet", [False, True])
def test_the_audit_shows_a_bar_per_file_unless_quiet(cluster, honest, in_place_only, monkeypatch, quiet, where):
    """On a terminal, a bar a file — margin.audit's advancing unit by unit (in place) or
    chunk by chunk (streamed: 8 chunks); with --quiet, none."""
    stderr = _Terminal()
    monkeypatch.setattr(sys, "stderr", stderr)
    on = {"scheduler": cluster.address} if where == "in place" else {"workers": 1}
    verify.audit(honest.out, report=Reporter(False, quiet), **on)
    shown = stderr.getvalue()
    labels = [f"audit {asset}" for asset in honest.manifest.assets] + ["audit margin"]
    if quiet:
        assert shown == ""
    else:
        assert all(label in shown for label in labels), shown
        margin_bar = shown.split("audit margin", 1)[1]
        assert "25%" in margin_bar and "100%" in margin_bar, shown   # a step a unit or chunk, to the last


def test_a_piped_audit_on_a_cluster_shows_no_bar(cluster, honest):
    done = subprocess.run([sys.executable, "-m", "zksolv", "audit", str(honest.out), "--scheduler", cluster.address],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr + cluster.logs()
    assert done.stderr == "" and "audit margin" not in done.stdout, done.stderr


# ---- the auditor's process stays small -----------------------------------------------------

@contextmanager
def bytes_sent():
    """A one-element list: the bytes this process writes to Dask comms inside the block."""
    import distributed.comm.tcp as tcp

    sent, write = [0], tcp.TCP.write

    async def counting(self, msg, serializers=None, on_error="message"):
        n = await write(self, msg, serializers, on_error)
        sent[0] += n
        return n

    tcp.TCP.write = counting
    try:
        yield sent
    finally:
        tcp.TCP.write = write


UNITS = 4
"""Work units of margin.audit, at both sizes."""
SMALL, LARGE = 8, 64
"""The margin capacities of the two rounds (3 accounts, the rest padding)."""
BYTES_PER_LEAF = 16
"""What the auditor may send, and receive, per added margin leaf, at most. Measured (twice
each): in place, -3 to +3 bytes a leaf sent and 0.1 to 0.4 received (the Dask client's
timing-dependent messages: ±200 bytes whatever the size); streamed through the auditor
(every leaf sent to a unit, every unit's root and leaf hashes received back), 5,277 sent
and 1,050 received."""
SLACK = 4096
"""Bytes either count may differ by whatever the size: the Dask client's own messages
(heartbeats, timing-dependent replies) once came to 942 bytes more sent at 64 leaves than at
8 on a loaded machine, 16.8 a leaf over so few leaves. Streamed, the difference is ≈ 295 kB."""


def _audit_traffic(cluster, directory, capacity: int, monkeypatch) -> tuple[int, int]:
    r = prove_margin(directory, margin_capacity=capacity, chunk=1)
    c = verify2.load(r.out)
    monkeypatch.setattr(margininplace, "UNIT_LEAVES", capacity // UNITS)
    with no_timed_refresh(), verify.engine_for(1, cluster.address) as (executor, client):
        with bytes_received() as received, bytes_sent() as sent:
            leaves, _ = verify2._audit_margin_file(r.out, r.out, c, executor, 1, client, None)
    assert leaves == capacity
    assert received[0] > 0 and sent[0] > 0, "the counts saw no Dask traffic: they measure nothing"
    return sent[0], received[0]


def test_what_the_auditor_sends_and_receives_does_not_grow_with_the_margin_leaves(cluster, tmp_path, monkeypatch,
                                                                                  in_place_only):
    small = _audit_traffic(cluster, tmp_path / "small", SMALL, monkeypatch)
    large = _audit_traffic(cluster, tmp_path / "large", LARGE, monkeypatch)
    more = [b - a for a, b in zip(small, large)]
    assert max(more) <= BYTES_PER_LEAF * (LARGE - SMALL) + SLACK, (
        f"sent, received: {small} at {SMALL} margin leaves, {large} at {LARGE}: {more} bytes more")
