"""Checking a margin attestation (manifest version 2): `verify` and `audit` (MARGIN.md §10–§11;
SPEC.md §6.10, §6.12).

verify: the strict manifest, the margin-v1 circuits, the market (normalized form, every
attested asset priced; optionally against the verifier's own prices), every bound (the leaf
layout and every statement with the published capacities: nothing can wrap), and every
statement proof — solvency and coverage per asset on net liabilities, the firm-wide coverage
at every scenario. audit: also every spot leaf and range proof (as version 1), and every
margin leaf: the account tree rebuilt to the manifest's root, no two leaves alike, every
leaf's claims batch-verified on the executor.
"""

import os
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from zksolv import bounds, market as market_module, marginstatements, rangeproof, reserves as reserves_module
from zksolv.accounts import fastaudit, tree as account_tree
from zksolv.accounts.layout import build as build_layout
from zksolv.accounts.leaf import node_points, statements as leaf_statements
from zksolv.accounts.widerange import part_sizes
from zksolv.attestation import inplace, manifest as manifest_module, manifest2, margininplace, marginfile, remote
from zksolv.attestation.auditfile import file_digest, open_file
from zksolv.attestation.auditsource import source_of
from zksolv.attestation.claims import RoundShape, round_claims, verify_claim
from zksolv.attestation.context import MarketBinding, transcript
from zksolv.attestation.marginleaves import MARGIN_TREE, STATEMENT, split_leaves
from zksolv.errors import InputError, InvalidProof
from zksolv.group import Point, default_backend
from zksolv.market.fixed import parse_fixed
from zksolv.reserves import snapshot as snapshot_module


@dataclass
class Checked:
    """A parsed margin manifest with what its checks derive from public data."""

    manifest: manifest2.ManifestV2
    layout: object
    claims: list
    binding: MarketBinding


def check_market(published, mine, tolerance_bp: int) -> None:
    """`verify --prices`: same assets, tiers, μ and scenarios exactly; every price within
    `tolerance_bp` basis points of the verifier's own."""
    if (published.quote, published.decimals, published.mu_bp, published.scenarios) != \
            (mine.quote, mine.decimals, mine.mu_bp, mine.scenarios) or set(published.terms) != set(mine.terms):
        raise InvalidProof("the attestation's market data differs from yours beyond prices "
                           "(quote, minimum collateral, scenarios or assets)")
    for a, terms in published.terms.items():
        if terms.tiers != mine.terms[a].tiers:
            raise InvalidProof(f"{a}: the attestation's haircut tiers differ from yours")
        ours = mine.terms[a].price
        if abs(terms.price - ours) * 10_000 > tolerance_bp * ours:
            raise InvalidProof(f"{a}: the attestation's price differs from yours by more than the tolerance")


def tolerance(text: str | None) -> int:
    """--price-tolerance "1%" or "0.5" (percent) → basis points."""
    if text is None:
        return 0
    try:
        bp = parse_fixed(text.removesuffix("%"), 2)
    except InputError as exc:
        raise InputError(f"--price-tolerance: {exc}") from None
    if bp > 100 * 100:
        raise InputError("--price-tolerance: at most 100 %")
    return bp


def load(directory, circuits_path=None) -> Checked:
    """The manifest, refused unless its circuits are margin-v1 and every bound holds."""
    m = manifest2.read(Path(directory) / manifest_module.FILE)
    circuits = marginstatements.load(circuits_path)
    if circuits.digest != m.circuits_hash:
        raise InvalidProof(f"the attestation proves circuits {m.circuits_hash.hex()[:16]}…, "
                           f"this verifier loaded {circuits.digest.hex()[:16]}… ({circuits.name})")
    try:
        coeffs = m.market.coefficients(m.reserves.decimals)
        layout = build_layout(coeffs, m.reserves.leaf_bits)
        claims = round_claims(_shape(m), coeffs, layout)
    except InputError as exc:
        raise InvalidProof(f"the attestation's statements are not sound: {exc}") from None
    return Checked(m, layout, claims, m.market_binding)


def _shape(m) -> RoundShape:
    ratios = {e.coverage[:2] if e.coverage else None for e in m.assets.values()}
    if len(ratios) != 1:
        raise InputError("every asset must state the same coverage ratio, or none")
    (coverage,) = ratios
    for r in filter(None, (coverage, m.firm_ratio)):
        bounds.check_ratio(*r)
    return RoundShape({a: r.total for a, r in m.reserves.assets.items()}, m.reserves.leaf_bits,
                      {a: e.capacity for a, e in m.assets.items()}, m.margin.capacity, coverage, m.firm_ratio)


def _points(m) -> dict[str, Point]:
    out = {f"L/{a}": Point.from_bytes(e.root_commitment) for a, e in m.assets.items()}
    for i, a in enumerate(sorted(m.assets)):
        out[f"E/{a}"] = Point.from_bytes(m.margin.root_commitments[2 * i])
        out[f"D/{a}"] = Point.from_bytes(m.margin.root_commitments[2 * i + 1])
    return out


def _proof_of(m, claim):
    if claim.asset:
        e = m.assets[claim.asset]
        return e.solvency if claim.name == "solvency" else e.coverage[2]
    return dict(m.firm)[claim.name.removeprefix("firm/")]


def verify(directory, snapshot_path=None, circuits_path=None, prices_path=None, price_tolerance=None, signer=None):
    tolerance_bp = _checked_tolerance(prices_path, price_tolerance)
    return _verify(load(directory, circuits_path), snapshot_path, prices_path, tolerance_bp, directory, signer)


def _checked_tolerance(prices_path, price_tolerance) -> int:
    tolerance_bp = tolerance(price_tolerance)
    if price_tolerance is not None and not prices_path:
        raise InputError("--price-tolerance needs --prices")
    return tolerance_bp


def _verify(c: Checked, snapshot_path, prices_path, tolerance_bp: int, directory, signer):
    """Everything `verify` checks, on a manifest already loaded and bounded (`load`)."""
    from zksolv.attestation.verify import MarginReport, check_custody

    m = c.manifest
    report = MarginReport(m.attestation_id, m.digest().hex())
    check_custody(directory, m, report, signer)
    report.wallets_checked = reserves_module.verify_control(m.reserves)
    if snapshot_path:
        snapshot_module.check(m.reserves, snapshot_module.load(snapshot_path))
        report.balances = f"match the snapshot {snapshot_path}"
    if prices_path:
        check_market(m.market, market_module.load(prices_path, m.reserves.decimals), tolerance_bp)
    body_digest, points = m.body_digest(), _points(m)
    for claim in c.claims:
        def transcript_for(part: int, claim=claim):
            return transcript(m.attestation_id, m.circuits_hash, claim.asset, claim.name, body_digest=body_digest,
                              market=c.binding)
        verify_claim(claim, points, _proof_of(m, claim), transcript_for)
    for a, e in m.assets.items():
        report.assets[a] = {"capacity": e.capacity, "solvent": True, "coverage_percent": e.coverage_percent,
                            "backed_by": reserves_module.backing(m.reserves.assets[a])}
    report.margin = {"capacity": m.margin.capacity, "scenarios": [n for n, _ in m.firm],
                     "firm_coverage_percent": manifest_module.Coverage(*m.firm_ratio, b"").percent,
                     "prices": f"match {prices_path}" if prices_path else "as published (no --prices given)"}
    return report


def audit(directory, snapshot_path=None, circuits_path=None, workers=1, scheduler=None, report=None,
          prices_path=None, price_tolerance=None, signer=None, published=None):
    """Everything verify checks, every spot leaf and proof, and every margin leaf.
    `published`: where the audit files are, if not in `directory` (a URL whose small files
    remote.py fetched into `directory`)."""
    from zksolv.attestation.verify import _audit_asset, engine_for

    tolerance_bp = _checked_tolerance(prices_path, price_tolerance)
    c = load(directory, circuits_path)   # once: the manifest parsed, the layout and claims built
    result = _verify(c, snapshot_path, prices_path, tolerance_bp, directory, signer)
    with engine_for(workers, scheduler) as (executor, client):
        for asset, entry in c.manifest.assets.items():
            leaves, proofs = _audit_asset(published or directory, c.manifest, asset, entry, executor, workers, report,
                                          client)
            result.leaves_checked += leaves
            result.range_proofs_checked += proofs
        leaves, proofs = _audit_margin_file(published or directory, directory, c, executor, workers, client, report)
        result.leaves_checked += leaves
        result.range_proofs_checked += proofs
    return result


def _audit_margin_file(published, directory, c: Checked, executor, workers: int, client, report):
    """`margin.audit` read in place by the cluster's units (`client`) if every worker sees
    the file this process sees, else streamed through this process — fetched first, bounded,
    if it is at a URL (SPEC.md §6.10)."""
    source = source_of(published, marginfile.FILE)
    if client is not None and inplace.workers_see(client, source):
        return margininplace.audit(source, c, client, report)
    if str(published) != str(directory):   # a URL: margin.audit fetched, bounded
        remote.fetch(str(published).rstrip("/"), marginfile.FILE, "margin audit file", Path(directory),
                     c.manifest.margin.audit_bytes)
    return _audit_margin(Path(directory), c, executor, workers, report)


def _audit_margin(directory: Path, c: Checked, executor, workers: int, report=None) -> tuple[int, int]:
    """Stream margin.audit in work units of one chunk: each unit decodes its leaves, builds
    their subtree of the account tree and batch-verifies their claims (verify_leaves); this
    process joins the subtrees' roots and refuses duplicate leaves across units."""
    from zksolv.attestation.verify import Pending

    m, path = c.manifest, directory / marginfile.FILE
    if file_digest(path) != (m.margin.audit_sha256, m.margin.audit_bytes):
        raise InvalidProof(margininplace.MISMATCH)
    builder, seen, index = account_tree.Builder(keep_levels=False), set(), 0
    pending = Pending(executor, 2 * max(workers, 1), lambda result: _join_subtree(builder, seen, c.layout, result))
    with open_file(path) as f:
        tee = inplace.Tee(f)   # the bytes checked must be the bytes hashed above
        reader = marginfile.Reader(tee, str(path), c.layout, os.fstat(f.fileno()).st_size)
        if (reader.header.capacity, reader.header.chunk) != (m.margin.capacity, m.margin.chunk):
            raise InvalidProof(margininplace.HEADER_DISAGREES)
        chunks = reader.chunks()
        with (report.progress(chunks, "audit margin", length=m.margin.capacity // m.margin.chunk)
              if report is not None else nullcontext(chunks)) as bar:
            for data in bar:
                pending.submit(verify_leaves, (m.attestation_id, m.circuits_hash, c.binding, c.layout, index, data))
                index += m.margin.chunk
    pending.drain()
    if (tee.whole.hexdigest(), tee.position) != (m.margin.audit_sha256, m.margin.audit_bytes):
        raise InvalidProof(margininplace.MISMATCH)   # the file changed after it was hashed
    if builder.root(m.margin.capacity) != (b"".join(m.margin.root_commitments), m.margin.root_hash):
        raise InvalidProof(margininplace.ROOT_DIFFERS)
    return m.margin.capacity, m.margin.capacity * len(part_sizes(c.layout.limb_values))


def _refuse_duplicates(seen: set, hashes) -> None:
    """Two accounts must never share a leaf (DESIGN §8.3)."""
    for h in hashes:
        if h in seen:
            raise InvalidProof(f"two margin leaves share the hash {h.hex()[:16]}…")
        seen.add(h)


def _join_subtree(builder, seen: set, layout, result) -> None:
    """A work unit's leaf hashes (checked against every other unit's) and subtree root."""
    height, commitments, digest, hashes = result
    _refuse_duplicates(seen, hashes)
    builder.push(account_tree.node_of(commitments, digest, 2 * len(layout.assets)), height)


def verify_leaves(job) -> tuple[int, bytes, bytes, list[bytes]]:
    """A work unit (picklable, any executor): decode consecutive margin leaves, refuse two
    alike, build their subtree of the account tree and batch-verify every claim; the
    subtree's (height, root Cs, root hash) and the leaves' hashes. On the native backend the
    points are decoded and derived in the kernel (accounts/fastaudit.py), elsewhere (and
    for anything the kernel refuses, to raise the precise error) by leaf.py and tree.py."""
    attestation_id, circuits_hash, binding, layout, first, data = job
    backend = default_backend()
    fast = fastaudit.decode_unit(data, layout, backend) if fastaudit.usable(backend) else None
    leaves, hashes = fast or _decoded(data, layout)
    _refuse_duplicates(set(), hashes)
    if fast:
        nodes, limbs = fastaudit.derive(layout, leaves, backend)
        commitments, digest = fastaudit.subtree(nodes, hashes, 2 * len(layout.assets))
    else:
        (commitments, digest), limbs = _subtree(layout, leaves, hashes), [None] * len(leaves)
    batch = []
    for pos, (leaf, h, leaf_limbs) in enumerate(zip(leaves, hashes, limbs), start=first):
        def context(pos=pos):
            return transcript(attestation_id, circuits_hash, MARGIN_TREE, STATEMENT, pos, market=binding)
        batch += leaf_statements(layout, leaf, context, limbs=leaf_limbs, leaf_hash=h)
    try:
        rangeproof.batch_verify(batch)
    except InvalidProof:
        raise InvalidProof(f"a margin leaf's range proofs do not verify (leaves {first}…)") from None
    return len(leaves).bit_length() - 1, commitments, digest, hashes


def _decoded(data: bytes, layout) -> tuple[list, list[bytes]]:
    """The reference decoding: leaf by leaf, point by point (raises the precise error)."""
    leaves = split_leaves(data, layout)
    return leaves, [leaf.hash() for leaf in leaves]


def _subtree(layout, leaves, hashes) -> tuple[bytes, bytes]:
    """The reference subtree: the leaves' nodes pushed one by one (account_tree.Builder)."""
    builder = account_tree.Builder(keep_levels=False)
    for leaf, h in zip(leaves, hashes):
        builder.push(account_tree.leaf_node(node_points(layout, leaf), h))
    return builder.root()
