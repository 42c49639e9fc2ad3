"""`audit --scheduler` of a margin round's `margin.audit`: the work units read their byte
ranges where the file lies (issue 14 item 4; SPEC.md §6.10 "An audit on a cluster",
§6.12.7), as inplace.py does for the spot audit files.

The auditor's process reads the file once, as a stream, holding one chunk of leaves at a
time: the SHA-256 the manifest publishes, the structure (marginfile.Reader: header, layout
digest, exact size) and the SHA-256 of each unit's byte range. A unit is a run of whole
chunks, a power of two of them dividing the capacity, so that its leaves are one perfect
subtree of the account tree (§6.15). On a worker it reads its range, checks each chunk
exactly as the streaming audit's unit does (verify2.verify_leaves: decoding, two leaves
alike within the chunk, every claim's range proofs, the chunk's subtree) and returns the
digest of the bytes it read, its subtree's root and the first chunk error met; the hashes
of the leaves it checked stay on the worker, for the duplicate check's shuffle
(inplace.repeated_hash).

No check ties a margin leaf to a spot leaf directly: the spot trees and the account tree
meet only in the statements over their roots (verified by `verify` from the manifest), and
each tree is rebuilt to its manifest root from its own file. So nothing per leaf crosses
files, nor comes back to the auditor, which holds O(units).
"""

import hashlib
from dataclasses import dataclass

from zksolv.accounts import leaf as leaf_module, tree as account_tree
from zksolv.accounts.widerange import part_sizes
from zksolv.attestation import inplace, marginfile
from zksolv.attestation.auditsource import Source, read_range
from zksolv.errors import EncodingError, InvalidProof

UNIT_LEAVES = 512
"""Leaves a work unit checks, at most (unless one chunk holds more): at ≈ 15 ms a margin
leaf, seconds of a worker — far more than a task's cost to Dask — and 10^4 units for 5·10^6
accounts."""
MISMATCH = f"{marginfile.FILE} does not match its hash in the manifest"
HEADER_DISAGREES = f"{marginfile.FILE}: header disagrees with the manifest"
ROOT_DIFFERS = "the margin leaves do not sum and hash to the manifest's margin root"
"""The streaming audit's messages too (verify2._audit_margin): one text, wherever it runs."""
RETURNED = {"InvalidProof": InvalidProof, "EncodingError": EncodingError}


@dataclass(frozen=True)
class Unit:
    """A work unit: its first leaf, its chunks, its byte range (offset, length) and the
    auditor's SHA-256 of that range."""

    first_leaf: int
    chunks: int
    span: tuple[int, int]
    digest: bytes


def chunks_per_unit(capacity: int, chunk: int) -> int:
    """The most chunks, a power of two, whose leaves fit in UNIT_LEAVES and divide `capacity`."""
    k = 1
    while 2 * k * chunk <= UNIT_LEAVES and capacity % (2 * k * chunk) == 0:
        k *= 2
    return k


def scan(f, size: int, shown: str, layout, limit: int) -> inplace.Scan:
    """One pass over `margin.audit` (`size` bytes): whole digest, header, units (SPEC.md §6.10)."""
    def structure(tee: inplace.Tee, result: inplace.Scan) -> None:
        reader = marginfile.Reader(tee, shown, layout, size)
        result.header = reader.header
        result.units = _units(reader, tee)

    return inplace.scan_with(f, limit, structure)


def _units(reader, tee: inplace.Tee) -> list[Unit]:
    h = reader.header
    per_unit, chunks, units = chunks_per_unit(h.capacity, h.chunk), reader.chunks(), []
    for first in range(0, h.capacity, per_unit * h.chunk):
        start = tee.open_part()
        for _ in range(per_unit):
            next(chunks)
        units.append(Unit(first, per_unit, *tee.close_part(start)))
    next(chunks, None)   # the reader's check for trailing bytes
    return units


@dataclass(frozen=True)
class Job:
    """What a unit's task needs: where to read, and what its leaves' proofs are bound to."""

    source: Source
    unit: Unit
    attestation_id: str
    circuits_hash: bytes
    binding: object
    layout: object
    chunk: int
    buckets: int = 1


def audit_unit(job: Job):
    """A work unit on a worker: (digest of the bytes read, (height, root Cs, root hash) or
    None, the first chunk error as (first leaf, class name, message) or None), and the
    checked leaves' hashes by bucket, for the duplicate check."""
    u = job.unit
    with job.source.open() as (f, _):
        data = read_range(f, *u.span)
    digest, hashes = hashlib.sha256(data).digest(), []
    if len(data) != u.span[1]:   # the auditor refuses the unit by its digest
        return (digest, None, (u.first_leaf, "EncodingError", f"{job.source.shown}: a work unit is cut")), []
    per_chunk = job.chunk * leaf_module.size(job.layout)
    builder = account_tree.Builder(keep_levels=False)
    for k in range(u.chunks):
        first = u.first_leaf + k * job.chunk
        try:
            checked = _check_chunk(job, first, data[k * per_chunk : (k + 1) * per_chunk])
        except (InvalidProof, EncodingError) as exc:
            error = (first, type(exc).__name__, str(exc))
            return (digest, None, error), inplace.by_bucket(hashes, u.first_leaf, job.buckets)
        height, commitments, root_hash, chunk_hashes = checked
        builder.push(account_tree.node_of(commitments, root_hash, 2 * len(job.layout.assets)), height)
        hashes += chunk_hashes
    commitments, root_hash = builder.root()
    root = ((u.chunks * job.chunk).bit_length() - 1, commitments, root_hash)
    return (digest, root, None), inplace.by_bucket(hashes, u.first_leaf, job.buckets)


def _check_chunk(job: Job, first: int, data: bytes):
    """One chunk checked as the streaming audit checks it (verify2.verify_leaves)."""
    from zksolv.attestation.verify2 import verify_leaves

    return verify_leaves((job.attestation_id, job.circuits_hash, job.binding, job.layout, first, data))


def audit(source: Source, c, client, report=None) -> tuple[int, int]:
    """`margin.audit` of the margin round `c` (verify2.Checked) audited in place on the
    cluster of `client`: (leaves, range proofs) checked, or the streaming audit's error."""
    m = c.manifest
    with source.open() as (f, size):
        scanned = scan(f, size, source.shown, c.layout, m.margin.audit_bytes)
    if (scanned.sha256, scanned.size) != (m.margin.audit_sha256, m.margin.audit_bytes):
        raise InvalidProof(MISMATCH)
    if scanned.header is None:
        raise scanned.failure
    if (scanned.header.capacity, scanned.header.chunk) != (m.margin.capacity, m.margin.chunk):
        raise InvalidProof(HEADER_DISAGREES)
    if scanned.failure is not None:
        raise scanned.failure
    buckets = min(len(scanned.units), inplace.MAX_BUCKETS)
    jobs = [Job(source, unit, m.attestation_id, m.circuits_hash, c.binding, c.layout, m.margin.chunk, buckets)
            for unit in scanned.units]
    outcomes, repeat = inplace.run_units(client, jobs, report, "audit margin", audit_unit)
    _refuse(scanned.units, outcomes, repeat)
    builder = account_tree.Builder(keep_levels=False)
    for _, (height, commitments, root_hash), _ in outcomes:
        builder.push(account_tree.node_of(commitments, root_hash, 2 * len(c.layout.assets)), height)
    if builder.root(m.margin.capacity) != (b"".join(m.margin.root_commitments), m.margin.root_hash):
        raise InvalidProof(ROOT_DIFFERS)
    return m.margin.capacity, m.margin.capacity * len(part_sizes(c.layout.limb_values))


def _refuse(units: list[Unit], outcomes: list, repeat) -> None:
    """The streaming audit's verdict from the units' outcomes: bytes other than the auditor
    hashed first; then whichever the streaming audit meets first, chunk by chunk — a
    chunk's error, or a leaf whose hash an earlier leaf has (SPEC.md §6.10)."""
    if any(digest != unit.digest for unit, (digest, _, _) in zip(units, outcomes)):
        raise InvalidProof(MISMATCH)
    error = next((error for _, _, error in outcomes if error is not None), None)
    if repeat is not None and (error is None or repeat[0] < error[0]):
        raise InvalidProof(f"two margin leaves share the hash {repeat[1].hex()[:16]}…")
    if error is not None:
        raise RETURNED[error[1]](error[2])
