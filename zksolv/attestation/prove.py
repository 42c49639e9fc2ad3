"""One round of proving: ledger + reserves → attestation directory + prover state
(DESIGN §4–6, §10; SPEC.md §6).

The leaf range proofs are independent work units (one chunk of leaves each) run on any
`concurrent.futures.Executor`; finished chunks are committed to the state store (a few at a
time), so an interrupted round resumes with the same command, redoing no committed chunk. Every secret
nonce derives from the round's master secret, so the result is byte-identical whether or
not the round was interrupted.
"""

import hashlib
import os
from concurrent.futures import FIRST_COMPLETED, wait
from itertools import islice
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from math import gcd
from pathlib import Path
from typing import NamedTuple

from zksolv import (bounds, ledger, outpaths, published, rangeproof, reserves as reserves_module, roundkeys,
                    statements, storage)
from zksolv.amounts import format_amount, parse_amount
from zksolv.attestation import auditfile, build, exchange, memory
from zksolv.attestation.context import transcript
from zksolv.attestation.executors import executor_for
from zksolv.attestation.manifest import FILE, AssetEntry, Coverage, Manifest
from zksolv.errors import InputError, Insolvent
from zksolv.group import N, Point
from zksolv.group.curve import POINT_BYTES
from zksolv.state import RoundStore
from zksolv.statements import canonical_bytes
from zksolv.tree import check_capacity

DEFAULT_CHUNK = 64

STATE_CHUNKS_PER_COMMIT = 4
"""Chunk proofs the state commits at once (RoundStore.chunks_grouped): a commit syncs the
file, ≈ 0.5 ms of this process's CPU — ≈ 8 µs·core a leaf at m = 64 when each chunk had its
own. A prover killed loses at most the three made since the last (SPEC.md §6.9)."""

CHUNKS_PER_DASK_TASK = 4
"""A Dask task carries this many chunks: fewer, longer tasks amortize Dask's per-task
overhead (≈ 6 % of an m = 64 chunk's proving time; bench/RESULTS.md). The pool takes one."""


@dataclass(frozen=True)
class Options:
    capacity: int | None = None
    coverage_percent: str | None = None
    workers: int = os.cpu_count() or 1
    scheduler: str | None = None
    chunk: int = DEFAULT_CHUNK
    previous: str | None = None
    force: bool = False
    round_secret: bytes | None = None  # only to reproduce a round; normally fresh
    timestamp: str | None = None
    prices: str | None = None          # a margin round (MARGIN.md §9–§14): the market file
    firm_coverage: str = "100"
    margin_capacity: int | None = None
    refusals: str | None = None        # the private refusal report (default <state>.refused.csv)
    shards: str | None = None          # a cluster round's shards: a local dir or fsspec URL (default <state>.d)
    sign_key: object = field(default=None, repr=False)  # --sign-with: the exchange's key (SPEC.md §6.17)

    def round_parameters(self) -> dict:
        """What, beside the inputs, decides the attestation's bytes (not where it runs)."""
        spot = {"capacity": self.capacity, "coverage": self.coverage_percent, "chunk": self.chunk,
                "previous": self.previous}
        if self.prices is None:
            return spot
        return {**spot, "firm_coverage": self.firm_coverage, "margin_capacity": self.margin_capacity}


def coverage_ratio(percent: str) -> tuple[int, int]:
    """p/q in lowest terms for a percentage ≥ 100 with up to 4 decimals ("105" → 21/20)."""
    try:
        p = parse_amount(percent, 4)
    except InputError as exc:
        raise InputError(f"--coverage: {exc}") from None
    q = 100 * 10**4
    if p < q:
        raise InputError("--coverage must be at least 100 (percent)")
    g = gcd(p, q)
    try:
        bounds.check_ratio(p // g, q // g)
    except InputError as exc:
        raise InputError(f"--coverage: {exc}") from None
    return p // g, q // g


def check_statement_bounds(res, circuits, ratio) -> None:
    """Before any work: every statement this round will prove is sound (cannot wrap modulo
    n, whatever the ledger holds: a tree of the largest capacity is assumed) and provable
    (its largest honest value fits its range) — SPEC.md §6.5.1."""
    for asset, reserve in res.assets.items():
        params = {"leaf_bits": reserve.leaf_bits}
        bounds_of = {"L": bounds.liabilities_bound(reserve.leaf_bits, 1 << bounds.MAX_CAPACITY_BITS)}
        named = [("solvency", {"R": reserve.total})]
        if ratio:
            named.append(("coverage", {"R": reserve.total, "p": ratio[0], "q": ratio[1]}))
        for name, public in named:
            circuit = circuits[name]
            try:
                circuit.check_sound(public, bounds_of, params)
                bounds.check_provable(name, circuit.interval(public, bounds_of)[1], circuit.bits(params))
            except InputError as exc:
                raise InputError(f"{asset}: {exc}") from None


def _inputs_digest(ledger_path, reserves_path, options: Options) -> str:
    h = hashlib.sha256(canonical_bytes(options.round_parameters()))
    for path in (ledger_path, reserves_path) + ((options.prices,) if options.prices else ()):
        with open(path, "rb") as f:
            while block := f.read(1 << 20):
                h.update(block)
    return h.hexdigest()


def _balances(ledger_path, res) -> dict[str, list[tuple[str, int]]]:
    by_asset: dict[str, list[tuple[str, int]]] = {a: [] for a in res.assets}
    for row in ledger.read_ledger(ledger_path, res.decimals, res.leaf_bits):
        by_asset[row.asset].append((row.user_id, row.units))
    return by_asset


def _capacity(asset: str, users: int, requested: int | None) -> int:
    if requested is None:
        return build.default_capacity(users)
    try:
        check_capacity(requested)
    except ValueError as exc:
        raise InputError(f"--capacity: {exc}") from None
    if requested < users:
        raise InputError(f"--capacity {requested} is below the {users} users holding {asset}")
    return requested


def _check_paths(ledger_path, reserves_path, out_dir, state_path, options: Options, keep) -> None:
    """Before any work (SPEC.md §8): the attestation directory absent or empty (or, with
    --force, an attestation directory, to be replaced); the state a regular file or new;
    both creatable, and apart from each other and from every input (`keep`: other input
    paths, by option)."""
    margin = [outpaths.Output(refusals_path(options, state_path), "--refusals", outpaths.FILE)] \
        if options.prices is not None else []
    shard_dir = storage.local_dir(options.shards, state_path)
    if options.scheduler and shard_dir is not None:   # SPEC.md §6.9.1
        margin.append(outpaths.Output(shard_dir, "--shards" if options.shards else "--state (its shards)",
                                      outpaths.DIRECTORY, replace=True, contents=SHARD_FILES))
    elif options.scheduler:
        storage.probe(options.shards)   # a URL: reachable and writable, before any work
    elif options.shards is not None:
        raise InputError("--shards needs --scheduler (a round on a cluster)")
    if storage.is_url(str(out_dir)):   # an attestation published at a URL (SPEC.md §8)
        if options.prices is not None:
            raise InputError("--out as a URL: only for a spot round (a margin round writes a local directory)")
        published.check(str(out_dir), options.force)
        out = []
    else:
        out = [outpaths.Output(out_dir, "--out", outpaths.DIRECTORY, replace=options.force, forceable=True,
                               marker=FILE, contents=(FILE, "*.audit", exchange.FILE))]
    outpaths.check([*out, outpaths.Output(state_path, "--state", outpaths.FILE, replace=True), *margin],
                   {"--ledger": ledger_path, "--reserves": reserves_path, "--prices": options.prices,
                    **(keep or {})})


SHARD_FILES = ("*.db", "*.db-journal", ".*.db.*")
"""What a shard directory may hold: shards, SQLite's journals, a killed worker's temporary."""


def refusals_path(options: Options, state_path) -> str:
    """Where a refused margin round lists its accounts (`--refusals`, default beside the state)."""
    return options.refusals or f"{state_path}.refused.csv"


def _check_solvent(asset: str, liabilities: int, res_asset, ratio) -> None:
    reserves_total = res_asset.total
    if liabilities > reserves_total:
        raise Insolvent(f"{asset}: reserves {format_amount(reserves_total, res_asset.decimals)} "
                        f"do not cover liabilities; refusing to prove")
    if ratio and ratio[1] * reserves_total < ratio[0] * liabilities:
        raise Insolvent(f"{asset}: reserves are below the coverage asked for; refusing to prove")


class ChunkJob(NamedTuple):
    """One chunk's range proof to make (picklable, for any executor)."""

    attestation_id: str
    circuits_digest: bytes
    asset: str
    index: int
    values: list
    blindings: list
    bits: int
    nonce_key: bytes
    market: object = None              # a margin round's MarketBinding (SPEC.md §6.12.7)
    commitments: bytes | None = None   # the leaves' 33-byte commitments, joined (`prove_chunk`)


def prove_chunk(job) -> bytes:
    """The range proof of one chunk of leaves; a task (`prove_chunks`) runs one or more.

    A job's `commitments`, when given, are the chunk's leaf commitments as this round's own
    leaf builder computed them from the job's values and blindings, in this process or the
    one that made the job (`_jobs`, `subtree`): they are V_j (SPEC.md §5.2, §6.3) and are
    not committed again (`rangeproof.prove`). A job never carries bytes read from the
    state, a shard or the ledger: a resumed round builds its leaves again."""
    job = ChunkJob(*job)
    t = transcript(job.attestation_id, job.circuits_digest, job.asset, "leaf_range", job.index, market=job.market)
    c = job.commitments
    encodings = None if c is None else [c[i:i + POINT_BYTES] for i in range(0, len(c), POINT_BYTES)]
    proof, _ = rangeproof.prove(t, job.values, job.blindings, job.bits, rng=roundkeys.NonceStream(job.nonce_key),
                                commitments=encodings)
    return proof.to_bytes()


def _jobs(store, attestation_id, circuits_digest, all_leaves, master, market=None):
    """The chunks not yet in the store, as work units made one at a time (lazily); a margin
    round's (`market`: its MarketBinding) also bind the market (SPEC.md §6.12.7)."""
    for leaves in all_leaves:   # AssetLeaves, or a LeafStream: built as far as its chunk asks
        done = store.done(leaves.asset)
        for k in range(leaves.capacity // leaves.chunk):
            if k not in done:
                values, blindings, commitments = leaves.chunk_openings(k)
                yield ChunkJob(attestation_id, circuits_digest, leaves.asset, k, values, blindings, leaves.leaf_bits,
                               roundkeys.nonce_key(master, leaves.asset, "leaf_range", k), market, commitments)


def prove_chunks(jobs) -> list[bytes]:
    """A task: the range proofs of a few chunks, in order (picklable, for any executor)."""
    return [prove_chunk(job) for job in jobs]


def _tasks(jobs, per_task: int):
    while group := list(islice(jobs, per_task)):
        yield group


def _completed(executor, jobs, window: int, per_task: int, task_fn=prove_chunks):
    """(asset, index, proof) as chunks finish: `per_task` chunks a task, at most `window`
    tasks submitted at a time; `task_fn` proves one task's chunks."""
    tasks = _tasks(jobs, per_task)
    in_flight = {executor.submit(task_fn, task): task for task in islice(tasks, window)}
    while in_flight:
        done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
        for future in done:
            task = in_flight.pop(future)
            for job, proof in zip(task, future.result()):
                yield job[2], job[3], proof
            for following in islice(tasks, 1):
                in_flight[executor.submit(task_fn, following)] = following


def _prove_pending(store, jobs, count: int, options, report, task_fn=prove_chunks) -> None:
    """Run the `count` chunks not yet in the store; save each as its task finishes (committed
    STATE_CHUNKS_PER_COMMIT at a time, and all of them when this ends)."""
    if not count:
        return
    per_task = CHUNKS_PER_DASK_TASK if options.scheduler else 1
    window = 64 if options.scheduler else 4 * options.workers
    with executor_for(options.workers, options.scheduler) as executor:
        with store.chunks_grouped(STATE_CHUNKS_PER_COMMIT):   # committed before the executor closes
            chunks = _completed(executor, jobs, window, per_task, task_fn)
            with report.progress(chunks, "range proofs", length=count) as bar:
                for asset, index, proof in bar:
                    store.save_chunk(asset, index, proof)


def run(ledger_path, reserves_path, out_dir, state_path, options: Options, report,
        with_resume_count: bool = False, keep: dict | None = None):
    """Prove (or resume) a round; returns the manifest (and, if asked, how many chunks a
    resumed round found already proved). Every path is checked before any work; the
    attestation appears only whole. A failure after proving began leaves the state of a
    round in progress, which the same command resumes (SPEC.md §6.9)."""
    _check_paths(ledger_path, reserves_path, out_dir, state_path, options, keep)
    if options.capacity is not None:
        memory.check("--capacity", options.capacity, memory.SPOT_LEAF_BYTES)
    if options.margin_capacity is not None:
        memory.check("--margin-capacity", options.margin_capacity, memory.MARGIN_LEAF_BYTES)
    if options.prices is not None and options.scheduler:   # spot trees in subtrees (SPEC.md §6.9.1)
        from zksolv.attestation import margincluster
        return margincluster.run(ledger_path, reserves_path, out_dir, state_path, options, report, with_resume_count)
    if options.prices is not None:
        from zksolv.attestation import margin
        return margin.run(ledger_path, reserves_path, out_dir, state_path, options, report, with_resume_count)
    if options.margin_capacity is not None or options.refusals is not None:
        raise InputError("--margin-capacity and --refusals need --prices (a margin round)")
    res = reserves_module.load(reserves_path)
    exchange.check_key_for(res, options.sign_key)
    reserves_module.verify_control(res)
    circuits = statements.load()
    ratio = coverage_ratio(options.coverage_percent) if options.coverage_percent else None
    check_statement_bounds(res, circuits, ratio)
    if options.scheduler:   # on a Dask cluster, in subtrees (issue 14)
        from zksolv.attestation import sharded
        manifest, already = sharded.run(res, circuits, ratio, ledger_path, reserves_path, out_dir, state_path,
                                        options, report)
        return (manifest, already) if with_resume_count else manifest
    balances = _balances(ledger_path, res)
    inputs = _inputs_digest(ledger_path, reserves_path, options)
    round_meta = round_meta_for(state_path, inputs, options, res)
    master = round_meta["master_secret"]
    streams = _leaf_streams(res, balances, master, ratio, options, report)  # may refuse: nothing written yet
    store = RoundStore.open(state_path, inputs, round_meta, options.force)
    try:
        already = sum(len(store.done(a)) for a in balances)
        if store.resumed:
            report.line(f"resuming the round in {state_path}: {already} chunks already proved")
        pending = sum(s.capacity // s.chunk for s in streams) - already
        _prove_pending(store, _jobs(store, res.attestation_id, circuits.digest, streams, master), pending,
                       options, report)
        all_leaves = [s.leaves() for s in streams]   # what no pending chunk asked for is built here
        manifest = _publish(res, circuits, all_leaves, store, out_dir, options, ratio)
    finally:
        store.close()
    return (manifest, already) if with_resume_count else manifest


def round_meta_for(state_path, inputs: str, options: Options, res) -> dict:
    """The metadata of the round in progress at `state_path` proving `inputs` (resumed), or
    a fresh round's: a new master secret (or --round-secret-file's) and timestamp."""
    return RoundStore.resumable(state_path, inputs, options.force) or {
        "attestation_id": res.attestation_id,
        "master_secret": options.round_secret or roundkeys.new_master_secret(),
        "timestamp": options.timestamp or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}


def _leaf_streams(res, balances, master, ratio, options, report) -> list[build.LeafStream]:
    """Each asset's leaves, to be built as its chunks are proved (`_jobs`): before any is
    built, its capacity and its solvency are checked — L is the sum of the leaf values, the
    users' units (padding holds 0; SPEC.md §6.3, §6.5) — and its line is reported."""
    streams = []
    for asset, rows in balances.items():
        capacity = _capacity(asset, len(rows), options.capacity)
        _check_solvent(asset, sum(units % N for _, units in rows), res.assets[asset], ratio)
        streams.append(build.LeafStream(master, asset, rows, capacity, res.assets[asset].leaf_bits,
                                        min(options.chunk, capacity)))
        report.line(f"{asset}: {len(rows)} users, capacity {capacity}")
    return streams


def _build_all(res, balances, master, ratio, options, report) -> list[build.AssetLeaves]:
    """Every asset's leaves built at once (checked and reported as `_leaf_streams` does)."""
    return [s.leaves() for s in _leaf_streams(res, balances, master, ratio, options, report)]


def _publish(res, circuits, all_leaves, store, out_dir, options, ratio, entry=None, subtrees=()) -> Manifest:
    """Write the attestation directory whole and mark the state complete; `entry(leaves,
    directory)` writes an asset's audit file (default: from leaves held here) and
    `subtrees` is a sharded round's index (SPEC.md §6.9.1)."""
    entry = entry or (lambda leaves, tmp: _asset_entry(leaves, store.chunk_proofs(leaves.asset), ratio, tmp))
    with published.output(out_dir, options.force) as out:   # a local directory or a URL
        tmp = out.directory
        entries = {leaves.asset: entry(leaves, tmp) for leaves in all_leaves}
        body = Manifest(res.attestation_id, store.meta["timestamp"], options.previous, circuits.name,
                        circuits.digest, res, entries)
        manifest = _with_statement_proofs(body, circuits, all_leaves, store.meta["master_secret"])
        manifest.write(tmp / FILE)
        exchange.sign_into(tmp, options.sign_key, manifest.digest())
        out.publish()
        store.finish({"manifest_digest": manifest.digest().hex(),
                      "manifest_json": canonical_bytes(manifest.to_json())}, all_leaves, subtrees=subtrees)
    return manifest


def _statement_proof(circuit, body, circuits_digest, leaves, public, body_digest, master) -> bytes:
    value, blinding = circuit.opening({"L": (leaves.total, leaves.root_blinding)}, public)
    t = transcript(body.attestation_id, circuits_digest, leaves.asset, circuit.name, body_digest=body_digest)
    rng = roundkeys.NonceStream(roundkeys.nonce_key(master, leaves.asset, circuit.name, 0))
    proof, V = rangeproof.prove(t, [value], [blinding], circuit.bits({"leaf_bits": leaves.leaf_bits}), rng=rng)
    expected = circuit.commitment({"L": Point.from_bytes(leaves.root[0])}, public)
    if V[0] != expected:  # a bug, never an input problem: refuse to publish
        raise AssertionError(f"{circuit.name} commitment mismatch for {leaves.asset}")
    return proof.to_bytes()


def _with_statement_proofs(body: Manifest, circuits, all_leaves, master: bytes) -> Manifest:
    """Solvency (and coverage) proofs, each bound to the digest of the proof-less manifest."""
    body_digest = body.body_digest()
    entries = {}
    for leaves in all_leaves:
        e = body.assets[leaves.asset]
        public = {"R": body.reserves.assets[leaves.asset].total}

        def prove_one(name, pub, leaves=leaves):
            return _statement_proof(circuits[name], body, circuits.digest, leaves, pub, body_digest, master)

        coverage = e.coverage and Coverage(e.coverage.numerator, e.coverage.denominator, prove_one(
            "coverage", {**public, "p": e.coverage.numerator, "q": e.coverage.denominator}))
        entries[leaves.asset] = replace(e, solvency_proof=prove_one("solvency", public), coverage=coverage)
    return replace(body, assets=entries)


def write_audit_file(leaves, chunk_proofs, directory: Path) -> tuple[str, str, int]:
    """Write `<asset>.audit` (SPEC.md §6.8); its name, SHA-256 and size."""
    name = f"{leaves.asset}.audit"
    header = auditfile.Header(leaves.asset, leaves.leaf_bits, leaves.capacity, leaves.chunk)
    if len(chunk_proofs) != header.proofs:
        raise AssertionError(f"{leaves.asset}: {len(chunk_proofs)} of {header.proofs} chunk proofs")
    with open(directory / name, "wb") as f:
        level0 = leaves.levels[0]
        auditfile.write(f, header, level0.records(),
                        chunk_proofs)
    digest, size = auditfile.file_digest(directory / name)
    return name, digest, size


def _asset_entry(leaves, chunk_proofs, ratio, directory: Path) -> AssetEntry:
    """The entry for one asset, its audit file written; statement proofs come later."""
    name, digest, size = write_audit_file(leaves, chunk_proofs, directory)
    c_root, h_root = leaves.root
    coverage = ratio and Coverage(ratio[0], ratio[1], b"")
    return AssetEntry(leaves.capacity, leaves.chunk, c_root, h_root, b"", coverage, name, digest, size)


