"""One round of proving: ledger + reserves → attestation directory + prover state
(DESIGN §4–6; SPEC.md §6)."""

import os
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from math import gcd
from pathlib import Path

from zksolv import ledger, rangeproof, reserves as reserves_module, roundkeys, state, statements
from zksolv.amounts import format_amount, parse_amount
from zksolv.attestation import auditfile, build
from zksolv.attestation.context import transcript
from zksolv.attestation.manifest import FILE, AssetEntry, Coverage, Manifest
from zksolv.errors import InputError, Insolvent
from zksolv.fsutil import atomic_dir
from zksolv.group import Point
from zksolv.statements import canonical_bytes
from zksolv.tree import check_capacity

DEFAULT_CHUNK = 64
SOLVENCY_BITS = 128


@dataclass(frozen=True)
class Options:
    capacity: int | None = None
    coverage_percent: str | None = None
    workers: int = os.cpu_count() or 1
    chunk: int = DEFAULT_CHUNK
    previous: str | None = None
    force: bool = False


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
    return p // g, q // g


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


def _refuse_existing(out_dir: Path, state_path: Path) -> None:
    """Fail before any work if an output is already there (an empty directory is fine)."""
    if out_dir.exists() and not (out_dir.is_dir() and not any(out_dir.iterdir())):
        raise InputError(f"{out_dir}: already exists and is not empty (use --force to replace it)")
    if state_path.exists():
        raise InputError(f"{state_path}: already exists (use --force to replace it)")


def _check_solvent(leaves, res_asset, ratio) -> None:
    liabilities, reserves_total = leaves.total, res_asset.total
    d = res_asset.decimals
    if liabilities > reserves_total:
        raise Insolvent(f"{leaves.asset}: reserves {format_amount(reserves_total, d)} do not cover "
                        f"liabilities; refusing to prove")
    if ratio and ratio[1] * reserves_total < ratio[0] * liabilities:
        raise Insolvent(f"{leaves.asset}: reserves are below the coverage asked for; refusing to prove")


def _prove_chunk(job) -> bytes:
    """A process-pool work unit: the range proof of one chunk of leaves."""
    attestation_id, circuits_digest, asset, index, values, blindings, bits = job
    t = transcript(attestation_id, circuits_digest, asset, "leaf_range", index)
    proof, _ = rangeproof.prove(t, values, blindings, bits)
    return proof.to_bytes()


def _chunk_jobs(attestation_id, circuits_digest, leaves):
    m = leaves.chunk
    return [(attestation_id, circuits_digest, leaves.asset, k, leaves.values[k * m : (k + 1) * m],
             leaves.blindings[k * m : (k + 1) * m], leaves.leaf_bits) for k in range(leaves.capacity // m)]


def _statement_proof(circuit, attestation_id, circuits_digest, leaves, public, body_digest) -> bytes:
    value, blinding = circuit.opening({"L": (leaves.total, leaves.root_blinding)}, public)
    t = transcript(attestation_id, circuits_digest, leaves.asset, circuit.name, body_digest=body_digest)
    proof, V = rangeproof.prove(t, [value], [blinding], circuit.bits({}))
    expected = circuit.commitment({"L": Point.from_bytes(leaves.root[0])}, public)
    if V[0] != expected:  # a bug, never an input problem: refuse to publish
        raise AssertionError(f"{circuit.name} commitment mismatch for {leaves.asset}")
    return proof.to_bytes()


def run(ledger_path, reserves_path, out_dir, state_path, options: Options, report,
        executor: Executor | None = None) -> Manifest:
    """Prove a round; returns the manifest. Writes nothing unless everything succeeds."""
    if not options.force:
        _refuse_existing(Path(out_dir), Path(state_path))
    res = reserves_module.load(reserves_path)
    reserves_module.verify_control(res)
    circuits = statements.load()
    ratio = coverage_ratio(options.coverage_percent) if options.coverage_percent else None
    balances = _balances(ledger_path, res)
    master = roundkeys.new_master_secret()
    all_leaves = []
    for asset, rows in balances.items():
        capacity = _capacity(asset, len(rows), options.capacity)
        chunk = min(options.chunk, capacity)
        leaves = build.build(master, asset, rows, capacity, res.assets[asset].leaf_bits, chunk)
        _check_solvent(leaves, res.assets[asset], ratio)
        all_leaves.append(leaves)
        report.line(f"{asset}: {len(rows)} users, capacity {capacity}")
    proofs = _prove_all(res.attestation_id, circuits.digest, all_leaves, options.workers, report, executor)
    return _publish(res, circuits, all_leaves, proofs, ratio, master, out_dir, state_path, options)


def _prove_all(attestation_id, circuits_digest, all_leaves, workers, report, executor):
    jobs = [job for leaves in all_leaves for job in _chunk_jobs(attestation_id, circuits_digest, leaves)]
    own = executor is None and workers > 1
    pool = ProcessPoolExecutor(workers) if own else executor
    try:
        results = pool.map(_prove_chunk, jobs) if pool else map(_prove_chunk, jobs)
        with report.progress(results, "range proofs", length=len(jobs)) as bar:
            done = list(bar)
    finally:
        if own:
            pool.shutdown()
    out, i = {}, 0
    for leaves in all_leaves:
        n = leaves.capacity // leaves.chunk
        out[leaves.asset], i = done[i : i + n], i + n
    return out


def _publish(res, circuits, all_leaves, proofs, ratio, master, out_dir, state_path, options) -> Manifest:
    with atomic_dir(Path(out_dir), options.force) as tmp:
        entries = {leaves.asset: _asset_entry(leaves, proofs[leaves.asset], ratio, tmp) for leaves in all_leaves}
        body = Manifest(res.attestation_id, datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        options.previous, circuits.name, circuits.digest, res, entries)
        manifest = _with_statement_proofs(body, circuits, all_leaves)
        manifest.write(tmp / FILE)
        state.write(state_path, {"attestation_id": res.attestation_id, "master_secret": master,
                                 "manifest_digest": manifest.digest().hex(),
                                 "manifest_json": canonical_bytes(manifest.to_json())},
                    all_leaves, options.force)
    return manifest


def _with_statement_proofs(body: Manifest, circuits, all_leaves) -> Manifest:
    """Solvency (and coverage) proofs, each bound to the digest of the proof-less manifest."""
    body_digest = body.body_digest()
    entries = {}
    for leaves in all_leaves:
        e = body.assets[leaves.asset]
        public = {"R": body.reserves.assets[leaves.asset].total}
        prove_one = lambda name, pub: _statement_proof(  # noqa: E731
            circuits[name], body.attestation_id, circuits.digest, leaves, pub, body_digest)
        coverage = e.coverage and Coverage(e.coverage.numerator, e.coverage.denominator, prove_one(
            "coverage", {**public, "p": e.coverage.numerator, "q": e.coverage.denominator}))
        entries[leaves.asset] = replace(e, solvency_proof=prove_one("solvency", public), coverage=coverage)
    return replace(body, assets=entries)


def _asset_entry(leaves, chunk_proofs, ratio, directory: Path) -> AssetEntry:
    """The entry for one asset, its audit file written; statement proofs come later."""
    name = f"{leaves.asset}.audit"
    header = auditfile.Header(leaves.asset, leaves.leaf_bits, leaves.capacity, leaves.chunk)
    with open(directory / name, "wb") as f:
        level0 = leaves.levels[0]
        auditfile.write(f, header, b"".join(c + h for c, h in (level0.node(i) for i in range(len(level0)))),
                        chunk_proofs)
    digest, size = auditfile.file_digest(directory / name)
    c_root, h_root = leaves.root
    coverage = ratio and Coverage(ratio[0], ratio[1], b"")
    return AssetEntry(leaves.capacity, leaves.chunk, c_root, h_root, b"", coverage, name, digest, size)
