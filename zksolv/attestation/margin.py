"""A margin round of `prove --prices` (MARGIN.md §9–§12; DESIGN §11; SPEC.md §6.12).

Users with a debt are margin accounts (all their rows in one account leaf); every other user
stays spot, in the per-asset trees exactly as a spot round. Before any work: every bound is
checked (the leaf layout, every statement with the true capacities) and the plain-integer
reference (market/reference.py) must find every account collateralized at every scenario,
every asset solvent on its net liabilities and the firm covered at every scenario — else the
round is refused (exit 1), the failing accounts listed in a private 0600 report, nothing
published. Spot chunks and margin-leaf chunks are work units on the same executor, each
committed to the state as it finishes (resume). Published: manifest version 2, the spot
audit files and margin.audit.
"""

from dataclasses import replace
from pathlib import Path

from zksolv import ledger, market as market_module, marginstatements, reserves as reserves_module, roundkeys
from zksolv.accounts import tree as account_tree
from zksolv.accounts.layout import build as build_layout
from zksolv.attestation import build, exchange, marginfile, marginleaves, prove as spot
from zksolv.attestation.claims import RoundShape, WideProof, prove_claim, round_claims
from zksolv.attestation.context import MarketBinding, transcript
from zksolv.attestation.manifest import FILE
from zksolv.attestation.manifest2 import ManifestV2, MarginEntry, SpotEntry
from zksolv.commitments import commit
from zksolv.errors import InputError, Insolvent
from zksolv.fsutil import atomic_dir
from zksolv.group import N, Point
from zksolv.market.reference import evaluate, format_percent, partition
from zksolv.state import RoundStore
from zksolv.statements import canonical_bytes

MARGIN_TREE = marginleaves.MARGIN_TREE


def firm_ratio(percent: str) -> tuple[int, int]:
    """--firm-coverage P (percent ≥ 100) as p/q in lowest terms."""
    try:
        return spot.coverage_ratio(percent)
    except InputError as exc:
        raise InputError(str(exc).replace("--coverage", "--firm-coverage")) from None


class Round:
    """The public and private inputs of a margin round, read and checked."""

    def __init__(self, reserves_path, options):
        self.res = reserves_module.load(reserves_path)
        exchange.check_key_for(self.res, options.sign_key)
        reserves_module.verify_control(self.res)
        self.circuits = marginstatements.load()
        self.market = market_module.load(options.prices, self.res.decimals)
        self.market.check_assets(set(self.res.assets))
        self.coeffs = self.market.coefficients(self.res.decimals)
        self.layout = build_layout(self.coeffs, self.res.leaf_bits)
        self.ratio = spot.coverage_ratio(options.coverage_percent) if options.coverage_percent else None
        self.firm = firm_ratio(options.firm_coverage)
        self.binding = MarketBinding.of(self.market.digest(), self.res.decimals)
        self.margin: dict[str, dict[str, int]] = {}     # margin accounts: user → signed units per asset
        self.margin_count = 0                           # how many (known before `margin` on a cluster)
        self.spot_counts: dict[str, int] = {}           # per asset (reserves' order): spot rows
        self.spot_totals: dict[str, int] = {}           # per asset: L_spot[a]

    def read_ledger(self, ledger_path) -> "Round":
        """The ledger read in this process (the pool's round): margin accounts and spot rows."""
        self.margin, self.spot_rows = _partitioned(ledger_path, self.res)
        self.margin_count = len(self.margin)
        self.spot_counts = {a: len(rows) for a, rows in self.spot_rows.items()}
        self.spot_totals = {a: sum(u for _, u in rows) for a, rows in self.spot_rows.items()}
        return self

    def capacities(self, options) -> tuple[dict[str, int], int]:
        spot_caps = {a: spot._capacity(a, n, options.capacity) for a, n in self.spot_counts.items()}
        return spot_caps, _margin_capacity(self.margin_count, options.margin_capacity)

    def checked(self, options, refusals: Path, verdict=None):
        """Before any work: the capacities, every statement's claim (bounds checked) and the
        plain-integer verdict (refuse_unless_sound; `verdict`: one already made, on a
        cluster) — (spot capacities, margin capacity, claims)."""
        spot_caps, margin_cap = self.capacities(options)
        claims = round_claims(RoundShape(self.reserves(), self.res.leaf_bits, spot_caps, margin_cap, self.ratio,
                                         self.firm), self.coeffs, self.layout)
        if verdict is None:
            refuse_unless_sound(self, refusals)
        else:
            refuse_unless_sound(self, refusals, verdict)
        return spot_caps, margin_cap, claims

    def reserves(self) -> dict[str, int]:
        return {a: r.total for a, r in self.res.assets.items()}


def _partitioned(ledger_path, res):
    """(margin accounts: user → signed units per asset, spot rows per asset in ledger order)."""
    accounts: dict[str, dict[str, int]] = {}
    for row in ledger.read_ledger(ledger_path, res.decimals, res.leaf_bits, debts=True):
        accounts.setdefault(row.user_id, {})[row.asset] = row.units
    margin, _ = partition(accounts)
    rows: dict[str, list[tuple[str, int]]] = {a: [] for a in res.assets}
    for user, holding in accounts.items():
        if user not in margin:
            for a, units in holding.items():
                rows[a].append((user, units))
    return margin, rows


def _margin_capacity(accounts: int, requested: int | None) -> int:
    """--margin-capacity, or the default (accounts/tree.py default_capacity: the next power
    of two up to 1,024 accounts, above that the next multiple of 1,024)."""
    if requested is None:
        return account_tree.default_capacity(accounts)
    try:
        account_tree.check_capacity(requested)
    except ValueError as exc:
        raise InputError(f"--margin-capacity: {exc}") from None
    if requested < accounts:
        raise InputError(f"--margin-capacity {requested} is below the {accounts} margin accounts")
    return requested


def refuse_unless_sound(rnd: Round, refusals: Path, verdict=None) -> None:
    """The plain-integer verdict of every statement (`verdict`, or evaluated here);
    Insolvent (nothing written but the private report) unless all hold."""
    verdict = verdict or evaluate(rnd.margin, rnd.spot_totals, rnd.reserves(), rnd.market, rnd.res.decimals,
                                  rnd.firm)
    problems = []
    if verdict.shortfalls:
        market_module.write_report(refusals, list(verdict.shortfalls), rnd.market.quote, rnd.market.decimals)
        by = ", ".join(f"{s}: {n}" for s, n in verdict.failures_by_scenario().items())
        problems.append(f"{verdict.failing_accounts()} margin accounts are not collateralized ({by}); "
                        f"listed in {refusals}")
    for a, pos in verdict.assets.items():
        if not pos.solvent:
            problems.append(f"{a}: reserves do not cover net liabilities")
        elif rnd.ratio and rnd.ratio[1] * pos.reserves < rnd.ratio[0] * pos.net_liabilities:
            problems.append(f"{a}: reserves are below the coverage asked for")
    for f in verdict.firm:
        if not f.covered:
            shown = format_percent(f.ratio) + " %" if f.ratio is not None else "undefined"
            problems.append(f"firm-wide coverage at {f.scenario} is {shown}, below --firm-coverage")
    if problems:
        raise Insolvent("; ".join(problems) + "; refusing to prove, nothing published")


def run(ledger_path, reserves_path, out_dir, state_path, options, report, with_resume_count=False):
    """Prove (or resume) a margin round; returns the version-2 manifest."""
    refusals = market_module.check_report_path(spot.refusals_path(options, state_path))
    firm_ratio(options.firm_coverage)      # every option checked before any work
    rnd = Round(reserves_path, options).read_ledger(ledger_path)
    spot_caps, margin_cap, claims = rnd.checked(options, refusals)
    inputs = spot._inputs_digest(ledger_path, reserves_path, options)
    meta = spot.round_meta_for(state_path, inputs, options, rnd.res)
    master = meta["master_secret"]
    all_leaves = [build.build(master, a, rows, spot_caps[a], rnd.res.assets[a].leaf_bits,
                              min(options.chunk, spot_caps[a])) for a, rows in rnd.spot_rows.items()]
    accounts = marginleaves.build(master, rnd.margin, rnd.layout, margin_cap, min(options.chunk, margin_cap))
    report.line(f"margin round: {len(rnd.margin)} margin accounts (capacity {margin_cap}), "
                f"{len(rnd.coeffs.scenarios)} scenarios")
    store = RoundStore.open(state_path, inputs, meta, options.force)
    try:
        already = sum(len(store.done(a)) for a in list(rnd.spot_rows) + [MARGIN_TREE])
        if store.resumed:
            report.line(f"resuming the round in {state_path}: {already} chunks already proved")
        _prove_all(store, rnd, all_leaves, accounts, master, options, report, already)
        manifest = _publish(rnd, claims, all_leaves, marginleaves.StoredTree(accounts, store), store, out_dir,
                            options)
    finally:
        store.close()
    return (manifest, already) if with_resume_count else manifest


def _prove_all(store, rnd, all_leaves, accounts, master, options, report, already) -> None:
    total = sum(x.capacity // x.chunk for x in all_leaves) + accounts.capacity // accounts.chunk

    def jobs():
        yield from spot._jobs(store, rnd.res.attestation_id, rnd.circuits.digest, all_leaves, master,
                              rnd.binding)
        yield from marginleaves.jobs(store, rnd.res.attestation_id, rnd.circuits.digest, rnd.binding, accounts,
                                     master)
    spot._prove_pending(store, jobs(), total - already, options, report, prove_tasks)


def prove_tasks(jobs) -> list[bytes]:
    """A task of spot chunks (job[2] an asset) and margin chunks (job[2] = "")."""
    return [marginleaves.prove_chunk(j) if j[2] == MARGIN_TREE else spot.prove_chunk(j) for j in jobs]


def _publish(rnd, claims, all_leaves, accounts, store, out_dir, options, entry=None, subtrees=()) -> ManifestV2:
    """Write the attestation directory whole and mark the state complete; `entry(leaves,
    directory)` writes a spot tree's audit file and returns its SpotEntry (default: from
    leaves held here), `subtrees` a sharded round's index (SPEC.md §6.9.1); `accounts` the
    account tree (marginleaves.StoredTree, or a cluster's marginsubtree.ShardedTree)."""
    entry = entry or (lambda x, tmp: _spot_entry(x, store.chunk_proofs(x.asset), rnd.ratio, tmp))
    levels, (root_cs, root_hash) = accounts.built()
    totals = accounts.totals()
    points = marginleaves.check_root(root_cs, totals, rnd.layout)
    with atomic_dir(Path(out_dir), options.force) as tmp:
        entries = {x.asset: entry(x, tmp) for x in all_leaves}
        margin_entry = _write_margin_audit(rnd, accounts, root_cs, root_hash, tmp)
        blank = WideProof((), ())
        body = ManifestV2(rnd.res.attestation_id, store.meta["timestamp"], options.previous, rnd.circuits.name,
                          rnd.circuits.digest, rnd.market, rnd.res, entries, margin_entry, rnd.firm,
                          tuple((name, blank) for name in rnd.coeffs.scenarios))
        openings = {**totals, **{f"L/{x.asset}": (x.total, x.root_blinding) for x in all_leaves}}
        points.update({f"L/{x.asset}": Point.from_bytes(x.root[0]) for x in all_leaves})
        manifest = _with_proofs(body, claims, openings, points, rnd.binding, store.meta["master_secret"])
        manifest.write(tmp / FILE)
        exchange.sign_into(tmp, options.sign_key, manifest.digest())
        store.finish({"manifest_digest": manifest.digest().hex(),
                      "manifest_json": canonical_bytes(manifest.to_json())}, all_leaves,
                     (list(accounts.state_rows()), levels, accounts.base_level), subtrees=subtrees)
    return manifest


def _spot_entry(leaves, chunk_proofs, ratio, directory: Path, written=None) -> SpotEntry:
    """A spot tree's entry, its audit file written (`written`: by another writer, e.g. from
    a sharded round's shards, as (name, digest, size))."""
    name, digest, size = written or spot.write_audit_file(leaves, chunk_proofs, directory)
    c_root, h_root = leaves.root
    blank = WideProof((), ())
    return SpotEntry(leaves.capacity, leaves.chunk, c_root, h_root, name, digest, size, blank,
                     ratio and (*ratio, blank))


def _write_margin_audit(rnd, accounts, root_cs, root_hash, directory: Path) -> MarginEntry:
    header = marginfile.Header(accounts.capacity, accounts.chunk, marginfile.layout_digest(rnd.layout))
    path = directory / marginfile.FILE
    with open(path, "wb") as f:
        marginfile.write(f, header, accounts.chunks())
    digest, size = spot.auditfile.file_digest(path)
    cs = tuple(root_cs[i : i + 33] for i in range(0, len(root_cs), 33))
    return MarginEntry(accounts.capacity, accounts.chunk, cs, root_hash, digest, size)


def _with_proofs(body: ManifestV2, claims, openings, points, binding, master) -> ManifestV2:
    """Every statement's wide proof, bound to the proof-less manifest's digest."""
    body_digest = body.body_digest()
    proofs = {}
    for c in claims:
        def transcript_for(part: int, c=c):
            return transcript(body.attestation_id, body.circuits_hash, c.asset, c.name, body_digest=body_digest,
                              market=binding)
        limbs_key = roundkeys.nonce_key(master, c.asset, c.name + "/limbs", 0)
        high_stream = roundkeys.NonceStream(limbs_key)
        proof = prove_claim(c, c.value({t: openings[t][0] for _, t in c.terms}),
                            c.blinding({t: openings[t][1] for _, t in c.terms}), transcript_for,
                            lambda i: high_stream(),
                            lambda j, c=c: roundkeys.NonceStream(roundkeys.nonce_key(master, c.asset, c.name, j)))
        if c.commitment(points) != _committed(c, openings):
            raise AssertionError(f"{c.asset or 'firm'}: {c.name} commitment mismatch")
        proofs[(c.asset, c.name)] = proof
    assets = {a: replace(e, solvency=proofs[(a, "solvency")],
                         coverage=e.coverage and (*e.coverage[:2], proofs[(a, "coverage")]))
              for a, e in body.assets.items()}
    firm = tuple((name, proofs[("", f"firm/{name}")]) for name, _ in body.firm)
    return replace(body, assets=assets, firm=firm)


def _committed(claim, openings) -> Point:
    """Com(value, blinding) of a claim from the prover's openings."""
    return commit(claim.value({t: openings[t][0] for _, t in claim.terms}) % N,
                  claim.blinding({t: openings[t][1] for _, t in claim.terms}))
