"""A spot round proved on a Dask cluster in subtrees (issue 14; SPEC.md §6.9.1): the
ledger is checked in partitions on the workers (`ledgerparts`), the coordinator plans the
round and then holds O(subtrees): placement and the subtree tasks (`placement`, `handoff`,
`subtree`) run on the workers, which write the shards; the coordinator joins the subtrees' roots, proves the
statements, copies the shards into the audit files and writes the manifest. The published
files are byte for byte those of the local pool for the same inputs.
"""

from dataclasses import dataclass, field
from pathlib import Path

from zksolv import ledgerparts, shard as shard_module, storage, tree
from zksolv.attestation import auditfile, handoff, placement, prove
from zksolv.attestation.executors import dask_client
from zksolv.attestation.manifest import AssetEntry, Coverage
from zksolv.attestation.subtree import AssetPlan, RoundPlan
from zksolv.errors import InputError
from zksolv.group import N, Point
from zksolv.state import RoundStore

SUBTREE_LEAVES = 1 << 14
"""Leaves a subtree task takes at most: about 45 s·core of proving at m = 64, a few MiB in
the worker."""
MIN_SUBTREES = 64
"""Below 64 · SUBTREE_LEAVES leaves, subtrees are smaller (down to a chunk), so that a
small round still spreads over the workers."""


@dataclass
class ShardedAsset:
    """One asset of a sharded round, as the coordinator holds it: no leaf, only what joins
    and proves the statements (the attribute names of `build.AssetLeaves` it shares)."""

    asset: str
    leaf_bits: int
    capacity: int
    chunk: int
    base_level: int                 # log2 of the subtree size: `levels` start there
    total: int = 0
    root_blinding: int = 0
    summaries: list = field(default_factory=list)
    levels: list = field(default_factory=list)

    @property
    def root(self) -> tuple[bytes, bytes]:
        return self.levels[-1].node(0)

    def holdings(self):
        return iter(())             # the leaves are in the shards

    def index_rows(self):
        """The state's `subtrees` rows of this asset."""
        return [(self.asset, s.k, 1 << self.base_level, s.key_first, s.key_last) for s in self.summaries]


def run(res, circuits, ratio, ledger_path, reserves_path, out_dir, state_path, options, report):
    """`prove.run` for a spot round on a cluster, once the reserves and circuits are checked:
    (manifest, chunks a resumed round found proved). Refuses before writing anything, as
    `prove.run` does; a failure later leaves the state and shards to resume from."""
    with dask_client(options.scheduler) as client:
        scan = ledgerparts.scan(ledgerparts.on(client), ledger_path, res.decimals, res.leaf_bits)
        inputs = prove._inputs_digest(ledger_path, reserves_path, options)
        meta = prove.round_meta_for(state_path, inputs, options, res)
        resumed = RoundStore.resumable(state_path, inputs, options.force) is not None
        shard_dir, meta = storage.for_round(options.shards, state_path, meta, resumed)   # a local dir or a URL
        plan = plan_round(res, circuits.digest, scan.counts, meta, inputs, options, shard_dir)
        placed = placement.place(client, plan, scan, res.decimals, res.leaf_bits)  # may refuse
        for a in plan.assets:   # after the duplicate check, as the pool reports them
            prove._check_solvent(a.asset, scan.totals[a.asset], res.assets[a.asset], ratio)
            report.line(f"{a.asset}: {a.users} users, capacity {a.capacity}, {a.buckets} subtrees")
        prepare_shards(shard_dir, resumed, options.force)
        store = RoundStore.open(state_path, inputs, meta, options.force)
        shards = storage.Shards(shard_dir, meta["master_secret"], inputs)
        try:
            already = storage.chunks_in(shard_dir, chunks_per_shard(plan))
            if store.resumed:
                report.line(f"resuming the round in {state_path}: {already} chunks already proved")
            assets = prove_subtrees(client, plan, placed, report)
            check_against_scan(assets, scan.counts, scan.totals, ledger_path)
            manifest = prove._publish(res, circuits, assets, store, out_dir, options, ratio,
                                      entry=lambda a, tmp: asset_entry(a, shards, ratio, tmp),
                                      subtrees=[row for a in assets for row in a.index_rows()])
        finally:
            store.close()
    return manifest, already


def chunks_per_shard(*plans: RoundPlan) -> dict[str, int]:
    """Chunk proofs a finished shard holds, by shard name stem (`storage.chunks_in`)."""
    return {shard_module.stem(a.asset): a.subtree // a.chunk for plan in plans for a in plan.assets}


def plan_round(res, circuits_digest: bytes, counts: dict[str, int], meta: dict, inputs: str, options,
               shard_dir, market=None) -> RoundPlan:
    """The round's shape from the ledger's counts (users of each asset's tree): each asset's
    capacity, chunk and subtree size, and the global numbering of buckets and subtrees.
    `market`: a margin round's MarketBinding."""
    assets, bucket, subtree = [], 0, 0
    for asset, reserve in res.assets.items():
        capacity = prove._capacity(asset, counts[asset], options.capacity)
        chunk = min(options.chunk, capacity)
        size = min(SUBTREE_LEAVES, max(chunk, capacity // MIN_SUBTREES))
        assets.append(AssetPlan(asset, reserve.leaf_bits, capacity, counts[asset], chunk, size, bucket, subtree))
        bucket += capacity // size
        subtree += capacity // size
    return RoundPlan(meta["attestation_id"], circuits_digest, inputs, str(shard_dir), tuple(assets), meta["master_secret"],
                     market)


def prepare_shards(shard_dir, resumed: bool, force: bool) -> None:
    """The shards' directory, 0700: kept when the round resumes; else it must be new, or
    (`--force`, which replaces the state) emptied of the shards of the round replaced."""
    if storage.is_url(shard_dir):
        return storage.prepare(shard_dir, resumed, force)
    shard_dir = Path(shard_dir)
    if shard_dir.is_symlink() or (shard_dir.exists() and not shard_dir.is_dir()):
        raise InputError(f"{shard_dir}: the shards' place is not a directory")
    if shard_dir.exists() and not resumed:
        entries = list(shard_dir.iterdir())
        if entries and not force:
            raise InputError(f"{shard_dir}: holds shards of another round (use --force to replace them)")
        for entry in entries:
            entry.unlink()
    shard_dir.mkdir(mode=0o700, exist_ok=True)


def prove_subtrees(client, plan: RoundPlan, placed, report) -> list[ShardedAsset]:
    """Run the subtree tasks on the cluster; join what they return. The shards' location
    then holds the shards and nothing else (`storage.sweep`)."""
    assets = {a.asset: ShardedAsset(a.asset, a.leaf_bits, a.capacity, a.chunk, a.subtree.bit_length() - 1)
              for a in plan.assets}
    summaries = handoff.summaries(client, plan, placed)
    with report.progress(summaries, "subtrees", length=sum(a.buckets for a in plan.assets)) as bar:
        for summary in bar:
            assets[summary.asset].summaries.append(summary)
    storage.sweep(plan.shard_dir)   # every task is done: what killed workers left can go
    for a in assets.values():
        _join(a)
    return list(assets.values())


def check_against_scan(assets: list[ShardedAsset], counts: dict[str, int], totals: dict[str, int], where) -> None:
    """The leaves the workers read are the ledger the coordinator checked (users and total
    of every asset): a ledger changed during the round is an InputError, never a round
    proved over other figures than those its solvency was checked on."""
    for a in assets:
        users = sum(s.users for s in a.summaries)
        if (users, a.total) != (counts[a.asset], totals[a.asset]):
            raise InputError(f"{where}: the ledger changed during the round ({a.asset}); run the round again")


def _join(a: ShardedAsset) -> None:
    """The top of the tree from the subtrees' roots, in order, and the asset's sums."""
    a.summaries.sort(key=lambda s: s.k)
    if [s.k for s in a.summaries] != list(range(a.capacity >> a.base_level)):
        raise AssertionError(f"{a.asset}: subtrees missing")
    builder = tree.Builder(base_level=a.base_level)
    for s in a.summaries:
        builder.push(Point.from_bytes(s.c), s.c, s.h)
    a.levels = builder.levels()
    a.total = sum(s.value_sum for s in a.summaries)
    a.root_blinding = sum(s.blinding_sum for s in a.summaries) % N


def write_audit_file(a: ShardedAsset, shards: storage.Shards, directory: Path) -> tuple[str, str, int]:
    """`<asset>.audit` (SPEC.md §6.8) from the shards: the header, every subtree's leaves in
    order, then every chunk proof in order — the bytes `prove.write_audit_file` writes."""
    name = f"{a.asset}.audit"
    ks = [s.k for s in a.summaries]
    with open(directory / name, "wb") as f:
        f.write(auditfile.Header(a.asset, a.leaf_bits, a.capacity, a.chunk).to_bytes())
        for path in shards.each(a.asset, ks):
            for data in shard_module.audit_leaves(path):
                f.write(data)
        proofs = 0
        for path in shards.each(a.asset, ks):
            for data in shard_module.chunk_proofs(path):
                f.write(len(data).to_bytes(4, "big") + data)
                proofs += 1
    if proofs != a.capacity // a.chunk:
        raise AssertionError(f"{a.asset}: {proofs} of {a.capacity // a.chunk} chunk proofs")
    digest, size = auditfile.file_digest(directory / name)
    return name, digest, size


def asset_entry(a: ShardedAsset, shards: storage.Shards, ratio, directory: Path) -> AssetEntry:
    name, digest, size = write_audit_file(a, shards, directory)
    c_root, h_root = a.root
    coverage = ratio and Coverage(ratio[0], ratio[1], b"")
    return AssetEntry(a.capacity, a.chunk, c_root, h_root, b"", coverage, name, digest, size)
