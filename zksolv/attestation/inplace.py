"""`audit --scheduler`: the work units read the audit file where it lies (issue 14 item 4;
SPEC.md §6.10, "An audit on a cluster").

The auditor's process reads the file once, as a stream, holding one piece at a time: it
computes the SHA-256 the manifest publishes and, as it goes, the SHA-256 of each work
unit's two byte ranges (its leaves, its range proofs), and checks the file's structure
(header, proof lengths, no trailing bytes). Each unit, on a worker, reads its two ranges
itself, decodes its leaves, builds their subtree, batch-verifies their proofs and returns
its root and the SHA-256 of the bytes it read: a unit that read other bytes than the
auditor hashed (a file changed during the audit, a server answering readers differently)
is refused with the error of a file that does not match the manifest. The leaf hashes stay
on the workers: a Dask bag groups them by their first bytes (a task shuffle) and each
group reports its first repeated hash, so the auditor receives O(units), never a leaf.
"""

import hashlib
from dataclasses import dataclass, field
from operator import itemgetter

from zksolv.attestation import auditfile
from zksolv.attestation.auditsource import Source, read_range
from zksolv.errors import EncodingError, InvalidProof

MAX_BUCKETS = 128
"""Groups of leaf hashes in the duplicate check, at most (one per unit below that). A unit
hands the shuffle one list per group, not one item per leaf: Dask's per-item cost (a
task shuffle hashes every item's key) would otherwise rival the verification's."""
UNITS_PER_PARTITION = 64
"""Units whose leaf records one partition of the duplicate check's shuffle holds (at m = 64
about 262,144 records, 10 MB): a task shuffle of P partitions costs about P·32 tasks a
stage, each a few ms of a worker, so P is kept well below the number of units."""
PROBE_BYTES = 1 << 20
"""What each worker hashes of a local audit file to show it sees the auditor's file."""


@dataclass(frozen=True)
class Unit:
    """A work unit's chunks and byte ranges (offset, length) and the auditor's digests of them."""

    first_chunk: int
    chunks: int
    leaves: tuple[int, int]
    proofs: tuple[int, int]
    digests: tuple[bytes, bytes]


@dataclass
class Scan:
    """The auditor's pass: the whole file's SHA-256 and size, its header, its units, and the
    structure error met (raised only once the file is known to be the manifest's)."""

    sha256: str = ""
    size: int = 0
    header: auditfile.Header | None = None
    units: list = field(default_factory=list)
    failure: EncodingError | None = None


class Tee:
    """A file read through: every byte hashed into the whole file's SHA-256 and, while a
    part is open, into the part's; `position` counts them."""

    def __init__(self, f):
        self._f, self.whole, self.part, self.position = f, hashlib.sha256(), None, 0

    def read(self, size: int = -1) -> bytes:
        data = self._f.read(size)
        self.whole.update(data)
        if self.part is not None:
            self.part.update(data)
        self.position += len(data)
        return data

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int) -> None:
        """Go to `offset` and hash from there afresh: `whole` is then the SHA-256 of what is
        read after the seek (a second handle that jumps to the proofs, SPEC.md §6.10)."""
        self._f.seek(offset)
        self.whole, self.position = hashlib.sha256(), offset

    def open_part(self) -> int:
        self.part = hashlib.sha256()
        return self.position

    def close_part(self, start: int) -> tuple[tuple[int, int], bytes]:
        span, digest, self.part = (start, self.position - start), self.part.digest(), None
        return span, digest


def scan(f, size: int, shown: str, unit_chunks: int, limit: int) -> Scan:
    """One pass over the audit file `f` (of `size` bytes): digests, header, units. Reads at
    most `limit` bytes past a structure error (the manifest's size + 1: more cannot match)."""
    def structure(tee: Tee, result: Scan) -> None:
        reader = auditfile.Reader(tee, shown, size)
        result.header = reader.header
        result.units = _units(reader, tee, unit_chunks)

    return scan_with(f, limit, structure)


def scan_with(f, limit: int, structure) -> Scan:
    """The pass over a file `f` that `structure(tee, result)` reads through a Tee, filling
    `result`'s header and units; its EncodingError is kept in `result.failure`, and the
    rest of the file read for the whole digest, up to `limit` + 1 bytes in all."""
    tee, result = Tee(f), Scan()
    try:
        structure(tee, result)
    except EncodingError as exc:
        result.failure = exc
    tee.part = None
    while tee.position <= limit and tee.read(min(auditfile.READ_PIECE, limit + 1 - tee.position)):
        pass
    result.sha256, result.size = tee.whole.hexdigest(), tee.position
    return result


def _units(reader, tee: Tee, unit_chunks: int) -> list[Unit]:
    """Each unit's leaves, then each unit's proofs, hashed part by part as they stream by."""
    h = reader.header
    per_unit = min(unit_chunks, h.proofs)
    counts = [min(per_unit, h.proofs - first) for first in range(0, h.proofs, per_unit)]
    leaf_parts = []
    for count in counts:
        start = tee.open_part()
        reader.pass_over(count * h.chunk * auditfile.LEAF_BYTES)
        leaf_parts.append(tee.close_part(start))
    units, first = [], 0
    proofs = reader.proofs()
    for count, (leaves, leaf_digest) in zip(counts, leaf_parts):
        start = tee.open_part()
        for _ in range(count):
            next(proofs)
        span, proof_digest = tee.close_part(start)
        units.append(Unit(first, count, leaves, span, (leaf_digest, proof_digest)))
        first += count
    next(proofs, None)   # the reader's check for trailing bytes
    return units


@dataclass(frozen=True)
class Job:
    """What a unit's task needs: where to read, and what its proofs are bound to."""

    source: Source
    unit: Unit
    attestation_id: str
    circuits_hash: bytes
    asset: str
    leaf_bits: int
    chunk: int
    market: object = None
    buckets: int = 1


def audit_unit(job: Job):
    """A work unit on a worker: (digests of the bytes read, (height, C, h) or None, the
    error met as (class name, message) or None), and its leaves' (hash, position) by
    bucket, kept on the worker for the duplicate check. Verdict errors are returned, not raised, so that the auditor can
    first compare the digests: bytes other than the manifest's decide nothing."""
    from zksolv.attestation.verify import verify_chunks

    u = job.unit
    with job.source.open() as (f, _):
        leaf_bytes = read_range(f, *u.leaves)
        proof_bytes = read_range(f, *u.proofs)
    digests = (hashlib.sha256(leaf_bytes).digest(), hashlib.sha256(proof_bytes).digest())
    count = u.chunks * job.chunk
    try:
        if len(leaf_bytes) != count * auditfile.LEAF_BYTES:
            raise EncodingError(f"{job.source.shown}: a work unit's leaves are cut")
        proofs = auditfile.split_proofs(proof_bytes, u.chunks, job.source.shown)
        leaves = [leaf_bytes[i : i + auditfile.LEAF_BYTES] for i in range(0, len(leaf_bytes), auditfile.LEAF_BYTES)]
        root = verify_chunks((job.attestation_id, job.circuits_hash, job.asset, job.leaf_bits, job.chunk,
                              u.first_chunk, b"".join(leaf[:33] for leaf in leaves), [leaf[33:] for leaf in leaves],
                              proofs, job.market))
    except (InvalidProof, EncodingError) as exc:
        return (digests, None, (type(exc).__name__, str(exc))), []
    return (digests, root, None), by_bucket([leaf[33:] for leaf in leaves], u.first_chunk * job.chunk, job.buckets)


RECORD = 32 + 8
"""A leaf in the duplicate check: its hash ‖ u64be position (records sort by hash, then
position)."""


def by_bucket(hashes, first: int, buckets: int) -> list[tuple[int, bytes]]:
    """[(bucket, records), …] of the leaf hashes `hashes` at positions `first`, `first` + 1, …:
    a hash's bucket is its first 8 bytes scaled to [0, buckets) (uniform for hashes), so
    equal hashes share one; the records of a bucket are one bytes object (cheap to move
    between workers)."""
    parts = {}
    for i, h in enumerate(hashes):
        parts.setdefault(int.from_bytes(h[:8], "big") * buckets >> 64, []).append(h + (first + i).to_bytes(8, "big"))
    return [(bucket, b"".join(records)) for bucket, records in parts.items()]


def first_repeat(group) -> tuple[int, bytes] | None:
    """(position, hash) of the group's earliest leaf whose hash an earlier leaf has, or None:
    over all groups, the least is the leaf the streaming audit stops at."""
    _, parts = group
    records = sorted(blob[i : i + RECORD] for _, blob in parts for i in range(0, len(blob), RECORD))
    found = [(int.from_bytes(b[32:], "big"), b[:32]) for a, b in zip(records, records[1:]) if a[:32] == b[:32]]
    return min(found, default=None)


def least(values) -> tuple[int, bytes] | None:
    return min((v for v in values if v is not None), default=None)


def repeated_hash(hash_parts):
    """A Dask bag computation of the first repeated leaf hash among `hash_parts` (each a
    delayed list of (bucket, [(hash, position), …])): grouped by bucket with Dask's task
    shuffle."""
    import dask.bag as db

    partitions = -(-len(hash_parts) // UNITS_PER_PARTITION)
    return (db.from_delayed(hash_parts).repartition(npartitions=partitions).groupby(itemgetter(0), shuffle="tasks")
            .map(first_repeat).reduction(least, least))


def run_units(client, jobs: list, report=None, label: str = "audit", unit=audit_unit):
    """Every unit's outcome, in order, and the first repeated leaf hash, computed on the
    cluster of `client` by `unit` (a function of a job returning (outcome, hash buckets));
    nothing per leaf comes back. With a `report`, a progress bar advances as units finish
    (the report's own: none when quiet or piped)."""
    from dask import delayed
    from distributed import as_completed

    units = [delayed(unit, pure=False)(job) for job in jobs]
    outcomes = [delayed(itemgetter(0), pure=False)(u) for u in units]
    hashes = [delayed(itemgetter(1), pure=False)(u) for u in units]
    # unoptimized: optimizing the bag's graph apart from the outcomes' would fuse each unit
    # into its getitem under a new key, and every unit would run twice (measured: 2.2x CPU)
    futures = client.compute([*outcomes, repeated_hash(hashes)], optimize_graph=False)
    if report is not None:
        with report.progress(as_completed(futures[:-1]), label, length=len(jobs)) as bar:
            for _ in bar:
                pass
    results = client.gather(futures)
    return results[:-1], results[-1]


def head_digest(source: Source) -> tuple[int, str] | None:
    """(size, SHA-256 of the first PROBE_BYTES) of `source` as this process sees it, or None
    if it cannot be read here (run on every worker by `workers_see`)."""
    try:
        with source.open() as (f, size):
            return size, hashlib.sha256(read_range(f, 0, PROBE_BYTES)).hexdigest()
    except Exception:   # unreachable from this worker: the auditor streams instead
        return None


def workers_see(client, source: Source) -> bool:
    """Whether every worker of the cluster reads the audit file the auditor reads (same
    size, same first bytes): then the units read it in place, else the auditor streams it."""
    mine = head_digest(source)
    theirs = client.run(head_digest, source, on_error="return")
    return mine is not None and bool(theirs) and all(seen == mine for seen in theirs.values())
