"""Checking an attestation: `verify` (manifest-level, constant time per asset) and `audit`
(everything, streamed) — DESIGN §6; SPEC.md §6.10."""

from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from zksolv import bounds, rangeproof, reserves as reserves_module, statements, tree
from zksolv.attestation import (auditfile, custody, exchange, inplace, manifest as manifest_module, manifest2, remote,
                                verify2)
from zksolv.attestation.auditsource import digests_of, source_of
from zksolv.attestation.context import transcript
from zksolv.attestation.executors import dask_client, executor_for
from zksolv.errors import EncodingError, InputError, InvalidProof
from zksolv.fsutil import read_json
from zksolv.group import Point
from zksolv.rangeproof import RangeProof, Statement
from zksolv.reserves import snapshot as snapshot_module

PROOFS_PER_BATCH = 64


@dataclass
class Report:
    """What was checked; printed by the CLI and returned as --json."""

    attestation_id: str
    manifest_digest: str
    assets: dict = field(default_factory=dict)
    wallets_checked: int = 0
    balances: str = "taken on trust (no snapshot given)"
    leaves_checked: int = 0
    range_proofs_checked: int = 0
    custody: dict | None = None  # reserves version 2: exchange, its signature, each chain's block


@dataclass
class MarginReport(Report):
    """A margin round's report: also the account tree, scenarios and firm-wide coverage."""

    margin: dict = field(default_factory=dict)


def version(directory) -> int | None:
    """The manifest's version (None if it has none): 2 for a margin round."""
    doc = read_json(Path(directory) / manifest_module.FILE, "manifest", limit=manifest_module.MAX_BYTES)
    return manifest2.version_of(doc)


def _load(directory, circuits_path):
    m = manifest_module.read(Path(directory) / manifest_module.FILE)
    circuits = statements.load(circuits_path)
    if circuits.digest != m.circuits_hash:
        raise InvalidProof(f"the attestation proves circuits {m.circuits_hash.hex()[:16]}…, "
                           f"this verifier loaded {circuits.digest.hex()[:16]}… ({circuits.name})")
    return m, circuits


def _check_statement(circuit, m, asset, public, proof_bytes, body_digest) -> None:
    """One statement proof of `asset`, believed only once its combination cannot wrap
    modulo n given the published bounds (SPEC.md §6.5.1, §6.10)."""
    entry = m.assets[asset]
    leaf_bits = m.reserves.assets[asset].leaf_bits
    try:
        bounds_of = {"L": bounds.liabilities_bound(leaf_bits, entry.capacity)}
        circuit.check_sound(public, bounds_of, {"leaf_bits": leaf_bits})
    except InputError as exc:
        raise InvalidProof(f"{asset}: {exc}") from None
    D = circuit.commitment({"L": Point.from_bytes(entry.root_commitment)}, public)
    t = transcript(m.attestation_id, m.circuits_hash, asset, circuit.name, body_digest=body_digest)
    try:
        rangeproof.verify(t, RangeProof.from_bytes(proof_bytes), [D], circuit.bits({"leaf_bits": leaf_bits}))
    except InvalidProof:
        raise InvalidProof(f"{asset}: the {circuit.name} proof does not verify") from None


def _checked_ratio(asset: str, coverage) -> dict[str, int]:
    """The coverage ratio's public terms, refused unless bounded and in lowest terms."""
    try:
        bounds.check_ratio(coverage.numerator, coverage.denominator)
    except InputError as exc:
        raise InvalidProof(f"{asset}: {exc}") from None
    return {"p": coverage.numerator, "q": coverage.denominator}


def verify(directory, snapshot_path=None, circuits_path=None, prices_path=None, price_tolerance=None,
           signer=None) -> Report:
    """Manifest, exchange signature, reserves signatures (and snapshot), solvency and
    coverage proofs (and, for a margin round, everything verify2 checks). `directory` may
    be an fsspec URL (remote.py)."""
    with remote.local_view(directory) as local:
        if version(local) == manifest2.VERSION:
            return verify2.verify(local, snapshot_path, circuits_path, prices_path, price_tolerance, signer)
        _refuse_prices(prices_path)
        return _verify(*_load(local, circuits_path), snapshot_path, local, signer)


def _refuse_prices(prices_path) -> None:
    """A spot round has no market data: comparing prices with it would check nothing, so
    verify and audit both refuse --prices rather than pass it by (exit 3)."""
    if prices_path:
        raise InputError("--prices: this attestation is a spot round: it has no market data")


def check_custody(directory, m, report: Report, signer) -> None:
    """The exchange's signature over the manifest (SPEC.md §6.17) and, for the report, what
    a version-2 round pins: the exchange and every chain's block."""
    signed_by = exchange.require(directory, m.reserves, m.digest(), signer)
    report.custody = custody.describe(m.reserves)
    if report.custody is not None:
        report.custody["signed_by"] = signed_by


def _verify(m, circuits, snapshot_path, directory, signer) -> Report:
    """Everything `verify` checks of a version-1 manifest already loaded (`_load`)."""
    report = Report(m.attestation_id, m.digest().hex())
    check_custody(directory, m, report, signer)
    report.wallets_checked = reserves_module.verify_control(m.reserves)
    body_digest = m.body_digest()
    if snapshot_path:
        snapshot_module.check(m.reserves, snapshot_module.load(snapshot_path))
        report.balances = f"match the snapshot {snapshot_path}"
    for asset, entry in m.assets.items():
        public = {"R": m.reserves.assets[asset].total}
        _check_statement(circuits["solvency"], m, asset, public, entry.solvency_proof, body_digest)
        summary = {"capacity": entry.capacity, "solvent": True, "coverage_percent": None,
                   "backed_by": reserves_module.backing(m.reserves.assets[asset])}
        if entry.coverage:
            ratio = _checked_ratio(asset, entry.coverage)
            _check_statement(circuits["coverage"], m, asset, {**public, **ratio}, entry.coverage.proof,
                             body_digest)
            summary["coverage_percent"] = entry.coverage.percent
        report.assets[asset] = summary
    return report


def audit(directory, snapshot_path=None, circuits_path=None, workers: int = 1,
          scheduler: str | None = None, report=None, prices_path=None, price_tolerance=None, signer=None) -> Report:
    """Everything `verify` checks, plus every leaf, every node and every range proof.

    On one machine the leaves stream through this process (tree rebuild, duplicate check)
    and batches of range proofs are verified on `workers` local processes; on a Dask
    `scheduler` whose workers reach the audit files, the work units read the files in place
    (inplace.py) and this process only hashes each file and joins the units' roots.
    `directory` may be an fsspec URL (remote.py)."""
    with remote.local_view(directory) as local:
        if version(local) == manifest2.VERSION:
            return verify2.audit(local, snapshot_path, circuits_path, workers, scheduler, report, prices_path,
                                 price_tolerance, signer, published=directory)
        _refuse_prices(prices_path)
        m, circuits = _load(local, circuits_path)   # read and parsed once
        result = _verify(m, circuits, snapshot_path, local, signer)
        with engine_for(workers, scheduler) as (executor, client):
            for asset, entry in m.assets.items():
                leaves, proofs = _audit_asset(directory, m, asset, entry, executor, workers, report, client)
                result.leaves_checked += leaves
                result.range_proofs_checked += proofs
        return result


@contextmanager
def engine_for(workers: int, scheduler: str | None):
    """(executor, Dask client or None) for `--workers N` or `--scheduler ADDR`, closed on exit."""
    if scheduler:
        with dask_client(scheduler) as client:
            yield client.get_executor(), client
    else:
        with executor_for(workers) as executor:
            yield executor, None


def _audit_asset(directory, m, asset, entry, executor, workers, report, client=None) -> tuple[int, int]:
    """One asset's audit file, read in place by the cluster's units (`client`) if every
    worker sees the file this process sees, else streamed through this process (SPEC.md §6.10)."""
    if Path(entry.audit_file).name != entry.audit_file:
        raise InvalidProof(f"{asset}: audit file name {entry.audit_file!r} leaves the attestation")
    source = source_of(directory, entry.audit_file)
    if client is not None and inplace.workers_see(client, source):
        return _audit_in_place(source, m, asset, entry, client, report)
    return _audit_streamed(source, m, asset, entry, executor, workers, report)


def _check_digest(asset, entry, digest: str, size: int) -> None:
    if (digest, size) != (entry.audit_sha256, entry.audit_bytes):
        raise _mismatch(asset, entry)


def _mismatch(asset, entry) -> InvalidProof:
    return InvalidProof(f"{asset}: {entry.audit_file} does not match its hash in the manifest")


def _check_header(m, asset, entry, h) -> None:
    leaf_bits = m.reserves.assets[asset].leaf_bits
    if (h.asset, h.leaf_bits, h.capacity, h.chunk) != (asset, leaf_bits, entry.capacity, entry.chunk):
        raise InvalidProof(f"{asset}: audit file header disagrees with the manifest")


def _audit_streamed(source, m, asset, entry, executor, workers, report) -> tuple[int, int]:
    """The file hashed, then streamed through this process to the executor's units. Both
    handles are opened before the hash is taken from one of them (a file replaced after it
    was hashed is not the one they read), and what each reads is hashed again and compared
    with its part of the first pass (a file written over in place is not checked as other
    bytes than those hashed)."""
    cut = _proofs_offset(m, asset, entry)
    with source.open() as (leaves_file, size), source.open() as (proofs_file, _):
        digest, read, parts = digests_of(leaves_file, entry.audit_bytes, cut)
        _check_digest(asset, entry, digest, read)
        leaves, proofs = inplace.Tee(leaves_file), inplace.Tee(proofs_file)
        leaves.seek(0)
        reader = auditfile.Reader(leaves, source.shown, size)
        proof_reader = auditfile.Reader(proofs, source.shown, size)
        proof_reader.seek_proofs()
        h = reader.header
        _check_header(m, asset, entry, h)
        root = _stream(reader, proof_reader.proofs(), m, asset, h, executor, workers, report)
        if (leaves.whole.digest(), proofs.whole.digest()) != parts or leaves.position != cut:
            raise _mismatch(asset, entry)   # the file changed while it was checked
        if root != (entry.root_commitment, entry.root_hash):
            raise InvalidProof(f"{asset}: the leaves do not sum and hash to the manifest's root")
    return h.capacity, h.proofs


def _proofs_offset(m, asset, entry) -> int:
    """Where the manifest's audit file has its proofs (SPEC.md §6.8): after the header the
    manifest implies and its capacity's leaves."""
    header = auditfile.Header(asset, m.reserves.assets[asset].leaf_bits, entry.capacity, entry.chunk)
    return len(header.to_bytes()) + auditfile.LEAF_BYTES * entry.capacity


_RETURNED = {"InvalidProof": InvalidProof, "EncodingError": EncodingError}


def _audit_in_place(source, m, asset, entry, client, report=None) -> tuple[int, int]:
    """This process hashes the file (and each unit's ranges) once; the units read their
    ranges on the workers; the bytes they checked must be the bytes hashed."""
    with source.open() as (f, size):
        scanned = inplace.scan(f, size, source.shown, PROOFS_PER_BATCH, entry.audit_bytes)
    _check_digest(asset, entry, scanned.sha256, scanned.size)
    if scanned.header is None:
        raise scanned.failure
    h = scanned.header
    _check_header(m, asset, entry, h)
    if scanned.failure is not None:
        raise scanned.failure
    buckets = min(len(scanned.units), inplace.MAX_BUCKETS)
    jobs = [inplace.Job(source, unit, m.attestation_id, m.circuits_hash, asset, h.leaf_bits, h.chunk,
                        getattr(m, "market_binding", None), buckets) for unit in scanned.units]
    outcomes, repeat = inplace.run_units(client, jobs, report, f"audit {asset}")
    if any(digests != unit.digests for unit, (digests, _, _) in zip(scanned.units, outcomes)):
        raise InvalidProof(f"{asset}: {entry.audit_file} does not match its hash in the manifest")
    for _, _, error in outcomes:
        if error is not None:
            raise _RETURNED[error[0]](error[1])
    if repeat is not None:
        raise InvalidProof(f"{asset}: two leaves share the hash {repeat[1].hex()[:16]}…")
    builder = tree.Builder(keep_levels=False)
    for _, root, _ in outcomes:
        _push_subtree(builder, root)
    if builder.root() != (entry.root_commitment, entry.root_hash):
        raise InvalidProof(f"{asset}: the leaves do not sum and hash to the manifest's root")
    return h.capacity, h.proofs


def _stream(reader, proofs, m, asset, header, executor, workers, report=None):
    """One pass over the leaves in work units of PROOFS_PER_BATCH chunks: each unit decodes
    its leaves, builds their subtree and batch-verifies its chunks' range proofs on the
    executor (verify_chunks); this process refuses duplicate leaf hashes (two users must never
    share a leaf, DESIGN §8.3) and joins the subtrees' roots with tree.Builder (O(log n) held).
    """
    per_read = header.chunk * PROOFS_PER_BATCH
    batches = reader.leaves(per_read)
    shown = (report.progress(batches, f"audit {asset}", length=-(-header.capacity // per_read))
             if report is not None else nullcontext(batches))
    builder = tree.Builder(keep_levels=False)
    pending = Pending(executor, 2 * max(workers, 1), lambda root: _push_subtree(builder, root))
    with shown as bar:
        _consume(bar, proofs, m, asset, header, pending)
    pending.drain()
    if next(proofs, None) is not None:  # also makes the reader check for trailing bytes
        raise InvalidProof(f"{asset}: more range proofs than chunks")
    return builder.root()


def _push_subtree(builder, root) -> None:
    """A work unit's subtree root (height, commitment, hash) into the whole tree."""
    height, commitment, digest = root
    builder.push(Point.from_bytes(commitment), commitment, digest, height)


def _consume(batches, proofs, m, asset, header, pending) -> None:
    seen, index = set(), 0
    for batch in batches:
        for _, h in batch:
            if h in seen:
                raise InvalidProof(f"{asset}: two leaves share the hash {h.hex()[:16]}…")
            seen.add(h)
        index = _submit_chunks(batch, proofs, m, asset, header, index, pending)


def _leaf_point(asset: str, position: int, data: bytes) -> Point:
    """A leaf commitment, or an EncodingError naming the asset's audit file and the leaf."""
    try:
        return Point.from_bytes(data)
    except EncodingError as exc:
        raise EncodingError(f"{asset}.audit: leaf {position}: {exc}") from None


class Pending:
    """Work units in flight on an executor, at most `max_in_flight` at once; each result is
    handed to `collect` in submission order (errors re-raised from the worker, in order)."""

    def __init__(self, executor, max_in_flight: int, collect):
        self._executor, self._max, self._collect, self._futures = executor, max_in_flight, collect, []

    def submit(self, fn, job) -> None:
        self._futures.append(self._executor.submit(fn, job))
        while len(self._futures) >= self._max:
            self._collect(self._futures.pop(0).result())

    def drain(self) -> None:
        while self._futures:
            self._collect(self._futures.pop(0).result())


def _submit_chunks(batch, proofs, m, asset, header, first, pending) -> int:
    """Send the leaves of `batch` and the range proofs of the chunks they cover to a work
    unit; the next chunk index."""
    count = len(batch) // header.chunk
    chunk_proofs = []
    for _ in range(count):
        data = next(proofs, None)
        if data is None:
            raise InvalidProof(f"{asset}: fewer range proofs than chunks")
        chunk_proofs.append(data)
    commitments = b"".join(c for c, _ in batch)
    hashes = [h for _, h in batch]
    pending.submit(verify_chunks, (m.attestation_id, m.circuits_hash, asset, header.leaf_bits, header.chunk, first,
                                   commitments, hashes, chunk_proofs, getattr(m, "market_binding", None)))
    return first + count


def verify_chunks(job) -> tuple[int, bytes, bytes]:
    """A work unit (picklable, any executor): decode consecutive leaves, build their subtree
    (SPEC.md §6.3) and batch-verify their chunks' range proofs; the subtree's (height, root
    commitment, root hash)."""
    attestation_id, circuits_hash, asset, bits, chunk, first, commitments, hashes, chunk_proofs, market = job
    start = first * chunk
    points = [_leaf_point(asset, start + i, commitments[33 * i : 33 * i + 33]) for i in range(len(hashes))]
    builder = tree.Builder(keep_levels=False)
    for i, (p, h) in enumerate(zip(points, hashes)):
        builder.push(p, commitments[33 * i : 33 * i + 33], h)
    commitment, digest = builder.root()
    statements = []
    for k, data in enumerate(chunk_proofs):
        t = transcript(attestation_id, circuits_hash, asset, "leaf_range", first + k, market=market)
        statements.append(Statement(t, RangeProof.from_bytes(data), points[k * chunk : (k + 1) * chunk], bits))
    try:
        rangeproof.batch_verify(statements)
    except InvalidProof:
        raise InvalidProof(f"{asset}: a leaf range proof does not verify") from None
    return len(hashes).bit_length() - 1, commitment, digest
